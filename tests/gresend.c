/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gresend.c - send enhanced GRE (PPTP) data packets from wherever it runs:
 * a third host spoofing a call, or a flood of out-of-order packets.
 *
 *   gresend --to ADDR --call-id N [--seq S] [--count N] [--random W]
 *           [--seed N] [--size N] [--rate N] [--ack N] [--frame-base N]
 *
 * The payload of each packet is a PPP frame in fakeppp's layout for frames
 * made up on the server side (see tests/fakeppp.c): FF 03 00 21, counter
 * 0x80000000 + frame number, length of what follows the first four bytes,
 * data byte j = stream(frame * 65536 + j), stream(k) = (k * 31) ^ (k >> 9).
 * The frame number of a packet is its sequence number minus --seq plus
 * --frame-base, so fakeppp can tell the order its frames were numbered in.
 *
 * Sequence numbers: S, S+1, ... in order; with --random W the first is S
 * and packet n is S + n + (random below W): a stream that moves forward
 * with up to W of jitter, so it overtakes itself and repeats numbers.
 * Prints "GRESEND sent=N failed=N" at the end; exit 0 if all went out. */
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FRAME_MIN 10
#define FRAME_MAX 16384
#define CTR_SRV 0x80000000u
#define SRV_STRIDE 65536u

static uint64_t rng_state;

static uint32_t rng32(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ull) >> 32);
}

static uint8_t stream(uint64_t k) { return (uint8_t)((k * 31u) ^ (k >> 9)); }

static void usage(void)
{
	fprintf(stderr,
		"usage: gresend --to ADDR --call-id N [options]\n"
		"  --seq S          first sequence number (0)\n"
		"  --count N        packets to send (1)\n"
		"  --random W       packet n gets S + n + (random below W)\n"
		"  --seed N         for --random (1)\n"
		"  --size N         PPP frame bytes, %d..%d (100)\n"
		"  --rate N         packets per second (0: as fast as possible)\n"
		"  --ack N          carry this acknowledgment number\n"
		"  --frame-base N   added to the frame numbers (0)\n"
		"  --verbose        one line per packet\n", FRAME_MIN, FRAME_MAX);
	exit(64);
}

int main(int argc, char **argv)
{
	struct in_addr to = { 0 };
	bool have_to = false, have_call = false, have_ack = false, verbose = false;
	unsigned long call_id = 0, seq0 = 0, count = 1, window = 0, seed = 1, size = 100, rate = 0,
		      ack = 0, frame_base = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--verbose")) {
			verbose = true;
			continue;
		}
		if (i + 1 >= argc)
			usage();
		const char *v = argv[++i];
		int bad = 0;
		if (!strcmp(a, "--to")) {
			bad = inet_pton(AF_INET, v, &to) != 1;
			have_to = true;
		} else if (!strcmp(a, "--call-id")) {
			bad = parse_uint(v, 0, 65535, &call_id);
			have_call = true;
		} else if (!strcmp(a, "--seq")) {
			bad = parse_uint(v, 0, 4294967295ul, &seq0);
		} else if (!strcmp(a, "--count")) {
			bad = parse_uint(v, 1, 100000000, &count);
		} else if (!strcmp(a, "--random")) {
			bad = parse_uint(v, 1, 1000000000, &window);
		} else if (!strcmp(a, "--seed")) {
			bad = parse_uint(v, 1, 4294967295ul, &seed);
		} else if (!strcmp(a, "--size")) {
			bad = parse_uint(v, FRAME_MIN, FRAME_MAX, &size);
		} else if (!strcmp(a, "--rate")) {
			bad = parse_uint(v, 0, 10000000, &rate);
		} else if (!strcmp(a, "--ack")) {
			bad = parse_uint(v, 0, 4294967295ul, &ack);
			have_ack = true;
		} else if (!strcmp(a, "--frame-base")) {
			bad = parse_uint(v, 0, 0x7FFFFFFFul, &frame_base);
		} else {
			usage();
		}
		if (bad) {
			fprintf(stderr, "gresend: bad value '%s' for %s\n", v, a);
			usage();
		}
	}
	if (!have_to || !have_call)
		usage();
	rng_state = (uint64_t)seed * 0x9E3779B97F4A7C15ull;

	int fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_GRE);
	if (fd < 0) {
		fprintf(stderr, "gresend: raw socket: %s\n", strerror(errno));
		return 1;
	}
	int sz = 4 << 20;
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);

	static uint8_t pkt[16 + FRAME_MAX];
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr = to };
	unsigned long sent = 0, failed = 0;
	uint64_t start = now_us();

	for (unsigned long n = 0; n < count; n++) {
		uint32_t off = (uint32_t)n + (n && window ? rng32() % (uint32_t)window : 0);
		uint32_t seq = (uint32_t)(seq0 + off);
		uint32_t frame = (uint32_t)(frame_base + off) & 0x7FFFFFFFu;
		size_t h = 12 + (have_ack ? 4 : 0);

		pkt[0] = 0x30;	/* K and S */
		pkt[1] = (uint8_t)((have_ack ? 0x80 : 0) | 1);
		put16(pkt + 2, 0x880B);
		put16(pkt + 4, (uint16_t)size);
		put16(pkt + 6, (uint16_t)call_id);
		put32(pkt + 8, seq);
		if (have_ack)
			put32(pkt + 12, (uint32_t)ack);
		uint8_t *f = pkt + h;
		f[0] = 0xFF;
		f[1] = 0x03;
		f[2] = 0x00;
		f[3] = 0x21;
		put32(f + 4, CTR_SRV + frame);
		put16(f + 8, (uint16_t)(size - 4));
		for (size_t j = 0; j < size - 10; j++)
			f[10 + j] = stream((uint64_t)frame * SRV_STRIDE + j);

		if (rate) {
			uint64_t due = start + (uint64_t)n * 1000000u / rate, now = now_us();
			if (due > now)
				usleep((useconds_t)(due - now));
		}
		int tries = 0;
		for (;;) {
			ssize_t w = sendto(fd, pkt, h + size, 0, (struct sockaddr *)&sa, sizeof sa);
			if (w == (ssize_t)(h + size)) {
				sent++;
				break;
			}
			if (w < 0 && (errno == ENOBUFS || errno == EAGAIN || errno == EINTR) && ++tries < 100) {
				usleep(1000);
				continue;
			}
			failed++;
			if (failed <= 3)
				fprintf(stderr, "gresend: send: %s\n", w < 0 ? strerror(errno) : "short");
			break;
		}
		if (verbose)
			printf("GRESEND seq=%u frame=%u\n", seq, frame);
	}
	printf("GRESEND sent=%lu failed=%lu\n", sent, failed);
	close(fd);
	return failed ? 1 : 0;
}
