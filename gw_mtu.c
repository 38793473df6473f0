/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gw_mtu.c - the gateway's watch on the path MTU (see gw_mtu.h). */
#include "gw_mtu.h"

#include <stdio.h>

#include "mtu.h"
#include "sockutil.h"
#include "util.h"

void gw_mtu_init(struct gw_mtu *m, int fd, struct gw_stats *st, uint64_t now)
{
	*m = (struct gw_mtu){ .fd = fd, .next_read_us = now + GW_MTU_READ_US };
	m->route_mtu = st->path_mtu = sock_path_mtu(fd);
}

/* The one warning: the path carries less than pppd sends, which an ICMP
 * said (reported) or the kernel's path MTU shows. */
static void warn(struct gw_mtu *m, const struct gw_stats *st, bool reported)
{
	char fix[40], sent[80] = "";
	unsigned long long path = st->path_mtu;

	m->warned = true;
	if (!mtu_advice(st->path_mtu, fix, sizeof fix)) {
		log_warn("the path to the server carries only %llu-byte packets: too small for PPP",
			 path);
		return;
	}
	if (m->largest && mtu_ip_size(m->largest) > path)
		snprintf(sent, sizeof sent, ", less than pppd's %u-byte frames need (%u with GRE "
			 "and IP)", m->largest, mtu_ip_size(m->largest));
	log_warn("the path to the server carries at most %llu-byte packets (%s)%s: larger GRE "
		 "crosses as fragments, or vanishes where fragments do not pass; set pppd's "
		 "options '%s' (or clamp TCP's MSS on the server); further frames too big are "
		 "only counted, in \"tx too big\"", path,
		 reported ? "a router said so with ICMP fragmentation-needed" : "the kernel's path MTU",
		 sent, fix);
}

/* Read the kernel's path MTU again; true when it has fallen below what
 * the tunnel's route started with (an ICMP taught it). */
static bool reread(struct gw_mtu *m, struct gw_stats *st, uint64_t now)
{
	unsigned mtu = sock_path_mtu(m->fd);

	m->next_read_us = now + GW_MTU_READ_US;
	if (mtu)
		st->path_mtu = mtu;
	return st->path_mtu && st->path_mtu < m->route_mtu;
}

void gw_mtu_frame(struct gw_mtu *m, size_t len, struct gw_stats *st, uint64_t now)
{
	bool learnt = now >= m->next_read_us ? reread(m, st, now)
					      : st->path_mtu && st->path_mtu < m->route_mtu;

	if (len > m->largest)
		m->largest = (unsigned)len;
	if (!st->path_mtu || mtu_ip_size((unsigned)len) <= st->path_mtu)
		return;
	st->tx_too_big++;
	if (learnt && !m->warned) {
		warn(m, st, false);
	} else if (!learnt && !m->told) {
		/* The route's own MTU: the kernel fragments, nothing is lost.  No
		 * mtu advice here: fragments leave without DF, so a smaller link
		 * further on fragments them again, where whole packets of a
		 * lowered mtu would meet it with DF set; only a measured path
		 * (--diagnose) says which mtu is safe. */
		m->told = true;
		log_info("pppd's %zu-byte frames leave in IP fragments (the route to the server "
			 "carries %llu-byte packets); nothing is lost, and if large transfers "
			 "stall, pptp --diagnose measures the path",
			 len, (unsigned long long)st->path_mtu);
	}
}

void gw_mtu_reported(struct gw_mtu *m, struct gw_stats *st)
{
	st->icmp_too_big++;
	reread(m, st, now_us());
	if (!m->warned)
		warn(m, st, true);
}
