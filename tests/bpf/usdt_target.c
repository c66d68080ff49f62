// SPDX-License-Identifier: GPL-2.0
/*
 * A stand-in for the engine in hotmem-trace's tests: fires the engine's
 * USDT probes (engine/hotmem_probes.h: provider hotmem, <fn> with
 * start_pfn, nr_pages, nid, zid, extra and <fn>__ret with ret as well)
 * in the order the kernel would for one scenario.
 *
 *   usdt_target scenario     add 256 MiB at 4 GiB (2 blocks of 128 MiB);
 *                            online Normal, online_movable, offline both,
 *                            online_movable both; prints "fired N"
 *   usdt_target ebusy        add 256 MiB at 4 GiB, online the first block
 *                            movable, fail to offline it (EBUSY at
 *                            isolation, then EINTR after two -EBUSY
 *                            test_pages_isolated passes), then
 *                            watermarks as the engine fires them (a
 *                            zone's range: ZONE_DMA's from pfn 1, ZONE_MOVABLE's
 *                            from the block); prints "fired N"
 *   usdt_target all          every probe of HOTMEM_PROBES once
 *   usdt_target storm N      N online_pages enter/exit pairs, prints rate
 *   usdt_target wait N       sleep N seconds, then "scenario"
 *   usdt_target wait-for F   wait (60 s at most) until file F exists,
 *                            then "scenario": fires once its tracer says
 *                            it is ready, however long attaching takes
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/sdt.h>
#include "hotmem_probes.h"

#define PFN0 0x100000L /* 4 GiB */
#define BLOCK 32768L /* 128 MiB */
#define SECTION 32768L
#define ZONE_NORMAL 2
#define ZONE_MOVABLE 3
/* include/linux/memory.h */
#define MEM_ONLINE 1
#define MEM_GOING_OFFLINE 2
#define MEM_OFFLINE 4
#define MEM_GOING_ONLINE 8
#define MEM_CANCEL_OFFLINE 32
#define EBUSY 16
#define EINTR 4

static long fired;

/* clang-format off */
#define ENTER(fn, pfn, nr, nid, zid, extra) do {				\
	DTRACE_PROBE5(hotmem, fn, (long)(pfn), (long)(nr), (long)(nid),	\
		      (long)(zid), (long)(extra));				\
	fired++;								\
} while (0)
#define EXIT(fn, pfn, nr, nid, zid, extra, ret) do {				\
	DTRACE_PROBE6(hotmem, fn##__ret, (long)(pfn), (long)(nr), (long)(nid), \
		      (long)(zid), (long)(extra), (long)(ret));		\
	fired++;								\
} while (0)
#define STEP(fn, pfn, nr, nid, zid, extra, ret) do {				\
	ENTER(fn, pfn, nr, nid, zid, extra);					\
	EXIT(fn, pfn, nr, nid, zid, extra, ret);				\
} while (0)

/* clang-format on */

static void notify(long pfn, int action)
{
	STEP(memory_notify, pfn, BLOCK, -1, -1, action, 0);
}

static void wmarks(void)
{
	static const char zids[] = { 0, 1, 2, 3 };

	for (size_t i = 0; i < sizeof(zids); i++)
		STEP(mm_setup_per_zone_wmarks, 0, 0, 0, zids[i], 128, 0);
}

static void add_memory(void)
{
	long size = 2 * BLOCK;

	ENTER(add_memory_resource, PFN0, size, 0, -1, 0);
	ENTER(arch_add_memory, PFN0, size, 0, -1, 0);
	ENTER(__add_pages, PFN0, size, 0, -1, 0);
	for (long s = PFN0; s < PFN0 + size; s += SECTION) {
		ENTER(sparse_add_section, s, SECTION, 0, -1, 0);
		STEP(vmemmap_populate, s, SECTION, 0, -1, 0, 0);
		EXIT(sparse_add_section, s, SECTION, 0, -1, 0, 0);
	}
	EXIT(__add_pages, PFN0, size, 0, -1, 0, 0);
	EXIT(arch_add_memory, PFN0, size, 0, -1, 0, 0);
	EXIT(add_memory_resource, PFN0, size, 0, -1, 0, 0);
}

static void online(long pfn, int zid)
{
	ENTER(memory_block_online, pfn, BLOCK, 0, zid, 0);
	STEP(move_pfn_range_to_zone, pfn, BLOCK, 0, zid, 0, 0);
	ENTER(online_pages, pfn, BLOCK, 0, zid, 0);
	notify(pfn, MEM_GOING_ONLINE);
	wmarks();
	notify(pfn, MEM_ONLINE);
	EXIT(online_pages, pfn, BLOCK, 0, zid, 0, 0);
	EXIT(memory_block_online, pfn, BLOCK, 0, zid, 0, 0);
}

static void offline(long pfn, int zid)
{
	ENTER(memory_block_offline, pfn, BLOCK, 0, zid, 0);
	ENTER(offline_pages, pfn, BLOCK, 0, zid, 0);
	notify(pfn, MEM_GOING_OFFLINE);
	STEP(test_pages_isolated, pfn, BLOCK, -1, -1, pfn + BLOCK, 0);
	wmarks();
	notify(pfn, MEM_OFFLINE);
	EXIT(offline_pages, pfn, BLOCK, 0, zid, 0, 0);
	EXIT(memory_block_offline, pfn, BLOCK, 0, zid, 0, 0);
}

/*
 * offline_pages() failing at isolation, as engine/memory_hotplug.c and
 * 6.12 do: start_isolate_page_range() -EBUSY, before MEM_GOING_OFFLINE,
 * no MEM_CANCEL_OFFLINE (goto failed_removal_pcplists_disabled)
 */
static void offline_ebusy(long pfn, int zid)
{
	ENTER(memory_block_offline, pfn, BLOCK, 0, zid, 0);
	ENTER(offline_pages, pfn, BLOCK, 0, zid, 0);
	EXIT(offline_pages, pfn, BLOCK, 0, zid, 0, -EBUSY);
	EXIT(memory_block_offline, pfn, BLOCK, 0, zid, 0, -EBUSY);
}

/*
 * offline_pages() ended by a signal after two passes whose
 * test_pages_isolated() found pages not yet free (-EBUSY: the loop goes
 * round again, no failure): MEM_CANCEL_OFFLINE, -EINTR
 */
static void offline_eintr(long pfn, int zid)
{
	ENTER(memory_block_offline, pfn, BLOCK, 0, zid, 0);
	ENTER(offline_pages, pfn, BLOCK, 0, zid, 0);
	notify(pfn, MEM_GOING_OFFLINE);
	STEP(test_pages_isolated, pfn, BLOCK, -1, -1, pfn + 8, -EBUSY);
	STEP(test_pages_isolated, pfn, BLOCK, -1, -1, pfn + 8, -EBUSY);
	notify(pfn, MEM_CANCEL_OFFLINE);
	EXIT(offline_pages, pfn, BLOCK, 0, zid, 0, -EINTR);
	EXIT(memory_block_offline, pfn, BLOCK, 0, zid, 0, -EINTR);
}

/* engine/page_alloc.c: (zone_start_pfn, spanned_pages, nid, zid, wmark_min) */
static void zone_wmarks(void)
{
	STEP(mm_setup_per_zone_wmarks, 1, 4095, 0, 0, 8, 0);
	STEP(mm_setup_per_zone_wmarks, PFN0, 2 * BLOCK, 0, ZONE_MOVABLE, 128, 0);
}

static void ebusy(void)
{
	add_memory();
	online(PFN0, ZONE_MOVABLE);
	offline_ebusy(PFN0, ZONE_MOVABLE);
	offline_eintr(PFN0, ZONE_MOVABLE);
	zone_wmarks();
}

static void scenario(void)
{
	add_memory();
	online(PFN0, ZONE_NORMAL);
	online(PFN0 + BLOCK, ZONE_MOVABLE);
	offline(PFN0, ZONE_NORMAL);
	offline(PFN0 + BLOCK, ZONE_MOVABLE);
	online(PFN0, ZONE_MOVABLE);
	online(PFN0 + BLOCK, ZONE_MOVABLE);
}

#define FIRE_ALL(fn) STEP(fn, PFN0, BLOCK, 0, 2, 0, 0);

static void all(void)
{
	HOTMEM_PROBES(FIRE_ALL)
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void storm(long n)
{
	double t0 = now(), s;

	for (long i = 0; i < n; i++)
		STEP(online_pages, PFN0 + (i % 64) * BLOCK, BLOCK, 0, ZONE_MOVABLE, 0, 0);
	s = now() - t0;
	printf("storm %ld probes in %.6f s\n", fired, s);
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "scenario";

	if (!strcmp(what, "storm")) {
		storm(argc > 2 ? atol(argv[2]) : 100000);
		return 0;
	}
	if (!strcmp(what, "wait"))
		sleep(argc > 2 ? atoi(argv[2]) : 1);
	if (!strcmp(what, "wait-for") && argc > 2)
		for (int i = 0; i < 6000 && access(argv[2], F_OK); i++)
			usleep(10000);
	if (!strcmp(what, "all"))
		all();
	else if (!strcmp(what, "ebusy"))
		ebusy();
	else
		scenario();
	printf("fired %ld\n", fired);
	return 0;
}
