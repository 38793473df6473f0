/* SPDX-License-Identifier: GPL-2.0-or-later */
/* localcheck.c - pppd, /dev/ppp, the PPP line discipline and MPPE on this
 * machine (see localcheck.h). */
#include "localcheck.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exitstatus.h"
#include "pppd.h"
#include "util.h"

#define VERSION_WAIT_MS 2000

enum mod_state { MOD_PRESENT, MOD_LOADABLE, MOD_ABSENT, MOD_UNKNOWN };

/* A kernel module, and what provides it. */
struct kmod {
	const char *name;	/* as modprobe knows it */
	const char *ldisc;	/* its line discipline's name in /proc/tty/ldiscs, or NULL */
	const char *config;	/* the kernel option that builds it */
};

static const struct kmod mod_generic = { "ppp_generic", NULL, "CONFIG_PPP" };
static const struct kmod mod_async = { "ppp_async", "ppp", "CONFIG_PPP_ASYNC" };
static const struct kmod mod_hdlc = { "n_hdlc", "n_hdlc", "CONFIG_N_HDLC" };
static const struct kmod mod_mppe = { "ppp_mppe", NULL, "CONFIG_PPP_MPPE" };

/* A path under the test's stand-in root (test build only), or the real
 * one. */
static void sys_path(char *buf, size_t cap, const char *fmt, ...) PPTP_PRINTF(3, 4);
static void sys_path(char *buf, size_t cap, const char *fmt, ...)
{
#ifdef PPTP_TEST_HOOKS
	const char *root = getenv("PPTP_TEST_SYSROOT");
#else
	const char *root = NULL;
#endif
	va_list ap;
	int n = snprintf(buf, cap, "%s", root ? root : "");

	if (n < 0 || (size_t)n >= cap)
		n = 0;
	va_start(ap, fmt);
	vsnprintf(buf + n, cap - (size_t)n, fmt, ap);
	va_end(ap);
}

static void kernel_release(char *rel, size_t cap)
{
	char p[4096];
	struct utsname u;

	sys_path(p, sizeof p, "/proc/sys/kernel/osrelease");
	FILE *f = fopen(p, "re");
	if (f) {
		bool got = fgets(rel, (int)cap, f) != NULL;
		fclose(f);
		rel[strcspn(rel, "\n")] = 0;
		if (got && *rel)
			return;
	}
	str_copy(rel, uname(&u) == 0 ? u.release : "unknown", cap);
}

/* Whether a module file or list entry ("kernel/.../ppp_async.ko.xz:",
 * "ppp_async 20480 0 - Live") names the module: its base name, up to
 * ".ko" or the first blank, with '-' and '_' alike. */
static bool names_module(const char *entry, const char *name)
{
	const char *b = entry;
	for (const char *p = entry; *p && *p != ':' && *p != ' ' && *p != '\t'; p++)
		if (*p == '/')
			b = p + 1;
	size_t i = 0;
	for (; name[i]; i++) {
		char c = b[i] == '-' ? '_' : b[i];
		if (c != name[i])
			return false;
	}
	return b[i] == 0 || b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == ':' ||
	       strncmp(b + i, ".ko", 3) == 0;
}

/* 1 when a line of the file names the module (ldisc: the file lists line
 * disciplines, the name first), 0 when none does, -1 without the file. */
static int file_lists(const char *path, const char *name)
{
	FILE *f = fopen(path, "re");
	char line[1024];
	int found = 0;

	if (!f)
		return -1;
	while (!found && fgets(line, sizeof line, f))
		found = names_module(line, name);
	fclose(f);
	return found;
}

static enum mod_state module_state(const struct kmod *m, const char *rel)
{
	char p[4096];
	struct stat st;

	if (m->ldisc) {
		sys_path(p, sizeof p, "/proc/tty/ldiscs");
		if (file_lists(p, m->ldisc) == 1)
			return MOD_PRESENT;
	}
	sys_path(p, sizeof p, "/proc/modules");
	if (file_lists(p, m->name) == 1)
		return MOD_PRESENT;
	sys_path(p, sizeof p, "/sys/module/%s", m->name);
	if (stat(p, &st) == 0)
		return MOD_PRESENT;
	sys_path(p, sizeof p, "/lib/modules/%s/modules.builtin", rel);
	if (file_lists(p, m->name) == 1)
		return MOD_PRESENT;
	sys_path(p, sizeof p, "/lib/modules/%s/modules.dep", rel);
	int r = file_lists(p, m->name);
	return r == 1 ? MOD_LOADABLE : r == 0 ? MOD_ABSENT : MOD_UNKNOWN;
}

/* The fix for a module this kernel does not have at all. */
static void fix_absent(struct local_result *r, const struct kmod *m, const char *rel,
		       const char *what)
{
	snprintf(r->fix, sizeof r->fix, "The running kernel (%s) has no %s: the module %s is "
		 "neither loaded nor installed. Install the kernel's extra modules (on Ubuntu "
		 "'linux-modules-extra-%s'; Debian's and Fedora's kernels include it) and "
		 "reboot into that kernel if it is a new one, or use a kernel built with %s. "
		 "Inside a container, the host's kernel counts: load it there ('modprobe %s').",
		 rel, what, m->name, rel, m->config, m->name);
}

/* A kernel part that a module provides: present, loadable, or missing. */
static void check_module(struct local_result *r, const struct kmod *m, const char *rel,
			 const char *what)
{
	snprintf(r->name, sizeof r->name, "%s (%s)", what, m->name);
	r->cause = CAUSE_NO_KERNEL_PPP;
	switch (module_state(m, rel)) {
	case MOD_PRESENT:
		r->ok = true;
		str_copy(r->found, "present", sizeof r->found);
		break;
	case MOD_LOADABLE:
		r->ok = true;
		str_copy(r->found, "installed, loaded when pppd needs it", sizeof r->found);
		break;
	case MOD_UNKNOWN:
		/* No module index: a kernel without modules, or a container.
		 * Not proof of anything missing. */
		r->ok = true;
		snprintf(r->found, sizeof r->found, "not loaded; no module index for %s, so "
			 "built in or missing cannot be told", rel);
		break;
	case MOD_ABSENT:
		r->ok = false;
		snprintf(r->found, sizeof r->found, "missing: neither loaded nor installed for %s",
			 rel);
		fix_absent(r, m, rel, what);
		break;
	}
}

/* /dev/ppp opened as pppd opens it, with pppd's three ways to fail. */
static void check_dev_ppp(struct local_result *r, const char *rel)
{
	char p[4096];

	str_copy(r->name, "/dev/ppp", sizeof r->name);
	r->cause = CAUSE_NO_KERNEL_PPP;
	sys_path(p, sizeof p, "/dev/ppp");
	int fd = open(p, O_RDWR | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		r->ok = true;
		str_copy(r->found, "opens", sizeof r->found);
		return;
	}
	int e = errno;
	bool generic = module_state(&mod_generic, rel) != MOD_ABSENT;
	if (e == ENOENT) {
		str_copy(r->found, "missing", sizeof r->found);
		if (generic)
			str_copy(r->fix, "/dev/ppp, the device pppd works through, does not exist. "
				 "Create it as root: 'mknod -m 600 /dev/ppp c 108 0'. In a container "
				 "it must come from the host, e.g. 'docker run --device /dev/ppp "
				 "--cap-add NET_ADMIN'.", sizeof r->fix);
		else
			fix_absent(r, &mod_generic, rel, "PPP support");
	} else if (e == ENXIO || e == ENODEV) {
		str_copy(r->found, "present, but no driver behind it", sizeof r->found);
		if (generic)
			str_copy(r->fix, "/dev/ppp exists but the kernel's PPP driver is not "
				 "loaded: 'modprobe ppp_generic'.", sizeof r->fix);
		else
			fix_absent(r, &mod_generic, rel, "PPP support");
	} else if (e == EACCES || e == EPERM) {
		str_copy(r->found, "not permitted to open it", sizeof r->found);
		str_copy(r->fix, "/dev/ppp exists but may not be opened here: in a container "
			 "the device must be allowed (e.g. 'docker run --device /dev/ppp "
			 "--cap-add NET_ADMIN'), and pppd must run as root.", sizeof r->fix);
	} else {
		snprintf(r->found, sizeof r->found, "cannot open it: %s", strerror(e));
		snprintf(r->fix, sizeof r->fix, "/dev/ppp cannot be opened (%s).", strerror(e));
	}
}

/* Run 'pppd --version' and keep its version: the first line that says
 * one, whatever pppd writes it to. */
static void pppd_version(const char *path, char *out, size_t cap)
{
	int pfd[2];

	str_copy(out, "version unknown", cap);
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return;
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);
		if (null >= 0)
			dup2(null, STDIN_FILENO);
		dup2(pfd[1], STDOUT_FILENO);
		dup2(pfd[1], STDERR_FILENO);
		execl(path, "pppd", "--version", (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	if (pid < 0) {
		close(pfd[0]);
		return;
	}
	char buf[512];
	size_t n = 0;
	uint64_t end = now_us() + VERSION_WAIT_MS * 1000u;
	for (;;) {
		uint64_t now = now_us();
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		if (n + 1 >= sizeof buf || now >= end ||
		    poll(&p, 1, (int)((end - now) / 1000u) + 1) <= 0)
			break;
		ssize_t r = read(pfd[0], buf + n, sizeof buf - 1 - n);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	buf[n] = 0;
	close(pfd[0]);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	const char *v = strstr(buf, "version ");
	if (v) {
		v += strlen("version ");
		snprintf(out, cap, "version %.*s", (int)strcspn(v, " \r\n"), v);
	}
}

static void check_pppd(struct local_check *lc, bool ask_version)
{
	struct local_result *r = &lc->item[LOCAL_PPPD];

	str_copy(r->name, "pppd", sizeof r->name);
	int found = pppd_find(lc->pppd_path, sizeof lc->pppd_path, lc->pppd_refused,
			      sizeof lc->pppd_refused);
	if (found < 0 && lc->pppd_refused[0]) {
		/* There is one, but root must not run it: pppd could not be
		 * started, as ever. */
		r->cause = CAUSE_PPPD;
		lc->pppd_path[0] = 0;
		snprintf(r->found, sizeof r->found, "not usable: %.300s; no other pppd found on "
			 "PATH or in /usr/sbin", lc->pppd_refused);
		str_copy(r->fix, "Root runs pppd, so only a pppd that root alone can change is "
			 "taken: make that one and the directories above it root's own and closed "
			 "to others, or install the 'ppp' package.", sizeof r->fix);
		return;
	}
	r->cause = CAUSE_NO_PPPD;
	if (found < 0) {
		lc->pppd_path[0] = 0;
		str_copy(r->found, "not found on PATH or in /usr/sbin", sizeof r->found);
		str_copy(r->fix, "pppd carries PPP over the tunnel and is not installed: install "
			 "the 'ppp' package (apt install ppp, dnf install ppp, ...).", sizeof r->fix);
		return;
	}
	r->ok = true;
	char v[48] = "";
	if (ask_version)
		pppd_version(lc->pppd_path, v, sizeof v);
	snprintf(r->found, sizeof r->found, "%.140s%s%s", lc->pppd_path, *v ? ", " : "", v);
}

enum local_item local_check_run(struct local_check *lc, bool sync, bool ask_version)
{
	char rel[256];

	memset(lc, 0, sizeof *lc);
	kernel_release(rel, sizeof rel);
	check_pppd(lc, ask_version);
	check_dev_ppp(&lc->item[LOCAL_DEV_PPP], rel);
	if (sync)
		check_module(&lc->item[LOCAL_LDISC], &mod_hdlc, rel, "synchronous framing");
	else
		check_module(&lc->item[LOCAL_LDISC], &mod_async, rel, "PPP async framing");
	check_module(&lc->item[LOCAL_MPPE], &mod_mppe, rel, "MPPE");
	lc->item[LOCAL_MPPE].cause = CAUSE_NO_MPPE;
	for (int i = 0; i < LOCAL_ITEMS; i++)
		if (!lc->item[i].ok)
			return (enum local_item)i;
	return LOCAL_ITEMS;
}

void local_check_advice(const struct local_check *lc, char *buf, size_t cap)
{
	int missing = 0;

	for (int i = 0; i < LOCAL_ITEMS; i++)
		missing += !lc->item[i].ok;
	if (cap)
		buf[0] = 0;
	for (int i = 0, k = 0; i < LOCAL_ITEMS; i++) {
		if (lc->item[i].ok)
			continue;
		size_t n = strlen(buf);
		/* Several fixes: each one a bullet (print_wrapped's "- "). */
		snprintf(buf + n, cap - n, "%s%s%s", k++ ? "\n" : "", missing > 1 ? "- " : "",
			 lc->item[i].fix);
	}
}
