/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sockutil.h - socket set-up shared by the TCP control socket and the raw
 * GRE socket: --localbind and --rtmark apply to both. */
#ifndef PPTP_SOCKUTIL_H
#define PPTP_SOCKUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pptp_options.h"

/* Bind fd to --localbind (port 0) and set SO_MARK to --rtmark when given.
 * 0, or -errno with a sentence naming the option in err. */
int sock_bind_mark(int fd, const struct pptp_options *o, char *err, size_t errlen);

/* A failed connect() towards the server, in words that say what it means
 * for a PPTP user (is TCP/1723 reachable?): the sentence for the log and
 * the verdict, the short word of a --diagnose step, its advice. */
void connect_error_words(int err, const char *server, int timeout_s, char *buf, size_t cap);
void connect_error_short(int err, char *buf, size_t cap);
void connect_error_advice(int err, const char *server, unsigned timeout_s, char *buf, size_t cap);
/* Whether a connect() errno means the server cannot be reached (exit 4). */
int connect_error_is_reachability(int err);

/* A connect() that an ICMP "administratively prohibited" (a firewall's
 * reject) ended.  The kernel reports it as EHOSTUNREACH or ENETUNREACH,
 * like a routing failure: connect_error_refine tells it apart.  Not an
 * errno (those stay far below), but taken wherever a connect errno is. */
#define CONNECT_ERR_PROHIBITED 4096
/* Set on a TCP socket before connect(): the ICMP error that may end the
 * connect is then queued on the socket as well. */
void sock_want_icmp(int fd);
/* err, or CONNECT_ERR_PROHIBITED when the socket's queued ICMP error says
 * a firewall prohibited the connection. */
int connect_error_refine(int fd, int err);

/* Every IPv4 address of name, in the resolver's order, without repeats, at
 * most max.  Returns how many, or -1 with getaddrinfo's error in *gai and
 * its words in why. */
int resolve_ipv4(const char *name, uint32_t *addrs, int max, int *gai, char *why, size_t whylen);
/* Addresses as "a, b, c". */
void addr_list_str(const uint32_t *addrs, int n, char *buf, size_t cap);

/* Open the raw GRE socket (IP protocol 47), applying --localbind and
 * --rtmark, connected to the server.  Returns the socket, or -errno with
 * err saying why; *unreachable tells a server that cannot be reached (the
 * connect failed as a route or a firewall would make it) from a local
 * failure. */
int gre_socket_open(const struct pptp_options *o, uint32_t server, bool *unreachable, char *err,
		    size_t errlen);

/* The kernel's path MTU for a connected socket's destination (IP_MTU):
 * its route's MTU, or less once an ICMP fragmentation-needed taught it;
 * 0 when it cannot say. */
unsigned sock_path_mtu(int fd);

#endif
