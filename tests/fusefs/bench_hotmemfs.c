// SPDX-License-Identifier: GPL-2.0
/*
 * bench_hotmemfs: hotmemfs against the real /sys of this machine, in one
 * run (so both sides see the same load):
 *   attr_read_ratio   open+read+close of one attribute  (goal <= 3x)
 *   fuse_floor_attr_read_us  the same on fuse_floor, the cheapest FUSE
 *                     server with sysfs's freshness (tests/fusefs/fuse_floor.c)
 *   attr_read_vs_fuse_floor  hotmemfs against that floor, the reader and
 *                     both servers on one CPU (goal <= 1.2x); *_two_cpus:
 *                     both servers on the other CPU, *_free: where the
 *                     scheduler puts them, each side's modes said
 *                     (bench_floor(); `bench_hotmemfs floor` runs it alone)
 *   lsmem_ratio       lsmem over the same number of blocks (goal <= 2x)
 *   attr_read_ratio_uring, lsmem_ratio_uring  the same with hotmemfs
 *                     --io-uring (FUSE over io_uring, kernel 6.14+), mounted
 *                     beside, interleaved with both (goals as theirs);
 *                     *_uring_vs_devfuse: against hotmemfs on /dev/fuse
 *   lsmem_fuse_requests_per_block  what one lsmem asks hotmemfs, per block
 *                     (its status's "fuse" counters): the round trips
 *   *_one_cpu         attr_read_ratio and lsmem_ratio again with the reader
 *                     and hotmemfs on one CPU: how much of the ratio is the
 *                     wake-ups across CPUs each round trip costs;
 *                     lsmem_ratio_two_cpus: hotmemfs on the other CPU
 *   lsmem_round_trip_one_cpu_us, lsmem_round_trip_two_cpus_us  what
 *                     hotmemfs's lsmem costs over the real one, per block
 *                     and FUSE request, in those two placements
 *   host_wake_rtt_cross_cpu_us, host_wake_rtt_same_cpu_us  a pipe round
 *                     trip between two processes on two CPUs and on one,
 *                     in turn: what a wake-up across CPUs costs this host
 *   fuse_floor_uring_attr_read_us  fuse_floor over io_uring (-u: a queue
 *                     per CPU, the request served on the reader's CPU)
 *   fuse_floor_uring_vs_devfuse  that against fuse_floor on /dev/fuse,
 *                     interleaved (io_uring's gain per request, same run)
 *   hotmemd_coldplug_256_uring_ms  hotmemd --oneshot onlining a 256-block
 *                     DIMM (memmaps from system RAM) served by hotmemfs
 *                     --io-uring (goal as bench_hotmemd's coldplug: 2 s per
 *                     1024 blocks); *_vs_devfuse: against /dev/fuse, a
 *                     fresh machine each run, in turn, best of 7;
 *                     `bench_hotmemfs uring` runs these four alone
 *   huge_list_s       readdir of 32768 blocks (2 GiB each, 64 TiB)
 *   huge_lsmem_s      lsmem over those 32768 blocks
 *   huge128m_lsmem_uring_s  huge128m's lsmem again on the same machine
 *                     served by hotmemfs --io-uring (one run each)
 *   huge128m_hotmemd_coldplug_ram_uring_s  huge128m's coldplug with
 *                     memmaps from system RAM again, served by hotmemfs
 *                     --io-uring, on as many blocks (one run each);
 *                     *_vs_devfuse: its time a block against /dev/fuse's
 *   huge128m_*        a 16 TiB machine of 128 MiB blocks (131072 blocks,
 *                     memmap_on_memory): its DIMM plugged (or, when the
 *                     host refuses the mappings, the largest that fits),
 *                     the memory directory listed, lsmem, and a state
 *                     change there against the same on a 17-block machine
 *                     of the same profile (O(change), not O(machine));
 *                     hotmemd's coldplug of as many blocks as this host
 *                     can hold online, extrapolated to 131072.  As root it
 *                     raises vm.max_map_count to 1048576 (what Ubuntu
 *                     24.04 and Fedora 39+ ship) for this part only, and
 *                     puts the old value back on every way out;
 *                     huge128m_host_fresh_page_after_vs_before(_ram): a
 *                     fresh host page at the coldplug's end against its
 *                     start (the host, not hotmem, is what grows)
 * The real side is read-only.  Needs root and /dev/fuse; otherwise it
 * says so and exits 0.
 *
 * The machine is shared (2 CPUs, other jobs): the sides are timed in
 * batches taken in turn, so that both see the same load.  A ratio is that
 * of the sides' medians (a best-of flipped with one disturbed batch):
 * under each, a "#" line gives both medians, their spread, the ratio of
 * the bests and the 1-minute load (tests/bench_report.h
 * bench_report_pair(); in build/bench.json "medians", "spread",
 * "best_ratio", "load1").  A time alone is the best of its batches, the
 * median printed beside it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../bench_report.h"

#define NR_BATCH 15

struct fs {
	char dir[64], mnt[96], ctl[96];
	pid_t pid;
};

/*
 * The file servers started and not yet stopped, where the signal handler
 * (bench_signal()) finds them: a bench killed by SIGINT or SIGTERM
 * unmounts, stops and removes them as fs_stop() would.  A slot is taken
 * when its pid is set, last.
 */
#define NR_LIVE 8
static struct live_fs {
	struct fs f;
	volatile pid_t pid; /* 0: free */
} live[NR_LIVE];

static void live_add(const struct fs *f)
{
	for (int i = 0; i < NR_LIVE; i++) {
		if (live[i].pid)
			continue;
		live[i].f = *f;
		live[i].pid = f->pid;
		return;
	}
}

static void live_del(const struct fs *f)
{
	for (int i = 0; f->pid > 0 && i < NR_LIVE; i++)
		if (live[i].pid == f->pid)
			live[i].pid = 0;
}

/* async-signal-safe (umount2, kill, waitpid, nanosleep, rmdir, unlink): every live server gone */
static void live_stop_all(void)
{
	const struct timespec tick = { 0, 10 * 1000 * 1000 };

	for (int i = 0; i < NR_LIVE; i++) {
		pid_t pid = live[i].pid;

		if (!pid)
			continue;
		umount2(live[i].f.mnt, MNT_DETACH);
		kill(pid, SIGTERM);
		/* up to 2 s: a server stuck in a request must not hang the bench's exit */
		for (int t = 0; t < 200 && waitpid(pid, NULL, WNOHANG) == 0; t++)
			nanosleep(&tick, NULL);
		rmdir(live[i].f.mnt);
		if (live[i].f.ctl[0])
			unlink(live[i].f.ctl);
		rmdir(live[i].f.dir);
		live[i].pid = 0;
	}
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp);
	return v[n / 2];
}

/* one side's batches, sorted: its best and median, and what a ratio of medians needs */
struct stat2 {
	double best, median;
	double v[NR_BATCH];
	int n;
};

/* @n batches @v (sorted here) as @s */
static void stat_of(struct stat2 *s, double *v, int n)
{
	s->median = median(v, n); /* sorts: [0] is the best */
	s->best = v[0];
	memcpy(s->v, v, sizeof(*v) * (size_t)n);
	s->n = n;
}

/*
 * @a's median over @b's (two sides of one interleaved run) as @name, with
 * both medians in @what (their values times @scale), their spread and the
 * load (tests/bench_report.h); met when at most @max, or @goal names none
 */
static void report_ratio(const char *name, const struct stat2 *a, const struct stat2 *b,
			 double scale, const char *what, const char *goal, double max)
{
	double va[NR_BATCH], vb[NR_BATCH];
	struct bench_pair p;

	for (int k = 0; k < a->n; k++) {
		va[k] = a->v[k] * scale;
		vb[k] = b->v[k] * scale;
	}
	bench_pair_of(&p, va, vb, a->n);
	bench_report_pair(name, &p, what, goal, bench_pair_ratio(&p) <= max);
}

static int run(char *const argv[], bool quiet)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		if (quiet) {
			int fd = open("/dev/null", O_WRONLY);

			dup2(fd, 1);
			dup2(fd, 2);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/*
 * In a file server's child, before its exec: SIGTERM (which unmounts and
 * ends it) when the bench dies, even by kill -9, which no handler of
 * bench_signal() sees -- else its mount stays, served by nobody's bench
 */
static void server_ends_with_bench(pid_t bench)
{
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) || getppid() != bench)
		_exit(1); /* or it died before: nobody to serve */
}

/*
 * Wait for @f's hotmemfs to show @probe, for as long as it lives (up to
 * 5 minutes): the huge128m RAM profile boots 324 GiB, whose 5 GiB of
 * struct pages took 60-90 s where a fresh host page cost 25 us (2026-11-30;
 * a fixed 10 s said "did not start" of a hotmemfs still booting).  Its
 * exit is looked at without reaping it (WNOWAIT): fs_stop() waits for it.
 */
static int fs_mounted(const struct fs *f, const char *probe)
{
	double t0 = now();

	for (int i = 0; i < 12000; i++) {
		siginfo_t si = { 0 };

		if (!access(probe, F_OK)) {
			if (now() - t0 > 5.0)
				printf("# hotmemfs took %.1f s to mount\n", now() - t0);
			return 0;
		}
		if (!waitid(P_PID, (id_t)f->pid, &si, WEXITED | WNOHANG | WNOWAIT) && si.si_pid)
			return -1;
		usleep(25000);
	}
	return -1;
}

/*
 * hotmemfs on a fresh directory; with @state its state file is there too;
 * @opt: one more option (--io-uring), or NULL
 */
static int fs_start_opt(struct fs *f, const char *build, const char *profile, bool state,
			const char *opt)
{
	char bin[512], probe[256], statefile[300];
	pid_t bench;

	snprintf(f->dir, sizeof(f->dir), "/tmp/hotmemfs-bench.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->mnt, sizeof(f->mnt), "%s/mnt", f->dir);
	snprintf(f->ctl, sizeof(f->ctl), "%s/ctl.sock", f->dir);
	mkdir(f->mnt, 0755);
	snprintf(statefile, sizeof(statefile), "%s/state.json", f->dir);
	snprintf(bin, sizeof(bin), "%s/hotmemfs", build);
	bench = getpid();
	f->pid = fork();
	if (f->pid > 0)
		live_add(f);
	if (f->pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		server_ends_with_bench(bench);
		dup2(fd, 2);
		if (opt)
			execl(bin, bin, opt, "--profile", profile, "--state",
			      state ? statefile : "none", "--control", f->ctl, f->mnt, (char *)NULL);
		else
			execl(bin, bin, "--profile", profile, "--state", state ? statefile : "none",
			      "--control", f->ctl, f->mnt, (char *)NULL);
		_exit(127);
	}
	snprintf(probe, sizeof(probe), "%s/sys/devices/system/memory/block_size_bytes", f->mnt);
	return fs_mounted(f, probe);
}

static int fs_start_state(struct fs *f, const char *build, const char *profile, bool state)
{
	return fs_start_opt(f, build, profile, state, NULL);
}

static int fs_start(struct fs *f, const char *build, const char *profile)
{
	return fs_start_state(f, build, profile, false);
}

/* fuse_floor [@flag: -m, -u] on a fresh directory: its file is @f->mnt/attr */
static int floor_start(struct fs *f, const char *build, const char *flag)
{
	char bin[512], probe[160];
	pid_t bench;

	snprintf(f->dir, sizeof(f->dir), "/tmp/hotmemfs-floor.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->mnt, sizeof(f->mnt), "%s/mnt", f->dir);
	f->ctl[0] = '\0';
	mkdir(f->mnt, 0755);
	snprintf(bin, sizeof(bin), "%s/tests/fusefs/fuse_floor", build);
	bench = getpid();
	f->pid = fork();
	if (f->pid > 0)
		live_add(f);
	if (f->pid == 0) {
		server_ends_with_bench(bench);
		if (flag)
			execl(bin, bin, flag, f->mnt, (char *)NULL);
		else
			execl(bin, bin, f->mnt, (char *)NULL);
		_exit(127);
	}
	snprintf(probe, sizeof(probe), "%s/attr", f->mnt);
	for (int i = 0; i < 400; i++) {
		if (!access(probe, F_OK))
			return 0;
		usleep(25000);
	}
	return -1;
}

static void fs_stop(struct fs *f)
{
	char path[128];

	umount2(f->mnt, MNT_DETACH);
	if (f->pid > 0) {
		kill(f->pid, SIGTERM);
		waitpid(f->pid, NULL, 0);
	}
	live_del(f);
	rmdir(f->mnt);
	snprintf(path, sizeof(path), "%s", f->ctl);
	if (path[0])
		unlink(path);
	rmdir(f->dir);
}

/* one batch: per-call time of open+read+close, in us */
static double attr_batch(const char *path)
{
	char buf[4096];
	double t0 = now();

	for (int i = 0; i < 1000; i++) {
		int fd = open(path, O_RDONLY);

		if (fd < 0)
			return -1;
		if (read(fd, buf, sizeof(buf)) < 0) {
			close(fd);
			return -1;
		}
		close(fd);
	}
	return (now() - t0) * 1e3;
}

#define NR_SIDES 3

/* batches of @n sides (@n <= NR_SIDES), interleaved, in ABBA order */
static int attr_costs(const char *const *paths, int n, struct stat2 *s)
{
	double v[NR_SIDES][NR_BATCH];

	for (int k = 0; k < NR_BATCH; k++) {
		for (int j = 0; j < n; j++) {
			/* ABBA: odd batches in reverse, so that no side always comes after the same one */
			int i = k % 2 ? n - 1 - j : j;

			v[i][k] = attr_batch(paths[i]);
			if (v[i][k] < 0)
				return -1;
		}
	}
	for (int i = 0; i < n; i++)
		stat_of(&s[i], v[i], NR_BATCH);
	return 0;
}

/* batches of both sides, interleaved */
static int attr_cost(const char *a, const char *b, struct stat2 *sa, struct stat2 *sb)
{
	const char *paths[2] = { a, b };
	struct stat2 s[2];

	if (attr_costs(paths, 2, s))
		return -1;
	*sa = s[0];
	*sb = s[1];
	return 0;
}

static double cmd_once(char *const argv[])
{
	double t0 = now();

	return run(argv, true) ? -1 : now() - t0;
}

/* @n runs of @nr commands (@nr <= NR_SIDES), interleaved in ABBA order; seconds */
static int cmd_costs(char *const *const *argvs, int nr, int n, struct stat2 *s)
{
	double v[NR_SIDES][NR_BATCH];

	if (n > NR_BATCH)
		n = NR_BATCH;
	for (int i = 0; i < nr; i++)
		run(argvs[i], true); /* warm the caches on every side */
	for (int k = 0; k < n; k++) {
		for (int j = 0; j < nr; j++) {
			int i = k % 2 ? nr - 1 - j : j; /* ABBA, as attr_costs() */

			v[i][k] = cmd_once(argvs[i]);
			if (v[i][k] < 0)
				return -1;
		}
	}
	for (int i = 0; i < nr; i++)
		stat_of(&s[i], v[i], n);
	return 0;
}

/* @n runs of both commands, interleaved in ABBA order; seconds */
static int cmd_cost(char *const a[], char *const b[], int n, struct stat2 *sa, struct stat2 *sb)
{
	double va[NR_BATCH], vb[NR_BATCH];

	if (n > NR_BATCH)
		n = NR_BATCH;
	run(a, true); /* warm the caches on both sides */
	if (b)
		run(b, true);
	for (int k = 0; k < n; k++) {
		bool b_first = b && k % 2; /* ABBA, as attr_costs() */

		vb[k] = b_first ? cmd_once(b) : 0;
		va[k] = cmd_once(a);
		if (b && !b_first)
			vb[k] = cmd_once(b);
		if (va[k] < 0 || vb[k] < 0)
			return -1;
	}
	stat_of(sa, va, n);
	if (sb)
		stat_of(sb, vb, n);
	return 0;
}

static void report(const char *name, double value, const char *unit, const char *goal_text,
		   bool met)
{
	bench_report(name, value, unit, goal_text, met);
}

static int count_blocks(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += !strncmp(e->d_name, "memory", 6);
	closedir(d);
	return n;
}

/*
 * A host setting a part changes for its run (vm.max_map_count for
 * huge128m), put back however the bench ends: the old value lives where
 * an atexit() handler and a signal handler find it.  (fuse's enable_uring
 * is shared with the runs beside: uring_hold().)
 */
struct knob {
	const char *path;
	char old[32];		/* "" when not changed */
};
static struct knob knob_map_count = { "/proc/sys/vm/max_map_count", "" };

/*
 * fuse's enable_uring, held Y by tests/enable_uring.sh's holder process
 * (the one way tests and the bench set it): shared with every run beside
 * that holds Y too, the old value put back by the last one, and by the
 * holder itself when this bench dies (PR_SET_PDEATHSIG), even by kill -9.
 * Its pid while held, 0 otherwise; @uring_users: the parts using it now.
 */
static volatile pid_t uring_holder;
static int uring_users;

/* async-signal-safe: open, write, close */
static void knob_restore(struct knob *k)
{
	int fd;

	if (k->old[0]) {
		fd = open(k->path, O_WRONLY);
		if (fd >= 0) {
			ssize_t w = write(fd, k->old, strlen(k->old));

			(void)w; /* nothing more to try, in a handler least of all */
			close(fd);
		}
		k->old[0] = '\0';
	}
}

/*
 * async-signal-safe (kill, waitpid, nanosleep): the holder told to end,
 * and waited for -- up to its 60 s wait for the helper's mutex, then
 * killed (the next holder then puts back the value it saved)
 */
static void uring_holder_end(void)
{
	const struct timespec tick = { 0, 10 * 1000 * 1000 };
	pid_t pid = uring_holder;
	int t = 0;

	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	while (waitpid(pid, NULL, WNOHANG) == 0 && t++ < 6500)
		nanosleep(&tick, NULL);
	if (t > 6500) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	uring_holder = 0;
}

static void knobs_restore(void)
{
	knob_restore(&knob_map_count);
	uring_holder_end();
}

/* however the bench ends: its servers unmounted and stopped, the host settings put back */
static void bench_cleanup(void)
{
	live_stop_all();
	knobs_restore();
}

static void bench_signal(int sig)
{
	bench_cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* bench_cleanup() at exit and on the signals that end the bench */
static void bench_guard(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGSEGV, SIGBUS, SIGABRT };

	atexit(bench_cleanup);
	for (unsigned int i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], bench_signal);
}

/* @k's value into @cur, without its newline; 0, or -1 (no such setting) */
static int knob_read(const struct knob *k, char *cur, size_t len)
{
	FILE *f = fopen(k->path, "re");
	int ret = f && fgets(cur, (int)len, f) ? 0 : -1;

	if (f)
		fclose(f);
	cur[strcspn(cur, "\n")] = '\0';
	return ret;
}

/* @k to @val, its old value kept to be put back; 0 or -1 */
static int knob_set(struct knob *k, const char *val)
{
	char cur[32] = "";
	FILE *f;
	int ret;

	if (knob_read(k, cur, sizeof(cur)))
		return -1;
	snprintf(k->old, sizeof(k->old), "%s", cur);
	f = fopen(k->path, "we");
	if (!f) {
		k->old[0] = '\0';
		knob_restore(k);
		return -1;
	}
	ret = fprintf(f, "%s\n", val) < 0;
	if (fclose(f) || ret) {
		knob_restore(k);
		return -1;
	}
	return 0;
}

/* tests/enable_uring.sh: in $HOTMEM_SRC, or beside @build (build/..) */
static void uring_script(const char *build, char *path, size_t len)
{
	const char *src = getenv("HOTMEM_SRC");

	if (src)
		snprintf(path, len, "%s/tests/enable_uring.sh", src);
	else
		snprintf(path, len, "%s/../tests/enable_uring.sh", build);
}

/* the holder's one line ("held Y was N" or "refused: why") into @line; 0, or -1 */
static int uring_answer(int fd, char *line, size_t len)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	size_t n = 0;

	/* its 120 s wait for the runs holding another value, 60 s for the mutex, and some */
	while (n < len - 1 && poll(&pfd, 1, 300 * 1000) > 0) {
		ssize_t r = read(fd, line + n, 1);

		if (r <= 0 || line[n] == '\n')
			break;
		n++;
	}
	line[n] = '\0';
	return n ? 0 : -1;
}

/*
 * fuse's enable_uring held Y for a part (uring_release() when it is
 * done): 0, or -1 with the reason said (no such parameter: a kernel
 * before 6.14 or without CONFIG_FUSE_IO_URING; not root; another run
 * holding N for over 120 s)
 */
static int uring_hold(const char *build)
{
	char script[600], line[256] = "";
	const pid_t parent = getpid();
	int fds[2];
	pid_t pid;

	if (uring_users++)
		return 0;
	uring_script(build, script, sizeof(script));
	if (access(script, R_OK) || pipe2(fds, O_CLOEXEC)) {
		printf("# no %s: fuse's enable_uring not set\n", script);
		uring_users = 0;
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		/* it ends with this bench, however the bench ends */
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) || getppid() != parent)
			_exit(1);
		dup2(null, 0);
		dup2(fds[1], 1);
		execl("/bin/bash", "bash", script, "hold", "Y", "120", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	if (pid > 0 && !uring_answer(fds[0], line, sizeof(line)) &&
	    !strncmp(line, "held Y was ", 11)) {
		uring_holder = pid;
		close(fds[0]);
		return 0;
	}
	close(fds[0]);
	printf("# fuse's enable_uring not held: %s\n", line[0] ? line : "the holder said nothing");
	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
	uring_users = 0;
	return -1;
}

static void uring_release(void)
{
	if (uring_users > 0 && !--uring_users)
		uring_holder_end();
}

/* both floors' files, interleaved: @u over io_uring, @d on /dev/fuse */
static int floor_uring_pair(const char *build, struct fs *u, struct fs *d)
{
	if (floor_start(u, build, "-u")) {
		printf("# fuse_floor -u did not mount (the kernel refused io_uring?); skipped\n");
		fs_stop(u);
		return -1;
	}
	if (floor_start(d, build, NULL)) {
		printf("# fuse_floor did not mount; io_uring floor skipped\n");
		fs_stop(d);
		fs_stop(u);
		return -1;
	}
	return 0;
}

/*
 * fuse_floor over io_uring against fuse_floor on /dev/fuse (its single-
 * threaded loop, the cheaper of its two on this machine), one run,
 * interleaved: what FUSE over io_uring saves per request.  Holds fuse's
 * enable_uring Y (it lets servers that ask use io_uring, nothing else)
 * meanwhile: uring_hold().
 */
static void bench_floor_uring(const char *build)
{
	char pu[160], pd[160];
	struct stat2 su, sd;
	struct fs u, d;

	if (uring_hold(build)) {
		printf("# io_uring floor skipped\n");
		return;
	}
	if (floor_uring_pair(build, &u, &d))
		goto out;
	snprintf(pu, sizeof(pu), "%s/attr", u.mnt);
	snprintf(pd, sizeof(pd), "%s/attr", d.mnt);
	if (attr_cost(pu, pd, &su, &sd)) {
		printf("# fuse_floor: reading over io_uring failed; skipped\n");
	} else {
		printf("# open+read+close: fuse_floor over io_uring %.2f us, on /dev/fuse %.2f us "
		       "(best of %d x 1000; medians %.2f, %.2f)\n",
		       su.best, sd.best, NR_BATCH, su.median, sd.median);
		report("fuse_floor_uring_attr_read_us", su.best, "us", "informational", true);
		report_ratio("fuse_floor_uring_vs_devfuse", &su, &sd, 1, "us", "informational", 0);
	}
	fs_stop(&d);
	fs_stop(&u);
out:
	uring_release();
}

/* `hotmemctl status --json` of @f into @buf; 0 or -1 */
static int status_text(const char *build, const struct fs *f, char *buf, size_t len)
{
	char cmd[512];
	size_t n;
	FILE *st;

	snprintf(cmd, sizeof(cmd), "%s/hotmemctl -s %s status --json", build, f->ctl);
	st = popen(cmd, "r");
	if (!st)
		return -1;
	n = fread(buf, 1, len - 1, st);
	buf[n] = '\0';
	return pclose(st) ? -1 : 0;
}

/* the number after "@key": in @from, or -1 */
static long json_number(const char *from, const char *key)
{
	char k[64];
	const char *p;
	long v = -1;

	snprintf(k, sizeof(k), "\"%s\":", key);
	p = from ? strstr(from, k) : NULL;
	if (p)
		sscanf(p + strlen(k), " %ld", &v); /* "key":N or "key": N */
	return v;
}

/* hotmemfs's FUSE requests so far (status's "fuse"), or -1 */
static long fuse_requests(const char *build, const struct fs *f)
{
	char buf[8192];

	if (status_text(build, f, buf, sizeof(buf)))
		return -1;
	return json_number(strstr(buf, "\"fuse\""), "requests");
}

/* every thread of @pid on @set (the threads it starts later inherit it) */
static int pin_tasks(pid_t pid, const cpu_set_t *set)
{
	char dir[64];
	struct dirent *e;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/task", (int)pid);
	d = opendir(dir);
	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			sched_setaffinity(atoi(e->d_name), sizeof(*set), set);
	closedir(d);
	return 0;
}

/* every thread of @pid, and this process (the reader), on CPU @cpu; or back on @all */
static int pin(pid_t pid, const cpu_set_t *set)
{
	if (pin_tasks(pid, set))
		return -1;
	return sched_setaffinity(0, sizeof(*set), set);
}

/*
 * What a FUSE round trip of lsmem costs with hotmemfs placed (@what):
 * hotmemfs's lsmem over the real one's (medians @e, @r, seconds), per
 * block, per request (@reqs a block) -- lsmem's own work is the same on
 * both, sysfs's reads answer in the reader's syscall; -1 when unknown
 */
static double lsmem_round_trip_us(const struct stat2 *e, const struct stat2 *r, int blocks,
				  double reqs, const char *what)
{
	double rt;

	if (blocks <= 0 || reqs <= 0)
		return -1;
	rt = (e->median - r->median) * 1e6 / blocks / reqs;
	printf("# lsmem a block, hotmemfs %s: %.1f us, the real one %.1f us: %.2f requests a block "
	       "at %.2f us each\n", what, e->median * 1e6 / blocks, r->median * 1e6 / blocks, reqs,
	       rt);
	return rt;
}

/*
 * The same comparisons with the reader and hotmemfs on one CPU: a FUSE
 * round trip wakes the other side, across CPUs an IPI and an idle exit
 * each way on this VM, where sysfs wakes nobody.  Then lsmem with
 * hotmemfs on the other CPU: a block's cost is its requests (@reqs a
 * block, of @blocks) times the round trip of the placement
 * (bench42full's 16 TiB lsmem: 14 requests a block at ~59 us, the
 * wake-ups across CPUs of host_wake_rtt_cross_cpu_us).
 */
static void bench_one_cpu(const struct fs *f, const char *real, const char *emu, int blocks,
			  double reqs)
{
	char *real_argv[] = { "lsmem", NULL };
	char *emu_argv[] = { "lsmem", "--sysroot", (char *)f->mnt, NULL };
	int cpu = sched_getcpu(), other = -1;
	cpu_set_t all, one, there;
	struct stat2 r, e;
	double rt;

	if (cpu < 0 || sched_getaffinity(0, sizeof(all), &all))
		return;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (pin(f->pid, &one)) {
		printf("# could not pin hotmemfs: one-CPU figures skipped\n");
		return;
	}
	if (!access(real, R_OK) && !attr_cost(real, emu, &r, &e)) {
		printf("# one CPU: open+read+close real %.2f us, hotmemfs %.2f us (best of %d x "
		       "1000)\n", r.best, e.best, NR_BATCH);
		report_ratio("attr_read_ratio_one_cpu", &e, &r, 1, "us", "informational", 0);
	}
	if (!cmd_cost(real_argv, emu_argv, NR_BATCH, &r, &e)) {
		printf("# one CPU: lsmem real %.2f ms, hotmemfs %.2f ms (best of %d)\n", r.best * 1e3,
		       e.best * 1e3, NR_BATCH);
		report_ratio("lsmem_ratio_one_cpu", &e, &r, 1e3, "ms", "informational", 0);
		rt = lsmem_round_trip_us(&e, &r, blocks, reqs, "and lsmem on one CPU");
		if (rt > 0)
			report("lsmem_round_trip_one_cpu_us", rt, "us", "informational", true);
	}
	for (int c = 0; c < CPU_SETSIZE && other < 0; c++)
		if (c != cpu && CPU_ISSET(c, &all))
			other = c;
	CPU_ZERO(&there);
	if (other >= 0)
		CPU_SET(other, &there);
	/* the reader (and each lsmem it starts) stays on @cpu */
	if (other >= 0 && !pin_tasks(f->pid, &there) &&
	    !cmd_cost(real_argv, emu_argv, NR_BATCH, &r, &e)) {
		report_ratio("lsmem_ratio_two_cpus", &e, &r, 1e3, "ms", "informational", 0);
		rt = lsmem_round_trip_us(&e, &r, blocks, reqs, "on the other CPU");
		if (rt > 0)
			report("lsmem_round_trip_two_cpus_us", rt, "us", "informational", true);
	}
	pin(f->pid, &all);
}

/*
 * Where bench_floor() puts the reader and both file servers: all on the
 * reader's CPU; the servers on the other CPU; or where the scheduler
 * likes (the affinity the bench started with).
 */
enum floor_place { FLOOR_ONE_CPU, FLOOR_TWO_CPUS, FLOOR_FREE, NR_FLOOR_PLACES };

static const char *const floor_place_name[NR_FLOOR_PLACES] = { "one CPU", "two CPUs", "free" };

/* the servers @a and @b and the reader where @place says: 0, or -1 */
static int floor_place(enum floor_place place, pid_t a, pid_t b, int cpu, int other,
		       const cpu_set_t *all)
{
	const cpu_set_t *srv = all, *rd = all;
	cpu_set_t here, there;

	CPU_ZERO(&here);
	CPU_SET(cpu, &here);
	CPU_ZERO(&there);
	if (other >= 0)
		CPU_SET(other, &there);
	if (place != FLOOR_FREE)
		rd = &here;
	if (place == FLOOR_ONE_CPU)
		srv = &here;
	else if (place == FLOOR_TWO_CPUS)
		srv = &there;
	if (pin_tasks(a, srv) || pin_tasks(b, srv))
		return -1;
	return sched_setaffinity(0, sizeof(*rd), rd);
}

/*
 * @s's batches placed free, told apart by the pinned runs' medians @one
 * and @two: a batch above their geometric mean paid the wake-ups across
 * CPUs.  Both modes, with their medians, when it has both.
 */
static void floor_modes(const struct stat2 *s, double one, double two, char *buf, size_t len)
{
	double lo[NR_BATCH], hi[NR_BATCH];
	int nl = 0, nh = 0;

	for (int k = 0; k < s->n; k++) {
		if (s->v[k] * s->v[k] > one * two)
			hi[nh++] = s->v[k];
		else
			lo[nl++] = s->v[k];
	}
	if (!nh)
		snprintf(buf, len, "all %d like one CPU", nl);
	else if (!nl)
		snprintf(buf, len, "all %d like two CPUs", nh);
	else
		snprintf(buf, len, "BIMODAL: %d like one CPU (median %.2f), %d like two CPUs (median %.2f)",
			 nl, median(lo, nl), nh, median(hi, nh));
}

/* the goal's figures: fuse_floor @fl and hotmemfs @e, both on the reader's CPU */
static void floor_report_one_cpu(const struct stat2 *fl, const struct stat2 *e)
{
	report("fuse_floor_attr_read_us", fl[FLOOR_ONE_CPU].best, "us",
	       "informational: best, one CPU", true);
	report_ratio("attr_read_vs_fuse_floor", &e[FLOOR_ONE_CPU], &fl[FLOOR_ONE_CPU], 1, "us",
		     "<= 1.2 (both on the reader's CPU)", 1.2);
}

/*
 * hotmemfs's memoryN/state (@emu) against fuse_floor's file.  The floor
 * is its single-threaded loop: one thread reads /dev/fuse and serves, as
 * hotmemfs's loop does (fusefs/fs.c hmfs_session_loop(); its workers only
 * take requests that may wait, none of these).
 *
 * Each FUSE round trip wakes the other side.  A server woken on the
 * reader's CPU is preempted by the reader its reply wakes and is still
 * runnable when the next request comes: one wake a round trip, no IPI.
 * A server on the other CPU is woken there each time (its previous CPU is
 * idle, so wake_affine_idle() keeps it there) and wakes the reader back
 * across: two wake-ups of a halted vCPU a round trip.  Either placement
 * sticks for a batch and often for a run, and which server of the pair
 * got which was history, not its code (bench42full: the floor 7.87 us on
 * the reader's CPU, hotmemfs 144 us on the other; beside libfuse's
 * multi-threaded loop the other way round).  So the pair is measured in
 * three placements, batches interleaved in ABBA order: both pinned with
 * the reader (the goal's ratio: like with like, no wake-up across CPUs),
 * both pinned to the other CPU (informational), and free (informational,
 * each side's modes said).
 */
static void bench_floor(const char *build, const char *emu, pid_t emu_pid)
{
	struct stat2 fl[NR_FLOOR_PLACES], e[NR_FLOOR_PLACES];
	int cpu = sched_getcpu(), other = -1, p, nr = NR_FLOOR_PLACES;
	char path[160], mf[160], me[160];
	cpu_set_t all;
	struct fs f;

	if (cpu < 0 || sched_getaffinity(0, sizeof(all), &all)) {
		printf("# no CPU affinity to go back to; floor skipped\n");
		return;
	}
	for (int c = 0; c < CPU_SETSIZE && other < 0; c++)
		if (c != cpu && CPU_ISSET(c, &all))
			other = c;
	/* one CPU (taskset -c N): the goal's placement is all there is */
	if (other < 0)
		nr = FLOOR_ONE_CPU + 1;
	if (floor_start(&f, build, NULL)) {
		printf("# fuse_floor did not mount; floor skipped\n");
		fs_stop(&f);
		return;
	}
	snprintf(path, sizeof(path), "%s/attr", f.mnt);
	for (p = 0; p < nr; p++) {
		if (floor_place(p, f.pid, emu_pid, cpu, other, &all)) {
			printf("# could not place the servers (%s); floor skipped\n", floor_place_name[p]);
			break;
		}
		if (attr_cost(path, emu, &fl[p], &e[p])) {
			printf("# fuse_floor: reading %s failed; floor skipped\n", path);
			break;
		}
	}
	floor_place(FLOOR_FREE, f.pid, emu_pid, cpu, other, &all);
	fs_stop(&f);
	if (p < nr)
		return;
	if (nr == 1) {
		printf("# open+read+close, fuse_floor (single-threaded loop) against hotmemfs, %d x "
		       "1000 each, ABBA order, all on CPU %d (the only one): medians %.2f, %.2f us\n",
		       NR_BATCH, cpu, fl[0].median, e[0].median);
		floor_report_one_cpu(fl, e);
		return;
	}
	floor_modes(&fl[FLOOR_FREE], fl[FLOOR_ONE_CPU].median, fl[FLOOR_TWO_CPUS].median, mf,
		    sizeof(mf));
	floor_modes(&e[FLOOR_FREE], e[FLOOR_ONE_CPU].median, e[FLOOR_TWO_CPUS].median, me,
		    sizeof(me));
	printf("# open+read+close, fuse_floor (single-threaded loop) against hotmemfs, %d x 1000 "
	       "each, ABBA order; medians: one CPU (reader and both on CPU %d) %.2f, %.2f us; two "
	       "CPUs (servers on CPU %d) %.2f, %.2f us; free %.2f, %.2f us -- free, fuse_floor: %s; "
	       "hotmemfs: %s\n", NR_BATCH, cpu, fl[0].median, e[0].median, other, fl[1].median,
	       e[1].median, fl[2].median, e[2].median, mf, me);
	floor_report_one_cpu(fl, e);
	report_ratio("attr_read_vs_fuse_floor_two_cpus", &e[FLOOR_TWO_CPUS], &fl[FLOOR_TWO_CPUS], 1,
		     "us", "informational: both servers on the other CPU", 0);
	report_ratio("attr_read_vs_fuse_floor_free", &e[FLOOR_FREE], &fl[FLOOR_FREE], 1, "us",
		     "informational: the scheduler's placement, like with like only when both "
		     "sides' modes agree (the # line before)", 0);
}

/* one lsmem, counted in hotmemfs: its round trips per memory block, or -1 */
static double requests_per_block(const char *build, const struct fs *f, char *const argv[],
				 int blocks)
{
	long before = fuse_requests(build, f), after;
	double reqs;

	if (before < 0 || blocks <= 0 || run(argv, true))
		return -1;
	after = fuse_requests(build, f);
	if (after < before)
		return -1;
	reqs = (double)(after - before) / blocks;
	report("lsmem_fuse_requests_per_block", reqs, "requests", "informational", true);
	return reqs;
}

/*
 * hotmemfs --io-uring on @profile, beside bench_small()'s /dev/fuse one:
 * 0, or -1 (this kernel has no FUSE over io_uring, not root, or it did
 * not mount).  Holds fuse's enable_uring Y (uring_hold()) until the
 * caller's uring_release().
 */
static int uring_fs_start(struct fs *u, const char *build, const char *profile)
{
	if (uring_hold(build)) {
		printf("# the --io-uring figures skipped\n");
		return -1;
	}
	if (fs_start_opt(u, build, profile, false, "--io-uring")) {
		printf("# hotmemfs --io-uring did not mount: its figures skipped\n");
		fs_stop(u);
		uring_release();
		return -1;
	}
	return 0;
}

/*
 * The real sysfs, hotmemfs, and hotmemfs --io-uring (@uring, when it
 * mounted: @u), interleaved: open+read+close of memory1/state
 */
static void small_attr(const struct fs *f, const struct fs *u, bool uring, const char *real)
{
	char emu[256], uemu[256];
	const char *paths[NR_SIDES] = { real, emu, uemu };
	struct stat2 s[NR_SIDES];

	snprintf(emu, sizeof(emu), "%s/sys/devices/system/memory/memory1/state", f->mnt);
	snprintf(uemu, sizeof(uemu), "%s/sys/devices/system/memory/memory1/state", u->mnt);
	if (access(real, R_OK)) {
		printf("# no %s on this machine: attribute comparison skipped\n", real);
		return;
	}
	if (attr_costs(paths, uring ? 3 : 2, s))
		return;
	printf("# open+read+close of memoryN/state: real %.2f us, hotmemfs %.2f us (best of %d x 1000; medians %.2f, %.2f)\n",
	       s[0].best, s[1].best, NR_BATCH, s[0].median, s[1].median);
	report_ratio("attr_read_ratio", &s[1], &s[0], 1, "us", "<= 3", 3);
	if (!uring)
		return;
	printf("# open+read+close of memoryN/state: hotmemfs --io-uring %.2f us (median %.2f), "
	       "interleaved with the two above\n", s[2].best, s[2].median);
	report_ratio("attr_read_ratio_uring", &s[2], &s[0], 1, "us", "<= 3", 3);
	report_ratio("attr_read_uring_vs_devfuse", &s[2], &s[1], 1, "us", "informational", 0);
}

/* lsmem on the three, interleaved (as small_attr()) */
static void small_lsmem(const struct fs *f, const struct fs *u, bool uring)
{
	char *real_argv[] = { "lsmem", NULL };
	char *emu_argv[] = { "lsmem", "--sysroot", (char *)f->mnt, NULL };
	char *uring_argv[] = { "lsmem", "--sysroot", (char *)u->mnt, NULL };
	char *const *argvs[NR_SIDES] = { real_argv, emu_argv, uring_argv };
	struct stat2 s[NR_SIDES];

	if (cmd_costs(argvs, uring ? 3 : 2, NR_BATCH, s))
		return;
	printf("# lsmem: real %.2f ms, hotmemfs %.2f ms (best of %d; medians %.2f, %.2f)\n",
	       s[0].best * 1e3, s[1].best * 1e3, NR_BATCH, s[0].median * 1e3, s[1].median * 1e3);
	report_ratio("lsmem_ratio", &s[1], &s[0], 1e3, "ms", "<= 2", 2);
	if (!uring)
		return;
	printf("# lsmem: hotmemfs --io-uring %.2f ms (median %.2f), interleaved with the two above\n",
	       s[2].best * 1e3, s[2].median * 1e3);
	report_ratio("lsmem_ratio_uring", &s[2], &s[0], 1e3, "ms", "<= 2", 2);
	report_ratio("lsmem_uring_vs_devfuse", &s[2], &s[1], 1e3, "ms", "informational", 0);
}

/*
 * What a FUSE request costs the host before either side does any work:
 * it wakes the server, another process, and its reply wakes the reader
 * back -- two switches of address space a request, which a real sysfs
 * read never makes.  Measured as a pipe round trip between two threads
 * (no switch of address space) and between two processes, both pinned to
 * one CPU (no idle CPU's wake-up in it), NR_BATCH batches of 2000 each:
 * half the difference of the medians is one switch of address space.  On
 * a host that virtualises page tables in software (a PVM guest: "Hypervisor
 * detected: PVM" in dmesg, shadow paging) that switch is an exit to the
 * hypervisor, 4-10 us against well under 1 us under hardware paging, and it
 * sets the floor of every ratio of a FUSE figure to the real sysfs here.
 */
struct pipe_pair {
	int to[2], from[2];
	int n;
};

static void pipe_echo(struct pipe_pair *pp)
{
	char c;

	for (int i = 0; i < pp->n; i++)
		if (read(pp->to[0], &c, 1) != 1 || write(pp->from[1], &c, 1) != 1)
			return;
}

static void *pipe_echo_thread(void *arg)
{
	struct pipe_pair *pp = arg;

	pipe_echo(pp);
	/* its end: the measuring side's read sees EOF if the echo stopped early */
	close(pp->from[1]);
	pp->from[1] = -1;
	return NULL;
}

/* one batch, the measuring side on @cpu and the echo on @echo_cpu: the round trip's mean in us, or -1 */
static double pipe_rtt_us(bool processes, int cpu, int echo_cpu)
{
	struct pipe_pair pp = { .n = 2000 };
	bool started;
	cpu_set_t set;
	pthread_t th;
	pid_t pid = -1;
	double t0, us = -1;
	char c = 'x';
	int i;

	if (pipe(pp.to))
		return -1;
	if (pipe(pp.from)) {
		close(pp.to[0]);
		close(pp.to[1]);
		return -1;
	}
	CPU_ZERO(&set);
	CPU_SET(echo_cpu, &set);
	sched_setaffinity(0, sizeof(set), &set); /* inherited by the thread or the child */
	if (processes) {
		pid = fork();
		if (pid == 0) {
			close(pp.to[1]); /* so that it sees EOF when the parent stops early */
			close(pp.from[0]);
			pipe_echo(&pp);
			_exit(0);
		}
		started = pid > 0;
		/* the echo's ends are the child's alone: its end is EOF here, not a hang */
		if (started) {
			close(pp.to[0]);
			close(pp.from[1]);
			pp.to[0] = pp.from[1] = -1;
		}
	} else {
		started = !pthread_create(&th, NULL, pipe_echo_thread, &pp);
	}
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	if (started) {
		t0 = now();
		for (i = 0; i < pp.n; i++)
			if (write(pp.to[1], &c, 1) != 1 || read(pp.from[0], &c, 1) != 1)
				break;
		if (i == pp.n)
			us = (now() - t0) * 1e6 / pp.n;
	}
	close(pp.to[1]); /* an echo that still reads sees EOF */
	if (started && processes)
		waitpid(pid, NULL, 0);
	else if (started)
		pthread_join(th, NULL);
	if (pp.to[0] >= 0)
		close(pp.to[0]);
	close(pp.from[0]);
	if (pp.from[1] >= 0)
		close(pp.from[1]);
	return us;
}

static void bench_switch(void)
{
	double th[NR_BATCH], pr[NR_BATCH], mt, mp;
	cpu_set_t all;
	int cpu = sched_getcpu();

	/* pinned for the measure: without the set to go back to, not measured */
	if (cpu < 0 || sched_getaffinity(0, sizeof(all), &all)) {
		printf("# no CPU affinity to go back to; switch costs skipped\n");
		return;
	}
	for (int b = 0; b < NR_BATCH; b++) {
		th[b] = pipe_rtt_us(false, cpu, cpu);
		pr[b] = pipe_rtt_us(true, cpu, cpu);
		if (th[b] < 0 || pr[b] < 0) {
			printf("# pipe round trips failed; switch costs skipped\n");
			sched_setaffinity(0, sizeof(all), &all);
			return;
		}
	}
	sched_setaffinity(0, sizeof(all), &all);
	mt = median(th, NR_BATCH);
	mp = median(pr, NR_BATCH);
	printf("# a pipe round trip on one CPU: %.2f us between two threads, %.2f us between two processes (medians of %d x 2000); each FUSE request switches address space twice\n",
	       mt, mp, NR_BATCH);
	report("host_pipe_rtt_threads_us", mt, "us", "informational: no switch of address space", true);
	report("host_pipe_rtt_processes_us", mp, "us", "informational: two switches of address space", true);
	report("host_mm_switch_us", (mp - mt) / 2, "us",
	       "informational: one switch of address space; a FUSE request makes two", true);
}

/*
 * What a FUSE round trip pays when its two sides sit on two CPUs: each
 * side's wake of the other is an IPI, and on a VM whose idle vCPUs halt
 * (cpuidle-haltpoll with guest_halt_poll_ns=0, as this one) a halted
 * vCPU's exit to the hypervisor besides.  A pipe round trip between two
 * processes on two CPUs against the same on one, batches taken in turn.
 * Idle, the scheduler puts a woken reader or server on the idle CPU, so
 * the FUSE figures pay the first; under load it keeps both on the busy
 * one and they pay the second: what moves them between a quiet and a
 * loaded run (README, "Where the time goes").
 */
static void bench_wake(void)
{
	double same[NR_BATCH], cross[NR_BATCH], ms, mc;
	int cpu = sched_getcpu(), other = -1, b;
	cpu_set_t all;

	if (cpu < 0 || sched_getaffinity(0, sizeof(all), &all)) {
		printf("# no CPU affinity to go back to; wake-up costs skipped\n");
		return;
	}
	for (int c = 0; c < CPU_SETSIZE && other < 0; c++)
		if (c != cpu && CPU_ISSET(c, &all))
			other = c;
	if (other < 0) {
		printf("# one CPU only: no wake-up across CPUs to measure\n");
		return;
	}
	for (b = 0; b < NR_BATCH; b++) {
		same[b] = pipe_rtt_us(true, cpu, cpu);
		cross[b] = pipe_rtt_us(true, cpu, other);
		if (same[b] < 0 || cross[b] < 0)
			break;
	}
	sched_setaffinity(0, sizeof(all), &all);
	if (b < NR_BATCH) {
		printf("# pipe round trips failed; wake-up costs skipped\n");
		return;
	}
	ms = median(same, NR_BATCH);
	mc = median(cross, NR_BATCH);
	printf("# a pipe round trip between two processes: %.2f us on CPUs %d and %d, %.2f us both on "
	       "CPU %d (medians of %d x 2000, in turn): %.1f us a wake-up across CPUs\n",
	       mc, cpu, other, ms, cpu, NR_BATCH, (mc - ms) / 2);
	report("host_wake_rtt_same_cpu_us", ms, "us",
	       "informational: the other side woken on this CPU (a loaded machine's FUSE round trip)",
	       true);
	report("host_wake_rtt_cross_cpu_us", mc, "us",
	       "informational: the other side woken on the other CPU (a quiet machine's FUSE round trip)",
	       true);
}

static void bench_small(const char *build)
{
	const char *real = "/sys/devices/system/memory/memory1/state";
	char emu[256], emu_state[256];
	struct fs f, u = { .pid = 0 };
	double reqs;
	bool uring;
	int blocks;

	if (fs_start(&f, build, "host-24g")) {
		printf("# hotmemfs did not mount; skipping\n");
		fs_stop(&f);
		return;
	}
	uring = !uring_fs_start(&u, build, "host-24g");
	snprintf(emu_state, sizeof(emu_state), "%s/sys/devices/system/memory/memory1/state", f.mnt);
	small_attr(&f, &u, uring, real);
	snprintf(emu, sizeof(emu), "%s/sys/devices/system/memory", f.mnt);
	printf("# blocks: real %d, hotmemfs (host-24g) %d\n",
	       count_blocks("/sys/devices/system/memory"), count_blocks(emu));
	small_lsmem(&f, &u, uring);
	if (uring) {
		fs_stop(&u);
		uring_release();
	}
	blocks = count_blocks(emu);
	{
		char *emu_argv[] = { "lsmem", "--sysroot", f.mnt, NULL };

		reqs = requests_per_block(build, &f, emu_argv, blocks);
	}
	bench_floor(build, emu_state, f.pid);
	bench_one_cpu(&f, real, emu_state, blocks, reqs);
	fs_stop(&f);
	bench_switch();
	bench_wake();
}

static void bench_huge(const char *build)
{
	char ctlbin[512], dir[256], size[32];
	struct fs f;
	struct stat2 ls;
	double t0, list;
	int n;

	if (fs_start(&f, build, "huge-64t")) {
		printf("# huge-64t did not mount; skipping\n");
		fs_stop(&f);
		return;
	}
	snprintf(ctlbin, sizeof(ctlbin), "%s/hotmemctl", build);
	snprintf(size, sizeof(size), "size=%llu", (64ULL << 40) - (2ULL << 30));
	{
		char *argv[] = { ctlbin, "-s", f.ctl, "device_add", "pc-dimm", "addr=0x80000000",
				 size,	 NULL };

		t0 = now();
		if (run(argv, false)) {
			printf("# device_add of 64 TiB failed; skipping\n");
			fs_stop(&f);
			return;
		}
		printf("# device_add 64 TiB (32767 blocks): %.2f s\n", now() - t0);
	}
	snprintf(dir, sizeof(dir), "%s/sys/devices/system/memory", f.mnt);
	t0 = now();
	n = count_blocks(dir);
	list = now() - t0;
	printf("# %d blocks listed\n", n);
	report("huge_list_s", list, "s", "< 1 for 32768 blocks", n == 32768 && list < 1);
	{
		char *argv[] = { "lsmem", "--sysroot", f.mnt, NULL };

		if (cmd_cost(argv, NULL, 3, &ls, NULL))
			ls.best = -1;
	}
	report("huge_lsmem_s", ls.best, "s", "< 10 for 32768 blocks", ls.best > 0 && ls.best < 10);
	fs_stop(&f);
}

/* vm.max_map_count, raised for the 16 TiB machine (a self-hosted memmap is a host mapping a block) */
#define MAP_COUNT_DISTRO 1048576UL

/* 0 when raised (or high enough already), -1 when it cannot be */
static int map_count_raise(void)
{
	char buf[32] = "", val[32];
	unsigned long cur;

	if (knob_read(&knob_map_count, buf, sizeof(buf)))
		return -1;
	cur = strtoul(buf, NULL, 10);
	if (cur >= MAP_COUNT_DISTRO)
		return 0;
	snprintf(val, sizeof(val), "%lu", MAP_COUNT_DISTRO);
	if (knob_set(&knob_map_count, val))
		return -1;
	printf("# huge128m: raised vm.max_map_count from %lu to %lu for this part (what Ubuntu "
	       "24.04 and Fedora 39+ ship); the old value goes back when it ends\n", cur,
	       MAP_COUNT_DISTRO);
	return 0;
}

static void map_count_put_back(void)
{
	char was[32];

	if (!knob_map_count.old[0])
		return;
	snprintf(was, sizeof(was), "%s", knob_map_count.old);
	knob_restore(&knob_map_count);
	printf("# huge128m: vm.max_map_count back to %s\n", was);
}

/* a profile file: huge-64t with 128 MiB blocks and maxmem 16 TiB */
static int huge128m_profile(char *path, size_t len)
{
	FILE *f;

	snprintf(path, len, "/tmp/hotmemfs-bench-16t.%d", (int)getpid());
	f = fopen(path, "w");
	if (!f)
		return -1;
	fputs("profile = huge-64t\nname = huge-16t-128m\nblock_size = 128M\nmaxmem = 16T\n", f);
	return fclose(f);
}

/* plug @size bytes at 2 GiB; 0 or the command's exit status */
static int plug(const char *ctlbin, const struct fs *f, unsigned long long size)
{
	char sz[64];
	char *argv[] = { (char *)ctlbin, "-s", (char *)f->ctl, "device_add", "pc-dimm",
			 "addr=0x80000000", "id=dimm0", sz, NULL };

	snprintf(sz, sizeof(sz), "size=%llu", size);
	return run(argv, true);
}

/* @n online_movable/offline pairs written to @state; us per change */
static double state_changes_us(const char *state, int n)
{
	static const char *const words[2] = { "online_movable", "offline" };
	double t0 = now();

	for (int i = 0; i < 2 * n; i++) {
		int fd = open(state, O_WRONLY);
		ssize_t w = fd < 0 ? -1 : write(fd, words[i % 2], strlen(words[i % 2]));

		if (fd >= 0)
			close(fd);
		if (w < 0)
			return -1;
	}
	return (now() - t0) * 1e6 / (2 * n);
}

/*
 * The last block of @big's DIMM against the only DIMM block of a 17-block
 * machine of the same profile, batches interleaved: the ratio of the
 * medians (the bests' flipped with one disturbed batch, reviews/ochange.md).
 */
static void bench_change_cost(const char *build, const char *profile, const struct fs *big,
			      unsigned long big_block)
{
	char a[256], b[256], ctlbin[512];
	double va[NR_BATCH], vb[NR_BATCH];
	struct bench_pair p;
	struct fs small;

	snprintf(ctlbin, sizeof(ctlbin), "%s/hotmemctl", build);
	if (fs_start(&small, build, profile) || plug(ctlbin, &small, 128ULL << 20)) {
		printf("# huge128m: the 17-block reference did not start; change cost skipped\n");
		fs_stop(&small);
		return;
	}
	snprintf(a, sizeof(a), "%s/sys/devices/system/memory/memory%lu/state", big->mnt, big_block);
	snprintf(b, sizeof(b), "%s/sys/devices/system/memory/memory16/state", small.mnt);
	for (int k = 0; k < NR_BATCH; k++) {
		va[k] = state_changes_us(a, 20);
		vb[k] = state_changes_us(b, 20);
		if (va[k] < 0 || vb[k] < 0) {
			printf("# huge128m: writing %s or %s failed; change cost skipped\n", a, b);
			fs_stop(&small);
			return;
		}
	}
	bench_pair_of(&p, va, vb, NR_BATCH);
	printf("# huge128m: a state change %.0f us on memory%lu, %.0f us on a 17-block machine "
	       "(medians of %d x 40; bests %.0f, %.0f)\n", p.median[0], big_block, p.median[1],
	       NR_BATCH, p.best[0], p.best[1]);
	bench_report_pair("huge128m_state_change_vs_17_blocks", &p, "us", "<= 1.5 (O(change))",
			  bench_pair_ratio(&p) <= 1.5);
	fs_stop(&small);
}

/* a "Key:   N kB" line of @path (/proc/meminfo, /proc/PID/status); -1 without */
static long kb_field(const char *path, const char *key)
{
	char line[256];
	long v = -1;
	FILE *f = fopen(path, "re");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)) && line[strlen(key)] == ':')
			v = strtol(line + strlen(key) + 1, NULL, 10);
	if (f)
		fclose(f);
	return v;
}

/* hotmemd --oneshot on @f, in a private network namespace; seconds, or -1 */
static double hotmemd_coldplug(const char *build, const struct fs *f)
{
	char exe[512], state[160], rm[200];
	double t0 = now(), dt;
	pid_t pid;
	int st;

	snprintf(exe, sizeof(exe), "%s/hotmemd", build);
	snprintf(state, sizeof(state), "%s/hotmemd", f->dir);
	pid = fork();
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		dup2(fd, 2);
		/* never the host's uevents, never its /sys: --netlink=no, --sysroot, a netns */
		if (unshare(CLONE_NEWNET))
			_exit(126);
		execl(exe, exe, "--config", "/dev/null", "--sysroot", f->mnt, "--state-dir", state,
		      "--netlink=no", "--oneshot", "--log-level", "warning", (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
		return -1;
	dt = now() - t0;
	/* its state directory, so that fs_stop() can remove f->dir */
	snprintf(rm, sizeof(rm), "rm -rf '%s'", state);
	if (system(rm))
		printf("# huge128m: cannot remove %s\n", state);
	return dt;
}

/*
 * The floor of a self-hosted block's online on this host: 2 MiB of fresh
 * host memory for its memmap (what the engine's fallocate and prefault
 * cost), us per 2 MiB over 512 MiB of a memfd.
 */
static double fresh_memmap_us(void)
{
	const size_t chunk = 2 << 20, size = 512 << 20;
	int fd = memfd_create("bench-floor", MFD_CLOEXEC);
	double t0, dt;

	if (fd < 0 || ftruncate(fd, (off_t)size)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	t0 = now();
	for (size_t off = 0; off < size; off += chunk)
		if (fallocate(fd, FALLOC_FL_KEEP_SIZE, (off_t)off, (off_t)chunk)) {
			close(fd);
			return -1;
		}
	dt = now() - t0;
	close(fd);
	return dt * 1e6 / (double)(size / chunk);
}

/*
 * What a fresh host page costs now: us a 4 KiB page to first-write 128
 * MiB of anonymous memory (base pages), on either side of the coldplug
 * with hotmemfs still holding its blocks.  On this VM 1.3-4 us, but 17-23
 * us where the hypervisor must back guest memory anew (past ~14 GiB
 * written by a bare program, ~5.5 GiB left free; 19 us with 8 GiB still
 * available after the self-hosted coldplug had taken 15): a block from
 * system RAM takes ~155 KiB of the host (its 32 memmap copies, page
 * tables, the kernel's FUSE inodes and listings), so this, not a walk, is
 * what makes a block dearer on a bigger machine (docs/hotmemd.md).
 */
static double fresh_anon_page_us(void)
{
	const size_t size = 128 << 20;
	char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	double t0;

	if (p == MAP_FAILED)
		return -1;
	madvise(p, size, MADV_NOHUGEPAGE);
	t0 = now();
	for (size_t off = 0; off < size; off += 4096)
		p[off] = 1;
	t0 = now() - t0;
	munmap(p, size);
	return t0 * 1e6 / (double)(size / 4096);
}

/* blocks of @f's memory directory whose state is not "online" */
static int count_not_online(const struct fs *f)
{
	char dir[256], path[600], buf[16];
	struct dirent *e;
	int n = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/sys/devices/system/memory", f->mnt);
	d = opendir(dir);
	while (d && (e = readdir(d))) {
		int fd;
		ssize_t r;

		if (strncmp(e->d_name, "memory", 6) || e->d_name[6] < '0' || e->d_name[6] > '9')
			continue;
		snprintf(path, sizeof(path), "%s/%s/state", dir, e->d_name);
		fd = open(path, O_RDONLY);
		r = fd < 0 ? -1 : read(fd, buf, sizeof(buf));
		if (fd >= 0)
			close(fd);
		n += r < 6 || strncmp(buf, "online", 6);
	}
	if (d)
		closedir(d);
	return d ? n : -1;
}

/*
 * hotmemd's coldplug of the 16 TiB machine (#15.5), two ways:
 *  - memmap_on_memory, as the profile has it: each block online costs the
 *    host its self-hosted memmap, 2 MiB written into the block (seed 001),
 *    256 GiB for all 131072.  A 16 TiB hot-add onto a small boot needs
 *    it (from system RAM its 256 GiB memmap must fit in boot memory), and
 *    it is the memmap a real guest writes: huge128m_hotmemd_coldplug_s;
 *  - memmaps from system RAM, the kernel's default, on a machine whose
 *    boot RAM holds them: the engine shares them copy-on-write with a
 *    template (~128 KiB of host a block), which a real kernel does not,
 *    so this is hotmemd's and hotmemfs's own cost a block:
 *    huge128m_hotmemd_coldplug_ram_s.
 * Each on a DIMM of as many blocks as this host holds online leaving 4
 * GiB (and 2 GiB for the other jobs) free, the time a block extrapolated
 * to 131072.
 */
struct coldplug_way {
	const char *name;	/* the figure */
	const char *what;	/* its memmaps, in words */
	unsigned long long host_kb;	/* host memory a block online, with slack */
	bool self_hosted;
	/*
	 * served by hotmemfs --io-uring, against @devfuse's run (the same
	 * way on /dev/fuse, just before): as many blocks, its time a block
	 */
	const struct coldplug_way *devfuse;
	/* the run's outcome: blocks coldplugged, seconds a block (0: none) */
	unsigned long long blocks;
	double per;
};

/* the profile of the memmaps-from-RAM way: boot RAM for @blocks' memmaps */
static int huge128m_ram_profile(char *path, size_t len, unsigned long long blocks,
				unsigned long long *ram_end)
{
	FILE *f;

	/* their memmaps, the boot memmap, the kernel: 2 MiB a block and a quarter */
	*ram_end = ((blocks * (2ULL << 20) * 5 / 4 + (4ULL << 30)) + (1ULL << 30) - 1) &
		   ~((1ULL << 30) - 1);
	snprintf(path, len, "/tmp/hotmemfs-bench-16t-ram.%d", (int)getpid());
	f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "profile = huge-64t\nname = huge-16t-128m-ram\nblock_size = 128M\n"
		   "maxmem = 16T\nram = 0-%#llx\n", *ram_end - 1);
	return fclose(f);
}

/*
 * @w's hotmemfs on @profile: on /dev/fuse, or --io-uring (fuse's
 * enable_uring held Y until coldplug_fs_stop()); 0, or -1
 * and nothing left running
 */
static int coldplug_fs_start(struct fs *f, const char *build, const char *profile,
			     const struct coldplug_way *w)
{
	if (w->devfuse) {
		if (!uring_fs_start(f, build, profile))
			return 0;
		printf("# huge128m: %s skipped (hotmemfs --io-uring, above)\n", w->name);
	} else if (!fs_start(f, build, profile)) {
		return 0;
	} else {
		printf("# huge128m: hotmemfs did not start; %s skipped\n", w->name);
		fs_stop(f);
	}
	f->pid = -1;
	return -1;
}

/* @f stopped, if coldplug_fs_start() started it (once: a second call does nothing) */
static void coldplug_fs_stop(struct fs *f, const struct coldplug_way *w)
{
	if (f->pid <= 0)
		return;
	fs_stop(f);
	f->pid = -1;
	if (w->devfuse)
		uring_release();
}

/*
 * @w's figures from its coldplug (@w->blocks, @w->per s a block); @floor:
 * 2 MiB of fresh host memory, us; @page0, @page1: a fresh host page
 * before and after, us
 */
static void coldplug_report(const struct coldplug_way *w, double floor, double page0,
			    double page1)
{
	const double per = w->per;

	if (page0 > 0 && page1 > 0 && !w->devfuse)
		report(w->self_hosted ? "huge128m_host_fresh_page_after_vs_before" :
					"huge128m_host_fresh_page_after_vs_before_ram",
		       page1 / page0, "x",
		       "informational: the host's fresh page at the coldplug's end against its start",
		       true);
	if (w->self_hosted) {
		printf("# huge128m: 2 MiB of fresh host memory (a memmap's backing) costs %.0f us "
		       "here: 131072 of them alone %.0f s\n", floor, floor * 131072 / 1e6);
		report("huge128m_hotmemd_coldplug_us_per_block", per * 1e6, "us",
		       "<= 458 (60 s / 131072)", per * 131072 <= 60);
		report("huge128m_hotmemd_coldplug_vs_memmap_floor", per * 1e6 / floor, "x",
		       "informational: a block against 2 MiB of fresh host memory", true);
	}
	report(w->name, per * 131072, "s",
	       "<= 60 for 131072 blocks; extrapolated from the blocks this host holds online",
	       per * 131072 <= 60);
	if (w->devfuse && w->devfuse->per > 0) {
		char name[96];

		/* huge128m_hotmemd_coldplug_ram_uring_s -> ..._ram_uring_vs_devfuse */
		snprintf(name, sizeof(name), "%.*s_vs_devfuse", (int)strlen(w->name) - 2, w->name);
		printf("# huge128m: a block %.0f us over io_uring, %.0f us on /dev/fuse (%llu and "
		       "%llu blocks, one run each, not interleaved)\n", per * 1e6,
		       w->devfuse->per * 1e6, w->blocks, w->devfuse->blocks);
		report(name, per / w->devfuse->per, "x", "informational", true);
	}
}

static void bench_huge128m_coldplug(const char *build, const char *profile,
				    struct coldplug_way *w)
{
	long avail = kb_field("/proc/meminfo", "MemAvailable"), avail1, rss0, rss1;
	unsigned long long blocks, start = 2ULL << 30;
	char ctlbin[512], status[64], args[160], addr[64], ram_profile[128] = "";
	char *add[] = { ctlbin, "-s", NULL, "device_add", "pc-dimm", addr, args,
			w->self_hosted ? "memmap-on-memory=on" : "memmap-on-memory=off", NULL };
	double dt, kib, floor0, floor, page0, page1;
	struct fs f = { .pid = -1 };
	const char *cap;
	int left;

	if (avail < (6L << 20) + 128 * (long)w->host_kb) {
		printf("# huge128m: %ld kB available, too little to online a block sample; "
		       "%s skipped\n", avail, w->name);
		return;
	}
	blocks = ((unsigned long long)avail - (6ULL << 20)) / w->host_kb;
	if (blocks > 131072 - 16)
		blocks = 131072 - 16;
	/*
	 * fewer on a host others share (HOTMEM_BENCH_HUGE128M_BLOCKS): a
	 * value that is no number of blocks is said and the part skipped
	 * ("16k" was 16 blocks, garbage 0, silently: reread17 J)
	 */
	if ((cap = getenv("HOTMEM_BENCH_HUGE128M_BLOCKS"))) {
		char *end;
		unsigned long long n;

		errno = 0;
		n = strtoull(cap, &end, 0);
		if (errno || end == cap || *end || n == 0 || cap[strspn(cap, " \t")] == '-') {
			fprintf(stderr, "bench_hotmemfs: HOTMEM_BENCH_HUGE128M_BLOCKS=%s: not a number "
				"of blocks (1 or more, decimal or 0x hex, no suffix); %s skipped\n",
				cap, w->name);
			return;
		}
		if (blocks > n)
			blocks = n;
	}
	/* the same machine as the /dev/fuse run's, when this host still holds it */
	if (w->devfuse && w->devfuse->blocks && blocks > w->devfuse->blocks)
		blocks = w->devfuse->blocks;
	if (!w->self_hosted) {
		if (huge128m_ram_profile(ram_profile, sizeof(ram_profile), blocks, &start))
			return;
		profile = ram_profile;
		if (blocks > ((16ULL << 40) - start) >> 27)
			blocks = ((16ULL << 40) - start) >> 27;
	}
	snprintf(ctlbin, sizeof(ctlbin), "%s/hotmemctl", build);
	snprintf(args, sizeof(args), "size=%llu", blocks << 27);
	snprintf(addr, sizeof(addr), "addr=%#llx", start);
	if (coldplug_fs_start(&f, build, profile, w))
		goto out;
	add[2] = f.ctl;
	/* Pss: a template's pages, mapped by every shared memmap, count once */
	snprintf(status, sizeof(status), "/proc/%d/smaps_rollup", (int)f.pid);
	if (run(add, true)) {
		printf("# huge128m: a DIMM of %llu blocks did not plug; %s skipped\n", blocks,
		       w->name);
		goto out;
	}
	floor0 = fresh_memmap_us();
	page0 = fresh_anon_page_us();
	rss0 = kb_field(status, "Pss");
	dt = hotmemd_coldplug(build, &f);
	rss1 = kb_field(status, "Pss");
	page1 = fresh_anon_page_us();
	avail1 = kb_field("/proc/meminfo", "MemAvailable");
	left = count_not_online(&f);
	coldplug_fs_stop(&f, w);
	/* the floor on either side of the coldplug: the load moves */
	floor = (floor0 + fresh_memmap_us()) / 2;
	if (dt < 0 || left) {
		printf("# huge128m: hotmemd's coldplug failed (%d blocks not online)\n", left);
		report(w->name, -1, "s", "<= 60 for 131072 blocks", false);
		goto out;
	}
	/* the time and the host memory a block: once, here (coldplug_report() reads w->per) */
	w->blocks = blocks;
	w->per = dt / (double)blocks;
	kib = (double)(rss1 - rss0) / (double)blocks;
	printf("# huge128m: hotmemd coldplugged %llu blocks (%.2f TiB, %s%s) in %.2f s, %.0f us a "
	       "block; hotmemfs grew %.0f KiB a block online (Pss) -- all 131072 would take "
	       "%.1f GiB of host memory, more than this host can give: the time is extrapolated\n",
	       blocks, (double)(blocks << 27) / (1ULL << 40), w->what,
	       w->devfuse ? ", hotmemfs --io-uring" : "", dt, w->per * 1e6, kib,
	       kib * 131072 / (1 << 20));
	printf("# huge128m: a fresh 4 KiB host page %.2f us before the coldplug, %.2f us after it "
	       "(%ld kB available then)\n", page0, page1, avail1);
	coldplug_report(w, floor, page0, page1);
out:
	coldplug_fs_stop(&f, w);
	if (ram_profile[0])
		unlink(ram_profile);
}

/* hotmemctl events on @f: its pid, its output on *@fd; -1 */
static pid_t events_follow(const char *ctlbin, const struct fs *f, int *fd)
{
	int fds[2];
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], 1);
		execl(ctlbin, ctlbin, "-s", f->ctl, "events", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	*fd = fds[0];
	return pid;
}

/*
 * Seconds from @t0 until the last of @blocks memory REMOVE uevents reached
 * a follower (lines on @fd): hotmemfs's notifier thread invalidates each
 * block's cached entries and inodes before it passes the uevent on.
 * Stops at a lost event (*@why "lost") or 30 s of quiet ("quiet");
 * *@seen says how many arrived.
 */
static double removes_drained(int fd, double t0, unsigned long long blocks,
			      unsigned long long *seen, const char **why)
{
	static const char want[] = "UEVENT remove /devices/system/memory/memory";
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char buf[65536], line[256];
	size_t len = 0;
	double last = -1;

	*seen = 0;
	*why = "quiet";
	while (*seen < blocks && poll(&pfd, 1, 30000) > 0) {
		ssize_t r = read(fd, buf, sizeof(buf));

		if (r <= 0)
			break;
		for (ssize_t i = 0; i < r; i++) {
			if (buf[i] != '\n') {
				if (len < sizeof(line) - 1)
					line[len++] = buf[i];
				continue;
			}
			line[len] = '\0';
			len = 0;
			if (strstr(line, "events lost here")) {
				*why = "lost";
				return last;
			}
			if (strstr(line, want)) {
				(*seen)++;
				last = now() - t0;
			}
		}
	}
	return last;
}

/* device_del in a thread of its own, while the follower's events are read */
struct device_del {
	char *const *argv;
	double t0, dt;
	int ret;
	pthread_t thread;
};

static void *device_del_thread(void *arg)
{
	struct device_del *d = arg;

	d->ret = run(d->argv, true);
	d->dt = now() - d->t0;
	return NULL;
}

/*
 * The whole DIMM removed (after lsmem, so the kernel caches every block's
 * entries): the reply comes once the engine is done, the FUSE
 * invalidations and the REMOVE uevents follow from hotmemfs's notifier.
 */
static void bench_huge128m_remove(const char *ctlbin, const struct fs *f, unsigned long long blocks)
{
	char *del[] = { (char *)ctlbin, "-s", (char *)f->ctl, "device_del", "dimm0", NULL };
	struct device_del d = { .argv = del };
	unsigned long long seen = 0;
	const char *why = "";
	double drained = -1;
	int ev = -1, n;
	pid_t follower;
	char dir[256];

	follower = events_follow(ctlbin, f, &ev);
	usleep(200000);	/* its subscription before the first event */
	d.t0 = now();
	if (pthread_create(&d.thread, NULL, device_del_thread, &d)) {
		printf("# huge128m: no thread for device_del\n");
		blocks = 0;
	}
	/* read while it runs: a follower not read loses events */
	if (follower > 0 && blocks)
		drained = removes_drained(ev, d.t0, blocks, &seen, &why);
	if (blocks)
		pthread_join(d.thread, NULL);
	if (blocks && d.ret) {
		printf("# huge128m: device_del dimm0 failed\n");
		blocks = 0;
	}
	if (follower > 0) {
		kill(follower, SIGTERM);
		waitpid(follower, NULL, 0);
	}
	if (ev >= 0)
		close(ev);
	if (!blocks)
		return;
	printf("# huge128m: the last of %llu REMOVE uevents reached a follower after %.2f s%s%s\n",
	       seen, drained, seen == blocks ? "" : ": the follower stopped, events ",
	       seen == blocks ? "" : why);
	report("huge128m_remove_uevents_drained_s", drained, "s",
	       "informational: invalidations before each REMOVE", seen == blocks);
	snprintf(dir, sizeof(dir), "%s/sys/devices/system/memory", f->mnt);
	n = count_blocks(dir);
	printf("# huge128m: device_del of %llu blocks %.2f s (%.1f us a block), %d blocks left\n",
	       blocks, d.dt, d.dt * 1e6 / (double)blocks, n);
	report("huge128m_remove_s", d.dt, "s", "informational", true);
}

/*
 * The same lsmem on the same machine (@profile, @size plugged) served by
 * hotmemfs --io-uring, right after the /dev/fuse one's (@devfuse s): one
 * run each, tens of seconds, not interleaved.  Holds fuse's enable_uring
 * Y for it (uring_hold()).
 */
static void bench_huge128m_lsmem_uring(const char *build, const char *profile,
				       unsigned long long size, double devfuse)
{
	char ctlbin[512], dir[256];
	struct fs u = { .pid = 0 };
	double t;
	int n;

	if (uring_fs_start(&u, build, profile))
		return;
	snprintf(ctlbin, sizeof(ctlbin), "%s/hotmemctl", build);
	if (plug(ctlbin, &u, size)) {
		printf("# huge128m: device_add on the --io-uring machine failed; skipped\n");
		goto out;
	}
	snprintf(dir, sizeof(dir), "%s/sys/devices/system/memory", u.mnt);
	n = count_blocks(dir); /* as the /dev/fuse machine's: the listing warms the directory */
	{
		char *argv[] = { "lsmem", "--sysroot", u.mnt, NULL };

		t = cmd_once(argv);
	}
	if (t < 0) {
		printf("# huge128m: lsmem on the --io-uring machine failed; skipped\n");
		goto out;
	}
	printf("# huge128m: lsmem over %d blocks, hotmemfs --io-uring: %.2f s (%.0f us a block), "
	       "right after /dev/fuse's %.2f s\n", n, t, t * 1e6 / n, devfuse);
	report("huge128m_lsmem_uring_s", t, "s", "<= 20 for 131072 blocks",
	       n == 131072 && t <= 20);
	if (devfuse > 0)
		report("huge128m_lsmem_uring_vs_devfuse", t / devfuse, "x", "informational", true);
out:
	fs_stop(&u);
	uring_release();
}

static void bench_huge128m(const char *build)
{
	const unsigned long long full = (16ULL << 40) - (2ULL << 30);
	/*
	 * A self-hosted memmap's template pages stay holes of the memfd
	 * (engine/vmemmap_holes.c, 2026-11-30): ~160 KiB of host a block
	 * online, not its 2 MiB; 256 with slack.  Without a userfaultfd the
	 * engine writes the memmap whole: its host_reserve check then refuses
	 * the onlines the host cannot back, and the coldplug fails loudly.
	 */
	struct coldplug_way self_hosted = { .name = "huge128m_hotmemd_coldplug_s",
					    .what = "memmap_on_memory", .host_kb = 256,
					    .self_hosted = true },
			    ram = { .name = "huge128m_hotmemd_coldplug_ram_s",
				    .what = "memmaps from system RAM", .host_kb = 136 },
			    /* hotmemd's 11 FUSE requests a block, over io_uring */
			    ram_uring = { .name = "huge128m_hotmemd_coldplug_ram_uring_s",
					  .what = "memmaps from system RAM", .host_kb = 136,
					  .devfuse = &ram };
	char ctlbin[512], dir[256], profile[128];
	unsigned long long size = full;
	double t0, list;
	struct stat2 ls;
	struct fs f;
	int n;

	if (map_count_raise())
		printf("# huge128m: cannot raise vm.max_map_count; the DIMM shrinks until it fits\n");
	if (huge128m_profile(profile, sizeof(profile)) || fs_start(&f, build, profile)) {
		printf("# huge128m: the 16 TiB machine did not mount; skipping\n");
		fs_stop(&f);
		unlink(profile);
		map_count_put_back();
		return;
	}
	snprintf(ctlbin, sizeof(ctlbin), "%s/hotmemctl", build);
	t0 = now();
	/*
	 * Each block's self-hosted memmap is one host mapping (the direct map
	 * and the vmemmap see the same pages in two orders), and the host caps
	 * them at vm.max_map_count: an eighth less until the DIMM fits (the
	 * engine refuses up front, so a refused try costs nothing).
	 */
	while (plug(ctlbin, &f, size) && size > (1ULL << 40))
		size = (size / 8 * 7) & ~((128ULL << 20) - 1);
	printf("# huge128m: device_add %.2f TiB (%llu blocks): %.2f s%s\n",
	       (double)size / (1ULL << 40), size >> 27, now() - t0,
	       size == full ? "" : " -- the whole 16 TiB needs more host mappings than "
				   "vm.max_map_count allows (hotmemctl dmesg says how many)");
	report("huge128m_plugged_blocks", (double)(size >> 27) + 16, "blocks", "131072",
	       size == full);
	snprintf(dir, sizeof(dir), "%s/sys/devices/system/memory", f.mnt);
	t0 = now();
	n = count_blocks(dir);
	list = now() - t0;
	printf("# huge128m: %d blocks listed in %.3f s\n", n, list);
	report("huge128m_list_s", list, "s", "<= 2 for 131072 blocks", n == 131072 && list <= 2);
	{
		char *argv[] = { "lsmem", "--sysroot", f.mnt, NULL };
		long before = fuse_requests(build, &f), after;

		/* once: tens of seconds; the listing above warmed the directory */
		ls.best = cmd_once(argv);
		after = fuse_requests(build, &f);
		/* a first lsmem: it LOOKUPs what the listing did not bring (removable, state) */
		if (before >= 0 && after >= before && n > 0)
			report("huge128m_lsmem_fuse_requests_per_block", (double)(after - before) / n,
			       "requests", "informational", true);
	}
	printf("# huge128m: lsmem over %d blocks %.2f s (%.0f us a block)\n", n, ls.best,
	       ls.best * 1e6 / n);
	report("huge128m_lsmem_s", ls.best, "s", "<= 20 for 131072 blocks",
	       n == 131072 && ls.best > 0 && ls.best <= 20);
	bench_change_cost(build, profile, &f, (unsigned long)(size >> 27) + 15);
	bench_huge128m_remove(ctlbin, &f, size >> 27);
	fs_stop(&f);
	bench_huge128m_lsmem_uring(build, profile, size, ls.best);
	bench_huge128m_coldplug(build, profile, &self_hosted);
	bench_huge128m_coldplug(build, profile, &ram);
	bench_huge128m_coldplug(build, profile, &ram_uring);
	unlink(profile);
	map_count_put_back();
}

/*
 * hotmemd's coldplug of the 16 TiB machine with self-hosted memmaps alone
 * (huge128m_hotmemd_coldplug_s), without the rest of huge128m's ten
 * minutes: the part to compare two engines by, in turn
 */
static void bench_huge128m_coldplug_self_hosted(const char *build)
{
	struct coldplug_way self_hosted = { .name = "huge128m_hotmemd_coldplug_s",
					    .what = "memmap_on_memory", .host_kb = 256,
					    .self_hosted = true };
	char profile[128];

	if (map_count_raise())
		printf("# huge128m: cannot raise vm.max_map_count; the DIMM may not plug\n");
	if (huge128m_profile(profile, sizeof(profile)))
		printf("# huge128m: no profile; skipping\n");
	else
		bench_huge128m_coldplug(build, profile, &self_hosted);
	unlink(profile);
	map_count_put_back();
}

/*
 * Group commit (#15.1): eight writers at once, each flipping its own
 * block of @f's 1 GiB DIMM (blocks @first...), 40 changes each: the
 * journal's fdatasyncs per change (status's state-journal-syncs and
 * -records), and the time per change against one writer alone (@alone).
 */
static void bench_group_commit(const char *build, const struct fs *f, int first, double alone)
{
	enum { WRITERS = 8, CHANGES = 40 };
	long r0, s0, r1, s1;
	char buf[16384];
	double t0, us;
	pid_t pid[WRITERS];

	if (status_text(build, f, buf, sizeof(buf)))
		return;
	r0 = json_number(buf, "state-journal-records");
	s0 = json_number(buf, "state-journal-syncs");
	t0 = now();
	for (int k = 0; k < WRITERS; k++) {
		pid[k] = fork();
		if (pid[k] == 0) {
			char path[256];

			snprintf(path, sizeof(path), "%s/sys/devices/system/memory/memory%d/state",
				 f->mnt, first + k);
			_exit(state_changes_us(path, CHANGES / 2) < 0);
		}
	}
	for (int k = 0; k < WRITERS; k++) {
		int st;

		if (pid[k] < 0 || waitpid(pid[k], &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
			printf("# group commit: a writer failed; skipped\n");
			return;
		}
	}
	us = (now() - t0) * 1e6 / (WRITERS * CHANGES);
	if (status_text(build, f, buf, sizeof(buf)))
		return;
	r1 = json_number(buf, "state-journal-records") - r0;
	s1 = json_number(buf, "state-journal-syncs") - s0;
	if (r0 < 0 || r1 <= 0 || s1 < 0) {
		printf("# group commit: no journal counters in status; skipped\n");
		return;
	}
	printf("# group commit: %d writers, %ld records, %ld fdatasyncs; %.0f us a change "
	       "(one writer alone: %.0f us)\n", WRITERS, r1, s1, us, alone);
	/*
	 * At most --threads writes wait in hotmemfs at once (4 on 2 CPUs):
	 * while one group syncs, the next one gathers, so about two groups
	 * a round: 0.5 for 4 store threads, 1 without group commit.
	 */
	report("state_journal_syncs_per_change_8_writers", (double)s1 / (double)r1, "x",
	       "< 1 (group commit; ~2 / store threads)", (double)s1 / (double)r1 < 1);
	report("state_change_8_writers_vs_one", us / alone, "x", "informational (< 1: overlap)",
	       true);
}

/*
 * What saving costs a client (#15.1): memory32's state written on a
 * machine with a state file (journal: one appended record and an
 * fdatasync per change, in a directory below /tmp) against the same
 * machine with --state none, batches interleaved: the best with a state
 * file, and the ratio of the medians.
 */
static void bench_state_save(const char *build)
{
	char a[256], b[256], ctlbin[512];
	double va[NR_BATCH], vb[NR_BATCH];
	struct bench_pair p;
	struct fs fa = { .pid = -1 }, fb = { .pid = -1 };
	char *add_a[] = { ctlbin, "-s", fa.ctl, "device_add", "pc-dimm", "size=128M", NULL };
	char *add_b[] = { ctlbin, "-s", fb.ctl, "device_add", "pc-dimm", "size=128M", NULL };
	char *add_g[] = { ctlbin, "-s", fa.ctl, "device_add", "pc-dimm", "size=1G", NULL };

	snprintf(ctlbin, sizeof(ctlbin), "%s/hotmemctl", build);
	if (fs_start_state(&fa, build, "qemu-512m", true) ||
	    fs_start_state(&fb, build, "qemu-512m", false) || run(add_a, true) ||
	    run(add_b, true)) {
		printf("# state save: hotmemfs did not start or plug; skipped\n");
		goto out;
	}
	snprintf(a, sizeof(a), "%s/sys/devices/system/memory/memory32/state", fa.mnt);
	snprintf(b, sizeof(b), "%s/sys/devices/system/memory/memory32/state", fb.mnt);
	for (int k = 0; k < NR_BATCH; k++) {
		va[k] = state_changes_us(a, 20);
		vb[k] = state_changes_us(b, 20);
		if (va[k] < 0 || vb[k] < 0) {
			printf("# state save: writing %s or %s failed; skipped\n", a, b);
			goto out;
		}
	}
	bench_pair_of(&p, va, vb, NR_BATCH); /* sorts both */
	printf("# state save: a state change %.0f us with a state file, %.0f us without "
	       "(best of %d x 40; medians %.0f, %.0f)\n", va[0], vb[0], NR_BATCH, p.median[0],
	       p.median[1]);
	report("state_change_with_state_file_us", va[0], "us", "<= 1000 (#15.1)", va[0] <= 1000);
	bench_report_pair("state_change_state_file_vs_none", &p, "us", "informational", true);
	if (run(add_g, true))
		printf("# group commit: no room for a 1G DIMM; skipped\n");
	else
		bench_group_commit(build, &fa, 33, va[NR_BATCH / 2]);
out:
	fs_stop(&fa);
	fs_stop(&fb);
	/* fs_stop leaves the state file, its lock and journal, and so the directory */
	for (const char *const *n = (const char *const[]){ "", ".lock", ".journal", NULL }; *n;
	     n++) {
		snprintf(a, sizeof(a), "%s/state.json%s", fa.dir, *n);
		unlink(a);
	}
	rmdir(fa.dir);
}

/*
 * hotmemd's coldplug at a small scale: a 32 GiB DIMM (256 blocks, memmaps
 * from system RAM) on host-24g, hotmemd --oneshot onlining it, 11 FUSE
 * requests a block (docs/hotmemd.md).  What --io-uring does to
 * huge128m_hotmemd_coldplug_ram_s, seen in seconds instead of 20 GiB and
 * minutes.
 */
#define COLDPLUG_BLOCKS 256
#define COLDPLUG_RUNS 7

/*
 * One coldplug on a fresh machine served with @opt ("--io-uring" or
 * NULL): hotmemd's seconds, or -1 (said why)
 */
static double coldplug_once(const char *build, const char *opt)
{
	char ctlbin[512], size[32];
	char *add[] = { ctlbin, "-s", NULL, "device_add", "pc-dimm", size, NULL };
	struct fs f = { .pid = -1 };
	double dt = -1;
	int offline, left = -1;

	snprintf(ctlbin, sizeof(ctlbin), "%s/hotmemctl", build);
	snprintf(size, sizeof(size), "size=%uM", COLDPLUG_BLOCKS * 128);
	if (fs_start_opt(&f, build, "host-24g", false, opt)) {
		printf("# coldplug: hotmemfs %s did not mount\n", opt ? opt : "");
		goto out;
	}
	add[2] = f.ctl;
	if (run(add, true)) {
		printf("# coldplug: device_add %s did not plug\n", size);
		goto out;
	}
	/* the DIMM's blocks, and only they, wait for hotmemd */
	offline = count_not_online(&f);
	if (offline != COLDPLUG_BLOCKS) {
		printf("# coldplug: %d blocks not online before it, not %d\n", offline,
		       COLDPLUG_BLOCKS);
		goto out;
	}
	dt = hotmemd_coldplug(build, &f);
	left = count_not_online(&f);
	if (dt < 0 || left) {
		printf("# coldplug: hotmemd failed (%d blocks not online)\n", left);
		dt = -1;
	}
out:
	fs_stop(&f);
	return dt;
}

/* COLDPLUG_RUNS coldplugs on /dev/fuse and over io_uring, in turn; -1 at the first failure */
static int coldplug_runs(const char *build, struct stat2 *sd, struct stat2 *su)
{
	double vd[COLDPLUG_RUNS], vu[COLDPLUG_RUNS];

	for (int k = 0; k < COLDPLUG_RUNS; k++) {
		vd[k] = coldplug_once(build, NULL);
		vu[k] = vd[k] < 0 ? -1 : coldplug_once(build, "--io-uring");
		if (vu[k] < 0)
			return -1;
	}
	stat_of(sd, vd, COLDPLUG_RUNS);
	stat_of(su, vu, COLDPLUG_RUNS);
	return 0;
}

static void bench_coldplug_uring(const char *build)
{
	const double goal_ms = 2000.0 * COLDPLUG_BLOCKS / 1024; /* as bench_hotmemd's */
	char name[64], goal[96];
	struct stat2 sd, su;

	if (uring_hold(build)) {
		printf("# hotmemd_coldplug_%d_uring skipped\n", COLDPLUG_BLOCKS);
		return;
	}
	if (coldplug_runs(build, &sd, &su)) {
		printf("# coldplug: hotmemd_coldplug_%d_uring skipped\n", COLDPLUG_BLOCKS);
		goto out;
	}
	printf("# hotmemd coldplug of %d blocks (host-24g, memmaps from system RAM): hotmemfs "
	       "--io-uring %.1f ms, on /dev/fuse %.1f ms (best of %d, interleaved; medians %.1f, "
	       "%.1f)\n", COLDPLUG_BLOCKS, su.best * 1e3, sd.best * 1e3, COLDPLUG_RUNS,
	       su.median * 1e3, sd.median * 1e3);
	snprintf(name, sizeof(name), "hotmemd_coldplug_%d_uring_ms", COLDPLUG_BLOCKS);
	snprintf(goal, sizeof(goal), "<= %.0f (2 s per 1024), hotmemfs --io-uring", goal_ms);
	report(name, su.best * 1e3, "ms", goal, su.best * 1e3 <= goal_ms);
	snprintf(name, sizeof(name), "hotmemd_coldplug_%d_uring_vs_devfuse", COLDPLUG_BLOCKS);
	report_ratio(name, &su, &sd, 1e3, "ms", "informational", 0);
out:
	uring_release();
}

/*
 * The kernel's own allocations in the state file's journal (reread18-
 * fusefs2 F9): every record carries what they did since the record
 * before ("kmem"), and the journal is compacted -- the whole machine
 * written -- every HMFS_JOURNAL_MAX bytes of it.  On one machine: its
 * records' bytes a change and how many of them are "kmem", the whole
 * saves (the state file renamed over) in 1000 changes, the state file's
 * size (what each of them writes) and a change's time, all informational.
 */
struct kmem_case {
	const char *name;	/* state_kmem_NAME_... */
	const char *lines;	/* the profile file */
	bool huge;		/* the 16 TiB machine: its DIMM as huge128m plugs it */
};

/* @path's records: how many, their bytes, and their "kmem" bytes (from the key to the line's end) */
static int journal_bytes(const char *path, long *recs, long *bytes, long *kmem)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	*recs = *bytes = *kmem = 0;
	if (!f)
		return -1;
	while ((n = getline(&line, &cap, f)) > 0 && line[0]) {
		const char *k = strstr(line, "\"kmem\":");

		if (line[n - 1] != '\n')
			break; /* the zeros after the last record */
		(*recs)++;
		*bytes += n;
		if (k)
			*kmem += (long)(line + n - k);
	}
	free(line);
	fclose(f);
	return 0;
}

static ino_t ino_of(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : st.st_ino;
}

static void bench_state_kmem_case(const char *build, const struct kmem_case *c)
{
	enum { FIRST = 20, CHANGES = 1000 };
	char profile[128], ctlbin[512], state[256], journal[280], path[256], name[128];
	long r0, b0, k0, r1, b1, k1, r2, b2, k2, nr, nb, nk;
	const char *from;
	unsigned long block = 32;
	int compactions = 0;
	struct fs f = { .pid = -1 };
	struct stat st;
	double t0, us;
	ino_t ino;
	FILE *pf;

	snprintf(ctlbin, sizeof(ctlbin), "%s/hotmemctl", build);
	snprintf(profile, sizeof(profile), "/tmp/hotmemfs-bench-kmem.%d", (int)getpid());
	pf = fopen(profile, "w");
	if (!pf || fputs(c->lines, pf) < 0 || fclose(pf)) {
		printf("# state kmem %s: no profile file; skipped\n", c->name);
		goto out;
	}
	if (fs_start_state(&f, build, profile, true)) {
		printf("# state kmem %s: hotmemfs did not start; skipped\n", c->name);
		goto out;
	}
	if (c->huge) {
		unsigned long long size = (16ULL << 40) - (2ULL << 30);

		t0 = now();
		while (plug(ctlbin, &f, size) && size > (1ULL << 40))
			size = (size / 8 * 7) & ~((128ULL << 20) - 1);
		block = (unsigned long)(size >> 27) + 15;
		printf("# state kmem %s: %llu blocks plugged in %.1f s\n", c->name, size >> 27,
		       now() - t0);
	} else if (run((char *[]){ ctlbin, "-s", f.ctl, "device_add", "pc-dimm", "size=128M", NULL },
		       true)) {
		printf("# state kmem %s: device_add failed; skipped\n", c->name);
		goto out;
	}
	snprintf(state, sizeof(state), "%s/state.json", f.dir);
	snprintf(journal, sizeof(journal), "%s.journal", state);
	snprintf(path, sizeof(path), "%s/sys/devices/system/memory/memory%lu/state", f.mnt, block);
	journal_bytes(journal, &r0, &b0, &k0);
	if (state_changes_us(path, FIRST / 2) < 0 || journal_bytes(journal, &r1, &b1, &k1) ||
	    r1 - r0 <= 0) {
		printf("# state kmem %s: no records (or a compaction) in %d changes; skipped\n",
		       c->name, FIRST);
		goto out;
	}
	ino = ino_of(state);
	t0 = now();
	for (int i = 0; i < CHANGES / 2; i++) {
		ino_t now_ino;

		if (state_changes_us(path, 1) < 0) {
			printf("# state kmem %s: a change failed; skipped\n", c->name);
			goto out;
		}
		now_ino = ino_of(state);
		compactions += now_ino != ino;
		ino = now_ino;
	}
	us = (now() - t0) * 1e6 / CHANGES;
	usleep(200000); /* a compaction the last change asked for */
	compactions += ino_of(state) != ino;
	if (stat(state, &st))
		st.st_size = 0;
	/*
	 * The bytes a record from the 1000 changes' records (reread19-fusefs
	 * F8: they came from the 20 warm-up changes): the journal's growth
	 * over them when nothing was compacted; after a compaction the
	 * records the journal holds now, all from the loop (a compaction
	 * keeps only the records after its snapshot); the warm-up's when
	 * fewer than 20 are left, and the line says which.
	 */
	nr = r1 - r0, nb = b1 - b0, nk = k1 - k0, from = "the 20 warm-up changes";
	if (!journal_bytes(journal, &r2, &b2, &k2)) {
		if (!compactions && r2 - r1 >= FIRST)
			nr = r2 - r1, nb = b2 - b1, nk = k2 - k1, from = "the 1000 changes";
		else if (compactions && r2 >= FIRST)
			nr = r2, nb = b2, nk = k2, from = "the 1000 changes' after the last whole save";
	}
	printf("# state kmem %s: a record %.0f bytes (%.0f of them \"kmem\") over %ld records of %s; "
	       "%d whole saves in %d changes of %s (%lld bytes each); %.0f us a change; load %.2f\n",
	       c->name, (double)nb / nr, (double)nk / nr, nr, from, compactions, CHANGES,
	       path + strlen(f.mnt), (long long)st.st_size, us, bench_load1());
	snprintf(name, sizeof(name), "state_kmem_%s_record_bytes", c->name);
	report(name, (double)nb / nr, "bytes", "informational", true);
	snprintf(name, sizeof(name), "state_kmem_%s_record_kmem_bytes", c->name);
	report(name, (double)nk / nr, "bytes", "informational", true);
	snprintf(name, sizeof(name), "state_kmem_%s_compactions_per_1000_changes", c->name);
	report(name, compactions * 1000.0 / CHANGES, "saves", "informational", true);
	snprintf(name, sizeof(name), "state_kmem_%s_state_file_bytes", c->name);
	report(name, (double)st.st_size, "bytes", "informational", true);
	snprintf(name, sizeof(name), "state_kmem_%s_change_us", c->name);
	report(name, us, "us", "informational", true);
out:
	fs_stop(&f);
	unlink(profile);
	if (f.dir[0]) {
		for (const char *const *n = (const char *const[]){ "", ".lock", ".journal", NULL };
		     *n; n++) {
			snprintf(state, sizeof(state), "%s/state.json%s", f.dir, *n);
			unlink(state);
		}
		rmdir(f.dir);
	}
}

/* `bench_hotmemfs statekmem`: the default and heavy kernel, and the 16 TiB machine's */
static void bench_state_kmem(const char *build)
{
	static const struct kmem_case cases[] = {
		{ "default", "profile = qemu-512m\nname = qemu-512m-kmem\n", false },
		{ "heavy", "profile = qemu-512m\nname = qemu-512m-heavy\nkernel_alloc = heavy\n",
		  false },
		{ "huge128m", "profile = huge-64t\nname = huge-16t-128m\nblock_size = 128M\n"
			      "maxmem = 16T\n", true },
		{ "huge128m_heavy", "profile = huge-64t\nname = huge-16t-128m\nblock_size = 128M\n"
				    "maxmem = 16T\nkernel_alloc = heavy\n", true },
	};

	if (map_count_raise())
		printf("# state kmem: cannot raise vm.max_map_count; the 16 TiB DIMM shrinks until it fits\n");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		bench_state_kmem_case(build, &cases[i]);
	map_count_put_back();
}

/* FUSE over io_uring's figures */
/* `bench_hotmemfs floor`: bench_floor() alone, against hotmemfs on host-24g */
static void bench_floor_alone(const char *build)
{
	char emu_state[256];
	struct fs f;

	if (fs_start(&f, build, "host-24g")) {
		printf("# hotmemfs did not mount; skipping\n");
		fs_stop(&f);
		return;
	}
	snprintf(emu_state, sizeof(emu_state), "%s/sys/devices/system/memory/memory1/state", f.mnt);
	bench_floor(build, emu_state, f.pid);
	fs_stop(&f);
}

static void bench_uring(const char *build)
{
	bench_floor_uring(build);
	bench_coldplug_uring(build);
}

int main(int argc, char **argv)
{
	const char *build = getenv("HOTMEM_BUILD");
	/* one part alone: bench_hotmemfs small | floor | huge128m | uring | huge128m_coldplug | statekmem */
	const char *only = argc > 1 ? argv[1] : NULL;
	const char *usage = "[small|floor|huge128m|uring|huge128m_coldplug|statekmem] (one part; "
			    "none: every part but huge128m_coldplug, which is in huge128m, floor, "
			    "which is in small, and statekmem)";
	char bin[512];

	/* refused before the skip below, so that a mistyped part says so wherever it runs */
	if (only && strcmp(only, "small") && strcmp(only, "floor") && strcmp(only, "huge128m") &&
	    strcmp(only, "uring") &&
	    strcmp(only, "huge128m_coldplug") && strcmp(only, "statekmem"))
		bench_refuse_arg("bench_hotmemfs", only, usage);
	if (argc > 2)
		bench_refuse_arg("bench_hotmemfs", argv[2], usage);
	if (!build)
		build = "build";
	snprintf(bin, sizeof(bin), "%s/hotmemfs", build);
	if (geteuid() != 0 || access("/dev/fuse", R_OK | W_OK) || access(bin, X_OK)) {
		printf("# bench_hotmemfs: needs root, /dev/fuse and %s; skipped\n", bin);
		return 0;
	}
	bench_guard();
	if (!only || !strcmp(only, "small"))
		bench_small(build);
	if (!only) {
		bench_state_save(build);
		bench_huge(build);
	}
	if (!only || !strcmp(only, "uring"))
		bench_uring(build);
	if (!only || !strcmp(only, "huge128m"))
		bench_huge128m(build);
	if (only && !strcmp(only, "huge128m_coldplug"))
		bench_huge128m_coldplug_self_hosted(build);
	if (only && !strcmp(only, "statekmem"))
		bench_state_kmem(build);
	if (only && !strcmp(only, "floor"))
		bench_floor_alone(build);
	return 0;
}
