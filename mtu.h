/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mtu.h - the path MTU of a tunnel: what a PPP frame costs on the wire,
 * the padded LCP probe --diagnose measures the path with, the search over
 * probe sizes, the verdict, and the pppd options that fit a path.  Pure.
 *
 * Sizes are in bytes.  "path" is the largest IP packet (header included)
 * that crosses to the server; "frame" a PPP frame with its address,
 * control and protocol fields (what a GRE packet carries). */
#ifndef PPTP_MTU_H
#define PPTP_MTU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MTU_IP_HDR 20
#define MTU_GRE_HDR 16		/* with sequence and acknowledgment numbers */
#define MTU_PPP_HDR 4		/* address and control FF 03, protocol */
#define MTU_PPP_DEFAULT 1500	/* pppd's mtu and mru unless told otherwise */
#define MTU_PPP_MIN 128		/* the smallest mtu pppd accepts */
#define MTU_PAD_OPTION 0xf7	/* an LCP option type no one defines: a PPP rejects it
				 * and sends it back in its Configure-Reject */
/* The smallest probe: an LCP header and one empty option. */
#define MTU_PROBE_MIN (MTU_PPP_HDR + 4 + 2)
/* The largest: an LCP packet of the default MRU, the most a PPP takes
 * before it has agreed another. */
#define MTU_PROBE_MAX (MTU_PPP_HDR + MTU_PPP_DEFAULT)

/* The IP packet that carries a frame of this size in GRE. */
unsigned mtu_ip_size(unsigned frame);
/* Bytes a tunnel adds to pppd's mtu: IP, GRE and PPP.  MPPE's 4 (its
 * header and the protocol it encrypts) are not among them: with MPPE,
 * pppd sets its interface's MTU 4 below the mtu it is given, so that its
 * frames stay within it. */
unsigned mtu_overhead(void);
/* The pppd mtu (and mru) whose every frame fits in a path of this size;
 * 0 when even pppd's smallest does not. */
unsigned mtu_pppd_for_path(unsigned path);
/* The TCP MSS a server should clamp to (a fixed value) so that TCP's
 * packets fit the path: pppd's mtu for it, less MPPE's 4 and the IP and
 * TCP headers (40); 0 when no mtu fits. */
unsigned mtu_mss_for_path(unsigned path);
/* "mtu N mru N" for that path, into buf (always terminated when cap > 0);
 * the length snprintf gives, or 0 when no mtu fits (buf then empty). */
int mtu_advice(unsigned path, char *buf, size_t cap);

/* The probe: an LCP Configure-Request of exactly len bytes (MTU_PROBE_MIN
 * to MTU_PROBE_MAX) with identifier id, made of options MTU_PAD_OPTION.
 * Returns len, or 0 when len is out of range or cap too small. */
size_t mtu_probe_build(uint8_t *f, size_t cap, size_t len, uint8_t id);

/* The search for the largest probe that crosses: the ceiling first (a
 * path that carries it needs nothing more), then the floor, then
 * bisection.  A size is lost after max_tries tries went unanswered; one
 * this machine refused to send is not tried again. */
enum mtu_try {
	MTU_CROSSED,	/* answered */
	MTU_LOST,	/* not answered in time */
	MTU_REFUSED,	/* this machine would not send it (EMSGSIZE) */
};

struct mtu_search {
	unsigned floor, ceiling, max_tries;
	unsigned lo;		/* the largest frame that crossed, 0: none yet */
	unsigned hi;		/* the smallest that did not, ceiling + 1 at first */
	bool hi_refused;	/* hi was refused here rather than lost on the way */
	unsigned cur;		/* the size to try, 0 when the search is over */
	unsigned tries;		/* of cur */
};

void mtu_search_init(struct mtu_search *s, unsigned floor, unsigned ceiling, unsigned max_tries);
void mtu_search_note(struct mtu_search *s, enum mtu_try t);

/* What the measurement says. */
enum mtu_verdict {
	MTU_UNMEASURED,	/* not even the floor was answered */
	MTU_FULL,	/* the ceiling crossed */
	MTU_KNOWN,	/* less crosses, and the kernel knows it (its route's MTU, or
			 * an ICMP fragmentation-needed): it fragments larger GRE */
	MTU_BLACK_HOLE,	/* less crosses than the kernel believes: packets between
			 * the two vanish without a word */
};

/* gre_hdr: the GRE header the probes went out with (12 without an
 * acknowledgment number); kernel_mtu: the kernel's path MTU to the server
 * (IP_MTU) after the search. */
enum mtu_verdict mtu_judge(const struct mtu_search *s, unsigned gre_hdr, unsigned kernel_mtu);

#endif
