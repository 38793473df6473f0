/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pptp_options.h - the command line: pptp SERVER [--pptp-options] [pppd-options]
 *
 * Pure: parses argv into struct pptp_options or says, in one sentence that
 * names the option, why it cannot. */
#ifndef PPTP_OPTIONS_H
#define PPTP_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "pptp_ctrl.h"

#define PPTP_DEFAULT_TIMEOUT_US 300000u
#define PPTP_DEFAULT_IDLE_WAIT 60
#define PPTP_DEFAULT_MAX_ECHO_WAIT 60
#define PPTP_DEFAULT_TEST_RATE 100
#define PPTP_DEFAULT_MISSING_WINDOW 300
#define PPTP_DEFAULT_CONNECT_TIMEOUT 20	/* s: TCP connect plus SCCRQ/SCCRP */
#define PPTP_MAX_PPPD_ARGS 256
#define PPTP_MAX_NOTES 4		/* differences from the classic client, logged */
#define PPTP_NOTE_LEN 224

struct pptp_quirk;

struct pptp_options {
	const char *server;		/* first non-option argument */
	char phone[PPTP_STR_LEN + 1];
	bool have_client_hostname;	/* --client-hostname: SCCRQ host name */
	char client_hostname[PPTP_STR_LEN + 1];
	bool nolaunchpppd, debug, sync, nobuffer, nohostroute;
	bool kernel;			/* --kernel: the kernel carries the frames (gw_kernel.c) */
	bool timeout_given, test_rate_given;
	const struct pptp_quirk *quirk;
	uint64_t timeout_us;		/* --timeout */
	uint32_t idle_wait_s;		/* --idle-wait; 0: no keepalive echoes */
	uint32_t max_echo_wait_s;	/* --max-echo-wait; 0: wait for ever */
	char logstring[64];
	bool have_localbind;
	uint32_t localbind;		/* network order */
	bool have_rtmark;		/* --rtmark 0 is no mark, as if not given */
	uint32_t rtmark;
	int loglevel;
	int test_type;			/* 0..3; other values sent in order, noted */
	unsigned test_rate;		/* 0: no tests (test_type set to 0) */
	uint32_t missing_window;
	uint32_t connect_timeout_s;	/* --connect-timeout */
	bool diagnose;			/* --diagnose: run the fault tree, no pppd */
	bool status, json;		/* --status [--json]: list running tunnels */
	bool help, version;
	int pppd_argc;			/* pass-through pppd options, in order */
	char *pppd_argv[PPTP_MAX_PPPD_ARGS];
	/* Where this command line makes us act otherwise than the classic
	 * pptp 1.10.0 would: one sentence each, for the caller to log. */
	int nnotes;
	char notes[PPTP_MAX_NOTES][PPTP_NOTE_LEN];
};

enum pptp_parse_result {
	PPTP_PARSE_OK = 0,
	PPTP_PARSE_HELP,	/* --help: print usage, exit 0 */
	PPTP_PARSE_VERSION,	/* --version: print version, exit 0 */
	PPTP_PARSE_ERROR,	/* err holds the sentence: exit with the usage status */
};

/* Defaults as in the manual. */
void pptp_options_defaults(struct pptp_options *o);
/* Parse argv[1..argc-1].  argv must outlive o (strings are not copied). */
enum pptp_parse_result pptp_options_parse(int argc, char *const argv[], struct pptp_options *o,
					  char *err, size_t errlen);
/* The usage text for --help. */
const char *pptp_usage(void);

#endif
