/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pptp_ctrl_int.h - what the control engine's two layers share: the
 * connection (pptp_ctrl.c) and its calls (pptp_call.c).  Not an interface
 * for anything else: the engine's users include pptp_ctrl.h. */
#ifndef PPTP_CTRL_INT_H
#define PPTP_CTRL_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pptp_ctrl.h"

#define conn_log(c, level, ...) log_fn_printf((c)->cfg.log, (c)->cfg.log_ctx, level, __VA_ARGS__)

/* ---- the connection layer, for the calls (pptp_ctrl.c) ---- */

/* A deadline ms from now; saturating, and never 0, which means "none". */
uint64_t ctrl_after_ms(uint64_t now, uint32_t ms);
/* "60 s", "2.5 s" or "0.25 s", for the log. */
void ctrl_secs_str(char *dst, size_t cap, uint32_t ms);
/* A result code in words, with the general error where it is one. */
void ctrl_describe_result(char *dst, size_t cap, const char *words, unsigned result,
			  bool general, unsigned error);
struct pptp_event ctrl_ev_make(enum pptp_event_type type, int reason, int call);
void ctrl_ev_push(struct pptp_conn *c, const struct pptp_event *ev);
struct pptp_msg ctrl_msg_make(enum pptp_msg_type type);
/* Queue one message; false when it could not be (closed, or the output
 * buffer overflowed, which ends the connection). */
bool ctrl_send_msg(struct pptp_conn *c, const struct pptp_msg *m);
/* While stopping: once the last call is down, stop the connection. */
void ctrl_clearing_progress(struct pptp_conn *c, uint64_t now);

/* ---- the calls, for the connection layer (pptp_call.c) ---- */

/* End a call: CALL_DOWN with the words, and the slot is free again. */
void call_end(struct pptp_conn *c, int idx, enum pptp_call_down reason, uint8_t result,
	      uint8_t error, uint16_t cause, const char *fmt, ...) PPTP_PRINTF(7, 8);
/* Place a call that waited for the connection: OCRQ. */
bool call_send_OCRQ(struct pptp_conn *c, int idx, uint64_t now);
/* Send the OCRQs of waiting calls, oldest first, while the output buffer
 * has room for them; the rest wait for the writer to drain it. */
void calls_send_pending(struct pptp_conn *c, uint64_t now);
/* A waiting call could go out now. */
bool calls_can_send_pending(const struct pptp_conn *c);
/* Clear one call: CCR, then wait for the server's CDN. */
void call_clear(struct pptp_conn *c, int idx, uint64_t now);
/* The calls' timers. */
void calls_tick(struct pptp_conn *c, uint64_t now_us);

/* Handlers of the call messages a server may send. */
void recv_OCRP(struct pptp_conn *c, const struct pptp_msg *m, uint64_t now);
void recv_ICRQ(struct pptp_conn *c, const struct pptp_msg *m, uint64_t now);
void recv_ICCN(struct pptp_conn *c, const struct pptp_msg *m, uint64_t now);
void recv_CDN(struct pptp_conn *c, const struct pptp_msg *m, uint64_t now);
void recv_WEN(struct pptp_conn *c, const struct pptp_msg *m, uint64_t now);
void recv_SLI(struct pptp_conn *c, const struct pptp_msg *m, uint64_t now);

#endif
