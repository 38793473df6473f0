/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_gre_watch.c - whether GRE gets through each way, on a fake clock. */
#include <stdbool.h>
#include <string.h>

#include "gre_watch.h"
#include "test.h"

#define S(x) ((uint64_t)(x) * 1000000u)
#define T0 S(100)	/* the clock never starts at 0: 0 means "not yet" */

/* pppd's LCP Configure-Request, identifier 7; the server's Ack of it and
 * its own Configure-Request. */
static const uint8_t req7[] = { 0xff, 0x03, 0xc0, 0x21, 0x01, 0x07, 0x00, 0x04 };
static const uint8_t ack7[] = { 0xff, 0x03, 0xc0, 0x21, 0x02, 0x07, 0x00, 0x04 };
static const uint8_t its_req[] = { 0xff, 0x03, 0xc0, 0x21, 0x01, 0x01, 0x00, 0x04 };

/* Nothing sent: nothing is due, and no deadline. */
static void idle(void)
{
	struct gre_watch w;

	memset(&w, 0, sizeof w);
	CHECK(!gre_watch_in_due(&w, T0 + S(60)));
	CHECK(!gre_watch_out_due(&w, T0 + S(60), false));
	CHECK_UINT(gre_watch_next(&w, UINT64_MAX), UINT64_MAX);
}

/* pppd sends, no GRE ever comes back: "no GRE" once, at its deadline;
 * GRE arriving then is news, and restarts the watch. */
static void no_gre_back(void)
{
	struct gre_watch w;

	memset(&w, 0, sizeof w);
	gre_watch_tx(&w, req7, sizeof req7, T0);
	gre_watch_tx(&w, req7, sizeof req7, T0 + S(3));
	CHECK_UINT(gre_watch_next(&w, UINT64_MAX), T0 + GRE_WATCH_US);
	CHECK(!gre_watch_in_due(&w, T0 + GRE_WATCH_US - 1));
	CHECK(gre_watch_in_due(&w, T0 + GRE_WATCH_US));
	CHECK_UINT(w.tx_since_gre, 2);
	CHECK_UINT(w.last_gre_us, 0);	/* never any: the "blocked" wording */
	CHECK(!gre_watch_in_due(&w, T0 + S(30)));	/* said once */
	/* The out watch needs the server's GRE arriving: not due. */
	CHECK(!gre_watch_out_due(&w, T0 + S(30), false));
	CHECK(gre_watch_rx(&w, T0 + S(31)));	/* arrives again */
	CHECK(!gre_watch_rx(&w, T0 + S(32)));	/* no longer news */
	gre_watch_tx(&w, req7, sizeof req7, T0 + S(40));
	CHECK(!gre_watch_in_due(&w, T0 + S(40) + GRE_WATCH_US - 1));
	CHECK(gre_watch_in_due(&w, T0 + S(40) + GRE_WATCH_US));
	CHECK_UINT(w.last_gre_us, T0 + S(32));	/* some came before: "any more" */
}

/* The server's GRE keeps arriving, its PPP repeats its own request and
 * acknowledges nothing of ours: "not reaching the server", once. */
static void unheard(void)
{
	struct gre_watch w;

	memset(&w, 0, sizeof w);
	gre_watch_tx(&w, req7, sizeof req7, T0);
	for (int i = 1; i <= 12; i++) {
		gre_watch_rx(&w, T0 + S(i));
		gre_watch_peer_ppp(&w, its_req, sizeof its_req);
		bool due = gre_watch_out_due(&w, T0 + S(i), false);
		CHECK(due == (i == 10));
		CHECK(!gre_watch_in_due(&w, T0 + S(i)));
	}
	/* Past its time: no deadline of its own any more (it would spin). */
	CHECK_UINT(gre_watch_next(&w, UINT64_MAX), UINT64_MAX);
}

/* What keeps "not reaching the server" from being said. */
static void heard(void)
{
	struct gre_watch w;

	/* The server acknowledged one of ours. */
	memset(&w, 0, sizeof w);
	gre_watch_tx(&w, req7, sizeof req7, T0);
	gre_watch_rx(&w, T0 + S(9));
	CHECK(!gre_watch_out_due(&w, T0 + S(10), true));
	/* Its PPP answered pppd's request. */
	memset(&w, 0, sizeof w);
	gre_watch_tx(&w, req7, sizeof req7, T0);
	gre_watch_rx(&w, T0 + S(9));
	gre_watch_peer_ppp(&w, ack7, sizeof ack7);
	CHECK(w.server_heard_us);
	CHECK(!gre_watch_out_due(&w, T0 + S(10), false));
	/* Its GRE stopped too: that is the other warning's business. */
	memset(&w, 0, sizeof w);
	gre_watch_tx(&w, req7, sizeof req7, T0);
	gre_watch_rx(&w, T0 + S(1));
	CHECK(!gre_watch_out_due(&w, T0 + S(1) + GRE_WATCH_US, false));
	/* ...and once past its time without being due, it stays quiet later
	 * only as long as the conditions do: GRE arriving makes it due. */
	gre_watch_rx(&w, T0 + S(12));
	CHECK(gre_watch_out_due(&w, T0 + S(12), false));
}

const struct test_case gre_watch_tests[] = {
	{ "idle", idle },
	{ "no_gre_back", no_gre_back },
	{ "unheard", unheard },
	{ "heard", heard },
	{ NULL, NULL },
};
