// SPDX-License-Identifier: GPL-2.0
/*
 * The steps a kernel version does not show (absent.h).  Checked against
 * the kernels themselves, not their sources alone: inlining is the
 * compiler's choice.  6.1 and 6.12: the BTF of Debian's 6.1.0-56 and
 * 6.12.117 vmlinuz (tests/kernel/cache: every function that has a symbol
 * has a BTF FUNC); 6.18: /proc/kallsyms of a 6.18.44 kernel.  In all three
 * memory_block_online() and memory_block_offline() (static in
 * drivers/base/memory.c, one caller each, memory_block_action()) have no
 * symbol, nor do memory_block_action() and memory_block_change_state().
 *
 * 6.9 to 6.11, not booted here, from their changes (finalE F11: they took
 * 6.1's list, whose MEM_PREPARE_ONLINE and altmaps rows are false for
 * them): MEM_PREPARE_ONLINE and MEM_FINISH_OFFLINE came in 6.9 (the s390
 * memmap_on_memory series); create_altmaps_and_memory_blocks() and
 * remove_memory_blocks_and_altmaps() have symbols of their own already in
 * Ubuntu's 6.8.0-31 (DepSurf's BTF and kallsyms data of it), as has the
 * generic vmemmap_populate_hugepages() of mm/sparse-vmemmap.c since 6.2;
 * __meminit stayed "__cold notrace" until 73db3abdca58 ("init/modpost:
 * conditionally check section mismatch to __meminit*", 6.11: empty with
 * CONFIG_MEMORY_HOTPLUG), so 6.9 and 6.10 cannot trace sparse_add_section()
 * and the vmemmap_populate*() functions, 6.11 can; the kmem tracepoint
 * mm_setup_per_zone_wmarks is newer than 6.12.  6.2 to 6.8 still take
 * 6.1's list (not checked: its altmaps rows are wrong for 6.8, and a late
 * 6.6.y has 73db3abdca58 backported).
 */
#include <stdio.h>
#include <string.h>

#include "absent.h"

struct absent_step {
	const char *list; /* the kernel version it was checked on */
	const char *ev;
	const char *action; /* memory_notify's action, NULL: any */
	const char *why;
};

#define INLINED "inlined: static in drivers/base/memory.c, one caller, no symbol"
#define MEMINIT_NOTRACE "__meminit is notrace before 6.11: not traceable"

static const struct absent_step absent[] = {
	{ "6.1", "memory_block_online", NULL, INLINED },
	{ "6.1", "memory_block_offline", NULL, INLINED },
	/* 6.1's __meminit is notrace: fentry refused, kprobe EINVAL */
	{ "6.1", "sparse_add_section", NULL, "__meminit is notrace: not traceable" },
	{ "6.1", "vmemmap_populate", NULL, "__meminit is notrace: not traceable" },
	{ "6.1", "vmemmap_populate_basepages", NULL, "__meminit is notrace: not traceable" },
	{ "6.1", "vmemmap_populate_hugepages", NULL, "x86's own was static, inlined" },
	{ "6.1", "create_altmaps_and_memory_blocks", NULL, "per-block altmaps came later" },
	{ "6.1", "remove_memory_blocks_and_altmaps", NULL, "per-block altmaps came later" },
	{ "6.1", "memory_notify", "MEM_PREPARE_ONLINE", "no such notification before 6.9" },
	{ "6.1", "memory_notify", "MEM_FINISH_OFFLINE", "no such notification before 6.9" },
	{ "6.1", "mm_setup_per_zone_wmarks", NULL, "no such tracepoint (6.18 has it)" },
	/* 6.9, 6.10: 6.1's rows but the notifications and the altmaps */
	{ "6.9", "memory_block_online", NULL, INLINED },
	{ "6.9", "memory_block_offline", NULL, INLINED },
	{ "6.9", "sparse_add_section", NULL, MEMINIT_NOTRACE },
	{ "6.9", "vmemmap_populate", NULL, MEMINIT_NOTRACE },
	{ "6.9", "vmemmap_populate_basepages", NULL, MEMINIT_NOTRACE },
	{ "6.9", "vmemmap_populate_hugepages", NULL, MEMINIT_NOTRACE },
	{ "6.9", "mm_setup_per_zone_wmarks", NULL, "no such tracepoint (6.18 has it)" },
	/* 6.11: __meminit traceable, 6.12's rows */
	{ "6.11", "memory_block_online", NULL, INLINED },
	{ "6.11", "memory_block_offline", NULL, INLINED },
	{ "6.11", "mm_setup_per_zone_wmarks", NULL, "no such tracepoint (6.18 has it)" },
	{ "6.12", "memory_block_online", NULL, INLINED },
	{ "6.12", "memory_block_offline", NULL, INLINED },
	/* include/trace/events/kmem.h of 6.12 has none; 6.18 has it */
	{ "6.12", "mm_setup_per_zone_wmarks", NULL, "no such tracepoint (6.18 has it)" },
	{ "6.18", "memory_block_online", NULL, INLINED },
	{ "6.18", "memory_block_offline", NULL, INLINED },
};

static const char *const lists[] = { "6.1", "6.9", "6.11", "6.12", "6.18" };

/* "6.12.117+deb12" -> 6 * 1000 + 12; -1: not a version */
static long version_number(const char *v)
{
	unsigned int major, minor;
	char dot;

	if (!v || sscanf(v, "%u.%u", &major, &minor) != 2 || major > 99 || minor > 999)
		return -1;
	if (sscanf(v, "%*u.%*u%c", &dot) == 1 && dot != '.' && dot != '+' && dot != '-')
		return -1;
	return major * 1000L + minor;
}

const char *hmt_absent_list(const char *version)
{
	long want = version_number(version);
	const char *best = NULL;

	for (size_t i = 0; want >= 0 && i < sizeof(lists) / sizeof(lists[0]); i++)
		if (version_number(lists[i]) <= want)
			best = lists[i];
	return best;
}

const char *hmt_absent_lists(void)
{
	return "6.1, 6.9, 6.11, 6.12, 6.18";
}

const char *hmt_absent_why(const char *list, const char *ev, const char *action)
{
	for (size_t i = 0; list && i < sizeof(absent) / sizeof(absent[0]); i++) {
		const struct absent_step *s = &absent[i];

		if (!strcmp(s->list, list) && !strcmp(s->ev, ev) &&
		    (!s->action || (action && !strcmp(s->action, action))))
			return s->why;
	}
	return NULL;
}

/*
 * bpf/attach.c: memory_notify is traced on blocking_notifier_call_chain()
 * only for &memory_chain, whose address kallsyms then hides; the
 * memory_notify() symbol left misses the calls 6.9+ inlines into
 * memory_block_online/offline().  The vmemmap addresses need
 * vmemmap_base's.
 */
const char *hmt_hidden_why(const char *ev, const char *action)
{
	if (strcmp(ev, "memory_notify") || !action)
		return NULL;
	if (strcmp(action, "MEM_PREPARE_ONLINE") && strcmp(action, "MEM_FINISH_OFFLINE"))
		return NULL;
	return "kallsyms addresses hidden when traced (its header): an inlined call, "
	       "seen only through &memory_chain";
}

bool hmt_hidden_range(const char *ev)
{
	static const char *const evs[] = {
		"vmemmap_populate",	      "vmemmap_populate_hugepages",
		"vmemmap_populate_basepages", "vmemmap_free",
		"hugetlb_vmemmap_optimize",
	};

	for (size_t i = 0; i < sizeof(evs) / sizeof(evs[0]); i++)
		if (!strcmp(ev, evs[i]))
			return true;
	return false;
}
