// SPDX-License-Identifier: GPL-2.0
/*
 * The invariant checker tests run after every operation.  It takes every
 * lock, so it sees the machine between operations, never in the middle.
 *
 *  1. buddy lists: every entry a PageBuddy head of the right order, zone,
 *     list and alignment, in an online section; counts add up.
 *  2. managed pages: sum over zones == totalram; each zone's managed ==
 *     free + what is allocated from it (workload, memmap, hugetlb, HVO
 *     tails freed from boot memmap are counted as managed).
 *  3. blocks vs sections: an online block's sections are online and
 *     valid, an offline block's sections are present but not online.
 *  4. vmemmap coverage: every valid section's memmap is mapped; the
 *     number of vmemmap pages equals the memmap accounting.
 *  5. zone/node spans contain their present pages; isolation counts are
 *     zero between operations.
 *  6. no leaked memfd pages: resident RAM never exceeds what is present
 *     plus the memmap.
 *  7. every struct page of an online self-hosted memmap (memmap_on_memory)
 *     names a zone that spans it (a zeroed one says node 0's first zone).
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "internal.h"

/* a broken invariant: said in @err, -EUCLEAN */
#define fail(err, errlen, ...) hm_seterr(-EUCLEAN, err, errlen, __VA_ARGS__)

static int check_free_lists(struct hotmem *hm, struct zone *z, char *err, size_t errlen)
{
	unsigned long total = 0;

	for (unsigned int o = 0; o < NR_PAGE_ORDERS; o++) {
		unsigned long n = 0;

		for (int t = 0; t < MIGRATE_TYPES; t++) {
			struct list_head *head = &z->free_area[o].free_list[t];

			for (struct list_head *l = head->next; l != head; l = l->next) {
				struct page *p = container_of(l, struct page, lru);
				unsigned long pfn = page_to_pfn(hm, p);

				if (!PageBuddy(p) || p->private != o)
					return fail(err, errlen, "zone %s: pfn %#lx on order-%u list is not a buddy of that order",
						    z->name, pfn, o);
				if ((int)p->index != t)
					return fail(err, errlen, "zone %s: pfn %#lx on list %d says list %lu",
						    z->name, pfn, t, p->index);
				if (pfn & ((1UL << o) - 1))
					return fail(err, errlen, "zone %s: pfn %#lx misaligned for order %u",
						    z->name, pfn, o);
				if (page_zone(hm, p) != z)
					return fail(err, errlen, "zone %s: pfn %#lx belongs to another zone",
						    z->name, pfn);
				if (!pfn_to_online_page(hm, pfn))
					return fail(err, errlen, "zone %s: free pfn %#lx is not online",
						    z->name, pfn);
				if (t == MIGRATE_ISOLATE)
					return fail(err, errlen, "zone %s: pfn %#lx still isolated",
						    z->name, pfn);
				n++;
				total += 1UL << o;
			}
		}
		if (n != z->free_area[o].nr_free)
			return fail(err, errlen, "zone %s: order %u counts %lu blocks, lists hold %lu",
				    z->name, o, z->free_area[o].nr_free, n);
	}
	if (total != z->nr_free_pages)
		return fail(err, errlen, "zone %s: nr_free_pages %lu, lists hold %lu",
			    z->name, z->nr_free_pages, total);
	if (z->nr_isolate_pageblock)
		return fail(err, errlen, "zone %s: %lu pageblocks left isolated", z->name,
			    z->nr_isolate_pageblock);
	return 0;
}

/* walk a zone's online pages: what is allocated from the managed pages */
static int check_zone_pages(struct hotmem *hm, struct zone *z, char *err, size_t errlen)
{
	unsigned long used = 0, free = 0, workload = 0, kmem = 0, kmem_counted = 0;

	for (unsigned long pfn = z->zone_start_pfn; pfn < zone_end_pfn(z);) {
		struct page *p;

		if (!pfn_to_online_page(hm, pfn)) {
			pfn = ALIGN(pfn + 1, PAGES_PER_SUBSECTION);
			continue;
		}
		p = pfn_to_page(hm, pfn);
		if (page_zone(hm, p) != z) {
			pfn++;
			continue;
		}
		if (PageBuddy(p)) {
			free += 1UL << p->private;
			pfn += 1UL << p->private;
			continue;
		}
		if (PageHuge(p) && test_page_flag(p, PG_head)) {
			used += pageblock_nr_pages;
			pfn += pageblock_nr_pages;
			continue;
		}
		/* a memmap allocation: its record is the head's, for all its pages (vmemmap_alloc_pages()) */
		if (test_page_flag(p, PG_vmemmap)) {
			used += 1UL << p->private;
			pfn += 1UL << p->private;
			continue;
		}
		/* logically offline (virtio-mem's fake-offline pages): not managed */
		if (PageReserved(p) || PageVmemmapSelfHosted(p) || PageOffline(p)) {
			pfn++;
			continue;
		}
		if (test_page_flag(p, PG_workload)) {
			if (!p->_refcount)
				return fail(err, errlen, "pfn %#lx: workload page with refcount 0", pfn);
			workload++;
		}
		kmem += test_page_flag(p, PG_kernel);
		/* a high-order kernel block holds its reference on the head only */
		if (p->_refcount || test_page_flag(p, PG_kernel))
			used++;
		pfn++;
	}
	if (free != z->nr_free_pages)
		return fail(err, errlen, "zone %s node %d: walk finds %lu free pages, buddy says %lu",
			    z->name, z->node, free, z->nr_free_pages);
	if (free + used != zone_managed_pages(z))
		return fail(err, errlen, "zone %s node %d: managed %lu != free %lu + used %lu",
			    z->name, z->node, zone_managed_pages(z), free, used);
	if (workload != z->nr_alloc[0] + z->nr_alloc[1] + z->nr_alloc[2])
		return fail(err, errlen, "zone %s node %d: %lu workload pages, counters say %lu",
			    z->name, z->node, workload,
			    z->nr_alloc[0] + z->nr_alloc[1] + z->nr_alloc[2]);
	for (size_t i = 0; i < ARRAY_SIZE(z->nr_kmem); i++)
		kmem_counted += z->nr_kmem[i];
	if (kmem != kmem_counted)
		return fail(err, errlen, "zone %s node %d: %lu kernel pages, counters say %lu",
			    z->name, z->node, kmem, kmem_counted);
	if (z->present_pages > z->spanned_pages)
		return fail(err, errlen, "zone %s node %d: present %lu > spanned %lu", z->name,
			    z->node, z->present_pages, z->spanned_pages);
	return 0;
}

static int check_blocks(struct hotmem *hm, char *err, size_t errlen)
{
	unsigned long id = 0;

	while (!hm_xa_find(&hm->memory_blocks, &id)) {
		struct memory_block *mem = hm_xa_load(&hm->memory_blocks, id);
		int state = atomic_load(&mem->state);

		for (unsigned long s = mem->start_section_nr;
		     s < mem->start_section_nr + hm->sections_per_block; s++) {
			struct mem_section *ms = __nr_to_section(hm, s);

			if (mem->early && !present_section(ms))
				continue;	/* a boot block may have a memmap-less hole */
			if (!valid_section(ms))
				return fail(err, errlen, "memory%lu: section %lu has no memmap", id, s);
			if (state == HM_MEM_ONLINE && !online_section(ms))
				return fail(err, errlen, "memory%lu online, section %lu is not", id, s);
			if (state == HM_MEM_OFFLINE && online_section(ms))
				return fail(err, errlen, "memory%lu offline, section %lu is online", id, s);
		}
		if (state != HM_MEM_ONLINE && state != HM_MEM_OFFLINE)
			return fail(err, errlen, "memory%lu: left in state %d", id, state);
		if (state == HM_MEM_OFFLINE && mem->zone)
			return fail(err, errlen, "memory%lu: offline but has a zone", id);
		id++;
	}
	return 0;
}

static int check_vmemmap(struct hotmem *hm, char *err, size_t errlen)
{
	unsigned long pages = 0;

	for (unsigned long nr = 0; nr < nr_mem_sections(hm); nr++) {
		struct mem_section *ms = __nr_to_section(hm, nr);
		struct vmemmap_pmd *vm;

		if (!ms) {
			nr = section_root_last(nr);
			continue;
		}
		vm = &ms->vmemmap;
		if (vm->pmd_src != VMEMMAP_NONE) {
			pages += SECTION_MEMMAP_PAGES;
		} else if (vm->pte) {
			for (unsigned long i = 0; i < PTRS_PER_PTE; i++)
				if (vm->pte[i] && VMEMMAP_PTE_SRC(vm->pte[i]) != VMEMMAP_SHARED)
					pages++;
		}
		if (!valid_section(ms))
			continue;
		if (vm->pmd_src == VMEMMAP_NONE && !vm->pte)
			return fail(err, errlen, "section %lu valid without a memmap", nr);
		if (vm->pte) {
			for (int b = 0; b < (int)SUBSECTIONS_PER_SECTION; b++) {
				unsigned long per = SECTION_MEMMAP_PAGES / SUBSECTIONS_PER_SECTION;

				if (!((ms->usage->subsection_map >> b) & 1))
					continue;
				for (unsigned long i = b * per; i < (b + 1) * per; i++)
					if (!vm->pte[i])
						return fail(err, errlen, "section %lu: vmemmap page %lu of a present subsection is not mapped",
							    nr, i);
			}
		}
	}
	if (pages != (unsigned long)atomic_load(&hm->memmap_pages))
		return fail(err, errlen, "vmemmap maps %lu pages, accounting says %ld", pages,
			    atomic_load(&hm->memmap_pages));
	return 0;
}

/*
 * Each node's count of optimised huge pages (hvo_count()), which a state
 * file saves, is what the pool's pages say: an optimisation or a restore
 * the count missed would put back another pool after a restart.
 */
static int check_hvo_counts(struct hotmem *hm, char *err, size_t errlen)
{
	for (int nid = 0; nid < hm->nr_possible_nodes; nid++) {
		unsigned long n = 0, counted;

		for (unsigned long i = 0; i < hm->hugetlb_nr; i++)
			n += hm->hugetlb_pool[i].nid == nid &&
			     vmemmap_is_optimized(hm, hm->hugetlb_pool[i].pfn);
		counted = __atomic_load_n(&NODE_DATA(hm, nid)->nr_hugepages_optimized,
					  __ATOMIC_RELAXED);
		if (n != counted)
			return fail(err, errlen, "node %d: %lu huge pages optimised, counted %lu",
				    nid, n, counted);
	}
	return 0;
}

static int check_resident(struct hotmem *hm, char *err, size_t errlen)
{
	size_t resident = physmem_memfd_resident_bytes(hm);
	uint64_t limit = 0;

	for (int i = 0; i < hm->cfg.nr_boot_ranges; i++)
		limit += hm->cfg.boot[i].end - hm->cfg.boot[i].start;
	for (struct hm_resource *r = hm->resources; r; r = r->next)
		limit += r->size;
	if (resident > limit)
		return fail(err, errlen, "memfd holds %zu bytes, only %llu are present RAM",
			    resident, (unsigned long long)limit);
	return 0;
}

/*
 * An online section's memmap the host left unmapped (vmemmap_lost()) is
 * said first: the zone walks below read every online struct page, and
 * took SIGSEGV there.  Offline, it waits for the next online to map it
 * (vmemmap_remap_lost()).
 */
static int check_memmaps_mapped(struct hotmem *hm, char *err, size_t errlen)
{
	for (unsigned long nr = 0; nr < nr_mem_sections(hm); nr++) {
		const struct mem_section *ms = __nr_to_section(hm, nr);

		if (!ms) {
			nr = section_root_last(nr);
			continue;
		}
		if (online_section(ms) && section_memmap_unmapped(ms))
			return fail(err, errlen, "section %lu is online, and the host left part of its memmap unmapped",
				    nr);
	}
	return 0;
}

/*
 * Invariant 7, on the vmemmap pages the host holds (mincore()): a hole
 * of a self-hosted memmap stands for its template and is not read here
 * (reading would fill it); a hole read through a mapping no userfaultfd
 * watches (the direct map, a forked child's) became a zeroed page, and
 * its struct pages -- in a free block's tail, which the zone walks step
 * over -- are caught here.  Boot sections are left out (their holes'
 * struct pages are the boot's).
 */
static int check_section_memmap(struct hotmem *hm, unsigned long nr, char *err, size_t errlen)
{
	const unsigned long spfn = section_nr_to_pfn(nr), per = PAGE_SIZE / sizeof(struct page);
	struct page *memmap = pfn_to_page(hm, spfn);
	unsigned char vec[SECTION_MEMMAP_PAGES];

	if (mincore(memmap, SECTION_MEMMAP_SIZE, vec))
		return 0;
	for (unsigned long i = 0; i < SECTION_MEMMAP_PAGES; i++) {
		if (!(vec[i] & 1))
			continue;
		for (unsigned long pfn = spfn + i * per; pfn < spfn + (i + 1) * per; pfn++) {
			const struct page *p = pfn_to_online_page(hm, pfn);
			struct zone *z;

			if (!p)
				continue;
			z = page_zone(hm, p);
			if (!zone_intersects(z, pfn, 1))
				return fail(err, errlen, "pfn %#lx: online, its struct page says zone %s of node %d, which does not span it (flags %#lx)",
					    pfn, z->name, z->node, p->flags);
		}
	}
	return 0;
}

static int check_online_memmaps(struct hotmem *hm, char *err, size_t errlen)
{
	for (unsigned long nr = 0; nr < nr_mem_sections(hm); nr++) {
		const struct mem_section *ms = __nr_to_section(hm, nr);
		int ret;

		if (!ms) {
			nr = section_root_last(nr);
			continue;
		}
		/* a memmap in the memfd it describes (a RAM one's reads would map its template) */
		if (!online_section(ms) || early_section(ms) || ms->vmemmap.pmd_src != VMEMMAP_ALTMAP)
			continue;
		ret = check_section_memmap(hm, nr, err, errlen);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * x86's max_pfn covers every present section (6.12: only raised, by
 * boot's e820__end_of_ram_pfn() and each add's update_end_of_memory_vars()),
 * and /proc/kpageflags ends at it, rounded up to a section
 * (get_max_dump_pfn()): a present section starting at or past it would
 * be memory the files end before.  hotmemfs's undo of an unacknowledged
 * add lowers it (hotmem_set_max_pfn()), never below present memory
 * (reread32 R1); a broken undo would leave it there.  Boot RAM's last
 * section may end past it (qemu-512m's e820 ends at 0x1ffe0), so a
 * section's start is what is held against it.  And it stays inside the
 * emulator's address space.
 */
static int check_max_pfn(struct hotmem *hm, char *err, size_t errlen)
{
	unsigned long max_pfn = atomic_load(&hm->kernel_max_pfn);

	if (max_pfn > hm->max_pfn)
		return fail(err, errlen, "max_pfn %#lx: past the machine's end %#lx", max_pfn,
			    hm->max_pfn);
	for (unsigned long nr = nr_mem_sections(hm); nr-- > 0;) {
		if (!present_section(__nr_to_section(hm, nr)))
			continue;
		if (section_nr_to_pfn(nr) >= max_pfn)
			return fail(err, errlen,
				    "max_pfn %#lx: section %lu (pfns %#lx-%#lx) is present past it",
				    max_pfn, nr, section_nr_to_pfn(nr),
				    section_nr_to_pfn(nr + 1) - 1);
		break;	/* the highest present section: all below it start lower */
	}
	return 0;
}

int hotmem_check_invariants(struct hotmem *hm, char *err, size_t errlen)
{
	long total = 0;
	int ret = 0;

	lock_device_hotplug(hm);
	pthread_rwlock_wrlock(&hm->mem_hotplug_lock);
	/* a workload allocation or free holds it for reading, not mem_hotplug_lock */
	pthread_rwlock_wrlock(&hm->vmemmap_remap_lock);
	pthread_mutex_lock(&hm->workload_lock);
	ret = check_memmaps_mapped(hm, err, errlen);
	for (int nid = 0; nid < hm->nr_possible_nodes && !ret; nid++) {
		for (int zid = 0; zid < MAX_NR_ZONES && !ret; zid++) {
			struct zone *z = &NODE_DATA(hm, nid)->node_zones[zid];

			pthread_mutex_lock(&z->lock);
			ret = check_free_lists(hm, z, err, errlen);
			if (!ret)
				ret = check_zone_pages(hm, z, err, errlen);
			pthread_mutex_unlock(&z->lock);
			total += atomic_load(&z->managed_pages);
		}
	}
	if (!ret && total != atomic_load(&hm->totalram_pages))
		ret = fail(err, errlen, "zones manage %ld pages, totalram says %ld", total,
			   atomic_load(&hm->totalram_pages));
	if (!ret)
		ret = check_max_pfn(hm, err, errlen);
	if (!ret)
		ret = check_blocks(hm, err, errlen);
	if (!ret)
		ret = check_vmemmap(hm, err, errlen);
	if (!ret)
		ret = check_hvo_counts(hm, err, errlen);
	if (!ret)
		ret = check_resident(hm, err, errlen);
	if (!ret)
		ret = check_online_memmaps(hm, err, errlen);
	if (!ret)
		ret = virtio_mem_check_invariants(hm, err, errlen);
	if (!ret && atomic_load(&hm->operation_ends_unbalanced))
		ret = fail(err, errlen, "hm_operation_end() without its hm_operation_begin(): %u times "
			   "(the first WARNed in the log)", atomic_load(&hm->operation_ends_unbalanced));
	pthread_mutex_unlock(&hm->workload_lock);
	pthread_rwlock_unlock(&hm->vmemmap_remap_lock);
	pthread_rwlock_unlock(&hm->mem_hotplug_lock);
	unlock_device_hotplug(hm);
	return ret;
}
