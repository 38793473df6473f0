/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_exitstatus.c - the exit status policy, as a table of tunnels' ends. */
#include <stdbool.h>
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
}

/* One tunnel's end: an optional reason, then (or before it) pppd. */
struct end_case {
	const char *what;
	bool reason_first, have_reason, have_pppd;
	uint8_t cause;
	int pppd_status;
	bool asked;
	int exit;
};

static void tunnel_ends(void)
{
	static const struct end_case t[] = {
		{ "nothing happened", false, false, false, 0, 0, false, PPTP_EXIT_OK },
		{ "a signal, no pppd", true, true, false, CAUSE_STOPPED, 0, false, PPTP_EXIT_OK },
		{ "server cleared, no pppd", true, true, false, CAUSE_CALL_DISCONNECTED, 0, false,
		  PPTP_EXIT_SERVER_ENDED },
		{ "pppd ended normally first", false, false, true, 0, EXITED(0), false, PPTP_EXIT_OK },
		{ "pppd stopped by poff", false, false, true, 0, EXITED(5), false, PPTP_EXIT_OK },
		{ "pppd auth failure first", false, false, true, 0, EXITED(19), false, PPTP_EXIT_PPPD },
		{ "pppd killed, not by us", false, false, true, 0, KILLED(9), false, PPTP_EXIT_PPPD },
		{ "pppd killed after we asked", false, false, true, 0, KILLED(9), true, PPTP_EXIT_OK },
		{ "pppd failed, then the server hung up", false, true, true, CAUSE_CALL_DISCONNECTED,
		  EXITED(19), false, PPTP_EXIT_PPPD },
		{ "server hung up, pppd saw the hangup", true, true, true, CAUSE_CALL_DISCONNECTED,
		  EXITED(16), true, PPTP_EXIT_SERVER_ENDED },
		{ "server hung up, pppd lost its echoes", true, true, true, CAUSE_CALL_DISCONNECTED,
		  EXITED(15), true, PPTP_EXIT_SERVER_ENDED },
		{ "server hung up, pppd then failed auth", true, true, true, CAUSE_CALL_DISCONNECTED,
		  EXITED(19), true, PPTP_EXIT_PPPD },
		{ "server hung up, pppd ended normally", true, true, true, CAUSE_CALL_DISCONNECTED,
		  EXITED(0), true, PPTP_EXIT_SERVER_ENDED },
		{ "keepalive lost, pppd failed after", true, true, true, CAUSE_ECHO_TIMEOUT,
		  EXITED(19), true, PPTP_EXIT_KEEPALIVE },
		{ "call manager stopped, pppd failed after", true, true, true, CAUSE_STOPPED,
		  EXITED(16), true, PPTP_EXIT_OK },
		{ "call manager lost, pppd ended", true, true, true, CAUSE_LOCAL, EXITED(5), true,
		  PPTP_EXIT_FAILURE },
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
	}
}

const struct test_case exitstatus_tests[] = {
	{ "reasons_alone", reasons_alone },
	{ "engine_reasons", engine_reasons },
	{ "tunnel_ends", tunnel_ends },
	{ NULL, NULL },
};
