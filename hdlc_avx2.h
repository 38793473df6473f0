/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hdlc_avx2.h - hdlc.c's bulk escaping and unescaping with AVX2 (private
 * to the codec and its unit tests).  -DHDLC_NO_AVX2 leaves out all of it,
 * and the FCS's AVX-encoded folding in hdlc.c with it: that build runs the
 * SSE2 codec and the SSE-encoded folding, which a processor without AVX
 * takes (one with AVX but not AVX2 takes the SSE2 codec and the AVX
 * folding, each tested on its own). */
#ifndef PPTP_HDLC_AVX2_H
#define PPTP_HDLC_AVX2_H

#include <stddef.h>
#include <stdint.h>

#if defined(__x86_64__) && defined(__GNUC__) && defined(__SSE2__) && !defined(HDLC_NO_SIMD) && \
	!defined(HDLC_NO_AVX2)
#define HDLC_AVX2 1

const uint8_t *hdlc_avx2_unescape(const uint8_t *p, const uint8_t *last, uint8_t **wp);
size_t hdlc_avx2_escape(const uint8_t *in, size_t n, size_t *ip, uint8_t *out, size_t o, size_t limit);
/* The shuffle tables (hdlc_avx2.c says what each holds). */
extern const uint64_t hdlc_unesc_shuf[256];
extern const uint64_t hdlc_unesc_len[256];
extern const uint64_t hdlc_esc_shuf[256][2];
extern const uint64_t hdlc_esc_len[256];
#else
#define HDLC_AVX2 0
#endif

#endif
