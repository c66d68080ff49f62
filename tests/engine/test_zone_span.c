// SPDX-License-Identifier: GPL-2.0
/*
 * Zone spans as mm/memory_hotplug.c (6.12) shrinks them: shrink_zone_span()'s
 * find_smallest_section_pfn()/find_biggest_section_pfn() count a pfn in a
 * zone when its struct page says so (page_to_nid(), page_zone()).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "helpers.h"
#include "internal.h"

/*
 * memory16 (256 MiB blocks) holds node 0's section 32 and node 1's section
 * 33: pages in two zones, node 0's Normal and node 1's.  Section 33 is
 * all of node 1's boot memory.
 */
static const char two_node_block[] = "profile = default\n"
				     "name = two-node-block\n"
				     "nodes = 2\n"
				     "block_size = 256M\n"
				     "ram = 0x100000-0x7ffffff node=0\n"
				     "ram = 0x100000000-0x107ffffff node=0\n"
				     "ram = 0x108000000-0x10fffffff node=1\n";

static struct hotmem *boot_text(const char *text, const char *cmdline)
{
	struct hotmem_config cfg;
	struct hotmem *hm;
	char err[256];

	hotmem_config_default(&cfg);
	assert_int_equal(hotmem_config_parse_text(&cfg, text, err, sizeof(err)), 0);
	assert_int_equal(hotmem_config_parse_cmdline(&cfg, cmdline, err, sizeof(err)), 0);
	assert_int_equal(hotmem_create(&cfg, &hm, err, sizeof(err)), 0);
	return hm;
}

/*
 * Section @nr's memmap (all of node @nid's boot memory) left unmapped by
 * the host: HVO of a huge page there, refused (test_hugetlb's way), the
 * pool's array grown first (see hvo_block_online()).  A page of the
 * section is pinned first: the pfn returned.  The host refuses @more + 1
 * mappings in a row (hvo_lose_memmap_at()): 3 more lose a memmap shared
 * with its template (the unshare's remap), 6 a written one's tail (a
 * section of two nodes; test_hugetlb's hvo_lose_memmap(true, 6)).
 */
static unsigned long lose_memmap_more(struct hotmem *hm, int nid, unsigned long nr,
				      unsigned long more)
{
	unsigned long pinned = section_nr_to_pfn(nr) + 30000;

	hotmem_set_hugetlb_optimize_vmemmap(hm, false);
	assert_int_equal(hotmem_hugetlb_alloc(hm, nid, 1), 1);
	assert_int_equal(hotmem_hugetlb_free(hm, 1), 1);
	hotmem_set_hugetlb_optimize_vmemmap(hm, true);
	while (hotmem_alloc_page_at(hm, pinned, HM_ALLOC_PINNED, NULL))
		pinned++;
	hvo_lose_memmap_at(hm, nid, nr, more);
	assert_true(__nr_to_section(hm, nr)->section_mem_map & SECTION_MEMMAP_UNMAPPED);
	assert_int_equal(pfn_to_section_nr(hm->hugetlb_pool[0].pfn), nr);
	return pinned;
}

static unsigned long lose_memmap(struct hotmem *hm, int nid, unsigned long nr)
{
	return lose_memmap_more(hm, nid, nr, 3);
}

/*
 * memory failure of the page @pinned maps the memmap again first
 * (test_hugetlb): a real EBUSY (MF_FAILED, the pin holds it; the free
 * huge page used before is dissolved, 0); @hm destroyed
 */
static void map_back_and_check(struct hotmem *hm, unsigned long nr, unsigned long pinned)
{
	assert_true(__nr_to_section(hm, nr)->section_mem_map & SECTION_MEMMAP_UNMAPPED);
	assert_int_equal(hotmem_memory_failure(hm, pinned), -EBUSY);
	assert_false(__nr_to_section(hm, nr)->section_mem_map & SECTION_MEMMAP_UNMAPPED);
	check(hm);
	hotmem_destroy(hm);
}

/*
 * Node 1's Normal zone grows over memory17 (hot-added, online_kernel) and
 * shrinks back to section 33 when memory17 goes offline: the span search
 * walks down into memory16 and finds node 1's pages there.  With section
 * 33's memmap left unmapped by the host (HVO's refused remap) the search
 * cannot read the struct pages; memory16's block said node 0, so node 1's
 * pages were counted in no zone of node 1 and the zone emptied (start 0,
 * spanned 0) under 32768 present pages.
 */
static void test_two_node_block_lost_memmap(void **state)
{
	struct hotmem *hm = boot_text(two_node_block, "hugetlb_free_vmemmap=on " IDLE_KERNEL);
	struct hm_zone_info zi;
	unsigned long pinned;

	(void)state;
	assert_int_equal(hotmem_zone_info(hm, 1, HM_ZONE_NORMAL, &zi), 0);
	assert_int_equal(zi.zone_start_pfn, 0x108000);
	assert_int_equal(zi.spanned, 32768);
	pinned = lose_memmap(hm, 1, 33);
	assert_int_equal(hotmem_add_memory(hm, 1, 0x110000000ULL, 256 * MiB, 0, -1), 0);
	assert_normal_span_back(hm, 1, 17);
	/* node 0's zones kept what they had */
	assert_int_equal(hotmem_zone_info(hm, 0, HM_ZONE_NORMAL, &zi), 0);
	assert_int_equal(zi.zone_start_pfn, 0x100000);
	assert_int_equal(zi.spanned, 32768);
	map_back_and_check(hm, 33, pinned);
}

/*
 * memory0 (256 MiB blocks) holds node 0's DMA and DMA32 (section 0) and
 * node 1's DMA32 (section 1, all of node 1); memory15, the last block
 * below 4 GiB, is node 0's DMA32 again, node 0's Normal (and its memmap)
 * at 4 GiB.  Node 0's DMA32 spans 0x1000-0x100000 (6.12/6.18
 * zone_spanned_pages_in_node(): the node's span clamped to the zone),
 * node 1's memory and the hole up to memory15 inside.
 */
static const char multi_zone_block0[] = "profile = default\n"
					"nodes = 2\n"
					"block_size = 256M\n"
					"ram = 0x100000-0x7ffffff node=0\n"
					"ram = 0x8000000-0xfffffff node=1\n"
					"ram = 0xf0000000-0xffffffff node=0\n"
					"ram = 0x100000000-0x10fffffff node=0\n";

/*
 * memory15 offline: node 0's DMA32 ends where its pages in memory0 end,
 * section 0's end (the kernel's span search passes the hole and node 1's
 * section 1).  With section 1's memmap unmapped, memory0 said "node 0,
 * zone none" and the search counted section 1 in every zone of node 0:
 * DMA32 kept spanning it, to memory0's end.
 */
static void test_multi_zone_block_lost_memmap(void **state)
{
	struct hotmem *hm = boot_text(multi_zone_block0, "hugetlb_free_vmemmap=on " IDLE_KERNEL);
	struct hm_zone_info zi;
	unsigned long pinned;

	(void)state;
	assert_int_equal(block_zone(hm, 0), -1);
	assert_int_equal(hotmem_zone_info(hm, 0, HM_ZONE_DMA32, &zi), 0);
	assert_int_equal(zi.zone_start_pfn, 0x1000);
	assert_int_equal(zi.spanned, 0x100000 - 0x1000);
	assert_int_equal(zi.present, 0x8000 - 0x1000 + 0x10000);
	pinned = lose_memmap(hm, 1, 1);
	assert_int_equal(hotmem_block_set_state(hm, 15, HM_MMOP_OFFLINE), 0);
	assert_int_equal(hotmem_zone_info(hm, 0, HM_ZONE_DMA32, &zi), 0);
	assert_int_equal(zi.zone_start_pfn, 0x1000);
	assert_int_equal(zi.spanned, 0x8000 - 0x1000);
	assert_int_equal(zi.present, 0x8000 - 0x1000);
	assert_int_equal(hotmem_zone_info(hm, 1, HM_ZONE_DMA32, &zi), 0);
	assert_int_equal(zi.zone_start_pfn, 0x8000);
	assert_int_equal(zi.spanned, 32768);
	map_back_and_check(hm, 1, pinned);
}

/* node @nid's zone @zid starts at @start, spans @spanned pages, @present of them present */
static void assert_zone(struct hotmem *hm, int nid, int zid, unsigned long start,
			unsigned long spanned, unsigned long present)
{
	struct hm_zone_info zi;

	assert_int_equal(hotmem_zone_info(hm, nid, zid, &zi), 0);
	assert_int_equal(zi.zone_start_pfn, start);
	assert_int_equal(zi.spanned, spanned);
	assert_int_equal(zi.present, present);
}

/*
 * A node boundary inside a section (128 MiB blocks): node 0 ends at
 * 0xc000000 inside memory1, node 1's DMA32 is memory1's other half and
 * memory31, its Normal 4 MiB at 4 GiB that hold node 1's boot memmap
 * (sections 31 and 32), so that its first huge page comes from memory1.
 */
static const char node_split_in_section[] = "profile = default\n"
					    "nodes = 2\n"
					    "ram = 0x100000-0xbffffff node=0\n"
					    "ram = 0xc000000-0xfffffff node=1\n"
					    "ram = 0xf8000000-0xffffffff node=1\n"
					    "ram = 0x100000000-0x1003fffff node=1\n";

/*
 * memory31 offline: node 1's DMA32 ends where its pages in memory1 end
 * (6.12's find_biggest_section_pfn() reads page_to_nid() 1 at 0xffff).
 * With section 1's memmap unmapped the search takes a page's node from
 * where memmap_init() put it; it said the section's node (0) and node 1's
 * DMA32 emptied (start 0, spanned 0) under 16384 present pages.
 */
static void test_node_split_in_section_lost_memmap(void **state)
{
	struct hotmem *hm = boot_text(node_split_in_section, "hugetlb_free_vmemmap=on " IDLE_KERNEL);
	unsigned long pinned;

	(void)state;
	assert_zone(hm, 1, HM_ZONE_DMA32, 0xc000, 0x100000 - 0xc000, 0x4000 + 0x8000);
	pinned = lose_memmap_more(hm, 1, 1, 6);
	assert_int_equal(hotmem_block_set_state(hm, 31, HM_MMOP_OFFLINE), 0);
	assert_zone(hm, 1, HM_ZONE_DMA32, 0xc000, 0x4000, 0x4000);
	/* node 0's DMA32 kept what it had: memory1's first half its end */
	assert_zone(hm, 0, HM_ZONE_DMA32, 0x1000, 0xc000 - 0x1000, 0xc000 - 0x1000);
	map_back_and_check(hm, 1, pinned);
}

/*
 * A node with RAM below and above the 32-bit PCI hole: 6.12/6.18's
 * zone_spanned_pages_in_node() clamps the node's span (0x1-0x640000 on
 * host-24g, the reference host) to each zone's bounds, so DMA32 spans
 * 0x1000-0x100000 with the hole inside: spanned 1044480, present 782336,
 * as the reference's /proc/zoneinfo (lsmem-host.txt §3).  It ended at the
 * last RAM pfn below 4 GiB (spanned 782336).  A block hot-added in the
 * hole (a probe at 3 GiB) lies in DMA32's span: zone_intersects() makes
 * DMA32 its default kernel zone (valid_zones "DMA32 Movable") and it
 * onlines there, the span unchanged; it was "Normal Movable", a
 * ZONE_NORMAL below 4 GiB.
 */
static void test_dma32_spans_the_pci_hole(void **state)
{
	struct hotmem *hm = boot_text("profile = host-24g\n", IDLE_KERNEL);
	struct hm_node_info ni;
	char zones[64];

	(void)state;
	assert_zone(hm, 0, HM_ZONE_DMA, 1, 4095, 3998);
	assert_zone(hm, 0, HM_ZONE_DMA32, 0x1000, 1044480, 782336);
	assert_zone(hm, 0, HM_ZONE_NORMAL, 0x100000, 5505024, 5505024);
	/* calculate_node_totalpages(): the node spans its zones' sum */
	assert_int_equal(hotmem_node_info(hm, 0, &ni), 0);
	assert_int_equal(ni.node_start_pfn, 1);
	assert_int_equal(ni.spanned, 0x640000 - 1);
	assert_int_equal(ni.present, 3998 + 782336 + 5505024);

	assert_int_equal(hotmem_add_memory(hm, 0, 0xc0000000ULL, 128 * MiB, 0, -1), 0);
	assert_true(hotmem_block_valid_zones(hm, 24, zones, sizeof(zones)) > 0);
	assert_string_equal(zones, "DMA32 Movable\n");
	assert_int_equal(hotmem_block_set_state(hm, 24, HM_MMOP_ONLINE), 0);
	assert_int_equal(block_zone(hm, 24), HM_ZONE_DMA32);
	assert_zone(hm, 0, HM_ZONE_DMA32, 0x1000, 1044480, 782336 + 32768);
	check(hm);
	hotmem_destroy(hm);
}

/*
 * qemu-512m is QEMU's -m 512M pc machine, whose e820 ends RAM at
 * 0x1ffdffff (0x1ffe0000-0x1fffffff reserved for the firmware's tables,
 * abuse29b U2): 6.12's zone_spanned_pages_in_node() clamps DMA32 to
 * [0x1000, 0x1ffe0), 126944 pages, all present, and auto-movable's
 * present_early_pages are 3998 + 126944 = 130942 (the guest's hotmemd
 * line).  memory3 ends in that hole: offline_pages()'s
 * walk_system_ram_range() counts 32 pages short, EINVAL "memory holes"
 * before any page is looked at (it was EBUSY: the boot's memblock
 * reservations at the top of RAM).  It stays online in DMA32, its
 * valid_zones that zone, and /proc/iomem's RAM ends where the guest's
 * does.
 */
static void test_qemu_512m_ram_ends_at_qemus_e820(void **state)
{
	struct hotmem *hm = boot("qemu-512m", "hotmem.kernel_alloc=off");
	struct hm_iomem_entry io[16];
	struct hm_block_info bi;
	struct hm_zone_info zi;
	size_t n;

	(void)state;
	assert_zone(hm, 0, HM_ZONE_DMA, 1, 4095, 3998);
	assert_zone(hm, 0, HM_ZONE_DMA32, 0x1000, 126944, 126944);
	assert_int_equal(hotmem_zone_info(hm, 0, HM_ZONE_DMA, &zi), 0);
	assert_int_equal(zi.present_early, 3998);
	assert_int_equal(hotmem_zone_info(hm, 0, HM_ZONE_DMA32, &zi), 0);
	assert_int_equal(zi.present_early, 126944);

	assert_int_equal(hotmem_block_set_state(hm, 3, HM_MMOP_OFFLINE), -EINVAL);
	assert_int_equal(hotmem_block_info(hm, 3, &bi), 0);
	assert_int_equal(bi.offline_cause, HM_OFFLINE_CAUSE_HOLES);
	assert_int_equal(bi.state, HM_MEM_ONLINE);
	assert_int_equal(bi.zone, HM_ZONE_DMA32);
	assert_string_equal(valid_zones(hm, 3), "DMA32\n");
	/* memory2, hole-free and empty with the kernel's allocations off, goes */
	assert_int_equal(hotmem_block_set_state(hm, 2, HM_MMOP_OFFLINE), 0);
	assert_int_equal(hotmem_block_set_state(hm, 2, HM_MMOP_ONLINE), 0);

	n = hotmem_iomem(hm, io, 16);
	assert_true(n >= 5 && n <= 16);
	assert_int_equal(io[4].start, 0x100000);
	assert_int_equal(io[4].end, 0x1ffdffff);
	assert_string_equal(io[4].name, "System RAM");
	check(hm);
	hotmem_destroy(hm);
}

/*
 * qemu-512m's /proc/iomem and /sys/firmware/memmap are the guest's
 * (tests/fixtures/boot-map/qemu-6.12.118-qemu-512m.txt; its Kernel lines
 * 6.12.118's, whose rodata and data end 4K and 64 bytes later than
 * 6.12.117's, qemu-6.12-qemu-512m.txt): QEMU's e820 table
 * as firmware/memmap, and as the kernel's resources after
 * trim_bios_range() (page 0 reserved) -- the memory lines of its
 * /proc/iomem, in address order with a DIMM's between the BIOS flash and
 * the HyperTransport hole.  They were made from the boot ranges: the
 * first RAM to 0x9efff, 0x9f000-0xfffff one Reserved, nothing reserved
 * above 1 MiB.
 */
static void test_qemu_512m_boot_map_is_qemus_e820(void **state)
{
	static const struct { uint64_t start, end; const char *name; } iomem[] = {
		{ 0x0, 0xfff, "Reserved" },
		{ 0x1000, 0x9fbff, "System RAM" },
		{ 0x9fc00, 0x9ffff, "Reserved" },
		{ 0xf0000, 0xfffff, "Reserved" },
		{ 0x100000, 0x1ffdffff, "System RAM" },
		/* the guest's kernel image, under it (depth 1) */
		{ 0x8a00000, 0x99fffff, "Kernel code" },
		{ 0x9a00000, 0xa571fff, "Kernel rodata" },
		{ 0xa600000, 0xa870fbf, "Kernel data" },
		{ 0xb136000, 0xb5fffff, "Kernel bss" },
		{ 0x1ffe0000, 0x1fffffff, "Reserved" },
		{ 0xfffc0000, 0xffffffff, "Reserved" },
		{ 0x100000000, 0x107ffffff, "System RAM" },
		{ 0xfd00000000, 0xffffffffff, "Reserved" },
	}, fwmap[] = {
		{ 0x0, 0x9fbff, "System RAM" },
		{ 0x9fc00, 0x9ffff, "Reserved" },
		{ 0xf0000, 0xfffff, "Reserved" },
		{ 0x100000, 0x1ffdffff, "System RAM" },
		{ 0x1ffe0000, 0x1fffffff, "Reserved" },
		{ 0xfffc0000, 0xffffffff, "Reserved" },
		{ 0xfd00000000, 0xffffffffff, "Reserved" },
		{ 0x100000000, 0x107ffffff, "System RAM" },
	};
	struct hotmem *hm = boot("qemu-512m", "hotmem.kernel_alloc=off");
	struct hm_iomem_entry io[16];
	struct hm_fwmap_entry fw[16];
	size_t n;

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 0, 0x100000000ULL, 128ULL << 20, HM_MHP_NONE, -1), 0);
	n = hotmem_iomem(hm, io, 16);
	assert_int_equal(n, ARRAY_SIZE(iomem));
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(io[i].start, iomem[i].start);
		assert_int_equal(io[i].end, iomem[i].end);
		assert_int_equal(io[i].depth, !strncmp(iomem[i].name, "Kernel ", 7));
		assert_string_equal(io[i].name, iomem[i].name);
	}
	n = hotmem_firmware_map(hm, fw, 16);
	assert_int_equal(n, ARRAY_SIZE(fwmap));
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(fw[i].index, i);
		assert_int_equal(fw[i].start, fwmap[i].start);
		assert_int_equal(fw[i].end, fwmap[i].end);
		assert_string_equal(fw[i].type, fwmap[i].name);
	}
	check(hm);
	hotmem_destroy(hm);
}

/* node @nid's boot memory from @dma32 to @end, all present: DMA32 up to @movable, ZONE_MOVABLE after */
static void assert_movable_from(struct hotmem *hm, int nid, unsigned long dma32,
				unsigned long movable, unsigned long end)
{
	assert_zone(hm, nid, HM_ZONE_DMA32, dma32, movable - dma32, movable - dma32);
	assert_zone(hm, nid, HM_ZONE_MOVABLE, movable, end - movable, end - movable);
}

/*
 * movablecore=256M on qemu-512m, as a real 6.12.117 guest booted it
 * (abuse30a C1): find_zone_movable_pfns_for_nodes() leaves the kernel
 * 130942 - 65536 pages, 158 below 1 MiB and 3840 below DMA32 counted
 * first, so ZONE_MOVABLE starts at 4096 + 61408 rounded up to
 * MAX_ORDER_NR_PAGES: pfn 65536.  DMA32 spans 61440 pages, Movable 65504
 * (to the e820's end), memory2-3 Movable; the log says where.  Then a
 * 256 MiB DIMM: memory32 onlined Normal, memory33 online_movable joins
 * the boot ZONE_MOVABLE (spanned 1048576 from 65536, present 98272).
 * memory2 goes offline (Movable, hole-free) and comes back Movable;
 * memory3 keeps its "memory holes" EINVAL.
 */
static void test_movablecore_boots_movable_memory(void **state)
{
	struct hotmem *hm = boot("qemu-512m", "movablecore=256M " IDLE_KERNEL);
	struct hm_explain ex;
	char log[16384];

	(void)state;
	assert_zone(hm, 0, HM_ZONE_DMA, 1, 4095, 3998);
	assert_movable_from(hm, 0, 0x1000, 65536, 131040);	/* DMA32 61440, Movable 65504 */
	assert_zone(hm, 0, HM_ZONE_NORMAL, 0, 0, 0);
	assert_string_equal(valid_zones(hm, 1), "DMA32\n");
	assert_string_equal(valid_zones(hm, 2), "Movable\n");
	assert_string_equal(valid_zones(hm, 3), "Movable\n");
	assert_int_equal(block_zone(hm, 2), HM_ZONE_MOVABLE);
	assert_int_equal(hotmem_explain(hm, 2, &ex), 0);
	assert_non_null(strstr(ex.zone_rule, "Normal above); Movable from 0x10000000 (kernelcore=/movablecore=)"));
	hotmem_dmesg(hm, log, sizeof(log));
	assert_non_null(strstr(log, "<6>Movable zone start for each node\n<6>  Node 0: 0x0000000010000000\n"));
	assert_non_null(strstr(log, "<6>On node 0, zone DMA: 97 pages in unavailable ranges\n"
				    "<6>On node 0, zone Movable: 32 pages in unavailable ranges\n"));
	/* free_area_init_node()'s line after the node ranges, as the guest's (abuse30c K4) */
	assert_non_null(strstr(log, "<6>  node   0: [mem 0x0000000000100000-0x000000001ffdffff]\n"
				    "<6>Initmem setup node 0 [mem 0x0000000000001000-0x000000001ffdffff]\n"
				    "<6>On node 0, zone DMA: 1 pages in unavailable ranges\n"));
	check(hm);

	assert_int_equal(hotmem_add_memory(hm, 0, 0x100000000ULL, 256 * MiB, 0, -1), 0);
	assert_string_equal(valid_zones(hm, 32), "Normal Movable\n");
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE), 0);
	assert_int_equal(hotmem_block_set_state(hm, 33, HM_MMOP_ONLINE_MOVABLE), 0);
	assert_int_equal(block_zone(hm, 32), HM_ZONE_NORMAL);
	assert_zone(hm, 0, HM_ZONE_NORMAL, 0x100000, 32768, 32768);
	assert_zone(hm, 0, HM_ZONE_MOVABLE, 65536, 1048576, 98272);

	assert_int_equal(hotmem_block_set_state(hm, 3, HM_MMOP_OFFLINE), -EINVAL);
	assert_int_equal(hotmem_block_set_state(hm, 2, HM_MMOP_OFFLINE), 0);
	assert_zone(hm, 0, HM_ZONE_MOVABLE, 98304, 1048576 - 32768, 98272 - 32768);
	assert_int_equal(hotmem_block_set_state(hm, 2, HM_MMOP_ONLINE_MOVABLE), 0);
	assert_zone(hm, 0, HM_ZONE_MOVABLE, 65536, 1048576, 98272);
	check(hm);
	hotmem_destroy(hm);
}

/*
 * kernelcore=256M asks for the kernel's share itself: 65536 pages, 3998
 * below DMA32, so ZONE_MOVABLE starts at 4096 + 61538 rounded up to
 * MAX_ORDER_NR_PAGES, 66560, inside memory2: its pages in two zones,
 * valid_zones "none" (memory_block_add_nid()).  movablecore=50% is 65471
 * pages rounded up to 65536: movablecore=256M's machine.  movable_node
 * ignores both (no boot memory is hotpluggable here).
 */
static void test_kernelcore_and_percentages(void **state)
{
	struct hotmem *hm = boot("qemu-512m", "kernelcore=256M " IDLE_KERNEL);

	(void)state;
	assert_movable_from(hm, 0, 0x1000, 66560, 131040);
	assert_string_equal(valid_zones(hm, 2), "none\n");
	assert_string_equal(valid_zones(hm, 3), "Movable\n");
	check(hm);
	hotmem_destroy(hm);

	hm = boot("qemu-512m", "movablecore=50% " IDLE_KERNEL);
	assert_zone(hm, 0, HM_ZONE_MOVABLE, 65536, 65504, 65504);
	hotmem_destroy(hm);

	hm = boot("qemu-512m", "movablecore=256M movable_node " IDLE_KERNEL);
	assert_zone(hm, 0, HM_ZONE_DMA32, 0x1000, 126944, 126944);
	assert_zone(hm, 0, HM_ZONE_MOVABLE, 0, 0, 0);
	hotmem_destroy(hm);
}

/*
 * Two nodes: the kernel's share spread evenly.  numa2 with movablecore=1G
 * leaves 262046 pages, 131023 a node: node 0's ZONE_MOVABLE from 4096 +
 * 127025 (3998 below DMA32) up to 132096, node 1's from 262144 + 131023
 * up to 393216.  A node too small for its share: node 1 of 128 MiB and
 * kernelcore=1G (131072 a node) gives all it has, and the next pass puts
 * the 98304 pages left on node 0: its ZONE_MOVABLE from 131328 + 98304
 * rounded up, 230400; node 1 none (its start at its end).
 */
static void test_movable_spread_over_nodes(void **state)
{
	struct hotmem *hm = boot("numa2", "movablecore=1G " IDLE_KERNEL);

	(void)state;
	assert_movable_from(hm, 0, 0x1000, 132096, 262144);
	assert_movable_from(hm, 1, 262144, 393216, 524288);
	check(hm);
	hotmem_destroy(hm);

	hm = boot_text("profile = default\n"
		       "nodes = 2\n"
		       "ram = 0x100000-0x3fffffff node=0\n"
		       "ram = 0x40000000-0x47ffffff node=1\n", "kernelcore=1G " IDLE_KERNEL);
	assert_movable_from(hm, 0, 0x1000, 230400, 262144);
	assert_zone(hm, 1, HM_ZONE_DMA32, 262144, 32768, 32768);
	assert_zone(hm, 1, HM_ZONE_MOVABLE, 0, 0, 0);
	check(hm);
	hotmem_destroy(hm);
}

/*
 * auto-movable counts boot ZONE_MOVABLE as movable (6.12
 * auto_movable_stats_account_zone(): a Movable zone's present_pages) and
 * only the kernel zones' present_early_pages as kernel memory: with
 * movablecore=256M and auto_movable_ratio=100 qemu-512m has 65438 early
 * kernel pages against 65504 movable ones, so a DIMM's block onlines
 * Normal; without movablecore= (130942 against none) it onlines Movable.
 */
static void test_auto_movable_counts_boot_movable(void **state)
{
	static const char *const cmdline[] = {
		"movablecore=256M memory_hotplug.online_policy=auto-movable "
		"memory_hotplug.auto_movable_ratio=100 " IDLE_KERNEL,
		"memory_hotplug.online_policy=auto-movable memory_hotplug.auto_movable_ratio=100 "
		IDLE_KERNEL,
	};

	(void)state;
	for (int i = 0; i < 2; i++) {
		struct hotmem *hm = boot("qemu-512m", cmdline[i]);

		assert_int_equal(hotmem_add_memory(hm, 0, 0x100000000ULL, 128 * MiB, 0, -1), 0);
		assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE), 0);
		assert_int_equal(block_zone(hm, 32), i ? HM_ZONE_MOVABLE : HM_ZONE_NORMAL);
		hotmem_destroy(hm);
	}
}

/*
 * __setup_per_zone_wmarks() (6.12): ZONE_MOVABLE's min is
 * clamp(managed / 1024, 32, 128), 32 when empty as on the host's
 * /proc/zoneinfo (it was 0), and its kswapd distance its share of
 * pages_min (pages_min * managed / lowmem_pages, a quarter of it, or
 * managed * 10 / 10000), not a quarter of the capped min: on a 512 MiB
 * machine the share is the larger.
 */
static void test_movable_watermarks(void **state)
{
	struct hotmem *hm = boot("qemu-512m", "hotmem.kernel_alloc=off");
	struct zone *mz = &NODE_DATA(hm, 0)->node_zones[ZONE_MOVABLE];
	unsigned long lowmem = 0, min_free_kbytes, share, managed, dist;

	(void)state;
	assert_int_equal(mz->_watermark[WMARK_MIN], 32);
	assert_int_equal(mz->_watermark[WMARK_LOW], 32);
	assert_int_equal(mz->_watermark[WMARK_HIGH], 32);
	assert_int_equal(hotmem_add_memory(hm, 0, 0x100000000ULL, 512 * MiB, 0, -1), 0);
	for (unsigned long b = 32; b < 36; b++)
		assert_int_equal(hotmem_block_set_state(hm, b, HM_MMOP_ONLINE_MOVABLE), 0);
	for (int zid = 0; zid < ZONE_MOVABLE; zid++)
		lowmem += zone_managed_pages(&NODE_DATA(hm, 0)->node_zones[zid]);
	managed = zone_managed_pages(mz);
	/* what the watermarks were set from (its formula: test_hotplug test_watermark_sysctls) */
	min_free_kbytes = hotmem_min_free_kbytes(hm);
	share = (min_free_kbytes / 4) * managed / lowmem;
	dist = share >> 2 > managed / 1000 ? share >> 2 : managed / 1000;
	assert_true(share >> 2 > managed / 1000);
	assert_int_equal(mz->_watermark[WMARK_MIN], managed / 1024 < 32 ? 32 : managed / 1024);
	assert_int_equal(mz->_watermark[WMARK_LOW], mz->_watermark[WMARK_MIN] + dist);
	assert_int_equal(mz->_watermark[WMARK_HIGH], mz->_watermark[WMARK_MIN] + 2 * dist);
	hotmem_destroy(hm);
}

/* node @nid's zone @zid's min, low, high watermarks: "min low high" */
static const char *wmarks(struct hotmem *hm, int nid, int zid, char *buf, size_t len)
{
	const struct zone *z = &NODE_DATA(hm, nid)->node_zones[zid];

	snprintf(buf, len, "%lu %lu %lu", z->_watermark[WMARK_MIN], z->_watermark[WMARK_LOW],
		 z->_watermark[WMARK_HIGH]);
	return buf;
}

/*
 * abuse29a N2: a node add_memory() brings online keeps its zones'
 * watermarks at 0 until its first online, as 6.12's
 * __setup_per_zone_wmarks() walks for_each_zone() (online nodes) and its
 * pgdat was never online; ZONE_MOVABLE said 32 (the empty zone's clamp),
 * set while the node was still offline.  Its first online sets them.
 */
static void test_offline_node_zones_keep_zero_watermarks(void **state)
{
	struct hotmem *hm = boot_profile_text("profile = qemu-512m\nnodes = 3\n"
					      "cmdline = \"" IDLE_KERNEL "\"\n");
	char buf[64];

	(void)state;
	assert_string_equal(wmarks(hm, 2, ZONE_MOVABLE, buf, sizeof(buf)), "0 0 0");
	assert_int_equal(hotmem_add_memory(hm, 1, 0x100000000ULL, 256 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE), 0);
	assert_int_equal(hotmem_add_memory(hm, 2, 0x110000000ULL, 256 * MiB, 0, -1), 0);
	/* node 2 online, nothing of it online yet: node 1's online set none of its */
	for (int zid = 0; zid < MAX_NR_ZONES; zid++)
		assert_string_equal(wmarks(hm, 2, zid, buf, sizeof(buf)), "0 0 0");
	assert_string_equal(wmarks(hm, 1, ZONE_MOVABLE, buf, sizeof(buf)), "32 32 32");
	assert_int_equal(hotmem_block_set_state(hm, 34, HM_MMOP_ONLINE_MOVABLE), 0);
	assert_int_equal(NODE_DATA(hm, 2)->node_zones[ZONE_MOVABLE]._watermark[WMARK_MIN], 32);
	assert_string_equal(wmarks(hm, 2, ZONE_NORMAL, buf, sizeof(buf)), "0 0 0");
	check(hm);
	hotmem_destroy(hm);
}

/*
 * free_area_init_node() (6.12) speaks for every possible node, for_each_node():
 * "Initmem setup node N [mem START-END]", or "as memoryless" for one without
 * boot memory (numa2's nodes 2 and 3), after the "Early memory node ranges"
 * block (abuse30c K4: the line was missing).
 */
static void test_initmem_setup_line_for_every_possible_node(void **state)
{
	struct hotmem *hm = boot("numa2", IDLE_KERNEL);
	char log[16384];

	(void)state;
	hotmem_dmesg(hm, log, sizeof(log));
	assert_non_null(strstr(log, "<6>  node   1: [mem 0x0000000040000000-0x000000007fffffff]\n"
				    "<6>Initmem setup node 0 [mem 0x0000000000001000-0x000000003fffffff]\n"
				    "<6>Initmem setup node 1 [mem 0x0000000040000000-0x000000007fffffff]\n"
				    "<6>Initmem setup node 2 as memoryless\n"
				    "<6>Initmem setup node 3 as memoryless\n"));
	hotmem_destroy(hm);
}

static bool pcp_high_set(struct hotmem *hm, int zid)
{
	struct hm_zone_info zi;

	assert_int_equal(hotmem_zone_info(hm, 0, zid, &zi), 0);
	return zi.pcp_high != 0;
}

/*
 * The pagesets' pcp->high (/proc/zoneinfo's "high:", 6.12+): off 0 once an
 * allocation or free went through the zone's per-CPU lists since its
 * pageset was set up.  At boot ZONE_DMA is not (the host's: high 0), the
 * others are; a ZONE_MOVABLE onlined afresh is not until something is
 * allocated from it, and not again once emptied and onlined anew.
 */
static void test_pcp_high_moves_off_zero_when_used(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL);
	unsigned long h[4];

	(void)state;
	assert_false(pcp_high_set(hm, HM_ZONE_DMA));
	assert_true(pcp_high_set(hm, HM_ZONE_DMA32));
	assert_int_equal(hotmem_add_memory(hm, 0, 0x100000000ULL, 128 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_MOVABLE), 0);
	assert_false(pcp_high_set(hm, HM_ZONE_MOVABLE));
	assert_int_equal(hotmem_alloc_pages(hm, 0, HM_ALLOC_MOVABLE, 4, h), 4);
	assert_true(pcp_high_set(hm, HM_ZONE_MOVABLE));
	assert_int_equal(hotmem_free_all(hm), 4);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_OFFLINE), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_MOVABLE), 0);
	assert_false(pcp_high_set(hm, HM_ZONE_MOVABLE));
	/* a huge page (HPAGE_PMD_ORDER goes through them too) */
	assert_int_equal(hotmem_hugetlb_alloc(hm, 0, 1), 1);
	assert_true(pcp_high_set(hm, HM_ZONE_MOVABLE));
	assert_false(pcp_high_set(hm, HM_ZONE_DMA));
	hotmem_destroy(hm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_node_block_lost_memmap),
		cmocka_unit_test(test_multi_zone_block_lost_memmap),
		cmocka_unit_test(test_dma32_spans_the_pci_hole),
		cmocka_unit_test(test_node_split_in_section_lost_memmap),
		cmocka_unit_test(test_qemu_512m_ram_ends_at_qemus_e820),
		cmocka_unit_test(test_qemu_512m_boot_map_is_qemus_e820),
		cmocka_unit_test(test_movablecore_boots_movable_memory),
		cmocka_unit_test(test_kernelcore_and_percentages),
		cmocka_unit_test(test_movable_spread_over_nodes),
		cmocka_unit_test(test_auto_movable_counts_boot_movable),
		cmocka_unit_test(test_movable_watermarks),
		cmocka_unit_test(test_offline_node_zones_keep_zero_watermarks),
		cmocka_unit_test(test_pcp_high_moves_off_zero_when_used),
		cmocka_unit_test(test_initmem_setup_line_for_every_possible_node),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
