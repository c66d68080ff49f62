// SPDX-License-Identifier: GPL-2.0
/*
 * mm/memory-failure.c, the part memory hotplug meets: pages retired by
 * soft_offline_page() or memory_failure() leave the allocator for good;
 * offlining steps over them, and a block holding them cannot be onlined
 * again until it is removed (memblk_nr_poison()).
 *
 * Not modelled: poisoning a kernel page that stays in use (the kernel
 * marks it and hopes); we refuse with -EBUSY and leave it unmarked.
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

/* the page is off the buddy with one reference: now it is poison */
static void set_page_hwpoison(struct hotmem *hm, struct page *page)
{
	unsigned long pfn = page_to_pfn(hm, page);
	struct memory_block *mem =
		find_memory_block_by_id(hm, memory_block_id(hm, pfn_to_section_nr(pfn)));

	set_page_flag(page, PG_hwpoison);
	if (mem)
		mem->nr_hwpoison++;
	atomic_fetch_add(&hm->num_poisoned_pages, 1);
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

int hotmem_soft_offline_page(struct hotmem *hm, uint64_t pfn)
{
	struct page *page;
	int ret;

	pthread_mutex_lock(&hm->device_hotplug_lock);
	pthread_rwlock_rdlock(&hm->mem_hotplug_lock);
	page = retirable_page(hm, pfn, &ret);
	if (!page)
		goto out;
	if (test_page_flag(page, PG_hwpoison)) {
		pr_info(hm, "soft offline: %#llx: page already poisoned", (unsigned long long)pfn);
		goto out;
	}
	if (page_is_free(hm, (unsigned long)pfn)) {
		ret = retire_free_page(hm, (unsigned long)pfn);
	} else if (test_page_flag(page, PG_movable) && test_page_flag(page, PG_workload)) {
		/* migrate the content away, then take the freed page for good */
		ret = workload_migrate_page(hm, (unsigned long)pfn);
		if (!ret)
			ret = retire_free_page(hm, (unsigned long)pfn);
	} else {
		pr_info(hm, "soft offline: %#llx: page cannot be migrated", (unsigned long long)pfn);
		ret = -EBUSY;
	}
out:
	pthread_rwlock_unlock(&hm->mem_hotplug_lock);
	pthread_mutex_unlock(&hm->device_hotplug_lock);
	return ret;
}

/* action_result()'s update_per_node_mf_stats() of a page memory_failure() recovered */
static void update_per_node_mf_stats(struct hotmem *hm, struct page *page)
{
	struct pglist_data *pgdat = NODE_DATA(hm, page_to_nid(page));

	pthread_rwlock_wrlock(&hm->span_lock);
	pgdat->mf_total++;
	pgdat->mf_recovered++;
	pthread_rwlock_unlock(&hm->span_lock);
}

int hotmem_memory_failure(struct hotmem *hm, uint64_t pfn)
{
	struct page *page;
	int ret;

	pthread_mutex_lock(&hm->device_hotplug_lock);
	pthread_rwlock_rdlock(&hm->mem_hotplug_lock);
	page = retirable_page(hm, pfn, &ret);
	if (!page) {
		if (ret == -EIO)
			ret = -ENXIO;
		goto out;
	}
	if (test_page_flag(page, PG_hwpoison)) {
		ret = -EHWPOISON;
		goto out;
	}
	if (page_is_free(hm, (unsigned long)pfn)) {
		ret = retire_free_page(hm, (unsigned long)pfn);
		if (!ret)
			update_per_node_mf_stats(hm, page);
	} else if (test_page_flag(page, PG_movable) && test_page_flag(page, PG_workload)) {
		/* the user of the page is killed: its content is gone */
		workload_forget_page(hm, page);
		set_page_hwpoison(hm, page);
		update_per_node_mf_stats(hm, page);
		pr_err(hm, "Memory failure: %#llx: recovery action for dirty LRU page: Recovered",
		       (unsigned long long)pfn);
	} else {
		pr_err(hm, "Memory failure: %#llx: unhandlable page", (unsigned long long)pfn);
		ret = -EBUSY;
	}
out:
	pthread_rwlock_unlock(&hm->mem_hotplug_lock);
	pthread_mutex_unlock(&hm->device_hotplug_lock);
	return ret;
}
