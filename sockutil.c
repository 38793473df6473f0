/* sockutil.c - --localbind and --rtmark on our sockets. */
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
