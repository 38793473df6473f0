/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gw_kernel.c - --kernel: the pty and the PPTP socket joined inside the
 * kernel (see gw_kernel.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>

#include <linux/if_pppox.h>
#include <linux/ppp-ioctl.h>
#include <linux/ppp_defs.h>

#include "gw_kernel.h"
#include "pptp_gre_int.h"
#include "privileges.h"
#include "status.h"
#include "exitstatus.h"
#include "util.h"

#ifndef N_PPP
#define N_PPP 3
#endif
#ifndef N_SYNC_PPP
#define N_SYNC_PPP 14
#endif
#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif
#define PPPD_RUNDIR "/run"	/* where pppd keeps NAME.pid */
#define BIND_TRIES 64	/* random call IDs tried before giving up */

/* Under --nolaunchpppd, pppd's pty must be both stdin and stdout. */
static bool one_tty(const struct pptp_options *o, int tty)
{
	struct stat a, b;

	if (!isatty(tty)) {
		log_err("--kernel needs pppd on a pty: stdin is not a terminal (run pptp from "
			"pppd's pty option, with nothing between them)");
		return false;
	}
	if (o->nolaunchpppd && (fstat(STDIN_FILENO, &a) < 0 || fstat(STDOUT_FILENO, &b) < 0 ||
				a.st_rdev != b.st_rdev)) {
		log_err("--kernel needs pppd's pty as both stdin and stdout: stdout is something "
			"else (a pipe to another program?), and the kernel can only take frames "
			"from the pty itself");
		return false;
	}
	return true;
}

/* The pieces that may be missing: each one logged with its remedy;
 * returns how many are missing. */
static int open_pieces(struct kernel_path *k, const struct pptp_options *o)
{
	int missing = 0, ld = o->sync ? N_SYNC_PPP : N_PPP;
	const char *ldmod = o->sync ? "ppp_synctty" : "ppp_async";

	k->line_ppp = open("/dev/ppp", O_RDWR | O_CLOEXEC);
	if (k->line_ppp >= 0)
		k->peer_ppp = open("/dev/ppp", O_RDWR | O_CLOEXEC);
	if (k->line_ppp < 0 || k->peer_ppp < 0) {
		missing++;
		log_err("--kernel: /dev/ppp does not open (%s): the kernel's PPP support is "
			"missing (modprobe ppp_generic)", strerror(errno));
	}
	k->sock = socket(AF_PPPOX, SOCK_STREAM | SOCK_CLOEXEC, PX_PROTO_PPTP);
	if (k->sock < 0) {
		missing++;
		log_err("--kernel: the kernel has no PPTP sockets (AF_PPPOX, PX_PROTO_PPTP: %s): "
			"load the pptp module (modprobe pptp); a kernel built without CONFIG_PPTP "
			"cannot carry --kernel", strerror(errno));
	}
	if (ioctl(k->tty, TIOCSETD, &ld) < 0) {
		missing++;
		log_err("--kernel: the PPP %s line discipline (%s) cannot be set on the pty (%s): "
			"modprobe %s", o->sync ? "synchronous" : "async", ldmod, strerror(errno), ldmod);
	} else {
		k->ldisc_set = true;
	}
	return missing;
}

/* Bridging arrived in Linux 5.12: an older kernel does not know the
 * ioctl (ENOTTY), a newer one looks for the channel to bridge with, and
 * there is no channel -1 (ENXIO). */
static bool bridge_supported(const struct kernel_path *k)
{
	int none = -1;
	struct utsname u;

	if (ioctl(k->line_ppp, PPPIOCBRIDGECHAN, &none) < 0 && errno == ENXIO)
		return true;
	int e = errno;
	uname(&u);
	log_err("--kernel: this kernel cannot bridge PPP channels (PPPIOCBRIDGECHAN: %s): "
		"that needs Linux 5.12 or later, and this is %s: upgrade the kernel, or leave "
		"--kernel out", strerror(e), u.release);
	return false;
}

/* The address our GRE leaves from, towards server: the kernel's PPTP
 * socket needs one to connect.  --localbind's, else the route's.  0 or
 * -errno. */
static int source_address(const struct pptp_options *o, uint32_t server, uint32_t *src)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = server };
	socklen_t len = sizeof sa;

	if (o->have_localbind) {
		*src = o->localbind;
		return 0;
	}
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (o->have_rtmark)
		setsockopt(fd, SOL_SOCKET, SO_MARK, &o->rtmark, sizeof o->rtmark);
	int r = connect(fd, (struct sockaddr *)&sa, sizeof sa);
	if (r == 0)
		r = getsockname(fd, (struct sockaddr *)&sa, &len);
	r = r < 0 ? -errno : 0;
	close(fd);
	*src = sa.sin_addr.s_addr;
	return r;
}

/* err's text for the error e (an errno, taken before anything can change
 * it): "--kernel: WHAT: strerror(e)"; returns -e. */
__attribute__((format(printf, 4, 5)))
static int kfail(char *err, size_t errlen, int e, const char *fmt, ...)
{
	char what[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	snprintf(err, errlen, "--kernel: %s: %s", what, strerror(e));
	return -e;
}

int kernel_bind(struct kernel_path *k, const struct pptp_options *o, uint32_t server, char *err,
		size_t errlen)
{
	uint32_t src = 0;
	uint16_t first = 0;

#ifdef PPTP_TEST_HOOKS
	const char *want = getenv("PPTP_TEST_KERNEL_CALL_ID");
	if (want && !k->call_id)
		first = (uint16_t)strtoul(want, NULL, 10);
#endif
	/* A socket is bound once: another call ID, or another address of the
	 * server, needs another. */
	if (k->call_id) {
		close(k->sock);
		k->call_id = 0;
		k->sock = socket(AF_PPPOX, SOCK_STREAM | SOCK_CLOEXEC, PX_PROTO_PPTP);
		if (k->sock < 0)
			return kfail(err, errlen, errno, "a PPTP socket");
	}
	int r = source_address(o, server, &src);
	if (r < 0)
		return kfail(err, errlen, -r, "no route to the server for its GRE");
	if (o->have_rtmark && setsockopt(k->sock, SOL_SOCKET, SO_MARK, &o->rtmark,
					 sizeof o->rtmark) < 0) {
		int e = errno;
		snprintf(err, errlen, "--rtmark on the PPTP socket: %s", strerror(e));
		return -e;
	}
	/* One of our own choosing (the kernel would count up from 1, as other
	 * clients behind the same NAT may), free in its table for the machine. */
	for (int i = 0; i < BIND_TRIES; i++) {
		uint16_t id = first;
		first = 0;
		if (!id && (getrandom(&id, sizeof id, 0) != sizeof id || id == 0))
			continue;
		struct sockaddr_pppox sa = { .sa_family = AF_PPPOX, .sa_protocol = PX_PROTO_PPTP };
		sa.sa_addr.pptp.call_id = id;
		sa.sa_addr.pptp.sin_addr.s_addr = src;
		if (bind(k->sock, (struct sockaddr *)&sa, sizeof sa) == 0) {
			k->call_id = id;
			log_debug("--kernel: the PPTP socket is bound to call ID %u", id);
			return 0;
		}
		if (errno != EBUSY)
			return kfail(err, errlen, errno, "binding the PPTP socket to call ID %u", id);
	}
	snprintf(err, errlen, "--kernel: no free call ID in the kernel's table after %d tries",
		 BIND_TRIES);
	return -EBUSY;
}

enum pptp_cause kernel_prepare(struct kernel_path *k, const struct pptp_options *o, int tty)
{
	k->tty = tty;
	if (!one_tty(o, tty))
		return CAUSE_LOCAL;
	int missing = open_pieces(k, o);
	if (!missing) {
		if (ioctl(k->tty, PPPIOCGCHAN, &k->line_chan) < 0 ||
		    ioctl(k->line_ppp, PPPIOCATTCHAN, &k->line_chan) < 0) {
			log_err("--kernel: the pty's PPP channel: %s", strerror(errno));
			return CAUSE_LOCAL;
		}
		if (!bridge_supported(k))
			missing++;
	}
	if (missing)
		return CAUSE_NO_KERNEL_PPP;	/* this machine cannot carry the tunnel */
	k->ctl = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (k->ctl < 0)
		log_warn("--kernel: a socket to read pppd's interface counters: %s; no statistics",
			 strerror(errno));
	log_notice("kernel data path: the kernel does not reorder (a packet out of order is "
		   "dropped), sends no acknowledgement-only packets and keeps no send window; "
		   "statistics are pppd's ppp interface's");
	return CAUSE_NONE;
}

int kernel_connect(struct kernel_path *k, uint32_t server, uint16_t peer_call_id, char *err,
		   size_t errlen)
{
	struct sockaddr_pppox sa = { .sa_family = AF_PPPOX, .sa_protocol = PX_PROTO_PPTP };

	sa.sa_addr.pptp.call_id = peer_call_id;
	sa.sa_addr.pptp.sin_addr.s_addr = server;
	if (connect(k->sock, (struct sockaddr *)&sa, sizeof sa) < 0)
		return kfail(err, errlen, errno,
			     "connecting the PPTP socket to the server's call ID %u", peer_call_id);
	if (ioctl(k->sock, PPPIOCGCHAN, &k->sock_chan) < 0)
		return kfail(err, errlen, errno, "the PPTP socket's channel");
	if (ioctl(k->line_ppp, PPPIOCBRIDGECHAN, &k->sock_chan) < 0)
		return kfail(err, errlen, errno,
			     "bridging the pty's channel %d with the PPTP socket's %d", k->line_chan,
			     k->sock_chan);
	k->bridged = true;
	log_info("kernel data path: the pty's PPP channel %d is bridged with the PPTP socket's "
		 "channel %d: frames no longer pass through pptp", k->line_chan, k->sock_chan);
	return 0;
}

/* pppd's pid: the one we launched, or under --nolaunchpppd the pppd that
 * started us (our parent, or its parent when a shell ran the pty command). */
static pid_t pppd_of(pid_t launched)
{
	pid_t p = launched ? launched : getppid();

	for (int depth = 0; p > 1 && depth < 3; depth++) {
		char path[64], buf[512];
		snprintf(path, sizeof path, "/proc/%d/stat", (int)p);
		FILE *f = fopen(path, "re");
		if (!f)
			return 0;
		size_t n = fread(buf, 1, sizeof buf - 1, f);
		fclose(f);
		buf[n] = '\0';
		/* "pid (comm) state ppid ...": comm may hold spaces and parentheses */
		char *open = strchr(buf, '('), *close = strrchr(buf, ')');
		int ppid;
		if (!open || !close || close < open || sscanf(close + 1, " %*c %d", &ppid) != 1)
			return 0;
		*close = '\0';
		if (!strcmp(open + 1, "pppd"))
			return p;
		p = ppid;
	}
	return 0;
}

/* Whether name is a ppp interface (only those answer SIOCGPPPSTATS). */
static bool is_ppp_interface(const struct kernel_path *k, const char *name)
{
	struct ppp_stats st;
	struct ifreq ifr;

	memset(&ifr, 0, sizeof ifr);
	str_copy(ifr.ifr_name, name, sizeof ifr.ifr_name);
	ifr.ifr_data = (void *)&st;
	return ioctl(k->ctl, SIOCGPPPSTATS, &ifr) == 0;
}

/* pppd names its interface ppp<unit> unless told otherwise (its ifname
 * option, which may sit in any of its options files).  The one place that
 * pairs a renamed interface with its pppd is pppd's pid file, /run/NAME.pid,
 * which holds pppd's pid.  True once name is a ppp interface of ours. */
bool kernel_name_interface(struct kernel_path *k)
{
	char want[16];
	DIR *d = k->pppd_pid ? opendir(PPPD_RUNDIR) : NULL;
	struct dirent *e;

	snprintf(want, sizeof want, "%d", (int)k->pppd_pid);
	while (d && (e = readdir(d))) {
		size_t len = strlen(e->d_name);
		char path[300], line[32] = "";
		if (len < 5 || len - 4 >= sizeof k->ifname || strcmp(e->d_name + len - 4, ".pid") ||
		    !strncmp(e->d_name, "ppp-", 4))	/* ppp-LINKNAME.pid names a link */
			continue;
		snprintf(path, sizeof path, "%s/%s", PPPD_RUNDIR, e->d_name);
		FILE *f = fopen(path, "re");
		if (!f)
			continue;
		bool ours = fgets(line, sizeof line, f) && strtol(line, NULL, 10) == k->pppd_pid &&
			    line[strspn(line, "0123456789")] == '\n';
		fclose(f);
		char name[16];
		snprintf(name, sizeof name, "%.*s", (int)(len - 4), e->d_name);
		if (ours && is_ppp_interface(k, name)) {
			str_copy(k->ifname, name, sizeof k->ifname);
			closedir(d);
			return true;
		}
	}
	if (d)
		closedir(d);
	snprintf(k->ifname, sizeof k->ifname, "ppp%d", k->unit);
	return is_ppp_interface(k, k->ifname);
}

int kernel_open_peer(const struct kernel_path *k, char *err, size_t errlen)
{
	int fd = ioctl(k->tty, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);

	return fd < 0 ? kfail(err, errlen, errno, "cannot open pppd's side of the pty") : fd;
}

int kernel_find_pppd(struct kernel_path *k, int fd, pid_t launched, char *err, size_t errlen)
{
	int r = 0, chan, unit;

	/* Until pppd sets its line discipline, its side has no channel. */
	if (ioctl(fd, PPPIOCGCHAN, &chan) == 0 && k->peer_chan < 0) {
		if (ioctl(k->peer_ppp, PPPIOCATTCHAN, &chan) < 0)
			r = kfail(err, errlen, errno, "watching pppd's channel %d", chan);
		else
			k->peer_chan = chan;
	}
	if (r == 0 && k->peer_chan >= 0 && ioctl(fd, PPPIOCGUNIT, &unit) == 0 && unit >= 0) {
		k->unit = unit;
		k->pppd_pid = pppd_of(launched);
		k->named = kernel_name_interface(k);
		log_info("kernel data path: pppd's channel %d, unit %d (%s%s)", k->peer_chan, unit,
			 k->ifname, k->named ? "" : ", not there yet");
		r = 1;
	}
	return r;
}

int kernel_counters(const struct kernel_path *k, struct kernel_counters *c)
{
	struct ppp_stats st;
	struct ifreq ifr;

	memset(c, 0, sizeof *c);
	if (k->unit < 0 || k->ctl < 0 || !k->named)
		return -ENODEV;
	memset(&ifr, 0, sizeof ifr);
	str_copy(ifr.ifr_name, k->ifname, sizeof ifr.ifr_name);
	ifr.ifr_data = (void *)&st;
	if (ioctl(k->ctl, SIOCGPPPSTATS, &ifr) < 0)
		return -errno;
	c->v[KSTATS_RX_PACKETS] = st.p.ppp_ipackets;
	c->v[KSTATS_RX_BYTES] = st.p.ppp_ibytes;
	c->v[KSTATS_RX_ERRORS] = st.p.ppp_ierrors;
	c->v[KSTATS_TX_PACKETS] = st.p.ppp_opackets;
	c->v[KSTATS_TX_BYTES] = st.p.ppp_obytes;
	c->v[KSTATS_TX_ERRORS] = st.p.ppp_oerrors;
	str_copy(ifr.ifr_name, k->ifname, sizeof ifr.ifr_name);
	c->up = ioctl(k->ctl, SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_UP);
	return 0;
}

void kernel_counters_format(const struct kernel_path *k, const struct kernel_counters *last,
			    char *buf, size_t cap)
{
	struct kernel_counters c;

	if (kernel_counters(k, &c) == 0) {
		kstats_format(k->ifname, c.v, buf, cap);
		return;
	}
	/* At the end pppd has usually gone and its interface with it: the
	 * last reading (at most one sampling period old) is what there is. */
	if (last) {
		int n = snprintf(buf, cap, "(the last reading: %s is gone) ", k->ifname);
		if (n > 0 && (size_t)n < cap)
			kstats_format(k->ifname, last->v, buf + n, cap - (size_t)n);
		return;
	}
	snprintf(buf, cap, "kernel data path: no counters (pppd's ppp interface %s)",
		 k->unit < 0 ? "is not known yet" : "does not answer");
}

void kernel_close(struct kernel_path *k)
{
	if (k->bridged && ioctl(k->line_ppp, PPPIOCUNBRIDGECHAN) < 0)
		log_warn("--kernel: unbridging the channels: %s", strerror(errno));
	k->bridged = false;
	int fds[] = { k->peer_ppp, k->line_ppp, k->sock, k->ctl };
	for (size_t i = 0; i < ARRAY_LEN(fds); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	k->peer_ppp = k->line_ppp = k->sock = k->ctl = -1;
	if (k->ldisc_set) {
		int ld = N_TTY;
		ioctl(k->tty, TIOCSETD, &ld);
		k->ldisc_set = false;
	}
}

/* ---- the gateway's part: the frames never come to it ---- */

#define KERNEL_TICK_US 200000ull		/* looking for pppd's side of the pty */
#define KERNEL_SAMPLE_US 1000000ull		/* the watchdog's look at the counters */
#define KERNEL_FIND_US (30 * 1000000ull)	/* pppd's time to set up its line */

/* pppd's channel (its end ends the tunnel) and unit (the counters), until
 * found; then the watchdog: pppd's interface sends while nothing comes
 * back.  A server that only acknowledges is not seen there: the kernel
 * keeps GRE to itself. */
void gateway_kernel_tick(struct gateway *g, uint64_t now)
{
	struct kernel_path *k = g->p->kernel;
	struct kernel_counters c;

	if (now < g->kern.next_us)
		return;
	g->kern.next_us = now + (k->unit < 0 && !g->kern.gave_up ? KERNEL_TICK_US : KERNEL_SAMPLE_US);
	if (k->unit < 0 && !g->kern.gave_up) {
		char err[256];
		int r = g->pppd.slave < 0 ? -EBADF
					   : kernel_find_pppd(k, g->pppd.slave, g->p->pppd_pid, err,
							      sizeof err);
		if (r < 0 && g->pppd.slave >= 0)
			log_err("%s", err);
		if (r == 1)
			tell_pppd_running(g);
		if (r < 0 || (r == 0 && now > g->call_up_us + KERNEL_FIND_US)) {
			g->kern.gave_up = true;
			log_warn("--kernel: pppd's PPP unit not found within %llu s: no statistics%s",
				 (unsigned long long)(KERNEL_FIND_US / 1000000u), k->peer_chan < 0
				 ? ", and pppd's end is seen only by signals" : "");
		}
		/* Found, or given up on: pppd's end must be what closes its line. */
		if ((r != 0 || g->kern.gave_up) && g->pppd.slave >= 0) {
			close(g->pppd.slave);
			g->pppd.slave = -1;
		}
		/* Attaching to pppd's channel needed CAP_NET_ADMIN; nothing else does. */
		if (k->peer_chan >= 0 || g->kern.gave_up) {
			if (!g->kern.caps_dropped && privileges_limit(NULL, 0, err, sizeof err) < 0)
				log_warn("%s", err);
			g->kern.caps_dropped = true;
		}
		return;
	}
	if (!k->named) {
		if (!kernel_name_interface(k)) {
			if (!g->kern.name_warned && now > g->call_up_us + KERNEL_FIND_US) {
				g->kern.name_warned = true;
				log_warn("--kernel: pppd's interface for unit %d not found (no %s, and "
					 "no %s/NAME.pid of pppd %d): no statistics", k->unit,
					 k->ifname, PPPD_RUNDIR, (int)k->pppd_pid);
			}
			return;
		}
		log_info("kernel data path: pppd's interface is %s", k->ifname);
	}
	if (kernel_counters(k, &c) < 0)
		return;
	if (!g->net_seen && c.up && c.v[KSTATS_RX_PACKETS] && c.v[KSTATS_TX_PACKETS]) {
		g->net_seen = true;
		g->state_since = (int64_t)time(NULL);
		log_info("pppd's interface %s is up and carries frames: the tunnel is connected",
			 k->ifname);
	}
	if (c.v[KSTATS_RX_PACKETS] != g->kern.last.v[KSTATS_RX_PACKETS]) {
		if (g->kern.warned)
			log_notice("packets from the server arrive again on %s", k->ifname);
		g->kern.warned = false;
		g->kern.quiet_since_us = 0;
	} else if (c.v[KSTATS_TX_PACKETS] != g->kern.last.v[KSTATS_TX_PACKETS] &&
		   !g->kern.quiet_since_us) {
		g->kern.quiet_since_us = now;
		g->kern.tx_at_quiet = g->kern.last.v[KSTATS_TX_PACKETS];
	}
	g->kern.last = c;
	g->kern.sampled = true;
	if (g->kern.quiet_since_us && !g->kern.warned &&
	    now >= g->kern.quiet_since_us + GRE_WATCH_US) {
		g->kern.warned = true;
		log_warn("no packets from the server on %s any more (none for %llu s while pppd sent "
			 "%llu): it stopped sending, or the path now drops GRE", k->ifname,
			 (unsigned long long)((now - g->kern.quiet_since_us) / 1000000u),
			 (unsigned long long)(c.v[KSTATS_TX_PACKETS] - g->kern.tx_at_quiet));
	}
}

void gateway_kernel_status(const struct gateway *g, struct tunnel_status *t)
{
	struct kernel_counters c;

	t->kernel = true;
	memset(t->stats, 0, sizeof t->stats);
	kernel_counters(g->p->kernel, &c);
	memcpy(t->kstats, c.v, sizeof t->kstats);
	str_copy(t->ppp_if, g->p->kernel->ifname, sizeof t->ppp_if);
}
