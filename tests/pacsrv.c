/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pacsrv.c - PAC-side (server) PPTP test implementation with fault injection.
 *
 * An independent encoder/decoder for the control protocol and enhanced GRE:
 * it deliberately shares no protocol code with the client, so a mistake in
 * the client's codec cannot be mirrored here and go unnoticed.
 *
 * Every event is one line on stdout, "WORD key=value ...", flushed at once.
 * "ERROR ..." lines mean the client misbehaved; tests grep for them.
 * Environment problems on our side are "WARN ..." so they never look like a
 * client fault. */
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "benchrx.h"

#define PPTP_MAGIC 0x1A2B3C4Du
#define HDR_LEN 12
#define MSG_MAX 1024		/* larger than any message the PNS may send */
#define MAX_CONNS 8
#define MAX_CALLS 64
#define ECHO_SLOTS 32
#define BURST_ID_BASE 0x80000000u	/* Echo-Request ids of --fault echo-burst */
#define ECHO_REPLY_LIMIT_US (10 * 1000000ull)	/* our Echo-Request unanswered this long: client fault */
#define STOP_REPLY_LIMIT_US (5 * 1000000ull)
#define PACE_US 2000		/* pause between bytes for split-bytes */
#define REORDER_HOLD_US 50000	/* a held packet is flushed if no successor comes (default) */
#define GRE_PKT_MAX 65536
#define OWN_RING 1024
#define OWN_HASH_BYTES 64	/* an own packet is known by its length and first bytes (seq included) */
#define RX_BATCH 32		/* GRE packets per recvmmsg */
#define TX_BATCH 64		/* GRE packets per sendmmsg */
#define TX_ARENA (1u << 20)
#define ACK_RING 64	/* acks remembered per call, for the window check */
#define SINK_CHECK_EVERY 64	/* --gre sink: check the content of one frame in this many */

enum {
	SCCRQ = 1, SCCRP, STOPCCRQ, STOPCCRP, ECHORQ, ECHORP, OCRQ, OCRP,
	ICRQ, ICRP, ICCN, CCR, CDN, WEN, SLI,
};

/* ------------------------------------------------------------------ output */

static unsigned long g_errors;
static bool g_verbose;

static void say(const char *fmt, ...) PPTP_PRINTF(1, 2);
static void say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* A client fault: counted, because the exit status of --once depends on it. */
static void client_error(const char *fmt, ...) PPTP_PRINTF(1, 2);
static void client_error(const char *fmt, ...)
{
	va_list ap;
	g_errors++;
	fputs("ERROR ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* ------------------------------------------------------------------ faults */

enum fault_id {
	F_REFUSE_CONTROL, F_REFUSE_CALL, F_REFUSE_SECOND_CALL, F_SILENT,
	F_NO_ECHO_REPLY, F_GARBAGE, F_CLOSE_MID_CALL, F_RESET_MID_CALL,
	F_CLOSE_AT_SCCRQ, F_STOP_AFTER, F_CDN_AFTER, F_ECHO_REQUEST_EVERY,
	F_BAD_MAGIC, F_BAD_PPTP_TYPE, F_LENGTH_MISMATCH, F_LENGTH, F_SPLIT_BYTES,
	F_PACKED, F_UNKNOWN_TYPE, F_WRONG_STATE, F_SECOND_SCCRP, F_OCRP_OTHER_CALL,
	F_HALF_MESSAGE, F_RESET_AT_SCCRQ, F_ECHO_BURST, F_NO_OCRP, F_NO_CDN,
	F_NO_STOPCCRP,
	F_COUNT
};

enum arg_kind { ARG_NONE, ARG_INT, ARG_SECONDS, ARG_INT_REQUIRED };

struct fault_def {
	const char *name;
	enum arg_kind kind;
	unsigned long min, max;	/* for ARG_INT */
	const char *def;	/* default argument, parsed like a given one */
	const char *help;
};

/* Indexed by enum fault_id; the names are what --fault accepts. */
static const struct fault_def fault_defs[F_COUNT] = {
	[F_REFUSE_CONTROL] = { "refuse-control", ARG_INT, 2, 255, "2", "SCCRP with this result (error code from --error-code), then close" },
	[F_REFUSE_CALL] = { "refuse-call", ARG_INT, 2, 255, "4", "OCRP with this result code" },
	[F_REFUSE_SECOND_CALL] = { "refuse-second-call", ARG_NONE, 0, 0, NULL, "first call connects, later ones get busy" },
	[F_SILENT] = { "silent", ARG_NONE, 0, 0, NULL, "accept TCP, never send anything" },
	[F_NO_ECHO_REPLY] = { "no-echo-reply", ARG_NONE, 0, 0, NULL, "never answer Echo-Requests" },
	[F_GARBAGE] = { "garbage", ARG_INT, 1, 65536, "64", "after the call is up, send N random bytes" },
	[F_CLOSE_MID_CALL] = { "close-mid-call", ARG_SECONDS, 0, 0, "1", "close TCP SECONDS after the first call is up" },
	[F_RESET_MID_CALL] = { "reset-mid-call", ARG_SECONDS, 0, 0, "1", "reset TCP (RST) SECONDS after the first call is up" },
	[F_CLOSE_AT_SCCRQ] = { "close-at-sccrq", ARG_NONE, 0, 0, NULL, "close as soon as SCCRQ arrives" },
	[F_STOP_AFTER] = { "stop-after", ARG_SECONDS, 0, 0, "1", "send StopCCRQ SECONDS after the first call is up" },
	[F_CDN_AFTER] = { "cdn-after", ARG_SECONDS, 0, 0, "1", "send CDN (admin shutdown) SECONDS after each call is up" },
	[F_ECHO_REQUEST_EVERY] = { "echo-request-every", ARG_SECONDS, 0, 0, "1", "send our own Echo-Requests, check the replies" },
	[F_BAD_MAGIC] = { "bad-magic", ARG_NONE, 0, 0, NULL, "SCCRP with a wrong magic cookie" },
	[F_BAD_PPTP_TYPE] = { "bad-pptp-type", ARG_NONE, 0, 0, NULL, "SCCRP with PPTP message type 2" },
	[F_LENGTH_MISMATCH] = { "length-mismatch", ARG_INT, 12, 1024, "152", "SCCRP framed with this length (not 156)" },
	[F_LENGTH] = { "length", ARG_INT_REQUIRED, 0, 65535, NULL, "SCCRP whose header declares length N" },
	[F_SPLIT_BYTES] = { "split-bytes", ARG_NONE, 0, 0, NULL, "send SCCRP and OCRP one byte per write" },
	[F_PACKED] = { "packed", ARG_INT, 1, 64, "3", "SCCRP and N Echo-Requests in one write" },
	[F_UNKNOWN_TYPE] = { "unknown-type", ARG_INT, 0, 65535, "42", "after SCCRP, a well-framed message of control type N" },
	[F_WRONG_STATE] = { "wrong-state", ARG_NONE, 0, 0, NULL, "send an OCRP before the SCCRP" },
	[F_SECOND_SCCRP] = { "second-sccrp", ARG_NONE, 0, 0, NULL, "send another SCCRP after the call is up" },
	[F_OCRP_OTHER_CALL] = { "ocrp-other-call", ARG_NONE, 0, 0, NULL, "OCRP naming another peer call ID, then nothing" },
	[F_HALF_MESSAGE] = { "half-message", ARG_SECONDS, 0, 0, "1", "SECONDS after the first call is up, send half an Echo-Request, then close TCP" },
	[F_RESET_AT_SCCRQ] = { "reset-at-sccrq", ARG_NONE, 0, 0, NULL, "reset TCP (RST) as soon as SCCRQ arrives" },
	[F_ECHO_BURST] = { "echo-burst", ARG_INT, 1, 100000, "1000", "once the first call is up, N Echo-Requests in one write; every reply is checked" },
	[F_NO_OCRP] = { "no-ocrp", ARG_NONE, 0, 0, NULL, "never answer an OCRQ (the call stays outstanding)" },
	[F_NO_CDN] = { "no-cdn", ARG_NONE, 0, 0, NULL, "never answer a CCR with a CDN (the call stays clearing)" },
	[F_NO_STOPCCRP] = { "no-stopccrp", ARG_NONE, 0, 0, NULL, "never answer a StopCCRQ, keep the connection open" },
};

static struct {
	bool on;
	uint64_t val;	/* integer, or microseconds for ARG_SECONDS */
} faults[F_COUNT];

static bool fault(enum fault_id f) { return faults[f].on; }

/* ------------------------------------------------------------------ options */

enum gre_mode { GRE_ECHO, GRE_NONE, GRE_COUNT, GRE_SINK, GRE_PPP };

/* --gre ppp-like: what a server's pppd does on a new call (RFC 1661): it
 * sends its own LCP Configure-Request at once and again after each restart
 * timer (pppd's default is 3 s) until it hears the peer, answers the peer's
 * Configure-Request with a Configure-Ack, and echoes nothing. */
#define PPP_RESTART_US 3000000u
#define PPP_OUR_ID 1
#define PPP_OUR_MAGIC 0x50414353u

enum gre_bad_kind { GB_TRUNCATED, GB_OVERLENGTH, GB_VERSION, GB_PROTOCOL, GB_FLAGS, GB_CALLID, GB_COUNT };
static const char *const gre_bad_names[GB_COUNT] = {
	"truncated", "overlength", "version", "protocol", "flags", "callid",
};

static struct {
	struct in_addr listen;
	char listen_str[INET_ADDRSTRLEN];
	unsigned long port, window, max_calls, error_code, call_id_base, seed;
	bool once;
	uint64_t timeout_us;
	enum gre_mode gre;
	unsigned long gre_reorder, gre_drop, gre_dup, gre_jump, gre_start, gre_bad_every;
	bool gre_bad[GB_COUNT], gre_bad_any, gre_pure_acks;
	unsigned long gre_send, gre_send_rate, gre_send_size;
	uint64_t gre_send_after_us, gre_delay_us;
	bool gre_send_after_rx;
	struct step_def steps[STEP_MAX];	/* --gre-send-steps */
	int n_steps;
	uint64_t step_gap_us, reorder_hold_us;
} opt = {
	.port = 1723, .window = 64, .max_calls = 16, .error_code = 0,
	.call_id_base = 0x4000, .seed = 1, .gre = GRE_ECHO, .gre_bad_every = 10,
	.gre_send_rate = 200, .gre_send_size = 100, .gre_send_after_us = 300000, .step_gap_us = 250000,
	.reorder_hold_us = REORDER_HOLD_US,
};

/* Frames we generate ourselves (--gre-send) have fakeppp's frame layout, so
 * fakeppp checks them and tells them from its own: FF 03 00 21, a 4-byte
 * counter 0x80000000 + i, a 2-byte length of what follows the first four
 * bytes, then data byte j = stream(i * GEN_STRIDE + j) with
 * stream(k) = (k * 31) ^ (k >> 9), truncated to 8 bits. */
#define GEN_CTR_BASE 0x80000000u
#define GEN_STRIDE 65536u
#define GEN_FRAME_MIN 10
#define GEN_FRAME_MAX 16384
#define GEN_BURST_MAX 64	/* generated frames sent at most per wake-up when behind */
#define GEN_BURST_STEPS 256	/* the same with --gre-send-steps */
#define CTR_PROBE 0xFFFFFFFEu	/* fakeppp's link probe */

/* ------------------------------------------------------------------ state */

struct gre_call {
	/* receive side: the client's stream */
	bool rx_any;		/* a data packet has arrived: we have something to ack */
	uint32_t rx_expect;	/* next client sequence number we expect */
	uint32_t rx_ack;	/* what we acknowledge */
	uint32_t last_ack_sent;
	bool ack_sent;
	/* the acks we sent and when, a ring (ack_head: the next slot): the
	 * client's window is judged by the newest ack it can have seen */
	struct { uint32_t ack; uint64_t at; } ack_ring[ACK_RING];
	unsigned ack_head, ack_n;
	uint32_t ack_evicted;	/* the newest ack pushed out of the ring */
	uint64_t ack_evicted_at;	/* 0: none */
	bool peer_ack_any;
	uint32_t peer_ack;
	/* The client enforces our window only once it has an ack of ours
	 * (pptp.8).  It has one for sure when it acks a data packet of ours
	 * that carried one: the first such is acked_tx_first. */
	bool acked_tx_any, peer_saw_ack;
	uint32_t acked_tx_first;
	/* send side */
	uint32_t tx_next;
	uint32_t tx_last;	/* last sequence number handed out */
	bool tx_any;
	uint64_t produced;	/* data packets produced (drop/dup/reorder counters) */
	bool jumped;
	uint64_t gen_sent, gen_next_us;	/* --gre-send */
	uint64_t gen_start_us;		/* when sending starts (0: not known yet) */
	uint64_t first_rx_us;		/* the first data packet from the client */
	int gen_step;			/* --gre-send-steps: the step under way */
	uint64_t gen_step_t0, gen_step_sent, gen_step_last_us;
	double gen_step_cpu;
	bool gen_step_begun;
	bool sink_ack_due;		/* --gre sink: data arrived since our last pure ack */
	uint64_t ppp_next_us;		/* --gre ppp-like: our next Configure-Request */
	uint8_t held[GRE_PKT_MAX];
	size_t held_len;
	uint64_t held_us;
};

struct call {
	bool used;
	uint16_t id, peer_id, peer_window;
	uint64_t up_us;
	struct gre_call *g;
};

enum cstate { ST_WAIT_SCCRQ, ST_ESTABLISHED, ST_BROKEN, ST_STOPPING, ST_CLOSING };

struct conn {
	bool used, dead;
	int fd;
	struct sockaddr_in peer;
	char peer_str[32];
	enum cstate state;
	uint8_t in[MSG_MAX * 2];
	size_t in_len;
	uint8_t *out;
	size_t out_len, out_off, out_cap, paced_end;
	uint64_t next_write_us;
	bool close_after_flush;
	struct call calls[MAX_CALLS];
	unsigned calls_accepted;
	uint64_t first_call_us;		/* 0: no call up yet */
	bool mid_call_done, stop_done, post_call_done;
	uint64_t stop_sent_us;
	uint32_t echo_next_id;
	uint64_t echo_next_us;
	struct { bool used; uint32_t id; uint64_t sent_us; } echo_out[ECHO_SLOTS];
	uint16_t cdn_done[MAX_CALLS];	/* client call IDs we disconnected unasked */
	unsigned cdn_done_n;
	uint32_t burst_sent, burst_replies;	/* --fault echo-burst */
};

static struct conn conns[MAX_CONNS];
static int g_raw = -1;
static bool g_raw_failed;
static uint32_t g_next_call_id;
static uint64_t g_rng;
static volatile sig_atomic_t g_signal;

static struct {
	unsigned long rx, rx_bad, tx, seq_errors;
	unsigned long rx_data, rx_acks, rx_stale, rx_foreign, tx_dropped, tx_dup, tx_bad,
		tx_pure_acks, tx_fail, ack_back, window_exceeded, window_unjudged;
} gs;

/* Our own packets come back to our raw socket when client and server share
 * an address (loopback): remember what we sent so they are not taken for
 * the client's. */
static struct { uint32_t hash; uint32_t len; bool used; } own_ring[OWN_RING];
static unsigned own_pos;
/* How many remembered packets fall in each bucket (hash & 0xffff): a packet
 * whose bucket is empty is not ours, without a look at the ring. */
static uint16_t own_bucket[65536];

/* --gre sink: the client's frames, step by step (benchrx.h) */
static struct step_rx sink_rx[STEP_MAX];
static unsigned long sink_frames, sink_probes, sink_other, sink_checked, sink_bad, sink_acks;

static uint32_t rng32(void)
{
	/* xorshift64*: reproducible from --seed, no libc state involved. */
	g_rng ^= g_rng >> 12;
	g_rng ^= g_rng << 25;
	g_rng ^= g_rng >> 27;
	return (uint32_t)((g_rng * 2685821657736338717ull) >> 32);
}

/* ------------------------------------------------------------------ control output */

static void conn_close(struct conn *c, const char *why);
static void conn_reset(struct conn *c);

/* Queue bytes for the client.  paced bytes go out one per write. */
static void gre_tx_flush(void);

static void conn_queue(struct conn *c, const uint8_t *p, size_t n, bool paced)
{
	if (fault(F_SILENT) || c->dead)
		return;
	gre_tx_flush();	/* GRE produced before this message leaves before it */
	if (c->out_off == c->out_len) {
		c->out_off = c->out_len = 0;
		c->paced_end = 0;
	}
	if (c->out_len + n > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 1024;
		while (cap < c->out_len + n)
			cap *= 2;
		uint8_t *nb = realloc(c->out, cap);
		if (!nb) {
			say("WARN out of memory");
			exit(3);
		}
		c->out = nb;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, p, n);
	c->out_len += n;
	if (paced)
		c->paced_end = c->out_len;
}

static void conn_flush(struct conn *c, uint64_t now)
{
	while (!c->dead && c->out_off < c->out_len) {
		size_t n = c->out_len - c->out_off;
		if (c->out_off < c->paced_end) {
			if (now < c->next_write_us)
				return;
			n = 1;
		}
		ssize_t w = send(c->fd, c->out + c->out_off, n, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			say("PEER WRITE_ERROR %s", strerror(errno));
			conn_close(c, "write error");
			return;
		}
		c->out_off += (size_t)w;
		if (c->out_off <= c->paced_end && c->paced_end) {
			c->next_write_us = now + PACE_US;
			if (c->out_off < c->paced_end)
				return;
		}
	}
	if (!c->dead && c->out_off == c->out_len && c->close_after_flush)
		conn_close(c, "done");
}

/* ------------------------------------------------------------------ encoders */

static void msg_header(uint8_t *m, size_t len, uint16_t type)
{
	memset(m, 0, len);
	put16(m, (uint16_t)len);
	put16(m + 2, 1);
	put32(m + 4, PPTP_MAGIC);
	put16(m + 8, type);
}

static void put_str(uint8_t *dst, size_t width, const char *s)
{
	size_t n = strlen(s);
	memcpy(dst, s, n < width ? n : width - 1);
}

static void build_sccrp(uint8_t m[156], uint8_t result, uint8_t error)
{
	msg_header(m, 156, SCCRP);
	put16(m + 12, 0x0100);
	m[14] = result;
	m[15] = error;
	put32(m + 16, 3);	/* async and sync framing */
	put32(m + 20, 3);	/* analog and digital bearer */
	put16(m + 24, (uint16_t)opt.max_calls);
	put16(m + 26, 1);
	put_str(m + 28, 64, "pacsrv");
	put_str(m + 92, 64, "pptp-test");
}

static void send_sccrp(struct conn *c, uint8_t result, uint8_t error, bool paced)
{
	uint8_t m[156];
	build_sccrp(m, result, error);
	conn_queue(c, m, sizeof m, paced);
	if (result == 1)
		say("SEND SCCRP result=%u", result);
	else
		say("SEND SCCRP result=%u error=%u", result, error);
}

static void send_ocrp(struct conn *c, uint16_t id, uint16_t peer_id, uint8_t result,
		      uint8_t error, bool paced)
{
	uint8_t m[32];
	msg_header(m, 32, OCRP);
	put16(m + 12, id);
	put16(m + 14, peer_id);
	m[16] = result;
	m[17] = error;
	put32(m + 20, 10000000);
	put16(m + 24, (uint16_t)opt.window);
	conn_queue(c, m, sizeof m, paced);
	if (result == 1)
		say("SEND OCRP call_id=%u peer_call_id=%u result=%u window=%lu", id, peer_id, result, opt.window);
	else
		say("SEND OCRP call_id=%u peer_call_id=%u result=%u error=%u", id, peer_id, result, error);
}

static bool echo_track(struct conn *c, uint32_t id, uint64_t now)
{
	for (unsigned i = 0; i < ECHO_SLOTS; i++) {
		if (!c->echo_out[i].used) {
			c->echo_out[i].used = true;
			c->echo_out[i].id = id;
			c->echo_out[i].sent_us = now;
			return true;
		}
	}
	return false;
}

static void build_echorq(uint8_t m[16], uint32_t id)
{
	msg_header(m, 16, ECHORQ);
	put32(m + 12, id);
}

static void send_echorq(struct conn *c, uint64_t now)
{
	uint8_t m[16];
	uint32_t id = c->echo_next_id++;
	if (!echo_track(c, id, now)) {
		/* all slots waiting: the timeout check reports that */
		return;
	}
	build_echorq(m, id);
	conn_queue(c, m, sizeof m, false);
	say("SEND ECHORQ id=%u", id);
}

static void send_echorp(struct conn *c, uint32_t id)
{
	uint8_t m[20];
	msg_header(m, 20, ECHORP);
	put32(m + 12, id);
	m[16] = 1;
	conn_queue(c, m, sizeof m, false);
	say("SEND ECHORP id=%u", id);
}

static void send_cdn(struct conn *c, uint16_t id, uint8_t result)
{
	uint8_t m[148];
	msg_header(m, 148, CDN);
	put16(m + 12, id);
	m[14] = result;
	conn_queue(c, m, sizeof m, false);
	say("SEND CDN call_id=%u result=%u", id, result);
}

static void send_stopccrq(struct conn *c, uint8_t reason)
{
	uint8_t m[16];
	msg_header(m, 16, STOPCCRQ);
	m[12] = reason;
	conn_queue(c, m, sizeof m, false);
	say("SEND STOPCCRQ reason=%u", reason);
}

static void send_stopccrp(struct conn *c, uint8_t result)
{
	uint8_t m[16];
	msg_header(m, 16, STOPCCRP);
	m[12] = result;
	conn_queue(c, m, sizeof m, false);
	say("SEND STOPCCRP result=%u", result);
}

/* ------------------------------------------------------------------ GRE */

static uint32_t own_hash(const uint8_t *p, size_t n)
{
	return fnv1a32(p, n < OWN_HASH_BYTES ? n : OWN_HASH_BYTES) ^ (uint32_t)n;
}

static void gre_own_remember(const uint8_t *p, size_t n)
{
	if (own_ring[own_pos].used)
		own_bucket[own_ring[own_pos].hash & 0xffff]--;
	uint32_t h = own_hash(p, n);
	own_ring[own_pos].hash = h;
	own_ring[own_pos].len = (uint32_t)n;
	own_ring[own_pos].used = true;
	own_bucket[h & 0xffff]++;
	own_pos = (own_pos + 1) % OWN_RING;
}

static bool gre_own_match(const uint8_t *p, size_t n)
{
	uint32_t h = own_hash(p, n);
	if (!own_bucket[h & 0xffff])
		return false;
	for (unsigned i = 0; i < OWN_RING; i++) {
		if (own_ring[i].used && own_ring[i].len == n && own_ring[i].hash == h) {
			own_ring[i].used = false;
			own_bucket[h & 0xffff]--;
			return true;
		}
	}
	return false;
}

static void gre_open(void)
{
	if (g_raw >= 0 || g_raw_failed)
		return;
	g_raw = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_GRE);
	if (g_raw < 0) {
		g_raw_failed = true;
		say("WARN cannot open raw GRE socket: %s (GRE disabled)", strerror(errno));
		return;
	}
	int sz = 4 << 20;
	setsockopt(g_raw, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
	setsockopt(g_raw, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
	/* When each packet arrived, not when we got round to reading it: the
	 * window check compares it with when our acks left (gre_arrival). */
	int on = 1;
	if (setsockopt(g_raw, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) < 0)
		say("WARN GRE arrival times: %s (the window check uses reading times)",
		    strerror(errno));
	if (opt.listen.s_addr != htonl(INADDR_ANY)) {
		/* so our GRE leaves from the address the client connected to */
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr = opt.listen };
		if (bind(g_raw, (struct sockaddr *)&a, sizeof a) < 0)
			say("WARN cannot bind raw GRE socket: %s", strerror(errno));
	}
	say("GRE OPEN");
}

/* --gre-delay: packets wait in a FIFO (one delay for all keeps it ordered). */
struct delayed {
	struct delayed *next;
	uint64_t due_us;
	struct in_addr to;
	size_t len;
	uint8_t pkt[];
};
static struct delayed *dq_head, *dq_tail;

/* Packets wait here for one sendmmsg: flushed when the batch is full, at
 * the end of each receive or send burst, before any control message is
 * queued (so GRE keeps its place before it) and before we sleep. */
static struct {
	struct mmsghdr m[TX_BATCH];
	struct iovec iov[TX_BATCH];
	struct sockaddr_in to[TX_BATCH];
	unsigned n;
	size_t used;
	uint8_t arena[TX_ARENA];
} txb;

static void gre_tx_flush(void)
{
	unsigned off = 0;
	while (off < txb.n) {
		int r = sendmmsg(g_raw, txb.m + off, txb.n - off, MSG_DONTWAIT);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			/* the first one failed: count it, try the rest */
			gs.tx_fail++;
			if (g_verbose)
				say("WARN GRE send failed: %s", strerror(errno));
			off++;
			continue;
		}
		for (int i = 0; i < r; i++) {
			if (txb.m[off + i].msg_len != txb.iov[off + i].iov_len) {
				gs.tx_fail++;
				if (g_verbose)
					say("WARN GRE send failed: short");
			} else {
				gs.tx++;
			}
		}
		off += (unsigned)r;
	}
	txb.n = 0;
	txb.used = 0;
}

static void gre_xmit(struct in_addr dst, const uint8_t *p, size_t n)
{
	if (txb.n == TX_BATCH || txb.used + n > TX_ARENA)
		gre_tx_flush();
	if (n > TX_ARENA) {
		gs.tx_fail++;
		return;
	}
	uint8_t *d = txb.arena + txb.used;
	memcpy(d, p, n);
	txb.used += n;
	txb.to[txb.n] = (struct sockaddr_in){ .sin_family = AF_INET, .sin_addr = dst };
	txb.iov[txb.n] = (struct iovec){ .iov_base = d, .iov_len = n };
	txb.m[txb.n] = (struct mmsghdr){ .msg_hdr = { .msg_name = &txb.to[txb.n], .msg_namelen = sizeof txb.to[0],
						      .msg_iov = &txb.iov[txb.n], .msg_iovlen = 1 } };
	txb.n++;
}

static void gre_send_raw(struct conn *c, const uint8_t *p, size_t n)
{
	if (g_raw < 0)
		return;
	gre_own_remember(p, n);
	if (!opt.gre_delay_us) {
		gre_xmit(c->peer.sin_addr, p, n);
		return;
	}
	struct delayed *d = malloc(sizeof *d + n);
	if (!d) {
		say("WARN out of memory");
		exit(3);
	}
	d->next = NULL;
	d->due_us = now_us() + opt.gre_delay_us;
	d->to = c->peer.sin_addr;
	d->len = n;
	memcpy(d->pkt, p, n);
	if (dq_tail)
		dq_tail->next = d;
	else
		dq_head = d;
	dq_tail = d;
}

/* Send the delayed packets that are due; returns the next due time (0: none). */
static uint64_t gre_delay_flush(uint64_t now)
{
	while (dq_head && dq_head->due_us <= now) {
		struct delayed *d = dq_head;
		dq_head = d->next;
		if (!dq_head)
			dq_tail = NULL;
		gre_xmit(d->to, d->pkt, d->len);
		free(d);
	}
	if (txb.n)
		gre_tx_flush();
	return dq_head ? dq_head->due_us : 0;
}

/* Build a GRE packet to the client: seq present when seq_p, ack when ack_p. */
static size_t gre_build(uint8_t *pkt, uint16_t client_call, const uint32_t *seq_p,
			const uint32_t *ack_p, const uint8_t *payload, size_t plen)
{
	size_t h = 8;
	pkt[0] = 0x20 | (seq_p ? 0x10 : 0);
	pkt[1] = (uint8_t)((ack_p ? 0x80 : 0) | 1);
	put16(pkt + 2, 0x880B);
	put16(pkt + 4, (uint16_t)plen);
	put16(pkt + 6, client_call);
	if (seq_p) {
		put32(pkt + h, *seq_p);
		h += 4;
	}
	if (ack_p) {
		put32(pkt + h, *ack_p);
		h += 4;
	}
	if (plen)
		memcpy(pkt + h, payload, plen);
	return h + plen;
}

static void gre_note_ack_sent(struct gre_call *g)
{
	if (!g->rx_any)
		return;
	g->last_ack_sent = g->rx_ack;
	g->ack_sent = true;
	unsigned h = g->ack_head;
	if (g->ack_n == ACK_RING) {
		g->ack_evicted = g->ack_ring[h].ack;
		g->ack_evicted_at = g->ack_ring[h].at;
	} else {
		g->ack_n++;
	}
	/* When it was built, a moment before it leaves: never later than the
	 * client can have seen it. */
	g->ack_ring[h].ack = g->rx_ack;
	g->ack_ring[h].at = now_us();
	g->ack_head = (h + 1) % ACK_RING;
}

/* The newest ack we had sent when a packet of the client's arrived: the
 * client sent that packet earlier still, so it cannot have seen a newer
 * one, and a packet beyond this ack plus the window broke the window
 * whatever the delays.  1: *ack is that ack; 0: none was sent before;
 * -1: it is older than the ring remembers (not judged). */
static int gre_ack_before(const struct gre_call *g, uint64_t arrived, uint32_t *ack)
{
	for (unsigned k = 0; k < g->ack_n; k++) {
		unsigned i = (g->ack_head + ACK_RING - 1 - k) % ACK_RING;
		if (g->ack_ring[i].at <= arrived) {
			*ack = g->ack_ring[i].ack;
			return 1;
		}
	}
	if (!g->ack_evicted_at)
		return 0;
	if (g->ack_evicted_at <= arrived) {
		*ack = g->ack_evicted;
		return 1;
	}
	return -1;
}

static void gre_send_pure_ack(struct conn *c, struct call *k)
{
	uint8_t pkt[12];
	size_t n = gre_build(pkt, k->peer_id, NULL, &k->g->rx_ack, NULL, 0);
	gre_note_ack_sent(k->g);
	gre_send_raw(c, pkt, n);
	gs.tx_pure_acks++;
	if (g_verbose)
		say("GRE TX call_id=%u seq=- ack=%u len=0", k->peer_id, k->g->rx_ack);
}

/* One malformed packet of the given kind, carrying a real payload, so that a
 * client accepting it hands a duplicate frame to PPP, which fakeppp sees. */
static void gre_send_bad(struct conn *c, struct call *k, enum gre_bad_kind kind, uint32_t seq,
			 const uint8_t *payload, size_t plen)
{
	static uint8_t pkt[GRE_PKT_MAX + 32];
	const uint32_t *ackp = k->g->rx_any ? &k->g->rx_ack : NULL;
	size_t n = gre_build(pkt, k->peer_id, &seq, ackp, payload, plen);

	switch (kind) {
	case GB_TRUNCATED: n = 10; break;	/* cut inside the sequence number */
	case GB_OVERLENGTH: put16(pkt + 4, (uint16_t)(plen + 8)); break;
	case GB_VERSION: pkt[1] = (uint8_t)(pkt[1] & ~0x07); break;
	case GB_PROTOCOL: put16(pkt + 2, 0x0800); break;
	case GB_FLAGS: pkt[0] |= 0x80; break;	/* checksum-present, which PPTP never uses */
	case GB_CALLID: put16(pkt + 6, (uint16_t)(k->peer_id ^ 0x5a5a)); break;
	case GB_COUNT: return;
	}
	gre_send_raw(c, pkt, n);
	gs.tx_bad++;
	if (g_verbose)
		say("GRE TX_BAD kind=%s call_id=%u seq=%u len=%zu", gre_bad_names[kind], k->peer_id, seq, plen);
}

static void gre_flush_held(struct conn *c, struct call *k)
{
	if (!k->g->held_len)
		return;
	gre_send_raw(c, k->g->held, k->g->held_len);
	k->g->held_len = 0;
}

/* Send one data packet back to the client, applying the --gre-* faults. */
static void gre_produce(struct conn *c, struct call *k, const uint8_t *payload, size_t plen, uint64_t now)
{
	static uint8_t pkt[GRE_PKT_MAX + 32];
	struct gre_call *g = k->g;
	uint64_t n = ++g->produced;
	uint32_t seq = g->tx_next++;

	g->tx_last = seq;
	g->tx_any = true;
	if (opt.gre_jump && !g->jumped) {
		/* the jump happens once, after the first packet */
		g->jumped = true;
		g->tx_next += (uint32_t)opt.gre_jump;
	}
	if (opt.gre_bad_any && n % opt.gre_bad_every == 0)
		for (int b = 0; b < GB_COUNT; b++)
			if (opt.gre_bad[b])
				gre_send_bad(c, k, (enum gre_bad_kind)b, seq, payload, plen);
	if (opt.gre_drop && n % opt.gre_drop == 0) {
		gs.tx_dropped++;
		if (g_verbose)
			say("GRE TX_DROP call_id=%u seq=%u", k->peer_id, seq);
		return;
	}
	const uint32_t *ackp = g->rx_any ? &g->rx_ack : NULL;
	size_t len = gre_build(pkt, k->peer_id, &seq, ackp, payload, plen);
	gre_note_ack_sent(g);
	if (ackp && !g->acked_tx_any) {
		g->acked_tx_any = true;
		g->acked_tx_first = seq;
	}
	if (g_verbose)
		say("GRE TX call_id=%u seq=%u ack=%s%u len=%zu", k->peer_id, seq, ackp ? "" : "-",
		    ackp ? *ackp : 0, plen);
	if (g->held_len) {
		gre_send_raw(c, pkt, len);
		gre_flush_held(c, k);
		return;
	}
	if (opt.gre_reorder && n % opt.gre_reorder == 0) {
		memcpy(g->held, pkt, len);
		g->held_len = len;
		g->held_us = now;
		return;
	}
	gre_send_raw(c, pkt, len);
	if (opt.gre_dup && n % opt.gre_dup == 0) {
		gre_send_raw(c, pkt, len);
		gs.tx_dup++;
	}
}

static uint8_t gen_stream(uint64_t k) { return (uint8_t)((k * 31u) ^ (k >> 9)); }

static double cpu_self_s(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       (double)ru.ru_stime.tv_usec / 1e6;
}

/* Generated frame number `index` of `size` bytes into f.  Data byte j is
 * stream(index * GEN_STRIDE + j); GEN_STRIDE is a multiple of 512, so its
 * low 8 bits depend on the index only through its parity: two templates,
 * made once, give every frame. */
static void gen_frame(uint8_t *f, uint32_t index, size_t size)
{
	static uint8_t tpl[2][GEN_FRAME_MAX];
	static bool ready;
	if (!ready) {
		for (unsigned par = 0; par < 2; par++)
			for (size_t j = 0; j + 10 < GEN_FRAME_MAX; j++)
				tpl[par][10 + j] = gen_stream((uint64_t)par * GEN_STRIDE + j);
		ready = true;
	}
	memcpy(f + 10, tpl[index & 1] + 10, size - 10);
	f[0] = 0xFF;
	f[1] = 0x03;
	f[2] = 0x00;
	f[3] = 0x21;
	put32(f + 4, GEN_CTR_BASE + index);
	put16(f + 8, (uint16_t)(size - 4));
}

static bool gen_enabled(void) { return opt.gre_send || opt.n_steps; }

static bool gen_pending(const struct gre_call *g)
{
	return opt.n_steps ? g->gen_step < opt.n_steps : g->gen_sent < opt.gre_send;
}

/* --gre-send-steps: step after step, each at its rate for its time, a gap
 * between them; frame counters carry the step (benchrx.h). */
static void gre_generate_steps(struct conn *c, struct call *k, uint64_t now)
{
	static uint8_t f[GEN_FRAME_MAX];
	struct gre_call *g = k->g;
	size_t size = opt.gre_send_size;
	int burst = 0;

	while (g->gen_step < opt.n_steps) {
		const struct step_def *d = &opt.steps[g->gen_step];
		uint64_t t0 = g->gen_step_t0, end = t0 + d->dur_us;
		if (now < t0) {
			g->gen_next_us = t0;
			break;
		}
		if (!g->gen_step_begun) {
			g->gen_step_begun = true;
			g->gen_step_sent = 0;
			g->gen_step_cpu = cpu_self_s();
			if (g->gen_step == 0)
				say("GRE SEND start call_id=%u steps=%d size=%zu", k->peer_id, opt.n_steps, size);
		}
		uint64_t cap = d->rate ? (uint64_t)((double)d->rate * (double)d->dur_us / 1e6) : UINT64_MAX;
		if (cap < 1)
			cap = 1;
		if (cap > STEP_INDEX_MASK + 1ull)
			cap = STEP_INDEX_MASK + 1ull;
		if (now >= end || g->gen_step_sent >= cap) {
			if (now < end) {	/* all sent: the step still lasts its time */
				g->gen_next_us = end;
				break;
			}
			say("GRE STEP step=%d rate=%lu sent=%llu start_us=%llu end_us=%llu last_us=%llu cpu_s=%.3f",
			    g->gen_step, d->rate, (unsigned long long)g->gen_step_sent, (unsigned long long)t0,
			    (unsigned long long)end, (unsigned long long)g->gen_step_last_us,
			    cpu_self_s() - g->gen_step_cpu);
			gre_flush_held(c, k);	/* the step ends with all its frames sent */
			g->gen_step++;
			g->gen_step_begun = false;
			g->gen_step_t0 = end + opt.step_gap_us;
			if (g->gen_step == opt.n_steps)
				say("GRE SEND done call_id=%u frames=%llu", k->peer_id, (unsigned long long)g->gen_sent);
			continue;
		}
		uint64_t due = d->rate ? step_due(d, now - t0) : UINT64_MAX;
		if (g->gen_step_sent >= due) {
			/* the next frame's time */
			uint64_t t = t0 + (uint64_t)((double)g->gen_step_sent * 1e6 / (double)d->rate);
			g->gen_next_us = t > now ? t : now + 1;
			if (g->gen_next_us > end)
				g->gen_next_us = end;
			break;
		}
		if (burst == GEN_BURST_STEPS) {
			g->gen_next_us = now;
			break;
		}
		gen_frame(f, (uint32_t)g->gen_step << STEP_SHIFT | (uint32_t)g->gen_step_sent, size);
		g->gen_step_sent++;
		g->gen_sent++;
		g->gen_step_last_us = now;
		gre_produce(c, k, f, size, now);
		burst++;
	}
	gre_tx_flush();
}

/* --gre-send: our own data frames, paced at --gre-send-rate, through the
 * same --gre-* faults as echoed ones. */
static void gre_generate(struct conn *c, struct call *k, uint64_t now)
{
	static uint8_t f[GEN_FRAME_MAX];
	struct gre_call *g = k->g;
	size_t size = opt.gre_send_size;

	if (g_raw < 0)
		return;
	if (!g->gen_start_us) {
		if (opt.gre_send_after_rx && !g->first_rx_us)
			return;	/* started by the client's first data packet */
		g->gen_start_us = (opt.gre_send_after_rx ? g->first_rx_us : k->up_us) + opt.gre_send_after_us;
		g->gen_next_us = g->gen_step_t0 = g->gen_start_us;
	}
	if (opt.n_steps) {
		gre_generate_steps(c, k, now);
		return;
	}
	for (int burst = 0; burst < GEN_BURST_MAX && g->gen_sent < opt.gre_send && now >= g->gen_next_us; burst++) {
		gen_frame(f, (uint32_t)g->gen_sent, size);
		if (g->gen_sent == 0)
			say("GRE SEND start call_id=%u frames=%lu rate=%lu size=%zu", k->peer_id, opt.gre_send,
			    opt.gre_send_rate, size);
		g->gen_sent++;
		gre_produce(c, k, f, size, now);
		g->gen_next_us = opt.gre_send_rate ?
			g->gen_start_us + g->gen_sent * 1000000u / opt.gre_send_rate : now;
	}
	gre_tx_flush();
	if (g->gen_sent == opt.gre_send)
		say("GRE SEND done call_id=%u frames=%llu", k->peer_id, (unsigned long long)g->gen_sent);
}

static struct call *call_by_id(struct conn *c, uint16_t id)
{
	for (int i = 0; i < MAX_CALLS; i++)
		if (c->calls[i].used && c->calls[i].id == id)
			return &c->calls[i];
	return NULL;
}

/* The connection a GRE packet from a belongs to: the one from that address
 * owning its call ID, else any from that address (for the error report). */
static struct conn *conn_for_gre(struct in_addr a, const uint8_t *g, size_t n)
{
	struct conn *first = NULL;
	for (int i = 0; i < MAX_CONNS; i++) {
		struct conn *c = &conns[i];
		if (!c->used || c->dead || c->peer.sin_addr.s_addr != a.s_addr)
			continue;
		if (n >= 8 && call_by_id(c, get16(g + 6)))
			return c;
		if (!first)
			first = c;
	}
	return first;
}

static struct call *call_by_peer_id(struct conn *c, uint16_t peer_id)
{
	for (int i = 0; i < MAX_CALLS; i++)
		if (c->calls[i].used && c->calls[i].peer_id == peer_id)
			return &c->calls[i];
	return NULL;
}

static bool id_was_ours(uint16_t id)
{
	uint16_t span = (uint16_t)(g_next_call_id - opt.call_id_base);
	return (uint16_t)(id - opt.call_id_base) < span;
}

static void gre_bad(const char *peer, const uint8_t *p, size_t n, const char *why)
{
	char hex[64];
	hex_str(hex, sizeof hex, p, n, 16);
	gs.rx_bad++;
	client_error("GRE from %s: %s [%s]", peer, why, hex);
}

/* Calls owed a pure ack at the end of this receive batch (--gre sink). */
static struct { struct conn *c; struct call *k; } ack_due[MAX_CONNS * 4];
static unsigned ack_due_n;

/* --gre sink: count the client's frames (fakeppp --fast layout) step by
 * step, check the content of one in SINK_CHECK_EVERY, echo link probes, and
 * acknowledge once per receive batch. */
static void sink_input(struct conn *c, struct call *k, const uint8_t *f, size_t n, uint64_t now)
{
	if (!k->g->sink_ack_due && ack_due_n < ARRAY_LEN(ack_due)) {
		k->g->sink_ack_due = true;
		ack_due[ack_due_n].c = c;
		ack_due[ack_due_n].k = k;
		ack_due_n++;
	}
	if (n < 10 || f[0] != 0xFF || f[1] != 0x03 || f[2] != 0x00 || f[3] != 0x21) {
		sink_other++;
		return;
	}
	uint32_t ctr = get32(f + 4);
	if (ctr == CTR_PROBE) {
		sink_probes++;
		gre_produce(c, k, f, n, now);
		return;
	}
	if (ctr >= GEN_CTR_BASE || (ctr >> STEP_SHIFT) >= STEP_MAX) {
		sink_other++;
		return;
	}
	if (!step_rx_note(&sink_rx[ctr >> STEP_SHIFT], ctr, now))
		return;
	if (sink_frames++ % SINK_CHECK_EVERY)
		return;
	/* fakeppp --fast: data byte j is stream(j) in every frame */
	sink_checked++;
	bool ok = get16(f + 8) == n - 4;
	for (size_t j = 0; ok && j < n - 10; j++)
		ok = f[10 + j] == gen_stream(j);
	if (!ok) {
		sink_bad++;
		char hex[64];
		hex_str(hex, sizeof hex, f, n, 16);
		client_error("GRE call %u: frame %08x damaged (%zu bytes) [%s]", k->id, ctr, n, hex);
	}
}

static void sink_send_acks(void)
{
	for (unsigned i = 0; i < ack_due_n; i++) {
		struct call *k = ack_due[i].k;
		if (k->used && k->g && k->g->sink_ack_due) {
			k->g->sink_ack_due = false;
			gre_send_pure_ack(ack_due[i].c, k);
			sink_acks++;
		}
	}
	ack_due_n = 0;
}

/* --gre ppp-like: our LCP Configure-Request (magic number only). */
static void ppp_send_confreq(struct conn *c, struct call *k, uint64_t now)
{
	uint8_t f[14] = { 0xff, 0x03, 0xc0, 0x21, 1, PPP_OUR_ID, 0, 10, 5, 6 };

	put32(f + 10, PPP_OUR_MAGIC);
	say("PPP TX Configure-Request id=%u call_id=%u", PPP_OUR_ID, k->peer_id);
	gre_produce(c, k, f, sizeof f, now);
}

/* --gre ppp-like: a frame from the client.  Its Configure-Request gets,
 * as from pppd, a Configure-Reject carrying back the options of types it
 * does not know (what --diagnose pads its path MTU probes with), else a
 * Configure-Ack with the same identifier and options; anything else is
 * taken in silence. */
static bool lcp_type_known(uint8_t t) { return (t >= 1 && t <= 8) || t == 13; }

static void ppp_input(struct conn *c, struct call *k, const uint8_t *p, size_t n, uint64_t now)
{
	static uint8_t ans[GRE_PKT_MAX];

	if (n < 8 || p[0] != 0xff || p[1] != 0x03 || get16(p + 2) != 0xc021 || p[4] != 1 ||
	    get16(p + 6) < 4 || get16(p + 6) > n - 4)
		return;
	size_t len = 4 + get16(p + 6), rej = 8;
	for (size_t at = 8; at + 2 <= len && p[at + 1] >= 2 && at + p[at + 1] <= len; at += p[at + 1])
		if (!lcp_type_known(p[at])) {
			memcpy(ans + rej, p + at, p[at + 1]);
			rej += p[at + 1];
		}
	if (rej > 8) {
		memcpy(ans, p, 8);
		ans[4] = 4;
		put16(ans + 6, (uint16_t)(rej - 4));
		len = rej;
	} else {
		memcpy(ans, p, len);
		ans[4] = 2;
	}
	say("PPP RX Configure-Request id=%u; TX Configure-%s (%zu bytes)", p[5],
	    rej > 8 ? "Reject" : "Ack", len);
	gre_produce(c, k, ans, len, now);
}

/* Strict check of one GRE packet from the client (IP header already gone). */
static void gre_input(struct conn *c, const uint8_t *p, size_t n, uint64_t now, uint64_t arrived)
{
	char why[96];

	/* Only packets naming one of our calls are the client's: on a shared
	 * host (loopback, parallel tests) other GRE, even deliberately bad
	 * GRE from another pacsrv, arrives here too. */
	if (n < 8) {
		gs.rx_foreign++;
		if (g_verbose)
			say("GRE RX_RUNT from %s len=%zu (no call ID: not attributable)", c->peer_str, n);
		return;
	}
	uint16_t call_id = get16(p + 6);
	struct call *k = call_by_id(c, call_id);
	if (!k) {
		if (call_by_peer_id(c, call_id)) {
			gs.rx++;
			gs.rx_bad++;
			client_error("GRE from %s carries the client's own call ID %u, not ours", c->peer_str, call_id);
		} else if (id_was_ours(call_id)) {
			gs.rx_stale++;	/* in flight when the call was cleared */
		} else {
			gs.rx_foreign++;
		}
		return;
	}
	gs.rx++;
	if ((p[0] & ~0x10) != 0x20) {
		snprintf(why, sizeof why, "bad flags 0x%02x (want K set; C, R, s, recursion clear)", p[0]);
		gre_bad(c->peer_str, p, n, why);
		return;
	}
	if ((p[1] & 0x07) != 1) {
		snprintf(why, sizeof why, "bad version %u", p[1] & 0x07);
		gre_bad(c->peer_str, p, n, why);
		return;
	}
	if (p[1] & 0x78) {
		snprintf(why, sizeof why, "reserved flag bits set in 0x%02x", p[1]);
		gre_bad(c->peer_str, p, n, why);
		return;
	}
	if (get16(p + 2) != 0x880B) {
		snprintf(why, sizeof why, "bad protocol 0x%04x", get16(p + 2));
		gre_bad(c->peer_str, p, n, why);
		return;
	}
	bool has_seq = p[0] & 0x10, has_ack = p[1] & 0x80;
	size_t hlen = 8 + (has_seq ? 4u : 0u) + (has_ack ? 4u : 0u);
	uint16_t plen = get16(p + 4);
	if (n < hlen) {
		snprintf(why, sizeof why, "truncated header (%zu of %zu bytes)", n, hlen);
		gre_bad(c->peer_str, p, n, why);
		return;
	}
	if (hlen + plen != n) {
		snprintf(why, sizeof why, "payload length %u but %zu bytes follow the header", plen, n - hlen);
		gre_bad(c->peer_str, p, n, why);
		return;
	}
	if (!has_seq && plen) {
		gre_bad(c->peer_str, p, n, "payload without a sequence number");
		return;
	}
	if (has_seq && !plen) {
		gre_bad(c->peer_str, p, n, "sequence number on an empty packet");
		return;
	}
	if (!has_seq && !has_ack) {
		gre_bad(c->peer_str, p, n, "neither sequence nor acknowledgment");
		return;
	}
	uint32_t seq = has_seq ? get32(p + 8) : 0;
	uint32_t ack = has_ack ? get32(p + 8 + (has_seq ? 4 : 0)) : 0;
	if (g_verbose) {
		char s[16] = "-", a[16] = "-";
		if (has_seq)
			snprintf(s, sizeof s, "%u", seq);
		if (has_ack)
			snprintf(a, sizeof a, "%u", ack);
		say("GRE RX call_id=%u seq=%s ack=%s len=%u", call_id, s, a, plen);
	}

	struct gre_call *g = k->g;
	if (has_ack) {
		if (!g->tx_any) {
			gs.rx_bad++;
			client_error("GRE call %u: ack %u before we sent any data", call_id, ack);
		} else if (seq_before(g->tx_last, ack)) {
			gs.rx_bad++;
			client_error("GRE call %u: ack %u beyond our last sequence number %u", call_id, ack, g->tx_last);
		} else if (g->peer_ack_any && seq_before(ack, g->peer_ack)) {
			gs.ack_back++;
		} else {
			g->peer_ack = ack;
			g->peer_ack_any = true;
		}
	}
	if (!has_seq) {
		gs.rx_acks++;
		return;
	}
	gs.rx_data++;
	if (!g->first_rx_us)
		g->first_rx_us = now;
	if (seq != g->rx_expect) {
		gs.seq_errors++;
		if (g_verbose)
			say("GRE SEQ_ERROR call_id=%u seq=%u expected=%u", call_id, seq, g->rx_expect);
	}
	if (!g->rx_any || !seq_before(seq, g->rx_expect)) {
		g->rx_expect = seq + 1;
		g->rx_ack = seq;
		g->rx_any = true;
	}
	/* Our advertised receive window bounds what the client has unacked,
	 * counted from the newest ack it can have seen.  Before it has had an
	 * ack the client need not enforce it (pptp.8: some servers never ack),
	 * and only its own acks show when it had one. */
	if (has_ack && g->acked_tx_any && !seq_before(ack, g->acked_tx_first))
		g->peer_saw_ack = true;
	uint32_t seen;
	int judged = g->peer_saw_ack ? gre_ack_before(g, arrived, &seen) : 0;
	if (judged < 0)
		gs.window_unjudged++;
	/* Signed: a packet the network delayed past newer ones is behind the
	 * ack, not over the window. */
	if (judged > 0 && (int32_t)(seq - (seen + 1)) >= (int32_t)opt.window) {
		gs.window_exceeded++;
		if (g_verbose)
			say("GRE WINDOW_EXCEEDED call_id=%u seq=%u acked=%u window=%lu", call_id, seq,
			    seen, opt.window);
	}
	if (opt.gre_pure_acks)
		gre_send_pure_ack(c, k);
	if (opt.gre == GRE_ECHO)
		gre_produce(c, k, p + hlen, plen, now);
	else if (opt.gre == GRE_PPP)
		ppp_input(c, k, p + hlen, plen, now);
	else if (opt.gre == GRE_SINK)
		sink_input(c, k, p + hlen, plen, now);
}

/* A packet's arrival on our clock (now_us's, read as `now` together with
 * rt_now), from its kernel timestamp; now when it has none.  Under load we
 * read a packet long after it came, and acks we sent meanwhile must not
 * count as seen by the client when it sent it (gre_ack_before). */
static uint64_t gre_arrival(struct msghdr *h, uint64_t now, uint64_t rt_now)
{
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(h); cm; cm = CMSG_NXTHDR(h, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_TIMESTAMPNS)
			continue;
		struct timespec ts;
		memcpy(&ts, CMSG_DATA(cm), sizeof ts);
		uint64_t rt = (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
		uint64_t ago = rt_now > rt ? rt_now - rt : 0;
		return ago < now ? now - ago : now;
	}
	return now;
}

static void gre_read(uint64_t now)
{
	static uint8_t bufs[RX_BATCH][GRE_PKT_MAX + 64];
	static union { char buf[CMSG_SPACE(sizeof(struct timespec))]; struct cmsghdr align; }
		ctl[RX_BATCH];
	struct mmsghdr m[RX_BATCH];
	struct iovec iov[RX_BATCH];
	struct sockaddr_in from[RX_BATCH];
	struct timespec rts;
	clock_gettime(CLOCK_REALTIME, &rts);
	uint64_t rt_now = (uint64_t)rts.tv_sec * 1000000u + (uint64_t)rts.tv_nsec / 1000u;
	uint64_t mono = now_us();	/* read together with rt_now */

	for (int budget = 0; budget < 256; budget += RX_BATCH) {
		for (int i = 0; i < RX_BATCH; i++) {
			iov[i] = (struct iovec){ .iov_base = bufs[i], .iov_len = sizeof bufs[i] };
			m[i] = (struct mmsghdr){ .msg_hdr = { .msg_name = &from[i], .msg_namelen = sizeof from[i],
							      .msg_iov = &iov[i], .msg_iovlen = 1,
							      .msg_control = ctl[i].buf,
							      .msg_controllen = sizeof ctl[i].buf } };
		}
		int r = recvmmsg(g_raw, m, RX_BATCH, MSG_DONTWAIT, NULL);
		if (r < 0) {
			if (errno != EAGAIN && errno != EINTR)
				say("WARN GRE receive: %s", strerror(errno));
			break;
		}
		for (int i = 0; i < r; i++) {
			const uint8_t *buf = bufs[i];
			size_t n = m[i].msg_len;
			if (n < 20 || (buf[0] >> 4) != 4)
				continue;
			size_t ihl = (size_t)(buf[0] & 15) * 4;
			if (ihl < 20 || ihl > n)
				continue;
			struct in_addr src;
			memcpy(&src.s_addr, buf + 12, 4);
			const uint8_t *g = buf + ihl;
			size_t glen = n - ihl;
			if (gre_own_match(g, glen))
				continue;
			struct conn *c = conn_for_gre(src, g, glen);
			if (!c) {
				gs.rx_foreign++;
				continue;
			}
			gre_input(c, g, glen, now, gre_arrival(&m[i].msg_hdr, mono, rt_now));
		}
		if (ack_due_n)
			sink_send_acks();
		if (r < RX_BATCH)
			break;
	}
	gre_tx_flush();
}

/* ------------------------------------------------------------------ control input */

struct reserved { uint8_t off, size; };

struct ctrl_def {
	uint16_t type;
	const char *name;
	uint16_t len;
	unsigned states;	/* bit per enum cstate where the PNS may send it; 0: never */
	void (*recv)(struct conn *c, const uint8_t *m, uint64_t now);
	struct reserved rsv[2];
};

#define S(x) (1u << (x))

static void recv_sccrq(struct conn *c, const uint8_t *m, uint64_t now);
static void recv_stopccrq(struct conn *c, const uint8_t *m, uint64_t now);
static void recv_stopccrp(struct conn *c, const uint8_t *m, uint64_t now);
static void recv_echorq(struct conn *c, const uint8_t *m, uint64_t now);
static void recv_echorp(struct conn *c, const uint8_t *m, uint64_t now);
static void recv_ocrq(struct conn *c, const uint8_t *m, uint64_t now);
static void recv_ccr(struct conn *c, const uint8_t *m, uint64_t now);
static void recv_sli(struct conn *c, const uint8_t *m, uint64_t now);

static const struct ctrl_def ctrl_defs[] = {
	{ SCCRQ, "SCCRQ", 156, S(ST_WAIT_SCCRQ), recv_sccrq, { { 14, 2 } } },
	{ SCCRP, "SCCRP", 156, 0, NULL, { { 0, 0 } } },
	{ STOPCCRQ, "STOPCCRQ", 16, S(ST_ESTABLISHED) | S(ST_BROKEN) | S(ST_STOPPING), recv_stopccrq, { { 13, 1 }, { 14, 2 } } },
	{ STOPCCRP, "STOPCCRP", 16, S(ST_STOPPING), recv_stopccrp, { { 14, 2 } } },
	{ ECHORQ, "ECHORQ", 16, S(ST_ESTABLISHED) | S(ST_BROKEN) | S(ST_STOPPING), recv_echorq, { { 0, 0 } } },
	/* An Echo-Reply may cross the client's Stop-Control-Connection-Request. */
	{ ECHORP, "ECHORP", 20, S(ST_ESTABLISHED) | S(ST_BROKEN) | S(ST_STOPPING) | S(ST_CLOSING), recv_echorp, { { 18, 2 } } },
	{ OCRQ, "OCRQ", 168, S(ST_ESTABLISHED), recv_ocrq, { { 38, 2 } } },
	{ OCRP, "OCRP", 32, 0, NULL, { { 0, 0 } } },
	{ ICRQ, "ICRQ", 220, 0, NULL, { { 0, 0 } } },
	{ ICRP, "ICRP", 24, 0, NULL, { { 0, 0 } } },	/* we never send ICRQ */
	{ ICCN, "ICCN", 28, 0, NULL, { { 0, 0 } } },
	{ CCR, "CCR", 16, S(ST_ESTABLISHED) | S(ST_STOPPING), recv_ccr, { { 14, 2 } } },
	{ CDN, "CDN", 148, 0, NULL, { { 0, 0 } } },
	{ WEN, "WEN", 40, 0, NULL, { { 0, 0 } } },
	{ SLI, "SLI", 24, S(ST_ESTABLISHED) | S(ST_STOPPING), recv_sli, { { 14, 2 } } },
};

static const char *const state_names[] = {
	[ST_WAIT_SCCRQ] = "wait-sccrq", [ST_ESTABLISHED] = "established", [ST_BROKEN] = "after-bad-sccrp",
	[ST_STOPPING] = "stopping", [ST_CLOSING] = "closing",
};

static const struct ctrl_def *ctrl_def_find(uint16_t type)
{
	for (size_t i = 0; i < ARRAY_LEN(ctrl_defs); i++)
		if (ctrl_defs[i].type == type)
			return &ctrl_defs[i];
	return NULL;
}

static void recv_sccrq(struct conn *c, const uint8_t *m, uint64_t now)
{
	char host[80], vendor[80];
	uint16_t version = get16(m + 12);

	str_printable(host, sizeof host, m + 28, 64);
	str_printable(vendor, sizeof vendor, m + 92, 64);
	say("RECV SCCRQ version=0x%04x framing=%u bearer=%u maxch=%u firmware=0x%04x host=\"%s\" vendor=\"%s\"",
	    version, get32(m + 16), get32(m + 20), get16(m + 24), get16(m + 26), host, vendor);
	if (version != 0x0100)
		client_error("SCCRQ protocol version 0x%04x, not 0x0100", version);
	if (fault(F_CLOSE_AT_SCCRQ)) {
		say("FAULT close-at-sccrq");
		conn_close(c, "fault");
		return;
	}
	if (fault(F_RESET_AT_SCCRQ)) {
		say("FAULT reset-at-sccrq");
		conn_reset(c);
		return;
	}
	if (fault(F_SILENT)) {
		say("FAULT silent");
		c->state = ST_ESTABLISHED;	/* keep decoding what the client sends */
		return;
	}
	if (fault(F_REFUSE_CONTROL)) {
		say("FAULT refuse-control");
		send_sccrp(c, (uint8_t)faults[F_REFUSE_CONTROL].val, (uint8_t)opt.error_code, false);
		c->state = ST_CLOSING;
		c->close_after_flush = true;
		return;
	}

	/* The malformed replies that replace the SCCRP. */
	uint8_t r[156];
	build_sccrp(r, 1, 0);
	if (fault(F_BAD_MAGIC)) {
		put32(r + 4, 0x1A2B3C4Eu);
		conn_queue(c, r, sizeof r, false);
		say("FAULT bad-magic SEND SCCRP magic=0x1a2b3c4e");
		c->state = ST_BROKEN;
		return;
	}
	if (fault(F_BAD_PPTP_TYPE)) {
		put16(r + 2, 2);
		conn_queue(c, r, sizeof r, false);
		say("FAULT bad-pptp-type SEND SCCRP pptp_type=2");
		c->state = ST_BROKEN;
		return;
	}
	if (fault(F_LENGTH_MISMATCH)) {
		uint8_t big[1024] = { 0 };
		size_t n = faults[F_LENGTH_MISMATCH].val;
		memcpy(big, r, n < sizeof r ? n : sizeof r);
		put16(big, (uint16_t)n);
		conn_queue(c, big, n, false);
		say("FAULT length-mismatch SEND SCCRP length=%zu", n);
		c->state = ST_BROKEN;
		return;
	}
	if (fault(F_LENGTH)) {
		uint16_t n = (uint16_t)faults[F_LENGTH].val;
		put16(r, n);
		/* a declared length under the header size: send only the header */
		conn_queue(c, r, n < HDR_LEN ? HDR_LEN : sizeof r, false);
		say("FAULT length SEND SCCRP declared_length=%u sent=%u", n, n < HDR_LEN ? HDR_LEN : 156);
		c->state = ST_BROKEN;
		return;
	}
	if (fault(F_WRONG_STATE)) {
		say("FAULT wrong-state");
		send_ocrp(c, (uint16_t)opt.call_id_base, 0, 1, 0, false);
	}
	send_sccrp(c, 1, 0, fault(F_SPLIT_BYTES));
	if (fault(F_SPLIT_BYTES))
		say("FAULT split-bytes SCCRP");
	c->state = ST_ESTABLISHED;
	if (fault(F_PACKED)) {
		/* queued together with the SCCRP, so they leave in one write */
		for (uint64_t i = 0; i < faults[F_PACKED].val; i++)
			send_echorq(c, now);
		say("FAULT packed echo_requests=%llu", (unsigned long long)faults[F_PACKED].val);
	}
	if (fault(F_UNKNOWN_TYPE)) {
		uint8_t u[16];
		msg_header(u, sizeof u, (uint16_t)faults[F_UNKNOWN_TYPE].val);
		conn_queue(c, u, sizeof u, false);
		say("FAULT unknown-type SEND type=%llu length=16", (unsigned long long)faults[F_UNKNOWN_TYPE].val);
	}
	if (fault(F_ECHO_REQUEST_EVERY))
		c->echo_next_us = now + faults[F_ECHO_REQUEST_EVERY].val;
}

static void recv_stopccrq(struct conn *c, const uint8_t *m, uint64_t now)
{
	unsigned active = 0;
	(void)now;
	for (int i = 0; i < MAX_CALLS; i++)
		active += c->calls[i].used;
	say("RECV STOPCCRQ reason=%u active_calls=%u", m[12], active);
	if (m[12] < 1 || m[12] > 3)
		client_error("StopCCRQ reason %u is not 1, 2 or 3", m[12]);
	if (fault(F_NO_STOPCCRP)) {
		say("FAULT no-stopccrp");
		return;
	}
	send_stopccrp(c, 1);
	c->state = ST_CLOSING;
	c->close_after_flush = true;
}

static void recv_stopccrp(struct conn *c, const uint8_t *m, uint64_t now)
{
	(void)now;
	say("RECV STOPCCRP result=%u error=%u", m[12], m[13]);
	c->state = ST_CLOSING;
	c->close_after_flush = true;
}

static void recv_echorq(struct conn *c, const uint8_t *m, uint64_t now)
{
	uint32_t id = get32(m + 12);
	(void)now;
	say("RECV ECHORQ id=%u", id);
	if (fault(F_NO_ECHO_REPLY)) {
		say("FAULT no-echo-reply id=%u", id);
		return;
	}
	send_echorp(c, id);
}

static void recv_echorp(struct conn *c, const uint8_t *m, uint64_t now)
{
	uint32_t id = get32(m + 12);
	(void)now;
	if (c->burst_sent && id - BURST_ID_BASE < c->burst_sent) {
		/* The burst's replies: each once, in order, not one by one in the log. */
		if (id != BURST_ID_BASE + c->burst_replies || m[16] != 1)
			client_error("Echo-Reply id=%u result %u in the burst, expected id=%u result 1",
				     id, m[16], BURST_ID_BASE + c->burst_replies);
		else if (++c->burst_replies == c->burst_sent)
			say("ECHO BURST replies=%u ok", c->burst_replies);
		return;
	}
	for (unsigned i = 0; i < ECHO_SLOTS; i++) {
		if (c->echo_out[i].used && c->echo_out[i].id == id) {
			c->echo_out[i].used = false;
			say("RECV ECHORP id=%u ok", id);
			if (m[16] != 1)
				client_error("Echo-Reply id=%u result %u, not 1", id, m[16]);
			return;
		}
	}
	say("RECV ECHORP id=%u", id);
	client_error("Echo-Reply id=%u matches no Echo-Request of ours", id);
}

static void call_up_actions(struct conn *c, struct call *k, uint64_t now)
{
	say("CALL UP call_id=%u peer_call_id=%u", k->id, k->peer_id);
	if (!c->first_call_us)
		c->first_call_us = now;
	if (!g_raw_failed)
		gre_open();
	if (c->post_call_done)
		return;
	c->post_call_done = true;
	if (fault(F_GARBAGE)) {
		uint8_t junk[65536];
		size_t n = faults[F_GARBAGE].val;
		for (size_t i = 0; i < n; i++)
			junk[i] = (uint8_t)rng32();
		if (n >= 8 && get32(junk + 4) == PPTP_MAGIC)
			junk[4] ^= 0xff;	/* junk must not look like a message */
		conn_queue(c, junk, n, false);
		say("FAULT garbage bytes=%zu", n);
	}
	if (fault(F_SECOND_SCCRP)) {
		say("FAULT second-sccrp");
		send_sccrp(c, 1, 0, false);
	}
	if (fault(F_ECHO_BURST)) {
		/* One write, so the client finds them all waiting at once. */
		uint8_t m[16];
		for (uint32_t i = 0; i < faults[F_ECHO_BURST].val; i++) {
			build_echorq(m, BURST_ID_BASE + i);
			conn_queue(c, m, sizeof m, false);
		}
		c->burst_sent = (uint32_t)faults[F_ECHO_BURST].val;
		say("FAULT echo-burst echo_requests=%u", c->burst_sent);
	}
}

static void recv_ocrq(struct conn *c, const uint8_t *m, uint64_t now)
{
	char phone[80];
	uint16_t peer_id = get16(m + 12), window = get16(m + 32), phone_len = get16(m + 36);
	uint32_t bearer = get32(m + 24), framing = get32(m + 28);

	str_printable(phone, sizeof phone, m + 40, 64);
	say("RECV OCRQ call_id=%u serial=%u window=%u framing=%u bearer=%u phone=\"%s\" phone_len=%u minbps=%u maxbps=%u delay=%u",
	    peer_id, get16(m + 14), window, framing, bearer, phone, phone_len, get32(m + 16), get32(m + 20),
	    get16(m + 34));
	if (bearer < 1 || bearer > 3)
		client_error("OCRQ bearer type %u is not 1, 2 or 3", bearer);
	if (framing < 1 || framing > 3)
		client_error("OCRQ framing type %u is not 1, 2 or 3", framing);
	if (phone_len > 64)
		client_error("OCRQ phone number length %u exceeds the 64-byte field", phone_len);
	if (call_by_peer_id(c, peer_id))
		client_error("OCRQ call ID %u is already in use on this connection", peer_id);

	unsigned active = 0;
	for (int i = 0; i < MAX_CALLS; i++)
		active += c->calls[i].used;
	bool split = fault(F_SPLIT_BYTES);
	if (fault(F_REFUSE_CALL)) {
		say("FAULT refuse-call");
		uint8_t res = (uint8_t)faults[F_REFUSE_CALL].val;
		send_ocrp(c, 0, peer_id, res, res == 2 ? (uint8_t)opt.error_code : 0, split);
		return;
	}
	if (fault(F_REFUSE_SECOND_CALL) && c->calls_accepted >= 1) {
		say("FAULT refuse-second-call");
		send_ocrp(c, 0, peer_id, 4, 0, split);
		return;
	}
	if (active >= opt.max_calls) {
		send_ocrp(c, 0, peer_id, 4, 0, split);
		return;
	}
	if (fault(F_NO_OCRP)) {
		say("FAULT no-ocrp call_id=%u", peer_id);
		return;
	}
	if (fault(F_OCRP_OTHER_CALL)) {
		say("FAULT ocrp-other-call");
		send_ocrp(c, (uint16_t)g_next_call_id, (uint16_t)(peer_id ^ 0x5555), 1, 0, split);
		return;
	}
	struct call *k = NULL;
	for (int i = 0; i < MAX_CALLS && !k; i++)
		if (!c->calls[i].used)
			k = &c->calls[i];
	if (!k) {
		send_ocrp(c, 0, peer_id, 4, 0, split);
		return;
	}
	k->g = calloc(1, sizeof *k->g);
	if (!k->g) {
		say("WARN out of memory");
		exit(3);
	}
	k->used = true;
	k->id = (uint16_t)g_next_call_id++;
	k->peer_id = peer_id;
	k->peer_window = window;
	k->up_us = now;
	k->g->tx_next = (uint32_t)opt.gre_start;
	c->calls_accepted++;
	send_ocrp(c, k->id, peer_id, 1, 0, split);
	if (split)
		say("FAULT split-bytes OCRP");
	call_up_actions(c, k, now);
}

static void call_free(struct conn *c, struct call *k)
{
	gre_flush_held(c, k);
	free(k->g);
	memset(k, 0, sizeof *k);
}

static void recv_ccr(struct conn *c, const uint8_t *m, uint64_t now)
{
	uint16_t peer_id = get16(m + 12);
	(void)now;
	say("RECV CCR call_id=%u", peer_id);
	struct call *k = call_by_peer_id(c, peer_id);
	if (!k && fault(F_NO_OCRP)) {
		say("NOTE CCR for call %u, whose OCRQ we never answered", peer_id);
		return;
	}
	if (k && fault(F_NO_CDN)) {
		say("FAULT no-cdn call_id=%u", k->id);
		return;
	}
	if (!k) {
		for (unsigned i = 0; i < c->cdn_done_n; i++) {
			if (c->cdn_done[i] == peer_id) {
				/* crossed our unasked CDN in flight */
				say("NOTE CCR for call %u we already disconnected", peer_id);
				return;
			}
		}
		client_error("CCR for call ID %u, which is not a call of this connection", peer_id);
		return;
	}
	send_cdn(c, k->id, 4);
	say("CALL DOWN call_id=%u", k->id);
	call_free(c, k);
}

static void recv_sli(struct conn *c, const uint8_t *m, uint64_t now)
{
	uint16_t id = get16(m + 12);
	(void)now;
	say("RECV SLI peer_call_id=%u send_accm=0x%08x recv_accm=0x%08x", id, get32(m + 16), get32(m + 20));
	if (!call_by_id(c, id))
		client_error("SLI names call ID %u, which is not one of our calls", id);
}

/* Check the header and dispatch one whole message of len bytes. */
static void ctrl_message(struct conn *c, const uint8_t *m, size_t len, uint64_t now)
{
	char hex[80];
	uint16_t ptype = get16(m + 2), type = get16(m + 8);

	if (get32(m + 4) != PPTP_MAGIC) {
		hex_str(hex, sizeof hex, m, len, 16);
		client_error("bad magic cookie 0x%08x [%s]", get32(m + 4), hex);
		conn_close(c, "bad magic");
		return;
	}
	if (ptype != 1) {
		client_error("PPTP message type %u, not 1 (control), control type %u", ptype, type);
		return;
	}
	if (get16(m + 10))
		client_error("Reserved0 is 0x%04x in control type %u", get16(m + 10), type);
	const struct ctrl_def *d = ctrl_def_find(type);
	if (!d) {
		hex_str(hex, sizeof hex, m, len, 16);
		client_error("unknown control message type %u length %zu [%s]", type, len, hex);
		return;
	}
	if (len != d->len) {
		client_error("%s with length %zu, must be %u", d->name, len, d->len);
		return;
	}
	for (int i = 0; i < 2; i++) {
		const struct reserved *r = &d->rsv[i];
		for (unsigned b = 0; b < r->size; b++) {
			if (m[r->off + b]) {
				client_error("%s: reserved byte at offset %u is 0x%02x", d->name, r->off + b, m[r->off + b]);
				break;
			}
		}
	}
	if (!d->recv) {
		client_error("%s is not a message a PNS sends here", d->name);
		return;
	}
	if (fault(F_SILENT) && type != SCCRQ) {
		say("RECV %s (silent: no answer)", d->name);
		return;
	}
	if (!(d->states & S(c->state))) {
		client_error("%s in state %s", d->name, state_names[c->state]);
		return;
	}
	d->recv(c, m, now);
}

static void conn_read(struct conn *c, uint64_t now)
{
	ssize_t r = recv(c->fd, c->in + c->in_len, sizeof c->in - c->in_len, 0);
	if (r < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		say("PEER %s", errno == ECONNRESET ? "RESET" : strerror(errno));
		conn_close(c, "read error");
		return;
	}
	if (r == 0) {
		unsigned active = 0;
		for (int i = 0; i < MAX_CALLS; i++)
			active += c->calls[i].used;
		say("PEER EOF state=%s active_calls=%u", state_names[c->state], active);
		if (c->in_len)
			client_error("connection closed with %zu bytes of an incomplete message", c->in_len);
		conn_close(c, "eof");
		return;
	}
	c->in_len += (size_t)r;
	size_t off = 0;
	while (!c->dead && c->in_len - off >= 2) {
		size_t len = get16(c->in + off);
		if (len < HDR_LEN || len > MSG_MAX) {
			char hex[80];
			hex_str(hex, sizeof hex, c->in + off, c->in_len - off, 16);
			client_error("control message length %zu out of range [%s]", len, hex);
			conn_close(c, "framing");
			return;
		}
		if (c->in_len - off < len)
			break;
		ctrl_message(c, c->in + off, len, now);
		off += len;
	}
	if (c->dead)
		return;
	memmove(c->in, c->in + off, c->in_len - off);
	c->in_len -= off;
}

/* ------------------------------------------------------------------ lifecycle */

static void conn_close(struct conn *c, const char *why)
{
	if (c->dead)
		return;
	(void)why;
	c->dead = true;
	for (int i = 0; i < MAX_CALLS; i++)
		if (c->calls[i].used)
			call_free(c, &c->calls[i]);
	close(c->fd);
	c->fd = -1;
	say("CLOSED");
}

static void conn_reset(struct conn *c)
{
	struct linger l = { .l_onoff = 1, .l_linger = 0 };
	setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
	conn_close(c, "reset");
}

/* Timers of one connection.  Returns its next deadline (0: none). */
static uint64_t conn_tick(struct conn *c, uint64_t now)
{
	uint64_t next = 0;
#define DEADLINE(t) do { uint64_t _t = (t); if (!next || _t < next) next = _t; } while (0)

	if (c->first_call_us && !c->mid_call_done) {
		if (fault(F_CLOSE_MID_CALL) || fault(F_RESET_MID_CALL)) {
			enum fault_id f = fault(F_RESET_MID_CALL) ? F_RESET_MID_CALL : F_CLOSE_MID_CALL;
			uint64_t at = c->first_call_us + faults[f].val;
			if (now >= at) {
				c->mid_call_done = true;
				say("FAULT %s", fault_defs[f].name);
				if (f == F_RESET_MID_CALL)
					conn_reset(c);
				else
					conn_close(c, "fault");
				return 0;
			}
			DEADLINE(at);
		}
	}
	if (c->first_call_us && fault(F_HALF_MESSAGE) && !c->mid_call_done) {
		uint64_t at = c->first_call_us + faults[F_HALF_MESSAGE].val;
		if (now >= at) {
			uint8_t m[16];
			c->mid_call_done = true;
			build_echorq(m, c->echo_next_id++);
			conn_queue(c, m, 8, false);
			say("FAULT half-message bytes=8 of 16");
			c->close_after_flush = true;
			conn_flush(c, now);
			if (c->dead)
				return 0;
		} else {
			DEADLINE(at);
		}
	}
	if (c->first_call_us && fault(F_STOP_AFTER) && !c->stop_done && c->state == ST_ESTABLISHED) {
		uint64_t at = c->first_call_us + faults[F_STOP_AFTER].val;
		if (now >= at) {
			c->stop_done = true;
			say("FAULT stop-after");
			send_stopccrq(c, 1);
			c->state = ST_STOPPING;
			c->stop_sent_us = now;
		} else {
			DEADLINE(at);
		}
	}
	if (c->state == ST_STOPPING) {
		if (now >= c->stop_sent_us + STOP_REPLY_LIMIT_US) {
			client_error("no StopCCRP within %llu s", STOP_REPLY_LIMIT_US / 1000000ull);
			conn_close(c, "stop timeout");
			return 0;
		}
		DEADLINE(c->stop_sent_us + STOP_REPLY_LIMIT_US);
	}
	for (int i = 0; i < MAX_CALLS; i++) {
		struct call *k = &c->calls[i];
		if (!k->used)
			continue;
		if (gen_enabled() && gen_pending(k->g) && c->state == ST_ESTABLISHED) {
			gre_generate(c, k, now);
			if (k->used && gen_pending(k->g) && k->g->gen_start_us)
				DEADLINE(k->g->gen_next_us);
		}
		if (opt.gre == GRE_PPP && c->state == ST_ESTABLISHED && !g_raw_failed) {
			if (!k->g->ppp_next_us)
				k->g->ppp_next_us = k->up_us;
			if (now >= k->g->ppp_next_us) {
				ppp_send_confreq(c, k, now);
				k->g->ppp_next_us = now + PPP_RESTART_US;
			}
			DEADLINE(k->g->ppp_next_us);
		}
		if (k->g->held_len) {
			if (now >= k->g->held_us + opt.reorder_hold_us)
				gre_flush_held(c, k);
			else
				DEADLINE(k->g->held_us + opt.reorder_hold_us);
		}
		if (fault(F_CDN_AFTER) && (c->state == ST_ESTABLISHED || c->state == ST_STOPPING)) {
			uint64_t at = k->up_us + faults[F_CDN_AFTER].val;
			if (now >= at) {
				say("FAULT cdn-after call_id=%u", k->id);
				send_cdn(c, k->id, 3);
				say("CALL DOWN call_id=%u", k->id);
				if (c->cdn_done_n < MAX_CALLS)
					c->cdn_done[c->cdn_done_n++] = k->peer_id;
				call_free(c, k);
			} else {
				DEADLINE(at);
			}
		}
	}
	if (fault(F_ECHO_REQUEST_EVERY) && c->state == ST_ESTABLISHED && !fault(F_SILENT)) {
		if (now >= c->echo_next_us) {
			send_echorq(c, now);
			c->echo_next_us = now + (faults[F_ECHO_REQUEST_EVERY].val ? faults[F_ECHO_REQUEST_EVERY].val : 1000);
		}
		DEADLINE(c->echo_next_us);
	}
	for (unsigned i = 0; i < ECHO_SLOTS; i++) {
		if (!c->echo_out[i].used)
			continue;
		uint64_t at = c->echo_out[i].sent_us + ECHO_REPLY_LIMIT_US;
		if (now >= at) {
			c->echo_out[i].used = false;
			client_error("no Echo-Reply to id=%u within %llu s", c->echo_out[i].id,
				     ECHO_REPLY_LIMIT_US / 1000000ull);
		} else {
			DEADLINE(at);
		}
	}
	conn_flush(c, now);
	if (!c->dead && c->out_off < c->paced_end)
		DEADLINE(c->next_write_us);
#undef DEADLINE
	return next;
}

static void conn_accept(int lfd)
{
	struct sockaddr_in a;
	socklen_t al = sizeof a;
	int fd = accept4(lfd, (struct sockaddr *)&a, &al, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	struct conn *c = NULL;
	for (int i = 0; i < MAX_CONNS && !c; i++)
		if (!conns[i].used)
			c = &conns[i];
	char ip[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &a.sin_addr, ip, sizeof ip);
	if (!c) {
		say("WARN too many connections, refusing %s:%u", ip, ntohs(a.sin_port));
		close(fd);
		return;
	}
	memset(c, 0, sizeof *c);
	c->used = true;
	c->fd = fd;
	c->peer = a;
	snprintf(c->peer_str, sizeof c->peer_str, "%s:%u", ip, ntohs(a.sin_port));
	c->echo_next_id = 0x10000;	/* distinct from ids a client might invent */
	say("ACCEPT %s", c->peer_str);
}

/* ------------------------------------------------------------------ command line */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: pacsrv [options]\n"
		"  --listen ADDR          IPv4 address to listen on (0.0.0.0)\n"
		"  --port N               TCP port (1723; 0 picks one, printed in LISTEN)\n"
		"  --once                 exit after the first control connection ends:\n"
		"                         0 if no ERROR line was printed, else 1\n"
		"  --timeout SECONDS      exit after this long in any case, status 2\n"
		"  --window N             our Packet Recv Window Size (64)\n"
		"  --max-calls N          calls per control connection (16, at most %d)\n"
		"  --error-code N         General Error Code with refusals (0)\n"
		"  --call-id-base N       our first call ID (16384)\n"
		"  --seed N               seed for the garbage fault (1)\n"
		"  --verbose              print every GRE packet\n"
		"  --fault NAME[=ARG]     inject a fault (may be given several times):\n", MAX_CALLS);
	for (int i = 0; i < F_COUNT; i++) {
		const struct fault_def *d = &fault_defs[i];
		const char *a = d->kind == ARG_NONE ? "" : d->kind == ARG_SECONDS ? "[=SECONDS]" :
				d->kind == ARG_INT ? "[=N]" : "=N";
		char name[48];
		snprintf(name, sizeof name, "%s%s", d->name, a);
		fprintf(f, "      %-26s %s%s%s%s\n", name, d->help, d->def ? " (default " : "", d->def ? d->def : "",
			d->def ? ")" : "");
	}
	fprintf(f,
		"  --gre MODE             echo (default) | none | count | sink (count fakeppp\n"
		"                         --fast frames per step, echo only its link probes,\n"
		"                         one pure ack per receive batch) | ppp-like (as a\n"
		"                         server's pppd: its own LCP Configure-Request every\n"
		"                         3 s, a Configure-Ack to the client's, no echo)\n"
		"  --gre-reorder N        swap every Nth pair of outgoing packets\n"
		"  --gre-reorder-hold S   send a held packet anyway when no other follows\n"
		"                         within S (0.05)\n"
		"  --gre-drop N           drop every Nth outgoing packet\n"
		"  --gre-dup N            send every Nth outgoing packet twice\n"
		"  --gre-jump N           after the first packet, skip N sequence numbers once\n"
		"  --gre-start SEQ        our first sequence number (0)\n"
		"  --gre-bad KIND[,KIND]  also send malformed packets: truncated (cut in the\n"
		"                         sequence number), overlength, version, protocol,\n"
		"                         flags (C bit), callid (not the client's), all\n"
		"  --gre-bad-every N      one of each bad kind per N packets (10)\n"
		"  --gre-pure-acks        also acknowledge every client packet with a pure ack\n"
		"  --gre-send N           also send N data frames of our own per call (fakeppp's\n"
		"                         layout, counters from 0x80000000), through the faults\n"
		"  --gre-send-rate N      frames per second for --gre-send (200; 0: as fast as we can)\n"
		"  --gre-send-size N      PPP frame bytes for --gre-send, %d..%d (100)\n"
		"  --gre-send-after S     start --gre-send this long after the call is up (0.3)\n"
		"  --gre-send-after-rx    ... after the client's first data packet instead\n"
		"  --gre-send-steps LIST  instead of --gre-send: RATE:SECONDS,... (RATE 0: as fast\n"
		"                         as we can), the step in the frame counter (tests/benchrx.h)\n"
		"  --gre-send-gap S       pause between two steps (0.25)\n"
		"  --gre-delay S          hold every GRE packet we send this long (one-way delay)\n",
		GEN_FRAME_MIN, GEN_FRAME_MAX);
}

static void die_usage(const char *fmt, ...) PPTP_PRINTF(1, 2);
static void die_usage(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "pacsrv: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	usage(stderr);
	exit(64);
}

static void parse_fault(const char *spec)
{
	char name[64];
	const char *eq = strchr(spec, '=');
	size_t n = eq ? (size_t)(eq - spec) : strlen(spec);
	if (n >= sizeof name)
		die_usage("unknown fault '%s'", spec);
	memcpy(name, spec, n);
	name[n] = '\0';
	for (int i = 0; i < F_COUNT; i++) {
		const struct fault_def *d = &fault_defs[i];
		if (strcmp(d->name, name))
			continue;
		const char *arg = eq ? eq + 1 : d->def;
		if (d->kind == ARG_NONE) {
			if (eq)
				die_usage("fault '%s' takes no argument", spec);
		} else if (!arg) {
			die_usage("fault '%s' needs =N", spec);
		} else if (d->kind == ARG_SECONDS) {
			if (parse_seconds(arg, 0, 86400000000ull, &faults[i].val))
				die_usage("bad seconds in fault '%s'", spec);
		} else {
			unsigned long v;
			if (parse_uint(arg, d->min, d->max, &v))
				die_usage("bad number in fault '%s'", spec);
			faults[i].val = v;
		}
		faults[i].on = true;
		return;
	}
	die_usage("unknown fault '%s' (see --help)", spec);
}

static void parse_gre_bad(const char *list)
{
	char buf[128];
	str_copy(buf, list, sizeof buf);
	for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		bool found = false;
		for (int b = 0; b < GB_COUNT; b++) {
			if (!strcmp(t, "all") || !strcmp(t, gre_bad_names[b])) {
				opt.gre_bad[b] = true;
				found = true;
			}
		}
		if (!found)
			die_usage("unknown --gre-bad kind '%s'", t);
		opt.gre_bad_any = true;
	}
}

enum opt_kind { O_FLAG, O_UINT, O_SECONDS, O_SECONDS0, O_FN };

struct opt_def {
	const char *name;
	enum opt_kind kind;
	void *dst;
	unsigned long min, max;
	void (*fn)(const char *arg);
};

static void opt_listen(const char *a)
{
	if (inet_pton(AF_INET, a, &opt.listen) != 1)
		die_usage("bad --listen address '%s'", a);
}

static void opt_gre(const char *a)
{
	if (!strcmp(a, "echo"))
		opt.gre = GRE_ECHO;
	else if (!strcmp(a, "none"))
		opt.gre = GRE_NONE;
	else if (!strcmp(a, "count"))
		opt.gre = GRE_COUNT;
	else if (!strcmp(a, "sink"))
		opt.gre = GRE_SINK;
	else if (!strcmp(a, "ppp-like"))
		opt.gre = GRE_PPP;
	else
		die_usage("bad --gre mode '%s'", a);
}

static void opt_verbose(const char *a) { (void)a; g_verbose = true; }
static void opt_pure_acks(const char *a) { (void)a; opt.gre_pure_acks = true; }
static void opt_once(const char *a) { (void)a; opt.once = true; }
static void opt_after_rx(const char *a) { (void)a; opt.gre_send_after_rx = true; }
static void opt_steps(const char *a)
{
	opt.n_steps = steps_parse(a, opt.steps);
	if (opt.n_steps < 0)
		die_usage("bad --gre-send-steps '%s' (RATE:SECONDS,..., at most %d steps)", a, STEP_MAX);
}

static const struct opt_def opt_defs[] = {
	{ "listen", O_FN, NULL, 0, 0, opt_listen },
	{ "port", O_UINT, &opt.port, 0, 65535, NULL },
	{ "once", O_FLAG, NULL, 0, 0, opt_once },
	{ "timeout", O_SECONDS, &opt.timeout_us, 0, 0, NULL },
	{ "window", O_UINT, &opt.window, 1, 65535, NULL },
	{ "max-calls", O_UINT, &opt.max_calls, 1, MAX_CALLS, NULL },
	{ "error-code", O_UINT, &opt.error_code, 0, 255, NULL },
	{ "call-id-base", O_UINT, &opt.call_id_base, 1, 65535, NULL },
	{ "seed", O_UINT, &opt.seed, 1, 4294967295ul, NULL },
	{ "verbose", O_FLAG, NULL, 0, 0, opt_verbose },
	{ "fault", O_FN, NULL, 0, 0, parse_fault },
	{ "gre", O_FN, NULL, 0, 0, opt_gre },
	{ "gre-reorder", O_UINT, &opt.gre_reorder, 2, 1000000, NULL },
	{ "gre-drop", O_UINT, &opt.gre_drop, 1, 1000000, NULL },
	{ "gre-dup", O_UINT, &opt.gre_dup, 1, 1000000, NULL },
	{ "gre-jump", O_UINT, &opt.gre_jump, 1, 4294967295ul, NULL },
	{ "gre-start", O_UINT, &opt.gre_start, 0, 4294967295ul, NULL },
	{ "gre-bad", O_FN, NULL, 0, 0, parse_gre_bad },
	{ "gre-bad-every", O_UINT, &opt.gre_bad_every, 1, 1000000, NULL },
	{ "gre-pure-acks", O_FLAG, NULL, 0, 0, opt_pure_acks },
	{ "gre-send", O_UINT, &opt.gre_send, 1, 0x7FFFFFFFul, NULL },
	{ "gre-send-rate", O_UINT, &opt.gre_send_rate, 0, 10000000, NULL },
	{ "gre-send-size", O_UINT, &opt.gre_send_size, GEN_FRAME_MIN, GEN_FRAME_MAX, NULL },
	{ "gre-send-after", O_SECONDS0, &opt.gre_send_after_us, 0, 0, NULL },
	{ "gre-send-after-rx", O_FLAG, NULL, 0, 0, opt_after_rx },
	{ "gre-send-steps", O_FN, NULL, 0, 0, opt_steps },
	{ "gre-send-gap", O_SECONDS0, &opt.step_gap_us, 0, 0, NULL },
	{ "gre-delay", O_SECONDS0, &opt.gre_delay_us, 0, 0, NULL },
	{ "gre-reorder-hold", O_SECONDS, &opt.reorder_hold_us, 0, 0, NULL },
};

static void parse_args(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			exit(0);
		}
		if (strncmp(a, "--", 2))
			die_usage("unexpected argument '%s'", a);
		a += 2;
		const char *eq = strchr(a, '=');
		size_t n = eq ? (size_t)(eq - a) : strlen(a);
		const struct opt_def *d = NULL;
		for (size_t k = 0; k < ARRAY_LEN(opt_defs) && !d; k++)
			if (strlen(opt_defs[k].name) == n && !strncmp(opt_defs[k].name, a, n))
				d = &opt_defs[k];
		if (!d)
			die_usage("unknown option '%s'", argv[i]);
		const char *val = NULL;
		if (d->kind == O_FLAG) {
			if (eq)
				die_usage("option '%s' takes no value", argv[i]);
			d->fn(NULL);
			continue;
		}
		if (eq)
			val = eq + 1;
		else if (i + 1 < argc)
			val = argv[++i];
		else
			die_usage("option '%s' needs a value", argv[i]);
		switch (d->kind) {
		case O_UINT:
			if (parse_uint(val, d->min, d->max, d->dst))
				die_usage("bad value '%s'", val);
			break;
		case O_SECONDS:
			if (parse_seconds(val, 1000, 86400000000ull, d->dst))
				die_usage("bad seconds '%s'", val);
			break;
		case O_SECONDS0:
			if (parse_seconds(val, 0, 86400000000ull, d->dst))
				die_usage("bad seconds '%s'", val);
			break;
		case O_FN:
			d->fn(val);
			break;
		case O_FLAG:
			break;
		}
	}
	inet_ntop(AF_INET, &opt.listen, opt.listen_str, sizeof opt.listen_str);
}

/* ------------------------------------------------------------------ main */

static void on_signal(int sig) { g_signal = sig; }

static void summary(void)
{
	say("GRE SUMMARY rx=%lu rx_bad=%lu tx=%lu", gs.rx, gs.rx_bad, gs.tx);
	say("GRE SEQ_ERRORS %lu", gs.seq_errors);
	say("GRE DETAIL rx_data=%lu rx_acks=%lu rx_stale=%lu rx_foreign=%lu tx_dropped=%lu tx_dup=%lu "
	    "tx_bad=%lu tx_pure_acks=%lu tx_fail=%lu ack_back=%lu window_exceeded=%lu "
	    "window_unjudged=%lu",
	    gs.rx_data, gs.rx_acks, gs.rx_stale, gs.rx_foreign, gs.tx_dropped, gs.tx_dup, gs.tx_bad,
	    gs.tx_pure_acks, gs.tx_fail, gs.ack_back, gs.window_exceeded, gs.window_unjudged);
	if (opt.gre == GRE_SINK) {
		char line[256];
		for (unsigned k = 0; k < STEP_MAX; k++) {
			if (!sink_rx[k].frames)
				continue;
			step_rx_format(&sink_rx[k], k, line, sizeof line);
			say("SINK %s", line);
		}
		say("SINK total frames=%lu probes=%lu other=%lu checked=%lu bad=%lu acks=%lu", sink_frames, sink_probes,
		    sink_other, sink_checked, sink_bad, sink_acks);
		step_rx_free(sink_rx, STEP_MAX);
	}
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	say("RUSAGE user_s=%.3f sys_s=%.3f maxrss_kb=%ld", (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6,
	    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6, ru.ru_maxrss);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	parse_args(argc, argv);
	g_rng = opt.seed * 0x9E3779B97F4A7C15ull;
	g_next_call_id = (uint32_t)opt.call_id_base;

	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigset_t block, orig;
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	/* signals are only delivered inside ppoll, so no wakeup is lost */
	sigprocmask(SIG_BLOCK, &block, &orig);

	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;
	struct sockaddr_in la = { .sin_family = AF_INET, .sin_port = htons((uint16_t)opt.port), .sin_addr = opt.listen };
	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    bind(lfd, (struct sockaddr *)&la, sizeof la) < 0 || listen(lfd, 8) < 0) {
		say("WARN cannot listen on %s:%lu: %s", opt.listen_str, opt.port, strerror(errno));
		return 3;
	}
	socklen_t ll = sizeof la;
	getsockname(lfd, (struct sockaddr *)&la, &ll);
	say("LISTEN %s:%u", opt.listen_str, ntohs(la.sin_port));

	uint64_t start = now_us();
	uint64_t end = opt.timeout_us ? start + opt.timeout_us : 0;
	bool accepted_once = false, once_done = false;
	int status = -1;

	while (status < 0) {
		uint64_t now = now_us();
		uint64_t next = end;
		for (int i = 0; i < MAX_CONNS; i++) {
			if (!conns[i].used || conns[i].dead)
				continue;
			uint64_t t = conn_tick(&conns[i], now);
			if (t && (!next || t < next))
				next = t;
		}
		uint64_t dt = gre_delay_flush(now);
		if (dt && (!next || dt < next))
			next = dt;
		for (int i = 0; i < MAX_CONNS; i++) {
			if (conns[i].used && conns[i].dead) {
				free(conns[i].out);
				memset(&conns[i], 0, sizeof conns[i]);
				if (opt.once)
					once_done = true;
			}
		}
		if (once_done) {
			status = g_errors ? 1 : 0;
			break;
		}
		if (g_signal) {
			say("SIGNAL %d", (int)g_signal);
			status = g_errors ? 1 : 0;
			break;
		}
		if (end && now >= end) {
			say("TIMEOUT");
			status = 2;
			break;
		}

		struct pollfd pf[MAX_CONNS + 2];
		struct conn *pc[MAX_CONNS + 2];
		nfds_t np = 0;
		if (lfd >= 0) {
			pf[np] = (struct pollfd){ .fd = lfd, .events = POLLIN };
			pc[np++] = NULL;
		}
		int raw_idx = -1;
		if (g_raw >= 0) {
			raw_idx = (int)np;
			pf[np] = (struct pollfd){ .fd = g_raw, .events = POLLIN };
			pc[np++] = NULL;
		}
		for (int i = 0; i < MAX_CONNS; i++) {
			struct conn *c = &conns[i];
			if (!c->used || c->dead)
				continue;
			short ev = POLLIN;
			if (c->out_off < c->out_len && c->out_off >= c->paced_end)
				ev |= POLLOUT;
			pf[np] = (struct pollfd){ .fd = c->fd, .events = ev };
			pc[np++] = c;
		}
		gre_tx_flush();
		struct timespec ts, *tsp = NULL;
		if (next) {
			uint64_t d = next > now ? next - now : 0;
			ts.tv_sec = (time_t)(d / 1000000u);
			ts.tv_nsec = (long)(d % 1000000u) * 1000;
			tsp = &ts;
		}
		int r = ppoll(pf, np, tsp, &orig);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			say("WARN poll: %s", strerror(errno));
			status = 3;
			break;
		}
		now = now_us();
		for (nfds_t i = 0; i < np; i++) {
			if (!pf[i].revents)
				continue;
			if (pf[i].fd == lfd) {
				conn_accept(lfd);
				if (opt.once && !accepted_once) {
					/* --once: one client only */
					accepted_once = true;
					close(lfd);
					lfd = -1;
				}
			} else if ((int)i == raw_idx) {
				gre_read(now);
			} else if (pc[i] && !pc[i]->dead) {
				if (pf[i].revents & (POLLIN | POLLHUP | POLLERR))
					conn_read(pc[i], now);
				if (!pc[i]->dead && (pf[i].revents & POLLOUT))
					conn_flush(pc[i], now);
			}
		}
	}

	for (int i = 0; i < MAX_CONNS; i++) {
		if (conns[i].used) {
			if (!conns[i].dead)
				conn_close(&conns[i], "exit");
			free(conns[i].out);
		}
	}
	if (lfd >= 0)
		close(lfd);
	while (dq_head) {	/* --gre-delay packets not yet due */
		struct delayed *d = dq_head;
		dq_head = d->next;
		free(d);
	}
	dq_tail = NULL;
	if (g_raw >= 0) {
		gre_tx_flush();
		close(g_raw);
	}
	summary();
	say("EXIT status=%d errors=%lu", status, g_errors);
	return status;
}
