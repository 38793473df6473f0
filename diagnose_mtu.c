/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diagnose_mtu.c - --diagnose's path MTU step (see diagnose_mtu.h). */
#include "diagnose_mtu.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "lcp_probe.h"
#include "sockutil.h"
#include "util.h"

/* How long one probe waits for its answer, and how often a size is sent
 * before it counts as lost: a server's PPP answers in milliseconds, and
 * one lost packet must not pass for a limit of the path. */
#define DIAG_MTU_WAIT_US 500000ull
#define DIAG_MTU_TRIES 2

/* Answered: by the server's PPP, or sent straight back by a server that
 * echoes (it crossed both ways all the same). */
void diag_mtu_frame(struct diag_mtu *m, const uint8_t *p, size_t n)
{
	if (lcp_answer_id(p, n) == m->id || (n == m->len && !memcmp(p, m->frame, n)))
		m->answered = true;
}

/* One size: sent (again when the first send only collected an ICMP error
 * the kernel held for the socket) and waited for.  False when the link
 * ended. */
static bool try_size(struct diag_mtu *m, const struct diag_link *l)
{
	size_t n = m->len = mtu_probe_build(m->frame, sizeof m->frame, m->s.cur, m->id);
	int h = l->send(l->ctx, m->frame, n);

	if (h == -EMSGSIZE)
		h = l->send(l->ctx, m->frame, n);
	if (h == -EMSGSIZE) {
		mtu_search_note(&m->s, MTU_REFUSED);
		return true;
	}
	if (h > 0) {
		m->hdr = (unsigned)h;
		m->sent++;
	}
	/* Another send failure is a loss like any other. */
	uint64_t deadline = now_us() + DIAG_MTU_WAIT_US;
	while (!m->answered && now_us() < deadline)
		if (!l->wait(l->ctx, deadline))
			return false;
	mtu_search_note(&m->s, m->answered ? MTU_CROSSED : MTU_LOST);
	return true;
}

/* The IP packet our largest answered probe made. */
static unsigned path_of(const struct diag_mtu *m)
{
	return MTU_IP_HDR + m->hdr + m->s.lo;
}

/* A path below what pppd's smallest mtu needs: no option fits, so the
 * verdict names no fix (a link that small, or a server's PPP that drops
 * larger LCP packets, needs looking at, not tuning). */
static void too_small(unsigned path, enum mtu_verdict v, struct diag_mtu_out *o)
{
	unsigned least = MTU_PPP_MIN + mtu_overhead();

	snprintf(o->detail, sizeof o->detail, "      pppd's smallest mtu (%u) needs %u-byte "
		 "packets: no pppd setting fits this path\n", MTU_PPP_MIN, least);
	if (v != MTU_BLACK_HOLE)
		return;
	snprintf(o->verdict, sizeof o->verdict, "nothing larger than %u bytes crosses to the "
		 "server and back: less than any PPP frame pppd can be set to needs (%u)",
		 path, least);
	snprintf(o->advice, sizeof o->advice, "No mtu setting fits a path this small. See "
		 "whether plain packets of the size cross (ping -M do -s SIZE SERVER, SIZE "
		 "being the IP size less 28), and ask the server's administrator whether its "
		 "PPP drops large LCP packets.");
}

static void describe(const struct diag_mtu *m, enum mtu_verdict v, struct diag_mtu_out *o)
{
	unsigned path = path_of(m), need = MTU_PPP_DEFAULT + mtu_overhead();
	char fix[40];

	mtu_advice(path, fix, sizeof fix);
	if (v == MTU_UNMEASURED) {
		snprintf(o->line, sizeof o->line, "not measured: the server's PPP answered none of "
			 "our %u padded LCP Configure-Requests", m->sent);
		snprintf(o->detail, sizeof o->detail, "      (a PPP that ignores unknown options "
			 "says nothing about the path; GRE itself works, see above)\n");
		return;
	}
	if (v == MTU_FULL) {
		snprintf(o->line, sizeof o->line, "%u-byte packets cross both ways (a %u-byte PPP "
			 "frame, the largest probe, and its answer): pppd's default frames fit",
			 path, m->s.lo);
		return;
	}
	snprintf(o->line, sizeof o->line, "%u-byte packets cross both ways (a %u-byte PPP frame "
		 "and its answer), larger ones %s", path, m->s.lo,
		 v == MTU_KNOWN ? "only in fragments" : "do not");
	if (!fix[0]) {
		too_small(path, v, o);
		return;
	}
	int k = snprintf(o->detail, sizeof o->detail, "      pppd's default mtu of %u needs "
			 "%u-byte packets (IP 20, GRE 16 and PPP 4 bytes on top)\n",
			 MTU_PPP_DEFAULT, need);
	char *d = o->detail + k;
	size_t cap = sizeof o->detail - (size_t)k;
	if (v == MTU_KNOWN) {
		char why[120];
		if (m->kernel_after < m->kernel_before)
			snprintf(why, sizeof why, "the path says so: an ICMP fragmentation-needed "
				 "taught the kernel a path MTU of %u", m->kernel_after);
		else if (m->s.hi_refused)
			snprintf(why, sizeof why, "this machine's route to the server takes "
				 "%u-byte packets", m->kernel_after);
		else
			snprintf(why, sizeof why, "the kernel knows it: its path MTU to the server "
				 "is %u", m->kernel_after);
		snprintf(d, cap, "      %s, so larger GRE leaves in fragments, which cross; "
			 "pppd's '%s' avoids the fragmenting\n", why, fix);
	} else {
		snprintf(d, cap, "      nothing says so: no ICMP fragmentation-needed came back, the "
			 "kernel still takes %u-byte packets to pass, and GRE of %u to %u bytes "
			 "vanishes (an MTU black hole)\n", m->kernel_after, path + 1, m->kernel_after);
		snprintf(o->verdict, sizeof o->verdict, "the path to the server drops packets larger "
			 "than %u bytes without a word (an MTU black hole): the tunnel comes up, "
			 "then freezes on large packets; pppd needs '%s'", path, fix);
		snprintf(o->advice, sizeof o->advice, "Small packets cross (pings, DNS, the tunnel's "
			 "negotiation) and large ones vanish: a router between here and the server "
			 "has a smaller MTU, and the ICMP fragmentation-needed that would say so "
			 "is filtered on the way.\n"
			 "On this side: add '%s' to pppd's options for this tunnel (its peers "
			 "file, or after the server's name on the pppd command line); %u is %u "
			 "less IP 20, GRE 16 and PPP 4 bytes (with MPPE, pppd makes room for its 4 "
			 "bytes itself), and mru keeps the server's frames within the same size.\n"
			 "On the server's side: set the same mtu and mru in its pppd options, or "
			 "clamp TCP's MSS to a fixed %u (iptables -t mangle -A FORWARD -p tcp "
			 "--tcp-flags SYN,RST SYN -j TCPMSS --set-mss %u; nftables: 'tcp flags syn "
			 "tcp option maxseg size set %u'); clamping to the route's MTU "
			 "(--clamp-mss-to-pmtu) does not help, because the server's route into "
			 "the tunnel is its ppp interface, which still takes full frames. Or let "
			 "ICMP fragmentation-needed (type 3 code 4) through the firewall that "
			 "drops it.", fix, mtu_pppd_for_path(path), path, mtu_mss_for_path(path),
			 mtu_mss_for_path(path), mtu_mss_for_path(path));
	}
}

enum diag_mtu_result diag_mtu_run(struct diag_mtu *m, const struct diag_link *l,
				  struct diag_mtu_out *out)
{
	/* Every probe leaves whole with DF set, whatever the kernel has learnt
	 * about the path: the search measures the path, not the kernel. */
	int probe = IP_PMTUDISC_PROBE;

	memset(out, 0, sizeof *out);
	if (setsockopt(l->fd, IPPROTO_IP, IP_MTU_DISCOVER, &probe, sizeof probe) < 0) {
		snprintf(out->line, sizeof out->line, "not measured: %s", strerror(errno));
		return DIAG_MTU_PASS;
	}
	m->kernel_before = sock_path_mtu(l->fd);
	mtu_search_init(&m->s, MTU_PROBE_MIN, MTU_PROBE_MAX, DIAG_MTU_TRIES);
	while (m->s.cur) {
		if (!m->s.tries) {
			m->id++;
			m->answered = false;
		}
		if (!try_size(m, l))
			return DIAG_MTU_ENDED;
	}
	m->kernel_after = sock_path_mtu(l->fd);
	enum mtu_verdict v = mtu_judge(&m->s, m->hdr, m->kernel_after);
	describe(m, v, out);
	return v == MTU_BLACK_HOLE ? DIAG_MTU_FAIL : DIAG_MTU_PASS;
}
