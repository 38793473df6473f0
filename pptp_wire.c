/* pptp_wire.c - the PPTP control messages on the wire (RFC 2637).
 *
 * One host-order struct per message (pptp_wire.h) and an encode/decode
 * pair for each; the message table gives names and RFC lengths. */
#include "pptp_wire.h"

#include <errno.h>
#include <string.h>

#include "util.h"

/* ---- the message table ---- */

static const struct wire_msg {
	const char *name;
	const char *abbrev;
	uint16_t len;		/* exact RFC length, header included */
} msg_table[PPTP_MSG_TYPE_MAX + 1] = {
#define MSG(type, name, abbrev, len) [type] = { name, abbrev, len }
	MSG(PPTP_SCCRQ, "Start-Control-Connection-Request", "SCCRQ", 156),
	MSG(PPTP_SCCRP, "Start-Control-Connection-Reply", "SCCRP", 156),
	MSG(PPTP_STOPCCRQ, "Stop-Control-Connection-Request", "StopCCRQ", 16),
	MSG(PPTP_STOPCCRP, "Stop-Control-Connection-Reply", "StopCCRP", 16),
	MSG(PPTP_ECHORQ, "Echo-Request", "EchoRQ", 16),
	MSG(PPTP_ECHORP, "Echo-Reply", "EchoRP", 20),
	MSG(PPTP_OCRQ, "Outgoing-Call-Request", "OCRQ", 168),
	MSG(PPTP_OCRP, "Outgoing-Call-Reply", "OCRP", 32),
	MSG(PPTP_ICRQ, "Incoming-Call-Request", "ICRQ", 220),
	MSG(PPTP_ICRP, "Incoming-Call-Reply", "ICRP", 24),
	MSG(PPTP_ICCN, "Incoming-Call-Connected", "ICCN", 28),
	MSG(PPTP_CCR, "Call-Clear-Request", "CCR", 16),
	MSG(PPTP_CDN, "Call-Disconnect-Notify", "CDN", 148),
	MSG(PPTP_WEN, "WAN-Error-Notify", "WEN", 40),
	MSG(PPTP_SLI, "Set-Link-Info", "SLI", 24),
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

/* ---- codecs ---- */

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

static void enc_SCCRQ(uint8_t *b, const struct pptp_sccrq *m)
{
	put16(b + 12, m->version);
	put32(b + 16, m->framing);
	put32(b + 20, m->bearer);
	put16(b + 24, m->max_channels);
	put16(b + 26, m->firmware);
	put_str(b + 28, m->hostname, PPTP_STR_LEN);
	put_str(b + 92, m->vendor, PPTP_STR_LEN);
}

static void dec_SCCRQ(const uint8_t *b, struct pptp_sccrq *m)
{
	m->version = get16(b + 12);
	m->framing = get32(b + 16);
	m->bearer = get32(b + 20);
	m->max_channels = get16(b + 24);
	m->firmware = get16(b + 26);
	get_str(m->hostname, b + 28, PPTP_STR_LEN);
	get_str(m->vendor, b + 92, PPTP_STR_LEN);
}

static void enc_SCCRP(uint8_t *b, const struct pptp_sccrp *m)
{
	put16(b + 12, m->version);
	b[14] = m->result;
	b[15] = m->error;
	put32(b + 16, m->framing);
	put32(b + 20, m->bearer);
	put16(b + 24, m->max_channels);
	put16(b + 26, m->firmware);
	put_str(b + 28, m->hostname, PPTP_STR_LEN);
	put_str(b + 92, m->vendor, PPTP_STR_LEN);
}

static void dec_SCCRP(const uint8_t *b, struct pptp_sccrp *m)
{
	m->version = get16(b + 12);
	m->result = b[14];
	m->error = b[15];
	m->framing = get32(b + 16);
	m->bearer = get32(b + 20);
	m->max_channels = get16(b + 24);
	m->firmware = get16(b + 26);
	get_str(m->hostname, b + 28, PPTP_STR_LEN);
	get_str(m->vendor, b + 92, PPTP_STR_LEN);
}

static void enc_StopCCRQ(uint8_t *b, const struct pptp_stopccrq *m) { b[12] = m->reason; }
static void dec_StopCCRQ(const uint8_t *b, struct pptp_stopccrq *m) { m->reason = b[12]; }

static void enc_StopCCRP(uint8_t *b, const struct pptp_stopccrp *m)
{
	b[12] = m->result;
	b[13] = m->error;
}

static void dec_StopCCRP(const uint8_t *b, struct pptp_stopccrp *m)
{
	m->result = b[12];
	m->error = b[13];
}

static void enc_EchoRQ(uint8_t *b, const struct pptp_echorq *m) { put32(b + 12, m->id); }
static void dec_EchoRQ(const uint8_t *b, struct pptp_echorq *m) { m->id = get32(b + 12); }

static void enc_EchoRP(uint8_t *b, const struct pptp_echorp *m)
{
	put32(b + 12, m->id);
	b[16] = m->result;
	b[17] = m->error;
}

static void dec_EchoRP(const uint8_t *b, struct pptp_echorp *m)
{
	m->id = get32(b + 12);
	m->result = b[16];
	m->error = b[17];
}

static void enc_OCRQ(uint8_t *b, const struct pptp_ocrq *m)
{
	put16(b + 12, m->call_id);
	put16(b + 14, m->serial);
	put32(b + 16, m->min_bps);
	put32(b + 20, m->max_bps);
	put32(b + 24, m->bearer);
	put32(b + 28, m->framing);
	put16(b + 32, m->window);
	put16(b + 34, m->delay);
	put16(b + 36, m->phone_len);
	put_str(b + 40, m->phone, PPTP_STR_LEN);
	put_str(b + 104, m->subaddress, PPTP_STR_LEN);
}

static void dec_OCRQ(const uint8_t *b, struct pptp_ocrq *m)
{
	m->call_id = get16(b + 12);
	m->serial = get16(b + 14);
	m->min_bps = get32(b + 16);
	m->max_bps = get32(b + 20);
	m->bearer = get32(b + 24);
	m->framing = get32(b + 28);
	m->window = get16(b + 32);
	m->delay = get16(b + 34);
	m->phone_len = get16(b + 36);
	get_str(m->phone, b + 40, PPTP_STR_LEN);
	get_str(m->subaddress, b + 104, PPTP_STR_LEN);
}

static void enc_OCRP(uint8_t *b, const struct pptp_ocrp *m)
{
	put16(b + 12, m->call_id);
	put16(b + 14, m->peer_call_id);
	b[16] = m->result;
	b[17] = m->error;
	put16(b + 18, m->cause);
	put32(b + 20, m->speed);
	put16(b + 24, m->window);
	put16(b + 26, m->delay);
	put32(b + 28, m->channel);
}

static void dec_OCRP(const uint8_t *b, struct pptp_ocrp *m)
{
	m->call_id = get16(b + 12);
	m->peer_call_id = get16(b + 14);
	m->result = b[16];
	m->error = b[17];
	m->cause = get16(b + 18);
	m->speed = get32(b + 20);
	m->window = get16(b + 24);
	m->delay = get16(b + 26);
	m->channel = get32(b + 28);
}

static void enc_ICRQ(uint8_t *b, const struct pptp_icrq *m)
{
	put16(b + 12, m->call_id);
	put16(b + 14, m->serial);
	put32(b + 16, m->bearer);
	put32(b + 20, m->channel);
	put16(b + 24, m->dialed_len);
	put16(b + 26, m->dialing_len);
	put_str(b + 28, m->dialed, PPTP_STR_LEN);
	put_str(b + 92, m->dialing, PPTP_STR_LEN);
	put_str(b + 156, m->subaddress, PPTP_STR_LEN);
}

static void dec_ICRQ(const uint8_t *b, struct pptp_icrq *m)
{
	m->call_id = get16(b + 12);
	m->serial = get16(b + 14);
	m->bearer = get32(b + 16);
	m->channel = get32(b + 20);
	m->dialed_len = get16(b + 24);
	m->dialing_len = get16(b + 26);
	get_str(m->dialed, b + 28, PPTP_STR_LEN);
	get_str(m->dialing, b + 92, PPTP_STR_LEN);
	get_str(m->subaddress, b + 156, PPTP_STR_LEN);
}

static void enc_ICRP(uint8_t *b, const struct pptp_icrp *m)
{
	put16(b + 12, m->call_id);
	put16(b + 14, m->peer_call_id);
	b[16] = m->result;
	b[17] = m->error;
	put16(b + 18, m->window);
	put16(b + 20, m->delay);
}

static void dec_ICRP(const uint8_t *b, struct pptp_icrp *m)
{
	m->call_id = get16(b + 12);
	m->peer_call_id = get16(b + 14);
	m->result = b[16];
	m->error = b[17];
	m->window = get16(b + 18);
	m->delay = get16(b + 20);
}

static void enc_ICCN(uint8_t *b, const struct pptp_iccn *m)
{
	put16(b + 12, m->peer_call_id);
	put32(b + 16, m->speed);
	put16(b + 20, m->window);
	put16(b + 22, m->delay);
	put32(b + 24, m->framing);
}

static void dec_ICCN(const uint8_t *b, struct pptp_iccn *m)
{
	m->peer_call_id = get16(b + 12);
	m->speed = get32(b + 16);
	m->window = get16(b + 20);
	m->delay = get16(b + 22);
	m->framing = get32(b + 24);
}

static void enc_CCR(uint8_t *b, const struct pptp_ccr *m) { put16(b + 12, m->call_id); }
static void dec_CCR(const uint8_t *b, struct pptp_ccr *m) { m->call_id = get16(b + 12); }

static void enc_CDN(uint8_t *b, const struct pptp_cdn *m)
{
	put16(b + 12, m->call_id);
	b[14] = m->result;
	b[15] = m->error;
	put16(b + 16, m->cause);
	put_str(b + 20, m->stats, sizeof m->stats - 1);
}

static void dec_CDN(const uint8_t *b, struct pptp_cdn *m)
{
	m->call_id = get16(b + 12);
	m->result = b[14];
	m->error = b[15];
	m->cause = get16(b + 16);
	get_str(m->stats, b + 20, sizeof m->stats - 1);
}

static void enc_WEN(uint8_t *b, const struct pptp_wen *m)
{
	put16(b + 12, m->peer_call_id);
	put32(b + 16, m->crc);
	put32(b + 20, m->framing);
	put32(b + 24, m->hw_overrun);
	put32(b + 28, m->buf_overrun);
	put32(b + 32, m->timeout);
	put32(b + 36, m->alignment);
}

static void dec_WEN(const uint8_t *b, struct pptp_wen *m)
{
	m->peer_call_id = get16(b + 12);
	m->crc = get32(b + 16);
	m->framing = get32(b + 20);
	m->hw_overrun = get32(b + 24);
	m->buf_overrun = get32(b + 28);
	m->timeout = get32(b + 32);
	m->alignment = get32(b + 36);
}

static void enc_SLI(uint8_t *b, const struct pptp_sli *m)
{
	put16(b + 12, m->peer_call_id);
	put32(b + 16, m->send_accm);
	put32(b + 20, m->recv_accm);
}

static void dec_SLI(const uint8_t *b, struct pptp_sli *m)
{
	m->peer_call_id = get16(b + 12);
	m->send_accm = get32(b + 16);
	m->recv_accm = get32(b + 20);
}

int pptp_msg_encode(const struct pptp_msg *m, uint8_t *buf, size_t cap)
{
	size_t len = pptp_msg_len(m->type);

	if (!len)
		return -EINVAL;
	if (cap < len)
		return -ENOSPC;
	/* Reserved fields and string padding are zero. */
	memset(buf, 0, len);
	put16(buf, (uint16_t)len);
	put16(buf + 2, 1);
	put32(buf + 4, PPTP_MAGIC);
	put16(buf + 8, m->type);
	switch (m->type) {
	case PPTP_SCCRQ: enc_SCCRQ(buf, &m->u.sccrq); break;
	case PPTP_SCCRP: enc_SCCRP(buf, &m->u.sccrp); break;
	case PPTP_STOPCCRQ: enc_StopCCRQ(buf, &m->u.stopccrq); break;
	case PPTP_STOPCCRP: enc_StopCCRP(buf, &m->u.stopccrp); break;
	case PPTP_ECHORQ: enc_EchoRQ(buf, &m->u.echorq); break;
	case PPTP_ECHORP: enc_EchoRP(buf, &m->u.echorp); break;
	case PPTP_OCRQ: enc_OCRQ(buf, &m->u.ocrq); break;
	case PPTP_OCRP: enc_OCRP(buf, &m->u.ocrp); break;
	case PPTP_ICRQ: enc_ICRQ(buf, &m->u.icrq); break;
	case PPTP_ICRP: enc_ICRP(buf, &m->u.icrp); break;
	case PPTP_ICCN: enc_ICCN(buf, &m->u.iccn); break;
	case PPTP_CCR: enc_CCR(buf, &m->u.ccr); break;
	case PPTP_CDN: enc_CDN(buf, &m->u.cdn); break;
	case PPTP_WEN: enc_WEN(buf, &m->u.wen); break;
	case PPTP_SLI: enc_SLI(buf, &m->u.sli); break;
	}
	return (int)len;
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
	if (!wire_msg(type))
		return PPTP_DEC_UNKNOWN_TYPE;
	if (declared != pptp_msg_len(type))
		return PPTP_DEC_LENGTH_MISMATCH;
	/* From here on every fixed offset is inside the RFC length. */
	m->type = (uint16_t)type;
	switch (type) {
	case PPTP_SCCRQ: dec_SCCRQ(buf, &m->u.sccrq); break;
	case PPTP_SCCRP: dec_SCCRP(buf, &m->u.sccrp); break;
	case PPTP_STOPCCRQ: dec_StopCCRQ(buf, &m->u.stopccrq); break;
	case PPTP_STOPCCRP: dec_StopCCRP(buf, &m->u.stopccrp); break;
	case PPTP_ECHORQ: dec_EchoRQ(buf, &m->u.echorq); break;
	case PPTP_ECHORP: dec_EchoRP(buf, &m->u.echorp); break;
	case PPTP_OCRQ: dec_OCRQ(buf, &m->u.ocrq); break;
	case PPTP_OCRP: dec_OCRP(buf, &m->u.ocrp); break;
	case PPTP_ICRQ: dec_ICRQ(buf, &m->u.icrq); break;
	case PPTP_ICRP: dec_ICRP(buf, &m->u.icrp); break;
	case PPTP_ICCN: dec_ICCN(buf, &m->u.iccn); break;
	case PPTP_CCR: dec_CCR(buf, &m->u.ccr); break;
	case PPTP_CDN: dec_CDN(buf, &m->u.cdn); break;
	case PPTP_WEN: dec_WEN(buf, &m->u.wen); break;
	case PPTP_SLI: dec_SLI(buf, &m->u.sli); break;
	}
	return PPTP_DEC_OK;
}
