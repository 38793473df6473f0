/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_ctrl.c - the PPTP control connection: codecs against bytes written
 * by hand from PROTOCOL.md, and the engine against a scripted server with
 * a fake clock.  Server messages are built here field by field at the RFC
 * offsets, never with the encoder under test. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "pptp_ctrl.h"
#include "test.h"
#include "util.h"

#define T0 1000000000ull	/* fake clock start (µs) */
#define MS 1000ull
#define SEC 1000000ull
#define IDLE_MS 60000u
#define ECHO_MS 30000u
#define FIRST_ID 100

/* ---- log capture ---- */

#define LOG_LINES 1024
static struct {
	int n;
	int level[LOG_LINES];
	char line[LOG_LINES][512];
} logs;

static void cap_log(void *ctx, int level, const char *msg)
{
	(void)ctx;
	if (logs.n < LOG_LINES) {
		logs.level[logs.n] = level;
		snprintf(logs.line[logs.n], sizeof logs.line[0], "%s", msg);
		logs.n++;
	}
}

/* The first captured line containing needle at level <= max_level. */
static const char *log_find(const char *needle, int max_level)
{
	for (int i = 0; i < logs.n; i++)
		if (logs.level[i] <= max_level && strstr(logs.line[i], needle))
			return logs.line[i];
	return NULL;
}

#define CHECK_LOG(needle, lvl) do { if (!log_find((needle), (lvl))) { \
	for (int _i = 0; _i < logs.n; _i++) fprintf(stderr, "      log %d: %s\n", logs.level[_i], logs.line[_i]); \
	test_fail(__FILE__, __LINE__, "no log line at level <= %d contains \"%s\"", (lvl), (needle)); } } while (0)

/* ---- server-side messages, written at the PROTOCOL.md offsets ---- */

static void hdr(uint8_t *b, size_t len, unsigned type)
{
	memset(b, 0, len);
	put16(b, (uint16_t)len);
	put16(b + 2, 1);
	put32(b + 4, 0x1A2B3C4Du);
	put16(b + 8, (uint16_t)type);
}

static size_t mk_sccrp(uint8_t *b, uint8_t result, uint8_t error)
{
	hdr(b, 156, 2);
	put16(b + 12, 0x0100);
	b[14] = result;
	b[15] = error;
	put32(b + 16, 1);
	put32(b + 20, 1);
	put16(b + 24, 1);
	put16(b + 26, 0x0a01);
	memcpy(b + 28, "pac-host", 8);
	memcpy(b + 92, "pac-vendor", 10);
	return 156;
}

static size_t mk_ocrp(uint8_t *b, uint16_t call_id, uint16_t peer_call_id, uint8_t result,
		      uint8_t error, uint16_t cause, uint16_t window)
{
	hdr(b, 32, 8);
	put16(b + 12, call_id);
	put16(b + 14, peer_call_id);
	b[16] = result;
	b[17] = error;
	put16(b + 18, cause);
	put32(b + 20, 10000000);
	put16(b + 24, window);
	put16(b + 26, 7);
	return 32;
}

static size_t mk_echorq(uint8_t *b, uint32_t id)
{
	hdr(b, 16, 5);
	put32(b + 12, id);
	return 16;
}

static size_t mk_echorp(uint8_t *b, uint32_t id, uint8_t result)
{
	hdr(b, 20, 6);
	put32(b + 12, id);
	b[16] = result;
	return 20;
}

static size_t mk_cdn(uint8_t *b, uint16_t call_id, uint8_t result, uint8_t error, uint16_t cause,
		     const char *stats)
{
	hdr(b, 148, 13);
	put16(b + 12, call_id);
	b[14] = result;
	b[15] = error;
	put16(b + 16, cause);
	memcpy(b + 20, stats, strlen(stats));
	return 148;
}

static size_t mk_stopccrq(uint8_t *b, uint8_t reason)
{
	hdr(b, 16, 3);
	b[12] = reason;
	return 16;
}

static size_t mk_stopccrp(uint8_t *b, uint8_t result, uint8_t error)
{
	hdr(b, 16, 4);
	b[12] = result;
	b[13] = error;
	return 16;
}

/* ---- engine helpers ---- */

static struct pptp_conn_config test_cfg(void)
{
	struct pptp_conn_config cfg;
	memset(&cfg, 0, sizeof cfg);
	cfg.hostname = "myhost";
	cfg.vendor = "testvendor";
	cfg.firmware = 0x1234;
	cfg.idle_wait_ms = IDLE_MS;
	cfg.max_echo_wait_ms = ECHO_MS;
	cfg.first_call_id = FIRST_ID;
	cfg.log = cap_log;
	return cfg;
}

static struct pptp_call_params test_params(void)
{
	struct pptp_call_params p;
	memset(&p, 0, sizeof p);
	snprintf(p.phone, sizeof p.phone, "5551234");
	p.window = 64;
	p.delay = 0;
	p.framing = PPTP_FRAME_ASYNC;
	return p;
}

/* The next whole message the engine wants sent, consumed; 0 when none. */
static size_t out_take(struct pptp_conn *c, uint8_t *msg)
{
	const uint8_t *p;
	size_t n = pptp_conn_pending(c, &p);
	if (n == 0)
		return 0;
	CHECK(n >= PPTP_HDR_LEN);
	if (n < 2)
		return 0;
	size_t len = get16(p);
	CHECK(len >= PPTP_HDR_LEN && len <= PPTP_MSG_MAX && len <= n);
	if (len > n || len > PPTP_MSG_MAX || len < PPTP_HDR_LEN)
		return 0;
	memcpy(msg, p, len);
	pptp_conn_consume(c, len);
	return len;
}

static unsigned msg_type(const uint8_t *m) { return get16(m + 8); }

/* Take the next output message and check its type. */
static size_t expect_out(struct pptp_conn *c, uint8_t *msg, unsigned type)
{
	size_t n = out_take(c, msg);
	if (!n) {
		test_fail(__FILE__, __LINE__, "no output; expected a %s", pptp_msg_abbrev(type));
		return 0;
	}
	if (msg_type(msg) != type)
		test_fail(__FILE__, __LINE__, "output is a %s, expected a %s",
			  pptp_msg_abbrev(msg_type(msg)), pptp_msg_abbrev(type));
	CHECK_UINT(n, pptp_msg_len(type));
	return n;
}

static void expect_no_out(const struct pptp_conn *c)
{
	const uint8_t *p;
	CHECK_UINT(pptp_conn_pending(c, &p), 0);
}

static void expect_ev(struct pptp_conn *c, struct pptp_event *ev, enum pptp_event_type type,
		      int reason)
{
	memset(ev, 0, sizeof *ev);
	if (!pptp_conn_poll_event(c, ev)) {
		test_fail(__FILE__, __LINE__, "no event; expected type %d reason %d", type, reason);
		return;
	}
	CHECK_INT(ev->type, type);
	CHECK_INT(ev->reason, reason);
}

static void expect_no_ev(struct pptp_conn *c)
{
	struct pptp_event ev;
	int got = pptp_conn_poll_event(c, &ev);
	if (got)
		test_fail(__FILE__, __LINE__, "unexpected event type %d reason %d: %s", ev.type,
			  ev.reason, ev.text);
}

static void feed(struct pptp_conn *c, const uint8_t *b, size_t n, uint64_t now)
{
	CHECK_INT(pptp_conn_input(c, b, n, now), 0);
}

/* init, drain the SCCRQ, feed a successful SCCRP at T0 + 1 ms. */
static void start(struct pptp_conn *c, const struct pptp_conn_config *cfg)
{
	uint8_t m[PPTP_MSG_MAX];
	struct pptp_event ev;

	memset(&logs, 0, sizeof logs);
	pptp_conn_init(c, cfg, T0);
	expect_out(c, m, PPTP_SCCRQ);
	feed(c, m, mk_sccrp(m, 1, 0), T0 + MS);
	expect_ev(c, &ev, PPTP_EV_CONN_UP, 0);
	CHECK_INT(c->state, PPTP_CONN_ESTABLISHED);
}

/* Open a call on an established connection; returns the handle and our
 * call ID from the OCRQ that went out. */
static int open_call(struct pptp_conn *c, uint16_t *call_id, uint64_t now)
{
	struct pptp_call_params p = test_params();
	uint8_t m[PPTP_MSG_MAX];
	int h = pptp_conn_call_open(c, &p, now);
	CHECK(h >= 0);
	if (expect_out(c, m, PPTP_OCRQ))
		*call_id = get16(m + 12);
	return h;
}

/* Open and connect a call: the server's call ID is peer. */
static int up_call(struct pptp_conn *c, uint16_t peer, uint16_t *call_id, uint64_t now)
{
	uint8_t m[PPTP_MSG_MAX];
	struct pptp_event ev;
	int h = open_call(c, call_id, now);
	feed(c, m, mk_ocrp(m, peer, *call_id, 1, 0, 0, 32), now);
	expect_ev(c, &ev, PPTP_EV_CALL_UP, 0);
	CHECK_INT(ev.call, h);
	return h;
}

/* ---- codecs ---- */

static void test_msg_table(void)
{
	/* Lengths from the PROTOCOL.md table, by type. */
	static const size_t want[16] = { 0, 156, 156, 16, 16, 16, 20, 168, 32, 220, 24, 28, 16,
					 148, 40, 24 };
	for (unsigned t = 0; t < 16; t++)
		CHECK_UINT(pptp_msg_len(t), want[t]);
	CHECK_UINT(pptp_msg_len(16), 0);
	CHECK_UINT(pptp_msg_len(0xffff), 0);
	CHECK_STR(pptp_msg_name(1), "Start-Control-Connection-Request");
	CHECK_STR(pptp_msg_name(13), "Call-Disconnect-Notify");
	CHECK_STR(pptp_msg_name(15), "Set-Link-Info");
	CHECK_STR(pptp_msg_name(0), "unknown");
	CHECK_STR(pptp_msg_name(16), "unknown");
	CHECK_STR(pptp_msg_abbrev(1), "SCCRQ");
	CHECK_STR(pptp_msg_abbrev(8), "OCRP");
	CHECK_STR(pptp_msg_abbrev(12), "CCR");
	CHECK_STR(pptp_msg_abbrev(0), "?");
	CHECK_STR(pptp_msg_abbrev(99), "?");
	for (unsigned t = 1; t <= PPTP_MSG_TYPE_MAX; t++) {
		CHECK(strcmp(pptp_msg_name(t), "unknown") != 0);
		CHECK(strcmp(pptp_msg_abbrev(t), "?") != 0);
	}
}

static void test_result_words(void)
{
	CHECK_STR(pptp_sccrp_result_str(1), "success");
	CHECK_STR(pptp_sccrp_result_str(3), "command channel already exists");
	CHECK_STR(pptp_sccrp_result_str(4), "requester not authorized");
	CHECK_STR(pptp_sccrp_result_str(5), "protocol version not supported");
	CHECK_STR(pptp_ocrp_result_str(1), "connected");
	CHECK_STR(pptp_ocrp_result_str(3), "no carrier");
	CHECK_STR(pptp_ocrp_result_str(4), "busy");
	CHECK_STR(pptp_ocrp_result_str(5), "no dial tone");
	CHECK_STR(pptp_ocrp_result_str(6), "time-out");
	CHECK_STR(pptp_ocrp_result_str(7), "do not accept");
	CHECK_STR(pptp_icrp_result_str(3), "do not accept");
	CHECK_STR(pptp_cdn_result_str(1), "lost carrier");
	CHECK_STR(pptp_cdn_result_str(3), "admin shutdown");
	CHECK_STR(pptp_cdn_result_str(4), "request");
	CHECK_STR(pptp_stop_reason_str(1), "none");
	CHECK_STR(pptp_stopccrp_result_str(1), "OK");
	CHECK_STR(pptp_echorp_result_str(2), "general error");
	CHECK_STR(pptp_general_error_str(0), "none");
	CHECK_STR(pptp_general_error_str(3), "bad value");
	CHECK_STR(pptp_general_error_str(5), "bad call ID");
	CHECK_STR(pptp_general_error_str(6), "PAC error");
	/* Unknown codes: one fixed word, never NULL. */
	CHECK_STR(pptp_sccrp_result_str(0), "unknown");
	CHECK_STR(pptp_sccrp_result_str(6), "unknown");
	CHECK_STR(pptp_ocrp_result_str(8), "unknown");
	CHECK_STR(pptp_icrp_result_str(4), "unknown");
	CHECK_STR(pptp_cdn_result_str(5), "unknown");
	CHECK_STR(pptp_stop_reason_str(4), "unknown");
	CHECK_STR(pptp_stopccrp_result_str(3), "unknown");
	CHECK_STR(pptp_echorp_result_str(0), "unknown");
	CHECK_STR(pptp_general_error_str(7), "unknown");
	CHECK_STR(pptp_general_error_str(0xffffffffu), "unknown");
	for (int e = PPTP_DEC_LENGTH_MISMATCH; e <= PPTP_DEC_OK; e++)
		CHECK(strcmp(pptp_dec_strerror(e), "unknown") != 0);
	CHECK_STR(pptp_dec_strerror(-99), "unknown");
}

struct strfield { size_t off; const char *s; };

/* Encode m and compare with the hand-written bytes (head, then strings at
 * their offsets, zeros elsewhere); decode those bytes back into m. */
static void check_codec(const struct pptp_msg *m, const uint8_t *head, size_t head_len,
			size_t total, const struct strfield *sf, size_t nsf)
{
	uint8_t want[PPTP_MSG_MAX + 8], got[PPTP_MSG_MAX + 8];
	struct pptp_msg d;

	memset(want, 0, sizeof want);
	memcpy(want, head, head_len);
	for (size_t i = 0; i < nsf; i++)
		memcpy(want + sf[i].off, sf[i].s, strlen(sf[i].s));
	memset(got, 0xee, sizeof got);
	CHECK_INT(pptp_msg_encode(m, got, sizeof got), (int)total);
	CHECK_MEM(got, want, total);
	CHECK_UINT(got[total], 0xee);	/* nothing written past the message */
	memset(got, 0xee, sizeof got);
	CHECK_INT(pptp_msg_encode(m, got, total), (int)total);
	CHECK_INT(pptp_msg_encode(m, got, total - 1), -ENOSPC);
	CHECK_INT(pptp_msg_decode(want, total, &d), PPTP_DEC_OK);
	CHECK_INT(d.type, m->type);
	CHECK_MEM(&d, m, sizeof d);
}

static struct pptp_msg zmsg(unsigned type)
{
	struct pptp_msg m;
	memset(&m, 0, sizeof m);
	m.type = (uint16_t)type;
	return m;
}

static void test_codec_sccrq(void)
{
	struct pptp_msg m = zmsg(PPTP_SCCRQ);
	m.u.sccrq.version = 0x0100;
	m.u.sccrq.framing = 3;
	m.u.sccrq.bearer = 2;
	m.u.sccrq.max_channels = 0x0a0b;
	m.u.sccrq.firmware = 0x0c0d;
	strcpy(m.u.sccrq.hostname, "host-A");
	strcpy(m.u.sccrq.vendor, "vendor-B");
	static const uint8_t head[] = {
		0x00, 0x9c, 0x00, 0x01, 0x1a, 0x2b, 0x3c, 0x4d, 0x00, 0x01, 0x00, 0x00,
		0x01, 0x00, 0x00, 0x00,	/* version, reserved */
		0x00, 0x00, 0x00, 0x03,	/* framing */
		0x00, 0x00, 0x00, 0x02,	/* bearer */
		0x0a, 0x0b, 0x0c, 0x0d,	/* max channels, firmware */
	};
	const struct strfield sf[] = { { 28, "host-A" }, { 92, "vendor-B" } };
	check_codec(&m, head, sizeof head, 156, sf, 2);
}

static void test_codec_sccrp(void)
{
	struct pptp_msg m = zmsg(PPTP_SCCRP);
	m.u.sccrp.version = 0x0100;
	m.u.sccrp.result = 2;
	m.u.sccrp.error = 6;
	m.u.sccrp.framing = 1;
	m.u.sccrp.bearer = 3;
	m.u.sccrp.max_channels = 1;
	m.u.sccrp.firmware = 0x0500;
	strcpy(m.u.sccrp.hostname, "pac");
	strcpy(m.u.sccrp.vendor, "acme");
	static const uint8_t head[] = {
		0x00, 0x9c, 0x00, 0x01, 0x1a, 0x2b, 0x3c, 0x4d, 0x00, 0x02, 0x00, 0x00,
		0x01, 0x00, 0x02, 0x06,
		0x00, 0x00, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x03,
		0x00, 0x01, 0x05, 0x00,
	};
	const struct strfield sf[] = { { 28, "pac" }, { 92, "acme" } };
	check_codec(&m, head, sizeof head, 156, sf, 2);
}

static void test_codec_stop_echo(void)
{
	struct pptp_msg m = zmsg(PPTP_STOPCCRQ);
	m.u.stopccrq.reason = 3;
	static const uint8_t stoprq[] = { 0x00, 0x10, 0x00, 0x01, 0x1a, 0x2b, 0x3c, 0x4d,
					  0x00, 0x03, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00 };
	check_codec(&m, stoprq, sizeof stoprq, 16, NULL, 0);

	m = zmsg(PPTP_STOPCCRP);
	m.u.stopccrp.result = 2;
	m.u.stopccrp.error = 4;
	static const uint8_t stoprp[] = { 0x00, 0x10, 0x00, 0x01, 0x1a, 0x2b, 0x3c, 0x4d,
					  0x00, 0x04, 0x00, 0x00, 0x02, 0x04, 0x00, 0x00 };
	check_codec(&m, stoprp, sizeof stoprp, 16, NULL, 0);

	m = zmsg(PPTP_ECHORQ);
	m.u.echorq.id = 0xdeadbeef;
	static const uint8_t echorq[] = { 0x00, 0x10, 0x00, 0x01, 0x1a, 0x2b, 0x3c, 0x4d,
					  0x00, 0x05, 0x00, 0x00, 0xde, 0xad, 0xbe, 0xef };
	check_codec(&m, echorq, sizeof echorq, 16, NULL, 0);

	m = zmsg(PPTP_ECHORP);
	m.u.echorp.id = 0x01020304;
	m.u.echorp.result = 1;
	m.u.echorp.error = 0;
	static const uint8_t echorp[] = { 0x00, 0x14, 0x00, 0x01, 0x1a, 0x2b, 0x3c, 0x4d,
					  0x00, 0x06, 0x00, 0x00, 0x01, 0x02, 0x03, 0x04,
					  0x01, 0x00, 0x00, 0x00 };
	check_codec(&m, echorp, sizeof echorp, 20, NULL, 0);
}

static void test_codec_ocrq(void)
{
	struct pptp_msg m = zmsg(PPTP_OCRQ);
	m.u.ocrq.call_id = 0x1111;
	m.u.ocrq.serial = 0x2222;
	m.u.ocrq.min_bps = 300;
	m.u.ocrq.max_bps = 100000000;
	m.u.ocrq.bearer = 3;
	m.u.ocrq.framing = 2;
	m.u.ocrq.window = 0x10;
	m.u.ocrq.delay = 0x20;
	m.u.ocrq.phone_len = 4;
	strcpy(m.u.ocrq.phone, "1234");
	strcpy(m.u.ocrq.subaddress, "sub");
	static const uint8_t head[] = {
		0x00, 0xa8, 0x00, 0x01, 0x1a, 0x2b, 0x3c, 0x4d, 0x00, 0x07, 0x00, 0x00,
		0x11, 0x11, 0x22, 0x22,
		0x00, 0x00, 0x01, 0x2c,	/* 300 */
		0x05, 0xf5, 0xe1, 0x00,	/* 100000000 */
		0x00, 0x00, 0x00, 0x03,
		0x00, 0x00, 0x00, 0x02,
		0x00, 0x10, 0x00, 0x20,
		0x00, 0x04, 0x00, 0x00,
	};
	const struct strfield sf[] = { { 40, "1234" }, { 104, "sub" } };
	check_codec(&m, head, sizeof head, 168, sf, 2);
}

static void test_codec_ocrp(void)
{
	struct pptp_msg m = zmsg(PPTP_OCRP);
	m.u.ocrp.call_id = 0x0102;
	m.u.ocrp.peer_call_id = 0x0304;
	m.u.ocrp.result = 1;
	m.u.ocrp.error = 0;
	m.u.ocrp.cause = 0x0506;
	m.u.ocrp.speed = 0x0708090a;
	m.u.ocrp.window = 0x0b0c;
	m.u.ocrp.delay = 0x0d0e;
	m.u.ocrp.channel = 0x0f101112;
	static const uint8_t want[] = {
		0x00, 0x20, 0x00, 0x01, 0x1a, 0x2b, 0x3c, 0x4d, 0x00, 0x08, 0x00, 0x00,
		0x01, 0x02, 0x03, 0x04, 0x01, 0x00, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
		0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12,
	};
	check_codec(&m, want, sizeof want, 32, NULL, 0);
}

static void test_codec_incoming(void)
{
	struct pptp_msg m = zmsg(PPTP_ICRQ);
	m.u.icrq.call_id = 0x0a0a;
	m.u.icrq.serial = 0x0b0b;
	m.u.icrq.bearer = 1;
	m.u.icrq.channel = 0x12345678;
	m.u.icrq.dialed_len = 3;
	m.u.icrq.dialing_len = 5;
	strcpy(m.u.icrq.dialed, "123");
	strcpy(m.u.icrq.dialing, "45678");
	strcpy(m.u.icrq.subaddress, "s");
	static const uint8_t icrq[] = {
		0x00, 0xdc, 0x00, 0x01, 0x1a, 0x2b, 0x3c, 0x4d, 0x00, 0x09, 0x00, 0x00,
		0x0a, 0x0a, 0x0b, 0x0b, 0x00, 0x00, 0x00, 0x01, 0x12, 0x34, 0x56, 0x78,
		0x00, 0x03, 0x00, 0x05,
	};
	const struct strfield sf[] = { { 28, "123" }, { 92, "45678" }, { 156, "s" } };
	check_codec(&m, icrq, sizeof icrq, 220, sf, 3);

	m = zmsg(PPTP_ICRP);
	m.u.icrp.call_id = 7;
	m.u.icrp.peer_call_id = 9;
	m.u.icrp.result = 3;
	m.u.icrp.window = 0x40;
	m.u.icrp.delay = 0x10;
	static const uint8_t icrp[] = {
		0x00, 0x18, 0x00, 0x01, 0x1a, 0x2b, 0x3c, 0x4d, 0x00, 0x0a, 0x00, 0x00,
		0x00, 0x07, 0x00, 0x09, 0x03, 0x00, 0x00, 0x40, 0x00, 0x10, 0x00, 0x00,
	};
	check_codec(&m, icrp, sizeof icrp, 24, NULL, 0);

	m = zmsg(PPTP_ICCN);
	m.u.iccn.peer_call_id = 0x0102;
	m.u.iccn.speed = 10000000;
	m.u.iccn.window = 0x20;
	m.u.iccn.delay = 3;
	m.u.iccn.framing = 1;
	static const uint8_t iccn[] = {
		0x00, 0x1c, 0x00, 0x01, 0x1a, 0x2b, 0x3c, 0x4d, 0x00, 0x0b, 0x00, 0x00,
		0x01, 0x02, 0x00, 0x00, 0x00, 0x98, 0x96, 0x80, 0x00, 0x20, 0x00, 0x03,
		0x00, 0x00, 0x00, 0x01,
	};
	check_codec(&m, iccn, sizeof iccn, 28, NULL, 0);
}

static void test_codec_call_mgmt(void)
{
	struct pptp_msg m = zmsg(PPTP_CCR);
	m.u.ccr.call_id = 0xbeef;
	static const uint8_t ccr[] = { 0x00, 0x10, 0x00, 0x01, 0x1a, 0x2b, 0x3c, 0x4d,
				       0x00, 0x0c, 0x00, 0x00, 0xbe, 0xef, 0x00, 0x00 };
	check_codec(&m, ccr, sizeof ccr, 16, NULL, 0);

	m = zmsg(PPTP_CDN);
	m.u.cdn.call_id = 0x42;
	m.u.cdn.result = 3;
	m.u.cdn.cause = 0x10;
	strcpy(m.u.cdn.stats, "rx 10 tx 20");
	static const uint8_t cdn[] = {
		0x00, 0x94, 0x00, 0x01, 0x1a, 0x2b, 0x3c, 0x4d, 0x00, 0x0d, 0x00, 0x00,
		0x00, 0x42, 0x03, 0x00, 0x00, 0x10, 0x00, 0x00,
	};
	const struct strfield sf[] = { { 20, "rx 10 tx 20" } };
	check_codec(&m, cdn, sizeof cdn, 148, sf, 1);

	m = zmsg(PPTP_WEN);
	m.u.wen.peer_call_id = 5;
	m.u.wen.crc = 1;
	m.u.wen.framing = 2;
	m.u.wen.hw_overrun = 3;
	m.u.wen.buf_overrun = 4;
	m.u.wen.timeout = 5;
	m.u.wen.alignment = 6;
	static const uint8_t wen[] = {
		0x00, 0x28, 0x00, 0x01, 0x1a, 0x2b, 0x3c, 0x4d, 0x00, 0x0e, 0x00, 0x00,
		0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02,
		0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x05,
		0x00, 0x00, 0x00, 0x06,
	};
	check_codec(&m, wen, sizeof wen, 40, NULL, 0);

	m = zmsg(PPTP_SLI);
	m.u.sli.peer_call_id = 0x1234;
	m.u.sli.send_accm = 0xffffffff;
	m.u.sli.recv_accm = 0x0a;
	static const uint8_t sli[] = {
		0x00, 0x18, 0x00, 0x01, 0x1a, 0x2b, 0x3c, 0x4d, 0x00, 0x0f, 0x00, 0x00,
		0x12, 0x34, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x0a,
	};
	check_codec(&m, sli, sizeof sli, 24, NULL, 0);
}

static void test_codec_strings(void)
{
	uint8_t b[156], out[156];
	struct pptp_msg m;

	/* A field with no NUL at all: all 64 bytes, terminated in the struct. */
	mk_sccrp(b, 1, 0);
	memset(b + 28, 'A', 64);
	/* Junk after the NUL is not part of the string. */
	memcpy(b + 92, "ab\0zz", 5);
	CHECK_INT(pptp_msg_decode(b, sizeof b, &m), PPTP_DEC_OK);
	CHECK_UINT(strlen(m.u.sccrp.hostname), 64);
	CHECK_STR(m.u.sccrp.vendor, "ab");
	CHECK_UINT(m.u.sccrp.vendor[3], 0);
	CHECK_INT(pptp_msg_encode(&m, out, sizeof out), 156);
	CHECK_MEM(out + 28, b + 28, 64);
	CHECK_MEM(out + 92, "ab\0\0\0", 5);

	/* An unterminated host string in the struct: at most 64 bytes go out,
	 * and the vendor field after it is untouched by the overrun. */
	memset(&m, 0, sizeof m);
	m.type = PPTP_SCCRQ;
	memset(m.u.sccrq.hostname, 'x', sizeof m.u.sccrq.hostname);
	strcpy(m.u.sccrq.vendor, "v");
	CHECK_INT(pptp_msg_encode(&m, out, sizeof out), 156);
	CHECK_UINT(out[28 + 63], 'x');
	CHECK_UINT(out[92], 'v');
	CHECK_UINT(out[93], 0);
}

static void test_decode_errors(void)
{
	uint8_t b[PPTP_MSG_MAX + 4];
	struct pptp_msg m;

	mk_echorq(b, 7);
	CHECK_INT(pptp_msg_decode(b, 16, &m), PPTP_DEC_OK);
	CHECK_INT(pptp_msg_decode(b, 0, &m), PPTP_DEC_SHORT);
	CHECK_INT(pptp_msg_decode(b, 11, &m), PPTP_DEC_SHORT);
	CHECK_INT(pptp_msg_decode(b, 15, &m), PPTP_DEC_SHORT);	/* declared 16 */
	CHECK_INT(pptp_msg_decode(b, 17, &m), PPTP_DEC_BAD_LENGTH);	/* declared 16 */
	put16(b, 11);
	CHECK_INT(pptp_msg_decode(b, 16, &m), PPTP_DEC_BAD_LENGTH);
	put16(b, 0);
	CHECK_INT(pptp_msg_decode(b, 16, &m), PPTP_DEC_BAD_LENGTH);
	put16(b, 221);
	CHECK_INT(pptp_msg_decode(b, sizeof b, &m), PPTP_DEC_BAD_LENGTH);
	put16(b, 0xffff);
	CHECK_INT(pptp_msg_decode(b, sizeof b, &m), PPTP_DEC_BAD_LENGTH);

	mk_echorq(b, 7);
	put16(b + 2, 2);	/* management message */
	CHECK_INT(pptp_msg_decode(b, 16, &m), PPTP_DEC_NOT_CONTROL);
	b[7] ^= 1;		/* type is checked before the magic */
	CHECK_INT(pptp_msg_decode(b, 16, &m), PPTP_DEC_NOT_CONTROL);
	put16(b + 2, 1);
	CHECK_INT(pptp_msg_decode(b, 16, &m), PPTP_DEC_BAD_MAGIC);
	b[7] ^= 1;
	put16(b + 8, 0);
	CHECK_INT(pptp_msg_decode(b, 16, &m), PPTP_DEC_UNKNOWN_TYPE);
	put16(b + 8, 16);
	CHECK_INT(pptp_msg_decode(b, 16, &m), PPTP_DEC_UNKNOWN_TYPE);
	put16(b + 8, 6);	/* Echo-Reply is 20 bytes */
	CHECK_INT(pptp_msg_decode(b, 16, &m), PPTP_DEC_LENGTH_MISMATCH);
	/* Every known type at a wrong length. */
	for (unsigned t = 1; t <= PPTP_MSG_TYPE_MAX; t++) {
		size_t len = pptp_msg_len(t) == 16 ? 20 : 16;
		hdr(b, len, t);
		CHECK_INT(pptp_msg_decode(b, len, &m), PPTP_DEC_LENGTH_MISMATCH);
		hdr(b, pptp_msg_len(t), t);
		CHECK_INT(pptp_msg_decode(b, pptp_msg_len(t), &m), PPTP_DEC_OK);
		CHECK_UINT(m.type, t);
	}

	m = zmsg(0);
	CHECK_INT(pptp_msg_encode(&m, b, sizeof b), -EINVAL);
	m = zmsg(16);
	CHECK_INT(pptp_msg_encode(&m, b, sizeof b), -EINVAL);
}

/* ---- the engine ---- */

static void test_init_sccrq(void)
{
	struct pptp_conn c;
	struct pptp_conn_config cfg = test_cfg();
	uint8_t m[PPTP_MSG_MAX], want[156];

	memset(&logs, 0, sizeof logs);
	pptp_conn_init(&c, &cfg, T0);
	CHECK_INT(c.state, PPTP_CONN_WAIT_SCCRP);
	CHECK_STR(pptp_conn_state_name(c.state), "WAIT_SCCRP");
	CHECK(!pptp_conn_is_closed(&c));
	static const uint8_t head[] = {
		0x00, 0x9c, 0x00, 0x01, 0x1a, 0x2b, 0x3c, 0x4d, 0x00, 0x01, 0x00, 0x00,
		0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x03,
		0x00, 0x00, 0x12, 0x34,
	};
	memset(want, 0, sizeof want);
	memcpy(want, head, sizeof head);
	memcpy(want + 28, "myhost", 6);
	memcpy(want + 92, "testvendor", 10);
	CHECK_UINT(out_take(&c, m), 156);
	CHECK_MEM(m, want, 156);
	expect_no_out(&c);
	expect_no_ev(&c);
	CHECK_UINT(pptp_conn_next_timeout(&c), T0 + PPTP_SCCRP_TIMEOUT_MS * MS);

	/* NULL host name and vendor: empty fields. */
	cfg.hostname = NULL;
	cfg.vendor = NULL;
	pptp_conn_init(&c, &cfg, T0);
	CHECK_UINT(out_take(&c, m), 156);
	memset(want + 28, 0, 128);
	CHECK_MEM(m, want, 156);
}

static void test_conversation(void)
{
	struct pptp_conn c;
	struct pptp_conn_config cfg = test_cfg();
	struct pptp_event ev;
	uint8_t m[PPTP_MSG_MAX];
	uint64_t now = T0;

	memset(&logs, 0, sizeof logs);
	pptp_conn_init(&c, &cfg, now);
	expect_out(&c, m, PPTP_SCCRQ);

	now += 5 * MS;
	feed(&c, m, mk_sccrp(m, 1, 0), now);
	expect_ev(&c, &ev, PPTP_EV_CONN_UP, 0);
	CHECK_INT(ev.call, -1);
	CHECK_INT(c.state, PPTP_CONN_ESTABLISHED);
	CHECK_LOG("pac-host", L_NOTICE);
	CHECK_LOG("pac-vendor", L_NOTICE);
	CHECK_LOG("firmware 0x0a01", L_NOTICE);
	CHECK_LOG("version 1.0", L_NOTICE);
	CHECK_UINT(c.server.firmware, 0x0a01);

	struct pptp_call_params p = test_params();
	p.window = 0x30;
	p.delay = 2;
	int h = pptp_conn_call_open(&c, &p, now);
	CHECK(h >= 0);
	CHECK_INT(pptp_conn_active_calls(&c), 1);
	expect_out(&c, m, PPTP_OCRQ);
	static const uint8_t ocrq[] = {
		0x00, 0xa8, 0x00, 0x01, 0x1a, 0x2b, 0x3c, 0x4d, 0x00, 0x07, 0x00, 0x00,
		0x00, 0x64, 0x00, 0x01,	/* call ID 100 (first_call_id), serial 1 */
		0x00, 0x00, 0x01, 0x2c, 0x05, 0xf5, 0xe1, 0x00,	/* 300 .. 100000000 bps */
		0x00, 0x00, 0x00, 0x03,	/* bearer any */
		0x00, 0x00, 0x00, 0x01,	/* framing async */
		0x00, 0x30, 0x00, 0x02,	/* window, delay */
		0x00, 0x07, 0x00, 0x00,	/* phone length 7 */
		'5', '5', '5', '1', '2', '3', '4', 0,
	};
	CHECK_MEM(m, ocrq, sizeof ocrq);
	for (size_t i = sizeof ocrq; i < 168; i++)
		CHECK_UINT(m[i], 0);
	CHECK_UINT(pptp_conn_call(&c, h)->state, PPTP_CALL_WAIT_OCRP);
	CHECK_UINT(pptp_conn_next_timeout(&c), now + PPTP_OCRP_TIMEOUT_MS * MS);

	now += 5 * MS;
	feed(&c, m, mk_ocrp(m, 0x5678, FIRST_ID, 1, 0, 0, 16), now);
	expect_ev(&c, &ev, PPTP_EV_CALL_UP, 0);
	CHECK_INT(ev.call, h);
	CHECK_UINT(ev.call_id, FIRST_ID);
	CHECK_UINT(ev.peer_call_id, 0x5678);
	CHECK_UINT(ev.peer_window, 16);
	CHECK_UINT(ev.peer_delay, 7);
	CHECK_CONTAINS(ev.text, "call established");
	CHECK_LOG("call established: our call ID 100, server's call ID 22136, window 16", L_NOTICE);
	CHECK_UINT(pptp_conn_call(&c, h)->peer_call_id, 0x5678);
	expect_no_out(&c);	/* no Set-Link-Info without a quirk */

	/* The server's keepalive, answered with its identifier. */
	now += SEC;
	feed(&c, m, mk_echorq(m, 0xa1b2c3d4), now);
	expect_out(&c, m, PPTP_ECHORP);
	static const uint8_t echorp[] = {
		0x00, 0x14, 0x00, 0x01, 0x1a, 0x2b, 0x3c, 0x4d, 0x00, 0x06, 0x00, 0x00,
		0xa1, 0xb2, 0xc3, 0xd4, 0x01, 0x00, 0x00, 0x00,
	};
	CHECK_MEM(m, echorp, 20);

	now += SEC;
	pptp_conn_call_close(&c, h, now);
	expect_out(&c, m, PPTP_CCR);
	static const uint8_t ccr[] = { 0x00, 0x10, 0x00, 0x01, 0x1a, 0x2b, 0x3c, 0x4d,
				       0x00, 0x0c, 0x00, 0x00, 0x00, 0x64, 0x00, 0x00 };
	CHECK_MEM(m, ccr, 16);
	CHECK_UINT(pptp_conn_call(&c, h)->state, PPTP_CALL_WAIT_CDN);
	expect_no_ev(&c);

	now += 5 * MS;
	feed(&c, m, mk_cdn(m, 0x5678, 4, 0, 0, "rx=10 tx=12"), now);
	expect_ev(&c, &ev, PPTP_EV_CALL_DOWN, PPTP_CALL_CLEARED);
	CHECK_INT(ev.call, h);
	CHECK_UINT(ev.call_id, FIRST_ID);
	CHECK_UINT(ev.result, 4);
	CHECK_CONTAINS(ev.text, "request");
	CHECK_LOG("rx=10 tx=12", L_INFO);
	CHECK_INT(pptp_conn_active_calls(&c), 0);
	CHECK(pptp_conn_call(&c, h) == NULL);

	now += SEC;
	pptp_conn_stop(&c, now);
	expect_out(&c, m, PPTP_STOPCCRQ);
	static const uint8_t stoprq[] = { 0x00, 0x10, 0x00, 0x01, 0x1a, 0x2b, 0x3c, 0x4d,
					  0x00, 0x03, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00 };
	CHECK_MEM(m, stoprq, 16);
	CHECK_INT(c.state, PPTP_CONN_WAIT_STOPCCRP);
	CHECK_UINT(pptp_conn_next_timeout(&c), now + PPTP_STOPCCRP_TIMEOUT_MS * MS);
	CHECK_INT(pptp_conn_call_open(&c, &p, now), -ENOTCONN);

	now += 5 * MS;
	CHECK_INT(pptp_conn_input(&c, m, mk_stopccrp(m, 1, 0), now), -EPROTO);
	expect_ev(&c, &ev, PPTP_EV_CONN_DOWN, PPTP_DOWN_STOPPED);
	CHECK_INT(ev.call, -1);
	CHECK(pptp_conn_is_closed(&c));
	CHECK_UINT(pptp_conn_next_timeout(&c), UINT64_MAX);
	expect_no_out(&c);
	expect_no_ev(&c);
}

/* The SCCRP fed one byte per read: nothing happens until the last one. */
/* --kernel: the gateway's call ID, bound in the kernel, goes in the OCRQ;
 * one already in use on this connection is refused, and the engine's own
 * choice steps over the IDs asked for. */
static void test_requested_call_id(void)
{
	struct pptp_conn c;
	struct pptp_conn_config cfg = test_cfg();
	struct pptp_call_params p = test_params();
	uint8_t m[PPTP_MSG_MAX];
	uint16_t id;

	start(&c, &cfg);
	p.call_id = 40000;
	int h = pptp_conn_call_open(&c, &p, T0 + 2 * MS);
	CHECK(h >= 0);
	if (expect_out(&c, m, PPTP_OCRQ))
		CHECK_UINT(get16(m + 12), 40000);
	CHECK_UINT(pptp_conn_call(&c, h)->call_id, 40000);
	CHECK_INT(pptp_conn_call_open(&c, &p, T0 + 3 * MS), -EADDRINUSE);
	expect_no_out(&c);
	CHECK_INT(pptp_conn_active_calls(&c), 1);
	/* the engine's own IDs: the first one, then one that is not 40000 */
	p.call_id = FIRST_ID + 1;
	CHECK(pptp_conn_call_open(&c, &p, T0 + 4 * MS) >= 0);
	expect_out(&c, m, PPTP_OCRQ);
	open_call(&c, &id, T0 + 5 * MS);
	CHECK_UINT(id, FIRST_ID);
	open_call(&c, &id, T0 + 6 * MS);
	CHECK_UINT(id, FIRST_ID + 2);	/* FIRST_ID + 1 was asked for */
}

static void test_byte_by_byte(void)
{
	struct pptp_conn c;
	struct pptp_conn_config cfg = test_cfg();
	struct pptp_event ev;
	uint8_t m[PPTP_MSG_MAX], two[2 * 32];
	uint16_t id;

	memset(&logs, 0, sizeof logs);
	pptp_conn_init(&c, &cfg, T0);
	expect_out(&c, m, PPTP_SCCRQ);
	size_t n = mk_sccrp(m, 1, 0);
	for (size_t i = 0; i + 1 < n; i++) {
		feed(&c, m + i, 1, T0 + i);
		expect_no_ev(&c);
		CHECK_INT(c.state, PPTP_CONN_WAIT_SCCRP);
	}
	feed(&c, m + n - 1, 1, T0 + n);
	expect_ev(&c, &ev, PPTP_EV_CONN_UP, 0);

	/* An OCRP and an Echo-Request, split in two reads at every point. */
	for (size_t cut = 0; cut <= 48; cut++) {
		int h = open_call(&c, &id, T0 + SEC);
		mk_ocrp(two, 0x300, id, 1, 0, 0, 8);
		mk_echorq(two + 32, (uint32_t)cut);
		feed(&c, two, cut, T0 + SEC);
		if (cut < 32)
			expect_no_ev(&c);
		feed(&c, two + cut, 48 - cut, T0 + SEC);
		expect_ev(&c, &ev, PPTP_EV_CALL_UP, 0);
		CHECK_INT(ev.call, h);
		expect_out(&c, m, PPTP_ECHORP);
		CHECK_UINT(get32(m + 12), cut);
		feed(&c, m, mk_cdn(m, 0x300, 3, 0, 0, ""), T0 + SEC);
		expect_ev(&c, &ev, PPTP_EV_CALL_DOWN, PPTP_CALL_DISCONNECTED);
	}
	expect_no_out(&c);
}

/* Several whole messages, and the start of one more, in one read. */
static void test_packed(void)
{
	struct pptp_conn c;
	struct pptp_conn_config cfg = test_cfg();
	struct pptp_event ev;
	uint8_t buf[4 * PPTP_MSG_MAX], m[PPTP_MSG_MAX];
	size_t n = 0;

	memset(&logs, 0, sizeof logs);
	pptp_conn_init(&c, &cfg, T0);
	expect_out(&c, m, PPTP_SCCRQ);
	struct pptp_call_params p = test_params();
	int h = pptp_conn_call_open(&c, &p, T0);	/* pending until the SCCRP */
	CHECK(h >= 0);
	CHECK_UINT(pptp_conn_call(&c, h)->state, PPTP_CALL_PENDING);
	uint16_t id = pptp_conn_call(&c, h)->call_id;
	expect_no_out(&c);

	n += mk_sccrp(buf + n, 1, 0);
	n += mk_echorq(buf + n, 1);
	n += mk_echorq(buf + n, 2);
	size_t tail = mk_echorq(buf + n, 3);
	feed(&c, buf, n + 5, T0 + MS);
	expect_ev(&c, &ev, PPTP_EV_CONN_UP, 0);
	expect_out(&c, m, PPTP_ECHORP);
	CHECK_UINT(get32(m + 12), 1);
	expect_out(&c, m, PPTP_ECHORP);
	CHECK_UINT(get32(m + 12), 2);
	expect_no_out(&c);
	/* The waiting call's OCRQ goes at the tick after the input (the rest
	 * of an input may need all the room for its replies). */
	CHECK(pptp_conn_next_timeout(&c) <= T0 + MS);
	pptp_conn_tick(&c, T0 + MS);
	expect_out(&c, m, PPTP_OCRQ);
	CHECK_UINT(get16(m + 12), id);
	/* The rest of the split Echo-Request, packed with the OCRP. */
	size_t k = tail - 5;
	memmove(buf, buf + n + 5, k);
	k += mk_ocrp(buf + k, 0x999, id, 1, 0, 0, 4);
	feed(&c, buf, k, T0 + 2 * MS);
	expect_out(&c, m, PPTP_ECHORP);
	CHECK_UINT(get32(m + 12), 3);
	expect_ev(&c, &ev, PPTP_EV_CALL_UP, 0);
	CHECK_UINT(ev.peer_call_id, 0x999);
	expect_no_out(&c);
	expect_no_ev(&c);
}

/* A declared length outside [12, 220] ends the connection. */
static void check_bad_length(uint16_t len, const char *hex)
{
	struct pptp_conn c;
	struct pptp_conn_config cfg = test_cfg();
	struct pptp_event ev;
	uint8_t m[PPTP_MSG_MAX];
	uint16_t id;

	start(&c, &cfg);
	int h = up_call(&c, 0x55, &id, T0 + 2 * MS);
	mk_echorq(m, 1);
	put16(m, len);
	CHECK_INT(pptp_conn_input(&c, m, 16, T0 + SEC), -EPROTO);
	expect_ev(&c, &ev, PPTP_EV_CALL_DOWN, PPTP_CALL_CONN_LOST);
	CHECK_INT(ev.call, h);
	expect_ev(&c, &ev, PPTP_EV_CONN_DOWN, PPTP_DOWN_PROTOCOL);
	char want[64];
	snprintf(want, sizeof want, "bad control message length %u ", len);
	CHECK_CONTAINS(ev.text, want);
	CHECK_CONTAINS(ev.text, hex);
	CHECK_LOG(hex, L_ERR);
	expect_no_out(&c);	/* no reply to the Echo-Request that followed */
	CHECK(pptp_conn_is_closed(&c));
	/* Closed: input is refused, nothing more is queued. */
	CHECK_INT(pptp_conn_input(&c, m, mk_echorq(m, 2), T0 + 2 * SEC), -EPROTO);
	pptp_conn_tick(&c, T0 + 1000 * SEC);
	pptp_conn_stop(&c, T0 + 1000 * SEC);
	pptp_conn_transport_closed(&c, 0, T0 + 1000 * SEC);
	expect_no_out(&c);
	expect_no_ev(&c);
}

static void test_bad_lengths(void)
{
	check_bad_length(0, "00 00 00 01 1a 2b 3c 4d 00 05 00 00");
	check_bad_length(1, "00 01 00 01 1a 2b 3c 4d");
	check_bad_length(11, "00 0b 00 01");
	check_bad_length(221, "00 dd 00 01");
	check_bad_length(65535, "ff ff 00 01");

	/* The two length bytes alone are enough to judge; split across reads. */
	struct pptp_conn c;
	struct pptp_conn_config cfg = test_cfg();
	struct pptp_event ev;
	const uint8_t b0 = 0x00, b1 = 0x05;
	start(&c, &cfg);
	feed(&c, &b0, 1, T0 + SEC);
	CHECK_INT(pptp_conn_input(&c, &b1, 1, T0 + SEC), -EPROTO);
	expect_ev(&c, &ev, PPTP_EV_CONN_DOWN, PPTP_DOWN_PROTOCOL);
	CHECK_CONTAINS(ev.text, "00 05");
}

static void test_bounds_lengths_ok(void)
{
	/* 12 (header only) and 220 frame fine: ignored as wrong for their type,
	 * and the stream stays in step. */
	struct pptp_conn c;
	struct pptp_conn_config cfg = test_cfg();
	uint8_t b[PPTP_MSG_MAX + 16], m[PPTP_MSG_MAX];

	start(&c, &cfg);
	hdr(b, 12, 5);
	mk_echorq(b + 12, 0x12);
	feed(&c, b, 28, T0 + SEC);
	CHECK_LOG("Echo-Request (EchoRQ) of 12 bytes", L_WARNING);
	expect_out(&c, m, PPTP_ECHORP);
	CHECK_UINT(get32(m + 12), 0x12);
	hdr(b, 220, 5);
	mk_echorq(b + 220, 0x13);
	feed(&c, b, 236, T0 + SEC);
	CHECK_LOG("of 220 bytes", L_WARNING);
	expect_out(&c, m, PPTP_ECHORP);
	CHECK_UINT(get32(m + 12), 0x13);
	CHECK(!pptp_conn_is_closed(&c));
}

static void test_bad_magic(void)
{
	struct pptp_conn c;
	struct pptp_conn_config cfg = test_cfg();
	struct pptp_event ev;
	uint8_t m[PPTP_MSG_MAX];

	memset(&logs, 0, sizeof logs);
	pptp_conn_init(&c, &cfg, T0);
	expect_out(&c, m, PPTP_SCCRQ);
	mk_sccrp(m, 1, 0);
	put32(m + 4, 0x1A2B3C4Eu);
	CHECK_INT(pptp_conn_input(&c, m, 156, T0 + MS), -EPROTO);
	expect_ev(&c, &ev, PPTP_EV_CONN_DOWN, PPTP_DOWN_PROTOCOL);
	CHECK_CONTAINS(ev.text, "magic");
	CHECK_LOG("1a 2b 3c 4e", L_ERR);
	expect_no_ev(&c);
}

static void test_not_control(void)
{
	struct pptp_conn c;
	struct pptp_conn_config cfg = test_cfg();
	struct pptp_event ev;
	uint8_t m[PPTP_MSG_MAX];

	memset(&logs, 0, sizeof logs);
	pptp_conn_init(&c, &cfg, T0);
	expect_out(&c, m, PPTP_SCCRQ);
	mk_sccrp(m, 1, 0);
	put16(m + 2, 2);
	feed(&c, m, 156, T0 + MS);
	CHECK_LOG("management", L_WARNING);
	expect_no_ev(&c);
	CHECK_INT(c.state, PPTP_CONN_WAIT_SCCRP);
	put16(m + 2, 7);
	feed(&c, m, 156, T0 + MS);
	CHECK_LOG("type 7", L_WARNING);
	/* The stream is still in step: a proper SCCRP works. */
	feed(&c, m, mk_sccrp(m, 1, 0), T0 + 2 * MS);
	expect_ev(&c, &ev, PPTP_EV_CONN_UP, 0);
}

static void test_unknown_type(void)
{
	struct pptp_conn c;
	struct pptp_conn_config cfg = test_cfg();
	uint8_t m[PPTP_MSG_MAX];

	start(&c, &cfg);
	hdr(m, 16, 0);
	feed(&c, m, 16, T0 + SEC);
	CHECK_LOG("unknown control message type 0", L_WARNING);
	hdr(m, 16, 16);
	feed(&c, m, 16, T0 + SEC);
	CHECK_LOG("unknown control message type 16", L_WARNING);
	CHECK_LOG("00 10 00 01 1a 2b 3c 4d 00 10", L_WARNING);
	expect_no_out(&c);
	expect_no_ev(&c);
	feed(&c, m, mk_echorq(m, 9), T0 + SEC);
	expect_out(&c, m, PPTP_ECHORP);
}

static void test_length_mismatch(void)
{
	struct pptp_conn c;
	struct pptp_conn_config cfg = test_cfg();
	uint8_t m[PPTP_MSG_MAX];

	start(&c, &cfg);
	hdr(m, 20, 5);	/* an Echo-Request is 16 bytes */
	put32(m + 12, 5);
	feed(&c, m, 20, T0 + SEC);
	CHECK_LOG("Echo-Request (EchoRQ) of 20 bytes: its length is 16", L_WARNING);
	CHECK_LOG("00 14 00 01 1a 2b 3c 4d 00 05", L_WARNING);
	expect_no_out(&c);
	expect_no_ev(&c);
	CHECK(!pptp_conn_is_closed(&c));
}

static void test_wrong_state(void)
{
	struct pptp_conn c;
	struct pptp_conn_config cfg = test_cfg();
	struct pptp_event ev;
	uint8_t m[PPTP_MSG_MAX];
	uint16_t id;

	memset(&logs, 0, sizeof logs);
	pptp_conn_init(&c, &cfg, T0);
	expect_out(&c, m, PPTP_SCCRQ);
	feed(&c, m, mk_ocrp(m, 1, FIRST_ID, 1, 0, 0, 8), T0 + MS);
	CHECK_LOG("unexpected Outgoing-Call-Reply (OCRP) in state WAIT_SCCRP", L_WARNING);
	feed(&c, m, mk_cdn(m, 1, 3, 0, 0, ""), T0 + MS);
	CHECK_LOG("unexpected Call-Disconnect-Notify (CDN) in state WAIT_SCCRP", L_WARNING);
	expect_no_ev(&c);

	feed(&c, m, mk_sccrp(m, 1, 0), T0 + 2 * MS);
	expect_ev(&c, &ev, PPTP_EV_CONN_UP, 0);
	memset(&logs, 0, sizeof logs);
	feed(&c, m, mk_sccrp(m, 1, 0), T0 + 3 * MS);
	CHECK_LOG("unexpected Start-Control-Connection-Reply (SCCRP) in state ESTABLISHED",
		  L_WARNING);
	feed(&c, m, mk_stopccrp(m, 1, 0), T0 + 3 * MS);
	CHECK_LOG("unexpected Stop-Control-Connection-Reply (StopCCRP) in state ESTABLISHED",
		  L_WARNING);
	expect_no_ev(&c);
	CHECK_INT(c.state, PPTP_CONN_ESTABLISHED);

	int h = open_call(&c, &id, T0 + SEC);
	feed(&c, m, mk_ocrp(m, 0x77, (uint16_t)(id + 1), 1, 0, 0, 8), T0 + SEC);
	CHECK_LOG("OCRP) for call ID 101, which is not ours", L_WARNING);
	expect_no_ev(&c);
	CHECK_UINT(pptp_conn_call(&c, h)->state, PPTP_CALL_WAIT_OCRP);
	feed(&c, m, mk_ocrp(m, 0x77, id, 1, 0, 0, 8), T0 + SEC);
	expect_ev(&c, &ev, PPTP_EV_CALL_UP, 0);
	/* A second OCRP for a call already up. */
	feed(&c, m, mk_ocrp(m, 0x78, id, 1, 0, 0, 8), T0 + SEC);
	CHECK_LOG("in call state ESTABLISHED", L_WARNING);
	CHECK_UINT(pptp_conn_call(&c, h)->peer_call_id, 0x77);
	feed(&c, m, mk_cdn(m, 0x1234, 3, 0, 0, ""), T0 + SEC);
	CHECK_LOG("Call-Disconnect-Notify (CDN) for unknown call ID 4660", L_WARNING);
	expect_no_ev(&c);

	/* Messages only a PNS sends. */
	static const unsigned pns_only[] = { PPTP_OCRQ, PPTP_ICRP, PPTP_CCR };
	for (size_t i = 0; i < ARRAY_LEN(pns_only); i++) {
		hdr(m, pptp_msg_len(pns_only[i]), pns_only[i]);
		feed(&c, m, pptp_msg_len(pns_only[i]), T0 + SEC);
		char want[120];
		snprintf(want, sizeof want, "(%s), which only a PNS sends",
			 pptp_msg_abbrev(pns_only[i]));
		CHECK_LOG(want, L_WARNING);
	}
	hdr(m, 156, PPTP_SCCRQ);
	feed(&c, m, 156, T0 + SEC);
	CHECK_LOG("Start-Control-Connection-Request (SCCRQ) in state ESTABLISHED", L_WARNING);
	expect_no_out(&c);
	expect_no_ev(&c);
	CHECK_UINT(pptp_conn_call(&c, h)->state, PPTP_CALL_ESTABLISHED);
}

static void check_sccrp_refused(uint8_t result, uint8_t error, const char *words)
{
	struct pptp_conn c;
	struct pptp_conn_config cfg = test_cfg();
	struct pptp_event ev;
	uint8_t m[PPTP_MSG_MAX];
	struct pptp_call_params p = test_params();

	memset(&logs, 0, sizeof logs);
	pptp_conn_init(&c, &cfg, T0);
	expect_out(&c, m, PPTP_SCCRQ);
	int h = pptp_conn_call_open(&c, &p, T0);
	CHECK_INT(pptp_conn_input(&c, m, mk_sccrp(m, result, error), T0 + MS), -EPROTO);
	expect_ev(&c, &ev, PPTP_EV_CALL_DOWN, PPTP_CALL_CONN_LOST);
	CHECK_INT(ev.call, h);
	expect_ev(&c, &ev, PPTP_EV_CONN_DOWN, PPTP_DOWN_REFUSED);
	CHECK_STR(ev.text, words);
	CHECK_UINT(ev.result, result);
	CHECK_UINT(ev.error, error);
	CHECK_LOG(words, L_ERR);
	expect_no_out(&c);
	CHECK(pptp_conn_is_closed(&c));
}

static void test_sccrp_refused(void)
{
	check_sccrp_refused(2, 3, "server refused the control connection: general error (bad value)");
	check_sccrp_refused(2, 9, "server refused the control connection: general error "
			    "(unknown error code 9)");
	check_sccrp_refused(3, 0, "server refused the control connection: command channel "
			    "already exists");
	check_sccrp_refused(4, 5, "server refused the control connection: requester not authorized");
	check_sccrp_refused(9, 0, "server refused the control connection: unknown result code 9");
	check_sccrp_refused(0, 0, "server refused the control connection: unknown result code 0");
}

static void check_ocrp_refused(uint8_t result, uint8_t error, uint16_t cause, const char *words)
{
	struct pptp_conn c;
	struct pptp_conn_config cfg = test_cfg();
	struct pptp_event ev;
	uint8_t m[PPTP_MSG_MAX];
	uint16_t id;

	start(&c, &cfg);
	int h = open_call(&c, &id, T0 + SEC);
	feed(&c, m, mk_ocrp(m, 0x44, id, result, error, cause, 8), T0 + SEC);
	expect_ev(&c, &ev, PPTP_EV_CALL_DOWN, PPTP_CALL_REFUSED);
	CHECK_INT(ev.call, h);
	CHECK_UINT(ev.call_id, id);
	CHECK_UINT(ev.result, result);
	CHECK_UINT(ev.error, error);
	CHECK_UINT(ev.cause, cause);
	CHECK_STR(ev.text, words);
	CHECK_LOG(words, L_WARNING);
	CHECK_INT(pptp_conn_active_calls(&c), 0);
	CHECK(!pptp_conn_is_closed(&c));
	expect_no_out(&c);
}

static void test_ocrp_refused(void)
{
	check_ocrp_refused(4, 0, 0, "server refused the call: busy");
	check_ocrp_refused(3, 0, 0, "server refused the call: no carrier");
	check_ocrp_refused(7, 0, 0, "server refused the call: do not accept");
	check_ocrp_refused(2, 5, 0, "server refused the call: general error (bad call ID)");
	check_ocrp_refused(6, 0, 17, "server refused the call: time-out, cause code 17");
	check_ocrp_refused(12, 0, 0, "server refused the call: unknown result code 12");
}

static void test_keepalive(void)
{
	struct pptp_conn c;
	struct pptp_conn_config cfg = test_cfg();
	struct pptp_event ev;
	uint8_t m[PPTP_MSG_MAX];
	const uint64_t up = T0 + MS;	/* the SCCRP arrived here */

	start(&c, &cfg);
	CHECK_UINT(pptp_conn_next_timeout(&c), up + IDLE_MS * MS);
	pptp_conn_tick(&c, up + IDLE_MS * MS - 1);
	expect_no_out(&c);
	pptp_conn_tick(&c, up + IDLE_MS * MS);
	expect_out(&c, m, PPTP_ECHORQ);
	uint32_t id = get32(m + 12);
	const uint64_t sent = up + IDLE_MS * MS;
	CHECK_UINT(pptp_conn_next_timeout(&c), sent + ECHO_MS * MS);
	/* Only one outstanding. */
	pptp_conn_tick(&c, sent + ECHO_MS * MS - 1);
	expect_no_out(&c);
	expect_no_ev(&c);
	/* A reply with another identifier does not count. */
	feed(&c, m, mk_echorp(m, id + 1, 1), sent + 5 * SEC);
	CHECK_LOG("does not answer our Echo-Request", L_WARNING);
	CHECK_UINT(pptp_conn_next_timeout(&c), sent + ECHO_MS * MS);
	pptp_conn_tick(&c, sent + ECHO_MS * MS);
	expect_ev(&c, &ev, PPTP_EV_CONN_DOWN, PPTP_DOWN_ECHO_TIMEOUT);
	CHECK_STR(ev.text, "no reply to keepalive (Echo-Request) for 30 s: the server or the "
		  "path to it is gone");
	CHECK(pptp_conn_is_closed(&c));
	expect_no_out(&c);
}

static void test_keepalive_answered(void)
{
	struct pptp_conn c;
	struct pptp_conn_config cfg = test_cfg();
	uint8_t m[PPTP_MSG_MAX];
	const uint64_t up = T0 + MS;

	start(&c, &cfg);
	/* Traffic from the server pushes the keepalive back. */
	feed(&c, m, mk_echorq(m, 1), up + 10 * SEC);
	expect_out(&c, m, PPTP_ECHORP);
	CHECK_UINT(pptp_conn_next_timeout(&c), up + 10 * SEC + IDLE_MS * MS);
	uint64_t t = up + 10 * SEC + IDLE_MS * MS;
	for (int round = 0; round < 3; round++) {
		pptp_conn_tick(&c, t);
		expect_out(&c, m, PPTP_ECHORQ);
		uint32_t id = get32(m + 12);
		feed(&c, m, mk_echorp(m, id, 1), t + ECHO_MS * MS - 1);
		CHECK_UINT(pptp_conn_next_timeout(&c), t + ECHO_MS * MS - 1 + IDLE_MS * MS);
		pptp_conn_tick(&c, t + ECHO_MS * MS);
		expect_no_ev(&c);
		expect_no_out(&c);
		t += ECHO_MS * MS - 1 + IDLE_MS * MS;
	}
	CHECK(!pptp_conn_is_closed(&c));
	/* An Echo-Reply with nothing outstanding. */
	feed(&c, m, mk_echorp(m, 77, 1), t - SEC);
	CHECK_LOG("no Echo-Request is outstanding", L_WARNING);
	/* A general-error reply still proves the server is there. */
	const uint64_t u = t - SEC + IDLE_MS * MS;
	pptp_conn_tick(&c, u);
	expect_out(&c, m, PPTP_ECHORQ);
	feed(&c, m, mk_echorp(m, get32(m + 12), 2), u + 2 * SEC);
	CHECK_LOG("server answered our Echo-Request with: general error (none)", L_WARNING);
	pptp_conn_tick(&c, u + ECHO_MS * MS);
	expect_no_ev(&c);
	expect_no_out(&c);

	/* idle_wait 0: no keepalive at all. */
	cfg.idle_wait_ms = 0;
	start(&c, &cfg);
	CHECK_UINT(pptp_conn_next_timeout(&c), UINT64_MAX);
	pptp_conn_tick(&c, T0 + 1000000 * SEC);
	expect_no_out(&c);
}

/* --idle-wait 0: however long the fake clock runs, with or without a call
 * and after the server's own traffic, no Echo-Request ever goes. */
static void test_keepalive_off(void)
{
	struct pptp_conn c;
	struct pptp_conn_config cfg = test_cfg();
	uint8_t m[PPTP_MSG_MAX];

	cfg.idle_wait_ms = 0;
	start(&c, &cfg);
	uint64_t t = T0 + MS;
	for (int hour = 0; hour < 48; hour++) {
		t += 3600 * SEC;
		CHECK_UINT(pptp_conn_next_timeout(&c), UINT64_MAX);
		pptp_conn_tick(&c, t);
		expect_no_out(&c);
		expect_no_ev(&c);
		if (hour == 3) {
			/* The server's echo is answered; still none of ours. */
			feed(&c, m, mk_echorq(m, 9), t);
			expect_out(&c, m, PPTP_ECHORP);
		}
		if (hour == 5) {
			uint16_t id;
			up_call(&c, 0x4242, &id, t);
		}
	}
	CHECK(!pptp_conn_is_closed(&c));
}

/* --max-echo-wait 0: the Echo-Request goes after idle_wait, and an answer
 * that never comes does not end the connection (nor send another). */
static void test_echo_wait_forever(void)
{
	struct pptp_conn c;
	struct pptp_conn_config cfg = test_cfg();
	uint8_t m[PPTP_MSG_MAX];
	const uint64_t up = T0 + MS;

	cfg.max_echo_wait_ms = 0;
	start(&c, &cfg);
	pptp_conn_tick(&c, up + IDLE_MS * MS);
	expect_out(&c, m, PPTP_ECHORQ);
	uint32_t id = get32(m + 12);
	CHECK_UINT(pptp_conn_next_timeout(&c), UINT64_MAX);
	pptp_conn_tick(&c, up + 1000000 * SEC);
	expect_no_out(&c);
	expect_no_ev(&c);
	CHECK(!pptp_conn_is_closed(&c));
	/* A late answer is still taken, and the keepalive starts again. */
	feed(&c, m, mk_echorp(m, id, 1), up + 1000000 * SEC);
	CHECK_UINT(pptp_conn_next_timeout(&c), up + 1000000 * SEC + IDLE_MS * MS);
}

static void test_server_echo(void)
{
	struct pptp_conn c;
	struct pptp_conn_config cfg = test_cfg();
	uint8_t m[PPTP_MSG_MAX];

	memset(&logs, 0, sizeof logs);
	pptp_conn_init(&c, &cfg, T0);
	expect_out(&c, m, PPTP_SCCRQ);
	/* Before the SCCRP too: harmless to answer. */
	feed(&c, m, mk_echorq(m, 0xffffffffu), T0 + MS);
	expect_out(&c, m, PPTP_ECHORP);
	CHECK_UINT(get32(m + 12), 0xffffffffu);
	CHECK_UINT(m[16], 1);
	expect_no_ev(&c);
}

static void test_peer_stop(void)
{
	struct pptp_conn c;
	struct pptp_conn_config cfg = test_cfg();
	struct pptp_event ev;
	uint8_t m[PPTP_MSG_MAX];
	uint16_t id1, id2;

	start(&c, &cfg);
	int h1 = up_call(&c, 0x10, &id1, T0 + SEC);
	int h2 = up_call(&c, 0x11, &id2, T0 + SEC);
	CHECK(id1 != id2);
	CHECK_INT(pptp_conn_input(&c, m, mk_stopccrq(m, 3), T0 + 2 * SEC), -EPROTO);
	expect_out(&c, m, PPTP_STOPCCRP);
	static const uint8_t want[] = { 0x00, 0x10, 0x00, 0x01, 0x1a, 0x2b, 0x3c, 0x4d,
					0x00, 0x04, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00 };
	CHECK_MEM(m, want, 16);
	expect_ev(&c, &ev, PPTP_EV_CALL_DOWN, PPTP_CALL_CONN_LOST);
	CHECK_INT(ev.call, h1);
	expect_ev(&c, &ev, PPTP_EV_CALL_DOWN, PPTP_CALL_CONN_LOST);
	CHECK_INT(ev.call, h2);
	expect_ev(&c, &ev, PPTP_EV_CONN_DOWN, PPTP_DOWN_PEER_STOP);
	CHECK_STR(ev.text, "server stopped the control connection: local shutdown");
	expect_no_ev(&c);
	expect_no_out(&c);

	start(&c, &cfg);
	CHECK_INT(pptp_conn_input(&c, m, mk_stopccrq(m, 42), T0 + SEC), -EPROTO);
	expect_out(&c, m, PPTP_STOPCCRP);
	expect_ev(&c, &ev, PPTP_EV_CONN_DOWN, PPTP_DOWN_PEER_STOP);
	CHECK_CONTAINS(ev.text, "unknown reason code 42");
}

static void test_transport_closed(void)
{
	struct pptp_conn c;
	struct pptp_conn_config cfg = test_cfg();
	struct pptp_event ev;
	uint16_t id;

	start(&c, &cfg);
	int h = up_call(&c, 0x10, &id, T0 + SEC);
	pptp_conn_transport_closed(&c, 0, T0 + 2 * SEC);
	expect_ev(&c, &ev, PPTP_EV_CALL_DOWN, PPTP_CALL_CONN_LOST);
	CHECK_INT(ev.call, h);
	CHECK_CONTAINS(ev.text, "server closed the control connection");
	expect_ev(&c, &ev, PPTP_EV_CONN_DOWN, PPTP_DOWN_CLOSED);
	CHECK_STR(ev.text, "server closed the control connection");
	CHECK(pptp_conn_is_closed(&c));
	expect_no_out(&c);

	start(&c, &cfg);
	pptp_conn_transport_closed(&c, ECONNRESET, T0 + 2 * SEC);
	expect_ev(&c, &ev, PPTP_EV_CONN_DOWN, PPTP_DOWN_CLOSED);
	char want[200];
	snprintf(want, sizeof want, "control connection failed: %s", strerror(ECONNRESET));
	CHECK_STR(ev.text, want);
	/* Either sign of errno. */
	start(&c, &cfg);
	pptp_conn_transport_closed(&c, -ETIMEDOUT, T0 + 2 * SEC);
	expect_ev(&c, &ev, PPTP_EV_CONN_DOWN, PPTP_DOWN_CLOSED);
	CHECK_CONTAINS(ev.text, strerror(ETIMEDOUT));
	/* Twice: one CONN_DOWN only. */
	pptp_conn_transport_closed(&c, 0, T0 + 3 * SEC);
	expect_no_ev(&c);
}

/* PoPToP hangs up right after our Call-Clear-Request when we stop: that is
 * a normal end, not an error. */
static void test_close_while_stopping(void)
{
	struct pptp_conn c;
	struct pptp_conn_config cfg = test_cfg();
	struct pptp_event ev;
	uint8_t m[PPTP_MSG_MAX];
	uint16_t id;

	start(&c, &cfg);
	int h = up_call(&c, 0x10, &id, T0 + SEC);
	pptp_conn_stop(&c, T0 + 2 * SEC);
	expect_out(&c, m, PPTP_CCR);
	CHECK_INT(c.state, PPTP_CONN_CLEARING);
	pptp_conn_transport_closed(&c, 0, T0 + 2 * SEC + MS);
	expect_ev(&c, &ev, PPTP_EV_CALL_DOWN, PPTP_CALL_CLEARED);
	CHECK_INT(ev.call, h);
	expect_ev(&c, &ev, PPTP_EV_CONN_DOWN, PPTP_DOWN_STOPPED);
	CHECK_CONTAINS(ev.text, "after our Call-Clear-Request");
	CHECK(log_find("after our Call-Clear-Request", L_NOTICE) != NULL);
	CHECK(log_find("", L_WARNING) == NULL);

	/* A call that was established when the server vanished is lost. */
	start(&c, &cfg);
	up_call(&c, 0x11, &id, T0 + SEC);
	pptp_conn_transport_closed(&c, 0, T0 + 2 * SEC);
	expect_ev(&c, &ev, PPTP_EV_CALL_DOWN, PPTP_CALL_CONN_LOST);
	expect_ev(&c, &ev, PPTP_EV_CONN_DOWN, PPTP_DOWN_CLOSED);
}

static void test_overflow(void)
{
	struct pptp_conn c;
	struct pptp_conn_config cfg = test_cfg();
	struct pptp_event ev;
	uint8_t m[PPTP_MSG_MAX];
	const uint8_t *p;
	int rc = 0, fed = 0;

	start(&c, &cfg);
	mk_echorq(m, 5);
	/* The server keeps asking and we never write. */
	while (fed < 2 * PPTP_OUT_MAX / 20 && rc == 0) {
		rc = pptp_conn_input(&c, m, 16, T0 + SEC);
		fed++;
		CHECK(pptp_conn_pending(&c, &p) <= PPTP_OUT_MAX);
	}
	CHECK_INT(rc, -EPROTO);
	CHECK_INT(fed, PPTP_OUT_MAX / 20 + 1);
	CHECK_UINT(pptp_conn_pending(&c, &p), (PPTP_OUT_MAX / 20) * 20);
	expect_ev(&c, &ev, PPTP_EV_CONN_DOWN, PPTP_DOWN_OVERFLOW);
	CHECK_CONTAINS(ev.text, "output buffer full");
	/* What was queued is still whole messages. */
	CHECK_UINT(get16(p), 20);
	CHECK_UINT(get32(p + 12), 5);
	pptp_conn_consume(&c, 3);
	CHECK_UINT(pptp_conn_pending(&c, &p), (PPTP_OUT_MAX / 20) * 20 - 3);
	pptp_conn_consume(&c, PPTP_OUT_MAX * 2);
	expect_no_out(&c);
}

/* A call whose OCRQ does not fit in the output buffer waits for room:
 * neither it nor the connection ends, and the OCRQ goes once the writer
 * has drained enough. */
static void test_call_open_overflow(void)
{
	struct pptp_conn c;
	struct pptp_conn_config cfg = test_cfg();
	struct pptp_call_params p = test_params();
	uint8_t m[PPTP_MSG_MAX];
	const uint8_t *out;

	start(&c, &cfg);
	mk_echorq(m, 9);
	/* Replies nobody writes, until an OCRQ no longer fits. */
	while (pptp_conn_pending(&c, &out) + pptp_msg_len(PPTP_OCRQ) <= PPTP_OUT_MAX)
		feed(&c, m, 16, T0 + SEC);
	size_t before = pptp_conn_pending(&c, &out);
	int h = pptp_conn_call_open(&c, &p, T0 + SEC);
	CHECK(h >= 0);
	CHECK(!pptp_conn_is_closed(&c));
	CHECK_UINT(pptp_conn_pending(&c, &out), before);
	CHECK_INT(pptp_conn_call(&c, h)->state, PPTP_CALL_PENDING);
	/* No room: nothing is due at once (the loop waits for the writer). */
	CHECK(pptp_conn_next_timeout(&c) > T0 + SEC);
	/* The writer drains it: the OCRQ is due at once, and goes at the tick. */
	pptp_conn_consume(&c, before);
	CHECK(pptp_conn_next_timeout(&c) <= T0 + SEC);
	pptp_conn_tick(&c, T0 + SEC);
	expect_out(&c, m, PPTP_OCRQ);
	CHECK_INT(pptp_conn_call(&c, h)->state, PPTP_CALL_WAIT_OCRP);
	expect_no_ev(&c);
}

/* 64 calls asked for at once (10 KiB of OCRQs, more than the 8 KiB output
 * buffer), on an established connection and before the SCCRP: all placed,
 * oldest first, as the writer drains; the connection stays up and the
 * replies the server's requests need still fit meanwhile. */
static void test_call_open_burst(void)
{
	struct pptp_conn c;
	struct pptp_conn_config cfg = test_cfg();
	struct pptp_call_params p = test_params();
	uint8_t m[PPTP_MSG_MAX];
	int h[PPTP_MAX_CALLS];

	for (int before_sccrp = 0; before_sccrp < 2; before_sccrp++) {
		if (before_sccrp) {
			memset(&logs, 0, sizeof logs);
			pptp_conn_init(&c, &cfg, T0);
			expect_out(&c, m, PPTP_SCCRQ);
		} else {
			start(&c, &cfg);
		}
		for (int i = 0; i < PPTP_MAX_CALLS; i++) {
			h[i] = pptp_conn_call_open(&c, &p, T0 + SEC);
			CHECK(h[i] >= 0);
		}
		if (before_sccrp) {
			struct pptp_event ev;
			feed(&c, m, mk_sccrp(m, 1, 0), T0 + SEC);
			expect_ev(&c, &ev, PPTP_EV_CONN_UP, 0);
		}
		CHECK(!pptp_conn_is_closed(&c));
		/* An Echo-Request now still gets its reply. */
		feed(&c, m, mk_echorq(m, 77), T0 + SEC);
		CHECK(!pptp_conn_is_closed(&c));
		int ocrqs = 0, echorps = 0;
		uint16_t last_serial = 0;
		for (int pass = 0; pass < 100 && ocrqs < PPTP_MAX_CALLS; pass++) {
			size_t n;
			/* The writer takes one message at a time, then ticks. */
			while ((n = out_take(&c, m)) != 0) {
				if (msg_type(m) == PPTP_ECHORP) {
					echorps++;
					continue;
				}
				CHECK_UINT(msg_type(m), PPTP_OCRQ);
				uint16_t serial = get16(m + 14);
				if (ocrqs)
					CHECK_UINT(serial, (uint16_t)(last_serial + 1));
				last_serial = serial;
				ocrqs++;
			}
			pptp_conn_tick(&c, T0 + SEC);
		}
		CHECK_INT(ocrqs, PPTP_MAX_CALLS);
		CHECK_INT(echorps, 1);
		CHECK(!pptp_conn_is_closed(&c));
		for (int i = 0; i < PPTP_MAX_CALLS; i++)
			CHECK_INT(pptp_conn_call(&c, h[i])->state, PPTP_CALL_WAIT_OCRP);
	}
}

/* The accessors say what the server answered, refused or not. */
static void test_server_info(void)
{
	struct pptp_conn c;
	struct pptp_conn_config cfg = test_cfg();
	uint8_t m[PPTP_MSG_MAX];

	pptp_conn_init(&c, &cfg, T0);
	CHECK(pptp_conn_server_info(&c) == NULL);
	CHECK(!pptp_conn_accepted(&c));
	CHECK_INT(pptp_conn_state(&c), PPTP_CONN_WAIT_SCCRP);
	expect_out(&c, m, PPTP_SCCRQ);
	/* A refusal ends the connection: the input says so. */
	CHECK_INT(pptp_conn_input(&c, m, mk_sccrp(m, 2, 0), T0 + MS), -EPROTO);
	CHECK(pptp_conn_server_info(&c) != NULL);
	CHECK_UINT(pptp_conn_server_info(&c)->result, 2);
	CHECK_UINT(pptp_conn_server_info(&c)->firmware, 0x0a01);
	CHECK(!pptp_conn_accepted(&c));
	CHECK_INT(pptp_conn_state(&c), PPTP_CONN_CLOSED);

	start(&c, &cfg);
	CHECK(pptp_conn_accepted(&c));
	CHECK_INT(pptp_conn_state(&c), PPTP_CONN_ESTABLISHED);
}

static void test_cdn_timeout(void)
{
	struct pptp_conn c;
	struct pptp_conn_config cfg = test_cfg();
	struct pptp_event ev;
	uint8_t m[PPTP_MSG_MAX];
	uint16_t id;
	const uint64_t t = T0 + 2 * SEC;

	cfg.idle_wait_ms = 0;
	start(&c, &cfg);
	int h = up_call(&c, 0x10, &id, T0 + SEC);
	pptp_conn_call_close(&c, h, t);
	expect_out(&c, m, PPTP_CCR);
	CHECK_UINT(get16(m + 12), id);
	pptp_conn_call_close(&c, h, t);	/* twice: one CCR */
	expect_no_out(&c);
	CHECK_UINT(pptp_conn_next_timeout(&c), t + PPTP_CDN_TIMEOUT_MS * MS);
	pptp_conn_tick(&c, t + PPTP_CDN_TIMEOUT_MS * MS - 1);
	expect_no_ev(&c);
	pptp_conn_tick(&c, t + PPTP_CDN_TIMEOUT_MS * MS);
	expect_ev(&c, &ev, PPTP_EV_CALL_DOWN, PPTP_CALL_CLEARED);
	CHECK_INT(ev.call, h);
	CHECK_CONTAINS(ev.text, "never confirmed");
	CHECK_LOG("never confirmed", L_NOTICE);
	CHECK_INT(pptp_conn_active_calls(&c), 0);
	CHECK(!pptp_conn_is_closed(&c));
	expect_no_out(&c);
	CHECK_UINT(pptp_conn_next_timeout(&c), UINT64_MAX);
	/* The late CDN is for the call given up. */
	feed(&c, m, mk_cdn(m, 0x10, 4, 0, 0, ""), t + 11 * SEC);
	CHECK_LOG("for call ID 16, which was already cleared", L_INFO);
	expect_no_ev(&c);
}

/* A CDN that comes after its call was given up names a server call ID
 * that is no call's any more; when that number is also our ID of another
 * call, it must not end that call (recv_CDN's fallback to our call ID is
 * for servers that answer our clear with our ID). */
static void test_cdn_late_other_call(void)
{
	struct pptp_conn c;
	struct pptp_conn_config cfg = test_cfg();
	struct pptp_event ev;
	uint8_t m[PPTP_MSG_MAX];
	uint16_t ida, idb;
	const uint64_t t = T0 + 2 * SEC;

	cfg.idle_wait_ms = 0;
	cfg.first_call_id = 0x0f;
	start(&c, &cfg);
	int a = up_call(&c, 0x10, &ida, T0 + SEC);
	int b = up_call(&c, 0x20, &idb, T0 + SEC);
	CHECK_UINT(idb, 0x10);	/* our ID of b is the server's ID of a */
	pptp_conn_call_close(&c, a, t);
	expect_out(&c, m, PPTP_CCR);
	pptp_conn_tick(&c, t + PPTP_CDN_TIMEOUT_MS * MS);
	expect_ev(&c, &ev, PPTP_EV_CALL_DOWN, PPTP_CALL_CLEARED);
	CHECK_INT(ev.call, a);
	feed(&c, m, mk_cdn(m, 0x10, 4, 0, 0, ""), t + 11 * SEC);
	expect_no_ev(&c);
	CHECK_INT(pptp_conn_active_calls(&c), 1);
	CHECK_UINT(pptp_conn_call(&c, b)->state, PPTP_CALL_ESTABLISHED);
	CHECK_LOG("Call-Disconnect-Notify (CDN) for call ID 16, which was already cleared", L_INFO);
}

static void test_ocrp_timeout(void)
{
	struct pptp_conn c;
	struct pptp_conn_config cfg = test_cfg();
	struct pptp_event ev;
	uint8_t m[PPTP_MSG_MAX];
	uint16_t id;
	const uint64_t t = T0 + SEC;

	cfg.idle_wait_ms = 0;
	start(&c, &cfg);
	int h = open_call(&c, &id, t);
	pptp_conn_tick(&c, t + PPTP_OCRP_TIMEOUT_MS * MS - 1);
	expect_no_ev(&c);
	expect_no_out(&c);
	pptp_conn_tick(&c, t + PPTP_OCRP_TIMEOUT_MS * MS);
	expect_ev(&c, &ev, PPTP_EV_CALL_DOWN, PPTP_CALL_NO_REPLY);
	CHECK_INT(ev.call, h);
	CHECK_CONTAINS(ev.text, "no Outgoing-Call-Reply from the server within 60 s");
	/* The server is told to drop it too. */
	expect_out(&c, m, PPTP_CCR);
	CHECK_UINT(get16(m + 12), id);
	/* A late OCRP finds nothing. */
	feed(&c, m, mk_ocrp(m, 0x20, id, 1, 0, 0, 8), t + 61 * SEC);
	CHECK_LOG("which is not ours", L_WARNING);
	expect_no_ev(&c);

	/* --connect-timeout bounds the wait; an OCRP for another call ID is
	 * ignored and does not end it early or extend it. */
	cfg.ocrp_timeout_ms = 2500;
	start(&c, &cfg);
	h = open_call(&c, &id, t);
	CHECK_UINT(pptp_conn_next_timeout(&c), t + 2500 * MS);
	feed(&c, m, mk_ocrp(m, 0x20, (uint16_t)(id ^ 0x5555), 1, 0, 0, 8), t + SEC);
	CHECK_LOG("which is not ours", L_WARNING);
	expect_no_ev(&c);
	expect_no_out(&c);
	CHECK_UINT(pptp_conn_next_timeout(&c), t + 2500 * MS);
	pptp_conn_tick(&c, t + 2500 * MS - 1);
	expect_no_ev(&c);
	pptp_conn_tick(&c, t + 2500 * MS);
	expect_ev(&c, &ev, PPTP_EV_CALL_DOWN, PPTP_CALL_NO_REPLY);
	CHECK_INT(ev.call, h);
	CHECK_CONTAINS(ev.text, "no Outgoing-Call-Reply from the server within 2.5 s");
	expect_out(&c, m, PPTP_CCR);
	CHECK_UINT(get16(m + 12), id);
}

static void test_sccrp_timeout(void)
{
	struct pptp_conn c;
	struct pptp_conn_config cfg = test_cfg();
	struct pptp_event ev;
	uint8_t m[PPTP_MSG_MAX];
	struct pptp_call_params p = test_params();

	memset(&logs, 0, sizeof logs);
	pptp_conn_init(&c, &cfg, T0);
	expect_out(&c, m, PPTP_SCCRQ);
	int h = pptp_conn_call_open(&c, &p, T0);
	/* No keepalive before the connection is up. */
	pptp_conn_tick(&c, T0 + PPTP_SCCRP_TIMEOUT_MS * MS - 1);
	expect_no_out(&c);
	expect_no_ev(&c);
	pptp_conn_tick(&c, T0 + PPTP_SCCRP_TIMEOUT_MS * MS);
	expect_ev(&c, &ev, PPTP_EV_CALL_DOWN, PPTP_CALL_CONN_LOST);
	CHECK_INT(ev.call, h);
	expect_ev(&c, &ev, PPTP_EV_CONN_DOWN, PPTP_DOWN_NO_REPLY);
	CHECK_STR(ev.text, "no Start-Control-Connection-Reply from the server within 30 s");
	expect_no_out(&c);

	/* --connect-timeout shortens the wait. */
	cfg.sccrp_timeout_ms = 2500;
	pptp_conn_init(&c, &cfg, T0);
	expect_out(&c, m, PPTP_SCCRQ);
	CHECK_UINT(pptp_conn_next_timeout(&c), T0 + 2500 * MS);
	pptp_conn_tick(&c, T0 + 2500 * MS);
	expect_ev(&c, &ev, PPTP_EV_CONN_DOWN, PPTP_DOWN_NO_REPLY);
	CHECK_STR(ev.text, "no Start-Control-Connection-Reply from the server within 2.5 s");
}

static void test_stop(void)
{
	struct pptp_conn c;
	struct pptp_conn_config cfg = test_cfg();
	struct pptp_event ev;
	uint8_t m[PPTP_MSG_MAX];
	uint16_t id1, id2, id3;
	const uint64_t t = T0 + 5 * SEC;

	start(&c, &cfg);
	int h1 = up_call(&c, 0x21, &id1, T0 + SEC);
	int h2 = up_call(&c, 0x22, &id2, T0 + SEC);
	int h3 = open_call(&c, &id3, T0 + SEC);	/* still waiting for its OCRP */
	pptp_conn_stop(&c, t);
	expect_out(&c, m, PPTP_CCR);
	CHECK_UINT(get16(m + 12), id1);
	expect_out(&c, m, PPTP_CCR);
	CHECK_UINT(get16(m + 12), id2);
	expect_out(&c, m, PPTP_CCR);
	CHECK_UINT(get16(m + 12), id3);
	expect_no_out(&c);
	expect_ev(&c, &ev, PPTP_EV_CALL_DOWN, PPTP_CALL_CLEARED);
	CHECK_INT(ev.call, h3);
	CHECK_INT(c.state, PPTP_CONN_CLEARING);
	CHECK_STR(pptp_conn_state_name(c.state), "CLEARING");
	CHECK_INT(pptp_conn_call_open(&c, &(struct pptp_call_params){ .window = 1 }, t), -ENOTCONN);
	pptp_conn_stop(&c, t);	/* again: nothing new */
	expect_no_out(&c);

	feed(&c, m, mk_cdn(m, 0x22, 4, 0, 0, ""), t + SEC);
	expect_ev(&c, &ev, PPTP_EV_CALL_DOWN, PPTP_CALL_CLEARED);
	CHECK_INT(ev.call, h2);
	expect_no_out(&c);
	/* The server's keepalive is still answered while clearing. */
	feed(&c, m, mk_echorq(m, 4), t + SEC);
	expect_out(&c, m, PPTP_ECHORP);
	feed(&c, m, mk_cdn(m, 0x21, 4, 0, 0, ""), t + 2 * SEC);
	expect_ev(&c, &ev, PPTP_EV_CALL_DOWN, PPTP_CALL_CLEARED);
	CHECK_INT(ev.call, h1);
	expect_out(&c, m, PPTP_STOPCCRQ);
	CHECK_UINT(m[12], PPTP_STOP_NONE);
	CHECK_INT(c.state, PPTP_CONN_WAIT_STOPCCRP);
	/* No reply: stopped anyway when its timer runs out. */
	pptp_conn_tick(&c, t + 2 * SEC + PPTP_STOPCCRP_TIMEOUT_MS * MS - 1);
	expect_no_ev(&c);
	pptp_conn_tick(&c, t + 2 * SEC + PPTP_STOPCCRP_TIMEOUT_MS * MS);
	expect_ev(&c, &ev, PPTP_EV_CONN_DOWN, PPTP_DOWN_STOPPED);
	CHECK_CONTAINS(ev.text, "no Stop-Control-Connection-Reply");
	expect_no_out(&c);
	expect_no_ev(&c);
}

static void test_stop_cdn_never_comes(void)
{
	struct pptp_conn c;
	struct pptp_conn_config cfg = test_cfg();
	struct pptp_event ev;
	uint8_t m[PPTP_MSG_MAX];
	uint16_t id;
	const uint64_t t = T0 + 5 * SEC;

	start(&c, &cfg);
	int h = up_call(&c, 0x21, &id, T0 + SEC);
	pptp_conn_stop(&c, t);
	expect_out(&c, m, PPTP_CCR);
	CHECK_UINT(pptp_conn_next_timeout(&c), t + PPTP_CDN_TIMEOUT_MS * MS);
	pptp_conn_tick(&c, t + PPTP_CDN_TIMEOUT_MS * MS);
	expect_ev(&c, &ev, PPTP_EV_CALL_DOWN, PPTP_CALL_CLEARED);
	CHECK_INT(ev.call, h);
	expect_out(&c, m, PPTP_STOPCCRQ);
	/* The server hangs up instead of replying: that is a stop too. */
	pptp_conn_transport_closed(&c, 0, t + PPTP_CDN_TIMEOUT_MS * MS + SEC);
	expect_ev(&c, &ev, PPTP_EV_CONN_DOWN, PPTP_DOWN_STOPPED);
	/* Both sides stopping at once. */
	start(&c, &cfg);
	pptp_conn_stop(&c, t);
	expect_out(&c, m, PPTP_STOPCCRQ);
	CHECK_INT(pptp_conn_input(&c, m, mk_stopccrq(m, 1), t + MS), -EPROTO);
	expect_out(&c, m, PPTP_STOPCCRP);
	expect_ev(&c, &ev, PPTP_EV_CONN_DOWN, PPTP_DOWN_STOPPED);
	/* A reply that is not OK still ends it, with a note. */
	start(&c, &cfg);
	pptp_conn_stop(&c, t);
	expect_out(&c, m, PPTP_STOPCCRQ);
	CHECK_INT(pptp_conn_input(&c, m, mk_stopccrp(m, 2, 1), t + MS), -EPROTO);
	CHECK_LOG("general error (not connected)", L_WARNING);
	expect_ev(&c, &ev, PPTP_EV_CONN_DOWN, PPTP_DOWN_STOPPED);
}

static void test_stop_before_sccrp(void)
{
	struct pptp_conn c;
	struct pptp_conn_config cfg = test_cfg();
	struct pptp_event ev;
	uint8_t m[PPTP_MSG_MAX];
	struct pptp_call_params p = test_params();

	memset(&logs, 0, sizeof logs);
	pptp_conn_init(&c, &cfg, T0);
	expect_out(&c, m, PPTP_SCCRQ);
	int h = pptp_conn_call_open(&c, &p, T0);
	pptp_conn_stop(&c, T0 + MS);
	expect_ev(&c, &ev, PPTP_EV_CALL_DOWN, PPTP_CALL_CONN_LOST);
	CHECK_INT(ev.call, h);
	expect_ev(&c, &ev, PPTP_EV_CONN_DOWN, PPTP_DOWN_STOPPED);
	expect_no_out(&c);
	CHECK_INT(pptp_conn_input(&c, m, mk_sccrp(m, 1, 0), T0 + 2 * MS), -EPROTO);
	expect_no_ev(&c);
	expect_no_out(&c);
}

static void test_call_close_early(void)
{
	struct pptp_conn c;
	struct pptp_conn_config cfg = test_cfg();
	struct pptp_event ev;
	uint8_t m[PPTP_MSG_MAX];
	struct pptp_call_params p = test_params();
	uint16_t id;

	/* Never sent: ends at once, nothing on the wire. */
	memset(&logs, 0, sizeof logs);
	pptp_conn_init(&c, &cfg, T0);
	expect_out(&c, m, PPTP_SCCRQ);
	int h = pptp_conn_call_open(&c, &p, T0);
	pptp_conn_call_close(&c, h, T0);
	expect_ev(&c, &ev, PPTP_EV_CALL_DOWN, PPTP_CALL_CLEARED);
	CHECK_INT(ev.call, h);
	expect_no_out(&c);
	feed(&c, m, mk_sccrp(m, 1, 0), T0 + MS);
	expect_ev(&c, &ev, PPTP_EV_CONN_UP, 0);
	expect_no_out(&c);

	/* Waiting for its OCRP: CCR, and it ends at once. */
	h = open_call(&c, &id, T0 + SEC);
	pptp_conn_call_close(&c, h, T0 + SEC);
	expect_out(&c, m, PPTP_CCR);
	CHECK_UINT(get16(m + 12), id);
	expect_ev(&c, &ev, PPTP_EV_CALL_DOWN, PPTP_CALL_CLEARED);
	CHECK_INT(pptp_conn_active_calls(&c), 0);

	/* Bad handles are ignored. */
	pptp_conn_call_close(&c, -1, T0 + SEC);
	pptp_conn_call_close(&c, PPTP_MAX_CALLS, T0 + SEC);
	pptp_conn_call_close(&c, 5, T0 + SEC);
	expect_no_out(&c);
	expect_no_ev(&c);
	CHECK(pptp_conn_call(&c, -1) == NULL);
	CHECK(pptp_conn_call(&c, PPTP_MAX_CALLS) == NULL);
}

static void test_server_disconnects(void)
{
	struct pptp_conn c;
	struct pptp_conn_config cfg = test_cfg();
	struct pptp_event ev;
	uint8_t m[PPTP_MSG_MAX];
	uint16_t id;

	start(&c, &cfg);
	int h = up_call(&c, 0x3344, &id, T0 + SEC);
	feed(&c, m, mk_cdn(m, 0x3344, 3, 0, 0, "bytes in 1000"), T0 + 2 * SEC);
	expect_ev(&c, &ev, PPTP_EV_CALL_DOWN, PPTP_CALL_DISCONNECTED);
	CHECK_INT(ev.call, h);
	CHECK_STR(ev.text, "server disconnected the call: admin shutdown");
	CHECK_UINT(ev.result, 3);
	CHECK_LOG("bytes in 1000", L_INFO);
	expect_no_out(&c);

	h = up_call(&c, 0x3345, &id, T0 + SEC);
	feed(&c, m, mk_cdn(m, 0x3345, 2, 4, 9, ""), T0 + 2 * SEC);
	expect_ev(&c, &ev, PPTP_EV_CALL_DOWN, PPTP_CALL_DISCONNECTED);
	CHECK_STR(ev.text, "server disconnected the call: general error (no resource), cause code 9");
	CHECK_UINT(ev.cause, 9);

	/* A server that puts our call ID in the CDN instead of its own. */
	h = up_call(&c, 0x4000, &id, T0 + SEC);
	feed(&c, m, mk_cdn(m, id, 1, 0, 0, ""), T0 + 2 * SEC);
	expect_ev(&c, &ev, PPTP_EV_CALL_DOWN, PPTP_CALL_DISCONNECTED);
	CHECK_INT(ev.call, h);
	CHECK_STR(ev.text, "server disconnected the call: lost carrier");
	CHECK(!pptp_conn_is_closed(&c));
}

static void test_incoming_and_info(void)
{
	struct pptp_conn c;
	struct pptp_conn_config cfg = test_cfg();
	uint8_t m[PPTP_MSG_MAX];
	uint16_t id;

	start(&c, &cfg);
	hdr(m, 220, PPTP_ICRQ);
	put16(m + 12, 0x0abc);
	memcpy(m + 92, "5550000", 7);
	feed(&c, m, 220, T0 + SEC);
	expect_out(&c, m, PPTP_ICRP);
	static const uint8_t icrp[] = {
		0x00, 0x18, 0x00, 0x01, 0x1a, 0x2b, 0x3c, 0x4d, 0x00, 0x0a, 0x00, 0x00,
		0x00, 0x00, 0x0a, 0xbc, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	CHECK_MEM(m, icrp, 24);
	CHECK_LOG("refusing an incoming call", L_NOTICE);
	CHECK_LOG("5550000", L_NOTICE);
	expect_no_ev(&c);

	hdr(m, 28, PPTP_ICCN);
	feed(&c, m, 28, T0 + SEC);
	CHECK_LOG("Incoming-Call-Connected", L_WARNING);

	hdr(m, 40, PPTP_WEN);
	put16(m + 12, 7);
	put32(m + 16, 11);
	put32(m + 36, 66);
	feed(&c, m, 40, T0 + SEC);
	CHECK_LOG("CRC 11", L_WARNING);
	CHECK_LOG("alignment 66", L_WARNING);

	hdr(m, 24, PPTP_SLI);
	put32(m + 16, 0xffffffff);
	feed(&c, m, 24, T0 + SEC);
	CHECK_LOG("send ACCM 0xffffffff", L_DEBUG);
	expect_no_out(&c);
	expect_no_ev(&c);

	/* Set-Link-Info on request, for an established call only. */
	int h = open_call(&c, &id, T0 + SEC);
	CHECK_INT(pptp_conn_call_set_link_info(&c, h, 0, 0), -ENOTCONN);
	CHECK_INT(pptp_conn_call_set_link_info(&c, -1, 0, 0), -EINVAL);
	CHECK_INT(pptp_conn_call_set_link_info(&c, PPTP_MAX_CALLS, 0, 0), -EINVAL);
	feed(&c, m, mk_ocrp(m, 0x6655, id, 1, 0, 0, 8), T0 + SEC);
	CHECK_INT(pptp_conn_call_set_link_info(&c, h, 0x000a0000, 0xffffffff), 0);
	expect_out(&c, m, PPTP_SLI);
	static const uint8_t sli[] = {
		0x00, 0x18, 0x00, 0x01, 0x1a, 0x2b, 0x3c, 0x4d, 0x00, 0x0f, 0x00, 0x00,
		0x66, 0x55, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
	};
	CHECK_MEM(m, sli, 24);
}

static void test_call_ids(void)
{
	struct pptp_conn c;
	struct pptp_conn_config cfg = test_cfg();
	struct pptp_event ev;
	uint8_t m[PPTP_MSG_MAX];
	uint16_t id;

	cfg.first_call_id = 65534;
	start(&c, &cfg);
	int h1 = up_call(&c, 1, &id, T0 + SEC);
	CHECK_UINT(id, 65534);
	up_call(&c, 2, &id, T0 + SEC);
	CHECK_UINT(id, 65535);
	up_call(&c, 3, &id, T0 + SEC);
	CHECK_UINT(id, 1);	/* 0 is skipped */
	CHECK_UINT(pptp_conn_call(&c, h1)->serial, 1);

	/* Wrap all the way round: IDs in use are skipped. */
	for (int i = 0; i < 65532; i++) {
		int h = open_call(&c, &id, T0 + SEC);
		pptp_conn_call_close(&c, h, T0 + SEC);
		expect_out(&c, m, PPTP_CCR);
		expect_ev(&c, &ev, PPTP_EV_CALL_DOWN, PPTP_CALL_CLEARED);
	}
	CHECK_UINT(id, 65533);
	open_call(&c, &id, T0 + SEC);
	CHECK_UINT(id, 2);	/* 65534, 65535 and 1 are in use */

	/* first_call_id 0 means 1. */
	cfg.first_call_id = 0;
	start(&c, &cfg);
	open_call(&c, &id, T0 + SEC);
	CHECK_UINT(id, 1);
}

/* Events are never lost: a slot whose CALL_DOWN is still queued is not
 * reused, and the worst case fits the queue. */
static void test_event_capacity(void)
{
	struct pptp_conn c;
	struct pptp_conn_config cfg = test_cfg();
	struct pptp_event ev;
	uint8_t m[PPTP_MSG_MAX];
	uint16_t id;
	struct pptp_call_params p = test_params();

	start(&c, &cfg);
	for (int i = 0; i < PPTP_MAX_CALLS; i++) {
		open_call(&c, &id, T0 + SEC);
		feed(&c, m, mk_ocrp(m, (uint16_t)(0x100 + i), id, 1, 0, 0, 8), T0 + SEC);
	}
	CHECK_INT(pptp_conn_active_calls(&c), PPTP_MAX_CALLS);
	CHECK_INT(pptp_conn_call_open(&c, &p, T0 + SEC), -ENOSPC);
	/* Every call down (CDN), nothing polled: slots free but not reusable. */
	for (int i = 0; i < PPTP_MAX_CALLS; i++)
		feed(&c, m, mk_cdn(m, (uint16_t)(0x100 + i), 3, 0, 0, ""), T0 + 2 * SEC);
	CHECK_INT(pptp_conn_active_calls(&c), 0);
	CHECK_INT(pptp_conn_call_open(&c, &p, T0 + 2 * SEC), -ENOSPC);
	expect_no_out(&c);
	pptp_conn_transport_closed(&c, 0, T0 + 3 * SEC);
	CHECK_UINT(c.ev_count, 2 * PPTP_MAX_CALLS + 1);
	for (int i = 0; i < PPTP_MAX_CALLS; i++) {
		expect_ev(&c, &ev, PPTP_EV_CALL_UP, 0);
		CHECK_INT(ev.call, i);
	}
	for (int i = 0; i < PPTP_MAX_CALLS; i++) {
		expect_ev(&c, &ev, PPTP_EV_CALL_DOWN, PPTP_CALL_DISCONNECTED);
		CHECK_INT(ev.call, i);
	}
	expect_ev(&c, &ev, PPTP_EV_CONN_DOWN, PPTP_DOWN_CLOSED);
	expect_no_ev(&c);

	/* Polling the one event of a slot frees it. */
	start(&c, &cfg);
	int h = open_call(&c, &id, T0 + SEC);
	feed(&c, m, mk_ocrp(m, 9, id, 4, 0, 0, 8), T0 + SEC);
	for (int i = 1; i < PPTP_MAX_CALLS; i++)
		open_call(&c, &id, T0 + SEC);
	CHECK_INT(pptp_conn_call_open(&c, &p, T0 + SEC), -ENOSPC);
	expect_ev(&c, &ev, PPTP_EV_CALL_DOWN, PPTP_CALL_REFUSED);
	CHECK_INT(pptp_conn_call_open(&c, &p, T0 + SEC), h);
}

/* Echo-Requests read with the SCCRP, 64 calls waiting: the replies come
 * first and fit; the OCRQs follow as the writer drains (no overflow). */
static void test_sccrp_burst_with_echoes(void)
{
	struct pptp_conn c;
	struct pptp_conn_config cfg = test_cfg();
	struct pptp_call_params p = test_params();
	uint8_t m[PPTP_MSG_MAX], in[4096];
	size_t n = 0;

	memset(&logs, 0, sizeof logs);
	pptp_conn_init(&c, &cfg, T0);
	expect_out(&c, m, PPTP_SCCRQ);
	for (int i = 0; i < PPTP_MAX_CALLS; i++)
		CHECK(pptp_conn_call_open(&c, &p, T0) >= 0);
	n += mk_sccrp(in, 1, 0);
	while (n + 16 <= sizeof in)
		n += mk_echorq(in + n, (uint32_t)n);
	CHECK_INT(pptp_conn_input(&c, in, n, T0 + MS), 0);
	CHECK(!pptp_conn_is_closed(&c));
	int ocrqs = 0, echorps = 0;
	for (int pass = 0; pass < 100 && ocrqs < PPTP_MAX_CALLS; pass++) {
		while (out_take(&c, m))
			msg_type(m) == PPTP_ECHORP ? echorps++ : ocrqs++;
		pptp_conn_tick(&c, T0 + MS);
	}
	CHECK_INT(echorps, (int)((sizeof in - pptp_msg_len(PPTP_SCCRP)) / 16));
	CHECK_INT(ocrqs, PPTP_MAX_CALLS);
	CHECK(!pptp_conn_is_closed(&c));
}

/* A call that never finds room for its OCRQ (the server reads nothing, and
 * no keepalive would end the connection) ends after the OCRP timeout. */
static void test_pending_call_times_out(void)
{
	struct pptp_conn c;
	struct pptp_conn_config cfg = test_cfg();
	struct pptp_call_params p = test_params();
	struct pptp_event ev;
	uint8_t m[PPTP_MSG_MAX];
	const uint8_t *out;

	cfg.idle_wait_ms = 0;	/* --idle-wait 0: no keepalive */
	cfg.ocrp_timeout_ms = 30000;
	start(&c, &cfg);
	mk_echorq(m, 1);
	while (pptp_conn_pending(&c, &out) + pptp_msg_len(PPTP_OCRQ) + 1024 <= PPTP_OUT_MAX)
		feed(&c, m, 16, T0 + SEC);
	int h = pptp_conn_call_open(&c, &p, T0 + SEC);
	CHECK(h >= 0);
	CHECK_INT(pptp_conn_call(&c, h)->state, PPTP_CALL_PENDING);
	CHECK_UINT(pptp_conn_next_timeout(&c), T0 + 31 * SEC);
	pptp_conn_tick(&c, T0 + 31 * SEC - 1);
	expect_no_ev(&c);
	pptp_conn_tick(&c, T0 + 31 * SEC);
	expect_ev(&c, &ev, PPTP_EV_CALL_DOWN, PPTP_CALL_NO_REPLY);
	CHECK_INT(ev.call, h);
	CHECK_CONTAINS(ev.text, "not reading the control connection");
	CHECK(!pptp_conn_is_closed(&c));
}

const struct test_case ctrl_tests[] = {
	{ "msg_table", test_msg_table },
	{ "result_words", test_result_words },
	{ "codec_sccrq", test_codec_sccrq },
	{ "codec_sccrp", test_codec_sccrp },
	{ "codec_stop_echo", test_codec_stop_echo },
	{ "codec_ocrq", test_codec_ocrq },
	{ "codec_ocrp", test_codec_ocrp },
	{ "codec_incoming", test_codec_incoming },
	{ "codec_call_mgmt", test_codec_call_mgmt },
	{ "codec_strings", test_codec_strings },
	{ "decode_errors", test_decode_errors },
	{ "init_sccrq", test_init_sccrq },
	{ "conversation", test_conversation },
	{ "requested_call_id", test_requested_call_id },
	{ "byte_by_byte", test_byte_by_byte },
	{ "packed", test_packed },
	{ "bad_lengths", test_bad_lengths },
	{ "bounds_lengths_ok", test_bounds_lengths_ok },
	{ "bad_magic", test_bad_magic },
	{ "not_control", test_not_control },
	{ "unknown_type", test_unknown_type },
	{ "length_mismatch", test_length_mismatch },
	{ "wrong_state", test_wrong_state },
	{ "sccrp_refused", test_sccrp_refused },
	{ "ocrp_refused", test_ocrp_refused },
	{ "keepalive", test_keepalive },
	{ "keepalive_answered", test_keepalive_answered },
	{ "keepalive_off", test_keepalive_off },
	{ "echo_wait_forever", test_echo_wait_forever },
	{ "server_echo", test_server_echo },
	{ "peer_stop", test_peer_stop },
	{ "transport_closed", test_transport_closed },
	{ "close_while_stopping", test_close_while_stopping },
	{ "overflow", test_overflow },
	{ "call_open_overflow", test_call_open_overflow },
	{ "call_open_burst", test_call_open_burst },
	{ "sccrp_burst_with_echoes", test_sccrp_burst_with_echoes },
	{ "pending_call_times_out", test_pending_call_times_out },
	{ "server_info", test_server_info },
	{ "cdn_timeout", test_cdn_timeout },
	{ "cdn_late_other_call", test_cdn_late_other_call },
	{ "ocrp_timeout", test_ocrp_timeout },
	{ "sccrp_timeout", test_sccrp_timeout },
	{ "stop", test_stop },
	{ "stop_cdn_never_comes", test_stop_cdn_never_comes },
	{ "stop_before_sccrp", test_stop_before_sccrp },
	{ "call_close_early", test_call_close_early },
	{ "server_disconnects", test_server_disconnects },
	{ "incoming_and_info", test_incoming_and_info },
	{ "call_ids", test_call_ids },
	{ "event_capacity", test_event_capacity },
	{ NULL, NULL },
};
