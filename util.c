/* SPDX-License-Identifier: GPL-2.0-or-later */
/* util.c - logging, clocks and small string helpers. */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

static struct {
	char prefix[192];	/* "logstring role context" */
	char logstring[64];
	char role[16];
	char context[96];	/* the server and call a process is about */
	int max_level;
	bool to_stderr;
	bool opened;
	bool suspended;		/* closelog()ed by log_suspend */
} lg = { "anon", "anon", "", "", L_INFO, true, false, false };

static void log_rebuild_prefix(void)
{
	snprintf(lg.prefix, sizeof lg.prefix, "%s%s%s%s%s", lg.logstring, lg.role[0] ? " " : "",
		 lg.role, lg.context[0] ? " " : "", lg.context);
}

void log_init(const char *logstring, int loglevel, bool to_stderr)
{
	str_copy(lg.logstring, logstring ? logstring : "anon", sizeof lg.logstring);
	lg.role[0] = lg.context[0] = '\0';
	log_rebuild_prefix();
	lg.max_level = loglevel <= 0 ? L_NOTICE : loglevel == 1 ? L_INFO : L_DEBUG;
	lg.to_stderr = to_stderr;
	if (!lg.opened) {
		openlog("pptp", LOG_PID | LOG_NDELAY, LOG_DAEMON);
		lg.opened = true;
	}
}

/* syslog keeps a descriptor of its own (LOG_NDELAY opens it at once).  A
 * process that closes every descriptor it did not open itself must let
 * syslog close its own first: closed behind its back, the number is reused
 * by the next open(), and the first failed send makes syslog close that
 * file (whatever it now is) to reconnect. */
void log_suspend(void)
{
	if (!lg.opened || lg.suspended)
		return;
	closelog();
	lg.suspended = true;
}

void log_resume(void)
{
	if (!lg.suspended)
		return;
	openlog("pptp", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	lg.suspended = false;
}

void log_set_role(const char *role)
{
	str_copy(lg.role, role ? role : "", sizeof lg.role);
	log_rebuild_prefix();
}

void log_set_context(const char *fmt, ...)
{
	va_list ap;

	lg.context[0] = '\0';
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(lg.context, sizeof lg.context, fmt, ap);
		va_end(ap);
	}
	log_rebuild_prefix();
}
void log_set_stderr(bool on) { lg.to_stderr = on; }
bool log_wants(int level) { return level <= lg.max_level; }

void log_vmsg(int level, const char *fmt, va_list ap)
{
	char line[1024];

	if (!log_wants(level))
		return;
	vsnprintf(line, sizeof line, fmt, ap);
	if (lg.opened && !lg.suspended)
		syslog(LOG_DAEMON | level, "%s: %s", lg.prefix, line);
	/* Warnings and errors always reach stderr too: pppd copies a pty
	 * program's stderr into its log, and a machine without a syslog
	 * daemon would lose them.  Notices and below only when asked (a
	 * terminal, --debug), so pppd's log is not flooded. */
	if (lg.to_stderr || level <= L_WARNING) {
		/* One write per line so the processes' lines do not interleave. */
		char out[1400];
		static const char *const names[] = { [L_ERR] = "error", [L_WARNING] = "warning",
						     [L_NOTICE] = "notice", [L_INFO] = "info",
						     [L_DEBUG] = "debug" };
		const char *lv = level >= L_ERR && level <= L_DEBUG ? names[level] : "log";
		int n = snprintf(out, sizeof out, "pptp[%ld] %s: %s: %s\n", (long)getpid(), lv,
				 lg.prefix, line);
		if (n > 0) {
			size_t len = (size_t)n < sizeof out ? (size_t)n : sizeof out - 1;
			ssize_t w = write(STDERR_FILENO, out, len);
			(void)w;
		}
	}
}

void log_msg(int level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

void log_fn_printf(pptp_log_fn fn, void *ctx, int level, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (!fn)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	fn(ctx, level, line);
}

void log_engine(void *ctx, int level, const char *msg)
{
	if (ctx)
		log_msg(level, "%s%s", (const char *)ctx, msg);
	else
		log_msg(level, "%s", msg);
}

uint64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

size_t str_copy(char *dst, const char *src, size_t cap)
{
	size_t n = strlen(src);
	if (cap) {
		size_t c = n < cap - 1 ? n : cap - 1;
		memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return n;
}

void hex_str(char *dst, size_t cap, const void *p, size_t n, size_t max_bytes)
{
	static const char digits[] = "0123456789abcdef";
	const uint8_t *b = p;
	size_t o = 0, i;

	if (!cap)
		return;
	for (i = 0; i < n && i < max_bytes && o + 4 <= cap; i++) {
		if (i)
			dst[o++] = ' ';
		dst[o++] = digits[b[i] >> 4];
		dst[o++] = digits[b[i] & 15];
	}
	if (i < n && o + 4 <= cap) {
		memcpy(dst + o, " ...", 4);
		o += 4;
	}
	dst[o < cap ? o : cap - 1] = '\0';
}

void str_printable(char *dst, size_t cap, const void *field, size_t width)
{
	const uint8_t *f = field;
	size_t o = 0;

	if (!cap)
		return;
	for (size_t i = 0; i < width && f[i] && o + 1 < cap; i++)
		dst[o++] = (f[i] >= 0x20 && f[i] < 0x7f) ? (char)f[i] : '?';
	dst[o] = '\0';
}

uint32_t fnv1a32(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

int parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!s || !*s || *s == '+' || *s == ' ')
		return -EINVAL;
	/* A negative whole number is a number, below every range here. */
	if (*s == '-')
		return s[1] && strspn(s + 1, "0123456789") == strlen(s + 1) ? -ERANGE : -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int parse_seconds(const char *s, uint64_t min_us, uint64_t max_us, uint64_t *out)
{
	uint64_t whole = 0, frac = 0, scale = 1000000;
	const char *p = s;
	bool digits = false;

	if (!s)
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		digits = true;
		if (whole > 100000000u)
			return -ERANGE;
		whole = whole * 10 + (uint64_t)(*p - '0');
	}
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++) {
			digits = true;
			if (scale > 1) {
				scale /= 10;
				frac += (uint64_t)(*p - '0') * scale;
			}
		}
	}
	if (!digits || *p)
		return -EINVAL;
	whole = whole * 1000000u + frac;
	if (whole < min_us || whole > max_us)
		return -ERANGE;
	*out = whole;
	return 0;
}

/* For --diagnose's advice (see util.h). */
void print_wrapped(FILE *f, const char *text, size_t width)
{
	const char *p = text;

	while (*p) {
		const char *end = strchr(p, '\n');
		size_t plen = end ? (size_t)(end - p) : strlen(p);
		bool bullet = plen >= 2 && p[0] == '-' && p[1] == ' ';
		const char *first = bullet ? "  - " : "  ", *cont = bullet ? "    " : "  ";
		size_t i = bullet ? 2 : 0, col = 0;

		fputs(first, f);
		col = strlen(first);
		bool line_empty = true;
		while (i < plen) {
			while (i < plen && p[i] == ' ')
				i++;
			if (i >= plen)
				break;
			/* One word: up to a space outside quotes. */
			size_t j = i;
			bool quoted = false;
			while (j < plen && (quoted || p[j] != ' ')) {
				/* A quote opens at the start of a word and closes
				 * before a non-letter: "server's" is no quote. */
				if (p[j] == '\'' && !quoted && (j == i || p[j - 1] == '('))
					quoted = true;
				else if (p[j] == '\'' && quoted &&
					 (j + 1 == plen || !isalnum((unsigned char)p[j + 1])))
					quoted = false;
				j++;
			}
			size_t w = j - i;
			if (!line_empty && col + 1 + w > width) {
				fprintf(f, "\n%s", cont);
				col = strlen(cont);
				line_empty = true;
			}
			if (!line_empty) {
				fputc(' ', f);
				col++;
			}
			fwrite(p + i, 1, w, f);
			col += w;
			line_empty = false;
			i = j;
		}
		fputc('\n', f);
		p += plen;
		if (*p == '\n')
			p++;
	}
	fflush(f);
}
