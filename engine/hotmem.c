// SPDX-License-Identifier: GPL-2.0
/*
 * The read side of the API: parameters, node and zone state, meminfo and
 * the one-paragraph summary.  Booting the machine is engine/mm_init.c.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

const struct hotmem_config *hotmem_get_config(const struct hotmem *hm)
{
	return &hm->cfg;
}

/* ------------------------------------------------------------------ */
/* parameters                                                          */
/* ------------------------------------------------------------------ */

int hotmem_get_auto_online(struct hotmem *hm)
{
	return atomic_load(&hm->auto_online_type);
}

int hotmem_set_auto_online(struct hotmem *hm, int online_type)
{
	if (online_type < HM_MMOP_OFFLINE || online_type > HM_MMOP_ONLINE_MOVABLE)
		return -EINVAL;
	atomic_store(&hm->auto_online_type, online_type);
	return 0;
}

void hotmem_hold_auto_online(struct hotmem *hm, bool hold)
{
	atomic_store(&hm->auto_online_held, hold);
}

static const char *const online_policy_names[] = {
	[HM_ONLINE_POLICY_CONTIG_ZONES] = "contig-zones",
	[HM_ONLINE_POLICY_AUTO_MOVABLE] = "auto-movable",
};

const char *hotmem_online_policy_name(int policy)
{
	if (policy < 0 || policy >= (int)ARRAY_SIZE(online_policy_names))
		return "unknown";
	return online_policy_names[policy];
}

/* sysfs_match_string(): a single trailing newline allowed */
int hotmem_online_policy_from_str(const char *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(online_policy_names); i++) {
		size_t n = strlen(online_policy_names[i]);

		if (!strncmp(s, online_policy_names[i], n) &&
		    (!s[n] || (s[n] == '\n' && !s[n + 1])))
			return (int)i;
	}
	return -EINVAL;
}

int hotmem_get_online_policy(struct hotmem *hm)
{
	return atomic_load(&hm->online_policy);
}

int hotmem_set_online_policy(struct hotmem *hm, int policy)
{
	if (policy != HM_ONLINE_POLICY_CONTIG_ZONES && policy != HM_ONLINE_POLICY_AUTO_MOVABLE)
		return -EINVAL;
	atomic_store(&hm->online_policy, policy);
	return 0;
}

unsigned int hotmem_get_auto_movable_ratio(struct hotmem *hm)
{
	return atomic_load(&hm->auto_movable_ratio);
}

int hotmem_set_auto_movable_ratio(struct hotmem *hm, unsigned int ratio)
{
	atomic_store(&hm->auto_movable_ratio, ratio);
	return 0;
}

bool hotmem_get_auto_movable_numa_aware(struct hotmem *hm)
{
	return atomic_load(&hm->auto_movable_numa_aware);
}

int hotmem_set_auto_movable_numa_aware(struct hotmem *hm, bool on)
{
	atomic_store(&hm->auto_movable_numa_aware, on);
	return 0;
}

bool hotmem_get_virtio_mem_unplug_online(struct hotmem *hm)
{
	return atomic_load(&hm->virtio_mem_unplug_online);
}

int hotmem_set_virtio_mem_unplug_online(struct hotmem *hm, bool on)
{
	atomic_store(&hm->virtio_mem_unplug_online, on);
	return 0;
}

int hotmem_get_memmap_on_memory(struct hotmem *hm)
{
	return hm->cfg.memmap_on_memory;
}

/* ------------------------------------------------------------------ */
/* accounting                                                          */
/* ------------------------------------------------------------------ */

int hotmem_nr_possible_nodes(const struct hotmem *hm)
{
	return hm->nr_possible_nodes;
}

int hotmem_pxm_to_node(const struct hotmem *hm, int pxm)
{
	return hotmem_srat_pxm_to_node(&hm->srat, pxm);
}

unsigned long hotmem_zone_movable_pfn(const struct hotmem *hm, int nid)
{
	return nid >= 0 && nid < HM_MAX_NUMNODES ? hm->zone_movable_pfn[nid] : 0;
}

int hotmem_node_to_pxm(const struct hotmem *hm, int nid)
{
	return hotmem_srat_node_to_pxm(&hm->srat, nid);
}

int hotmem_node_distance(const struct hotmem *hm, int from, int to)
{
	const struct hotmem_config *cfg = &hm->cfg;

	if (from < 0 || to < 0 || from >= hm->nr_possible_nodes || to >= hm->nr_possible_nodes)
		return -EINVAL;
	if (from == to)
		return 10;
	if (!cfg->slit)
		return 20;
	/* QEMU's complete_init_numa_distance(): one direction given stands for both */
	return cfg->node_distance[from][to] ? cfg->node_distance[from][to] :
					      cfg->node_distance[to][from];
}

int hotmem_zone_info(struct hotmem *hm, int nid, int zid, struct hm_zone_info *zi)
{
	struct zone *z;

	if (nid < 0 || nid >= hm->nr_possible_nodes || zid < 0 || zid >= MAX_NR_ZONES)
		return -EINVAL;
	z = &NODE_DATA(hm, nid)->node_zones[zid];
	memset(zi, 0, sizeof(*zi));
	zi->nid = nid;
	zi->zid = zid;
	pthread_rwlock_rdlock(&hm->span_lock);
	zi->zone_start_pfn = z->zone_start_pfn;
	zi->spanned = z->spanned_pages;
	zi->present = z->present_pages;
	zi->present_early = z->present_early_pages;
	pthread_rwlock_unlock(&hm->span_lock);
	zi->populated = zi->present != 0;
	zi->managed = zone_managed_pages(z);
	pthread_mutex_lock(&z->lock);
	zi->nr_free = z->nr_free_pages;
	for (int o = 0; o < NR_PAGE_ORDERS; o++)
		zi->free_area[o] = z->free_area[o].nr_free;
	zi->nr_isolate_pageblock = z->nr_isolate_pageblock;
	zi->wmark_min = z->_watermark[WMARK_MIN];
	zi->wmark_low = z->_watermark[WMARK_LOW];
	zi->wmark_high = z->_watermark[WMARK_HIGH];
	zi->nr_alloc_movable = z->nr_alloc[HM_ALLOC_MOVABLE];
	zi->nr_alloc_unmovable = z->nr_alloc[HM_ALLOC_UNMOVABLE];
	zi->nr_alloc_pinned = z->nr_alloc[HM_ALLOC_PINNED];
	zi->pcp_high = zone_pcp_high(z);
	zi->pcp_batch = __atomic_load_n(&z->pageset_batch, __ATOMIC_RELAXED);
	zi->pcp_high_min = __atomic_load_n(&z->pageset_high_min, __ATOMIC_RELAXED);
	zi->pcp_high_max = __atomic_load_n(&z->pageset_high_max, __ATOMIC_RELAXED);
	zi->stat_threshold = __atomic_load_n(&z->stat_threshold, __ATOMIC_RELAXED);
	zi->nr_slab_reclaimable = z->nr_kmem[KMEM_SRECLAIMABLE];
	zi->nr_slab_unreclaimable = z->nr_kmem[KMEM_SUNRECLAIM];
	zi->nr_page_table_pages = z->nr_kmem[KMEM_PAGETABLES];
	zi->nr_kernel_stack = z->nr_kmem[KMEM_KERNEL_STACK];
	zi->nr_percpu = z->nr_kmem[KMEM_PERCPU];
	zi->cma_pages = z->cma_pages;
	zi->watermark_boost = z->watermark_boost;
	pthread_mutex_unlock(&z->lock);
	zi->node_unreclaimable = pgdat_kswapd_hopeless(hm, z->zone_pgdat);
	for (int i = 0; i < HM_NR_NUMA_EVENTS; i++)
		zi->numa_events[i] = atomic_load_explicit(&z->vm_numa_event[i],
							  memory_order_relaxed);
	for (int j = 0; j < MAX_NR_ZONES; j++)
		zi->lowmem_reserve[j] = zone_lowmem_reserve(z, j);
	return 0;
}

int hotmem_node_info(struct hotmem *hm, int nid, struct hm_node_info *ni)
{
	struct pglist_data *pgdat;

	if (nid < 0 || nid >= hm->nr_possible_nodes)
		return -EINVAL;
	pgdat = NODE_DATA(hm, nid);
	memset(ni, 0, sizeof(*ni));
	ni->nid = nid;
	for (int zid = 0; zid < MAX_NR_ZONES; zid++) {
		struct hm_zone_info zi;

		hotmem_zone_info(hm, nid, zid, &zi);
		ni->present += zi.present;
		ni->managed += zi.managed;
		ni->free += zi.nr_free;
		if (zi.present) {
			ni->has_memory = true;
			if (zid <= ZONE_NORMAL)
				ni->has_normal_memory = true;
		}
	}
	pthread_rwlock_rdlock(&hm->span_lock);
	ni->online = pgdat->online;
	ni->has_cpu = pgdat->has_cpu;
	ni->mf_total = pgdat->mf_total;
	ni->mf_ignored = pgdat->mf_ignored;
	ni->mf_failed = pgdat->mf_failed;
	ni->mf_delayed = pgdat->mf_delayed;
	ni->mf_recovered = pgdat->mf_recovered;
	ni->node_start_pfn = pgdat->node_start_pfn;
	ni->spanned = pgdat->node_spanned_pages;
	pthread_rwlock_unlock(&hm->span_lock);
	/* hugetlb_count() updates them atomically, beside a reader with no lock (explain) */
	ni->hugepages_total = __atomic_load_n(&pgdat->nr_hugepages, __ATOMIC_RELAXED);
	ni->hugepages_free = __atomic_load_n(&pgdat->free_hugepages, __ATOMIC_RELAXED);
	ni->hugepages_optimized = __atomic_load_n(&pgdat->nr_hugepages_optimized, __ATOMIC_RELAXED);
	for (int zid = 0; zid < MAX_NR_ZONES; zid++)
		ni->hugepages_zone[zid] = __atomic_load_n(&pgdat->nr_hugepages_zone[zid],
							  __ATOMIC_RELAXED);
	return 0;
}

void hotmem_meminfo(struct hotmem *hm, struct hm_meminfo *mi)
{
	unsigned long id = 0;

	memset(mi, 0, sizeof(*mi));
	mi->totalram_pages = totalram_pages(hm);
	for (int nid = 0; nid < hm->nr_possible_nodes; nid++) {
		struct pglist_data *pgdat = NODE_DATA(hm, nid);

		for (int zid = 0; zid < MAX_NR_ZONES; zid++) {
			struct hm_zone_info zi;

			hotmem_zone_info(hm, nid, zid, &zi);
			mi->free_pages += zi.nr_free;
			mi->present_pages += zi.present;
			mi->nr_alloc_movable += zi.nr_alloc_movable;
			mi->nr_alloc_unmovable += zi.nr_alloc_unmovable;
			mi->nr_alloc_pinned += zi.nr_alloc_pinned;
			mi->slab_reclaimable += zi.nr_slab_reclaimable;
			mi->slab_unreclaimable += zi.nr_slab_unreclaimable;
			mi->pagetables += zi.nr_page_table_pages;
			mi->kernel_stack += zi.nr_kernel_stack;
			mi->percpu += zi.nr_percpu;
		}
		/* as hotmem_node_info() reads them: hugetlb_count()'s atomics */
		mi->hugetlb_pages += __atomic_load_n(&pgdat->nr_hugepages, __ATOMIC_RELAXED);
		mi->hugetlb_free += __atomic_load_n(&pgdat->free_hugepages, __ATOMIC_RELAXED);
	}
	mi->reserved_pages = mi->present_pages - mi->totalram_pages;
	mi->memmap_pages = (unsigned long)atomic_load(&hm->memmap_pages);
	mi->memmap_on_memory_pages = (unsigned long)atomic_load(&hm->memmap_on_memory_pages);
	mi->hvo_saved_pages = (unsigned long)atomic_load(&hm->hvo_saved_pages);
	/* hot-added memory that nobody onlined yet */
	for (bool first = true; !hotmem_block_next(hm, &id, first); first = false) {
		struct hm_block_info bi;

		if (!hotmem_block_info(hm, id, &bi) && !bi.boot && bi.state != HM_MEM_ONLINE)
			mi->offline_pages += pages_per_block(hm);
	}
}

size_t hotmem_metadata_bytes(struct hotmem *hm)
{
	return (size_t)atomic_load(&hm->metadata_bytes);
}

size_t hotmem_metadata_peak_bytes(struct hotmem *hm)
{
	return (size_t)atomic_load(&hm->metadata_peak);
}

/*
 * get_online_mems() for a reader of any pfn's struct page (6.12
 * pfn_to_online_page()'s callers that may meet a removal hold it, e.g.
 * memory_failure()): an add or a removal holds mem_hotplug_lock for
 * writing while it maps or frees a section's usage and memmap, so
 * pfn_valid() and the read that follows see one section, present
 * throughout (a reader racing hotmem_remove_memory() read the unmapped
 * memmap: SIGSEGV; review O1).  A reader never waits for device_hotplug_lock,
 * but does wait for an online or an offline under way, as the kernel's
 * get_online_mems() does.  Called with it held for writing (a memory
 * notifier or a subscriber's callback in the operation's thread): already
 * excluded, glibc says so (EDEADLK) and nothing is taken.  Nor in a thread
 * working for that operation (a memmap init chunk, the batch prefetcher:
 * mem_hotplug_helper_begin()), which the operation waits to join: waiting
 * there would hang both (finalI F1).  The operation excludes what the lock
 * would: the chunk runs under its mem_hotplug_lock, the prefetcher under
 * its batch's device_hotplug_lock (no add or remove meanwhile).
 */
static bool get_online_mems(struct hotmem *hm)
{
	if (mem_hotplug_helper_running())
		return false;
	return pthread_rwlock_rdlock(&hm->mem_hotplug_lock) == 0;
}

static void put_online_mems(struct hotmem *hm, bool taken)
{
	if (taken)
		pthread_rwlock_unlock(&hm->mem_hotplug_lock);
}

int hotmem_page_flags(struct hotmem *hm, uint64_t pfn, unsigned long *flags)
{
	const bool taken = get_online_mems(hm);
	int ret = -EINVAL;

	if (!pfn_valid(hm, (unsigned long)pfn))
		goto out;
	/* a HugeTLB remap the host refuses may leave a hole for a moment */
	pthread_rwlock_rdlock(&hm->vmemmap_remap_lock);
	ret = memmap_check_mapped(hm, (unsigned long)pfn, "hotmem_page_flags");
	if (!ret)
		*flags = READ_ONCE(pfn_to_page(hm, (unsigned long)pfn)->flags);
	pthread_rwlock_unlock(&hm->vmemmap_remap_lock);
out:
	put_online_mems(hm, taken);
	return ret;
}

/* the pointer stays valid while the pfn's memory is present (hotmem.h) */
void *hotmem_pfn_to_page(struct hotmem *hm, uint64_t pfn)
{
	const bool taken = get_online_mems(hm);
	int ret = -EINVAL;

	if (pfn_valid(hm, (unsigned long)pfn)) {
		/* as hotmem_page_flags(): a refused remap's hole is never seen half handled */
		pthread_rwlock_rdlock(&hm->vmemmap_remap_lock);
		ret = memmap_check_mapped(hm, (unsigned long)pfn, "hotmem_pfn_to_page");
		pthread_rwlock_unlock(&hm->vmemmap_remap_lock);
	}
	put_online_mems(hm, taken);
	if (ret) {
		errno = -ret;
		return NULL;
	}
	return pfn_to_page(hm, (unsigned long)pfn);
}

static const char *human(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "BKMGTPE";
	int u = 0;
	double v = (double)bytes;

	while (v >= 1024 && u < 6) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, v == (double)(uint64_t)v ? "%.0f%c" : "%.1f%c", v, units[u]);
	return buf;
}

/*
 * The node states as node/online, has_cpu, has_memory and
 * has_normal_memory list them (include/linux/nodemask.h's N_ONLINE,
 * N_CPU, N_MEMORY, N_NORMAL_MEMORY): a memoryless node is online and has
 * CPUs but no memory.  has_cpu is the engine's, the nodes with present
 * CPUs (hotmemfs shows the nodes with an online one).
 */
static int summary_nodes(struct hotmem *hm, char *buf, size_t len)
{
	uint64_t set[4] = { 0 };
	char l[4][4 * HM_MAX_NUMNODES];

	for (int nid = 0; nid < hm->nr_possible_nodes; nid++) {
		struct hm_node_info ni;

		if (hotmem_node_info(hm, nid, &ni))
			continue;
		set[0] |= (uint64_t)ni.online << nid;
		set[1] |= (uint64_t)ni.has_cpu << nid;
		set[2] |= (uint64_t)ni.has_memory << nid;
		set[3] |= (uint64_t)ni.has_normal_memory << nid;
	}
	for (int i = 0; i < 4; i++)
		hotmem_nodelist_format(set[i], l[i], sizeof(l[i]));
	/* lists in brackets: "has_memory 0" read as "no node has memory" (usereye9 F5) */
	return snprintf(buf, len, "nodes: online=[%s] has_cpu=[%s] has_memory=[%s] has_normal_memory=[%s]\n",
			l[0], l[1], l[2], l[3]);
}

int hotmem_summary(struct hotmem *hm, char *buf, size_t len)
{
	struct hm_meminfo mi;
	unsigned long id = 0, online = 0, offline = 0;
	char a[32], b[32], c[32], d[32], e[32];
	int n;

	hotmem_meminfo(hm, &mi);
	for (bool first = true; !hotmem_block_next(hm, &id, first); first = false) {
		struct hm_block_info bi;

		if (hotmem_block_info(hm, id, &bi))
			continue;
		if (bi.state == HM_MEM_ONLINE)
			online++;
		else
			offline++;
	}
	/*
	 * The profile's maxmem is where the emulator's physical addresses
	 * end (highest hot-pluggable address + 1), not QEMU's -m maxmem=
	 * (RAM plus the devices' total: qemu-512m's 4G against this 11.5G,
	 * its device-memory region's end), so
	 * the line says what it is, not the key's name (usereye9 F3).
	 */
	n = snprintf(buf, len,
		     "machine %s: %d possible node(s), block size %s, MAX_PHYSMEM_BITS %u, "
		     "hotplug addresses end at %s\n"
		     "blocks: %lu online, %lu offline; present sections %lu\n"
		     "MemTotal %s, MemFree %s, memmap %s (%lu pages self-hosted)\n"
		     "policy %s, auto_online_blocks %s, memmap_on_memory %s, ratio %u\n",
		     hm->cfg.name, hm->nr_possible_nodes, human(hm->cfg.block_size, a, sizeof(a)),
		     hm->cfg.max_physmem_bits, human(hm->cfg.maxmem, b, sizeof(b)), online, offline,
		     hm->nr_present_sections, human(PFN_PHYS(mi.totalram_pages), c, sizeof(c)),
		     human(PFN_PHYS(mi.free_pages), d, sizeof(d)),
		     human(PFN_PHYS(mi.memmap_pages), e, sizeof(e)), mi.memmap_on_memory_pages,
		     hotmem_online_policy_name(hotmem_get_online_policy(hm)),
		     hotmem_online_type_name(hotmem_get_auto_online(hm)),
		     hotmem_memmap_on_memory_name(hm->cfg.memmap_on_memory),
		     hotmem_get_auto_movable_ratio(hm));
	if (n >= 0 && (size_t)n < len)
		n += summary_nodes(hm, buf + n, len - (size_t)n);
	if (n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n,
			      "kernel_alloc %s (seed %lu): Slab %lu kB, PageTables %lu kB, KernelStack %lu kB\n",
			      hotmem_kernel_alloc_name(hm->cfg.kernel_alloc),
			      hm->cfg.kernel_alloc_seed,
			      (mi.slab_reclaimable + mi.slab_unreclaimable) * 4, mi.pagetables * 4,
			      mi.kernel_stack * 4);
	for (int nid = 0; nid < hm->nr_possible_nodes && n >= 0 && (size_t)n < len; nid++) {
		for (int zid = 0; zid < MAX_NR_ZONES; zid++) {
			struct hm_zone_info zi;

			hotmem_zone_info(hm, nid, zid, &zi);
			if (!zi.spanned && !zi.present)
				continue;
			n += snprintf(buf + n, len - (size_t)n,
				      "  node %d zone %-7s start_pfn %#9lx spanned %8lu present %8lu managed %8lu free %8lu\n",
				      nid, hotmem_zone_name(zid), zi.zone_start_pfn, zi.spanned,
				      zi.present, zi.managed, zi.nr_free);
		}
	}
	return n;
}
