/* SPDX-License-Identifier: GPL-2.0-or-later */
/* callmgr_client.c - the gateway's side of the call manager (see
 * callmgr_client.h): connect to the socket named for this server and these
 * options, starting the call manager when none answers, and place a call.
 *
 * A lock file next to the socket tells a live call manager from a dead
 * one's stale socket: whoever holds its flock() owns the name. */
#include "callmgr_client.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pptp_callmgr.h"
#include "proc.h"
#include "runpath.h"
#include "util.h"

/* Built with AddressSanitizer (make asan): LeakSanitizer checks at exit(),
 * and the call manager ends with _exit(), as a forked child must.  It asks
 * for the check itself then; other builds are unchanged. */
#if defined(__SANITIZE_ADDRESS__)
#define CM_LEAK_CHECK 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CM_LEAK_CHECK 1
#endif
#endif
#ifdef CM_LEAK_CHECK
#include <sanitizer/lsan_interface.h>
#endif

void callmgr_remove_stale(const struct pptp_options *o, uint32_t server)
{
	char sock[108], lock[116];

	if (runpath_socket_name(o, server, runpath_netns_id(), sock, sizeof sock, lock, sizeof lock))
		return;
	/* The dead process's lock may outlive its socket by a moment; a live
	 * call manager keeps it, and then nothing is removed. */
	int fd = -EWOULDBLOCK;
	for (int i = 0; i < 20 && (fd == -EWOULDBLOCK || fd == -EAGAIN); i++) {
		if (i)
			nanosleep(&(struct timespec){ .tv_nsec = 50 * 1000 * 1000 }, NULL);
		fd = runpath_open_locked(lock, runpath_flock_nb);
	}
	if (fd < 0)
		return;
	if (unlink(sock) == 0)
		log_info("removed the socket of a call manager that died: %s", sock);
	unlink(lock);
	close(fd);
}

/* Start a call manager, detached from us (double fork: it must outlive
 * this tunnel and must never become our zombie).  Returns the state it
 * reported: PROC_READY, PROC_BUSY, or PROC_FAILED with *why. */
static int spawn_callmgr(const struct pptp_options *o, uint32_t server, struct pptp_reason *why)
{
	int fd;
	pid_t pid = proc_fork(&fd);

	if (pid < 0) {
		log_err("fork: %s", strerror((int)-pid));
		*why = (struct pptp_reason){ .cause = CAUSE_LOCAL, .err = (int32_t)-pid };
		return PROC_FAILED;
	}
	if (pid == 0) {
		if (!o->debug)
			setsid();
		/* Keep only what we need: the gateway's descriptors (pty, GRE,
		 * signalfd) must not live on in a process that outlives it. */
		proc_close_fds_except(fd);
		/* The gateway that starts us is our parent until we exit: watch
		 * it from here, where its pid cannot have been given away.
		 * Under --debug stderr stays: nothing to watch. */
		int starter_fd = o->debug ? -EBADF : proc_parent_pidfd();
		pid_t pid2 = fork();
		if (pid2 < 0) {
			struct proc_ready r = { .state = PROC_FAILED,
						.reason = { .cause = CAUSE_LOCAL, .err = errno } };
			log_err("fork: %s", strerror(errno));
			proc_ready_send(&fd, &r);
			_exit(pptp_exit_for_reason(&r.reason));
		}
		if (pid2 > 0) {
			close(fd);
			_exit(0);	/* the call manager runs on, as the child of init */
		}
		/* The call manager: stdin/stdout may be pppd's pty, which must
		 * see hangup when the gateway goes; keep neither.  stderr stays
		 * while the starter runs (pptp_callmgr.c, starter). */
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (null >= 0) {
			dup2(null, STDIN_FILENO);
			dup2(null, STDOUT_FILENO);
			if (null > STDERR_FILENO)
				close(null);
		}
		proc_signals_reset();
		int rc = callmgr_main(o, server, fd, starter_fd);
#ifdef CM_LEAK_CHECK
		__lsan_do_leak_check();
#endif
		_exit(rc);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	struct proc_ready r;
	int w = proc_ready_wait(fd, -1, NULL, NULL, &r);
	if (w < 0) {
		log_err("the call manager %s while starting",
			w == -EPIPE ? "died" : "sent something unexpected");
		*why = (struct pptp_reason){ .cause = CAUSE_LOCAL, .err = -w };
		return PROC_FAILED;
	}
	if (r.state == PROC_FAILED)
		*why = r.reason;
#ifdef PPTP_TEST_HOOKS
	/* A gateway that dies between starting its call manager and asking
	 * for the call (stopmatrix.sh): the call manager's first client never
	 * comes. */
	if (r.state == PROC_READY && getenv("PPTP_TEST_VANISH_AFTER_CALLMGR"))
		_exit(0);
#endif
	return r.state;
}

/* A local failure (errno e) as both results of callmgr_connect. */
static int local_fail(struct pptp_reason *why, int e)
{
	*why = (struct pptp_reason){ .cause = CAUSE_LOCAL, .err = e };
	return -e;
}

int callmgr_connect(const struct pptp_options *o, uint32_t server, struct pptp_reason *why)
{
	char sock[108], lock[116];
	bool spawned = false;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	int r = runpath_socket_name(o, server, runpath_netns_id(), sock, sizeof sock, lock,
				    sizeof lock);
	if (r < 0) {
		log_err("the call manager's socket name is too long");
		return local_fail(why, -r);
	}
	r = runpath_ensure_dir();
	if (r < 0)
		return local_fail(why, -r);
	str_copy(sun.sun_path, sock, sizeof sun.sun_path);
	/* A call manager that is busy starting makes us wait a little; 10 s
	 * is far beyond that.  One that is stopping has given up its names
	 * (pptp_callmgr.c, release_name): we start another at once. */
	for (int attempt = 0; attempt < 200; attempt++) {
		int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			int e = errno;
			log_err("cannot create a unix socket: %s", strerror(e));
			return local_fail(why, e);
		}
		if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == 0) {
			if (!spawned)
				log_notice("using the running call manager for this server (%s)", sock);
			return fd;
		}
		int e = errno;
		close(fd);
		/* ENOENT: none; ECONNREFUSED: a socket nobody listens on;
		 * EPROTOTYPE: a socket of another kind.  The lock decides. */
		if (e != ENOENT && e != ECONNREFUSED && e != EPROTOTYPE) {
			log_err("cannot connect to the call manager at %s: %s", sock, strerror(e));
			return local_fail(why, e);
		}
		if (!spawned) {
			int state = spawn_callmgr(o, server, why);
			if (state == PROC_FAILED)
				return why->err > 0 ? -why->err : -EIO;
			spawned = state == PROC_READY;
			if (spawned)
				continue;
		}
		nanosleep(&(struct timespec){ .tv_nsec = 50 * 1000 * 1000 }, NULL);
	}
	log_err("no call manager answered at %s", sock);
	return local_fail(why, ETIMEDOUT);
}

int callmgr_open_call(int fd, int sigfd, int other_fd, void (*on_other)(void *ctx), void *ctx,
		      const struct cm_msg *open, struct cm_msg *res)
{
	uint8_t buf[CM_WIRE_LEN + 1];
	size_t n = cm_msg_encode(open, buf);

	memset(res, 0, sizeof *res);
	res->reason.cause = CAUSE_LOCAL;
	if (send(fd, buf, n, MSG_NOSIGNAL) != (ssize_t)n) {
		int e = errno;
		/* A call manager that died can still take a connection in the
		 * moment before its listening socket is closed. */
		if (e == EPIPE || e == ECONNRESET || e == ENOTCONN) {
			snprintf(res->text, sizeof res->text, "the call manager went away before "
				 "the call was placed");
			return -ECONNRESET;
		}
		snprintf(res->text, sizeof res->text, "cannot talk to the call manager: %s",
			 strerror(e));
		return -EIO;
	}
	for (;;) {
		struct pollfd p[3] = { { .fd = fd, .events = POLLIN }, { .fd = sigfd, .events = POLLIN },
				       { .fd = other_fd, .events = POLLIN } };
		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (p[2].revents && on_other)
			on_other(ctx);
		if (p[1].revents & POLLIN) {
			/* Only a request to stop interrupts; SIGCHLD of the call
			 * manager's first fork and SIGUSR1 do not. */
			int sig;
			while ((sig = proc_signal_next(sigfd)) != 0)
				if (proc_sig_is_stop(sig))
					return -EINTR;
		}
		if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		ssize_t r = recv(fd, buf, sizeof buf, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			snprintf(res->text, sizeof res->text, "the call manager went away before "
				 "the call was placed");
			return -ECONNRESET;
		}
		if (cm_msg_decode(buf, (size_t)r, res) || res->type != CM_CALL_RESULT) {
			snprintf(res->text, sizeof res->text, "the call manager sent something "
				 "unexpected (%zd bytes)", r);
			res->reason = (struct pptp_reason){ .cause = CAUSE_LOCAL };
			return -EPROTO;
		}
		return res->ok ? 0 : -ECONNREFUSED;
	}
}
