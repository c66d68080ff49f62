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

/* 6.12's enum pagetype: page_type's top byte */
enum {
	PGTY_buddy = 0xf0,
	PGTY_offline = 0xf1,
	PGTY_table = 0xf2,
	PGTY_hugetlb = 0xf4,
	PGTY_slab = 0xf5,
};

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
	case PGTY_table:
		return "table";
	case PGTY_slab:
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

/*
 * The kernel's bits: their names, in the order %pGp prints them (6.12
 * mmflags.h __def_pageflag_names), and the /proc/kpageflags bit
 * stable_page_flags() copies each to (kpf_copy_bit()): one table, so
 * that dump_page() and kpageflags say the same of a page.
 */
static const struct { int kbit; const char *name; int kpf; } kernel_flag_names[] = {
	{ KPG_uptodate, "uptodate", HM_KPF_UPTODATE },
	{ KPG_dirty, "dirty", HM_KPF_DIRTY },
	{ KPG_lru, "lru", HM_KPF_LRU },
	{ KPG_active, "active", HM_KPF_ACTIVE },
	{ KPG_owner_priv_1, "owner_priv_1", HM_KPF_OWNER_PRIVATE },
	{ KPG_reserved, "reserved", HM_KPF_RESERVED },
	{ KPG_head, "head", HM_KPF_COMPOUND_HEAD },
	{ KPG_swapbacked, "swapbacked", HM_KPF_SWAPBACKED },
	{ KPG_hwpoison, "hwpoison", HM_KPF_HWPOISON },
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
	return PageBuddy(page) ? PGTY_buddy : PageOffline(page) ? PGTY_offline :
	       PageHuge(page) ? PGTY_hugetlb : 0;
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
 * 6.12 mm/page_alloc.c is_free_buddy_page(): a page inside a free buddy
 * block, found by its head at each order's alignment (lock-free, as the
 * kernel's: a walker's racy look)
 */
static bool is_free_buddy_page(struct hotmem *hm, unsigned long pfn)
{
	for (unsigned int order = 0; order <= MAX_PAGE_ORDER; order++) {
		unsigned long head = pfn & ~((1UL << order) - 1);
		const struct page *page = pfn_to_page(hm, head);

		if (PageBuddy(page) && buddy_order_unsafe(page) >= order)
			return true;
	}
	return false;
}

/*
 * page_folio(): a kernel allocation's head is in its ->mapping; a free
 * huge page's tails carry nothing of it (their struct pages are the
 * buddy's leftovers), so its head is the pageblock's first page, where
 * the pool puts it.  Read racily: an allocation being marked has
 * PG_kernel before its ->mapping (kmem_mark()), so a head that is not in
 * the page's own max-order block (whose memmap is the page's section's)
 * is not one yet: the page is its own.
 */
static unsigned long folio_head_pfn(struct hotmem *hm, unsigned long pfn)
{
	const struct page *page = pfn_to_page(hm, pfn);
	unsigned long head = ALIGN_DOWN(pfn, pageblock_nr_pages);

	if (test_page_flag(page, PG_kernel)) {
		head = READ_ONCE(page->mapping);
		return head <= pfn && head >= ALIGN_DOWN(pfn, MAX_ORDER_NR_PAGES) ? head : pfn;
	}
	if (head == pfn || page_ref_count(page) || PageBuddy(page) ||
	    test_page_flag(page, PG_workload) || PageHuge(page))
		return pfn;
	page = pfn_to_page(hm, head);
	return PageHuge(page) && test_page_flag(page, PG_head) ? head : pfn;
}

/*
 * What 6.12's stable_page_flags() takes from the folio: its flags word
 * (page_kernel_flags(), the word dump_page() prints, through the one
 * table), its type (slab, hugetlb: folio types) and its mapping.  A
 * user page is an anonymous folio mapped once (KPF_MMAP, KPF_ANON),
 * exclusive to its task (PG_anon_exclusive, which is PG_owner_2); 6.12
 * tests the mapping against PAGE_MAPPING_KSM, which has the anon bit,
 * so it says KPF_KSM of every anonymous page, as a 6.12.117 guest does.
 * A tail says KPF_COMPOUND_TAIL, not the head's bit.
 */
static uint64_t folio_kpageflags(const struct page *folio, bool tail)
{
	unsigned long k = page_kernel_flags(folio, false);
	const char *name;
	unsigned int type = kernel_page_type(folio, &name);
	uint64_t u = 0;

	for (size_t i = 0; i < ARRAY_SIZE(kernel_flag_names); i++)
		if (k & 1UL << kernel_flag_names[i].kbit)
			u |= 1ULL << kernel_flag_names[i].kpf;
	if (tail)
		u = (u & ~(1ULL << HM_KPF_COMPOUND_HEAD)) | 1ULL << HM_KPF_COMPOUND_TAIL;
	/* a huge page's poison is its folio's, any other page's its own (the caller's) */
	if (type != PGTY_hugetlb)
		u &= ~(1ULL << HM_KPF_HWPOISON);
	if (type == PGTY_hugetlb)
		u |= 1ULL << HM_KPF_HUGE;
	if (type == PGTY_slab)
		u |= 1ULL << HM_KPF_SLAB;
	if (page_is_user(folio))
		u |= 1ULL << HM_KPF_MMAP | 1ULL << HM_KPF_ANON | 1ULL << HM_KPF_KSM |
		     1ULL << HM_KPF_OWNER_2;
	return u;
}

/*
 * 6.12 fs/proc/page.c stable_page_flags() of an online page: the folio's
 * part, then the page's own: its poison, and the page types kept per
 * page (buddy -- a tail of a free block too, by is_free_buddy_page() --,
 * offline, table).
 */
static uint64_t stable_page_flags(struct hotmem *hm, unsigned long pfn)
{
	const struct page *page = pfn_to_page(hm, pfn);
	unsigned long head = folio_head_pfn(hm, pfn);
	uint64_t u = folio_kpageflags(pfn_to_page(hm, head), head != pfn);
	const char *name;
	unsigned int type = head == pfn ? kernel_page_type(page, &name) : 0;

	if (!(u & 1ULL << HM_KPF_HUGE) && test_page_flag(page, PG_hwpoison))
		u |= 1ULL << HM_KPF_HWPOISON;
	if (type == PGTY_buddy || (!page_ref_count(page) && is_free_buddy_page(hm, pfn)))
		u |= 1ULL << HM_KPF_BUDDY;
	if (type == PGTY_offline)
		u |= 1ULL << HM_KPF_OFFLINE;
	if (type == PGTY_table)
		u |= 1ULL << HM_KPF_PGTABLE;
	return u;
}

/*
 * kpagecount_read(): the page's mapcount, 6.12 page_mapcount() (0 for a
 * typed page): a user page's _mapcount + 1, every other page's 0
 */
static uint64_t page_kpagecount(const struct page *page)
{
	return page_is_user(page) ? (uint64_t)(READ_ONCE(page->page_type) + 1) : 0;
}

/*
 * The entries of @pfn and of the tails after it that its head says all
 * of: a free buddy block's (KPF_BUDDY alone) and a free huge page's.
 * Their struct pages are not read: in a self-hosted memmap they are
 * holes the host fills on first touch ("Big machines"), as explain
 * steps over them by their heads.
 */
/*
 * The free buddy block or the free huge page @pfn is a tail of, found
 * top-down from the max-order alignment: a position aligned above a free
 * block's order is either a free block's head or in no free block, never
 * a free tail, and a huge page starts at a pageblock, so no tail's struct
 * page (a hole of a self-hosted memmap) is read on the way, where
 * is_free_buddy_page()'s bottom-up walk reads every aligned tail below
 * the block's order (reread31 R6).  The pages from @pfn to the block's
 * end, 0 when @pfn is neither; *@huge: a huge page's tail.
 */
static unsigned long tail_run(struct hotmem *hm, unsigned long pfn, bool *huge)
{
	*huge = false;
	for (unsigned int order = MAX_PAGE_ORDER; order >= 1; order--) {
		unsigned long head = ALIGN_DOWN(pfn, 1UL << order);
		const struct page *page = pfn_to_page(hm, head);
		unsigned long o;

		if (head == pfn)
			continue;
		if (PageBuddy(page)) {
			o = min(buddy_order_unsafe(page), (unsigned long)MAX_PAGE_ORDER);
			if (o >= order)
				return head + (1UL << o) - pfn;
		}
		if (order == pageblock_order && PageHuge(page) && test_page_flag(page, PG_head)) {
			*huge = true;
			return head + pageblock_nr_pages - pfn;
		}
	}
	return 0;
}

/* entries [@from, @n): @f each, mapped by nobody */
static void kpage_fill(uint64_t *flags, uint64_t *count, unsigned long from, unsigned long n,
		       uint64_t f)
{
	for (unsigned long i = from; i < n; i++) {
		if (flags)
			flags[i] = f;
		if (count)
			count[i] = 0;
	}
}

unsigned long kpage_entries(struct hotmem *hm, unsigned long pfn, unsigned long nr,
			    uint64_t *flags, uint64_t *count)
{
	const struct page *page;
	bool huge;
	unsigned long n = tail_run(hm, pfn, &huge);
	uint64_t tail = 0;

	/*
	 * inside a free block: KPF_BUDDY alone to its end; inside a free huge
	 * page: its tails' entry, from its head; no struct page of @pfn read
	 */
	if (n) {
		tail = huge ? folio_kpageflags(pfn_to_page(hm, ALIGN_DOWN(pfn, pageblock_nr_pages)),
					       true) :
			      1ULL << HM_KPF_BUDDY;
		n = min(n, nr);
		kpage_fill(flags, count, 0, n, tail);
		return n;
	}
	page = pfn_to_page(hm, pfn);
	n = 1;
	if (flags)
		flags[0] = stable_page_flags(hm, pfn);
	if (count)
		count[0] = page_kpagecount(page);
	if (PageBuddy(page)) {
		/* racy, as buddy_order_unsafe() says: never past the largest block */
		n = 1UL << min(buddy_order_unsafe(page), (unsigned long)MAX_PAGE_ORDER);
		tail = 1ULL << HM_KPF_BUDDY;
	} else if (PageHuge(page) && test_page_flag(page, PG_head)) {
		n = pageblock_nr_pages;
		tail = folio_kpageflags(page, true);
	}
	n = min(n, nr);
	kpage_fill(flags, count, 1, n, tail);
	return n;
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
		const char *what = memblock_reserved_name(hm, pfn);

		o->kind = "memblock";
		/* the profile's boot reservations by name (setup.c); the memmap and holes as before */
		snprintf(o->owner, sizeof(o->owner), "memblock: reserved at boot (%s)",
			 what ? what : "memmap, firmware");
	} else {
		o->kind = "unknown";
		snprintf(o->owner, sizeof(o->owner), "in use (refcount %d)", page_ref_count(page));
	}
	return covers;
}
