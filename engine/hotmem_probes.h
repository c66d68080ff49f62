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
 *   vmemmap_populate, vmemmap_populate_hugepages, vmemmap_populate_basepages
 *                            1 if an altmap (memmap_on_memory) is used
 *   mhp_init_memmap_on_memory  number of vmemmap pages
 *   create_memory_block_devices  each block's vmemmap pages (the altmap's
 *                            free; 6.1: vmemmap_pages), 0 without
 *   test_pages_isolated      fin_pfn (first pfn that is not isolated)
 *   mm_setup_per_zone_wmarks wmark_min of the zone; no range (0, 0), every
 *                            zone of an online node, as 6.18's tracepoint
 *   everything else          0
 *
 * mhp_supports_memmap_on_memory has no range (start_pfn and nr_pages 0);
 * its ret is the bool.  vmemmap_populate_basepages' range is the pfns
 * whose struct pages it maps, as the kernel's vmemmap addresses read.
 *
 * HOTMEM_PROBES(X) lists them so that bpf/ attaches to exactly this set;
 * the order numbers hotmem-trace's steps (enum hmt_fn, the events' "fn"):
 * new ones go at the end.  Kernel version where the last six first appear:
 *   vmemmap_populate_hugepages   6.3 (x86: vmemmap_populate's PMD path)
 *   vmemmap_populate_basepages   (both)
 *   create_altmaps_and_memory_blocks / remove_memory_blocks_and_altmaps
 *                                6.9 (memmap_on_memory per memory block)
 *   create_memory_block_devices  (both: 6.1 takes vmemmap_pages, 6.12 an altmap)
 *   mhp_supports_memmap_on_memory (both: 6.1 takes a size, 6.12 nothing)
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
	X(hugetlb_vmemmap_optimize)		\
	X(vmemmap_populate_hugepages)		\
	X(vmemmap_populate_basepages)		\
	X(create_altmaps_and_memory_blocks)	\
	X(remove_memory_blocks_and_altmaps)	\
	X(create_memory_block_devices)		\
	X(mhp_supports_memmap_on_memory)

/*
 * hotmem:batch (records, nr): the same steps, coalesced.  While a tracer
 * holds its semaphore, every entry and return of the probes above (each
 * still fires its own probe too, when traced) is also written as one
 * record into a per-thread buffer; the buffer is handed over in ONE probe
 * hit when the outermost traced step returns (memory_block_online(), say)
 * or when it is full.  A uprobe hit costs microseconds (a trap on kernels
 * before 6.17), an online/offline cycle ~28 steps: hotmem-trace attaches
 * here, so a cycle costs it 2 hits, and reads the records with
 * bpf_probe_read_user().  @records is a struct hotmem_probe_rec array,
 * @nr its length (at most HOTMEM_PROBE_BATCH_MAX).  ts is
 * CLOCK_MONOTONIC in ns, the clock of bpf_ktime_get_ns(): taken when the
 * step fired, not when the batch is handed over.
 */
#define HOTMEM_PROBE_BATCH_MAX 64

struct hotmem_probe_rec {
	unsigned long long ts;
	long long start_pfn, nr_pages, nid, zid, extra, ret; /* as the step's probe */
	unsigned int probe; /* the step: its place in HOTMEM_PROBES */
	unsigned int exit; /* 0: hotmem:<fn>, 1: hotmem:<fn>__ret */
};

#endif /* HOTMEM_PROBES_H */
