/* SPDX-License-Identifier: GPL-2.0-or-later */
/* status.h - live status of the tunnels on this machine.
 *
 * Every gateway listens on a unix socket PPTP_STATUS_DIR/<pid>.  Whoever
 * connects gets one status record (text, "key value" lines) and the socket
 * is closed; nothing is ever read from the connecting side, so the sockets
 * are open to every local user (reading status needs no root).
 * `pptp --status [--json]` collects the records of every tunnel. */
#ifndef PPTP_STATUS_H
#define PPTP_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "stats.h"

#ifndef PPTP_STATUS_DIR
#define PPTP_STATUS_DIR "/run/pptp-status"
#endif
#define STATUS_RECORD_MAX 2048

/* A tunnel's state, as a router's PPTP monitor shows it. */
enum tunnel_state {
	TUNNEL_DIALING = 0,	/* placing the call */
	TUNNEL_VERIFYING,	/* call up, PPP negotiating (LCP, authentication, NCPs) */
	TUNNEL_CONNECTED,	/* network traffic has crossed */
	TUNNEL_TERMINATED,	/* shutting down */
};

struct tunnel_status {
	pid_t pid, pppd_pid;
	char server[64];	/* address in use */
	char server_name[256];	/* as given on the command line */
	char logstring[64];
	enum tunnel_state state;
	int64_t started, since;	/* unix times: process start, current state */
	uint16_t call_id, peer_call_id;
	uint64_t stats[STATS_N];	/* stats.h: every field's value */
	/* --kernel: the frames never reach the gateway; the counters are
	 * those of pppd's interface (stats.h, kstats), and stats[] stays 0 */
	bool kernel;
	char ppp_if[16];
	uint64_t kstats[KSTATS_N];
};

const char *tunnel_state_name(enum tunnel_state s);

/* Pure: render a record / read one back (0, or -1 when it is not a
 * record of this version). */
size_t status_format(const struct tunnel_status *t, char *buf, size_t cap);
int status_parse(const char *text, struct tunnel_status *t);

/* Pure: whether a PPP frame (as pppd hands it over: address/control and
 * protocol possibly compressed) carries network-layer traffic. */
bool ppp_frame_is_network(const uint8_t *frame, size_t len);

/* The gateway's side: create the listening socket (path gets its name);
 * -errno when it cannot (then there is simply no status for this tunnel). */
int status_listen(char *path, size_t cap);
/* Answer every waiting connection with the record of t. */
void status_serve(int fd, const struct tunnel_status *t);
void status_close(int fd, const char *path);
/* The socket of gateway pid when no one listens on it any more (a gateway
 * that was killed): removed; true when it was. */
bool status_remove_dead(long pid);
/* Gateway pid has a status socket (ours). */
bool status_socket_exists(long pid);

/* `pptp --status [--json]`: print every tunnel.  0, or -errno with the
 * reason printed. */
int status_list(bool json);

#endif
