/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diagnose_mtu.h - --diagnose's path MTU step: the largest PPP frame that
 * crosses to the server and back, measured with padded LCP Configure-
 * Requests that the server's PPP sends back as large in its Configure-
 * Reject (mtu.c); and whether the path says where its limit is (ICMP
 * fragmentation-needed: the kernel learns it and fragments) or drops
 * larger packets without a word (a black hole, where tunnels freeze). */
#ifndef PPTP_DIAGNOSE_MTU_H
#define PPTP_DIAGNOSE_MTU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mtu.h"

/* What the step borrows from diagnose.c's loop. */
struct diag_link {
	void *ctx;
	int fd;		/* the GRE socket, connected to the server */
	/* Send a PPP frame in GRE for the call: the GRE header's length, or
	 * -errno. */
	int (*send)(void *ctx, const uint8_t *frame, size_t n);
	/* Run the control connection and read GRE (frames for our call go
	 * to diag_mtu_frame) until deadline or a packet; false when the
	 * call, the connection or the run ended, which diagnose.c has said. */
	bool (*wait)(void *ctx, uint64_t deadline);
};

struct diag_mtu {
	struct mtu_search s;
	uint8_t id;		/* the identifier of the probes of s.cur */
	bool answered;		/* a probe of s.cur was answered */
	unsigned hdr;		/* the GRE header our probes went out with */
	unsigned kernel_before, kernel_after;	/* the kernel's path MTU (IP_MTU) */
	unsigned sent;
	uint8_t frame[MTU_PROBE_MAX];
	size_t len;		/* of frame, the probe of s.cur */
};

/* What the step found, in words. */
struct diag_mtu_out {
	char line[240];		/* the step's result */
	char detail[600];	/* lines under it, each indented, each ending in \n */
	char verdict[300];	/* on failure: the verdict and what to do */
	char advice[1200];
};

enum diag_mtu_result { DIAG_MTU_ENDED = -1, DIAG_MTU_PASS = 0, DIAG_MTU_FAIL = 1 };

/* A PPP frame for our call from the server, during the step. */
void diag_mtu_frame(struct diag_mtu *m, const uint8_t *p, size_t n);
/* Run the step. */
enum diag_mtu_result diag_mtu_run(struct diag_mtu *m, const struct diag_link *l,
				  struct diag_mtu_out *out);

#endif
