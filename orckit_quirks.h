/* SPDX-License-Identifier: GPL-2.0-or-later */
/* orckit_quirks.h - Orckit ATUR3 ADSL modems (the BEZEQ network in Israel). */
#ifndef ORCKIT_QUIRKS_H
#define ORCKIT_QUIRKS_H

#include "pptp_quirks.h"

extern const struct pptp_quirk orckit_quirk_bezeq_israel;

#endif
