// SPDX-License-Identifier: GPL-2.0
/*
 * mm/memory-failure.c, the part memory hotplug meets: pages retired by
 * soft_offline_page() or memory_failure() leave the allocator for good;
 * offlining steps over them, and a block holding them cannot be onlined
 * again until it is removed (memblk_nr_poison()).
 *
 * A kernel page that stays in use is poisoned all the same and its user
 * goes on (memory_failure()'s MF_IGNORED); soft_offline_page() leaves it
 * (-EIO).  Both dissolve a free huge page first, and memory_failure()
 * calls it recovered (MF_MSG_FREE_HUGE), or failed when the dissolve
 * fails: the huge page stays in the pool, poisoned.
 */
#include "internal.h"

int hotmem_phys_to_nid(struct hotmem *hm, uint64_t phys)
{
	int nid = memblock_pfn_nid(hm, PHYS_PFN(phys));

	return nid < 0 ? 0 : nid;
}

unsigned long hotmem_nr_poisoned_pages(struct hotmem *hm)
{
	return (unsigned long)atomic_load(&hm->num_poisoned_pages);
}

/*
 * num_poisoned_pages_inc()/_sub() (6.12): the machine's count and the
 * page's block's (memblk_nr_poison_inc()/_sub()), up after the flag is
 * set, down after it is cleared (released): range_may_hold_hwpoison()
 * never finds a block without count that holds a flag
 */
static void num_poisoned_pages_add(struct hotmem *hm, unsigned long pfn, long nr)
{
	struct memory_block *mem =
		find_memory_block_by_id(hm, memory_block_id(hm, pfn_to_section_nr(pfn)));

	if (mem)
		__atomic_fetch_add(&mem->nr_hwpoison, (unsigned long)nr, __ATOMIC_RELEASE);
	atomic_fetch_add(&hm->num_poisoned_pages, nr);
}

/* the page is off the buddy with one reference: now it is poison */
static void set_page_hwpoison(struct hotmem *hm, struct page *page)
{
	set_page_flag(page, PG_hwpoison);
	num_poisoned_pages_add(hm, page_to_pfn(hm, page), 1);
}

/*
 * Whether [@start_pfn, @end_pfn) may hold a PageHWPoison page: its memory
 * blocks' memblk_nr_poison() (6.12 drivers/base/memory.c, the count
 * num_poisoned_pages_inc() keeps per block), so that a free or an
 * offline outside the blocks that hold poison reads no struct page for
 * it -- one poisoned page made every free of 2^order pages and every
 * offline of a whole block read each struct page of the range (a memmap
 * shared with its template faulted every vmemmap page in).  A block not
 * found (none should be: only an online page is poisoned) may.
 *
 * No lock: the caller's range is its own -- pages it frees, or a block
 * it offlines under device_hotplug_lock -- so the blocks stay, and a
 * poison set before is seen with its flag (set_page_hwpoison()).
 */
bool range_may_hold_hwpoison(struct hotmem *hm, unsigned long start_pfn, unsigned long end_pfn)
{
	unsigned long id = memory_block_id(hm, pfn_to_section_nr(start_pfn));
	const unsigned long last = memory_block_id(hm, pfn_to_section_nr(end_pfn - 1));

	if (!atomic_load(&hm->num_poisoned_pages))
		return false;
	for (; id <= last; id++) {
		const struct memory_block *mem = hm_xa_load(&hm->memory_blocks, id);

		if (!mem || __atomic_load_n(&mem->nr_hwpoison, __ATOMIC_ACQUIRE))
			return true;
	}
	return false;
}

/* a page the engine could retire, or -errno */
static struct page *retirable_page(struct hotmem *hm, uint64_t pfn, int *ret)
{
	struct page *page;

	*ret = 0;
	if (pfn >= hm->max_pfn || !pfn_valid(hm, (unsigned long)pfn)) {
		*ret = -ENXIO;
		return NULL;
	}
	page = pfn_to_online_page(hm, (unsigned long)pfn);
	if (!page) {
		*ret = -EIO;
		return NULL;
	}
	/*
	 * A memmap the host left unmapped (a HugeTLB undo) is mapped first, or
	 * not read; only get_online_mems() is held, so the workload is kept
	 * out as HVO keeps it (vmemmap_remap_lock for writing).
	 */
	*ret = vmemmap_remap_lost_excl(hm, (unsigned long)pfn, 1);
	return *ret ? NULL : page;
}

static bool page_is_free(struct hotmem *hm, unsigned long pfn)
{
	for (unsigned int order = 0; order < NR_PAGE_ORDERS; order++) {
		struct page *head = pfn_to_page(hm, pfn & ~((1UL << order) - 1));

		if (test_page_flag(head, PG_buddy) && head->private >= order)
			return true;
	}
	return false;
}

static int retire_free_page(struct hotmem *hm, unsigned long pfn)
{
	struct page *page = take_page_off_buddy(hm, pfn);

	if (!page)
		return -EBUSY;
	set_page_hwpoison(hm, page);
	return 0;
}

/*
 * HWPoisonHandlable() with the gets get_any_page() retries: a page
 * memory_failure() and soft_offline_page() can work on (a free buddy
 * page, a user page on the LRU, pinned or not) or one it calls
 * unhandlable -- slab, page tables, stacks, memmap, boot reservations,
 * the workload's unmovable (kmalloc) pages.
 */
static bool page_handlable(struct hotmem *hm, struct page *page, unsigned long pfn)
{
	return page_is_free(hm, pfn) ||
	       (test_page_flag(page, PG_movable) && test_page_flag(page, PG_workload));
}

/* a page of the HugeTLB pool: its head is PageHuge() */
static bool page_in_hugetlb_pool(struct hotmem *hm, unsigned long pfn)
{
	return PageHuge(pfn_to_page(hm, pfn & ~(pageblock_nr_pages - 1)));
}

/*
 * __page_handle_poison() (6.12) of a page of a free huge page -- the
 * pool's are all free: nothing maps them, so memory_failure()'s
 * me_huge_page() (an in-use one) never arises here.  The huge page is
 * dissolved (dissolve_free_hugetlb_folio(): the pool one smaller,
 * nr_hugepages and free_hugepages both) and the page taken off the buddy,
 * the rest of the huge page free.  0, or -EBUSY: a dissolve that fails
 * (its vmemmap not restored, the host refusing) leaves the pool as it was.
 * soft_offline_page()'s way: between the dissolve and the take the page is
 * free and unmarked, an allocation may have it (-EBUSY, the pool one
 * smaller), as the kernel's may (6.12 to 6.18), whose soft_offline_page()
 * then tries again (soft_offline_pass()).
 *
 * A huge page a failed memory_failure() left poisoned in the pool: its
 * dissolve moves the mark onto its raw pages (folio_clear_hugetlb_hwpoison()).
 * 6.12 frees the huge page whole, the raw pages with it, so
 * take_page_off_buddy() finds @pfn in the buddy even when it is one of
 * them, and page_handle_poison() marks it again and counts it again
 * (num_poisoned_pages_inc(): HardwareCorrupted 4 kB more for a page
 * counted before), 0.  Here it never reached the buddy
 * (free_pages_hwpoison()); the count is the kernel's.
 */
static int dissolve_and_retire(struct hotmem *hm, unsigned long pfn)
{
	if (dissolve_free_hugetlb_folio(hm, pfn & ~(pageblock_nr_pages - 1)))
		return -EBUSY;
	if (test_page_flag(pfn_to_page(hm, pfn), PG_hwpoison)) {
		num_poisoned_pages_add(hm, pfn, 1);
		return 0;
	}
	return retire_free_page(hm, pfn);
}

/*
 * folio->_hugetlb_hwpoison (6.12 to 6.18: the list of a hugetlb folio's
 * poisoned raw pages, struct raw_hwp_page, over page[2]'s private): here
 * page[2]'s private is a tag saying the folio has one, and the private of
 * page[3] to page[10] a bitmap of its 512 raw pages, cleared when the tag
 * is set, so that what a buddy order left in those fields is never read
 * as one.  They all live on the head's own vmemmap page, which HVO never
 * shares.
 */
#define RAW_HWP_TAG (1UL << 63 | 0x52415748UL)
#define RAW_HWP_BITS (8 * sizeof(unsigned long))
#define RAW_HWP_WORDS (pageblock_nr_pages / RAW_HWP_BITS)
_Static_assert(3 + RAW_HWP_WORDS <= HM_PAGE_SIZE / HM_STRUCT_PAGE_SIZE,
	       "the raw pages' bitmap is on the head's vmemmap page");

static unsigned long *folio_raw_hwp(struct page *head)
{
	return &head[2].private;
}

static unsigned long *raw_hwp_word(struct page *head, unsigned long off)
{
	return &head[3 + off / RAW_HWP_BITS].private;
}

static bool raw_hwp_test(struct page *head, unsigned long off)
{
	return *raw_hwp_word(head, off) >> (off % RAW_HWP_BITS) & 1;
}

/*
 * folio_set_hugetlb_hwpoison() (6.12 to 6.18): the folio poisoned -- its
 * head's PG_hwpoison (folio_test_set_hwpoison()) and @pfn listed.  0 the
 * first time, counted here as action_result() counts it in the kernel;
 * -EHWPOISON when the folio was poisoned before: a raw page it did not
 * list yet is listed and counted (num_poisoned_pages_inc()), one it did
 * is not.  Not the raw page's own flag: a tail's struct page may be HVO's
 * shared copy, and the dissolve initialises it again.
 */
static int folio_set_hugetlb_hwpoison(struct hotmem *hm, struct page *head, unsigned long pfn)
{
	unsigned long off = pfn - page_to_pfn(hm, head);

	if (!test_page_flag(head, PG_hwpoison)) {
		*folio_raw_hwp(head) = RAW_HWP_TAG;
		for (unsigned long i = 0; i < RAW_HWP_WORDS; i++)
			*raw_hwp_word(head, i * RAW_HWP_BITS) = 0;
		*raw_hwp_word(head, off) |= 1UL << (off % RAW_HWP_BITS);
		set_page_hwpoison(hm, head);
		return 0;
	}
	if (raw_hwp_test(head, off))
		return -EHWPOISON;
	*raw_hwp_word(head, off) |= 1UL << (off % RAW_HWP_BITS);
	num_poisoned_pages_add(hm, pfn, 1);
	return -EHWPOISON;
}

/*
 * folio_clear_hugetlb_hwpoison() (6.12 to 6.18, from
 * __update_and_free_hugetlb_folio() once the vmemmap is restored and the
 * tails initialised): the folio's mark moves onto its raw pages
 * (__folio_free_raw_hwp(folio, true)), already counted.  Freed @order
 * pages at @head that are no poisoned folio are left alone.
 */
static void folio_clear_hugetlb_hwpoison(struct page *head, unsigned int order)
{
	if (order != pageblock_order || !test_page_flag(head, PG_hwpoison) ||
	    *folio_raw_hwp(head) != RAW_HWP_TAG)
		return;
	*folio_raw_hwp(head) = 0;
	clear_page_flag(head, PG_hwpoison);
	for (unsigned long off = 0; off < pageblock_nr_pages; off++)
		if (raw_hwp_test(head, off))
			set_page_flag(head + off, PG_hwpoison);
	for (unsigned long i = 0; i < RAW_HWP_WORDS; i++)
		*raw_hwp_word(head, i * RAW_HWP_BITS) = 0;
}

/*
 * What has_extra_refcount() prints for an anonymous user page (6.12-6.18
 * me_pagecache_clean(): "the only reference left should be the one m_f()
 * holds"): page_count() - 1, counted after get_hwpoison_page() took
 * memory_failure()'s reference and try_to_unmap() (TTU_HWPOISON, which a
 * pin does not stop) dropped the mapping's; delete_from_lru_cache() puts
 * its isolation reference back at once.  So of the page's refcount now
 * (the mapping's, a pin's GUP_PIN_COUNTING_BIAS) the pin is left: 1024
 * users for a pinned page, 0 for a movable one that nobody else holds.
 */
static int hwpoison_extra_users(const struct page *page)
{
	int count = page_ref_count(page) + 1 /* get_hwpoison_page() */ - 1 /* unmapped */;

	return count - 1;
}

/*
 * soft_offline_page() (6.12) from its get_hwpoison_page() on, for a page
 * not poisoned.  *@again: page_handle_poison() of a free page or a free
 * huge page failed (the page not taken off the buddy, or the huge page
 * not dissolved), which the kernel tries once more (try_again).
 */
static int soft_offline_pass(struct hotmem *hm, unsigned long pfn, struct page *page, bool *again)
{
	int ret;

	*again = false;
	if (page_in_hugetlb_pool(hm, pfn)) {
		/*
		 * A free huge page: get_hwpoison_page() is 0 for it and
		 * page_handle_poison() dissolves it, then takes the page off
		 * the buddy; false when either fails.
		 */
		ret = dissolve_and_retire(hm, pfn);
		*again = ret == -EBUSY;
	} else if (!page_handlable(hm, page, pfn)) {
		/* get_any_page(): -EIO after its retries, which soft_offline_page() returns */
		pr_err(hm, "Memory failure: %#lx: unhandlable page.", pfn);
		ret = -EIO;
	} else if (page_is_free(hm, pfn)) {
		ret = retire_free_page(hm, pfn);
		*again = ret == -EBUSY;
	} else {
		/* migrate the content away, then take the freed page for good */
		/* soft_offline_in_use_page()'s target: any node, no nodemask */
		const struct migration_target_control mtc = {
			.nid = NUMA_NO_NODE,
			.gfp_mask = MIGRATE_TARGET_GFP,
		};

		ret = workload_migrate_page(hm, pfn, &mtc);
		if (!ret) {
			ret = retire_free_page(hm, pfn);
		} else {
			char flags[192];

			/*
			 * soft_offline_in_use_page(): migrate_pages()' failed
			 * pages > 0, then the page's flags (%pGp) once
			 * putback_movable_pages() put it back on its LRU
			 */
			page_flags_pgp(hm, pfn, flags, sizeof(flags));
			pr_info(hm, "Soft offline: %#lx: page migration failed 1, type %s", pfn, flags);
			ret = -EBUSY;
		}
	}
	return ret;
}

int hotmem_soft_offline_page(struct hotmem *hm, uint64_t pfn)
{
	struct page *page;
	bool again;
	int ret;

	lock_device_hotplug(hm);
	pthread_rwlock_rdlock(&hm->mem_hotplug_lock);
	page = retirable_page(hm, pfn, &ret);
	if (!page)
		goto out;
	if (test_page_flag(page, PG_hwpoison)) {
		/* pr_fmt "Soft offline: " (6.12 mm/memory-failure.c) */
		pr_info(hm, "Soft offline: %#llx: page already poisoned", (unsigned long long)pfn);
		goto out;
	}
	ret = soft_offline_pass(hm, (unsigned long)pfn, page, &again);
	/*
	 * try_again, once: a refusal of a huge page's vmemmap memory that
	 * has passed is gone; a page an allocation took between the dissolve
	 * and the take is in use now, migrated away and retired.
	 */
	if (again)
		ret = soft_offline_pass(hm, (unsigned long)pfn, page, &again);
out:
	pthread_rwlock_unlock(&hm->mem_hotplug_lock);
	unlock_device_hotplug(hm);
	return ret;
}

/* enum mf_result, as action_result() names them (hotmem.h's HM_MF_*) */
enum mf_result {
	MF_IGNORED = HM_MF_IGNORED,
	MF_FAILED = HM_MF_FAILED,
	MF_DELAYED = HM_MF_DELAYED,
	MF_RECOVERED = HM_MF_RECOVERED,
};
static const char *const action_name[] = {
	[MF_IGNORED] = "Ignored", [MF_FAILED] = "Failed",
	[MF_DELAYED] = "Delayed", [MF_RECOVERED] = "Recovered",
};

/* update_per_node_mf_stats(): the outcome on the page's node (nodeN/memory_failure/) */
static void update_per_node_mf_stats(struct hotmem *hm, struct page *page, enum mf_result result)
{
	struct pglist_data *pgdat = NODE_DATA(hm, page_to_nid(page));

	pthread_rwlock_wrlock(&hm->span_lock);
	pgdat->mf_total++;
	switch (result) {
	case MF_IGNORED:
		pgdat->mf_ignored++;
		break;
	case MF_FAILED:
		pgdat->mf_failed++;
		break;
	case MF_DELAYED:
		pgdat->mf_delayed++;
		break;
	case MF_RECOVERED:
		pgdat->mf_recovered++;
		break;
	}
	pthread_rwlock_unlock(&hm->span_lock);
}

/*
 * action_result(): the outcome counted and said; the page stays poisoned
 * whatever it was.  0 for MF_RECOVERED and MF_DELAYED, else -EBUSY, which
 * hard_offline_page_store() returns.
 */
static int action_result(struct hotmem *hm, uint64_t pfn, struct page *page, const char *type,
			 enum mf_result result, int count_as, int *counted)
{
	/* a replay: the outcome the failure had when it happened */
	if (count_as != HM_MF_NONE)
		result = (enum mf_result)count_as;
	if (counted)
		*counted = (int)result;
	update_per_node_mf_stats(hm, page, result);
	pr_err(hm, "Memory failure: %#llx: recovery action for %s: %s", (unsigned long long)pfn,
	       type, action_name[result]);
	return result == MF_RECOVERED || result == MF_DELAYED ? 0 : -EBUSY;
}

/*
 * A kernel allocation the engine's kernel would free again (kmem.c's
 * background ones) is kept instead: a block holding a poisoned page may
 * go offline and away with it (has_unmovable_pages() and
 * test_pages_isolated() step over PageHWPoison pages), and a later free
 * would write struct pages that are gone.  A kernel's free keeps the
 * page out of the buddy all the same (free_pages_prepare()).
 */
static void kmem_keep_poisoned(struct hotmem *hm, struct page *page)
{
	if (!test_page_flag(page, PG_kernel))
		return;
	for (unsigned long i = 0; i < hm->kmem.used; i++) {
		struct kmem_alloc *a = &hm->kmem.allocs[i];

		if (a->pfn != page->mapping)
			continue;
		if (a->background) {
			a->background = false;
			hm->kmem.nr_background--;
		}
		break;
	}
}

/*
 * action_result(MF_MSG_ALREADY_POISONED, MF_FAILED): said, not counted
 * (6.17's "fix redundant updates for already poisoned pages", in 6.12.y),
 * -EHWPOISON
 */
static int already_poisoned(struct hotmem *hm, uint64_t pfn)
{
	pr_err(hm, "Memory failure: %#llx: recovery action for already poisoned page: Failed",
	       (unsigned long long)pfn);
	return -EHWPOISON;
}

/*
 * try_memory_failure_hugetlb() of a free hugetlb folio (6.12 to 6.18; the
 * pool's are all free: nothing maps them, so me_huge_page()'s case does
 * not arise).  __get_huge_page_for_hwpoison() marks it first
 * (folio_set_hugetlb_hwpoison(); a folio poisoned before is -EHWPOISON),
 * then __page_handle_poison() dissolves it: the raw page is poison when
 * the dissolve frees the huge page, so the buddy never gets it
 * (free_pages_hwpoison()) and no allocation beside it can take it (the
 * kernel's check_new_pages() refuses it): MF_MSG_FREE_HUGE, recovered, 0
 * -- the pool one smaller, HardwareCorrupted one page more.  A dissolve
 * that fails (dissolve_free_hugetlb_folio()'s
 * hugetlb_vmemmap_restore_folio(): the host refusing the vmemmap's
 * memory) puts the folio back in the pool, its node's newest
 * (add_hugetlb_folio()), poisoned -- HardwareCorrupted counted, the raw
 * page listed -- and is MF_FAILED: "recovery action for free huge page:
 * Failed", nodeN/memory_failure/failed, -EBUSY.  A shrink or an offline
 * that dissolves it later moves the mark onto the raw page.
 */
static int try_memory_failure_hugetlb(struct hotmem *hm, uint64_t pfn, struct page *page,
				      int count_as, int *counted)
{
	unsigned long head_pfn = (unsigned long)pfn & ~(pageblock_nr_pages - 1);
	enum mf_result result = MF_RECOVERED;

	if (folio_set_hugetlb_hwpoison(hm, pfn_to_page(hm, head_pfn), (unsigned long)pfn))
		return already_poisoned(hm, pfn);
	if (dissolve_free_hugetlb_folio(hm, head_pfn))
		result = MF_FAILED;
	return action_result(hm, pfn, page, "free huge page", result, count_as, counted);
}

/*
 * memory_failure() (mm/memory-failure.c, 6.12 to 6.18): TestSetPageHWPoison()
 * first, so the page is poison whatever the outcome.  A free page is
 * taken off the buddy (MF_MSG_BUDDY, recovered); a user page is unmapped
 * and its owner killed (MF_MSG_DIRTY_LRU, recovered -- or failed when a
 * pin still holds it, me_pagecache_clean()'s has_extra_refcount()); any
 * other page get_any_page() calls unhandlable and the kernel ignores it
 * (MF_MSG_GET_HWPOISON, -EBUSY), the kernel's user going on with it.
 * (Kernels after 6.18 name a reserved one MF_MSG_KERNEL.)
 */
int hotmem_memory_failure(struct hotmem *hm, uint64_t pfn)
{
	return hotmem_memory_failure_counted(hm, pfn, HM_MF_NONE, NULL);
}

int hotmem_memory_failure_counted(struct hotmem *hm, uint64_t pfn, int count_as, int *counted)
{
	struct page *page;
	int ret;

	if (counted)
		*counted = HM_MF_NONE;
	if (count_as < HM_MF_NONE || count_as > HM_MF_RECOVERED)
		return -EINVAL;
	lock_device_hotplug(hm);
	pthread_rwlock_rdlock(&hm->mem_hotplug_lock);
	page = retirable_page(hm, pfn, &ret);
	if (!page) {
		/*
		 * No online page (a hole, an offline block, past maxmem):
		 * 6.12 memory_failure()'s !pfn_to_online_page() branch, with
		 * no ZONE_DEVICE pagemap to hand it to.
		 */
		if (ret == -EIO || ret == -ENXIO) {
			pr_err(hm, "Memory failure: %#llx: memory outside kernel control",
			       (unsigned long long)pfn);
			ret = -ENXIO;
		}
		goto out;
	}
	if (page_in_hugetlb_pool(hm, (unsigned long)pfn)) {
		/* before the page's own flag, as 6.12's memory_failure() */
		ret = try_memory_failure_hugetlb(hm, pfn, page, count_as, counted);
	} else if (test_page_flag(page, PG_hwpoison)) {
		ret = already_poisoned(hm, pfn);
	} else if (page_is_free(hm, (unsigned long)pfn)) {
		ret = retire_free_page(hm, (unsigned long)pfn);
		if (!ret)
			ret = action_result(hm, pfn, page, "free buddy page", MF_RECOVERED,
					    count_as, counted);
	} else if (page_handlable(hm, page, (unsigned long)pfn)) {
		int users = hwpoison_extra_users(page);

		/* the user of the page is killed: its content is gone */
		workload_forget_page(hm, page);
		set_page_hwpoison(hm, page);
		/*
		 * has_extra_refcount() (6.12 me_pagecache_clean()): any
		 * reference but m_f()'s fails it and says so -- a pin's, and
		 * any other holder's (an isolation, a GUP), not a pin's alone
		 * (review reread18 F6)
		 */
		if (users > 0)
			pr_err(hm, "Memory failure: %#llx: dirty LRU page still referenced by %d users",
			       (unsigned long long)pfn, users);
		ret = action_result(hm, pfn, page, "dirty LRU page",
				    users > 0 ? MF_FAILED : MF_RECOVERED, count_as, counted);
	} else {
		pr_err(hm, "Memory failure: %#llx: unhandlable page.", (unsigned long long)pfn);
		set_page_hwpoison(hm, page);
		kmem_keep_poisoned(hm, page);
		ret = action_result(hm, pfn, page, "get hwpoison page", MF_IGNORED, count_as,
				    counted);
	}
out:
	pthread_rwlock_unlock(&hm->mem_hotplug_lock);
	unlock_device_hotplug(hm);
	return ret;
}

/*
 * free_pages_prepare()'s hwpoison check: a poisoned page never goes back
 * to the buddy.  A block holding one goes back page by page around it
 * (6.12 frees it whole and check_new_pages() refuses the poison when it
 * is allocated again; here no allocation ever finds it).  True when the
 * free was done here.
 */
bool free_pages_hwpoison(struct hotmem *hm, struct page *page, unsigned int order)
{
	unsigned long pfn = page_to_pfn(hm, page), n = 1UL << order, i;

	if (!range_may_hold_hwpoison(hm, pfn, pfn + n))
		return false;
	folio_clear_hugetlb_hwpoison(page, order);
	for (i = 0; i < n && !test_page_flag(page + i, PG_hwpoison); i++)
		;
	if (i == n)
		return false;
	for (i = 0; i < n; i++) {
		if (test_page_flag(page + i, PG_hwpoison))
			set_page_count(&page[i], 1); /* the poison's, as page_handle_poison() holds one */
		else
			free_one_page(hm, page_zone(hm, page + i), pfn + i, 0, false);
	}
	return true;
}
