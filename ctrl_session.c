/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ctrl_session.c - the control connection's TCP socket and its engine,
 * driven for the call manager and --diagnose alike (see ctrl_session.h). */
#include "ctrl_session.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sockutil.h"

/* The most read in one turn.  The largest reply per byte the engine
 * writes is an Echo-Reply's 20 for an Echo-Request's 16: reading at most
 * half its output buffer, and only while that buffer is empty, cannot
 * overflow it, however many requests a server packs together. */
#define SESSION_READ_MAX (PPTP_OUT_MAX / 2)
/* Turns of reading per service, so that a busy server cannot starve the
 * rest of a poll loop. */
#define SESSION_READ_TURNS 16

enum session_state { S_CONNECTING, S_RUNNING, S_DONE };

struct ctrl_session {
	const struct pptp_options *o;
	enum session_state state;
	int fd;
	uint64_t connect_deadline;	/* --connect-timeout from the start */
	pptp_log_fn log;
	bool engine_ran;		/* conn was started: its events are there */
	bool have_own;			/* own_ev waits to be popped */
	struct ctrl_event own_ev;
	char hostname[PPTP_STR_LEN + 1];
	struct pptp_conn conn;
};

/* The engine's configuration: the one place it is made from the options. */
static struct pptp_conn_config session_config(const struct ctrl_session *s, uint64_t now)
{
	const struct pptp_options *o = s->o;

	return (struct pptp_conn_config){
		.hostname = s->hostname,
		.vendor = "pptp " PPTP_RELEASE,
		.firmware = 0x0100,
		.idle_wait_ms = o->idle_wait_s * 1000u,
		.max_echo_wait_ms = o->max_echo_wait_s * 1000u,
		/* What the TCP connect left of --connect-timeout, in whole
		 * seconds for the log's sake (at least 1 s). */
		.sccrp_timeout_ms = s->connect_deadline > now + 1500000u
			? (uint32_t)((s->connect_deadline - now + 500000u) / 1000000u) * 1000u
			: 1000u,
		/* Placing the call is part of bringing the tunnel up: an OCRQ
		 * unanswered for --connect-timeout is given up like an SCCRQ. */
		.ocrp_timeout_ms = o->connect_timeout_s * 1000u,
		.first_call_id = (uint16_t)(1 + (getpid() ^ (uint32_t)now) % 0xfffe),
		.quirk = o->quirk,
		.log = s->log,
		.log_ctx = NULL,
	};
}

static void own_event(struct ctrl_session *s, enum ctrl_event_kind kind, int err)
{
	memset(&s->own_ev, 0, sizeof s->own_ev);
	s->own_ev.kind = kind;
	s->own_ev.err = err;
	s->have_own = true;
}

static void close_socket(struct ctrl_session *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->state = S_DONE;
}

static void connect_failed(struct ctrl_session *s, int err)
{
	err = connect_error_refine(s->fd, err);
	close_socket(s);
	own_event(s, CTRL_EV_TCP_FAILED, err);
}

static void connected(struct ctrl_session *s, uint64_t now)
{
	struct pptp_conn_config cfg = session_config(s, now);

	s->state = S_RUNNING;
	s->engine_ran = true;
	own_event(s, CTRL_EV_TCP_UP, 0);
	pptp_conn_init(&s->conn, &cfg, now);
}

/* Send what the engine has queued, as far as the socket takes it. */
static void flush(struct ctrl_session *s, uint64_t now)
{
	const uint8_t *p;
	size_t n;

	while (s->fd >= 0 && (n = pptp_conn_pending(&s->conn, &p))) {
		ssize_t w = send(s->fd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (w < 0) {
			if (errno != EAGAIN && errno != EINTR)
				pptp_conn_transport_closed(&s->conn, errno, now);
			return;
		}
		pptp_conn_consume(&s->conn, (size_t)w);
	}
}

/* Read and write in turns: a read only once everything queued is sent,
 * so the engine's answers never pile up behind a stream of requests. */
static void exchange(struct ctrl_session *s, uint64_t now)
{
	uint8_t buf[SESSION_READ_MAX];
	const uint8_t *p;

	for (int turn = 0; turn < SESSION_READ_TURNS && !pptp_conn_is_closed(&s->conn); turn++) {
		flush(s, now);
		if (pptp_conn_pending(&s->conn, &p))
			return;
		ssize_t n = recv(s->fd, buf, sizeof buf, MSG_DONTWAIT);
		if (n > 0) {
			pptp_conn_input(&s->conn, buf, (size_t)n, now);
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		pptp_conn_transport_closed(&s->conn, n < 0 ? errno : 0, now);
	}
	flush(s, now);
}

/* Once the engine is over, what it still queued (a last reply) gets one
 * chance, then the socket closes. */
void ctrl_session_flush(struct ctrl_session *s, uint64_t now)
{
	if (s->state != S_RUNNING)
		return;
	flush(s, now);
	if (pptp_conn_is_closed(&s->conn))
		close_socket(s);
}

struct ctrl_session *ctrl_session_open(const struct pptp_options *o, uint32_t server,
				       uint64_t now, pptp_log_fn log, char *err, size_t errlen)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(PPTP_PORT),
				  .sin_addr.s_addr = server };
	struct ctrl_session *s = calloc(1, sizeof *s);

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->o = o;
	s->log = log;
	/* --client-hostname, for servers that check it (Cisco VPDN); else
	 * "local", as the classic client sends: a server configured for it
	 * sees no change, and the machine's name does not leave it. */
	str_copy(s->hostname, o->have_client_hostname ? o->client_hostname : "local",
		 sizeof s->hostname);
	s->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0) {
		snprintf(err, errlen, "cannot create the TCP socket: %s", strerror(errno));
		free(s);
		return NULL;
	}
	int one = 1;
	/* Control messages are small and each one is a complete thought. */
	setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	/* A firewall's reject is then told from a route that is missing. */
	sock_want_icmp(s->fd);
	if (sock_bind_mark(s->fd, o, err, errlen) < 0) {
		close(s->fd);
		free(s);
		return NULL;
	}
	/* --connect-timeout covers the TCP connect and the SCCRQ/SCCRP exchange. */
	s->connect_deadline = now + (uint64_t)o->connect_timeout_s * 1000000u;
	s->state = S_CONNECTING;
	if (connect(s->fd, (struct sockaddr *)&sa, sizeof sa) == 0)
		connected(s, now);
	else if (errno != EINPROGRESS)
		connect_failed(s, errno);
	return s;
}

void ctrl_session_close(struct ctrl_session *s)
{
	if (!s)
		return;
	if (s->fd >= 0)
		close(s->fd);
	free(s);
}

int ctrl_session_fd(const struct ctrl_session *s)
{
	return s->fd;
}

short ctrl_session_poll_events(const struct ctrl_session *s)
{
	const uint8_t *p;

	switch (s->state) {
	case S_CONNECTING:
		return POLLOUT;
	case S_RUNNING:
		/* No reading while answers wait to be sent (see exchange). */
		return pptp_conn_pending(&s->conn, &p) ? POLLOUT : POLLIN;
	case S_DONE:
		break;
	}
	return 0;
}

void ctrl_session_service(struct ctrl_session *s, short revents, uint64_t now)
{
	if (!revents || s->fd < 0)
		return;
	if (s->state == S_CONNECTING) {
		int e = 0;
		socklen_t len = sizeof e;
		if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &e, &len) < 0)
			e = errno;
		if (e)
			connect_failed(s, e);
		else
			connected(s, now);
		ctrl_session_flush(s, now);
		return;
	}
	exchange(s, now);
	ctrl_session_flush(s, now);
}

uint64_t ctrl_session_next_timeout(const struct ctrl_session *s)
{
	switch (s->state) {
	case S_CONNECTING:
		return s->connect_deadline;
	case S_RUNNING:
		return pptp_conn_next_timeout(&s->conn);
	case S_DONE:
		break;
	}
	return UINT64_MAX;
}

void ctrl_session_tick(struct ctrl_session *s, uint64_t now)
{
	if (s->state == S_CONNECTING && now >= s->connect_deadline)
		connect_failed(s, ETIMEDOUT);
	if (s->state != S_RUNNING)
		return;
	pptp_conn_tick(&s->conn, now);
	ctrl_session_flush(s, now);
}

void ctrl_session_stop(struct ctrl_session *s, uint64_t now)
{
	switch (s->state) {
	case S_CONNECTING:
		/* Abandon the connect: its completion must not start anything. */
		close_socket(s);
		return;
	case S_RUNNING:
		pptp_conn_stop(&s->conn, now);
		ctrl_session_flush(s, now);
		return;
	case S_DONE:
		return;
	}
}

bool ctrl_session_event(struct ctrl_session *s, struct ctrl_event *ev)
{
	if (s->have_own) {
		*ev = s->own_ev;
		s->have_own = false;
		return true;
	}
	if (!ctrl_session_conn(s))
		return false;
	memset(ev, 0, sizeof *ev);
	ev->kind = CTRL_EV_ENGINE;
	return pptp_conn_poll_event(&s->conn, &ev->ev) == 1;
}

struct pptp_conn *ctrl_session_conn(struct ctrl_session *s)
{
	/* Once over, the engine still answers questions and holds events. */
	return s->engine_ran ? &s->conn : NULL;
}

bool ctrl_session_connecting(const struct ctrl_session *s)
{
	return s->state == S_CONNECTING;
}

bool ctrl_session_done(const struct ctrl_session *s)
{
	return s->state == S_DONE;
}
