/* SPDX-License-Identifier: GPL-2.0-or-later */
/* callmgr_client.h - the gateway's side of the call manager: find or start
 * the call manager for a server, ask it for a call, and clean up after one
 * that died. */
#ifndef PPTP_CALLMGR_CLIENT_H
#define PPTP_CALLMGR_CLIENT_H

#include <stdint.h>

#include "callmgr_proto.h"
#include "pptp_options.h"

/* Connect to the call manager for this server, starting one when none
 * runs (or only a stale socket is left).  Returns the connected socket, or
 * -errno with *why set (a call manager that could not start says why) and
 * the failure logged. */
int callmgr_connect(const struct pptp_options *o, uint32_t server, struct pptp_reason *why);

/* Ask for a call on fd and wait for the answer (or a signal in sigfd: then
 * -EINTR).  While waiting, other_fd (if >= 0) is watched and on_other
 * called when it is readable (the status socket).  On success fills *res
 * (ok = true).  Otherwise -errno, and *res holds the reason and its text. */
int callmgr_open_call(int fd, int sigfd, int other_fd, void (*on_other)(void *ctx), void *ctx,
		      const struct cm_msg *open, struct cm_msg *res);

/* After the call manager vanished without a word: if nobody owns its lock
 * any more, remove the socket and lock it left behind. */
void callmgr_remove_stale(const struct pptp_options *o, uint32_t server);

#endif
