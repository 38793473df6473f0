/* SPDX-License-Identifier: GPL-2.0-or-later */
/* proc.h - processes and signals, in one place for every process of pptp.
 *
 * Signals: each process blocks the signals it handles and reads them from
 * a signalfd, so a poll loop sees them like any descriptor and none is lost
 * between a check and a wait.  SIGTERM, SIGINT and SIGHUP stop a process;
 * SIGUSR1 asks for statistics; SIGPIPE and SIGUSR2 are ignored.
 *
 * Fork with readiness: a child tells its parent how its start went with one
 * message on a pipe (struct proc_ready).  A pipe closed without a message
 * means the child is gone (or, after an exec, that the exec succeeded). */
#ifndef PPTP_PROC_H
#define PPTP_PROC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "exitstatus.h"

/* Which signals a process reads from its signalfd. */
enum {
	PROC_SIG_STOP = 1,	/* SIGTERM, SIGINT, SIGHUP */
	PROC_SIG_USR1 = 2,	/* SIGUSR1: statistics or status */
	PROC_SIG_CHLD = 4,	/* SIGCHLD: a child (pppd) ended */
};

/* Ignore SIGPIPE and SIGUSR2, block the signals named by `which` and
 * return a non-blocking signalfd for them; -errno on failure. */
int proc_signals_open(unsigned which);
/* Whether signo asks the process to stop. */
bool proc_sig_is_stop(int signo);
/* The next pending signal on a signalfd, or 0 when none is waiting. */
int proc_signal_next(int sigfd);
/* For a child about to run something else (pppd, the call manager):
 * nothing blocked, default dispositions for what we ignored. */
void proc_signals_reset(void);

/* The one message a child sends its parent about its start. */
enum proc_ready_state {
	PROC_READY = 'R',	/* up and running */
	PROC_BUSY = 'B',	/* another process already does the job */
	PROC_FAILED = 'F',	/* could not start: reason says why */
};

/* On the pipe: the state byte, then the reason (pptp_reason_encode). */
struct proc_ready {
	uint8_t state;		/* enum proc_ready_state */
	struct pptp_reason reason;	/* PROC_FAILED: why (a cause, an errno) */
};

/* fork() with a readiness pipe.  In the parent: the child's pid, and *fd
 * the read end.  In the child: 0, and *fd the write end.  -errno when the
 * pipe or the fork fails.  Both ends are close-on-exec. */
pid_t proc_fork(int *fd);
/* Child: send r, close *fd and set it to -1 (nothing when already -1). */
void proc_ready_send(int *fd, const struct proc_ready *r);
/* Parent: wait for the child's message on fd, then close fd.  Returns 0
 * with *r filled; -EPIPE when the pipe closed without one; -EPROTO when
 * what came is not such a message.  While waiting,
 * stop signals read from sigfd (if >= 0) are handed to on_stop. */
int proc_ready_wait(int fd, int sigfd, void (*on_stop)(int signo, void *ctx), void *ctx,
		    struct proc_ready *r);

/* First thing in main(): descriptors 0, 1 and 2 that whoever started us
 * left closed (a service manager, "2>&-") are opened on /dev/null (or,
 * without one, on "/" read-only, where reads and writes fail harmlessly).
 * Otherwise the first files we open would take those numbers: our stderr
 * lines would go into a socket, and putting /dev/null on stderr when we
 * detach would close whatever descriptor had become number 2. */
void proc_stdio_hold(void);

/* Puts /dev/null on each standard descriptor whose bit (1 << fd) is in
 * mask: for a process going on in the background, so that no caller's
 * pipe or terminal is held open by it.  Returns 0, or -errno with nothing
 * changed. */
int proc_stdio_null(unsigned mask);

/* First thing in main(): move the argument strings to the heap (argv then
 * points there), so that proc_set_name() may reuse exec()'s block. */
void proc_args_save(int argc, char **argv);
/* The process's name: /proc/PID/comm (ps -e, pgrep, pkill; at most 15
 * bytes) and the command line (/proc/PID/cmdline: ps -o args, pidof,
 * pgrep -f), name followed by args (NULL-terminated), or by pptp's own
 * arguments when args is NULL.  pptpgw for a gateway, pptpcm for a call
 * manager. */
void proc_set_name(const char *name, const char *const *args);

/* Close every descriptor above stderr except keep (-1: none), syslog's
 * included (it is reopened). */
void proc_close_fds_except(int keep);

/* Process pid has exited (a zombie, or gone): its descriptors are closed. */
bool proc_has_ended(pid_t pid);

/* A pidfd (readable once it ends) for our parent, taken while it is
 * certainly our parent, so that a pid used again cannot stand in for it;
 * -errno when pidfds are missing (Linux < 5.3) or the parent is already
 * gone (-ESRCH). */
int proc_parent_pidfd(void);

#endif
