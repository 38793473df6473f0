/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pptp_ctrl.c - the PPTP control connection (RFC 2637), client (PNS) side.
 *
 * The engine's connection layer: framing, the connection's state machine,
 * keepalive, events.  The calls on it are pptp_call.c; the messages' wire
 * codec is pptp_wire.c.  Nothing here owns a socket or a clock; see
 * pptp_ctrl.h for the contract. */
#include "pptp_ctrl.h"
#include "pptp_ctrl_int.h"

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
void ctrl_describe_result(char *dst, size_t cap, const char *words, unsigned result,
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

static void hex_quote(char *dst, const uint8_t *p, size_t n)
{
	hex_str(dst, LOG_HEX_CAP, p, n, LOG_HEX_BYTES);
}

/* A deadline ms from now; saturating, and never 0, which means "none". */
uint64_t ctrl_after_ms(uint64_t now, uint32_t ms)
{
	uint64_t d = (uint64_t)ms * 1000u;
	uint64_t t = now > UINT64_MAX - d ? UINT64_MAX : now + d;
	return t ? t : 1;
}

/* "60 s", "2.5 s" or "0.25 s", for the log. */
void ctrl_secs_str(char *dst, size_t cap, uint32_t ms)
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

/* The queue cannot fill: one CONN_UP and one CONN_DOWN per connection,
 * and at most CALL_UP + CALL_DOWN per call slot, because a slot is only
 * reused once none of its events is still queued (pptp_conn_call_open).
 * 2 + 2 * PPTP_MAX_CALLS <= PPTP_EVENTS_MAX. */
void ctrl_ev_push(struct pptp_conn *c, const struct pptp_event *ev)
{
	if (c->ev_count >= PPTP_EVENTS_MAX) {
		conn_log(c, L_ERR, "internal error: event queue full, dropping: %s", ev->text);
		return;
	}
	c->ev[(c->ev_head + c->ev_count) % PPTP_EVENTS_MAX] = *ev;
	c->ev_count++;
}

struct pptp_event ctrl_ev_make(enum pptp_event_type type, int reason, int call)
{
	struct pptp_event ev;
	memset(&ev, 0, sizeof ev);
	ev.type = type;
	ev.reason = reason;
	ev.call = call;
	return ev;
}

/* End a call: CALL_DOWN with the words, and the slot is free again. */
/* The connection is over: every call first, then CONN_DOWN.  Pending
 * output stays so the caller can still flush a last reply. */
static void conn_down(struct pptp_conn *c, enum pptp_conn_down reason, uint8_t result,
		      uint8_t error, const char *fmt, ...) PPTP_PRINTF(5, 6);
static void conn_down(struct pptp_conn *c, enum pptp_conn_down reason, uint8_t result,
		      uint8_t error, const char *fmt, ...)
{
	struct pptp_event ev = ctrl_ev_make(PPTP_EV_CONN_DOWN, reason, -1);
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
	ctrl_ev_push(c, &ev);
}

static void ctrl_conn_overflow(struct pptp_conn *c)
{
	conn_down(c, PPTP_DOWN_OVERFLOW, 0, 0, "output buffer full (%zu bytes unsent): the server "
		  "is not reading the control connection", c->out_len);
}

/* Queue one message; false when it could not be (closed, or the output
 * buffer overflowed, which ends the connection). */
bool ctrl_send_msg(struct pptp_conn *c, const struct pptp_msg *m)
{
	if (c->state == PPTP_CONN_CLOSED)
		return false;
	int n = pptp_msg_encode(m, c->out + c->out_len, sizeof c->out - c->out_len);
	if (n == -ENOSPC) {
		ctrl_conn_overflow(c);
		return false;
	}
	if (n < 0)
		return false;
	c->out_len += (size_t)n;
	conn_log(c, L_DEBUG, "sent %s", pptp_msg_abbrev(m->type));
	return true;
}

struct pptp_msg ctrl_msg_make(enum pptp_msg_type type)
{
	struct pptp_msg m;
	memset(&m, 0, sizeof m);
	m.type = (uint16_t)type;
	return m;
}

static bool send_SCCRQ(struct pptp_conn *c)
{
	struct pptp_msg m = ctrl_msg_make(PPTP_SCCRQ);
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
	return ctrl_send_msg(c, &m);
}

static void send_StopCCRQ(struct pptp_conn *c, uint64_t now)
{
	struct pptp_msg m = ctrl_msg_make(PPTP_STOPCCRQ);
	m.u.stopccrq.reason = PPTP_STOP_NONE;
	c->state = PPTP_CONN_WAIT_STOPCCRP;
	c->state_deadline_us = ctrl_after_ms(now, PPTP_STOPCCRP_TIMEOUT_MS);
	ctrl_send_msg(c, &m);
}

/* While stopping: once the last call is down, stop the connection. */
void ctrl_clearing_progress(struct pptp_conn *c, uint64_t now)
{
	if (c->state != PPTP_CONN_CLEARING || pptp_conn_active_calls(c) > 0)
		return;
	send_StopCCRQ(c, now);
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
	c->server_heard = true;
	str_printable(host, sizeof host, r->hostname, PPTP_STR_LEN);
	str_printable(vendor, sizeof vendor, r->vendor, PPTP_STR_LEN);
	if (r->result != PPTP_SCCRP_OK) {
		ctrl_describe_result(why, sizeof why, pptp_sccrp_result_str(r->result), r->result,
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
	struct pptp_event ev = ctrl_ev_make(PPTP_EV_CONN_UP, 0, -1);
	snprintf(ev.text, sizeof ev.text, "control connection established with \"%s\"", host);
	ctrl_ev_push(c, &ev);
	/* The waiting calls' OCRQs go at the next tick (next_timeout says
	 * "at once"), not here: requests later in this same input still need
	 * room for their replies. */
	(void)now;
}

static void recv_StopCCRQ(struct pptp_conn *c, const struct pptp_msg *m, uint64_t now)
{
	struct pptp_msg rp = ctrl_msg_make(PPTP_STOPCCRP);
	char why[80];
	unsigned reason = m->u.stopccrq.reason;
	const char *w = pptp_stop_reason_str(reason);

	(void)now;
	if (strcmp(w, PPTP_WORD_UNKNOWN) == 0)
		snprintf(why, sizeof why, "unknown reason code %u", reason);
	else
		snprintf(why, sizeof why, "%s", w);
	rp.u.stopccrp.result = PPTP_STOPRP_OK;
	if (!ctrl_send_msg(c, &rp))
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
		ctrl_describe_result(why, sizeof why, pptp_stopccrp_result_str(r->result), r->result,
				r->result == PPTP_STOPRP_GENERAL, r->error);
		conn_log(c, L_WARNING, "server answered our Stop-Control-Connection-Request with: %s",
			 why);
	}
	conn_down(c, PPTP_DOWN_STOPPED, r->result, r->error, "control connection stopped");
}

static void recv_EchoRQ(struct pptp_conn *c, const struct pptp_msg *m, uint64_t now)
{
	struct pptp_msg rp = ctrl_msg_make(PPTP_ECHORP);

	(void)now;
	rp.u.echorp.id = m->u.echorq.id;
	rp.u.echorp.result = PPTP_ECHO_OK;
	conn_log(c, L_DEBUG, "answering the server's Echo-Request %u", m->u.echorq.id);
	ctrl_send_msg(c, &rp);
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
		ctrl_describe_result(why, sizeof why, pptp_echorp_result_str(r->result), r->result,
				r->result == PPTP_ECHO_GENERAL, r->error);
		conn_log(c, L_WARNING, "server answered our Echo-Request with: %s", why);
	} else {
		conn_log(c, L_DEBUG, "Echo-Reply %u received", r->id);
	}
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
	c->state_deadline_us = ctrl_after_ms(now_us, c->cfg.sccrp_timeout_ms);
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
		ctrl_clearing_progress(c, now_us);
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
	return ctrl_after_ms(c->last_rx_us, c->cfg.idle_wait_ms);
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
	/* Calls waiting for room that the writer has since made: at once. */
	if (calls_can_send_pending(c))
		t = 1;
	return earliest(t, echo_due(c));
}

void pptp_conn_tick(struct pptp_conn *c, uint64_t now_us)
{
	char secs[24];

	if (c->state == PPTP_CONN_CLOSED)
		return;
	/* Room first: a waiting call whose deadline falls due in the tick
	 * that finally has room for it goes out rather than ending. */
	calls_send_pending(c, now_us);
	calls_tick(c, now_us);
	if (c->state != PPTP_CONN_CLOSED && c->state_deadline_us && now_us >= c->state_deadline_us) {
		switch (c->state) {
		case PPTP_CONN_WAIT_SCCRP:
			ctrl_secs_str(secs, sizeof secs, c->cfg.sccrp_timeout_ms);
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
			ctrl_secs_str(secs, sizeof secs, PPTP_STOPCCRP_TIMEOUT_MS);
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
	ctrl_clearing_progress(c, now_us);
	if (c->state == PPTP_CONN_CLOSED)
		return;
	if (c->echo_deadline_us && now_us >= c->echo_deadline_us) {
		ctrl_secs_str(secs, sizeof secs, c->cfg.max_echo_wait_ms);
		conn_down(c, PPTP_DOWN_ECHO_TIMEOUT, 0, 0,
			  "no reply to keepalive (Echo-Request) for %s: the server or the path to "
			  "it is gone", secs);
		return;
	}
	uint64_t due = echo_due(c);
	if (due && now_us >= due) {
		struct pptp_msg m = ctrl_msg_make(PPTP_ECHORQ);
		c->echo_id = c->echo_next_id++;
		/* max_echo_wait 0: the reply may take for ever (UINT64_MAX
		 * is never reached, and no other echo goes meanwhile). */
		c->echo_deadline_us = c->cfg.max_echo_wait_ms
			? ctrl_after_ms(now_us, c->cfg.max_echo_wait_ms) : UINT64_MAX;
		m.u.echorq.id = c->echo_id;
		conn_log(c, L_DEBUG, "nothing heard from the server for a while: Echo-Request %u",
			 c->echo_id);
		ctrl_send_msg(c, &m);
	}
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
		c->state_deadline_us = ctrl_after_ms(now_us, PPTP_CDN_TIMEOUT_MS);
		for (int i = 0; i < PPTP_MAX_CALLS && c->state != PPTP_CONN_CLOSED; i++)
			call_clear(c, i, now_us);
		ctrl_clearing_progress(c, now_us);
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

enum pptp_conn_state pptp_conn_state(const struct pptp_conn *c)
{
	return c->state;
}

const struct pptp_sccrp *pptp_conn_server_info(const struct pptp_conn *c)
{
	return c->server_heard ? &c->server : NULL;
}

bool pptp_conn_accepted(const struct pptp_conn *c)
{
	return c->server_heard && c->server.result == PPTP_SCCRP_OK;
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

