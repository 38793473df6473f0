/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pptp_wire.h - the PPTP control messages on the wire (RFC 2637).
 *
 * One host-order struct per control message and the codec between those
 * structs and wire bytes: pptp_msg_encode / pptp_msg_decode.  Pure code:
 * no state, no I/O.  The connection engine that sends and receives these
 * messages is in pptp_ctrl.h. */
#ifndef PPTP_WIRE_H
#define PPTP_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define PPTP_MAGIC 0x1A2B3C4Du
#define PPTP_HDR_LEN 12
#define PPTP_MSG_MAX 220	/* the largest message (Incoming-Call-Request) */
#define PPTP_PROTO_VERSION 0x0100	/* RFC 2637 version 1.0 */
#define PPTP_STR_LEN 64		/* host name, vendor, phone number, subaddress */

enum pptp_msg_type {
	PPTP_SCCRQ = 1,	/* Start-Control-Connection-Request */
	PPTP_SCCRP = 2,	/* Start-Control-Connection-Reply */
	PPTP_STOPCCRQ = 3,	/* Stop-Control-Connection-Request */
	PPTP_STOPCCRP = 4,	/* Stop-Control-Connection-Reply */
	PPTP_ECHORQ = 5,
	PPTP_ECHORP = 6,
	PPTP_OCRQ = 7,	/* Outgoing-Call-Request */
	PPTP_OCRP = 8,	/* Outgoing-Call-Reply */
	PPTP_ICRQ = 9,	/* Incoming-Call-Request */
	PPTP_ICRP = 10,	/* Incoming-Call-Reply */
	PPTP_ICCN = 11,	/* Incoming-Call-Connected */
	PPTP_CCR = 12,	/* Call-Clear-Request */
	PPTP_CDN = 13,	/* Call-Disconnect-Notify */
	PPTP_WEN = 14,	/* WAN-Error-Notify */
	PPTP_SLI = 15,	/* Set-Link-Info */
};
#define PPTP_MSG_TYPE_MAX 15

/* Capability and type bits. */
#define PPTP_FRAME_ASYNC 1u
#define PPTP_FRAME_SYNC 2u
#define PPTP_FRAME_ANY 3u
#define PPTP_BEARER_ANALOG 1u
#define PPTP_BEARER_DIGITAL 2u
#define PPTP_BEARER_ANY 3u

/* Result codes (per message; see the *_str functions for words). */
enum { PPTP_SCCRP_OK = 1, PPTP_SCCRP_GENERAL = 2, PPTP_SCCRP_EXISTS = 3,
       PPTP_SCCRP_NOT_AUTHORIZED = 4, PPTP_SCCRP_BAD_VERSION = 5 };
enum { PPTP_OCRP_CONNECTED = 1, PPTP_OCRP_GENERAL = 2, PPTP_OCRP_NO_CARRIER = 3,
       PPTP_OCRP_BUSY = 4, PPTP_OCRP_NO_DIAL_TONE = 5, PPTP_OCRP_TIMEOUT = 6,
       PPTP_OCRP_NOT_ACCEPTED = 7 };
enum { PPTP_ICRP_CONNECT = 1, PPTP_ICRP_GENERAL = 2, PPTP_ICRP_NOT_ACCEPTED = 3 };
enum { PPTP_CDN_LOST_CARRIER = 1, PPTP_CDN_GENERAL = 2, PPTP_CDN_ADMIN = 3,
       PPTP_CDN_REQUEST = 4 };
enum { PPTP_STOP_NONE = 1, PPTP_STOP_PROTOCOL = 2, PPTP_STOP_LOCAL_SHUTDOWN = 3 };
enum { PPTP_STOPRP_OK = 1, PPTP_STOPRP_GENERAL = 2 };
enum { PPTP_ECHO_OK = 1, PPTP_ECHO_GENERAL = 2 };
enum { PPTP_GERR_NONE = 0, PPTP_GERR_NOT_CONNECTED = 1, PPTP_GERR_BAD_FORMAT = 2,
       PPTP_GERR_BAD_VALUE = 3, PPTP_GERR_NO_RESOURCE = 4, PPTP_GERR_BAD_CALL_ID = 5,
       PPTP_GERR_PAC_ERROR = 6 };

/* ---- message structs: host order; strings are NUL-terminated copies of
 * the 64-byte wire fields (encode copies at most 64 bytes, zero padded). */

struct pptp_sccrq {
	uint16_t version;
	uint32_t framing, bearer;
	uint16_t max_channels, firmware;
	char hostname[PPTP_STR_LEN + 1], vendor[PPTP_STR_LEN + 1];
};
struct pptp_sccrp {
	uint16_t version;
	uint8_t result, error;
	uint32_t framing, bearer;
	uint16_t max_channels, firmware;
	char hostname[PPTP_STR_LEN + 1], vendor[PPTP_STR_LEN + 1];
};
struct pptp_stopccrq { uint8_t reason; };
struct pptp_stopccrp { uint8_t result, error; };
struct pptp_echorq { uint32_t id; };
struct pptp_echorp { uint32_t id; uint8_t result, error; };
struct pptp_ocrq {
	uint16_t call_id, serial;
	uint32_t min_bps, max_bps, bearer, framing;
	uint16_t window, delay, phone_len;
	char phone[PPTP_STR_LEN + 1], subaddress[PPTP_STR_LEN + 1];
};
struct pptp_ocrp {
	uint16_t call_id, peer_call_id;
	uint8_t result, error;
	uint16_t cause;
	uint32_t speed;
	uint16_t window, delay;
	uint32_t channel;
};
struct pptp_icrq {
	uint16_t call_id, serial;
	uint32_t bearer, channel;
	uint16_t dialed_len, dialing_len;
	char dialed[PPTP_STR_LEN + 1], dialing[PPTP_STR_LEN + 1], subaddress[PPTP_STR_LEN + 1];
};
struct pptp_icrp {
	uint16_t call_id, peer_call_id;
	uint8_t result, error;
	uint16_t window, delay;
};
struct pptp_iccn {
	uint16_t peer_call_id;
	uint32_t speed;
	uint16_t window, delay;
	uint32_t framing;
};
struct pptp_ccr { uint16_t call_id; };
struct pptp_cdn {
	uint16_t call_id;
	uint8_t result, error;
	uint16_t cause;
	char stats[128 + 1];
};
struct pptp_wen {
	uint16_t peer_call_id;
	uint32_t crc, framing, hw_overrun, buf_overrun, timeout, alignment;
};
struct pptp_sli { uint16_t peer_call_id; uint32_t send_accm, recv_accm; };

struct pptp_msg {
	uint16_t type;	/* enum pptp_msg_type */
	union {
		struct pptp_sccrq sccrq;
		struct pptp_sccrp sccrp;
		struct pptp_stopccrq stopccrq;
		struct pptp_stopccrp stopccrp;
		struct pptp_echorq echorq;
		struct pptp_echorp echorp;
		struct pptp_ocrq ocrq;
		struct pptp_ocrp ocrp;
		struct pptp_icrq icrq;
		struct pptp_icrp icrp;
		struct pptp_iccn iccn;
		struct pptp_ccr ccr;
		struct pptp_cdn cdn;
		struct pptp_wen wen;
		struct pptp_sli sli;
	} u;
};

/* Decoding failures, from the header outwards. */
enum pptp_dec_err {
	PPTP_DEC_OK = 0,
	PPTP_DEC_SHORT = -1,		/* fewer bytes than the header / declared length */
	PPTP_DEC_BAD_LENGTH = -2,	/* declared length < 12 or > PPTP_MSG_MAX */
	PPTP_DEC_NOT_CONTROL = -3,	/* PPTP message type is not 1 */
	PPTP_DEC_BAD_MAGIC = -4,
	PPTP_DEC_UNKNOWN_TYPE = -5,	/* control message type 0 or > 15 */
	PPTP_DEC_LENGTH_MISMATCH = -6,	/* declared length is not the RFC length of the type */
};

/* Exact RFC length of a control message type; 0 for an unknown type. */
size_t pptp_msg_len(unsigned type);
/* "Start-Control-Connection-Request" etc; "unknown" for anything else. */
const char *pptp_msg_name(unsigned type);
/* Short RFC abbreviation: "SCCRQ", "OCRP", ... ; "?" when unknown. */
const char *pptp_msg_abbrev(unsigned type);
const char *pptp_dec_strerror(int err);

/* Encode m (header included) into buf; returns the length written, or
 * -ENOSPC when cap is too small, -EINVAL for an unknown type. */
int pptp_msg_encode(const struct pptp_msg *m, uint8_t *buf, size_t cap);
/* Decode one whole message of len bytes (len is what the caller framed,
 * normally the declared length).  Checks, in order: len >= 12, declared
 * length == len and within [12, PPTP_MSG_MAX], PPTP message type 1, magic
 * cookie, control type known, declared length == pptp_msg_len(type).
 * Returns PPTP_DEC_OK or a negative enum pptp_dec_err. */
int pptp_msg_decode(const uint8_t *buf, size_t len, struct pptp_msg *m);

/* Result and error codes in words, for the log. Never NULL. */
const char *pptp_sccrp_result_str(unsigned result);
const char *pptp_ocrp_result_str(unsigned result);
const char *pptp_icrp_result_str(unsigned result);
const char *pptp_cdn_result_str(unsigned result);
const char *pptp_stop_reason_str(unsigned reason);
const char *pptp_stopccrp_result_str(unsigned result);
const char *pptp_echorp_result_str(unsigned result);
const char *pptp_general_error_str(unsigned error);

/* The word every *_str function above returns for a code it does not know. */
#define PPTP_WORD_UNKNOWN "unknown"

/* ---- the field tables the codec walks, for tests and tools ---- */

enum pptp_field_kind {
	PPTP_FIELD_U8 = 1,
	PPTP_FIELD_U16,
	PPTP_FIELD_U32,
	PPTP_FIELD_STR,		/* fixed width, zero padded; host: char[width + 1] */
};

/* One field after the 12-byte header: where it is on the wire and in the
 * message's host struct (an offset from struct pptp_msg's u). */
struct pptp_field {
	uint8_t off;		/* byte offset in the message, header included */
	uint8_t kind;		/* enum pptp_field_kind */
	uint8_t width;		/* bytes on the wire */
	uint16_t host;		/* offsetof() of the member in the type's struct */
};

/* The fields of a message type, in wire order, *n of them; NULL (and
 * *n = 0) for an unknown type.  Bytes of the RFC length that no field
 * covers are reserved: zero on encode, ignored on decode. */
const struct pptp_field *pptp_msg_fields(unsigned type, size_t *n);

#endif
