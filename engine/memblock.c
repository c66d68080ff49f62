// SPDX-License-Identifier: GPL-2.0
/*
 * memblock: the boot-time allocator.  Boot RAM comes from the profile's
 * ranges; what sparse_init() takes for the memmap is reserved here and
 * never reaches the buddy allocator, exactly like the kernel's early
 * memmap.  Top-down, like memblock's default.
 */
#include "internal.h"

static bool overlaps_reserved(struct hotmem *hm, uint64_t base, uint64_t size)
{
	for (int i = 0; i < hm->memblock.nr_reserved; i++) {
		const struct memblock_region *r = &hm->memblock.reserved[i];

		if (base < r->base + r->size && r->base < base + size)
			return true;
	}
	return false;
}

/* the highest @align-ed free @size bytes of @br below @limit, 0: none */
static uint64_t find_in_range(struct hotmem *hm, const struct hm_boot_range *br,
			      uint64_t size, uint64_t align, uint64_t limit)
{
	uint64_t top = ALIGN_DOWN(min(br->end, limit), align);

	while (top >= br->start + size && top >= size) {
		uint64_t base = top - size;

		if (base < br->start)
			break;
		if (!overlaps_reserved(hm, base, size))
			return base;
		top -= align;
	}
	return 0;
}

static void add_reserved(struct hotmem *hm, uint64_t base, uint64_t size, const char *name)
{
	struct memblock_region *r = &hm->memblock.reserved[hm->memblock.nr_reserved++];

	r->base = base;
	r->size = size;
	r->name = name;
}

/* top-down over the boot ranges below @limit, @nid's first (-1: any) */
static uint64_t alloc_range_nid(struct hotmem *hm, uint64_t size, uint64_t align,
				uint64_t limit, int nid, const char *name)
{
	const struct hotmem_config *cfg = &hm->cfg;

	if (hm->memblock.nr_reserved >= HM_MAX_MEMBLOCK_RESERVED)
		return 0;
	for (int pass = nid < 0; pass < 2; pass++) {
		for (int i = cfg->nr_boot_ranges - 1; i >= 0; i--) {
			const struct hm_boot_range *br = &cfg->boot[i];
			uint64_t base;

			/* first the requested node, then any (memblock's fallback) */
			if (pass == 0 && br->nid != nid)
				continue;
			base = find_in_range(hm, br, size, align, limit);
			if (base) {
				add_reserved(hm, base, size, name);
				return base;
			}
		}
	}
	return 0;
}

uint64_t memblock_alloc_try_nid(struct hotmem *hm, uint64_t size, uint64_t align,
				int nid)
{
	return alloc_range_nid(hm, size, align, UINT64_MAX, nid, NULL);
}

/*
 * memblock_phys_alloc_range(@size, @align, 0, @end), any node: top-down
 * below @end (memblock_alloc_low()'s ARCH_LOW_ADDRESS_LIMIT, 4 GiB on
 * x86), named for explain; 0: no room
 */
uint64_t memblock_alloc_range(struct hotmem *hm, uint64_t size, uint64_t align, uint64_t end,
			      const char *name)
{
	return alloc_range_nid(hm, size, align, end, -1, name);
}

/*
 * memblock_reserve(): [@base, @base + @size) taken where it is (the
 * kernel image, the initrd, the first MiB).  Overlapping an earlier
 * reservation is memblock's merge; here the caller's places do not
 * overlap (validate_boot_reserve()).  -ENOSPC past the table.
 */
int memblock_reserve(struct hotmem *hm, uint64_t base, uint64_t size, const char *name)
{
	if (hm->memblock.nr_reserved >= HM_MAX_MEMBLOCK_RESERVED)
		return -ENOSPC;
	add_reserved(hm, base, size, name);
	return 0;
}

/* the name of the boot reservation holding @pfn, NULL: none or the memmap */
const char *memblock_reserved_name(struct hotmem *hm, unsigned long pfn)
{
	uint64_t pa = PFN_PHYS(pfn);

	for (int i = 0; i < hm->memblock.nr_reserved; i++) {
		const struct memblock_region *r = &hm->memblock.reserved[i];

		if (pa + PAGE_SIZE > r->base && pa < r->base + r->size)
			return r->name;
	}
	return NULL;
}

void memblock_free(struct hotmem *hm, uint64_t base, uint64_t size)
{
	for (int i = 0; i < hm->memblock.nr_reserved; i++) {
		struct memblock_region *r = &hm->memblock.reserved[i];

		if (base < r->base || base + size > r->base + r->size)
			continue;
		if (base == r->base && size == r->size) {
			*r = hm->memblock.reserved[--hm->memblock.nr_reserved];
		} else if (base == r->base) {
			r->base += size;
			r->size -= size;
		} else if (base + size == r->base + r->size) {
			r->size -= size;
		} else if (hm->memblock.nr_reserved < HM_MAX_MEMBLOCK_RESERVED) {
			/* the middle (the kernel image's initmem): two regions */
			uint64_t end = r->base + r->size;

			r->size = base - r->base;
			add_reserved(hm, base + size, end - (base + size), r->name);
		}
		return;
	}
}

bool memblock_is_reserved(struct hotmem *hm, unsigned long pfn)
{
	return overlaps_reserved(hm, PFN_PHYS(pfn), PAGE_SIZE);
}

bool memblock_is_memory(struct hotmem *hm, unsigned long pfn)
{
	return memblock_pfn_nid(hm, pfn) >= 0;
}

int memblock_pfn_nid(struct hotmem *hm, unsigned long pfn)
{
	unsigned long next;

	return memblock_pfn_nid_extent(hm, pfn, pfn + 1, &next);
}

/*
 * The node of the boot range holding @pfn, -1 for none, and in *@next
 * where that answer may change: the end of its range or the start of the
 * next one above @pfn, at most @end (for_each_mem_pfn_range()'s regions,
 * each with its own nid).
 */
int memblock_pfn_nid_extent(struct hotmem *hm, unsigned long pfn, unsigned long end,
			    unsigned long *next)
{
	*next = end;
	for (int i = 0; i < hm->cfg.nr_boot_ranges; i++) {
		const struct hm_boot_range *r = &hm->cfg.boot[i];
		unsigned long s = PHYS_PFN(r->start), e = PFN_UP(r->end);

		if (pfn >= s && pfn < e) {
			*next = min(end, e);
			return r->nid;
		}
		if (s > pfn)
			*next = min(*next, s);
	}
	return -1;
}
