// SPDX-License-Identifier: GPL-2.0
/*
 * Holes in self-hosted memmaps (engine/vmemmap_holes.c): when the host's
 * help is asked for, and what an online of such a memmap asks of the
 * host.  Each case runs in a forked child (its seccomp filter stays
 * there); the child's exit status is the first check that failed.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "helpers.h"
#include "internal.h"
#include "../cmocka_skip.h"

#define DIMM 0x100000000ULL

/* a child's exit status: what it needs, the host lacks */
#define CHILD_SKIP	77

/*
 * @child run in a forked child, which must exit 0 (CHILD_SKIP: skipped);
 * alarm() bounds one that hangs
 */
static void run_in_child(int (*child)(void))
{
	int status = -1;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		alarm(300);
		_exit(child());
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFEXITED(status) && WEXITSTATUS(status) == CHILD_SKIP) {
		skip_why("no userfaultfd here (5.11+, or a seccomp filter): no holes");
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fail_msg("child: %s %d", WIFEXITED(status) ? "exit" : "signal",
			 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
}

/*
 * The host's help for holes is asked for at the first self-hosted
 * memmap, not at boot: a host that refuses UFFDIO_COPY from some moment
 * after boot (a policy set up then; here seccomp, ENOMEM) and before the
 * first self-hosted add has that memmap written in full, said once by
 * the probe -- not a boot's stale yes, then the online's first copy
 * refused ("the host refused UFFDIO_COPY at ...") and each hole a
 * refused ioctl and a write.
 */
static int probe_after_boot(void)
{
	struct hotmem *hm;
	char err[512], log[16384];
	size_t resident;

	hm = boot("default", "memory_hotplug.memmap_on_memory=1 hotmem.host_reserve=0 "
		  IDLE_KERNEL);
	if (refuse_uffdio_copy(false, false))
		return 2;
	if (hotmem_add_memory(hm, 0, DIMM, 128 * MiB, HM_MHP_MEMMAP_ON_MEMORY, -1))
		return 3;
	resident = hotmem_ram_resident_bytes(hm);
	if (hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_MOVABLE))
		return 4;
	/* written at the online: ~2 MiB of the host, not ~160 KiB */
	if (hotmem_ram_resident_bytes(hm) - resident < 1 * MiB)
		return 5;
	hotmem_dmesg(hm, log, sizeof(log));
	if (strstr(log, "the host refused UFFDIO_COPY at"))
		return 6;
	if (!strstr(log, "vmemmap: this host refuses UFFDIO_COPY for a memfd page (Cannot allocate memory), found at the first self-hosted memmap"))
		return 7;
	if (hotmem_check_invariants(hm, err, sizeof(err)))
		return 8;
	hotmem_destroy(hm);
	return 0;
}

static void test_probe_at_first_self_hosted_memmap(void **state)
{
	(void)state;
	run_in_child(probe_after_boot);
}

/* this process's address space now, in bytes (/proc/self/status VmSize) */
static unsigned long long vm_size(void)
{
	unsigned long long kb = 0;
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmSize: %llu kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb << 10;
}

/*
 * A template mapping refused because the host refuses the mapping that
 * writes the template (RLIMIT_AS: no room for 2 MiB more) says -ENOMEM,
 * as a refused MAP_FIXED of the memmap does, not -1 (-EPERM to a caller
 * passing it on); nothing is mapped, the template stays unwritten.
 */
static int template_write_refused(void)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL);
	struct page tmpl;
	struct rlimit as;
	int slot, ret;

	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.flags = 0x5a5a0;	/* no memmap's: a slot of its own, unwritten */
	slot = physmem_memmap_template(hm, &tmpl);
	if (slot < 0)
		return 2;
	as.rlim_cur = as.rlim_max = vm_size() + (1 << 20);
	if (!as.rlim_cur || setrlimit(RLIMIT_AS, &as))
		return 3;
	ret = physmem_map_vmemmap_template(hm, pfn_to_page(hm, DIMM >> 12), slot);
	as.rlim_cur = as.rlim_max = RLIM_INFINITY;
	setrlimit(RLIMIT_AS, &as);
	if (ret != -ENOMEM)
		return 4;
	if (hm->memmap_tmpl_written & (1u << slot))
		return 5;
	hotmem_destroy(hm);
	return 0;
}

static void test_template_write_refused_says_enomem(void **state)
{
	(void)state;
	run_in_child(template_write_refused);
}

/*
 * A prefilled first online (memory_block_prefetch(): the memmap's own
 * pages and the buddy heads copied in ahead) whose range leaves no holes
 * after all -- the holes stopped since (a refused copy elsewhere) --
 * writes the pages the prefill did not make; where the host gives no
 * memory for them (UFFDIO_COPY and the memfd write refused, every
 * thread), the online fails with ENOMEM and leaves the block offline,
 * as holes_copy()'s refusals do, its counters and node span as they
 * were (meminfo and the node's info compared).  Before, those pages were written in
 * place, trapped, and the fault thread aborted the process after 10 s.
 */
static int prefilled_write_refused(void)
{
	struct hm_meminfo mi_before, mi_after;
	struct hm_node_info ni_before, ni_after;
	struct hotmem *hm;
	struct hm_block_info info;

	hm = boot("default", "memory_hotplug.memmap_on_memory=1 hotmem.host_reserve=0 "
		  IDLE_KERNEL);
	if (hotmem_add_memory(hm, 0, DIMM, 128 * MiB, HM_MHP_MEMMAP_ON_MEMORY, -1))
		return 2;
	if (!hm->holes_running)
		return CHILD_SKIP;
	memory_block_prefetch(hm, find_memory_block_by_id(hm, 32));
	if (!(__atomic_load_n(&hm->hole_prefill[pfn_to_section_nr(DIMM >> 12)], __ATOMIC_SEQ_CST) &
	      HOLES_PREFILLED))
		return 3;
	/* as after a writer's refused copy: memmaps written in full from now on */
	__atomic_store_n(&hm->holes_copy_refused, true, __ATOMIC_RELAXED);
	/* the machine as it was before the online: counters, node span (zero padding) */
	memset(&mi_before, 0, sizeof(mi_before));
	memset(&mi_after, 0, sizeof(mi_after));
	memset(&ni_before, 0, sizeof(ni_before));
	memset(&ni_after, 0, sizeof(ni_after));
	hotmem_meminfo(hm, &mi_before);
	if (hotmem_node_info(hm, 0, &ni_before))
		return 7;
	if (refuse_uffdio_copy(true, true))
		return 4;
	if (hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_MOVABLE) != -ENOMEM)
		return 5;
	if (hotmem_block_info(hm, 32, &info) || info.state != HM_MEM_OFFLINE)
		return 6;
	/* a failed online leaves the machine as it was (memory_block_online()'s undo) */
	hotmem_meminfo(hm, &mi_after);
	if (memcmp(&mi_before, &mi_after, sizeof(mi_before)))
		return 8;
	if (hotmem_node_info(hm, 0, &ni_after) || memcmp(&ni_before, &ni_after, sizeof(ni_before)))
		return 9;
	return 0;
}

static void test_prefilled_online_refused_is_enomem(void **state)
{
	(void)state;
	run_in_child(prefilled_write_refused);
}

int main(void)
{
	/* not const: skip_why() names a skip's reason in it (cmocka_skip.h) */
	static struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe_at_first_self_hosted_memmap),
		cmocka_unit_test(test_template_write_refused_says_enomem),
		cmocka_unit_test(test_prefilled_online_refused_is_enomem),
	};

	skip_register_tests(tests);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
