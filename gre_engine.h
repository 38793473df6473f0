/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gre_engine.h - enhanced GRE (RFC 2637 section 4) for PPTP: the codec and
 * the per-call data engine (sequence numbers, acknowledgments, the peer's
 * window, receive reordering, statistics, the --test-type reorderings).
 *
 * Pure: packets and frames and the time go in; packets to send, payloads
 * for pppd and counters come out through the struct gre_io callbacks.  No
 * sockets, no globals, no syslog. */
#ifndef PPTP_GRE_ENGINE_H
#define PPTP_GRE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pqueue.h"
#include "util.h"

#define GRE_PROTO_PPP 0x880B
#define GRE_FLAG_K 0x20
#define GRE_FLAG_S 0x10
#define GRE_ACK_A 0x80
#define GRE_VERSION 1
#define GRE_HDR_BASE 8		/* flags, version, protocol, payload length, call ID */
#define GRE_HDR_MAX 16		/* plus sequence and acknowledgment */

/* The largest PPP frame carried (the manual's PACKET_MAX): a bigger frame
 * from pppd is not sent and counts as "tx oversize". */
#define PPTP_FRAME_MAX 16384
/* Receive window we announce in the Outgoing-Call-Request. */
#define GRE_RECV_WINDOW 64
/* Reorder queue bound (packets held while waiting for a gap to fill). */
#define GRE_REORDER_MAX 64
/* A pure ack goes out this long after data arrived if nothing else carried
 * it, or at once when half our window is unacknowledged. */
#define GRE_ACK_DELAY_US 5000
/* With the peer's window full and no ack for this long, assume the acks
 * were lost and send what was held. */
#define GRE_WINDOW_STALL_US 1000000
/* Frames held while the peer's window is closed; more are dropped. */
#define GRE_TX_HOLD_MAX 64
/* --test-type: packets held for one test (types 2 and 3), and how long a
 * held packet may wait for the rest before all are sent. */
#define GRE_TEST_BURST 10
#define GRE_TEST_HOLD_US 200000
/* Consecutive packets beyond the missing window, ahead or behind, that make
 * the receiver resynchronise to the newest (the server really did skip
 * ahead, or started counting again). */
#define GRE_RESYNC_COUNT 3

/* ---- codec ---- */

struct gre_hdr {
	uint8_t flags;		/* first byte: C R K S s Recur */
	uint8_t ver;		/* second byte: A, flags, version */
	uint16_t proto;
	uint16_t payload_len;
	uint16_t call_id;
	bool has_seq, has_ack;
	uint32_t seq, ack;
	size_t hdr_len;		/* 8, 12 or 16 */
};

enum gre_dec_result {
	GRE_DEC_OK = 0,
	GRE_DEC_TRUNCATED,	/* shorter than its header, or than header + payload length */
	GRE_DEC_INVALID,	/* flags, version or protocol not PPTP's enhanced GRE */
};

/* Decode an enhanced GRE header at p (n bytes).  Every read is checked
 * against n: the base header, then sequence if S, then ack if A, then the
 * payload length.  On GRE_DEC_OK, *payload points at payload_len bytes.
 * Invalid: C, R or s set, recursion != 0, K not set, version != 1,
 * protocol != 0x880B, flag bits other than A in the second byte. */
enum gre_dec_result gre_decode(const uint8_t *p, size_t n, struct gre_hdr *h,
			       const uint8_t **payload);

/* Write a header for payload_len bytes into out (cap bytes): seq / ack may
 * be NULL to leave them out.  Returns the header length, 0 if cap is short. */
size_t gre_encode_hdr(uint8_t *out, size_t cap, uint16_t call_id, size_t payload_len,
		      const uint32_t *seq, const uint32_t *ack);

/* What a raw IPv4 socket returns is the IP header, then GRE.  Check the IP
 * header (version 4, IHL >= 5, IHL*4 <= n, total length <= n, protocol 47)
 * and return the GRE offset, or 0 when it is not a well-formed IPv4/GRE
 * packet.  *src gets the source address (network order). */
size_t ip4_gre_offset(const uint8_t *p, size_t n, uint32_t *src);

/* ---- the data engine ---- */

struct gre_config {
	uint16_t our_call_id;		/* accepted on receive */
	uint16_t peer_call_id;		/* written on send */
	uint16_t peer_window;		/* the server's Packet Recv Window Size; 0: not enforced */
	uint16_t our_window;		/* what we announced (pure-ack threshold) */
	uint64_t reorder_timeout_us;	/* --timeout */
	bool nobuffer;			/* --nobuffer */
	uint32_t missing_window;	/* --missing-window */
	int test_type;			/* --test-type 0..3 */
	unsigned test_rate;		/* --test-rate */
};

/* What the engine counts: most of the manual's statistics.  stats.h adds
 * what the gateway counts around the engine and names them all. */
struct gre_stats {
	uint64_t rx_accepted;	/* payloads passed to pppd */
	uint64_t rx_lost;	/* sequence numbers never received */
	uint64_t rx_underwin;	/* duplicates and old sequence numbers */
	uint64_t rx_overwin;	/* too far ahead (beyond --missing-window) */
	uint64_t rx_buffered;	/* ahead of sequence: queued, or taken at once with --nobuffer */
	uint64_t rx_truncated;	/* shorter than the GRE header says */
	uint64_t rx_invalid;	/* bad flags, version or protocol */
	uint64_t rx_acks;	/* pure acks received */
	uint64_t tx_sent;	/* data packets sent */
	uint64_t tx_failed;	/* the OS failed a send */
	uint64_t tx_short;	/* the OS sent part of a packet */
	uint64_t tx_acks;	/* pure acks sent */
	uint64_t tx_oversize;	/* frames over PPTP_FRAME_MAX, not sent */
	uint32_t rtt_ms;	/* smoothed round trip, from acks */
	/* beyond the manual */
	uint64_t tx_window_dropped;	/* frames dropped while the peer's window stayed shut */
	uint64_t tx_window_stalls;	/* times the window stayed shut GRE_WINDOW_STALL_US */
};

/* Results of the send callback. */
enum gre_send_result { GRE_SEND_OK = 0, GRE_SEND_FAILED, GRE_SEND_SHORT };

struct gre_io {
	void *ctx;
	/* Send one GRE packet (header + payload). */
	enum gre_send_result (*send)(void *ctx, const uint8_t *pkt, size_t len);
	/* Hand one in-order PPP payload to pppd. */
	void (*deliver)(void *ctx, const uint8_t *payload, size_t len);
	pptp_log_fn log;	/* optional: rare events (resync, window stall) */
	void *log_ctx;
};

/* What gre_rx made of a packet, for the caller's watchdog and logs. */
enum gre_rx_result {
	GRE_RX_DATA = 0,	/* a data packet for our call (whatever became of it) */
	GRE_RX_ACK,		/* a pure ack for our call */
	GRE_RX_FOREIGN,		/* well formed, another call ID: ignored, not counted */
	GRE_RX_TRUNCATED,
	GRE_RX_INVALID,
};

struct gre_tx_held {
	uint32_t seq;
	size_t len;
	uint8_t *pkt;		/* whole GRE packet, header included */
};

struct gre_session {
	struct gre_config cfg;
	struct gre_io io;
	struct gre_stats st;

	/* send side */
	uint32_t tx_next_seq;		/* next sequence number to use */
	uint32_t peer_ack;		/* highest of our sequence numbers the peer acked */
	bool peer_acked;		/* the peer has acked at least once */
	uint64_t window_shut_since_us;	/* 0: window open */
	bool stall_warned;		/* the first stall was logged as a warning */
	struct { uint8_t *buf; size_t len; } hold[GRE_TX_HOLD_MAX];	/* frames waiting for the window */
	unsigned hold_head, hold_count;
	struct { uint32_t seq; uint64_t sent_us; } rtt_probe[64];	/* send times by seq % 64 */
	uint64_t rtt_us;		/* smoothed */

	/* --test-type */
	unsigned test_count;		/* packets since the last test */
	struct gre_tx_held test_held[GRE_TEST_BURST];
	unsigned test_held_count, test_want;
	uint64_t test_hold_since_us;

	/* receive side */
	bool rx_started;		/* a data packet has been accepted */
	uint32_t rx_expected;		/* next sequence number wanted */
	uint32_t ack_sent;		/* last ack we sent */
	bool ack_pending;		/* data arrived that no packet of ours acked yet */
	uint64_t ack_pending_since_us;
	unsigned rx_unacked;		/* data packets since the last ack we sent */
	unsigned far_streak;		/* consecutive packets beyond the missing window */
	bool far_behind;		/* ... behind the number awaited, not ahead */
	uint32_t far_last;		/* the last of them */
	struct pqueue reorder;
	uint64_t gap_since_us;		/* when the current gap started waiting */
	/* receive accounting (the invariant is at rx_take in gre_engine.c) */
	uint32_t rx_first;		/* sequence number of the first data packet */
	uint32_t rx_early_holes;	/* bit n: number n, below the first seen, counted
					 * lost while it may still come (START_NEAR) */
	bool rx_early_closed;		/* numbers below the first seen are old now */
	uint64_t rx_empty;		/* empty payloads taken in order: nothing for pppd */
	uint32_t rx_jumped;		/* distance moved by resyncs, less what they counted lost */

	uint8_t txbuf[GRE_HDR_MAX + PPTP_FRAME_MAX];
};

/* Set up a session (cfg is copied).  Returns 0 or -ENOMEM. */
int gre_session_init(struct gre_session *s, const struct gre_config *cfg, const struct gre_io *io);
void gre_session_free(struct gre_session *s);

/* Packets held for reordering, behind *waiting_for (the number that has
 * not come): at the end of a tunnel these are freed, never passed on, and
 * the gateway says how many. */
unsigned gre_reorder_held(const struct gre_session *s, uint32_t *waiting_for);
/* Whether the peer has acknowledged anything we sent (since the last
 * window stall, which waits for a fresh acknowledgement). */
bool gre_peer_acked(const struct gre_session *s);

/* A GRE packet arrived (IP header already removed). */
enum gre_rx_result gre_rx(struct gre_session *s, const uint8_t *pkt, size_t len, uint64_t now_us);

/* A PPP frame from pppd to send (address/control bytes as pppd wrote them). */
void gre_tx(struct gre_session *s, const uint8_t *frame, size_t len, uint64_t now_us);
/* The same, for a frame with GRE_HDR_MAX bytes of room in front of it that
 * the engine may write: the header goes there and the send callback gets
 * the packet where it lies, not a copy (the bytes of the room before the
 * header are left as they were).  A frame that must wait (held for the
 * peer's window or for a --test-type reordering) is copied, as by gre_tx. */
void gre_tx_inplace(struct gre_session *s, uint8_t *frame, size_t len, uint64_t now_us);

/* A packet the send callback accepted (returned GRE_SEND_OK for) failed
 * later after all, or went out short (r): a caller that batches sends says
 * so with the whole packet as it was given.  The counters move (tx sent or
 * tx acks down, tx failed or tx short up), the packet gives no round-trip
 * sample, and if it carried the newest ack we sent, that ack is pending
 * again, so a pure ack follows after GRE_ACK_DELAY_US unless data carries
 * it first.  Nothing is sent or delivered here, so it may be called from
 * inside the send callback (a full batch flushed to make room).  GRE_SEND_OK
 * and packets that are not ours to send change nothing. */
void gre_send_outcome(struct gre_session *s, const uint8_t *pkt, size_t len,
		      enum gre_send_result r, uint64_t now_us);

/* Timers: absolute µs of the next thing to do (UINT64_MAX: nothing), and
 * doing it: flush timed-out reorder gaps, send a due pure ack, release a
 * stalled window or a test hold. */
uint64_t gre_next_timeout(const struct gre_session *s);
void gre_tick(struct gre_session *s, uint64_t now_us);

/* Send everything held back (window, tests) and a final ack if one is due. */
void gre_flush(struct gre_session *s, uint64_t now_us);

#endif
