/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_lcp_probe.c - what --diagnose makes of the server's PPP frames. */
#include "lcp_probe.h"
#include "test.h"
#include "util.h"

/* Our probe as lcp_probe_confreq builds it: FF 03 C021, Configure-Request id 0x2a,
 * length 10, the magic number option. */
static const uint8_t ours[] = { 0xff, 0x03, 0xc0, 0x21, 0x01, 0x2a, 0x00, 0x0a,
				0x05, 0x06, 0x12, 0x34, 0x56, 0x78 };

static bool describe(const uint8_t *p, size_t n, char *out, size_t cap)
{
	return lcp_probe_describe(p, n, ours, sizeof ours, 0x2a, out, cap) == LCP_PROBE_ANSWER;
}

static enum lcp_probe_kind kind(const uint8_t *p, size_t n)
{
	char out[120];
	return lcp_probe_describe(p, n, ours, sizeof ours, 0x2a, out, sizeof out);
}

static void answers(void)
{
	static const uint8_t ack[] = { 0xff, 0x03, 0xc0, 0x21, 0x02, 0x2a, 0x00, 0x0a,
				       0x05, 0x06, 0x12, 0x34, 0x56, 0x78 };
	/* Address/control left out, the protocol field in full. */
	static const uint8_t nak[] = { 0xc0, 0x21, 0x03, 0x2a, 0x00, 0x04 };
	static const uint8_t rej[] = { 0xff, 0x03, 0xc0, 0x21, 0x04, 0x2a, 0x00, 0x04 };
	char out[120];

	CHECK(describe(ours, sizeof ours, out, sizeof out));
	CHECK_STR(out, "our own LCP Configure-Request, sent straight back");
	CHECK(describe(ack, sizeof ack, out, sizeof out));
	CHECK_STR(out, "an LCP Configure-Ack answering ours");
	CHECK(describe(nak, sizeof nak, out, sizeof out));
	CHECK_STR(out, "an LCP Configure-Nak answering ours");
	CHECK(describe(rej, sizeof rej, out, sizeof out));
	CHECK_STR(out, "an LCP Configure-Reject answering ours");
}

static void not_answers(void)
{
	static const uint8_t other_id[] = { 0xff, 0x03, 0xc0, 0x21, 0x02, 0x2b, 0x00, 0x04 };
	static const uint8_t their_req[] = { 0xff, 0x03, 0xc0, 0x21, 0x01, 0x07, 0x00, 0x04 };
	static const uint8_t echo[] = { 0xff, 0x03, 0xc0, 0x21, 0x09, 0x2a, 0x00, 0x08, 1, 2, 3, 4 };
	static const uint8_t unknown[] = { 0xc0, 0x21, 0x0e, 0x2a, 0x00, 0x04 };
	static const uint8_t ipcp[] = { 0xff, 0x03, 0x80, 0x21, 0x01, 0x2a, 0x00, 0x04 };
	static const uint8_t ip_pfc[] = { 0x21, 0x45, 0x00 };	/* one-byte protocol field */
	char out[120];

	CHECK(!describe(other_id, sizeof other_id, out, sizeof out));
	CHECK_STR(out, "an LCP Configure-Ack");
	CHECK(!describe(their_req, sizeof their_req, out, sizeof out));
	CHECK_STR(out, "an LCP Configure-Request from the server's PPP");
	/* The server's own request is told apart: on its own it proves
	 * nothing about ours, and repeated it suggests ours never arrive. */
	CHECK(kind(their_req, sizeof their_req) == LCP_PROBE_PEER_CONFREQ);
	CHECK(kind(other_id, sizeof other_id) == LCP_PROBE_OTHER);
	CHECK(kind(echo, sizeof echo) == LCP_PROBE_OTHER);
	CHECK(kind(ours, sizeof ours) == LCP_PROBE_ANSWER);
	CHECK(!describe(echo, sizeof echo, out, sizeof out));
	CHECK_STR(out, "an LCP Echo-Request");
	CHECK(!describe(unknown, sizeof unknown, out, sizeof out));
	CHECK_STR(out, "an LCP packet with unknown code 14");
	CHECK(!describe(ipcp, sizeof ipcp, out, sizeof out));
	CHECK_STR(out, "a PPP frame of protocol 0x8021");
	CHECK(!describe(ip_pfc, sizeof ip_pfc, out, sizeof out));
	CHECK_STR(out, "a PPP frame of protocol 0x0021");
	CHECK(!describe(ours, 0, out, sizeof out));
	CHECK_STR(out, "an acknowledgment without data");
}

/* Every length is checked against what arrived. */
static void malformed(void)
{
	static const uint8_t only_ac[] = { 0xff, 0x03 };
	static const uint8_t half_proto[] = { 0xc0 };
	static const uint8_t short_lcp[] = { 0xff, 0x03, 0xc0, 0x21, 0x02, 0x2a, 0x00 };
	static const uint8_t len_over[] = { 0xff, 0x03, 0xc0, 0x21, 0x02, 0x2a, 0x00, 0x05 };
	static const uint8_t len_under[] = { 0xff, 0x03, 0xc0, 0x21, 0x02, 0x2a, 0x00, 0x03 };
	char out[120];

	CHECK(!describe(only_ac, sizeof only_ac, out, sizeof out));
	CHECK_STR(out, "a PPP frame too short to carry a protocol (2 bytes)");
	CHECK(!describe(half_proto, sizeof half_proto, out, sizeof out));
	CHECK_STR(out, "a PPP frame too short to carry a protocol (1 bytes)");
	CHECK(!describe(short_lcp, sizeof short_lcp, out, sizeof out));
	CHECK_STR(out, "a malformed LCP packet (3 bytes)");
	CHECK(!describe(len_over, sizeof len_over, out, sizeof out));
	CHECK_STR(out, "a malformed LCP packet (4 bytes)");
	CHECK(!describe(len_under, sizeof len_under, out, sizeof out));
	CHECK_STR(out, "a malformed LCP packet (4 bytes)");
	/* A small buffer gets as much as fits, terminated. */
	char tiny[6];
	memset(tiny, 'x', sizeof tiny);
	CHECK(describe(ours, sizeof ours, tiny, sizeof tiny));
	CHECK_STR(tiny, "our o");
}

static void confreq(void)
{
	uint8_t f[LCP_PROBE_CONFREQ_LEN];

	lcp_probe_confreq(f, 0x2a, 0x12345678);
	CHECK(memcmp(f, ours, sizeof ours) == 0);
}

/* The gateway's question: does a frame from the server show that it hears
 * the Configure-Requests pppd sent (identifiers 0x07 and 0x08)? */
static void heard_us(void)
{
	static const uint8_t req7[] = { 0xff, 0x03, 0xc0, 0x21, 0x01, 0x07, 0x00, 0x04 };
	static const uint8_t req8_acfc_pfc[] = { 0x21, 0x00 };	/* not LCP: ignored */
	static const uint8_t req8[] = { 0xc0, 0x21, 0x01, 0x08, 0x00, 0x04 };
	static const struct { uint8_t f[8]; size_t n; bool heard; const char *what; } rx[] = {
		{ { 0xff, 0x03, 0xc0, 0x21, 0x02, 0x07, 0x00, 0x04 }, 8, true, "Ack of ours" },
		{ { 0xff, 0x03, 0xc0, 0x21, 0x03, 0x08, 0x00, 0x04 }, 8, true, "Nak of ours" },
		{ { 0xc0, 0x21, 0x04, 0x08, 0x00, 0x04 }, 6, true, "Reject of ours, no ACFC" },
		{ { 0xff, 0x03, 0xc0, 0x21, 0x02, 0x09, 0x00, 0x04 }, 8, false, "Ack of none" },
		{ { 0xff, 0x03, 0xc0, 0x21, 0x01, 0x07, 0x00, 0x04 }, 8, false, "its Request" },
		{ { 0xff, 0x03, 0xc0, 0x21, 0x05, 0x01, 0x00, 0x04 }, 8, false, "its Terminate" },
		{ { 0xff, 0x03, 0xc0, 0x21, 0x06, 0x01, 0x00, 0x04 }, 8, true, "Terminate-Ack" },
		{ { 0xff, 0x03, 0xc0, 0x21, 0x07, 0x01, 0x00, 0x04 }, 8, true, "Code-Reject" },
		{ { 0xff, 0x03, 0xc0, 0x21, 0x09, 0x01, 0x00, 0x04 }, 8, true, "Echo-Request" },
		{ { 0xff, 0x03, 0xc0, 0x21, 0x0e, 0x01, 0x00, 0x04 }, 8, false, "unknown code" },
		{ { 0xff, 0x03, 0xc0, 0x21, 0x02, 0x07, 0x00, 0x09 }, 8, false, "length over" },
		{ { 0xff, 0x03, 0x80, 0x21, 0x01, 0x01, 0x00, 0x04 }, 8, true, "IPCP" },
		{ { 0xc0 }, 1, false, "half a protocol" },
	};
	struct lcp_sent s;

	memset(&s, 0, sizeof s);
	lcp_sent_note(&s, req7, sizeof req7);
	lcp_sent_note(&s, req8_acfc_pfc, sizeof req8_acfc_pfc);
	lcp_sent_note(&s, req8, sizeof req8);
	lcp_sent_note(&s, req7, 3);	/* truncated: nothing noted */
	for (size_t k = 0; k < ARRAY_LEN(rx); k++) {
		if (lcp_heard_us(&s, rx[k].f, rx[k].n) != rx[k].heard)
			test_fail(__FILE__, __LINE__, "heard_us: %s", rx[k].what);
	}
	memset(&s, 0, sizeof s);
	CHECK(!lcp_heard_us(&s, rx[0].f, rx[0].n));	/* nothing sent: no Ack counts */
}

const struct test_case lcp_probe_tests[] = {
	{ "heard_us", heard_us },
	{ "confreq", confreq },
	{ "answers", answers },
	{ "not_answers", not_answers },
	{ "malformed", malformed },
	{ NULL, NULL },
};
