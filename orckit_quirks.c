/* SPDX-License-Identifier: GPL-2.0-or-later */
/* orckit_quirks.c - Orckit ATUR3 ADSL modems, as deployed by BEZEQ in
 * Israel.  These modems want fixed values where RFC 2637 leaves the PNS
 * free: the SCCRQ identity and capabilities, an OCRQ whose "phone number"
 * names the modem's PPP relay, and a Set-Link-Info with the default ACCMs
 * once the call is up. */
#include "orckit_quirks.h"

#include <string.h>

#include "util.h"

#define ORCKIT_RELAY "RELAY_PPP1"

static void orckit_sccrq(struct pptp_sccrq *m)
{
	m->framing = PPTP_FRAME_ASYNC;
	m->bearer = PPTP_BEARER_ANALOG;
	m->max_channels = 0;
	m->firmware = 0x6021;
	str_copy(m->hostname, ORCKIT_RELAY, sizeof m->hostname);
	str_copy(m->vendor, "MS Win NT", sizeof m->vendor);
}

static void orckit_ocrq(struct pptp_ocrq *m)
{
	m->bearer = PPTP_BEARER_DIGITAL;
	m->framing = PPTP_FRAME_ANY;
	memset(m->phone, 0, sizeof m->phone);
	m->phone_len = (uint16_t)str_copy(m->phone, ORCKIT_RELAY, sizeof m->phone);
}

static bool orckit_call_up_sli(struct pptp_sli *m)
{
	m->send_accm = 0xFFFFFFFFu;
	m->recv_accm = 0xFFFFFFFFu;
	return true;
}

const struct pptp_quirk orckit_quirk_bezeq_israel = {
	.name = "BEZEQ_ISRAEL",
	.what = "Orckit ATUR3 ADSL modems (BEZEQ, Israel): fixed SCCRQ identity, "
		"phone number " ORCKIT_RELAY ", Set-Link-Info after the call is up",
	.sccrq = orckit_sccrq,
	.ocrq = orckit_ocrq,
	.call_up_sli = orckit_call_up_sli,
};
