/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gre_engine.c - enhanced GRE for PPTP: codec and per-call data engine.
 *
 * The callbacks in struct gre_io must not call back into the same session
 * (the drain loops and the shared transmit buffer assume they are not
 * re-entered), except the send callback into gre_send_outcome, which only
 * moves counters and the pending ack. */
#include "gre_engine.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Over-window packets form one run (towards a resync) when each is at most
 * this far after the previous one: the new position may lose a few too. */
#define RESYNC_NEAR 16
#define START_NEAR 16	/* a session's first numbers (from 0) may arrive out of order */

/* ---- codec ---- */

enum gre_dec_result gre_decode(const uint8_t *p, size_t n, struct gre_hdr *h,
			       const uint8_t **payload)
{
	if (n < GRE_HDR_BASE)
		return GRE_DEC_TRUNCATED;
	h->flags = p[0];
	h->ver = p[1];
	h->proto = get16(p + 2);
	h->payload_len = get16(p + 4);
	h->call_id = get16(p + 6);
	/* Only S may vary in the first byte and only A in the second. */
	if ((h->flags & ~GRE_FLAG_S) != GRE_FLAG_K || (h->ver & ~GRE_ACK_A) != GRE_VERSION ||
	    h->proto != GRE_PROTO_PPP)
		return GRE_DEC_INVALID;
	h->has_seq = h->flags & GRE_FLAG_S;
	h->has_ack = h->ver & GRE_ACK_A;
	h->seq = h->ack = 0;

	size_t off = GRE_HDR_BASE;
	if (h->has_seq) {
		if (n - off < 4)
			return GRE_DEC_TRUNCATED;
		h->seq = get32(p + off);
		off += 4;
	}
	if (h->has_ack) {
		if (n - off < 4)
			return GRE_DEC_TRUNCATED;
		h->ack = get32(p + off);
		off += 4;
	}
	h->hdr_len = off;
	if (n - off < h->payload_len)
		return GRE_DEC_TRUNCATED;
	*payload = p + off;
	return GRE_DEC_OK;
}

size_t gre_encode_hdr(uint8_t *out, size_t cap, uint16_t call_id, size_t payload_len,
		      const uint32_t *seq, const uint32_t *ack)
{
	size_t hl = GRE_HDR_BASE + (seq ? 4 : 0) + (ack ? 4 : 0);

	if (cap < hl || payload_len > UINT16_MAX)
		return 0;
	out[0] = GRE_FLAG_K | (seq ? GRE_FLAG_S : 0);
	out[1] = (ack ? GRE_ACK_A : 0) | GRE_VERSION;
	put16(out + 2, GRE_PROTO_PPP);
	put16(out + 4, (uint16_t)payload_len);
	put16(out + 6, call_id);
	size_t off = GRE_HDR_BASE;
	if (seq) {
		put32(out + off, *seq);
		off += 4;
	}
	if (ack)
		put32(out + off, *ack);
	return hl;
}

size_t ip4_gre_offset(const uint8_t *p, size_t n, uint32_t *src)
{
	if (n < 20 || p[0] >> 4 != 4)
		return 0;
	size_t ihl = (size_t)(p[0] & 0x0f) * 4;
	size_t total = get16(p + 2);
	if (ihl < 20 || ihl > n || total > n || total < ihl || p[9] != 47)
		return 0;
	if (src)
		memcpy(src, p + 12, 4);
	return ihl;
}

/* ---- the data engine: helpers ---- */

/* Time stamps use 0 for "not set"; a clock that really reads 0 is nudged. */
static inline uint64_t stamp(uint64_t now) { return now ? now : 1; }

/* True once delay has passed since `since` (never when the clock is behind). */
static inline bool due(uint64_t now, uint64_t since, uint64_t delay)
{
	return now >= since && now - since >= delay;
}

static inline uint64_t deadline(uint64_t since, uint64_t delay)
{
	return since > UINT64_MAX - delay ? UINT64_MAX : since + delay;
}

#define gre_logf(s, level, ...) log_fn_printf((s)->io.log, (s)->io.log_ctx, level, __VA_ARGS__)

static void count_send_failure(struct gre_session *s, enum gre_send_result r)
{
	if (r == GRE_SEND_SHORT)
		s->st.tx_short++;
	else
		s->st.tx_failed++;
}

static void ack_went_out(struct gre_session *s, uint32_t ack)
{
	s->ack_sent = ack;
	s->ack_pending = false;
	s->rx_unacked = 0;
}

/* ---- send side ---- */

/* Hand one data packet (S always set, so an ack sits at offset 12) to the
 * OS, count the outcome and remember when seq left, for the RTT. */
static void tx_emit(struct gre_session *s, const uint8_t *pkt, size_t len, uint32_t seq,
		    uint64_t now)
{
	enum gre_send_result r = s->io.send(s->io.ctx, pkt, len);

	if (r == GRE_SEND_OK) {
		s->st.tx_sent++;
		if (pkt[1] & GRE_ACK_A)
			ack_went_out(s, get32(pkt + 12));
	} else {
		/* The ack it carried did not leave: it stays pending. */
		count_send_failure(s, r);
	}
	s->rtt_probe[seq % ARRAY_LEN(s->rtt_probe)].seq = seq;
	s->rtt_probe[seq % ARRAY_LEN(s->rtt_probe)].sent_us = stamp(now);
}

static void tx_pure_ack(struct gre_session *s, uint64_t now)
{
	uint8_t pkt[GRE_HDR_BASE + 4];
	uint32_t ack = s->rx_expected - 1;
	size_t n = gre_encode_hdr(pkt, sizeof pkt, s->cfg.peer_call_id, 0, NULL, &ack);
	enum gre_send_result r = s->io.send(s->io.ctx, pkt, n);

	if (r == GRE_SEND_OK) {
		s->st.tx_acks++;
		ack_went_out(s, ack);
	} else {
		count_send_failure(s, r);
		/* Retry after another delay rather than on every tick. */
		s->ack_pending_since_us = now;
	}
}

void gre_send_outcome(struct gre_session *s, const uint8_t *pkt, size_t len,
		      enum gre_send_result r, uint64_t now_us)
{
	struct gre_hdr h;
	const uint8_t *payload;

	if (r == GRE_SEND_OK || gre_decode(pkt, len, &h, &payload) != GRE_DEC_OK ||
	    h.call_id != s->cfg.peer_call_id || (!h.has_seq && !h.has_ack))
		return;
	/* Take back what the accepted send counted (data or pure ack). */
	uint64_t *counted = h.has_seq ? &s->st.tx_sent : &s->st.tx_acks;
	if (*counted)
		(*counted)--;
	count_send_failure(s, r);
	if (h.has_seq) {
		size_t i = h.seq % ARRAY_LEN(s->rtt_probe);
		if (s->rtt_probe[i].seq == h.seq)
			s->rtt_probe[i].sent_us = 0;
	}
	/* The ack it carried did not reach the peer.  A newer ack that went
	 * out since covers it; an ack already pending will carry it.  (A later
	 * packet may have carried the same ack out: then one pure ack too
	 * many goes, which costs the peer nothing.) */
	if (h.has_ack && h.ack == s->ack_sent && !s->ack_pending) {
		s->ack_pending = true;
		s->ack_pending_since_us = now_us;
	}
}

/* Send what the current test held, in the test's order, and end the test.
 * Type 3: newest first, down to the oldest.  Types 1 and 2: the newest
 * first, then the others ascending (for type 1's pair, that is the swap). */
static void test_release(struct gre_session *s, uint64_t now)
{
	unsigned n = s->test_held_count;

	for (unsigned k = 0; k < n; k++) {
		unsigned i = s->cfg.test_type == 3 ? n - 1 - k : k == 0 ? n - 1 : k - 1;
		struct gre_tx_held *h = &s->test_held[i];

		/* It waited: carry the newest ack, not the one it was built with. */
		if (h->pkt[1] & GRE_ACK_A)
			put32(h->pkt + 12, s->rx_expected - 1);
		tx_emit(s, h->pkt, h->len, h->seq, now);
		free(h->pkt);
		h->pkt = NULL;
	}
	s->test_held_count = 0;
	s->test_want = 0;
}

static void test_hold(struct gre_session *s, const uint8_t *pkt, size_t len, uint32_t seq,
		      uint64_t now)
{
	uint8_t *copy = malloc(len);

	if (!copy) {
		/* Cannot hold it: a test is not worth losing data for. */
		tx_emit(s, pkt, len, seq, now);
		return;
	}
	memcpy(copy, pkt, len);
	if (s->test_held_count == 0)
		s->test_hold_since_us = now;
	s->test_held[s->test_held_count++] = (struct gre_tx_held){ .seq = seq, .len = len, .pkt = copy };
	if (s->test_held_count >= s->test_want)
		test_release(s, now);
}

/* Number the next data packet: its header (with the newest ack once data
 * has arrived, so a lost ack costs nothing) written to end at payload, which
 * has GRE_HDR_MAX bytes of room in front.  Returns the header's length. */
static size_t tx_header(struct gre_session *s, uint8_t *payload, size_t len, uint32_t *seq)
{
	uint32_t ack = s->rx_expected - 1;
	size_t hl = GRE_HDR_BASE + 4 + (s->rx_started ? 4 : 0);

	*seq = s->tx_next_seq++;
	gre_encode_hdr(payload - hl, hl, s->cfg.peer_call_id, len, seq, s->rx_started ? &ack : NULL);
	return hl;
}

/* Send a numbered packet, or hold it for the test under way. */
static void tx_packet(struct gre_session *s, const uint8_t *pkt, size_t n, uint32_t seq, uint64_t now)
{
	if (s->test_want) {
		test_hold(s, pkt, n, seq, now);
		return;
	}
	tx_emit(s, pkt, n, seq, now);
	if (s->cfg.test_type && ++s->test_count >= s->cfg.test_rate) {
		s->test_count = 0;
		s->test_want = s->cfg.test_type == 1 ? 2 : GRE_TEST_BURST;
	}
}

/* Number and send one frame (len <= PPTP_FRAME_MAX), the window permitting,
 * from a copy behind the header in the session's own buffer. */
static void tx_data(struct gre_session *s, const uint8_t *frame, size_t len, uint64_t now)
{
	uint8_t *payload = s->txbuf + GRE_HDR_MAX;
	uint32_t seq;

	memcpy(payload, frame, len);
	size_t hl = tx_header(s, payload, len, &seq);
	tx_packet(s, payload - hl, hl + len, seq, now);
}

static bool tx_window_open(const struct gre_session *s)
{
	/* Some servers never ack: enforce only once the peer has. */
	if (!s->cfg.peer_window || !s->peer_acked)
		return true;
	return (uint32_t)(s->tx_next_seq - 1 - s->peer_ack) < s->cfg.peer_window;
}

static void tx_hold(struct gre_session *s, const uint8_t *frame, size_t len, uint64_t now)
{
	uint8_t *copy;

	if (s->hold_count >= GRE_TX_HOLD_MAX || !(copy = malloc(len ? len : 1))) {
		s->st.tx_window_dropped++;
		return;
	}
	memcpy(copy, frame, len);
	unsigned i = (s->hold_head + s->hold_count) % GRE_TX_HOLD_MAX;
	s->hold[i].buf = copy;
	s->hold[i].len = len;
	s->hold_count++;
	if (!s->window_shut_since_us)
		s->window_shut_since_us = stamp(now);
}

/* Send held frames in order while the window allows, or all when forced.
 * Called on progress, so a window still shut starts a new stall period. */
static void tx_release_held(struct gre_session *s, uint64_t now, bool force)
{
	while (s->hold_count && (force || tx_window_open(s))) {
		unsigned i = s->hold_head;
		uint8_t *buf = s->hold[i].buf;
		size_t len = s->hold[i].len;

		s->hold[i].buf = NULL;
		s->hold_head = (s->hold_head + 1) % GRE_TX_HOLD_MAX;
		s->hold_count--;
		tx_data(s, buf, len, now);
		free(buf);
	}
	s->window_shut_since_us = s->hold_count ? stamp(now) : 0;
}

/* Whether a frame from pppd may go now: not oversize (dropped, counted),
 * not behind held frames or a shut window (held). */
static bool tx_may_send(struct gre_session *s, const uint8_t *frame, size_t len, uint64_t now)
{
	if (len > PPTP_FRAME_MAX) {
		s->st.tx_oversize++;
		return false;
	}
	/* Behind held frames even if the window just opened: order matters. */
	if (s->hold_count || !tx_window_open(s)) {
		tx_hold(s, frame, len, now);
		return false;
	}
	return true;
}

void gre_tx(struct gre_session *s, const uint8_t *frame, size_t len, uint64_t now_us)
{
	if (tx_may_send(s, frame, len, now_us))
		tx_data(s, frame, len, now_us);
}

void gre_tx_inplace(struct gre_session *s, uint8_t *frame, size_t len, uint64_t now_us)
{
	if (!tx_may_send(s, frame, len, now_us))
		return;
	uint32_t seq;
	size_t hl = tx_header(s, frame, len, &seq);
	tx_packet(s, frame - hl, hl + len, seq, now_us);
}

/* ---- receive side ---- */

static void rx_ack(struct gre_session *s, uint32_t ack, uint64_t now)
{
	/* Only forward moves over numbers we really used count. */
	if (!seq_before(s->peer_ack, ack) || !seq_before(ack, s->tx_next_seq))
		return;
	size_t i = ack % ARRAY_LEN(s->rtt_probe);
	uint64_t sent = s->rtt_probe[i].sent_us;
	if (sent && s->rtt_probe[i].seq == ack) {
		uint64_t sample = now > sent ? now - sent : 0;
		/* The first sample seeds the estimate instead of averaging with 0. */
		s->rtt_us = s->rtt_us ? (7 * s->rtt_us + sample) / 8 : sample;
		s->st.rtt_ms = (uint32_t)(s->rtt_us / 1000);
		s->rtt_probe[i].sent_us = 0;
	}
	s->peer_ack = ack;
	s->peer_acked = true;
	if (s->hold_count)
		tx_release_held(s, now, false);
}

/* Receive accounting.  From the first data packet on, every sequence
 * number the receiver moves past is accounted for exactly once:
 *
 *   rx_expected - rx_first == rx_accepted + rx_empty + rx_lost + rx_jumped
 *                                                           (modulo 2^32)
 *
 * taken in order (rx accepted, or rx_empty for an empty payload: nothing
 * for pppd), given up (rx lost: never received), or passed over by a resync without
 * being received (rx_jumped: not counted as lost, since a jump may be
 * billions; modulo 2^32, so a backward jump adds its negative distance).
 * Packets dropped as rx under win or rx over win never move rx_expected;
 * rx buffered counts arrivals ahead of order, which are then taken or lost
 * like any other number, so it is not a term of the sum.  The fuzz target
 * checks this after every step. */

/* The packet we waited for: to pppd (unless empty), and an ack is due. */
/* Hand a packet to pppd (an empty one is only counted) and owe an ack. */
static void rx_pass(struct gre_session *s, const uint8_t *payload, size_t len, uint64_t now)
{
	if (len) {
		s->io.deliver(s->io.ctx, payload, len);
		s->st.rx_accepted++;
	} else {
		s->rx_empty++;
	}
	s->rx_unacked++;
	if (!s->ack_pending) {
		s->ack_pending = true;
		s->ack_pending_since_us = now;
	}
}

static void rx_take(struct gre_session *s, const uint8_t *payload, size_t len, uint64_t now)
{
	rx_pass(s, payload, len, now);
	s->rx_expected++;
}

/* RFC 2637 numbers a session's packets from 0 ("set to zero at session
 * startup"; PoPToP does so; Linux's pptp module starts at 1).  The first
 * packet seen anchors the receiver, so those that overtook the very first
 * ones would make them old.  A number below the anchor, when the anchor is
 * near 0, is taken late instead, in whatever order they come: the anchor
 * (the accounting's rx_first) moves back to it, the numbers it passes over
 * count as lost until they come (rx_early_holes), and each number is taken
 * once.  Only near the start: once the receiver is a missing window past
 * it, or after a resync, numbers near 0 are old (or another run's, or the
 * next lap's after 2^32), and the holes stay lost. */
static bool rx_before_start(struct gre_session *s, const struct gre_hdr *h,
			    const uint8_t *payload, uint64_t now)
{
	if (s->rx_early_closed || h->seq >= START_NEAR)
		return false;
	if (h->seq < s->rx_first) {
		for (uint32_t n = h->seq + 1; n < s->rx_first; n++)
			s->rx_early_holes |= 1u << n;
		s->st.rx_lost += s->rx_first - h->seq - 1;
		s->rx_first = h->seq;
	} else if (s->rx_early_holes & (1u << h->seq)) {
		s->rx_early_holes &= ~(1u << h->seq);
		s->st.rx_lost--;
	} else {
		return false;
	}
	s->st.rx_buffered++;	/* out of order, like a packet held for reordering */
	rx_pass(s, payload, h->payload_len, now);
	return true;
}

static void rx_drain(struct gre_session *s, uint64_t now)
{
	const struct pqueue_entry *e;
	bool taken = false;

	while ((e = pqueue_head(&s->reorder)) && e->seq == s->rx_expected) {
		rx_take(s, e->data, e->len, now);
		pqueue_pop(&s->reorder);
		taken = true;
	}
	/* A new gap: it has been waiting since its oldest successor arrived. */
	if (taken && pqueue_count(&s->reorder))
		s->gap_since_us = pqueue_oldest_arrival(&s->reorder);
}

/* Stop waiting for the numbers before target: they are lost. */
static void rx_skip_to(struct gre_session *s, uint32_t target, uint64_t now)
{
	s->st.rx_lost += (uint32_t)(target - s->rx_expected);
	s->rx_expected = target;
	rx_drain(s, now);
}

/* A packet more than the missing window ahead of the number awaited (or
 * behind it).  It is dropped and counted (rx over win, rx under win),
 * unless it ends a run of GRE_RESYNC_COUNT such packets on the same side,
 * each 1..RESYNC_NEAR after the one before, with no packet in order or in
 * the window between them (duplicates do not break a run): then the peer's
 * numbering really moved, ahead (it skipped) or back (its side restarted),
 * and the receiver resynchronises to the new position. */
static void rx_far(struct gre_session *s, const struct gre_hdr *h, const uint8_t *payload,
		   uint64_t now, bool behind)
{
	uint32_t step = h->seq - s->far_last;

	if (s->far_streak && s->far_behind == behind && step >= 1 && step <= RESYNC_NEAR)
		s->far_streak++;
	else
		s->far_streak = 1;
	s->far_behind = behind;
	s->far_last = h->seq;
	if (s->far_streak < GRE_RESYNC_COUNT) {
		if (behind)
			s->st.rx_underwin++;
		else
			s->st.rx_overwin++;
		return;
	}
	/* What was queued came from the old position and arrived intact: it
	 * goes to pppd first, in order, its gaps given up as a gap timeout
	 * would.  The move itself is not counted as lost (it may be
	 * billions), only noted for the accounting. */
	uint32_t from = s->rx_expected, passed = (uint32_t)pqueue_count(&s->reorder);
	while (pqueue_count(&s->reorder))
		rx_skip_to(s, pqueue_head(&s->reorder)->seq, now);
	const char *how = behind ? "jumped back" : "jumped";
	if (passed)
		gre_logf(s, L_WARNING, "sequence %s from %" PRIu32 " to %" PRIu32
			 ": resynchronised, after passing on the %" PRIu32 " packet%s held for "
			 "reordering", how, from, h->seq, passed, passed == 1 ? "" : "s");
	else
		gre_logf(s, L_WARNING, "sequence %s from %" PRIu32 " to %" PRIu32
			 ": resynchronised", how, from, h->seq);
	s->rx_jumped += (uint32_t)(h->seq - s->rx_expected);
	s->rx_early_closed = true;
	s->rx_early_holes = 0;
	s->far_streak = 0;
	s->rx_expected = h->seq;
	rx_take(s, payload, h->payload_len, now);
}

static void rx_data(struct gre_session *s, const struct gre_hdr *h, const uint8_t *payload,
		    uint64_t now)
{
	if (!s->rx_started) {
		s->rx_started = true;
		s->rx_expected = s->rx_first = h->seq;
		s->rx_early_closed = h->seq > START_NEAR;
	}
	/* At every packet, so that the distance cannot lap 2^32 unseen. */
	if (!s->rx_early_closed && s->rx_expected - s->rx_first > s->cfg.missing_window) {
		s->rx_early_closed = true;
		s->rx_early_holes = 0;
	}
	int32_t d = (int32_t)(h->seq - s->rx_expected);

	if (d == 0) {
		s->far_streak = 0;
		rx_take(s, payload, h->payload_len, now);
		rx_drain(s, now);
		return;
	}
	if (d < 0) {
		/* A duplicate or a late packet; or, far behind, maybe the peer
		 * started counting again. */
		if (rx_before_start(s, h, payload, now))
			return;
		if ((uint32_t)(s->rx_expected - h->seq) > s->cfg.missing_window)
			rx_far(s, h, payload, now, true);
		else
			s->st.rx_underwin++;
		return;
	}
	if ((uint32_t)d > s->cfg.missing_window) {
		rx_far(s, h, payload, now, false);
		return;
	}
	s->far_streak = 0;
	if (s->cfg.nobuffer) {
		s->st.rx_buffered++;
		rx_skip_to(s, h->seq, now);
		rx_take(s, payload, h->payload_len, now);
		return;
	}
	int r = pqueue_insert(&s->reorder, h->seq, payload, h->payload_len, now);
	if (r == -ENOSPC) {
		/* Full: give up on the oldest gap to make room.  If this packet
		 * is itself in that gap, it becomes the next one taken. */
		uint32_t head = pqueue_head(&s->reorder)->seq;
		rx_skip_to(s, seq_before(h->seq, head) ? h->seq : head, now);
		if (h->seq == s->rx_expected) {
			s->st.rx_buffered++;
			rx_take(s, payload, h->payload_len, now);
			rx_drain(s, now);
			return;
		}
		/* At least the head was taken, so there is room now. */
		r = pqueue_insert(&s->reorder, h->seq, payload, h->payload_len, now);
	}
	if (r == 0) {
		s->st.rx_buffered++;
		if (pqueue_count(&s->reorder) == 1)
			s->gap_since_us = now;
	} else if (r == -EEXIST) {
		s->st.rx_underwin++;
	}
	/* -ENOMEM: dropped; the gap timeout will count it lost. */
}

enum gre_rx_result gre_rx(struct gre_session *s, const uint8_t *pkt, size_t len, uint64_t now_us)
{
	struct gre_hdr h;
	const uint8_t *payload;

	switch (gre_decode(pkt, len, &h, &payload)) {
	case GRE_DEC_OK:
		break;
	case GRE_DEC_TRUNCATED:
		s->st.rx_truncated++;
		return GRE_RX_TRUNCATED;
	case GRE_DEC_INVALID:
	default:
		s->st.rx_invalid++;
		return GRE_RX_INVALID;
	}
	/* Several calls to one server share the raw socket's traffic. */
	if (h.call_id != s->cfg.our_call_id)
		return GRE_RX_FOREIGN;
	if (!h.has_seq) {
		/* Without a sequence number only a pure ack makes sense. */
		if (h.payload_len || !h.has_ack) {
			s->st.rx_invalid++;
			return GRE_RX_INVALID;
		}
		s->st.rx_acks++;
		rx_ack(s, h.ack, now_us);
		return GRE_RX_ACK;
	}
	/* pppd (and the HDLC side) never see more than the frame maximum. */
	if (h.payload_len > PPTP_FRAME_MAX) {
		s->st.rx_invalid++;
		return GRE_RX_INVALID;
	}
	rx_data(s, &h, payload, now_us);
	/* After the data, so frames the ack releases carry the newest ack. */
	if (h.has_ack)
		rx_ack(s, h.ack, now_us);
	unsigned half = s->cfg.our_window / 2u;
	if (s->ack_pending && s->rx_unacked >= (half ? half : 1))
		tx_pure_ack(s, now_us);
	return GRE_RX_DATA;
}

/* ---- lifecycle, timers ---- */

int gre_session_init(struct gre_session *s, const struct gre_config *cfg, const struct gre_io *io)
{
	memset(s, 0, sizeof *s);
	s->cfg = *cfg;
	s->io = *io;
	if (s->cfg.test_type < 0 || s->cfg.test_type > 3)
		s->cfg.test_type = 0;	/* the option parser allows 0..3 only */
	/* "Acked up to the number before the first": the first real ack
	 * (for 0) is then a forward move like any other. */
	s->peer_ack = s->tx_next_seq - 1;
	pqueue_init(&s->reorder, GRE_REORDER_MAX, PPTP_FRAME_MAX);
	return 0;
}

void gre_session_free(struct gre_session *s)
{
	pqueue_clear(&s->reorder);
	for (unsigned k = 0; k < s->hold_count; k++) {
		unsigned i = (s->hold_head + k) % GRE_TX_HOLD_MAX;
		free(s->hold[i].buf);
		s->hold[i].buf = NULL;
	}
	s->hold_count = 0;
	for (unsigned i = 0; i < s->test_held_count; i++) {
		free(s->test_held[i].pkt);
		s->test_held[i].pkt = NULL;
	}
	s->test_held_count = 0;
}

bool gre_peer_acked(const struct gre_session *s)
{
	return s->peer_acked;
}

unsigned gre_reorder_held(const struct gre_session *s, uint32_t *waiting_for)
{
	*waiting_for = s->rx_expected;
	return pqueue_count(&s->reorder);
}

uint64_t gre_next_timeout(const struct gre_session *s)
{
	uint64_t t = UINT64_MAX, d;

	if (pqueue_count(&s->reorder) &&
	    (d = deadline(s->gap_since_us, s->cfg.reorder_timeout_us)) < t)
		t = d;
	if (s->ack_pending && (d = deadline(s->ack_pending_since_us, GRE_ACK_DELAY_US)) < t)
		t = d;
	if (s->hold_count && s->window_shut_since_us &&
	    (d = deadline(s->window_shut_since_us, GRE_WINDOW_STALL_US)) < t)
		t = d;
	if (s->test_held_count && (d = deadline(s->test_hold_since_us, GRE_TEST_HOLD_US)) < t)
		t = d;
	return t;
}

void gre_tick(struct gre_session *s, uint64_t now_us)
{
	/* Gaps that waited long enough: give up on them, one at a time, as
	 * each remaining gap may have been waiting as long. */
	while (pqueue_count(&s->reorder) &&
	       due(now_us, s->gap_since_us, s->cfg.reorder_timeout_us))
		rx_skip_to(s, pqueue_head(&s->reorder)->seq, now_us);

	if (s->hold_count && s->window_shut_since_us &&
	    due(now_us, s->window_shut_since_us, GRE_WINDOW_STALL_US)) {
		/* A peer that acks late does so all the time: warn once, then
		 * only count (and log for debugging). */
		s->st.tx_window_stalls++;
		gre_logf(s, s->stall_warned ? L_DEBUG : L_WARNING,
			 "peer stopped acknowledging (window %u full for %u ms): sending %u held packets%s",
			 (unsigned)s->cfg.peer_window, (unsigned)(GRE_WINDOW_STALL_US / 1000),
			 s->hold_count, s->stall_warned ? "" :
			 " (further stalls are counted as tx window stalls, logged at debug level)");
		s->stall_warned = true;
		/* Treat everything as acked, and stop enforcing until the peer
		 * acks again: a peer whose acks stopped for good must not hold
		 * us to one window per stall period. */
		s->peer_acked = false;
		tx_release_held(s, now_us, true);
		s->peer_ack = s->tx_next_seq - 1;
	}
	if (s->test_held_count && due(now_us, s->test_hold_since_us, GRE_TEST_HOLD_US))
		test_release(s, now_us);
	/* Last: the data sent above may have carried the ack already. */
	if (s->ack_pending && due(now_us, s->ack_pending_since_us, GRE_ACK_DELAY_US))
		tx_pure_ack(s, now_us);
}

void gre_flush(struct gre_session *s, uint64_t now_us)
{
	if (s->test_held_count)
		test_release(s, now_us);
	tx_release_held(s, now_us, true);
	/* Releasing the window's frames may have started another test. */
	if (s->test_held_count)
		test_release(s, now_us);
	if (s->ack_pending)
		tx_pure_ack(s, now_us);
}
