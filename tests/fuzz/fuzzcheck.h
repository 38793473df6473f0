/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzzcheck.h - what every fuzz target uses to state its invariants. */
#ifndef PPTP_FUZZCHECK_H
#define PPTP_FUZZCHECK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* An invariant failed: say which line before the trap. */
#define BROKEN() do { fprintf(stderr, "%s:%d: invariant broken\n", __FILE__, __LINE__); \
	__builtin_trap(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A string a parser produced: terminated within its buffer, printable. */
static inline void check_string(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);
	if (n == cap)
		BROKEN();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
			BROKEN();
}

#endif
