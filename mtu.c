/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mtu.c - the path MTU arithmetic, probe and search (see mtu.h). */
#include "mtu.h"

#include <stdio.h>
#include <string.h>

#include "util.h"

#define PPP_PROTO_LCP 0xC021
#define LCP_OPT_MAX 255		/* an option's length is one byte */

unsigned mtu_ip_size(unsigned frame)
{
	return MTU_IP_HDR + MTU_GRE_HDR + frame;
}

unsigned mtu_overhead(void)
{
	return mtu_ip_size(MTU_PPP_HDR);
}

unsigned mtu_pppd_for_path(unsigned path)
{
	unsigned o = mtu_overhead();

	if (path < o + MTU_PPP_MIN)
		return 0;
	return path - o < MTU_PPP_DEFAULT ? path - o : MTU_PPP_DEFAULT;
}

unsigned mtu_mss_for_path(unsigned path)
{
	unsigned n = mtu_pppd_for_path(path);

	return n ? n - 4 - 40 : 0;
}

int mtu_advice(unsigned path, char *buf, size_t cap)
{
	unsigned n = mtu_pppd_for_path(path);

	if (!n) {
		if (cap)
			buf[0] = '\0';
		return 0;
	}
	return snprintf(buf, cap, "mtu %u mru %u", n, n);
}

size_t mtu_probe_build(uint8_t *f, size_t cap, size_t len, uint8_t id)
{
	if (len < MTU_PROBE_MIN || len > MTU_PROBE_MAX || cap < len)
		return 0;
	f[0] = 0xff;
	f[1] = 0x03;
	put16(f + 2, PPP_PROTO_LCP);
	f[4] = 1;	/* Configure-Request */
	f[5] = id;
	put16(f + 6, (uint16_t)(len - MTU_PPP_HDR));
	size_t at = MTU_PPP_HDR + 4, rest = len - at;
	while (rest) {
		/* Options of at most 255 bytes, none left shorter than 2. */
		size_t o = rest <= LCP_OPT_MAX ? rest : rest - LCP_OPT_MAX >= 2 ? LCP_OPT_MAX
										  : LCP_OPT_MAX - 2;
		f[at] = MTU_PAD_OPTION;
		f[at + 1] = (uint8_t)o;
		memset(f + at + 2, 0, o - 2);
		at += o;
		rest -= o;
	}
	return len;
}

/* The next size: nothing crossed yet, the floor; else halfway between
 * what crossed and what did not, until they meet. */
static void search_next(struct mtu_search *s)
{
	s->tries = 0;
	if (!s->lo)
		s->cur = s->hi > s->floor ? s->floor : 0;
	else
		s->cur = s->hi - s->lo > 1 ? s->lo + (s->hi - s->lo) / 2 : 0;
}

void mtu_search_init(struct mtu_search *s, unsigned floor, unsigned ceiling, unsigned max_tries)
{
	*s = (struct mtu_search){ .floor = floor, .ceiling = ceiling,
				  .max_tries = max_tries ? max_tries : 1,
				  .hi = ceiling + 1, .cur = ceiling };
	if (floor > ceiling)
		s->cur = 0;
}

void mtu_search_note(struct mtu_search *s, enum mtu_try t)
{
	if (!s->cur)
		return;
	switch (t) {
	case MTU_CROSSED:
		s->lo = s->cur;	/* always above lo and below hi */
		break;
	case MTU_LOST:
		if (++s->tries < s->max_tries)
			return;
		/* fall through */
	case MTU_REFUSED:
		if (s->cur < s->hi) {
			s->hi = s->cur;
			s->hi_refused = t == MTU_REFUSED;
		}
		break;
	}
	search_next(s);
}

enum mtu_verdict mtu_judge(const struct mtu_search *s, unsigned gre_hdr, unsigned kernel_mtu)
{
	if (!s->lo)
		return MTU_UNMEASURED;
	if (s->lo >= s->ceiling)
		return MTU_FULL;
	return kernel_mtu <= MTU_IP_HDR + gre_hdr + s->lo || s->hi_refused ? MTU_KNOWN
										: MTU_BLACK_HOLE;
}
