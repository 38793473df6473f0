/* pptp_ctrl.c - the PPTP control connection (RFC 2637), client (PNS) side.
 *
 * The engine: framing, the connection and call state machines,
 * keepalive; the messages' wire codec is pptp_wire.c.  Nothing here owns
 * a socket or a clock; see pptp_ctrl.h for the contract. */
#include "pptp_ctrl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <string.h>

#include "pptp_quirks.h"

/* Bytes of a bad message quoted in the log. */
#define LOG_HEX_BYTES 24
#define LOG_HEX_CAP (3 * LOG_HEX_BYTES + 8)

/* ---- what the engine does with each message ---- */

typedef void (*recv_fn)(struct pptp_conn *c, const struct pptp_msg *m, uint64_t now);

static void recv_SCCRQ(struct pptp_conn *c, const struct pptp_msg *m, uint64_t now);
static void recv_SCCRP(struct pptp_conn *c, const struct pptp_msg *m, uint64_t now);
static void recv_StopCCRQ(struct pptp_conn *c, const struct pptp_msg *m, uint64_t now);
static void recv_StopCCRP(struct pptp_conn *c, const struct pptp_msg *m, uint64_t now);
static void recv_EchoRQ(struct pptp_conn *c, const struct pptp_msg *m, uint64_t now);
static void recv_EchoRP(struct pptp_conn *c, const struct pptp_msg *m, uint64_t now);
static void recv_OCRP(struct pptp_conn *c, const struct pptp_msg *m, uint64_t now);
static void recv_ICRQ(struct pptp_conn *c, const struct pptp_msg *m, uint64_t now);
static void recv_ICCN(struct pptp_conn *c, const struct pptp_msg *m, uint64_t now);
static void recv_CDN(struct pptp_conn *c, const struct pptp_msg *m, uint64_t now);
static void recv_WEN(struct pptp_conn *c, const struct pptp_msg *m, uint64_t now);
static void recv_SLI(struct pptp_conn *c, const struct pptp_msg *m, uint64_t now);

#define IN_STATE(s) (1u << (s))
#define ST_OPEN (IN_STATE(PPTP_CONN_WAIT_SCCRP) | IN_STATE(PPTP_CONN_ESTABLISHED) | \
		 IN_STATE(PPTP_CONN_CLEARING) | IN_STATE(PPTP_CONN_WAIT_STOPCCRP))
#define ST_UP (IN_STATE(PPTP_CONN_ESTABLISHED) | IN_STATE(PPTP_CONN_CLEARING))

/* Where each message may arrive from a server and what handles it; its
 * name and length are the codec's (pptp_wire.c). */
static const struct msg_rx {
	unsigned states;	/* IN_STATE() bits where it may arrive from the server */
	recv_fn recv;		/* NULL: only a PNS sends it, a server never should */
} rx_table[PPTP_MSG_TYPE_MAX + 1] = {
	[PPTP_SCCRQ] = { ST_OPEN, recv_SCCRQ },
	[PPTP_SCCRP] = { IN_STATE(PPTP_CONN_WAIT_SCCRP), recv_SCCRP },
	[PPTP_STOPCCRQ] = { ST_OPEN, recv_StopCCRQ },
	[PPTP_STOPCCRP] = { IN_STATE(PPTP_CONN_WAIT_STOPCCRP), recv_StopCCRP },
	[PPTP_ECHORQ] = { ST_OPEN, recv_EchoRQ },
	[PPTP_ECHORP] = { ST_OPEN, recv_EchoRP },
	[PPTP_OCRQ] = { 0, NULL },
	[PPTP_OCRP] = { ST_UP, recv_OCRP },
	[PPTP_ICRQ] = { ST_UP, recv_ICRQ },
	[PPTP_ICRP] = { 0, NULL },
	[PPTP_ICCN] = { ST_UP, recv_ICCN },
	[PPTP_CCR] = { 0, NULL },
	[PPTP_CDN] = { ST_UP, recv_CDN },
	[PPTP_WEN] = { ST_UP, recv_WEN },
	[PPTP_SLI] = { ST_UP, recv_SLI },
};

/* ---- codes in words ---- */

/* "busy", or "general error (bad call ID)" when the result is the
 * message's general-error code; the number when the words are unknown. */
static void describe_result(char *dst, size_t cap, const char *words, unsigned result,
			    bool general, unsigned error)
{
	int n;

	if (strcmp(words, PPTP_WORD_UNKNOWN) == 0)
		n = snprintf(dst, cap, "unknown result code %u", result);
	else
		n = snprintf(dst, cap, "%s", words);
	if (!general || n < 0 || (size_t)n >= cap)
		return;
	const char *ew = pptp_general_error_str(error);
	if (strcmp(ew, PPTP_WORD_UNKNOWN) == 0)
		snprintf(dst + n, cap - (size_t)n, " (unknown error code %u)", error);
	else
		snprintf(dst + n, cap - (size_t)n, " (%s)", ew);
}

/* ---- engine helpers ---- */

#define conn_log(c, level, ...) log_fn_printf((c)->cfg.log, (c)->cfg.log_ctx, level, __VA_ARGS__)

static void hex_quote(char *dst, const uint8_t *p, size_t n)
{
	hex_str(dst, LOG_HEX_CAP, p, n, LOG_HEX_BYTES);
}

/* A deadline ms from now; saturating, and never 0, which means "none". */
static uint64_t after_ms(uint64_t now, uint32_t ms)
{
	uint64_t d = (uint64_t)ms * 1000u;
	uint64_t t = now > UINT64_MAX - d ? UINT64_MAX : now + d;
	return t ? t : 1;
}

/* "60 s", "2.5 s" or "0.25 s", for the log. */
static void secs_str(char *dst, size_t cap, uint32_t ms)
{
	unsigned frac = ms % 1000u, digits = 3;

	if (!frac) {
		snprintf(dst, cap, "%u s", ms / 1000u);
		return;
	}
	while (frac % 10u == 0) {
		frac /= 10u;
		digits--;
	}
	snprintf(dst, cap, "%u.%0*u s", ms / 1000u, (int)digits, frac);
}

static bool call_has_events(const struct pptp_conn *c, int call)
{
	for (unsigned i = 0; i < c->ev_count; i++)
		if (c->ev[(c->ev_head + i) % PPTP_EVENTS_MAX].call == call)
			return true;
	return false;
}

/* The queue cannot fill: one CONN_UP and one CONN_DOWN per connection,
 * and at most CALL_UP + CALL_DOWN per call slot, because a slot is only
 * reused once none of its events is still queued (pptp_conn_call_open).
 * 2 + 2 * PPTP_MAX_CALLS <= PPTP_EVENTS_MAX. */
static void ev_push(struct pptp_conn *c, const struct pptp_event *ev)
{
	if (c->ev_count >= PPTP_EVENTS_MAX) {
		conn_log(c, L_ERR, "internal error: event queue full, dropping: %s", ev->text);
		return;
	}
	c->ev[(c->ev_head + c->ev_count) % PPTP_EVENTS_MAX] = *ev;
	c->ev_count++;
}

static struct pptp_event ev_make(enum pptp_event_type type, int reason, int call)
{
	struct pptp_event ev;
	memset(&ev, 0, sizeof ev);
	ev.type = type;
	ev.reason = reason;
	ev.call = call;
	return ev;
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

/* End a call: CALL_DOWN with the words, and the slot is free again. */
static void call_end(struct pptp_conn *c, int idx, enum pptp_call_down reason, uint8_t result,
		     uint8_t error, uint16_t cause, const char *fmt, ...) PPTP_PRINTF(7, 8);
static void call_end(struct pptp_conn *c, int idx, enum pptp_call_down reason, uint8_t result,
		     uint8_t error, uint16_t cause, const char *fmt, ...)
{
	struct pptp_call *call = &c->calls[idx];
	struct pptp_event ev = ev_make(PPTP_EV_CALL_DOWN, reason, idx);
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
	memset(call, 0, sizeof *call);
	ev_push(c, &ev);
}

/* The connection is over: every call first, then CONN_DOWN.  Pending
 * output stays so the caller can still flush a last reply. */
static void conn_down(struct pptp_conn *c, enum pptp_conn_down reason, uint8_t result,
		      uint8_t error, const char *fmt, ...) PPTP_PRINTF(5, 6);
static void conn_down(struct pptp_conn *c, enum pptp_conn_down reason, uint8_t result,
		      uint8_t error, const char *fmt, ...)
{
	struct pptp_event ev = ev_make(PPTP_EV_CONN_DOWN, reason, -1);
	va_list ap;

	if (c->state == PPTP_CONN_CLOSED)
		return;
	ev.result = result;
	ev.error = error;
	va_start(ap, fmt);
	vsnprintf(ev.text, sizeof ev.text, fmt, ap);
	va_end(ap);
	c->state = PPTP_CONN_CLOSED;
	c->state_deadline_us = 0;
	c->echo_deadline_us = 0;
	c->in_len = 0;
	for (int i = 0; i < PPTP_MAX_CALLS; i++) {
		if (c->calls[i].state == PPTP_CALL_FREE)
			continue;
		/* A call we were clearing, on a connection we were stopping, is
		 * simply cleared. */
		if (reason == PPTP_DOWN_STOPPED && c->calls[i].state == PPTP_CALL_WAIT_CDN)
			call_end(c, i, PPTP_CALL_CLEARED, 0, 0, 0, "call cleared");
		else
			call_end(c, i, PPTP_CALL_CONN_LOST, 0, 0, 0,
				 "control connection ended: %s", ev.text);
	}
	conn_log(c, reason == PPTP_DOWN_STOPPED ? L_NOTICE : L_ERR, "%s", ev.text);
	ev_push(c, &ev);
}

/* Queue one message; false when it could not be (closed, or the output
 * buffer overflowed, which ends the connection). */
static bool send_msg(struct pptp_conn *c, const struct pptp_msg *m)
{
	if (c->state == PPTP_CONN_CLOSED)
		return false;
	int n = pptp_msg_encode(m, c->out + c->out_len, sizeof c->out - c->out_len);
	if (n == -ENOSPC) {
		conn_down(c, PPTP_DOWN_OVERFLOW, 0, 0,
			  "output buffer full (%zu bytes unsent): the server is not reading the "
			  "control connection", c->out_len);
		return false;
	}
	if (n < 0)
		return false;
	c->out_len += (size_t)n;
	conn_log(c, L_DEBUG, "sent %s", pptp_msg_abbrev(m->type));
	return true;
}

static struct pptp_msg msg_make(enum pptp_msg_type type)
{
	struct pptp_msg m;
	memset(&m, 0, sizeof m);
	m.type = (uint16_t)type;
	return m;
}

static bool send_SCCRQ(struct pptp_conn *c)
{
	struct pptp_msg m = msg_make(PPTP_SCCRQ);
	struct pptp_sccrq *r = &m.u.sccrq;

	r->version = PPTP_PROTO_VERSION;
	r->framing = PPTP_FRAME_ASYNC | PPTP_FRAME_SYNC;
	r->bearer = PPTP_BEARER_ANALOG | PPTP_BEARER_DIGITAL;
	r->max_channels = 0;
	r->firmware = c->cfg.firmware;
	str_copy(r->hostname, c->cfg.hostname ? c->cfg.hostname : "", sizeof r->hostname);
	str_copy(r->vendor, c->cfg.vendor ? c->cfg.vendor : "", sizeof r->vendor);
	if (c->cfg.quirk && c->cfg.quirk->sccrq)
		c->cfg.quirk->sccrq(r);
	return send_msg(c, &m);
}

/* The call's state changes before the send, so an overflow while sending
 * ends it with the connection. */
static bool send_OCRQ(struct pptp_conn *c, int idx, uint64_t now)
{
	struct pptp_call *call = &c->calls[idx];
	struct pptp_msg m = msg_make(PPTP_OCRQ);
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
	call->deadline_us = after_ms(now, c->cfg.ocrp_timeout_ms);
	conn_log(c, L_INFO, "calling: call ID %u, serial %u, phone \"%s\"", r->call_id, r->serial,
		 r->phone);
	return send_msg(c, &m);
}

static bool send_CCR(struct pptp_conn *c, uint16_t call_id)
{
	struct pptp_msg m = msg_make(PPTP_CCR);
	m.u.ccr.call_id = call_id;
	return send_msg(c, &m);
}

static void send_StopCCRQ(struct pptp_conn *c, uint64_t now)
{
	struct pptp_msg m = msg_make(PPTP_STOPCCRQ);
	m.u.stopccrq.reason = PPTP_STOP_NONE;
	c->state = PPTP_CONN_WAIT_STOPCCRP;
	c->state_deadline_us = after_ms(now, PPTP_STOPCCRP_TIMEOUT_MS);
	send_msg(c, &m);
}

static bool send_SLI(struct pptp_conn *c, uint16_t peer_call_id, uint32_t send_accm,
		     uint32_t recv_accm)
{
	struct pptp_msg m = msg_make(PPTP_SLI);
	m.u.sli.peer_call_id = peer_call_id;
	m.u.sli.send_accm = send_accm;
	m.u.sli.recv_accm = recv_accm;
	return send_msg(c, &m);
}

/* Clear one call: CCR, then wait for the server's CDN.  A call whose OCRP
 * never came ends at once: its CDN would carry a call ID we never learnt. */
static void call_clear(struct pptp_conn *c, int idx, uint64_t now)
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
		call->deadline_us = after_ms(now, PPTP_CDN_TIMEOUT_MS);
		send_CCR(c, call->call_id);
		break;
	case PPTP_CALL_WAIT_CDN:
	case PPTP_CALL_FREE:
		break;
	}
}

/* While stopping: once the last call is down, stop the connection. */
static void clearing_progress(struct pptp_conn *c, uint64_t now)
{
	if (c->state != PPTP_CONN_CLEARING || pptp_conn_active_calls(c) > 0)
		return;
	send_StopCCRQ(c, now);
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

static int find_call_by_peer(const struct pptp_conn *c, uint16_t peer_call_id)
{
	for (int i = 0; i < PPTP_MAX_CALLS; i++)
		if (peer_known(&c->calls[i]) && c->calls[i].peer_call_id == peer_call_id)
			return i;
	return -1;
}

/* ---- handlers, one per message a server may send ---- */

static void recv_SCCRQ(struct pptp_conn *c, const struct pptp_msg *m, uint64_t now)
{
	(void)m;
	(void)now;
	/* A server opening its own control connection towards us (or an
	 * RFC collision): we never accept one, and our SCCRQ stands. */
	conn_log(c, L_WARNING, "server sent a Start-Control-Connection-Request (SCCRQ) in state %s; "
		 "a PNS client does not accept control connections, ignored",
		 pptp_conn_state_name(c->state));
}

static void recv_SCCRP(struct pptp_conn *c, const struct pptp_msg *m, uint64_t now)
{
	const struct pptp_sccrp *r = &m->u.sccrp;
	char host[PPTP_STR_LEN + 1], vendor[PPTP_STR_LEN + 1], why[120];

	c->server = *r;
	str_printable(host, sizeof host, r->hostname, PPTP_STR_LEN);
	str_printable(vendor, sizeof vendor, r->vendor, PPTP_STR_LEN);
	if (r->result != PPTP_SCCRP_OK) {
		describe_result(why, sizeof why, pptp_sccrp_result_str(r->result), r->result,
				r->result == PPTP_SCCRP_GENERAL, r->error);
		conn_down(c, PPTP_DOWN_REFUSED, r->result, r->error,
			  "server refused the control connection: %s", why);
		return;
	}
	c->state = PPTP_CONN_ESTABLISHED;
	c->state_deadline_us = 0;
	conn_log(c, L_NOTICE, "control connection established: server \"%s\", vendor \"%s\", "
		 "firmware 0x%04x, protocol version %u.%u", host, vendor, r->firmware,
		 r->version >> 8, r->version & 0xffu);
	if (r->version != PPTP_PROTO_VERSION)
		conn_log(c, L_WARNING, "server speaks PPTP version %u.%u, we speak 1.0; carrying on",
			 r->version >> 8, r->version & 0xffu);
	struct pptp_event ev = ev_make(PPTP_EV_CONN_UP, 0, -1);
	snprintf(ev.text, sizeof ev.text, "control connection established with \"%s\"", host);
	ev_push(c, &ev);
	for (int i = 0; i < PPTP_MAX_CALLS && c->state == PPTP_CONN_ESTABLISHED; i++)
		if (c->calls[i].state == PPTP_CALL_PENDING)
			send_OCRQ(c, i, now);
}

static void recv_StopCCRQ(struct pptp_conn *c, const struct pptp_msg *m, uint64_t now)
{
	struct pptp_msg rp = msg_make(PPTP_STOPCCRP);
	char why[80];
	unsigned reason = m->u.stopccrq.reason;
	const char *w = pptp_stop_reason_str(reason);

	(void)now;
	if (strcmp(w, PPTP_WORD_UNKNOWN) == 0)
		snprintf(why, sizeof why, "unknown reason code %u", reason);
	else
		snprintf(why, sizeof why, "%s", w);
	rp.u.stopccrp.result = PPTP_STOPRP_OK;
	if (!send_msg(c, &rp))
		return;
	if (c->state == PPTP_CONN_WAIT_STOPCCRP) {
		/* Both sides stopping at once: we got what we asked for. */
		conn_down(c, PPTP_DOWN_STOPPED, m->u.stopccrq.reason, 0,
			  "control connection stopped (the server stopped it too: %s)", why);
		return;
	}
	conn_down(c, PPTP_DOWN_PEER_STOP, m->u.stopccrq.reason, 0,
		  "server stopped the control connection: %s", why);
}

static void recv_StopCCRP(struct pptp_conn *c, const struct pptp_msg *m, uint64_t now)
{
	const struct pptp_stopccrp *r = &m->u.stopccrp;
	char why[120];

	(void)now;
	if (r->result != PPTP_STOPRP_OK) {
		describe_result(why, sizeof why, pptp_stopccrp_result_str(r->result), r->result,
				r->result == PPTP_STOPRP_GENERAL, r->error);
		conn_log(c, L_WARNING, "server answered our Stop-Control-Connection-Request with: %s",
			 why);
	}
	conn_down(c, PPTP_DOWN_STOPPED, r->result, r->error, "control connection stopped");
}

static void recv_EchoRQ(struct pptp_conn *c, const struct pptp_msg *m, uint64_t now)
{
	struct pptp_msg rp = msg_make(PPTP_ECHORP);

	(void)now;
	rp.u.echorp.id = m->u.echorq.id;
	rp.u.echorp.result = PPTP_ECHO_OK;
	conn_log(c, L_DEBUG, "answering the server's Echo-Request %u", m->u.echorq.id);
	send_msg(c, &rp);
}

static void recv_EchoRP(struct pptp_conn *c, const struct pptp_msg *m, uint64_t now)
{
	const struct pptp_echorp *r = &m->u.echorp;
	char why[120];

	(void)now;
	if (!c->echo_deadline_us) {
		conn_log(c, L_WARNING, "Echo-Reply %u, but no Echo-Request is outstanding; ignored",
			 r->id);
		return;
	}
	if (r->id != c->echo_id) {
		conn_log(c, L_WARNING, "Echo-Reply %u does not answer our Echo-Request %u; ignored",
			 r->id, c->echo_id);
		return;
	}
	c->echo_deadline_us = 0;
	if (r->result != PPTP_ECHO_OK) {
		/* It answered, so the path works; the result is only worth a note. */
		describe_result(why, sizeof why, pptp_echorp_result_str(r->result), r->result,
				r->result == PPTP_ECHO_GENERAL, r->error);
		conn_log(c, L_WARNING, "server answered our Echo-Request with: %s", why);
	} else {
		conn_log(c, L_DEBUG, "Echo-Reply %u received", r->id);
	}
}

static void recv_OCRP(struct pptp_conn *c, const struct pptp_msg *m, uint64_t now)
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
		describe_result(why, sizeof why, pptp_ocrp_result_str(r->result), r->result,
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

	struct pptp_event ev = ev_make(PPTP_EV_CALL_UP, 0, idx);
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
	ev_push(c, &ev);

	struct pptp_sli sli;
	memset(&sli, 0, sizeof sli);
	if (c->cfg.quirk && c->cfg.quirk->call_up_sli && c->cfg.quirk->call_up_sli(&sli))
		send_SLI(c, call->peer_call_id, sli.send_accm, sli.recv_accm);
}

static void recv_ICRQ(struct pptp_conn *c, const struct pptp_msg *m, uint64_t now)
{
	const struct pptp_icrq *r = &m->u.icrq;
	struct pptp_msg rp = msg_make(PPTP_ICRP);
	char dialing[PPTP_STR_LEN + 1];

	(void)now;
	str_printable(dialing, sizeof dialing, r->dialing, PPTP_STR_LEN);
	conn_log(c, L_NOTICE, "refusing an incoming call from the server (its call ID %u, "
		 "dialing number \"%s\"): this client takes no incoming calls", r->call_id, dialing);
	rp.u.icrp.call_id = 0;
	rp.u.icrp.peer_call_id = r->call_id;
	rp.u.icrp.result = PPTP_ICRP_NOT_ACCEPTED;
	send_msg(c, &rp);
}

static void recv_ICCN(struct pptp_conn *c, const struct pptp_msg *m, uint64_t now)
{
	(void)now;
	conn_log(c, L_WARNING, "Incoming-Call-Connected (ICCN) for call ID %u, but we accept no "
		 "incoming calls; ignored", m->u.iccn.peer_call_id);
}

static void recv_CDN(struct pptp_conn *c, const struct pptp_msg *m, uint64_t now)
{
	const struct pptp_cdn *r = &m->u.cdn;
	char why[120], stats[sizeof r->stats];

	(void)now;
	/* RFC 2637 puts the PAC's own call ID here; some servers put ours. */
	int idx = find_call_by_peer(c, r->call_id);
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
	describe_result(why, sizeof why, pptp_cdn_result_str(r->result), r->result,
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

static void recv_WEN(struct pptp_conn *c, const struct pptp_msg *m, uint64_t now)
{
	const struct pptp_wen *r = &m->u.wen;

	(void)now;
	conn_log(c, L_WARNING, "WAN error counts from the server for call ID %u: CRC %u, framing %u, "
		 "hardware overruns %u, buffer overruns %u, time-outs %u, alignment %u",
		 r->peer_call_id, r->crc, r->framing, r->hw_overrun, r->buf_overrun, r->timeout,
		 r->alignment);
}

static void recv_SLI(struct pptp_conn *c, const struct pptp_msg *m, uint64_t now)
{
	const struct pptp_sli *r = &m->u.sli;

	(void)now;
	conn_log(c, L_DEBUG, "Set-Link-Info from the server for call ID %u: send ACCM 0x%08x, "
		 "receive ACCM 0x%08x", r->peer_call_id, r->send_accm, r->recv_accm);
}

/* One whole framed message of len bytes (len within [12, PPTP_MSG_MAX]). */
static void dispatch(struct pptp_conn *c, const uint8_t *buf, size_t len, uint64_t now)
{
	struct pptp_msg m;
	char hex[LOG_HEX_CAP];
	int err = pptp_msg_decode(buf, len, &m);

	switch (err) {
	case PPTP_DEC_OK:
		break;
	case PPTP_DEC_NOT_CONTROL: {
		unsigned t = get16(buf + 2);
		hex_quote(hex, buf, len);
		conn_log(c, L_WARNING, "ignoring a PPTP %s message (type %u), %zu bytes: %s",
			 t == 2 ? "management" : "unknown", t, len, hex);
		return;
	}
	case PPTP_DEC_BAD_MAGIC:
		hex_quote(hex, buf, len);
		conn_down(c, PPTP_DOWN_PROTOCOL, 0, 0,
			  "bad magic cookie 0x%08x in a control message (%s): this is not a PPTP "
			  "server", get32(buf + 4), hex);
		return;
	case PPTP_DEC_UNKNOWN_TYPE:
		hex_quote(hex, buf, len);
		conn_log(c, L_WARNING, "ignoring unknown control message type %u, %zu bytes: %s",
			 get16(buf + 8), len, hex);
		return;
	case PPTP_DEC_LENGTH_MISMATCH: {
		unsigned t = get16(buf + 8);
		hex_quote(hex, buf, len);
		conn_log(c, L_WARNING, "ignoring %s (%s) of %zu bytes: its length is %zu (%s)",
			 pptp_msg_name(t), pptp_msg_abbrev(t), len, pptp_msg_len(t), hex);
		return;
	}
	default:
		/* Framing already checked the length; a failure here is a bug. */
		hex_quote(hex, buf, len);
		conn_down(c, PPTP_DOWN_PROTOCOL, 0, 0, "cannot decode a control message (%s): %s",
			  pptp_dec_strerror(err), hex);
		return;
	}

	const struct msg_rx *rx = &rx_table[m.type];
	const char *name = pptp_msg_name(m.type), *abbrev = pptp_msg_abbrev(m.type);
	conn_log(c, L_DEBUG, "received %s", abbrev);
	if (!rx->recv) {
		conn_log(c, L_WARNING, "server sent %s (%s), which only a PNS sends; ignored",
			 name, abbrev);
		return;
	}
	if (!(rx->states & IN_STATE(c->state))) {
		conn_log(c, L_WARNING, "unexpected %s (%s) in state %s; ignored", name,
			 abbrev, pptp_conn_state_name(c->state));
		return;
	}
	rx->recv(c, &m, now);
}

/* ---- the public engine ---- */

void pptp_conn_init(struct pptp_conn *c, const struct pptp_conn_config *cfg, uint64_t now_us)
{
	/* The state is zeroed, the buffers are not: they are only read below
	 * in_len, out_len and the event count, and a call manager need not
	 * touch the 40 KB behind them before it uses them. */
	memset(c, 0, offsetof(struct pptp_conn, in));
	c->in_len = 0;
	c->out_len = 0;
	c->ev_head = 0;
	c->ev_count = 0;
	if (cfg)
		c->cfg = *cfg;
	c->state = PPTP_CONN_WAIT_SCCRP;
	if (!c->cfg.sccrp_timeout_ms)
		c->cfg.sccrp_timeout_ms = PPTP_SCCRP_TIMEOUT_MS;
	c->state_deadline_us = after_ms(now_us, c->cfg.sccrp_timeout_ms);
	if (!c->cfg.ocrp_timeout_ms)
		c->cfg.ocrp_timeout_ms = PPTP_OCRP_TIMEOUT_MS;
	c->last_rx_us = now_us;
	c->echo_next_id = 1;
	c->next_call_id = c->cfg.first_call_id ? c->cfg.first_call_id : 1;
	c->next_serial = 1;
	if (c->cfg.quirk)
		conn_log(c, L_INFO, "quirk %s: %s", c->cfg.quirk->name, c->cfg.quirk->what);
	send_SCCRQ(c);
}

int pptp_conn_input(struct pptp_conn *c, const uint8_t *data, size_t len, uint64_t now_us)
{
	while (c->state != PPTP_CONN_CLOSED && len > 0) {
		if (c->in_len < 2) {
			size_t n = 2 - c->in_len < len ? 2 - c->in_len : len;
			memcpy(c->in + c->in_len, data, n);
			c->in_len += n;
			data += n;
			len -= n;
			if (c->in_len < 2)
				break;
			size_t declared = get16(c->in);
			if (declared < PPTP_HDR_LEN || declared > PPTP_MSG_MAX) {
				/* Quote as much of the header as has arrived. */
				uint8_t hdr[PPTP_HDR_LEN];
				size_t extra = len < PPTP_HDR_LEN - 2 ? len : PPTP_HDR_LEN - 2;
				char hex[LOG_HEX_CAP];
				memcpy(hdr, c->in, 2);
				memcpy(hdr + 2, data, extra);
				hex_quote(hex, hdr, 2 + extra);
				conn_down(c, PPTP_DOWN_PROTOCOL, 0, 0,
					  "bad control message length %zu (must be %d..%d), header %s: "
					  "the stream cannot be resynchronised", declared, PPTP_HDR_LEN,
					  PPTP_MSG_MAX, hex);
				break;
			}
		}
		size_t declared = get16(c->in);
		size_t n = declared - c->in_len < len ? declared - c->in_len : len;
		memcpy(c->in + c->in_len, data, n);
		c->in_len += n;
		data += n;
		len -= n;
		if (c->in_len < declared)
			break;
		c->in_len = 0;
		c->last_rx_us = now_us;
		dispatch(c, c->in, declared, now_us);
		clearing_progress(c, now_us);
	}
	return c->state == PPTP_CONN_CLOSED ? -EPROTO : 0;
}

size_t pptp_conn_pending(const struct pptp_conn *c, const uint8_t **data)
{
	*data = c->out;
	return c->out_len;
}

void pptp_conn_consume(struct pptp_conn *c, size_t n)
{
	if (n >= c->out_len) {
		c->out_len = 0;
		return;
	}
	memmove(c->out, c->out + n, c->out_len - n);
	c->out_len -= n;
}

/* When the next keepalive Echo-Request is due; 0 when none is. */
static uint64_t echo_due(const struct pptp_conn *c)
{
	if (c->state != PPTP_CONN_ESTABLISHED || c->echo_deadline_us || !c->cfg.idle_wait_ms)
		return 0;
	return after_ms(c->last_rx_us, c->cfg.idle_wait_ms);
}

static uint64_t earliest(uint64_t t, uint64_t deadline)
{
	return deadline && deadline < t ? deadline : t;
}

uint64_t pptp_conn_next_timeout(const struct pptp_conn *c)
{
	uint64_t t = UINT64_MAX;

	if (c->state == PPTP_CONN_CLOSED)
		return t;
	t = earliest(t, c->state_deadline_us);
	for (int i = 0; i < PPTP_MAX_CALLS; i++)
		if (c->calls[i].state != PPTP_CALL_FREE)
			t = earliest(t, c->calls[i].deadline_us);
	t = earliest(t, c->echo_deadline_us);
	return earliest(t, echo_due(c));
}

void pptp_conn_tick(struct pptp_conn *c, uint64_t now_us)
{
	char secs[24];

	if (c->state == PPTP_CONN_CLOSED)
		return;
	for (int i = 0; i < PPTP_MAX_CALLS && c->state != PPTP_CONN_CLOSED; i++) {
		struct pptp_call *call = &c->calls[i];
		if (call->state == PPTP_CALL_FREE || !call->deadline_us || now_us < call->deadline_us)
			continue;
		if (call->state == PPTP_CALL_WAIT_OCRP) {
			/* Tell the server too, in case the reply is merely late. */
			secs_str(secs, sizeof secs, c->cfg.ocrp_timeout_ms);
			if (send_CCR(c, call->call_id))
				call_end(c, i, PPTP_CALL_NO_REPLY, 0, 0, 0,
					 "no Outgoing-Call-Reply from the server within %s", secs);
		} else if (call->state == PPTP_CALL_WAIT_CDN) {
			secs_str(secs, sizeof secs, PPTP_CDN_TIMEOUT_MS);
			call_end(c, i, PPTP_CALL_CLEARED, 0, 0, 0,
				 "call cleared, but the server never confirmed it (no "
				 "Call-Disconnect-Notify within %s)", secs);
		}
	}
	if (c->state != PPTP_CONN_CLOSED && c->state_deadline_us && now_us >= c->state_deadline_us) {
		switch (c->state) {
		case PPTP_CONN_WAIT_SCCRP:
			secs_str(secs, sizeof secs, c->cfg.sccrp_timeout_ms);
			conn_down(c, PPTP_DOWN_NO_REPLY, 0, 0,
				  "no Start-Control-Connection-Reply from the server within %s", secs);
			break;
		case PPTP_CONN_CLEARING:
			for (int i = 0; i < PPTP_MAX_CALLS; i++)
				if (c->calls[i].state != PPTP_CALL_FREE)
					call_end(c, i, PPTP_CALL_CLEARED, 0, 0, 0,
						 "call cleared, but the server never confirmed it");
			break;
		case PPTP_CONN_WAIT_STOPCCRP:
			secs_str(secs, sizeof secs, PPTP_STOPCCRP_TIMEOUT_MS);
			conn_down(c, PPTP_DOWN_STOPPED, 0, 0,
				  "control connection stopped (no Stop-Control-Connection-Reply "
				  "within %s)", secs);
			break;
		case PPTP_CONN_ESTABLISHED:
		case PPTP_CONN_CLOSED:
			c->state_deadline_us = 0;
			break;
		}
	}
	clearing_progress(c, now_us);
	if (c->state == PPTP_CONN_CLOSED)
		return;
	if (c->echo_deadline_us && now_us >= c->echo_deadline_us) {
		secs_str(secs, sizeof secs, c->cfg.max_echo_wait_ms);
		conn_down(c, PPTP_DOWN_ECHO_TIMEOUT, 0, 0,
			  "no reply to keepalive (Echo-Request) for %s: the server or the path to "
			  "it is gone", secs);
		return;
	}
	uint64_t due = echo_due(c);
	if (due && now_us >= due) {
		struct pptp_msg m = msg_make(PPTP_ECHORQ);
		c->echo_id = c->echo_next_id++;
		/* max_echo_wait 0: the reply may take for ever (UINT64_MAX
		 * is never reached, and no other echo goes meanwhile). */
		c->echo_deadline_us = c->cfg.max_echo_wait_ms
			? after_ms(now_us, c->cfg.max_echo_wait_ms) : UINT64_MAX;
		m.u.echorq.id = c->echo_id;
		conn_log(c, L_DEBUG, "nothing heard from the server for a while: Echo-Request %u",
			 c->echo_id);
		send_msg(c, &m);
	}
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
	struct pptp_call *call = &c->calls[idx];
	memset(call, 0, sizeof *call);
	call->params = *p;
	call->params.phone[PPTP_STR_LEN] = '\0';
	call->call_id = call_id_alloc(c);
	call->serial = c->next_serial++;
	call->state = PPTP_CALL_PENDING;
	if (c->state == PPTP_CONN_ESTABLISHED)
		send_OCRQ(c, idx, now_us);
	else
		conn_log(c, L_DEBUG, "call ID %u waits for the control connection", call->call_id);
	return idx;
}

void pptp_conn_call_close(struct pptp_conn *c, int call, uint64_t now_us)
{
	if (c->state == PPTP_CONN_CLOSED || !call_valid(c, call))
		return;
	call_clear(c, call, now_us);
	clearing_progress(c, now_us);
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

void pptp_conn_stop(struct pptp_conn *c, uint64_t now_us)
{
	switch (c->state) {
	case PPTP_CONN_WAIT_SCCRP:
		/* Nothing to clear on the server yet: end here. */
		c->stop_requested = true;
		conn_down(c, PPTP_DOWN_STOPPED, 0, 0,
			  "control connection stopped before the server answered");
		return;
	case PPTP_CONN_ESTABLISHED:
		c->stop_requested = true;
		c->state = PPTP_CONN_CLEARING;
		c->state_deadline_us = after_ms(now_us, PPTP_CDN_TIMEOUT_MS);
		for (int i = 0; i < PPTP_MAX_CALLS && c->state != PPTP_CONN_CLOSED; i++)
			call_clear(c, i, now_us);
		clearing_progress(c, now_us);
		return;
	case PPTP_CONN_CLEARING:
	case PPTP_CONN_WAIT_STOPCCRP:
	case PPTP_CONN_CLOSED:
		return;
	}
}

void pptp_conn_transport_closed(struct pptp_conn *c, int err, uint64_t now_us)
{
	(void)now_us;
	if (c->state == PPTP_CONN_CLOSED)
		return;
	if (c->state == PPTP_CONN_WAIT_STOPCCRP || c->state == PPTP_CONN_CLEARING) {
		/* We were leaving anyway; a server may hang up instead of replying
		 * (PoPToP closes as soon as its only call is cleared). */
		conn_down(c, PPTP_DOWN_STOPPED, 0, 0, "control connection stopped (the server closed "
			  "it %s)", c->state == PPTP_CONN_CLEARING ? "after our Call-Clear-Request"
			  : "without a Stop-Control-Connection-Reply");
		return;
	}
	if (err)
		conn_down(c, PPTP_DOWN_CLOSED, 0, 0, "control connection failed: %s",
			  strerror(err < 0 ? -err : err));
	else
		conn_down(c, PPTP_DOWN_CLOSED, 0, 0, "server closed the control connection");
}

int pptp_conn_poll_event(struct pptp_conn *c, struct pptp_event *ev)
{
	if (!c->ev_count)
		return 0;
	*ev = c->ev[c->ev_head];
	c->ev_head = (c->ev_head + 1) % PPTP_EVENTS_MAX;
	c->ev_count--;
	return 1;
}

bool pptp_conn_is_closed(const struct pptp_conn *c)
{
	return c->state == PPTP_CONN_CLOSED;
}

const char *pptp_conn_state_name(enum pptp_conn_state s)
{
	switch (s) {
	case PPTP_CONN_WAIT_SCCRP: return "WAIT_SCCRP";
	case PPTP_CONN_ESTABLISHED: return "ESTABLISHED";
	case PPTP_CONN_CLEARING: return "CLEARING";
	case PPTP_CONN_WAIT_STOPCCRP: return "WAIT_STOPCCRP";
	case PPTP_CONN_CLOSED: return "CLOSED";
	}
	return "unknown";
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
