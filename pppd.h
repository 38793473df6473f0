/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pppd.h - everything about pppd: finding it, the line it speaks PPP on (a
 * pty we open, or our stdin/stdout when pppd started us: --nolaunchpppd),
 * starting it, reaping it, and its exit statuses in words. */
#ifndef PPTP_PPPD_H
#define PPTP_PPPD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "pptp_options.h"

/* The pty pppd runs on: we keep the master, pppd opens the slave. */
struct pppd_pty {
	int master, slave;
	char slave_path[64];
};

/* Look for pppd on PATH, then where Debian and others install it: 0 with
 * path filled in, or -ENOENT.  As root, a pppd found through a relative PATH
 * entry, or one that a user other than root could replace (the file or a
 * directory above it), is passed over: refused then says which and why
 * (the first one; empty when none was refused). */
int pppd_find(char *path, size_t cap, char *refused, size_t rcap);

/* Allocate a pty for pppd: raw from the start, the master non-blocking, and
 * under --sync the n_hdlc line discipline on it.  0, or -errno with the
 * reason logged. */
int pppd_pty_open(struct pppd_pty *t, bool sync);
/* --nolaunchpppd: pppd speaks on our stdin and stdout; make them
 * non-blocking and, under --sync, keep frames apart the same way.  0, or
 * -errno with the reason logged. */
int pppd_stdio_open(bool sync);

/* Start pppd (the program at path) on the pty's slave with the options'
 * pppd arguments.  Its pid, or -errno with the reason logged. */
pid_t pppd_spawn(const struct pptp_options *o, const char *path, struct pppd_pty *t);

/* What a SIGCHLD brought about pppd. */
enum pppd_news {
	PPPD_NO_NEWS = 0,	/* pppd still runs (or is not ours) */
	PPPD_DETACHED,		/* it forked into the background (updetach) */
	PPPD_ENDED,		/* it ended: *wait_status says how */
};

/* Reap every child that has ended and say what became of pppd (pid; 0:
 * none launched), with its end logged.  may_detach: an exit 0 now is pppd
 * going into the background rather than an end (it has opened the tty and
 * the tunnel is not ending); asked_to_stop: we sent it SIGTERM, so a
 * signal is the end we expected. */
enum pppd_news pppd_reap(pid_t pid, bool may_detach, bool asked_to_stop, int *wait_status);

/* pppd's exit status in words (pppd(8), EXIT STATUS). */
const char *pppd_exit_str(int status);

#endif
