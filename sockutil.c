/* sockutil.c - --localbind and --rtmark on our sockets; the control
 * connection's socket fed to and drained from its engine. */
#include "sockutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

int sock_bind_mark(int fd, const struct pptp_options *o, char *err, size_t errlen)
{
	if (o->have_rtmark &&
	    setsockopt(fd, SOL_SOCKET, SO_MARK, &o->rtmark, sizeof o->rtmark) < 0) {
		int e = errno;
		snprintf(err, errlen, "--rtmark %u: cannot mark the socket: %s%s", o->rtmark,
			 strerror(e), e == EPERM ? " (needs root or CAP_NET_ADMIN)" : "");
		return -1;
	}
	if (o->have_localbind) {
		struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = o->localbind };
		if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
			int e = errno;
			char a[INET_ADDRSTRLEN];
			inet_ntop(AF_INET, &sa.sin_addr, a, sizeof a);
			snprintf(err, errlen, "--localbind %s: cannot bind: %s%s", a, strerror(e),
				 e == EADDRNOTAVAIL ? " (not an address of this machine)" : "");
			return -1;
		}
	}
	return 0;
}

void connect_error_words(int err, const char *s, int timeout_s, char *buf, size_t cap)
{
	switch (err) {
	case ECONNREFUSED:
		snprintf(buf, cap, "connection refused by %s: nothing accepts PPTP on TCP port "
			 "1723 there (is it a PPTP server, and is its PPTP service running?)", s);
		break;
	case ETIMEDOUT:
		snprintf(buf, cap, "no answer from %s on TCP port 1723 within %d s: the server is "
			 "down, or a firewall drops PPTP's control connection", s, timeout_s);
		break;
	case ENETUNREACH:
		snprintf(buf, cap, "network unreachable: this machine has no route to %s (check "
			 "its network connection and routes)", s);
		break;
	case EHOSTUNREACH:
		snprintf(buf, cap, "host unreachable: %s does not answer on the local network, or "
			 "a router reported it unreachable (is the address right?)", s);
		break;
	case EACCES:
	case EPERM:
		snprintf(buf, cap, "connecting to %s is not permitted: a local firewall rule "
			 "blocks it", s);
		break;
	default:
		snprintf(buf, cap, "cannot connect to %s: %s", s, strerror(err));
	}
}

int connect_error_is_reachability(int err)
{
	return err == ECONNREFUSED || err == ETIMEDOUT || err == ENETUNREACH ||
	       err == EHOSTUNREACH || err == EACCES || err == EPERM;
}

void conn_socket_read(struct pptp_conn *c, int fd, uint64_t now)
{
	uint8_t buf[4096];

	for (int rounds = 0; rounds < 16; rounds++) {
		ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
		if (n > 0) {
			pptp_conn_input(c, buf, (size_t)n, now);
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		pptp_conn_transport_closed(c, n < 0 ? errno : 0, now);
		return;
	}
}

void conn_socket_flush(struct pptp_conn *c, int fd, uint64_t now)
{
	const uint8_t *p;
	size_t n;

	while ((n = pptp_conn_pending(c, &p))) {
		ssize_t w = send(fd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			pptp_conn_transport_closed(c, errno, now);
			return;
		}
		pptp_conn_consume(c, (size_t)w);
	}
}
