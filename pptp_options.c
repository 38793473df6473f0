/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pptp_options.c - the command line, as the manual page defines it.
 *
 * Long options may be written "--name value" or "--name=value", and
 * abbreviated to any prefix that names one option only, as getopt_long
 * allows.  Anything that does not start with '-' is a pppd option, except
 * the first such argument, which names the server; after "--" every
 * argument is a pppd option (the server first, if none came yet). */
#include "pptp_options.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pptp_quirks.h"

struct opt_ctx {
	struct pptp_options *o;
	char *err;
	size_t errlen;
};

typedef int (*opt_fn)(struct opt_ctx *c, const char *name, const char *val);

static int fail(struct opt_ctx *c, const char *fmt, ...) PPTP_PRINTF(2, 3);
static int fail(struct opt_ctx *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->err, c->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* Forget the note about an option given again: the last value counts. */
static void drop_note(struct opt_ctx *c, const char *name)
{
	struct pptp_options *o = c->o;
	size_t n = strlen(name);

	for (int i = 0; i < o->nnotes; i++) {
		if (strncmp(o->notes[i], name, n) || o->notes[i][n] != ' ')
			continue;
		memmove(o->notes[i], o->notes[i + 1], (size_t)(o->nnotes - i - 1) * PPTP_NOTE_LEN);
		o->nnotes--;
		return;
	}
}

/* A difference from the classic client, for the caller to log; it starts
 * with the option's name. */
static void note(struct opt_ctx *c, const char *name, const char *fmt, ...) PPTP_PRINTF(3, 4);
static void note(struct opt_ctx *c, const char *name, const char *fmt, ...)
{
	va_list ap;
	int n;

	drop_note(c, name);
	if (c->o->nnotes >= PPTP_MAX_NOTES)
		return;
	n = snprintf(c->o->notes[c->o->nnotes], PPTP_NOTE_LEN, "%s ", name);
	va_start(ap, fmt);
	vsnprintf(c->o->notes[c->o->nnotes++] + n, PPTP_NOTE_LEN - (size_t)n, fmt, ap);
	va_end(ap);
}

static int want_uint(struct opt_ctx *c, const char *name, const char *val, unsigned long min,
		     unsigned long max, unsigned long *out)
{
	int r = parse_uint(val, min, max, out);
	if (r == 0)
		return 0;
	snprintf(c->err, c->errlen, "%s '%s': %s; allowed: a whole number from %lu to %lu", name,
		 val, r == -ERANGE ? "out of range" : "not a number", min, max);
	return -1;
}

/* A string the PPTP header carries in a 64-byte field. */
static int want_field(struct opt_ctx *c, const char *name, const char *val, char *dst)
{
	if (strlen(val) > PPTP_STR_LEN)
		return fail(c, "%s '%.100s': longer than the 64 characters PPTP can carry", name,
			    val);
	str_copy(dst, val, PPTP_STR_LEN + 1);
	return 0;
}

static int opt_phone(struct opt_ctx *c, const char *name, const char *val)
{
	return want_field(c, name, val, c->o->phone);
}

static int opt_client_hostname(struct opt_ctx *c, const char *name, const char *val)
{
	/* The server logs it: a newline or an escape sequence there is never
	 * a host name. */
	for (const char *p = val; *p; p++)
		if ((unsigned char)*p < ' ' || *p == 0x7f)
			return fail(c, "%s: a control character (0x%02x) is no part of a host name",
				    name, (unsigned char)*p);
	c->o->have_client_hostname = true;
	return want_field(c, name, val, c->o->client_hostname);
}

static int opt_quirks(struct opt_ctx *c, const char *name, const char *val)
{
	c->o->quirk = pptp_quirk_find(val);
	if (c->o->quirk)
		return 0;
	snprintf(c->err, c->errlen, "%s '%s': unknown quirk; allowed: %s", name, val,
		 pptp_quirk_names());
	return -1;
}

static int opt_timeout(struct opt_ctx *c, const char *name, const char *val)
{
	int r = parse_seconds(val, 10000, 10000000, &c->o->timeout_us);
	if (r)
		return fail(c, "%s '%s': allowed: 0.01 to 10 seconds", name, val);
	c->o->timeout_given = true;
	return 0;
}

static int opt_idle_wait(struct opt_ctx *c, const char *name, const char *val)
{
	unsigned long v;
	if (want_uint(c, name, val, 0, 86400, &v))
		return -1;
	c->o->idle_wait_s = (uint32_t)v;
	return 0;
}

static int opt_max_echo_wait(struct opt_ctx *c, const char *name, const char *val)
{
	unsigned long v;
	if (want_uint(c, name, val, 0, 86400, &v))
		return -1;
	c->o->max_echo_wait_s = (uint32_t)v;
	/* The classic client says it ignores this option; we honour it. */
	note(c, name, "%lu: %s (pptp 1.10.0 ignores this option)", v,
	     v ? "honoured here" : "an unanswered Echo-Request never ends the control connection");
	return 0;
}

static int opt_logstring(struct opt_ctx *c, const char *name, const char *val)
{
	size_t n = strlen(val);
	if (n == 0 || n >= sizeof c->o->logstring)
		return fail(c, "%s '%s': allowed: 1 to 63 printable characters", name, val);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)val[i] <= ' ' || (unsigned char)val[i] >= 0x7f || val[i] == '%')
			return fail(c, "%s '%s': allowed: printable characters without spaces or '%%'",
				    name, val);
	str_copy(c->o->logstring, val, sizeof c->o->logstring);
	return 0;
}

static int opt_localbind(struct opt_ctx *c, const char *name, const char *val)
{
	struct in_addr a;
	if (inet_pton(AF_INET, val, &a) != 1)
		return fail(c, "%s '%s': allowed: an IPv4 address such as 192.0.2.10", name, val);
	c->o->have_localbind = true;
	c->o->localbind = a.s_addr;
	return 0;
}

static int opt_rtmark(struct opt_ctx *c, const char *name, const char *val)
{
	unsigned long v;
	if (want_uint(c, name, val, 0, 0xffffffffUL, &v))
		return -1;
	/* Mark 0 is what an unmarked packet carries: as if not given. */
	c->o->have_rtmark = v != 0;
	c->o->rtmark = (uint32_t)v;
	return 0;
}

static int opt_loglevel(struct opt_ctx *c, const char *name, const char *val)
{
	unsigned long v;
	if (want_uint(c, name, val, 0, 2, &v))
		return -1;
	c->o->loglevel = (int)v;
	return 0;
}

/* The classic client takes any value here; 1, 2 and 3 are its tests. */
static int opt_test_type(struct opt_ctx *c, const char *name, const char *val)
{
	unsigned long v;
	if (parse_uint(val, 0, 3, &v) == 0) {
		c->o->test_type = (int)v;
		drop_note(c, name);
		return 0;
	}
	c->o->test_type = 0;
	note(c, name, "'%.40s' is not one of the test types 0 to 3: sending in order, as pptp "
	     "1.10.0 does for most such values (it reads a leading 1, 2 or 3 as that test)", val);
	return 0;
}

static int opt_test_rate(struct opt_ctx *c, const char *name, const char *val)
{
	unsigned long v;
	if (want_uint(c, name, val, 0, 1000000, &v))
		return -1;
	c->o->test_rate = (unsigned)v;
	c->o->test_rate_given = true;
	return 0;
}

static int opt_missing_window(struct opt_ctx *c, const char *name, const char *val)
{
	unsigned long v;
	if (want_uint(c, name, val, 1, 1000000, &v))
		return -1;
	c->o->missing_window = (uint32_t)v;
	return 0;
}

static int opt_connect_timeout(struct opt_ctx *c, const char *name, const char *val)
{
	unsigned long v;
	if (want_uint(c, name, val, 1, 300, &v))
		return -1;
	c->o->connect_timeout_s = (uint32_t)v;
	return 0;
}

#define FLAG(field) \
	static int opt_##field(struct opt_ctx *c, const char *name, const char *val) \
	{ (void)name; (void)val; c->o->field = true; return 0; }
FLAG(nolaunchpppd)
FLAG(debug)
FLAG(sync)
FLAG(nobuffer)
FLAG(nohostroute)
FLAG(kernel)
FLAG(diagnose)
FLAG(status)
FLAG(json)
FLAG(help)
FLAG(version)

static const struct {
	const char *name;
	bool has_arg;
	opt_fn fn;
} options[] = {
	{ "phone", true, opt_phone },
	{ "client-hostname", true, opt_client_hostname },
	{ "nolaunchpppd", false, opt_nolaunchpppd },
	{ "quirks", true, opt_quirks },
	{ "debug", false, opt_debug },
	{ "sync", false, opt_sync },
	{ "timeout", true, opt_timeout },
	{ "nobuffer", false, opt_nobuffer },
	{ "kernel", false, opt_kernel },
	{ "idle-wait", true, opt_idle_wait },
	{ "max-echo-wait", true, opt_max_echo_wait },
	{ "logstring", true, opt_logstring },
	{ "localbind", true, opt_localbind },
	{ "rtmark", true, opt_rtmark },
	{ "nohostroute", false, opt_nohostroute },
	{ "loglevel", true, opt_loglevel },
	{ "test-type", true, opt_test_type },
	{ "test-rate", true, opt_test_rate },
	{ "missing-window", true, opt_missing_window },
	{ "connect-timeout", true, opt_connect_timeout },
	{ "diagnose", false, opt_diagnose },
	{ "status", false, opt_status },
	{ "json", false, opt_json },
	{ "version", false, opt_version },
	{ "help", false, opt_help },
};

const char *pptp_usage(void)
{
	return "usage: pptp SERVER [PPTP-OPTIONS] [[--] PPPD-OPTIONS]\n"
	       "\n"
	       "Establishes a PPTP call to SERVER (host name or IPv4 address) and carries\n"
	       "PPP over it.  Arguments that do not start with '-' are passed to pppd, and\n"
	       "so is every argument after '--'.  A long option may be shortened to any\n"
	       "prefix that names it alone (--nolaunch, --idle=30).\n"
	       "\n"
	       "  --phone NUMBER         phone number sent to the server (at most 64 characters)\n"
	       "  --client-hostname NAME host name sent to the server (at most 64 characters;\n"
	       "                         default: local, as the classic client sends)\n"
	       "  --nolaunchpppd         do not start pppd: speak PPP on stdin/stdout\n"
	       "                         (for pppd's  pty \"pptp SERVER --nolaunchpppd\")\n"
	       "  --quirks NAME          work around a buggy server or modem (BEZEQ_ISRAEL)\n"
	       "  --debug                stay in the foreground and log to stderr\n"
	       "  --sync                 synchronous HDLC (pppd must use 'sync' too)\n"
	       "  --timeout SECONDS      wait for reordered packets, 0.01 to 10 (default 0.3)\n"
	       "  --nobuffer             no reordering: deliver at once, drop late packets\n"
	       "  --kernel               the kernel carries the frames (pty <-> GRE, no copy\n"
	       "                         through pptp; needs the pptp module, Linux 5.12+)\n"
	       "  --idle-wait SECONDS    silence before a keepalive echo, 0 to 86400 (default 60;\n"
	       "                         0: no keepalive echoes)\n"
	       "  --max-echo-wait SECONDS  wait for the echo reply, 0 to 86400 (default 60;\n"
	       "                         0: wait for ever)\n"
	       "  --logstring NAME       name used in log lines instead of 'anon'\n"
	       "  --localbind ADDRESS    local IPv4 address for the TCP and GRE sockets\n"
	       "  --rtmark N             policy routing mark (SO_MARK) on all our packets\n"
	       "                         (0: none)\n"
	       "  --nohostroute          do not add a host route towards the server\n"
	       "  --loglevel N           0 quiet, 1 default, 2 verbose\n"
	       "  --test-type N          reorder what we send, for testing servers (1 to 3;\n"
	       "                         0 and any other value: in order)\n"
	       "  --test-rate N          packets between two reordering tests (default 100;\n"
	       "                         0: no tests)\n"
	       "  --missing-window N     a packet more than N ahead is bogus (default 300)\n"
	       "  --connect-timeout SECONDS  give up connecting (TCP, the control\n"
	       "                         connection's start, the call) after this, 1 to 300\n"
	       "                         (default 20)\n"
	       "\n"
	       "  --diagnose             check every layer towards SERVER (name, TCP 1723,\n"
	       "                         control connection, call, GRE) and say which fails\n"
	       "  --status [--json]      list the tunnels running on this machine\n"
	       "  --version              print the version\n"
	       "  --help                 this text\n"
	       "\n"
	       "See pptp(8) for the details, the exit statuses and examples.\n";
}

void pptp_options_defaults(struct pptp_options *o)
{
	memset(o, 0, sizeof *o);
	o->timeout_us = PPTP_DEFAULT_TIMEOUT_US;
	o->idle_wait_s = PPTP_DEFAULT_IDLE_WAIT;
	o->max_echo_wait_s = PPTP_DEFAULT_MAX_ECHO_WAIT;
	str_copy(o->logstring, "anon", sizeof o->logstring);
	o->loglevel = 1;
	o->test_rate = PPTP_DEFAULT_TEST_RATE;
	o->missing_window = PPTP_DEFAULT_MISSING_WINDOW;
	o->connect_timeout_s = PPTP_DEFAULT_CONNECT_TIMEOUT;
}

/* Cross-option checks, once everything is known. */
static enum pptp_parse_result check_combination(struct opt_ctx *c)
{
	struct pptp_options *o = c->o;

	if (o->json && !o->status) {
		snprintf(c->err, c->errlen, "--json goes with --status");
		return PPTP_PARSE_ERROR;
	}
	if (o->status) {
		if (o->server || o->diagnose || o->pppd_argc) {
			snprintf(c->err, c->errlen, "--status takes no server and no other action");
			return PPTP_PARSE_ERROR;
		}
		return PPTP_PARSE_OK;
	}
	if (!o->server) {
		snprintf(c->err, c->errlen, "no server given: the first argument that does not "
			 "start with '-' must be the server's host name or address");
		return PPTP_PARSE_ERROR;
	}
	/* Rate 0 never tests, as in the classic client. */
	if (o->test_rate == 0)
		o->test_type = 0, o->test_rate_given = false;
	if (o->diagnose && (o->pppd_argc > 0 || o->nolaunchpppd)) {
		snprintf(c->err, c->errlen, "--diagnose runs no pppd: it takes no pppd options and "
			 "no --nolaunchpppd");
		return PPTP_PARSE_ERROR;
	}
	if (o->kernel && (o->diagnose || o->timeout_given || o->test_type ||
			  o->missing_window != PPTP_DEFAULT_MISSING_WINDOW)) {
		/* The kernel's GRE has none of these: it never reorders. */
		snprintf(c->err, c->errlen, "--kernel cannot honour %s: the kernel's PPTP neither "
			 "reorders nor tests (leave the option out, or drop --kernel)",
			 o->diagnose ? "--diagnose" : o->timeout_given ? "--timeout"
			 : o->test_type ? "--test-type" : "--missing-window");
		return PPTP_PARSE_ERROR;
	}
	if (o->kernel && o->have_rtmark) {
		/* The kernel routes its GRE without the socket, so a mark set on
		 * it never reaches the packets: control and data would part. */
		snprintf(c->err, c->errlen, "--kernel cannot honour --rtmark: the kernel's PPTP "
			 "routes its GRE without the socket's mark, so the data would leave by "
			 "another route than the control connection");
		return PPTP_PARSE_ERROR;
	}
	/* pppd options with --nolaunchpppd have no pppd to go to: the
	 * classic client drops them, and peers files rely on that, so they
	 * are kept here for the caller to warn about (not an error). */
	return PPTP_PARSE_OK;
}

/* The option a long name (without "--" and "=value") stands for: the
 * option of exactly that name, else the only one it is a prefix of.  -1,
 * with the sentence in err, when none or several fit. */
static int find_option(const char *arg, const char *name, size_t nlen, char *err, size_t errlen)
{
	int found = -1, count = 0;
	char list[256] = "";

	for (size_t k = 0; nlen > 0 && k < ARRAY_LEN(options); k++) {
		if (strncmp(options[k].name, name, nlen))
			continue;
		if (options[k].name[nlen] == '\0')
			return (int)k;
		found = (int)k;
		count++;
		size_t l = strlen(list);
		snprintf(list + l, sizeof list - l, "%s--%s", count > 1 ? ", " : "", options[k].name);
	}
	if (count == 1)
		return found;
	if (count == 0)
		snprintf(err, errlen, "unknown option '%.100s'", arg);
	else
		snprintf(err, errlen, "option '%.100s' is ambiguous: it could be %s", arg, list);
	return -1;
}

/* One "--name[=value]" argument at argv[*i] (the value may be the next
 * argument, which *i then moves past). */
static int parse_long(struct opt_ctx *c, int argc, char *const argv[], int *i)
{
	const char *a = argv[*i], *name = a + 2, *eq = strchr(name, '=');
	size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
	int k = find_option(a, name, nlen, c->err, c->errlen);
	char shown[64];
	const char *val = NULL;

	if (k < 0)
		return -1;
	snprintf(shown, sizeof shown, "--%s", options[k].name);
	if (options[k].has_arg) {
		if (eq)
			val = eq + 1;
		else if (*i + 1 < argc)
			val = argv[++*i];
		else
			return fail(c, "%s needs a value", shown);
	} else if (eq) {
		return fail(c, "%s takes no value", shown);
	}
	return options[k].fn(c, shown, val);
}

/* A word that is not a pptp option: the server, or one for pppd. */
static int add_word(struct opt_ctx *c, char *word)
{
	struct pptp_options *o = c->o;

	if (!o->server) {
		if (word[0] == '-')
			return fail(c, "no server given: '%.100s' after '--' is not a host name",
				    word);
		o->server = word;
		return 0;
	}
	if (o->pppd_argc >= PPTP_MAX_PPPD_ARGS)
		return fail(c, "too many pppd options (at most %d)", PPTP_MAX_PPPD_ARGS);
	o->pppd_argv[o->pppd_argc++] = word;
	return 0;
}

enum pptp_parse_result pptp_options_parse(int argc, char *const argv[], struct pptp_options *o,
					  char *err, size_t errlen)
{
	struct opt_ctx c = { o, err, errlen };
	bool rest_to_pppd = false;

	pptp_options_defaults(o);
	if (errlen)
		err[0] = '\0';
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int r;

		if (rest_to_pppd || a[0] != '-') {
			r = add_word(&c, argv[i]);
		} else if (!strcmp(a, "--")) {
			rest_to_pppd = true;
			continue;
		} else if (!strcmp(a, "-h")) {
			o->help = true;
			continue;
		} else if (a[1] != '-') {
			r = fail(&c, "unknown option '%.100s' (pptp options start with '--')", a);
		} else {
			r = parse_long(&c, argc, argv, &i);
		}
		if (r)
			return PPTP_PARSE_ERROR;
	}
	if (o->help)
		return PPTP_PARSE_HELP;
	if (o->version)
		return PPTP_PARSE_VERSION;
	return check_combination(&c);
}
