// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/kpageflags and /proc/kpagecount, as 6.12's fs/proc/page.c reads
 * them: an entry a pfn up to round_up(max_pfn, PAGES_PER_SECTION), a pfn
 * without an online page KPF_NOPAGE (pfn_to_online_page()).  What an
 * entry says of a page is debug.c's (kpage_entries(), beside dump_page():
 * one mapping of the engine's pages to the kernel's flags); this file
 * walks the blocks and takes what a lock-free reader of struct pages
 * takes (docs/engine.md "Locking"), as explain does.
 */
#include <errno.h>

#include "internal.h"

/* get_max_dump_pfn(): an early section's memmap is whole past max_pfn */
static unsigned long max_dump_pfn(struct hotmem *hm)
{
	return ALIGN(atomic_load(&hm->kernel_max_pfn), PAGES_PER_SECTION);
}

static void kpage_nopage(uint64_t *flags, uint64_t *count, unsigned long i)
{
	if (flags)
		flags[i] = 1ULL << HM_KPF_NOPAGE;
	if (count)
		count[i] = 0;
}

/*
 * Entries [@i, @end) of the read, pfns from @pfn - @i, all in one memory
 * block: its struct pages only while it is online, with an online's
 * memmap init waiting for the walk (memory_block_walk_begin()) and HVO's
 * remaps held off (vmemmap_remap_lock).  A section whose memmap the host
 * left unmapped (a refused HugeTLB undo) cannot be read: KPF_NOPAGE,
 * where the kernel, whose memmap is always there, would read it.
 */
static void kpage_block(struct hotmem *hm, unsigned long pfn, unsigned long i, unsigned long end,
			uint64_t *flags, uint64_t *count)
{
	struct memory_block *mem = hm_xa_load(&hm->memory_blocks, pfn / pages_per_block(hm));
	const unsigned long base = pfn - i;
	bool online;

	if (!mem) {
		for (; i < end; i++)
			kpage_nopage(flags, count, i);
		return;
	}
	online = memory_block_walk_begin(mem) != HM_MEM_OFFLINE;
	pthread_rwlock_rdlock(&hm->vmemmap_remap_lock);
	while (i < end) {
		if (!online || memmap_unmapped(hm, base + i) || !pfn_to_online_page(hm, base + i)) {
			kpage_nopage(flags, count, i++);
			continue;
		}
		i += kpage_entries(hm, base + i, end - i, flags ? flags + i : NULL,
				   count ? count + i : NULL);
	}
	pthread_rwlock_unlock(&hm->vmemmap_remap_lock);
	memory_block_walk_end(mem);
}

/*
 * kpageflags_read(), kpagecount_read(): @nr entries from @pfn, at most to
 * the end of the file.  The blocks table held for reading: a block in it
 * keeps its memmap until the read ends (a removal takes its blocks out
 * first, pagetypeinfo.c says how).
 */
static long kpage_read(struct hotmem *hm, uint64_t pfn, size_t nr, uint64_t *flags,
		       uint64_t *count)
{
	const unsigned long end_pfn = max_dump_pfn(hm), per_block = pages_per_block(hm);
	unsigned long i = 0;

	if (pfn >= end_pfn)
		return 0;
	nr = min(nr, (size_t)(end_pfn - pfn));
	pthread_rwlock_rdlock(&hm->blocks_lock);
	while (i < nr) {
		unsigned long p = (unsigned long)pfn + i;
		unsigned long end = min((unsigned long)nr, i + ALIGN(p + 1, per_block) - p);

		kpage_block(hm, p, i, end, flags, count);
		i = end;
	}
	pthread_rwlock_unlock(&hm->blocks_lock);
	return (long)nr;
}

long hotmem_kpageflags(struct hotmem *hm, uint64_t pfn, size_t nr, uint64_t *out)
{
	return out || !nr ? kpage_read(hm, pfn, nr, out, NULL) : -EINVAL;
}

long hotmem_kpagecount(struct hotmem *hm, uint64_t pfn, size_t nr, uint64_t *out)
{
	return out || !nr ? kpage_read(hm, pfn, nr, NULL, out) : -EINVAL;
}
