/* fuzz_hdlc.c - libFuzzer target for the HDLC stream decoder and encoder.
 *
 * data[0] sizes the decoder's buffer (allocated exactly, so AddressSanitizer
 * sees any write past it); data[1] seeds the chunk sizes the rest is fed
 * in.  Every frame returned is encoded again and must decode back to the
 * same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "hdlc.h"

/* An invariant failed: say which line before the trap. */
#define BROKEN() do { fprintf(stderr, "%s:%d: invariant broken\n", __FILE__, __LINE__); \
	__builtin_trap(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
	if (d.frames != 1 || d.bad_fcs || d.oversize || d.runts || d.aborts)
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
	if (!buf)
		return 0;

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

		while (hdlc_decode(&d, &p, stop, &frame, &len)) {
			if (frame != buf || len < 2 || len + 2 > cap || p > stop)
				BROKEN();
			seen++;
			roundtrip(frame, len, cap);
		}
		if (p != stop || d.len > d.cap)
			BROKEN();
	}
	if (d.frames != seen)
		BROKEN();
	free(buf);
	return 0;
}
