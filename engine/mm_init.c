// SPDX-License-Identifier: GPL-2.0
/*
 * mm/mm_init.c for the emulated machine: boot (hotmem_create()) and
 * teardown.
 *
 * Boot follows start_kernel()'s memory part: memblock from the profile,
 * sparse_init(), free_area_init() (zone spans), memmap_init() (in
 * parallel, section-aligned: the deferred init of seed 004),
 * memblock_free_all(), then memory_dev_init() creating the boot blocks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const unsigned long zone_limit[MAX_NR_ZONES] = {
	[ZONE_DMA] = MAX_DMA_PFN,
	[ZONE_DMA32] = MAX_DMA32_PFN,
	[ZONE_NORMAL] = ULONG_MAX,
};

/* the zone of a boot pfn by the zones' pfn limits alone, ZONE_MOVABLE aside */
static int boot_kernel_zone_of(unsigned long pfn)
{
	if (pfn < MAX_DMA_PFN)
		return ZONE_DMA;
	if (pfn < MAX_DMA32_PFN)
		return ZONE_DMA32;
	return ZONE_NORMAL;
}

int boot_zone_of(struct hotmem *hm, int nid, unsigned long pfn)
{
	unsigned long movable = hm->zone_movable_pfn[nid];

	return movable && pfn >= movable ? ZONE_MOVABLE : boot_kernel_zone_of(pfn);
}

/* where boot pfn @pfn's zone (boot_zone_of()) ends on node @nid */
static unsigned long boot_zone_end(struct hotmem *hm, int nid, unsigned long pfn)
{
	unsigned long movable = hm->zone_movable_pfn[nid];
	int zid = boot_zone_of(hm, nid, pfn);

	if (zid == ZONE_MOVABLE)
		return ULONG_MAX;
	return movable ? min(zone_limit[zid], movable) : zone_limit[zid];
}

static int alloc_node_data(struct hotmem *hm)
{
	for (int nid = 0; nid < hm->nr_possible_nodes; nid++) {
		struct pglist_data *pgdat = hm_alloc_noinject(hm, sizeof(*pgdat));

		if (!pgdat)
			return -ENOMEM;
		pgdat->node_id = nid;
		pgdat->node_order[0] = -1; /* build_zonelists() fills it */
		hm->node_data[nid] = pgdat;
		for (int zid = 0; zid < MAX_NR_ZONES; zid++)
			zone_init(hm, &pgdat->node_zones[zid], nid, zid);
	}
	return 0;
}

/* get_pfn_range_for_nid(): the node's first and last RAM pfn + 1; 0, 0 without RAM */
static void get_pfn_range_for_nid(const struct hotmem_config *cfg, int nid, unsigned long *start,
				  unsigned long *end)
{
	*start = ULONG_MAX;
	*end = 0;
	for (int i = 0; i < cfg->nr_boot_ranges; i++) {
		const struct hm_boot_range *r = &cfg->boot[i];

		if (nid >= 0 && r->nid != nid)
			continue;
		*start = min(*start, PHYS_PFN(r->start));
		*end = max(*end, PHYS_PFN(r->end));
	}
	if (!*end)
		*start = 0;
}

static unsigned long clamp_pfn(unsigned long pfn, unsigned long lo, unsigned long hi)
{
	return min(max(pfn, lo), hi);
}

/*
 * arch_zone_lowest/highest_possible_pfn[@zid] of 6.12's free_area_init()
 * on x86 (zone_sizes_init()'s max_zone_pfns: MAX_DMA_PFN, 4 GiB, max_pfn,
 * each at most max_pfn), the zones one after the other from the first
 * RAM pfn; ZONE_MOVABLE has none (it takes from movable_zone's).
 */
static void arch_zone_pfn_range(int zid, unsigned long min_pfn, unsigned long max_pfn,
				unsigned long *lo, unsigned long *hi)
{
	unsigned long start = min_pfn;

	*lo = *hi = 0;
	for (int z = ZONE_DMA; z <= zid && zid <= ZONE_NORMAL; z++) {
		*lo = start;
		*hi = max(min(zone_limit[z], max_pfn), start);
		start = *hi;
	}
}

/* find_usable_zone_for_movable(): the highest kernel zone with pfns, ZONE_MOVABLE's source */
static int find_usable_zone_for_movable(unsigned long min_pfn, unsigned long max_pfn)
{
	int zid;

	for (zid = ZONE_NORMAL; zid > ZONE_DMA; zid--) {
		unsigned long lo, hi;

		arch_zone_pfn_range(zid, min_pfn, max_pfn, &lo, &hi);
		if (hi > lo)
			break;
	}
	return zid;
}

/*
 * The index of @nid's (any node's, -1) boot range lowest at or above pfn
 * @from, -1 for none: for_each_mem_pfn_range()'s order
 */
static int next_node_range(const struct hotmem_config *cfg, int nid, unsigned long from)
{
	int next = -1;

	for (int i = 0; i < cfg->nr_boot_ranges; i++) {
		const struct hm_boot_range *r = &cfg->boot[i];

		if ((nid >= 0 && r->nid != nid) || PHYS_PFN(r->start) < from)
			continue;
		if (next < 0 || r->start < cfg->boot[next].start)
			next = i;
	}
	return next;
}

#define for_each_node_range(cfg, nid, i) \
	for (int i = next_node_range(cfg, nid, 0); i >= 0; \
	     i = next_node_range(cfg, nid, PHYS_PFN((cfg)->boot[i].end)))

/*
 * One node's share of one pass of find_zone_movable_pfns_for_nodes():
 * its ranges in order take kernel memory until @kernelcore_node is met,
 * what lies below @usable_startpfn counting as kernel memory whatever
 * it is; zone_movable_pfn[@nid] ends there (a range wholly below pushed
 * past, not to count it twice in the next pass).
 */
static void spread_kernelcore_node(struct hotmem *hm, int nid, unsigned long usable_startpfn,
				   unsigned long kernelcore_node, unsigned long *required_kernelcore)
{
	unsigned long remaining = kernelcore_node, *zmp = &hm->zone_movable_pfn[nid];

	for_each_node_range(&hm->cfg, nid, i) {
		unsigned long start = max(PHYS_PFN(hm->cfg.boot[i].start), *zmp);
		unsigned long end = PHYS_PFN(hm->cfg.boot[i].end), size;

		if (start >= end)
			continue;
		if (start < usable_startpfn) {
			unsigned long kernel_pages = min(end, usable_startpfn) - start;

			remaining -= min(kernel_pages, remaining);
			*required_kernelcore -= min(kernel_pages, *required_kernelcore);
			if (end <= usable_startpfn) {
				*zmp = end;
				continue;
			}
			start = usable_startpfn;
		}
		size = min(end - start, remaining);
		*zmp = start + size;
		*required_kernelcore -= min(*required_kernelcore, size);
		remaining -= size;
		if (!remaining)
			break;
	}
}

/* early_calculate_totalpages(): boot RAM pages; *@nodes the nodes with some */
static unsigned long early_calculate_totalpages(const struct hotmem_config *cfg, int *nodes)
{
	uint64_t seen = 0;
	unsigned long total = 0;

	for (int i = 0; i < cfg->nr_boot_ranges; i++) {
		unsigned long pages = PHYS_PFN(cfg->boot[i].end) - PHYS_PFN(cfg->boot[i].start);

		total += pages;
		if (pages)
			seen |= 1ULL << cfg->boot[i].nid;
	}
	*nodes = __builtin_popcountll(seen);
	return total;
}

/*
 * The kernel memory kernelcore= and movablecore= ask for (6.12): a
 * percentage of @totalpages first; movablecore= rounded up to
 * MAX_ORDER_NR_PAGES, at most all, leaves the rest to the kernel, and
 * kernelcore= wins when it asks for more.  0: no ZONE_MOVABLE.
 */
static unsigned long required_kernelcore(const struct hotmem_config *cfg,
					 unsigned long totalpages)
{
	unsigned long kernelcore = cfg->required_kernelcore, movablecore = cfg->required_movablecore;

	if (cfg->required_kernelcore_percent)
		kernelcore = totalpages * 100 * cfg->required_kernelcore_percent / 10000UL;
	if (cfg->required_movablecore_percent)
		movablecore = totalpages * 100 * cfg->required_movablecore_percent / 10000UL;
	if (movablecore) {
		movablecore = min(totalpages, ALIGN(movablecore, MAX_ORDER_NR_PAGES));
		kernelcore = max(kernelcore, totalpages - movablecore);
	}
	return kernelcore < totalpages ? kernelcore : 0;
}

/*
 * find_zone_movable_pfns_for_nodes() (6.12 mm/mm_init.c): the pfn each
 * node's ZONE_MOVABLE begins at, kernel memory spread evenly over the
 * nodes with memory, a node too small for its share handing the rest to
 * the others pass by pass; then each start rounded up to
 * MAX_ORDER_NR_PAGES, none on a node it would leave no Movable memory.
 * movable_node ignores both parameters and takes hotpluggable boot
 * memory instead: the firmware here marks none (QEMU's SRAT marks the
 * hotplug area alone), so no boot ZONE_MOVABLE then.
 */
static void find_zone_movable_pfns_for_nodes(struct hotmem *hm, unsigned long min_pfn,
					     unsigned long max_pfn)
{
	const struct hotmem_config *cfg = &hm->cfg;
	unsigned long usable_startpfn, kernelcore_node, hi;
	int usable_nodes;
	unsigned long totalpages = early_calculate_totalpages(cfg, &usable_nodes);
	unsigned long kernelcore = required_kernelcore(cfg, totalpages);

	if (cfg->movable_node || !kernelcore)
		return;
	arch_zone_pfn_range(find_usable_zone_for_movable(min_pfn, max_pfn), min_pfn, max_pfn,
			    &usable_startpfn, &hi);
	do {
		kernelcore_node = kernelcore / usable_nodes;
		for (int nid = 0; nid < hm->nr_possible_nodes; nid++) {
			if (next_node_range(cfg, nid, 0) < 0)
				continue;
			if (kernelcore < kernelcore_node)
				kernelcore_node = kernelcore / usable_nodes;
			spread_kernelcore_node(hm, nid, usable_startpfn, kernelcore_node, &kernelcore);
		}
		usable_nodes--;
	} while (usable_nodes && kernelcore > (unsigned long)usable_nodes);

	for (int nid = 0; nid < hm->nr_possible_nodes; nid++) {
		unsigned long node_start, node_end;

		get_pfn_range_for_nid(cfg, nid, &node_start, &node_end);
		hm->zone_movable_pfn[nid] = ALIGN(hm->zone_movable_pfn[nid], MAX_ORDER_NR_PAGES);
		if (hm->zone_movable_pfn[nid] >= node_end)
			hm->zone_movable_pfn[nid] = 0;
	}
}

/*
 * adjust_zone_range_for_zone_movable() (6.12): ZONE_MOVABLE is the node
 * from its zone_movable_pfn on; the kernel zone it starts in ends there,
 * one wholly above it is empty.
 */
static void adjust_zone_range_for_zone_movable(struct hotmem *hm, int nid, int zid,
					       unsigned long node_end, unsigned long *zs,
					       unsigned long *ze)
{
	unsigned long movable = hm->zone_movable_pfn[nid];

	if (!movable)
		return;
	if (zid == ZONE_MOVABLE) {
		*zs = movable;
		*ze = node_end;
	} else if (*zs < movable && *ze > movable) {
		*ze = movable;
	} else if (*zs >= movable) {
		*zs = *ze;
	}
}

/*
 * zone_spanned_pages_in_node() (mm/mm_init.c, 6.12 and 6.18): the node's
 * span clamped to the zone's bounds (arch_zone_lowest/highest_possible_pfn:
 * the first RAM pfn, MAX_DMA_PFN, MAX_DMA32_PFN, max_pfn), holes and all:
 * a node with RAM below and above the 32-bit PCI hole has ZONE_DMA32 up
 * to 4 GiB, spanned > present; then cut by the node's ZONE_MOVABLE.
 * Returns the spanned pages, *zs the start.
 */
static unsigned long zone_spanned_pages_in_node(struct hotmem *hm, int nid, int zid,
						unsigned long node_start, unsigned long node_end,
						unsigned long min_pfn, unsigned long max_pfn,
						unsigned long *zs)
{
	unsigned long lo, hi, ze;

	arch_zone_pfn_range(zid, min_pfn, max_pfn, &lo, &hi);
	*zs = clamp_pfn(node_start, lo, hi);
	ze = clamp_pfn(node_end, lo, hi);
	adjust_zone_range_for_zone_movable(hm, nid, zid, node_end, zs, &ze);
	if (ze < node_start || *zs > node_end)
		return 0;
	ze = min(ze, node_end);
	*zs = max(*zs, node_start);
	return ze - *zs;
}

/* present pages of [zs, ze) on @nid: boot RAM whose section memmap did not fail */
static unsigned long zone_present_pages(struct hotmem *hm, int nid, unsigned long zs,
					unsigned long ze)
{
	const struct hotmem_config *cfg = &hm->cfg;
	unsigned long present = 0;

	for (int i = 0; i < cfg->nr_boot_ranges; i++) {
		const struct hm_boot_range *r = &cfg->boot[i];
		unsigned long s = max(zs, PHYS_PFN(r->start)), e = min(ze, PHYS_PFN(r->end));

		for (unsigned long pfn = s; r->nid == nid && pfn < e;) {
			unsigned long next = min(e, ALIGN(pfn + 1, PAGES_PER_SECTION));

			if (valid_section(__pfn_to_section(hm, pfn)))
				present += next - pfn;
			pfn = next;
		}
	}
	return present;
}

/*
 * acpi_numa_memory_affinity_init()'s line (6.12) for the SRAT entry QEMU's
 * build_srat() (7.2, 9.2) writes over its device-memory region,
 * hotpluggable, on the last PXM: "ACPI: SRAT: Node 0 PXM 0 [mem
 * 0x100000000-0x2dfffffff] hotplug" in a qemu-512m guest.  Only where
 * the machine has QEMU's region whole -- QEMU's total for devices plus
 * 1 GiB a slot (pc_memory_init()) --: one cut at maxmem (the emulator's
 * addresses end there; `default` and `numa2` without qemu_maxmem) is not
 * the region QEMU's table would say, and is not logged; nor is anything
 * for a machine that is no QEMU's (device_memory = after-ram) or has no
 * device memory.  The boot RAM's own entries are not logged: a dump reads
 * QEMU's region from this one (hotmem profile --from-sysfs: maxmem,
 * qemu_maxmem).
 */
static void srat_hotplug_report(struct hotmem *hm)
{
	uint64_t base, end, addable;
	int pxm = hm->nr_possible_nodes - 1;

	if (!hm->cfg.device_memory_qemu)
		return;
	hotmem_config_device_memory(&hm->cfg, &base, &end, &addable);
	if (end > base && end - base == addable + (uint64_t)hm->cfg.ram_slots * (1ULL << 30))
		pr_info(hm, "ACPI: SRAT: Node %d PXM %d [mem %#010llx-%#010llx] hotplug",
			hotmem_srat_pxm_to_node(&hm->srat, pxm), pxm, (unsigned long long)base,
			(unsigned long long)end - 1);
}

/*
 * free_area_init()'s lines (6.12, every boot): each kernel zone's pfn
 * bounds, where each node's ZONE_MOVABLE begins, memblock's memory by
 * node (adjacent ranges of one node merged, as memblock_add() merges)
 */
static void free_area_init_report(struct hotmem *hm, unsigned long min_pfn, unsigned long max_pfn)
{
	unsigned long lo, hi;

	pr_info(hm, "Zone ranges:");
	for (int zid = 0; zid < MAX_NR_ZONES; zid++) {
		if (zid == ZONE_MOVABLE)
			continue;
		arch_zone_pfn_range(zid, min_pfn, max_pfn, &lo, &hi);
		if (lo == hi)
			pr_info(hm, "  %-8s empty", hotmem_zone_name(zid));
		else
			pr_info(hm, "  %-8s [mem %#018llx-%#018llx]", hotmem_zone_name(zid),
				(unsigned long long)PFN_PHYS(lo), (unsigned long long)PFN_PHYS(hi) - 1);
	}
	pr_info(hm, "Movable zone start for each node");
	for (int nid = 0; nid < hm->nr_possible_nodes; nid++)
		if (hm->zone_movable_pfn[nid])
			pr_info(hm, "  Node %d: %#018llx", nid,
				(unsigned long long)PFN_PHYS(hm->zone_movable_pfn[nid]));
	pr_info(hm, "Early memory node ranges");
	for (int i = next_node_range(&hm->cfg, -1, 0), j; i >= 0; i = j) {
		uint64_t end = hm->cfg.boot[i].end;

		for (j = next_node_range(&hm->cfg, -1, PHYS_PFN(end)); j >= 0; end = hm->cfg.boot[j].end,
		     j = next_node_range(&hm->cfg, -1, PHYS_PFN(end)))
			if (hm->cfg.boot[j].start != end || hm->cfg.boot[j].nid != hm->cfg.boot[i].nid)
				break;
		pr_info(hm, "  node %3d: [mem %#018llx-%#018llx]", hm->cfg.boot[i].nid,
			(unsigned long long)hm->cfg.boot[i].start, (unsigned long long)end - 1);
	}
}

/*
 * free_area_init() -> calculate_node_totalpages(): each zone's span
 * (zone_spanned_pages_in_node()) and present pages; the node spans the
 * sum of its zones'.
 */
static void free_area_init(struct hotmem *hm)
{
	unsigned long min_pfn, max_pfn;

	get_pfn_range_for_nid(&hm->cfg, -1, &min_pfn, &max_pfn);
	/* x86's max_pfn, e820__end_of_ram_pfn(): where /proc/kpageflags ends */
	atomic_store(&hm->kernel_max_pfn, max_pfn);
	find_zone_movable_pfns_for_nodes(hm, min_pfn, max_pfn);
	srat_hotplug_report(hm);
	free_area_init_report(hm, min_pfn, max_pfn);
	for (int nid = 0; nid < hm->nr_possible_nodes; nid++) {
		struct pglist_data *pgdat = NODE_DATA(hm, nid);
		unsigned long node_start, node_end, totalpages = 0;

		get_pfn_range_for_nid(&hm->cfg, nid, &node_start, &node_end);
		/* free_area_init_node() (6.12), for_each_node(): every possible node */
		if (!node_end) {
			pr_info(hm, "Initmem setup node %d as memoryless", nid);
			continue;
		}
		pr_info(hm, "Initmem setup node %d [mem %#018llx-%#018llx]", nid,
			(unsigned long long)node_start << PAGE_SHIFT,
			((unsigned long long)node_end << PAGE_SHIFT) - 1);
		for (int zid = ZONE_DMA; zid <= ZONE_MOVABLE; zid++) {
			struct zone *z = &pgdat->node_zones[zid];
			unsigned long zs, spanned, present;

			spanned = zone_spanned_pages_in_node(hm, nid, zid, node_start, node_end,
							     min_pfn, max_pfn, &zs);
			if (!spanned)
				continue;
			present = zone_present_pages(hm, nid, zs, zs + spanned);
			z->zone_start_pfn = zs;
			z->spanned_pages = spanned;
			z->present_pages = present;
			z->present_early_pages = present;
			pgdat->node_present_pages += present;
			totalpages += spanned;
		}
		pgdat->node_start_pfn = node_start;
		pgdat->node_spanned_pages = totalpages;
		if (pgdat->node_present_pages)
			pgdat->online = true;
	}
}

/*
 * init_cpu_to_node() (arch/x86/mm/numa.c, 6.12 and 6.18): each present
 * CPU's node goes online (node_set_online()), memory or not.  A node
 * with CPUs and no memory at boot is a memoryless node (QEMU's -numa
 * node,cpus= without memdev, a CPU socket without DIMMs): N_ONLINE and
 * N_CPU, never N_MEMORY until memory hot-added to it is onlined
 * (online_pages()' node_states_set_node()); try_offline_node() keeps it
 * (check_cpu_on_node()).  The CPUs' nodes are the front end's
 * (cfg.cpu_nodes), else every node with memory at boot.
 */
static void init_cpu_to_node(struct hotmem *hm)
{
	const uint64_t cpus = hm->cfg.cpu_nodes;

	for (int nid = 0; nid < hm->nr_possible_nodes; nid++) {
		struct pglist_data *pgdat = NODE_DATA(hm, nid);

		if (cpus ? !(cpus >> nid & 1) : !pgdat->online)
			continue;
		pgdat->has_cpu = true;
		pgdat->online = true;
	}
	/* the boot CPU's node (numa_node_id()): the first with CPUs, fixed from here on */
	hm->local_nid = 0;
	for (int nid = hm->nr_possible_nodes - 1; nid >= 0; nid--)
		if (NODE_DATA(hm, nid)->has_cpu)
			hm->local_nid = nid;
}

/*
 * Whether pfns [@pfn, @end_pfn) touch a memblock reservation; @next, when
 * given, is lowered to the next boundary of a reservation above @pfn.
 */
static bool memblock_reserved_overlap(struct hotmem *hm, unsigned long pfn,
				      unsigned long end_pfn, unsigned long *next)
{
	bool reserved = false;

	for (int i = 0; i < hm->memblock.nr_reserved; i++) {
		const struct memblock_region *r = &hm->memblock.reserved[i];
		unsigned long s = PHYS_PFN(r->base), e = PHYS_PFN(r->base + r->size - 1) + 1;

		if (s < end_pfn && pfn < e)
			reserved = true;
		if (next)
			*next = min(*next, pfn < s ? s : pfn < e ? e : *next);
	}
	return reserved;
}

/*
 * Whether @pfn is RAM that memblock_free_all() gives to the buddy, and
 * where that answer may change: the next boundary of a boot range or a
 * reservation above @pfn, at most @end.
 */
static bool free_ram_extent(struct hotmem *hm, unsigned long pfn, unsigned long end,
			    unsigned long *next)
{
	bool ram = memblock_pfn_nid_extent(hm, pfn, end, next) >= 0;

	return !memblock_reserved_overlap(hm, pfn, pfn + 1, next) && ram;
}

/*
 * The node of a boot pfn's struct page and, in *@next, how far it holds,
 * at most @end.  6.12's memmap_init() walks memblock's regions with their
 * own nid (for_each_mem_pfn_range(..., &nid) -> memmap_init_range()), so a
 * section may hold two nodes' pages: a node boundary inside a section
 * (QEMU's -numa memdev= of 192M + 320M) gives each page its range's node.
 * A hole keeps its section's first node (ms->nid, sparse_encode_early_nid());
 * 6.12's init_unavailable_range() gives it the node and zone of the range
 * after it, which is not followed: a hole's page is reserved for good, and
 * its zone is boot_zone_of()'s, a zone its section's node has.
 */
static int early_pfn_nid(struct hotmem *hm, unsigned long pfn, unsigned long end,
			 unsigned long *next)
{
	int nid = memblock_pfn_nid_extent(hm, pfn, end, next);

	if (nid >= 0)
		return nid;
	*next = min(*next, ALIGN(pfn + 1, PAGES_PER_SECTION));
	return __pfn_to_section(hm, pfn)->nid;
}

/* the node memmap_init() gave boot pfn @pfn's struct page */
int boot_pfn_nid(struct hotmem *hm, unsigned long pfn)
{
	unsigned long next;

	return early_pfn_nid(hm, pfn, pfn + 1, &next);
}

/* the pfns from @pfn on, up to @end, whose struct pages get one node: *@next ends them */
static int early_nid_extent(struct hotmem *hm, unsigned long pfn, unsigned long end,
			    unsigned long *next)
{
	int nid = early_pfn_nid(hm, pfn, end, next);
	unsigned long n;

	while (*next < end && early_pfn_nid(hm, *next, end, &n) == nid)
		*next = n;
	return nid;
}

/*
 * memmap_init_range() for a run of valid sections [@spfn, @end_pfn), in
 * pieces of one node and one zone: a whole section of one node shares its
 * template (sparse_vmemmap.c), a section split between nodes is written.
 */
static int memmap_init_run(struct hotmem *hm, unsigned long spfn, unsigned long end_pfn)
{
	while (spfn < end_pfn) {
		unsigned long epfn;
		int nid = early_nid_extent(hm, spfn, end_pfn, &epfn);
		int zid = boot_zone_of(hm, nid, spfn), ret;

		epfn = min(epfn, boot_zone_end(hm, nid, spfn));
		ret = parallel_memmap_init(hm, spfn, epfn - spfn, nid, zid, 0, 0);
		if (ret)
			return ret;
		for (unsigned long pb = spfn; pb < epfn; pb += pageblock_nr_pages)
			set_pageblock_migratetype(hm, pb, MIGRATE_MOVABLE);
		spfn = epfn;
	}
	return 0;
}

/* init_unavailable_range()'s line (6.12): the pfns of [@spfn, @epfn) in a present section */
static void unavailable_range_report(struct hotmem *hm, unsigned long spfn, unsigned long epfn,
				     int zid, int nid)
{
	unsigned long pgcnt = 0;

	for (unsigned long pfn = spfn; pfn < epfn; pfn++)
		if (valid_section(__pfn_to_section(hm, pfn)))
			pgcnt++;
	if (pgcnt)
		pr_info(hm, "On node %d, zone %s: %lu pages in unavailable ranges", nid,
			hotmem_zone_name(zid), pgcnt);
}

/*
 * memmap_init()'s "pages in unavailable ranges" (6.12): walking memblock's
 * ranges in order, each populated zone of the range's node, the hole
 * before the range's part in a zone is that zone's; the one after the last
 * range, up to its section's end, the last populated zone's of its node.
 * Said only: the holes' struct pages are memmap_init_run()'s.
 */
static void unavailable_ranges_report(struct hotmem *hm)
{
	const struct hotmem_config *cfg = &hm->cfg;
	unsigned long hole_pfn = 0, end_pfn = 0;
	int zone_id = 0, nid = 0;

	for (int i = next_node_range(cfg, -1, 0); i >= 0;
	     i = next_node_range(cfg, -1, PHYS_PFN(cfg->boot[i].end))) {
		struct pglist_data *pgdat = NODE_DATA(hm, cfg->boot[i].nid);

		nid = cfg->boot[i].nid;
		end_pfn = PHYS_PFN(cfg->boot[i].end);
		for (int zid = 0; zid < MAX_NR_ZONES; zid++) {
			struct zone *z = &pgdat->node_zones[zid];
			unsigned long s, e;

			if (!populated_zone(z))
				continue;
			zone_id = zid;
			s = clamp_pfn(PHYS_PFN(cfg->boot[i].start), z->zone_start_pfn, zone_end_pfn(z));
			e = clamp_pfn(end_pfn, z->zone_start_pfn, zone_end_pfn(z));
			if (s >= e)
				continue;
			if (hole_pfn < s)
				unavailable_range_report(hm, hole_pfn, s, zid, nid);
			hole_pfn = e;
		}
	}
	if (hole_pfn < ALIGN(end_pfn, PAGES_PER_SECTION))
		unavailable_range_report(hm, hole_pfn, ALIGN(end_pfn, PAGES_PER_SECTION), zone_id, nid);
}

/*
 * memmap_init(): every early section, reserved until memblock frees it.
 * Written as the state memblock_free_all() leaves — free pages as a free
 * memmap, which a whole section shares with its template (sparse_vmemmap.c),
 * then the pages it will not free reserved — so that freeing writes the
 * buddy heads only; the end state is the kernel's.
 */
static int memmap_init(struct hotmem *hm)
{
	unsigned long nr = 0;
	int ret;

	unavailable_ranges_report(hm);
	while (nr < nr_mem_sections(hm)) {
		unsigned long run, spfn, next;

		if (!valid_section(__nr_to_section(hm, nr))) {
			nr++;
			continue;
		}
		for (run = nr + 1; run < nr_mem_sections(hm); run++)
			if (!valid_section(__nr_to_section(hm, run)))
				break;
		ret = memmap_init_run(hm, section_nr_to_pfn(nr), section_nr_to_pfn(run));
		if (ret)
			return ret;
		for (spfn = section_nr_to_pfn(nr); spfn < section_nr_to_pfn(run); spfn = next) {
			if (free_ram_extent(hm, spfn, section_nr_to_pfn(run), &next))
				continue;
			for (struct page *p = pfn_to_page(hm, spfn); p < pfn_to_page(hm, next); p++) {
				set_page_flag(p, PG_reserved);
				set_page_count(p, 1);
			}
		}
		online_mem_sections(hm, section_nr_to_pfn(nr), section_nr_to_pfn(run));
		nr = run;
	}
	return 0;
}

static bool chunk_is_free_ram(struct hotmem *hm, unsigned long pfn, unsigned int order)
{
	return valid_section(__pfn_to_section(hm, pfn)) &&
	       !memblock_reserved_overlap(hm, pfn, pfn + (1UL << order), NULL);
}

/*
 * memblock_free_all(): boot RAM that nobody reserved goes to the buddy, at
 * the tail of the free lists (__free_pages_core() frees with FPI_TO_TAIL
 * since 5.10): allocations start at the lowest pfns.
 */
static void memblock_free_all(struct hotmem *hm)
{
	const struct hotmem_config *cfg = &hm->cfg;

	for (int i = 0; i < cfg->nr_boot_ranges; i++) {
		unsigned long pfn = PHYS_PFN(cfg->boot[i].start);
		unsigned long end = PHYS_PFN(cfg->boot[i].end);

		while (pfn < end) {
			unsigned int order = pfn ? (unsigned int)__builtin_ctzl(pfn) : MAX_PAGE_ORDER;
			unsigned long lim = min(end, boot_zone_end(hm, cfg->boot[i].nid, pfn));

			order = min(order, (unsigned int)MAX_PAGE_ORDER);
			while (pfn + (1UL << order) > lim)
				order--;
			/* a chunk touching a reservation is freed page by page */
			while (order && !chunk_is_free_ram(hm, pfn, order))
				order--;
			if (chunk_is_free_ram(hm, pfn, order))
				__free_pages_core(hm, pfn_to_page(hm, pfn), order, true);
			pfn += 1UL << order;
		}
	}
}

static void init_locks(struct hotmem *hm)
{
	pthread_mutex_init(&hm->device_hotplug_lock, NULL);
	pthread_rwlock_init(&hm->mem_hotplug_lock, NULL);
	pthread_rwlock_init(&hm->blocks_lock, NULL);
	pthread_rwlock_init(&hm->span_lock, NULL);
	pthread_mutex_init(&hm->event_lock, NULL);
	pthread_mutex_init(&hm->workload_lock, NULL);
	watermark_sysctls_init(hm);
}

static int map_boot_ram(struct hotmem *hm)
{
	for (int i = 0; i < hm->cfg.nr_boot_ranges; i++) {
		const struct hm_boot_range *r = &hm->cfg.boot[i];
		uint64_t bs = hm->cfg.block_size;
		int ret = physmem_map_direct(hm, r->start, r->end - r->start);

		if (ret)
			return ret;
		hm->boot_res[i].start = ALIGN_DOWN(r->start, bs);
		hm->boot_res[i].size = ALIGN(r->end, bs) - hm->boot_res[i].start;
		hm->boot_res[i].nid = r->nid;
		hm->boot_res[i].group = -1;
	}
	return 0;
}

/* a hotplug line: one DIMM, one static group, as ACPI adds it (acpi_memhotplug.c) */
static int add_found_dimm(struct hotmem *hm, const struct hm_boot_range *r, char *err,
			  size_t errlen)
{
	int group = hotmem_register_static_memory_group(hm, r->nid,
							(r->end - r->start) >> HM_PAGE_SHIFT);
	int ret = group < 0 ? group :
			      hotmem_add_memory(hm, r->nid, r->start, r->end - r->start, HM_MHP_NONE,
						group);

	if (ret)
		snprintf(err, errlen, "hotplug %#llx-%#llx node=%d: %s", (unsigned long long)r->start,
			 (unsigned long long)r->end - 1, r->nid, strerror(-ret));
	return ret;
}

/*
 * A virtio_mem line: the driver probes the device and, as virtio_mem_probe()
 * ends by queueing its work, plugs toward requested-size at once.  A
 * failure leaves the device to hotmem_destroy().
 */
static int probe_found_virtio_mem(struct hotmem *hm, const struct hm_virtio_mem_config *v,
				  char *err, size_t errlen)
{
	struct hotmem_virtio_mem *vm;
	int ret = hotmem_virtio_mem_probe(hm, v->nid, v->addr, v->size, v->block_size, &vm);

	if (!ret)
		ret = hotmem_virtio_mem_set_requested_size(vm, v->requested_size, NULL);
	if (ret)
		snprintf(err, errlen, "virtio_mem %s memaddr=%#llx size=%#llx: %s", v->id,
			 (unsigned long long)v->addr, (unsigned long long)v->size, strerror(-ret));
	return ret;
}

/*
 * Block @id came online or went offline: the driver of a device it
 * belongs to runs the work its memory notifier queued (6.12's
 * virtio_mem_memory_notifier_cb(): MEM_ONLINE once half its
 * offline_threshold is free again, MEM_OFFLINE with
 * virtio_mem.unplug_online=0), so a device of more than 1 GiB reaches
 * requested-size as the profile onlines its blocks in order.
 */
static void found_virtio_mem_changed(struct hotmem *hm, unsigned long id)
{
	const struct hotmem_config *cfg = &hm->cfg;
	uint64_t addr = id * cfg->block_size;

	for (int i = 0; i < cfg->nr_virtio_mem; i++) {
		const struct hm_virtio_mem_config *v = &cfg->virtio_mem[i];
		struct hotmem_virtio_mem *vm;
		struct hm_virtio_mem_info vi;

		if (addr < v->addr || addr - v->addr >= v->size)
			continue;
		vm = hotmem_virtio_mem_at(hm, v->addr);
		if (vm && !hotmem_virtio_mem_info(vm, &vi) && vi.work_pending)
			hotmem_virtio_mem_retry(vm, NULL);
	}
}

static int set_found_state(struct hotmem *hm, const struct hm_block_run *b, char *err,
			   size_t errlen)
{
	for (unsigned long id = b->first; id <= b->last; id++) {
		int ret = hotmem_block_set_state(hm, id, b->online_type);

		if (ret) {
			snprintf(err, errlen, "%s memory%lu %s: %s",
				 b->online_type == HM_MMOP_OFFLINE ? "offline" : "online", id,
				 hotmem_online_type_name(b->online_type), strerror(-ret));
			return ret;
		}
		found_virtio_mem_changed(hm, id);
	}
	return 0;
}

/*
 * The machine as a profile found it (hotmem profile --from-sysfs): memory
 * hot-added after boot and the virtio-mem devices, offline (auto-online
 * held off: the states come next, so that a zone is the one the profile
 * names, not the default's), then the block states in order, as
 * state_store() writes them.
 */
static int apply_found_state(struct hotmem *hm, char *err, size_t errlen)
{
	const struct hotmem_config *cfg = &hm->cfg;
	int auto_online = hotmem_get_auto_online(hm);
	int ret = 0;

	hotmem_set_auto_online(hm, HM_MMOP_OFFLINE);
	for (int i = 0; i < cfg->nr_hotplug && !ret; i++)
		ret = add_found_dimm(hm, &cfg->hotplug[i], err, errlen);
	for (int i = 0; i < cfg->nr_virtio_mem && !ret; i++)
		ret = probe_found_virtio_mem(hm, &cfg->virtio_mem[i], err, errlen);
	for (int i = 0; i < cfg->nr_block_states && !ret; i++)
		ret = set_found_state(hm, &cfg->block_state[i], err, errlen);
	hotmem_set_auto_online(hm, auto_online);
	return ret;
}

/* config.c's init_words_panic(), for the front ends (a state file's restore) */
int hotmem_config_init_words_panic(const struct hotmem_config *cfg, char *err, size_t errlen)
{
	return init_words_panic(cfg, err, errlen);
}

/*
 * start_kernel()'s two lines about the command line (6.12 init/main.c),
 * before mm_core_init() builds the zonelists: the line as given, then the
 * words no part of this kernel takes, which go to init -- where a typo
 * such as memhp_default_stat=online shows up on a real boot too.
 */
static void boot_command_line_report(struct hotmem *hm)
{
	char unknown[sizeof(hm->cfg.cmdline)];

	pr_notice(hm, "Kernel command line: %s", hm->cfg.cmdline);
	/* parse_args()' parameters say what they say, before the unknown ones are listed */
	memmap_mode_report(hm);
	if (hotmem_config_unknown_bootoptions(&hm->cfg, unknown, sizeof(unknown)))
		pr_notice(hm, "Unknown kernel command line parameters \"%s\", will be passed to user space.",
			  unknown);
}

int hotmem_create(const struct hotmem_config *cfg, struct hotmem **out, char *err,
		  size_t errlen)
{
	struct hotmem *hm;
	int ret;

	ret = hotmem_config_validate(cfg, err, errlen);
	if (ret)
		return ret;
	/*
	 * start_kernel() panics once the console is up: no machine boots --
	 * but one a state file saved, which an older hotmem booted
	 */
	ret = cfg->init_words_saved ? 0 : init_words_panic(cfg, err, errlen);
	if (ret)
		return ret;
	hm = calloc(1, sizeof(*hm));
	if (!hm)
		return -ENOMEM;
	hm->cfg = *cfg;
	/* the profile says QEMU's nodes (PXMs): from here on the guest's node ids */
	hotmem_srat_map(cfg, &hm->srat);
	srat_number_nodes(&hm->cfg, &hm->srat);
	hm->memfd = -1;
	atomic_store(&hm->metadata_bytes, (long)sizeof(*hm));
	atomic_store(&hm->metadata_peak, (long)sizeof(*hm));
	init_locks(hm);
	hm->nr_possible_nodes = cfg->nr_possible_nodes;
	hm->sections_per_block = (unsigned long)(cfg->block_size >> SECTION_SIZE_BITS);
	atomic_store(&hm->auto_online_type, cfg->memhp_default_online_type);
	atomic_store(&hm->online_policy, cfg->online_policy);
	atomic_store(&hm->auto_movable_ratio, cfg->auto_movable_ratio);
	atomic_store(&hm->auto_movable_numa_aware, cfg->auto_movable_numa_aware);
	atomic_store(&hm->virtio_mem_unplug_online, cfg->virtio_mem_unplug_online);
	atomic_store(&hm->vmemmap_optimize_enabled, cfg->hugetlb_free_vmemmap);

	ret = physmem_init(hm);
	if (ret) {
		snprintf(err, errlen, "cannot reserve %llu bytes of address space for physical memory",
			 (unsigned long long)cfg->maxmem);
		goto err_free;
	}
	hm->nr_section_roots = DIV_ROUND_UP(nr_mem_sections(hm), SECTIONS_PER_ROOT);
	hm->mem_section = hm_alloc_noinject(hm, hm->nr_section_roots * sizeof(*hm->mem_section));
	ret = -ENOMEM;
	if (!hm->mem_section || alloc_node_data(hm) || map_boot_ram(hm)) {
		snprintf(err, errlen, "out of memory setting up the machine");
		goto err_physmem;
	}
	/* setup_arch(): e820__memory_setup() prints the firmware's table first, trim_bios_range() its changes */
	e820__print_table(hm);
	trim_bios_range(hm);
	ret = setup_arch_reserve(hm, err, errlen);
	if (ret)
		goto err_physmem;
	ret = sparse_init(hm, err, errlen);
	if (ret)
		goto err_sparse;
	swiotlb_init(hm);
	free_area_init(hm);
	init_cpu_to_node(hm);
	ret = memmap_init(hm);
	if (ret) {
		snprintf(err, errlen, "the host refused to map the boot memmap (vm.max_map_count or host memory)");
		goto err_sparse;
	}
	boot_command_line_report(hm);
	build_all_zonelists_init(hm);
	memblock_free_all(hm);
	boot_reserve_after_free_all(hm);
	ret = memory_dev_init(hm);
	if (ret) {
		snprintf(err, errlen, "out of memory creating memory blocks");
		goto err_blocks;
	}
	init_per_zone_wmark_min(hm);
	/* single-threaded still: what a later setup_per_zone_wmarks() clears */
	hm->wmarks_boot = true;
	/*
	 * the initcalls' order: postcore's watermarks, then subsys's
	 * mm/mmap.c reserves and hugetlb_init() (hugepages=, mm/Makefile
	 * links mmap.o, then hugetlb.o, before memory-tiers.o), then the
	 * tiers' late dump
	 */
	mmap_reserve_init(hm);
	ret = hugetlb_init(hm);
	if (ret) {
		snprintf(err, errlen,
			 "hugepages=%lu: only %lu 2 MiB pages fit boot memory: 6.12 gives the pool "
			 "every 2 MiB block and its boot then runs out of memory (\"Kernel panic - "
			 "not syncing: System is deadlocked on memory\"); a smaller hugepages= boots",
			 hm->cfg.hugepages, hm->hugetlb_nr);
		hotmem_destroy(hm);
		return ret;
	}
	memory_tier_init(hm);
	ret = firmware_map_init(hm);
	if (ret) {
		snprintf(err, errlen, "out of memory for the firmware memory map");
		hotmem_destroy(hm);
		return ret;
	}
	boot_reserve_late(hm);
	/* kernel_init(): after free_initmem(), before init runs (6.12) */
	do_sysctl_args(hm);
	/* before the kernel's own allocations: a block found offline is one they never used */
	ret = apply_found_state(hm, err, errlen);
	if (ret) {
		hotmem_destroy(hm);
		return ret;
	}
	/*
	 * The kernel's own allocations at boot take no device_hotplug_lock:
	 * an operation of their own, whose end runs the kswapd their
	 * fallbacks woke, by the time anyone looks (hm_operation_end()).
	 * hugetlb_init() and the found state's changes are operations
	 * under the lock, each run at its unlock.
	 */
	hm_operation_begin();
	kmem_boot(hm);
	hm_operation_end(hm);
	mhp_check_host_maps(hm);
	dmesg_boot_snapshot(hm);
	*out = hm;
	return 0;

err_blocks:
	memory_dev_exit(hm);
err_sparse:
	sparse_destroy(hm);
err_physmem:
	for (int nid = 0; nid < HM_MAX_NUMNODES; nid++)
		free(hm->node_data[nid]);
	physmem_exit(hm);
err_free:
	free(hm->mem_section);
	free(hm);
	return ret;
}

void hotmem_destroy(struct hotmem *hm)
{
	struct hm_resource *r, *next;

	if (!hm)
		return;
	virtio_mem_destroy_all(hm);
	firmware_map_destroy(hm);
	workload_destroy(hm);
	kmem_destroy(hm);
	free(hm->memmap_want);	/* a restore that never ended */
	memory_dev_exit(hm);
	for (r = hm->resources; r; r = next) {
		next = r->next;
		hm_free(hm, r, sizeof(*r));
	}
	sparse_destroy(hm);
	for (int nid = 0; nid < HM_MAX_NUMNODES; nid++)
		hm_free(hm, hm->node_data[nid], sizeof(struct pglist_data));
	physmem_exit(hm);
	free(hm->boot_dmesg);
	free(hm);
}
