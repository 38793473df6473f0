/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_mtu.c - the path MTU arithmetic, the padded probe, the search and
 * its verdict (mtu.c), and the answer a probe gets (lcp_probe.c). */
#include "lcp_probe.h"
#include "mtu.h"
#include "util.h"
#include "test.h"

static void arithmetic(void)
{
	CHECK_UINT(mtu_ip_size(1504), 1540);
	CHECK_UINT(mtu_overhead(), 40);
	/* pppd's default needs 1540 bytes (with MPPE pppd keeps its
	 * interface 4 below the mtu, so the frames are as large). */
	CHECK_UINT(mtu_pppd_for_path(1540), 1500);
	CHECK_UINT(mtu_pppd_for_path(9000), 1500);	/* never above the default */
	CHECK_UINT(mtu_pppd_for_path(1500), 1460);
	CHECK_UINT(mtu_pppd_for_path(1400), 1360);
	CHECK_UINT(mtu_pppd_for_path(40 + 128), 128);
	CHECK_UINT(mtu_pppd_for_path(40 + 127), 0);
	CHECK_UINT(mtu_pppd_for_path(0), 0);
	/* The server's fixed MSS: the inner IP packet (mtu less MPPE's 4)
	 * less IP 20 and TCP 20; 1400-byte path: 1360 - 4 - 40. */
	CHECK_UINT(mtu_mss_for_path(1400), 1316);
	CHECK_UINT(mtu_mss_for_path(1540), 1456);
	CHECK_UINT(mtu_mss_for_path(40 + 128), 84);
	CHECK_UINT(mtu_mss_for_path(40 + 127), 0);

	char buf[40];
	CHECK_INT(mtu_advice(1400, buf, sizeof buf), 17);
	CHECK_STR(buf, "mtu 1360 mru 1360");
	CHECK_INT(mtu_advice(100, buf, sizeof buf), 0);
	CHECK_STR(buf, "");
	char small[6];
	CHECK_INT(mtu_advice(1400, small, sizeof small), 17);
	CHECK_STR(small, "mtu 1");
}

/* Every length builds a well-formed Configure-Request whose options,
 * each 2 to 255 bytes, fill it exactly; lengths out of range build none. */
static void probe_shapes(void)
{
	static uint8_t f[MTU_PROBE_MAX + 8];
	for (size_t len = MTU_PROBE_MIN; len <= MTU_PROBE_MAX; len++) {
		memset(f, 0xaa, sizeof f);
		if (mtu_probe_build(f, sizeof f, len, 77) != len) {
			test_fail(__FILE__, __LINE__, "length %zu not built", len);
			return;
		}
		CHECK_UINT(get16(f) , 0xff03);
		CHECK_UINT(get16(f + 2), 0xc021);
		CHECK_UINT(f[4], 1);
		CHECK_UINT(f[5], 77);
		CHECK_UINT(get16(f + 6), len - 4);
		size_t at = 8;
		while (at < len) {
			if (f[at] != MTU_PAD_OPTION || f[at + 1] < 2 || at + f[at + 1] > len) {
				test_fail(__FILE__, __LINE__, "length %zu: bad option at %zu", len, at);
				return;
			}
			at += f[at + 1];
		}
		CHECK_UINT(at, len);
		CHECK_UINT(f[len], 0xaa);	/* nothing written past it */
	}
	CHECK_UINT(mtu_probe_build(f, sizeof f, MTU_PROBE_MIN - 1, 1), 0);
	CHECK_UINT(mtu_probe_build(f, sizeof f, MTU_PROBE_MAX + 1, 1), 0);
	CHECK_UINT(mtu_probe_build(f, 100, 101, 1), 0);
	CHECK_UINT(MTU_PROBE_MAX, 1504);
}

/* What pppd answers (its Configure-Reject: our options back) carries our
 * identifier; other LCP packets and other protocols do not answer. */
static void answers(void)
{
	static uint8_t f[300];
	size_t n = mtu_probe_build(f, sizeof f, 300, 9);
	CHECK_INT(lcp_answer_id(f, n), -1);	/* a Configure-Request */
	f[4] = 4;
	CHECK_INT(lcp_answer_id(f, n), 9);	/* Configure-Reject */
	f[4] = 2;
	CHECK_INT(lcp_answer_id(f, n), 9);	/* Configure-Ack (pacsrv's) */
	f[4] = 3;
	CHECK_INT(lcp_answer_id(f, n), 9);
	f[4] = 5;
	CHECK_INT(lcp_answer_id(f, n), -1);	/* Terminate-Request */
	f[4] = 4;
	CHECK_INT(lcp_answer_id(f, n - 1), -1);	/* shorter than its length says */
	CHECK_INT(lcp_answer_id(f + 2, n - 2), 9);	/* address and control omitted */
	static const uint8_t ip[] = { 0xff, 0x03, 0x00, 0x21, 4, 9, 0, 4 };
	CHECK_INT(lcp_answer_id(ip, sizeof ip), -1);
	CHECK_INT(lcp_answer_id(ip, 0), -1);
}

/* A path that carries frames up to `carries`, this machine up to `local`
 * (refused above), one that loses the first try of every size: the search
 * finds the size exactly, in about log2 of the range steps. */
static unsigned run_search(struct mtu_search *s, unsigned carries, unsigned local, bool flaky)
{
	unsigned steps = 0;
	mtu_search_init(s, MTU_PROBE_MIN, MTU_PROBE_MAX, 2);
	while (s->cur && steps < 200) {
		steps++;
		if (s->cur > local)
			mtu_search_note(s, MTU_REFUSED);
		else if (s->cur > carries || (flaky && s->tries == 0))
			mtu_search_note(s, MTU_LOST);
		else
			mtu_search_note(s, MTU_CROSSED);
	}
	return steps;
}

static void search(void)
{
	struct mtu_search s;
	CHECK(run_search(&s, 9000, 9000, false) == 1);	/* the ceiling crosses: done */
	CHECK_UINT(s.lo, MTU_PROBE_MAX);
	CHECK_INT(mtu_judge(&s, 16, 1500), MTU_FULL);

	/* A router's link of 1400 behind an interface of 1600. */
	unsigned steps = run_search(&s, 1400 - 36, 1600 - 36, false);
	CHECK_UINT(s.lo, 1364);
	CHECK_UINT(s.hi, 1365);
	CHECK(!s.hi_refused);
	CHECK(steps <= 2 + 1 + 2 * 11);	/* ceiling, floor, 11 halvings */
	CHECK_INT(mtu_judge(&s, 16, 1600), MTU_BLACK_HOLE);	/* the kernel believes 1600 */
	CHECK_INT(mtu_judge(&s, 16, 1400), MTU_KNOWN);		/* an ICMP told it 1400 */
	CHECK_INT(mtu_judge(&s, 16, 1399), MTU_KNOWN);
	CHECK_INT(mtu_judge(&s, 12, 1400), MTU_BLACK_HOLE);	/* without an ack: 1396 crossed */

	/* This machine's own interface is the limit: refused, never retried. */
	steps = run_search(&s, 9000, 1500 - 36, false);
	CHECK_UINT(s.lo, 1464);
	CHECK(s.hi_refused);
	CHECK_INT(mtu_judge(&s, 16, 1500), MTU_KNOWN);
	CHECK(steps <= 1 + 1 + 12);

	/* Losses are retried: the same answer. */
	run_search(&s, 1000, 9000, true);
	CHECK_UINT(s.lo, 1000);
	CHECK_UINT(s.hi, 1001);

	/* Nothing answers, not even the floor. */
	run_search(&s, 0, 9000, false);
	CHECK_UINT(s.lo, 0);
	CHECK_UINT(s.cur, 0);
	CHECK_INT(mtu_judge(&s, 16, 1500), MTU_UNMEASURED);

	/* The floor alone. */
	run_search(&s, MTU_PROBE_MIN, 9000, false);
	CHECK_UINT(s.lo, MTU_PROBE_MIN);
	CHECK_INT(mtu_judge(&s, 16, 1500), MTU_BLACK_HOLE);

	/* Notes after the end change nothing; a floor above the ceiling
	 * searches nothing. */
	mtu_search_note(&s, MTU_CROSSED);
	CHECK_UINT(s.lo, MTU_PROBE_MIN);
	mtu_search_init(&s, 20, 10, 0);
	CHECK_UINT(s.cur, 0);
	CHECK_UINT(s.max_tries, 1);
}

const struct test_case mtu_tests[] = {
	{ "arithmetic", arithmetic },
	{ "probe_shapes", probe_shapes },
	{ "answers", answers },
	{ "search", search },
	{ NULL, NULL },
};
