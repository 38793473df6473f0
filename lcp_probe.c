/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lcp_probe.c - what a PPP frame from the server says about our LCP probe. */
#include "lcp_probe.h"

#include <stdio.h>
#include <string.h>

#include "util.h"

#define PPP_PROTO_LCP 0xC021

/* An LCP Configure-Request as a PPP peer opens with (RFC 1661): address
 * and control FF 03, protocol C021, code 1, identifier, length 10, and one
 * option, the magic number.  Any PPP implementation parses it, and its
 * answer would carry our identifier. */
void lcp_probe_confreq(uint8_t f[LCP_PROBE_CONFREQ_LEN], uint8_t id, uint32_t magic)
{
	f[0] = 0xff;
	f[1] = 0x03;
	put16(f + 2, PPP_PROTO_LCP);
	f[4] = 1;
	f[5] = id;
	put16(f + 6, 10);
	f[8] = 5;	/* magic number */
	f[9] = 6;
	put32(f + 10, magic);
}

static const char *lcp_code_name(unsigned code)
{
	static const char *const names[] = {
		NULL, "Configure-Request", "Configure-Ack", "Configure-Nak", "Configure-Reject",
		"Terminate-Request", "Terminate-Ack", "Code-Reject", "Protocol-Reject",
		"Echo-Request", "Echo-Reply", "Discard-Request",
	};
	return code < ARRAY_LEN(names) && names[code] ? names[code] : NULL;
}

/* Where a PPP frame's LCP packet starts (*at, set from LCP_PARSE_MALFORMED
 * on), or why it has none. */
enum lcp_parse { LCP_PARSE_OK, LCP_PARSE_SHORT, LCP_PARSE_NOT_LCP, LCP_PARSE_MALFORMED };

static enum lcp_parse lcp_parse(const uint8_t *p, size_t n, size_t *at, unsigned *proto)
{
	size_t i = 0;
	if (n >= 2 && p[0] == 0xff && p[1] == 0x03)
		i = 2;
	if (i < n && (p[i] & 1)) {
		*proto = p[i];	/* protocol field compressed to one byte */
		i += 1;
	} else if (n - i >= 2) {
		*proto = get16(p + i);
		i += 2;
	} else {
		return LCP_PARSE_SHORT;
	}
	if (*proto != PPP_PROTO_LCP)
		return LCP_PARSE_NOT_LCP;
	*at = i;
	/* Code, identifier, and a length that covers those four bytes and
	 * fits in what arrived. */
	if (n - i < 4 || get16(p + i + 2) < 4 || get16(p + i + 2) > n - i)
		return LCP_PARSE_MALFORMED;
	return LCP_PARSE_OK;
}

enum lcp_probe_kind lcp_probe_describe(const uint8_t *p, size_t n, const uint8_t *ours,
				       size_t ours_len, uint8_t our_id, char *out, size_t cap)
{
	if (n == 0) {
		snprintf(out, cap, "an acknowledgment without data");
		return LCP_PROBE_OTHER;
	}
	if (n == ours_len && memcmp(p, ours, n) == 0) {
		snprintf(out, cap, "our own LCP Configure-Request, sent straight back");
		return LCP_PROBE_ANSWER;
	}
	size_t i = 0;
	unsigned proto = 0;
	switch (lcp_parse(p, n, &i, &proto)) {
	case LCP_PARSE_SHORT:
		snprintf(out, cap, "a PPP frame too short to carry a protocol (%zu bytes)", n);
		return LCP_PROBE_OTHER;
	case LCP_PARSE_NOT_LCP:
		snprintf(out, cap, "a PPP frame of protocol 0x%04x", proto);
		return LCP_PROBE_OTHER;
	case LCP_PARSE_MALFORMED:
		snprintf(out, cap, "a malformed LCP packet (%zu bytes)", n - i);
		return LCP_PROBE_OTHER;
	case LCP_PARSE_OK:
		break;
	}
	unsigned code = p[i], id = p[i + 1];
	const char *name = lcp_code_name(code);
	bool answer = id == our_id && code >= 2 && code <= 4;
	if (!name)
		snprintf(out, cap, "an LCP packet with unknown code %u", code);
	else if (answer)
		snprintf(out, cap, "an LCP %s answering ours", name);
	else if (code == 1)
		snprintf(out, cap, "an LCP Configure-Request from the server's PPP");
	else
		snprintf(out, cap, "an LCP %s", name);
	return answer ? LCP_PROBE_ANSWER : code == 1 ? LCP_PROBE_PEER_CONFREQ : LCP_PROBE_OTHER;
}

int lcp_answer_id(const uint8_t *p, size_t n)
{
	size_t i;
	unsigned proto;
	if (lcp_parse(p, n, &i, &proto) != LCP_PARSE_OK || p[i] < 2 || p[i] > 4)
		return -1;
	return p[i + 1];
}

void lcp_sent_note(struct lcp_sent *s, const uint8_t *p, size_t n)
{
	size_t i;
	unsigned proto;
	if (lcp_parse(p, n, &i, &proto) == LCP_PARSE_OK && p[i] == 1)
		s->confreq_ids[p[i + 1] / 8] |= (uint8_t)(1u << (p[i + 1] % 8));
}

bool lcp_heard_us(const struct lcp_sent *s, const uint8_t *p, size_t n)
{
	size_t i;
	unsigned proto;
	switch (lcp_parse(p, n, &i, &proto)) {
	case LCP_PARSE_NOT_LCP:
		return true;	/* another protocol runs only once LCP is open */
	case LCP_PARSE_SHORT:
	case LCP_PARSE_MALFORMED:
		return false;
	case LCP_PARSE_OK:
		break;
	}
	unsigned code = p[i], id = p[i + 1];
	switch (code) {
	case 2: case 3: case 4:	/* Configure-Ack, -Nak, -Reject: to one of ours? */
		return s->confreq_ids[id / 8] & (1u << (id % 8));
	case 6:			/* Terminate-Ack: a closed PPP answering us */
	case 7: case 8:		/* Code-Reject, Protocol-Reject: about ours */
	case 9: case 10: case 11:	/* echoes and discards: LCP is open */
		return true;
	default:		/* its own Configure- or Terminate-Request, or unknown */
		return false;
	}
}
