// SPDX-License-Identifier: GPL-2.0
/*
 * mm/debug.c's dump_page() and what page_owner would say: what a page in
 * use is and who allocated it.  dump_page() prints the kernel's lines at
 * its level (pr_warn, 6.12 __dump_page()); the raw words are this
 * emulator's 64-byte struct page.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* compound_head() of a kernel allocation (kmem.c keeps it in ->mapping) */
unsigned long page_head_pfn(struct hotmem *hm, unsigned long pfn)
{
	struct page *page = pfn_to_page(hm, pfn);

	if (test_page_flag(page, PG_kernel))
		return page->mapping;
	return pfn;
}

const char *page_type_name(const struct page *page)
{
	switch ((unsigned int)page->page_type >> 24) {
	case 0xf2:
		return "table";
	case 0xf5:
		return "slab";
	default:
		return "";
	}
}

/* the page flags the kernel knows, by its names */
static void flag_names(const struct page *page, char *buf, size_t len)
{
	static const struct { int bit; const char *name; } names[] = {
		{ PG_reserved, "reserved" }, { PG_head, "head" }, { PG_hwpoison, "hwpoison" },
	};
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (test_page_flag(page, names[i].bit))
			n += (size_t)snprintf(buf + n, len - n, "%s|", names[i].name);
	snprintf(buf + n, len - n, "node=%d|zone=%d", page_to_nid(page), page_zonenum(page));
}

void dump_page(struct hotmem *hm, unsigned long pfn, const char *reason)
{
	unsigned long head = page_head_pfn(hm, pfn);
	struct page *page = pfn_to_page(hm, head);
	const unsigned long *raw = (const unsigned long *)page;
	const char *type = page_type_name(page);
	char flags[128];

	pr_warn(hm, "page: refcount:%d mapcount:0 mapping:0000000000000000 index:0x0 pfn:%#lx",
		page->_refcount, pfn);
	if (test_page_flag(page, PG_head))
		pr_warn(hm, "head: order:%lu mapcount:0 entire_mapcount:0 nr_pages_mapped:0 pincount:0",
			page->private);
	flag_names(page, flags, sizeof(flags));
	pr_warn(hm, "flags: %#lx(%s)", page->flags, flags);
	if (*type)
		pr_warn(hm, "page_type: %x(%s)", (unsigned int)page->page_type >> 24, type);
	pr_warn(hm, "raw: %016lx %016lx %016lx %016lx", raw[0], raw[1], raw[2], raw[3]);
	pr_warn(hm, "raw: %016lx %016lx %016lx %016lx", raw[4], raw[5], raw[6], raw[7]);
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
	o->flags = page->flags;
	o->blocks = true;
	if (test_page_flag(page, PG_hwpoison)) {
		o->kind = "hwpoison";
		o->blocks = false;
		snprintf(o->owner, sizeof(o->owner),
			 "memory failure: retired, skipped by offlining; the block cannot be onlined again until removed");
	} else if (test_page_flag(page, PG_kernel)) {
		o->pfn = page->mapping;
		o->order = (unsigned int)page->private;
		o->kind = "kernel";
		snprintf(o->type, sizeof(o->type), "%s", page_type_name(page));
		snprintf(o->owner, sizeof(o->owner), "%s", kmem_site_name((int)page->index));
		covers = o->pfn + (1UL << o->order) - pfn;
	} else if (test_page_flag(page, PG_workload)) {
		int type = (int)page->mapping - 1;

		o->kind = type == HM_ALLOC_PINNED ? "pinned" :
			  type == HM_ALLOC_UNMOVABLE ? "workload" : "movable";
		o->blocks = type != HM_ALLOC_MOVABLE;
		snprintf(o->owner, sizeof(o->owner), "workload handle %lu (%s)", page->index,
			 type == HM_ALLOC_PINNED ? "pinned: migration fails while pinned" :
			 type == HM_ALLOC_UNMOVABLE ? "unmovable" : "movable: migrates");
	} else if (test_page_flag(page, PG_vmemmap)) {
		o->kind = "memmap";
		snprintf(o->owner, sizeof(o->owner),
			 "vmemmap_populate: struct pages of hot-added memory, from system RAM");
	} else if (PageReserved(page)) {
		o->kind = "memblock";
		snprintf(o->owner, sizeof(o->owner), "memblock: reserved at boot (memmap, firmware)");
	} else {
		o->kind = "unknown";
		snprintf(o->owner, sizeof(o->owner), "in use (refcount %d)", page->_refcount);
	}
	return covers;
}
