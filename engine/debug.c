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
	KPG_dirty = 4,		/* virtio-mem's fake-offline page never onlined */
	KPG_head = 6,
	KPG_owner_priv_1 = 10,	/* PG_vmemmap_self_hosted */
	KPG_reserved = 13,
	KPG_hwpoison = 20,
};
#define KNODES_PGSHIFT		54
#define KZONES_PGSHIFT		51
#define KLAST_CPUPID_PGSHIFT	30
#define KLAST_CPUPID_MASK	0x1fffffUL

/* engine bit -> kernel bit, in the order %pGp names them (mmflags.h) */
static const struct { int bit, kbit; const char *name; } kernel_flags[] = {
	{ PG_dirty, KPG_dirty, "dirty" },
	{ PG_vmemmap_self_hosted, KPG_owner_priv_1, "owner_priv_1" },
	{ PG_reserved, KPG_reserved, "reserved" },
	{ PG_head, KPG_head, "head" },
	{ PG_hwpoison, KPG_hwpoison, "hwpoison" },
};

static unsigned long page_kernel_flags(const struct page *page)
{
	unsigned long kflags = ((unsigned long)page_to_nid(page) << KNODES_PGSHIFT) |
			       ((unsigned long)page_zonenum(page) << KZONES_PGSHIFT) |
			       (KLAST_CPUPID_MASK << KLAST_CPUPID_PGSHIFT);

	for (size_t i = 0; i < ARRAY_SIZE(kernel_flags); i++)
		if (test_page_flag(page, kernel_flags[i].bit))
			kflags |= 1UL << kernel_flags[i].kbit;
	return kflags;
}

/* %pGp (lib/vsprintf.c format_page_flags()): the set flags by name, then the fields */
static void flag_names(const struct page *page, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(kernel_flags); i++)
		if (test_page_flag(page, kernel_flags[i].bit))
			n += (size_t)snprintf(buf + n, len - n, "%s|", kernel_flags[i].name);
	snprintf(buf + n, len - n, "node=%d|zone=%d|lastcpupid=%#lx", page_to_nid(page),
		 page_zonenum(page), KLAST_CPUPID_MASK);
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
 * The eight words of a page as 6.12's x86_64 struct page holds them
 * (mm_types.h): flags; lru (compound_head | 1 in a tail's first word);
 * mapping; index; private; _mapcount or page_type, then _refcount;
 * memcg_data.  What hotmem keeps in mapping, index and private is its
 * own bookkeeping (compound head, allocation site, order) with no kernel
 * meaning: those read 0, as dump_page()'s decoded line says (mapping 0,
 * index 0); so do the pointers hotmem has no kernel value for (a slab's
 * slab_cache, list links).
 */
static void page_kernel_words(struct hotmem *hm, unsigned long pfn, unsigned long head,
			      unsigned long w[8])
{
	const struct page *page = pfn_to_page(hm, pfn);
	const char *type;
	unsigned int ptype = pfn == head ? kernel_page_type(page, &type) : 0;
	unsigned int refcount = pfn == head ? (unsigned int)page_ref_count(page) : 0;

	memset(w, 0, 8 * sizeof(*w));
	w[0] = page_kernel_flags(page);
	if (pfn != head)
		w[1] = page_vmemmap_addr(hm, head) | 1;
	if (PageBuddy(page))
		w[5] = READ_ONCE(page->private);	/* set_buddy_order() */
	/* a typed page's page_type, else _mapcount -1: not mapped */
	w[6] = ((unsigned long)refcount << 32) | (ptype ? ptype << 24 : 0xffffffffU);
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
 */
void dump_page(struct hotmem *hm, unsigned long pfn, const char *reason)
{
	unsigned long head = page_head_pfn(hm, pfn);
	struct page *page = pfn_to_page(hm, head);
	bool large = test_page_flag(page, PG_head) && test_page_flag(page, PG_kernel);
	unsigned int order = large ? (unsigned int)READ_ONCE(page->private) : 0;
	unsigned long kflags = page_kernel_flags(page), w[8];
	const char *type;
	unsigned int ptype = kernel_page_type(page, &type);
	char flags[128];

	/* folio->index (0) + the page's index in its folio */
	pr_warn(hm, "page: refcount:%d mapcount:0 mapping:0000000000000000 index:0x%lx pfn:%#lx",
		page_ref_count(page), pfn - head, pfn);
	if (large)
		pr_warn(hm, "head: order:%u mapcount:0 entire_mapcount:0 nr_pages_mapped:0 pincount:0",
			order);
	flag_names(page, flags, sizeof(flags));
	pr_warn(hm, "flags: %#lx(%s)", kflags, flags);
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
unsigned long page_owner(struct hotmem *hm, unsigned long pfn, struct hm_page_owner *o)
{
	struct page *page = pfn_to_page(hm, pfn);
	unsigned long covers = 1;

	memset(o, 0, sizeof(*o));
	o->pfn = pfn;
	/* the kernel's word, as dump_page() prints it: the engine's bits mean nothing to a reader */
	o->flags = page_kernel_flags(page);
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
		snprintf(o->owner, sizeof(o->owner),
			 "vmemmap_populate: struct pages of hot-added memory, from system RAM");
	} else if (PageReserved(page)) {
		o->kind = "memblock";
		snprintf(o->owner, sizeof(o->owner), "memblock: reserved at boot (memmap, firmware)");
	} else {
		o->kind = "unknown";
		snprintf(o->owner, sizeof(o->owner), "in use (refcount %d)", page_ref_count(page));
	}
	return covers;
}
