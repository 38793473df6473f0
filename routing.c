/* SPDX-License-Identifier: GPL-2.0-or-later */
/* routing.c - the host route towards the server, over rtnetlink.
 *
 * Every call opens its own NETLINK_ROUTE socket, sends one request with
 * NLM_F_ACK and reads until the kernel's ack or error, so a reply can never
 * be confused with one meant for an earlier request.  Everything the kernel
 * sends is copied out with memcpy before it is looked at: the receive
 * buffer is bytes, and nothing in it is trusted until its lengths check. */
#include "routing.h"
#include "runpath.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif
/* Older headers lack the extended-ack names; the values are fixed ABI. */
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif
#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NLM_F_CAPPED
#define NLM_F_CAPPED 0x100
#endif
#ifndef NLM_F_ACK_TLVS
#define NLM_F_ACK_TLVS 0x200
#endif
#define EXTACK_ATTR_MSG 1	/* NLMSGERR_ATTR_MSG */

/* RTPROT_STATIC rather than the RTPROT_BOOT that `ip route add` uses, so
 * our delete (which matches on protocol) cannot take an administrator's
 * identical route with it, and `ip route` shows whose route it is. */
#define HOST_ROUTE_PROTO RTPROT_STATIC

/* The kernel answers a request before sendmsg returns; the timeout only
 * keeps a lost reply from hanging the daemon. */
#define NL_TIMEOUT_S 5

_Static_assert(sizeof(((struct host_route *)0)->ifname) >= IF_NAMESIZE,
	       "host_route.ifname must hold an interface name");

struct nl {
	int fd;
	uint32_t port;		/* our port id, as the kernel assigned it */
	uint32_t seq;
};

/* A request: header, rtmsg and at most four u32 attributes. */
struct nl_req {
	unsigned char b[NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct rtmsg)) + 4 * RTA_SPACE(4)];
	size_t len;
	bool overflow;
};

/* Large enough for any route message; a longer datagram is reported as
 * truncated rather than half read. */
#define NL_RXBUF 16384

struct attr {
	const unsigned char *data;	/* NULL when absent */
	size_t len;
};
#define ATTR_SLOTS 32			/* every RTA_* we read is below this */

/* What the kernel's answer to RTM_GETROUTE said. */
struct route_answer {
	unsigned char type;		/* RTN_* */
	uint32_t oif;
	uint32_t gateway;		/* network order, 0 = on-link */
	uint32_t table;
	bool via;			/* gateway of another family (RTA_VIA) */
};

static void PPTP_PRINTF(3, 4) say(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static void ip_str(uint32_t addr, char out[INET_ADDRSTRLEN])
{
	struct in_addr a = { .s_addr = addr };

	if (!inet_ntop(AF_INET, &a, out, INET_ADDRSTRLEN))
		str_copy(out, "?", INET_ADDRSTRLEN);
}

static const char *route_type_name(unsigned type)
{
	switch (type) {
	case RTN_BROADCAST: return "a broadcast address";
	case RTN_ANYCAST: return "an anycast address";
	case RTN_MULTICAST: return "a multicast address";
	case RTN_BLACKHOLE: return "blackholed";
	case RTN_UNREACHABLE: return "marked unreachable";
	case RTN_PROHIBIT: return "administratively prohibited";
	default: return "not reached by a unicast route";
	}
}

/* " (kernel: text)" when the kernel explained its refusal, else "". */
static void kernel_note(char *out, size_t cap, const char *ktext)
{
	if (ktext[0])
		snprintf(out, cap, " (kernel: %s)", ktext);
	else if (cap)
		out[0] = '\0';
}

static void nl_close(struct nl *nl)
{
	if (nl->fd >= 0)
		close(nl->fd);
	nl->fd = -1;
}

static int nl_open(struct nl *nl)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	socklen_t salen = sizeof sa;
	struct timeval tv = { .tv_sec = NL_TIMEOUT_S };
	int one = 1, ret;

	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (nl->fd < 0)
		return -errno;
	/* Both are optional: without them errors simply carry no text. */
	(void)setsockopt(nl->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
	(void)setsockopt(nl->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
	if (setsockopt(nl->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0)
		goto fail;
	if (bind(nl->fd, (struct sockaddr *)&sa, sizeof sa) < 0)
		goto fail;
	/* The kernel picked our port id; replies are matched against it. */
	if (getsockname(nl->fd, (struct sockaddr *)&sa, &salen) < 0)
		goto fail;
	if (salen < sizeof sa || sa.nl_family != AF_NETLINK) {
		errno = EPROTO;
		goto fail;
	}
	nl->port = sa.nl_pid;
	/* A fresh socket sees no old replies, but a time-based start makes
	 * any stray one fail the sequence check as well. */
	nl->seq = (uint32_t)time(NULL);
	return 0;
fail:
	ret = -errno;
	nl_close(nl);
	return ret;
}

static void req_init(struct nl_req *q, uint16_t type, uint16_t flags, const struct rtmsg *rtm)
{
	struct nlmsghdr h = { .nlmsg_type = type, .nlmsg_flags = flags };

	memset(q, 0, sizeof *q);
	memcpy(q->b, &h, sizeof h);
	memcpy(q->b + NLMSG_HDRLEN, rtm, sizeof *rtm);
	q->len = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof *rtm);
}

static void req_u32(struct nl_req *q, uint16_t type, uint32_t v)
{
	struct rtattr a = { .rta_len = RTA_LENGTH(sizeof v), .rta_type = type };

	if (q->len + RTA_SPACE(sizeof v) > sizeof q->b) {
		q->overflow = true;
		return;
	}
	memcpy(q->b + q->len, &a, sizeof a);
	memcpy(q->b + q->len + RTA_LENGTH(0), &v, sizeof v);
	q->len += RTA_SPACE(sizeof v);
}

/* Index the attributes in [p, p + len).  A later duplicate wins, which is
 * harmless: the kernel never sends one. */
static int parse_attrs(const unsigned char *p, size_t len, struct attr tb[ATTR_SLOTS])
{
	memset(tb, 0, ATTR_SLOTS * sizeof *tb);
	while (len >= sizeof(struct rtattr)) {
		struct rtattr a;
		size_t step;
		unsigned type;

		memcpy(&a, p, sizeof a);
		if (a.rta_len < sizeof a || a.rta_len > len)
			return -EBADMSG;
		type = a.rta_type & NLA_TYPE_MASK;
		if (type < ATTR_SLOTS) {
			tb[type].data = p + RTA_LENGTH(0);
			tb[type].len = a.rta_len - RTA_LENGTH(0);
		}
		step = RTA_ALIGN(a.rta_len);
		if (step > len)		/* the last attribute may go unpadded */
			step = len;
		p += step;
		len -= step;
	}
	return len ? -EBADMSG : 0;
}

static bool attr_u32(const struct attr *a, uint32_t *out)
{
	if (!a->data || a->len != sizeof *out)
		return false;
	memcpy(out, a->data, sizeof *out);
	return true;
}

/* Pull the kernel's explanation out of an extended ack, if it sent one. */
static void parse_extack(const unsigned char *msg, size_t msglen, const struct nlmsghdr *h,
			 const struct nlmsgerr *e, char *ktext, size_t ktextlen)
{
	struct attr tb[ATTR_SLOTS];
	size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof *e);

	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	/* Unless capped, the kernel echoes our whole request before the TLVs. */
	if (!(h->nlmsg_flags & NLM_F_CAPPED)) {
		if (e->msg.nlmsg_len < NLMSG_HDRLEN || e->msg.nlmsg_len > msglen)
			return;
		off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof *e - sizeof e->msg + e->msg.nlmsg_len);
	}
	if (off >= msglen || parse_attrs(msg + off, msglen - off, tb) < 0)
		return;
	if (tb[EXTACK_ATTR_MSG].data && tb[EXTACK_ATTR_MSG].len)
		str_printable(ktext, ktextlen, tb[EXTACK_ATTR_MSG].data, tb[EXTACK_ATTR_MSG].len);
}

/* Send q and read until the kernel acks or refuses it.  The first message
 * of type want is copied whole into out (*outlen set; 0 if none came).
 * Returns 0 or -errno: the kernel's refusal, with its text in ktext when
 * it gave one, or a local failure to talk to it. */
static int nl_transact(struct nl *nl, struct nl_req *q, uint16_t want,
		       unsigned char *out, size_t outcap, size_t *outlen,
		       char *ktext, size_t ktextlen)
{
	unsigned char buf[NL_RXBUF];
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct nlmsghdr h;
	uint32_t seq = ++nl->seq;
	ssize_t n;

	if (ktextlen)
		ktext[0] = '\0';
	if (outlen)
		*outlen = 0;
	if (q->overflow)
		return -EMSGSIZE;
	memcpy(&h, q->b, sizeof h);
	h.nlmsg_len = (uint32_t)q->len;
	h.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	h.nlmsg_seq = seq;
	h.nlmsg_pid = nl->port;
	memcpy(q->b, &h, sizeof h);

	do
		n = sendto(nl->fd, q->b, q->len, 0, (struct sockaddr *)&kernel, sizeof kernel);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if ((size_t)n != q->len)
		return -EIO;

	for (;;) {
		struct sockaddr_nl from;
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof buf };
		struct msghdr mh = {
			.msg_name = &from, .msg_namelen = sizeof from,
			.msg_iov = &iov, .msg_iovlen = 1,
		};
		const unsigned char *p = buf;
		size_t left;

		n = recvmsg(nl->fd, &mh, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return -ETIMEDOUT;
			return -errno;
		}
		if (mh.msg_flags & MSG_TRUNC)
			return -EMSGSIZE;
		/* Only the kernel (port 0) speaks for the kernel. */
		if (mh.msg_namelen < sizeof from || from.nl_family != AF_NETLINK || from.nl_pid != 0)
			continue;

		left = (size_t)n;
		while (left >= sizeof h) {
			size_t step;

			memcpy(&h, p, sizeof h);
			if (h.nlmsg_len < sizeof h || h.nlmsg_len > left)
				return -EBADMSG;
			if (h.nlmsg_seq != seq || h.nlmsg_pid != nl->port)
				goto next;	/* not the answer to this request */

			if (h.nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr e;

				if (h.nlmsg_len < NLMSG_LENGTH(sizeof e))
					return -EBADMSG;
				memcpy(&e, p + NLMSG_HDRLEN, sizeof e);
				/* 0 is the ack; anything else must be a -errno. */
				if (e.error > 0 || e.error < -4095)
					return -EBADMSG;
				if (e.error)
					parse_extack(p, h.nlmsg_len, &h, &e, ktext, ktextlen);
				return e.error;
			}
			if (h.nlmsg_type == NLMSG_DONE)
				return 0;
			if (h.nlmsg_type == want && out && outlen && !*outlen) {
				if (h.nlmsg_len > outcap)
					return -EMSGSIZE;
				memcpy(out, p, h.nlmsg_len);
				*outlen = h.nlmsg_len;
			}
		next:
			step = NLMSG_ALIGN(h.nlmsg_len);
			if (step > left)
				step = left;
			p += step;
			left -= step;
		}
		if (left)
			return -EBADMSG;
	}
}

/* Ask the kernel how it would send a packet to server right now, from src
 * when it is not 0 (--localbind: source policy routing may pick another
 * path for that address). */
static int route_lookup(struct nl *nl, uint32_t server, uint32_t src, struct route_answer *ans,
			char *ktext, size_t ktextlen)
{
	unsigned char msg[4096];	/* one route message: a few hundred bytes */
	struct rtmsg rtm = {
		.rtm_family = AF_INET,
		.rtm_dst_len = 32,
		.rtm_src_len = src ? 32 : 0,
		/* Without this flag older kernels report table main whatever
		 * table (policy routing) the route really came from. */
		.rtm_flags = RTM_F_LOOKUP_TABLE,
	};
	struct attr tb[ATTR_SLOTS];
	struct nl_req q;
	struct nlmsghdr h;
	size_t len, off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof rtm);
	uint32_t v;
	int ret;

	req_init(&q, RTM_GETROUTE, 0, &rtm);
	req_u32(&q, RTA_DST, server);
	if (src)
		req_u32(&q, RTA_SRC, src);
	ret = nl_transact(nl, &q, RTM_NEWROUTE, msg, sizeof msg, &len, ktext, ktextlen);
	if (ret < 0)
		return ret;
	if (len < off)
		return -EBADMSG;	/* acked, but no (whole) route came back */
	memcpy(&h, msg, sizeof h);
	memcpy(&rtm, msg + NLMSG_HDRLEN, sizeof rtm);
	if (rtm.rtm_family != AF_INET)
		return -EBADMSG;
	ret = parse_attrs(msg + off, h.nlmsg_len - off, tb);
	if (ret < 0)
		return ret;
	/* The answer must be about the address we asked for. */
	if (tb[RTA_DST].data && (!attr_u32(&tb[RTA_DST], &v) || v != server))
		return -EBADMSG;

	memset(ans, 0, sizeof *ans);
	ans->type = rtm.rtm_type;
	ans->table = rtm.rtm_table;
	if (tb[RTA_TABLE].data && !attr_u32(&tb[RTA_TABLE], &ans->table))
		return -EBADMSG;
	if (ans->table == RT_TABLE_UNSPEC)
		ans->table = RT_TABLE_MAIN;
	if (tb[RTA_GATEWAY].data && !attr_u32(&tb[RTA_GATEWAY], &ans->gateway))
		return -EBADMSG;
	ans->via = tb[RTA_VIA].data != NULL;
	if (!tb[RTA_OIF].data)
		ans->oif = 0;
	else if (!attr_u32(&tb[RTA_OIF], &ans->oif))
		return -EBADMSG;
	return 0;
}

/* RTM_NEWROUTE (create) or RTM_DELROUTE for exactly the route r describes. */
static int route_change(struct nl *nl, const struct host_route *r, uint16_t type, uint16_t flags,
			unsigned rtnh_flags, char *ktext, size_t ktextlen)
{
	struct rtmsg rtm = {
		.rtm_family = AF_INET,
		.rtm_dst_len = 32,
		.rtm_table = r->table < 256 ? (unsigned char)r->table : RT_TABLE_UNSPEC,
		.rtm_protocol = HOST_ROUTE_PROTO,
		/* Without a gateway the server is a neighbour on the link. */
		.rtm_scope = r->gateway ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK,
		.rtm_type = RTN_UNICAST,
		.rtm_flags = rtnh_flags,
	};
	struct nl_req q;

	req_init(&q, type, flags, &rtm);
	req_u32(&q, RTA_DST, r->dst);
	if (r->gateway)
		req_u32(&q, RTA_GATEWAY, r->gateway);
	req_u32(&q, RTA_OIF, (uint32_t)r->ifindex);
	req_u32(&q, RTA_TABLE, r->table);
	return nl_transact(nl, &q, 0, NULL, 0, NULL, ktext, ktextlen);
}

/* "via GW dev IF" or "dev IF" for the sentences. */
static void path_str(const struct host_route *r, char *out, size_t cap)
{
	char gw[INET_ADDRSTRLEN];

	if (r->gateway) {
		ip_str(r->gateway, gw);
		snprintf(out, cap, "via %s dev %s", gw, r->ifname);
	} else {
		snprintf(out, cap, "dev %s", r->ifname);
	}
}

/* On return r always describes the outcome, so route_host_remove is safe
 * on it even after a failure.  A server that is one of this machine's own
 * addresses needs no route: then 0 comes back with r->ifindex 0. */
int route_host_add(uint32_t server, uint32_t src, struct host_route *r, char *err, size_t errlen)
{
	struct nl nl = { .fd = -1 };
	struct route_answer ans;
	char dst[INET_ADDRSTRLEN], path[64], ktext[160], note[180];
	int ret;

	memset(r, 0, sizeof *r);
	r->dst = server;
	if (errlen)
		err[0] = '\0';
	ip_str(server, dst);

	ret = nl_open(&nl);
	if (ret < 0) {
		say(err, errlen, "cannot open a routing socket to look up the route to %s: %s",
		    dst, strerror(-ret));
		goto out;
	}

	ret = route_lookup(&nl, server, src, &ans, ktext, sizeof ktext);
	if (ret < 0) {
		kernel_note(note, sizeof note, ktext);
		say(err, errlen, "cannot look up the route to %s: %s%s", dst, strerror(-ret), note);
		goto out;
	}
	/* Packets to ourselves never leave through a device, so no tunnel
	 * route can capture them. */
	if (ans.type == RTN_LOCAL)
		goto out;
	if (ans.type != RTN_UNICAST) {
		ret = -EINVAL;
		say(err, errlen, "cannot pin the route to %s: it is %s (route type %u)",
		    dst, route_type_name(ans.type), ans.type);
		goto out;
	}
	if (ans.via) {
		ret = -EOPNOTSUPP;
		say(err, errlen, "cannot pin the route to %s: its gateway is not an IPv4 address", dst);
		goto out;
	}
	if (ans.oif == 0 || ans.oif > (uint32_t)INT32_MAX) {
		ret = -EBADMSG;
		say(err, errlen, "cannot pin the route to %s: the kernel named no output device", dst);
		goto out;
	}

	r->gateway = ans.gateway;
	r->ifindex = (int)ans.oif;
	r->table = ans.table;
	if (!if_indextoname(ans.oif, r->ifname))
		snprintf(r->ifname, sizeof r->ifname, "#%u", ans.oif);
	path_str(r, path, sizeof path);

	/* NLM_F_EXCL: a /32 to the server already in the table (whatever its
	 * gateway) belongs to someone else, and we must neither replace it
	 * nor delete it at exit. */
	ret = route_change(&nl, r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, 0, ktext, sizeof ktext);
	if (ret < 0 && ret != -EEXIST && r->gateway) {
		/* A gateway outside every subnet of the device (a route added
		 * with "onlink") fails the kernel's gateway check; the lookup
		 * has just shown it is reached directly on that device. */
		char ktext2[sizeof ktext];
		int ret2 = route_change(&nl, r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL,
					RTNH_F_ONLINK, ktext2, sizeof ktext2);
		if (ret2 == 0 || ret2 == -EEXIST)
			ret = ret2;
	}
	if (ret == -EEXIST) {
		ret = 0;
		goto out;
	}
	if (ret < 0) {
		kernel_note(note, sizeof note, ktext);
		say(err, errlen, "cannot add the host route to %s %s: %s%s",
		    dst, path, strerror(-ret), note);
		goto out;
	}
	r->added = true;
out:
	nl_close(&nl);
	return ret;
}

int route_host_remove(struct host_route *r, char *err, size_t errlen)
{
	struct nl nl = { .fd = -1 };
	char dst[INET_ADDRSTRLEN], path[64], ktext[160], note[180];
	int ret;

	if (errlen)
		err[0] = '\0';
	if (!r->added)
		return 0;
	ip_str(r->dst, dst);
	path_str(r, path, sizeof path);

	ret = nl_open(&nl);
	if (ret < 0) {
		say(err, errlen, "cannot open a routing socket to remove the host route to %s %s: %s",
		    dst, path, strerror(-ret));
		goto out;
	}
	ret = route_change(&nl, r, RTM_DELROUTE, 0, 0, ktext, sizeof ktext);
	/* Gone already (deleted by hand, or with its device): the goal is met. */
	if (ret == -ESRCH || ret == -ENODEV)
		ret = 0;
	if (ret < 0) {
		kernel_note(note, sizeof note, ktext);
		say(err, errlen, "cannot remove the host route to %s %s: %s%s",
		    dst, path, strerror(-ret), note);
		goto out;	/* still ours: a later call may try again */
	}
	r->added = false;
out:
	nl_close(&nl);
	return ret;
}

/* ---- the host route, shared ----
 *
 * Every call manager for one server in one network namespace needs the
 * same host route (other options give other call managers): the first adds
 * it, and it must stay until the last has gone.  They share the file
 * PPTP_RUN_DIR/ADDR-nNS.route, with OFD locks (per open file, released when
 * the process dies): each user holds a read lock on byte 1 for as long as it
 * runs; a write lock on byte 0 is held around adding and removing; and
 * whoever can then turn its read lock on byte 1 into a write lock is the
 * last user.  The file describes the route when a call manager added it,
 * and is empty when the route was someone else's. */

static int ofd_lock(int fd, short type, off_t start, bool wait)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = 1 };
	int r;

	while ((r = fcntl(fd, wait ? F_OFD_SETLKW : F_OFD_SETLK, &fl)) < 0 && errno == EINTR)
		;
	return r < 0 ? -errno : 0;
}

/* The lock for runpath_open_locked: byte 0, waiting.  The last user
 * unlinks the file; whoever opened it just before retries. */
static int lock_byte0(int fd)
{
	return ofd_lock(fd, F_WRLCK, 0, true);
}

/* The route the file describes, if any (r->added set then). */
static bool route_share_read(int fd, uint32_t server, struct host_route *r)
{
	char buf[128];
	ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
	unsigned dst, gw, table;
	int ifindex;

	memset(r, 0, sizeof *r);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	if (sscanf(buf, "%x %x %d %u %15s", &dst, &gw, &ifindex, &table, r->ifname) != 5 ||
	    dst != server || ifindex <= 0)
		return false;
	r->dst = dst;
	r->gateway = gw;
	r->ifindex = ifindex;
	r->table = table;
	r->added = true;
	return true;
}

static int route_share_write(int fd, const struct host_route *r)
{
	char buf[128];
	int n = snprintf(buf, sizeof buf, "%08x %08x %d %u %s\n", (unsigned)r->dst,
			 (unsigned)r->gateway, r->ifindex, (unsigned)r->table, r->ifname);

	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)n, 0) != n)
		return -errno;
	return 0;
}

int route_share_acquire(struct route_share *s, uint32_t server, uint32_t src, const char *path,
			char *warn, size_t warnlen, char *err, size_t errlen)
{
	struct host_route shared;
	int fd, e = 0;

	if (warnlen)
		warn[0] = '\0';
	str_copy(s->path, path, sizeof s->path);
	fd = runpath_open_locked(path, lock_byte0);
	/* Byte 1 is only ever write-locked under the lock on byte 0, which we
	 * hold: this fails only when locks do not work at all. */
	if (fd < 0 || (e = ofd_lock(fd, F_RDLCK, 1, false)) < 0) {
		say(warn, warnlen, "cannot lock %s (%s): the host route is not shared with other "
		    "call managers for this server", path, strerror(fd < 0 ? -fd : -e));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	s->fd = fd;
	/* r stays -errno, or 0 (ROUTE_SHARE_NONE) when the route is not ours. */
	int r = route_host_add(server, src, &s->host, err, errlen);
	if (r == 0 && s->host.added) {
		s->pptp = true;
		if (s->fd >= 0 && (e = route_share_write(s->fd, &s->host)) < 0)
			say(warn, warnlen, "cannot record the host route for other call managers: "
			    "%s", strerror(-e));
		r = ROUTE_SHARE_ADDED;
	} else if (r == 0 && s->fd >= 0 && s->host.ifindex &&
		   route_share_read(s->fd, server, &shared)) {
		s->pptp = true;
		r = ROUTE_SHARE_JOINED;
	}
	if (s->fd >= 0)
		ofd_lock(s->fd, F_UNLCK, 0, false);
	return r;
}

int route_share_release(struct route_share *s, char *err, size_t errlen)
{
	struct host_route shared;
	int r = ROUTE_SHARE_NONE;

	if (errlen)
		err[0] = '\0';
	if (s->fd < 0)
		return s->host.added ? route_host_remove(&s->host, err, errlen) : ROUTE_SHARE_NONE;
	int e = ofd_lock(s->fd, F_WRLCK, 0, true);
	if (e < 0) {
		say(err, errlen, "cannot lock the shared host route file: %s; leaving the route",
		    strerror(-e));
		r = e;
	} else if (ofd_lock(s->fd, F_WRLCK, 1, false) < 0) {
		if (s->pptp)
			r = ROUTE_SHARE_KEPT;
	} else {
		if (route_share_read(s->fd, s->host.dst, &shared)) {
			r = route_host_remove(&shared, err, errlen);
			if (r == 0)
				r = ROUTE_SHARE_REMOVED;
		}
		unlink(s->path);
	}
	close(s->fd);
	s->fd = -1;
	s->host.added = false;
	return r;
}
