// SPDX-License-Identifier: GPL-2.0
/* The machine: profiles and the kernel command line, by the kernel's names. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"

static void test_default_machine_needs_no_file(void **state)
{
	struct hotmem_config cfg;
	char err[256];

	(void)state;
	hotmem_config_default(&cfg);
	assert_int_equal(cfg.block_size, 128 * MiB);
	assert_int_equal(cfg.max_physmem_bits, 46);
	assert_int_equal(cfg.memhp_default_online_type, HM_MMOP_OFFLINE);
	assert_int_equal(cfg.auto_movable_ratio, 301);
	assert_true(cfg.auto_movable_numa_aware);
	assert_true(cfg.virtio_mem_unplug_online);
	assert_false(cfg.virtio_mem_force_bbm);
	assert_int_equal(cfg.virtio_mem_bbm_block_size, 0);
	assert_int_equal(hotmem_config_validate(&cfg, err, sizeof(err)), 0);
}

static void test_every_builtin_profile_is_valid(void **state)
{
	char err[256];

	(void)state;
	for (const char *const *n = hotmem_config_builtin_names(); *n; n++) {
		struct hotmem_config cfg;

		assert_int_equal(hotmem_config_builtin(&cfg, *n), 0);
		if (hotmem_config_validate(&cfg, err, sizeof(err)))
			fail_msg("%s: %s", *n, err);
	}
	assert_int_equal(hotmem_config_builtin(NULL, "no-such-profile"), -ENOENT);
}

static void test_cmdline_sets_kernel_parameters(void **state)
{
	struct hotmem_config cfg;
	char err[256];

	(void)state;
	hotmem_config_default(&cfg);
	assert_int_equal(hotmem_config_parse_cmdline(&cfg,
		"console=ttyS0 memhp_default_state=online_movable movable_node "
		"memory_hotplug.memmap_on_memory=force memory_hotplug.online_policy=auto-movable "
		"memory_hotplug.auto_movable_ratio=150 memory_hotplug.auto_movable_numa_aware=N "
		"hugetlb_free_vmemmap=on virtio_mem.unplug_online=0 quiet", err, sizeof(err)), 0);
	assert_int_equal(cfg.memhp_default_online_type, HM_MMOP_ONLINE_MOVABLE);
	assert_true(cfg.movable_node);
	assert_int_equal(cfg.memmap_on_memory, HM_MEMMAP_ON_MEMORY_FORCE);
	assert_int_equal(cfg.online_policy, HM_ONLINE_POLICY_AUTO_MOVABLE);
	assert_int_equal(cfg.auto_movable_ratio, 150);
	assert_false(cfg.auto_movable_numa_aware);
	assert_true(cfg.hugetlb_free_vmemmap);
	assert_false(cfg.virtio_mem_unplug_online);
	assert_non_null(strstr(cfg.cmdline, "console=ttyS0"));
}

static void assert_cmdline_refused(const char *cmdline, const char *names)
{
	struct hotmem_config cfg, before;
	char err[512] = "";

	hotmem_config_default(&cfg);
	before = cfg;
	assert_int_equal(hotmem_config_parse_cmdline(&cfg, cmdline, err, sizeof(err)), -EINVAL);
	if (!strstr(err, names))
		fail_msg("error for '%s' does not name '%s': %s", cmdline, names, err);
	/* a refused command line changes nothing */
	assert_memory_equal(&cfg, &before, sizeof(cfg));
}

static void test_bad_settings_are_refused_by_name(void **state)
{
	(void)state;
	assert_cmdline_refused("memhp_default_state=sometimes", "memhp_default_state");
	assert_cmdline_refused("memory_hotplug.memmap_on_memory=maybe", "memmap_on_memory");
	assert_cmdline_refused("memory_hotplug.online_policy=random", "online_policy");
	assert_cmdline_refused("memory_hotplug.auto_movable_ratio=-1", "auto_movable_ratio");
	assert_cmdline_refused("memory_hotplug.auto_movable_ratio=12x", "auto_movable_ratio");
	assert_cmdline_refused("memory_hotplug.auto_movable_numa_aware=perhaps", "numa_aware");
	assert_cmdline_refused("hugetlb_free_vmemmap=x", "hugetlb_free_vmemmap");
	assert_cmdline_refused("virtio_mem.unplug_online=sometimes", "virtio_mem.unplug_online");
	assert_cmdline_refused("virtio_mem.force_bbm=sometimes", "virtio_mem.force_bbm");
	/* a value next_arg() took in quotes is said in them: one value, not two words (small42) */
	assert_cmdline_refused("memory_hotplug.auto_movable_ratio=\"3 memhp_default_state=online\"",
			       "memory_hotplug.auto_movable_ratio=\"3 memhp_default_state=online\": "
			       "expected an unsigned integer");
	assert_cmdline_refused("hugepages=\"x 2\"", "hugepages=\"x 2\": expected a count");
	assert_cmdline_refused("memory_hotplug.auto_movable_ratio=\"\"",
			       "memory_hotplug.auto_movable_ratio=: expected an unsigned integer");
	/* kstrtoul(): no size suffix (any number is taken: a probe ignores a non-power of 2) */
	assert_cmdline_refused("virtio_mem.bbm_block_size=1G", "virtio_mem.bbm_block_size");
	assert_cmdline_refused("virtio_mem.bbm_block_size", "virtio_mem.bbm_block_size");
	assert_cmdline_refused("memory_hotplug.bogus=1", "memory_hotplug.bogus");
}

/*
 * Two spellings 6.12 boots and hotmem refused (abuse30a C3): the bare
 * hugetlb_free_vmemmap is on (core_param bool: param_set_bool() takes no
 * value as "1"), and movable_node=ANYTHING is movable_node -- its
 * early_param never reads the value, so movable_node=0 turns it ON.
 */
static void test_cmdline_spellings_6_12_boots(void **state)
{
	struct hotmem_config cfg;
	char err[256] = "";

	(void)state;
	hotmem_config_default(&cfg);
	cfg.hugetlb_free_vmemmap = false;
	assert_int_equal(hotmem_config_parse_cmdline(&cfg, "hugetlb_free_vmemmap", err, sizeof(err)),
			 0);
	assert_true(cfg.hugetlb_free_vmemmap);
	for (int i = 0; i < 3; i++) {
		static const char *const lines[] = { "movable_node=0", "movable_node=1",
						     "movable_node=" };

		hotmem_config_default(&cfg);
		assert_false(cfg.movable_node);
		if (hotmem_config_parse_cmdline(&cfg, lines[i], err, sizeof(err)))
			fail_msg("'%s' refused: %s", lines[i], err);
		assert_true(cfg.movable_node);
	}
}

/*
 * hugepages=, hugepagesz=, default_hugepagesz= (6.12 mm/hugetlb.c) for
 * the one 2 MiB hstate: taken as the kernel takes them, and where the
 * kernel would warn and drop a word -- another size, a word twice, a bad
 * count -- refused by name.  The parameters that boot another memory
 * layout hotmem does not model (mem=, memmap=, cma=, ...) are refused,
 * each saying what 6.12 would do; they passed with a "no effect here"
 * note beside quiet (abuse30a C1).
 */
static void test_hugetlb_words_and_layout_parameters(void **state)
{
	static const struct {
		const char *cmdline;
		unsigned long total, node1;
	} taken[] = {
		{ "hugepages=8", 8, 0 },
		{ "hugepagesz=2M hugepages=8", 8, 0 },
		{ "hugepagesz=2048K hugepages=3 quiet", 3, 0 },
		{ "default_hugepagesz=2M hugepages=8", 8, 0 },
		{ "hugepages=8 hugepagesz=2M", 8, 0 },
		/* the default one's size word, then its count: allowed once (hugepagesz_setup()) */
		{ "default_hugepagesz=2M hugepagesz=2M hugepages=3", 3, 0 },
		{ "hugepages=0:4,1:5", 9, 5 },
		/* sscanf("%lu"): what follows a count ends the word */
		{ "hugepages=8x", 8, 0 },
	};
	static const struct {
		const char *cmdline, *names;
	} refused[] = {
		{ "hugepagesz=1G hugepages=2", "hugepagesz=1G: hotmem models the 2 MiB hstate alone" },
		{ "default_hugepagesz=1G", "default_hugepagesz=1G: hotmem models the 2 MiB hstate alone" },
		{ "hugepagesz=4M", "hugepagesz=4M: not a huge page size of x86-64" },
		{ "hugepagesz", "hugepagesz=: expected a huge page size" },
		{ "hugepages=8 hugepages=4", "hugepages=4: hugepages= given twice" },
		{ "hugepagesz=2M hugepages=8 hugepagesz=2M hugepages=4", "hugepagesz=2M given twice" },
		{ "hugepagesz=2M hugepagesz=2M hugepages=4", "hugepagesz=2M given twice" },
		{ "default_hugepagesz=2M default_hugepagesz=2M", "default_hugepagesz=2M given twice" },
		{ "hugepages=x", "hugepages=x: expected a count" },
		{ "hugepages", "hugepages=: expected a count" },
		{ "hugepages=0:", "Invalid hugepages parameter" },
		{ "hugepages=1:2,x", "Invalid hugepages parameter x" },
		{ "hugepages=64:1", "hugepages=64:1: expected" },
		{ "mem=384M", "mem=384M: 6.12 limits the RAM" },
		{ "memmap=64M$1G", "memmap=64M$1G: 6.12 adds, reserves or removes e820 ranges" },
		{ "cma=64M", "cma=64M: 6.12 reserves a CMA area" },
		{ "hugetlb_cma=1G", "hugetlb_cma=1G: 6.12 reserves a CMA area on each node" },
		{ "crashkernel=256M", "crashkernel=256M: 6.12 reserves boot memory" },
		{ "numa=off", "numa=off: 6.12 boots other NUMA nodes" },
		{ "quiet mem=1G", "hotmem refuses it" },
	};
	struct hotmem_config cfg;
	char err[512], buf[256];

	(void)state;
	for (size_t i = 0; i < sizeof(taken) / sizeof(taken[0]); i++) {
		hotmem_config_default(&cfg);
		if (hotmem_config_parse_cmdline(&cfg, taken[i].cmdline, err, sizeof(err)))
			fail_msg("'%s' refused: %s", taken[i].cmdline, err);
		assert_int_equal(cfg.hugepages, taken[i].total);
		assert_int_equal(cfg.hugepages_node[1], taken[i].node1);
	}
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		assert_cmdline_refused(refused[i].cmdline, refused[i].names);
	/* modelled now: not in the "no effect here" note */
	hotmem_config_default(&cfg);
	assert_int_equal(hotmem_config_parse_cmdline(&cfg, "hugepagesz=2M hugepages=8 quiet", err,
						     sizeof(err)), 0);
	hotmem_config_unmodelled(&cfg, buf, sizeof(buf));
	assert_string_equal(buf, "quiet");
	/*
	 * a node the machine does not have: refused at the word (an accepted
	 * command line boots, fuzz_cmdline), and when a profile's nodes =
	 * after its cmdline takes the node away
	 */
	assert_int_equal(hotmem_config_builtin(&cfg, "qemu-512m"), 0);
	assert_int_equal(hotmem_config_parse_cmdline(&cfg, "hugepages=5:1", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "hugepages=5:1: node 5 is not possible (nodes = 1)"));
	assert_int_equal(hotmem_config_builtin(&cfg, "numa2"), 0);
	assert_int_equal(hotmem_config_parse_text(&cfg, "cmdline = \"hugepages=3:1\"\nnodes = 2\n",
						  err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "hugepages=3:1: node 3 is not possible (nodes = 2)"));
	/*
	 * a possible node not online at boot (numa2's nodes 2-3: no memory,
	 * no CPU): 6.12 drops the whole word, no page on any node; it booted
	 * node 0's with a warning for node 2's (reread30 R7)
	 */
	assert_int_equal(hotmem_config_builtin(&cfg, "numa2"), 0);
	assert_int_equal(hotmem_config_parse_text(&cfg, "cmdline = \"hugepages=0:2,2:4\"\n", err,
						  sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "hugepages=2:4: node 2 is not online at boot"));
	/* --cmdline on a whole profile: the machine's check refuses it (hotmem_create()) */
	assert_int_equal(hotmem_config_builtin(&cfg, "numa2"), 0);
	assert_int_equal(hotmem_config_parse_cmdline(&cfg, "hugepages=2:4", err, sizeof(err)), 0);
	assert_int_equal(hotmem_config_validate(&cfg, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "node 2 is not online at boot"));
	assert_int_equal(hotmem_config_builtin(&cfg, "numa2"), 0);
	assert_int_equal(hotmem_config_parse_cmdline(&cfg, "hugepages=0:2,1:2", err, sizeof(err)), 0);
	assert_int_equal(hotmem_config_validate(&cfg, err, sizeof(err)), 0);
	/* a CPU's memoryless node is online from boot (init_cpu_to_node()) */
	assert_int_equal(hotmem_config_builtin(&cfg, "numa2"), 0);
	assert_int_equal(hotmem_config_parse_text(&cfg, "cpu_nodes = 0,2\n"
						  "cmdline = \"hugepages=2:1\"\n", err, sizeof(err)), 0);
}

/*
 * An unknown name under memory_hotplug., virtio_mem. or hotmem. is refused
 * alike, naming the module's parameters (the kernel ignores every such
 * name without a word: unknown_bootoption(), init/main.c, 6.12).  An
 * unknown virtio_mem. or hotmem. name was ignored, a memory_hotplug. one
 * refused: virtio_mem.unplug_onlin=0 booted a machine that unplugs online
 * memory.  A prefix that is not one of these is not ours: it passes.
 */
static void test_unknown_module_parameters_refused_alike(void **state)
{
	static const struct {
		const char *cmdline, *known;
	} cases[] = {
		{ "memory_hotplug.bogus=1", "known: memmap_on_memory, online_policy, "
					    "auto_movable_ratio, auto_movable_numa_aware" },
		{ "virtio_mem.unplug_onlin=0", "known: unplug_online, force_bbm, bbm_block_size" },
		{ "virtio-mem.bbm_blocksize=0x8000000", "known: unplug_online, force_bbm, bbm_block_size" },
		{ "virtio_mem.force_bbm2", "known: unplug_online, force_bbm, bbm_block_size" },
		{ "hotmem.kernel_aloc=heavy", "known: kernel_alloc, kernel_alloc_seed, max_map_count" },
		{ "hotmem.bogus", "known: kernel_alloc, kernel_alloc_seed, max_map_count" },
	};
	struct hotmem_config cfg;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char name[64];

		snprintf(name, sizeof(name), "%.*s", (int)strcspn(cases[i].cmdline, "="),
			 cases[i].cmdline);
		assert_cmdline_refused(cases[i].cmdline, name);
		assert_cmdline_refused(cases[i].cmdline, cases[i].known);
		assert_cmdline_refused(cases[i].cmdline, "unknown");
	}
	/* not a module we model: passes, as the kernel passes it on */
	hotmem_config_default(&cfg);
	assert_int_equal(hotmem_config_parse_cmdline(&cfg,
		"virtio_memx.foo=1 hotmemx=1 hotmem=1 virtio_mem=1 memory_hotplugged.x=1 "
		"virtio_net.napi_tx=0 quiet", err, sizeof(err)), 0);
}

/*
 * A module's bool parameter given bare is true, as the kernel's
 * (param_ops_bool is KERNEL_PARAM_OPS_FL_NOARG); it was refused.
 * memmap_on_memory's (its own ops, no NOARG) still wants a value;
 * hugetlb_free_vmemmap, a core_param bool in 6.12 (an early_param before
 * 6.1), takes none (test_cmdline_spellings_6_12_boots).
 */
static void test_bare_module_bool_is_true(void **state)
{
	struct hotmem_config cfg;
	char err[256];

	(void)state;
	hotmem_config_default(&cfg);
	assert_int_equal(hotmem_config_parse_cmdline(&cfg,
		"memory_hotplug.auto_movable_numa_aware=0 virtio_mem.unplug_online=n", err,
		sizeof(err)), 0);
	assert_false(cfg.auto_movable_numa_aware);
	assert_false(cfg.virtio_mem_unplug_online);
	assert_int_equal(hotmem_config_parse_cmdline(&cfg,
		"memory_hotplug.auto_movable_numa_aware virtio_mem.unplug_online", err,
		sizeof(err)), 0);
	assert_true(cfg.auto_movable_numa_aware);
	assert_true(cfg.virtio_mem_unplug_online);
	assert_false(cfg.virtio_mem_force_bbm);
	assert_int_equal(hotmem_config_parse_cmdline(&cfg,
		"virtio_mem.force_bbm virtio_mem.bbm_block_size=0x40000000", err, sizeof(err)), 0);
	assert_true(cfg.virtio_mem_force_bbm);
	assert_int_equal(cfg.virtio_mem_bbm_block_size, 1 * GiB);
	/* param_set_ulong() takes any: the machine boots, a probe warns (test_virtio_mem) */
	assert_int_equal(hotmem_config_parse_cmdline(&cfg, "virtio_mem.bbm_block_size=3000000", err,
						     sizeof(err)), 0);
	assert_int_equal(cfg.virtio_mem_bbm_block_size, 3000000);
	assert_cmdline_refused("memory_hotplug.memmap_on_memory", "memmap_on_memory");
}

/*
 * An unsigned module parameter on the command line is param_set_uint()'s
 * kstrtouint(val, 0): one leading '+' taken, as the same value written to
 * its sysfs file is (memory_hotplug.auto_movable_ratio=+7 refused the boot,
 * abuse25b C6); a sign more, a '-' or past UINT_MAX still refused.
 */
static void test_uint_parameter_takes_one_plus(void **state)
{
	struct hotmem_config cfg;
	char err[256];

	(void)state;
	hotmem_config_default(&cfg);
	assert_int_equal(hotmem_config_parse_cmdline(&cfg,
		"memory_hotplug.auto_movable_ratio=+7 hotmem.kernel_alloc_seed=+0x5", err,
		sizeof(err)), 0);
	assert_int_equal(cfg.auto_movable_ratio, 7);
	assert_int_equal(cfg.kernel_alloc_seed, 5);
	assert_cmdline_refused("memory_hotplug.auto_movable_ratio=++7", "auto_movable_ratio");
	assert_cmdline_refused("memory_hotplug.auto_movable_ratio=-7", "auto_movable_ratio");
	assert_cmdline_refused("memory_hotplug.auto_movable_ratio=4294967296", "auto_movable_ratio");
}

/*
 * memory_hotplug.memmap_on_memory=FORCE is force, as "force" is (6.12
 * set_memmap_mode(): sysfs_streq() against both, then kstrtobool(), which
 * read FORCE's 'F' as N: memmap_on_memory off, abuse25b C4); "Force" is
 * still kstrtobool()'s N.  Force's boot says what the alignment wastes,
 * the pr_info_once() after "Kernel command line:": 0 pages a 128 MiB block.
 */
static void test_memmap_on_memory_force_either_case(void **state)
{
	static char log[1 << 16];
	struct hotmem_config cfg;
	struct hotmem *hm;
	char err[256];

	(void)state;
	hotmem_config_default(&cfg);
	assert_int_equal(hotmem_config_parse_cmdline(&cfg, "memory_hotplug.memmap_on_memory=FORCE",
						     err, sizeof(err)), 0);
	assert_int_equal(cfg.memmap_on_memory, HM_MEMMAP_ON_MEMORY_FORCE);
	assert_int_equal(hotmem_config_parse_cmdline(&cfg, "memory_hotplug.memmap_on_memory=Force",
						     err, sizeof(err)), 0);
	assert_int_equal(cfg.memmap_on_memory, HM_MEMMAP_ON_MEMORY_DISABLE);
	hm = boot("qemu-512m", "memory_hotplug.memmap_on_memory=FORCE");
	hotmem_dmesg(hm, log, sizeof(log));
	assert_non_null(strstr(log, "<5>Kernel command line: memory_hotplug.memmap_on_memory=FORCE\n"
				    "<6>Memory hotplug will waste 0 pages in each memory block\n"));
	hotmem_destroy(hm);
	hm = boot("qemu-512m", "memory_hotplug.memmap_on_memory=Y");
	hotmem_dmesg(hm, log, sizeof(log));
	assert_null(strstr(log, "will waste"));
	hotmem_destroy(hm);
}

/*
 * The kernel compares parameter names with parameq() (kernel/params.c,
 * 6.12; a __setup()'s with parameqn() in obsolete_checksetup()): '-' and
 * '_' are one letter, in the module's prefix too.  A strcmp() refused
 * memory_hotplug.auto-movable-ratio=50 as unknown and ignored
 * memhp-default-state=online.  Values, and other letters, stay exact.
 */
static void test_dash_is_underscore_in_names(void **state)
{
	struct hotmem_config cfg;
	char err[256];

	(void)state;
	hotmem_config_default(&cfg);
	assert_int_equal(hotmem_config_parse_cmdline(&cfg,
		"memhp-default-state=online_kernel memory_hotplug.auto-movable-ratio=50 "
		"memory-hotplug.online_policy=auto-movable movable-node "
		"memory_hotplug.auto_movable-numa_aware=N memory_hotplug.memmap-on-memory=force "
		"hugetlb-free-vmemmap=on virtio-mem.unplug-online=0 virtio_mem.force-bbm "
		"hotmem.kernel-alloc-seed=7", err, sizeof(err)), 0);
	assert_int_equal(cfg.memhp_default_online_type, HM_MMOP_ONLINE_KERNEL);
	assert_int_equal(cfg.auto_movable_ratio, 50);
	assert_int_equal(cfg.online_policy, HM_ONLINE_POLICY_AUTO_MOVABLE);
	assert_true(cfg.movable_node);
	assert_false(cfg.auto_movable_numa_aware);
	assert_int_equal(cfg.memmap_on_memory, HM_MEMMAP_ON_MEMORY_FORCE);
	assert_true(cfg.hugetlb_free_vmemmap);
	assert_false(cfg.virtio_mem_unplug_online);
	assert_true(cfg.virtio_mem_force_bbm);
	assert_int_equal(cfg.kernel_alloc_seed, 7);

	/* the value is the parameter's own: online-kernel is no online type */
	assert_cmdline_refused("memhp-default-state=online-kernel", "memhp_default_state");
	/* the prefix folds too: still ours, still refused when unknown */
	assert_cmdline_refused("memory-hotplug.bogus=1", "memory-hotplug.bogus");
	/* only '-' and '_': another letter is another name, not ours */
	hotmem_config_default(&cfg);
	assert_int_equal(hotmem_config_parse_cmdline(&cfg, "memhp.default.state=online",
						     err, sizeof(err)), 0);
	assert_int_equal(cfg.memhp_default_online_type, HM_MMOP_OFFLINE);
	/* nor is a name's prefix the name (parameq() compares the NUL too) */
	assert_int_equal(hotmem_config_parse_cmdline(&cfg, "memhp-default=online movable-node-",
						     err, sizeof(err)), 0);
	assert_int_equal(cfg.memhp_default_online_type, HM_MMOP_OFFLINE);
	assert_false(cfg.movable_node);
}

/*
 * parse_args() (kernel/params.c, 6.12) stops at a bare "--": what follows
 * is init's arguments, no kernel parameter, though /proc/cmdline shows it.
 * The engine applied memhp_default_state=online after it.
 */
static void test_double_dash_ends_kernel_parameters(void **state)
{
	struct hotmem_config cfg;
	char err[256];

	(void)state;
	hotmem_config_default(&cfg);
	assert_int_equal(hotmem_config_parse_cmdline(&cfg,
		"movable_node -- memhp_default_state=online memory_hotplug.bogus=1 --x", err,
		sizeof(err)), 0);
	assert_true(cfg.movable_node);
	assert_int_equal(cfg.memhp_default_online_type, HM_MMOP_OFFLINE);
	assert_string_equal(cfg.cmdline,
			    "movable_node -- memhp_default_state=online memory_hotplug.bogus=1 --x");
	/* only a bare one: "--x" and "--=1" are parameters (unknown, not ours) */
	assert_int_equal(hotmem_config_parse_cmdline(&cfg, "--x --=1 memhp_default_state=online",
						     err, sizeof(err)), 0);
	assert_int_equal(cfg.memhp_default_online_type, HM_MMOP_ONLINE);
}

/* one next_arg() word of @line: its param and val ("(null)" for none) as "param|val" */
static const char *arg_of(const char *line, char *buf, size_t len)
{
	char tok[256], *param, *val;
	const char *p = line;

	assert_int_equal(hotmem_cmdline_next_arg(&p, tok, sizeof(tok), &param, &val), 1);
	snprintf(buf, len, "%s|%s", param, val ? val : "(null)");
	return buf;
}

/*
 * Words as 6.12 lib/cmdline.c next_arg() cuts them: a '"' opens or closes
 * a quote wherever it is, but only the quote opening the word or its
 * value (with the word's last byte when that is a quote) is dropped; the
 * split is at the first '=', quoted or not, never at the word's first
 * byte.  hotmem dropped every quote: a=b"c d"e had the value bc de.
 * Blanks are the kernel's isspace() (lib/ctype.c): 0xa0 is one, whatever
 * the C library's locale says.
 */
static void test_cmdline_words_as_next_arg(void **state)
{
	char buf[256], tok[256], *param, *val;
	const char *p;

	(void)state;
	/* the cases the kernel's own comment and code spell out */
	assert_string_equal(arg_of("a=b\"c d\"e", buf, sizeof(buf)), "a|b\"c d\"e");
	assert_string_equal(arg_of("\"a=b c\"", buf, sizeof(buf)), "a|b c");
	assert_string_equal(arg_of("a=\"b c\"", buf, sizeof(buf)), "a|b c");
	assert_string_equal(arg_of("a=\"b", buf, sizeof(buf)), "a|b");
	assert_string_equal(arg_of("\"a\"=b", buf, sizeof(buf)), "a\"|b");
	assert_string_equal(arg_of("\"a b=c\"", buf, sizeof(buf)), "a b|c");
	assert_string_equal(arg_of("\"a b\"", buf, sizeof(buf)), "a b|(null)");
	assert_string_equal(arg_of("a=\"b\"c\"", buf, sizeof(buf)), "a|b\"c");
	assert_string_equal(arg_of("=a=b", buf, sizeof(buf)), "=a|b");
	assert_string_equal(arg_of("=x", buf, sizeof(buf)), "=x|(null)");
	assert_string_equal(arg_of("\"\"", buf, sizeof(buf)), "|(null)");
	/* init's form (repair_env_string()): param=val, the value's quotes gone */
	p = "a=b\"c d\"e x=\"1 2\"";
	assert_int_equal(hotmem_cmdline_next(&p, tok, sizeof(tok)), 1);
	assert_string_equal(tok, "a=b\"c d\"e");
	assert_int_equal(hotmem_cmdline_next(&p, tok, sizeof(tok)), 1);
	assert_string_equal(tok, "x=1 2");
	assert_int_equal(hotmem_cmdline_next(&p, tok, sizeof(tok)), 0);
	/* a quoted "--" is parse_args()'s end too; "--=" is a parameter */
	p = "\"--\" movable_node";
	assert_int_equal(hotmem_cmdline_next_arg(&p, tok, sizeof(tok), &param, &val), 0);
	p = "--= movable_node";
	assert_int_equal(hotmem_cmdline_next_arg(&p, tok, sizeof(tok), &param, &val), 1);
	/* 0xa0 ends a word (_S|_SP), 0x85 does not; \v and \f do */
	p = "a\xa0" "b\x85" "c\vd\fe";
	for (const char *want[] = { "a", "b\x85" "c", "d", "e" }, **w = want; w < want + 4; w++) {
		assert_int_equal(hotmem_cmdline_next(&p, tok, sizeof(tok)), 1);
		assert_string_equal(tok, *w);
	}
	assert_int_equal(hotmem_cmdline_next(&p, tok, sizeof(tok)), 0);
	assert_true(hotmem_cmdline_isspace(0xa0) && !hotmem_cmdline_isspace(0x85));
	/* a word too long for @tok: -E2BIG, and the next word is still there */
	p = "\"xxxxxxxx yyyy\" movable_node";
	assert_int_equal(hotmem_cmdline_next(&p, tok, 8), -E2BIG);
	assert_int_equal(hotmem_cmdline_next(&p, tok, 16), 1);
	assert_string_equal(tok, "movable_node");
}

/*
 * The parse takes the words as next_arg() gives them: a quoted value is
 * the parameter's value, a blank 0xa0 separates two parameters
 */
static void test_cmdline_parse_takes_next_arg_words(void **state)
{
	struct hotmem_config cfg;
	char err[256];

	(void)state;
	hotmem_config_default(&cfg);
	assert_int_equal(hotmem_config_parse_cmdline(&cfg, "\"memhp_default_state=online_movable\"",
						     err, sizeof(err)), 0);
	assert_int_equal(cfg.memhp_default_online_type, HM_MMOP_ONLINE_MOVABLE);
	assert_int_equal(hotmem_config_parse_cmdline(&cfg, "hugepages=8\xa0movable_node", err,
						     sizeof(err)), 0);
	assert_int_equal(cfg.hugepages, 8);
	assert_true(cfg.movable_node);
	/* a value whose inner quotes stay is not the word without them */
	assert_int_equal(hotmem_config_parse_cmdline(&cfg, "memhp_default_state=on\"line\"", err,
						     sizeof(err)), -EINVAL);
	assert_int_equal(cfg.memhp_default_online_type, HM_MMOP_ONLINE_MOVABLE);
}

/*
 * x86's COMMAND_LINE_SIZE: a line of 2047 bytes boots, /proc/cmdline has
 * all of it; 2048 is refused, saying why, the machine as it was -- with
 * the line before it too (hotmem took 1022 bytes alone: its 1024-byte
 * buffer and a space counted for a line with none before it)
 */
static void test_cmdline_holds_x86s_2047_bytes(void **state)
{
	struct hotmem_config cfg;
	char err[512], line[HM_COMMAND_LINE_SIZE + 1];

	(void)state;
	assert_int_equal(HM_COMMAND_LINE_SIZE, 2048);
	hotmem_config_default(&cfg);
	memset(line, 'x', sizeof(line));
	memcpy(line, "movable_node ", 13);
	line[HM_COMMAND_LINE_SIZE] = '\0';
	assert_int_equal(hotmem_config_parse_cmdline(&cfg, line, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "kernel command line longer than 2047 bytes (x86 "
				    "COMMAND_LINE_SIZE 2048): 2048; a kernel boots such a line cut at 2047"));
	assert_false(cfg.movable_node);
	assert_string_equal(cfg.cmdline, "");
	line[HM_COMMAND_LINE_SIZE - 1] = '\0';
	assert_int_equal(hotmem_config_parse_cmdline(&cfg, line, err, sizeof(err)), 0);
	assert_true(cfg.movable_node);
	assert_int_equal(strlen(cfg.cmdline), 2047);
	assert_string_equal(cfg.cmdline, line);
	/* with a part before it: its space counts */
	hotmem_config_default(&cfg);
	assert_int_equal(hotmem_config_parse_cmdline(&cfg, "quiet", err, sizeof(err)), 0);
	line[HM_COMMAND_LINE_SIZE - 1 - 6] = '\0';
	assert_int_equal(hotmem_config_parse_cmdline(&cfg, line, err, sizeof(err)), 0);
	assert_int_equal(strlen(cfg.cmdline), 2047);
	assert_int_equal(hotmem_config_parse_cmdline(&cfg, "y", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, ": 2049 with the line before it;"));
	assert_int_equal(strlen(cfg.cmdline), 2047);
}

/*
 * A 2047-byte line boots, whole in the machine's command line; its log
 * line is cut where 6.12's printk cuts a record (PRINTKRB_RECORD_MAX
 * 1024 with the NUL and the level's two bytes: 1021 of text), its
 * newline with it, and the lines after it are whole
 */
static void test_long_command_line_log_cut_as_printk(void **state)
{
	static char log[64 * 1024 + 1];
	struct hotmem_config cfg;
	char err[256], line[HM_COMMAND_LINE_SIZE], want[1100];
	struct hotmem *hm;
	const char *l, *e;

	(void)state;
	memset(line, 'q', sizeof(line));
	memcpy(line, IDLE_KERNEL " ", strlen(IDLE_KERNEL) + 1);
	line[sizeof(line) - 1] = '\0';
	assert_int_equal(hotmem_config_profile(&cfg, "qemu-512m", err, sizeof(err)), 0);
	assert_int_equal(hotmem_config_parse_cmdline(&cfg, line, err, sizeof(err)), 0);
	assert_int_equal(hotmem_create(&cfg, &hm, err, sizeof(err)), 0);
	assert_string_equal(hotmem_get_config(hm)->cmdline, line);
	hotmem_dmesg(hm, log, sizeof(log));
	l = strstr(log, "<5>Kernel command line: ");
	assert_non_null(l);
	e = strchr(l, '\n');
	snprintf(want, sizeof(want), "<5>Kernel command line: %.1000s", line);
	assert_int_equal(e - l, strlen(want));
	assert_memory_equal(l, want, strlen(want));
	assert_true(e[1] == '<');
	hotmem_destroy(hm);
}

static void test_profile_text(void **state)
{
	struct hotmem_config cfg;
	char err[256];

	(void)state;
	hotmem_config_default(&cfg);
	assert_int_equal(hotmem_config_parse_text(&cfg,
		"# two nodes\n"
		"name = mine\n"
		"block_size = 256M\n"
		"maxmem = 32G\n"
		"nodes = 2\n"
		"ram = 0x1000-0x9efff node=0\n"
		"ram = 0x100000-0x3fffffff node=0\n"
		"ram = 0x40000000-0x7fffffff node=1\n"
		"cmdline = \"memhp_default_state=online\"\n", err, sizeof(err)), 0);
	assert_string_equal(cfg.name, "mine");
	assert_int_equal(cfg.block_size, 256 * MiB);
	assert_int_equal(cfg.nr_boot_ranges, 3);
	assert_int_equal(cfg.boot[2].nid, 1);
	assert_int_equal(cfg.boot[2].end, 0x80000000ULL);
	assert_int_equal(cfg.memhp_default_online_type, HM_MMOP_ONLINE);
}

/*
 * A profile read as a stream: from a pipe (/dev/stdin of `... | hotmem
 * --profile /dev/stdin`), which has no size to seek to, as from a file;
 * past 1 MiB refused with EFBIG and words saying so (usereye5 hygiene:
 * a pipe was "unreadable or larger than 1 MiB").
 */
static void test_profile_from_a_pipe_and_the_size_limit(void **state)
{
	static const char text[] = "name = piped\nblock_size = 256M\nmaxmem = 32G\n"
				   "ram = 0x100000-0x3fffffff node=0\n";
	struct hotmem_config cfg;
	char err[256] = "", path[64], big[] = "/tmp/test_config_big.XXXXXX";
	int fds[2], fd;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], text, sizeof(text) - 1), (ssize_t)sizeof(text) - 1);
	close(fds[1]);
	snprintf(path, sizeof(path), "/dev/fd/%d", fds[0]);
	hotmem_config_default(&cfg);
	assert_int_equal(hotmem_config_load(&cfg, path, err, sizeof(err)), 0);
	close(fds[0]);
	assert_string_equal(cfg.name, "piped");
	assert_int_equal(cfg.block_size, 256 * MiB);

	fd = mkstemp(big);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (1 << 20) + 1), 0);
	close(fd);
	assert_int_equal(hotmem_config_load(&cfg, big, err, sizeof(err)), -EFBIG);
	unlink(big);
	assert_non_null(strstr(err, "larger than 1 MiB"));
}

static void assert_profile_refused(const char *text, const char *what)
{
	struct hotmem_config cfg;
	char err[256] = "";

	hotmem_config_default(&cfg);
	assert_int_equal(hotmem_config_parse_text(&cfg, text, err, sizeof(err)), -EINVAL);
	if (!strstr(err, what))
		fail_msg("profile error does not say '%s': %s", what, err);
}

/* profile cpu_nodes: QEMU's -numa node,cpus=, a node list of possible nodes, memory or not */
static void test_cpu_nodes_is_a_node_list_of_possible_nodes(void **state)
{
	struct hotmem_config cfg;
	char err[256] = "";

	(void)state;
	assert_int_equal(hotmem_config_builtin(&cfg, "numa2"), 0);
	assert_int_equal(cfg.cpu_nodes, 0);
	assert_int_equal(hotmem_config_parse_text(&cfg, "nodes = 5\nram = 0x100000-0x3fffffff\n"
						  "ram = 0x40000000-0x7fffffff node=2\n"
						  "ram = 0x80000000-0xbfffffff node=3\n"
						  "cpu_nodes = 0,2-3\n", err, sizeof(err)), 0);
	assert_int_equal(cfg.cpu_nodes, 0xd);
	/* nodes 2 and 3 without memory: memoryless nodes with CPUs */
	assert_int_equal(hotmem_config_builtin(&cfg, "numa2"), 0);
	assert_int_equal(hotmem_config_parse_text(&cfg, "cpu_nodes = 0,2-3\n", err, sizeof(err)), 0);
	assert_int_equal(cfg.cpu_nodes, 0xd);
	assert_int_equal(hotmem_config_builtin(&cfg, "numa2"), 0);
	assert_int_equal(hotmem_config_parse_text(&cfg, "cpu_nodes = 0,4\n", err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "line 1: cpu_nodes: node 4 is not a possible node (nodes = 4; nodes = 5 makes node 4 possible)");
	assert_int_equal(hotmem_config_parse_text(&cfg, "cpu_nodes = 1\n", err, sizeof(err)), 0);
	assert_int_equal(cfg.cpu_nodes, 2);
	assert_profile_refused("cpu_nodes = 1-0\n", "cpu_nodes: expected a node list");
	assert_profile_refused("cpu_nodes = 64\n", "below 64");
	assert_profile_refused("cpu_nodes = 0,\n", "not '0,'");
	assert_profile_refused("cpu_nodes = all\n", "cpu_nodes");
}

static void test_bad_profiles_name_line_and_setting(void **state)
{
	(void)state;
	assert_profile_refused("block_size = 100M\n", "block_size");
	assert_profile_refused("block_size = 4G\n", "block_size");
	assert_profile_refused("\n\nfrobnicate = 1\n", "line 3");
	assert_profile_refused("max_physmem_bits = 48\n", "max_physmem_bits");
	assert_profile_refused("maxmem = 100M\n", "maxmem");
	assert_profile_refused("ram = 0x0-0xfff node=7\n", "node 7");
	assert_profile_refused("ram = 0x100000-0x1fffffff\nram = 0x1000000-0x2fffffff\n",
			       "overlaps");
	assert_profile_refused("nodes = 0\n", "nodes");
	assert_profile_refused("just words\n", "key = value");
	/* QEMU: at most ACPI_MAX_RAM_SLOTS; a "hotplug" range is a DIMM in a slot */
	assert_profile_refused("slots = 257\n", "slots 257");
	assert_profile_refused("slots = many\n", "slots");
	/* a built-in after a setting would load a whole machine over it */
	assert_profile_refused("memory_failure = yes\nprofile = qemu-512m\n",
			       "line 2: 'profile =' must come before other settings");
	assert_profile_refused("# a comment\nprofile = default\nprofile = numa2\n",
			       "line 3: 'profile ='");
	/* a setting given twice: both lines named (usereye8 5f), not the last silently */
	assert_profile_refused("block_size = 0x8000000\n# typo below\nblock_size = 0x10000000\n",
			       "line 3: block_size given again (line 1): a setting comes once");
	assert_profile_refused("profile = numa2\nname = a\nname = b\n", "line 3: name given again (line 2)");
	assert_profile_refused("slots = 1\nhotplug = 0x100000000-0x10fffffff\n"
			       "hotplug = 0x110000000-0x11fffffff\n", "only 1 slots");
}

/*
 * The checks made once the whole file is read name the line that set
 * the setting, as the parse errors do, and for a node that is not
 * possible the nodes = that makes it so (usereye4 #22): in a --from-sysfs
 * profile of many ram lines "ram ...: node 7 is not possible" needed a
 * search.  A setting no line made (the built-in's) has no line.
 */
static void test_checks_after_parsing_name_the_line(void **state)
{
	static const struct {
		const char *text, *err;
	} cases[] = {
		{ "profile = qemu-512m\nblock_size = 100M\n",
		  "line 2: block_size 0x6400000: must be a power of two from 128M to 2G" },
		{ "profile = qemu-512m\n# a comment\n\nnodes = 0\n", "line 4: nodes 0: must be 1..64" },
		{ "profile = qemu-512m\nram = 0x100000-0x1fffffff node=7\n",
		  "line 2: ram 0x100000-0x1fffffff: node 7 is not possible (nodes = 1; nodes = 8 makes node 7 possible)" },
		{ "ram = 0x100000-0x1fffffff\nram = 0x20000000-0x3fffffff\n"
		  "ram = 0x40000000-0x5fffffff node=2\nnodes = 2\n",
		  "line 3: ram 0x40000000-0x5fffffff: node 2 is not possible (nodes = 2; nodes = 3 makes node 2 possible)" },
		{ "ram = 0x100000-0x1fffffff\nmaxmem = 1G\nram = 0x20000000-0x7fffffff\n",
		  "line 3: ram 0x20000000-0x7fffffff: beyond maxmem" },
		{ "profile = qemu-512m\ncpu_nodes = 0-9\n",
		  "line 2: cpu_nodes: node 9 is not a possible node (nodes = 1; nodes = 10 makes node 9 possible)" },
		{ "maxmem = 100M\n", "line 1: maxmem 0x6400000: must be a multiple of block_size 0x8000000" },
		{ "\nmax_physmem_bits = 48\n", "line 2: max_physmem_bits 48: must be 46 or 52" },
		{ "init_threads = 65\n", "line 1: init_threads: expected 1..64" },
		{ "slots = 1\nhotplug = 0x100000000-0x10fffffff\nhotplug = 0x110000000-0x11fffffff\n",
		  "line 1: 2 hotplug ranges: each a DIMM, but only 1 slots" },
		{ "ram = 0x100000-0x1fffffff node=70\n",
		  "line 1: ram 0x100000-0x1fffffff: node 70 is not possible (nodes = 2; a node is 0..63)" },
		/* a built-in's range on a node the file's nodes = takes away: that line */
		{ "profile = numa2\nnodes = 1\n",
		  "line 2: ram 0x40000000-0x7fffffff: node 1 is not possible (nodes = 1; nodes = 2 makes node 1 possible)" },
		{ "profile = qemu-512m\nmaxmem = 9G\n\nblock_size = 2G\n",
		  "line 2: maxmem 0x240000000: must be a multiple of block_size 0x80000000" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hotmem_config cfg;
		char err[256] = "";

		hotmem_config_default(&cfg);
		assert_int_equal(hotmem_config_parse_text(&cfg, cases[i].text, err, sizeof(err)), -EINVAL);
		if (strcmp(err, cases[i].err))
			fail_msg("%s: got '%s', want '%s'", cases[i].text, err, cases[i].err);
	}
}

/*
 * A profile's node=N is decimal, as its distance and cpu_nodes lines and
 * sysfs's nodeN (strtoul base 0 read "node=010" as node 8 and took
 * "node=0x1"); an online/offline line's block is memoryN's N without a
 * leading 0, as hotmemctl's (it read "online = 010" as memory10, where C
 * reads 8 and a pasted phys_index is hex) (cliparse, session 15).
 */
static void test_profile_numbers_are_decimal(void **state)
{
	struct hotmem_config cfg;
	char err[256] = "";

	(void)state;
	hotmem_config_default(&cfg);
	assert_int_equal(hotmem_config_parse_text(&cfg, "nodes = 16\n"
				"ram = 0x100000-0x1fffffff node=010\n"
				"virtio_mem = memaddr=0x140000000 size=1G node=011\n"
				"online = 10-12 online_movable\noffline = 0\n",
				err, sizeof(err)), 0);
	assert_int_equal(cfg.boot[0].nid, 10);
	assert_int_equal(cfg.virtio_mem[0].nid, 11);
	assert_int_equal(cfg.block_state[0].first, 10);
	assert_int_equal(cfg.block_state[0].last, 12);
	assert_int_equal(cfg.block_state[1].first, 0);
	assert_profile_refused("nodes = 2\nram = 0x100000-0x1fffffff node=0x1\n",
			       "line 2: ram: bad node 'node=0x1' (node=N, N decimal)");
	assert_profile_refused("nodes = 2\nhotplug = 0x100000000-0x10fffffff node=+1\n",
			       "line 2: hotplug: bad node 'node=+1'");
	assert_profile_refused("nodes = 2\nvirtio_mem = memaddr=0x140000000 size=1G node=0x1\n",
			       "line 2: virtio_mem: bad node '0x1' (decimal)");
	assert_profile_refused("online = 010 online_movable\n",
			       "line 1: online: bad block range '010': FIRST[-LAST], block numbers decimal as in memoryN, without a leading 0");
	assert_profile_refused("offline = 8-010\n", "line 1: offline: bad block range '8-010'");
	assert_profile_refused("offline = 00\n", "bad block range '00'");
	assert_profile_refused("offline = 0x8\n", "bad block range '0x8'");
	assert_profile_refused("offline = 8-\n", "bad block range '8-'");
	assert_profile_refused("offline = -8\n", "bad block range '-8'");
}

/*
 * A profile's counts are decimal as its nodes (e21f3531): nodes,
 * init_threads, kernel_alloc_seed, slots and max_physmem_bits were read
 * with strtoul(base 0), "nodes = 010" eight nodes and "0x2" taken.  A
 * leading 0 pads; hex and a sign are refused, in one text for every key.
 */
static void test_profile_counts_are_decimal(void **state)
{
	struct hotmem_config cfg;
	char err[256] = "";

	(void)state;
	hotmem_config_default(&cfg);
	assert_int_equal(hotmem_config_parse_text(&cfg, "nodes = 010\ninit_threads = 010\n"
				"kernel_alloc_seed = 010\nslots = 010\nmax_physmem_bits = 052\n",
				err, sizeof(err)), 0);
	assert_int_equal(cfg.nr_possible_nodes, 10);
	assert_int_equal(cfg.init_threads, 10);
	assert_int_equal(cfg.kernel_alloc_seed, 10);
	assert_int_equal(cfg.ram_slots, 10);
	assert_int_equal(cfg.max_physmem_bits, 52);
	assert_profile_refused("nodes = 0x2\n", "line 1: nodes: bad number '0x2' (decimal)");
	assert_profile_refused("init_threads = 0x2\n", "line 1: init_threads: bad number '0x2' (decimal)");
	assert_profile_refused("kernel_alloc_seed = 0x10\n",
			       "line 1: kernel_alloc_seed: bad number '0x10' (decimal)");
	assert_profile_refused("slots = +4\n", "line 1: slots: bad number '+4' (decimal)");
	assert_profile_refused("\nmax_physmem_bits = 0x2e\n",
			       "line 2: max_physmem_bits: bad number '0x2e' (decimal)");
	assert_profile_refused("init_threads = 65\n", "line 1: init_threads: expected 1..64");
	/* past unsigned int: kstrtouint()'s ERANGE, not a "bad number" (reread17 R3) */
	hotmem_config_default(&cfg);
	assert_int_equal(hotmem_config_parse_text(&cfg, "nodes = 4294967296\n", err, sizeof(err)),
			 -ERANGE);
	assert_non_null(strstr(err, "line 1: nodes: '4294967296' out of range (ERANGE)"));
}

/* QEMU's -m slots=N: 256 unless the profile says; qemu-512m is -m 512M,slots=4 */
static void test_slots(void **state)
{
	struct hotmem_config cfg;
	char err[256];

	(void)state;
	hotmem_config_default(&cfg);
	assert_int_equal(cfg.ram_slots, HM_ACPI_MAX_RAM_SLOTS);
	assert_false(cfg.pm_advanced_debug);
	assert_int_equal(hotmem_config_builtin(&cfg, "qemu-512m"), 0);
	assert_int_equal(cfg.ram_slots, 4);
	/* its Debian 6.12 kernel's CONFIG_PM_ADVANCED_DEBUG=y; the 6.18 reference host's not */
	assert_true(cfg.pm_advanced_debug);
	assert_int_equal(hotmem_config_parse_text(&cfg, "slots = 0\n", err, sizeof(err)), 0);
	assert_int_equal(cfg.ram_slots, 0);
}

/*
 * QEMU's device memory (vmem32 V2): qemu-512m's -m 512M,slots=4,maxmem=4G
 * region is 4 GiB-11.5 GiB (3.5 GiB + 1 GiB a slot; the guest's SRAT
 * hotplug range 0x100000000-0x2dfffffff), its total 3.5 GiB, and its
 * physical addresses end with the region: they ended at 8 GiB, cutting it
 */
static void test_qemu_maxmem(void **state)
{
	static const struct {
		const char *text;
		uint64_t maxmem, qemu_maxmem, base, end, addable;
	} cases[] = {
		{ "", 0x2e0000000ULL, 4 * GiB, 4 * GiB, 0x2e0000000ULL, 0xe0000000ULL },
		/* the end moves as QEMU's region does: 4 more slots, or 1 GiB more RAM */
		{ "slots = 8\n", 0x3e0000000ULL, 4 * GiB, 4 * GiB, 0x3e0000000ULL, 0xe0000000ULL },
		{ "ram = 0x100000-0x5fffffff\n", 0x2a0000000ULL, 4 * GiB, 4 * GiB, 0x2a0000000ULL,
		  0xa0000000ULL },
		{ "qemu_maxmem = 8G\n", 0x3e0000000ULL, 8 * GiB, 4 * GiB, 0x3e0000000ULL, 0x1e0000000ULL },
		/* a maxmem line alone is what it was: QEMU's maxmem = maxmem - base */
		{ "maxmem = 256G\n", 256 * GiB, 0, 4 * GiB, 256 * GiB, 251 * GiB + 512 * MiB },
		{ "maxmem = 8G\n", 8 * GiB, 0, 4 * GiB, 8 * GiB, 0xe0000000ULL },
		/* both: a maxmem below the region cuts it, the total stays QEMU's */
		{ "maxmem = 6G\nqemu_maxmem = 4G\n", 6 * GiB, 4 * GiB, 4 * GiB, 6 * GiB, 0x80000000ULL },
		/* not QEMU's pc: above boot RAM, to maxmem, all of it */
		{ "device_memory = after-ram\n", 0x2e0000000ULL, 4 * GiB, 512 * MiB, 0x2e0000000ULL,
		  0x2c0000000ULL },
	};
	static const struct {
		const char *text, *err;
	} bad[] = {
		{ "profile = qemu-512m\n\nqemu_maxmem = 256M\n",
		  "line 3: qemu_maxmem 0x10000000: QEMU's -m maxmem= must be whole pages and more than boot RAM's 0x20000000 (QEMU's ram_size)" },
		/* with slots, QEMU refuses maxmem = RAM too; without, it has no region */
		{ "profile = qemu-512m\nqemu_maxmem = 512M\n",
		  "line 2: qemu_maxmem 0x20000000: QEMU's -m maxmem= must be whole pages and more than boot RAM's 0x20000000 (QEMU's ram_size)" },
		{ "profile = qemu-512m\nqemu_maxmem = 4294967297\n",
		  "line 2: qemu_maxmem 0x100000001: QEMU's -m maxmem= must be whole pages and more than boot RAM's 0x20000000 (QEMU's ram_size)" },
	};
	struct hotmem_config cfg;
	uint64_t base, end, addable;
	char err[256] = "", text[128], *desc;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "profile = qemu-512m\n%s", cases[i].text);
		hotmem_config_default(&cfg);
		if (hotmem_config_parse_text(&cfg, text, err, sizeof(err)))
			fail_msg("%s: %s", text, err);
		hotmem_config_device_memory(&cfg, &base, &end, &addable);
		if (cfg.maxmem != cases[i].maxmem || cfg.qemu_maxmem != cases[i].qemu_maxmem ||
		    base != cases[i].base || end != cases[i].end || addable != cases[i].addable)
			fail_msg("%s: maxmem %#llx qemu_maxmem %#llx region %#llx-%#llx total %#llx", text,
				 (unsigned long long)cfg.maxmem, (unsigned long long)cfg.qemu_maxmem,
				 (unsigned long long)base, (unsigned long long)end,
				 (unsigned long long)addable);
	}
	/* the built-in's own, and its description says both */
	assert_int_equal(hotmem_config_builtin(&cfg, "qemu-512m"), 0);
	assert_int_equal(cfg.maxmem, 0x2e0000000ULL);
	desc = hotmem_config_describe_alloc(&cfg);
	assert_non_null(desc);
	assert_non_null(strstr(desc, "\nmaxmem = 0x2e0000000\nqemu_maxmem = 0x100000000\n"));
	free(desc);
	/*
	 * -m 500M,slots=2,maxmem=2G (tests/fixtures/boot-map/qemu-6.12-qemu-500m.txt):
	 * ram_size is the e820's, to SeaBIOS's reserved top, 500 MiB -- not
	 * 4 whole blocks, 512 MiB -- so the region is the guest's SRAT
	 * hotplug range 0x100000000-0x1e0bfffff and the total 2G - 500M
	 */
	hotmem_config_default(&cfg);
	if (hotmem_config_parse_text(&cfg, "profile = qemu-512m\nram = 0x1000-0x9efff\n"
				     "ram = 0x100000-0x1f3dffff\ne820 = 0x0-0x9fbff usable\n"
				     "e820 = 0x9fc00-0x9ffff reserved\ne820 = 0xf0000-0xfffff reserved\n"
				     "e820 = 0x100000-0x1f3dffff usable\n"
				     "e820 = 0x1f3e0000-0x1f3fffff reserved\n"
				     "e820 = 0xfffc0000-0xffffffff reserved\nslots = 2\n"
				     "qemu_maxmem = 2G\n", err, sizeof(err)))
		fail_msg("-m 500M: %s", err);
	hotmem_config_device_memory(&cfg, &base, &end, &addable);
	assert_int_equal(base, 4 * GiB);
	assert_int_equal(end, 0x1e0c00000ULL);
	assert_int_equal(addable, 2 * GiB - 500 * MiB);
	/* the other QEMU machines say no qemu_maxmem: as they were */
	hotmem_config_default(&cfg);
	hotmem_config_device_memory(&cfg, &base, &end, &addable);
	assert_int_equal(cfg.qemu_maxmem, 0);
	assert_int_equal(base, 4 * GiB);
	assert_int_equal(end, 64 * GiB);
	assert_int_equal(addable, 59 * GiB);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		hotmem_config_default(&cfg);
		assert_int_equal(hotmem_config_parse_text(&cfg, bad[i].text, err, sizeof(err)), -EINVAL);
		if (strcmp(err, bad[i].err))
			fail_msg("%s: got '%s', want '%s'", bad[i].text, err, bad[i].err);
	}
}

/* profile "distance = SRC DST VAL": a SLIT as QEMU's -numa dist gives one */
static void test_distance(void **state)
{
	static const char *const bad[] = {
		"distance = 0 1 10\n",	/* remote 10: slit_valid() would drop the SLIT */
		"distance = 0 0 11\n",	/* to itself: 10 */
		"distance = 0 1 256\n",
		"distance = 0 1\n",
		"distance = 0 1 21 x\n",
		"distance = 0 3 21\n",	/* node 3 is not possible */
		"distance = 0 1 21\n",	/* 0-2 and 1-2 missing */
		"distance = 0 1 -21\n",
		NULL,
	};
	struct hotmem_config cfg;
	struct hotmem *hm;
	char err[256];

	(void)state;
	hotmem_config_default(&cfg);
	assert_int_equal(hotmem_config_parse_text(&cfg, "nodes = 3\n", err, sizeof(err)), 0);
	assert_false(cfg.slit);
	assert_int_equal(hotmem_create(&cfg, &hm, err, sizeof(err)), 0);
	assert_int_equal(hotmem_node_distance(hm, 0, 0), 10);
	assert_int_equal(hotmem_node_distance(hm, 0, 2), 20);
	assert_int_equal(hotmem_node_distance(hm, 0, 3), -EINVAL);
	hotmem_destroy(hm);
	assert_int_equal(hotmem_config_parse_text(&cfg,
		"distance = 0 1 21\ndistance = 1 0 22\ndistance = 0 2 31\ndistance = 2 1 41\n",
		err, sizeof(err)), 0);
	assert_int_equal(hotmem_create(&cfg, &hm, err, sizeof(err)), 0);
	assert_int_equal(hotmem_node_distance(hm, 0, 1), 21);
	assert_int_equal(hotmem_node_distance(hm, 1, 0), 22); /* asymmetric, as ACPI allows */
	assert_int_equal(hotmem_node_distance(hm, 2, 0), 31); /* one direction stands for both */
	assert_int_equal(hotmem_node_distance(hm, 1, 2), 41);
	assert_int_equal(hotmem_node_distance(hm, 2, 2), 10);
	hotmem_destroy(hm);
	for (const char *const *b = bad; *b; b++) {
		hotmem_config_default(&cfg);
		assert_int_equal(hotmem_config_parse_text(&cfg, "nodes = 3\n", err, sizeof(err)), 0);
		assert_int_equal(hotmem_config_parse_text(&cfg, *b, err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "distance"));
	}
	/* a node past nodes = is said as such, not as the pair it leaves missing */
	hotmem_config_default(&cfg);
	assert_int_equal(hotmem_config_parse_text(&cfg, "nodes = 2\ndistance = 0 2 20\n", err,
						  sizeof(err)), -EINVAL);
	assert_string_equal(err, "line 2: distance 0 2: node 2 is not possible (nodes = 2; nodes = 3 makes node 2 possible)");
}

static void test_memparse_like_the_kernel(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(hotmem_memparse("128M", &v), 0);
	assert_int_equal(v, 128 * MiB);
	assert_int_equal(hotmem_memparse("0x8000000", &v), 0);
	assert_int_equal(v, 0x8000000);
	assert_int_equal(hotmem_memparse("2g", &v), 0);
	assert_int_equal(v, 2 * GiB);
	assert_int_equal(hotmem_memparse("1T", &v), 0);
	assert_int_equal(v, 1ULL << 40);
	assert_int_equal(hotmem_memparse("12Q", &v), -EINVAL);
	assert_int_equal(hotmem_memparse("", &v), -EINVAL);
	assert_int_equal(hotmem_memparse("-1", &v), -EINVAL);
}

/* @text parsed over qemu-512m, described into @buf */
static void described(const char *text, char *buf, size_t len)
{
	struct hotmem_config cfg;
	char err[256];

	assert_int_equal(hotmem_config_builtin(&cfg, "qemu-512m"), 0);
	assert_int_equal(hotmem_config_parse_text(&cfg, text, err, sizeof(err)), 0);
	assert_true(hotmem_config_describe(&cfg, buf, len) < len);
}

/*
 * The boot reservation keys (docs/profile.md) describe as they parse and
 * parse back into the same machine; a misplaced part is refused.
 */
static void test_boot_reserve_round_trip(void **state)
{
	static const char text[] =
		"kernel_image = code=0x8a00000-0x99fffff rodata=0x9a00000-0xa570fff "
		"data=0xa600000-0xa870f7f init=0xad01000-0xb12afff smp_locks=0xb12b000-0xb134fff "
		"bss=0xb136000-0xb5fffff bss_decrypted_unused=0xb405000-0xb5fffff\n"
		"initrd = 0x1fecd000-0x1ffdffff\nbrk = 68K\nrealmode = yes\nswiotlb = 64M\n"
		"boot_reserved = 4328K\n";
	struct hotmem_config cfg, back;
	char d[4096], again[4096], err[256];

	(void)state;
	described(text, d, sizeof(d));
	assert_non_null(strstr(d, "kernel_image = code=0x8a00000-0x99fffff rodata=0x9a00000-0xa570fff "
				  "data=0xa600000-0xa870f7f init=0xad01000-0xb12afff "
				  "smp_locks=0xb12b000-0xb134fff bss=0xb136000-0xb5fffff "
				  "bss_decrypted_unused=0xb405000-0xb5fffff\n"));
	/* builtin44: qemu-512m's brk (68K) has its line, boot_reserved 68K less than its 4396K */
	assert_non_null(strstr(d, "initrd = 0x1fecd000-0x1ffdffff\nbrk = 0x11000\nrealmode = yes\n"
				  "swiotlb = 0x4000000\nboot_reserved = 0x43a000\n"));
	described(d, again, sizeof(again));
	assert_string_equal(d, again);
	assert_int_equal(hotmem_config_builtin(&cfg, "qemu-512m"), 0);
	assert_int_equal(hotmem_config_parse_text(&cfg, text, err, sizeof(err)), 0);
	assert_int_equal(hotmem_config_builtin(&back, "qemu-512m"), 0);
	assert_int_equal(hotmem_config_parse_text(&back, d, err, sizeof(err)), 0);
	assert_memory_equal(&cfg.boot_reserve, &back.boot_reserve, sizeof(cfg.boot_reserve));
	/* bss before init; an initrd outside RAM; a size not in pages; a part without its range */
	assert_int_equal(hotmem_config_builtin(&cfg, "qemu-512m"), 0);
	assert_int_equal(hotmem_config_parse_text(&cfg, "kernel_image = code=0x8a00000-0x99fffff "
				"rodata=0x9a00000-0xa570fff data=0xa600000-0xa870f7f "
				"init=0xb136000-0xb5fffff bss=0xad01000-0xb12afff\n", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "line 1: kernel_image: bss= 0xad01000-0xb12afff: below the part "
				    "before it"));
	/* reread33 R5: a finding, said as one, at its line */
	assert_int_equal(hotmem_config_parse_text(&cfg, "# the image\nkernel_image = code=0x8a00000-0x99fffff "
				"rodata=0x9a00000-0xa570fff data=0xa600000-0xa870f7f "
				"init=0xad01000-0xb12afff bss=0xb136000-0xb5fffff "
				"bss_decrypted_unused=0xb405000-0xb600fff\n", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "line 2: kernel_image: bss_decrypted_unused= 0xb405000-0xb600fff: "
			    "not inside bss= 0xb136000-0xb5fffff");
	assert_int_equal(hotmem_config_parse_text(&cfg, "realmode = yes\ninitrd = 0x20000000-0x200fffff\n",
						  err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "line 2: initrd 0x20000000-0x200fffff: not in one boot RAM range");
	assert_int_equal(hotmem_config_parse_text(&cfg, "initrd = 0x20000000-0x200fffff\n", err,
						  sizeof(err)), -EINVAL);
	assert_int_equal(hotmem_config_parse_text(&cfg, "swiotlb = 1000\n", err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(hotmem_config_parse_text(&cfg, "kernel_image = code\n", err, sizeof(err)),
			 -EINVAL);
}

/*
 * brk44: brk = SIZE (reserve_brk()'s used brk) describes and parses
 * back; it needs a kernel_image, whole pages, boot RAM after bss and no
 * initrd over it; a file's ram lines drop a brk it does not give.
 */
static void test_brk_key(void **state)
{
	static const char image[] =
		"kernel_image = code=0x8a00000-0x99fffff rodata=0x9a00000-0xa570fff "
		"data=0xa600000-0xa870f7f init=0xad01000-0xb12afff bss=0xb136000-0xb5fffff\n";
	struct hotmem_config cfg;
	char text[1024], d[4096], again[4096], err[256];

	(void)state;
	snprintf(text, sizeof(text), "%sbrk = 68K\n", image);
	described(text, d, sizeof(d));
	assert_non_null(strstr(d, "brk = 0x11000\n"));
	described(d, again, sizeof(again));
	assert_string_equal(d, again);
	/* none by default; qemu-512m's is its guest's 68K since 2026-12-04 (builtin44) */
	assert_int_equal(hotmem_config_builtin(&cfg, "default"), 0);
	assert_int_equal(cfg.boot_reserve.brk, 0);
	described("", d, sizeof(d));
	assert_non_null(strstr(d, "bss_decrypted_unused=0xb405000-0xb5fffff\n"
				  "initrd = 0x1fecd000-0x1ffdffff\nbrk = 0x11000\n"));
	/* kernel_image = none takes the built-in's brk out with the image */
	described("kernel_image = none\n", d, sizeof(d));
	assert_null(strstr(d, "brk"));
	assert_null(strstr(d, "kernel_image"));
	/* ... but not one the file gives, before or after it: that one needs an image */
	assert_int_equal(hotmem_config_builtin(&cfg, "qemu-512m"), 0);
	assert_int_equal(hotmem_config_parse_text(&cfg, "kernel_image = none\nbrk = 68K\n", err,
						  sizeof(err)), -EINVAL);
	assert_string_equal(err, "line 2: brk 0x11000: needs a kernel_image (the brk follows its bss)");
	assert_int_equal(hotmem_config_parse_text(&cfg, "brk = 68K\nkernel_image = none\n", err,
						  sizeof(err)), -EINVAL);
	assert_string_equal(err, "line 1: brk 0x11000: needs a kernel_image (the brk follows its bss)");
	assert_int_equal(hotmem_config_parse_text(&cfg, "brk = 1000\n", err, sizeof(err)), -EINVAL);
	snprintf(text, sizeof(text), "%sbrk = 68K\ninitrd = 0xb600000-0xb6fffff\n", image);
	assert_int_equal(hotmem_config_parse_text(&cfg, text, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "line 3: initrd 0xb600000-0xb6fffff: over the brk 0xb600000-0xb610fff");
	/* past boot RAM's end (0x1ffdffff) */
	assert_int_equal(hotmem_config_parse_text(&cfg, "initrd = none\nkernel_image = code=0x1f000000-0x1f0fffff "
				"rodata=0x1f100000-0x1f1fffff data=0x1f200000-0x1f2fffff "
				"init=0x1f300000-0x1f3fffff bss=0x1f400000-0x1ffcffff\nbrk = 128K\n",
				err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "line 3: brk 0x1ffd0000-0x1ffeffff: not in one boot RAM range (ram =)");
	/* the built-in's RAM replaced: a brk the file gives stays, before or after its ram lines */
	snprintf(text, sizeof(text), "profile = qemu-512m\nbrk = 8K\n%sram = 0x1000-0x9efff\n"
		 "ram = 0x100000-0x1ffdffff\n", image);
	described(text, d, sizeof(d));
	assert_non_null(strstr(d, "brk = 0x2000\n"));
}

/*
 * reread33 R2: a profile file is order-free -- the boot reservation keys
 * before its ram lines make the machine they make after them (key_ram()
 * dropped them: the built-in's reservations go with its RAM, the file's
 * own stay).  A file that replaces the RAM and gives no reservation key
 * keeps none of the built-in's.
 */
static void test_boot_reserve_before_ram(void **state)
{
	static const char keys[] =
		"kernel_image = code=0x8a00000-0x99fffff rodata=0x9a00000-0xa570fff "
		"data=0xa600000-0xa870f7f init=0xad01000-0xb12afff bss=0xb136000-0xb5fffff\n"
		"initrd = 0x1fecd000-0x1ffdffff\nrealmode = yes\nswiotlb = 64M\nboot_reserved = 4396K\n";
	static const char ram[] = "ram = 0x1000-0x9efff\nram = 0x100000-0x1ffdffff\n";
	char before[1024], after[1024], d1[4096], d2[4096];
	struct hotmem_config cfg;
	char err[256];

	(void)state;
	snprintf(before, sizeof(before), "profile = qemu-512m\n%s%s", keys, ram);
	snprintf(after, sizeof(after), "profile = qemu-512m\n%s%s", ram, keys);
	described(before, d1, sizeof(d1));
	described(after, d2, sizeof(d2));
	assert_string_equal(d1, d2);
	assert_non_null(strstr(d1, "kernel_image = code=0x8a00000-0x99fffff"));
	assert_non_null(strstr(d1, "swiotlb = 0x4000000\nboot_reserved = 0x44b000\n"));
	/* one key before, the rest gone with the built-in's RAM */
	assert_int_equal(hotmem_config_builtin(&cfg, "qemu-512m"), 0);
	cfg.boot_reserve.swiotlb = 32 << 20;	/* as a built-in's own would be */
	cfg.boot_reserve.realmode = true;
	assert_int_equal(hotmem_config_parse_text(&cfg, "realmode = yes\nram = 0x100000-0x1ffdffff\n",
						  err, sizeof(err)), 0);
	assert_true(cfg.boot_reserve.realmode);
	assert_int_equal(cfg.boot_reserve.swiotlb, 0);
}

/*
 * hotmem_config_describe(): the machine, not the text -- a comment, the
 * name, the order, 1G for 0x40000000 change nothing; a setting does, on
 * a line of its own; the text parses back into the same machine.
 */
static void test_describe_is_the_machine(void **state)
{
	static const char a[] = "name = one\nmemory_failure = yes\nnodes = 2\n"
				"virtio_mem = id=vm0 memaddr=0x140000000 size=1G\n"
				"online = 2-3 online_movable\ncmdline = \"memhp_default_state=online movable_node\"\n";
	static const char b[] = "# the same machine\ncmdline = \"movable_node\"\n"
				"virtio_mem = virtio-mem-pci,memaddr=0x140000000,size=0x40000000,id=vm0\n"
				"nodes = 2\nname = two\nonline = 2-3 online_movable\nmemory_failure = on\n"
				"cmdline = memhp_default_state=online\n";
	char da[4096], db[4096], again[4096], c[4096 + 64];

	(void)state;
	described(a, da, sizeof(da));
	described(b, db, sizeof(db));
	assert_string_equal(da, db);
	assert_null(strstr(da, "name"));
	assert_non_null(strstr(da, "\nmemory_failure = yes\n"));
	assert_non_null(strstr(da, "\nvirtio_mem = id=vm0 memaddr=0x140000000 size=0x40000000 "
				   "requested-size=0 block-size=0x200000 node=0\n"));
	assert_non_null(strstr(da, "\nonline = 2-3 online_movable\n"));
	assert_non_null(strstr(da, "\ncmdline = \"movable_node\"\n"));
	assert_non_null(strstr(da, "\ncmdline = \"memhp_default_state=online\"\n"));
	described(da, again, sizeof(again));
	assert_string_equal(again, da);
	snprintf(c, sizeof(c), "%sprobe = yes\n", a);
	described(c, db, sizeof(db));
	assert_string_not_equal(db, da);
	assert_non_null(strstr(db, "\nprobe = yes\n"));
	/* CONFIG_PM_ADVANCED_DEBUG: qemu-512m's (described()), a setting of its own, parsed back */
	assert_non_null(strstr(da, "\npm_advanced_debug = yes\n"));
	snprintf(c, sizeof(c), "%spm_advanced_debug = no\n", a);
	described(c, db, sizeof(db));
	assert_non_null(strstr(db, "\npm_advanced_debug = no\n"));
	described(db, again, sizeof(again));
	assert_string_equal(again, db);
	/* hugepages= set-only, as given (reread30 R6); hugepagesz=2M names no other machine */
	assert_null(strstr(da, "hugepages="));
	snprintf(c, sizeof(c), "%scpu_nodes = 0,1\ncmdline = \"hugepagesz=2M hugepages=0:4,1:2\"\n", a);
	described(c, db, sizeof(db));
	assert_non_null(strstr(db, "\ncmdline = \"hugepages=0:4,1:2\"\n"));
	assert_null(strstr(db, "hugepagesz"));
	described(db, again, sizeof(again));
	assert_string_equal(again, db);
	snprintf(c, sizeof(c), "%scmdline = \"hugepages=0\"\n", a);
	described(c, db, sizeof(db));
	assert_null(strstr(db, "hugepages")); /* the machine no word boots */
	/* NULL, 0: the length it needs */
	assert_int_equal(hotmem_config_describe(&(struct hotmem_config){ 0 }, NULL, 0) > 0, 1);
}

/*
 * kernelcore= and movablecore= as 6.12's cmdline_parse_core() takes them:
 * a size (pages from then on, a percentage given before cleared) or a
 * percentage (a size given before kept: the percentage wins at boot).
 * Modelled: not in the "models none of" list; described when given, so a
 * state file's profile lines hold them.  Refused: kernelcore=mirror (no
 * mirrored memory here), over 100%, a word the parser would cut short, no
 * value.
 */
static void test_kernelcore_movablecore_parse(void **state)
{
	struct hotmem_config cfg;
	char err[256], buf[4096];

	(void)state;
	hotmem_config_default(&cfg);
	assert_int_equal(hotmem_config_parse_cmdline(&cfg, "kernelcore=512M movablecore=10% quiet",
						     err, sizeof(err)), 0);
	assert_int_equal(cfg.required_kernelcore, 131072);
	assert_int_equal(cfg.required_kernelcore_percent, 0);
	assert_int_equal(cfg.required_movablecore, 0);
	assert_int_equal(cfg.required_movablecore_percent, 10);
	hotmem_config_unmodelled(&cfg, buf, sizeof(buf));
	assert_string_equal(buf, "quiet");
	hotmem_config_describe(&cfg, buf, sizeof(buf));
	assert_non_null(strstr(buf, "\ncmdline = \"kernelcore=536870912\"\n"));
	assert_non_null(strstr(buf, "\ncmdline = \"movablecore=10%\"\n"));

	hotmem_config_default(&cfg);
	assert_int_equal(hotmem_config_parse_cmdline(&cfg, "movablecore=10% movablecore=0x10000000",
						     err, sizeof(err)), 0);
	assert_int_equal(cfg.required_movablecore, 65536);
	assert_int_equal(cfg.required_movablecore_percent, 0);
	assert_int_equal(hotmem_config_parse_cmdline(&cfg, "movablecore=5%", err, sizeof(err)), 0);
	assert_int_equal(cfg.required_movablecore, 65536);
	assert_int_equal(cfg.required_movablecore_percent, 5);
	hotmem_config_describe(&cfg, buf, sizeof(buf));
	assert_non_null(strstr(buf, "\ncmdline = \"movablecore=5%\"\n"));
	assert_null(strstr(buf, "kernelcore"));

	assert_cmdline_refused("kernelcore=mirror", "kernelcore=mirror: hotmem models no mirrored memory");
	assert_cmdline_refused("movablecore=101%", "movablecore=101%: more than 100%");
	assert_cmdline_refused("movablecore=256Mx", "movablecore=256Mx: expected a size");
	assert_cmdline_refused("kernelcore", "kernelcore takes a size");
	assert_cmdline_refused("movablecore=", "movablecore takes a size");
}

/*
 * "@prefix" then @n words made by @fmt ("%s%d": @prefix's index added to
 * @word), then "@suffix", into @buf
 */
static const char *words_line(char *buf, size_t len, const char *prefix, const char *fmt,
			      const char *word, int n, const char *suffix)
{
	size_t at = (size_t)snprintf(buf, len, "%s", prefix);

	for (int i = 1; i <= n && at < len; i++) {
		at += (size_t)snprintf(buf + at, len - at, " ");
		at += (size_t)snprintf(buf + at, len - at, fmt, word, i);
	}
	if (at < len)
		snprintf(buf + at, len - at, " %s", suffix);
	return buf;
}

/* a default machine booted with @cmdline: 0, or what hotmem_create() says in @err */
static int boot_line(const char *cmdline, char *err, size_t errlen)
{
	struct hotmem_config cfg;
	struct hotmem *hm = NULL;
	int ret;

	hotmem_config_default(&cfg);
	assert_int_equal(hotmem_config_parse_cmdline(&cfg, cmdline, err, errlen), 0);
	ret = hotmem_create(&cfg, &hm, err, errlen);
	if (!ret)
		hotmem_destroy(hm);
	return ret;
}

/*
 * 6.12 start_kernel() panics "Too many boot %s vars at `%s'" when init's
 * argv_init[] or envp_init[] (MAX_INIT_ARGS, MAX_INIT_ENVS: 32, each
 * table 34 entries) had a word find its 33rd entry taken: the 33rd
 * argument ("init" is the first entry), the 32nd environment word
 * (HOME=/ and TERM=linux are the first two; a name given again takes
 * its first place, none more), the 33rd argument after "--"
 * (set_init_arg()).  init= drops the arguments before it (argv_init[1..31]).
 * hotmem refuses such a line with the kernel's message; it booted
 * (zones43).
 */
static void test_too_many_init_words_panic(void **state)
{
	char line[4096], err[512];

	(void)state;
	assert_int_equal(boot_line(words_line(line, sizeof(line), "quiet", "%s%d", "a", 32, "ro"),
				   err, sizeof(err)), 0);
	assert_int_equal(boot_line(words_line(line, sizeof(line), "quiet", "%s%d", "a", 33, "b"),
				   err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "Kernel panic - not syncing: Too many boot init vars at `a33'"));
	assert_int_equal(boot_line(words_line(line, sizeof(line), "quiet", "%s%d=1", "E", 31,
					      "HOME=/root TERM=vt100 E1=2"), err, sizeof(err)), 0);
	assert_int_equal(boot_line(words_line(line, sizeof(line), "quiet", "%s%d=1", "E", 32, "x=1"),
				   err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "Too many boot env vars at `E32=1'"));
	/* the first 31 dropped by init=: 33 arguments in all boot */
	assert_int_equal(boot_line(words_line(line, sizeof(line), "quiet", "%s%d", "a", 31,
					      "init=/bin/sh b1 b2"), err, sizeof(err)), 0);
	/* after "--": init's arguments all the same, a word with '=' among them */
	assert_int_equal(boot_line(words_line(line, sizeof(line), "quiet a0 --", "%s%d=x", "z", 31, ""),
				   err, sizeof(err)), 0);
	assert_int_equal(boot_line(words_line(line, sizeof(line), "quiet a0 --", "%s%d=x", "z", 32, ""),
				   err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "Too many boot init vars at `z32=x'"));
	/* dotted names (module parameters) and the kernel's own words are nobody's */
	assert_int_equal(boot_line(words_line(line, sizeof(line), "quiet", "%s%d.x", "m", 40, ""),
				   err, sizeof(err)), 0);
}

/* the boot options a default machine booted with CMDLINE gives init: WANT */
static void assert_unknown_bootoptions(const char *cmdline, const char *want)
{
	struct hotmem_config cfg;
	char err[256], buf[4096];

	hotmem_config_default(&cfg);
	assert_int_equal(hotmem_config_parse_cmdline(&cfg, cmdline, err, sizeof(err)), 0);
	hotmem_config_unknown_bootoptions(&cfg, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

/*
 * 6.12 init/main.c unknown_bootoption() + print_unknown_bootoptions():
 * what no part of the kernel takes goes to init, arguments first, then
 * environment (a name twice: its last value, in the first one's place);
 * a dotted name is an unused module parameter, never listed; a bare "--"
 * ends the kernel's part.  The boot log says both lines, the unknown one
 * only when there is something to say.
 */
static void test_unknown_bootoptions_as_the_kernel_lists_them(void **state)
{
	struct hotmem_config cfg;
	struct hotmem *hm;
	char err[256], buf[1024], log[8192];

	(void)state;
	hotmem_config_default(&cfg);
	assert_int_equal(hotmem_config_parse_cmdline(&cfg,
		"memhp_default_stat=online quiet splash BOOT_IMAGE=/vmlinuz movable_node "
		"systemd.unit=x foo=1 bar foo=2 console=ttyS0 -- baz", err, sizeof(err)), 0);
	hotmem_config_unknown_bootoptions(&cfg, buf, sizeof(buf));
	assert_string_equal(buf, "splash bar memhp_default_stat=online BOOT_IMAGE=/vmlinuz foo=2");
	hotmem_config_unmodelled(&cfg, buf, sizeof(buf));
	assert_string_equal(buf, "memhp_default_stat quiet splash BOOT_IMAGE systemd.unit foo bar foo console");
	assert_int_equal(hotmem_create(&cfg, &hm, err, sizeof(err)), 0);
	hotmem_dmesg(hm, log, sizeof(log));
	assert_non_null(strstr(log, "<5>Kernel command line: memhp_default_stat=online quiet splash "));
	assert_non_null(strstr(log, "<5>Unknown kernel command line parameters \"splash bar "
				    "memhp_default_stat=online BOOT_IMAGE=/vmlinuz foo=2\", will be passed to user space.\n"));
	/* before the zonelists, as start_kernel() prints them before mm_core_init() */
	assert_true(strstr(log, "Kernel command line:") < strstr(log, "Fallback order"));
	hotmem_destroy(hm);
	/*
	 * the old boot parameters that became sysctls (6.12 sysctl_aliases[])
	 * are the sysctls', never init's, modelled or not (sysctl_is_alias()
	 * in unknown_bootoption())
	 */
	assert_unknown_bootoptions(
		"numa_zonelist_order=Node hung_task_panic=1 softlockup_all_cpu_backtrace "
		"hardlockup_all_cpu_backtrace=1 numa_zonelist_orde=x",
		"numa_zonelist_orde=x");
	/*
	 * a word starting with '=': next_arg() never splits at the first
	 * byte, so "=a=b" is named "=a" (unknown_bootoption()'s len is
	 * taken before repair_env_string()): two names, and "=x.y" an unused
	 * module parameter's (hotmem named all three "" and kept the last)
	 */
	assert_unknown_bootoptions("=a=b =c=d =x.y=1", "=a=b =c=d");
	/*
	 * init's environment begins HOME=/ TERM=linux (envp_init[]): a word
	 * naming either takes its place, and the list starts after them
	 * (reread42 R3: hotmem listed them); a bare TERM is an argument
	 */
	assert_unknown_bootoptions("TERM=vt100 foo=1 HOME=/root TERM", "TERM foo=1");
	/*
	 * a __setup("NAME=") takes NAME=value alone (obsolete_checksetup()'s
	 * parameqn() with the '='): a bare console, root or init is init's
	 * argument; an early_param (quiet) or a bare __setup (ro) takes
	 * the bare word (reread42 R4: hotmem listed none of them).  init=
	 * and rdinit= drop the arguments before them (init_setup(): LILO's
	 * "auto"), not the environment
	 */
	assert_unknown_bootoptions("console root=/dev/vda quiet ro init resume",
				   "console init resume");
	assert_unknown_bootoptions("auto a=1 console init=/bin/sh b root rdinit=/init c e=2",
				   "c a=1 e=2");
	assert_unknown_bootoptions("transparent_hugepage=never transparent_hugepage nohz nohz_full "
				   "audit=1 audit elevator selinux=0 numa_balancing isolcpus=1",
				   "transparent_hugepage nohz nohz_full audit elevator numa_balancing");
	/* nothing unknown: no such line */
	hotmem_config_default(&cfg);
	assert_int_equal(hotmem_config_parse_cmdline(&cfg, "movable_node quiet", err, sizeof(err)), 0);
	assert_int_equal(hotmem_config_unknown_bootoptions(&cfg, buf, sizeof(buf)), 0);
	assert_int_equal(hotmem_create(&cfg, &hm, err, sizeof(err)), 0);
	hotmem_dmesg(hm, log, sizeof(log));
	assert_null(strstr(log, "Unknown kernel command line"));
	assert_non_null(strstr(log, "<5>Kernel command line: movable_node quiet\n"));
	hotmem_destroy(hm);
}

/*
 * Since the line holds x86's 2047 bytes, a word can be longer than 511:
 * init's environment points into the command line (envp_init[]), so a
 * long one is listed whole, and a long name too (the list kept them in
 * 512-byte copies, cut, and read a name past its copy's end)
 */
static void test_unknown_bootoptions_long_words_whole(void **state)
{
	char line[2048], want[2048];
	int a = 1200, b = 700;

	(void)state;
	/* an environment word of 1200 bytes, an argument of 700, a second environment word */
	snprintf(line, sizeof(line), "X=%0*d %0*d Y=2", a - 2, 0, b, 0);
	snprintf(want, sizeof(want), "%0*d X=%0*d Y=2", b, 0, a - 2, 0);
	assert_unknown_bootoptions(line, want);
}

/*
 * Command lines given one after another (a profile's cmdline lines, then
 * --cmdline) are the machine's one command line, in order: /proc/cmdline
 * and the log's "Kernel command line:" show the whole of it, as a guest's
 * one -append.  It kept the last part alone: an export of a machine
 * booted with movablecore= on its profile and a --cmdline showed no
 * movablecore=, and `hotmem profile --from-sysfs` brought it back without.
 * Too long together is refused, the command line as it was; a part of
 * blanks adds nothing.  hotmem_cmdline_unmodelled() names one part's words.
 */
static void test_cmdlines_add_up_in_order(void **state)
{
	struct hotmem_config cfg;
	char err[256], buf[1024], big[2020];

	(void)state;
	hotmem_config_default(&cfg);
	assert_int_equal(hotmem_config_parse_cmdline(&cfg, "movablecore=256M", err, sizeof(err)), 0);
	assert_int_equal(hotmem_config_parse_cmdline(&cfg, "  ", err, sizeof(err)), 0);
	assert_int_equal(hotmem_config_parse_cmdline(&cfg, "hugepages=8 quiet", err, sizeof(err)), 0);
	assert_string_equal(cfg.cmdline, "movablecore=256M hugepages=8 quiet");
	assert_int_equal(cfg.hugepages, 8);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(hotmem_config_parse_cmdline(&cfg, big, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "kernel command line longer than 2047 bytes (x86 COMMAND_LINE_SIZE 2048)"));
	assert_string_equal(cfg.cmdline, "movablecore=256M hugepages=8 quiet");
	hotmem_config_unmodelled(&cfg, buf, sizeof(buf));
	assert_string_equal(buf, "quiet");
	hotmem_cmdline_unmodelled("splash hugepages=8 console=ttyS0", buf, sizeof(buf));
	assert_string_equal(buf, "splash console");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_machine_needs_no_file),
		cmocka_unit_test(test_every_builtin_profile_is_valid),
		cmocka_unit_test(test_cmdline_sets_kernel_parameters),
		cmocka_unit_test(test_memmap_on_memory_force_either_case),
		cmocka_unit_test(test_uint_parameter_takes_one_plus),
		cmocka_unit_test(test_bad_settings_are_refused_by_name),
		cmocka_unit_test(test_cmdline_spellings_6_12_boots),
		cmocka_unit_test(test_profile_text),
		cmocka_unit_test(test_profile_from_a_pipe_and_the_size_limit),
		cmocka_unit_test(test_bad_profiles_name_line_and_setting),
		cmocka_unit_test(test_checks_after_parsing_name_the_line),
		cmocka_unit_test(test_memparse_like_the_kernel),
		cmocka_unit_test(test_slots),
		cmocka_unit_test(test_qemu_maxmem),
		cmocka_unit_test(test_profile_numbers_are_decimal),
		cmocka_unit_test(test_profile_counts_are_decimal),
		cmocka_unit_test(test_distance),
		cmocka_unit_test(test_unknown_module_parameters_refused_alike),
		cmocka_unit_test(test_hugetlb_words_and_layout_parameters),
		cmocka_unit_test(test_bare_module_bool_is_true),
		cmocka_unit_test(test_dash_is_underscore_in_names),
		cmocka_unit_test(test_double_dash_ends_kernel_parameters),
		cmocka_unit_test(test_cmdline_words_as_next_arg),
		cmocka_unit_test(test_cmdline_parse_takes_next_arg_words),
		cmocka_unit_test(test_cmdline_holds_x86s_2047_bytes),
		cmocka_unit_test(test_long_command_line_log_cut_as_printk),
		cmocka_unit_test(test_cpu_nodes_is_a_node_list_of_possible_nodes),
		cmocka_unit_test(test_describe_is_the_machine),
		cmocka_unit_test(test_unknown_bootoptions_as_the_kernel_lists_them),
		cmocka_unit_test(test_too_many_init_words_panic),
		cmocka_unit_test(test_unknown_bootoptions_long_words_whole),
		cmocka_unit_test(test_cmdlines_add_up_in_order),
		cmocka_unit_test(test_kernelcore_movablecore_parse),
		cmocka_unit_test(test_boot_reserve_round_trip),
		cmocka_unit_test(test_boot_reserve_before_ram),
		cmocka_unit_test(test_brk_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
