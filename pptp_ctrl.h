/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pptp_ctrl.h - the PPTP control connection (RFC 2637), client (PNS) side.
 *
 * A pure engine: the caller feeds it the bytes read from TCP/1723 and the
 * time, drains the bytes it wants sent, asks when it next needs the clock,
 * and pops events.  No sockets, no globals, no syslog: lines of log go to
 * the pptp_log_fn in the configuration.
 *
 * The message structs and their codec are in pptp_wire.h; this is
 * struct pptp_conn: framing, the connection and call state machines,
 * keepalive, quirks.
 */
#ifndef PPTP_CTRL_H
#define PPTP_CTRL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pptp_wire.h"
#include "util.h"

#define PPTP_PORT 1723

/* ---- the connection engine ---- */

struct pptp_quirk;	/* pptp_quirks.h */

#define PPTP_MAX_CALLS 64
#define PPTP_GONE_MAX 8		/* ended calls whose late CDN is recognised */

/* Timers the RFC leaves to the implementation (milliseconds). */
#define PPTP_SCCRP_TIMEOUT_MS 30000	/* waiting for Start-Control-Connection-Reply */
#define PPTP_OCRP_TIMEOUT_MS 60000	/* waiting for Outgoing-Call-Reply, by default */
#define PPTP_CDN_TIMEOUT_MS 10000	/* waiting for Call-Disconnect-Notify after our clear */
#define PPTP_STOPCCRP_TIMEOUT_MS 5000	/* waiting for Stop-Control-Connection-Reply */

struct pptp_conn_config {
	const char *hostname;		/* SCCRQ host name (may be NULL: empty) */
	const char *vendor;		/* SCCRQ vendor string */
	uint16_t firmware;		/* SCCRQ firmware revision */
	uint32_t idle_wait_ms;		/* silence before an Echo-Request (--idle-wait); 0: none */
	uint32_t max_echo_wait_ms;	/* wait for its Echo-Reply (--max-echo-wait); 0: for ever */
	uint32_t sccrp_timeout_ms;	/* wait for SCCRP; 0: PPTP_SCCRP_TIMEOUT_MS */
	uint32_t ocrp_timeout_ms;	/* wait for each OCRP; 0: PPTP_OCRP_TIMEOUT_MS */
	uint16_t first_call_id;		/* our call IDs count up from here (never 0) */
	const struct pptp_quirk *quirk;	/* NULL: none */
	pptp_log_fn log;		/* NULL: silent */
	void *log_ctx;
};

/* Parameters of one outgoing call. */
struct pptp_call_params {
	char phone[PPTP_STR_LEN + 1];	/* --phone, may be empty */
	uint16_t window;		/* our Packet Recv Window Size */
	uint16_t delay;			/* our Packet Processing Delay */
	uint32_t framing;		/* PPTP_FRAME_*: async, or sync with --sync */
	uint16_t call_id;		/* 0: the engine picks ours; else this one (--kernel:
					 * the ID the kernel's PPTP socket is bound to) */
};

enum pptp_event_type {
	PPTP_EV_CONN_UP = 1,	/* SCCRP said yes */
	PPTP_EV_CONN_DOWN,	/* the control connection is over; reason in .reason */
	PPTP_EV_CALL_UP,	/* OCRP said connected: .call, .peer_call_id, .peer_window */
	PPTP_EV_CALL_DOWN,	/* a call is over: .call, reason in .reason */
};

/* Why the control connection ended (PPTP_EV_CONN_DOWN .reason). */
enum pptp_conn_down {
	PPTP_DOWN_STOPPED = 1,	/* we asked (pptp_conn_stop) and it finished */
	PPTP_DOWN_REFUSED,	/* SCCRP result was not success */
	PPTP_DOWN_NO_REPLY,	/* no SCCRP within cfg.sccrp_timeout_ms */
	PPTP_DOWN_ECHO_TIMEOUT,	/* keepalive: no Echo-Reply within max_echo_wait */
	PPTP_DOWN_PEER_STOP,	/* the server sent Stop-Control-Connection-Request */
	PPTP_DOWN_PROTOCOL,	/* unrecoverable framing error (bad magic, bad length) */
	PPTP_DOWN_CLOSED,	/* the transport closed (pptp_conn_transport_closed) */
	PPTP_DOWN_OVERFLOW,	/* our output buffer filled: the server does not read */
};

/* Why a call ended (PPTP_EV_CALL_DOWN .reason). */
enum pptp_call_down {
	PPTP_CALL_CLEARED = 1,	/* we cleared it (pptp_conn_call_close) */
	PPTP_CALL_REFUSED,	/* OCRP result was not "connected" */
	PPTP_CALL_NO_REPLY,	/* no OCRP within cfg.ocrp_timeout_ms */
	PPTP_CALL_DISCONNECTED,	/* the server sent Call-Disconnect-Notify */
	PPTP_CALL_CONN_LOST,	/* the control connection went down under it */
};

struct pptp_event {
	enum pptp_event_type type;
	int reason;		/* enum pptp_conn_down or enum pptp_call_down */
	int call;		/* call handle (CALL_* events), else -1 */
	uint16_t call_id;	/* our call ID */
	uint16_t peer_call_id;	/* the server's call ID (CALL_UP) */
	uint16_t peer_window;	/* the server's Packet Recv Window Size (CALL_UP) */
	uint16_t peer_delay;	/* the server's Packet Processing Delay (CALL_UP) */
	uint8_t result, error;	/* result/error codes behind a refusal or disconnect */
	uint16_t cause;
	char text[200];		/* the event in words, e.g. "server refused the call: busy" */
};

#define PPTP_OUT_MAX 8192	/* pending output beyond this: PPTP_DOWN_OVERFLOW */
#define PPTP_EVENTS_MAX (2 * PPTP_MAX_CALLS + 8)

enum pptp_conn_state {
	PPTP_CONN_WAIT_SCCRP = 1,	/* SCCRQ sent */
	PPTP_CONN_ESTABLISHED,
	PPTP_CONN_CLEARING,		/* stopping: waiting for our calls' CDNs */
	PPTP_CONN_WAIT_STOPCCRP,	/* Stop-Control-Connection-Request sent */
	PPTP_CONN_CLOSED,		/* over; CONN_DOWN was queued */
};

enum pptp_call_state {
	PPTP_CALL_FREE = 0,
	PPTP_CALL_PENDING,	/* opened before the connection was up: OCRQ not sent */
	PPTP_CALL_WAIT_OCRP,
	PPTP_CALL_ESTABLISHED,
	PPTP_CALL_WAIT_CDN,	/* Call-Clear-Request sent */
};

struct pptp_call {
	enum pptp_call_state state;
	uint16_t call_id, peer_call_id, serial;
	struct pptp_call_params params;
	uint64_t deadline_us;	/* OCRP or CDN timeout; 0 when none */
};

/* Everything lives inside the struct: no allocation. Treat as opaque. */
struct pptp_conn {
	struct pptp_conn_config cfg;
	enum pptp_conn_state state;
	uint64_t state_deadline_us;	/* SCCRP / CDN-wait / STOPCCRP timeouts */
	uint64_t last_rx_us;		/* last whole message received */
	uint64_t echo_deadline_us;	/* 0: no Echo-Request outstanding */
	uint32_t echo_id;		/* identifier of our outstanding Echo-Request */
	uint32_t echo_next_id;
	uint16_t next_call_id, next_serial;
	bool stop_requested;
	bool server_heard;		/* an SCCRP arrived: server is filled */
	struct pptp_sccrp server;	/* what the server said about itself */
	struct pptp_call calls[PPTP_MAX_CALLS];
	/* The server's call IDs of the last calls that ended (0x10000 | ID;
	 * 0: none), so that a late CDN for one of them is known as such. */
	uint32_t gone_peer[PPTP_GONE_MAX];
	unsigned gone_next;
	uint8_t in[PPTP_MSG_MAX];	/* partial message being reassembled */
	size_t in_len;
	uint8_t out[PPTP_OUT_MAX];	/* bytes waiting to be written */
	size_t out_len;
	struct pptp_event ev[PPTP_EVENTS_MAX];
	unsigned ev_head, ev_count;
};

/* Start: queues the SCCRQ.  The transport must already be connected. */
void pptp_conn_init(struct pptp_conn *c, const struct pptp_conn_config *cfg, uint64_t now_us);

/* Feed bytes read from the transport.  Any split or packing is fine.
 * Returns 0, or -EPROTO once the connection has failed (CONN_DOWN queued). */
int pptp_conn_input(struct pptp_conn *c, const uint8_t *data, size_t len, uint64_t now_us);

/* Output: pending bytes and how many of them were written. */
size_t pptp_conn_pending(const struct pptp_conn *c, const uint8_t **data);
void pptp_conn_consume(struct pptp_conn *c, size_t n);

/* Timers: the absolute time (µs) at which pptp_conn_tick wants to run,
 * UINT64_MAX for never; tick handles everything due at now_us. */
uint64_t pptp_conn_next_timeout(const struct pptp_conn *c);
void pptp_conn_tick(struct pptp_conn *c, uint64_t now_us);

/* Open a call: returns a call handle >= 0, or -ENOSPC (no free slot),
 * -EADDRINUSE (p->call_id is another call's on this connection),
 * -ENOTCONN (the connection is stopping or closed, or the OCRQ would
 * overflow the output buffer, which ends the connection: its CONN_DOWN is
 * queued, and no event names the call).  The OCRQ goes out now if the
 * connection is established, else as soon as it is. */
int pptp_conn_call_open(struct pptp_conn *c, const struct pptp_call_params *p, uint64_t now_us);

/* Clear a call: sends Call-Clear-Request; CALL_DOWN (CLEARED) follows when
 * the server's Call-Disconnect-Notify arrives or PPTP_CDN_TIMEOUT_MS passes.
 * A call whose OCRQ was never sent ends at once. */
void pptp_conn_call_close(struct pptp_conn *c, int call, uint64_t now_us);

/* Send a Set-Link-Info for an established call. */
int pptp_conn_call_set_link_info(struct pptp_conn *c, int call, uint32_t send_accm,
				 uint32_t recv_accm);

/* Stop the whole connection: clears every call, then Stop-Control-
 * Connection-Request; CONN_DOWN (STOPPED) when the reply arrives or its
 * timeout passes. */
void pptp_conn_stop(struct pptp_conn *c, uint64_t now_us);

/* The transport is gone (EOF, reset): everything ends now, with events. */
void pptp_conn_transport_closed(struct pptp_conn *c, int err, uint64_t now_us);

/* Pop the next event: 1 and *ev filled, or 0 when there is none. */
int pptp_conn_poll_event(struct pptp_conn *c, struct pptp_event *ev);

bool pptp_conn_is_closed(const struct pptp_conn *c);
enum pptp_conn_state pptp_conn_state(const struct pptp_conn *c);
/* What the server said of itself in its SCCRP (accepted or not); NULL
 * before one arrived. */
const struct pptp_sccrp *pptp_conn_server_info(const struct pptp_conn *c);
/* Whether the server accepted the control connection (SCCRP success). */
bool pptp_conn_accepted(const struct pptp_conn *c);
const char *pptp_conn_state_name(enum pptp_conn_state s);
int pptp_conn_active_calls(const struct pptp_conn *c);
const struct pptp_call *pptp_conn_call(const struct pptp_conn *c, int call);

#endif
