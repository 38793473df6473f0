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
	CHECK_INT(parse("s", "--test-type", "4", NULL), PPTP_PARSE_ERROR);
	CHECK_CONTAINS(err, "from 0 to 3");
	CHECK_INT(parse("s", "--test-rate", "0", NULL), PPTP_PARSE_ERROR);
	CHECK_INT(parse("s", "--idle-wait", "0", NULL), PPTP_PARSE_ERROR);
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
	CHECK_CONTAINS(err, "unknown option '--frobnicate'");
	CHECK_CONTAINS(err, "--help");
	CHECK_INT(parse("s", "-x", NULL), PPTP_PARSE_ERROR);
	CHECK_CONTAINS(err, "unknown option '-x'");
	CHECK_INT(parse("s", "--", NULL), PPTP_PARSE_ERROR);
	CHECK_INT(parse("s", "--timeout", NULL), PPTP_PARSE_ERROR);
	CHECK_CONTAINS(err, "--timeout needs a value");
	CHECK_INT(parse("--nobuffer", NULL), PPTP_PARSE_ERROR);
	CHECK_CONTAINS(err, "no server given");
	/* A prefix of an option is not that option. */
	CHECK_INT(parse("s", "--time", "1", NULL), PPTP_PARSE_ERROR);
}

static void combinations(void)
{
	CHECK_INT(parse("s", "--test-type", "2", "--test-rate", "9", NULL), PPTP_PARSE_ERROR);
	CHECK_CONTAINS(err, "at least 10");
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
	const char *names[] = { "--phone", "--nolaunchpppd", "--quirks", "--debug", "--sync",
				"--timeout", "--nobuffer", "--idle-wait", "--max-echo-wait",
				"--logstring", "--localbind", "--rtmark", "--nohostroute",
				"--loglevel", "--test-type", "--test-rate", "--missing-window",
				"--version", "--help", "--connect-timeout", "--diagnose",
				"--status", "--json" };
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

const struct test_case options_tests[] = {
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
	{ NULL, NULL },
};
