/* SPDX-License-Identifier: GPL-2.0-or-later */
/* proc.c - signals, fork with readiness, descriptors (see proc.h). */
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

#define READY_WIRE_LEN (1 + PPTP_REASON_WIRE_LEN)	/* state, reason */

static void signal_set(sigset_t *s, unsigned which)
{
	sigemptyset(s);
	if (which & PROC_SIG_STOP) {
		sigaddset(s, SIGTERM);
		sigaddset(s, SIGINT);
		sigaddset(s, SIGHUP);
	}
	if (which & PROC_SIG_USR1)
		sigaddset(s, SIGUSR1);
	if (which & PROC_SIG_CHLD)
		sigaddset(s, SIGCHLD);
}

int proc_signals_open(unsigned which)
{
	sigset_t s;

	signal(SIGPIPE, SIG_IGN);
	/* SIGUSR2 means nothing to pptp: a stray one (pkill -USR2 -f ...)
	 * must not end a tunnel. */
	signal(SIGUSR2, SIG_IGN);
	signal_set(&s, which);
	if (sigprocmask(SIG_BLOCK, &s, NULL) < 0)
		return -errno;
	int fd = signalfd(-1, &s, SFD_NONBLOCK | SFD_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

bool proc_sig_is_stop(int signo)
{
	return signo == SIGTERM || signo == SIGINT || signo == SIGHUP;
}

int proc_signal_next(int sigfd)
{
	struct signalfd_siginfo si;

	if (sigfd < 0 || read(sigfd, &si, sizeof si) != (ssize_t)sizeof si)
		return 0;
	return (int)si.ssi_signo;
}

void proc_signals_reset(void)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
}

pid_t proc_fork(int *fd)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(p[0]);
		close(p[1]);
		return -e;
	}
	close(pid == 0 ? p[0] : p[1]);
	*fd = pid == 0 ? p[1] : p[0];
	return pid;
}

void proc_ready_send(int *fd, const struct proc_ready *r)
{
	uint8_t b[READY_WIRE_LEN] = { r->state };

	if (*fd < 0)
		return;
	pptp_reason_encode(&r->reason, b + 1);
	/* A parent that is gone has nothing left to hear. */
	if (write(*fd, b, sizeof b) != (ssize_t)sizeof b)
		log_debug("the starting process is gone");
	close(*fd);
	*fd = -1;
}

int proc_ready_wait(int fd, int sigfd, void (*on_stop)(int signo, void *ctx), void *ctx,
		    struct proc_ready *r)
{
	uint8_t b[READY_WIRE_LEN];
	size_t got = 0;
	int rc = -EPIPE;

	memset(r, 0, sizeof *r);
	for (;;) {
		struct pollfd pf[2] = { { .fd = fd, .events = POLLIN },
					{ .fd = sigfd, .events = POLLIN } };
		if (poll(pf, sigfd >= 0 ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (sigfd >= 0 && pf[1].revents) {
			int sig;
			while ((sig = proc_signal_next(sigfd)) != 0)
				if (proc_sig_is_stop(sig) && on_stop)
					on_stop(sig, ctx);
		}
		if (!pf[0].revents)
			continue;
		ssize_t n = read(fd, b + got, sizeof b - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
		if (got == sizeof b) {
			r->state = b[0];
			bool known = r->state == PROC_READY || r->state == PROC_BUSY ||
				     r->state == PROC_FAILED;
			rc = known && pptp_reason_decode(b + 1, PPTP_REASON_WIRE_LEN, &r->reason) == 0
			     ? 0 : -EPROTO;
			break;
		}
	}
	close(fd);
	return rc;
}

static int close_range_call(unsigned lo, unsigned hi)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
	return close_range(lo, hi, 0);
#elif defined(SYS_close_range)
	return (int)syscall(SYS_close_range, lo, hi, 0);
#else
	(void)lo;
	(void)hi;
	errno = ENOSYS;
	return -1;
#endif
}

/* Close descriptors lo..hi; where close_range(2) is missing (before Linux
 * 5.9), one by one up to the descriptor limit. */
static void close_fds(unsigned lo, unsigned hi)
{
	if (lo > hi || close_range_call(lo, hi) == 0)
		return;
	struct rlimit rl;
	unsigned max = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
		rl.rlim_cur < 1048576 ? (unsigned)rl.rlim_cur : 1048576;
	for (unsigned fd = lo; fd <= hi && fd < max; fd++)
		close((int)fd);
}

void proc_set_name(const char *name)
{
	if (prctl(PR_SET_NAME, (unsigned long)name, 0, 0, 0) < 0)
		log_debug("cannot set the process name %s: %s", name, strerror(errno));
}

void proc_close_fds_except(int keep)
{
	unsigned first = STDERR_FILENO + 1;

	/* syslog's own descriptor is closed and reopened properly around it. */
	log_suspend();
	if (keep >= (int)first) {
		close_fds(first, (unsigned)keep - 1);
		first = (unsigned)keep + 1;
	}
	close_fds(first, ~0u);
	log_resume();
}
