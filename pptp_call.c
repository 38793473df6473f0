/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pptp_call.c - the calls on a PPTP control connection (RFC 2637): placing
 * one (Outgoing-Call-Request/Reply), clearing it (Call-Clear-Request,
 * Call-Disconnect-Notify), the call IDs, and refusing incoming calls.
 * Part of the pure control engine: see pptp_ctrl.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pptp_ctrl.h"
#include "pptp_ctrl_int.h"
#include "pptp_quirks.h"

static bool call_has_events(const struct pptp_conn *c, int call)
{
	for (unsigned i = 0; i < c->ev_count; i++)
		if (c->ev[(c->ev_head + i) % PPTP_EVENTS_MAX].call == call)
			return true;
	return false;
}

static bool call_valid(const struct pptp_conn *c, int call)
{
	return call >= 0 && call < PPTP_MAX_CALLS && c->calls[call].state != PPTP_CALL_FREE;
}

static const char *call_state_name(enum pptp_call_state s)
{
	switch (s) {
	case PPTP_CALL_FREE: return "FREE";
	case PPTP_CALL_PENDING: return "PENDING";
	case PPTP_CALL_WAIT_OCRP: return "WAIT_OCRP";
	case PPTP_CALL_ESTABLISHED: return "ESTABLISHED";
	case PPTP_CALL_WAIT_CDN: return "WAIT_CDN";
	}
	return "?";
}

void call_end(struct pptp_conn *c, int idx, enum pptp_call_down reason, uint8_t result,
		     uint8_t error, uint16_t cause, const char *fmt, ...)
{
	struct pptp_call *call = &c->calls[idx];
	struct pptp_event ev = ctrl_ev_make(PPTP_EV_CALL_DOWN, reason, idx);
	va_list ap;

	ev.call_id = call->call_id;
	ev.peer_call_id = call->peer_call_id;
	ev.result = result;
	ev.error = error;
	ev.cause = cause;
	va_start(ap, fmt);
	vsnprintf(ev.text, sizeof ev.text, fmt, ap);
	va_end(ap);
	conn_log(c, reason == PPTP_CALL_CLEARED ? L_NOTICE : L_WARNING, "call ID %u: %s",
		 call->call_id, ev.text);
	if (call->state == PPTP_CALL_ESTABLISHED || call->state == PPTP_CALL_WAIT_CDN) {
		c->gone_peer[c->gone_next] = 0x10000u | call->peer_call_id;
		c->gone_next = (c->gone_next + 1) % PPTP_GONE_MAX;
	}
	memset(call, 0, sizeof *call);
	ctrl_ev_push(c, &ev);
}

/* The call's state changes before the send, so an overflow while sending
 * ends it with the connection. */
bool call_send_OCRQ(struct pptp_conn *c, int idx, uint64_t now)
{
	struct pptp_call *call = &c->calls[idx];
	struct pptp_msg m = ctrl_msg_make(PPTP_OCRQ);
	struct pptp_ocrq *r = &m.u.ocrq;

	r->call_id = call->call_id;
	r->serial = call->serial;
	r->min_bps = 300;
	r->max_bps = 100000000;
	r->bearer = PPTP_BEARER_ANY;
	r->framing = call->params.framing ? call->params.framing : PPTP_FRAME_ASYNC;
	r->window = call->params.window;
	r->delay = call->params.delay;
	str_copy(r->phone, call->params.phone, sizeof r->phone);
	r->phone_len = (uint16_t)strlen(r->phone);
	if (c->cfg.quirk && c->cfg.quirk->ocrq)
		c->cfg.quirk->ocrq(r);
	call->state = PPTP_CALL_WAIT_OCRP;
	call->deadline_us = ctrl_after_ms(now, c->cfg.ocrp_timeout_ms);
	conn_log(c, L_INFO, "calling: call ID %u, serial %u, phone \"%s\"", r->call_id, r->serial,
		 r->phone);
	return ctrl_send_msg(c, &m);
}

/* Room an OCRQ leaves unused: the replies the server's requests need
 * (Echo-Reply, StopCCRP, CCR) still fit however many calls wait. */
#define OCRQ_RESERVE 1024

static bool ocrq_fits(const struct pptp_conn *c)
{
	return c->out_len + pptp_msg_len(PPTP_OCRQ) + OCRQ_RESERVE <= sizeof c->out;
}

/* The waiting call placed first (serials count up, wrapping). */
static int oldest_pending(const struct pptp_conn *c)
{
	int best = -1;

	for (int i = 0; i < PPTP_MAX_CALLS; i++)
		if (c->calls[i].state == PPTP_CALL_PENDING &&
		    (best < 0 || (int16_t)(c->calls[i].serial - c->calls[best].serial) < 0))
			best = i;
	return best;
}

bool calls_can_send_pending(const struct pptp_conn *c)
{
	return c->state == PPTP_CONN_ESTABLISHED && ocrq_fits(c) && oldest_pending(c) >= 0;
}

/* However many calls are asked for at once (64 OCRQs are 10 KiB, more
 * than the output buffer), none ends the connection by overflowing it. */
void calls_send_pending(struct pptp_conn *c, uint64_t now)
{
	int i;

	while (c->state == PPTP_CONN_ESTABLISHED && ocrq_fits(c) && (i = oldest_pending(c)) >= 0)
		if (!call_send_OCRQ(c, i, now))
			return;
	/* Those left wait for room as long as they would for the reply. */
	for (i = 0; i < PPTP_MAX_CALLS && c->state == PPTP_CONN_ESTABLISHED; i++)
		if (c->calls[i].state == PPTP_CALL_PENDING && !c->calls[i].deadline_us)
			c->calls[i].deadline_us = ctrl_after_ms(now, c->cfg.ocrp_timeout_ms);
}

static bool send_CCR(struct pptp_conn *c, uint16_t call_id)
{
	struct pptp_msg m = ctrl_msg_make(PPTP_CCR);
	m.u.ccr.call_id = call_id;
	return ctrl_send_msg(c, &m);
}

static bool send_SLI(struct pptp_conn *c, uint16_t peer_call_id, uint32_t send_accm,
		     uint32_t recv_accm)
{
	struct pptp_msg m = ctrl_msg_make(PPTP_SLI);
	m.u.sli.peer_call_id = peer_call_id;
	m.u.sli.send_accm = send_accm;
	m.u.sli.recv_accm = recv_accm;
	return ctrl_send_msg(c, &m);
}

/* Clear one call: CCR, then wait for the server's CDN.  A call whose OCRP
 * never came ends at once: its CDN would carry a call ID we never learnt. */
void call_clear(struct pptp_conn *c, int idx, uint64_t now)
{
	struct pptp_call *call = &c->calls[idx];

	switch (call->state) {
	case PPTP_CALL_PENDING:
		call_end(c, idx, PPTP_CALL_CLEARED, 0, 0, 0, "call cleared before it was placed");
		break;
	case PPTP_CALL_WAIT_OCRP:
		if (send_CCR(c, call->call_id))
			call_end(c, idx, PPTP_CALL_CLEARED, 0, 0, 0,
				 "call cleared before the server answered it");
		break;
	case PPTP_CALL_ESTABLISHED:
		call->state = PPTP_CALL_WAIT_CDN;
		call->deadline_us = ctrl_after_ms(now, PPTP_CDN_TIMEOUT_MS);
		send_CCR(c, call->call_id);
		break;
	case PPTP_CALL_WAIT_CDN:
	case PPTP_CALL_FREE:
		break;
	}
}

static int find_call_by_id(const struct pptp_conn *c, uint16_t call_id)
{
	for (int i = 0; i < PPTP_MAX_CALLS; i++)
		if (c->calls[i].state != PPTP_CALL_FREE && c->calls[i].call_id == call_id)
			return i;
	return -1;
}

/* Only calls past their OCRP know the server's call ID. */
static bool peer_known(const struct pptp_call *call)
{
	return call->state == PPTP_CALL_ESTABLISHED || call->state == PPTP_CALL_WAIT_CDN;
}

static bool peer_gone(const struct pptp_conn *c, uint16_t peer_call_id)
{
	for (int i = 0; i < PPTP_GONE_MAX; i++)
		if (c->gone_peer[i] == (0x10000u | peer_call_id))
			return true;
	return false;
}

static int find_call_by_peer(const struct pptp_conn *c, uint16_t peer_call_id)
{
	for (int i = 0; i < PPTP_MAX_CALLS; i++)
		if (peer_known(&c->calls[i]) && c->calls[i].peer_call_id == peer_call_id)
			return i;
	return -1;
}

void recv_OCRP(struct pptp_conn *c, const struct pptp_msg *m, uint64_t now)
{
	const struct pptp_ocrp *r = &m->u.ocrp;
	int idx = find_call_by_id(c, r->peer_call_id);
	char why[120];

	(void)now;
	if (idx < 0) {
		conn_log(c, L_WARNING, "Outgoing-Call-Reply (OCRP) for call ID %u, which is not ours; "
			 "ignored", r->peer_call_id);
		return;
	}
	struct pptp_call *call = &c->calls[idx];
	if (call->state != PPTP_CALL_WAIT_OCRP) {
		conn_log(c, L_WARNING, "Outgoing-Call-Reply (OCRP) for call ID %u in call state %s; "
			 "ignored", call->call_id, call_state_name(call->state));
		return;
	}
	if (r->result != PPTP_OCRP_CONNECTED) {
		ctrl_describe_result(why, sizeof why, pptp_ocrp_result_str(r->result), r->result,
				r->result == PPTP_OCRP_GENERAL, r->error);
		if (r->cause)
			call_end(c, idx, PPTP_CALL_REFUSED, r->result, r->error, r->cause,
				 "server refused the call: %s, cause code %u", why, r->cause);
		else
			call_end(c, idx, PPTP_CALL_REFUSED, r->result, r->error, r->cause,
				 "server refused the call: %s", why);
		return;
	}
	call->state = PPTP_CALL_ESTABLISHED;
	call->peer_call_id = r->call_id;
	call->deadline_us = 0;

	struct pptp_event ev = ctrl_ev_make(PPTP_EV_CALL_UP, 0, idx);
	ev.call_id = call->call_id;
	ev.peer_call_id = r->call_id;
	ev.peer_window = r->window;
	ev.peer_delay = r->delay;
	ev.result = r->result;
	snprintf(ev.text, sizeof ev.text,
		 "call established: our call ID %u, server's call ID %u, window %u",
		 call->call_id, r->call_id, r->window);
	conn_log(c, L_NOTICE, "%s", ev.text);
	conn_log(c, L_DEBUG, "call ID %u: connect speed %u, processing delay %u, channel %u",
		 call->call_id, r->speed, r->delay, r->channel);
	ctrl_ev_push(c, &ev);

	struct pptp_sli sli;
	memset(&sli, 0, sizeof sli);
	if (c->cfg.quirk && c->cfg.quirk->call_up_sli && c->cfg.quirk->call_up_sli(&sli))
		send_SLI(c, call->peer_call_id, sli.send_accm, sli.recv_accm);
}

void recv_ICRQ(struct pptp_conn *c, const struct pptp_msg *m, uint64_t now)
{
	const struct pptp_icrq *r = &m->u.icrq;
	struct pptp_msg rp = ctrl_msg_make(PPTP_ICRP);
	char dialing[PPTP_STR_LEN + 1];

	(void)now;
	str_printable(dialing, sizeof dialing, r->dialing, PPTP_STR_LEN);
	conn_log(c, L_NOTICE, "refusing an incoming call from the server (its call ID %u, "
		 "dialing number \"%s\"): this client takes no incoming calls", r->call_id, dialing);
	rp.u.icrp.call_id = 0;
	rp.u.icrp.peer_call_id = r->call_id;
	rp.u.icrp.result = PPTP_ICRP_NOT_ACCEPTED;
	ctrl_send_msg(c, &rp);
}

void recv_ICCN(struct pptp_conn *c, const struct pptp_msg *m, uint64_t now)
{
	(void)now;
	conn_log(c, L_WARNING, "Incoming-Call-Connected (ICCN) for call ID %u, but we accept no "
		 "incoming calls; ignored", m->u.iccn.peer_call_id);
}

void recv_CDN(struct pptp_conn *c, const struct pptp_msg *m, uint64_t now)
{
	const struct pptp_cdn *r = &m->u.cdn;
	char why[120], stats[sizeof r->stats];

	(void)now;
	/* RFC 2637 puts the PAC's own call ID here; some servers put ours. */
	int idx = find_call_by_peer(c, r->call_id);
	if (idx < 0 && peer_gone(c, r->call_id)) {
		/* Late, for a call given up without it: that number may be our
		 * ID of another call, which the fallback below would end. */
		conn_log(c, L_INFO, "Call-Disconnect-Notify (CDN) for call ID %u, which was already "
			 "cleared; ignored", r->call_id);
		return;
	}
	if (idx < 0) {
		int ours = find_call_by_id(c, r->call_id);
		if (ours >= 0 && peer_known(&c->calls[ours])) {
			conn_log(c, L_DEBUG, "Call-Disconnect-Notify carries our call ID %u, not the "
				 "server's; accepted", r->call_id);
			idx = ours;
		}
	}
	if (idx < 0) {
		conn_log(c, L_WARNING, "Call-Disconnect-Notify (CDN) for unknown call ID %u; ignored",
			 r->call_id);
		return;
	}
	str_printable(stats, sizeof stats, r->stats, sizeof r->stats - 1);
	if (stats[0])
		conn_log(c, L_INFO, "call ID %u: call statistics from the server: %s",
			 c->calls[idx].call_id, stats);
	ctrl_describe_result(why, sizeof why, pptp_cdn_result_str(r->result), r->result,
			r->result == PPTP_CDN_GENERAL, r->error);
	if (c->calls[idx].state == PPTP_CALL_WAIT_CDN)
		call_end(c, idx, PPTP_CALL_CLEARED, r->result, r->error, r->cause,
			 "call cleared (server: %s)", why);
	else if (r->cause)
		call_end(c, idx, PPTP_CALL_DISCONNECTED, r->result, r->error, r->cause,
			 "server disconnected the call: %s, cause code %u", why, r->cause);
	else
		call_end(c, idx, PPTP_CALL_DISCONNECTED, r->result, r->error, r->cause,
			 "server disconnected the call: %s", why);
}

void recv_WEN(struct pptp_conn *c, const struct pptp_msg *m, uint64_t now)
{
	const struct pptp_wen *r = &m->u.wen;

	(void)now;
	conn_log(c, L_WARNING, "WAN error counts from the server for call ID %u: CRC %u, framing %u, "
		 "hardware overruns %u, buffer overruns %u, time-outs %u, alignment %u",
		 r->peer_call_id, r->crc, r->framing, r->hw_overrun, r->buf_overrun, r->timeout,
		 r->alignment);
}

void recv_SLI(struct pptp_conn *c, const struct pptp_msg *m, uint64_t now)
{
	const struct pptp_sli *r = &m->u.sli;

	(void)now;
	conn_log(c, L_DEBUG, "Set-Link-Info from the server for call ID %u: send ACCM 0x%08x, "
		 "receive ACCM 0x%08x", r->peer_call_id, r->send_accm, r->recv_accm);
}

/* Next free call ID counting up: never 0, never one in use. */
static uint16_t call_id_alloc(struct pptp_conn *c)
{
	for (;;) {
		uint16_t id = c->next_call_id++;
		if (c->next_call_id == 0)
			c->next_call_id = 1;
		/* At most PPTP_MAX_CALLS IDs are in use, so this ends. */
		if (id != 0 && find_call_by_id(c, id) < 0)
			return id;
	}
}

int pptp_conn_call_open(struct pptp_conn *c, const struct pptp_call_params *p, uint64_t now_us)
{
	int idx = -1;

	if (!p)
		return -EINVAL;
	if (c->state != PPTP_CONN_WAIT_SCCRP && c->state != PPTP_CONN_ESTABLISHED)
		return -ENOTCONN;
	if (c->stop_requested)
		return -ENOTCONN;
	/* A slot whose CALL_DOWN is still queued stays taken, so a handle in an
	 * event never names a newer call (and the event queue cannot fill). */
	for (int i = 0; i < PPTP_MAX_CALLS && idx < 0; i++)
		if (c->calls[i].state == PPTP_CALL_FREE && !call_has_events(c, i))
			idx = i;
	if (idx < 0)
		return -ENOSPC;
	if (p->call_id && find_call_by_id(c, p->call_id) >= 0)
		return -EADDRINUSE;
	struct pptp_call *call = &c->calls[idx];
	memset(call, 0, sizeof *call);
	call->params = *p;
	call->params.phone[PPTP_STR_LEN] = '\0';
	call->call_id = p->call_id ? p->call_id : call_id_alloc(c);
	call->serial = c->next_serial++;
	call->state = PPTP_CALL_PENDING;
	if (c->state != PPTP_CONN_ESTABLISHED) {
		conn_log(c, L_DEBUG, "call ID %u waits for the control connection", call->call_id);
		return idx;
	}
	calls_send_pending(c, now_us);
	if (call->state == PPTP_CALL_PENDING)
		conn_log(c, L_DEBUG, "call ID %u waits for room in the output buffer", call->call_id);
	return idx;
}

void pptp_conn_call_close(struct pptp_conn *c, int call, uint64_t now_us)
{
	if (c->state == PPTP_CONN_CLOSED || !call_valid(c, call))
		return;
	call_clear(c, call, now_us);
	ctrl_clearing_progress(c, now_us);
}

int pptp_conn_call_set_link_info(struct pptp_conn *c, int call, uint32_t send_accm,
				 uint32_t recv_accm)
{
	if (call < 0 || call >= PPTP_MAX_CALLS)
		return -EINVAL;
	if (c->state == PPTP_CONN_CLOSED || c->calls[call].state != PPTP_CALL_ESTABLISHED)
		return -ENOTCONN;
	return send_SLI(c, c->calls[call].peer_call_id, send_accm, recv_accm) ? 0 : -ENOBUFS;
}

int pptp_conn_active_calls(const struct pptp_conn *c)
{
	int n = 0;
	for (int i = 0; i < PPTP_MAX_CALLS; i++)
		if (c->calls[i].state != PPTP_CALL_FREE)
			n++;
	return n;
}

const struct pptp_call *pptp_conn_call(const struct pptp_conn *c, int call)
{
	return call_valid(c, call) ? &c->calls[call] : NULL;
}

/* The calls' own timers: an Outgoing-Call-Reply or a
 * Call-Disconnect-Notify that did not come in time, or an OCRQ that never
 * found room in the output buffer. */
void calls_tick(struct pptp_conn *c, uint64_t now_us)
{
	char secs[24];

	for (int i = 0; i < PPTP_MAX_CALLS && c->state != PPTP_CONN_CLOSED; i++) {
		struct pptp_call *call = &c->calls[i];
		if (call->state == PPTP_CALL_FREE || !call->deadline_us || now_us < call->deadline_us)
			continue;
		if (call->state == PPTP_CALL_WAIT_OCRP) {
			/* Tell the server too, in case the reply is merely late. */
			ctrl_secs_str(secs, sizeof secs, c->cfg.ocrp_timeout_ms);
			if (send_CCR(c, call->call_id))
				call_end(c, i, PPTP_CALL_NO_REPLY, 0, 0, 0,
					 "no Outgoing-Call-Reply from the server within %s", secs);
		} else if (call->state == PPTP_CALL_PENDING) {
			/* Still no room for its OCRQ: the server reads nothing. */
			ctrl_secs_str(secs, sizeof secs, c->cfg.ocrp_timeout_ms);
			call_end(c, i, PPTP_CALL_NO_REPLY, 0, 0, 0,
				 "the call's request could not be sent within %s: the server is "
				 "not reading the control connection", secs);
		} else if (call->state == PPTP_CALL_WAIT_CDN) {
			ctrl_secs_str(secs, sizeof secs, PPTP_CDN_TIMEOUT_MS);
			call_end(c, i, PPTP_CALL_CLEARED, 0, 0, 0,
				 "call cleared, but the server never confirmed it (no "
				 "Call-Disconnect-Notify within %s)", secs);
		}
	}
}
