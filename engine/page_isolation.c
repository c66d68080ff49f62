// SPDX-License-Identifier: GPL-2.0
/*
 * mm/page_isolation.c: take pageblocks out of the allocator before
 * offlining.  Isolation is a pageblock bit of its own (as since 6.16), so
 * the migratetype survives and undoing isolation restores exactly what was
 * there: a failed offline leaves the machine as it was.
 */
#include "internal.h"

/*
 * page_is_unmovable(): whether the page at @pfn of zone @z stops its
 * pageblock's isolation; *@step: the pages this answer covers (a free
 * buddy block, a huge page), 1 for a page alone.  6.12 has this test
 * inline in has_unmovable_pages()'s loop; later kernels split it out
 * under this name.  The checks in 6.12's order.  The one test of
 * "unmovable" the engine has: has_unmovable_pages() (an offline's and
 * alloc_contig_range()'s isolation) and explain's verdict
 * (first_unmovable_pfn()) both ask it, so that what explain predicts for
 * an offline is what the offline meets (reread33 R1: explain had a test of
 * its own, and said "migrates until a signal" where the isolation refused
 * a reserved page in a boot ZONE_MOVABLE with EBUSY).
 */
static bool page_is_unmovable(struct hotmem *hm, struct zone *z, unsigned long pfn, int flags,
			      unsigned long *step)
{
	struct page *page;

	*step = 1;
	/*
	 * ZONE_MOVABLE, hot-added: the 6.12 loop below would find no
	 * PG_reserved page (online_pages() frees them all; a
	 * memmap_on_memory block's vmemmap is outside the range) and then
	 * trust the zone for every page -- so the engine does not read its
	 * memmap at all (a template-shared one is mapped where it is read):
	 * the whole section passes at once
	 */
	if (is_zone_movable(z) && !early_section(__pfn_to_section(hm, pfn))) {
		*step = ALIGN(pfn + 1, PAGES_PER_SECTION) - pfn;
		return false;
	}
	page = pfn_to_page(hm, pfn);
	/*
	 * "Both, bootmem allocations and memory holes are marked PG_reserved
	 * and are unmovable": in ZONE_MOVABLE too -- a boot one
	 * (kernelcore=, movablecore=) may hold memblock's reservations, x86
	 * takes them top-down, where that zone is
	 */
	if (PageReserved(page))
		return true;
	/* ruled out the reserved pages: the rest of ZONE_MOVABLE is trusted */
	if (is_zone_movable(z))
		return false;
	/*
	 * hot-added memory's memmap: the kernel's is an allocation of its own
	 * (a reference, not movable: the last check below); the engine's
	 * carries no reference, but a flag
	 */
	if (test_page_flag(page, PG_vmemmap))
		return true;
	/* a huge page migrates (x86's hugepage_migration_supported()): stepped over whole */
	if (PageHuge(page) && test_page_flag(page, PG_head)) {
		*step = HM_PAGEBLOCK_NR_PAGES;
		return false;
	}
	/* free, or a tail of an allocation: a free buddy block stepped over whole */
	if (!page_ref_count(page)) {
		if (PageBuddy(page))
			*step = 1UL << buddy_order_unsafe(page);
		return false;
	}
	/*
	 * When offlining, a poisoned page (not in the buddy, with the
	 * poison's reference) is stepped over, and every PageOffline page
	 * counts as movable: its driver (virtio-mem) drops its reference in
	 * MEM_GOING_OFFLINE; one still referenced after that fails later, in
	 * scan_movable_pages().  Outside offline (alloc_contig_range()) a
	 * poisoned page is in use.
	 */
	if ((flags & MEMORY_OFFLINE) && test_page_flag(page, PG_hwpoison))
		return false;
	if ((flags & MEMORY_OFFLINE) && PageOffline(page))
		return false;
	/* __PageMovable() || PageLRU(): the engine's one flag */
	return !PageMovable(page);
}

/* has_unmovable_pages(): the first unmovable pfn of the pageblock at @start, -1 when none */
static long has_unmovable_pages(struct hotmem *hm, struct zone *z, unsigned long start,
				int flags)
{
	unsigned long step;

	for (unsigned long pfn = start; pfn < start + pageblock_nr_pages; pfn += step)
		if (page_is_unmovable(hm, z, pfn, flags, &step))
			return (long)pfn;
	return -1;
}

static int set_migratetype_isolate(struct hotmem *hm, unsigned long pfn, int flags)
{
	struct zone *z = page_zone(hm, pfn_to_page(hm, pfn));
	long bad;

	pthread_mutex_lock(&z->lock);
	if (get_pageblock_isolate(hm, pfn)) {
		pthread_mutex_unlock(&z->lock);
		return -EBUSY;
	}
	bad = has_unmovable_pages(hm, z, pfn, flags);
	if (bad >= 0) {
		pthread_mutex_unlock(&z->lock);
		/*
		 * Outside the zone lock, as the kernel defers it; only
		 * offline_pages() asks (REPORT_FAILURE): alloc_contig_range()
		 * (virtio-mem's fake offline) fails quietly (6.12).
		 */
		if (flags & REPORT_FAILURE)
			dump_page(hm, (unsigned long)bad, "unmovable page");
		return -EBUSY;
	}
	set_pageblock_isolate(hm, pfn, true);
	move_freepages_block(hm, z, pfn, MIGRATE_ISOLATE);
	z->nr_isolate_pageblock++;
	pthread_mutex_unlock(&z->lock);
	return 0;
}

/*
 * What start_isolate_page_range(@flags) would meet in [@start_pfn,
 * @end_pfn) of zone @z, nothing isolated: the first unmovable pfn (the
 * one its dump_page() names), -1 when every pageblock passes.  The same
 * has_unmovable_pages(), each pageblock under the zone's lock as there:
 * explain's verdict asks this, so that it cannot say other than an
 * offline does (reread33 R1).  The caller keeps the range's memmap
 * mapped (vmemmap_remap_lock) and the block online.
 */
long first_unmovable_pfn(struct hotmem *hm, struct zone *z, unsigned long start_pfn,
			 unsigned long end_pfn, int flags)
{
	long bad = -1;

	for (unsigned long pfn = start_pfn; pfn < end_pfn && bad < 0; pfn += pageblock_nr_pages) {
		pthread_mutex_lock(&z->lock);
		bad = has_unmovable_pages(hm, z, pfn, flags);
		pthread_mutex_unlock(&z->lock);
	}
	return bad;
}

/* merge free blocks that isolation kept apart, now that it is lifted */
static void remerge_pageblock(struct hotmem *hm, struct zone *z, unsigned long start)
{
	struct page *head = pfn_to_page(hm, ALIGN_DOWN(start, MAX_ORDER_NR_PAGES));

	/* already part of a max-order block: nothing left to merge */
	if (PageBuddy(head) && buddy_order_unsafe(head) == MAX_PAGE_ORDER)
		return;
	for (unsigned long pfn = start; pfn < start + pageblock_nr_pages;) {
		struct page *page = pfn_to_page(hm, pfn);
		unsigned int order;

		if (!PageBuddy(page)) {
			pfn++;
			continue;
		}
		order = (unsigned int)buddy_order_unsafe(page);
		/* __putback_isolated_page(): FPI_TO_TAIL */
		if (order >= pageblock_order && order < MAX_PAGE_ORDER) {
			del_page_from_free_list(z, page, order);
			free_one_page_locked(hm, z, pfn, order, true);
		}
		pfn += 1UL << order;
	}
}

/*
 * unset_migratetype_isolate() for the pageblock at @pfn of zone @z.  The
 * kernel (6.12) reads the zone from the pageblock's first struct page
 * (page_zone()); every caller's range lies in one zone (online_pages()'s,
 * offline_pages()' after its zone check, alloc_contig_range()'s, which
 * takes its zone from the range's first page as the kernel's does), so
 * undo_isolate_page_range() reads it once.  In a memmap shared with its
 * template that first struct page of a pageblock inside a free max-order
 * block is on a vmemmap page nothing else of an online touches: reading it
 * would map that page (a fault, or a populate), 32 a 128 MiB section.
 */
static void unset_migratetype_isolate(struct hotmem *hm, struct zone *z, unsigned long pfn)
{
	pthread_mutex_lock(&z->lock);
	if (get_pageblock_isolate(hm, pfn)) {
		set_pageblock_isolate(hm, pfn, false);
		move_freepages_block(hm, z, pfn, get_pfnblock_migratetype(hm, pfn));
		z->nr_isolate_pageblock--;
		remerge_pageblock(hm, z, pfn);
	}
	pthread_mutex_unlock(&z->lock);
}

int start_isolate_page_range(struct hotmem *hm, unsigned long start_pfn,
			     unsigned long end_pfn, int flags)
{
	unsigned long pfn;
	int ret = 0;

	for (pfn = start_pfn; pfn < end_pfn; pfn += pageblock_nr_pages) {
		ret = set_migratetype_isolate(hm, pfn, flags);
		if (ret)
			break;
	}
	if (ret && pfn > start_pfn)
		undo_isolate_page_range(hm, start_pfn, pfn);
	return ret;
}

void undo_isolate_page_range(struct hotmem *hm, unsigned long start_pfn,
			     unsigned long end_pfn)
{
	struct zone *z = page_zone(hm, pfn_to_page(hm, start_pfn));

	for (unsigned long pfn = start_pfn; pfn < end_pfn; pfn += pageblock_nr_pages)
		unset_migratetype_isolate(hm, z, pfn);
}

/*
 * __test_page_isolated_in_pageblock() (6.12): the first pfn of
 * [@pfn, @end_pfn) neither free nor, when offlining (MEMORY_OFFLINE),
 * poisoned or a PageOffline page its driver let go of; @end_pfn when all
 * are.  A free block reaching into the range from before it (two
 * isolated pageblocks merged, one of them outside @pfn's range) is free
 * all the same; isolation splits one from an unisolated pageblock at the
 * edge, as 6.12's move_freepages_block_isolate() (move_freepages_block()).
 * zone->lock held.
 */
static unsigned long __test_page_isolated_in_pageblock(struct hotmem *hm, unsigned long pfn,
						       unsigned long end_pfn, int flags)
{
	struct page *head = free_block_holding(hm, pfn);

	if (head)
		pfn = page_to_pfn(hm, head) + (1UL << buddy_order_unsafe(head));
	while (pfn < end_pfn) {
		struct page *page = pfn_to_page(hm, pfn);

		if (PageBuddy(page))
			pfn += 1UL << buddy_order_unsafe(page);
		else if ((flags & MEMORY_OFFLINE) && test_page_flag(page, PG_hwpoison))
			pfn++;
		else if ((flags & MEMORY_OFFLINE) && PageOffline(page) && !page_ref_count(page))
			pfn++;
		else
			break;
	}
	return pfn;
}

/*
 * test_pages_isolated() (mm/page_isolation.c, 6.12): every pageblock of
 * the range isolated, and every page free (or, offlining, stepped over);
 * -EBUSY otherwise.  The trace says where it stopped (@end_pfn: isolated),
 * as the kernel's tracepoint does.
 */
int test_pages_isolated(struct hotmem *hm, unsigned long start_pfn, unsigned long end_pfn,
			int isol_flags)
{
	struct zone *z = page_zone(hm, pfn_to_page(hm, start_pfn));
	unsigned long pfn;
	int ret;

	/* the migratetype first: a free block may span pageblocks */
	for (pfn = start_pfn; pfn < end_pfn; pfn += pageblock_nr_pages)
		if (!get_pageblock_isolate(hm, pfn))
			break;
	if (pfn < end_pfn) {
		ret = -EBUSY;
		goto out;
	}
	pthread_mutex_lock(&z->lock);
	pfn = __test_page_isolated_in_pageblock(hm, start_pfn, end_pfn, isol_flags);
	pthread_mutex_unlock(&z->lock);
	ret = pfn < end_pfn ? -EBUSY : 0;
out:
	/*
	 * 6.12's tracepoint records start_pfn, end_pfn and fin_pfn only: no
	 * node, no zone here either, so both sides show the same fields
	 */
	hm_trace(hm, HMP_test_pages_isolated, true, start_pfn, end_pfn - start_pfn, -1, -1,
		 (long)pfn, ret);
	return ret;
}
