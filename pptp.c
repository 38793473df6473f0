/* pptp.c - the program: pptp SERVER [--pptp-options] [pppd-options]
 *
 *   pptp (this process) ----------- becomes the GRE-to-PPP gateway
 *     |-- call manager (pptp_callmgr.c): TCP/1723, shared per server
 *     `-- pppd on a pty (unless --nolaunchpppd, where pppd started us)
 *
 * Without --debug and --nolaunchpppd the tunnel runs in the background: the
 * foreground process waits until the call is up and pppd running (or until
 * either failed) and exits with that outcome, like pppd's updetach. */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "callmgr_proto.h"
#include "diagnose.h"
#include "gre_engine.h"
#include "localcheck.h"
#include "callmgr_client.h"
#include "pppd.h"
#include "pptp_gre.h"
#include "pptp_options.h"
#include "privileges.h"
#include "proc.h"
#include "pptp_quirks.h"
#include "sockutil.h"
#include "status.h"
#include "util.h"

#define MAX_ADDRS 16	/* server addresses tried in turn */

/* Every IPv4 address of the server, in the resolver's order (at most max,
 * without repeats).  Returns how many, or -1 with the reason logged. */
static int resolve(const char *name, uint32_t *addrs, int max)
{
	char why[256], list[MAX_ADDRS * (INET_ADDRSTRLEN + 2)];
	int gai, n = resolve_ipv4(name, addrs, max, &gai, why, sizeof why);

	if (n < 0) {
		log_err("cannot resolve the server name '%s': %s", name, why);
		return -1;
	}
	addr_list_str(addrs, n, list, sizeof list);
	if (n > 1)
		log_notice("server %s resolves to %s: trying them in that order", name, list);
	else if (strcmp(list, name))
		log_notice("server %s resolves to %s", name, list);
	return n;
}

/* Whether pppd is told here to require MPPE (its options files may too). */
static bool mppe_required(const struct pptp_options *o)
{
	for (int i = 0; i < o->pppd_argc; i++) {
		const char *a = o->pppd_argv[i];
		if (!strncmp(a, "require-mppe", 12) ||
		    (!strcmp(a, "mppe") && i + 1 < o->pppd_argc &&
		     strstr(o->pppd_argv[i + 1], "required")))
			return true;
	}
	return false;
}

/* What the pppd we launch needs on this machine, checked before dialling:
 * a missing piece would otherwise show only as pppd failing once the call
 * is up.  0 with pppd's path, or the exit status with the reason logged.
 * Without MPPE only a pppd told here to require it must fail; its options
 * files may require it as well, so otherwise it is a warning. */
static int local_ready(const struct pptp_options *o, char *pppd, size_t cap)
{
	struct local_check lc;

	local_check_run(&lc, o->sync, false);
	for (int i = 0; i < LOCAL_ITEMS; i++) {
		const struct local_result *r = &lc.item[i];
		if (r->ok)
			continue;
		if (i == LOCAL_MPPE && !mppe_required(o)) {
			log_warn("%s %s: a server that requires encryption will fail at CCP. %s",
				 r->name, r->found, r->fix);
			continue;
		}
		log_err("%s %s: %s", r->name, r->found, r->fix);
		return r->exit;
	}
	if (lc.pppd_refused[0])
		log_warn("%s; using %s", lc.pppd_refused, lc.pppd_path);
	str_copy(pppd, lc.pppd_path, cap);
	return 0;
}

/* Fork into the background.  The parent waits for the readiness message
 * (PROC_READY: the tunnel is up; PROC_FAILED: the exit status to fail
 * with).  Meanwhile it passes on the signals that stop a tunnel (its
 * terminal's Ctrl-C does not reach the child, which has a session of its
 * own): the child then stops dialling and reports how it ended. */
static void forward_stop(int signo, void *ctx)
{
	kill(*(pid_t *)ctx, signo);
}

static int detach(int sigfd)
{
	int fd;
	pid_t pid = proc_fork(&fd);

	if (pid < 0) {
		log_err("fork: %s", strerror((int)-pid));
		return -1;
	}
	if (pid > 0) {
		struct proc_ready r;
		if (proc_ready_wait(fd, sigfd, forward_stop, &pid, &r) < 0)
			_exit(PPTP_EXIT_FAILURE);
		_exit(r.state == PROC_READY ? PPTP_EXIT_OK : r.exit_status);
	}
	setsid();
	return fd;
}

static void detach_done(int *fd, int status)
{
	if (*fd < 0)
		return;
	proc_ready_send(fd, &(struct proc_ready){
		.state = status == PPTP_EXIT_OK ? PROC_READY : PROC_FAILED,
		.exit_status = (uint8_t)status });
	if (status == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (null >= 0) {
			dup2(null, STDIN_FILENO);
			dup2(null, STDERR_FILENO);
			close(null);
		}
		log_set_stderr(false);
	}
}

static void pppd_running(void *ctx)
{
	detach_done(ctx, PPTP_EXIT_OK);
}

/* What --status shows while the call is being placed. */
struct dialing {
	int fd;
	struct tunnel_status t;
};

static void serve_dialing(void *ctx)
{
	struct dialing *d = ctx;
	status_serve(d->fd, &d->t);
}

/* Get the call placed: connect to (or start) the call manager and ask.
 * A call manager that is just going away is retried with a new one. */
static int place_call(const struct pptp_options *o, uint32_t server, int sigfd, int *cm_fd,
		      struct cm_msg *res, struct dialing *st, int fail_level)
{
	struct cm_msg open = { .type = CM_CALL_OPEN, .pid = (uint32_t)getpid(),
			       .window = GRE_RECV_WINDOW,
			       .framing = o->sync ? PPTP_FRAME_SYNC : PPTP_FRAME_ASYNC };
	int exit_code;

	str_copy(open.phone, o->phone, sizeof open.phone);
	for (int attempt = 0; attempt < 3; attempt++) {
		*cm_fd = callmgr_connect(o, server, &exit_code);
		if (*cm_fd < 0)
			return exit_code;
		int r = callmgr_open_call(*cm_fd, sigfd, st->fd, serve_dialing, st, &open, res);
		if (r == 0)
			return PPTP_EXIT_OK;
		close(*cm_fd);
		*cm_fd = -1;
		if (r == -EINTR) {
			log_notice("interrupted while the call was being placed");
			return PPTP_EXIT_OK;
		}
		if (r != -ECONNRESET) {
			int rc = pptp_exit_for_reason(&res->reason);
			log_msg(rc == PPTP_EXIT_CONNECT || rc == PPTP_EXIT_CTRL_REFUSED
				? fail_level : L_ERR, "%s", res->text);
			return rc ? rc : PPTP_EXIT_FAILURE;
		}
		log_info("%s: trying again", res->text);
	}
	log_err("%s", res->text);
	return PPTP_EXIT_FAILURE;
}

static void note_option_effects(const struct pptp_options *o)
{
	if (o->nobuffer && o->timeout_given)
		log_notice("--timeout has no effect with --nobuffer (packets are not reordered)");
	if (o->test_rate_given && o->test_type == 0)
		log_notice("--test-rate has no effect without --test-type");
	if (o->test_type)
		log_warn("--test-type %d: deliberately reordering what we send (for testing "
			 "servers)", o->test_type);
	if (o->quirk)
		log_info("quirk %s: %s", o->quirk->name, o->quirk->what);
	for (int i = 0; i < o->nnotes; i++)
		log_warn("%s", o->notes[i]);
	if (o->nolaunchpppd && o->pppd_argc > 0) {
		char list[256] = "";
		for (int i = 0; i < o->pppd_argc; i++) {
			size_t l = strlen(list);
			snprintf(list + l, sizeof list - l, "%s%s", i ? " " : "", o->pppd_argv[i]);
		}
		log_warn("ignoring pppd options given with --nolaunchpppd (pppd is already running: "
			 "put them in its own command line or peers file): %s", list);
	}
}

int main(int argc, char **argv)
{
	struct pptp_options o;
	char err[512];
	uint32_t server;
	int rc = PPTP_EXIT_FAILURE, cm_fd = -1, gre_fd = -1, detach_fd = -1;
	struct pppd_pty t = { -1, -1, "" };
	char pppd[4096];
	pid_t pppd_pid = 0;

	switch (pptp_options_parse(argc, argv, &o, err, sizeof err)) {
	case PPTP_PARSE_HELP:
		fputs(pptp_usage(), stdout);
		return PPTP_EXIT_OK;
	case PPTP_PARSE_VERSION:
		printf("pptp version %s\n", PPTP_RELEASE);
		return PPTP_EXIT_OK;
	case PPTP_PARSE_ERROR:
		fprintf(stderr, "pptp: %s\nTry 'pptp --help' for the options.\n", err);
		return PPTP_EXIT_USAGE;
	case PPTP_PARSE_OK:
		break;
	}
	if (o.status)
		return status_list(o.json);
	log_init(o.logstring, o.loglevel, o.debug || isatty(STDERR_FILENO));
	/* Before anything else: what follows would fail piecemeal, each
	 * failure naming a symptom (no pppd found, no status directory). */
	if (geteuid() != 0) {
		log_err("pptp needs root: it opens a raw GRE socket, adds a host route and %s "
			"(run it as root, or from pppd's pty option)",
			o.diagnose ? "places a test call" : "starts or serves pppd");
		return PPTP_EXIT_FAILURE;
	}
	log_set_role("pptp");
	if (o.diagnose)
		return diagnose_run(&o);
	note_option_effects(&o);
	uint32_t addrs[MAX_ADDRS];
	int naddrs = resolve(o.server, addrs, MAX_ADDRS);
	if (naddrs < 0)
		return PPTP_EXIT_RESOLVE;
	char server_str[INET_ADDRSTRLEN];
	log_notice("pptp %s starting: server %s%s", PPTP_RELEASE, o.server,
		   o.nolaunchpppd ? ", PPP on stdin/stdout" : "");

	int sigfd = proc_signals_open(PROC_SIG_STOP | PROC_SIG_USR1 | PROC_SIG_CHLD);
	if (sigfd < 0) {
		log_err("signalfd: %s", strerror(-sigfd));
		return PPTP_EXIT_FAILURE;
	}
	char status_path[108];
	struct dialing dialing = { .fd = -1, .t = { .pid = getpid(), .state = TUNNEL_DIALING } };
	dialing.t.started = dialing.t.since = (int64_t)time(NULL);
	str_copy(dialing.t.server_name, o.server, sizeof dialing.t.server_name);
	str_copy(dialing.t.logstring, o.logstring, sizeof dialing.t.logstring);
	if (!o.nolaunchpppd) {
		/* Under --nolaunchpppd pppd, which started us, has checked its
		 * kernel support itself: nothing here may stop that tunnel. */
		int lrc = local_ready(&o, pppd, sizeof pppd);
		if (lrc)
			return lrc;
		if (!o.debug && (detach_fd = detach(sigfd)) < 0)
			return PPTP_EXIT_FAILURE;
	}
	/* The process that stays is the gateway, named as the classic's is:
	 * scripts run pkill -USR1 pptpgw. */
	proc_set_name("pptpgw");
	/* After detaching: the socket is named after the process that stays. */
	dialing.t.pid = getpid();
	dialing.fd = status_listen(status_path, sizeof status_path);
	/* Everything that can fail locally fails before a call exists. */
	if ((o.nolaunchpppd ? pppd_stdio_open(o.sync) : pppd_pty_open(&t, o.sync)) < 0)
		goto out;

	/* Each address in turn, until one accepts a control connection. */
	struct cm_msg call;
	for (int i = 0; i < naddrs; i++) {
		server = addrs[i];
		inet_ntop(AF_INET, &server, server_str, sizeof server_str);
		str_copy(dialing.t.server, server_str, sizeof dialing.t.server);
		log_set_context("%s", server_str);
		if (naddrs > 1)
			log_notice("trying %s (address %d of %d)", server_str, i + 1, naddrs);
		/* What makes us try the next address is a warning while one
		 * is left; the last one's failure is the error. */
		int fail_level = i + 1 < naddrs ? L_WARNING : L_ERR;
		gre_fd = gre_socket_open(&o, server, err, sizeof err);
		if (gre_fd < 0) {
			log_msg(gre_fd < -1 && connect_error_is_reachability(-gre_fd) ? fail_level : L_ERR,
				"%s", err);
			rc = gre_fd < -1 && connect_error_is_reachability(-gre_fd)
				? PPTP_EXIT_CONNECT : PPTP_EXIT_FAILURE;
			gre_fd = -1;
		} else {
			rc = place_call(&o, server, sigfd, &cm_fd, &call, &dialing, fail_level);
		}
		if (rc == PPTP_EXIT_OK || i + 1 == naddrs ||
		    (rc != PPTP_EXIT_CONNECT && rc != PPTP_EXIT_CTRL_REFUSED))
			break;
		log_notice("%s did not accept a control connection: trying the next address",
			   server_str);
		if (gre_fd >= 0)
			close(gre_fd);
		gre_fd = -1;
	}
	if (rc != PPTP_EXIT_OK || cm_fd < 0)
		goto out;
	log_set_context("%s call %u/%u", server_str, call.call_id, call.peer_call_id);
	log_notice("tunnel to %s is up: call ID %u, server's call ID %u, server's window %u",
		   server_str, call.call_id, call.peer_call_id, call.peer_window);

	if (!o.nolaunchpppd) {
		pppd_pid = pppd_spawn(&o, pppd, &t);
		if (pppd_pid < 0) {
			rc = PPTP_EXIT_PPPD;
			goto out;
		}
	}
	/* The GRE socket, the pty, pppd and the call exist: the gateway needs
	 * no capability any more (pppd runs as our uid, so signalling it needs
	 * none). */
	if (privileges_limit(NULL, 0, err, sizeof err) < 0)
		log_warn("%s", err);

	struct gateway_params gp = {
		.opt = &o,
		.server = server,
		.ppp_in = o.nolaunchpppd ? STDIN_FILENO : t.master,
		.ppp_out = o.nolaunchpppd ? STDOUT_FILENO : t.master,
		.ppp_slave = t.slave,
		.cm_fd = cm_fd,
		.sig_fd = sigfd,
		.gre_fd = gre_fd,
		.pppd_pid = pppd_pid,
		.call = call,
		/* In the background mode the foreground process returns once
		 * pppd is running: a pppd that rejects its options still fails
		 * the command. */
		.pppd_running = detach_fd >= 0 ? pppd_running : NULL,
		.pppd_running_ctx = &detach_fd,
		.status_fd = dialing.fd,
		.server_name = o.server,
		.started = dialing.t.started,
	};
	t.slave = -1;	/* the gateway closes it once pppd is talking */
	rc = gateway_run(&gp);
	log_set_role("pptp");
	log_info("exiting with status %d", rc);
out:
	detach_done(&detach_fd, rc);
	if (cm_fd >= 0)
		close(cm_fd);
	if (gre_fd >= 0)
		close(gre_fd);
	if (t.master >= 0)
		close(t.master);
	if (t.slave >= 0)
		close(t.slave);
	status_close(dialing.fd, status_path);
	close(sigfd);
	return rc;
}
