/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pptp_callmgr.c - the call manager process.
 *
 * It owns the TCP connection to SERVER:1723 and drives the control engine
 * (pptp_ctrl.c) with it; every gateway to that server connects to its unix
 * socket and gets a call of its own.  When the last call ends it stops the
 * control connection, removes its host route and socket, and exits.
 *
 * Ownership of the socket name is decided by an flock()ed lock file next to
 * the socket: whoever holds the lock is the live call manager, so a socket
 * left by one that died is recognised as stale and replaced. */
#include "pptp_callmgr.h"

#include <arpa/inet.h>
#include <linux/capability.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "callmgr_proto.h"
#include "ctrl_session.h"
#include "pptp_ctrl.h"
#include "pptp_quirks.h"
#include "privileges.h"
#include "proc.h"
#include "routing.h"
#include "runpath.h"
#include "sockutil.h"
#include "status.h"
#include "util.h"

struct cm_client {
	int fd;			/* -1: free slot */
	int call;		/* engine call handle, -1 before the OCRQ */
	bool opened;		/* CM_CALL_OPEN received */
	bool answered;		/* CM_CALL_RESULT sent */
	pid_t pid;		/* the gateway's, from the socket (0: unknown) */
	struct cm_msg open;
};

struct callmgr {
	const struct pptp_options *opt;
	uint32_t server;
	char server_str[INET_ADDRSTRLEN];
	char sock_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char lock_path[sizeof(((struct sockaddr_un *)0)->sun_path) + 8];
	int lock_fd, listen_fd, sig_fd;
	int starter_fd;			/* pidfd of the pptp whose stderr we hold, or -1 */
	dev_t sock_dev;			/* the socket file we bound (sock_ino 0: none) */
	ino_t sock_ino;
	bool stopping;
	bool name_released;		/* socket and lock file given up (begin_stop) */
	uint64_t first_client_deadline;
	uint64_t conn_up_us;		/* when SCCRP said yes; 0 before */
	struct ctrl_session *sess;	/* TCP to the server and its engine */
	struct cm_client clients[PPTP_MAX_CALLS];
	/* Gateways gone from the socket whose status socket may be left
	 * (tidy_dead_gateways); 0: a free slot. */
	pid_t tidy[PPTP_MAX_CALLS];
	uint64_t tidy_until[PPTP_MAX_CALLS];
	int ntidy;			/* slots of tidy in use */
	int nclients;
	bool had_client;
	struct route_share route;	/* fd -1 until add_host_route */
	bool down;			/* the control connection is over: down_reason says why */
	struct pptp_reason down_reason;
	char down_text[CM_TEXT_MAX];
};

static void handle_events(struct callmgr *cm, uint64_t now);

/* The control engine, once the TCP connection is up; NULL before. */
static struct pptp_conn *engine(struct callmgr *cm)
{
	return cm->sess ? ctrl_session_conn(cm->sess) : NULL;
}

/* ---- talking to clients ---- */

static void client_send(struct callmgr *cm, struct cm_client *cl, const struct cm_msg *m)
{
	uint8_t buf[CM_WIRE_LEN];
	size_t n = cm_msg_encode(m, buf);

	(void)cm;
	if (cl->fd >= 0 && send(cl->fd, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL) != (ssize_t)n)
		log_warn("could not tell gateway (pid %u) about its call: %s", cl->open.pid,
			 strerror(errno));
}

static void client_drop(struct callmgr *cm, struct cm_client *cl, uint64_t now)
{
	if (cl->fd < 0)
		return;
	close(cl->fd);
	cl->fd = -1;
	cm->nclients--;
	if (cl->call >= 0 && engine(cm))
		pptp_conn_call_close(engine(cm), cl->call, now);
	cl->call = -1;
}

static struct cm_client *client_by_call(struct callmgr *cm, int call)
{
	for (int i = 0; i < PPTP_MAX_CALLS; i++)
		if (cm->clients[i].fd >= 0 && cm->clients[i].call == call)
			return &cm->clients[i];
	return NULL;
}

/* Tell a client its call failed or ended, then forget it. */
static void client_end(struct callmgr *cm, struct cm_client *cl, const struct pptp_reason *why,
		       const char *text, uint64_t now)
{
	struct cm_msg m = { .type = cl->answered ? CM_CALL_GONE : CM_CALL_RESULT, .reason = *why };
	str_copy(m.text, text, sizeof m.text);
	client_send(cm, cl, &m);
	cl->call = -1;
	client_drop(cm, cl, now);
}

static void open_call(struct callmgr *cm, struct cm_client *cl, uint64_t now)
{
	struct pptp_call_params p = { .window = cl->open.window, .framing = cl->open.framing,
				      .call_id = cl->open.call_id };

	str_copy(p.phone, cl->open.phone, sizeof p.phone);
	int h = pptp_conn_call_open(engine(cm), &p, now);
	if (h < 0) {
		char text[CM_TEXT_MAX];
		if (h == -EADDRINUSE)
			snprintf(text, sizeof text, "call ID %u is another call's on this control "
				 "connection", p.call_id);
		else
			snprintf(text, sizeof text, "%s", h == -ENOSPC
				 ? "too many calls on this control connection" :
				 "the control connection is shutting down");
		log_warn("call for gateway pid %u not placed: %s", cl->open.pid, text);
		struct pptp_reason why = { .cause = h == -ENOSPC ? CAUSE_TOO_MANY_CALLS
					   : h == -EADDRINUSE ? CAUSE_LOCAL : CAUSE_CONN_CLOSING,
					   .ctrl_was_up = true, .err = -h };
		client_end(cm, cl, &why, text, now);
		return;
	}
	cl->call = h;
}

/* A gateway killed outright cannot remove its status socket: once it has
 * exited (its descriptors closed: it may still be exiting when its socket
 * to us closes), the call manager does.  One that ends normally removes
 * it before it leaves us (tunnel_close); one still running after
 * TIDY_WAIT_US is left alone. */
#define TIDY_WAIT_US 2000000u
#define TIDY_POLL_US 50000u

static void tidy_add(struct callmgr *cm, pid_t pid, uint64_t now)
{
	int free_at = -1;

	if (pid <= 0 || !status_socket_exists(pid))
		return;
	for (int i = 0; i < PPTP_MAX_CALLS; i++) {
		if (cm->tidy[i] == pid)
			return;		/* a gateway that retried: listed once */
		if (!cm->tidy[i] && free_at < 0)
			free_at = i;
	}
	if (free_at >= 0) {
		cm->tidy[free_at] = pid;
		cm->tidy_until[free_at] = now + TIDY_WAIT_US;
		cm->ntidy++;
	}
}

static void tidy_dead_gateways(struct callmgr *cm, uint64_t now)
{
	for (int i = 0; cm->ntidy && i < PPTP_MAX_CALLS; i++) {
		pid_t pid = cm->tidy[i];
		if (!pid)
			continue;
		if (proc_has_ended(pid)) {
			if (status_remove_dead(pid))
				log_info("gateway pid %ld ended without removing its status socket: "
					 "removed it", (long)pid);
			cm->tidy[i] = 0;
			cm->ntidy--;
		} else if (now >= cm->tidy_until[i]) {
			cm->tidy[i] = 0;
			cm->ntidy--;
		}
	}
}

static void client_readable(struct callmgr *cm, struct cm_client *cl, uint64_t now)
{
	uint8_t buf[CM_WIRE_LEN + 1];
	ssize_t n = recv(cl->fd, buf, sizeof buf, MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		const struct pptp_call *c = cl->call >= 0 && engine(cm)
			? pptp_conn_call(engine(cm), cl->call) : NULL;
		bool answered = c && c->state != PPTP_CALL_PENDING && c->state != PPTP_CALL_WAIT_OCRP;
		if (answered)
			log_info("gateway pid %u closed its call %u/%u", cl->open.pid, c->call_id,
				 c->peer_call_id);
		else if (c)
			log_info("gateway pid %u closed its call %u before the server answered it",
				 cl->open.pid, c->call_id);
		tidy_add(cm, cl->pid, now);
		client_drop(cm, cl, now);
		return;
	}
	struct cm_msg m;
	if (cm_msg_decode(buf, (size_t)n, &m) || m.type != CM_CALL_OPEN || cl->opened) {
		log_warn("unexpected %zd-byte message on the call manager socket: dropping that "
			 "client", n);
		client_drop(cm, cl, now);
		return;
	}
	/* Whatever the engine decided in this same pass (a refusal read just
	 * before this request) must be known before the request is judged. */
	if (engine(cm))
		handle_events(cm, now);
	cl->opened = true;
	cl->open = m;
	log_info("gateway pid %u asks for a call%s%s", m.pid, m.phone[0] ? " to phone " : "",
		 m.phone);
	if (cm->down)
		client_end(cm, cl, &cm->down_reason, cm->down_text, now);
	else if (engine(cm))
		open_call(cm, cl, now);
	/* else: placed once the control connection starts */
}

static void accept_clients(struct callmgr *cm)
{
	for (;;) {
		int fd = accept4(cm->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		/* Only our own user may use the call manager. */
		struct ucred cred;
		socklen_t cl = sizeof cred;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) < 0 ||
		    cred.uid != geteuid()) {
			log_warn("refused a connection to the call manager socket from uid %d",
				 cl == sizeof cred ? (int)cred.uid : -1);
			close(fd);
			continue;
		}
		int i;
		for (i = 0; i < PPTP_MAX_CALLS && cm->clients[i].fd >= 0; i++)
			;
		if (i == PPTP_MAX_CALLS) {
			log_warn("too many tunnels share this call manager (%d): refusing another",
				 PPTP_MAX_CALLS);
			close(fd);
			continue;
		}
		cm->clients[i] = (struct cm_client){ .fd = fd, .call = -1, .pid = cred.pid };
		cm->nclients++;
		cm->had_client = true;
	}
}

/* ---- the control connection ---- */

/* The connection can only fail before the engine runs: tell every waiting
 * client and finish. */
static void connect_failed(struct callmgr *cm, int err, uint64_t now)
{
	char text[CM_TEXT_MAX];

	connect_error_words(err, cm->server_str, (int)cm->opt->connect_timeout_s, text, sizeof text);
	/* A warning here: each waiting pptp reports it as its own outcome,
	 * an error when it has no other address of the server left to try. */
	log_warn("%s", text);
	cm->down = true;
	cm->down_reason = (struct pptp_reason){ .cause = CAUSE_CONNECT, .err = err };
	str_copy(cm->down_text, text, sizeof cm->down_text);
	for (int i = 0; i < PPTP_MAX_CALLS; i++)
		if (cm->clients[i].fd >= 0 && cm->clients[i].opened)
			client_end(cm, &cm->clients[i], &cm->down_reason, text, now);
}

/* The engine runs: place the calls asked for while it connected. */
static void tcp_connected(struct callmgr *cm, uint64_t now)
{
	log_info("TCP connection to %s:%d established", cm->server_str, PPTP_PORT);
	for (int i = 0; i < PPTP_MAX_CALLS; i++) {
		struct cm_client *cl = &cm->clients[i];
		if (cl->fd >= 0 && cl->opened && cl->call == -1)
			open_call(cm, cl, now);
	}
}

static void engine_event(struct callmgr *cm, const struct pptp_event *ev, uint64_t now)
{
	struct cm_client *cl = ev->call >= 0 ? client_by_call(cm, ev->call) : NULL;

	switch (ev->type) {
	case PPTP_EV_CONN_UP:
		/* The engine logged it, with the server's details. */
		cm->conn_up_us = now;
		break;
	case PPTP_EV_CALL_UP:
		if (!cl) {
			/* Its gateway left while the call was being placed. */
			pptp_conn_call_close(engine(cm), ev->call, now);
			break;
		}
		{
			struct cm_msg m = { .type = CM_CALL_RESULT, .ok = true,
					    .call_id = ev->call_id,
					    .peer_call_id = ev->peer_call_id,
					    .peer_window = ev->peer_window,
					    .peer_delay = ev->peer_delay };
			str_copy(m.text, ev->text, sizeof m.text);
			client_send(cm, cl, &m);
			cl->answered = true;
		}
		break;
	case PPTP_EV_CALL_DOWN:
		if (ev->reason == PPTP_CALL_CLEARED || !cl)
			break;
		if (ev->reason == PPTP_CALL_CONN_LOST) {
			/* The words come with the CONN_DOWN that follows. */
			cl->call = -2;
			break;
		}
		{
			struct pptp_reason why = {
				.cause = pptp_cause_for_call_down(ev->reason),
				.ctrl_was_up = true, .result = ev->result, .error = ev->error };
			client_end(cm, cl, &why, ev->text, now);
		}
		break;
	case PPTP_EV_CONN_DOWN:
		cm->down = true;
		cm->down_reason = (struct pptp_reason){
			.cause = pptp_cause_for_conn_down(ev->reason),
			.ctrl_was_up = pptp_conn_accepted(engine(cm)),
			.result = ev->result, .error = ev->error };
		str_copy(cm->down_text, ev->text, sizeof cm->down_text);
		for (int i = 0; i < PPTP_MAX_CALLS; i++)
			if (cm->clients[i].fd >= 0 && cm->clients[i].opened)
				client_end(cm, &cm->clients[i], &cm->down_reason, ev->text, now);
		break;
	}
}

static void handle_events(struct callmgr *cm, uint64_t now)
{
	struct ctrl_event ev;

	while (cm->sess && ctrl_session_event(cm->sess, &ev)) {
		switch (ev.kind) {
		case CTRL_EV_TCP_UP:
			tcp_connected(cm, now);
			break;
		case CTRL_EV_TCP_FAILED:
			connect_failed(cm, ev.err, now);
			break;
		case CTRL_EV_ENGINE:
			engine_event(cm, &ev.ev, now);
			break;
		}
	}
}

/* Start the TCP connect; false when it could not even begin (logged). */
static bool tcp_start(struct callmgr *cm, uint64_t now)
{
	char text[CM_TEXT_MAX];

	log_info("connecting to %s:%d", cm->server_str, PPTP_PORT);
	cm->sess = ctrl_session_open(cm->opt, cm->server, now, log_engine, text, sizeof text);
	if (!cm->sess) {
		log_err("%s", text);
		return false;
	}
	handle_events(cm, now);	/* a connect that failed at once */
	return true;
}


/* ---- lifetime ---- */

static void unlink_sock_if_ours(struct callmgr *cm)
{
	runpath_unlink_if_same(cm->sock_path, cm->sock_dev, cm->sock_ino, "socket");
	cm->sock_ino = 0;
}

/* The socket's and the lock file's names, which whoever holds the lock at
 * that name owns.  The lock stays held on the unlinked file: only its name
 * goes, so that a call manager started now takes the name at once. */
static void release_name(struct callmgr *cm)
{
	struct stat st;

	if (cm->name_released)
		return;
	cm->name_released = true;
	unlink_sock_if_ours(cm);
	if (cm->lock_fd >= 0 && fstat(cm->lock_fd, &st) == 0)
		runpath_unlink_if_same(cm->lock_path, st.st_dev, st.st_ino, "lock file");
}

static void begin_stop(struct callmgr *cm, const char *why, uint64_t now)
{
	if (cm->stopping)
		return;
	cm->stopping = true;
	log_info("stopping the control connection: %s", why);
	/* New gateways must not find a call manager that is going away, nor
	 * wait for it: stopping may take 15 s with a server that does not
	 * answer, and a new tunnel starts a call manager of its own at once.
	 * The listening socket goes too: a gateway that found the name just
	 * before it went is refused now (and tries again with a new call
	 * manager) instead of waiting in the backlog until we exit. */
	release_name(cm);
	if (cm->listen_fd >= 0) {
		close(cm->listen_fd);
		cm->listen_fd = -1;
	}
	/* Whatever state it is in: a connect still under way is abandoned. */
	if (cm->sess)
		ctrl_session_stop(cm->sess, now);
}

static void shutdown_signal(struct callmgr *cm, int sig, uint64_t now)
{
	char text[CM_TEXT_MAX];

	snprintf(text, sizeof text, "the call manager was stopped by signal %s", sigabbrev_np(sig));
	log_notice("%s: clearing %d call(s)", text,
		   engine(cm) ? pptp_conn_active_calls(engine(cm)) : 0);
	struct pptp_reason why = { .cause = CAUSE_STOPPED };
	for (int i = 0; i < PPTP_MAX_CALLS; i++)
		if (cm->clients[i].fd >= 0)
			client_end(cm, &cm->clients[i], &why, text, now);
	begin_stop(cm, text, now);
}

/* SIGUSR1: what the control connection is doing, in one line. */
static void log_status(struct callmgr *cm, uint64_t now)
{
	char state[CM_TEXT_MAX + 16], server[2 * PPTP_STR_LEN + 32] = "";
	struct pptp_conn *c = engine(cm);
	const struct pptp_sccrp *si = c ? pptp_conn_server_info(c) : NULL;

	if (cm->sess && ctrl_session_connecting(cm->sess))
		str_copy(state, "connecting", sizeof state);
	else if (cm->down)
		snprintf(state, sizeof state, "down (%s)", cm->down_text);
	else if (!c)
		str_copy(state, "not connected", sizeof state);
	else if (pptp_conn_state(c) == PPTP_CONN_ESTABLISHED && cm->conn_up_us)
		snprintf(state, sizeof state, "ESTABLISHED for %llu s",
			 (unsigned long long)((now - cm->conn_up_us) / 1000000u));
	else
		str_copy(state, pptp_conn_state_name(pptp_conn_state(c)), sizeof state);
	if (cm->conn_up_us && si) {
		char host[PPTP_STR_LEN + 1], vendor[PPTP_STR_LEN + 1];
		str_printable(host, sizeof host, si->hostname, PPTP_STR_LEN);
		str_printable(vendor, sizeof vendor, si->vendor, PPTP_STR_LEN);
		snprintf(server, sizeof server, " (server \"%s\", vendor \"%s\")", host, vendor);
	}
	log_notice("status: control connection to %s:%d %s%s, %d call(s), %d gateway(s), "
		   "keepalive after %u s idle, echo wait %u s", cm->server_str, PPTP_PORT, state,
		   server, c ? pptp_conn_active_calls(c) : 0, cm->nclients,
		   cm->opt->idle_wait_s, cm->opt->max_echo_wait_s);
}

/* Done when every gateway has had its answer and the TCP connection is
 * closed.  Until the first gateway arrives we stay, even after a failed
 * connect: it must hear why (the loop stops at first_client_deadline);
 * but once told to stop, no gateway will come. */
static bool finished(const struct callmgr *cm)
{
	return (cm->had_client || cm->stopping) && cm->nclients == 0 &&
	       (!cm->sess || ctrl_session_done(cm->sess)) && !cm->ntidy;
}

static uint64_t next_deadline(const struct callmgr *cm, uint64_t now)
{
	uint64_t t = UINT64_MAX;

	if (cm->sess)
		t = ctrl_session_next_timeout(cm->sess);
	if (!cm->had_client && !cm->stopping && cm->first_client_deadline < t)
		t = cm->first_client_deadline;
	if (cm->ntidy && now + TIDY_POLL_US < t)
		t = now + TIDY_POLL_US;
	return t;
}

/* Our stderr is the one the pptp that started us was given (pppd's log, a
 * script's pipe): our warnings reach its caller while that pptp runs.  We
 * serve later tunnels too, so once it is gone stderr becomes /dev/null: a
 * pipe held for ever would keep its reader waiting. */
static void starter_gone(struct callmgr *cm)
{
	int err = proc_stdio_null(1u << STDERR_FILENO);

	if (err < 0) {
		log_warn("cannot open /dev/null: %s; keeping stderr", strerror(-err));
	} else {
		log_set_stderr(false);
	}
	if (cm->starter_fd >= 0)
		close(cm->starter_fd);
	cm->starter_fd = -1;
}

/* starter: a pidfd of the pptp that started us, or -errno: -EBADF when
 * there is none to watch (--debug keeps stderr), else why we cannot watch
 * it. */
static void starter_watch(struct callmgr *cm, int starter)
{
	cm->starter_fd = starter >= 0 ? starter : -1;
	if (starter >= 0 || starter == -EBADF)
		return;
	/* Without pidfds (Linux < 5.3), or it is already gone. */
	log_debug("cannot watch the pptp that started us (%s): stderr goes now",
		  strerror(-starter));
	starter_gone(cm);
}

/* Until the call manager is done; cm->down_reason then says why (CAUSE_NONE:
 * it ran out of calls without trouble). */
static void callmgr_loop(struct callmgr *cm)
{
	struct pollfd pfd[4 + PPTP_MAX_CALLS];
	int cl_at[4 + PPTP_MAX_CALLS];

	while (!finished(cm)) {
		uint64_t now = now_us();
		int n = 0;

		pfd[n++] = (struct pollfd){ .fd = cm->sig_fd, .events = POLLIN };
		int listen_at = -1, tcp_at = -1, starter_at = -1;
		if (cm->listen_fd >= 0) {
			listen_at = n;
			pfd[n++] = (struct pollfd){ .fd = cm->listen_fd, .events = POLLIN };
		}
		if (cm->starter_fd >= 0) {
			starter_at = n;
			pfd[n++] = (struct pollfd){ .fd = cm->starter_fd, .events = POLLIN };
		}
		if (cm->sess && ctrl_session_fd(cm->sess) >= 0) {
			tcp_at = n;
			pfd[n++] = (struct pollfd){ .fd = ctrl_session_fd(cm->sess),
						    .events = ctrl_session_poll_events(cm->sess) };
		}
		int first_cl = n;
		for (int i = 0; i < PPTP_MAX_CALLS; i++)
			if (cm->clients[i].fd >= 0) {
				cl_at[n] = i;
				pfd[n++] = (struct pollfd){ .fd = cm->clients[i].fd, .events = POLLIN };
			}
		uint64_t dl = next_deadline(cm, now);
		int timeout = dl == UINT64_MAX ? -1 : dl <= now ? 0 : (int)((dl - now + 999) / 1000);
		if (poll(pfd, (nfds_t)n, timeout) < 0 && errno != EINTR) {
			int e = errno;
			log_err("poll: %s", strerror(e));
			if (!cm->down) {
				cm->down = true;
				cm->down_reason = (struct pptp_reason){ .cause = CAUSE_LOCAL, .err = e };
			}
			return;
		}
		now = now_us();

		if (pfd[0].revents & POLLIN) {
			int sig;
			while ((sig = proc_signal_next(cm->sig_fd)) != 0) {
				if (sig == SIGUSR1)
					log_status(cm, now);
				else if (proc_sig_is_stop(sig))
					shutdown_signal(cm, sig, now);
			}
		}
		for (int i = 1; i < n; i++) {
			if (!pfd[i].revents)
				continue;
			if (i == listen_at) {
				/* A stop signal read above closed it: no new client
				 * for a call manager that is going away. */
				if (cm->listen_fd >= 0)
					accept_clients(cm);
			} else if (i == starter_at) {
				starter_gone(cm);
			} else if (i == tcp_at) {
				ctrl_session_service(cm->sess, pfd[i].revents, now);
			} else if (i >= first_cl) {
				struct cm_client *cl = &cm->clients[cl_at[i]];
				if (cl->fd == pfd[i].fd)
					client_readable(cm, cl, now);
			}
		}
		/* A control connection that is up or coming up is stopped as
		 * the protocol asks (StopCCRQ), not dropped. */
		tidy_dead_gateways(cm, now);
		if (!cm->had_client && !cm->stopping && now >= cm->first_client_deadline) {
			log_info("no gateway asked for a call within %d s", CALLMGR_FIRST_CLIENT_S);
			begin_stop(cm, "no gateway asked for a call", now);
		}
		if (cm->sess) {
			ctrl_session_tick(cm->sess, now);
			handle_events(cm, now);
			if (!cm->stopping && cm->had_client && cm->nclients == 0 &&
			    !ctrl_session_done(cm->sess))
				begin_stop(cm, "no calls left", now);
			/* What the events and the clients queued goes out now. */
			ctrl_session_flush(cm->sess, now);
			handle_events(cm, now);
		}
	}
}

/* ---- the host route, shared with other call managers (routing.c) ---- */

static void add_host_route(struct callmgr *cm)
{
	char warn[320], err[256], path[sizeof cm->sock_path];

	if (cm->opt->nohostroute)
		return;
	if (cm->opt->have_rtmark) {
		log_info("--rtmark: not adding a host route (policy routing decides the path)");
		return;
	}
	runpath_route_share(cm->server, runpath_netns_id(), path, sizeof path);
	uint32_t src = cm->opt->have_localbind ? cm->opt->localbind : 0;
	int r = route_share_acquire(&cm->route, cm->server, src, path, warn, sizeof warn, err,
				    sizeof err);
	const struct host_route *h = &cm->route.host;
	if (warn[0])
		log_warn("%s", warn);
	if (r < 0)
		log_warn("%s; continuing without a host route to the server", err);
	else if (r == ROUTE_SHARE_ADDED)
		log_info("added host route to %s via %s%s dev %s", cm->server_str,
			 h->gateway ? inet_ntoa((struct in_addr){ h->gateway }) : "",
			 h->gateway ? "" : "(on-link)", h->ifname);
	else if (r == ROUTE_SHARE_JOINED)
		log_info("the host route to %s was added by another call manager for this "
			 "server: it stays until the last of us exits", cm->server_str);
	else if (err[0])
		log_info("%s", err);
}

/* At exit: the last user of a route a call manager added removes it. */
static void remove_host_route(struct callmgr *cm)
{
	char err[200];
	int r = route_share_release(&cm->route, err, sizeof err);

	if (r < 0)
		log_warn("%s", err);
	else if (r == ROUTE_SHARE_KEPT)
		log_info("leaving the host route to %s in place: another call manager for "
			 "this server still uses it", cm->server_str);
	else if (r == ROUTE_SHARE_REMOVED)
		log_info("removed the host route to %s", cm->server_str);
}

static void cleanup(struct callmgr *cm)
{
	if (cm->listen_fd >= 0) {
		release_name(cm);
		close(cm->listen_fd);
	}
	/* After the socket is gone: no new gateway finds us without a route. */
	remove_host_route(cm);
	if (cm->lock_fd >= 0) {
		release_name(cm);
		close(cm->lock_fd);
	}
	ctrl_session_close(cm->sess);
	cm->sess = NULL;
	if (cm->sig_fd >= 0)
		close(cm->sig_fd);
	if (cm->starter_fd >= 0)
		close(cm->starter_fd);
	for (int i = 0; i < PPTP_MAX_CALLS; i++)
		if (cm->clients[i].fd >= 0)
			close(cm->clients[i].fd);
}

/* The listening socket, at the name whose lock we hold.  0, or -errno. */
static int listen_on_name(struct callmgr *cm)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	str_copy(sun.sun_path, cm->sock_path, sizeof sun.sun_path);
	cm->listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (cm->listen_fd < 0)
		return -errno;
	mode_t old = umask(0077);
	int br = bind(cm->listen_fd, (struct sockaddr *)&sun, sizeof sun);
	umask(old);
	if (br < 0 || listen(cm->listen_fd, 16) < 0)
		return -errno;
	/* The file bind() made: fstat() of the socket would describe the
	 * socket, not its name.  We hold the lock, so nobody else made it. */
	struct stat sst;
	if (lstat(cm->sock_path, &sst) == 0) {
		cm->sock_dev = sst.st_dev;
		cm->sock_ino = sst.st_ino;
	}
	return 0;
}

int callmgr_main(const struct pptp_options *o, uint32_t server, int ready, int starter)
{
	struct callmgr *cm = calloc(1, sizeof *cm);
	/* Why the start failed, for the gateway waiting on ready. */
	struct pptp_reason fail = { .cause = CAUSE_LOCAL };

	if (!cm) {
		log_err("out of memory");
		fail.err = ENOMEM;
		goto report;
	}
	log_set_role("callmgr");
	cm->opt = o;
	cm->server = server;
	cm->lock_fd = cm->listen_fd = cm->sig_fd = cm->route.fd = -1;
	for (int i = 0; i < PPTP_MAX_CALLS; i++)
		cm->clients[i].fd = -1;
	starter_watch(cm, starter);
	inet_ntop(AF_INET, &(struct in_addr){ server }, cm->server_str, sizeof cm->server_str);
	/* As the classic's: pgrep -x pptpcm.  The command line names the
	 * server as given, and the address it serves when that differs (a
	 * name): one call manager serves the later tunnels too, so the
	 * first one's other arguments would mislead. */
	bool named = strcmp(o->server, cm->server_str) != 0;
	proc_set_name("pptpcm", (const char *const[]){ o->server, named ? cm->server_str : NULL,
						       NULL });
	log_set_context("%s", cm->server_str);
	fail.err = -runpath_socket_name(o, server, runpath_netns_id(), cm->sock_path,
					sizeof cm->sock_path, cm->lock_path, sizeof cm->lock_path);
	if (fail.err) {
		log_err("the call manager's socket name is too long");
		goto report;
	}
	cm->lock_fd = runpath_open_locked(cm->lock_path, runpath_flock_nb);
	if (cm->lock_fd < 0) {
		if (cm->lock_fd == -EWOULDBLOCK || cm->lock_fd == -EAGAIN) {
			proc_ready_send(&ready, &(struct proc_ready){ .state = PROC_BUSY });
			free(cm);
			return pptp_exit_for_reason(&(struct pptp_reason){ .cause = CAUSE_NONE });
		}
		log_err("cannot take the lock %s: %s", cm->lock_path, strerror(-cm->lock_fd));
		fail.err = -cm->lock_fd;
		goto report;
	}
	/* We own the name: whatever socket is there belongs to a dead one. */
	if (unlink(cm->sock_path) == 0)
		log_notice("replaced the stale socket of a call manager that died: %s",
			   cm->sock_path);

	/* SIGUSR1 asks the gateway for its statistics, and the call manager
	 * names the same server: pkill -USR1 -f SERVER reaches both, and it
	 * must not end the tunnel. */
	cm->sig_fd = proc_signals_open(PROC_SIG_STOP | PROC_SIG_USR1);
	if (cm->sig_fd < 0) {
		log_err("signalfd: %s", strerror(-cm->sig_fd));
		fail.err = -cm->sig_fd;
		goto report;
	}

	fail.err = -listen_on_name(cm);
	if (fail.err) {
		log_err("cannot listen on %s: %s", cm->sock_path, strerror(fail.err));
		goto report;
	}
	uint64_t now = now_us();
	cm->first_client_deadline = now + (uint64_t)CALLMGR_FIRST_CLIENT_S * 1000000u;
	add_host_route(cm);
	if (!tcp_start(cm, now))
		goto report;
	/* Sockets, route and lock exist: from here on only the route's removal
	 * needs a privilege. */
	char perr[200];
	int keep[] = { CAP_NET_ADMIN };
	if (privileges_limit(keep, cm->route.pptp ? 1 : 0, perr, sizeof perr) < 0)
		log_warn("%s", perr);
	proc_ready_send(&ready, &(struct proc_ready){ .state = PROC_READY });
	callmgr_loop(cm);
	cleanup(cm);
	log_info("call manager exits");
	int rc = pptp_exit_for_reason(&cm->down_reason);
	free(cm);
	return rc;

report:
	proc_ready_send(&ready, &(struct proc_ready){ .state = PROC_FAILED, .reason = fail });
	if (cm) {
		cleanup(cm);
		free(cm);
	}
	return pptp_exit_for_reason(&fail);
}
