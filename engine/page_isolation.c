// SPDX-License-Identifier: GPL-2.0
/*
 * mm/page_isolation.c: take pageblocks out of the allocator before
 * offlining.  Isolation is a pageblock bit of its own (as since 6.16), so
 * the migratetype survives and undoing isolation restores exactly what was
 * there: a failed offline leaves the machine as it was.
 */
#include "internal.h"

/*
 * has_unmovable_pages(): a reserved page pins its pageblock; ZONE_MOVABLE
 * is trusted for the rest; elsewhere a memmap page or a kernel
 * allocation pins it too.
 */
static long has_unmovable_pages(struct hotmem *hm, struct zone *z, unsigned long start,
				int flags)
{
	for (unsigned long pfn = start; pfn < start + pageblock_nr_pages;) {
		struct page *page = pfn_to_page(hm, pfn);
		unsigned long skip;

		/*
		 * "bootmem allocations and memory holes are marked PG_reserved
		 * and are unmovable": a boot ZONE_MOVABLE (kernelcore=,
		 * movablecore=) may hold memblock's reservations -- x86 takes
		 * them top-down, where that zone is -- so only then is the
		 * zone trusted (6.12, before the other checks)
		 */
		if (is_zone_movable(z)) {
			/*
			 * only boot memory has them: hot-added memory online
			 * holds no PG_reserved page in 6.12 (online_pages()
			 * frees them all; a memmap_on_memory block's vmemmap
			 * is outside the range), and its memmap is not read
			 * (a template-shared one is mapped where it is read)
			 */
			if (!early_section(__pfn_to_section(hm, pfn)))
				return -1;
			if (PageReserved(page))
				return (long)pfn;
			pfn++;
			continue;
		}
		skip = page_span_to_skip(page);

		if (skip) {
			pfn += skip;
			continue;
		}
		if (PageOffline(page) && !page_ref_count(page)) {
			pfn++;
			continue;
		}
		/* a reserved page pins its pageblock, poisoned or not (6.12 order) */
		if (PageReserved(page) || test_page_flag(page, PG_vmemmap))
			return (long)pfn;
		/*
		 * When offlining, a poisoned page (not in the buddy, with the
		 * poison's reference) is stepped over, and every PageOffline
		 * page counts as movable: its driver (virtio-mem) drops its
		 * reference in MEM_GOING_OFFLINE; one still referenced after
		 * that fails later, in scan_movable_pages().  Outside offline
		 * (alloc_contig_range()) a poisoned page is in use.
		 */
		if ((flags & MEMORY_OFFLINE) &&
		    (test_page_flag(page, PG_hwpoison) || PageOffline(page))) {
			pfn++;
			continue;
		}
		if (page_ref_count(page) && !PageMovable(page))
			return (long)pfn;
		pfn++;
	}
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
