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
#include "internal.h"

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

/*
 * meminfo shows the kernel's memory; off shows none; heavy more.  On the
 * 1 GiB default: qemu-512m's 397 MiB (its guest's boot reservations, since
 * 2026-12-03) caps both settings' kernel at 1/16 of it, the same size.
 */
static void test_meminfo_counts_kernel_memory_by_setting(void **state)
{
	struct hotmem *def = boot("default", NULL);
	struct hotmem *off = boot("default", IDLE_KERNEL);
	struct hotmem *heavy = boot("default", "hotmem.kernel_alloc=heavy");
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

/*
 * a node with CPUs (default's memoryless node 1 given CPUs): its first
 * memory gets kswapd and kcompactd stacks and its CPU's work, and stays
 * (6.12 too: abuse29a's memory41 on CPU 1's node); the zone's pagesets
 * were set up before the range joined the zonelists (online_pages()'
 * setup_zone_pageset()), on node 0
 */
static void test_new_cpu_node_gets_kswapd_stacks_pagesets_elsewhere(void **state)
{
	struct hotmem *hm = boot_profile_text("profile = default\ncpu_nodes = 0-1\n");
	struct hm_zone_info zi;

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 1, DIMM, 128 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE), 0);
	assert_int_equal(hotmem_zone_info(hm, 1, HM_ZONE_NORMAL, &zi), 0);
	assert_int_equal(zi.nr_kernel_stack, 8);
	assert_int_equal(zi.nr_percpu, 0);
	/* the node's only memory holds them: it stays */
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_OFFLINE), -EBUSY);
	check(hm);
	hotmem_destroy(hm);
}

/* the kernel's pages on node @nid's zones below ZONE_MOVABLE: stacks + pagesets */
static unsigned long node_stacks_and_pagesets(struct hotmem *hm, int nid)
{
	unsigned long n = 0;
	struct hm_zone_info zi;

	for (int zid = 0; zid < HM_ZONE_MOVABLE; zid++) {
		assert_int_equal(hotmem_zone_info(hm, nid, zid, &zi), 0);
		n += zi.nr_kernel_stack + zi.nr_percpu;
	}
	return n;
}

/* abuse29a's numa3 guest: CPUs on nodes 0 and 1, node 2 possible, no CPU, no memory */
#define NUMA3_BASE "profile = qemu-512m\nnodes = 3\ncpu_nodes = 0-1\n"
#define NUMA3 NUMA3_BASE "cmdline = \"memhp_default_state=offline\"\n"
#define NODE2_DIMM 0x150000000ULL

/*
 * abuse29a N1 (r1.hm): a CPU-less node's first Normal block goes offline
 * and its DIMM away, the node with it, as on 6.12 -- the zone's pagesets
 * (alloc_percpu(): the CPUs' nodes) came from the local node, not from
 * it.  It failed EBUSY, a setup_zone_pageset page on memory43.
 */
static void test_cpuless_node_normal_block_goes_offline(void **state)
{
	struct hotmem *hm = boot_profile_text(NUMA3);
	struct hm_node_info ni;
	unsigned long node0;

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 1, 0x140000000ULL, 256 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 40, HM_MMOP_ONLINE), 0);
	assert_int_equal(hotmem_block_set_state(hm, 41, HM_MMOP_ONLINE_MOVABLE), 0);
	assert_int_equal(hotmem_add_memory(hm, 2, NODE2_DIMM, 256 * MiB, 0, -1), 0);
	node0 = node_stacks_and_pagesets(hm, 0);
	assert_int_equal(hotmem_block_set_state(hm, 42, HM_MMOP_ONLINE_MOVABLE), 0);
	assert_int_equal(hotmem_block_set_state(hm, 43, HM_MMOP_ONLINE), 0);
	assert_int_equal(block_zone(hm, 43), HM_ZONE_NORMAL);
	/* kswapd2's and kcompactd2's stacks (8), Movable's and Normal's pagesets (2) */
	assert_int_equal(node_stacks_and_pagesets(hm, 2), 0);
	assert_int_equal(node_stacks_and_pagesets(hm, 0), node0 + 10);
	assert_int_equal(hotmem_block_set_state(hm, 42, HM_MMOP_OFFLINE), 0);
	assert_int_equal(hotmem_block_set_state(hm, 43, HM_MMOP_OFFLINE), 0);
	/* node 2 empty: its stacks and pagesets were freed where they were */
	assert_int_equal(node_stacks_and_pagesets(hm, 0), node0);
	assert_int_equal(hotmem_remove_memory(hm, NODE2_DIMM, 256 * MiB), 0);
	assert_int_equal(hotmem_node_info(hm, 2, &ni), 0);
	assert_false(ni.online);
	check(hm);
	hotmem_destroy(hm);
}

/*
 * abuse29a's machine O (N1's clean case): each CPU's node has memory, node
 * 2 has neither; a DIMM there, online_kernel (its zone's first memory and
 * the node's), goes offline at once and unplugs: no pageset, stack or CPU
 * work of the kernel reached node 2, as on 6.12.
 */
#define MACHINE_O "profile = qemu-512m\nnodes = 3\ncpu_nodes = 0-1\n" \
		  "ram = 0x1000-0x9efff node=0\nram = 0x100000-0xfffffff node=0\n" \
		  "ram = 0x10000000-0x1ffdffff node=1\n" \
		  "cmdline = \"memhp_default_state=offline\"\n"

static void test_cpuless_node_kernel_only_block_goes_offline(void **state)
{
	struct hotmem *hm = boot_profile_text(MACHINE_O);

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 2, NODE2_DIMM, 128 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 42, HM_MMOP_ONLINE_KERNEL), 0);
	assert_int_equal(node_stacks_and_pagesets(hm, 2), 0);
	assert_int_equal(hotmem_block_set_state(hm, 42, HM_MMOP_OFFLINE), 0);
	assert_int_equal(hotmem_remove_memory(hm, NODE2_DIMM, 128 * MiB), 0);
	check(hm);
	hotmem_destroy(hm);
}

/*
 * abuse29a N8, machine A: CPU 1 on memoryless node 1, whose zonelist is
 * "2 0" once node 2 has memory (PENALTY_FOR_NODE_WITH_CPUS puts CPU-less
 * node 2 before node 0).  A DIMM on node 2, online_kernel, and a tick of
 * the kernel's work: CPU 1's page tables and slab land on node 2's Normal
 * block, whose offline is EBUSY as 6.12's (36 page tables of CPU 1's
 * there after 2 s of shell work).  It went offline: every background
 * allocation started on node 0.
 */
static void test_memoryless_cpu_node_allocates_on_its_fallback_node(void **state)
{
	struct hotmem *hm = boot_profile_text(NUMA3);
	struct hm_zone_info zi;

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 2, NODE2_DIMM, 128 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 42, HM_MMOP_ONLINE_KERNEL), 0);
	assert_int_equal(hotmem_zone_info(hm, 2, HM_ZONE_NORMAL, &zi), 0);
	/*
	 * CPU 1's share of the tick, page tables or slab: which kind each CPU
	 * gets is the generator's draw (kmem_tick()), which the boot's own
	 * allocations before it move (qemu-512m's smaller kernel since its
	 * boot reservations, 2026-12-03)
	 */
	assert_true(zi.nr_page_table_pages + zi.nr_slab_unreclaimable + zi.nr_slab_reclaimable > 0);
	/* the node had no memory when its pagesets were set up: not there */
	assert_int_equal(node_stacks_and_pagesets(hm, 2), 0);
	assert_int_equal(hotmem_block_set_state(hm, 42, HM_MMOP_OFFLINE), -EBUSY);
	check(hm);
	hotmem_destroy(hm);
}

/*
 * abuse29a scenario J: QEMU's -numa node,nodeid=0,memdev=ram0 -numa
 * node,nodeid=1,cpus=0-1 (profile cpu_nodes = 1), in the guest's numbering
 * (SRAT order): both CPUs on memoryless node 0, the memory on node 1, so
 * their work lands on node 1 until node 0 has memory.  memory32 (node 0's
 * first Normal block) then holds it and stays; memory34, onlined into
 * node 1's Normal zone later, goes offline -- the 6.12.117 guest's steps
 * and answers.
 */
static void test_cpus_on_memoryless_node0_allocate_from_their_zonelist(void **state)
{
	struct hotmem *hm = boot_profile_text("profile = qemu-512m\nnodes = 2\ncpu_nodes = 1\n"
					      "cmdline = \"memhp_default_state=offline\"\n");

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 256 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE), 0);
	assert_int_equal(hotmem_block_set_state(hm, 33, HM_MMOP_ONLINE_MOVABLE), 0);
	assert_int_equal(hotmem_block_set_state(hm, 33, HM_MMOP_OFFLINE), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_OFFLINE), -EBUSY);
	assert_int_equal(hotmem_add_memory(hm, 1, DIMM + 256 * MiB, 128 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 34, HM_MMOP_ONLINE_KERNEL), 0);
	assert_int_equal(block_zone(hm, 34), HM_ZONE_NORMAL);
	assert_int_equal(hotmem_block_set_state(hm, 34, HM_MMOP_OFFLINE), 0);
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

/*
 * The memmap of hot-added memory from system RAM is one order-9
 * allocation a section (vmemmap_populate_hugepages()'s PMD): explain
 * lists one entry of 512 pages each, as 6.12's page_owner does, not 512
 * single pages; once a PMD is split into ptes (HugeTLB vmemmap
 * optimisation, split_page()) each page is an entry of its own there too.
 */
static void test_explain_memmap_one_entry_an_allocation(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL);
	static struct hm_explain ex;
	unsigned long pages = 0, entries = 0;

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 1024 * MiB, 0, -1), 0);
	for (unsigned long id = 0; id < 8; id++) {
		assert_int_equal(hotmem_explain(hm, id, &ex), 0);
		for (unsigned long i = 0; i < ex.nr_owners; i++) {
			if (strcmp(ex.owners[i].kind, "memmap"))
				continue;
			pages += ex.owners[i].pages;
			entries += ex.owners[i].entries;
		}
		for (unsigned long i = 0; i < ex.nr_shown; i++)
			if (!strcmp(ex.pages[i].kind, "memmap"))
				assert_int_equal(ex.pages[i].order, 9);
	}
	/* 8 sections of 128 MiB: 8 x 2 MiB of memmap */
	assert_int_equal(pages, 8 * 512);
	assert_int_equal(entries, 8);
	check(hm);
	hotmem_destroy(hm);
}

/* explain names the pages in the way, their owners, and the zone rule */
static void test_explain_names_kernel_pages_and_zone_rule(void **state)
{
	struct hotmem *hm = boot("qemu-512m", NULL);
	static struct hm_explain ex;
	static char json[32768];
	unsigned long flags;

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 256 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE), 0);
	assert_int_equal(hotmem_block_set_state(hm, 33, HM_MMOP_ONLINE_MOVABLE), 0);
	assert_int_equal(hotmem_explain(hm, 32, &ex), 0);
	assert_string_equal(ex.verdict, "ebusy");
	assert_int_equal(ex.zone, HM_ZONE_NORMAL);
	assert_non_null(strstr(ex.zone_rule, "contig-zones"));
	assert_true(ex.nr_entries > 0 && ex.nr_blocking_pages > 0);
	/* the block's first page: the kernel's, as the real kernel's dump shows */
	assert_int_equal(ex.pages[0].pfn, DIMM >> 12);
	/* its flags word the kernel's (node 0, Normal, lastcpupid), not the engine's PG_kernel */
	assert_int_equal(ex.pages[0].flags, 0x17ffffc0000000UL);
	for (unsigned long i = 0; i < ex.nr_entries && i < HM_EXPLAIN_MAX; i++) {
		assert_string_equal(ex.pages[i].kind, "kernel");
		assert_true(ex.pages[i].owner[0]);
		assert_int_equal(hotmem_page_flags(hm, ex.pages[i].pfn, &flags), 0);
		assert_true(flags & (1UL << 11));	/* PG_kernel */
	}
	assert_int_equal(hotmem_explain(hm, 33, &ex), 0);
	assert_string_equal(ex.verdict, "ok");
	assert_non_null(strstr(ex.zone_rule, "online_movable"));
	assert_int_equal(hotmem_explain(hm, 32, &ex), 0);
	hotmem_explain_format(&ex, true, json, sizeof(json));
	assert_non_null(strstr(json, "\"verdict\":\"ebusy\""));
	assert_non_null(strstr(json, "\"pfn\":\"0x100000\""));
	assert_int_equal(hotmem_explain(hm, 99, &ex), -ENODEV);
	hotmem_destroy(hm);
}

/* explain names workload owners: an unmovable page, a pin, with their handles */
static void test_explain_names_workload_and_pins(void **state)
{
	struct hotmem *hm = boot("qemu-512m", IDLE_KERNEL);
	static struct hm_explain ex;
	unsigned long u, p, m;
	char want[64];

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 256 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE), 0);
	assert_int_equal(hotmem_block_set_state(hm, 33, HM_MMOP_ONLINE_MOVABLE), 0);
	assert_int_equal(hotmem_alloc_page_at(hm, (DIMM >> 12) + 100, HM_ALLOC_UNMOVABLE, &u), 0);
	assert_int_equal(hotmem_alloc_page_at(hm, (DIMM >> 12) + 32768 + 5, HM_ALLOC_PINNED, &p), 0);
	assert_int_equal(hotmem_alloc_page_at(hm, (DIMM >> 12) + 32768 + 6, HM_ALLOC_MOVABLE, &m), 0);
	assert_int_equal(hotmem_explain(hm, 32, &ex), 0);
	assert_string_equal(ex.verdict, "ebusy");
	assert_int_equal(ex.nr_entries, 1);
	assert_int_equal(ex.pages[0].pfn, (DIMM >> 12) + 100);
	assert_string_equal(ex.pages[0].kind, "workload");
	snprintf(want, sizeof(want), "workload handle %lu", u);
	assert_non_null(strstr(ex.pages[0].owner, want));
	assert_int_equal(hotmem_explain(hm, 33, &ex), 0);
	assert_string_equal(ex.verdict, "eintr-loop");
	assert_int_equal(ex.nr_entries, 1);
	assert_string_equal(ex.pages[0].kind, "pinned");
	assert_int_equal(ex.pages[0].pfn, (DIMM >> 12) + 32768 + 5);
	assert_int_equal(ex.nr_movable_pages, 1);
	hotmem_destroy(hm);
}

/* the kernel log ring holds the kernel's messages after the fact */
static void test_log_ring_keeps_the_offline_failure(void **state)
{
	struct hotmem *hm = boot("qemu-512m", NULL);
	static char log[65536];

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 256 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_OFFLINE), -EBUSY);
	/* more happens afterwards */
	assert_int_equal(hotmem_block_set_state(hm, 33, HM_MMOP_ONLINE_MOVABLE), 0);
	hotmem_dmesg(hm, log, sizeof(log));
	assert_non_null(strstr(log, "<6>Built 1 zonelists, mobility grouping on.  Total pages:"));
	assert_non_null(strstr(log, "<4>page: refcount:1 mapcount:0 mapping:0000000000000000 index:0x0 pfn:0x100000\n"));
	assert_non_null(strstr(log, "<4>page dumped because: unmovable page\n"));
	assert_non_null(strstr(log, "<7>memory offlining [mem 0x100000000-0x107ffffff] failed due to failure to isolate range\n"));
	assert_non_null(strstr(log, "hotmemctl explain 32"));
	hotmem_destroy(hm);
}

/* the log's lines since @from (a hotmem_dmesg() length), "Total pages: N" for its number */
static const char *log_since(struct hotmem *hm, size_t from, size_t *end)
{
	static char log[65536], out[8192];
	const char *p;
	size_t n = 0;

	*end = hotmem_dmesg(hm, log, sizeof(log));
	assert_true(*end < sizeof(log));
	for (p = log + from; *p && n < sizeof(out) - 2; p++) {
		out[n++] = *p;
		if (n >= 13 && !memcmp(out + n - 13, "Total pages: ", 13)) {
			out[n++] = 'N';
			while (p[1] >= '0' && p[1] <= '9')
				p++;
		}
	}
	out[n] = '\0';
	return out;
}

/* build_zonelists()' line, build_all_zonelists()' two, dump_demotion_targets()' line */
#define FALLBACK(node, order) "<6>Fallback order for Node " #node ": " order " \n"
#define BUILT(nr, zone) "<6>Built " #nr " zonelists, mobility grouping on.  Total pages: N\n" \
			"<6>Policy zone: " zone "\n"
#define DEMOTION(node) "<6>Demotion targets for Node " #node ": null\n"
/* hugetlb_init()'s report_hugepages(), a subsys_initcall: between the two at boot */
#define HUGETLB_NONE "<6>HugeTLB: registered 2.00 MiB page size, pre-allocated 0 pages\n" \
		     "<6>HugeTLB: 28 KiB vmemmap can be freed for a 2.00 MiB page\n"

/*
 * abuse29a N3, scenario B's first steps on its numa3 machine (node 1:
 * CPU, no memory; node 2: neither) as the 6.12.117 guest logged them:
 * the add that brings node 2 online builds its zonelist alone
 * (hotadd_init_pgdat(): "Built 2 zonelists", node 2 not online yet), and
 * each time a node gains or loses its memory the memory tiers say every
 * tiered node's (empty) demotion targets after the zonelists
 * (memtier_hotplug_callback()).  Neither was logged.
 */
static void test_node_hotadd_and_memory_tier_lines(void **state)
{
	struct hotmem *hm = boot_profile_text(NUMA3_BASE "cmdline = \"" IDLE_KERNEL
					      " memhp_default_state=offline\"\n");
	size_t at;

	(void)state;
	log_since(hm, 0, &at);
	assert_int_equal(hotmem_add_memory(hm, 2, NODE2_DIMM, 256 * MiB, 0, -1), 0);
	assert_string_equal(log_since(hm, at, &at), FALLBACK(2, "0") BUILT(2, "DMA32"));
	assert_int_equal(hotmem_block_set_state(hm, 42, HM_MMOP_ONLINE_MOVABLE), 0);
	assert_string_equal(log_since(hm, at, &at),
			    FALLBACK(0, "0 2") FALLBACK(1, "2 0") FALLBACK(2, "2 0")
			    BUILT(3, "DMA32") DEMOTION(0) DEMOTION(2));
	/* the zone and the node had memory already: nothing */
	assert_int_equal(hotmem_block_set_state(hm, 43, HM_MMOP_ONLINE_MOVABLE), 0);
	assert_string_equal(log_since(hm, at, &at), "");
	assert_int_equal(hotmem_block_set_state(hm, 42, HM_MMOP_OFFLINE), 0);
	assert_string_equal(log_since(hm, at, &at), "");
	assert_int_equal(hotmem_block_set_state(hm, 43, HM_MMOP_OFFLINE), 0);
	assert_string_equal(log_since(hm, at, &at),
			    FALLBACK(0, "0") FALLBACK(1, "0") FALLBACK(2, "0")
			    BUILT(3, "DMA32") DEMOTION(0));
	check(hm);
	hotmem_destroy(hm);
}

/*
 * The boot's "Demotion targets" lines (6.12 memory_tier_late_init(), a
 * late_initcall: every node with memory, a CPU-less one too) after the
 * zonelists' lines, as abuse29a's scenario J guest logged them (both CPUs
 * on memoryless node 0, the memory on node 1, which has no CPU); and when
 * the CPUs' node gains memory, both nodes' lines.  The boot logged none,
 * and CPU-less node 1 got no tier: its line was missing at the online.
 */
static void test_boot_logs_memory_tier_lines_cpuless_node_too(void **state)
{
	struct hotmem *hm = boot_profile_text("profile = qemu-512m\nnodes = 2\ncpu_nodes = 1\n"
					      "cmdline = \"" IDLE_KERNEL
					      " memhp_default_state=offline\"\n");
	size_t at;
	const char *boot = log_since(hm, 0, &at);

	(void)state;
	/* the boot reservations' lines between the zonelists' and HugeTLB's, as in the guest */
	assert_non_null(strstr(boot, FALLBACK(0, "1") FALLBACK(1, "1") BUILT(2, "DMA32")
					 "<6>Freeing SMP alternatives memory: 40K\n<6>Memory: "));
	assert_non_null(strstr(boot, "cma-reserved)\n" HUGETLB_NONE DEMOTION(1)));
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 128 * MiB, 0, -1), 0);
	log_since(hm, at, &at);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE), 0);
	assert_string_equal(log_since(hm, at, &at), FALLBACK(0, "0 1") FALLBACK(1, "1 0")
			    BUILT(2, "Normal") DEMOTION(0) DEMOTION(1));
	check(hm);
	hotmem_destroy(hm);
}

/*
 * build_all_zonelists()' "Policy zone:" is check_highest_zone()'s
 * (6.12): the highest populated zone below ZONE_MOVABLE, and it never
 * goes down.  qemu-512m has no ZONE_NORMAL: DMA32 while only Movable
 * gains memory, Normal once it does, Normal still when it is empty again.
 */
static void test_policy_zone_is_the_highest_below_movable(void **state)
{
	struct hotmem *hm = boot("qemu-512m", IDLE_KERNEL);
	static char log[65536];

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 256 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_MOVABLE), 0);
	hotmem_dmesg(hm, log, sizeof(log));
	assert_non_null(strstr(log, "<6>Policy zone: DMA32\n"));
	assert_null(strstr(log, "Policy zone: Normal"));
	assert_int_equal(hotmem_block_set_state(hm, 33, HM_MMOP_ONLINE_KERNEL), 0);
	assert_int_equal(hotmem_block_set_state(hm, 33, HM_MMOP_OFFLINE), 0);
	hotmem_dmesg(hm, log, sizeof(log));
	/* Normal's first memory, then its last leaving: Normal both times */
	assert_non_null(strstr(strstr(log, "<6>Policy zone: Normal\n") + 1, "<6>Policy zone: Normal\n"));
	hotmem_destroy(hm);
}

/*
 * A state file's restore raises policy_zone to what it was
 * (hotmem_raise_policy_zone()): never lowers it, and ZONE_MOVABLE is no
 * policy zone.  The boot said DMA32 (qemu-512m: no ZONE_NORMAL).
 */
static void test_policy_zone_raised_never_lowered(void **state)
{
	struct hotmem *hm = boot("qemu-512m", IDLE_KERNEL);

	(void)state;
	assert_int_equal(hotmem_get_policy_zone(hm), HM_ZONE_DMA32);
	assert_int_equal(hotmem_raise_policy_zone(hm, HM_ZONE_MOVABLE), -EINVAL);
	assert_int_equal(hotmem_raise_policy_zone(hm, -1), -EINVAL);
	assert_int_equal(hotmem_raise_policy_zone(hm, HM_ZONE_NORMAL), 0);
	assert_int_equal(hotmem_get_policy_zone(hm), HM_ZONE_NORMAL);
	assert_int_equal(hotmem_raise_policy_zone(hm, HM_ZONE_DMA), 0);
	assert_int_equal(hotmem_get_policy_zone(hm), HM_ZONE_NORMAL);
	hotmem_destroy(hm);
}

/*
 * dump_page()'s flags word is the kernel's (6.12 x86_64, the reference's
 * config), not the engine's: its private bits (PG_kernel 11, PG_workload
 * 9) read with page-flags.h were flags that are not set (owner_2,
 * workingset).  pfn 0x100000 is the reference's first dumped page.
 */
static void test_dump_page_prints_the_kernels_flags_word(void **state)
{
	struct hotmem *hm = boot("qemu-512m", NULL);
	static char log[65536];
	unsigned long u;
	char *p;
	int n = 0;

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 256 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_OFFLINE), -EBUSY);
	hotmem_dmesg(hm, log, sizeof(log));
	p = strstr(log, "pfn:0x100000\n");
	assert_non_null(p);
	assert_non_null(strstr(p, "<4>flags: 0x17ffffc0000000(node=0|zone=2|lastcpupid=0x1fffff)\n"));
	assert_non_null(strstr(p, "<4>raw: 0017ffffc0000000 "));
	/* a workload page in the way of an idle kernel's block: no PG_workload bit */
	hotmem_destroy(hm);
	hm = boot("qemu-512m", IDLE_KERNEL);
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 256 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE), 0);
	assert_int_equal(hotmem_alloc_page_at(hm, (DIMM >> 12) + 100, HM_ALLOC_UNMOVABLE, &u), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_OFFLINE), -EBUSY);
	hotmem_dmesg(hm, log, sizeof(log));
	for (p = strstr(log, "<4>flags: "); p; p = strstr(p + 1, "<4>flags: ")) {
		unsigned long word = strtoul(p + 10, NULL, 16);

		/* node 0, zone Normal (2) at ZONES_PGSHIFT 51, last_cpupid at 30 */
		assert_int_equal(word >> 30, 0x17ffffc0000000UL >> 30);
		/* below: only head (6), reserved (13), hwpoison (20), dirty (4), owner_priv_1 (10) */
		assert_int_equal(word & ((1UL << 30) - 1) & ~0x102450UL, 0);
		n++;
	}
	assert_true(n > 0);
	assert_non_null(strstr(log, "pfn:0x100064\n<4>flags: 0x17ffffc0000000(node=0|zone=2|"));
	hotmem_destroy(hm);
}

/*
 * dump_page()'s raw words are the kernel's struct page layout, the ones
 * its decoded line reads (6.12 __dump_folio()): mapping (word 4) 0 and
 * index (word 5) 0 as "mapping:0000000000000000 index:0x0" says, the
 * page_type and _refcount in word 7.  They were the engine's bookkeeping
 * (the compound head pfn, the allocation site).  A large folio adds the
 * "head:" words of its first two pages: the reference's order-3 slab at
 * pfn 0x100008 (kernel-6.12-offline-dmesg.txt), its second page's
 * _flags_1 with the order, _head_1 (a pointer: compound_head | 1),
 * mapcounts -1 and _folio_nr_pages 8.  A tail page's own words come
 * first, its index in the folio in the decoded line.
 */
static void test_dump_page_raw_words_are_the_kernels(void **state)
{
	struct hotmem *hm = boot("qemu-512m", NULL);
	static char log[65536];
	char *p;

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 256 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_OFFLINE), -EBUSY);
	hotmem_dmesg(hm, log, sizeof(log));
	p = strstr(log, "<4>page: refcount:1 mapcount:0 mapping:0000000000000000 index:0x0 pfn:0x100000\n");
	assert_non_null(p);
	assert_non_null(strstr(p, "<4>raw: 0017ffffc0000000 0000000000000000 0000000000000000 0000000000000000\n"
				  "<4>raw: 0000000000000000 0000000000000000 00000001ffffffff 0000000000000000\n"
				  "<4>page dumped because: unmovable page\n"));
	/* the order-3 slab at 0x100008 (explain 32 lists it), as the reference dumps it */
	dump_page(hm, 0x100008, "unmovable page");
	dump_page(hm, 0x10000a, "unmovable page");
	hotmem_dmesg(hm, log, sizeof(log));
	p = strstr(log, "<4>page: refcount:1 mapcount:0 mapping:0000000000000000 index:0x0 pfn:0x100008\n");
	assert_non_null(p);
	assert_non_null(strstr(p,
		"<4>page: refcount:1 mapcount:0 mapping:0000000000000000 index:0x0 pfn:0x100008\n"
		"<4>head: order:3 mapcount:0 entire_mapcount:0 nr_pages_mapped:0 pincount:0\n"
		"<4>flags: 0x17ffffc0000040(head|node=0|zone=2|lastcpupid=0x1fffff)\n"
		"<4>page_type: f5(slab)\n"
		"<4>raw: 0017ffffc0000040 0000000000000000 0000000000000000 0000000000000000\n"
		"<4>raw: 0000000000000000 0000000000000000 00000001f5000000 0000000000000000\n"
		"<4>head: 0017ffffc0000040 0000000000000000 0000000000000000 0000000000000000\n"
		"<4>head: 0000000000000000 0000000000000000 00000001f5000000 0000000000000000\n"
		"<4>head: 0017ffffc0000003 ffffea0004000201 ffffffffffffffff 0000000000000000\n"
		"<4>head: 0000000000000008 0000000000000000 00000000ffffffff 0000000000000000\n"
		"<4>page dumped because: unmovable page\n"
		"<4>page: refcount:1 mapcount:0 mapping:0000000000000000 index:0x2 pfn:0x10000a\n"
		"<4>head: order:3 mapcount:0 entire_mapcount:0 nr_pages_mapped:0 pincount:0\n"
		"<4>flags: 0x17ffffc0000040(head|node=0|zone=2|lastcpupid=0x1fffff)\n"
		"<4>page_type: f5(slab)\n"
		"<4>raw: 0017ffffc0000000 ffffea0004000201 0000000000000000 0000000000000000\n"
		"<4>raw: 0000000000000000 0000000000000000 00000000ffffffff 0000000000000000\n"
		"<4>head: 0017ffffc0000040 0000000000000000 0000000000000000 0000000000000000\n"));
	hotmem_destroy(hm);
}

/*
 * explain sums every entry of a block up by owner and lists a page of
 * them at a time, from_pfn to next_pfn: listed + more = all, in pages as
 * in entries.  It listed the first HM_EXPLAIN_MAX and said "N pages
 * below" of the whole block, then "... M more" entries.
 */
static void test_explain_pages_through_a_block(void **state)
{
	struct hotmem *hm = boot("qemu-512m", IDLE_KERNEL);
	static struct hm_explain ex;
	static char text[32768];
	const unsigned long base = DIMM >> 12;
	unsigned long h, seen = 0;
	uint64_t from = 0;

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 256 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE), 0);
	for (unsigned long i = 0; i < 150; i++)
		assert_int_equal(hotmem_alloc_page_at(hm, base + 2 * i, HM_ALLOC_UNMOVABLE, &h), 0);
	assert_int_equal(hotmem_explain(hm, 32, &ex), 0);
	assert_int_equal(ex.nr_entries, 150);
	assert_int_equal(ex.nr_entry_pages, 150);
	assert_int_equal(ex.nr_owners, 1);
	assert_string_equal(ex.owners[0].kind, "workload");
	assert_int_equal(ex.owners[0].pages, 150);
	assert_int_equal(ex.owners[0].entries, 150);
	assert_int_equal(ex.nr_shown, HM_EXPLAIN_MAX);
	assert_int_equal(ex.nr_after, 150 - HM_EXPLAIN_MAX);
	assert_int_equal(ex.nr_after_pages, 150 - HM_EXPLAIN_MAX);
	assert_int_equal(ex.next_pfn, base + 2 * HM_EXPLAIN_MAX);
	hotmem_explain_format(&ex, false, text, sizeof(text));
	assert_non_null(strstr(text, "finds an unmovable page, the first at pfn 0x100000 "));
	assert_non_null(strstr(text, "; 150 pages never migrate, by owner below\n"));
	assert_non_null(strstr(text, "in use: 150 pages in 150 entries"));
	assert_non_null(strstr(text, "\n  workload  150 pages in 150 entries: unmovable workload pages\n"));
	assert_non_null(strstr(text, "\n  ... and 86 more entries (86 pages)\n"));
	/* page through: each entry once, in pfn order */
	do {
		assert_int_equal(hotmem_explain_from(hm, 32, from, &ex), 0);
		assert_int_equal(ex.nr_before, seen);
		for (unsigned long i = 0; i < ex.nr_shown; i++)
			assert_int_equal(ex.pages[i].pfn, base + 2 * (seen + i));
		seen += ex.nr_shown;
		assert_int_equal(seen + ex.nr_after, 150);
		from = ex.next_pfn;
	} while (ex.nr_after);
	assert_int_equal(seen, 150);
	/* the rows alone, for a reader that pages: no head, no column names */
	hotmem_explain_text(&ex, HM_EXPLAIN_TEXT_ROWS, NULL, text, sizeof(text));
	assert_int_equal(strncmp(text, "  0x", 4), 0);
	assert_null(strstr(text, "memory32"));
	hotmem_destroy(hm);
}

/*
 * Page through @id as explain --all does: the full explanation first,
 * then hotmem_explain_page() from each "next".  The pfns the later
 * pages walked in all (*walked), the entries listed (*listed) and the
 * sum of their digests, for the caller to hold against the head's
 * (@head).  @between runs after the page numbered @at.
 */
static uint64_t page_through(struct hotmem *hm, unsigned long id, struct hm_explain *head,
			     unsigned long *walked, unsigned long *listed, unsigned long at,
			     void (*between)(struct hotmem *hm))
{
	static struct hm_explain ex;
	uint64_t digest;

	assert_int_equal(hotmem_explain(hm, id, head), 0);
	*walked = 0;
	*listed = head->nr_shown;
	digest = head->shown_digest;
	for (unsigned long page = 1, from = head->next_pfn, more = head->nr_after; more; page++) {
		if (page == at && between)
			between(hm);
		assert_int_equal(hotmem_explain_page(hm, id, from, &ex), 0);
		assert_true(ex.page_only);
		assert_true(ex.nr_shown <= HM_EXPLAIN_MAX);
		*walked += ex.nr_walked;
		*listed += ex.nr_shown;
		digest += ex.shown_digest;
		from = ex.next_pfn;
		more = ex.nr_after;
	}
	return digest;
}

static unsigned long free_handle, replace_handle;

/* the 1500th entry freed (not listed yet at page 3) */
static void free_one(struct hotmem *hm)
{
	assert_int_equal(hotmem_free_page(hm, free_handle), 0);
}

/* the same pfn freed and taken again: another handle, another owner */
static void replace_one(struct hotmem *hm)
{
	unsigned long h;
	uint64_t pfn;

	assert_int_equal(hotmem_handle_pfn(hm, replace_handle, &pfn), 0);
	assert_int_equal(hotmem_free_page(hm, replace_handle), 0);
	assert_int_equal(hotmem_alloc_page_at(hm, pfn, HM_ALLOC_UNMOVABLE, &h), 0);
	replace_handle = h;
}

/*
 * explain --all is linear in the block (usereye7 #15): its later pages
 * walk from their "from" to the entry after their 64, so that all of
 * them together walk the block about once, where a full explanation a
 * page walked it once a page (2000 entries: 31 pages, 31 block walks).
 * A count, never a time.  And the digests tell a listing the block
 * changed under from one that matches its head.
 */
static void test_explain_all_walks_the_block_once(void **state)
{
	struct hotmem *hm = boot("qemu-512m", IDLE_KERNEL);
	static struct hm_explain head, again;
	const unsigned long base = DIMM >> 12, nr = 2000;
	unsigned long h, walked, listed;
	uint64_t digest;

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 256 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE), 0);
	for (unsigned long i = 0; i < nr; i++) {
		assert_int_equal(hotmem_alloc_page_at(hm, base + 2 * i, HM_ALLOC_UNMOVABLE, &h), 0);
		if (i == 1500)
			free_handle = h;
		if (i == 1600)
			replace_handle = h;
	}
	digest = page_through(hm, 32, &head, &walked, &listed, 0, NULL);
	assert_int_equal(head.nr_entries, nr);
	assert_int_equal(listed, nr);
	assert_true(digest == head.digest);
	/* the whole explanation walked the block: the pages together no more */
	assert_true(head.nr_walked >= 2 * nr);
	assert_true(walked <= head.nr_walked + 2 * (nr / HM_EXPLAIN_MAX + 1));
	/* the same entries, the same digest: nothing in them changed */
	assert_int_equal(hotmem_explain(hm, 32, &again), 0);
	assert_true(again.digest == head.digest);

	/* an entry not listed yet goes: one fewer listed than the head counts (1500 > 3 * 64) */
	digest = page_through(hm, 32, &head, &walked, &listed, 3, free_one);
	assert_int_equal(head.nr_entries, nr);
	assert_int_equal(listed, nr - 1);
	assert_true(digest != head.digest);
	/* one replaced (the same pfn, another owner): as many, but not the same */
	digest = page_through(hm, 32, &head, &walked, &listed, 3, replace_one);
	assert_int_equal(head.nr_entries, nr - 1);
	assert_int_equal(listed, head.nr_entries);
	assert_true(digest != head.digest);
	/* a page asked from inside a free range starts where the whole walk would meet it */
	assert_int_equal(hotmem_explain_page(hm, 32, base + 2 * nr + 5, &again), 0);
	assert_int_equal(again.nr_shown, 0);
	assert_int_equal(hotmem_explain_page(hm, 32, base + 1, &again), 0);
	assert_int_equal(again.pages[0].pfn, base + 2);
	hotmem_destroy(hm);
}

/* explain of an offline block: one "offline", not "offline: offline: ..." */
static void test_explain_offline_block_says_it_once(void **state)
{
	struct hotmem *hm = boot("qemu-512m", NULL);
	static struct hm_explain ex;
	static char text[4096];

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 256 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_explain(hm, 32, &ex), 0);
	assert_string_equal(ex.verdict, "offline");
	hotmem_explain_format(&ex, false, text, sizeof(text));
	assert_null(strstr(text, "offline: offline"));
	assert_non_null(strstr(text, "\nalready offline: nothing to explain\n"));
	hotmem_destroy(hm);
}

/* device_del: two tries, "Offline failed.", re-online what it offlined, remove nothing */
static void test_acpi_eject_refused_reonlines_and_removes_nothing(void **state)
{
	struct hotmem *hm = boot("qemu-512m", NULL);
	static char log[65536];
	struct hm_eject_block report[2];
	char *first, *second;

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 256 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE), 0);
	assert_int_equal(hotmem_block_set_state(hm, 33, HM_MMOP_ONLINE_MOVABLE), 0);
	assert_int_equal(hotmem_acpi_eject_memory(hm, DIMM, 256 * MiB, NULL, report), -EBUSY);
	/* the report says what the rollback did: memory33 Movable before, Normal now */
	assert_int_equal(report[0].id, 32);
	assert_int_equal(report[0].zone_before, HM_ZONE_NORMAL);
	assert_false(report[0].onlined_again);
	assert_int_equal(report[1].id, 33);
	assert_int_equal(report[1].zone_before, HM_ZONE_MOVABLE);
	assert_true(report[1].onlined_again);
	assert_int_equal(report[1].zone_after, HM_ZONE_NORMAL);
	assert_int_equal(hotmem_acpi_ost_status(-EBUSY), HM_ACPI_OST_SC_DEVICE_BUSY);
	assert_int_equal(block_state(hm, 32), HM_MEM_ONLINE);
	/* offlined by the eject, back online with MMOP_ONLINE: Movable is empty now */
	assert_int_equal(block_state(hm, 33), HM_MEM_ONLINE);
	assert_int_equal(block_zone(hm, 33), HM_ZONE_NORMAL);
	hotmem_dmesg(hm, log, sizeof(log));
	first = strstr(log, "page dumped because: unmovable page");
	assert_non_null(first);
	second = strstr(first + 1, "page dumped because: unmovable page");
	assert_non_null(second);	/* the second try */
	assert_non_null(strstr(second, "<4>memory memory32: Offline failed.\n"));
	check(hm);
	hotmem_destroy(hm);
}

/* a Movable DIMM beside a busy Normal one: its eject offlines and removes it */
static void test_acpi_eject_of_movable_dimm_removes_it(void **state)
{
	struct hotmem *hm = boot("qemu-512m", NULL);
	struct hm_eject_block report[2];

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 256 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM + 256 * MiB, 256 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE), 0);
	assert_int_equal(hotmem_block_set_state(hm, 34, HM_MMOP_ONLINE_MOVABLE), 0);
	assert_int_equal(hotmem_block_set_state(hm, 35, HM_MMOP_ONLINE_MOVABLE), 0);
	assert_int_equal(hotmem_acpi_eject_memory(hm, DIMM + 256 * MiB, 256 * MiB, NULL, report), 0);
	assert_false(report[0].onlined_again || report[1].onlined_again);
	assert_int_equal(report[0].zone_before, HM_ZONE_MOVABLE);
	assert_int_equal(block_state(hm, 34), -1);
	assert_int_equal(block_state(hm, 35), -1);
	check(hm);
	hotmem_destroy(hm);
}

static void count_going_online(const struct hm_event *ev, void *arg)
{
	int *n = arg;

	if (ev->type == HM_EV_TRACE && !strcmp(ev->fn, "memory_notify") && !ev->exit &&
	    ev->extra == HM_MEM_GOING_ONLINE)
		(*n)++;
}

/* auto-online during add stops at the first block that fails (walk_memory_blocks) */
static void test_auto_online_stops_at_first_failure(void **state)
{
	struct hotmem *hm = boot("qemu-512m", "memhp_default_state=online");
	int tries = 0;

	(void)state;
	hotmem_subscribe(hm, count_going_online, &tries);
	assert_int_equal(hotmem_set_notifier_error(hm, HM_MEM_GOING_ONLINE, -ENOMEM), 0);
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 512 * MiB, 0, -1), 0);
	assert_int_equal(tries, 1);
	for (unsigned long id = 32; id < 36; id++)
		assert_int_equal(block_state(hm, id), HM_MEM_OFFLINE);
	check(hm);
	hotmem_destroy(hm);
}

/* removal refused in the kernel's words; a vmemmap failure warns once */
static void test_kernel_messages_for_removal_and_vmemmap_failure(void **state)
{
	struct hotmem *hm = boot("qemu-512m", NULL);
	static char log[65536];

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 128 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_MOVABLE), 0);
	assert_int_equal(hotmem_remove_memory(hm, DIMM, 128 * MiB), -EBUSY);
	/* fill the kernel zones: the next memmap cannot be allocated */
	while (hotmem_alloc_pages(hm, -1, HM_ALLOC_UNMOVABLE, 65536, NULL) > 0)
		;
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM + 1 * GiB, 128 * MiB, 0, -1), -ENOMEM);
	hotmem_dmesg(hm, log, sizeof(log));
	assert_non_null(strstr(log, "<4>removing memory fails, because memory [0x0000000100000000-0x0000000107ffffff] is onlined\n"));
	assert_non_null(strstr(log, "vmemmap alloc failure: order:9, mode:0x4cc0(GFP_KERNEL|__GFP_RETRY_MAYFAIL)"));
	/* the fallback to base pages is the emulator's line: 6.12 says nothing (abuse31 W2) */
	assert_non_null(strstr(log, "<7>hotmem: section 40's memmap: no 2 MiB block for its PMD, mapped with base pages"));
	assert_null(strstr(log, "<7>vmemmap:"));
	/* x86 add_pages()'s WARN_ON_ONCE() of the failed __add_pages(), once (abuse31 W4) */
	assert_non_null(strstr(log, "<4>------------[ cut here ]------------\n"
				    "<4>WARNING: CPU: 0 PID: 0 at arch/x86/mm/init_64.c:986 add_pages+0x90/0xa0\n"));
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM + 2 * GiB, 128 * MiB, 0, -1), -ENOMEM);
	hotmem_dmesg(hm, log, sizeof(log));
	assert_int_equal(count_lines(log, "WARNING: CPU: 0 PID: 0 at arch/x86/mm/init_64.c:986"), 1);
	hotmem_destroy(hm);
}

struct memmap_list {
	struct hotmem_memmap_at at[16];
	size_t n;
};

static int memmap_collect(void *arg, const struct hotmem_memmap_at *at)
{
	struct memmap_list *l = arg;

	if (l->n == 16)
		return -ENOSPC;
	l->at[l->n++] = *at;
	return 0;
}

static struct memmap_list memmaps(struct hotmem *hm)
{
	struct memmap_list l = { .n = 0 };

	assert_int_equal(hotmem_memmap_walk(hm, memmap_collect, &l), 0);
	return l;
}

/*
 * A memmap from system RAM comes back at its block across a restart
 * (hotmemfs's restore: every device added, then the blocks onlined).
 * dimm2 added after memory32 went to ZONE_NORMAL: the buddy gave its
 * memmap from memory32.  The restore's add of dimm2 cannot take that
 * block (memory32 is offline then) and takes boot memory;
 * hotmem_memmap_restore_end() moves it once memory32 is online, and
 * MemFree and the invariants agree.  A place the kernel cannot have
 * now (memory32 onlined Movable this time) stays astray, counted.
 */
static void test_memmap_restored_at_its_pages(void **state)
{
	struct hotmem *hm = boot("qemu-512m", IDLE_KERNEL);
	struct memmap_list saved, got;
	unsigned long free_before;

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 256 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE), 0);
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM + 256 * MiB, 256 * MiB, 0, -1), 0);
	saved = memmaps(hm);
	assert_int_equal(saved.n, 4);
	assert_true(saved.at[2].pfn >= (DIMM >> HM_PAGE_SHIFT));	/* dimm2's from memory32 */
	free_before = memfree_kb(hm);
	hotmem_destroy(hm);

	hm = boot("qemu-512m", IDLE_KERNEL);
	assert_int_equal(hotmem_memmap_restore_begin(hm, saved.at, saved.n), 0);
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 256 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM + 256 * MiB, 256 * MiB, 0, -1), 0);
	got = memmaps(hm);
	assert_true(got.at[2].pfn < (DIMM >> HM_PAGE_SHIFT));	/* boot memory at the add */
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE), 0);
	assert_int_equal(hotmem_memmap_restore_end(hm), 0);
	got = memmaps(hm);
	assert_int_equal(got.n, saved.n);
	assert_memory_equal(got.at, saved.at, saved.n * sizeof(saved.at[0]));
	assert_int_equal(memfree_kb(hm), free_before);
	check(hm);
	/* the places forgotten: a second end has none */
	assert_int_equal(hotmem_memmap_restore_end(hm), 0);
	hotmem_destroy(hm);

	/* memory32 Movable: no place of dimm2's to take, its memmap where the buddy put it */
	hm = boot("qemu-512m", IDLE_KERNEL);
	assert_int_equal(hotmem_memmap_restore_begin(hm, saved.at, saved.n), 0);
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 256 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM + 256 * MiB, 256 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_MOVABLE), 0);
	assert_int_equal(hotmem_memmap_restore_end(hm), 2);
	got = memmaps(hm);
	assert_true(got.at[2].pfn < (DIMM >> HM_PAGE_SHIFT));
	check(hm);
	hotmem_destroy(hm);
}

static struct kmem_list {
	struct hotmem_kmem_alloc a[4096];
	unsigned long n;
} kmem_before, kmem_after;

static int kmem_collect(void *arg, const struct hotmem_kmem_alloc *a)
{
	struct kmem_list *l = arg;

	if (l->n == 4096)
		return -ENOSPC;
	/* field by field: no padding byte compared */
	memset(&l->a[l->n], 0, sizeof(l->a[0]));
	l->a[l->n].pfn = a->pfn;
	l->a[l->n].order = a->order;
	l->a[l->n].site = a->site;
	l->a[l->n].owner = a->owner;
	l->a[l->n].background = a->background;
	l->n++;
	return 0;
}

/* the pageblocks below the DIMM's end (qemu-512m: 512 MiB at 0, the DIMM at 4 GiB) */
#define VIEW_BLOCKS (((DIMM + 256 * MiB) >> HM_PAGE_SHIFT) / HM_PAGEBLOCK_NR_PAGES)

/*
 * What a rewind must leave as it was, and a refused one must not touch:
 * the kernel's allocations and generator, MemFree, /proc/pagetypeinfo
 * of every zone (the free lists' lengths by migratetype and order, the
 * pageblocks by migratetype), and each online pageblock's migratetype
 */
static struct machine_view {
	struct kmem_list list;
	uint64_t rng;
	unsigned long free_kb;
	struct hm_pagetype_info pi[4][HM_MAX_NR_ZONES];
	unsigned char mt[VIEW_BLOCKS];
} view_before, view_after, view_mark;

static void view_take(struct hotmem *hm, struct machine_view *v)
{
	memset(v, 0, sizeof(*v));
	assert_int_equal(hotmem_kmem_walk(hm, kmem_collect, &v->list, &v->rng), 0);
	v->free_kb = memfree_kb(hm);
	for (int nid = 0; nid < hotmem_nr_possible_nodes(hm) && nid < 4; nid++)
		for (int zid = 0; zid < HM_MAX_NR_ZONES; zid++)
			hotmem_zone_pagetype_info(hm, nid, zid, &v->pi[nid][zid]);
	for (unsigned long b = 0; b < VIEW_BLOCKS; b++) {
		unsigned long pfn = b * HM_PAGEBLOCK_NR_PAGES;

		v->mt[b] = pfn_to_online_page(hm, pfn) ?
			(unsigned char)get_pfnblock_migratetype(hm, pfn) : 0xff;
	}
}

/* each part on its own, so that a failure names it */
static void view_assert_same(const struct machine_view *a, const struct machine_view *b)
{
	assert_int_equal(a->list.n, b->list.n);
	assert_memory_equal(a->list.a, b->list.a, a->list.n * sizeof(a->list.a[0]));
	assert_int_equal(a->rng, b->rng);
	assert_int_equal(a->free_kb, b->free_kb);
	for (int nid = 0; nid < 4; nid++)
		for (int zid = 0; zid < HM_MAX_NR_ZONES; zid++) {
			assert_memory_equal(a->pi[nid][zid].nr_blocks, b->pi[nid][zid].nr_blocks,
					    sizeof(a->pi[nid][zid].nr_blocks));
			assert_memory_equal(a->pi[nid][zid].nr_free, b->pi[nid][zid].nr_free,
					    sizeof(a->pi[nid][zid].nr_free));
		}
	assert_memory_equal(a->mt, b->mt, sizeof(a->mt));
}

/* @n operations' background allocations (kmem_tick()), as the engine makes them */
static void kmem_ticks(struct hotmem *hm, int n)
{
	lock_device_hotplug(hm);
	for (int i = 0; i < n; i++)
		kmem_tick(hm);
	unlock_device_hotplug(hm);
}

/* a heavy kernel on qemu-512m with memory32 online in Normal, its log kept (as hotmemfs's) */
static struct hotmem *heavy_kernel_logging(void)
{
	struct hotmem *hm = boot("qemu-512m", "hotmem.kernel_alloc=heavy");

	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 256 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE), 0);
	hotmem_kmem_log_start(hm);
	return hm;
}

/* a rewind to @mark that moves nothing elsewhere, and leaves the machine as @want */
static void rewind_to(struct hotmem *hm, unsigned long mark, uint64_t rng,
		      const struct machine_view *want)
{
	unsigned long moved;

	assert_int_equal(hotmem_kmem_log_rewind(hm, mark, rng), 0);
	hotmem_kmem_log_rewind_end(hm, &moved);
	assert_int_equal(moved, 0);
	view_take(hm, &view_after);
	view_assert_same(&view_after, want);
}

/*
 * A position the log no longer holds (dropped past it, as a lost log
 * found again is) is -EOVERFLOW, not walked from the log's first entry:
 * hotmemfs's state file counted end - from as entries its record had
 * (its "based"), and a rollback to a position in the dropped gap made
 * a replay skip changes a restart needs (reread21 H1)
 */
static void test_walk_from_a_dropped_position(void **state)
{
	struct hotmem *hm = heavy_kernel_logging();
	unsigned long old, now, end;
	uint64_t rng;

	(void)state;
	old = hotmem_kmem_log_mark(hm, &rng);
	lock_device_hotplug(hm);
	kmem_tick(hm);
	unlock_device_hotplug(hm);
	assert_int_equal(hotmem_kmem_log_walk(hm, old, NULL, NULL, &rng, &end), 0);
	assert_true(end > old);
	hotmem_kmem_log_drop(hm, ULONG_MAX);
	now = hotmem_kmem_log_mark(hm, &rng);
	assert_int_equal(hotmem_kmem_log_walk(hm, old, NULL, NULL, &rng, &end), -EOVERFLOW);
	assert_int_equal(hotmem_kmem_log_walk(hm, now, NULL, NULL, &rng, &end), 0);
	assert_int_equal(end, now);
	hotmem_destroy(hm);
}

/*
 * A rewind to a mark the log no longer reaches (it was lost past
 * KMEM_LOG_MAX entries: ~1000 ticks of a heavy kernel) goes back to the
 * list as it was at the mark, from the copy the mark made: the same
 * allocations at the same pages in the same order, MemFree as before,
 * the invariants hold.  It was -EOVERFLOW with the change's allocations
 * left where it put them (hotmemfs: the undo of a change whose save
 * failed could not take them back).  An older mark whose copy was
 * dropped (its change's record durable) is still -EOVERFLOW with nothing
 * changed.
 */
static void test_rewind_past_a_lost_log(void **state)
{
	struct hotmem *hm = heavy_kernel_logging();
	unsigned long old, mark, end, moved, free_kb;
	uint64_t rng, rng_old, r;

	(void)state;
	old = hotmem_kmem_log_mark(hm, &rng_old);
	lock_device_hotplug(hm);
	kmem_tick(hm);
	unlock_device_hotplug(hm);
	mark = hotmem_kmem_log_mark(hm, &rng);
	kmem_before.n = 0;
	assert_int_equal(hotmem_kmem_walk(hm, kmem_collect, &kmem_before, &r), 0);
	free_kb = memfree_kb(hm);
	view_take(hm, &view_mark);
	lock_device_hotplug(hm);
	for (int i = 0; i < 1500; i++)
		kmem_tick(hm);
	unlock_device_hotplug(hm);
	assert_int_equal(hotmem_kmem_log_walk(hm, mark, NULL, NULL, &r, &end), -EOVERFLOW);
	kmem_after.n = 0;
	assert_int_equal(hotmem_kmem_walk(hm, kmem_collect, &kmem_after, &r), 0);
	assert_false(kmem_after.n == kmem_before.n &&
		     !memcmp(kmem_after.a, kmem_before.a, kmem_before.n * sizeof(kmem_before.a[0])));
	/*
	 * an older mark whose copy is gone: refused, nothing changed -- the
	 * list, the generator, the free lists and the pageblocks as they
	 * were just before (reread K10: it only asked that the list was not
	 * the copy's, which a rewind that freed some of it would pass)
	 */
	hotmem_kmem_log_drop(hm, mark);
	view_take(hm, &view_before);
	assert_int_equal(hotmem_kmem_log_rewind(hm, old, rng_old), -EOVERFLOW);
	hotmem_kmem_log_rewind_end(hm, &moved);
	assert_int_equal(moved, 0);
	view_take(hm, &view_after);
	view_assert_same(&view_after, &view_before);
	/*
	 * the lost log found again (a record carried the list whole) and
	 * its new end read, as hotmemfs's state file does before that
	 * record is durable: the mark's copy stays for its rollback
	 * (reread21b K1: a mark there took its place)
	 */
	hotmem_kmem_log_drop(hm, ULONG_MAX);
	assert_true(hotmem_kmem_log_end(hm) > mark);
	/* the mark's copy */
	assert_int_equal(hotmem_kmem_log_rewind(hm, mark, rng), 0);
	hotmem_kmem_log_rewind_end(hm, &moved);
	assert_int_equal(moved, 0);
	kmem_after.n = 0;
	assert_int_equal(hotmem_kmem_walk(hm, kmem_collect, &kmem_after, &r), 0);
	assert_int_equal(r, rng);
	assert_int_equal(kmem_after.n, kmem_before.n);
	assert_memory_equal(kmem_after.a, kmem_before.a, kmem_before.n * sizeof(kmem_before.a[0]));
	assert_int_equal(memfree_kb(hm), free_kb);
	/* the pageblocks the 1500 ticks claimed given back too, past the drop (K9) */
	view_take(hm, &view_after);
	view_assert_same(&view_after, &view_mark);
	check(hm);
	hotmem_destroy(hm);
}

/*
 * Two changes waiting for one fdatasync() (hotmemfs's state file), the
 * first of which lost the log (1500 ticks of a heavy kernel) and whose
 * record carried the list whole (the log dropped, found again): their
 * rollback rewinds the second from the log, then the first from its own
 * mark's copy -- the list, generator, MemFree and pageblocks as at each
 * mark.  With one copy, the last mark's, the first's rewind was
 * -EOVERFLOW and its 1500 ticks' allocations stayed.
 */
static void test_rewind_of_two_marks_past_a_lost_log(void **state)
{
	struct hotmem *hm = heavy_kernel_logging();
	unsigned long first, second, moved;
	uint64_t rng_first, rng_second;
	static struct machine_view view_first, view_second;

	(void)state;
	first = hotmem_kmem_log_mark(hm, &rng_first);
	view_take(hm, &view_first);
	kmem_ticks(hm, 1500);
	hotmem_kmem_log_drop(hm, ULONG_MAX);
	second = hotmem_kmem_log_mark(hm, &rng_second);
	assert_true(second > first);
	view_take(hm, &view_second);
	kmem_ticks(hm, 5);
	/* newest first: the second from the log, the first from its copy */
	rewind_to(hm, second, rng_second, &view_second);
	rewind_to(hm, first, rng_first, &view_first);
	check(hm);
	/* each copy went with its rewind: none left to go back to */
	assert_int_equal(hotmem_kmem_log_rewind(hm, first, rng_first), -EOVERFLOW);
	hotmem_kmem_log_rewind_end(hm, &moved);
	hotmem_destroy(hm);
}

/*
 * Two marks made while the log is lost, a change between them, each
 * with its own copy: the older one's rewind first (out of the newest
 * first order hotmemfs keeps) goes back to its own mark's list, and
 * takes the newer change with it, whose rewind is then refused
 * (-EOVERFLOW), as with the log held.  Copies were found by position
 * and the lost log's end stood still: both marks were at one position,
 * and the older rewind took the newer copy, the newer change's list
 * (reread23a R12).
 */
static void test_rewind_of_the_older_of_two_marks_while_lost(void **state)
{
	struct hotmem *hm = heavy_kernel_logging();
	unsigned long older, newer, moved;
	uint64_t rng_older, rng_newer;
	static struct machine_view view_older;

	(void)state;
	kmem_ticks(hm, 1500);
	older = hotmem_kmem_log_mark(hm, &rng_older);
	view_take(hm, &view_older);
	kmem_ticks(hm, 5);
	newer = hotmem_kmem_log_mark(hm, &rng_newer);
	kmem_ticks(hm, 5);
	rewind_to(hm, older, rng_older, &view_older);
	check(hm);
	assert_int_equal(hotmem_kmem_log_rewind(hm, newer, rng_newer), -EOVERFLOW);
	hotmem_kmem_log_rewind_end(hm, &moved);
	view_take(hm, &view_after);
	view_assert_same(&view_after, &view_older);
	hotmem_destroy(hm);
}

/*
 * A copy a mark makes is kept until a drop past it (the change's record
 * durable), and at most KMEM_COPIES_MAX: more marks than that drop the
 * oldest, whose rewind past a lost log is then refused; a mark that
 * finds the list as the last one did shares its copy
 */
static void test_mark_copies_are_bounded(void **state)
{
	struct hotmem *hm = heavy_kernel_logging();
	unsigned long marks[KMEM_COPIES_MAX + 1];
	uint64_t rng;

	(void)state;
	/* the same list twice: one copy */
	hotmem_kmem_log_mark(hm, &rng);
	hotmem_kmem_log_mark(hm, &rng);
	assert_int_equal(hm->kmem.nr_copies, 1);
	assert_int_equal(hm->kmem.copies[0].refs, 2);
	for (unsigned int i = 0; i <= KMEM_COPIES_MAX; i++) {
		kmem_ticks(hm, 1);
		marks[i] = hotmem_kmem_log_mark(hm, &rng);
	}
	assert_int_equal(hm->kmem.nr_copies, KMEM_COPIES_MAX);
	assert_null(kmem_copy_find(hm, marks[0]));
	assert_non_null(kmem_copy_find(hm, marks[1]));
	/* durable up to the 10th mark: the copies before it go */
	hotmem_kmem_log_drop(hm, marks[10]);
	assert_int_equal(hm->kmem.nr_copies, KMEM_COPIES_MAX - 9);
	assert_null(kmem_copy_find(hm, marks[9]));
	assert_int_equal(hm->kmem.copies[0].at, marks[10]);
	hotmem_destroy(hm);
}

/* the pageblocks of @mt in ZONE_NORMAL of node 0 (/proc/pagetypeinfo) */
static unsigned long normal_blocks(struct hotmem *hm, int mt)
{
	struct hm_pagetype_info pi;

	assert_int_equal(hotmem_zone_pagetype_info(hm, 0, ZONE_NORMAL, &pi), 0);
	return pi.nr_blocks[mt];
}

/*
 * The kernel's allocations of a change claim pageblocks for their
 * migratetype (__rmqueue_fallback(): ZONE_NORMAL holds only the DIMM's
 * MIGRATE_MOVABLE blocks, and an unmovable allocation takes a whole free
 * max-order block of them).  A rewind of the change gives them back:
 * /proc/pagetypeinfo (pageblocks by type, free lists by type and order)
 * and each block's migratetype as before the change, with the list, the
 * generator and MemFree (reread K9: the claims stayed, pagetypeinfo
 * differed from before the change while the docs said nothing that was
 * not rewound shows).
 */
static void test_rewind_gives_back_the_claimed_pageblocks(void **state)
{
	struct hotmem *hm = heavy_kernel_logging();
	unsigned long mark, unmovable;
	uint64_t rng;
	int ticks = 0;

	(void)state;
	mark = hotmem_kmem_log_mark(hm, &rng);
	view_take(hm, &view_before);
	unmovable = normal_blocks(hm, HM_MT_UNMOVABLE);
	/* the change: ticks until one claims another pageblock (a heavy tick takes ~90 pages) */
	lock_device_hotplug(hm);
	while (ticks < 200 && normal_blocks(hm, HM_MT_UNMOVABLE) == unmovable) {
		kmem_tick(hm);
		ticks++;
	}
	unlock_device_hotplug(hm);
	assert_true(normal_blocks(hm, HM_MT_UNMOVABLE) > unmovable);
	/* and a few more, so that the claim is not the log's last entry */
	kmem_ticks(hm, 3);
	rewind_to(hm, mark, rng, &view_before);
	check(hm);
	hotmem_destroy(hm);
}

/* a heavy kernel's list after 20 ticks from a mark, with @nchange ticks rewound before them */
static void ticks_after_rewind(int nchange)
{
	struct hotmem *hm = boot("qemu-512m", "hotmem.kernel_alloc=heavy");
	unsigned long mark, moved;
	uint64_t rng, r;

	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 256 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE), 0);
	hotmem_kmem_log_start(hm);
	mark = hotmem_kmem_log_mark(hm, &rng);
	lock_device_hotplug(hm);
	for (int i = 0; i < nchange; i++)
		kmem_tick(hm);
	unlock_device_hotplug(hm);
	if (nchange) {
		assert_int_equal(hotmem_kmem_log_rewind(hm, mark, rng), 0);
		hotmem_kmem_log_rewind_end(hm, &moved);
		assert_int_equal(moved, 0);
	}
	lock_device_hotplug(hm);
	for (int i = 0; i < 20; i++)
		kmem_tick(hm);
	unlock_device_hotplug(hm);
	kmem_after.n = 0;
	assert_int_equal(hotmem_kmem_walk(hm, kmem_collect, &kmem_after, &r), 0);
	check(hm);
	hotmem_destroy(hm);
}

/*
 * A rewind gives the pages back to the buddy, and takes freed ones off
 * it, in its own order, not the free lists' order before the change.
 * Whether that shows: the allocations of the 20 ticks after it are at
 * the same pages as without the change, after a rewind from the log (5
 * ticks) and from the mark's copy (1500 ticks, the log lost).  What a
 * user sees (explain, which block the kernel pins) is the same.
 */
static void test_rewind_leaves_later_allocations_as_without(void **state)
{
	static const int nchange[] = { 5, 1500 };

	(void)state;
	for (unsigned int k = 0; k < ARRAY_SIZE(nchange); k++) {
		ticks_after_rewind(0);
		kmem_before = kmem_after;
		ticks_after_rewind(nchange[k]);
		assert_int_equal(kmem_after.n, kmem_before.n);
		assert_memory_equal(kmem_after.a, kmem_before.a,
				    kmem_before.n * sizeof(kmem_before.a[0]));
	}
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
		cmocka_unit_test(test_new_cpu_node_gets_kswapd_stacks_pagesets_elsewhere),
		cmocka_unit_test(test_cpuless_node_normal_block_goes_offline),
		cmocka_unit_test(test_cpuless_node_kernel_only_block_goes_offline),
		cmocka_unit_test(test_memoryless_cpu_node_allocates_on_its_fallback_node),
		cmocka_unit_test(test_cpus_on_memoryless_node0_allocate_from_their_zonelist),
		cmocka_unit_test(test_same_seed_replays_exactly),
		cmocka_unit_test(test_explain_names_kernel_pages_and_zone_rule),
		cmocka_unit_test(test_explain_memmap_one_entry_an_allocation),
		cmocka_unit_test(test_explain_names_workload_and_pins),
		cmocka_unit_test(test_dump_page_prints_the_kernels_flags_word),
		cmocka_unit_test(test_dump_page_raw_words_are_the_kernels),
		cmocka_unit_test(test_explain_offline_block_says_it_once),
		cmocka_unit_test(test_explain_pages_through_a_block),
		cmocka_unit_test(test_explain_all_walks_the_block_once),
		cmocka_unit_test(test_log_ring_keeps_the_offline_failure),
		cmocka_unit_test(test_policy_zone_is_the_highest_below_movable),
		cmocka_unit_test(test_node_hotadd_and_memory_tier_lines),
		cmocka_unit_test(test_boot_logs_memory_tier_lines_cpuless_node_too),
		cmocka_unit_test(test_policy_zone_raised_never_lowered),
		cmocka_unit_test(test_acpi_eject_refused_reonlines_and_removes_nothing),
		cmocka_unit_test(test_acpi_eject_of_movable_dimm_removes_it),
		cmocka_unit_test(test_auto_online_stops_at_first_failure),
		cmocka_unit_test(test_kernel_messages_for_removal_and_vmemmap_failure),
		cmocka_unit_test(test_memmap_restored_at_its_pages),
		cmocka_unit_test(test_walk_from_a_dropped_position),
		cmocka_unit_test(test_rewind_past_a_lost_log),
		cmocka_unit_test(test_rewind_of_two_marks_past_a_lost_log),
		cmocka_unit_test(test_rewind_of_the_older_of_two_marks_while_lost),
		cmocka_unit_test(test_mark_copies_are_bounded),
		cmocka_unit_test(test_rewind_leaves_later_allocations_as_without),
		cmocka_unit_test(test_rewind_gives_back_the_claimed_pageblocks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
