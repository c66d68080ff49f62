// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/vmstat's items past the zone, NUMA and node ones (attrs.c prints
 * those, as nodeN/vmstat and zoneinfo do): mm/vmstat.c vmstat_start()'s
 * system-wide enum vm_stat_item counters and the vm events, then
 * vmstat_show()'s deprecated "nr_unstable 0".
 *
 * Names and order are a 6.18 kernel's vmstat_text[] with the reference
 * host's config (6.18.44 x86_64: NUMA_BALANCING, MIGRATION, COMPACTION,
 * HUGETLB_PAGE, TRANSPARENT_HUGEPAGE with PUD, MEMORY_BALLOON with
 * BALLOON_COMPACTION, SWAP, KSM, ZSWAP; no CMA, DEBUG_TLBFLUSH,
 * PER_VMA_LOCK_STATS or DEBUG_STACK_USAGE), the version zoneinfo and
 * nodeN/vmstat follow.  6.12 lacks nr_free_pages_blocks,
 * pgpromote_candidate_nrl, pgdemote_proactive, nr_kernel_file_pages,
 * pgsteal_proactive, pgscan_proactive, swpin_zero, swpout_zero and
 * thp_underused_split_page; a tool reads /proc/vmstat by name.
 */
#include <stdio.h>
#include <string.h>

#include "hmfs.h"

/*
 * enum vm_event_item's names, in vmstat_text[]'s order: each an index
 * (VMT_pgpgin ...) and its text, so that the events the engine counts
 * are placed by index, not looked up by name at each read
 */
#define VM_EVENT_NAMES(X) \
	X(pgpgin) X(pgpgout) X(pswpin) X(pswpout) X(pgalloc_dma) X(pgalloc_dma32) \
	X(pgalloc_normal) X(pgalloc_movable) X(pgalloc_device) X(allocstall_dma) \
	X(allocstall_dma32) X(allocstall_normal) X(allocstall_movable) X(allocstall_device) \
	X(pgskip_dma) X(pgskip_dma32) X(pgskip_normal) X(pgskip_movable) X(pgskip_device) \
	X(pgfree) X(pgactivate) X(pgdeactivate) X(pglazyfree) X(pgfault) X(pgmajfault) \
	X(pglazyfreed) X(pgrefill) X(pgreuse) X(pgsteal_kswapd) X(pgsteal_direct) \
	X(pgsteal_khugepaged) X(pgsteal_proactive) X(pgscan_kswapd) X(pgscan_direct) \
	X(pgscan_khugepaged) X(pgscan_proactive) X(pgscan_direct_throttle) X(pgscan_anon) \
	X(pgscan_file) X(pgsteal_anon) X(pgsteal_file) X(zone_reclaim_success) \
	X(zone_reclaim_failed) X(pginodesteal) X(slabs_scanned) X(kswapd_inodesteal) \
	X(kswapd_low_wmark_hit_quickly) X(kswapd_high_wmark_hit_quickly) X(pageoutrun) \
	X(pgrotated) X(drop_pagecache) X(drop_slab) X(oom_kill) X(numa_pte_updates) \
	X(numa_huge_pte_updates) X(numa_hint_faults) X(numa_hint_faults_local) \
	X(numa_pages_migrated) X(pgmigrate_success) X(pgmigrate_fail) X(thp_migration_success) \
	X(thp_migration_fail) X(thp_migration_split) X(compact_migrate_scanned) \
	X(compact_free_scanned) X(compact_isolated) X(compact_stall) X(compact_fail) \
	X(compact_success) X(compact_daemon_wake) X(compact_daemon_migrate_scanned) \
	X(compact_daemon_free_scanned) X(htlb_buddy_alloc_success) X(htlb_buddy_alloc_fail) \
	X(unevictable_pgs_culled) X(unevictable_pgs_scanned) X(unevictable_pgs_rescued) \
	X(unevictable_pgs_mlocked) X(unevictable_pgs_munlocked) X(unevictable_pgs_cleared) \
	X(unevictable_pgs_stranded) X(thp_fault_alloc) X(thp_fault_fallback) \
	X(thp_fault_fallback_charge) X(thp_collapse_alloc) X(thp_collapse_alloc_failed) \
	X(thp_file_alloc) X(thp_file_fallback) X(thp_file_fallback_charge) X(thp_file_mapped) \
	X(thp_split_page) X(thp_split_page_failed) X(thp_deferred_split_page) \
	X(thp_underused_split_page) X(thp_split_pmd) X(thp_scan_exceed_none_pte) \
	X(thp_scan_exceed_swap_pte) X(thp_scan_exceed_share_pte) X(thp_split_pud) \
	X(thp_zero_page_alloc) X(thp_zero_page_alloc_failed) X(thp_swpout) \
	X(thp_swpout_fallback) X(balloon_inflate) X(balloon_deflate) X(balloon_migrate) \
	X(swap_ra) X(swap_ra_hit) X(swpin_zero) X(swpout_zero) X(ksm_swpin_copy) X(cow_ksm) \
	X(zswpin) X(zswpout) X(zswpwb) X(direct_map_level2_splits) X(direct_map_level3_splits) \
	X(direct_map_level2_collapses) X(direct_map_level3_collapses)

enum vm_event_text_index {
#define X(name) VMT_##name,
	VM_EVENT_NAMES(X)
#undef X
	NR_VM_EVENT_TEXT
};

static const char *const vm_event_text[NR_VM_EVENT_TEXT] = {
#define X(name) #name,
	VM_EVENT_NAMES(X)
#undef X
};

/* the ones the engine counts; the rest are 0 */
static const struct {
	enum vm_event_text_index text;
	enum hm_vm_event ev;
} vm_event_counted[] = {
	{ VMT_pgmigrate_success, HM_PGMIGRATE_SUCCESS },
	{ VMT_pgmigrate_fail, HM_PGMIGRATE_FAIL },
	{ VMT_htlb_buddy_alloc_success, HM_HTLB_BUDDY_PGALLOC },
	{ VMT_htlb_buddy_alloc_fail, HM_HTLB_BUDDY_PGALLOC_FAIL },
	{ VMT_compact_isolated, HM_COMPACTISOLATED },
	{ VMT_pgalloc_dma, HM_PGALLOC + HM_ZONE_DMA },
	{ VMT_pgalloc_dma32, HM_PGALLOC + HM_ZONE_DMA32 },
	{ VMT_pgalloc_normal, HM_PGALLOC + HM_ZONE_NORMAL },
	{ VMT_pgalloc_movable, HM_PGALLOC + HM_ZONE_MOVABLE },
	{ VMT_pgalloc_device, HM_PGALLOC + HM_ZONE_DEVICE },
	{ VMT_pgfree, HM_PGFREE },
};

/*
 * global_dirty_limits() (mm/page-writeback.c, 6.12-6.18) with the default
 * sysctls (dirty_ratio 20, dirty_background_ratio 10, no _bytes) for a
 * reader that is no RT task: global_dirtyable_memory() is the free pages
 * past totalreserve_pages (nothing on a file LRU here, no highmem), plus 1.
 */
static void global_dirty_limits(unsigned long nr_free, unsigned long totalreserve,
				unsigned long *bg_thresh, unsigned long *thresh)
{
	const unsigned long ratio = 20 * HM_PAGE_SIZE / 100, bg_ratio = 10 * HM_PAGE_SIZE / 100;
	unsigned long avail = nr_free - (nr_free < totalreserve ? nr_free : totalreserve) + 1;

	*thresh = ratio * avail / HM_PAGE_SIZE;
	*bg_thresh = bg_ratio * avail / HM_PAGE_SIZE;
	if (*thresh > 0xffffffffUL) /* UINT_MAX: the throttling's 32 bits */
		*thresh = 0xffffffffUL;
	if (*bg_thresh >= *thresh)
		*bg_thresh = *thresh / 2;
}

void hmfs_vmstat_global(struct hotmem *hm, unsigned long nr_free, unsigned long totalreserve,
			struct hmfs_out *o)
{
	unsigned long bg, thresh, v[NR_VM_EVENT_TEXT] = { 0 };
	struct hm_vmstat vs;

	hotmem_vmstat(hm, &vs);
	global_dirty_limits(nr_free, totalreserve, &bg, &thresh);
	hmfs_emit(o, "nr_dirty_threshold %lu\nnr_dirty_background_threshold %lu\n", thresh, bg);
	hmfs_emit(o, "nr_memmap_pages %lu\nnr_memmap_boot_pages %lu\n", vs.memmap_pages,
		  vs.memmap_boot_pages);
	for (size_t i = 0; i < sizeof(vm_event_counted) / sizeof(vm_event_counted[0]); i++)
		v[vm_event_counted[i].text] = vs.events[vm_event_counted[i].ev];
	for (size_t i = 0; i < NR_VM_EVENT_TEXT; i++)
		hmfs_emit(o, "%s %lu\n", vm_event_text[i], v[i]);
	/* vmstat_show(): the deprecated counters, after the last item */
	hmfs_emit(o, "nr_unstable 0\n");
}
