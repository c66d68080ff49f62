// SPDX-License-Identifier: MIT
/* hotmemd policy decisions: the kernel's auto-movable arithmetic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "policy.h"

#define GIB_PAGES (262144ul) /* 1 GiB in 4 KiB pages */
#define BLOCK_PAGES (32768ul) /* 128 MiB */
#define NORMAL_MOVABLE ((1u << HMD_ZONE_NORMAL) | (1u << HMD_ZONE_MOVABLE))

static struct hmd_policy_ctx one_node(unsigned long kernel_gib)
{
	struct hmd_policy_ctx pc = { .ratio = 301, .numa_aware = true, .nr_nodes = 1 };

	pc.node[0].kernel_early_pages = kernel_gib * GIB_PAGES;
	return pc;
}

static struct hmd_block_req block_req(int nid)
{
	struct hmd_block_req r = {
		.nid = nid,
		.nr_pages = BLOCK_PAGES,
		.valid_zones = NORMAL_MOVABLE,
		.default_zone = HMD_ZONE_NORMAL,
	};
	return r;
}

/*
 * Documentation/admin-guide/mm/memory-hotplug.rst: with the default
 * ratio 301, an 8 GiB machine can have 24 GiB of ZONE_MOVABLE.
 */
static void test_kernel_doc_example(void **state)
{
	struct hmd_policy_ctx pc = one_node(8);

	assert_true(hmd_auto_movable_can_online_movable(&pc, HMD_NUMA_NO_NODE, NULL, 24 * GIB_PAGES));
	assert_false(hmd_auto_movable_can_online_movable(&pc, HMD_NUMA_NO_NODE, NULL,
							 24 * GIB_PAGES + BLOCK_PAGES));
	/* 301% of 8 GiB is 24.08 GiB: a few pages more still fit */
	assert_true(hmd_auto_movable_can_online_movable(&pc, 0, NULL, 24 * GIB_PAGES + 20000));
}

/* Plug 128 MiB blocks one by one: 192 (24 GiB) go Movable, then Normal. */
static void test_sequence_192_movable(void **state)
{
	struct hmd_policy_ctx pc = one_node(8);
	struct hmd_block_req req = block_req(0);
	struct hmd_decision d;
	int i, movable = 0;

	for (i = 0; i < 256; i++) {
		hmd_decide(HMD_POL_AUTO_MOVABLE, &pc, &req, &d);
		if (d.action == HMD_ACT_ONLINE_MOVABLE) {
			assert_int_equal(d.zone, HMD_ZONE_MOVABLE);
			assert_int_equal(movable, i); /* never Movable after Normal */
			pc.node[0].movable_pages += BLOCK_PAGES;
			movable++;
		} else {
			assert_int_equal(d.action, HMD_ACT_ONLINE_KERNEL);
			assert_int_equal(d.zone, HMD_ZONE_NORMAL);
			assert_non_null(strstr(d.reason, "exceeds"));
		}
	}
	assert_int_equal(movable, 192);
}

/*
 * Hot-added kernel memory does not raise the limit (KERNEL_EARLY only):
 * with the ratio used up, a block in ZONE_NORMAL changes nothing.
 */
static void test_hotplugged_kernel_does_not_count(void **state)
{
	struct hmd_policy_ctx pc = one_node(8);

	pc.node[0].movable_pages = 24 * GIB_PAGES;
	assert_false(hmd_auto_movable_can_online_movable(&pc, 0, NULL, BLOCK_PAGES));
}

/*
 * NUMA: node1 has no boot memory.  NUMA-aware, its blocks go to a kernel
 * zone; not NUMA-aware, node0's kernel memory covers them.
 */
static void test_numa_memory_only_node(void **state)
{
	struct hmd_policy_ctx pc = { .ratio = 301, .numa_aware = true, .nr_nodes = 2 };
	struct hmd_block_req req = block_req(1);
	struct hmd_decision d;

	pc.node[0].kernel_early_pages = 8 * GIB_PAGES;
	hmd_decide(HMD_POL_AUTO_MOVABLE, &pc, &req, &d);
	assert_int_equal(d.action, HMD_ACT_ONLINE_KERNEL);
	assert_non_null(strstr(d.reason, "node1"));

	pc.numa_aware = false;
	hmd_decide(HMD_POL_AUTO_MOVABLE, &pc, &req, &d);
	assert_int_equal(d.action, HMD_ACT_ONLINE_MOVABLE);
}

/* Each node is held to its own ratio, and the machine to the total. */
static void test_numa_per_node_ratio(void **state)
{
	struct hmd_policy_ctx pc = { .ratio = 301, .numa_aware = true, .nr_nodes = 2 };
	struct hmd_block_req req = block_req(1);
	struct hmd_decision d;
	int i, movable = 0;

	pc.node[0].kernel_early_pages = 4 * GIB_PAGES;
	pc.node[1].kernel_early_pages = 1 * GIB_PAGES; /* 3.01 GiB movable on node1 */
	for (i = 0; i < 64; i++) {
		hmd_decide(HMD_POL_AUTO_MOVABLE, &pc, &req, &d);
		if (d.action != HMD_ACT_ONLINE_MOVABLE)
			break;
		pc.node[1].movable_pages += BLOCK_PAGES;
		movable++;
	}
	assert_int_equal(movable, 24); /* 3 GiB */
	/* node0 still has room of its own */
	req.nid = 0;
	hmd_decide(HMD_POL_AUTO_MOVABLE, &pc, &req, &d);
	assert_int_equal(d.action, HMD_ACT_ONLINE_MOVABLE);
	/* the machine-wide check: fill node0 past 15.05 GiB total */
	pc.node[0].movable_pages = 12 * GIB_PAGES;
	hmd_decide(HMD_POL_AUTO_MOVABLE, &pc, &req, &d);
	assert_int_equal(d.action, HMD_ACT_ONLINE_KERNEL);
	assert_non_null(strstr(d.reason, "all nodes"));
}

static void test_ratio_zero(void **state)
{
	struct hmd_policy_ctx pc = one_node(8);
	struct hmd_block_req req = block_req(0);
	struct hmd_decision d;

	pc.ratio = 0;
	hmd_decide(HMD_POL_AUTO_MOVABLE, &pc, &req, &d);
	assert_int_equal(d.action, HMD_ACT_ONLINE_KERNEL);
}

/* A static group (one DIMM) goes Movable only if all of it fits. */
static void test_static_group(void **state)
{
	struct hmd_policy_ctx pc = one_node(1); /* 3.01 GiB movable */
	struct hmd_group g = { .max_pages = 4 * GIB_PAGES };
	struct hmd_block_req req = block_req(0);
	struct hmd_decision d;

	req.group = &g;
	hmd_decide(HMD_POL_AUTO_MOVABLE, &pc, &req, &d);
	assert_int_equal(d.action, HMD_ACT_ONLINE_KERNEL);

	g.max_pages = 2 * GIB_PAGES;
	hmd_decide(HMD_POL_AUTO_MOVABLE, &pc, &req, &d);
	assert_int_equal(d.action, HMD_ACT_ONLINE_MOVABLE);
	/* the pages it adds are the group's rest, not the block's: said (user42 U4) */
	assert_non_null(strstr(d.reason, "+ 524288 pages (this block and the rest of its static group) within"));

	/* if anything of the group is in a kernel zone, the rest follows */
	g.present_kernel_pages = BLOCK_PAGES;
	hmd_decide(HMD_POL_AUTO_MOVABLE, &pc, &req, &d);
	assert_int_equal(d.action, HMD_ACT_ONLINE_KERNEL);
	assert_non_null(strstr(d.reason, "group"));
}

/*
 * Dynamic groups (virtio-mem, 6.12 auto_movable_can_online_movable()):
 * the group's own kernel pages allow more Movable in it; another group's
 * Movable needs its kernel early pages, which are reserved.
 */
static void test_dynamic_group(void **state)
{
	struct hmd_policy_ctx pc = one_node(1); /* 3.01 GiB movable */
	struct hmd_group dyn[2] = {
		{ .is_dynamic = true, .nid = 0, .unit_pages = BLOCK_PAGES },
		{ .is_dynamic = true, .nid = 0, .unit_pages = BLOCK_PAGES },
	};
	struct hmd_block_req req = block_req(0);
	struct hmd_decision d;

	pc.dyn = dyn;
	pc.nr_dyn = 2;
	req.group = &dyn[0];
	/* 3 GiB Movable in group 0 already: the next block exceeds 3.01 GiB */
	dyn[0].present_movable_pages = 3 * GIB_PAGES;
	pc.node[0].movable_pages = 3 * GIB_PAGES;
	hmd_decide(HMD_POL_AUTO_MOVABLE, &pc, &req, &d);
	assert_int_equal(d.action, HMD_ACT_ONLINE_KERNEL);
	/* one block of it in Normal: 3.01 x (1 GiB + 128 MiB) leaves room for one more */
	dyn[0].present_kernel_pages = BLOCK_PAGES;
	hmd_decide(HMD_POL_AUTO_MOVABLE, &pc, &req, &d);
	assert_int_equal(d.action, HMD_ACT_ONLINE_MOVABLE);
	assert_non_null(strstr(d.reason, "dynamic memory groups counted"));

	/* group 1's first block: group 0 reserves 3 GiB x 100/301 - 128 MiB */
	req.group = &dyn[1];
	hmd_decide(HMD_POL_AUTO_MOVABLE, &pc, &req, &d);
	assert_true(hmd_auto_movable_can_online_movable(&pc, 0, &dyn[1], BLOCK_PAGES));
	assert_int_equal(d.action, HMD_ACT_ONLINE_MOVABLE);
	/* group 0 grows Movable to 6 GiB on 1 GiB of own kernel: it reserves all of node0's */
	dyn[0].present_movable_pages = 6 * GIB_PAGES;
	dyn[0].present_kernel_pages = GIB_PAGES;
	pc.node[0].movable_pages = 6 * GIB_PAGES;
	assert_false(hmd_auto_movable_can_online_movable(&pc, 0, &dyn[1], BLOCK_PAGES));
	hmd_decide(HMD_POL_AUTO_MOVABLE, &pc, &req, &d);
	assert_int_equal(d.action, HMD_ACT_ONLINE_KERNEL);
	/* groups on another node reserve nothing on node0 (auto_movable_numa_aware) */
	dyn[0].nid = 1;
	pc.nr_nodes = 2;
	pc.node[1].movable_pages = pc.node[0].movable_pages;
	pc.node[0].movable_pages = 0;
	assert_true(hmd_auto_movable_can_online_movable(&pc, 0, &dyn[1], BLOCK_PAGES));
}

/* Big Block Mode: a unit of 4 blocks goes Movable only whole, or follows its kernel block. */
static void test_dynamic_group_big_block(void **state)
{
	struct hmd_policy_ctx pc = one_node(1);
	struct hmd_group dyn = { .is_dynamic = true, .nid = 0, .unit_pages = 4 * BLOCK_PAGES };
	struct hmd_block_req req = block_req(0);
	struct hmd_decision d;

	pc.dyn = &dyn;
	pc.nr_dyn = 1;
	req.group = &dyn;
	/* 2.75 GiB Movable: 2 blocks fit, the unit's 4 do not */
	pc.node[0].movable_pages = 2 * GIB_PAGES + 6 * BLOCK_PAGES;
	hmd_decide(HMD_POL_AUTO_MOVABLE, &pc, &req, &d);
	assert_int_equal(d.action, HMD_ACT_ONLINE_KERNEL);
	/* two of the unit already Movable: the remaining two fit */
	req.unit_online_pages = 2 * BLOCK_PAGES;
	hmd_decide(HMD_POL_AUTO_MOVABLE, &pc, &req, &d);
	assert_int_equal(d.action, HMD_ACT_ONLINE_MOVABLE);
	req.unit_has_kernel = true;
	hmd_decide(HMD_POL_AUTO_MOVABLE, &pc, &req, &d);
	assert_int_equal(d.action, HMD_ACT_ONLINE_KERNEL);
	assert_non_null(strstr(d.reason, "unit"));
}

static void test_valid_zones_respected(void **state)
{
	struct hmd_policy_ctx pc = one_node(8);
	struct hmd_block_req req = block_req(0);
	struct hmd_decision d;

	req.valid_zones = 1u << HMD_ZONE_NORMAL; /* Movable not allowed */
	hmd_decide(HMD_POL_AUTO_MOVABLE, &pc, &req, &d);
	assert_int_equal(d.action, HMD_ACT_ONLINE_KERNEL);
	assert_non_null(strstr(d.reason, "not in valid_zones"));

	hmd_decide(HMD_POL_ONLINE_MOVABLE, &pc, &req, &d);
	assert_int_equal(d.action, HMD_ACT_NONE);

	req.valid_zones = (1u << HMD_ZONE_DMA32) | (1u << HMD_ZONE_MOVABLE);
	req.default_zone = HMD_ZONE_DMA32;
	hmd_decide(HMD_POL_ONLINE_KERNEL, &pc, &req, &d);
	assert_int_equal(d.action, HMD_ACT_ONLINE_KERNEL);
	assert_int_equal(d.zone, HMD_ZONE_DMA32);
}

static void test_simple_policies(void **state)
{
	struct hmd_policy_ctx pc = one_node(8);
	struct hmd_block_req req = block_req(0);
	struct hmd_decision d;

	hmd_decide(HMD_POL_OFFLINE, &pc, &req, &d);
	assert_int_equal(d.action, HMD_ACT_NONE);
	hmd_decide(HMD_POL_ONLINE, &pc, &req, &d);
	assert_int_equal(d.action, HMD_ACT_ONLINE);
	assert_int_equal(d.zone, HMD_ZONE_NORMAL);
	assert_string_equal(hmd_action_state(d.action), "online");
	hmd_decide(HMD_POL_ONLINE_MOVABLE, &pc, &req, &d);
	assert_string_equal(hmd_action_state(d.action), "online_movable");
}

static void test_names(void **state)
{
	int first;

	assert_int_equal(hmd_policy_from_str("auto-movable"), HMD_POL_AUTO_MOVABLE);
	assert_int_equal(hmd_policy_from_str("auto_movable"), HMD_POL_AUTO_MOVABLE);
	assert_int_equal(hmd_policy_from_str("online_kernel"), HMD_POL_ONLINE_KERNEL);
	assert_int_equal(hmd_policy_from_str("Online"), -1);
	assert_int_equal(hmd_parse_valid_zones("Normal Movable\n", &first), NORMAL_MOVABLE);
	assert_int_equal(first, HMD_ZONE_NORMAL);
	assert_int_equal(hmd_parse_valid_zones("none\n", &first), 0);
	assert_int_equal(first, HMD_ZONE_NONE);
	assert_int_equal(hmd_parse_valid_zones("DMA32", &first), 1u << HMD_ZONE_DMA32);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_doc_example),
		cmocka_unit_test(test_sequence_192_movable),
		cmocka_unit_test(test_hotplugged_kernel_does_not_count),
		cmocka_unit_test(test_numa_memory_only_node),
		cmocka_unit_test(test_numa_per_node_ratio),
		cmocka_unit_test(test_ratio_zero),
		cmocka_unit_test(test_static_group),
		cmocka_unit_test(test_dynamic_group),
		cmocka_unit_test(test_dynamic_group_big_block),
		cmocka_unit_test(test_valid_zones_respected),
		cmocka_unit_test(test_simple_policies),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
