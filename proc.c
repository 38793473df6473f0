/* SPDX-License-Identifier: GPL-2.0-or-later */
/* proc.c - signals, fork with readiness, descriptors (see proc.h). */
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
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

/* The command line as the kernel shows it (/proc/PID/cmdline: ps -o args,
 * pidof, pgrep -f): where it is now, the area exec() gave us, and our own
 * copy of the arguments after argv[0]. */
static struct {
	unsigned long start, end;	/* the kernel's arg_start, arg_end */
	char *area;			/* what it shows, if we may write there: */
	size_t area_len;		/* exec()'s strings (contiguous) or ours */
	const char *args;		/* argv[1..], each ending in NUL */
	size_t args_len;
	char *shown;			/* our buffer the kernel points at, if any */
} title;

void proc_stdio_hold(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		/* The lowest free number: fd itself, those below being open. */
		int held = open("/dev/null", O_RDWR);
		if (held < 0)
			held = open("/", O_RDONLY | O_DIRECTORY);
		if (held >= 0 && held != fd) {
			dup2(held, fd);
			close(held);
		}
	}
}

int proc_stdio_null(unsigned mask)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (null < 0)
		return -errno;
	for (int fd = 0; fd <= 2; fd++)
		if (mask >> fd & 1)
			dup2(null, fd);
	close(null);
	return 0;
}

void proc_args_save(int argc, char **argv)
{
	size_t len = 0;

	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	char *copy = argc < 1 ? NULL : malloc(len);
	if (!copy)
		return;		/* the name stays pptp; nothing else depends on it */
	/* The strings exec() left are one block; pptp only reads them
	 * through argv, which now points at the copy, so the block is free
	 * to be overwritten (the last of the ways to rename, below). */
	title.area = argv[0];
	title.start = (unsigned long)argv[0];
	char *q = copy;
	bool contiguous = true;
	for (int i = 0; i < argc; i++) {
		size_t n = strlen(argv[i]) + 1;
		if (argv[i] != title.area + (q - copy))
			contiguous = false;
		memcpy(q, argv[i], n);
		argv[i] = q;
		q += n;
	}
	title.end = title.start + len;
	title.area_len = contiguous ? len : 0;
	title.args = copy + strlen(copy) + 1;
	title.args_len = len - (size_t)(title.args - copy);
}

/* Point the kernel's arg_start/arg_end at [start, end): needs
 * CAP_SYS_RESOURCE, which root has before the privileges are limited.
 * The kernel refuses a start above the end, so the order depends on where
 * the new buffer lies; a half-done move is undone. */
static int mm_args(unsigned long start, unsigned long end)
{
	int first = start <= title.end ? PR_SET_MM_ARG_START : PR_SET_MM_ARG_END;
	int second = first == PR_SET_MM_ARG_START ? PR_SET_MM_ARG_END : PR_SET_MM_ARG_START;
	unsigned long v1 = first == PR_SET_MM_ARG_START ? start : end;
	unsigned long v2 = first == PR_SET_MM_ARG_START ? end : start;
	unsigned long old1 = first == PR_SET_MM_ARG_START ? title.start : title.end;

	if (prctl(PR_SET_MM, first, v1, 0, 0) < 0)
		return -1;
	if (prctl(PR_SET_MM, second, v2, 0, 0) < 0) {
		int e = errno;
		prctl(PR_SET_MM, first, old1, 0, 0);
		errno = e;
		return -1;
	}
	return 0;
}

/* The same through PR_SET_MM_MAP, which needs no capability (a container
 * without CAP_SYS_RESOURCE) but a kernel with CONFIG_CHECKPOINT_RESTORE:
 * every other field of the map is set to what it is, read from
 * /proc/self/stat (fields 26-28 and 45-51, counted from 1). */
static int mm_map(unsigned long start, unsigned long end)
{
	char buf[1024];
	int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	char *p = strrchr(buf, ')');	/* the name before it may hold spaces */
	unsigned long long f[53] = { 0 };
	for (int i = 3; p && i <= 52; i++) {
		p = strchr(p, ' ');
		if (p)
			f[i] = strtoull(++p, NULL, 10);
	}
	if (!p || !f[51])
		return -1;
	struct prctl_mm_map m = {
		.start_code = f[26], .end_code = f[27], .start_stack = f[28],
		.start_data = f[45], .end_data = f[46], .start_brk = f[47],
		.brk = (uintptr_t)sbrk(0), .arg_start = start, .arg_end = end,
		.env_start = f[50], .env_end = f[51], .exe_fd = (uint32_t)-1,
	};
	return prctl(PR_SET_MM, PR_SET_MM_MAP, (unsigned long)&m, sizeof m, 0);
}

/* Last resort: write into the block shown now, as much as fits, whole
 * arguments only; the rest is zeroed, which shows as empty arguments.
 * The name fits whenever exec() gave "pptp" and the server; a caller that
 * made argv[0] shorter (exec -a) can leave too little even for the name,
 * and then the command line shows empty (comm still has the name). */
static void in_place(const char *buf, size_t len)
{
	size_t fit = 0;

	for (size_t i = 0; i < len && i < title.area_len; i++)
		if (buf[i] == '\0')
			fit = i + 1;
	memcpy(title.area, buf, fit);
	memset(title.area + fit, 0, title.area_len - fit);
	if (fit < len)
		log_debug("the command line shows %zu of %zu bytes", fit, len);
}

void proc_set_name(const char *name, const char *const *args)
{
	if (prctl(PR_SET_NAME, (unsigned long)name, 0, 0, 0) < 0)
		log_debug("cannot set the process name %s: %s", name, strerror(errno));

	size_t nlen = strlen(name) + 1, len = nlen + (args ? 0 : title.args_len);
	for (int i = 0; args && args[i]; i++)
		len += strlen(args[i]) + 1;
	char *buf = malloc(len);
	if (!buf || !title.start) {
		free(buf);
		return;
	}
	memcpy(buf, name, nlen);
	char *q = buf + nlen;
	if (!args)
		memcpy(q, title.args, title.args_len);
	for (int i = 0; args && args[i]; i++)
		q = stpcpy(q, args[i]) + 1;
	unsigned long s = (unsigned long)buf, e = s + len;
	if (mm_args(s, e) == 0 || mm_map(s, e) == 0) {
		free(title.shown);	/* nothing points at it any more */
		title.shown = title.area = buf;
		title.area_len = len;
		title.start = s;
		title.end = e;
		return;
	}
	log_debug("cannot move the command line (%s): rewriting it in place", strerror(errno));
	if (title.area_len)
		in_place(buf, len);
	free(buf);
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

bool proc_has_ended(pid_t pid)
{
	char path[32], buf[512];

	if (kill(pid, 0) < 0 && errno == ESRCH)
		return true;
	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	/* "pid (comm) S ...": comm may hold anything, so the state follows
	 * the last ')'. */
	const char *p = strrchr(buf, ')');
	return p && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X');
}

int proc_parent_pidfd(void)
{
#ifdef SYS_pidfd_open
	pid_t parent = getppid();
	int fd = (int)syscall(SYS_pidfd_open, parent, 0);

	if (fd < 0)
		return -errno;
	/* Still our parent after the open: it had not exited in between (a
	 * child is handed to a reaper as its parent exits), so the pid was
	 * not free to be given to another process. */
	if (getppid() != parent) {
		close(fd);
		return -ESRCH;
	}
	return fd;
#else
	return -ENOSYS;
#endif
}
