/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_cmmsg.c - libFuzzer target for the gateway <-> call manager messages
 * (callmgr_proto.c).  Both ends are this program, but a stale socket may
 * belong to anything, so each datagram is decoded as hostile.
 * (a) The input as one datagram (in a buffer of exactly its size, so
 *     AddressSanitizer sees any read past it).  Only CM_WIRE_LEN bytes of
 *     this version and a known type decode; what decodes has terminated,
 *     printable strings and ok 0 or 1, encodes to the same fixed fields, and
 *     decodes again to the same message, which encodes to the same bytes.
 * (b) The input's bytes as a message, the way either end fills one: it
 *     encodes and decodes back to itself, and a datagram one byte shorter
 *     or longer is refused. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "callmgr_proto.h"
#include "fuzzcheck.h"


/* version, type, pid, window, framing, ok, reason (cause, was up, result,
 * error, errno), four 16-bit IDs */
#define FIXED_LEN (2 + 4 + 2 + 4 + 1 + 8 + 8)

/* The same message: every field, strings up to their terminator. */
static bool same(const struct cm_msg *a, const struct cm_msg *b)
{
	return a->type == b->type && a->pid == b->pid && a->window == b->window &&
	       a->framing == b->framing && a->ok == b->ok && a->reason.cause == b->reason.cause &&
	       a->reason.ctrl_was_up == b->reason.ctrl_was_up && a->reason.result == b->reason.result &&
	       a->reason.error == b->reason.error && a->reason.err == b->reason.err &&
	       a->call_id == b->call_id && a->peer_call_id == b->peer_call_id &&
	       a->peer_window == b->peer_window && a->peer_delay == b->peer_delay &&
	       !strcmp(a->phone, b->phone) && !strcmp(a->text, b->text);
}

/* Encode m and decode it back: m again; encoding that gives the same bytes.
 * The wire bytes are returned in wire (CM_WIRE_LEN). */
static void round_trip(const struct cm_msg *m, uint8_t *wire)
{
	struct cm_msg r;
	uint8_t again[CM_WIRE_LEN];

	if (cm_msg_encode(m, wire) != CM_WIRE_LEN)
		BROKEN();
	if (cm_msg_decode(wire, CM_WIRE_LEN, &r) != 0 || !same(&r, m))
		BROKEN();
	if (cm_msg_encode(&r, again) != CM_WIRE_LEN || memcmp(again, wire, CM_WIRE_LEN))
		BROKEN();
}

static void decode_input(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);
	struct cm_msg m;

	if (!buf)
		return;
	memcpy(buf, data, size);
	int rc = cm_msg_decode(buf, size, &m);
	if (rc != 0 && rc != -EPROTO)
		BROKEN();
	if (rc == 0) {
		if (size != CM_WIRE_LEN || data[0] != CM_PROTO_VERSION)
			BROKEN();
		if (m.type < CM_CALL_OPEN || m.type > CM_CALL_GONE || data[1] != m.type)
			BROKEN();
		check_string(m.phone, sizeof m.phone);
		check_string(m.text, sizeof m.text);
		uint8_t *wire = malloc(CM_WIRE_LEN);
		if (wire) {
			round_trip(&m, wire);
			if (memcmp(wire, data, FIXED_LEN))
				BROKEN();
			free(wire);
		}
	}
	free(buf);
}

static uint32_t take(const uint8_t **p, const uint8_t *end, int bytes)
{
	uint32_t v = 0;
	for (int i = 0; i < bytes; i++)
		v = v << 8 | (*p < end ? *(*p)++ : 0);
	return v;
}

static void take_string(const uint8_t **p, const uint8_t *end, char *dst, size_t cap)
{
	size_t n = take(p, end, 1) % cap;
	for (size_t i = 0; i < n; i++)
		dst[i] = (char)(0x20 + take(p, end, 1) % 0x5f);
	dst[n] = '\0';
}

static void from_bytes(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	struct cm_msg m;

	memset(&m, 0, sizeof m);
	m.type = (uint8_t)(CM_CALL_OPEN + take(&p, end, 1) % 3);
	m.pid = take(&p, end, 4);
	m.window = (uint16_t)take(&p, end, 2);
	m.framing = take(&p, end, 4);
	m.ok = take(&p, end, 1) & 1;
	m.reason.cause = (uint8_t)(take(&p, end, 1) % CAUSE_MAX_);
	m.reason.ctrl_was_up = take(&p, end, 1) & 1;
	m.reason.result = (uint8_t)take(&p, end, 1);
	m.reason.error = (uint8_t)take(&p, end, 1);
	m.reason.err = (int32_t)take(&p, end, 4);
	m.call_id = (uint16_t)take(&p, end, 2);
	m.peer_call_id = (uint16_t)take(&p, end, 2);
	m.peer_window = (uint16_t)take(&p, end, 2);
	m.peer_delay = (uint16_t)take(&p, end, 2);
	take_string(&p, end, m.phone, sizeof m.phone);
	take_string(&p, end, m.text, sizeof m.text);

	/* One byte longer than the message, so that the wrong lengths below
	 * read only bytes that are there. */
	uint8_t *wire = malloc(CM_WIRE_LEN + 1);
	if (!wire)
		return;
	wire[CM_WIRE_LEN] = 0;
	round_trip(&m, wire);
	struct cm_msg r;
	if (cm_msg_decode(wire, CM_WIRE_LEN - 1, &r) != -EPROTO ||
	    cm_msg_decode(wire, CM_WIRE_LEN + 1, &r) != -EPROTO)
		BROKEN();
	free(wire);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	decode_input(data, size);
	from_bytes(data, size);
	return 0;
}
