/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pnsprobe.c - a minimal, independent PNS (client) used to test pacsrv.
 *
 * It walks the ordinary path - SCCRQ, OCRQ, echoes, GRE data, CCR, StopCCRQ -
 * and prints one "PNS ..." line per event, so tools_selftest.sh can check
 * both sides.  --evil makes it misbehave on purpose, to prove that pacsrv
 * notices.  Exit status: 0 path completed, 1 protocol/timeout trouble,
 * 2 SCCRP refused, 3 OCRP refused, 4 malformed message from the server,
 * 5 the server stopped or closed the connection, 64 usage. */
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAGIC 0x1A2B3C4Du
#define MAX_CALLS 8

static struct {
	struct in_addr server;
	unsigned long port, call_id, calls, echo, gre, gre_size;
	uint64_t hold_us, timeout_us;
	const char *evil;
	bool no_clear, no_stop;
} o = { .port = 1723, .call_id = 100, .calls = 1, .gre_size = 64, .timeout_us = 3000000 };

static int tcp = -1, raw = -1;
static uint8_t inbuf[4096];
static size_t inlen;
static uint16_t srv_call[MAX_CALLS];	/* the server's call IDs */
static unsigned ncalls;

/* GRE receive bookkeeping */
static struct {
	unsigned long sent, received, bad, gaps, old, content, foreign, acks;
	bool any;
	uint32_t expect;
	uint32_t ack;	/* highest server seq seen */
} gr;

static void say(const char *fmt, ...) PPTP_PRINTF(1, 2);
static void say(const char *fmt, ...)
{
	va_list ap;
	fputs("PNS ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static void finish(int status)
{
	if (o.gre)
		say("GRE sent=%lu received=%lu bad=%lu gaps=%lu old=%lu content=%lu acks=%lu foreign=%lu",
		    gr.sent, gr.received, gr.bad, gr.gaps, gr.old, gr.content, gr.acks, gr.foreign);
	if (tcp >= 0)
		close(tcp);
	if (raw >= 0)
		close(raw);
	say("EXIT %d", status);
	exit(status);
}

static void hdr(uint8_t *m, size_t len, uint16_t type)
{
	memset(m, 0, len);
	put16(m, (uint16_t)len);
	put16(m + 2, 1);
	put32(m + 4, MAGIC);
	put16(m + 8, type);
}

static void send_all(const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = send(tcp, p, n, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			say("WRITE_ERROR %s", strerror(errno));
			finish(5);
		}
		p += w;
		n -= (size_t)w;
	}
}

static void send_sccrq(void)
{
	uint8_t m[156];
	hdr(m, sizeof m, 1);
	put16(m + 12, 0x0100);
	put32(m + 16, 1);
	put32(m + 20, 1);
	put16(m + 26, 1);
	memcpy(m + 28, "pnsprobe", 8);
	memcpy(m + 92, "probe", 5);
	send_all(m, sizeof m);
	say("SEND SCCRQ");
}

static void send_ocrq(uint16_t id)
{
	uint8_t m[168];
	hdr(m, sizeof m, 7);
	put16(m + 12, id);
	put16(m + 14, id);
	put32(m + 16, 2400);
	put32(m + 20, 10000000);
	put32(m + 24, 3);
	put32(m + 28, 3);
	put16(m + 32, 64);
	put16(m + 36, 4);
	memcpy(m + 40, "1234", 4);
	send_all(m, sizeof m);
	say("SEND OCRQ call_id=%u", id);
}

static void send_simple(uint16_t type, size_t len, uint32_t field)
{
	uint8_t m[24];
	hdr(m, len, type);
	if (type == 5 || type == 6)
		put32(m + 12, field);	/* echo identifier */
	else if (type == 3 || type == 4)
		m[12] = (uint8_t)field;	/* reason / result */
	else
		put16(m + 12, (uint16_t)field);	/* call ID */
	if (type == 6)
		m[16] = 1;
	send_all(m, len);
}

/* ---- GRE ---- */

static void gre_send(unsigned k, uint16_t call)
{
	uint8_t pkt[16 + 2048];
	size_t plen = o.gre_size;
	uint32_t seq = (uint32_t)gr.sent;

	if (o.evil && !strcmp(o.evil, "gre-seq-gap") && gr.sent >= 5)
		seq += 3;
	pkt[0] = 0x30;
	pkt[1] = gr.any ? 0x81 : 0x01;
	put16(pkt + 2, 0x880B);
	put16(pkt + 4, (uint16_t)plen);
	put16(pkt + 6, o.evil && !strcmp(o.evil, "gre-own-callid") ? (uint16_t)o.call_id : call);
	put32(pkt + 8, seq);
	size_t h = 12;
	if (gr.any) {
		put32(pkt + 12, gr.ack);
		h = 16;
	}
	for (size_t i = 0; i < plen; i++)
		pkt[h + i] = (uint8_t)(k + i * 7);
	put32(pkt + h, k);
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr = o.server };
	if (sendto(raw, pkt, h + plen, 0, (struct sockaddr *)&to, sizeof to) < 0)
		say("WARN GRE send: %s", strerror(errno));
	gr.sent++;
}

static void gre_recv(void)
{
	uint8_t b[70000];
	for (;;) {
		ssize_t r = recv(raw, b, sizeof b, MSG_DONTWAIT);
		if (r < 0)
			return;
		size_t n = (size_t)r;
		if (n < 20)
			continue;
		size_t ihl = (size_t)(b[0] & 15) * 4;
		if (ihl > n)
			continue;
		const uint8_t *g = b + ihl;
		size_t gl = n - ihl;
		/* Own packets loop back on lo; they carry the server's call ID.
		 * Runts name no call: not attributable on a shared host. */
		if (gl < 8 || get16(g + 6) != (uint16_t)o.call_id) {
			gr.foreign++;
			continue;
		}
		if ((g[0] & ~0x10) != 0x20 || (g[1] & 0x7f) != 1 || get16(g + 2) != 0x880B) {
			gr.bad++;
			continue;
		}
		bool s = g[0] & 0x10, a = g[1] & 0x80;
		size_t h = 8 + (s ? 4u : 0u) + (a ? 4u : 0u);
		if (gl < h || h + get16(g + 4) != gl) {
			gr.bad++;
			continue;
		}
		if (!s) {
			gr.acks++;
			continue;
		}
		uint32_t seq = get32(g + 8);
		size_t plen = get16(g + 4);
		const uint8_t *p = g + h;
		if (gr.any && seq != gr.expect) {
			if (seq_before(seq, gr.expect)) {
				gr.old++;
				continue;
			}
			gr.gaps++;
		}
		gr.any = true;
		gr.expect = seq + 1;
		gr.ack = seq;
		gr.received++;
		bool ok = plen == o.gre_size && plen >= 4;
		uint32_t k = ok ? get32(p) : 0;
		for (size_t i = 4; ok && i < plen; i++)
			ok = p[i] == (uint8_t)(k + i * 7);
		if (!ok)
			gr.content++;
	}
}

/* ---- control input ---- */

enum { W_ANY = 0 };

/* Read until a message of type want arrives (copied to out), handling the
 * server's unsolicited messages on the way.  Returns false on timeout. */
static bool wait_msg(uint16_t want, uint8_t *out, uint64_t timeout_us)
{
	uint64_t end = now_us() + timeout_us;
	for (;;) {
		while (inlen >= 2) {
			size_t len = get16(inbuf);
			if (len < 12 || len > 1024) {
				say("BAD length %zu", len);
				finish(4);
			}
			if (inlen < len)
				break;
			uint8_t m[1024];
			memcpy(m, inbuf, len);
			memmove(inbuf, inbuf + len, inlen - len);
			inlen -= len;
			if (get32(m + 4) != MAGIC) {
				say("BAD magic 0x%08x", get32(m + 4));
				finish(4);
			}
			if (get16(m + 2) != 1) {
				say("BAD pptp_type %u", get16(m + 2));
				finish(4);
			}
			uint16_t t = get16(m + 8);
			static const uint16_t lens[16] = { 0, 156, 156, 16, 16, 16, 20, 168, 32, 220, 24, 28, 16, 148, 40, 24 };
			if (t == 0 || t > 15) {
				say("RECV UNKNOWN type=%u length=%zu", t, len);
				continue;
			}
			if (len != lens[t]) {
				say("BAD length %zu for type %u", len, t);
				finish(4);
			}
			if (t == 5) {
				say("RECV ECHORQ id=%u", get32(m + 12));
				if (!(o.evil && !strcmp(o.evil, "wrong-echo-id")))
					send_simple(6, 20, get32(m + 12));
				else
					send_simple(6, 20, get32(m + 12) + 1);
				continue;
			}
			if (t == 13) {
				say("RECV CDN call_id=%u result=%u", get16(m + 12), m[14]);
				for (unsigned i = 0; i < ncalls; i++)
					if (srv_call[i] == get16(m + 12))
						srv_call[i] = 0;
				if (want != 13)
					continue;
			}
			if (t == 3 && want != 3) {
				say("RECV STOPCCRQ reason=%u", m[12]);
				send_simple(4, 16, 1);
				say("SEND STOPCCRP");
				finish(5);
			}
			if (want == W_ANY || t == want) {
				if (out)
					memcpy(out, m, len);
				return true;
			}
			say("RECV UNEXPECTED type=%u", t);
			if (t == 2 || t == 8)
				finish(4);
		}
		uint64_t now = now_us();
		if (now >= end)
			return false;
		struct pollfd pf[2] = { { .fd = tcp, .events = POLLIN }, { .fd = raw, .events = POLLIN } };
		int r = poll(pf, raw >= 0 ? 2 : 1, (int)((end - now) / 1000) + 1);
		if (r < 0 && errno != EINTR)
			finish(1);
		if (raw >= 0 && (pf[1].revents & POLLIN))
			gre_recv();
		if (pf[0].revents) {
			ssize_t n = recv(tcp, inbuf + inlen, sizeof inbuf - inlen, 0);
			if (n <= 0) {
				say(n == 0 ? "EOF" : "RESET");
				finish(5);
			}
			inlen += (size_t)n;
		}
	}
}

static void usage(void)
{
	fprintf(stderr,
		"usage: pnsprobe [--server ADDR] [--port N] [--call-id N] [--calls N] [--echo N]\n"
		"                [--gre N] [--gre-size N] [--hold SECONDS] [--timeout SECONDS]\n"
		"                [--no-clear] [--no-stop]\n"
		"                [--evil ocrq-first|bad-length|gre-seq-gap|gre-own-callid|wrong-echo-id]\n");
	exit(64);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	inet_pton(AF_INET, "127.0.0.1", &o.server);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int bad = 0;
		if (!strcmp(a, "--no-clear")) { o.no_clear = true; continue; }
		if (!strcmp(a, "--no-stop")) { o.no_stop = true; continue; }
		if (!v)
			usage();
		i++;
		if (!strcmp(a, "--server")) bad = inet_pton(AF_INET, v, &o.server) != 1;
		else if (!strcmp(a, "--port")) bad = parse_uint(v, 1, 65535, &o.port);
		else if (!strcmp(a, "--call-id")) bad = parse_uint(v, 1, 65535 - MAX_CALLS, &o.call_id);
		else if (!strcmp(a, "--calls")) bad = parse_uint(v, 0, MAX_CALLS, &o.calls);
		else if (!strcmp(a, "--echo")) bad = parse_uint(v, 0, 1000, &o.echo);
		else if (!strcmp(a, "--gre")) bad = parse_uint(v, 0, 1000000, &o.gre);
		else if (!strcmp(a, "--gre-size")) bad = parse_uint(v, 4, 2000, &o.gre_size);
		else if (!strcmp(a, "--hold")) bad = parse_seconds(v, 0, 3600000000ull, &o.hold_us);
		else if (!strcmp(a, "--timeout")) bad = parse_seconds(v, 1000, 3600000000ull, &o.timeout_us);
		else if (!strcmp(a, "--evil")) o.evil = v;
		else usage();
		if (bad)
			usage();
	}

	if (o.gre) {
		raw = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_GRE);
		if (raw < 0) {
			say("WARN raw socket: %s", strerror(errno));
			finish(1);
		}
	}
	tcp = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)o.port), .sin_addr = o.server };
	if (connect(tcp, (struct sockaddr *)&sa, sizeof sa) < 0) {
		say("CONNECT_FAILED %s", strerror(errno));
		finish(1);
	}
	say("CONNECTED");

	uint8_t m[1024];
	if (o.evil && !strcmp(o.evil, "ocrq-first"))
		send_ocrq((uint16_t)o.call_id);
	if (o.evil && !strcmp(o.evil, "bad-length")) {
		/* an Echo-Request framed with 20 bytes instead of 16 */
		uint8_t e[20];
		hdr(e, sizeof e, 5);
		send_all(e, sizeof e);
		say("SEND EVIL bad-length");
	}
	send_sccrq();
	if (!wait_msg(2, m, o.timeout_us)) {
		say("TIMEOUT waiting for SCCRP");
		finish(1);
	}
	char host[80];
	str_printable(host, sizeof host, m + 28, 64);
	say("RECV SCCRP result=%u error=%u host=\"%s\"", m[14], m[15], host);
	if (m[14] != 1)
		finish(2);

	for (unsigned c = 0; c < o.calls; c++) {
		send_ocrq((uint16_t)(o.call_id + c));
		if (!wait_msg(8, m, o.timeout_us)) {
			say("TIMEOUT waiting for OCRP");
			finish(1);
		}
		say("RECV OCRP call_id=%u peer_call_id=%u result=%u window=%u", get16(m + 12), get16(m + 14), m[16],
		    get16(m + 24));
		if (m[16] != 1)
			finish(3);
		if (get16(m + 14) != (uint16_t)(o.call_id + c)) {
			say("BAD OCRP for another call");
			finish(4);
		}
		srv_call[ncalls++] = get16(m + 12);
	}

	for (unsigned e = 0; e < o.echo; e++) {
		send_simple(5, 16, 1000 + e);
		if (!wait_msg(6, m, o.timeout_us)) {
			say("TIMEOUT waiting for ECHORP");
			finish(1);
		}
		say("RECV ECHORP id=%u%s", get32(m + 12), get32(m + 12) == 1000 + e ? " ok" : " MISMATCH");
	}

	if (o.gre && ncalls) {
		for (unsigned k = 0; k < o.gre; k++) {
			gre_send(k, srv_call[0]);
			/* keep a little in flight, well inside the window */
			if (k % 8 == 7)
				wait_msg(0xffff, NULL, 2000);
		}
		uint64_t end = now_us() + 500000;
		while (now_us() < end)
			wait_msg(0xffff, NULL, 50000);
	}

	if (o.hold_us)
		wait_msg(0xffff, NULL, o.hold_us);

	if (!o.no_clear) {
		for (unsigned c = 0; c < ncalls; c++) {
			if (!srv_call[c])
				continue;
			send_simple(12, 16, (uint16_t)(o.call_id + c));
			say("SEND CCR call_id=%lu", o.call_id + c);
			if (!wait_msg(13, m, o.timeout_us)) {
				say("TIMEOUT waiting for CDN");
				finish(1);
			}
		}
	}
	if (!o.no_stop) {
		send_simple(3, 16, 1);
		say("SEND STOPCCRQ");
		if (!wait_msg(4, m, o.timeout_us)) {
			say("TIMEOUT waiting for STOPCCRP");
			finish(1);
		}
		say("RECV STOPCCRP result=%u", m[12]);
	}
	finish(0);
}
