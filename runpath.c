/* SPDX-License-Identifier: GPL-2.0-or-later */
/* runpath.c - the names under PPTP_RUN_DIR and how their files are opened
 * (see runpath.h). */
#include "runpath.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pptp_quirks.h"
#include "util.h"

static void name_add(char *buf, size_t cap, const char *fmt, ...) PPTP_PRINTF(3, 4);
static void name_add(char *buf, size_t cap, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (n + 1 >= cap)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + n, cap - n, fmt, ap);
	va_end(ap);
}

unsigned long runpath_netns_id(void)
{
	struct stat st;

	return stat("/proc/self/ns/net", &st) == 0 ? (unsigned long)st.st_ino : 0;
}

/* The socket's name says which control connection it leads to: the
 * server, and every option that shapes that connection (where it differs
 * from the default), so that a pptp asking for other settings gets a call
 * manager, and a control connection, of its own. */
int runpath_socket_name(const struct pptp_options *o, uint32_t server, unsigned long netns,
			char *sock, size_t scap, char *lock, size_t lcap)
{
	char srv[INET_ADDRSTRLEN], opts[128] = "";
	struct in_addr a = { .s_addr = server };

	inet_ntop(AF_INET, &a, srv, sizeof srv);
	if (o->have_localbind) {
		struct in_addr b = { .s_addr = o->localbind };
		char bs[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, &b, bs, sizeof bs);
		name_add(opts, sizeof opts, "-b%s", bs);
	}
	if (o->have_rtmark)
		name_add(opts, sizeof opts, "-m%u", o->rtmark);
	if (o->idle_wait_s != PPTP_DEFAULT_IDLE_WAIT)
		name_add(opts, sizeof opts, "-i%u", o->idle_wait_s);
	if (o->max_echo_wait_s != PPTP_DEFAULT_MAX_ECHO_WAIT)
		name_add(opts, sizeof opts, "-e%u", o->max_echo_wait_s);
	if (o->connect_timeout_s != PPTP_DEFAULT_CONNECT_TIMEOUT)
		name_add(opts, sizeof opts, "-t%u", o->connect_timeout_s);
	if (o->quirk)
		name_add(opts, sizeof opts, "-q%s", o->quirk->name);
	if (o->nohostroute)
		name_add(opts, sizeof opts, "-R");
	/* Any bytes may make a host name: only its hash goes in a file name. */
	if (o->have_client_hostname)
		name_add(opts, sizeof opts, "-h%08x",
			 fnv1a32(o->client_hostname, strlen(o->client_hostname)));
	int n = snprintf(sock, scap, PPTP_RUN_DIR "/%s%s-n%lu", srv, opts, netns);
	if (n < 0 || (size_t)n >= scap)
		return -ENAMETOOLONG;
	n = snprintf(lock, lcap, "%s.lock", sock);
	return n < 0 || (size_t)n >= lcap ? -ENAMETOOLONG : 0;
}

/* Only the server and the namespace: whatever their other options, call
 * managers for one server in one namespace need the same host route. */
int runpath_route_share(uint32_t server, unsigned long netns, char *path, size_t cap)
{
	char srv[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &(struct in_addr){ .s_addr = server }, srv, sizeof srv);
	int n = snprintf(path, cap, PPTP_RUN_DIR "/%s-n%lu.route", srv, netns);
	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

/* The run directory must be ours and closed to others: a socket there is
 * trusted to be a call manager. */
int runpath_ensure_dir(void)
{
	struct stat st;

	if (mkdir(PPTP_RUN_DIR, 0700) < 0 && errno != EEXIST) {
		int e = errno;
		log_err("cannot create " PPTP_RUN_DIR ": %s", strerror(e));
		return -e;
	}
	if (lstat(PPTP_RUN_DIR, &st) < 0) {
		int e = errno;
		log_err("cannot examine " PPTP_RUN_DIR ": %s", strerror(e));
		return -e;
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022)) {
		log_err(PPTP_RUN_DIR " is not a directory owned by uid %u and closed to other "
			"users (owner %u, mode %o): refusing to use it", (unsigned)geteuid(),
			(unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
		return -EPERM;
	}
	return 0;
}

int runpath_open_locked(const char *path, int (*lock)(int fd))
{
	for (int tries = 0; tries < 5; tries++) {
		int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0)
			return -errno;
		int r = lock(fd);
		if (r < 0) {
			close(fd);
			return r;
		}
		/* A previous owner may have unlinked the file between our open
		 * and our lock: then we hold a lock nobody else can see. */
		struct stat a, b;
		if (fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_ino == b.st_ino &&
		    a.st_dev == b.st_dev)
			return fd;
		close(fd);
	}
	return -EAGAIN;
}

int runpath_flock_nb(int fd)
{
	return flock(fd, LOCK_EX | LOCK_NB) < 0 ? -errno : 0;
}

void runpath_unlink_if_same(const char *path, dev_t dev, ino_t ino, const char *what)
{
	struct stat st;

	if (!ino || lstat(path, &st) < 0)
		return;
	if (st.st_dev != dev || st.st_ino != ino) {
		log_warn("%s is no longer our %s (another call manager's?): leaving it", path,
			 what);
		return;
	}
	unlink(path);
}
