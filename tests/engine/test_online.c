// SPDX-License-Identifier: GPL-2.0
/* Onlining: zone choice exactly as the kernel, state semantics, notifiers. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/filter.h>
#include <linux/userfaultfd.h>
#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "helpers.h"
#include "internal.h"
#include "../cmocka_skip.h"

#define DIMM 0x100000000ULL

static void test_contig_zones_defaults_and_valid_zones(void **state)
{
	struct hotmem *hm = boot("default", NULL);

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 512 * MiB, 0, -1), 0);
	assert_string_equal(valid_zones(hm, 32), "Normal Movable\n");
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_MOVABLE), 0);
	assert_int_equal(hotmem_block_set_state(hm, 34, HM_MMOP_ONLINE_MOVABLE), 0);
	/* block 33 now lies inside ZONE_MOVABLE's span: it inherits Movable */
	assert_string_equal(valid_zones(hm, 33), "Movable Normal\n");
	assert_int_equal(hotmem_block_set_state(hm, 33, HM_MMOP_ONLINE), 0);
	assert_int_equal(block_zone(hm, 33), HM_ZONE_MOVABLE);
	/* beyond the Movable span, plain "online" means the kernel zone */
	assert_int_equal(hotmem_block_set_state(hm, 35, HM_MMOP_ONLINE), 0);
	assert_int_equal(block_zone(hm, 35), HM_ZONE_NORMAL);
	assert_string_equal(valid_zones(hm, 35), "Normal\n");
	check(hm);
	hotmem_destroy(hm);
}

static void test_movable_node_prefers_movable(void **state)
{
	struct hotmem *hm = boot("default", "movable_node");

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 128 * MiB, 0, -1), 0);
	assert_string_equal(valid_zones(hm, 32), "Movable Normal\n");
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE), 0);
	assert_int_equal(block_zone(hm, 32), HM_ZONE_MOVABLE);
	hotmem_destroy(hm);
}

static const char *const machine_8g =
	"name = eight\n"
	"maxmem = 64G\n"
	"ram = 0x1000-0x9efff\n"
	"ram = 0x100000-0xbfffffff\n"
	"ram = 0x100000000-0x23fffffff\n"
	"cmdline = memory_hotplug.online_policy=auto-movable\n";

/* Documentation/admin-guide/mm/memory-hotplug.rst: ratio 301, 8 GiB -> 24 GiB */
static void test_auto_movable_ratio_301_allows_24g_on_8g(void **state)
{
	struct hotmem_config cfg;
	struct hotmem *hm;
	char err[256];

	(void)state;
	hotmem_config_default(&cfg);
	assert_int_equal(hotmem_config_parse_text(&cfg, machine_8g, err, sizeof(err)), 0);
	assert_int_equal(hotmem_create(&cfg, &hm, err, sizeof(err)), 0);
	assert_int_equal(hotmem_add_memory(hm, 0, 0x240000000ULL, 25 * GiB, HM_MHP_MEMMAP_ON_MEMORY,
					   -1), 0);
	for (unsigned long id = 72; id < 72 + 192; id++) {
		assert_int_equal(hotmem_block_set_state(hm, id, HM_MMOP_ONLINE), 0);
		if (block_zone(hm, id) != HM_ZONE_MOVABLE)
			fail_msg("memory%lu (%lu MiB movable so far) went to %d", id,
				 (id - 72) * 128, block_zone(hm, id));
	}
	/* 24 GiB movable reached: the next block must go to the kernel */
	assert_int_equal(hotmem_block_set_state(hm, 72 + 192, HM_MMOP_ONLINE), 0);
	assert_int_equal(block_zone(hm, 72 + 192), HM_ZONE_NORMAL);
	/* a lower ratio moves the line */
	assert_int_equal(hotmem_set_auto_movable_ratio(hm, 0), 0);
	assert_string_equal(valid_zones(hm, 72 + 193), "Normal Movable\n");
	hotmem_destroy(hm);
}

static int online_until_kernel(struct hotmem *hm, unsigned long first, unsigned long n)
{
	for (unsigned long id = first; id < first + n; id++) {
		assert_int_equal(hotmem_block_set_state(hm, id, HM_MMOP_ONLINE), 0);
		if (block_zone(hm, id) != HM_ZONE_MOVABLE)
			return (int)(id - first);
	}
	return (int)n;
}

static void test_auto_movable_is_numa_aware(void **state)
{
	struct hotmem *hm = boot("numa2", "memory_hotplug.online_policy=auto-movable "
					  "memory_hotplug.memmap_on_memory=1");

	(void)state;
	/* node 1 has 1 GiB of kernel memory: 301% of it is 24 blocks */
	assert_int_equal(hotmem_add_memory(hm, 1, DIMM, 4 * GiB, HM_MHP_MEMMAP_ON_MEMORY, -1), 0);
	assert_int_equal(online_until_kernel(hm, 32, 32), 24);
	hotmem_destroy(hm);

	hm = boot("numa2", "memory_hotplug.online_policy=auto-movable "
			   "memory_hotplug.memmap_on_memory=1 "
			   "memory_hotplug.auto_movable_numa_aware=N");
	/* machine-wide, 2 GiB of kernel memory allow 48 blocks */
	assert_int_equal(hotmem_add_memory(hm, 1, DIMM, 4 * GiB, HM_MHP_MEMMAP_ON_MEMORY, -1), 0);
	assert_int_equal(online_until_kernel(hm, 32, 32), 32);
	check(hm);
	hotmem_destroy(hm);
}

static void test_static_memory_group_goes_movable_all_or_nothing(void **state)
{
	struct hotmem *hm = boot("default", "memory_hotplug.online_policy=auto-movable "
					    "memory_hotplug.memmap_on_memory=1");
	int small, big;

	(void)state;
	/* 2 GiB fits 301% of ~1 GiB: all of it Movable */
	small = hotmem_register_static_memory_group(hm, 0, (2 * GiB) >> 12);
	assert_true(small >= 0);
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 2 * GiB, HM_MHP_MEMMAP_ON_MEMORY, small), 0);
	assert_int_equal(online_until_kernel(hm, 32, 16), 16);
	/* a 4 GiB group can never be all Movable: all of it goes Normal */
	big = hotmem_register_static_memory_group(hm, 0, (4 * GiB) >> 12);
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM + 2 * GiB, 4 * GiB,
					   HM_MHP_MEMMAP_ON_MEMORY, big), 0);
	assert_int_equal(online_until_kernel(hm, 48, 32), 0);
	assert_int_equal(hotmem_block_set_state(hm, 49, HM_MMOP_ONLINE), 0);
	assert_int_equal(block_zone(hm, 49), HM_ZONE_NORMAL);
	assert_int_equal(hotmem_unregister_memory_group(hm, big), -EBUSY);
	check(hm);
	hotmem_destroy(hm);
}

static void test_dynamic_group_unit_follows_its_online_parts(void **state)
{
	struct hotmem *hm = boot("default", "memory_hotplug.online_policy=auto-movable");
	int g;

	(void)state;
	/* virtio-mem: 256 MiB units; a unit with a kernel part stays kernel */
	g = hotmem_register_dynamic_memory_group(hm, 0, (256 * MiB) >> 12);
	assert_true(g >= 0);
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 512 * MiB, 0, g), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_KERNEL), 0);
	assert_int_equal(hotmem_block_set_state(hm, 33, HM_MMOP_ONLINE), 0);
	assert_int_equal(block_zone(hm, 33), HM_ZONE_NORMAL);
	assert_int_equal(hotmem_block_set_state(hm, 34, HM_MMOP_ONLINE), 0);
	assert_int_equal(block_zone(hm, 34), HM_ZONE_MOVABLE);
	assert_int_equal(hotmem_register_dynamic_memory_group(hm, 0, 3), -EINVAL);
	check(hm);
	hotmem_destroy(hm);
}

static void test_going_online_notifier_error_leaves_block_offline(void **state)
{
	struct hotmem *hm = boot("default", "memory_hotplug.memmap_on_memory=1 " IDLE_KERNEL);
	struct hm_snapshot before, after;
	struct ev_log log;
	static char dmesg[64 * 1024];

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 256 * MiB, HM_MHP_MEMMAP_ON_MEMORY, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 33, HM_MMOP_ONLINE_MOVABLE), 0);
	ev_log_attach(hm, &log);
	snapshot(hm, &before);
	assert_int_equal(hotmem_set_notifier_error(hm, HM_MEM_GOING_ONLINE, -ENOMEM), 0);
	assert_int_equal(hotmem_get_notifier_error(hm, HM_MEM_GOING_ONLINE), -ENOMEM);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_MOVABLE), -ENOMEM);
	snapshot(hm, &after);
	assert_same(&before, &after);
	assert_string_equal(log.buf, "");
	/* lib/notifier-error-inject.c's pr_info() (toolsfix) */
	hotmem_dmesg(hm, dmesg, sizeof(dmesg));
	assert_non_null(strstr(dmesg, "<6>Injecting error (-12) to MEM_GOING_ONLINE\n"));
	check(hm);
	assert_int_equal(hotmem_set_notifier_error(hm, HM_MEM_GOING_ONLINE, 0), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_MOVABLE), 0);
	assert_string_equal(log.buf, "online:32");
	assert_int_equal(hotmem_set_notifier_error(hm, HM_MEM_ONLINE, -1), -EINVAL);
	assert_int_equal(hotmem_set_notifier_error(hm, HM_MEM_GOING_ONLINE, 5), -EINVAL);
	check(hm);
	hotmem_destroy(hm);
}

/*
 * In a child the host refuses userfaultfd(2) to (seccomp: ENOSYS, as a
 * host without it): a self-hosted memmap is then written into fresh
 * host memory at online (2 MiB a 128 MiB block), and an online that
 * would leave the host less than hotmem.host_reserve= is refused with
 * ENOMEM before anything changed; a memmap shared with its template
 * costs the host no such memory and is never refused; a state file's
 * restore is not checked.  The child's exit status is the first check
 * that failed.
 */
static int refused_without_userfaultfd(void)
{
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_userfaultfd, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { ARRAY_SIZE(filter), filter };
	struct hotmem_config cfg;
	struct hotmem *hm;
	char err[512], log[16384];

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog))
		return 2;
	if (hotmem_config_builtin(&cfg, "default") ||
	    hotmem_config_parse_cmdline(&cfg, "memory_hotplug.memmap_on_memory=1 "
					"hotmem.host_reserve=1000T " IDLE_KERNEL, err, sizeof(err)) ||
	    hotmem_create(&cfg, &hm, err, sizeof(err)))
		return 3;
	if (hotmem_add_memory(hm, 0, DIMM, 128 * MiB, HM_MHP_MEMMAP_ON_MEMORY, -1) ||
	    hotmem_add_memory(hm, 0, DIMM + 128 * MiB, 128 * MiB, 0, -1))
		return 4;
	if (hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_MOVABLE) != -ENOMEM)
		return 5;
	hotmem_dmesg(hm, log, sizeof(log));
	if (!strstr(log, "<3>hotmem: [mem 0x100200000-0x107ffffff]: its memmap takes 2 MiB "
			 "of this host's memory") ||
	    !strstr(log, "online refused (ENOMEM), not left to the host's OOM killer"))
		return 6;
	/* a memmap from system RAM shares its template: nothing to refuse */
	if (hotmem_block_set_state(hm, 33, HM_MMOP_ONLINE_MOVABLE))
		return 7;
	/* a state file's restore brings the acknowledged machine back: no check */
	hotmem_host_reserve_suspend(hm, true);
	if (hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_MOVABLE) ||
	    hotmem_block_set_state(hm, 32, HM_MMOP_OFFLINE))
		return 8;
	hotmem_host_reserve_suspend(hm, false);
	if (hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_MOVABLE) != -ENOMEM)
		return 9;
	if (hotmem_check_invariants(hm, err, sizeof(err)))
		return 10;
	hotmem_destroy(hm);
	return 0;
}

/*
 * boot() for a forked child: NULL, said on stderr, where boot() fails
 * through cmocka, whose longjmp in a child ran the rest of the suite there
 * (review reread19-engine E6)
 */
static struct hotmem *child_boot(const char *cmdline)
{
	struct hotmem_config cfg;
	struct hotmem *hm = NULL;
	char err[512] = "";

	if (hotmem_config_builtin(&cfg, "default") ||
	    hotmem_config_parse_cmdline(&cfg, cmdline, err, sizeof(err)) ||
	    hotmem_create(&cfg, &hm, err, sizeof(err))) {
		fprintf(stderr, "# child: boot: %s\n", err);
		return NULL;
	}
	return hm;
}

/* @child in a forked child: its wait status (bounded: see run_in_child()) */
static int child_status(int (*child)(void))
{
	int status = -1;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid)
		_exit(child());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

/*
 * @child run in a forked child, which must exit 0 (its exit status is the
 * first check that failed), or be killed by @sig if not 0.  Bounded: a
 * child either ends by itself (no userfaultfd, nothing waits on a fault)
 * or its alarm() ends it.
 */
static void run_in_child(int (*child)(void), int sig)
{
	const int status = child_status(child);

	if (sig) {
		assert_true(WIFSIGNALED(status));
		assert_int_equal(WTERMSIG(status), sig);
		return;
	}
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/*
 * A self-hosted memmap leaves its template's pages holes of the memfd
 * (vmemmap_holes.c): an online costs the host ~160 KiB, but any reader of
 * the memmap fills the holes it reads (up to 2 MiB a section, for good),
 * so the check counts the memmap in full and refuses, as without a
 * userfaultfd (refused_without_userfaultfd(); selfreview finding 3: it
 * was counted 0 and never refused).  hotmem.host_reserve=0 turns the
 * check off.
 */
static void test_online_refused_when_host_memory_would_run_out(void **state)
{
	struct hm_block_info info;
	struct hotmem *hm;
	char log[16384];

	(void)state;
	run_in_child(refused_without_userfaultfd, 0);

	hm = boot("default", "memory_hotplug.memmap_on_memory=1 hotmem.host_reserve=1000T "
		  IDLE_KERNEL);
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 128 * MiB, HM_MHP_MEMMAP_ON_MEMORY, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_MOVABLE), -ENOMEM);
	hotmem_dmesg(hm, log, sizeof(log));
	assert_non_null(strstr(log, "[mem 0x100200000-0x107ffffff]: its memmap takes 2 MiB"));
	assert_non_null(strstr(log, "online refused (ENOMEM)"));
	assert_int_equal(hotmem_block_info(hm, 32, &info), 0);
	assert_int_equal(info.state, HM_MEM_OFFLINE);
	check(hm);
	hotmem_destroy(hm);

	hm = boot("default", "memory_hotplug.memmap_on_memory=1 hotmem.host_reserve=0 " IDLE_KERNEL);
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 128 * MiB, HM_MHP_MEMMAP_ON_MEMORY, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_MOVABLE), 0);
	check(hm);
	hotmem_destroy(hm);
}

/* host_memory_room()'s last read as @avail bytes, @age_ms old, nothing granted since */
static void room_read(struct hotmem *hm, uint64_t avail, unsigned long age_ms)
{
	hm->host_room_read_ms = hm_ratelimit_now_ms() - age_ms;
	hm->host_room_avail = avail;
	hm->host_room_total = avail;
	hm->host_room_granted = 0;
}

/*
 * host_memory_room()'s read of /proc/meminfo answers for 20 ms: with
 * hotmem.host_reserve=1000T any real read refuses, so an online granted
 * is one the cached read granted.  Its grants are summed: a second online
 * past the cached room reads afresh (and is refused, the cache dropped);
 * a read 21 ms old is not used.  A first online that took the machine
 * more than ~15 ms (load) is tried again, so no timing is asserted.
 */
static void test_host_room_read_answers_for_20ms_summing_grants(void **state)
{
	const uint64_t keep = 1000ULL << 40, memmap = 2 * MiB;
	struct hotmem *hm;
	unsigned long t0 = 0;
	int i, ret = -1;

	(void)state;
	hm = boot("default", "memory_hotplug.memmap_on_memory=1 hotmem.host_reserve=1000T "
		  IDLE_KERNEL);
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 128 * MiB, HM_MHP_MEMMAP_ON_MEMORY, -1), 0);
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM + 128 * MiB, 128 * MiB, HM_MHP_MEMMAP_ON_MEMORY,
					 -1), 0);
	/* a fresh read with room for one memmap and a half: the first online from it */
	for (i = 0; i < 100; i++) {
		room_read(hm, keep + memmap + memmap / 2, 0);
		t0 = hm->host_room_read_ms;
		ret = hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_MOVABLE);
		if (hm_ratelimit_now_ms() - t0 < 15)
			break;
		if (!ret)
			assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_OFFLINE), 0);
	}
	assert_int_equal(ret, 0);
	assert_int_equal(hm->host_room_read_ms, t0);
	/* its memmap less what the altmap holds, ~2 MiB: counted against the read */
	assert_in_range(hm->host_room_granted, memmap - 64 * 1024, memmap);
	/* the second's memmap is past what is left: a fresh read, which refuses */
	assert_int_equal(hotmem_block_set_state(hm, 33, HM_MMOP_ONLINE_MOVABLE), -ENOMEM);
	assert_int_equal(hm->host_room_read_ms, 0);
	/* a read 21 ms old with room to spare is read again: refused */
	room_read(hm, keep << 4, 21);
	assert_int_equal(hotmem_block_set_state(hm, 33, HM_MMOP_ONLINE_MOVABLE), -ENOMEM);
	assert_int_equal(hm->host_room_read_ms, 0);
	check(hm);
	hotmem_destroy(hm);
}

/*
 * The two fixtures' machine: default, memmap_on_memory, no host reserve,
 * a 256 MiB DIMM added with its memmap self-hosted (the add probes the
 * host's UFFDIO_COPY help at that first self-hosted memmap).  NULL: the
 * add failed.
 */
static const char *self_hosted_cmdline = "memory_hotplug.memmap_on_memory=1 "
					  "hotmem.host_reserve=0 " IDLE_KERNEL;

static struct hotmem *boot_self_hosted_dimm(void)
{
	struct hotmem *hm = child_boot(self_hosted_cmdline);

	if (!hm)
		return NULL;
	if (hotmem_add_memory(hm, 0, DIMM, 256 * MiB, HM_MHP_MEMMAP_ON_MEMORY, -1)) {
		hotmem_destroy(hm);
		return NULL;
	}
	return hm;
}

/*
 * In a child whose UFFDIO_COPY the host refuses (seccomp: ENOMEM, what
 * shmem_mfill_atomic_pte() returns when the memcg charge fails): the
 * online's copies and the fault thread's fills write each hole through
 * the memfd instead, the refusal is logged, the memmap is right, and the
 * next online writes its memmap rather than leave holes.  It
 * spun for good before (every fault answered with a wake).  alarm() bounds
 * a child that hangs.
 */
static int copy_refused(void)
{
	struct hotmem *hm;
	char err[512], log[16384];
	unsigned long flags;
	size_t resident;

	alarm(300);
	/*
	 * After the add: its probe of the host's help (the first self-hosted
	 * memmap's) found UFFDIO_COPY allowed; every thread, the fault
	 * thread started at the add too
	 */
	hm = boot_self_hosted_dimm();
	if (!hm)
		return 4;
	if (refuse_uffdio_copy(false, true))
		return 2;
	if (hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_MOVABLE))
		return 5;
	/* a hole of the online block, and one of the offline block, read */
	if (hotmem_page_flags(hm, (DIMM >> 12) + 5000, &flags) ||
	    page_zonenum(pfn_to_page(hm, (DIMM >> 12) + 5000)) != ZONE_MOVABLE ||
	    hotmem_page_flags(hm, (DIMM >> 12) + 32768 + 5000, &flags))
		return 6;
	hotmem_dmesg(hm, log, sizeof(log));
	if (!strstr(log, "the host refused UFFDIO_COPY") || !strstr(log, "Cannot allocate memory"))
		return 7;
	if (hotmem_check_invariants(hm, err, sizeof(err)))
		return 8;
	/* no new holes once refused: the next memmap is written (~2 MiB of the host, not ~160 KiB) */
	resident = hotmem_ram_resident_bytes(hm);
	if (hotmem_block_set_state(hm, 33, HM_MMOP_ONLINE_MOVABLE) ||
	    hotmem_ram_resident_bytes(hm) - resident < 1 * MiB)
		return 11;
	if (hotmem_block_set_state(hm, 32, HM_MMOP_OFFLINE) ||
	    hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_KERNEL) ||
	    page_zonenum(pfn_to_page(hm, (DIMM >> 12) + 5000)) != ZONE_NORMAL)
		return 9;
	if (hotmem_check_invariants(hm, err, sizeof(err)))
		return 10;
	hotmem_destroy(hm);
	return 0;
}

/*
 * A host whose UFFDIO_COPY is refused from the start (seccomp: ENOMEM
 * before the engine boots; a policy or a kernel without shmem userfaultfd
 * support alike): the probe at the first self-hosted memmap finds it, and
 * that memmap is written in full at its online -- no copy is tried and refused
 * at the online or at a fault (before: the first refused copy said so,
 * "the host refused UFFDIO_COPY at ...", and each hole before it was a
 * refused ioctl and a write).  Said once, at the first registration.
 */
static int copy_refused_from_boot(void)
{
	struct hotmem *hm;
	char err[512], log[16384];
	unsigned long flags;
	size_t resident;

	alarm(300);
	if (refuse_uffdio_copy(false, false))
		return 2;
	hm = boot_self_hosted_dimm();
	if (!hm)
		return 4;
	resident = hotmem_ram_resident_bytes(hm);
	if (hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_MOVABLE))
		return 5;
	/* written at the online: ~2 MiB of the host, not ~160 KiB */
	if (hotmem_ram_resident_bytes(hm) - resident < 1 * MiB)
		return 6;
	if (hotmem_page_flags(hm, (DIMM >> 12) + 5000, &flags) ||
	    page_zonenum(pfn_to_page(hm, (DIMM >> 12) + 5000)) != ZONE_MOVABLE)
		return 7;
	hotmem_dmesg(hm, log, sizeof(log));
	if (strstr(log, "the host refused UFFDIO_COPY at"))
		return 8;
	if (!strstr(log, "vmemmap: this host refuses UFFDIO_COPY for a memfd page (Cannot allocate memory), found at the first self-hosted memmap") ||
	    strstr(strstr(log, "found at the first") + 1, "found at the first"))
		return 9;
	if (hotmem_block_set_state(hm, 33, HM_MMOP_ONLINE_KERNEL) ||
	    hotmem_check_invariants(hm, err, sizeof(err)))
		return 10;
	hotmem_destroy(hm);
	return 0;
}

/*
 * @op run in a thread of its own whose UFFDIO_COPY and pwrite64 the host
 * refuses (seccomp: ENOMEM, a filter on that thread alone -- the fault
 * thread and this one are not filtered): its return value.
 */
struct refused_op {
	struct hotmem *hm;
	int (*op)(struct hotmem *hm);
	int ret;
};

static void *run_refused(void *arg)
{
	struct refused_op *r = arg;

	r->ret = refuse_uffdio_copy(true, false) ? -ECHILD : r->op(r->hm);
	return NULL;
}

static int with_no_memory_for_holes(struct hotmem *hm, int (*op)(struct hotmem *hm))
{
	struct refused_op r = { hm, op, 0 };
	pthread_t t;

	assert_int_equal(pthread_create(&t, NULL, run_refused, &r), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	return r.ret;
}

static int online_32(struct hotmem *hm)
{
	return hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_MOVABLE);
}

static int offline_32(struct hotmem *hm)
{
	return hotmem_block_set_state(hm, 32, HM_MMOP_OFFLINE);
}

/*
 * @op refused with ENOMEM where the host gives no memory for the holes,
 * the machine as it was, block 32 still @state, the log saying @said;
 * then @op succeeds.
 */
static void refused_then_done(struct hotmem *hm, int (*op)(struct hotmem *hm), int state,
			      const char *said)
{
	struct hm_snapshot before, after;
	char log[16384];

	snapshot(hm, &before);
	assert_int_equal(with_no_memory_for_holes(hm, op), -ENOMEM);
	snapshot(hm, &after);
	assert_same(&before, &after);
	assert_int_equal(block_state(hm, 32), state);
	hotmem_dmesg(hm, log, sizeof(log));
	assert_non_null(strstr(log, said));
	check(hm);
	assert_int_equal(op(hm), 0);
	check(hm);
}

/*
 * An online or offline whose own copies into a self-hosted memmap's
 * holes the host gives no memory for (UFFDIO_COPY and the write through
 * the memfd refused, ENOMEM) fails with ENOMEM, undone, the machine as it
 * was (6.12 online_pages()/memory_block_online() unwinding): it aborted
 * the process after 10 s.  The same operation succeeds afterwards.
 */
static void online_offline_refused_no_memory(void)
{
	struct hotmem *hm;

	hm = boot("default", "memory_hotplug.memmap_on_memory=1 hotmem.host_reserve=0 " IDLE_KERNEL);
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 256 * MiB, HM_MHP_MEMMAP_ON_MEMORY, -1), 0);
	refused_then_done(hm, online_32, HM_MEM_OFFLINE,
			  "the host gives no memory for the memmap page at");
	hotmem_destroy(hm);

	/* an offline: refused before it changed anything */
	hm = boot("default", "memory_hotplug.memmap_on_memory=1 hotmem.host_reserve=0 " IDLE_KERNEL);
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 128 * MiB, HM_MHP_MEMMAP_ON_MEMORY, -1), 0);
	assert_int_equal(online_32(hm), 0);
	refused_then_done(hm, offline_32, HM_MEM_ONLINE,
			  "failed due to a memmap the host left unmapped, or gave no memory for");
	hotmem_destroy(hm);
}

/*
 * A touch of a hole the host gives no memory for, not even through the
 * memfd (seccomp: every thread, the fault thread too), cannot fail with
 * an errno: the process aborts after 10 s, saying on stderr which access
 * of which thread it could not serve (vmemmap_holes.c holes_fault_write()
 * says why).  The child's stderr goes to @touch_log.
 */
static char touch_log[64];

static int touch_refused(void)
{
	struct hotmem *hm;
	unsigned long flags;
	int fd;

	alarm(300);
	signal(SIGABRT, SIG_DFL);
	fd = open(touch_log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || dup2(fd, 2) < 0)
		return 2;
	hm = child_boot("memory_hotplug.memmap_on_memory=1 hotmem.host_reserve=0 " IDLE_KERNEL);
	if (!hm)
		return 6;
	if (hotmem_add_memory(hm, 0, DIMM, 128 * MiB, HM_MHP_MEMMAP_ON_MEMORY, -1) ||
	    hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_MOVABLE))
		return 3;
	/* every thread, the fault thread too */
	if (refuse_uffdio_copy(true, true))
		return 4;
	/* a hole of the online block: pfn 0x101388's vmemmap page */
	hotmem_page_flags(hm, (DIMM >> 12) + 5000, &flags);
	return 5;
}

static void test_online_when_host_refuses_uffdio_copy(void **state)
{
	int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY);
	char out[4096];
	ssize_t n;

	(void)state;
	/* no userfaultfd at all: no holes, no copy to refuse (finalH 7) */
	if (fd < 0) {
		skip_why("no userfaultfd here (5.19+, or a seccomp filter)");
	}
	close(fd);
	run_in_child(copy_refused_from_boot, 0);
	run_in_child(copy_refused, 0);
	online_offline_refused_no_memory();
	/* abort() after 10 s, said on stderr */
	snprintf(touch_log, sizeof(touch_log), "/tmp/hotmem-touch-refused.%d", (int)getpid());
	run_in_child(touch_refused, SIGABRT);
	fd = open(touch_log, O_RDONLY);
	assert_true(fd >= 0);
	n = read(fd, out, sizeof(out) - 1);
	close(fd);
	unlink(touch_log);
	assert_true(n > 0);
	out[n] = 0;
	assert_non_null(strstr(out, "touched the struct pages of pfns 0x101380-0x1013bf (memory block 32), a hole of a self-hosted memmap, and the host gave no memory for it in 10 s (Cannot allocate memory): aborting"));
	assert_non_null(strstr(out, "A memory access cannot fail with an errno"));
}

/*
 * A child's failed boot is its exit status (4: boot_self_hosted_dimm()
 * gave NULL), never a cmocka failure in the child: its longjmp ran the
 * rest of test_online in the child, which exited with a failure count
 * (review reread19-engine E6).
 */
static void test_child_boot_failure_is_its_exit_status(void **state)
{
	const char *saved = self_hosted_cmdline;
	int status;

	(void)state;
	self_hosted_cmdline = "memory_hotplug.memmap_on_memory=maybe";
	status = child_status(copy_refused);
	self_hosted_cmdline = saved;
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 4);
}

static void test_online_frees_max_order_chunks_to_the_tail(void **state)
{
	struct hotmem *hm = boot("default", "memory_hotplug.memmap_on_memory=1");
	struct hm_zone_info zi;

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 128 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM + 128 * MiB, 128 * MiB,
					   HM_MHP_MEMMAP_ON_MEMORY, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_MOVABLE), 0);
	assert_int_equal(hotmem_zone_info(hm, 0, HM_ZONE_MOVABLE, &zi), 0);
	assert_int_equal(zi.free_area[10], 32);
	assert_int_equal(zi.nr_free, 32768);
	/* memmap_on_memory: pageblock aligned start, one order-9 chunk first */
	assert_int_equal(hotmem_block_set_state(hm, 33, HM_MMOP_ONLINE_MOVABLE), 0);
	assert_int_equal(hotmem_zone_info(hm, 0, HM_ZONE_MOVABLE, &zi), 0);
	assert_int_equal(zi.free_area[9], 1);
	assert_int_equal(zi.free_area[10], 32 + 31);
	assert_int_equal(zi.present, 65536);
	assert_int_equal(zi.managed, 65536 - 512);
	check(hm);
	hotmem_destroy(hm);
}

static void test_state_and_online_file_semantics(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL);
	struct ev_log log;

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 128 * MiB, 0, -1), 0);
	ev_log_attach(hm, &log);
	/* state: the same state is EINVAL */
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_OFFLINE), -EINVAL);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_KERNEL), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_MOVABLE), -EINVAL);
	assert_int_equal(block_zone(hm, 32), HM_ZONE_NORMAL);	/* zone unchanged */
	assert_int_equal(hotmem_block_set_state(hm, 32, 7), -EINVAL);
	assert_int_equal(hotmem_block_set_state(hm, 99, HM_MMOP_ONLINE), -ENODEV);
	/* online: the same state is success, never EINVAL */
	assert_int_equal(hotmem_block_set_online(hm, 32, true), 0);
	assert_int_equal(hotmem_block_set_online(hm, 32, false), 0);
	assert_int_equal(hotmem_block_set_online(hm, 32, false), 0);
	assert_int_equal(block_state(hm, 32), HM_MEM_OFFLINE);
	assert_string_equal(log.buf, "online:32 offline:32");
	/* memory0 spans two zones: it cannot go offline */
	assert_int_equal(hotmem_block_set_state(hm, 0, HM_MMOP_OFFLINE), -EINVAL);
	hotmem_destroy(hm);
}

static void test_state_strings_parse_like_sysfs_streq(void **state)
{
	(void)state;
	assert_int_equal(hotmem_online_type_from_str("online", 6), HM_MMOP_ONLINE);
	assert_int_equal(hotmem_online_type_from_str("online\n", 7), HM_MMOP_ONLINE);
	assert_int_equal(hotmem_online_type_from_str("online_movable\n", 15),
			 HM_MMOP_ONLINE_MOVABLE);
	assert_int_equal(hotmem_online_type_from_str("offline", 7), HM_MMOP_OFFLINE);
	assert_int_equal(hotmem_online_type_from_str("online\0garbage", 14), HM_MMOP_ONLINE);
	assert_int_equal(hotmem_online_type_from_str("online\n\n", 8), -EINVAL);
	assert_int_equal(hotmem_online_type_from_str("online\r\n", 8), -EINVAL);
	assert_int_equal(hotmem_online_type_from_str("online ", 7), -EINVAL);
	assert_int_equal(hotmem_online_type_from_str(" online", 7), -EINVAL);
	assert_int_equal(hotmem_online_type_from_str("ONLINE", 6), -EINVAL);
	assert_int_equal(hotmem_online_type_from_str("\n", 1), -EINVAL);
	assert_int_equal(hotmem_online_type_from_str("", 0), -EINVAL);
	assert_int_equal(hotmem_online_type_from_str("online_kernelx", 14), -EINVAL);
	assert_int_equal(hotmem_online_type_from_str("1", 1), -EINVAL);
	assert_int_equal(hotmem_online_policy_from_str("auto-movable\n"),
			 HM_ONLINE_POLICY_AUTO_MOVABLE);
	assert_int_equal(hotmem_online_policy_from_str("auto"), -EINVAL);
	assert_string_equal(hotmem_state_name(HM_MEM_GOING_OFFLINE), "going-offline");
	assert_string_equal(hotmem_zone_name(HM_ZONE_MOVABLE), "Movable");
	assert_int_equal(hotmem_zone_from_name("DMA32"), HM_ZONE_DMA32);
}

/* explain's zone line of @id */
static const char *zone_line(struct hotmem *hm, unsigned long id)
{
	static struct hm_explain ex;

	assert_int_equal(hotmem_explain(hm, id, &ex), 0);
	return ex.zone_rule;
}

/*
 * A saved machine put back reads as saved: a block onlined by `online`
 * (the default zone's rule, here ZONE_NORMAL) comes back by
 * hotmem_block_restore_online() with its hm_block_info.online_type and
 * zone, and explain's zone line is the one it had; onlined by its zone's
 * type (online_kernel), as hotmemfs's state file restore did, it read
 * "online_kernel: ..." after a restart.  One the saved type would now put
 * elsewhere (Movable's span grew over it) comes back into its zone all
 * the same.
 */
static void test_restore_online_reads_as_saved(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL);
	struct hm_block_info bi;
	char saved[sizeof(((struct hm_explain *)0)->zone_rule)];

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 640 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE), 0);
	assert_int_equal(hotmem_block_info(hm, 32, &bi), 0);
	assert_int_equal(bi.online_type, HM_MMOP_ONLINE);
	assert_int_equal(bi.zone, HM_ZONE_NORMAL);
	snprintf(saved, sizeof(saved), "%s", zone_line(hm, 32));
	assert_true(saved[0]);
	/* a restart: offline, and back */
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_OFFLINE), 0);
	assert_int_equal(hotmem_block_info(hm, 32, &bi), 0);
	assert_int_equal(bi.online_type, HM_MMOP_OFFLINE);
	assert_int_equal(hotmem_block_restore_online(hm, 32, HM_MMOP_ONLINE, HM_ZONE_NORMAL), 0);
	assert_string_equal(zone_line(hm, 32), saved);
	assert_int_equal(block_zone(hm, 32), HM_ZONE_NORMAL);
	/* what the restore did: online_kernel reads otherwise */
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_OFFLINE), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_KERNEL), 0);
	assert_string_not_equal(zone_line(hm, 32), saved);
	assert_int_equal(hotmem_block_info(hm, 32, &bi), 0);
	assert_int_equal(bi.online_type, HM_MMOP_ONLINE_KERNEL);

	/* 34 saved `online` in Normal; Movable now spans it (33, 35): Normal still */
	assert_int_equal(hotmem_block_set_state(hm, 33, HM_MMOP_ONLINE_MOVABLE), 0);
	assert_int_equal(hotmem_block_set_state(hm, 35, HM_MMOP_ONLINE_MOVABLE), 0);
	assert_int_equal(hotmem_block_restore_online(hm, 34, HM_MMOP_ONLINE, HM_ZONE_NORMAL), 0);
	assert_int_equal(block_zone(hm, 34), HM_ZONE_NORMAL);
	assert_int_equal(hotmem_block_info(hm, 34, &bi), 0);
	assert_int_equal(bi.online_type, HM_MMOP_ONLINE_KERNEL);
	/* bad arguments change nothing */
	assert_int_equal(hotmem_block_restore_online(hm, 36, 7, HM_ZONE_NORMAL), -EINVAL);
	assert_int_equal(hotmem_block_restore_online(hm, 36, HM_MMOP_ONLINE, 9), -EINVAL);
	/* a zone neither type gives (reread19-engine E2): it went to Normal, 0 */
	assert_int_equal(hotmem_block_restore_online(hm, 36, HM_MMOP_ONLINE, HM_ZONE_DEVICE),
			 -EINVAL);
	assert_int_equal(hotmem_block_restore_online(hm, 36, HM_MMOP_ONLINE_KERNEL, HM_ZONE_DMA32),
			 -EINVAL);
	assert_int_equal(hotmem_block_restore_online(hm, 36, HM_MMOP_OFFLINE, HM_ZONE_DMA),
			 -EINVAL);
	assert_int_equal(block_state(hm, 36), HM_MEM_OFFLINE);
	/* saved HM_MMOP_OFFLINE (a boot block never onlined since) comes back by its zone */
	assert_int_equal(hotmem_block_restore_online(hm, 36, HM_MMOP_OFFLINE, HM_ZONE_NORMAL), 0);
	assert_int_equal(block_zone(hm, 36), HM_ZONE_NORMAL);
	check(hm);
	hotmem_destroy(hm);
}

static int count_alloc(void *arg, const struct hotmem_kmem_alloc *a)
{
	(void)a;
	++*(unsigned long *)arg;
	return 0;
}

/* the kernel's allocations: how many, and the log's end with the generator */
struct kmem_seen {
	unsigned long nr, end;
	uint64_t rng;
};

static struct kmem_seen kmem_seen(struct hotmem *hm)
{
	struct kmem_seen k = { 0 };
	uint64_t rng;

	assert_int_equal(hotmem_kmem_walk(hm, count_alloc, &k.nr, &rng), 0);
	k.end = hotmem_kmem_log_mark(hm, &k.rng);
	return k;
}

/*
 * A restore refused for its zone (ZONE_DEVICE, DMA32 above 4 GiB) changes
 * nothing, the kernel's allocations included (kernel_alloc on, the
 * default): the check comes before the tick an operation makes (review
 * reread21 H3: they moved, 4 allocations, before the -EINVAL).  One that
 * is done ticks as any online.
 */
static void test_restore_refused_moves_no_kernel_allocation(void **state)
{
	struct hotmem *hm = boot("default", "");
	struct kmem_seen before, after;

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 640 * MiB, 0, -1), 0);
	hotmem_kmem_log_start(hm);
	before = kmem_seen(hm);
	assert_int_equal(hotmem_block_restore_online(hm, 36, HM_MMOP_ONLINE, HM_ZONE_DEVICE),
			 -EINVAL);
	assert_int_equal(hotmem_block_restore_online(hm, 36, HM_MMOP_ONLINE_KERNEL, HM_ZONE_DMA32),
			 -EINVAL);
	after = kmem_seen(hm);
	assert_int_equal(after.nr, before.nr);
	assert_int_equal(after.end, before.end);
	assert_true(after.rng == before.rng);
	assert_int_equal(block_state(hm, 36), HM_MEM_OFFLINE);
	/* the check can fail: a restore done moved them */
	assert_int_equal(hotmem_block_restore_online(hm, 36, HM_MMOP_ONLINE, HM_ZONE_NORMAL), 0);
	after = kmem_seen(hm);
	assert_true(after.end > before.end);
	check(hm);
	hotmem_destroy(hm);
}

/*
 * An online maps the template over a section's memmap
 * (vmemmap_share_template()); a host that refuses and tears the range
 * down leaves a hole until vmemmap_map_memfd() maps it again or says it
 * unmapped.  explain, which may have read the block online before an
 * offline and this online, took SIGSEGV in that hole (explain_pages()).
 * At each failure point of an online into the other zone (a remap, not
 * a re-share), refused once or until the memmap is lost: no reader may
 * be in, and a thread explaining the block all along never faults.
 */
static void test_online_refusal_never_read_by_explain(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL);
	struct remap_window w;

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 0, 0x100000000ULL, 128 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_MOVABLE), 0);
	hm->fail_keeps_old = false;
	remap_window_start(hm, &w, 32);
	for (unsigned long i = 0; i < 120; i++) {
		int ret;

		if (block_state(hm, 32) == HM_MEM_ONLINE)
			assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_OFFLINE), 0);
		hotmem_fail_nth_alloc(hm, 1 + i % 6);
		hm->fail_more = i / 6 % 2 ? 3 : 0;
		ret = hotmem_block_set_state(hm, 32, i % 2 ? HM_MMOP_ONLINE_KERNEL
							    : HM_MMOP_ONLINE_MOVABLE);
		hotmem_fail_nth_alloc(hm, 0);
		hm->fail_more = 0;
		assert_true(ret == 0 || ret == -ENOMEM);
	}
	remap_window_stop(&w);
	check(hm);
	hotmem_destroy(hm);
}

/*
 * A subscriber's callback run by a memmap init chunk thread of an online
 * (here its log that the host gives no memory for a hole) reads a struct
 * page with hotmem_page_flags(): it must not wait for mem_hotplug_lock,
 * which the online holds while it waits to join that thread -- it hung the
 * process for good (finalI F1).  In a child bounded by alarm().
 */
static _Atomic long helper_op_tid;
static _Atomic int helper_calls, helper_calls_elsewhere;

static void page_flags_on_log(const struct hm_event *ev, void *arg)
{
	unsigned long fl;

	if (ev->type != HM_EV_LOG || !strstr(ev->msg, "gives no memory"))
		return;
	(void)hotmem_page_flags(arg, DIMM >> 12, &fl);
	atomic_fetch_add(&helper_calls, 1);
	if ((long)syscall(SYS_gettid) != atomic_load(&helper_op_tid))
		atomic_fetch_add(&helper_calls_elsewhere, 1);
}

static int online_1g(struct hotmem *hm)
{
	atomic_store(&helper_op_tid, (long)syscall(SYS_gettid));
	return hotmem_block_set_state(hm, DIMM >> 30, HM_MMOP_ONLINE_MOVABLE);
}

static int callback_in_chunk_thread(void)
{
	struct hotmem_config cfg;
	struct hotmem *hm;
	char err[256];
	unsigned long fl;

	alarm(60);	/* the hang, if get_online_mems() waits */
	hotmem_config_builtin(&cfg, "default");
	if (hotmem_config_parse_cmdline(&cfg, "memory_hotplug.memmap_on_memory=1 "
					"hotmem.host_reserve=0 " IDLE_KERNEL, err, sizeof(err)))
		return 3;
	cfg.block_size = 1ULL << 30;
	cfg.init_threads = 2;
	if (cfg.maxmem < DIMM + (1ULL << 30))
		cfg.maxmem = DIMM + (1ULL << 30);
	if (hotmem_create(&cfg, &hm, err, sizeof(err)))
		return 4;
	if (hotmem_add_memory(hm, 0, DIMM, 1ULL << 30, HM_MHP_MEMMAP_ON_MEMORY, -1))
		return 5;
	/* the altmap's own 64 vmemmap pages filled first: the first refused copy is in a chunk */
	for (unsigned long k = 0; k < 4096; k += 1024)
		(void)hotmem_page_flags(hm, (DIMM >> 12) + k, &fl);
	hotmem_subscribe(hm, page_flags_on_log, hm);
	if (with_no_memory_for_holes(hm, online_1g) != -ENOMEM)
		return 6;
	/* the chunk thread's callback ran and returned */
	if (!atomic_load(&helper_calls_elsewhere))
		return 7;
	hotmem_destroy(hm);
	return 0;
}

static void test_callback_in_memmap_init_thread_reads_page(void **state)
{
	pid_t pid;
	int st;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (!pid)
		_exit(callback_in_chunk_thread());
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (WIFSIGNALED(st))
		fprintf(stderr, "# child killed by signal %d (14: the callback never returned)\n",
			WTERMSIG(st));
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

struct memmap_seen {
	struct hotmem_memmap_at at[64];
	size_t n;
};

static int memmap_seen_add(void *arg, const struct hotmem_memmap_at *at)
{
	struct memmap_seen *m = arg;

	assert_true(m->n < 64);
	m->at[m->n++] = *at;
	return 0;
}

/*
 * hotmem_memmap_walk_range(): the memmaps from system RAM of a range's
 * sections only, as the whole walk has them (the state file's virtio-mem
 * record walks its ranges alone: O(the range), not O(the machine))
 */
static void test_memmap_walk_range_is_the_whole_walk_cut(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL " memhp_default_state=offline");
	const uint64_t dimm = 4ULL << 30, spp = (128ULL << 20) >> 12;
	struct memmap_seen all = { .n = 0 }, part = { .n = 0 }, none = { .n = 0 };
	size_t want = 0;

	(void)state;
	for (int d = 0; d < 3; d++)
		assert_int_equal(hotmem_add_memory(hm, 0, dimm + (uint64_t)d * (512ULL << 20),
						   512ULL << 20, 0, -1), 0);
	assert_int_equal(hotmem_memmap_walk(hm, memmap_seen_add, &all), 0);
	assert_true(all.n >= 12);
	/* the second DIMM's sections, its first and last cut by a pfn inside each */
	assert_int_equal(hotmem_memmap_walk_range(hm, (dimm >> 12) + 4 * spp + 1,
						  (dimm >> 12) + 8 * spp - 1, memmap_seen_add, &part),
			 0);
	for (size_t i = 0; i < all.n; i++) {
		uint64_t s = all.at[i].section_pfn;

		if (s >= (dimm >> 12) + 4 * spp && s < (dimm >> 12) + 8 * spp)
			assert_memory_equal(&part.at[want++], &all.at[i], sizeof(all.at[i]));
	}
	assert_int_equal(part.n, 4);
	assert_int_equal(want, part.n);
	/* empty, reversed, and past the machine's end */
	assert_int_equal(hotmem_memmap_walk_range(hm, dimm >> 12, dimm >> 12, memmap_seen_add, &none), 0);
	assert_int_equal(none.n, 0);
	assert_int_equal(hotmem_memmap_walk_range(hm, (dimm >> 12) + 8 * spp, dimm >> 12,
						  memmap_seen_add, &none), 0);
	assert_int_equal(none.n, 0);
	assert_int_equal(hotmem_memmap_walk_range(hm, UINT64_MAX - 1, UINT64_MAX, memmap_seen_add,
						  &none), 0);
	assert_int_equal(none.n, 0);
	hotmem_destroy(hm);
}

int main(void)
{
	/* not const: skip_why() names a skip's reason in it (cmocka_skip.h) */
	static struct CMUnitTest tests[] = {
		cmocka_unit_test(test_callback_in_memmap_init_thread_reads_page),
		cmocka_unit_test(test_memmap_walk_range_is_the_whole_walk_cut),
		cmocka_unit_test(test_contig_zones_defaults_and_valid_zones),
		cmocka_unit_test(test_movable_node_prefers_movable),
		cmocka_unit_test(test_auto_movable_ratio_301_allows_24g_on_8g),
		cmocka_unit_test(test_auto_movable_is_numa_aware),
		cmocka_unit_test(test_static_memory_group_goes_movable_all_or_nothing),
		cmocka_unit_test(test_dynamic_group_unit_follows_its_online_parts),
		cmocka_unit_test(test_going_online_notifier_error_leaves_block_offline),
		cmocka_unit_test(test_online_frees_max_order_chunks_to_the_tail),
		cmocka_unit_test(test_state_and_online_file_semantics),
		cmocka_unit_test(test_online_refused_when_host_memory_would_run_out),
		cmocka_unit_test(test_host_room_read_answers_for_20ms_summing_grants),
		cmocka_unit_test(test_online_when_host_refuses_uffdio_copy),
		cmocka_unit_test(test_state_strings_parse_like_sysfs_streq),
		cmocka_unit_test(test_online_refusal_never_read_by_explain),
		cmocka_unit_test(test_restore_online_reads_as_saved),
		cmocka_unit_test(test_restore_refused_moves_no_kernel_allocation),
		cmocka_unit_test(test_child_boot_failure_is_its_exit_status),
	};

	skip_register_tests(tests);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
