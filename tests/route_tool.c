/* SPDX-License-Identifier: GPL-2.0-or-later */
/* route_tool.c - drive routing.c by hand for tests/integration/routing.sh.
 *
 *   route_tool add SERVER_IP [SOURCE_IP]
 *
 * Pins the route to SERVER_IP, prints what it did, holds the route until
 * stdin reaches end of file or SIGTERM/SIGINT arrives, then removes it.
 * Errors go to stderr with exit status 1. */
#include "routing.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Wait for end of stdin or a signal.  The signals stay blocked except
 * inside ppoll, so one arriving just before the wait is not lost. */
static void hold(void)
{
	struct sigaction sa;
	sigset_t block, waitmask;
	char buf[256];

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &waitmask);
	sigdelset(&waitmask, SIGTERM);
	sigdelset(&waitmask, SIGINT);

	while (!stop) {
		struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
		int n = ppoll(&pfd, 1, NULL, &waitmask);
		ssize_t got;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd.revents & POLLNVAL)
			break;
		got = read(STDIN_FILENO, buf, sizeof buf);
		if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN))
			break;
	}
}

int main(int argc, char **argv)
{
	struct host_route r;
	struct in_addr server;
	char err[256], gw[INET_ADDRSTRLEN];
	bool added;

	struct in_addr src = { 0 };

	if (argc < 3 || argc > 4 || strcmp(argv[1], "add") != 0) {
		fprintf(stderr, "usage: route_tool add SERVER_IP [SOURCE_IP]\n");
		return 1;
	}
	if (inet_pton(AF_INET, argv[2], &server) != 1 ||
	    (argc == 4 && inet_pton(AF_INET, argv[3], &src) != 1)) {
		fprintf(stderr, "route_tool: %s is not an IPv4 address\n", argv[argc - 1]);
		return 1;
	}

	if (route_host_add(server.s_addr, src.s_addr, &r, err, sizeof err) < 0) {
		fprintf(stderr, "route_tool: %s\n", err);
		return 1;
	}
	added = r.added;
	if (r.added && r.gateway)
		printf("added via %s dev %s\n", inet_ntop(AF_INET, &r.gateway, gw, sizeof gw), r.ifname);
	else if (r.added)
		printf("added dev %s\n", r.ifname);
	else if (r.ifindex)
		printf("exists\n");
	else
		printf("local: no route needed\n");
	fflush(stdout);

	hold();

	if (route_host_remove(&r, err, sizeof err) < 0) {
		fprintf(stderr, "route_tool: %s\n", err);
		return 1;
	}
	/* The second call must be a harmless no-op. */
	if (route_host_remove(&r, err, sizeof err) < 0 || r.added) {
		fprintf(stderr, "route_tool: a second route_host_remove did not do nothing: %s\n", err);
		return 1;
	}
	printf("%s\n", added ? "removed" : "left alone");
	return 0;
}
