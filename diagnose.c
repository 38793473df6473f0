/* diagnose.c - pptp --diagnose SERVER: the diagnosis fault tree, run layer
 * by layer by the program itself, for a person at a terminal.
 *
 *   [1/6] name resolution        every IPv4 address of the name
 *   [2/6] TCP to port 1723       } per address, in order, until one passes
 *   [3/6] control connection     }   both (SCCRQ/SCCRP)
 *   [4/6] outgoing call          OCRQ/OCRP
 *   [5/6] GRE both ways          an LCP Configure-Request inside GRE; any
 *                                GRE back from the server for our call
 *   [6/6] teardown               Call-Clear-Request, Stop-Control-Connection
 *
 * One process, no call manager, no pppd: the control engine (pptp_ctrl.c)
 * runs over a nonblocking TCP socket in a small poll loop of its own, and
 * the GRE probe uses the same raw socket set-up as the gateway.  Results go
 * to stdout; the log stays quiet unless --debug. */
#include "diagnose.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gre_engine.h"
#include "lcp_probe.h"
#include "pptp_ctrl.h"
#include "pptp_gre.h"
#include "sockutil.h"
#include "util.h"

#define DIAG_MAX_ADDRS 16
/* How long we wait for GRE from the server once the call is up.  A server
 * starts its pppd when the call connects, and pppd sends its first LCP
 * Configure-Request at once; five seconds is ample even for a slow one. */
#define DIAG_GRE_WAIT_US (5 * 1000000ull)
/* Our Configure-Request is repeated this often meanwhile, so that one lost
 * packet (a NAT still setting up its state) cannot fake a verdict. */
#define DIAG_LCP_RESEND_US (1000000ull)
/* After the first GRE from the server, how long we wait for a sign that
 * ours reach it too (an acknowledgment, or its PPP answering). */
#define DIAG_PROOF_WAIT_US (1000000ull)
/* Teardown after a failure: polite, but not worth a long wait. */
#define DIAG_QUIET_TEARDOWN_US (3 * 1000000ull)
/* Step 6 lets the engine's own timers (CDN, Stop reply) run out first. */
#define DIAG_TEARDOWN_US ((uint64_t)(PPTP_CDN_TIMEOUT_MS + PPTP_STOPCCRP_TIMEOUT_MS + 1000) * 1000u)
#define DIAG_WIDTH 78
#define LCP_PROTO 0xC021
#define LCP_CONFREQ_LEN 14

static volatile sig_atomic_t g_interrupted;

static void on_signal(int sig) { g_interrupted = sig; }

/* What the GRE probe saw. */
struct gre_probe {
	uint16_t call_id;	/* ours: the server puts it in its GRE */
	uint16_t peer_call_id;	/* the server's: we put it in ours */
	uint8_t frame[LCP_CONFREQ_LEN];
	uint8_t lcp_id;
	uint32_t tx_seq;	/* next sequence number: how many were sent */
	int send_errno;		/* the last send failure */
	uint64_t first_sent_us, first_rx_us;
	unsigned rx;		/* well-formed GRE for our call */
	bool proof;		/* something shows ours reach the server */
	char first_what[120], proof_what[160];
};

struct diag {
	const struct pptp_options *o;
	bool split_lines;	/* print a step's start before waiting for its end */
	char step[200];		/* the step line started but not yet finished */
	char hostname[PPTP_STR_LEN + 1];
	uint32_t addr;		/* network order */
	char addr_str[INET_ADDRSTRLEN];
	int tcp_fd, gre_fd;
	bool started;		/* the engine runs on tcp_fd */
	int call;		/* engine call handle, -1 when none */
	struct pptp_conn conn;
	struct gre_probe probe;
	sigset_t run_mask;	/* the mask to wait with (signals unblocked) */
	/* The deepest failure among the addresses tried (steps 2 and 3). */
	int fail_exit;
	char fail_verdict[400];
	char fail_advice[2000];
	uint8_t rxbuf[65536];
};

/* ---- output ---- */

static void step_begin(struct diag *d, const char *fmt, ...) PPTP_PRINTF(2, 3);
static void step_begin(struct diag *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->step, sizeof d->step, fmt, ap);
	va_end(ap);
	if (d->split_lines) {
		fputs(d->step, stdout);
		fflush(stdout);
	}
}

static void step_end(struct diag *d, const char *fmt, ...) PPTP_PRINTF(2, 3);
static void step_end(struct diag *d, const char *fmt, ...)
{
	va_list ap;

	if (!d->split_lines)
		fputs(d->step, stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	d->step[0] = 0;
}

/* Print text wrapped to DIAG_WIDTH columns, indented by two.  Paragraphs
 * are separated by '\n'; one starting with "- " is a bullet with a hanging
 * indent.  Lines never break inside '...' so that a command stays whole. */
static void print_wrapped(const char *text)
{
	const char *p = text;

	while (*p) {
		const char *end = strchr(p, '\n');
		size_t plen = end ? (size_t)(end - p) : strlen(p);
		bool bullet = plen >= 2 && p[0] == '-' && p[1] == ' ';
		const char *first = bullet ? "  - " : "  ", *cont = bullet ? "    " : "  ";
		size_t i = bullet ? 2 : 0, col = 0;

		fputs(first, stdout);
		col = strlen(first);
		bool line_empty = true;
		while (i < plen) {
			while (i < plen && p[i] == ' ')
				i++;
			if (i >= plen)
				break;
			/* One word: up to a space outside quotes. */
			size_t j = i;
			bool quoted = false;
			while (j < plen && (quoted || p[j] != ' ')) {
				/* A quote opens at the start of a word and closes
				 * before a non-letter: "server's" is no quote. */
				if (p[j] == '\'' && !quoted && (j == i || p[j - 1] == '('))
					quoted = true;
				else if (p[j] == '\'' && quoted &&
					 (j + 1 == plen || !isalnum((unsigned char)p[j + 1])))
					quoted = false;
				j++;
			}
			size_t w = j - i;
			if (!line_empty && col + 1 + w > DIAG_WIDTH) {
				printf("\n%s", cont);
				col = strlen(cont);
				line_empty = true;
			}
			if (!line_empty) {
				putchar(' ');
				col++;
			}
			fwrite(p + i, 1, w, stdout);
			col += w;
			line_empty = false;
			i = j;
		}
		putchar('\n');
		p += plen;
		if (*p == '\n')
			p++;
	}
	fflush(stdout);
}

static void verdict(const char *line, const char *heading, const char *advice)
{
	printf("verdict: %s\n", line);
	if (advice && *advice) {
		printf("%s\n", heading);
		print_wrapped(advice);
	}
	fflush(stdout);
}

static unsigned long ms_since(uint64_t t0, uint64_t t1)
{
	return t1 > t0 ? (unsigned long)((t1 - t0 + 500) / 1000) : 0;
}

/* Keep the failure of the deepest layer reached (exit statuses 4 < 5 order
 * the layers); among equals, the first address's. */
static void note_failure(struct diag *d, int exit_code, const char *verdict_text,
			 const char *advice)
{
	if (d->fail_exit && exit_code <= d->fail_exit)
		return;
	d->fail_exit = exit_code;
	str_copy(d->fail_verdict, verdict_text, sizeof d->fail_verdict);
	str_copy(d->fail_advice, advice, sizeof d->fail_advice);
}

/* The words after an engine text's first ": " ("server refused the call:
 * busy" gives "busy"). */
static const char *after_prefix(const char *text)
{
	const char *c = strstr(text, ": ");
	return c ? c + 2 : text;
}

/* ---- step 1: the name ---- */

static const char *gai_words(int r)
{
	return r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r);
}

static bool name_has_ipv6(const char *name)
{
	struct addrinfo hints = { .ai_family = AF_INET6, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL;

	if (getaddrinfo(name, NULL, &hints, &res) != 0)
		return false;
	freeaddrinfo(res);
	return true;
}

/* Every IPv4 address of the name, in the resolver's order, without
 * duplicates.  Returns how many, or -1 with the verdict printed. */
static int step_resolve(struct diag *d, uint32_t *addrs, int max)
{
	const char *name = d->o->server;
	struct in_addr lit;
	char buf[DIAG_MAX_ADDRS * (INET_ADDRSTRLEN + 2)] = "";

	if (inet_pton(AF_INET, name, &lit) == 1) {
		addrs[0] = lit.s_addr;
		step_begin(d, "[1/6] server address: ");
		step_end(d, "%s (an address: nothing to resolve)", name);
		return 1;
	}
	step_begin(d, "[1/6] resolving %s: ", name);
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL;
	int r = getaddrinfo(name, NULL, &hints, &res);
	if (r) {
		char v[300], advice[1200];
		bool v6 = (r == EAI_NONAME || r == EAI_NODATA || r == EAI_ADDRFAMILY) &&
			  name_has_ipv6(name);
		step_end(d, "%s", v6 ? "no IPv4 address (it has IPv6 addresses only)" : gai_words(r));
		if (v6) {
			snprintf(v, sizeof v, "the name %s does not resolve to an IPv4 address", name);
			snprintf(advice, sizeof advice, "%s has IPv6 addresses only, and PPTP is "
				 "spoken over IPv4 (by pptp and by nearly every PPTP server). Use "
				 "the server's IPv4 address, or a name that has one.", name);
		} else if (r == EAI_AGAIN) {
			snprintf(v, sizeof v, "the name %s does not resolve: no answer from the "
				 "name servers", name);
			snprintf(advice, sizeof advice, "The name servers of this machine did not "
				 "answer. Check the network connection and the 'nameserver' lines "
				 "of /etc/resolv.conf, try again, or give the server's IPv4 address "
				 "instead of its name.");
		} else {
			snprintf(v, sizeof v, "the name %s does not resolve: %s", name, gai_words(r));
			snprintf(advice, sizeof advice, "No IPv4 address is known for %s. Check "
				 "the spelling ('getent ahostsv4 %s' repeats this test). A name that "
				 "only exists inside the remote network cannot be used to reach it: "
				 "use the public name or address of the VPN server.", name, name);
		}
		verdict(v, "what to do:", advice);
		return -1;
	}
	int n = 0;
	size_t len = 0;
	for (struct addrinfo *ai = res; ai && n < max; ai = ai->ai_next) {
		uint32_t a = ((struct sockaddr_in *)ai->ai_addr)->sin_addr.s_addr;
		bool dup = false;
		for (int i = 0; i < n; i++)
			dup |= addrs[i] == a;
		if (dup)
			continue;
		addrs[n++] = a;
		char as[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, &a, as, sizeof as);
		int w = snprintf(buf + len, sizeof buf - len, "%s%s", len ? ", " : "", as);
		if (w > 0 && (size_t)w < sizeof buf - len)
			len += (size_t)w;
	}
	freeaddrinfo(res);
	step_end(d, "%s", buf);
	return n;
}

/* ---- the poll loop around the control engine ---- */

enum wait_result { W_EVENT, W_GRE, W_TIMEOUT, W_INTERRUPTED, W_ERROR };

static void tcp_flush(struct diag *d, uint64_t now)
{
	if (d->tcp_fd >= 0)
		conn_socket_flush(&d->conn, d->tcp_fd, now);
}


/* Read what the GRE socket holds.  True when a well-formed packet for our
 * call arrived; anything else (other calls, other tunnels to the same
 * server, malformed packets) is ignored. */
static bool gre_read(struct diag *d, uint64_t now)
{
	struct gre_probe *pr = &d->probe;
	bool got = false;

	for (int rounds = 0; rounds < 64; rounds++) {
		ssize_t n = recv(d->gre_fd, d->rxbuf, sizeof d->rxbuf, MSG_DONTWAIT);
		if (n < 0)
			break;
		uint32_t src;
		size_t off = ip4_gre_offset(d->rxbuf, (size_t)n, &src);
		if (!off || src != d->addr)
			continue;
		struct gre_hdr h;
		const uint8_t *payload;
		if (gre_decode(d->rxbuf + off, (size_t)n - off, &h, &payload) != GRE_DEC_OK ||
		    h.call_id != pr->call_id || (h.payload_len && !h.has_seq))
			continue;
		char what[120];
		bool answers = lcp_probe_describe(payload, h.payload_len, pr->frame, sizeof pr->frame,
						  pr->lcp_id, what, sizeof what);
		if (!pr->rx++) {
			pr->first_rx_us = now;
			str_copy(pr->first_what, what, sizeof pr->first_what);
		}
		if (!pr->proof && h.has_ack && pr->tx_seq && h.ack < pr->tx_seq) {
			pr->proof = true;
			snprintf(pr->proof_what, sizeof pr->proof_what,
				 "the server acknowledged our GRE");
		}
		if (!pr->proof && answers) {
			pr->proof = true;
			snprintf(pr->proof_what, sizeof pr->proof_what, "the server sent back %s",
				 what);
		}
		got = true;
	}
	return got;
}

/* Run the control connection (and watch the GRE socket when the probe is
 * on) until an engine event, a GRE packet for our call, the deadline, or
 * a signal. */
static enum wait_result pump(struct diag *d, uint64_t deadline, bool watch_gre,
			     struct pptp_event *ev)
{
	for (;;) {
		uint64_t now = now_us();
		tcp_flush(d, now);
		if (pptp_conn_poll_event(&d->conn, ev))
			return W_EVENT;
		if (g_interrupted)
			return W_INTERRUPTED;
		if (now >= deadline)
			return W_TIMEOUT;

		struct pollfd pfd[2];
		nfds_t n = 0;
		const uint8_t *pending;
		int tcp_at = -1, gre_at = -1;
		if (d->tcp_fd >= 0 && !pptp_conn_is_closed(&d->conn)) {
			tcp_at = (int)n;
			pfd[n++] = (struct pollfd){ .fd = d->tcp_fd, .events = (short)(POLLIN |
				(pptp_conn_pending(&d->conn, &pending) ? POLLOUT : 0)) };
		}
		if (watch_gre && d->gre_fd >= 0) {
			gre_at = (int)n;
			pfd[n++] = (struct pollfd){ .fd = d->gre_fd, .events = POLLIN };
		}
		uint64_t until = deadline;
		if (!pptp_conn_is_closed(&d->conn)) {
			uint64_t t = pptp_conn_next_timeout(&d->conn);
			if (t < until)
				until = t;
		}
		uint64_t wait = until > now ? until - now : 0;
		struct timespec ts = { .tv_sec = (time_t)(wait / 1000000u),
				       .tv_nsec = (long)(wait % 1000000u) * 1000 };
		if (ppoll(pfd, n, &ts, &d->run_mask) < 0) {
			if (errno == EINTR)
				continue;
			return W_ERROR;
		}
		now = now_us();
		if (tcp_at >= 0 && (pfd[tcp_at].revents & (POLLIN | POLLHUP | POLLERR)))
			conn_socket_read(&d->conn, d->tcp_fd, now);
		bool got_gre = gre_at >= 0 && (pfd[gre_at].revents & POLLIN) && gre_read(d, now);
		if (!pptp_conn_is_closed(&d->conn))
			pptp_conn_tick(&d->conn, now);
		tcp_flush(d, now);
		if (got_gre)
			return W_GRE;
	}
}

/* End whatever is still open on the server, briefly and without a word:
 * after a failure the verdict is what matters. */
static void quiet_teardown(struct diag *d)
{
	struct pptp_event ev;

	if (d->started && !pptp_conn_is_closed(&d->conn)) {
		uint64_t end = now_us() + DIAG_QUIET_TEARDOWN_US;
		pptp_conn_stop(&d->conn, now_us());
		while (!pptp_conn_is_closed(&d->conn)) {
			enum wait_result w = pump(d, end, false, &ev);
			if (w != W_EVENT && w != W_GRE)
				break;
		}
		tcp_flush(d, now_us());
	}
	d->started = false;
	d->call = -1;
	if (d->tcp_fd >= 0)
		close(d->tcp_fd);
	d->tcp_fd = -1;
	if (d->gre_fd >= 0)
		close(d->gre_fd);
	d->gre_fd = -1;
}

static int interrupted(struct diag *d)
{
	if (d->step[0])
		step_end(d, "interrupted");
	quiet_teardown(d);
	printf("verdict: interrupted (signal %s) before the diagnosis was complete\n",
	       sigabbrev_np(g_interrupted) ? sigabbrev_np(g_interrupted) : "?");
	return PPTP_EXIT_FAILURE;
}

static int local_failure(struct diag *d, const char *what)
{
	char v[400];

	if (d->step[0])
		step_end(d, "cannot test");
	quiet_teardown(d);
	snprintf(v, sizeof v, "a problem on this machine stopped the diagnosis: %s", what);
	verdict(v, NULL, NULL);
	return PPTP_EXIT_FAILURE;
}

/* ---- step 2: TCP to port 1723 ---- */

/* Returns 0 when connected, a positive errno when the server cannot be
 * reached (or the deadline passed: ETIMEDOUT), -1 for a local failure
 * (err says why). */
static int tcp_connect(struct diag *d, uint64_t deadline, char *err, size_t errlen)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(PPTP_PORT),
				  .sin_addr.s_addr = d->addr };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		snprintf(err, errlen, "cannot create a TCP socket: %s", strerror(errno));
		return -1;
	}
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (sock_bind_mark(fd, d->o, err, errlen) < 0) {
		close(fd);
		return -1;
	}
	d->tcp_fd = fd;
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0)
		return 0;
	if (errno != EINPROGRESS)
		return errno;
	for (;;) {
		uint64_t now = now_us();
		if (g_interrupted)
			return EINTR;
		if (now >= deadline)
			return ETIMEDOUT;
		uint64_t wait = deadline - now;
		struct timespec ts = { .tv_sec = (time_t)(wait / 1000000u),
				       .tv_nsec = (long)(wait % 1000000u) * 1000 };
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		int r = ppoll(&p, 1, &ts, &d->run_mask);
		if (r < 0 && errno != EINTR) {
			snprintf(err, errlen, "poll: %s", strerror(errno));
			return -1;
		}
		if (r > 0) {
			int e = 0;
			socklen_t len = sizeof e;
			if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) < 0)
				e = errno;
			return e;
		}
	}
}

static void connect_advice(int err, const char *a, unsigned timeout_s, char *out, size_t cap)
{
	switch (err) {
	case ECONNREFUSED:
		snprintf(out, cap, "%s answered, but nothing there accepts connections on TCP "
			 "port 1723. Either the PPTP service is not running on the server (Routing "
			 "and Remote Access on Windows, pptpd on Linux, the VPN server setting of "
			 "a router), or %s is not the VPN server's address, or the server sits "
			 "behind a NAT router that does not forward TCP port 1723 (and GRE) to it.",
			 a, a);
		break;
	case ETIMEDOUT:
		snprintf(out, cap, "Nothing came back from %s within %u s, not even a refusal. "
			 "The server may be down, or a firewall silently drops TCP port 1723: on "
			 "this machine (see 'nft list ruleset' or 'iptables -S OUTPUT'), on a "
			 "router on the way, or in front of the server. Trying from another "
			 "network tells which side it is; 'nc -vz %s 1723' repeats this test. A "
			 "slow link may need a longer --connect-timeout.", a, timeout_s, a);
		break;
	case ENETUNREACH:
		snprintf(out, cap, "This machine has no route to %s. Check that it is online "
			 "and has a default route: 'ip route get %s' shows the route it would "
			 "use. If a VPN is already up, its routes may be hiding the way to the "
			 "server.", a, a);
		break;
	case EHOSTUNREACH:
		snprintf(out, cap, "Either %s is on a network this machine reaches directly "
			 "and no machine answers there with that address, or a router on the way "
			 "reported it unreachable. Check the address; 'ip route get %s' shows the "
			 "way out.", a, a);
		break;
	case EACCES:
	case EPERM:
		snprintf(out, cap, "A firewall rule on this machine rejects connections to TCP "
			 "port 1723 of %s. List the rules with 'nft list ruleset' or 'iptables -S "
			 "OUTPUT' and allow it.", a);
		break;
	default:
		snprintf(out, cap, "The connection to %s failed: %s. Check this machine's "
			 "network connection and the address.", a, strerror(err));
	}
}

static const char *connect_short(int err)
{
	switch (err) {
	case ECONNREFUSED: return "refused";
	case ETIMEDOUT: return "no answer";
	case ENETUNREACH: return "network unreachable";
	case EHOSTUNREACH: return "host unreachable";
	case EACCES:
	case EPERM: return "blocked by a local firewall rule";
	default: return strerror(err);
	}
}

/* ---- step 3: the control connection ---- */

static const char *ctrl_result_advice(unsigned result)
{
	switch (result) {
	case PPTP_SCCRP_EXISTS:
		return "The server already has a control connection from this address. Another "
		       "PPTP tunnel runs from this machine, or from another machine sharing its "
		       "public address behind the same NAT router; many servers take only one "
		       "per address. End the other tunnel, or wait a minute for the server to "
		       "drop a stale one, and try again.";
	case PPTP_SCCRP_NOT_AUTHORIZED:
		return "The server does not accept PPTP from this machine's address: an access "
		       "list or policy on the server excludes it. Its administrator can say "
		       "which addresses are allowed.";
	case PPTP_SCCRP_BAD_VERSION:
		return "The server does not speak PPTP version 1.0, the only version there is: "
		       "it is probably not a PPTP server, or a broken one.";
	default:
		return "The server answered as a PPTP server and said no, without a specific "
		       "reason. Its own log says why (its connection limit, its configuration).";
	}
}

/* The server's SCCRP details, as one line after the step's. */
static void print_server_details(const struct pptp_sccrp *s)
{
	char host[PPTP_STR_LEN + 1], vendor[PPTP_STR_LEN + 1];

	str_printable(host, sizeof host, s->hostname, PPTP_STR_LEN);
	str_printable(vendor, sizeof vendor, s->vendor, PPTP_STR_LEN);
	printf("      server host name \"%s\", vendor \"%s\", firmware revision 0x%04x, "
	       "protocol version %u.%u%s\n", host, vendor, s->firmware, s->version >> 8,
	       s->version & 0xffu, s->version != PPTP_PROTO_VERSION ? " (we speak 1.0)" : "");
}

/* Steps 2 and 3 for d->addr.  0: the control connection is up; otherwise
 * the failure was noted (note_failure) or, for local problems and signals,
 * the exit status is returned negated. */
static int try_address(struct diag *d, int idx, int count)
{
	const struct pptp_options *o = d->o;
	char err[300], v[400], advice[1200];
	uint64_t t0 = now_us();
	uint64_t deadline = t0 + (uint64_t)o->connect_timeout_s * 1000000u;

	inet_ntop(AF_INET, &d->addr, d->addr_str, sizeof d->addr_str);
	if (count > 1)
		printf("      address %d of %d: %s\n", idx + 1, count, d->addr_str);
	step_begin(d, "[2/6] TCP to %s port %d: ", d->addr_str, PPTP_PORT);
	int r = tcp_connect(d, deadline, err, sizeof err);
	if (r == EINTR && g_interrupted)
		return -interrupted(d);
	if (r < 0)
		return -local_failure(d, err);
	if (r > 0) {
		if (r == ETIMEDOUT)
			step_end(d, "no answer within %u s", o->connect_timeout_s);
		else
			step_end(d, "%s", connect_short(r));
		close(d->tcp_fd);
		d->tcp_fd = -1;
		if (!connect_error_is_reachability(r) && r != ETIMEDOUT) {
			snprintf(v, sizeof v, "cannot connect to %s: %s", d->addr_str, strerror(r));
			return -local_failure(d, v);
		}
		connect_error_words(r, d->addr_str, (int)o->connect_timeout_s, v, sizeof v);
		connect_advice(r, d->addr_str, o->connect_timeout_s, advice, sizeof advice);
		note_failure(d, PPTP_EXIT_CONNECT, v, advice);
		return PPTP_EXIT_CONNECT;
	}
	uint64_t t1 = now_us();
	step_end(d, "connected in %lu ms", ms_since(t0, t1));

	step_begin(d, "[3/6] control connection: ");
	uint64_t left_ms = deadline > t1 ? (deadline - t1) / 1000u : 0;
	struct pptp_conn_config cfg = {
		.hostname = d->hostname,
		.vendor = "pptp " PPTP_RELEASE,
		.firmware = 0x0100,
		.idle_wait_ms = o->idle_wait_s * 1000u,
		.max_echo_wait_ms = o->max_echo_wait_s * 1000u,
		/* What the TCP connect left of --connect-timeout (1 s at least). */
		.sccrp_timeout_ms = left_ms > 1000u ? (uint32_t)left_ms : 1000u,
		.first_call_id = (uint16_t)(1 + (getpid() ^ (uint32_t)t1) % 0xfffe),
		.quirk = o->quirk,
		.log = o->debug ? log_engine : NULL,
	};
	pptp_conn_init(&d->conn, &cfg, t1);
	d->started = true;
	struct pptp_event ev;
	for (;;) {
		enum wait_result w = pump(d, deadline + 2000000u, false, &ev);
		if (w == W_INTERRUPTED)
			return -interrupted(d);
		if (w == W_ERROR)
			return -local_failure(d, "poll failed");
		if (w == W_TIMEOUT) {
			/* The engine's own SCCRP timer fires first; this is a net. */
			pptp_conn_transport_closed(&d->conn, ETIMEDOUT, now_us());
			continue;
		}
		if (w != W_EVENT)
			continue;
		if (ev.type == PPTP_EV_CONN_UP) {
			step_end(d, "accepted in %lu ms (result code %u: %s)",
				 ms_since(t1, now_us()), d->conn.server.result,
				 pptp_sccrp_result_str(d->conn.server.result));
			print_server_details(&d->conn.server);
			return 0;
		}
		if (ev.type == PPTP_EV_CONN_DOWN)
			break;
	}
	/* Refused, silent, closed, or not PPTP at all. */
	if (ev.reason == PPTP_DOWN_REFUSED) {
		step_end(d, "refused: %s (result code %u)", after_prefix(ev.text), ev.result);
		print_server_details(&d->conn.server);
		snprintf(v, sizeof v, "%s refused the control connection: %s", d->addr_str,
			 after_prefix(ev.text));
		str_copy(advice, ctrl_result_advice(ev.result), sizeof advice);
	} else if (ev.reason == PPTP_DOWN_NO_REPLY) {
		step_end(d, "no Start-Control-Connection-Reply within %u s", o->connect_timeout_s);
		snprintf(v, sizeof v, "%s accepts TCP on port 1723 but does not answer PPTP",
			 d->addr_str);
		snprintf(advice, sizeof advice, "Something at %s accepted the TCP connection but "
			 "never answered our Start-Control-Connection-Request. It is probably not "
			 "a PPTP server: another service on port 1723, or a firewall or proxy "
			 "that accepts connections and holds them. Check the address, and the "
			 "server's log.", d->addr_str);
	} else {
		step_end(d, "%s", ev.text);
		snprintf(v, sizeof v, "%s did not accept the control connection: %s", d->addr_str,
			 ev.text);
		snprintf(advice, sizeof advice, "The server at %s hung up (or sent something "
			 "that is not PPTP) instead of answering our Start-Control-Connection-"
			 "Request. Servers do this when they have reached their limit of "
			 "clients, refuse this address, or are not PPTP servers. The server's "
			 "log says which.", d->addr_str);
	}
	quiet_teardown(d);
	note_failure(d, PPTP_EXIT_CTRL_REFUSED, v, advice);
	return PPTP_EXIT_CTRL_REFUSED;
}

/* ---- step 4: the call ---- */

static int step_call(struct diag *d)
{
	const struct pptp_options *o = d->o;
	struct pptp_call_params p = { .window = GRE_RECV_WINDOW,
				      .framing = o->sync ? PPTP_FRAME_SYNC : PPTP_FRAME_ASYNC };
	char err[300], v[400], advice[1200];
	struct pptp_event ev;

	/* The GRE socket exists before the call does: the server's first GRE
	 * may follow its Outgoing-Call-Reply at once. */
	d->gre_fd = gre_socket_open(o, d->addr, err, sizeof err);
	if (d->gre_fd < 0)
		return local_failure(d, err);

	str_copy(p.phone, o->phone, sizeof p.phone);
	uint64_t t0 = now_us();
	step_begin(d, "[4/6] outgoing call: ");
	d->call = pptp_conn_call_open(&d->conn, &p, t0);
	if (d->call < 0)
		return local_failure(d, "the control engine could not open a call");
	d->probe.call_id = pptp_conn_call(&d->conn, d->call)->call_id;
	uint64_t deadline = t0 + (uint64_t)o->connect_timeout_s * 1000000u;
	for (;;) {
		enum wait_result w = pump(d, deadline, false, &ev);
		if (w == W_INTERRUPTED)
			return interrupted(d);
		if (w == W_ERROR)
			return local_failure(d, "poll failed");
		if (w == W_TIMEOUT) {
			step_end(d, "no Outgoing-Call-Reply within %u s", o->connect_timeout_s);
			quiet_teardown(d);
			snprintf(v, sizeof v, "the server did not answer our call within %u s",
				 o->connect_timeout_s);
			snprintf(advice, sizeof advice, "The control connection works, but the "
				 "server never answered the Outgoing-Call-Request. It may be "
				 "overloaded or stuck; its log says why. A longer --connect-timeout "
				 "gives a slow server more time.");
			verdict(v, "what to do:", advice);
			return PPTP_EXIT_CALL_REFUSED;
		}
		if (w != W_EVENT)
			continue;
		if (ev.type == PPTP_EV_CALL_UP && ev.call == d->call) {
			d->probe.peer_call_id = ev.peer_call_id;
			step_end(d, "connected in %lu ms (result code %u: %s)",
				 ms_since(t0, now_us()), ev.result, pptp_ocrp_result_str(ev.result));
			printf("      our call ID %u, the server's call ID %u, its receive window "
			       "%u\n", ev.call_id, ev.peer_call_id, ev.peer_window);
			return PPTP_EXIT_OK;
		}
		if (ev.type == PPTP_EV_CALL_DOWN && ev.call == d->call)
			break;
		if (ev.type == PPTP_EV_CONN_DOWN) {
			step_end(d, "%s", ev.text);
			quiet_teardown(d);
			snprintf(v, sizeof v, "the server ended the control connection while we "
				 "placed the call: %s", ev.text);
			verdict(v, "what to do:", "The server accepted the control connection and "
				"then dropped it when asked for a call. Its log says why.");
			return PPTP_EXIT_SERVER_ENDED;
		}
	}
	d->call = -1;
	if (ev.reason == PPTP_CALL_REFUSED) {
		step_end(d, "refused: %s (result code %u)", after_prefix(ev.text), ev.result);
		snprintf(v, sizeof v, "%s refused the call: %s", d->addr_str, after_prefix(ev.text));
		const char *why;
		switch (ev.result) {
		case PPTP_OCRP_BUSY:
		case PPTP_OCRP_NO_CARRIER:
		case PPTP_OCRP_NO_DIAL_TONE:
			why = "The server has no free line for the call: all its ports or its "
			      "address pool are in use, or it limits calls per user. Try again "
			      "later, or ask its administrator to raise the limit.";
			break;
		case PPTP_OCRP_NOT_ACCEPTED:
			why = "The server will not take calls from us: a policy on the server "
			      "refuses this client. Its administrator can say why.";
			break;
		case PPTP_OCRP_TIMEOUT:
			why = "The server gave up placing the call: it is overloaded, or the "
			      "device behind it (a modem in PPTP mode) did not answer. Some of "
			      "those need the right --phone number.";
			break;
		default:
			why = "The server declined the call without a specific reason; its log "
			      "says why. Some servers (modems in PPTP mode) need a --phone "
			      "number.";
		}
		snprintf(advice, sizeof advice, "The network path and the control connection "
			 "work: the server itself declined the call.\n%s", why);
	} else {
		step_end(d, "%s", ev.text);
		snprintf(v, sizeof v, "the call did not come up: %s", ev.text);
		snprintf(advice, sizeof advice, "The control connection works, but the server "
			 "did not place the call. Its log says why.");
	}
	quiet_teardown(d);
	verdict(v, "what to do:", advice);
	return ev.reason == PPTP_CALL_DISCONNECTED ? PPTP_EXIT_SERVER_ENDED
						   : PPTP_EXIT_CALL_REFUSED;
}

/* ---- step 5: GRE both ways ---- */

/* An LCP Configure-Request as a PPP peer opens with (RFC 1661): address
 * and control FF 03, protocol C021, code 1, identifier, length 10, and one
 * option, the magic number.  Any PPP implementation parses it, and its
 * answer would carry our identifier. */
static void lcp_confreq(uint8_t f[LCP_CONFREQ_LEN], uint8_t id, uint32_t magic)
{
	f[0] = 0xff;
	f[1] = 0x03;
	put16(f + 2, LCP_PROTO);
	f[4] = 1;
	f[5] = id;
	put16(f + 6, 10);
	f[8] = 5;	/* magic number */
	f[9] = 6;
	put32(f + 10, magic);
}

static void gre_send_probe(struct diag *d, uint64_t now)
{
	struct gre_probe *pr = &d->probe;
	uint8_t pkt[GRE_HDR_MAX + LCP_CONFREQ_LEN];
	uint32_t seq = pr->tx_seq;
	size_t h = gre_encode_hdr(pkt, sizeof pkt, pr->peer_call_id, sizeof pr->frame, &seq, NULL);

	memcpy(pkt + h, pr->frame, sizeof pr->frame);
	if (send(d->gre_fd, pkt, h + sizeof pr->frame, MSG_DONTWAIT) == (ssize_t)(h + sizeof pr->frame)) {
		if (!pr->tx_seq++)
			pr->first_sent_us = now;
	} else {
		pr->send_errno = errno;
	}
}

static const char *gre_blocked_advice =
	"The control connection and the call work, so TCP port 1723 gets through. PPTP "
	"carries the tunnel itself in GRE, IP protocol 47, which is neither TCP nor UDP: "
	"firewalls and NAT routers that pass the control connection often stop it. Look "
	"at each place on the way:\n"
	"- this machine: allow GRE in, e.g. 'nft add rule inet filter input meta l4proto "
	"gre accept' or 'iptables -I INPUT -p gre -j ACCEPT';\n"
	"- a NAT router between you and the server (home or office): turn on its PPTP "
	"passthrough (or VPN passthrough). Many routers pass only one PPTP tunnel at a "
	"time from the network behind them: end any other. On a Linux NAT gateway, load "
	"the PPTP connection tracking helper ('modprobe nf_conntrack_pptp') and forward "
	"protocol 47;\n"
	"- the server's side: its firewall must allow protocol 47 both ways. A server "
	"that cannot start its PPP daemon for the call sends no GRE either: its log "
	"tells.\n"
	"'tcpdump -ni any ip proto 47' on this machine while this runs shows GRE leaving "
	"and nothing coming back.";

static int step_gre(struct diag *d)
{
	struct gre_probe *pr = &d->probe;
	struct pptp_event ev;
	uint32_t magic = 0;
	char v[400];

	if (getrandom(&magic, sizeof magic, GRND_NONBLOCK) != (ssize_t)sizeof magic)
		magic = (uint32_t)now_us() ^ ((uint32_t)getpid() << 16);
	if (!magic)
		magic = 0x50505450u;	/* a magic number must not be zero */
	pr->lcp_id = (uint8_t)(1 + (magic >> 24) % 255);
	lcp_confreq(pr->frame, pr->lcp_id, magic);

	step_begin(d, "[5/6] GRE both ways: ");
	uint64_t t0 = now_us(), deadline = t0 + DIAG_GRE_WAIT_US, next_send = t0;
	for (;;) {
		uint64_t now = now_us();
		if (!pr->rx && now >= next_send) {
			gre_send_probe(d, now);
			next_send = now + DIAG_LCP_RESEND_US;
			if (!pr->tx_seq && (pr->send_errno == EPERM || pr->send_errno == EACCES))
				break;
		}
		uint64_t until = deadline;
		if (pr->rx)
			until = pr->first_rx_us + DIAG_PROOF_WAIT_US < deadline
				? pr->first_rx_us + DIAG_PROOF_WAIT_US : deadline;
		else if (next_send < until)
			until = next_send;
		if (pr->proof || (pr->rx && now >= until) || now >= deadline)
			break;
		enum wait_result w = pump(d, until, true, &ev);
		if (w == W_INTERRUPTED)
			return interrupted(d);
		if (w == W_ERROR)
			return local_failure(d, "poll failed");
		if (w != W_EVENT)
			continue;
		if (ev.type == PPTP_EV_CALL_DOWN && ev.call == d->call) {
			d->call = -1;
			step_end(d, "%s", ev.text);
			quiet_teardown(d);
			snprintf(v, sizeof v, "%s hung up the call as soon as it was up: %s",
				 d->addr_str, after_prefix(ev.text));
			verdict(v, "what to do:", "The server accepted the call and then ended "
				"it. Usually its PPP daemon (pppd) failed to start for the call: "
				"a mistake in its options, no free address in its pool. The server's "
				"log says which.");
			return PPTP_EXIT_SERVER_ENDED;
		}
		if (ev.type == PPTP_EV_CONN_DOWN) {
			step_end(d, "%s", ev.text);
			quiet_teardown(d);
			snprintf(v, sizeof v, "the server ended the control connection during the "
				 "GRE test: %s", ev.text);
			verdict(v, "what to do:", "The server dropped the control connection "
				"right after the call came up; its log says why.");
			return PPTP_EXIT_SERVER_ENDED;
		}
	}
	if (!pr->tx_seq) {
		step_end(d, "cannot send GRE: %s", strerror(pr->send_errno));
		quiet_teardown(d);
		if (pr->send_errno == EPERM || pr->send_errno == EACCES) {
			verdict("GRE (IP protocol 47) is not getting through: a firewall rule on "
				"this machine refuses to send it", "what to do:",
				"The system refused to send our GRE packet, which is what a local "
				"firewall rule against protocol 47 does. List the rules with 'nft "
				"list ruleset' or 'iptables -S OUTPUT' and allow GRE out, e.g. "
				"'iptables -I OUTPUT -p gre -j ACCEPT'.");
			return PPTP_EXIT_GRE_BLOCKED;
		}
		char what[200];
		snprintf(what, sizeof what, "sending GRE failed: %s", strerror(pr->send_errno));
		verdict("a problem on this machine stopped the diagnosis", "what to do:", what);
		return PPTP_EXIT_FAILURE;
	}
	char sent[80] = "sent an LCP Configure-Request";
	if (pr->tx_seq > 1)
		snprintf(sent, sizeof sent, "sent an LCP Configure-Request %u times", pr->tx_seq);
	if (!pr->rx) {
		step_end(d, "%s; no GRE came back within %llu s", sent,
			 (unsigned long long)(DIAG_GRE_WAIT_US / 1000000u));
		quiet_teardown(d);
		verdict("GRE (IP protocol 47) is not getting through: a firewall or NAT between "
			"you and the server is blocking it", "what to do:", gre_blocked_advice);
		return PPTP_EXIT_GRE_BLOCKED;
	}
	step_end(d, "%s, got GRE back in %lu ms: %s", sent,
		 ms_since(pr->first_sent_us, pr->first_rx_us), pr->first_what);
	if (pr->proof)
		printf("      ours reach the server too: %s\n", pr->proof_what);
	else
		printf("      (GRE from the server arrives; nothing showed yet that ours reach "
		       "it: no acknowledgment, no answer to our request)\n");
	fflush(stdout);
	return PPTP_EXIT_OK;
}

/* ---- step 6: teardown ---- */

static void step_teardown(struct diag *d)
{
	struct pptp_event ev;
	char call_text[200] = "", conn_text[200] = "";
	uint64_t t0 = now_us(), deadline = t0 + DIAG_TEARDOWN_US;

	step_begin(d, "[6/6] teardown: ");
	/* Stopping clears the call first (Call-Clear-Request, then Stop-
	 * Control-Connection-Request), and knows that a server may simply
	 * hang up once its last call is gone. */
	pptp_conn_stop(&d->conn, t0);
	for (;;) {
		enum wait_result w = W_EVENT;
		if (!pptp_conn_is_closed(&d->conn))
			w = pump(d, deadline, false, &ev);
		else if (!pptp_conn_poll_event(&d->conn, &ev))
			break;	/* closed, and every event read */
		if (w == W_INTERRUPTED || w == W_ERROR || w == W_TIMEOUT)
			break;
		if (w != W_EVENT)
			continue;
		if (ev.type == PPTP_EV_CALL_DOWN && ev.call == d->call) {
			str_copy(call_text, ev.text, sizeof call_text);
			d->call = -1;
		} else if (ev.type == PPTP_EV_CONN_DOWN) {
			str_copy(conn_text, ev.text, sizeof conn_text);
		}
	}
	uint64_t t1 = now_us();
	if (!conn_text[0])
		str_copy(conn_text, g_interrupted ? "interrupted" : "the control connection did "
			 "not end in time: closed it", sizeof conn_text);
	step_end(d, "%s%s%s, in %lu ms", call_text, call_text[0] ? "; " : "", conn_text,
		 ms_since(t0, t1));
	quiet_teardown(d);
}

/* ---- the whole tree ---- */

int diagnose_run(const struct pptp_options *o)
{
	struct diag *d = calloc(1, sizeof *d);
	uint32_t addrs[DIAG_MAX_ADDRS];
	int rc;

	if (!d) {
		fprintf(stderr, "pptp: out of memory\n");
		return PPTP_EXIT_FAILURE;
	}
	d->o = o;
	d->tcp_fd = d->gre_fd = -1;
	d->call = -1;
	/* A person watching sees each step start; with --debug the log lines
	 * would break such half lines, so they are printed whole. */
	d->split_lines = isatty(STDOUT_FILENO) && !o->debug;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (gethostname(d->hostname, sizeof d->hostname - 1) < 0)
		str_copy(d->hostname, "local", sizeof d->hostname);

	/* The GRE test needs a raw socket: say so before doing anything. */
	int probe = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_GRE);
	if (probe < 0) {
		int e = errno;
		if (e == EPERM || e == EACCES)
			fprintf(stderr, "pptp: --diagnose needs root: its GRE test uses a raw socket "
				"(CAP_NET_RAW). Run it as root, e.g. with sudo.\n");
		else
			fprintf(stderr, "pptp: --diagnose cannot open a raw GRE socket: %s\n",
				strerror(e));
		free(d);
		return PPTP_EXIT_FAILURE;
	}
	close(probe);

	int n = step_resolve(d, addrs, DIAG_MAX_ADDRS);
	if (n <= 0) {
		free(d);
		return PPTP_EXIT_RESOLVE;
	}
	/* Signals: a Ctrl-C still tears down what exists on the server.  They
	 * stay blocked outside ppoll so none is lost between check and wait. */
	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigset_t block;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &d->run_mask);
	sigdelset(&d->run_mask, SIGINT);
	sigdelset(&d->run_mask, SIGTERM);
	sigdelset(&d->run_mask, SIGHUP);

	int up = -1;
	for (int i = 0; i < n && up < 0; i++) {
		d->addr = addrs[i];
		int r = try_address(d, i, n);
		if (r < 0) {
			rc = -r;
			goto out;
		}
		if (r == 0)
			up = i;
	}
	if (up < 0) {
		verdict(d->fail_verdict, "what to do:", d->fail_advice);
		rc = d->fail_exit;
		goto out;
	}
	rc = step_call(d);
	if (rc != PPTP_EXIT_OK)
		goto out;
	rc = step_gre(d);
	if (rc != PPTP_EXIT_OK)
		goto out;
	step_teardown(d);
	verdict("every layer works", "if a tunnel to this server still fails:",
		"The trouble is above these layers, in PPP: authentication (the user name, "
		"with the domain part the server may want, the password in chap-secrets, "
		"remotename) or "
		"encryption (require-mppe-128 needs MPPE in the kernel and on the server). "
		"pppd's 'debug' option logs each step of the negotiation.");
	rc = PPTP_EXIT_OK;
out:
	quiet_teardown(d);
	free(d);
	return rc;
}
