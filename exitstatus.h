/* SPDX-License-Identifier: GPL-2.0-or-later */
/* exitstatus.h - why a tunnel ended, and the one rule that turns that into
 * pptp's exit status (pptp.8, EXIT STATUS).  Pure.
 *
 * The call manager reports *reasons* (struct pptp_reason: what happened,
 * with the server's result and error codes); the gateway notes, in the
 * order they happen, the reasons it hears and how pppd ended
 * (struct tunnel_end); pptp_exit_status() alone decides the number. */
#ifndef PPTP_EXITSTATUS_H
#define PPTP_EXITSTATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum pptp_cause {
	CAUSE_NONE = 0,		/* nothing went wrong */
	CAUSE_STOPPED,		/* stopped as asked: a signal, the last call left */
	CAUSE_LOCAL,		/* a local system error (resources, permissions) */
	CAUSE_RESOLVE,		/* the server name does not resolve */
	CAUSE_CONNECT,		/* TCP to port 1723 failed: err */
	CAUSE_CTRL_REFUSED,	/* Start-Control-Connection-Reply said no: result, error */
	CAUSE_CTRL_NO_REPLY,	/* no Start-Control-Connection-Reply in time */
	CAUSE_CTRL_LOST,	/* the connection closed or broke the protocol: ctrl_was_up */
	CAUSE_CTRL_OVERFLOW,	/* the server stopped reading the control connection */
	CAUSE_ECHO_TIMEOUT,	/* keepalive: the server stopped answering echoes */
	CAUSE_SERVER_STOP,	/* the server sent Stop-Control-Connection-Request: result */
	CAUSE_CONN_CLOSING,	/* the control connection is shutting down: no new call */
	CAUSE_CALL_REFUSED,	/* Outgoing-Call-Reply said no: result, error */
	CAUSE_CALL_NO_REPLY,	/* no Outgoing-Call-Reply in time */
	CAUSE_CALL_DISCONNECTED,/* the server cleared the call (Call-Disconnect-Notify) */
	CAUSE_TOO_MANY_CALLS,	/* no call slot left on the control connection */
	CAUSE_PPPD,		/* pppd could not be started (err), or failed */
	CAUSE_PATH_MTU,		/* --diagnose: an MTU black hole on the path */
	CAUSE_PPPD_ENDED,	/* pppd ended normally, or as it was asked to */
	CAUSE_NO_PPPD,		/* no pppd is installed */
	CAUSE_NO_KERNEL_PPP,	/* /dev/ppp or the kernel's PPP framing is missing */
	CAUSE_NO_MPPE,		/* the kernel has no MPPE */
	CAUSE_GRE_BLOCKED,	/* --diagnose: GRE does not get through */
	CAUSE_INTERRUPTED,	/* --diagnose: a signal ended it before the verdict */
	CAUSE_MAX_
};

struct pptp_reason {
	uint8_t cause;		/* enum pptp_cause */
	bool ctrl_was_up;	/* the control connection had been accepted */
	uint8_t result, error;	/* the server's codes, where the cause has them */
	int32_t err;		/* an errno, where the cause has one */
};

/* A reason on the wire (the call-manager protocol, the readiness message):
 * cause, ctrl_was_up (0 or 1), result, error, err (4 bytes, big-endian). */
#define PPTP_REASON_WIRE_LEN 8
void pptp_reason_encode(const struct pptp_reason *r, uint8_t *out);
/* 0, or -EPROTO when len is not PPTP_REASON_WIRE_LEN or the bytes are not a
 * reason (an unknown cause, a flag other than 0 or 1). */
int pptp_reason_decode(const uint8_t *in, size_t len, struct pptp_reason *r);

/* Whether r comes from a deeper layer (this machine, the name, TCP, the
 * control connection, the call, GRE, PPP) than kept, or nothing is kept
 * yet (CAUSE_NONE): of failures across a server's addresses, the deepest
 * one tells the most. */
bool pptp_reason_deeper(const struct pptp_reason *kept, const struct pptp_reason *r);
/* Whether another address of the same server may do better: the TCP
 * connect or the control connection failed, not the call or this machine. */
bool pptp_reason_try_next(const struct pptp_reason *r);

/* What ended the tunnel, noted as it happens. */
struct tunnel_end {
	bool have_reason;
	struct pptp_reason reason;	/* the first reason heard */
	bool pppd_ended;
	bool pppd_first;		/* pppd ended before any reason was heard */
	int pppd_wait_status;		/* as waitpid() gives it */
	bool pppd_asked_to_stop;	/* we had sent it SIGTERM */
};

/* Note a reason; only the first one counts. */
void tunnel_end_reason(struct tunnel_end *e, const struct pptp_reason *r);
/* Note how pppd ended (a wait status) and whether we had asked it to. */
void tunnel_end_pppd(struct tunnel_end *e, int wait_status, bool asked_to_stop);

/* The exit status for a reason: the one mapping. */
int pptp_exit_for_reason(const struct pptp_reason *r);
/* Which of what was noted decides how the tunnel ended: the reason heard,
 * or pppd's end (CAUSE_PPPD_ENDED, CAUSE_PPPD) when it came first or
 * says more. */
struct pptp_reason tunnel_end_verdict(const struct tunnel_end *e);
/* The exit status of a tunnel: pptp_exit_for_reason of its verdict. */
int pptp_exit_status(const struct tunnel_end *e);

/* The control engine's "connection down" reason (PPTP_DOWN_*) as a cause. */
enum pptp_cause pptp_cause_for_conn_down(int down_reason);
/* The control engine's "call down" reason (PPTP_CALL_*) as a cause. */
enum pptp_cause pptp_cause_for_call_down(int call_reason);
/* A short name for logs and tests. */
const char *pptp_cause_name(enum pptp_cause c);

#endif
