/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_lcp.c - libFuzzer target for what --diagnose makes of the PPP frames
 * a server sends in GRE during its LCP probe (lcp_probe.c).  The GRE header
 * around them is gre_decode's, fuzzed by fuzz_gre.
 *
 * Input: [0] our LCP identifier, [1] the size of the text buffer, [2..5] the
 * magic number of our Configure-Request (built as diagnose.c builds it);
 * the rest is the server's frame.  Frame, probe and text buffer are
 * allocated to their exact sizes, so AddressSanitizer sees any access past
 * them.  The text is terminated, a prefix of what a roomy buffer gets, and
 * an answer is either our frame sent back or said to be one. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lcp_probe.h"
#include "util.h"
#include "fuzzcheck.h"


#define HDR 6
#define PROBE_LEN 14
#define ROOMY 120	/* what diagnose.c gives it */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < HDR)
		return 0;
	uint8_t id = data[0];
	size_t cap = data[1] ? data[1] : 1;
	size_t n = size - HDR;
	uint8_t *ours = malloc(PROBE_LEN), *frame = malloc(n ? n : 1);
	char *text = malloc(cap), roomy[ROOMY];

	if (!ours || !frame || !text)
		goto out;
	/* FF 03 C021, Configure-Request, id, length 10, magic number option */
	static const uint8_t head[] = { 0xff, 0x03, 0xc0, 0x21, 0x01 };
	memcpy(ours, head, sizeof head);
	ours[5] = id;
	put16(ours + 6, 10);
	ours[8] = 5;
	ours[9] = 6;
	memcpy(ours + 10, data + 2, 4);
	memcpy(frame, data + HDR, n);

	enum lcp_probe_kind k = lcp_probe_describe(frame, n, ours, PROBE_LEN, id, roomy, sizeof roomy);
	bool a = k == LCP_PROBE_ANSWER;
	size_t len = strnlen(roomy, sizeof roomy);
	if (len == 0 || len == sizeof roomy)
		BROKEN();
	if (a && !(n == PROBE_LEN && !memcmp(frame, ours, n)) && !strstr(roomy, "answering ours"))
		BROKEN();
	if (!a && strstr(roomy, "answering ours"))
		BROKEN();
	/* The path MTU step's reading of the same frame (lcp_answer_id): an
	 * identifier only for a Configure-Ack, -Nak or -Reject, and ours
	 * exactly when the description calls it an answer to ours. */
	int aid = lcp_answer_id(frame, n);
	if (aid < -1 || aid > 255 || (aid == id) != (a && !(n == PROBE_LEN && !memcmp(frame, ours, n))))
		BROKEN();

	/* A smaller buffer: the same verdict, as much of the same text as fits. */
	memset(text, 'x', cap);
	if (lcp_probe_describe(frame, n, ours, PROBE_LEN, id, text, cap) != k)
		BROKEN();
	if (k == LCP_PROBE_PEER_CONFREQ && !strstr(roomy, "Configure-Request from the server"))
		BROKEN();
	size_t tl = strnlen(text, cap);
	if (tl == cap || tl != (len < cap - 1 ? len : cap - 1) || memcmp(text, roomy, tl))
		BROKEN();
out:
	free(ours);
	free(frame);
	free(text);
	return 0;
}
