/* SPDX-License-Identifier: GPL-2.0-or-later */
/* exitstatus.c - the exit status policy (see exitstatus.h). */
#include "exitstatus.h"

#include <stddef.h>
#include <sys/wait.h>

#include "pptp_ctrl.h"
#include "util.h"

/* pppd's own exit statuses that matter here (pppd(8), EXIT STATUS). */
#define PPPD_STATUS_OK 0
#define PPPD_STATUS_USER_REQUEST 5	/* someone stopped pppd: poff, kill */
#define PPPD_STATUS_NO_ECHO 15		/* the peer stopped answering LCP echoes */
#define PPPD_STATUS_HANGUP 16		/* the line hung up */

static const struct {
	const char *name;
	uint8_t exit;
} causes[CAUSE_MAX_] = {
	[CAUSE_NONE] = { "none", PPTP_EXIT_OK },
	[CAUSE_STOPPED] = { "stopped", PPTP_EXIT_OK },
	[CAUSE_LOCAL] = { "local", PPTP_EXIT_FAILURE },
	[CAUSE_RESOLVE] = { "resolve", PPTP_EXIT_RESOLVE },
	[CAUSE_CONNECT] = { "connect", PPTP_EXIT_CONNECT },
	[CAUSE_CTRL_REFUSED] = { "ctrl-refused", PPTP_EXIT_CTRL_REFUSED },
	[CAUSE_CTRL_NO_REPLY] = { "ctrl-no-reply", PPTP_EXIT_CTRL_REFUSED },
	/* CAUSE_CTRL_LOST depends on when: see pptp_exit_for_reason */
	[CAUSE_CTRL_LOST] = { "ctrl-lost", PPTP_EXIT_SERVER_ENDED },
	[CAUSE_CTRL_OVERFLOW] = { "ctrl-overflow", PPTP_EXIT_SERVER_ENDED },
	[CAUSE_ECHO_TIMEOUT] = { "echo-timeout", PPTP_EXIT_KEEPALIVE },
	[CAUSE_SERVER_STOP] = { "server-stop", PPTP_EXIT_SERVER_ENDED },
	[CAUSE_CONN_CLOSING] = { "conn-closing", PPTP_EXIT_SERVER_ENDED },
	[CAUSE_CALL_REFUSED] = { "call-refused", PPTP_EXIT_CALL_REFUSED },
	[CAUSE_CALL_NO_REPLY] = { "call-no-reply", PPTP_EXIT_CALL_REFUSED },
	[CAUSE_CALL_DISCONNECTED] = { "call-disconnected", PPTP_EXIT_SERVER_ENDED },
	[CAUSE_TOO_MANY_CALLS] = { "too-many-calls", PPTP_EXIT_FAILURE },
	[CAUSE_PPPD] = { "pppd", PPTP_EXIT_PPPD },
	[CAUSE_PATH_MTU] = { "path-mtu", PPTP_EXIT_PATH_MTU },
};

const char *pptp_cause_name(enum pptp_cause c)
{
	return (unsigned)c < CAUSE_MAX_ ? causes[c].name : "unknown";
}

int pptp_exit_for_reason(const struct pptp_reason *r)
{
	if (r->cause >= CAUSE_MAX_)
		return PPTP_EXIT_FAILURE;
	/* Before the server accepted the control connection, whatever went
	 * wrong with it is a control connection the server did not accept. */
	if (r->cause == CAUSE_CTRL_LOST && !r->ctrl_was_up)
		return PPTP_EXIT_CTRL_REFUSED;
	return causes[r->cause].exit;
}

enum pptp_cause pptp_cause_for_conn_down(int down_reason)
{
	switch (down_reason) {
	case PPTP_DOWN_STOPPED: return CAUSE_STOPPED;
	case PPTP_DOWN_REFUSED: return CAUSE_CTRL_REFUSED;
	case PPTP_DOWN_NO_REPLY: return CAUSE_CTRL_NO_REPLY;
	case PPTP_DOWN_ECHO_TIMEOUT: return CAUSE_ECHO_TIMEOUT;
	case PPTP_DOWN_PEER_STOP: return CAUSE_SERVER_STOP;
	case PPTP_DOWN_PROTOCOL:
	case PPTP_DOWN_CLOSED: return CAUSE_CTRL_LOST;
	case PPTP_DOWN_OVERFLOW: return CAUSE_CTRL_OVERFLOW;
	default: return CAUSE_CTRL_LOST;
	}
}

enum pptp_cause pptp_cause_for_call_down(int call_reason)
{
	switch (call_reason) {
	case PPTP_CALL_CLEARED: return CAUSE_STOPPED;
	case PPTP_CALL_REFUSED: return CAUSE_CALL_REFUSED;
	case PPTP_CALL_NO_REPLY: return CAUSE_CALL_NO_REPLY;
	case PPTP_CALL_DISCONNECTED: return CAUSE_CALL_DISCONNECTED;
	case PPTP_CALL_CONN_LOST: return CAUSE_CTRL_LOST;
	default: return CAUSE_CALL_REFUSED;
	}
}

void tunnel_end_reason(struct tunnel_end *e, const struct pptp_reason *r)
{
	if (e->have_reason)
		return;
	e->have_reason = true;
	e->reason = *r;
}

void tunnel_end_pppd(struct tunnel_end *e, int wait_status, bool asked_to_stop)
{
	if (e->pppd_ended)
		return;
	e->pppd_ended = true;
	e->pppd_first = !e->have_reason;
	e->pppd_wait_status = wait_status;
	e->pppd_asked_to_stop = asked_to_stop;
}

/* What pppd's end says on its own: OK for a normal or requested end. */
static int exit_for_pppd(const struct tunnel_end *e)
{
	int st = e->pppd_wait_status;

	if (WIFEXITED(st)) {
		int code = WEXITSTATUS(st);
		return code == PPPD_STATUS_OK || code == PPPD_STATUS_USER_REQUEST
			? PPTP_EXIT_OK : PPTP_EXIT_PPPD;
	}
	return e->pppd_asked_to_stop ? PPTP_EXIT_OK : PPTP_EXIT_PPPD;
}

int pptp_exit_status(const struct tunnel_end *e)
{
	if (!e->pppd_ended)
		return e->have_reason ? pptp_exit_for_reason(&e->reason) : PPTP_EXIT_OK;
	if (e->pppd_first || !e->have_reason)
		return exit_for_pppd(e);
	int from_reason = pptp_exit_for_reason(&e->reason);
	/* pppd failing on its own (authentication, negotiation) is why a
	 * server hangs up, not the other way round; a hangup or a dead peer
	 * after the server ended the call is only the consequence. */
	if (from_reason == PPTP_EXIT_SERVER_ENDED && WIFEXITED(e->pppd_wait_status)) {
		int code = WEXITSTATUS(e->pppd_wait_status);
		if (code != PPPD_STATUS_OK && code != PPPD_STATUS_USER_REQUEST &&
		    code != PPPD_STATUS_NO_ECHO && code != PPPD_STATUS_HANGUP)
			return PPTP_EXIT_PPPD;
	}
	return from_reason;
}
