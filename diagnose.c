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
 * One process, no call manager, no pppd: the control connection is the
 * call manager's (ctrl_session.c) in a small poll loop of its own, and
 * the GRE probe uses the same raw socket set-up as the gateway.  Results go
 * to stdout; the log stays quiet unless --debug. */
#include "diagnose.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ctrl_session.h"
#include "gre_engine.h"
#include "lcp_probe.h"
#include "pptp_ctrl.h"
#include "pptp_gre.h"
#include "proc.h"
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

/* What the GRE probe saw. */
struct gre_probe {
	uint16_t call_id;	/* ours: the server puts it in its GRE */
	uint16_t peer_call_id;	/* the server's: we put it in ours */
	uint8_t frame[LCP_PROBE_CONFREQ_LEN];
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
	uint32_t addr;		/* network order */
	char addr_str[INET_ADDRSTRLEN];
	struct ctrl_session *sess;	/* TCP to addr and its control engine */
	int tcp_err;		/* why the TCP connect failed (W_TCP_FAILED) */
	uint64_t tcp_t0;	/* when the TCP connect started */
	int gre_fd, sig_fd;
	int signo;		/* the stop signal that interrupted us, 0: none */
	int call;		/* engine call handle, -1 when none */
	struct gre_probe probe;
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

static void verdict(const char *line, const char *heading, const char *advice)
{
	printf("verdict: %s\n", line);
	if (advice && *advice) {
		printf("%s\n", heading);
		print_wrapped(stdout, advice, DIAG_WIDTH);
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
	char buf[DIAG_MAX_ADDRS * (INET_ADDRSTRLEN + 2)], why[256];
	int r;

	if (inet_pton(AF_INET, name, &lit) == 1) {
		addrs[0] = lit.s_addr;
		step_begin(d, "[1/6] server address: ");
		step_end(d, "%s (an address: nothing to resolve)", name);
		return 1;
	}
	step_begin(d, "[1/6] resolving %s: ", name);
	int n = resolve_ipv4(name, addrs, max, &r, why, sizeof why);
	if (n < 0) {
		char v[300], advice[1200];
		bool v6 = (r == EAI_NONAME || r == EAI_NODATA || r == EAI_ADDRFAMILY) &&
			  name_has_ipv6(name);
		step_end(d, "%s", v6 ? "no IPv4 address (it has IPv6 addresses only)" : why);
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
			snprintf(v, sizeof v, "the name %s does not resolve: %s", name, why);
			snprintf(advice, sizeof advice, "No IPv4 address is known for %s. Check "
				 "the spelling ('getent ahostsv4 %s' repeats this test). A name that "
				 "only exists inside the remote network cannot be used to reach it: "
				 "use the public name or address of the VPN server.", name, name);
		}
		verdict(v, "what to do:", advice);
		return -1;
	}
	addr_list_str(addrs, n, buf, sizeof buf);
	step_end(d, "%s", buf);
	return n;
}

/* ---- the poll loop around the control engine ---- */

enum wait_result {
	W_EVENT,	/* an event of the engine */
	W_GRE,		/* GRE for our call */
	W_TCP_UP,	/* the TCP connect succeeded: the engine runs */
	W_TCP_FAILED,	/* the TCP connect failed: d->tcp_err */
	W_CLOSED,	/* the control connection is over, every event read */
	W_TIMEOUT, W_INTERRUPTED, W_ERROR
};

/* The engine the session runs (NULL before the TCP connection is up). */
static struct pptp_conn *engine(struct diag *d)
{
	return d->sess ? ctrl_session_conn(d->sess) : NULL;
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
 * on) until a session event, a GRE packet for our call, the end of the
 * control connection (unless watching GRE), the deadline, or a signal. */
static enum wait_result pump(struct diag *d, uint64_t deadline, bool watch_gre,
			     struct pptp_event *ev)
{
	for (;;) {
		uint64_t now = now_us();
		struct ctrl_event ce;
		int sig;
		if (d->sess)
			ctrl_session_flush(d->sess, now);
		if (d->sess && ctrl_session_event(d->sess, &ce)) {
			d->tcp_err = ce.err;
			*ev = ce.ev;
			return ce.kind == CTRL_EV_TCP_UP ? W_TCP_UP
			       : ce.kind == CTRL_EV_TCP_FAILED ? W_TCP_FAILED : W_EVENT;
		}
		if (d->signo)
			return W_INTERRUPTED;
		if (!watch_gre && (!d->sess || ctrl_session_done(d->sess)))
			return W_CLOSED;
		if (now >= deadline)
			return W_TIMEOUT;

		struct pollfd pfd[3] = { { .fd = d->sig_fd, .events = POLLIN } };
		nfds_t n = 1;
		int tcp_at = -1, gre_at = -1;
		if (d->sess && ctrl_session_fd(d->sess) >= 0) {
			tcp_at = (int)n;
			pfd[n++] = (struct pollfd){ .fd = ctrl_session_fd(d->sess),
						    .events = ctrl_session_poll_events(d->sess) };
		}
		if (watch_gre && d->gre_fd >= 0) {
			gre_at = (int)n;
			pfd[n++] = (struct pollfd){ .fd = d->gre_fd, .events = POLLIN };
		}
		uint64_t until = deadline;
		if (d->sess && ctrl_session_next_timeout(d->sess) < until)
			until = ctrl_session_next_timeout(d->sess);
		uint64_t wait_ms = until > now ? (until - now + 999) / 1000 : 0;
		if (poll(pfd, n, wait_ms > INT32_MAX ? -1 : (int)wait_ms) < 0) {
			if (errno == EINTR)
				continue;
			return W_ERROR;
		}
		now = now_us();
		while ((pfd[0].revents & POLLIN) && (sig = proc_signal_next(d->sig_fd)) != 0)
			if (proc_sig_is_stop(sig) && !d->signo)
				d->signo = sig;
		if (tcp_at >= 0)
			ctrl_session_service(d->sess, pfd[tcp_at].revents, now);
		bool got_gre = gre_at >= 0 && (pfd[gre_at].revents & POLLIN) && gre_read(d, now);
		if (d->sess)
			ctrl_session_tick(d->sess, now);
		if (got_gre)
			return W_GRE;
	}
}

/* End whatever is still open on the server, briefly and without a word:
 * after a failure the verdict is what matters. */
static void quiet_teardown(struct diag *d)
{
	struct pptp_event ev;

	if (d->sess) {
		uint64_t end = now_us() + DIAG_QUIET_TEARDOWN_US;
		ctrl_session_stop(d->sess, now_us());
		enum wait_result w;
		do
			w = pump(d, end, false, &ev);
		while (w == W_EVENT || w == W_TCP_UP || w == W_TCP_FAILED);
		ctrl_session_close(d->sess);
		d->sess = NULL;
	}
	d->call = -1;
	if (d->gre_fd >= 0)
		close(d->gre_fd);
	d->gre_fd = -1;
}

/* End what is open and say why, with what to do: the exit status rc. */
static int give_up(struct diag *d, int rc, const char *advice, const char *fmt, ...)
	PPTP_PRINTF(4, 5);
static int give_up(struct diag *d, int rc, const char *advice, const char *fmt, ...)
{
	char line[400];
	va_list ap;

	quiet_teardown(d);
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	verdict(line, "what to do:", advice);
	return rc;
}

static int interrupted(struct diag *d)
{
	if (d->step[0])
		step_end(d, "interrupted");
	quiet_teardown(d);
	printf("verdict: interrupted (signal %s) before the diagnosis was complete\n",
	       sigabbrev_np(d->signo) ? sigabbrev_np(d->signo) : "?");
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

/* Step 2 for d->addr.  0: connected; PPTP_EXIT_CONNECT with the failure
 * noted (note_failure); for local problems and signals, the exit status
 * negated. */
static int step_tcp(struct diag *d, int idx, int count)
{
	const struct pptp_options *o = d->o;
	char err[300], v[400], advice[1200];
	struct pptp_event ev;
	enum wait_result w;

	inet_ntop(AF_INET, &d->addr, d->addr_str, sizeof d->addr_str);
	if (count > 1)
		printf("      address %d of %d: %s\n", idx + 1, count, d->addr_str);
	step_begin(d, "[2/6] TCP to %s port %d: ", d->addr_str, PPTP_PORT);
	d->tcp_t0 = now_us();
	d->sess = ctrl_session_open(o, d->addr, d->tcp_t0, o->debug ? log_engine : NULL, err,
				    sizeof err);
	if (!d->sess)
		return -local_failure(d, err);
	do
		w = pump(d, UINT64_MAX, false, &ev);
	while (w == W_EVENT);
	if (w == W_INTERRUPTED)
		return -interrupted(d);
	if (w == W_TCP_UP) {
		step_end(d, "connected in %lu ms", ms_since(d->tcp_t0, now_us()));
		return 0;
	}
	if (w != W_TCP_FAILED)
		return -local_failure(d, "poll failed");
	int r = d->tcp_err;
	if (r == ETIMEDOUT) {
		step_end(d, "no answer within %u s", o->connect_timeout_s);
	} else {
		connect_error_short(r, err, sizeof err);
		step_end(d, "%s", err);
	}
	ctrl_session_close(d->sess);
	d->sess = NULL;
	if (!connect_error_is_reachability(r)) {
		snprintf(v, sizeof v, "cannot connect to %s: %s", d->addr_str, strerror(r));
		return -local_failure(d, v);
	}
	connect_error_words(r, d->addr_str, (int)o->connect_timeout_s, v, sizeof v);
	connect_error_advice(r, d->addr_str, o->connect_timeout_s, advice, sizeof advice);
	note_failure(d, PPTP_EXIT_CONNECT, v, advice);
	return PPTP_EXIT_CONNECT;
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

/* Step 3 on the TCP connection step 2 made: 0 when the server accepted
 * the control connection; else as step_tcp. */
static int step_ctrl(struct diag *d)
{
	const struct pptp_options *o = d->o;
	char v[400], advice[1200];
	uint64_t t1 = now_us();
	/* The engine's own SCCRP timer fires first; this deadline is a net. */
	uint64_t deadline = d->tcp_t0 + (uint64_t)o->connect_timeout_s * 1000000u + 2000000u;
	struct pptp_event ev = { .type = PPTP_EV_CONN_DOWN };

	step_begin(d, "[3/6] control connection: ");
	for (;;) {
		enum wait_result w = pump(d, deadline, false, &ev);
		if (w == W_INTERRUPTED)
			return -interrupted(d);
		if (w == W_TIMEOUT) {
			ev = (struct pptp_event){ .type = PPTP_EV_CONN_DOWN,
						  .reason = PPTP_DOWN_NO_REPLY };
			break;
		}
		if (w != W_EVENT)
			return -local_failure(d, "poll failed");
		if (ev.type == PPTP_EV_CONN_UP) {
			const struct pptp_sccrp *si = pptp_conn_server_info(engine(d));
			step_end(d, "accepted in %lu ms (result code %u: %s)",
				 ms_since(t1, now_us()), si->result, pptp_sccrp_result_str(si->result));
			print_server_details(si);
			return 0;
		}
		if (ev.type == PPTP_EV_CONN_DOWN)
			break;
	}
	/* Refused, silent, closed, or not PPTP at all. */
	if (ev.reason == PPTP_DOWN_REFUSED) {
		step_end(d, "refused: %s (result code %u)", after_prefix(ev.text), ev.result);
		print_server_details(pptp_conn_server_info(engine(d)));
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

static const char *call_result_advice(unsigned result)
{
	switch (result) {
	case PPTP_OCRP_BUSY:
	case PPTP_OCRP_NO_CARRIER:
	case PPTP_OCRP_NO_DIAL_TONE:
		return "The server has no free line for the call: all its ports or its address "
		       "pool are in use, or it limits calls per user. Try again later, or ask its "
		       "administrator to raise the limit.";
	case PPTP_OCRP_NOT_ACCEPTED:
		return "The server will not take calls from us: a policy on the server refuses "
		       "this client. Its administrator can say why.";
	case PPTP_OCRP_TIMEOUT:
		return "The server gave up placing the call: it is overloaded, or the device "
		       "behind it (a modem in PPTP mode) did not answer. Some of those need the "
		       "right --phone number.";
	default:
		return "The server declined the call without a specific reason; its log says "
		       "why. Some servers (modems in PPTP mode) need a --phone number.";
	}
}

/* No Outgoing-Call-Reply within --connect-timeout. */
static int call_no_reply(struct diag *d)
{
	unsigned secs = d->o->connect_timeout_s;

	step_end(d, "no Outgoing-Call-Reply within %u s", secs);
	return give_up(d, PPTP_EXIT_CALL_REFUSED, "The control connection works, but the server "
		       "never answered the Outgoing-Call-Request. It may be overloaded or stuck; "
		       "its log says why. A longer --connect-timeout gives a slow server more "
		       "time.", "the server did not answer our call within %u s", secs);
}

/* The call ended before it came up (ev: its CALL_DOWN). */
static int call_failed(struct diag *d, const struct pptp_event *ev)
{
	char v[400], advice[1200];

	d->call = -1;
	if (ev->reason == PPTP_CALL_REFUSED) {
		step_end(d, "refused: %s (result code %u)", after_prefix(ev->text), ev->result);
		snprintf(v, sizeof v, "%s refused the call: %s", d->addr_str,
			 after_prefix(ev->text));
		snprintf(advice, sizeof advice, "The network path and the control connection "
			 "work: the server itself declined the call.\n%s",
			 call_result_advice(ev->result));
	} else {
		step_end(d, "%s", ev->text);
		snprintf(v, sizeof v, "the call did not come up: %s", ev->text);
		snprintf(advice, sizeof advice, "The control connection works, but the server "
			 "did not place the call. Its log says why.");
	}
	return give_up(d, ev->reason == PPTP_CALL_DISCONNECTED ? PPTP_EXIT_SERVER_ENDED
			      : PPTP_EXIT_CALL_REFUSED, advice, "%s", v);
}

static int step_call(struct diag *d)
{
	const struct pptp_options *o = d->o;
	struct pptp_call_params p = { .window = GRE_RECV_WINDOW,
				      .framing = o->sync ? PPTP_FRAME_SYNC : PPTP_FRAME_ASYNC };
	char err[300];
	struct pptp_event ev;

	/* The GRE socket exists before the call does: the server's first GRE
	 * may follow its Outgoing-Call-Reply at once. */
	bool unreachable;	/* TCP (step 2) has judged the path already */
	d->gre_fd = gre_socket_open(o, d->addr, &unreachable, err, sizeof err);
	if (d->gre_fd < 0)
		return local_failure(d, err);

	str_copy(p.phone, o->phone, sizeof p.phone);
	uint64_t t0 = now_us();
	step_begin(d, "[4/6] outgoing call: ");
	d->call = pptp_conn_call_open(engine(d), &p, t0);
	const struct pptp_call *call = pptp_conn_call(engine(d), d->call);
	/* A connection that the OCRQ itself ended says why in its CONN_DOWN. */
	if (!call && !pptp_conn_is_closed(engine(d)))
		return local_failure(d, "the control engine could not open a call");
	d->probe.call_id = call ? call->call_id : 0;
	uint64_t deadline = t0 + (uint64_t)o->connect_timeout_s * 1000000u;
	for (;;) {
		enum wait_result w = pump(d, deadline, false, &ev);
		if (w == W_INTERRUPTED)
			return interrupted(d);
		if (w == W_TIMEOUT)
			return call_no_reply(d);
		if (w != W_EVENT)
			return local_failure(d, "poll failed");
		if (ev.type == PPTP_EV_CALL_UP && ev.call == d->call) {
			d->probe.peer_call_id = ev.peer_call_id;
			step_end(d, "connected in %lu ms (result code %u: %s)",
				 ms_since(t0, now_us()), ev.result, pptp_ocrp_result_str(ev.result));
			printf("      our call ID %u, the server's call ID %u, its receive window "
			       "%u\n", ev.call_id, ev.peer_call_id, ev.peer_window);
			return PPTP_EXIT_OK;
		}
		/* The engine gives up after --connect-timeout too. */
		if (ev.type == PPTP_EV_CALL_DOWN && ev.call == d->call)
			return ev.reason == PPTP_CALL_NO_REPLY ? call_no_reply(d)
							       : call_failed(d, &ev);
		if (ev.type == PPTP_EV_CONN_DOWN) {
			step_end(d, "%s", ev.text);
			return give_up(d, PPTP_EXIT_SERVER_ENDED, "The server accepted the control "
				       "connection and then dropped it when asked for a call. Its "
				       "log says why.", "the server ended the control connection "
				       "while we placed the call: %s", ev.text);
		}
	}
}

/* ---- step 5: GRE both ways ---- */

static void gre_send_probe(struct diag *d, uint64_t now)
{
	struct gre_probe *pr = &d->probe;
	uint8_t pkt[GRE_HDR_MAX + LCP_PROBE_CONFREQ_LEN];
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

	if (getrandom(&magic, sizeof magic, GRND_NONBLOCK) != (ssize_t)sizeof magic)
		magic = (uint32_t)now_us() ^ ((uint32_t)getpid() << 16);
	if (!magic)
		magic = 0x50505450u;	/* a magic number must not be zero */
	pr->lcp_id = (uint8_t)(1 + (magic >> 24) % 255);
	lcp_probe_confreq(pr->frame, pr->lcp_id, magic);

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
			return give_up(d, PPTP_EXIT_SERVER_ENDED, "The server accepted the call "
				       "and then ended it. Usually its PPP daemon (pppd) failed to "
				       "start for the call: a mistake in its options, no free address "
				       "in its pool. The server's log says which.",
				       "%s hung up the call as soon as it was up: %s", d->addr_str,
				       after_prefix(ev.text));
		}
		if (ev.type == PPTP_EV_CONN_DOWN) {
			step_end(d, "%s", ev.text);
			return give_up(d, PPTP_EXIT_SERVER_ENDED, "The server dropped the control "
				       "connection right after the call came up; its log says why.",
				       "the server ended the control connection during the GRE "
				       "test: %s", ev.text);
		}
	}
	if (!pr->tx_seq) {
		step_end(d, "cannot send GRE: %s", strerror(pr->send_errno));
		if (pr->send_errno == EPERM || pr->send_errno == EACCES)
			return give_up(d, PPTP_EXIT_GRE_BLOCKED, "The system refused to send our "
				       "GRE packet, which is what a local firewall rule against "
				       "protocol 47 does. List the rules with 'nft list ruleset' or "
				       "'iptables -S OUTPUT' and allow GRE out, e.g. 'iptables -I "
				       "OUTPUT -p gre -j ACCEPT'.", "GRE (IP protocol 47) is not "
				       "getting through: a firewall rule on this machine refuses to "
				       "send it");
		char what[200];
		snprintf(what, sizeof what, "sending GRE failed: %s", strerror(pr->send_errno));
		return give_up(d, PPTP_EXIT_FAILURE, what, "a problem on this machine stopped the "
			       "diagnosis");
	}
	char sent[80] = "sent an LCP Configure-Request";
	if (pr->tx_seq > 1)
		snprintf(sent, sizeof sent, "sent an LCP Configure-Request %u times", pr->tx_seq);
	if (!pr->rx) {
		step_end(d, "%s; no GRE came back within %llu s", sent,
			 (unsigned long long)(DIAG_GRE_WAIT_US / 1000000u));
		return give_up(d, PPTP_EXIT_GRE_BLOCKED, gre_blocked_advice, "GRE (IP protocol 47) "
			       "is not getting through: a firewall or NAT between you and the "
			       "server is blocking it");
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
	ctrl_session_stop(d->sess, t0);
	for (;;) {
		/* Until closed and every event read, or time or a signal ends it. */
		if (pump(d, deadline, false, &ev) != W_EVENT)
			break;
		if (ev.type == PPTP_EV_CALL_DOWN && ev.call == d->call) {
			str_copy(call_text, ev.text, sizeof call_text);
			d->call = -1;
		} else if (ev.type == PPTP_EV_CONN_DOWN) {
			str_copy(conn_text, ev.text, sizeof conn_text);
		}
	}
	uint64_t t1 = now_us();
	if (!conn_text[0])
		str_copy(conn_text, d->signo ? "interrupted" : "the control connection did "
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
	d->gre_fd = d->sig_fd = -1;
	d->call = -1;
	/* A person watching sees each step start; with --debug the log lines
	 * would break such half lines, so they are printed whole. */
	d->split_lines = isatty(STDOUT_FILENO) && !o->debug;
	setvbuf(stdout, NULL, _IOLBF, 0);

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
	/* Signals: a Ctrl-C still tears down what exists on the server. */
	d->sig_fd = proc_signals_open(PROC_SIG_STOP);
	if (d->sig_fd < 0) {
		fprintf(stderr, "pptp: signalfd: %s\n", strerror(-d->sig_fd));
		free(d);
		return PPTP_EXIT_FAILURE;
	}

	int up = -1;
	for (int i = 0; i < n && up < 0; i++) {
		d->addr = addrs[i];
		int r = step_tcp(d, i, n);
		if (r == 0)
			r = step_ctrl(d);
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
	close(d->sig_fd);
	free(d);
	return rc;
}
