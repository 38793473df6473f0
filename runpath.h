/* SPDX-License-Identifier: GPL-2.0-or-later */
/* runpath.h - the names under PPTP_RUN_DIR and how their files are opened.
 *
 * The call manager's socket and lock file, and the file that call managers
 * share a host route through, all live in one directory closed to other
 * users.  Their names carry the network namespace: the file system is
 * shared between namespaces, a TCP connection or a route is not. */
#ifndef PPTP_RUNPATH_H
#define PPTP_RUNPATH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pptp_options.h"

#ifndef PPTP_RUN_DIR
#define PPTP_RUN_DIR "/run/pptp"
#endif

/* This process's network namespace (its inode number; 0 if unknown). */
unsigned long runpath_netns_id(void);

/* The call manager's socket and lock file for server (network order) in
 * namespace netns, with the options that shape its control connection
 * (pure).  0, or -ENAMETOOLONG when either does not fit. */
int runpath_socket_name(const struct pptp_options *o, uint32_t server, unsigned long netns,
			char *sock, size_t scap, char *lock, size_t lcap);

/* The file the call managers for server in netns share its host route
 * through (pure).  0, or -ENAMETOOLONG. */
int runpath_route_share(uint32_t server, unsigned long netns, char *path, size_t cap);

/* Create PPTP_RUN_DIR if needed and check that it is ours and closed to
 * others.  0, or -errno with the reason logged (-EPERM: it is not). */
int runpath_ensure_dir(void);

/* Open path (created 0600, never through a symbolic link) and lock it with
 * lock(fd), which returns 0 or -errno.  Returns the fd once the file locked
 * is still the one at path; lock's -errno (the fd closed); another -errno
 * from open; -EAGAIN when the file kept being replaced. */
int runpath_open_locked(const char *path, int (*lock)(int fd));

/* A lock for runpath_open_locked: flock() exclusive, without waiting
 * (-EWOULDBLOCK while another holds it). */
int runpath_flock_nb(int fd);

/* Remove path only while it still names the file (dev, ino) this process
 * made (ino 0: nothing to remove); otherwise leave it, with a warning that
 * names it as our `what`. */
void runpath_unlink_if_same(const char *path, dev_t dev, ino_t ino, const char *what);

#endif
