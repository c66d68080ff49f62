// SPDX-License-Identifier: GPL-2.0
/*
 * The boot's memblock reservations as x86 6.12 takes them, and what it
 * gives back after boot (docs/profile.md: kernel_image, initrd, realmode,
 * swiotlb, boot_reserved; none unless the profile says so).
 *
 * Taken before memblock_free_all(), in setup_arch()'s order:
 *  - early_reserve_memory(): the kernel image [_text,
 *    __end_of_kernel_reserve) -- code to the end of bss -- where the boot
 *    loader (KASLR) put it, and the initrd, page aligned
 *    (early_reserve_initrd());
 *  - reserve_brk(): the brk the boot used (extend_brk(): early page
 *    tables, the DMI and e820 copies...), [_brk_start, _brk_end) from
 *    __brk_base, the page after __bss_stop -- outside
 *    __end_of_kernel_reserve, so a reservation of its own, at that fixed
 *    place and not top-down with boot_reserved (walk43: 17 pages on a
 *    6.12.118 guest, memblock=debug's "memblock_reserve:
 *    [0x3c00000-0x3c10fff] setup_arch"; 6.15 makes it
 *    memblock_reserve_kern(), the same place);
 *  - reserve_real_mode() (arch/x86/realmode/init.c): the whole first MiB;
 *  - the rest of the boot's allocations -- page tables, NODE_DATA, the
 *    percpu first chunk, KFENCE's pool, SWIOTLB's slot array, ACPI and
 *    e820 copies -- as one top-down reservation of the size the guest's
 *    "Memory:" line leaves over (boot_reserved), before sparse_init()'s
 *    memmap as NODE_DATA is;
 *  - then (mem_init() -> pci_iommu_alloc() -> swiotlb_init_remap()) the
 *    SWIOTLB buffer, memblock_alloc_low() top-down below 4 GiB, when
 *    pci_swiotlb_detect() wants it: max_possible_pfn past MAX_DMA32_PFN.
 *
 * Given back, each with free_reserved_area()'s "Freeing ... memory: NK":
 * .smp_locks (alternative_instructions(), before mem_init_print_info()'s
 * "Memory:" line, which page_alloc_init_late() prints since 6.9), the
 * initrd (populate_rootfs()), the unused .bss..decrypted and the initmem
 * (free_initmem()), the text/rodata and rodata/data gaps (mark_rodata_ro()).
 */
#include <stdio.h>

#include "internal.h"

#define PFN_ALIGN(x)		ALIGN((uint64_t)(x), PAGE_SIZE)
#define ARCH_LOW_ADDRESS_LIMIT	0x100000000ULL
#define IO_TLB_SHIFT		11
/* a halved buffer's slab count is a multiple of it (swiotlb_init_remap(), 6.12) */
#define IO_TLB_SEGSIZE		128UL
/* (1 << 20) >> IO_TLB_SHIFT: swiotlb_init_remap() halves no further */
#define IO_TLB_MIN_SLABS	((1UL << 20) >> IO_TLB_SHIFT)

static uint64_t range_size(const struct hm_phys_range *r)
{
	return r->end ? r->end + 1 - r->start : 0;
}

/*
 * max_possible_pfn: the highest pfn memory may ever have, x86's SRAT
 * hotplug ranges included (acpi_numa_memory_affinity_init()).  QEMU's
 * SRAT has one over its device-memory region, which hotmem's machine
 * ends at maxmem (qemu-512m's guest: to 0x2dfffffff, 11.5 GiB).
 */
static unsigned long max_possible_pfn(struct hotmem *hm)
{
	unsigned long pfn = PHYS_PFN(hm->cfg.maxmem);

	for (int i = 0; i < hm->cfg.nr_boot_ranges; i++)
		pfn = max(pfn, PFN_UP(hm->cfg.boot[i].end));
	return pfn;
}

static int reserve_or_fail(struct hotmem *hm, uint64_t base, uint64_t end, const char *name,
			   char *err, size_t errlen)
{
	if (end <= base)
		return 0;
	if (memblock_reserve(hm, base, end - base, name)) {
		snprintf(err, errlen, "memblock: no room to reserve the %s", name);
		return -ENOSPC;
	}
	return 0;
}

/* setup_arch()'s reservations before sparse_init() (the file's comment) */
int setup_arch_reserve(struct hotmem *hm, char *err, size_t errlen)
{
	const struct hm_boot_reserve *br = &hm->cfg.boot_reserve;
	int ret = 0;

	if (br->kernel_image)
		ret = reserve_or_fail(hm, br->code.start, PFN_ALIGN(br->bss.end + 1),
				      "kernel image", err, errlen);
	if (!ret && br->initrd.end)
		ret = reserve_or_fail(hm, ALIGN_DOWN(br->initrd.start, PAGE_SIZE),
				      PFN_ALIGN(br->initrd.end + 1), "initrd", err, errlen);
	/* x86 6.12 reserve_initrd()'s line, its end page aligned: where a dump finds the initrd */
	if (!ret && br->initrd.end)
		pr_info(hm, "RAMDISK: [mem %#010llx-%#010llx]", (unsigned long long)br->initrd.start,
			(unsigned long long)PFN_ALIGN(br->initrd.end + 1) - 1);
	if (!ret && br->brk)
		ret = reserve_or_fail(hm, PFN_ALIGN(br->bss.end + 1), PFN_ALIGN(br->bss.end + 1) + br->brk,
				      "brk", err, errlen);
	if (!ret && br->realmode)
		ret = reserve_or_fail(hm, 0, 1ULL << 20, "real mode: the first MiB", err, errlen);
	if (ret || !br->boot_reserved)
		return ret;
	if (!memblock_alloc_range(hm, br->boot_reserved, PAGE_SIZE, UINT64_MAX,
				  "boot: page tables, NODE_DATA, percpu, KFENCE, SWIOTLB slots")) {
		snprintf(err, errlen, "boot_reserved %#llx: more than boot memory has free",
			 (unsigned long long)br->boot_reserved);
		return -ENOMEM;
	}
	return 0;
}

/*
 * swiotlb_memblock_alloc() (kernel/dma/swiotlb.c, 6.12): @nslabs' bytes
 * page aligned, memblock_alloc_low(bytes, PAGE_SIZE) -- top-down below
 * 4 GiB, PAGE_SIZE aligned (IO_TLB_SEGSIZE aligns only the halved slab
 * count, reread33 R4); a warning for each size that does not fit.  Its
 * base, 0 when none.
 */
static uint64_t swiotlb_memblock_alloc(struct hotmem *hm, unsigned long nslabs)
{
	uint64_t bytes = PFN_ALIGN((uint64_t)nslabs << IO_TLB_SHIFT);
	uint64_t tlb = memblock_alloc_range(hm, bytes, PAGE_SIZE, ARCH_LOW_ADDRESS_LIMIT, "swiotlb");

	if (!tlb)
		pr_warn(hm, "software IO TLB: swiotlb_memblock_alloc: Failed to allocate %llu bytes tlb structure",
			(unsigned long long)bytes);
	return tlb;
}

/*
 * swiotlb_init_remap() after pci_swiotlb_detect(): the bounce buffer,
 * its slab count halved (to a multiple of IO_TLB_SEGSIZE) until it fits,
 * nothing once IO_TLB_MIN_SLABS did not -- 6.12 boots without one then,
 * x86_swiotlb_enable still set: pci_iommu_init() says so
 * (boot_reserve_late()).
 */
void swiotlb_init(struct hotmem *hm)
{
	unsigned long want = hm->cfg.boot_reserve.swiotlb >> IO_TLB_SHIFT, nslabs = want;
	uint64_t base;

	if (!want || max_possible_pfn(hm) <= MAX_DMA32_PFN)
		return;
	hm->x86_swiotlb_enable = true;
	while (!(base = swiotlb_memblock_alloc(hm, nslabs))) {
		if (nslabs <= IO_TLB_MIN_SLABS)
			return;
		nslabs = ALIGN(nslabs >> 1, IO_TLB_SEGSIZE);
	}
	if (nslabs != want)
		pr_info(hm, "software IO TLB: SWIOTLB bounce buffer size adjusted %lu -> %lu slabs",
			want, nslabs);
	hm->swiotlb_start = base;
	hm->swiotlb_size = (uint64_t)nslabs << IO_TLB_SHIFT;
}

/*
 * free_reserved_area(): the boot pages of [@start, @end) (page aligned
 * inward) to the buddy, counted managed, out of memblock's table;
 * "Freeing @what memory: NK" when any were
 */
static void free_reserved_area(struct hotmem *hm, uint64_t start, uint64_t end, const char *what)
{
	unsigned long spfn = PFN_UP(start), epfn = PHYS_PFN(end), pages = 0;

	for (unsigned long pfn = spfn; pfn < epfn; pfn++) {
		struct page *page;

		if (!pfn_valid(hm, pfn))
			continue;
		page = pfn_to_page(hm, pfn);
		if (!PageReserved(page))
			continue;
		__free_pages_core(hm, page, 0, false);
		pages++;
	}
	if (epfn > spfn)
		memblock_free(hm, PFN_PHYS(spfn), PFN_PHYS(epfn - spfn));
	if (pages)
		pr_info(hm, "Freeing %s memory: %luK", what, pages << (PAGE_SHIFT - 10));
}

static void free_part(struct hotmem *hm, const struct hm_phys_range *r, const char *what)
{
	if (r->end)
		free_reserved_area(hm, r->start, r->end + 1, what);
}

/* alternative_instructions(): an SMP kernel frees .smp_locks (free_init_pages()) */
static void free_smp_locks(struct hotmem *hm)
{
	free_part(hm, &hm->cfg.boot_reserve.smp_locks, "SMP alternatives");
}

static unsigned long nr_free_pages(struct hotmem *hm)
{
	unsigned long n = 0;

	for (int nid = 0; nid < HM_MAX_NUMNODES; nid++) {
		struct pglist_data *pgdat = NODE_DATA(hm, nid);

		for (int zid = 0; pgdat && zid < MAX_NR_ZONES; zid++)
			n += zone_free_pages(&pgdat->node_zones[zid]);
	}
	return n;
}

/* get_num_physpages(): the nodes' present pages */
static unsigned long get_num_physpages(struct hotmem *hm)
{
	unsigned long n = 0;

	for (int nid = 0; nid < HM_MAX_NUMNODES; nid++)
		if (NODE_DATA(hm, nid))
			n += NODE_DATA(hm, nid)->node_present_pages;
	return n;
}

#define K(bytes) ((unsigned long)((bytes) >> 10))

/*
 * mem_init_print_info() (mm/mm_init.c): the kernel's section sizes,
 * "available" the free pages and "reserved" present pages not managed.
 * init is __init_end - __init_begin (.init.text is inside it on x86).
 */
static void mem_init_print_info(struct hotmem *hm)
{
	const struct hm_boot_reserve *br = &hm->cfg.boot_reserve;
	unsigned long physpages = get_num_physpages(hm);

	pr_info(hm, "Memory: %luK/%luK available (%luK kernel code, %luK rwdata, %luK rodata, "
		    "%luK init, %luK bss, %luK reserved, %luK cma-reserved)",
		nr_free_pages(hm) << (PAGE_SHIFT - 10), physpages << (PAGE_SHIFT - 10),
		K(range_size(&br->code)), K(range_size(&br->data)), K(range_size(&br->rodata)),
		K(range_size(&br->init)), K(range_size(&br->bss)),
		(physpages - totalram_pages(hm)) << (PAGE_SHIFT - 10), 0UL);
}

/*
 * right after memblock_free_all(): what the kernel frees and says before
 * page_alloc_init_late().  The kernel prints mem_init_print_info() on
 * every boot; hotmem only with a kernel image: without one the line
 * would say 0K for every section, which no kernel does, and its reserved
 * total (what from-sysfs calibrates boot_reserved against) a boot that
 * never was (docs/profile.md).
 */
void boot_reserve_after_free_all(struct hotmem *hm)
{
	if (!hm->cfg.boot_reserve.kernel_image)
		return;
	free_smp_locks(hm);
	mem_init_print_info(hm);
}

/*
 * The initcalls' and kernel_init()'s part: pci_iommu_init()'s SWIOTLB
 * lines and populate_rootfs() (rootfs_initcall), then free_initmem()
 * and mark_rodata_ro()'s gaps (x86, 6.12).
 */
void boot_reserve_late(struct hotmem *hm)
{
	const struct hm_boot_reserve *br = &hm->cfg.boot_reserve;

	/* pci_iommu_init(), swiotlb_print_info() */
	if (hm->x86_swiotlb_enable) {
		pr_info(hm, "PCI-DMA: Using software bounce buffering for IO (SWIOTLB)");
		if (!hm->swiotlb_size)
			pr_warn(hm, "software IO TLB: No low mem");
		else
			pr_info(hm, "software IO TLB: mapped [mem %#018llx-%#018llx] (%lluMB)",
				(unsigned long long)hm->swiotlb_start,
				(unsigned long long)(hm->swiotlb_start + hm->swiotlb_size),
				(unsigned long long)(hm->swiotlb_size >> 20));
	}
	if (br->initrd.end)
		free_reserved_area(hm, ALIGN_DOWN(br->initrd.start, PAGE_SIZE),
				   PFN_ALIGN(br->initrd.end + 1), "initrd");
	if (!br->kernel_image)
		return;
	free_part(hm, &br->bss_decrypted_unused, "unused decrypted");
	free_part(hm, &br->init, "unused kernel image (initmem)");
	/* text_end = PFN_ALIGN(_etext), rodata_end = PFN_ALIGN(__end_rodata) */
	free_reserved_area(hm, PFN_ALIGN(br->code.end + 1), br->rodata.start,
			   "unused kernel image (text/rodata gap)");
	free_reserved_area(hm, PFN_ALIGN(br->rodata.end + 1), br->data.start,
			   "unused kernel image (rodata/data gap)");
}
