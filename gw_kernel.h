/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gw_kernel.h - --kernel: the kernel carries the frames.  Our side of the
 * pty becomes a PPP channel (the PPP line discipline), an AF_PPPOX /
 * PX_PROTO_PPTP socket is the GRE side, and the kernel's channel bridge
 * (PPPIOCBRIDGECHAN, Linux 5.12) joins the two: no frame crosses user space.
 * pppd on the other side of the pty sees no difference.
 *
 * What the gateway keeps doing: the call, signals, pppd, --status and the
 * statistics, which come from pppd's ppp interface (the kernel exposes no
 * GRE counters).  The pieces are all checked before the call; a missing one
 * is named with what to load or upgrade, never silently replaced by the
 * user-space path. */
#ifndef PPTP_GW_KERNEL_H
#define PPTP_GW_KERNEL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "exitstatus.h"
#include "pptp_options.h"
#include "stats.h"

/* The ppp interface's counters (SIOCGPPPSTATS), which is what the kernel
 * exposes of a bridged call.  They count what pppd's unit sends and
 * receives: network-layer and compression frames, not LCP, and no GRE
 * acknowledgement-only packets. */
struct kernel_counters {
	uint64_t v[KSTATS_N];	/* stats.h */
	bool up;		/* the interface is up (pppd's IPCP is done) */
};

struct kernel_path {
	int tty;		/* our side of the pty (not ours to close) */
	int sock;		/* the PPTP socket, bound to our call ID */
	int line_ppp;		/* /dev/ppp attached to the tty's channel */
	int peer_ppp;		/* /dev/ppp for pppd's channel: its end is pppd's */
	int ctl;		/* a datagram socket for the interface ioctls */
	int line_chan, sock_chan, peer_chan;
	int unit;		/* pppd's ppp unit, -1 until known */
	char ifname[16];	/* its interface */
	bool named;		/* ifname is a ppp interface: the counters can be read */
	pid_t pppd_pid;		/* whose pid file names a renamed interface, or 0 */
	uint16_t call_id;	/* ours, bound in the kernel's machine-wide table */
	bool ldisc_set, bridged;
};

#define KERNEL_PATH_INIT { .tty = -1, .sock = -1, .line_ppp = -1, .peer_ppp = -1, .ctl = -1, \
			   .line_chan = -1, .sock_chan = -1, .peer_chan = -1, .unit = -1 }

/* Before the call: every piece this machine needs (the pptp module,
 * /dev/ppp, the PPP line discipline on tty, the bridge ioctl).  CAUSE_NONE,
 * or CAUSE_NO_KERNEL_PPP with each missing piece logged, what to load or
 * upgrade with it (CAUSE_LOCAL for any other failure, logged). */
enum pptp_cause kernel_prepare(struct kernel_path *k, const struct pptp_options *o, int tty);

/* Call IDs tried that are free in the kernel but another call's on the
 * shared control connection, before giving up. */
#define KERNEL_CALL_ID_TRIES 8

/* Before asking for the call to server: our call ID, bound in the kernel's
 * table for the whole machine (the socket also needs our address towards
 * server).  0, or -errno with the reason in err.  Called again, it binds a
 * new socket to another call ID.  Tests only (the test build,
 * -DPPTP_TEST_HOOKS): PPTP_TEST_KERNEL_CALL_ID=N is the first call ID tried. */
int kernel_bind(struct kernel_path *k, const struct pptp_options *o, uint32_t server, char *err,
		size_t errlen);

/* The call is up: connect the socket to the server's call and bridge the
 * two channels.  0, or -errno with the reason in err. */
int kernel_connect(struct kernel_path *k, uint32_t server, uint16_t peer_call_id, char *err,
		   size_t errlen);

/* The pty's other side, pppd's, opened from ours: the descriptor, or
 * -errno with the reason in err. */
int kernel_open_peer(const struct kernel_path *k, char *err, size_t errlen);

/* Find pppd's side: its channel (watched: peer_ppp hangs up when pppd's
 * line closes), its unit and its interface.  slave: a descriptor of pppd's
 * side of the pty; launched: the pppd we started, or 0 (the one that
 * started us).  1 found, 0 not yet (pppd has not set its line discipline),
 * -errno with the reason in err. */
int kernel_find_pppd(struct kernel_path *k, int slave, pid_t launched, char *err, size_t errlen);

/* Until pppd's interface is found (pppd writes the pid file that names a
 * renamed one just after it connects its unit): true once it is. */
bool kernel_name_interface(struct kernel_path *k);

/* The interface's counters: 0, or -errno when there are none (-ENODEV: no
 * interface yet). */
int kernel_counters(const struct kernel_path *k, struct kernel_counters *c);
/* The counters in words, for the log; says which counters they are. */
void kernel_counters_format(const struct kernel_path *k, const struct kernel_counters *last,
			    char *buf, size_t cap);

/* Unbridge, give the tty its ordinary line discipline back, close; the
 * call ID is free again. */
void kernel_close(struct kernel_path *k);

#endif
