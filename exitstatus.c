/* SPDX-License-Identifier: GPL-2.0-or-later */
/* exitstatus.c - the exit status policy (see exitstatus.h). */
#include "exitstatus.h"

#include <errno.h>
#include <stddef.h>
#include <sys/wait.h>

#include "pptp_ctrl.h"
#include "util.h"

/* pppd's own exit statuses that matter here (pppd(8), EXIT STATUS). */
#define PPPD_STATUS_OK 0
#define PPPD_STATUS_USER_REQUEST 5	/* someone stopped pppd: poff, kill */
#define PPPD_STATUS_NO_ECHO 15		/* the peer stopped answering LCP echoes */
#define PPPD_STATUS_HANGUP 16		/* the line hung up */

/* How deep a cause lies, from this machine out to PPP: failures at
 * several addresses are compared by it. */
enum layer {
	LAYER_HOST, LAYER_NAME, LAYER_TCP, LAYER_CTRL, LAYER_CALL, LAYER_GRE, LAYER_MTU, LAYER_PPP
};

static const struct {
	const char *name;
	uint8_t exit;
	uint8_t layer;
} causes[CAUSE_MAX_] = {
	[CAUSE_NONE] = { "none", PPTP_EXIT_OK, LAYER_HOST },
	[CAUSE_STOPPED] = { "stopped", PPTP_EXIT_OK, LAYER_HOST },
	[CAUSE_LOCAL] = { "local", PPTP_EXIT_FAILURE, LAYER_HOST },
	[CAUSE_RESOLVE] = { "resolve", PPTP_EXIT_RESOLVE, LAYER_NAME },
	[CAUSE_CONNECT] = { "connect", PPTP_EXIT_CONNECT, LAYER_TCP },
	[CAUSE_CTRL_REFUSED] = { "ctrl-refused", PPTP_EXIT_CTRL_REFUSED, LAYER_CTRL },
	[CAUSE_CTRL_NO_REPLY] = { "ctrl-no-reply", PPTP_EXIT_CTRL_REFUSED, LAYER_CTRL },
	/* CAUSE_CTRL_LOST depends on when: see pptp_exit_for_reason */
	[CAUSE_CTRL_LOST] = { "ctrl-lost", PPTP_EXIT_SERVER_ENDED, LAYER_CTRL },
	[CAUSE_CTRL_OVERFLOW] = { "ctrl-overflow", PPTP_EXIT_SERVER_ENDED, LAYER_CTRL },
	[CAUSE_ECHO_TIMEOUT] = { "echo-timeout", PPTP_EXIT_KEEPALIVE, LAYER_CTRL },
	[CAUSE_SERVER_STOP] = { "server-stop", PPTP_EXIT_SERVER_ENDED, LAYER_CTRL },
	[CAUSE_CONN_CLOSING] = { "conn-closing", PPTP_EXIT_SERVER_ENDED, LAYER_CTRL },
	[CAUSE_CALL_REFUSED] = { "call-refused", PPTP_EXIT_CALL_REFUSED, LAYER_CALL },
	[CAUSE_CALL_NO_REPLY] = { "call-no-reply", PPTP_EXIT_CALL_REFUSED, LAYER_CALL },
	[CAUSE_CALL_DISCONNECTED] = { "call-disconnected", PPTP_EXIT_SERVER_ENDED, LAYER_CALL },
	[CAUSE_TOO_MANY_CALLS] = { "too-many-calls", PPTP_EXIT_FAILURE, LAYER_CALL },
	[CAUSE_PPPD] = { "pppd", PPTP_EXIT_PPPD, LAYER_PPP },
	[CAUSE_PATH_MTU] = { "path-mtu", PPTP_EXIT_PATH_MTU, LAYER_MTU },
	[CAUSE_PPPD_ENDED] = { "pppd-ended", PPTP_EXIT_OK, LAYER_PPP },
	[CAUSE_NO_PPPD] = { "no-pppd", PPTP_EXIT_NO_PPPD, LAYER_HOST },
	[CAUSE_NO_KERNEL_PPP] = { "no-kernel-ppp", PPTP_EXIT_NO_KERNEL_PPP, LAYER_HOST },
	[CAUSE_NO_MPPE] = { "no-mppe", PPTP_EXIT_NO_MPPE, LAYER_HOST },
	[CAUSE_GRE_BLOCKED] = { "gre-blocked", PPTP_EXIT_GRE_BLOCKED, LAYER_GRE },
	[CAUSE_INTERRUPTED] = { "interrupted", PPTP_EXIT_FAILURE, LAYER_HOST },
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

void pptp_reason_encode(const struct pptp_reason *r, uint8_t *out)
{
	out[0] = r->cause;
	out[1] = r->ctrl_was_up ? 1 : 0;
	out[2] = r->result;
	out[3] = r->error;
	put32(out + 4, (uint32_t)r->err);
}

int pptp_reason_decode(const uint8_t *in, size_t len, struct pptp_reason *r)
{
	if (len != PPTP_REASON_WIRE_LEN || in[0] >= CAUSE_MAX_ || in[1] > 1)
		return -EPROTO;
	*r = (struct pptp_reason){ .cause = in[0], .ctrl_was_up = in[1], .result = in[2],
				   .error = in[3], .err = (int32_t)get32(in + 4) };
	return 0;
}

bool pptp_reason_deeper(const struct pptp_reason *kept, const struct pptp_reason *r)
{
	if (r->cause >= CAUSE_MAX_)
		return false;
	return kept->cause == CAUSE_NONE || kept->cause >= CAUSE_MAX_ ||
	       causes[r->cause].layer > causes[kept->cause].layer;
}

bool pptp_reason_try_next(const struct pptp_reason *r)
{
	int e = pptp_exit_for_reason(r);
	return e == PPTP_EXIT_CONNECT || e == PPTP_EXIT_CTRL_REFUSED;
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

/* What pppd's end says on its own: a normal or requested end, or a failure. */
static struct pptp_reason pppd_verdict(const struct tunnel_end *e)
{
	int st = e->pppd_wait_status;
	bool fine;

	if (WIFEXITED(st)) {
		int code = WEXITSTATUS(st);
		fine = code == PPPD_STATUS_OK || code == PPPD_STATUS_USER_REQUEST;
	} else {
		fine = e->pppd_asked_to_stop;
	}
	return (struct pptp_reason){ .cause = fine ? CAUSE_PPPD_ENDED : CAUSE_PPPD };
}

struct pptp_reason tunnel_end_verdict(const struct tunnel_end *e)
{
	if (!e->pppd_ended)
		return e->have_reason ? e->reason : (struct pptp_reason){ .cause = CAUSE_NONE };
	if (e->pppd_first || !e->have_reason)
		return pppd_verdict(e);
	/* pppd failing on its own (authentication, negotiation) is why a
	 * server hangs up, not the other way round; a hangup or a dead peer
	 * after the server ended the call is only the consequence. */
	if (pptp_exit_for_reason(&e->reason) == PPTP_EXIT_SERVER_ENDED &&
	    WIFEXITED(e->pppd_wait_status)) {
		int code = WEXITSTATUS(e->pppd_wait_status);
		if (code != PPPD_STATUS_OK && code != PPPD_STATUS_USER_REQUEST &&
		    code != PPPD_STATUS_NO_ECHO && code != PPPD_STATUS_HANGUP)
			return (struct pptp_reason){ .cause = CAUSE_PPPD };
	}
	return e->reason;
}

int pptp_exit_status(const struct tunnel_end *e)
{
	struct pptp_reason v = tunnel_end_verdict(e);
	return pptp_exit_for_reason(&v);
}
