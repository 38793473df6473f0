/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_gre.c - libFuzzer target for the GRE codec and the data engine.
 *
 * The whole input goes through ip4_gre_offset and gre_decode first.  Then
 * its first bytes configure a session and the rest is a script: raw
 * packets, packets built around the session's own sequence numbers (so the
 * reorder, window and resync paths are reached), frames to send, clock
 * steps, ticks, flushes, and sends reported failed after being accepted.
 * Invariants are checked with __builtin_trap. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "gre_engine.h"
#include "stats.h"
#include "fuzzcheck.h"

#define OUR_CID 0x1234
#define PEER_CID 0x5678


struct fz {
	const uint8_t *p, *end;
	uint64_t now;
	uint8_t fail_mask;	/* which sends (by count mod 8) fail */
	unsigned sends;
	bool last_failed;	/* the last send was made to fail */
	uint64_t delivered;
	uint64_t stall_logs, stall_warnings;
	/* the last packet the send callback accepted, until reported back */
	uint8_t *accepted;
	size_t accepted_len;
};

static uint8_t take8(struct fz *f) { return f->p < f->end ? *f->p++ : 0; }

static uint32_t take32(struct fz *f)
{
	uint32_t v = 0;
	for (int i = 0; i < 4; i++)
		v = v << 8 | take8(f);
	return v;
}

static enum gre_send_result fz_send(void *ctx, const uint8_t *pkt, size_t len)
{
	struct fz *f = ctx;
	struct gre_hdr h;
	const uint8_t *payload;

	/* Whatever we send is well formed, for the peer's call, exact length. */
	if (gre_decode(pkt, len, &h, &payload) != GRE_DEC_OK || h.call_id != PEER_CID ||
	    h.hdr_len + h.payload_len != len || h.payload_len > PPTP_FRAME_MAX)
		BROKEN();
	if (!h.has_seq && (!h.has_ack || h.payload_len))
		BROKEN();
	unsigned n = f->sends++;
	f->last_failed = f->fail_mask >> (n % 8) & 1;
	if (f->last_failed)
		return n & 8 ? GRE_SEND_SHORT : GRE_SEND_FAILED;
	memcpy(f->accepted, pkt, len);
	f->accepted_len = len;
	return GRE_SEND_OK;
}

static void fz_deliver(void *ctx, const uint8_t *payload, size_t len)
{
	struct fz *f = ctx;
	if (!payload || len == 0 || len > PPTP_FRAME_MAX)
		BROKEN();
	f->delivered++;
}

static void fz_log(void *ctx, int level, const char *msg)
{
	struct fz *f = ctx;
	bool stall = strstr(msg, "peer stopped acknowledging") != NULL;

	if (!msg[0] || (level != L_WARNING && level != L_DEBUG))
		BROKEN();
	if (stall) {
		f->stall_logs++;
		/* Warned once per session; the rest at debug level only. */
		if (level == L_WARNING && ++f->stall_warnings > 1)
			BROKEN();
		if (level == L_DEBUG && f->stall_warnings != 1)
			BROKEN();
	} else if (level != L_WARNING) {
		BROKEN();
	}
}

static void check_codec(const uint8_t *p, size_t n)
{
	struct gre_hdr h;
	const uint8_t *payload;

	if (gre_decode(p, n, &h, &payload) != GRE_DEC_OK)
		return;
	if (h.hdr_len != GRE_HDR_BASE + 4u * h.has_seq + 4u * h.has_ack ||
	    payload != p + h.hdr_len || h.hdr_len + h.payload_len > n)
		BROKEN();
	/* Re-encoding what was decoded gives the same header bytes. */
	uint8_t hb[GRE_HDR_MAX];
	size_t hl = gre_encode_hdr(hb, sizeof hb, h.call_id, h.payload_len,
				   h.has_seq ? &h.seq : NULL, h.has_ack ? &h.ack : NULL);
	if (hl != h.hdr_len || memcmp(hb, p, hl))
		BROKEN();
}

static void check_session(const struct gre_session *s, const struct fz *f)
{
	const struct pqueue *q = &s->reorder;
	size_t n = 0;

	if (pqueue_count(q) > GRE_REORDER_MAX || s->hold_count > GRE_TX_HOLD_MAX ||
	    s->test_held_count > GRE_TEST_BURST)
		BROKEN();
	if (s->st.rx_accepted != f->delivered)
		BROKEN();
	/* The receive accounting of gre_engine.c: every sequence number moved
	 * past is taken, lost, or passed over by a resync. */
	if (s->rx_started &&
	    (uint32_t)(s->rx_expected - s->rx_first) !=
	    (uint32_t)(s->st.rx_accepted + s->rx_empty + s->st.rx_lost + s->rx_jumped))
		BROKEN();
	if (!s->rx_started && (s->st.rx_accepted || s->rx_empty || s->st.rx_lost || s->rx_jumped))
		BROKEN();
	/* Every send is counted once: as sent (data or pure ack), failed or
	 * short, also after a failure reported later. */
	if (s->st.tx_sent + s->st.tx_acks + s->st.tx_failed + s->st.tx_short != f->sends)
		BROKEN();
	if (s->st.tx_window_stalls != f->stall_logs)
		BROKEN();
	/* Queued entries are ahead of what we wait for, in strict order. */
	for (const struct pqueue_entry *e = q->head; e; e = e->next, n++) {
		if ((int32_t)(e->seq - s->rx_expected) <= 0 || e->len > PPTP_FRAME_MAX)
			BROKEN();
		if (e->next && !seq_before(e->seq, e->next->seq))
			BROKEN();
	}
	if (n != pqueue_count(q))
		BROKEN();
	if (s->hold_count && !s->window_shut_since_us)
		BROKEN();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t zeros[PPTP_FRAME_MAX + 1];
	static uint8_t room[GRE_HDR_MAX + PPTP_FRAME_MAX + 1];
	uint32_t src;

	size_t off = ip4_gre_offset(data, size, &src);
	if (off > size || (off && (off < 20 || off > 60)))
		BROKEN();
	check_codec(data + off, size - off);
	check_codec(data, size);

	if (size < 8)
		return 0;
	struct fz f = { .p = data + 8, .end = data + size, .now = 1000000 };
	struct gre_config cfg = {
		.our_call_id = OUR_CID,
		.peer_call_id = PEER_CID,
		.nobuffer = data[0] & 1,
		.test_type = data[0] >> 1 & 3,
		.peer_window = data[1] % 8,
		.our_window = data[2] % 16,
		.missing_window = data[3],
		.reorder_timeout_us = (uint64_t)data[4] * 1000,
		.test_rate = data[5] % 16,
	};
	f.fail_mask = data[6] & data[7];
	struct gre_io io = { .ctx = &f, .send = fz_send, .deliver = fz_deliver,
			     .log = fz_log, .log_ctx = &f };
	struct gre_session *s = malloc(sizeof *s);
	uint8_t *pkt = malloc(GRE_HDR_MAX + PPTP_FRAME_MAX + 2);
	f.accepted = malloc(GRE_HDR_MAX + PPTP_FRAME_MAX);
	if (!s || !pkt || !f.accepted || gre_session_init(s, &cfg, &io)) {
		free(s);
		free(pkt);
		free(f.accepted);
		return 0;
	}

	while (f.p < f.end) {
		uint8_t op = take8(&f);
		if (op >= 0xf0) {
			/* A batching caller: the last accepted packet failed after
			 * all, or went out short (reported once). */
			if (!f.accepted_len)
				continue;
			struct gre_hdr h;
			const uint8_t *payload;
			if (gre_decode(f.accepted, f.accepted_len, &h, &payload) != GRE_DEC_OK)
				BROKEN();
			bool newest = h.has_ack && h.ack == s->ack_sent;
			gre_send_outcome(s, f.accepted, f.accepted_len,
					 op & 1 ? GRE_SEND_SHORT : GRE_SEND_FAILED, f.now);
			f.accepted_len = 0;
			/* The newest ack did not leave: it is pending again. */
			if (newest && !s->ack_pending)
				BROKEN();
			check_session(s, &f);
			continue;
		}
		switch (op % 8) {
		case 0: {	/* raw bytes as a packet */
			size_t len = take8(&f);
			if (len > (size_t)(f.end - f.p))
				len = (size_t)(f.end - f.p);
			gre_rx(s, f.p, len, f.now);
			f.p += len;
			break;
		}
		case 1: {	/* a packet near the session's own numbers */
			uint8_t fl = take8(&f);
			uint32_t seq = fl & 0x40 ? take32(&f)
						 : s->rx_expected + (uint32_t)(int8_t)take8(&f);
			uint32_t ack = s->tx_next_seq - 1 - (take8(&f) % 8u);
			size_t len = fl & 0x20 ? 0 : take8(&f);
			if (fl & 0x10)	/* around the largest payload taken */
				len = PPTP_FRAME_MAX - 1 + len % 3;
			size_t hl = gre_encode_hdr(pkt, GRE_HDR_MAX, fl & 0x80 ? OUR_CID + 1 : OUR_CID,
						   len, fl & 1 ? NULL : &seq, fl & 2 ? NULL : &ack);
			memset(pkt + hl, op, len);
			if (len >= 4)
				put32(pkt + hl, seq);
			gre_rx(s, pkt, hl + len, f.now);
			break;
		}
		case 2: {	/* a frame from pppd */
			uint8_t b = take8(&f);
			size_t len = b == 0xff ? PPTP_FRAME_MAX + 1 : b == 0xfe ? PPTP_FRAME_MAX : b;
			/* odd lengths in place, with room for the header in front */
			if (len & 1)
				gre_tx_inplace(s, room + GRE_HDR_MAX, len, f.now);
			else
				gre_tx(s, zeros, len, f.now);
			break;
		}
		case 3: {	/* time passes */
			uint8_t a = take8(&f), b = take8(&f);
			f.now += (uint64_t)a << (b % 24);
			break;
		}
		case 4: {	/* the event loop wakes up when asked to */
			uint64_t t = gre_next_timeout(s);
			if (t != UINT64_MAX && t > f.now && t - f.now < 100000000)
				f.now = t;
			gre_tick(s, f.now);
			/* Nothing may be left overdue. */
			if (gre_next_timeout(s) <= f.now)
				BROKEN();
			break;
		}
		case 5:
			gre_tick(s, f.now);
			if (gre_next_timeout(s) <= f.now)
				BROKEN();
			break;
		case 7: {	/* a burst ahead, stepping by 1..4: fills the queue */
			uint32_t base = s->rx_expected + take8(&f) % 8u;
			unsigned n = take8(&f) % 100u, step = 1 + take8(&f) % 4u;
			for (unsigned i = 0; i < n; i++) {
				uint32_t seq = base + (n - i) * step;	/* newest first */
				size_t hl = gre_encode_hdr(pkt, GRE_HDR_MAX, OUR_CID, 4, &seq, NULL);
				put32(pkt + hl, seq);
				gre_rx(s, pkt, hl + 4, f.now);
				check_session(s, &f);
			}
			break;
		}
		case 6:
			gre_flush(s, f.now);
			/* An ack stays pending only if its send failed. */
			if (s->hold_count || s->test_held_count || (s->ack_pending && !f.last_failed))
				BROKEN();
			break;
		}
		check_session(s, &f);
	}
	char line[64];
	uint64_t v[STATS_N];
	stats_collect(v, &s->st, &(struct gw_stats){ 0 });
	if (stats_format(v, line, sizeof line) <= 0 || strlen(line) >= sizeof line)
		BROKEN();
	gre_session_free(s);
	free(s);
	free(pkt);
	free(f.accepted);
	return 0;
}
