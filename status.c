/* SPDX-License-Identifier: GPL-2.0-or-later */
/* status.c - live status of the tunnels: the record, the gateway's
 * listening socket, and `pptp --status [--json]`. */
#include "status.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#define STATUS_MAGIC "pptp-status 1"
#define MAX_TUNNELS 256
const char *tunnel_state_name(enum tunnel_state s)
{
	switch (s) {
	case TUNNEL_DIALING: return "dialing";
	case TUNNEL_VERIFYING: return "verifying";
	case TUNNEL_CONNECTED: return "connected";
	case TUNNEL_TERMINATED: return "terminated";
	}
	return "unknown";
}

size_t status_format(const struct tunnel_status *t, char *buf, size_t cap)
{
	char addr[sizeof t->server], name[sizeof t->server_name], logs[sizeof t->logstring];
	size_t o = 0;
	int n;

	/* Values are single words or printable strings: no line breaks. */
	str_printable(addr, sizeof addr, t->server, sizeof t->server);
	str_printable(name, sizeof name, t->server_name, sizeof t->server_name);
	str_printable(logs, sizeof logs, t->logstring, sizeof t->logstring);
	n = snprintf(buf, cap,
		     STATUS_MAGIC "\npid %d\npppd_pid %d\nserver %s\nserver_name %s\nlogstring %s\n"
		     "state %s\nstarted %" PRId64 "\nsince %" PRId64 "\ncall_id %u\n"
		     "peer_call_id %u\n",
		     (int)t->pid, (int)t->pppd_pid, addr, name, logs,
		     tunnel_state_name(t->state), t->started, t->since, t->call_id,
		     t->peer_call_id);
	if (n < 0 || (size_t)n >= cap)
		return 0;
	o = (size_t)n;
	for (size_t i = 0; i < STATS_N; i++) {
		enum stats_id k = stats_record_field(i);
		n = snprintf(buf + o, cap - o, "%s %" PRIu64 "\n", stats_fields[k].key, t->stats[k]);
		if (n < 0 || (size_t)n >= cap - o)
			return 0;
		o += (size_t)n;
	}
	/* --kernel only (a record without it is the user-space path's) */
	char ifname[sizeof t->ppp_if];
	str_printable(ifname, sizeof ifname, t->ppp_if, sizeof t->ppp_if);
	for (size_t i = 0; t->kernel && i <= KSTATS_N; i++) {
		n = i == 0
			? snprintf(buf + o, cap - o, "data_path kernel\nppp_interface %s\n",
				   ifname[0] ? ifname : "-")
			: snprintf(buf + o, cap - o, "%s %" PRIu64 "\n", kstats_fields[i - 1].key,
				   t->kstats[i - 1]);
		if (n < 0 || (size_t)n >= cap - o)
			return 0;
		o += (size_t)n;
	}
	n = snprintf(buf + o, cap - o, "end\n");
	if (n < 0 || (size_t)n >= cap - o)
		return 0;
	return o + (size_t)n;
}

static int parse_i64(const char *v, int64_t *out)
{
	char *end;
	errno = 0;
	long long x = strtoll(v, &end, 10);
	if (!*v || *end || errno)
		return -1;
	*out = x;
	return 0;
}

/* The counters are unsigned 64-bit: all of that range, and no sign. */
static int parse_u64(const char *v, uint64_t *out)
{
	char *end;
	if (*v < '0' || *v > '9')
		return -1;
	errno = 0;
	unsigned long long x = strtoull(v, &end, 10);
	if (*end || errno)
		return -1;
	*out = x;
	return 0;
}

int status_parse(const char *text, struct tunnel_status *t)
{
	char line[300];
	bool ended = false;
	const char *p = text;

	memset(t, 0, sizeof *t);
	t->state = TUNNEL_TERMINATED;
	if (strncmp(p, STATUS_MAGIC "\n", sizeof STATUS_MAGIC))
		return -1;
	p += sizeof STATUS_MAGIC;
	while (*p && !ended) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (len >= sizeof line)
			return -1;
		memcpy(line, p, len);
		line[len] = '\0';
		p += len + (nl ? 1 : 0);
		if (!strcmp(line, "end")) {
			ended = true;
			break;
		}
		char *v = strchr(line, ' ');
		if (!v)
			return -1;
		*v++ = '\0';
		int64_t x = 0;
		uint64_t u = 0;
		bool num = parse_i64(v, &x) == 0;
		int c = stats_by_key(line);
		/* Whoever wrote the record, what it says is printed on a
		 * terminal: control characters become '?'. */
		if (!strcmp(line, "server"))
			str_printable(t->server, sizeof t->server, v, strlen(v));
		else if (!strcmp(line, "server_name"))
			str_printable(t->server_name, sizeof t->server_name, v, strlen(v));
		else if (!strcmp(line, "logstring"))
			str_printable(t->logstring, sizeof t->logstring, v, strlen(v));
		else if (!strcmp(line, "data_path"))
			t->kernel = !strcmp(v, "kernel");
		else if (!strcmp(line, "ppp_interface"))
			str_printable(t->ppp_if, sizeof t->ppp_if, v, strlen(v));
		else if (kstats_by_key(line) >= 0) {
			if (parse_u64(v, &u) == 0)
				t->kstats[kstats_by_key(line)] = u;
		} else if (!strcmp(line, "state")) {
			for (int s = TUNNEL_DIALING; s <= TUNNEL_TERMINATED; s++)
				if (!strcmp(v, tunnel_state_name(s)))
					t->state = s;
		} else if (c >= 0) {
			if (parse_u64(v, &u) == 0)
				t->stats[c] = u;
		} else if (!num) {
			continue;	/* a newer field we do not know */
		} else if (!strcmp(line, "pid")) {
			t->pid = (pid_t)x;
		} else if (!strcmp(line, "pppd_pid")) {
			t->pppd_pid = (pid_t)x;
		} else if (!strcmp(line, "started")) {
			t->started = x;
		} else if (!strcmp(line, "since")) {
			t->since = x;
		} else if (!strcmp(line, "call_id")) {
			t->call_id = (uint16_t)x;
		} else if (!strcmp(line, "peer_call_id")) {
			t->peer_call_id = (uint16_t)x;
		}
	}
	return ended && t->pid > 0 ? 0 : -1;
}

bool ppp_frame_is_network(const uint8_t *f, size_t n)
{
	if (n >= 2 && f[0] == 0xff && f[1] == 0x03) {
		f += 2;
		n -= 2;
	}
	if (n < 1)
		return false;
	/* Protocol-field compression: an odd first byte is the whole field. */
	unsigned proto = f[0] & 1 ? f[0] : n >= 2 ? (unsigned)(f[0] << 8 | f[1]) : 0;
	/* 0x0001-0x3fff are network-layer protocols (IP, IPv6, MPPE's
	 * compressed datagrams); control protocols live above 0x8000. */
	return proto > 0 && proto < 0x4000;
}

/* ---- the gateway's socket ---- */

static void sweep_dead(void);

int status_listen(char *path, size_t cap)
{
	struct stat st;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	if (mkdir(PPTP_STATUS_DIR, 0755) < 0 && errno != EEXIST)
		return -errno;
	/* Anything in there is trusted to be a tunnel's: ours and closed. */
	if (lstat(PPTP_STATUS_DIR, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 022)) {
		log_warn(PPTP_STATUS_DIR " is not a directory of uid %u closed to others: no "
			 "status socket for this tunnel", (unsigned)geteuid());
		return -EPERM;
	}
	/* Tunnels killed before anyone could tidy up (pptp.8, FILES). */
	sweep_dead();
	int n = snprintf(path, cap, PPTP_STATUS_DIR "/%ld", (long)getpid());
	if (n < 0 || (size_t)n + 4 >= cap || (size_t)n + 4 >= sizeof sun.sun_path)
		return -ENAMETOOLONG;
	/* Listening before it has its name: a socket found under a tunnel's
	 * name that refuses a connection is a dead tunnel's, never one that
	 * is still being set up. */
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s.new", path);
	unlink(sun.sun_path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sun, sizeof sun) < 0 || chmod(sun.sun_path, 0666) < 0 ||
	    listen(fd, 8) < 0 || rename(sun.sun_path, path) < 0) {
		int e = errno;
		log_debug("no status socket: %s", strerror(e));
		close(fd);
		unlink(sun.sun_path);
		return -e;
	}
	return fd;
}

void status_serve(int fd, const struct tunnel_status *t)
{
	char rec[STATUS_RECORD_MAX];
	size_t n = status_format(t, rec, sizeof rec);
	int c;

	while ((c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		/* A record fits any socket buffer; a reader that is not there
		 * simply misses it. */
		if (n && send(c, rec, n, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
			log_debug("status reader went away: %s", strerror(errno));
		close(c);
	}
}

void status_close(int fd, const char *path)
{
	if (fd < 0)
		return;
	close(fd);
	unlink(path);
}

/* A gateway killed outright (SIGKILL) leaves its socket; whoever learns
 * that it died tidies it.  Only a socket nobody listens on goes: the pid
 * may already be a new gateway's. */
static bool status_socket_of(long pid, struct sockaddr_un *sun)
{
	struct stat st;

	*sun = (struct sockaddr_un){ .sun_family = AF_UNIX };
	return pid > 0 && snprintf(sun->sun_path, sizeof sun->sun_path, PPTP_STATUS_DIR "/%ld",
				   pid) < (int)sizeof sun->sun_path &&
	       lstat(sun->sun_path, &st) == 0 && S_ISSOCK(st.st_mode) && st.st_uid == geteuid();
}

bool status_socket_exists(long pid)
{
	struct sockaddr_un sun;

	return status_socket_of(pid, &sun);
}

bool status_remove_dead(long pid)
{
	struct sockaddr_un sun;

	if (!status_socket_of(pid, &sun))
		return false;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	bool dead = connect(fd, (struct sockaddr *)&sun, sizeof sun) < 0 && errno == ECONNREFUSED;
	close(fd);
	return dead && unlink(sun.sun_path) == 0;
}

static void sweep_dead(void)
{
	DIR *d = opendir(PPTP_STATUS_DIR);
	struct dirent *e;
	int n = 0;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		/* Only a pid that is gone is probed: a connection to a live
		 * gateway's socket would make it answer for nothing. */
		if (e->d_name[0] < '1' || e->d_name[0] > '9' || pid > INT32_MAX ||
		    pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		if (!*end ? status_remove_dead(pid) :
		    strcmp(end, ".new") == 0 && unlinkat(dirfd(d), e->d_name, 0) == 0)
			n++;	/* PID.new: one killed while setting up */
	}
	closedir(d);
	if (n)
		log_debug("removed %d status socket%s of tunnels that died", n, n == 1 ? "" : "s");
}

/* ---- pptp --status ---- */

/* How long --status waits for one tunnel: a gateway that is stopped
 * (SIGSTOP, a debugger) or stuck must not hang the listing. */
#define STATUS_FETCH_MS 2000

/* Connect without blocking: a full listen backlog (a gateway that stopped
 * accepting) is retried until the deadline, not waited on for ever. */
static int connect_by(int fd, const struct sockaddr_un *sun, uint64_t deadline)
{
	for (;;) {
		if (connect(fd, (const struct sockaddr *)sun, sizeof *sun) == 0)
			return 0;
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
		if (now_us() >= deadline)
			return -ETIMEDOUT;
		nanosleep(&(struct timespec){ .tv_nsec = 50 * 1000 * 1000 }, NULL);
	}
}

/* Fetch one record within STATUS_FETCH_MS; 0, or -errno (ECONNREFUSED: a
 * stale socket; ETIMEDOUT: the gateway does not answer). */
static int fetch(const char *path, struct tunnel_status *t)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char buf[STATUS_RECORD_MAX + 1];
	size_t have = 0;
	uint64_t deadline = now_us() + STATUS_FETCH_MS * 1000ull;
	int r;

	str_copy(sun.sun_path, path, sizeof sun.sun_path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	r = connect_by(fd, &sun, deadline);
	while (r == 0) {
		uint64_t now = now_us();
		if (now >= deadline) {
			r = -ETIMEDOUT;
			break;
		}
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int pr = poll(&p, 1, (int)((deadline - now + 999) / 1000));
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0) {
			r = pr < 0 ? -errno : -ETIMEDOUT;
			break;
		}
		ssize_t n = read(fd, buf + have, sizeof buf - 1 - have);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0)
			break;
		have += (size_t)n;
		if (have == sizeof buf - 1)
			break;
	}
	close(fd);
	if (r < 0)
		return r;
	buf[have] = '\0';
	return status_parse(buf, t) == 0 ? 0 : -EPROTO;
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* One tunnel in the --json listing. */
static void json_tunnel(const struct tunnel_status *t, bool first, int64_t now)
{
	printf("%s\n {\"pid\":%d,\"pppd_pid\":%d,\"server\":", first ? "" : ",", (int)t->pid,
	       (int)t->pppd_pid);
	json_str(t->server);
	printf(",\"server_name\":");
	json_str(t->server_name);
	printf(",\"logstring\":");
	json_str(t->logstring);
	printf(",\"state\":\"%s\",\"uptime_s\":%" PRId64 ",\"state_s\":%" PRId64
	       ",\"call_id\":%u,\"peer_call_id\":%u,\"data_path\":\"%s\",",
	       tunnel_state_name(t->state), now - t->started, now - t->since,
	       t->call_id, t->peer_call_id, t->kernel ? "kernel" : "user");
	if (t->kernel) {
		printf("\"ppp_interface\":");
		json_str(t->ppp_if);
		printf(",\"interface_statistics\":{");
		for (size_t k = 0; k < KSTATS_N; k++)
			printf("%s\"%s\":%" PRIu64, k ? "," : "", kstats_fields[k].key,
			       t->kstats[k]);
	} else {
		printf("\"statistics\":{");
		for (size_t at = 0; at < STATS_N; at++) {
			enum stats_id k = stats_record_field(at);
			printf("%s\"%s\":%" PRIu64, at ? "," : "", stats_fields[k].key,
			       t->stats[k]);
		}
	}
	printf("}}");
}

static void duration(char *buf, size_t cap, int64_t s)
{
	if (s < 0)
		s = 0;
	snprintf(buf, cap, "%" PRId64 ":%02d:%02d", s / 3600, (int)(s / 60 % 60), (int)(s % 60));
}

static int by_pid(const void *a, const void *b)
{
	const struct tunnel_status *x = a, *y = b;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

int status_list(bool json)
{
	struct tunnel_status *ts = calloc(MAX_TUNNELS, sizeof *ts);
	long mute[MAX_TUNNELS];		/* the pids of gateways that did not answer */
	int n = 0, stale = 0, nmute = 0;
	DIR *d = opendir(PPTP_STATUS_DIR);
	int64_t now = (int64_t)time(NULL);

	if (!ts) {
		fprintf(stderr, "pptp: out of memory\n");
		return -ENOMEM;
	}
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)) && n < MAX_TUNNELS) {
			char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
			/* PID only: PID.new is a socket still being set up */
			if (e->d_name[0] < '0' || e->d_name[0] > '9' ||
			    e->d_name[strspn(e->d_name, "0123456789")] ||
			    snprintf(path, sizeof path, PPTP_STATUS_DIR "/%s", e->d_name) >=
			    (int)sizeof path)
				continue;
			int r = fetch(path, &ts[n]);
			if (r == 0) {
				n++;
			} else if (r == -ETIMEDOUT && nmute < MAX_TUNNELS) {
				mute[nmute++] = strtol(e->d_name, NULL, 10);
			} else if (r == -ECONNREFUSED) {
				stale++;
				/* A tunnel killed without cleaning up; root tidies it. */
				if (geteuid() == 0)
					unlink(path);
			}
		}
		closedir(d);
	} else if (errno != ENOENT) {
		int e = errno;
		fprintf(stderr, "pptp: cannot read " PPTP_STATUS_DIR ": %s\n", strerror(e));
		free(ts);
		return -e;
	}
	qsort(ts, (size_t)n, sizeof *ts, by_pid);

	if (json) {
		printf("{\"tunnels\":[");
		for (int i = 0; i < n; i++) {
			json_tunnel(&ts[i], i == 0, now);
		}
		printf("%s],\"unresponsive\":[", n ? "\n" : "");
		for (int i = 0; i < nmute; i++)
			printf("%s%ld", i ? "," : "", mute[i]);
		printf("]}\n");
	} else if (n == 0 && nmute == 0) {
		printf("no PPTP tunnel is running\n");
	} else {
		for (int i = 0; i < n; i++) {
			struct tunnel_status *t = &ts[i];
			char up[32], in[32];
			duration(up, sizeof up, now - t->started);
			duration(in, sizeof in, now - t->since);
			printf("%s: %s", t->logstring, t->server);
			if (t->server_name[0] && strcmp(t->server_name, t->server))
				printf(" (%s)", t->server_name);
			printf(", %s for %s, up %s\n", tunnel_state_name(t->state), in, up);
			printf("    gateway pid %d", (int)t->pid);
			if (t->pppd_pid > 0)
				printf(", pppd pid %d", (int)t->pppd_pid);
			if (t->call_id)
				printf(", call ID %u, server's call ID %u", t->call_id, t->peer_call_id);
			/* The same words as the statistics line in the log. */
			char line[STATS_LINE_MAX];
			if (t->kernel)
				kstats_format(t->ppp_if, t->kstats, line, sizeof line);
			else
				stats_format(t->stats, line, sizeof line);
			printf("\n    %s\n", line);
		}
	}
	for (int i = 0; i < nmute && !json; i++)
		printf("gateway pid %ld: does not answer (stopped or stuck?): no status within %d s\n",
		       mute[i], STATUS_FETCH_MS / 1000);
	if (stale && !json)
		printf("(%d stale status socket%s of tunnels that died%s)\n", stale,
		       stale > 1 ? "s" : "", geteuid() == 0 ? ": removed" : "");
	free(ts);
	return 0;
}
