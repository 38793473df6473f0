/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pptp_gre.h - the GRE-to-PPP gateway: the process that moves PPP frames
 * between pppd (a pty, or stdin/stdout under --nolaunchpppd) and the raw
 * GRE socket, around the pure engines in gre_engine.c and hdlc.c. */
#ifndef PPTP_GRE_H
#define PPTP_GRE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "callmgr_proto.h"
#include "gw_kernel.h"
#include "pptp_options.h"

/* Bytes queued for pppd before further payloads are dropped. */
#define GATEWAY_OUTQ_MAX (256 * 1024)
/* Verbose (--loglevel 2) statistics summary interval. */
#define GATEWAY_SUMMARY_US (20 * 1000000ull)
/* How long pppd gets to finish after we asked it to. */
#define GATEWAY_PPPD_GRACE_US (5 * 1000000ull)

struct gateway_params {
	const struct pptp_options *opt;
	uint32_t server;	/* network order */
	int ppp_in, ppp_out;	/* pty master (both), or stdin and stdout; -1 with --kernel */
	int ppp_slave;		/* our copy of the pty slave until pppd opened it, or -1 */
	int cm_fd;		/* unix socket to the call manager, call established */
	int sig_fd;		/* signalfd: TERM INT HUP USR1 CHLD */
	int gre_fd;		/* raw GRE socket connected to the server; -1 with --kernel */
	struct kernel_path *kernel;	/* --kernel: the bridged channels, else NULL */
	pid_t pppd_pid;		/* 0 under --nolaunchpppd */
	struct cm_msg call;	/* the call manager's CM_CALL_RESULT */
	/* Called once when the launched pppd is known to be running: its first
	 * frame, or GATEWAY_PPPD_SETTLE_US without it exiting (demand mode
	 * stays silent).  NULL: nobody waits. */
	void (*pppd_running)(void *ctx);
	void *pppd_running_ctx;
	/* Live status (status.h): the listening socket or -1, and what the
	 * record says beyond the gateway's own state. */
	int status_fd;
	const char *server_name;
	int64_t started;	/* unix time the tunnel was started */
};

#define GATEWAY_PPPD_SETTLE_US (3 * 1000000ull)

/* Run until the tunnel ends; returns why it ended (tunnel_end_verdict:
 * the call manager's reason or pppd's end, whichever decides). */
struct pptp_reason gateway_run(const struct gateway_params *p);

#endif
