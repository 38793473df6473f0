/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gre_watch.h - whether GRE gets through, each way, while a tunnel runs.
 * Pure: pppd's frames, the server's GRE and PPP frames and the time in;
 * whether a warning is due out (the gateway, pptp_gre.c, says it).
 *
 *   in:  pppd has sent for GRE_WATCH_US since the last GRE from the
 *        server, and none came (never any: blocked; some before: it
 *        stopped).  Said once, until GRE arrives again.
 *   out: the server's GRE keeps arriving, but for GRE_WATCH_US since
 *        pppd's first frame the server acknowledged none of ours and its
 *        PPP answered none of pppd's Configure-Requests (it only repeats
 *        its own): ours do not reach it.  Said once.  Looking at its PPP
 *        keeps a server that never acknowledges (some do not) from being
 *        taken for one that does not hear us. */
#ifndef PPTP_GRE_WATCH_H
#define PPTP_GRE_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lcp_probe.h"

#define GRE_WATCH_US (10 * 1000000ull)

struct gre_watch {
	/* in */
	uint64_t last_gre_us;		/* the last GRE from the server (0: none yet) */
	uint64_t tx_since_gre;		/* pppd's frames since then */
	uint64_t tx_quiet_since_us;	/* the first of those */
	bool in_warned;
	/* out */
	uint64_t tx_since_us;		/* pppd's first frame (0: none yet) */
	struct lcp_sent sent;		/* pppd's Configure-Request identifiers */
	bool server_heard_us;		/* its PPP answered one, or LCP is open */
	bool out_warned;
	bool out_timer_done;		/* its time has passed: checked on events only */
};

/* A frame from pppd went to the server. */
void gre_watch_tx(struct gre_watch *w, const uint8_t *frame, size_t len, uint64_t now);
/* A PPP frame from the server. */
void gre_watch_peer_ppp(struct gre_watch *w, const uint8_t *frame, size_t len);
/* GRE from the server (data or an acknowledgement).  True when "no GRE"
 * had been said: it arrives again. */
bool gre_watch_rx(struct gre_watch *w, uint64_t now);
/* Whether "no GRE from the server" is due now (true once: it is then
 * taken as said).  The fields say since when and how many frames. */
bool gre_watch_in_due(struct gre_watch *w, uint64_t now);
/* Whether "our GRE does not reach the server" is due now (true once).
 * peer_acked: the server has acknowledged one of ours. */
bool gre_watch_out_due(struct gre_watch *w, uint64_t now, bool peer_acked);
/* The earlier of t and the watch's next deadline. */
uint64_t gre_watch_next(const struct gre_watch *w, uint64_t t);

#endif
