/* SPDX-License-Identifier: GPL-2.0-or-later */
/* util.h - logging, clocks and small string helpers shared by every layer.
 *
 * The pure engines (pptp_ctrl, gre_engine, hdlc, pqueue) use only the pure
 * helpers declared in the second half of this file; the logging functions
 * belong to the process edges, which hand the engines a pptp_log_fn. */
#ifndef PPTP_UTIL_H
#define PPTP_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>

/* Log levels: the same numbers as syslog's LOG_* so they pass straight
 * through, but usable by code that must not include syslog.h. */
enum {
	L_ERR = 3,
	L_WARNING = 4,
	L_NOTICE = 5,
	L_INFO = 6,
	L_DEBUG = 7,
};

/* Exit statuses (documented in pptp.8, EXIT STATUS). */
enum pptp_exit {
	PPTP_EXIT_OK = 0,
	PPTP_EXIT_FAILURE = 1,		/* a local system error (permissions, resources) */
	PPTP_EXIT_USAGE = 2,		/* bad command line */
	PPTP_EXIT_RESOLVE = 3,		/* the server name does not resolve */
	PPTP_EXIT_CONNECT = 4,		/* TCP/1723 unreachable: refused, no route, timed out */
	PPTP_EXIT_CTRL_REFUSED = 5,	/* the server refused the control connection */
	PPTP_EXIT_CALL_REFUSED = 6,	/* the server refused the call */
	PPTP_EXIT_KEEPALIVE = 7,	/* the control connection stopped answering echoes */
	PPTP_EXIT_PPPD = 8,		/* pppd failed or could not be started */
	PPTP_EXIT_SERVER_ENDED = 9,	/* the server ended the call or the control connection */
	PPTP_EXIT_GRE_BLOCKED = 10,	/* --diagnose: GRE does not get through */
	PPTP_EXIT_NO_PPPD = 11,		/* pppd is not installed */
	PPTP_EXIT_NO_KERNEL_PPP = 12,	/* /dev/ppp, or the kernel's PPP framing, is missing */
	PPTP_EXIT_NO_MPPE = 13,		/* the kernel has no MPPE */
	PPTP_EXIT_PATH_MTU = 14,	/* --diagnose: the path drops large packets silently */
};

/* How an engine reports a line of log: the edge decides where it goes. */
typedef void (*pptp_log_fn)(void *ctx, int level, const char *msg);

#define PPTP_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* Format a line and hand it to an engine's log callback (none: nothing).
 * Pure: this is how the engines log without knowing where lines go. */
void log_fn_printf(pptp_log_fn fn, void *ctx, int level, const char *fmt, ...) PPTP_PRINTF(4, 5);

/* ---- process-side logging (syslog facility daemon, optional stderr) ---- */

/* loglevel is --loglevel (0 quiet, 1 default, 2 verbose).  logstring is
 * --logstring, prefixed to every line; role names the process ("callmgr",
 * "gateway", ...). */
void log_init(const char *logstring, int loglevel, bool to_stderr);
void log_set_role(const char *role);
/* What the process's lines concern, after the role: the server, and the
 * call where there is one ("192.0.2.1 call 41646/0"); NULL: nothing. */
void log_set_context(const char *fmt, ...) PPTP_PRINTF(1, 2);
/* Close syslog's descriptor before closing descriptors wholesale (lines
 * logged meanwhile go to stderr only); log_resume opens it again. */
void log_suspend(void);
void log_resume(void);
void log_set_stderr(bool on);
bool log_wants(int level);
void log_msg(int level, const char *fmt, ...) PPTP_PRINTF(2, 3);
void log_vmsg(int level, const char *fmt, va_list ap) PPTP_PRINTF(2, 0);
/* A pptp_log_fn that forwards to log_msg; ctx may be a prefix string. */
void log_engine(void *ctx, int level, const char *msg);

#define log_err(...) log_msg(L_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(L_WARNING, __VA_ARGS__)
#define log_notice(...) log_msg(L_NOTICE, __VA_ARGS__)
#define log_info(...) log_msg(L_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(L_DEBUG, __VA_ARGS__)

/* ---- pure helpers ---- */

/* Monotonic clock in microseconds (the only clock the engines are fed). */
uint64_t now_us(void);

/* Copy at most cap-1 bytes and always terminate; returns strlen(src). */
size_t str_copy(char *dst, const char *src, size_t cap);

/* Render n bytes as "0a 1b ..." into dst (always terminated); at most
 * max_bytes are shown, followed by "..." when the input was longer. */
void hex_str(char *dst, size_t cap, const void *p, size_t n, size_t max_bytes);

/* Copy a fixed-width wire string field (not necessarily terminated) into
 * dst, replacing anything unprintable with '?', so it is safe to log. */
void str_printable(char *dst, size_t cap, const void *field, size_t width);

/* 32-bit FNV-1a of n bytes: a short, stable tag for a string. */
uint32_t fnv1a32(const void *p, size_t n);

/* Parse a whole decimal unsigned integer in [min, max]. 0, or -ERANGE (outside
 * it, a negative number included) or -EINVAL (not a number). */
int parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out);
/* Parse a decimal number of seconds such as "0.3" or "60" into microseconds,
 * accepting only [min_us, max_us].  0 or -EINVAL/-ERANGE. */
int parse_seconds(const char *s, uint64_t min_us, uint64_t max_us, uint64_t *out);

/* Big-endian accessors for wire fields: callers check lengths first. */
static inline uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

/* Wrap-safe sequence comparison: true when a comes before b. */
static inline bool seq_before(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Print text wrapped to width columns, indented by two.  Paragraphs are
 * separated by '\n'; one starting with "- " is a bullet with a hanging
 * indent.  Lines never break inside '...' so that a command stays whole. */
void print_wrapped(FILE *f, const char *text, size_t width);

#endif
