/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hdlcref.h - RFC 1662 async decoding by the rules, one byte at a time, and
 * counting as hdlc.h says: the model that the unit tests and the HDLC fuzz
 * target hold the decoder in hdlc.c to. */
#ifndef PPTP_HDLCREF_H
#define PPTP_HDLCREF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hdlc.h"

struct hdlc_ref {
	uint8_t *buf;		/* cap bytes */
	size_t cap, n;
	bool esc, ovf;
	uint64_t frames, bad_fcs, oversize, runts, aborts;
	/* the FCS-16 to check frames with (the unit tests use a bitwise one) */
	uint16_t (*fcs)(uint16_t fcs, const uint8_t *p, size_t n);
};

/* One byte.  True when it ends a good frame: its *len bytes (FCS removed)
 * are at r->buf until the next byte. */
static inline bool hdlc_ref_byte(struct hdlc_ref *r, uint8_t b, size_t *len)
{
	if (b == HDLC_FLAG) {
		bool ok = false;
		if (r->esc)
			r->aborts++;
		else if (r->ovf)
			r->oversize++;
		else if (r->n == 0)
			;
		else if (r->n < 4)
			r->runts++;
		else if (r->fcs(FCS16_INIT, r->buf, r->n) != FCS16_GOOD)
			r->bad_fcs++;
		else {
			r->frames++;
			*len = r->n - 2;
			ok = true;
		}
		r->n = 0;
		r->esc = r->ovf = false;
		return ok;
	}
	if (b == HDLC_ESC && !r->esc) {
		r->esc = true;
		return false;
	}
	if (r->esc) {
		b ^= HDLC_XOR;
		r->esc = false;
	}
	if (r->n < r->cap)
		r->buf[r->n++] = b;
	else
		r->ovf = true;
	return false;
}

#endif
