// SPDX-License-Identifier: GPL-2.0
/*
 * The HugeTLB pool at boot: hugepages= (6.12 mm/hugetlb.c
 * hugepages_setup() -> hugetlb_init() -> hugetlb_hstate_alloc_pages())
 * and report_hugepages()'s lines in the boot log (abuse30a C1, C2).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "helpers.h"
#include "internal.h"

static unsigned long node_hugepages(struct hotmem *hm, int nid)
{
	struct hm_node_info ni;

	assert_int_equal(hotmem_node_info(hm, nid, &ni), 0);
	return ni.hugepages_total;
}

/* pool pages in the profile's boot RAM */
static unsigned long pool_in_boot_ram(struct hotmem *hm)
{
	unsigned long n = 0;

	for (unsigned long i = 0; i < hm->hugetlb_nr; i++) {
		uint64_t addr = (uint64_t)hm->hugetlb_pool[i].pfn << PAGE_SHIFT;

		for (int r = 0; r < hm->cfg.nr_boot_ranges; r++)
			n += addr >= hm->cfg.boot[r].start && addr < hm->cfg.boot[r].end;
	}
	return n;
}

/*
 * abuse30a sH2: the guest with hugepages=8 boots with 8 free huge pages
 * in boot memory, and says so after the zonelists ("Policy zone"); an
 * offline of a hot-added Movable block later dissolves only the pool's
 * pages in that block, never the boot ones.  hotmem had 0 and so put all
 * of a grown pool in the DIMM.
 */
static void test_hugepages_pre_allocates_from_boot_memory(void **state)
{
	static char log[1 << 16];
	struct hotmem *hm = boot("qemu-512m", "memhp_default_state=offline hugepages=8");
	unsigned long before;
	int to_alloc, to_free;

	(void)state;
	assert_int_equal(node_hugepages(hm, 0), 8);
	assert_int_equal(hm->hugetlb_nr, 8);
	assert_int_equal(pool_in_boot_ram(hm), 8);
	/* the boot's own round robin: the hstate's is where it was */
	hotmem_hugetlb_next_nid(hm, &to_alloc, &to_free);
	assert_int_equal(to_alloc, 0);
	hotmem_dmesg(hm, log, sizeof(log));
	/* the boot reservations' Memory: line between them, as in the guest (2026-12-03) */
	assert_non_null(strstr(log, "<6>Policy zone: DMA32\n"
				    "<6>Freeing SMP alternatives memory: 40K\n<6>Memory: "));
	assert_non_null(strstr(log, "cma-reserved)\n"
				    "<6>HugeTLB: registered 2.00 MiB page size, pre-allocated 8 pages\n"
				    "<6>HugeTLB: 28 KiB vmemmap can be freed for a 2.00 MiB page\n"));
	check(hm);

	assert_int_equal(hotmem_add_memory(hm, 0, 0x100000000ULL, 256 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_MOVABLE), 0);
	assert_int_equal(hotmem_block_set_state(hm, 33, HM_MMOP_ONLINE_MOVABLE), 0);
	assert_int_equal(hotmem_hugetlb_set_node(hm, NUMA_NO_NODE, 80), 80);
	before = hm->hugetlb_nr;
	assert_int_equal(hotmem_block_set_state(hm, 33, HM_MMOP_OFFLINE), 0);
	assert_true(hm->hugetlb_nr < before);
	assert_int_equal(pool_in_boot_ram(hm), 8);
	check(hm);
	hotmem_destroy(hm);
}

/*
 * report_hugepages() speaks on every boot, a pool or not, HVO on or off:
 * the vmemmap line is the size that could be freed (6.12 prints
 * hugetlb_vmemmap_optimizable_size()).
 */
static void test_boot_log_reports_the_2m_hstate_always(void **state)
{
	static const char *const lines[] = { NULL, "hugetlb_free_vmemmap=on" };
	static char log[1 << 16];

	(void)state;
	for (int i = 0; i < 2; i++) {
		struct hotmem *hm = boot("default", lines[i]);

		hotmem_dmesg(hm, log, sizeof(log));
		assert_non_null(strstr(log, "<6>HugeTLB: registered 2.00 MiB page size, pre-allocated 0 pages\n"
					    "<6>HugeTLB: 28 KiB vmemmap can be freed for a 2.00 MiB page\n"));
		assert_int_equal(count_lines(log, "HugeTLB:"), 2);
		assert_int_equal(hm->hugetlb_nr, 0);
		hotmem_destroy(hm);
	}
}

/*
 * Over the nodes with memory as 6.12's hugetlb_pages_alloc_boot():
 * padata chunks, each its own round robin from first_online_node -- 8
 * on two nodes, four chunks of 2: 4 and 4; 6, six chunks of 1: all on
 * node 0 (and 2, two chunks of 1).  NODE:N names a node's (hugetlb_hstate_alloc_pages_onenode()),
 * and a size word for the 2 MiB hstate changes nothing.
 */
static void test_hugepages_spread_as_6_12_does(void **state)
{
	static const struct {
		const char *cmdline;
		unsigned long node0, node1;
	} cases[] = {
		{ "hugepages=8", 4, 4 },
		{ "hugepages=6", 6, 0 },
		{ "hugepages=0:2,1:3", 2, 3 },
		{ "hugepagesz=2M hugepages=1:5", 0, 5 },
		{ "default_hugepagesz=2M hugepages=2", 2, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hotmem *hm = boot("numa2", cases[i].cmdline);

		assert_int_equal(node_hugepages(hm, 0), cases[i].node0);
		assert_int_equal(node_hugepages(hm, 1), cases[i].node1);
		check(hm);
		hotmem_destroy(hm);
	}
}

/*
 * More than boot memory holds.  hugepages=N: the pool takes every 2 MiB
 * block and 6.12's boot then panics out of memory ("System is deadlocked
 * on memory": a qemu-512m guest with hugepages=300, abuse30c K2), so the
 * machine does not boot here either, saying why; it booted with a few MiB
 * free.  NODE:N: that node's blocks alone, the kernel's warning, the boot
 * goes on.
 */
static void test_hugepages_beyond_memory_warns(void **state)
{
	static char log[1 << 16];
	struct hotmem_config cfg;
	struct hotmem *hm = NULL;
	char want[160], err[512] = "";

	(void)state;
	assert_int_equal(hotmem_config_builtin(&cfg, "qemu-512m"), 0);
	assert_int_equal(hotmem_config_parse_cmdline(&cfg, "hugepages=300", err, sizeof(err)), 0);
	assert_int_equal(hotmem_create(&cfg, &hm, err, sizeof(err)), -ENOMEM);
	assert_null(hm);
	if (!strstr(err, "hugepages=300: only ") ||
	    !strstr(err, "System is deadlocked on memory"))
		fail_msg("the refusal does not say why: %s", err);

	hm = boot("numa2", "hugepages=1:100000");
	assert_int_equal(node_hugepages(hm, 0), 0);
	snprintf(want, sizeof(want),
		 "<4>HugeTLB: allocating 100000 of page size 2.00 MiB failed node1.  Only allocated %lu hugepages.\n",
		 node_hugepages(hm, 1));
	hotmem_dmesg(hm, log, sizeof(log));
	assert_non_null(strstr(log, want));
	hotmem_destroy(hm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hugepages_pre_allocates_from_boot_memory),
		cmocka_unit_test(test_boot_log_reports_the_2m_hstate_always),
		cmocka_unit_test(test_hugepages_spread_as_6_12_does),
		cmocka_unit_test(test_hugepages_beyond_memory_warns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
