/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hdlc.h - PPP in HDLC-like framing (RFC 1662) as pppd speaks it on a tty.
 *
 * Pure codec: async framing (flags, escapes, FCS-16) in both directions,
 * stream decoding that survives frames split across or packed into reads. */
#ifndef PPTP_HDLC_H
#define PPTP_HDLC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HDLC_FLAG 0x7e
#define HDLC_ESC 0x7d
#define HDLC_XOR 0x20
#define FCS16_INIT 0xffffu
#define FCS16_GOOD 0xf0b8u	/* remainder over a frame that includes its FCS */

/* Worst case size of an encoded frame of n bytes: every byte and both FCS
 * bytes escaped, plus the opening and closing flags. */
#define HDLC_ENCODED_MAX(n) (2 * ((size_t)(n) + 2) + 2)

/* Update a running FCS-16 over n bytes. */
uint16_t fcs16(uint16_t fcs, const uint8_t *p, size_t n);

/* Encode one PPP frame (address/control/protocol/info, no FCS) as
 * FLAG escaped(frame + FCS) FLAG into out.  Escapes 0x7e, 0x7d and every
 * byte below 0x20 (the ACCM pppd starts with; a receiver accepts escapes it
 * did not ask for).  Returns bytes written, or 0 when cap is too small. */
size_t hdlc_encode(const uint8_t *frame, size_t n, uint8_t *out, size_t cap);

/* What the decoder made of its input so far. */
struct hdlc_counts {
	uint64_t frames;	/* good frames returned */
	uint64_t bad_fcs;	/* frames dropped for a wrong FCS */
	uint64_t oversize;	/* frames dropped for being longer than cap */
	uint64_t runts;		/* frames dropped for being shorter than 4 bytes */
	uint64_t aborts;	/* frames ended by 0x7d 0x7e (abort sequence) */
};

/* Stream decoder.  buf/cap is the caller's frame buffer (the largest frame
 * plus its 2 FCS bytes); a longer frame is dropped and counted.  The fields
 * are the decoder's own: callers read the counts with hdlc_decoder_counts. */
struct hdlc_decoder {
	uint8_t *buf;
	size_t cap, len;
	bool escape;		/* the previous byte was 0x7d */
	bool overflow;		/* the frame in progress is too long: drop it */
	struct hdlc_counts count;
};

void hdlc_decoder_init(struct hdlc_decoder *d, uint8_t *buf, size_t cap);
/* Go on in another buffer of the same capacity, the frame in progress
 * moved there (the two may overlap): a caller that decodes into the place
 * each frame will be sent from moves the decoder on after each frame. */
void hdlc_decoder_move(struct hdlc_decoder *d, uint8_t *buf);
/* The counts so far (a copy: the caller compares it with an older one). */
struct hdlc_counts hdlc_decoder_counts(const struct hdlc_decoder *d);

/* Consume bytes from *in (advancing it, never past end) until a good frame
 * completes: then return 1 with *frame, *len pointing at it (FCS removed,
 * valid until the next call).  Returns 0 when the input is used up with no
 * complete frame (a partial one is kept for the next call).  Bad frames are
 * counted and skipped, never returned.  Empty frames (flag flag) are
 * ignored silently. */
int hdlc_decode(struct hdlc_decoder *d, const uint8_t **in, const uint8_t *end,
		const uint8_t **frame, size_t *len);

#endif
