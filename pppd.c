/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pppd.c - pppd: found, given a line, started, reaped, explained. */
#include "pppd.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "proc.h"
#include "util.h"

#ifndef N_HDLC
#define N_HDLC 13
#endif

/* Whether root may run path: every directory from / down to it, and the
 * file itself, owned by root and writable by nobody else (but for sticky
 * directories); otherwise why
 * not, in words.  Symbolic links are followed (realpath) and the real
 * path is the one judged, since that is what exec runs. */
static bool safe_to_run(const char *path, char *why, size_t cap)
{
	char real[PATH_MAX];
	struct stat st;

	if (!realpath(path, real)) {
		snprintf(why, cap, "cannot resolve it: %s", strerror(errno));
		return false;
	}
	for (char *slash = real;; slash = strchr(slash + 1, '/')) {
		char keep = slash ? slash[slash == real] : '\0';
		if (slash)
			slash[slash == real] = '\0';	/* "/" itself, then each prefix */
		int r = stat(real, &st);
		/* A sticky directory (/tmp) lets nobody replace root's entries
		 * in it; the next component is judged in turn. */
		bool ok = r == 0 && st.st_uid == 0 &&
			  (!(st.st_mode & (S_IWGRP | S_IWOTH)) ||
			   (S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX)));
		if (!ok)
			snprintf(why, cap, r < 0 ? "cannot examine %s" : st.st_uid != 0
				 ? "%s belongs to uid %u, not root" : "%s can be written by other users "
				 "(mode %04o)", real, r < 0 ? 0 : st.st_uid != 0 ? (unsigned)st.st_uid
				 : (unsigned)(st.st_mode & 07777));
		if (slash)
			slash[slash == real] = keep;
		if (!ok)
			return false;
		if (!slash)
			return true;
	}
}

int pppd_find(char *path, size_t cap, char *refused, size_t rcap)
{
	const char *env = getenv("PATH");
	char dirs[4096], why[PATH_MAX + 96];

	refused[0] = '\0';
	str_copy(dirs, env ? env : "", sizeof dirs);
	strncat(dirs, ":/usr/sbin:/sbin", sizeof dirs - strlen(dirs) - 1);
	for (char *save = NULL, *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		int n = snprintf(path, cap, "%s/pppd", *d ? d : ".");
		if (n <= 0 || (size_t)n >= cap || access(path, X_OK) < 0)
			continue;
		/* Root runs pppd: a pppd that someone else can replace, or one
		 * found through the current directory, would run as root too. */
		bool ok = geteuid() != 0;
		if (!ok && d[0] != '/')
			snprintf(why, sizeof why, "it was found through the relative PATH entry "
				 "\"%s\"", d);
		else if (!ok)
			ok = safe_to_run(path, why, sizeof why);
		if (ok)
			return 0;
		if (!refused[0])
			snprintf(refused, rcap, "refusing %s: %s", path, why);
	}
	return -ENOENT;
}

/* --sync: pppd writes one frame per write; the n_hdlc line discipline is
 * what keeps those frames apart on a tty. */
static int keep_frames_apart(int fd)
{
	int ld = N_HDLC;

	if (ioctl(fd, TIOCSETD, &ld) < 0) {
		int e = errno;
		log_err("--sync needs the n_hdlc line discipline to keep frames apart: %s "
			"(try: modprobe n_hdlc)", strerror(e));
		return -e;
	}
	return 0;
}

int pppd_pty_open(struct pppd_pty *t, bool sync)
{
	struct termios tio;

	t->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (t->master < 0 || grantpt(t->master) < 0 || unlockpt(t->master) < 0 ||
	    ptsname_r(t->master, t->slave_path, sizeof t->slave_path) != 0) {
		int e = errno;
		log_err("cannot allocate a pty for pppd: %s", strerror(e));
		return -e;
	}
	t->slave = open(t->slave_path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (t->slave < 0) {
		int e = errno;
		log_err("cannot open %s: %s", t->slave_path, strerror(e));
		return -e;
	}
	/* Raw from the start: before pppd takes the tty over, nothing may be
	 * echoed back towards the server. */
	if (tcgetattr(t->slave, &tio) == 0) {
		cfmakeraw(&tio);
		tcsetattr(t->slave, TCSANOW, &tio);
	}
	if (sync) {
		int r = keep_frames_apart(t->master);
		if (r < 0)
			return r;
	}
	fcntl(t->master, F_SETFL, fcntl(t->master, F_GETFL) | O_NONBLOCK);
	return 0;
}

int pppd_stdio_open(bool sync)
{
	fcntl(STDIN_FILENO, F_SETFL, fcntl(STDIN_FILENO, F_GETFL) | O_NONBLOCK);
	fcntl(STDOUT_FILENO, F_SETFL, fcntl(STDOUT_FILENO, F_GETFL) | O_NONBLOCK);
	if (!sync)
		return 0;
	if (!isatty(STDIN_FILENO)) {
		/* A pipe or stream socket may merge frames: only a caller that
		 * writes one frame per datagram is safe. */
		log_warn("--sync: stdin is not a terminal, so each read must bring "
			 "exactly one PPP frame (pppd's pty option gives a terminal)");
		return 0;
	}
	return keep_frames_apart(STDIN_FILENO);
}

pid_t pppd_spawn(const struct pptp_options *o, const char *path, struct pppd_pty *t)
{
	char *argv[PPTP_MAX_PPPD_ARGS + 8];
	int argc = 0, rfd;

	argv[argc++] = "pppd";
	argv[argc++] = t->slave_path;
	/* pppd stays our child so that its exit status becomes ours. */
	argv[argc++] = "nodetach";
	if (o->sync)
		argv[argc++] = "sync";
	for (int i = 0; i < o->pppd_argc; i++)
		argv[argc++] = o->pppd_argv[i];
	argv[argc] = NULL;

	pid_t pid = proc_fork(&rfd);
	if (pid < 0) {
		log_err("cannot start pppd: %s", strerror((int)-pid));
		return pid;
	}
	if (pid == 0) {
		proc_signals_reset();
		setsid();
		/* pppd keeps our stdin, stdout and stderr: with nodetach it
		 * writes its messages to stdout and its errors (an unknown
		 * option, no /dev/ppp) to stderr, where the caller looks, as
		 * under the classic client.  So a caller reading them through a
		 * pipe waits for the tunnel's end (pptp.8, --debug). */
		execv(path, argv);
		/* Reached only when the exec failed; a successful exec closes the
		 * pipe (close-on-exec) without a message. */
		proc_ready_send(&rfd, &(struct proc_ready){
			.state = PROC_FAILED, .reason = { .cause = CAUSE_PPPD, .err = errno } });
		_exit(127);
	}
	struct proc_ready r;
	int w = proc_ready_wait(rfd, -1, NULL, NULL, &r);
	if (w != -EPIPE) {
		int e = w == 0 && r.reason.err > 0 ? r.reason.err : w < 0 ? -w : EIO;
		log_err("cannot start %s: %s", path, strerror(e));
		waitpid(pid, NULL, 0);
		return -e;
	}
	char line[512] = "";
	for (int i = 2; i < argc; i++) {
		strncat(line, " ", sizeof line - strlen(line) - 1);
		strncat(line, argv[i], sizeof line - strlen(line) - 1);
	}
	log_info("started pppd (pid %d) on %s:%s", (int)pid, t->slave_path, line);
	return pid;
}

static void log_end(int st, bool asked_to_stop)
{
	if (WIFEXITED(st)) {
		int code = WEXITSTATUS(st);
		/* 5: someone stopped pppd (poff, kill): a normal end. */
		if (code == 0 || code == 5)
			log_notice("pppd exited: %s", pppd_exit_str(code));
		else
			log_err("pppd exited with status %d: %s", code, pppd_exit_str(code));
	} else if (WIFSIGNALED(st)) {
		if (asked_to_stop)
			log_notice("pppd ended by signal %s", sigabbrev_np(WTERMSIG(st)));
		else
			log_err("pppd was killed by signal %s", sigabbrev_np(WTERMSIG(st)));
	}
}

enum pppd_news pppd_reap(pid_t pid, bool may_detach, bool asked_to_stop, int *wait_status)
{
	enum pppd_news news = PPPD_NO_NEWS;
	int st;
	pid_t r;

	while ((r = waitpid(-1, &st, WNOHANG)) > 0) {
		if (r != pid)
			continue;
		*wait_status = st;
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0 && may_detach) {
			/* pppd forked into the background (updetach): follow the tty. */
			log_info("pppd detached; following the tty");
			news = PPPD_DETACHED;
			continue;
		}
		log_end(st, asked_to_stop);
		news = PPPD_ENDED;
	}
	return news;
}

const char *pppd_exit_str(int status)
{
	static const char *const words[] = {
		[0] = "pppd ended normally",
		[1] = "pppd hit a fatal error (see its log)",
		[2] = "pppd rejected its options (see its log for which one)",
		[3] = "pppd is not allowed to run: it must be run by root or installed setuid",
		[4] = "the kernel has no PPP support (no /dev/ppp: load ppp_generic and ppp_async)",
		[5] = "pppd was stopped by a signal (SIGINT, SIGTERM or SIGHUP)",
		[6] = "pppd could not lock the tty",
		[7] = "pppd could not open the tty",
		[8] = "pppd's connect script failed",
		[9] = "pppd could not run its pty command",
		[10] = "PPP negotiation failed: LCP, IPCP or CCP found no agreement "
		       "(e.g. MPPE required but refused: check require-mppe and the server's settings)",
		[11] = "the server failed to authenticate itself to pppd (remove 'auth', or use 'noauth')",
		[12] = "the link was idle too long (pppd's idle option)",
		[13] = "the connect time limit was reached (pppd's maxconnect option)",
		[14] = "callback negotiated",
		[15] = "the server stopped answering LCP echo requests",
		[16] = "the line hung up",
		[17] = "a loopback was detected (we are talking to ourselves)",
		[18] = "pppd's init script failed",
		[19] = "authentication to the server failed: wrong user name or password "
		       "(check chap-secrets and the name/remotename options)",
	};
	if (status >= 0 && (size_t)status < ARRAY_LEN(words) && words[status])
		return words[status];
	return "pppd failed with an undocumented status";
}
