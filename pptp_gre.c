/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pptp_gre.c - the GRE-to-PPP gateway loop.
 *
 * One poll loop: frames from pppd are decoded (async HDLC, or one frame per
 * read under --sync) and handed to the GRE engine; GRE packets from the
 * server go through the engine's reordering and come out as frames that
 * are queued for pppd.  pppd is never written with a blocking write: a
 * bounded queue absorbs a slow pppd, so the tunnel cannot deadlock.  The
 * call manager socket tells us when the call is gone; signals arrive on a
 * signalfd. */
#include "pptp_gre.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "exitstatus.h"
#include "pptp_gre_int.h"
#include "gre_engine.h"
#include "gre_watch.h"
#include "gw_mtu.h"
#include "hdlc.h"
#include "callmgr_client.h"
#include "pppd.h"
#include "proc.h"
#include "sockutil.h"
#include "stats.h"
#include "status.h"
#include "util.h"

/* ---- the gateway's state ---- */

/* Stopping began (pppd asked to stop, or there was none to ask): pppd's
 * end is then expected, and no longer news to log.  (DONE is also where
 * an ENDING pass ends up, but then nothing runs any more to ask.) */
static bool stop_begun(const struct gateway *g)
{
	return g->state == GW_STOPPING || g->state == GW_DONE;
}

/* The one place the state changes.  why: what stops the tunnel, for
 * GW_EV_STOP. */
static void gw_step(struct gateway *g, enum gw_event ev, const char *why, uint64_t now)
{
	bool pppd_runs = g->pppd.status == GW_PPPD_RUNNING;

	if (ev == GW_EV_PASS_END && g->state == GW_ENDING && pppd_runs) {
		/* With pppd launched by us, the tunnel ends when pppd has: its
		 * exit status is ours. */
		ev = GW_EV_STOP;
		why = g->cm_ended ? "the call is over" : "pppd hung up";
	}
	switch (ev) {
	case GW_EV_OVER:
		if (g->state == GW_RUNNING)
			g->state = GW_ENDING;
		else if (g->state == GW_STOPPING && !pppd_runs)
			g->state = GW_DONE;	/* pppd has gone */
		return;
	case GW_EV_PASS_END:
		if (g->state == GW_ENDING)
			g->state = GW_DONE;
		return;
	case GW_EV_STOP:
		if (stop_begun(g))
			return;
		g->state_since = (int64_t)time(NULL);
		log_notice("%s: shutting down", why);
		if (pppd_runs) {
			/* pppd says goodbye to the server (LCP Terminate) through us. */
			kill(g->p->pppd_pid, SIGTERM);
			g->pppd.stop_deadline = now + GATEWAY_PPPD_GRACE_US;
			g->state = GW_STOPPING;
		} else {
			tunnel_end_reason(&g->end, &(struct pptp_reason){ .cause = CAUSE_STOPPED });
			g->state = GW_DONE;
		}
		return;
	}
}

/* ---- output to pppd ---- */

static uint8_t *outq_reserve(struct gateway *g, size_t need)
{
	if (g->ppp.outq_len + need > GATEWAY_OUTQ_MAX)
		return NULL;
	if (g->ppp.outq_head + g->ppp.outq_len + need > GATEWAY_OUTQ_MAX) {
		memmove(g->ppp.outq, g->ppp.outq + g->ppp.outq_head, g->ppp.outq_len);
		g->ppp.outq_head = 0;
	}
	return g->ppp.outq + g->ppp.outq_head + g->ppp.outq_len;
}

/* Until the first network-layer frame, the tunnel is still negotiating. */
static void note_frame(struct gateway *g, const uint8_t *frame, size_t len)
{
	if (!g->net_seen && ppp_frame_is_network(frame, len)) {
		g->net_seen = true;
		g->state_since = (int64_t)time(NULL);
		log_info("PPP carries traffic: the tunnel is connected");
	}
}

static void deliver(void *ctx, const uint8_t *payload, size_t len)
{
	struct gateway *g = ctx;
	uint8_t *dst;

	if (!g->net_seen)
		note_frame(g, payload, len);
	gre_watch_peer_ppp(&g->watch, payload, len);

	if (g->ppp.sync) {
		dst = outq_reserve(g, len + 2);
		if (!dst) {
			g->stats.rx_pppd_dropped++;
			return;
		}
		put16(dst, (uint16_t)len);
		memcpy(dst + 2, payload, len);
		g->ppp.outq_len += len + 2;
		return;
	}
	dst = outq_reserve(g, HDLC_ENCODED_MAX(len));
	if (!dst) {
		g->stats.rx_pppd_dropped++;
		return;
	}
	g->ppp.outq_len += hdlc_encode(payload, len, dst, HDLC_ENCODED_MAX(len));
}

void pppd_hung_up(struct gateway *g, const char *why)
{
	if (g->ppp.closed)
		return;
	g->ppp.closed = true;
	g->ppp.outq_len = 0;
	if (!stop_begun(g))
		log_notice("%s: ending the call", why);
	gw_step(g, GW_EV_OVER, NULL, 0);
	if (g->pppd.status == GW_PPPD_NONE)
		tunnel_end_reason(&g->end, &(struct pptp_reason){ .cause = CAUSE_STOPPED });
}

static void flush_outq(struct gateway *g)
{
	while (g->ppp.outq_len) {
		const uint8_t *p = g->ppp.outq + g->ppp.outq_head;
		size_t n = g->ppp.outq_len, skip = 0;
		if (g->ppp.sync) {
			/* One write per frame: that is what keeps frames apart. */
			n = get16(p);
			p += 2;
			skip = 2;
		}
		ssize_t w = write(g->p->ppp_out, p, n);
		if (w < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			if (errno == EIO || errno == EPIPE) {
				pppd_hung_up(g, "pppd closed its side");
				return;
			}
			log_warn("write to pppd failed: %s", strerror(errno));
			g->ppp.outq_len = 0;
			return;
		}
		if (g->ppp.sync && (size_t)w != n) {
			/* A frame's tail cannot follow on its own: it is lost. */
			g->stats.rx_pppd_dropped++;
			if (!g->said.sync_short) {
				g->said.sync_short = true;
				log_warn("pppd took part of a sync frame (%zd of %zu bytes): the frame is "
					 "lost; further ones are only counted, in \"rx pppd dropped\"", w, n);
			}
		}
		if (!g->ppp.sync && w == 0)
			return;	/* nothing taken: wait for POLLOUT again */
		size_t used = g->ppp.sync ? skip + n : (size_t)w;
		g->ppp.outq_head += used;
		g->ppp.outq_len -= used;
		if (!g->ppp.outq_len)
			g->ppp.outq_head = 0;
	}
}

/* ---- GRE ---- */

static void note_send_error(struct gateway *g, int err)
{
	if (err == EMSGSIZE)	/* an ICMP fragmentation-needed the kernel kept for us */
		gw_mtu_reported(&g->mtu, &g->stats);
	else if ((err == EPERM || err == EACCES) && !g->said.gre_blocked) {
		g->said.gre_blocked = true;
		log_warn("sending GRE is not permitted: a local firewall (iptables/nftables) "
			 "blocks IP protocol 47");
	}
}

/* The engine took a batched packet as sent when it was queued; the kernel
 * refused it (failed) or took part of it (short): the engine corrects its
 * counters and, if the packet carried its newest ack, sends that again.
 * The clock is read here because a full batch is flushed from inside the
 * send callback, which is given no time. */
static void uncount_sent(struct gateway *g, const struct iovec *iov, bool short_write)
{
	gre_send_outcome(&g->gre, iov->iov_base, iov->iov_len,
			 short_write ? GRE_SEND_SHORT : GRE_SEND_FAILED, now_us());
}

/* The decoder's frame goes where the next packet of the batch will be, so
 * that a frame from pppd is sent from where it was decoded.  (A frame in
 * progress moves with it: only when a packet is queued or the batch sent
 * while pppd's frame is split between two reads.) */
static void slot_follow(struct gateway *g)
{
	hdlc_decoder_move(&g->ppp.dec, g->tx.arena + g->tx.used + GRE_HDR_MAX);
}

/* Send the batch with as few system calls as the kernel allows. */
static void flush_tx(struct gateway *g)
{
	unsigned off = 0;

	while (off < g->tx.n) {
		int r = sendmmsg(g->p->gre_fd, g->tx.msgs + off, g->tx.n - off, MSG_DONTWAIT);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			/* The first remaining packet failed; the rest get their own try. */
			note_send_error(g, errno);
			uncount_sent(g, &g->tx.iov[off], false);
			off++;
			continue;
		}
		for (int i = 0; i < r; i++)
			if (g->tx.msgs[off + i].msg_len != g->tx.iov[off + i].iov_len)
				uncount_sent(g, &g->tx.iov[off + i], true);
		off += (unsigned)r;
	}
	g->tx.n = 0;
	g->tx.used = 0;
	slot_follow(g);
}

/* The engine's send callback: packets wait in the batch until the end of
 * this pass of the loop (or until the batch is full).  A frame decoded in
 * the slot comes back here in place (gre_tx_inplace) and is queued where
 * it is; any other packet (acks, frames that waited) is copied in. */
static enum gre_send_result send_gre(void *ctx, const uint8_t *pkt, size_t len)
{
	struct gateway *g = ctx;
	uintptr_t at = (uintptr_t)pkt - (uintptr_t)g->tx.arena;
	bool in_place = at >= g->tx.used && at < TX_ARENA;

	if (g->tx.n == TX_BATCH || (!in_place && TX_ARENA - g->tx.used - TX_SLOT < len))
		flush_tx(g);	/* leaves the packet in place where it is */
	if (in_place) {
		g->tx.iov[g->tx.n++] = (struct iovec){ (void *)(uintptr_t)pkt, len };
		g->tx.used = at + len;
	} else {
		/* The frame in progress first, out of the way */
		uint8_t *dst = g->tx.arena + g->tx.used;
		g->tx.used += len;
		slot_follow(g);
		memcpy(dst, pkt, len);
		g->tx.iov[g->tx.n++] = (struct iovec){ dst, len };
	}
	if (TX_ARENA - g->tx.used < TX_SLOT)
		flush_tx(g);
	else
		slot_follow(g);
	return GRE_SEND_OK;
}

/* Bad packets are counted; each kind is also said once, at warning level,
 * so that a log shows what went wrong without one line per packet. */
static void note_malformed(struct gateway *g, enum gre_rx_result kind, const char *what)
{
	bool *said = kind == GRE_RX_TRUNCATED ? &g->said.gre_truncated : &g->said.gre_invalid;

	if (*said)
		return;
	*said = true;
	log_warn("dropped a malformed GRE packet (%s); further ones are only counted, in \"rx %s\"",
		 what, kind == GRE_RX_TRUNCATED ? "truncated" : "invalid");
}

static void note_rx_error(struct gateway *g, int err)
{
	g->stats.rx_errors++;
	if (g->said.gre_rx_error) {
		log_debug("GRE receive error: %s", strerror(err));
		return;
	}
	g->said.gre_rx_error = true;
	/* What the kernel made of an ICMP error about our GRE. */
	const char *why = err == ENOPROTOOPT
		? " (the server's host answered our GRE with ICMP protocol-unreachable: nothing "
		  "there takes GRE, or a firewall rejects IP protocol 47)"
		: err == EHOSTUNREACH || err == ENETUNREACH
		? " (an ICMP unreachable came back for our GRE: a router on the path cannot reach "
		  "the server)"
		: "";
	log_warn("GRE receive error: %s%s; further ones are only counted, in \"rx OS errors\"",
		 strerror(err), why);
}

/* One frame from pppd went to the engine. */
static void note_tx_frame(struct gateway *g, const uint8_t *frame, size_t len, uint64_t now)
{
	gre_watch_tx(&g->watch, frame, len, now);
	gw_mtu_frame(&g->mtu, len, &g->stats, now);
}

/* Frames from pppd that the HDLC decoder threw away: said once per kind. */
static void note_decoder_drops(struct gateway *g)
{
	static const char *const fix = "; further ones are only counted";
	struct hdlc_counts c = hdlc_decoder_counts(&g->ppp.dec);

	/* A frame too big for the decoder is a frame we could not send. */
	g->stats.tx_oversize += c.oversize - g->ppp.dec_seen.oversize;
	if (c.bad_fcs != g->ppp.dec_seen.bad_fcs && !g->said.bad_fcs) {
		g->said.bad_fcs = true;
		log_warn("dropped a frame from pppd with a bad FCS (the tty corrupts data, or "
			 "pppd is in sync mode: then use --sync)%s", fix);
	}
	if (c.runts != g->ppp.dec_seen.runts && !g->said.runt) {
		g->said.runt = true;
		log_warn("dropped a frame from pppd shorter than 4 bytes%s", fix);
	}
	if (c.aborts != g->ppp.dec_seen.aborts && !g->said.abort) {
		g->said.abort = true;
		log_warn("dropped a frame that pppd aborted (0x7d 0x7e)%s", fix);
	}
	g->ppp.dec_seen = c;
}

static void gre_readable(struct gateway *g, uint64_t now)
{
	struct mmsghdr *msgs = g->rx.msgs;
	const struct iovec *iov = g->rx.iov;

	for (int round = 0; round < 4; round++) {
		int n = recvmmsg(g->p->gre_fd, msgs, RX_BATCH, MSG_DONTWAIT, NULL);
		if (n < 0) {
			if (errno == EMSGSIZE)	/* an ICMP, not a failed read */
				gw_mtu_reported(&g->mtu, &g->stats);
			else if (errno != EAGAIN && errno != EINTR)
				note_rx_error(g, errno);
			return;
		}
		for (int i = 0; i < n; i++) {
			const uint8_t *pkt = iov[i].iov_base;
			size_t len = msgs[i].msg_len;
			uint32_t src;
			/* Bigger than the buffer means bigger than any frame
			 * PPTP carries: not a packet we could have used. */
			if (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
				g->stats.rx_invalid++;
				note_malformed(g, GRE_RX_INVALID, "larger than the largest PPP frame");
				continue;
			}
			size_t off = ip4_gre_offset(pkt, len, &src);
			if (!off) {
				g->stats.rx_invalid++;
				note_malformed(g, GRE_RX_INVALID, "not a well-formed IPv4 packet");
				continue;
			}
			if (src != g->p->server)
				continue;	/* only the server's GRE is ours */
			enum gre_rx_result r = gre_rx(&g->gre, pkt + off, len - off, now);
			if (r == GRE_RX_DATA || r == GRE_RX_ACK) {
				if (gre_watch_rx(&g->watch, now))
					log_notice("GRE packets from the server arrive again");
			} else if (r == GRE_RX_TRUNCATED) {
				note_malformed(g, r, "shorter than its GRE header says");
			} else if (r == GRE_RX_INVALID) {
				note_malformed(g, r, "flags, version, protocol or length not PPTP's");
			}
		}
		if (n < RX_BATCH)
			return;
	}
}

/* ---- input from pppd ---- */

void tell_pppd_running(struct gateway *g)
{
	if (g->pppd.running_told || !g->p->pppd_running)
		return;
	g->pppd.running_told = true;
	g->p->pppd_running(g->p->pppd_running_ctx);
}

static void ppp_readable(struct gateway *g, uint64_t now)
{
	ssize_t n = read(g->p->ppp_in, g->ppp.buf, PPP_READ_MAX);

	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		if (errno == EIO)
			pppd_hung_up(g, "pppd closed the tty");
		else
			pppd_hung_up(g, "reading from pppd failed");
		return;
	}
	if (n == 0) {
		pppd_hung_up(g, "pppd closed the connection");
		return;
	}
	if (!g->pppd.first_frame) {
		g->pppd.first_frame = true;
		tell_pppd_running(g);
		/* pppd has the tty open now: from here on its hangup must reach us. */
		if (g->pppd.slave >= 0) {
			close(g->pppd.slave);
			g->pppd.slave = -1;
		}
	}
	if (g->ppp.sync) {
		if (!g->net_seen)
			note_frame(g, g->ppp.buf, (size_t)n);
		gre_tx(&g->gre, g->ppp.buf, (size_t)n, now);
		note_tx_frame(g, g->ppp.buf, (size_t)n, now);
		return;
	}
	const uint8_t *in = g->ppp.buf, *end = g->ppp.buf + n, *frame;
	size_t flen;
	while (hdlc_decode(&g->ppp.dec, &in, end, &frame, &flen)) {
		if (!g->net_seen)
			note_frame(g, frame, flen);
		/* before the frame is sent: a --test-type hold may reuse its place */
		note_tx_frame(g, frame, flen, now);
		/* the decoder's buffer is the slot: the frame goes out from there */
		gre_tx_inplace(&g->gre, g->ppp.dec.buf, flen, now);
	}
	note_decoder_drops(g);
}

/* ---- call manager, signals, pppd ---- */

static void cm_readable(struct gateway *g)
{
	uint8_t buf[CM_WIRE_LEN + 1];
	struct cm_msg m;
	ssize_t n = recv(g->p->cm_fd, buf, sizeof buf, MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	g->cm_ended = true;
	if (n > 0 && cm_msg_decode(buf, (size_t)n, &m) == 0 && m.type == CM_CALL_GONE) {
		if (pptp_exit_for_reason(&m.reason) == PPTP_EXIT_OK)
			log_notice("the call has ended: %s", m.text);
		else
			log_err("the call has ended: %s", m.text);
		tunnel_end_reason(&g->end, &m.reason);
	} else {
		log_err("the call manager went away: the call is lost");
		callmgr_remove_stale(g->p->opt, g->p->server);
		tunnel_end_reason(&g->end, &(struct pptp_reason){ .cause = CAUSE_LOCAL });
	}
	gw_step(g, GW_EV_OVER, NULL, 0);
}

static void serve_status(struct gateway *g)
{
	struct tunnel_status t = {
		.pid = getpid(),
		.pppd_pid = g->p->pppd_pid,
		.state = g->state != GW_RUNNING ? TUNNEL_TERMINATED
			 : g->net_seen ? TUNNEL_CONNECTED : TUNNEL_VERIFYING,
		.started = g->p->started,
		.since = g->state_since,
		.call_id = g->p->call.call_id,
		.peer_call_id = g->p->call.peer_call_id,
	};
	stats_collect(t.stats, &g->gre.st, &g->stats);
	if (g->p->kernel)
		gateway_kernel_status(g, &t);
	str_copy(t.server, g->server_str, sizeof t.server);
	str_copy(t.server_name, g->p->server_name ? g->p->server_name : "", sizeof t.server_name);
	str_copy(t.logstring, g->p->opt->logstring, sizeof t.logstring);
	status_serve(g->p->status_fd, &t);
}

static void dump_stats(struct gateway *g, int level)
{
	char line[STATS_LINE_MAX];
	uint64_t v[STATS_N];

	if (g->p->kernel) {
		kernel_counters_format(g->p->kernel, g->kern.sampled ? &g->kern.last : NULL,
				       line, sizeof line);
		log_msg(level, "statistics (call %u/%u): %s", g->p->call.call_id,
			g->p->call.peer_call_id, line);
		return;
	}
	stats_collect(v, &g->gre.st, &g->stats);
	stats_format(v, line, sizeof line);
	log_msg(level, "GRE statistics (call %u/%u): %s", g->p->call.call_id,
		g->p->call.peer_call_id, line);
}

/* SIGCHLD: what became of pppd.  An exit 0 is pppd going into the
 * background (updetach) only once it has the tty open and while the
 * tunnel runs. */
static void reap_pppd(struct gateway *g)
{
	bool may_detach = g->state == GW_RUNNING && g->pppd.slave < 0;
	int st = 0;

	switch (pppd_reap(g->p->pppd_pid, may_detach, stop_begun(g), &st)) {
	case PPPD_NO_NEWS:
		break;
	case PPPD_DETACHED:
		g->pppd.status = GW_PPPD_DETACHED;
		break;
	case PPPD_ENDED:
		g->pppd.status = GW_PPPD_GONE;
		tunnel_end_pppd(&g->end, st, stop_begun(g));
		gw_step(g, GW_EV_OVER, NULL, 0);
		break;
	}
}

static void signals_readable(struct gateway *g, uint64_t now)
{
	int sig;

	while ((sig = proc_signal_next(g->p->sig_fd)) != 0) {
		if (sig == SIGUSR1) {
			dump_stats(g, L_NOTICE);
		} else if (sig == SIGCHLD) {
			reap_pppd(g);
		} else if (proc_sig_is_stop(sig)) {
			char why[64];
			snprintf(why, sizeof why, "signal %s", sigabbrev_np(sig));
			gw_step(g, GW_EV_STOP, why, now);
		}
	}
}

/* Whether GRE gets through, each way: the warnings gre_watch.c finds due. */
static void watch_check(struct gateway *g, uint64_t now)
{
	const struct gre_watch *w = &g->watch;

	if (gre_watch_in_due(&g->watch, now)) {
		unsigned long long secs = (now - w->tx_quiet_since_us) / 1000000u;
		unsigned long long frames = w->tx_since_gre;
		if (w->last_gre_us)
			/* GRE did get through before: not a firewall, a server
			 * or path that stopped sending. */
			log_warn("no GRE packets from the server any more: it stopped sending, or "
				 "the path now drops them (none for %llu s while pppd sent %llu "
				 "frames)", secs, frames);
		else
			log_warn("no GRE packets from the server: IP protocol 47 is blocked by a "
				 "firewall or NAT on the path (none for %llu s while pppd sent %llu "
				 "frames; or the server could not start its pppd); pppd will report "
				 "\"LCP: timeout sending Config-Requests\"", secs, frames);
	}
	if (gre_watch_out_due(&g->watch, now, gre_peer_acked(&g->gre))) {
		g->stats.tx_unheard++;
		log_warn("our GRE packets are not reaching the server: none of the %llu sent in "
			 "%llu s was acknowledged and its PPP only repeats its Configure-Request, "
			 "while its GRE keeps arriving (the way in works, unlike \"no GRE packets "
			 "from the server\"): GRE out is blocked by this machine's output firewall, "
			 "a NAT router's PPTP passthrough or helper, or the server's input firewall",
			 (unsigned long long)g->gre.st.tx_sent,
			 (unsigned long long)((now - w->tx_since_us) / 1000000u));
	}
}

/* pppd's timers.  It ran GATEWAY_PPPD_SETTLE_US without exiting: tell
 * whoever waits for that (once the tunnel is over, its outcome is what
 * they hear instead).  It had GATEWAY_PPPD_GRACE_US to stop: kill it. */
static void pppd_timers(struct gateway *g, uint64_t now)
{
	bool alive = g->pppd.status == GW_PPPD_NONE || g->pppd.status == GW_PPPD_RUNNING;

	if (!g->pppd.running_told && alive && (g->state == GW_RUNNING || g->state == GW_STOPPING) &&
	    now >= g->call_up_us + GATEWAY_PPPD_SETTLE_US)
		tell_pppd_running(g);
	if (g->state == GW_STOPPING && g->pppd.stop_deadline && now >= g->pppd.stop_deadline &&
	    g->pppd.status == GW_PPPD_RUNNING) {
		log_warn("pppd did not exit within %llu s: killing it",
			 (unsigned long long)(GATEWAY_PPPD_GRACE_US / 1000000u));
		kill(g->p->pppd_pid, SIGKILL);
		g->pppd.stop_deadline = 0;
	}
}

/* --loglevel 2: the statistics line every GATEWAY_SUMMARY_US while data
 * comes in (under --kernel, as pppd's interface counts it). */
static void summary_due(struct gateway *g, uint64_t now)
{
	if (now < g->summary.next_us)
		return;
	uint64_t in = g->p->kernel ? g->kern.last.v[KSTATS_RX_PACKETS] : g->gre.st.rx_accepted;
	if (in != g->summary.last_accepted)
		dump_stats(g, L_DEBUG);
	g->summary.last_accepted = in;
	g->summary.next_us = now + GATEWAY_SUMMARY_US;
}

/* The first of the loop's deadlines, given t, the GRE engine's. */
static uint64_t next_deadline(const struct gateway *g, uint64_t t)
{
	t = gre_watch_next(&g->watch, t);
	if (g->state == GW_STOPPING && g->pppd.stop_deadline && g->pppd.stop_deadline < t)
		t = g->pppd.stop_deadline;
	if (!g->pppd.running_told && g->call_up_us + GATEWAY_PPPD_SETTLE_US < t)
		t = g->call_up_us + GATEWAY_PPPD_SETTLE_US;
	if (g->summary.next_us < t)
		t = g->summary.next_us;
	if (g->p->kernel && g->kern.next_us < t)
		t = g->kern.next_us;
	return t;
}

/* What the poll set depends on: the call manager still there, pppd's side
 * open, output waiting for pppd.  Never 0, so a zeroed gateway has none. */
static unsigned pollset_key(const struct gateway *g)
{
	return 8u | (unsigned)g->cm_ended | (unsigned)g->ppp.closed << 1 |
	       (unsigned)(g->ppp.outq_len != 0) << 2 |
	       (unsigned)(g->p->kernel && g->p->kernel->peer_chan >= 0) << 4;
}

static void pollset_build(struct gateway *g)
{
	const struct gateway_params *p = g->p;
	struct pollfd *pfd = g->pollset.fd;
	int n = 0;

	g->pollset.cm_at = g->pollset.ppp_in_at = g->pollset.ppp_out_at = g->pollset.st_at = -1;
	g->pollset.gre_at = g->pollset.kern_at = -1;
	pfd[n++] = (struct pollfd){ .fd = p->sig_fd, .events = POLLIN };
	if (p->gre_fd >= 0) {
		g->pollset.gre_at = n;
		pfd[n++] = (struct pollfd){ .fd = p->gre_fd, .events = POLLIN };
	}
	/* pppd's channel hangs up when its line closes (no event otherwise) */
	if (p->kernel && p->kernel->peer_chan >= 0 && !g->ppp.closed) {
		g->pollset.kern_at = n;
		pfd[n++] = (struct pollfd){ .fd = p->kernel->peer_ppp, .events = 0 };
	}
	if (!g->cm_ended) {
		g->pollset.cm_at = n;
		pfd[n++] = (struct pollfd){ .fd = p->cm_fd, .events = POLLIN };
	}
	if (!g->ppp.closed && p->ppp_in >= 0) {
		short out = g->ppp.outq_len ? POLLOUT : 0;
		g->pollset.ppp_in_at = n;
		pfd[n++] = (struct pollfd){ .fd = p->ppp_in,
					    .events = (short)(POLLIN | (p->ppp_in == p->ppp_out ? out : 0)) };
		if (p->ppp_in != p->ppp_out && out) {
			g->pollset.ppp_out_at = n;
			pfd[n++] = (struct pollfd){ .fd = p->ppp_out, .events = POLLOUT };
		}
	}
	if (p->status_fd >= 0) {
		g->pollset.st_at = n;
		pfd[n++] = (struct pollfd){ .fd = p->status_fd, .events = POLLIN };
	}
	g->pollset.n = n;
	g->pollset.key = pollset_key(g);
}

static int gateway_setup(struct gateway *g, const struct gateway_params *p)
{
	const struct pptp_options *o = p->opt;
	struct gre_config cfg = {
		.our_call_id = p->call.call_id,
		.peer_call_id = p->call.peer_call_id,
		.peer_window = p->call.peer_window,
		.our_window = GRE_RECV_WINDOW,
		.reorder_timeout_us = o->timeout_us,
		.nobuffer = o->nobuffer,
		.missing_window = o->missing_window,
		.test_type = o->test_type,
		.test_rate = o->test_rate,
	};
	struct gre_io io = { .ctx = g, .send = send_gre, .deliver = deliver,
			     .log = log_engine, .log_ctx = NULL };

	g->p = p;
	g->state = GW_RUNNING;
	g->pppd.status = p->pppd_pid ? GW_PPPD_RUNNING : GW_PPPD_NONE;
	g->pppd.slave = p->ppp_slave;
	g->ppp.sync = o->sync;
	inet_ntop(AF_INET, &(struct in_addr){ p->server }, g->server_str, sizeof g->server_str);
	g->rx.bufs = malloc((size_t)RX_BATCH * RX_BUF);
	g->ppp.buf = malloc(PPP_READ_MAX);
	g->ppp.outq = malloc(GATEWAY_OUTQ_MAX);
	g->tx.arena = malloc(TX_ARENA);
	if (!g->rx.bufs || !g->ppp.buf || !g->ppp.outq || !g->tx.arena)
		return -ENOMEM;
	for (int i = 0; i < RX_BATCH; i++) {
		g->rx.iov[i] = (struct iovec){ g->rx.bufs + (size_t)i * RX_BUF, RX_BUF };
		g->rx.msgs[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &g->rx.iov[i], .msg_iovlen = 1 } };
	}
	for (int i = 0; i < TX_BATCH; i++)
		g->tx.msgs[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &g->tx.iov[i], .msg_iovlen = 1 } };
	hdlc_decoder_init(&g->ppp.dec, g->tx.arena + GRE_HDR_MAX, PPTP_FRAME_MAX + 2);
	return gre_session_init(&g->gre, &cfg, &io);
}

static void gateway_teardown(struct gateway *g)
{
	gre_session_free(&g->gre);
	free(g->rx.bufs);
	free(g->ppp.buf);
	free(g->ppp.outq);
	free(g->tx.arena);
	if (g->pppd.slave >= 0)
		close(g->pppd.slave);
}

struct pptp_reason gateway_run(const struct gateway_params *p)
{
	struct gateway *g = calloc(1, sizeof *g);

	if (!g || gateway_setup(g, p) < 0) {
		log_err("out of memory");
		if (g)
			gateway_teardown(g);
		free(g);
		return (struct pptp_reason){ .cause = CAUSE_LOCAL, .err = ENOMEM };
	}
	log_set_role("gateway");
	uint64_t now = now_us();
	g->call_up_us = now;
	gw_mtu_init(&g->mtu, p->gre_fd, &g->stats, now);
	g->state_since = (int64_t)time(NULL);
	/* The periodic statistics line is logged at debug level only: below
	 * it, its timer is never due and costs the loop nothing. */
	g->summary.next_us = log_wants(L_DEBUG) ? now + GATEWAY_SUMMARY_US : UINT64_MAX;
	/* Nobody to tell that pppd runs (no detaching parent): no settle timer. */
	g->pppd.running_told = !p->pppd_running;

	while (g->state != GW_DONE) {
		if (pollset_key(g) != g->pollset.key)
			pollset_build(g);
		const struct gw_pollset *ps = &g->pollset;
		const struct pollfd *pfd = ps->fd;
		uint64_t gre_dl = gre_next_timeout(&g->gre), dl = next_deadline(g, gre_dl);
		int timeout = dl == UINT64_MAX ? -1 : dl <= now ? 0 : (int)((dl - now + 999) / 1000);
		if (poll(g->pollset.fd, (nfds_t)ps->n, timeout) < 0 && errno != EINTR) {
			log_err("poll: %s", strerror(errno));
			tunnel_end_reason(&g->end, &(struct pptp_reason){ .cause = CAUSE_LOCAL });
			break;
		}
		if (ps->st_at >= 0 && pfd[ps->st_at].revents)
			serve_status(g);
		now = now_us();
		if (pfd[0].revents)
			signals_readable(g, now);
		if (ps->gre_at >= 0 && pfd[ps->gre_at].revents)
			gre_readable(g, now);
		if (ps->kern_at >= 0 && pfd[ps->kern_at].revents)
			pppd_hung_up(g, "pppd's PPP channel closed");
		if (ps->cm_at >= 0 && pfd[ps->cm_at].revents)
			cm_readable(g);
		if (ps->ppp_in_at >= 0 && (pfd[ps->ppp_in_at].revents & (POLLIN | POLLHUP | POLLERR)))
			ppp_readable(g, now);
		if (ps->ppp_out_at >= 0 && (pfd[ps->ppp_out_at].revents & (POLLHUP | POLLERR)))
			pppd_hung_up(g, "pppd closed its side");
		/* Every timer a handler starts lies ahead of now (the engine's
		 * delays are all positive): if none was due before this pass,
		 * none is now.  (Were one missed, the deadline would be past and
		 * the next poll would not wait: the next pass would run it.) */
		if (now >= gre_dl)
			gre_tick(&g->gre, now);
		if (g->tx.n)
			flush_tx(g);
		if (g->ppp.outq_len && !g->ppp.closed)
			flush_outq(g);
		watch_check(g, now);
		pppd_timers(g, now);
		summary_due(g, now);
		if (p->kernel)
			gateway_kernel_tick(g, now);
		gw_step(g, GW_EV_PASS_END, NULL, now);
	}
	gre_flush(&g->gre, now_us());
	flush_tx(g);
	uint32_t gap;
	unsigned held = gre_reorder_held(&g->gre, &gap);
	if (held)
		log_info("the tunnel ended with %u packet%s from the server held for reordering "
			 "behind sequence number %u, which never came: not passed to pppd",
			 held, held == 1 ? "" : "s", gap);
	dump_stats(g, L_INFO);
	struct pptp_reason why = tunnel_end_verdict(&g->end);
	gateway_teardown(g);
	free(g);
	return why;
}
