// SPDX-License-Identifier: GPL-2.0
/* soft_offline_page / memory_failure and how hotplug meets retired pages. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"
#include "internal.h"
#include "../cmocka_skip.h"

#define DIMM 0x100000000ULL
#define DIMM_PFN (DIMM >> 12)

static bool dmesg_has(struct hotmem *hm, const char *line)
{
	static char log[1 << 20];

	hotmem_dmesg(hm, log, sizeof(log));
	return strstr(log, line) != NULL;
}

static void test_soft_offline_migrates_then_retires(void **state)
{
	struct hotmem *hm = boot("default", NULL);
	unsigned long h, flags;
	char buf[8];
	uint64_t pfn;

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 128 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_MOVABLE), 0);
	assert_int_equal(hotmem_alloc_page_at(hm, DIMM_PFN + 100, HM_ALLOC_MOVABLE, &h), 0);
	assert_int_equal(hotmem_page_write(hm, h, "content", 8), 0);
	assert_int_equal(hotmem_soft_offline_page(hm, DIMM_PFN + 100), 0);
	assert_int_equal(hotmem_handle_pfn(hm, h, &pfn), 0);
	assert_true(pfn != DIMM_PFN + 100);
	assert_int_equal(hotmem_page_read(hm, h, buf, 8), 0);
	assert_string_equal(buf, "content");
	assert_int_equal(hotmem_page_flags(hm, DIMM_PFN + 100, &flags), 0);
	assert_true(flags & (1UL << HM_PG_hwpoison));
	/* again: already poisoned is fine for soft offline */
	assert_int_equal(hotmem_soft_offline_page(hm, DIMM_PFN + 100), 0);
	/* a free page is retired directly */
	assert_int_equal(hotmem_soft_offline_page(hm, DIMM_PFN + 5000), 0);
	assert_int_equal(hotmem_nr_poisoned_pages(hm), 2);
	check(hm);
	/* offlining steps over them; onlining again is refused */
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_OFFLINE), 0);
	check(hm);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE), -EHWPOISON);
	assert_int_equal(hotmem_remove_memory(hm, DIMM, 128 * MiB), 0);
	assert_int_equal(hotmem_nr_poisoned_pages(hm), 0);
	check(hm);
	hotmem_destroy(hm);
}

static void test_memory_failure_drops_the_content(void **state)
{
	struct hotmem *hm = boot("default", NULL);
	unsigned long h, u;
	uint64_t pfn;

	(void)state;
	/* the block's first pages hold the kernel's own allocations: stay clear */
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 128 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_KERNEL), 0);
	assert_int_equal(hotmem_alloc_page_at(hm, DIMM_PFN + 20007, HM_ALLOC_MOVABLE, &h), 0);
	assert_int_equal(hotmem_memory_failure(hm, DIMM_PFN + 20007), 0);
	assert_int_equal(hotmem_handle_pfn(hm, h, &pfn), -ENOENT);
	assert_int_equal(hotmem_memory_failure(hm, DIMM_PFN + 20007), -EHWPOISON);
	/*
	 * a kernel (kmalloc) page: soft offline cannot handle it (-EIO),
	 * memory_failure() poisons and ignores it (-EBUSY)
	 */
	assert_int_equal(hotmem_alloc_page_at(hm, DIMM_PFN + 20009, HM_ALLOC_UNMOVABLE, &u), 0);
	assert_int_equal(hotmem_soft_offline_page(hm, DIMM_PFN + 20009), -EIO);
	assert_int_equal(hotmem_memory_failure(hm, DIMM_PFN + 20009), -EBUSY);
	/* no memmap, or not online: memory_failure() says so (6.12 pr_err), soft offline not */
	assert_int_equal(hotmem_memory_failure(hm, 0x4000000), -ENXIO);
	assert_true(dmesg_has(hm, "Memory failure: 0x4000000: memory outside kernel control"));
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM + 128 * MiB, 128 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_soft_offline_page(hm, DIMM_PFN + 32768), -EIO);
	assert_false(dmesg_has(hm, "Memory failure: 0x108000: memory outside kernel control"));
	assert_int_equal(hotmem_memory_failure(hm, DIMM_PFN + 32768), -ENXIO);
	assert_true(dmesg_has(hm, "Memory failure: 0x108000: memory outside kernel control"));
	check(hm);
	hotmem_destroy(hm);
}

/*
 * The memmap of an online section the host left unmapped (the unshare of
 * a HugeTLB vmemmap optimisation it refused, three times): soft offline
 * and memory failure of a free page there map the memmap again before
 * they read its struct page, or fail with ENOMEM and retire nothing while
 * the host still refuses.  Without the remap they took SIGSEGV.
 */
static void test_retire_maps_a_lost_memmap_first(void **state)
{
	const unsigned long pfn = DIMM_PFN + 32767;

	(void)state;
	for (int hard = 0; hard < 2; hard++) {
		struct hotmem *hm = hvo_lose_memmap(false, 3);
		struct mem_section *ms = __nr_to_section(hm, 32);
		int (*retire)(struct hotmem *, uint64_t) =
			hard ? hotmem_memory_failure : hotmem_soft_offline_page;
		unsigned long flags;

		hotmem_fail_nth_alloc(hm, 1);
		hm->fail_more = 64;
		assert_int_equal(retire(hm, pfn), -ENOMEM);
		hotmem_fail_nth_alloc(hm, 0);
		hm->fail_more = 0;
		assert_int_equal(hotmem_nr_poisoned_pages(hm), 0);
		assert_true(ms->section_mem_map & SECTION_MEMMAP_UNMAPPED);
		/* the host willing: mapped, then retired */
		assert_int_equal(retire(hm, pfn), 0);
		assert_false(ms->section_mem_map & SECTION_MEMMAP_UNMAPPED);
		assert_int_equal(hotmem_nr_poisoned_pages(hm), 1);
		assert_int_equal(hotmem_page_flags(hm, pfn, &flags), 0);
		assert_true(flags & (1UL << HM_PG_hwpoison));
		check(hm);
		hotmem_destroy(hm);
	}
}

/* node 0's memory_failure/ counters: total ignored failed delayed recovered */
static void assert_mf(struct hotmem *hm, unsigned long total, unsigned long ignored,
		      unsigned long failed, unsigned long recovered)
{
	struct hm_node_info ni;

	assert_int_equal(hotmem_node_info(hm, 0, &ni), 0);
	assert_int_equal(ni.mf_total, total);
	assert_int_equal(ni.mf_ignored, ignored);
	assert_int_equal(ni.mf_failed, failed);
	assert_int_equal(ni.mf_delayed, 0);
	assert_int_equal(ni.mf_recovered, recovered);
}

static bool poisoned(struct hotmem *hm, uint64_t pfn)
{
	unsigned long flags;

	assert_int_equal(hotmem_page_flags(hm, pfn, &flags), 0);
	return flags & (1UL << HM_PG_hwpoison);
}

/* the first page of block @id the kernel's own allocations hold */
static uint64_t kernel_page(struct hotmem *hm, unsigned long id)
{
	struct hm_explain *ex = calloc(1, sizeof(*ex));
	uint64_t pfn = 0;

	assert_non_null(ex);
	assert_int_equal(hotmem_explain(hm, id, ex), 0);
	for (unsigned long i = 0; i < ex->nr_entries && i < HM_EXPLAIN_MAX && !pfn; i++)
		if (!strcmp(ex->pages[i].kind, "kernel"))
			pfn = ex->pages[i].pfn;
	free(ex);
	assert_true(pfn != 0);
	return pfn;
}

/*
 * memory_failure() of a page the kernel cannot handle (6.12-6.18,
 * get_any_page() -EIO): the page is poisoned all the same, counted
 * MF_IGNORED (MF_MSG_GET_HWPOISON) and the write gets -EBUSY; a pinned
 * user page is unmapped but still referenced: MF_FAILED, -EBUSY.  The
 * engine refused both with -EBUSY and left them unpoisoned, counted
 * nowhere.  A poisoned page freed later never goes back to the buddy.
 */
static void test_memory_failure_of_kernel_pages_is_ignored(void **state)
{
	struct hotmem *hm = boot("default", NULL);
	unsigned long u, p, q;
	uint64_t kpfn, pfn;

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 128 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_KERNEL), 0);
	/* the kernel's own page (slab, page tables) */
	kpfn = kernel_page(hm, 32);
	assert_int_equal(hotmem_soft_offline_page(hm, kpfn), -EIO);
	assert_false(poisoned(hm, kpfn));
	assert_mf(hm, 0, 0, 0, 0);
	assert_int_equal(hotmem_memory_failure(hm, kpfn), -EBUSY);
	assert_true(poisoned(hm, kpfn));
	assert_int_equal(hotmem_nr_poisoned_pages(hm), 1);
	assert_mf(hm, 1, 1, 0, 0);
	/* MF_MSG_ALREADY_POISONED: -EHWPOISON, not counted */
	assert_int_equal(hotmem_memory_failure(hm, kpfn), -EHWPOISON);
	assert_mf(hm, 1, 1, 0, 0);
	/* the kernel goes on allocating and freeing around it */
	for (int i = 0; i < 50; i++)
		kmem_tick(hm); /* what every block operation ends with */
	assert_true(poisoned(hm, kpfn));
	check(hm);

	/* an unmovable workload page: ignored too; freed, it stays out of the buddy */
	assert_int_equal(hotmem_alloc_page_at(hm, DIMM_PFN + 20011, HM_ALLOC_UNMOVABLE, &u), 0);
	assert_int_equal(hotmem_memory_failure(hm, DIMM_PFN + 20011), -EBUSY);
	assert_mf(hm, 2, 2, 0, 0);
	assert_int_equal(hotmem_free_page(hm, u), 0);
	assert_int_equal(hotmem_alloc_page_at(hm, DIMM_PFN + 20011, HM_ALLOC_MOVABLE, &u), -EBUSY);
	assert_true(poisoned(hm, DIMM_PFN + 20011));
	check(hm);

	/* a pinned page: soft offline cannot migrate it, memory failure fails */
	assert_int_equal(hotmem_alloc_page_at(hm, DIMM_PFN + 20013, HM_ALLOC_PINNED, &p), 0);
	assert_int_equal(hotmem_soft_offline_page(hm, DIMM_PFN + 20013), -EBUSY);
	assert_false(poisoned(hm, DIMM_PFN + 20013));
	/* soft_offline_in_use_page()'s line, %pGp of the page back on its LRU (6.12) */
	assert_true(dmesg_has(hm, "Soft offline: 0x104e2d: page migration failed 1, type "
				  "0x17ffffc0020128(uptodate|lru|active|swapbacked|node=0|zone=2|"
				  "lastcpupid=0x1fffff)"));
	assert_int_equal(hotmem_handle_pfn(hm, p, &pfn), 0);
	assert_int_equal(hotmem_memory_failure(hm, DIMM_PFN + 20013), -EBUSY);
	assert_true(poisoned(hm, DIMM_PFN + 20013));
	assert_int_equal(hotmem_handle_pfn(hm, p, &pfn), -ENOENT);
	assert_mf(hm, 3, 2, 1, 0);
	/*
	 * has_extra_refcount()'s count (6.12): the page's after m_f()'s get
	 * and the unmap, less m_f()'s own: the pin, GUP_PIN_COUNTING_BIAS
	 */
	assert_true(dmesg_has(hm, "Memory failure: 0x104e2d: dirty LRU page still referenced by 1024 users"));
	/* and a movable one is recovered, referenced by nobody else */
	assert_int_equal(hotmem_alloc_page_at(hm, DIMM_PFN + 20015, HM_ALLOC_MOVABLE, &q), 0);
	assert_int_equal(hotmem_memory_failure(hm, DIMM_PFN + 20015), 0);
	assert_false(dmesg_has(hm, "0x104e2f: dirty LRU page still referenced"));
	assert_mf(hm, 4, 2, 1, 1);
	assert_int_equal(hotmem_nr_poisoned_pages(hm), 4);
	check(hm);
	hotmem_destroy(hm);
}

/*
 * has_extra_refcount() (6.12 me_pagecache_clean()) fails a user page
 * whatever holds the reference left besides m_f()'s: a movable page held
 * by someone else too (here one reference more, as an isolation or a GUP
 * would take) is "still referenced by 1 users", MF_FAILED, -EBUSY.  Only
 * a pinned page said so (review reread18 F6): this one was recovered.
 */
static void test_memory_failure_of_a_held_movable_page_fails(void **state)
{
	struct hotmem *hm = boot("default", NULL);
	struct page *page;
	unsigned long q;

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 128 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_KERNEL), 0);
	assert_int_equal(hotmem_alloc_page_at(hm, DIMM_PFN + 20017, HM_ALLOC_MOVABLE, &q), 0);
	page = pfn_to_page(hm, DIMM_PFN + 20017);
	set_page_count(page, page_ref_count(page) + 1);
	assert_int_equal(hotmem_memory_failure(hm, DIMM_PFN + 20017), -EBUSY);
	assert_true(dmesg_has(hm, "Memory failure: 0x104e31: dirty LRU page still referenced by 1 users"));
	assert_true(poisoned(hm, DIMM_PFN + 20017));
	assert_mf(hm, 1, 0, 1, 0);
	/* the other holder lets go */
	set_page_count(page, page_ref_count(page) - 1);
	check(hm);
	hotmem_destroy(hm);
}

/* a DIMM online_kernel with a workload kmalloc page at DIMM_PFN + 20009 (*@u) */
static struct hotmem *dimm_with_kmalloc_page(unsigned long *u)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL);

	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 128 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_KERNEL), 0);
	assert_int_equal(hotmem_alloc_page_at(hm, DIMM_PFN + 20009, HM_ALLOC_UNMOVABLE, u), 0);
	return hm;
}

/*
 * A workload kmalloc page memory_failure() ignored stays its owner's
 * while its block is online; offline steps over the poison as 6.12 does,
 * and the owner loses the page with the block.  The workload kept the
 * handle: the debug check failed at once after the offline, and after
 * remove_memory() free-all freed through the removed memmap (SIGSEGV;
 * review8 #1).
 */
static void test_ignored_workload_page_leaves_with_its_block(void **state)
{
	unsigned long u;
	struct hotmem *hm = dimm_with_kmalloc_page(&u);
	uint64_t pfn;

	(void)state;
	assert_int_equal(hotmem_memory_failure(hm, DIMM_PFN + 20009), -EBUSY);
	/* ignored: still the owner's */
	assert_int_equal(hotmem_handle_pfn(hm, u, &pfn), 0);
	assert_int_equal(pfn, DIMM_PFN + 20009);
	check(hm);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_OFFLINE), 0);
	assert_int_equal(hotmem_handle_pfn(hm, u, &pfn), -ENOENT);
	check(hm);
	assert_int_equal(hotmem_remove_memory(hm, DIMM, 128 * MiB), 0);
	check(hm);
	assert_int_equal(hotmem_free_all(hm), 0);
	assert_int_equal(hotmem_free_page(hm, u), -ENOENT);
	check(hm);
	hotmem_destroy(hm);
}

/*
 * A replay counts the outcome recorded, whatever the page is now: a kernel
 * page memory_failure() ignored is free after a restart (hotmemfs saves
 * no workload), and counted recovered it changed nodeN/memory_failure/
 * across kill -9 (review8 #5).  The page is handled as it is now.
 */
static void test_memory_failure_counted_as_recorded(void **state)
{
	unsigned long u;
	struct hotmem *hm = dimm_with_kmalloc_page(&u);
	int counted;

	(void)state;
	assert_int_equal(hotmem_memory_failure_counted(hm, DIMM_PFN + 20009, HM_MF_NONE, &counted),
			 -EBUSY);
	assert_int_equal(counted, HM_MF_IGNORED);
	/* already poisoned: nothing counted */
	assert_int_equal(hotmem_memory_failure_counted(hm, DIMM_PFN + 20009, HM_MF_NONE, &counted),
			 -EHWPOISON);
	assert_int_equal(counted, HM_MF_NONE);
	/* a free page replayed as the ignored kernel page it was */
	assert_int_equal(hotmem_memory_failure_counted(hm, DIMM_PFN + 20011, HM_MF_IGNORED, &counted),
			 -EBUSY);
	assert_int_equal(counted, HM_MF_IGNORED);
	assert_true(poisoned(hm, DIMM_PFN + 20011));
	assert_mf(hm, 2, 2, 0, 0);
	assert_int_equal(hotmem_memory_failure_counted(hm, DIMM_PFN + 20013, 7, &counted), -EINVAL);
	assert_false(poisoned(hm, DIMM_PFN + 20013));
	check(hm);
	hotmem_destroy(hm);
}

/* the vmemmap pages holding the struct pages of [@pfn, @pfn + @nr) the host maps */
static long vmemmap_mapped(struct hotmem *hm, unsigned long pfn, unsigned long nr)
{
	const uintptr_t first = (uintptr_t)pfn_to_page(hm, pfn) / 4096;
	const uintptr_t last = ((uintptr_t)pfn_to_page(hm, pfn + nr) - 1) / 4096;
	long n = 0;

	for (uintptr_t v = first; v <= last; v++) {
		uint64_t ent;

		assert_int_equal(pread(hm->pagemap_fd, &ent, sizeof(ent), (off_t)(v * sizeof(ent))),
				 sizeof(ent));
		n += (long)(ent >> 63);
	}
	return n;
}

/*
 * A poisoned page in one block costs the others nothing: a free of 2^order
 * pages and an offline elsewhere read no struct page for poison
 * (range_may_hold_hwpoison(), the blocks' memblk_nr_poison()).  Once one
 * page anywhere was poisoned, every free read each of its struct pages
 * and every offline each of its block's.  What was read shows in the
 * vmemmap pages the host maps: a memmap shared with its template maps a
 * page only when it is read (no fault-around: the engine's userfaultfd).
 * The block holding the poison behaves as before.
 */
static void test_poison_elsewhere_reads_no_memmap(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL);
	const unsigned long b33 = DIMM_PFN + 32768;
	struct zone *movable = &NODE_DATA(hm, 0)->node_zones[ZONE_MOVABLE];
	struct page *page;
	unsigned long pfn;
	long mapped;

	(void)state;
	/* HOTMEM_TEST_NO_UFFD: as if there were none (tests/engine/unit-skip-reason.t) */
	if (getenv("HOTMEM_TEST_NO_UFFD") || hm->uffd < 0 || hm->pagemap_fd < 0) {
		hotmem_destroy(hm);
		skip_why("no userfaultfd or pagemap here: the host faults around, reads do not show");
	}
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 256 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 33, HM_MMOP_ONLINE_MOVABLE), 0);
	page = alloc_pages_zone(hm, movable, MAX_PAGE_ORDER, MIGRATE_MOVABLE, true,
				 ZONE_MOVABLE);
	assert_non_null(page);
	pfn = page_to_pfn(hm, page);
	assert_true(pfn >= b33 && pfn < b33 + 32768);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_MOVABLE), 0);
	assert_int_equal(hotmem_memory_failure(hm, DIMM_PFN + 20007), 0);

	/* free_pages_prepare()'s check: the 16 vmemmap pages were all read */
	mapped = vmemmap_mapped(hm, pfn, MAX_ORDER_NR_PAGES);
	__free_pages(hm, page, MAX_PAGE_ORDER);
	assert_int_equal(vmemmap_mapped(hm, pfn, MAX_ORDER_NR_PAGES), mapped);
	check(hm);

	/* offline_pages()'s workload_offline_poisoned(): 512 read, 65 or so now */
	assert_int_equal(hotmem_block_set_state(hm, 33, HM_MMOP_OFFLINE), 0);
	mapped = vmemmap_mapped(hm, b33, 32768);
	print_message("# offline of a block without poison: %ld vmemmap pages mapped of 512\n",
		      mapped);
	assert_true(mapped < 256);

	/* the block with the poison: stepped over, retired for good */
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_OFFLINE), 0);
	assert_true(poisoned(hm, DIMM_PFN + 20007));
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE), -EHWPOISON);
	assert_int_equal(hotmem_block_set_state(hm, 33, HM_MMOP_ONLINE), 0);
	assert_int_equal(hotmem_nr_poisoned_pages(hm), 1);
	check(hm);
	hotmem_destroy(hm);
}

static void test_phys_to_nid_follows_boot_ranges(void **state)
{
	struct hotmem *hm = boot("numa2", NULL);
	struct hm_node_info ni;

	(void)state;
	assert_int_equal(hotmem_phys_to_nid(hm, 0x50000000), 1);
	assert_int_equal(hotmem_phys_to_nid(hm, 0x10000000), 0);
	assert_int_equal(hotmem_phys_to_nid(hm, DIMM), 0);
	assert_int_equal(hotmem_node_info(hm, 1, &ni), 0);
	assert_true(ni.has_cpu);
	assert_int_equal(hotmem_node_info(hm, 2, &ni), 0);
	assert_false(ni.has_cpu);
	hotmem_destroy(hm);
}

int main(void)
{
	/* not const: skip_why() names a skip's reason in it (cmocka_skip.h) */
	static struct CMUnitTest tests[] = {
		cmocka_unit_test(test_soft_offline_migrates_then_retires),
		cmocka_unit_test(test_memory_failure_drops_the_content),
		cmocka_unit_test(test_memory_failure_of_kernel_pages_is_ignored),
		cmocka_unit_test(test_memory_failure_of_a_held_movable_page_fails),
		cmocka_unit_test(test_retire_maps_a_lost_memmap_first),
		cmocka_unit_test(test_ignored_workload_page_leaves_with_its_block),
		cmocka_unit_test(test_memory_failure_counted_as_recorded),
		cmocka_unit_test(test_phys_to_nid_follows_boot_ranges),
		cmocka_unit_test(test_poison_elsewhere_reads_no_memmap),
	};

	skip_register_tests(tests);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
