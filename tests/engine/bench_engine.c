// SPDX-License-Identifier: GPL-2.0
/*
 * Engine figures, each a ratio against a reference measured in this run:
 *  - onlining one 128 MiB block vs memset() of its 2 MiB memmap, on fresh
 *    memory (both fault their pages in) and warm (both already resident);
 *  - onlining 64 blocks with 2 init threads vs 1 (beside it, what the host
 *    gives two threads writing as much fresh memory, and copying in the
 *    pages the batch copies with UFFDIO_COPY, same round);
 *  - metadata per present section, per offline block, and the 52-bit
 *    kdump machine's boot metadata (seed 000);
 *  - an online/offline storm with the kernel's own allocations on
 *    (hotmem.kernel_alloc=default) vs off, same run; and with one page
 *    poisoned in a block the storm does not touch vs none;
 *  - what an untraced USDT probe costs (its semaphore is 0): per hit, and
 *    as a share of an online/offline cycle, which hits ~28 of them; alone
 *    and with a subscriber that wants no trace steps (hotmemfs's);
 *  - an online/offline cycle re-shared in place (vmemmap_reshare()) at its
 *    cap of copied vmemmap pages and with the buddy heads only, vs remapped;
 *  - host memory per emulated TiB online: a memmap from system RAM shared
 *    copy-on-write with its template, a self-hosted one written (1/64 of
 *    what is online), and how many of those memmap pages hold the same
 *    bytes;
 *  - a fresh online of such a memmap with the buddy heads' vmemmap pages
 *    copied in (UFFDIO_COPY) vs written (a fault each), its traps, and the
 *    vmemmap pages it copies (host memory) and maps;
 *  - the engine's part of hotmemd's coldplug of the 16 TiB machine, memmaps
 *    from RAM: a block's online, and the host memory it takes;
 *  - the copied-pages query (PAGEMAP_SCAN, 6.7+) vs reading pagemap, alone
 *    and as a share of the online/offline cycle that re-shares in place;
 *  - that cycle with the query asked only when the process faulted since
 *    it was last asked vs asked every time.
 *
 * Arguments name the parts to run (bench_engine populate storm); none: all.
 */
#include <fcntl.h>
#include <linux/perf_event.h>
#include <linux/userfaultfd.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bench.h"
#include "hotmem.h"
#include "internal.h"	/* hm_trace(): the probe sites themselves */

#define RUNS 15
#define DIMM 0x100000000ULL

static struct hotmem *boot(const char *profile, const char *cmdline, unsigned int threads)
{
	struct hotmem_config cfg;
	struct hotmem *hm;
	char err[256];

	hotmem_config_builtin(&cfg, profile);
	if (cmdline)
		hotmem_config_parse_cmdline(&cfg, cmdline, err, sizeof(err));
	cfg.init_threads = threads;
	if (hotmem_create(&cfg, &hm, err, sizeof(err))) {
		fprintf(stderr, "bench: %s\n", err);
		exit(1);
	}
	return hm;
}

/*
 * memset of 2 MiB memfd mappings under the conditions the online path
 * meets: RUNS buffers used in turn, so each is resident ("warm") or
 * untouched ("fresh") but never still in the CPU cache.
 */
static double memset_us(bool fresh)
{
	const size_t sz = 2UL << 20;
	double t[RUNS];
	int fd;
	char *p = bench_memfd_map("bench", sz * RUNS, &fd);

	if (!fresh)
		memset(p, 1, sz * RUNS);
	for (int i = 0; i < RUNS; i++) {
		double t0 = now_us();

		memset(p + sz * (size_t)i, 0, sz);
		t[i] = now_us() - t0;
	}
	bench_memfd_unmap(p, sz * RUNS, fd);
	return median(t, RUNS);
}

static void bench_online_vs_memset(void)
{
	struct hotmem *hm = boot("default", NULL, 1);
	double fresh[RUNS], warm[RUNS], ref_fresh, ref_warm, f, w;

	if (hotmem_add_memory(hm, 0, DIMM, RUNS * 128ULL << 20, 0, -1))
		exit(1);
	for (int i = 0; i < RUNS; i++) {
		double t0 = now_us();

		hotmem_block_set_state(hm, 32 + (unsigned long)i, HM_MMOP_ONLINE_MOVABLE);
		fresh[i] = now_us() - t0;
	}
	for (int i = 0; i < RUNS; i++) {
		double t0;

		hotmem_block_set_state(hm, 32 + (unsigned long)i, HM_MMOP_OFFLINE);
		t0 = now_us();
		hotmem_block_set_state(hm, 32 + (unsigned long)i, HM_MMOP_ONLINE_MOVABLE);
		warm[i] = now_us() - t0;
	}
	ref_fresh = memset_us(true);
	ref_warm = memset_us(false);
	f = median(fresh, RUNS);
	w = median(warm, RUNS);
	printf("# online 128M: fresh %.1f us, warm %.1f us; memset 2M: fresh %.1f us, warm %.1f us\n",
	       f, w, ref_fresh, ref_warm);
	figure("online_128m_vs_memset_fresh", f / ref_fresh, "x", "<= 1.5", f / ref_fresh <= 1.5);
	figure("online_128m_vs_memset_warm", w / ref_warm, "x", "<= 1.5", w / ref_warm <= 1.5);
	hotmem_destroy(hm);
}

static double online_many_us(uint64_t block, unsigned int threads)
{
	struct hotmem_config cfg;
	struct hotmem *hm;
	uint64_t base = 64ULL << 30;
	char err[256];

	hotmem_config_default(&cfg);
	cfg.block_size = block;
	cfg.maxmem = base + 64 * block;
	cfg.init_threads = threads;
	cfg.memmap_on_memory = HM_MEMMAP_ON_MEMORY_ENABLE;
	if (hotmem_create(&cfg, &hm, err, sizeof(err))) {
		fprintf(stderr, "bench: %s\n", err);
		exit(1);
	}
	unsigned long first = (unsigned long)(base / block);
	double t0, t;

	if (hotmem_add_memory(hm, 0, base, 64 * block, HM_MHP_MEMMAP_ON_MEMORY, -1)) {
		fprintf(stderr, "bench: cannot add 64 blocks\n");
		exit(1);
	}
	t0 = now_us();
	if (hotmem_online_blocks(hm, first, 64, HM_MMOP_ONLINE_MOVABLE))
		exit(1);
	t = now_us() - t0;
	hotmem_destroy(hm);
	return t;
}

/* memset() of the 2 MiB a block's self-hosted memmap writes */
struct host_memset {
	char *p;
	size_t size;
};

static void *host_memset_worker(void *arg)
{
	struct host_memset *m = arg;

	for (size_t off = 0; off < m->size; off += 2UL << 20)
		memset(m->p + off, 0, 2UL << 20);
	return NULL;
}

/* @fn(@own) on this thread, and with @threads 2 @fn(@other) beside it: the time both took, us */
static double host_split_us(void *(*fn)(void *), void *own, void *other, unsigned int threads)
{
	pthread_t t;
	double t0 = now_us();

	if (threads > 1 && pthread_create(&t, NULL, fn, other))
		exit(1);
	fn(own);
	if (threads > 1)
		pthread_join(t, NULL);
	return now_us() - t0;
}

/*
 * The host's own reference for the parallel online: writing the same
 * amount of fresh memfd memory (64 blocks' memmaps, or their first 2 MiB
 * each for 1 GiB blocks: the caller passes the size) with one thread and
 * with two, in the same round as the engine's.  What two threads can gain
 * here depends on whether the other vCPU is free at that moment; this says
 * what the host gave.
 */
static double host_memset_us(size_t size, unsigned int threads)
{
	int fd;
	char *p = bench_memfd_map("bench-par", size, &fd);
	struct host_memset m[2];
	double us;

	m[0] = (struct host_memset){ p, threads > 1 ? size / 2 : size };
	m[1] = (struct host_memset){ p + size / 2, size / 2 };
	us = host_split_us(host_memset_worker, &m[0], &m[1], threads);
	bench_memfd_unmap(p, size, fd);
	return us;
}

/*
 * The host's reference for what the batch's copies can gain from a second
 * thread: UFFDIO_COPY of the pages a first online of 64 fresh self-hosted
 * memmaps copies in (vmemmap_holes.c: each block's memmap's own struct
 * pages, then one vmemmap page a max-order head), into one memfd mapped
 * shared and registered MISSING, each page read after (as
 * holes_prefill_page()), the blocks dealt alternately to one thread or
 * two, in the same round as the engine's: what the host gives a second
 * thread for the work that is most of such a batch.  2026-12-01 on a KVM
 * guest (6.18, 2 vCPUs), three runs: 64 x 128 MiB 1.19-1.25x, 64 x 1 GiB
 * 0.95-1.10x, the engine's batch 1.25-1.47x and 1.28-1.42x beside them
 * (its onlines' own work overlaps the copies), a memset of fresh memfd
 * 1.74-1.86x.  Returns -1 where the host has no userfaultfd for it.
 */
struct host_uffd_copy {
	int uffd;
	char *p;
	size_t block_memmap;	/* a block's memmap, bytes */
	unsigned long own;	/* its own struct pages' vmemmap pages */
	unsigned int first, step;	/* the blocks this thread copies */
};

static void host_uffd_copy_page(int uffd, char *dst, const char *src)
{
	struct uffdio_copy copy = { .dst = (uintptr_t)dst, .src = (uintptr_t)src, .len = 4096 };

	if (ioctl(uffd, UFFDIO_COPY, &copy))
		exit(1);
	(void)*(volatile const char *)dst;
}

static void *host_uffd_copy_worker(void *arg)
{
	const struct host_uffd_copy *c = arg;
	static const char src[4096] __attribute__((aligned(4096)));
	const size_t heads_every = MAX_ORDER_NR_PAGES * sizeof(struct page);

	for (unsigned int b = c->first; b < 64; b += c->step) {
		char *memmap = c->p + b * c->block_memmap;

		for (size_t off = 0; off < c->own * 4096; off += 4096)
			host_uffd_copy_page(c->uffd, memmap + off, src);
		for (size_t off = c->own * 4096; off < c->block_memmap;
		     off = ALIGN(off + 1, heads_every))
			host_uffd_copy_page(c->uffd, memmap + off, src);
	}
	return NULL;
}

static double host_uffd_copy_us(uint64_t block, unsigned int threads)
{
	const size_t memmap = block / PAGE_SIZE * sizeof(struct page);
	struct host_uffd_copy c[2] = {
		{ .block_memmap = memmap,
		  .own = DIV_ROUND_UP(memmap / PAGE_SIZE * sizeof(struct page), PAGE_SIZE),
		  .step = threads },
	};
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	double us;
	int fd;

	c[0].uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY);
	if (c[0].uffd < 0)
		return -1;
	c[0].p = bench_memfd_map("bench-uffd", 64 * memmap, &fd);
	reg.range = (struct uffdio_range){ (uintptr_t)c[0].p, 64 * memmap };
	if (ioctl(c[0].uffd, UFFDIO_API, &api) || ioctl(c[0].uffd, UFFDIO_REGISTER, &reg)) {
		bench_memfd_unmap(c[0].p, 64 * memmap, fd);
		close(c[0].uffd);
		return -1;
	}
	c[1] = c[0];
	c[1].first = 1;
	us = host_split_us(host_uffd_copy_worker, &c[0], &c[1], threads);
	bench_memfd_unmap(c[0].p, 64 * memmap, fd);
	close(c[0].uffd);
	return us;
}

/*
 * The parallel rounds run at SCHED_FIFO where this process may (root,
 * CAP_SYS_NICE): on a VM of 2 vCPUs shared with other jobs the figure
 * otherwise says whether the second vCPU was free at that moment (0.79-
 * 1.91x for the same build in one day) more than anything of the engine.
 * Each round is under a second, inside the kernel's RT throttling (95% of
 * each second); the threads the engine and the reference start inherit
 * the policy.  Returns whether it holds; bench_rt_end() puts it back.
 */
static bool bench_rt_begin(void)
{
	const struct sched_param p = { .sched_priority = 10 };

	return sched_setscheduler(0, SCHED_FIFO, &p) == 0;
}

static void bench_rt_end(bool rt)
{
	const struct sched_param p = { .sched_priority = 0 };

	if (rt)
		sched_setscheduler(0, SCHED_OTHER, &p);
}

static void bench_parallel_online(void)
{
	static const struct { const char *name; uint64_t block; } m[] = {
		{ "online_64x128m_2threads_speedup", 128ULL << 20 },
		{ "online_64x1g_2threads_speedup", 1ULL << 30 },
	};
	const bool rt = bench_rt_begin();

	printf("# parallel_online: %s\n", rt ? "at SCHED_FIFO: the other jobs' load is not in the figure" :
	       "SCHED_FIFO refused (not root?): the figure includes whatever else runs");
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		/* a self-hosted memmap is 1/64 of its block */
		const size_t memmaps = 64 * (size_t)(m[i].block / 64);
		double one[3], two[3], hone[3], htwo[3], cone[3], ctwo[3], s, c;
		char name[64];

		for (int r = 0; r < 3; r++) {
			one[r] = online_many_us(m[i].block, 1);
			two[r] = online_many_us(m[i].block, 2);
			hone[r] = host_memset_us(memmaps, 1);
			htwo[r] = host_memset_us(memmaps, 2);
			cone[r] = host_uffd_copy_us(m[i].block, 1);
			ctwo[r] = host_uffd_copy_us(m[i].block, 2);
		}
		s = median(one, 3) / median(two, 3);
		printf("# %s: 1 thread %.1f ms, 2 threads %.1f ms; the host, memset of the same %zu MiB of fresh memfd: 1 thread %.1f ms, 2 threads %.1f ms (%.2fx)\n",
		       m[i].name, median(one, 3) / 1000, median(two, 3) / 1000, memmaps >> 20,
		       median(hone, 3) / 1000, median(htwo, 3) / 1000,
		       median(hone, 3) / median(htwo, 3));
		figure(m[i].name, s, "x", ">= 1.5", s >= 1.5);
		if (median(cone, 3) < 0 || median(ctwo, 3) < 0)
			continue;
		c = median(cone, 3) / median(ctwo, 3);
		printf("# the host, UFFDIO_COPY of the pages that batch copies in: 1 thread %.2f ms, 2 threads %.2f ms\n",
		       median(cone, 3) / 1000, median(ctwo, 3) / 1000);
		snprintf(name, sizeof(name), "host_uffd_copy_%s_2threads_speedup",
			 m[i].block >> 30 ? "64x1g" : "64x128m");
		figure(name, c, "x",
		       "informational: the host's own gain for the batch's copies (the engine's ceiling)",
		       true);
	}
	bench_rt_end(rt);
}

static void bench_metadata(void)
{
	struct hotmem *hm = boot("default", NULL, 1);
	size_t before = hotmem_metadata_bytes(hm), after;
	struct hotmem *kd;

	if (hotmem_add_memory(hm, 0, DIMM, 64 * (128ULL << 20), 0, -1))
		exit(1);
	after = hotmem_metadata_bytes(hm);
	figure("metadata_per_offline_block", (double)(after - before) / 64, "bytes",
	       "informational", true);
	figure("metadata_per_present_section", (double)after / 72, "bytes (whole engine)",
	       "informational", true);
	hotmem_destroy(hm);

	kd = boot("kdump-52bit", NULL, 1);
	figure("boot_metadata_256m_52bit", (double)hotmem_metadata_peak_bytes(kd) / 1024, "KiB",
	       "< 1024", hotmem_metadata_peak_bytes(kd) < (1 << 20));
	hotmem_destroy(kd);
}

/* memory_failure() of a free page of block 32, the last of its pages that is free */
static void poison_block32(struct hotmem *hm)
{
	for (uint64_t pfn = (DIMM >> 12) + 32767; pfn > DIMM >> 12; pfn--)
		if (!hotmem_memory_failure(hm, pfn))
			return;
	exit(1);
}

/*
 * hotmemfs's state file around each change: a mark of the kernel's
 * allocations' log before it (each copies the list: kmem_copy.c), or
 * the log's end alone (@log), and its record made durable after it (the
 * log, and the copies, dropped up to there).  *@mark_us: the marks' time
 * alone.
 */
struct storm_marks {
	bool log, on;		/* the log kept; each operation marked too */
	double mark_us;
	unsigned long nr_marks;
};

static int storm_set_state(struct hotmem *hm, unsigned long id, int type, struct storm_marks *m)
{
	unsigned long pos = 0;
	uint64_t rng;
	double t0;
	int ret;

	if (m->on) {
		t0 = now_us();
		pos = hotmem_kmem_log_mark(hm, &rng);
		m->mark_us += now_us() - t0;
		m->nr_marks++;
	} else if (m->log) {
		pos = hotmem_kmem_log_end(hm);
	}
	ret = hotmem_block_set_state(hm, id, type);
	if (m->on || m->log)
		hotmem_kmem_log_drop(hm, pos);
	return ret;
}

/*
 * 8 blocks onlined and offlined 8 times each, Movable and Normal above the
 * first; @poison: a page of that first block poisoned before; @m: the
 * kernel's allocations' log kept (started after the first online), each
 * operation marked
 */
static double storm_poisoned_us(const char *cmdline, bool poison, struct storm_marks *m)
{
	struct hotmem *hm = boot("qemu-512m", cmdline, 1);
	double t0, t;

	if (hotmem_add_memory(hm, 0, DIMM, 9 * (128ULL << 20), 0, -1) ||
	    hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE))	/* takes the kernel's pages */
		exit(1);
	if (poison)
		poison_block32(hm);
	if (m->log || m->on)
		hotmem_kmem_log_start(hm);
	t0 = now_us();
	for (int round = 0; round < 8; round++) {
		for (unsigned long id = 33; id < 41; id++)
			if (storm_set_state(hm, id, id % 2 ? HM_MMOP_ONLINE_MOVABLE : HM_MMOP_ONLINE,
					    m))
				exit(1);
		for (unsigned long id = 33; id < 41; id++)
			if (storm_set_state(hm, id, HM_MMOP_OFFLINE, m))
				exit(1);
	}
	t = now_us() - t0;
	hotmem_destroy(hm);
	return t;
}

static double storm_us(const char *cmdline)
{
	struct storm_marks none = { .on = false };

	return storm_poisoned_us(cmdline, false, &none);
}

/*
 * The same storm with one page of the first block poisoned (memory_failure()
 * of a free page) vs none, kernel allocations on: the blocks cycled hold
 * no poison, and their frees and offlines read no struct page for it
 * (range_may_hold_hwpoison()).
 */
static void bench_poison_storm(void)
{
	double none[9], one[9], r;

	for (int i = 0; i < 9; i++) {
		struct storm_marks m = { .on = false };

		none[i] = storm_poisoned_us("hotmem.kernel_alloc=default", false, &m);
		one[i] = storm_poisoned_us("hotmem.kernel_alloc=default", true, &m);
	}
	r = median(one, 9) / median(none, 9);
	printf("# online/offline storm, 128 operations: no page poisoned %.1f ms, one elsewhere "
	       "%.1f ms\n", median(none, 9) / 1000, median(one, 9) / 1000);
	figure("storm_one_page_poisoned_vs_none", r, "x", "<= 1.10", r <= 1.10);
}

static void bench_kmem_storm(void)
{
	double off[5], on[5], r;

	for (int i = 0; i < 5; i++) {
		off[i] = storm_us("hotmem.kernel_alloc=off");
		on[i] = storm_us("hotmem.kernel_alloc=default");
	}
	r = median(on, 5) / median(off, 5);
	printf("# online/offline storm, 128 operations: kernel allocations off %.1f ms, default %.1f ms\n",
	       median(off, 5) / 1000, median(on, 5) / 1000);
	figure("storm_kernel_alloc_default_vs_off", r, "x", "<= 1.10", r <= 1.10);
}

/*
 * The storm of a heavy kernel (the longest list: a few hundred entries)
 * with each operation marked as hotmemfs's state file marks it, against
 * none: what the marks' copies of the list cost (0b0e17f7: a malloc and a
 * copy each, under device_hotplug_lock).  Informational.
 */
static void bench_kmem_marks(void)
{
	double none[9], marked[9], per_mark[9], share[9];

	for (int i = 0; i < 9; i++) {
		struct storm_marks logged = { .log = true }, on = { .on = true };

		none[i] = storm_poisoned_us("hotmem.kernel_alloc=heavy", false, &logged);
		marked[i] = storm_poisoned_us("hotmem.kernel_alloc=heavy", false, &on);
		per_mark[i] = on.mark_us / (double)on.nr_marks;
		share[i] = on.mark_us * 100 / marked[i];
	}
	printf("# online/offline storm of a heavy kernel, its log kept, 128 operations: unmarked %.2f ms, each marked %.2f ms\n",
	       median(none, 9) / 1000, median(marked, 9) / 1000);
	figure("kmem_mark_us", median(per_mark, 9), "us a mark", "informational", true);
	figure("kmem_mark_storm_share", median(share, 9), "%", "informational", true);
}

static void count_trace(const struct hm_event *ev, void *arg)
{
	if (ev->type == HM_EV_TRACE)
		++*(long *)arg;
}

/* one online_movable/offline cycle of a 128 MiB block: its time and its probe hits */
static double cycle_us(long *hits)
{
	struct hotmem *hm = boot("qemu-512m", "memhp_default_state=offline", 1);
	double t[RUNS];
	int slot;

	if (hotmem_add_memory(hm, 0, DIMM, 128ULL << 20, 0, -1))
		exit(1);
	for (int i = 0; i < RUNS; i++) {
		double t0 = now_us();

		if (hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_MOVABLE) ||
		    hotmem_block_set_state(hm, 32, HM_MMOP_OFFLINE))
			exit(1);
		t[i] = now_us() - t0;
	}
	*hits = 0;
	slot = hotmem_subscribe(hm, count_trace, hits);
	if (hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_MOVABLE) ||
	    hotmem_block_set_state(hm, 32, HM_MMOP_OFFLINE))
		exit(1);
	hotmem_unsubscribe(hm, slot);
	hotmem_destroy(hm);
	return median(t, RUNS);
}

static void ignore_event(const struct hm_event *ev, void *arg)
{
	(void)ev;
	(void)arg;
}

/*
 * hm_trace() with nobody tracing: the semaphore tests and the trace
 * subscribers' count.  @as_hotmemfs: with the subscriber hotmemfs always
 * has, which wants trace steps only while `hotmemctl events --trace`
 * follows them (fusefs/ctlsock.c sub_want_trace()): here never.
 */
static double untraced_probe_ns(bool as_hotmemfs)
{
	struct hotmem *hm = boot("qemu-512m", NULL, 1);
	const long n = 20 * 1000 * 1000;
	double t[5];
	int slot = -1;

	if (as_hotmemfs) {
		slot = hotmem_subscribe(hm, ignore_event, NULL);
		if (slot < 0 || hotmem_subscribe_trace(hm, slot, false))
			exit(1);
	}
	for (int r = 0; r < 5; r++) {
		unsigned int p = 0;
		double t0 = now_us();

		for (long i = 0; i < n; i++) {
			hm_trace(hm, (enum hm_probe)p, i & 1, (unsigned long)i, 32768, 0, 3, 0, 0);
			if (++p == HMP_NR)
				p = 0;
		}
		t[r] = (now_us() - t0) * 1000 / (double)n;
	}
	hotmem_unsubscribe(hm, slot);
	hotmem_destroy(hm);
	return median(t, 5);
}

static void bench_untraced_probes(void)
{
	long hits;
	double cyc = cycle_us(&hits), ns = untraced_probe_ns(false), fs_ns = untraced_probe_ns(true);
	double share = ns * (double)hits / (cyc * 1000) * 100;
	double fs_share = fs_ns * (double)hits / (cyc * 1000) * 100;

	printf("# untraced probe %.2f ns (%.2f ns with hotmemfs's subscriber); an online_movable/offline "
	       "cycle %.1f us, %ld probe hits\n", ns, fs_ns, cyc, hits);
	figure("trace_untraced_probe_ns", ns, "ns", "informational", true);
	figure("trace_untraced_cycle_share", share, "%", "<= 0.5", share <= 0.5);
	figure("trace_untraced_hotmemfs_probe_ns", fs_ns, "ns", "informational", true);
	figure("trace_untraced_hotmemfs_cycle_share", fs_share, "%", "<= 0.5", fs_share <= 0.5);
}

static int cmp_page(const void *a, const void *b)
{
	return memcmp(*(void *const *)a, *(void *const *)b, 4096);
}

/* the largest number of 4 KiB memmap pages holding the same bytes */
static size_t most_common_page(char *memmap, size_t nr)
{
	void **v = malloc(nr * sizeof(*v));
	size_t best = 0, run = 1;

	if (!v)
		return 0;
	for (size_t i = 0; i < nr; i++)
		v[i] = memmap + i * 4096;
	qsort(v, nr, sizeof(*v), cmp_page);
	for (size_t i = 1; i <= nr; i++, run++) {
		if (i == nr || memcmp(v[i - 1], v[i], 4096)) {
			if (run > best)
				best = run;
			run = 0;
		}
	}
	free(v);
	return best;
}

/*
 * 64 blocks of 128 MiB (8 GiB) onlined, all free: host memory per TiB,
 * bytes of emulated RAM resident (memfd, memmap templates and the pages
 * copied from them); @self_hosted: memmap_on_memory, in each block (what
 * differs from its template: vmemmap_holes.c).
 */
static double host_rss_per_tib(bool self_hosted, size_t *same, size_t *nr_pages)
{
	const unsigned long nr = 64, first = DIMM >> 27;
	struct hotmem_config cfg;
	struct hotmem *hm;
	size_t before, after;
	char err[256];

	hotmem_config_default(&cfg);
	if (self_hosted)
		cfg.memmap_on_memory = HM_MEMMAP_ON_MEMORY_ENABLE;
	if (hotmem_create(&cfg, &hm, err, sizeof(err)) ||
	    hotmem_add_memory(hm, 0, DIMM, nr << 27, self_hosted ? HM_MHP_MEMMAP_ON_MEMORY : 0, -1)) {
		fprintf(stderr, "bench: %s\n", err);
		exit(1);
	}
	before = hotmem_ram_resident_bytes(hm);
	if (hotmem_online_blocks(hm, first, nr, HM_MMOP_ONLINE_MOVABLE))
		exit(1);
	after = hotmem_ram_resident_bytes(hm);
	/* the vmemmap of the DIMM is contiguous: pfn_to_page(first pfn) on */
	*nr_pages = (nr << 27) / 4096 * 64 / 4096;
	*same = most_common_page(hotmem_pfn_to_page(hm, DIMM >> 12), *nr_pages);
	printf("# 8 GiB online, memmap %s: host memory +%.1f MiB; %zu of %zu memmap pages are one same page\n",
	       self_hosted ? "self-hosted" : "from system RAM", (double)(after - before) / (1 << 20),
	       *same, *nr_pages);
	hotmem_destroy(hm);
	return (double)(after - before) * (double)(1024 / 8) / (1 << 30);
}

/*
 * A memmap from system RAM is shared copy-on-write with its template
 * (engine/physmem.c): that is the figure with the goal.  A self-hosted one
 * is written into its block, the kernel's 1/64 (seeds 001/003).
 */
static void bench_host_memory(void)
{
	size_t same, nr;
	double ram = host_rss_per_tib(false, &same, &nr), self;

	figure("host_rss_per_tib_online", ram, "GiB", "<= 2", ram <= 2);
	self = host_rss_per_tib(true, &same, &nr);
	figure("host_rss_per_tib_online_self_hosted", self, "GiB",
	       "informational: the vmemmap pages unlike the template, in each block (seed 001)", true);
	figure("memmap_identical_page_share", (double)same * 100 / (double)nr,
	       "%", "informational: what copy-on-write sharing could save", true);
}

/*
 * The host copies @k vmemmap pages of each section besides the buddy
 * heads' (one in 16, copied by the online): a byte of a struct page in
 * each, rewritten.
 */
static void copy_vmemmap_pages(struct hotmem *hm, unsigned long spfn, unsigned long nr, int k)
{
	for (unsigned long s = 0; s < nr; s++)
		for (int j = 0, i = 1; j < k; i++) {
			volatile unsigned char *p;

			if (!(i % 16))
				continue;
			p = (unsigned char *)pfn_to_page(hm, spfn + s * 32768 +
							 (unsigned long)i * 64 + 1);
			*p = *p;
			j++;
		}
}

/* one online/offline cycle of @nr blocks from @first after the host copied @k more vmemmap pages of each */
static double reshare_cycle_us(struct hotmem *hm, unsigned long first, unsigned long nr, int k,
			       bool remap)
{
	const int pagemap_fd = hm->pagemap_fd;
	double t0, t;

	if (hotmem_online_blocks(hm, first, nr, HM_MMOP_ONLINE_MOVABLE))
		exit(1);
	copy_vmemmap_pages(hm, first << (27 - 12), nr, k);
	if (hotmem_online_blocks(hm, first, nr, HM_MMOP_OFFLINE))
		exit(1);
	/* no pagemap: the memmap is remapped, as without /proc */
	if (remap)
		hm->pagemap_fd = -1;
	t0 = now_us();
	if (hotmem_online_blocks(hm, first, nr, HM_MMOP_ONLINE_MOVABLE) ||
	    hotmem_online_blocks(hm, first, nr, HM_MMOP_OFFLINE))
		exit(1);
	t = now_us() - t0;
	hm->pagemap_fd = pagemap_fd;
	return t / (double)nr;
}

/*
 * vmemmap_reshare() writes back up to 64 copied vmemmap pages of 512 (the
 * 32 buddy heads and 32 more here) and remaps above that: at the cap it
 * must still be cheaper than the remap (it is at every count; the cap is
 * for host memory), and with the buddy heads only (what the storms copy)
 * much cheaper.
 */
static void bench_reshare(void)
{
	struct hotmem *hm = boot("qemu-512m", "hotmem.kernel_alloc=off", 1);
	const unsigned long nr = 8;
	double heads[RUNS], cap[RUNS], remap[RUNS];

	if (hotmem_add_memory(hm, 0, DIMM, nr * (128ULL << 20), 0, -1))
		exit(1);
	for (int i = 0; i < RUNS; i++) {
		/* interleaved, the order alternating */
		if (i % 2) {
			remap[i] = reshare_cycle_us(hm, 32, nr, 32, true);
			cap[i] = reshare_cycle_us(hm, 32, nr, 32, false);
		} else {
			cap[i] = reshare_cycle_us(hm, 32, nr, 32, false);
			remap[i] = reshare_cycle_us(hm, 32, nr, 32, true);
		}
		heads[i] = reshare_cycle_us(hm, 32, nr, 0, false);
	}
	hotmem_destroy(hm);
	printf("# online/offline cycle of a 128 MiB block: %.1f us re-shared (buddy heads copied), "
	       "%.1f us re-shared with 64 vmemmap pages copied, %.1f us remapped\n",
	       median(heads, RUNS), median(cap, RUNS), median(remap, RUNS));
	figure("engine_reshare_at_cap_vs_remap", median(cap, RUNS) / median(remap, RUNS), "x",
	       "< 1", median(cap, RUNS) < median(remap, RUNS));
	figure("engine_reshare_heads_vs_remap", median(heads, RUNS) / median(remap, RUNS), "x",
	       "informational: what the storms pay against the old path", true);
}

/* the page faults this process traps from now on (a software counter), or -1 */
static int traps_open(void)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_SW_PAGE_FAULTS,
		.exclude_hv = 1,
	};

	return (int)syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
}

static long long traps_read(int fd)
{
	long long n;

	return fd >= 0 && read(fd, &n, sizeof(n)) == sizeof(n) ? n : 0;
}

/*
 * The two ways a fresh memmap shared with its template gets its buddy
 * heads' vmemmap pages copied (vmemmap_populate_online()): filled by
 * UFFDIO_COPY where the template mapping is registered with the
 * userfaultfd, or written first, a copy-on-write fault each, where it is
 * not (no userfaultfd: the registration is skipped too, so reads fault
 * around).  Until 2026-11-30 process_madvise(MADV_POPULATE_WRITE)
 * populated them: 66 us an online, 45 copied in (bench_engine coldplug).
 */
enum { COPIED, WRITTEN, NR_WAYS };
static const char *const way_name[NR_WAYS] = { "copied in (UFFDIO_COPY)", "written (a fault each)" };

/* the vmemmap pages of the section at @spfn the host maps (present in pagemap); 0 unknown */
static long section_mapped(struct hotmem *hm, unsigned long spfn)
{
	uint64_t ent[512];
	long n = 0;
	const off_t off = (off_t)((uintptr_t)pfn_to_page(hm, spfn) / 4096 * 8);

	if (hm->pagemap_fd < 0 || pread(hm->pagemap_fd, ent, sizeof(ent), off) != sizeof(ent))
		return 0;
	for (int i = 0; i < 512; i++)
		n += (long)(ent[i] >> 63);
	return n;
}

/*
 * The first online of 128 MiB blocks whose memmap from system RAM is
 * mapped onto its template, each way in turn, block by block: its time,
 * the traps it takes, the vmemmap pages it copies (host memory) and maps
 * (PTEs every later walk of the memmap meets).
 */
static void bench_populate(void)
{
	enum { NR = 2 * 80 + 1 };
	const unsigned long first = DIMM >> 27;
	double t[NR_WAYS][NR / NR_WAYS];
	long long traps[NR_WAYS] = { 0 };
	long copies[NR_WAYS] = { 0 }, mapped[NR_WAYS] = { 0 };
	struct hotmem_config cfg;
	struct hotmem *hm;
	char err[256];
	int fd = traps_open(), uffd, k[NR_WAYS] = { 0 };

	hotmem_config_default(&cfg);
	cfg.maxmem = DIMM + NR * (128ULL << 20);
	if (hotmem_create(&cfg, &hm, err, sizeof(err)) ||
	    hotmem_add_memory(hm, 0, DIMM, NR * (128ULL << 20), 0, -1)) {
		fprintf(stderr, "bench: %s\n", err);
		exit(1);
	}
	uffd = hm->uffd;
	if (uffd < 0)
		printf("# populate: this host has no userfaultfd (5.19+): both ways write\n");
	/* the template is made by the first online: not a fresh online's cost */
	if (hotmem_block_set_state(hm, first, HM_MMOP_ONLINE_MOVABLE))
		exit(1);
	for (int i = 0; i < NR - 1; i++) {
		/* each way in turn, the order swapped every round */
		const int way = (i + i / NR_WAYS) % NR_WAYS;
		const unsigned long id = first + 1 + (unsigned long)i;
		long long f0 = traps_read(fd);
		double t0;

		hm->uffd = way == COPIED ? uffd : -1;
		t0 = now_us();
		if (hotmem_block_set_state(hm, id, HM_MMOP_ONLINE_MOVABLE))
			exit(1);
		t[way][k[way]++] = now_us() - t0;
		traps[way] += traps_read(fd) - f0;
		copies[way] += physmem_private_pages(hm, pfn_to_page(hm, id << (27 - 12)), 2UL << 20,
						     ULONG_MAX, NULL, NULL);
		mapped[way] += section_mapped(hm, id << (27 - 12));
	}
	hm->uffd = uffd;
	hotmem_destroy(hm);
	if (fd >= 0)
		close(fd);
	double us[NR_WAYS];

	for (int w = 0; w < NR_WAYS; w++) {
		us[w] = median(t[w], k[w]);
		printf("# fresh online of a 128 MiB block, memmap shared with its template, heads %s: "
		       "%.1f us, %.1f traps, %.1f vmemmap pages copied, %.1f mapped\n", way_name[w],
		       us[w], fd >= 0 ? (double)traps[w] / k[w] : -1.0, (double)copies[w] / k[w],
		       (double)mapped[w] / k[w]);
	}
	figure("engine_online_fresh_copied_vs_written", us[COPIED] / us[WRITTEN], "x",
	       "< 1", us[COPIED] < us[WRITTEN]);
	if (fd >= 0)
		figure("engine_online_fresh_traps", (double)traps[COPIED] / k[COPIED],
		       "traps a block", "informational: the written way's in the line above", true);
	figure("engine_online_fresh_copied_pages", (double)copies[COPIED] / k[COPIED],
	       "vmemmap pages a block", "informational: host pages written, the 32 buddy heads", true);
	figure("engine_online_fresh_mapped_pages", (double)mapped[COPIED] / k[COPIED],
	       "vmemmap pages a block", "informational: 64 until the pageblocks' zone was read once", true);
	figure("engine_online_fresh_copies_vs_written",
	       (double)copies[COPIED] / k[COPIED] / ((double)copies[WRITTEN] / k[WRITTEN]), "x",
	       "<= 1: no more host memory",
	       copies[COPIED] * k[WRITTEN] <= copies[WRITTEN] * k[COPIED]);
}

/* the copied pages of @nr shared sections from @spfn asked @rounds times: us a section */
static double copied_query_us(struct hotmem *hm, unsigned long spfn, unsigned long nr, int rounds)
{
	double t0 = now_us();

	for (int r = 0; r < rounds; r++)
		for (unsigned long s = 0; s < nr; s++)
			if (physmem_private_pages(hm, pfn_to_page(hm, spfn + s * 32768), 2UL << 20,
						  64, NULL, NULL) < 0)
				exit(1);
	return (now_us() - t0) / (double)(rounds * nr);
}

/*
 * The online/offline cycle that re-shares in place (vmemmap_reshare():
 * what the engine's storms pay), of 8 blocks mapped the old way
 * (fault-around, pagemap read) and of 8 mapped the new (no fault-around,
 * PAGEMAP_SCAN), in turn; and vmemmap_reshare()'s question
 * alone, which vmemmap pages the host copied, by PAGEMAP_SCAN against
 * reading pagemap, of each.
 */
static void bench_storm(void)
{
	struct hotmem *hm = boot("qemu-512m", "hotmem.kernel_alloc=off", 1);
	const unsigned long nr = 8;
	const int uffd = hm->uffd;
	const bool scan = hm->pagemap_scan;
	double c[2][RUNS], q[2][2][RUNS];

	if (hotmem_add_memory(hm, 0, DIMM, 2 * nr * (128ULL << 20), 0, -1))
		exit(1);
	/* blocks 32-39 mapped the old way, 40-47 the new */
	hm->uffd = -1;
	if (hotmem_online_blocks(hm, 32, nr, HM_MMOP_ONLINE_MOVABLE))
		exit(1);
	/* the old online read each head before its write: fault-around mapped all 512 */
	for (unsigned long pfn = DIMM >> 12; pfn < (DIMM >> 12) + nr * 32768; pfn += 64)
		(void)*(volatile unsigned long *)&pfn_to_page(hm, pfn)->flags;
	hm->uffd = uffd;
	if (hotmem_online_blocks(hm, 32 + nr, nr, HM_MMOP_ONLINE_MOVABLE))
		exit(1);
	for (int i = 0; i < RUNS; i++)
		for (int k = 0; k < 4; k++) {
			const int way = (i + k) % 4, fresh = way / 2, by_scan = way % 2;

			hm->pagemap_scan = scan && by_scan;
			q[fresh][by_scan][i] = copied_query_us(hm, (DIMM >> 12) + fresh * nr * 32768, nr, 20);
		}
	if (hotmem_online_blocks(hm, 32, 2 * nr, HM_MMOP_OFFLINE))
		exit(1);
	for (int i = 0; i < RUNS; i++)
		for (int k = 0; k < 2; k++) {
			const int fresh = (i + k) % 2;

			hm->pagemap_scan = scan && fresh;
			c[fresh][i] = reshare_cycle_us(hm, 32 + fresh * nr, nr, 0, false);
		}
	hm->pagemap_scan = scan;
	hotmem_destroy(hm);
	const double old = median(c[0], RUNS), now = median(c[1], RUNS);

	printf("# online/offline cycle of a 128 MiB block re-shared in place: %.1f us the old way, "
	       "%.1f us the new%s\n", old, now, uffd < 0 ? " (no userfaultfd here: the same)" : "");
	printf("# which vmemmap pages were copied, a section: %.2f us by PAGEMAP_SCAN, %.2f us reading "
	       "pagemap (512 PTEs present, the old mapping); %.2f vs %.2f us (65 present, the new)\n",
	       median(q[0][1], RUNS), median(q[0][0], RUNS), median(q[1][1], RUNS),
	       median(q[1][0], RUNS));
	figure("engine_reshare_cycle_vs_old", now / old, "x", "< 1", now < old);
	if (scan)
		figure("engine_copied_query_scan_vs_pagemap", median(q[1][1], RUNS) / median(q[1][0], RUNS),
		       "x", "< 1", median(q[1][1], RUNS) < median(q[1][0], RUNS));
}

/* @nr sections from @first: what vmemmap_reshare() saw last forgotten, or how many kept it */
static unsigned long copies_known(struct hotmem *hm, unsigned long first, unsigned long nr,
				  const long *faults)
{
	unsigned long same = 0;

	for (unsigned long s = 0; s < nr; s++) {
		struct vmemmap_pmd *vm = &__nr_to_section(hm, first + s)->vmemmap;

		if (!faults)
			vm->copies_faults = -1;
		else
			same += vm->copies_faults >= 0 && vm->copies_faults == faults[s];
	}
	return same;
}

/*
 * One online/offline cycle of @nr blocks of one section from @first, with
 * vmemmap_reshare() asking the host's page table for each section (@ask,
 * the code before the hint) or only when the process faulted since it
 * last asked: us a block; *@skipped counts the sections not asked.
 */
static double cycle_hinted_us(struct hotmem *hm, unsigned long first, unsigned long nr, bool ask,
			      unsigned long *skipped)
{
	long faults[64];
	double t0, t;

	if (ask)
		copies_known(hm, first, nr, NULL);
	for (unsigned long s = 0; s < nr && s < 64; s++)
		faults[s] = __nr_to_section(hm, first + s)->vmemmap.copies_faults;
	t0 = now_us();
	if (hotmem_online_blocks(hm, first, nr, HM_MMOP_ONLINE_MOVABLE))
		exit(1);
	t = now_us() - t0;
	if (!ask)
		*skipped += copies_known(hm, first, nr, faults);
	t0 = now_us();
	if (hotmem_online_blocks(hm, first, nr, HM_MMOP_OFFLINE))
		exit(1);
	return (t + now_us() - t0) / (double)nr;
}

/*
 * The online/offline cycle that re-shares in place (the storms' case),
 * vmemmap_reshare() asking the host which vmemmap pages it copied at
 * every online (before) against asking only when this process took a
 * page fault since it last asked (now), in turn; with the kernel's own
 * allocations on (hotmem.kernel_alloc=default, as the storms run), which
 * write struct pages of the Normal blocks.
 */
static void bench_reshare_skip(void)
{
	struct hotmem *hm = boot("qemu-512m", "hotmem.kernel_alloc=default", 1);
	const unsigned long nr = 8, first = DIMM >> 27;
	double c[2][RUNS * 4];
	unsigned long skipped = 0;

	if (hotmem_add_memory(hm, 0, DIMM, nr * (128ULL << 20), 0, -1) ||
	    hotmem_online_blocks(hm, first, nr, HM_MMOP_ONLINE_MOVABLE) ||
	    hotmem_online_blocks(hm, first, nr, HM_MMOP_OFFLINE))
		exit(1);
	for (int i = 0; i < RUNS * 4; i++)
		for (int k = 0; k < 2; k++) {
			const int ask = (i + k) % 2;

			c[ask][i] = cycle_hinted_us(hm, first, nr, ask, &skipped);
		}
	hotmem_destroy(hm);
	const double before = median(c[1], RUNS * 4), now = median(c[0], RUNS * 4);

	printf("# online/offline cycle of a 128 MiB block re-shared in place: %.1f us asking the "
	       "host every time, %.1f us asking when something faulted (%lu of %lu re-shares "
	       "not asked)\n", before, now, skipped, nr * RUNS * 4);
	figure("engine_reshare_cycle_hinted_vs_asked", now / before, "x", "< 1", now < before);
}


/* this process's host memory (smaps_rollup's Pss: a template's pages count once), kB */
static long pss_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/smaps_rollup", "re");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Pss: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

/* the CPU time of every thread of the process (the fault thread's too), in us */
static double cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/*
 * blocks @first.. @first + @nr - 1 onlined in turn, as hotmemd's writes:
 * each one's time in @t, and its CPU time in @cpu if not NULL (the
 * measure on a shared host, where a load of 10 stretches the wall time
 * 3-4x: other jobs' time is not the online's)
 */
static void coldplug_online_each(struct hotmem *hm, unsigned long first, unsigned long nr,
				 double *t, double *cpu, const char *part)
{
	for (unsigned long i = 0; i < nr; i++) {
		double t0 = now_us(), c0 = cpu ? cpu_us() : 0;

		if (hotmem_block_set_state(hm, first + i, HM_MMOP_ONLINE)) {
			fprintf(stderr, "bench: %s: memory%lu did not online\n", part, first + i);
			exit(1);
		}
		t[i] = now_us() - t0;
		if (cpu)
			cpu[i] = cpu_us() - c0;
	}
}

/*
 * The engine's part of hotmemd's coldplug of the 16 TiB machine (#15.5),
 * memmaps from system RAM (bench_hotmemfs's huge128m_hotmemd_coldplug_ram_s
 * without FUSE and hotmemd): boot RAM that holds the memmaps of @nr 128
 * MiB blocks, a DIMM of @nr blocks plugged offline, then each block
 * onlined in turn, as hotmemd's write of `state` does, with the kernel's
 * auto-movable policy (hotmemd's default picks as it does).  The time of
 * the add and of each online, and the host memory each takes.
 * HOTMEM_BENCH_COLDPLUG_BLOCKS sets @nr (default 2048: ~300 MiB of host).
 */
static void bench_coldplug(void)
{
	const char *env = getenv("HOTMEM_BENCH_COLDPLUG_BLOCKS");
	const unsigned long nr = env ? strtoul(env, NULL, 0) : 2048;
	/* their memmaps, the boot memmap, the kernel: 2 MiB a block and a quarter, as bench_hotmemfs */
	const unsigned long long ram_end = ((nr * (2ULL << 20) * 5 / 4 + (4ULL << 30)) +
					    (1ULL << 30) - 1) & ~((1ULL << 30) - 1);
	struct hotmem_config cfg;
	struct hotmem *hm;
	char err[256], text[256];
	double t0, add_s, *t = calloc(nr, sizeof(*t)), first, last, last64[64];
	long pss_add, pss0, pss1;

	hotmem_config_default(&cfg);
	snprintf(text, sizeof(text), "profile = huge-64t\nname = coldplug\nblock_size = 128M\n"
		 "maxmem = 16T\nram = 0-%#llx\ncmdline = memory_hotplug.online_policy=auto-movable\n",
		 ram_end - 1);
	if (!t || nr < 64 || hotmem_config_parse_text(&cfg, text, err, sizeof(err)) ||
	    hotmem_create(&cfg, &hm, err, sizeof(err))) {
		fprintf(stderr, "bench: coldplug: %s\n", t ? err : "no memory");
		exit(1);
	}
	pss_add = pss_kb();
	t0 = now_us();
	if (hotmem_add_memory(hm, 0, ram_end, (unsigned long long)nr << 27, 0, -1)) {
		fprintf(stderr, "bench: coldplug: cannot add %lu blocks\n", nr);
		exit(1);
	}
	add_s = (now_us() - t0) / 1e6;
	pss0 = pss_kb();
	pss_add = pss0 - pss_add;
	coldplug_online_each(hm, ram_end >> 27, nr, t, NULL, "coldplug");
	pss1 = pss_kb();
	hotmem_destroy(hm);
	/* median() sorts in place: the last 64 copied first (they overlap below 128 blocks) */
	memcpy(last64, t + nr - 64, sizeof(last64));
	first = median(t, 64);
	last = median(last64, 64);
	printf("# coldplug of %lu blocks, memmaps from RAM shared with their template, engine alone: "
	       "add %.2f s (%.1f us and +%.1f KiB of host memory a block); online median %.1f us a "
	       "block (first 64 %.1f, last 64 %.1f), +%.1f KiB of host memory a block (Pss)\n", nr,
	       add_s, add_s * 1e6 / (double)nr, (double)pss_add / (double)nr, median(t, (int)nr),
	       first, last, (double)(pss1 - pss0) / (double)nr);
	figure("engine_coldplug_online_us", median(t, (int)nr), "us a block",
	       "informational: the engine's part of hotmemd's coldplug (memmaps from RAM)", true);
	figure("engine_coldplug_online_host_kib", (double)(pss1 - pss0) / (double)nr, "KiB a block",
	       "informational: fresh host memory an online takes", true);
	figure("engine_coldplug_add_us", add_s * 1e6 / (double)nr, "us a block",
	       "informational: the DIMM's add_memory(), before the coldplug", true);
	figure("engine_coldplug_add_host_kib", (double)pss_add / (double)nr, "KiB a block",
	       "informational: fresh host memory the add takes", true);
	free(t);
}

/*
 * The coldplug of self-hosted memmaps (memmap_on_memory, as the huge128m
 * profile has it), engine alone: a DIMM of @nr 128 MiB blocks plugged with
 * memmap_on_memory, each block onlined in turn (auto-movable).  The time
 * of each online and the host memory each takes: the memmap's vmemmap
 * pages that differ from its template (vmemmap_holes.c), or 2 MiB where
 * they are all written.  HOTMEM_BENCH_SELFHOST_BLOCKS sets @nr (default
 * 512: up to 1 GiB of host memory written).
 */
static void bench_coldplug_self_hosted(void)
{
	const char *env = getenv("HOTMEM_BENCH_SELFHOST_BLOCKS");
	const unsigned long nr = env ? strtoul(env, NULL, 0) : 512;
	const unsigned long long ram_end = 4ULL << 30;
	struct hotmem_config cfg;
	struct hotmem *hm;
	char err[256], text[256];
	double t0, *t = calloc(nr, sizeof(*t)), *cpu = calloc(nr, sizeof(*cpu)), off[64], read_us;
	double last64[64];
	double first, last, med;
	size_t rss0, rss1;
	long pss0, pss1;

	hotmem_config_default(&cfg);
	snprintf(text, sizeof(text), "profile = huge-64t\nname = coldplug\nblock_size = 128M\n"
		 "maxmem = 16T\nram = 0-%#llx\ncmdline = memory_hotplug.online_policy=auto-movable "
		 "memory_hotplug.memmap_on_memory=1 hotmem.host_reserve=0\n", ram_end - 1);
	if (!t || !cpu || nr < 64 || hotmem_config_parse_text(&cfg, text, err, sizeof(err)) ||
	    hotmem_create(&cfg, &hm, err, sizeof(err)) ||
	    hotmem_add_memory(hm, 0, ram_end, (unsigned long long)nr << 27,
			      HM_MHP_MEMMAP_ON_MEMORY, -1)) {
		fprintf(stderr, "bench: coldplug_self_hosted: %s\n", t ? err : "no memory");
		exit(1);
	}
	pss0 = pss_kb();
	rss0 = hotmem_ram_resident_bytes(hm);
	coldplug_online_each(hm, ram_end >> 27, nr, t, cpu, "coldplug_self_hosted");
	pss1 = pss_kb();
	rss1 = hotmem_ram_resident_bytes(hm);
	/* a reader of whole memmaps (explain, kpageflags): the last 16 blocks, a trap a hole */
	t0 = now_us();
	for (unsigned long i = nr - 16; i < nr; i++) {
		volatile const unsigned long *p = hotmem_pfn_to_page(hm, (ram_end >> 12) + (i << 15));

		for (unsigned long b = 0; b < (2UL << 20) / sizeof(*p); b += 4096 / sizeof(*p))
			(void)p[b];
	}
	read_us = (now_us() - t0) / (16 * 512);
	/* and offline again: the scans read the struct pages the online did not write */
	for (unsigned long i = 0; i < 64; i++) {
		t0 = now_us();
		if (hotmem_block_set_state(hm, (ram_end >> 27) + i, HM_MMOP_OFFLINE))
			exit(1);
		off[i] = now_us() - t0;
	}
	hotmem_destroy(hm);
	/* median() sorts in place: the last 64 copied before the first 64 are sorted
	 * (they overlap below 128 blocks), the whole after */
	memcpy(last64, t + nr - 64, sizeof(last64));
	first = median(t, 64);
	last = median(last64, 64);
	med = median(t, (int)nr);
	printf("# coldplug of %lu blocks, self-hosted memmaps, engine alone: online median %.1f us "
	       "a block (p10 %.1f, first 64 %.1f, last 64 %.1f; CPU %.1f us), +%.1f KiB of host "
	       "memory a block (Pss), "
	       "+%.1f KiB of emulated RAM resident; offline median %.1f us (64 blocks); a whole "
	       "memmap read after the online: %.2f us a vmemmap page\n", nr,
	       med, t[nr / 10], first, last, median(cpu, (int)nr),
	       (double)(pss1 - pss0) / (double)nr, (double)(rss1 - rss0) / 1024 / (double)nr,
	       median(off, 64), read_us);
	figure("engine_coldplug_self_hosted_online_us", med, "us a block",
	       "informational: the engine's part of hotmemd's coldplug (memmap_on_memory)", true);
	figure("engine_coldplug_self_hosted_online_cpu_us", median(cpu, (int)nr), "us a block",
	       "informational: its CPU time, all threads (the measure on a loaded host)", true);
	figure("engine_coldplug_self_hosted_host_kib", (double)(pss1 - pss0) / (double)nr,
	       "KiB a block", "informational: fresh host memory a self-hosted online takes", true);
	free(cpu);
	free(t);
}

static const struct {
	const char *name;
	void (*fn)(void);
} parts[] = {
	{ "host_memory", bench_host_memory },
	{ "populate", bench_populate },
	{ "storm", bench_storm },
	{ "untraced_probes", bench_untraced_probes },
	{ "kmem_storm", bench_kmem_storm },
	{ "kmem_marks", bench_kmem_marks },
	{ "poison_storm", bench_poison_storm },
	{ "reshare", bench_reshare },
	{ "reshare_skip", bench_reshare_skip },
	{ "online_vs_memset", bench_online_vs_memset },
	{ "parallel_online", bench_parallel_online },
	{ "metadata", bench_metadata },
	{ "coldplug", bench_coldplug },
	{ "coldplug_self_hosted", bench_coldplug_self_hosted },
};

/* every argument a part's name, or refused (tests/bench_report.h) */
static void check_parts(int argc, char **argv)
{
	char usage[512] = "[PART...] (none: every part; PART:";
	const size_t nr = sizeof(parts) / sizeof(parts[0]);

	for (int a = 1; a < argc; a++) {
		size_t i = 0;

		while (i < nr && strcmp(argv[a], parts[i].name))
			i++;
		if (i < nr)
			continue;
		for (i = 0; i < nr; i++)
			snprintf(usage + strlen(usage), sizeof(usage) - strlen(usage), " %s%s",
				 parts[i].name, i + 1 < nr ? "," : ")");
		bench_refuse_arg("bench_engine", argv[a], usage);
	}
}

int main(int argc, char **argv)
{
	check_parts(argc, argv);
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		bool run = argc < 2;

		for (int a = 1; a < argc; a++)
			run |= !strcmp(argv[a], parts[i].name);
		if (run)
			parts[i].fn();
	}
	return 0;
}
