/* mkseeds.c - writes the seed corpora of fuzz_status, fuzz_cmmsg and
 * fuzz_lcp (`make fuzz-seeds`, into tests/fuzz/corpus).  Records and
 * messages are made with the project's own encoders (status_format,
 * cm_msg_encode) from values a real tunnel has; the LCP frames are laid out
 * as RFC 1661 has them, the probe as diagnose.c builds it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "callmgr_proto.h"
#include "pptp_ctrl.h"
#include "status.h"
#include "util.h"

static const char *top;
static int failures;

static void put_file(const char *dir, const char *name, const void *p, size_t n)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", top, dir);
	if (mkdir(path, 0755) < 0 && errno != EEXIST) {
		perror(path);
		failures++;
		return;
	}
	snprintf(path, sizeof path, "%s/%s/%s", top, dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
		perror(path);
		failures++;
		return;
	}
	printf("%s: %zu bytes\n", path, n);
}

static void status_seed(const char *name, const struct tunnel_status *t)
{
	char buf[STATUS_RECORD_MAX];
	size_t n = status_format(t, buf, sizeof buf);
	if (!n) {
		fprintf(stderr, "%s: does not render\n", name);
		failures++;
		return;
	}
	put_file("status", name, buf, n);
}

static void status_seeds(void)
{
	struct tunnel_status t = { .pid = 4242, .pppd_pid = 4250, .state = TUNNEL_CONNECTED,
				   .started = 1700000000, .since = 1700000042, .call_id = 60001,
				   .peer_call_id = 16384 };
	str_copy(t.server, "192.0.2.1", sizeof t.server);
	str_copy(t.server_name, "vpn.example.com", sizeof t.server_name);
	str_copy(t.logstring, "nm-pptp-service-4230", sizeof t.logstring);
	memcpy(t.stats, (uint64_t[STATS_N]){ [STATS_RX_ACCEPTED] = 18230, [STATS_RX_LOST] = 3,
		[STATS_RX_UNDERWIN] = 1, [STATS_RX_BUFFERED] = 12, [STATS_RX_ACKS] = 40,
		[STATS_TX_SENT] = 17011, [STATS_TX_ACKS] = 211, [STATS_ROUND_TRIP] = 23 },
	       sizeof t.stats);
	status_seed("connected", &t);

	struct tunnel_status d = { .pid = 977, .state = TUNNEL_DIALING, .started = 1700000100,
				   .since = 1700000100 };
	str_copy(d.server, "198.51.100.7", sizeof d.server);
	str_copy(d.server_name, "198.51.100.7", sizeof d.server_name);
	str_copy(d.logstring, "anon", sizeof d.logstring);
	status_seed("dialing", &d);

	t.state = TUNNEL_VERIFYING;
	t.pppd_pid = 0;
	memcpy(t.stats, (uint64_t[STATS_N]){ [STATS_RX_ACCEPTED] = 4, [STATS_TX_SENT] = 6,
		[STATS_RX_INVALID] = 2 }, sizeof t.stats);
	status_seed("verifying", &t);

	/* Long-lived: counters near the top of their range, an error or two. */
	t.state = TUNNEL_TERMINATED;
	memcpy(t.stats, (uint64_t[STATS_N]){ [STATS_RX_ACCEPTED] = UINT64_MAX - 5,
		[STATS_RX_LOST] = 1u << 31, [STATS_RX_ERRORS] = 2, [STATS_RX_TRUNCATED] = 7,
		[STATS_TX_SENT] = (uint64_t)1 << 40, [STATS_TX_FAILED] = 1, [STATS_TX_SHORT] = 1,
		[STATS_TX_OVERSIZE] = 3, [STATS_RX_PPPD_DROPPED] = 55,
		[STATS_TX_WINDOW_DROPPED] = 9, [STATS_ROUND_TRIP] = 4000000000u }, sizeof t.stats);
	status_seed("terminated_big", &t);
}

static void cm_seed(const char *name, const struct cm_msg *m)
{
	uint8_t buf[CM_WIRE_LEN];
	put_file("cmmsg", name, buf, cm_msg_encode(m, buf));
}

static void cmmsg_seeds(void)
{
	struct cm_msg open = { .type = CM_CALL_OPEN, .pid = 4242, .window = 64,
			       .framing = PPTP_FRAME_ASYNC };
	cm_seed("open", &open);
	open.framing = PPTP_FRAME_SYNC;
	str_copy(open.phone, "5551234", sizeof open.phone);
	cm_seed("open_sync_phone", &open);

	struct cm_msg up = { .type = CM_CALL_RESULT, .ok = true, .call_id = 60001,
			     .peer_call_id = 16384, .peer_window = 64, .peer_delay = 0 };
	cm_seed("result_up", &up);

	struct cm_msg refused = { .type = CM_CALL_RESULT, .ok = false,
				  .reason = { .cause = CAUSE_CALL_REFUSED,
					      .ctrl_was_up = true, .result = 3 } };
	str_copy(refused.text, "server refused the call: busy", sizeof refused.text);
	cm_seed("result_refused", &refused);

	struct cm_msg gone = { .type = CM_CALL_GONE, .reason = { .cause = CAUSE_CALL_DISCONNECTED,
					.ctrl_was_up = true, .result = 3 },
			       .call_id = 60001, .peer_call_id = 16384 };
	str_copy(gone.text, "the server cleared the call (Call-Disconnect-Notify, result 3: "
		 "admin shutdown)", sizeof gone.text);
	cm_seed("gone", &gone);
}

/* fuzz_lcp input: our identifier, the text buffer size, our magic number,
 * then the server's frame. */
static void lcp_seed(const char *name, uint8_t id, uint8_t cap, const uint8_t *f, size_t n)
{
	uint8_t buf[256] = { id, cap, 0x12, 0x34, 0x56, 0x78 };
	if (n)
		memcpy(buf + 6, f, n);
	put_file("lcp", name, buf, 6 + n);
}

static void lcp_seeds(void)
{
	/* Our probe sent back: the layout of diagnose.c's, id 0x2a. */
	static const uint8_t echo[] = { 0xff, 0x03, 0xc0, 0x21, 0x01, 0x2a, 0x00, 0x0a,
					0x05, 0x06, 0x12, 0x34, 0x56, 0x78 };
	/* The server's PPP: its own Configure-Request (MRU 1400, auth CHAP/MD5,
	 * magic), then its Configure-Ack of ours. */
	static const uint8_t confreq[] = { 0xff, 0x03, 0xc0, 0x21, 0x01, 0x01, 0x00, 0x13,
					   0x01, 0x04, 0x05, 0x78, 0x03, 0x05, 0xc2, 0x23,
					   0x05, 0x05, 0x06, 0x9a, 0xbc, 0xde, 0xf0 };
	static const uint8_t confack[] = { 0xff, 0x03, 0xc0, 0x21, 0x02, 0x2a, 0x00, 0x0a,
					   0x05, 0x06, 0x12, 0x34, 0x56, 0x78 };
	/* A Configure-Nak (MRU 1500) without address and control. */
	static const uint8_t nak_acfc_pfc[] = { 0xc0, 0x21, 0x03, 0x2a, 0x00, 0x08,
						0x01, 0x04, 0x05, 0xdc };
	static const uint8_t echoreq[] = { 0xff, 0x03, 0xc0, 0x21, 0x09, 0x07, 0x00, 0x08,
					   0x9a, 0xbc, 0xde, 0xf0 };
	/* IPCP, and an IP datagram with the protocol field compressed. */
	static const uint8_t ipcp[] = { 0xff, 0x03, 0x80, 0x21, 0x01, 0x01, 0x00, 0x0a,
					0x03, 0x06, 0xc0, 0x00, 0x02, 0x01 };
	static const uint8_t ip_pfc[] = { 0x21, 0x45, 0x00, 0x00, 0x14 };
	lcp_seed("echo", 0x2a, 120, echo, sizeof echo);
	lcp_seed("server_confreq", 0x2a, 120, confreq, sizeof confreq);
	lcp_seed("confack", 0x2a, 120, confack, sizeof confack);
	lcp_seed("nak_no_acfc", 0x2a, 17, nak_acfc_pfc, sizeof nak_acfc_pfc);
	lcp_seed("echo_request", 0x2a, 120, echoreq, sizeof echoreq);
	lcp_seed("ipcp", 0x2a, 120, ipcp, sizeof ipcp);
	lcp_seed("ip_pfc", 0x2a, 3, ip_pfc, sizeof ip_pfc);
	lcp_seed("empty", 0x2a, 120, NULL, 0);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: mkseeds CORPUS-DIR\n");
		return 2;
	}
	top = argv[1];
	status_seeds();
	cmmsg_seeds();
	lcp_seeds();
	return failures ? 1 : 0;
}
