/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sockutil.c - --localbind and --rtmark on our sockets; connect errors in
 * words; the server's name resolved. */
#include "sockutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int sock_bind_mark(int fd, const struct pptp_options *o, char *err, size_t errlen)
{
	if (o->have_rtmark &&
	    setsockopt(fd, SOL_SOCKET, SO_MARK, &o->rtmark, sizeof o->rtmark) < 0) {
		int e = errno;
		snprintf(err, errlen, "--rtmark %u: cannot mark the socket: %s%s", o->rtmark,
			 strerror(e), e == EPERM ? " (needs root or CAP_NET_ADMIN)" : "");
		return -e;
	}
	if (o->have_localbind) {
		struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = o->localbind };
		if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
			int e = errno;
			char a[INET_ADDRSTRLEN];
			inet_ntop(AF_INET, &sa.sin_addr, a, sizeof a);
			snprintf(err, errlen, "--localbind %s: cannot bind: %s%s", a, strerror(e),
				 e == EADDRNOTAVAIL ? " (not an address of this machine)" : "");
			return -e;
		}
	}
	return 0;
}

/* Each connect() error that means the server cannot be reached, in the
 * words of each place that tells it: a short word for a --diagnose step,
 * a sentence for the log and the verdict, the advice of --diagnose.  In
 * the texts, {a} stands for the server's address, {t} for the timeout in
 * seconds, {e} for strerror. */
static const struct connect_error {
	int err;
	const char *word, *sentence, *advice;
} connect_errors[] = {
	/* A reset, or an ICMP port unreachable: both are also what a
	 * firewall's reject rule sends by default. */
	{ ECONNREFUSED, "refused",
	  "connection refused by {a}: nothing accepts PPTP on TCP port 1723 there, or a firewall "
	  "rejects it (is it a PPTP server, is its PPTP service running, does a firewall allow "
	  "port 1723?)",
	  "{a} answered, but the connection to TCP port 1723 was refused. Either the PPTP "
	  "service is not running on the server (Routing and Remote Access on Windows, pptpd on "
	  "Linux, the VPN server setting of a router), or {a} is not the VPN server's address, "
	  "or the server sits behind a NAT router that does not forward TCP port 1723 (and GRE) "
	  "to it, or a firewall at the server or on the way rejects the connection (a reject "
	  "rule answers just as a closed port does): its rules must allow TCP port 1723." },
	{ CONNECT_ERR_PROHIBITED, "rejected by a firewall (ICMP administratively prohibited)",
	  "connection to {a} rejected by a firewall: an ICMP 'administratively prohibited' came "
	  "back for TCP port 1723",
	  "A firewall answered our connection to TCP port 1723 of {a} with an ICMP "
	  "'communication administratively prohibited': it refuses PPTP on purpose. It is at "
	  "the server or on a router on the way; the source of that ICMP ('tcpdump -ni any "
	  "icmp' while this runs) says which. Its rules must allow TCP port 1723 and GRE (IP "
	  "protocol 47) between this machine and the server." },
	{ ETIMEDOUT, "no answer",
	  "no answer from {a} on TCP port 1723 within {t} s: the server is down, or a firewall "
	  "drops PPTP's control connection",
	  "Nothing came back from {a} within {t} s, not even a refusal. The server may be down, "
	  "or a firewall silently drops TCP port 1723: on this machine (see 'nft list ruleset' "
	  "or 'iptables -S OUTPUT'), on a router on the way, or in front of the server. Trying "
	  "from another network tells which side it is; 'nc -vz {a} 1723' repeats this test. A "
	  "slow link may need a longer --connect-timeout." },
	{ ENETUNREACH, "network unreachable",
	  "network unreachable: this machine has no route to {a} (check its network connection "
	  "and routes)",
	  "This machine has no route to {a}. Check that it is online and has a default route: "
	  "'ip route get {a}' shows the route it would use. If a VPN is already up, its routes "
	  "may be hiding the way to the server." },
	{ EHOSTUNREACH, "host unreachable",
	  "host unreachable: {a} does not answer on the local network, or a router reported it "
	  "unreachable (is the address right?)",
	  "Either {a} is on a network this machine reaches directly and no machine answers there "
	  "with that address, or a router on the way reported it unreachable. Check the address; "
	  "'ip route get {a}' shows the way out." },
	{ EACCES, "blocked by a local firewall rule",
	  "connecting to {a} is not permitted: a local firewall rule blocks it",
	  "A firewall rule on this machine rejects connections to TCP port 1723 of {a}. List the "
	  "rules with 'nft list ruleset' or 'iptables -S OUTPUT' and allow it." },
	{ EPERM, "blocked by a local firewall rule",
	  "connecting to {a} is not permitted: a local firewall rule blocks it",
	  "A firewall rule on this machine rejects connections to TCP port 1723 of {a}. List the "
	  "rules with 'nft list ruleset' or 'iptables -S OUTPUT' and allow it." },
};

/* Any other errno: a local or unexpected failure. */
static const struct connect_error connect_other = {
	0, "{e}", "cannot connect to {a}: {e}",
	"The connection to {a} failed: {e}. Check this machine's network connection and the "
	"address.",
};

static const struct connect_error *connect_error_find(int err)
{
	for (size_t i = 0; i < sizeof connect_errors / sizeof connect_errors[0]; i++)
		if (connect_errors[i].err == err)
			return &connect_errors[i];
	return NULL;
}

/* tmpl with {a}, {t} and {e} filled in. */
static void connect_text(const char *tmpl, int err, const char *server, unsigned timeout_s,
			 char *buf, size_t cap)
{
	size_t n = 0;

	if (!cap)
		return;
	for (const char *p = tmpl; *p && n + 1 < cap; p++) {
		char num[16];
		const char *fill = NULL;
		if (p[0] == '{' && p[1] && p[2] == '}') {
			if (p[1] == 'a')
				fill = server;
			else if (p[1] == 'e')
				fill = strerror(err);
			else if (p[1] == 't') {
				snprintf(num, sizeof num, "%u", timeout_s);
				fill = num;
			}
		}
		if (!fill) {
			buf[n++] = *p;
			continue;
		}
		int w = snprintf(buf + n, cap - n, "%s", fill);
		n = w < 0 ? n : (size_t)w >= cap - n ? cap - 1 : n + (size_t)w;
		p += 2;
	}
	buf[n] = '\0';
}

static const struct connect_error *connect_error_entry(int err)
{
	const struct connect_error *e = connect_error_find(err);
	return e ? e : &connect_other;
}

void connect_error_words(int err, const char *s, int timeout_s, char *buf, size_t cap)
{
	connect_text(connect_error_entry(err)->sentence, err, s, (unsigned)timeout_s, buf, cap);
}

void connect_error_short(int err, char *buf, size_t cap)
{
	connect_text(connect_error_entry(err)->word, err, "", 0, buf, cap);
}

void connect_error_advice(int err, const char *s, unsigned timeout_s, char *buf, size_t cap)
{
	connect_text(connect_error_entry(err)->advice, err, s, timeout_s, buf, cap);
}

void sock_want_icmp(int fd)
{
	int one = 1;

	setsockopt(fd, IPPROTO_IP, IP_RECVERR, &one, sizeof one);
}

int connect_error_refine(int fd, int err)
{
	char cbuf[512];
	struct msghdr m = { .msg_control = cbuf, .msg_controllen = sizeof cbuf };

	if (err != EHOSTUNREACH && err != ENETUNREACH)
		return err;
	if (recvmsg(fd, &m, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
		return err;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		if (c->cmsg_level != IPPROTO_IP || c->cmsg_type != IP_RECVERR)
			continue;
		struct sock_extended_err ee;
		memcpy(&ee, CMSG_DATA(c), sizeof ee);
		/* Network, host, or communication administratively prohibited
		 * (RFC 1122, RFC 1812): a filter's answer, not a routing one. */
		if (ee.ee_origin == SO_EE_ORIGIN_ICMP && ee.ee_type == ICMP_DEST_UNREACH &&
		    (ee.ee_code == ICMP_NET_ANO || ee.ee_code == ICMP_HOST_ANO ||
		     ee.ee_code == ICMP_PKT_FILTERED))
			return CONNECT_ERR_PROHIBITED;
	}
	return err;
}

int connect_error_is_reachability(int err)
{
	return connect_error_find(err) != NULL;
}

int resolve_ipv4(const char *name, uint32_t *addrs, int max, int *gai, char *why, size_t whylen)
{
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL;
	int r = getaddrinfo(name, NULL, &hints, &res), n = 0;

	*gai = r;
	if (r) {
		snprintf(why, whylen, "%s", r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r));
		return -1;
	}
	for (struct addrinfo *ai = res; ai && n < max; ai = ai->ai_next) {
		uint32_t a = ((struct sockaddr_in *)ai->ai_addr)->sin_addr.s_addr;
		int k;
		for (k = 0; k < n && addrs[k] != a; k++)
			;
		if (k == n)
			addrs[n++] = a;
	}
	freeaddrinfo(res);
	return n;
}

void addr_list_str(const uint32_t *addrs, int n, char *buf, size_t cap)
{
	char a[INET_ADDRSTRLEN];

	if (cap)
		buf[0] = '\0';
	for (int i = 0; i < n; i++) {
		inet_ntop(AF_INET, &addrs[i], a, sizeof a);
		if (i)
			strncat(buf, ", ", cap - strlen(buf) - 1);
		strncat(buf, a, cap - strlen(buf) - 1);
	}
}

int gre_socket_open(const struct pptp_options *o, uint32_t server, bool *unreachable, char *err,
		    size_t errlen)
{
	int fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_GRE);

	*unreachable = false;
	if (fd < 0) {
		int e = errno;
		snprintf(err, errlen, "cannot open the raw GRE socket: %s%s", strerror(e),
			 e == EPERM || e == EACCES ? " (pptp needs root)" : "");
		return -e;
	}
	int r = sock_bind_mark(fd, o, err, errlen);
	if (r < 0) {
		close(fd);
		return r;
	}
	/* A burst from the server must not overflow the socket while we are
	 * busy writing to pppd. */
	int rcv = 1 << 20;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof rcv) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = server };
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		int e = errno;
		char a[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, &sa.sin_addr, a, sizeof a);
		connect_error_words(e, a, 0, err, errlen);
		*unreachable = connect_error_is_reachability(e);
		close(fd);
		return -e;
	}
	return fd;
}

unsigned sock_path_mtu(int fd)
{
	int mtu = 0;
	socklen_t len = sizeof mtu;

	if (getsockopt(fd, IPPROTO_IP, IP_MTU, &mtu, &len) < 0 || mtu < 0)
		return 0;
	return (unsigned)mtu;
}
