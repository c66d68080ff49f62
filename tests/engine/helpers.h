/* SPDX-License-Identifier: GPL-2.0 */
/* Shared helpers of the engine's cmocka tests. */
#ifndef HOTMEM_TEST_HELPERS_H
#define HOTMEM_TEST_HELPERS_H

#include <errno.h>
#include <stdlib.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "hotmem.h"

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

/*
 * The command line of a test that needs an idle kernel: one that never
 * allocates for itself (exact accounting, "left as it was" snapshots).
 */
#define IDLE_KERNEL "hotmem.kernel_alloc=off"

/* boot a built-in profile with an optional command line; fails the test */
struct hotmem *boot(const char *profile, const char *cmdline);
/* boot the profile text @text (over hotmem_config_default()); fails the test */
struct hotmem *boot_profile_text(const char *text);
/* assert hotmem_check_invariants() with its message */
void check(struct hotmem *hm);

/*
 * everything a user could observe, to prove "left as it was"; the metadata
 * without the section table's roots, which the kernel never frees either
 */
struct hm_snapshot {
	struct hm_meminfo mi;
	unsigned long nr_blocks;
	struct hm_block_info blocks[256];
	struct hm_zone_info zones[4][HM_MAX_NR_ZONES];
	size_t metadata;
};
void snapshot(struct hotmem *hm, struct hm_snapshot *s);
void assert_same(const struct hm_snapshot *a, const struct hm_snapshot *b);

/* collect uevents into a string "add:32 online:32 ..." */
struct ev_log {
	char buf[8192];
	size_t len;
	const char *fn;	/* trace_log_attach(): the probe whose returns are logged */
};
void ev_log_attach(struct hotmem *hm, struct ev_log *log);
/* collect the returns of probe @fn: "start_pfn:nr_pages:nid:extra:ret ..." */
void trace_log_attach(struct hotmem *hm, struct ev_log *log, const char *fn);

/* how many times @what is in @text (a log's lines, say) */
unsigned long count_lines(const char *text, const char *what);
int block_state(struct hotmem *hm, unsigned long id);
int block_zone(struct hotmem *hm, unsigned long id);
const char *valid_zones(struct hotmem *hm, unsigned long id);
unsigned long memtotal_kb(struct hotmem *hm);
unsigned long memfree_kb(struct hotmem *hm);
/* the process's host mappings now: lines of /proc/self/maps */
unsigned long host_maps_now(void);
/*
 * A host at its cap: the engine's bound on its mappings counted afresh
 * and hotmem.max_map_count set @room above it (0: the host's own cap).
 */
void host_cap(struct hotmem *hm, unsigned long room);

/*
 * HugeTLB vmemmap optimisation on memory32 (HVO_DIMM, 128 MiB) online
 * Movable: hvo_block_online() with its section's memmap @split by a first
 * huge page or still shared; hvo_lose_memmap() then with the host refusing
 * at each failure point of an allocation in turn until the online
 * section's memmap is left unmapped in part (a tail, @split) or whole.
 */
#define HVO_DIMM 0x100000000ULL
struct hotmem *hvo_block_online(bool split);
struct hotmem *hvo_block_online_as(const char *cmdline, int online_type, bool split);
struct hotmem *hvo_lose_memmap(bool split, unsigned long more);
/* the same on @hm, from hvo_block_online() and then set up further */
struct hotmem *hvo_lose_memmap_of(struct hotmem *hm, unsigned long more);
/* block @id onlined to node @nid's Normal (growing it) and offlined: the zone as it was */
void assert_normal_span_back(struct hotmem *hm, int nid, unsigned long id);
/* the same with huge pages of node @nid, until section @section_nr's memmap is lost */
struct hotmem *hvo_lose_memmap_at(struct hotmem *hm, int nid, unsigned long section_nr,
				  unsigned long more);

/* the pageblocks of boot memory and DIMMs below 6 GiB (DIMMs at 4 GiB: HVO_DIMM) */
#define CLAIM_VIEW_BLOCKS ((6 * GiB >> HM_PAGE_SHIFT) / HM_PAGEBLOCK_NR_PAGES)

/*
 * /proc/pagetypeinfo of node 0's zones and each online pageblock's
 * migratetype: what a pageblock claim (6.12 steal_suitable_fallback())
 * changes and hotmem's rollbacks give back
 */
struct claim_view {
	struct hm_pagetype_info pi[HM_MAX_NR_ZONES];
	unsigned char mt[CLAIM_VIEW_BLOCKS];
};
void claim_view_take(struct hotmem *hm, struct claim_view *v);
void claim_view_assert_same(const struct claim_view *a, const struct claim_view *b);
unsigned long claim_view_unmovable_blocks(const struct claim_view *v);
/* the machine now has more unmovable pageblocks than @before: a claim was made and kept */
void assert_claimed_since(struct hotmem *hm, const struct claim_view *before);
/*
 * Every free page of node 0's pageblocks not MIGRATE_MOVABLE below
 * ZONE_MOVABLE taken (the workload's, unmovable; their number returned,
 * 0 on an idle kernel's boot, which leaves none):
 * the next GFP_KERNEL allocation finds no unmovable or reclaimable free
 * page and claims a free block of another type (__rmqueue_fallback())
 */
unsigned long take_kernel_free_pages(struct hotmem *hm);

/*
 * A refused remap's window: a thread explains memory @id all along, as
 * hotmemfs's threads do without device_hotplug_lock, and at each refused
 * MAP_FIXED (after any teardown) the fail hook asks whether a reader
 * could get in (vmemmap_remap_lock not held for writing: unguarded).
 * remap_window_start() returns after a first explain; remap_window_stop()
 * waits for one more past the last refusal, and asserts both.
 */
struct remap_window {
	struct hotmem *hm;
	unsigned long id, refused, unguarded;
	atomic_ulong explained;
	atomic_bool stop;
	pthread_t thread;
};
void remap_window_start(struct hotmem *hm, struct remap_window *w, unsigned long id);
void remap_window_stop(struct remap_window *w);

/* ioctl(UFFDIO_COPY) (and pwrite64 if @and_pwrite) fail with ENOMEM from
 * now on, for this thread or all (@all_threads); helpers.c */
int refuse_uffdio_copy(bool and_pwrite, bool all_threads);

#endif
