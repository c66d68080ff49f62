/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libhmuapi: the kernel's user ABI for memory hotplug, in one place.
 *
 * The strings user space reads and writes (online types, uevent actions,
 * zone names), the kernel's parsers behind sysfs stores (sysfs_streq,
 * kstrtobool, kstrto*, memparse) and the uevent wire format.  The engine,
 * hotmemfs, hotmemctl and hotmemd all use this; it includes nothing of
 * the engine, so hotmemd links it without linking the engine.
 *
 * Kernel references are Linux 6.12: drivers/base/memory.c,
 * lib/kobject_uevent.c, mm/page_alloc.c, lib/string.c, lib/kstrtox.c,
 * lib/cmdline.c, kernel/params.c.
 */
#ifndef HMUAPI_H
#define HMUAPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- online types: include/linux/memory_hotplug.h MMOP_* ------------- */
enum hmu_mmop {
	HMU_MMOP_OFFLINE,
	HMU_MMOP_ONLINE,
	HMU_MMOP_ONLINE_KERNEL,
	HMU_MMOP_ONLINE_MOVABLE,
	HMU_NR_MMOP,
};
/* drivers/base/memory.c online_type_to_str[], NULL-terminated */
extern const char *const hmu_online_type_names[];
/* "unknown" for anything that is not an MMOP_* */
const char *hmu_online_type_name(int online_type);
/* mhp_online_type_from_str(): sysfs_streq() against each name; -EINVAL */
int hmu_online_type_from_str(const char *buf);

/* ---- uevent actions: lib/kobject_uevent.c kobject_actions[] ---------- */
enum hmu_kobject_action {
	HMU_KOBJ_ADD,
	HMU_KOBJ_REMOVE,
	HMU_KOBJ_CHANGE,
	HMU_KOBJ_MOVE,
	HMU_KOBJ_ONLINE,
	HMU_KOBJ_OFFLINE,
	HMU_KOBJ_BIND,
	HMU_KOBJ_UNBIND,
	HMU_NR_KOBJ_ACTIONS,
};
extern const char *const hmu_kobject_actions[];
/* NULL for anything that is not a kobject_action */
const char *hmu_kobject_action_name(int action);
/*
 * kobject_action_type()'s match of the first word: exactly @len bytes of
 * @buf name an action.  Returns the action or -EINVAL.
 */
int hmu_kobject_action_type(const char *buf, size_t len);

/* ---- zones: mm/page_alloc.c zone_names[] ----------------------------- */
#include "hmu_zone.h" /* enum hmu_zone */
extern const char *const hmu_zone_names[];
/* "none" for anything that is not a zone (a block spanning several) */
const char *hmu_zone_name(int zid);
/* exactly @len bytes of @s name a zone: its index, or -EINVAL */
int hmu_zone_from_name(const char *s, size_t len);

/* ---- memory_notify() actions: include/linux/memory.h MEM_* ------------ */
/*
 * Bit i of an action is the i-th name: 6.1's MEM_ONLINE (1 << 0) ..
 * MEM_CANCEL_OFFLINE (1 << 5), then 6.9's MEM_PREPARE_ONLINE and
 * MEM_FINISH_OFFLINE; the engine's HM_MEM_* and hotmem-trace's enum
 * hmt_mem_action are those bits.  "MEM_GOING_ONLINE" for 1 << 3, NULL
 * for a value that is not one action.
 */
const char *hmu_mem_action_name(long long action);
/* the action's value, 0 for a name that is not an action */
int hmu_mem_action_from_name(const char *name);
/*
 * A traced step's extra as a table shows it (hotmem-trace's, hotmemctl
 * events --trace): memory_notify's action by name, test_pages_isolated's
 * fin_pfn in hex as the pfns beside it, any other step's as a number
 * (engine/hotmem_probes.h says what each is).  @fn is the step's name.
 */
void hmu_trace_extra(const char *fn, long long extra, char *buf, size_t len);
/*
 * The EVENT column's width in those tables: the longest step's name,
 * create_altmaps_and_memory_blocks and remove_memory_blocks_and_altmaps
 * (6.12), 32 characters (tests/bpf/test_event.c checks every step fits).
 */
#define HMU_TRACE_EVENT_WIDTH 32

/* ---- lib/string.c ----------------------------------------------------- */
/* sysfs_streq(): equal, allowing one trailing '\n' on either side */
bool hmu_sysfs_streq(const char *s1, const char *s2);
/* __sysfs_match_string() over a NULL-terminated array: index or -EINVAL */
int hmu_sysfs_match_string(const char *const *array, const char *s);

/* ---- kernel/params.c: parameter names on the kernel command line ---- */
/*
 * parameq(): equal names, '-' and '_' one letter (values are not folded);
 * parameqn(): the first @n bytes so (a __setup()'s "name=" prefix).
 */
bool hmu_parameq(const char *a, const char *b);
bool hmu_parameqn(const char *a, const char *b, size_t n);

/* ---- lib/kstrtox.c, lib/cmdline.c ------------------------------------ */
/* kstrtobool(): looks at s[0] (and s[1] after 'o'); s is NUL-terminated */
int hmu_kstrtobool(const char *s, bool *res);
/* kstrtoull/kstrtouint(s, base): one trailing '\n' allowed */
int hmu_kstrtoull(const char *s, unsigned int base, unsigned long long *res);
int hmu_kstrtouint(const char *s, unsigned int base, unsigned int *res);
/* kstrtoll(): an optional '-', then as kstrtoull() without its '+' */
int hmu_kstrtoll(const char *s, unsigned int base, long long *res);
/* memparse(): "128M", "2G", "0x8000000", "1GiB"; -EINVAL/-ERANGE */
int hmu_memparse(const char *s, uint64_t *out);
/*
 * The kernel's own, where the number ends: simple_strtoull() (base 0:
 * from the prefix; an overflow wraps, as simple_strntoull() ignores it)
 * and memparse() (lib/cmdline.c: that, then one K/M/G/T/P/E).  *@end is
 * past what they took (@s when nothing).
 */
unsigned long long hmu_simple_strtoull(const char *s, const char **end, unsigned int base);
unsigned long long hmu_memparse_end(const char *s, const char **end);

/* ---- kernel/sysctl.c: a sysctl write as its handler parses it (sysctl.c) -- */
/*
 * proc_doulongvec_minmax()'s one unsigned long; proc_dointvec_minmax()'s
 * @n ints in [@min, @max] (*@nr stored, those before a bad one).  *@used:
 * the bytes the write takes.  -EINVAL as the handler's.
 */
int hmu_sysctl_get_ulong(const char *buf, size_t count, unsigned long long *v, size_t *used);
int hmu_sysctl_get_ints_nr(const char *buf, size_t count, int *vals, size_t n, long long min,
			   long long max, size_t *used, size_t *nr);
int hmu_sysctl_get_ints(const char *buf, size_t count, int *vals, size_t n, long long min,
			long long max, size_t *used);

/*
 * The /proc/sys/vm files hotmem models, in the order hotmemfs lists them:
 * X(NAME, ID).  One list for all who name them: the engine applies the
 * command line's sysctl.vm.NAME= words through their handlers
 * (engine/sysctl.c), hotmemfs serves each as the file of attribute
 * A_SYSCTL_<ID> (fusefs/tree.c), hotmem-enter binds each over the real
 * file (fusefs/enter.c) -- a name added here is all three (reread34 R6:
 * the engine had a list of its own beside hotmemfs's).
 */
#define HMU_VM_SYSCTLS(X)                                                                          \
	/* mm/hugetlb_sysctl.c's hugetlb_table[] (6.18; 6.12's in mm/hugetlb.c): the global pool */ \
	X("nr_hugepages", NR_HUGEPAGES)                                                            \
	X("nr_hugepages_mempolicy", NR_HUGEPAGES_MEMPOLICY)                                        \
	X("nr_overcommit_hugepages", NR_OVERCOMMIT)                                                \
	/* the watermarks' own (zoneinfo's min, low, high, protection): 6.12 page_alloc_sysctl_table */ \
	X("min_free_kbytes", MIN_FREE_KBYTES)                                                      \
	/* the watermark boost's cap (6.12 boost_watermark()), in that table: proc_dointvec_minmax() */ \
	X("watermark_boost_factor", WATERMARK_BOOST_FACTOR)                                        \
	X("watermark_scale_factor", WATERMARK_SCALE_FACTOR)                                        \
	/* the pagesets' limits (6.12 zone_set_pageset_high_and_batch()), in that table too */     \
	X("percpu_pagelist_high_fraction", PERCPU_PAGELIST_HIGH_FRACTION)                          \
	X("lowmem_reserve_ratio", LOWMEM_RESERVE_RATIO)                                            \
	/* 6.12 mm/hugetlb_vmemmap.c hugetlb_vmemmap_sysctls[]: proc_dobool() */                   \
	X("hugetlb_optimize_vmemmap", HUGETLB_OPTIMIZE_VMEMMAP)                                    \
	/* 6.12 kernel/sysctl.c vm_table[]: proc_doulongvec_minmax() */                            \
	X("user_reserve_kbytes", USER_RESERVE)                                                     \
	X("admin_reserve_kbytes", ADMIN_RESERVE)

#define HMU_VM_SYSCTL_ENUM(name, id) HMU_VM_##id,
enum hmu_vm_sysctl { HMU_VM_SYSCTLS(HMU_VM_SYSCTL_ENUM) HMU_VM_NR_SYSCTLS };
#undef HMU_VM_SYSCTL_ENUM

/* ---- hotmem's own numbers (numbers.c): what a user types to its tools -- */
/* decimal, or hex after 0x, never C's octal: kstrtoll()'s sign and end; -EINVAL */
int hmu_number(const char *s, long long *res);
/* the same, saying kstrtoll()'s errno: -ERANGE past long long, else -EINVAL */
int hmu_number_errno(const char *s, long long *res);
/* memoryN's N: decimal digits, no leading 0 ("010": octal 8 to C, 10 to chmem) */
int hmu_block_number(const char *s, long long *res);
/* what a block number must be, in every tool's refusal alike */
#define HMU_BLOCK_WHAT "a block number, 0 or more, decimal as in memoryN"
/*
 * Why @v was refused as a number (@block: as a block number), past what
 * it must be: a count given as a size ("4M"), it is what the user meant;
 * a block in C's spellings ("0x20", "010"), what it was read as before
 * (usereye7 #1).  "" when the rule's words say it all, else @buf.
 */
const char *hmu_number_hint(bool block, const char *v, char *buf, size_t len);

/* ---- the uevent wire format: lib/kobject_uevent.c -------------------- */
#define HMU_UEVENT_BUFFER_SIZE 8192 /* UEVENT_BUFFER_SIZE */

struct hmu_uevent {
	char action[16]; /* "add", "remove", "online", ... */
	char devpath[128]; /* "/devices/system/memory/memory32" */
	char subsystem[32]; /* "memory" */
	unsigned long long seqnum; /* 0: leave SEQNUM out */
	/* kobject_uevent_env()'s envp_ext, after SUBSYSTEM: NULL or NULL-terminated */
	const char *const *envp_ext;
};

/*
 * "ACTION@DEVPATH\0ACTION=..\0DEVPATH=..\0SUBSYSTEM=..\0[envp_ext\0...][SEQNUM=..\0]".
 * Returns the length including the last NUL, or -ENOSPC.
 */
int hmu_uevent_format(const struct hmu_uevent *ue, char *buf, size_t len);
/*
 * Parse one datagram: NUL-terminated, at most UEVENT_BUFFER_SIZE, with
 * ACTION and DEVPATH, the header agreeing with them.  -EINVAL otherwise
 * (also for udev's "libudev" messages and values too long for @ue).
 */
int hmu_uevent_parse(const char *buf, size_t len, struct hmu_uevent *ue);

#endif /* HMUAPI_H */
