/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_quirks.c - quirk lookup, and the control engine bent by the
 * BEZEQ_ISRAEL quirk: expected bytes written by hand at the RFC offsets. */
#include <errno.h>

#include "orckit_quirks.h"
#include "pptp_ctrl.h"
#include "pptp_quirks.h"
#include "test.h"
#include "util.h"

#define T0 5000000ull

static void test_find(void)
{
	const struct pptp_quirk *q = pptp_quirk_find("BEZEQ_ISRAEL");
	CHECK(q != NULL);
	CHECK(q == &orckit_quirk_bezeq_israel);
	if (q) {
		CHECK_STR(q->name, "BEZEQ_ISRAEL");
		CHECK(q->what && q->what[0]);
		CHECK(q->sccrq && q->ocrq && q->call_up_sli);
	}
	CHECK(pptp_quirk_find("bezeq_israel") == NULL);	/* case-sensitive */
	CHECK(pptp_quirk_find("BEZEQ") == NULL);
	CHECK(pptp_quirk_find("BEZEQ_ISRAEL ") == NULL);
	CHECK(pptp_quirk_find("") == NULL);
	CHECK(pptp_quirk_find(NULL) == NULL);
}

/* Every name in the list is found, and the list names the table's quirk. */
static void test_names(void)
{
	char list[256];
	int n = 0;

	snprintf(list, sizeof list, "%s", pptp_quirk_names());
	for (char *save = NULL, *tok = strtok_r(list, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ')
			tok++;
		CHECK(pptp_quirk_find(tok) != NULL);
		n++;
	}
	CHECK(n >= 1);
	CHECK_CONTAINS(pptp_quirk_names(), orckit_quirk_bezeq_israel.name);
}

static size_t take(struct pptp_conn *c, uint8_t *msg)
{
	const uint8_t *p;
	size_t n = pptp_conn_pending(c, &p);
	if (n < PPTP_HDR_LEN)
		return 0;
	size_t len = get16(p);
	if (len > n || len > PPTP_MSG_MAX)
		return 0;
	memcpy(msg, p, len);
	pptp_conn_consume(c, len);
	return len;
}

static void put_hdr(uint8_t *b, size_t len, unsigned type)
{
	memset(b, 0, len);
	put16(b, (uint16_t)len);
	put16(b + 2, 1);
	put32(b + 4, 0x1A2B3C4Du);
	put16(b + 8, (uint16_t)type);
}

static void test_bezeq_engine(void)
{
	struct pptp_conn c;
	struct pptp_conn_config cfg;
	struct pptp_call_params p;
	struct pptp_event ev;
	uint8_t m[PPTP_MSG_MAX], want[PPTP_MSG_MAX];

	memset(&cfg, 0, sizeof cfg);
	cfg.hostname = "local";
	cfg.vendor = "pptp";
	cfg.firmware = 1;
	cfg.idle_wait_ms = 60000;
	cfg.max_echo_wait_ms = 60000;
	cfg.first_call_id = 7;
	cfg.quirk = pptp_quirk_find("BEZEQ_ISRAEL");
	CHECK(cfg.quirk != NULL);
	pptp_conn_init(&c, &cfg, T0);

	static const uint8_t sccrq[] = {
		0x00, 0x9c, 0x00, 0x01, 0x1a, 0x2b, 0x3c, 0x4d, 0x00, 0x01, 0x00, 0x00,
		0x01, 0x00, 0x00, 0x00,	/* version 1.0 */
		0x00, 0x00, 0x00, 0x01,	/* framing async */
		0x00, 0x00, 0x00, 0x01,	/* bearer analog */
		0x00, 0x00, 0x60, 0x21,	/* max channels 0, firmware 0x6021 */
	};
	memset(want, 0, sizeof want);
	memcpy(want, sccrq, sizeof sccrq);
	memcpy(want + 28, "RELAY_PPP1", 10);
	memcpy(want + 92, "MS Win NT", 9);
	CHECK_UINT(take(&c, m), 156);
	CHECK_MEM(m, want, 156);

	put_hdr(m, 156, 2);
	put16(m + 12, 0x0100);
	m[14] = 1;
	CHECK_INT(pptp_conn_input(&c, m, 156, T0 + 1000), 0);
	CHECK(pptp_conn_poll_event(&c, &ev) && ev.type == PPTP_EV_CONN_UP);

	memset(&p, 0, sizeof p);
	snprintf(p.phone, sizeof p.phone, "ignored-by-quirk");
	p.window = 10;
	p.framing = PPTP_FRAME_ASYNC;
	int h = pptp_conn_call_open(&c, &p, T0 + 2000);
	CHECK(h >= 0);
	static const uint8_t ocrq[] = {
		0x00, 0xa8, 0x00, 0x01, 0x1a, 0x2b, 0x3c, 0x4d, 0x00, 0x07, 0x00, 0x00,
		0x00, 0x07, 0x00, 0x01,	/* call ID 7, serial 1 */
		0x00, 0x00, 0x01, 0x2c, 0x05, 0xf5, 0xe1, 0x00,
		0x00, 0x00, 0x00, 0x02,	/* bearer digital */
		0x00, 0x00, 0x00, 0x03,	/* framing any */
		0x00, 0x0a, 0x00, 0x00,	/* window 10, delay 0 */
		0x00, 0x0a, 0x00, 0x00,	/* phone length 10 */
	};
	memset(want, 0, sizeof want);
	memcpy(want, ocrq, sizeof ocrq);
	memcpy(want + 40, "RELAY_PPP1", 10);
	CHECK_UINT(take(&c, m), 168);
	CHECK_MEM(m, want, 168);

	/* OCRP: connected, server's call ID 0x4321, for our call 7. */
	put_hdr(m, 32, 8);
	put16(m + 12, 0x4321);
	put16(m + 14, 7);
	m[16] = 1;
	put16(m + 24, 16);
	CHECK_INT(pptp_conn_input(&c, m, 32, T0 + 3000), 0);
	CHECK(pptp_conn_poll_event(&c, &ev) && ev.type == PPTP_EV_CALL_UP);
	CHECK_UINT(ev.peer_call_id, 0x4321);
	static const uint8_t sli[] = {
		0x00, 0x18, 0x00, 0x01, 0x1a, 0x2b, 0x3c, 0x4d, 0x00, 0x0f, 0x00, 0x00,
		0x43, 0x21, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	};
	CHECK_UINT(take(&c, m), 24);
	CHECK_MEM(m, sli, 24);
	CHECK_UINT(take(&c, m), 0);
}

/* The hooks alone: they touch only the quirk's fields. */
static void test_bezeq_hooks(void)
{
	const struct pptp_quirk *q = &orckit_quirk_bezeq_israel;
	struct pptp_ocrq o;
	struct pptp_sli s;

	memset(&o, 0, sizeof o);
	o.call_id = 3;
	o.window = 9;
	o.min_bps = 300;
	snprintf(o.phone, sizeof o.phone, "0123456789012345678901234567890");
	q->ocrq(&o);
	CHECK_STR(o.phone, "RELAY_PPP1");
	CHECK_UINT(o.phone_len, 10);
	CHECK_UINT(o.phone[11], 0);
	CHECK_UINT(o.call_id, 3);
	CHECK_UINT(o.window, 9);
	CHECK_UINT(o.min_bps, 300);

	memset(&s, 0, sizeof s);
	s.peer_call_id = 5;
	CHECK(q->call_up_sli(&s));
	CHECK_UINT(s.send_accm, 0xffffffffu);
	CHECK_UINT(s.recv_accm, 0xffffffffu);
	CHECK_UINT(s.peer_call_id, 5);
}

const struct test_case quirks_tests[] = {
	{ "find", test_find },
	{ "names", test_names },
	{ "bezeq_engine", test_bezeq_engine },
	{ "bezeq_hooks", test_bezeq_hooks },
	{ NULL, NULL },
};
