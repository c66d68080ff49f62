// SPDX-License-Identifier: GPL-2.0
/*
 * mm/sparse-vmemmap.c (+ the x86 vmemmap_populate and mm/hugetlb_vmemmap.c)
 *
 * A section's memmap is 2 MiB: one PMD.  vmemmap_populate() maps it huge
 * from one of three sources:
 *  - the altmap: the first pages of the hot-added block itself
 *    (memmap_on_memory, seed 001); no fallback when the altmap is short;
 *  - the buddy allocator, an order-9 block of online kernel memory; when
 *    that fails under fragmentation this PMD — and only this one — falls
 *    back to 512 base pages (vmemmap_populate_basepages, seed 002,
 *    approach 1);
 *  - memblock at boot.
 * "Mapping" is a real mmap of memfd pages into the vmemmap window, so the
 * struct pages are exactly where the page table says they are.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

static void *vmemmap_vaddr(struct hotmem *hm, unsigned long section_nr, unsigned long idx)
{
	return (char *)pfn_to_page(hm, section_nr_to_pfn(section_nr)) + idx * PAGE_SIZE;
}

/* mm/memremap.c: take pages from the front of the hot-added range */
static unsigned long altmap_alloc_block_buf(struct vmem_altmap *altmap,
					    unsigned long nr_pfns)
{
	unsigned long pfn = altmap->base_pfn + altmap->reserve + altmap->alloc +
			    altmap->align;
	unsigned long nr_align = ALIGN(pfn, nr_pfns) - pfn;
	unsigned long used = altmap->alloc + altmap->align;
	unsigned long nr_free = altmap->free > used ? altmap->free - used : 0;

	if (nr_pfns + nr_align > nr_free)
		return 0;
	altmap->alloc += nr_pfns;
	altmap->align += nr_align;
	return pfn + nr_align;
}

static void vmem_altmap_free(struct vmem_altmap *altmap, unsigned long nr_pfns)
{
	altmap->alloc -= min(altmap->alloc, nr_pfns);
	if (!altmap->alloc)
		altmap->align = 0;
}

/* a restore's place for @section_nr's memmap (hotmem_memmap_restore_begin()), or 0 */
static unsigned long memmap_wanted(struct hotmem *hm, unsigned long section_nr)
{
	const struct hotmem_memmap_at *w = hm->memmap_want;
	size_t lo = 0, hi = hm->nr_memmap_want;
	const uint64_t spfn = section_nr_to_pfn(section_nr);

	while (lo < hi) {	/* sorted by section_pfn: hotmem_memmap_restore_begin() */
		size_t mid = lo + (hi - lo) / 2;

		if (w[mid].section_pfn == spfn)
			return (unsigned long)w[mid].pfn;
		if (w[mid].section_pfn < spfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/*
 * A memmap allocation that failed, said as the kernel says it, by
 * current->comm: the task the hot-add or the restore runs for
 * (hm->current_task, from the caller: an ACPI hot-add's is the
 * kacpi_hotplug kworker acpi_hotplug_work_fn() runs in, a `probe`
 * write's its writer, virtio-mem's the kworker of the driver's
 * workqueue; hotmem_add_memory_task()).  The hot-add's
 * (vmemmap_alloc_block(), mm/sparse-vmemmap.c 6.12) asks with
 * __GFP_NOWARN and warns itself once per boot (its "static bool warned",
 * set whether or not warn_alloc()'s nopage_rs let the line through).
 * HugeTLB's vmemmap restore (alloc_vmemmap_page_list(),
 * mm/hugetlb_vmemmap.c) asks without it: the page allocator's own
 * warn_alloc() in __alloc_pages_slowpath(), by the task that freed or
 * dissolved the huge page (the writer of `state` or nr_hugepages), every
 * time nopage_rs allows.  HVO's new head page (vmemmap_remap_free(), 6.12)
 * asks with __GFP_NOWARN and falls back quietly: nothing is said.
 */
static void vmemmap_alloc_warn(struct hotmem *hm, unsigned int order,
			       enum vmemmap_alloc_for why)
{
	if (why == VMEMMAP_FOR_HVO_HEAD)
		return;
	if (why == VMEMMAP_FOR_RESTORE) {
		warn_alloc(hm, GFP_KERNEL | __GFP_RETRY_MAYFAIL, NULL,
			   "page allocation failure: order:%u", order);
		return;
	}
	if (hm->vmemmap_warned)
		return;
	warn_alloc(hm, GFP_KERNEL | __GFP_RETRY_MAYFAIL, NULL, "vmemmap alloc failure: order:%u",
		   order);
	hm->vmemmap_warned = true;
}

/*
 * vmemmap_alloc_block(): GFP_KERNEL memory of the node, never ZONE_MOVABLE;
 * at a restore, @want's block when it is free and online (the block the
 * buddy gave this memmap before the restart: the state's, not a new choice).
 * @claim (NULL: nobody asks) is told of the pageblocks the allocation
 * claimed: an unmovable one that finds no unmovable free page takes a
 * whole free block of another type (6.12 __rmqueue_fallback() ->
 * steal_suitable_fallback(), "Take ownership for orders >=
 * pageblock_order"), which outlives the memmap's free in the kernel
 * (kmem_memmap_freed()).  @why: who asks, which says how a failure is
 * told (vmemmap_alloc_warn()).
 */
static unsigned long vmemmap_alloc_pages(struct hotmem *hm, int nid, unsigned int order,
					 unsigned long want, struct pageblock_claim *claim,
					 enum vmemmap_alloc_for why)
{
	/* alloc_pages_node(nid, GFP_KERNEL, order) */
	const struct alloc_context ac = {
		.nid = nid,
		.highest_zoneidx = ZONE_NORMAL,
		.migratetype = MIGRATE_UNMOVABLE,
		.claim = claim,
	};
	struct page *page;

	/* alloc_pages_node()'s fault point: should_fail_alloc_page() */
	if (hm_should_fail(hm, "fail_page_alloc"))
		return 0;
	if (want && !kmem_take_block(hm, want, order))
		page = pfn_to_page(hm, want);
	else
		page = __alloc_pages(hm, order, &ac);
	if (!page) {
		vmemmap_alloc_warn(hm, order, why);
		return 0;
	}
	/*
	 * page_owner's record (mapping: the head's pfn, private: the order)
	 * on the head alone: one order-9 allocation is one entry, as 6.12's
	 * read_page_owner() lists vmemmap_alloc_block()'s, and the kernel's
	 * allocation without __GFP_COMP writes no tail's struct page
	 * (post_alloc_hook(): the head's refcount; page_owner keeps its
	 * per-page record in page_ext).  Marking all 512 wrote 8 vmemmap
	 * pages of the memmap the memory came from: of a boot memmap shared
	 * with its template, 8 host copies (32 KiB) and 16 faults an add.
	 * Whoever walks pages meets the head first (the allocation is
	 * pageblock-aligned) and takes the whole allocation from it: page
	 * owner, has_unmovable_pages(), the invariants; split_page() marks
	 * each page when HugeTLB's vmemmap optimisation splits it.
	 * WRITE_ONCE: explain reads the record with no lock (page_owner(),
	 * page_walk_start()), racy by design as the kernel's dump_page()
	 * under data_race(); marked, not suppressed, so TSan pairs two
	 * atomics here and still reports a plain write elsewhere.
	 */
	set_page_flag(page, PG_vmemmap);
	WRITE_ONCE(page->mapping, page_to_pfn(hm, page));
	WRITE_ONCE(page->private, order);
	/* who asked, for page_owner() to name (the buddy's migratetype once free) */
	WRITE_ONCE(page->index, why);
	return page_to_pfn(hm, page);
}

/*
 * A memmap's pages freed.  One from system RAM forgets the pageblocks its
 * allocation claimed, and gives them back when @how says MEMMAP_FREE_UNDO
 * (hotmem's own rollback of what it just did) or a rewind or a failed
 * add's unwind is under way (kmem_memmap_freed()).
 */
static void free_vmemmap_pages(struct hotmem *hm, unsigned long pfn, unsigned int order,
			       int src, unsigned int how)
{
	struct page *page = pfn_to_page(hm, pfn);

	switch (src) {
	case VMEMMAP_BUDDY:
		/* the record is the head's (vmemmap_alloc_pages(): WRITE_ONCE, why) */
		clear_page_flag(page, PG_vmemmap);
		WRITE_ONCE(page->mapping, 0);
		WRITE_ONCE(page->private, 0);
		__free_pages(hm, page, order);
		kmem_memmap_freed(hm, pfn, how);
		break;
	case VMEMMAP_BOOT:
		/* free_bootmem_page(): boot memmap becomes ordinary memory */
		for (unsigned long i = 0; i < (1UL << order); i++) {
			clear_page_flag(page + i, PG_reserved);
			/* an online block's page explain may read (page_ref_count()) */
			set_page_count(page + i, 1);
			adjust_managed_page_count(hm, page + i, 1);
			__free_pages(hm, page + i, 0);
		}
		break;
	default:
		break;
	}
}

/*
 * A memmap allocation from system RAM its caller could not use (the host
 * refused its mapping, or a later one of the same operation failed):
 * freed, and the pageblocks it claimed on its way given back at once --
 * the operation fails and leaves /proc/pagetypeinfo as it was
 * (@remap_held: HVO's, under vmemmap_remap_lock for writing)
 */
static void vmemmap_alloc_undo(struct hotmem *hm, unsigned long pfn, unsigned int order,
			       const struct pageblock_claim *claim, bool remap_held)
{
	/* its claim is not recorded yet (vmemmap_alloc_keep()): given back here */
	free_vmemmap_pages(hm, pfn, order, VMEMMAP_BUDDY, 0);
	if (!claim->claimed)
		return;
	if (remap_held)
		unclaim_pageblocks_remap_held(hm, claim);
	else
		unclaim_pageblocks(hm, claim);
}

/* a memmap allocation from system RAM in use: the pageblocks it claimed kept by its pfn */
static void vmemmap_alloc_keep(struct hotmem *hm, unsigned long pfn,
			       const struct pageblock_claim *claim)
{
	if (claim->claimed)
		kmem_memmap_claimed(hm, pfn, claim);
}

static void account_memmap(struct hotmem *hm, long pages, int src)
{
	if (src == VMEMMAP_SHARED || src == VMEMMAP_NONE)
		return;
	atomic_fetch_add(&hm->memmap_pages, pages);
	/* 6.18 memmap_boot_pages_add(): boot's memmap, freed (HVO, removal) or not */
	if (src == VMEMMAP_BOOT)
		atomic_fetch_add(&hm->memmap_boot_pages, pages);
	if (src == VMEMMAP_ALTMAP)
		atomic_fetch_add(&hm->memmap_on_memory_pages, pages);
}

int vmemmap_populate_boot(struct hotmem *hm, unsigned long section_nr,
			  unsigned long backing_pfn)
{
	struct mem_section *ms = __nr_to_section(hm, section_nr);

	if (physmem_map_vmemmap(hm, vmemmap_vaddr(hm, section_nr, 0), backing_pfn,
				PMD_SIZE, false)) {
		physmem_reserve_hole(hm, vmemmap_vaddr(hm, section_nr, 0), PMD_SIZE);
		return -ENOMEM;
	}
	ms->vmemmap.pmd_pfn = backing_pfn;
	ms->vmemmap.pmd_src = VMEMMAP_BOOT;
	account_memmap(hm, SECTION_MEMMAP_PAGES, VMEMMAP_BOOT);
	return 0;
}

/*
 * One vmemmap page @i of a section on its own page: from the altmap, or a
 * base page of system RAM (vmemmap_alloc_block_buf() ->
 * vmemmap_alloc_block(), GFP_KERNEL order 0), which claims pageblocks as
 * the PMD's order-9 block does when no unmovable free page is left (6.12
 * __rmqueue_fallback() -> steal_suitable_fallback()): kept by the page's
 * pfn, given back by hotmem's own rollbacks as the PMD's
 * (kmem_memmap_freed()).  0 or -ENOMEM, nothing left.
 */
static int vmemmap_populate_pte(struct hotmem *hm, unsigned long section_nr,
				struct vmemmap_pmd *vm, unsigned long i, int nid,
				struct vmem_altmap *altmap)
{
	struct pageblock_claim claim = { .claimed = false };
	unsigned long pfn;
	int src;

	if (altmap) {
		pfn = altmap_alloc_block_buf(altmap, 1);
		src = VMEMMAP_ALTMAP;
	} else {
		pfn = vmemmap_alloc_pages(hm, nid, 0, 0, &claim, VMEMMAP_FOR_ADD);
		src = VMEMMAP_BUDDY;
	}
	if (!pfn)
		return -ENOMEM;
	if (physmem_map_vmemmap(hm, vmemmap_vaddr(hm, section_nr, i), pfn, PAGE_SIZE, false)) {
		physmem_reserve_hole(hm, vmemmap_vaddr(hm, section_nr, i), PAGE_SIZE);
		if (altmap)
			vmem_altmap_free(altmap, 1);
		else
			vmemmap_alloc_undo(hm, pfn, 0, &claim, false);
		return -ENOMEM;
	}
	vmemmap_alloc_keep(hm, pfn, &claim);
	vm->pte[i] = VMEMMAP_PTE(pfn, src);
	account_memmap(hm, 1, src);
	return 0;
}

static void vmemmap_free_pte(struct hotmem *hm, unsigned long section_nr,
			     struct vmemmap_pmd *vm, unsigned long i,
			     struct vmem_altmap *altmap, bool undo);

/*
 * vmemmap_populate_basepages() for vmemmap pages [i0, i1) of a section.
 * Traced as the kernel's (start, end) vmemmap addresses read: the pfns
 * whose struct pages they hold.  A page that cannot be had fails it, and
 * the pages this call mapped go again, newest first (each claim given
 * back once the pages after it are free): hotmem's unwind, the kernel's
 * leaves them to section_deactivate().
 */
static int vmemmap_populate_basepages(struct hotmem *hm, unsigned long section_nr,
				      unsigned long i0, unsigned long i1, int nid,
				      struct vmem_altmap *altmap)
{
	struct vmemmap_pmd *vm = &__nr_to_section(hm, section_nr)->vmemmap;
	bool mine[PTRS_PER_PTE] = { false };	/* the pages this call mapped */
	unsigned long i;
	int ret = 0;
	HM_TRACE_FN(hm, vmemmap_populate_basepages, &ret,
		    section_nr_to_pfn(section_nr) + i0 * PFNS_PER_VMEMMAP_PAGE,
		    (i1 - i0) * PFNS_PER_VMEMMAP_PAGE, nid, -1, !!altmap);

	if (vm->pmd_src != VMEMMAP_NONE)
		return 0;	/* vmemmap_check_pmd(): a huge mapping covers it */
	/* a mapping a page: more than add_memory's up-front check counted */
	ret = physmem_check_mappings(hm, i1 - i0);
	if (ret)
		return ret;
	if (!vm->pte) {
		vm->pte = hm_alloc(hm, PTRS_PER_PTE * sizeof(unsigned long));
		if (!vm->pte)
			return ret = -ENOMEM;
	}
	for (i = i0; i < i1; i++) {
		if (vm->pte[i])
			continue;
		ret = vmemmap_populate_pte(hm, section_nr, vm, i, nid, altmap);
		if (ret)
			goto unwind;
		mine[i] = true;
	}
	return 0;

unwind:
	while (i-- > i0)
		if (mine[i])
			vmemmap_free_pte(hm, section_nr, vm, i, altmap, true);
	return ret;
}

/*
 * vmemmap_populate_hugepages() for the one PMD of a full section: the
 * kernel's loops over the PMDs of [start, end), and a section's memmap is
 * one PMD (128 MiB sections, 64-byte struct pages), so one call a section
 * either way, as x86's vmemmap_populate() makes it.
 */
static int vmemmap_populate_hugepages(struct hotmem *hm, unsigned long section_nr,
				      int nid, struct vmem_altmap *altmap)
{
	struct vmemmap_pmd *vm = &__nr_to_section(hm, section_nr)->vmemmap;
	struct pageblock_claim claim = { .claimed = false };
	unsigned long pfn;
	int src, ret = 0;
	HM_TRACE_FN(hm, vmemmap_populate_hugepages, &ret, section_nr_to_pfn(section_nr),
		    PAGES_PER_SECTION, nid, -1, !!altmap);

	if (vm->pmd_src != VMEMMAP_NONE)
		return 0;
	if (!vm->pte) {
		if (altmap) {
			pfn = altmap_alloc_block_buf(altmap, SECTION_MEMMAP_PAGES);
			/* no fallback: a short altmap is a configuration bug */
			if (!pfn)
				return ret = -ENOMEM;
			src = VMEMMAP_ALTMAP;
		} else {
			pfn = vmemmap_alloc_pages(hm, nid, pageblock_order,
						  memmap_wanted(hm, section_nr), &claim,
						  VMEMMAP_FOR_ADD);
			src = VMEMMAP_BUDDY;
		}
		if (pfn) {
			if (physmem_map_vmemmap(hm, vmemmap_vaddr(hm, section_nr, 0), pfn,
						PMD_SIZE, false)) {
				physmem_reserve_hole(hm, vmemmap_vaddr(hm, section_nr, 0), PMD_SIZE);
				/* the add fails: hotmem's own unwind gives the claim back */
				if (altmap)
					vmem_altmap_free(altmap, SECTION_MEMMAP_PAGES);
				else
					vmemmap_alloc_undo(hm, pfn, pageblock_order, &claim, false);
				return ret = -ENOMEM;
			}
			/* a removal now keeps it; an undo gives it back (kmem_memmap_freed()) */
			vmemmap_alloc_keep(hm, pfn, &claim);
			vm->pmd_pfn = pfn;
			vm->pmd_src = src;
			account_memmap(hm, SECTION_MEMMAP_PAGES, src);
			/* its template's pages may stay holes (vmemmap_holes.c) */
			if (src == VMEMMAP_ALTMAP)
				vmemmap_holes_register(hm, section_nr,
						       vmemmap_vaddr(hm, section_nr, 0));
			return 0;
		}
		/* the emulator's line: 6.12's fallback says nothing after warn_alloc() (abuse31 W2) */
		pr_debug(hm, "hotmem: section %lu's memmap: no 2 MiB block for its PMD, mapped with base pages (6.12's vmemmap_populate_hugepages() falls back silently)",
			 section_nr);
	}
	ret = vmemmap_populate_basepages(hm, section_nr, 0, SECTION_MEMMAP_PAGES, nid, altmap);
	return ret;
}

static void vmemmap_page_range(unsigned long start_pfn, unsigned long nr_pages,
			       unsigned long *i0, unsigned long *i1)
{
	unsigned long off = start_pfn & ~PAGE_SECTION_MASK;

	*i0 = off * sizeof(struct page) / PAGE_SIZE;
	*i1 = DIV_ROUND_UP((off + nr_pages) * sizeof(struct page), PAGE_SIZE);
}

int vmemmap_populate(struct hotmem *hm, unsigned long start_pfn, unsigned long nr_pages,
		     int nid, struct vmem_altmap *altmap)
{
	unsigned long section_nr = pfn_to_section_nr(start_pfn), i0, i1;
	int ret = 0;
	HM_TRACE_FN(hm, vmemmap_populate, &ret, start_pfn, nr_pages, nid, -1, !!altmap);

	if (nr_pages < PAGES_PER_SECTION) {
		vmemmap_page_range(start_pfn, nr_pages, &i0, &i1);
		ret = vmemmap_populate_basepages(hm, section_nr, i0, i1, nid, NULL);
	} else {
		ret = vmemmap_populate_hugepages(hm, section_nr, nid, altmap);
	}
	return ret;
}

/*
 * The host refused to unmap a memmap (vm.max_map_count lowered below the
 * process's count; physmem_check_unmaps() refuses a removal up front, so
 * only a race gets here).  One from system RAM or memblock stays mapped
 * and populated, its pages still the memmap's: the engine never believes a
 * range unmapped that is not, and the next add of the section takes it as
 * it is (vmemmap_populate() finds it populated).  A self-hosted one lives
 * in the block going away: it cannot stay, its mapping is left to the
 * next add there.  A host before 6.12 tears the range down before it
 * refuses: nothing stays, the memmap goes as if unmapped and the
 * reservation's PROT_NONE is asked back (kept, the next add would have
 * written into the hole).  Returns whether the memmap stays.
 */
static bool vmemmap_unmap_refused(struct hotmem *hm, unsigned long section_nr, unsigned long i,
				  unsigned long nr, int src)
{
	void *vaddr = vmemmap_vaddr(hm, section_nr, i);
	bool keep = src != VMEMMAP_ALTMAP;

	if (!physmem_is_mapped(vaddr, nr * PAGE_SIZE)) {
		physmem_reserve_hole(hm, vaddr, nr * PAGE_SIZE);
		pr_err(hm, "vmemmap: the host refused to unmap vmemmap pages %lu-%lu of section %lu "
			   "(vm.max_map_count) after tearing them down: they are freed%s",
		       i, i + nr - 1, section_nr,
		       physmem_is_mapped(vaddr, nr * PAGE_SIZE) ? ""
			       : ", the hole stays (the next add maps it)");
		return false;
	}
	pr_err(hm, "vmemmap: the host refused to unmap vmemmap pages %lu-%lu of section %lu "
		   "(vm.max_map_count): %s", i, i + nr - 1, section_nr,
	       keep ? "they stay mapped and populated for the next add of the section"
		    : "they stay mapped onto the removed block until the next add there");
	return keep;
}

/* vmemmap page @i unmapped and freed; @undo: hotmem's own rollback (MEMMAP_FREE_UNDO) */
static void vmemmap_free_pte(struct hotmem *hm, unsigned long section_nr,
			     struct vmemmap_pmd *vm, unsigned long i,
			     struct vmem_altmap *altmap, bool undo)
{
	unsigned long pte = vm->pte[i];
	int src = VMEMMAP_PTE_SRC(pte);

	if (!pte)
		return;
	if (physmem_unmap_vmemmap(hm, vmemmap_vaddr(hm, section_nr, i), PAGE_SIZE) &&
	    vmemmap_unmap_refused(hm, section_nr, i, 1, src))
		return;
	if (src == VMEMMAP_ALTMAP && altmap)
		vmem_altmap_free(altmap, 1);
	free_vmemmap_pages(hm, VMEMMAP_PTE_PFN(pte), 0, src, undo ? MEMMAP_FREE_UNDO : 0);
	account_memmap(hm, -1, src);
	vm->pte[i] = 0;
}

static void vmemmap_free_pmd(struct hotmem *hm, unsigned long section_nr,
			     struct vmemmap_pmd *vm, struct vmem_altmap *altmap)
{
	if (physmem_unmap_vmemmap(hm, vmemmap_vaddr(hm, section_nr, 0), PMD_SIZE) &&
	    vmemmap_unmap_refused(hm, section_nr, 0, SECTION_MEMMAP_PAGES, vm->pmd_src))
		return;
	if (vm->pmd_src == VMEMMAP_ALTMAP && altmap)
		vmem_altmap_free(altmap, SECTION_MEMMAP_PAGES);
	free_vmemmap_pages(hm, vm->pmd_pfn, pageblock_order, vm->pmd_src, 0);
	account_memmap(hm, -(long)SECTION_MEMMAP_PAGES, vm->pmd_src);
	vmemmap_holes_forget(hm, section_nr);
	vm->pmd_src = VMEMMAP_NONE;
	vm->pmd_pfn = 0;
}

void vmemmap_free(struct hotmem *hm, unsigned long start_pfn, unsigned long nr_pages,
		  struct vmem_altmap *altmap)
{
	unsigned long section_nr = pfn_to_section_nr(start_pfn), i0, i1;
	struct mem_section *ms = __nr_to_section(hm, section_nr);
	struct vmemmap_pmd *vm = &ms->vmemmap;
	bool whole = !ms->usage || !ms->usage->subsection_map;

	HM_TRACE_FN(hm, vmemmap_free, NULL, start_pfn, nr_pages, ms->nid, -1, !!altmap);

	section_flags_clear(ms, SECTION_MEMMAP_RESIDENT);
	if (whole) {
		i0 = 0;
		i1 = SECTION_MEMMAP_PAGES;
	} else {
		vmemmap_page_range(start_pfn, nr_pages, &i0, &i1);
	}
	if (vm->pmd_src != VMEMMAP_NONE) {
		/* a huge mapping goes only when nothing in the section uses it */
		if (whole)
			vmemmap_free_pmd(hm, section_nr, vm, altmap);
	} else if (vm->pte) {
		bool empty = true;

		for (unsigned long i = i0; i < i1; i++)
			vmemmap_free_pte(hm, section_nr, vm, i, altmap, false);
		for (unsigned long i = 0; i < PTRS_PER_PTE && empty; i++)
			empty = !vm->pte[i];
		if (empty) {
			hm_free(hm, vm->pte, PTRS_PER_PTE * sizeof(unsigned long));
			vm->pte = NULL;
			vm->split_pfn = 0;
		}
	}
	/* what the flags say of the mapping goes with it (a kept one keeps them) */
	if (!vmemmap_populated(ms))
		section_flags_clear(ms, SECTION_MEMMAP_SHARED | SECTION_MEMMAP_UNMAPPED);
}

/* a memmap mapped, of a valid section or one the host kept (vmemmap_unmap_refused()) */
bool vmemmap_populated(const struct mem_section *ms)
{
	return ms->vmemmap.pmd_src != VMEMMAP_NONE || ms->vmemmap.pte;
}

/*
 * The page backing @pfn's struct page in the emulated machine.  Of a
 * shared memmap (vmemmap_share_template()) the host holds the content in
 * the template's mapping, not in that page: whatever remaps or reads
 * vmemmap pages through their backing splits the PMD first
 * (vmemmap_split_pmd() unshares).
 */
unsigned long vmemmap_backing_pfn(struct hotmem *hm, unsigned long pfn, int *src)
{
	struct mem_section *ms = __pfn_to_section(hm, pfn);
	unsigned long idx = (pfn & ~PAGE_SECTION_MASK) * sizeof(struct page) / PAGE_SIZE;

	*src = VMEMMAP_NONE;
	if (!ms)
		return 0;
	if (ms->vmemmap.pmd_src != VMEMMAP_NONE) {
		*src = ms->vmemmap.pmd_src;
		return ms->vmemmap.pmd_pfn + idx;
	}
	if (ms->vmemmap.pte && ms->vmemmap.pte[idx]) {
		*src = VMEMMAP_PTE_SRC(ms->vmemmap.pte[idx]);
		return VMEMMAP_PTE_PFN(ms->vmemmap.pte[idx]);
	}
	return 0;
}

/*
 * How often a mapping that must be there is asked for again.  A refusal
 * that tore the old mapping down (hosts before 6.12, or 6.12 when the old
 * pages were already cleared) left a hole, and mapping into a hole needs
 * no split: the next try may well get what the first could not.
 */
#define HOST_MAP_TRIES 3

/* vmemmap page @i of a section onto @pfn, asked again after a refusal */
static int vmemmap_map_page(struct hotmem *hm, unsigned long section_nr, unsigned long i,
			    unsigned long pfn, bool readonly)
{
	int ret = -ENOMEM;

	for (int t = 0; t < HOST_MAP_TRIES && ret; t++)
		ret = physmem_map_vmemmap(hm, vmemmap_vaddr(hm, section_nr, i), pfn, PAGE_SIZE,
					  readonly);
	return ret;
}

/*
 * Vmemmap page @i of a split section that neither mapping the host was
 * asked for holds: marked for vmemmap_map_ptes(), and the reservation's
 * PROT_NONE put back, so that no mapping of somebody else's lands in the
 * vmemmap window (refused too, the hole stays, still marked).
 */
static void vmemmap_pte_lost(struct hotmem *hm, unsigned long section_nr, unsigned long i)
{
	struct vmemmap_pmd *vm = &__nr_to_section(hm, section_nr)->vmemmap;

	vm->pte[i] |= VMEMMAP_PTE_LOST;
	physmem_unmap_vmemmap(hm, vmemmap_vaddr(hm, section_nr, i), PAGE_SIZE);
}

/* the torn memfd pages' content kept for section @section_nr (hm->torn_memmaps) */
static struct page **vmemmap_torn(struct hotmem *hm, unsigned long section_nr)
{
	struct page **torn = __atomic_load_n(&hm->torn_memmaps, __ATOMIC_ACQUIRE);

	return torn ? &torn[section_nr] : NULL;
}

static void vmemmap_drop_torn(struct hotmem *hm, unsigned long section_nr)
{
	struct page **torn = vmemmap_torn(hm, section_nr);

	if (torn) {
		free(*torn);
		*torn = NULL;
	}
}

/* the torn memfd pages of @section_nr, if any, written as they were */
static int vmemmap_write_torn(struct hotmem *hm, unsigned long section_nr)
{
	struct page **torn = vmemmap_torn(hm, section_nr);

	if (!torn || !*torn)
		return 0;
	if (physmem_write(hm, __nr_to_section(hm, section_nr)->vmemmap.pmd_pfn, *torn, PMD_SIZE))
		return -ENOMEM;
	vmemmap_drop_torn(hm, section_nr);
	return 0;
}

void vmemmap_free_torn(struct hotmem *hm)
{
	if (!hm->torn_memmaps)
		return;
	for (unsigned long nr = 0; nr < nr_mem_sections(hm); nr++)
		free(hm->torn_memmaps[nr]);
	free(hm->torn_memmaps);
	hm->torn_memmaps = NULL;
}

/* the host's refusal, said once where it leaves a memmap unmapped */
static void vmemmap_lost(struct hotmem *hm, unsigned long section_nr, const char *what)
{
	struct mem_section *ms = __nr_to_section(hm, section_nr);

	/* atomic: the memmap prefetcher sets SECTION_MEMMAP_RESIDENT beside onlining threads */
	__atomic_fetch_or(&ms->section_mem_map, SECTION_MEMMAP_UNMAPPED, __ATOMIC_RELAXED);
	pr_err(hm, "vmemmap: the host refused to map %s of section %lu back "
		   "(vm.max_map_count or host memory)%s", what, section_nr,
	       online_section(ms) ? ": the section is online and its struct pages cannot be "
				    "read until it does; raise vm.max_map_count"
				  : "; the next online maps it again first");
}

/*
 * A section's memmap mapped from its memfd pages again, after a failed
 * MAP_FIXED left the range unmapped (hosts before 6.12 unmap first; 6.12
 * puts the old mapping back unless it was torn down).  When the host
 * refuses that too, the reservation's PROT_NONE goes back so that no
 * other mapping lands in the window (refused as well, the old mapping or
 * the hole stays), and SECTION_MEMMAP_UNMAPPED says that nothing may
 * touch the memmap (vmemmap_remap_lost() retries).
 */
static int vmemmap_map_memfd(struct hotmem *hm, unsigned long section_nr)
{
	struct mem_section *ms = __nr_to_section(hm, section_nr);
	void *vaddr = vmemmap_vaddr(hm, section_nr, 0);
	int ret = -ENOMEM;

	/* the shared memmap's copies are gone with the mapping */
	__atomic_fetch_and(&ms->section_mem_map, ~SECTION_MEMMAP_SHARED, __ATOMIC_RELAXED);
	/* never mapped torn (vmemmap_lost_off_buddy()): its memfd pages as they were first */
	if (vmemmap_write_torn(hm, section_nr)) {
		pr_err(hm, "vmemmap: the memmap of section %lu stays unmapped: the host refused "
			   "to write back its memfd pages, which hold part of a changed copy "
			   "(host memory)", section_nr);
		return -ENOMEM;
	}
	for (int t = 0; t < HOST_MAP_TRIES && ret; t++)
		ret = physmem_map_vmemmap(hm, vaddr, ms->vmemmap.pmd_pfn, PMD_SIZE, false);
	if (ret) {
		physmem_unmap_vmemmap(hm, vaddr, PMD_SIZE);
		vmemmap_lost(hm, section_nr, "the memmap");
		return ret;
	}
	/*
	 * Its free pages on their lists before it is said mapped: a reader
	 * that tests memmap_unmapped() (hotmem_alloc_page_at()) would find
	 * one with PG_buddy and no list links.
	 */
	if (__atomic_fetch_and(&ms->section_mem_map, ~SECTION_MEMMAP_OFF_BUDDY, __ATOMIC_RELAXED) &
	    SECTION_MEMMAP_OFF_BUDDY)
		put_lost_memmap_back(hm, section_nr_to_pfn(section_nr));
	__atomic_fetch_and(&ms->section_mem_map, ~SECTION_MEMMAP_UNMAPPED, __ATOMIC_RELEASE);
	return 0;
}

/*
 * The vmemmap pages of a split section the host left unmapped
 * (VMEMMAP_PTE_LOST), each mapped onto what its pte says again (a HugeTLB
 * tail read-only onto the page it shares).  By the mark, not by what is
 * mapped there: the reservation's PROT_NONE counts as mapped, and a hole
 * may have been taken by a mapping of somebody else's.
 */
static int vmemmap_map_ptes(struct hotmem *hm, unsigned long section_nr)
{
	struct mem_section *ms = __nr_to_section(hm, section_nr);
	unsigned long *pte = ms->vmemmap.pte;
	int ret = 0;

	for (unsigned long i = 0; i < PTRS_PER_PTE; i++) {
		if (!(pte[i] & VMEMMAP_PTE_LOST))
			continue;
		if (vmemmap_map_page(hm, section_nr, i, VMEMMAP_PTE_PFN(pte[i]),
				     VMEMMAP_PTE_SRC(pte[i]) == VMEMMAP_SHARED))
			ret = -ENOMEM;
		else
			pte[i] &= ~VMEMMAP_PTE_LOST;
	}
	if (ret) {
		vmemmap_lost(hm, section_nr, "vmemmap pages");
		return ret;
	}
	__atomic_fetch_and(&ms->section_mem_map, ~SECTION_MEMMAP_UNMAPPED, __ATOMIC_RELAXED);
	return 0;
}

/*
 * At most this many vmemmap pages the host copied are kept and written
 * back by vmemmap_reshare(); more, and the memmap is remapped, which
 * gives the copies back to the host.  Not a matter of time: writing back
 * costs less than remapping at every count (8 blocks cycled, 2026-11-28,
 * load 1.1-1.6 on the 2-CPU VM: 33-43 us a cycle with the 32 buddy heads
 * copied, 51-66 us with 128, 220-290 us with all 512, against 260-575 us
 * remapped; bench_engine's engine_reshare_at_cap_vs_remap).  A matter of host
 * memory: an online of a free block copies the buddy heads anyway (one
 * vmemmap page in 16, 32), and the online/offline storms copy nothing
 * more; a memmap the workload used while online is up to 2 MiB of copies,
 * which a section cycled into the same zone would otherwise keep for good
 * (hotmem_ram_resident_bytes() never going down).  An eighth of the
 * memmap, twice the buddy heads, keeps the storms on the cheap path and
 * gives back what use left.
 */
#define RESHARE_MAX_COPIED	(SECTION_MEMMAP_PAGES / 8)

#define COPIES_BITS	(8 * sizeof(unsigned long))

/* the walk's copies, noted in the section's bitmap: it stops at the one past the cap */
struct reshare_copies {
	char *memmap;
	unsigned long *map;
};

static void reshare_note(void *page, void *arg)
{
	struct reshare_copies *c = arg;
	unsigned long i = (unsigned long)((char *)page - c->memmap) / PAGE_SIZE;

	c->map[i / COPIES_BITS] |= 1UL << (i % COPIES_BITS);
}

/* which vmemmap pages of a shared memmap the host copied, asked of its page table */
static int vmemmap_copies_read(struct hotmem *hm, unsigned long section_nr)
{
	struct vmemmap_pmd *vm = &__nr_to_section(hm, section_nr)->vmemmap;
	struct reshare_copies c = { vmemmap_vaddr(hm, section_nr, 0), vm->copies };
	long copied;

	memset(vm->copies, 0, sizeof(vm->copies));
	copied = physmem_private_pages(hm, c.memmap, PMD_SIZE, RESHARE_MAX_COPIED, reshare_note, &c);
	return copied < 0 || (unsigned long)copied > RESHARE_MAX_COPIED ? -1 : 0;
}

/*
 * A shared memmap made its template's again without a new mapping: the
 * pages the host copied since (the buddy heads and whatever was used) get
 * the template's content written back, the others still are the
 * template's.  Remapping instead costs the unmap of all 512 PTEs, a TLB
 * flush on every CPU hotmemfs's threads ran on, and the faults and copies
 * back: most of an online/offline cycle's time (perf, make bench's
 * trace_engine_storm).  -1 when the host's page tables cannot be read, or
 * when more than RESHARE_MAX_COPIED pages are copies: the caller remaps.
 *
 * The host is asked only when it may have copied a page since it was last
 * asked: a copy is made by a write fault, which the host counts for the
 * thread that took it (physmem_faults()), whatever wrote -- the online and
 * offline, the kernel's own allocations, the workload's thread, memory
 * failure, explain's reads.  While this process took no fault since, the
 * copies are those of the last answer (written to since, maybe: a copy's
 * writes take no fault, and all of them get the template back).  The one
 * copy made without a fault, UFFDIO_COPY's of a fresh mapping's buddy
 * heads (vmemmap_populate_online()), is made right after that mapping,
 * and after a fresh mapping the host is asked anyway (copies_faults -1):
 * the last answer was the old mapping's.  The count is read before the walk,
 * so a fault whose copy the walk missed is counted after it: asked again
 * next time.  In the storms nothing faults between two onlines of a
 * section (the copies are the buddy heads, each pageblock's first struct
 * page mapped), and the walk, a fifth of an engine storm's cycle, is one
 * getrusage() (~1 us).
 */
static int vmemmap_reshare(struct hotmem *hm, unsigned long section_nr, int slot)
{
	struct vmemmap_pmd *vm = &__nr_to_section(hm, section_nr)->vmemmap;
	const struct page tmpl = hm->memmap_tmpl[slot];
	char *memmap = vmemmap_vaddr(hm, section_nr, 0);
	long faults = physmem_faults(hm);

	if (faults < 0 || faults != vm->copies_faults) {
		vm->copies_faults = -1;
		if (vmemmap_copies_read(hm, section_nr))
			return -1;
	}
	vm->copies_faults = faults;
	for (unsigned long w = 0; w < ARRAY_SIZE(vm->copies); w++)
		for (unsigned long m = vm->copies[w]; m; m &= m - 1) {
			unsigned long i = w * COPIES_BITS + (unsigned long)__builtin_ctzl(m);

			memmap_fill((struct page *)(memmap + i * PAGE_SIZE),
				    PAGE_SIZE / sizeof(struct page), &tmpl);
		}
	return 0;
}

/* the struct pages of max-order blocks: page-aligned in the vmemmap */
#define HEADS_STRIDE		(MAX_ORDER_NR_PAGES * sizeof(struct page))
_Static_assert(HEADS_STRIDE % PAGE_SIZE == 0, "a max-order block's head a vmemmap page");

/*
 * A section freshly mapped onto its template is next freed to the buddy
 * in max-order blocks (online_pages_range(), memblock_free_all() at
 * boot): each block's head struct page is read (page_zone()) and written
 * (add_to_free_list()), the only struct pages a first online of a free
 * section touches (undo_isolate_page_range() takes its zone once, not from
 * each pageblock's first struct page).  So the host copies those 32
 * vmemmap pages now, the same copies the online would make (no more host
 * memory): filled with the template's content by UFFDIO_COPY where the
 * mapping is registered (physmem_copy_in(): no trap at all, 45 us an
 * online against 66 with the 32 populated by process_madvise()), else
 * each written first, with the template's struct page, which it holds
 * already: a store and no load, so one copy-on-write fault (do_cow_fault())
 * instead of a read fault that maps the template's page and then the
 * copy.  Either way nothing but the heads is mapped.
 */
static void vmemmap_populate_online(struct hotmem *hm, unsigned long section_nr, int slot)
{
	const unsigned int nr = PAGES_PER_SECTION / MAX_ORDER_NR_PAGES;
	const struct page *tmpl = &hm->memmap_tmpl[slot];
	char *memmap = vmemmap_vaddr(hm, section_nr, 0);
	struct page src[PFNS_PER_VMEMMAP_PAGE];
	unsigned int done;

	memmap_fill(src, PFNS_PER_VMEMMAP_PAGE, tmpl);
	done = physmem_copy_in(hm, memmap, HEADS_STRIDE, nr, src);
	for (unsigned int i = done; i < nr; i++)
		memmap_fill((struct page *)(memmap + i * HEADS_STRIDE), 1, tmpl);
}

/* vmemmap_share_template()'s remap onto template @slot, and its undo */
static int vmemmap_remap_template(struct hotmem *hm, unsigned long section_nr, int slot)
{
	struct mem_section *ms = __nr_to_section(hm, section_nr);
	struct vmemmap_pmd *vm = &ms->vmemmap;
	unsigned long old;

	if (physmem_map_vmemmap_template(hm, vmemmap_vaddr(hm, section_nr, 0), slot))
		goto err_remap;
	vmemmap_populate_online(hm, section_nr, slot);
	vm->tmpl_slot = slot;
	/* what a torn memfd held before is no one's memmap now */
	vmemmap_drop_torn(hm, section_nr);
	/* a fresh mapping: the last answer was the old one's, the host is asked next time */
	vm->copies_faults = -1;
	old = __atomic_fetch_or(&ms->section_mem_map, SECTION_MEMMAP_SHARED, __ATOMIC_RELAXED);
	/* whatever an earlier refusal left, the template is mapped now */
	__atomic_fetch_and(&ms->section_mem_map, ~SECTION_MEMMAP_UNMAPPED, __ATOMIC_RELAXED);
	/* its memfd pages, if ever faulted in, now hold nothing anyone reads */
	if ((old & (SECTION_MEMMAP_RESIDENT | SECTION_MEMMAP_SHARED)) == SECTION_MEMMAP_RESIDENT)
		physmem_discard(hm, PFN_PHYS(vm->pmd_pfn), PMD_SIZE);
	__atomic_fetch_and(&ms->section_mem_map, ~SECTION_MEMMAP_RESIDENT, __ATOMIC_RELAXED);
	return 1;

err_remap:
	/*
	 * The failed MAP_FIXED left the old mapping: the caller writes into
	 * it -- unless the old one is the reservation's PROT_NONE of a
	 * memmap an earlier refusal left unmapped (physmem_is_mapped()
	 * counts that as mapped too).
	 */
	if (!section_memmap_unmapped(ms) &&
	    physmem_is_mapped(vmemmap_vaddr(hm, section_nr, 0), PMD_SIZE))
		return 0;
	return vmemmap_map_memfd(hm, section_nr);
}

/*
 * The memmap of a whole section from system RAM (hot-added) or memblock
 * (boot) in its initial state is a template (physmem_memmap_template()):
 * map it copy-on-write instead of writing 2 MiB.  The host copies a
 * vmemmap page on its first write (the buddy heads, then whatever gets
 * allocated); the emulated machine still pays the 512 backing pages.
 * Whatever the section's memmap held before is gone, as memmap_init would
 * have overwritten it.  A self-hosted memmap is always written into its
 * block: the direct map shows it there (seed 001/003).
 *
 * A memmap that already maps this template (onlined again into the same
 * zone) is not remapped: vmemmap_reshare() puts the template back into
 * the pages the host copied, which leaves the same memmap at a fraction of
 * the cost -- unless the host copied more than RESHARE_MAX_COPIED, which
 * the remap gives back.
 *
 * Returns 1 when the memmap shares the template, 0 when it stays mapped
 * as it was (the caller writes it), -ENOMEM when the host left it
 * unmapped (SECTION_MEMMAP_UNMAPPED; vmemmap_remap_lost() retries).
 */
int vmemmap_share_template(struct hotmem *hm, unsigned long section_nr, int slot)
{
	struct mem_section *ms = __nr_to_section(hm, section_nr);
	struct vmemmap_pmd *vm = &ms->vmemmap;
	int ret;

	if (vm->pmd_src != VMEMMAP_BUDDY && vm->pmd_src != VMEMMAP_BOOT)
		return 0;
	/* atomic: the memmap prefetcher may set SECTION_MEMMAP_RESIDENT meanwhile */
	if ((__atomic_load_n(&ms->section_mem_map, __ATOMIC_RELAXED) & SECTION_MEMMAP_SHARED) &&
	    vm->tmpl_slot == slot && !vmemmap_reshare(hm, section_nr, slot))
		return 1;
	/*
	 * A refused remap's hole, until the undo maps it again or says it
	 * unmapped, is never seen by a reader without device_hotplug_lock
	 * (explain, which may have seen the block online before an offline
	 * and this online): the write side of vmemmap_remap_lock, as HVO's.
	 */
	pthread_rwlock_wrlock(&hm->vmemmap_remap_lock);
	ret = vmemmap_remap_template(hm, section_nr, slot);
	pthread_rwlock_unlock(&hm->vmemmap_remap_lock);
	return ret;
}

/*
 * The memmaps of a range the host left unmapped (SECTION_MEMMAP_UNMAPPED),
 * mapped again: after a failed move_pfn_range_to_zone(), before a memmap
 * is written without its template (memmap_init_worker()), before HugeTLB
 * remaps a section's vmemmap.  -ENOMEM while one still is.
 */
int vmemmap_remap_lost(struct hotmem *hm, unsigned long start_pfn, unsigned long nr_pages)
{
	int ret = 0;

	for (unsigned long pfn = ALIGN_DOWN(start_pfn, PAGES_PER_SECTION);
	     pfn < start_pfn + nr_pages; pfn += PAGES_PER_SECTION) {
		unsigned long nr = pfn_to_section_nr(pfn);
		struct mem_section *ms = __nr_to_section(hm, nr);

		if (!section_memmap_unmapped(ms))
			continue;
		if (ms->vmemmap.pmd_src != VMEMMAP_NONE)
			ret = vmemmap_map_memfd(hm, nr) ?: ret;
		else if (ms->vmemmap.pte)
			ret = vmemmap_map_ptes(hm, nr) ?: ret;
	}
	return ret;
}

/*
 * vmemmap_remap_lost() by a caller that holds device_hotplug_lock but not
 * mem_hotplug_lock for writing (memory failure, virtio-mem's fake-online
 * and fake-offline): the write side of vmemmap_remap_lock, as HVO's,
 * keeps the workload (hotmem_alloc_page_at(), hotmem_free_page()) and
 * explain, which test memmap_unmapped() under its read side, out until
 * the memmap is mapped and its free pages are on their lists again.
 */
int vmemmap_remap_lost_excl(struct hotmem *hm, unsigned long start_pfn, unsigned long nr_pages)
{
	int ret;

	pthread_rwlock_wrlock(&hm->vmemmap_remap_lock);
	ret = vmemmap_remap_lost(hm, start_pfn, nr_pages);
	pthread_rwlock_unlock(&hm->vmemmap_remap_lock);
	return ret;
}

/*
 * Is @pfn's struct page in a memmap the host left unmapped?  Without
 * device_hotplug_lock only what an earlier refusal left is seen
 * (vmemmap_remap_lock for reading keeps a refusal being handled out).
 */
bool memmap_unmapped(struct hotmem *hm, unsigned long pfn)
{
	struct mem_section *ms = __pfn_to_section(hm, pfn);

	return ms && section_memmap_unmapped(ms);
}

/*
 * A reader's refusal of such a struct page, instead of a fault: -ENOMEM,
 * as the next HugeTLB operation, offline or memory failure of the section
 * gives while the host still refuses to map it, and the log says why.
 */
int memmap_check_mapped(struct hotmem *hm, unsigned long pfn, const char *who)
{
	if (!memmap_unmapped(hm, pfn))
		return 0;
	pr_warn(hm, "%s: the memmap of pfn %#lx is unmapped (the host refused to map it back: "
		    "vm.max_map_count); a HugeTLB operation, offline or memory failure of "
		    "section %lu maps it again", who, pfn, pfn_to_section_nr(pfn));
	return -ENOMEM;
}

/*
 * The whole memmap of an online section lost (its unshare's remap refused,
 * then mapping its memfd pages back): its free pages off the buddy
 * (take_lost_memmap_off_buddy()), by the memmap's content in those memfd
 * pages, which the unshare has just written -- so writing them back does
 * not allocate.  Their list neighbours outside and the zone's counts
 * change only once the copy is back; without the memory for the copy, or
 * its write refused, nothing changed, the zone stays at risk and the log
 * says so.  A refused write may have written part of the copy
 * (physmem_io() loops on short writes), whose free blocks have no list
 * links: the original goes back; refused too, the memfd pages are torn
 * and the original is kept (hm->torn_memmaps) for vmemmap_map_memfd(), which
 * never maps them before writing it.
 */
static void vmemmap_lost_off_buddy(struct hotmem *hm, unsigned long section_nr)
{
	struct mem_section *ms = __nr_to_section(hm, section_nr);
	const unsigned long pfn = ms->vmemmap.pmd_pfn;
	struct page *copy = malloc(PMD_SIZE), *orig = malloc(PMD_SIZE);
	struct lost_block *blocks = NULL;
	unsigned long taken;
	long nr = -ENOMEM;

	/* where a torn write keeps the original, before anything changes */
	if (!hm->torn_memmaps)
		__atomic_store_n(&hm->torn_memmaps, calloc(nr_mem_sections(hm), sizeof(orig)),
				 __ATOMIC_RELEASE);
	if (copy && orig && hm->torn_memmaps && !physmem_read(hm, pfn, orig, PMD_SIZE)) {
		memcpy(copy, orig, PMD_SIZE);
		nr = take_lost_memmap_off_buddy(hm, vmemmap_vaddr(hm, section_nr, 0), copy, &blocks);
	}
	if (nr >= 0 && physmem_write(hm, pfn, copy, PMD_SIZE)) {
		nr = -ENOMEM;
		if (physmem_write(hm, pfn, orig, PMD_SIZE)) {
			pr_err(hm, "vmemmap: the memfd pages of section %lu's memmap are torn (a "
				   "refused write, and its undo refused): they are written back "
				   "before the memmap is mapped again", section_nr);
			hm->torn_memmaps[section_nr] = orig;
			orig = NULL;
		}
	}
	if (nr < 0) {
		pr_err(hm, "vmemmap: the free pages of section %lu stay on the free lists through "
			   "its unmapped memmap: the zone's next free or allocation may fault",
		       section_nr);
		goto out;
	}
	taken = lost_memmap_unlink(blocks, (unsigned long)nr);
	__atomic_fetch_or(&ms->section_mem_map, SECTION_MEMMAP_OFF_BUDDY, __ATOMIC_RELAXED);
	pr_warn(hm, "vmemmap: %lu free pages of section %lu taken off the buddy until its memmap "
		    "is mapped again", taken, section_nr);
out:
	free(blocks);
	free(orig);
	free(copy);
}

/*
 * A shared memmap written to the memfd pages backing it, and mapped from
 * there again.  Refused, the template's mapping stays (6.12) and nothing
 * changed; or it was torn down, and the memfd pages just written are
 * mapped again (vmemmap_map_memfd() asks more than once: the section may
 * be online, HugeTLB splits online memmaps).
 */
static int vmemmap_unshare(struct hotmem *hm, unsigned long section_nr)
{
	struct mem_section *ms = __nr_to_section(hm, section_nr);
	void *vaddr = vmemmap_vaddr(hm, section_nr, 0);
	int ret;

	if (!(ms->section_mem_map & SECTION_MEMMAP_SHARED))
		return 0;
	if (physmem_write(hm, ms->vmemmap.pmd_pfn, vaddr, PMD_SIZE))
		return -ENOMEM;
	if (physmem_map_vmemmap(hm, vaddr, ms->vmemmap.pmd_pfn, PMD_SIZE, false))
		goto err_remap;
	__atomic_fetch_and(&ms->section_mem_map, ~SECTION_MEMMAP_SHARED, __ATOMIC_RELAXED);
	return 0;

err_remap:
	if (physmem_is_mapped(vaddr, PMD_SIZE))
		return -ENOMEM;
	ret = vmemmap_map_memfd(hm, section_nr);
	if (ret && online_section(ms))
		vmemmap_lost_off_buddy(hm, section_nr);
	return ret;
}

/* host memory the shared memmaps' copied pages take; under device_hotplug_lock */
size_t vmemmap_private_bytes(struct hotmem *hm)
{
	size_t bytes = 0;

	for (unsigned long nr = 0; nr < nr_mem_sections(hm); nr++) {
		struct mem_section *ms = __nr_to_section(hm, nr);
		long copied;

		if (!ms || !(ms->section_mem_map & SECTION_MEMMAP_SHARED))
			continue;
		copied = physmem_private_pages(hm, vmemmap_vaddr(hm, nr, 0), PMD_SIZE, ULONG_MAX,
					       NULL, NULL);
		if (copied < 0)
			break;
		bytes += (size_t)copied * PAGE_SIZE;
	}
	return bytes;
}

/* ------------------------------------------------------------------ */
/* HugeTLB vmemmap optimisation (mm/hugetlb_vmemmap.c)                 */
/* ------------------------------------------------------------------ */

/*
 * Following 6.12: hugetlb_vmemmap_optimize_folio() -> vmemmap_remap_free()
 * and hugetlb_vmemmap_restore_folio() -> vmemmap_remap_alloc(), with the
 * reuse address still their argument (later kernels fold it into the
 * walk).  The head's vmemmap page (HUGETLB_VMEMMAP_RESERVE_SIZE, one
 * page) moves to a new page when one can be had (hvo_new_head()); the
 * tails after it are remapped read-only onto it, and the restore gives
 * only them their own pages again: the head stays on its new page.
 */
#define HVO_VMEMMAP_PAGES	(pageblock_nr_pages * sizeof(struct page) / PAGE_SIZE)
/*
 * The host mappings HVO may make: a MAP_FIXED a vmemmap page (the head's
 * onto its new page, the tails onto it), each of which may split the
 * mapping around it in three, and as many again for the undo to put
 * every one back when the host refuses one.
 */
#define HVO_HOST_MAPS		(2 * HVO_VMEMMAP_PAGES * 2)

/*
 * vmemmap_split_pmd(): PMD -> PTEs, the 2 MiB allocation becomes 512
 * pages.  From here on single vmemmap pages change backing (remapped onto
 * their memfd pages), so a shared memmap is unshared first: this is the
 * one place where the backing of a huge mapping changes.
 */
static int vmemmap_split_pmd(struct hotmem *hm, unsigned long section_nr)
{
	struct vmemmap_pmd *vm = &__nr_to_section(hm, section_nr)->vmemmap;
	unsigned long *pte;
	int ret;

	if (vm->pmd_src == VMEMMAP_NONE)
		return 0;
	pte = hm_alloc(hm, PTRS_PER_PTE * sizeof(unsigned long));
	if (!pte)
		return -ENOMEM;
	ret = vmemmap_unshare(hm, section_nr);
	if (ret) {
		hm_free(hm, pte, PTRS_PER_PTE * sizeof(unsigned long));
		return ret;
	}
	for (unsigned long i = 0; i < PTRS_PER_PTE; i++)
		pte[i] = VMEMMAP_PTE(vm->pmd_pfn + i, vm->pmd_src);
	if (vm->pmd_src == VMEMMAP_BUDDY)
		split_page(hm, pfn_to_page(hm, vm->pmd_pfn), pageblock_order);
	/* the kernel forgets the block; a state file saves it (hotmem_memmap_walk_range()) */
	vm->split_pfn = vm->pmd_src == VMEMMAP_BUDDY ? vm->pmd_pfn : 0;
	vm->pte = pte;
	vm->pmd_src = VMEMMAP_NONE;
	vm->pmd_pfn = 0;
	return 0;
}

/*
 * vm.hugetlb_optimize_vmemmap, 0644 and proc_dobool() in 6.12: a plain
 * bool the pool reads once for each page it takes (READ_ONCE()), so a
 * write takes no lock, and what was optimised stays so until it is
 * restored (the folio's own flag, here its shared tails, says so: not
 * the switch).  Relaxed: nothing else is published with it.
 */
bool hotmem_hugetlb_optimize_vmemmap(struct hotmem *hm)
{
	return atomic_load_explicit(&hm->vmemmap_optimize_enabled, memory_order_relaxed);
}

void hotmem_set_hugetlb_optimize_vmemmap(struct hotmem *hm, bool on)
{
	atomic_store_explicit(&hm->vmemmap_optimize_enabled, on, memory_order_relaxed);
}

/*
 * vmemmap_should_optimize_folio(): @enabled, the switch as the pool read
 * it for this page (or a restore's choice); and a self-hosted memmap must
 * stay as it is -- the first vmemmap page of such a block describes
 * itself (seed 003; 6.12 checks it in vmemmap_pmd_entry(): -ENOTSUPP), so
 * we look at the page backing this huge page's struct pages.
 */
static bool vmemmap_should_optimize(struct hotmem *hm, unsigned long head_pfn, bool enabled)
{
	struct mem_section *ms = __pfn_to_section(hm, head_pfn);
	unsigned long backing;
	int src;

	if (!enabled)
		return false;
	if (ms->section_mem_map & SECTION_CANNOT_OPTIMIZE_VMEMMAP)
		return false;
	backing = vmemmap_backing_pfn(hm, head_pfn, &src);
	if (!backing || src == VMEMMAP_ALTMAP)
		return false;
	return !PageVmemmapSelfHosted(pfn_to_page(hm, backing));
}

static unsigned long hvo_first_vmemmap_page(unsigned long head_pfn)
{
	return (head_pfn & ~PAGE_SECTION_MASK) * sizeof(struct page) / PAGE_SIZE;
}

/* vmemmap page @i an optimised huge page's tail, read-only on the head's page at @head */
static bool hvo_tail_on(const struct vmemmap_pmd *vm, unsigned long i, unsigned long head)
{
	return VMEMMAP_PTE_SRC(vm->pte[i]) == VMEMMAP_SHARED && VMEMMAP_PTE_PFN(vm->pte[i]) == head;
}

/*
 * Vmemmap page @i of split memmap @vm an optimised huge page's head: a
 * huge page's first (hvo_first_vmemmap_page()) one of whose tails maps
 * its page -- any of them, not the next alone: a refused undo may leave
 * some on pages of their own (vmemmap_remap_restore(), hvo_unrestore())
 */
static bool hvo_shared_head(const struct vmemmap_pmd *vm, unsigned long i)
{
	if (i % HVO_VMEMMAP_PAGES)
		return false;
	for (unsigned long n = 1; n < HVO_VMEMMAP_PAGES && i + n < PTRS_PER_PTE; n++)
		if (hvo_tail_on(vm, i + n, VMEMMAP_PTE_PFN(vm->pte[i])))
			return true;
	return false;
}

/* any tail sharing the head's vmemmap page (a refused undo may leave only some) */
/*
 * The pages hugetlb_vmemmap_restore() allocates for the huge page at
 * @head_pfn: one a tail vmemmap page that shares the head's (6.12
 * alloc_vmemmap_page_list(), HUGETLB_VMEMMAP_RESERVE_SIZE kept: 7 on
 * x86-64 for 2 MiB), 0 when it is not optimised.  Under
 * vmemmap_remap_lock (explain reads it for reading).
 */
unsigned long hugetlb_vmemmap_restore_need(struct hotmem *hm, unsigned long head_pfn)
{
	struct mem_section *ms = __pfn_to_section(hm, head_pfn);
	unsigned long i0 = hvo_first_vmemmap_page(head_pfn), need = 0;

	if (!ms->vmemmap.pte)
		return 0;
	for (unsigned long n = 1; n < HVO_VMEMMAP_PAGES; n++)
		need += VMEMMAP_PTE_SRC(ms->vmemmap.pte[i0 + n]) == VMEMMAP_SHARED;
	return need;
}

bool vmemmap_is_optimized(struct hotmem *hm, unsigned long head_pfn)
{
	return hugetlb_vmemmap_restore_need(hm, head_pfn) != 0;
}

/* the same for a caller that does not hold vmemmap_remap_lock */
bool hugetlb_vmemmap_optimized(struct hotmem *hm, unsigned long head_pfn)
{
	bool is;

	pthread_rwlock_rdlock(&hm->vmemmap_remap_lock);
	is = vmemmap_is_optimized(hm, head_pfn);
	pthread_rwlock_unlock(&hm->vmemmap_remap_lock);
	return is;
}

/*
 * a tail now on the head's vmemmap page: its own page goes
 * (free_vmemmap_page_list()); @undo: a refused restore puts back the
 * tails it had restored, whose fresh pages' claims go back with them.
 * Under vmemmap_remap_lock for writing (hvo_remap_locked()).
 */
static void hvo_free_tail(struct hotmem *hm, struct vmemmap_pmd *vm, unsigned long i,
			  unsigned long keep, bool undo)
{
	unsigned long old = vm->pte[i];

	free_vmemmap_pages(hm, VMEMMAP_PTE_PFN(old), 0, VMEMMAP_PTE_SRC(old),
			   MEMMAP_FREE_REMAP_HELD | (undo ? MEMMAP_FREE_UNDO : 0));
	account_memmap(hm, -1, VMEMMAP_PTE_SRC(old));
	atomic_fetch_add(&hm->hvo_saved_pages, 1);
	vm->pte[i] = VMEMMAP_PTE(keep, VMEMMAP_SHARED);
}

/*
 * vmemmap_remap_free()'s second walk (vmemmap_restore_pte()) over the
 * tails up to @failed, the one the host refused.  The kernel's walk fails
 * only at a PMD split, before any PTE changed, and its restore cannot
 * fail.  Here every tail is a MAP_FIXED: the refused one may have been
 * torn down (so it is restored too), and a restore may be refused.  A
 * tail the host will not put back on its own page stays on, or goes back
 * onto, the head's vmemmap page: the same struct pages, read-only, so it
 * is optimised alone (its own page freed, counted saved; the huge page's
 * restore brings it back).  Only a tail that neither can be mapped is
 * lost (vmemmap_lost(); vmemmap_remap_lost() maps it later).
 */
static int vmemmap_remap_restore(struct hotmem *hm, unsigned long section_nr,
				 unsigned long i0, unsigned long failed, unsigned long keep)
{
	struct vmemmap_pmd *vm = &__nr_to_section(hm, section_nr)->vmemmap;
	unsigned long alone = 0;
	int ret = 0;

	for (unsigned long i = failed; i > i0; i--) {
		void *va = vmemmap_vaddr(hm, section_nr, i);

		/* refused with the old mapping kept: it is on its own page still */
		if (i == failed && physmem_is_mapped(va, PAGE_SIZE))
			continue;
		if (!vmemmap_map_page(hm, section_nr, i, VMEMMAP_PTE_PFN(vm->pte[i]), false))
			continue;
		/* mapped still: the old mapping, the head's page; else map it there */
		if (physmem_is_mapped(va, PAGE_SIZE) ||
		    !vmemmap_map_page(hm, section_nr, i, keep, true)) {
			hvo_free_tail(hm, vm, i, keep, false);
			alone++;
			continue;
		}
		vmemmap_pte_lost(hm, section_nr, i);
		ret = -ENOMEM;
	}
	if (alone)
		pr_warn(hm, "HugeTLB: the host refused to map %lu vmemmap pages of section %lu "
			    "back (vm.max_map_count): they stay optimised", alone, section_nr);
	if (ret)
		vmemmap_lost(hm, section_nr, "HugeTLB tail vmemmap pages");
	return ret;
}

/*
 * 6.12 vmemmap_remap_free(): "Allocate a new head vmemmap page to avoid
 * breaking a contiguous block of struct page memory when freeing it back
 * to page allocator" -- alloc_pages_node(nid, GFP_KERNEL | __GFP_NORETRY |
 * __GFP_NOWARN, 0) on the huge page's node, the head's vmemmap page
 * copied there (copy_page()) and mapped from it read-write, so that every
 * one of the huge page's vmemmap pages is freed.  It is an unmovable page
 * of a kernel zone, the memmap's (PG_vmemmap), until the memory goes.
 * No page, or the host refuses the mapping: the head's page stays, the
 * kernel's fallback, said nowhere.  The old page is freed once the tails
 * are remapped (hvo_head_commit()); a refusal of theirs puts the head back
 * (hvo_head_back()).
 *
 * A rewind (the state file's undo of a pool's free) optimises the huge
 * page again to put the machine back as it was: its head is on the page
 * it was on then (the restore never moves it), so it stays there.
 *
 * A refusal that tore the mapping down is mapped from the old page again,
 * else from the new one (the head moved after all), as a tail's
 * (vmemmap_remap_restore()); -ENOMEM: neither, the head's page lost.
 */
static int hvo_new_head(struct hotmem *hm, unsigned long section_nr, unsigned long i0,
			struct pageblock_claim *claim)
{
	struct mem_section *ms = __nr_to_section(hm, section_nr);
	const unsigned long old = VMEMMAP_PTE_PFN(ms->vmemmap.pte[i0]);
	void *va = vmemmap_vaddr(hm, section_nr, i0);
	unsigned long pfn;

	if (hm->kmem.rewinding)
		return 0;
	pfn = vmemmap_alloc_pages(hm, ms->nid, 0, 0, claim, VMEMMAP_FOR_HVO_HEAD);
	if (!pfn)
		return 0;
	memcpy(__va(hm, PFN_PHYS(pfn)), va, PAGE_SIZE);
	if (!physmem_map_vmemmap(hm, va, pfn, PAGE_SIZE, false))
		goto moved;
	if (physmem_is_mapped(va, PAGE_SIZE) || !vmemmap_map_page(hm, section_nr, i0, old, false)) {
		vmemmap_alloc_undo(hm, pfn, 0, claim, true);
		return 0;
	}
	if (!vmemmap_map_page(hm, section_nr, i0, pfn, false))
		goto moved;
	vmemmap_alloc_undo(hm, pfn, 0, claim, true);
	vmemmap_pte_lost(hm, section_nr, i0);
	vmemmap_lost(hm, section_nr, "a HugeTLB head vmemmap page");
	return -ENOMEM;
moved:
	ms->vmemmap.pte[i0] = VMEMMAP_PTE(pfn, VMEMMAP_BUDDY);
	return 0;
}

/*
 * The head on its new page for good: the old one freed as
 * free_vmemmap_page() frees it (memmap_boot_pages_add(-1) for a boot
 * page, memmap_pages_add(-1) otherwise), the new one counted
 * (memmap_pages_add(1)) and its claim kept by its pfn.  Net, the huge page
 * saves what it did with the head's page kept: 7 pages.
 */
static void hvo_head_commit(struct hotmem *hm, struct vmemmap_pmd *vm, unsigned long i0,
			    unsigned long old, const struct pageblock_claim *claim)
{
	if (vm->pte[i0] == old)
		return;	/* no new page: the head's stays */
	vmemmap_alloc_keep(hm, VMEMMAP_PTE_PFN(vm->pte[i0]), claim);
	account_memmap(hm, 1, VMEMMAP_BUDDY);
	free_vmemmap_pages(hm, VMEMMAP_PTE_PFN(old), 0, VMEMMAP_PTE_SRC(old),
			   MEMMAP_FREE_REMAP_HELD);
	account_memmap(hm, -1, VMEMMAP_PTE_SRC(old));
}

/*
 * The tails refused (vmemmap_remap_restore() put them back on their own
 * pages): the head mapped from its old page again, what the new one holds
 * copied back first, and the new page freed with its claim -- the machine
 * as it was.  A tail left on the new page, or the host refusing the head's
 * old page, keeps the head on the new one (hvo_head_commit()).
 */
static void hvo_head_back(struct hotmem *hm, unsigned long head_pfn, unsigned long old,
			  const struct pageblock_claim *claim)
{
	const unsigned long section_nr = pfn_to_section_nr(head_pfn);
	const unsigned long i0 = hvo_first_vmemmap_page(head_pfn);
	struct vmemmap_pmd *vm = &__nr_to_section(hm, section_nr)->vmemmap;
	const unsigned long pfn = VMEMMAP_PTE_PFN(vm->pte[i0]);
	void *va = vmemmap_vaddr(hm, section_nr, i0);

	if (vm->pte[i0] == old)
		return;
	memcpy(__va(hm, PFN_PHYS(VMEMMAP_PTE_PFN(old))), va, PAGE_SIZE);
	if (vmemmap_is_optimized(hm, head_pfn) ||
	    vmemmap_map_page(hm, section_nr, i0, VMEMMAP_PTE_PFN(old), false)) {
		/* refused into a hole: the new page mapped again, or lost on it */
		if (!physmem_is_mapped(va, PAGE_SIZE) &&
		    vmemmap_map_page(hm, section_nr, i0, pfn, false)) {
			vmemmap_pte_lost(hm, section_nr, i0);
			vmemmap_lost(hm, section_nr, "a HugeTLB head vmemmap page");
		}
		hvo_head_commit(hm, vm, i0, old, claim);
		return;
	}
	vm->pte[i0] = old;
	vmemmap_alloc_undo(hm, pfn, 0, claim, true);
}

static int __hugetlb_vmemmap_optimize(struct hotmem *hm, unsigned long head_pfn, bool enabled)
{
	unsigned long section_nr = pfn_to_section_nr(head_pfn);
	struct mem_section *ms = __nr_to_section(hm, section_nr);
	struct vmemmap_pmd *vm = &ms->vmemmap;
	unsigned long i0 = hvo_first_vmemmap_page(head_pfn);
	struct pageblock_claim claim = { .claimed = false };
	unsigned long old_head, keep, i;
	int ret = 0;
	HM_TRACE_FN(hm, hugetlb_vmemmap_optimize, &ret, head_pfn, pageblock_nr_pages,
		    ms->nid, -1, 0);

	/* the tails change backing: let them be faulted in afresh */
	section_flags_clear(ms, SECTION_MEMMAP_RESIDENT);
	/* 6.12 __hugetlb_vmemmap_optimize_folio(): a folio it should not optimise is 0 */
	if (!vmemmap_should_optimize(hm, head_pfn, enabled))
		return 0;
	/* a memmap an earlier refusal left unmapped is mapped first, or nothing is done */
	ret = vmemmap_remap_lost(hm, head_pfn, 1);
	if (ret)
		return ret;
	ret = physmem_check_mappings(hm, HVO_HOST_MAPS);
	if (ret)
		return ret;
	/* the tails are remapped onto the memfd page backing the head's */
	ret = vmemmap_split_pmd(hm, section_nr);
	if (ret)
		return ret;
	old_head = vm->pte[i0];
	ret = hvo_new_head(hm, section_nr, i0, &claim);
	if (ret)
		return ret;
	keep = VMEMMAP_PTE_PFN(vm->pte[i0]);
	/*
	 * Remap every tail read-only onto the head's vmemmap page before any
	 * is freed, as vmemmap_remap_free() does: a host refusal half way puts
	 * the remapped ones back on their own pages, so a huge page is
	 * optimised whole or not at all -- unless the host refuses that too.
	 */
	for (i = i0 + 1; i < i0 + HVO_VMEMMAP_PAGES; i++)
		if (physmem_map_vmemmap(hm, vmemmap_vaddr(hm, section_nr, i), keep, PAGE_SIZE,
					true))
			goto err_remap;
	for (i = i0 + 1; i < i0 + HVO_VMEMMAP_PAGES; i++)
		hvo_free_tail(hm, vm, i, keep, false);
	hvo_head_commit(hm, vm, i0, old_head, &claim);
	return 0;

err_remap:
	vmemmap_remap_restore(hm, section_nr, i0, i, keep);
	hvo_head_back(hm, head_pfn, old_head, &claim);
	return ret = -ENOMEM;
}

/*
 * Node @nid's count of optimised huge pages (a state file saves it, so
 * that a restart optimises as many again): @was, whether the huge page
 * at @head_pfn was optimised before its remap.  A refused remap may
 * leave some tails shared (vmemmap_remap_restore()): optimised, as
 * vmemmap_is_optimized() says.  The node is the caller's: a refused
 * remap may have left the head's struct page unmapped.  Under
 * vmemmap_remap_lock for writing.
 */
static void hvo_count(struct hotmem *hm, unsigned long head_pfn, int nid, bool was)
{
	bool is = vmemmap_is_optimized(hm, head_pfn);
	struct pglist_data *pgdat = NODE_DATA(hm, nid);

	if (is != was)
		__atomic_fetch_add(&pgdat->nr_hugepages_optimized, is ? 1UL : -1UL,
				   __ATOMIC_RELAXED);
}

/*
 * HVO's remaps of a huge page's vmemmap under vmemmap_remap_lock: a
 * refused remap's hole, and a tail the undo marks lost before
 * vmemmap_lost() says so for the section, are never seen by a reader
 * without device_hotplug_lock (explain).
 */
int hugetlb_vmemmap_optimize(struct hotmem *hm, unsigned long head_pfn, int nid, bool enabled)
{
	bool was;
	int ret;

	pthread_rwlock_wrlock(&hm->vmemmap_remap_lock);
	was = vmemmap_is_optimized(hm, head_pfn);
	ret = __hugetlb_vmemmap_optimize(hm, head_pfn, enabled);
	hvo_count(hm, head_pfn, nid, was);
	pthread_rwlock_unlock(&hm->vmemmap_remap_lock);
	return ret;
}

/*
 * The tails hugetlb_vmemmap_restore() had put on their own pages (@restored,
 * a bit each) before the host refused one, put back onto the head's
 * vmemmap page (@keep) and their pages freed: the huge page optimised as it
 * was.  A tail the host will not map there stays on its own page, a copy
 * of the head's that reads the same (optimised in part: their number is
 * returned); one it tore down and will not map back either is lost.
 *
 * The accounting of a tail left alone is the restore's, kept: its pte
 * names its own page (VMEMMAP_BUDDY), that page stays allocated and
 * counted in memmap_pages, and hvo_saved_pages stays one lower, as for a
 * tail restored -- only hvo_free_tail() undoes those, for the tails put
 * back.  A lost one is the same with VMEMMAP_PTE_LOST set: its page is
 * still its memmap, mapped again by vmemmap_remap_lost().  The huge page
 * still counts as optimised (vmemmap_is_optimized(): a tail shares), and
 * its next restore allocates only for the tails that share.
 */
static unsigned long hvo_unrestore(struct hotmem *hm, unsigned long section_nr,
				   unsigned long i0, unsigned long restored, unsigned long keep,
				   bool *lost)
{
	struct vmemmap_pmd *vm = &__nr_to_section(hm, section_nr)->vmemmap;
	unsigned long alone = 0;

	for (unsigned long n = HVO_VMEMMAP_PAGES - 1; n >= 1; n--) {
		unsigned long i = i0 + n;

		if (!(restored >> n & 1))
			continue;
		if (!vmemmap_map_page(hm, section_nr, i, keep, true)) {
			hvo_free_tail(hm, vm, i, keep, true);
			continue;
		}
		alone++;
		if (!physmem_is_mapped(vmemmap_vaddr(hm, section_nr, i), PAGE_SIZE) &&
		    vmemmap_map_page(hm, section_nr, i, VMEMMAP_PTE_PFN(vm->pte[i]), false)) {
			vmemmap_pte_lost(hm, section_nr, i);
			*lost = true;
		}
	}
	return alone;
}

/* the restore's fresh pages [1, @n) not mapped, newest first, their claims given back */
static void hvo_restore_free(struct hotmem *hm, const unsigned long *pfns,
			     const struct pageblock_claim *claims, unsigned long n)
{
	while (n-- > 1)
		if (pfns[n])
			vmemmap_alloc_undo(hm, pfns[n], 0, &claims[n], true);
}

/*
 * hugetlb_vmemmap_restore_folio() -> vmemmap_remap_alloc(): fresh pages
 * for the tails that share the head's vmemmap page (-ENOMEM without), then
 * each remapped onto its own (vmemmap_restore_pte()).  The kernel's
 * cannot fail past the allocation; here the host may refuse a remap, and
 * the tails restored before it go back onto the head's page
 * (hvo_unrestore()): -ENOMEM, and the huge page optimised as it was --
 * unless the host refuses that too.  Each fresh page is GFP_KERNEL order
 * 0 (alloc_vmemmap_page_list()), which claims pageblocks when no
 * unmovable free page is left (6.12 __rmqueue_fallback() ->
 * steal_suitable_fallback()): kept by the page's pfn once it is mapped
 * (a later optimisation frees it as the kernel does, keeping the claim;
 * a rewind's gives it back, kmem_memmap_freed()), given back with the
 * page when the restore fails.
 */
static int __hugetlb_vmemmap_restore(struct hotmem *hm, unsigned long head_pfn)
{
	unsigned long section_nr = pfn_to_section_nr(head_pfn);
	struct mem_section *ms = __nr_to_section(hm, section_nr);
	struct vmemmap_pmd *vm = &ms->vmemmap;
	unsigned long i0 = hvo_first_vmemmap_page(head_pfn);
	unsigned long pfns[HVO_VMEMMAP_PAGES] = { 0 };
	struct pageblock_claim claims[HVO_VMEMMAP_PAGES] = { { .claimed = false } };
	unsigned long n, restored = 0, alone;
	bool lost = false;
	int ret;

	/* a tail an undo could not map back, its own page or not, is mapped first */
	ret = vmemmap_remap_lost(hm, head_pfn, 1);
	if (ret)
		return ret;
	if (!vmemmap_is_optimized(hm, head_pfn))
		return 0;
	/* alloc_vmemmap_page_list() */
	for (n = 1; n < HVO_VMEMMAP_PAGES; n++) {
		if (VMEMMAP_PTE_SRC(vm->pte[i0 + n]) != VMEMMAP_SHARED)
			continue;
		pfns[n] = vmemmap_alloc_pages(hm, ms->nid, 0, 0, &claims[n],
					      VMEMMAP_FOR_RESTORE);
		if (!pfns[n])
			goto err_free;
	}
	for (n = 1; n < HVO_VMEMMAP_PAGES; n++) {
		unsigned long i = i0 + n;

		if (!pfns[n])
			continue;
		/*
		 * vmemmap_restore_pte() copies the page it shared (a fake head
		 * first, the tails after it), so a tail a refusal below leaves
		 * on its own page reads as before; on success free_huge_page()
		 * initialises the tails.
		 */
		memcpy(__va(hm, PFN_PHYS(pfns[n])), pfn_to_page(hm, head_pfn), PAGE_SIZE);
		if (vmemmap_map_page(hm, section_nr, i, pfns[n], false))
			goto err_remap;
		vm->pte[i] = VMEMMAP_PTE(pfns[n], VMEMMAP_BUDDY);
		vmemmap_alloc_keep(hm, pfns[n], &claims[n]);
		pfns[n] = 0;
		restored |= 1UL << n;
		account_memmap(hm, 1, VMEMMAP_BUDDY);
		atomic_fetch_sub(&hm->hvo_saved_pages, 1);
	}
	return 0;

err_remap:
	/* refused: the tail is on the head's page still, or left a hole to map there again */
	if (!physmem_is_mapped(vmemmap_vaddr(hm, section_nr, i0 + n), PAGE_SIZE) &&
	    vmemmap_map_page(hm, section_nr, i0 + n, VMEMMAP_PTE_PFN(vm->pte[i0 + n]), true)) {
		vmemmap_pte_lost(hm, section_nr, i0 + n);
		lost = true;
	}
	/* newest first: the pages not mapped, then the tails restored before (their claims too) */
	hvo_restore_free(hm, pfns, claims, HVO_VMEMMAP_PAGES);
	alone = hvo_unrestore(hm, section_nr, i0, restored, VMEMMAP_PTE_PFN(vm->pte[i0]), &lost);
	if (lost)
		vmemmap_lost(hm, section_nr, "HugeTLB tail vmemmap pages");
	pr_warn(hm, "HugeTLB: the host refused to restore vmemmap page %lu of section %lu "
		    "(vm.max_map_count): the huge page at pfn %#lx stays optimised%s",
		i0 + n, section_nr, head_pfn, alone ? " in part" : "");
	return -ENOMEM;
err_free:
	hvo_restore_free(hm, pfns, claims, n);
	return -ENOMEM;
}

/*
 * update_and_free_hugetlb_folio()'s restore: the huge page's vmemmap
 * restored and, if it was optimised, the struct pages past the head's
 * own vmemmap page initialised again (memmap_init_range(): node @nid, the
 * head's zone), under one hold of vmemmap_remap_lock for writing.
 * explain walks a block's struct pages holding it for reading and no
 * hotplug lock: with the init after the lock was let go, one that met
 * the head no longer a huge page read the tails while they were written
 * whole (TSan, test_hugetlb with explain_pages not suppressed: as the
 * online's memmap init against explain, c6ee37b1).  A reader never waits
 * for more than this one page's restore.
 */
int hugetlb_vmemmap_restore(struct hotmem *hm, unsigned long head_pfn, int nid)
{
	const unsigned long kept = PAGE_SIZE / sizeof(struct page);
	bool optimized;
	int ret;

	pthread_rwlock_wrlock(&hm->vmemmap_remap_lock);
	optimized = vmemmap_is_optimized(hm, head_pfn);
	ret = __hugetlb_vmemmap_restore(hm, head_pfn);
	hvo_count(hm, head_pfn, nid, optimized);
	/* it maps a memmap the host left unmapped first: the head is read after it */
	if (!ret && optimized)
		memmap_init_range(hm, head_pfn + kept, pageblock_nr_pages - kept, nid,
				  page_zonenum(pfn_to_page(hm, head_pfn)), 0, 0);
	pthread_rwlock_unlock(&hm->vmemmap_remap_lock);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Boot memmap pages HVO gave up (hotmem_boot_memmap_freed_walk())     */
/* ------------------------------------------------------------------ */


int hotmem_boot_memmap_freed_walk(struct hotmem *hm, hotmem_memmap_run_cb cb, void *arg)
{
	const unsigned long nr_all = nr_mem_sections(hm);
	uint64_t first = 0, count = 0;
	int ret = 0;

	lock_device_hotplug(hm);
	for (unsigned long nr = 0; !ret && nr < nr_all; nr++) {
		const struct mem_section *ms = __nr_to_section(hm, nr);

		/* only HVO splits a boot section's memmap (vmemmap_split_pmd()) */
		if (!early_section(ms) || !present_section(ms) || !ms->vmemmap.pte)
			continue;
		for (unsigned long i = 0; !ret && i < SECTION_MEMMAP_PAGES; i++) {
			uint64_t page = (uint64_t)nr * SECTION_MEMMAP_PAGES + i;

			/* not on its boot page any more: HVO freed that */
			if (VMEMMAP_PTE_SRC(ms->vmemmap.pte[i]) == VMEMMAP_BOOT)
				continue;
			if (count && first + count == page) {
				count++;
				continue;
			}
			if (count)
				ret = cb(arg, first, count);
			first = page;
			count = 1;
		}
	}
	if (!ret && count)
		ret = cb(arg, first, count);
	unlock_device_hotplug(hm);
	return ret;
}

/*
 * Section @section_nr's memmap made ready for one page's move: no longer
 * resident whole, its PMD split into PTEs.  The host's map count checked
 * first: the move's map, and a hole's map back after a refusal, may each
 * split one mapping in three.
 */
static int vmemmap_split_for_move(struct hotmem *hm, struct mem_section *ms,
				  unsigned long section_nr)
{
	int ret;

	section_flags_clear(ms, SECTION_MEMMAP_RESIDENT);
	ret = physmem_check_mappings(hm, 4);
	if (!ret)
		ret = vmemmap_split_pmd(hm, section_nr);
	return ret;
}

/*
 * Vmemmap page @i of @section_nr, on the page at @cur (a @cur_src page),
 * moved to the page at @pfn that @claim's allocation took: the struct
 * pages copied, mapped from there, @cur freed as HVO frees a memmap page.
 * -ENOMEM: the host refused the mapping -- the memmap stays on @cur (a
 * hole mapped from there again, else the page said lost) and @pfn's
 * allocation is undone.  Under the HVO's locks.
 */
static int vmemmap_page_remap_to(struct hotmem *hm, unsigned long section_nr, unsigned long i,
				 unsigned long cur, enum vmemmap_src cur_src, unsigned long pfn,
				 struct pageblock_claim *claim)
{
	memcpy(__va(hm, PFN_PHYS(pfn)), vmemmap_vaddr(hm, section_nr, i), PAGE_SIZE);
	if (vmemmap_map_page(hm, section_nr, i, pfn, false)) {
		/* a hole neither page maps: said for the section, whose readers then keep off */
		if (!physmem_is_mapped(vmemmap_vaddr(hm, section_nr, i), PAGE_SIZE) &&
		    vmemmap_map_page(hm, section_nr, i, cur, false)) {
			vmemmap_pte_lost(hm, section_nr, i);
			vmemmap_lost(hm, section_nr, "a moved memmap page");
		}
		vmemmap_alloc_undo(hm, pfn, 0, claim, true);
		return -ENOMEM;
	}
	__nr_to_section(hm, section_nr)->vmemmap.pte[i] = VMEMMAP_PTE(pfn, VMEMMAP_BUDDY);
	vmemmap_alloc_keep(hm, pfn, claim);
	account_memmap(hm, 1, VMEMMAP_BUDDY);
	free_vmemmap_pages(hm, cur, 0, cur_src, MEMMAP_FREE_REMAP_HELD);
	account_memmap(hm, -1, cur_src);
	return 0;
}

/*
 * Vmemmap page @i of boot section @section_nr, still on its boot page,
 * given up again: the struct pages it holds copied to a page of the
 * buddy (alloc_vmemmap_page_list()'s GFP_KERNEL order 0, as the HVO
 * restore that put them there before the restart), mapped from there,
 * and the boot page freed as free_vmemmap_page() freed it
 * (free_bootmem_page(): managed +1).  -ENOMEM: no page, or the host
 * refused the mapping (the memmap stays on its boot page).  Under the
 * HVO's locks.
 */
static int boot_memmap_page_free_again(struct hotmem *hm, unsigned long section_nr,
				       unsigned long i)
{
	struct mem_section *ms = __nr_to_section(hm, section_nr);
	struct vmemmap_pmd *vm = &ms->vmemmap;
	struct pageblock_claim claim = { .claimed = false };
	unsigned long old, pfn;
	int ret;

	ret = vmemmap_split_for_move(hm, ms, section_nr);
	if (ret)
		return ret;
	old = vm->pte[i];
	if (VMEMMAP_PTE_SRC(old) != VMEMMAP_BOOT || (old & VMEMMAP_PTE_LOST))
		return 0; /* given up already: the restored pool's HVO freed it again */
	/* the HVO restore's allocation made again: its failure warned as that one's */
	pfn = vmemmap_alloc_pages(hm, ms->nid, 0, 0, &claim, VMEMMAP_FOR_RESTORE);
	if (!pfn)
		return -ENOMEM;
	return vmemmap_page_remap_to(hm, section_nr, i, VMEMMAP_PTE_PFN(old), VMEMMAP_BOOT, pfn,
				     &claim);
}

unsigned long hotmem_boot_memmap_free_again(struct hotmem *hm, uint64_t first, uint64_t count)
{
	const uint64_t nr_all = nr_mem_sections(hm);
	unsigned long failed = 0;

	lock_device_hotplug(hm);
	pthread_rwlock_wrlock(&hm->mem_hotplug_lock);
	pthread_rwlock_wrlock(&hm->vmemmap_remap_lock);
	/* a count is no loop bound: past the last section nothing is there */
	for (uint64_t page = first; page - first < count; page++) {
		uint64_t nr = page / SECTION_MEMMAP_PAGES;
		struct mem_section *ms;

		if (nr >= nr_all) {
			failed += count - (page - first);
			break;
		}
		ms = __nr_to_section(hm, nr);
		if (!ms || !present_section(ms) || !early_section(ms) ||
		    boot_memmap_page_free_again(hm, (unsigned long)nr,
						(unsigned long)(page % SECTION_MEMMAP_PAGES)))
			failed++;
	}
	pthread_rwlock_unlock(&hm->vmemmap_remap_lock);
	pthread_rwlock_unlock(&hm->mem_hotplug_lock);
	unlock_device_hotplug(hm);
	return failed;
}

/* ------------------------------------------------------------------ */
/* A restore's memmap places (hotmem_memmap_restore_begin())           */
/* ------------------------------------------------------------------ */

/*
 * The vmemmap pages of split memmap @vm from the buddy's block not on
 * their page of it, into @runs: how many runs.  Every such page is a
 * HugeTLB vmemmap restore's fresh page (alloc_vmemmap_page_list()), or a
 * restored huge page's head, which its optimisation moved
 * (vmemmap_remap_free()'s new head page).  Not an optimised huge page's:
 * the pool's restore optimises it again, with a new head, and frees the
 * tails shared with it (saved, each of 50 heads was a run of its own:
 * a pool change's "set" O(the pool) larger).
 */
static size_t memmap_moved_runs(const struct vmemmap_pmd *vm, struct hotmem_memmap_moved *runs)
{
	size_t n = 0;

	for (unsigned long i = 0; i < PTRS_PER_PTE; i++) {
		unsigned long pte = vm->pte[i], pfn = VMEMMAP_PTE_PFN(pte);
		struct hotmem_memmap_moved *r = n ? &runs[n - 1] : NULL;

		if (VMEMMAP_PTE_SRC(pte) != VMEMMAP_BUDDY || pfn == vm->split_pfn + i ||
		    hvo_shared_head(vm, i))
			continue;
		if (r && r->index + r->count == i && r->pfn + r->count == pfn) {
			r->count++;
			continue;
		}
		runs[n++] = (struct hotmem_memmap_moved){ i, 1, pfn };
	}
	return n;
}

int hotmem_memmap_walk_range(struct hotmem *hm, uint64_t start_pfn, uint64_t end_pfn,
			     hotmem_memmap_cb cb, void *arg)
{
	struct hotmem_memmap_moved runs[PTRS_PER_PTE];
	const unsigned long nr_all = nr_mem_sections(hm);
	unsigned long first = start_pfn / PAGES_PER_SECTION;
	unsigned long end = end_pfn / PAGES_PER_SECTION + !!(end_pfn % PAGES_PER_SECTION);
	int ret = 0;

	if (end_pfn < start_pfn)
		return 0;
	if (end > nr_all)
		end = nr_all;
	lock_device_hotplug(hm);
	for (unsigned long nr = first; !ret && nr < end; nr++) {
		const struct mem_section *ms = __nr_to_section(hm, nr);
		struct hotmem_memmap_at at;

		if (!ms || !present_section(ms))
			continue;
		if (ms->vmemmap.pmd_src == VMEMMAP_BUDDY)
			at = (struct hotmem_memmap_at){ .section_pfn = section_nr_to_pfn(nr),
							.pfn = ms->vmemmap.pmd_pfn };
		else if (ms->vmemmap.pte && ms->vmemmap.split_pfn)
			at = (struct hotmem_memmap_at){
				.section_pfn = section_nr_to_pfn(nr), .pfn = ms->vmemmap.split_pfn,
				.moved = runs, .nr_moved = memmap_moved_runs(&ms->vmemmap, runs) };
		else
			continue;
		ret = cb(arg, &at);
	}
	unlock_device_hotplug(hm);
	return ret;
}

int hotmem_memmap_walk(struct hotmem *hm, hotmem_memmap_cb cb, void *arg)
{
	return hotmem_memmap_walk_range(hm, 0, UINT64_MAX, cb, arg);
}

static int memmap_at_cmp(const void *a, const void *b)
{
	const struct hotmem_memmap_at *x = a, *y = b;

	return x->section_pfn < y->section_pfn ? -1 : x->section_pfn > y->section_pfn;
}

int hotmem_memmap_restore_begin(struct hotmem *hm, const struct hotmem_memmap_at *at, size_t n)
{
	struct hotmem_memmap_at *w = n ? malloc(n * sizeof(*w)) : NULL;

	if (n && !w)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		w[i] = (struct hotmem_memmap_at){ .section_pfn = at[i].section_pfn, .pfn = at[i].pfn };
	if (n)
		qsort(w, n, sizeof(*w), memmap_at_cmp);
	lock_device_hotplug(hm);
	free(hm->memmap_want);
	hm->memmap_want = w;
	hm->nr_memmap_want = n;
	unlock_device_hotplug(hm);
	return 0;
}

/*
 * @section_nr's memmap from system RAM moved to the free block at @to:
 * its 2 MiB written there, the vmemmap mapped from there, the old block
 * freed.  -EBUSY: @to is not free (or not online below Movable), -ENOMEM:
 * the host refused (the memmap stays where it was).  Under
 * device_hotplug_lock; the write side of vmemmap_remap_lock, as a
 * template's remap, for the readers without it (explain).
 */
static int vmemmap_move(struct hotmem *hm, unsigned long section_nr, unsigned long to)
{
	struct mem_section *ms = __nr_to_section(hm, section_nr);
	struct vmemmap_pmd *vm = &ms->vmemmap;
	void *vaddr = vmemmap_vaddr(hm, section_nr, 0);
	const unsigned long from = vm->pmd_pfn;
	struct page *page;
	int ret = 0;

	if (section_memmap_unmapped(ms) || physmem_check_mappings(hm, 1))
		return -ENOMEM;
	if (kmem_take_block(hm, to, pageblock_order))
		return -EBUSY;
	pthread_rwlock_wrlock(&hm->vmemmap_remap_lock);
	if (physmem_write(hm, to, vaddr, PMD_SIZE) ||
	    (physmem_map_vmemmap(hm, vaddr, to, PMD_SIZE, false) &&
	     physmem_is_mapped(vaddr, PMD_SIZE))) {
		/* refused, the old mapping stays: nothing moved */
		pthread_rwlock_unlock(&hm->vmemmap_remap_lock);
		__free_pages(hm, pfn_to_page(hm, to), pageblock_order);
		return -ENOMEM;
	}
	/* mapped from @to's memfd pages, which hold it (or torn down: mapped from there again) */
	vm->pmd_pfn = to;
	if (!physmem_is_mapped(vaddr, PMD_SIZE))
		ret = vmemmap_map_memfd(hm, section_nr);
	__atomic_fetch_and(&ms->section_mem_map, ~SECTION_MEMMAP_SHARED, __ATOMIC_RELAXED);
	__atomic_fetch_or(&ms->section_mem_map, SECTION_MEMMAP_RESIDENT, __ATOMIC_RELAXED);
	vm->copies_faults = -1;
	pthread_rwlock_unlock(&hm->vmemmap_remap_lock);
	page = pfn_to_page(hm, to);
	set_page_flag(page, PG_vmemmap);
	/* vmemmap_alloc_pages()'s record, WRITE_ONCE as there */
	WRITE_ONCE(page->mapping, to);
	WRITE_ONCE(page->private, pageblock_order);
	WRITE_ONCE(page->index, VMEMMAP_FOR_ADD);
	free_vmemmap_pages(hm, from, pageblock_order, VMEMMAP_BUDDY, 0);
	return ret;
}

/*
 * The places not taken at the adds (their blocks were not online then:
 * a memmap from an earlier DIMM's memory, which the restore onlines
 * after adding every device): moved there now, as often as a move frees
 * a block another place wants
 */
unsigned long hotmem_memmap_restore_end(struct hotmem *hm)
{
	unsigned long astray = 0;
	bool moved = true;

	lock_device_hotplug(hm);
	while (moved) {
		moved = false;
		astray = 0;
		for (size_t i = 0; i < hm->nr_memmap_want; i++) {
			const struct hotmem_memmap_at *w = &hm->memmap_want[i];
			unsigned long nr = pfn_to_section_nr(w->section_pfn);
			const struct mem_section *ms = nr < nr_mem_sections(hm) ?
							       __nr_to_section(hm, nr) : NULL;

			if (!ms || !present_section(ms) || ms->vmemmap.pmd_src != VMEMMAP_BUDDY ||
			    ms->vmemmap.pmd_pfn == w->pfn)
				continue;
			if (!vmemmap_move(hm, nr, (unsigned long)w->pfn))
				moved = true;
			else
				astray++;
		}
	}
	free(hm->memmap_want);
	hm->memmap_want = NULL;
	hm->nr_memmap_want = 0;
	unlock_device_hotplug(hm);
	return astray;
}

/*
 * The free page @want taken for a vmemmap page, recorded as
 * vmemmap_alloc_pages() records the page it took at a wanted pfn (no
 * fallback to another page): -EBUSY when it is not free
 */
static int vmemmap_take_page_at(struct hotmem *hm, unsigned long want)
{
	struct page *page;

	if (kmem_take_block(hm, want, 0))
		return -EBUSY;
	page = pfn_to_page(hm, want);
	set_page_flag(page, PG_vmemmap);
	WRITE_ONCE(page->mapping, want);
	WRITE_ONCE(page->private, 0);
	WRITE_ONCE(page->index, VMEMMAP_FOR_RESTORE);
	return 0;
}

/*
 * Vmemmap page @i of hot-added section @section_nr, on the page at pfn
 * @cur, moved to @want: the struct pages copied, mapped from there, @cur
 * freed as HVO frees a memmap page.  A page still on its place in the
 * memmap's block (@home) that cannot have @want takes a page of the
 * buddy's (GFP_KERNEL order 0 on the node, alloc_vmemmap_page_list()),
 * as the restore that moved it did: the running kernel's memmap was off
 * that block, whose page the buddy had.  One already elsewhere stays
 * there.  Never a head of an optimised huge page, whose tails share its
 * page (hvo_head_move()).  -EBUSY: not at @want.  Under the HVO's locks.
 */
static int memmap_page_move_again(struct hotmem *hm, unsigned long section_nr, unsigned long i,
				  unsigned long cur, bool home, unsigned long want)
{
	struct mem_section *ms = __nr_to_section(hm, section_nr);
	struct pageblock_claim claim = { .claimed = false };
	unsigned long pfn = want;
	int ret;

	if (!home && vmemmap_take_page_at(hm, want))
		return -EBUSY;
	if (home) {
		pfn = vmemmap_alloc_pages(hm, ms->nid, 0, want, &claim, VMEMMAP_FOR_RESTORE);
		if (!pfn)
			return -ENOMEM;
	}
	ret = vmemmap_page_remap_to(hm, section_nr, i, cur, VMEMMAP_BUDDY, pfn, &claim);
	if (ret)
		return ret;
	return pfn == want ? 0 : -EBUSY;
}

/*
 * hvo_head_move()'s refusal at vmemmap page @failed (@i0 +
 * HVO_VMEMMAP_PAGES: the head's own map): the tails before it, already
 * on the new page, and a refused map's hole mapped from @cur again.  One
 * the host will not map back is said lost (its PROT_NONE back, nothing
 * maps the new page any more; vmemmap_remap_lost() maps it from @cur).
 */
static void hvo_head_unmove(struct hotmem *hm, unsigned long section_nr, unsigned long i0,
			    unsigned long failed, unsigned long cur)
{
	const struct vmemmap_pmd *vm = &__nr_to_section(hm, section_nr)->vmemmap;
	const unsigned long end = i0 + HVO_VMEMMAP_PAGES;
	bool lost = false;

	for (unsigned long k = i0; k < end; k++) {
		const bool head = k == i0;

		if (!head && !hvo_tail_on(vm, k, cur))
			continue;
		/* not mapped yet (past the refused one; the head until its own map) */
		if (head ? failed != end : k > failed)
			continue;
		/* the refused map kept the old mapping: still on @cur */
		if ((head || k == failed) && physmem_is_mapped(vmemmap_vaddr(hm, section_nr, k),
							       PAGE_SIZE))
			continue;
		if (vmemmap_map_page(hm, section_nr, k, cur, !head)) {
			vmemmap_pte_lost(hm, section_nr, k);
			lost = true;
		}
	}
	if (lost)
		vmemmap_lost(hm, section_nr, "HugeTLB vmemmap pages");
}

/*
 * The head vmemmap page of the optimised huge page whose first vmemmap
 * page is @i0 of @section_nr, on the page at @cur, moved to the free page
 * @want (a restart's: the running machine's head page).  6.12's
 * vmemmap_remap_free() maps the tails read-only onto the head's page
 * (walk.reuse_page) and vmemmap_restore_pte() BUG()s on a tail that is
 * not there, so the tails go with it: copied, each tail mapped from
 * @want, then the head, and only then @cur freed -- no mapping is left
 * on a page the buddy has.  Counts as before: one page in, one out.
 * -EBUSY: @want not free; -ENOMEM: the host refused, all back on @cur
 * (hvo_head_unmove()) and @want free again.  Under the HVO's locks.
 */
static int hvo_head_move(struct hotmem *hm, unsigned long section_nr, unsigned long i0,
			 unsigned long cur, unsigned long want)
{
	struct vmemmap_pmd *vm = &__nr_to_section(hm, section_nr)->vmemmap;
	const struct pageblock_claim claim = { .claimed = false };
	const unsigned long end = i0 + HVO_VMEMMAP_PAGES;
	unsigned long i;

	if (vmemmap_take_page_at(hm, want))
		return -EBUSY;
	memcpy(__va(hm, PFN_PHYS(want)), vmemmap_vaddr(hm, section_nr, i0), PAGE_SIZE);
	for (i = i0 + 1; i < end; i++)
		if (hvo_tail_on(vm, i, cur) && vmemmap_map_page(hm, section_nr, i, want, true))
			goto err;
	if (vmemmap_map_page(hm, section_nr, i0, want, false))
		goto err;
	for (i = i0 + 1; i < end; i++)
		if (hvo_tail_on(vm, i, cur))
			vm->pte[i] = VMEMMAP_PTE(want, VMEMMAP_SHARED);
	vm->pte[i0] = VMEMMAP_PTE(want, VMEMMAP_BUDDY);
	account_memmap(hm, 1, VMEMMAP_BUDDY);
	free_vmemmap_pages(hm, cur, 0, VMEMMAP_BUDDY, MEMMAP_FREE_REMAP_HELD);
	account_memmap(hm, -1, VMEMMAP_BUDDY);
	return 0;
err:
	hvo_head_unmove(hm, section_nr, i0, i, cur);
	vmemmap_alloc_undo(hm, want, 0, &claim, true);
	return -ENOMEM;
}

/* page @i of @section_nr's memmap to @want, split first; the HVO's locks held */
static int memmap_move_again_locked(struct hotmem *hm, unsigned long section_nr, unsigned long i,
				    unsigned long want)
{
	struct mem_section *ms = __nr_to_section(hm, section_nr);
	struct vmemmap_pmd *vm = &ms->vmemmap;
	unsigned long pte;
	int ret;

	if (vm->pmd_src != VMEMMAP_BUDDY && !(vm->pte && vm->split_pfn))
		return -EINVAL; /* not a memmap of the buddy's block (altmap, basepages) */
	/* one the host left unmapped has nothing to copy from (vmemmap_move() alike) */
	if (section_memmap_unmapped(ms))
		return -ENOMEM;
	ret = vmemmap_split_for_move(hm, ms, section_nr);
	if (ret)
		return ret;
	pte = vm->pte[i];
	if (VMEMMAP_PTE_PFN(pte) == want)
		return 0;
	/* shared: the restored pool's optimisation gave it up; lost: nothing to copy */
	if (VMEMMAP_PTE_SRC(pte) != VMEMMAP_BUDDY || (pte & VMEMMAP_PTE_LOST))
		return -EBUSY;
	/*
	 * the head of a huge page the restored pool optimised (which ones are
	 * is the restore's choice): its tails share its page, which stays
	 * (the "heads" replay's, hvo_head_move()), never moved from under them
	 */
	if (hvo_shared_head(vm, i))
		return -EBUSY;
	return memmap_page_move_again(hm, section_nr, i, VMEMMAP_PTE_PFN(pte),
				      VMEMMAP_PTE_PFN(pte) == vm->split_pfn + i, want);
}

unsigned long hotmem_memmap_move_again(struct hotmem *hm, uint64_t section_pfn, uint64_t index,
				       uint64_t count, uint64_t pfn)
{
	const uint64_t nr = section_pfn / PAGES_PER_SECTION;
	unsigned long failed = 0;
	struct mem_section *ms;

	if (section_pfn % PAGES_PER_SECTION || nr >= nr_mem_sections(hm) ||
	    index >= PTRS_PER_PTE || count > PTRS_PER_PTE - index)
		return (unsigned long)count;
	lock_device_hotplug(hm);
	pthread_rwlock_wrlock(&hm->mem_hotplug_lock);
	pthread_rwlock_wrlock(&hm->vmemmap_remap_lock);
	ms = __nr_to_section(hm, (unsigned long)nr);
	for (uint64_t k = 0; k < count; k++)
		if (!ms || !present_section(ms) || early_section(ms) ||
		    memmap_move_again_locked(hm, (unsigned long)nr, (unsigned long)(index + k),
					     (unsigned long)(pfn + k)))
			failed++;
	pthread_rwlock_unlock(&hm->vmemmap_remap_lock);
	pthread_rwlock_unlock(&hm->mem_hotplug_lock);
	unlock_device_hotplug(hm);
	return failed;
}

/*
 * The page holding the head vmemmap page of the optimised huge page at
 * @head_pfn (vmemmap_remap_free()'s new head page, or the one it kept),
 * 0 when not optimised or the memmap is not split
 */
static unsigned long hvo_head_page(struct hotmem *hm, unsigned long head_pfn)
{
	const struct mem_section *ms = __nr_to_section(hm, pfn_to_section_nr(head_pfn));
	unsigned long pte;

	/* a memmap the host left unmapped has nothing to copy from: not moved */
	if (!ms->vmemmap.pte || section_memmap_unmapped(ms) || !vmemmap_is_optimized(hm, head_pfn))
		return 0;
	pte = ms->vmemmap.pte[hvo_first_vmemmap_page(head_pfn)];
	return VMEMMAP_PTE_SRC(pte) == VMEMMAP_BUDDY && !(pte & VMEMMAP_PTE_LOST) ?
		       VMEMMAP_PTE_PFN(pte) : 0;
}

unsigned long hotmem_hugetlb_head_page(struct hotmem *hm, uint64_t head_pfn)
{
	unsigned long pfn = 0;

	/* a huge page's head is 2 MiB aligned: another pfn's first vmemmap page may be a tail's */
	if (!pfn_valid(hm, (unsigned long)head_pfn) || !IS_ALIGNED(head_pfn, pageblock_nr_pages))
		return 0;
	pthread_rwlock_rdlock(&hm->vmemmap_remap_lock);
	pfn = hvo_head_page(hm, (unsigned long)head_pfn);
	pthread_rwlock_unlock(&hm->vmemmap_remap_lock);
	return pfn;
}

/*
 * hotmem_hugetlb_head_page_move() under its locks: -EINVAL when no head
 * moved (hvo_head_page() 0, which is no page 0 to be at), -ENOMEM when
 * the host's map cap has no room for the move and its undo
 */
static int hvo_head_move_to(struct hotmem *hm, unsigned long head_pfn, unsigned long want)
{
	const unsigned long cur = hvo_head_page(hm, head_pfn);
	int ret;

	if (!cur)
		return -EINVAL;
	if (cur == want)
		return 0;
	ret = physmem_check_mappings(hm, HVO_HOST_MAPS);
	if (ret)
		return ret;
	return hvo_head_move(hm, pfn_to_section_nr(head_pfn), hvo_first_vmemmap_page(head_pfn), cur,
			     want);
}

int hotmem_hugetlb_head_page_move(struct hotmem *hm, uint64_t head_pfn, uint64_t want)
{
	int ret;

	if (!pfn_valid(hm, (unsigned long)head_pfn) || !IS_ALIGNED(head_pfn, pageblock_nr_pages) ||
	    !pfn_valid(hm, (unsigned long)want))
		return -EINVAL;
	lock_device_hotplug(hm);
	pthread_rwlock_wrlock(&hm->mem_hotplug_lock);
	pthread_rwlock_wrlock(&hm->vmemmap_remap_lock);
	ret = hvo_head_move_to(hm, (unsigned long)head_pfn, (unsigned long)want);
	pthread_rwlock_unlock(&hm->vmemmap_remap_lock);
	pthread_rwlock_unlock(&hm->mem_hotplug_lock);
	unlock_device_hotplug(hm);
	return ret;
}
