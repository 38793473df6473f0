/* SPDX-License-Identifier: GPL-2.0-or-later */
/* codec.c - the HDLC codec alone: encodes COUNT random frames of SIZE bytes
 * (run_encode), then decodes them back from one stream (run_decode), and
 * checks that every frame came back whole.  bench/codec.sh runs it under
 * callgrind, counting only inside one of the two functions.
 *
 *   build/bench/codec SIZE COUNT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hdlc.h"

/* the decoder's buffer: room for any frame, as the gateway gives it */
#define DEC_CAP 8192

/* xorshift64: random bytes, one in about eight to escape, as MPPE gives */
static uint64_t rnd_state = 88172645463325252ull;

static uint8_t rnd_byte(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return (uint8_t)rnd_state;
}

__attribute__((noinline)) static size_t run_encode(uint8_t *const *frames, size_t size, size_t count, uint8_t *out,
						   size_t cap)
{
	size_t total = 0;
	for (size_t i = 0; i < count; i++)
		total += hdlc_encode(frames[i], size, out, cap);
	return total;
}

__attribute__((noinline)) static size_t run_decode(const uint8_t *in, size_t len, size_t size, uint8_t *buf,
						   size_t cap)
{
	struct hdlc_decoder d;
	const uint8_t *p = in, *end = in + len, *f;
	size_t fl, n = 0;

	hdlc_decoder_init(&d, buf, cap);
	while (hdlc_decode(&d, &p, end, &f, &fl))
		n += fl == size;
	return n;
}

/* The same decoding, outside what is counted, comparing every frame. */
static size_t check_decode(const uint8_t *in, size_t len, uint8_t *const *frames, size_t size, uint8_t *buf,
			   size_t cap)
{
	struct hdlc_decoder d;
	const uint8_t *p = in, *end = in + len, *f;
	size_t fl, good = 0;

	hdlc_decoder_init(&d, buf, cap);
	while (hdlc_decode(&d, &p, end, &f, &fl))
		if (fl == size && !memcmp(f, frames[good], size))
			good++;
	return good;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s SIZE COUNT\n", argv[0]);
		return 2;
	}
	size_t size = strtoul(argv[1], NULL, 10), count = strtoul(argv[2], NULL, 10);
	size_t cap = HDLC_ENCODED_MAX(size) + 64;
	uint8_t **frames = malloc(count * sizeof *frames);
	uint8_t *stream = malloc(count * cap), *out = malloc(cap), *buf = malloc(DEC_CAP);
	size_t len = 0;

	if (!size || size > 4096 || !count || !frames || !stream || !out || !buf) {
		fprintf(stderr, "codec: SIZE 1..4096, COUNT at least 1\n");
		return 2;
	}
	for (size_t i = 0; i < count; i++) {
		frames[i] = malloc(size);
		if (!frames[i])
			return 2;
		for (size_t j = 0; j < size; j++)
			frames[i][j] = rnd_byte();
		len += hdlc_encode(frames[i], size, stream + len, cap);
	}
	size_t enc = run_encode(frames, size, count, out, cap);
	size_t n = run_decode(stream, len, size, buf, DEC_CAP);
	size_t good = check_decode(stream, len, frames, size, buf, DEC_CAP);
	printf("%zu frames of %zu bytes: %.1f bytes each encoded; %zu decoded, %zu whole\n", count, size,
	       (double)enc / (double)count, n, good);
	return n == count && good == count ? 0 : 1;
}
