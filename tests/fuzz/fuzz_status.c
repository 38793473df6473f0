/* fuzz_status.c - libFuzzer target for the --status record (status.c).
 *
 * `pptp --status` reads one record from each gateway's socket and hands it
 * to status_parse as a string.  Here:
 * (a) The input, up to its first NUL, as such a record.  Whatever it holds,
 *     the strings that come out are terminated and printable and the state
 *     is one of the four.  A record that parses renders (status_format) to
 *     one that parses back to the same struct and renders to the same text;
 *     rendered into a buffer one byte too small it fails, never overflows.
 * (b) The input's bytes as a tunnel_status, the way a gateway fills one:
 *     its rendering parses back to it exactly.
 * (c) The input as a PPP frame for the traffic classifier.
 * Buffers are allocated to their exact size, so AddressSanitizer sees any
 * read or write past them. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"
#include "fuzzcheck.h"


static void check_parsed(const struct tunnel_status *t)
{
	check_string(t->server, sizeof t->server);
	check_string(t->server_name, sizeof t->server_name);
	check_string(t->logstring, sizeof t->logstring);
	if (t->state < TUNNEL_DIALING || t->state > TUNNEL_TERMINATED)
		BROKEN();
}

/* The same tunnel: every field equal, strings up to their terminator
 * (what follows it, and padding, are no part of the value). */
static bool same(const struct tunnel_status *a, const struct tunnel_status *b)
{
	return a->pid == b->pid && a->pppd_pid == b->pppd_pid && a->state == b->state &&
	       a->started == b->started && a->since == b->since && a->call_id == b->call_id &&
	       a->peer_call_id == b->peer_call_id && !memcmp(a->stats, b->stats, sizeof a->stats) &&
	       !strcmp(a->server, b->server) && !strcmp(a->server_name, b->server_name) &&
	       !strcmp(a->logstring, b->logstring);
}

/* Render t, parse it back: the same tunnel, the same text again. */
static void round_trip(const struct tunnel_status *t)
{
	char *buf = malloc(STATUS_RECORD_MAX), *again = malloc(STATUS_RECORD_MAX);
	struct tunnel_status r;

	if (!buf || !again)
		goto out;
	size_t n = status_format(t, buf, STATUS_RECORD_MAX);
	if (n == 0 || n >= STATUS_RECORD_MAX || strlen(buf) != n)
		BROKEN();
	if (status_parse(buf, &r) != 0)
		BROKEN();
	check_parsed(&r);
	if (!same(&r, t))
		BROKEN();
	if (status_format(&r, again, STATUS_RECORD_MAX) != n || memcmp(buf, again, n + 1) != 0)
		BROKEN();
	/* Exactly the room it needs (text and NUL), then one byte less. */
	char *exact = malloc(n + 1);
	if (exact) {
		if (status_format(t, exact, n + 1) != n || memcmp(exact, buf, n + 1) != 0)
			BROKEN();
		free(exact);
	}
	char *small = malloc(n);
	if (small) {
		if (status_format(t, small, n) != 0)
			BROKEN();
		free(small);
	}
out:
	free(buf);
	free(again);
}

/* (b): a struct from bytes; strings as a gateway has them (printable). */
static size_t take(const uint8_t **p, const uint8_t *end, void *out, size_t n)
{
	size_t k = (size_t)(end - *p) < n ? (size_t)(end - *p) : n;
	memset(out, 0, n);
	memcpy(out, *p, k);
	*p += k;
	return k;
}

static void take_string(const uint8_t **p, const uint8_t *end, char *dst, size_t cap)
{
	uint8_t len = 0;
	take(p, end, &len, 1);
	size_t n = len % cap;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = 0;
		take(p, end, &c, 1);
		dst[i] = (char)(0x20 + c % 0x5f);
	}
	dst[n] = '\0';
}

static void from_bytes(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	struct tunnel_status t;
	uint8_t st = 0;

	memset(&t, 0, sizeof t);
	take(&p, end, &t.pid, sizeof t.pid);
	take(&p, end, &t.pppd_pid, sizeof t.pppd_pid);
	take(&p, end, &st, 1);
	take(&p, end, &t.started, sizeof t.started);
	take(&p, end, &t.since, sizeof t.since);
	take(&p, end, &t.call_id, sizeof t.call_id);
	take(&p, end, &t.peer_call_id, sizeof t.peer_call_id);
	take(&p, end, t.stats, sizeof t.stats);
	take_string(&p, end, t.server, sizeof t.server);
	take_string(&p, end, t.server_name, sizeof t.server_name);
	take_string(&p, end, t.logstring, sizeof t.logstring);
	t.state = (enum tunnel_state)(st % 4);
	/* A record without a positive pid is not one (status_parse says -1). */
	if (t.pid <= 0)
		t.pid = t.pid == 0 || t.pid == INT32_MIN ? 1 : -t.pid;
	round_trip(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct tunnel_status t;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	int rc = status_parse(text, &t);
	if (rc != 0 && rc != -1)
		BROKEN();
	check_parsed(&t);
	if (rc == 0) {
		if (t.pid <= 0)
			BROKEN();
		round_trip(&t);
	}
	free(text);

	from_bytes(data, size);

	uint8_t *frame = malloc(size ? size : 1);
	if (frame) {
		memcpy(frame, data, size);
		(void)ppp_frame_is_network(frame, size);
		free(frame);
	}
	return 0;
}
