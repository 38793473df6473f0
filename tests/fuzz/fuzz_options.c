/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_options.c - libFuzzer target for the command line.
 *
 * The input is split at NUL bytes into arguments.  Whatever the parser
 * says, it must not crash, must fill err on error, and what it accepts
 * must respect the manual's ranges.  (pppd options may start with '-'
 * after "--".) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pptp_options.h"
#include "fuzzcheck.h"

#define MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	char *argv[MAX_ARGS + 2];
	int argc = 0;
	struct pptp_options o;
	char err[256];

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[argc++] = (char *)"pptp";
	for (size_t i = 0; i <= size && argc <= MAX_ARGS; ) {
		argv[argc++] = buf + i;
		i += strlen(buf + i) + 1;
	}
	argv[argc] = NULL;

	enum pptp_parse_result r = pptp_options_parse(argc, argv, &o, err, sizeof err);
	if (r == PPTP_PARSE_ERROR && err[0] == '\0')
		__builtin_trap();
	if (r != PPTP_PARSE_OK && r != PPTP_PARSE_ERROR &&
	    r != PPTP_PARSE_HELP && r != PPTP_PARSE_VERSION)
		__builtin_trap();
	if (r == PPTP_PARSE_OK && o.status) {
		/* --status lists tunnels: no server, no pppd, no other action. */
		if (o.server || o.diagnose || o.pppd_argc)
			__builtin_trap();
	} else if (r == PPTP_PARSE_OK) {
		if (!o.server || o.server[0] == '-')
			__builtin_trap();
		if (o.timeout_us < 10000 || o.timeout_us > 10000000)
			__builtin_trap();
		if (o.loglevel < 0 || o.loglevel > 2 || o.test_type < 0 || o.test_type > 3)
			__builtin_trap();
		/* 0 means: no keepalive, wait for ever, no reordering test. */
		if (o.missing_window < 1 || o.idle_wait_s > 86400 || o.max_echo_wait_s > 86400 ||
		    (o.test_rate == 0 && o.test_type != 0) || (o.have_rtmark && o.rtmark == 0))
			__builtin_trap();
		if (strlen(o.phone) > PPTP_STR_LEN || !o.logstring[0] ||
		    strlen(o.client_hostname) > PPTP_STR_LEN)
			__builtin_trap();
		if (o.pppd_argc < 0 || o.pppd_argc > PPTP_MAX_PPPD_ARGS)
			__builtin_trap();
		if (o.nnotes < 0 || o.nnotes > PPTP_MAX_NOTES)
			__builtin_trap();
		for (int i = 0; i < o.nnotes; i++)
			if (strnlen(o.notes[i], PPTP_NOTE_LEN) == PPTP_NOTE_LEN)
				__builtin_trap();
	}
	free(buf);
	return 0;
}
