/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The engine's USDT probes: the contract between engine/ and bpf/.
 *
 * Provider "hotmem".  Every traced step of the hotplug path is named after
 * the kernel function it models and fires two probes:
 *
 *   hotmem:<fn>        on entry:  (start_pfn, nr_pages, nid, zid, extra)
 *   hotmem:<fn>__ret   on return: (start_pfn, nr_pages, nid, zid, extra, ret)
 *
 * All arguments are 64-bit signed integers; nid/zid are -1 when the step
 * has none.  "extra" per probe:
 *   memory_notify            the action (HM_MEM_GOING_ONLINE, ...)
 *   vmemmap_populate         1 if an altmap (memmap_on_memory) is used
 *   mhp_init_memmap_on_memory  number of vmemmap pages
 *   test_pages_isolated      fin_pfn (first pfn that is not isolated)
 *   mm_setup_per_zone_wmarks wmark_min of the zone
 *   everything else          0
 *
 * HOTMEM_PROBES(X) lists them so that bpf/ attaches to exactly this set.
 */
#ifndef HOTMEM_PROBES_H
#define HOTMEM_PROBES_H

#define HOTMEM_PROBES(X)			\
	X(add_memory_resource)			\
	X(arch_add_memory)			\
	X(__add_pages)				\
	X(sparse_add_section)			\
	X(vmemmap_populate)			\
	X(mhp_init_memmap_on_memory)		\
	X(mhp_deinit_memmap_on_memory)		\
	X(memory_block_online)			\
	X(memory_block_offline)			\
	X(move_pfn_range_to_zone)		\
	X(online_pages)				\
	X(offline_pages)			\
	X(memory_notify)			\
	X(test_pages_isolated)			\
	X(mm_setup_per_zone_wmarks)		\
	X(try_remove_memory)			\
	X(arch_remove_memory)			\
	X(__remove_pages)			\
	X(sparse_remove_section)		\
	X(vmemmap_free)				\
	X(hugetlb_vmemmap_optimize)

#endif /* HOTMEM_PROBES_H */
