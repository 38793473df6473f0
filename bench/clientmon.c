/* SPDX-License-Identifier: GPL-2.0-or-later */
/* clientmon.c - runs a PPTP client and accounts for every process it
 * starts, for the benchmark (bench/bench.sh).
 *
 *   clientmon [--interval MS] [--linger S] [--cpulog FILE [--peer PID]...]
 *             REPORT -- PROGRAM ARGS...
 *
 * It sits between the pppd stand-in and the client: fakeppp -- clientmon
 * REPORT -- pptp SERVER --nolaunchpppd.  Standard input and output (the pty)
 * pass straight to PROGRAM; every other descriptor is closed first, so the
 * client's descriptor count is its own.
 *
 * clientmon makes itself a child subreaper (PR_SET_CHILD_SUBREAPER): a call
 * manager that the client detaches with a double fork becomes our child
 * instead of init's, so it is waited for and accounted like the gateway.
 * While they run, the processes below us are sampled every --interval ms
 * from /proc: CPU ticks, VmHWM (peak resident set), VmRSS, private memory
 * (Private_Clean + Private_Dirty of smaps_rollup, the largest seen), open
 * descriptors (the most seen).
 * When a process ends, wait4() gives its exact CPU time and counters.
 * Once the last one is gone (or --linger seconds after PROGRAM ended, when
 * the rest are killed and reported as lingering) the report is written:
 *
 *   PROC pid=P role=gateway|detached|child user_s= sys_s= hwm_kb= maxrss_kb=
 *        rss_kb= priv_kb= max_fds= vcsw= ivcsw= minflt= life_s= exit=
 *   TOTAL procs=N user_s= sys_s= vcsw= ivcsw= (getrusage(RUSAGE_CHILDREN):
 *        every process of the client, exact)
 *
 * role gateway: the process we started; detached: a process orphaned to us
 * (the call manager); child: seen only while sampling (reaped by another of
 * the client's processes, so its CPU time is inside that one's figures).
 * The exit status is PROGRAM's.
 *
 * --cpulog FILE: at every sample, one line of CPU time so far, in
 * nanoseconds, so that the benchmark can take any window's CPU time (the
 * difference of two interpolated readings) rather than a whole run's:
 *
 *   T_US CLIENT_NS PARENT_NS PEER_NS...
 *
 * T_US: CLOCK_MONOTONIC in microseconds (the clock fakeppp and pacsrv
 * stamp their steps with), taken halfway through the reading.  CLIENT_NS:
 * every client process, from /proc/PID/task/TID/schedstat (the time each
 * thread has run, user and system; a running thread's time moves on at
 * the scheduler's ticks, 4 ms at 250 Hz, so a reading is that coarse); a process that has ended counts with
 * its wait4() time, one reaped by another client process with the last
 * reading, so the column never goes back.  PARENT_NS: our parent (fakeppp);
 * PEER_NS: each --peer process (pacsrv), the same way while it runs. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_PROCS 64

struct proc {
	pid_t pid;
	const char *role;
	bool reaped;
	long hwm_kb, rss_kb, priv_kb, fds, ticks;
	uint64_t run_ns;	/* CPU time at the last reading (schedstat) */
	double t_seen, t_end;
	struct rusage ru;
	int status;
};

static struct proc procs[MAX_PROCS];
static int nprocs;
static pid_t gateway;
static volatile sig_atomic_t got_signal;
static long hz;

#define MAX_PEERS 4
static pid_t peers[MAX_PEERS + 1];	/* [0]: our parent, then --peer */
static uint64_t peer_ns[MAX_PEERS + 1];
static int npeers;
static FILE *cpulog;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct proc *find(pid_t pid, bool add)
{
	for (int i = 0; i < nprocs; i++)
		if (procs[i].pid == pid)
			return &procs[i];
	if (!add || nprocs == MAX_PROCS)
		return NULL;
	struct proc *p = &procs[nprocs++];
	memset(p, 0, sizeof *p);
	p->pid = pid;
	p->role = pid == gateway ? "gateway" : "child";
	p->t_seen = now_s();
	return p;
}

static long count_fds(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
	DIR *d = opendir(path);
	if (!d)
		return -1;
	long n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* CPU time PID has run so far, all its threads (ns); false when it is gone. */
static bool run_time_ns(pid_t pid, uint64_t *ns)
{
	char path[96];
	snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
	DIR *d = opendir(path);
	if (!d)
		return false;
	uint64_t sum = 0;
	bool any = false;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "/proc/%d/task/%.16s/schedstat", (int)pid, e->d_name);
		FILE *f = fopen(path, "re");
		if (!f)
			continue;
		unsigned long long v;
		if (fscanf(f, "%llu", &v) == 1) {
			sum += v;
			any = true;
		}
		fclose(f);
	}
	closedir(d);
	if (any)
		*ns = sum;
	return any;
}

static double tv(struct timeval t) { return (double)t.tv_sec + (double)t.tv_usec / 1e6; }

/* One line of --cpulog: the CPU time of the client's processes and of the
 * peers now. */
static void log_cpu(void)
{
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	uint64_t client = 0;
	for (int i = 0; i < nprocs; i++) {
		struct proc *p = &procs[i];
		if (p->reaped) {
			client += (uint64_t)((tv(p->ru.ru_utime) + tv(p->ru.ru_stime)) * 1e9 + 0.5);
			continue;
		}
		uint64_t ns;
		if (run_time_ns(p->pid, &ns) && ns > p->run_ns)
			p->run_ns = ns;
		client += p->run_ns;
	}
	for (int i = 0; i < npeers; i++) {
		uint64_t ns;
		if (run_time_ns(peers[i], &ns) && ns > peer_ns[i])
			peer_ns[i] = ns;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	uint64_t ta = (uint64_t)a.tv_sec * 1000000u + (uint64_t)a.tv_nsec / 1000u;
	uint64_t tb = (uint64_t)b.tv_sec * 1000000u + (uint64_t)b.tv_nsec / 1000u;
	fprintf(cpulog, "%llu %llu", (unsigned long long)((ta + tb) / 2), (unsigned long long)client);
	for (int i = 0; i < npeers; i++)
		fprintf(cpulog, " %llu", (unsigned long long)peer_ns[i]);
	fputc('\n', cpulog);
}

/* One process: its counters now, and its children, recursively. */
static void sample(pid_t pid, int depth)
{
	char path[96], buf[4096];
	struct proc *p = find(pid, true);
	if (!p || p->reaped)
		return;
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "re");
	if (f) {
		while (fgets(buf, sizeof buf, f)) {
			long v;
			if (sscanf(buf, "VmHWM: %ld", &v) == 1 && v > p->hwm_kb)
				p->hwm_kb = v;
			else if (sscanf(buf, "VmRSS: %ld", &v) == 1)
				p->rss_kb = v;
		}
		fclose(f);
	}
	/* private memory: what this process costs beyond shared library pages */
	snprintf(path, sizeof path, "/proc/%d/smaps_rollup", (int)pid);
	f = fopen(path, "re");
	if (f) {
		long priv = 0, v;
		bool any = false;
		while (fgets(buf, sizeof buf, f)) {
			if (sscanf(buf, "Private_Clean: %ld", &v) == 1 || sscanf(buf, "Private_Dirty: %ld", &v) == 1) {
				priv += v;
				any = true;
			}
		}
		fclose(f);
		if (any && priv > p->priv_kb)
			p->priv_kb = priv;
	}
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (f) {
		if (fgets(buf, sizeof buf, f)) {
			/* fields after the command name, which may hold spaces */
			char *q = strrchr(buf, ')');
			unsigned long ut, stt;
			if (q && sscanf(q + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &stt) == 2)
				p->ticks = (long)(ut + stt);
		}
		fclose(f);
	}
	long n = count_fds(pid);
	if (n > p->fds)
		p->fds = n;
	if (depth > 8)
		return;
	snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)pid, (int)pid);
	f = fopen(path, "re");
	if (f) {
		int c;
		while (fscanf(f, "%d", &c) == 1)
			sample(c, depth + 1);
		fclose(f);
	}
}

static void sample_all(void)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/self/task/%d/children", (int)getpid());
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	int c;
	while (fscanf(f, "%d", &c) == 1)
		sample(c, 0);
	fclose(f);
}

static void on_signal(int sig) { got_signal = sig; }

static void usage(void)
{
	fprintf(stderr, "usage: clientmon [--interval MS] [--linger S] [--cpulog FILE [--peer PID]...] "
		"REPORT -- PROGRAM ARGS...\n");
	exit(64);
}

int main(int argc, char **argv)
{
	long interval_ms = 10;
	double linger = 15;
	const char *cpulog_path = NULL;
	peers[npeers++] = getppid();
	int i = 1;
	for (; i < argc && argv[i][0] == '-' && strcmp(argv[i], "--"); i += 2) {
		if (i + 1 >= argc)
			usage();
		if (!strcmp(argv[i], "--interval"))
			interval_ms = atol(argv[i + 1]);
		else if (!strcmp(argv[i], "--linger"))
			linger = atof(argv[i + 1]);
		else if (!strcmp(argv[i], "--cpulog"))
			cpulog_path = argv[i + 1];
		else if (!strcmp(argv[i], "--peer") && npeers <= MAX_PEERS && atoi(argv[i + 1]) > 0)
			peers[npeers++] = (pid_t)atoi(argv[i + 1]);
		else
			usage();
	}
	if (i + 2 >= argc || strcmp(argv[i + 1], "--") || interval_ms < 1)
		usage();
	const char *report = argv[i];
	char **prog = argv + i + 2;
	hz = sysconf(_SC_CLK_TCK);
	if (cpulog_path) {
		cpulog = fopen(cpulog_path, "we");
		if (!cpulog) {
			perror(cpulog_path);
			return 70;
		}
	}

	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
		perror("clientmon: PR_SET_CHILD_SUBREAPER");
		return 70;
	}
	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	gateway = fork();
	if (gateway < 0) {
		perror("clientmon: fork");
		return 70;
	}
	if (gateway == 0) {
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		/* the client's descriptors are its own: 0, 1, 2 and nothing else */
		if (syscall(SYS_close_range, 3u, ~0u, 0u) < 0)
			for (int fd = 3; fd < 1024; fd++)
				close(fd);
		execvp(prog[0], prog);
		fprintf(stderr, "clientmon: cannot run %s: %s\n", prog[0], strerror(errno));
		_exit(127);
	}
	/* stdin/stdout are the pty: keep them away from what comes after us */
	int devnull = open("/dev/null", O_RDWR);
	if (devnull >= 0) {
		dup2(devnull, 0);
		dup2(devnull, 1);
		close(devnull);
	}
	find(gateway, true);

	double gw_end = 0, t0 = now_s();
	int gw_status = -1;
	bool killed = false;
	for (;;) {
		if (got_signal && gw_status < 0) {
			kill(gateway, got_signal);
			got_signal = 0;
		}
		sample_all();
		int status;
		struct rusage ru;
		pid_t w;
		bool none_left = false;
		while ((w = wait4(-1, &status, WNOHANG, &ru)) != 0) {
			if (w < 0) {
				if (errno == EINTR)
					continue;
				none_left = errno == ECHILD;
				break;
			}
			struct proc *p = find(w, true);
			if (!p)
				continue;
			p->reaped = true;
			p->ru = ru;
			p->status = status;
			p->t_end = now_s();
			if (p->pid != gateway)
				p->role = "detached";
			else {
				gw_status = status;
				gw_end = p->t_end;
			}
		}
		if (cpulog)
			log_cpu();
		if (none_left)
			break;
		if (gw_status >= 0 && !killed && now_s() - gw_end > linger) {
			/* what is still running after PROGRAM ended is reported, then ended */
			for (int k = 0; k < nprocs; k++)
				if (!procs[k].reaped) {
					fprintf(stderr, "clientmon: pid %d still running %.1f s after the client ended\n",
						(int)procs[k].pid, linger);
					kill(procs[k].pid, SIGKILL);
				}
			killed = true;
		}
		usleep((useconds_t)interval_ms * 1000);
	}

	FILE *out = fopen(report, "we");
	if (!out) {
		perror(report);
		out = stderr;
	}
	int reaped = 0;
	for (int k = 0; k < nprocs; k++) {
		struct proc *p = &procs[k];
		if (!p->reaped) {
			/* reaped by one of the client's own processes (its CPU time is in that one's) */
			fprintf(out, "PROC pid=%d role=child hwm_kb=%ld rss_kb=%ld priv_kb=%ld max_fds=%ld sampled_cpu_s=%.3f\n",
				(int)p->pid, p->hwm_kb, p->rss_kb, p->priv_kb, p->fds, (double)p->ticks / (double)hz);
			continue;
		}
		reaped++;
		int code = WIFEXITED(p->status) ? WEXITSTATUS(p->status) : 128 + WTERMSIG(p->status);
		fprintf(out,
			"PROC pid=%d role=%s user_s=%.3f sys_s=%.3f hwm_kb=%ld maxrss_kb=%ld rss_kb=%ld priv_kb=%ld max_fds=%ld "
			"vcsw=%ld ivcsw=%ld minflt=%ld life_s=%.3f exit=%d\n",
			(int)p->pid, p->role, tv(p->ru.ru_utime), tv(p->ru.ru_stime), p->hwm_kb, p->ru.ru_maxrss,
			p->rss_kb, p->priv_kb, p->fds, p->ru.ru_nvcsw, p->ru.ru_nivcsw, p->ru.ru_minflt,
			p->t_end - (p->pid == gateway ? t0 : p->t_seen), code);
	}
	struct rusage all;
	getrusage(RUSAGE_CHILDREN, &all);
	fprintf(out, "TOTAL procs=%d user_s=%.3f sys_s=%.3f vcsw=%ld ivcsw=%ld lingered=%d\n", reaped,
		tv(all.ru_utime), tv(all.ru_stime), all.ru_nvcsw, all.ru_nivcsw, killed);
	if (out != stderr)
		fclose(out);
	if (cpulog)
		fclose(cpulog);
	if (gw_status < 0)
		return 70;
	return WIFEXITED(gw_status) ? WEXITSTATUS(gw_status) : 128 + WTERMSIG(gw_status);
}
