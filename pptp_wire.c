/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pptp_wire.c - the PPTP control messages on the wire (RFC 2637).
 *
 * Each message type is a table of its fields: wire offset, wire kind and
 * the host struct member.  One encoder and one decoder walk the tables,
 * so every offset is written once, here, and nowhere else. */
#include "pptp_wire.h"

#include <errno.h>
#include <string.h>

#include "util.h"

/* The table stores offsets in small integers. */
_Static_assert(PPTP_MSG_MAX <= UINT8_MAX, "wire offsets fit pptp_field.off");
_Static_assert(sizeof(((struct pptp_msg *)0)->u) <= UINT16_MAX, "host offsets fit pptp_field.host");

/* ---- field tables ---- */

/* Where member path (e.g. sccrq.version) lies from the start of the union. */
#define HOST_OFF(path) (offsetof(struct pptp_msg, u.path) - offsetof(struct pptp_msg, u))

/* An entry per field.  The _Generic selections have no default: a host
 * member whose type does not match the wire kind (a uint16_t listed as
 * U32, a string of the wrong width) does not compile. */
#define U8(off, path) \
	{ off, PPTP_FIELD_U8, 1, _Generic(((struct pptp_msg *)0)->u.path, uint8_t: HOST_OFF(path)) }
#define U16(off, path) \
	{ off, PPTP_FIELD_U16, 2, _Generic(((struct pptp_msg *)0)->u.path, uint16_t: HOST_OFF(path)) }
#define U32(off, path) \
	{ off, PPTP_FIELD_U32, 4, _Generic(((struct pptp_msg *)0)->u.path, uint32_t: HOST_OFF(path)) }
#define STR(off, width, path) \
	{ off, PPTP_FIELD_STR, width, \
	  _Generic(&((struct pptp_msg *)0)->u.path, char (*)[(width) + 1]: HOST_OFF(path)) }

/* Offsets as in RFC 2637 section 2; the gaps are reserved fields. */
static const struct pptp_field f_sccrq[] = {
	U16(12, sccrq.version), U32(16, sccrq.framing), U32(20, sccrq.bearer),
	U16(24, sccrq.max_channels), U16(26, sccrq.firmware),
	STR(28, PPTP_STR_LEN, sccrq.hostname), STR(92, PPTP_STR_LEN, sccrq.vendor),
};
static const struct pptp_field f_sccrp[] = {
	U16(12, sccrp.version), U8(14, sccrp.result), U8(15, sccrp.error),
	U32(16, sccrp.framing), U32(20, sccrp.bearer),
	U16(24, sccrp.max_channels), U16(26, sccrp.firmware),
	STR(28, PPTP_STR_LEN, sccrp.hostname), STR(92, PPTP_STR_LEN, sccrp.vendor),
};
static const struct pptp_field f_stopccrq[] = { U8(12, stopccrq.reason) };
static const struct pptp_field f_stopccrp[] = { U8(12, stopccrp.result), U8(13, stopccrp.error) };
static const struct pptp_field f_echorq[] = { U32(12, echorq.id) };
static const struct pptp_field f_echorp[] = {
	U32(12, echorp.id), U8(16, echorp.result), U8(17, echorp.error),
};
static const struct pptp_field f_ocrq[] = {
	U16(12, ocrq.call_id), U16(14, ocrq.serial), U32(16, ocrq.min_bps),
	U32(20, ocrq.max_bps), U32(24, ocrq.bearer), U32(28, ocrq.framing),
	U16(32, ocrq.window), U16(34, ocrq.delay), U16(36, ocrq.phone_len),
	STR(40, PPTP_STR_LEN, ocrq.phone), STR(104, PPTP_STR_LEN, ocrq.subaddress),
};
static const struct pptp_field f_ocrp[] = {
	U16(12, ocrp.call_id), U16(14, ocrp.peer_call_id), U8(16, ocrp.result),
	U8(17, ocrp.error), U16(18, ocrp.cause), U32(20, ocrp.speed),
	U16(24, ocrp.window), U16(26, ocrp.delay), U32(28, ocrp.channel),
};
static const struct pptp_field f_icrq[] = {
	U16(12, icrq.call_id), U16(14, icrq.serial), U32(16, icrq.bearer),
	U32(20, icrq.channel), U16(24, icrq.dialed_len), U16(26, icrq.dialing_len),
	STR(28, PPTP_STR_LEN, icrq.dialed), STR(92, PPTP_STR_LEN, icrq.dialing),
	STR(156, PPTP_STR_LEN, icrq.subaddress),
};
static const struct pptp_field f_icrp[] = {
	U16(12, icrp.call_id), U16(14, icrp.peer_call_id), U8(16, icrp.result),
	U8(17, icrp.error), U16(18, icrp.window), U16(20, icrp.delay),
};
static const struct pptp_field f_iccn[] = {
	U16(12, iccn.peer_call_id), U32(16, iccn.speed), U16(20, iccn.window),
	U16(22, iccn.delay), U32(24, iccn.framing),
};
static const struct pptp_field f_ccr[] = { U16(12, ccr.call_id) };
static const struct pptp_field f_cdn[] = {
	U16(12, cdn.call_id), U8(14, cdn.result), U8(15, cdn.error), U16(16, cdn.cause),
	STR(20, 128, cdn.stats),
};
static const struct pptp_field f_wen[] = {
	U16(12, wen.peer_call_id), U32(16, wen.crc), U32(20, wen.framing),
	U32(24, wen.hw_overrun), U32(28, wen.buf_overrun), U32(32, wen.timeout),
	U32(36, wen.alignment),
};
static const struct pptp_field f_sli[] = {
	U16(12, sli.peer_call_id), U32(16, sli.send_accm), U32(20, sli.recv_accm),
};

/* ---- the message table ---- */

static const struct wire_msg {
	const char *name;
	const char *abbrev;
	uint16_t len;		/* exact RFC length, header included */
	const struct pptp_field *fields;
	uint8_t nfields;
} msg_table[PPTP_MSG_TYPE_MAX + 1] = {
#define MSG(type, name, abbrev, len, f) [type] = { name, abbrev, len, f, ARRAY_LEN(f) }
	MSG(PPTP_SCCRQ, "Start-Control-Connection-Request", "SCCRQ", 156, f_sccrq),
	MSG(PPTP_SCCRP, "Start-Control-Connection-Reply", "SCCRP", 156, f_sccrp),
	MSG(PPTP_STOPCCRQ, "Stop-Control-Connection-Request", "StopCCRQ", 16, f_stopccrq),
	MSG(PPTP_STOPCCRP, "Stop-Control-Connection-Reply", "StopCCRP", 16, f_stopccrp),
	MSG(PPTP_ECHORQ, "Echo-Request", "EchoRQ", 16, f_echorq),
	MSG(PPTP_ECHORP, "Echo-Reply", "EchoRP", 20, f_echorp),
	MSG(PPTP_OCRQ, "Outgoing-Call-Request", "OCRQ", 168, f_ocrq),
	MSG(PPTP_OCRP, "Outgoing-Call-Reply", "OCRP", 32, f_ocrp),
	MSG(PPTP_ICRQ, "Incoming-Call-Request", "ICRQ", 220, f_icrq),
	MSG(PPTP_ICRP, "Incoming-Call-Reply", "ICRP", 24, f_icrp),
	MSG(PPTP_ICCN, "Incoming-Call-Connected", "ICCN", 28, f_iccn),
	MSG(PPTP_CCR, "Call-Clear-Request", "CCR", 16, f_ccr),
	MSG(PPTP_CDN, "Call-Disconnect-Notify", "CDN", 148, f_cdn),
	MSG(PPTP_WEN, "WAN-Error-Notify", "WEN", 40, f_wen),
	MSG(PPTP_SLI, "Set-Link-Info", "SLI", 24, f_sli),
#undef MSG
};

static const struct wire_msg *wire_msg(unsigned type)
{
	if (type == 0 || type > PPTP_MSG_TYPE_MAX)
		return NULL;
	return &msg_table[type];
}

size_t pptp_msg_len(unsigned type)
{
	const struct wire_msg *wm = wire_msg(type);
	return wm ? wm->len : 0;
}

const char *pptp_msg_name(unsigned type)
{
	const struct wire_msg *wm = wire_msg(type);
	return wm ? wm->name : "unknown";
}

const char *pptp_msg_abbrev(unsigned type)
{
	const struct wire_msg *wm = wire_msg(type);
	return wm ? wm->abbrev : "?";
}

const struct pptp_field *pptp_msg_fields(unsigned type, size_t *n)
{
	const struct wire_msg *wm = wire_msg(type);
	*n = wm ? wm->nfields : 0;
	return wm ? wm->fields : NULL;
}

const char *pptp_dec_strerror(int err)
{
	switch (err) {
	case PPTP_DEC_OK: return "no error";
	case PPTP_DEC_SHORT: return "message shorter than its header or declared length";
	case PPTP_DEC_BAD_LENGTH: return "bad length field";
	case PPTP_DEC_NOT_CONTROL: return "not a control message";
	case PPTP_DEC_BAD_MAGIC: return "bad magic cookie";
	case PPTP_DEC_UNKNOWN_TYPE: return "unknown control message type";
	case PPTP_DEC_LENGTH_MISMATCH: return "wrong length for the message type";
	}
	return "unknown";
}

/* ---- codes in words ---- */

static const char *word(const char *const *tab, size_t n, unsigned v)
{
	return v < n && tab[v] ? tab[v] : PPTP_WORD_UNKNOWN;
}

const char *pptp_sccrp_result_str(unsigned result)
{
	static const char *const w[] = { NULL, "success", "general error",
		"command channel already exists", "requester not authorized",
		"protocol version not supported" };
	return word(w, ARRAY_LEN(w), result);
}

const char *pptp_ocrp_result_str(unsigned result)
{
	static const char *const w[] = { NULL, "connected", "general error", "no carrier",
		"busy", "no dial tone", "time-out", "do not accept" };
	return word(w, ARRAY_LEN(w), result);
}

const char *pptp_icrp_result_str(unsigned result)
{
	static const char *const w[] = { NULL, "connect", "general error", "do not accept" };
	return word(w, ARRAY_LEN(w), result);
}

const char *pptp_cdn_result_str(unsigned result)
{
	static const char *const w[] = { NULL, "lost carrier", "general error",
		"admin shutdown", "request" };
	return word(w, ARRAY_LEN(w), result);
}

const char *pptp_stop_reason_str(unsigned reason)
{
	static const char *const w[] = { NULL, "none", "protocol version not supported",
		"local shutdown" };
	return word(w, ARRAY_LEN(w), reason);
}

const char *pptp_stopccrp_result_str(unsigned result)
{
	static const char *const w[] = { NULL, "OK", "general error" };
	return word(w, ARRAY_LEN(w), result);
}

const char *pptp_echorp_result_str(unsigned result)
{
	static const char *const w[] = { NULL, "OK", "general error" };
	return word(w, ARRAY_LEN(w), result);
}

const char *pptp_general_error_str(unsigned error)
{
	static const char *const w[] = { "none", "not connected", "bad format", "bad value",
		"no resource", "bad call ID", "PAC error" };
	return word(w, ARRAY_LEN(w), error);
}

/* ---- the codec ---- */

/* Wire strings: at most width bytes, zero padded; the host copy stops at
 * the first NUL and is zero filled, so a decode/encode round trip is exact. */
static void put_str(uint8_t *p, const char *s, size_t width)
{
	size_t n = strnlen(s, width);
	memcpy(p, s, n);
	memset(p + n, 0, width - n);
}

static void get_str(char *dst, const uint8_t *p, size_t width)
{
	size_t n = strnlen((const char *)p, width);
	memcpy(dst, p, n);
	memset(dst + n, 0, width + 1 - n);
}

/* h is the message's host struct; the _Generic checks in the tables make
 * each cast below the member's real type. */
static void put_field(uint8_t *buf, const struct pptp_field *f, const uint8_t *h)
{
	uint8_t *p = buf + f->off;
	const void *v = h + f->host;

	switch (f->kind) {
	case PPTP_FIELD_U8: *p = *(const uint8_t *)v; break;
	case PPTP_FIELD_U16: put16(p, *(const uint16_t *)v); break;
	case PPTP_FIELD_U32: put32(p, *(const uint32_t *)v); break;
	case PPTP_FIELD_STR: put_str(p, v, f->width); break;
	}
}

static void get_field(const uint8_t *buf, const struct pptp_field *f, uint8_t *h)
{
	const uint8_t *p = buf + f->off;
	void *v = h + f->host;

	switch (f->kind) {
	case PPTP_FIELD_U8: *(uint8_t *)v = *p; break;
	case PPTP_FIELD_U16: *(uint16_t *)v = get16(p); break;
	case PPTP_FIELD_U32: *(uint32_t *)v = get32(p); break;
	case PPTP_FIELD_STR: get_str(v, p, f->width); break;
	}
}

int pptp_msg_encode(const struct pptp_msg *m, uint8_t *buf, size_t cap)
{
	const struct wire_msg *wm = wire_msg(m->type);

	if (!wm)
		return -EINVAL;
	if (cap < wm->len)
		return -ENOSPC;
	/* Reserved fields and string padding are zero. */
	memset(buf, 0, wm->len);
	put16(buf, wm->len);
	put16(buf + 2, 1);
	put32(buf + 4, PPTP_MAGIC);
	put16(buf + 8, m->type);
	for (size_t i = 0; i < wm->nfields; i++)
		put_field(buf, &wm->fields[i], (const uint8_t *)&m->u);
	return (int)wm->len;
}

/* A declared length below len (trailing bytes the caller framed in) is
 * reported as PPTP_DEC_BAD_LENGTH, one above it as PPTP_DEC_SHORT. */
int pptp_msg_decode(const uint8_t *buf, size_t len, struct pptp_msg *m)
{
	memset(m, 0, sizeof *m);
	if (len < PPTP_HDR_LEN)
		return PPTP_DEC_SHORT;
	size_t declared = get16(buf);
	if (declared < PPTP_HDR_LEN || declared > PPTP_MSG_MAX)
		return PPTP_DEC_BAD_LENGTH;
	if (declared > len)
		return PPTP_DEC_SHORT;
	if (declared < len)
		return PPTP_DEC_BAD_LENGTH;
	if (get16(buf + 2) != 1)
		return PPTP_DEC_NOT_CONTROL;
	if (get32(buf + 4) != PPTP_MAGIC)
		return PPTP_DEC_BAD_MAGIC;
	unsigned type = get16(buf + 8);
	const struct wire_msg *wm = wire_msg(type);
	if (!wm)
		return PPTP_DEC_UNKNOWN_TYPE;
	if (declared != wm->len)
		return PPTP_DEC_LENGTH_MISMATCH;
	/* From here on every field is inside the RFC length (the unit tests
	 * check each table against its length). */
	m->type = (uint16_t)type;
	for (size_t i = 0; i < wm->nfields; i++)
		get_field(buf, &wm->fields[i], (uint8_t *)&m->u);
	return PPTP_DEC_OK;
}
