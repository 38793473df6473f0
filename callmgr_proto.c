/* SPDX-License-Identifier: GPL-2.0-or-later */
/* callmgr_proto.c - encoding of the gateway <-> call manager messages. */
#include "callmgr_proto.h"

#include <errno.h>
#include <string.h>

#include "util.h"

size_t cm_msg_encode(const struct cm_msg *m, uint8_t *buf)
{
	uint8_t *p = buf;

	memset(buf, 0, CM_WIRE_LEN);
	*p++ = CM_PROTO_VERSION;
	*p++ = m->type;
	put32(p, m->pid); p += 4;
	put16(p, m->window); p += 2;
	put32(p, m->framing); p += 4;
	*p++ = m->ok ? 1 : 0;
	pptp_reason_encode(&m->reason, p); p += PPTP_REASON_WIRE_LEN;
	put16(p, m->call_id); p += 2;
	put16(p, m->peer_call_id); p += 2;
	put16(p, m->peer_window); p += 2;
	put16(p, m->peer_delay); p += 2;
	/* Fixed-width fields, zero padded (the buffer was cleared above). */
	memcpy(p, m->phone, strnlen(m->phone, PPTP_STR_LEN)); p += PPTP_STR_LEN;
	memcpy(p, m->text, strnlen(m->text, CM_TEXT_MAX - 1));
	return CM_WIRE_LEN;
}

int cm_msg_decode(const uint8_t *buf, size_t len, struct cm_msg *m)
{
	const uint8_t *p = buf;

	if (len != CM_WIRE_LEN || p[0] != CM_PROTO_VERSION)
		return -EPROTO;
	memset(m, 0, sizeof *m);
	m->type = p[1];
	if (m->type < CM_CALL_OPEN || m->type > CM_CALL_GONE)
		return -EPROTO;
	p += 2;
	m->pid = get32(p); p += 4;
	m->window = get16(p); p += 2;
	m->framing = get32(p); p += 4;
	if (*p > 1)
		return -EPROTO;
	m->ok = *p++;
	if (pptp_reason_decode(p, PPTP_REASON_WIRE_LEN, &m->reason))
		return -EPROTO;
	p += PPTP_REASON_WIRE_LEN;
	m->call_id = get16(p); p += 2;
	m->peer_call_id = get16(p); p += 2;
	m->peer_window = get16(p); p += 2;
	m->peer_delay = get16(p); p += 2;
	/* Both strings are made safe to log whatever the sender put there. */
	str_printable(m->phone, sizeof m->phone, p, PPTP_STR_LEN); p += PPTP_STR_LEN;
	str_printable(m->text, sizeof m->text, p, CM_TEXT_MAX);
	return 0;
}
