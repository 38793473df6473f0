/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pptp_callmgr.h - the call manager: one process per server (and per
 * network namespace, local address and routing mark) that owns the TCP
 * control connection and serves every tunnel to that server through a unix
 * socket under PPTP_RUN_DIR.  Gateways reach it with callmgr_client.h. */
#ifndef PPTP_CALLMGR_H
#define PPTP_CALLMGR_H

#include <stdint.h>
#include <sys/types.h>

#include "pptp_options.h"

#define CALLMGR_FIRST_CLIENT_S 10	/* a new call manager waits this long for its first call */

/* The body of the call manager process, run in the child callmgr_client.c
 * forks.  ready is the write end of the readiness pipe to whoever started
 * us.  stderr is the starter's: kept while the process behind the pidfd
 * starter runs, then /dev/null (-EBADF: kept to the end, for --debug;
 * another -errno: no pidfd, so /dev/null at once).  Returns the process's
 * exit status. */
int callmgr_main(const struct pptp_options *o, uint32_t server, int ready, int starter);

#endif
