/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_util.c - the pure helpers, and the call manager's wire messages. */
#include <errno.h>

#include "callmgr_proto.h"
#include "test.h"
#include "util.h"

static void seconds(void)
{
	uint64_t v = 0;
	CHECK_INT(parse_seconds("0.3", 0, 100000000, &v), 0);
	CHECK_UINT(v, 300000);
	CHECK_INT(parse_seconds("10", 0, 100000000, &v), 0);
	CHECK_UINT(v, 10000000);
	CHECK_INT(parse_seconds(".5", 0, 100000000, &v), 0);
	CHECK_UINT(v, 500000);
	CHECK_INT(parse_seconds("2.", 0, 100000000, &v), 0);
	CHECK_UINT(v, 2000000);
	CHECK_INT(parse_seconds("0.0000019", 0, 100000000, &v), 0);
	CHECK_UINT(v, 1);	/* digits past microseconds are dropped */
	CHECK_INT(parse_seconds("1e3", 0, 100000000, &v), -EINVAL);
	CHECK_INT(parse_seconds("-1", 0, 100000000, &v), -EINVAL);
	CHECK_INT(parse_seconds(".", 0, 100000000, &v), -EINVAL);
	CHECK_INT(parse_seconds("", 0, 100000000, &v), -EINVAL);
	CHECK_INT(parse_seconds("99999999999999999999", 0, 100000000, &v), -ERANGE);
	CHECK_INT(parse_seconds("11", 0, 10000000, &v), -ERANGE);
}

static void uints(void)
{
	unsigned long v;
	CHECK_INT(parse_uint("42", 0, 100, &v), 0);
	CHECK_UINT(v, 42);
	CHECK_INT(parse_uint("101", 0, 100, &v), -ERANGE);
	CHECK_INT(parse_uint("+1", 0, 100, &v), -EINVAL);
	CHECK_INT(parse_uint("-1", 0, 100, &v), -ERANGE);	/* a number, below the range */
	CHECK_INT(parse_uint("-", 0, 100, &v), -EINVAL);
	CHECK_INT(parse_uint("-1x", 0, 100, &v), -EINVAL);
	CHECK_INT(parse_uint("--1", 0, 100, &v), -EINVAL);
	CHECK_INT(parse_uint(" 1", 0, 100, &v), -EINVAL);
	CHECK_INT(parse_uint("1 ", 0, 100, &v), -EINVAL);
	CHECK_INT(parse_uint("0x10", 0, 100, &v), -EINVAL);
}

static void strings(void)
{
	char buf[8];
	CHECK_UINT(str_copy(buf, "abcdefghij", sizeof buf), 10);
	CHECK_STR(buf, "abcdefg");
	uint8_t field[6] = { 'a', 0x01, 'b', 0x7f, 'c', 'd' };
	str_printable(buf, sizeof buf, field, sizeof field);
	CHECK_STR(buf, "a?b?cd");	/* not terminated on the wire: width bounds it */
	char hex[32];
	hex_str(hex, sizeof hex, "\x01\xab\xff\x00", 4, 3);
	CHECK_STR(hex, "01 ab ff ...");
	hex_str(hex, 5, "\x01\xab\xff", 3, 3);
	CHECK_STR(hex, "01");
}

static void wire_helpers(void)
{
	uint8_t b[4];
	put32(b, 0x1A2B3C4D);
	CHECK_MEM(b, "\x1a\x2b\x3c\x4d", 4);
	CHECK_UINT(get32(b), 0x1A2B3C4D);
	put16(b, 0x880B);
	CHECK_UINT(get16(b), 0x880B);
	CHECK(seq_before(0xfffffff0u, 5));
	CHECK(!seq_before(5, 0xfffffff0u));
	CHECK(!seq_before(7, 7));
}

const struct test_case util_tests[] = {
	{ "seconds", seconds },
	{ "uints", uints },
	{ "strings", strings },
	{ "wire_helpers", wire_helpers },
	{ NULL, NULL },
};

static void cm_round_trip(void)
{
	struct cm_msg m = { .type = CM_CALL_RESULT, .ok = true, .call_id = 0x1234,
			    .reason = { .cause = CAUSE_CALL_REFUSED, .ctrl_was_up = true, .result = 3,
					.error = 7, .err = -5 },
			    .peer_call_id = 0x4001, .peer_window = 64, .peer_delay = 3,
			    .pid = 4242, .window = 64, .framing = 1 };
	uint8_t buf[CM_WIRE_LEN];
	struct cm_msg d;

	strcpy(m.text, "server refused the call: busy");
	strcpy(m.phone, "5551234");
	CHECK_UINT(cm_msg_encode(&m, buf), CM_WIRE_LEN);
	CHECK_INT(cm_msg_decode(buf, sizeof buf, &d), 0);
	CHECK_INT(d.type, CM_CALL_RESULT);
	CHECK(d.ok);
	CHECK_INT(d.reason.cause, CAUSE_CALL_REFUSED);
	CHECK(d.reason.ctrl_was_up);
	CHECK_INT(d.reason.result, 3);
	CHECK_INT(d.reason.error, 7);
	CHECK_INT(d.reason.err, -5);
	CHECK_UINT(d.call_id, 0x1234);
	CHECK_UINT(d.peer_call_id, 0x4001);
	CHECK_UINT(d.peer_window, 64);
	CHECK_UINT(d.peer_delay, 3);
	CHECK_UINT(d.pid, 4242);
	CHECK_UINT(d.framing, 1);
	CHECK_STR(d.text, "server refused the call: busy");
	CHECK_STR(d.phone, "5551234");
}

static void cm_rejects(void)
{
	struct cm_msg m = { .type = CM_CALL_GONE }, d;
	uint8_t buf[CM_WIRE_LEN];

	cm_msg_encode(&m, buf);
	CHECK_INT(cm_msg_decode(buf, sizeof buf - 1, &d), -EPROTO);
	buf[0] = 9;
	CHECK_INT(cm_msg_decode(buf, sizeof buf, &d), -EPROTO);
	buf[0] = CM_PROTO_VERSION;
	buf[1] = 0;
	CHECK_INT(cm_msg_decode(buf, sizeof buf, &d), -EPROTO);
	buf[1] = 4;
	CHECK_INT(cm_msg_decode(buf, sizeof buf, &d), -EPROTO);
	/* Text that is not terminated or not printable comes out safe. */
	buf[1] = CM_CALL_GONE;
	memset(buf + CM_WIRE_LEN - CM_TEXT_MAX, 0x07, CM_TEXT_MAX);
	CHECK_INT(cm_msg_decode(buf, sizeof buf, &d), 0);
	CHECK_UINT(strlen(d.text), CM_TEXT_MAX - 1);
	CHECK(d.text[0] == '?');
}

const struct test_case callmgr_proto_tests[] = {
	{ "round_trip", cm_round_trip },
	{ "rejects", cm_rejects },
	{ NULL, NULL },
};
