/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hdlccheck - is a byte stream nothing but whole async-HDLC PPP frames?
 *
 *   hdlccheck FILE
 *
 * Reads what pptp --nolaunchpppd wrote to its standard output and checks
 * that every byte belongs to a frame: frames are delimited by 0x7e flags,
 * 0x7d escapes the next byte (xor 0x20), and each frame ends with a good
 * FCS-16 (RFC 1662: the FCS over the frame including its own two bytes is
 * 0xf0b8).  Prints one line: frames, bad frames, bytes outside frames.
 * Exit status 0 when the stream is clean and holds at least one frame.
 * Written for the end-to-end tests; deliberately independent of ../hdlc.c. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint16_t fcs_table[256];

static void fcs_init(void)
{
	for (unsigned b = 0; b < 256; b++) {
		uint16_t v = (uint16_t)b;
		for (int i = 0; i < 8; i++)
			v = (v & 1) ? (uint16_t)((v >> 1) ^ 0x8408) : (uint16_t)(v >> 1);
		fcs_table[b] = v;
	}
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: hdlccheck FILE\n");
		return 2;
	}
	FILE *f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 2;
	}
	fcs_init();

	unsigned long frames = 0, bad = 0, outside = 0, bytes = 0, first_bad_at = 0;
	unsigned long len = 0;		/* unescaped bytes of the current frame */
	uint16_t fcs = 0xffff;
	int in_frame = 0, esc = 0, c;

	while ((c = getc(f)) != EOF) {
		bytes++;
		if (c == 0x7e) {
			if (in_frame && len > 0) {
				/* address/control may be compressed away, but a frame
				 * has at least a protocol byte and the two FCS bytes */
				if (len < 3 || esc || fcs != 0xf0b8) {
					if (!bad)
						first_bad_at = bytes;
					bad++;
				}
				frames++;
			}
			in_frame = 1;
			len = 0;
			esc = 0;
			fcs = 0xffff;
			continue;
		}
		if (!in_frame) {
			outside++;
			continue;
		}
		if (c == 0x7d) {
			esc = 1;
			continue;
		}
		if (esc) {
			c ^= 0x20;
			esc = 0;
		}
		fcs = (uint16_t)((fcs >> 8) ^ fcs_table[(fcs ^ (unsigned)c) & 0xff]);
		len++;
	}
	fclose(f);
	/* bytes after the last flag: a frame that never ended */
	if (in_frame && len > 0)
		outside += len;
	printf("%lu bytes, %lu frames, %lu bad frames, %lu bytes outside frames", bytes, frames,
	       bad, outside);
	if (bad)
		printf(" (first bad frame ends at byte %lu)", first_bad_at);
	printf("\n");
	return frames > 0 && bad == 0 && outside == 0 ? 0 : 1;
}
