/* pptp_callmgr.h - the call manager: one process per server (and per
 * network namespace, local address and routing mark) that owns the TCP
 * control connection and serves every tunnel to that server through a unix
 * socket under PPTP_RUN_DIR. */
#ifndef PPTP_CALLMGR_H
#define PPTP_CALLMGR_H

#include <stdint.h>

#include "callmgr_proto.h"
#include "pptp_options.h"

#define CALLMGR_FIRST_CLIENT_S 10	/* a new call manager waits this long for its first call */

/* Connect to the call manager for this server, starting one when none
 * runs (or only a stale socket is left).  Returns the connected socket, or
 * -1 with the reason logged and *exit_code set. */
int callmgr_connect(const struct pptp_options *o, uint32_t server, int *exit_code);

/* Ask for a call on fd and wait for the answer (or a signal in sigfd: then
 * -EINTR).  While waiting, other_fd (if >= 0) is watched and on_other
 * called when it is readable (the status socket).  On success fills *res
 * (ok = true).  Otherwise *res holds the exit code and the reason. */
int callmgr_open_call(int fd, int sigfd, int other_fd, void (*on_other)(void *ctx), void *ctx,
		      const struct cm_msg *open, struct cm_msg *res);

/* After the call manager vanished without a word: if nobody owns its lock
 * any more, remove the socket and lock it left behind. */
void callmgr_remove_stale(const struct pptp_options *o, uint32_t server);

#endif
