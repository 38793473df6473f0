/* SPDX-License-Identifier: GPL-2.0-or-later */
/* run.c - runs every unit test case, each in its own child process, and
 * ends with the line "N passed, N failed".
 *   unit_tests [-n] [FILTER]   -n: no fork (for gdb); FILTER: substring */
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test.h"

/* Weak while the suites are being written in parallel: a missing suite is
 * reported as a failure, never skipped silently. */
#define SUITE(n) extern const struct test_case n[] __attribute__((weak));
SUITE(util_tests) SUITE(ctrl_tests) SUITE(quirks_tests) SUITE(hdlc_tests)
SUITE(pqueue_tests) SUITE(gre_tests) SUITE(options_tests) SUITE(callmgr_proto_tests)
SUITE(status_tests) SUITE(lcp_probe_tests) SUITE(exitstatus_tests)
SUITE(wire_tests) SUITE(runpath_tests)
SUITE(stats_tests) SUITE(mtu_tests) SUITE(gre_watch_tests)

static const struct {
	const char *name;
	const struct test_case *cases;
} suites[] = {
	{ "util", util_tests },
	{ "ctrl", ctrl_tests },
	{ "quirks", quirks_tests },
	{ "hdlc", hdlc_tests },
	{ "pqueue", pqueue_tests },
	{ "gre", gre_tests },
	{ "options", options_tests },
	{ "callmgr_proto", callmgr_proto_tests },
	{ "status", status_tests },
	{ "lcp_probe", lcp_probe_tests },
	{ "exitstatus", exitstatus_tests },
	{ "wire", wire_tests },
	{ "runpath", runpath_tests },
	{ "stats", stats_tests },
	{ "mtu", mtu_tests },
	{ "gre_watch", gre_watch_tests },
};

static int failures;

void test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "    %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	failures++;
}

void test_dump(const char *label, const void *p, size_t n)
{
	const uint8_t *b = p;
	fprintf(stderr, "    %s:", label);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "%s%02x", i % 16 ? " " : "\n      ", b[i]);
	fputc('\n', stderr);
}

static bool run_case(const struct test_case *tc, bool fork_each)
{
	if (!fork_each) {
		failures = 0;
		tc->fn();
		return failures == 0;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		return false;
	}
	if (pid == 0) {
		failures = 0;
		tc->fn();
		/* exit(), not _exit(): LeakSanitizer checks at exit. */
		exit(failures ? 1 : 0);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		;
	if (WIFSIGNALED(st))
		fprintf(stderr, "    killed by signal %d\n", WTERMSIG(st));
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

int main(int argc, char **argv)
{
	bool fork_each = true;
	const char *filter = NULL;
	int passed = 0, failed = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-n"))
			fork_each = false;
		else
			filter = argv[i];
	}
	for (size_t s = 0; s < sizeof suites / sizeof suites[0]; s++) {
		if (!suites[s].cases) {
			if (!filter || strstr(suites[s].name, filter)) {
				fprintf(stderr, "FAIL %s: suite not linked in\n", suites[s].name);
				failed++;
			}
			continue;
		}
		for (const struct test_case *tc = suites[s].cases; tc->name; tc++) {
			char full[200];
			snprintf(full, sizeof full, "%s/%s", suites[s].name, tc->name);
			if (filter && !strstr(full, filter))
				continue;
			if (run_case(tc, fork_each)) {
				passed++;
			} else {
				failed++;
				fprintf(stderr, "FAIL %s\n", full);
			}
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
