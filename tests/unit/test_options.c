/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_options.c - the command line against the manual's contract. */
#include <arpa/inet.h>
#include <stdarg.h>

#include "pptp_options.h"
#include "pptp_quirks.h"
#include "test.h"

static struct pptp_options o;
static char err[512];

/* Parse a NULL-terminated list of arguments (argv[0] is supplied). */
static enum pptp_parse_result parse(const char *first, ...)
{
	static char store[32][128];
	static char *argv[33];
	va_list ap;
	int argc = 0;

	argv[argc] = store[argc];
	strcpy(store[argc++], "pptp");
	va_start(ap, first);
	for (const char *a = first; a; a = va_arg(ap, const char *)) {
		snprintf(store[argc], sizeof store[argc], "%s", a);
		argv[argc] = store[argc];
		argc++;
	}
	va_end(ap);
	argv[argc] = NULL;
	return pptp_options_parse(argc, argv, &o, err, sizeof err);
}

static void defaults_match_the_manual(void)
{
	CHECK_INT(parse("vpn.example.com", NULL), PPTP_PARSE_OK);
	CHECK_STR(o.server, "vpn.example.com");
	CHECK_UINT(o.timeout_us, 300000);
	CHECK_UINT(o.idle_wait_s, 60);
	CHECK_UINT(o.max_echo_wait_s, 60);
	CHECK_STR(o.logstring, "anon");
	CHECK_INT(o.loglevel, 1);
	CHECK_INT(o.test_type, 0);
	CHECK_UINT(o.test_rate, 100);
	CHECK_UINT(o.missing_window, 300);
	CHECK(!o.nolaunchpppd && !o.debug && !o.sync && !o.nobuffer && !o.nohostroute);
	CHECK(!o.have_localbind && !o.have_rtmark && o.quirk == NULL);
	CHECK_INT(o.pppd_argc, 0);
}

static void every_option_is_accepted(void)
{
	CHECK_INT(parse("192.0.2.1", "--phone", "5551234", "--nolaunchpppd", "--quirks",
			"BEZEQ_ISRAEL", "--debug", "--sync", "--timeout", "1.5", "--nobuffer",
			"--idle-wait", "30", "--max-echo-wait", "20", "--logstring", "nm-pptp-service-42",
			"--localbind", "192.0.2.9", "--rtmark", "7", "--nohostroute", "--loglevel", "2",
			"--test-type", "3", "--test-rate", "50", "--missing-window", "6000", NULL),
		  PPTP_PARSE_OK);
	CHECK_STR(o.phone, "5551234");
	CHECK(o.nolaunchpppd && o.debug && o.sync && o.nobuffer && o.nohostroute);
	CHECK(o.quirk != NULL);
	CHECK_STR(o.quirk->name, "BEZEQ_ISRAEL");
	CHECK_UINT(o.timeout_us, 1500000);
	CHECK_UINT(o.idle_wait_s, 30);
	CHECK_UINT(o.max_echo_wait_s, 20);
	CHECK_STR(o.logstring, "nm-pptp-service-42");
	CHECK(o.have_localbind);
	CHECK_UINT(o.localbind, inet_addr("192.0.2.9"));
	CHECK(o.have_rtmark);
	CHECK_UINT(o.rtmark, 7);
	CHECK_INT(o.loglevel, 2);
	CHECK_INT(o.test_type, 3);
	CHECK_UINT(o.test_rate, 50);
	CHECK_UINT(o.missing_window, 6000);
}

static void equals_form(void)
{
	CHECK_INT(parse("srv", "--timeout=0.01", "--loglevel=0", "--phone=", NULL), PPTP_PARSE_OK);
	CHECK_UINT(o.timeout_us, 10000);
	CHECK_INT(o.loglevel, 0);
	CHECK_STR(o.phone, "");
	CHECK_INT(parse("srv", "--debug=1", NULL), PPTP_PARSE_ERROR);
	CHECK_CONTAINS(err, "--debug takes no value");
}

static void pppd_options_pass_through_in_order(void)
{
	CHECK_INT(parse("srv", "noauth", "--loglevel", "0", "name", "user", "require-mppe-128",
			NULL), PPTP_PARSE_OK);
	CHECK_STR(o.server, "srv");
	CHECK_INT(o.pppd_argc, 4);
	CHECK_STR(o.pppd_argv[0], "noauth");
	CHECK_STR(o.pppd_argv[1], "name");
	CHECK_STR(o.pppd_argv[2], "user");
	CHECK_STR(o.pppd_argv[3], "require-mppe-128");
	/* Options may come before the server too. */
	CHECK_INT(parse("--nobuffer", "srv2", "debug", NULL), PPTP_PARSE_OK);
	CHECK_STR(o.server, "srv2");
	CHECK_INT(o.pppd_argc, 1);
}

static void ranges_are_enforced_with_words(void)
{
	CHECK_INT(parse("s", "--timeout", "0.009", NULL), PPTP_PARSE_ERROR);
	CHECK_CONTAINS(err, "--timeout");
	CHECK_CONTAINS(err, "0.01 to 10");
	CHECK_INT(parse("s", "--timeout", "10.001", NULL), PPTP_PARSE_ERROR);
	CHECK_INT(parse("s", "--timeout", "10", NULL), PPTP_PARSE_OK);
	CHECK_INT(parse("s", "--timeout", "abc", NULL), PPTP_PARSE_ERROR);
	CHECK_INT(parse("s", "--timeout", "", NULL), PPTP_PARSE_ERROR);
	CHECK_INT(parse("s", "--loglevel", "3", NULL), PPTP_PARSE_ERROR);
	CHECK_CONTAINS(err, "--loglevel '3'");
	CHECK_CONTAINS(err, "from 0 to 2");
	CHECK_INT(parse("s", "--loglevel", "-1", NULL), PPTP_PARSE_ERROR);
	CHECK_INT(parse("s", "--test-rate", "-1", NULL), PPTP_PARSE_ERROR);
	/* A negative number is a number: below the range, not "not a number". */
	CHECK_INT(parse("s", "--idle-wait", "-1", NULL), PPTP_PARSE_ERROR);
	CHECK_CONTAINS(err, "--idle-wait '-1': out of range; allowed: a whole number from 0 to 86400");
	CHECK_INT(parse("s", "--rtmark", "-1", NULL), PPTP_PARSE_ERROR);
	CHECK_CONTAINS(err, "out of range");
	CHECK_INT(parse("s", "--idle-wait", "86401", NULL), PPTP_PARSE_ERROR);
	CHECK_CONTAINS(err, "--idle-wait");
	CHECK_INT(parse("s", "--max-echo-wait", "99999999999999999999", NULL), PPTP_PARSE_ERROR);
	CHECK_CONTAINS(err, "out of range");
	CHECK_INT(parse("s", "--missing-window", "0", NULL), PPTP_PARSE_ERROR);
	CHECK_INT(parse("s", "--rtmark", "4294967296", NULL), PPTP_PARSE_ERROR);
	CHECK_INT(parse("s", "--rtmark", "4294967295", NULL), PPTP_PARSE_OK);
	CHECK_INT(parse("s", "--idle-wait", "1x", NULL), PPTP_PARSE_ERROR);
	CHECK_CONTAINS(err, "not a number");
}

static void quirks_and_addresses(void)
{
	CHECK_INT(parse("s", "--quirks", "bezeq_israel", NULL), PPTP_PARSE_ERROR);
	CHECK_CONTAINS(err, "BEZEQ_ISRAEL");
	CHECK_INT(parse("s", "--localbind", "192.0.2", NULL), PPTP_PARSE_ERROR);
	CHECK_CONTAINS(err, "IPv4 address");
	CHECK_INT(parse("s", "--localbind", "::1", NULL), PPTP_PARSE_ERROR);
	CHECK_INT(parse("s", "--phone",
			"12345678901234567890123456789012345678901234567890123456789012345", NULL),
		  PPTP_PARSE_ERROR);
	CHECK_CONTAINS(err, "64");
	CHECK_INT(parse("s", "--logstring", "two words", NULL), PPTP_PARSE_ERROR);
	CHECK_INT(parse("s", "--logstring", "100%", NULL), PPTP_PARSE_ERROR);
}

static void unknown_and_missing(void)
{
	CHECK_INT(parse("s", "--frobnicate", NULL), PPTP_PARSE_ERROR);
	CHECK_STR(err, "unknown option '--frobnicate'");
	CHECK_INT(parse("s", "-x", NULL), PPTP_PARSE_ERROR);
	CHECK_CONTAINS(err, "unknown option '-x'");
	CHECK_INT(parse("s", "--=1", NULL), PPTP_PARSE_ERROR);
	CHECK_CONTAINS(err, "unknown option '--=1'");
	CHECK_INT(parse("s", "--timeout", NULL), PPTP_PARSE_ERROR);
	CHECK_CONTAINS(err, "--timeout needs a value");
	CHECK_INT(parse("--nobuffer", NULL), PPTP_PARSE_ERROR);
	CHECK_CONTAINS(err, "no server given");
	CHECK_INT(parse("s", "--timeoutx", "1", NULL), PPTP_PARSE_ERROR);
	CHECK_CONTAINS(err, "unknown option '--timeoutx'");
	/* No sentence carries the --help hint: pptp.c adds it once. */
	const char *bad[][3] = { { "s", "--frobnicate", NULL }, { "s", "-x", NULL },
				 { "s", "--timeout", NULL }, { "s", "--no", NULL },
				 { "s", "--debug=1", NULL }, { "s", "--loglevel", "7" },
				 { "--nobuffer", NULL, NULL } };
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		CHECK_INT(parse(bad[i][0], bad[i][1], bad[i][2], NULL), PPTP_PARSE_ERROR);
		CHECK(strstr(err, "--help") == NULL);
	}
}

static void combinations(void)
{
	/* Below ten, types 2 and 3 are undefined in the classic client; ours
	 * holds its ten packets after every N sent normally. */
	CHECK_INT(parse("s", "--test-type", "2", "--test-rate", "9", NULL), PPTP_PARSE_OK);
	CHECK_INT(o.test_type, 2);
	CHECK_UINT(o.test_rate, 9);
	CHECK_INT(parse("s", "--test-type", "1", "--test-rate", "2", NULL), PPTP_PARSE_OK);
	/* Kept, for pptp.c to warn about: the classic client ignores them. */
	CHECK_INT(parse("s", "--nolaunchpppd", "noauth", NULL), PPTP_PARSE_OK);
	CHECK(o.nolaunchpppd && o.pppd_argc == 1 && !strcmp(o.pppd_argv[0], "noauth"));
	CHECK_INT(parse("s", "--nobuffer", "--timeout", "2", NULL), PPTP_PARSE_OK);
	CHECK(o.timeout_given && o.nobuffer);
}

static void help_and_version(void)
{
	CHECK_INT(parse("--help", NULL), PPTP_PARSE_HELP);
	CHECK_INT(parse("-h", NULL), PPTP_PARSE_HELP);
	CHECK_INT(parse("--version", NULL), PPTP_PARSE_VERSION);
	/* Every option of the manual appears in the usage text. */
	const char *names[] = { "--phone", "--client-hostname", "--nolaunchpppd", "--quirks", "--debug", "--sync",
				"--timeout", "--nobuffer", "--idle-wait", "--max-echo-wait",
				"--logstring", "--localbind", "--rtmark", "--nohostroute",
				"--loglevel", "--test-type", "--test-rate", "--missing-window",
				"--version", "--help", "--connect-timeout", "--diagnose",
				"--status", "--json", "--kernel" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		CHECK_CONTAINS(pptp_usage(), names[i]);
}

static void issue7_options(void)
{
	CHECK_INT(parse("s", NULL), PPTP_PARSE_OK);
	CHECK_UINT(o.connect_timeout_s, 20);
	CHECK_INT(parse("s", "--connect-timeout", "5", NULL), PPTP_PARSE_OK);
	CHECK_UINT(o.connect_timeout_s, 5);
	CHECK_INT(parse("s", "--connect-timeout", "0", NULL), PPTP_PARSE_ERROR);
	CHECK_CONTAINS(err, "--connect-timeout '0'");
	CHECK_CONTAINS(err, "from 1 to 300");
	CHECK_INT(parse("s", "--connect-timeout", "301", NULL), PPTP_PARSE_ERROR);

	CHECK_INT(parse("--diagnose", "vpn.example.com", "--connect-timeout=3", NULL), PPTP_PARSE_OK);
	CHECK(o.diagnose);
	CHECK_STR(o.server, "vpn.example.com");
	CHECK_INT(parse("--diagnose", "s", "noauth", NULL), PPTP_PARSE_ERROR);
	CHECK_CONTAINS(err, "--diagnose runs no pppd");
	CHECK_INT(parse("--diagnose", NULL), PPTP_PARSE_ERROR);
	CHECK_CONTAINS(err, "no server given");

	CHECK_INT(parse("--status", NULL), PPTP_PARSE_OK);
	CHECK(o.status && !o.json);
	CHECK_INT(parse("--status", "--json", NULL), PPTP_PARSE_OK);
	CHECK(o.status && o.json);
	CHECK_INT(parse("--json", NULL), PPTP_PARSE_ERROR);
	CHECK_CONTAINS(err, "--json goes with --status");
	CHECK_INT(parse("--status", "srv", NULL), PPTP_PARSE_ERROR);
	CHECK_CONTAINS(err, "--status takes no server");
}

/* Unique prefixes as getopt_long takes them; an exact name always wins;
 * an ambiguous prefix is an error naming every candidate. */
static void abbreviations(void)
{
	CHECK_INT(parse("s", "--nolaunch", "--nobuf", "--idle=30", "--logl", "2", NULL),
		  PPTP_PARSE_OK);
	CHECK(o.nolaunchpppd && o.nobuffer);
	CHECK_UINT(o.idle_wait_s, 30);
	CHECK_INT(o.loglevel, 2);
	CHECK_INT(o.nnotes, 0);
	CHECK_INT(parse("s", "--max=5", "--miss", "600", "--cl", "h", "--conn=7", "--j", "--stat",
			NULL), PPTP_PARSE_ERROR);	/* --json and --status take no server */
	CHECK_INT(parse("s", "--max=5", "--miss", "600", "--cl", "h", "--conn=7", NULL),
		  PPTP_PARSE_OK);
	CHECK_UINT(o.max_echo_wait_s, 5);
	CHECK_UINT(o.missing_window, 600);
	CHECK_STR(o.client_hostname, "h");
	CHECK_UINT(o.connect_timeout_s, 7);
	CHECK_INT(parse("--stat", "--js", NULL), PPTP_PARSE_OK);
	CHECK(o.status && o.json);

	CHECK_INT(parse("s", "--no", NULL), PPTP_PARSE_ERROR);
	CHECK_STR(err, "option '--no' is ambiguous: it could be --nolaunchpppd, --nobuffer, "
		  "--nohostroute");
	CHECK_INT(parse("s", "--lo=1", NULL), PPTP_PARSE_ERROR);
	CHECK_STR(err, "option '--lo=1' is ambiguous: it could be --logstring, --localbind, "
		  "--loglevel");
	CHECK_INT(parse("s", "--test", "1", NULL), PPTP_PARSE_ERROR);
	CHECK_CONTAINS(err, "--test-type, --test-rate");
	CHECK_INT(parse("s", "--d", NULL), PPTP_PARSE_ERROR);
	CHECK_CONTAINS(err, "--debug, --diagnose");
	/* The full name, whatever else it is a prefix of. */
	CHECK_INT(parse("s", "--debug", "--sync", "--timeout", "2", NULL), PPTP_PARSE_OK);
	CHECK(o.debug && o.sync);
	/* A prefix keeps the option's rules: a flag takes no value. */
	CHECK_INT(parse("s", "--nobuf=1", NULL), PPTP_PARSE_ERROR);
	CHECK_STR(err, "--nobuffer takes no value");
	CHECK_INT(parse("s", "--idle", NULL), PPTP_PARSE_ERROR);
	CHECK_STR(err, "--idle-wait needs a value");
	CHECK_INT(parse("s", "--idle", "x", NULL), PPTP_PARSE_ERROR);
	CHECK_CONTAINS(err, "--idle-wait 'x'");
}

/* "--" ends pptp's options: the rest goes to pppd as it is. */
static void double_dash(void)
{
	CHECK_INT(parse("host", "--", "name", "foo", NULL), PPTP_PARSE_OK);
	CHECK_STR(o.server, "host");
	CHECK_INT(o.pppd_argc, 2);
	CHECK_STR(o.pppd_argv[0], "name");
	CHECK_STR(o.pppd_argv[1], "foo");
	CHECK_INT(parse("host", "--debug", "--", "--nobuffer", "-x", "--", "debug", NULL),
		  PPTP_PARSE_OK);
	CHECK(o.debug && !o.nobuffer);
	CHECK_INT(o.pppd_argc, 4);
	CHECK_STR(o.pppd_argv[0], "--nobuffer");
	CHECK_STR(o.pppd_argv[1], "-x");
	CHECK_STR(o.pppd_argv[2], "--");
	CHECK_STR(o.pppd_argv[3], "debug");
	/* Without a server before it, the first word after it is the server. */
	CHECK_INT(parse("--debug", "--", "host", "name", "foo", NULL), PPTP_PARSE_OK);
	CHECK_STR(o.server, "host");
	CHECK_INT(o.pppd_argc, 2);
	CHECK_INT(parse("--", "-x", "host", NULL), PPTP_PARSE_ERROR);
	CHECK_CONTAINS(err, "no server given");
	CHECK_INT(parse("host", "--", NULL), PPTP_PARSE_OK);
	CHECK_INT(o.pppd_argc, 0);
	CHECK_INT(parse("--", NULL), PPTP_PARSE_ERROR);
	CHECK_CONTAINS(err, "no server given");
	/* Still no pppd for --diagnose. */
	CHECK_INT(parse("--diagnose", "host", "--", "noauth", NULL), PPTP_PARSE_ERROR);
}

/* Zero values the classic client takes, with its meaning. */
static void zero_values(void)
{
	CHECK_INT(parse("s", "--idle-wait", "0", NULL), PPTP_PARSE_OK);
	CHECK_UINT(o.idle_wait_s, 0);
	CHECK_INT(o.nnotes, 0);
	CHECK_INT(parse("s", "--rtmark", "0", NULL), PPTP_PARSE_OK);
	CHECK(!o.have_rtmark);
	CHECK_INT(o.nnotes, 0);
	CHECK_INT(parse("s", "--rtmark", "1", NULL), PPTP_PARSE_OK);
	CHECK(o.have_rtmark);
	CHECK_INT(parse("s", "--max-echo-wait", "0", NULL), PPTP_PARSE_OK);
	CHECK_UINT(o.max_echo_wait_s, 0);
	CHECK_INT(o.nnotes, 1);
	CHECK_STR(o.notes[0], "--max-echo-wait 0: an unanswered Echo-Request never ends the "
		  "control connection (pptp 1.10.0 ignores this option)");
	CHECK_INT(parse("s", "--max-echo=20", NULL), PPTP_PARSE_OK);
	CHECK_STR(o.notes[0], "--max-echo-wait 20: honoured here (pptp 1.10.0 ignores this "
		  "option)");
	/* Rate 0: never a test, as in the classic client. */
	CHECK_INT(parse("s", "--test-type", "1", "--test-rate", "0", NULL), PPTP_PARSE_OK);
	CHECK_INT(o.test_type, 0);
	CHECK(!o.test_rate_given);
}

/* Every value the classic takes: 0 to 3 are tests, anything else is sent
 * in order, with a note (never silently). */
static void test_types(void)
{
	const char *tests[] = { "0", "1", "2", "3" };
	for (int t = 0; t < 4; t++) {
		CHECK_INT(parse("s", "--test-type", tests[t], NULL), PPTP_PARSE_OK);
		CHECK_INT(o.test_type, t);
		CHECK_INT(o.nnotes, 0);
	}
	const char *other[] = { "4", "99", "-1", "abc", "", "1x", "4294967297" };
	for (size_t i = 0; i < ARRAY_LEN(other); i++) {
		CHECK_INT(parse("s", "--test-type", other[i], NULL), PPTP_PARSE_OK);
		CHECK_INT(o.test_type, 0);
		CHECK_INT(o.nnotes, 1);
		CHECK_CONTAINS(o.notes[0], "is not one of the test types 0 to 3: sending in order");
	}
	CHECK_STR(o.notes[0], "--test-type '4294967297' is not one of the test types 0 to 3: "
		  "sending in order, as pptp 1.10.0 does for most such values (it reads a leading "
		  "1, 2 or 3 as that test)");
	/* The last value counts, and so does its note. */
	CHECK_INT(parse("s", "--test-type=5", "--max-echo-wait=1", "--test-type=6", NULL),
		  PPTP_PARSE_OK);
	CHECK_INT(o.nnotes, 2);
	CHECK_CONTAINS(o.notes[0], "--max-echo-wait 1:");
	CHECK_CONTAINS(o.notes[1], "--test-type '6'");
	CHECK_INT(parse("s", "--test-type=5", "--test-type=2", NULL), PPTP_PARSE_OK);
	CHECK_INT(o.test_type, 2);
	CHECK_INT(o.nnotes, 0);
}

/* --client-hostname: the SCCRQ's 64-byte host name field. */
static void client_hostname(void)
{
	char name[80];

	CHECK_INT(parse("s", NULL), PPTP_PARSE_OK);
	CHECK(!o.have_client_hostname);
	memset(name, 'h', 64);
	name[64] = '\0';
	CHECK_INT(parse("s", "--client-hostname", name, NULL), PPTP_PARSE_OK);
	CHECK(o.have_client_hostname);
	CHECK_STR(o.client_hostname, name);
	name[64] = 'h';
	name[65] = '\0';
	CHECK_INT(parse("s", "--client-hostname", name, NULL), PPTP_PARSE_ERROR);
	CHECK_CONTAINS(err, "--client-hostname");
	CHECK_CONTAINS(err, "64 characters");
	CHECK_INT(parse("s", "--client-hostname=", NULL), PPTP_PARSE_OK);
	CHECK(o.have_client_hostname);
	CHECK_STR(o.client_hostname, "");
	CHECK_INT(parse("s", "--client-hostname", "a b/c\\d", NULL), PPTP_PARSE_OK);
	CHECK_STR(o.client_hostname, "a b/c\\d");
	CHECK_INT(parse("s", "--client-hostname", "a\nb", NULL), PPTP_PARSE_ERROR);
	CHECK_CONTAINS(err, "control character (0x0a)");
	CHECK_INT(parse("s", "--client-hostname=ab\x1b[2J", NULL), PPTP_PARSE_ERROR);
	CHECK_CONTAINS(err, "0x1b");
	CHECK_INT(parse("s", "--client-hostname", "host\x7f", NULL), PPTP_PARSE_ERROR);
	CHECK_INT(parse("s", "--client-hostname", "h\xc3\xa9te", NULL), PPTP_PARSE_OK);
}

/* --kernel: the kernel's GRE neither reorders nor tests; --nobuffer is
 * what it does anyway. */
static void kernel_option(void)
{
	CHECK_INT(parse("s", "--kernel", NULL), PPTP_PARSE_OK);
	CHECK(o.kernel);
	CHECK_INT(parse("s", "--kern", "--nolaunchpppd", "--nobuffer", "--sync", NULL), PPTP_PARSE_OK);
	CHECK(o.kernel && o.nolaunchpppd && o.nobuffer && o.sync);
	CHECK_INT(parse("s", "--kernel", "--timeout", "1", NULL), PPTP_PARSE_ERROR);
	CHECK_CONTAINS(err, "--kernel cannot honour --timeout");
	CHECK_INT(parse("s", "--kernel", "--test-type", "2", NULL), PPTP_PARSE_ERROR);
	CHECK_CONTAINS(err, "--kernel cannot honour --test-type");
	CHECK_INT(parse("s", "--kernel", "--missing-window", "10", NULL), PPTP_PARSE_ERROR);
	CHECK_CONTAINS(err, "--kernel cannot honour --missing-window");
	CHECK_INT(parse("--diagnose", "s", "--kernel", NULL), PPTP_PARSE_ERROR);
	CHECK_CONTAINS(err, "--kernel cannot honour --diagnose");
	CHECK_INT(parse("s", "--kernel", "--rtmark", "7", NULL), PPTP_PARSE_ERROR);
	CHECK_CONTAINS(err, "--kernel cannot honour --rtmark");
	CHECK_INT(parse("s", "--kernel", "--rtmark", "0", NULL), PPTP_PARSE_OK);	/* 0: no mark */
	/* a test type that sends in order is no test */
	CHECK_INT(parse("s", "--kernel", "--test-type", "0", NULL), PPTP_PARSE_OK);
}

const struct test_case options_tests[] = {
	{ "abbreviations", abbreviations },
	{ "double_dash", double_dash },
	{ "zero_values", zero_values },
	{ "test_types", test_types },
	{ "client_hostname", client_hostname },
	{ "issue7_options", issue7_options },
	{ "defaults_match_the_manual", defaults_match_the_manual },
	{ "every_option_is_accepted", every_option_is_accepted },
	{ "equals_form", equals_form },
	{ "pppd_options_pass_through_in_order", pppd_options_pass_through_in_order },
	{ "ranges_are_enforced_with_words", ranges_are_enforced_with_words },
	{ "quirks_and_addresses", quirks_and_addresses },
	{ "unknown_and_missing", unknown_and_missing },
	{ "combinations", combinations },
	{ "help_and_version", help_and_version },
	{ "kernel_option", kernel_option },
	{ NULL, NULL },
};
