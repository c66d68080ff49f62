// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/pagetypeinfo: mm/vmstat.c pagetypeinfo_show() of 6.12, the kernel
 * of the Debian guest the profiles stand for (no CONFIG_CMA, with
 * CONFIG_MEMORY_ISOLATION: five migratetypes, "Isolate" the last; 6.18
 * keeps isolation apart and has no Isolate column).  Per node with
 * memory, as the seq_file walks the online nodes: the header, the free
 * blocks per migratetype and order of each populated zone, then its
 * pageblocks per migratetype.  pagetypeinfo_showmixedcount() prints only
 * with page_owner=on, which no profile boots with.
 */
#include "hmfs.h"

/* migratetype_names[], in enum hm_migratetype's order */
static const char *const migratetype_names[HM_NR_MIGRATETYPES] = {
	"Unmovable", "Movable", "Reclaimable", "HighAtomic", "Isolate",
};

/* pagetypeinfo_showfree_print(): ">" before a count that reached the cap */
static void show_free(struct hmfs_out *o, int nid, int zid, const struct hm_pagetype_info *pi)
{
	for (int mt = 0; mt < HM_NR_MIGRATETYPES; mt++) {
		hmfs_emit(o, "Node %4d, zone %8s, type %12s ", nid, hmu_zone_name(zid),
			migratetype_names[mt]);
		for (int k = 0; k <= HM_MAX_PAGE_ORDER; k++)
			hmfs_emit(o, "%s%6lu ", pi->nr_free[mt][k] >= HM_PAGETYPE_FREE_CAP ? ">" : "",
				  pi->nr_free[mt][k]);
		hmfs_emit(o, "\n");
	}
}

/* pagetypeinfo_showblockcount_print() */
static void show_blocks(struct hmfs_out *o, int nid, int zid, const struct hm_pagetype_info *pi)
{
	hmfs_emit(o, "Node %d, zone %8s ", nid, hmu_zone_name(zid));
	for (int mt = 0; mt < HM_NR_MIGRATETYPES; mt++)
		hmfs_emit(o, "%12lu ", pi->nr_blocks[mt]);
	hmfs_emit(o, "\n");
}

/* walk_zones_in_node(assert_populated): the node's populated zones, read once for both tables */
static int node_zones(struct hotmem *hm, int nid, struct hm_pagetype_info *pi, bool *populated)
{
	int n = 0;

	for (int zid = 0; zid < HM_MAX_NR_ZONES; zid++) {
		struct hm_zone_info zi;

		populated[zid] = !hotmem_zone_info(hm, nid, zid, &zi) && zi.populated &&
				 !hotmem_zone_pagetype_info(hm, nid, zid, &pi[zid]);
		n += populated[zid];
	}
	return n;
}

/* pagetypeinfo_show() of one node */
static void show_node(struct hmfs_out *o, int nid, const struct hm_pagetype_info *pi,
		      const bool *populated)
{
	hmfs_emit(o, "Page block order: %d\n", HM_PAGEBLOCK_ORDER);
	hmfs_emit(o, "Pages per block:  %lu\n", HM_PAGEBLOCK_NR_PAGES);
	hmfs_emit(o, "\n");
	/* pagetypeinfo_showfree() */
	hmfs_emit(o, "%-43s ", "Free pages count per migrate type at order");
	for (int k = 0; k <= HM_MAX_PAGE_ORDER; k++)
		hmfs_emit(o, "%6d ", k);
	hmfs_emit(o, "\n");
	for (int zid = 0; zid < HM_MAX_NR_ZONES; zid++)
		if (populated[zid])
			show_free(o, nid, zid, &pi[zid]);
	/* pagetypeinfo_showblockcount() */
	hmfs_emit(o, "\n%-23s", "Number of blocks type ");
	for (int mt = 0; mt < HM_NR_MIGRATETYPES; mt++)
		hmfs_emit(o, "%12s ", migratetype_names[mt]);
	hmfs_emit(o, "\n");
	for (int zid = 0; zid < HM_MAX_NR_ZONES; zid++)
		if (populated[zid])
			show_blocks(o, nid, zid, &pi[zid]);
}

void hmfs_pagetypeinfo(struct hotmem *hm, struct hmfs_out *o)
{
	for (int nid = 0; nid < hotmem_nr_possible_nodes(hm); nid++) {
		struct hm_pagetype_info pi[HM_MAX_NR_ZONES];
		bool populated[HM_MAX_NR_ZONES];
		struct hm_node_info ni;

		/* frag_start() walks the online nodes; "check memoryless node" */
		if (hotmem_node_info(hm, nid, &ni) || !ni.online || !ni.has_memory)
			continue;
		if (node_zones(hm, nid, pi, populated))
			show_node(o, nid, pi, populated);
	}
}
