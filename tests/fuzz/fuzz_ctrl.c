/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_ctrl.c - libFuzzer target for the PPTP control connection.
 *
 * (a) The whole input as one message: decode, and on success encode,
 *     decode again and require the same struct and the same bytes.
 * (b) The input as a server's byte stream: the first HDR bytes choose the
 *     read sizes, the clock step and a few actions (quirk, calls, stop),
 *     the rest is fed to an engine.  Every invariant broken traps.
 *     Header: [0] flags, [1..3] read sizes - 1, [4] clock step (bit 7: jump
 *     to deadlines), [5] keepalive timers, [6..7] first call ID. */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pptp_ctrl.h"
#include "pptp_quirks.h"
#include "util.h"
#include "fuzzcheck.h"

#define HDR 8
#define ENSURE(c) do { if (!(c)) __builtin_trap(); } while (0)
/* The invariant checks are the harness, not code to explore: without
 * coverage instrumentation they stop dominating the run time (their loops
 * over every call slot were two thirds of it). */
#if defined(__clang__) && __has_attribute(no_sanitize_coverage)
#define HARNESS __attribute__((no_sanitize_coverage))
#else
#define HARNESS
#endif

static void fuzz_codec(const uint8_t *data, size_t size)
{
	struct pptp_msg m1, m2;
	uint8_t b1[PPTP_MSG_MAX], b2[PPTP_MSG_MAX];

	int rc = pptp_msg_decode(data, size, &m1);
	ENSURE(rc <= PPTP_DEC_OK && rc >= PPTP_DEC_LENGTH_MISMATCH);
	ENSURE(pptp_dec_strerror(rc) != NULL);
	if (rc != PPTP_DEC_OK)
		return;
	ENSURE(m1.type >= 1 && m1.type <= PPTP_MSG_TYPE_MAX);
	ENSURE(size == pptp_msg_len(m1.type));
	int n1 = pptp_msg_encode(&m1, b1, sizeof b1);
	ENSURE(n1 > 0 && (size_t)n1 == size);
	/* Length, type, magic and control type survive; reserved fields do not. */
	ENSURE(memcmp(b1, data, 10) == 0);
	ENSURE(pptp_msg_decode(b1, (size_t)n1, &m2) == PPTP_DEC_OK);
	ENSURE(memcmp(&m1, &m2, sizeof m1) == 0);
	int n2 = pptp_msg_encode(&m2, b2, sizeof b2);
	ENSURE(n2 == n1 && memcmp(b1, b2, (size_t)n1) == 0);
	ENSURE(pptp_msg_encode(&m1, b2, (size_t)n1 - 1) < 0);
}

struct fuzz_state {
	bool conn_up, conn_down;
	bool alive[PPTP_MAX_CALLS];	/* opened, CALL_DOWN not yet seen */
	bool up[PPTP_MAX_CALLS];
};

static void fuzz_log(void *ctx, int level, const char *msg)
{
	(void)ctx;
	ENSURE(level >= L_ERR && level <= L_DEBUG);
	ENSURE(strlen(msg) < 512);
	/* The event queue must never fill. */
	ENSURE(strncmp(msg, "internal error", 14) != 0);
}

HARNESS static bool pns_sends(unsigned type)
{
	switch (type) {
	case PPTP_SCCRQ: case PPTP_STOPCCRQ: case PPTP_STOPCCRP: case PPTP_ECHORQ:
	case PPTP_ECHORP: case PPTP_OCRQ: case PPTP_ICRP: case PPTP_CCR: case PPTP_SLI:
		return true;
	}
	return false;
}

/* Everything queued is whole, valid messages a PNS may send.  *checked
 * bytes at the front were validated before (output only grows at the end
 * until the harness consumes all of it), so only what is new is decoded:
 * re-decoding kilobytes of output after every one-byte read made this
 * target slow. */
HARNESS static void check_output(const struct pptp_conn *c, size_t *checked)
{
	const uint8_t *p;
	size_t n = pptp_conn_pending(c, &p);
	struct pptp_msg m;

	ENSURE(n <= PPTP_OUT_MAX);
	if (*checked > n)
		*checked = 0;
	p += *checked;
	n -= *checked;
	*checked += n;
	while (n) {
		ENSURE(n >= PPTP_HDR_LEN);
		size_t len = get16(p);
		ENSURE(len <= n);
		ENSURE(pptp_msg_decode(p, len, &m) == PPTP_DEC_OK);
		ENSURE(pns_sends(m.type));
		p += len;
		n -= len;
	}
}

HARNESS static void check_conn(const struct pptp_conn *c, struct fuzz_state *st)
{
	ENSURE(c->in_len < PPTP_MSG_MAX);
	ENSURE(c->ev_count <= PPTP_EVENTS_MAX);
	ENSURE(c->out_len <= PPTP_OUT_MAX);
	ENSURE(pptp_conn_active_calls(c) <= PPTP_MAX_CALLS);
	ENSURE(pptp_conn_state_name(c->state) != NULL);
	if (pptp_conn_is_closed(c))
		ENSURE(pptp_conn_next_timeout(c) == UINT64_MAX);
	for (int i = 0; i < PPTP_MAX_CALLS; i++) {
		const struct pptp_call *call = pptp_conn_call(c, i);
		/* A call the engine holds is one we opened and still count alive. */
		if (call)
			ENSURE(st->alive[i]);
		if (call && call->state == PPTP_CALL_ESTABLISHED)
			ENSURE(st->up[i] || c->ev_count > 0);
	}
}

HARNESS static void drain_events(struct pptp_conn *c, struct fuzz_state *st)
{
	struct pptp_event ev;

	while (pptp_conn_poll_event(c, &ev)) {
		ENSURE(memchr(ev.text, 0, sizeof ev.text) != NULL);
		ENSURE(!st->conn_down);	/* nothing after CONN_DOWN */
		switch (ev.type) {
		case PPTP_EV_CONN_UP:
			ENSURE(!st->conn_up && ev.call == -1);
			st->conn_up = true;
			break;
		case PPTP_EV_CONN_DOWN:
			ENSURE(ev.call == -1);
			ENSURE(ev.reason >= PPTP_DOWN_STOPPED && ev.reason <= PPTP_DOWN_OVERFLOW);
			for (int i = 0; i < PPTP_MAX_CALLS; i++)
				ENSURE(!st->alive[i]);	/* every call went down first */
			st->conn_down = true;
			break;
		case PPTP_EV_CALL_UP:
			ENSURE(ev.call >= 0 && ev.call < PPTP_MAX_CALLS);
			ENSURE(st->alive[ev.call] && !st->up[ev.call]);
			st->up[ev.call] = true;
			break;
		case PPTP_EV_CALL_DOWN:
			ENSURE(ev.call >= 0 && ev.call < PPTP_MAX_CALLS);
			ENSURE(st->alive[ev.call]);
			ENSURE(ev.reason >= PPTP_CALL_CLEARED && ev.reason <= PPTP_CALL_CONN_LOST);
			st->alive[ev.call] = false;
			st->up[ev.call] = false;
			break;
		default:
			__builtin_trap();
		}
	}
}

static void open_call(struct pptp_conn *c, struct fuzz_state *st, uint8_t seed, uint64_t now)
{
	struct pptp_call_params p;

	memset(&p, 0, sizeof p);
	memset(p.phone, 'a' + seed % 26, seed % (sizeof p.phone + 1));
	p.window = seed;
	p.framing = seed & 1 ? PPTP_FRAME_SYNC : PPTP_FRAME_ASYNC;
	int h = pptp_conn_call_open(c, &p, now);
	if (h >= 0) {
		ENSURE(h < PPTP_MAX_CALLS && !st->alive[h]);
		st->alive[h] = true;
	} else {
		ENSURE(h == -ENOSPC || h == -ENOTCONN);
	}
}

/* A successful SCCRP, so the fuzzer need not find one to go deeper. */
static size_t canned_sccrp(uint8_t *b)
{
	memset(b, 0, 156);
	put16(b, 156);
	put16(b + 2, 1);
	put32(b + 4, PPTP_MAGIC);
	put16(b + 8, PPTP_SCCRP);
	put16(b + 12, 0x0100);
	b[14] = 1;
	return 156;
}

static void fuzz_engine(const uint8_t *data, size_t size)
{
	static struct pptp_conn c;	/* big: keep it off the stack */
	struct fuzz_state st;
	struct pptp_conn_config cfg;
	uint8_t sccrp[156];
	size_t checked = 0;

	if (size < HDR)
		return;
	const uint8_t flags = data[0];
	const size_t sizes[4] = { (size_t)data[1] + 1, (size_t)data[2] + 1, (size_t)data[3] + 1,
				  (size_t)(data[1] ^ data[2]) % 7 + 1 };
	const uint64_t step = (uint64_t)(data[4] & 0x7f) * 500000u;	/* up to ~64 s per read */
	const bool jump = data[4] & 0x80;	/* also jump to each next deadline */
	memset(&st, 0, sizeof st);
	memset(&cfg, 0, sizeof cfg);
	cfg.hostname = "fuzz";
	cfg.vendor = "fuzz";
	cfg.idle_wait_ms = 1000u + (uint32_t)data[5] * 500u;
	cfg.max_echo_wait_ms = 1000u + (uint32_t)(data[5] >> 4) * 3000u;
	cfg.first_call_id = get16(data + 6);
	cfg.quirk = flags & 1 ? pptp_quirk_find("BEZEQ_ISRAEL") : NULL;
	cfg.log = fuzz_log;
	data += HDR;
	size -= HDR;

	uint64_t now = 1000000;
	pptp_conn_init(&c, &cfg, now);
	bool drain = !(flags & 0x10);
	if (flags & 2)
		open_call(&c, &st, flags, now);
	if (flags & 0x20)
		(void)pptp_conn_input(&c, sccrp, canned_sccrp(sccrp), now);

	size_t off = 0;
	for (unsigned i = 0; off < size; i++) {
		size_t k = sizes[i % 4];
		if (k > size - off)
			k = size - off;
		bool was_closed = pptp_conn_is_closed(&c);
		size_t before = c.out_len;
		int rc = pptp_conn_input(&c, data + off, k, now);
		off += k;
		ENSURE(rc == 0 || rc == -EPROTO);
		ENSURE((rc == -EPROTO) == pptp_conn_is_closed(&c));
		if (was_closed)
			ENSURE(c.out_len == before);	/* closed: nothing more queued */

		now += step;
		if (jump && i % 3 == 2) {
			/* Jump straight to the next deadline. */
			uint64_t t = pptp_conn_next_timeout(&c);
			if (t != UINT64_MAX && t > now)
				now = t;
		}
		pptp_conn_tick(&c, now);
		/* Whatever was due has been handled. */
		ENSURE(pptp_conn_is_closed(&c) || pptp_conn_next_timeout(&c) > now);

		if (flags & 4 && i % 5 == 1)
			open_call(&c, &st, (uint8_t)(data[off - 1] + i), now);
		if (flags & 8 && i % 7 == 3)
			pptp_conn_call_close(&c, data[off - 1] % (PPTP_MAX_CALLS + 2) - 1, now);
		if (flags & 0x40 && i % 4 == 0)
			(void)pptp_conn_call_set_link_info(&c, data[off - 1] % PPTP_MAX_CALLS,
							    (uint32_t)data[off - 1] << 16, 0xffffffffu);
		if (flags & 0x80 && i == 20)
			pptp_conn_stop(&c, now);
		check_output(&c, &checked);
		check_conn(&c, &st);
		if (drain) {
			const uint8_t *p;
			pptp_conn_consume(&c, pptp_conn_pending(&c, &p));
			checked = 0;
			drain_events(&c, &st);
		}
	}

	/* Wind down: stop, let every timer run out, then the transport goes. */
	pptp_conn_stop(&c, now);
	for (int j = 0; j < 8 && !pptp_conn_is_closed(&c); j++) {
		uint64_t t = pptp_conn_next_timeout(&c);
		ENSURE(t != UINT64_MAX);
		now = t > now ? t : now;
		pptp_conn_tick(&c, now);
		check_output(&c, &checked);
		check_conn(&c, &st);
		drain_events(&c, &st);
	}
	ENSURE(pptp_conn_is_closed(&c));
	pptp_conn_transport_closed(&c, flags, now);
	check_output(&c, &checked);
	drain_events(&c, &st);
	ENSURE(st.conn_down);
	ENSURE(pptp_conn_active_calls(&c) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_codec(data, size);
	fuzz_engine(data, size);
	return 0;
}
