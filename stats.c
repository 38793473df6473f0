/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stats.c - the one table of the tunnel's statistics fields. */
#include "stats.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define PART(type, f) { offsetof(struct type, f), sizeof(((struct type *)0)->f) }
#define ENGINE(f) PART(gre_stats, f)
#define GATEWAY(f) PART(gw_stats, f)
#define NONE { 0, 0 }

const struct stats_field stats_fields[STATS_N] = {
	[STATS_RX_ACCEPTED] = { "rx accepted", "rx_accepted", NULL, ENGINE(rx_accepted), NONE },
	[STATS_RX_LOST] = { "rx lost", "rx_lost", NULL, ENGINE(rx_lost), NONE },
	[STATS_RX_UNDERWIN] = { "rx under win", "rx_underwin", NULL, ENGINE(rx_underwin), NONE },
	[STATS_RX_OVERWIN] = { "rx over win", "rx_overwin", NULL, ENGINE(rx_overwin), NONE },
	[STATS_RX_BUFFERED] = { "rx buffered", "rx_buffered", NULL, ENGINE(rx_buffered), NONE },
	[STATS_RX_ERRORS] = { "rx OS errors", "rx_errors", NULL, NONE, GATEWAY(rx_errors) },
	[STATS_RX_TRUNCATED] = { "rx truncated", "rx_truncated", NULL, ENGINE(rx_truncated), NONE },
	/* The engine judges GRE; the gateway, what comes before it. */
	[STATS_RX_INVALID] = { "rx invalid", "rx_invalid", NULL,
			       ENGINE(rx_invalid), GATEWAY(rx_invalid) },
	[STATS_RX_ACKS] = { "rx acks", "rx_acks", NULL, ENGINE(rx_acks), NONE },
	[STATS_TX_SENT] = { "tx sent", "tx_sent", NULL, ENGINE(tx_sent), NONE },
	[STATS_TX_FAILED] = { "tx failed", "tx_failed", NULL, ENGINE(tx_failed), NONE },
	[STATS_TX_SHORT] = { "tx short", "tx_short", NULL, ENGINE(tx_short), NONE },
	[STATS_TX_ACKS] = { "tx acks", "tx_acks", NULL, ENGINE(tx_acks), NONE },
	/* Too big for the engine, or already for the gateway's HDLC decoder. */
	[STATS_TX_OVERSIZE] = { "tx oversize", "tx_oversize", NULL,
				ENGINE(tx_oversize), GATEWAY(tx_oversize) },
	[STATS_ROUND_TRIP] = { "round trip", "round_trip_ms", "ms", ENGINE(rtt_ms), NONE },
	[STATS_RX_PPPD_DROPPED] = { "rx pppd dropped", "rx_pppd_dropped", NULL,
				    NONE, GATEWAY(rx_pppd_dropped) },
	[STATS_TX_WINDOW_DROPPED] = { "tx window dropped", "tx_window_dropped", NULL,
				      ENGINE(tx_window_dropped), NONE },
	[STATS_TX_WINDOW_STALLS] = { "tx window stalls", "tx_window_stalls", NULL,
				     ENGINE(tx_window_stalls), NONE },
	[STATS_TX_UNHEARD] = { "tx unheard", "tx_unheard", NULL, NONE, GATEWAY(tx_unheard) },
	[STATS_TX_TOO_BIG] = { "tx too big", "tx_too_big", NULL, NONE,
				     GATEWAY(tx_too_big) },
	[STATS_ICMP_TOO_BIG] = { "icmp too big", "icmp_too_big", NULL, NONE,
				     GATEWAY(icmp_too_big) },
	[STATS_PATH_MTU] = { "path mtu", "path_mtu_bytes", "bytes", NONE, GATEWAY(path_mtu) },
};

static uint64_t part_value(const void *base, struct stats_part p)
{
	const char *at = (const char *)base + p.off;
	uint32_t v32;
	uint64_t v64;

	if (p.size == sizeof v32) {
		memcpy(&v32, at, sizeof v32);
		return v32;
	}
	if (p.size == sizeof v64) {
		memcpy(&v64, at, sizeof v64);
		return v64;
	}
	return 0;
}

void stats_collect(uint64_t v[STATS_N], const struct gre_stats *engine, const struct gw_stats *gw)
{
	for (size_t i = 0; i < STATS_N; i++)
		v[i] = part_value(engine, stats_fields[i].engine) + part_value(gw, stats_fields[i].gateway);
}

int stats_format(const uint64_t v[STATS_N], char *buf, size_t cap)
{
	size_t len = 0;

	if (cap)
		buf[0] = '\0';
	for (size_t i = 0; i < STATS_N; i++) {
		const struct stats_field *f = &stats_fields[i];
		/* Past the end of buf, only the length is counted. */
		int n = snprintf(len < cap ? buf + len : NULL, len < cap ? cap - len : 0,
				 "%s%s %" PRIu64 "%s%s", i ? ", " : "", f->words, v[i],
				 f->unit ? " " : "", f->unit ? f->unit : "");
		if (n < 0)
			return n;
		len += (size_t)n;
	}
	return (int)len;
}

enum stats_id stats_record_field(size_t i)
{
	size_t seen = 0;

	for (int measures = 0; measures < 2; measures++)
		for (size_t k = 0; k < STATS_N; k++)
			if ((stats_fields[k].unit != NULL) == measures && seen++ == i)
				return (enum stats_id)k;
	return STATS_N;
}

int stats_by_key(const char *key)
{
	for (size_t i = 0; i < STATS_N; i++)
		if (!strcmp(key, stats_fields[i].key))
			return (int)i;
	return -1;
}

const struct kstats_field kstats_fields[KSTATS_N] = {
	[KSTATS_RX_PACKETS] = { "rx packets", "ppp_rx_packets" },
	[KSTATS_RX_BYTES] = { "rx bytes", "ppp_rx_bytes" },
	[KSTATS_RX_ERRORS] = { "rx errors", "ppp_rx_errors" },
	[KSTATS_TX_PACKETS] = { "tx packets", "ppp_tx_packets" },
	[KSTATS_TX_BYTES] = { "tx bytes", "ppp_tx_bytes" },
	[KSTATS_TX_ERRORS] = { "tx errors", "ppp_tx_errors" },
};

int kstats_format(const char *ifname, const uint64_t v[KSTATS_N], char *buf, size_t cap)
{
	int len = snprintf(buf, cap, "kernel data path, counters of pppd's interface %s (frames "
			   "through its unit, not LCP; the kernel exposes no GRE counters): ", ifname);

	for (size_t i = 0; i < KSTATS_N && len >= 0; i++) {
		size_t at = (size_t)len;
		int n = snprintf(at < cap ? buf + at : NULL, at < cap ? cap - at : 0, "%s%s %" PRIu64,
				 i ? ", " : "", kstats_fields[i].words, v[i]);
		len = n < 0 ? n : len + n;
	}
	return len;
}

int kstats_by_key(const char *key)
{
	for (size_t i = 0; i < KSTATS_N; i++)
		if (!strcmp(key, kstats_fields[i].key))
			return (int)i;
	return -1;
}
