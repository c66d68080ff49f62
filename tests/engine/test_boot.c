// SPDX-License-Identifier: GPL-2.0
/* Boot: sparse_init(), zones, boot memory blocks (seed 000). */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "helpers.h"
#include "internal.h"

static void test_default_boot_matches_a_real_x86_layout(void **state)
{
	struct hotmem *hm = boot("default", NULL);
	struct hm_zone_info dma, dma32;

	(void)state;
	/* the reference host's zoneinfo: DMA starts at pfn 1, 3998 present */
	assert_int_equal(hotmem_zone_info(hm, 0, HM_ZONE_DMA, &dma), 0);
	assert_int_equal(dma.zone_start_pfn, 1);
	assert_int_equal(dma.spanned, 4095);
	assert_int_equal(dma.present, 3998);
	assert_int_equal(hotmem_zone_info(hm, 0, HM_ZONE_DMA32, &dma32), 0);
	assert_int_equal(dma32.zone_start_pfn, 4096);
	assert_int_equal(hotmem_nr_blocks(hm), 8);
	/* memory0 spans DMA and DMA32: valid_zones "none", like the host */
	assert_string_equal(valid_zones(hm, 0), "none\n");
	assert_string_equal(valid_zones(hm, 1), "DMA32\n");
	assert_int_equal(block_state(hm, 7), HM_MEM_ONLINE);
	/* the boot memmap is reserved, not managed: 16 MiB for 1 GiB */
	assert_int_equal(dma32.managed + dma.managed, dma32.present + dma.present - 4096);
	check(hm);
	hotmem_destroy(hm);
}

/*
 * Every possible node's "Fallback order" line at each zonelist build (6.12
 * __build_all_zonelists(): for_each_node()), and a node without memory
 * lists only the nodes with memory, not itself first (6.12
 * find_next_best_node(): the local node only if N_MEMORY): the default
 * machine's node 1 said nothing; with memory onlined on it, it is first
 * in its own list, and once its last block is offline no longer
 * (offline_pages() clears N_MEMORY before the rebuild) (abuse25b C7).
 */
static void test_every_possible_node_says_its_fallback_order(void **state)
{
	static char log[1 << 16];
	struct hotmem *hm = boot("default", NULL);

	(void)state;
	hotmem_dmesg(hm, log, sizeof(log));
	assert_non_null(strstr(log, "<6>Fallback order for Node 0: 0 \n"
				    "<6>Fallback order for Node 1: 0 \n"
				    "<6>Built 1 zonelists, mobility grouping on."));
	assert_int_equal(hotmem_add_memory(hm, 1, 0x100000000ULL, 128 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_MOVABLE), 0);
	hotmem_dmesg(hm, log, sizeof(log));
	assert_non_null(strstr(log, "<6>Fallback order for Node 0: 0 1 \n"
				    "<6>Fallback order for Node 1: 1 0 \n"
				    "<6>Built 2 zonelists"));
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_OFFLINE), 0);
	hotmem_dmesg(hm, log, sizeof(log));
	assert_non_null(strstr(strstr(log, "Built 2 zonelists"),
			       "<6>Fallback order for Node 0: 0 \n"
			       "<6>Fallback order for Node 1: 0 \n"));
	check(hm);
	hotmem_destroy(hm);
}

static void test_reference_host_hole_at_blocks_24_to_31(void **state)
{
	struct hotmem *hm = boot("host-24g", NULL);

	(void)state;
	assert_int_equal(hotmem_nr_blocks(hm), 192);
	for (unsigned long id = 24; id < 32; id++)
		assert_int_equal(block_state(hm, id), -1);
	assert_int_equal(block_state(hm, 23), HM_MEM_ONLINE);
	assert_int_equal(block_state(hm, 199), HM_MEM_ONLINE);
	assert_string_equal(valid_zones(hm, 104), "Normal\n");
	assert_string_equal(valid_zones(hm, 23), "DMA32\n");
	hotmem_destroy(hm);
}

static void test_52bit_kdump_machine_boots_in_little_metadata(void **state)
{
	struct hotmem *hm = boot("kdump-52bit", NULL);
	size_t peak = hotmem_metadata_peak_bytes(hm);

	(void)state;
	/*
	 * seed 000: arrays sized NR_MEM_SECTIONS (2^25 with 52 bits) would be
	 * hundreds of MiB; sized by present sections they are nothing.
	 */
	if (peak >= 1024 * 1024)
		fail_msg("boot metadata peaked at %zu bytes", peak);
	assert_int_equal(hotmem_nr_blocks(hm), 2);
	check(hm);
	hotmem_destroy(hm);
}

static void test_section_whose_memmap_fails_is_dropped_and_rest_boots(void **state)
{
	struct hotmem_config cfg;
	struct hotmem *hm;
	char err[256], log[4096];

	(void)state;
	hotmem_config_default(&cfg);
	cfg.debug_fail_memmap = true;
	cfg.debug_fail_memmap_section = 3;
	assert_int_equal(hotmem_create(&cfg, &hm, err, sizeof(err)), 0);
	assert_int_equal(hotmem_nr_blocks(hm), 7);
	assert_int_equal(block_state(hm, 3), -1);
	assert_int_equal(block_state(hm, 4), HM_MEM_ONLINE);
	hotmem_dmesg(hm, log, sizeof(log));
	assert_non_null(strstr(log, "memory map backing failed"));
	check(hm);
	hotmem_destroy(hm);
}

static void test_each_node_memmap_is_contiguous_on_its_node(void **state)
{
	struct hotmem *hm = boot("numa2", NULL);

	(void)state;
	for (int nid = 0; nid < 2; nid++) {
		unsigned long prev = 0;

		for (unsigned long nr = 0; nr < 16; nr++) {
			struct mem_section *ms = __nr_to_section(hm, nr);

			if (!valid_section(ms) || ms->nid != nid)
				continue;
			assert_int_equal(ms->vmemmap.pmd_src, VMEMMAP_BOOT);
			/* backed by the node's own memory */
			assert_int_equal(memblock_pfn_nid(hm, ms->vmemmap.pmd_pfn), nid);
			if (prev)
				assert_int_equal(ms->vmemmap.pmd_pfn, prev + SECTION_MEMMAP_PAGES);
			prev = ms->vmemmap.pmd_pfn;
		}
		assert_true(prev != 0);
	}
	check(hm);
	hotmem_destroy(hm);
}

static void test_parallel_memmap_init_equals_serial(void **state)
{
	struct hotmem_config cfg;
	struct hotmem *a, *b;
	char err[256];

	(void)state;
	hotmem_config_default(&cfg);
	cfg.init_threads = 1;
	assert_int_equal(hotmem_create(&cfg, &a, err, sizeof(err)), 0);
	cfg.init_threads = 4;
	assert_int_equal(hotmem_create(&cfg, &b, err, sizeof(err)), 0);
	/* every struct page identical, free lists aside */
	for (unsigned long pfn = 0; pfn < (1UL << 18); pfn += 7) {
		struct page *pa = hotmem_pfn_to_page(a, pfn), *pb = hotmem_pfn_to_page(b, pfn);

		assert_int_equal(pa->flags, pb->flags);
		assert_int_equal(pa->_refcount, pb->_refcount);
	}
	assert_int_equal(memtotal_kb(a), memtotal_kb(b));
	hotmem_destroy(a);
	hotmem_destroy(b);
}

static bool in_boot_ram(struct hotmem *hm, unsigned long pfn)
{
	for (int i = 0; i < hm->cfg.nr_boot_ranges; i++)
		if (pfn >= PHYS_PFN(hm->cfg.boot[i].start) && pfn < PHYS_PFN(hm->cfg.boot[i].end))
			return true;
	return false;
}

/*
 * memmap_init() writes the free state and reserves what memblock_free_all()
 * will not free: memblock's reservations (the boot memmap) and the holes
 * between boot ranges stay reserved with a reference, as in the kernel;
 * the rest of the boot memmap is its template shared, not host memory.
 */
static void test_boot_pages_not_freed_stay_reserved(void **state)
{
	struct hotmem *hm = boot("host-24g", IDLE_KERNEL);
	unsigned long reserved = 0, holes = 0;

	(void)state;
	for (int i = 0; i < hm->memblock.nr_reserved; i++) {
		const struct memblock_region *r = &hm->memblock.reserved[i];

		for (unsigned long pfn = PHYS_PFN(r->base); pfn < PHYS_PFN(r->base + r->size); pfn++) {
			assert_true(PageReserved(pfn_to_page(hm, pfn)));
			assert_int_equal(pfn_to_page(hm, pfn)->_refcount, 1);
			reserved++;
		}
	}
	assert_true(reserved >= 24 * 4096);	/* 24 GiB's memmap at least */
	for (unsigned long pfn = 0; pfn < PAGES_PER_SECTION; pfn++) {
		if (in_boot_ram(hm, pfn))
			continue;
		assert_true(PageReserved(pfn_to_page(hm, pfn)));
		assert_int_equal(pfn_to_page(hm, pfn)->_refcount, 1);
		holes++;
	}
	assert_true(holes > 0);
	/* and what is free is in the buddy: no page lost between the two */
	for (unsigned long pfn = PHYS_PFN(4 * GiB); pfn < PHYS_PFN(0x640000000ULL);) {	/* host-24g: RAM 4-25 GiB */
		struct page *p = pfn_to_page(hm, pfn);

		if (PageBuddy(p)) {
			pfn += 1UL << p->private;
			continue;
		}
		assert_true(PageReserved(p));
		pfn++;
	}
	assert_true(hotmem_ram_resident_bytes(hm) < 96 * MiB);	/* written: 384 MiB */
	check(hm);
	hotmem_destroy(hm);
}

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/*
 * A boot that fails in physmem_init() (here the RAM memfd's ftruncate,
 * beyond RLIMIT_FSIZE) leaves no file open: /proc/self/pagemap was.
 */
static void test_failed_boot_leaves_no_file_open(void **state)
{
	struct hotmem_config cfg;
	struct rlimit old, small;
	struct hotmem *hm = NULL;
	char err[256];
	int before;

	(void)state;
	hotmem_config_builtin(&cfg, "default");
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	small = (struct rlimit){ 1 << 20, old.rlim_max };
	signal(SIGXFSZ, SIG_IGN);
	before = open_fds();
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	assert_int_not_equal(hotmem_create(&cfg, &hm, err, sizeof(err)), 0);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	assert_non_null(strstr(err, "cannot reserve"));
	assert_int_equal(open_fds(), before);
	signal(SIGXFSZ, SIG_DFL);
}

/*
 * reread33 R4: the SWIOTLB buffer as 6.12 swiotlb_memblock_alloc() takes
 * it -- memblock_alloc_low(bytes, PAGE_SIZE), top-down below 4 GiB, so
 * right under a _text that is not 256 KiB aligned (hotmem aligned it
 * IO_TLB_SEGSIZE << IO_TLB_SHIFT: [mem 0x17000000-0x1b000000]) -- and
 * when no size fits, one warning a size tried, then pci_iommu_init()'s
 * two lines: "Using software bounce buffering" and "No low mem".
 */
static void test_swiotlb_as_6_12(void **state)
{
	static char log[1 << 17];
	struct hotmem *hm;
	const char *p;
	int warns = 0;

	(void)state;
	hm = boot_profile_text("profile = qemu-512m\n"
			       "kernel_image = code=0x1b001000-0x1bffffff rodata=0x1c000000-0x1c7fffff "
			       "data=0x1c800000-0x1cbfffff init=0x1cc00000-0x1cffffff "
			       "bss=0x1d000000-0x1e000fff\n"
			       "swiotlb = 64M\ncmdline = \"" IDLE_KERNEL "\"\n");
	hotmem_dmesg(hm, log, sizeof(log));
	assert_non_null(strstr(log, "<6>PCI-DMA: Using software bounce buffering for IO (SWIOTLB)\n"
				    "<6>software IO TLB: mapped [mem 0x0000000017001000-0x000000001b001000] "
				    "(64MB)\n"));
	assert_null(strstr(log, "Failed to allocate"));
	check(hm);
	hotmem_destroy(hm);

	/*
	 * no room below 4 GiB for even IO_TLB_MIN_SLABS (the first MiB real
	 * mode's, the rest an initrd's; the memmap above 4 GiB): 64M, 32M ...
	 * 1M each fail
	 */
	hm = boot_profile_text("ram = 0x1000-0x9efff\nram = 0x100000-0x3fffffff\n"
			       "ram = 0x100000000-0x13fffffff\nrealmode = yes\n"
			       "initrd = 0x100000-0x3fffffff\nswiotlb = 64M\n"
			       "cmdline = \"" IDLE_KERNEL "\"\n");
	hotmem_dmesg(hm, log, sizeof(log));
	for (p = log; (p = strstr(p, "<4>software IO TLB: swiotlb_memblock_alloc: Failed to allocate ")); p++)
		warns++;
	assert_int_equal(warns, 7);
	assert_non_null(strstr(log, "<4>software IO TLB: swiotlb_memblock_alloc: Failed to allocate "
				    "67108864 bytes tlb structure\n"));
	assert_non_null(strstr(log, "<4>software IO TLB: swiotlb_memblock_alloc: Failed to allocate "
				    "1048576 bytes tlb structure\n"));
	assert_non_null(strstr(log, "<6>PCI-DMA: Using software bounce buffering for IO (SWIOTLB)\n"
				    "<4>software IO TLB: No low mem\n"));
	check(hm);
	hotmem_destroy(hm);
}

/*
 * brk44: x86 6.12 reserve_brk() reserves the brk the boot used at its
 * fixed place, __brk_base = PFN_ALIGN(__bss_stop), not top-down with the
 * rest of the boot's allocations.  The walk's 6.12.118 guest (tests/kernel/
 * diffwalk.py's profile: its image's bss ends at 0x3bfffff, 17 pages of
 * brk, boot_reserved 68K less) with movablecore=128M: the brk pages are
 * DMA32's, reserved, right after bss, and the zones' managed pages are
 * the guest's (DMA32 84651, Movable 13224; in boot_reserved's top-down
 * lump they were Movable's: 84668/13207, walk43).  Without its
 * reservation in setup_arch_reserve() the pages were free and the count
 * 17 more; kernelcore=256M the same (52907/44968).
 */
static void test_brk_after_bss_below_movable(void **state)
{
	static const char image[] =
		"profile = qemu-512m\n"
		"kernel_image = code=0x1000000-0x1ffffff rodata=0x2000000-0x2b71fff "
		"data=0x2c00000-0x2e70fbf init=0x3302000-0x372afff smp_locks=0x372b000-0x3734fff "
		"bss=0x3736000-0x3bfffff bss_decrypted_unused=0x3a05000-0x3bfffff\n"
		"initrd = 0x1fd87000-0x1ffdffff\nboot_reserved = 4320K\nbrk = 68K\n";
	static const struct {
		const char *cmdline;
		unsigned long dma32, movable;
	} want[] = {
		{ "movablecore=128M", 84651, 13224 },
		{ "kernelcore=256M", 52907, 44968 },
	};
	char text[1024];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		struct hm_zone_info dma32, movable;
		struct hotmem *hm;

		snprintf(text, sizeof(text), "%scmdline = \"%s " IDLE_KERNEL "\"\n", image,
			 want[i].cmdline);
		hm = boot_profile_text(text);
		for (unsigned long pfn = 0x3c00; pfn < 0x3c11; pfn++) {
			struct page *page = pfn_to_page(hm, pfn);

			assert_true(PageReserved(page));
			assert_int_equal(page_zonenum(page), ZONE_DMA32);
		}
		/* the brk's end: the page after it is the buddy's */
		assert_false(PageReserved(pfn_to_page(hm, 0x3c11)));
		assert_int_equal(hotmem_zone_info(hm, 0, HM_ZONE_DMA32, &dma32), 0);
		assert_int_equal(hotmem_zone_info(hm, 0, HM_ZONE_MOVABLE, &movable), 0);
		assert_int_equal(dma32.managed, want[i].dma32);
		assert_int_equal(movable.managed, want[i].movable);
		check(hm);
		hotmem_destroy(hm);
	}
}

/*
 * A boot block of 256 MiB whose first section is node 0's and second
 * node 1's.  6.12's node_dev_init() registers it under node 0, then node 1
 * (register_mem_block_under_node_early(), drivers/base/node.c);
 * memory_block_add_nid() gives it the first node's zone, then NULL for the
 * second node, and leaves nid at the last one.  The engine gave it node 0
 * and node 0's Normal zone: valid_zones said Normal and only node0 linked it.
 */
static void test_block_spanning_two_nodes(void **state)
{
	struct hotmem_config cfg;
	static struct hm_explain ex;
	struct hm_block_info bi;
	struct hotmem *hm;
	char err[256], zones[64];

	(void)state;
	hotmem_config_default(&cfg);
	assert_int_equal(hotmem_config_parse_text(&cfg,
		"block_size = 256M\n"
		"nodes = 2\n"
		"ram = 0x1000-0x9efff node=0\n"
		"ram = 0x100000-0x3fffffff node=0\n"
		"ram = 0x100000000-0x107ffffff node=0\n"
		"ram = 0x108000000-0x12fffffff node=1\n"
		"cmdline = \"" IDLE_KERNEL "\"\n", err, sizeof(err)), 0);
	assert_int_equal(hotmem_create(&cfg, &hm, err, sizeof(err)), 0);

	/* memory16: node 0's 128 MiB of Normal, then node 1's */
	assert_int_equal(hotmem_block_info(hm, 16, &bi), 0);
	assert_int_equal(bi.nid, 1);
	assert_int_equal(bi.nodes, 0x3);
	assert_int_equal(bi.zone, -1);
	hotmem_block_valid_zones(hm, 16, zones, sizeof(zones));
	assert_string_equal(zones, "none\n");
	/* zone == NULL: memory_block_offline() says -EINVAL, nothing changes */
	assert_int_equal(hotmem_block_set_state(hm, 16, HM_MMOP_OFFLINE), -EINVAL);
	assert_int_equal(block_state(hm, 16), HM_MEM_ONLINE);
	assert_int_equal(hotmem_explain(hm, 16, &ex), 0);
	assert_string_equal(ex.verdict, "einval");
	assert_non_null(strstr(ex.reason, "spans several nodes"));

	/* one node, one zone: as before */
	assert_int_equal(hotmem_block_info(hm, 17, &bi), 0);
	assert_int_equal(bi.nid, 1);
	assert_int_equal(bi.nodes, 0x2);
	assert_int_equal(bi.zone, HM_ZONE_NORMAL);
	assert_int_equal(hotmem_block_info(hm, 1, &bi), 0);
	assert_int_equal(bi.nid, 0);
	assert_int_equal(bi.nodes, 0x1);
	/* memory0 spans DMA and DMA32 of one node: "none" too, node 0 alone */
	assert_int_equal(hotmem_block_info(hm, 0, &bi), 0);
	assert_int_equal(bi.nid, 0);
	assert_int_equal(bi.nodes, 0x1);
	assert_int_equal(bi.zone, -1);
	check(hm);
	hotmem_destroy(hm);
}

/* QEMU -numa node,memdev= of 192M + 320M (abuse29a N5): node 0 ends at 0xc000000, inside memory1 */
static const char split_section_profile[] =
	"nodes = 2\n"
	"cpu_nodes = 0-1\n"
	"ram = 0x1000-0x9efff node=0\n"
	"ram = 0x100000-0xbffffff node=0\n"
	"ram = 0xc000000-0x1fffffff node=1\n"
	"cmdline = \"" IDLE_KERNEL "\"\n";

#define SPLIT_PFN 0xc000UL	/* node 1's first pfn, inside section 1 (0x8000-0xffff) */

/*
 * A node boundary inside a section: 6.12's memmap_init() gives each page
 * its memblock region's node (for_each_mem_pfn_range(..., &nid)) and
 * __free_pages_core() frees it into page_zone(), so each node's zones
 * hold their own pages.  The engine gave section 1 node 0 whole: node 0's
 * DMA32 managed 60416 > present 45056, node 1 short by 16384, the
 * invariants failed at boot, and node 0's DMA32 handed out node 1's pfns.
 */
static void test_node_boundary_inside_a_section(void **state)
{
	struct hotmem *hm = boot_profile_text(split_section_profile);
	unsigned long got = 0, free0;
	struct hm_zone_info z0, z1;
	struct hm_node_info n0, n1;
	struct page *page;

	(void)state;
	check(hm);
	/* each page of section 1 is its range's: node and zone, pageblock Movable */
	for (unsigned long pfn = 0x8000; pfn < 0x10000; pfn++) {
		page = pfn_to_page(hm, pfn);
		assert_int_equal(page_to_nid(page), pfn < SPLIT_PFN ? 0 : 1);
		assert_int_equal(page_zonenum(page), ZONE_DMA32);
		if (!(pfn % pageblock_nr_pages))
			assert_int_equal(get_pfnblock_migratetype(hm, pfn), MIGRATE_MOVABLE);
	}
	/* the 6.12 guest's zoneinfo: present 45056 / 81888 (QEMU's end 0x1ffdffff) */
	assert_int_equal(hotmem_zone_info(hm, 0, HM_ZONE_DMA32, &z0), 0);
	assert_int_equal(hotmem_zone_info(hm, 1, HM_ZONE_DMA32, &z1), 0);
	assert_int_equal(z0.present, 45056);
	assert_int_equal(z1.present, 81920);
	/* managed: present less the boot memmap each node holds (two sections' each) */
	assert_int_equal(z0.managed, 45056 - 1024);
	assert_int_equal(z1.managed, 81920 - 1024);
	assert_int_equal(hotmem_node_info(hm, 0, &n0), 0);
	assert_int_equal(hotmem_node_info(hm, 1, &n1), 0);
	assert_int_equal(n0.present, 3998 + 45056);
	assert_int_equal(n0.managed, 3998 + 45056 - 1024);
	assert_int_equal(n1.managed, 81920 - 1024);
	assert_string_equal(valid_zones(hm, 1), "none\n");

	/* node 0's DMA32 to its last page: node 0's pfns only, node 1's untouched */
	free0 = z0.nr_free;
	while ((page = alloc_pages_zone(hm, &NODE_DATA(hm, 0)->node_zones[ZONE_DMA32], 0,
					MIGRATE_MOVABLE, true, ZONE_DMA32))) {
		assert_true(page_to_pfn(hm, page) < SPLIT_PFN);
		got++;
	}
	assert_int_equal(got, free0);
	assert_int_equal(hotmem_zone_info(hm, 1, HM_ZONE_DMA32, &z1), 0);
	assert_int_equal(z1.nr_free, 81920 - 1024);
	hotmem_destroy(hm);
}

/*
 * Node 1 from the middle of section 0 to the middle of section 2
 * (0x6000-0x12000), node 0 either side: 0xc000 pages, "2 sections" by
 * count but 3 touched.  parallel_memmap_init() cut its chunks by the
 * count: with 2 init threads its last 8192 pages were never written and
 * memblock_free_all() freed them into node 0's ZONE_DMA (managed 11166
 * for 3998 present).  Every thread count gives every page its node.
 */
static void test_node_run_inside_sections_any_init_threads(void **state)
{
	struct hm_zone_info z;
	char text[512];

	(void)state;
	for (unsigned int threads = 1; threads <= 4; threads++) {
		struct hotmem *hm;

		snprintf(text, sizeof(text),
			 "nodes = 2\n"
			 "init_threads = %u\n"
			 "ram = 0x1000-0x9efff node=0\n"
			 "ram = 0x100000-0x5ffffff node=0\n"
			 "ram = 0x6000000-0x11ffffff node=1\n"
			 "ram = 0x12000000-0x1fffffff node=0\n"
			 "cmdline = \"" IDLE_KERNEL "\"\n", threads);
		hm = boot_profile_text(text);
		for (unsigned long pfn = 0x6000; pfn < 0x12000; pfn++)
			assert_int_equal(page_to_nid(pfn_to_page(hm, pfn)), 1);
		assert_int_equal(hotmem_zone_info(hm, 0, HM_ZONE_DMA, &z), 0);
		assert_int_equal(z.managed, z.present);
		check(hm);
		hotmem_destroy(hm);
	}
}

/* @log's lines that hold @what, in their order */
static void lines_with(const char *log, const char *what, char *out, size_t len)
{
	size_t n = 0;

	out[0] = '\0';
	for (const char *l = log; *l;) {
		const char *e = strchrnul(l, '\n');

		if (memmem(l, (size_t)(e - l), what, strlen(what)) && n < len)
			n += (size_t)snprintf(out + n, len - n, "%.*s\n", (int)(e - l), l);
		l = *e ? e + 1 : e;
	}
}

/* a sysctl_boot() machine's log, and the lines of it sysctl_boot() picked */
static char sysctl_log[256 * 1024], sysctl_lines[4096];

/*
 * qemu-512m booted idle with the command-line @words, as the 6.12.117
 * guest was: its log in sysctl_log, that log's lines with @with in
 * sysctl_lines
 */
static struct hotmem *sysctl_boot(const char *words, const char *with)
{
	char cmdline[1024];
	struct hotmem *hm;

	assert_true(snprintf(cmdline, sizeof(cmdline), "%s %s", IDLE_KERNEL, words) <
		    (int)sizeof(cmdline));
	hm = boot("qemu-512m", cmdline);
	hotmem_dmesg(hm, sysctl_log, sizeof(sysctl_log));
	lines_with(sysctl_log, with, sysctl_lines, sizeof(sysctl_lines));
	return hm;
}

/*
 * The boot's marks are postcore_initcall's, before the init memory is
 * freed: hotmem_wmarks_boot() says so until a setup_per_zone_wmarks()
 * from the pages of after (a watermark_scale_factor write of the same
 * 10: DMA32's min one page up on qemu-512m), which a write's undo
 * snapshot puts back with the marks (the state file's "boot-watermarks",
 * wmark39)
 */
static void test_wmarks_boot_until_set_up_again(void **state)
{
	struct hotmem *hm = boot("qemu-512m", IDLE_KERNEL);
	struct hm_wmark_state *snap;

	(void)state;
	assert_true(hotmem_wmarks_boot(hm));
	snap = hotmem_wmark_save(hm);
	assert_non_null(snap);
	assert_int_equal(hotmem_set_watermark_scale_factor(hm, 10), 0);
	assert_false(hotmem_wmarks_boot(hm));
	hotmem_wmark_restore(hm, snap, HM_WMARK_MARKS);
	assert_true(hotmem_wmarks_boot(hm));
	hotmem_setup_per_zone_wmarks(hm);
	assert_false(hotmem_wmarks_boot(hm));
	hotmem_wmark_free(snap);
	hotmem_destroy(hm);
}

/* node 0's zone @zid as hotmem_zone_info() reads it */
static struct hm_zone_info node0_zone(struct hotmem *hm, int zid)
{
	struct hm_zone_info zi;

	assert_int_equal(hotmem_zone_info(hm, 0, zid, &zi), 0);
	return zi;
}

/* node 0's zone @zid's min/low/high are @m */
static void assert_marks(struct hotmem *hm, int zid, const unsigned long m[3])
{
	struct hm_zone_info zi = node0_zone(hm, zid);

	assert_int_equal(zi.wmark_min, m[0]);
	assert_int_equal(zi.wmark_low, m[1]);
	assert_int_equal(zi.wmark_high, m[2]);
}

/*
 * hotmem_wmark_restore()'s zone parts, as a state file's restore and a
 * change's undo use them (fix40a): HM_WMARK_ZONE_MARKS stores the zones'
 * _watermark[] alone -- not their reserves, not min_free_kbytes, the
 * operator's, watermark_scale_factor, the boot flag or the ratios;
 * HM_WMARK_ZONE_RESERVES the zones' lowmem_reserve[] alone, and only
 * while the ratios are the snapshot's (a ratio written since keeps the
 * reserves its own setup computed).  The snapshot's DMA32 carries
 * values no setup computes (its reserves above it, those a setup sets),
 * so that a part stored where it should not be shows (state41).
 */
static void test_wmark_restore_zone_parts(void **state)
{
	struct hotmem *hm = boot("qemu-512m", IDLE_KERNEL);
	const unsigned long mark[3] = { 11, 22, 33 }, res[HM_MAX_NR_ZONES] = { 0, 0, 2, 3, 4 };
	int ratio[HM_MAX_NR_ZONES], got[HM_MAX_NR_ZONES];
	struct hm_zone_info written, dma;
	struct hm_wmark_state *snap;
	unsigned long written_marks[3];

	(void)state;
	hotmem_lowmem_reserve_ratio(hm, ratio);
	snap = hotmem_wmark_save(hm);
	assert_non_null(snap);
	assert_int_equal(hotmem_wmark_state_set_zone(snap, 0, HM_ZONE_DMA32, mark, res), 0);
	/* the sysctls and marks moved since the snapshot, the reserves as booted (DMA32's 0s) */
	assert_int_equal(hotmem_set_watermark_scale_factor(hm, 200), 0);
	assert_int_equal(hotmem_set_min_free_kbytes(hm, 5000), 0);
	written = node0_zone(hm, HM_ZONE_DMA32);
	written_marks[0] = written.wmark_min;
	written_marks[1] = written.wmark_low;
	written_marks[2] = written.wmark_high;
	assert_int_not_equal(written.wmark_min, mark[0]);

	/* the reserves alone: the marks stay the writes' */
	hotmem_wmark_restore(hm, snap, HM_WMARK_ZONE_RESERVES);
	assert_memory_equal(node0_zone(hm, HM_ZONE_DMA32).lowmem_reserve, res, sizeof(res));
	assert_marks(hm, HM_ZONE_DMA32, written_marks);

	/* the same ratios written again: the reserves set up anew, the snapshot's no more */
	hotmem_set_lowmem_reserve_ratio(hm, ratio, HM_MAX_NR_ZONES);
	assert_memory_equal(node0_zone(hm, HM_ZONE_DMA32).lowmem_reserve, written.lowmem_reserve,
			    sizeof(written.lowmem_reserve));

	/* the marks alone: the reserves stay, and so do the sysctls and the boot flag */
	hotmem_wmark_restore(hm, snap, HM_WMARK_ZONE_MARKS);
	assert_marks(hm, HM_ZONE_DMA32, mark);
	assert_memory_equal(node0_zone(hm, HM_ZONE_DMA32).lowmem_reserve, written.lowmem_reserve,
			    sizeof(written.lowmem_reserve));
	assert_int_equal(hotmem_watermark_scale_factor(hm), 200);
	assert_int_equal(hotmem_min_free_kbytes(hm), 5000);
	assert_int_equal(hotmem_user_min_free_kbytes(hm), 5000);
	assert_false(hotmem_wmarks_boot(hm));

	/* a ratio written since the snapshot: its reserves and ratios stay */
	hotmem_set_lowmem_reserve_ratio(hm, (const int[]){ 7 }, 1);
	dma = node0_zone(hm, HM_ZONE_DMA);
	assert_int_equal(dma.lowmem_reserve[HM_ZONE_DMA32], node0_zone(hm, HM_ZONE_DMA32).managed / 7);
	hotmem_wmark_restore(hm, snap, HM_WMARK_ZONE_RESERVES);
	assert_memory_equal(node0_zone(hm, HM_ZONE_DMA).lowmem_reserve, dma.lowmem_reserve,
			    sizeof(dma.lowmem_reserve));
	assert_memory_equal(node0_zone(hm, HM_ZONE_DMA32).lowmem_reserve, written.lowmem_reserve,
			    sizeof(written.lowmem_reserve));
	hotmem_lowmem_reserve_ratio(hm, got);
	assert_int_equal(got[0], 7);
	hotmem_wmark_restore(hm, snap, HM_WMARK_ZONE_MARKS);
	hotmem_lowmem_reserve_ratio(hm, got);
	assert_int_equal(got[0], 7);
	hotmem_wmark_free(snap);
	hotmem_destroy(hm);
}

/*
 * setup_per_zone_lowmem_reserve() walks the online nodes (6.12
 * for_each_online_pgdat()): an offline node's reserves -- a state
 * file's, here node 1 of the default machine, possible and never online
 * -- a ratio write leaves as they are, the ratio's reader finds nothing
 * stale in them, the write's record carries them as they stand; the
 * online node's protection is as before.  Hot-added, node 1 is online
 * and set up with node 0 at its online.  zones43: every possible node's
 * were set up, node 1's 7 became 0.
 */
static void test_lowmem_reserve_leaves_offline_nodes(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL);
	const unsigned long res[HM_MAX_NR_ZONES] = { 0, 0, 0, 7, 0 };
	struct hm_node_wmarks before[2], after[2], rec[2];
	struct hm_wmark_state *snap;
	int ratio[HM_MAX_NR_ZONES];
	struct hm_node_info ni;
	struct hm_zone_info mov;
	unsigned long total;

	(void)state;
	assert_int_equal(hotmem_node_info(hm, 1, &ni), 0);
	assert_false(ni.online);
	hotmem_lowmem_reserve_ratio(hm, ratio);
	snap = hotmem_wmark_save(hm);
	assert_non_null(snap);
	assert_int_equal(hotmem_wmark_state_set_zone(snap, 1, HM_ZONE_NORMAL, NULL, res), 0);
	hotmem_wmark_restore(hm, snap, HM_WMARK_ZONE_RESERVES);
	hotmem_wmark_free(snap);
	assert_int_equal(hotmem_node_wmarks(hm, before, 2), 2);
	assert_memory_equal(before[1].zone[HM_ZONE_NORMAL].lowmem_reserve, res, sizeof(res));
	assert_int_not_equal(before[0].zone[HM_ZONE_DMA].lowmem_reserve[HM_ZONE_DMA32], 0);

	assert_false(hotmem_lowmem_reserve_stale(hm));
	assert_int_equal(hotmem_node_wmarks_reserves_for(hm, ratio, rec, 2, &total), 2);
	assert_memory_equal(rec[1].zone[HM_ZONE_NORMAL].lowmem_reserve, res, sizeof(res));
	assert_int_equal(total, hotmem_totalreserve_pages(hm));

	hotmem_set_lowmem_reserve_ratio(hm, ratio, HM_MAX_NR_ZONES);
	assert_int_equal(hotmem_node_wmarks(hm, after, 2), 2);
	for (int zid = 0; zid < HM_MAX_NR_ZONES; zid++)
		assert_memory_equal(after[0].zone[zid].lowmem_reserve, before[0].zone[zid].lowmem_reserve,
				    sizeof(res));
	assert_memory_equal(after[1].zone[HM_ZONE_NORMAL].lowmem_reserve, res, sizeof(res));
	assert_int_equal(hotmem_totalreserve_pages(hm), total);

	/* online: a Normal and a Movable block on node 1, its Normal protected by the Movable's */
	assert_int_equal(hotmem_add_memory(hm, 1, 4 * GiB, 256 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_KERNEL), 0);
	assert_int_equal(hotmem_block_set_state(hm, 33, HM_MMOP_ONLINE_MOVABLE), 0);
	assert_int_equal(hotmem_zone_info(hm, 1, HM_ZONE_MOVABLE, &mov), 0);
	assert_int_not_equal(mov.managed, 0);
	assert_int_equal(hotmem_node_wmarks(hm, after, 2), 2);
	assert_int_equal(after[1].zone[HM_ZONE_NORMAL].lowmem_reserve[HM_ZONE_MOVABLE],
			 mov.managed / (unsigned long)ratio[HM_ZONE_NORMAL]);
	check(hm);
	hotmem_destroy(hm);
}

/*
 * A state file's pagesets' limits, stats threshold and totalreserve_pages
 * (hotmem_wmark_state_set_pcp(), _set_totalreserve()) are stored as they
 * are with its marks, not set up again from those marks and the managed
 * pages of now (restart42); a ratio write's totalreserve_pages from
 * hotmem_node_wmarks_reserves_for() is the setup's
 */
static void test_wmark_state_keeps_a_files_pcp_and_totalreserve(void **state)
{
	struct hotmem *hm = boot("numa2", NULL);
	struct hm_wmark_state *s = hotmem_wmark_save(hm);
	const long pcp[3] = { 5, 6, 7 }, bad[3] = { 5, -1, 7 };
	const unsigned long node[4] = { 1, 2, 3, 4 };
	unsigned long wm[3], total = 0;
	int ratio[HM_MAX_NR_ZONES];
	struct hm_node_wmarks n[4];
	struct hm_zone_info zi;

	(void)state;
	assert_non_null(s);
	hotmem_lowmem_reserve_ratio(hm, ratio);
	assert_int_equal(hotmem_node_wmarks_reserves_for(hm, ratio, n, 4, &total), 4);
	assert_int_equal(total, hotmem_totalreserve_pages(hm));
	assert_int_equal(hotmem_node_wmarks(hm, n, 4), 4);
	assert_int_equal(hotmem_wmark_state_set_pcp(s, 4, HM_ZONE_DMA32, pcp, 9), -ENOENT);
	assert_int_equal(hotmem_wmark_state_set_pcp(s, 0, HM_ZONE_DMA32, bad, 9), -EINVAL);
	assert_int_equal(hotmem_wmark_state_set_totalreserve(s, 10, node, 3), -EINVAL);
	/* marks other than the restore's: the limits would be set up from them */
	for (int i = 0; i < 3; i++)
		wm[i] = n[0].zone[HM_ZONE_DMA32].watermark[i] + 100;
	assert_int_equal(hotmem_wmark_state_set_zone(s, 0, HM_ZONE_DMA32, wm, NULL), 0);
	assert_int_equal(hotmem_wmark_state_set_pcp(s, 0, HM_ZONE_DMA32, pcp, 9), 0);
	assert_int_equal(hotmem_wmark_state_set_totalreserve(s, 10, node, 4), 0);
	hotmem_wmark_restore(hm, s, HM_WMARK_ZONE_MARKS);
	hotmem_wmark_free(s);
	assert_int_equal(hotmem_zone_info(hm, 0, HM_ZONE_DMA32, &zi), 0);
	assert_int_equal(zi.wmark_min, wm[0]);
	assert_int_equal(zi.pcp_batch, 5);
	assert_int_equal(zi.pcp_high_min, 6);
	assert_int_equal(zi.pcp_high_max, 7);
	assert_int_equal(zi.stat_threshold, 9);
	assert_int_equal(hotmem_totalreserve_pages(hm), 10);
	assert_int_equal(hotmem_node_wmarks(hm, n, 4), 4);
	for (int nid = 0; nid < 4; nid++)
		assert_int_equal(n[nid].totalreserve_pages, node[nid]);
	hotmem_destroy(hm);
}

/*
 * hotmem_node_wmarks(): every possible node's zones as hotmem_zone_info()
 * reads them (numa2: nodes 2 and 3 without memory have a pgdat, as every
 * possible node's in 6.12), no more than the possible nodes filled;
 * hotmem_node_wmarks_reserves_for():
 * the reserves a write of the ratios sets, nothing stored until it is
 * written (a state file's every save and a ratio write's record, state41)
 */
static void test_node_wmarks_as_the_zones_have_them(void **state)
{
	struct hotmem *hm = boot("numa2", NULL);
	const int ratio[HM_MAX_NR_ZONES] = { 7, 32, 64, 0, 0 };
	struct hm_node_wmarks n[5], f[4], now[4];
	int before[HM_MAX_NR_ZONES], got[HM_MAX_NR_ZONES];

	(void)state;
	assert_int_equal(hotmem_node_wmarks(hm, n, 5), 4);
	assert_int_equal(hotmem_node_wmarks(hm, n, 1), 1);
	assert_int_equal(hotmem_node_wmarks(hm, n, 4), 4);
	for (int nid = 0; nid < 4; nid++)
		for (int zid = 0; zid < HM_MAX_NR_ZONES; zid++) {
			struct hm_zone_info zi;

			assert_int_equal(hotmem_zone_info(hm, nid, zid, &zi), 0);
			assert_int_equal(n[nid].zone[zid].watermark[0], zi.wmark_min);
			assert_int_equal(n[nid].zone[zid].watermark[1], zi.wmark_low);
			assert_int_equal(n[nid].zone[zid].watermark[2], zi.wmark_high);
			assert_int_equal(n[nid].zone[zid].pcp[0], zi.pcp_batch);
			assert_int_equal(n[nid].zone[zid].pcp[1], zi.pcp_high_min);
			assert_int_equal(n[nid].zone[zid].pcp[2], zi.pcp_high_max);
			assert_memory_equal(n[nid].zone[zid].lowmem_reserve, zi.lowmem_reserve,
					    sizeof(zi.lowmem_reserve));
		}

	hotmem_lowmem_reserve_ratio(hm, before);
	assert_int_equal(hotmem_node_wmarks_reserves_for(hm, ratio, f, 4, NULL), 4);
	/* nothing stored: the ratios and the reserves as they were */
	hotmem_lowmem_reserve_ratio(hm, got);
	assert_memory_equal(got, before, sizeof(got));
	assert_int_equal(hotmem_node_wmarks(hm, now, 4), 4);
	assert_int_equal(now[0].zone[HM_ZONE_DMA].lowmem_reserve[HM_ZONE_DMA32],
			 n[0].zone[HM_ZONE_DMA].lowmem_reserve[HM_ZONE_DMA32]);
	/* ratio 7 for DMA where the boot's is 256: a reserve of its own */
	assert_int_not_equal(f[0].zone[HM_ZONE_DMA].lowmem_reserve[HM_ZONE_DMA32],
			     n[0].zone[HM_ZONE_DMA].lowmem_reserve[HM_ZONE_DMA32]);
	/* written: what it computed, the marks as they stand */
	hotmem_set_lowmem_reserve_ratio(hm, ratio, HM_MAX_NR_ZONES);
	assert_int_equal(hotmem_node_wmarks(hm, now, 4), 4);
	for (int nid = 0; nid < 4; nid++)
		for (int zid = 0; zid < HM_MAX_NR_ZONES; zid++) {
			assert_memory_equal(now[nid].zone[zid].lowmem_reserve,
					    f[nid].zone[zid].lowmem_reserve,
					    sizeof(f[nid].zone[zid].lowmem_reserve));
			assert_memory_equal(f[nid].zone[zid].watermark, n[nid].zone[zid].watermark,
					    sizeof(n[nid].zone[zid].watermark));
		}
	hotmem_destroy(hm);
}

/*
 * The command line's sysctl.vm.NAME=VALUE words, applied at the end of
 * boot through the sysctl's handler (6.12 do_sysctl_args()), as a
 * 6.12.117 qemu-512m guest booted with these words applied and said them
 * (tests/fixtures/capture-guest.sh, 2026-12-03): min_free_kbytes 8000
 * (the operator's, kept by onlines), lowmem_reserve_ratio's first 1
 * ("sysctl/vm/...": '/' as good as '.'), nr_hugepages 3; the others
 * refused with the kernel's lines, in the line's order.  Not modelled:
 * sysctl.kernel.nosuch=1 (the guest: "parameter not found"; hotmem has
 * no kernel table), said nothing.  They were taken without a word and
 * never applied.
 */
static void test_sysctl_args_as_6_12(void **state)
{
	struct hotmem *hm = boot("qemu-512m", IDLE_KERNEL), *sm;
	int ratio[HM_MAX_NR_ZONES], base[HM_MAX_NR_ZONES];
	const unsigned long user = hotmem_user_reserve_kbytes(hm);
	const bool hvo = hotmem_hugetlb_optimize_vmemmap(hm);

	(void)state;
	hotmem_lowmem_reserve_ratio(hm, base);
	sm = sysctl_boot("sysctl.vm.min_free_kbytes=8000 sysctl.vm.nosuch=1 "
			 "sysctl.vm.watermark_scale_factor=0 sysctl/vm/lowmem_reserve_ratio=1 "
			 "sysctl.vm.hugetlb_optimize_vmemmap=x sysctl.vm.user_reserve_kbytes=-5 "
			 "sysctl.vm.nr_hugepages=3 sysctl.vm.swappiness "
			 "sysctl.vm.admin_reserve_kbytes= sysctl.kernel.nosuch=1 sysctlvm.x=1",
			 "sysctl");
	assert_int_equal(hotmem_min_free_kbytes(sm), 8000);
	assert_int_equal(hotmem_user_min_free_kbytes(sm), 8000);
	assert_int_equal(hotmem_watermark_scale_factor(sm), 10);
	hotmem_lowmem_reserve_ratio(sm, ratio);
	assert_int_equal(ratio[0], 1);
	assert_memory_equal(ratio + 1, base + 1, sizeof(ratio) - sizeof(ratio[0]));
	assert_int_equal(sm->hugetlb_nr, 3);
	assert_int_equal(hotmem_user_reserve_kbytes(sm), user);
	assert_int_equal(hotmem_hugetlb_optimize_vmemmap(sm), hvo);
	assert_string_equal(strstr(sysctl_lines, "<3>"),
		"<3>Failed to set sysctl parameter 'vm.nosuch=1': parameter not found\n"
		"<3>Failed to set sysctl parameter 'vm.watermark_scale_factor=0': invalid value\n"
		"<3>Failed to set sysctl parameter 'vm.hugetlb_optimize_vmemmap=x': invalid value\n"
		"<3>Failed to set sysctl parameter 'vm.user_reserve_kbytes=-5': invalid value\n"
		"<3>Setting sysctl args: `' invalid for parameter `sysctl.vm.swappiness'\n"
		"<3>Setting sysctl args: `' invalid for parameter `sysctl.vm.admin_reserve_kbytes'\n");
	/* after the boot's last lines: kernel_init()'s do_sysctl_args() */
	assert_true(strstr(sysctl_log, "sysctl parameter 'vm.nosuch=1'") >
		    strstr(sysctl_log, "Kernel command line"));
	check(sm);
	hotmem_destroy(sm);

	/*
	 * a handler that takes less than the value: set, and kernel_write()'s
	 * short count said (the same guest, booted with these three)
	 */
	sm = sysctl_boot("sysctl.vm.min_free_kbytes=\"9000 1\" "
			 "sysctl.vm.nr_overcommit_hugepages=\"5 6\" "
			 "sysctl.vm.lowmem_reserve_ratio=\"100 50x\"",
			 "Wrote only");
	assert_int_equal(hotmem_min_free_kbytes(sm), 9000);
	assert_int_equal(hotmem_hugetlb_overcommit(sm), 5);
	hotmem_lowmem_reserve_ratio(sm, ratio);
	assert_int_equal(ratio[0], 100);
	assert_int_equal(ratio[1], base[1]);
	assert_string_equal(sysctl_lines,
		"<3>Wrote only 5 bytes of 6 writing to proc file sys/vm/min_free_kbytes to set sysctl parameter 'vm.min_free_kbytes=9000 1\n"
		"<3>Wrote only 2 bytes of 3 writing to proc file sys/vm/nr_overcommit_hugepages to set sysctl parameter 'vm.nr_overcommit_hugepages=5 6\n"
		"<3>Wrote only 4 bytes of 7 writing to proc file sys/vm/lowmem_reserve_ratio to set sysctl parameter 'vm.lowmem_reserve_ratio=100 50x\n");
	check(sm);
	hotmem_destroy(sm);

	/*
	 * the path as 6.12's walk takes it (file_open_root_mnt() of "sys/" +
	 * the word, dots made slashes; read in fs/proc/proc_sysctl.c and
	 * link_path_walk(), not booted): a run of slashes is one, so
	 * vm..watermark_scale_factor is set (it was "not found"); a
	 * directory opened O_WRONLY is EISDIR, a file with a slash after it
	 * ENOTDIR (reread35 R6)
	 */
	sm = sysctl_boot("sysctl.vm..watermark_scale_factor=50 sysctl./vm/user_reserve_kbytes=1000 "
			 "sysctl.vm=1 sysctl.=1 sysctl/vm/min_free_kbytes/=7000",
			 "sysctl parameter");
	assert_int_equal(hotmem_watermark_scale_factor(sm), 50);
	assert_int_equal(hotmem_user_reserve_kbytes(sm), 1000);
	assert_int_not_equal(hotmem_min_free_kbytes(sm), 7000);
	assert_string_equal(sysctl_lines,
		"<3>Error -EISDIR opening proc file to set sysctl parameter 'vm=1'\n"
		"<3>Error -EISDIR opening proc file to set sysctl parameter '=1'\n"
		"<3>Error -ENOTDIR opening proc file to set sysctl parameter 'vm/min_free_kbytes/=7000'\n");
	check(sm);
	hotmem_destroy(sm);
	hotmem_destroy(hm);
}

/*
 * A command line of 1000 bytes: its "Kernel command line:" line whole in
 * the log, and the lines after it there too.  The ring's writer cut a
 * message at 600 bytes but copied its whole length, past its buffer: the
 * stack's bytes went into the ring, and hotmem_dmesg() stopped at the
 * first NUL among them.
 */
static void test_long_command_line_keeps_the_log(void **state)
{
	char words[1024], want[1100];
	struct hotmem *hm;

	(void)state;
	/* ten words of 95 bytes and their spaces, each refused: too long a number */
	for (int i = 0, n = 0; i < 10; i++)
		n += snprintf(words + n, sizeof(words) - (size_t)n, "%ssysctl.vm.watermark_scale_factor=%062d",
			      i ? " " : "", 1);
	assert_true(strlen(words) > 950);
	hm = sysctl_boot(words, "Kernel command line");
	snprintf(want, sizeof(want), "<5>Kernel command line: %s %s\n", IDLE_KERNEL, words);
	assert_string_equal(sysctl_lines, want);
	/* the log goes on after it: do_sysctl_args()'s line at the boot's end */
	lines_with(sysctl_log, "sysctl parameter", sysctl_lines, sizeof(sysctl_lines));
	assert_non_null(strstr(sysctl_lines, "'vm.watermark_scale_factor=0000"));
	check(hm);
	hotmem_destroy(hm);
}

/*
 * The vm sysctls hotmem does not serve: a word is parsed as 6.12's
 * handler parses a write and refused as the 6.12.117 guest refused it
 * (tests/fixtures/sysctl-args/qemu-6.12-sysctl-args.txt: each kind of
 * handler, a value either side of its bounds), nothing stored.  They
 * passed without a word (reread35 R6).  numa_zonelist_order=y is 6.12's
 * sysctl_aliases[] word for vm.numa_zonelist_order, set the same way (it
 * was taken without a word), and "Node", "n" pass as "Default" does (6.12
 * __parse_numa_zonelist_order(): d, D, n or N first; reread42 R1: hotmem
 * refused n/N); a word starting with '=' is no sysctl word
 * for next_arg() (its param "=sysctl.vm.swappiness").
 */
static void test_sysctl_args_unmodelled_as_6_12(void **state)
{
	struct hotmem *hm;

	(void)state;
	hm = sysctl_boot("sysctl.vm.swappiness=abc sysctl.vm.swappiness=300 "
			 "sysctl.vm.swappiness=200 sysctl.vm.drop_caches=0 sysctl.vm.drop_caches=4 "
			 "sysctl.vm.page-cluster=32 sysctl.vm.percpu_pagelist_high_fraction=7 "
			 "sysctl.vm.percpu_pagelist_high_fraction=8 sysctl.vm.mmap_rnd_bits=27 "
			 "sysctl.vm.memfd_noexec=-1 sysctl.vm.compact_memory=2 "
			 "sysctl.vm.compact_memory=1 sysctl.vm.laptop_mode=x sysctl.vm.laptop_mode=-1 "
			 "sysctl.vm.dirty_bytes=1 sysctl.vm.dirty_background_bytes=0 "
			 "sysctl.vm.overcommit_kbytes=-1 sysctl.vm.hugetlb_shm_group=-5 "
			 "sysctl.vm.numa_zonelist_order=x sysctl.vm.numa_zonelist_order=Default "
			 "sysctl.vm.stat_refresh=x numa_zonelist_order=y numa_zonelist_order "
			 "sysctl.vm.numa_zonelist_order=Node numa_zonelist_order=n "
			 "=sysctl.vm.swappiness=1", "sysctl");
	assert_string_equal(strstr(sysctl_lines, "<3>"),
		"<3>Failed to set sysctl parameter 'vm.swappiness=abc': invalid value\n"
		"<3>Failed to set sysctl parameter 'vm.swappiness=300': invalid value\n"
		"<3>Failed to set sysctl parameter 'vm.drop_caches=0': invalid value\n"
		"<3>Failed to set sysctl parameter 'vm.page-cluster=32': invalid value\n"
		"<3>Failed to set sysctl parameter 'vm.percpu_pagelist_high_fraction=7': invalid value\n"
		"<3>Failed to set sysctl parameter 'vm.mmap_rnd_bits=27': invalid value\n"
		"<3>Failed to set sysctl parameter 'vm.memfd_noexec=-1': invalid value\n"
		"<3>Failed to set sysctl parameter 'vm.compact_memory=2': invalid value\n"
		"<3>Failed to set sysctl parameter 'vm.laptop_mode=x': invalid value\n"
		"<3>Failed to set sysctl parameter 'vm.dirty_bytes=1': invalid value\n"
		"<3>Failed to set sysctl parameter 'vm.dirty_background_bytes=0': invalid value\n"
		"<3>Failed to set sysctl parameter 'vm.overcommit_kbytes=-1': invalid value\n"
		"<3>Failed to set sysctl parameter 'vm.numa_zonelist_order=x': invalid value\n"
		"<3>Failed to set sysctl parameter 'vm.numa_zonelist_order=y': invalid value\n"
		"<3>Setting sysctl args: `' invalid for parameter `numa_zonelist_order'\n");
	check(hm);
	hotmem_destroy(hm);
}

/* node 0's zone @zid's pagesets' limits: batch, high_min, high_max */
static void zone_pcp(struct hotmem *hm, int zid, long pcp[3])
{
	struct hm_zone_info zi = node0_zone(hm, zid);

	pcp[0] = zi.pcp_batch;
	pcp[1] = zi.pcp_high_min;
	pcp[2] = zi.pcp_high_max;
}

/*
 * vm.percpu_pagelist_high_fraction as 6.12's handler takes it
 * (percpu_pagelist_high_fraction_sysctl_handler(), zones43): 1..7 EINVAL
 * with the old value and limits kept; a new value sets each populated
 * zone's high_min and high_max to the managed pages over it, split over
 * the node's CPUs (8: the default high_max, for both); 0 gives the
 * defaults back; an online's setup keeps to it.  The boot word is the
 * same write ("invalid value" for 7, the next word's 8 taken).  Before
 * zones43 the value was parsed and dropped: 8 left high_min at the low
 * mark's share.
 */
static void test_percpu_pagelist_high_fraction(void **state)
{
	struct hotmem *hm = boot("qemu-512m", IDLE_KERNEL);
	long dflt[3], pcp[3];

	(void)state;
	/* the limits from the managed pages of now: the boot's are from before its init memory was freed */
	assert_int_equal(hotmem_set_watermark_scale_factor(hm, 10), 0);
	zone_pcp(hm, HM_ZONE_DMA32, dflt);
	assert_true(dflt[1] < dflt[2]);
	assert_int_equal(hotmem_set_percpu_pagelist_high_fraction(hm, 7), -EINVAL);
	assert_int_equal(hotmem_set_percpu_pagelist_high_fraction(hm, -1), -EINVAL);
	assert_int_equal(hotmem_set_percpu_pagelist_high_fraction(hm, (long long)INT_MAX + 1),
			 -EINVAL);
	assert_int_equal(hotmem_percpu_pagelist_high_fraction(hm), 0);
	zone_pcp(hm, HM_ZONE_DMA32, pcp);
	assert_memory_equal(pcp, dflt, sizeof(pcp));

	assert_int_equal(hotmem_set_percpu_pagelist_high_fraction(hm, 8), 0);
	assert_int_equal(hotmem_percpu_pagelist_high_fraction(hm), 8);
	zone_pcp(hm, HM_ZONE_DMA32, pcp);
	assert_int_equal(pcp[0], dflt[0]);
	assert_int_equal(pcp[1], dflt[2]);
	assert_int_equal(pcp[2], dflt[2]);
	/* refused: 8 and its limits stay */
	assert_int_equal(hotmem_set_percpu_pagelist_high_fraction(hm, 1), -EINVAL);
	assert_int_equal(hotmem_percpu_pagelist_high_fraction(hm), 8);
	zone_pcp(hm, HM_ZONE_DMA32, pcp);
	assert_int_equal(pcp[1], dflt[2]);

	/* 800: a hundredth of 8's, at least batch * 4 */
	assert_int_equal(hotmem_set_percpu_pagelist_high_fraction(hm, 800), 0);
	zone_pcp(hm, HM_ZONE_DMA32, pcp);
	assert_int_equal(pcp[1], pcp[2]);
	assert_true(pcp[2] < dflt[2] && pcp[2] >= 4 * dflt[0]);

	/* an online sets the marks up, the limits with them: still 800's */
	assert_int_equal(hotmem_add_memory(hm, 0, 4 * GiB, 128 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_MOVABLE), 0);
	zone_pcp(hm, HM_ZONE_MOVABLE, pcp);
	assert_int_equal(pcp[1], pcp[2]);
	zone_pcp(hm, HM_ZONE_DMA32, pcp);
	assert_int_equal(pcp[1], pcp[2]);

	/* 0: the defaults again, from the marks of now */
	assert_int_equal(hotmem_set_percpu_pagelist_high_fraction(hm, 0), 0);
	zone_pcp(hm, HM_ZONE_DMA32, pcp);
	assert_true(pcp[1] < pcp[2]);
	assert_int_equal(pcp[2], dflt[2]);
	check(hm);
	hotmem_destroy(hm);

	hm = sysctl_boot("sysctl.vm.percpu_pagelist_high_fraction=7 "
			 "sysctl.vm.percpu_pagelist_high_fraction=8", "Failed to set sysctl");
	assert_string_equal(sysctl_lines,
		"<3>Failed to set sysctl parameter 'vm.percpu_pagelist_high_fraction=7': invalid value\n");
	assert_int_equal(hotmem_percpu_pagelist_high_fraction(hm), 8);
	zone_pcp(hm, HM_ZONE_DMA32, pcp);
	assert_int_equal(pcp[1], pcp[2]);
	assert_int_equal(pcp[2], dflt[2]);
	check(hm);
	hotmem_destroy(hm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_boot_matches_a_real_x86_layout),
		cmocka_unit_test(test_sysctl_args_as_6_12),
		cmocka_unit_test(test_wmarks_boot_until_set_up_again),
		cmocka_unit_test(test_wmark_restore_zone_parts),
		cmocka_unit_test(test_lowmem_reserve_leaves_offline_nodes),
		cmocka_unit_test(test_node_wmarks_as_the_zones_have_them),
		cmocka_unit_test(test_wmark_state_keeps_a_files_pcp_and_totalreserve),
		cmocka_unit_test(test_sysctl_args_unmodelled_as_6_12),
		cmocka_unit_test(test_percpu_pagelist_high_fraction),
		cmocka_unit_test(test_long_command_line_keeps_the_log),
		cmocka_unit_test(test_every_possible_node_says_its_fallback_order),
		cmocka_unit_test(test_reference_host_hole_at_blocks_24_to_31),
		cmocka_unit_test(test_52bit_kdump_machine_boots_in_little_metadata),
		cmocka_unit_test(test_section_whose_memmap_fails_is_dropped_and_rest_boots),
		cmocka_unit_test(test_each_node_memmap_is_contiguous_on_its_node),
		cmocka_unit_test(test_parallel_memmap_init_equals_serial),
		cmocka_unit_test(test_boot_pages_not_freed_stay_reserved),
		cmocka_unit_test(test_failed_boot_leaves_no_file_open),
		cmocka_unit_test(test_block_spanning_two_nodes),
		cmocka_unit_test(test_swiotlb_as_6_12),
		cmocka_unit_test(test_brk_after_bss_below_movable),
		cmocka_unit_test(test_node_boundary_inside_a_section),
		cmocka_unit_test(test_node_run_inside_sections_any_init_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
