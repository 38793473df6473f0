/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_exitstatus.c - the exit status policy, as a table of tunnels' ends. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/wait.h>

#include "exitstatus.h"
#include "pptp_ctrl.h"
#include "test.h"
#include "util.h"

#define EXITED(code) ((code) << 8)	/* a wait status: exited with code */
#define KILLED(sig) (sig)		/* a wait status: killed by sig */

static void reasons_alone(void)
{
	static const struct {
		struct pptp_reason r;
		int exit;
	} t[] = {
		{ { .cause = CAUSE_NONE }, PPTP_EXIT_OK },
		{ { .cause = CAUSE_STOPPED }, PPTP_EXIT_OK },
		{ { .cause = CAUSE_LOCAL }, PPTP_EXIT_FAILURE },
		{ { .cause = CAUSE_RESOLVE }, PPTP_EXIT_RESOLVE },
		{ { .cause = CAUSE_CONNECT, .err = 111 }, PPTP_EXIT_CONNECT },
		{ { .cause = CAUSE_CTRL_REFUSED, .result = 2 }, PPTP_EXIT_CTRL_REFUSED },
		{ { .cause = CAUSE_CTRL_NO_REPLY }, PPTP_EXIT_CTRL_REFUSED },
		{ { .cause = CAUSE_CTRL_LOST, .ctrl_was_up = false }, PPTP_EXIT_CTRL_REFUSED },
		{ { .cause = CAUSE_CTRL_LOST, .ctrl_was_up = true }, PPTP_EXIT_SERVER_ENDED },
		{ { .cause = CAUSE_CTRL_OVERFLOW, .ctrl_was_up = true }, PPTP_EXIT_SERVER_ENDED },
		{ { .cause = CAUSE_ECHO_TIMEOUT, .ctrl_was_up = true }, PPTP_EXIT_KEEPALIVE },
		{ { .cause = CAUSE_SERVER_STOP, .ctrl_was_up = true }, PPTP_EXIT_SERVER_ENDED },
		{ { .cause = CAUSE_CONN_CLOSING }, PPTP_EXIT_SERVER_ENDED },
		{ { .cause = CAUSE_CALL_REFUSED, .result = 3 }, PPTP_EXIT_CALL_REFUSED },
		{ { .cause = CAUSE_CALL_NO_REPLY }, PPTP_EXIT_CALL_REFUSED },
		{ { .cause = CAUSE_CALL_DISCONNECTED }, PPTP_EXIT_SERVER_ENDED },
		{ { .cause = CAUSE_TOO_MANY_CALLS }, PPTP_EXIT_FAILURE },
		{ { .cause = CAUSE_PPPD }, PPTP_EXIT_PPPD },
		{ { .cause = CAUSE_PATH_MTU }, PPTP_EXIT_PATH_MTU },
		{ { .cause = CAUSE_PPPD, .err = 2 }, PPTP_EXIT_PPPD },
		{ { .cause = CAUSE_PPPD_ENDED }, PPTP_EXIT_OK },
		{ { .cause = CAUSE_NO_PPPD }, PPTP_EXIT_NO_PPPD },
		{ { .cause = CAUSE_NO_KERNEL_PPP }, PPTP_EXIT_NO_KERNEL_PPP },
		{ { .cause = CAUSE_NO_MPPE }, PPTP_EXIT_NO_MPPE },
		{ { .cause = CAUSE_GRE_BLOCKED }, PPTP_EXIT_GRE_BLOCKED },
		{ { .cause = CAUSE_INTERRUPTED }, PPTP_EXIT_FAILURE },
		{ { .cause = CAUSE_MAX_ }, PPTP_EXIT_FAILURE },
		{ { .cause = 255 }, PPTP_EXIT_FAILURE },
	};
	for (size_t i = 0; i < ARRAY_LEN(t); i++) {
		int got = pptp_exit_for_reason(&t[i].r);
		if (got != t[i].exit)
			test_fail(__FILE__, __LINE__, "cause %s (was up %d): exit %d, want %d",
				  pptp_cause_name(t[i].r.cause), t[i].r.ctrl_was_up, got, t[i].exit);
	}
}

static void engine_reasons(void)
{
	CHECK_INT(pptp_cause_for_conn_down(PPTP_DOWN_STOPPED), CAUSE_STOPPED);
	CHECK_INT(pptp_cause_for_conn_down(PPTP_DOWN_REFUSED), CAUSE_CTRL_REFUSED);
	CHECK_INT(pptp_cause_for_conn_down(PPTP_DOWN_NO_REPLY), CAUSE_CTRL_NO_REPLY);
	CHECK_INT(pptp_cause_for_conn_down(PPTP_DOWN_ECHO_TIMEOUT), CAUSE_ECHO_TIMEOUT);
	CHECK_INT(pptp_cause_for_conn_down(PPTP_DOWN_PEER_STOP), CAUSE_SERVER_STOP);
	CHECK_INT(pptp_cause_for_conn_down(PPTP_DOWN_PROTOCOL), CAUSE_CTRL_LOST);
	CHECK_INT(pptp_cause_for_conn_down(PPTP_DOWN_CLOSED), CAUSE_CTRL_LOST);
	CHECK_INT(pptp_cause_for_conn_down(PPTP_DOWN_OVERFLOW), CAUSE_CTRL_OVERFLOW);
	CHECK_INT(pptp_cause_for_call_down(PPTP_CALL_REFUSED), CAUSE_CALL_REFUSED);
	CHECK_INT(pptp_cause_for_call_down(PPTP_CALL_NO_REPLY), CAUSE_CALL_NO_REPLY);
	CHECK_INT(pptp_cause_for_call_down(PPTP_CALL_DISCONNECTED), CAUSE_CALL_DISCONNECTED);
	CHECK_INT(pptp_cause_for_call_down(PPTP_CALL_CONN_LOST), CAUSE_CTRL_LOST);
	for (int c = 0; c <= CAUSE_MAX_; c++)
		CHECK(pptp_cause_name((enum pptp_cause)c) != NULL);
	/* Every cause has a name of its own: none was left out of the table. */
	for (int c = 0; c < CAUSE_MAX_; c++)
		CHECK(strcmp(pptp_cause_name((enum pptp_cause)c), "unknown") != 0);
}

/* A reason's eight bytes, both ways, byte for byte. */
static void reason_wire(void)
{
	static const struct {
		struct pptp_reason r;
		uint8_t wire[PPTP_REASON_WIRE_LEN];
	} t[] = {
		{ { .cause = CAUSE_NONE }, { 0, 0, 0, 0, 0, 0, 0, 0 } },
		{ { .cause = CAUSE_CALL_REFUSED, .ctrl_was_up = true, .result = 3, .error = 7 },
		  { CAUSE_CALL_REFUSED, 1, 3, 7, 0, 0, 0, 0 } },
		{ { .cause = CAUSE_CONNECT, .err = 111 }, { CAUSE_CONNECT, 0, 0, 0, 0, 0, 0, 111 } },
		{ { .cause = CAUSE_LOCAL, .err = -5 }, { CAUSE_LOCAL, 0, 0, 0, 0xff, 0xff, 0xff, 0xfb } },
		{ { .cause = CAUSE_PPPD, .err = 0x01020304 }, { CAUSE_PPPD, 0, 0, 0, 1, 2, 3, 4 } },
		{ { .cause = CAUSE_MAX_ - 1, .result = 255, .error = 255 },
		  { CAUSE_MAX_ - 1, 0, 255, 255, 0, 0, 0, 0 } },
	};
	for (size_t i = 0; i < ARRAY_LEN(t); i++) {
		uint8_t wire[PPTP_REASON_WIRE_LEN];
		struct pptp_reason back;
		pptp_reason_encode(&t[i].r, wire);
		CHECK_MEM(wire, t[i].wire, sizeof wire);
		CHECK_INT(pptp_reason_decode(t[i].wire, sizeof wire, &back), 0);
		CHECK_INT(back.cause, t[i].r.cause);
		CHECK_INT(back.ctrl_was_up, t[i].r.ctrl_was_up);
		CHECK_INT(back.result, t[i].r.result);
		CHECK_INT(back.error, t[i].r.error);
		CHECK_INT(back.err, t[i].r.err);
	}
}

/* Bytes that are not a reason are refused, and leave the reason alone. */
static void reason_wire_rejects(void)
{
	static const struct {
		uint8_t wire[PPTP_REASON_WIRE_LEN + 1];
		size_t len;
	} t[] = {
		{ { CAUSE_MAX_, 0 }, PPTP_REASON_WIRE_LEN },	/* unknown cause */
		{ { 255, 0 }, PPTP_REASON_WIRE_LEN },
		{ { CAUSE_LOCAL, 2 }, PPTP_REASON_WIRE_LEN },	/* a flag neither 0 nor 1 */
		{ { CAUSE_LOCAL, 0xff }, PPTP_REASON_WIRE_LEN },
		{ { CAUSE_LOCAL, 0 }, PPTP_REASON_WIRE_LEN - 1 },	/* too short */
		{ { CAUSE_LOCAL, 0 }, PPTP_REASON_WIRE_LEN + 1 },	/* too long */
		{ { CAUSE_LOCAL, 0 }, 0 },
	};
	for (size_t i = 0; i < ARRAY_LEN(t); i++) {
		struct pptp_reason r = { .cause = CAUSE_PPPD, .err = 42 };
		CHECK_INT(pptp_reason_decode(t[i].wire, t[i].len, &r), -EPROTO);
		CHECK_INT(r.cause, CAUSE_PPPD);
		CHECK_INT(r.err, 42);
	}
}

/* Of two failures, the deeper layer's is kept; among equals, the first. */
static void reason_deeper(void)
{
	static const struct {
		uint8_t kept, r;
		bool deeper;
	} t[] = {
		{ CAUSE_NONE, CAUSE_CONNECT, true },
		{ CAUSE_NONE, CAUSE_LOCAL, true },
		{ CAUSE_CONNECT, CAUSE_CTRL_REFUSED, true },
		{ CAUSE_CONNECT, CAUSE_CTRL_NO_REPLY, true },
		{ CAUSE_CONNECT, CAUSE_CTRL_LOST, true },
		{ CAUSE_CTRL_REFUSED, CAUSE_CONNECT, false },
		{ CAUSE_CONNECT, CAUSE_CONNECT, false },
		{ CAUSE_CTRL_REFUSED, CAUSE_CTRL_NO_REPLY, false },
		{ CAUSE_CTRL_NO_REPLY, CAUSE_CTRL_REFUSED, false },
		{ CAUSE_RESOLVE, CAUSE_CONNECT, true },
		{ CAUSE_LOCAL, CAUSE_RESOLVE, true },
		{ CAUSE_CTRL_REFUSED, CAUSE_CALL_REFUSED, true },
		{ CAUSE_CALL_REFUSED, CAUSE_GRE_BLOCKED, true },
		{ CAUSE_GRE_BLOCKED, CAUSE_PATH_MTU, true },
		{ CAUSE_PATH_MTU, CAUSE_PPPD, true },
		{ CAUSE_GRE_BLOCKED, CAUSE_PPPD, true },
		{ CAUSE_GRE_BLOCKED, CAUSE_CALL_DISCONNECTED, false },
		{ CAUSE_NO_MPPE, CAUSE_NO_PPPD, false },
		{ CAUSE_CONNECT, CAUSE_MAX_, false },
		{ CAUSE_MAX_, CAUSE_CONNECT, true },
	};
	for (size_t i = 0; i < ARRAY_LEN(t); i++) {
		struct pptp_reason kept = { .cause = t[i].kept }, r = { .cause = t[i].r };
		if (pptp_reason_deeper(&kept, &r) != t[i].deeper)
			test_fail(__FILE__, __LINE__, "%s then %s: deeper %d, want %d",
				  pptp_cause_name(t[i].kept), pptp_cause_name(t[i].r),
				  !t[i].deeper, t[i].deeper);
	}
}

/* The next address is tried after TCP or control connection failures only. */
static void reason_try_next(void)
{
	for (int c = 0; c <= CAUSE_MAX_; c++) {
		struct pptp_reason r = { .cause = (uint8_t)c };
		bool want = c == CAUSE_CONNECT || c == CAUSE_CTRL_REFUSED ||
			    c == CAUSE_CTRL_NO_REPLY || c == CAUSE_CTRL_LOST;
		if (pptp_reason_try_next(&r) != want)
			test_fail(__FILE__, __LINE__, "%s: try next %d", pptp_cause_name(r.cause), !want);
		/* Once the control connection was up, losing it is the
		 * server ending it: another address would not help. */
		r.ctrl_was_up = true;
		want = c == CAUSE_CONNECT || c == CAUSE_CTRL_REFUSED || c == CAUSE_CTRL_NO_REPLY;
		if (pptp_reason_try_next(&r) != want)
			test_fail(__FILE__, __LINE__, "%s, was up: try next %d",
				  pptp_cause_name(r.cause), !want);
	}
}

/* One tunnel's end: an optional reason, then (or before it) pppd. */
struct end_case {
	const char *what;
	bool reason_first, have_reason, have_pppd;
	uint8_t cause;
	int pppd_status;
	bool asked;
	int exit;
	uint8_t pppd_cause;	/* pppd's end decides, as this cause; 0: the reason does */
};

static void tunnel_ends(void)
{
	static const struct end_case t[] = {
		{ "nothing happened", false, false, false, 0, 0, false, PPTP_EXIT_OK, 0 },
		{ "a signal, no pppd", true, true, false, CAUSE_STOPPED, 0, false, PPTP_EXIT_OK, 0 },
		{ "server cleared, no pppd", true, true, false, CAUSE_CALL_DISCONNECTED, 0, false,
		  PPTP_EXIT_SERVER_ENDED, 0 },
		{ "pppd ended normally first", false, false, true, 0,
		  EXITED(0), false, PPTP_EXIT_OK, CAUSE_PPPD_ENDED },
		{ "pppd stopped by poff", false, false, true, 0,
		  EXITED(5), false, PPTP_EXIT_OK, CAUSE_PPPD_ENDED },
		{ "pppd auth failure first", false, false, true, 0,
		  EXITED(19), false, PPTP_EXIT_PPPD, CAUSE_PPPD },
		{ "pppd killed, not by us", false, false, true, 0,
		  KILLED(9), false, PPTP_EXIT_PPPD, CAUSE_PPPD },
		{ "pppd killed after we asked", false, false, true, 0,
		  KILLED(9), true, PPTP_EXIT_OK, CAUSE_PPPD_ENDED },
		{ "pppd failed, then the server hung up", false, true, true, CAUSE_CALL_DISCONNECTED,
		  EXITED(19), false, PPTP_EXIT_PPPD, CAUSE_PPPD },
		{ "server hung up, pppd saw the hangup", true, true, true, CAUSE_CALL_DISCONNECTED,
		  EXITED(16), true, PPTP_EXIT_SERVER_ENDED, 0 },
		{ "server hung up, pppd lost its echoes", true, true, true, CAUSE_CALL_DISCONNECTED,
		  EXITED(15), true, PPTP_EXIT_SERVER_ENDED, 0 },
		{ "server hung up, pppd then failed auth", true, true, true, CAUSE_CALL_DISCONNECTED,
		  EXITED(19), true, PPTP_EXIT_PPPD, CAUSE_PPPD },
		{ "server hung up, pppd ended normally", true, true, true, CAUSE_CALL_DISCONNECTED,
		  EXITED(0), true, PPTP_EXIT_SERVER_ENDED, 0 },
		{ "keepalive lost, pppd failed after", true, true, true, CAUSE_ECHO_TIMEOUT,
		  EXITED(19), true, PPTP_EXIT_KEEPALIVE, 0 },
		{ "call manager stopped, pppd failed after", true, true, true, CAUSE_STOPPED,
		  EXITED(16), true, PPTP_EXIT_OK, 0 },
		{ "call manager lost, pppd ended", true, true, true, CAUSE_LOCAL, EXITED(5), true,
		  PPTP_EXIT_FAILURE, 0 },
	};
	for (size_t i = 0; i < ARRAY_LEN(t); i++) {
		struct tunnel_end e = { 0 };
		struct pptp_reason r = { .cause = t[i].cause, .ctrl_was_up = true };
		if (t[i].have_reason && t[i].reason_first)
			tunnel_end_reason(&e, &r);
		if (t[i].have_pppd)
			tunnel_end_pppd(&e, t[i].pppd_status, t[i].asked);
		if (t[i].have_reason && !t[i].reason_first)
			tunnel_end_reason(&e, &r);
		/* Later notes of the same kind never change what was noted. */
		if (t[i].have_reason)
			tunnel_end_reason(&e, &(struct pptp_reason){ .cause = CAUSE_LOCAL });
		if (t[i].have_pppd)
			tunnel_end_pppd(&e, EXITED(1), false);
		int got = pptp_exit_status(&e);
		if (got != t[i].exit)
			test_fail(__FILE__, __LINE__, "%s: exit %d, want %d", t[i].what, got,
				  t[i].exit);
		/* The verdict is what the exit status comes from, and says
		 * which side decided. */
		struct pptp_reason v = tunnel_end_verdict(&e);
		CHECK_INT(pptp_exit_for_reason(&v), got);
		if (t[i].pppd_cause)
			CHECK_STR(pptp_cause_name(v.cause), pptp_cause_name(t[i].pppd_cause));
		else if (t[i].have_reason)
			CHECK_INT(v.cause, t[i].cause);
	}
}

const struct test_case exitstatus_tests[] = {
	{ "reasons_alone", reasons_alone },
	{ "engine_reasons", engine_reasons },
	{ "tunnel_ends", tunnel_ends },
	{ "reason_wire", reason_wire },
	{ "reason_wire_rejects", reason_wire_rejects },
	{ "reason_deeper", reason_deeper },
	{ "reason_try_next", reason_try_next },
	{ NULL, NULL },
};
