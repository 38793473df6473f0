/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gw_mtu.h - the gateway's watch on the path MTU: frames from pppd too big
 * for the path to the server in one packet, and the ICMP fragmentation-
 * needed the kernel reports as EMSGSIZE on the GRE socket.  Said once, in
 * words with the pppd options that fit (mtu.c); counted always. */
#ifndef PPTP_GW_MTU_H
#define PPTP_GW_MTU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stats.h"

/* How often the kernel's path MTU is read again while pppd sends. */
#define GW_MTU_READ_US (5 * 1000000ull)

struct gw_mtu {
	int fd;			/* the connected GRE socket */
	unsigned route_mtu;	/* the kernel's path MTU when the tunnel started */
	uint64_t next_read_us;
	unsigned largest;	/* the largest frame from pppd so far */
	bool warned;		/* the warning was given (an ICMP, or frames over it) */
	bool told;		/* frames over this machine's own route MTU: said at info */
};

void gw_mtu_init(struct gw_mtu *m, int fd, struct gw_stats *st, uint64_t now);
/* A frame of len bytes from pppd, on its way to the server. */
void gw_mtu_frame(struct gw_mtu *m, size_t len, struct gw_stats *st, uint64_t now);
/* A send or a read of the GRE socket failed with EMSGSIZE: an ICMP
 * fragmentation-needed came back for our GRE. */
void gw_mtu_reported(struct gw_mtu *m, struct gw_stats *st);

#endif
