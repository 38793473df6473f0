/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test.h - the unit test framework: CHECK macros and the case table.
 * Each suite file defines a NULL-terminated `const struct test_case
 * NAME_tests[]`; run.c lists the suites and runs every case in a child
 * process, so a crash fails one case and not the run. */
#ifndef PPTP_TEST_H
#define PPTP_TEST_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct test_case {
	const char *name;
	void (*fn)(void);
};

void test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Hex dump helper for failure messages. */
void test_dump(const char *label, const void *p, size_t n);

#define CHECK(c) do { if (!(c)) test_fail(__FILE__, __LINE__, "%s", #c); } while (0)
#define CHECK_INT(a, b) do { long long _a = (long long)(a), _b = (long long)(b); \
	if (_a != _b) test_fail(__FILE__, __LINE__, "%s == %lld, expected %s == %lld", #a, _a, #b, _b); } while (0)
#define CHECK_UINT(a, b) do { unsigned long long _a = (unsigned long long)(a), _b = (unsigned long long)(b); \
	if (_a != _b) test_fail(__FILE__, __LINE__, "%s == %llu, expected %s == %llu", #a, _a, #b, _b); } while (0)
#define CHECK_STR(a, b) do { const char *_a = (a), *_b = (b); \
	if (!_a || !_b || strcmp(_a, _b)) test_fail(__FILE__, __LINE__, "%s == \"%s\", expected \"%s\"", #a, _a ? _a : "(null)", _b ? _b : "(null)"); } while (0)
#define CHECK_CONTAINS(hay, needle) do { const char *_h = (hay), *_n = (needle); \
	if (!_h || !strstr(_h, _n)) test_fail(__FILE__, __LINE__, "%s == \"%s\" does not contain \"%s\"", #hay, _h ? _h : "(null)", _n); } while (0)
#define CHECK_MEM(a, b, n) do { const void *_a = (a), *_b = (b); size_t _n = (n); \
	if (memcmp(_a, _b, _n)) { test_dump("got", _a, _n); test_dump("want", _b, _n); \
		test_fail(__FILE__, __LINE__, "%s differs from %s (%zu bytes)", #a, #b, _n); } } while (0)

#endif
