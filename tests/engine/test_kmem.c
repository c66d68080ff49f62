// SPDX-License-Identifier: GPL-2.0
/*
 * A living kernel: the kernel's own allocations land in the first memory
 * onlined into ZONE_NORMAL, so that block fails offline with EBUSY while
 * later Normal blocks and every Movable block go — the facts measured on a
 * Debian 6.1 QEMU guest (-m 512M, 128 MiB blocks, DIMMs at 4 GiB), with no
 * explicit allocation.
 */
#include <stdio.h>
#include <string.h>

#include "helpers.h"

#define DIMM 0x100000000ULL

struct going_offline_seen {
	int count;
};

static void count_going_offline(const struct hm_event *ev, void *arg)
{
	struct going_offline_seen *s = arg;

	if (ev->type == HM_EV_TRACE && !strcmp(ev->fn, "memory_notify") && !ev->exit &&
	    ev->extra == HM_MEM_GOING_OFFLINE)
		s->count++;
}

/* one 256 MiB DIMM, online (Normal) + online_movable: Normal EBUSY, Movable goes */
static void test_first_normal_block_is_busy_at_isolation_movable_goes(void **state)
{
	struct hotmem *hm = boot("qemu-512m", NULL);
	struct going_offline_seen seen = { 0 };

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 256 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE), 0);
	assert_int_equal(hotmem_block_set_state(hm, 33, HM_MMOP_ONLINE_MOVABLE), 0);
	assert_int_equal(block_zone(hm, 32), HM_ZONE_NORMAL);
	assert_int_equal(block_zone(hm, 33), HM_ZONE_MOVABLE);
	assert_int_equal(hotmem_block_set_state(hm, 33, HM_MMOP_OFFLINE), 0);
	hotmem_subscribe(hm, count_going_offline, &seen);
	for (int i = 0; i < 2; i++)
		assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_OFFLINE), -EBUSY);
	/* at start_isolate_page_range(): no MEM_GOING_OFFLINE was sent */
	assert_int_equal(seen.count, 0);
	assert_int_equal(block_state(hm, 32), HM_MEM_ONLINE);
	check(hm);
	hotmem_destroy(hm);
}

/* the same machine with an idle kernel: the Normal block goes (the old engine) */
static void test_idle_kernel_lets_the_normal_block_go(void **state)
{
	struct hotmem *hm = boot("qemu-512m", IDLE_KERNEL);

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 256 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_OFFLINE), 0);
	hotmem_destroy(hm);
}

/* four DIMMs, eight Normal blocks: only memory32 stays; the zone shrinks at its ends */
static void test_only_lowest_normal_block_fails_zone_shrinks_at_ends(void **state)
{
	struct hotmem *hm = boot("qemu-512m", NULL);
	struct hm_zone_info zi;

	(void)state;
	for (int d = 0; d < 4; d++)
		assert_int_equal(hotmem_add_memory(hm, 0, DIMM + (uint64_t)d * 256 * MiB,
						   256 * MiB, 0, -1), 0);
	for (unsigned long id = 32; id < 40; id++) {
		assert_int_equal(hotmem_block_set_state(hm, id, HM_MMOP_ONLINE), 0);
		assert_int_equal(block_zone(hm, id), HM_ZONE_NORMAL);
	}
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_OFFLINE), -EBUSY);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_OFFLINE), -EBUSY);
	for (unsigned long id = 33; id < 39; id++) {
		assert_int_equal(hotmem_block_set_state(hm, id, HM_MMOP_OFFLINE), 0);
		assert_int_equal(hotmem_zone_info(hm, 0, HM_ZONE_NORMAL, &zi), 0);
		assert_int_equal(zi.spanned, 262144);
	}
	assert_int_equal(hotmem_block_set_state(hm, 39, HM_MMOP_OFFLINE), 0);
	assert_int_equal(hotmem_zone_info(hm, 0, HM_ZONE_NORMAL, &zi), 0);
	assert_int_equal(zi.spanned, 32768);
	check(hm);
	hotmem_destroy(hm);
}

/* memhp_default_state=online_movable, offline both, online both into Normal */
static void test_after_movable_round_trip_lower_normal_block_fails(void **state)
{
	struct hotmem *hm = boot("qemu-512m", "memhp_default_state=online_movable");

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 256 * MiB, 0, -1), 0);
	assert_int_equal(block_zone(hm, 32), HM_ZONE_MOVABLE);
	assert_int_equal(block_zone(hm, 33), HM_ZONE_MOVABLE);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_OFFLINE), 0);
	assert_int_equal(hotmem_block_set_state(hm, 33, HM_MMOP_OFFLINE), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE), 0);
	assert_int_equal(hotmem_block_set_state(hm, 33, HM_MMOP_ONLINE), 0);
	assert_int_equal(block_zone(hm, 32), HM_ZONE_NORMAL);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_OFFLINE), -EBUSY);
	assert_int_equal(hotmem_block_set_state(hm, 33, HM_MMOP_OFFLINE), 0);
	check(hm);
	hotmem_destroy(hm);
}

/* memmap_on_memory=1, two 128 MiB DIMMs: memory32 EBUSY, the second DIMM goes */
static void test_memmap_on_memory_first_dimm_busy_second_removed(void **state)
{
	struct hotmem *hm = boot("qemu-512m", "memory_hotplug.memmap_on_memory=1");

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 128 * MiB, HM_MHP_MEMMAP_ON_MEMORY, -1), 0);
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM + 128 * MiB, 128 * MiB,
					   HM_MHP_MEMMAP_ON_MEMORY, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE), 0);
	assert_int_equal(hotmem_block_set_state(hm, 33, HM_MMOP_ONLINE), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_OFFLINE), -EBUSY);
	assert_int_equal(hotmem_offline_and_remove_memory(hm, DIMM + 128 * MiB, 128 * MiB), 0);
	assert_int_equal(block_state(hm, 33), -1);
	check(hm);
	hotmem_destroy(hm);
}

/* every Movable block went offline, always (20 of 20) */
static void test_movable_blocks_always_go(void **state)
{
	struct hotmem *hm = boot("qemu-512m", "hotmem.kernel_alloc=heavy");

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 256 * MiB, 0, -1), 0);
	for (int i = 0; i < 20; i++) {
		assert_int_equal(hotmem_block_set_state(hm, 32 + i % 2, HM_MMOP_ONLINE_MOVABLE), 0);
		assert_int_equal(hotmem_block_set_state(hm, 32 + i % 2, HM_MMOP_OFFLINE), 0);
	}
	check(hm);
	hotmem_destroy(hm);
}

/* meminfo shows the kernel's memory; off shows none; heavy more */
static void test_meminfo_counts_kernel_memory_by_setting(void **state)
{
	struct hotmem *def = boot("qemu-512m", NULL);
	struct hotmem *off = boot("qemu-512m", IDLE_KERNEL);
	struct hotmem *heavy = boot("qemu-512m", "hotmem.kernel_alloc=heavy");
	struct hm_meminfo d, o, h;

	(void)state;
	hotmem_meminfo(def, &d);
	hotmem_meminfo(off, &o);
	hotmem_meminfo(heavy, &h);
	assert_true(d.slab_reclaimable > 0 && d.slab_unreclaimable > 0);
	assert_true(d.pagetables > 0 && d.kernel_stack > 0);
	assert_int_equal(o.slab_reclaimable + o.slab_unreclaimable + o.pagetables +
			 o.kernel_stack + o.percpu, 0);
	assert_true(h.slab_unreclaimable > d.slab_unreclaimable);
	/* the machine is smaller by what the kernel holds */
	assert_true(o.free_pages - d.free_pages >=
		    d.slab_reclaimable + d.slab_unreclaimable + d.pagetables + d.kernel_stack);
	check(def);
	check(heavy);
	hotmem_destroy(def);
	hotmem_destroy(off);
	hotmem_destroy(heavy);
}

/* a node's first memory: kswapd and kcompactd stacks on that node */
static void test_new_node_gets_kswapd_stacks_and_a_zone_its_pagesets(void **state)
{
	struct hotmem *hm = boot("default", NULL);
	struct hm_zone_info zi;

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 1, DIMM, 128 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE), 0);
	assert_int_equal(hotmem_zone_info(hm, 1, HM_ZONE_NORMAL, &zi), 0);
	assert_int_equal(zi.nr_kernel_stack, 8);
	assert_int_equal(zi.nr_percpu, 1);
	/* the node's only memory holds them: it stays */
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_OFFLINE), -EBUSY);
	check(hm);
	hotmem_destroy(hm);
}

/* deterministic from the seed: the same scenario, the same pages */
static void run_scenario(struct hotmem *hm)
{
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 512 * MiB, 0, -1), 0);
	for (unsigned long id = 32; id < 36; id++)
		assert_int_equal(hotmem_block_set_state(hm, id, HM_MMOP_ONLINE), 0);
	for (unsigned long id = 35; id > 32; id--)
		assert_int_equal(hotmem_block_set_state(hm, id, HM_MMOP_OFFLINE), 0);
}

static void test_same_seed_replays_exactly(void **state)
{
	struct hotmem *a = boot("qemu-512m", "hotmem.kernel_alloc_seed=7");
	struct hotmem *b = boot("qemu-512m", "hotmem.kernel_alloc_seed=7");
	struct hm_snapshot sa, sb;

	(void)state;
	run_scenario(a);
	run_scenario(b);
	snapshot(a, &sa);
	snapshot(b, &sb);
	assert_same(&sa, &sb);
	for (uint64_t pfn = DIMM >> 12; pfn < (DIMM >> 12) + 32768; pfn++) {
		unsigned long fa, fb;

		assert_int_equal(hotmem_page_flags(a, pfn, &fa), 0);
		assert_int_equal(hotmem_page_flags(b, pfn, &fb), 0);
		if (fa != fb)
			fail_msg("pfn %#llx differs", (unsigned long long)pfn);
	}
	hotmem_destroy(a);
	hotmem_destroy(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_normal_block_is_busy_at_isolation_movable_goes),
		cmocka_unit_test(test_idle_kernel_lets_the_normal_block_go),
		cmocka_unit_test(test_only_lowest_normal_block_fails_zone_shrinks_at_ends),
		cmocka_unit_test(test_after_movable_round_trip_lower_normal_block_fails),
		cmocka_unit_test(test_memmap_on_memory_first_dimm_busy_second_removed),
		cmocka_unit_test(test_movable_blocks_always_go),
		cmocka_unit_test(test_meminfo_counts_kernel_memory_by_setting),
		cmocka_unit_test(test_new_node_gets_kswapd_stacks_and_a_zone_its_pagesets),
		cmocka_unit_test(test_same_seed_replays_exactly),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
