/* SPDX-License-Identifier: GPL-2.0-or-later */
/* benchrx.h - the benchmark's numbered frames, shared by fakeppp and pacsrv.
 *
 * In the benchmark (bench/bench.sh) traffic runs in steps: a rate for a
 * time, a pause, the next rate.  The step is written into the frame counter
 * itself (bits 24..30), the frame's number within its step below it, so a
 * receiver counts every step apart without being told the schedule:
 *
 *   fakeppp's own frames:   counter = step << 24 | i
 *   pacsrv's frames:        counter = 0x80000000 + (step << 24 | i)
 *
 * A receiver notes each frame in a struct step_rx: how many, duplicates,
 * frames arriving after a later one, the highest number seen (so gaps), and
 * the first and last arrival.  Header-only (static functions). */
#ifndef PPTP_TESTS_BENCHRX_H
#define PPTP_TESTS_BENCHRX_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define STEP_SHIFT 24
#define STEP_INDEX_MASK ((1u << STEP_SHIFT) - 1)
#define STEP_MAX 64		/* steps in one run */

struct step_rx {
	uint64_t frames, dup, reordered;
	uint64_t first_us, last_us;
	int64_t max_i;
	uint8_t *seen;		/* one bit per frame number, allocated at the first frame */
	bool alloc_failed;
};

/* One frame of a step arrived; false when it was a duplicate. */
static inline bool step_rx_note(struct step_rx *s, uint32_t i, uint64_t now)
{
	i &= STEP_INDEX_MASK;
	if (!s->frames && !s->dup) {
		s->first_us = now;
		s->max_i = -1;
		/* calloc of a large block maps zero pages: only touched ones cost */
		if (!s->seen && !s->alloc_failed) {
			s->seen = calloc((STEP_INDEX_MASK + 1u) / 8u, 1);
			s->alloc_failed = !s->seen;
		}
	}
	if (s->seen) {
		uint8_t bit = (uint8_t)(1u << (i & 7));
		if (s->seen[i >> 3] & bit) {
			s->dup++;
			return false;
		}
		s->seen[i >> 3] |= bit;
	}
	s->frames++;
	s->last_us = now;
	if ((int64_t)i < s->max_i)
		s->reordered++;
	else
		s->max_i = i;
	return true;
}

/* "step=K frames=N dup=D reordered=R gaps=G first_us=T0 last_us=T1": gaps
 * are numbers below the highest one seen that never came. */
static inline void step_rx_format(const struct step_rx *s, unsigned k, char *buf, size_t cap)
{
	uint64_t gaps = s->max_i >= 0 && (uint64_t)s->max_i + 1 > s->frames ? (uint64_t)s->max_i + 1 - s->frames : 0;
	snprintf(buf, cap, "step=%u frames=%llu dup=%llu reordered=%llu gaps=%llu first_us=%llu last_us=%llu", k,
		 (unsigned long long)s->frames, (unsigned long long)s->dup, (unsigned long long)s->reordered,
		 (unsigned long long)gaps, (unsigned long long)s->first_us, (unsigned long long)s->last_us);
}

static inline void step_rx_free(struct step_rx *s, unsigned n)
{
	for (unsigned k = 0; k < n; k++) {
		free(s[k].seen);
		s[k].seen = NULL;
	}
}

/* A send schedule: "RATE:SECONDS,RATE:SECONDS,..." (RATE frames per second,
 * 0: as fast as possible).  Returns the number of steps, or -1 when LIST is
 * malformed or has more than STEP_MAX steps. */
struct step_def {
	unsigned long rate;
	uint64_t dur_us;
};

static inline int steps_parse(const char *list, struct step_def *out)
{
	int n = 0;
	const char *p = list;
	while (*p) {
		if (n == STEP_MAX)
			return -1;
		char *end;
		unsigned long r = strtoul(p, &end, 10);
		if (end == p || *end != ':' || r > 100000000ul)
			return -1;
		p = end + 1;
		double s = strtod(p, &end);
		if (end == p || !(s > 0) || s > 3600)
			return -1;
		out[n].rate = r;
		out[n].dur_us = (uint64_t)(s * 1e6 + 0.5);
		n++;
		p = end;
		if (*p == ',')
			p++;
		else if (*p)
			return -1;
	}
	return n ? n : -1;
}

/* Frames of a step due by elapsed microseconds (the first one at once). */
static inline uint64_t step_due(const struct step_def *d, uint64_t elapsed_us)
{
	return (uint64_t)((double)elapsed_us * (double)d->rate / 1e6) + 1;
}

#endif
