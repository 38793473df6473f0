/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pptp_quirks.h - hook points for servers and modems that need the control
 * messages bent away from RFC 2637.  A quirk is a table of pure functions
 * the control engine calls at fixed points; NULL hooks are skipped. */
#ifndef PPTP_QUIRKS_H
#define PPTP_QUIRKS_H

#include <stdbool.h>
#include <stdint.h>

#include "pptp_ctrl.h"

struct pptp_quirk {
	const char *name;	/* the --quirks value */
	const char *what;	/* one line for --help and the log */
	/* Adjust our Start-Control-Connection-Request before it is encoded. */
	void (*sccrq)(struct pptp_sccrq *m);
	/* Adjust an Outgoing-Call-Request before it is encoded. */
	void (*ocrq)(struct pptp_ocrq *m);
	/* After a call comes up: fill *m and return true to send Set-Link-Info. */
	bool (*call_up_sli)(struct pptp_sli *m);
};

/* The quirk called name (case-sensitive, as on the command line), or NULL. */
const struct pptp_quirk *pptp_quirk_find(const char *name);
/* Every known quirk name, comma separated, for messages. */
const char *pptp_quirk_names(void);

#endif
