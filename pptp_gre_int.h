/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pptp_gre_int.h - the gateway's state, shared by the loop (pptp_gre.c)
 * and the kernel data path's part of it (gw_kernel.c).  Not an interface:
 * nothing else includes this. */
#ifndef PPTP_GRE_INT_H
#define PPTP_GRE_INT_H

#include <arpa/inet.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "exitstatus.h"
#include "gre_engine.h"
#include "gre_watch.h"
#include "gw_kernel.h"
#include "gw_mtu.h"
#include "hdlc.h"
#include "pptp_gre.h"
#include "stats.h"
#include "status.h"

#define RX_BATCH 16		/* GRE packets taken per wake-up */
#define RX_BUF (PPTP_FRAME_MAX + 60 + GRE_HDR_MAX)
#define PPP_READ_MAX 65536
#define TX_BATCH 64		/* GRE packets per sendmmsg */
/* The place the next frame from pppd is decoded to, in the send batch: the
 * largest frame and its FCS, with room for a GRE header in front. */
#define TX_SLOT (GRE_HDR_MAX + PPTP_FRAME_MAX + 2)
#define TX_ARENA (TX_SLOT + 32768)	/* the slot always fits behind what is queued */

/* The gateway's life.  While it RUNS, something may end the tunnel: the
 * call, pppd's side of the line, pppd itself.  It is then ENDING until the
 * end of that pass of the loop, when a launched pppd that still runs is
 * asked to stop (STOPPING, with a grace timer), so that its exit status is
 * ours; a stop signal asks it at once.  Without such a pppd, or once it
 * has gone, DONE.  gw_step() alone moves from one to the next. */
enum gw_state {
	GW_RUNNING,
	GW_ENDING,	/* the tunnel is over: settled at the end of the pass */
	GW_STOPPING,	/* pppd was sent SIGTERM: waiting for it */
	GW_DONE,	/* leave the loop */
};

enum gw_event {
	GW_EV_OVER,	/* the call, pppd's side or pppd ended the tunnel */
	GW_EV_STOP,	/* stop now (a signal): pppd first, if it runs */
	GW_EV_PASS_END,	/* a pass of the loop is over */
};

/* The pppd we launched, as far as the gateway knows. */
enum gw_pppd {
	GW_PPPD_NONE,		/* none launched (--nolaunchpppd) */
	GW_PPPD_RUNNING,
	GW_PPPD_DETACHED,	/* gone into the background (updetach): we follow the tty */
	GW_PPPD_GONE,		/* ended */
};

struct gateway {
	const struct gateway_params *p;
	enum gw_state state;
	int64_t state_since;		/* unix time the status state last changed */
	struct tunnel_end end;		/* what ended the tunnel, in order */
	struct gre_session gre;		/* the GRE engine */
	struct gw_stats stats;		/* what the gateway counts itself, around the engine */
	struct gw_mtu mtu;		/* the path MTU, watched */
	uint64_t call_up_us;		/* when the loop started, the call up */
	bool net_seen;			/* a network-layer PPP frame crossed: connected */
	bool cm_ended;			/* the call manager said its last word */
	char server_str[INET_ADDRSTRLEN];

	struct {			/* the pppd we launched */
		enum gw_pppd status;
		int slave;		/* our copy of the pty slave until pppd has the tty, or -1 */
		bool first_frame;	/* it has sent its first frame */
		bool running_told;	/* p->pppd_running was called, or there is none */
		uint64_t stop_deadline;	/* GW_STOPPING: when it gets SIGKILL */
	} pppd;
	struct {			/* PPP's line: the pty, or stdin and stdout */
		bool sync;		/* --sync: a frame per read and write, no HDLC */
		bool closed;		/* pppd's side hung up: stop polling it */
		uint8_t *buf;		/* reads from pppd */
		struct hdlc_decoder dec;	/* decodes into the send batch's slot */
		struct hdlc_counts dec_seen;	/* the decoder's counts when last looked at */
		uint8_t *outq;		/* bytes for pppd: HDLC stream, or length-prefixed frames (sync) */
		size_t outq_head, outq_len;
	} ppp;
	struct {			/* GRE from the server, RX_BATCH packets a wake-up */
		uint8_t *bufs;		/* RX_BATCH * RX_BUF */
		/* recvmmsg's vectors, set up once: the kernel only writes
		 * msg_len and msg_flags back */
		struct mmsghdr msgs[RX_BATCH];
		struct iovec iov[RX_BATCH];
	} rx;
	struct {			/* GRE waiting for one sendmmsg at the end of the pass */
		uint8_t *arena;		/* the packets, then the decoder's slot */
		size_t used;		/* bytes of packets (the slot is GRE_HDR_MAX further) */
		unsigned n;
		/* sendmmsg's vectors, set up once: the kernel only writes msg_len */
		struct mmsghdr msgs[TX_BATCH];
		struct iovec iov[TX_BATCH];
	} tx;
	/* poll's descriptor set, kept from one pass to the next and rebuilt
	 * only when what it watches changes (poll rewrites every revents) */
	struct gw_pollset {
		struct pollfd fd[7];
		int n, gre_at, cm_at, ppp_in_at, ppp_out_at, st_at, kern_at;
		unsigned key;		/* pollset_key() it was built for */
	} pollset;
	struct gre_watch watch;		/* GRE getting through, each way */
	struct {			/* said once each (the counters keep the totals) */
		bool gre_blocked, gre_truncated, gre_invalid, gre_rx_error;
		bool bad_fcs, runt, abort, sync_short;
	} said;
	struct {			/* --kernel: pppd's side, and the watchdog on its counters */
		uint64_t next_us, quiet_since_us, tx_at_quiet;
		struct kernel_counters last;
		bool sampled;		/* last holds a reading */
		bool gave_up, warned, caps_dropped, name_warned;
	} kern;
	struct {			/* --loglevel 2: the statistics line while data flows */
		uint64_t next_us, last_accepted;
	} summary;
};

/* pppd's side of the line is gone (why: in words, for the log). */
void pppd_hung_up(struct gateway *g, const char *why);
/* Tell whoever waits that pppd runs (once). */
void tell_pppd_running(struct gateway *g);
/* --kernel: pppd's side found, the counters watched (gw_kernel.c). */
void gateway_kernel_tick(struct gateway *g, uint64_t now);
/* --kernel: the status record's counters (gw_kernel.c). */
void gateway_kernel_status(const struct gateway *g, struct tunnel_status *t);

#endif
