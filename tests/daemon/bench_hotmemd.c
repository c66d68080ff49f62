// SPDX-License-Identifier: MIT
/*
 * bench_hotmemd: how fast hotmemd puts hot-added blocks online.
 *
 *   hotmemd_add_to_online_median / _p99: from sending a block's ADD uevent
 *     to its state file being written "online...", one block at a time;
 *   hotmemd_burst_1024: 1024 blocks plugged at once, ADDs sent back to
 *     back, until the last one is online.
 *
 * Measured on a fake sysroot of plain files in /tmp, uevents over the
 * Unix-socket fallback; the write is seen with inotify (IN_CLOSE_WRITE).
 * That is hotmemd's own cost.  When hotmemfs is built (and we are root with
 * /dev/fuse), the same figures on a hotmemfs mount follow, suffix _hotmemfs:
 * hotmemctl plugs DIMMs, hotmemfs's ADD uevents reach us on a relay socket,
 * and the clock starts when we pass them on to hotmemd.  Once with
 * --state none, once with a state file (suffix _statefile): hotmemfs
 * replies to each write only once it is durable; and once with a state
 * file and --state-sync background (suffix _statefile_background): once
 * it is written (it survives kill -9 of hotmemfs; a syncer makes it
 * durable right after).  Then what that costs at
 * the bottom, on the state file's filesystem (/tmp): a journal record's
 * fdatasync() written in place over zeros, as hotmemfs does, against
 * appended (journal_fdatasync_in_place_us, _vs_append).  With a state file,
 * one such record's fdatasync() beside it after each ADD of the same run:
 * hotmemd_add_to_online_fdatasync_floor_hotmemfs_statefile (informational),
 * the floor the ADD->online figure is judged against.
 * Prints "NAME VALUE UNIT (goal ...)" and BENCH {json} lines.  One part
 * alone: bench_hotmemd fake | hotmemfs | statefile | background | sync
 * (the fake sysroot, the three hotmemfs runs, the journal's fdatasync).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../bench_report.h"

#define SINGLE_RUNS 300
#define BURST 1024
#define BOOT_BLOCKS 64 /* 8 GiB */

struct bench {
	char root[64];
	char mem[128];
	char sock[100];
	pid_t pid;
	int fd; /* our datagram socket */
	int ino; /* inotify */
	struct sockaddr_un to;
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void report(const char *name, double value, const char *unit, const char *goal, bool met)
{
	bench_report(name, value, unit, goal, met);
}

static int put(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX];
	int fd, n = strlen(text);

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, text, n) != n)
		return -1;
	return close(fd);
}

static int mk_block_at(const char *dir, const char *state)
{
	char node[300];

	snprintf(node, sizeof(node), "%s/node0", dir);
	if ((mkdir(dir, 0755) && errno != EEXIST) || (mkdir(node, 0755) && errno != EEXIST))
		return -1;
	if (put(dir, "valid_zones", strcmp(state, "online\n") ? "Normal Movable\n" : "Normal\n"))
		return -1;
	return put(dir, "state", state);
}

static int mk_block(struct bench *b, int id, const char *state)
{
	char dir[256];

	snprintf(dir, sizeof(dir), "%s/memory%d", b->mem, id);
	return mk_block_at(dir, state);
}

/*
 * An offline block @id made as ".memoryN" with its state watched; then
 * block_show() renames it into place.  hotmemd rescans for blocks
 * without an ADD 20 ms after the last uevent (daemon/coldplug.c,
 * SETTLE_USEC), and under load that can fall between the bench's steps:
 * a block it could see before its watch was set would be onlined with no
 * write left to see (the run then timed out).  The watch follows the
 * inode through the rename, so every write to the block is seen.
 */
static int block_staged(struct bench *b, int id)
{
	char dir[256], path[300];

	snprintf(dir, sizeof(dir), "%s/.memory%d", b->mem, id);
	snprintf(path, sizeof(path), "%s/state", dir);
	if (mk_block_at(dir, "offline\n"))
		return -1;
	return inotify_add_watch(b->ino, path, IN_CLOSE_WRITE) < 0 ? -1 : 0;
}

static int block_show(struct bench *b, int id)
{
	char from[256], to[256];

	snprintf(from, sizeof(from), "%s/.memory%d", b->mem, id);
	snprintf(to, sizeof(to), "%s/memory%d", b->mem, id);
	return rename(from, to);
}

static int watch(struct bench *b, int id)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/memory%d/state", b->mem, id);
	return inotify_add_watch(b->ino, path, IN_CLOSE_WRITE);
}

static bool block_offline(struct bench *b, int id)
{
	char path[PATH_MAX], st[16] = "";
	int fd;

	snprintf(path, sizeof(path), "%s/memory%d/state", b->mem, id);
	fd = open(path, O_RDONLY);
	if (fd >= 0 && read(fd, st, sizeof(st) - 1) < 0)
		st[0] = '\0';
	if (fd >= 0)
		close(fd);
	return !strncmp(st, "offline", 7);
}

/*
 * Block @id, watched, is still offline: its ADD can be timed.  On
 * hotmemfs a block cannot be staged (block_staged()): hotmemd's rescan
 * may online it first, before or after the watch was set.  Such a block
 * has no write left to see and is not a sample, and the write its watch
 * may have seen is dropped, or the next sample would end on it at once.
 */
static bool ready_for_add(struct bench *b, int id)
{
	char buf[4096] __attribute__((aligned(8)));

	while (read(b->ino, buf, sizeof(buf)) > 0)
		;
	return block_offline(b, id);
}

static int send_add(struct bench *b, int id)
{
	char buf[256];
	int n;

	n = snprintf(buf, sizeof(buf),
		     "add@/devices/system/memory/memory%d%cACTION=add%c"
		     "DEVPATH=/devices/system/memory/memory%d%cSUBSYSTEM=memory%cSEQNUM=%d%c",
		     id, 0, 0, id, 0, 0, id, 0);
	while (sendto(b->fd, buf, n, 0, (struct sockaddr *)&b->to, sizeof(b->to)) < 0)
		if (errno != EINTR)
			return -1;
	return 0;
}

/* Wait for @count IN_CLOSE_WRITE events; false on a 10 s timeout. */
static bool wait_writes(struct bench *b, int count)
{
	char buf[64 * 1024] __attribute__((aligned(8)));
	double deadline = now_ms() + 10000;
	struct inotify_event *ev;
	ssize_t n;
	char *p;

	while (count > 0) {
		if (now_ms() > deadline)
			return false;
		n = read(b->ino, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR) {
				struct pollfd pfd = { .fd = b->ino, .events = POLLIN };

				poll(&pfd, 1, 100);
				continue;
			}
			return false;
		}
		for (p = buf; p < buf + n; p += sizeof(*ev) + ev->len) {
			ev = (struct inotify_event *)p;
			if (ev->mask & IN_CLOSE_WRITE)
				count--;
		}
	}
	return true;
}

static int setup(struct bench *b)
{
	char path[PATH_MAX];
	int i;

	strcpy(b->root, "/tmp/hotmemd-bench.XXXXXX");
	if (!mkdtemp(b->root))
		return -1;
	snprintf(b->mem, sizeof(b->mem), "%s/sys/devices/system/memory", b->root);
	snprintf(b->sock, sizeof(b->sock), "%s/uevent.sock", b->root);
	snprintf(path, sizeof(path), "%s/sys", b->root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/sys/devices", b->root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/sys/devices/system", b->root);
	mkdir(path, 0755);
	mkdir(b->mem, 0755);
	snprintf(path, sizeof(path), "%s/proc", b->root);
	mkdir(path, 0755);
	if (put(b->mem, "block_size_bytes", "8000000\n") ||
	    put(b->mem, "auto_online_blocks", "offline\n") ||
	    put(path, "zoneinfo", "Node 0, zone   Normal\n        present  2097152\n"))
		return -1;
	for (i = 0; i < BOOT_BLOCKS; i++)
		if (mk_block(b, i, "online\n"))
			return -1;
	b->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	b->ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	b->to.sun_family = AF_UNIX;
	memcpy(b->to.sun_path, b->sock, sizeof(b->sock));
	return b->fd < 0 || b->ino < 0 ? -1 : 0;
}

static int start_daemon_on(struct bench *b, const char *sysroot);

static int start_daemon(struct bench *b)
{
	return start_daemon_on(b, b->root);
}

static int start_daemon_on(struct bench *b, const char *sysroot)
{
	const char *build = getenv("HOTMEM_BUILD") ?: "build";
	char exe[PATH_MAX], state[PATH_MAX];
	struct stat st;
	int i;

	snprintf(exe, sizeof(exe), "%s/hotmemd", build);
	snprintf(state, sizeof(state), "%s/state", b->root);
	b->pid = fork();
	if (b->pid < 0)
		return -1;
	if (!b->pid) {
		int devnull = open("/dev/null", O_WRONLY);

		dup2(devnull, 2);
		execl(exe, exe, "--config", "/dev/null", "--sysroot", sysroot, "--state-dir", state,
		      "--netlink=no", "--uevent-socket", b->sock, "--log-level", "warning",
		      (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 500; i++) {
		if (!stat(b->sock, &st))
			return 0;
		usleep(10000);
	}
	return -1;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int single(struct bench *b)
{
	static double lat[SINGLE_RUNS];
	int i, id;

	for (i = 0; i < SINGLE_RUNS; i++) {
		id = 1000 + i;
		if (block_staged(b, id) || block_show(b, id))
			return -1;
		double t0 = now_ms();

		if (send_add(b, id) || !wait_writes(b, 1))
			return -1;
		lat[i] = now_ms() - t0;
	}
	qsort(lat, SINGLE_RUNS, sizeof(lat[0]), cmp);
	report("hotmemd_add_to_online_median", lat[SINGLE_RUNS / 2], "ms", "<= 1 ms, fake sysroot",
	       lat[SINGLE_RUNS / 2] <= 1.0);
	report("hotmemd_add_to_online_p99", lat[SINGLE_RUNS * 99 / 100], "ms", "none, fake sysroot",
	       true);
	return 0;
}

static int burst(struct bench *b)
{
	double t0, dt;
	int i;

	for (i = 0; i < BURST; i++)
		if (block_staged(b, 2000 + i))
			return -1;
	for (i = 0; i < BURST; i++)
		if (block_show(b, 2000 + i))
			return -1;
	t0 = now_ms();
	for (i = 0; i < BURST; i++)
		if (send_add(b, 2000 + i))
			return -1;
	if (!wait_writes(b, BURST))
		return -1;
	dt = now_ms() - t0;
	report("hotmemd_burst_1024", dt, "ms", "<= 2000 ms, fake sysroot", dt <= 2000.0);
	return 0;
}

/* ---- the same on hotmemfs ------------------------------------------------ */

struct fsbench {
	struct bench b; /* b.mem: the mount's memory dir */
	char mnt[64];
	char ctl[128];
	pid_t fs_pid;
	int relay; /* hotmemfs sends its uevents here */
	unsigned long long relay_seq; /* the SEQNUM of the last uevent passed on */
	unsigned long long block_size;
	bool state; /* hotmemfs keeps its state file (each change durable before its reply) */
	bool background; /* ... with --state-sync background (written before its reply) */
	const char *suffix; /* of the figures' names: "", "_statefile" or "_statefile_background" */
};

static int ctl(struct fsbench *f, const char *args)
{
	const char *build = getenv("HOTMEM_BUILD") ?: "build";
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "'%s/hotmemctl' -s '%s' %s >/dev/null 2>&1", build, f->ctl,
		 args);
	return system(cmd) ? -1 : 0;
}

/*
 * The first block of DIMM @id, from its address (hotmemctl
 * query-memory-devices: "ID DRIVER NODE MEMADDR ..."); -1 if none.
 */
static long dimm_block(struct fsbench *f, const char *id)
{
	const char *build = getenv("HOTMEM_BUILD") ?: "build";
	char cmd[512], line[256], name[64];
	unsigned long long addr;
	long block = -1;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "'%s/hotmemctl' -s '%s' query-memory-devices 2>/dev/null", build,
		 f->ctl);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (fgets(line, sizeof(line), p))
		if (sscanf(line, "%63s %*s %*s 0x%llx", name, &addr) == 2 && !strcmp(name, id))
			block = (long)(addr / f->block_size);
	pclose(p);
	return block;
}

/*
 * The ADD of block @id from hotmemfs on the relay, -1 on timeout.  Not
 * just the next ADD: one left from the burst would be taken for it (a
 * block long online: the sample "swept", every time, see relay_drain()).
 */
static int relay_add(struct fsbench *f, long id, char *buf, size_t len, ssize_t *n)
{
	struct pollfd pfd = { .fd = f->relay, .events = POLLIN };
	const char *dev = "add@/devices/system/memory/memory";
	char *end;

	for (;;) {
		if (poll(&pfd, 1, 5000) <= 0)
			return -1;
		*n = recv(f->relay, buf, len - 1, 0);
		if (*n <= 0)
			return -1;
		buf[*n] = '\0';
		if (!strncmp(buf, dev, strlen(dev)) && strtol(buf + strlen(dev), &end, 10) == id &&
		    !*end)
			return (int)id;
	}
}

/*
 * One ADD of hotmemfs's passed on to hotmemd, numbered as the relay's own
 * next uevent: hotmemd takes a gap in a sender's SEQNUMs for uevents lost
 * and relists memory/ when they settle (daemon/missed.c), and the relay
 * passes on one uevent of several, where hotmemfs itself would send all.
 * hotmemfs puts SEQNUM last (hmu_uevent_format()).
 */
static int forward(struct fsbench *f, char *buf, ssize_t n, size_t len)
{
	char *seq = memmem(buf, n, "SEQNUM=", 7);
	int m;

	if (seq) {
		m = snprintf(seq, len - (seq - buf), "SEQNUM=%llu", ++f->relay_seq);
		n = seq - buf + m + 1;
	}
	return sendto(f->b.fd, buf, n, 0, (struct sockaddr *)&f->b.to, sizeof(f->b.to)) == n ? 0 :
											       -1;
}

/*
 * What the burst left: hotmemfs sent its uevents to a relay nobody read
 * during the burst and the coldplug; its sender waits up to 200 ms for
 * room in our queue (net.unix.max_dgram_qlen datagrams, 10 here) before
 * it drops, so hundreds of them keep coming long after.  Read them until
 * none has come for longer than that wait: then the ADD of a block
 * plugged next is neither queued behind them nor dropped.
 */
static void relay_drain(struct fsbench *f)
{
	struct pollfd pfd = { .fd = f->relay, .events = POLLIN };
	char buf[1024];
	int left = 100000;

	while (poll(&pfd, 1, 300) > 0 && recv(f->relay, buf, sizeof(buf), 0) > 0 && --left)
		;
}

static int fs_watch(struct fsbench *f, int id)
{
	return watch(&f->b, id);
}

#define SYNC_RUNS 200

/* one 100-byte record and its fdatasync(): at @off, or appended (@off < 0) */
static double record_sync(int fd, off_t off)
{
	char rec[100];
	double t0 = now_ms();

	memset(rec, 'x', sizeof(rec) - 1);
	rec[sizeof(rec) - 1] = '\n';
	if ((off < 0 ? write(fd, rec, sizeof(rec)) : pwrite(fd, rec, sizeof(rec), off)) !=
		    (ssize_t)sizeof(rec) ||
	    fdatasync(fd))
		return -1;
	return now_ms() - t0;
}

/*
 * The floor a state file's change cannot go under: one 100-byte record
 * written over zeros and fdatasync()ed in a file beside the state file,
 * as fusefs/state.c writes its journal, one after each block's ADD->online
 * of the same run (#15: the goal judged against what the disk takes then)
 */
struct sync_floor {
	int fd; /* -1: not measured (no state file, or no room) */
	int n;
	double us[SINGLE_RUNS];
};

static void floor_open(struct fsbench *f, struct sync_floor *fl)
{
	static const char zeros[SINGLE_RUNS * 100];
	char path[PATH_MAX];

	fl->n = 0;
	fl->fd = -1;
	if (!f->state)
		return;
	snprintf(path, sizeof(path), "%s/sync-floor", f->b.root);
	fl->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fl->fd >= 0 &&
	    (write(fl->fd, zeros, sizeof(zeros)) != (ssize_t)sizeof(zeros) || fsync(fl->fd))) {
		close(fl->fd);
		fl->fd = -1;
	}
}

static void floor_take(struct sync_floor *fl)
{
	double ms = fl->fd < 0 || fl->n == SINGLE_RUNS ? -1 : record_sync(fl->fd, fl->n * 100L);

	if (ms >= 0)
		fl->us[fl->n++] = ms * 1000;
}

/* the floor's median beside @median_ms, the ADD->online's; the file closed */
static void floor_report(struct fsbench *f, struct sync_floor *fl, double median_ms)
{
	char name[96], more[160];

	if (fl->fd < 0)
		return;
	close(fl->fd);
	if (fl->n < 10)
		return;
	qsort(fl->us, fl->n, sizeof(fl->us[0]), cmp);
	snprintf(name, sizeof(name), "hotmemd_add_to_online_fdatasync_floor_hotmemfs%s", f->suffix);
	snprintf(more, sizeof(more), "# the ADD->online median %.3f ms: the floor + %.3f ms (%d syncs)",
		 median_ms, median_ms - fl->us[fl->n / 2] / 1000, fl->n);
	bench_report_more(name, fl->us[fl->n / 2], "us",
			  "informational, one record's fdatasync beside the state file", true, more,
			  NULL);
}

static int fs_single(struct fsbench *f, int runs)
{
	static double lat[SINGLE_RUNS];
	static struct sync_floor fl;
	char buf[1024], args[96], name[80], dimm[16];
	int i, k, id, swept = 0;
	ssize_t n;

	relay_drain(f);
	floor_open(f, &fl);
	for (i = 0, k = 0; i < runs; k++) {
		/*
		 * hotmemd rescans for new blocks 20 ms after the last uevent
		 * (daemon/coldplug.c, SETTLE_USEC): let that pass first, or it
		 * finds the next block before its ADD is passed on
		 */
		usleep(30000);
		snprintf(dimm, sizeof(dimm), "s%d", k);
		snprintf(args, sizeof(args), "device_add pc-dimm size=128M id=%s", dimm);
		if (ctl(f, args))
			break; /* the emulated machine is full */
		id = relay_add(f, dimm_block(f, dimm), buf, sizeof(buf), &n);
		if (id < 0) {
			fprintf(stderr, "bench_hotmemd: no ADD uevent for DIMM %s's block\n", dimm);
			goto fail;
		}
		if (fs_watch(f, id) < 0)
			goto fail;
		if (!ready_for_add(&f->b, id)) {
			swept++;
			continue;
		}
		double t0 = now_ms();

		if (forward(f, buf, n, sizeof(buf)) || !wait_writes(&f->b, 1))
			goto fail;
		lat[i++] = now_ms() - t0;
		floor_take(&fl);
	}
	if (swept)
		printf("# %d block(s) onlined by hotmemd's sweep before the ADD was passed on: not counted\n",
		       swept);
	if (i < 10) {
		fprintf(stderr, "bench_hotmemd: only %d block(s) waited for their ADD\n", i);
		goto fail;
	}
	qsort(lat, i, sizeof(lat[0]), cmp);
	snprintf(name, sizeof(name), "hotmemd_add_to_online_median_hotmemfs%s", f->suffix);
	report(name, lat[i / 2], "ms",
	       f->background ? "<= 1 ms, hotmemfs, state file, --state-sync background" :
	       f->state	     ? "<= 1 ms, hotmemfs, state file" :
			       "<= 1 ms, hotmemfs",
	       lat[i / 2] <= 1.0);
	snprintf(name, sizeof(name), "hotmemd_add_to_online_p99_hotmemfs%s", f->suffix);
	report(name, lat[i * 99 / 100], "ms", "none, hotmemfs", true);
	floor_report(f, &fl, lat[i / 2]);
	return 0;
fail:
	if (fl.fd >= 0)
		close(fl.fd);
	return -1;
}

static int count_offline(struct fsbench *f, int *total)
{
	char path[PATH_MAX], buf[32];
	struct dirent *de;
	int n = 0, fd;
	ssize_t r;
	DIR *dir = opendir(f->b.mem);

	*total = 0;
	if (!dir)
		return -1;
	while ((de = readdir(dir))) {
		if (strncmp(de->d_name, "memory", 6) || de->d_name[6] < '0' || de->d_name[6] > '9')
			continue;
		snprintf(path, sizeof(path), "%s/%s/state", f->b.mem, de->d_name);
		fd = open(path, O_RDONLY);
		r = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
		if (fd >= 0)
			close(fd);
		(*total)++;
		n += r > 0 && !strncmp(buf, "offline", 7);
	}
	closedir(dir);
	return n;
}

/*
 * A burst: one big DIMM plugged while hotmemd is down, then hotmemd
 * --oneshot onlines all of its blocks (the coldplug path; the uevent path
 * is the fake-sysroot burst above, as hotmemfs's Unix-socket sender drops
 * datagrams past net.unix.max_dgram_qlen).
 */
static int fs_burst(struct fsbench *f)
{
	static const char *const sizes[] = { "128G", "64G", "32G", "16G", "8G" };
	const char *build = getenv("HOTMEM_BUILD") ?: "build";
	char name[64], goal[128], exe[PATH_MAX], state[PATH_MAX], args[96];
	int n, total, st;
	unsigned int s;
	double t0, dt;
	pid_t pid;

	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		snprintf(args, sizeof(args), "device_add pc-dimm size=%s id=burst", sizes[s]);
		if (!ctl(f, args))
			break;
	}
	n = count_offline(f, &total);
	if (s == sizeof(sizes) / sizeof(sizes[0]) || n <= 0) {
		fprintf(stderr, "bench_hotmemd: no DIMM of 8G or more fits\n");
		return -1;
	}
	snprintf(exe, sizeof(exe), "%s/hotmemd", build);
	snprintf(state, sizeof(state), "%s/state", f->b.root);
	t0 = now_ms();
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		int devnull = open("/dev/null", O_WRONLY);

		dup2(devnull, 2);
		execl(exe, exe, "--config", "/dev/null", "--sysroot", f->mnt, "--state-dir", state,
		      "--netlink=no", "--oneshot", "--log-level", "warning", (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
		return -1;
	dt = now_ms() - t0;
	if (count_offline(f, &total) != 0) {
		fprintf(stderr, "bench_hotmemd: blocks left offline after the coldplug\n");
		return -1;
	}
	snprintf(name, sizeof(name), "hotmemd_coldplug_%d_hotmemfs%s", n, f->suffix);
	snprintf(goal, sizeof(goal), "<= %.0f ms (2 s per 1024), hotmemfs%s", 2000.0 * n / 1024,
		 f->background ? ", state file, --state-sync background" :
		 f->state      ? ", state file" :
				 "");
	report(name, dt, "ms", goal, dt <= 2000.0 * n / 1024);
	return 0;
}

static int read_block_size(struct fsbench *f, const char *path)
{
	char buf[32] = "";
	int fd = open(path, O_RDONLY);
	ssize_t r = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	f->block_size = r > 0 ? strtoull(buf, NULL, 16) : 0;
	return f->block_size ? 0 : -1;
}

static int fs_setup(struct fsbench *f, const char *fs_exe)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char path[PATH_MAX], relay[128], statefile[128];
	struct stat st;
	int i;

	strcpy(f->b.root, "/tmp/hotmemd-benchfs.XXXXXX");
	if (!mkdtemp(f->b.root))
		return -1;
	snprintf(f->mnt, sizeof(f->mnt), "%s/mnt", f->b.root);
	snprintf(f->ctl, sizeof(f->ctl), "%s/ctl.sock", f->b.root);
	snprintf(relay, sizeof(relay), "%s/relay.sock", f->b.root);
	snprintf(statefile, sizeof(statefile), "%s/hotmemfs.state", f->b.root);
	snprintf(f->b.mem, sizeof(f->b.mem), "%s/sys/devices/system/memory", f->mnt);
	snprintf(f->b.sock, sizeof(f->b.sock), "%s/uevent.sock", f->b.root);
	mkdir(f->mnt, 0755);
	f->relay = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	memcpy(sun.sun_path, relay,
	       sizeof(relay) < sizeof(sun.sun_path) ? sizeof(relay) : sizeof(sun.sun_path));
	i = 4 << 20;
	setsockopt(f->relay, SOL_SOCKET, SO_RCVBUF, &i, sizeof(i));
	if (f->relay < 0 || bind(f->relay, (struct sockaddr *)&sun, sizeof(sun)))
		return -1;
	f->b.fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	f->b.ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	f->b.to.sun_family = AF_UNIX;
	memcpy(f->b.to.sun_path, f->b.sock, sizeof(f->b.sock));
	f->fs_pid = fork();
	if (f->fs_pid < 0)
		return -1;
	if (!f->fs_pid) {
		int devnull = open("/dev/null", O_WRONLY);

		dup2(devnull, 2);
		/* it stays in the foreground: we stop it by pid */
		execl(fs_exe, fs_exe, "-s", f->ctl, "-S", f->state ? statefile : "none", "-u", relay,
		      "--state-sync", f->background ? "background" : "always", f->mnt, (char *)NULL);
		_exit(127);
	}
	snprintf(path, sizeof(path), "%s/block_size_bytes", f->b.mem);
	for (i = 0; i < 500 && stat(path, &st); i++)
		usleep(10000);
	return i == 500 || read_block_size(f, path) ? -1 : 0;
}

static void fs_teardown(struct fsbench *f)
{
	char cmd[256];

	if (f->b.pid > 0) {
		kill(f->b.pid, SIGTERM);
		waitpid(f->b.pid, NULL, 0);
	}
	snprintf(cmd, sizeof(cmd), "fusermount3 -u '%s' 2>/dev/null", f->mnt);
	if (f->fs_pid > 0) {
		if (system(cmd))
			kill(f->fs_pid, SIGTERM);
		waitpid(f->fs_pid, NULL, 0);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->b.root);
	if (f->b.root[0] && system(cmd))
		fprintf(stderr, "bench_hotmemd: cannot remove %s\n", f->b.root);
}

/*
 * fusefs/state.c writes its journal's records over zeros the file already
 * has, so that their fdatasync() commits no size: the two ways in turn,
 * SYNC_RUNS records each, in two files of the state file's directory.
 */
static int journal_sync_bench(void)
{
	static double in_place[SYNC_RUNS], appended[SYNC_RUNS];
	char dir[] = "/tmp/hotmemd-benchsync.XXXXXX", a[64], b[64], zeros[SYNC_RUNS * 100] = { 0 };
	int fa = -1, fb = -1, r = -1;

	if (!mkdtemp(dir))
		return -1;
	snprintf(a, sizeof(a), "%s/appended", dir);
	snprintf(b, sizeof(b), "%s/in-place", dir);
	fa = open(a, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	fb = open(b, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fa < 0 || fb < 0 || write(fb, zeros, sizeof(zeros)) != (ssize_t)sizeof(zeros) ||
	    fsync(fb))
		goto out;
	for (int i = 0; i < SYNC_RUNS; i++) {
		appended[i] = record_sync(fa, -1);
		in_place[i] = record_sync(fb, (off_t)i * 100);
		if (appended[i] < 0 || in_place[i] < 0)
			goto out;
	}
	qsort(in_place, SYNC_RUNS, sizeof(double), cmp);
	qsort(appended, SYNC_RUNS, sizeof(double), cmp);
	report("journal_fdatasync_in_place_us", in_place[SYNC_RUNS / 2] * 1000, "us",
	       "none, /tmp", true);
	report("journal_fdatasync_in_place_vs_append",
	       in_place[SYNC_RUNS / 2] / appended[SYNC_RUNS / 2], "x", "< 1, /tmp",
	       in_place[SYNC_RUNS / 2] < appended[SYNC_RUNS / 2]);
	r = 0;
out:
	if (fa >= 0)
		close(fa);
	if (fb >= 0)
		close(fb);
	unlink(a);
	unlink(b);
	rmdir(dir);
	return r;
}

/*
 * The hotmemfs figures without a state file (suffix ""), with one
 * (_statefile), and with one synced in the background (_statefile_background)
 */
static int hotmemfs_bench_one(const char *fs_exe, bool state, bool background)
{
	struct fsbench f = { .b = { .pid = -1, .fd = -1, .ino = -1 },
			     .fs_pid = -1,
			     .relay = -1,
			     .state = state,
			     .background = background,
			     .suffix = background ? "_statefile_background" :
				       state	  ? "_statefile" :
						    "" };
	int r = -1;

	printf("# hotmemd on a hotmemfs mount (FUSE), uevents relayed from hotmemfs, %s\n",
	       background ? "a state file below /tmp, --state-sync background (each change written before its reply, synced after)" :
	       state	  ? "a state file below /tmp (each change durable before its reply)" :
			    "--state none");
	const char *failed = fs_setup(&f, fs_exe)	  ? "mounting hotmemfs" :
			     fs_burst(&f)		  ? "the coldplug" :
			     start_daemon_on(&f.b, f.mnt) ? "starting hotmemd" :
			     fs_single(&f, 100)		  ? "one block at a time" :
							    NULL;

	if (failed)
		fprintf(stderr, "bench_hotmemd: hotmemfs run failed: %s\n", failed);
	else
		r = 0;
	fs_teardown(&f);
	return r;
}

/* a part of the program's, @name, is to run: every part when none was asked for (@only NULL) */
static bool part_on(const char *only, const char *name)
{
	return !only || !strcmp(only, name);
}

/* a part run on hotmemfs is asked for (none asked: every part) */
static bool hotmemfs_parts_on(const char *only)
{
	return part_on(only, "hotmemfs") || part_on(only, "statefile") || part_on(only, "background");
}

static int hotmemfs_bench(const char *only)
{
	const char *build = getenv("HOTMEM_BUILD") ?: "build";
	char fs_exe[PATH_MAX], ctl_exe[PATH_MAX];
	int r = 0;

	snprintf(fs_exe, sizeof(fs_exe), "%s/hotmemfs", build);
	snprintf(ctl_exe, sizeof(ctl_exe), "%s/hotmemctl", build);
	if (access(fs_exe, X_OK) || access(ctl_exe, X_OK) || access("/dev/fuse", R_OK | W_OK) ||
	    geteuid()) {
		if (only) /* one hotmemfs part asked for: nothing above to speak of */
			printf("# hotmemfs not built (or no root, /dev/fuse): %s not run\n", only);
		else
			printf("# hotmemfs not built (or no root, /dev/fuse): figures above are the fake sysroot only\n");
		return 0;
	}
	if (part_on(only, "hotmemfs"))
		r |= hotmemfs_bench_one(fs_exe, false, false);
	if (part_on(only, "statefile"))
		r |= hotmemfs_bench_one(fs_exe, true, false);
	if (part_on(only, "background"))
		r |= hotmemfs_bench_one(fs_exe, true, true);
	return r;
}

/* hotmemd's own cost: the fake sysroot of plain files; 0, or 1 (said why) */
static int fake_bench(void)
{
	struct bench b = { .pid = -1, .fd = -1, .ino = -1 };
	char cmd[128];
	int r = 1;

	if (setup(&b) || start_daemon(&b)) {
		fprintf(stderr, "bench_hotmemd: setup failed: %s\n", strerror(errno));
		goto out;
	}
	printf("# hotmemd on a fake sysroot (plain files), uevents over the Unix socket\n");
	if (single(&b) || burst(&b)) {
		fprintf(stderr, "bench_hotmemd: a block did not go online in time\n");
		goto out;
	}
	r = 0;
out:
	if (b.pid > 0) {
		kill(b.pid, SIGTERM);
		waitpid(b.pid, NULL, 0);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", b.root);
	if (b.root[0] && system(cmd))
		r = 1;
	return r;
}

int main(int argc, char **argv)
{
	/* one part alone (#15 goal 1's figure: bench_hotmemd hotmemfs), none: every part */
	const char *only = argc > 1 ? argv[1] : NULL;
	const char *usage = "[fake|hotmemfs|statefile|background|sync] (one part; none: every part)";
	int r = 0;

	if (only && strcmp(only, "fake") && strcmp(only, "hotmemfs") && strcmp(only, "statefile") &&
	    strcmp(only, "background") && strcmp(only, "sync"))
		bench_refuse_arg("bench_hotmemd", only, usage);
	if (argc > 2)
		bench_refuse_arg("bench_hotmemd", argv[2], usage);
	if (part_on(only, "fake"))
		r = fake_bench();
	/*
	 * as before: the hotmemfs figures only after the fake sysroot's went
	 * well; only when one of them is asked for (bench_hotmemd sync or fake
	 * said the fake sysroot's figures were above: reread23a R9)
	 */
	if (!r && hotmemfs_parts_on(only) && hotmemfs_bench(only))
		r = 1;
	if (part_on(only, "sync") && journal_sync_bench()) {
		fprintf(stderr, "bench_hotmemd: journal sync: %s\n", strerror(errno));
		r = 1;
	}
	return r;
}
