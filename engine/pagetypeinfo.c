// SPDX-License-Identifier: GPL-2.0
/*
 * What /proc/pagetypeinfo shows of a zone (mm/vmstat.c, 6.12
 * pagetypeinfo_showfree_print() and pagetypeinfo_showblockcount_print()),
 * read-only: the free lists' lengths by migratetype and order, and the
 * zone's online pageblocks by migratetype.  Read while an offline loops
 * (that is when one looks at MIGRATE_ISOLATE): no mem_hotplug_lock, as
 * the kernel takes none there (no get_online_mems()), but each under the
 * zone's lock, as its walk_zones_in_node() holds it for both.
 */
#include <string.h>

#include "internal.h"

/* the engine's free lists and pageblock types, in 6.12's migratetype_names[] columns */
static const int hm_column[MIGRATE_TYPES] = {
	[MIGRATE_UNMOVABLE] = HM_MT_UNMOVABLE,
	[MIGRATE_MOVABLE] = HM_MT_MOVABLE,
	[MIGRATE_RECLAIMABLE] = HM_MT_RECLAIMABLE,
	[MIGRATE_ISOLATE] = HM_MT_ISOLATE,
};

/* list_for_each() with pagetypeinfo_showfree_print()'s cap: a debugging tool, "a handful" is enough */
static unsigned long free_list_count(const struct list_head *head)
{
	unsigned long n = 0;

	for (const struct list_head *l = head->next; l != head && n < HM_PAGETYPE_FREE_CAP;
	     l = l->next)
		n++;
	return n;
}

static void count_free(struct zone *z, struct hm_pagetype_info *pi)
{
	pthread_mutex_lock(&z->lock);
	for (int mt = 0; mt < MIGRATE_TYPES; mt++)
		for (int o = 0; o < NR_PAGE_ORDERS; o++)
			pi->nr_free[hm_column[mt]][o] = free_list_count(&z->free_area[o].free_list[mt]);
	pthread_mutex_unlock(&z->lock);
}

/*
 * pagetypeinfo_showblockcount_print(): each pageblock of the span that is
 * online and this zone's; 6.12 keeps isolation in the migratetype bits
 * (MIGRATE_ISOLATE), the engine in a bit of its own (6.16+), which wins.
 * The locks, and what each keeps still:
 * - blocks_lock (read): the memory_blocks table, nothing of the memmap
 *   itself.  A removal takes its blocks out of the table
 *   (remove_memory_block_devices(), for writing) before
 *   arch_remove_memory() frees their memmap, so a block still in the
 *   table when the count starts keeps its memmap until the count ends; a
 *   block taken out before was offline (only offline blocks are
 *   removed), and pfn_to_online_page() skips its sections.  So a struct
 *   page read here is never a freed one, of this zone or another.
 * - vmemmap_remap_lock: no HVO hole is read.
 * - the zone's lock, as 6.12's walk_zones_in_node() holds it: an online
 *   into the zone takes it between its memmap init and
 *   online_mem_sections(), an offline before it inits the memmap again,
 *   so a struct page of the zone read here is never mid-init (without it,
 *   the count's page_zone() raced an online's memmap init: TSan,
 *   test_stress), and no isolation changes mid-count.  A pageblock of
 *   another zone within the span (zones overlap) is read with this
 *   zone's lock only, as 6.12 does.
 */
static void count_blocks(struct hotmem *hm, struct zone *z, unsigned long start,
			 unsigned long end, struct hm_pagetype_info *pi)
{
	/* from the zone's first pfn, aligned or not, as 6.12 steps */
	for (unsigned long pfn = start; pfn < end; pfn += pageblock_nr_pages) {
		struct page *page = pfn_to_online_page(hm, pfn);
		int mt;

		if (!page || memmap_unmapped(hm, pfn) || page_zone(hm, page) != z)
			continue;
		mt = get_pageblock_isolate(hm, pfn) ? MIGRATE_ISOLATE : get_pfnblock_migratetype(hm, pfn);
		if (mt < MIGRATE_TYPES)
			pi->nr_blocks[hm_column[mt]]++;
	}
}

int hotmem_zone_pagetype_info(struct hotmem *hm, int nid, int zid, struct hm_pagetype_info *pi)
{
	unsigned long start, end;
	struct zone *z;

	if (nid < 0 || nid >= hm->nr_possible_nodes || zid < 0 || zid >= MAX_NR_ZONES ||
	    !NODE_DATA(hm, nid))
		return -EINVAL;
	z = &NODE_DATA(hm, nid)->node_zones[zid];
	memset(pi, 0, sizeof(*pi));
	count_free(z, pi);
	pthread_rwlock_rdlock(&hm->blocks_lock);
	pthread_rwlock_rdlock(&hm->span_lock);
	start = z->zone_start_pfn;
	end = start + z->spanned_pages;
	pthread_rwlock_unlock(&hm->span_lock);
	pthread_rwlock_rdlock(&hm->vmemmap_remap_lock);
	pthread_mutex_lock(&z->lock);
	count_blocks(hm, z, start, end, pi);
	pthread_mutex_unlock(&z->lock);
	pthread_rwlock_unlock(&hm->vmemmap_remap_lock);
	pthread_rwlock_unlock(&hm->blocks_lock);
	return 0;
}

unsigned long hotmem_min_free_kbytes(struct hotmem *hm)
{
	return atomic_load(&hm->min_free_kbytes);
}
