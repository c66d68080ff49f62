// SPDX-License-Identifier: GPL-2.0
/*
 * mm/memory_hotplug.c: adding, onlining, offlining and removing memory.
 *
 * Follows mainline 6.12+ (memory groups, auto-movable, memmap_on_memory per
 * memory block, PageOffline-initialised hotplugged memmap).  Where we
 * deliberately differ, the comment says so; the main one: every failure
 * unwinds completely, including a half-done __add_pages(), which the kernel
 * leaves to its callers.
 */
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>

#include "internal.h"
#include "uapi/hmuapi.h"

/*
 * The engine's operations under way in this thread.  An operation is
 * what runs under device_hotplug_lock (lock_device_hotplug()), or a
 * call that allocates under no lock of the sort (a task's pages,
 * hotmem_alloc_pages(); the boot): hm_operation_begin() and
 * hm_operation_end() around it.  One inside another ends with the
 * outermost (a call that takes the lock from inside such a call does
 * not end it).  Per thread, as
 * mem_hotplug_helper below: the depth is the thread's own, and another
 * thread's operation is not this one's.
 */
static _Thread_local unsigned int operation_depth;
/*
 * This thread woke kswapd (wakeup_kswapd()) since its outermost
 * operation's end last ran it: that end runs it, and only such an end.
 * A reader that takes device_hotplug_lock to look (check_invariants,
 * iomem, firmware_map, section_state, the kmem log's getters,
 * ram_resident_bytes, virtio_mem_at) allocates nothing and so runs no
 * kswapd: its unlock ran the one another thread's lock-free operation
 * (hotmem_alloc_pages()) had woken, in that operation's middle, and took
 * its boosts back before its next allocation checked them (reread
 * review R3; tests/engine/test_hugetlb.c
 * test_reader_runs_no_kswapd_of_another_operation).  Two operations
 * that both allocate, in two threads at once, still may: the first to
 * end runs what both woke, as the kernel's kswapd, a thread beside
 * both, runs while either allocates.
 */
static _Thread_local bool operation_woke_kswapd;

void hm_operation_begin(void)
{
	operation_depth++;
}

/*
 * An end with no operation begun in this thread: a hotmem bug (an unlock
 * without its lock, a raw unlock of device_hotplug_lock's mutex paired
 * with unlock_device_hotplug()).  The unsigned depth wrapped there, and
 * every end after it was a nested one: kswapd ran at no operation's end
 * again, each boost left in /proc/zoneinfo.  The depth stays 0 instead,
 * and it is said as 6.12 says a WARN_ON_ONCE() (add_pages_warn()'s
 * frame, once a boot), and counted: hotmem_check_invariants() fails
 * from then on, so that a test of any operation meets it.
 */
static void operation_end_unbalanced(struct hotmem *hm)
{
	if (atomic_fetch_add(&hm->operation_ends_unbalanced, 1))
		return;
	pr_warn(hm, "------------[ cut here ]------------");
	pr_warn(hm, "WARNING: CPU: 0 PID: 0 at %s:%d hm_operation_end", __FILE__, __LINE__);
	pr_warn(hm, "---[ end trace 0000000000000000 ]---");
	pr_debug(hm, "hotmem: the WARNING above is hotmem's own: an operation's end without "
		 "its begin (hm_operation_end()), a hotmem bug; the operation depth stays 0");
}

void hm_operation_woke_kswapd(void)
{
	operation_woke_kswapd = true;
}

/*
 * An operation ends: at the outermost, the kswapd its allocations woke
 * runs (kswapd_run_pending()), once the lock is dropped -- if they woke
 * it (operation_woke_kswapd).  6.12's kswapd
 * is a thread beside the allocating task: the boosts of the task's
 * fallbacks add up while it allocates, and kswapd has taken them back
 * by the time anyone reads zoneinfo.  The one place every operation's
 * kswapd runs: each operation called kswapd_run_pending() after its own
 * unlock, and one without the call (virtio-mem's, reread39 R4) left its
 * boost in /proc/zoneinfo until the next operation.  A nested end runs
 * nothing: kswapd never runs inside an operation (but kmem_tick()'s,
 * which stands for the time before it).
 */
void hm_operation_end(struct hotmem *hm)
{
	if (!operation_depth) {
		operation_end_unbalanced(hm);
		return;
	}
	if (--operation_depth || !operation_woke_kswapd)
		return;
	operation_woke_kswapd = false;
	kswapd_run_pending(hm);
}

/*
 * 6.12 drivers/base/core.c lock_device_hotplug(): the mutex that
 * serialises hotplug operations (mutex_lock(&device_hotplug_lock)) --
 * the engine's only way to take it, as unlock_device_hotplug() is to
 * let go of it: an operation begins
 */
void lock_device_hotplug(struct hotmem *hm)
{
	pthread_mutex_lock(&hm->device_hotplug_lock);
	hm_operation_begin();
}

/*
 * 6.12 unlock_device_hotplug(), then the operation's end: the kswapd its
 * allocations woke (hm_operation_end()); a reader's, none
 */
void unlock_device_hotplug(struct hotmem *hm)
{
	pthread_mutex_unlock(&hm->device_hotplug_lock);
	hm_operation_end(hm);
}

void mem_hotplug_begin(struct hotmem *hm)
{
	pthread_rwlock_wrlock(&hm->mem_hotplug_lock);
}

void mem_hotplug_done(struct hotmem *hm)
{
	pthread_rwlock_unlock(&hm->mem_hotplug_lock);
}

/*
 * A thread that works for the operation holding mem_hotplug_lock for
 * writing (a memmap init chunk, the batch prefetcher) while that operation
 * waits to join it: a subscriber's callback it runs must not wait for the
 * lock (the operation would never join it; finalI F1).  A mark per thread,
 * as the operation's own thread is marked by glibc's EDEADLK.  Nested: the
 * operation's thread runs a chunk itself.
 */
static _Thread_local unsigned int mem_hotplug_helper;

void mem_hotplug_helper_begin(void)
{
	mem_hotplug_helper++;
}

void mem_hotplug_helper_end(void)
{
	mem_hotplug_helper--;
}

bool mem_hotplug_helper_running(void)
{
	return mem_hotplug_helper != 0;
}

/* ------------------------------------------------------------------ */
/* memory notifier chain, with notifier-error-inject                   */
/* ------------------------------------------------------------------ */

static int notifier_inject_slot(unsigned long action)
{
	if (action == HM_MEM_GOING_ONLINE)
		return 0;
	if (action == HM_MEM_GOING_OFFLINE)
		return 1;
	return -1;
}

int memory_notify(struct hotmem *hm, unsigned long action, unsigned long start_pfn,
		  unsigned long nr_pages)
{
	int slot = notifier_inject_slot(action);
	int ret = 0;
	HM_TRACE_FN(hm, memory_notify, &ret, start_pfn, nr_pages, -1, -1, (long)action);

	/*
	 * lib/notifier-error-inject.c (6.12) notifier_err_inject_callback():
	 * the error is returned for the action, said at KERN_INFO
	 */
	if (slot >= 0)
		ret = atomic_load(&hm->notifier_error[slot]);
	if (ret) {
		pr_info(hm, "Injecting error (%d) to %s", ret, hmu_mem_action_name((long long)action));
		return ret;
	}
	/* blocking_notifier_call_chain(): an error stops the chain */
	for (struct notifier_block *nb = hm->memory_chain; nb && !ret; nb = nb->next)
		ret = nb->notifier_call(hm, action,
					&(struct memory_notify){ start_pfn, nr_pages }, nb->data);
	return ret;
}

/*
 * register_memory_notifier() (6.12 notifier_chain_register()): by
 * priority, higher first, after those of its own priority -- a driver's
 * (0) after mm/mmap.c's reserve_mem_notifier (DEFAULT_CALLBACK_PRI,
 * registered at boot).  Under device_hotplug_lock.
 */
void register_memory_notifier(struct hotmem *hm, struct notifier_block *nb)
{
	struct notifier_block **pp = &hm->memory_chain;

	while (*pp && (*pp)->priority >= nb->priority)
		pp = &(*pp)->next;
	nb->next = *pp;
	*pp = nb;
}

void unregister_memory_notifier(struct hotmem *hm, struct notifier_block *nb)
{
	for (struct notifier_block **pp = &hm->memory_chain; *pp; pp = &(*pp)->next) {
		if (*pp == nb) {
			*pp = nb->next;
			return;
		}
	}
}

/* set_online_page_callback(): one driver at a time may take it (-EINVAL) */
int set_online_page_callback(struct hotmem *hm, online_page_callback_t cb, void *data)
{
	if (hm->online_page_callback)
		return -EINVAL;
	hm->online_page_callback = cb;
	hm->online_page_callback_data = data;
	return 0;
}

int restore_online_page_callback(struct hotmem *hm, online_page_callback_t cb)
{
	if (hm->online_page_callback != cb)
		return -EINVAL;
	hm->online_page_callback = NULL;
	hm->online_page_callback_data = NULL;
	return 0;
}

/*
 * generic_online_page(): __free_pages_core(MEMINIT_HOTPLUG) — the pages
 * lose PageOffline, count as managed and go to the tail of the buddy.
 */
void generic_online_page(struct hotmem *hm, struct page *page, unsigned int order)
{
	__free_pages_core(hm, page, order, true);
}

int hotmem_set_notifier_error(struct hotmem *hm, int action, int err)
{
	int slot = notifier_inject_slot((unsigned long)action);

	/* notifier_from_errno() accepts 0 and -MAX_ERRNO..-1 */
	if (slot < 0 || err > 0 || err < -4095)
		return -EINVAL;
	atomic_store(&hm->notifier_error[slot], err);
	return 0;
}

int hotmem_get_notifier_error(struct hotmem *hm, int action)
{
	int slot = notifier_inject_slot((unsigned long)action);

	return slot < 0 ? -EINVAL : atomic_load(&hm->notifier_error[slot]);
}

/* ------------------------------------------------------------------ */
/* memory groups                                                       */
/* ------------------------------------------------------------------ */

struct memory_group *memory_group_find_by_id(struct hotmem *hm, int id)
{
	if (id < 0 || id >= HM_MAX_GROUPS || !hm->groups[id].in_use)
		return NULL;
	return &hm->groups[id];
}

static int register_memory_group(struct hotmem *hm, struct memory_group *tmpl)
{
	int ret = -ENOSPC;

	if (tmpl->nid < 0 || tmpl->nid >= hm->nr_possible_nodes)
		return -EINVAL;
	lock_device_hotplug(hm);
	for (int i = 0; i < HM_MAX_GROUPS; i++) {
		if (!hm->groups[i].in_use) {
			hm->groups[i] = *tmpl;
			hm->groups[i].in_use = true;
			ret = i;
			break;
		}
	}
	unlock_device_hotplug(hm);
	return ret;
}

int hotmem_register_static_memory_group(struct hotmem *hm, int nid, unsigned long max_pages)
{
	struct memory_group g = { .nid = nid, .max_pages = max_pages };

	if (!max_pages)
		return -EINVAL;
	return register_memory_group(hm, &g);
}

int hotmem_register_dynamic_memory_group(struct hotmem *hm, int nid, unsigned long unit_pages)
{
	struct memory_group g = { .nid = nid, .is_dynamic = true, .unit_pages = unit_pages };

	if (!unit_pages || (unit_pages & (unit_pages - 1)) ||
	    unit_pages < pages_per_block(hm))
		return -EINVAL;
	return register_memory_group(hm, &g);
}

int hotmem_unregister_memory_group(struct hotmem *hm, int id)
{
	struct memory_group *g;
	int ret = 0;

	lock_device_hotplug(hm);
	g = memory_group_find_by_id(hm, id);
	if (!g) {
		ret = -EINVAL;
	} else {
		/* still in use by a memory block? */
		for (struct hm_resource *r = hm->resources; r; r = r->next)
			if (r->group == id)
				ret = -EBUSY;
		if (!ret)
			g->in_use = false;
	}
	unlock_device_hotplug(hm);
	return ret;
}

/* ------------------------------------------------------------------ */
/* zones: spans, present pages, node states                            */
/* ------------------------------------------------------------------ */

static void resize_zone_range(struct zone *z, unsigned long start_pfn,
			      unsigned long nr_pages)
{
	unsigned long old_end = zone_end_pfn(z);

	if (zone_is_empty(z) || start_pfn < z->zone_start_pfn)
		z->zone_start_pfn = start_pfn;
	z->spanned_pages = max(start_pfn + nr_pages, old_end) - z->zone_start_pfn;
}

static void resize_pgdat_range(struct pglist_data *pgdat, unsigned long start_pfn,
			       unsigned long nr_pages)
{
	unsigned long old_end = pgdat->node_start_pfn + pgdat->node_spanned_pages;

	if (!pgdat->node_spanned_pages || start_pfn < pgdat->node_start_pfn)
		pgdat->node_start_pfn = start_pfn;
	pgdat->node_spanned_pages = max(start_pfn + nr_pages, old_end) - pgdat->node_start_pfn;
}

static void remove_pfn_range_from_zone(struct hotmem *hm, struct zone *zone,
				       unsigned long start_pfn, unsigned long nr_pages);

/*
 * move_pfn_range_to_zone(): the range joins the zone and its memmap is
 * initialised — in the state __free_pages_core() would leave it when
 * @refcount is 0, so online_pages() need not walk it again.  The kernel's
 * cannot fail; ours fails when the host leaves a memmap unmapped
 * (vmemmap_share_template()), and then undoes itself.
 */
static int move_pfn_range_to_zone(struct hotmem *hm, struct zone *zone,
				   unsigned long start_pfn, unsigned long nr_pages,
				   int migratetype, bool isolate, unsigned long extra_flags,
				   int refcount)
{
	int nid = zone_to_nid(zone);
	int ret = 0;
	HM_TRACE_FN(hm, move_pfn_range_to_zone, NULL, start_pfn, nr_pages, nid, zone_idx(zone),
		    migratetype);

	/* nothing changed yet: a memmap the host cannot hold is refused here */
	ret = host_memory_room(hm, memmap_host_bytes(hm, start_pfn, nr_pages), start_pfn, nr_pages);
	if (ret)
		return ret;
	pthread_rwlock_wrlock(&hm->span_lock);
	resize_zone_range(zone, start_pfn, nr_pages);
	resize_pgdat_range(zone->zone_pgdat, start_pfn, nr_pages);
	pthread_rwlock_unlock(&hm->span_lock);

	ret = parallel_memmap_init(hm, start_pfn, nr_pages, nid, zone_idx(zone), extra_flags,
				   refcount);
	if (ret)
		goto err_memmap;
	for (unsigned long pfn = start_pfn; pfn < start_pfn + nr_pages;
	     pfn += pageblock_nr_pages) {
		set_pageblock_migratetype(hm, pfn, migratetype);
		set_pageblock_isolate(hm, pfn, isolate);
	}
	return 0;

err_memmap:
	/*
	 * Refused again, a memmap stays SECTION_MEMMAP_UNMAPPED (said in the
	 * log): nothing reads it until an online maps it first.
	 */
	if (vmemmap_remap_lost(hm, start_pfn, nr_pages))
		pr_err(hm, "memory_hotplug: pfns %#lx-%#lx stay offline with part of their memmap "
			   "unmapped; the next online maps it first", start_pfn,
		       start_pfn + nr_pages - 1);
	remove_pfn_range_from_zone(hm, zone, start_pfn, nr_pages);
	return ret;
}

static unsigned long next_online_candidate(struct hotmem *hm, unsigned long pfn)
{
	struct mem_section *ms = __pfn_to_section(hm, pfn);

	/* skip whole sections that cannot hold an online page */
	if (!online_section(ms))
		return ALIGN_DOWN(pfn, PAGES_PER_SECTION) + PAGES_PER_SECTION;
	return pfn + PAGES_PER_SUBSECTION;
}

/*
 * The kernel reads the struct page (6.12 find_smallest_section_pfn():
 * page_to_nid(), page_zone()).  One in a memmap the host left unmapped
 * (vmemmap_lost()) cannot be read, so the page's node and zone are taken
 * from where they were set: a block onlined after boot is in one zone
 * (its memory_block's) of its sections' node; a boot block may span
 * zones (memory0's DMA and DMA32) and nodes (a node boundary inside a
 * block or a section), cannot go offline (test_pages_in_a_zone()), and
 * its pages are where memmap_init() put them: their boot range's node
 * (boot_pfn_nid()), the boot zone of the pfn.  (Asking the block alone
 * counted a multi-zone block's pfn in every zone of the block's node, and
 * a two-node block's pages of its second node in none: that zone's span
 * shrank past them; asking the section, the same for a node boundary
 * inside a section.)
 */
static bool pfn_in_zone_online(struct hotmem *hm, struct zone *zone, unsigned long pfn)
{
	struct page *page = pfn_to_online_page(hm, pfn);
	const struct memory_block *mem;
	const struct mem_section *ms;
	const struct zone *mz;
	int nid;

	if (!page)
		return false;
	if (!memmap_unmapped(hm, pfn))
		return page_to_nid(page) == zone_to_nid(zone) && page_zone(hm, page) == zone;
	mem = find_memory_block_by_id(hm, memory_block_id(hm, pfn_to_section_nr(pfn)));
	if (!mem)
		return false;
	ms = __pfn_to_section(hm, pfn);
	nid = early_section(ms) ? boot_pfn_nid(hm, pfn) : ms->nid;
	mz = __atomic_load_n(&mem->zone, __ATOMIC_RELAXED);
	if (!mz || zone_to_nid(mz) != nid)
		mz = &NODE_DATA(hm, nid)->node_zones[boot_zone_of(hm, nid, pfn)];
	return mz == zone;
}

static unsigned long find_smallest_section_pfn(struct hotmem *hm, struct zone *zone,
					       unsigned long start_pfn, unsigned long end_pfn)
{
	for (unsigned long pfn = start_pfn; pfn < end_pfn;
	     pfn = next_online_candidate(hm, pfn))
		if (pfn_in_zone_online(hm, zone, pfn))
			return pfn;
	return 0;
}

static unsigned long find_biggest_section_pfn(struct hotmem *hm, struct zone *zone,
					      unsigned long start_pfn, unsigned long end_pfn)
{
	for (unsigned long pfn = end_pfn - 1; pfn >= start_pfn && pfn != ULONG_MAX;) {
		struct mem_section *ms = __pfn_to_section(hm, pfn);

		if (pfn_in_zone_online(hm, zone, pfn))
			return pfn;
		if (!online_section(ms)) {
			if (ALIGN_DOWN(pfn, PAGES_PER_SECTION) == 0)
				break;
			pfn = ALIGN_DOWN(pfn, PAGES_PER_SECTION) - 1;
		} else {
			if (pfn < PAGES_PER_SUBSECTION)
				break;
			pfn -= PAGES_PER_SUBSECTION;
		}
	}
	return 0;
}

static void shrink_zone_span(struct hotmem *hm, struct zone *zone, unsigned long start_pfn,
			     unsigned long end_pfn)
{
	unsigned long pfn;

	if (zone->zone_start_pfn == start_pfn) {
		pfn = find_smallest_section_pfn(hm, zone, end_pfn, zone_end_pfn(zone));
		if (pfn) {
			zone->spanned_pages = zone_end_pfn(zone) - pfn;
			zone->zone_start_pfn = pfn;
		} else {
			zone->zone_start_pfn = 0;
			zone->spanned_pages = 0;
		}
	} else if (zone_end_pfn(zone) == end_pfn) {
		pfn = find_biggest_section_pfn(hm, zone, zone->zone_start_pfn, start_pfn);
		if (pfn) {
			zone->spanned_pages = pfn - zone->zone_start_pfn + 1;
		} else {
			zone->zone_start_pfn = 0;
			zone->spanned_pages = 0;
		}
	}
}

static void update_pgdat_span(struct pglist_data *pgdat)
{
	unsigned long node_start_pfn = 0, node_end_pfn = 0;

	for (int zid = 0; zid < MAX_NR_ZONES; zid++) {
		struct zone *z = &pgdat->node_zones[zid];

		if (!z->spanned_pages)
			continue;
		if (!node_end_pfn) {
			node_start_pfn = z->zone_start_pfn;
			node_end_pfn = zone_end_pfn(z);
			continue;
		}
		node_end_pfn = max(node_end_pfn, zone_end_pfn(z));
		node_start_pfn = min(node_start_pfn, z->zone_start_pfn);
	}
	pgdat->node_start_pfn = node_start_pfn;
	pgdat->node_spanned_pages = node_end_pfn - node_start_pfn;
}

static void remove_pfn_range_from_zone(struct hotmem *hm, struct zone *zone,
				       unsigned long start_pfn, unsigned long nr_pages)
{
	pthread_rwlock_wrlock(&hm->span_lock);
	shrink_zone_span(hm, zone, start_pfn, start_pfn + nr_pages);
	update_pgdat_span(zone->zone_pgdat);
	pthread_rwlock_unlock(&hm->span_lock);
}

void adjust_present_page_count(struct hotmem *hm, struct page *page,
			       struct memory_group *group, long nr_pages)
{
	struct zone *zone = page_zone(hm, page);
	const bool movable = is_zone_movable(zone);

	pthread_rwlock_wrlock(&hm->span_lock);
	/* memory onlined after boot never counts as early, even in a boot section */
	if (early_section(__pfn_to_section(hm, page_to_pfn(hm, page))))
		zone->present_early_pages += (unsigned long)nr_pages;
	zone->present_pages += (unsigned long)nr_pages;
	zone->zone_pgdat->node_present_pages += (unsigned long)nr_pages;
	if (group && movable)
		group->present_movable_pages += (unsigned long)nr_pages;
	else if (group && !movable)
		group->present_kernel_pages += (unsigned long)nr_pages;
	pthread_rwlock_unlock(&hm->span_lock);
}

/* ------------------------------------------------------------------ */
/* which zone: zone_for_pfn_range() and friends                        */
/* ------------------------------------------------------------------ */

static struct zone *default_kernel_zone_for_pfn(struct hotmem *hm, int nid,
						unsigned long start_pfn,
						unsigned long nr_pages)
{
	struct pglist_data *pgdat = NODE_DATA(hm, nid);

	for (int zid = 0; zid < ZONE_NORMAL; zid++) {
		struct zone *z = &pgdat->node_zones[zid];

		if (zone_intersects(z, start_pfn, nr_pages))
			return z;
	}
	return &pgdat->node_zones[ZONE_NORMAL];
}

static struct zone *default_zone_for_pfn(struct hotmem *hm, int nid,
					 unsigned long start_pfn, unsigned long nr_pages,
					 const char **rule)
{
	struct zone *kernel_zone = default_kernel_zone_for_pfn(hm, nid, start_pfn, nr_pages);
	struct zone *movable_zone = &NODE_DATA(hm, nid)->node_zones[ZONE_MOVABLE];
	bool in_kernel = zone_intersects(kernel_zone, start_pfn, nr_pages);
	bool in_movable = zone_intersects(movable_zone, start_pfn, nr_pages);

	/* inherit the zone where the range does not straddle two */
	if (in_kernel ^ in_movable) {
		*rule = in_kernel ?
			"contig-zones: the range lies in the span of the kernel zone only, so it joins it (default_zone_for_pfn)" :
			"contig-zones: the range lies in the span of ZONE_MOVABLE only, so it joins it (default_zone_for_pfn)";
		return in_kernel ? kernel_zone : movable_zone;
	}
	/* otherwise kernel memory, unless movable_node asks for movable */
	*rule = hm->cfg.movable_node ?
		"contig-zones: no zone to inherit; movable_node puts it in ZONE_MOVABLE" :
		"contig-zones: no zone to inherit; kernel memory by default (default_zone_for_pfn)";
	return hm->cfg.movable_node ? movable_zone : kernel_zone;
}

struct auto_movable_stats {
	unsigned long kernel_early_pages;
	unsigned long movable_pages;
};

static void auto_movable_stats_account_zone(struct auto_movable_stats *stats,
					    struct zone *zone)
{
	if (zone_idx(zone) == ZONE_MOVABLE) {
		stats->movable_pages += zone->present_pages;
	} else {
		stats->kernel_early_pages += zone->present_early_pages;
		/* CMA pages behave like ZONE_MOVABLE */
		stats->movable_pages += zone->cma_pages;
		stats->kernel_early_pages -= zone->cma_pages;
	}
}

struct auto_movable_group_stats {
	unsigned long movable_pages;
	unsigned long req_kernel_early_pages;
};

static bool auto_movable_can_online_movable(struct hotmem *hm, int nid,
					    struct memory_group *group,
					    unsigned long nr_pages)
{
	unsigned int ratio = atomic_load(&hm->auto_movable_ratio);
	struct auto_movable_group_stats group_stats = { 0 };
	struct auto_movable_stats stats = { 0 };
	unsigned long kernel_early_pages, movable_pages;

	for (int n = 0; n < hm->nr_possible_nodes; n++) {
		if (nid != NUMA_NO_NODE && n != nid)
			continue;
		for (int zid = 0; zid < MAX_NR_ZONES; zid++) {
			struct zone *z = &NODE_DATA(hm, n)->node_zones[zid];

			if (populated_zone(z))
				auto_movable_stats_account_zone(&stats, z);
		}
	}
	kernel_early_pages = stats.kernel_early_pages;
	movable_pages = stats.movable_pages;

	/*
	 * Kernel memory inside a dynamic group allows more MOVABLE in that
	 * group: take every other dynamic group's effect out of the stats.
	 */
	for (int i = 0; ratio && i < HM_MAX_GROUPS; i++) {
		struct memory_group *g = &hm->groups[i];
		long pages;

		if (!g->in_use || !g->is_dynamic || g == group)
			continue;
		if (nid != NUMA_NO_NODE && g->nid != nid)
			continue;
		pages = (long)(g->present_movable_pages * 100 / ratio);
		pages -= (long)g->present_kernel_pages;
		if (pages > 0)
			group_stats.req_kernel_early_pages += (unsigned long)pages;
		group_stats.movable_pages += g->present_movable_pages;
	}
	if (kernel_early_pages <= group_stats.req_kernel_early_pages)
		return false;
	kernel_early_pages -= group_stats.req_kernel_early_pages;
	movable_pages -= group_stats.movable_pages;

	if (group && group->is_dynamic)
		kernel_early_pages += group->present_kernel_pages;

	movable_pages += nr_pages;
	return movable_pages <= (ratio * kernel_early_pages) / 100;
}

static struct zone *auto_movable_zone_for_pfn(struct hotmem *hm, int nid,
					      struct memory_group *group,
					      unsigned long pfn, unsigned long nr_pages,
					      const char **rule)
{
	unsigned long online_pages = 0, max_pages;
	unsigned long orig_pfn = pfn, orig_nr = nr_pages;

	*rule = "auto-movable: auto_movable_ratio is 0";
	if (!atomic_load(&hm->auto_movable_ratio))
		goto kernel_zone;

	if (group && !group->is_dynamic) {
		max_pages = group->max_pages;
		online_pages = group->present_movable_pages;
		/* if anything is !MOVABLE, online the rest !MOVABLE */
		*rule = "auto-movable: its static memory group already has kernel memory";
		if (group->present_kernel_pages)
			goto kernel_zone;
	} else if (!group || group->unit_pages == nr_pages) {
		max_pages = nr_pages;
	} else {
		unsigned long end_pfn;

		max_pages = group->unit_pages;
		pfn = ALIGN_DOWN(pfn, group->unit_pages);
		end_pfn = pfn + group->unit_pages;
		for (; pfn < end_pfn; pfn += PAGES_PER_SECTION) {
			struct page *page = pfn_to_online_page(hm, pfn);

			if (!page)
				continue;
			*rule = "auto-movable: another block of its dynamic group's unit is not Movable";
			if (page_zonenum(page) != ZONE_MOVABLE)
				goto kernel_zone;
			online_pages += PAGES_PER_SECTION;
		}
	}

	/* online MOVABLE if all remaining parts could go MOVABLE now */
	nr_pages = max_pages - online_pages;
	*rule = "auto-movable: ZONE_MOVABLE would exceed auto_movable_ratio of the kernel memory";
	if (!auto_movable_can_online_movable(hm, NUMA_NO_NODE, group, nr_pages))
		goto kernel_zone;
	*rule = "auto-movable: ZONE_MOVABLE would exceed auto_movable_ratio on its node (auto_movable_numa_aware)";
	if (atomic_load(&hm->auto_movable_numa_aware) &&
	    !auto_movable_can_online_movable(hm, nid, group, nr_pages))
		goto kernel_zone;
	*rule = "auto-movable: within auto_movable_ratio, so ZONE_MOVABLE";
	return &NODE_DATA(hm, nid)->node_zones[ZONE_MOVABLE];
kernel_zone:
	return default_kernel_zone_for_pfn(hm, nid, orig_pfn, orig_nr);
}

/*
 * @rule: why this zone, for explain (NULL: not wanted).  Said per call, not
 * kept in struct hotmem: valid_zones readers ask while an online runs.
 */
struct zone *zone_for_pfn_range(struct hotmem *hm, int online_type, int nid,
				struct memory_group *group, unsigned long start_pfn,
				unsigned long nr_pages, const char **rulep)
{
	const char *dummy, **rule = rulep ? rulep : &dummy;

	if (online_type == HM_MMOP_ONLINE_KERNEL) {
		*rule = "online_kernel: the kernel zone the range lies in, else ZONE_NORMAL (default_kernel_zone_for_pfn)";
		return default_kernel_zone_for_pfn(hm, nid, start_pfn, nr_pages);
	}
	if (online_type == HM_MMOP_ONLINE_MOVABLE) {
		*rule = "online_movable: ZONE_MOVABLE as asked";
		return &NODE_DATA(hm, nid)->node_zones[ZONE_MOVABLE];
	}
	if (atomic_load(&hm->online_policy) == HM_ONLINE_POLICY_AUTO_MOVABLE)
		return auto_movable_zone_for_pfn(hm, nid, group, start_pfn, nr_pages, rule);
	return default_zone_for_pfn(hm, nid, start_pfn, nr_pages, rule);
}

/* ------------------------------------------------------------------ */
/* online                                                              */
/* ------------------------------------------------------------------ */

/*
 * generic_online_page(): the memmap is already in its free state
 * (move_pfn_range_to_zone() with refcount 0); count the pages managed and
 * put them at the tail of the free lists, in the largest chunks alignment
 * allows — a memmap_on_memory range starts pageblock-aligned, not
 * max-order aligned.
 */
static void online_pages_range(struct hotmem *hm, struct zone *zone,
			       unsigned long start_pfn, unsigned long nr_pages)
{
	const unsigned long end_pfn = start_pfn + nr_pages;

	for (unsigned long pfn = start_pfn; pfn < end_pfn;) {
		unsigned int order = pfn ? (unsigned int)__builtin_ctzl(pfn) : MAX_PAGE_ORDER;

		order = min(order, (unsigned int)MAX_PAGE_ORDER);
		while (pfn + (1UL << order) > end_pfn)
			order--;
		if (hm->online_page_callback) {
			/* (*online_page_callback)(page, order): e.g. virtio-mem's */
			hm->online_page_callback(hm, pfn_to_page(hm, pfn), order,
						 hm->online_page_callback_data);
		} else {
			adjust_managed_page_count(hm, pfn_to_page(hm, pfn), 1L << order);
			free_one_page(hm, zone, pfn, order, true);
		}
		pfn += 1UL << order;
	}
	online_mem_sections(hm, start_pfn, end_pfn);
}

int online_pages(struct hotmem *hm, unsigned long pfn, unsigned long nr_pages,
		 struct zone *zone, struct memory_group *group)
{
	const int nid = zone_to_nid(zone);
	const bool need_zonelists_rebuild = !populated_zone(zone);
	const bool node_was_empty = !zone->zone_pgdat->node_present_pages;
	int ret = 0;
	HM_TRACE_FN(hm, online_pages, &ret, pfn, nr_pages, nid, zone_idx(zone), 0);

	if (!nr_pages || !IS_ALIGNED(pfn, pageblock_nr_pages) ||
	    !IS_ALIGNED(pfn + nr_pages, PAGES_PER_SECTION))
		return ret = -EINVAL;
	/* the range comes up isolated: nobody allocates from it half-done */
	ret = move_pfn_range_to_zone(hm, zone, pfn, nr_pages, MIGRATE_MOVABLE, true, 0, 0);
	if (ret)
		return ret;

	ret = memory_notify(hm, HM_MEM_GOING_ONLINE, pfn, nr_pages);
	if (ret)
		goto failed_addition;

	pthread_mutex_lock(&zone->lock);
	zone->nr_isolate_pageblock += nr_pages / pageblock_nr_pages;
	pthread_mutex_unlock(&zone->lock);

	online_pages_range(hm, zone, pfn, nr_pages);
	adjust_present_page_count(hm, pfn_to_page(hm, pfn), group, (long)nr_pages);
	if (need_zonelists_rebuild)
		build_all_zonelists(hm, NULL);

	/* basic onlining is complete: allow allocation from it */
	undo_isolate_page_range(hm, pfn, pfn + nr_pages);
	init_per_zone_wmark_min(hm);
	/* MEMTIER_HOTPLUG_PRI: ahead of the chain's notifiers */
	memtier_hotplug_callback(hm, HM_MEM_ONLINE, node_was_empty ? nid : -1);
	memory_notify(hm, HM_MEM_ONLINE, pfn, nr_pages);
	/* pagesets, kswapd/kcompactd, and the kernel allocating right away */
	kmem_online(hm, zone, need_zonelists_rebuild, node_was_empty);
	return 0;

failed_addition:
	pr_debug(hm, "online_pages [mem %#010llx-%#010llx] failed",
		 (unsigned long long)PFN_PHYS(pfn),
		 (unsigned long long)PFN_PHYS(pfn + nr_pages) - 1);
	memory_notify(hm, HM_MEM_CANCEL_ONLINE, pfn, nr_pages);
	remove_pfn_range_from_zone(hm, zone, pfn, nr_pages);
	return ret;
}

/*
 * mhp_init_memmap_on_memory(): the struct pages describing the memmap's own
 * pages (seed 001): unmovable, marked self-hosted so every pfn walker
 * skips them; never given to the buddy.
 */
int mhp_init_memmap_on_memory(struct hotmem *hm, unsigned long pfn,
			      unsigned long nr_pages, struct zone *zone)
{
	const unsigned long end_pfn = pfn + nr_pages;
	int ret = 0;
	HM_TRACE_FN(hm, mhp_init_memmap_on_memory, &ret, pfn, nr_pages, zone_to_nid(zone),
		    zone_idx(zone), (long)nr_pages);

	ret = move_pfn_range_to_zone(hm, zone, pfn, nr_pages, MIGRATE_UNMOVABLE, false,
				     1UL << PG_vmemmap_self_hosted, 1);
	if (ret)
		return ret;
	if (nr_pages >= PAGES_PER_SECTION)
		online_mem_sections(hm, pfn, ALIGN_DOWN(end_pfn, PAGES_PER_SECTION));
	return ret;
}

void mhp_deinit_memmap_on_memory(struct hotmem *hm, unsigned long pfn,
				 unsigned long nr_pages)
{
	const unsigned long end_pfn = pfn + nr_pages;
	struct zone *zone = page_zone(hm, pfn_to_page(hm, pfn));
	HM_TRACE_FN(hm, mhp_deinit_memmap_on_memory, NULL, pfn, nr_pages, zone_to_nid(zone),
		    zone_idx(zone), (long)nr_pages);

	if (nr_pages >= PAGES_PER_SECTION)
		offline_mem_sections(hm, pfn, ALIGN_DOWN(end_pfn, PAGES_PER_SECTION));
	remove_pfn_range_from_zone(hm, zone, pfn, nr_pages);
}

/* ------------------------------------------------------------------ */
/* offline                                                             */
/* ------------------------------------------------------------------ */

static unsigned long count_system_ram_pages(struct hotmem *hm, unsigned long start_pfn,
					    unsigned long nr_pages)
{
	unsigned long n = 0;

	if (!early_section(__pfn_to_section(hm, start_pfn)))
		return nr_pages;	/* hot-added memory has no holes */
	for (unsigned long pfn = start_pfn; pfn < start_pfn + nr_pages; pfn++)
		n += memblock_is_memory(hm, pfn);
	return n;
}

/*
 * scan_movable_pages() (6.12): 0 with *movable_pfn at the first page in use
 * that migration may move (LRU or movable: a workload page, pinned or not),
 * -EBUSY for a logically offline page still referenced, -ENOENT when none
 * is left.  Kernel pages are skipped here: isolation refused them already
 * outside ZONE_MOVABLE, and inside it test_pages_isolated() finds them.
 */
static int scan_movable_pages(struct hotmem *hm, unsigned long start, unsigned long end,
			      unsigned long *movable_pfn)
{
	for (unsigned long pfn = start; pfn < end;) {
		struct page *page = pfn_to_page(hm, pfn);
		unsigned long skip = page_span_to_skip(page);

		if (skip) {
			pfn += skip;
			continue;
		}
		if (PageMovable(page) && page_ref_count(page)) {
			*movable_pfn = pfn;
			return 0;
		}
		if (PageOffline(page) && page_ref_count(page) &&
		    !PageVmemmapSelfHosted(page))
			return -EBUSY;
		pfn++;
	}
	return -ENOENT;
}

/*
 * 6.12 migrate_pages() with MIGRATE_SYNC tries a folio that fails with
 * -EAGAIN (a pinned page's refcount) NR_MAX_MIGRATE_ASYNC_RETRY (3) times
 * in the async batch, then NR_MAX_MIGRATE_SYNC_RETRY (7) alone; each
 * attempt allocates a target, unmaps the source (TLB flush), finds the
 * refcount unexpected, remaps and frees the target.  The engine's attempt
 * is one test, so an offline looping on pinned pages would make passes
 * (and count pgmigrate_fail) orders of magnitude faster than any kernel:
 * it sleeps what the kernel would spend, estimated at 1 us an attempt.
 */
#define MIGRATE_ATTEMPTS_PER_PASS	(3 + 7)
#define MIGRATE_ATTEMPT_NS		1000L

static void migrate_pages_pace(unsigned long nr_retried)
{
	long ns = (long)nr_retried * MIGRATE_ATTEMPTS_PER_PASS * MIGRATE_ATTEMPT_NS;
	struct timespec ts = { ns / 1000000000L, ns % 1000000000L };

	if (ns)
		nanosleep(&ts, NULL);
}

/*
 * What 6.12 do_migrate_range() says of the folios migrate_pages() left on
 * its source list: "migrating pfn %lx failed ret:%d" and dump_page(...,
 * "migration failure") for each, rate-limited by its static migrate_rs
 * (DEFAULT_RATELIMIT_INTERVAL, DEFAULT_RATELIMIT_BURST: 10 every 5 s,
 * shared by every offline).  One clock reading for the whole list: the
 * window opens at most at its first folio, so the folios allowed are
 * among the first burst, the ones @first holds.
 */
static void migration_failure_report(struct hotmem *hm, int ret, const unsigned long *first,
				     unsigned long nr_left)
{
	struct hm_ratelimit *rs = &hm->migrate_rs;
	const unsigned long now = hm_ratelimit_now_ms();

	/* static DEFINE_RATELIMIT_STATE(migrate_rs, ...) */
	if (!rs->burst)
		*rs = (struct hm_ratelimit){ .interval_ms = DEFAULT_RATELIMIT_INTERVAL_MS,
					     .burst = DEFAULT_RATELIMIT_BURST };
	for (unsigned long i = 0; i < nr_left; i++) {
		if (!__hm_ratelimit(hm, rs, "do_migrate_range", now) ||
		    i >= DEFAULT_RATELIMIT_BURST)
			continue;
		pr_warn(hm, "migrating pfn %lx failed ret:%d", first[i], ret);
		dump_page(hm, first[i], "migration failure");
	}
}

/*
 * folio_isolate_lru() (6.12, as do_migrate_range() calls it after its
 * folio_try_get()): the folio off its LRU (PG_isolated stands for PG_lru
 * cleared) with a reference of its own, which migration drops with the
 * folio it moved and putback_movable_pages() with a folio that stayed.
 * False for a folio freed meanwhile (hotmem_free_page() takes no
 * mem_hotplug_lock): a free page takes no reference.
 */
static bool folio_isolate_lru(struct page *page)
{
	int count = page_ref_count(page);

	do {
		if (count <= 0)
			return false;
	} while (!__atomic_compare_exchange_n(&page->_refcount, &count, count + 1, false,
					      __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	set_page_flag(page, PG_isolated);
	return true;
}

/*
 * putback_movable_pages() of one folio: back on its LRU, the isolation's
 * reference dropped -- unless hotmem_free_page() (no mem_hotplug_lock)
 * freed it meanwhile, which dropped every reference: its pageblock is
 * isolated, so nothing allocated it again since.
 */
static void folio_putback_lru(struct page *page)
{
	int count = page_ref_count(page);

	clear_page_flag(page, PG_isolated);
	while (count > 0 && !__atomic_compare_exchange_n(&page->_refcount, &count, count - 1,
							 false, __ATOMIC_RELAXED,
							 __ATOMIC_RELAXED))
		;
}

/*
 * do_migrate_range() (6.12): isolate every movable folio from @start on
 * and migrate_pages() them.  Its result is what migrate_pages() returns:
 * the number of folios that stayed (a pinned page), or -ENOMEM at the
 * first target it could not allocate, where it stops (the rest stay on the
 * list untried, uncounted).  The folios left are reported, and stay for
 * the caller's next pass: the kernel does not act on the failure either.
 */
static void do_migrate_range(struct hotmem *hm, unsigned long start, unsigned long end)
{
	unsigned long first[DEFAULT_RATELIMIT_BURST], nr_left = 0, nr_retried = 0;
	/*
	 * "try to allocate from a different node but reuse this node if
	 * there are no other online nodes to be used": node_states[N_MEMORY]
	 * but the range's node, which warn_alloc() says as its nodemask
	 */
	const int nid = page_to_nid(pfn_to_page(hm, start));
	uint64_t nmask = node_states_memory(hm) & ~(1ULL << nid);
	const struct migration_target_control mtc = {
		.nid = nid,
		.nmask = &nmask,
		.gfp_mask = MIGRATE_TARGET_GFP,
	};
	int ret = 0;

	if (!nmask)
		nmask = 1ULL << nid;

	for (unsigned long pfn = start; pfn < end; pfn++) {
		struct page *page = pfn_to_page(hm, pfn);
		int err = 0;

		if (PageBuddy(page)) {
			pfn += (1UL << buddy_order_unsafe(page)) - 1;
			continue;
		}
		if (!PageMovable(page) || !folio_isolate_lru(page))
			continue;
		if (ret >= 0) {
			err = workload_migrate_page(hm, pfn, &mtc);
			if (!err) {
				/* moved (or freed from under us): the free took every reference */
				clear_page_flag(page, PG_isolated);
				continue;
			}
		}
		/*
		 * Left on the source list.  Only the first burst can be
		 * dumped (migration_failure_report()): those keep the
		 * isolation until then, the rest are put back now.
		 */
		if (nr_left < ARRAY_SIZE(first))
			first[nr_left] = pfn;
		else
			folio_putback_lru(page);
		nr_left++;
		if (ret < 0)
			continue;
		if (err == -ENOMEM) {
			ret = -ENOMEM;
			continue;
		}
		nr_retried++;
	}
	if (ret >= 0)
		ret = (int)nr_retried;
	if (ret)
		migration_failure_report(hm, ret, first, nr_left);
	for (unsigned long i = 0; i < nr_left && i < ARRAY_SIZE(first); i++)
		folio_putback_lru(pfn_to_page(hm, first[i]));
	migrate_pages_pace(nr_retried);
}

/* signal_pending(current): the operation's task (device_hotplug_lock held) */
bool signal_pending(struct hotmem *hm)
{
	const struct hotmem_task *task = hm->current_task;

	return task && task->signal_pending && task->signal_pending(task->arg);
}

/*
 * get_task_comm(current): the operation's task names itself (hotmemfs:
 * the process that wrote the file); without one, the engine's caller is
 * current, and its thread's name (prctl(PR_GET_NAME)) is its comm
 */
void get_task_comm(struct hotmem *hm, char buf[TASK_COMM_LEN])
{
	const struct hotmem_task *task = hm->current_task;

	buf[0] = '\0';
	if (task && task->comm)
		task->comm(task->arg, buf, TASK_COMM_LEN);
	if (!buf[0] && prctl(PR_GET_NAME, buf))
		snprintf(buf, TASK_COMM_LEN, "hotmem");
	buf[TASK_COMM_LEN - 1] = '\0';
}

/* the task's offline_begin(): this offline starts trying its range (hotmem.h) */
static void offline_begin(struct hotmem *hm)
{
	const struct hotmem_task *task = hm->current_task;

	if (task && task->offline_begin)
		task->offline_begin(task->arg);
}

static int dissolve_free_hugetlb_folios(struct hotmem *hm, unsigned long start,
					unsigned long end)
{
	for (unsigned long pfn = start; pfn < end; pfn += pageblock_nr_pages) {
		struct page *page = pfn_to_page(hm, pfn);
		int ret;

		if (!PageHuge(page) || !test_page_flag(page, PG_head))
			continue;
		ret = dissolve_free_hugetlb_folio(hm, pfn);
		if (ret)
			return ret;
	}
	return 0;
}

/* __offline_isolated_pages(): take the free pages out of the buddy */
static unsigned long __offline_isolated_pages(struct hotmem *hm, struct zone *zone,
					      unsigned long start_pfn, unsigned long end_pfn)
{
	unsigned long managed = 0;

	offline_mem_sections(hm, start_pfn, end_pfn);
	pthread_mutex_lock(&zone->lock);
	for (unsigned long pfn = start_pfn; pfn < end_pfn;) {
		struct page *page = pfn_to_page(hm, pfn);
		unsigned int order;

		if (PageOffline(page) && !page_ref_count(page)) {
			pfn++;
			continue;
		}
		/* a retired page held its managed page until now */
		if (test_page_flag(page, PG_hwpoison)) {
			managed++;
			pfn++;
			continue;
		}
		order = (unsigned int)buddy_order_unsafe(page);
		del_page_from_free_list(zone, page, order);
		managed += 1UL << order;
		pfn += 1UL << order;
	}
	zone->nr_isolate_pageblock -= (end_pfn - start_pfn) / pageblock_nr_pages;
	pthread_mutex_unlock(&zone->lock);
	return managed;
}

/* offline_pages()'s "failed due to" words, 6.12's (the memmap's is hotmem's own) */
static const char *const offline_cause_names[] = {
	[HM_OFFLINE_CAUSE_MEMMAP] = "a memmap the host left unmapped, or gave no memory for",
	[HM_OFFLINE_CAUSE_HOLES] = "memory holes",
	[HM_OFFLINE_CAUSE_MULTIZONE] = "multizone range",
	[HM_OFFLINE_CAUSE_ISOLATE] = "failure to isolate range",
	[HM_OFFLINE_CAUSE_NOTIFIER] = "notifier failure",
	[HM_OFFLINE_CAUSE_SIGNAL] = "signal backoff",
	[HM_OFFLINE_CAUSE_UNMOVABLE] = "unmovable page",
	[HM_OFFLINE_CAUSE_DISSOLVE] = "failure to dissolve huge pages",
};

const char *hotmem_offline_cause_name(enum hm_offline_cause cause)
{
	return (unsigned int)cause < ARRAY_SIZE(offline_cause_names) ?
	       offline_cause_names[cause] : NULL;
}

/*
 * offline_pages() as in mainline 6.12: unmovable pages found while
 * isolating fail at once (-EBUSY, before MEM_GOING_OFFLINE); otherwise it
 * migrates until the range is free, however long that takes, and only a
 * pending signal ends it (-EINTR, "signal backoff").  Unlike the
 * kernel's, it tells its caller why it failed (@cause, what its "failed
 * due to" line says; NONE when it did not) for the block's explanation.
 */
static __thread bool offline_untried;

bool offline_pages_untried(void)
{
	return offline_untried;
}

int offline_pages(struct hotmem *hm, unsigned long start_pfn, unsigned long nr_pages,
		  struct zone *zone, struct memory_group *group, enum hm_offline_cause *cause)
{
	const unsigned long end_pfn = start_pfn + nr_pages;
	const int nid = zone_to_nid(zone);
	unsigned long managed, pfn;
	bool tried = false;
	int ret = 0;
	HM_TRACE_FN(hm, offline_pages, &ret, start_pfn, nr_pages, nid, zone_idx(zone), 0);

	*cause = HM_OFFLINE_CAUSE_NONE;
	offline_untried = false;

	if (!nr_pages || !IS_ALIGNED(start_pfn, pageblock_nr_pages) ||
	    !IS_ALIGNED(end_pfn, PAGES_PER_SECTION))
		return ret = -EINVAL;
	/* a memmap the host left unmapped while online (a HugeTLB undo): mapped first */
	if (vmemmap_remap_lost(hm, start_pfn, nr_pages)) {
		ret = -ENOMEM;
		*cause = HM_OFFLINE_CAUSE_MEMMAP;
		goto failed_removal;
	}
	/* blocks with holes can never be offlined (nor onlined again) */
	if (count_system_ram_pages(hm, start_pfn, nr_pages) != nr_pages) {
		ret = -EINVAL;
		*cause = HM_OFFLINE_CAUSE_HOLES;
		goto failed_removal;
	}
	/* what the offline reads of a self-hosted memmap's holes, filled without a trap */
	if (vmemmap_holes_fill_pageblocks(hm, start_pfn, nr_pages)) {
		ret = -ENOMEM;
		*cause = HM_OFFLINE_CAUSE_MEMMAP;
		goto failed_removal;
	}
	if (page_zone(hm, pfn_to_page(hm, start_pfn)) != zone ||
	    page_zone(hm, pfn_to_page(hm, end_pfn - 1)) != zone) {
		ret = -EINVAL;
		*cause = HM_OFFLINE_CAUSE_MULTIZONE;
		goto failed_removal;
	}

	ret = start_isolate_page_range(hm, start_pfn, end_pfn, MEMORY_OFFLINE | REPORT_FAILURE);
	if (ret) {
		*cause = HM_OFFLINE_CAUSE_ISOLATE;
		goto failed_removal;
	}
	ret = memory_notify(hm, HM_MEM_GOING_OFFLINE, start_pfn, nr_pages);
	if (ret) {
		*cause = HM_OFFLINE_CAUSE_NOTIFIER;
		goto failed_removal_isolated;
	}

	/* 4.14 set "expire = jiffies + timeout" here: a bound counts from now */
	offline_begin(hm);
	do {
		pfn = start_pfn;
		do {
			/* any signal, not only fatal ones: user space relies on it */
			if (signal_pending(hm)) {
				ret = -EINTR;
				*cause = HM_OFFLINE_CAUSE_SIGNAL;
				offline_untried = !tried;
				goto failed_removal_isolated;
			}
			tried = true;
			sched_yield();	/* cond_resched() */
			ret = scan_movable_pages(hm, pfn, end_pfn, &pfn);
			if (!ret)
				do_migrate_range(hm, pfn, end_pfn);
		} while (!ret);
		if (ret != -ENOENT) {
			*cause = HM_OFFLINE_CAUSE_UNMOVABLE;
			goto failed_removal_isolated;
		}
		ret = dissolve_free_hugetlb_folios(hm, start_pfn, end_pfn);
		if (ret) {
			*cause = HM_OFFLINE_CAUSE_DISSOLVE;
			goto failed_removal_isolated;
		}
		ret = test_pages_isolated(hm, start_pfn, end_pfn, MEMORY_OFFLINE);
	} while (ret);

	/* a poisoned page stepped over leaves its workload owner here */
	workload_offline_poisoned(hm, start_pfn, end_pfn);
	managed = __offline_isolated_pages(hm, zone, start_pfn, end_pfn);
	adjust_managed_page_count(hm, pfn_to_page(hm, start_pfn), -(long)managed);
	adjust_present_page_count(hm, pfn_to_page(hm, start_pfn), group, -(long)nr_pages);
	init_per_zone_wmark_min(hm);
	if (!populated_zone(zone))
		build_all_zonelists(hm, NULL);
	/* zone_pcp_reset(), kcompactd_stop() and kswapd_stop() */
	kmem_offline(hm, zone, !populated_zone(zone), !zone->zone_pgdat->node_present_pages);
	memtier_hotplug_callback(hm, HM_MEM_OFFLINE,
				 zone->zone_pgdat->node_present_pages ? -1 : zone_to_nid(zone));
	memory_notify(hm, HM_MEM_OFFLINE, start_pfn, nr_pages);
	remove_pfn_range_from_zone(hm, zone, start_pfn, nr_pages);
	return ret = 0;

failed_removal_isolated:
	undo_isolate_page_range(hm, start_pfn, end_pfn);
	memory_notify(hm, HM_MEM_CANCEL_OFFLINE, start_pfn, nr_pages);
failed_removal:
	pr_debug(hm, "memory offlining [mem %#010llx-%#010llx] failed due to %s",
		 (unsigned long long)PFN_PHYS(start_pfn),
		 (unsigned long long)PFN_PHYS(end_pfn) - 1, hotmem_offline_cause_name(*cause));
	return ret;
}

/* ------------------------------------------------------------------ */
/* add                                                                 */
/* ------------------------------------------------------------------ */

static unsigned long memory_block_memmap_size(struct hotmem *hm)
{
	return PHYS_PFN(hm->cfg.block_size) * sizeof(struct page);
}

unsigned long memory_block_memmap_on_memory_pages(struct hotmem *hm)
{
	unsigned long nr_pages = PFN_UP(memory_block_memmap_size(hm));

	/* "force" wastes memory to keep the altmap pageblock-aligned */
	if (hm->cfg.memmap_on_memory == HM_MEMMAP_ON_MEMORY_FORCE)
		return ALIGN(nr_pages, pageblock_nr_pages);
	return nr_pages;
}

/*
 * set_memmap_mode()'s pr_info_once() when the command line says "force"
 * (6.12): the pages the pageblock alignment costs each block, 0 on any
 * block of 128 MiB or a multiple
 */
void memmap_mode_report(struct hotmem *hm)
{
	if (hm->cfg.memmap_on_memory != HM_MEMMAP_ON_MEMORY_FORCE)
		return;
	pr_info(hm, "Memory hotplug will waste %ld pages in each memory block",
		(long)(memory_block_memmap_on_memory_pages(hm) -
		       PFN_UP(memory_block_memmap_size(hm))));
}

/* the test of mhp_supports_memmap_on_memory(), untraced: hotmem's own host checks ask it too */
static bool memmap_on_memory_supported(struct hotmem *hm)
{
	unsigned long vmemmap_size = memory_block_memmap_size(hm);
	unsigned long memmap_pages = memory_block_memmap_on_memory_pages(hm);

	if (hm->cfg.memmap_on_memory == HM_MEMMAP_ON_MEMORY_DISABLE)
		return false;
	if (!IS_ALIGNED(vmemmap_size, PAGE_SIZE))
		return false;
	if (!IS_ALIGNED(memmap_pages, pageblock_nr_pages))
		return false;
	if (memmap_pages == PHYS_PFN(hm->cfg.block_size))
		return false;
	/* x86: arch_supports_memmap_on_memory() wants whole PMDs */
	return IS_ALIGNED(vmemmap_size, PMD_SIZE);
}

/* 6.12: no arguments (6.1 took the size); the __ret probe's ret is the bool */
static bool mhp_supports_memmap_on_memory(struct hotmem *hm)
{
	int supported = 0;
	HM_TRACE_FN(hm, mhp_supports_memmap_on_memory, &supported, 0, 0, -1, -1, 0);

	supported = memmap_on_memory_supported(hm);
	return supported;
}

/*
 * The host mappings an add makes, at most: a self-hosted memmap is one a
 * block, one from system RAM one a section (physmem.c).  They are mapped
 * in ascending order into the contiguous vmemmap window, so each but the
 * first only trims the reservation it lands in (+1); the first and the
 * direct map may each split one in three (+2).  The base-page fallback of
 * a memmap from RAM checks for itself (vmemmap_populate_basepages()).
 */
static unsigned long add_memory_host_maps(struct hotmem *hm, uint64_t size,
					  bool memmap_on_memory)
{
	unsigned long nr = memmap_on_memory ? size / hm->cfg.block_size
					    : PHYS_PFN(size) >> PFN_SECTION_SHIFT;

	return nr + 1 + 2;
}

/*
 * Whether every block maxmem leaves for hot-add can be plugged with a
 * self-hosted memmap under the host's cap: the vm.max_map_count that would
 * let it, 0 when it can (or memmaps come from system RAM, which the host
 * maps as a few large mappings).  hotmem_create() says it in the log.
 */
unsigned long hotmem_host_maps_needed(struct hotmem *hm)
{
	uint64_t boot = 0, hotplug;

	if (!memmap_on_memory_supported(hm))
		return 0;
	for (int i = 0; i < hm->cfg.nr_boot_ranges; i++)
		boot += ALIGN(hm->cfg.boot[i].end, hm->cfg.block_size) -
			ALIGN_DOWN(hm->cfg.boot[i].start, hm->cfg.block_size);
	hotplug = hm->maxmem > boot ? hm->maxmem - boot : 0;
	return physmem_maps_cap_needed(hm, add_memory_host_maps(hm, hotplug, true));
}

void mhp_check_host_maps(struct hotmem *hm)
{
	unsigned long need = hotmem_host_maps_needed(hm);

	if (need)
		pr_warn(hm, "memory_hotplug: with memmap_on_memory every hot-added block is a "
			    "host mapping; plugging all of maxmem needs sysctl vm.max_map_count=%lu "
			    "(it is %lu); until then an add beyond the cap fails with ENOMEM",
			need, hm->host_maps_max);
}

static void __remove_pages(struct hotmem *hm, unsigned long pfn, unsigned long nr_pages,
			   struct vmem_altmap *altmap)
{
	const unsigned long end_pfn = pfn + nr_pages;
	HM_TRACE_FN(hm, __remove_pages, NULL, pfn, nr_pages, -1, -1, 0);

	for (unsigned long cur = pfn; cur < end_pfn;) {
		unsigned long cur_nr = min(end_pfn - cur,
					   ALIGN(cur + 1, PAGES_PER_SECTION) - cur);

		sparse_remove_section(hm, cur, cur_nr, altmap);
		cur += cur_nr;
	}
}

/*
 * A failed add's own unwind (hotmem's: the kernel leaves a half-done
 * __add_pages() as it is): the memmaps it frees give back the pageblocks
 * their allocations claimed (kmem_memmap_freed()), so that the refused
 * add leaves /proc/pagetypeinfo as it was; a removal keeps them, as the
 * kernel's free does.  device_hotplug_lock held.
 */
static void add_unwind_begin(struct hotmem *hm)
{
	hm->kmem.unwinding_add = true;
}

static void add_unwind_end(struct hotmem *hm)
{
	hm->kmem.unwinding_add = false;
}

static int __add_pages(struct hotmem *hm, int nid, unsigned long pfn,
		       unsigned long nr_pages, struct vmem_altmap *altmap)
{
	const unsigned long end_pfn = pfn + nr_pages;
	unsigned long cur = pfn;
	int err = 0;
	HM_TRACE_FN(hm, __add_pages, &err, pfn, nr_pages, nid, -1, !!altmap);

	if (altmap) {
		/* the altmap must sit inside the range it describes */
		if (altmap->base_pfn != pfn || altmap->reserve + altmap->free > nr_pages) {
			pr_warn(hm, "memory add fail, invalid altmap");
			return err = -EINVAL;
		}
		altmap->alloc = 0;
	}
	while (cur < end_pfn) {
		unsigned long cur_nr = min(end_pfn - cur, ALIGN(cur + 1, PAGES_PER_SECTION) - cur);

		err = sparse_add_section(hm, nid, cur, cur_nr, altmap);
		if (err)
			break;
		cur += cur_nr;
	}
	/* unlike the kernel, take back the sections already added */
	if (err && cur > pfn) {
		add_unwind_begin(hm);
		__remove_pages(hm, pfn, cur - pfn, altmap);
		add_unwind_end(hm);
	}
	return err;
}

/*
 * x86 add_pages()'s update_end_of_memory_vars(): max_pfn grows to the
 * added range's end and never shrinks.  6.12 raises it in arch_add_memory(),
 * before the add can still fail; here only an add that succeeds does, so
 * that a failed add leaves the machine (its /proc/kpageflags) as it was.
 */
static void update_end_of_memory_vars(struct hotmem *hm, uint64_t start, uint64_t size)
{
	const unsigned long end_pfn = PHYS_PFN(start + size);

	if (end_pfn > atomic_load(&hm->kernel_max_pfn))
		atomic_store(&hm->kernel_max_pfn, end_pfn);
}

unsigned long hotmem_max_pfn(struct hotmem *hm)
{
	return atomic_load(&hm->kernel_max_pfn);
}

/* under mem_hotplug_lock, as an add's raise: the two never race to lower it */
int hotmem_raise_max_pfn(struct hotmem *hm, unsigned long pfn)
{
	if (pfn > hm->max_pfn)
		return -EINVAL;
	mem_hotplug_begin(hm);
	if (pfn > atomic_load(&hm->kernel_max_pfn))
		atomic_store(&hm->kernel_max_pfn, pfn);
	mem_hotplug_done(hm);
	return 0;
}

/*
 * The end of the highest present section at or above section @from, 0
 * if none.  Under mem_hotplug_lock, which every section's add and
 * removal holds (sparse_add_section(), sparse_remove_section()).
 */
static unsigned long present_end_pfn_from(struct hotmem *hm, unsigned long from)
{
	for (unsigned long nr = nr_mem_sections(hm); nr-- > from;)
		if (present_section(__nr_to_section(hm, nr)))
			return section_nr_to_pfn(nr + 1);
	return 0;
}

/*
 * No kernel lowers max_pfn (6.12 x86 update_end_of_memory_vars() only
 * raises it).  hotmemfs's undo of an add whose state-file save failed
 * does (rerfix31b): the add was never acknowledged, and the machine goes
 * back as it was before it, /proc/kpageflags' end with it.  But never
 * below memory that is present (reread32 R1): an undo whose take-back
 * failed (the guest refused the DIMM's eject, the probe's offline was
 * refused) leaves the added sections, and a kernel never has memory
 * past max_pfn -- kpageflags would end before it.  Only sections past
 * @pfn's own count: boot RAM's last section may end past boot's max_pfn
 * (e820's end, 0x1ffe0 on qemu-512m), and an add's range is whole
 * memory blocks, so sections past it are an add's.  Under
 * mem_hotplug_lock, as an add's raise.
 */
int hotmem_set_max_pfn(struct hotmem *hm, unsigned long pfn)
{
	unsigned long present_end;

	if (pfn > hm->max_pfn)
		return -EINVAL;
	mem_hotplug_begin(hm);
	present_end = present_end_pfn_from(hm, pfn_to_section_nr(ALIGN(pfn, PAGES_PER_SECTION)));
	atomic_store(&hm->kernel_max_pfn, max(pfn, present_end));
	mem_hotplug_done(hm);
	return 0;
}

/*
 * x86 add_pages() (6.12 arch/x86/mm/init_64.c): WARN_ON_ONCE(ret) after a
 * failed __add_pages() -- a DIMM's, a virtio-mem driver's or a probe's
 * add alike -- once a boot, as a 6.12.117 guest logs it (abuse31 W4): its
 * first line and its end; the registers, modules, stack and the PID of
 * the kworker are not modelled (PID 0 here), which the emulator's line
 * after it says.  Under device_hotplug_lock, as vmemmap_warned.
 */
static void add_pages_warn(struct hotmem *hm, int ret)
{
	if (hm->add_pages_warned)
		return;
	hm->add_pages_warned = true;
	pr_warn(hm, "------------[ cut here ]------------");
	pr_warn(hm, "WARNING: CPU: 0 PID: 0 at arch/x86/mm/init_64.c:986 add_pages+0x90/0xa0");
	pr_warn(hm, "---[ end trace 0000000000000000 ]---");
	pr_debug(hm, "hotmem: the WARNING above is 6.12's WARN_ON_ONCE() in x86 add_pages(): __add_pages() failed (%d); its registers, stack and PID are not modelled",
		 ret);
}

static int arch_add_memory(struct hotmem *hm, int nid, uint64_t start, uint64_t size,
			   struct vmem_altmap *altmap)
{
	int ret = 0;
	HM_TRACE_FN(hm, arch_add_memory, &ret, PHYS_PFN(start), PHYS_PFN(size), nid, -1,
		    !!altmap);

	ret = physmem_map_direct(hm, start, size);	/* init_memory_mapping() */
	if (!ret) {
		ret = __add_pages(hm, nid, PHYS_PFN(start), PHYS_PFN(size), altmap);
		if (ret) {
			add_pages_warn(hm, ret);
			physmem_unmap_direct(hm, start, size);
		}
	}
	return ret;
}

static void arch_remove_memory(struct hotmem *hm, uint64_t start, uint64_t size,
			       struct vmem_altmap *altmap)
{
	HM_TRACE_FN(hm, arch_remove_memory, NULL, PHYS_PFN(start), PHYS_PFN(size), -1, -1,
		    !!altmap);

	__remove_pages(hm, PHYS_PFN(start), PHYS_PFN(size), altmap);
	physmem_unmap_direct(hm, start, size);
	physmem_discard(hm, start, size);
}

static void remove_memory_blocks_and_altmaps(struct hotmem *hm, uint64_t start,
					     uint64_t size)
{
	const uint64_t bs = hm->cfg.block_size;
	HM_TRACE_FN(hm, remove_memory_blocks_and_altmaps, NULL, PHYS_PFN(start), PHYS_PFN(size),
		    -1, -1, 0);

	for (uint64_t cur = start; cur < start + size; cur += bs) {
		struct memory_block *mem = phys_to_memory_block(hm, cur);
		struct vmem_altmap *altmap = mem ? memory_block_take_altmap(hm, mem) : NULL;

		remove_memory_block_devices(hm, cur, bs);
		arch_remove_memory(hm, cur, bs, altmap);
		hm_free(hm, altmap, sizeof(*altmap));
	}
}

static int create_altmaps_and_memory_blocks(struct hotmem *hm, int nid, int group,
					    uint64_t start, uint64_t size)
{
	const uint64_t bs = hm->cfg.block_size;
	uint64_t cur;
	int ret = 0;
	HM_TRACE_FN(hm, create_altmaps_and_memory_blocks, &ret, PHYS_PFN(start), PHYS_PFN(size),
		    nid, -1, 0);

	for (cur = start; cur < start + size; cur += bs) {
		struct vmem_altmap *altmap = hm_alloc(hm, sizeof(*altmap));

		if (!altmap) {
			ret = -ENOMEM;
			goto out;
		}
		altmap->base_pfn = PHYS_PFN(cur);
		altmap->end_pfn = PHYS_PFN(cur + bs) - 1;
		altmap->free = memory_block_memmap_on_memory_pages(hm);
		ret = arch_add_memory(hm, nid, cur, bs, altmap);
		if (ret) {
			hm_free(hm, altmap, sizeof(*altmap));
			goto out;
		}
		ret = create_memory_block_devices(hm, cur, bs, nid, altmap, group);
		if (ret) {
			arch_remove_memory(hm, cur, bs, altmap);
			hm_free(hm, altmap, sizeof(*altmap));
			goto out;
		}
	}
	return 0;
out:
	if (cur != start)
		remove_memory_blocks_and_altmaps(hm, start, cur - start);
	return ret;
}

static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

static struct hm_resource *resource_conflict(struct hotmem *hm, uint64_t start,
					     uint64_t size)
{
	/* boot RAM owns its whole memory blocks (boot_res is block aligned) */
	for (int i = 0; i < hm->cfg.nr_boot_ranges; i++)
		if (ranges_overlap(start, size, hm->boot_res[i].start, hm->boot_res[i].size))
			return &hm->boot_res[i];
	for (struct hm_resource *r = hm->resources; r; r = r->next)
		if (ranges_overlap(start, size, r->start, r->size))
			return r;
	return NULL;
}

/*
 * A boot resource of /proc/iomem that refuses [start, start + size)
 * (e820_request_region(): a busy one it meets, a reserved one above 1 MiB
 * it does not fit in -- __request_region_locked()'s -EBUSY,
 * register_memory_resource()'s EEXIST); a range inside a reserved one
 * nests under it.  Decided by the resource's busy flag, as the kernel's
 * (do_mark_busy()), not by its name.  Returns the end (exclusive) of the
 * resource met, 0 for none (reread32b R1: qemu-512m's `echo 0xf8000000 >
 * probe` was added over its firmware's 0xfffc0000).
 */
static uint64_t e820_reserved_conflict(const struct hotmem *hm, uint64_t start, uint64_t size)
{
	const struct e820_res *parent;
	uint64_t end = 0;

	return e820_request_region(hm, start, size, &parent, &end) ? end : 0;
}

static int check_hotplug_memory_range(struct hotmem *hm, uint64_t start, uint64_t size)
{
	const uint64_t bs = hm->cfg.block_size;

	if (!size || start % bs || size % bs) {
		pr_err(hm, "Block size [%#llx] unaligned hotplug range: start %#llx, size %#llx",
		       (unsigned long long)bs, (unsigned long long)start,
		       (unsigned long long)size);
		return -EINVAL;
	}
	return 0;
}

/*
 * register_memory_resource()'s mhp_range_allowed(start, size, true): E2BIG
 * past mhp_get_pluggable_range(), whose end is DIRECT_MAP_PHYSMEM_END
 * (6.13+; PHYSMEM_END in 6.12): MAX_PHYSMEM_BITS, or with KASLR
 * (CONFIG_RANDOMIZE_MEMORY) the direct map's end, boot RAM rounded up to a
 * TiB plus CONFIG_RANDOMIZE_MEMORY_PHYSICAL_PADDING.  The kernel does not
 * look at the firmware's maxmem: a probe beyond it is added, memory that
 * is not there.  The emulator cannot add that honestly: its physical
 * memory (the memfd), direct map and vmemmap window are reserved for
 * [0, maxmem) at boot and cannot grow in place, and reserving them for
 * all of MAX_PHYSMEM_BITS is impossible at 52 bits (the user address
 * space has 47) and costs every machine 64 TiB of address space at 46.
 * So maxmem is this machine's direct map end, as KASLR's is a real one's:
 * a range past it is E2BIG, the kernel's errno and message for it.
 */
static bool mhp_range_allowed(struct hotmem *hm, uint64_t start, uint64_t size)
{
	uint64_t max_addr = min(hm->maxmem, 1ULL << hm->cfg.max_physmem_bits);

	/* 6.12's start < end: an empty range is refused here too */
	if (size && start < max_addr && size <= max_addr - start)
		return true;
	pr_warn(hm, "Hotplug memory [%#llx-%#llx] exceeds maximum addressable range [%#llx-%#llx]",
		(unsigned long long)start, (unsigned long long)(start + size),
		0ULL, (unsigned long long)max_addr);
	return false;
}

static void online_new_blocks(struct hotmem *hm, uint64_t start, uint64_t size)
{
	int online_type = atomic_load(&hm->auto_online_type);

	if (online_type == HM_MMOP_OFFLINE || atomic_load(&hm->auto_online_held))
		return;
	for (uint64_t cur = start; cur < start + size; cur += hm->cfg.block_size) {
		struct memory_block *mem = phys_to_memory_block(hm, cur);

		/* walk_memory_blocks(online_memory_block) stops at the first failure */
		if (mem) {
			mem->online_type = online_type;
			if (device_online(hm, mem) < 0)
				return;
		}
	}
}

static int __add_memory_resource(struct hotmem *hm, int nid, uint64_t start, uint64_t size,
				 unsigned int mhp_flags, int group_id, const char *name)
{
	struct memory_group *group = NULL;
	struct pglist_data *pgdat;
	struct hm_resource *res;
	bool new_node, memmap_on_memory;
	int ret;

	/*
	 * 6.12's order: __add_memory() and add_memory_driver_managed() first
	 * reserve the range, register_memory_resource() (beyond the pluggable
	 * range E2BIG, busy EEXIST), then add_memory_resource() checks it:
	 * check_hotplug_memory_range() (EINVAL), the memory group, the node.
	 * A range both off the memory block and busy is EEXIST there, which
	 * acpi_memhotplug takes as memory the kernel has: not EINVAL.
	 */
	if (!mhp_range_allowed(hm, start, size))
		return -E2BIG;
	if (resource_conflict(hm, start, size) || e820_reserved_conflict(hm, start, size) ||
	    virtio_mem_region_conflict(hm, start, size)) {
		/* register_memory_resource() since __request_region() (5.7; 6.12) */
		pr_debug(hm, "Unable to reserve System RAM region: %016llx->%016llx",
			 (unsigned long long)start, (unsigned long long)(start + size));
		return -EEXIST;
	}
	ret = check_hotplug_memory_range(hm, start, size);
	if (ret)
		return ret;
	if (group_id >= 0) {
		group = memory_group_find_by_id(hm, group_id);
		if (!group)
			return -EINVAL;
		if (nid < 0)
			nid = group->nid;
		if (group->nid != nid)
			return -EINVAL;
	}
	if (nid < 0 || nid >= hm->nr_possible_nodes) {
		pr_err(hm, "add_memory: node %d is not possible", nid);
		return -EINVAL;
	}
	memmap_on_memory = (mhp_flags & HM_MHP_MEMMAP_ON_MEMORY) && mhp_supports_memmap_on_memory(hm);
	ret = physmem_check_mappings(hm, add_memory_host_maps(hm, size, memmap_on_memory));
	if (ret)
		return ret;
	res = hm_alloc(hm, sizeof(*res));
	if (!res)
		return -ENOMEM;
	res->start = start;
	res->size = size;
	res->nid = nid;
	res->group = group_id;
	res->name = name;
	res->merge = mhp_flags & HM_MHP_MERGE_RESOURCE;

	mem_hotplug_begin(hm);
	pgdat = NODE_DATA(hm, nid);
	new_node = !pgdat->online;
	/*
	 * __try_online_node() -> hotadd_init_pgdat() (6.12): the new node's
	 * zonelist, before anything is added, so that nobody walks one not
	 * built -- its "Fallback order" and "Built N zonelists" lines.  A
	 * failed add keeps it, as the kernel's does; the node stays offline.
	 */
	if (new_node)
		build_all_zonelists(hm, pgdat);

	if (memmap_on_memory) {
		res->memmap_on_memory = true;
		ret = create_altmaps_and_memory_blocks(hm, nid, group_id, start, size);
		if (ret)
			goto error;
	} else {
		ret = arch_add_memory(hm, nid, start, size, NULL);
		if (ret)
			goto error;
		ret = create_memory_block_devices(hm, start, size, nid, NULL, group_id);
		if (ret) {
			add_unwind_begin(hm);
			arch_remove_memory(hm, start, size, NULL);
			add_unwind_end(hm);
			goto error;
		}
	}
	if (new_node) {
		/* node_set_online(); hotmem_node_info() reads it under span_lock */
		pthread_rwlock_wrlock(&hm->span_lock);
		pgdat->online = true;
		pthread_rwlock_unlock(&hm->span_lock);
		hm_node_uevent(hm, HM_KOBJ_ADD, nid);	/* __register_one_node() */
	}
	/* the blocks' node links only now, after their ADDs and the node's (memory.c) */
	register_memory_blocks_under_node_hotplug(hm, nid, start, size);
	update_end_of_memory_vars(hm, start, size);
	res->next = hm->resources;
	hm->resources = res;
	/* create new memmap entry: "System RAM" only, not driver-managed memory */
	if (!name)
		firmware_map_add_hotplug(hm, start, start + size);
	maps_changed(hm);
	mem_hotplug_done(hm);

	online_new_blocks(hm, start, size);
	return 0;
error:
	mem_hotplug_done(hm);
	hm_free(hm, res, sizeof(*res));
	return ret;
}

/*
 * add_memory_resource(): every add's path (hotmem_add_memory(),
 * add_memory_driver_managed()) goes through it and its probe, as 6.12's
 * fentry shows one per virtio-mem block too.  A memory group's add gives
 * nid -1, as 6.12's nid argument is then the group id (MHP_NID_IS_MGID).
 */
static int add_memory_resource(struct hotmem *hm, int nid, uint64_t start, uint64_t size,
			       unsigned int mhp_flags, int group_id, const char *name)
{
	int ret = 0;
	HM_TRACE_FN(hm, add_memory_resource, &ret, PHYS_PFN(start), PHYS_PFN(size), nid, -1,
		    (long)mhp_flags);

	ret = __add_memory_resource(hm, nid, start, size, mhp_flags, group_id, name);
	return ret;
}

int hotmem_add_memory_task(struct hotmem *hm, int nid, uint64_t start, uint64_t size,
			   unsigned int mhp_flags, int group, const struct hotmem_task *task)
{
	int ret;

	lock_device_hotplug(hm);
	hm->current_task = task;
	kmem_tick(hm);
	ret = add_memory_resource(hm, nid, start, size, mhp_flags, group, NULL);
	hm->current_task = NULL;
	unlock_device_hotplug(hm);
	return ret;
}

int hotmem_add_memory(struct hotmem *hm, int nid, uint64_t start, uint64_t size,
		      unsigned int mhp_flags, int group)
{
	return hotmem_add_memory_task(hm, nid, start, size, mhp_flags, group, NULL);
}

/*
 * add_memory_driver_managed(): memory a driver manages (virtio-mem, dax
 * kmem), under its own resource name, never in the firmware memmap.  With
 * MHP_NID_IS_MGID @nid is a memory group id.  Caller holds
 * device_hotplug_lock.
 */
int add_memory_driver_managed(struct hotmem *hm, int nid, uint64_t start, uint64_t size,
			      const char *resource_name, unsigned int mhp_flags)
{
	int group = -1;

	if (!resource_name || strncmp(resource_name, "System RAM (", 12) ||
	    resource_name[strlen(resource_name) - 1] != ')')
		return -EINVAL;
	if (mhp_flags & HM_MHP_NID_IS_MGID) {
		group = nid;
		nid = -1;
	}
	return add_memory_resource(hm, nid, start, size, mhp_flags, group, resource_name);
}

/* ------------------------------------------------------------------ */
/* remove                                                              */
/* ------------------------------------------------------------------ */

/* the "System RAM" resource holding all of [start, start + size) */
static struct hm_resource *find_resource(struct hotmem *hm, uint64_t start, uint64_t size,
					 struct hm_resource ***prevp)
{
	struct hm_resource **pp = &hm->resources;

	for (; *pp; pp = &(*pp)->next) {
		if ((*pp)->start <= start && start + size <= (*pp)->start + (*pp)->size) {
			if (prevp)
				*prevp = pp;
			return *pp;
		}
	}
	return NULL;
}

/* every byte of [start, start + size) in some added range (several, back to back) */
static bool added_throughout(struct hotmem *hm, uint64_t start, uint64_t size)
{
	uint64_t cur = start, end = start + size;
	bool moved = true;

	while (cur < end && moved) {
		moved = false;
		for (const struct hm_resource *r = hm->resources; r; r = r->next)
			if (r->start <= cur && cur < r->start + r->size) {
				cur = r->start + r->size;
				moved = true;
			}
	}
	return cur >= end;
}

/*
 * for_each_memory_block(check_no_memblock_for_node_cb): a memory block
 * of @nid left, online or not (an offline one links to the node in sysfs
 * and may be onlined again) -- boot memory too, which is in no resource
 */
static bool node_has_memblock(struct hotmem *hm, int nid)
{
	unsigned long id = 0;
	bool found = false;

	pthread_rwlock_rdlock(&hm->blocks_lock);
	for (; !found && !hm_xa_find(&hm->memory_blocks, &id); id++)
		found = ((struct memory_block *)hm_xa_load(&hm->memory_blocks, id))->nid == nid;
	pthread_rwlock_unlock(&hm->blocks_lock);
	return found;
}

/*
 * try_offline_node() (mm/memory_hotplug.c, 6.12): a node that spans no
 * pages, has no memory block and no present CPU (check_cpu_on_node():
 * the front end's CPU placement, hotmem_config.cpu_nodes) goes offline
 */
static void try_offline_node(struct hotmem *hm, int nid)
{
	struct pglist_data *pgdat = NODE_DATA(hm, nid);

	if (pgdat->node_spanned_pages || node_has_memblock(hm, nid) || pgdat->has_cpu)
		return;
	pthread_rwlock_wrlock(&hm->span_lock);
	pgdat->online = false;	/* node_set_offline(), read under span_lock */
	pthread_rwlock_unlock(&hm->span_lock);
	hm_node_uevent(hm, HM_KOBJ_REMOVE, nid);	/* unregister_one_node() */
}

/*
 * release_mem_region_adjustable(): the resource loses [start, start + size)
 * — all of it, an end, or a middle that splits it in two (@tail, allocated
 * beforehand, is the upper part).  Returns true when @res itself is gone.
 */
static bool release_mem_region_adjustable(struct hm_resource **pp, struct hm_resource *res,
					  uint64_t start, uint64_t size,
					  struct hm_resource **tail)
{
	uint64_t end = start + size, res_end = res->start + res->size;

	if (start == res->start && end == res_end) {
		*pp = res->next;
		return true;
	}
	if (start == res->start) {
		res->start = end;
		res->size = res_end - end;
	} else if (end == res_end) {
		res->size = start - res->start;
	} else {
		**tail = *res;
		(*tail)->start = end;
		(*tail)->size = res_end - end;
		res->size = start - res->start;
		res->next = *tail;
		*tail = NULL;
	}
	return false;
}

/* walk_memory_blocks(check_memblock_offlined_cb): every block of the range offline, else EBUSY */
static int check_memblocks_offlined(struct hotmem *hm, uint64_t start, uint64_t size)
{
	for (uint64_t cur = start; cur < start + size; cur += hm->cfg.block_size) {
		unsigned long id = memory_block_id(hm, pfn_to_section_nr(PHYS_PFN(cur)));
		struct memory_block *mem = find_memory_block_by_id(hm, id);

		if (mem && atomic_load(&mem->state) != HM_MEM_OFFLINE) {
			pr_warn(hm, "removing memory fails, because memory [0x%016llx-0x%016llx] is onlined",
				(unsigned long long)cur,
				(unsigned long long)(cur + hm->cfg.block_size - 1));
			return -EBUSY;
		}
	}
	return 0;
}

/*
 * try_remove_memory(): any block-aligned range of added memory whose
 * blocks are all offline goes, as the kernel allows (6.12), not only
 * whole devices.  The blocks are checked first, as the kernel's
 * walk_memory_blocks(check_memblock_offlined_cb) is its first check: an
 * online block is EBUSY whatever the range.  Then the range must lie in
 * one added range: the kernel goes on with a range across two, and
 * release_mem_region_adjustable() only warns "Unable to release
 * resource", leaving it in /proc/iomem for good -- not modelled: a
 * refusal, said in the log (docs/engine.md, "Where we differ").
 */
static int try_remove_memory(struct hotmem *hm, uint64_t start, uint64_t size)
{
	struct hm_resource *res, **pp = NULL, *tail = NULL;
	int ret = 0;
	HM_TRACE_FN(hm, try_remove_memory, &ret, PHYS_PFN(start), PHYS_PFN(size), -1, -1, 0);

	if (!size || start % hm->cfg.block_size || size % hm->cfg.block_size)
		return ret = -EINVAL;
	ret = check_memblocks_offlined(hm, start, size);
	if (ret)
		return ret;
	res = find_resource(hm, start, size, &pp);
	if (!res) {
		bool added = added_throughout(hm, start, size);

		pr_warn(hm, "removing memory [0x%016llx-0x%016llx] fails: %s",
			(unsigned long long)start, (unsigned long long)(start + size - 1),
			added ? "across added ranges (the kernel would remove it and leave a resource "
				"behind: not modelled)" :
				"not all of it is hot-added memory");
		return ret = -EINVAL;
	}
	/*
	 * Its unmaps are host mappings too (the direct map's and the first
	 * memmap's may each split one in three), refused above the cap: say
	 * so now, not half way (physmem_check_unmaps()).
	 */
	ret = physmem_check_unmaps(hm, 2 * 2);
	if (ret)
		return ret;
	/* a middle part splits the resource: the upper part needs a new one */
	if (start > res->start && start + size < res->start + res->size) {
		tail = hm_alloc(hm, sizeof(*tail));
		if (!tail)
			return ret = -ENOMEM;
	}
	mem_hotplug_begin(hm);
	if (res->memmap_on_memory) {
		remove_memory_blocks_and_altmaps(hm, start, size);
	} else {
		remove_memory_block_devices(hm, start, size);
		arch_remove_memory(hm, start, size, NULL);
	}
	if (!res->name)
		firmware_map_remove(hm, start, start + size);
	if (release_mem_region_adjustable(pp, res, start, size, &tail)) {
		try_offline_node(hm, res->nid);
		hm_free(hm, res, sizeof(*res));
	}
	maps_changed(hm);
	mem_hotplug_done(hm);
	return ret;
}

/* remove_memory(): caller holds device_hotplug_lock */
int remove_memory(struct hotmem *hm, uint64_t start, uint64_t size)
{
	return try_remove_memory(hm, start, size);
}

int hotmem_remove_memory(struct hotmem *hm, uint64_t start, uint64_t size)
{
	int ret;

	lock_device_hotplug(hm);
	kmem_tick(hm);
	ret = try_remove_memory(hm, start, size);
	unlock_device_hotplug(hm);
	return ret;
}

/*
 * lock_device_hotplug() for an operation on the added memory [start,
 * start + size) on behalf of @task: 0 with the lock held, or -EINVAL.
 */
static int lock_device_range(struct hotmem *hm, uint64_t start, uint64_t size,
			     const struct hotmem_task *task)
{
	lock_device_hotplug(hm);
	hm->current_task = task;
	kmem_tick(hm);
	if (find_resource(hm, start, size, NULL))
		return 0;
	hm->current_task = NULL;
	unlock_device_hotplug(hm);
	return -EINVAL;
}

static void unlock_device_range(struct hotmem *hm)
{
	hm->current_task = NULL;
	unlock_device_hotplug(hm);
}

static bool block_aligned_range(struct hotmem *hm, uint64_t start, uint64_t size)
{
	const uint64_t bs = hm->cfg.block_size;

	return size && !(size % bs) && !(start % bs);
}

/*
 * offline_and_remove_memory(): offline every block, then remove; on any
 * failure the blocks offlined here come back online in their old zone.
 */
static int __offline_and_remove_memory(struct hotmem *hm, uint64_t start, uint64_t size,
				       int *online_types)
{
	const uint64_t bs = hm->cfg.block_size;
	unsigned long nr = size / bs, i;
	int ret = 0;

	for (i = 0; i < nr; i++) {
		struct memory_block *mem = phys_to_memory_block(hm, start + i * bs);
		struct zone *zone = mem ? mem->zone : NULL;

		online_types[i] = HM_MMOP_OFFLINE;
		if (!mem || atomic_load(&mem->state) == HM_MEM_OFFLINE)
			continue;
		online_types[i] = zone && is_zone_movable(zone) ? HM_MMOP_ONLINE_MOVABLE :
								  HM_MMOP_ONLINE_KERNEL;
		ret = device_offline(hm, mem);
		if (ret < 0) {
			online_types[i] = HM_MMOP_OFFLINE;
			break;
		}
		ret = 0;
	}
	if (!ret)
		ret = try_remove_memory(hm, start, size);
	for (i = 0; ret && i < nr; i++) {
		struct memory_block *mem = phys_to_memory_block(hm, start + i * bs);

		if (!mem || online_types[i] == HM_MMOP_OFFLINE)
			continue;
		mem->online_type = online_types[i];
		if (device_online(hm, mem) < 0)
			pr_warn(hm, "memory block memory%lu could not be re-onlined", mem->id);
	}
	return ret;
}

/* offline_and_remove_memory(): caller holds device_hotplug_lock */
int offline_and_remove_memory(struct hotmem *hm, uint64_t start, uint64_t size)
{
	unsigned long nr = size / hm->cfg.block_size;
	int *online_types;
	int ret;

	if (!block_aligned_range(hm, start, size) || !find_resource(hm, start, size, NULL))
		return -EINVAL;
	online_types = hm_alloc(hm, nr * sizeof(int));
	if (!online_types)
		return -ENOMEM;
	ret = __offline_and_remove_memory(hm, start, size, online_types);
	hm_free(hm, online_types, nr * sizeof(int));
	return ret;
}

int hotmem_offline_and_remove_memory_task(struct hotmem *hm, uint64_t start, uint64_t size,
					  const struct hotmem_task *task)
{
	unsigned long nr = size / hm->cfg.block_size;
	int *online_types;
	int ret;

	if (!block_aligned_range(hm, start, size))
		return -EINVAL;
	online_types = hm_alloc(hm, nr * sizeof(int));
	if (!online_types)
		return -ENOMEM;
	ret = lock_device_range(hm, start, size, task);
	if (!ret) {
		ret = __offline_and_remove_memory(hm, start, size, online_types);
		unlock_device_range(hm);
	}
	hm_free(hm, online_types, nr * sizeof(int));
	return ret;
}

int hotmem_offline_and_remove_memory(struct hotmem *hm, uint64_t start, uint64_t size)
{
	return hotmem_offline_and_remove_memory_task(hm, start, size, NULL);
}

/*
 * acpi_bus_offline() over the device's blocks (drivers/acpi/scan.c, 6.12;
 * a DIMM's physical nodes are its blocks in ascending order, as
 * acpi_bind_one() lists them): offline each, remember what it offlined
 * (put_online).  The first pass goes on past a block that refuses and
 * names the last one that did; the second skips what the first offlined
 * and stops at the first refusal, the block "Offline failed." names.
 */
static struct memory_block *acpi_bus_offline(struct hotmem *hm, uint64_t start, uint64_t size,
					     bool *put_online, bool second_pass)
{
	const uint64_t bs = hm->cfg.block_size;
	struct memory_block *errdev = NULL;

	for (unsigned long i = 0; i < size / bs; i++) {
		struct memory_block *mem = phys_to_memory_block(hm, start + i * bs);
		int ret;

		if (!mem)
			continue;
		if (second_pass && put_online[i])
			continue;	/* "Skip devices offlined by the first pass." */
		put_online[i] = false;
		ret = device_offline(hm, mem);
		if (ret >= 0) {
			put_online[i] = !ret;
		} else {
			errdev = mem;
			if (second_pass)
				break;
		}
	}
	return errdev;
}

/*
 * acpi_bus_online(): back online what the eject offlined, with MMOP_ONLINE
 * -- or with the type a refused state write left in the block (usereye10 U9)
 */
static void acpi_bus_online(struct hotmem *hm, uint64_t start, uint64_t size,
			    const bool *put_online, struct hm_eject_block *report)
{
	const uint64_t bs = hm->cfg.block_size;
	int ret;

	for (unsigned long i = 0; i < size / bs; i++) {
		struct memory_block *mem = phys_to_memory_block(hm, start + i * bs);

		if (!mem || !put_online[i])
			continue;
		/* memory_subsys_online()'s choice, before it resets it (6.12) */
		if (report)
			report[i].online_type = mem->online_type == HM_MMOP_OFFLINE ? HM_MMOP_ONLINE
										: mem->online_type;
		ret = device_online(hm, mem);
		if (ret < 0) {
			/*
			 * 6.12's acpi_bus_online() ignores device_online()'s
			 * error and says nothing: the emulator's line, at debug
			 * level (abuse31 W3); @report carries it to the caller
			 */
			pr_debug(hm, "hotmem: memory%lu: not online again after the refused eject (%s); 6.12's acpi_bus_online() ignores it",
				 mem->id, strerror(-ret));
			continue;
		}
		if (report) {
			report[i].onlined_again = true;
			report[i].zone_after = mem->zone ? zone_idx(mem->zone) : -1;
		}
	}
}

/* @report's entries for the range: each block's id, no zone, not onlined again */
static void acpi_eject_report_init(struct hotmem *hm, uint64_t start, uint64_t size,
				   struct hm_eject_block *report)
{
	const uint64_t bs = hm->cfg.block_size;

	for (unsigned long i = 0; report && i < size / bs; i++)
		report[i] = (struct hm_eject_block){ .id = (unsigned long)((start + i * bs) / bs),
						     .zone_before = -1, .zone_after = -1 };
}

/*
 * Caller holds the device range.  Each block's zone before the eject, for
 * the caller to say what a rollback changed: under contig-zones
 * MMOP_ONLINE puts a Movable DIMM's blocks in ZONE_NORMAL once
 * ZONE_MOVABLE's span has shrunk away, where the kernel allocates at once
 * and the DIMM cannot be unplugged again.
 */
static void acpi_eject_report_zones(struct hotmem *hm, uint64_t start, uint64_t size,
				    struct hm_eject_block *report)
{
	const uint64_t bs = hm->cfg.block_size;

	for (unsigned long i = 0; report && i < size / bs; i++) {
		struct memory_block *mem = phys_to_memory_block(hm, start + i * bs);

		if (mem && mem->zone)
			report[i].zone_before = zone_idx(mem->zone);
	}
}

/*
 * The ACPI eject of a pc-dimm (drivers/acpi/scan.c acpi_scan_hot_remove(),
 * 6.12): acpi_scan_try_to_offline() offlines every block, and when one
 * refuses tries those still online a second time; the first block that
 * still refuses gets "Offline failed.", what was offlined goes back online with the
 * default online type (device_online(): MMOP_ONLINE, so the zone policy
 * decides afresh) and nothing is removed (-EBUSY: _OST device busy).
 * Otherwise acpi_memory_remove_memory() removes the device's memory.
 */
int hotmem_acpi_eject_memory(struct hotmem *hm, uint64_t start, uint64_t size,
			     const struct hotmem_task *task, struct hm_eject_block *report)
{
	const unsigned long nr = size / hm->cfg.block_size;
	struct memory_block *errdev;
	bool *put_online;
	int ret;

	if (!block_aligned_range(hm, start, size))
		return -EINVAL;
	acpi_eject_report_init(hm, start, size, report);
	put_online = hm_alloc(hm, nr * sizeof(bool));
	if (!put_online)
		return -ENOMEM;
	ret = lock_device_range(hm, start, size, task);
	if (ret)
		goto out_free;
	acpi_eject_report_zones(hm, start, size, report);
	errdev = acpi_bus_offline(hm, start, size, put_online, false);
	if (errdev)	/* the second pass */
		errdev = acpi_bus_offline(hm, start, size, put_online, true);
	if (errdev) {
		dev_warn(hm, "memory memory%lu: Offline failed.", errdev->id);
		acpi_bus_online(hm, start, size, put_online, report);
		ret = -EBUSY;
	} else {
		ret = try_remove_memory(hm, start, size);
	}
	unlock_device_range(hm);
out_free:
	hm_free(hm, put_online, nr * sizeof(bool));
	return ret;
}

/*
 * What the guest's ACPI memory driver logs when add_memory() of a DIMM
 * failed (drivers/acpi/acpi_memhotplug.c, 6.12): acpi_memory_enable_device()'s
 * dev_err() "add_memory failed", then acpi_memory_device_add()'s
 * "acpi_memory_enable_device() error" -- the handler is not attached, the
 * device stays (acpi_bus_attach() ignores the error, so the device check's
 * _OST still says success).  -EEXIST is no failure there: the range's
 * memory counts as the device's.
 */
void hotmem_acpi_memory_enable_failed(struct hotmem *hm, const char *acpi_dev, int err)
{
	if (err == -EEXIST)
		return;
	dev_err(hm, "acpi %s: add_memory failed", acpi_dev);
	dev_err(hm, "acpi %s: acpi_memory_enable_device() error", acpi_dev);
}

int hotmem_acpi_ost_status(int err)
{
	switch (err) {
	case 0:
		return HM_ACPI_OST_SC_SUCCESS;
	case -EPERM:
		return HM_ACPI_OST_SC_EJECT_NOT_SUPPORTED;
	case -EBUSY:
		return HM_ACPI_OST_SC_DEVICE_BUSY;
	default:
		return HM_ACPI_OST_SC_NON_SPECIFIC_FAILURE;
	}
}

int hotmem_find_free_range_aligned(struct hotmem *hm, uint64_t size, uint64_t min_addr,
				   uint64_t align, uint64_t *start)
{
	uint64_t cur;
	int ret = -ENOSPC;

	/* whole pages at a page-aligned power of two: the emulator has no part of a page */
	if (!size || size % HM_PAGE_SIZE || align < HM_PAGE_SIZE || (align & (align - 1)))
		return -EINVAL;
	lock_device_hotplug(hm);
	cur = ALIGN(min_addr, align);
	while (cur >= min_addr && cur + size <= hm->maxmem && cur + size > cur) {
		struct hm_resource *r = resource_conflict(hm, cur, size);
		uint64_t reserved_end = r ? 0 : e820_reserved_conflict(hm, cur, size);

		if (!r && !reserved_end)
			reserved_end = virtio_mem_region_conflict(hm, cur, size);

		if (!r && !reserved_end) {
			*start = cur;
			ret = 0;
			break;
		}
		/* what it meets ends above @cur: always a step up */
		cur = ALIGN(r ? r->start + r->size : reserved_end, align);
	}
	unlock_device_hotplug(hm);
	return ret;
}

int hotmem_find_free_range(struct hotmem *hm, uint64_t size, uint64_t min_addr,
			   uint64_t *start)
{
	const uint64_t bs = hm->cfg.block_size;

	if (!size || size % bs)
		return -EINVAL;
	return hotmem_find_free_range_aligned(hm, size, min_addr, bs, start);
}
