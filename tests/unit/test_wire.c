/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_wire.c - the control message codec's field tables: each lies
 * inside its message, no two fields share a byte, and every one of the 15
 * types survives encode and decode with every field set.  The wire bytes
 * at the RFC offsets are checked by hand-written messages in test_ctrl.c. */
#include <stdbool.h>

#include "pptp_wire.h"
#include "test.h"
#include "util.h"

#define HOST_SIZE sizeof(((struct pptp_msg *)0)->u)

/* Bytes the field takes in its host struct. */
static size_t host_width(const struct pptp_field *f)
{
	return f->kind == PPTP_FIELD_STR ? f->width + 1u : f->width;
}

static void check_kind(unsigned t, size_t i, const struct pptp_field *f)
{
	static const uint8_t width[] = { [PPTP_FIELD_U8] = 1, [PPTP_FIELD_U16] = 2,
					 [PPTP_FIELD_U32] = 4 };

	switch (f->kind) {
	case PPTP_FIELD_U8: case PPTP_FIELD_U16: case PPTP_FIELD_U32:
		if (f->width != width[f->kind])
			test_fail(__FILE__, __LINE__, "type %u field %zu: width %u for kind %u",
				  t, i, f->width, f->kind);
		break;
	case PPTP_FIELD_STR:
		CHECK(f->width > 0);
		break;
	default:
		test_fail(__FILE__, __LINE__, "type %u field %zu: kind %u", t, i, f->kind);
	}
}

/* Wire: after the header, inside the RFC length, in order, no overlap.
 * Host: inside the union, no two members overlap. */
static void test_table_invariants(void)
{
	for (unsigned t = 1; t <= PPTP_MSG_TYPE_MAX; t++) {
		size_t n, len = pptp_msg_len(t);
		const struct pptp_field *f = pptp_msg_fields(t, &n);

		CHECK(f != NULL);
		CHECK(n > 0);
		for (size_t i = 0; f && i < n; i++) {
			check_kind(t, i, &f[i]);
			if (f[i].off < PPTP_HDR_LEN || f[i].off + f[i].width > len)
				test_fail(__FILE__, __LINE__, "type %u field %zu: bytes %u..%u outside "
					  "%u..%zu", t, i, f[i].off, f[i].off + f[i].width,
					  PPTP_HDR_LEN, len);
			if (i > 0 && f[i].off < f[i - 1].off + f[i - 1].width)
				test_fail(__FILE__, __LINE__, "type %u field %zu at %u overlaps or "
					  "precedes field %zu", t, i, f[i].off, i - 1);
			CHECK(f[i].host + host_width(&f[i]) <= HOST_SIZE);
			for (size_t j = 0; j < i; j++)
				if (f[i].host < f[j].host + host_width(&f[j]) &&
				    f[j].host < f[i].host + host_width(&f[i]))
					test_fail(__FILE__, __LINE__, "type %u: fields %zu and %zu "
						  "share host bytes", t, j, i);
		}
	}
	size_t n = 99;
	CHECK(pptp_msg_fields(0, &n) == NULL);
	CHECK_UINT(n, 0);
	n = 99;
	CHECK(pptp_msg_fields(PPTP_MSG_TYPE_MAX + 1, &n) == NULL);
	CHECK_UINT(n, 0);
}

/* Strings of the whole field width, so no NUL goes on the wire. */
#define X8(s) s s s s s s s s
#define S64(c) X8(X8(c))
#define S128(c) X8(X8(c c))

/* One message of each type, every field non-zero in every byte.  Static,
 * so the padding is zero (C11 6.7.9) and whole structs can be compared. */
static const struct pptp_msg samples[PPTP_MSG_TYPE_MAX + 1] = {
	[PPTP_SCCRQ] = { PPTP_SCCRQ, .u.sccrq = { 0x0102, 0x03040506, 0x0708090a, 0x0b0c,
			 0x0d0e, S64("h"), S64("v") } },
	[PPTP_SCCRP] = { PPTP_SCCRP, .u.sccrp = { 0x1112, 0x13, 0x14, 0x15161718, 0x191a1b1c,
			 0x1d1e, 0x1f20, S64("H"), S64("V") } },
	[PPTP_STOPCCRQ] = { PPTP_STOPCCRQ, .u.stopccrq = { 0x21 } },
	[PPTP_STOPCCRP] = { PPTP_STOPCCRP, .u.stopccrp = { 0x22, 0x23 } },
	[PPTP_ECHORQ] = { PPTP_ECHORQ, .u.echorq = { 0x24252627 } },
	[PPTP_ECHORP] = { PPTP_ECHORP, .u.echorp = { 0x28292a2b, 0x2c, 0x2d } },
	[PPTP_OCRQ] = { PPTP_OCRQ, .u.ocrq = { 0x3132, 0x3334, 0x35363738, 0x393a3b3c,
			0x3d3e3f40, 0x41424344, 0x4546, 0x4748, 0x494a, S64("p"), S64("s") } },
	[PPTP_OCRP] = { PPTP_OCRP, .u.ocrp = { 0x5152, 0x5354, 0x55, 0x56, 0x5758, 0x595a5b5c,
			0x5d5e, 0x5f60, 0x61626364 } },
	[PPTP_ICRQ] = { PPTP_ICRQ, .u.icrq = { 0x6566, 0x6768, 0x696a6b6c, 0x6d6e6f70, 0x7172,
			0x7374, S64("d"), S64("g"), S64("u") } },
	[PPTP_ICRP] = { PPTP_ICRP, .u.icrp = { 0x7576, 0x7778, 0x79, 0x7a, 0x7b7c, 0x7d7e } },
	[PPTP_ICCN] = { PPTP_ICCN, .u.iccn = { 0x8182, 0x83848586, 0x8788, 0x898a,
			0x8b8c8d8e } },
	[PPTP_CCR] = { PPTP_CCR, .u.ccr = { 0x9192 } },
	[PPTP_CDN] = { PPTP_CDN, .u.cdn = { 0x9394, 0x95, 0x96, 0x9798, S128("c") } },
	[PPTP_WEN] = { PPTP_WEN, .u.wen = { 0xa1a2, 0xa3a4a5a6, 0xa7a8a9aa, 0xabacadae,
		       0xafb0b1b2, 0xb3b4b5b6, 0xb7b8b9ba } },
	[PPTP_SLI] = { PPTP_SLI, .u.sli = { 0xc1c2, 0xc3c4c5c6, 0xc7c8c9ca } },
};

/* Every wire byte a field covers is non-zero, every other byte after the
 * header (reserved) is zero. */
static void check_wire_bytes(unsigned t, const uint8_t *b, size_t len)
{
	size_t n;
	const struct pptp_field *f = pptp_msg_fields(t, &n);
	bool covered[PPTP_MSG_MAX] = { false };

	for (size_t i = 0; i < n; i++)
		for (size_t k = f[i].off; k < (size_t)f[i].off + f[i].width && k < len; k++)
			covered[k] = true;
	for (size_t k = PPTP_HDR_LEN; k < len; k++)
		if ((b[k] != 0) != covered[k])
			test_fail(__FILE__, __LINE__, "type %u byte %zu is 0x%02x (%s)", t, k, b[k],
				  covered[k] ? "field" : "reserved");
}

static void test_round_trip(void)
{
	for (unsigned t = 1; t <= PPTP_MSG_TYPE_MAX; t++) {
		const struct pptp_msg *m = &samples[t];
		struct pptp_msg d, d2;
		uint8_t b[PPTP_MSG_MAX], b2[PPTP_MSG_MAX];
		size_t len = pptp_msg_len(t);

		CHECK_UINT(m->type, t);
		CHECK_INT(pptp_msg_encode(m, b, sizeof b), (int)len);
		CHECK_UINT(get16(b), len);
		CHECK_UINT(get16(b + 8), t);
		check_wire_bytes(t, b, len);
		CHECK_INT(pptp_msg_decode(b, len, &d), PPTP_DEC_OK);
		if (memcmp(&d, m, sizeof d))
			test_fail(__FILE__, __LINE__, "%s does not survive a round trip",
				  pptp_msg_abbrev(t));
		CHECK_INT(pptp_msg_encode(&d, b2, sizeof b2), (int)len);
		CHECK_MEM(b2, b, len);
		CHECK_INT(pptp_msg_decode(b2, len, &d2), PPTP_DEC_OK);
		CHECK_MEM(&d2, m, sizeof d2);
	}
}

const struct test_case wire_tests[] = {
	{ "table_invariants", test_table_invariants },
	{ "round_trip", test_round_trip },
	{ NULL, NULL },
};
