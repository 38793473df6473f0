/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_status.c - the status record and the PPP traffic classifier. */
#include "status.h"
#include "test.h"

static void record_round_trip(void)
{
	struct tunnel_status t = { .pid = 4242, .pppd_pid = 4250, .state = TUNNEL_CONNECTED,
				   .started = 1700000000, .since = 1700000042, .call_id = 41320,
				   .peer_call_id = 16384 };
	struct tunnel_status r;
	char buf[STATUS_RECORD_MAX];

	strcpy(t.server, "192.0.2.1");
	strcpy(t.server_name, "vpn.example.com");
	strcpy(t.logstring, "nm-pptp-service-7");
	t.stats[STATS_RX_ACCEPTED] = 1;
	t.stats[STATS_RX_LOST] = 2;
	t.stats[STATS_RX_UNDERWIN] = 3;
	t.stats[STATS_RX_OVERWIN] = 4;
	t.stats[STATS_RX_BUFFERED] = 5;
	t.stats[STATS_RX_ERRORS] = 6;
	t.stats[STATS_RX_TRUNCATED] = 7;
	t.stats[STATS_RX_INVALID] = 8;
	t.stats[STATS_RX_ACKS] = 9;
	t.stats[STATS_TX_SENT] = 10;
	t.stats[STATS_TX_FAILED] = 11;
	t.stats[STATS_TX_SHORT] = 12;
	t.stats[STATS_TX_ACKS] = 13;
	t.stats[STATS_TX_OVERSIZE] = 14;
	t.stats[STATS_RX_PPPD_DROPPED] = 15;
	t.stats[STATS_TX_WINDOW_DROPPED] = 16;
	t.stats[STATS_TX_WINDOW_STALLS] = 18;
	t.stats[STATS_TX_UNHEARD] = 19;
	t.stats[STATS_ROUND_TRIP] = 17;
	t.stats[STATS_TX_TOO_BIG] = 20;
	t.stats[STATS_ICMP_TOO_BIG] = 21;
	t.stats[STATS_PATH_MTU] = 1400;
	size_t n = status_format(&t, buf, sizeof buf);
	CHECK(n > 0 && n < sizeof buf);
	CHECK_CONTAINS(buf, "pptp-status 1\npid 4242\n");
	CHECK_CONTAINS(buf, "state connected\n");
	CHECK_CONTAINS(buf, "rx_underwin 3\n");
	/* The extras after the manual's counters, then the measures. */
	CHECK_CONTAINS(buf, "tx_oversize 14\nrx_pppd_dropped 15\ntx_window_dropped 16\n"
		       "tx_window_stalls 18\ntx_unheard 19\ntx_too_big 20\nicmp_too_big 21\n"
		       "round_trip_ms 17\npath_mtu_bytes 1400\nend\n");
	CHECK_INT(status_parse(buf, &r), 0);
	CHECK_INT(r.pid, 4242);
	CHECK_INT(r.pppd_pid, 4250);
	CHECK_STR(r.server, "192.0.2.1");
	CHECK_STR(r.server_name, "vpn.example.com");
	CHECK_STR(r.logstring, "nm-pptp-service-7");
	CHECK_INT(r.state, TUNNEL_CONNECTED);
	CHECK_INT(r.started, 1700000000);
	CHECK_INT(r.since, 1700000042);
	CHECK_UINT(r.call_id, 41320);
	CHECK_UINT(r.peer_call_id, 16384);
	CHECK_MEM(r.stats, t.stats, sizeof t.stats);
	CHECK_UINT(r.stats[STATS_TX_WINDOW_STALLS], 18);
}

static void record_rejects(void)
{
	struct tunnel_status r;
	CHECK_INT(status_parse("", &r), -1);
	CHECK_INT(status_parse("pptp-status 2\npid 1\nend\n", &r), -1);
	CHECK_INT(status_parse("pptp-status 1\npid 1\n", &r), -1);		/* no end */
	CHECK_INT(status_parse("pptp-status 1\nstate connected\nend\n", &r), -1);	/* no pid */
	CHECK_INT(status_parse("pptp-status 1\nnovalue\nend\n", &r), -1);
	/* Fields from a newer version are skipped, not fatal. */
	CHECK_INT(status_parse("pptp-status 1\npid 9\nfuture thing\nstate verifying\nend\n", &r), 0);
	CHECK_INT(r.pid, 9);
	CHECK_INT(r.state, TUNNEL_VERIFYING);
	char longline[400];
	memset(longline, 'a', sizeof longline);
	memcpy(longline, "pptp-status 1\nx ", 16);
	longline[sizeof longline - 1] = '\0';
	CHECK_INT(status_parse(longline, &r), -1);
	/* A name with a line break cannot forge fields. */
	struct tunnel_status t = { .pid = 5 };
	char buf[STATUS_RECORD_MAX];
	strcpy(t.server_name, "evil\nstate connected");
	status_format(&t, buf, sizeof buf);
	CHECK_INT(status_parse(buf, &r), 0);
	CHECK_INT(r.state, TUNNEL_DIALING);
	CHECK_STR(r.server_name, "evil?state connected");
}

/* What the fuzz target found: counters are unsigned 64-bit on both sides,
 * and strings read back are as safe to print as the ones written. */
static void record_values(void)
{
	struct tunnel_status t = { .pid = 7 }, r;
	char buf[STATUS_RECORD_MAX];

	t.stats[STATS_RX_ACCEPTED] = UINT64_MAX;
	t.stats[STATS_TX_SENT] = (uint64_t)INT64_MAX + 1;
	strcpy(t.server, "192.0.2.1\x1b[2J");
	status_format(&t, buf, sizeof buf);
	CHECK_CONTAINS(buf, "rx_accepted 18446744073709551615\n");
	CHECK_CONTAINS(buf, "server 192.0.2.1?[2J\n");
	CHECK_INT(status_parse(buf, &r), 0);
	CHECK(r.stats[STATS_RX_ACCEPTED] == UINT64_MAX);
	CHECK(r.stats[STATS_TX_SENT] == (uint64_t)INT64_MAX + 1);
	CHECK_STR(r.server, "192.0.2.1?[2J");
	/* A sign, or a number beyond 64 bits, is no counter value. */
	CHECK_INT(status_parse("pptp-status 1\npid 9\nrx_lost -3\ntx_acks +4\n"
			       "rx_acks 18446744073709551616\nend\n", &r), 0);
	CHECK(r.stats[STATS_RX_LOST] == 0 && r.stats[STATS_TX_ACKS] == 0 && r.stats[STATS_RX_ACKS] == 0);
	/* Control characters in a record someone else wrote become '?'. */
	CHECK_INT(status_parse("pptp-status 1\npid 9\nserver a\x1b]0;x\x07\n"
			       "server_name b\rc\nlogstring \x7f\nend\n", &r), 0);
	CHECK_STR(r.server, "a?]0;x?");
	CHECK_STR(r.server_name, "b?c");
	CHECK_STR(r.logstring, "?");
}

static void ppp_classifier(void)
{
	static const uint8_t ip[] = { 0xff, 0x03, 0x00, 0x21, 0x45 };
	static const uint8_t ip_acfc_pfc[] = { 0x21, 0x45, 0x00 };
	static const uint8_t mppe[] = { 0x00, 0xfd, 0x90, 0x00 };
	static const uint8_t ipv6[] = { 0xff, 0x03, 0x00, 0x57 };
	static const uint8_t lcp[] = { 0xff, 0x03, 0xc0, 0x21, 0x01 };
	static const uint8_t chap[] = { 0xc2, 0x23, 0x01 };
	static const uint8_t ipcp[] = { 0xff, 0x03, 0x80, 0x21 };
	static const uint8_t ccp[] = { 0x80, 0xfd };
	CHECK(ppp_frame_is_network(ip, sizeof ip));
	CHECK(ppp_frame_is_network(ip_acfc_pfc, sizeof ip_acfc_pfc));
	CHECK(ppp_frame_is_network(mppe, sizeof mppe));
	CHECK(ppp_frame_is_network(ipv6, sizeof ipv6));
	CHECK(!ppp_frame_is_network(lcp, sizeof lcp));
	CHECK(!ppp_frame_is_network(chap, sizeof chap));
	CHECK(!ppp_frame_is_network(ipcp, sizeof ipcp));
	CHECK(!ppp_frame_is_network(ccp, sizeof ccp));
	CHECK(!ppp_frame_is_network(ip, 2));
	CHECK(!ppp_frame_is_network(ip, 0));
	CHECK(!ppp_frame_is_network(ipcp, 3));	/* half a protocol field */
}

/* --kernel: the interface's counters, which the record names as such. */
static void record_kernel(void)
{
	struct tunnel_status t = { .pid = 77, .state = TUNNEL_CONNECTED, .kernel = true };
	struct tunnel_status r;
	char buf[STATUS_RECORD_MAX];

	strcpy(t.ppp_if, "ppp3");
	for (int i = 0; i < KSTATS_N; i++)
		t.kstats[i] = 1000u + (unsigned)i;
	CHECK(status_format(&t, buf, sizeof buf) > 0);
	/* after every field of the table (the last one is a measure) */
	CHECK_CONTAINS(buf, " 0\ndata_path kernel\nppp_interface ppp3\n"
		       "ppp_rx_packets 1000\nppp_rx_bytes 1001\nppp_rx_errors 1002\n"
		       "ppp_tx_packets 1003\nppp_tx_bytes 1004\nppp_tx_errors 1005\nend\n");
	CHECK_INT(status_parse(buf, &r), 0);
	CHECK(r.kernel);
	CHECK_STR(r.ppp_if, "ppp3");
	for (int i = 0; i < KSTATS_N; i++)
		CHECK_UINT(r.kstats[i], 1000u + (unsigned)i);
	/* the user-space path's record says nothing of it */
	t.kernel = false;
	CHECK(status_format(&t, buf, sizeof buf) > 0);
	CHECK(!strstr(buf, "data_path") && !strstr(buf, "ppp_rx_packets"));
	CHECK_INT(status_parse(buf, &r), 0);
	CHECK(!r.kernel);

	char line[STATS_LINE_MAX];
	uint64_t v[KSTATS_N] = { 1, 2, 3, 4, 5, 6 };
	int n = kstats_format("ppp0", v, line, sizeof line);
	CHECK_INT(n, (long long)strlen(line));
	CHECK_CONTAINS(line, "kernel data path, counters of pppd's interface ppp0 (");
	CHECK_CONTAINS(line, "): rx packets 1, rx bytes 2, rx errors 3, tx packets 4, tx bytes 5, "
		       "tx errors 6");
	CHECK_INT(kstats_format("ppp0", v, line, 10), n);	/* the length, as snprintf */
	CHECK_INT(kstats_by_key("ppp_tx_bytes"), KSTATS_TX_BYTES);
	CHECK_INT(kstats_by_key("tx_bytes"), -1);
}

const struct test_case status_tests[] = {
	{ "record_round_trip", record_round_trip },
	{ "record_kernel", record_kernel },
	{ "record_rejects", record_rejects },
	{ "record_values", record_values },
	{ "ppp_classifier", ppp_classifier },
	{ NULL, NULL },
};
