/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gre_watch.c - whether GRE gets through, each way (see gre_watch.h). */
#include "gre_watch.h"

void gre_watch_tx(struct gre_watch *w, const uint8_t *frame, size_t len, uint64_t now)
{
	if (!w->server_heard_us)
		lcp_sent_note(&w->sent, frame, len);
	if (w->tx_since_gre++ == 0)
		w->tx_quiet_since_us = now;
	if (!w->tx_since_us)
		w->tx_since_us = now;
}

void gre_watch_peer_ppp(struct gre_watch *w, const uint8_t *frame, size_t len)
{
	if (!w->server_heard_us)
		w->server_heard_us = lcp_heard_us(&w->sent, frame, len);
}

bool gre_watch_rx(struct gre_watch *w, uint64_t now)
{
	bool again = w->in_warned;

	w->in_warned = false;
	w->last_gre_us = now;
	w->tx_since_gre = 0;
	w->tx_quiet_since_us = 0;
	return again;
}

bool gre_watch_in_due(struct gre_watch *w, uint64_t now)
{
	if (w->in_warned || w->tx_since_gre == 0 || now < w->tx_quiet_since_us + GRE_WATCH_US)
		return false;
	w->in_warned = true;
	return true;
}

bool gre_watch_out_due(struct gre_watch *w, uint64_t now, bool peer_acked)
{
	bool past = w->tx_since_us && now >= w->tx_since_us + GRE_WATCH_US;

	/* Past its time, the check needs no timer of its own: what can still
	 * make it due (GRE from the server, a frame from pppd) wakes the
	 * loop anyway.  A timer kept in the past would make poll spin. */
	if (past)
		w->out_timer_done = true;
	if (w->out_warned || peer_acked || w->server_heard_us || !past || !w->last_gre_us ||
	    now >= w->last_gre_us + GRE_WATCH_US)
		return false;
	w->out_warned = true;
	return true;
}

uint64_t gre_watch_next(const struct gre_watch *w, uint64_t t)
{
	uint64_t in_at = w->tx_quiet_since_us + GRE_WATCH_US;
	uint64_t out_at = w->tx_since_us + GRE_WATCH_US;

	if (!w->in_warned && w->tx_since_gre && in_at < t)
		t = in_at;
	if (!w->out_warned && !w->out_timer_done && w->tx_since_us && out_at < t)
		t = out_at;
	return t;
}
