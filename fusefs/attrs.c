// SPDX-License-Identifier: GPL-2.0
/*
 * show() and store() of every attribute, after drivers/base/memory.c,
 * drivers/base/node.c, drivers/base/bus.c, drivers/base/power/sysfs.c,
 * drivers/acpi/device_sysfs.c,
 * mm/memory_hotplug.c, lib/notifier-error-inject.c and fs/proc/meminfo.c.
 *
 * show() returns the length written to @buf (or -errno, like the EIO of
 * power/autosuspend_delay_ms); store() returns the count consumed or
 * -errno.  @buf of a store is NUL-terminated and at most one page, as
 * kernfs hands it to the kernel's store.  A store that changes the
 * machine parses @buf and hands the change to hmfs_change() (machine.c),
 * the path the control commands take too.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "hmfs.h"

/*
 * @n bytes a formatter wrote at o->off, snprintf()'s way (the length it
 * wanted, which may be more than fit): what fit, the NUL kept
 */
void hmfs_emitted(struct hmfs_out *o, int n)
{
	if (n > 0)
		o->off += (size_t)n < o->len - o->off ? (size_t)n : o->len - o->off - 1;
}

void hmfs_emit(struct hmfs_out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->off >= o->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->off, o->len - o->off, fmt, ap);
	va_end(ap);
	hmfs_emitted(o, n);
}

/* by their short names in this file, which prints most of the tree's text */
#define emit(o, ...) hmfs_emit(o, __VA_ARGS__)
#define emitted(o, n) hmfs_emitted(o, n)

#define PG_KB(pages) ((pages) << (HM_PAGE_SHIFT - 10))

/* fs/proc/meminfo.c show_val_kb(): head padded to 16, value to 8. */
static void kb(struct hmfs_out *o, const char *prefix, const char *name, unsigned long pages)
{
	char head[32];

	snprintf(head, sizeof(head), "%s:", name);
	emit(o, "%s%-16s%8lu kB\n", prefix, head, PG_KB(pages));
}

/*
 * A zone's NR_SLAB_UNRECLAIMABLE_B in pages: the kernel's own slab, and
 * the workload's unmovable pages as kmalloc (meminfo's SUnreclaim counts
 * them so too); nodeN/meminfo, nodeN/vmstat and /proc/zoneinfo all sum it.
 */
static unsigned long zone_slab_unreclaimable(const struct hm_zone_info *zi)
{
	return zi->nr_slab_unreclaimable + zi->nr_alloc_unmovable;
}

/*
 * A zone's anonymous pages: the workload's user pages, pinned or not.  A
 * page get_user_pages() holds is still mapped anon and on the LRU
 * (NR_ANON_MAPPED, NR_ACTIVE_ANON; an unevictable page is an mlocked
 * one, not a pinned one); only migration fails on it.
 */
static unsigned long zone_anon(const struct hm_zone_info *zi)
{
	return zi->nr_alloc_movable + zi->nr_alloc_pinned;
}

/*
 * fs/proc/meminfo.c meminfo_proc_show() (6.12) line for line, for the
 * config of the Debian 6.12 guest the profiles stand for (tests/kernel/:
 * CONFIG_ZSWAP, CONFIG_TRANSPARENT_HUGEPAGE, CONFIG_UNACCEPTED_MEMORY,
 * no CONFIG_CMA) and the profile's own memory_failure
 */
static void show_meminfo(struct hmfs_ctx *ctx, struct hmfs_out *o)
{
	struct hm_meminfo mi;
	unsigned long anon, slab;

	hotmem_meminfo(ctx->hm, &mi);
	anon = mi.nr_alloc_movable + mi.nr_alloc_pinned; /* global_node_page_state(NR_ANON_MAPPED) */
	/* the kernel's own slab, and the workload's unmovable pages as kmalloc */
	slab = mi.nr_alloc_unmovable + mi.slab_unreclaimable + mi.slab_reclaimable;
	kb(o, "", "MemTotal", mi.totalram_pages);
	kb(o, "", "MemFree", mi.free_pages);
	kb(o, "", "MemAvailable", mi.free_pages + mi.slab_reclaimable / 2);
	kb(o, "", "Buffers", 0);
	kb(o, "", "Cached", 0);
	kb(o, "", "SwapCached", 0);
	kb(o, "", "Active", anon);
	kb(o, "", "Inactive", 0);
	kb(o, "", "Active(anon)", anon);
	kb(o, "", "Inactive(anon)", 0);
	kb(o, "", "Active(file)", 0);
	kb(o, "", "Inactive(file)", 0);
	kb(o, "", "Unevictable", 0);
	kb(o, "", "Mlocked", 0);
	kb(o, "", "SwapTotal", 0);
	kb(o, "", "SwapFree", 0);
	/* CONFIG_ZSWAP (Debian 6.12's =y): no swap, nothing compressed */
	kb(o, "", "Zswap", 0);
	kb(o, "", "Zswapped", 0);
	kb(o, "", "Dirty", 0);
	kb(o, "", "Writeback", 0);
	kb(o, "", "AnonPages", anon);
	kb(o, "", "Mapped", 0);
	kb(o, "", "Shmem", 0);
	kb(o, "", "KReclaimable", mi.slab_reclaimable);
	kb(o, "", "Slab", slab);
	kb(o, "", "SReclaimable", mi.slab_reclaimable);
	kb(o, "", "SUnreclaim", slab - mi.slab_reclaimable);
	kb(o, "", "KernelStack", mi.kernel_stack);
	kb(o, "", "PageTables", mi.pagetables);
	kb(o, "", "SecPageTables", 0);
	kb(o, "", "NFS_Unstable", 0);
	kb(o, "", "Bounce", 0);
	kb(o, "", "WritebackTmp", 0);
	kb(o, "", "CommitLimit", mi.totalram_pages / 2);
	kb(o, "", "Committed_AS", anon);
	emit(o, "VmallocTotal:   34359738367 kB\n");
	kb(o, "", "VmallocUsed", 0);
	kb(o, "", "VmallocChunk", 0);
	kb(o, "", "Percpu", mi.percpu);
	/*
	 * CONFIG_MEMORY_FAILURE only, the profile's memory_failure (the
	 * memory/ files' switch too); 6.12 prints it with its own width
	 */
	if (hotmem_get_config(ctx->hm)->memory_failure)
		emit(o, "HardwareCorrupted: %5lu kB\n", PG_KB(hotmem_nr_poisoned_pages(ctx->hm)));
	kb(o, "", "AnonHugePages", 0);
	kb(o, "", "ShmemHugePages", 0);
	kb(o, "", "ShmemPmdMapped", 0);
	kb(o, "", "FileHugePages", 0);
	kb(o, "", "FilePmdMapped", 0);
	/* CONFIG_CMA is off in Debian 6.12: no CmaTotal/CmaFree; CONFIG_UNACCEPTED_MEMORY=y */
	kb(o, "", "Unaccepted", 0);
	emit(o, "HugePages_Total:   %5lu\n", mi.hugetlb_pages);
	emit(o, "HugePages_Free:    %5lu\n", mi.hugetlb_free);
	emit(o, "HugePages_Rsvd:    %5lu\n", 0UL);
	emit(o, "HugePages_Surp:    %5lu\n", 0UL);
	emit(o, "Hugepagesize:       %lu kB\n", 2048UL);
	kb(o, "", "Hugetlb", mi.hugetlb_pages * 512);
	kb(o, "", "DirectMap4k", 0);
	kb(o, "", "DirectMap2M", mi.present_pages);
	kb(o, "", "DirectMap1G", 0);
}

static void show_node_meminfo(struct hmfs_ctx *ctx, int nid, struct hmfs_out *o)
{
	struct hm_node_info ni;
	struct hm_zone_info zi;
	unsigned long sr = 0, su = 0, stack = 0, pt = 0, anon = 0;
	char p[16];

	if (hotmem_node_info(ctx->hm, nid, &ni))
		return;
	/* the kernel's own memory on this node, summed over its zones */
	for (int zid = 0; zid < HM_MAX_NR_ZONES; zid++) {
		if (hotmem_zone_info(ctx->hm, nid, zid, &zi))
			continue;
		sr += zi.nr_slab_reclaimable;
		su += zone_slab_unreclaimable(&zi);
		stack += zi.nr_kernel_stack;
		pt += zi.nr_page_table_pages;
		/* the workload's user pages, as /proc/meminfo and zoneinfo count them */
		anon += zone_anon(&zi);
	}
	snprintf(p, sizeof(p), "Node %d ", nid);
	kb(o, p, "MemTotal", ni.managed);
	kb(o, p, "MemFree", ni.free);
	kb(o, p, "MemUsed", ni.managed - ni.free);
	kb(o, p, "SwapCached", 0);
	kb(o, p, "Active", anon);
	kb(o, p, "Inactive", 0);
	kb(o, p, "Active(anon)", anon);
	kb(o, p, "Inactive(anon)", 0);
	kb(o, p, "Active(file)", 0);
	kb(o, p, "Inactive(file)", 0);
	kb(o, p, "Unevictable", 0);
	kb(o, p, "Mlocked", 0);
	kb(o, p, "Dirty", 0);
	kb(o, p, "Writeback", 0);
	kb(o, p, "FilePages", 0);
	kb(o, p, "Mapped", 0);
	kb(o, p, "AnonPages", anon);
	kb(o, p, "Shmem", 0);
	kb(o, p, "KernelStack", stack);
	kb(o, p, "PageTables", pt);
	kb(o, p, "SecPageTables", 0);
	kb(o, p, "NFS_Unstable", 0);
	kb(o, p, "Bounce", 0);
	kb(o, p, "WritebackTmp", 0);
	kb(o, p, "KReclaimable", sr);
	kb(o, p, "Slab", sr + su);
	kb(o, p, "SReclaimable", sr);
	kb(o, p, "SUnreclaim", su);
	kb(o, p, "AnonHugePages", 0);
	kb(o, p, "ShmemHugePages", 0);
	kb(o, p, "ShmemPmdMapped", 0);
	kb(o, p, "FileHugePages", 0);
	kb(o, p, "FilePmdMapped", 0);
	emit(o, "Node %d HugePages_Total: %5lu\n", nid, ni.hugepages_total);
	emit(o, "Node %d HugePages_Free:  %5lu\n", nid, ni.hugepages_free);
	emit(o, "Node %d HugePages_Surp:  %5lu\n", nid, 0UL);
}

/* a node's counters for its vmstat, summed over its zones as the kernel's are */
enum node_vm_src {
	VM_ZERO, /* what the engine does not model: no page cache, swap, LRU aging */
	VM_FREE,
	VM_FREE_BLOCKS,
	VM_ANON,
	VM_SLAB_R,
	VM_SLAB_U,
	VM_STACK_KB,
	VM_PAGETABLE,
	VM_HUGETLB,
	VM_NUMA, /* the zone's NUMA events, enum hm_numa_event's order: VM_NUMA + HM_NUMA_HIT ... */
	VM_NR_SRC = VM_NUMA + HM_NR_NUMA_EVENTS,
};

/*
 * drivers/base/node.c node_read_vmstat(): zone items, NUMA events, node
 * items, in mm/vmstat.c vmstat_text[]'s order, as a 6.18 guest prints them
 * (CONFIG_ZSMALLOC, CMA, NUMA_BALANCING, SWAP, IOMMU_SUPPORT, HUGETLB_PAGE;
 * no UNACCEPTED_MEMORY).  The values the engine keeps are the ones
 * /proc/zoneinfo and nodeN/meminfo show: the workload's user pages
 * (pinned or not) as active anon, its unmovable ones as unreclaimable slab.
 */
enum vm_item_kind {
	VM_ZONE_ITEM, /* enum zone_stat_item: per zone, a node's vmstat sums them */
	VM_NUMA_ITEM, /* enum numa_stat_item: NUMA events, per zone */
	VM_NODE_ITEM, /* enum node_stat_item: per node */
};

static const struct {
	const char *name;
	unsigned char src, kind;
} node_vmstat_items[] = {
	{ "nr_free_pages", VM_FREE, VM_ZONE_ITEM },
	{ "nr_free_pages_blocks", VM_FREE_BLOCKS, VM_ZONE_ITEM },
	{ "nr_zone_inactive_anon", VM_ZERO, VM_ZONE_ITEM },
	{ "nr_zone_active_anon", VM_ANON, VM_ZONE_ITEM },
	{ "nr_zone_inactive_file", VM_ZERO, VM_ZONE_ITEM },
	{ "nr_zone_active_file", VM_ZERO, VM_ZONE_ITEM },
	{ "nr_zone_unevictable", VM_ZERO, VM_ZONE_ITEM },
	{ "nr_zone_write_pending", VM_ZERO, VM_ZONE_ITEM },
	{ "nr_mlock", VM_ZERO, VM_ZONE_ITEM },
	{ "nr_zspages", VM_ZERO, VM_ZONE_ITEM },
	{ "nr_free_cma", VM_ZERO, VM_ZONE_ITEM },
	{ "numa_hit", VM_NUMA + HM_NUMA_HIT, VM_NUMA_ITEM },
	{ "numa_miss", VM_NUMA + HM_NUMA_MISS, VM_NUMA_ITEM },
	{ "numa_foreign", VM_NUMA + HM_NUMA_FOREIGN, VM_NUMA_ITEM },
	{ "numa_interleave", VM_NUMA + HM_NUMA_INTERLEAVE_HIT, VM_NUMA_ITEM },
	{ "numa_local", VM_NUMA + HM_NUMA_LOCAL, VM_NUMA_ITEM },
	{ "numa_other", VM_NUMA + HM_NUMA_OTHER, VM_NUMA_ITEM },
	{ "nr_inactive_anon", VM_ZERO, VM_NODE_ITEM },
	{ "nr_active_anon", VM_ANON, VM_NODE_ITEM },
	{ "nr_inactive_file", VM_ZERO, VM_NODE_ITEM },
	{ "nr_active_file", VM_ZERO, VM_NODE_ITEM },
	{ "nr_unevictable", VM_ZERO, VM_NODE_ITEM },
	{ "nr_slab_reclaimable", VM_SLAB_R, VM_NODE_ITEM },
	{ "nr_slab_unreclaimable", VM_SLAB_U, VM_NODE_ITEM },
	{ "nr_isolated_anon", VM_ZERO, VM_NODE_ITEM },
	{ "nr_isolated_file", VM_ZERO, VM_NODE_ITEM },
	{ "workingset_nodes", VM_ZERO, VM_NODE_ITEM },
	{ "workingset_refault_anon", VM_ZERO, VM_NODE_ITEM },
	{ "workingset_refault_file", VM_ZERO, VM_NODE_ITEM },
	{ "workingset_activate_anon", VM_ZERO, VM_NODE_ITEM },
	{ "workingset_activate_file", VM_ZERO, VM_NODE_ITEM },
	{ "workingset_restore_anon", VM_ZERO, VM_NODE_ITEM },
	{ "workingset_restore_file", VM_ZERO, VM_NODE_ITEM },
	{ "workingset_nodereclaim", VM_ZERO, VM_NODE_ITEM },
	{ "nr_anon_pages", VM_ANON, VM_NODE_ITEM },
	{ "nr_mapped", VM_ZERO, VM_NODE_ITEM },
	{ "nr_file_pages", VM_ZERO, VM_NODE_ITEM },
	{ "nr_dirty", VM_ZERO, VM_NODE_ITEM },
	{ "nr_writeback", VM_ZERO, VM_NODE_ITEM },
	{ "nr_shmem", VM_ZERO, VM_NODE_ITEM },
	{ "nr_shmem_hugepages", VM_ZERO, VM_NODE_ITEM },
	{ "nr_shmem_pmdmapped", VM_ZERO, VM_NODE_ITEM },
	{ "nr_file_hugepages", VM_ZERO, VM_NODE_ITEM },
	{ "nr_file_pmdmapped", VM_ZERO, VM_NODE_ITEM },
	{ "nr_anon_transparent_hugepages", VM_ZERO, VM_NODE_ITEM },
	{ "nr_vmscan_write", VM_ZERO, VM_NODE_ITEM },
	{ "nr_vmscan_immediate_reclaim", VM_ZERO, VM_NODE_ITEM },
	{ "nr_dirtied", VM_ZERO, VM_NODE_ITEM },
	{ "nr_written", VM_ZERO, VM_NODE_ITEM },
	{ "nr_throttled_written", VM_ZERO, VM_NODE_ITEM },
	{ "nr_kernel_misc_reclaimable", VM_ZERO, VM_NODE_ITEM },
	{ "nr_foll_pin_acquired", VM_ZERO, VM_NODE_ITEM },
	{ "nr_foll_pin_released", VM_ZERO, VM_NODE_ITEM },
	{ "nr_kernel_stack", VM_STACK_KB, VM_NODE_ITEM },
	{ "nr_page_table_pages", VM_PAGETABLE, VM_NODE_ITEM },
	{ "nr_sec_page_table_pages", VM_ZERO, VM_NODE_ITEM },
	{ "nr_iommu_pages", VM_ZERO, VM_NODE_ITEM },
	{ "nr_swapcached", VM_ZERO, VM_NODE_ITEM },
	{ "pgpromote_success", VM_ZERO, VM_NODE_ITEM },
	{ "pgpromote_candidate", VM_ZERO, VM_NODE_ITEM },
	{ "pgpromote_candidate_nrl", VM_ZERO, VM_NODE_ITEM },
	{ "pgdemote_kswapd", VM_ZERO, VM_NODE_ITEM },
	{ "pgdemote_direct", VM_ZERO, VM_NODE_ITEM },
	{ "pgdemote_khugepaged", VM_ZERO, VM_NODE_ITEM },
	{ "pgdemote_proactive", VM_ZERO, VM_NODE_ITEM },
	{ "nr_hugetlb", VM_HUGETLB, VM_NODE_ITEM },
	{ "nr_balloon_pages", VM_ZERO, VM_NODE_ITEM },
	{ "nr_kernel_file_pages", VM_ZERO, VM_NODE_ITEM },
};

/* the counters one zone adds to its node's (zoneinfo shows them per zone) */
static void zone_vm_counters(const struct hm_zone_info *zi, unsigned long v[VM_NR_SRC])
{
	v[VM_FREE] += zi->nr_free;
	/* NR_FREE_PAGES_BLOCKS: free pages in chunks of a pageblock or more */
	for (int k = HM_PAGEBLOCK_ORDER; k <= HM_MAX_PAGE_ORDER; k++)
		v[VM_FREE_BLOCKS] += zi->free_area[k] << k;
	v[VM_ANON] += zone_anon(zi);
	v[VM_SLAB_R] += zi->nr_slab_reclaimable;
	v[VM_SLAB_U] += zone_slab_unreclaimable(zi);
	v[VM_STACK_KB] += PG_KB(zi->nr_kernel_stack); /* NR_KERNEL_STACK_KB */
	v[VM_PAGETABLE] += zi->nr_page_table_pages;
	for (int i = 0; i < HM_NR_NUMA_EVENTS; i++)
		v[VM_NUMA + i] += zi->numa_events[i];
}

/* a node's zones and what zoneinfo_show_print() derives from them */
struct zoneinfo_node {
	struct hm_zone_info zi[HM_MAX_NR_ZONES];
	bool have[HM_MAX_NR_ZONES];
	int first_populated;	/* is_zone_first_populated()'s zone, or -1 */
};

/* a node's zones, and which is its first populated one */
static void zoneinfo_node_get(struct hmfs_ctx *ctx, int nid, struct zoneinfo_node *zn)
{
	zn->first_populated = -1;
	for (int zid = 0; zid < HM_MAX_NR_ZONES; zid++) {
		zn->have[zid] = !hotmem_zone_info(ctx->hm, nid, zid, &zn->zi[zid]);
		if (zn->have[zid] && zn->zi[zid].populated && zn->first_populated < 0)
			zn->first_populated = zid;
	}
}

/* a node's counters, added to @v: its zones' and its huge pages' */
static void node_vm_counters(const struct zoneinfo_node *zn, unsigned long hugepages_total,
			     unsigned long v[VM_NR_SRC])
{
	for (int zid = 0; zid < HM_MAX_NR_ZONES; zid++)
		if (zn->have[zid])
			zone_vm_counters(&zn->zi[zid], v);
	v[VM_HUGETLB] += hugepages_total * 512; /* NR_HUGETLB: base pages */
}

/* a node's counters, its zones summed (0: the node is not possible) */
static int node_vm_get(struct hmfs_ctx *ctx, int nid, unsigned long v[VM_NR_SRC])
{
	struct zoneinfo_node zn = { 0 };
	struct hm_node_info ni;

	if (hotmem_node_info(ctx->hm, nid, &ni))
		return -1;
	zoneinfo_node_get(ctx, nid, &zn);
	node_vm_counters(&zn, ni.hugepages_total, v);
	return 0;
}

static void show_node_vmstat(struct hmfs_ctx *ctx, int nid, struct hmfs_out *o)
{
	unsigned long v[VM_NR_SRC] = { 0 };

	if (node_vm_get(ctx, nid, v))
		return;
	for (size_t i = 0; i < sizeof(node_vmstat_items) / sizeof(node_vmstat_items[0]); i++)
		emit(o, "%s %lu\n", node_vmstat_items[i].name, v[node_vmstat_items[i].src]);
}

/*
 * drivers/base/node.c node_read_numastat() (6.12): the node's zones' NUMA
 * events summed, and nothing else of node_vm_get()'s (no node info, no
 * other counter).  Zone 0 refused: the node is not possible, nothing shown.
 */
static void show_node_numastat(struct hmfs_ctx *ctx, int nid, struct hmfs_out *o)
{
	unsigned long ev[HM_NR_NUMA_EVENTS] = { 0 };
	struct hm_zone_info zi;

	for (int zid = 0; zid < HM_MAX_NR_ZONES; zid++) {
		if (hotmem_zone_info(ctx->hm, nid, zid, &zi))
			return;
		for (int i = 0; i < HM_NR_NUMA_EVENTS; i++)
			ev[i] += zi.numa_events[i];
	}
	emit(o,
	     "numa_hit %lu\nnuma_miss %lu\nnuma_foreign %lu\n"
	     "interleave_hit %lu\nlocal_node %lu\nother_node %lu\n",
	     ev[HM_NUMA_HIT], ev[HM_NUMA_MISS], ev[HM_NUMA_FOREIGN], ev[HM_NUMA_INTERLEAVE_HIT],
	     ev[HM_NUMA_LOCAL], ev[HM_NUMA_OTHER]);
}

/*
 * cpumap_read(), cpulist_read() (drivers/base/node.c, 6.18): the node's
 * online CPUs, "%*pb\n" or "%*pbl\n" over nr_cpu_ids, whole at any
 * offset (bitmap_print_to_buf(): the text printed, then the read's
 * slice of it) -- a cpulist of thousands of CPUs is longer than a page.
 * lib/bitmap-str.c hands out the terminating NUL too (strlen() + 1); a
 * 6.18.44 host's read() never returns it (fixtures/reference: b'0-1\n'),
 * and neither do we.
 */
static void show_node_cpus(struct hmfs_ctx *ctx, int nid, bool list, struct hmfs_out *o)
{
	size_t len = (size_t)ctx->cpus.nr_cpu_ids / 8 + 1;
	unsigned char *mask = calloc(len, 1);

	if (!mask)
		return;
	hmfs_node_cpumask(ctx, nid, mask, len);
	if (o->off < o->len)
		emitted(o, list ? hmfs_nodelist(mask, ctx->cpus.nr_cpu_ids, o->buf + o->off,
						o->len - o->off) :
				  hmfs_bitmap_hex(mask, ctx->cpus.nr_cpu_ids, o->buf + o->off,
						  o->len - o->off));
	free(mask);
}

/* node_read_distance(): node_distance() to each online node (the profile's SLIT, or 10/20) */
static void show_node_distance(struct hmfs_ctx *ctx, int nid, struct hmfs_out *o)
{
	for (int i = 0; i < hotmem_nr_possible_nodes(ctx->hm); i++) {
		struct hm_node_info ni;

		if (hotmem_node_info(ctx->hm, i, &ni) || !ni.online)
			continue;
		/* the kernel's "%s%d" with i ? " " : "": no space before node 0 only */
		emit(o, "%s%d", i ? " " : "", hotmem_node_distance(ctx->hm, nid, i));
	}
	emit(o, "\n");
}

/* mm/memory-failure.c MF_ATTR_RO(): a node's struct memory_failure_stats */
static void show_node_mf(struct hmfs_ctx *ctx, const struct hmfs_node *n, struct hmfs_out *o)
{
	struct hm_node_info ni;

	if (hotmem_node_info(ctx->hm, (int)n->id, &ni))
		return;
	emit(o, "%lu\n", n->attr == A_N_MF_TOTAL	    ? ni.mf_total :
			  n->attr == A_N_MF_IGNORED ? ni.mf_ignored :
			  n->attr == A_N_MF_FAILED  ? ni.mf_failed :
			  n->attr == A_N_MF_DELAYED ? ni.mf_delayed :
						      ni.mf_recovered);
}

/* mm/hugetlb_sysfs.c: a node's nr_hugepages, free_hugepages, surplus_hugepages */
static void show_node_hugepages(struct hmfs_ctx *ctx, const struct hmfs_node *n, struct hmfs_out *o)
{
	struct hm_node_info ni;

	if (hotmem_node_info(ctx->hm, (int)n->id, &ni))
		return;
	emit(o, "%lu\n", n->attr == A_N_HP_NR ? ni.hugepages_total :
			  n->attr == A_N_HP_FREE ? ni.hugepages_free : 0UL);
}

/*
 * The global pool (6.18 mm/hugetlb_sysfs.c nr_hugepages_show_common()
 * with NUMA_NO_NODE: h->nr_huge_pages; free_hugepages_show(),
 * resv_hugepages_show(), surplus_hugepages_show(),
 * nr_overcommit_hugepages_show()) and its sysctls (mm/hugetlb_sysctl.c:
 * proc_doulongvec_minmax() of h->max_huge_pages, which
 * set_max_huge_pages() and dissolve_free_hugetlb_folio() keep at the
 * persistent count; h->nr_overcommit_huge_pages, as written).  Nothing
 * maps a huge page here: no reservation, no surplus page.
 */
static void show_hugetlb_global(struct hmfs_ctx *ctx, enum hmfs_attr a, struct hmfs_out *o)
{
	struct hm_meminfo mi;

	hotmem_meminfo(ctx->hm, &mi);
	switch (a) {
	case A_HP_NR:
	case A_HP_NR_MEMPOLICY:
	case A_SYSCTL_NR_HUGEPAGES:
	case A_SYSCTL_NR_HUGEPAGES_MEMPOLICY:
		emit(o, "%lu\n", mi.hugetlb_pages);
		break;
	case A_HP_FREE:
		emit(o, "%lu\n", mi.hugetlb_free);
		break;
	case A_HP_OVERCOMMIT:
	case A_SYSCTL_NR_OVERCOMMIT:
		emit(o, "%lu\n", hotmem_hugetlb_overcommit(ctx->hm));
		break;
	default:
		emit(o, "0\n");
		break;
	}
}

/*
 * zone->lowmem_reserve[j] (setup_per_zone_lowmem_reserve()): the pages zone
 * @zid keeps from allocations that could use zone @j above it -- the
 * engine's, which its allocator's watermark check uses (zone_lowmem_reserve())
 */
static unsigned long lowmem_reserve(const struct zoneinfo_node *zn, int zid, int j)
{
	return zn->zi[zid].lowmem_reserve[j];
}

/*
 * The pagesets of each online CPU, as 6.12-6.18's zoneinfo_show_print()
 * prints them: "high:" is pcp->high, not high_min.  Nothing sits on the
 * engine's per-CPU lists (it frees to the buddy at once), so count is 0;
 * pcp->high is 0 from setup_zone_pageset() until an allocation or free
 * goes through the pageset (nr_pcp_alloc()/nr_pcp_high() clamp it into
 * [high_min, high_max]), and then an idle kernel's decays to high_min
 * (decay_pcp_high()): the host's DMA (never used) shows 0, its DMA32
 * high_min.  A vm.percpu_pagelist_high_fraction write leaves it where it
 * was, clamped into the new limits (6.12.118: 572 kept at 0).  The
 * engine's zone says which (hm_zone_info.pcp_high), for every CPU alike.  batch, high_min, high_max and the vm stats
 * threshold are what the engine's zone_pcp_update() and
 * refresh_zone_stat_thresholds() last set (6.12 keeps them in the zone
 * and its per-CPU structs between setups), not worked out from the
 * managed pages of now: a managed count moved without a setup
 * (virtio-mem's sub-blocks, HVO) does not move them.
 */
static void show_zone_pagesets(struct hmfs_ctx *ctx, const struct hm_zone_info *zi,
			       struct hmfs_out *o)
{
	emit(o, "\n  pagesets");
	for (int cpu = 0; cpu < ctx->cpus.nr_cpu_ids; cpu++) {
		if (!(ctx->cpus.online[cpu / 8] & (1u << (cpu % 8))))
			continue;
		emit(o,
		     "\n    cpu: %i"
		     "\n              count:    %i"
		     "\n              high:     %li"
		     "\n              batch:    %li"
		     "\n              high_min: %li"
		     "\n              high_max: %li",
		     cpu, 0, zi->pcp_high, zi->pcp_batch,
		     zi->pcp_high_min, zi->pcp_high_max);
		emit(o, "\n  vm stats threshold: %d", zi->stat_threshold);
	}
}

/* the items of @kind, "%-12s %lu" each, as zoneinfo_show_print() prints them */
static void show_vm_items(struct hmfs_out *o, int kind, const unsigned long v[VM_NR_SRC])
{
	for (size_t i = 0; i < sizeof(node_vmstat_items) / sizeof(node_vmstat_items[0]); i++)
		if (node_vmstat_items[i].kind == kind)
			emit(o, "\n      %-12s %lu", node_vmstat_items[i].name,
			     v[node_vmstat_items[i].src]);
}

/*
 * mm/vmstat.c zoneinfo_show_print(), 6.18 (the host's: no
 * reserved_highatomic/free_highatomic lines, which came after): the
 * node's stats once, under "per-node stats" in its first populated zone
 * (is_zone_first_populated()); a zone's watermarks and protection; for a
 * populated zone its own stats, NUMA events and pagesets.
 */
static void show_zone(struct hmfs_ctx *ctx, struct hmfs_out *o, const struct zoneinfo_node *zn,
		      int zid, const unsigned long node_v[VM_NR_SRC])
{
	const struct hm_zone_info *zi = &zn->zi[zid];
	unsigned long v[VM_NR_SRC] = { 0 };

	emit(o, "Node %d, zone %8s", zi->nid, hmu_zone_name(zid));
	if (zid == zn->first_populated) {
		emit(o, "\n  per-node stats");
		show_vm_items(o, VM_NODE_ITEM, node_v);
	}
	emit(o,
	     "\n  pages free     %lu"
	     "\n        boost    %lu"
	     "\n        min      %lu"
	     "\n        low      %lu"
	     "\n        high     %lu"
	     "\n        promo    %lu"
	     "\n        spanned  %lu"
	     "\n        present  %lu"
	     "\n        managed  %lu"
	     "\n        cma      %lu",
	     /* min_wmark_pages() and the others: the marks with the boost on them */
	     zi->nr_free, zi->watermark_boost, zi->wmark_min + zi->watermark_boost,
	     zi->wmark_low + zi->watermark_boost, zi->wmark_high + zi->watermark_boost,
	     /* __setup_per_zone_wmarks(): WMARK_PROMO is high plus low's step */
	     zi->wmark_high + (zi->wmark_low - zi->wmark_min) + zi->watermark_boost, zi->spanned,
	     zi->present,
	     zi->managed, zi->cma_pages);
	emit(o, "\n        protection: (%lu", lowmem_reserve(zn, zid, 0));
	for (int j = 1; j < HM_MAX_NR_ZONES; j++)
		emit(o, ", %lu", lowmem_reserve(zn, zid, j));
	emit(o, ")");
	/* If unpopulated, no other information is useful */
	if (!zi->populated) {
		emit(o, "\n");
		return;
	}
	zone_vm_counters(zi, v);
	show_vm_items(o, VM_ZONE_ITEM, v);
	show_vm_items(o, VM_NUMA_ITEM, v);
	show_zone_pagesets(ctx, zi, o);
	emit(o,
	     "\n  node_unreclaimable:  %u"
	     "\n  start_pfn:           %lu\n",
	     zi->node_unreclaimable, zi->zone_start_pfn);
}

/* zoneinfo_show(): every zone of every online node, populated or not */
static void show_zoneinfo(struct hmfs_ctx *ctx, struct hmfs_out *o)
{
	struct zoneinfo_node *zn = calloc(1, sizeof(*zn));

	if (!zn)
		return;
	for (int nid = 0; nid < hotmem_nr_possible_nodes(ctx->hm); nid++) {
		unsigned long node_v[VM_NR_SRC] = { 0 };
		struct hm_node_info ni;

		if (hotmem_node_info(ctx->hm, nid, &ni) || !ni.online)
			continue;
		zoneinfo_node_get(ctx, nid, zn);
		node_vm_counters(zn, ni.hugepages_total, node_v);
		for (int zid = 0; zid < HM_MAX_NR_ZONES; zid++)
			if (zn->have[zid])
				show_zone(ctx, o, zn, zid, node_v);
	}
	free(zn);
}

/* proc_dointvec() reading an int vector (6.12): tab-separated, a newline after the last */
static void show_lowmem_reserve_ratio(struct hmfs_ctx *ctx, struct hmfs_out *o)
{
	int ratio[HM_MAX_NR_ZONES];

	hotmem_lowmem_reserve_ratio(ctx->hm, ratio);
	for (int i = 0; i < HM_MAX_NR_ZONES; i++)
		emit(o, "%s%d", i ? "\t" : "", ratio[i]);
	emit(o, "\n");
}

/*
 * mm/vmstat.c vmstat_start()/vmstat_show() (6.18): the zone, NUMA and
 * node items summed over the online nodes, from the zones zoneinfo and
 * nodeN/vmstat show (nr_free_pages is their "pages free" sum), then the
 * system-wide counters and the vm events (vmstat.c).
 */
static void show_vmstat(struct hmfs_ctx *ctx, struct hmfs_out *o)
{
	struct zoneinfo_node *zn = calloc(1, sizeof(*zn));
	unsigned long v[VM_NR_SRC] = { 0 };

	if (!zn)
		return;
	for (int nid = 0; nid < hotmem_nr_possible_nodes(ctx->hm); nid++) {
		struct hm_node_info ni;

		if (hotmem_node_info(ctx->hm, nid, &ni) || !ni.online)
			continue;
		zoneinfo_node_get(ctx, nid, zn);
		node_vm_counters(zn, ni.hugepages_total, v);
	}
	free(zn);
	for (size_t i = 0; i < sizeof(node_vmstat_items) / sizeof(node_vmstat_items[0]); i++)
		emit(o, "%s %lu\n", node_vmstat_items[i].name, v[node_vmstat_items[i].src]);
	/*
	 * totalreserve_pages as 6.12's last setup of the marks or the
	 * reserves summed them, boost included: not the marks and managed
	 * pages of now (reread42 R7)
	 */
	hmfs_vmstat_global(ctx->hm, v[VM_FREE], hotmem_totalreserve_pages(ctx->hm), o);
}

/* mm/vmstat.c frag_show_print(): each populated zone's free blocks per order */
static void show_buddyinfo(struct hmfs_ctx *ctx, struct hmfs_out *o)
{
	for (int nid = 0; nid < hotmem_nr_possible_nodes(ctx->hm); nid++) {
		struct hm_node_info ni;

		if (hotmem_node_info(ctx->hm, nid, &ni) || !ni.online)
			continue;
		for (int zid = 0; zid < HM_MAX_NR_ZONES; zid++) {
			struct hm_zone_info zi;

			if (hotmem_zone_info(ctx->hm, nid, zid, &zi) || !zi.populated)
				continue;
			emit(o, "Node %d, zone %8s ", nid, hmu_zone_name(zid));
			for (int k = 0; k <= HM_MAX_PAGE_ORDER; k++)
				emit(o, "%6lu ", zi.free_area[k]);
			emit(o, "\n");
		}
	}
}

/*
 * /proc/iomem (kernel/resource.c r_show()): "%08llx-%08llx : name", two
 * spaces a level; the RAM part of the tree (no PCI windows or ROMs).
 * @no_addrs: an opener without CAP_SYS_ADMIN, shown 0 for every start and
 * end as 6.12's r_show() does (the names and the tree's shape stay).
 * Never behind a guest's looping offline (r_show() takes resource_lock
 * alone): hmfs_iomem().
 */
static void show_iomem(struct hmfs_ctx *ctx, bool no_addrs, struct hmfs_out *o)
{
	struct hm_iomem_entry few[256], *ents = few;
	size_t max = sizeof(few) / sizeof(few[0]), n;

	/* as many entries as the resource tree has: 256 slots' DIMMs and more */
	while ((n = hmfs_iomem(ctx, ents, max)) > max) {
		if (ents != few)
			free(ents);
		max = n + 16;
		ents = malloc(max * sizeof(*ents));
		if (!ents) {
			ents = few;
			n = max = sizeof(few) / sizeof(few[0]);
			hmfs_iomem(ctx, ents, max);
			break;
		}
	}
	for (size_t i = 0; i < n; i++)
		emit(o, "%*s%08llx-%08llx : %s\n", ents[i].depth * 2, "",
		     no_addrs ? 0ULL : (unsigned long long)ents[i].start,
		     no_addrs ? 0ULL : (unsigned long long)ents[i].end, ents[i].name);
	if (ents != few)
		free(ents);
}

static void show_nodemask(struct hmfs_ctx *ctx, enum hmfs_attr a, struct hmfs_out *o)
{
	unsigned char mask[HM_MAX_NUMNODES / 8] = { 0 }, cpus[8192 / 8];
	int nr = hotmem_nr_possible_nodes(ctx->hm);

	for (int nid = 0; nid < nr; nid++) {
		struct hm_node_info ni;
		bool set = false;

		if (hotmem_node_info(ctx->hm, nid, &ni))
			continue;
		switch (a) {
		case A_NODE_POSSIBLE:
			set = true;
			break;
		case A_NODE_ONLINE:
			set = ni.online;
			break;
		case A_NODE_HAS_MEMORY:
			set = ni.has_memory;
			break;
		case A_NODE_HAS_NORMAL:
			set = ni.has_normal_memory;
			break;
		case A_NODE_HAS_CPU: /* N_CPU: an online CPU on it (nodecpu.c) */
			set = hmfs_node_cpumask(ctx, nid, cpus, sizeof(cpus)) > 0;
			break;
		default:
			break;
		}
		if (set)
			mask[nid / 8] |= (unsigned char)(1u << (nid % 8));
	}
	if (o->off < o->len)
		emitted(o, hmfs_nodelist(mask, nr, o->buf + o->off, o->len - o->off));
}

static int show_block(struct hmfs_ctx *ctx, const struct hmfs_node *n, struct hmfs_out *o)
{
	struct hm_block_info bi;
	int ret;

	/* kernfs: an attribute of a removed device reads ENODEV */
	if (hotmem_block_info(ctx->hm, n->id, &bi))
		return -ENODEV;
	switch (n->attr) {
	case A_B_ONLINE:
		emit(o, "%d\n", bi.state != HM_MEM_OFFLINE);
		break;
	case A_B_PHYS_DEVICE:
		emit(o, "0\n");
		break;
	case A_B_PHYS_INDEX:
		emit(o, "%08lx\n", bi.id);
		break;
	case A_B_REMOVABLE:
		emit(o, "%d\n", bi.removable);
		break;
	case A_B_STATE:
		emit(o, "%s\n", hotmem_state_name(bi.state));
		break;
	case A_B_VALID_ZONES:
		ret = hotmem_block_valid_zones(ctx->hm, n->id, o->buf, o->len);
		if (ret < 0)
			return ret;
		o->off = (size_t)ret;
		break;
	default:
		break;
	}
	return 0;
}

/*
 * A DIMM slot's PNP0C80:xx (drivers/acpi/device_sysfs.c, 6.12; QEMU's
 * MPxx: _UID "0xNN", _STA 0xF with a DIMM, 0 without).  modalias is empty
 * until the kernel once saw the slot present (create_pnp_modalias()).
 */
static void show_acpi_slot(struct hmfs_ctx *ctx, const struct hmfs_node *n, struct hmfs_out *o)
{
	struct hmfs_acpi_slot s = { 0 };
	const char *modalias;

	hmfs_acpi_slot_get(ctx, (int)n->id, &s);
	modalias = s.enumerated ? "acpi:PNP0C80:" : "";
	switch (n->attr) {
	case A_ACPI_HID:
		emit(o, "PNP0C80\n");
		break;
	case A_ACPI_MODALIAS:
		if (*modalias)
			emit(o, "%s\n", modalias);
		break;
	case A_ACPI_PATH:
		emit(o, "\\_SB_.MHPC.MP%02lX\n", n->id);
		break;
	case A_ACPI_STATUS:
		emit(o, "%d\n", s.present ? 15 : 0);
		break;
	case A_ACPI_SLOT_UEVENT:
		emit(o, "MODALIAS=%s\n", modalias);
		break;
	case A_ACPI_UID:
		emit(o, "0x%02lX\n", n->id);
		break;
	default:
		break;
	}
}

/*
 * rtpm_enabled_show() (CONFIG_PM_ADVANCED_DEBUG): runtime PM is never
 * enabled on these devices (disable_depth 1, as runtime_status's
 * "unsupported" says); power/control "on" (runtime_auto cleared) adds
 * "forbidden"
 */
static const char *pm_runtime_enabled_name(struct hmfs_ctx *ctx, const struct hmfs_node *n)
{
	struct hmfs_node control;

	hmfs_power_sibling(n, A_PWR_CONTROL, &control);
	return hmfs_pm_runtime_forbidden(ctx, &control) ? "disabled & forbidden" : "disabled";
}

int hmfs_show(struct hmfs_ctx *ctx, const struct hmfs_node *n, char *buf, size_t len)
{
	struct hmfs_out o = { buf, len, 0 };
	int ret = 0;

	buf[0] = '\0';
	/* a write-only attribute has no show: dev_attr_show(), bus_attr_show() say EIO */
	if (!(n->mode & 0444))
		return -EIO;
	switch (n->attr) {
	case A_AUTO_ONLINE:
		emit(&o, "%s\n", hmu_online_type_name(hotmem_get_auto_online(ctx->hm)));
		break;
	case A_BLOCK_SIZE:
		emit(&o, "%llx\n", (unsigned long long)ctx->block_size);
		break;
	case A_PWR_AUTOSUSPEND:
		return -EIO; /* use_autosuspend is off for memory blocks */
	case A_PWR_CONTROL:
		emit(&o, "%s\n", hmfs_pm_runtime_forbidden(ctx, n) ? "on" : "auto");
		break;
	case A_PWR_ACTIVE_TIME:
	case A_PWR_SUSPENDED_TIME:
		emit(&o, "0\n");
		break;
	case A_PWR_STATUS:
		emit(&o, "unsupported\n");
		break;
	case A_PWR_ASYNC: /* async_show(): device_async_suspend_enabled() */
		emit(&o, "%s\n", hmfs_pm_async_enabled(ctx, n) ? "enabled" : "disabled");
		break;
	case A_PWR_USAGE: /* rtpm_usagecount_show(): no driver holds a usage count */
	case A_PWR_ACTIVE_KIDS: /* rtpm_children_show(): no child is runtime-active */
		emit(&o, "0\n");
		break;
	case A_PWR_ENABLED:
		emit(&o, "%s\n", pm_runtime_enabled_name(ctx, n));
		break;
	case A_NODE_HAS_GI:
		emit(&o, "\n");
		break;
	case A_NODE_HAS_CPU:
	case A_NODE_HAS_MEMORY:
	case A_NODE_HAS_NORMAL:
	case A_NODE_ONLINE:
	case A_NODE_POSSIBLE:
		show_nodemask(ctx, n->attr, &o);
		break;
	case A_BUS_AUTOPROBE:
		emit(&o, "%d\n", hmfs_bus_autoprobe(ctx, n->snode));
		break;
	case A_P_NUMA_AWARE:
		emit(&o, "%c\n", hotmem_get_auto_movable_numa_aware(ctx->hm) ? 'Y' : 'N');
		break;
	case A_P_RATIO:
		emit(&o, "%u\n", hotmem_get_auto_movable_ratio(ctx->hm));
		break;
	case A_P_MEMMAP:	/* get_memmap_on_memory_param() */
		emit(&o, "%s\n", hotmem_memmap_on_memory_name(hotmem_get_memmap_on_memory(ctx->hm)));
		break;
	case A_P_POLICY:
		emit(&o, "%s\n", hotmem_online_policy_name(hotmem_get_online_policy(ctx->hm)));
		break;
	case A_P_VMEM_UNPLUG_ONLINE: /* param_get_bool() */
		emit(&o, "%c\n", hotmem_get_virtio_mem_unplug_online(ctx->hm) ? 'Y' : 'N');
		break;
	case A_P_VMEM_FORCE_BBM: /* 0444: the command line's */
		emit(&o, "%c\n", hotmem_get_config(ctx->hm)->virtio_mem_force_bbm ? 'Y' : 'N');
		break;
	case A_P_VMEM_BBM_BLOCK_SIZE: /* param_get_ulong() */
		emit(&o, "%llu\n",
		     (unsigned long long)hotmem_get_config(ctx->hm)->virtio_mem_bbm_block_size);
		break;
	case A_MEMINFO:
		show_meminfo(ctx, &o);
		break;
	case A_ZONEINFO:
		show_zoneinfo(ctx, &o);
		break;
	case A_BUDDYINFO:
		show_buddyinfo(ctx, &o);
		break;
	case A_VMSTAT:
		show_vmstat(ctx, &o);
		break;
	case A_CMDLINE:
		emit(&o, "%s\n", ctx->cfg.cmdline);
		break;
	case A_IOMEM:
		show_iomem(ctx, n->iomem_no_addrs, &o);
		break;
	case A_PAGETYPEINFO:
		hmfs_pagetypeinfo(ctx->hm, &o);
		break;
	case A_BOOT_ID: /* proc_do_uuid(): "%pU" and a newline */
		emit(&o, "%s\n", ctx->boot_id);
		break;
	case A_SYSCTL_MIN_FREE_KBYTES: /* proc_dointvec(): "%d\n" of an int */
		emit(&o, "%lu\n", hotmem_min_free_kbytes(ctx->hm));
		break;
	case A_SYSCTL_WATERMARK_BOOST_FACTOR: /* proc_dointvec_minmax(): "%d\n" */
		emit(&o, "%d\n", hotmem_watermark_boost_factor(ctx->hm));
		break;
	case A_SYSCTL_WATERMARK_SCALE_FACTOR:
		emit(&o, "%d\n", hotmem_watermark_scale_factor(ctx->hm));
		break;
	case A_SYSCTL_PERCPU_PAGELIST_HIGH_FRACTION: /* proc_dointvec_minmax(): "%d\n" */
		emit(&o, "%d\n", hotmem_percpu_pagelist_high_fraction(ctx->hm));
		break;
	case A_SYSCTL_LOWMEM_RESERVE_RATIO:
		show_lowmem_reserve_ratio(ctx, &o);
		break;
	case A_SYSCTL_HUGETLB_OPTIMIZE_VMEMMAP: /* proc_dobool(): "%d\n" */
		emit(&o, "%d\n", hotmem_hugetlb_optimize_vmemmap(ctx->hm) ? 1 : 0);
		break;
	case A_SYSCTL_USER_RESERVE:
		emit(&o, "%lu\n", hotmem_user_reserve_kbytes(ctx->hm));
		break;
	case A_SYSCTL_ADMIN_RESERVE:
		emit(&o, "%lu\n", hotmem_admin_reserve_kbytes(ctx->hm));
		break;
	case A_KPAGEFLAGS:
	case A_KPAGECOUNT:
		ret = -EINVAL;	/* no text: read at offsets (kpage.c), never shown */
		break;
	case A_FW_START:
	case A_FW_END:
	case A_FW_TYPE: {
		struct hm_fwmap_entry fe;

		/* drivers/firmware/memmap.c: start_show(), end_show(), type_show() */
		if (!hmfs_fwmap_entry(ctx, n->id, &fe))
			return -ENODEV;
		if (n->attr == A_FW_TYPE)
			emit(&o, "%s\n", fe.type);
		else
			emit(&o, "0x%llx\n",
			     (unsigned long long)(n->attr == A_FW_START ? fe.start : fe.end));
		break;
	}
	case A_CRASH_HOTPLUG:
		/* crash_check_hotplug_support(): no kdump kernel is loaded here */
		emit(&o, "0\n");
		break;
	case A_INJ_GOING_ONLINE:
		emit(&o, "%d\n", hotmem_get_notifier_error(ctx->hm, HM_MEM_GOING_ONLINE));
		break;
	case A_INJ_GOING_OFFLINE:
		emit(&o, "%d\n", hotmem_get_notifier_error(ctx->hm, HM_MEM_GOING_OFFLINE));
		break;
	case A_B_ONLINE:
	case A_B_PHYS_DEVICE:
	case A_B_PHYS_INDEX:
	case A_B_REMOVABLE:
	case A_B_STATE:
	case A_B_VALID_ZONES:
		ret = show_block(ctx, n, &o);
		break;
	case A_N_MEMINFO:
		show_node_meminfo(ctx, (int)n->id, &o);
		break;
	case A_N_NUMASTAT:
		show_node_numastat(ctx, (int)n->id, &o);
		break;
	case A_N_VMSTAT:
		show_node_vmstat(ctx, (int)n->id, &o);
		break;
	case A_N_CPUMAP:
	case A_N_CPULIST:
		show_node_cpus(ctx, (int)n->id, n->attr == A_N_CPULIST, &o);
		break;
	case A_N_DISTANCE:
		show_node_distance(ctx, (int)n->id, &o);
		break;
	case A_N_HP_NR:
	case A_N_HP_FREE:
	case A_N_HP_SURPLUS:
		show_node_hugepages(ctx, n, &o);
		break;
	case A_N_MF_TOTAL:
	case A_N_MF_IGNORED:
	case A_N_MF_FAILED:
	case A_N_MF_DELAYED:
	case A_N_MF_RECOVERED:
		show_node_mf(ctx, n, &o);
		break;
	case A_HP_NR:
	case A_HP_NR_MEMPOLICY:
	case A_HP_OVERCOMMIT:
	case A_HP_FREE:
	case A_HP_RESV:
	case A_HP_SURPLUS:
	case A_SYSCTL_NR_HUGEPAGES:
	case A_SYSCTL_NR_HUGEPAGES_MEMPOLICY:
	case A_SYSCTL_NR_OVERCOMMIT:
		show_hugetlb_global(ctx, n->attr, &o);
		break;
	case A_TEXT:
	case A_ACPI_UEVENT:
		emit(&o, "%s", ctx->snodes[n->snode].text);
		break;
	case A_CONTAINER_ONLINE:
		emit(&o, "%d\n", hmfs_acpi_container_online(ctx));
		break;
	case A_ACPI_HID:
	case A_ACPI_MODALIAS:
	case A_ACPI_PATH:
	case A_ACPI_STATUS:
	case A_ACPI_SLOT_UEVENT:
	case A_ACPI_UID:
		show_acpi_slot(ctx, n, &o);
		break;
	default: /* uevent files read empty */
		break;
	}
	return ret < 0 ? ret : (int)o.off;
}

/*
 * drivers/char/random.c proc_do_uuid() (6.12): boot_id is made once per
 * boot by generate_random_uuid() -- 16 random bytes, the version nibble
 * 4 (byte 6) and the variant bits 10 (byte 8) -- and printed "%pU":
 * lowercase, 8-4-4-4-12.  The machine's one: hotmemfs makes it when it
 * makes the machine, not at every read as the kernel's random/uuid.
 */
bool hmfs_boot_id_make(char *buf)
{
	unsigned char u[16];
	size_t got = 0;
	char *p = buf;

	while (got < sizeof(u)) {
		ssize_t n = getrandom(u + got, sizeof(u) - got, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		got += (size_t)n;
	}
	u[6] = (u[6] & 0x0F) | 0x40;
	u[8] = (u[8] & 0x3F) | 0x80;
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*p++ = '-';
		p += sprintf(p, "%02x", u[i]);
	}
	return true;
}

bool hmfs_boot_id_valid(const char *s)
{
	if (!s || strlen(s) != HMFS_BOOT_ID_LEN)
		return false;
	for (int i = 0; i < HMFS_BOOT_ID_LEN; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return false;
	}
	return true;
}

enum hmfs_open_ops hmfs_attr_open_ops(enum hmfs_attr a)
{
	/*
	 * every /proc/sys file: proc_sys_open() checks nothing past the VFS's
	 * permission (hugetlb_optimize_vmemmap, registered from
	 * mm/hugetlb_vmemmap.c, was missing from a list of its own)
	 */
	if (hmfs_attr_is_sysctl(a))
		return HMFS_OPS_VFS;
	switch (a) {
	case A_N_CPUMAP:
	case A_N_CPULIST: /* 6.18: BIN_ATTR_RO(cpumap), BIN_ATTR_RO(cpulist) */
	case A_FW_START:
	case A_FW_END:
	case A_FW_TYPE: /* memmap_attr_ops: .show only */
		return HMFS_OPS_AS_MODE;
	case A_MEMINFO:
	case A_ZONEINFO:
	case A_BUDDYINFO:
	case A_VMSTAT:
	case A_IOMEM:
	case A_CMDLINE:
	case A_INJ_GOING_ONLINE:
	case A_INJ_GOING_OFFLINE:
	case A_PAGETYPEINFO:
	case A_KPAGEFLAGS:
	case A_KPAGECOUNT:
		return HMFS_OPS_VFS;
	default:
		return HMFS_OPS_SYSFS;
	}
}

bool hmfs_attr_is_seq(enum hmfs_attr a)
{
	if (hmfs_attr_is_sysctl(a)) /* procfs: st_size 0, DEFAULT_POLLMASK */
		return true;
	switch (a) {
	case A_MEMINFO:
	case A_ZONEINFO:
	case A_BUDDYINFO:
	case A_VMSTAT:
	case A_IOMEM:
	case A_CMDLINE:
	case A_PAGETYPEINFO:
	case A_BOOT_ID:
	case A_KPAGEFLAGS:
	case A_KPAGECOUNT:
		return true;
	default:
		return false;
	}
}

bool hmfs_attr_is_bin(enum hmfs_attr a)
{
	return a == A_N_CPUMAP || a == A_N_CPULIST;
}

/*
 * include/linux/cpumask.h: CPUMAP_FILE_MAX_BYTES, CPULIST_FILE_MAX_BYTES,
 * the sizes node.c gives BIN_ATTR_RO(cpumap) and (cpulist): 9 characters
 * per 32 CPUs, 7 per two CPUs of a list, at least a page.
 */
static off_t cpumask_file_max_bytes(long nr_cpus, bool list)
{
	long want = list ? nr_cpus * 7 / 2 : nr_cpus * 9 / 32;

	if (want <= HMFS_PAGE_SIZE)
		return HMFS_PAGE_SIZE;
	return list ? want : want - 1;
}

off_t hmfs_attr_size(const struct hmfs_ctx *ctx, enum hmfs_attr a)
{
	if (hmfs_attr_is_seq(a))
		return 0;
	if (hmfs_attr_is_bin(a))
		return cpumask_file_max_bytes(ctx->cpus.nr_cpus, a == A_N_CPULIST);
	return HMFS_PAGE_SIZE;
}

/* seq_read() grows its buffer until a record fits; the text's cap is ours */
#define HMFS_SEQ_MAX (16UL << 20)

int hmfs_show_seq(struct hmfs_ctx *ctx, const struct hmfs_node *n, char **out, size_t *len)
{
	size_t size = 4 * HMFS_PAGE_SIZE;

	for (;;) {
		char *buf = malloc(size);
		int ret;

		if (!buf)
			return -ENOMEM;
		ret = hmfs_show(ctx, n, buf, size);
		if (ret < 0) {
			free(buf);
			return ret;
		}
		/* emit() stops at size - 1: a text that reached it may be cut */
		if ((size_t)ret + 1 < size || size >= HMFS_SEQ_MAX) {
			*out = buf;
			*len = (size_t)ret;
			return 0;
		}
		free(buf);
		size *= 2;
	}
}

/* ---- stores ---------------------------------------------------------- */

/* a store's change: the count consumed, or the errno */
static ssize_t store_change(struct hmfs_ctx *ctx, const struct hmfs_change *ch, size_t count)
{
	int ret = hmfs_change(ctx, ch, NULL, 0);

	return ret < 0 ? ret : (ssize_t)count;
}

/*
 * kobject_synth_uevent()'s warning for a write it refused (@err): the
 * machine's log says which part was wrong, as the kernel's (usereye7 #11l),
 * and a device's file (@dev_bus not NULL: its bus or class, "" for none)
 * adds uevent_store()'s dev_err() line (reread38 R4)
 */
static int synth_uevent_refused(struct hmfs_ctx *ctx, const char *devpath, const char *dev_bus,
				const char *buf, size_t count, int err)
{
	const char *args;

	hotmem_synth_uevent_failed(ctx->hm, devpath,
				   hmfs_synth_uevent_action(buf, count, &args) < 0 ? HM_SYNTH_UEVENT_ACTION :
				   err == -EINVAL ? HM_SYNTH_UEVENT_ARGS : HM_SYNTH_UEVENT_SEND,
				   dev_bus, err);
	return err;
}

/*
 * kobject_synth_uevent(): "ACTION [UUID [KEY=VALUE ...]]" of @devpath;
 * @subsys NULL: a device of no bus or class, whose event the kernel drops.
 * @device: a device's uevent file (uevent_store()), not a bus's
 * (bus_uevent_store()), which logs no dev_err() of a refusal.
 */
static ssize_t store_uevent(struct hmfs_ctx *ctx, const char *devpath, const char *subsys,
			    bool device, const char *buf, size_t count)
{
	char env[HMFS_SYNTH_ENV_SIZE];
	size_t env_len;
	int action = hmfs_synth_uevent_parse(buf, count, env, sizeof(env), &env_len), ret = 0;

	/* kobject_uevent_env()'s -ENOMEM (hmfs_emit_uevent()) said as any failed send */
	if (action >= 0 && subsys)
		ret = hmfs_emit_uevent(ctx, hmu_kobject_action_name(action), devpath, subsys, env,
				       env_len);
	if (action < 0 || ret)
		return synth_uevent_refused(ctx, devpath, !device ? NULL : subsys ? subsys : "",
					    buf, count, action < 0 ? action : ret);
	return (ssize_t)count;
}

/*
 * An ACPI device's uevent file: kobject_synth_uevent(), the SYNTH_
 * variables, then what acpi_device_uevent() adds (@modalias: its
 * "MODALIAS=..." line as the file shows it).
 */
static ssize_t store_acpi_uevent(struct hmfs_ctx *ctx, const char *devpath, const char *subsys,
				 const char *modalias, const char *buf, size_t count)
{
	char env[HMFS_SYNTH_ENV_SIZE + 64];
	size_t env_len, mlen = strcspn(modalias, "\n");
	int action = hmfs_synth_uevent_parse(buf, count, env, HMFS_SYNTH_ENV_SIZE, &env_len), ret;

	/* an ACPI device's bus or class: @subsys, never NULL (acpi, container) */
	if (action < 0)
		return synth_uevent_refused(ctx, devpath, subsys ? subsys : "", buf, count, action);
	/*
	 * acpi_device_uevent()'s MODALIAS after the SYNTH_ variables, in
	 * kobject_uevent_env()'s one buffer with them: one past it is -ENOMEM
	 * (hmfs_emit_uevent()), which kobject_synth_uevent() says as any
	 * failed send ("failed to send uevent") and uevent_store() with its
	 * dev_err() (6.12).  Past this copy's bytes it is past that buffer too.
	 */
	ret = env_len + mlen + 1 > sizeof(env) ? -ENOMEM : 0;
	if (!ret && mlen) {
		memcpy(env + env_len, modalias, mlen);
		env[env_len + mlen] = '\0';
		env_len += mlen + 1;
	}
	if (!ret)
		ret = hmfs_emit_uevent(ctx, hmu_kobject_action_name(action), devpath, subsys, env,
				       env_len);
	if (ret)
		return synth_uevent_refused(ctx, devpath, subsys ? subsys : "", buf, count, ret);
	return (ssize_t)count;
}

/* a static device's bus or class: its "subsystem" link's last name (acpi, container) */
static const char *snode_subsystem(struct hmfs_ctx *ctx, int dir)
{
	for (int c = ctx->snodes[dir].first_child; c >= 0; c = ctx->snodes[c].next_sibling)
		if (!strcmp(ctx->snodes[c].name, "subsystem"))
			return strrchr(ctx->snodes[c].target, '/') + 1;
	return NULL;
}

/*
 * eject_store(): "1" ejects the slot's DIMM as QEMU's device_del would have
 * the guest do (acpi_scan_hot_remove(): offline, remove, _EJ0, and QEMU
 * takes the DIMM away).  As the kernel (acpi_hotplug_schedule(), 6.12) the
 * eject is queued and the write returns at once; it succeeds whatever
 * becomes of the eject: a refused one shows in the _OST status and dmesg.
 * An empty slot has no scan handler attached: ENODEV; so has a DIMM's
 * whose device check has not run (its add queued behind a guest's
 * offline: acpi_scan_attach_handler() not yet, 6.12), and one's the guest
 * refused (its handler's attach failed: device->handler NULL again;
 * acpi_eject_store(): no handler, no driver).
 */
static ssize_t store_acpi_eject(struct hmfs_ctx *ctx, const struct hmfs_node *n, const char *buf,
				size_t count)
{
	struct hmfs_acpi_slot s = { 0 };
	char id[64];
	int ret;

	if (!count || buf[0] != '1')
		return -EINVAL;
	if (!hmfs_acpi_slot_get(ctx, (int)n->id, &s) || !s.present || !s.attached ||
	    hmfs_dev_dimm_in_slot_nowait(ctx, (int)n->id, id, sizeof(id)))
		return -ENODEV;
	ret = hmfs_acpi_hotplug_schedule(ctx, (int)n->id, HM_ACPI_OST_EC_OSPM_EJECT, NULL);
	return ret ? ret : (ssize_t)count;
}

static ssize_t store_acpi(struct hmfs_ctx *ctx, const struct hmfs_node *n, const char *buf,
			  size_t count)
{
	char devpath[128], line[64];

	if (n->attr == A_ACPI_UEVENT) {
		int dir = ctx->snodes[n->snode].parent;

		hmfs_snode_devpath(ctx, dir, devpath, sizeof(devpath));
		return store_acpi_uevent(ctx, devpath, snode_subsystem(ctx, dir),
					 ctx->snodes[n->snode].text, buf, count);
	}
	/* A_ACPI_SLOT_UEVENT */
	snprintf(devpath, sizeof(devpath), "/devices/%s/PNP0C80:%02lx", HMFS_ACPI_MHPC, n->id);
	show_acpi_slot(ctx, n, &(struct hmfs_out){ line, sizeof(line), 0 });
	return store_acpi_uevent(ctx, devpath, "acpi", line, buf, count);
}

bool hmfs_offline_refused(struct hmfs_ctx *ctx, const struct hm_block_info *bi, char *buf,
			  size_t len)
{
	int inject;

	if (bi->offline_cause != HM_OFFLINE_CAUSE_NOTIFIER)
		return false;
	inject = hotmem_get_notifier_error(ctx->hm, HM_MEM_GOING_OFFLINE);
	if (inject)
		snprintf(buf, len,
			 "a memory notifier refused it: notifier-error-inject MEM_GOING_OFFLINE is %d; `hotmemctl inject MEM_GOING_OFFLINE 0` clears it",
			 inject);
	else
		snprintf(buf, len,
			 "a memory notifier refused it (a driver's MEM_GOING_OFFLINE callback); `hotmemctl dmesg` has the kernel's messages");
	return true;
}

/*
 * An offline that failed: the write only says EBUSY or EINTR, so the log
 * says where the reason is (the engine's explain, the kernel's dmesg).
 * Not for an EINTR before the offline ran: the writer waited for another
 * change (machine.c's lock_change_sysfs() says so in @err) and ended at
 * a fatal signal with nothing of the block tried, nothing in its way.
 */
static ssize_t offline_hint(struct hmfs_ctx *ctx, const struct hmfs_change *ch, ssize_t ret,
			    const char *err)
{
	bool offline = ch->op == HMFS_CH_BLOCK_STATE ? ch->value == HM_MMOP_OFFLINE : !ch->value;
	struct hm_block_info bi;
	char why[192];

	if (ret == -EINTR && strstr(err, "interrupted while another change runs"))
		return ret;
	if (!offline || ret >= 0 || hotmem_block_info(ctx->hm, ch->id, &bi) || bi.state != HM_MEM_ONLINE)
		return ret;
	if (hmfs_offline_refused(ctx, &bi, why, sizeof(why))) {
		fprintf(stderr, "hotmemfs: memory%lu: offline failed (%s): %s\n", ch->id,
			strerror((int)-ret), why);
		return ret;
	}
	if (ret == -EBUSY || ret == -EINTR)
		fprintf(stderr,
			"hotmemfs: memory%lu: offline failed (%s): `hotmemctl explain %lu` sums up what is in the way by owner, `--all` lists every page; `hotmemctl dmesg` has the kernel's messages\n",
			ch->id, ret == -EBUSY ? "EBUSY" : "EINTR", ch->id);
	return ret;
}

/* a memoryN/state or /online write's result, counted (hmfs_state_writes_json()) */
static ssize_t count_state_write(struct hmfs_ctx *ctx, ssize_t ret)
{
	size_t slot = ret >= 0 ? 0 : (size_t)-ret;

	if (slot >= HMFS_STATE_WRITE_ERRNOS)
		slot = HMFS_STATE_WRITE_ERRNOS - 1;

	__atomic_add_fetch(&ctx->state_writes[slot], 1, __ATOMIC_RELAXED);
	return ret;
}

/*
 * A value the store cannot parse: EINVAL as the kernel's, counted apart as
 * well (status's state-writes "unparsed"), so that hotmem-conform tells a
 * failed write from a redundant EINVAL, a block already in that state
 */
static ssize_t unparsed_state_write(struct hmfs_ctx *ctx, int ret)
{
	__atomic_add_fetch(&ctx->state_writes_unparsed, 1, __ATOMIC_RELAXED);
	return ret;
}

static ssize_t store_block_state(struct hmfs_ctx *ctx, const struct hmfs_node *n,
				 const char *buf, size_t count, const struct hotmem_task *task)
{
	/* lock_device_hotplug_sysfs() first: restarted at a signal, not ended (machine.c) */
	struct hmfs_change ch = { .id = n->id, .task = task, .restarts = true };
	char err[256] = "";
	bool on;
	int ret;

	if (n->attr == A_B_STATE) { /* state_store() */
		ch.op = HMFS_CH_BLOCK_STATE;
		ch.value = hmu_online_type_from_str(buf);
		if (ch.value < 0)
			return unparsed_state_write(ctx, -EINVAL);
	} else { /* online_store() */
		ret = hmu_kstrtobool(buf, &on);
		if (ret)
			return unparsed_state_write(ctx, ret);
		ch.op = HMFS_CH_BLOCK_ONLINE;
		ch.value = on;
	}
	ret = hmfs_change(ctx, &ch, err, sizeof(err));
	return offline_hint(ctx, &ch, ret < 0 ? ret : (ssize_t)count, err);
}

ssize_t hmfs_store_gone(struct hmfs_ctx *ctx, const struct hmfs_node *n)
{
	if (n->attr == A_B_STATE || n->attr == A_B_ONLINE)
		return count_state_write(ctx, -ENODEV);
	return -ENODEV;
}

static ssize_t store_block(struct hmfs_ctx *ctx, const struct hmfs_node *n, const char *buf,
			   size_t count, const struct hotmem_task *task)
{
	struct hm_block_info bi;
	char devpath[64];
	/* an open file of a removed block: kernfs says ENODEV (counted for state and online) */
	bool removed = hotmem_block_info(ctx->hm, n->id, &bi) != 0;

	switch (n->attr) {
	case A_B_STATE:
	case A_B_ONLINE:
		return count_state_write(ctx, removed ? -ENODEV :
					 store_block_state(ctx, n, buf, count, task));
	case A_B_UEVENT:
		if (removed)
			return -ENODEV;
		snprintf(devpath, sizeof(devpath), "/devices/system/memory/memory%lu", n->id);
		return store_uevent(ctx, devpath, "memory", true, buf, count);
	default:
		return removed ? -ENODEV : -EIO;
	}
}

/*
 * probe_store(): its add runs in the writer (@task: current, whose comm a
 * failed memmap allocation prints), after lock_device_hotplug_sysfs(),
 * which restarts the syscall: behind a change that holds the lock (a
 * guest's looping offline) the write waits on through a signal that is
 * not fatal, and ends at a fatal one (machine.c signal_ends_wait())
 */
static ssize_t store_probe(struct hmfs_ctx *ctx, const char *buf, size_t count,
			   const struct hotmem_task *task)
{
	struct hmfs_change ch = { .op = HMFS_CH_PROBE, .task = task, .restarts = true };
	unsigned long long phys;
	int ret;

	ret = hmu_kstrtoull(buf, 0, &phys);
	if (ret)
		return ret;
	if (phys & (ctx->block_size - 1))
		return -EINVAL;
	ch.dev.addr = phys;
	return store_change(ctx, &ch, count);
}

/*
 * soft_offline_page_store() / hard_offline_page_store(): a physical
 * address; the retirement is a change, kept in the state file.  Behind a
 * change that holds change_lock (a guest's offline looping on pinned
 * pages) a hard offline ends at its writer's signal (@task: EINTR,
 * nothing retired): 6.12's memory_failure() takes mf_mutex, not the
 * hotplug locks the offline holds, so the kernel's writer never waits
 * for it at all.  A soft offline waits as the kernel's does:
 * soft_offline_page() takes get_online_mems(), an uninterruptible wait
 * behind the offline's mem_hotplug_begin().
 */
static ssize_t store_memory_failure(struct hmfs_ctx *ctx, enum hmfs_attr a, const char *buf,
				    size_t count, const struct hotmem_task *task)
{
	struct hmfs_change ch = { .op = HMFS_CH_MEMORY_FAILURE, .value = a == A_HARD_OFFLINE,
				  .task = a == A_HARD_OFFLINE ? task : NULL };
	unsigned long long phys;

	if (hmu_kstrtoull(buf, 0, &phys) < 0)
		return -EINVAL;
	ch.dev.addr = phys >> 12;
	return store_change(ctx, &ch, count);
}

/*
 * DEFINE_SIMPLE_ATTRIBUTE_SIGNED + debugfs_errno_set(): clamp to errno.
 * The kernel's is a plain value (lib/notifier-error-inject.c), no lock:
 * set at once, journaled under journal_lock alone (machine.c
 * lock_free_value()); only with no journal to append to does it wait for
 * change_lock, and then ends at its signal (@task, EINTR).
 */
static ssize_t store_inject(struct hmfs_ctx *ctx, int action, const char *buf, size_t count,
			    const struct hotmem_task *task)
{
	struct hmfs_change ch;
	size_t n = count < 23 ? count : 23; /* simple_attr's set_buf[24] */
	char tmp[24];
	long long v;
	int ret, iv;

	memcpy(tmp, buf, n);
	tmp[n] = '\0';
	ret = hmu_kstrtoll(tmp, 0, &v);
	if (ret)
		return ret;
	/* clamp_t(int, val, -MAX_ERRNO, 0): the cast to int comes first */
	iv = (int)v;
	if (iv < -4095)
		iv = -4095;
	if (iv > 0)
		iv = 0;
	/* kept like a parameter: the debugfs file keeps its value in a running kernel */
	ch = hmfs_change_notifier_error(action, iv, task);
	return store_change(ctx, &ch, count);
}

/* soft_offline_page_store(), hard_offline_page_store(): capable(CAP_SYS_ADMIN) first */
bool hmfs_store_needs_admin(const struct hmfs_node *n)
{
	return n->attr == A_SOFT_OFFLINE || n->attr == A_HARD_OFFLINE;
}

size_t hmfs_store_claims(const struct hmfs_node *n, size_t size, size_t stored)
{
	switch (n->attr) {
	case A_INJ_GOING_ONLINE:
	case A_INJ_GOING_OFFLINE:
		/* simple_attr_write(): "on success, claim we got the whole input" */
		return size;
	default:
		return stored;
	}
}

static ssize_t store_param(struct hmfs_ctx *ctx, enum hmfs_attr a, const char *buf, size_t count)
{
	static const char *const policies[] = { "contig-zones", "auto-movable", NULL };
	struct hmfs_change ch = { 0 };
	unsigned int u = 0;
	bool b = false;
	int ret;

	switch (a) {
	case A_P_NUMA_AWARE:
		ret = hmu_kstrtobool(buf, &b);
		ch.op = HMFS_CH_NUMA_AWARE;
		ch.value = b;
		break;
	case A_P_VMEM_UNPLUG_ONLINE: /* param_set_bool(): kstrtobool() */
		ret = hmu_kstrtobool(buf, &b);
		ch.op = HMFS_CH_VMEM_UNPLUG_ONLINE;
		ch.value = b;
		break;
	case A_P_RATIO:
		ret = hmu_kstrtouint(buf, 0, &u);
		ch.op = HMFS_CH_RATIO;
		ch.value = u;
		break;
	case A_P_POLICY:
		ret = hmu_sysfs_match_string(policies, buf);
		ch.op = HMFS_CH_POLICY;
		ch.value = ret;
		break;
	default:
		return -EPERM;
	}
	return ret < 0 ? ret : store_change(ctx, &ch, count);
}

/*
 * drivers_probe_store(): bus_find_device_by_name() compares names as
 * sysfs_streq() does; the bus's devices/ lists exactly its devices.
 */
static ssize_t store_bus_probe(struct hmfs_ctx *ctx, const struct hmfs_node *n, const char *buf,
			       size_t count)
{
	char name[64];
	struct hmfs_node dev;
	int devices = ctx->snodes[ctx->snodes[n->snode].parent].first_child;
	size_t len = strlen(buf);

	if (len && buf[len - 1] == '\n')
		len--;
	if (!len || len >= sizeof(name))
		return -ENODEV;
	memcpy(name, buf, len);
	name[len] = '\0';
	while (devices >= 0 && strcmp(ctx->snodes[devices].name, "devices"))
		devices = ctx->snodes[devices].next_sibling;
	if (devices < 0 || hmfs_lookup_child(ctx, HMFS_INO(HMFS_C_STATIC, devices + 1), name, &dev))
		return -ENODEV;
	return (ssize_t)count;
}

/*
 * A node's reclaim file: reclaim_store() -> user_proactive_reclaim()
 * (mm/vmscan.c, 6.17+).  The engine's memory holds no page cache and
 * there is no swap, so nothing on a node can be reclaimed: a request of a
 * page or more ends, after MAX_RECLAIM_RETRIES rounds reclaiming nothing,
 * with EAGAIN; less than a page (nr_to_reclaim 0) succeeds at once.
 * reclaim_store() answers any failure so, the parse's EINVAL too
 * (6.18: `ret ? -EAGAIN : count`).
 */
static ssize_t store_node_reclaim(const char *buf, size_t count)
{
	char tmp[HMFS_PAGE_SIZE + 1];
	uint64_t bytes;
	int swappiness;

	snprintf(tmp, sizeof(tmp), "%s", buf);
	if (hmfs_reclaim_parse(tmp, &bytes, &swappiness) || bytes / HMFS_PAGE_SIZE)
		return -EAGAIN;
	return (ssize_t)count;
}

/*
 * set_max_huge_pages() of @nid (NUMA_NO_NODE: the global pool over the
 * nodes with memory, __nr_hugepages_store_common(), 6.18): the pool grows
 * or shrinks as far as it can, and the write succeeds however far that
 * was.  Through hmfs_change(): the pool is in the state file ("hugetlb"),
 * so an acknowledged count survives kill -9.
 */
/* the kernel's NUMA_NO_NODE: the global pool, the engine's node -1 */
#define POOL_GLOBAL (-1)
/*
 * kstrtoul() and proc_doulongvec_minmax()'s unsigned long: on LP64, the
 * only ABI hotmem builds for, hmu_kstrtoull()'s and strtoull()'s unsigned
 * long long, whose overflow they refuse already (ERANGE, EINVAL): no
 * value parsed is above ULONG_MAX.
 */
_Static_assert(sizeof(unsigned long) == sizeof(unsigned long long), "kstrtoul() is kstrtoull()");

/*
 * @task: the writer's signal ends its wait for change_lock (EINTR, the
 * pool as it was), as 6.12's set_max_huge_pages() stops growing the pool
 * at a signal_pending(); the kernel's takes h->resize_lock and
 * hugetlb_lock, never the hotplug locks a looping offline holds.
 */
static ssize_t store_pool_count(struct hmfs_ctx *ctx, int nid, unsigned long long v,
				size_t count, const struct hotmem_task *task)
{
	struct hmfs_change ch = { .op = HMFS_CH_NODE_HUGEPAGES, .id = (unsigned long)nid,
				  .task = task };

	/* ULONG_MAX asks for all the pool can have: so does the widest count a change holds */
	ch.value = v > LLONG_MAX ? LLONG_MAX : (long long)v;
	return store_change(ctx, &ch, count);
}

/*
 * nr_hugepages_store_common() (mm/hugetlb_sysfs.c, 6.18): kstrtoul(buf,
 * 10), then the node's pool (nodeN's file) or the global one
 * (kernel/mm/hugepages/'s; nr_hugepages_mempolicy's too: the writer's
 * mempolicy is a host task's, unknown here, so the default policy's
 * N_MEMORY, as a task without one gets).
 */
static ssize_t store_hugepages(struct hmfs_ctx *ctx, int nid, const char *buf, size_t count,
			       const struct hotmem_task *task)
{
	unsigned long long v;
	int ret = hmu_kstrtoull(buf, 10, &v);

	return ret ? ret : store_pool_count(ctx, nid, v, count, task);
}


/* hugetlb_sysctl_handler(), hugetlb_mempolicy_sysctl_handler(): the global pool */
static ssize_t store_sysctl_hugepages(struct hmfs_ctx *ctx, const char *buf, size_t count,
				      const struct hotmem_task *task)
{
	unsigned long long v;
	size_t used;
	int ret = hmu_sysctl_get_ulong(buf, count, &v, &used);

	/* __nr_hugepages_store_common()'s answer: the length the handler took */
	return ret ? ret : store_pool_count(ctx, POOL_GLOBAL, v, used, task);
}

/*
 * nr_overcommit_hugepages_store() (sysfs: kstrtoul(buf, 10)) and
 * hugetlb_overcommit_handler() (vm.nr_overcommit_hugepages:
 * proc_doulongvec_minmax()), 6.12 mm/hugetlb.c: EINVAL only for a
 * gigantic hstate, which the 2 MiB one is not; any count is stored
 * (`sysctl -p` writes 0).  Through hmfs_change(): a parameter of the
 * state file, so an acknowledged count survives kill -9.  The kernel's
 * takes hugetlb_lock around the one assignment: set at once, journaled
 * under journal_lock alone (machine.c lock_free_value()); only with no
 * journal to append to does it wait for change_lock, and then ends at
 * its signal (@task, EINTR, the count as it was).
 */
static ssize_t store_hugetlb_overcommit(struct hmfs_ctx *ctx, bool sysctl, const char *buf,
					size_t count, const struct hotmem_task *task)
{
	struct hmfs_change ch = { .op = HMFS_CH_HUGETLB_OVERCOMMIT, .task = task };
	unsigned long long v;
	size_t used = count; /* sysfs takes a write whole */
	int ret = sysctl ? hmu_sysctl_get_ulong(buf, count, &v, &used) : hmu_kstrtoull(buf, 10, &v);

	if (ret)
		return ret;
	ch.value = (long long)v; /* apply() takes it back as unsigned: ULONG_MAX shows as written */
	return store_change(ctx, &ch, used);
}

/*
 * vm.user_reserve_kbytes and vm.admin_reserve_kbytes (6.12 kernel/sysctl.c:
 * proc_doulongvec_minmax() with no bounds): any unsigned long, EINVAL for
 * what it cannot parse.  Through hmfs_change(): a parameter of the state
 * file, set at once and journaled under journal_lock alone as the
 * kernel's takes no lock (machine.c lock_free_value()), so an
 * acknowledged value survives kill -9.
 */
static ssize_t store_vm_reserve(struct hmfs_ctx *ctx, bool admin, const char *buf, size_t count,
				const struct hotmem_task *task)
{
	struct hmfs_change ch = { .op = HMFS_CH_VM_RESERVE, .id = admin, .task = task };
	unsigned long long v;
	size_t used;
	int ret = hmu_sysctl_get_ulong(buf, count, &v, &used);

	if (ret)
		return ret;
	ch.value = (long long)v; /* apply() takes it back as unsigned */
	return store_change(ctx, &ch, used);
}

/*
 * vm.min_free_kbytes (0..INT_MAX) and vm.watermark_scale_factor
 * (1..3000): 6.12 mm/page_alloc.c's proc_dointvec_minmax() handlers.
 * Through hmfs_change() under change_lock: the kernel's handler then
 * runs setup_per_zone_wmarks(), whose zone_pcp_update() waits for
 * pcp_batch_high_lock, which a looping offline_pages() holds
 * (zone_pcp_disable()) -- the write waits for the offline here too.
 */
static ssize_t store_vm_wmark(struct hmfs_ctx *ctx, enum hmfs_vm_wmark id, const char *buf,
			      size_t count, const struct hotmem_task *task)
{
	struct hmfs_change ch = { .op = HMFS_CH_VM_WMARK, .id = id, .task = task };
	const bool scale = id == HMFS_VM_WATERMARK_SCALE_FACTOR;
	size_t used;
	int v, ret = hmu_sysctl_get_ints(buf, count, &v, 1, scale ? 1 : 0, scale ? 3000 : INT_MAX,
					 &used);

	if (ret)
		return ret;
	ch.value = v;
	return store_change(ctx, &ch, used);
}

/*
 * vm.lowmem_reserve_ratio: 6.12 lowmem_reserve_ratio_sysctl_handler()
 * ignores proc_dointvec_minmax()'s answer -- the ratios read before a
 * bad one are taken, and the write succeeds whatever it held (a 6.12.117
 * guest: "abc" 0, "4 5x" sets the first to 4) -- then stores those
 * below 1 as 0 and sets the reserves again.  The ratios parsed go over
 * the others when set (ch.value of them), not over those read here: a
 * writer's ratios read before another's set were set back (reread31
 * R3).  Lock-free, as the handler takes no lock (reread31 R2): never
 * behind a looping offline.
 */
static ssize_t store_lowmem_reserve_ratio(struct hmfs_ctx *ctx, const char *buf, size_t count,
					  const struct hotmem_task *task)
{
	int ratio[HM_MAX_NR_ZONES];
	struct hmfs_change ch = { .op = HMFS_CH_VM_WMARK, .id = HMFS_VM_LOWMEM_RESERVE_RATIO,
				  .ratio = ratio, .task = task };
	size_t used, nr;

	/* its answer ignored: the ratios before a bad one stand, the write succeeds */
	(void)hmu_sysctl_get_ints_nr(buf, count, ratio, HM_MAX_NR_ZONES, INT_MIN, INT_MAX, &used, &nr);
	ch.value = (long long)nr;
	return store_change(ctx, &ch, used);
}

/*
 * One int of a vm sysctl whose handler is proc_dointvec_minmax() from
 * SYSCTL_ZERO with no max (what is no number or negative EINVAL), handed
 * to the change @op as its value: the parse of the two such files.
 */
static ssize_t store_int_from_zero(struct hmfs_ctx *ctx, enum hmfs_change_op op, const char *buf,
				   size_t count, const struct hotmem_task *task)
{
	struct hmfs_change ch = { .op = op, .task = task };
	size_t used;
	int v, ret = hmu_sysctl_get_ints(buf, count, &v, 1, 0, INT_MAX, &used);

	if (ret)
		return ret;
	ch.value = v;
	return store_change(ctx, &ch, used);
}

/*
 * vm.watermark_boost_factor (6.12 mm/page_alloc.c page_alloc_sysctl_table:
 * proc_dointvec_minmax() with extra1 SYSCTL_ZERO, no max): one int, 0 or
 * more, EINVAL else (a negative one, what is no number).  The allocator
 * reads the kernel's plain int with no lock: lock-free here too (an
 * atomic), journaled as store_vm_reserve()'s value is -- never behind a
 * looping offline.
 */
static ssize_t store_watermark_boost_factor(struct hmfs_ctx *ctx, const char *buf, size_t count,
					    const struct hotmem_task *task)
{
	return store_int_from_zero(ctx, HMFS_CH_WATERMARK_BOOST_FACTOR, buf, count, task);
}

/*
 * vm.percpu_pagelist_high_fraction (6.12 mm/page_alloc.c
 * percpu_pagelist_high_fraction_sysctl_handler()): proc_dointvec_minmax()
 * from SYSCTL_ZERO, what is no number or negative EINVAL; then 1..7
 * EINVAL with the old value kept (the engine's setter says so: apply()),
 * the same value nothing, another every populated zone's pagesets'
 * limits set again.  Under change_lock, as the handler holds
 * pcp_batch_high_lock, which a looping offline_pages() holds too
 * (zone_pcp_disable()): the write waits for the offline here as there.
 * A write past the start changes nothing (the parser ignores it, the
 * value is the old: "No change?"), hmfs_store_past_start()'s default.
 */
static ssize_t store_percpu_pagelist_high_fraction(struct hmfs_ctx *ctx, const char *buf,
						   size_t count, const struct hotmem_task *task)
{
	return store_int_from_zero(ctx, HMFS_CH_PERCPU_PAGELIST_HIGH_FRACTION, buf, count, task);
}

/*
 * vm.hugetlb_optimize_vmemmap (6.12 mm/hugetlb_vmemmap.c: proc_dobool()
 * on vmemmap_optimize_enabled): proc_dointvec()'s one int, any int (so
 * "-1" and "2" too), stored as a bool -- 1 unless 0.  Whether the pool's
 * next pages are optimised: lock-free as the kernel's bool, journaled as
 * store_vm_reserve()'s value is.
 */
static ssize_t store_hugetlb_optimize_vmemmap(struct hmfs_ctx *ctx, const char *buf, size_t count,
					      const struct hotmem_task *task)
{
	struct hmfs_change ch = { .op = HMFS_CH_HUGETLB_OPTIMIZE_VMEMMAP, .task = task };
	size_t used;
	int v, ret = hmu_sysctl_get_ints(buf, count, &v, 1, INT_MIN, INT_MAX, &used);

	if (ret)
		return ret;
	ch.value = v != 0;
	return store_change(ctx, &ch, used);
}

/* lowmem_reserve_ratio's: none parsed over the ratios of now, the reserves set up again */
static struct hmfs_change reserves_setup(const struct hotmem_task *task)
{
	static const int none[HM_MAX_NR_ZONES];

	return (struct hmfs_change){ .op = HMFS_CH_VM_WMARK, .id = HMFS_VM_LOWMEM_RESERVE_RATIO,
				     .unparsed = true, .ratio = none, .task = task };
}

/*
 * 6.12 (kernel/sysctl.c): proc_dointvec_minmax() and
 * proc_doulongvec_minmax() ignore a write past the file's start
 * (proc_first_pos_non_zero_ignore(), sysctl_writes_strict's default
 * SYSCTL_WRITES_STRICT) and answer 0 with the whole count taken; a
 * handler that works after that 0 still works (mm/page_alloc.c):
 * min_free_kbytes_sysctl_handler() makes the value of now the user's
 * and sets the marks up, watermark_scale_factor_sysctl_handler() sets
 * them up; lowmem_reserve_ratio_sysctl_handler() ignores the answer
 * and sets the reserves up.  Through hmfs_change(), as a parsed write:
 * it changes what the state file keeps (user-min-free-kbytes).  The
 * others do nothing more: proc_dobool()'s, the reserves', the
 * overcommit's store what they held.
 */
ssize_t hmfs_store_past_start(struct hmfs_ctx *ctx, const struct hmfs_node *n, size_t count,
			      const struct hotmem_task *task)
{
	struct hmfs_change ch = { .op = HMFS_CH_VM_WMARK, .unparsed = true, .task = task };

	switch (n->attr) {
	case A_SYSCTL_MIN_FREE_KBYTES:
		ch.id = HMFS_VM_MIN_FREE_KBYTES;
		return store_change(ctx, &ch, count);
	case A_SYSCTL_WATERMARK_SCALE_FACTOR:
		ch.id = HMFS_VM_WATERMARK_SCALE_FACTOR;
		return store_change(ctx, &ch, count);
	case A_SYSCTL_LOWMEM_RESERVE_RATIO:
		ch = reserves_setup(task);
		return store_change(ctx, &ch, count);
	default:
		return (ssize_t)count;
	}
}

/*
 * 6.12 lowmem_reserve_ratio_sysctl_handler() has no "if (write)": every
 * read() of the file -- at its start or past it, where
 * proc_dointvec_minmax() copies nothing, proc_sys_call_handler() calls
 * the handler whatever *ppos is -- stores the ratios below 1 as 0 (they
 * are already) and runs setup_per_zone_lowmem_reserve(), which ends in
 * calculate_totalreserve_pages(): the reserves and totalreserve_pages
 * from the managed pages and marks of now.  The same change as a write
 * past the start, so the state file keeps the result; made only when it
 * would move something, so that a reader of an unmoved machine pays no
 * record.  The read's answer is never its errno: a frozen hotmemfs, or
 * a record that failed and was undone, leaves the reserves as they were.
 */
void hmfs_show_handler(struct hmfs_ctx *ctx, const struct hmfs_node *n,
		       const struct hotmem_task *task)
{
	struct hmfs_change ch = reserves_setup(task);

	if (n->attr == A_SYSCTL_LOWMEM_RESERVE_RATIO && hotmem_lowmem_reserve_stale(ctx->hm))
		(void)hmfs_change(ctx, &ch, NULL, 0);
}

ssize_t hmfs_store(struct hmfs_ctx *ctx, const struct hmfs_node *n, const char *buf, size_t count)
{
	return hmfs_store_task(ctx, n, buf, count, NULL);
}

ssize_t hmfs_store_task(struct hmfs_ctx *ctx, const struct hmfs_node *n, const char *buf,
			size_t count, const struct hotmem_task *task)
{
	struct hmfs_change ch = { .op = HMFS_CH_AUTO_ONLINE, .task = task };

	switch (n->attr) {
	case A_AUTO_ONLINE:
		ch.value = hmu_online_type_from_str(buf);
		if (ch.value < 0)
			return -EINVAL;
		return store_change(ctx, &ch, count);
	case A_UEVENT_NOSUBSYS:
	case A_BUS_UEVENT: {
		char devpath[128];

		/* A device without a bus or class: the kernel drops the event (its path: the log's) */
		hmfs_snode_devpath(ctx, ctx->snodes[n->snode].parent, devpath, sizeof(devpath));
		return store_uevent(ctx, devpath, NULL, n->attr == A_UEVENT_NOSUBSYS, buf, count);
	}
	case A_N_UEVENT: {
		char devpath[48];

		snprintf(devpath, sizeof(devpath), "/devices/system/node/node%lu", n->id);
		return store_uevent(ctx, devpath, "node", true, buf, count);
	}
	case A_N_COMPACT:
		/* compact_store(): compact_node() of an online node; the engine has no compaction */
		return (ssize_t)count;
	case A_N_RECLAIM:
		return store_node_reclaim(buf, count);
	case A_N_HP_NR:
		return store_hugepages(ctx, (int)n->id, buf, count, task);
	case A_HP_NR:
	case A_HP_NR_MEMPOLICY:
		return store_hugepages(ctx, POOL_GLOBAL, buf, count, task);
	case A_SYSCTL_NR_HUGEPAGES:
	case A_SYSCTL_NR_HUGEPAGES_MEMPOLICY:
		return store_sysctl_hugepages(ctx, buf, count, task);
	case A_HP_OVERCOMMIT:
	case A_SYSCTL_NR_OVERCOMMIT:
		return store_hugetlb_overcommit(ctx, n->attr == A_SYSCTL_NR_OVERCOMMIT, buf, count,
						task);
	case A_SYSCTL_USER_RESERVE:
	case A_SYSCTL_ADMIN_RESERVE:
		return store_vm_reserve(ctx, n->attr == A_SYSCTL_ADMIN_RESERVE, buf, count, task);
	case A_SYSCTL_MIN_FREE_KBYTES:
		return store_vm_wmark(ctx, HMFS_VM_MIN_FREE_KBYTES, buf, count, task);
	case A_SYSCTL_WATERMARK_SCALE_FACTOR:
		return store_vm_wmark(ctx, HMFS_VM_WATERMARK_SCALE_FACTOR, buf, count, task);
	case A_SYSCTL_WATERMARK_BOOST_FACTOR:
		return store_watermark_boost_factor(ctx, buf, count, task);
	case A_SYSCTL_PERCPU_PAGELIST_HIGH_FRACTION:
		return store_percpu_pagelist_high_fraction(ctx, buf, count, task);
	case A_SYSCTL_LOWMEM_RESERVE_RATIO:
		return store_lowmem_reserve_ratio(ctx, buf, count, task);
	case A_SYSCTL_HUGETLB_OPTIMIZE_VMEMMAP:
		return store_hugetlb_optimize_vmemmap(ctx, buf, count, task);
	case A_PROBE:
		return store_probe(ctx, buf, count, task);
	case A_SOFT_OFFLINE:
	case A_HARD_OFFLINE:
		return store_memory_failure(ctx, n->attr, buf, count, task);
	case A_PWR_AUTOSUSPEND:
		return -EIO;
	case A_PWR_ASYNC: {
		/* async_store() */
		int ret = -EINVAL;

		if (hmu_sysfs_streq(buf, "enabled") || hmu_sysfs_streq(buf, "disabled"))
			ret = hmfs_pm_async_set(ctx, n, hmu_sysfs_streq(buf, "enabled"));
		return ret ? ret : (ssize_t)count;
	}
	case A_PWR_CONTROL: {
		/* control_store() */
		int ret = -EINVAL;

		if (hmu_sysfs_streq(buf, "auto") || hmu_sysfs_streq(buf, "on"))
			ret = hmfs_pm_runtime_set(ctx, n, hmu_sysfs_streq(buf, "on"));
		return ret ? ret : (ssize_t)count;
	}
	case A_BUS_AUTOPROBE:
		/* drivers_autoprobe_store(): '0' off, anything else on; kept like a parameter */
		ch = (struct hmfs_change){ .op = HMFS_CH_BUS_AUTOPROBE, .id = (unsigned long)n->snode,
					   .value = buf[0] != '0' };
		return store_change(ctx, &ch, count);
	case A_BUS_PROBE:
		return store_bus_probe(ctx, n, buf, count);
	case A_P_NUMA_AWARE:
	case A_P_RATIO:
	case A_P_POLICY:
	case A_P_VMEM_UNPLUG_ONLINE:
		return store_param(ctx, n->attr, buf, count);
	case A_INJ_GOING_ONLINE:
		return store_inject(ctx, HM_MEM_GOING_ONLINE, buf, count, task);
	case A_INJ_GOING_OFFLINE:
		return store_inject(ctx, HM_MEM_GOING_OFFLINE, buf, count, task);
	case A_B_STATE:
	case A_B_ONLINE:
	case A_B_UEVENT:
		return store_block(ctx, n, buf, count, task);
	case A_ACPI_UEVENT:
	case A_ACPI_SLOT_UEVENT:
		return store_acpi(ctx, n, buf, count);
	case A_ACPI_EJECT:
		return store_acpi_eject(ctx, n, buf, count);
	case A_CONTAINER_ONLINE: {
		bool on;
		int ret = hmu_kstrtobool(buf, &on);

		if (!ret)
			ret = hmfs_acpi_container_set(ctx, on);
		return ret < 0 ? ret : (ssize_t)count;
	}
	default:
		return -EIO;
	}
}
