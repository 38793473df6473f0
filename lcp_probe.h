/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lcp_probe.h - what --diagnose makes of a PPP frame the server sent it in
 * GRE while its LCP Configure-Request probe runs (step 5/6).
 *
 * Pure: bytes in, words out.  The bytes are the server's (anyone's who can
 * send GRE for our call), so every read is checked against their length. */
#ifndef PPTP_LCP_PROBE_H
#define PPTP_LCP_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LCP_PROBE_CONFREQ_LEN 14

/* The probe: an LCP Configure-Request with identifier id and one option,
 * the magic number (address and control FF 03 first). */
void lcp_probe_confreq(uint8_t f[LCP_PROBE_CONFREQ_LEN], uint8_t id, uint32_t magic);

/* What a frame shows about the two directions. */
enum lcp_probe_kind {
	LCP_PROBE_OTHER = 0,	/* nothing either way beyond its arrival */
	LCP_PROBE_ANSWER,	/* ours reached the server: see lcp_probe_describe */
	LCP_PROBE_PEER_CONFREQ,	/* the server's PPP asking on its own: it says nothing
				 * about ours (a PPP that never hears us repeats it) */
};

/* Say what the frame p (n bytes, a GRE payload: address/control and the
 * protocol field possibly compressed) is, into out (always terminated when
 * cap > 0).  LCP_PROBE_ANSWER when it shows that our Configure-Request
 * (ours, ours_len bytes, identifier our_id) reached the server: ours sent
 * straight back, or a Configure-Ack, -Nak or -Reject with our identifier. */
enum lcp_probe_kind lcp_probe_describe(const uint8_t *p, size_t n, const uint8_t *ours,
				       size_t ours_len, uint8_t our_id, char *out, size_t cap);

/* The identifier of an LCP Configure-Ack, -Nak or -Reject in frame p (n
 * bytes, as lcp_probe_describe takes it), or -1 for any other frame. */
int lcp_answer_id(const uint8_t *p, size_t n);

/* The running gateway's view: pppd's frames pass through it unread, so to
 * tell whether the server's PPP hears ours it notes the identifiers of the
 * LCP Configure-Requests pppd sends, and asks of each frame from the
 * server whether it answers one of them or shows LCP open. */
struct lcp_sent {
	uint8_t confreq_ids[32];	/* one bit per identifier */
};

/* A frame from pppd: note it if it is an LCP Configure-Request. */
void lcp_sent_note(struct lcp_sent *s, const uint8_t *p, size_t n);
/* A frame from the server: does it show that the server hears us?  Its
 * own Configure- or Terminate-Requests do not; an Ack, Nak or Reject does
 * only with an identifier pppd used. */
bool lcp_heard_us(const struct lcp_sent *s, const uint8_t *p, size_t n);

#endif
