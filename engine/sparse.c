// SPDX-License-Identifier: GPL-2.0
/*
 * mm/sparse.c: the section table (SPARSEMEM_EXTREME), boot-time
 * sparse_init() and the hot-add/remove of sections.
 *
 * Memory is spent per present section, never per possible one: roots of
 * SECTIONS_PER_ROOT sections are allocated when a section in them becomes
 * present, and sparse_init()'s temporary arrays are sized by the number
 * of present sections (seed 000), not NR_MEM_SECTIONS.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

unsigned long nr_mem_sections(struct hotmem *hm)
{
	return hm->max_pfn >> PFN_SECTION_SHIFT;
}

struct mem_section *__nr_to_section(struct hotmem *hm, unsigned long nr)
{
	unsigned long root = nr / SECTIONS_PER_ROOT;
	struct mem_section *r;

	if (root >= hm->nr_section_roots)
		return NULL;
	r = __atomic_load_n(&hm->mem_section[root], __ATOMIC_ACQUIRE);
	return r ? &r[nr & SECTION_ROOT_MASK] : NULL;
}

struct mem_section *__pfn_to_section(struct hotmem *hm, unsigned long pfn)
{
	return __nr_to_section(hm, pfn_to_section_nr(pfn));
}

/*
 * The section's flags word is read by walkers that hold no hotplug lock
 * (explain, pagetypeinfo, a workload's pfn_valid()) while an online,
 * offline, add or remove changes it under mem_hotplug_lock, and the
 * prefetcher sets SECTION_MEMMAP_RESIDENT beside the onlining thread:
 * READ_ONCE here, each change one atomic RMW (section_flags_set()/_clear()),
 * so that no reader sees a torn word and no concurrent bit is lost.  (6.12
 * reads it plainly; pfn_valid() under rcu_read_lock_sched().)  Acquire and
 * release: a walker that finds a section online (pfn_to_online_page())
 * reads struct pages an online initialised before online_mem_sections()
 * set the bit, and may hold another zone's lock than the online took
 * (zones overlap: pagetypeinfo's count_blocks() reads a Movable block in
 * Normal's span under Normal's lock) -- the bit is then what orders the
 * memmap's init before the read (TSan, test_stress, CI of 83ea6806: not
 * reproduced since).  Free on x86: a plain load, the same locked RMW.
 */
static unsigned long section_flags(const struct mem_section *ms)
{
	return __atomic_load_n(&ms->section_mem_map, __ATOMIC_ACQUIRE);
}

static void section_flags_set(struct mem_section *ms, unsigned long flags)
{
	__atomic_fetch_or(&ms->section_mem_map, flags, __ATOMIC_RELEASE);
}

void section_flags_clear(struct mem_section *ms, unsigned long flags)
{
	__atomic_fetch_and(&ms->section_mem_map, ~flags, __ATOMIC_RELAXED);
}

bool present_section(const struct mem_section *ms)
{
	return ms && (section_flags(ms) & SECTION_MARKED_PRESENT);
}

bool valid_section(const struct mem_section *ms)
{
	return ms && (section_flags(ms) & SECTION_HAS_MEM_MAP);
}

bool online_section(const struct mem_section *ms)
{
	return ms && (section_flags(ms) & SECTION_IS_ONLINE);
}

bool early_section(const struct mem_section *ms)
{
	return ms && (section_flags(ms) & SECTION_IS_EARLY);
}

static int subsection_map_index(unsigned long pfn)
{
	return (int)((pfn & ~PAGE_SECTION_MASK) / PAGES_PER_SUBSECTION);
}

bool pfn_valid(struct hotmem *hm, unsigned long pfn)
{
	struct mem_section *ms;

	if (pfn >= hm->max_pfn)
		return false;
	ms = __pfn_to_section(hm, pfn);
	if (!valid_section(ms))
		return false;
	return early_section(ms) ||
	       (ms->usage->subsection_map >> subsection_map_index(pfn)) & 1;
}

struct page *pfn_to_online_page(struct hotmem *hm, unsigned long pfn)
{
	struct mem_section *ms;

	if (pfn >= hm->max_pfn)
		return NULL;
	ms = __pfn_to_section(hm, pfn);
	if (!online_section(ms) || !pfn_valid(hm, pfn))
		return NULL;
	return pfn_to_page(hm, pfn);
}

int sparse_index_init(struct hotmem *hm, unsigned long section_nr)
{
	unsigned long root = section_nr / SECTIONS_PER_ROOT;
	struct mem_section *sec;

	if (root >= hm->nr_section_roots)
		return -E2BIG;
	if (hm->mem_section[root])
		return 0;
	sec = hm_alloc(hm, SECTIONS_PER_ROOT * sizeof(struct mem_section));
	if (!sec)
		return -ENOMEM;
	__atomic_store_n(&hm->mem_section[root], sec, __ATOMIC_RELEASE);
	return 0;
}

/* ------------------------------------------------------------------ */
/* pageblock flags in the section usemap                               */
/* ------------------------------------------------------------------ */

static unsigned char *pageblock_byte(struct hotmem *hm, unsigned long pfn, int *shift)
{
	struct mem_section *ms = __pfn_to_section(hm, pfn);
	unsigned long idx = (pfn & ~PAGE_SECTION_MASK) >> pageblock_order;

	*shift = (int)(idx & 1) * NR_PAGEBLOCK_BITS;
	return &ms->usage->pageblock_flags[idx / 2];
}

/*
 * 6.12 get_pfnblock_flags_mask(): two pageblocks share a byte here (a word
 * in the kernel), and test_pages_isolated() reads one's isolate bit
 * without zone->lock while __rmqueue_fallback() changes the other's
 * migratetype under it: the kernel reads the word with READ_ONCE() ...
 */
static unsigned char get_pfnblock_flags_mask(struct hotmem *hm, unsigned long pfn,
					     unsigned char mask)
{
	int shift;
	const unsigned char *b = pageblock_byte(hm, pfn, &shift);

	return (unsigned char)((__atomic_load_n(b, __ATOMIC_RELAXED) >> shift) & mask);
}

/* ... and set_pfnblock_flags_mask() changes its bits with try_cmpxchg() */
static void set_pfnblock_flags_mask(struct hotmem *hm, unsigned long pfn,
				    unsigned char flags, unsigned char mask)
{
	int shift;
	unsigned char *b = pageblock_byte(hm, pfn, &shift);
	unsigned char word = __atomic_load_n(b, __ATOMIC_RELAXED);
	unsigned char m = (unsigned char)(mask << shift);
	unsigned char f = (unsigned char)(flags << shift);

	while (!__atomic_compare_exchange_n(b, &word, (unsigned char)((word & ~m) | (f & m)),
					    false, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

#define PB_MIGRATETYPE_MASK	((1 << PB_migratetype_bits) - 1)

int get_pfnblock_migratetype(struct hotmem *hm, unsigned long pfn)
{
	return get_pfnblock_flags_mask(hm, pfn, PB_MIGRATETYPE_MASK);
}

void set_pageblock_migratetype(struct hotmem *hm, unsigned long pfn, int mt)
{
	set_pfnblock_flags_mask(hm, pfn, (unsigned char)mt, PB_MIGRATETYPE_MASK);
}

bool get_pageblock_isolate(struct hotmem *hm, unsigned long pfn)
{
	return get_pfnblock_flags_mask(hm, pfn, 1 << PB_migrate_isolate) != 0;
}

void set_pageblock_isolate(struct hotmem *hm, unsigned long pfn, bool on)
{
	set_pfnblock_flags_mask(hm, pfn, on ? 1 << PB_migrate_isolate : 0,
				1 << PB_migrate_isolate);
}

/* ------------------------------------------------------------------ */
/* boot: memblocks_present() + sparse_init()                           */
/* ------------------------------------------------------------------ */

static int memblocks_present(struct hotmem *hm)
{
	const struct hotmem_config *cfg = &hm->cfg;

	for (int i = 0; i < cfg->nr_boot_ranges; i++) {
		unsigned long spfn = PHYS_PFN(cfg->boot[i].start);
		unsigned long epfn = PFN_UP(cfg->boot[i].end);

		for (unsigned long nr = pfn_to_section_nr(spfn);
		     nr <= pfn_to_section_nr(epfn - 1); nr++) {
			struct mem_section *ms;
			int ret = sparse_index_init(hm, nr);

			if (ret)
				return ret;
			ms = __nr_to_section(hm, nr);
			if (present_section(ms))
				continue;
			ms->section_mem_map = SECTION_MARKED_PRESENT;
			ms->nid = cfg->boot[i].nid;
			hm->nr_present_sections++;
		}
	}
	return 0;
}

static bool debug_fail(struct hotmem *hm, unsigned long pnum)
{
	return hm->cfg.debug_fail_memmap && hm->cfg.debug_fail_memmap_section == pnum;
}

/*
 * Per node: one contiguous usemap array and one contiguous memmap buffer
 * (PMD aligned, from the node's own memory), so a node's struct pages do
 * not fragment boot memory.  map_map/usemap_map are indexed by the count
 * of present sections consumed so far (nr_consumed_maps), which is why
 * they only need nr_present_sections entries.
 */
static void sparse_early_alloc_node(struct hotmem *hm, int nid, unsigned long pnum_begin,
				    unsigned long pnum_end, unsigned long map_count,
				    unsigned long *map_map,
				    struct mem_section_usage **usemap_map,
				    unsigned long *nr_consumed_maps)
{
	struct mem_section_usage *usage;
	unsigned long first = *nr_consumed_maps, used = 0;
	uint64_t buf;

	usage = hm_alloc_noinject(hm, map_count * sizeof(*usage));
	if (usage && hm->nr_boot_usage < (int)ARRAY_SIZE(hm->boot_usage)) {
		hm->boot_usage[hm->nr_boot_usage].usage = usage;
		hm->boot_usage[hm->nr_boot_usage++].size = map_count * sizeof(*usage);
	}
	buf = memblock_alloc_try_nid(hm, map_count * PMD_SIZE, PMD_SIZE, nid);

	for (unsigned long pnum = pnum_begin; pnum < pnum_end && used < map_count; pnum++) {
		struct mem_section *ms = __nr_to_section(hm, pnum);
		unsigned long i;
		uint64_t pa;

		if (!present_section(ms))
			continue;
		i = (*nr_consumed_maps)++;
		usemap_map[i] = usage ? &usage[used] : NULL;
		if (debug_fail(hm, pnum))
			pa = 0;
		else if (buf)
			pa = buf + used * PMD_SIZE;
		else	/* no room for the whole node: try section by section */
			pa = memblock_alloc_try_nid(hm, PMD_SIZE, PMD_SIZE, nid);
		map_map[i] = pa ? PHYS_PFN(pa) : 0;
		used++;
	}
	/* sparse_buffer_fini(): give back the slots of sections that failed */
	for (unsigned long i = first; buf && i < *nr_consumed_maps; i++)
		if (!map_map[i])
			memblock_free(hm, buf + (i - first) * PMD_SIZE, PMD_SIZE);
}

int sparse_init(struct hotmem *hm, char *err, size_t errlen)
{
	unsigned long *map_map, nr_consumed_maps = 0, nr_present;
	unsigned long pnum, pnum_begin = 0, map_count = 0;
	struct mem_section_usage **usemap_map;
	int nid_begin = -1, ret;

	ret = memblocks_present(hm);
	if (ret) {
		snprintf(err, errlen, "sparse_init: cannot allocate section roots");
		return ret;
	}
	nr_present = hm->nr_present_sections;
	map_map = hm_alloc_noinject(hm, nr_present * sizeof(*map_map));
	usemap_map = hm_alloc_noinject(hm, nr_present * sizeof(*usemap_map));
	if (!map_map || !usemap_map) {
		ret = -ENOMEM;
		goto out;
	}

	/* runs of present sections on the same node, in address order */
	for (pnum = 0; pnum < nr_mem_sections(hm); pnum++) {
		struct mem_section *ms = __nr_to_section(hm, pnum);

		if (!present_section(ms))
			continue;
		if (ms->nid == nid_begin) {
			map_count++;
			continue;
		}
		if (map_count)
			sparse_early_alloc_node(hm, nid_begin, pnum_begin, pnum, map_count,
						map_map, usemap_map, &nr_consumed_maps);
		nid_begin = ms->nid;
		pnum_begin = pnum;
		map_count = 1;
	}
	if (map_count)
		sparse_early_alloc_node(hm, nid_begin, pnum_begin, nr_mem_sections(hm),
					map_count, map_map, usemap_map, &nr_consumed_maps);

	nr_consumed_maps = 0;
	for (pnum = 0; pnum < nr_mem_sections(hm); pnum++) {
		struct mem_section *ms = __nr_to_section(hm, pnum);
		unsigned long i;

		if (!present_section(ms))
			continue;
		i = nr_consumed_maps++;
		if (!map_map[i] || !usemap_map[i] ||
		    vmemmap_populate_boot(hm, pnum, map_map[i])) {
			pr_err(hm, "sparse_init_nid: node[%d] memory map backing failed. Some memory will not be available.",
			       ms->nid);
			if (map_map[i])
				memblock_free(hm, PFN_PHYS(map_map[i]), PMD_SIZE);
			ms->section_mem_map = 0;
			hm->nr_present_sections--;
			continue;
		}
		ms->usage = usemap_map[i];
		ms->usage->subsection_map = ~0UL;
		ms->section_mem_map |= SECTION_HAS_MEM_MAP | SECTION_IS_EARLY;
	}
out:
	hm_free(hm, map_map, nr_present * sizeof(*map_map));
	hm_free(hm, usemap_map, nr_present * sizeof(*usemap_map));
	if (ret)
		snprintf(err, errlen, "sparse_init: out of memory");
	return ret;
}

/* ------------------------------------------------------------------ */
/* hot-add / hot-remove of (sub)sections                               */
/* ------------------------------------------------------------------ */

static int subsection_mask(unsigned long pfn, unsigned long nr_pages,
			   unsigned long *mask)
{
	int idx = subsection_map_index(pfn);
	unsigned long n = nr_pages / PAGES_PER_SUBSECTION;

	if (!nr_pages || !IS_ALIGNED(pfn, PAGES_PER_SUBSECTION) ||
	    !IS_ALIGNED(nr_pages, PAGES_PER_SUBSECTION) ||
	    pfn_to_section_nr(pfn) != pfn_to_section_nr(pfn + nr_pages - 1))
		return -EINVAL;
	*mask = n == SUBSECTIONS_PER_SECTION ? ~0UL : ((1UL << n) - 1) << idx;
	return 0;
}

static int fill_subsection_map(struct mem_section *ms, unsigned long pfn,
			       unsigned long nr_pages)
{
	unsigned long mask;
	int ret = subsection_mask(pfn, nr_pages, &mask);

	if (ret)
		return ret;
	if (ms->usage->subsection_map & mask)
		return -EEXIST;
	ms->usage->subsection_map |= mask;
	return 0;
}

static bool clear_subsection_map(struct mem_section *ms, unsigned long pfn,
				 unsigned long nr_pages)
{
	unsigned long mask = 0;

	subsection_mask(pfn, nr_pages, &mask);
	ms->usage->subsection_map &= ~mask;
	return ms->usage->subsection_map == 0;
}

static void section_deactivate(struct hotmem *hm, unsigned long pfn,
			       unsigned long nr_pages, struct vmem_altmap *altmap)
{
	struct mem_section *ms = __pfn_to_section(hm, pfn);
	bool early = early_section(ms);
	bool empty = clear_subsection_map(ms, pfn, nr_pages);

	if (!early)
		vmemmap_free(hm, pfn, nr_pages, altmap);
	if (empty) {
		if (!early)
			hm_free(hm, ms->usage, sizeof(*ms->usage));
		ms->usage = NULL;
		if (present_section(ms))
			hm->nr_present_sections--;
		/* a memmap the host kept mapped keeps what the flags say of it (vmemmap_free()) */
		section_flags_clear(ms, ~(vmemmap_populated(ms) ?
					  SECTION_MEMMAP_SHARED | SECTION_MEMMAP_UNMAPPED : 0UL));
	}
}

static int section_activate(struct hotmem *hm, int nid, unsigned long pfn,
			    unsigned long nr_pages, struct vmem_altmap *altmap)
{
	struct mem_section *ms = __pfn_to_section(hm, pfn);
	struct mem_section_usage *usage = NULL;
	int ret;

	if (!ms->usage) {
		usage = hm_alloc(hm, sizeof(*usage));
		if (!usage)
			return -ENOMEM;
		ms->usage = usage;
	}
	ret = fill_subsection_map(ms, pfn, nr_pages);
	if (ret) {
		if (usage) {
			ms->usage = NULL;
			hm_free(hm, usage, sizeof(*usage));
		}
		return ret;
	}
	/* an early section's memmap covers all of it already */
	if (nr_pages < PAGES_PER_SECTION && early_section(ms))
		return 0;
	ret = vmemmap_populate(hm, pfn, nr_pages, nid, altmap);
	if (ret) {
		bool was_present = present_section(ms);

		/* section_deactivate() must not count a section never marked */
		section_flags_set(ms, SECTION_MARKED_PRESENT);
		if (!was_present)
			hm->nr_present_sections++;
		section_deactivate(hm, pfn, nr_pages, altmap);
		return -ENOMEM;
	}
	return 0;
}

int sparse_add_section(struct hotmem *hm, int nid, unsigned long start_pfn,
		       unsigned long nr_pages, struct vmem_altmap *altmap)
{
	unsigned long section_nr = pfn_to_section_nr(start_pfn);
	struct mem_section *ms;
	int ret = 0;
	HM_TRACE_FN(hm, sparse_add_section, &ret, start_pfn, nr_pages, nid, -1, 0);

	ret = sparse_index_init(hm, section_nr);
	if (ret)
		return ret;
	ret = section_activate(hm, nid, start_pfn, nr_pages, altmap);
	if (ret)
		return ret;
	ms = __nr_to_section(hm, section_nr);
	if (!present_section(ms))
		hm->nr_present_sections++;
	ms->nid = nid;
	section_flags_set(ms, SECTION_MARKED_PRESENT | SECTION_HAS_MEM_MAP |
			      (altmap ? SECTION_CANNOT_OPTIMIZE_VMEMMAP : 0));
	return ret;
}

void sparse_remove_section(struct hotmem *hm, unsigned long pfn,
			   unsigned long nr_pages, struct vmem_altmap *altmap)
{
	struct mem_section *ms = __pfn_to_section(hm, pfn);
	int nid = ms ? ms->nid : -1;

	HM_TRACE_FN(hm, sparse_remove_section, NULL, pfn, nr_pages, nid, -1, 0);

	if (valid_section(ms))
		section_deactivate(hm, pfn, nr_pages, altmap);
}

void online_mem_sections(struct hotmem *hm, unsigned long start_pfn,
			 unsigned long end_pfn)
{
	for (unsigned long pfn = start_pfn; pfn < end_pfn; pfn += PAGES_PER_SECTION) {
		struct mem_section *ms = __pfn_to_section(hm, pfn);

		if (ms)
			section_flags_set(ms, SECTION_IS_ONLINE);
	}
}

void offline_mem_sections(struct hotmem *hm, unsigned long start_pfn,
			  unsigned long end_pfn)
{
	for (unsigned long pfn = start_pfn; pfn < end_pfn; pfn += PAGES_PER_SECTION) {
		struct mem_section *ms = __pfn_to_section(hm, pfn);

		if (ms)
			section_flags_clear(ms, SECTION_IS_ONLINE);
	}
}

void sparse_destroy(struct hotmem *hm)
{
	if (!hm->mem_section)
		return;
	vmemmap_free_torn(hm);
	for (unsigned long r = 0; r < hm->nr_section_roots; r++) {
		struct mem_section *sec = hm->mem_section[r];

		if (!sec)
			continue;
		for (unsigned long i = 0; i < SECTIONS_PER_ROOT; i++) {
			struct mem_section *ms = &sec[i];

			hm_free(hm, ms->vmemmap.pte, PTRS_PER_PTE * sizeof(unsigned long));
			if (ms->usage && !early_section(ms))
				hm_free(hm, ms->usage, sizeof(*ms->usage));
		}
		hm_free(hm, sec, SECTIONS_PER_ROOT * sizeof(struct mem_section));
	}
	for (int i = 0; i < hm->nr_boot_usage; i++)
		hm_free(hm, hm->boot_usage[i].usage, hm->boot_usage[i].size);
	hm_free(hm, hm->mem_section, hm->nr_section_roots * sizeof(*hm->mem_section));
	hm->mem_section = NULL;
}

int hotmem_section_state(struct hotmem *hm, unsigned long section_nr, bool *present,
			 bool *online, bool *huge_vmemmap, bool *early)
{
	struct mem_section *ms;

	lock_device_hotplug(hm);
	ms = __nr_to_section(hm, section_nr);
	if (present)
		*present = present_section(ms);
	if (online)
		*online = online_section(ms);
	if (early)
		*early = early_section(ms);
	if (huge_vmemmap)
		*huge_vmemmap = ms && valid_section(ms) && !ms->vmemmap.pte &&
				ms->vmemmap.pmd_src != VMEMMAP_NONE;
	unlock_device_hotplug(hm);
	return 0;
}
