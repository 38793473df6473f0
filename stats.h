/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stats.h - the tunnel's statistics: one table of every field, in the
 * manual's order (pptp.8, STATISTICS), walked by the log line (SIGUSR1,
 * exit, --loglevel 2), the --status record, its parser and the --status
 * and --json listings.  Pure.
 *
 * A field's value is the GRE engine's count (struct gre_stats) plus the
 * gateway's own (struct gw_stats); either may have no part in it. */
#ifndef PPTP_STATS_H
#define PPTP_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "gre_engine.h"

/* What the gateway counts itself, around the engine. */
struct gw_stats {
	uint64_t rx_errors;		/* reads of the GRE socket that the OS failed */
	uint64_t rx_invalid;		/* not a well-formed IPv4 packet, or larger than any frame */
	uint64_t tx_oversize;		/* frames from pppd too long for the HDLC decoder */
	uint64_t rx_pppd_dropped;	/* payloads dropped because pppd did not read */
	uint64_t tx_unheard;		/* times our GRE went unacknowledged and unanswered
					 * while the server's kept arriving */
	uint64_t tx_too_big;		/* frames from pppd too big for the path in one packet */
	uint64_t icmp_too_big;		/* ICMP fragmentation-needed reported (EMSGSIZE) */
	uint64_t path_mtu;		/* the kernel's path MTU to the server, bytes */
};

/* The fields, in the manual's order: the index into stats_fields and into
 * a tunnel's values. */
enum stats_id {
	STATS_RX_ACCEPTED, STATS_RX_LOST, STATS_RX_UNDERWIN, STATS_RX_OVERWIN,
	STATS_RX_BUFFERED, STATS_RX_ERRORS, STATS_RX_TRUNCATED, STATS_RX_INVALID,
	STATS_RX_ACKS, STATS_TX_SENT, STATS_TX_FAILED, STATS_TX_SHORT, STATS_TX_ACKS,
	STATS_TX_OVERSIZE, STATS_ROUND_TRIP,
	/* beyond the manual */
	STATS_RX_PPPD_DROPPED, STATS_TX_WINDOW_DROPPED, STATS_TX_WINDOW_STALLS,
	STATS_TX_UNHEARD, STATS_TX_TOO_BIG, STATS_ICMP_TOO_BIG, STATS_PATH_MTU,
	STATS_N
};

/* Where a part of a field's value lives: offset and size (4 or 8 bytes)
 * in its struct; size 0 when that struct has no part in it. */
struct stats_part {
	size_t off;
	uint8_t size;
};

struct stats_field {
	const char *words;	/* in the log line and the listing: "rx under win" */
	const char *key;	/* in the status record and the JSON: "rx_underwin" */
	const char *unit;	/* after the value in the log line ("ms"), or NULL for a counter */
	struct stats_part engine;	/* in struct gre_stats */
	struct stats_part gateway;	/* in struct gw_stats */
};

extern const struct stats_field stats_fields[STATS_N];

/* Room for the log line with every value at its largest. */
#define STATS_LINE_MAX 1000

/* Every field's value: the engine's and the gateway's parts added up. */
void stats_collect(uint64_t v[STATS_N], const struct gre_stats *engine, const struct gw_stats *gw);

/* "rx accepted 12, rx lost 0, ..., tx oversize 0, round trip 3 ms, rx pppd
 * dropped 0, ..." in the table's order.  Returns the length of the whole
 * line, as snprintf does; a short buffer gets a terminated beginning. */
int stats_format(const uint64_t v[STATS_N], char *buf, size_t cap);

/* The status record lists the counters first, then the measures (the
 * round trip): the field at place i of the record. */
enum stats_id stats_record_field(size_t i);

/* The field whose record key is key, or -1. */
int stats_by_key(const char *key);

/* --kernel: the kernel keeps GRE to itself; what it exposes are pppd's ppp
 * interface's counters (gw_kernel.c), named here once for the log line,
 * the --status record and its listings. */
enum kstats_id {
	KSTATS_RX_PACKETS, KSTATS_RX_BYTES, KSTATS_RX_ERRORS,
	KSTATS_TX_PACKETS, KSTATS_TX_BYTES, KSTATS_TX_ERRORS,
	KSTATS_N
};

struct kstats_field {
	const char *words;	/* "rx packets" */
	const char *key;	/* "ppp_rx_packets" */
};

extern const struct kstats_field kstats_fields[KSTATS_N];

/* "kernel data path, counters of pppd's interface ppp0 (...): rx packets
 * 12, ..."; returns the length of the whole line, as snprintf does. */
/* The counter whose record key is key, or -1. */
int kstats_by_key(const char *key);
int kstats_format(const char *ifname, const uint64_t v[KSTATS_N], char *buf, size_t cap);

#endif
