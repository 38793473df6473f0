/* SPDX-License-Identifier: GPL-2.0-or-later */
/* callmgr_proto.h - what the gateway and the call manager say to each other
 * over the unix socket (SOCK_SEQPACKET: one message per datagram).
 *
 *   gateway -> call manager   CM_CALL_OPEN   (phone, window, framing, pid,
 *                                             call ID: 0, or the one to use)
 *   call manager -> gateway   CM_CALL_RESULT (the call is up, or why not)
 *   call manager -> gateway   CM_CALL_GONE   (an established call ended)
 * The gateway ends its call by closing the socket: the call manager then
 * sends Call-Clear-Request.  Both ends are this program, but each message
 * is still checked before use: a stale socket may belong to anything. */
#ifndef PPTP_CALLMGR_PROTO_H
#define PPTP_CALLMGR_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exitstatus.h"
#include "pptp_ctrl.h"

#define CM_PROTO_VERSION 2
#define CM_TEXT_MAX 200

enum cm_msg_type {
	CM_CALL_OPEN = 1,
	CM_CALL_RESULT = 2,
	CM_CALL_GONE = 3,
};

struct cm_msg {
	uint8_t type;		/* enum cm_msg_type */
	/* CM_CALL_OPEN */
	uint32_t pid;
	uint16_t window;
	uint32_t framing;
	char phone[PPTP_STR_LEN + 1];
	/* CM_CALL_RESULT, CM_CALL_GONE */
	bool ok;		/* RESULT: the call is established */
	struct pptp_reason reason;	/* why not (!ok), or why it ended (GONE) */
	/* OPEN: the call ID to use (--kernel: bound in the kernel), 0: any */
	uint16_t call_id, peer_call_id, peer_window, peer_delay;
	char text[CM_TEXT_MAX];	/* in words, for the log */
};

#define CM_WIRE_LEN (2 + 4 + 2 + 4 + 1 + PPTP_REASON_WIRE_LEN + 8 + PPTP_STR_LEN + CM_TEXT_MAX)

/* Encode into buf (at least CM_WIRE_LEN bytes); returns the length. */
size_t cm_msg_encode(const struct cm_msg *m, uint8_t *buf);
/* Decode; 0, or -EPROTO when the bytes are not a message of this version. */
int cm_msg_decode(const uint8_t *buf, size_t len, struct cm_msg *m);

#endif
