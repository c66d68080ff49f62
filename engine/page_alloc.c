// SPDX-License-Identifier: GPL-2.0
/*
 * mm/page_alloc.c + mm/mm_init.c: the buddy allocator over struct pages
 * that live in the vmemmap, memmap initialisation, watermarks.
 *
 * Free lists are intrusive lists through struct page::lru, exactly as in
 * the kernel; a free page's list (migratetype, or MIGRATE_ISOLATE) is
 * remembered in page->index so that it can be moved without guessing.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "uapi/hmuapi.h"

_Static_assert((int)MAX_NR_ZONES == (int)HMU_MAX_NR_ZONES && (int)ZONE_MOVABLE == (int)HMU_ZONE_MOVABLE,
	       "zones as mm/page_alloc.c zone_names[] (engine/uapi)");

const char *hotmem_zone_name(int zid)
{
	return hmu_zone_name(zid);
}

int hotmem_zone_from_name(const char *name)
{
	return hmu_zone_from_name(name, strlen(name));
}

void zone_init(struct hotmem *hm, struct zone *z, int nid, int zid)
{
	pthread_mutex_init(&z->lock, NULL);
	z->zone_pgdat = hm->node_data[nid];
	z->node = nid;
	z->idx = zid;
	z->name = hmu_zone_names[zid];
	for (int o = 0; o < NR_PAGE_ORDERS; o++)
		for (int t = 0; t < MIGRATE_TYPES; t++)
			INIT_LIST_HEAD(&z->free_area[o].free_list[t]);
}

unsigned long totalram_pages(struct hotmem *hm)
{
	return (unsigned long)atomic_load(&hm->totalram_pages);
}

void adjust_managed_page_count(struct hotmem *hm, struct page *page, long count)
{
	atomic_fetch_add(&page_zone(hm, page)->managed_pages, count);
	atomic_fetch_add(&hm->totalram_pages, count);
}

unsigned long zone_free_pages(struct zone *z)
{
	return z->nr_free_pages;
}

/* ------------------------------------------------------------------ */
/* memmap initialisation                                               */
/* ------------------------------------------------------------------ */

/*
 * memmap_init_range(): every struct page of the range gets the same 64
 * bytes (zone, node, flags, refcount), written as one template copy.  The
 * kernel initialises each page and later walks them again in
 * __free_pages_core() to drop the reference; writing the final state once
 * is what keeps onlining within a memset of the memmap (make bench).  A
 * whole section whose memmap may share the template is not written at all
 * (parallel_memmap_init()).
 */
static struct page memmap_template(int nid, int zid, unsigned long extra_flags, int refcount)
{
	struct page tmpl;

	memset(&tmpl, 0, sizeof(tmpl));	/* templates are told apart by memcmp() */
	tmpl.flags = page_zone_node_bits(zid, nid) | extra_flags;
	tmpl.page_type = -1;
	tmpl._refcount = refcount;
	return tmpl;
}

void memmap_fill(struct page *dst, unsigned long nr_pages, const struct page *tmpl)
{
	typedef unsigned long v2 __attribute__((vector_size(16), aligned(16)));
	v2 t[4], *p = (v2 *)dst;

	/* four 16-byte stores a struct page: the memmap is always aligned */
	memcpy(t, tmpl, sizeof(t));
	for (unsigned long i = 0; i < nr_pages; i++, p += 4) {
		p[0] = t[0];
		p[1] = t[1];
		p[2] = t[2];
		p[3] = t[3];
	}
}

void memmap_init_range(struct hotmem *hm, unsigned long start_pfn,
		       unsigned long nr_pages, int nid, int zid,
		       unsigned long extra_flags, int refcount)
{
	const struct page tmpl = memmap_template(nid, zid, extra_flags, refcount);

	memmap_fill(pfn_to_page(hm, start_pfn), nr_pages, &tmpl);
}

struct memmap_chunk {
	struct hotmem *hm;
	unsigned long start_pfn, nr_pages;
	const struct page *tmpl;
	int slot;	/* its memmap template, or -1 */
	pthread_t thread;
	bool started;
	int ret;	/* -ENOMEM: a memmap the host left unmapped, or a hole it gives no memory for */
};

/* a section's memmap that vmemmap_share_template() would take: not worth faulting in */
static bool memmap_shareable(const struct mem_section *ms)
{
	return ms->vmemmap.pmd_src == VMEMMAP_BUDDY || ms->vmemmap.pmd_src == VMEMMAP_BOOT;
}

static void prefault_section(struct hotmem *hm, struct mem_section *ms, unsigned long pfn,
			     unsigned long nr_pages)
{
	if (__atomic_load_n(&ms->section_mem_map, __ATOMIC_RELAXED) & SECTION_MEMMAP_RESIDENT)
		return;
	/* a fallocate() would fill its holes with zeros, which the vmemmap shows */
	if (vmemmap_has_holes(ms))
		return;
	/* a huge mapping's backing is contiguous: allocate it in bulk */
	if (ms->vmemmap.pmd_src != VMEMMAP_NONE)
		physmem_allocate(hm, ms->vmemmap.pmd_pfn, SECTION_MEMMAP_PAGES);
	physmem_prefault(pfn_to_page(hm, pfn), nr_pages * sizeof(struct page));
	/* the prefetcher sets this beside the onlining thread */
	if (nr_pages == PAGES_PER_SECTION)
		__atomic_fetch_or(&ms->section_mem_map, SECTION_MEMMAP_RESIDENT, __ATOMIC_RELAXED);
}

/*
 * The host memory the range's memmap may take: that of each section
 * neither resident already nor sharing its template -- a self-hosted
 * memmap (memmap_on_memory), 2 MiB a 128 MiB section.  Counted in full
 * where its pages stay holes too (vmemmap_holes.c): the online costs the
 * host ~160 KiB, but any later reader of the memmap (pagetypeinfo,
 * explain, the invariants, an offline's scans, a workload filling the
 * block) fills each hole it reads with a host page for good, with no
 * check; and a memmap with no template slot left is written in full.
 * The holes are a saving, not a budget.
 */
uint64_t memmap_host_bytes(struct hotmem *hm, unsigned long start_pfn, unsigned long nr_pages)
{
	uint64_t bytes = 0;

	for (unsigned long pfn = start_pfn; pfn < start_pfn + nr_pages;) {
		unsigned long next = min(start_pfn + nr_pages, ALIGN(pfn + 1, PAGES_PER_SECTION));
		struct mem_section *ms = __pfn_to_section(hm, pfn);

		if (!(__atomic_load_n(&ms->section_mem_map, __ATOMIC_RELAXED) &
		      SECTION_MEMMAP_RESIDENT) &&
		    !(next - pfn == PAGES_PER_SECTION && memmap_shareable(ms)))
			bytes += (uint64_t)(next - pfn) * sizeof(struct page);
		pfn = next;
	}
	return bytes;
}

/*
 * Fault a section's memmap in once, in one call, not a fault a page; not
 * one that will share its template (its memfd pages are never used).  A
 * self-hosted one whose pages stay holes is not faulted in (that would
 * fill its holes with zeros): its memory block's prefetch copies in what
 * its first online writes instead (memory.c, memory_block_prefetch()).
 */
void prefault_memmap(struct hotmem *hm, unsigned long start_pfn, unsigned long nr_pages)
{
	for (unsigned long pfn = start_pfn; pfn < start_pfn + nr_pages;) {
		unsigned long next = min(start_pfn + nr_pages, ALIGN(pfn + 1, PAGES_PER_SECTION));
		struct mem_section *ms = __pfn_to_section(hm, pfn);

		if (!(next - pfn == PAGES_PER_SECTION && memmap_shareable(ms)))
			prefault_section(hm, ms, pfn, next - pfn);
		pfn = next;
	}
}

/*
 * Section by section: a whole one from system RAM or memblock shares its
 * template, the rest is written -- after a memmap an earlier refusal left
 * unmapped is mapped again (a partial section, or no template slot, would
 * write into the reservation's PROT_NONE).  A memmap the host leaves
 * unmapped stops the chunk: nothing may touch it (the caller fails).
 */
static void *memmap_init_worker(void *arg)
{
	struct memmap_chunk *c = arg;
	const unsigned long end_pfn = c->start_pfn + c->nr_pages;

	/*
	 * Marked as working for the mem_hotplug_lock holder (3123b44f), and
	 * that is the right depth, read against 6.12: padata_do_multithreaded()
	 * (kernel/padata.c) is __init, deferred_init_memmap()'s, its thread_fn
	 * void -- a kernel helper never fails and never runs a notifier, and an
	 * online's memmap_init_range() runs in the onlining thread alone.
	 * Here a chunk does fail (-ENOMEM: a hole the host gives no memory for)
	 * and the log line saying so is made where the copy is refused
	 * (vmemmap_holes.c holes_copy(), shared with the offline, the fault
	 * thread and hotmem_phys_to_virt(), which are no helpers), so a
	 * subscriber's callback runs in this thread, under event_lock.  Moving
	 * that line after the join would not be enough: the batch prefetcher
	 * is joined by no one with a result, and any callback that waited
	 * for the lock in a helper, event_lock held, would stop the operation
	 * at its own next log line.  The operation excludes what
	 * get_online_mems() would, for as long as the helper runs.
	 */
	mem_hotplug_helper_begin();
	atomic_fetch_add(&c->hm->init_chunks, 1);
	for (unsigned long pfn = c->start_pfn; pfn < end_pfn;) {
		unsigned long next = min(end_pfn, ALIGN(pfn + 1, PAGES_PER_SECTION));
		int shared = 0;

		if (next - pfn == PAGES_PER_SECTION && c->slot >= 0)
			shared = vmemmap_share_template(c->hm, pfn_to_section_nr(pfn), c->slot);
		/* written without its template: a memmap the host left unmapped is mapped first */
		if (!shared)
			shared = vmemmap_remap_lost(c->hm, pfn, next - pfn);
		if (shared < 0) {
			c->ret = shared;
			break;
		}
		if (!shared && vmemmap_has_holes(__pfn_to_section(c->hm, pfn))) {
			/* the host gives no memory for a page it writes: the caller fails */
			c->ret = vmemmap_holes_init_range(c->hm, pfn, next - pfn, c->tmpl, c->slot);
			if (c->ret)
				break;
		} else if (!shared) {
			prefault_section(c->hm, __pfn_to_section(c->hm, pfn), pfn, next - pfn);
			memmap_fill(pfn_to_page(c->hm, pfn), next - pfn, c->tmpl);
		}
		pfn = next;
	}
	mem_hotplug_helper_end();
	return NULL;
}

/* a template is made only where some whole section's memmap may share it */
static bool range_has_shareable_section(struct hotmem *hm, unsigned long start_pfn,
					unsigned long end_pfn)
{
	for (unsigned long pfn = ALIGN(start_pfn, PAGES_PER_SECTION);
	     pfn + PAGES_PER_SECTION <= end_pfn; pfn += PAGES_PER_SECTION)
		if (memmap_shareable(__pfn_to_section(hm, pfn)))
			return true;
	/* or where a self-hosted memmap's pages stay holes standing for it */
	for (unsigned long pfn = start_pfn; pfn < end_pfn;) {
		unsigned long next = min(end_pfn, ALIGN(pfn + 1, PAGES_PER_SECTION));

		if (vmemmap_holes_range(hm, pfn, next - pfn))
			return true;
		pfn = next;
	}
	return false;
}

/*
 * Large ranges are initialised by init_threads workers in section-aligned
 * chunks (seed 004): a section's pageblock flags live in its own usemap, so
 * no two threads share one, and a chunk never splits a max-order block.
 * Those lent to a batch's prefetcher (hotmem_online_blocks()) are not
 * among them: init_threads is how many work at once.
 */
int parallel_memmap_init(struct hotmem *hm, unsigned long start_pfn,
			 unsigned long nr_pages, int nid, int zid,
			 unsigned long extra_flags, int refcount)
{
	const struct page tmpl = memmap_template(nid, zid, extra_flags, refcount);
	unsigned int nthreads = hm->cfg.init_threads -
				atomic_load_explicit(&hm->init_threads_lent, memory_order_relaxed);
	unsigned long end_pfn = start_pfn + nr_pages;
	/* the sections it touches: a range starting inside one (a node boundary) touches one more */
	unsigned long nr_sections = pfn_to_section_nr(end_pfn - 1) - pfn_to_section_nr(start_pfn) + 1;
	struct memmap_chunk chunks[64] = { 0 };	/* fewer chunks than threads may do */
	unsigned long per, pfn = start_pfn;
	int ret = 0;
	const int slot = range_has_shareable_section(hm, start_pfn, end_pfn) ?
			 physmem_memmap_template(hm, &tmpl) : -1;

	if (nthreads > nr_sections)
		nthreads = (unsigned int)nr_sections;
	if (nthreads <= 1) {
		struct memmap_chunk c = { hm, start_pfn, nr_pages, &tmpl, slot, 0, false, 0 };

		memmap_init_worker(&c);
		return c.ret;
	}
	per = DIV_ROUND_UP(nr_sections, nthreads) * PAGES_PER_SECTION;
	for (unsigned int t = 0; t < nthreads && pfn < end_pfn; t++) {
		unsigned long next = min(ALIGN_DOWN(pfn, PAGES_PER_SECTION) + per, end_pfn);

		chunks[t] = (struct memmap_chunk){ hm, pfn, next - pfn, &tmpl, slot, 0, false, 0 };
		/* the calling thread does the last chunk itself */
		if (next < end_pfn && t + 1 < nthreads &&
		    !pthread_create(&chunks[t].thread, NULL, memmap_init_worker, &chunks[t]))
			chunks[t].started = true;
		else
			memmap_init_worker(&chunks[t]);
		pfn = next;
	}
	for (unsigned int t = 0; t < nthreads; t++) {
		if (chunks[t].started)
			pthread_join(chunks[t].thread, NULL);
		ret = ret ?: chunks[t].ret;
	}
	return ret;
}

/* ------------------------------------------------------------------ */
/* the buddy                                                           */
/* ------------------------------------------------------------------ */

static inline unsigned int buddy_order(const struct page *p)
{
	return (unsigned int)buddy_order_unsafe(p);
}

bool page_is_buddy_head(const struct page *p)
{
	return PageBuddy(p);
}

/*
 * 6.12 account_freepages(): NR_FREE_PAGES (MemFree, zoneinfo's "pages
 * free") leaves out the free pages of isolated pageblocks, which no
 * allocation can take -- while an offline or alloc_contig_range() holds
 * them, they are not free; a move between an isolated list and another
 * (move_freepages_block()) is a delete and an add, and counts them out or
 * in again.  zone->lock held.
 */
static void account_freepages(struct zone *z, long nr_pages, int migratetype)
{
	if (migratetype == MIGRATE_ISOLATE)
		return;
	z->nr_free_pages += (unsigned long)nr_pages;
}

static void add_to_free_list(struct zone *z, struct page *page, unsigned int order,
			     int mt, bool tail)
{
	struct free_area *area = &z->free_area[order];

	set_buddy_order(page, order);
	WRITE_ONCE(page->index, (unsigned long)mt);
	set_page_flag(page, PG_buddy);
	if (tail)
		list_add_tail(&page->lru, &area->free_list[mt]);
	else
		list_add(&page->lru, &area->free_list[mt]);
	area->nr_free++;
	account_freepages(z, 1L << order, mt);
}

void del_page_from_free_list(struct zone *z, struct page *page, unsigned int order)
{
	list_del(&page->lru);
	clear_page_flag(page, PG_buddy);
	set_buddy_order(page, 0);
	z->free_area[order].nr_free--;
	account_freepages(z, -(1L << order), (int)READ_ONCE(page->index));
}

/* a list link of a lost memmap's struct page: in @copy, where it can be written; else NULL */
static struct list_head *lost_link(struct list_head *p, const struct page *memmap,
				   struct page *copy)
{
	const uintptr_t a = (uintptr_t)p, lo = (uintptr_t)memmap;

	if (a >= lo && a < lo + SECTION_MEMMAP_SIZE)
		return (struct list_head *)((char *)copy + (a - lo));
	return NULL;
}

/* a free block's neighbour's link set to @val: in @copy now, or recorded for later */
static void lost_unlink_one(struct list_head *nb, bool next, struct list_head *val,
			    const struct page *memmap, struct page *copy,
			    struct lost_block *b, int w)
{
	struct list_head *in = lost_link(nb, memmap, copy);

	if (in) {
		*(next ? &in->next : &in->prev) = val;
		return;
	}
	b->field[w] = next ? &nb->next : &nb->prev;
	b->val[w] = val;
}

/*
 * The memmap of an online section the host left unmapped (vmemmap_lost())
 * still has its free pages on the zone's free lists, which run through
 * the struct pages: any add to or removal from such a list next to one of
 * them would fault, anywhere in the zone.  They are taken off the buddy,
 * as take_page_off_buddy() takes off a poisoned page, in two steps so
 * that a refused write of @copy (the section's struct pages as its memfd
 * pages hold them, @memmap's content) changes nothing outside it.  (In
 * the memfd, a refused write may have stored part of @copy: the caller
 * writes the original back, vmemmap_lost_off_buddy().)  First
 * (here) each free block is unlinked in @copy only: it keeps PG_buddy,
 * its order and migratetype with lru NULL, which no list member has, its
 * neighbours in @copy are linked past it, and the writes to neighbours
 * outside (list heads, struct pages mapped elsewhere) are recorded in
 * *@blocks.  Once the caller has written @copy back,
 * lost_memmap_unlink() makes those writes and counts the pages off.
 * Neither free (MemFree) nor allocated meanwhile; put_lost_memmap_back()
 * puts them on their lists again once the memmap is mapped.  The caller
 * holds mem_hotplug_lock and vmemmap_remap_lock for writing (the
 * workload's allocations and frees hold the latter for reading): no list
 * changes in between.
 * Returns the number of blocks, or -ENOMEM.
 */
long take_lost_memmap_off_buddy(struct hotmem *hm, const struct page *memmap,
				struct page *copy, struct lost_block **blocks)
{
	unsigned long nr = 0, i;
	struct lost_block *b;

	for (i = 0; i < PAGES_PER_SECTION;) {
		const struct page *p = &copy[i];

		nr += PageBuddy(p) && p->lru.next;
		i += PageBuddy(p) && p->lru.next ? 1UL << buddy_order(p) : 1;
	}
	b = *blocks = calloc(nr ? nr : 1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	for (i = 0; i < PAGES_PER_SECTION;) {
		struct page *p = &copy[i];

		if (!PageBuddy(p) || !p->lru.next) {
			i++;
			continue;
		}
		b->z = page_zone(hm, p);
		b->order = buddy_order(p);
		b->migratetype = (int)READ_ONCE(p->index);
		lost_unlink_one(p->lru.prev, true, p->lru.next, memmap, copy, b, 0);
		lost_unlink_one(p->lru.next, false, p->lru.prev, memmap, copy, b, 1);
		p->lru.next = p->lru.prev = NULL;
		i += 1UL << b->order;
		b++;
	}
	return (long)nr;
}

/* take_lost_memmap_off_buddy()'s second step, after @copy went back: returns the pages taken */
unsigned long lost_memmap_unlink(struct lost_block *blocks, unsigned long nr)
{
	unsigned long taken = 0;

	for (struct lost_block *b = blocks; b < blocks + nr; b++) {
		pthread_mutex_lock(&b->z->lock);
		for (int w = 0; w < 2; w++)
			if (b->field[w])
				*b->field[w] = b->val[w];
		b->z->free_area[b->order].nr_free--;
		account_freepages(b->z, -(1L << b->order), b->migratetype);
		pthread_mutex_unlock(&b->z->lock);
		taken += 1UL << b->order;
	}
	return taken;
}

/* the section's free blocks take_lost_memmap_off_buddy() took off, on their lists again */
void put_lost_memmap_back(struct hotmem *hm, unsigned long start_pfn)
{
	for (unsigned long pfn = start_pfn; pfn < start_pfn + PAGES_PER_SECTION;) {
		struct page *page = pfn_to_page(hm, pfn);
		unsigned int order;
		struct zone *z;

		if (!PageBuddy(page) || page->lru.next) {
			pfn++;
			continue;
		}
		order = buddy_order(page);
		z = page_zone(hm, page);
		pthread_mutex_lock(&z->lock);
		add_to_free_list(z, page, order, (int)READ_ONCE(page->index), true);
		pthread_mutex_unlock(&z->lock);
		pfn += 1UL << order;
	}
}

static int free_list_type(struct hotmem *hm, unsigned long pfn)
{
	if (get_pageblock_isolate(hm, pfn))
		return MIGRATE_ISOLATE;
	return get_pfnblock_migratetype(hm, pfn);
}

/* __free_one_page(): merge with free buddies as far as they go */
static void __free_one_page(struct hotmem *hm, struct zone *z, unsigned long pfn,
			    unsigned int order, int mt, bool tail)
{
	struct page *page = pfn_to_page(hm, pfn);

	while (order < MAX_PAGE_ORDER) {
		unsigned long buddy_pfn = pfn ^ (1UL << order);
		struct page *buddy;

		if (!pfn_valid(hm, buddy_pfn))
			break;
		buddy = pfn_to_page(hm, buddy_pfn);
		if (!PageBuddy(buddy) || buddy_order(buddy) != order ||
		    page_zone(hm, buddy) != z)
			break;
		/* never merge an isolated pageblock into a usable one */
		if (order >= pageblock_order && (int)READ_ONCE(buddy->index) != mt &&
		    (mt == MIGRATE_ISOLATE || (int)READ_ONCE(buddy->index) == MIGRATE_ISOLATE))
			break;
		del_page_from_free_list(z, buddy, order);
		pfn &= buddy_pfn;
		page = pfn_to_page(hm, pfn);
		order++;
	}
	add_to_free_list(z, page, order, mt, tail);
}

/*
 * pcp_allowed_order() (6.12, x86-64 with THP): the orders the per-CPU
 * lists serve, PAGE_ALLOC_COSTLY_ORDER (3) and below and HPAGE_PMD_ORDER
 */
static bool pcp_allowed_order(unsigned int order)
{
	return order <= 3 || order == pageblock_order;
}

/*
 * @z's pcp->high @high and its state with it: the value first, so a
 * reader that sees ZONE_PCP_USED (acquire) sees its value
 */
static void zone_pcp_high_store(struct zone *z, unsigned char state, long high)
{
	__atomic_store_n(&z->pcp_high, state == ZONE_PCP_USED ? high : 0, __ATOMIC_RELAXED);
	__atomic_store_n(&z->pcp_state, state, __ATOMIC_RELEASE);
}

long zone_pcp_high(struct zone *z)
{
	if (__atomic_load_n(&z->pcp_state, __ATOMIC_ACQUIRE) != ZONE_PCP_USED)
		return 0;
	return __atomic_load_n(&z->pcp_high, __ATOMIC_RELAXED);
}

/*
 * rmqueue_pcplist()'s nr_pcp_alloc() and free_unref_page_commit()'s
 * nr_pcp_high() clamp pcp->high into [high_min, high_max] at the first
 * allocation or free through a pageset: from then on it is off 0, and
 * an idle kernel's decay_pcp_high() takes it down to high_min.
 * __free_pages_core() (boot, online) frees to the buddy directly.
 */
void zone_pcp_touch(struct zone *z, unsigned int order)
{
	if (pcp_allowed_order(order) &&
	    __atomic_load_n(&z->pcp_state, __ATOMIC_ACQUIRE) != ZONE_PCP_USED)
		zone_pcp_high_store(z, ZONE_PCP_USED,
				    __atomic_load_n(&z->pageset_high_min, __ATOMIC_RELAXED));
}

/*
 * The pagesets' pcp->high when the zones' pagesets are set again (every
 * online and offline, 6.12's zone_pcp_update()): a zone left without
 * pages had its pageset freed (zone_pcp_reset()), and the one
 * setup_zone_pageset() gives it when it is onlined again starts at 0.
 * At boot (the first call) a zone is taken as the kernel's boot left it:
 * used where the boot CPUs' allocations and frees go -- their nodes'
 * zones, the kernel image's freed init memory in DMA32 among them (the
 * host's /proc/zoneinfo: DMA32 and Normal high_min) -- and 0 in ZONE_DMA,
 * which only GFP_DMA and the last fallback reach (the host's DMA: 0), and
 * on a node without CPUs.
 */
/*
 * A pageset in use has its pcp->high settled at the new high_min: 6.12's
 * zone_pcp_update() leaves pcp->high alone, and nr_pcp_high() (up) and
 * decay_pcp_high() on vmstat's interval (down) bring it there within
 * seconds; the engine has no vmstat clock to step that decay on (its
 * kmem_tick() stands for time passing once an operation, not for
 * sysctl_stat_interval), so the setup -- an online, an offline, a
 * watermark write -- stands for the kernel settled after it.
 */
static void zone_pcp_update_high(struct zone *z)
{
	/* atomic: an allocation or free touches it without mem_hotplug_lock */
	unsigned char state = __atomic_load_n(&z->pcp_state, __ATOMIC_ACQUIRE);

	if (!populated_zone(z))
		state = ZONE_PCP_FRESH;
	else if (state == ZONE_PCP_UNSET)
		state = z->idx != ZONE_DMA && z->zone_pgdat->has_cpu ? ZONE_PCP_USED :
								       ZONE_PCP_FRESH;
	zone_pcp_high_store(z, state, __atomic_load_n(&z->pageset_high_min, __ATOMIC_RELAXED));
}

/* num_online_cpus(): the CPUs hotmemfs placed, one without them */
static int num_online_cpus(struct hotmem *hm)
{
	return hm->cfg.nr_online_cpus > 0 ? hm->cfg.nr_online_cpus : 1;
}

static unsigned long pcp_rounddown_pow_of_two(unsigned long x)
{
	return x ? 1UL << (63 - __builtin_clzl(x)) : 0;
}

/*
 * 6.12 zone_batchsize() (CONFIG_MMU): a quarter of the zone's managed
 * pages over 1024, at most 1 MiB's worth, made 2^n - 1
 */
static long zone_batchsize(struct zone *z)
{
	long batch = (long)min(zone_managed_pages(z) >> 10, (1UL << 20) / PAGE_SIZE) / 4;

	if (batch < 1)
		batch = 1;
	return (long)pcp_rounddown_pow_of_two((unsigned long)(batch + batch / 2)) - 1;
}

/*
 * 6.12 zone_highsize(): @low_wmark (no @high_fraction) or the managed
 * pages over @high_fraction, split over the node's online CPUs
 * (cpumask_of_node(), plus @cpu_online for one coming up that is not in
 * it yet), or over all online ones for a node without; at least batch * 4
 */
static long zone_highsize(struct hotmem *hm, struct zone *z, long batch, int cpu_online,
			  int high_fraction, unsigned long low_wmark)
{
	const unsigned long total_pages =
		high_fraction ? zone_managed_pages(z) / (unsigned long)high_fraction : low_wmark;
	int nid = z->zone_pgdat->node_id;
	long nr_split_cpus = cpu_online;
	long high;

	if (nid >= 0 && nid < HM_MAX_NUMNODES)
		nr_split_cpus += hm->cfg.node_online_cpus[nid];
	if (!nr_split_cpus)
		nr_split_cpus = num_online_cpus(hm);
	high = (long)(total_pages / (unsigned long)nr_split_cpus);
	return max(high, batch << 2);
}

#define MIN_PERCPU_PAGELIST_HIGH_FRACTION 8

/*
 * 6.12 zone_set_pageset_high_and_batch() with the low mark @low_wmark:
 * vm.percpu_pagelist_high_fraction's manual limits (high_min = high_max
 * = managed / fraction: "PCP high is tuned manually, disable
 * auto-tuning"), else high_min from the low mark and high_max from an
 * eighth of the managed pages, all as they stand now -- kept until the
 * next zone_pcp_update() or fraction write.  wmark_lock held.
 */
static void pageset_high_and_batch_from(struct hotmem *hm, struct zone *z, int cpu_online,
					unsigned long low_wmark)
{
	const int fraction = hm->percpu_pagelist_high_fraction;
	long batch = max(1L, zone_batchsize(z));
	long high_min, high_max;

	if (fraction) {
		high_min = zone_highsize(hm, z, batch, cpu_online, fraction, 0);
		high_max = high_min;
	} else {
		high_min = zone_highsize(hm, z, batch, cpu_online, 0, low_wmark);
		high_max = zone_highsize(hm, z, batch, cpu_online,
					 MIN_PERCPU_PAGELIST_HIGH_FRACTION, 0);
	}
	__atomic_store_n(&z->pageset_batch, batch, __ATOMIC_RELAXED);
	__atomic_store_n(&z->pageset_high_min, high_min, __ATOMIC_RELAXED);
	__atomic_store_n(&z->pageset_high_max, high_max, __ATOMIC_RELAXED);
}

/*
 * a setup's (setup_per_zone_wmarks(), a state file's marks): the low
 * mark as the setup left it, its boost zeroed with the marks
 */
static void zone_set_pageset_high_and_batch(struct hotmem *hm, struct zone *z, int cpu_online)
{
	pageset_high_and_batch_from(hm, z, cpu_online, z->_watermark[WMARK_LOW]);
}

/*
 * 6.12 zone_pcp_update(): a zone's new managed pages or watermarks into
 * its pagesets' limits.  Its callers: setup_per_zone_wmarks() for every
 * zone, cpu_online 0 (boot's, each online_pages() and offline_pages()
 * through init_per_zone_wmark_min() -- since 5.14 they call it no more
 * themselves -- and the min_free_kbytes and watermark_scale_factor
 * writes), and the CPU hotplug callbacks, which hotmem has not (its CPUs
 * are fixed from boot).  pcp->high itself is zone_pcp_update_high()'s.
 */
static void zone_pcp_update(struct hotmem *hm, struct zone *z, int cpu_online)
{
	zone_set_pageset_high_and_batch(hm, z, cpu_online);
	zone_pcp_update_high(z);
}

/*
 * 6.12 calculate_normal_threshold() (mm/vmstat.c): the vm stats drift a
 * CPU may hold, from the zone's managed pages in 128 MiB units
 */
static int calculate_normal_threshold(struct hotmem *hm, struct zone *z)
{
	int mem = (int)(zone_managed_pages(z) >> (27 - PAGE_SHIFT));
	int fls_cpus = 32 - __builtin_clz((unsigned int)num_online_cpus(hm));
	int fls_mem = mem ? 32 - __builtin_clz((unsigned int)mem) : 0;

	return min(125, 2 * fls_cpus * (1 + fls_mem));
}

/*
 * 6.12 refresh_zone_stat_thresholds(): every populated zone of an online
 * node, from its managed pages of now.  Its callers: init_per_zone_wmark_min()
 * (boot, each online and offline) and CPU hotplug; not
 * setup_per_zone_wmarks() (a watermark sysctl's write).  wmark_lock held.
 */
void refresh_zone_stat_thresholds(struct hotmem *hm)
{
	struct zone *z;

	for_each_populated_zone(hm, z)
		__atomic_store_n(&z->stat_threshold, calculate_normal_threshold(hm, z),
				 __ATOMIC_RELAXED);
}

void free_one_page_locked(struct hotmem *hm, struct zone *zone, unsigned long pfn,
			  unsigned int order, bool to_tail)
{
	__free_one_page(hm, zone, pfn, order, free_list_type(hm, pfn), to_tail);
}

/*
 * 6.10+ free_one_page() counts PGFREE, as the per-CPU free does: every
 * free to the buddy but a page put back from isolation (the _locked
 * variant: __putback_isolated_page(), take_page_off_buddy()'s split)
 */
void free_one_page(struct hotmem *hm, struct zone *zone, unsigned long pfn,
		   unsigned int order, bool to_tail)
{
	pthread_mutex_lock(&zone->lock);
	__free_one_page(hm, zone, pfn, order, free_list_type(hm, pfn), to_tail);
	pthread_mutex_unlock(&zone->lock);
	count_vm_events(hm, HM_PGFREE, 1UL << order);
}

void __free_pages(struct hotmem *hm, struct page *page, unsigned int order)
{
	set_page_count(page, 0);
	clear_page_flag(page, PG_head);
	zone_pcp_touch(page_zone(hm, page), order);
	if (free_pages_hwpoison(hm, page, order)) /* memory_failure.c */
		return;
	free_one_page(hm, page_zone(hm, page), page_to_pfn(hm, page), order, false);
}

/*
 * __free_pages_core(): hand never-used memory to the buddy and count it
 * managed.  Onlined memory goes to the tail so that it is used last.
 */
void __free_pages_core(struct hotmem *hm, struct page *page, unsigned int order,
		       bool to_tail)
{
	unsigned long nr = 1UL << order;

	for (unsigned long i = 0; i < nr; i++) {
		if (page_ref_count(&page[i]) || READ_ONCE(page[i].flags) & ((1UL << PG_reserved) |
							  (1UL << PG_offline))) {
			set_page_count(&page[i], 0);
			clear_page_flag(&page[i], PG_reserved);
			clear_page_flag(&page[i], PG_offline);
		}
	}
	adjust_managed_page_count(hm, page, (long)nr);
	free_one_page(hm, page_zone(hm, page), page_to_pfn(hm, page), order, to_tail);
}

/* expand(): split a larger free block, returning the halves */
static void expand(struct zone *z, struct page *page, unsigned int low,
		   unsigned int high, int mt)
{
	unsigned long size = 1UL << high;

	while (high > low) {
		high--;
		size >>= 1;
		add_to_free_list(z, &page[size], high, mt, false);
	}
}

static struct page *__rmqueue_smallest(struct zone *z, unsigned int order, int mt)
{
	for (unsigned int o = order; o < NR_PAGE_ORDERS; o++) {
		struct list_head *l = &z->free_area[o].free_list[mt];
		struct page *page;

		if (list_empty(l))
			continue;
		page = container_of(l->next, struct page, lru);
		del_page_from_free_list(z, page, o);
		expand(z, page, order, o, mt);
		return page;
	}
	return NULL;
}

/*
 * A free block of more than a pageblock that holds the pageblock at
 * @start (its head before it, or at it), or NULL.  The max-order head is
 * read first: in a memmap shared with its template, the first struct page
 * of a pageblock inside a free max-order block is on a vmemmap page
 * nothing else of an online touches.
 */
static struct page *free_block_over_pageblock(struct hotmem *hm, unsigned long start)
{
	unsigned long head = ALIGN_DOWN(start, MAX_ORDER_NR_PAGES);
	struct page *hp = pfn_to_page(hm, head);

	if (head != start && PageBuddy(hp) && buddy_order_unsafe(hp) > pageblock_order &&
	    head + (1UL << buddy_order_unsafe(hp)) > start)
		return hp;
	hp = pfn_to_page(hm, start);
	return PageBuddy(hp) && buddy_order_unsafe(hp) > pageblock_order ? hp : NULL;
}

/* one of @head's pageblocks but the one at @except isolated */
static bool free_block_isolated_elsewhere(struct hotmem *hm, unsigned long head,
					  unsigned int order, unsigned long except)
{
	for (unsigned long pb = head; pb < head + (1UL << order); pb += pageblock_nr_pages)
		if (pb != except && get_pageblock_isolate(hm, pb))
			return true;
	return false;
}

/*
 * split_large_buddy() (6.12): a free block of several pageblocks freed
 * again a pageblock at a time, each to its own list -- an isolated one
 * to MIGRATE_ISOLATE, which __free_one_page() keeps from merging back.
 */
static void split_large_buddy(struct hotmem *hm, struct zone *z, struct page *page,
			      unsigned int order)
{
	const unsigned long head = page_to_pfn(hm, page);

	del_page_from_free_list(z, page, order);
	for (unsigned long pb = head; pb < head + (1UL << order); pb += pageblock_nr_pages)
		__free_one_page(hm, z, pb, pageblock_order, free_list_type(hm, pb), false);
}

/*
 * A free block reaching over the pageblock's edge, as the pageblock's
 * isolation bit has just been set or cleared (6.12
 * move_freepages_block_isolate()).  Isolated, a block from a pageblock
 * before is split at the edge, as 6.12 splits it: left whole on its list,
 * the allocator, which takes no mem_hotplug_lock, would hand out the
 * isolated pageblock's pages -- to an offline that found them free a
 * moment ago.  (A block that starts here is not: the caller moves it
 * whole.)  Unisolated, a block that isolated pageblocks merged into goes
 * back to its head's list once none of them is isolated any more, not
 * before.
 */
static void move_free_block_over_pageblock(struct hotmem *hm, struct zone *z,
					   struct page *big, unsigned long start, int new_list)
{
	const unsigned long head = page_to_pfn(hm, big);
	const unsigned int order = (unsigned int)buddy_order_unsafe(big);
	int list = new_list;

	if (new_list == MIGRATE_ISOLATE) {
		if ((int)READ_ONCE(big->index) != MIGRATE_ISOLATE)
			split_large_buddy(hm, z, big, order);
		return;
	}
	if (free_block_isolated_elsewhere(hm, head, order, start))
		return;
	if (head != start)
		list = get_pfnblock_migratetype(hm, head);
	if ((int)READ_ONCE(big->index) != list) {
		del_page_from_free_list(z, big, order);
		add_to_free_list(z, big, order, list, true);
	}
}

/*
 * The free pages of the pageblock at @pfn to @new_list: MIGRATE_ISOLATE
 * after its isolation bit was set, its migratetype after it was cleared.
 * A free block that starts here and reaches beyond moves whole to
 * MIGRATE_ISOLATE: the next pageblocks of the range are isolated next,
 * and a range that ends inside it keeps the rest off the allocator until
 * the isolation ends.  6.12 splits it; not here, where the split would
 * write a struct page in each max-order block of every offline (a
 * memmap shared with its template copied for it).  zone->lock held.
 */
void move_freepages_block(struct hotmem *hm, struct zone *z, unsigned long pfn, int new_list)
{
	unsigned long start = ALIGN_DOWN(pfn, pageblock_nr_pages);
	unsigned long end = start + pageblock_nr_pages;
	struct page *big = free_block_over_pageblock(hm, start);

	if (big && !(new_list == MIGRATE_ISOLATE && page_to_pfn(hm, big) == start)) {
		move_free_block_over_pageblock(hm, z, big, start, new_list);
		return;
	}
	for (pfn = start; pfn < end;) {
		struct page *page = pfn_to_page(hm, pfn);
		unsigned int order;

		if (!PageBuddy(page)) {
			pfn++;
			continue;
		}
		order = buddy_order(page);
		/* move_to_free_list(): to the tail, as since 5.10 */
		if ((int)READ_ONCE(page->index) != new_list) {
			del_page_from_free_list(z, page, order);
			add_to_free_list(z, page, order, new_list, true);
		}
		pfn += 1UL << order;
	}
}

static const int fallbacks[MIGRATE_PCPTYPES][2] = {
	[MIGRATE_UNMOVABLE] = { MIGRATE_RECLAIMABLE, MIGRATE_MOVABLE },
	[MIGRATE_MOVABLE] = { MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE },
	[MIGRATE_RECLAIMABLE] = { MIGRATE_UNMOVABLE, MIGRATE_MOVABLE },
};

/*
 * What a claim changed, for @claim's asker (kmem.c: the rewind of the
 * kernel's allocations gives it back, unclaim_pageblocks()): the free
 * block -- or the one pageblock of a sub-pageblock claim --, the list it
 * left and each pageblock's migratetype before.  A boost the same steal
 * raised before it (steal_boost()) is kept beside it.
 */
static void note_claim(struct hotmem *hm, struct pageblock_claim *claim, unsigned long pfn,
		       unsigned int order, int from, int to)
{
	claim->pfn = pfn;
	claim->order = (unsigned char)order;
	claim->from = (unsigned char)from;
	claim->to = (unsigned char)to;
	claim->claimed = true;
	for (unsigned long i = 0; i < (1UL << order) / pageblock_nr_pages; i++)
		claim->old_mt[i] =
			(unsigned char)get_pfnblock_migratetype(hm, pfn + i * pageblock_nr_pages);
}

/*
 * 6.12 boost_watermark(): a fallback that takes less than a pageblock
 * fragments it, so the zone's marks rise by a pageblock, to at most
 * watermark_boost_factor/10000 of its high mark (at least a pageblock),
 * and kswapd is to reclaim up to them.  Not in a zone of less than four
 * pageblocks ("boosting the watermark can cause an out of memory
 * situation immediately"), nor before the marks are set up (high 0).
 * True when it set the boost -- a boost already at its cap too ("return
 * true" after the min()), which its caller's ZONE_BOOSTED_WATERMARK
 * follows: kswapd is woken again.  zone->lock held.
 */
static bool boost_watermark(struct hotmem *hm, struct zone *z)
{
	const unsigned long factor = (unsigned long)atomic_load(&hm->watermark_boost_factor);
	unsigned long max_boost;

	if (!factor)
		return false;
	if (pageblock_nr_pages * 4 > zone_managed_pages(z))
		return false;
	/* mult_frac() */
	max_boost = z->_watermark[WMARK_HIGH] / 10000 * factor +
		    z->_watermark[WMARK_HIGH] % 10000 * factor / 10000;
	if (!max_boost)
		return false;
	max_boost = max(pageblock_nr_pages, max_boost);
	__atomic_store_n(&z->watermark_boost, min(z->watermark_boost + pageblock_nr_pages, max_boost),
			 __ATOMIC_RELAXED);
	return true;
}

/*
 * 6.12 steal_suitable_fallback() for a block below pageblock_order,
 * before it decides whether to claim the pageblock (claim_pageblock()),
 * claimed or not: "Boost watermarks to increase reclaim pressure to
 * reduce the likelihood of future fallbacks" and, with ALLOC_KSWAPD,
 * ZONE_BOOSTED_WATERMARK for rmqueue() to wake kswapd -- whenever
 * boost_watermark() says true, at its cap too.  Every engine
 * allocation is GFP_KERNEL, GFP_HIGHUSER_MOVABLE or alike: all have
 * __GFP_KSWAPD_RECLAIM.  The highatomic reserve that skips this is not
 * modelled.  @claim (NULL: nobody asks) is told the rise, if any.
 * zone->lock held.
 */
static void steal_boost(struct hotmem *hm, struct zone *z, struct pageblock_claim *claim)
{
	const unsigned long old = z->watermark_boost;

	if (!boost_watermark(hm, z))
		return;
	z->boosted_watermark = true;
	if (!claim || z->watermark_boost == old)
		return;
	claim->claimed = true;
	claim->boost = z->watermark_boost - old;
	claim->boost_nid = (short)z->node;
	claim->boost_zid = (unsigned char)z->idx;
}

/*
 * 6.12 can_steal_fallback() of a free block of @order: may the steal
 * take its whole pageblock?  A kernel allocation always; a movable one
 * from a block of half a pageblock's order up -- a smaller one only
 * borrows, "it won't cause permanent fragmentation".
 * page_group_by_mobility_disabled (a machine under 2048 pages a
 * migratetype's pageblocks) is never the engine's.
 */
static bool can_steal_fallback(unsigned int order, int start_mt)
{
	return order >= pageblock_order / 2 || start_mt == MIGRATE_RECLAIMABLE ||
	       start_mt == MIGRATE_UNMOVABLE;
}

/*
 * 6.12 prep_move_freepages_block() with its counts: false for a
 * pageblock the zone does not span whole ("don't touch ranges that
 * straddle into other zones": DMA's first, from pfn 1), else its free
 * pages in *@free and, of the rest, those migration could move
 * (PageLRU() || __PageMovable(): the engine's PG_movable) in *@movable.
 * The span is read under span_lock, never taken with a zone's lock
 * the other way round.  zone->lock held.
 */
static bool prep_move_freepages_block(struct hotmem *hm, struct zone *z, unsigned long start,
				      unsigned long *free, unsigned long *movable)
{
	const unsigned long end = start + pageblock_nr_pages;
	bool spans;

	pthread_rwlock_rdlock(&hm->span_lock);
	spans = start >= z->zone_start_pfn && end <= zone_end_pfn(z);
	pthread_rwlock_unlock(&hm->span_lock);
	if (!spans)
		return false;
	*free = *movable = 0;
	for (unsigned long pfn = start; pfn < end;) {
		struct page *page = pfn_to_page(hm, pfn);

		if (PageBuddy(page)) {
			*free += 1UL << buddy_order(page);
			pfn += 1UL << buddy_order(page);
			continue;
		}
		if (PageMovable(page))
			(*movable)++;
		pfn++;
	}
	return true;
}

/*
 * 6.12 steal_suitable_fallback()'s sub-pageblock claim: the pageblock of
 * the free block at @pfn (of order below pageblock_order, on @block_mt's
 * list) becomes @start_mt's when at least half of it is free or alike --
 * for a movable allocation its movable pages, for a kernel one falling
 * back to a movable pageblock what is neither free nor movable, else
 * none ("be conservative") -- and its free pages move to @start_mt's
 * lists (__move_freepages_block(): to the tail, then
 * set_pageblock_migratetype()).  6.15 try_to_claim_block(), same rule.
 * True when claimed: the caller takes its page from @start_mt's lists
 * (__rmqueue_smallest()).  @claim (NULL: nobody asks) is told what
 * changed.  zone->lock held.
 */
static bool claim_pageblock(struct hotmem *hm, struct zone *z, unsigned long pfn, int block_mt,
			    int start_mt, struct pageblock_claim *claim)
{
	const unsigned long start = ALIGN_DOWN(pfn, pageblock_nr_pages);
	unsigned long free, movable, alike;
	unsigned int pb_new;

	if (!prep_move_freepages_block(hm, z, start, &free, &movable))
		return false;
	if (start_mt == MIGRATE_MOVABLE)
		alike = movable;
	else if (block_mt == MIGRATE_MOVABLE)
		alike = pageblock_nr_pages - (free + movable);
	else
		alike = 0;
	if (free + alike < pageblock_nr_pages / 2)
		return false;
	if (claim)
		note_claim(hm, claim, start, pageblock_order, block_mt, start_mt);
	move_freepages_block(hm, z, start, start_mt);
	set_pageblock_migratetype(hm, start, start_mt);
	pb_new = kmem_pageblock_claimed(hm, z, start, 1);
	if (claim)
		claim->pb_new = (unsigned char)pb_new;
	return true;
}

/*
 * __rmqueue_fallback(): take the largest block of another type; a whole
 * pageblock is claimed for the new type, a smaller piece is only borrowed
 * and leaves a mixed pageblock behind — which is how unmovable pages end up
 * where offlining later trips over them.  The claim is 6.12
 * steal_suitable_fallback()'s (try_to_claim_block() from 6.15): a free
 * block of pageblock_order or more is "Take ownership for orders >=
 * pageblock_order", change_pageblock_range() of all of it; a smaller one
 * boosts the watermarks (steal_boost()) and then claims its pageblock
 * when the allocation may (can_steal_fallback()) and half of it is free
 * or alike (claim_pageblock()), else the piece is borrowed.  Not
 * modelled: a movable allocation that may not claim takes the smallest
 * piece rather than the largest (6.12's find_smallest), and
 * ALLOC_NOFRAGMENT.  @claim (NULL: nobody asks) is told what a claim or
 * a boost changed.  Every claim's pageblocks are remembered
 * (kmem_pageblock_claimed()): a restart puts allocations back at their
 * pages without a fallback, and must set the types they claimed again.
 */
static struct page *__rmqueue_fallback(struct hotmem *hm, struct zone *z,
				       unsigned int order, int start_mt,
				       struct pageblock_claim *claim)
{
	for (int o = MAX_PAGE_ORDER; o >= (int)order; o--) {
		for (int f = 0; f < 2; f++) {
			int mt = fallbacks[start_mt][f];
			struct list_head *l = &z->free_area[o].free_list[mt];
			struct page *page;
			unsigned long pfn;
			unsigned int pb_new;

			if (list_empty(l))
				continue;
			page = container_of(l->next, struct page, lru);
			pfn = page_to_pfn(hm, page);
			/* this steal's alone: a claim of the caller's earlier one is consumed */
			if (claim)
				*claim = (struct pageblock_claim){ .claimed = false };
			if (o >= pageblock_order) {
				if (claim)
					note_claim(hm, claim, pfn, (unsigned int)o, mt, start_mt);
				for (unsigned long b = pfn; b < pfn + (1UL << o);
				     b += pageblock_nr_pages)
					set_pageblock_migratetype(hm, b, start_mt);
				pb_new = kmem_pageblock_claimed(hm, z, pfn,
								(1UL << o) / pageblock_nr_pages);
				if (claim)
					claim->pb_new = (unsigned char)pb_new;
				del_page_from_free_list(z, page, (unsigned int)o);
				add_to_free_list(z, page, (unsigned int)o, start_mt, false);
				return __rmqueue_smallest(z, order, start_mt);
			}
			steal_boost(hm, z, claim);
			if (can_steal_fallback((unsigned int)o, start_mt) &&
			    claim_pageblock(hm, z, pfn, get_pfnblock_migratetype(hm, pfn), start_mt,
					    claim))
				return __rmqueue_smallest(z, order, start_mt);
			del_page_from_free_list(z, page, (unsigned int)o);
			expand(z, page, order, (unsigned int)o, mt);
			return page;
		}
	}
	return NULL;
}

/* the claim's pageblock @i given back when it is still the claim's: true; zone->lock held */
static bool unclaim_one(struct hotmem *hm, const struct pageblock_claim *c, unsigned long i)
{
	const unsigned long pb = c->pfn + i * pageblock_nr_pages;

	if (get_pfnblock_migratetype(hm, pb) != c->to)
		return false;
	set_pageblock_migratetype(hm, pb, c->old_mt[i]);
	return true;
}

/*
 * What a steal's boost_watermark() raised (steal_boost()) taken off its
 * zone again, as far as the boost still holds it.  No kernel does this:
 * kmem.c's rewind and a failed add's unwind.  A divergence by choice:
 * 6.12 keeps a boost its failed add_memory() raised (a 6.12.117 guest
 * read DMA32's min 605 + 512 after refusing a DIMM), hotmem's rule is
 * that a failed operation leaves the machine as it was -- and a rewind
 * must, the state file restoring it exactly; the boost is transient in
 * the kernel too (kswapd's next run, any setup of the marks), so
 * keeping it would buy little (docs/engine.md "Watermark boost").  The
 * kswapd the steal woke is not the operation's: it runs at the
 * operation's end (kswapd_run_pending()), after a failed add's unwind,
 * and finds the boost given back; a rewind after that run finds it
 * taken already, and kswapd's failures stay, as a thread's beside the
 * operation.
 */
static void unboost(struct hotmem *hm, const struct pageblock_claim *c)
{
	struct pglist_data *pgdat;
	struct zone *z;

	if (!c->boost || c->boost_nid < 0 || c->boost_nid >= hm->nr_possible_nodes ||
	    c->boost_zid >= MAX_NR_ZONES)
		return;
	pgdat = NODE_DATA(hm, c->boost_nid);
	z = &pgdat->node_zones[c->boost_zid];
	pthread_mutex_lock(&z->lock);
	__atomic_store_n(&z->watermark_boost, z->watermark_boost - min(c->boost, z->watermark_boost),
			 __ATOMIC_RELAXED);
	pthread_mutex_unlock(&z->lock);
}

/*
 * A claim (note_claim()) taken back: each of its pageblocks still of the
 * claimed type gets its migratetype from before (one claimed again by
 * another allocation keeps that; a block offline now gets its type from
 * the online that brings it back, memmap_init_range()), and the free
 * pages follow.  A block free whole again, as the claim took it, goes
 * back to the head of the list it left -- where __rmqueue_fallback()
 * took it from, so the free lists are as before; a block something else
 * holds pages of has its free pages moved as move_freepages_block()
 * moves them (an isolated pageblock's stay on MIGRATE_ISOLATE: its
 * unisolation moves them by the type given back).  A memmap the host
 * will not map again keeps its free pages where they are (the types are
 * in the section's usemap, not in it).  No kernel does this: it is
 * kmem.c's rewind of a change the state file could not save.  Under
 * device_hotplug_lock; the types change under the zone's lock, as the
 * claim changed them and as /proc/pagetypeinfo reads them.
 */
static void __unclaim_pageblocks(struct hotmem *hm, const struct pageblock_claim *c,
				 bool remap_held)
{
	const unsigned long nr = (1UL << c->order) / pageblock_nr_pages;
	const unsigned long first = ALIGN_DOWN(c->pfn, MAX_ORDER_NR_PAGES);
	/* one free block: one section, online or not as a whole, one zone */
	struct page *page, *hp;
	bool all = true, mapped;
	struct zone *z;

	unboost(hm, c);
	/* a boost alone: no pageblock changed */
	if (c->order < pageblock_order)
		return;
	page = pfn_to_online_page(hm, c->pfn);
	if (!page)
		return;
	z = page_zone(hm, page);
	/*
	 * the free pages' struct pages are written: mapped first, as
	 * take_block_off_buddy(); the rewind holds device_hotplug_lock, not
	 * mem_hotplug_lock: the _excl form keeps the workload's readers out
	 * (HVO holds its write side already: the plain form)
	 */
	mapped = !(remap_held ? vmemmap_remap_lost(hm, first, MAX_ORDER_NR_PAGES) :
				vmemmap_remap_lost_excl(hm, first, MAX_ORDER_NR_PAGES));
	pthread_mutex_lock(&z->lock);
	for (unsigned long i = 0; i < nr; i++) {
		const bool back = unclaim_one(hm, c, i);

		/* the claim's own record of it goes with it (kmem_pageblock_claimed()) */
		if (back && (c->pb_new & (1u << i)))
			kmem_pageblock_unclaimed(z, c->pfn + i * pageblock_nr_pages);
		all &= back;
	}
	if (!mapped)
		goto out;
	hp = free_block_holding(hm, c->pfn);
	if (all && hp == page && buddy_order(hp) == c->order &&
	    (int)READ_ONCE(hp->index) == c->to) {
		del_page_from_free_list(z, hp, c->order);
		add_to_free_list(z, hp, c->order, c->from, false);
		goto out;
	}
	for (unsigned long i = 0; i < nr; i++) {
		const unsigned long pb = c->pfn + i * pageblock_nr_pages;

		if (!get_pageblock_isolate(hm, pb))
			move_freepages_block(hm, z, pb, get_pfnblock_migratetype(hm, pb));
	}
out:
	pthread_mutex_unlock(&z->lock);
}

void unclaim_pageblocks(struct hotmem *hm, const struct pageblock_claim *c)
{
	__unclaim_pageblocks(hm, c, false);
}

/* the same by a caller that holds vmemmap_remap_lock for writing (HVO's remaps) */
void unclaim_pageblocks_remap_held(struct hotmem *hm, const struct pageblock_claim *c)
{
	__unclaim_pageblocks(hm, c, true);
}

/* x86_64's sysctl_lowmem_reserve_ratio[] (6.12): DMA, DMA32, Normal; Movable, Device 0 */
static const int lowmem_reserve_ratio_default[MAX_NR_ZONES] = { 256, 256, 32, 0, 0 };

/* the watermark sysctls as 6.12 boots them (mm/page_alloc.c) */
void watermark_sysctls_init(struct hotmem *hm)
{
	pthread_mutex_init(&hm->wmark_lock, NULL);
	pthread_mutex_init(&hm->kswapd_lock, NULL);
	atomic_store(&hm->watermark_boost_factor, 15000);
	hm->user_min_free_kbytes = -1;
	hm->watermark_scale_factor = 10;
	memcpy(hm->lowmem_reserve_ratio, lowmem_reserve_ratio_default,
	       sizeof(hm->lowmem_reserve_ratio));
}

/*
 * zone->lowmem_reserve[highest_zoneidx]: what setup_per_zone_lowmem_reserve()
 * (6.12) last stored.  The kernel sets it from init_per_zone_wmark_min()
 * (boot, each online_pages() and offline_pages()) and a write of
 * vm.lowmem_reserve_ratio alone, so a managed count changed
 * in between (virtio-mem's sub-blocks plugged or fake-offlined inside an
 * online block, adjust_managed_page_count()) is seen only at the next
 * online or offline (review15 R5: it was recomputed at each call).
 */
unsigned long zone_lowmem_reserve(struct zone *z, int highest_zoneidx)
{
	return __atomic_load_n(&z->lowmem_reserve[highest_zoneidx], __ATOMIC_RELAXED);
}

/*
 * 6.12 setup_per_zone_lowmem_reserve() for one node, @ratio its ratios:
 * for each zone below @j, the managed pages of the zones above it up to
 * @j over its ratio; 0 without a ratio or managed pages of its own, in
 * @res[i][j].  Entries at and below the zone are not set (they stay 0).
 */
static void pgdat_lowmem_reserve(struct pglist_data *pgdat, const int *ratio,
				 unsigned long res[MAX_NR_ZONES][MAX_NR_ZONES])
{
	for (int i = 0; i < MAX_NR_ZONES - 1; i++) {
		const bool clear = ratio[i] < 1 || !zone_managed_pages(&pgdat->node_zones[i]);
		unsigned long managed = 0;

		for (int j = i + 1; j < MAX_NR_ZONES; j++) {
			managed += zone_managed_pages(&pgdat->node_zones[j]);
			res[i][j] = clear ? 0 : managed / (unsigned long)ratio[i];
		}
	}
}

/*
 * 6.12 calculate_totalreserve_pages(): of each online node's zones the
 * largest lowmem_reserve[] from its own zone up plus high_wmark_pages()
 * (the boost standing then included), at most its managed pages; per
 * node and summed, kept until the next setup of the marks
 * (__setup_per_zone_wmarks()) or the reserves
 * (setup_per_zone_lowmem_reserve()), its two callers -- a managed count
 * or a boost moved in between is not in it (reread42 R7: hotmemfs summed
 * it at each read, the boost left out).  The tracepoint 6.15 added here
 * is not modelled.  wmark_lock held.
 */
static unsigned long zone_reserve_pages(struct zone *z, unsigned long reserve)
{
	/* "we treat the high watermark as reserved pages." */
	return min(reserve + wmark_pages(z, WMARK_HIGH), zone_managed_pages(z));
}

/* calculate_totalreserve_pages() of @pgdat's zones with reserves @res, nothing stored */
static unsigned long node_reserve_pages_of(struct pglist_data *pgdat,
					   unsigned long res[MAX_NR_ZONES][MAX_NR_ZONES])
{
	unsigned long node_pages = 0;

	for (int i = 0; i < MAX_NR_ZONES; i++) {
		unsigned long reserve = 0;

		for (int j = i; j < MAX_NR_ZONES; j++)
			reserve = max(reserve, res[i][j]);
		node_pages += zone_reserve_pages(&pgdat->node_zones[i], reserve);
	}
	return node_pages;
}

/* @pgdat's zones' lowmem_reserve[] as they stand, in @res (those at and below a zone: 0) */
static void node_reserves_now(struct pglist_data *pgdat, unsigned long res[MAX_NR_ZONES][MAX_NR_ZONES])
{
	for (int i = 0; i < MAX_NR_ZONES; i++)
		for (int j = 0; j < MAX_NR_ZONES; j++)
			res[i][j] = j > i ? zone_lowmem_reserve(&pgdat->node_zones[i], j) : 0;
}

static void calculate_totalreserve_pages(struct hotmem *hm)
{
	unsigned long reserve_pages = 0;
	struct pglist_data *pgdat;

	for_each_online_pgdat(hm, pgdat) {
		unsigned long res[MAX_NR_ZONES][MAX_NR_ZONES];
		unsigned long node_pages;

		node_reserves_now(pgdat, res);
		node_pages = node_reserve_pages_of(pgdat, res);
		__atomic_store_n(&pgdat->totalreserve_pages, node_pages, __ATOMIC_RELAXED);
		reserve_pages += node_pages;
	}
	atomic_store(&hm->totalreserve_pages, reserve_pages);
}

/* @pgdat's lowmem_reserve[] all as @res has them */
static bool node_reserves_are(struct pglist_data *pgdat,
			      unsigned long res[MAX_NR_ZONES][MAX_NR_ZONES])
{
	for (int i = 0; i < MAX_NR_ZONES - 1; i++)
		for (int j = i + 1; j < MAX_NR_ZONES; j++)
			if (zone_lowmem_reserve(&pgdat->node_zones[i], j) != res[i][j])
				return false;
	return true;
}

/*
 * Whether setup_per_zone_lowmem_reserve() with the ratios of now would
 * move a zone's lowmem_reserve[], a node's totalreserve_pages or the sum
 * (the managed pages or a boost moved since the last setup): a reader of
 * vm.lowmem_reserve_ratio runs that setup on 6.12, and one that moves
 * nothing needs no record (hotmemfs).  The online nodes' alone, the
 * setup's (an offline node's reserves it never moves).  wmark_lock taken.
 */
bool hotmem_lowmem_reserve_stale(struct hotmem *hm)
{
	unsigned long total = 0;
	struct pglist_data *pgdat;
	bool stale = false;

	pthread_mutex_lock(&hm->wmark_lock);
	for_each_online_pgdat(hm, pgdat) {
		unsigned long res[MAX_NR_ZONES][MAX_NR_ZONES] = { { 0 } };
		unsigned long node_pages;

		pgdat_lowmem_reserve(pgdat, hm->lowmem_reserve_ratio, res);
		stale = !node_reserves_are(pgdat, res);
		if (stale)
			break;
		node_pages = node_reserve_pages_of(pgdat, res);
		stale = node_pages != __atomic_load_n(&pgdat->totalreserve_pages, __ATOMIC_RELAXED);
		if (stale)
			break;
		total += node_pages;
	}
	stale = stale || total != atomic_load(&hm->totalreserve_pages);
	pthread_mutex_unlock(&hm->wmark_lock);
	return stale;
}

unsigned long hotmem_totalreserve_pages(struct hotmem *hm)
{
	return atomic_load(&hm->totalreserve_pages);
}

/*
 * 6.12 setup_per_zone_lowmem_reserve(): for_each_online_pgdat(), an
 * offline node's reserves as they are (zones4 #2: every possible node's
 * were set, a state file's for an offline node overwritten by the next
 * ratio write, online or offline).  wmark_lock held (the ratios).
 */
static void setup_per_zone_lowmem_reserve(struct hotmem *hm)
{
	struct pglist_data *pgdat;

	for_each_online_pgdat(hm, pgdat) {
		unsigned long res[MAX_NR_ZONES][MAX_NR_ZONES];

		pgdat_lowmem_reserve(pgdat, hm->lowmem_reserve_ratio, res);
		for (int i = 0; i < MAX_NR_ZONES - 1; i++)
			for (int j = i + 1; j < MAX_NR_ZONES; j++)
				__atomic_store_n(&pgdat->node_zones[i].lowmem_reserve[j], res[i][j],
						 __ATOMIC_RELAXED);
	}
	/* "update totalreserve_pages" */
	calculate_totalreserve_pages(hm);
}

/*
 * 6.12 __zone_watermark_ok() at WMARK_MIN: the free pages but the
 * (1 << order) - 1 an order needs beyond one must stay above the mark plus
 * what the zone keeps from an allocation that could use a zone above it:
 * "if (free_pages <= min + z->lowmem_reserve[highest_zoneidx]) return false;"
 */
unsigned long zone_min_mark(struct zone *z, int highest_zoneidx)
{
	return wmark_pages(z, WMARK_MIN) + zone_lowmem_reserve(z, highest_zoneidx);
}

/* 6.12 wmark_pages(): a mark with the zone's boost on it, as every check reads it */
unsigned long wmark_pages(struct zone *z, int i)
{
	return z->_watermark[i] + __atomic_load_n(&z->watermark_boost, __ATOMIC_RELAXED);
}

/*
 * kswapd (6.12 mm/vmscan.c): woken by rmqueue() for a boost
 * (wakeup_kswapd(): the node's kswapd_highest_zoneidx, its wait queue
 * woken), it runs beside the allocating task -- a thread of its own, so
 * the boosts of a burst of fallbacks add up before it takes them back.
 * The engine runs a woken kswapd at the end of the operation that woke
 * it (kswapd_run_pending()), to its sleep: the engine has nothing
 * kswapd could reclaim -- no page cache, no swap, its slab not
 * shrinkable -- so each balance_pgdat() reclaims nothing.  Under
 * hm->kswapd_lock: one kswapd a node, and the engine runs one at a time.
 */
#define MAX_RECLAIM_RETRIES	16

/*
 * 6.12 pgdat_balanced() at order 0: a zone up to @highest_zoneidx above
 * its high mark (with its boost) and what it keeps from allocations
 * that could use that zone (zone_watermark_ok_safe()); no managed zone
 * at all is balanced
 */
static bool pgdat_balanced(struct pglist_data *pgdat, int highest_zoneidx)
{
	bool managed = false;

	for (int i = 0; i <= highest_zoneidx; i++) {
		struct zone *z = &pgdat->node_zones[i];
		bool ok;

		if (!zone_managed_pages(z))
			continue;
		managed = true;
		pthread_mutex_lock(&z->lock);
		ok = z->nr_free_pages > wmark_pages(z, WMARK_HIGH) +
						zone_lowmem_reserve(z, highest_zoneidx);
		pthread_mutex_unlock(&z->lock);
		if (ok)
			return true;
	}
	return !managed;
}

/* 6.12 pgdat_watermark_boosted(): a managed zone up to @highest_zoneidx boosted */
static bool pgdat_watermark_boosted(struct pglist_data *pgdat, int highest_zoneidx)
{
	for (int i = highest_zoneidx; i >= 0; i--) {
		struct zone *z = &pgdat->node_zones[i];

		if (zone_managed_pages(z) && __atomic_load_n(&z->watermark_boost, __ATOMIC_RELAXED))
			return true;
	}
	return false;
}

/*
 * 6.12 balance_pgdat() with nothing to reclaim: the zones' boosts as
 * they stand at its start ("the zone boost is left in place" while it
 * runs); a boosted run stops at once ("If boosting and no progress,
 * abort boost"), an unboosted one of an unbalanced node goes down to
 * priority 1 -- either way sc.nr_reclaimed is 0 and kswapd_failures
 * goes up -- and at "out" each boost drops by what it was at the start.
 * A balanced node without a boost is left at once ("goto out").
 */
static void balance_pgdat(struct pglist_data *pgdat, int highest_zoneidx)
{
	unsigned long zone_boosts[MAX_NR_ZONES] = { 0 }, boosted = 0;

	for (int i = 0; i <= highest_zoneidx; i++) {
		struct zone *z = &pgdat->node_zones[i];

		if (!zone_managed_pages(z))
			continue;
		zone_boosts[i] = __atomic_load_n(&z->watermark_boost, __ATOMIC_RELAXED);
		boosted += zone_boosts[i];
	}
	if (!boosted && pgdat_balanced(pgdat, highest_zoneidx))
		return;
	pgdat->kswapd_failures++;
	for (int i = 0; boosted && i <= highest_zoneidx; i++) {
		struct zone *z = &pgdat->node_zones[i];

		if (!zone_boosts[i])
			continue;
		pthread_mutex_lock(&z->lock);
		__atomic_store_n(&z->watermark_boost,
				 z->watermark_boost - min(z->watermark_boost, zone_boosts[i]),
				 __ATOMIC_RELAXED);
		pthread_mutex_unlock(&z->lock);
	}
}

/*
 * 6.12 wakeup_kswapd() from rmqueue() for ZONE_BOOSTED_WATERMARK (order
 * 0, the zone's own index): kswapd_highest_zoneidx raised to it, then,
 * unless the node is hopeless (kswapd_failures >= MAX_RECLAIM_RETRIES:
 * "leave it to direct reclaim") or balanced without a boost, kswapd
 * woken -- here marked woken, to run at the operation's end
 * (kswapd_run_pending()).  A kswapd already woken stays so: the
 * kernel's is not on its wait queue while it runs, and a wake-up then
 * only raises kswapd_highest_zoneidx for its next round.
 */
static void wakeup_kswapd(struct hotmem *hm, struct zone *z)
{
	struct pglist_data *pgdat = z->zone_pgdat;
	const int highest_zoneidx = zone_idx(z);

	if (!zone_managed_pages(z))
		return;
	pthread_mutex_lock(&hm->kswapd_lock);
	if (!pgdat->kswapd_woken || pgdat->kswapd_highest_zoneidx < highest_zoneidx)
		pgdat->kswapd_highest_zoneidx = highest_zoneidx;
	if (pgdat->kswapd_failures >= MAX_RECLAIM_RETRIES ||
	    (pgdat_balanced(pgdat, highest_zoneidx) &&
	     !pgdat_watermark_boosted(pgdat, highest_zoneidx)))
		goto out;
	pgdat->kswapd_woken = true;
	/* this thread's operation runs it at its end, not a reader's (hm_operation_end()) */
	hm_operation_woke_kswapd();
out:
	pthread_mutex_unlock(&hm->kswapd_lock);
}

/*
 * 6.12 kswapd() for each node woken since the last run: balance_pgdat()
 * at kswapd_highest_zoneidx until prepare_kswapd_sleep() lets it sleep
 * (the node balanced, or hopeless).  A boost is taken back by the first
 * run, and a node below its high marks in every zone turns hopeless --
 * where nothing resets kswapd_failures here (6.12 shrink_node():
 * reclaim progress, which the engine never makes), so its boosts stay
 * until the marks are set up again.  Called at the end of every
 * operation, once its locks are dropped (hm_operation_end(): the
 * outermost unlock_device_hotplug(), or the end of a call that takes
 * no such lock, a workload allocation), as a thread beside it would
 * run when it is done, and by kmem_tick() for what its own allocations
 * woke.  Within the operation the boosts of its fallbacks add up, as
 * the guest's do while its kworker allocates.
 */
void kswapd_run_pending(struct hotmem *hm)
{
	pthread_mutex_lock(&hm->kswapd_lock);
	for (int nid = 0; nid < hm->nr_possible_nodes; nid++) {
		struct pglist_data *pgdat = NODE_DATA(hm, nid);
		int highest_zoneidx;

		if (!pgdat->kswapd_woken)
			continue;
		pgdat->kswapd_woken = false;
		highest_zoneidx = pgdat->kswapd_highest_zoneidx;
		do
			balance_pgdat(pgdat, highest_zoneidx);
		while (pgdat->kswapd_failures < MAX_RECLAIM_RETRIES &&
		       !pgdat_balanced(pgdat, highest_zoneidx));
	}
	pthread_mutex_unlock(&hm->kswapd_lock);
}

bool pgdat_kswapd_hopeless(struct hotmem *hm, struct pglist_data *pgdat)
{
	bool hopeless;

	pthread_mutex_lock(&hm->kswapd_lock);
	hopeless = pgdat->kswapd_failures >= MAX_RECLAIM_RETRIES;
	pthread_mutex_unlock(&hm->kswapd_lock);
	return hopeless;
}

/*
 * __def_gfpflag_names (include/trace/events/mmflags.h, 6.12) as far as the
 * engine's masks go, in its order: the composite masks first, most bits
 * first, then the single bits by number
 */
static const struct {
	unsigned int mask;
	const char *name;
} gfpflag_names[] = {
	{ GFP_HIGHUSER_MOVABLE, "GFP_HIGHUSER_MOVABLE" },
	{ GFP_HIGHUSER, "GFP_HIGHUSER" },
	{ GFP_USER, "GFP_USER" },
	{ GFP_KERNEL, "GFP_KERNEL" },
	{ __GFP_RECLAIM, "__GFP_RECLAIM" },
	{ __GFP_HIGHMEM, "__GFP_HIGHMEM" },
	{ __GFP_MOVABLE, "__GFP_MOVABLE" },
	{ __GFP_IO, "__GFP_IO" },
	{ __GFP_FS, "__GFP_FS" },
	{ __GFP_DIRECT_RECLAIM, "__GFP_DIRECT_RECLAIM" },
	{ __GFP_KSWAPD_RECLAIM, "__GFP_KSWAPD_RECLAIM" },
	{ __GFP_NOWARN, "__GFP_NOWARN" },
	{ __GFP_RETRY_MAYFAIL, "__GFP_RETRY_MAYFAIL" },
	{ __GFP_COMP, "__GFP_COMP" },
	{ __GFP_HARDWALL, "__GFP_HARDWALL" },
};

/*
 * %pGg of @gfp_mask (lib/vsprintf.c format_flags()): each name whose
 * bits are all still set, '|' between, those bits cleared; a bit no name
 * has is said in hex at the end
 */
static void gfp_names(unsigned int gfp_mask, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(gfpflag_names) && n < len; i++) {
		if ((gfp_mask & gfpflag_names[i].mask) != gfpflag_names[i].mask)
			continue;
		n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? "|" : "", gfpflag_names[i].name);
		gfp_mask &= ~gfpflag_names[i].mask;
	}
	if (gfp_mask && n < len)
		snprintf(buf + n, len - n, "%s%#x", n ? "|" : "", gfp_mask);
}

uint64_t node_states_memory(struct hotmem *hm)
{
	uint64_t nodes = 0;

	for (int n = 0; n < hm->nr_possible_nodes; n++) {
		struct pglist_data *pgdat = NODE_DATA(hm, n);

		if (pgdat->node_present_pages)
			nodes |= 1ULL << n;
	}
	return nodes;
}

/*
 * warn_alloc() (6.12 mm/page_alloc.c): an allocation that failed without
 * __GFP_NOWARN, said by the task it ran for (current->comm), rate-limited
 * by its own "static DEFINE_RATELIMIT_STATE(nopage_rs, 10*HZ, 1)" -- one
 * line every 10 s whatever failed, the rest counted as "warn_alloc: N
 * callbacks suppressed".  nodemask= is the allocation's ("%*pbl" of a
 * nodemask_t, "(null)" for none: alloc_pages_node()'s, alloc_contig_range()'s
 * migration targets'); cpuset_print_current_mems_allowed() prints the root
 * cpuset, whose tasks may use every node with memory.  dump_stack() and
 * warn_alloc_show_mem() ("Mem-Info:" and the zones' lines) follow in the
 * kernel; the engine has no stack to show, and the line stands alone.
 * Its callers hold device_hotplug_lock (the memmap allocations of a
 * hot-add and of HugeTLB's vmemmap restore, the migration targets of an
 * offline, of virtio-mem's alloc_contig_range(), of a soft offline),
 * which is nopage_rs's lock here.
 */
void warn_alloc(struct hotmem *hm, unsigned int gfp_mask, const uint64_t *nodemask,
		const char *fmt, ...)
{
	struct hm_ratelimit *rs = &hm->nopage_rs;
	char comm[TASK_COMM_LEN], what[128], names[160], nmask[4 * HM_MAX_NUMNODES],
		mems[4 * HM_MAX_NUMNODES];
	va_list args;

	if (gfp_mask & __GFP_NOWARN)
		return;
	if (!rs->burst)
		*rs = (struct hm_ratelimit){ .interval_ms = 10000, .burst = 1 };
	if (!__hm_ratelimit(hm, rs, "warn_alloc", hm_ratelimit_now_ms()))
		return;
	va_start(args, fmt);
	vsnprintf(what, sizeof(what), fmt, args);
	va_end(args);
	get_task_comm(hm, comm);
	gfp_names(gfp_mask, names, sizeof(names));
	if (nodemask)
		hotmem_nodelist_format(*nodemask, nmask, sizeof(nmask));
	else
		snprintf(nmask, sizeof(nmask), "(null)");
	hotmem_nodelist_format(node_states_memory(hm), mems, sizeof(mems));
	pr_warn(hm, "%s: %s, mode:%#x(%s), nodemask=%s,cpuset=/,mems_allowed=%s", comm, what,
		gfp_mask, names, nmask, mems);
}

static bool zone_watermark_ok(struct zone *z, unsigned int order, int highest_zoneidx)
{
	long free = (long)z->nr_free_pages - ((1L << order) - 1);

	return free > (long)zone_min_mark(z, highest_zoneidx);
}

/* alloc_pages_zone() telling @claim (NULL: nobody asks) of a pageblock claim */
static struct page *alloc_pages_zone_claim(struct hotmem *hm, struct zone *z, unsigned int order,
					   int mt, bool ignore_wmark, int highest_zoneidx,
					   struct pageblock_claim *claim)
{
	struct page *page = NULL;
	bool wake = false;

	pthread_mutex_lock(&z->lock);
	if (ignore_wmark || zone_watermark_ok(z, order, highest_zoneidx)) {
		page = __rmqueue_smallest(z, order, mt);
		if (!page)
			page = __rmqueue_fallback(hm, z, order, mt, claim);
	}
	/* rmqueue(): "Separate test+clear to avoid unnecessary atomics" */
	if (page && z->boosted_watermark) {
		z->boosted_watermark = false;
		wake = true;
	}
	pthread_mutex_unlock(&z->lock);
	if (wake)
		wakeup_kswapd(hm, z);
	if (page) {
		set_page_count(page, 1);
		WRITE_ONCE(page->index, 0);
		WRITE_ONCE(page->mapping, 0);
		zone_pcp_touch(z, order);
		/* rmqueue_pcplist()/rmqueue_buddy(): __count_zid_vm_events(PGALLOC) */
		count_vm_events(hm, HM_PGALLOC + zone_idx(z), 1UL << order);
	}
	return page;
}

struct page *alloc_pages_zone(struct hotmem *hm, struct zone *z, unsigned int order,
			      int mt, bool ignore_wmark, int highest_zoneidx)
{
	return alloc_pages_zone_claim(hm, z, order, mt, ignore_wmark, highest_zoneidx, NULL);
}

/*
 * numa_node_id(): the node of the CPU an allocation runs on.  The
 * engine's callers (hotmemfs's threads, a test) are no task of the
 * machine: the boot CPU's node stands for it, the first node with CPUs
 * (a profile's cpu_nodes; node 0 on every built-in one).  The one place
 * that choice is made: an allocation without a node starts there (6.12
 * alloc_pages() -> policy_node(): MPOL_DEFAULT is the local node) and
 * zone_statistics() counts numa_local against it.
 */
int numa_node_id(struct hotmem *hm)
{
	return hm->local_nid; /* asked at every allocation: worked out once, at boot */
}

static void count_numa_event(struct zone *z, enum hm_numa_event item)
{
	atomic_fetch_add_explicit(&z->vm_numa_event[item], 1, memory_order_relaxed);
}

/*
 * zone_statistics() (6.12 mm/page_alloc.c), after rmqueue_pcplist()'s or
 * rmqueue_buddy()'s PGALLOC, nr_account 1: one allocation, whatever its
 * order.  @preferred is the zonelist's first zone the allocation may use
 * (first_zones_zonelist() with its nodemask).
 */
static void zone_statistics(struct hotmem *hm, struct zone *preferred, struct zone *z)
{
	if (zone_to_nid(z) == zone_to_nid(preferred)) {
		count_numa_event(z, HM_NUMA_HIT);
	} else {
		count_numa_event(z, HM_NUMA_MISS);
		count_numa_event(preferred, HM_NUMA_FOREIGN);
	}
	count_numa_event(z, zone_to_nid(z) == numa_node_id(hm) ? HM_NUMA_LOCAL : HM_NUMA_OTHER);
}

/*
 * __alloc_pages() over the zonelist of @ac->nid (build_zonelists(): this
 * node first, then the others nearest first; in each, the highest zone
 * the gfp mask allows first — Movable, Normal, DMA32, DMA), skipping
 * nodes outside @ac->nodemask.
 */
struct page *__alloc_pages(struct hotmem *hm, unsigned int order,
			   const struct alloc_context *ac)
{
	struct zone *preferred = NULL;
	int nid = ac->nid;

	/* NUMA_NO_NODE: the allocating CPU's node (review15 R3: it was node 0) */
	if (nid < 0 || nid >= hm->nr_possible_nodes)
		nid = numa_node_id(hm);
	for (int n = 0; n <= HM_MAX_NUMNODES; n++) {
		int node = NODE_DATA(hm, nid) ? READ_ONCE(NODE_DATA(hm, nid)->node_order[n]) : -1;
		struct pglist_data *pgdat;

		if (node < 0 || node >= hm->nr_possible_nodes)
			break;
		pgdat = NODE_DATA(hm, node);
		if (ac->nodemask && !(ac->nodemask & (1ULL << node)))
			continue;
		for (int zid = ac->highest_zoneidx; zid >= 0; zid--) {
			struct zone *z = &pgdat->node_zones[zid];
			struct page *page;

			/*
			 * The kernel's zonelist holds the zones with memory,
			 * rebuilt under zonelist_update_seq as an online or
			 * offline fills or empties one; here an allocation
			 * takes no mem_hotplug_lock (hotmem_alloc_pages()), so
			 * the zone's managed pages say it (atomic; present_pages
			 * changes under span_lock), and the zone lock keeps its
			 * free lists whole -- an empty zone has nothing on them.
			 */
			if (!zone_managed_pages(z))
				continue;
			if (!preferred)
				preferred = z;
			page = alloc_pages_zone_claim(hm, z, order, ac->migratetype,
						      ac->ignore_wmark, ac->highest_zoneidx,
						      ac->claim);
			if (page) {
				zone_statistics(hm, preferred, z);
				return page;
			}
		}
	}
	return NULL;
}

/* GFP_KERNEL (unmovable) or GFP_HIGHUSER_MOVABLE on the zonelist of @nid */
struct page *alloc_pages_node(struct hotmem *hm, int nid, unsigned int order,
			      bool movable, bool ignore_wmark)
{
	const struct alloc_context ac = {
		.nid = nid,
		.highest_zoneidx = movable ? ZONE_MOVABLE : ZONE_NORMAL,
		.migratetype = movable ? MIGRATE_MOVABLE : MIGRATE_UNMOVABLE,
		.ignore_wmark = ignore_wmark,
	};

	return __alloc_pages(hm, order, &ac);
}

/*
 * alloc_migration_target() (6.12 mm/migrate.c): an order-0 folio
 * (__folio_alloc() adds __GFP_COMP), with __GFP_HIGHMEM -- ZONE_MOVABLE
 * allowed -- only for a page that came from ZONE_MOVABLE.  Where from:
 * another node with memory first, this one only when no other has any,
 * as do_migrate_range()'s nodemask says -- for alloc_contig_range() and
 * a soft offline too, whose @mtc has no nodemask in 6.12 (the source's
 * node first there; docs/engine.md "Where we differ").  Its failure goes
 * through the allocator's warn_alloc(), with @mtc's mask and nodemask:
 * no caller asks with __GFP_NOWARN.
 */
struct page *alloc_migration_target(struct hotmem *hm, struct page *src,
				    const struct migration_target_control *mtc)
{
	const int src_nid = page_to_nid(src);
	const bool movable = page_zonenum(src) == ZONE_MOVABLE;
	struct alloc_context ac = {
		.nid = src_nid,
		.highest_zoneidx = movable ? ZONE_MOVABLE : ZONE_NORMAL,
		.migratetype = MIGRATE_MOVABLE,
		.nodemask = node_states_memory(hm) & ~(1ULL << src_nid),
	};
	const unsigned int gfp_mask = mtc->gfp_mask | (movable ? __GFP_HIGHMEM : 0) | __GFP_COMP;
	struct page *page;

	if (!ac.nodemask)
		ac.nodemask = 1ULL << src_nid;
	page = __alloc_pages(hm, 0, &ac);
	if (!page)
		warn_alloc(hm, gfp_mask, mtc->nmask, "page allocation failure: order:0");
	return page;
}

/*
 * build_zonerefs_node()'s check_highest_zone() (include/linux/mempolicy.h
 * 6.12): policy_zone only grows, to the highest populated zone below
 * ZONE_MOVABLE, so a guest with no ZONE_NORMAL says DMA32 even when
 * ZONE_MOVABLE has memory, and a zone emptied later keeps it.
 */
static void check_highest_zones(struct hotmem *hm, struct pglist_data *pgdat)
{
	for (int zid = 0; zid < MAX_NR_ZONES; zid++) {
		if (zid != ZONE_MOVABLE && zid > hm->policy_zone &&
		    populated_zone(&pgdat->node_zones[zid]))
			hm->policy_zone = zid;
	}
}

int hotmem_get_policy_zone(struct hotmem *hm)
{
	int zid;

	pthread_rwlock_rdlock(&hm->mem_hotplug_lock);
	zid = hm->policy_zone;
	pthread_rwlock_unlock(&hm->mem_hotplug_lock);
	return zid;
}

int hotmem_raise_policy_zone(struct hotmem *hm, int zid)
{
	if (zid < 0 || zid >= ZONE_MOVABLE)
		return -EINVAL;
	mem_hotplug_begin(hm);
	if (zid > hm->policy_zone)
		hm->policy_zone = zid;
	mem_hotplug_done(hm);
	return 0;
}

/*
 * find_next_best_node() (6.12 mm/page_alloc.c): the local node first when
 * it has memory (N_MEMORY: "for memoryless local node, we should skip
 * it"), then of the nodes with memory not yet used the one nearest @node
 * (the SLIT's node_distance()), a node below @node and a node with CPUs
 * one worse (PENALTY_FOR_NODE_WITH_CPUS), ties to the less loaded.  -1:
 * none left.
 */
static int find_next_best_node(struct hotmem *hm, int node, uint64_t *used,
			       const int node_load[])
{
	int best = -1, min_val = INT_MAX;

	if (!(*used & (1ULL << node)) && NODE_DATA(hm, node)->node_present_pages) {
		*used |= 1ULL << node;
		return node;
	}
	for (int n = 0; n < hm->nr_possible_nodes; n++) {
		const struct pglist_data *pgdat = NODE_DATA(hm, n);
		int val;

		if ((*used & (1ULL << n)) || !pgdat->node_present_pages)
			continue;
		val = hotmem_node_distance(hm, node, n) + (n < node) + (pgdat->has_cpu ? 1 : 0);
		val = val * HM_MAX_NUMNODES + node_load[n];
		if (val < min_val) {
			min_val = val;
			best = n;
		}
	}
	if (best >= 0)
		*used |= 1ULL << best;
	return best;
}

/*
 * build_zonelists(): @pgdat's node_order, nearest first; a node at a new
 * distance gets node_load + 1, so that nodes at one distance take turns
 * being first in the zonelists of the nodes built after it.
 */
static void build_zonelists(struct hotmem *hm, struct pglist_data *pgdat, int node_load[])
{
	char order[HM_MAX_NUMNODES * 4 + 1] = "";
	int local = pgdat->node_id, prev = local, node, nr = 0;
	uint64_t used = 0;
	size_t n = 0;

	while ((node = find_next_best_node(hm, local, &used, node_load)) >= 0) {
		if (hotmem_node_distance(hm, local, node) != hotmem_node_distance(hm, local, prev))
			node_load[node]++;
		WRITE_ONCE(pgdat->node_order[nr++], node);
		n += (size_t)snprintf(order + n, sizeof(order) - n, "%d ", node);
		prev = node;
	}
	WRITE_ONCE(pgdat->node_order[nr], -1);
	pr_info(hm, "Fallback order for Node %d: %s", local, order);
}

/*
 * __build_all_zonelists(): every possible node's zonelist and its
 * "Fallback order" line (6.12 for_each_node(): "all possible nodes have
 * pgdat preallocated in free_area_init"; build_zonelists() says each),
 * policy_zone raised from the online ones' populated zones -- or, for
 * @self not yet online (hotadd_init_pgdat()), its own alone: "This node
 * is hotadded and no memory is yet present.  So just building zonelists
 * is fine - no need to touch other nodes."
 */
static void __build_all_zonelists(struct hotmem *hm, struct pglist_data *self)
{
	int node_load[HM_MAX_NUMNODES] = { 0 };

	if (self && !self->online) {
		build_zonelists(hm, self, node_load);
		return;
	}
	for (int nid = 0; nid < hm->nr_possible_nodes; nid++) {
		struct pglist_data *pgdat = NODE_DATA(hm, nid);

		build_zonelists(hm, pgdat, node_load);
		if (pgdat->online)
			check_highest_zones(hm, pgdat);
	}
}

/* build_all_zonelists()' last two lines: nr_online_nodes, then policy_zone */
static void build_all_zonelists_report(struct hotmem *hm, unsigned long total)
{
	struct pglist_data *pgdat;
	int nr_online = 0;

	for_each_online_pgdat(hm, pgdat)
		nr_online++;
	pr_info(hm, "Built %d zonelists, mobility grouping on.  Total pages: %lu", nr_online,
		total);
	pr_info(hm, "Policy zone: %s", hmu_zone_names[hm->policy_zone]);
}

/*
 * 6.12 nr_free_zone_pages(@highest_zoneidx): the managed pages above the
 * high watermark of the online nodes' zones up to @highest_zoneidx (the
 * zonelist's, which falls back to every node with memory).  The mark is
 * high_wmark_pages(), its boost on it: a boost standing at an online's
 * or offline's calculate_min_free_kbytes() (the operation's own steals
 * before its kswapd runs, a node kswapd gave up on) lowers min_free_kbytes
 * (reread42 R2: 2539 for 6.12's 2533 with a 512-page boost).
 */
static unsigned long nr_free_zone_pages(struct hotmem *hm, int highest_zoneidx)
{
	unsigned long sum = 0;
	struct zone *z;

	for_each_zone(hm, z) {
		unsigned long managed = zone_managed_pages(z), high = wmark_pages(z, WMARK_HIGH);

		if (zone_idx(z) <= highest_zoneidx && managed > high)
			sum += managed - high;
	}
	return sum;
}

/*
 * build_all_zonelists(@self) after boot, the kernel's three lines
 * (mm/mm_init.c, mm/page_alloc.c 6.12): NULL when a zone gains its first
 * or loses its last memory, a node add_memory() brings online before it
 * is (hotadd_init_pgdat(): "Fallback order for Node 2: 0 1", "Built 2
 * zonelists").  Total pages is nr_free_zone_pages(gfp_zone(
 * GFP_HIGHUSER_MOVABLE)).
 */
void build_all_zonelists(struct hotmem *hm, struct pglist_data *self)
{
	__build_all_zonelists(hm, self);
	build_all_zonelists_report(hm, nr_free_zone_pages(hm, ZONE_MOVABLE));
}

/*
 * build_all_zonelists(NULL) at boot (mm_core_init(), 6.12): the zonelists
 * of the boot zones, before memblock_free_all(), so policy_zone is the
 * highest boot zone from the start (check_highest_zone()).  Total pages
 * is then the zones' present pages: free_area_init() set managed to
 * present until memblock_free_all() counts again, and no watermark is
 * set yet (Debian's 6.12 in QEMU with 512M: 130942, its present pages).
 */
void build_all_zonelists_init(struct hotmem *hm)
{
	unsigned long total = 0;
	struct zone *z;

	__build_all_zonelists(hm, NULL);

	for_each_zone(hm, z)
		if (zone_idx(z) <= ZONE_MOVABLE)
			total += z->present_pages;
	build_all_zonelists_report(hm, total);
}

/*
 * split_page(): a non-compound high-order page becomes order-0 pages,
 * and split_page_owner() makes each its own page_owner entry (a vmemmap
 * or kernel page: its flag, mapping and private are the record; a
 * vmemmap allocation's tails had none, vmemmap_alloc_pages())
 */
void split_page(struct hotmem *hm, struct page *page, unsigned int order)
{
	const int owner = test_page_flag(page, PG_vmemmap) ? PG_vmemmap :
			  test_page_flag(page, PG_kernel) ? PG_kernel : -1;
	const unsigned long pfn = page_to_pfn(hm, page);

	for (unsigned long i = 0; i < (1UL << order); i++) {
		if (i)
			set_page_count(&page[i], 1);
		if (owner >= 0) {
			set_page_flag(&page[i], owner);
			WRITE_ONCE(page[i].mapping, pfn + i);
			WRITE_ONCE(page[i].private, 0);
		}
		/* a memmap's allocator (enum vmemmap_alloc_for), the head's for each */
		if (owner == PG_vmemmap && i)
			WRITE_ONCE(page[i].index, READ_ONCE(page->index));
	}
}

/* ------------------------------------------------------------------ */
/* watermarks: init_per_zone_wmark_min() / __setup_per_zone_wmarks()   */
/* ------------------------------------------------------------------ */

/*
 * the managed pages below ZONE_MOVABLE, which min_free_kbytes is shared
 * over: 6.12 __setup_per_zone_wmarks()' for_each_zone() (an offline
 * node manages none: try_offline_node() needs its memory removed)
 */
static unsigned long lowmem_managed_pages(struct hotmem *hm)
{
	unsigned long lowmem_pages = 0;
	struct zone *z;

	for_each_zone(hm, z)
		if (zone_idx(z) < ZONE_MOVABLE)
			lowmem_pages += zone_managed_pages(z);
	return lowmem_pages;
}

/*
 * 6.12 calculate_min_free_kbytes(): sqrt(lowmem_kbytes * 16) of
 * nr_free_buffer_pages() (nr_free_zone_pages(gfp_zone(GFP_USER)): the
 * lowmem zones' managed pages above their high watermarks as they stand,
 * none at boot's first), clamped to [128, 262144] -- unless the
 * operator's vm.min_free_kbytes is not below it: then it stays, and the
 * kernel says so.  wmark_lock held.
 */
static void calculate_min_free_kbytes(struct hotmem *hm)
{
	const unsigned long lowmem_kbytes = nr_free_zone_pages(hm, ZONE_NORMAL) * 4;
	int new_min_free_kbytes = (int)sqrt((double)lowmem_kbytes * 16);

	if (new_min_free_kbytes > hm->user_min_free_kbytes)
		atomic_store(&hm->min_free_kbytes,
			     (unsigned long)min(max(new_min_free_kbytes, 128), 262144));
	else
		pr_warn(hm, "min_free_kbytes is not updated to %d because user defined value %d is preferred",
			new_min_free_kbytes, hm->user_min_free_kbytes);
}

/*
 * 6.12 __setup_per_zone_wmarks(): each zone's share of min_free_kbytes,
 * and the kswapd distances watermark_scale_factor sets.  wmark_lock held.
 */
static void __setup_per_zone_wmarks(struct hotmem *hm)
{
	const unsigned long min_free_kbytes = atomic_load(&hm->min_free_kbytes);
	const unsigned long watermark_scale_factor = (unsigned long)hm->watermark_scale_factor;
	const unsigned long lowmem_pages = lowmem_managed_pages(hm);
	struct zone *z;

	/* from the managed pages of now: no longer the boot's (mm_init.c sets it after its own) */
	hm->wmarks_boot = false;
	/*
	 * 6.12 __setup_per_zone_wmarks() and setup_per_zone_wmarks()'
	 * zone_pcp_update() walk for_each_zone(): the online nodes' zones.
	 * An offline node's keep what they had -- zeroes for a node never
	 * online, until the first online after add_memory() brought it
	 * online (abuse29a N2: its empty Movable zone said 32) -- and a
	 * node gone offline keeps its last ones.
	 */
	for_each_zone(hm, z) {
		const int zid = zone_idx(z);
		unsigned long managed = zone_managed_pages(z), tmp, wmin;

		/* the zone's share of pages_min, whatever the zone (6.12) */
		tmp = lowmem_pages ? (min_free_kbytes / 4) * managed / lowmem_pages : 0;
		/*
		 * ZONE_MOVABLE's min is capped to a small value,
		 * clamp(managed / 1024, SWAP_CLUSTER_MAX, 128): 32 for
		 * an empty one too (the host's /proc/zoneinfo: min 32,
		 * low 32, high 32).  The kswapd distances below are its
		 * share all the same, not the cap's.  ZONE_DEVICE is no
		 * lowmem and never managed: 0 (min 0 there on the host).
		 */
		wmin = zid == ZONE_MOVABLE ? min(max(managed / 1024, 32UL), 128UL) : tmp;
		pthread_mutex_lock(&z->lock);
		/* 6.12: "zone->watermark_boost = 0;" with the marks */
		__atomic_store_n(&z->watermark_boost, 0, __ATOMIC_RELAXED);
		z->_watermark[WMARK_MIN] = wmin;
		tmp = max(tmp >> 2, managed * watermark_scale_factor / 10000);
		z->_watermark[WMARK_LOW] = wmin + tmp;
		z->_watermark[WMARK_HIGH] = wmin + tmp * 2;
		pthread_mutex_unlock(&z->lock);
		/* setup_per_zone_wmarks()' for_each_zone() zone_pcp_update(zone, 0) */
		zone_pcp_update(hm, z, 0);
		/*
		 * 6.18 __setup_per_zone_wmarks() fires the tracepoint
		 * in for_each_zone(): every zone of an online node, empty
		 * ones too.  It records the node, the zone's name and its
		 * watermarks, no range: none here either (abuse28 T1).
		 */
		hm_trace(hm, HMP_mm_setup_per_zone_wmarks, true, 0, 0, zone_to_nid(z), zid,
			 (long)z->_watermark[WMARK_MIN], 0);
	}
	/* "update totalreserve_pages" */
	calculate_totalreserve_pages(hm);
}

/*
 * 6.12 init_per_zone_wmark_min(), at boot and each online_pages() and
 * offline_pages(): min_free_kbytes again, the watermarks from it, then
 * the reserves -- the one path a sysctl write takes part of
 */
void init_per_zone_wmark_min(struct hotmem *hm)
{
	pthread_mutex_lock(&hm->wmark_lock);
	calculate_min_free_kbytes(hm);
	__setup_per_zone_wmarks(hm);
	refresh_zone_stat_thresholds(hm);
	setup_per_zone_lowmem_reserve(hm);
	pthread_mutex_unlock(&hm->wmark_lock);
}

/*
 * vm.min_free_kbytes as written (6.12 min_free_kbytes_sysctl_handler():
 * proc_dointvec_minmax() from 0, then user_min_free_kbytes and
 * setup_per_zone_wmarks()) or as a state file restores it (@user: the
 * operator's, -1 for none; @kbytes may differ from it when an online
 * computed a larger one since)
 */
int hotmem_restore_min_free_kbytes(struct hotmem *hm, long long kbytes, long long user)
{
	if (kbytes < 0 || kbytes > INT_MAX || user < -1 || user > INT_MAX)
		return -EINVAL;
	pthread_mutex_lock(&hm->wmark_lock);
	atomic_store(&hm->min_free_kbytes, (unsigned long)kbytes);
	hm->user_min_free_kbytes = (int)user;
	__setup_per_zone_wmarks(hm);
	pthread_mutex_unlock(&hm->wmark_lock);
	return 0;
}

int hotmem_set_min_free_kbytes(struct hotmem *hm, long long kbytes)
{
	return hotmem_restore_min_free_kbytes(hm, kbytes, kbytes);
}

/*
 * 6.12 min_free_kbytes_sysctl_handler() after a proc_dointvec_minmax()
 * that parsed nothing and answered 0: a write past the file's start,
 * which sysctl_writes_strict (SYSCTL_WRITES_STRICT, the default) ignores
 * (proc_first_pos_non_zero_ignore()).  The handler still runs its "if
 * (write)": the value of now -- an online's, maybe -- becomes the user's,
 * so a later online or offline keeps it, and the marks are set up again.
 */
void hotmem_min_free_kbytes_sysctl_unparsed(struct hotmem *hm)
{
	pthread_mutex_lock(&hm->wmark_lock);
	hm->user_min_free_kbytes = (int)atomic_load(&hm->min_free_kbytes);
	__setup_per_zone_wmarks(hm);
	pthread_mutex_unlock(&hm->wmark_lock);
}

/*
 * vm.watermark_boost_factor as 6.12's handler takes a write
 * (proc_dointvec_minmax() with extra1 SYSCTL_ZERO, no max): 0 disables
 * boosting, any other value is boost_watermark()'s cap in ten-thousandths
 * of the high mark from the next steal on.  A plain int the kernel reads
 * with no lock: an atomic here.  The boosts already raised stay.
 */
int hotmem_set_watermark_boost_factor(struct hotmem *hm, long long factor)
{
	if (factor < 0 || factor > INT_MAX)
		return -EINVAL;
	atomic_store(&hm->watermark_boost_factor, (int)factor);
	return 0;
}

int hotmem_watermark_boost_factor(struct hotmem *hm)
{
	return atomic_load(&hm->watermark_boost_factor);
}

/* one of the watermark sysctls' ints, read under their lock */
static int wmark_sysctl_read(struct hotmem *hm, const int *v)
{
	int ret;

	pthread_mutex_lock(&hm->wmark_lock);
	ret = *v;
	pthread_mutex_unlock(&hm->wmark_lock);
	return ret;
}

int hotmem_user_min_free_kbytes(struct hotmem *hm)
{
	return wmark_sysctl_read(hm, &hm->user_min_free_kbytes);
}

/*
 * 6.12 watermark_scale_factor_sysctl_handler(): 1..3000, then
 * setup_per_zone_wmarks() -- from the managed pages of now, where the
 * boot's marks are postcore_initcall(init_per_zone_wmark_min)'s, before
 * populate_rootfs() frees the initrd and kernel_init() the init sections
 * (mm_init.c's order): a write of the same factor can move a zone's min
 * by a page (qemu-512m's DMA32 606 at boot, 607 after; DMA 24, 23), as
 * a 6.12 kernel's does -- nothing recomputes the marks as those frees
 * add managed pages (adjust_managed_page_count())
 */
int hotmem_set_watermark_scale_factor(struct hotmem *hm, long long factor)
{
	if (factor < 1 || factor > 3000)
		return -EINVAL;
	pthread_mutex_lock(&hm->wmark_lock);
	hm->watermark_scale_factor = (int)factor;
	__setup_per_zone_wmarks(hm);
	pthread_mutex_unlock(&hm->wmark_lock);
	return 0;
}

int hotmem_watermark_scale_factor(struct hotmem *hm)
{
	return wmark_sysctl_read(hm, &hm->watermark_scale_factor);
}

/*
 * A fraction write's pagesets in use: 6.12 zone_set_pageset_high_and_batch()
 * sets high_min/high_max/batch (pageset_update()) and leaves pcp->high;
 * nr_pcp_high() clamps it into them at the next free, which a running
 * kernel makes at once (the guest's both CPUs showed 7153 right after
 * a write of 8 from 572, 572 after 100 from 7153, and kept 572 at 0).
 * Not decayed to high_min: decay_pcp_high() runs on vmstat's interval
 * (refresh_cpu_vm_stats()), a clock the engine has not; the next setup
 * settles it (zone_pcp_update_high()).  wmark_lock held.
 */
static void zone_pcp_high_clamp(struct zone *z)
{
	long high;

	if (__atomic_load_n(&z->pcp_state, __ATOMIC_ACQUIRE) != ZONE_PCP_USED)
		return;
	high = __atomic_load_n(&z->pcp_high, __ATOMIC_RELAXED);
	high = max(high, z->pageset_high_min);
	high = min(high, z->pageset_high_max);
	__atomic_store_n(&z->pcp_high, high, __ATOMIC_RELAXED);
}

/*
 * 6.12 percpu_pagelist_high_fraction_sysctl_handler() after its parser
 * (proc_dointvec_minmax(), extra1 SYSCTL_ZERO): "Sanity checking to
 * avoid pcp imbalance" refuses 1..7 and keeps the old value; the same
 * value changes nothing ("No change?"); a new one sets each populated
 * zone's limits (for_each_populated_zone() zone_set_pageset_high_and_
 * batch(zone, 0)) -- from low_wmark_pages(), the boost standing in it,
 * where a setup's has none.  pcp->high is not set: it is clamped into
 * the new limits at the next allocation or free (zone_pcp_high_clamp()).
 * A 6.12.118 guest's DMA32 (tests/fixtures/pcp-fraction): 114449 managed
 * pages, 2 CPUs, pcp->high 572 at 100 and 7153 at 8; a write of 0 left
 * it at 572, above its new high_min.
 */
int hotmem_set_percpu_pagelist_high_fraction(struct hotmem *hm, long long fraction)
{
	struct zone *z;

	if (fraction < 0 || fraction > INT_MAX ||
	    (fraction && fraction < MIN_PERCPU_PAGELIST_HIGH_FRACTION))
		return -EINVAL;
	pthread_mutex_lock(&hm->wmark_lock);
	if (fraction == hm->percpu_pagelist_high_fraction)
		goto out;
	hm->percpu_pagelist_high_fraction = (int)fraction;
	for_each_populated_zone(hm, z) {
		pageset_high_and_batch_from(hm, z, 0, wmark_pages(z, WMARK_LOW));
		zone_pcp_high_clamp(z);
	}
out:
	pthread_mutex_unlock(&hm->wmark_lock);
	return 0;
}

int hotmem_percpu_pagelist_high_fraction(struct hotmem *hm)
{
	return wmark_sysctl_read(hm, &hm->percpu_pagelist_high_fraction);
}

bool hotmem_wmarks_boot(struct hotmem *hm)
{
	bool boot;

	pthread_mutex_lock(&hm->wmark_lock);
	boot = hm->wmarks_boot;
	pthread_mutex_unlock(&hm->wmark_lock);
	return boot;
}

/*
 * 6.12 setup_per_zone_wmarks() as a restore runs it when the saved
 * machine's marks were set up after boot and its own steps set up none
 * (wmark39: qemu-512m's DMA32 min 607 after a watermark_scale_factor
 * write and an offline virtio-mem plug, 606 restored): what the saved
 * machine's last setup computed, from the managed pages of now
 */
void hotmem_setup_per_zone_wmarks(struct hotmem *hm)
{
	pthread_mutex_lock(&hm->wmark_lock);
	__setup_per_zone_wmarks(hm);
	pthread_mutex_unlock(&hm->wmark_lock);
}

/*
 * 6.12 lowmem_reserve_ratio_sysctl_handler(): proc_dointvec_minmax()
 * stores each ratio parsed straight into sysctl_lowmem_reserve_ratio[]
 * -- the first @n, the others as they are (a partial write never
 * rewrites them, whoever wrote them last) -- then any below 1 is stored
 * as 0 (no reserve), then setup_per_zone_lowmem_reserve().  No lock in
 * 6.12; wmark_lock here, which makes the overlay one step against
 * another writer's.
 */
void hotmem_set_lowmem_reserve_ratio(struct hotmem *hm, const int *ratio, int n)
{
	pthread_mutex_lock(&hm->wmark_lock);
	for (int i = 0; i < n && i < MAX_NR_ZONES; i++)
		hm->lowmem_reserve_ratio[i] = ratio[i];
	for (int i = 0; i < MAX_NR_ZONES; i++)
		if (hm->lowmem_reserve_ratio[i] < 1)
			hm->lowmem_reserve_ratio[i] = 0;
	setup_per_zone_lowmem_reserve(hm);
	pthread_mutex_unlock(&hm->wmark_lock);
}

void hotmem_lowmem_reserve_ratio(struct hotmem *hm, int ratio[HM_MAX_NR_ZONES])
{
	pthread_mutex_lock(&hm->wmark_lock);
	memcpy(ratio, hm->lowmem_reserve_ratio, sizeof(hm->lowmem_reserve_ratio));
	pthread_mutex_unlock(&hm->wmark_lock);
}

/*
 * The watermark sysctls and what they last set, exactly: every possible
 * node's zones' _watermark[] and lowmem_reserve[] as they stand (an
 * offline node's keep theirs, __setup_per_zone_wmarks()).  A failed
 * sysctl write's undo stores them back rather than setting the old value
 * again, which would compute them from the managed pages of now: 6.12
 * computes them only at an online, an offline or a write, so a count
 * moved in between (virtio-mem sub-blocks plugged into an online block)
 * is not in them (reread31 R9).
 */
struct hm_wmark_state {
	unsigned long min_free_kbytes;
	int user_min_free_kbytes;
	int watermark_scale_factor;
	/*
	 * vm.percpu_pagelist_high_fraction, whose write sets the pagesets'
	 * limits the marks' part keeps: back with them (an undone write's)
	 */
	int percpu_pagelist_high_fraction;
	int lowmem_reserve_ratio[MAX_NR_ZONES];
	bool wmarks_boot;
	/* the last setup's totalreserve_pages (the nodes': node[]) */
	unsigned long totalreserve_pages;
	/* a zone's marks or reserves set since the save (a state file's) */
	bool edited;
	/* totalreserve_pages a state file's (hotmem_wmark_state_set_totalreserve()) */
	bool totalreserve_kept;
	/*
	 * hm->nr_possible_nodes of them, allocated with the snapshot: every
	 * change's undo takes one (state41: HM_MAX_NUMNODES were 20 KB
	 * zeroed for qemu-512m's one node)
	 */
	int nr_nodes;
	struct hm_node_wmarks node[];
};

/* @pgdat's zones' marks and reserves as they stand into @n; wmark_lock held */
static void read_node_wmarks(struct pglist_data *pgdat, struct hm_node_wmarks *n)
{
	for (int zid = 0; zid < MAX_NR_ZONES; zid++) {
		struct zone *z = &pgdat->node_zones[zid];

		pthread_mutex_lock(&z->lock);
		memcpy(n->zone[zid].watermark, z->_watermark, sizeof(z->_watermark));
		n->zone[zid].boost = z->watermark_boost;
		pthread_mutex_unlock(&z->lock);
		n->zone[zid].pcp[0] = __atomic_load_n(&z->pageset_batch, __ATOMIC_RELAXED);
		n->zone[zid].pcp[1] = __atomic_load_n(&z->pageset_high_min, __ATOMIC_RELAXED);
		n->zone[zid].pcp[2] = __atomic_load_n(&z->pageset_high_max, __ATOMIC_RELAXED);
		n->zone[zid].stat_threshold = __atomic_load_n(&z->stat_threshold, __ATOMIC_RELAXED);
		n->zone[zid].pcp_kept = false;
		n->zone[zid].pcp_high = zone_pcp_high(z);
		n->zone[zid].pcp_high_kept = false;
		for (int j = 0; j < MAX_NR_ZONES; j++)
			n->zone[zid].lowmem_reserve[j] = zone_lowmem_reserve(z, j);
	}
	n->totalreserve_pages = __atomic_load_n(&pgdat->totalreserve_pages, __ATOMIC_RELAXED);
}

/* the first @nr nodes' into @n (no more than the possible ones): how many; wmark_lock held */
static int read_wmarks(struct hotmem *hm, struct hm_node_wmarks *n, int nr)
{
	if (nr > hm->nr_possible_nodes)
		nr = hm->nr_possible_nodes;
	for (int nid = 0; nid < nr; nid++)
		read_node_wmarks(NODE_DATA(hm, nid), &n[nid]);
	return nr < 0 ? 0 : nr;
}

struct hm_wmark_state *hotmem_wmark_save(struct hotmem *hm)
{
	const int nr = hm->nr_possible_nodes;
	struct hm_wmark_state *s = calloc(1, sizeof(*s) + (size_t)nr * sizeof(s->node[0]));

	if (!s)
		return NULL;
	pthread_mutex_lock(&hm->wmark_lock);
	s->min_free_kbytes = atomic_load(&hm->min_free_kbytes);
	s->user_min_free_kbytes = hm->user_min_free_kbytes;
	s->watermark_scale_factor = hm->watermark_scale_factor;
	s->percpu_pagelist_high_fraction = hm->percpu_pagelist_high_fraction;
	s->wmarks_boot = hm->wmarks_boot;
	memcpy(s->lowmem_reserve_ratio, hm->lowmem_reserve_ratio, sizeof(s->lowmem_reserve_ratio));
	s->totalreserve_pages = atomic_load(&hm->totalreserve_pages);
	s->nr_nodes = read_wmarks(hm, s->node, nr);
	pthread_mutex_unlock(&hm->wmark_lock);
	return s;
}

int hotmem_node_wmarks(struct hotmem *hm, struct hm_node_wmarks *n, int nr)
{
	pthread_mutex_lock(&hm->wmark_lock);
	nr = read_wmarks(hm, n, nr);
	pthread_mutex_unlock(&hm->wmark_lock);
	return nr;
}

/*
 * A state file's marks for @z (HM_WMARK_ZONE_MARKS), @moved when they
 * are not the restore's own: the pagesets' limits of the setup that set
 * them, which the file does not keep, from those marks and the managed
 * pages of now, as setup_per_zone_wmarks() gives them with the marks
 * (an online node's zone: for_each_zone()) -- a write of the same
 * watermark_scale_factor after boot, which the restore does not make
 * again (qemu-512m's DMA32 high_max 6117, the boot's 5992).  Marks the
 * restore's own setups came to keep its limits: a booted machine's, the
 * boot's.  A file that keeps the limits (hotmem_wmark_state_set_pcp())
 * has them stored as they are instead: this is a file from before them,
 * short of the running machine's when its managed pages moved since its
 * last setup without one (virtio-mem's sub-blocks in an online block, HVO).
 */
static void pcp_limits_from_file_marks(struct hotmem *hm, struct zone *z, bool moved)
{
	if (moved && z->zone_pgdat->online)
		zone_set_pageset_high_and_batch(hm, z, 0);
}

/*
 * pcp->high with the limits (@zw's), in a zone set up since boot (an
 * offline node's keeps its UNSET for its online): an undo's as it was,
 * 0 as well -- a change that allocated through a fresh pageset undone
 * leaves none that did -- and a state file's that keeps it; a file from
 * before it has it settled at its limits' high_min.  wmark_lock held.
 */
static void zone_pcp_high_restore(struct zone *z, long high, bool settle)
{
	unsigned char state = __atomic_load_n(&z->pcp_state, __ATOMIC_ACQUIRE);

	if (state == ZONE_PCP_UNSET)
		return;
	if (settle)
		high = z->pageset_high_min;
	else
		state = high > 0 && populated_zone(z) ? ZONE_PCP_USED : ZONE_PCP_FRESH;
	zone_pcp_high_store(z, state, high);
}

/*
 * the zones' part @what names (HM_WMARK_MARKS, HM_WMARK_RESERVES: theirs
 * alone; @file: the marks are a state file's); wmark_lock held
 */
static void wmark_restore_zone(struct hotmem *hm, struct zone *z, const struct hm_wmark_state *s,
			       int nid, int zid, unsigned int what, bool file)
{
	if (what & HM_WMARK_MARKS) {
		const unsigned long *mark = s->node[nid].zone[zid].watermark;
		bool moved;

		pthread_mutex_lock(&z->lock);
		moved = memcmp(z->_watermark, mark, sizeof(z->_watermark)) != 0;
		memcpy(z->_watermark, mark, sizeof(z->_watermark));
		/*
		 * An undo: the boost the undone setup zeroed ("zone->
		 * watermark_boost = 0;"), which a node kswapd gave up on kept
		 * till then (reread42 R8).  A file's marks: the boost of now,
		 * as a file keeps none (restore_zone_wmarks()).
		 */
		if (!file)
			__atomic_store_n(&z->watermark_boost, s->node[nid].zone[zid].boost,
					 __ATOMIC_RELAXED);
		pthread_mutex_unlock(&z->lock);
		/* the pagesets' limits the marks' setup set with them (zone_pcp_update()) */
		__atomic_store_n(&z->pageset_batch, s->node[nid].zone[zid].pcp[0], __ATOMIC_RELAXED);
		__atomic_store_n(&z->pageset_high_min, s->node[nid].zone[zid].pcp[1], __ATOMIC_RELAXED);
		__atomic_store_n(&z->pageset_high_max, s->node[nid].zone[zid].pcp[2], __ATOMIC_RELAXED);
		/*
		 * An undo: the stats threshold of before too, which its own
		 * online or offline refreshed from the managed pages of now
		 * (6.12 init_per_zone_wmark_min(): refresh_zone_stat_thresholds()),
		 * virtio-mem's sub-blocks plugged since the last counted in
		 * them (params43: Movable's 4 came back 8)
		 */
		if (!file || s->node[nid].zone[zid].pcp_kept)
			__atomic_store_n(&z->stat_threshold, s->node[nid].zone[zid].stat_threshold,
					 __ATOMIC_RELAXED);
		else
			pcp_limits_from_file_marks(hm, z, moved);
		zone_pcp_high_restore(z, s->node[nid].zone[zid].pcp_high,
				      file && !s->node[nid].zone[zid].pcp_high_kept);
	}
	for (int j = 0; (what & HM_WMARK_RESERVES) && j < MAX_NR_ZONES; j++)
		__atomic_store_n(&z->lowmem_reserve[j], s->node[nid].zone[zid].lowmem_reserve[j],
				 __ATOMIC_RELAXED);
}

/* every zone's marks and reserves @s's, as they stand now: wmark_lock held */
static bool wmark_state_is_now(struct hotmem *hm, const struct hm_wmark_state *s)
{
	for (int nid = 0; nid < hm->nr_possible_nodes && nid < s->nr_nodes; nid++) {
		for (int zid = 0; zid < MAX_NR_ZONES; zid++) {
			struct zone *z = &NODE_DATA(hm, nid)->node_zones[zid];

			if (memcmp(z->_watermark, s->node[nid].zone[zid].watermark,
				   sizeof(z->_watermark)))
				return false;
			for (int j = 0; j < MAX_NR_ZONES; j++)
				if (zone_lowmem_reserve(z, j) != s->node[nid].zone[zid].lowmem_reserve[j])
					return false;
		}
	}
	return true;
}

/*
 * totalreserve_pages after a restore: the snapshot's where the zones'
 * marks and reserves are all its own again (an undo: as the setup of
 * then summed them, its boost and managed pages), else as a setup
 * would sum them now (a state file's marks, or the part a writer since
 * set up kept); wmark_lock held
 */
static void wmark_restore_totalreserve(struct hotmem *hm, const struct hm_wmark_state *s)
{
	if (!s->totalreserve_kept && (s->edited || !wmark_state_is_now(hm, s))) {
		calculate_totalreserve_pages(hm);
		return;
	}
	for (int nid = 0; nid < hm->nr_possible_nodes && nid < s->nr_nodes; nid++)
		__atomic_store_n(&NODE_DATA(hm, nid)->totalreserve_pages,
				 s->node[nid].totalreserve_pages, __ATOMIC_RELAXED);
	atomic_store(&hm->totalreserve_pages, s->totalreserve_pages);
}

/*
 * Only the part @what names: a write of min_free_kbytes or
 * watermark_scale_factor sets the marks alone, one of
 * lowmem_reserve_ratio the reserves alone, and the other part may have
 * been written since by a writer of its own.
 */
void hotmem_wmark_restore(struct hotmem *hm, const struct hm_wmark_state *s, unsigned int what)
{
	unsigned int zones = what & (HM_WMARK_MARKS | HM_WMARK_RESERVES);

	pthread_mutex_lock(&hm->wmark_lock);
	if (what & HM_WMARK_ZONE_MARKS)
		zones |= HM_WMARK_MARKS;
	/*
	 * A ratio written since the snapshot (lock-free, by a writer of its
	 * own) set the reserves up from its ratios: those stay
	 */
	if ((what & HM_WMARK_ZONE_RESERVES) &&
	    !memcmp(hm->lowmem_reserve_ratio, s->lowmem_reserve_ratio, sizeof(s->lowmem_reserve_ratio)))
		zones |= HM_WMARK_RESERVES;
	if (what & HM_WMARK_MARKS) {
		atomic_store(&hm->min_free_kbytes, s->min_free_kbytes);
		hm->user_min_free_kbytes = s->user_min_free_kbytes;
		hm->watermark_scale_factor = s->watermark_scale_factor;
		hm->percpu_pagelist_high_fraction = s->percpu_pagelist_high_fraction;
		hm->wmarks_boot = s->wmarks_boot;
	}
	if (what & HM_WMARK_RESERVES)
		memcpy(hm->lowmem_reserve_ratio, s->lowmem_reserve_ratio,
		       sizeof(s->lowmem_reserve_ratio));
	for (int nid = 0; nid < hm->nr_possible_nodes && nid < s->nr_nodes; nid++) {
		struct pglist_data *pgdat = NODE_DATA(hm, nid);

		for (int zid = 0; zid < MAX_NR_ZONES; zid++)
			wmark_restore_zone(hm, &pgdat->node_zones[zid], s, nid, zid, zones,
					   what & HM_WMARK_ZONE_MARKS);
	}
	if (zones)
		wmark_restore_totalreserve(hm, s);
	pthread_mutex_unlock(&hm->wmark_lock);
}

void hotmem_wmark_free(struct hm_wmark_state *s)
{
	free(s);
}

int hotmem_wmark_state_nodes(const struct hm_wmark_state *s)
{
	return s->nr_nodes;
}

/* @s has node @nid's zone @zid: such a node and zone */
static bool wmark_state_has(const struct hm_wmark_state *s, int nid, int zid)
{
	return nid >= 0 && nid < s->nr_nodes && zid >= 0 && zid < MAX_NR_ZONES;
}

int hotmem_wmark_state_set_zone(struct hm_wmark_state *s, int nid, int zid,
				const unsigned long wmark[3],
				const unsigned long reserve[HM_MAX_NR_ZONES])
{
	if (!wmark_state_has(s, nid, zid))
		return -ENOENT;
	/* other marks or reserves: the snapshot's totalreserve_pages not theirs */
	if (wmark && memcmp(s->node[nid].zone[zid].watermark, wmark,
			    sizeof(s->node[nid].zone[zid].watermark)))
		s->edited = true;
	if (reserve && memcmp(s->node[nid].zone[zid].lowmem_reserve, reserve,
			      sizeof(s->node[nid].zone[zid].lowmem_reserve)))
		s->edited = true;
	if (wmark)
		memcpy(s->node[nid].zone[zid].watermark, wmark, sizeof(s->node[nid].zone[zid].watermark));
	if (reserve)
		memcpy(s->node[nid].zone[zid].lowmem_reserve, reserve,
		       sizeof(s->node[nid].zone[zid].lowmem_reserve));
	return 0;
}

int hotmem_wmark_state_set_pcp(struct hm_wmark_state *s, int nid, int zid, const long pcp[3],
			       int stat_threshold)
{
	if (!wmark_state_has(s, nid, zid))
		return -ENOENT;
	/* zone_batchsize() is at least 1 once populated, 0 for an empty zone; none is negative */
	if (pcp[0] < 0 || pcp[1] < 0 || pcp[2] < 0 || stat_threshold < 0)
		return -EINVAL;
	memcpy(s->node[nid].zone[zid].pcp, pcp, sizeof(s->node[nid].zone[zid].pcp));
	s->node[nid].zone[zid].stat_threshold = stat_threshold;
	s->node[nid].zone[zid].pcp_kept = true;
	return 0;
}

int hotmem_wmark_state_set_pcp_high(struct hm_wmark_state *s, int nid, int zid, long high)
{
	if (!wmark_state_has(s, nid, zid))
		return -ENOENT;
	if (high < 0)
		return -EINVAL;
	s->node[nid].zone[zid].pcp_high = high;
	s->node[nid].zone[zid].pcp_high_kept = true;
	return 0;
}

int hotmem_wmark_state_set_totalreserve(struct hm_wmark_state *s, unsigned long all,
					const unsigned long *node, int nr)
{
	if (nr != s->nr_nodes)
		return -EINVAL;
	for (int nid = 0; nid < nr; nid++)
		s->node[nid].totalreserve_pages = node[nid];
	s->totalreserve_pages = all;
	s->totalreserve_kept = true;
	return 0;
}

/*
 * What a write of all the ratios leaves, computed as
 * hotmem_set_lowmem_reserve_ratio() then setup_per_zone_lowmem_reserve()
 * would, nothing stored: a state file's record of the write carries the
 * reserves it sets (the managed pages of now may differ from those of
 * a restore's end: virtio-mem's, HVO's moves since).  The entries at and
 * below a zone are its own, as setup_per_zone_lowmem_reserve() sets none.
 */
int hotmem_node_wmarks_reserves_for(struct hotmem *hm, const int ratio[HM_MAX_NR_ZONES],
				    struct hm_node_wmarks *n, int nr, unsigned long *totalreserve)
{
	int r[MAX_NR_ZONES];
	unsigned long total = 0;

	for (int i = 0; i < MAX_NR_ZONES; i++)
		r[i] = ratio[i] < 1 ? 0 : ratio[i];
	pthread_mutex_lock(&hm->wmark_lock);
	nr = read_wmarks(hm, n, nr);
	for (int nid = 0; nid < nr; nid++) {
		struct pglist_data *pgdat = NODE_DATA(hm, nid);
		unsigned long res[MAX_NR_ZONES][MAX_NR_ZONES] = { { 0 } };

		/* the setup's for_each_online_pgdat(): an offline node's as they stand */
		if (!pgdat->online)
			continue;
		pgdat_lowmem_reserve(pgdat, r, res);
		for (int i = 0; i < MAX_NR_ZONES - 1; i++)
			for (int j = i + 1; j < MAX_NR_ZONES; j++)
				n[nid].zone[i].lowmem_reserve[j] = res[i][j];
		/* its calculate_totalreserve_pages(), the boost of now */
		n[nid].totalreserve_pages = node_reserve_pages_of(pgdat, res);
		total += n[nid].totalreserve_pages;
	}
	pthread_mutex_unlock(&hm->wmark_lock);
	if (totalreserve)
		*totalreserve = total;
	return nr;
}

/* the free block holding @pfn (its head may lie before it), or NULL; zone->lock held */
struct page *free_block_holding(struct hotmem *hm, unsigned long pfn)
{
	for (unsigned int order = 0; order < NR_PAGE_ORDERS; order++) {
		struct page *head = pfn_to_page(hm, pfn & ~((1UL << order) - 1));

		if (PageBuddy(head) && buddy_order_unsafe(head) >= order &&
		    pfn < page_to_pfn(hm, head) + (1UL << buddy_order_unsafe(head)))
			return head;
	}
	return NULL;
}

/* find_large_buddy(): the head of the free block holding @start, else @start */
static unsigned long find_large_buddy(struct hotmem *hm, unsigned long start)
{
	struct page *head = free_block_holding(hm, start);

	return head ? page_to_pfn(hm, head) : start;
}

/*
 * Give [start, end), taken off the free lists whole, back to them: in
 * aligned pieces of at most a pageblock, so that none mixes an isolated
 * pageblock with one that is not; __free_one_page() merges them again.
 * zone->lock held.
 */
static void free_range_locked(struct hotmem *hm, struct zone *z, unsigned long start,
			      unsigned long end)
{
	/* free_contig_range(), release_free_list(): freed as any page, PGFREE */
	count_vm_events(hm, HM_PGFREE, end > start ? end - start : 0);
	while (start < end) {
		unsigned int order = start ? (unsigned int)__builtin_ctzl(start) : pageblock_order;

		if (order > pageblock_order)
			order = pageblock_order;
		while (start + (1UL << order) > end)
			order--;
		free_one_page_locked(hm, z, start, order, false);
		start += 1UL << order;
	}
}

/*
 * isolate_freepages_range() (mm/compaction.c, strict, as
 * alloc_contig_range() calls it): take every free block of [start, end)
 * off the free lists, the last one possibly reaching beyond @end.
 * Returns the pfn after the last block taken (>= @end), or 0 at the first
 * page that is not the head of a free block, with everything taken given
 * back (test_pages_isolated() found none, but a free since is no harm).
 * zone->lock is held throughout, so no page of the range changes hands
 * meanwhile.
 */
static unsigned long isolate_freepages_range(struct hotmem *hm, struct zone *z,
					     unsigned long start, unsigned long end)
{
	unsigned long pfn = start;

	while (pfn < end) {
		struct page *page = pfn_to_page(hm, pfn);
		unsigned int order;

		if (!PageBuddy(page)) {
			free_range_locked(hm, z, start, pfn);
			return 0;
		}
		order = (unsigned int)buddy_order_unsafe(page);
		del_page_from_free_list(z, page, order);
		pfn += 1UL << order;
	}
	return pfn;
}

/*
 * __alloc_contig_migrate_range() (6.12): migrate what is movable out of
 * [start, end), a few passes as the kernel's retries; -EBUSY when some
 * page would not go (alloc_contig_range() goes on all the same and lets
 * test_pages_isolated() find it).  -ENOMEM at once when no page is free
 * to migrate into: "On -ENOMEM, migrate_pages() bails out right away. It
 * is pointless to retry again over this error, so do the same here."
 */
static int __alloc_contig_migrate_range(struct hotmem *hm, unsigned long start,
					unsigned long end)
{
	/* its migration_target_control: the zone's node, no nodemask */
	const struct migration_target_control mtc = {
		.nid = page_to_nid(pfn_to_page(hm, start)),
		.gfp_mask = MIGRATE_TARGET_GFP,
	};
	bool left = false;

	for (int pass = 0; pass < 5; pass++) {
		left = false;
		for (unsigned long pfn = start; pfn < end; pfn++) {
			struct page *page = pfn_to_page(hm, pfn);

			if (PageBuddy(page)) {
				pfn += (1UL << buddy_order_unsafe(page)) - 1;
				continue;
			}
			if (PageMovable(page) && page_ref_count(page)) {
				int rc;

				/*
				 * 6.12-6.18 isolate_migratepages_block(): an anon
				 * page pinned past its mappings is never isolated
				 * ("Migration will fail if an anonymous page is
				 * pinned"): not counted, not migrated, left for
				 * test_pages_isolated() to find
				 */
				if (workload_page_pinned(page)) {
					left = true;
					continue;
				}
				/*
				 * isolated once, a page that would not move stays
				 * on the list for the next try, not isolated again
				 */
				if (!pass)
					count_vm_events(hm, HM_COMPACTISOLATED, 1);
				rc = workload_migrate_page(hm, pfn, &mtc);

				if (rc == -ENOMEM)
					return rc;
				left |= rc != 0;
			}
		}
		if (!left)
			break;
	}
	return left ? -EBUSY : 0;
}

/*
 * isolate_migratepages_block()'s huge pages for alloc_contig_range()
 * (mm/compaction.c, 6.12, cc->alloc_contig): each free huge page of the
 * pool in [start, end) replaced by one outside and dissolved
 * (isolate_or_dissolve_huge_folio()), before the migration, as the scan
 * meets them.  -ENOMEM (no room for a new one) ends it at once, as the
 * kernel's; -EBUSY is not passed on: test_pages_isolated() finds the
 * huge page.  A huge page is pageblock-aligned; a free block is stepped
 * over whole.
 */
static int alloc_contig_replace_hugetlb(struct hotmem *hm, unsigned long start,
					unsigned long end)
{
	for (unsigned long pfn = start; pfn < end;) {
		struct page *page = pfn_to_page(hm, pfn);
		unsigned long skip = page_span_to_skip(page);

		if (PageHuge(page) && test_page_flag(page, PG_head)) {
			if (isolate_or_dissolve_huge_folio(hm, pfn) == -ENOMEM) {
				pr_debug(hm, "hotmem: alloc_contig_range() [%#lx-%#lx]: no free 2 MiB block on node %d for a huge page in place of the free one at pfn %#lx (alloc_and_dissolve_hugetlb_folio(): -ENOMEM); `hotmemctl explain %lu` counts the block's huge pages",
					 start, end - 1, page_to_nid(page), pfn,
					 memory_block_id(hm, pfn_to_section_nr(pfn)));
				return -ENOMEM;
			}
			pfn += pageblock_nr_pages;	/* now free, maybe merged below pfn */
			continue;
		}
		pfn += skip ? skip : 1;
	}
	return 0;
}

/*
 * alloc_contig_range() (mm/page_alloc.c, 6.12, ACR_FLAGS_NONE): isolate the
 * pageblocks (without MEMORY_OFFLINE: a PageOffline page is unmovable
 * here; without REPORT_FAILURE: no page dumped), migrate what is movable,
 * make sure with test_pages_isolated() that all is free (-EBUSY, traced,
 * at the first page still in use), then take every page out of the buddy
 * as an order-0 page with one reference.  Free blocks reaching over
 * @start or @end are taken whole from their head (outer_start) to their
 * end (outer_end), and the head and tail outside the range go back, as
 * the kernel does.  The range is left as it was on failure.  Caller holds
 * mem_hotplug_lock for writing; a workload allocation meanwhile (it takes
 * no mem_hotplug_lock) never takes a page of the isolated range, and
 * isolate_freepages_range() checks each block again under zone->lock.
 */
int alloc_contig_range(struct hotmem *hm, unsigned long start, unsigned long end)
{
	unsigned long outer_start, outer_end = 0;
	struct zone *z;
	int ret;

	if (!IS_ALIGNED(start, pageblock_nr_pages) || !IS_ALIGNED(end, pageblock_nr_pages))
		return -EINVAL;
	/* a memmap the host left unmapped is mapped first, or nothing is done (as offline) */
	if (vmemmap_remap_lost(hm, start, end - start))
		return -ENOMEM;
	z = page_zone(hm, pfn_to_page(hm, start));
	ret = start_isolate_page_range(hm, start, end, 0);
	if (ret)
		return ret;
	ret = alloc_contig_replace_hugetlb(hm, start, end);
	if (ret)
		goto done;
	/*
	 * -EBUSY falls through: test_pages_isolated() names the busy page;
	 * -ENOMEM is passed on (6.12: "if (ret && ret != -EBUSY) goto done")
	 */
	ret = __alloc_contig_migrate_range(hm, start, end);
	if (ret && ret != -EBUSY)
		goto done;
	ret = 0;
	/*
	 * Make sure the range is really isolated.  6.12 tests from
	 * find_large_buddy(start), which is @start there: isolating start's
	 * pageblock split any free block reaching into it from below (so
	 * does move_freepages_block()).
	 */
	if (test_pages_isolated(hm, start, end, 0)) {
		ret = -EBUSY;
		goto done;
	}
	pthread_mutex_lock(&z->lock);
	outer_start = find_large_buddy(hm, start);
	outer_end = isolate_freepages_range(hm, z, outer_start, end);
	if (outer_end) {
		/* isolate_freepages_block(), strict: counted when all of it was taken */
		count_vm_events(hm, HM_COMPACTISOLATED, outer_end - outer_start);
		/* free head and tail (if any) */
		free_range_locked(hm, z, outer_start, start);
		free_range_locked(hm, z, end, outer_end);
		for (unsigned long pfn = start; pfn < end; pfn++) {
			struct page *page = pfn_to_page(hm, pfn);

			set_page_count(page, 1);
			WRITE_ONCE(page->index, 0);
		}
	}
	pthread_mutex_unlock(&z->lock);
	if (!outer_end)
		ret = -EBUSY;
done:
	undo_isolate_page_range(hm, start, end);
	return ret;
}

/* free_contig_range(): the pages of alloc_contig_range() back to the buddy */
void free_contig_range(struct hotmem *hm, unsigned long pfn, unsigned long nr_pages)
{
	for (unsigned long i = 0; i < nr_pages; i++)
		__free_pages(hm, pfn_to_page(hm, pfn + i), 0);
}

void split_free_block_around(struct hotmem *hm, struct zone *z, unsigned long head,
			     unsigned int o, unsigned long pfn, unsigned int order)
{
	while (o > order) {
		unsigned long half = 1UL << --o;

		if (pfn >= head + half) {
			free_one_page_locked(hm, z, head, o, false);
			head += half;
		} else {
			free_one_page_locked(hm, z, head + half, o, false);
		}
	}
}
