/* SPDX-License-Identifier: GPL-2.0-or-later */
/* privileges.h - giving up what a process no longer needs.
 *
 * pptp starts as root: it needs CAP_NET_RAW for the GRE socket,
 * CAP_NET_ADMIN for the host route and --rtmark, and root to start pppd.
 * Once those exist, each long-lived process keeps only what it still uses
 * (see pptp.8, PRIVILEGES). */
#ifndef PPTP_PRIVILEGES_H
#define PPTP_PRIVILEGES_H

#include <stdbool.h>
#include <stddef.h>

/* Keep only the capabilities listed (CAP_* numbers) in the effective and
 * permitted sets; empty the inheritable, ambient and bounding sets except
 * for those; lock uid 0 out of regaining capabilities on exec; set
 * no_new_privs.  0, or -errno with a sentence in err (the caller decides
 * whether that is fatal; a process that never had capabilities succeeds). */
int privileges_limit(const int *keep, size_t nkeep, char *err, size_t errlen);

#endif
