/* SPDX-License-Identifier: GPL-2.0-or-later */
/* localcheck.h - what this machine needs before a tunnel can work, checked
 * before any packet is sent: pppd, /dev/ppp, the kernel's PPP line
 * discipline (async, or n_hdlc for --sync) and its MPPE.  A missing piece
 * otherwise shows only as pppd failing after the call is placed, or as a
 * tunnel that comes up and carries nothing.
 *
 * Kernel support counts when it is present (loaded or built in) or
 * loadable (in the module index: pppd's ioctls load it on demand).  When
 * neither can be told (no module index), it is not called missing.
 *
 * Tests only: in the test build (-DPPTP_TEST_HOOKS, build/test/pptp),
 * PPTP_TEST_SYSROOT=DIR makes every path read here (not pppd, which PATH
 * finds) start at DIR, so a machine without PPP can stand for one with it
 * and the other way round (tests/integration/lib.sh).  The release ./pptp,
 * run as root, has no such variable: what it checks is this machine. */
#ifndef PPTP_LOCALCHECK_H
#define PPTP_LOCALCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum local_item { LOCAL_PPPD, LOCAL_DEV_PPP, LOCAL_LDISC, LOCAL_MPPE, LOCAL_ITEMS };

struct local_result {
	bool ok;
	uint8_t cause;		/* why a tunnel cannot work when it is missing (enum pptp_cause) */
	char name[40];		/* "pppd", "/dev/ppp", "PPP async framing (ppp_async)" */
	char found[400];	/* what was found, in words */
	char fix[600];		/* when missing: what to install, load or change */
};

struct local_check {
	struct local_result item[LOCAL_ITEMS];
	char pppd_path[4096];	/* where pppd is, when found */
	char pppd_refused[4096 + 200];	/* a pppd passed over, and why (pppd_find) */
};

/* Check everything.  sync: n_hdlc instead of the async line discipline;
 * ask_version: run 'pppd --version' for its version (--diagnose; a tunnel
 * starts no other program).  Returns the first missing item, or
 * LOCAL_ITEMS when nothing is missing. */
enum local_item local_check_run(struct local_check *lc, bool sync, bool ask_version);

/* The fix of every missing item, one paragraph each (bullets when there
 * are several), for print_wrapped. */
void local_check_advice(const struct local_check *lc, char *buf, size_t cap);

#endif
