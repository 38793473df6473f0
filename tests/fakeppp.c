/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fakeppp.c - a pppd stand-in: speaks PPP frames on a tty and checks what
 * comes back.
 *
 *  (a) fakeppp [opts] -- PROGRAM ARGS...   like pppd's `pty "PROGRAM ARGS"`:
 *      PROGRAM gets the pty master as stdin and stdout, we use the slave.
 *  (b) invoked as "pppd" (or with --as-pppd): the first argument is the tty
 *      the client hands us, the rest are pppd options (printed, "sync" obeyed,
 *      others ignored); our own options come from $FAKEPPP_OPTS.
 *
 * Frames are FF 03 00 21 (or --protocol) + payload; the payload is a 4-byte counter, a
 * 2-byte payload length and bytes of a known stream, so every frame can be
 * checked on its own and split out of a byte stream in sync mode.  Frames
 * with counters from 0x80000000 come from the server side (pacsrv
 * --gre-send, gresend) and are reported on a line of their own.  The HDLC
 * codec (FCS-16, escapes) is written here from RFC 1662, independent of the
 * client's.
 *
 * --fast (the benchmark, bench/bench.sh): frames go out in timed steps
 * (--steps RATE:SECONDS,...) with the step in the counter (tests/benchrx.h)
 * and the same data in every frame, so their HDLC encoding is made once and
 * only the counter and the FCS change (the FCS by its linearity: a table of
 * what each counter byte contributes).  What comes back is split on flags
 * and counted by its counter, with one frame in --check-every decoded and
 * checked in full (FCS, length, content).  That keeps fakeppp well ahead of
 * any client, so the client is what saturates.  --emit writes frames of the
 * server's layout to stdout as fast as it can: a stand-in client for
 * measuring fakeppp's own ceiling. */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "benchrx.h"

#define FRAME_HDR 4		/* FF 03 and the protocol */
#define PAY_HDR 6		/* counter + payload length */
#define MAX_FRAME 70000
#define OVERSIZE_FRAME 20000
#define CTR_OVERSIZE 0xFFFFFFFFu
#define CTR_PROBE 0xFFFFFFFEu
/* Frames the server side makes up itself (pacsrv --gre-send, gresend) carry
 * counters from here on, and data byte j of frame i is stream(i * SRV_STRIDE
 * + j): they are checked and counted apart from ours. */
#define CTR_SRV 0x80000000u
#define SRV_STRIDE 65536u
#define SRV_TRACK_MAX (1u << 24)	/* server frame numbers tracked for duplicates */
#define OUT_HIGH 65536		/* stop encoding frames while this much is unwritten */
#define N_HDLC_LDISC 13		/* keeps write boundaries on a tty */

static struct {
	unsigned long frames, size, rate, inflight, bad_fcs, max_missing;
	unsigned long protocol;	/* PPP protocol of our frames (0x0021: IP) */
	unsigned long long bytes;
	bool expect_echo, sync, oversize, wait_link, allow_merged, allow_reorder, verbose, as_pppd, rtt;
	uint64_t hold_us, stop_reading_us, echo_timeout_us, timeout_us, delay_us, child_wait_us, probe_us;
	/* --fast, --emit */
	bool fast, emit, socketpair;
	struct step_def steps[STEP_MAX];
	int n_steps;
	unsigned long sink_steps, check_every;
	uint64_t step_gap_us, sink_quiet_us;
} o = {
	.frames = 100, .size = 100, .inflight = 8, .wait_link = true, .protocol = 0x0021,
	.echo_timeout_us = 2000000, .timeout_us = 120000000, .child_wait_us = 5000000, .probe_us = 200000,
	.check_every = 64, .step_gap_us = 250000, .sink_quiet_us = 500000,
};

static FILE *out;		/* report lines: stdout, or $FAKEPPP_LOG / stderr as pppd */
static volatile sig_atomic_t g_signal, g_sigchld;

static void say(const char *fmt, ...) PPTP_PRINTF(1, 2);
static void say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
	fflush(out);
}

/* ------------------------------------------------------------------ checksums */

static uint16_t fcs_table[256];
static uint32_t crc_table[256];

static void tables_init(void)
{
	for (unsigned i = 0; i < 256; i++) {
		uint32_t f = i, c = i;
		for (int b = 0; b < 8; b++) {
			f = (f & 1) ? (f >> 1) ^ 0x8408u : f >> 1;	/* reflected CCITT */
			c = (c & 1) ? (c >> 1) ^ 0xEDB88320u : c >> 1;	/* reflected CRC-32 */
		}
		fcs_table[i] = (uint16_t)f;
		crc_table[i] = c;
	}
}

static uint16_t fcs_update(uint16_t fcs, const uint8_t *p, size_t n)
{
	while (n--)
		fcs = (uint16_t)((fcs >> 8) ^ fcs_table[(fcs ^ *p++) & 0xff]);
	return fcs;
}

static uint32_t crc_update(uint32_t crc, const uint8_t *p, size_t n)
{
	while (n--)
		crc = (crc >> 8) ^ crc_table[(crc ^ *p++) & 0xff];
	return crc;
}

/* The known stream: byte at offset k.  31 is odd, so every value (flags,
 * escapes, control characters) turns up in every 256 bytes. */
static uint8_t stream_byte(uint64_t k) { return (uint8_t)((k * 31u) ^ (k >> 9)); }

/* ------------------------------------------------------------------ run state */

static int tty = -1;
static pid_t child = -1;
static int child_status = -1;
static bool have_nhdlc;

static uint64_t nframes, data_per_frame, total_bytes;
static bool *rx_seen, *bad_sent;
static uint64_t *sent_us;
static uint32_t *rtt_us;	/* --rtt: round trip of each frame, in arrival order */
static uint64_t n_rtt;

static struct {
	uint64_t next;		/* next frame counter to send */
	uint64_t sent, sent_good, received, bad, reordered, dup, fcs_errors, merged, late, oversize_back,
		runts, partial_writes, expired;
	int64_t max_seen;
	uint64_t base, outstanding;	/* oldest frame still awaited, frames awaited */
	uint32_t crc_tx, crc_rx;
	uint64_t bytes_tx, bytes_rx;
	bool oversize_done, link_up, stop_done, timed_out, hangup;
	uint64_t start_us, link_us, last_send_us, last_activity_us, read_resume_us, next_send_us, next_probe_us;
	uint64_t first_data_us, last_rx_us, probes;
	/* frames from the server side */
	uint64_t srv_frames, srv_dup, srv_reordered, srv_untracked;
	int64_t srv_max;
} st = { .max_seen = -1, .crc_tx = 0xFFFFFFFFu, .crc_rx = 0xFFFFFFFFu, .srv_max = -1 };

static uint8_t *srv_seen;	/* bitmap, grown on demand up to SRV_TRACK_MAX */
static size_t srv_seen_bytes;

static void srv_frame(uint32_t i)
{
	st.srv_frames++;
	if (i < SRV_TRACK_MAX) {
		size_t need = i / 8 + 1;
		if (need > srv_seen_bytes) {
			size_t n = srv_seen_bytes ? srv_seen_bytes : 1024;
			while (n < need)
				n *= 2;
			uint8_t *b = realloc(srv_seen, n);
			if (b) {
				memset(b + srv_seen_bytes, 0, n - srv_seen_bytes);
				srv_seen = b;
				srv_seen_bytes = n;
			}
		}
		if (need <= srv_seen_bytes) {
			if (srv_seen[i / 8] & (1u << (i % 8))) {
				st.srv_dup++;
				return;
			}
			srv_seen[i / 8] |= (uint8_t)(1u << (i % 8));
		} else {
			st.srv_untracked++;
		}
	} else {
		st.srv_untracked++;
	}
	if ((int64_t)i < st.srv_max)
		st.srv_reordered++;
	else
		st.srv_max = i;
}

static uint8_t obuf[OUT_HIGH * 4 + MAX_FRAME * 2 + 8];
static size_t olen, ooff;

/* ------------------------------------------------------------------ sending */

/* Build frame number c (or a marker frame) into f; returns its length. */
static size_t frame_build(uint8_t *f, uint32_t ctr, size_t payload)
{
	f[0] = 0xFF;
	f[1] = 0x03;
	put16(f + 2, (uint16_t)o.protocol);
	put32(f + 4, ctr);
	put16(f + 8, (uint16_t)payload);
	uint64_t base = ctr < CTR_PROBE ? (uint64_t)ctr * data_per_frame : 0;
	for (size_t i = 0; i < payload - PAY_HDR; i++)
		f[FRAME_HDR + PAY_HDR + i] = stream_byte(base + i);
	return FRAME_HDR + payload;
}

static void out_hdlc(const uint8_t *f, size_t n, bool corrupt)
{
	uint16_t fcs = (uint16_t)~fcs_update(0xFFFF, f, n);
	uint8_t tail[2] = { (uint8_t)fcs, (uint8_t)(fcs >> 8) };	/* low byte first */
	if (corrupt)
		tail[0] ^= 0x01;
	obuf[olen++] = 0x7E;
	for (size_t i = 0; i < n + 2; i++) {
		uint8_t b = i < n ? f[i] : tail[i - n];
		if (b < 0x20 || b == 0x7D || b == 0x7E) {
			obuf[olen++] = 0x7D;
			b ^= 0x20;
		}
		obuf[olen++] = b;
	}
	obuf[olen++] = 0x7E;
}

static void queue_frame(uint32_t ctr, size_t payload, bool corrupt, uint64_t now)
{
	static uint8_t f[MAX_FRAME];
	size_t n = frame_build(f, ctr, payload);
	if (ooff) {
		/* keep the pending bytes at the front so the buffer bound holds */
		memmove(obuf, obuf + ooff, olen - ooff);
		olen -= ooff;
		ooff = 0;
	}
	if (o.sync) {
		memcpy(obuf + olen, f, n);
		olen += n;
	} else {
		out_hdlc(f, n, corrupt);
	}
	st.last_send_us = st.last_activity_us = now;
}

/* Write what is queued.  In sync mode a frame must be one write(). */
static void flush_out(void)
{
	while (ooff < olen) {
		ssize_t w = write(tty, obuf + ooff, olen - ooff);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EIO)
				say("FAKEPPP write error: %s", strerror(errno));
			if (errno == EIO)
				st.hangup = true;
			return;
		}
		if (o.sync && (size_t)w < olen - ooff)
			st.partial_writes++;
		ooff += (size_t)w;
	}
}

static bool send_ready(uint64_t now)
{
	if (st.next >= nframes || olen - ooff > OUT_HIGH)
		return false;
	if (o.sync && ooff < olen)
		return false;	/* one frame at a time keeps write boundaries */
	if (o.rate && now < st.next_send_us)
		return false;
	if (o.expect_echo && o.inflight && st.outstanding >= o.inflight)
		return false;
	return true;
}

static void send_some(uint64_t now)
{
	while (send_ready(now)) {
		uint64_t c = st.next;
		if (o.oversize && !st.oversize_done && c >= nframes / 2) {
			st.oversize_done = true;
			queue_frame(CTR_OVERSIZE, OVERSIZE_FRAME - FRAME_HDR, false, now);
			say("FAKEPPP oversize frame sent bytes=%d", OVERSIZE_FRAME);
			if (o.sync)
				break;
		}
		size_t data = data_per_frame;
		if ((c + 1) * data_per_frame > total_bytes)
			data = (size_t)(total_bytes - c * data_per_frame);
		bool corrupt = !o.sync && o.bad_fcs && (c + 1) % o.bad_fcs == 0;
		queue_frame((uint32_t)c, data + PAY_HDR, corrupt, now);
		st.next++;
		st.sent++;
		sent_us[c] = now;
		if (!st.first_data_us)
			st.first_data_us = now;
		if (corrupt) {
			bad_sent[c] = true;
		} else {
			st.sent_good++;
			st.outstanding++;
			/* what was sent: the data the peer should hand back */
			static uint8_t tmp[MAX_FRAME];
			for (size_t i = 0; i < data; i++)
				tmp[i] = stream_byte(c * data_per_frame + i);
			st.crc_tx = crc_update(st.crc_tx, tmp, data);
			st.bytes_tx += data;
		}
		if (o.rate)
			st.next_send_us = (st.next_send_us ? st.next_send_us : now) + 1000000u / o.rate;
		if (o.sync)
			break;
	}
	flush_out();
}

/* ------------------------------------------------------------------ receiving */

/* A frame awaited for longer than --echo-timeout is taken as lost, so a lossy
 * path cannot stall the in-flight limit. */
static void advance_base(uint64_t now)
{
	while (st.base < st.next) {
		if (rx_seen[st.base] || bad_sent[st.base]) {
			st.base++;
			continue;
		}
		if (now - sent_us[st.base] < o.echo_timeout_us)
			break;
		st.expired++;
		st.outstanding--;
		st.base++;
	}
}

/* The first probe came back: the whole path carries frames. */
static void note_link_up(uint64_t now)
{
	if (st.link_up)
		return;
	st.link_up = true;
	st.link_us = now;
	say("FAKEPPP link up after %llu ms probes=%llu", (unsigned long long)((now - st.start_us) / 1000),
	    (unsigned long long)st.probes);
}

static void frame_bad(const uint8_t *f, size_t n, const char *why)
{
	char hex[64];
	st.bad++;
	hex_str(hex, sizeof hex, f, n, 12);
	if (st.bad <= 10 || o.verbose)
		say("FAKEPPP bad frame (%s) len=%zu [%s]", why, n, hex);
}

static void frame_input(const uint8_t *f, size_t n, uint64_t now)
{
	if (n < FRAME_HDR + PAY_HDR) {
		frame_bad(f, n, "short");
		return;
	}
	if (f[0] != 0xFF || f[1] != 0x03 || get16(f + 2) != o.protocol) {
		frame_bad(f, n, "header");
		return;
	}
	uint32_t c = get32(f + 4);
	size_t payload = get16(f + 8);
	if (payload != n - FRAME_HDR) {
		frame_bad(f, n, "length");
		return;
	}
	st.last_activity_us = now;
	if (c == CTR_PROBE) {
		note_link_up(now);
		return;
	}
	bool from_srv = c >= CTR_SRV && c < CTR_PROBE;
	uint64_t base = c == CTR_OVERSIZE ? 0 : from_srv ? (uint64_t)(c - CTR_SRV) * SRV_STRIDE :
		(uint64_t)c * data_per_frame;
	const uint8_t *d = f + FRAME_HDR + PAY_HDR;
	size_t dl = payload - PAY_HDR;
	for (size_t i = 0; i < dl; i++) {
		if (d[i] != stream_byte(base + i)) {
			frame_bad(f, n, "content");
			return;
		}
	}
	if (c == CTR_OVERSIZE) {
		st.oversize_back++;
		return;
	}
	if (from_srv) {
		srv_frame(c - CTR_SRV);
		return;
	}
	if (c >= st.next) {
		frame_bad(f, n, "never sent");
		return;
	}
	if (bad_sent[c]) {
		frame_bad(f, n, "came back although sent with a bad FCS");
		return;
	}
	if (rx_seen[c]) {
		st.dup++;
		return;
	}
	rx_seen[c] = true;
	st.received++;
	if (rtt_us) {
		uint64_t rt = now - sent_us[c];
		rtt_us[n_rtt++] = rt > UINT32_MAX ? UINT32_MAX : (uint32_t)rt;
	}
	st.last_rx_us = now;
	if (c >= st.base)
		st.outstanding--;
	else
		st.late++;	/* already given up as lost */
	if ((int64_t)c < st.max_seen)
		st.reordered++;
	else
		st.max_seen = c;
	st.crc_rx = crc_update(st.crc_rx, d, dl);
	st.bytes_rx += dl;
}

/* HDLC receive: bytes between flags, unescaped, FCS checked. */
static struct {
	uint8_t buf[MAX_FRAME + 2];
	size_t len;
	bool esc, overflow, seen_flag;
} rx;

static void hdlc_input(const uint8_t *p, size_t n, uint64_t now)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t b = p[i];
		if (b == 0x7E) {
			if (rx.len || rx.esc) {
				if (rx.esc || rx.overflow || rx.len < 4 ||
				    fcs_update(0xFFFF, rx.buf, rx.len) != 0xF0B8) {
					/* bytes before the first flag may be line noise */
					if (rx.seen_flag)
						st.fcs_errors++;
				} else {
					frame_input(rx.buf, rx.len - 2, now);
				}
			}
			rx.len = 0;
			rx.esc = rx.overflow = false;
			rx.seen_flag = true;
			continue;
		}
		if (b == 0x7D) {
			rx.esc = true;
			continue;
		}
		if (rx.esc) {
			b ^= 0x20;
			rx.esc = false;
		}
		if (rx.len < sizeof rx.buf)
			rx.buf[rx.len++] = b;
		else
			rx.overflow = true;
	}
}

/* Sync receive: frames split by their own length fields.  With N_HDLC each
 * read should be exactly one frame; anything else means frames were merged
 * or split on the way, which breaks a real sync-mode peer. */
static struct {
	uint8_t buf[MAX_FRAME * 2];
	size_t len;
} srx;

static void sync_input(const uint8_t *p, size_t n, uint64_t now)
{
	bool boundary_ok = srx.len == 0;
	size_t frames_here = 0;
	if (srx.len + n > sizeof srx.buf) {
		frame_bad(srx.buf, srx.len, "unframeable sync data");
		srx.len = 0;
	}
	memcpy(srx.buf + srx.len, p, n);
	srx.len += n;
	size_t off = 0;
	while (srx.len - off >= FRAME_HDR + PAY_HDR) {
		const uint8_t *f = srx.buf + off;
		if (f[0] != 0xFF || f[1] != 0x03 || get16(f + 2) != o.protocol) {
			/* resynchronise on the next frame header */
			size_t skip = 1;
			while (off + skip + 4 <= srx.len && memcmp(srx.buf + off + skip, "\xff\x03\x00\x21", 4))
				skip++;
			frame_bad(f, skip, "sync garbage");
			off += skip;
			boundary_ok = false;
			continue;
		}
		size_t flen = FRAME_HDR + (size_t)get16(f + 8);
		if (flen < FRAME_HDR + PAY_HDR) {
			frame_bad(f, FRAME_HDR + PAY_HDR, "length");
			off += FRAME_HDR;
			continue;
		}
		if (srx.len - off < flen)
			break;
		frame_input(f, flen, now);
		frames_here++;
		off += flen;
	}
	memmove(srx.buf, srx.buf + off, srx.len - off);
	srx.len -= off;
	if (have_nhdlc && (!boundary_ok || frames_here != 1 || srx.len)) {
		st.merged++;
		if (o.verbose || st.merged <= 5)
			say("FAKEPPP read of %zu bytes held %zu frames (+%zu bytes): frame boundaries lost", n,
			    frames_here, srx.len);
	}
}

static void fast_input(const uint8_t *p, size_t n, uint64_t now);

static void read_tty(uint64_t now)
{
	static uint8_t b[MAX_FRAME * 2];
	for (int budget = 0; budget < 64; budget++) {
		ssize_t r = read(tty, b, sizeof b);
		if (r < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			st.hangup = true;	/* EIO: the master side is gone */
			return;
		}
		if (r == 0) {
			st.hangup = true;
			return;
		}
		if (o.sync)
			sync_input(b, (size_t)r, now);
		else if (o.fast)
			fast_input(b, (size_t)r, now);
		else
			hdlc_input(b, (size_t)r, now);
	}
}

/* ------------------------------------------------------------------ --fast */

/* A frame whose HDLC encoding is made once: everything after the counter
 * and before the FCS, escaped, plus the counter it was made with and that
 * frame's FCS.  Another counter changes the FCS by fast_fcs_delta. */
struct fast_tpl {
	uint8_t *tail;		/* escaped length field and data */
	size_t tail_len;
	uint32_t ctr0;
	uint16_t fcs0;		/* as sent: complemented */
	uint16_t proto;
};

/* fcs_delta[q][b]: what counter byte q (most significant first) with bits b
 * flipped does to the FCS of a frame of fast_flen bytes.  The FCS register
 * is linear in the message, so the change from flipping bits is the CRC
 * (initial value 0) of the flipped bits followed by the rest of the frame
 * as zeros. */
static uint16_t fcs_delta[4][256];
static size_t fast_flen;
static struct fast_tpl tpl_own, tpl_srv[2];

static void fast_tables(size_t flen)
{
	fast_flen = flen;
	for (unsigned q = 0; q < 4; q++) {
		for (unsigned b = 0; b < 256; b++) {
			uint16_t r = fcs_table[b];
			for (size_t z = FRAME_HDR + q + 1; z < flen; z++)
				r = (uint16_t)((r >> 8) ^ fcs_table[r & 0xff]);
			fcs_delta[q][b] = r;
		}
	}
}

static uint8_t *esc_put(uint8_t *p, uint8_t b)
{
	if (b < 0x20 || b == 0x7D || b == 0x7E) {
		*p++ = 0x7D;
		b ^= 0x20;
	}
	*p++ = b;
	return p;
}

static uint16_t fast_fcs(const struct fast_tpl *t, uint32_t ctr)
{
	uint32_t d = ctr ^ t->ctr0;
	return (uint16_t)(t->fcs0 ^ fcs_delta[0][d >> 24] ^ fcs_delta[1][(d >> 16) & 0xff] ^
			  fcs_delta[2][(d >> 8) & 0xff] ^ fcs_delta[3][d & 0xff]);
}

/* Frame f (fast_flen bytes, counter ctr0) becomes template t. */
static void fast_tpl_make(struct fast_tpl *t, const uint8_t *f)
{
	t->ctr0 = get32(f + FRAME_HDR);
	t->proto = get16(f + 2);
	t->fcs0 = (uint16_t)~fcs_update(0xFFFF, f, fast_flen);
	t->tail = malloc(2 * fast_flen);
	if (!t->tail) {
		fprintf(stderr, "fakeppp: out of memory\n");
		exit(1);
	}
	uint8_t *p = t->tail;
	for (size_t i = FRAME_HDR + 4; i < fast_flen; i++)
		p = esc_put(p, f[i]);
	t->tail_len = (size_t)(p - t->tail);
}

/* HDLC-encode the template's frame with counter ctr at out; returns bytes. */
static size_t fast_encode(uint8_t *dst, const struct fast_tpl *t, uint32_t ctr)
{
	uint8_t *p = dst;
	uint16_t fcs = fast_fcs(t, ctr);
	*p++ = 0x7E;
	p = esc_put(p, 0xFF);
	p = esc_put(p, 0x03);
	p = esc_put(p, (uint8_t)(t->proto >> 8));
	p = esc_put(p, (uint8_t)t->proto);
	p = esc_put(p, (uint8_t)(ctr >> 24));
	p = esc_put(p, (uint8_t)(ctr >> 16));
	p = esc_put(p, (uint8_t)(ctr >> 8));
	p = esc_put(p, (uint8_t)ctr);
	memcpy(p, t->tail, t->tail_len);
	p += t->tail_len;
	p = esc_put(p, (uint8_t)fcs);
	p = esc_put(p, (uint8_t)(fcs >> 8));
	*p++ = 0x7E;
	return (size_t)(p - dst);
}

/* Our frames carry stream(j) as data byte j, whatever the counter; the
 * server's frame i carries stream(i * SRV_STRIDE + j), which depends on i
 * only through its parity (SRV_STRIDE is a multiple of 512). */
static uint8_t fast_data_byte(bool srv, uint32_t ctr, size_t j)
{
	return srv ? stream_byte((uint64_t)((ctr - CTR_SRV) & 1u) * SRV_STRIDE + j) : stream_byte(j);
}

static void fast_init(void)
{
	static uint8_t f[MAX_FRAME];
	size_t flen = FRAME_HDR + o.size;
	fast_tables(flen);
	for (int kind = 0; kind < 3; kind++) {
		bool srv = kind > 0;
		uint32_t ctr = srv ? CTR_SRV + (uint32_t)(kind - 1) : 0;
		f[0] = 0xFF;
		f[1] = 0x03;
		put16(f + 2, srv ? 0x0021 : (uint16_t)o.protocol);
		put32(f + 4, ctr);
		put16(f + 8, (uint16_t)o.size);
		for (size_t j = 0; j < o.size - PAY_HDR; j++)
			f[FRAME_HDR + PAY_HDR + j] = fast_data_byte(srv, ctr, j);
		fast_tpl_make(srv ? &tpl_srv[kind - 1] : &tpl_own, f);
	}
	/* the shortcut must give the FCS a full computation gives */
	static const uint32_t probe_ctrs[] = { 1, 0x00ABCDEF, 0x05123456, 0x7E000001 };
	for (size_t k = 0; k < ARRAY_LEN(probe_ctrs); k++) {
		put16(f + 2, (uint16_t)o.protocol);
		put32(f + 4, probe_ctrs[k]);
		for (size_t j = 0; j < o.size - PAY_HDR; j++)
			f[FRAME_HDR + PAY_HDR + j] = fast_data_byte(false, 0, j);
		uint16_t full = (uint16_t)~fcs_update(0xFFFF, f, flen);
		if (full != fast_fcs(&tpl_own, probe_ctrs[k])) {
			fprintf(stderr, "fakeppp: internal error: the FCS shortcut is wrong\n");
			exit(70);
		}
	}
}

/* Sending: o.steps, one after the other, a gap between them. */
static struct {
	int step;
	bool begun;
	uint64_t t0, sent;
	double cpu0;
	uint64_t step_sent[STEP_MAX], step_t0[STEP_MAX], step_last_us[STEP_MAX];
	double step_cpu[STEP_MAX];
	bool sending_done, blocked;
	/* the barrier: a probe sent after the last frame, back when all is */
	bool barrier_sent, barrier_back;
	uint64_t barrier_us, probes_back;
	/* receiving */
	struct step_rx own[STEP_MAX], srv[STEP_MAX];
	uint64_t rx_frames, rx_checked, rx_other, last_srv_us;
	int srv_top;		/* the highest server step seen (-1: none) */
	uint8_t part[MAX_FRAME * 2 + 8];	/* an escaped frame split between reads */
	size_t part_len;
	bool part_overflow, seen_flag;
} fs = { .srv_top = -1 };

static double cpu_self_s(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       (double)ru.ru_stime.tv_usec / 1e6;
}

static void obuf_make_room(size_t need)
{
	if (ooff == olen) {
		ooff = olen = 0;
	} else if (olen + need > sizeof obuf) {
		memmove(obuf, obuf + ooff, olen - ooff);
		olen -= ooff;
		ooff = 0;
	}
}

/* Queue what the schedule says is due; returns when to come back. */
static uint64_t fast_send(uint64_t now)
{
	size_t frame_max = 2 * (fast_flen + 2) + 2;
	while (fs.step < o.n_steps) {
		const struct step_def *d = &o.steps[fs.step];
		if (!fs.begun) {
			if (!fs.t0)
				fs.t0 = now;
			if (now < fs.t0)
				return fs.t0;
			fs.begun = true;
			fs.sent = 0;
			fs.step_t0[fs.step] = fs.t0;
			fs.cpu0 = cpu_self_s();
		}
		uint64_t end = fs.t0 + d->dur_us;
		uint64_t cap = d->rate ? (uint64_t)((double)d->rate * (double)d->dur_us / 1e6) : UINT64_MAX;
		if (cap < 1)
			cap = 1;
		if (cap > STEP_INDEX_MASK + 1ull)
			cap = STEP_INDEX_MASK + 1ull;
		if (now >= end || fs.sent >= cap) {
			if (now < end)
				return end;
			fs.step_sent[fs.step] = fs.sent;
			fs.step_cpu[fs.step] = cpu_self_s() - fs.cpu0;
			fs.step++;
			fs.begun = false;
			fs.t0 = end + o.step_gap_us;
			continue;
		}
		uint64_t due = d->rate ? step_due(d, now - fs.t0) : UINT64_MAX;
		if (fs.sent >= due) {
			uint64_t t = fs.t0 + (uint64_t)((double)fs.sent * 1e6 / (double)d->rate);
			return t > now ? (t < end ? t : end) : now + 1;
		}
		if (olen - ooff >= OUT_HIGH) {
			fs.blocked = true;	/* the caller writes, then comes back */
			return end;
		}
		obuf_make_room(frame_max);
		olen += fast_encode(obuf + olen, &tpl_own, (uint32_t)fs.step << STEP_SHIFT | (uint32_t)fs.sent);
		fs.sent++;
		fs.step_last_us[fs.step] = now;
		st.last_send_us = now;
	}
	fs.sending_done = true;
	return UINT64_MAX;
}

/* One whole frame as it came (escaped, between two flags). */
static void fast_frame(const uint8_t *e, size_t n, uint64_t now)
{
	uint8_t h[FRAME_HDR + PAY_HDR];
	size_t hn = 0, i = 0;
	while (hn < sizeof h && i < n) {
		uint8_t b = e[i++];
		if (b == 0x7D) {
			if (i == n)
				break;
			b = e[i++] ^ 0x20;
		}
		h[hn++] = b;
	}
	if (hn < sizeof h) {
		frame_bad(e, n, "short");
		return;
	}
	uint32_t ctr = get32(h + 4);
	bool srv = ctr >= CTR_SRV && ctr < CTR_PROBE;
	if (h[0] != 0xFF || h[1] != 0x03 || get16(h + 2) != (srv ? 0x0021 : o.protocol)) {
		frame_bad(e, n, "header");
		return;
	}
	st.last_activity_us = now;
	bool check = ++fs.rx_frames % o.check_every == 0 || ctr == CTR_PROBE;
	if (check) {
		/* in full: unescape, FCS, length, content */
		static uint8_t f[MAX_FRAME + 4];
		size_t fl = 0;
		bool esc = false;
		for (size_t k = 0; k < n && fl < sizeof f; k++) {
			uint8_t b = e[k];
			if (b == 0x7D) {
				esc = true;
				continue;
			}
			f[fl++] = esc ? b ^ 0x20 : b;
			esc = false;
		}
		if (esc || fl < FRAME_HDR + PAY_HDR + 2 || fcs_update(0xFFFF, f, fl) != 0xF0B8) {
			st.fcs_errors++;
			frame_bad(e, n, "FCS");
			return;
		}
		fl -= 2;
		if (get16(f + 8) != fl - FRAME_HDR) {
			frame_bad(f, fl, "length");
			return;
		}
		if (ctr != CTR_PROBE) {
			for (size_t j = 0; j < fl - FRAME_HDR - PAY_HDR; j++) {
				if (f[FRAME_HDR + PAY_HDR + j] != fast_data_byte(srv, ctr, j)) {
					frame_bad(f, fl, "content");
					return;
				}
			}
		}
		fs.rx_checked++;
	}
	if (ctr == CTR_PROBE) {
		fs.probes_back++;
		if (fs.barrier_sent)
			fs.barrier_back = true;
		note_link_up(now);
		return;
	}
	if (srv) {
		unsigned k = (ctr - CTR_SRV) >> STEP_SHIFT;
		if (k >= STEP_MAX) {
			fs.rx_other++;
			return;
		}
		if (step_rx_note(&fs.srv[k], ctr - CTR_SRV, now)) {
			fs.last_srv_us = now;
			if ((int)k > fs.srv_top)
				fs.srv_top = (int)k;
		}
		return;
	}
	if (ctr >= CTR_SRV || (ctr >> STEP_SHIFT) >= STEP_MAX) {
		fs.rx_other++;
		return;
	}
	step_rx_note(&fs.own[ctr >> STEP_SHIFT], ctr, now);
	st.last_rx_us = now;
}

/* Bytes from the tty: frames are split on flags, which never occur inside
 * one; a frame split between two reads waits in fs.part. */
static void fast_input(const uint8_t *p, size_t n, uint64_t now)
{
	const uint8_t *q = p, *end = p + n;
	while (q < end) {
		const uint8_t *flag = memchr(q, 0x7E, (size_t)(end - q));
		const uint8_t *stop = flag ? flag : end;
		if (fs.seen_flag && (fs.part_len || !flag)) {
			size_t k = (size_t)(stop - q);
			if (fs.part_len + k > sizeof fs.part) {
				fs.part_overflow = true;
				k = sizeof fs.part - fs.part_len;
			}
			memcpy(fs.part + fs.part_len, q, k);
			fs.part_len += k;
			if (flag) {
				if (fs.part_overflow)
					frame_bad(fs.part, fs.part_len, "oversized");
				else
					fast_frame(fs.part, fs.part_len, now);
				fs.part_len = 0;
				fs.part_overflow = false;
			}
		} else if (flag && fs.seen_flag && flag > q) {
			fast_frame(q, (size_t)(flag - q), now);
		}
		if (!flag)
			break;
		fs.seen_flag = true;
		q = flag + 1;
	}
}

/* Done: our steps sent and written, the barrier back (or given up), and the
 * server's last step over (quiet for --sink-quiet). */
static bool fast_finished(uint64_t now, uint64_t *wake)
{
	if (!fs.sending_done || olen > ooff)
		return false;
	if (o.wait_link && o.n_steps && !fs.barrier_back) {
		if (!fs.barrier_sent) {
			fs.barrier_sent = true;
			fs.barrier_us = now;
			queue_frame(CTR_PROBE, 16 + PAY_HDR, false, now);
			st.probes++;
			flush_out();
		}
		if (now < fs.barrier_us + o.echo_timeout_us) {
			*wake = fs.barrier_us + o.echo_timeout_us;
			return false;
		}
	}
	if (o.sink_steps) {
		if (fs.srv_top < (int)o.sink_steps - 1) {
			*wake = now + 100000;
			return false;
		}
		if (now < fs.last_srv_us + o.sink_quiet_us) {
			*wake = fs.last_srv_us + o.sink_quiet_us;
			return false;
		}
	}
	return true;
}

static bool fast_report(bool timed_out)
{
	char line[256];
	for (int k = 0; k < o.n_steps; k++) {
		uint64_t sent = k < fs.step ? fs.step_sent[k] : k == fs.step && fs.begun ? fs.sent : 0;
		say("FAKEPPP step=%d rate=%lu sent=%llu start_us=%llu dur_us=%llu last_us=%llu cpu_s=%.3f", k,
		    o.steps[k].rate, (unsigned long long)sent, (unsigned long long)fs.step_t0[k],
		    (unsigned long long)o.steps[k].dur_us, (unsigned long long)fs.step_last_us[k], fs.step_cpu[k]);
	}
	for (unsigned k = 0; k < STEP_MAX; k++) {
		if (fs.own[k].frames) {
			step_rx_format(&fs.own[k], k, line, sizeof line);
			say("FAKEPPP rx own %s", line);
		}
	}
	for (unsigned k = 0; k < STEP_MAX; k++) {
		if (fs.srv[k].frames) {
			step_rx_format(&fs.srv[k], k, line, sizeof line);
			say("FAKEPPP rx srv %s", line);
		}
	}
	say("FAKEPPP fast frames=%llu checked=%llu bad=%llu fcs_errors=%llu other=%llu probes=%llu probes_back=%llu "
	    "barrier=%s", (unsigned long long)fs.rx_frames, (unsigned long long)fs.rx_checked,
	    (unsigned long long)st.bad, (unsigned long long)st.fcs_errors, (unsigned long long)fs.rx_other,
	    (unsigned long long)st.probes, (unsigned long long)fs.probes_back,
	    !o.wait_link || !o.n_steps ? "none" : fs.barrier_back ? "back" : "lost");
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	say("FAKEPPP rusage user_s=%.3f sys_s=%.3f", (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6,
	    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6);
	const char *why = NULL;
	if (timed_out)
		why = "timeout";
	else if (!fs.sending_done)
		why = "not all steps sent";
	else if (st.bad)
		why = "bad frames";
	else if (st.fcs_errors)
		why = "FCS errors";
	else if (o.sink_steps && fs.srv_top < (int)o.sink_steps - 1)
		why = "the server's steps did not all arrive";
	if (why)
		say("FAKEPPP RESULT fail (%s)", why);
	else
		say("FAKEPPP RESULT ok");
	step_rx_free(fs.own, STEP_MAX);
	step_rx_free(fs.srv, STEP_MAX);
	return !why;
}

/* --emit: frames of the server's layout to stdout, step after step, as fast
 * as the reader takes them (or at the step's rate). */
static int emit_main(void)
{
	static uint8_t buf[OUT_HIGH + MAX_FRAME * 2 + 8];
	size_t frame_max = 2 * (fast_flen + 2) + 2;
	uint64_t t0 = now_us();
	for (int k = 0; k < o.n_steps; k++) {
		const struct step_def *d = &o.steps[k];
		uint64_t end = t0 + d->dur_us, sent = 0, now;
		while ((now = now_us()) < end && sent <= STEP_INDEX_MASK) {
			size_t len = 0;
			uint64_t due = d->rate ? step_due(d, now - t0) : UINT64_MAX;
			while (len + frame_max <= sizeof buf && sent < due && sent <= STEP_INDEX_MASK) {
				uint32_t i = (uint32_t)k << STEP_SHIFT | (uint32_t)sent;
				len += fast_encode(buf + len, &tpl_srv[i & 1], CTR_SRV + i);
				sent++;
			}
			for (size_t off = 0; off < len;) {
				ssize_t w = write(1, buf + off, len - off);
				if (w < 0 && errno == EINTR)
					continue;
				if (w <= 0) {
					fprintf(stderr, "FAKEPPP emit step=%d sent=%llu (write: %s)\n", k,
						(unsigned long long)sent, w < 0 ? strerror(errno) : "0");
					return 0;
				}
				off += (size_t)w;
			}
			if (!len) {
				struct timespec ts = { 0, 100000 };
				nanosleep(&ts, NULL);
			}
		}
		fprintf(stderr, "FAKEPPP emit step=%d sent=%llu dur_us=%llu\n", k, (unsigned long long)sent,
			(unsigned long long)d->dur_us);
		t0 = end + o.step_gap_us;
		while ((now = now_us()) < t0) {
			struct timespec ts = { (time_t)((t0 - now) / 1000000u), (long)((t0 - now) % 1000000u) * 1000 };
			nanosleep(&ts, NULL);
		}
	}
	return 0;
}

/* ------------------------------------------------------------------ tty and child */

static int tty_raw(int fd)
{
	struct termios t;
	if (tcgetattr(fd, &t) < 0)
		return -1;
	cfmakeraw(&t);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	return tcsetattr(fd, TCSANOW, &t);
}

static void tty_setup(void)
{
	if (tty_raw(tty) < 0)
		say("FAKEPPP warning: cannot make the tty raw: %s", strerror(errno));
	if (o.sync) {
		int ld = N_HDLC_LDISC;
		have_nhdlc = ioctl(tty, TIOCSETD, &ld) == 0;
		if (!have_nhdlc)
			say("FAKEPPP note: no N_HDLC line discipline (%s): sync frame boundaries not checked",
			    strerror(errno));
	}
	fcntl(tty, F_SETFL, fcntl(tty, F_GETFL) | O_NONBLOCK);
}

/* --socketpair: a unix stream socket instead of a pty (no tty layer). */
static int open_socketpair(int *m)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		say("FAKEPPP cannot make a socket pair: %s", strerror(errno));
		return -1;
	}
	tty = sv[0];
	*m = sv[1];
	fcntl(tty, F_SETFL, fcntl(tty, F_GETFL) | O_NONBLOCK);
	say("FAKEPPP start mode=socketpair sync=%d frames=%llu size=%lu", o.sync, (unsigned long long)nframes, o.size);
	return 0;
}

static int open_pty(int *master)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0) {
		say("FAKEPPP cannot allocate a pty: %s", strerror(errno));
		return -1;
	}
	char *name = ptsname(m);
	if (!name) {
		close(m);
		return -1;
	}
	tty = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (tty < 0) {
		say("FAKEPPP cannot open %s: %s", name, strerror(errno));
		close(m);
		return -1;
	}
	/* raw before the child can write, or the line discipline would echo */
	tty_setup();
	say("FAKEPPP start mode=pty tty=%s sync=%d frames=%llu size=%lu", name, o.sync,
	    (unsigned long long)nframes, o.size);
	*master = m;
	return 0;
}

static int start_child(char **argv)
{
	int m;
	if ((o.socketpair ? open_socketpair(&m) : open_pty(&m)) < 0)
		return -1;
	fflush(NULL);
	child = fork();
	if (child < 0) {
		say("FAKEPPP fork: %s", strerror(errno));
		return -1;
	}
	if (child == 0) {
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		if (dup2(m, 0) < 0 || dup2(m, 1) < 0)
			_exit(127);
		execvp(argv[0], argv);
		fprintf(stderr, "fakeppp: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(m);	/* only the child holds the master: its exit hangs up the slave */
	return 0;
}

static void report_child(int status)
{
	if (WIFEXITED(status))
		say("CHILD exit=%d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		say("CHILD signal=%d", WTERMSIG(status));
}

static void reap_child(bool block_wait)
{
	if (child <= 0 || child_status >= 0)
		return;
	uint64_t end = now_us() + (block_wait ? o.child_wait_us : 0);
	int sig = 0;
	for (;;) {
		int s;
		pid_t p = waitpid(child, &s, WNOHANG);
		if (p == child) {
			child_status = s;
			report_child(s);
			return;
		}
		if (p < 0)
			return;
		if (!block_wait)
			return;
		if (now_us() >= end) {
			if (sig == SIGKILL)
				return;
			sig = sig ? SIGKILL : SIGTERM;
			say("FAKEPPP child still running, sending %s", sig == SIGKILL ? "SIGKILL" : "SIGTERM");
			kill(child, sig);
			end = now_us() + 2000000;
		}
		usleep(10000);
	}
}

/* ------------------------------------------------------------------ options */

static void die_usage(const char *fmt, ...) PPTP_PRINTF(1, 2);
static void die_usage(const char *fmt, ...)
{
	va_list ap;
	fputs("fakeppp: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n"
	      "usage: fakeppp [options] -- PROGRAM ARGS...       (pty mode, like pppd pty)\n"
	      "       pppd TTY [pppd options]                    (as pppd; options in $FAKEPPP_OPTS,\n"
	      "       fakeppp [options] --as-pppd TTY [pppd options]      log in $FAKEPPP_LOG)\n"
	      "  --frames N          frames to send (100)\n"
	      "  --size N            payload bytes per frame, 8..65000 (100)\n"
	      "  --bytes N           bulk mode: send N data bytes in frames of --size\n"
	      "  --rate N            frames per second (unlimited)\n"
	      "  --inflight N        unanswered frames at most, with --expect-echo (8; 0 unlimited)\n"
	      "  --expect-echo       every frame must come back intact and in order\n"
	      "  --max-missing N     tolerate N lost frames (0)\n"
	      "  --allow-reorder     do not fail on reordered frames\n"
	      "  --allow-merged      sync: do not fail when reads merge or split frames\n"
	      "  --echo-timeout S    a frame unanswered this long counts as lost (2)\n"
	      "  --no-wait-link      do not probe until the path echoes before starting\n"
	      "  --probe-interval S  time between two probes while waiting for the path (0.2)\n"
	      "  --delay S           wait before sending\n"
	      "  --sync              no HDLC: one frame per write (pppd sync)\n"
	      "  --protocol HEX      PPP protocol of our frames (0021: IP; c021: LCP)\n"
	      "  --hold S            keep the line open this long after the run\n"
	      "  --stop-reading S    stop reading the tty for S seconds half way\n"
	      "  --bad-fcs N         every Nth frame with a wrong FCS (async)\n"
	      "  --oversize          also send one 20000-byte frame half way\n"
	      "  --timeout S         give up after S seconds (120)\n"
	      "  --child-wait S      after closing the tty, wait this long for PROGRAM (5)\n"
	      "  --rtt               report round-trip times of the frames (mean, percentiles)\n"
	      "  --fast              the benchmark's frames: encoded once, counted by step,\n"
	      "                      one in --check-every checked in full (async only)\n"
	      "  --steps LIST        --fast: send RATE:SECONDS,... (RATE 0: as fast as the tty takes)\n"
	      "  --step-gap S        pause between two steps (0.25)\n"
	      "  --sink-steps N      --fast: count the server's frames until its step N-1 has\n"
	      "                      been quiet for --sink-quiet S (0.5)\n"
	      "  --check-every N     --fast: check one received frame in N in full (64)\n"
	      "  --emit              no tty: write the server's frames to stdout per --steps\n"
	      "  --socketpair        pty mode with a unix stream socket pair instead of a pty\n"
	      "  --verbose\n", stderr);
	exit(64);
}

/* Parse our options from args[0..n); returns how many were consumed, stopping
 * at "--" (consumed) or --as-pppd (consumed). */
static int parse_opts(int n, char **args, bool *dashdash)
{
	int i;
	for (i = 0; i < n; i++) {
		const char *a = args[i];
		if (!strcmp(a, "--")) {
			*dashdash = true;
			return i + 1;
		}
		if (!strcmp(a, "--as-pppd")) {
			o.as_pppd = true;
			return i + 1;
		}
		struct { const char *name; bool *flag; } flags[] = {
			{ "--expect-echo", &o.expect_echo }, { "--sync", &o.sync }, { "--oversize", &o.oversize },
			{ "--allow-merged", &o.allow_merged }, { "--allow-reorder", &o.allow_reorder },
			{ "--verbose", &o.verbose }, { "--rtt", &o.rtt }, { "--fast", &o.fast }, { "--emit", &o.emit },
			{ "--socketpair", &o.socketpair },
		};
		bool done = false;
		for (size_t k = 0; k < ARRAY_LEN(flags) && !done; k++) {
			if (!strcmp(a, flags[k].name)) {
				*flags[k].flag = true;
				done = true;
			}
		}
		if (!strcmp(a, "--no-wait-link")) {
			o.wait_link = false;
			done = true;
		}
		if (done)
			continue;
		if (i + 1 >= n)
			die_usage("unknown option or missing value: '%s'", a);
		const char *v = args[++i];
		unsigned long u;
		int bad = 0;
		if (!strcmp(a, "--frames")) bad = parse_uint(v, 0, 10000000, &o.frames);
		else if (!strcmp(a, "--size")) bad = parse_uint(v, 8, 65000, &o.size);
		else if (!strcmp(a, "--rate")) bad = parse_uint(v, 1, 1000000, &o.rate);
		else if (!strcmp(a, "--inflight")) bad = parse_uint(v, 0, 10000000, &o.inflight);
		else if (!strcmp(a, "--bad-fcs")) bad = parse_uint(v, 1, 10000000, &o.bad_fcs);
		else if (!strcmp(a, "--max-missing")) bad = parse_uint(v, 0, 10000000, &o.max_missing);
		else if (!strcmp(a, "--protocol")) {
			char *end;
			o.protocol = strtoul(v, &end, 16);
			bad = !*v || *end || o.protocol == 0 || o.protocol > 0xffff;
		}
		else if (!strcmp(a, "--bytes")) {
			bad = parse_uint(v, 1, 4000000000ul, &u);
			o.bytes = u;
		}
		else if (!strcmp(a, "--hold")) bad = parse_seconds(v, 0, 86400000000ull, &o.hold_us);
		else if (!strcmp(a, "--stop-reading")) bad = parse_seconds(v, 0, 86400000000ull, &o.stop_reading_us);
		else if (!strcmp(a, "--echo-timeout")) bad = parse_seconds(v, 1000, 86400000000ull, &o.echo_timeout_us);
		else if (!strcmp(a, "--timeout")) bad = parse_seconds(v, 1000, 86400000000ull, &o.timeout_us);
		else if (!strcmp(a, "--delay")) bad = parse_seconds(v, 0, 86400000000ull, &o.delay_us);
		else if (!strcmp(a, "--probe-interval")) bad = parse_seconds(v, 1000, 86400000000ull, &o.probe_us);
		else if (!strcmp(a, "--child-wait")) bad = parse_seconds(v, 0, 86400000000ull, &o.child_wait_us);
		else if (!strcmp(a, "--steps")) {
			o.n_steps = steps_parse(v, o.steps);
			bad = o.n_steps < 0;
			o.fast = true;
		}
		else if (!strcmp(a, "--step-gap")) bad = parse_seconds(v, 0, 86400000000ull, &o.step_gap_us);
		else if (!strcmp(a, "--sink-steps")) {
			bad = parse_uint(v, 1, STEP_MAX, &o.sink_steps);
			o.fast = true;
		}
		else if (!strcmp(a, "--sink-quiet")) bad = parse_seconds(v, 1000, 86400000000ull, &o.sink_quiet_us);
		else if (!strcmp(a, "--check-every")) bad = parse_uint(v, 1, 1000000000, &o.check_every);
		else die_usage("unknown option '%s'", a);
		if (bad)
			die_usage("bad value '%s' for %s", v, a);
	}
	return i;
}

/* $FAKEPPP_OPTS, split on blanks. */
static void parse_env_opts(void)
{
	const char *e = getenv("FAKEPPP_OPTS");
	if (!e || !*e)
		return;
	static char buf[1024];
	char *args[64];
	int n = 0;
	bool dd = false;
	str_copy(buf, e, sizeof buf);
	for (char *save = NULL, *t = strtok_r(buf, " \t", &save); t && n < 64; t = strtok_r(NULL, " \t", &save))
		args[n++] = t;
	parse_opts(n, args, &dd);
}

/* ------------------------------------------------------------------ main */

static void on_signal(int sig)
{
	if (sig == SIGCHLD)
		g_sigchld = 1;
	else
		g_signal = sig;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of the sorted round trips. */
static uint32_t rtt_pct(unsigned pct)
{
	uint64_t rank = (n_rtt * pct + 99) / 100;
	return rtt_us[rank ? rank - 1 : 0];
}

static void report_rtt(void)
{
	if (!n_rtt) {
		say("FAKEPPP rtt frames=0");
		return;
	}
	double sum = 0;
	for (uint64_t i = 0; i < n_rtt; i++)
		sum += rtt_us[i];
	qsort(rtt_us, n_rtt, sizeof *rtt_us, cmp_u32);
	say("FAKEPPP rtt frames=%llu mean_us=%.1f min_us=%u p50_us=%u p90_us=%u p99_us=%u max_us=%u",
	    (unsigned long long)n_rtt, sum / (double)n_rtt, rtt_us[0], rtt_pct(50), rtt_pct(90), rtt_pct(99),
	    rtt_us[n_rtt - 1]);
}

/* Print the summary; true when every expectation was met. */
static bool print_report(void)
{
	uint64_t missing = 0;
	if (o.expect_echo)
		for (uint64_t c = 0; c < st.next; c++)
			if (!rx_seen[c] && !bad_sent[c])
				missing++;
	say("FAKEPPP sent=%llu received=%llu bad=%llu reordered=%llu missing=%llu dup=%llu fcs_errors=%llu "
	    "merged=%llu late=%llu oversize_back=%llu partial_writes=%llu",
	    (unsigned long long)st.sent, (unsigned long long)st.received, (unsigned long long)st.bad,
	    (unsigned long long)st.reordered, (unsigned long long)missing, (unsigned long long)st.dup,
	    (unsigned long long)st.fcs_errors, (unsigned long long)st.merged, (unsigned long long)st.late,
	    (unsigned long long)st.oversize_back, (unsigned long long)st.partial_writes);
	if (o.rtt)
		report_rtt();
	/* highest: the largest server frame number seen (-1: none); gaps: the
	 * numbers below it never seen */
	uint64_t srv_uniq = st.srv_frames - st.srv_dup;
	uint64_t srv_gaps = st.srv_max >= 0 && (uint64_t)st.srv_max + 1 > srv_uniq ?
		(uint64_t)st.srv_max + 1 - srv_uniq : 0;
	say("FAKEPPP server frames=%llu dup=%llu reordered=%llu highest=%lld gaps=%llu",
	    (unsigned long long)st.srv_frames, (unsigned long long)st.srv_dup,
	    (unsigned long long)st.srv_reordered, (long long)st.srv_max, (unsigned long long)srv_gaps);
	if (o.bytes) {
		uint64_t t0 = st.first_data_us ? st.first_data_us : st.start_us;
		uint64_t t1 = st.last_rx_us > st.last_send_us ? st.last_rx_us : st.last_send_us;
		double secs = t1 > t0 ? (double)(t1 - t0) / 1e6 : 0.0;
		say("FAKEPPP bulk sent bytes=%llu crc=%08x", (unsigned long long)st.bytes_tx, ~st.crc_tx);
		say("FAKEPPP bulk received bytes=%llu crc=%08x seconds=%.3f", (unsigned long long)st.bytes_rx,
		    ~st.crc_rx, secs);
	}
	const char *why = NULL;
	if (st.timed_out)
		why = "timeout";
	else if (st.sent < nframes)
		why = "not all frames sent";
	else if (st.bad)
		why = "bad frames";
	else if (st.fcs_errors)
		why = "FCS errors";
	else if (st.dup)
		why = "duplicates";
	else if (st.merged && !o.allow_merged)
		why = "frame boundaries lost";
	else if (st.partial_writes && have_nhdlc)
		why = "partial writes";	/* N_HDLC writes whole frames; a split one is lost */
	else if (o.expect_echo && missing > o.max_missing)
		why = "missing frames";
	else if (o.expect_echo && st.reordered && !o.allow_reorder)
		why = "reordered frames";
	if (why)
		say("FAKEPPP RESULT fail (%s)", why);
	else
		say("FAKEPPP RESULT ok");
	return !why;
}

static bool run_finished(uint64_t now)
{
	if (st.next < nframes || olen > ooff)
		return false;
	if (!o.expect_echo || st.received >= st.sent_good)
		return true;
	/* frames given up as lost may still trickle in: wait for quiet */
	return now - st.last_activity_us >= o.echo_timeout_us;
}

int main(int argc, char **argv)
{
	out = stdout;
	tables_init();
	const char *base = strrchr(argv[0], '/');
	base = base ? base + 1 : argv[0];
	bool dashdash = false, pppd_name = !strcmp(base, "pppd");
	int used = 1;

	if (pppd_name) {
		o.as_pppd = true;
	} else {
		used += parse_opts(argc - 1, argv + 1, &dashdash);
	}
	if (o.as_pppd) {
		const char *log = getenv("FAKEPPP_LOG");
		out = stderr;
		if (log && *log) {
			FILE *f = fopen(log, "ae");
			if (f)
				out = f;
		}
		parse_env_opts();
	}
	setvbuf(out, NULL, _IOLBF, 0);

	if (o.fast || o.emit) {
		if (o.sync)
			die_usage("--fast and --emit are for async HDLC, not --sync");
		if (o.size < PAY_HDR + 1)
			die_usage("--size must be at least %d with --fast", PAY_HDR + 1);
		if (o.emit && !o.n_steps)
			die_usage("--emit needs --steps");
		fast_init();
		if (o.emit)
			return emit_main();
	}
	if (!dashdash && !o.as_pppd)
		die_usage("give -- PROGRAM ARGS..., or run as pppd / with --as-pppd");
	if (dashdash && used >= argc)
		die_usage("no PROGRAM after --");

	data_per_frame = o.size - PAY_HDR;
	if (o.bytes) {
		total_bytes = o.bytes;
		nframes = (total_bytes + data_per_frame - 1) / data_per_frame;
		if (nframes > 10000000)
			die_usage("--bytes needs more than 10000000 frames; raise --size");
	} else {
		nframes = o.frames;
		total_bytes = nframes * data_per_frame;
	}
	rx_seen = calloc(nframes + 1, sizeof *rx_seen);
	bad_sent = calloc(nframes + 1, sizeof *bad_sent);
	sent_us = calloc(nframes + 1, sizeof *sent_us);
	if (o.rtt)
		rtt_us = calloc(nframes + 1, sizeof *rtt_us);
	if (!rx_seen || !bad_sent || !sent_us || (o.rtt && !rtt_us)) {
		fprintf(stderr, "fakeppp: out of memory\n");
		return 1;
	}

	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigset_t block, orig;
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGCHLD);
	/* delivered only inside ppoll: no wakeup is lost between checks */
	sigprocmask(SIG_BLOCK, &block, &orig);

	if (o.as_pppd) {
		char line[2048];
		size_t l = (size_t)snprintf(line, sizeof line, "ARGS");
		const char *path = NULL;
		for (int i = used; i < argc; i++) {
			if (l < sizeof line)
				l += (size_t)snprintf(line + l, sizeof line - l, " %s", argv[i]);
			if (!strcmp(argv[i], "sync"))
				o.sync = true;
		}
		say("%s", line);
		if (used < argc && argv[used][0] == '/')
			path = argv[used];
		for (int i = used; i < argc && !path; i++)
			if (!strncmp(argv[i], "/dev/", 5))
				path = argv[i];
		if (!path) {
			say("FAKEPPP no tty device among the arguments");
			return 1;
		}
		tty = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (tty < 0) {
			say("FAKEPPP cannot open %s: %s", path, strerror(errno));
			return 1;
		}
		tty_setup();
		say("FAKEPPP start mode=pppd tty=%s sync=%d frames=%llu size=%lu", path, o.sync,
		    (unsigned long long)nframes, o.size);
	} else if (start_child(argv + used) < 0) {
		return 1;
	}
	if (o.sync && o.bad_fcs)
		say("FAKEPPP note: --bad-fcs has no meaning with --sync (no FCS)");

	uint64_t now = now_us();
	st.start_us = st.last_activity_us = now;
	uint64_t deadline = now + o.timeout_us;
	uint64_t start_at = now + o.delay_us;
	bool probing = (o.expect_echo || o.fast) && o.wait_link;
	uint64_t finish_at = 0;	/* end of --hold */
	bool stopped_reading = false;

	for (;;) {
		now = now_us();
		if (g_sigchld) {
			g_sigchld = 0;
			reap_child(false);
		}
		if (g_signal) {
			say("FAKEPPP signal %d", (int)g_signal);
			break;
		}
		if (st.hangup) {
			say("FAKEPPP hangup");
			break;
		}
		if (now >= deadline) {
			say("FAKEPPP timeout");
			st.timed_out = true;
			break;
		}
		if (finish_at && now >= finish_at)
			break;

		uint64_t wake = deadline;
#define WAKE(t) do { uint64_t _t = (t); if (_t < wake) wake = _t; } while (0)
		if (stopped_reading && now >= st.read_resume_us) {
			stopped_reading = false;
			/* the pause must not be taken for loss: restart the clocks */
			for (uint64_t c = st.base; c < st.next; c++)
				if (sent_us[c] < now)
					sent_us[c] = now;
			st.last_activity_us = now;
			say("FAKEPPP reading again");
		}
		if (stopped_reading)
			WAKE(st.read_resume_us);
		if (o.stop_reading_us && !st.stop_done && st.next >= nframes / 2 && !probing && now >= start_at) {
			st.stop_done = stopped_reading = true;
			st.read_resume_us = now + o.stop_reading_us;
			say("FAKEPPP stop reading for %.3f s", (double)o.stop_reading_us / 1e6);
			WAKE(st.read_resume_us);
		}
		if (probing && st.link_up)
			probing = false;
		if (now < start_at) {
			WAKE(start_at);
		} else if (probing) {
			if (now >= st.next_probe_us && ooff == olen) {
				queue_frame(CTR_PROBE, 16 + PAY_HDR, false, now);
				st.probes++;
				flush_out();
				st.next_probe_us = now + o.probe_us;
			}
			WAKE(st.next_probe_us);
		} else if (!finish_at && o.fast) {
			if (!st.link_us)
				st.link_us = now;
			fs.blocked = false;
			uint64_t w = fast_send(now), fw = UINT64_MAX;
			flush_out();
			if (w != UINT64_MAX)
				WAKE(w);
			if (fs.blocked && olen - ooff < OUT_HIGH)
				WAKE(now);	/* the tty took it all: more at once */
			if (fast_finished(now, &fw)) {
				finish_at = now + o.hold_us;
				continue;
			}
			if (fw != UINT64_MAX)
				WAKE(fw);
		} else if (!finish_at) {
			if (!st.link_us)
				st.link_us = now;
			if (!stopped_reading)
				advance_base(now);
			send_some(now);
			if (send_ready(now))
				WAKE(now);	/* more may go once the tty takes it */
			if (o.rate && st.next < nframes)
				WAKE(st.next_send_us);
			if (st.base < st.next && !rx_seen[st.base] && !stopped_reading)
				WAKE(sent_us[st.base] + o.echo_timeout_us);
			if (!stopped_reading && run_finished(now)) {
				finish_at = now + o.hold_us;
				if (o.hold_us)
					say("FAKEPPP holding the line for %.3f s", (double)o.hold_us / 1e6);
				continue;
			}
			if (o.expect_echo && st.next >= nframes)
				WAKE(st.last_activity_us + o.echo_timeout_us);
		} else {
			WAKE(finish_at);
		}

		struct pollfd pf = { .fd = tty, .events = 0 };
		if (!stopped_reading)
			pf.events |= POLLIN;
		if (ooff < olen)
			pf.events |= POLLOUT;
		struct timespec ts;
		uint64_t d = wake > now ? wake - now : 0;
		ts.tv_sec = (time_t)(d / 1000000u);
		ts.tv_nsec = (long)(d % 1000000u) * 1000;
		int r = ppoll(&pf, 1, &ts, &orig);
#undef WAKE
		if (r < 0)
			continue;	/* EINTR: a signal; checked at the top */
		now = now_us();
		if (pf.revents & (POLLIN | POLLHUP | POLLERR) && !stopped_reading)
			read_tty(now);
		if (pf.revents & POLLOUT)
			flush_out();
		if ((pf.revents & (POLLHUP | POLLERR)) && !(pf.revents & POLLIN)) {
			/* hangup while not reading: nothing more will come */
			st.hangup = true;
		}
	}

	bool ok = o.fast ? fast_report(st.timed_out) : print_report();
	close(tty);	/* the child sees hangup */
	reap_child(true);
	free(rx_seen);
	free(bad_sent);
	free(sent_us);
	free(rtt_us);
	free(srv_seen);
	if (out != stdout && out != stderr)
		fclose(out);
	/* Like pppd: stopped by SIGINT, SIGTERM or SIGHUP means status 5. */
	if (o.as_pppd && g_signal)
		return 5;
	return ok ? 0 : 1;
}
