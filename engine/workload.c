// SPDX-License-Identifier: GPL-2.0
/*
 * Workload: pages somebody allocated, so that offlining meets what it
 * meets on a real machine — movable user pages it must migrate (their
 * content is copied, through the direct map), unmovable kernel pages that
 * pin their pageblock, and a HugeTLB pool whose vmemmap may be optimised.
 *
 * A handle names an allocation and survives migration; the engine keeps
 * handle -> pfn, the page keeps pfn -> handle (page->index).
 */
#include <string.h>

#include "internal.h"

static long workload_slot(struct hotmem *hm)
{
	unsigned long i;

	for (i = hm->workload_free_hint; i < hm->workload_used; i++)
		if (hm->workload[i].pfn == ULONG_MAX)
			goto found;
	if (hm->workload_used == hm->workload_cap &&
	    hm_array_resize(hm, (void **)&hm->workload, &hm->workload_cap, hm->workload_used,
			    sizeof(*hm->workload), hm->workload_cap ? hm->workload_cap * 2 : 1024))
		return -ENOMEM;
	i = hm->workload_used++;
found:
	hm->workload_free_hint = i + 1;
	return (long)i;
}

static void workload_account(struct hotmem *hm, struct page *page, int type, long delta)
{
	struct zone *z = page_zone(hm, page);

	pthread_mutex_lock(&z->lock);
	z->nr_alloc[type] += (unsigned long)delta;
	pthread_mutex_unlock(&z->lock);
}

static void workload_detach(struct hotmem *hm, struct page *page);

/* include/linux/mm.h: what one FOLL_PIN adds to a small folio's _refcount */
#define GUP_PIN_COUNTING_BIAS	(1 << 10)

/*
 * What the kernel's struct page of a task's page holds, kept in the
 * engine's, so that dump_page() prints it (usereye10 U1: a pinned page
 * that failed migration dumped as refcount:1 mapcount:0, a page migration
 * could move): a user page (movable, pinned) is an anonymous page mapped
 * once, _mapcount 0, its mapping's reference; a pinned one holds
 * pin_user_pages()' too, GUP_PIN_COUNTING_BIAS on an order-0 folio (6.12
 * mm/gup.c try_grab_folio(); a large folio would count _pincount).  An
 * unmovable page (GFP_KERNEL) is the kernel's: one reference, unmapped.
 */
static void workload_set_refs(struct page *page, int type)
{
	if (type == HM_ALLOC_UNMOVABLE)
		return;
	WRITE_ONCE(page->page_type, 0);
	set_page_count(page, 1 + (type == HM_ALLOC_PINNED ? GUP_PIN_COUNTING_BIAS : 0));
}

/*
 * The page is made a workload page before its handle names it: a free
 * of that handle (free-all walks every handle, and takes no
 * mem_hotplug_lock) finds it whole, never half attached.
 */
static int workload_attach(struct hotmem *hm, struct page *page, int type,
			   unsigned long *handle)
{
	long h;

	WRITE_ONCE(page->mapping, (unsigned long)type + 1);
	workload_set_refs(page, type);
	set_page_flag(page, PG_workload);
	if (type != HM_ALLOC_UNMOVABLE)
		set_page_flag(page, PG_movable);
	workload_account(hm, page, type, 1);
	pthread_mutex_lock(&hm->workload_lock);
	h = workload_slot(hm);
	if (h >= 0) {
		WRITE_ONCE(page->index, (unsigned long)h);
		hm->workload[h].pfn = page_to_pfn(hm, page);
		hm->workload[h].type = type;
	}
	pthread_mutex_unlock(&hm->workload_lock);
	if (h < 0) {
		workload_detach(hm, page);
		return (int)h;
	}
	if (handle)
		*handle = (unsigned long)h;
	return 0;
}

/* a node with present memory: a task's mempolicy may name it */
static bool node_has_memory(struct hotmem *hm, int nid)
{
	bool has;

	pthread_rwlock_rdlock(&hm->span_lock);
	has = NODE_DATA(hm, nid)->node_present_pages != 0;
	pthread_rwlock_unlock(&hm->span_lock);
	return has;
}

/*
 * One workload page off the zonelist of @nid, attached.  Under
 * vmemmap_remap_lock for reading, as hotmem_free_page(): HugeTLB's
 * vmemmap optimisation copies a section's memmap and maps the copy
 * (vmemmap_unshare()), and a struct page written meanwhile -- a free
 * list's link -- would be lost; and the invariant checker, which takes
 * that lock for writing, never sees a page off the buddy not yet a
 * workload page.
 */
static int workload_alloc_one(struct hotmem *hm, int nid, int type, unsigned long *handle)
{
	struct page *page;
	int ret = -ENOMEM;

	pthread_rwlock_rdlock(&hm->vmemmap_remap_lock);
	page = alloc_pages_node(hm, nid, 0, type != HM_ALLOC_UNMOVABLE, false);
	if (page) {
		ret = workload_attach(hm, page, type, handle);
		if (ret)
			__free_pages(hm, page, 0);
	}
	pthread_rwlock_unlock(&hm->vmemmap_remap_lock);
	return ret;
}

/*
 * Pages a task allocates (GFP_HIGHUSER_MOVABLE or GFP_KERNEL).  No
 * mem_hotplug_lock, as the kernel's page allocator takes none (6.12
 * mm/page_alloc.c: zone->lock alone): an offline looping on a pinned page
 * holds it for writing, and an allocation meanwhile is served from the
 * rest of the machine (review14 R15: it waited for the offline to give
 * up).  Nothing of a hotplug operation is handed out: a range being
 * onlined or offlined, or taken by alloc_contig_range(), is isolated, its
 * free pages on the MIGRATE_ISOLATE lists the buddy never takes from
 * (move_freepages_block() splits a free block reaching into one), and an
 * offline takes them off the buddy before the section can go away.
 */
long hotmem_alloc_pages(struct hotmem *hm, int nid, int type, unsigned long nr,
			unsigned long *handles)
{
	unsigned long i;

	if (type < 0 || type >= HM_ALLOC_NR)
		return -EINVAL;
	/* -1 is any node (NUMA_NO_NODE); below it none (-2 was node 0) */
	if (nid < NUMA_NO_NODE || nid >= hm->nr_possible_nodes)
		return -EINVAL;
	/*
	 * A node without memory is no preference a task can hold: 6.12
	 * set_mempolicy()/mbind() intersect the nodes with
	 * node_states[N_MEMORY] and refuse an empty set, MPOL_PREFERRED as
	 * MPOL_BIND (mpol_set_nodemask(), mpol_new_preferred()).  It was a
	 * silent fall back to node 0.
	 */
	if (nid >= 0 && !node_has_memory(hm, nid))
		return -EINVAL;
	if (nid < 0)
		nid = numa_node_id(hm); /* the same for every page: asked once */
	/*
	 * The call is the operation (no device_hotplug_lock to end it): the
	 * boosts of its fallbacks add up, and the kswapd they woke runs
	 * once it is done (hm_operation_end())
	 */
	hm_operation_begin();
	for (i = 0; i < nr; i++)
		if (workload_alloc_one(hm, nid, type, handles ? &handles[i] : NULL))
			break;
	hm_operation_end(hm);
	return i || !nr ? (long)i : -ENOMEM;
}

/* take_page_off_buddy(): carve exactly @pfn out of the free block holding it */
struct page *take_page_off_buddy(struct hotmem *hm, unsigned long pfn)
{
	struct zone *z = page_zone(hm, pfn_to_page(hm, pfn));
	struct page *found = NULL;

	pthread_mutex_lock(&z->lock);
	for (unsigned int order = 0; order < NR_PAGE_ORDERS; order++) {
		unsigned long head = pfn & ~((1UL << order) - 1);
		struct page *hp = pfn_to_page(hm, head);
		unsigned int o;

		if (!PageBuddy(hp) || buddy_order_unsafe(hp) < order)
			continue;
		o = (unsigned int)buddy_order_unsafe(hp);
		del_page_from_free_list(z, hp, o);
		split_free_block_around(hm, z, head, o, pfn, 0);
		found = pfn_to_page(hm, pfn);
		set_page_count(found, 1);
		WRITE_ONCE(found->index, 0);
		WRITE_ONCE(found->mapping, 0);
		break;
	}
	pthread_mutex_unlock(&z->lock);
	return found;
}

int hotmem_alloc_page_at(struct hotmem *hm, uint64_t pfn, int type, unsigned long *handle)
{
	struct page *page;
	int ret = -EBUSY;

	if (type < 0 || type >= HM_ALLOC_NR)
		return -EINVAL;
	/*
	 * get_online_mems(), unlike hotmem_alloc_pages(): a page named by
	 * its pfn (the engine's, no kernel allocation does that) is read
	 * before the buddy is asked, and its section must not go away
	 * between pfn_to_online_page() and the read.
	 */
	pthread_rwlock_rdlock(&hm->mem_hotplug_lock);
	/* a HugeTLB free runs under get_online_mems() too, and may remap */
	pthread_rwlock_rdlock(&hm->vmemmap_remap_lock);
	if (!pfn_to_online_page(hm, (unsigned long)pfn)) {
		ret = -EINVAL;
		goto out;
	}
	ret = memmap_check_mapped(hm, (unsigned long)pfn, "hotmem_alloc_page_at");
	if (ret)
		goto out;
	ret = -EBUSY;
	page = pfn_to_page(hm, (unsigned long)pfn);
	/* unmovable pages never live in ZONE_MOVABLE */
	if (type == HM_ALLOC_UNMOVABLE && page_zonenum(page) == ZONE_MOVABLE) {
		ret = -EINVAL;
		goto out;
	}
	page = take_page_off_buddy(hm, (unsigned long)pfn);
	if (!page)
		goto out;
	/* a user page: the kernel's came through the per-CPU lists */
	zone_pcp_touch(page_zone(hm, page), 0);
	ret = workload_attach(hm, page, type, handle);
	if (ret)
		__free_pages(hm, page, 0);
out:
	pthread_rwlock_unlock(&hm->vmemmap_remap_lock);
	pthread_rwlock_unlock(&hm->mem_hotplug_lock);
	return ret;
}

static void workload_detach(struct hotmem *hm, struct page *page)
{
	int type = (int)READ_ONCE(page->mapping) - 1;

	workload_account(hm, page, type, -1);
	clear_page_flag(page, PG_workload);
	clear_page_flag(page, PG_movable);
	WRITE_ONCE(page->mapping, 0);
	WRITE_ONCE(page->index, 0);
	/* unmapped (its task's mapping gone); the references go with the free */
	WRITE_ONCE(page->page_type, -1);
}

/* the owner of a workload page is gone (memory failure): keep the page */
void workload_forget_page(struct hotmem *hm, struct page *page)
{
	unsigned long handle = READ_ONCE(page->index);

	pthread_mutex_lock(&hm->workload_lock);
	if (handle < hm->workload_used && hm->workload[handle].pfn == page_to_pfn(hm, page)) {
		hm->workload[handle].pfn = ULONG_MAX;
		if (handle < hm->workload_free_hint)
			hm->workload_free_hint = handle;
	}
	pthread_mutex_unlock(&hm->workload_lock);
	workload_detach(hm, page);
}

/*
 * offline_pages() of a range that still holds a poisoned workload page
 * (an unmovable one memory_failure() left to its owner, MF_IGNORED):
 * 6.12 steps over every PageHWPoison page when it offlines, whatever its
 * refcount (has_unmovable_pages() and test_pages_isolated() with
 * MEMORY_OFFLINE), and the kernel user keeps a page whose memmap goes
 * away.  Here the owner loses it with its block: the handle is gone
 * (ENOENT), so nothing frees through a removed memmap later, and the
 * zone's workload counters go with the page.  The page stays poisoned
 * and out of the buddy, as any retired page.
 */
void workload_offline_poisoned(struct hotmem *hm, unsigned long start_pfn,
			       unsigned long end_pfn)
{
	/* a block without poison is not read (memory_failure.c) */
	if (!range_may_hold_hwpoison(hm, start_pfn, end_pfn))
		return;
	for (unsigned long pfn = start_pfn; pfn < end_pfn; pfn++) {
		struct page *page = pfn_to_page(hm, pfn);

		if (test_page_flag(page, PG_hwpoison) && test_page_flag(page, PG_workload))
			workload_forget_page(hm, page);
	}
}

/* free handles at the end of the table go, and the table shrinks with them */
static void workload_trim(struct hotmem *hm)
{
	while (hm->workload_used && hm->workload[hm->workload_used - 1].pfn == ULONG_MAX)
		hm->workload_used--;
	if (hm->workload_free_hint > hm->workload_used)
		hm->workload_free_hint = hm->workload_used;
	/* a failure keeps the big table, which is fine */
	if (hm->workload_cap > 1024 && hm->workload_used <= hm->workload_cap / 4)
		hm_array_resize(hm, (void **)&hm->workload, &hm->workload_cap, hm->workload_used,
				sizeof(*hm->workload), hm->workload_cap / 2);
}

/*
 * put_page()/unpin_user_page() of a workload page.  No mem_hotplug_lock,
 * as the kernel's free_unref_page() takes none: an offline looping on
 * this very page (it was pinned) holds that lock for writing, and the
 * free is what lets it finish -- the page lands in its isolated
 * pageblock's free list and the next pass finds the range free (review14
 * R14: waiting for the lock, the free came only after the offline had
 * given up).  What the lock guarded needs no lock: a page still in use
 * keeps its block from going offline, so its memmap stays until
 * __free_pages() is done; a migration of the page racing this free is
 * settled under workload_lock by whoever moves the handle
 * (workload_migrate_page()).
 */
int hotmem_free_page(struct hotmem *hm, unsigned long handle)
{
	unsigned long pfn = ULONG_MAX;
	int ret = 0;

	/* as hotmem_alloc_page_at(): a HugeTLB free may remap meanwhile */
	pthread_rwlock_rdlock(&hm->vmemmap_remap_lock);
	pthread_mutex_lock(&hm->workload_lock);
	if (handle < hm->workload_used)
		pfn = hm->workload[handle].pfn;
	if (pfn == ULONG_MAX)
		ret = -ENOENT;
	else	/* a memmap the host left unmapped: the handle stays, nothing is read */
		ret = memmap_check_mapped(hm, pfn, "hotmem_free_page");
	if (!ret) {
		hm->workload[handle].pfn = ULONG_MAX;
		if (handle < hm->workload_free_hint)
			hm->workload_free_hint = handle;
		workload_trim(hm);
	}
	pthread_mutex_unlock(&hm->workload_lock);
	if (!ret) {
		struct page *page = pfn_to_page(hm, pfn);

		workload_detach(hm, page);
		__free_pages(hm, page, 0);
	}
	pthread_rwlock_unlock(&hm->vmemmap_remap_lock);
	return ret;
}

unsigned long hotmem_free_all(struct hotmem *hm)
{
	unsigned long n = 0, used;

	pthread_mutex_lock(&hm->workload_lock);
	used = hm->workload_used;
	pthread_mutex_unlock(&hm->workload_lock);
	for (unsigned long h = 0; h < used; h++)
		if (!hotmem_free_page(hm, h))
			n++;
	return n;
}

int hotmem_handle_pfn(struct hotmem *hm, unsigned long handle, uint64_t *pfn)
{
	int ret = -ENOENT;

	pthread_mutex_lock(&hm->workload_lock);
	if (handle < hm->workload_used && hm->workload[handle].pfn != ULONG_MAX) {
		*pfn = hm->workload[handle].pfn;
		ret = 0;
	}
	pthread_mutex_unlock(&hm->workload_lock);
	return ret;
}

static int page_io(struct hotmem *hm, unsigned long handle, void *buf, size_t len,
		   bool write)
{
	uint64_t pfn;
	int ret;

	if (len > PAGE_SIZE)
		return -EINVAL;
	pthread_rwlock_rdlock(&hm->mem_hotplug_lock);
	ret = hotmem_handle_pfn(hm, handle, &pfn);
	if (!ret) {
		void *va = __va(hm, PFN_PHYS(pfn));

		if (write)
			memcpy(va, buf, len);
		else
			memcpy(buf, va, len);
	}
	pthread_rwlock_unlock(&hm->mem_hotplug_lock);
	return ret;
}

int hotmem_page_write(struct hotmem *hm, unsigned long handle, const void *buf, size_t len)
{
	return page_io(hm, handle, (void *)buf, len, true);
}

int hotmem_page_read(struct hotmem *hm, unsigned long handle, void *buf, size_t len)
{
	return page_io(hm, handle, buf, len, false);
}

/* a workload page held by get_user_pages(): migration fails on it */
bool workload_page_pinned(const struct page *page)
{
	return test_page_flag(page, PG_workload) && (int)READ_ONCE(page->mapping) - 1 == HM_ALLOC_PINNED;
}

/*
 * migrate_pages() for one movable page: a new page from
 * alloc_migration_target() as @mtc asks (the isolated range is not allocatable), the
 * content copied, the handle moved, the old page freed into its isolated
 * block.  A pinned page holds a reference migration cannot account for:
 * folio_migrate_mapping() finds the refcount unexpected, -EAGAIN.
 */
int workload_migrate_page(struct hotmem *hm, unsigned long pfn,
			  const struct migration_target_control *mtc)
{
	struct page *old = pfn_to_page(hm, pfn), *new;
	unsigned long handle = READ_ONCE(old->index);
	int type = (int)READ_ONCE(old->mapping) - 1;

	/*
	 * Read once: hotmem_free_page() may detach the page meanwhile (it
	 * takes no mem_hotplug_lock).  Detached already: freed from under
	 * us, nothing to move.
	 */
	if (type < 0)
		return 0;
	/* migrate_pages(): PGMIGRATE_FAIL for a page that stays, whatever stopped it */
	if (type == HM_ALLOC_PINNED) {
		count_vm_events(hm, HM_PGMIGRATE_FAIL, 1);
		return -EAGAIN;
	}
	new = alloc_migration_target(hm, old, mtc);
	if (!new) {
		count_vm_events(hm, HM_PGMIGRATE_FAIL, 1);
		return -ENOMEM;
	}
	memcpy(__va(hm, PFN_PHYS(page_to_pfn(hm, new))), __va(hm, PFN_PHYS(pfn)), PAGE_SIZE);
	WRITE_ONCE(new->index, handle);
	WRITE_ONCE(new->mapping, (unsigned long)type + 1);
	workload_set_refs(new, type);
	set_page_flag(new, PG_workload);
	set_page_flag(new, PG_movable);
	workload_account(hm, new, type, 1);
	pthread_mutex_lock(&hm->workload_lock);
	if (handle >= hm->workload_used || hm->workload[handle].pfn != pfn) {
		/*
		 * Freed meanwhile (hotmem_free_page() takes no
		 * mem_hotplug_lock): the free owns the old page; the new one
		 * goes back.  migrate_folio_unmap(): "Folio was freed from
		 * under us. So we are done."
		 */
		pthread_mutex_unlock(&hm->workload_lock);
		workload_detach(hm, new);
		__free_pages(hm, new, 0);
		return 0;
	}
	hm->workload[handle].pfn = page_to_pfn(hm, new);
	pthread_mutex_unlock(&hm->workload_lock);
	workload_detach(hm, old);
	__free_pages(hm, old, 0);
	count_vm_events(hm, HM_PGMIGRATE_SUCCESS, 1);
	return 0;
}

/* ------------------------------------------------------------------ */
/* HugeTLB pool                                                        */
/* ------------------------------------------------------------------ */

static int hugetlb_pool_add(struct hotmem *hm, unsigned long pfn, int nid)
{
	if (hm->hugetlb_nr == hm->hugetlb_cap &&
	    hm_array_resize(hm, (void **)&hm->hugetlb_pool, &hm->hugetlb_cap, hm->hugetlb_nr,
			    sizeof(*hm->hugetlb_pool), hm->hugetlb_cap ? hm->hugetlb_cap * 2 : 64))
		return -ENOMEM;
	hm->hugetlb_pool[hm->hugetlb_nr++] = (struct hugetlb_pool_page){ pfn, nid };
	return 0;
}

/*
 * Atomic (relaxed) though under the hotplug locks: explain reads
 * nr_hugepages without them (hugetlb_pool_pages(), a count for its text),
 * and a plain update beside that load is a data race (finalI F3).
 */
static void hugetlb_count(struct hotmem *hm, const struct page *page, long delta)
{
	struct pglist_data *pgdat = NODE_DATA(hm, page_to_nid(page));

	__atomic_fetch_add(&pgdat->nr_hugepages, (unsigned long)delta, __ATOMIC_RELAXED);
	__atomic_fetch_add(&pgdat->nr_hugepages_zone[page_zonenum(page)], (unsigned long)delta,
			   __ATOMIC_RELAXED);
	__atomic_fetch_add(&pgdat->free_hugepages, (unsigned long)delta, __ATOMIC_RELAXED);
}

/*
 * a 2 MiB block just allocated becomes a free huge page of the pool: 0,
 * or -ENOMEM (freed); @optimize: whether its vmemmap is optimised (6.12
 * reads vmemmap_optimize_enabled for each folio it prepares)
 */
static int hugetlb_pool_take(struct hotmem *hm, struct page *page, bool optimize)
{
	unsigned long pfn = page_to_pfn(hm, page);
	int nid = page_to_nid(page);

	if (hugetlb_pool_add(hm, pfn, nid)) {
		__free_pages(hm, page, pageblock_order);
		return -ENOMEM;
	}
	set_page_flag(page, PG_hugetlb);
	set_page_flag(page, PG_head);
	hugetlb_count(hm, page, 1);
	/* refused (self-hosted memmap, seed 003) or disabled: fine */
	hugetlb_vmemmap_optimize(hm, pfn, nid, optimize);
	return 0;
}

/*
 * Whose pool a request may change: NUMA_NO_NODE the global one, else a
 * node that has a nodeN/hugepages/ to write.  6.12's register_node()
 * calls hugetlb_register_node() for every node it registers, an online
 * node with memory or without, so: a node that is not possible has no
 * nodeN at all (-EINVAL, as a device's node= not possible), a possible
 * one not online has no nodeN/hugepages/hugepages-2048kB/nr_hugepages
 * to open (-ENOENT), an online one without free memory grows by nothing.
 * Under device_hotplug_lock: try_offline_node() runs under it.
 */
static int hugetlb_node_check(struct hotmem *hm, int nid)
{
	if (nid == NUMA_NO_NODE)
		return 0;
	if (nid < 0 || nid >= hm->nr_possible_nodes)
		return -EINVAL;
	return NODE_DATA(hm, nid)->online ? 0 : -ENOENT;
}

/*
 * The nodes a pool request may use (__nr_hugepages_store_common(), 6.12):
 * @nid's alone, or for the global pool (NUMA_NO_NODE, a task without a
 * mempolicy) node_states[N_MEMORY], the nodes with present memory.
 */
static uint64_t hugetlb_nodes_allowed(struct hotmem *hm, int nid)
{
	uint64_t mask = 0;

	if (nid != NUMA_NO_NODE)
		return 1ULL << nid;
	for (int n = 0; n < hm->nr_possible_nodes; n++)
		if (NODE_DATA(hm, n)->node_present_pages)
			mask |= 1ULL << n;
	return mask;
}

/* next_node_in(): the first node of @mask (not empty) after @nid, wrapping */
static int next_node_in(int nid, uint64_t mask)
{
	uint64_t after = nid < 63 ? mask & (~0ULL << (nid + 1)) : 0;

	return __builtin_ctzll(after ? after : mask);
}

/*
 * hstate_next_node_to_alloc() / hstate_next_node_to_free() (6.12
 * mm/hugetlb.c; get_valid_node_allowed()): the saved node, or the next
 * allowed one if it is not allowed; the saved one moves past it either
 * way, so the next page comes from the next node -- the pool interleaves.
 * A request for one node leaves @next at that node, as the kernel's does.
 */
static int hstate_next_node(int *next, uint64_t nodes_allowed)
{
	int nid = *next;

	if (nid < 0 || nid > 63 || !(nodes_allowed >> nid & 1))
		nid = next_node_in(nid < 0 || nid > 63 ? 63 : nid, nodes_allowed);
	*next = next_node_in(nid, nodes_allowed);
	return nid;
}

/* one fresh huge page of @nid alone (__GFP_THISNODE) */
/*
 * @ignore_wmark: a restart's or an undo's regrowth of an acknowledged
 * pool that the watermarks of now refuse: the pool was taken under the
 * marks of its time, which the vm sysctls since may have raised or
 * lowered (reread31 R7, R13)
 */
static struct page *hugetlb_alloc_fresh_zone(struct hotmem *hm, int nid, int highest_zoneidx,
					     bool ignore_wmark)
{
	const struct alloc_context ac = {
		.nid = nid,
		.nodemask = 1ULL << nid,
		.highest_zoneidx = highest_zoneidx,
		.migratetype = MIGRATE_MOVABLE,
		.ignore_wmark = ignore_wmark,
	};
	struct page *page = __alloc_pages(hm, pageblock_order, &ac);

	/* alloc_buddy_hugetlb_folio() (6.12-6.18): each node tried counts */
	count_vm_events(hm, page ? HM_HTLB_BUDDY_PGALLOC : HM_HTLB_BUDDY_PGALLOC_FAIL, 1);
	return page;
}

/* htlb_alloc_mask()'s: any zone up to ZONE_MOVABLE */
static struct page *hugetlb_alloc_fresh(struct hotmem *hm, int nid, bool ignore_wmark)
{
	return hugetlb_alloc_fresh_zone(hm, nid, ZONE_MOVABLE, ignore_wmark);
}

/*
 * alloc_pool_huge_folio() (6.12: set_max_huge_pages()'s growth with
 * &h->next_nid_to_alloc, the boot's with its own @next_node):
 * for_each_node_mask_to_alloc() tries each
 * allowed node once, from the saved one on; the first that has a free
 * 2 MiB block gives it.  The global pool so takes node 0, 1, 0, 1 ...
 * (it filled node 0 first), a full node skipped.
 */
static struct page *__alloc_pool_huge_folio(struct hotmem *hm, uint64_t nodes_allowed,
					    int *next_node, bool ignore_wmark)
{
	for (int nr_nodes = __builtin_popcountll(nodes_allowed); nr_nodes > 0; nr_nodes--) {
		int nid = hstate_next_node(next_node, nodes_allowed);
		struct page *page = hugetlb_alloc_fresh(hm, nid, ignore_wmark);

		if (page)
			return page;
	}
	return NULL;
}

/*
 * @restore: a restore's page is taken as the growth's would be, and only
 * where the watermarks of now refuse every node, past them (R13): the
 * pages the pool had are the ones it gets back wherever the marks allow
 */
static struct page *alloc_pool_huge_folio(struct hotmem *hm, uint64_t nodes_allowed,
					  int *next_node, bool restore)
{
	int next = *next_node;
	struct page *page = __alloc_pool_huge_folio(hm, nodes_allowed, next_node, false);

	if (page || !restore)
		return page;
	*next_node = next;
	return __alloc_pool_huge_folio(hm, nodes_allowed, next_node, true);
}

/*
 * Whether the next page a growth takes is to be optimised: the switch as
 * it reads now (@hvo_left NULL), or, for a restore, while it still has
 * optimised pages to put back (the first ones it takes).  hugetlb_grow()
 * counts down only those that were: a page whose memmap is self-hosted
 * (a memmap_on_memory block's, Movable, the 2 MiB pool's first pick) is
 * taken but stays as it is (reread31 R11).
 */
static bool hugetlb_grow_optimizes(struct hotmem *hm, const unsigned long *hvo_left)
{
	if (!hvo_left)
		return hotmem_hugetlb_optimize_vmemmap(hm);
	return *hvo_left != 0;
}

/*
 * @nr more huge pages from @nodes_allowed: how many were taken.  6.12's
 * set_max_huge_pages() bails for a signal after each page it allocated
 * ("Probably ctrl-c from user"), the pages so far kept in the pool: so
 * does a grow for a task (hm->current_task, hotmem_hugetlb_set_node_task()).
 */
static unsigned long hugetlb_grow(struct hotmem *hm, uint64_t nodes_allowed, unsigned long nr,
				  unsigned long *hvo_left)
{
	unsigned long i;

	for (i = 0; i < nr; i++) {
		/* @hvo_left: a restore's (hotmem_hugetlb_restore_node()) */
		struct page *page = alloc_pool_huge_folio(hm, nodes_allowed,
							  &hm->hugetlb_next_nid_to_alloc, hvo_left != NULL);
		bool optimize = hugetlb_grow_optimizes(hm, hvo_left);

		if (!page || hugetlb_pool_take(hm, page, optimize))
			break;
		if (optimize && hvo_left && hugetlb_vmemmap_optimized(hm, page_to_pfn(hm, page)))
			--*hvo_left;
		if (signal_pending(hm))
			return i + 1;
	}
	return i;
}

/*
 * A restore's page of @nid's zone @zid alone (a file with "zones" and no
 * "pfns"): that zone's free lists only, with its marks of now, then past
 * them where they refuse (as alloc_pool_huge_folio()'s restore).  Not
 * the zonelist capped at @zid: its fallback to the zones below gave a
 * page this zone's count does not want, freed again after it counted
 * htlb_buddy_alloc_success (and maybe stole or woke kswapd there), and
 * the retry past @zid's marks never ran (review43 F12).  One
 * alloc_buddy_hugetlb_folio() event each call, as for one node tried;
 * no numa_hit, as hugetlb_take_at()'s pages: no kernel path takes a
 * page of one zone alone, a model choice.
 */
static struct page *hugetlb_alloc_restore_zone(struct hotmem *hm, int nid, int zid)
{
	struct zone *z = &NODE_DATA(hm, nid)->node_zones[zid];
	struct page *page = NULL;

	if (zone_managed_pages(z)) {
		page = alloc_pages_zone(hm, z, pageblock_order, MIGRATE_MOVABLE, false, zid);
		if (!page)
			page = alloc_pages_zone(hm, z, pageblock_order, MIGRATE_MOVABLE, true, zid);
	}
	count_vm_events(hm, page ? HM_HTLB_BUDDY_PGALLOC : HM_HTLB_BUDDY_PGALLOC_FAIL, 1);
	return page;
}

/*
 * how many kernel zones (below ZONE_MOVABLE) @zones has pages in: those
 * whose huge pages an optimisation's new head page (GFP_KERNEL) competes
 * with for room; a Movable page's head is never there
 */
static int hugetlb_kernel_zones_used(const unsigned long *zones)
{
	int used = 0;

	for (int zid = 0; zid < ZONE_MOVABLE; zid++)
		used += zones[zid] != 0;
	return used;
}

/*
 * The free 2 MiB block at @pfn carved out of the buddy, whatever its
 * zone: kmem.c's take_mapped_block_off_buddy() without the kernel zones'
 * test kmem_take_block() makes.  NULL when it is not online and free
 * whole, or its memmap is one the host left unmapped (vmemmap_remap_lost(),
 * as kmem_take_block()).
 */
static struct page *hugetlb_take_block_at(struct hotmem *hm, unsigned long pfn)
{
	if (!IS_ALIGNED(pfn, pageblock_nr_pages) || !pfn_to_online_page(hm, pfn) ||
	    !pfn_to_online_page(hm, pfn + pageblock_nr_pages - 1) ||
	    vmemmap_remap_lost(hm, ALIGN_DOWN(pfn, MAX_ORDER_NR_PAGES), MAX_ORDER_NR_PAGES))
		return NULL;
	if (take_mapped_block_off_buddy(hm, pfn, pageblock_order, false))
		return NULL;
	return pfn_to_page(hm, pfn);
}

/*
 * A restore's pool pages at the pfns the running pool had (@pfns, @n
 * heads, in its order), those of @nid that are free now, every zone's:
 * taken unoptimised, hugetlb_vmemmap_mix() optimises them after all are
 * taken, so that no new head vmemmap page (GFP_KERNEL, hvo_new_head())
 * splits a block a later one needs.  Where a growth of now would put
 * them is not where they were: the running pool grew before a DIMM's
 * memmap took its block (restore42b: tests/fusefs/409, DMA32's 28th
 * page at 26112 for 25088), or around the workload's movable pages,
 * which a restart does not bring back (vmremap43: tests/fusefs/448,
 * Movable's free order-9 blocks 0 for 4).  A pfn not free now (the
 * restore's own kernel allocations took it, or no block holds it any
 * more) is left to the growth after: a running kernel never moves a
 * pool page, and its next nr_hugepages write grows where the zonelist
 * has a free 2 MiB block (alloc_pool_huge_folio()), as that does.  How
 * many were taken, at most @nr.
 */
static unsigned long hugetlb_take_at(struct hotmem *hm, int nid, unsigned long nr,
				     const uint64_t *pfns, size_t n)
{
	unsigned long taken = 0;

	for (size_t i = 0; i < n && taken < nr; i++) {
		struct page *page;

		if (!pfn_valid(hm, pfns[i]) || !pfn_to_online_page(hm, pfns[i]) ||
		    page_to_nid(pfn_to_page(hm, pfns[i])) != nid)
			continue;
		page = hugetlb_take_block_at(hm, pfns[i]);
		if (!page)
			continue;
		/*
		 * 6.12's alloc_buddy_hugetlb_folio() counts a folio the buddy
		 * gave, and nothing after it fails; here the pool's record can
		 * (hugetlb_pool_take() frees the page): counted once in the pool
		 */
		if (hugetlb_pool_take(hm, page, false))
			break;
		count_vm_events(hm, HM_HTLB_BUDDY_PGALLOC, 1);
		taken++;
	}
	return taken;
}

/*
 * A restore's growth of @nid's zone @zid up to @want pages: how many
 * were taken, at most @nr, each optimised as @defer and @hvo_left say
 */
static unsigned long hugetlb_grow_zone(struct hotmem *hm, int nid, int zid, unsigned long want,
				       unsigned long nr, bool defer, unsigned long *hvo_left)
{
	unsigned long now = NODE_DATA(hm, nid)->nr_hugepages_zone[zid];
	unsigned long taken = 0;

	while (now < want && taken < nr) {
		struct page *page = hugetlb_alloc_restore_zone(hm, nid, zid);
		bool optimize = !defer && hugetlb_grow_optimizes(hm, hvo_left);

		if (!page || hugetlb_pool_take(hm, page, optimize))
			break;
		if (optimize && hugetlb_vmemmap_optimized(hm, page_to_pfn(hm, page)))
			--*hvo_left;
		now++;
		taken++;
	}
	return taken;
}

/*
 * A restore of a file without "pfns" (before 2026-12-04): the growth of
 * @nid into the zones @zones names, the highest zone first (the
 * zonelist's order, as the running pool filled them): how many were
 * taken, at most @nr.  A pool in one kernel zone is taken as one
 * growth's (hugetlb_grow()): each page optimised as taken (@hvo_left).
 * One over two kernel zones had pages replaced by an offline from the
 * zone with room then: none optimised here, as an optimisation's new
 * head vmemmap page (hvo_new_head()) taken between two huge pages took
 * room in the higher zone that the running pool had (restore42: Normal
 * held 47 of its 48, DMA32 3 for 2); hugetlb_vmemmap_mix() optimises
 * them after.  A heuristic the pfns replace (hugetlb_take_at()).
 */
static unsigned long hugetlb_grow_zones(struct hotmem *hm, int nid, unsigned long nr,
					const unsigned long *zones, unsigned long *hvo_left)
{
	bool defer = hugetlb_kernel_zones_used(zones) > 1;
	unsigned long taken = 0;

	for (int zid = MAX_NR_ZONES - 1; zid >= 0 && taken < nr; zid--)
		taken += hugetlb_grow_zone(hm, nid, zid, zones[zid], nr - taken, defer, hvo_left);
	return taken;
}

long hotmem_hugetlb_alloc(struct hotmem *hm, int nid, unsigned long nr)
{
	unsigned long i = 0;
	int ret;

	/*
	 * For writing, not get_online_mems(): the vmemmap optimisation may
	 * unshare a section's memmap (vmemmap_unshare(): copied to the memfd,
	 * then mapped from there), and a struct page the workload wrote on
	 * another thread between the copy and the remap would be lost -- a
	 * free list's link among them.  The kernel's HVO copies no memmap.
	 */
	lock_device_hotplug(hm);
	pthread_rwlock_wrlock(&hm->mem_hotplug_lock);
	ret = hugetlb_node_check(hm, nid);
	if (!ret)
		i = hugetlb_grow(hm, hugetlb_nodes_allowed(hm, nid), nr, NULL);
	pthread_rwlock_unlock(&hm->mem_hotplug_lock);
	unlock_device_hotplug(hm);
	if (ret)
		return ret;
	return i || !nr ? (long)i : -ENOMEM;
}

/* ------------------------------------------------------------------ */
/* the pool at boot: hugepages= (hugetlb_init(), 6.12)                  */
/* ------------------------------------------------------------------ */

/* the lowest online node: first_online_node, where each boot chunk's round robin starts */
static int first_online_node(struct hotmem *hm)
{
	for (int nid = 0; nid < hm->nr_possible_nodes; nid++)
		if (NODE_DATA(hm, nid)->online)
			return nid;
	return 0;
}

/*
 * The chunk padata_do_multithreaded() (6.12 kernel/padata.c) gives each
 * of hugetlb_pages_alloc_boot()'s jobs: max_threads twice the nodes with
 * memory, min_chunk the pages over them, halved, load_balance_factor 4,
 * at least 1.  Each chunk starts its own round robin at
 * first_online_node, so a node's share depends on it (2 nodes,
 * hugepages=8: four chunks of 2, 4 pages each; hugepages=6: six chunks
 * of 1, all on the first node).
 */
static unsigned long hugetlb_boot_chunk(unsigned long size, int nr_nodes)
{
	unsigned long min_chunk = size / (unsigned long)nr_nodes / 2;
	unsigned long nworks = size / (min_chunk ? min_chunk : 1);
	unsigned long chunk;

	nworks = nworks ? nworks : 1;
	if (nworks > (unsigned long)nr_nodes * 2)
		nworks = (unsigned long)nr_nodes * 2;
	chunk = size / (nworks * 4);
	if (chunk < min_chunk)
		chunk = min_chunk;
	return chunk ? chunk : 1;
}

/*
 * hugetlb_pages_alloc_boot() (6.12): hugepages= pages over
 * node_states[N_MEMORY], chunk by chunk (hugetlb_pages_alloc_boot_node():
 * its own next_node, so the hstate's round robin, h->next_nid_to_alloc,
 * is not moved); how many it got.
 */
static unsigned long hugetlb_pages_alloc_boot(struct hotmem *hm, unsigned long nr)
{
	uint64_t nodes = hugetlb_nodes_allowed(hm, NUMA_NO_NODE);
	unsigned long chunk, done = 0;

	if (!nodes || !nr)
		return 0;
	chunk = hugetlb_boot_chunk(nr, __builtin_popcountll(nodes));
	while (done < nr) {
		unsigned long n = nr - done < chunk ? nr - done : chunk, i;
		int next = first_online_node(hm);

		for (i = 0; i < n; i++) {
			struct page *page = alloc_pool_huge_folio(hm, nodes, &next, false);

			if (!page || hugetlb_pool_take(hm, page, hotmem_hugetlb_optimize_vmemmap(hm)))
				return done + i;
		}
		done += n;
	}
	return done;
}

/*
 * hugetlb_hstate_alloc_pages_onenode() (6.12): hugepages=NODE:N's pages
 * on that node alone; fewer is warned, as the kernel does.  A node not
 * online at boot is refused before (hugepages_check_online(): 6.12's
 * hugepages_setup() drops the whole word for it).
 */
static unsigned long hugetlb_hstate_alloc_pages_onenode(struct hotmem *hm, int nid,
							unsigned long nr)
{
	unsigned long i;

	for (i = 0; i < nr; i++) {
		struct page *page = hugetlb_alloc_fresh(hm, nid, false);

		if (!page || hugetlb_pool_take(hm, page, hotmem_hugetlb_optimize_vmemmap(hm)))
			break;
	}
	if (i < nr)
		pr_warn(hm, "HugeTLB: allocating %lu of page size 2.00 MiB failed node%d.  Only allocated %lu hugepages.",
			nr, nid, i);
	return i;
}

/*
 * hugetlb_hstate_alloc_pages() (6.12): node by node if any node was named,
 * else balanced.  -ENOMEM: the balanced form came up short -- it took
 * every 2 MiB block of boot memory there was, and 6.12's boot goes on to
 * its next GFP_KERNEL allocations with none left: out_of_memory() finds
 * no task to kill and panics ("System is deadlocked on memory"; a
 * qemu-512m guest with hugepages=300 does, abuse30c K2).  The node form
 * takes a node's blocks alone (__GFP_THISNODE): the others feed the boot.
 */
static int hugetlb_hstate_alloc_pages(struct hotmem *hm)
{
	const struct hotmem_config *cfg = &hm->cfg;
	unsigned long got = 0;
	bool specific = false;

	for (int nid = 0; nid < hm->nr_possible_nodes; nid++)
		if (cfg->hugepages_node[nid]) {
			hugetlb_hstate_alloc_pages_onenode(hm, nid, cfg->hugepages_node[nid]);
			specific = true;
		}
	if (specific)
		return 0;
	got = hugetlb_pages_alloc_boot(hm, cfg->hugepages);
	/* hugetlb_hstate_alloc_pages_errcheck() */
	if (got < cfg->hugepages) {
		pr_warn(hm, "HugeTLB: allocating %lu of page size 2.00 MiB failed.  Only allocated %lu hugepages.",
			cfg->hugepages, got);
		return -ENOMEM;
	}
	return 0;
}

/*
 * hugetlb_init() (6.12 mm/hugetlb.c, a subsys_initcall): the boot pool
 * from the buddy, then report_hugepages() for the one hstate modelled --
 * its vmemmap line whether HVO is on or not (the size that could be
 * freed: a 2 MiB page's struct pages but the head's vmemmap page,
 * HUGETLB_VMEMMAP_RESERVE_SIZE).  Locked as hotmem_hugetlb_alloc(): the
 * vmemmap optimisation may remap.
 */
int hugetlb_init(struct hotmem *hm)
{
	int ret;

	lock_device_hotplug(hm);
	pthread_rwlock_wrlock(&hm->mem_hotplug_lock);
	ret = hugetlb_hstate_alloc_pages(hm);
	pr_info(hm, "HugeTLB: registered 2.00 MiB page size, pre-allocated %lu pages",
		hm->hugetlb_nr);
	pr_info(hm, "HugeTLB: %lu KiB vmemmap can be freed for a 2.00 MiB page",
		(pageblock_nr_pages * HM_STRUCT_PAGE_SIZE - PAGE_SIZE) / 1024);
	pthread_rwlock_unlock(&hm->mem_hotplug_lock);
	unlock_device_hotplug(hm);
	return ret;
}

/* update_and_free_hugetlb_folio(): restore the vmemmap, back to the buddy */
static int free_huge_page(struct hotmem *hm, unsigned long idx)
{
	const struct hugetlb_pool_page hp = hm->hugetlb_pool[idx];
	unsigned long pfn = hp.pfn;
	struct page *page = pfn_to_page(hm, pfn);
	int ret;

	/* the tails initialised there too, no explain in (sparse_vmemmap.c) */
	ret = hugetlb_vmemmap_restore(hm, pfn, hp.nid);
	if (ret)
		return ret;
	/* closed up, not the last moved in: each node's pages stay oldest first */
	hm->hugetlb_nr--;
	memmove(&hm->hugetlb_pool[idx], &hm->hugetlb_pool[idx + 1],
		(hm->hugetlb_nr - idx) * sizeof(*hm->hugetlb_pool));
	hugetlb_count(hm, page, -1);
	clear_page_flag(page, PG_hugetlb);
	__free_pages(hm, page, pageblock_order);
	return 0;
}

/*
 * remove_pool_hugetlb_folio() (6.12, &h->next_nid_to_free): the free huge
 * page to give back, from the saved node on (for_each_node_mask_to_free(),
 * a node without one skipped), so shrinking interleaves as growing does;
 * of a node's, the newest (the head of its hugepage_freelists[]; the
 * kernel enqueues one write's pages in reverse, not modelled).  Its index
 * in the pool, or -1: no allowed node has one.
 */
static long remove_pool_hugetlb_folio(struct hotmem *hm, uint64_t nodes_allowed)
{
	for (int nr_nodes = __builtin_popcountll(nodes_allowed); nr_nodes > 0; nr_nodes--) {
		int nid = hstate_next_node(&hm->hugetlb_next_nid_to_free, nodes_allowed);

		for (unsigned long i = hm->hugetlb_nr; i-- > 0;)
			if (hm->hugetlb_pool[i].nid == nid)
				return (long)i;
	}
	return -1;
}

/* @nr huge pages of @nodes_allowed back to the buddy: how many, or why none */
static long hugetlb_shrink(struct hotmem *hm, uint64_t nodes_allowed, unsigned long nr)
{
	unsigned long i;
	int ret = 0;

	for (i = 0; i < nr; i++) {
		long idx = remove_pool_hugetlb_folio(hm, nodes_allowed);

		if (idx < 0)
			break;
		ret = free_huge_page(hm, (unsigned long)idx);
		if (ret)
			break;
	}
	/* as hotmem_hugetlb_alloc(): how many, or why none */
	return ret && !i ? ret : (long)i;
}

/*
 * @nr huge pages fewer: NUMA_NO_NODE the global pool (nr_hugepages, the
 * round robin over the nodes with memory), else @nid's alone, as a
 * smaller write of its nodeN nr_hugepages (6.12
 * __nr_hugepages_store_common() with the node's mask), refused for a
 * node that has no such file as the growth is (hugetlb_node_check()).
 */
long hotmem_hugetlb_free_node(struct hotmem *hm, int nid, unsigned long nr)
{
	long ret;

	lock_device_hotplug(hm);
	pthread_rwlock_rdlock(&hm->mem_hotplug_lock);
	ret = hugetlb_node_check(hm, nid);
	if (!ret)
		ret = hugetlb_shrink(hm, hugetlb_nodes_allowed(hm, nid), nr);
	pthread_rwlock_unlock(&hm->mem_hotplug_lock);
	unlock_device_hotplug(hm);
	return ret;
}

long hotmem_hugetlb_free(struct hotmem *hm, unsigned long nr)
{
	return hotmem_hugetlb_free_node(hm, NUMA_NO_NODE, nr);
}

/* @nid's optimised huge pages (hvo_count() moves it under vmemmap_remap_lock) */
static unsigned long hugetlb_node_optimized(struct hotmem *hm, int nid)
{
	return __atomic_load_n(&NODE_DATA(hm, nid)->nr_hugepages_optimized, __ATOMIC_RELAXED);
}

/*
 * A restore's mix put right in place: @nid's huge pages (all free) have
 * their vmemmap restored, the newest optimised first, or optimised, the
 * oldest not optimised first (the order a restore's growth takes them),
 * one at a time until @optimized are, a poisoned one left as it is
 * (hugetlb_mix_may_remap()).  The growth alone only adds
 * optimised pages: a pool the boot optimised (hugepages= with
 * hugetlb_free_vmemmap=on), or one whose count already matched, kept
 * more than the file saved (reread31 R12).  6.12 has no such step; it
 * is its hugetlb_vmemmap_restore_folio() and
 * hugetlb_vmemmap_optimize_folio() on a free folio.  A page that cannot
 * be optimised (a self-hosted memmap) is passed over; a restore that
 * finds no memory for a vmemmap, or a remap the host refuses, stops it
 * there: the node's count is then short, and the caller says so.
 */
/*
 * A page of @nid's the mix may remap: not a folio a failed dissolve left
 * poisoned in the pool (memory_failure.c try_memory_failure_hugetlb(),
 * its head PG_hwpoison): 6.12 remaps a pool folio's vmemmap only when it
 * is allocated (hugetlb_vmemmap_optimize_folio() from the allocation
 * paths) and freed or dissolved (hugetlb_vmemmap_restore_folio()), and
 * such a folio is only ever given back; it stays as the failure left it
 * (rerfix31f).
 */
static bool hugetlb_mix_may_remap(struct hotmem *hm, const struct hugetlb_pool_page *hp, int nid)
{
	return hp->nid == nid && !test_page_flag(pfn_to_page(hm, hp->pfn), PG_hwpoison);
}

static void hugetlb_vmemmap_mix(struct hotmem *hm, int nid, unsigned long optimized)
{
	int ret = 0;

	for (unsigned long i = hm->hugetlb_nr; !ret && i-- > 0;) {
		const struct hugetlb_pool_page hp = hm->hugetlb_pool[i];

		if (hugetlb_node_optimized(hm, nid) <= optimized)
			break;
		if (hugetlb_mix_may_remap(hm, &hp, nid) && hugetlb_vmemmap_optimized(hm, hp.pfn))
			ret = hugetlb_vmemmap_restore(hm, hp.pfn, nid);
	}
	for (unsigned long i = 0; !ret && i < hm->hugetlb_nr; i++) {
		const struct hugetlb_pool_page hp = hm->hugetlb_pool[i];

		if (hugetlb_node_optimized(hm, nid) >= optimized)
			break;
		if (hugetlb_mix_may_remap(hm, &hp, nid) && !hugetlb_vmemmap_optimized(hm, hp.pfn))
			ret = hugetlb_vmemmap_optimize(hm, hp.pfn, nid, true);
	}
}

/*
 * set_max_huge_pages() (6.18 mm/hugetlb.c, __nr_hugepages_store_common()):
 * of one node, with the node's mask, the pool grows on @nid alone
 * (__GFP_THISNODE) as far as its memory lets it -- fewer is no error --
 * or gives back @nid's free huge pages, the newest first; of the global
 * pool (NUMA_NO_NODE: nr_hugepages, vm.nr_hugepages), over
 * node_states[N_MEMORY], the round robin taking and giving back in turn.
 * Every pool page is free here (nothing maps one: no reservation, no
 * surplus), so the kernel's min_count floor is the count itself.  Locked
 * as hotmem_hugetlb_alloc(): the vmemmap optimisation may remap.
 */
static long hugetlb_set_node(struct hotmem *hm, int nid, unsigned long count,
			     const struct hotmem_task *task, long optimized,
			     const unsigned long *zones, const uint64_t *pfns, size_t npfns)
{
	unsigned long *nr, hvo_left = 0, now;
	long ret;

	lock_device_hotplug(hm);
	hm->current_task = task;
	pthread_rwlock_wrlock(&hm->mem_hotplug_lock);
	ret = hugetlb_node_check(hm, nid);
	if (ret)
		goto out;
	nr = nid == NUMA_NO_NODE ? &hm->hugetlb_nr : &NODE_DATA(hm, nid)->nr_hugepages;
	/* a restore's: those already optimised count (one node's, hotmem_hugetlb_restore_node()) */
	if (optimized >= 0) {
		now = hugetlb_node_optimized(hm, nid);
		hvo_left = (unsigned long)optimized > now ? (unsigned long)optimized - now : 0;
	}
	/* a restore's pfns, else its @zones: a node's own (hotmem_hugetlb_restore_node_at()) */
	if (npfns && *nr < count)
		hugetlb_take_at(hm, nid, count - *nr, pfns, npfns);
	else if (zones && *nr < count)
		hugetlb_grow_zones(hm, nid, count - *nr, zones, &hvo_left);
	if (*nr < count)
		hugetlb_grow(hm, hugetlb_nodes_allowed(hm, nid), count - *nr,
			     optimized < 0 ? NULL : &hvo_left);
	else
		hugetlb_shrink(hm, hugetlb_nodes_allowed(hm, nid), *nr - count);
	if (optimized >= 0)
		hugetlb_vmemmap_mix(hm, nid, (unsigned long)optimized);
	ret = (long)*nr;
out:
	pthread_rwlock_unlock(&hm->mem_hotplug_lock);
	hm->current_task = NULL;
	unlock_device_hotplug(hm);
	return ret;
}

long hotmem_hugetlb_set_node_task(struct hotmem *hm, int nid, unsigned long count,
				  const struct hotmem_task *task)
{
	return hugetlb_set_node(hm, nid, count, task, -1, NULL, NULL, 0);
}

long hotmem_hugetlb_set_node(struct hotmem *hm, int nid, unsigned long count)
{
	return hotmem_hugetlb_set_node_task(hm, nid, count, NULL);
}

long hotmem_hugetlb_restore_node(struct hotmem *hm, int nid, unsigned long count,
				 unsigned long optimized)
{
	if (nid < 0 || nid >= hm->nr_possible_nodes || optimized > count)
		return -EINVAL;
	return hugetlb_set_node(hm, nid, count, NULL, (long)optimized, NULL, NULL, 0);
}

long hotmem_hugetlb_restore_node_at(struct hotmem *hm, int nid, unsigned long count,
				    unsigned long optimized,
				    const unsigned long zones[HM_MAX_NR_ZONES],
				    const uint64_t *pfns, size_t npfns)
{
	if (nid < 0 || nid >= hm->nr_possible_nodes || optimized > count || (npfns && !pfns))
		return -EINVAL;
	return hugetlb_set_node(hm, nid, count, NULL, (long)optimized, zones, pfns, npfns);
}

int hotmem_hugetlb_walk(struct hotmem *hm, int nid, int (*cb)(void *arg, uint64_t pfn),
			void *arg)
{
	int ret = 0;

	lock_device_hotplug(hm);
	for (unsigned long i = 0; !ret && i < hm->hugetlb_nr; i++)
		if (hm->hugetlb_pool[i].nid == nid)
			ret = cb(arg, hm->hugetlb_pool[i].pfn);
	unlock_device_hotplug(hm);
	return ret;
}

/*
 * The hstate's round robin (h->next_nid_to_alloc, h->next_nid_to_free,
 * 6.12 mm/hugetlb.c): where the global pool's next page comes from and
 * goes back from.  The kernel keeps it until a reboot; hotmemfs's state
 * file saves it, so that a restart, whose restore grows each node's pool
 * on its own (moving it), puts the next page where an uninterrupted run
 * would.  Under device_hotplug_lock, as every pool change that moves it.
 */
void hotmem_hugetlb_next_nid(struct hotmem *hm, int *to_alloc, int *to_free)
{
	lock_device_hotplug(hm);
	*to_alloc = hm->hugetlb_next_nid_to_alloc;
	*to_free = hm->hugetlb_next_nid_to_free;
	unlock_device_hotplug(hm);
}

int hotmem_hugetlb_set_next_nid(struct hotmem *hm, int to_alloc, int to_free)
{
	/* a node not possible has no nodeN (hugetlb_node_check()) */
	if (to_alloc < 0 || to_alloc >= hm->nr_possible_nodes || to_free < 0 ||
	    to_free >= hm->nr_possible_nodes)
		return -EINVAL;
	lock_device_hotplug(hm);
	hm->hugetlb_next_nid_to_alloc = to_alloc;
	hm->hugetlb_next_nid_to_free = to_free;
	unlock_device_hotplug(hm);
	return 0;
}

/*
 * hugetlb_overcommit_handler() and nr_overcommit_hugepages_store() (6.12
 * mm/hugetlb.c) store any count for an hstate that is not gigantic, as
 * the 2 MiB one is not: it bounds the surplus pages
 * alloc_surplus_hugetlb_folio() may add at a fault past the pool, and no
 * huge page is faulted in here.  hugetlb_lock's job: atomic here, so that
 * a read never waits behind an operation holding device_hotplug_lock.
 */
unsigned long hotmem_hugetlb_overcommit(struct hotmem *hm)
{
	return atomic_load_explicit(&hm->hugetlb_nr_overcommit, memory_order_relaxed);
}

void hotmem_hugetlb_set_overcommit(struct hotmem *hm, unsigned long nr)
{
	atomic_store_explicit(&hm->hugetlb_nr_overcommit, nr, memory_order_relaxed);
}

/*
 * dissolve_free_hugetlb_folio() (6.12): the free huge page at @pfn back to
 * the buddy, 0 (none there: 0 too), or why not.  When its vmemmap cannot
 * be restored the kernel puts it back in the pool with add_hugetlb_folio(),
 * at the head of its node's hugepage_freelists[]: its node's newest, the
 * next a shrink gives back (remove_pool_hugetlb_folio()).
 */
int dissolve_free_hugetlb_folio(struct hotmem *hm, unsigned long pfn)
{
	for (unsigned long i = 0; i < hm->hugetlb_nr; i++) {
		const struct hugetlb_pool_page hp = hm->hugetlb_pool[i];
		int ret;

		if (hp.pfn != pfn)
			continue;
		ret = free_huge_page(hm, i);
		if (ret) {
			memmove(&hm->hugetlb_pool[i], &hm->hugetlb_pool[i + 1],
				(hm->hugetlb_nr - i - 1) * sizeof(*hm->hugetlb_pool));
			hm->hugetlb_pool[hm->hugetlb_nr - 1] = hp;
		}
		return ret;
	}
	return 0;
}

/*
 * alloc_and_dissolve_hugetlb_folio() (6.12 mm/hugetlb.c), as
 * alloc_contig_range()'s isolate_migratepages_block() ->
 * isolate_or_dissolve_huge_folio() calls it for a free huge page of the
 * pool at @pfn: a new huge page of the same node (htlb_alloc_mask() |
 * __GFP_THISNODE; the range's pageblocks are isolated, so it comes from
 * outside), then the old one dissolved: the pool keeps its size, the new
 * page its node's newest (enqueue_hugetlb_folio()).  0 (none there: 0
 * too, as a page dissolved under the kernel's feet), -ENOMEM when the
 * node has no free 2 MiB block (the kernel's bails out of the range at
 * once), -EBUSY when the old one's vmemmap cannot be restored: the new
 * one goes back and the old stays, the pool as it was (6.12 keeps both,
 * the old as a surplus page, and the range is busy all the same).
 * Under device_hotplug_lock and mem_hotplug_lock for writing, as every
 * pool change.
 */
int isolate_or_dissolve_huge_folio(struct hotmem *hm, unsigned long pfn)
{
	struct page *new = NULL;

	for (unsigned long i = 0; i < hm->hugetlb_nr && !new; i++) {
		if (hm->hugetlb_pool[i].pfn != pfn)
			continue;
		new = hugetlb_alloc_fresh(hm, hm->hugetlb_pool[i].nid, false);
		if (!new)
			return -ENOMEM;
	}
	if (!new)
		return 0;
	if (dissolve_free_hugetlb_folio(hm, pfn)) {
		__free_pages(hm, new, pageblock_order);
		return -EBUSY;
	}
	/* the old one's slot is free: the pool's array has room */
	return hugetlb_pool_take(hm, new, hotmem_hugetlb_optimize_vmemmap(hm));
}

void workload_destroy(struct hotmem *hm)
{
	hm_free(hm, hm->workload, hm->workload_cap * sizeof(*hm->workload));
	hm_free(hm, hm->hugetlb_pool, hm->hugetlb_cap * sizeof(*hm->hugetlb_pool));
}
