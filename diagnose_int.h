/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diagnose_int.h - shared by the files of --diagnose only: the run's
 * state, its output, and the poll loop around the control engine
 * (diagnose_loop.c) on which the steps (diagnose.c, diagnose_mtu.c) wait.
 *
 * Each step returns how the diagnosis goes on (enum step_result); when it
 * ends there, d->why holds the cause of the verdict, which decides the
 * exit status (pptp_exit_for_reason, exitstatus.c). */
#ifndef PPTP_DIAGNOSE_INT_H
#define PPTP_DIAGNOSE_INT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "exitstatus.h"
#include "lcp_probe.h"
#include "pptp_ctrl.h"
#include "pptp_options.h"
#include "util.h"

/* Teardown after a failure: polite, but not worth a long wait. */
#define DIAG_QUIET_TEARDOWN_US (3 * 1000000ull)
#define DIAG_WIDTH 78

struct diag_mtu;

enum step_result {
	STEP_OK,	/* this layer works: on to the next step */
	STEP_NEXT,	/* this address failed (d->fail, noted): try the next one */
	STEP_END,	/* the verdict is printed; d->why says why */
};

/* What the GRE probe saw. */
struct gre_probe {
	uint16_t call_id;	/* ours: the server puts it in its GRE */
	uint16_t peer_call_id;	/* the server's: we put it in ours */
	uint8_t frame[LCP_PROBE_CONFREQ_LEN];
	uint8_t lcp_id;
	uint32_t tx_seq;	/* next sequence number: how many were sent */
	uint32_t peer_seq;	/* the server's latest, which ours acknowledge */
	bool have_peer_seq;
	int send_errno;		/* the last send failure */
	uint64_t first_sent_us, first_rx_us;
	unsigned rx;		/* well-formed GRE for our call */
	unsigned peer_confreqs;	/* of which the server's PPP's own Configure-Requests */
	bool proof;		/* something shows ours reach the server */
	char first_what[120], proof_what[160];
};

struct diag {
	const struct pptp_options *o;
	bool split_lines;	/* print a step's start before waiting for its end */
	char step[200];		/* the step line started but not yet finished */
	uint32_t addr;		/* network order */
	char addr_str[INET_ADDRSTRLEN];
	struct ctrl_session *sess;	/* TCP to addr and its control engine */
	int tcp_err;		/* why the TCP connect failed (W_TCP_FAILED) */
	uint64_t tcp_t0;	/* when the TCP connect started */
	int gre_fd, sig_fd;
	int signo;		/* the stop signal that interrupted us, 0: none */
	int call;		/* engine call handle, -1 when none */
	struct gre_probe probe;
	struct diag_mtu *mtu;	/* step 7 runs: GRE payloads go to it too */
	/* Why the diagnosis ends where it does: the verdict's cause. */
	struct pptp_reason why;
	/* The deepest failure among the addresses tried (steps 3 and 4). */
	struct pptp_reason fail;
	char fail_verdict[400];
	char fail_advice[2000];
	uint8_t rxbuf[65536];
};

enum wait_result {
	W_EVENT,	/* an event of the engine */
	W_GRE,		/* GRE for our call */
	W_TCP_UP,	/* the TCP connect succeeded: the engine runs */
	W_TCP_FAILED,	/* the TCP connect failed: d->tcp_err */
	W_CLOSED,	/* the control connection is over, every event read */
	W_TIMEOUT, W_INTERRUPTED, W_ERROR
};

/* Output: a step's line is started, then finished with its result. */
void step_begin(struct diag *d, const char *fmt, ...) PPTP_PRINTF(2, 3);
void step_end(struct diag *d, const char *fmt, ...) PPTP_PRINTF(2, 3);
void verdict(const char *line, const char *heading, const char *advice);
unsigned long ms_since(uint64_t t0, uint64_t t1);

/* Run the control connection (and watch the GRE socket when watch_gre)
 * until a session event (*ev), a GRE packet for our call, the end of the
 * control connection (unless watching GRE), the deadline, or a signal. */
enum wait_result pump(struct diag *d, uint64_t deadline, bool watch_gre, struct pptp_event *ev);
/* End whatever is still open on the server, briefly and without a word. */
void quiet_teardown(struct diag *d);

#endif
