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
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hmfs.h"

/* enum vm_event_item's names; the engine counts the ones vm_event_counted[] lists, the rest are 0 */
static const char *const vm_event_text[] = {
	"pgpgin", "pgpgout", "pswpin", "pswpout",
	"pgalloc_dma", "pgalloc_dma32", "pgalloc_normal", "pgalloc_movable", "pgalloc_device",
	"allocstall_dma", "allocstall_dma32", "allocstall_normal", "allocstall_movable",
	"allocstall_device",
	"pgskip_dma", "pgskip_dma32", "pgskip_normal", "pgskip_movable", "pgskip_device",
	"pgfree", "pgactivate", "pgdeactivate", "pglazyfree",
	"pgfault", "pgmajfault", "pglazyfreed",
	"pgrefill", "pgreuse", "pgsteal_kswapd", "pgsteal_direct", "pgsteal_khugepaged",
	"pgsteal_proactive", "pgscan_kswapd", "pgscan_direct", "pgscan_khugepaged",
	"pgscan_proactive", "pgscan_direct_throttle", "pgscan_anon", "pgscan_file",
	"pgsteal_anon", "pgsteal_file",
	"zone_reclaim_success", "zone_reclaim_failed",
	"pginodesteal", "slabs_scanned", "kswapd_inodesteal", "kswapd_low_wmark_hit_quickly",
	"kswapd_high_wmark_hit_quickly", "pageoutrun",
	"pgrotated", "drop_pagecache", "drop_slab", "oom_kill",
	"numa_pte_updates", "numa_huge_pte_updates", "numa_hint_faults", "numa_hint_faults_local",
	"numa_pages_migrated",
	"pgmigrate_success", "pgmigrate_fail", "thp_migration_success", "thp_migration_fail",
	"thp_migration_split",
	"compact_migrate_scanned", "compact_free_scanned", "compact_isolated", "compact_stall",
	"compact_fail", "compact_success", "compact_daemon_wake", "compact_daemon_migrate_scanned",
	"compact_daemon_free_scanned",
	"htlb_buddy_alloc_success", "htlb_buddy_alloc_fail",
	"unevictable_pgs_culled", "unevictable_pgs_scanned", "unevictable_pgs_rescued",
	"unevictable_pgs_mlocked", "unevictable_pgs_munlocked", "unevictable_pgs_cleared",
	"unevictable_pgs_stranded",
	"thp_fault_alloc", "thp_fault_fallback", "thp_fault_fallback_charge", "thp_collapse_alloc",
	"thp_collapse_alloc_failed", "thp_file_alloc", "thp_file_fallback",
	"thp_file_fallback_charge", "thp_file_mapped", "thp_split_page", "thp_split_page_failed",
	"thp_deferred_split_page", "thp_underused_split_page", "thp_split_pmd",
	"thp_scan_exceed_none_pte", "thp_scan_exceed_swap_pte", "thp_scan_exceed_share_pte",
	"thp_split_pud", "thp_zero_page_alloc", "thp_zero_page_alloc_failed", "thp_swpout",
	"thp_swpout_fallback",
	"balloon_inflate", "balloon_deflate", "balloon_migrate",
	"swap_ra", "swap_ra_hit", "swpin_zero", "swpout_zero", "ksm_swpin_copy", "cow_ksm",
	"zswpin", "zswpout", "zswpwb",
	"direct_map_level2_splits", "direct_map_level3_splits", "direct_map_level2_collapses",
	"direct_map_level3_collapses",
};

static const struct {
	const char *name;
	enum hm_vm_event ev;
} vm_event_counted[] = {
	{ "pgmigrate_success", HM_PGMIGRATE_SUCCESS },
	{ "pgmigrate_fail", HM_PGMIGRATE_FAIL },
	{ "htlb_buddy_alloc_success", HM_HTLB_BUDDY_PGALLOC },
	{ "htlb_buddy_alloc_fail", HM_HTLB_BUDDY_PGALLOC_FAIL },
	{ "compact_isolated", HM_COMPACTISOLATED },
	{ "pgalloc_dma", HM_PGALLOC + HM_ZONE_DMA },
	{ "pgalloc_dma32", HM_PGALLOC + HM_ZONE_DMA32 },
	{ "pgalloc_normal", HM_PGALLOC + HM_ZONE_NORMAL },
	{ "pgalloc_movable", HM_PGALLOC + HM_ZONE_MOVABLE },
	{ "pgalloc_device", HM_PGALLOC + HM_ZONE_DEVICE },
	{ "pgfree", HM_PGFREE },
};

struct vm_buf {
	char *buf;
	size_t len;
	int want; /* what snprintf() would have written */
};

__attribute__((format(printf, 2, 3))) static void vm_emit(struct vm_buf *b, const char *fmt, ...)
{
	size_t off = b->want < 0 ? 0 : (size_t)b->want;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(off < b->len ? b->buf + off : NULL, off < b->len ? b->len - off : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->want += n;
}

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

static unsigned long vm_event_value(const struct hm_vmstat *vs, const char *name)
{
	for (size_t i = 0; i < sizeof(vm_event_counted) / sizeof(vm_event_counted[0]); i++)
		if (!strcmp(name, vm_event_counted[i].name))
			return vs->events[vm_event_counted[i].ev];
	return 0;
}

int hmfs_vmstat_global(struct hotmem *hm, unsigned long nr_free, unsigned long totalreserve,
		       char *buf, size_t len)
{
	struct vm_buf b = { buf, len, 0 };
	unsigned long bg, thresh;
	struct hm_vmstat vs;

	hotmem_vmstat(hm, &vs);
	global_dirty_limits(nr_free, totalreserve, &bg, &thresh);
	vm_emit(&b, "nr_dirty_threshold %lu\nnr_dirty_background_threshold %lu\n", thresh, bg);
	vm_emit(&b, "nr_memmap_pages %lu\nnr_memmap_boot_pages %lu\n", vs.memmap_pages,
		vs.memmap_boot_pages);
	for (size_t i = 0; i < sizeof(vm_event_text) / sizeof(vm_event_text[0]); i++)
		vm_emit(&b, "%s %lu\n", vm_event_text[i], vm_event_value(&vs, vm_event_text[i]));
	/* vmstat_show(): the deprecated counters, after the last item */
	vm_emit(&b, "nr_unstable 0\n");
	return b.want;
}
