// SPDX-License-Identifier: GPL-2.0
/*
 * A profile's nodes are QEMU's (PXMs); the guest's node ids are x86
 * 6.12's, given in SRAT order (acpi_numa_init(): the CPUs' entries, then
 * the memory's by address; QEMU's build_srat() writes them so).
 * engine/srat.c; abuse29a N7.
 */
#include <stdio.h>
#include <string.h>

#include "helpers.h"
#include "internal.h"

static struct hotmem *boot_text(const char *text)
{
	struct hotmem_config cfg;
	struct hotmem *hm;
	char err[256];

	hotmem_config_default(&cfg);
	assert_int_equal(hotmem_config_parse_text(&cfg, text, err, sizeof(err)), 0);
	assert_int_equal(hotmem_config_parse_cmdline(&cfg, "hotmem.kernel_alloc=off", err,
						     sizeof(err)), 0);
	assert_int_equal(hotmem_create(&cfg, &hm, err, sizeof(err)), 0);
	return hm;
}

/*
 * scenario J: -numa node,nodeid=0,memdev=ram0 -numa node,nodeid=1,cpus=0-1
 * boots with node 0 = PXM 1 (the CPUs, memoryless), node 1 = PXM 0
 */
static void test_cpus_first(void **state)
{
	struct hotmem *hm = boot_text("profile = qemu-512m\nnodes = 2\ncpu_nodes = 1\n");
	struct hm_node_info ni;

	(void)state;
	assert_int_equal(hotmem_pxm_to_node(hm, 1), 0);
	assert_int_equal(hotmem_pxm_to_node(hm, 0), 1);
	assert_int_equal(hotmem_node_to_pxm(hm, 0), 1);
	assert_int_equal(hotmem_node_to_pxm(hm, 1), 0);
	assert_int_equal(hotmem_node_info(hm, 0, &ni), 0);
	assert_true(ni.has_cpu);
	assert_int_equal(ni.present, 0);
	assert_int_equal(hotmem_node_info(hm, 1, &ni), 0);
	assert_false(ni.has_cpu);
	assert_true(ni.present > 0);
	hotmem_destroy(hm);
}

/* every built-in profile numbers its nodes in SRAT order already: each PXM its own id */
static void test_builtins_unchanged(void **state)
{
	(void)state;
	for (const char *const *n = hotmem_config_builtin_names(); *n; n++) {
		struct hotmem_config cfg;
		struct hm_pxm_map m;

		assert_int_equal(hotmem_config_builtin(&cfg, *n), 0);
		hotmem_srat_map(&cfg, &m);
		for (int pxm = 0; pxm < cfg.nr_possible_nodes; pxm++) {
			if (m.node[pxm] != pxm)
				print_error("%s: PXM %d is node %d\n", *n, pxm, m.node[pxm]);
			assert_int_equal(m.node[pxm], pxm);
			assert_int_equal(m.pxm[pxm], pxm);
		}
	}
}

/*
 * The SLIT is by PXM (acpi_parse_slit(): numa_set_distance(pxm_to_node(i),
 * pxm_to_node(j), ...)); a PXM without CPUs or boot memory gets the
 * next id (hotmem's, see engine.md "Where we differ")
 */
static void test_slit_by_pxm(void **state)
{
	struct hotmem *hm = boot_text("profile = numa2\nnodes = 4\ncpu_nodes = 2\n"
				      "distance = 0 1 15\ndistance = 0 2 25\ndistance = 1 2 30\n"
				      "distance = 0 3 40\ndistance = 1 3 41\ndistance = 2 3 42\n");
	const struct hotmem_config *cfg = hotmem_get_config(hm);

	(void)state;
	/* PXM 2 (the CPUs) node 0, PXM 0 node 1, PXM 1 node 2, PXM 3 node 3 */
	assert_int_equal(hotmem_pxm_to_node(hm, 2), 0);
	assert_int_equal(hotmem_pxm_to_node(hm, 0), 1);
	assert_int_equal(hotmem_pxm_to_node(hm, 1), 2);
	assert_int_equal(hotmem_pxm_to_node(hm, 3), 3);
	assert_int_equal(hotmem_node_distance(hm, 1, 2), 15);
	assert_int_equal(hotmem_node_distance(hm, 0, 1), 25);
	assert_int_equal(hotmem_node_distance(hm, 2, 0), 30);
	assert_int_equal(hotmem_node_distance(hm, 3, 1), 40);
	assert_int_equal(hotmem_node_distance(hm, 2, 3), 41);
	assert_int_equal(hotmem_node_distance(hm, 0, 3), 42);
	/* the machine the engine boots: in node ids */
	assert_int_equal(cfg->cpu_nodes, 1);
	for (int i = 0; i < cfg->nr_boot_ranges; i++)
		assert_int_equal(cfg->boot[i].nid, cfg->boot[i].start < (1ULL << 30) ? 1 : 2);
	hotmem_destroy(hm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpus_first),
		cmocka_unit_test(test_builtins_unchanged),
		cmocka_unit_test(test_slit_by_pxm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
