// SPDX-License-Identifier: GPL-2.0
/*
 * mm/debug.c's dump_page() and what page_owner would say: what a page in
 * use is and who allocated it.  dump_page() prints the kernel's lines at
 * its level (pr_warn, 6.12 __dump_folio()); the raw words are the
 * kernel's struct page layout, filled with what hotmem models.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* compound_head() of a kernel allocation (kmem.c keeps it in ->mapping) */
unsigned long page_head_pfn(struct hotmem *hm, unsigned long pfn)
{
	struct page *page = pfn_to_page(hm, pfn);

	if (test_page_flag(page, PG_kernel))
		return READ_ONCE(page->mapping);
	return pfn;
}

const char *page_type_name(const struct page *page)
{
	switch ((unsigned int)READ_ONCE(page->page_type) >> 24) {
	case 0xf2:
		return "table";
	case 0xf5:
		return "slab";
	default:
		return "";
	}
}

/*
 * The flags word as a 6.12 x86_64 kernel lays it out, not the engine's:
 * the engine keeps private bits there (PG_kernel, PG_workload, PG_vmemmap,
 * PageBuddy...) that a kernel developer decoding the word with page-flags.h
 * would read as flags that are not set.  6.12's enum pageflags (PG_error
 * and PG_uncached gone, PG_owner_2 in; CONFIG_MEMORY_FAILURE) and
 * page-flags-layout.h for a Debian 6.12 config, the reference's
 * (kernel-6.12-offline-dmesg.txt: 0x17ffffc0000000(node=0|zone=2|lastcpupid=0x1fffff)):
 * SPARSEMEM_VMEMMAP (no section field), NODES_SHIFT 10, ZONE_DEVICE (3
 * zone bits), NUMA_BALANCING with NR_CPUS 8192 (21 last_cpupid bits, all
 * ones: page_cpupid_reset_last()).
 */
enum {
	KPG_uptodate = 3,	/* a user page: its content is valid */
	KPG_dirty = 4,		/* virtio-mem's fake-offline page never onlined */
	KPG_lru = 5,		/* a user page on its LRU list, not isolated */
	KPG_head = 6,
	KPG_active = 8,		/* hotmemfs counts user pages Active(anon) */
	KPG_owner_priv_1 = 10,	/* PG_vmemmap_self_hosted */
	KPG_reserved = 13,
	KPG_swapbacked = 17,	/* an anonymous page */
	KPG_hwpoison = 20,
};
#define KNODES_PGSHIFT		54
#define KZONES_PGSHIFT		51
#define KLAST_CPUPID_PGSHIFT	30
#define KLAST_CPUPID_MASK	0x1fffffUL
/* folio->mapping's low bit: an anonymous folio's mapping is its anon_vma | 1 */
#define PAGE_MAPPING_ANON	0x1UL

/* engine bit -> kernel bit */
static const struct { int bit, kbit; } kernel_bits[] = {
	{ PG_dirty, KPG_dirty },
	{ PG_vmemmap_self_hosted, KPG_owner_priv_1 },
	{ PG_reserved, KPG_reserved },
	{ PG_head, KPG_head },
	{ PG_hwpoison, KPG_hwpoison },
};

/* the kernel's names, in the order %pGp prints them (6.12 mmflags.h __def_pageflag_names) */
static const struct { int kbit; const char *name; } kernel_flag_names[] = {
	{ KPG_uptodate, "uptodate" },	{ KPG_dirty, "dirty" },
	{ KPG_lru, "lru" },		{ KPG_active, "active" },
	{ KPG_owner_priv_1, "owner_priv_1" }, { KPG_reserved, "reserved" },
	{ KPG_head, "head" },		{ KPG_swapbacked, "swapbacked" },
	{ KPG_hwpoison, "hwpoison" },
};

/*
 * A workload page a task maps (alloc movable or pinned): to the kernel an
 * anonymous folio of one page, mapped once, on the LRU.  An unmovable one
 * is a kernel allocation (GFP_KERNEL): no mapping, no LRU.
 */
static bool page_is_user(const struct page *page)
{
	return test_page_flag(page, PG_workload) && PageMovable(page);
}

/*
 * @isolated: off its LRU list (folio_isolate_lru() clears PG_lru), as a
 * page on migration's source list is.
 */
static unsigned long page_kernel_flags(const struct page *page, bool isolated)
{
	unsigned long kflags = ((unsigned long)page_to_nid(page) << KNODES_PGSHIFT) |
			       ((unsigned long)page_zonenum(page) << KZONES_PGSHIFT) |
			       (KLAST_CPUPID_MASK << KLAST_CPUPID_PGSHIFT);

	for (size_t i = 0; i < ARRAY_SIZE(kernel_bits); i++)
		if (test_page_flag(page, kernel_bits[i].bit))
			kflags |= 1UL << kernel_bits[i].kbit;
	/* do_anonymous_page(): uptodate, then folio_add_new_anon_rmap()'s swapbacked */
	if (page_is_user(page))
		kflags |= 1UL << KPG_uptodate | 1UL << KPG_active | 1UL << KPG_swapbacked |
			  (isolated ? 0 : 1UL << KPG_lru);
	return kflags;
}

/* %pGp (lib/vsprintf.c format_page_flags()): the set flags by name, then the fields */
static void flag_names(const struct page *page, unsigned long kflags, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(kernel_flag_names); i++)
		if (kflags & 1UL << kernel_flag_names[i].kbit)
			n += (size_t)snprintf(buf + n, len - n, "%s|", kernel_flag_names[i].name);
	snprintf(buf + n, len - n, "node=%d|zone=%d|lastcpupid=%#lx", page_to_nid(page),
		 page_zonenum(page), KLAST_CPUPID_MASK);
}

/*
 * %pGp of a page as a line after its migration failed (soft offline):
 * the flags word, then the names, "%#lx(%s)" as format_page_flags()
 * prints it; the page is back on its LRU (putback_movable_pages()).
 */
void page_flags_pgp(struct hotmem *hm, unsigned long pfn, char *buf, size_t len)
{
	const struct page *page = pfn_to_page(hm, pfn);
	unsigned long kflags = page_kernel_flags(page, false);
	char names[128];

	flag_names(page, kflags, names, sizeof(names));
	snprintf(buf, len, "%#lx(%s)", kflags, names);
}

/*
 * 6.12's page types (enum pagetype): the engine keeps buddy, offline and
 * hugetlb as flags, the kernel in page_type's top byte.
 */
static unsigned int kernel_page_type(const struct page *page, const char **name)
{
	*name = page_type_name(page);
	if (**name)
		return (unsigned int)READ_ONCE(page->page_type) >> 24;
	if (PageBuddy(page))
		*name = "buddy";
	else if (PageOffline(page))
		*name = "offline";
	else if (PageHuge(page))
		*name = "hugetlb";
	return PageBuddy(page) ? 0xf0 : PageOffline(page) ? 0xf1 : PageHuge(page) ? 0xf4 : 0;
}

/*
 * x86_64's VMEMMAP_START without KASLR (__VMEMMAP_BASE_L4/L5): where a
 * tail page's compound_head points.  A KASLR kernel's (the reference's,
 * 0xffba47cb40000000 with 5-level paging) is random per boot.
 */
static unsigned long page_vmemmap_addr(struct hotmem *hm, unsigned long pfn)
{
	unsigned long base = hm->cfg.max_physmem_bits > 46 ? 0xffd4000000000000UL :
							     0xffffea0000000000UL;

	return base + pfn * sizeof(struct page);
}

/*
 * A user page off its LRU: do_migrate_range()'s folio_isolate_lru() took
 * it (with a reference of its own, in its refcount) for migration's
 * source list, and a page migration left is dumped there ("migration
 * failure") before putback_movable_pages(), as 6.12 does.
 */
static bool page_dumped_isolated(const struct page *page)
{
	return page_is_user(page) && test_page_flag(page, PG_isolated);
}

/*
 * The eight words of a page as 6.12's x86_64 struct page holds them
 * (mm_types.h): flags; lru (compound_head | 1 in a tail's first word);
 * mapping; index; private; _mapcount or page_type, then _refcount;
 * memcg_data.  What hotmem keeps in mapping, index and private is its
 * own bookkeeping (compound head, allocation site, order, workload
 * handle) with no kernel meaning: those read 0, as dump_page()'s decoded
 * line says (mapping 0, index 0); so do the pointers hotmem has no kernel
 * value for (a slab's slab_cache, list links, a user page's anon_vma:
 * its mapping word is PAGE_MAPPING_ANON alone, and its index, the
 * virtual page it is mapped at, 0).
 */
static void page_kernel_words(struct hotmem *hm, unsigned long pfn, unsigned long head,
			      unsigned long w[8])
{
	const struct page *page = pfn_to_page(hm, pfn);
	const char *type;
	unsigned int ptype = pfn == head ? kernel_page_type(page, &type) : 0;
	bool isolated = pfn == head && page_dumped_isolated(page);
	unsigned int refcount = pfn == head ? (unsigned int)page_ref_count(page) : 0;
	/* _mapcount: -1 not mapped; a user page's is the engine's (0: mapped once) */
	unsigned int mapcount = page_is_user(page) ? (unsigned int)READ_ONCE(page->page_type) :
						     0xffffffffU;

	memset(w, 0, 8 * sizeof(*w));
	w[0] = page_kernel_flags(page, isolated);
	if (pfn != head)
		w[1] = page_vmemmap_addr(hm, head) | 1;
	if (page_is_user(page))
		w[3] = PAGE_MAPPING_ANON;	/* mapping: anon_vma | PAGE_MAPPING_ANON */
	if (PageBuddy(page))
		w[5] = READ_ONCE(page->private);	/* set_buddy_order() */
	/* a typed page's page_type, else _mapcount */
	w[6] = ((unsigned long)refcount << 32) | (ptype ? ptype << 24 : mapcount);
}

/*
 * A large folio's second page (6.12 struct folio): _flags_1 with the
 * order in its low byte, _head_1, _large_mapcount and _entire_mapcount
 * (-1: not mapped), _nr_pages_mapped and _pincount (0), _folio_nr_pages;
 * its own _mapcount -1 and _refcount 0.
 */
static void folio_second_page_words(struct hotmem *hm, unsigned long head, unsigned int order,
				    unsigned long w[8])
{
	page_kernel_words(hm, head + 1, head, w);
	w[0] |= order;
	w[2] = ~0UL;
	w[3] = 0;
	w[4] = 1UL << order;
}

static void print_raw(struct hotmem *hm, const char *prefix, const unsigned long w[8])
{
	for (int i = 0; i < 8; i += 4)
		pr_warn(hm, "%s: %016lx %016lx %016lx %016lx", prefix, w[i], w[i + 1], w[i + 2],
			w[i + 3]);
}

/*
 * 6.12 dump_page() -> __dump_folio(): the decoded lines of the folio, the
 * raw words of the page itself, then for a large folio the raw words of
 * its first two pages ("head:", print_hex_dump() of 2 * sizeof(struct page)).
 * refcount is folio_ref_count(), mapcount _mapcount + 1 (0 for a typed
 * page), mapping folio_mapping(): NULL for an anonymous folio, whose
 * flags line says "anon " instead (folio_test_anon()).
 */
void dump_page(struct hotmem *hm, unsigned long pfn, const char *reason)
{
	unsigned long head = page_head_pfn(hm, pfn);
	struct page *page = pfn_to_page(hm, head);
	bool large = test_page_flag(page, PG_head) && test_page_flag(page, PG_kernel);
	bool user = page_is_user(page), isolated = page_dumped_isolated(page);
	unsigned int order = large ? (unsigned int)READ_ONCE(page->private) : 0;
	unsigned long kflags = page_kernel_flags(page, isolated), w[8];
	const char *type;
	unsigned int ptype = kernel_page_type(page, &type);
	int mapcount = user ? READ_ONCE(page->page_type) + 1 : 0;
	char flags[128];

	/* folio->index (0) + the page's index in its folio */
	pr_warn(hm, "page: refcount:%d mapcount:%d mapping:0000000000000000 index:0x%lx pfn:%#lx",
		page_ref_count(page), mapcount, pfn - head, pfn);
	if (large)
		pr_warn(hm, "head: order:%u mapcount:0 entire_mapcount:0 nr_pages_mapped:0 pincount:0",
			order);
	flag_names(page, kflags, flags, sizeof(flags));
	pr_warn(hm, "%sflags: %#lx(%s)", user ? "anon " : "", kflags, flags);
	if (ptype)
		pr_warn(hm, "page_type: %x(%s)", ptype, type);
	page_kernel_words(hm, pfn, head, w);
	print_raw(hm, "raw", w);
	if (large) {
		page_kernel_words(hm, head, head, w);
		print_raw(hm, "head", w);
		folio_second_page_words(hm, head, order, w);
		print_raw(hm, "head", w);
	}
	pr_warn(hm, "page dumped because: %s", reason);
}

/*
 * Who holds a page in use, and whether it stops offlining: the owner kind
 * ("kernel", "workload", "pinned", "memmap", "memblock", "hwpoison"), a
 * description, and the number of pages from @pfn this answer covers.
 */
/* a PG_vmemmap page's allocator (vmemmap_alloc_pages()'s record in its index) */
static const char *vmemmap_owner(unsigned long why)
{
	switch (why) {
	case VMEMMAP_FOR_RESTORE:
		return "alloc_vmemmap_page_list: a HugeTLB page's vmemmap, restored";
	case VMEMMAP_FOR_HVO_HEAD:
		return "vmemmap_remap_free: a HugeTLB page's head vmemmap page, new";
	default:
		return "vmemmap_populate: struct pages of hot-added memory, from system RAM";
	}
}

unsigned long page_owner(struct hotmem *hm, unsigned long pfn, struct hm_page_owner *o)
{
	struct page *page = pfn_to_page(hm, pfn);
	unsigned long covers = 1;

	memset(o, 0, sizeof(*o));
	o->pfn = pfn;
	/* the kernel's word, as dump_page() prints it: the engine's bits mean nothing to a reader */
	o->flags = page_kernel_flags(page, false);
	o->blocks = true;
	if (test_page_flag(page, PG_hwpoison)) {
		o->kind = "hwpoison";
		o->blocks = false;
		snprintf(o->owner, sizeof(o->owner),
			 "memory failure: retired, skipped by offlining; the block cannot be onlined again until removed");
	} else if (test_page_flag(page, PG_kernel)) {
		o->pfn = READ_ONCE(page->mapping);
		o->order = (unsigned int)READ_ONCE(page->private);
		o->kind = "kernel";
		snprintf(o->type, sizeof(o->type), "%s", page_type_name(page));
		snprintf(o->owner, sizeof(o->owner), "%s", kmem_site_name((int)READ_ONCE(page->index)));
		covers = o->pfn + (1UL << o->order) - pfn;
	} else if (test_page_flag(page, PG_workload)) {
		int type = (int)READ_ONCE(page->mapping) - 1;

		o->kind = type == HM_ALLOC_PINNED ? "pinned" :
			  type == HM_ALLOC_UNMOVABLE ? "workload" : "movable";
		o->blocks = type != HM_ALLOC_MOVABLE;
		snprintf(o->owner, sizeof(o->owner), "workload handle %lu (%s)", READ_ONCE(page->index),
			 type == HM_ALLOC_PINNED ? "pinned: migration fails while pinned" :
			 type == HM_ALLOC_UNMOVABLE ? "unmovable" : "movable: migrates");
	} else if (test_page_flag(page, PG_vmemmap)) {
		/* one entry an allocation (vmemmap_alloc_pages()'s record) */
		/* read once: a test and a store of two reads could disagree */
		unsigned long first = READ_ONCE(page->mapping);
		unsigned int order = (unsigned int)READ_ONCE(page->private);

		if (first && first <= pfn && pfn < first + (1UL << order)) {
			o->pfn = first;
			o->order = order;
			covers = o->pfn + (1UL << o->order) - pfn;
		}
		o->kind = "memmap";
		snprintf(o->owner, sizeof(o->owner), "%s", vmemmap_owner(READ_ONCE(page->index)));
	} else if (PageReserved(page)) {
		o->kind = "memblock";
		snprintf(o->owner, sizeof(o->owner), "memblock: reserved at boot (memmap, firmware)");
	} else {
		o->kind = "unknown";
		snprintf(o->owner, sizeof(o->owner), "in use (refcount %d)", page_ref_count(page));
	}
	return covers;
}
