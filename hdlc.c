/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hdlc.c - RFC 1662 async framing: FCS-16, encoder, stream decoder.
 *
 * Both directions run for every PPP frame on the data path: the FCS is
 * table driven, four bytes a step, or folded sixteen bytes a step (four
 * blocks at once in long frames) by carry-less multiplication where the
 * processor has it; the encoder and
 * decoder look at sixteen bytes at a time with SSE2 (every x86-64 has it),
 * thirty-two or sixty-four where the processor has AVX2 (hdlc_avx2.c, for
 * the bulk of a frame), or eight at a time in portable C elsewhere (and with -DHDLC_NO_SIMD,
 * which the unit tests use to check that code too).  Random payload,
 * which is what encrypted PPP carries, has a byte to escape in every
 * eight, so the cost of each escape counts as much as the scan. */
#include "hdlc.h"

#include <string.h>

#include "hdlc_avx2.h"

#if HDLC_AVX2
/* AVX2, asked at run time. */
static inline bool have_avx2(void)
{
	return __builtin_cpu_supports("avx2");
}
#endif

#if defined(__SSE2__) && !defined(HDLC_NO_SIMD)
#define HDLC_SSE2 1
#include <emmintrin.h>
#else
#define HDLC_SSE2 0
#endif

/* The FCS by carry-less multiplication, on the x86-64 processors that
 * have it (PCLMULQDQ, since 2010), asked at run time. */
#if HDLC_SSE2 && defined(__x86_64__) && defined(__GNUC__)
#define HDLC_CLMUL 1
#include <wmmintrin.h>
#else
#define HDLC_CLMUL 0
#endif

#if !HDLC_SSE2
/* ---- eight bytes at a time (portable) ----
 * Each mask has the high bit of every byte that matches set, and nothing
 * else: exact, with no carry from one byte into the next, so the first
 * marked byte can be located. */
#define ONES 0x0101010101010101ull
#define HIGH 0x8080808080808080ull
#define LOW7 0x7f7f7f7f7f7f7f7full

static inline uint64_t load64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static inline void store64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

/* Bytes equal to zero. */
static inline uint64_t zero_bytes(uint64_t x)
{
	return ~(((x & LOW7) + LOW7) | x | LOW7);
}

/* Bytes equal to the flag or the escape: where a decoder must stop. */
static inline uint64_t flag_or_esc(uint64_t x)
{
	return zero_bytes(x ^ (ONES * HDLC_FLAG)) | zero_bytes(x ^ (ONES * HDLC_ESC));
}

/* Bytes an encoder escapes: below 0x20, the flag, the escape.  With the
 * high bit forced on, subtracting 0x20 cannot borrow across bytes and
 * clears the high bit exactly when the low seven bits are below 0x20. */
static inline uint64_t to_escape(uint64_t x)
{
	uint64_t below = ~((x | HIGH) - ONES * 0x20) & ~x & HIGH;
	return below | flag_or_esc(x);
}

/* Index (in memory order) of the first marked byte of a non-zero mask. */
static inline size_t first_marked(uint64_t m)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return (size_t)__builtin_clzll(m) >> 3;
#else
	return (size_t)__builtin_ctzll(m) >> 3;
#endif
}
#endif /* !HDLC_SSE2 */

#if HDLC_SSE2
/* ---- sixteen bytes at a time (SSE2) ----
 * A block is loaded and stored whole, unconditionally, and a mask says
 * where its specials are.  Each escape then costs one more load and store:
 * the rest of the block again, one byte further on (encoding) or back
 * (decoding), so the bytes after it land where they belong.  The wide
 * stores run ahead of the bytes that count, which is why callers keep
 * room beyond them; the last bytes of an input come from a zero-padded
 * copy, so no load reads past the input either. */
static inline __m128i load128(const uint8_t *p)
{
	return _mm_loadu_si128((const __m128i *)p);
}

static inline void store128(uint8_t *p, __m128i v)
{
	_mm_storeu_si128((__m128i *)p, v);
}

/* Masks of the bytes equal to the flag and to the escape. */
static inline uint64_t sse2_flags(__m128i v)
{
	return (uint64_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8((char)HDLC_FLAG)));
}

static inline uint64_t sse2_escapes(__m128i v)
{
	return (uint64_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8((char)HDLC_ESC)));
}

/* 0x20 in the first byte: XORed into the byte after an escape. */
static inline __m128i sse2_xor_first(void)
{
	return _mm_cvtsi32_si128(HDLC_XOR);
}

/* The len (at most 48) bytes at p into a zeroed copy t, which has 16
 * bytes of slack before it, with loads only inside [start, p + len). */
static inline void sse2_pad_copy(uint8_t *t, const uint8_t *start, const uint8_t *p, size_t len)
{
	const uint8_t *end = p + len;
	const __m128i z = _mm_setzero_si128();

	store128(t, z);
	store128(t + 16, z);
	store128(t + 32, z);
	if (end - start >= 16) {
		/* The last 16 bytes of the input end where the copy ends (the
		 * slack takes what falls before t); a longer copy gets its
		 * first 16 too. */
		store128(t + len - 16, load128(end - 16));
		if (len > 16)
			store128(t, load128(p));
	} else if (len) {
		memcpy(t, p, len);
	}
}

/* Escape the c (1..16) bytes at q into w; returns the bytes written.  Reads
 * up to q + c + 15, writes up to w + 2c + 15. */
static inline size_t sse2_escape_block(const uint8_t *q, unsigned c, uint8_t *w)
{
	__m128i v = load128(q);
	store128(w, v);
	__m128i ctl = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v);	/* below 0x20 */
	__m128i fe = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8((char)HDLC_FLAG)),
				  _mm_cmpeq_epi8(v, _mm_set1_epi8((char)HDLC_ESC)));
	uint64_t m = (uint64_t)_mm_movemask_epi8(_mm_or_si128(ctl, fe));
	uint8_t *o = w;

	if (c < 16)
		m &= 0xffffu >> (16 - c);
	while (m) {
		size_t k = (size_t)__builtin_ctzll(m);
		/* q[k] needs escaping: the escape, then from q[k] on again,
		 * one byte further, with q[k] XORed. */
		o[k] = HDLC_ESC;
		store128(o + k + 1, _mm_xor_si128(load128(q + k), sse2_xor_first()));
		o++;
		m &= m - 1;
	}
	return (size_t)(o - w) + c;
}

/* Escape frame[i, n) into out from o while whole blocks fit: their loads
 * inside the frame, their stores inside limit.  Returns the new o. */
static size_t sse2_escape_blocks(const uint8_t *frame, size_t n, size_t *ip, uint8_t *out, size_t o, size_t limit)
{
	size_t i = *ip;

	/* A block takes at most 32 bytes of output and its stores reach 47
	 * past o: so many blocks need no check each. */
	while (n - i >= 31 && limit - o >= 48) {
		size_t blocks = (n - i - 31) / 16 + 1, room = (limit - o - 48) / 32 + 1;
		for (size_t b = blocks < room ? blocks : room; b; b--) {
			o += sse2_escape_block(frame + i, 16, out + o);
			i += 16;
		}
	}
	*ip = i;
	return o;
}

/* The last r = n - i (at most 30) bytes of the frame and its two FCS bytes,
 * escaped at out + o from a padded copy.  Writes up to out + o + 2(r + 2) + 15. */
static size_t sse2_escape_tail(const uint8_t *frame, size_t n, size_t i, const uint8_t fcs[2], uint8_t *out,
			       size_t o)
{
	uint8_t pad[16 + 48];
	uint8_t *t = pad + 16;
	size_t r = n - i, len = r + 2;

	sse2_pad_copy(t, frame, frame + i, r);
	t[r] = fcs[0];
	t[r + 1] = fcs[1];
	o += sse2_escape_block(t, len < 16 ? (unsigned)len : 16, out + o);
	if (len > 16)
		o += sse2_escape_block(t + 16, (unsigned)(len - 16), out + o);
	return o;
}

/* Decode the c (1..16) bytes at q into *wp: plain bytes copied, escapes
 * undone, up to the first byte the byte-at-a-time code must see: a flag,
 * an escape followed by a flag (an abort) or by another escape (7d 7d:
 * 0x5d escaped, which no sender needs to do; rare, and it would make the
 * mask ambiguous), or an escape as
 * the c-th byte (its byte is not in the block).  Returns the bytes of q
 * consumed and moves *wp past the bytes decoded.  Reads up to q + c + 15,
 * writes up to *wp + c + 15. */
static inline unsigned sse2_unescape_block(const uint8_t *q, unsigned c, uint8_t **wp)
{
	__m128i v = load128(q);
	uint8_t *w = *wp;
	store128(w, v);
	uint64_t mf = sse2_flags(v);
	uint64_t m = mf | sse2_escapes(v);

	if (c < 16)
		m &= 0xffffu >> (16 - c);
	if (!m) {
		*wp = w + c;
		return c;
	}
	/* Below the first stop, every marked byte is an escape whose byte
	 * (right behind it) is plain: undo them in any order. */
	uint64_t stop = (mf | m >> 1 | 1u << (c - 1)) & m, e = m;
	unsigned used = c;
	if (stop) {
		used = (unsigned)__builtin_ctzll(stop);
		e &= (stop & -stop) - 1;
	}
	while (e) {
		size_t k = (size_t)__builtin_ctzll(e);
		/* The rest of the block one byte back over the escape, its
		 * byte XORed back. */
		store128(w + k, _mm_xor_si128(load128(q + k + 1), sse2_xor_first()));
		w--;
		e &= e - 1;
	}
	*wp = w + used;
	return used;
}

/* Decode from p into buf + *np until a flag, an abort, an escape that ends
 * the input, the end, or too little room in buf (cap) for the wide stores.
 * start is where the input begins (loads stay inside [start, end)).
 * Returns where it stopped. */
static const uint8_t *sse2_unescape(const uint8_t *start, const uint8_t *p, const uint8_t *end, uint8_t *buf,
				    size_t *np, size_t cap)
{
	uint8_t *w = buf + *np;

	/* Whole blocks while 32 bytes are left to read and 32 to write: the
	 * output never runs ahead of the input, so the last block start
	 * allowed by both is known from here. */
	if (end - p >= 32 && cap - *np >= 32) {
		size_t by_in = (size_t)(end - p) - 32, by_out = cap - *np - 32;
		const uint8_t *last = p + (by_in < by_out ? by_in : by_out);
#if HDLC_AVX2
		bool wide = have_avx2();
#endif
		while (p <= last) {
#if HDLC_AVX2
			/* 64 or 32 bytes a step up to a block with a flag or
			 * with 7d 7d, which the 16-byte code then sees. */
			if (wide && (p = hdlc_avx2_unescape(p, last, &w)) > last)
				break;
#endif
			unsigned k = sse2_unescape_block(p, 16, &w);
			p += k;
			/* A block that stopped at its last byte (an escape whose
			 * byte is in the next block, mostly) starts the next one
			 * there; one that stopped sooner hands over. */
			if (k < 15)
				goto out;
		}
	}
	size_t left = (size_t)(end - p);
	if (left && left < 32 && cap - (size_t)(w - buf) >= left + 16) {
		uint8_t pad[16 + 48];
		uint8_t *t = pad + 16;
		const uint8_t *q = t, *qend = t + left;

		sse2_pad_copy(t, start, p, left);
		while (q < qend) {
			unsigned c = qend - q < 16 ? (unsigned)(qend - q) : 16;
			unsigned k = sse2_unescape_block(q, c, &w);
			q += k;
			if (k < c && k < 15)
				break;
		}
		p += q - t;
	}
out:
	*np = (size_t)(w - buf);
	return p;
}
#endif /* HDLC_SSE2 */

/* Slicing-by-4 tables for the reflected CRC-16, polynomial 0x8408:
 * fcs16_tab[0][i] is the CRC of the byte i, fcs16_tab[k][i] that of i
 * followed by k zero bytes.  Output of a throw-away generator that shifted
 * each byte through the polynomial bit by bit; tests/unit/test_hdlc.c
 * recomputes every entry bitwise.  Four bytes per step cut the serial
 * dependency of the byte-at-a-time loop, which bounds its speed. */
static const uint16_t fcs16_tab[4][256] = {
	{
		0x0000, 0x1189, 0x2312, 0x329b, 0x4624, 0x57ad, 0x6536, 0x74bf,
		0x8c48, 0x9dc1, 0xaf5a, 0xbed3, 0xca6c, 0xdbe5, 0xe97e, 0xf8f7,
		0x1081, 0x0108, 0x3393, 0x221a, 0x56a5, 0x472c, 0x75b7, 0x643e,
		0x9cc9, 0x8d40, 0xbfdb, 0xae52, 0xdaed, 0xcb64, 0xf9ff, 0xe876,
		0x2102, 0x308b, 0x0210, 0x1399, 0x6726, 0x76af, 0x4434, 0x55bd,
		0xad4a, 0xbcc3, 0x8e58, 0x9fd1, 0xeb6e, 0xfae7, 0xc87c, 0xd9f5,
		0x3183, 0x200a, 0x1291, 0x0318, 0x77a7, 0x662e, 0x54b5, 0x453c,
		0xbdcb, 0xac42, 0x9ed9, 0x8f50, 0xfbef, 0xea66, 0xd8fd, 0xc974,
		0x4204, 0x538d, 0x6116, 0x709f, 0x0420, 0x15a9, 0x2732, 0x36bb,
		0xce4c, 0xdfc5, 0xed5e, 0xfcd7, 0x8868, 0x99e1, 0xab7a, 0xbaf3,
		0x5285, 0x430c, 0x7197, 0x601e, 0x14a1, 0x0528, 0x37b3, 0x263a,
		0xdecd, 0xcf44, 0xfddf, 0xec56, 0x98e9, 0x8960, 0xbbfb, 0xaa72,
		0x6306, 0x728f, 0x4014, 0x519d, 0x2522, 0x34ab, 0x0630, 0x17b9,
		0xef4e, 0xfec7, 0xcc5c, 0xddd5, 0xa96a, 0xb8e3, 0x8a78, 0x9bf1,
		0x7387, 0x620e, 0x5095, 0x411c, 0x35a3, 0x242a, 0x16b1, 0x0738,
		0xffcf, 0xee46, 0xdcdd, 0xcd54, 0xb9eb, 0xa862, 0x9af9, 0x8b70,
		0x8408, 0x9581, 0xa71a, 0xb693, 0xc22c, 0xd3a5, 0xe13e, 0xf0b7,
		0x0840, 0x19c9, 0x2b52, 0x3adb, 0x4e64, 0x5fed, 0x6d76, 0x7cff,
		0x9489, 0x8500, 0xb79b, 0xa612, 0xd2ad, 0xc324, 0xf1bf, 0xe036,
		0x18c1, 0x0948, 0x3bd3, 0x2a5a, 0x5ee5, 0x4f6c, 0x7df7, 0x6c7e,
		0xa50a, 0xb483, 0x8618, 0x9791, 0xe32e, 0xf2a7, 0xc03c, 0xd1b5,
		0x2942, 0x38cb, 0x0a50, 0x1bd9, 0x6f66, 0x7eef, 0x4c74, 0x5dfd,
		0xb58b, 0xa402, 0x9699, 0x8710, 0xf3af, 0xe226, 0xd0bd, 0xc134,
		0x39c3, 0x284a, 0x1ad1, 0x0b58, 0x7fe7, 0x6e6e, 0x5cf5, 0x4d7c,
		0xc60c, 0xd785, 0xe51e, 0xf497, 0x8028, 0x91a1, 0xa33a, 0xb2b3,
		0x4a44, 0x5bcd, 0x6956, 0x78df, 0x0c60, 0x1de9, 0x2f72, 0x3efb,
		0xd68d, 0xc704, 0xf59f, 0xe416, 0x90a9, 0x8120, 0xb3bb, 0xa232,
		0x5ac5, 0x4b4c, 0x79d7, 0x685e, 0x1ce1, 0x0d68, 0x3ff3, 0x2e7a,
		0xe70e, 0xf687, 0xc41c, 0xd595, 0xa12a, 0xb0a3, 0x8238, 0x93b1,
		0x6b46, 0x7acf, 0x4854, 0x59dd, 0x2d62, 0x3ceb, 0x0e70, 0x1ff9,
		0xf78f, 0xe606, 0xd49d, 0xc514, 0xb1ab, 0xa022, 0x92b9, 0x8330,
		0x7bc7, 0x6a4e, 0x58d5, 0x495c, 0x3de3, 0x2c6a, 0x1ef1, 0x0f78,
	},
	{
		0x0000, 0x19d8, 0x33b0, 0x2a68, 0x6760, 0x7eb8, 0x54d0, 0x4d08,
		0xcec0, 0xd718, 0xfd70, 0xe4a8, 0xa9a0, 0xb078, 0x9a10, 0x83c8,
		0x9591, 0x8c49, 0xa621, 0xbff9, 0xf2f1, 0xeb29, 0xc141, 0xd899,
		0x5b51, 0x4289, 0x68e1, 0x7139, 0x3c31, 0x25e9, 0x0f81, 0x1659,
		0x2333, 0x3aeb, 0x1083, 0x095b, 0x4453, 0x5d8b, 0x77e3, 0x6e3b,
		0xedf3, 0xf42b, 0xde43, 0xc79b, 0x8a93, 0x934b, 0xb923, 0xa0fb,
		0xb6a2, 0xaf7a, 0x8512, 0x9cca, 0xd1c2, 0xc81a, 0xe272, 0xfbaa,
		0x7862, 0x61ba, 0x4bd2, 0x520a, 0x1f02, 0x06da, 0x2cb2, 0x356a,
		0x4666, 0x5fbe, 0x75d6, 0x6c0e, 0x2106, 0x38de, 0x12b6, 0x0b6e,
		0x88a6, 0x917e, 0xbb16, 0xa2ce, 0xefc6, 0xf61e, 0xdc76, 0xc5ae,
		0xd3f7, 0xca2f, 0xe047, 0xf99f, 0xb497, 0xad4f, 0x8727, 0x9eff,
		0x1d37, 0x04ef, 0x2e87, 0x375f, 0x7a57, 0x638f, 0x49e7, 0x503f,
		0x6555, 0x7c8d, 0x56e5, 0x4f3d, 0x0235, 0x1bed, 0x3185, 0x285d,
		0xab95, 0xb24d, 0x9825, 0x81fd, 0xccf5, 0xd52d, 0xff45, 0xe69d,
		0xf0c4, 0xe91c, 0xc374, 0xdaac, 0x97a4, 0x8e7c, 0xa414, 0xbdcc,
		0x3e04, 0x27dc, 0x0db4, 0x146c, 0x5964, 0x40bc, 0x6ad4, 0x730c,
		0x8ccc, 0x9514, 0xbf7c, 0xa6a4, 0xebac, 0xf274, 0xd81c, 0xc1c4,
		0x420c, 0x5bd4, 0x71bc, 0x6864, 0x256c, 0x3cb4, 0x16dc, 0x0f04,
		0x195d, 0x0085, 0x2aed, 0x3335, 0x7e3d, 0x67e5, 0x4d8d, 0x5455,
		0xd79d, 0xce45, 0xe42d, 0xfdf5, 0xb0fd, 0xa925, 0x834d, 0x9a95,
		0xafff, 0xb627, 0x9c4f, 0x8597, 0xc89f, 0xd147, 0xfb2f, 0xe2f7,
		0x613f, 0x78e7, 0x528f, 0x4b57, 0x065f, 0x1f87, 0x35ef, 0x2c37,
		0x3a6e, 0x23b6, 0x09de, 0x1006, 0x5d0e, 0x44d6, 0x6ebe, 0x7766,
		0xf4ae, 0xed76, 0xc71e, 0xdec6, 0x93ce, 0x8a16, 0xa07e, 0xb9a6,
		0xcaaa, 0xd372, 0xf91a, 0xe0c2, 0xadca, 0xb412, 0x9e7a, 0x87a2,
		0x046a, 0x1db2, 0x37da, 0x2e02, 0x630a, 0x7ad2, 0x50ba, 0x4962,
		0x5f3b, 0x46e3, 0x6c8b, 0x7553, 0x385b, 0x2183, 0x0beb, 0x1233,
		0x91fb, 0x8823, 0xa24b, 0xbb93, 0xf69b, 0xef43, 0xc52b, 0xdcf3,
		0xe999, 0xf041, 0xda29, 0xc3f1, 0x8ef9, 0x9721, 0xbd49, 0xa491,
		0x2759, 0x3e81, 0x14e9, 0x0d31, 0x4039, 0x59e1, 0x7389, 0x6a51,
		0x7c08, 0x65d0, 0x4fb8, 0x5660, 0x1b68, 0x02b0, 0x28d8, 0x3100,
		0xb2c8, 0xab10, 0x8178, 0x98a0, 0xd5a8, 0xcc70, 0xe618, 0xffc0,
	},
	{
		0x0000, 0x5adc, 0xb5b8, 0xef64, 0x6361, 0x39bd, 0xd6d9, 0x8c05,
		0xc6c2, 0x9c1e, 0x737a, 0x29a6, 0xa5a3, 0xff7f, 0x101b, 0x4ac7,
		0x8595, 0xdf49, 0x302d, 0x6af1, 0xe6f4, 0xbc28, 0x534c, 0x0990,
		0x4357, 0x198b, 0xf6ef, 0xac33, 0x2036, 0x7aea, 0x958e, 0xcf52,
		0x033b, 0x59e7, 0xb683, 0xec5f, 0x605a, 0x3a86, 0xd5e2, 0x8f3e,
		0xc5f9, 0x9f25, 0x7041, 0x2a9d, 0xa698, 0xfc44, 0x1320, 0x49fc,
		0x86ae, 0xdc72, 0x3316, 0x69ca, 0xe5cf, 0xbf13, 0x5077, 0x0aab,
		0x406c, 0x1ab0, 0xf5d4, 0xaf08, 0x230d, 0x79d1, 0x96b5, 0xcc69,
		0x0676, 0x5caa, 0xb3ce, 0xe912, 0x6517, 0x3fcb, 0xd0af, 0x8a73,
		0xc0b4, 0x9a68, 0x750c, 0x2fd0, 0xa3d5, 0xf909, 0x166d, 0x4cb1,
		0x83e3, 0xd93f, 0x365b, 0x6c87, 0xe082, 0xba5e, 0x553a, 0x0fe6,
		0x4521, 0x1ffd, 0xf099, 0xaa45, 0x2640, 0x7c9c, 0x93f8, 0xc924,
		0x054d, 0x5f91, 0xb0f5, 0xea29, 0x662c, 0x3cf0, 0xd394, 0x8948,
		0xc38f, 0x9953, 0x7637, 0x2ceb, 0xa0ee, 0xfa32, 0x1556, 0x4f8a,
		0x80d8, 0xda04, 0x3560, 0x6fbc, 0xe3b9, 0xb965, 0x5601, 0x0cdd,
		0x461a, 0x1cc6, 0xf3a2, 0xa97e, 0x257b, 0x7fa7, 0x90c3, 0xca1f,
		0x0cec, 0x5630, 0xb954, 0xe388, 0x6f8d, 0x3551, 0xda35, 0x80e9,
		0xca2e, 0x90f2, 0x7f96, 0x254a, 0xa94f, 0xf393, 0x1cf7, 0x462b,
		0x8979, 0xd3a5, 0x3cc1, 0x661d, 0xea18, 0xb0c4, 0x5fa0, 0x057c,
		0x4fbb, 0x1567, 0xfa03, 0xa0df, 0x2cda, 0x7606, 0x9962, 0xc3be,
		0x0fd7, 0x550b, 0xba6f, 0xe0b3, 0x6cb6, 0x366a, 0xd90e, 0x83d2,
		0xc915, 0x93c9, 0x7cad, 0x2671, 0xaa74, 0xf0a8, 0x1fcc, 0x4510,
		0x8a42, 0xd09e, 0x3ffa, 0x6526, 0xe923, 0xb3ff, 0x5c9b, 0x0647,
		0x4c80, 0x165c, 0xf938, 0xa3e4, 0x2fe1, 0x753d, 0x9a59, 0xc085,
		0x0a9a, 0x5046, 0xbf22, 0xe5fe, 0x69fb, 0x3327, 0xdc43, 0x869f,
		0xcc58, 0x9684, 0x79e0, 0x233c, 0xaf39, 0xf5e5, 0x1a81, 0x405d,
		0x8f0f, 0xd5d3, 0x3ab7, 0x606b, 0xec6e, 0xb6b2, 0x59d6, 0x030a,
		0x49cd, 0x1311, 0xfc75, 0xa6a9, 0x2aac, 0x7070, 0x9f14, 0xc5c8,
		0x09a1, 0x537d, 0xbc19, 0xe6c5, 0x6ac0, 0x301c, 0xdf78, 0x85a4,
		0xcf63, 0x95bf, 0x7adb, 0x2007, 0xac02, 0xf6de, 0x19ba, 0x4366,
		0x8c34, 0xd6e8, 0x398c, 0x6350, 0xef55, 0xb589, 0x5aed, 0x0031,
		0x4af6, 0x102a, 0xff4e, 0xa592, 0x2997, 0x734b, 0x9c2f, 0xc6f3,
	},
	{
		0x0000, 0x1cbb, 0x3976, 0x25cd, 0x72ec, 0x6e57, 0x4b9a, 0x5721,
		0xe5d8, 0xf963, 0xdcae, 0xc015, 0x9734, 0x8b8f, 0xae42, 0xb2f9,
		0xc3a1, 0xdf1a, 0xfad7, 0xe66c, 0xb14d, 0xadf6, 0x883b, 0x9480,
		0x2679, 0x3ac2, 0x1f0f, 0x03b4, 0x5495, 0x482e, 0x6de3, 0x7158,
		0x8f53, 0x93e8, 0xb625, 0xaa9e, 0xfdbf, 0xe104, 0xc4c9, 0xd872,
		0x6a8b, 0x7630, 0x53fd, 0x4f46, 0x1867, 0x04dc, 0x2111, 0x3daa,
		0x4cf2, 0x5049, 0x7584, 0x693f, 0x3e1e, 0x22a5, 0x0768, 0x1bd3,
		0xa92a, 0xb591, 0x905c, 0x8ce7, 0xdbc6, 0xc77d, 0xe2b0, 0xfe0b,
		0x16b7, 0x0a0c, 0x2fc1, 0x337a, 0x645b, 0x78e0, 0x5d2d, 0x4196,
		0xf36f, 0xefd4, 0xca19, 0xd6a2, 0x8183, 0x9d38, 0xb8f5, 0xa44e,
		0xd516, 0xc9ad, 0xec60, 0xf0db, 0xa7fa, 0xbb41, 0x9e8c, 0x8237,
		0x30ce, 0x2c75, 0x09b8, 0x1503, 0x4222, 0x5e99, 0x7b54, 0x67ef,
		0x99e4, 0x855f, 0xa092, 0xbc29, 0xeb08, 0xf7b3, 0xd27e, 0xcec5,
		0x7c3c, 0x6087, 0x454a, 0x59f1, 0x0ed0, 0x126b, 0x37a6, 0x2b1d,
		0x5a45, 0x46fe, 0x6333, 0x7f88, 0x28a9, 0x3412, 0x11df, 0x0d64,
		0xbf9d, 0xa326, 0x86eb, 0x9a50, 0xcd71, 0xd1ca, 0xf407, 0xe8bc,
		0x2d6e, 0x31d5, 0x1418, 0x08a3, 0x5f82, 0x4339, 0x66f4, 0x7a4f,
		0xc8b6, 0xd40d, 0xf1c0, 0xed7b, 0xba5a, 0xa6e1, 0x832c, 0x9f97,
		0xeecf, 0xf274, 0xd7b9, 0xcb02, 0x9c23, 0x8098, 0xa555, 0xb9ee,
		0x0b17, 0x17ac, 0x3261, 0x2eda, 0x79fb, 0x6540, 0x408d, 0x5c36,
		0xa23d, 0xbe86, 0x9b4b, 0x87f0, 0xd0d1, 0xcc6a, 0xe9a7, 0xf51c,
		0x47e5, 0x5b5e, 0x7e93, 0x6228, 0x3509, 0x29b2, 0x0c7f, 0x10c4,
		0x619c, 0x7d27, 0x58ea, 0x4451, 0x1370, 0x0fcb, 0x2a06, 0x36bd,
		0x8444, 0x98ff, 0xbd32, 0xa189, 0xf6a8, 0xea13, 0xcfde, 0xd365,
		0x3bd9, 0x2762, 0x02af, 0x1e14, 0x4935, 0x558e, 0x7043, 0x6cf8,
		0xde01, 0xc2ba, 0xe777, 0xfbcc, 0xaced, 0xb056, 0x959b, 0x8920,
		0xf878, 0xe4c3, 0xc10e, 0xddb5, 0x8a94, 0x962f, 0xb3e2, 0xaf59,
		0x1da0, 0x011b, 0x24d6, 0x386d, 0x6f4c, 0x73f7, 0x563a, 0x4a81,
		0xb48a, 0xa831, 0x8dfc, 0x9147, 0xc666, 0xdadd, 0xff10, 0xe3ab,
		0x5152, 0x4de9, 0x6824, 0x749f, 0x23be, 0x3f05, 0x1ac8, 0x0673,
		0x772b, 0x6b90, 0x4e5d, 0x52e6, 0x05c7, 0x197c, 0x3cb1, 0x200a,
		0x92f3, 0x8e48, 0xab85, 0xb73e, 0xe01f, 0xfca4, 0xd969, 0xc5d2,
	},
};

static uint16_t fcs16_table(uint16_t fcs, const uint8_t *p, size_t n)
{
	for (; n >= 4; p += 4, n -= 4) {
		/* The 16-bit FCS folds into the first two of the four bytes. */
		unsigned v = fcs ^ (p[0] | (unsigned)p[1] << 8);
		fcs = fcs16_tab[3][v & 0xff] ^ fcs16_tab[2][v >> 8] ^
		      fcs16_tab[1][p[2]] ^ fcs16_tab[0][p[3]];
	}
	while (n--)
		fcs = (uint16_t)((fcs >> 8) ^ fcs16_tab[0][(fcs ^ *p++) & 0xff]);
	return fcs;
}

#if HDLC_CLMUL
/* a folded by the constants in k onto the block b that follows it */
__attribute__((target("pclmul"))) static inline __m128i fold(__m128i a, __m128i k, __m128i b)
{
	return _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(a, k, 0x00), _mm_clmulepi64_si128(a, k, 0x11)), b);
}

/* Folding, sixteen bytes a step.  As polynomials over GF(2) (the CRC is
 * the message times x^16 modulo P = x^16 + x^12 + x^5 + 1), a 128-bit
 * block A followed by 128 more bits is worth A x^128 at the next block's
 * place, and A x^128 mod P can stand in for it: the CRC only depends on
 * the message modulo P.  Split A = a_hi x^64 + a_lo: a_hi x^192 + a_lo x^128
 * is two carry-less products, by x^192 mod P and x^128 mod P, of at most
 * 80 bits, XORed into the next block.  Bits are reflected (the first bit
 * of the message is bit 0 of the first byte, the highest power of x): the
 * product of two reflected 64-bit numbers comes out one bit short of
 * reflected, so each constant is taken one power of x lower (x^191 mod P
 * for x^192), bit-reversed into 64 bits.  The unit tests check the result
 * against the bit-by-bit CRC for every length and alignment.
 *
 * The last block X is then reduced: its first 8 bytes folded into the
 * last 8 (by x^63 mod P, for x^64), the first 4 of the 10 bytes left into
 * the last 6 (by x^47 mod P), and the 48 bits T left give X x^16 mod P by
 * Barrett's method: the quotient Q = floor(T mu / x^48) with
 * mu = floor(x^64 / P) is exact for polynomials, and the remainder is the
 * low 16 bits of Q P.  (mu is taken times x^15 so that Q comes out in the
 * low half of the product, aligned for the next one.)  The bytes after the
 * last block go through the table.  n must be at least 16. */
__attribute__((always_inline, target("pclmul"))) static inline uint16_t fcs16_fold(uint16_t fcs, const uint8_t *p,
										     size_t n)
{
	const __m128i k = _mm_set_epi64x((long long)0x7eea000000000000ull,	/* x^127 mod P = 0x577e */
					 (long long)0xa95d000000000000ull);	/* x^191 mod P = 0xba95 */
	const __m128i kr = _mm_set_epi64x((long long)0x1cbb000000000000ull,	/* x^47 mod P = 0xdd38 */
					  (long long)0x042b000000000000ull);	/* x^63 mod P = 0xd420 */
	const __m128i b = _mm_set_epi64x((long long)0x8408800000000000ull,	/* P = 0x11021 */
					 (long long)0x0001040b1c581911ull);	/* mu x^15, mu = 0x111303471a041 */
	/* The running FCS folds into the first two bytes, as in the table. */
	__m128i x = _mm_xor_si128(_mm_loadu_si128((const __m128i *)p), _mm_cvtsi32_si128(fcs));

	if (n >= 64) {
		/* Four blocks a step, each folded 64 bytes on (by x^575 and
		 * x^511 mod P), then the four folded into one: fewer loop
		 * turns per byte. */
		const __m128i k4 = _mm_set_epi64x((long long)0x7f90000000000000ull,	/* x^511 mod P = 0x09fe */
						  (long long)0x9822000000000000ull);	/* x^575 mod P = 0x4419 */
		__m128i x1 = _mm_loadu_si128((const __m128i *)(p + 16));
		__m128i x2 = _mm_loadu_si128((const __m128i *)(p + 32));
		__m128i x3 = _mm_loadu_si128((const __m128i *)(p + 48));
		for (p += 64, n -= 64; n >= 64; p += 64, n -= 64) {
			x = fold(x, k4, _mm_loadu_si128((const __m128i *)p));
			x1 = fold(x1, k4, _mm_loadu_si128((const __m128i *)(p + 16)));
			x2 = fold(x2, k4, _mm_loadu_si128((const __m128i *)(p + 32)));
			x3 = fold(x3, k4, _mm_loadu_si128((const __m128i *)(p + 48)));
		}
		x = fold(fold(fold(x, k, x1), k, x2), k, x3);
		/* x stands for the last block read, as when one at a time */
		p -= 16;
		n += 16;
	}
	for (p += 16, n -= 16; n >= 16; p += 16, n -= 16) {
		x = fold(x, k, _mm_loadu_si128((const __m128i *)p));
	}
	/* 16 bytes -> 10 -> 6 (the high 6 bytes of the register) */
	x = _mm_xor_si128(_mm_clmulepi64_si128(x, kr, 0x00), _mm_unpackhi_epi64(_mm_setzero_si128(), x));
	x = _mm_xor_si128(_mm_clmulepi64_si128(_mm_srli_si128(x, 2), kr, 0x10),
			  _mm_and_si128(x, _mm_set_epi64x((long long)0xffffffffffff0000ull, 0)));
	/* Q from T, then the low 16 bits of Q P: bits 111..126 of the product */
	__m128i q = _mm_clmulepi64_si128(x, b, 0x01);
	__m128i r = _mm_clmulepi64_si128(q, b, 0x10);
	fcs = (uint16_t)((uint64_t)_mm_cvtsi128_si64(_mm_srli_si128(r, 8)) >> 47);
	return fcs16_table(fcs, p, n);
}

__attribute__((target("pclmul"))) static uint16_t fcs16_clmul(uint16_t fcs, const uint8_t *p, size_t n)
{
	return fcs16_fold(fcs, p, n);
}

#if HDLC_AVX2
/* The same folding in AVX's encoding, where the processor has it: with a
 * third operand nothing is copied before a product, and each block is
 * XORed straight from memory, a third fewer instructions a block. */
__attribute__((target("pclmul,avx"))) static uint16_t fcs16_clmul_avx(uint16_t fcs, const uint8_t *p, size_t n)
{
	return fcs16_fold(fcs, p, n);
}
#endif
#endif

#if HDLC_CLMUL
/* The folding this processor takes, chosen once (at start, before main):
 * asking on every frame was two tests of the processor's features. */
static uint16_t (*fcs16_wide)(uint16_t, const uint8_t *, size_t) = fcs16_table;

__attribute__((constructor)) static void fcs16_choose(void)
{
	__builtin_cpu_init();	/* constructors may run before libgcc's own */
	if (__builtin_cpu_supports("pclmul"))
		fcs16_wide = fcs16_clmul;
#if HDLC_AVX2
	if (__builtin_cpu_supports("pclmul") && __builtin_cpu_supports("avx"))
		fcs16_wide = fcs16_clmul_avx;
#endif
}
#endif

uint16_t fcs16(uint16_t fcs, const uint8_t *p, size_t n)
{
#if HDLC_CLMUL
	if (n >= 16)
		return fcs16_wide(fcs, p, n);
#endif
	return fcs16_table(fcs, p, n);
}

/* Bytes the ACCM pppd starts with asks us to escape, plus flag and escape. */
static inline int hdlc_needs_escape(uint8_t b)
{
	return b < 0x20 || b == HDLC_FLAG || b == HDLC_ESC;
}

/* Escape n bytes into out from offset o, never past limit.  Returns the
 * new offset, or 0 when they do not fit.  Words with nothing to escape are
 * copied whole; a word that has one is copied too (the bytes past the
 * escape are rewritten next), which keeps the common case to one load and
 * one store per eight bytes. */
static size_t hdlc_escape(const uint8_t *in, size_t n, uint8_t *out, size_t o, size_t limit)
{
	size_t i = 0;

	while (i < n) {
#if !HDLC_SSE2
		while (n - i >= 8 && limit - o >= 8) {
			uint64_t w = load64(in + i);
			uint64_t m = to_escape(w);
			store64(out + o, w);
			if (!m) {
				i += 8;
				o += 8;
				continue;
			}
			size_t k = first_marked(m);
			i += k;
			o += k;
			if (limit - o < 2)
				break;
			/* in[i] is one to escape: do it here and go on by words. */
			out[o++] = HDLC_ESC;
			out[o++] = in[i++] ^ HDLC_XOR;
		}
		if (i == n)
			break;
#endif
		uint8_t b = in[i++];
		if (hdlc_needs_escape(b)) {
			if (limit - o < 2)
				return 0;
			out[o++] = HDLC_ESC;
			out[o++] = b ^ HDLC_XOR;
		} else {
			if (limit - o < 1)
				return 0;
			out[o++] = b;
		}
	}
	return o;
}

size_t hdlc_encode(const uint8_t *frame, size_t n, uint8_t *out, size_t cap)
{
	/* The unescaped minimum (two flags, the frame, the FCS) must fit.
	 * The closing flag's byte stays out of limit. */
	if (cap < 4 || n > cap - 4)
		return 0;
	size_t limit = cap - 1;
	uint16_t fcs = fcs16(FCS16_INIT, frame, n) ^ 0xffff;
	const uint8_t tail[2] = { (uint8_t)fcs, (uint8_t)(fcs >> 8) };	/* low byte first */

	out[0] = HDLC_FLAG;
	size_t i = 0, o = 1;
#if HDLC_AVX2
	if (have_avx2())
		o = hdlc_avx2_escape(frame, n, &i, out, o, limit);
#endif
#if HDLC_SSE2
	/* Whole blocks while their loads stay in the frame and their stores
	 * in cap; then the rest and the FCS together.  Only a cap near the
	 * exact size leaves anything to the byte-at-a-time code. */
	o = sse2_escape_blocks(frame, n, &i, out, o, limit);
	if (n - i < 31 && limit - o >= 2 * (n - i + 2) + 14) {
		o = sse2_escape_tail(frame, n, i, tail, out, o);
		out[o++] = HDLC_FLAG;
		return o;
	}
#endif
	o = hdlc_escape(frame + i, n - i, out, o, limit);
	if (o)
		o = hdlc_escape(tail, 2, out, o, limit);
	if (!o)
		return 0;
	out[o++] = HDLC_FLAG;
	return o;
}

void hdlc_decoder_init(struct hdlc_decoder *d, uint8_t *buf, size_t cap)
{
	*d = (struct hdlc_decoder){ .buf = buf, .cap = cap };
}

void hdlc_decoder_move(struct hdlc_decoder *d, uint8_t *buf)
{
	/* (an overflowing frame is dropped: its bytes do not matter) */
	if (d->len && !d->overflow && buf != d->buf)
		memmove(buf, d->buf, d->len);
	d->buf = buf;
}

struct hdlc_counts hdlc_decoder_counts(const struct hdlc_decoder *d)
{
	return d->count;
}

/* A flag ended n bytes: judge them.  Returns the frame length without the
 * FCS, or 0 when there is nothing to return (counted unless empty). */
static size_t hdlc_end_frame(struct hdlc_decoder *d, size_t n, bool aborted)
{
	if (aborted) {
		/* The sender disowned this frame; whatever else is wrong with
		 * it (even overflow) it counts as an abort only. */
		d->count.aborts++;
	} else if (d->overflow) {
		d->count.oversize++;
	} else if (n == 0) {
		/* flag flag: the idle fill between frames */
	} else if (n < 4) {
		d->count.runts++;
	} else if (fcs16(FCS16_INIT, d->buf, n) != FCS16_GOOD) {
		d->count.bad_fcs++;
	} else {
		d->count.frames++;
		return n - 2;
	}
	return 0;
}

/* Bytes before the first flag are treated as a frame like any other: a
 * decoder started mid-stream sees a tail that fails the FCS (or is a runt)
 * and is counted, which is what a mid-frame start really is. */
int hdlc_decode(struct hdlc_decoder *d, const uint8_t **in, const uint8_t *end,
		const uint8_t **frame, size_t *len)
{
	const uint8_t *p = *in;
	uint8_t *buf = d->buf;
	size_t n = d->len, cap = d->cap;
	bool esc = d->escape;

	while (p < end) {
		if (!esc) {
#if HDLC_SSE2
			/* A flag (every frame starts with one) goes straight
			 * to the byte loop. */
			if (cap - n >= 32 && *p != HDLC_FLAG) {
				p = sse2_unescape(*in, p, end, buf, &n, cap);
				if (p == end)
					break;
			}
#else
			/* Plain bytes eight at a time: a word with no flag and no
			 * escape is copied whole, else the part before the first. */
			while (end - p >= 8 && cap - n >= 8) {
				uint64_t w = load64(p);
				uint64_t m = flag_or_esc(w);
				store64(buf + n, w);
				if (!m) {
					p += 8;
					n += 8;
					continue;
				}
				size_t k = first_marked(m);
				p += k;
				n += k;
				/* An escape with its byte right behind it (not a
				 * flag: that is an abort) is undone here; n < cap
				 * still, as k < 8. */
				if (*p != HDLC_ESC || end - p < 2 || p[1] == HDLC_FLAG)
					break;
				buf[n++] = p[1] ^ HDLC_XOR;
				p += 2;
			}
			if (p == end)
				break;
#endif
		}
		uint8_t b = *p;
		p++;
		if (b == HDLC_FLAG) {
			size_t fl = hdlc_end_frame(d, n, esc);
			n = 0;
			esc = false;
			d->overflow = false;
			if (fl) {
				d->len = 0;
				d->escape = false;
				*in = p;
				*frame = buf;
				*len = fl;
				return 1;
			}
			continue;
		}
		if (b == HDLC_ESC && !esc) {
			esc = true;
			continue;
		}
		if (esc) {
			/* Any escaped byte is accepted, asked for or not. */
			b ^= HDLC_XOR;
			esc = false;
		}
		if (n < cap)
			buf[n++] = b;
		else
			d->overflow = true;
	}
	d->len = n;
	d->escape = esc;
	*in = p;
	return 0;
}
