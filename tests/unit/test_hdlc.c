/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_hdlc.c - FCS-16, the HDLC encoder and the stream decoder. */
#include <stdlib.h>
#include <string.h>

#include "hdlc.h"
#include "hdlc_avx2.h"
#include "../hdlcref.h"
#include "test.h"

/* The CRC the slow way, one bit at a time, to check the table against. */
static uint16_t fcs_bitwise(uint16_t fcs, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		fcs ^= p[i];
		for (int b = 0; b < 8; b++)
			fcs = (fcs & 1) ? (uint16_t)((fcs >> 1) ^ 0x8408) : (uint16_t)(fcs >> 1);
	}
	return fcs;
}

/* LCP Configure-Request id 1: ACCM 0, magic number 0x12345678. */
static const uint8_t lcp_creq[] = {
	0xff, 0x03, 0xc0, 0x21, 0x01, 0x01, 0x00, 0x10, 0x02, 0x06,
	0x00, 0x00, 0x00, 0x00, 0x05, 0x06, 0x12, 0x34, 0x56, 0x78,
};
/* Its FCS, worked out bit by bit outside this code: 0xf0a4, low byte first. */
static const uint8_t lcp_creq_enc[] = {
	0x7e, 0xff, 0x7d, 0x23, 0xc0, 0x21, 0x7d, 0x21, 0x7d, 0x21, 0x7d, 0x20,
	0x7d, 0x30, 0x7d, 0x22, 0x7d, 0x26, 0x7d, 0x20, 0x7d, 0x20, 0x7d, 0x20,
	0x7d, 0x20, 0x7d, 0x25, 0x7d, 0x26, 0x7d, 0x32, 0x34, 0x56, 0x78, 0xa4,
	0xf0, 0x7e,
};
/* Flag, escape and control bytes in the body; FCS 0x1c20, whose high byte
 * must be escaped too. */
static const uint8_t esc_frame[] = { 0xff, 0x03, 0x00, 0x21, 0x7e, 0x7d, 0x1f, 0x20, 0x41 };
static const uint8_t esc_frame_enc[] = {
	0x7e, 0xff, 0x7d, 0x23, 0x7d, 0x20, 0x21, 0x7d, 0x5e, 0x7d, 0x5d, 0x7d,
	0x3f, 0x20, 0x41, 0x20, 0x7d, 0x3c, 0x7e,
};

static void fcs_table_matches_bitwise(void)
{
	/* From an FCS of 0, four bytes with only byte k set to i give entry i
	 * of the table for 3 - k trailing zeros: every entry of all four
	 * tables is checked on its own. */
	for (int k = 0; k < 4; k++)
		for (unsigned i = 0; i < 256; i++) {
			uint8_t b[4] = { 0 };
			b[k] = (uint8_t)i;
			uint16_t want = fcs_bitwise(0, b, 4);
			if (fcs16(0, b, 4) != want) {
				CHECK_UINT(fcs16(0, b, 4), want);
				CHECK_INT(k * 1000 + (int)i, -1);	/* which entry */
				return;
			}
		}
	/* The byte-at-a-time tail: one byte from 0 is the plain table. */
	for (unsigned i = 0; i < 256; i++) {
		uint8_t b = (uint8_t)i;
		if (fcs16(0, &b, 1) != fcs_bitwise(0, &b, 1)) {
			CHECK_UINT(fcs16(0, &b, 1), fcs_bitwise(0, &b, 1));
			return;
		}
	}
	/* Every length and start offset mixes the four-byte steps and the
	 * tail. */
	uint8_t data[300];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 37 + 11);
	for (size_t off = 0; off < 4; off++)
		for (size_t n = 0; n + off <= sizeof data; n += 13)
			if (fcs16(FCS16_INIT, data + off, n) != fcs_bitwise(FCS16_INIT, data + off, n)) {
				CHECK_UINT(fcs16(FCS16_INIT, data + off, n),
					   fcs_bitwise(FCS16_INIT, data + off, n));
				return;
			}
}

static void fcs_check_values(void)
{
	/* The published check value of this CRC (CRC-16/X-25). */
	const uint8_t digits[] = "123456789";
	CHECK_UINT(fcs16(FCS16_INIT, digits, 9) ^ 0xffff, 0x906e);
	CHECK_UINT(fcs_bitwise(FCS16_INIT, lcp_creq, sizeof lcp_creq) ^ 0xffff, 0xf0a4);
	CHECK_UINT(fcs16(FCS16_INIT, lcp_creq, sizeof lcp_creq) ^ 0xffff, 0xf0a4);
	/* Over the frame and its FCS, the good remainder. */
	uint8_t f[sizeof lcp_creq + 2];
	memcpy(f, lcp_creq, sizeof lcp_creq);
	f[sizeof lcp_creq] = 0xa4;
	f[sizeof lcp_creq + 1] = 0xf0;
	CHECK_UINT(fcs16(FCS16_INIT, f, sizeof f), FCS16_GOOD);
	/* Chained updates equal one pass. */
	CHECK_UINT(fcs16(fcs16(FCS16_INIT, lcp_creq, 7), lcp_creq + 7, sizeof lcp_creq - 7),
		   fcs16(FCS16_INIT, lcp_creq, sizeof lcp_creq));
}

static void encode_lcp_configure_request(void)
{
	uint8_t out[HDLC_ENCODED_MAX(sizeof lcp_creq)];
	size_t n = hdlc_encode(lcp_creq, sizeof lcp_creq, out, sizeof out);
	CHECK_UINT(n, sizeof lcp_creq_enc);
	CHECK_MEM(out, lcp_creq_enc, sizeof lcp_creq_enc);
}

static void encode_escapes_flag_escape_control_and_fcs(void)
{
	uint8_t out[HDLC_ENCODED_MAX(sizeof esc_frame)];
	size_t n = hdlc_encode(esc_frame, sizeof esc_frame, out, sizeof out);
	CHECK_UINT(n, sizeof esc_frame_enc);
	CHECK_MEM(out, esc_frame_enc, sizeof esc_frame_enc);
	CHECK_UINT(fcs_bitwise(FCS16_INIT, esc_frame, sizeof esc_frame) ^ 0xffff, 0x1c20);
}

static void encode_every_byte_value(void)
{
	uint8_t f[256], out[HDLC_ENCODED_MAX(256)];
	for (int i = 0; i < 256; i++)
		f[i] = (uint8_t)i;
	size_t n = hdlc_encode(f, sizeof f, out, sizeof out);
	/* 32 control bytes, 0x7d and 0x7e take two bytes each. */
	size_t escaped_fcs = 0;
	uint16_t fcs = fcs16(FCS16_INIT, f, sizeof f) ^ 0xffff;
	for (int i = 0; i < 2; i++) {
		uint8_t b = (uint8_t)(fcs >> (8 * i));
		escaped_fcs += b < 0x20 || b == 0x7d || b == 0x7e;
	}
	CHECK_UINT(n, 1 + 256 + 34 + 2 + escaped_fcs + 1);
	CHECK_UINT(out[0], 0x7e);
	CHECK_UINT(out[n - 1], 0x7e);
	for (size_t i = 1; i + 1 < n; i++) {
		CHECK(out[i] != 0x7e);
		CHECK(out[i] >= 0x20 || out[i - 1] == 0x7d);
	}
}

static void encode_capacity_exact(void)
{
	uint8_t out[64];
	size_t need = sizeof esc_frame_enc;

	/* Every capacity below the need fails without writing past it. */
	for (size_t cap = 0; cap < need; cap++) {
		memset(out, 0xaa, sizeof out);
		CHECK_UINT(hdlc_encode(esc_frame, sizeof esc_frame, out, cap), 0);
		for (size_t i = cap; i < sizeof out; i++)
			if (out[i] != 0xaa) {
				CHECK_UINT(out[i], 0xaa);
				break;
			}
	}
	memset(out, 0xaa, sizeof out);
	CHECK_UINT(hdlc_encode(esc_frame, sizeof esc_frame, out, need), need);
	CHECK_UINT(out[need], 0xaa);
	CHECK_MEM(out, esc_frame_enc, need);
	/* The unescaped frame and an empty frame. */
	const uint8_t plain[] = { 0xff, 0x7f, 0xc0, 0x21 };
	size_t m = hdlc_encode(plain, sizeof plain, out, sizeof out);
	CHECK(m >= 8);
	CHECK_UINT(hdlc_encode(plain, sizeof plain, out, m), m);
	CHECK_UINT(hdlc_encode(plain, sizeof plain, out, m - 1), 0);
	/* An empty frame's FCS is 0x0000: both bytes escaped. */
	const uint8_t empty_enc[] = { 0x7e, 0x7d, 0x20, 0x7d, 0x20, 0x7e };
	CHECK_UINT(hdlc_encode(plain, 0, out, sizeof out), sizeof empty_enc);
	CHECK_MEM(out, empty_enc, sizeof empty_enc);
	CHECK_UINT(hdlc_encode(plain, 0, out, 5), 0);
}

/* Frames collected from a decoder. */
struct got {
	int n;
	size_t len[8];
	uint8_t data[8][512];
};

static void feed(struct hdlc_decoder *d, const uint8_t *p, size_t n, struct got *g)
{
	const uint8_t *in = p, *end = p + n, *frame;
	size_t len;

	while (hdlc_decode(d, &in, end, &frame, &len)) {
		CHECK(in <= end);
		CHECK(frame == d->buf);
		CHECK(len + 2 <= d->cap);
		if (g->n < 8 && len <= sizeof g->data[0]) {
			memcpy(g->data[g->n], frame, len);
			g->len[g->n] = len;
		}
		g->n++;
	}
	CHECK(in == end);
}

static void check_frame(const struct got *g, int i, const uint8_t *want, size_t n)
{
	if (g->n <= i) {
		CHECK_INT(g->n, i + 1);
		return;
	}
	CHECK_UINT(g->len[i], n);
	if (g->len[i] == n)
		CHECK_MEM(g->data[i], want, n);
}

/* Three frames back to back (the second shares its opening flag). */
static size_t three_frames(uint8_t *s)
{
	size_t n = 0;
	memcpy(s + n, lcp_creq_enc, sizeof lcp_creq_enc);
	n += sizeof lcp_creq_enc;
	memcpy(s + n, esc_frame_enc + 1, sizeof esc_frame_enc - 1);	/* shared flag */
	n += sizeof esc_frame_enc - 1;
	memcpy(s + n, lcp_creq_enc, sizeof lcp_creq_enc);
	n += sizeof lcp_creq_enc;
	return n;
}

static void check_three(const struct got *g)
{
	CHECK_INT(g->n, 3);
	check_frame(g, 0, lcp_creq, sizeof lcp_creq);
	check_frame(g, 1, esc_frame, sizeof esc_frame);
	check_frame(g, 2, lcp_creq, sizeof lcp_creq);
}

static void decode_packed_frames(void)
{
	uint8_t s[128], buf[1502];
	size_t n = three_frames(s);
	struct hdlc_decoder d;
	struct got g = { 0 };

	hdlc_decoder_init(&d, buf, sizeof buf);
	feed(&d, s, n, &g);
	check_three(&g);
	CHECK_UINT(hdlc_decoder_counts(&d).frames, 3);
	struct hdlc_counts c = hdlc_decoder_counts(&d);
	CHECK_UINT(c.bad_fcs + c.runts + c.oversize + c.aborts, 0);
}

static void decode_split_at_every_boundary(void)
{
	uint8_t s[128], buf[1502];
	size_t n = three_frames(s);

	for (size_t cut = 0; cut <= n; cut++) {
		struct hdlc_decoder d;
		struct got g = { 0 };
		hdlc_decoder_init(&d, buf, sizeof buf);
		feed(&d, s, cut, &g);
		feed(&d, s + cut, n - cut, &g);
		check_three(&g);
		CHECK_UINT(hdlc_decoder_counts(&d).frames, 3);
	}
	/* And one byte per call. */
	struct hdlc_decoder d;
	struct got g = { 0 };
	hdlc_decoder_init(&d, buf, sizeof buf);
	for (size_t i = 0; i < n; i++)
		feed(&d, s + i, 1, &g);
	check_three(&g);
}

static void decode_escapes_not_needed(void)
{
	/* Every byte escaped, 0x5d (sent as 7d 7d) included. */
	const uint8_t frame[] = { 0xff, 0x03, 0xc0, 0x21, 0x5d, 0x41 };
	uint8_t f[sizeof frame + 2], s[64], buf[64];
	memcpy(f, frame, sizeof frame);
	uint16_t fcs = fcs_bitwise(FCS16_INIT, frame, sizeof frame) ^ 0xffff;
	f[sizeof frame] = (uint8_t)fcs;
	f[sizeof frame + 1] = (uint8_t)(fcs >> 8);
	size_t n = 0;
	s[n++] = 0x7e;
	for (size_t i = 0; i < sizeof f; i++) {
		s[n++] = 0x7d;
		s[n++] = f[i] ^ 0x20;
	}
	s[n++] = 0x7e;

	struct hdlc_decoder d;
	struct got g = { 0 };
	hdlc_decoder_init(&d, buf, sizeof buf);
	feed(&d, s, n, &g);
	CHECK_INT(g.n, 1);
	check_frame(&g, 0, frame, sizeof frame);
}

static void decode_bad_fcs_counted(void)
{
	uint8_t s[128], buf[1502];
	memcpy(s, lcp_creq_enc, sizeof lcp_creq_enc);
	s[20] ^= 0x01;	/* a data byte */
	memcpy(s + sizeof lcp_creq_enc, esc_frame_enc, sizeof esc_frame_enc);

	struct hdlc_decoder d;
	struct got g = { 0 };
	hdlc_decoder_init(&d, buf, sizeof buf);
	feed(&d, s, sizeof lcp_creq_enc + sizeof esc_frame_enc, &g);
	CHECK_INT(g.n, 1);
	check_frame(&g, 0, esc_frame, sizeof esc_frame);
	CHECK_UINT(hdlc_decoder_counts(&d).bad_fcs, 1);
	CHECK_UINT(hdlc_decoder_counts(&d).frames, 1);
}

static void decode_oversize_dropped_no_overflow(void)
{
	/* Room for the escape frame (9 + 2 FCS) exactly; the LCP frame (22
	 * with FCS) does not fit.  Heap buffer of exactly cap bytes: any
	 * write past it trips AddressSanitizer. */
	size_t cap = sizeof esc_frame + 2;
	uint8_t *buf = malloc(cap);
	uint8_t s[128];
	size_t n = 0;
	memcpy(s + n, lcp_creq_enc, sizeof lcp_creq_enc);
	n += sizeof lcp_creq_enc;
	memcpy(s + n, esc_frame_enc, sizeof esc_frame_enc);
	n += sizeof esc_frame_enc;

	struct hdlc_decoder d;
	struct got g = { 0 };
	hdlc_decoder_init(&d, buf, cap);
	feed(&d, s, n, &g);
	CHECK_UINT(hdlc_decoder_counts(&d).oversize, 1);
	CHECK_INT(g.n, 1);
	check_frame(&g, 0, esc_frame, sizeof esc_frame);
	CHECK(d.len <= d.cap);
	/* One byte more than fits, split across calls. */
	hdlc_decoder_init(&d, buf, cap - 1);
	g.n = 0;
	feed(&d, esc_frame_enc, 5, &g);
	feed(&d, esc_frame_enc + 5, sizeof esc_frame_enc - 5, &g);
	CHECK_INT(g.n, 0);
	CHECK_UINT(hdlc_decoder_counts(&d).oversize, 1);
	CHECK_UINT(hdlc_decoder_counts(&d).bad_fcs, 0);
	free(buf);
}

static void decode_runts_counted(void)
{
	const uint8_t s[] = { 0x7e, 0x01, 0x7e, 0x01, 0x02, 0x03, 0x7e };
	uint8_t buf[64];
	struct hdlc_decoder d;
	struct got g = { 0 };
	hdlc_decoder_init(&d, buf, sizeof buf);
	feed(&d, s, sizeof s, &g);
	CHECK_INT(g.n, 0);
	CHECK_UINT(hdlc_decoder_counts(&d).runts, 2);
	CHECK_UINT(hdlc_decoder_counts(&d).bad_fcs, 0);
}

static void decode_abort_sequence(void)
{
	uint8_t s[128], buf[1502];
	size_t n = 0;
	/* Half a frame, then 7d 7e: the flag ends it and starts the next. */
	memcpy(s, lcp_creq_enc, 12);
	n = 12;
	s[n++] = 0x7d;
	memcpy(s + n, esc_frame_enc, sizeof esc_frame_enc);
	n += sizeof esc_frame_enc;

	struct hdlc_decoder d;
	struct got g = { 0 };
	hdlc_decoder_init(&d, buf, sizeof buf);
	feed(&d, s, n, &g);
	CHECK_UINT(hdlc_decoder_counts(&d).aborts, 1);
	CHECK_UINT(hdlc_decoder_counts(&d).bad_fcs, 0);
	CHECK_INT(g.n, 1);
	check_frame(&g, 0, esc_frame, sizeof esc_frame);
}

static void decode_garbage_before_first_flag(void)
{
	/* A decoder started mid-frame: the tail is judged like a frame. */
	uint8_t s[128], buf[1502];
	const uint8_t junk[] = { 0x12, 0x34, 0x56, 0x78, 0x9a };
	memcpy(s, junk, sizeof junk);
	memcpy(s + sizeof junk, lcp_creq_enc, sizeof lcp_creq_enc);

	struct hdlc_decoder d;
	struct got g = { 0 };
	hdlc_decoder_init(&d, buf, sizeof buf);
	feed(&d, s, sizeof junk + sizeof lcp_creq_enc, &g);
	CHECK_INT(g.n, 1);
	check_frame(&g, 0, lcp_creq, sizeof lcp_creq);
	CHECK_UINT(hdlc_decoder_counts(&d).bad_fcs, 1);

	/* Shorter garbage is a runt. */
	hdlc_decoder_init(&d, buf, sizeof buf);
	g.n = 0;
	memcpy(s + 3, lcp_creq_enc, sizeof lcp_creq_enc);
	feed(&d, s, 3 + sizeof lcp_creq_enc, &g);
	CHECK_INT(g.n, 1);
	CHECK_UINT(hdlc_decoder_counts(&d).runts, 1);
}

static void decode_idle_flags_silent(void)
{
	const uint8_t s[] = { 0x7e, 0x7e, 0x7e, 0x7e };
	uint8_t buf[64];
	struct hdlc_decoder d;
	struct got g = { 0 };
	hdlc_decoder_init(&d, buf, sizeof buf);
	feed(&d, s, sizeof s, &g);
	CHECK_INT(g.n, 0);
	struct hdlc_counts c = hdlc_decoder_counts(&d);
	CHECK_UINT(c.frames + c.bad_fcs + c.runts + c.oversize + c.aborts, 0);
}

/* The counts come out as a copy, each kind in its own field: a caller
 * keeps an old copy and sees exactly which kinds moved since. */
static void decode_counts_snapshot(void)
{
	const uint8_t runt[] = { 0x7e, 0x01, 0x02, 0x7e };
	uint8_t buf[1502];
	struct hdlc_decoder d;
	struct got g = { 0 };

	hdlc_decoder_init(&d, buf, sizeof buf);
	struct hdlc_counts before = hdlc_decoder_counts(&d);
	CHECK_UINT(before.frames + before.bad_fcs + before.oversize + before.runts + before.aborts, 0);
	feed(&d, lcp_creq_enc, sizeof lcp_creq_enc, &g);
	struct hdlc_counts one = hdlc_decoder_counts(&d);
	feed(&d, runt, sizeof runt, &g);
	struct hdlc_counts two = hdlc_decoder_counts(&d);
	CHECK_UINT(before.frames, 0);	/* an older copy does not move */
	CHECK_UINT(one.frames, 1);
	CHECK_UINT(one.runts, 0);
	CHECK_UINT(two.frames, 1);
	CHECK_UINT(two.runts, 1);
	CHECK_UINT(two.bad_fcs + two.oversize + two.aborts, 0);
}

static void decode_partial_kept_until_flag(void)
{
	uint8_t buf[64];
	struct hdlc_decoder d;
	struct got g = { 0 };
	hdlc_decoder_init(&d, buf, sizeof buf);
	/* A chunk ending right after an escape byte (7e ff 7d). */
	feed(&d, esc_frame_enc, 3, &g);
	CHECK(d.escape);
	CHECK_UINT(d.len, 1);
	/* Everything but the closing flag: still nothing. */
	feed(&d, esc_frame_enc + 3, sizeof esc_frame_enc - 4, &g);
	CHECK_INT(g.n, 0);
	feed(&d, esc_frame_enc + sizeof esc_frame_enc - 1, 1, &g);
	CHECK_INT(g.n, 1);
	check_frame(&g, 0, esc_frame, sizeof esc_frame);
}

/* A frame split across two inputs, the decoder moved to another place
 * between them (ahead, overlapping, as the gateway moves it along its send
 * batch; and back): the frame comes out whole at the new place. */
static void decode_moved_between_reads(void)
{
	uint8_t f[200], enc[HDLC_ENCODED_MAX(200)], area[3 * 256];

	for (size_t i = 0; i < sizeof f; i++)
		f[i] = (uint8_t)(i * 37 + 3);	/* some bytes to escape among plain ones */
	size_t n = hdlc_encode(f, sizeof f, enc, sizeof enc);
	static const long shifts[] = { 0, 5, 17, 100, 256, -5, -100 };
	for (size_t k = 0; k < sizeof shifts / sizeof shifts[0]; k++) {
		for (size_t cut = 1; cut < n; cut += 13) {
			struct hdlc_decoder d;
			struct got g = { 0 };
			uint8_t *from = area + 256, *to = from + shifts[k];
			memset(area, 0xaa, sizeof area);
			hdlc_decoder_init(&d, from, sizeof f + 2);
			feed(&d, enc, cut, &g);
			CHECK_INT(g.n, 0);
			hdlc_decoder_move(&d, to);
			CHECK(d.buf == to);
			CHECK_UINT(d.cap, sizeof f + 2);
			const uint8_t *in = enc + cut, *frame = NULL;
			size_t len = 0;
			CHECK_INT(hdlc_decode(&d, &in, enc + n, &frame, &len), 1);
			CHECK(frame == to);
			CHECK_UINT(len, sizeof f);
			if (len == sizeof f)
				CHECK_MEM(frame, f, sizeof f);
		}
	}
}

/* A frame already too long when the decoder moves is still dropped as
 * oversize; a frame begun under the same cap but fitting it moves whole. */
static void decode_moved_while_oversize(void)
{
	uint8_t a[32], b[32];
	struct hdlc_decoder d;
	struct got g = { 0 };

	hdlc_decoder_init(&d, a, sizeof esc_frame + 1);	/* one byte short */
	feed(&d, esc_frame_enc, sizeof esc_frame_enc - 1, &g);
	CHECK(d.overflow);
	hdlc_decoder_move(&d, b);
	feed(&d, esc_frame_enc + sizeof esc_frame_enc - 1, 1, &g);
	CHECK_INT(g.n, 0);
	CHECK_UINT(hdlc_decoder_counts(&d).oversize, 1);
	hdlc_decoder_init(&d, a, sizeof esc_frame + 2);
	feed(&d, esc_frame_enc, 4, &g);
	CHECK(!d.overflow && d.len > 0);
	hdlc_decoder_move(&d, b);
	feed(&d, esc_frame_enc + 4, sizeof esc_frame_enc - 4, &g);
	CHECK_INT(g.n, 1);
	check_frame(&g, 0, esc_frame, sizeof esc_frame);
}

static void roundtrip_all_lengths(void)
{
	uint8_t f[300], enc[HDLC_ENCODED_MAX(300)], buf[302];
	for (size_t i = 0; i < sizeof f; i++)
		f[i] = (uint8_t)(i * 131 + 7);
	for (size_t len = 2; len <= sizeof f; len += 7) {
		size_t n = hdlc_encode(f, len, enc, sizeof enc);
		struct hdlc_decoder d;
		const uint8_t *in = enc, *frame = NULL;
		size_t got = 0;
		hdlc_decoder_init(&d, buf, len + 2);	/* exactly enough room */
		CHECK_INT(hdlc_decode(&d, &in, enc + n, &frame, &got), 1);
		CHECK_UINT(got, len);
		if (got == len)
			CHECK_MEM(frame, f, len);
		CHECK(in == enc + n);
	}
}

/* The codec handles sixteen (or eight) bytes at a time: put each byte
 * value at each position of a 64-byte frame (every place in a block, in
 * the whole blocks and in the last ones), among plain bytes, and check the
 * encoding byte for byte against the rule (escape below 0x20, 0x7d, 0x7e)
 * and the decoding back. */
static void every_byte_at_every_word_offset(void)
{
	uint8_t f[64], enc[HDLC_ENCODED_MAX(64)], want[HDLC_ENCODED_MAX(64)], buf[66];
	int bad_enc = 0, bad_dec = 0;

	for (int v = 0; v < 256; v++) {
		for (size_t at = 0; at < sizeof f; at++) {
			memset(f, 'a', sizeof f);
			f[at] = (uint8_t)v;
			size_t n = hdlc_encode(f, sizeof f, enc, sizeof enc);
			uint16_t fcs = fcs16(FCS16_INIT, f, sizeof f) ^ 0xffff;
			uint8_t all[sizeof f + 2];
			memcpy(all, f, sizeof f);
			all[sizeof f] = (uint8_t)fcs;
			all[sizeof f + 1] = (uint8_t)(fcs >> 8);
			size_t o = 0;
			want[o++] = 0x7e;
			for (size_t i = 0; i < sizeof all; i++) {
				if (all[i] < 0x20 || all[i] == 0x7d || all[i] == 0x7e) {
					want[o++] = 0x7d;
					want[o++] = all[i] ^ 0x20;
				} else {
					want[o++] = all[i];
				}
			}
			want[o++] = 0x7e;
			bad_enc += n != o || memcmp(enc, want, o) != 0;

			struct hdlc_decoder d;
			const uint8_t *in = enc, *frame = NULL;
			size_t got = 0;
			hdlc_decoder_init(&d, buf, sizeof buf);
			bad_dec += hdlc_decode(&d, &in, enc + n, &frame, &got) != 1 || got != sizeof f ||
				   memcmp(frame, f, sizeof f) != 0 || in != enc + n;
		}
	}
	CHECK_INT(bad_enc, 0);
	CHECK_INT(bad_dec, 0);
}

/* ---- the wide paths ----
 * The codec works thirty-two bytes at a time where the processor has AVX2,
 * sixteen with SSE2 (unit_tests_sse2), eight in the portable build,
 * with a different path for the last bytes of an input, for an output
 * buffer near full, and for the FCS of longer frames.  The checks below
 * compare it with the rules done one byte at a time, for every length
 * around the block sizes, at every alignment, with every kind of byte at
 * every place, and with the input cut anywhere. */

/* Deterministic pseudo-random bytes; one in about eight is one to escape,
 * as in encrypted payload. */
static uint32_t rnd_state;
static uint32_t rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return rnd_state >> 8;
}

static void fill_random(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)rnd();
}

/* Bytes that are mostly special: flags, escapes, control bytes, 0x5d
 * (0x7d escaped), plain bytes in between. */
static void fill_special(uint8_t *p, size_t n)
{
	static const uint8_t pick[] = { 0x7e, 0x7d, 0x7d, 0x00, 0x1f, 0x20, 0x5d, 0x5e, 0x41, 0xff };
	for (size_t i = 0; i < n; i++)
		p[i] = pick[rnd() % sizeof pick];
}

/* The encoding by the rules, one byte at a time. */
static size_t ref_encode(const uint8_t *f, size_t n, uint8_t *out)
{
	uint16_t fcs = fcs_bitwise(FCS16_INIT, f, n) ^ 0xffff;
	size_t o = 0;
	out[o++] = 0x7e;
	for (size_t i = 0; i < n + 2; i++) {
		uint8_t b = i < n ? f[i] : (uint8_t)(fcs >> (8 * (i - n)));
		if (b < 0x20 || b == 0x7d || b == 0x7e) {
			out[o++] = 0x7d;
			b ^= 0x20;
		}
		out[o++] = b;
	}
	out[o++] = 0x7e;
	return o;
}

static void fcs_every_length_and_alignment(void)
{
	uint8_t data[16 + 600];
	int bad = 0;
	rnd_state = 1;
	fill_random(data, sizeof data);
	/* Every length up to well past the carry-less path's 16-byte start
	 * and its 16-byte steps, at every alignment, from several values. */
	static const uint16_t init[] = { FCS16_INIT, 0x0000, 0x1234, 0x8408 };
	for (size_t k = 0; k < sizeof init / sizeof init[0]; k++)
		for (size_t off = 0; off < 16; off++)
			for (size_t n = 0; n <= 600; n++)
				bad += fcs16(init[k], data + off, n) != fcs_bitwise(init[k], data + off, n);
	CHECK_INT(bad, 0);
	/* Long frames, and bytes that are all ones or all zeros. */
	static uint8_t big[16386];
	fill_random(big, sizeof big);
	CHECK_UINT(fcs16(FCS16_INIT, big, sizeof big), fcs_bitwise(FCS16_INIT, big, sizeof big));
	memset(big, 0xff, 4099);
	CHECK_UINT(fcs16(FCS16_INIT, big, 4099), fcs_bitwise(FCS16_INIT, big, 4099));
	memset(big, 0, 4099);
	CHECK_UINT(fcs16(0, big, 4099), 0);
	CHECK_UINT(fcs16(FCS16_INIT, big, 4099), fcs_bitwise(FCS16_INIT, big, 4099));
	/* A frame followed by its FCS leaves the good remainder, long or short. */
	for (size_t n = 1; n <= 300; n++) {
		fill_random(big, n);
		uint16_t f = fcs16(FCS16_INIT, big, n) ^ 0xffff;
		big[n] = (uint8_t)f;
		big[n + 1] = (uint8_t)(f >> 8);
		bad += fcs16(FCS16_INIT, big, n + 2) != FCS16_GOOD;
	}
	CHECK_INT(bad, 0);
}

/* Encode n bytes at input alignment ia into an output of exactly cap bytes
 * at alignment oa (heap blocks of exactly that size: AddressSanitizer sees
 * any byte read or written past them); compare with the rules. */
static int encode_matches(const uint8_t *f, size_t n, size_t ia, size_t oa, size_t cap)
{
	uint8_t *in = malloc(ia + n ? ia + n : 1), *out = malloc(oa + cap ? oa + cap : 1);
	uint8_t want[HDLC_ENCODED_MAX(300)];
	int bad = 0;
	if (!in || !out) {
		free(in);
		free(out);
		return 1;
	}
	memcpy(in + ia, f, n);
	size_t need = ref_encode(f, n, want);
	size_t got = hdlc_encode(in + ia, n, out + oa, cap);
	if (need <= cap)
		bad = got != need || memcmp(out + oa, want, need) != 0;
	else
		bad = got != 0;
	free(in);
	free(out);
	return bad;
}

static void encode_every_length_and_alignment(void)
{
	uint8_t f[300];
	int bad = 0;
	rnd_state = 2;
	for (size_t n = 0; n <= 300; n++) {
		for (int kind = 0; kind < 4; kind++) {
			if (kind == 0)
				fill_random(f, n);
			else if (kind == 1)
				fill_special(f, n);
			else
				memset(f, kind == 2 ? 0x41 : 0x7e, n);	/* none, or all, to escape */
			for (size_t ia = 0; ia < 16; ia += n < 80 ? 1 : 5)
				for (size_t oa = 0; oa < 16; oa += n < 80 ? 3 : 7)
					bad += encode_matches(f, n, ia, oa, HDLC_ENCODED_MAX(n));
		}
	}
	CHECK_INT(bad, 0);
}

/* Every capacity from too small to more than enough: the exact need
 * works, one byte less fails, nothing is written past cap. */
static void encode_every_capacity(void)
{
	uint8_t f[120], out[HDLC_ENCODED_MAX(120) + 64], want[HDLC_ENCODED_MAX(120)];
	int bad = 0;
	rnd_state = 3;
	for (size_t n = 0; n <= 120; n++) {
		if (n % 3 == 0)
			fill_special(f, n);
		else
			fill_random(f, n);
		size_t need = ref_encode(f, n, want);
		for (size_t cap = need > 40 ? need - 40 : 0; cap <= need + 40; cap++) {
			memset(out, 0xaa, sizeof out);
			size_t got = hdlc_encode(f, n, out, cap);
			if (cap < need) {
				bad += got != 0;
			} else {
				bad += got != need || memcmp(out, want, need) != 0;
			}
			for (size_t i = cap; i < sizeof out; i++)
				bad += out[i] != 0xaa;
		}
		/* On the heap, exactly cap bytes, for AddressSanitizer. */
		bad += encode_matches(f, n, 1, 0, need);
		bad += encode_matches(f, n, 0, 1, need - 1);
	}
	CHECK_INT(bad, 0);
}

/* The decoder by the rules (tests/hdlcref.h), keeping the last good frame. */
struct ref_dec {
	struct hdlc_ref h;
	uint8_t buf[400];
	size_t last_len;
	uint8_t last[400];
};

static bool ref_byte(struct ref_dec *r, uint8_t b)
{
	size_t len;
	if (!hdlc_ref_byte(&r->h, b, &len))
		return false;
	r->last_len = len;
	memcpy(r->last, r->buf, len);
	return true;
}

/* Feed s[0, n) in chunks (sizes from chunk(), each chunk copied to a heap
 * block of exactly its size at alignment al) to a decoder with a frame
 * buffer of cap bytes (on the heap, exactly), and to the rules; every
 * frame, counter and the state between chunks must agree.  Returns the
 * number of disagreements. */
static int decode_agrees(const uint8_t *s, size_t n, size_t cap, size_t al, size_t (*chunk)(size_t at))
{
	uint8_t *buf = malloc(cap);
	struct ref_dec *r = calloc(1, sizeof *r);
	struct hdlc_decoder d;
	int bad = 0;
	if (!buf || !r) {
		free(buf);
		free(r);
		return 1;
	}
	r->h = (struct hdlc_ref){ .buf = r->buf, .cap = cap, .fcs = fcs_bitwise };
	hdlc_decoder_init(&d, buf, cap);
	for (size_t at = 0; at < n;) {
		size_t c = chunk(at);
		if (c > n - at)
			c = n - at;
		uint8_t *blk = malloc(al + c);
		if (!blk) {
			bad++;
			break;
		}
		memcpy(blk + al, s + at, c);
		const uint8_t *in = blk + al, *end = blk + al + c, *frame, *from = in;
		size_t len;
		while (hdlc_decode(&d, &in, end, &frame, &len)) {
			/* the rules end the same frame on the same byte */
			bool ended = false;
			while (from < in) {
				ended = ref_byte(r, *from++);
				bad += ended && from != in;
			}
			bad += !ended || len != r->last_len || memcmp(frame, r->last, len) != 0 || frame != buf;
		}
		bad += in != end;
		while (from < end)
			bad += ref_byte(r, *from++);	/* no frame may end unseen */
		bad += d.len != r->h.n || d.escape != r->h.esc || d.overflow != r->h.ovf ||
		       memcmp(d.buf, r->buf, d.len) != 0;
		free(blk);
		at += c;
	}
	struct hdlc_counts c = hdlc_decoder_counts(&d);
	bad += c.frames != r->h.frames || c.bad_fcs != r->h.bad_fcs || c.oversize != r->h.oversize ||
	       c.runts != r->h.runts || c.aborts != r->h.aborts;
	free(buf);
	free(r);
	return bad;
}

static size_t chunk_all(size_t at) { (void)at; return SIZE_MAX; }
static size_t chunk_one(size_t at) { (void)at; return 1; }
static size_t chunk_random(size_t at) { (void)at; return 1 + rnd() % 70; }
static size_t cut_at;
static size_t chunk_cut(size_t at) { return at < cut_at ? cut_at - at : SIZE_MAX; }

/* A stream of frames of the given lengths (random or special content),
 * some with escapes that were not needed (0x5d sent as 7d 7d). */
static size_t make_stream(uint8_t *s, const size_t *lens, size_t nlens, bool special)
{
	size_t o = 0;
	uint8_t f[300];
	for (size_t k = 0; k < nlens; k++) {
		if (special)
			fill_special(f, lens[k]);
		else
			fill_random(f, lens[k]);
		size_t e = ref_encode(f, lens[k], s + o);
		/* Escape a few plain bytes too, which any sender may (not 0x5e:
		 * 7d 7e is the abort sequence). */
		for (size_t i = o + 1; i + 1 < o + e; i++) {
			if (s[i] != 0x7d && s[i] != 0x7e && s[i] != 0x5e && s[i - 1] != 0x7d && rnd() % 16 == 0) {
				memmove(s + i + 1, s + i, o + e - i);
				s[i + 1] = s[i] ^ 0x20;
				s[i] = 0x7d;
				e++;
			}
		}
		o += e - 1;	/* frames share their flags */
	}
	return o + 1;
}

static void decode_every_length_and_alignment(void)
{
	uint8_t s[2 * 300 + 200];
	int bad = 0;
	rnd_state = 4;
	for (size_t n = 0; n <= 300; n++) {
		size_t lens[1] = { n };
		size_t sl = make_stream(s, lens, 1, n % 4 == 3);
		for (size_t al = 0; al < 16; al += n < 80 ? 1 : 5) {
			bad += decode_agrees(s, sl, n + 2, al, chunk_all);	/* exactly enough room */
			bad += decode_agrees(s, sl, 400, al, chunk_all);
		}
		/* and with room for less than the frame */
		if (n > 2)
			bad += decode_agrees(s, sl, n + 1, 3, chunk_all);
	}
	CHECK_INT(bad, 0);
}

static void decode_long_stream_cut_everywhere(void)
{
	static const size_t lens[] = { 64, 1, 15, 16, 17, 31, 32, 33, 47, 48, 0, 100, 2, 250, 5 };
	uint8_t s[4000];
	int bad = 0;
	rnd_state = 5;
	for (int special = 0; special < 2; special++) {
		size_t n = make_stream(s, lens, sizeof lens / sizeof lens[0], special);
		for (cut_at = 0; cut_at <= n; cut_at++)
			bad += decode_agrees(s, n, 302, cut_at % 16, chunk_cut);
		bad += decode_agrees(s, n, 302, 0, chunk_one);
		for (int k = 0; k < 50; k++)
			bad += decode_agrees(s, n, k % 2 ? 302 : 40 + (size_t)k, (size_t)k % 16, chunk_random);
	}
	CHECK_INT(bad, 0);
}

/* A flag, an abort (7d 7e), 7d 7d, a lone escape or a control byte at each
 * place of a stream of plain bytes, alone and two at a time: where the
 * decoder's wide path must stop or go on. */
static void decode_special_at_every_place(void)
{
	static const uint8_t seq[][2] = {
		{ 0x7e, 0 }, { 0x7d, 0x7e }, { 0x7d, 0x7d }, { 0x7d, 0x5e }, { 0x7d, 0x20 }, { 0x00, 0 }, { 0x7d, 0 },
	};
	static const size_t seqlen[] = { 1, 2, 2, 2, 2, 1, 1 };
	uint8_t s[80];
	int bad = 0;
	for (size_t a = 0; a < 7; a++)
		for (size_t b = 0; b < 7; b++)
			for (size_t pa = 0; pa < 64; pa++)
				for (size_t pb = pa; pb < 64; pb += pa < 40 ? 7 : 1) {
					memset(s, 0x41, sizeof s);
					s[0] = 0x7e;
					memcpy(s + 1 + pa, seq[a], seqlen[a]);
					memcpy(s + 1 + pb + 2, seq[b], seqlen[b]);
					bad += decode_agrees(s, sizeof s, 302, pa % 16, chunk_all);
					bad += decode_agrees(s, 1 + pb + 2 + seqlen[b], 302, 0, chunk_all);
				}
	CHECK_INT(bad, 0);
}

/* The same specials where the wide steps meet (32, 64, 96, 128 bytes in),
 * in a longer stream with escapes all along, so that several 64-byte steps
 * run before and after them. */
static void decode_special_at_wide_step_edges(void)
{
	static const uint8_t seq[][2] = {
		{ 0x7e, 0 }, { 0x7d, 0x7e }, { 0x7d, 0x7d }, { 0x7d, 0x5e }, { 0x7d, 0x20 }, { 0x00, 0 }, { 0x7d, 0 },
	};
	static const size_t seqlen[] = { 1, 2, 2, 2, 2, 1, 1 };
	uint8_t s[260];
	int bad = 0;
	for (size_t a = 0; a < 7; a++)
		for (size_t edge = 32; edge <= 160; edge += 32)
			for (size_t pa = edge - 3; pa <= edge + 2; pa++) {
				for (size_t i = 0; i < sizeof s; i++)
					s[i] = i % 7 == 3 ? 0x7d : i % 7 == 4 ? 0x61 : 0x41;	/* 7d 61: 0x41 escaped */
				s[0] = 0x7e;
				s[sizeof s - 1] = 0x7e;
				/* not inside an escape pair of the fill */
				size_t at = 1 + pa;
				if (s[at - 1] == 0x7d)
					at++;
				memcpy(s + at, seq[a], seqlen[a]);
				if (s[at + seqlen[a] - 1] == 0x7d && s[at + seqlen[a]] == 0x61)
					s[at + seqlen[a]] = 0x41;
				for (size_t al = 0; al < 3; al++)
					bad += decode_agrees(s, sizeof s, 302, al, chunk_all);
			}
	CHECK_INT(bad, 0);
}

#if HDLC_AVX2
/* The AVX2 path's shuffle tables, rebuilt from what each entry means. */
static void avx2_tables_match_definition(void)
{
	int bad = 0;
	for (unsigned e = 0; e < 256; e++) {
		uint8_t dec[8], enc[16];
		unsigned nd = 0, ne = 0;
		memset(dec, 0x80, sizeof dec);
		memset(enc, 0x80, sizeof enc);
		for (unsigned i = 0; i < 8; i++) {
			if (!(e >> i & 1))
				dec[nd++] = (uint8_t)i;
			if (e >> i & 1)
				enc[ne++] = 8;	/* the escape's place in the source */
			enc[ne++] = (uint8_t)i;
		}
		uint64_t d = 0, e0 = 0, e1 = 0;
		for (unsigned k = 0; k < 8; k++) {
			d |= (uint64_t)dec[k] << 8 * k;
			e0 |= (uint64_t)enc[k] << 8 * k;
			e1 |= (uint64_t)enc[k + 8] << 8 * k;
		}
		bad += d != hdlc_unesc_shuf[e] || nd != hdlc_unesc_len[e];
		bad += e0 != hdlc_esc_shuf[e][0] || e1 != hdlc_esc_shuf[e][1] || ne != hdlc_esc_len[e];
	}
	CHECK_INT(bad, 0);
}
#endif

const struct test_case hdlc_tests[] = {
#if HDLC_AVX2
	{ "avx2_tables_match_definition", avx2_tables_match_definition },
#endif
	{ "fcs_table_matches_bitwise", fcs_table_matches_bitwise },
	{ "fcs_check_values", fcs_check_values },
	{ "encode_lcp_configure_request", encode_lcp_configure_request },
	{ "encode_escapes_flag_escape_control_and_fcs", encode_escapes_flag_escape_control_and_fcs },
	{ "encode_every_byte_value", encode_every_byte_value },
	{ "encode_capacity_exact", encode_capacity_exact },
	{ "decode_packed_frames", decode_packed_frames },
	{ "decode_split_at_every_boundary", decode_split_at_every_boundary },
	{ "decode_escapes_not_needed", decode_escapes_not_needed },
	{ "decode_bad_fcs_counted", decode_bad_fcs_counted },
	{ "decode_oversize_dropped_no_overflow", decode_oversize_dropped_no_overflow },
	{ "decode_runts_counted", decode_runts_counted },
	{ "decode_abort_sequence", decode_abort_sequence },
	{ "decode_garbage_before_first_flag", decode_garbage_before_first_flag },
	{ "decode_idle_flags_silent", decode_idle_flags_silent },
	{ "decode_counts_snapshot", decode_counts_snapshot },
	{ "decode_partial_kept_until_flag", decode_partial_kept_until_flag },
	{ "decode_moved_between_reads", decode_moved_between_reads },
	{ "decode_moved_while_oversize", decode_moved_while_oversize },
	{ "roundtrip_all_lengths", roundtrip_all_lengths },
	{ "every_byte_at_every_word_offset", every_byte_at_every_word_offset },
	{ "fcs_every_length_and_alignment", fcs_every_length_and_alignment },
	{ "encode_every_length_and_alignment", encode_every_length_and_alignment },
	{ "encode_every_capacity", encode_every_capacity },
	{ "decode_every_length_and_alignment", decode_every_length_and_alignment },
	{ "decode_long_stream_cut_everywhere", decode_long_stream_cut_everywhere },
	{ "decode_special_at_every_place", decode_special_at_every_place },
	{ "decode_special_at_wide_step_edges", decode_special_at_wide_step_edges },
	{ NULL, NULL },
};
