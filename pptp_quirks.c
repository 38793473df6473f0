/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pptp_quirks.c - the table of known quirks, looked up by --quirks name. */
#include "pptp_quirks.h"

#include <string.h>

#include "orckit_quirks.h"

static const struct pptp_quirk *const quirks[] = {
	&orckit_quirk_bezeq_israel,
};

const struct pptp_quirk *pptp_quirk_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < ARRAY_LEN(quirks); i++)
		if (strcmp(quirks[i]->name, name) == 0)
			return quirks[i];
	return NULL;
}

/* Kept by hand in step with the table (no mutable state to build it in);
 * the unit tests check every name listed here is found. */
const char *pptp_quirk_names(void)
{
	return "BEZEQ_ISRAEL";
}
