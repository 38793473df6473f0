/* SPDX-License-Identifier: GPL-2.0-or-later */
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

/* The host route shared by every call manager for one server in one
 * network namespace, through a file under PPTP_RUN_DIR: the first adds it,
 * the last removes it (see routing.c).  Zeroed with fd -1, release does
 * nothing. */
struct route_share {
	struct host_route host;	/* what route_host_add made of it */
	int fd;			/* the shared file; -1: not shared */
	bool pptp;		/* the route is one a call manager added */
	char path[128];		/* the shared file's name */
};

enum route_share_result {
	ROUTE_SHARE_NONE = 0,	/* no route of ours: none needed, or someone else's */
	ROUTE_SHARE_ADDED,	/* acquire: we added it */
	ROUTE_SHARE_JOINED,	/* acquire: another call manager added it */
	ROUTE_SHARE_KEPT,	/* release: another call manager still uses it */
	ROUTE_SHARE_REMOVED,	/* release: we were the last, and removed it */
};

/* Add the route as route_host_add does, or join the one another call
 * manager added, sharing it through the file at path.  Returns a
 * ROUTE_SHARE_* (with ROUTE_SHARE_NONE, err may say why), or -errno with
 * the reason in err.  warn, when not empty, says why the route is not
 * shared (it is still added). */
int route_share_acquire(struct route_share *s, uint32_t server, uint32_t src, const char *path,
			char *warn, size_t warnlen, char *err, size_t errlen);

/* At exit: the last user of a route a call manager added removes it.
 * Returns ROUTE_SHARE_NONE, _KEPT or _REMOVED, or -errno with err.  A route
 * that was never shared (fd -1) is removed if we added it, and NONE
 * returned. */
int route_share_release(struct route_share *s, char *err, size_t errlen);

#endif
