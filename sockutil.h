/* sockutil.h - socket set-up shared by the TCP control socket and the raw
 * GRE socket: --localbind and --rtmark apply to both. */
#ifndef PPTP_SOCKUTIL_H
#define PPTP_SOCKUTIL_H

#include <stddef.h>

#include "pptp_ctrl.h"
#include "pptp_options.h"

/* Bind fd to --localbind (port 0) and set SO_MARK to --rtmark when given.
 * 0, or -1 with a sentence naming the option in err. */
int sock_bind_mark(int fd, const struct pptp_options *o, char *err, size_t errlen);

/* A failed connect() towards the server, in words that say what it means
 * for a PPTP user (seed 004's fault tree: is TCP/1723 reachable?). */
void connect_error_words(int err, const char *server, int timeout_s, char *buf, size_t cap);
/* Whether a connect() errno means the server cannot be reached (exit 4). */
int connect_error_is_reachability(int err);

/* The control connection's TCP socket and its engine: hand the engine what
 * the socket holds (at most 16 reads, so one busy peer cannot starve the
 * rest of a poll loop), and send what the engine has queued.  End of file
 * and errors go to pptp_conn_transport_closed. */
void conn_socket_read(struct pptp_conn *c, int fd, uint64_t now);
void conn_socket_flush(struct pptp_conn *c, int fd, uint64_t now);

#endif
