// SPDX-License-Identifier: GPL-2.0
/*
 * A profile's virtio-mem devices ("virtio_mem =" lines, QEMU's -device
 * virtio-mem-pci properties): parsed with errors naming the line and the
 * setting, probed at boot with the driver plugging toward requested-size
 * while auto-online is held off, then the profile's block states.
 */
#include <stdio.h>
#include <string.h>

#include "helpers.h"

/* the default machine (1 GiB on node 0, 2 nodes, 128 MiB blocks) and @lines */
static int parse(struct hotmem_config *cfg, const char *lines, char *err, size_t errlen)
{
	char text[2048];

	snprintf(text, sizeof(text), "profile = default\ncmdline = \"%s\"\n%s", IDLE_KERNEL, lines);
	hotmem_config_default(cfg);
	return hotmem_config_parse_text(cfg, text, err, errlen);
}

static struct hotmem *boot_text(const char *lines)
{
	struct hotmem_config cfg;
	struct hotmem *hm = NULL;
	char err[512] = "";

	if (parse(&cfg, lines, err, sizeof(err)))
		fail_msg("profile: %s", err);
	if (hotmem_create(&cfg, &hm, err, sizeof(err)))
		fail_msg("boot: %s", err);
	return hm;
}

static void test_key_takes_qemus_properties(void **state)
{
	struct hotmem_config cfg;
	char err[256] = "";

	(void)state;
	assert_int_equal(parse(&cfg,
			       "virtio_mem = virtio-mem-pci,id=vm0,memaddr=0x140000000,size=1G,"
			       "requested-size=256M,block-size=4M,node=1\n"
			       "virtio_mem = addr=0x200000000 size=0x20000000\n",
			       err, sizeof(err)), 0);
	assert_int_equal(cfg.nr_virtio_mem, 2);
	assert_string_equal(cfg.virtio_mem[0].id, "vm0");
	assert_int_equal(cfg.virtio_mem[0].addr, 0x140000000ULL);
	assert_int_equal(cfg.virtio_mem[0].size, 1 * GiB);
	assert_int_equal(cfg.virtio_mem[0].requested_size, 256 * MiB);
	assert_int_equal(cfg.virtio_mem[0].block_size, 4 * MiB);
	assert_int_equal(cfg.virtio_mem[0].nid, 1);
	/* QEMU's defaults: block-size 2M on x86, nothing requested, node 0; hotmemfs's naming */
	assert_string_equal(cfg.virtio_mem[1].id, "vmem1");
	assert_int_equal(cfg.virtio_mem[1].addr, 0x200000000ULL);
	assert_int_equal(cfg.virtio_mem[1].size, 512 * MiB);
	assert_int_equal(cfg.virtio_mem[1].requested_size, 0);
	assert_int_equal(cfg.virtio_mem[1].block_size, 2 * MiB);
	assert_int_equal(cfg.virtio_mem[1].nid, 0);
}

static void test_bad_lines_name_line_and_setting(void **state)
{
	static const struct {
		const char *lines, *err;
	} cases[] = {
		{ "virtio_mem = size=1G\n", "line 3: virtio_mem: memaddr and size are required" },
		{ "virtio_mem = memaddr=0x140000000\n",
		  "line 3: virtio_mem: memaddr and size are required" },
		{ "virtio_mem = memaddr=0x140000000 size=1G memdev=mem0\n",
		  "line 3: virtio_mem: unknown property 'memdev' (id, memaddr, size, requested-size, block-size, node)" },
		{ "virtio_mem = memaddr=0x140000000 size=1X\n",
		  "line 3: virtio_mem: size: bad size '1X'" },
		{ "virtio_mem = memaddr=0x140000000 size=1G node=x\n",
		  "line 3: virtio_mem: bad node 'x' (decimal)" },
		{ "virtio_mem = memaddr=0x140000000 size=1G slot\n",
		  "line 3: virtio_mem: expected PROPERTY=VALUE, got 'slot'" },
		{ "virtio_mem = memaddr=0x140000000 size=1G block-size=3M\n",
		  "line 3: virtio_mem: block-size 0x300000: must be a power of two of at least 1M" },
		{ "virtio_mem = memaddr=0x140000000 size=1G block-size=512K\n",
		  "line 3: virtio_mem: block-size 0x80000: must be a power of two of at least 1M" },
		{ "virtio_mem = memaddr=0x140100000 size=1G\n",
		  "line 3: virtio_mem: memaddr 0x140100000: must be aligned to block-size (0x200000)" },
		{ "virtio_mem = memaddr=0x140000000 size=0x40100000\n",
		  "line 3: virtio_mem: size 0x40100000: must be a multiple of block-size (0x200000)" },
		{ "virtio_mem = memaddr=0x140000000 size=1G requested-size=2G\n",
		  "line 3: virtio_mem: requested-size 0x80000000: must be a multiple of block-size (0x200000), at most size" },
		{ "virtio_mem = memaddr=0x140000000 size=1G node=2\n",
		  "line 3: virtio_mem vmem0: node 2 is not possible (nodes = 2; nodes = 3 makes node 2 possible)" },
		{ "virtio_mem = memaddr=0xfc0000000 size=2G\n",
		  "line 3: virtio_mem vmem0: region 0xfc0000000-0x103fffffff beyond maxmem" },
		{ "virtio_mem = memaddr=0x20000000 size=1G\n",
		  "line 3: virtio_mem vmem0: region 0x20000000-0x5fffffff meets ram 0x100000-0x3fffffff" },
		{ "hotplug = 0x140000000-0x147ffffff\nvirtio_mem = memaddr=0x140000000 size=1G\n",
		  "line 4: virtio_mem vmem0: region 0x140000000-0x17fffffff meets hotplug 0x140000000-0x147ffffff" },
		{ "virtio_mem = id=a memaddr=0x140000000 size=1G\nvirtio_mem = id=a memaddr=0x200000000 size=1G\n",
		  "line 4: virtio_mem a: duplicate device ID" },
		{ "virtio_mem = memaddr=0x140000000 size=1G\nvirtio_mem = memaddr=0x160000000 size=1G\n",
		  "line 4: virtio_mem vmem1: region meets virtio_mem vmem0's" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hotmem_config cfg;
		char err[256] = "";

		assert_int_equal(parse(&cfg, cases[i].lines, err, sizeof(err)), -EINVAL);
		if (strcmp(err, cases[i].err))
			fail_msg("%s: got '%s', want '%s'", cases[i].lines, err, cases[i].err);
	}
}

static void test_more_than_the_most_devices_refused(void **state)
{
	char lines[2048] = "";
	struct hotmem_config cfg;
	char err[256] = "";
	size_t n = 0;

	(void)state;
	for (int i = 0; i <= HM_MAX_PROFILE_VIRTIO_MEM; i++)
		n += (size_t)snprintf(lines + n, sizeof(lines) - n,
				      "virtio_mem = memaddr=%#llx size=128M\n",
				      (unsigned long long)(0x100000000ULL + (uint64_t)i * GiB));
	assert_int_equal(parse(&cfg, lines, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "line 19: virtio_mem: more than 16 devices");
}

/* the device at @addr, as its driver reports it */
static struct hm_virtio_mem_info vm_info(struct hotmem *hm, uint64_t addr)
{
	struct hotmem_virtio_mem *vm = hotmem_virtio_mem_at(hm, addr);
	struct hm_virtio_mem_info vi;

	assert_non_null(vm);
	assert_int_equal(hotmem_virtio_mem_info(vm, &vi), 0);
	return vi;
}

/*
 * Probed at boot and plugged to requested-size, its memory offline
 * whatever memhp_default_state says (the states are the profile's),
 * auto-online back as the command line set it afterwards.
 */
static void test_boot_plugs_requested_size_offline(void **state)
{
	struct hotmem *hm = boot_text("cmdline = \"" IDLE_KERNEL " memhp_default_state=online_movable\"\n"
				      "virtio_mem = id=vm0 memaddr=0x140000000 size=1G requested-size=256M node=1\n");
	struct hm_virtio_mem_info vi = vm_info(hm, 0x140000000ULL);
	struct hm_block_info bi;
	struct hm_iomem_entry io[16];
	size_t n;

	(void)state;
	assert_int_equal(vi.region_size, 1 * GiB);
	assert_int_equal(vi.plugged_size, 256 * MiB);
	assert_int_equal(vi.requested_size, 256 * MiB);
	assert_int_equal(vi.device_block_size, 2 * MiB);
	assert_int_equal(vi.nid, 1);
	assert_true(vi.sbm);
	for (unsigned long id = 40; id <= 41; id++) {
		assert_int_equal(hotmem_block_info(hm, id, &bi), 0);
		assert_int_equal(bi.state, HM_MEM_OFFLINE);
		assert_int_equal(bi.nid, 1);
		assert_int_equal(bi.group, vi.group);
	}
	assert_int_equal(hotmem_block_info(hm, 42, &bi), -ENOENT);
	assert_null(hotmem_virtio_mem_at(hm, 0x180000000ULL));
	assert_int_equal(hotmem_get_auto_online(hm), HM_MMOP_ONLINE_MOVABLE);
	n = hotmem_iomem(hm, io, 16);
	/* all of them in the array (past it the count may only bound them) */
	assert_in_range(n, 2, 16);
	assert_string_equal(io[n - 2].name, "virtio0");
	assert_string_equal(io[n - 1].name, "System RAM (virtio_mem)");
	assert_int_equal(io[n - 1].end, 0x14fffffffULL);
	check(hm);
	hotmem_destroy(hm);
}

/*
 * A device the profile boots with a requested-size says its sizes once,
 * as 6.12's driver probing a device that has it: the run its probe
 * queues reads the config (plugged 0, requested 256M), not a second time
 * for the size set right after the probe.  The boot's zonelists came
 * first (build_all_zonelists() in mm_core_init()): policy_zone is the
 * highest boot zone from the start.
 */
static void test_boot_says_the_sizes_once(void **state)
{
	struct hotmem *hm = boot_text("virtio_mem = id=vm0 memaddr=0x140000000 size=1G requested-size=256M\n");
	static char log[65536];
	const char *p = log;
	int n = 0;

	(void)state;
	hotmem_dmesg(hm, log, sizeof(log));
	while ((p = strstr(p, "virtio_mem virtio0: plugged size: ")))
		n++, p++;
	assert_int_equal(n, 1);
	assert_non_null(strstr(log, "<6>virtio_mem virtio0: plugged size: 0x0\n"
				    "<6>virtio_mem virtio0: requested size: 0x10000000\n"));
	assert_non_null(strstr(log, "<6>Policy zone: DMA32\n"));
	assert_true(strstr(log, "<6>Policy zone: DMA32\n") < strstr(log, "virtio_mem virtio0"));
	assert_int_equal(hotmem_get_policy_zone(hm), HM_ZONE_DMA32);
	hotmem_destroy(hm);
}

/* the profile's online lines name each block's zone */
static void test_boot_then_the_profiles_states(void **state)
{
	struct hotmem *hm = boot_text("virtio_mem = memaddr=0x140000000 size=1G requested-size=384M\n"
				      "online = 40 online_kernel\nonline = 41 online_movable\n");

	(void)state;
	assert_int_equal(block_state(hm, 40), HM_MEM_ONLINE);
	assert_int_equal(block_zone(hm, 40), HM_ZONE_NORMAL);
	assert_int_equal(block_zone(hm, 41), HM_ZONE_MOVABLE);
	assert_int_equal(block_state(hm, 42), HM_MEM_OFFLINE);
	assert_int_equal(vm_info(hm, 0x140000000ULL).plugged_size, 384 * MiB);
	check(hm);
	hotmem_destroy(hm);
}

/*
 * More than offline_threshold (1 GiB): the driver stops at 1 GiB offline,
 * as the kernel's does; each block the profile onlines lets it go on.
 */
static void test_large_device_plugs_as_its_blocks_come_online(void **state)
{
	struct hotmem *hm = boot_text("virtio_mem = memaddr=0x140000000 size=4G requested-size=2G\n");

	(void)state;
	assert_int_equal(vm_info(hm, 0x140000000ULL).plugged_size, 1 * GiB);
	hotmem_destroy(hm);
	hm = boot_text("virtio_mem = memaddr=0x140000000 size=4G requested-size=2G\n"
		       "online = 40-55 online_movable\n");
	assert_int_equal(vm_info(hm, 0x140000000ULL).plugged_size, 2 * GiB);
	for (unsigned long id = 40; id <= 55; id++)
		assert_int_equal(block_zone(hm, id), HM_ZONE_MOVABLE);
	assert_int_equal(block_state(hm, 56), -1); /* not present */
	check(hm);
	hotmem_destroy(hm);
}

/*
 * A device whose region holds no whole memory block (64 MiB) boots: 6.12
 * probes it with its warnings and its plug ends in -ENOSPC, nothing
 * plugged (abuse30b V2; until 2026-12-02 its probe failed -ENOSPC and
 * stopped the boot), the device after it plugged as asked.
 */
static void test_region_without_whole_block_boots(void **state)
{
	struct hotmem *hm = boot_text("virtio_mem = id=vm0 memaddr=0x140000000 size=64M requested-size=64M\n"
				      "virtio_mem = id=vm1 memaddr=0x144000000 size=1G requested-size=256M\n");
	static char log[65536];

	(void)state;
	assert_int_equal(vm_info(hm, 0x140000000ULL).requested_size, 64 * MiB);
	assert_int_equal(vm_info(hm, 0x140000000ULL).plugged_size, 0);
	assert_int_equal(vm_info(hm, 0x140000000ULL).last_err, -ENOSPC);
	assert_int_equal(vm_info(hm, 0x144000000ULL).plugged_size, 256 * MiB);
	assert_int_equal(block_state(hm, 40), -1);
	hotmem_dmesg(hm, log, sizeof(log));
	assert_non_null(strstr(log, "virtio_mem virtio0: The alignment of the physical end address can make some memory unusable."));
	check(hm);
	hotmem_destroy(hm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_takes_qemus_properties),
		cmocka_unit_test(test_bad_lines_name_line_and_setting),
		cmocka_unit_test(test_more_than_the_most_devices_refused),
		cmocka_unit_test(test_boot_plugs_requested_size_offline),
		cmocka_unit_test(test_boot_says_the_sizes_once),
		cmocka_unit_test(test_boot_then_the_profiles_states),
		cmocka_unit_test(test_large_device_plugs_as_its_blocks_come_online),
		cmocka_unit_test(test_region_without_whole_block_boots),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
