/* SPDX-License-Identifier: GPL-2.0-or-later */
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
#include <linux/capability.h>
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
#include "gw_kernel.h"
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
 * without repeats).  Returns how many, or 0 with the reason logged. */
static int resolve(const char *name, uint32_t *addrs, int max)
{
	char why[256], list[MAX_ADDRS * (INET_ADDRSTRLEN + 2)];
	int gai, n = resolve_ipv4(name, addrs, max, &gai, why, sizeof why);

	if (n <= 0) {
		log_err("cannot resolve the server name '%s': %s", name, why);
		return 0;
	}
	addr_list_str(addrs, n, list, sizeof list);
	if (n > 1)
		log_notice("server %s resolves to %s: trying them in that order", name, list);
	else if (strcmp(list, name))
		log_notice("server %s resolves to %s", name, list);
	return n;
}

/* Fork into the background.  The parent waits for the readiness message
 * (PROC_READY: the tunnel is up; PROC_FAILED: why it is not, which gives
 * the exit status to fail with).  Meanwhile it passes on the signals that stop a tunnel (its
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
		return (int)pid;
	}
	if (pid > 0) {
		struct proc_ready r;
		if (proc_ready_wait(fd, sigfd, forward_stop, &pid, &r) < 0)
			r = (struct proc_ready){ .state = PROC_FAILED,
						 .reason = { .cause = CAUSE_LOCAL } };
		_exit(r.state == PROC_READY ? PPTP_EXIT_OK : pptp_exit_for_reason(&r.reason));
	}
	setsid();
	return fd;
}

/* Tell the waiting parent (if any) how the start went: up, or why not. */
static void detach_done(int *fd, const struct pptp_reason *why)
{
	if (*fd < 0)
		return;
	bool up = pptp_exit_for_reason(why) == PPTP_EXIT_OK;
	proc_ready_send(fd, &(struct proc_ready){ .state = up ? PROC_READY : PROC_FAILED,
						  .reason = *why });
	if (up) {
		/* In the background now: nothing of the caller's stays open
		 * here (a pipe's reader would wait for us).  pppd keeps what it
		 * was given, as pppd.c says. */
		proc_stdio_null(1u << STDIN_FILENO | 1u << STDOUT_FILENO | 1u << STDERR_FILENO);
		log_set_stderr(false);
	}
}

static void pppd_running(void *ctx)
{
	detach_done(ctx, &(struct pptp_reason){ .cause = CAUSE_NONE });
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
 * A call manager that is just going away is retried with a new one.
 * True with the call in *res; otherwise false with *why set (CAUSE_STOPPED:
 * a signal interrupted).  call_id: the one to ask for (--kernel), or 0. */
static bool place_call(const struct pptp_options *o, uint32_t server, int sigfd, int *cm_fd,
		       struct cm_msg *res, struct dialing *st, int fail_level,
		       struct pptp_reason *why, uint16_t call_id)
{
	struct cm_msg open = { .type = CM_CALL_OPEN, .pid = (uint32_t)getpid(),
			       .window = GRE_RECV_WINDOW, .call_id = call_id,
			       .framing = o->sync ? PPTP_FRAME_SYNC : PPTP_FRAME_ASYNC };

	str_copy(open.phone, o->phone, sizeof open.phone);
	for (int attempt = 0; attempt < 3; attempt++) {
		*cm_fd = callmgr_connect(o, server, why);
		if (*cm_fd < 0)
			return false;
		int r = callmgr_open_call(*cm_fd, sigfd, st->fd, serve_dialing, st, &open, res);
		if (r == 0 && call_id && res->call_id != call_id) {
			/* A call manager of an older pptp picks its own. */
			log_err("the call manager placed the call with call ID %u, not %u, which the "
				"kernel's PPTP socket is bound to (is it an older pptp's?)",
				res->call_id, call_id);
			*why = (struct pptp_reason){ .cause = CAUSE_LOCAL };
			return false;
		}
		if (r == 0)
			return true;
		close(*cm_fd);
		*cm_fd = -1;
		if (r == -EINTR) {
			log_notice("interrupted while the call was being placed");
			*why = (struct pptp_reason){ .cause = CAUSE_STOPPED };
			return false;
		}
		if (r != -ECONNRESET && call_id && res->reason.cause == CAUSE_LOCAL &&
		    res->reason.err == EADDRINUSE) {
			log_notice("%s: trying another", res->text);
			*why = res->reason;
			return false;
		}
		if (r != -ECONNRESET) {
			*why = res->reason;
			log_msg(pptp_reason_try_next(why) ? fail_level : L_ERR, "%s", res->text);
			/* A refusal that gives no cause to fail is still no call. */
			if (pptp_exit_for_reason(why) == PPTP_EXIT_OK)
				*why = (struct pptp_reason){ .cause = CAUSE_LOCAL };
			return false;
		}
		log_info("%s: trying again", res->text);
		/* Once its lock is free, its names are stale: gone before the
		 * next try can reach a socket that no one will ever answer. */
		callmgr_remove_stale(o, server);
	}
	log_err("%s", res->text);
	*why = (struct pptp_reason){ .cause = CAUSE_LOCAL, .err = ECONNRESET };
	return false;
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

/* One tunnel, from the command line to its end: what main() sets up and
 * tears down around the gateway. */
struct tunnel {
	const struct pptp_options *o;
	int sigfd, detach_fd, cm_fd, gre_fd;
	struct pppd_pty pty;
	char pppd[PATH_MAX];		/* the pppd to start; unused under --nolaunchpppd */
	pid_t pppd_pid;
	struct dialing dialing;		/* --status while the call is placed */
	char status_path[108];
	struct kernel_path kp;		/* --kernel */
	uint32_t server;		/* the address that took the call */
	char server_str[INET_ADDRSTRLEN];
	struct cm_msg call;
	struct pptp_reason why;		/* why it ended, or could not start */
};

/* Note why the tunnel cannot go on: false, for the caller to return. */
static bool tunnel_fail(struct tunnel *tn, enum pptp_cause cause, int err)
{
	tn->why = (struct pptp_reason){ .cause = cause, .err = err };
	return false;
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

/* The pppd to run, and what it needs on this machine, checked before
 * dialling: a missing piece would otherwise show only as pppd failing once
 * the call is up.  True, or false with the missing piece's cause logged
 * and noted (see localcheck.h).  Without MPPE only a pppd told here to
 * require it must fail; its options files may require it as well, so
 * otherwise it is a warning.  Under --nolaunchpppd this is not called:
 * pppd, which started us, has checked its kernel itself. */
static bool choose_pppd(struct tunnel *tn)
{
	struct local_check lc;

	local_check_run(&lc, tn->o->sync, false);
	for (int i = 0; i < LOCAL_ITEMS; i++) {
		const struct local_result *r = &lc.item[i];
		if (r->ok)
			continue;
		if (i == LOCAL_MPPE && !mppe_required(tn->o)) {
			log_warn("%s %s: a server that requires encryption will fail at CCP. %s",
				 r->name, r->found, r->fix);
			continue;
		}
		log_err("%s %s: %s", r->name, r->found, r->fix);
		return tunnel_fail(tn, r->cause, 0);
	}
	if (lc.pppd_refused[0])
		log_warn("%s; using %s", lc.pppd_refused, lc.pppd_path);
	str_copy(tn->pppd, lc.pppd_path, sizeof tn->pppd);
	return true;
}

/* Everything that can fail locally, before a call exists: signals, pppd,
 * detaching, the status socket, the line pppd speaks on.  True, or false
 * with tn->why. */
static bool tunnel_prepare(struct tunnel *tn)
{
	const struct pptp_options *o = tn->o;

	tn->sigfd = proc_signals_open(PROC_SIG_STOP | PROC_SIG_USR1 | PROC_SIG_CHLD);
	if (tn->sigfd < 0) {
		log_err("signalfd: %s", strerror(-tn->sigfd));
		return tunnel_fail(tn, CAUSE_LOCAL, -tn->sigfd);
	}
	struct tunnel_status *t = &tn->dialing.t;
	t->state = TUNNEL_DIALING;
	t->started = t->since = (int64_t)time(NULL);
	str_copy(t->server_name, o->server, sizeof t->server_name);
	str_copy(t->logstring, o->logstring, sizeof t->logstring);
	if (!o->nolaunchpppd) {
		if (!choose_pppd(tn))
			return false;
		if (!o->debug) {
			int fd = detach(tn->sigfd);
			if (fd < 0)
				return tunnel_fail(tn, CAUSE_LOCAL, -fd);
			tn->detach_fd = fd;
		}
	}
	/* The process that stays is the gateway, named as the classic's is:
	 * scripts run pkill -USR1 pptpgw or pidof pptpgw.  Its command line
	 * keeps our arguments: pptpgw SERVER [options]. */
	proc_set_name("pptpgw", NULL);
	/* After detaching: the socket is named after the process that stays. */
	t->pid = getpid();
	int st = status_listen(tn->status_path, sizeof tn->status_path);
	tn->dialing.fd = st < 0 ? -1 : st;
	/* --kernel: the PPP line discipline takes the place of n_hdlc. */
	bool sync_ld = o->sync && !o->kernel;
	int r = o->nolaunchpppd ? (o->kernel ? 0 : pppd_stdio_open(sync_ld))
				: pppd_pty_open(&tn->pty, sync_ld);
	if (r < 0)
		return tunnel_fail(tn, CAUSE_LOCAL, -r);
	if (!o->kernel)
		return true;
	enum pptp_cause c = kernel_prepare(&tn->kp, o, o->nolaunchpppd ? STDIN_FILENO : tn->pty.master);
	/* pppd's side of its pty, where its channel is found: pppd makes the
	 * tty exclusive, so only now, with every capability, does it open. */
	int err = 0;
	if (c == CAUSE_NONE && o->nolaunchpppd) {
		char text[128];
		tn->pty.slave = kernel_open_peer(&tn->kp, text, sizeof text);
		if (tn->pty.slave < 0) {
			log_err("%s", text);
			c = CAUSE_LOCAL;
			err = -tn->pty.slave;
			tn->pty.slave = -1;
		}
	}
	return c == CAUSE_NONE ? true : tunnel_fail(tn, c, err);
}

/* --kernel: the call is placed with the call ID the PPTP socket is bound to,
 * free in the kernel's table for the machine; a user-space tunnel's call on
 * the shared control connection may still hold it, so a taken one is
 * exchanged for another. */
static bool dial_kernel(struct tunnel *tn, int fail_level)
{
	char err[160];

	for (int i = 0; i < KERNEL_CALL_ID_TRIES; i++) {
		int r = kernel_bind(&tn->kp, tn->o, tn->server, err, sizeof err);
		if (r < 0) {
			log_err("%s", err);
			return tunnel_fail(tn, CAUSE_LOCAL, -r);
		}
		if (place_call(tn->o, tn->server, tn->sigfd, &tn->cm_fd, &tn->call, &tn->dialing,
			       fail_level, &tn->why, tn->kp.call_id))
			return true;
		if (tn->why.cause != CAUSE_LOCAL || tn->why.err != EADDRINUSE)
			return false;
	}
	log_err("--kernel: every call ID tried (%d) was free in the kernel but taken on the "
		"control connection", KERNEL_CALL_ID_TRIES);
	return false;
}

/* Each address in turn, until one accepts a control connection and the
 * call: the GRE socket and the call manager's socket are then open.  True,
 * or false with tn->why (the last address's failure). */
static bool tunnel_dial(struct tunnel *tn, const uint32_t *addrs, int naddrs)
{
	char err[512];

	for (int i = 0; i < naddrs; i++) {
		tn->server = addrs[i];
		inet_ntop(AF_INET, &tn->server, tn->server_str, sizeof tn->server_str);
		str_copy(tn->dialing.t.server, tn->server_str, sizeof tn->dialing.t.server);
		log_set_context("%s", tn->server_str);
		if (naddrs > 1)
			log_notice("trying %s (address %d of %d)", tn->server_str, i + 1, naddrs);
		/* What makes us try the next address is a warning while one
		 * is left; the last one's failure is the error. */
		int fail_level = i + 1 < naddrs ? L_WARNING : L_ERR;
		bool unreachable;
		tn->gre_fd = gre_socket_open(tn->o, tn->server, &unreachable, err, sizeof err);
		if (tn->gre_fd < 0) {
			log_msg(unreachable ? fail_level : L_ERR, "%s", err);
			tunnel_fail(tn, unreachable ? CAUSE_CONNECT : CAUSE_LOCAL, -tn->gre_fd);
			tn->gre_fd = -1;
		} else if (tn->o->kernel ? dial_kernel(tn, fail_level)
			   : place_call(tn->o, tn->server, tn->sigfd, &tn->cm_fd, &tn->call,
					&tn->dialing, fail_level, &tn->why, 0)) {
			return true;
		}
		if (i + 1 == naddrs || !pptp_reason_try_next(&tn->why))
			break;
		log_notice("%s did not accept a control connection: trying the next address",
			   tn->server_str);
		if (tn->gre_fd >= 0)
			close(tn->gre_fd);
		tn->gre_fd = -1;
	}
	return false;
}

/* The call is up: start pppd, give up what is no longer needed, and carry
 * frames until the tunnel ends; tn->why then says how it ended. */
static void tunnel_run(struct tunnel *tn)
{
	const struct pptp_options *o = tn->o;
	char err[256];

	log_set_context("%s call %u/%u", tn->server_str, tn->call.call_id, tn->call.peer_call_id);
	log_notice("tunnel to %s is up: call ID %u, server's call ID %u, server's window %u",
		   tn->server_str, tn->call.call_id, tn->call.peer_call_id, tn->call.peer_window);
	if (o->kernel) {
		int r = kernel_connect(&tn->kp, tn->server, tn->call.peer_call_id, err, sizeof err);
		if (r < 0) {
			log_err("%s", err);
			tunnel_fail(tn, CAUSE_LOCAL, -r);
			return;
		}
		/* The kernel takes the GRE: a raw socket would get a copy of each. */
		close(tn->gre_fd);
		tn->gre_fd = -1;
	}
	if (!o->nolaunchpppd) {
		tn->pppd_pid = pppd_spawn(o, tn->pppd, &tn->pty);
		if (tn->pppd_pid < 0) {
			tunnel_fail(tn, CAUSE_PPPD, (int)-tn->pppd_pid);
			return;
		}
	}
	/* The GRE socket, the pty, pppd and the call exist: the gateway needs
	 * no capability any more (pppd runs as our uid, so signalling it needs
	 * none), but with --kernel CAP_NET_ADMIN until it has attached to
	 * pppd's PPP channel (gw_kernel.c drops it then). */
	int admin = CAP_NET_ADMIN;
	if (privileges_limit(&admin, o->kernel ? 1 : 0, err, sizeof err) < 0)
		log_warn("%s", err);
	struct gateway_params gp = {
		.opt = o,
		.server = tn->server,
		.ppp_in = o->kernel ? -1 : o->nolaunchpppd ? STDIN_FILENO : tn->pty.master,
		.ppp_out = o->kernel ? -1 : o->nolaunchpppd ? STDOUT_FILENO : tn->pty.master,
		.kernel = o->kernel ? &tn->kp : NULL,
		.ppp_slave = tn->pty.slave,
		.cm_fd = tn->cm_fd,
		.sig_fd = tn->sigfd,
		.gre_fd = tn->gre_fd,
		.pppd_pid = tn->pppd_pid,
		.call = tn->call,
		/* In the background mode the foreground process returns once
		 * pppd is running: a pppd that rejects its options still fails
		 * the command. */
		.pppd_running = tn->detach_fd >= 0 ? pppd_running : NULL,
		.pppd_running_ctx = &tn->detach_fd,
		.status_fd = tn->dialing.fd,
		.server_name = o->server,
		.started = tn->dialing.t.started,
	};
	tn->pty.slave = -1;	/* the gateway closes it once pppd is talking */
	tn->why = gateway_run(&gp);
	log_set_role("pptp");
	log_info("exiting with status %d", pptp_exit_for_reason(&tn->why));
}

static void tunnel_close(struct tunnel *tn)
{
	detach_done(&tn->detach_fd, &tn->why);
	kernel_close(&tn->kp);
	/* Before the call manager hears that we left: it tidies up the
	 * status socket of a gateway that leaves without doing so. */
	status_close(tn->dialing.fd, tn->status_path);
	int fds[] = { tn->cm_fd, tn->gre_fd, tn->pty.master, tn->pty.slave, tn->sigfd };
	for (size_t i = 0; i < ARRAY_LEN(fds); i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* pptp SERVER ...: a tunnel.  Returns the exit status. */
static int tunnel_main(const struct pptp_options *o)
{
	uint32_t addrs[MAX_ADDRS];
	struct tunnel tn = { .o = o, .sigfd = -1, .detach_fd = -1, .cm_fd = -1, .gre_fd = -1,
			     .pty = { -1, -1, "" }, .dialing = { .fd = -1 },
			     .kp = KERNEL_PATH_INIT };

	note_option_effects(o);
	int naddrs = resolve(o->server, addrs, MAX_ADDRS);
	if (naddrs == 0)
		return pptp_exit_for_reason(&(struct pptp_reason){ .cause = CAUSE_RESOLVE });
	log_notice("pptp %s starting: server %s%s", PPTP_RELEASE, o->server,
		   o->nolaunchpppd ? ", PPP on stdin/stdout" : "");
	if (tunnel_prepare(&tn) && tunnel_dial(&tn, addrs, naddrs))
		tunnel_run(&tn);
	tunnel_close(&tn);
	return pptp_exit_for_reason(&tn.why);
}

int main(int argc, char **argv)
{
	struct pptp_options o;
	char err[512];

	proc_stdio_hold();
	proc_args_save(argc, argv);
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
	if (o.status) {
		int r = status_list(o.json);
		return pptp_exit_for_reason(&(struct pptp_reason){
			.cause = r < 0 ? CAUSE_LOCAL : CAUSE_NONE, .err = -r });
	}
	log_init(o.logstring, o.loglevel, o.debug || isatty(STDERR_FILENO));
	/* Before anything else: what follows would fail piecemeal, each
	 * failure naming a symptom (no pppd found, no status directory). */
	if (geteuid() != 0) {
		log_err("pptp needs root: it opens a raw GRE socket, adds a host route and %s "
			"(run it as root, or from pppd's pty option)",
			o.diagnose ? "places a test call" : "starts or serves pppd");
		return pptp_exit_for_reason(&(struct pptp_reason){ .cause = CAUSE_LOCAL,
								   .err = EPERM });
	}
	log_set_role("pptp");
	return o.diagnose ? diagnose_run(&o) : tunnel_main(&o);
}
