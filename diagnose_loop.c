/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diagnose_loop.c - --diagnose's output and its poll loop: the control
 * connection (ctrl_session.c) and the GRE socket, the stop signals, and
 * the GRE packets for our call, read for the steps (see diagnose_int.h). */
#include "diagnose_int.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ctrl_session.h"
#include "diagnose_mtu.h"
#include "gre_engine.h"
#include "proc.h"

void step_begin(struct diag *d, const char *fmt, ...)
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

void step_end(struct diag *d, const char *fmt, ...)
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

void verdict(const char *line, const char *heading, const char *advice)
{
	printf("verdict: %s\n", line);
	if (advice && *advice) {
		printf("%s\n", heading);
		print_wrapped(stdout, advice, DIAG_WIDTH);
	}
	fflush(stdout);
}

unsigned long ms_since(uint64_t t0, uint64_t t1)
{
	return t1 > t0 ? (unsigned long)((t1 - t0 + 500) / 1000) : 0;
}

/* ---- the poll loop around the control engine ---- */

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
		if (h.has_seq) {
			pr->peer_seq = h.seq;
			pr->have_peer_seq = true;
		}
		if (d->mtu)
			diag_mtu_frame(d->mtu, payload, h.payload_len);
		char what[120];
		enum lcp_probe_kind kind = lcp_probe_describe(payload, h.payload_len, pr->frame,
							      sizeof pr->frame, pr->lcp_id, what,
							      sizeof what);
		if (kind == LCP_PROBE_PEER_CONFREQ)
			pr->peer_confreqs++;
		if (!pr->rx++) {
			pr->first_rx_us = now;
			str_copy(pr->first_what, what, sizeof pr->first_what);
		}
		if (!pr->proof && h.has_ack && pr->tx_seq && h.ack < pr->tx_seq) {
			pr->proof = true;
			snprintf(pr->proof_what, sizeof pr->proof_what,
				 "the server acknowledged our GRE");
		}
		if (!pr->proof && kind == LCP_PROBE_ANSWER) {
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
enum wait_result pump(struct diag *d, uint64_t deadline, bool watch_gre,
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
		/* POLLERR too: a read takes the ICMP error the kernel holds for us. */
		bool got_gre = gre_at >= 0 && (pfd[gre_at].revents & (POLLIN | POLLERR)) &&
			       gre_read(d, now);
		if (d->sess)
			ctrl_session_tick(d->sess, now);
		if (got_gre)
			return W_GRE;
	}
}

/* End whatever is still open on the server, briefly and without a word:
 * after a failure the verdict is what matters. */
void quiet_teardown(struct diag *d)
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
