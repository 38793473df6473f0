/* SPDX-License-Identifier: GPL-2.0-or-later */
/* privileges.c - capability sets through the raw kernel interfaces
 * (prctl, capget/capset); no libcap. */
#include "privileges.h"

#include <errno.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static bool kept(int cap, const int *keep, size_t nkeep)
{
	for (size_t i = 0; i < nkeep; i++)
		if (keep[i] == cap)
			return true;
	return false;
}

/* The highest capability this kernel knows (newer than our headers, maybe). */
static int last_cap(void)
{
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
	int n = CAP_LAST_CAP;
	if (f) {
		if (fscanf(f, "%d", &n) != 1 || n < 0 || n > 63)
			n = CAP_LAST_CAP;
		fclose(f);
	}
	return n;
}

/* A system call failed (errno): what failed, in err; -errno. */
static int failed(char *err, size_t errlen, const char *what)
{
	int e = errno;

	snprintf(err, errlen, "%s: %s", what, strerror(e));
	return -e;
}

int privileges_limit(const int *keep, size_t nkeep, char *err, size_t errlen)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];
	int top = last_cap();

	memset(data, 0, sizeof data);
	if (syscall(SYS_capget, &hdr, data) < 0)
		return failed(err, errlen, "cannot read our capabilities");
	bool had_setpcap = data[0].effective & (1u << CAP_SETPCAP);

	/* Bounding set first: dropping from it needs CAP_SETPCAP, which the
	 * capset below gives up. */
	if (had_setpcap) {
		for (int c = 0; c <= top; c++)
			if (!kept(c, keep, nkeep) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 &&
			    errno != EINVAL) {
				char what[64];
				int e = errno;
				snprintf(what, sizeof what, "cannot drop capability %d from the "
					 "bounding set", c);
				errno = e;
				return failed(err, errlen, what);
			}
		/* uid 0 must not get every capability back by running a program. */
		if (prctl(PR_SET_SECUREBITS, SECBIT_NOROOT | SECBIT_NOROOT_LOCKED |
			  SECBIT_NO_SETUID_FIXUP | SECBIT_NO_SETUID_FIXUP_LOCKED |
			  SECBIT_KEEP_CAPS_LOCKED | SECBIT_NO_CAP_AMBIENT_RAISE |
			  SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED, 0, 0, 0) < 0)
			return failed(err, errlen, "cannot set securebits");
	}
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);

	struct __user_cap_data_struct want[2];
	memset(want, 0, sizeof want);
	for (size_t i = 0; i < nkeep; i++) {
		int c = keep[i];
		if (c < 0 || c > 63)
			continue;
		uint32_t bit = 1u << (c % 32);
		/* Only what we have can be kept. */
		if (data[c / 32].permitted & bit) {
			want[c / 32].permitted |= bit;
			want[c / 32].effective |= bit;
		}
	}
	if (syscall(SYS_capset, &hdr, want) < 0)
		return failed(err, errlen, "cannot reduce our capabilities");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return failed(err, errlen, "cannot set no_new_privs");
	return 0;
}
