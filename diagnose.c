/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diagnose.c - pptp --diagnose SERVER: the diagnosis fault tree, run layer
 * by layer by the program itself, for a person at a terminal.
 *
 *   [1/8] this machine           pppd, /dev/ppp, PPP framing, MPPE (localcheck.c)
 *   [2/8] name resolution        every IPv4 address of the name
 *   [3/8] TCP to port 1723       } per address, in order, until one passes
 *   [4/8] control connection     }   both (SCCRQ/SCCRP)
 *   [5/8] outgoing call          OCRQ/OCRP
 *   [6/8] GRE both ways          an LCP Configure-Request inside GRE; each
 *                                direction proven on its own: GRE from the
 *                                server for our call (in), and an ack of
 *                                ours or its PPP answering ours (out)
 *   [7/8] path MTU               the largest PPP frame that crosses both ways,
 *                                and whether larger ones vanish (diagnose_mtu.c)
 *   [8/8] teardown               Call-Clear-Request, Stop-Control-Connection
 *
 * One process, no call manager, no pppd: the control connection is the
 * call manager's (ctrl_session.c) in a small poll loop of its own, and
 * the GRE probe uses the same raw socket set-up as the gateway.  Results go
 * to stdout; the log stays quiet unless --debug. */
#include "diagnose.h"
#include "diagnose_advice.h"
#include "diagnose_int.h"
#include "diagnose_mtu.h"

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
#include "exitstatus.h"
#include "gre_engine.h"
#include "lcp_probe.h"
#include "localcheck.h"
#include "pptp_ctrl.h"
#include "pptp_gre.h"
#include "proc.h"
#include "sockutil.h"
#include "util.h"

#define DIAG_MAX_ADDRS 16
/* How long step 5 waits for both directions to be proven once the call is
 * up.  A server starts its pppd when the call connects; pppd sends its
 * first LCP Configure-Request at once and answers ours as soon as it
 * hears it, so five seconds is ample even for a slow one. */
#define DIAG_GRE_WAIT_US (5 * 1000000ull)
/* Our Configure-Request is repeated this often until answered, so that one
 * lost packet (a NAT still setting up its state) cannot fake a verdict, and
 * a server that acknowledges only in its next data packet gets the chance. */
#define DIAG_LCP_RESEND_US (1000000ull)
/* Step 6 lets the engine's own timers (CDN, Stop reply) run out first. */
#define DIAG_TEARDOWN_US ((uint64_t)(PPTP_CDN_TIMEOUT_MS + PPTP_STOPCCRP_TIMEOUT_MS + 1000) * 1000u)


/* An address failed: keep the failure of the deepest layer reached (the
 * control connection is deeper than TCP); among equals, the first
 * address's.  STEP_NEXT. */
static enum step_result note_failure(struct diag *d, struct pptp_reason why,
				     const char *verdict_text, const char *advice)
{
	if (pptp_reason_deeper(&d->fail, &why)) {
		d->fail = why;
		str_copy(d->fail_verdict, verdict_text, sizeof d->fail_verdict);
		str_copy(d->fail_advice, advice, sizeof d->fail_advice);
	}
	return STEP_NEXT;
}

/* The words after an engine text's first ": " ("server refused the call:
 * busy" gives "busy"). */
static const char *after_prefix(const char *text)
{
	const char *c = strstr(text, ": ");
	return c ? c + 2 : text;
}

/* ---- step 1: this machine ---- */

/* What a tunnel needs on this machine.  STEP_OK when it is all there;
 * else STEP_END with the first missing piece's cause, the verdict printed
 * and the fix for every missing piece. */
static enum step_result step_local(struct diag *d)
{
	struct local_check lc;
	char advice[2000], v[300];

	step_begin(d, "[1/8] this machine: ");
	enum local_item first = local_check_run(&lc, d->o->sync, true);
	if (first == LOCAL_ITEMS)
		step_end(d, "ready for a tunnel");
	else
		step_end(d, "%s: %s", lc.item[first].name, lc.item[first].found);
	for (int i = 0; i < LOCAL_ITEMS; i++)
		printf("      %s: %s\n", lc.item[i].name, lc.item[i].found);
	if (first == LOCAL_ITEMS)
		return STEP_OK;
	local_check_advice(&lc, advice, sizeof advice);
	size_t n = strlen(advice);
	snprintf(advice + n, sizeof advice - n, "\nThe network was not tested: run this again "
		 "once this machine is ready.");
	snprintf(v, sizeof v, "this machine cannot carry a PPTP tunnel: %s %s",
		 lc.item[first].name, lc.item[first].found);
	verdict(v, "what to do:", advice);
	d->why = (struct pptp_reason){ .cause = lc.item[first].cause };
	return STEP_END;
}

/* ---- step 2: the name ---- */

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
 * duplicates.  Returns how many, or 0 with the verdict printed and d->why. */
static int step_resolve(struct diag *d, uint32_t *addrs, int max)
{
	const char *name = d->o->server;
	struct in_addr lit;
	char buf[DIAG_MAX_ADDRS * (INET_ADDRSTRLEN + 2)], why[256];
	int r;

	if (inet_pton(AF_INET, name, &lit) == 1) {
		addrs[0] = lit.s_addr;
		step_begin(d, "[2/8] server address: ");
		step_end(d, "%s (an address: nothing to resolve)", name);
		return 1;
	}
	step_begin(d, "[2/8] resolving %s: ", name);
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
		d->why = (struct pptp_reason){ .cause = CAUSE_RESOLVE };
		return 0;
	}
	addr_list_str(addrs, n, buf, sizeof buf);
	step_end(d, "%s", buf);
	return n;
}

/* The engine the session runs (NULL before the TCP connection is up). */
static struct pptp_conn *engine(struct diag *d)
{
	return d->sess ? ctrl_session_conn(d->sess) : NULL;
}


/* End what is open and say why (the verdict, fmt), with what to do;
 * d->why = why.  STEP_END. */
static enum step_result give_up(struct diag *d, struct pptp_reason why, const char *advice,
				const char *fmt, ...) PPTP_PRINTF(4, 5);
static enum step_result give_up(struct diag *d, struct pptp_reason why, const char *advice,
				const char *fmt, ...)
{
	char line[400];
	va_list ap;

	quiet_teardown(d);
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	verdict(line, "what to do:", advice);
	d->why = why;
	return STEP_END;
}

/* A stop signal came: the diagnosis is incomplete.  STEP_END. */
static enum step_result interrupted(struct diag *d)
{
	if (d->step[0])
		step_end(d, "interrupted");
	quiet_teardown(d);
	printf("verdict: interrupted (signal %s) before the diagnosis was complete\n",
	       sigabbrev_np(d->signo) ? sigabbrev_np(d->signo) : "?");
	d->why = (struct pptp_reason){ .cause = CAUSE_INTERRUPTED };
	return STEP_END;
}

/* A problem on this machine (errno err, or 0) stopped it.  STEP_END. */
static enum step_result local_failure(struct diag *d, int err, const char *what)
{
	char v[460];	/* the prefix and a 400-byte what */

	if (d->step[0])
		step_end(d, "cannot test");
	quiet_teardown(d);
	snprintf(v, sizeof v, "a problem on this machine stopped the diagnosis: %s", what);
	verdict(v, NULL, NULL);
	d->why = (struct pptp_reason){ .cause = CAUSE_LOCAL, .err = err };
	return STEP_END;
}

/* ---- step 3: TCP to port 1723 ---- */

/* Step 3 for d->addr.  STEP_OK: connected; STEP_NEXT: the server cannot
 * be reached there (noted); STEP_END: a local problem or a signal. */
static enum step_result step_tcp(struct diag *d, int idx, int count)
{
	const struct pptp_options *o = d->o;
	char err[300], v[400], advice[1200];
	struct pptp_event ev;
	enum wait_result w;

	inet_ntop(AF_INET, &d->addr, d->addr_str, sizeof d->addr_str);
	/* --debug's log lines (the engine's) name the address they concern. */
	log_set_context("%s", d->addr_str);
	if (count > 1)
		printf("      address %d of %d: %s\n", idx + 1, count, d->addr_str);
	step_begin(d, "[3/8] TCP to %s port %d: ", d->addr_str, PPTP_PORT);
	d->tcp_t0 = now_us();
	d->sess = ctrl_session_open(o, d->addr, d->tcp_t0, o->debug ? log_engine : NULL, err,
				    sizeof err);
	if (!d->sess)
		return local_failure(d, 0, err);
	do
		w = pump(d, UINT64_MAX, false, &ev);
	while (w == W_EVENT);
	if (w == W_INTERRUPTED)
		return interrupted(d);
	if (w == W_TCP_UP) {
		step_end(d, "connected in %lu ms", ms_since(d->tcp_t0, now_us()));
		return STEP_OK;
	}
	if (w != W_TCP_FAILED)
		return local_failure(d, errno, "poll failed");
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
		return local_failure(d, r, v);
	}
	connect_error_words(r, d->addr_str, (int)o->connect_timeout_s, v, sizeof v);
	connect_error_advice(r, d->addr_str, o->connect_timeout_s, advice, sizeof advice);
	return note_failure(d, (struct pptp_reason){ .cause = CAUSE_CONNECT, .err = r }, v, advice);
}

/* ---- step 4: the control connection ---- */

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

/* Step 4 on the TCP connection step 3 made: STEP_OK when the server
 * accepted the control connection; else as step_tcp. */
static enum step_result step_ctrl(struct diag *d)
{
	const struct pptp_options *o = d->o;
	char v[400], advice[1200];
	uint64_t t1 = now_us();
	/* The engine's own SCCRP timer fires first; this deadline is a net. */
	uint64_t deadline = d->tcp_t0 + (uint64_t)o->connect_timeout_s * 1000000u + 2000000u;
	struct pptp_event ev = { .type = PPTP_EV_CONN_DOWN };

	step_begin(d, "[4/8] control connection: ");
	for (;;) {
		enum wait_result w = pump(d, deadline, false, &ev);
		if (w == W_INTERRUPTED)
			return interrupted(d);
		if (w == W_TIMEOUT) {
			ev = (struct pptp_event){ .type = PPTP_EV_CONN_DOWN,
						  .reason = PPTP_DOWN_NO_REPLY };
			break;
		}
		if (w != W_EVENT)
			return local_failure(d, errno, "poll failed");
		if (ev.type == PPTP_EV_CONN_UP) {
			const struct pptp_sccrp *si = pptp_conn_server_info(engine(d));
			step_end(d, "accepted in %lu ms (result code %u: %s)",
				 ms_since(t1, now_us()), si->result, pptp_sccrp_result_str(si->result));
			print_server_details(si);
			return STEP_OK;
		}
		if (ev.type == PPTP_EV_CONN_DOWN)
			break;
	}
	/* Refused, silent, closed, or not PPTP at all: whatever it was, the
	 * server did not accept the control connection. */
	struct pptp_reason why = { .cause = CAUSE_CTRL_LOST };
	if (ev.reason == PPTP_DOWN_REFUSED) {
		why = (struct pptp_reason){ .cause = CAUSE_CTRL_REFUSED, .result = ev.result,
					    .error = ev.error };
		step_end(d, "refused: %s (result code %u)", after_prefix(ev.text), ev.result);
		print_server_details(pptp_conn_server_info(engine(d)));
		snprintf(v, sizeof v, "%s refused the control connection: %s", d->addr_str,
			 after_prefix(ev.text));
		str_copy(advice, diag_ctrl_result_advice(ev.result), sizeof advice);
	} else if (ev.reason == PPTP_DOWN_NO_REPLY) {
		why.cause = CAUSE_CTRL_NO_REPLY;
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
	return note_failure(d, why, v, advice);
}

/* ---- step 5: the call ---- */

/* No Outgoing-Call-Reply within --connect-timeout. */
static enum step_result call_no_reply(struct diag *d)
{
	unsigned secs = d->o->connect_timeout_s;

	step_end(d, "no Outgoing-Call-Reply within %u s", secs);
	return give_up(d, (struct pptp_reason){ .cause = CAUSE_CALL_NO_REPLY, .ctrl_was_up = true },
		       "The control connection works, but the server never answered the "
		       "Outgoing-Call-Request. It may be overloaded or stuck; its log says why. "
		       "A longer --connect-timeout gives a slow server more time.",
		       "the server did not answer our call within %u s", secs);
}

/* The call ended before it came up (ev: its CALL_DOWN): the server
 * refused it, or hung it up at once. */
static enum step_result call_failed(struct diag *d, const struct pptp_event *ev)
{
	char v[400], advice[1200];
	struct pptp_reason why = { .cause = ev->reason == PPTP_CALL_DISCONNECTED
					    ? CAUSE_CALL_DISCONNECTED : CAUSE_CALL_REFUSED,
				   .ctrl_was_up = true, .result = ev->result,
				   .error = ev->error };

	d->call = -1;
	if (ev->reason == PPTP_CALL_REFUSED) {
		step_end(d, "refused: %s (result code %u)", after_prefix(ev->text), ev->result);
		snprintf(v, sizeof v, "%s refused the call: %s", d->addr_str,
			 after_prefix(ev->text));
		snprintf(advice, sizeof advice, "The network path and the control connection "
			 "work: the server itself declined the call.\n%s",
			 diag_call_result_advice(ev->result));
	} else {
		step_end(d, "%s", ev->text);
		snprintf(v, sizeof v, "the call did not come up: %s", ev->text);
		snprintf(advice, sizeof advice, "The control connection works, but the server "
			 "did not place the call. Its log says why.");
	}
	return give_up(d, why, advice, "%s", v);
}

static enum step_result step_call(struct diag *d)
{
	const struct pptp_options *o = d->o;
	struct pptp_call_params p = { .window = GRE_RECV_WINDOW,
				      .framing = o->sync ? PPTP_FRAME_SYNC : PPTP_FRAME_ASYNC };
	char err[300];
	struct pptp_event ev;

	/* The GRE socket exists before the call does: the server's first GRE
	 * may follow its Outgoing-Call-Reply at once. */
	bool unreachable;	/* TCP (step 3) has judged the path already */
	d->gre_fd = gre_socket_open(o, d->addr, &unreachable, err, sizeof err);
	if (d->gre_fd < 0) {
		int e = -d->gre_fd;
		d->gre_fd = -1;
		return local_failure(d, e, err);
	}

	str_copy(p.phone, o->phone, sizeof p.phone);
	uint64_t t0 = now_us();
	step_begin(d, "[5/8] outgoing call: ");
	d->call = pptp_conn_call_open(engine(d), &p, t0);
	const struct pptp_call *call = pptp_conn_call(engine(d), d->call);
	/* A connection that the OCRQ itself ended says why in its CONN_DOWN. */
	if (!call && !pptp_conn_is_closed(engine(d)))
		return local_failure(d, 0, "the control engine could not open a call");
	d->probe.call_id = call ? call->call_id : 0;
	uint64_t deadline = t0 + (uint64_t)o->connect_timeout_s * 1000000u;
	for (;;) {
		enum wait_result w = pump(d, deadline, false, &ev);
		if (w == W_INTERRUPTED)
			return interrupted(d);
		if (w == W_TIMEOUT)
			return call_no_reply(d);
		if (w != W_EVENT)
			return local_failure(d, errno, "poll failed");
		if (ev.type == PPTP_EV_CALL_UP && ev.call == d->call) {
			d->probe.peer_call_id = ev.peer_call_id;
			log_set_context("%s call %u/%u", d->addr_str, ev.call_id, ev.peer_call_id);
			step_end(d, "connected in %lu ms (result code %u: %s)",
				 ms_since(t0, now_us()), ev.result, pptp_ocrp_result_str(ev.result));
			printf("      our call ID %u, the server's call ID %u, its receive window "
			       "%u\n", ev.call_id, ev.peer_call_id, ev.peer_window);
			return STEP_OK;
		}
		/* The engine gives up after --connect-timeout too. */
		if (ev.type == PPTP_EV_CALL_DOWN && ev.call == d->call)
			return ev.reason == PPTP_CALL_NO_REPLY ? call_no_reply(d)
							       : call_failed(d, &ev);
		if (ev.type == PPTP_EV_CONN_DOWN) {
			step_end(d, "%s", ev.text);
			return give_up(d, (struct pptp_reason){ .cause = CAUSE_CTRL_LOST,
								.ctrl_was_up = true },
				       "The server accepted the control "
				       "connection and then dropped it when asked for a call. Its "
				       "log says why.", "the server ended the control connection "
				       "while we placed the call: %s", ev.text);
		}
	}
}

/* ---- step 6: GRE both ways ---- */

/* Send a PPP frame in GRE for our call, acknowledging the server's latest
 * packet once there is one: the GRE header's length, or -errno. */
static int gre_send_frame(struct diag *d, const uint8_t *f, size_t n)
{
	struct gre_probe *pr = &d->probe;
	uint8_t pkt[GRE_HDR_MAX + MTU_PROBE_MAX];
	uint32_t seq = pr->tx_seq;
	size_t h = gre_encode_hdr(pkt, sizeof pkt, pr->peer_call_id, n, &seq,
				  pr->have_peer_seq ? &pr->peer_seq : NULL);

	memcpy(pkt + h, f, n);
	if (send(d->gre_fd, pkt, h + n, MSG_DONTWAIT) < 0)
		return -(pr->send_errno = errno);
	if (!pr->tx_seq++)
		pr->first_sent_us = now_us();
	return (int)h;
}

/* The call or the control connection ended during the GRE steps (6 and 7):
 * STEP_END with the verdict said, or STEP_OK for any other event. */
static enum step_result call_lost(struct diag *d, const struct pptp_event *ev)
{
	if (ev->type == PPTP_EV_CALL_DOWN && ev->call == d->call) {
		d->call = -1;
		step_end(d, "%s", ev->text);
		return give_up(d, (struct pptp_reason){ .cause = CAUSE_CALL_DISCONNECTED,
							.ctrl_was_up = true, .result = ev->result,
							.error = ev->error },
			       "The server accepted the call "
			       "and then ended it. Usually its PPP daemon (pppd) failed to "
			       "start for the call: a mistake in its options, no free address "
			       "in its pool. The server's log says which.",
			       "%s hung up the call as soon as it was up: %s", d->addr_str,
			       after_prefix(ev->text));
	}
	if (ev->type == PPTP_EV_CONN_DOWN) {
		step_end(d, "%s", ev->text);
		return give_up(d, (struct pptp_reason){ .cause = CAUSE_CTRL_LOST,
							.ctrl_was_up = true },
			       "The server dropped the control "
			       "connection right after the call came up; its log says why.",
			       "the server ended the control connection during the GRE "
			       "test: %s", ev->text);
	}
	return STEP_OK;
}

/* Send, read and wait until both directions are proven, the step's time
 * is up, or the call or the connection ends.  STEP_OK to go on to the
 * report of what was seen; STEP_END with the verdict printed. */
static enum step_result gre_probe_run(struct diag *d)
{
	struct gre_probe *pr = &d->probe;
	struct pptp_event ev;
	uint64_t t0 = now_us(), deadline = t0 + DIAG_GRE_WAIT_US, next_send = t0;

	for (;;) {
		uint64_t now = now_us();
		/* Ours go on until answered: a server may acknowledge only in
		 * the data it sends next. */
		if (!pr->proof && now >= next_send) {
			gre_send_frame(d, pr->frame, sizeof pr->frame);
			next_send = now + DIAG_LCP_RESEND_US;
			if (!pr->tx_seq && (pr->send_errno == EPERM || pr->send_errno == EACCES))
				return STEP_OK;
		}
		if (pr->proof || now >= deadline)
			return STEP_OK;
		enum wait_result w = pump(d, next_send < deadline ? next_send : deadline, true, &ev);
		if (w == W_INTERRUPTED)
			return interrupted(d);
		if (w == W_ERROR)
			return local_failure(d, errno, "poll failed");
		if (w == W_EVENT && call_lost(d, &ev) == STEP_END)
			return STEP_END;
	}
}

/* Our GRE could not even leave this machine. */
static enum step_result gre_send_failed(struct diag *d)
{
	struct gre_probe *pr = &d->probe;
	int e = pr->send_errno;

	step_end(d, "cannot send GRE: %s", strerror(e));
	if (e == EPERM || e == EACCES)
		return give_up(d, (struct pptp_reason){ .cause = CAUSE_GRE_BLOCKED, .err = e },
			       "The system refused to send our GRE packet, which is what a local "
			       "firewall rule against protocol 47 does. List the rules with 'nft "
			       "list ruleset' or 'iptables -S OUTPUT' and allow GRE out, e.g. "
			       "'iptables -I OUTPUT -p gre -j ACCEPT'.", "GRE (IP protocol 47) is "
			       "not getting through: a firewall rule on this machine refuses to "
			       "send it");
	char what[200];
	snprintf(what, sizeof what, "sending GRE failed: %s", strerror(e));
	return give_up(d, (struct pptp_reason){ .cause = CAUSE_LOCAL, .err = e }, what,
		       "a problem on this machine stopped the diagnosis");
}

static enum step_result step_gre(struct diag *d)
{
	struct gre_probe *pr = &d->probe;
	uint32_t magic = 0;

	if (getrandom(&magic, sizeof magic, GRND_NONBLOCK) != (ssize_t)sizeof magic)
		magic = (uint32_t)now_us() ^ ((uint32_t)getpid() << 16);
	if (!magic)
		magic = 0x50505450u;	/* a magic number must not be zero */
	pr->lcp_id = (uint8_t)(1 + (magic >> 24) % 255);
	lcp_probe_confreq(pr->frame, pr->lcp_id, magic);

	step_begin(d, "[6/8] GRE both ways: ");
	if (gre_probe_run(d) != STEP_OK)
		return STEP_END;
	if (!pr->tx_seq)
		return gre_send_failed(d);
	char sent[80] = "sent an LCP Configure-Request";
	if (pr->tx_seq > 1)
		snprintf(sent, sizeof sent, "sent an LCP Configure-Request %u times", pr->tx_seq);
	unsigned secs = (unsigned)(DIAG_GRE_WAIT_US / 1000000u);
	if (!pr->rx) {
		step_end(d, "%s; no GRE came back within %u s", sent, secs);
		return give_up(d, (struct pptp_reason){ .cause = CAUSE_GRE_BLOCKED },
			       diag_gre_blocked_advice, "GRE (IP protocol 47) is not getting "
			       "through: a firewall or NAT between you and the server is blocking it");
	}
	step_end(d, "%s, got GRE back in %lu ms: %s", sent,
		 ms_since(pr->first_sent_us, pr->first_rx_us), pr->first_what);
	if (!pr->proof) {
		/* Evidence one way only: the server's GRE arrives, nothing says
		 * that ours do. */
		if (pr->peer_confreqs > 1)
			printf("      its PPP repeated its own Configure-Request (%u times) and never "
			       "answered ours; none of our %u packets was acknowledged within %u s\n",
			       pr->peer_confreqs, pr->tx_seq, secs);
		else
			printf("      %u GRE packets from the server, none answering ours; none of our "
			       "%u packets was acknowledged within %u s\n", pr->rx, pr->tx_seq, secs);
		return give_up(d, (struct pptp_reason){ .cause = CAUSE_GRE_BLOCKED },
			       diag_gre_outbound_advice, "GRE (IP protocol 47) gets through one "
			       "way only: the server's reaches this machine, ours does not reach "
			       "the server");
	}
	printf("      ours reach the server too: %s\n", pr->proof_what);
	fflush(stdout);
	return STEP_OK;
}

/* ---- step 7: path MTU (diagnose_mtu.c, on the loop of this file) ---- */

static int mtu_send(void *ctx, const uint8_t *f, size_t n)
{
	return gre_send_frame(ctx, f, n);
}

static bool mtu_wait(void *ctx, uint64_t deadline)
{
	struct diag *d = ctx;
	struct pptp_event ev;
	enum wait_result w = pump(d, deadline, true, &ev);
	enum step_result r = w == W_INTERRUPTED ? interrupted(d)
			     : w == W_ERROR ? local_failure(d, errno, "poll failed")
			     : w == W_EVENT ? call_lost(d, &ev) : STEP_OK;

	return r == STEP_OK;	/* otherwise the verdict is said, d->why set */
}

static enum step_result step_mtu(struct diag *d)
{
	struct diag_mtu m = { 0 };
	struct diag_mtu_out out;
	struct diag_link l = { .ctx = d, .fd = d->gre_fd, .send = mtu_send, .wait = mtu_wait };

	step_begin(d, "[7/8] path MTU: ");
	d->mtu = &m;
	enum diag_mtu_result r = diag_mtu_run(&m, &l, &out);
	d->mtu = NULL;
	if (r == DIAG_MTU_ENDED)
		return STEP_END;
	step_end(d, "%s", out.line);
	fputs(out.detail, stdout);
	if (r == DIAG_MTU_PASS)
		return STEP_OK;
	return give_up(d, (struct pptp_reason){ .cause = CAUSE_PATH_MTU }, out.advice, "%s",
		       out.verdict);
}

/* ---- step 8: teardown ---- */

static void step_teardown(struct diag *d)
{
	struct pptp_event ev;
	char call_text[200] = "", conn_text[200] = "";
	uint64_t t0 = now_us(), deadline = t0 + DIAG_TEARDOWN_US;

	step_begin(d, "[8/8] teardown: ");
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

/* Steps 3 and 4 at each address in turn until one accepts a control
 * connection (STEP_OK); when none does, the deepest failure's verdict. */
static enum step_result try_addresses(struct diag *d, const uint32_t *addrs, int n)
{
	for (int i = 0; i < n; i++) {
		d->addr = addrs[i];
		enum step_result r = step_tcp(d, i, n);
		if (r == STEP_OK)
			r = step_ctrl(d);
		if (r != STEP_NEXT)
			return r;
	}
	verdict(d->fail_verdict, "what to do:", d->fail_advice);
	d->why = d->fail;
	return STEP_END;
}

/* Every step, in order, until one ends the diagnosis; d->why says why. */
static void run_tree(struct diag *d)
{
	uint32_t addrs[DIAG_MAX_ADDRS];

	if (step_local(d) != STEP_OK)
		return;
	int n = step_resolve(d, addrs, DIAG_MAX_ADDRS);
	if (n == 0)
		return;
	/* Signals: a Ctrl-C still tears down what exists on the server. */
	d->sig_fd = proc_signals_open(PROC_SIG_STOP);
	if (d->sig_fd < 0) {
		fprintf(stderr, "pptp: signalfd: %s\n", strerror(-d->sig_fd));
		d->why = (struct pptp_reason){ .cause = CAUSE_LOCAL, .err = -d->sig_fd };
		return;
	}
	if (try_addresses(d, addrs, n) != STEP_OK || step_call(d) != STEP_OK ||
	    step_gre(d) != STEP_OK || step_mtu(d) != STEP_OK)
		return;
	step_teardown(d);
	verdict("every layer works", "if a tunnel to this server still fails:", diag_ppp_advice);
	d->why = (struct pptp_reason){ .cause = CAUSE_NONE };
}

/* The GRE test needs a raw socket: said before anything else is tried.
 * 0, or -errno with the reason printed. */
static int check_raw_socket(void)
{
	int probe = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_GRE);
	if (probe >= 0) {
		close(probe);
		return 0;
	}
	int e = errno;
	if (e == EPERM || e == EACCES)
		fprintf(stderr, "pptp: --diagnose needs root: its GRE test uses a raw socket "
			"(CAP_NET_RAW). Run it as root, e.g. with sudo.\n");
	else
		fprintf(stderr, "pptp: --diagnose cannot open a raw GRE socket: %s\n",
			strerror(e));
	return -e;
}

int diagnose_run(const struct pptp_options *o)
{
	struct diag *d = calloc(1, sizeof *d);
	struct pptp_reason why = { .cause = CAUSE_LOCAL, .err = ENOMEM };

	if (!d) {
		fprintf(stderr, "pptp: out of memory\n");
		return pptp_exit_for_reason(&why);
	}
	d->o = o;
	d->gre_fd = d->sig_fd = -1;
	d->call = -1;
	/* A person watching sees each step start; with --debug the log lines
	 * would break such half lines, so they are printed whole. */
	d->split_lines = isatty(STDOUT_FILENO) && !o->debug;
	setvbuf(stdout, NULL, _IOLBF, 0);

	int r = check_raw_socket();
	if (r < 0) {
		d->why = (struct pptp_reason){ .cause = CAUSE_LOCAL, .err = -r };
	} else {
		run_tree(d);
		quiet_teardown(d);
		if (d->sig_fd >= 0)
			close(d->sig_fd);
	}
	why = d->why;
	free(d);
	return pptp_exit_for_reason(&why);
}
