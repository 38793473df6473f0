/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_stats.c - the one table of statistics fields: the log line, the
 * status record and its parser all walk it. */
#include "stats.h"
#include "status.h"
#include "test.h"

/* Every value different and wide, so that no number is part of another. */
static void distinct_values(uint64_t v[STATS_N])
{
	for (size_t i = 0; i < STATS_N; i++)
		v[i] = 1000001 + 1000 * (uint64_t)i;
}

static size_t occurrences(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

static void table_complete(void)
{
	for (size_t i = 0; i < STATS_N; i++) {
		const struct stats_field *f = &stats_fields[i];
		CHECK(f->words && f->key);
		if (!f->words || !f->key)
			continue;
		CHECK(f->engine.size || f->gateway.size);
		CHECK(f->engine.size == 0 || f->engine.size == 4 || f->engine.size == 8);
		CHECK(f->gateway.size == 0 || f->gateway.size == 8);
		CHECK_INT(stats_by_key(f->key), (int)i);
		for (size_t k = 0; k < i; k++) {
			CHECK(strcmp(f->words, stats_fields[k].words) != 0);
			CHECK(strcmp(f->key, stats_fields[k].key) != 0);
		}
	}
	CHECK_INT(stats_by_key("rx accepted"), -1);	/* words are not keys */
	CHECK_INT(stats_by_key(""), -1);
	/* The record's order holds every field once. */
	unsigned seen[STATS_N] = { 0 };
	for (size_t i = 0; i < STATS_N; i++) {
		enum stats_id k = stats_record_field(i);
		CHECK(k < STATS_N);
		if (k < STATS_N)
			seen[k]++;
	}
	for (size_t i = 0; i < STATS_N; i++)
		CHECK_UINT(seen[i], 1);
	CHECK_UINT(stats_record_field(STATS_N), STATS_N);
}

/* The exact line the manual and the integration tests know. */
static void log_line_text(void)
{
	uint64_t v[STATS_N];
	for (size_t i = 0; i < STATS_N; i++)
		v[i] = i + 1;
	v[STATS_TX_WINDOW_DROPPED] = UINT64_MAX;
	const char *want = "rx accepted 1, rx lost 2, rx under win 3, rx over win 4, "
			   "rx buffered 5, rx OS errors 6, rx truncated 7, rx invalid 8, "
			   "rx acks 9, tx sent 10, tx failed 11, tx short 12, tx acks 13, "
			   "tx oversize 14, round trip 15 ms, rx pppd dropped 16, "
			   "tx window dropped 18446744073709551615, tx window stalls 18, "
			   "tx unheard 19, tx too big 20, icmp too big 21, path mtu 22 bytes";
	char buf[STATS_LINE_MAX];
	CHECK_INT(stats_format(v, buf, sizeof buf), (int)strlen(want));
	CHECK_STR(buf, want);
	/* Truncated output stays terminated and reports the full length. */
	char small[16];
	CHECK_INT(stats_format(v, small, sizeof small), (int)strlen(want));
	CHECK_STR(small, "rx accepted 1, ");
	CHECK_INT(stats_format(v, NULL, 0), (int)strlen(want));
	/* Every value at its largest still fits. */
	for (size_t i = 0; i < STATS_N; i++)
		v[i] = UINT64_MAX;
	CHECK(stats_format(v, buf, sizeof buf) < (int)sizeof buf);
}

/* Each field once in the log line, by its words, and once in the record,
 * by its key; the record reads back to the same values and text. */
static void every_field_once(void)
{
	uint64_t v[STATS_N];
	char line[STATS_LINE_MAX], want[64];
	distinct_values(v);
	stats_format(v, line, sizeof line);

	struct tunnel_status t = { .pid = 42 }, r;
	char rec[STATUS_RECORD_MAX], again[STATUS_RECORD_MAX];
	memcpy(t.stats, v, sizeof v);
	size_t n = status_format(&t, rec, sizeof rec);
	CHECK(n > 0);
	for (size_t i = 0; i < STATS_N; i++) {
		const struct stats_field *f = &stats_fields[i];
		snprintf(want, sizeof want, "%s %llu", f->words, (unsigned long long)v[i]);
		CHECK_UINT(occurrences(line, want), 1);
		CHECK_UINT(occurrences(line, f->words), 1);
		snprintf(want, sizeof want, "\n%s %llu\n", f->key, (unsigned long long)v[i]);
		CHECK_UINT(occurrences(rec, want), 1);
		snprintf(want, sizeof want, "\n%s ", f->key);
		CHECK_UINT(occurrences(rec, want), 1);
	}
	/* The counters first, then the measures: round trip, path MTU. */
	CHECK_CONTAINS(rec, "\ntx_window_stalls 1017001\ntx_unheard 1018001\ntx_too_big 1019001\n"
		       "icmp_too_big 1020001\nround_trip_ms 1014001\npath_mtu_bytes 1021001\n"
		       "end\n");
	CHECK_INT(status_parse(rec, &r), 0);
	CHECK_MEM(r.stats, t.stats, sizeof t.stats);
	CHECK_UINT(status_format(&r, again, sizeof again), n);
	CHECK_STR(again, rec);
}

/* A field's value is the engine's part plus the gateway's. */
static void collect_adds_parts(void)
{
	struct gre_stats e = { .rx_accepted = 5, .rx_invalid = 3, .tx_oversize = 1,
			       .rtt_ms = UINT32_MAX, .tx_window_stalls = 9 };
	struct gw_stats g = { .rx_errors = 2, .rx_invalid = 4, .tx_oversize = 10,
			      .rx_pppd_dropped = 7, .tx_unheard = 1, .tx_too_big = 11,
			      .icmp_too_big = 12, .path_mtu = 1400 };
	uint64_t v[STATS_N];
	stats_collect(v, &e, &g);
	CHECK_UINT(v[STATS_RX_ACCEPTED], 5);
	CHECK_UINT(v[STATS_RX_INVALID], 7);
	CHECK_UINT(v[STATS_TX_TOO_BIG], 11);
	CHECK_UINT(v[STATS_ICMP_TOO_BIG], 12);
	CHECK_UINT(v[STATS_PATH_MTU], 1400);
	CHECK_UINT(v[STATS_TX_OVERSIZE], 11);
	CHECK_UINT(v[STATS_ROUND_TRIP], UINT32_MAX);
	CHECK_UINT(v[STATS_RX_ERRORS], 2);
	CHECK_UINT(v[STATS_RX_PPPD_DROPPED], 7);
	CHECK_UINT(v[STATS_TX_WINDOW_STALLS], 9);
	CHECK_UINT(v[STATS_TX_UNHEARD], 1);
	CHECK_UINT(v[STATS_RX_LOST] + v[STATS_TX_SENT] + v[STATS_TX_WINDOW_DROPPED], 0);
}

const struct test_case stats_tests[] = {
	{ "table_complete", table_complete },
	{ "log_line_text", log_line_text },
	{ "every_field_once", every_field_once },
	{ "collect_adds_parts", collect_adds_parts },
	{ NULL, NULL },
};
