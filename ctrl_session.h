/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ctrl_session.h - one control connection to a server: the TCP socket to
 * port 1723 and the control engine (pptp_ctrl.c) that runs over it, driven
 * the same way for the call manager and for --diagnose.
 *
 * The caller polls the descriptor for the events the session asks for,
 * hands it what poll returned and the time, ticks it at its next timeout,
 * and pops events: "connected" and "connect failed" from the session, then
 * the engine's own.  Calls are placed on the engine (ctrl_session_conn). */
#ifndef PPTP_CTRL_SESSION_H
#define PPTP_CTRL_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pptp_ctrl.h"
#include "pptp_options.h"

enum ctrl_event_kind {
	CTRL_EV_TCP_UP = 1,	/* connected: the engine runs, its SCCRQ is queued */
	CTRL_EV_TCP_FAILED,	/* the connect failed (.err; ETIMEDOUT after --connect-timeout) */
	CTRL_EV_ENGINE,		/* an event of the engine (.ev) */
};

struct ctrl_event {
	enum ctrl_event_kind kind;
	int err;
	struct pptp_event ev;
};

struct ctrl_session;

/* Create the socket (TCP_NODELAY, --localbind, --rtmark) and start the
 * connect to server:1723; --connect-timeout counts from now.  NULL with a
 * sentence in err for a local failure; a connect that fails at once is a
 * CTRL_EV_TCP_FAILED like a later one.  log gets the engine's lines. */
struct ctrl_session *ctrl_session_open(const struct pptp_options *o, uint32_t server,
				       uint64_t now, pptp_log_fn log, char *err, size_t errlen);
/* Close the socket (nothing more is sent) and free the session. */
void ctrl_session_close(struct ctrl_session *s);

/* The descriptor to poll and the events wanted; -1 once the socket closed. */
int ctrl_session_fd(const struct ctrl_session *s);
short ctrl_session_poll_events(const struct ctrl_session *s);
/* What poll returned for the descriptor. */
void ctrl_session_service(struct ctrl_session *s, short revents, uint64_t now);
/* When ctrl_session_tick wants to run (UINT64_MAX: never), and the tick. */
uint64_t ctrl_session_next_timeout(const struct ctrl_session *s);
void ctrl_session_tick(struct ctrl_session *s, uint64_t now);
/* Stop, in any state: a connect still in progress is abandoned at once
 * (no SCCRQ is ever sent); a running engine clears its calls and stops. */
void ctrl_session_stop(struct ctrl_session *s, uint64_t now);
/* Send what the caller queued on the engine; once the engine is over,
 * close the socket after this last write (tick does it too). */
void ctrl_session_flush(struct ctrl_session *s, uint64_t now);
/* Pop the next event: true and *ev filled, false when there is none. */
bool ctrl_session_event(struct ctrl_session *s, struct ctrl_event *ev);

/* The engine, once the TCP connection is up; NULL before (and after a
 * failed connect).  What the caller queues on it goes out on the next
 * service, tick or flush. */
struct pptp_conn *ctrl_session_conn(struct ctrl_session *s);
/* Still connecting to port 1723. */
bool ctrl_session_connecting(const struct ctrl_session *s);
/* Over: the socket is closed (events may still be waiting). */
bool ctrl_session_done(const struct ctrl_session *s);

#endif
