// SPDX-License-Identifier: GPL-2.0
/* The virtio-mem driver (drivers/virtio/virtio_mem.c, 6.12+) on the engine. */
#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "helpers.h"
#include "internal.h"

#define VMEM 0x100000000ULL	/* the device region: 4 GiB, where QEMU puts it */

static struct hotmem_virtio_mem *probe(struct hotmem *hm, uint64_t region, uint64_t block)
{
	struct hotmem_virtio_mem *vm = NULL;

	assert_int_equal(hotmem_virtio_mem_probe(hm, 0, VMEM, region, block, &vm), 0);
	return vm;
}

static unsigned long pflags(struct hotmem *hm, uint64_t phys)
{
	unsigned long flags = 0;

	assert_int_equal(hotmem_page_flags(hm, phys >> HM_PAGE_SHIFT, &flags), 0);
	return flags;
}

static struct hm_virtio_mem_info info(struct hotmem_virtio_mem *vm)
{
	struct hm_virtio_mem_info i;

	assert_int_equal(hotmem_virtio_mem_info(vm, &i), 0);
	return i;
}

/* 1 GiB in 2 MiB device blocks: Sub Block Mode, 8 whole blocks, memmap from system RAM */
/*
 * virtio_mem_refresh_config()'s two dev_info() lines (6.12): at the run
 * the probe queues and at every config change (a requested-size set,
 * changed or not), each with the plugged size the driver had before that
 * run.
 */
static void test_refresh_config_lines(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL " memhp_default_state=online_movable");
	struct hotmem_virtio_mem *vm = probe(hm, 4 * GiB, 2 * MiB);
	static char log[65536];
	const char *want =
		"<6>virtio_mem virtio0: plugged size: 0x0\n"
		"<6>virtio_mem virtio0: requested size: 0x0\n"
		"<6>virtio_mem virtio0: plugged size: 0x0\n"
		"<6>virtio_mem virtio0: requested size: 0x10000000\n"
		"<6>virtio_mem virtio0: plugged size: 0x10000000\n"
		"<6>virtio_mem virtio0: requested size: 0x8000000\n"
		"<6>virtio_mem virtio0: plugged size: 0x8000000\n"
		"<6>virtio_mem virtio0: requested size: 0x8000000\n";
	char got[1024] = "", *p, *nl;
	size_t n = 0;

	(void)state;
	/* the run virtio_mem_probe() queues */
	hotmem_virtio_mem_retry(vm, NULL);
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 256 * MiB, NULL), 0);
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 128 * MiB, NULL), 0);
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 128 * MiB, NULL), 0);
	/* a retry is no config change */
	hotmem_virtio_mem_retry(vm, NULL);
	hotmem_dmesg(hm, log, sizeof(log));
	for (p = log; (nl = strchr(p, '\n')); p = nl + 1) {
		if (strstr(p, " size: 0x") && strstr(p, " size: 0x") < nl &&
		    (strncmp(p, "<6>virtio_mem virtio0: plugged", 30) == 0 ||
		     strncmp(p, "<6>virtio_mem virtio0: requested", 32) == 0))
			n += (size_t)snprintf(got + n, sizeof(got) - n, "%.*s\n", (int)(nl - p), p);
	}
	assert_string_equal(got, want);
	hotmem_destroy(hm);
}

/*
 * add_memory_driver_managed() goes through add_memory_resource() and its
 * probe, one per block as 6.12's fentry shows; nid -1: the kernel's nid
 * argument is the memory group's id then (MHP_NID_IS_MGID).
 */
static void test_add_memory_resource_traced(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL " memhp_default_state=online_movable");
	struct hotmem_virtio_mem *vm = probe(hm, 4 * GiB, 2 * MiB);
	struct ev_log log;

	(void)state;
	trace_log_attach(hm, &log, "add_memory_resource");
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 256 * MiB, NULL), 0);
	assert_string_equal(log.buf, "1048576:32768:-1:5:0 1081344:32768:-1:5:0");
	hotmem_destroy(hm);
}

static void test_sbm_plug_1g(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL " memhp_default_state=online_movable");
	unsigned long total = memtotal_kb(hm), free = memfree_kb(hm);
	struct hotmem_virtio_mem *vm = probe(hm, 4 * GiB, 2 * MiB);
	struct hm_block_info bi;

	(void)state;
	assert_true(info(vm).sbm);
	assert_int_equal(info(vm).sb_size, 2 * MiB);
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 1 * GiB, NULL), 0);
	assert_int_equal(info(vm).plugged_size, 1 * GiB);
	/* MemTotal grows by exactly 1 GiB; the 16 MiB memmap came out of boot RAM */
	assert_int_equal(memtotal_kb(hm) - total, 1048576);
	assert_int_equal(free + 1048576 - memfree_kb(hm), 16384);
	for (unsigned long id = 32; id < 40; id++) {
		assert_int_equal(hotmem_block_info(hm, id, &bi), 0);
		assert_int_equal(bi.state, HM_MEM_ONLINE);
		assert_int_equal(bi.zone, HM_ZONE_MOVABLE);
		assert_int_equal(bi.group, info(vm).group);
		assert_int_equal(bi.nr_vmemmap_pages, 0);
	}
	assert_int_equal(hotmem_block_info(hm, 40, &bi), -ENOENT);
	assert_true(hotmem_virtio_mem_block_plugged(vm, 511));
	assert_false(hotmem_virtio_mem_block_plugged(vm, 512));
	check(hm);
	hotmem_destroy(hm);
}

/*
 * struct hotmem_task's size_changed: each plug or unplug request of the
 * driver's run that the device ACKs, with the plugged size after it, as
 * QEMU's virtio_mem_state_change_request() notifies
 * (MEMORY_DEVICE_SIZE_CHANGE) -- one a memory block here (abuse29a N4)
 */
struct sizes_seen {
	uint64_t size[8];
	unsigned int nr;
};

static void size_seen(void *arg, uint64_t plugged_size)
{
	struct sizes_seen *seen = arg;

	if (seen->nr < 8)
		seen->size[seen->nr] = plugged_size;
	seen->nr++;
}

static void test_size_changed_each_request(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL " memhp_default_state=online_movable");
	struct hotmem_virtio_mem *vm = probe(hm, 4 * GiB, 2 * MiB);
	struct sizes_seen seen = { 0 };
	const struct hotmem_task task = { .arg = &seen, .size_changed = size_seen };

	(void)state;
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 256 * MiB, &task), 0);
	assert_int_equal(seen.nr, 2);
	assert_int_equal(seen.size[0], 128 * MiB);
	assert_int_equal(seen.size[1], 256 * MiB);
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 0, &task), 0);
	assert_int_equal(seen.nr, 4);
	assert_int_equal(seen.size[2], 128 * MiB);
	assert_int_equal(seen.size[3], 0);
	/* a run without the callback: nothing said */
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 128 * MiB, NULL), 0);
	assert_int_equal(info(vm).plugged_size, 128 * MiB);
	assert_int_equal(seen.nr, 4);
	check(hm);
	hotmem_destroy(hm);
}

/*
 * The driver's add whose memmap cannot be had says so by the kworker its
 * work runs in (system_freezable_wq, per-CPU: kworker/0:1), whoever asked
 * for the run -- here a caller whose task is the writer "bash"
 */
static void comm_bash(void *arg, char *buf, size_t len)
{
	(void)arg;
	snprintf(buf, len, "bash");
}

static void test_memmap_failure_by_the_workqueue_kworker(void **state)
{
	struct hotmem *hm = boot("qemu-512m", IDLE_KERNEL);
	struct hotmem_virtio_mem *vm = probe(hm, 1 * GiB, 2 * MiB);
	const struct hotmem_task task = { .comm = comm_bash };
	static char log[1 << 20];

	(void)state;
	/* fill the kernel zones: the memmap of the driver's first block cannot be allocated */
	while (hotmem_alloc_pages(hm, -1, HM_ALLOC_UNMOVABLE, 65536, NULL) > 0)
		;
	hotmem_virtio_mem_set_requested_size(vm, 128 * MiB, &task);
	assert_int_equal(info(vm).plugged_size, 0);
	hotmem_dmesg(hm, log, sizeof(log));
	assert_int_equal(count_lines(log, "<4>kworker/0:1: vmemmap alloc failure: order:9, mode:0x4cc0(GFP_KERNEL|__GFP_RETRY_MAYFAIL), nodemask=(null),cpuset=/,mems_allowed=0"), 1);
	check(hm);
	hotmem_destroy(hm);
}

/*
 * The fake offline's migration target that cannot be had (6.12
 * __alloc_contig_migrate_range(): alloc_migration_target() with GFP_USER |
 * __GFP_MOVABLE | __GFP_RETRY_MAYFAIL, no nodemask, no __GFP_NOWARN) is
 * the page allocator's warn_alloc(), by the driver's kworker whoever set
 * the size (abuse30b V5: "kworker/0:1: page allocation failure: order:0,
 * mode:0x144cca(...)" on a 6.12 guest shrinking into no free memory).
 */
static void test_fake_offline_target_failure_by_the_workqueue_kworker(void **state)
{
	struct hotmem *hm = boot("qemu-512m", IDLE_KERNEL " memhp_default_state=online_movable");
	struct hotmem_virtio_mem *vm = probe(hm, 1 * GiB, 2 * MiB);
	const struct hotmem_task task = { .comm = comm_bash };
	static char log[1 << 20];

	(void)state;
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 256 * MiB, &task), 0);
	while (hotmem_alloc_pages(hm, -1, HM_ALLOC_MOVABLE, 65536, NULL) > 0)
		;
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 0, &task), 0);
	assert_int_equal(info(vm).plugged_size, 256 * MiB);
	assert_int_equal(info(vm).last_err, -ENOMEM);
	hotmem_dmesg(hm, log, sizeof(log));
	assert_int_equal(count_lines(log, "<4>kworker/0:1: page allocation failure: order:0, mode:0x144cca(GFP_HIGHUSER_MOVABLE|__GFP_RETRY_MAYFAIL|__GFP_COMP), nodemask=(null),cpuset=/,mems_allowed=0\n"), 1);
	assert_null(strstr(log, "bash: page allocation failure"));
	check(hm);
	hotmem_destroy(hm);
}

/* 300 MiB: 2 whole blocks and 44 MiB of a third, whose rest is fake-offline */
static void test_sbm_partial_block_is_fake_offline(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL " memhp_default_state=online_movable");
	unsigned long total = memtotal_kb(hm);
	struct hotmem_virtio_mem *vm = probe(hm, 4 * GiB, 2 * MiB);
	const uint64_t edge = VMEM + 300 * MiB;

	(void)state;
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 300 * MiB, NULL), 0);
	assert_int_equal(info(vm).plugged_size, 300 * MiB);
	assert_int_equal(block_state(hm, 34), HM_MEM_ONLINE);
	assert_int_equal(block_state(hm, 35), -1);
	/* the unplugged 84 MiB are present but neither managed nor free */
	assert_int_equal(memtotal_kb(hm) - total, 300 * 1024);
	assert_false(pflags(hm, edge - HM_PAGE_SIZE) & (1UL << HM_PG_offline));
	assert_true(pflags(hm, edge) & (1UL << HM_PG_offline));
	assert_true(pflags(hm, VMEM + 384 * MiB - HM_PAGE_SIZE) & (1UL << HM_PG_offline));
	check(hm);
	/* explain: the fake-offline pages do not stop the block's offline */
	{
		static struct hm_explain ex;

		assert_int_equal(hotmem_explain(hm, 34, &ex), 0);
		assert_string_equal(ex.verdict, "ok");
		assert_int_equal(ex.nr_fake_offline_pages, (84 * MiB) >> HM_PAGE_SHIFT);
		assert_int_equal(ex.nr_blocking_pages, 0);
	}

	/* the partial block goes offline (the driver gives its pages up) and back */
	assert_int_equal(hotmem_block_set_state(hm, 34, HM_MMOP_OFFLINE), 0);
	assert_int_equal(memtotal_kb(hm) - total, 256 * 1024);
	check(hm);
	assert_int_equal(hotmem_block_set_state(hm, 34, HM_MMOP_ONLINE_MOVABLE), 0);
	assert_int_equal(memtotal_kb(hm) - total, 300 * 1024);
	assert_true(pflags(hm, edge) & (1UL << HM_PG_offline));
	check(hm);

	/* growing fills the partial block first: its sub-blocks go to the buddy */
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 320 * MiB, NULL), 0);
	assert_int_equal(memtotal_kb(hm) - total, 320 * 1024);
	assert_false(pflags(hm, edge) & (1UL << HM_PG_offline));
	assert_int_equal(block_state(hm, 35), -1);
	check(hm);

	/* shrinking an online Movable block: alloc_contig_range() then unplug */
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 200 * MiB, NULL), 0);
	assert_int_equal(info(vm).plugged_size, 200 * MiB);
	assert_int_equal(memtotal_kb(hm) - total, 200 * 1024);
	assert_int_equal(block_state(hm, 34), -1);	/* fully unplugged: removed */
	check(hm);
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 0, NULL), 0);
	assert_int_equal(memtotal_kb(hm), total);
	assert_int_equal(hotmem_virtio_mem_remove(vm), 0);
	check(hm);
	hotmem_destroy(hm);
}

/* default's node 0 has no Normal zone: DMA32 (ratio 256) keeps the reserve */
static unsigned long dma32_reserve_for_movable(struct hotmem *hm)
{
	struct hm_zone_info zi;

	assert_int_equal(hotmem_zone_info(hm, 0, HM_ZONE_DMA32, &zi), 0);
	return zi.lowmem_reserve[HM_ZONE_MOVABLE];
}

/* the managed pages above DMA32 over its ratio, as setup_per_zone_lowmem_reserve() */
static unsigned long reserve_due(struct hotmem *hm)
{
	struct hm_zone_info n, m;

	assert_int_equal(hotmem_zone_info(hm, 0, HM_ZONE_NORMAL, &n), 0);
	assert_int_equal(hotmem_zone_info(hm, 0, HM_ZONE_MOVABLE, &m), 0);
	return (n.managed + m.managed) / 256;
}

/*
 * lowmem_reserve[] is set by init_per_zone_wmark_min() alone (6.12
 * setup_per_zone_lowmem_reserve(): boot, online_pages(), offline_pages()):
 * sub-blocks plugged inside an online block (adjust_managed_page_count())
 * leave it as it was until the next online or offline (review15 R5: it
 * followed the managed count at each read).
 */
static void test_lowmem_reserve_set_at_online_only(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL " memhp_default_state=online_movable");
	struct hotmem_virtio_mem *vm = probe(hm, 4 * GiB, 2 * MiB);
	unsigned long r300;

	(void)state;
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 300 * MiB, NULL), 0);
	r300 = dma32_reserve_for_movable(hm);
	assert_int_equal(r300, reserve_due(hm));
	/* 20 MiB more inside block 34, already online: managed grows, the reserve stays */
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 320 * MiB, NULL), 0);
	assert_int_equal(block_state(hm, 35), -1);
	assert_true(reserve_due(hm) > r300);
	assert_int_equal(dma32_reserve_for_movable(hm), r300);
	/* an offline and an online recompute it */
	assert_int_equal(hotmem_block_set_state(hm, 34, HM_MMOP_OFFLINE), 0);
	assert_int_equal(dma32_reserve_for_movable(hm), reserve_due(hm));
	assert_int_equal(hotmem_block_set_state(hm, 34, HM_MMOP_ONLINE_MOVABLE), 0);
	assert_int_equal(dma32_reserve_for_movable(hm), reserve_due(hm));
	assert_true(dma32_reserve_for_movable(hm) > r300);
	check(hm);
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 0, NULL), 0);
	assert_int_equal(hotmem_virtio_mem_remove(vm), 0);
	hotmem_destroy(hm);
}

/* a partial block onlined later: the online_page callback keeps the unplugged part back */
static void test_sbm_offline_block_onlines_plugged_part_only(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL);
	unsigned long total = memtotal_kb(hm);
	struct hotmem_virtio_mem *vm = probe(hm, 1 * GiB, 2 * MiB);

	(void)state;
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 100 * MiB, NULL), 0);
	assert_int_equal(block_state(hm, 32), HM_MEM_OFFLINE);
	assert_int_equal(memtotal_kb(hm), total);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_KERNEL), 0);
	assert_int_equal(memtotal_kb(hm) - total, 100 * 1024);
	assert_true(pflags(hm, VMEM + 100 * MiB) & (1UL << HM_PG_offline));
	check(hm);
	/* an offline partial block shrinks without alloc_contig_range() */
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_OFFLINE), 0);
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 0, NULL), 0);
	assert_int_equal(block_state(hm, 32), -1);
	assert_int_equal(hotmem_virtio_mem_remove(vm), 0);
	check(hm);
	hotmem_destroy(hm);
}

/* unmovable pages in kernel memory: the shrink stops above requested-size and says why */
static void test_shrink_stops_at_unmovable_pages(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL " memhp_default_state=online_kernel");
	struct hotmem_virtio_mem *vm = probe(hm, 4 * GiB, 2 * MiB);
	unsigned long h1, h2, total;
	static char log[HM_DMESG_SIZE];

	(void)state;
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 512 * MiB, NULL), 0);
	total = memtotal_kb(hm);
	/* one unmovable page in each of the two highest blocks */
	assert_int_equal(hotmem_alloc_page_at(hm, (VMEM + 300 * MiB) >> HM_PAGE_SHIFT,
					      HM_ALLOC_UNMOVABLE, &h1), 0);
	assert_int_equal(hotmem_alloc_page_at(hm, (VMEM + 500 * MiB) >> HM_PAGE_SHIFT,
					      HM_ALLOC_UNMOVABLE, &h2), 0);
	/* QEMU accepted the request: not an error, plugged-size tells how far it got */
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 0, NULL), 0);
	assert_int_equal(info(vm).requested_size, 0);
	/*
	 * The sub-blocks holding them stay plugged, and so do the two of
	 * memory32 that hold the memmap of memory34 and memory35: added while
	 * memory32 was online in ZONE_NORMAL, their memmap came from it.
	 */
	for (uint64_t i = 0; i < 256; i++)
		assert_int_equal(hotmem_virtio_mem_block_plugged(vm, i),
				 i == 1 || i == 2 || i == 150 || i == 250);
	assert_int_equal(info(vm).plugged_size, 8 * MiB);
	assert_int_equal(block_state(hm, 32), HM_MEM_ONLINE);
	assert_int_equal(block_state(hm, 33), -1);
	assert_int_equal(block_state(hm, 34), HM_MEM_ONLINE);
	assert_int_equal(block_state(hm, 35), HM_MEM_ONLINE);
	assert_int_equal(total - memtotal_kb(hm), 504 * 1024);
	hotmem_dmesg(hm, log, sizeof(log));
	/* 6.12 logs nothing (it retries on its timer): where it stopped is in the info */
	assert_null(strstr(log, "cannot unplug more memory"));
	assert_int_not_equal(info(vm).busy_pfn, ~0UL);
	assert_true(hotmem_virtio_mem_block_plugged(
		vm, ((uint64_t)info(vm).busy_pfn * 4096 - info(vm).addr) / info(vm).device_block_size));
	/* alloc_contig_range() isolates without REPORT_FAILURE: no page dumped (6.12) */
	assert_null(strstr(log, "page dumped because"));
	check(hm);
	/* once freed, the retry unplugs the rest and removes the blocks */
	assert_int_equal(hotmem_free_page(hm, h1), 0);
	assert_int_equal(hotmem_free_page(hm, h2), 0);
	hotmem_virtio_mem_retry(vm, NULL);
	assert_int_equal(info(vm).plugged_size, 0);
	assert_int_equal(info(vm).busy_pfn, ~0UL); /* this run did not stop short */
	assert_int_equal(block_state(hm, 34), -1);
	assert_int_equal(block_state(hm, 35), -1);
	assert_int_equal(hotmem_virtio_mem_remove(vm), 0);
	check(hm);
	hotmem_destroy(hm);
}

/*
 * The driver's own shrink of offline memory: memory33's sub-blocks all
 * unplugged, its removal refused by the host (hotmem.max_map_count at
 * its cap; the kernel BUGs there).  The block stays added, offline with
 * nothing plugged -- not UNUSED, which the invariants refuse for an added
 * block -- and the cleanup of a later run removes it, so that growing
 * back adds it again instead of failing with EEXIST for good.
 */
static void test_shrink_removal_refused_is_retried(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL);
	struct hotmem_virtio_mem *vm = probe(hm, 1 * GiB, 2 * MiB);
	static char log[1 << 16];

	(void)state;
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 256 * MiB, NULL), 0);
	assert_int_equal(block_state(hm, 32), HM_MEM_OFFLINE);
	assert_int_equal(block_state(hm, 33), HM_MEM_OFFLINE);
	host_cap(hm, 1);
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 128 * MiB, NULL), 0);
	host_cap(hm, 0);
	hotmem_dmesg(hm, log, sizeof(log));
	assert_non_null(strstr(log, "removing offline memory block memory33 failed"));
	assert_int_equal(info(vm).plugged_size, 128 * MiB);
	assert_int_equal(block_state(hm, 33), HM_MEM_OFFLINE);
	check(hm);
	hotmem_virtio_mem_retry(vm, NULL);
	assert_int_equal(block_state(hm, 33), -1);
	check(hm);
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 256 * MiB, NULL), 0);
	assert_int_equal(info(vm).plugged_size, 256 * MiB);
	assert_int_equal(block_state(hm, 33), HM_MEM_OFFLINE);
	check(hm);
	hotmem_destroy(hm);
}

/*
 * 6.12 virtio_mem_run_wq(): "Keep retrying to offline and remove
 * completely unplugged Linux memory blocks" -- a run that reached
 * requested-size with a fully unplugged block still added (its removal
 * refused: the host's mappings at their cap) ends -EBUSY, so that the
 * caller's retry timer is armed (review14 R2); once the removal can go,
 * the next run removes it and ends 0.
 */
static void test_unplugged_block_not_removed_ends_busy(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL);
	struct hotmem_virtio_mem *vm = probe(hm, 1 * GiB, 2 * MiB);

	(void)state;
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 256 * MiB, NULL), 0);
	host_cap(hm, 1);
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 128 * MiB, NULL), 0);
	assert_int_equal(info(vm).plugged_size, 128 * MiB);
	assert_int_equal(info(vm).last_err, -EBUSY);
	assert_int_equal(hotmem_virtio_mem_retry(vm, NULL), -EBUSY);
	assert_int_equal(block_state(hm, 33), HM_MEM_OFFLINE);
	host_cap(hm, 0);
	assert_int_equal(hotmem_virtio_mem_retry(vm, NULL), 0);
	assert_int_equal(info(vm).last_err, 0);
	assert_int_equal(block_state(hm, 33), -1);
	check(hm);
	hotmem_destroy(hm);
}

/*
 * Documentation/admin-guide/mm/memory-hotplug.rst: with the default
 * auto_movable_ratio of 301%, memory of 3x the boot memory goes to
 * ZONE_MOVABLE ("hotplugging 24 GiB to a 8 GiB VM"), here 1.5 GiB to a
 * 512 MiB one; more goes to a kernel zone, and kernel memory inside a
 * dynamic memory group allows more MOVABLE memory in that group.
 */
static void test_auto_movable_with_dynamic_group(void **state)
{
	struct hotmem *hm = boot("qemu-512m", IDLE_KERNEL " memhp_default_state=online "
				 "memory_hotplug.online_policy=auto-movable");
	struct hotmem_virtio_mem *vm = probe(hm, 4 * GiB, 2 * MiB);

	(void)state;
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 1536 * MiB, NULL), 0);
	for (unsigned long id = 32; id < 44; id++)
		assert_int_equal(block_zone(hm, id), HM_ZONE_MOVABLE);
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 1664 * MiB, NULL), 0);
	assert_int_equal(block_zone(hm, 44), HM_ZONE_NORMAL);
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 2048 * MiB, NULL), 0);
	for (unsigned long id = 45; id < 48; id++)
		assert_int_equal(block_zone(hm, id), HM_ZONE_MOVABLE);
	check(hm);
	hotmem_destroy(hm);
}

/* the driver stops adding while 1 GiB (offline_threshold) of added memory is offline */
static void test_offline_threshold_stops_adding(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL);
	struct hotmem_virtio_mem *vm = probe(hm, 4 * GiB, 2 * MiB);
	static char log[HM_DMESG_SIZE];

	(void)state;
	assert_int_equal(info(vm).offline_threshold, 1 * GiB);
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 2 * GiB, NULL), 0);
	assert_int_equal(info(vm).plugged_size, 1 * GiB);
	assert_int_equal(info(vm).requested_size, 2 * GiB);
	/* -ENOSPC: no retry; 6.12 says nothing, hotmem_virtio_mem_info() why */
	assert_int_equal(info(vm).last_err, -ENOSPC);
	assert_true(info(vm).offline_blocked);
	hotmem_dmesg(hm, log, sizeof(log));
	assert_null(strstr(log, "cannot add more memory"));
	assert_false(info(vm).work_pending);
	/* half the threshold online again: the memory notifier queued the driver's work */
	assert_int_equal(hotmem_online_blocks(hm, 32, 8, HM_MMOP_ONLINE_MOVABLE), 0);
	assert_true(info(vm).work_pending);
	hotmem_virtio_mem_retry(vm, NULL);
	assert_false(info(vm).work_pending);
	assert_int_equal(info(vm).plugged_size, 2 * GiB);
	check(hm);
	hotmem_destroy(hm);
}

/* a region with no whole memory block left: -ENOSPC, not the offline threshold's */
static void test_region_full_is_no_threshold(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL " memhp_default_state=online_movable");
	struct hotmem_virtio_mem *vm = probe(hm, 1 * GiB + 64 * MiB, 2 * MiB);
	static char log[HM_DMESG_SIZE];

	(void)state;
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 1 * GiB + 64 * MiB, NULL), 0);
	assert_int_equal(info(vm).plugged_size, 1 * GiB);
	assert_int_equal(info(vm).last_err, -ENOSPC);
	assert_false(info(vm).offline_blocked);
	hotmem_dmesg(hm, log, sizeof(log));
	assert_null(strstr(log, "cannot add more memory"));
	check(hm);
	hotmem_destroy(hm);
}

/*
 * virtio_mem.unplug_online=0: a shrink unplugs offline memory only, with
 * nothing busy to say, and a memory block of the device going offline
 * queues the driver's work (its memory notifier's MEM_OFFLINE:
 * virtio_mem_retry()), which unplugs and removes it.  The memory the
 * driver's own work adds and onlines queues nothing (wq_active).  Set to
 * 1 at run time (the parameter is 0644), an offline queues nothing and a
 * retry unplugs what the request still wants.
 */
static void test_unplug_online_off_retries_on_offline(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL " memhp_default_state=online_movable "
				 "virtio_mem.unplug_online=0");
	struct hotmem_virtio_mem *vm = probe(hm, 1 * GiB, 2 * MiB);
	static char log[HM_DMESG_SIZE];

	(void)state;
	assert_false(hotmem_get_virtio_mem_unplug_online(hm));
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 512 * MiB, NULL), 0);
	assert_int_equal(block_state(hm, 35), HM_MEM_ONLINE);
	assert_false(info(vm).work_pending);
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 256 * MiB, NULL), 0);
	assert_int_equal(info(vm).plugged_size, 512 * MiB);
	hotmem_dmesg(hm, log, sizeof(log));
	/* 6.12 says nothing of it: the run ended well, MEM_OFFLINE retries */
	assert_null(strstr(log, "online memory is not unplugged"));
	assert_null(strstr(log, "cannot unplug more memory"));
	assert_int_equal(info(vm).last_err, 0);
	assert_int_equal(hotmem_block_set_state(hm, 35, HM_MMOP_OFFLINE), 0);
	assert_true(info(vm).work_pending);
	hotmem_virtio_mem_retry(vm, NULL);
	assert_false(info(vm).work_pending);
	assert_int_equal(info(vm).plugged_size, 384 * MiB);
	assert_int_equal(block_state(hm, 35), -1);
	assert_int_equal(block_state(hm, 34), HM_MEM_ONLINE);
	check(hm);
	assert_int_equal(hotmem_set_virtio_mem_unplug_online(hm, true), 0);
	assert_int_equal(hotmem_block_set_state(hm, 34, HM_MMOP_OFFLINE), 0);
	assert_false(info(vm).work_pending);
	hotmem_virtio_mem_retry(vm, NULL);
	assert_int_equal(info(vm).plugged_size, 256 * MiB);
	assert_int_equal(block_state(hm, 34), -1);
	check(hm);
	hotmem_destroy(hm);
}

/* the same in Big Block Mode: a big block goes once all of it is offline */
static void test_bbm_unplug_online_off_retries_on_offline(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL " memhp_default_state=online_movable "
				 "virtio_mem.unplug_online=0");
	struct hotmem_virtio_mem *vm = probe(hm, 2 * GiB, 256 * MiB);

	(void)state;
	assert_false(info(vm).sbm);
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 512 * MiB, NULL), 0);
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 256 * MiB, NULL), 0);
	assert_int_equal(info(vm).plugged_size, 512 * MiB);
	assert_int_equal(hotmem_block_set_state(hm, 35, HM_MMOP_OFFLINE), 0);
	assert_true(info(vm).work_pending);
	hotmem_virtio_mem_retry(vm, NULL);
	/* memory34, of the same big block, is still online */
	assert_int_equal(info(vm).plugged_size, 512 * MiB);
	assert_int_equal(hotmem_block_set_state(hm, 34, HM_MMOP_OFFLINE), 0);
	assert_true(info(vm).work_pending);
	hotmem_virtio_mem_retry(vm, NULL);
	assert_int_equal(info(vm).plugged_size, 256 * MiB);
	assert_int_equal(block_state(hm, 34), -1);
	assert_int_equal(block_state(hm, 35), -1);
	assert_int_equal(block_state(hm, 33), HM_MEM_ONLINE);
	check(hm);
	hotmem_destroy(hm);
}

/* device blocks of a memory block or more: Big Block Mode */
static void test_bbm_plugs_whole_big_blocks(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL " memhp_default_state=online_movable");
	struct hotmem_virtio_mem *vm = probe(hm, 2 * GiB, 256 * MiB);
	unsigned long total = memtotal_kb(hm);

	(void)state;
	assert_false(info(vm).sbm);
	assert_int_equal(info(vm).sb_size, 256 * MiB);
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 100 * MiB, NULL), -EINVAL);
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 512 * MiB, NULL), 0);
	assert_int_equal(memtotal_kb(hm) - total, 512 * 1024);
	assert_int_equal(block_state(hm, 35), HM_MEM_ONLINE);
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 256 * MiB, NULL), 0);
	assert_int_equal(block_state(hm, 34), -1);
	assert_int_equal(block_state(hm, 33), HM_MEM_ONLINE);
	assert_int_equal(memtotal_kb(hm) - total, 256 * 1024);
	check(hm);
	hotmem_destroy(hm);
}

/*
 * virtio_mem.force_bbm: Big Block Mode for a device whose 2 MiB blocks
 * would be sub-blocks, its big blocks a memory block, or
 * virtio_mem.bbm_block_size's; one smaller than a memory block, or not
 * a power of 2, is warned about and ignored (virtio_mem_init_hotplug(),
 * 6.12).  Without force_bbm such a device stays in Sub Block Mode.
 */
static void test_force_bbm_and_bbm_block_size(void **state)
{
	static const struct {
		const char *cmdline;
		bool sbm;
		uint64_t unit;
		const char *warned;
	} cases[] = {
		{ "", true, 2 * MiB, NULL },
		{ "virtio_mem.bbm_block_size=0x20000000", true, 2 * MiB, NULL },
		{ "virtio_mem.bbm_block_size=3000000", true, 2 * MiB, NULL },
		{ "virtio_mem.force_bbm", false, 128 * MiB, NULL },
		{ "virtio_mem.force_bbm=1 virtio_mem.bbm_block_size=0x20000000", false, 512 * MiB, NULL },
		{ "virtio_mem.force_bbm=y virtio_mem.bbm_block_size=67108864", false, 128 * MiB,
		  "too small" },
		{ "virtio_mem.force_bbm virtio_mem.bbm_block_size=0x30000000", false, 128 * MiB,
		  "not a power of 2" },
	};
	static char log[1 << 16];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char cmdline[256];
		struct hotmem *hm;
		struct hotmem_virtio_mem *vm;

		snprintf(cmdline, sizeof(cmdline), IDLE_KERNEL " memhp_default_state=online_movable %s",
			 cases[i].cmdline);
		hm = boot("default", cmdline);
		vm = probe(hm, 2 * GiB, 2 * MiB);
		assert_int_equal(info(vm).sbm, cases[i].sbm);
		assert_int_equal(info(vm).sb_size, cases[i].unit);
		hotmem_dmesg(hm, log, sizeof(log));
		/* 6.12 virtio_mem_init_hotplug() says it in either mode (usereye5 #8e) */
		assert_non_null(strstr(log, "virtio_mem virtio0: memory block size: 0x8000000\n"));
		assert_int_equal(strstr(log, "virtio_mem virtio0: bbm_block_size is too small") != NULL,
				 cases[i].warned && !strcmp(cases[i].warned, "too small"));
		assert_int_equal(strstr(log, "virtio_mem virtio0: bbm_block_size is not a power of 2") !=
					 NULL,
				 cases[i].warned && !strcmp(cases[i].warned, "not a power of 2"));
		assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 512 * MiB, NULL), 0);
		assert_int_equal(info(vm).plugged_size, 512 * MiB);
		assert_int_equal(info(vm).added_size, 512 * MiB);
		assert_int_equal(block_state(hm, 35), HM_MEM_ONLINE);
		assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, cases[i].sbm ? 386 * MiB : 0,
								  NULL), 0);
		/* SBM: memory35 partly unplugged, still added; BBM: all of it gone */
		assert_int_equal(info(vm).added_size, cases[i].sbm ? 512 * MiB : 0);
		check(hm);
		hotmem_destroy(hm);
	}
}

/*
 * A saved machine's leftover memory block (its sub-blocks all unplugged,
 * its removal refused) comes back as such: added, nothing plugged;
 * online, none of its memory reaches the buddy; the driver's next run
 * removes it (virtio_mem_cleanup_pending_mb()).
 */
static void test_restore_leftover(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL " memhp_default_state=online_movable");
	struct hotmem_virtio_mem *vm = probe(hm, 1 * GiB, 2 * MiB), *bbm;
	unsigned long total;

	(void)state;
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 256 * MiB, NULL), 0);
	total = memtotal_kb(hm);
	assert_int_equal(hotmem_virtio_mem_restore_leftover(vm, 32), -EEXIST);
	assert_int_equal(hotmem_virtio_mem_restore_leftover(vm, 31), -EINVAL);
	assert_int_equal(hotmem_virtio_mem_restore_leftover(vm, 40), -EINVAL);
	assert_int_equal(hotmem_virtio_mem_restore_leftover(vm, 35), 0);
	/* added as the driver adds memory: auto-onlined (online_movable) */
	assert_int_equal(block_state(hm, 35), HM_MEM_ONLINE);
	assert_int_equal(block_state(hm, 34), -1);
	assert_int_equal(info(vm).plugged_size, 256 * MiB);
	assert_int_equal(info(vm).added_size, 384 * MiB);
	assert_false(hotmem_virtio_mem_block_plugged(vm, 3 * 64));
	assert_int_equal(hotmem_virtio_mem_restore_leftover(vm, 35), -EEXIST);
	assert_int_equal(memtotal_kb(hm), total);
	check(hm);
	hotmem_virtio_mem_retry(vm, NULL);
	assert_int_equal(block_state(hm, 35), -1);
	assert_int_equal(info(vm).added_size, 256 * MiB);
	assert_int_equal(info(vm).plugged_size, 256 * MiB);
	check(hm);
	/* growing plugs memory34 first, then 35 again, as if nothing had been there */
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 512 * MiB, NULL), 0);
	assert_int_equal(block_state(hm, 35), HM_MEM_ONLINE);
	check(hm);
	hotmem_destroy(hm);

	hm = boot("default", IDLE_KERNEL);
	bbm = probe(hm, 1 * GiB, 128 * MiB);
	assert_int_equal(hotmem_virtio_mem_restore_leftover(bbm, 33), -EINVAL);
	hotmem_destroy(hm);
}

/* restoring a saved device plugs exactly the same sub-blocks */
static void test_restore_plugged_exactly(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL " memhp_default_state=online_movable");
	struct hotmem_virtio_mem *vm = probe(hm, 1 * GiB, 2 * MiB);
	unsigned long total = memtotal_kb(hm);

	(void)state;
	/* device blocks 0-63 (memory32) and 70-74 (part of memory33) */
	assert_int_equal(hotmem_virtio_mem_restore_plugged(vm, 0, 64), 0);
	assert_int_equal(hotmem_virtio_mem_restore_plugged(vm, 70, 5), 0);
	assert_int_equal(hotmem_virtio_mem_restore_plugged(vm, 72, 1), -EEXIST);
	assert_int_equal(hotmem_virtio_mem_restore_plugged(vm, 500, 100), -EINVAL);
	assert_int_equal(info(vm).plugged_size, 138 * MiB);
	assert_int_equal(memtotal_kb(hm) - total, 138 * 1024);
	for (uint64_t i = 0; i < 512; i++)
		assert_int_equal(hotmem_virtio_mem_block_plugged(vm, i), i < 64 || (i >= 70 && i < 75));
	assert_true(pflags(hm, VMEM + 128 * MiB) & (1UL << HM_PG_offline));
	assert_false(pflags(hm, VMEM + 140 * MiB) & (1UL << HM_PG_offline));
	check(hm);
	hotmem_destroy(hm);
}

/*
 * The inverse of a restore, for an undo: exactly the device blocks asked,
 * online memory of them fake-offlined, a memory block left with nothing
 * plugged removed; a refusal changes nothing
 */
static void test_unplug_exact(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL " memhp_default_state=online_movable");
	struct hotmem_virtio_mem *vm = probe(hm, 1 * GiB, 2 * MiB);
	unsigned long total = memtotal_kb(hm);

	(void)state;
	assert_int_equal(hotmem_virtio_mem_restore_plugged(vm, 0, 64), 0);
	assert_int_equal(hotmem_virtio_mem_restore_plugged(vm, 64, 64), 0);
	assert_int_equal(hotmem_virtio_mem_restore_plugged(vm, 130, 4), 0);
	assert_int_equal(block_state(hm, 33), HM_MEM_ONLINE);
	/* refused, nothing changed: not all plugged, outside the region */
	assert_int_equal(hotmem_virtio_mem_unplug_exact(vm, 126, 5), -ENOENT);
	assert_int_equal(hotmem_virtio_mem_unplug_exact(vm, 500, 100), -EINVAL);
	assert_int_equal(info(vm).plugged_size, 264 * MiB);
	/* memory33 whole (online): offlined and removed; part of memory34 */
	assert_int_equal(hotmem_virtio_mem_unplug_exact(vm, 64, 64), 0);
	assert_int_equal(hotmem_virtio_mem_unplug_exact(vm, 131, 2), 0);
	assert_int_equal(info(vm).plugged_size, 132 * MiB);
	assert_int_equal(memtotal_kb(hm) - total, 132 * 1024);
	assert_int_equal(block_state(hm, 32), HM_MEM_ONLINE);
	assert_int_equal(block_state(hm, 33), -1);
	assert_int_equal(block_state(hm, 34), HM_MEM_ONLINE);
	for (uint64_t i = 0; i < 512; i++)
		assert_int_equal(hotmem_virtio_mem_block_plugged(vm, i),
				 i < 64 || i == 130 || i == 133);
	assert_true(pflags(hm, VMEM + 262 * MiB) & (1UL << HM_PG_offline));
	check(hm);
	hotmem_destroy(hm);
}

/*
 * The machine of the exact unplugs refused half way: a 1 GiB device of
 * 2 MiB blocks with device blocks 0-127 plugged, memory32 offline and
 * memory33 online in Normal with an unmovable page (*@h), which an
 * unplug of memory33 cannot move.
 */
static struct hotmem_virtio_mem *plugged_with_unmovable(struct hotmem **hm, unsigned long *h)
{
	struct hotmem_virtio_mem *vm;

	*hm = boot("default", IDLE_KERNEL);
	vm = probe(*hm, 1 * GiB, 2 * MiB);
	assert_int_equal(hotmem_virtio_mem_restore_plugged(vm, 0, 128), 0);
	assert_int_equal(hotmem_block_set_state(*hm, 33, HM_MMOP_ONLINE_KERNEL), 0);
	assert_int_equal(hotmem_alloc_page_at(*hm, (VMEM + 200 * MiB) >> HM_PAGE_SHIFT,
					      HM_ALLOC_UNMOVABLE, h), 0);
	return vm;
}

/*
 * A step refused (an unmovable page in the second memory block, online in
 * Normal): the first one (offline), unplugged already, is plugged back,
 * and the machine is as it was
 */
static void test_unplug_exact_refused_plugs_back(void **state)
{
	struct hotmem *hm;
	unsigned long total, h;
	struct hotmem_virtio_mem *vm = plugged_with_unmovable(&hm, &h);

	(void)state;
	total = memtotal_kb(hm);
	assert_int_equal(hotmem_virtio_mem_unplug_exact(vm, 0, 128), -EBUSY);
	assert_int_equal(info(vm).plugged_size, 256 * MiB);
	assert_int_equal(info(vm).requested_size, 0);
	assert_int_equal(memtotal_kb(hm), total);
	for (uint64_t i = 0; i < 512; i++)
		assert_int_equal(hotmem_virtio_mem_block_plugged(vm, i), i < 128);
	assert_int_equal(block_state(hm, 32), HM_MEM_OFFLINE);
	assert_int_equal(block_state(hm, 33), HM_MEM_ONLINE);
	check(hm);
	assert_int_equal(hotmem_free_page(hm, h), 0);
	hotmem_destroy(hm);
}

/*
 * memory32 unplugged and removed, then a step refused (EBUSY: an
 * unmovable page in memory33, online in Normal), with the host at its
 * cap (hotmem.max_map_count): the re-add that plugs memory32 back is an
 * undo and takes the host mappings kept for undo, which the removal made
 * room for -- it would be refused otherwise, as an add is.  The device
 * and the machine are as they were (but for where memory32's memmap is).
 */
static void test_unplug_exact_plug_back_takes_the_undo_reserve(void **state)
{
	struct hotmem *hm;
	unsigned long h, total;
	struct hotmem_virtio_mem *vm = plugged_with_unmovable(&hm, &h);

	(void)state;
	total = memtotal_kb(hm);
	host_cap(hm, 4);
	assert_int_equal(hotmem_virtio_mem_unplug_exact(vm, 0, 128), -EBUSY);
	host_cap(hm, 0);
	/* re-added, memory32's memmap comes from memory33 now: the free pages differ */
	assert_int_equal(memtotal_kb(hm), total);
	assert_int_equal(block_state(hm, 32), HM_MEM_OFFLINE);
	assert_int_equal(block_state(hm, 33), HM_MEM_ONLINE);
	for (uint64_t i = 0; i < 512; i++)
		assert_int_equal(hotmem_virtio_mem_block_plugged(vm, i), i < 128);
	check(hm);
	assert_int_equal(hotmem_free_page(hm, h), 0);
	hotmem_destroy(hm);
}

/*
 * As above, the host refusing every mapping from the nth allocation on,
 * each n in turn: whenever the plug-back is refused too, the exact unplug
 * says so (ENOTRECOVERABLE, "back failed" in the log), not with the
 * step's error that promises the device as it was; the device and the
 * machine agree (memory32 there exactly when its device blocks are
 * plugged) and the invariants hold.  Otherwise the device is as it was.
 */
static void test_unplug_exact_plug_back_refused_is_said(void **state)
{
	static char log[1 << 16];
	unsigned long said = 0;

	(void)state;
	for (unsigned long nth = 1;; nth++) {
		struct hotmem *hm;
		unsigned long h, calls;
		struct hotmem_virtio_mem *vm = plugged_with_unmovable(&hm, &h);
		bool back;
		int rc;

		calls = hotmem_alloc_calls(hm);
		hotmem_fail_nth_alloc(hm, nth);
		hm->fail_more = ~0UL >> 1;
		rc = hotmem_virtio_mem_unplug_exact(vm, 0, 128);
		hotmem_fail_nth_alloc(hm, 0);
		hm->fail_more = 0;
		hotmem_dmesg(hm, log, sizeof(log));
		back = strstr(log, "back failed") != NULL;
		assert_int_equal(rc == -ENOTRECOVERABLE, back);
		if (back) {
			said++;
		} else {
			assert_true(rc == -EBUSY || rc == -ENOMEM);
			assert_int_equal(info(vm).plugged_size, 256 * MiB);
		}
		for (uint64_t i = 0; i < 128; i++)
			assert_int_equal(hotmem_virtio_mem_block_plugged(vm, i),
					 block_state(hm, 32 + i / 64) >= 0);
		check(hm);
		assert_int_equal(hotmem_free_page(hm, h), 0);
		calls = hotmem_alloc_calls(hm) - calls;
		hotmem_destroy(hm);
		if (calls < nth)
			break;
	}
	assert_true(said > 0);
}

/*
 * A memory block's removal refused by the host after the step's
 * sub-blocks were unplugged (a removal's unmaps would cross
 * vm.max_map_count: hotmem.max_map_count plays a host at its cap):
 * refused with ENOMEM, the device and the machine are as they were -- that
 * step's sub-blocks plugged back too, not only the steps before it -- and
 * with room again the same unplug goes through.  Memory block 33 offline
 * (the kernel BUGs when its removal fails), or online
 * (offline_and_remove_memory(), which onlines it again).
 */
static void test_unplug_exact_removal_refused_plugs_back(void **state)
{
	static struct hm_snapshot before, after;
	static char log[1 << 16];

	(void)state;
	for (int online = 0; online < 2; online++) {
		struct hotmem *hm = boot("default", IDLE_KERNEL);
		struct hotmem_virtio_mem *vm = probe(hm, 1 * GiB, 2 * MiB);

		assert_int_equal(hotmem_virtio_mem_restore_plugged(vm, 0, 128), 0);
		assert_int_equal(hotmem_virtio_mem_restore_plugged(vm, 130, 4), 0);
		if (online)
			assert_int_equal(hotmem_block_set_state(hm, 33, HM_MMOP_ONLINE_MOVABLE), 0);
		snapshot(hm, &before);
		/* no room for the removal's 4 mappings */
		host_cap(hm, 1);
		assert_int_equal(hotmem_virtio_mem_unplug_exact(vm, 64, 64), -ENOMEM);
		host_cap(hm, 0);
		hotmem_dmesg(hm, log, sizeof(log));
		assert_non_null(strstr(log, "removing the memory needs up to"));
		assert_non_null(strstr(log, "are plugged back"));
		assert_int_equal(info(vm).plugged_size, 264 * MiB);
		for (uint64_t i = 0; i < 512; i++)
			assert_int_equal(hotmem_virtio_mem_block_plugged(vm, i),
					 i < 128 || (i >= 130 && i < 134));
		snapshot(hm, &after);
		assert_same(&before, &after);
		assert_int_equal(block_state(hm, 33), online ? HM_MEM_ONLINE : HM_MEM_OFFLINE);
		check(hm);
		assert_int_equal(hotmem_virtio_mem_unplug_exact(vm, 64, 64), 0);
		assert_int_equal(info(vm).plugged_size, 136 * MiB);
		assert_int_equal(block_state(hm, 33), -1);
		check(hm);
		hotmem_destroy(hm);
	}
}

/*
 * Big Block Mode: a big block is removed before it is unplugged, so a
 * removal the host refuses leaves it plugged and added as it was
 */
static void test_unplug_exact_bbm_removal_refused(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL " memhp_default_state=online_movable");
	struct hotmem_virtio_mem *vm = probe(hm, 2 * GiB, 256 * MiB);
	static struct hm_snapshot before, after;

	(void)state;
	assert_false(info(vm).sbm);
	assert_int_equal(hotmem_virtio_mem_restore_plugged(vm, 0, 2), 0);
	snapshot(hm, &before);
	host_cap(hm, 1);
	assert_int_equal(hotmem_virtio_mem_unplug_exact(vm, 1, 1), -ENOMEM);
	host_cap(hm, 0);
	assert_int_equal(info(vm).plugged_size, 512 * MiB);
	snapshot(hm, &after);
	assert_same(&before, &after);
	check(hm);
	assert_int_equal(hotmem_virtio_mem_unplug_exact(vm, 1, 1), 0);
	assert_int_equal(info(vm).plugged_size, 256 * MiB);
	check(hm);
	hotmem_destroy(hm);
}

/*
 * Device blocks of 1 MiB, sub-blocks of 2 MiB (a pageblock): a restore or
 * exact unplug of half a sub-block is refused with EINVAL, changes
 * nothing, and the log says why
 */
static void test_restore_and_unplug_want_whole_sub_blocks(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL);
	struct hotmem_virtio_mem *vm = probe(hm, 1 * GiB, 1 * MiB);
	static char log[1 << 16];

	(void)state;
	assert_int_equal(info(vm).sb_size, 2 * MiB);
	assert_int_equal(hotmem_virtio_mem_restore_plugged(vm, 1, 2), -EINVAL);
	assert_int_equal(info(vm).plugged_size, 0);
	assert_int_equal(hotmem_virtio_mem_restore_plugged(vm, 0, 4), 0);
	assert_int_equal(hotmem_virtio_mem_unplug_exact(vm, 0, 1), -EINVAL);
	assert_int_equal(info(vm).plugged_size, 4 * MiB);
	hotmem_dmesg(hm, log, sizeof(log));
	assert_non_null(strstr(log, "restore of [0x100100000-0x1002fffff] refused: "
				    "not whole sub-blocks of 2048 KiB"));
	assert_non_null(strstr(log, "exact unplug of [0x100000000-0x1000fffff] refused"));
	check(hm);
	hotmem_destroy(hm);
}

static void test_probe_refuses_bad_devices(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL);
	struct hotmem_virtio_mem *vm;

	(void)state;
	assert_int_equal(hotmem_virtio_mem_probe(hm, 0, VMEM, 1 * GiB, 3 * MiB, &vm), -EINVAL);
	assert_int_equal(hotmem_virtio_mem_probe(hm, 0, VMEM + 4096, 1 * GiB, 2 * MiB, &vm), -EINVAL);
	assert_int_equal(hotmem_virtio_mem_probe(hm, 9, VMEM, 1 * GiB, 2 * MiB, &vm), -EINVAL);
	check(hm);
	hotmem_destroy(hm);
}

/* the lines of @log that start with @prefix, in order, into @out */
static void log_lines(const char *log, const char *prefix, char *out, size_t outlen)
{
	size_t n = 0;

	out[0] = '\0';
	for (const char *p = log, *nl; (nl = strchr(p, '\n')); p = nl + 1)
		if (!strncmp(p, prefix, strlen(prefix)))
			n += (size_t)snprintf(out + n, outlen - n, "%.*s\n", (int)(nl - p), p);
}

/*
 * A config read early (abuse30b V1: 6.12's work reads a qom-set's config,
 * and logs the sizes, before it blocks behind an offline): the two lines
 * at once, the plugged size the driver has, nothing changed; the run that
 * then takes the value (update_config_read) says no sizes again, a plain
 * update_config's run does
 */
static void test_config_read_early(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL " memhp_default_state=online_movable");
	struct hotmem_virtio_mem *vm = probe(hm, 1 * GiB, 2 * MiB);
	static char log[HM_DMESG_SIZE];
	size_t mark;

	(void)state;
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 256 * MiB, NULL), 0);
	mark = hotmem_dmesg(hm, log, sizeof(log));
	assert_true(mark < sizeof(log) / 2); /* the ring has not wrapped: offsets hold */
	assert_int_equal(hotmem_virtio_mem_config_read_early(vm, 128 * MiB), 0);
	hotmem_dmesg(hm, log, sizeof(log));
	assert_string_equal(log + mark, "<6>virtio_mem virtio0: plugged size: 0x10000000\n"
					"<6>virtio_mem virtio0: requested size: 0x8000000\n");
	assert_int_equal(info(vm).requested_size, 256 * MiB);
	assert_int_equal(info(vm).plugged_size, 256 * MiB);
	mark = hotmem_dmesg(hm, log, sizeof(log));
	assert_int_equal(hotmem_virtio_mem_update_config_read(vm, 128 * MiB), 0);
	hotmem_virtio_mem_retry(vm, NULL);
	assert_int_equal(info(vm).plugged_size, 128 * MiB);
	hotmem_dmesg(hm, log, sizeof(log));
	assert_null(strstr(log + mark, " size: 0x"));
	assert_int_equal(hotmem_virtio_mem_update_config(vm, 64 * MiB), 0);
	hotmem_virtio_mem_retry(vm, NULL);
	hotmem_dmesg(hm, log, sizeof(log));
	assert_non_null(strstr(log + mark, "<6>virtio_mem virtio0: requested size: 0x4000000\n"));
	check(hm);
	hotmem_destroy(hm);
}

/*
 * A region holding no whole memory block (abuse30b V2: QEMU 7.2 realizes
 * a 100M or a badly aligned device, 6.12 probes it): probed with 6.12's
 * lines in its order -- virtio_mem_init()'s, then virtio_mem_init_hotplug()'s
 * "bad device setup - warn only" warnings -- its requested-size accepted,
 * a plug ending in virtio_mem_sbm_prepare_next_mb()'s -ENOSPC, silent:
 * nothing plugged, nothing added, no retry.  Until 2026-12-02 the probe
 * failed -ENOSPC and the device_add with it.
 */
static void test_probe_region_without_whole_block(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL " memhp_default_state=online_movable");
	struct hotmem_virtio_mem *a = NULL, *b = NULL;
	static char log[HM_DMESG_SIZE];
	char got[2048];
	const char *want =
		"<6>virtio_mem virtio0: start address: 0x100000000\n"
		"<6>virtio_mem virtio0: region size: 0x6400000\n"
		"<6>virtio_mem virtio0: device block size: 0x200000\n"
		"<6>virtio_mem virtio0: nid: 0\n"
		"<4>virtio_mem virtio0: The alignment of the physical end address can make some memory unusable.\n"
		"<6>virtio_mem virtio0: memory block size: 0x8000000\n"
		"<6>virtio_mem virtio0: subblock size: 0x200000\n"
		"<6>virtio_mem virtio0: plugged size: 0x0\n"
		"<6>virtio_mem virtio0: requested size: 0x6400000\n";

	(void)state;
	/* 100M at 4 GiB: memory32 is not whole in it */
	assert_int_equal(hotmem_virtio_mem_probe(hm, 0, VMEM, 100 * MiB, 2 * MiB, &a), 0);
	assert_int_equal(hotmem_virtio_mem_set_requested_size(a, 100 * MiB, NULL), 0);
	assert_int_equal(info(a).requested_size, 100 * MiB);
	assert_int_equal(info(a).plugged_size, 0);
	assert_int_equal(info(a).added_size, 0);
	assert_int_equal(info(a).last_err, -ENOSPC);
	assert_false(info(a).offline_blocked);
	assert_false(info(a).work_pending);
	assert_int_equal(block_state(hm, 32), -1);
	hotmem_dmesg(hm, log, sizeof(log));
	log_lines(log, "<", got, sizeof(got));
	assert_non_null(strstr(got, want));
	assert_null(strstr(log, "virtio0: adding memory"));
	/* 128M across memory33 and memory34: neither whole in it, start and end said */
	assert_int_equal(hotmem_virtio_mem_probe(hm, 0, VMEM + 128 * MiB + 64 * MiB, 128 * MiB,
						 2 * MiB, &b), 0);
	assert_int_equal(hotmem_virtio_mem_set_requested_size(b, 128 * MiB, NULL), 0);
	assert_int_equal(info(b).plugged_size, 0);
	assert_int_equal(info(b).last_err, -ENOSPC);
	hotmem_dmesg(hm, log, sizeof(log));
	assert_non_null(strstr(log, "virtio_mem virtio1: The alignment of the physical start address can make some memory unusable.\n"
				    "<4>virtio_mem virtio1: The alignment of the physical end address"));
	/* asked for nothing again, then removed: it held nothing */
	assert_int_equal(hotmem_virtio_mem_set_requested_size(a, 0, NULL), 0);
	assert_int_equal(info(a).last_err, 0);
	assert_int_equal(hotmem_virtio_mem_remove(a), 0);
	assert_int_equal(hotmem_virtio_mem_set_requested_size(b, 0, NULL), 0);
	assert_int_equal(hotmem_virtio_mem_remove(b), 0);
	check(hm);
	hotmem_destroy(hm);
}

/*
 * Big Block Mode likewise, under virtio_mem.bbm_block_size=1G: a 1G region
 * at 4.5 GiB holds no whole big block.  (A 512M region asks for less than
 * a big block: 6.12's virtio_mem_bbm_plug_request() has nothing to do.)
 */
static void test_probe_region_without_whole_big_block(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL " memhp_default_state=online_movable "
				 "virtio_mem.force_bbm virtio_mem.bbm_block_size=0x40000000");
	struct hotmem_virtio_mem *vm = NULL;
	static char log[HM_DMESG_SIZE];

	(void)state;
	assert_int_equal(hotmem_virtio_mem_probe(hm, 0, VMEM + 512 * MiB, 1 * GiB, 2 * MiB, &vm), 0);
	assert_false(info(vm).sbm);
	assert_int_equal(info(vm).sb_size, 1 * GiB);
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 1 * GiB, NULL), 0);
	assert_int_equal(info(vm).plugged_size, 0);
	assert_int_equal(info(vm).last_err, -ENOSPC);
	assert_false(info(vm).offline_blocked);
	assert_int_equal(block_state(hm, 36), -1);
	hotmem_dmesg(hm, log, sizeof(log));
	assert_non_null(strstr(log, "<6>virtio_mem virtio0: big block size: 0x40000000\n"));
	assert_non_null(strstr(log, "<6>virtio_mem virtio0: requested size: 0x40000000\n"));
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 0, NULL), 0);
	assert_int_equal(hotmem_virtio_mem_remove(vm), 0);
	check(hm);
	hotmem_destroy(hm);
}

/*
 * virtio_index_ida: a probe takes the lowest free index, a restart's the
 * one it had (abuse25b C3); one another device has is -EEXIST, nothing
 * changed
 */
static void test_probe_index(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL);
	struct hotmem_virtio_mem *a = probe(hm, 1 * GiB, 2 * MiB), *b = NULL, *c = NULL;

	(void)state;
	assert_int_equal(info(a).index, 0);
	assert_int_equal(hotmem_virtio_mem_probe_index(hm, 0, VMEM + 2 * GiB, 1 * GiB, 2 * MiB, 2,
						       &b), 0);
	assert_int_equal(info(b).index, 2);
	assert_int_equal(hotmem_virtio_mem_probe_index(hm, 0, VMEM + 4 * GiB, 1 * GiB, 2 * MiB, 2,
						       &c), -EEXIST);
	assert_null(c);
	/* the lowest free: 1, between them */
	assert_int_equal(hotmem_virtio_mem_probe(hm, 0, VMEM + 4 * GiB, 1 * GiB, 2 * MiB, &c), 0);
	assert_int_equal(info(c).index, 1);
	check(hm);
	hotmem_destroy(hm);
}

/* a refused restore changes nothing, even when the run's first blocks could be plugged */
static void test_restore_refused_changes_nothing(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL " memhp_default_state=online_movable");
	/* 1 GiB + 64 MiB: the last 64 MiB make no whole memory block, unusable */
	struct hotmem_virtio_mem *vm = probe(hm, 1088 * MiB, 2 * MiB);
	unsigned long total = memtotal_kb(hm);
	static char log[HM_DMESG_SIZE];

	(void)state;
	hotmem_dmesg(hm, log, sizeof(log));
	assert_non_null(strstr(log, "virtio_mem virtio0: The alignment of the physical end address can make some memory unusable."));
	assert_int_equal(hotmem_virtio_mem_restore_plugged(vm, 100, 5), 0);
	/* memory32 could be plugged, then 100-101 in memory33 are plugged already */
	assert_int_equal(hotmem_virtio_mem_restore_plugged(vm, 0, 102), -EEXIST);
	/* memory39 could be plugged, then the unusable tail */
	assert_int_equal(hotmem_virtio_mem_restore_plugged(vm, 480, 64), -EINVAL);
	assert_int_equal(info(vm).plugged_size, 10 * MiB);
	assert_int_equal(memtotal_kb(hm) - total, 10 * 1024);
	assert_int_equal(block_state(hm, 32), -1);
	assert_int_equal(block_state(hm, 39), -1);
	for (uint64_t i = 0; i < 544; i++)
		assert_int_equal(hotmem_virtio_mem_block_plugged(vm, i), i >= 100 && i < 105);
	check(hm);
	hotmem_destroy(hm);
}

/* restore device blocks 60-69 (the end of memory32, the start of memory33), the @nth allocation failing */
static int restore_failing(unsigned long nth, unsigned long *calls)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL " memhp_default_state=online_movable");
	struct hotmem_virtio_mem *vm = probe(hm, 1 * GiB, 2 * MiB);
	const unsigned long total = memtotal_kb(hm), free = memfree_kb(hm);
	const unsigned long calls0 = hotmem_alloc_calls(hm);
	int rc;

	hotmem_fail_nth_alloc(hm, nth);
	rc = hotmem_virtio_mem_restore_plugged(vm, 60, 10);
	hotmem_fail_nth_alloc(hm, 0);
	*calls = hotmem_alloc_calls(hm) - calls0;
	if (rc) {
		/* as it was */
		assert_int_equal(rc, -ENOMEM);
		assert_int_equal(info(vm).plugged_size, 0);
		assert_int_equal(block_state(hm, 32), -1);
		assert_int_equal(block_state(hm, 33), -1);
		assert_int_equal(memtotal_kb(hm), total);
		assert_int_equal(memfree_kb(hm), free);
	} else {
		assert_int_equal(info(vm).plugged_size, 20 * MiB);
		assert_int_equal(block_state(hm, 33), HM_MEM_ONLINE);
	}
	check(hm);
	hotmem_destroy(hm);
	return rc;
}

/*
 * A restore across two memory blocks, each engine allocation of it
 * failing in turn: a failure in the second block's add undoes the first
 * block through the unplug path; a failed restore leaves the machine as
 * it was.
 */
static void test_restore_faults_change_nothing(void **state)
{
	unsigned long calls, n, failed = 0, last_failed = 0;

	(void)state;
	assert_int_equal(restore_failing(0, &calls), 0);
	for (n = 1; n <= calls; n++) {
		unsigned long c;

		if (restore_failing(n, &c)) {
			failed++;
			last_failed = n;
		}
	}
	/* failures past the first block's add: the second block's */
	assert_true(failed > 1);
	assert_true(last_failed > calls / 2);
}

static bool signal_always(void *arg)
{
	(void)arg;
	return true;
}

/*
 * A refused remove changes nothing: a fully unplugged block whose offline
 * was interrupted stays for the driver's next run, not for the remove.
 */
static void test_remove_refused_changes_nothing(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL " memhp_default_state=online_movable");
	struct hotmem_virtio_mem *vm = probe(hm, 1 * GiB, 2 * MiB);
	const struct hotmem_task interrupted = { .signal_pending = signal_always, .arg = NULL };
	static char log[HM_DMESG_SIZE];

	(void)state;
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 256 * MiB, NULL), 0);
	/* memory33 is unplugged whole, its offline is interrupted: it stays added */
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 128 * MiB, &interrupted), 0);
	assert_int_equal(info(vm).plugged_size, 128 * MiB);
	assert_int_equal(block_state(hm, 33), HM_MEM_ONLINE);
	assert_int_equal(hotmem_virtio_mem_remove(vm), -EBUSY);
	assert_int_equal(block_state(hm, 33), HM_MEM_ONLINE);
	hotmem_dmesg(hm, log, sizeof(log));
	assert_non_null(strstr(log, "virtio_mem virtio0: device still has system memory added"));
	check(hm);
	/* unplugged all, memory33 still waits for the driver's retry */
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 0, &interrupted), 0);
	assert_int_equal(info(vm).plugged_size, 0);
	assert_int_equal(hotmem_virtio_mem_remove(vm), -EBUSY);
	assert_int_equal(block_state(hm, 32), HM_MEM_ONLINE);
	hotmem_virtio_mem_retry(vm, NULL);
	assert_int_equal(block_state(hm, 32), -1);
	assert_int_equal(block_state(hm, 33), -1);
	assert_int_equal(hotmem_virtio_mem_remove(vm), 0);
	check(hm);
	hotmem_destroy(hm);
}

/* virtio_mem_create_resource(): a region meeting any resource is refused, -EBUSY */
static void test_probe_refuses_overlap(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL);
	struct hotmem_virtio_mem *vm = probe(hm, 1 * GiB, 2 * MiB), *other = NULL;
	static char log[HM_DMESG_SIZE];

	(void)state;
	/* boot RAM */
	assert_int_equal(hotmem_virtio_mem_probe(hm, 0, 0, 2 * GiB, 2 * MiB, &other), -EBUSY);
	/* the first device's region, plugged or not */
	assert_int_equal(hotmem_virtio_mem_probe(hm, 0, VMEM + 512 * MiB, 1 * GiB, 2 * MiB, &other),
			 -EBUSY);
	/* memory added before (a DIMM) */
	assert_int_equal(hotmem_add_memory(hm, 0, 8 * GiB, 256 * MiB, HM_MHP_NONE, -1), 0);
	assert_int_equal(hotmem_virtio_mem_probe(hm, 0, 8 * GiB - 128 * MiB, 256 * MiB, 2 * MiB,
						 &other), -EBUSY);
	assert_null(other);
	hotmem_dmesg(hm, log, sizeof(log));
	assert_non_null(strstr(log, "virtio_mem virtio1: could not reserve device region"));
	/* right after the first device: fine, and it is virtio1 */
	assert_int_equal(hotmem_virtio_mem_probe(hm, 0, VMEM + 1 * GiB, 1 * GiB, 2 * MiB, &other), 0);
	assert_int_equal(hotmem_virtio_mem_remove(other), 0);
	assert_int_equal(hotmem_virtio_mem_remove(vm), 0);
	check(hm);
	hotmem_destroy(hm);
}

/*
 * 6.12's probe says virtio_mem_init()'s lines and virtio_mem_init_hotplug()'s
 * warnings and sizes before virtio_mem_create_resource(): a region meeting
 * probed memory, and badly aligned, logs all of them, then the refusal
 * (reread30 R4: hotmem reserved the region first and logged the refusal alone)
 */
static void test_probe_refused_busy_says_its_setup_first(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL);
	struct hotmem_virtio_mem *vm = NULL;
	static char log[HM_DMESG_SIZE];
	char got[2048];
	const char *want =
		"<6>virtio_mem virtio0: start address: 0x1fc000000\n"
		"<6>virtio_mem virtio0: region size: 0x8000000\n"
		"<6>virtio_mem virtio0: device block size: 0x200000\n"
		"<6>virtio_mem virtio0: nid: 0\n"
		"<4>virtio_mem virtio0: The alignment of the physical start address can make some memory unusable.\n"
		"<4>virtio_mem virtio0: The alignment of the physical end address can make some memory unusable.\n"
		"<6>virtio_mem virtio0: memory block size: 0x8000000\n"
		"<6>virtio_mem virtio0: subblock size: 0x200000\n"
		"<4>virtio_mem virtio0: could not reserve device region\n"
		"<6>virtio_mem virtio0: reloading the driver is not supported\n";

	(void)state;
	/* probed memory at 8 GiB, the device's 128M from 8 GiB - 64M over its start */
	assert_int_equal(hotmem_add_memory(hm, 0, 8 * GiB, 256 * MiB, HM_MHP_NONE, -1), 0);
	assert_int_equal(hotmem_virtio_mem_probe(hm, 0, 8 * GiB - 64 * MiB, 128 * MiB, 2 * MiB,
						 &vm), -EBUSY);
	assert_null(vm);
	hotmem_dmesg(hm, log, sizeof(log));
	log_lines(log, "<", got, sizeof(got));
	assert_non_null(strstr(got, want));
	check(hm);
	hotmem_destroy(hm);
}

/*
 * add_memory() across a virtio-mem region's edge: 6.12's
 * __request_region() descends into the region (not busy,
 * virtio_mem_create_resource()) and fails there, the range not fitting:
 * register_memory_resource()'s EEXIST, the machine as it was.  Inside it,
 * the range nests (tests/fusefs/295).  It was added, and /proc/iomem
 * showed it under virtio0 reaching past the region's end.
 */
static void test_add_memory_across_region_edge_refused(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL);
	struct hotmem_virtio_mem *vm = probe(hm, 1 * GiB, 2 * MiB);
	struct hm_iomem_entry io[16];
	size_t n;

	(void)state;
	(void)vm;
	/* over its end, over its start: refused; the last block inside it: added */
	assert_int_equal(hotmem_add_memory(hm, 0, VMEM + 1 * GiB - 128 * MiB, 256 * MiB,
					   HM_MHP_NONE, -1), -EEXIST);
	assert_int_equal(hotmem_add_memory(hm, 0, VMEM - 128 * MiB, 256 * MiB, HM_MHP_NONE, -1),
			 -EEXIST);
	n = hotmem_iomem(hm, io, 16);
	assert_true(n >= 1 && n <= 16);
	assert_string_equal(io[n - 1].name, "virtio0");
	assert_int_equal(hotmem_add_memory(hm, 0, VMEM + 1 * GiB - 128 * MiB, 128 * MiB,
					   HM_MHP_NONE, -1), 0);
	n = hotmem_iomem(hm, io, 16);
	assert_true(n >= 2 && n <= 16);
	assert_string_equal(io[n - 2].name, "virtio0");
	assert_int_equal(io[n - 1].depth, 1);
	assert_int_equal(io[n - 1].end, VMEM + 1 * GiB - 1);
	check(hm);
	hotmem_destroy(hm);
}

static struct hm_zone_info movable_zone(struct hotmem *hm)
{
	struct hm_zone_info zi;

	assert_int_equal(hotmem_zone_info(hm, 0, HM_ZONE_MOVABLE, &zi), 0);
	return zi;
}

static void assert_same_free_lists(const struct hm_zone_info *a, const struct hm_zone_info *b)
{
	assert_int_equal(a->nr_free, b->nr_free);
	assert_memory_equal(a->free_area, b->free_area, sizeof(a->free_area));
}

/*
 * alloc_contig_range() (mm/page_alloc.c, 6.12), which the driver's unplug
 * of online memory uses: a free block reaching over the range's start is
 * taken whole from its head and the head goes back; a page that stays in
 * use fails it with EBUSY and the free lists are as they were.  Both ask
 * test_pages_isolated() after the migration, as 6.12 does: the range
 * (from @start, where 6.12's isolation split the free block), where it
 * stopped (the pinned page), 0 or -EBUSY.
 */
static void test_alloc_contig_range(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL " memhp_default_state=online_movable");
	struct hotmem_virtio_mem *vm = probe(hm, 1 * GiB, 2 * MiB);
	const unsigned long base = VMEM >> HM_PAGE_SHIFT, pb = pageblock_nr_pages;
	struct hm_zone_info before, after;
	static struct ev_log isolated;
	char want[128];
	unsigned long h;

	(void)state;
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 128 * MiB, NULL), 0);
	trace_log_attach(hm, &isolated, "test_pages_isolated");
	before = movable_zone(hm);
	/* the upper pageblock of the MAX_PAGE_ORDER block at base */
	mem_hotplug_begin(hm);
	assert_int_equal(alloc_contig_range(hm, base + pb, base + 2 * pb), 0);
	mem_hotplug_done(hm);
	after = movable_zone(hm);
	assert_int_equal(before.nr_free - after.nr_free, pb);
	assert_int_equal(after.free_area[HM_MAX_PAGE_ORDER], before.free_area[HM_MAX_PAGE_ORDER] - 1);
	assert_int_equal(after.free_area[9], before.free_area[9] + 1);	/* the head, back */
	/* nid -1: 6.12's tracepoint records the pfns alone (85fd7143) */
	snprintf(want, sizeof(want), "%lu:%lu:-1:%lu:0", base + pb, pb, base + 2 * pb);
	assert_string_equal(isolated.buf, want);
	free_contig_range(hm, base + pb, pb);
	after = movable_zone(hm);
	assert_same_free_lists(&before, &after);
	check(hm);

	/* a pinned page (never migrates) at the range's last pfn */
	assert_int_equal(hotmem_alloc_page_at(hm, base + 4 * pb - 1, HM_ALLOC_PINNED, &h), 0);
	before = movable_zone(hm);
	mem_hotplug_begin(hm);
	assert_int_equal(alloc_contig_range(hm, base + pb, base + 4 * pb), -EBUSY);
	mem_hotplug_done(hm);
	after = movable_zone(hm);
	assert_same_free_lists(&before, &after);
	assert_int_equal(after.nr_isolate_pageblock, 0);
	snprintf(want, sizeof(want), "%lu:%lu:-1:%lu:0 %lu:%lu:-1:%lu:%d", base + pb, pb,
		 base + 2 * pb, base + pb, 3 * pb, base + 4 * pb - 1, -EBUSY);
	assert_string_equal(isolated.buf, want);
	assert_int_equal(hotmem_free_page(hm, h), 0);
	check(hm);
	hotmem_destroy(hm);
}

static uint64_t plugged_size(struct hotmem_virtio_mem *vm)
{
	struct hm_virtio_mem_info vi;

	assert_int_equal(hotmem_virtio_mem_info(vm, &vi), 0);
	return vi.plugged_size;
}

/*
 * A device whose first memory block (memory32, online Movable) has
 * @plugged bytes plugged, and then its whole memmap lost to HVO's
 * refused unshare (hvo_lose_memmap_of()).
 */
static struct hotmem *lost_memmap_device(uint64_t plugged, struct hotmem_virtio_mem **vm)
{
	struct hotmem *hm = boot("default", "hugetlb_free_vmemmap=on " IDLE_KERNEL
				 " memhp_default_state=online_movable");

	*vm = probe(hm, 4 * GiB, 2 * MiB);
	assert_int_equal(hotmem_virtio_mem_set_requested_size(*vm, plugged, NULL), 0);
	assert_int_equal(plugged_size(*vm), plugged);
	hotmem_set_hugetlb_optimize_vmemmap(hm, false);
	assert_int_equal(hotmem_hugetlb_alloc(hm, 0, 1), 1);
	assert_int_equal(hotmem_hugetlb_free(hm, 1), 1);
	hotmem_set_hugetlb_optimize_vmemmap(hm, true);
	hvo_lose_memmap_of(hm, 3);
	assert_true(__nr_to_section(hm, 32)->section_mem_map & SECTION_MEMMAP_UNMAPPED);
	return hm;
}

/* the host refuses every mapping for a while, then not */
static void host_refuses(struct hotmem *hm, bool refuse)
{
	hotmem_fail_nth_alloc(hm, refuse ? 1 : 0);
	hm->fail_more = refuse ? 64 : 0;
}

/*
 * requested-size from @from to @to while the host refuses: nothing
 * changes (the memmap still lost; the run ended -ENOMEM, which arms the
 * retry timer and, as 6.12, logs nothing); then once it maps again, the
 * memmap is mapped first and the device reaches @to.
 */
static void resize_over_lost_memmap(struct hotmem *hm, struct hotmem_virtio_mem *vm,
				    uint64_t from, uint64_t to)
{
	static char log[HM_DMESG_SIZE];

	host_refuses(hm, true);
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, to, NULL), 0);
	host_refuses(hm, false);
	assert_int_equal(plugged_size(vm), from);
	assert_true(__nr_to_section(hm, 32)->section_mem_map & SECTION_MEMMAP_UNMAPPED);
	assert_int_equal(info(vm).last_err, -ENOMEM);
	assert_false(info(vm).broken);
	hotmem_dmesg(hm, log, sizeof(log));
	assert_null(strstr(log, "request failed"));
	assert_null(strstr(log, "marking device broken"));
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, to, NULL), 0);
	assert_int_equal(plugged_size(vm), to);
	assert_false(__nr_to_section(hm, 32)->section_mem_map & SECTION_MEMMAP_UNMAPPED);
	check(hm);
}

/*
 * Plugging the rest of an online block fake-onlines the new sub-blocks
 * (virtio_mem_fake_online()), which wrote their struct pages in memmap
 * HVO lost: SIGSEGV.  It is mapped again before anything is plugged;
 * while the host refuses, nothing is (ENOMEM, said in the log) and the
 * driver's next run plugs it.
 */
static void test_lost_memmap_virtio_mem_plug(void **state)
{
	struct hotmem_virtio_mem *vm;
	struct hotmem *hm = lost_memmap_device(100 * MiB, &vm);

	(void)state;
	resize_over_lost_memmap(hm, vm, 100 * MiB, 128 * MiB);
	hotmem_destroy(hm);
}

/*
 * Unplugging a sub-block of an online block read its zone from its
 * struct page before alloc_contig_range() maps a lost memmap (SIGSEGV).
 * Mapped first; while the host refuses, nothing is unplugged (ENOMEM).
 */
static void test_lost_memmap_virtio_mem_unplug(void **state)
{
	struct hotmem_virtio_mem *vm;
	struct hotmem *hm = lost_memmap_device(128 * MiB, &vm);

	(void)state;
	resize_over_lost_memmap(hm, vm, 128 * MiB, 126 * MiB);
	hotmem_destroy(hm);
}

/* the log's lines from @from on (what a step added) */
static const char *log_since(struct hotmem *hm, size_t from)
{
	static char log[HM_DMESG_SIZE];
	size_t n = hotmem_dmesg(hm, log, sizeof(log));

	return log + (from < n ? from : n);
}

static size_t log_len(struct hotmem *hm)
{
	static char log[HM_DMESG_SIZE];

	return hotmem_dmesg(hm, log, sizeof(log));
}

/*
 * The device answers BUSY (QEMU migrating, or its memory backend cannot
 * preallocate): 6.12's virtio_mem_send_plug_request() returns -ETXTBSY,
 * virtio_mem_run_wq() arms its retry timer and logs nothing (the
 * dev_dbg()s stay off); the next run plugs.  The same for an unplug's
 * BUSY, and an unplug's NACK, which the driver has no case for: -ENOMEM.
 */
static void test_device_busy_retries_silently(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL " memhp_default_state=online_movable");
	struct hotmem_virtio_mem *vm = probe(hm, 4 * GiB, 2 * MiB);
	size_t mark;

	(void)state;
	hotmem_virtio_mem_retry(vm, NULL);
	mark = log_len(hm);
	assert_int_equal(hotmem_virtio_mem_inject_response(vm, true, HM_VIRTIO_MEM_RESP_BUSY, 1), 0);
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 256 * MiB, NULL), 0);
	assert_int_equal(plugged_size(vm), 0);
	assert_int_equal(info(vm).last_err, -ETXTBSY);
	assert_false(info(vm).broken);
	/* the config change's two dev_info() lines, nothing else */
	assert_string_equal(log_since(hm, mark), "<6>virtio_mem virtio0: plugged size: 0x0\n"
						 "<6>virtio_mem virtio0: requested size: 0x10000000\n");
	assert_int_equal(hotmem_virtio_mem_retry(vm, NULL), 0);
	assert_int_equal(plugged_size(vm), 256 * MiB);
	assert_int_equal(info(vm).last_err, 0);

	mark = log_len(hm);
	assert_int_equal(hotmem_virtio_mem_inject_response(vm, false, HM_VIRTIO_MEM_RESP_BUSY, 1), 0);
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 128 * MiB, NULL), 0);
	assert_int_equal(info(vm).last_err, -ETXTBSY);
	assert_int_equal(hotmem_virtio_mem_inject_response(vm, false, HM_VIRTIO_MEM_RESP_NACK, 1), 0);
	assert_int_equal(hotmem_virtio_mem_retry(vm, NULL), -ENOMEM);
	assert_int_equal(plugged_size(vm), 256 * MiB);
	assert_null(strstr(log_since(hm, mark), "<3>"));
	assert_null(strstr(log_since(hm, mark), "<4>"));
	assert_int_equal(hotmem_virtio_mem_retry(vm, NULL), 0);
	assert_int_equal(plugged_size(vm), 128 * MiB);
	assert_false(info(vm).broken);
	check(hm);
	assert_int_equal(hotmem_virtio_mem_inject_response(vm, true, 4, 1), -EINVAL);
	hotmem_destroy(hm);
}

/* a plug NACKed: -EAGAIN, 6.12's run starts over at once ("the config changed") and gets there */
static void test_device_nack_starts_over(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL " memhp_default_state=online_movable");
	struct hotmem_virtio_mem *vm = probe(hm, 4 * GiB, 2 * MiB);

	(void)state;
	assert_int_equal(hotmem_virtio_mem_inject_response(vm, true, HM_VIRTIO_MEM_RESP_NACK, 3), 0);
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 256 * MiB, NULL), 0);
	assert_int_equal(plugged_size(vm), 256 * MiB);
	assert_int_equal(info(vm).last_err, 0);
	check(hm);
	hotmem_destroy(hm);
}

/*
 * The device answers ERROR: -EINVAL, which 6.12's virtio_mem_run_wq()
 * does not know: "unknown error, marking device broken: -22" (KERN_ERR),
 * vm->broken, and the driver handles nothing more -- no run, no config
 * change read (no "requested size" line) -- while the device stays, its
 * memory plugged: QEMU's device_del wants it unplugged first.
 */
static void test_device_error_marks_broken(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL " memhp_default_state=online_movable");
	struct hotmem_virtio_mem *vm = probe(hm, 4 * GiB, 2 * MiB);
	size_t mark;

	(void)state;
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 256 * MiB, NULL), 0);
	mark = log_len(hm);
	assert_int_equal(hotmem_virtio_mem_inject_response(vm, false, HM_VIRTIO_MEM_RESP_ERROR, 1), 0);
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 0, NULL), 0);
	assert_true(info(vm).broken);
	assert_int_equal(info(vm).broken_err, -EINVAL);
	assert_int_equal(info(vm).last_err, -EINVAL);
	assert_int_equal(plugged_size(vm), 256 * MiB);
	assert_string_equal(log_since(hm, mark),
			    "<6>virtio_mem virtio0: plugged size: 0x10000000\n"
			    "<6>virtio_mem virtio0: requested size: 0x0\n"
			    "<3>virtio_mem virtio0: unknown error, marking device broken: -22\n");
	/* nothing more: a retry, another size */
	mark = log_len(hm);
	assert_int_equal(hotmem_virtio_mem_retry(vm, NULL), -EIO);
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 128 * MiB, NULL), 0);
	assert_int_equal(plugged_size(vm), 256 * MiB);
	assert_string_equal(log_since(hm, mark), "");
	assert_int_equal(hotmem_virtio_mem_remove(vm), -EBUSY);
	check(hm);
	hotmem_destroy(hm);

	/* broken with nothing plugged: the device can go */
	hm = boot("default", IDLE_KERNEL " memhp_default_state=online_movable");
	vm = probe(hm, 4 * GiB, 2 * MiB);
	assert_int_equal(hotmem_virtio_mem_inject_response(vm, true, HM_VIRTIO_MEM_RESP_ERROR, 1), 0);
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 256 * MiB, NULL), 0);
	assert_true(info(vm).broken);
	assert_int_equal(plugged_size(vm), 0);
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 0, NULL), 0);
	assert_int_equal(hotmem_virtio_mem_remove(vm), 0);
	hotmem_destroy(hm);
}

/*
 * A block plugged whose add failed and whose unplug then failed too
 * (VIRTIO_MEM_SBM_MB_PLUGGED, BBM's _BB_PLUGGED): the next run unplugs
 * it first (6.12's virtio_mem_cleanup_pending_mb()), so that what is
 * plugged is what is added.
 */
static void plugged_not_added(const char *cmdline_extra, uint64_t block)
{
	char cmdline[256];
	struct hotmem *hm;
	struct hotmem_virtio_mem *vm;

	snprintf(cmdline, sizeof(cmdline), IDLE_KERNEL " memhp_default_state=online_movable %s",
		 cmdline_extra);
	hm = boot("default", cmdline);
	vm = probe(hm, 4 * GiB, block);
	/* three blocks: the state arrays have room for a fourth, its add alone allocates */
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 384 * MiB, NULL), 0);
	assert_int_equal(hotmem_virtio_mem_inject_response(vm, false, HM_VIRTIO_MEM_RESP_BUSY, 1), 0);
	hotmem_fail_nth_alloc(hm, 1);
	hm->fail_more = 1000;
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 512 * MiB, NULL), 0);
	hotmem_fail_nth_alloc(hm, 0);
	hm->fail_more = 0;
	assert_int_equal(info(vm).last_err, -ENOMEM);
	assert_int_equal(plugged_size(vm), 512 * MiB);
	assert_int_equal(info(vm).added_size, 384 * MiB);
	assert_int_equal(hotmem_virtio_mem_retry(vm, NULL), 0);
	assert_int_equal(plugged_size(vm), 512 * MiB);
	assert_int_equal(info(vm).added_size, 512 * MiB);
	check(hm);
	hotmem_destroy(hm);
}

static void test_plugged_not_added_unplugged_first(void **state)
{
	(void)state;
	plugged_not_added("", 2 * MiB);
	plugged_not_added("", 128 * MiB);
	plugged_not_added("virtio_mem.force_bbm=1", 2 * MiB);
}

/*
 * malloc(), calloc() and realloc() seen (-Wl,--wrap, engine.mk).
 * own_fail armed, every call but the kernel model's kmalloc()s fails and
 * is counted: a hotmem-own allocation, as a publish that grew or replaced
 * the readers' copy (virtio_mem_publish() until reread21b K6: realloc;
 * malloc+memcpy or calloc alike).  The kmalloc()s a plug makes (struct
 * memory_block, resources: hm_alloc(), hm_alloc_noinject()) go through,
 * told by their caller (dladdr(), the test linked -rdynamic).  calloc
 * armed (calloc_fail_from), the next call of at least that many bytes
 * fails: the readers' copy made at the probe, the only one that large in
 * these tests.
 */
static int own_fail, own_failed;
static size_t calloc_fail_from;
static int calloc_failed;

static bool own_fails(void *caller)
{
	Dl_info di;

	if (!own_fail)
		return false;
	if (dladdr(caller, &di) && di.dli_saddr &&
	    (di.dli_saddr == (void *)hm_alloc_noinject || di.dli_saddr == (void *)hm_alloc))
		return false;
	own_failed++;
	return true;
}

/*
 * snapshot_fail armed, the malloc() of dmesg_boot_snapshot() fails (the
 * boot log's copy, hotmem_create()'s last step), counted: its caller told
 * as own_fails() tells the kmalloc()s
 */
static bool snapshot_fail;
static int snapshot_failed;

static bool snapshot_fails(void *caller)
{
	Dl_info di;

	if (!snapshot_fail || !dladdr(caller, &di) || di.dli_saddr != (void *)dmesg_boot_snapshot)
		return false;
	snapshot_failed++;
	return true;
}

void *__real_malloc(size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_malloc(size_t n)
{
	void *caller = __builtin_return_address(0);

	return own_fails(caller) || snapshot_fails(caller) ? NULL : __real_malloc(n);
}

void *__real_realloc(void *p, size_t n);
void *__wrap_realloc(void *p, size_t n);
void *__wrap_realloc(void *p, size_t n)
{
	return own_fails(__builtin_return_address(0)) ? NULL : __real_realloc(p, n);
}

void *__real_calloc(size_t nmemb, size_t size);
void *__wrap_calloc(size_t nmemb, size_t size);
void *__wrap_calloc(size_t nmemb, size_t size)
{
	if (own_fails(__builtin_return_address(0)))
		return NULL;
	if (calloc_fail_from && nmemb * size >= calloc_fail_from) {
		calloc_fail_from = 0;
		calloc_failed++;
		return NULL;
	}
	return __real_calloc(nmemb, size);
}

/* the wraps disarmed after a test, a failed one's too (cmocka's teardown) */
static int wraps_off(void **state)
{
	(void)state;
	own_fail = 0;
	calloc_fail_from = 0;
	snapshot_fail = false;
	return 0;
}

/*
 * hotmem_boot_dmesg() without its copy (cefa35c8): the boot's copy of
 * the log failing at hotmem_create()'s end (snapshot_fails()), the boot
 * still succeeds and the boot's log is what the ring has, as
 * hotmem_dmesg() gives it -- lines logged since too, which the copy does
 * not have (checked on a machine that made it).  Fails on a fallback
 * that answers nothing or reads the copy that is not there.
 */
static void test_boot_dmesg_without_its_copy(void **state)
{
	static char boot_log[HM_DMESG_SIZE + 1], ring[HM_DMESG_SIZE + 1];
	struct hotmem *hm;
	size_t n;

	(void)state;
	snapshot_failed = 0;
	snapshot_fail = true;
	hm = boot("default", NULL);
	snapshot_fail = false;
	assert_int_equal(snapshot_failed, 1);
	assert_null(hm->boot_dmesg);
	pr_info(hm, "hotmem: a line after the boot");
	n = hotmem_boot_dmesg(hm, boot_log, sizeof(boot_log));
	assert_int_equal(n, hotmem_dmesg(hm, ring, sizeof(ring)));
	assert_string_equal(boot_log, ring);
	assert_non_null(strstr(boot_log, "Zone ranges:"));
	assert_non_null(strstr(boot_log, "a line after the boot"));
	hotmem_destroy(hm);

	/* with its copy: the boot's lines alone */
	hm = boot("default", NULL);
	assert_non_null(hm->boot_dmesg);
	pr_info(hm, "hotmem: a line after the boot");
	hotmem_boot_dmesg(hm, boot_log, sizeof(boot_log));
	assert_non_null(strstr(boot_log, "Zone ranges:"));
	assert_null(strstr(boot_log, "a line after the boot"));
	hotmem_destroy(hm);
}

/*
 * A buffer too small for the boot's log gets its end, the newest lines,
 * from the copy as from the ring it falls back to (hotmem_dmesg(); 6.12
 * syslog_print_all() keeps the newest records that fit): the copy kept
 * the start, so one log read short said two things (tidy36).  Right
 * after the boot the copy and the ring hold the same log, so each short
 * read is the same, and it is the whole log's last bytes -- its newest
 * whole lines that fit (208edadc: a short read cuts no line at its
 * start, so at most 63 bytes, beginning after a newline).  Fails without
 * (the copy's 63 bytes were the log's first, not its last).
 */
static void test_boot_dmesg_short_keeps_end(void **state)
{
	static char whole[HM_DMESG_SIZE + 1], ring[64], copy[64];
	struct hotmem *hm;
	size_t n, w;

	(void)state;
	hm = boot("default", NULL);
	assert_non_null(hm->boot_dmesg);
	w = hotmem_boot_dmesg(hm, whole, sizeof(whole));
	assert_true(w > sizeof(copy));
	n = hotmem_boot_dmesg(hm, copy, sizeof(copy));
	assert_in_range(n, 1, sizeof(copy) - 1);
	assert_int_equal(whole[w - n - 1], '\n');
	assert_int_equal(hotmem_dmesg(hm, ring, sizeof(ring)), n);
	assert_string_equal(copy, whole + w - n);
	assert_string_equal(copy, ring);
	hotmem_destroy(hm);
}

/*
 * The readers' copy is the driver's state after every writer, sizes and
 * plugged blocks together: it is made for the whole region at the probe
 * and never grows (reread21b K6).  A copy that grew at publish time and
 * could not kept its last whole sizes (p->behind): a run that plugged
 * read as one that changed nothing, its record was never written and a
 * kill -9 lost the plug.  Every allocation of hotmem's own failing and
 * counted (own_fails(): malloc, calloc, realloc; the kernel model's
 * kmalloc()s go through), a request that fills memory32 and plugs half
 * of memory33 (the sub-block array past its first 64), then one that
 * plugs the whole region (8 memory blocks), an undo's exact unplug and
 * plug-back, a device brought back whole, each reads at once as the
 * driver has it, and none of them allocated anything of hotmem's own
 * (reread23a R6: not only the old realloc()).  Fails without the copy
 * made at the probe: the readers still saw 64 MiB (1 of 6 checks); with a
 * publish's malloc() of a copy of the plugged blocks, the count (checked).
 */
static void test_readers_copy_never_behind(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL " memhp_default_state=online_movable");
	struct hotmem_virtio_mem *vm = probe(hm, 1 * GiB, 2 * MiB), *vm2 = NULL;

	(void)state;
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 64 * MiB, NULL), 0);
	check(hm);
	own_failed = 0;
	own_fail = 1;
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 192 * MiB, NULL), 0);
	assert_int_equal(info(vm).plugged_size, 192 * MiB);
	assert_true(hotmem_virtio_mem_block_plugged(vm, 95));
	assert_false(hotmem_virtio_mem_block_plugged(vm, 96));
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 1 * GiB, NULL), 0);
	assert_int_equal(info(vm).plugged_size, 1 * GiB);
	assert_true(hotmem_virtio_mem_block_plugged(vm, 511));
	/* an undo's exact unplug and plug-back (hotmemfs dev.c vmem_blocks(): reread22 R8) */
	assert_int_equal(hotmem_virtio_mem_unplug_exact(vm, 448, 64), 0);
	assert_int_equal(info(vm).plugged_size, 896 * MiB);
	assert_int_equal(hotmem_virtio_mem_restore_plugged(vm, 448, 64), 0);
	assert_int_equal(info(vm).plugged_size, 1 * GiB);
	/* a device brought back whole (hotmemfs machine.c device_back()): its probe makes a new copy */
	own_fail = 0;
	assert_int_equal(hotmem_virtio_mem_probe(hm, 0, VMEM + 2 * GiB, 1 * GiB, 2 * MiB, &vm2), 0);
	own_fail = 1;
	assert_int_equal(hotmem_virtio_mem_restore_plugged(vm2, 0, 192), 0);
	assert_int_equal(info(vm2).plugged_size, 384 * MiB);
	assert_true(hotmem_virtio_mem_block_plugged(vm2, 191));
	own_fail = 0;
	assert_int_equal(own_failed, 0);
	check(hm);
	hotmem_destroy(hm);
}

/*
 * The copy's memory is taken at the probe, where a failure still refuses
 * the device: -ENOMEM, and nothing of it stays (its region free for the
 * next probe, which plugs; no log of a device).
 */
static void test_probe_refused_without_its_copy(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL " memhp_default_state=online_movable");
	struct hotmem_virtio_mem *vm = NULL;
	static char log[HM_DMESG_SIZE];

	(void)state;
	/* 32 GiB of 2 MiB sub-blocks: the copy's 16384 bytes, more than any other calloc here */
	calloc_failed = 0;
	calloc_fail_from = 16384;
	assert_int_equal(hotmem_virtio_mem_probe(hm, 0, VMEM, 32 * GiB, 2 * MiB, &vm), -ENOMEM);
	assert_int_equal(calloc_failed, 1);
	assert_null(vm);
	hotmem_dmesg(hm, log, sizeof(log));
	assert_null(strstr(log, "virtio_mem virtio0"));
	check(hm);
	vm = probe(hm, 32 * GiB, 2 * MiB);
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 256 * MiB, NULL), 0);
	assert_int_equal(info(vm).plugged_size, 256 * MiB);
	assert_true(hotmem_virtio_mem_block_plugged(vm, 127));
	check(hm);
	hotmem_destroy(hm);
}

/*
 * A block probed (/sys/devices/system/memory/probe: add_memory(MHP_NONE))
 * into a virtio-mem device's region: 6.12 lets it be added, nested in the
 * region (virtio_mem_create_resource() clears IORESOURCE_BUSY "to make
 * add_memory() work"), and its memory notifier then takes the block for
 * one of the driver's.  Before the driver added any block its mb_states
 * is NULL, where 6.12's virtio_mem_sbm_get_mb_state() oopses the writer;
 * the emulator lost the whole machine there (abuse24 A8).  Refused as a
 * block in a state the driver does not online, with a line saying what
 * 6.12 would do; the offline side's notifications touch nothing.
 */
static void probed_block_notify(struct hotmem *hm, unsigned long id, unsigned long action)
{
	const unsigned long pfn = id * (128 * MiB >> HM_PAGE_SHIFT);

	assert_int_equal(memory_notify(hm, action, pfn, 128 * MiB >> HM_PAGE_SHIFT), 0);
}

/* GOING_OFFLINE then CANCEL_OFFLINE of block @id: none of its pages is the driver's */
static void probed_block_offline_cancelled(struct hotmem *hm, unsigned long id)
{
	const unsigned long pfn = id * (128 * MiB >> HM_PAGE_SHIFT);
	const int ref = pfn_to_page(hm, pfn)->_refcount;
	const size_t mark = log_len(hm);

	probed_block_notify(hm, id, HM_MEM_GOING_OFFLINE);
	probed_block_notify(hm, id, HM_MEM_CANCEL_OFFLINE);
	assert_int_equal(pfn_to_page(hm, pfn)->_refcount, ref);
	assert_int_equal(pfn_to_page(hm, pfn + 32767)->_refcount, ref);
	assert_null(strstr(log_since(hm, mark), "fake-offline page referenced"));
}

static void test_probed_block_before_the_drivers_first(void **state)
{
	/* online_movable: the probe's add_memory() onlines at once, refused, and is still added */
	struct hotmem *hm = boot("default", IDLE_KERNEL " memhp_default_state=online_movable");
	struct hotmem_virtio_mem *vm = probe(hm, 512 * MiB, 2 * MiB);
	struct hm_iomem_entry io[16];
	struct hm_block_info bi;
	size_t n, mark = log_len(hm);

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 0, VMEM, 128 * MiB, HM_MHP_NONE, -1), 0);
	assert_int_equal(hotmem_block_info(hm, 32, &bi), 0);
	assert_int_equal(bi.state, HM_MEM_OFFLINE);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_MOVABLE), -EPERM);
	assert_non_null(strstr(log_since(hm, mark),
			       "<4>virtio_mem virtio0: memory block onlining denied\n"
			       "<4>virtio_mem virtio0: memory block 32 is not the driver's (no "
			       "mb_states yet): 6.12 oopses here (NULL mb_states), hotmem refuses it\n"));
	probed_block_offline_cancelled(hm, 32);
	probed_block_notify(hm, 32, HM_MEM_CANCEL_ONLINE);
	assert_int_equal(info(vm).plugged_size, 0);
	n = hotmem_iomem(hm, io, 16);
	assert_true(n >= 2 && n <= 16);
	assert_string_equal(io[n - 2].name, "virtio0");
	assert_string_equal(io[n - 1].name, "System RAM");
	assert_int_equal(io[n - 1].depth, 1);
	check(hm);
	hotmem_destroy(hm);
}

/*
 * With the driver's first block added, mb_states is there but holds the
 * prepared blocks only, [first_mb_id, next_mb_id): 6.12 reads past it for
 * a block probed above them.  Two such probes are two "System RAM" lines
 * under virtio0, beside the driver's "System RAM (virtio_mem)": only
 * MHP_MERGE_RESOURCE merges (kernel/resource.c merge_system_ram_resource()).
 */
static void test_probed_blocks_past_the_drivers(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL " memhp_default_state=offline");
	struct hotmem_virtio_mem *vm = probe(hm, 512 * MiB, 2 * MiB);
	struct hm_iomem_entry io[16];
	size_t n, mark;

	(void)state;
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 128 * MiB, NULL), 0);
	assert_int_equal(hotmem_add_memory(hm, 0, VMEM + 128 * MiB, 128 * MiB, HM_MHP_NONE, -1), 0);
	assert_int_equal(hotmem_add_memory(hm, 0, VMEM + 256 * MiB, 128 * MiB, HM_MHP_NONE, -1), 0);
	mark = log_len(hm);
	assert_int_equal(hotmem_block_set_state(hm, 33, HM_MMOP_ONLINE_MOVABLE), -EPERM);
	assert_non_null(strstr(log_since(hm, mark),
			       "<4>virtio_mem virtio0: memory block 33 is not the driver's (prepared: "
			       "[32, 33)): 6.12 reads past mb_states here, hotmem refuses it\n"));
	probed_block_offline_cancelled(hm, 34);
	/* the driver's own block onlines as before */
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_MOVABLE), 0);
	n = hotmem_iomem(hm, io, 16);
	assert_true(n >= 4 && n <= 16);
	assert_string_equal(io[n - 4].name, "virtio0");
	assert_string_equal(io[n - 3].name, "System RAM (virtio_mem)");
	assert_int_equal(io[n - 3].end, VMEM + 128 * MiB - 1);
	for (size_t i = n - 2; i < n; i++) {
		assert_string_equal(io[i].name, "System RAM");
		assert_int_equal(io[i].depth, 1);
		assert_int_equal(io[i].start, VMEM + (i - n + 3) * 128 * MiB);
		assert_int_equal(io[i].end, io[i].start + 128 * MiB - 1);
	}
	check(hm);
	hotmem_destroy(hm);
}

/*
 * A block the driver prepared, added, then unplugged and removed
 * (UNUSED) can be probed again by hand: it is added, not the driver's
 * (no memory group), so the invariants hold ("memory33 is added, the
 * driver says it is not" was the check's own error); its online is
 * refused as 6.12 refuses it ("memory block onlining denied" alone).
 */
static void test_probed_unused_block_is_not_the_drivers(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL " memhp_default_state=online_movable");
	struct hotmem_virtio_mem *vm = probe(hm, 512 * MiB, 2 * MiB);
	size_t mark;

	(void)state;
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 256 * MiB, NULL), 0);
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 128 * MiB, NULL), 0);
	assert_false(hotmem_virtio_mem_block_plugged(vm, 64));
	assert_int_equal(hotmem_add_memory(hm, 0, VMEM + 128 * MiB, 128 * MiB, HM_MHP_NONE, -1), 0);
	check(hm);
	mark = log_len(hm);
	assert_int_equal(hotmem_block_set_state(hm, 33, HM_MMOP_ONLINE_MOVABLE), -EPERM);
	assert_non_null(strstr(log_since(hm, mark), "virtio0: memory block onlining denied\n"));
	assert_null(strstr(log_since(hm, mark), "not the driver's"));
	check(hm);
	hotmem_destroy(hm);
}

/*
 * The device's removal with a block probed into its region: 6.12's
 * virtio_mem_deinit_hotplug() finds busy System RAM in the region
 * (virtio_mem_has_memory_added() walks /proc/iomem, not the driver's
 * states), warns "device still has system memory added" and keeps the
 * region's resource, the probed block in it.  hotmem keeps the device
 * (-EBUSY, nothing changed), so /proc/iomem reads as the kernel's after
 * its removal; it removed the device and its region, the probed block
 * then a top-level "System RAM" of a region no device had.  Once the
 * probed memory is removed, the device goes.
 */
static void test_remove_refused_with_probed_memory(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL " memhp_default_state=offline");
	struct hotmem_virtio_mem *vm = probe(hm, 512 * MiB, 2 * MiB);
	struct hm_iomem_entry io[16];
	size_t n, mark;

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 0, VMEM + 256 * MiB, 128 * MiB, HM_MHP_NONE, -1), 0);
	mark = log_len(hm);
	assert_int_equal(hotmem_virtio_mem_remove(vm), -EBUSY);
	assert_non_null(strstr(log_since(hm, mark),
			       "<4>virtio_mem virtio0: device still has system memory added (probed "
			       "into its region: [mem 0x110000000-0x117ffffff]; 6.12 removes the driver "
			       "and leaves its region, with that memory, in /proc/iomem; hotmem keeps "
			       "the device)\n"));
	n = hotmem_iomem(hm, io, 16);
	assert_true(n >= 2 && n <= 16);
	assert_string_equal(io[n - 2].name, "virtio0");
	assert_int_equal(io[n - 2].start, VMEM);
	assert_string_equal(io[n - 1].name, "System RAM");
	assert_int_equal(io[n - 1].start, VMEM + 256 * MiB);
	assert_int_equal(io[n - 1].depth, 1);
	assert_int_equal(info(vm).region_size, 512 * MiB);
	check(hm);
	/* refused again for the same reason: said once a device and reason, not a line a retry */
	mark = log_len(hm);
	assert_int_equal(hotmem_virtio_mem_remove(vm), -EBUSY);
	assert_null(strstr(log_since(hm, mark), "device still has system memory added"));
	/* the probed memory gone, the device goes with its region */
	assert_int_equal(hotmem_remove_memory(hm, VMEM + 256 * MiB, 128 * MiB), 0);
	assert_int_equal(hotmem_virtio_mem_remove(vm), 0);
	n = hotmem_iomem(hm, io, 16);
	assert_true(n <= 16);
	for (size_t i = 0; i < n; i++)
		assert_true(io[i].end < VMEM);
	check(hm);
	hotmem_destroy(hm);
}

/*
 * "device still has system memory added" is said once a refusal episode,
 * not once the device's life (reread29 R7): refused, refused again
 * (nothing said), then the memory asked back and away again
 * (requested-size changed): the next refusal is a new episode, said.
 */
static void test_remove_refused_said_once_an_episode(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL " memhp_default_state=online_movable");
	struct hotmem_virtio_mem *vm = probe(hm, 1 * GiB, 2 * MiB);
	const char *said = "virtio_mem virtio0: device still has system memory added\n";
	size_t mark;

	(void)state;
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 256 * MiB, NULL), 0);
	mark = log_len(hm);
	assert_int_equal(hotmem_virtio_mem_remove(vm), -EBUSY);
	assert_non_null(strstr(log_since(hm, mark), said));
	mark = log_len(hm);
	assert_int_equal(hotmem_virtio_mem_remove(vm), -EBUSY);
	assert_null(strstr(log_since(hm, mark), said));
	/* the same requested-size again: no new episode */
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 256 * MiB, NULL), 0);
	mark = log_len(hm);
	assert_int_equal(hotmem_virtio_mem_remove(vm), -EBUSY);
	assert_null(strstr(log_since(hm, mark), said));
	/* unplugged, plugged again: a new episode, said again */
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 0, NULL), 0);
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 128 * MiB, NULL), 0);
	assert_int_equal(info(vm).plugged_size, 128 * MiB);
	mark = log_len(hm);
	assert_int_equal(hotmem_virtio_mem_remove(vm), -EBUSY);
	assert_non_null(strstr(log_since(hm, mark), said));
	check(hm);
	hotmem_destroy(hm);
}

/*
 * "memory block onlining denied" is 6.12's dev_warn_ratelimited() in
 * virtio_mem_sbm_notify_going_online(): one DEFINE_RATELIMIT_STATE of
 * the call site's (5 s, a burst of 10) for every device, so a guest
 * that retries an online of a block the driver refuses writes 10 lines a
 * window; the window after says how many it held back, under the call
 * site's name (lib/ratelimit.c ___ratelimit()'s "%s: %d callbacks
 * suppressed").  Two devices' refusals count in the one state.  Once
 * the first denial showed the kernel's default state, the window is
 * stretched to a day for the loop (as test_offline's ratelimit cases):
 * 24 refusals must not depend on how fast they run; its end is then
 * moved before now, the 5 s having "passed".
 */
static void test_onlining_denied_is_ratelimited(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL " memhp_default_state=offline");
	struct hm_ratelimit *rs = &hm->virtio_mem_denied_rs;
	const size_t mark = log_len(hm);
	struct hotmem_virtio_mem *vm0 = probe(hm, 512 * MiB, 2 * MiB), *vm1 = NULL;
	const char *log;

	(void)state;
	(void)vm0;
	assert_int_equal(hotmem_virtio_mem_probe(hm, 0, VMEM + 512 * MiB, 512 * MiB, 2 * MiB, &vm1),
			 0);
	assert_int_equal(hotmem_add_memory(hm, 0, VMEM, 128 * MiB, HM_MHP_NONE, -1), 0);
	assert_int_equal(hotmem_add_memory(hm, 0, VMEM + 512 * MiB, 128 * MiB, HM_MHP_NONE, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_MOVABLE), -EPERM);
	assert_int_equal(rs->interval_ms, 5000);
	assert_int_equal(rs->burst, 10);
	assert_int_equal(rs->printed, 1);
	rs->interval_ms = 24UL * 3600 * 1000;
	for (int i = 1; i < 25; i++)
		assert_int_equal(hotmem_block_set_state(hm, i % 2 ? 36 : 32, HM_MMOP_ONLINE_MOVABLE),
				 -EPERM);
	log = log_since(hm, mark);
	assert_int_equal(count_lines(log, "memory block onlining denied\n"), 10);
	assert_int_equal(count_lines(log, "virtio0: memory block onlining denied\n"), 5);
	assert_int_equal(count_lines(log, "virtio1: memory block onlining denied\n"), 5);
	assert_int_equal(count_lines(log, "is not the driver's (no mb_states yet)"), 10);
	assert_null(strstr(log, "callbacks suppressed"));
	assert_int_equal(rs->missed, 15);
	/* the window over: the next refusal says what was held back, then itself */
	rs->begin_ms = hm_ratelimit_now_ms() - rs->interval_ms - 1;
	assert_int_equal(hotmem_block_set_state(hm, 36, HM_MMOP_ONLINE_MOVABLE), -EPERM);
	assert_non_null(strstr(log_since(hm, mark),
			       "<4>virtio_mem_sbm_notify_going_online: 15 callbacks suppressed\n"
			       "<4>virtio_mem virtio1: memory block onlining denied\n"));
	assert_int_equal(rs->missed, 0);
	assert_int_equal(rs->printed, 1);
	check(hm);
	hotmem_destroy(hm);
}

/* what the driver's run told its task, in order: B an offline began, S a signal check */
struct begin_log {
	struct hotmem *hm;
	char seq[64];
	size_t n;
	int begun_unlocked;	/* offline_begin() calls without device_hotplug_lock held */
};

static void begin_log_add(struct begin_log *l, char c)
{
	if (l->n + 1 < sizeof(l->seq))
		l->seq[l->n++] = c;
}

static void logged_offline_begin(void *arg)
{
	struct begin_log *l = arg;

	/*
	 * held by this thread: a trylock of the (non-recursive) mutex fails.
	 * The mutex raw, not lock_device_hotplug(): a probe, taken and let
	 * go at once, no operation -- lock_device_hotplug() would wait for
	 * the holder (this thread itself) and unlock_device_hotplug() end an
	 * operation never begun (hm_operation_end() WARNs)
	 */
	if (pthread_mutex_trylock(&l->hm->device_hotplug_lock) == 0) {
		pthread_mutex_unlock(&l->hm->device_hotplug_lock);
		l->begun_unlocked++;
	}
	begin_log_add(l, 'B');
}

static bool logged_signal(void *arg)
{
	begin_log_add(arg, 'S');
	return false;
}

/*
 * hotmem_task offline_begin(): each offline_pages() of the operation
 * tells its task when it starts trying its range -- device_hotplug_lock
 * held, before its first signal check -- where 4.14's __offline_pages()
 * set its 120 s timeout (expire = jiffies + timeout).  hotmemfs bounds
 * each block of a virtio-mem shrink from there (fusefs/dev.c
 * eject_block_begin()), not from the run's start: a shrink of two online
 * blocks tells it twice, each before that offline's checks.
 */
static void test_offline_begin_told_per_block(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL " memhp_default_state=online_movable");
	struct hotmem_virtio_mem *vm = probe(hm, 512 * MiB, 2 * MiB);
	struct begin_log l = { .hm = hm };
	const struct hotmem_task task = { .signal_pending = logged_signal, .arg = &l,
					  .offline_begin = logged_offline_begin };

	(void)state;
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 256 * MiB, NULL), 0);
	assert_int_equal(block_state(hm, 33), HM_MEM_ONLINE);
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 0, &task), 0);
	assert_int_equal(info(vm).plugged_size, 0);
	assert_int_equal(block_state(hm, 32), -1);
	assert_int_equal(block_state(hm, 33), -1);
	l.seq[l.n] = '\0';
	assert_int_equal(count_lines(l.seq, "B"), 2);
	assert_int_equal(l.seq[0], 'B');
	assert_int_equal(l.begun_unlocked, 0);
	check(hm);
	hotmem_destroy(hm);
}

/*
 * Big Block Mode: 6.12's notifier looks at no state at MEM_GOING_ONLINE,
 * and virtio_mem_online_page_cb() indexes bb_states, NULL before the
 * driver's first big block (an oops; the emulator segfaulted): a probed
 * block without state is refused here too.  One in a big block the driver
 * prepared and removed again (UNUSED) onlines and offlines, as 6.12's: its
 * state is no FAKE_OFFLINE, so its pages are no fake-offline ones.
 */
static void test_bbm_probed_block(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL " memhp_default_state=offline"
				 " virtio_mem.force_bbm=1");
	struct hotmem_virtio_mem *vm = probe(hm, 512 * MiB, 2 * MiB);
	size_t mark = log_len(hm);

	(void)state;
	assert_false(info(vm).sbm);
	/* the region's last block: the driver's first big block (32) stays free for it */
	assert_int_equal(hotmem_add_memory(hm, 0, VMEM + 384 * MiB, 128 * MiB, HM_MHP_NONE, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 35, HM_MMOP_ONLINE_MOVABLE), -EPERM);
	assert_non_null(strstr(log_since(hm, mark),
			       "virtio0: big block 35 is not the driver's (no bb_states yet): "
			       "6.12 oopses here (NULL bb_states), hotmem refuses it\n"));
	probed_block_offline_cancelled(hm, 35);
	check(hm);
	/* the driver's big block 32 prepared, plugged, unplugged and removed: UNUSED */
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 128 * MiB, NULL), 0);
	assert_int_equal(info(vm).plugged_size, 128 * MiB);
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 0, NULL), 0);
	assert_int_equal(info(vm).plugged_size, 0);
	assert_int_equal(hotmem_add_memory(hm, 0, VMEM, 128 * MiB, HM_MHP_NONE, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_MOVABLE), 0);
	check(hm);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_OFFLINE), 0);
	check(hm);
	hotmem_destroy(hm);
}

/*
 * hotmem_iomem() sorts once and merges (O(n log n)); it prints byte for
 * byte what the O(n^2) walk it replaced printed, on a big machine: 400
 * DIMMs added in a shuffled order (the resource list is newest first,
 * not by address), between and after three virtio-mem devices with
 * parts plugged (children, MHP_MERGE_RESOURCE merges), one of them at a
 * lower address than the DIMMs it was probed after.  Also with too small
 * an array: the same count, the same first entries.
 */
static void test_iomem_sorted_as_the_slow_walk(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL " memory_hotplug.memmap_on_memory=1"
				 " memhp_default_state=offline");
	static struct hm_iomem_entry fast[1024], slow[1024];
	const uint64_t dimm0 = 8 * GiB, block = 128 * MiB;
	const uint64_t vm_at[3] = { 4 * GiB, 62 * GiB, 7 * GiB };
	unsigned long order[400];
	size_t nf, ns;

	(void)state;
	for (unsigned long i = 0; i < 400; i++)
		order[i] = i;
	for (unsigned long i = 399; i > 0; i--) {	/* a fixed shuffle: the test replays */
		unsigned long j = (i * 2654435761UL) % (i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (int d = 0; d < 3; d++) {
		struct hotmem_virtio_mem *vm = NULL;

		assert_int_equal(hotmem_virtio_mem_probe(hm, 0, vm_at[d], d == 1 ? 1 * GiB : 512 * MiB,
							 2 * MiB, &vm), 0);
		assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, (uint64_t)(d + 1) * 128 * MiB,
								      NULL), 0);
		for (unsigned long i = d * 133; i < (unsigned long)(d + 1) * 133; i++)
			assert_int_equal(hotmem_add_memory(hm, 0, dimm0 + order[i] * block, block,
							   HM_MHP_MEMMAP_ON_MEMORY, -1), 0);
	}
	assert_int_equal(hotmem_add_memory(hm, 0, dimm0 + order[399] * block, block,
					   HM_MHP_MEMMAP_ON_MEMORY, -1), 0);
	memset(fast, 0, sizeof(fast));
	memset(slow, 0, sizeof(slow));
	nf = hotmem_iomem(hm, fast, 1024);
	ns = hm_iomem_slow(hm, slow, 1024);
	assert_true(nf > 400 + 3);
	assert_int_equal(nf, ns);
	assert_memory_equal(fast, slow, sizeof(fast));
	/* too small an array: the same count (an upper bound past @max: no merging there) */
	for (size_t m = 0; m < ns; m = m < 8 ? m + 1 : m + 97) {
		memset(fast, 0, sizeof(fast));
		memset(slow, 0, sizeof(slow));
		assert_int_equal(hotmem_iomem(hm, fast, m), hm_iomem_slow(hm, slow, m));
		assert_memory_equal(fast, slow, sizeof(fast));
	}
	hotmem_destroy(hm);
}

/* @vm's own probe at @addr, @size in 2 MiB blocks */
static struct hotmem_virtio_mem *probe_at(struct hotmem *hm, uint64_t addr, uint64_t size)
{
	struct hotmem_virtio_mem *vm = NULL;

	assert_int_equal(hotmem_virtio_mem_probe(hm, 0, addr, size, 2 * MiB, &vm), 0);
	return vm;
}

/* /proc/iomem from the line starting at @start with @name on, and the slow walk's the same */
static size_t iomem_from(struct hotmem *hm, uint64_t start, const char *name,
			 struct hm_iomem_entry *io, size_t max)
{
	static struct hm_iomem_entry fast[64], slow[64];
	size_t n, first;

	memset(fast, 0, sizeof(fast));
	memset(slow, 0, sizeof(slow));
	n = hotmem_iomem(hm, fast, 64);
	assert_true(n <= 64);
	assert_int_equal(hm_iomem_slow(hm, slow, 64), n);
	assert_memory_equal(fast, slow, sizeof(fast));
	for (first = 0; first < n; first++)
		if (fast[first].start == start && !strcmp(fast[first].name, name))
			break;
	assert_true(first < n && n - first <= max);
	memcpy(io, fast + first, (n - first) * sizeof(*io));
	return n - first;
}

struct iomem_line {
	uint64_t start, end;
	int depth;
	const char *name;
};

static void assert_iomem_lines(const struct hm_iomem_entry *io, size_t n,
			       const struct iomem_line *want, size_t nwant)
{
	for (size_t i = 0; i < nwant && i < n; i++) {
		assert_int_equal(io[i].start, want[i].start);
		assert_int_equal(io[i].end, want[i].end);
		assert_int_equal(io[i].depth, want[i].depth);
		assert_string_equal(io[i].name, want[i].name);
	}
	assert_true(n >= nwant);
}

/*
 * A region wholly inside another device's nests under it, as 6.12's
 * __request_region_locked() descends into the outer region (not busy
 * since virtio_mem_create_resource()): under the innermost of several,
 * and at the outer one's own start too.  What 6.12 refuses stays refused,
 * -EBUSY with its lines: a region across the outer's edge or a nested
 * one's, one holding a device's region whole, one meeting a device's
 * added memory.  /proc/iomem (both walks) prints each level two spaces
 * deeper, a region before what nests in it at the same start (r_show():
 * parent first); hotmem_virtio_mem_at() finds the innermost of regions
 * starting at one address.  hotmem refused every nested region (fs38 4).
 */
static void test_probe_nests_in_a_devices_region(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL " memhp_default_state=offline");
	struct hotmem_virtio_mem *a = probe(hm, 1 * GiB, 2 * MiB), *b, *c, *d, *e, *x = NULL;
	struct hm_iomem_entry io[64];
	const struct {
		uint64_t addr, size;
	} refused[] = {
		{ VMEM + 896 * MiB, 256 * MiB },	/* across virtio0's end */
		{ VMEM + 384 * MiB, 256 * MiB },	/* inside virtio0, across virtio1's start */
		{ VMEM + 576 * MiB, 128 * MiB },	/* inside virtio1, across virtio2's start */
		{ VMEM, 2 * GiB },			/* virtio0 whole */
		{ VMEM, 256 * MiB },			/* virtio0's memory */
	};
	const struct iomem_line want[] = {
		{ VMEM, VMEM + 1 * GiB - 1, 0, "virtio0" },
		{ VMEM, VMEM + 128 * MiB - 1, 1, "System RAM (virtio_mem)" },
		{ VMEM + 512 * MiB, VMEM + 768 * MiB - 1, 1, "virtio1" },
		{ VMEM + 512 * MiB, VMEM + 640 * MiB - 1, 2, "System RAM (virtio_mem)" },
		{ VMEM + 640 * MiB, VMEM + 768 * MiB - 1, 2, "virtio2" },
		{ VMEM + 640 * MiB, VMEM + 768 * MiB - 1, 3, "System RAM (virtio_mem)" },
		{ VMEM + 768 * MiB, VMEM + 1 * GiB - 1, 1, "virtio3" },
		{ VMEM + 768 * MiB, VMEM + 896 * MiB - 1, 2, "virtio4" },
	};
	size_t n, mark;

	(void)state;
	assert_int_equal(hotmem_virtio_mem_set_requested_size(a, 128 * MiB, NULL), 0);
	b = probe_at(hm, VMEM + 512 * MiB, 256 * MiB);
	c = probe_at(hm, VMEM + 640 * MiB, 128 * MiB);
	d = probe_at(hm, VMEM + 768 * MiB, 256 * MiB);
	e = probe_at(hm, VMEM + 768 * MiB, 128 * MiB);
	assert_int_equal(hotmem_virtio_mem_set_requested_size(b, 128 * MiB, NULL), 0);
	assert_int_equal(hotmem_virtio_mem_set_requested_size(c, 128 * MiB, NULL), 0);
	assert_int_equal(info(b).plugged_size, 128 * MiB);
	assert_int_equal(info(c).plugged_size, 128 * MiB);
	for (size_t i = 0; i < ARRAY_SIZE(refused); i++) {
		mark = log_len(hm);
		assert_int_equal(hotmem_virtio_mem_probe(hm, 0, refused[i].addr, refused[i].size,
							 2 * MiB, &x), -EBUSY);
		assert_null(x);
		assert_non_null(strstr(log_since(hm, mark),
				       "<4>virtio_mem virtio5: could not reserve device region\n"
				       "<6>virtio_mem virtio5: reloading the driver is not supported\n"));
	}
	n = iomem_from(hm, VMEM, "virtio0", io, ARRAY_SIZE(io));
	assert_iomem_lines(io, n, want, ARRAY_SIZE(want));
	assert_ptr_equal(hotmem_virtio_mem_at(hm, VMEM), a);
	assert_ptr_equal(hotmem_virtio_mem_at(hm, VMEM + 512 * MiB), b);
	assert_ptr_equal(hotmem_virtio_mem_at(hm, VMEM + 640 * MiB), c);
	assert_ptr_equal(hotmem_virtio_mem_at(hm, VMEM + 768 * MiB), e);
	(void)d;
	check(hm);
	hotmem_destroy(hm);
}

/*
 * r_show() counts a line's depth up to MAX_IORES_LEVEL (5) and prints
 * deeper ones at 5: six regions nested at one start, the sixth device's
 * memory in it (depth 6, printed at 5).
 */
static void test_iomem_depth_stops_at_5(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL " memhp_default_state=offline");
	struct hotmem_virtio_mem *vm = NULL;
	struct hm_iomem_entry io[64];
	size_t n;

	(void)state;
	for (int i = 0; i < 6; i++)
		vm = probe_at(hm, VMEM, 1 * GiB - (uint64_t)i * 128 * MiB);
	assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 128 * MiB, NULL), 0);
	n = iomem_from(hm, VMEM, "virtio0", io, ARRAY_SIZE(io));
	assert_true(n >= 7);
	for (size_t i = 0; i < 7; i++) {
		assert_int_equal(io[i].start, VMEM);
		assert_int_equal(io[i].depth, i < 5 ? (int)i : 5);
	}
	assert_string_equal(io[5].name, "virtio5");
	assert_string_equal(io[6].name, "System RAM (virtio_mem)");
	assert_ptr_equal(hotmem_virtio_mem_at(hm, VMEM), vm);
	check(hm);
	hotmem_destroy(hm);
}

/*
 * Removing a device another's region nests in.  6.12's
 * virtio_mem_deinit_hotplug() keeps the region while memory is added in
 * it -- the nested device's too (busy System RAM in the range) -- and
 * warns; with none it deletes the resource, and release_resource() takes
 * the nested region out of /proc/iomem with it, that device's resource
 * left with a freed parent.  hotmem keeps the outer device, -EBUSY and
 * nothing changed, saying which and why once a reason; the nested one
 * removed, it goes.
 */
static void test_remove_refused_while_a_region_nests(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL " memhp_default_state=offline");
	struct hotmem_virtio_mem *a = probe(hm, 1 * GiB, 2 * MiB);
	struct hotmem_virtio_mem *b = probe_at(hm, VMEM + 512 * MiB, 256 * MiB);
	static struct hm_iomem_entry before[64], after[64];
	size_t n, mark;

	(void)state;
	assert_int_equal(hotmem_virtio_mem_set_requested_size(b, 128 * MiB, NULL), 0);
	n = iomem_from(hm, VMEM, "virtio0", before, ARRAY_SIZE(before));
	mark = log_len(hm);
	assert_int_equal(hotmem_virtio_mem_remove(a), -EBUSY);
	assert_non_null(strstr(log_since(hm, mark),
			       "<4>virtio_mem virtio0: device still has system memory added ([mem "
			       "0x120000000-0x127ffffff], in its region, which virtio1's [mem "
			       "0x120000000-0x12fffffff] nests in; 6.12 removes the driver and leaves "
			       "its region, with both, in /proc/iomem; hotmem keeps the device)\n"));
	assert_int_equal(iomem_from(hm, VMEM, "virtio0", after, ARRAY_SIZE(after)), n);
	assert_memory_equal(before, after, n * sizeof(*before));
	/* the nested device's memory gone: refused still, for the other reason */
	assert_int_equal(hotmem_virtio_mem_set_requested_size(b, 0, NULL), 0);
	n = iomem_from(hm, VMEM, "virtio0", before, ARRAY_SIZE(before));
	assert_true(n >= 2);
	assert_string_equal(before[1].name, "virtio1");
	assert_true(n == 2 || before[2].start >= VMEM + 1 * GiB);
	mark = log_len(hm);
	assert_int_equal(hotmem_virtio_mem_remove(a), -EBUSY);
	assert_non_null(strstr(log_since(hm, mark),
			       "<4>virtio_mem virtio0: device region holds virtio1's [mem "
			       "0x120000000-0x12fffffff] (6.12 releases both from /proc/iomem, "
			       "virtio1's left pointing at the freed one; hotmem keeps the device)\n"));
	assert_int_equal(iomem_from(hm, VMEM, "virtio0", after, ARRAY_SIZE(after)), n);
	assert_memory_equal(before, after, n * sizeof(*before));
	check(hm);
	/* again: said once */
	mark = log_len(hm);
	assert_int_equal(hotmem_virtio_mem_remove(a), -EBUSY);
	assert_null(strstr(log_since(hm, mark), "virtio0"));
	/* the nested one first, then the outer one */
	assert_int_equal(hotmem_virtio_mem_remove(b), 0);
	assert_ptr_equal(hotmem_virtio_mem_at(hm, VMEM), a);
	assert_int_equal(hotmem_virtio_mem_remove(a), 0);
	assert_null(hotmem_virtio_mem_at(hm, VMEM));
	check(hm);
	hotmem_destroy(hm);
}

/*
 * A nested device's block going online is told to every device whose
 * region holds it, as 6.12's memory notifier chain tells them (each
 * driver asks virtio_mem_overlaps_range() alone): the outer driver has
 * no state for it and refuses it ("memory block onlining denied", and
 * what 6.12 does instead), so it stays offline, the nested driver's
 * state with it -- what a guest with such devices sees.
 */
static void test_nested_devices_block_online_refused_by_the_outer(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL " memhp_default_state=offline");
	struct hotmem_virtio_mem *a = probe(hm, 1 * GiB, 2 * MiB);
	struct hotmem_virtio_mem *b = probe_at(hm, VMEM + 512 * MiB, 256 * MiB);
	size_t mark;

	(void)state;
	(void)a;
	assert_int_equal(hotmem_virtio_mem_set_requested_size(b, 128 * MiB, NULL), 0);
	assert_int_equal(block_state(hm, 36), HM_MEM_OFFLINE);
	mark = log_len(hm);
	assert_int_equal(hotmem_block_set_state(hm, 36, HM_MMOP_ONLINE_MOVABLE), -EPERM);
	assert_non_null(strstr(log_since(hm, mark),
			       "<4>virtio_mem virtio0: memory block onlining denied\n"
			       "<4>virtio_mem virtio0: memory block 36 is not the driver's (no "
			       "mb_states yet): 6.12 oopses here (NULL mb_states), hotmem refuses it\n"));
	assert_int_equal(block_state(hm, 36), HM_MEM_OFFLINE);
	assert_int_equal(info(b).plugged_size, 128 * MiB);
	check(hm);
	hotmem_destroy(hm);
}

/*
 * The pages of a nested device's block going online are the innermost
 * region's driver's to online (virtio_mem_online_page_cb()): 6.12's
 * register_virtio_mem_device() puts each device at the head of its list,
 * so the first holding a page is the one created last.  Here the outer
 * device (BBM) lets the block through -- it added the big block there
 * and removed it since, its state UNUSED, which BBM onlines -- and the
 * nested one (SBM) has half of it plugged: the unplugged half must stay
 * fake-offline.  The first device in hotmem's list, the outer one,
 * onlined the block whole, the unplugged half into the buddy.
 */
static void test_nested_block_onlined_by_the_inner_driver(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL " memhp_default_state=offline");
	struct hotmem_virtio_mem *a = NULL, *b;
	unsigned long total;

	(void)state;
	assert_int_equal(hotmem_virtio_mem_probe(hm, 0, VMEM, 1 * GiB, 128 * MiB, &a), 0);
	assert_false(info(a).sbm);
	b = probe_at(hm, VMEM + 512 * MiB, 256 * MiB);
	assert_true(info(b).sbm);
	/* the outer device's big blocks 36 and 37 nest in the inner region, then go */
	assert_int_equal(hotmem_virtio_mem_set_requested_size(a, 768 * MiB, NULL), 0);
	assert_int_equal(block_state(hm, 37), HM_MEM_OFFLINE);
	assert_int_equal(hotmem_virtio_mem_set_requested_size(a, 512 * MiB, NULL), 0);
	assert_int_equal(block_state(hm, 36), -1);
	assert_int_equal(info(a).plugged_size, 512 * MiB);
	/* the inner device plugs half of memory36 */
	assert_int_equal(hotmem_virtio_mem_set_requested_size(b, 64 * MiB, NULL), 0);
	assert_int_equal(block_state(hm, 36), HM_MEM_OFFLINE);
	total = memtotal_kb(hm);
	assert_int_equal(hotmem_block_set_state(hm, 36, HM_MMOP_ONLINE_MOVABLE), 0);
	assert_int_equal(memtotal_kb(hm) - total, 64 * 1024);
	assert_false(pflags(hm, VMEM + 576 * MiB - HM_PAGE_SIZE) & (1UL << HM_PG_offline));
	assert_true(pflags(hm, VMEM + 576 * MiB) & (1UL << HM_PG_offline));
	assert_true(pflags(hm, VMEM + 640 * MiB - HM_PAGE_SIZE) & (1UL << HM_PG_offline));
	check(hm);
	hotmem_destroy(hm);
}

/* both lists as they are, and hotmem_maps_gen() read before them */
struct maps_seen {
	uint64_t gen;
	struct hm_iomem_entry io[64];
	struct hm_fwmap_entry fw[64];
	size_t nio, nfw;
};

static void maps_look(struct hotmem *hm, struct maps_seen *m)
{
	memset(m, 0, sizeof(*m));
	m->gen = hotmem_maps_gen(hm);
	m->nio = hotmem_iomem(hm, m->io, 64);
	m->nfw = hotmem_firmware_map(hm, m->fw, 64);
	assert_true(m->nio <= 64 && m->nfw <= 64);
}

static bool maps_same(const struct maps_seen *a, const struct maps_seen *b)
{
	return a->nio == b->nio && a->nfw == b->nfw && !memcmp(a->io, b->io, sizeof(a->io)) &&
	       !memcmp(a->fw, b->fw, sizeof(a->fw));
}

/*
 * hotmem_maps_gen(): a front end keeps its copy of /proc/iomem and
 * firmware/memmap while the count stands, so every change of either must
 * move it (a DIMM, a removal of part of one, a virtio-mem device, its
 * plug and unplug), and onlines and offlines must not (hotmemfs would copy
 * both lists once an online/offline cycle, O(machine) on 131072 blocks).
 */
static void test_maps_gen_moves_with_the_maps_only(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL " memhp_default_state=offline");
	struct hotmem_virtio_mem *vm = NULL;
	struct maps_seen was, now;
	unsigned int moved = 0;

	(void)state;
	maps_look(hm, &was);
#define STEP(call, expect_move)                                                                  \
	do {                                                                                     \
		call;                                                                            \
		maps_look(hm, &now);                                                             \
		/* the lists changed: the count moved; the count stands: they are the same */  \
		if (!maps_same(&was, &now))                                                      \
			assert_true(now.gen != was.gen);                                         \
		if (now.gen == was.gen)                                                          \
			assert_true(maps_same(&was, &now));                                      \
		assert_int_equal(now.gen != was.gen, (expect_move));                             \
		moved += now.gen != was.gen;                                                     \
		was = now;                                                                       \
	} while (0)
	STEP(assert_int_equal(hotmem_add_memory(hm, 0, 4 * GiB, 384 * MiB, 0, -1), 0), true);
	STEP(assert_int_equal(hotmem_add_memory(hm, 0, 4 * GiB, 128 * MiB, 0, -1), -EEXIST), false);
	for (int i = 0; i < 3; i++) {
		STEP(assert_int_equal(hotmem_block_set_state(hm, 33, HM_MMOP_ONLINE_MOVABLE), 0), false);
		STEP(assert_int_equal(hotmem_block_set_state(hm, 33, HM_MMOP_OFFLINE), 0), false);
	}
	STEP(assert_int_equal(hotmem_block_set_state(hm, 34, HM_MMOP_ONLINE), 0), false);
	STEP(assert_int_equal(hotmem_remove_memory(hm, 4 * GiB + 256 * MiB, 128 * MiB), -EBUSY), false);
	/* the middle block: the resource splits in two, the firmware entry (not exact) stays */
	STEP(assert_int_equal(hotmem_remove_memory(hm, 4 * GiB + 128 * MiB, 128 * MiB), 0), true);
	STEP(assert_int_equal(hotmem_virtio_mem_probe(hm, 0, 8 * GiB, 1 * GiB, 2 * MiB, &vm), 0),
	     true);
	STEP(assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 256 * MiB, NULL), 0), true);
	STEP(assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 256 * MiB, NULL), 0), false);
	STEP(assert_int_equal(hotmem_virtio_mem_set_requested_size(vm, 0, NULL), 0), true);
	STEP(assert_int_equal(hotmem_virtio_mem_remove(vm), 0), true);
#undef STEP
	assert_int_equal(moved, 6);
	check(hm);
	hotmem_destroy(hm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_maps_gen_moves_with_the_maps_only),
		cmocka_unit_test(test_refresh_config_lines),
		cmocka_unit_test(test_probed_block_before_the_drivers_first),
		cmocka_unit_test(test_probed_blocks_past_the_drivers),
		cmocka_unit_test(test_probed_unused_block_is_not_the_drivers),
		cmocka_unit_test(test_bbm_probed_block),
		cmocka_unit_test(test_remove_refused_with_probed_memory),
		cmocka_unit_test(test_remove_refused_said_once_an_episode),
		cmocka_unit_test(test_onlining_denied_is_ratelimited),
		cmocka_unit_test(test_offline_begin_told_per_block),
		cmocka_unit_test(test_add_memory_resource_traced),
		cmocka_unit_test(test_sbm_plug_1g),
		cmocka_unit_test(test_size_changed_each_request),
		cmocka_unit_test(test_memmap_failure_by_the_workqueue_kworker),
		cmocka_unit_test(test_fake_offline_target_failure_by_the_workqueue_kworker),
		cmocka_unit_test(test_sbm_partial_block_is_fake_offline),
		cmocka_unit_test(test_lowmem_reserve_set_at_online_only),
		cmocka_unit_test(test_sbm_offline_block_onlines_plugged_part_only),
		cmocka_unit_test(test_shrink_stops_at_unmovable_pages),
		cmocka_unit_test(test_shrink_removal_refused_is_retried),
		cmocka_unit_test(test_unplugged_block_not_removed_ends_busy),
		cmocka_unit_test(test_auto_movable_with_dynamic_group),
		cmocka_unit_test(test_offline_threshold_stops_adding),
		cmocka_unit_test(test_region_full_is_no_threshold),
		cmocka_unit_test(test_unplug_online_off_retries_on_offline),
		cmocka_unit_test(test_bbm_unplug_online_off_retries_on_offline),
		cmocka_unit_test(test_bbm_plugs_whole_big_blocks),
		cmocka_unit_test(test_force_bbm_and_bbm_block_size),
		cmocka_unit_test(test_restore_plugged_exactly),
		cmocka_unit_test(test_restore_leftover),
		cmocka_unit_test(test_probe_refuses_bad_devices),
		cmocka_unit_test(test_config_read_early),
		cmocka_unit_test(test_probe_region_without_whole_block),
		cmocka_unit_test(test_probe_region_without_whole_big_block),
		cmocka_unit_test(test_restore_refused_changes_nothing),
		cmocka_unit_test(test_restore_faults_change_nothing),
		cmocka_unit_test(test_remove_refused_changes_nothing),
		cmocka_unit_test(test_probe_refuses_overlap),
		cmocka_unit_test(test_alloc_contig_range),
		cmocka_unit_test(test_unplug_exact),
		cmocka_unit_test(test_unplug_exact_refused_plugs_back),
		cmocka_unit_test(test_unplug_exact_plug_back_takes_the_undo_reserve),
		cmocka_unit_test(test_unplug_exact_plug_back_refused_is_said),
		cmocka_unit_test(test_unplug_exact_removal_refused_plugs_back),
		cmocka_unit_test(test_unplug_exact_bbm_removal_refused),
		cmocka_unit_test(test_restore_and_unplug_want_whole_sub_blocks),
		cmocka_unit_test(test_lost_memmap_virtio_mem_plug),
		cmocka_unit_test(test_lost_memmap_virtio_mem_unplug),
		cmocka_unit_test(test_device_busy_retries_silently),
		cmocka_unit_test(test_device_nack_starts_over),
		cmocka_unit_test(test_device_error_marks_broken),
		cmocka_unit_test(test_plugged_not_added_unplugged_first),
		cmocka_unit_test_teardown(test_readers_copy_never_behind, wraps_off),
		cmocka_unit_test_teardown(test_probe_refused_without_its_copy, wraps_off),
		cmocka_unit_test_teardown(test_boot_dmesg_without_its_copy, wraps_off),
		cmocka_unit_test(test_boot_dmesg_short_keeps_end),
		cmocka_unit_test(test_iomem_sorted_as_the_slow_walk),
		cmocka_unit_test(test_probe_index),
		cmocka_unit_test(test_probe_refused_busy_says_its_setup_first),
		cmocka_unit_test(test_add_memory_across_region_edge_refused),
		cmocka_unit_test(test_probe_nests_in_a_devices_region),
		cmocka_unit_test(test_iomem_depth_stops_at_5),
		cmocka_unit_test(test_remove_refused_while_a_region_nests),
		cmocka_unit_test(test_nested_devices_block_online_refused_by_the_outer),
		cmocka_unit_test(test_nested_block_onlined_by_the_inner_driver),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
