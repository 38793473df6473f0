/* fuzz_hdlc.c - libFuzzer target for the HDLC stream decoder and encoder.
 *
 * data[0] sizes the decoder's buffer (allocated exactly, so AddressSanitizer
 * sees any write past it); data[1] seeds the chunk sizes the rest is fed
 * in.  Every frame returned is encoded again and must decode back to the
 * same bytes.  A plain byte-at-a-time decoder (tests/hdlcref.h, shared with
 * the unit tests) and encoder run alongside: the codec (which works sixteen
 * or eight bytes at a time) must agree with them on every byte, frame and
 * counter. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "hdlc.h"
#include "fuzzcheck.h"
#include "../hdlcref.h"

/* The reference encoder: one byte at a time. */
static size_t ref_put(uint8_t *out, size_t o, uint8_t b)
{
	if (b < 0x20 || b == HDLC_FLAG || b == HDLC_ESC) {
		out[o++] = HDLC_ESC;
		b ^= HDLC_XOR;
	}
	out[o++] = b;
	return o;
}

static size_t ref_encode(const uint8_t *f, size_t n, uint8_t *out)
{
	uint16_t fcs = fcs16(FCS16_INIT, f, n) ^ 0xffff;
	size_t o = 0;

	out[o++] = HDLC_FLAG;
	for (size_t i = 0; i < n; i++)
		o = ref_put(out, o, f[i]);
	o = ref_put(out, o, (uint8_t)fcs);
	o = ref_put(out, o, (uint8_t)(fcs >> 8));
	out[o++] = HDLC_FLAG;
	return o;
}

static void roundtrip(const uint8_t *frame, size_t len, size_t cap)
{
	size_t need = HDLC_ENCODED_MAX(len);
	uint8_t *enc = malloc(need), *buf = malloc(cap), *copy = malloc(len + 1);
	if (!enc || !buf || !copy)
		goto out;
	memcpy(copy, frame, len);

	size_t n = hdlc_encode(copy, len, enc, need);
	if (n < len + 4 || n > need || enc[0] != HDLC_FLAG || enc[n - 1] != HDLC_FLAG)
		BROKEN();
	uint8_t *want = malloc(need);
	if (!want)
		goto out;
	if (ref_encode(copy, len, want) != n || memcmp(want, enc, n) != 0)
		BROKEN();
	free(want);
	/* One byte less room must fail, never overflow. */
	if (hdlc_encode(copy, len, enc, n - 1) != 0)
		BROKEN();
	n = hdlc_encode(copy, len, enc, n);

	struct hdlc_decoder d;
	const uint8_t *in = enc, *out;
	size_t outlen;
	hdlc_decoder_init(&d, buf, cap);
	if (hdlc_decode(&d, &in, enc + n, &out, &outlen) != 1 || outlen != len ||
	    memcmp(out, copy, len) || in != enc + n)
		BROKEN();
	struct hdlc_counts c = hdlc_decoder_counts(&d);
	if (c.frames != 1 || c.bad_fcs || c.oversize || c.runts || c.aborts)
		BROKEN();
out:
	free(enc);
	free(buf);
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	size_t cap = (size_t)data[0] * 4 + 2;
	uint32_t rng = data[1] * 2654435761u + 1;
	uint8_t *buf = malloc(cap);
	struct hdlc_ref ref = { .buf = malloc(cap), .cap = cap, .fcs = fcs16 };
	if (!buf || !ref.buf) {
		free(buf);
		free(ref.buf);
		return 0;
	}

	/* The input itself as a frame: the encoder meets every byte value
	 * without the fuzzer having to find a valid FCS first. */
	size_t whole = size - 2 < cap - 2 ? size - 2 : cap - 2;
	if (whole >= 2)
		roundtrip(data + 2, whole, cap);

	struct hdlc_decoder d;
	hdlc_decoder_init(&d, buf, cap);
	const uint8_t *p = data + 2, *end = data + size;
	uint64_t seen = 0;

	while (p < end) {
		rng = rng * 1103515245u + 12345u;
		size_t chunk = 1 + (rng >> 16) % 64;
		const uint8_t *stop = (size_t)(end - p) < chunk ? end : p + chunk;
		const uint8_t *frame;
		size_t len;

		const uint8_t *from = p;
		while (hdlc_decode(&d, &p, stop, &frame, &len)) {
			if (frame != buf || len < 2 || len + 2 > cap || p > stop)
				BROKEN();
			/* The reference ends the same frame on the same byte. */
			size_t rlen = 0;
			for (; from < p - 1; from++)
				if (hdlc_ref_byte(&ref, *from, &rlen))
					BROKEN();
			if (!hdlc_ref_byte(&ref, *from++, &rlen) || rlen != len || memcmp(ref.buf, frame, len))
				BROKEN();
			seen++;
			roundtrip(frame, len, cap);
		}
		if (p != stop || d.len > d.cap)
			BROKEN();
		for (size_t rlen; from < p; from++)
			if (hdlc_ref_byte(&ref, *from, &rlen))
				BROKEN();
		if (d.len != ref.n || d.escape != ref.esc || d.overflow != ref.ovf ||
		    memcmp(d.buf, ref.buf, d.len))
			BROKEN();
	}
	struct hdlc_counts c = hdlc_decoder_counts(&d);
	if (c.frames != seen || c.frames != ref.frames || c.bad_fcs != ref.bad_fcs ||
	    c.oversize != ref.oversize || c.runts != ref.runts || c.aborts != ref.aborts)
		BROKEN();
	free(buf);
	free(ref.buf);
	return 0;
}
