/* routing.h - the host route towards the server (see ROUTING in pptp.8).
 *
 * At start we ask the kernel (rtnetlink, RTM_GETROUTE) how it reaches the
 * server and pin that path with a /32 route (RTM_NEWROUTE, same gateway and
 * device), so that a default route through the tunnel cannot swallow the
 * tunnel's own packets.  At exit the route is removed again, but only if
 * this process created it. */
#ifndef PPTP_ROUTING_H
#define PPTP_ROUTING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct host_route {
	bool added;		/* we created it and must delete it */
	uint32_t dst;		/* the server, network order */
	uint32_t gateway;	/* network order; 0 when the server is on-link */
	int ifindex;
	uint32_t table;
	char ifname[16];
};

/* Look up the path to server (network order), as a packet from src would
 * take it when src is not 0, and add the /32 host route.
 * Returns 0 when the route is in place (r->added says whether we made it or
 * found it there already) or none is needed because the server is one of
 * this machine's own addresses (then r->ifindex is 0); -errno on failure
 * with a sentence in err. */
int route_host_add(uint32_t server, uint32_t src, struct host_route *r, char *err, size_t errlen);

/* Delete the route if route_host_add created it; safe to call twice. */
int route_host_remove(struct host_route *r, char *err, size_t errlen);

#endif
