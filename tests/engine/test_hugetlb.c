// SPDX-License-Identifier: GPL-2.0
/* HugeTLB vmemmap optimisation, and its refusal on self-hosted memmaps (seed 003). */
#include <stdio.h>
#include <string.h>

#include "helpers.h"
#include "internal.h"

#define DIMM 0x100000000ULL

static unsigned long hvo_saved(struct hotmem *hm)
{
	struct hm_meminfo mi;

	hotmem_meminfo(hm, &mi);
	return mi.hvo_saved_pages;
}

static void test_hvo_frees_seven_vmemmap_pages_per_huge_page(void **state)
{
	struct hotmem *hm = boot("default", "hugetlb_free_vmemmap=on");
	unsigned long total = memtotal_kb(hm);

	(void)state;
	assert_int_equal(hotmem_hugetlb_alloc(hm, 0, 4), 4);
	assert_int_equal(hvo_saved(hm), 28);
	/* boot memmap pages freed by HVO become ordinary managed memory */
	assert_int_equal(memtotal_kb(hm) - total, 28 * 4);
	check(hm);
	assert_int_equal(hotmem_hugetlb_free(hm, 4), 4);
	assert_int_equal(hvo_saved(hm), 0);
	check(hm);
	hotmem_destroy(hm);
}

static void test_hvo_off_saves_nothing(void **state)
{
	struct hotmem *hm = boot("default", NULL);

	(void)state;
	assert_int_equal(hotmem_hugetlb_alloc(hm, 0, 4), 4);
	assert_int_equal(hvo_saved(hm), 0);
	check(hm);
	hotmem_destroy(hm);
}

static void test_hvo_refused_where_the_memmap_is_self_hosted(void **state)
{
	struct hotmem *hm = boot("default", "hugetlb_free_vmemmap=on "
					    "memory_hotplug.memmap_on_memory=1");

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 128 * MiB, HM_MHP_MEMMAP_ON_MEMORY, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_MOVABLE), 0);
	/* movable huge pages come from ZONE_MOVABLE first: this block */
	assert_int_equal(hotmem_hugetlb_alloc(hm, 0, 8), 8);
	assert_int_equal(hvo_saved(hm), 0);
	check(hm);
	/* offline dissolves them */
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_OFFLINE), 0);
	check(hm);
	hotmem_destroy(hm);
}

static void test_hvo_splits_a_buddy_allocated_memmap(void **state)
{
	struct hotmem *hm = boot("default", "hugetlb_free_vmemmap=on");
	bool huge;

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 128 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_MOVABLE), 0);
	assert_int_equal(hotmem_hugetlb_alloc(hm, 0, 8), 8);
	assert_int_equal(hvo_saved(hm), 56);
	assert_int_equal(hotmem_section_state(hm, DIMM >> 27, NULL, NULL, &huge, NULL), 0);
	assert_false(huge);
	check(hm);
	/* offline dissolves: the vmemmap is restored from fresh pages */
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_OFFLINE), 0);
	assert_int_equal(hvo_saved(hm), 0);
	check(hm);
	assert_int_equal(hotmem_remove_memory(hm, DIMM, 128 * MiB), 0);
	check(hm);
	hotmem_destroy(hm);
}

/*
 * HVO maps a huge page's tail vmemmap pages onto its first one: tail 511
 * reads as tail 63.  The hot-added memmap was a shared template until
 * then, so it is written to its own pages first (else the tails read the
 * memfd's zeros).
 */
static void test_hvo_tails_read_the_first_vmemmap_page(void **state)
{
	struct hotmem *hm = boot("default", "hugetlb_free_vmemmap=on " IDLE_KERNEL);
	int heads = 0;

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 128 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_MOVABLE), 0);
	assert_int_equal(hotmem_hugetlb_alloc(hm, 0, 8), 8);
	for (unsigned long pfn = DIMM >> 12; pfn < (DIMM + 128 * MiB) >> 12; pfn += 512) {
		struct page *head = pfn_to_page(hm, pfn);

		if (!PageHuge(head) || !test_page_flag(head, PG_head))
			continue;
		heads++;
		assert_true(vmemmap_is_optimized(hm, pfn));
		assert_memory_equal(head + 511, head + 63, sizeof(struct page));
		assert_int_equal(page_zonenum(head + 511), ZONE_MOVABLE);
	}
	assert_int_equal(heads, 8);
	check(hm);
	hotmem_destroy(hm);
}

/*
 * The host refuses a tail's remap half way through HVO: the huge page is
 * left unoptimised whole (every tail on its own vmemmap page, none
 * freed, nothing counted saved), never with some tails shared and the
 * rest not.  Every failure point of an allocation in turn.
 */
static void test_hvo_refused_half_way_leaves_the_huge_page_whole(void **state)
{
	struct hotmem *hm = boot("default", "hugetlb_free_vmemmap=on " IDLE_KERNEL);
	const unsigned long first = DIMM >> 12, last = (DIMM + 128 * MiB) >> 12;
	unsigned long refused = 0;

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 128 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_MOVABLE), 0);
	for (unsigned long nth = 1;; nth++) {
		unsigned long calls = hotmem_alloc_calls(hm), saved = 0, heads = 0;
		long got;

		hotmem_fail_nth_alloc(hm, nth);
		got = hotmem_hugetlb_alloc(hm, 0, 1);
		hotmem_fail_nth_alloc(hm, 0);
		/* the pool's own allocation may be the one that fails */
		assert_true(got == 1 || got == -ENOMEM);
		for (unsigned long pfn = first; pfn < last; pfn += 512) {
			struct page *head = pfn_to_page(hm, pfn);

			if (!PageHuge(head) || !test_page_flag(head, PG_head))
				continue;
			heads++;
			/* all seven tails shared, or none */
			for (unsigned long t = 1; t < 8; t++) {
				struct mem_section *ms = __pfn_to_section(hm, pfn);
				unsigned long i0 = (pfn & ~PAGE_SECTION_MASK) * sizeof(struct page) /
						   4096;
				bool shared = ms->vmemmap.pte &&
					      VMEMMAP_PTE_SRC(ms->vmemmap.pte[i0 + t]) ==
						      VMEMMAP_SHARED;

				assert_int_equal(shared, vmemmap_is_optimized(hm, pfn));
			}
			saved += vmemmap_is_optimized(hm, pfn) ? 7 : 0;
			/* a tail's struct page is there to read, and says it is a tail */
			assert_int_equal(page_zonenum(head + 511), ZONE_MOVABLE);
		}
		assert_int_equal(heads, got > 0);
		refused += got > 0 && !saved;
		assert_int_equal(hvo_saved(hm), saved);
		check(hm);
		assert_int_equal(hotmem_hugetlb_free(hm, 1), got > 0);
		assert_int_equal(hvo_saved(hm), 0);
		check(hm);
		if (hotmem_alloc_calls(hm) - calls < nth)
			break;	/* the injected failure was never reached */
	}
	assert_true(refused > 0);
	hotmem_destroy(hm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hvo_frees_seven_vmemmap_pages_per_huge_page),
		cmocka_unit_test(test_hvo_off_saves_nothing),
		cmocka_unit_test(test_hvo_refused_where_the_memmap_is_self_hosted),
		cmocka_unit_test(test_hvo_splits_a_buddy_allocated_memmap),
		cmocka_unit_test(test_hvo_tails_read_the_first_vmemmap_page),
		cmocka_unit_test(test_hvo_refused_half_way_leaves_the_huge_page_whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
