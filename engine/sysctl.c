// SPDX-License-Identifier: GPL-2.0
/*
 * fs/proc/proc_sysctl.c do_sysctl_args() (6.12): the command line's
 * sysctl.NAME=VALUE words applied at the end of boot (kernel_init(),
 * after free_initmem()), each a write of VALUE to /proc/sys/NAME -- the
 * sysctl's own handler, as a write takes it.  Here the vm sysctls
 * hotmemfs serves (fusefs/hmfs.h HMFS_VM_SYSCTLS(): the same names), each
 * parsed by the handler's parser (engine/uapi/sysctl.c, hotmemfs's writes'
 * too) and set by the setter hotmemfs's write ends in: the values and
 * log lines are a write's.  The kernel's messages, as a 6.12.117 guest
 * printed them (sysctl.vm.min_free_kbytes=8000 sysctl.vm.nosuch=1
 * sysctl.vm.watermark_scale_factor=0 ...):
 *   Failed to set sysctl parameter 'vm.nosuch=1': parameter not found
 *   Failed to set sysctl parameter 'vm.watermark_scale_factor=0': invalid value
 *   Setting sysctl args: `' invalid for parameter `sysctl.vm.swappiness'
 * A vm sysctl of 6.12 that hotmem does not model (vm.swappiness=10) is
 * parsed as its handler parses it and said as the kernel says a value it
 * refuses ('vm.swappiness=300': invalid value), nothing stored; a sysctl
 * outside vm is not hotmem's (the kernel's own tables decide; nothing
 * said here).
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "uapi/hmuapi.h"

/*
 * The handlers: 0, or -EINVAL as the kernel's; *@used the bytes the
 * write took (kernel_write()'s answer)
 */
static int vm_min_free_kbytes(struct hotmem *hm, const char *val, size_t len, size_t *used)
{
	int v, ret = hmu_sysctl_get_ints(val, len, &v, 1, 0, INT_MAX, used);

	return ret ? ret : hotmem_set_min_free_kbytes(hm, v);
}

/* 6.12 page_alloc_sysctl_table: proc_dointvec_minmax() with extra1 SYSCTL_ZERO, no max */
static int vm_watermark_boost_factor(struct hotmem *hm, const char *val, size_t len, size_t *used)
{
	int v, ret = hmu_sysctl_get_ints(val, len, &v, 1, 0, INT_MAX, used);

	return ret ? ret : hotmem_set_watermark_boost_factor(hm, v);
}

static int vm_watermark_scale_factor(struct hotmem *hm, const char *val, size_t len, size_t *used)
{
	int v, ret = hmu_sysctl_get_ints(val, len, &v, 1, 1, 3000, used);

	return ret ? ret : hotmem_set_watermark_scale_factor(hm, v);
}

/*
 * 6.12 percpu_pagelist_high_fraction_sysctl_handler(): proc_dointvec_minmax()
 * from SYSCTL_ZERO, then 1..7 refused (the setter's -EINVAL, the old kept)
 */
static int vm_percpu_pagelist_high_fraction(struct hotmem *hm, const char *val, size_t len,
					    size_t *used)
{
	int v, ret = hmu_sysctl_get_ints(val, len, &v, 1, 0, INT_MAX, used);

	return ret ? ret : hotmem_set_percpu_pagelist_high_fraction(hm, v);
}

/* lowmem_reserve_ratio_sysctl_handler() ignores the parser's answer: the ratios before a bad one */
static int vm_lowmem_reserve_ratio(struct hotmem *hm, const char *val, size_t len, size_t *used)
{
	int ratio[HM_MAX_NR_ZONES];
	size_t nr;

	(void)hmu_sysctl_get_ints_nr(val, len, ratio, HM_MAX_NR_ZONES, INT_MIN, INT_MAX, used, &nr);
	hotmem_set_lowmem_reserve_ratio(hm, ratio, (int)nr);
	return 0;
}

/* proc_dobool(): proc_dointvec()'s one int, any, stored as a bool */
static int vm_hugetlb_optimize_vmemmap(struct hotmem *hm, const char *val, size_t len,
				       size_t *used)
{
	int v, ret = hmu_sysctl_get_ints(val, len, &v, 1, INT_MIN, INT_MAX, used);

	if (!ret)
		hotmem_set_hugetlb_optimize_vmemmap(hm, v != 0);
	return ret;
}

/* the proc_doulongvec_minmax() ones, by what they set */
enum vm_ulong { VM_NR_HUGEPAGES, VM_NR_OVERCOMMIT, VM_USER_RESERVE, VM_ADMIN_RESERVE };

static int vm_ulong(struct hotmem *hm, enum vm_ulong which, const char *val, size_t len,
		    size_t *used)
{
	unsigned long long v;
	int ret = hmu_sysctl_get_ulong(val, len, &v, used);
	long n;

	if (ret)
		return ret;
	switch (which) {
	case VM_NR_HUGEPAGES:	/* hugetlb_sysctl_handler(): the global pool, interleaved */
		n = hotmem_hugetlb_set_node(hm, NUMA_NO_NODE, (unsigned long)v);
		return n < 0 ? (int)n : 0;
	case VM_NR_OVERCOMMIT:
		hotmem_hugetlb_set_overcommit(hm, (unsigned long)v);
		break;
	case VM_USER_RESERVE:
		hotmem_set_user_reserve_kbytes(hm, (unsigned long)v);
		break;
	case VM_ADMIN_RESERVE:
		hotmem_set_admin_reserve_kbytes(hm, (unsigned long)v);
		break;
	}
	return 0;
}

static int vm_nr_hugepages(struct hotmem *hm, const char *val, size_t len, size_t *used)
{
	return vm_ulong(hm, VM_NR_HUGEPAGES, val, len, used);
}

static int vm_nr_overcommit_hugepages(struct hotmem *hm, const char *val, size_t len,
				      size_t *used)
{
	return vm_ulong(hm, VM_NR_OVERCOMMIT, val, len, used);
}

static int vm_user_reserve_kbytes(struct hotmem *hm, const char *val, size_t len, size_t *used)
{
	return vm_ulong(hm, VM_USER_RESERVE, val, len, used);
}

static int vm_admin_reserve_kbytes(struct hotmem *hm, const char *val, size_t len, size_t *used)
{
	return vm_ulong(hm, VM_ADMIN_RESERVE, val, len, used);
}

typedef int vm_sysctl_write_t(struct hotmem *hm, const char *val, size_t len, size_t *used);

/* the vm sysctls hotmem serves: uapi/hmuapi.h HMU_VM_SYSCTLS(), hotmemfs's files */
#define VM_SYSCTL_NAME(name, id) name,
static const char *const vm_sysctl_names[] = { HMU_VM_SYSCTLS(VM_SYSCTL_NAME) };
#undef VM_SYSCTL_NAME

/*
 * their handlers, by the list's IDs: a name the list gains without one
 * here is "parameter not found" at boot, which tests/fusefs/463 reads for
 * every file hotmemfs serves
 */
static vm_sysctl_write_t *const vm_sysctl_write[HMU_VM_NR_SYSCTLS] = {
	[HMU_VM_NR_HUGEPAGES] = vm_nr_hugepages,
	/* no mempolicy at boot: all nodes */
	[HMU_VM_NR_HUGEPAGES_MEMPOLICY] = vm_nr_hugepages,
	[HMU_VM_NR_OVERCOMMIT] = vm_nr_overcommit_hugepages,
	[HMU_VM_MIN_FREE_KBYTES] = vm_min_free_kbytes,
	[HMU_VM_WATERMARK_BOOST_FACTOR] = vm_watermark_boost_factor,
	[HMU_VM_WATERMARK_SCALE_FACTOR] = vm_watermark_scale_factor,
	[HMU_VM_PERCPU_PAGELIST_HIGH_FRACTION] = vm_percpu_pagelist_high_fraction,
	[HMU_VM_LOWMEM_RESERVE_RATIO] = vm_lowmem_reserve_ratio,
	[HMU_VM_HUGETLB_OPTIMIZE_VMEMMAP] = vm_hugetlb_optimize_vmemmap,
	[HMU_VM_USER_RESERVE] = vm_user_reserve_kbytes,
	[HMU_VM_ADMIN_RESERVE] = vm_admin_reserve_kbytes,
};

/*
 * 6.12's other /proc/sys/vm files (a 6.12.117 guest's, x86-64 Debian
 * config), not served by hotmemfs: a word for one is parsed as its
 * handler parses a write and said as the kernel says it -- nothing is
 * stored.  The
 * handlers, read in 6.12's tables (kernel/sysctl.c vm_table[], those of
 * mm/ and fs/) and checked against a 6.12.117 guest booted with the words
 * (tests/fixtures/sysctl-args; reread35 R6: `swappiness=abc` passed
 * without the kernel's "invalid value"):
 *  VM_INT: proc_dointvec_minmax() in [min, max] (proc_dointvec(): an
 *  int's range); VM_ULONG: proc_doulongvec_minmax(), at least min (the
 *  guest refuses dirty_bytes=1: -EINVAL, as a bad number or '-');
 *  VM_JIFFIES: proc_dointvec_jiffies(), |v| at most INT_MAX / HZ (Debian's
 *  HZ 250); VM_ANY: vmstat_refresh() takes any write; VM_COMPACT:
 *  sysctl_compaction_handler(), proc_dointvec() then -EINVAL unless 1;
 *  VM_ZONELIST_ORDER: numa_zonelist_order_handler() (__parse_numa_zonelist_order()): 'd',
 *  'D', 'n' or 'N' first ("Default", "Node": the sysctl reads "Node"),
 *  else warned and -EINVAL.
 */
enum vm_parse { VM_INT, VM_ULONG, VM_JIFFIES, VM_ANY, VM_COMPACT, VM_ZONELIST_ORDER };

#define VM_HZ 250	/* Debian's CONFIG_HZ_250 */

static const struct vm_unmodelled {
	const char *name;
	enum vm_parse parse;
	long long min, max;	/* VM_INT's; VM_ULONG's min */
} vm_unmodelled[] = {
	{ "compact_memory", VM_COMPACT, 0, 0 },
	{ "compact_unevictable_allowed", VM_INT, 0, 1 },
	{ "compaction_proactiveness", VM_INT, 0, 100 },
	{ "dirty_background_bytes", VM_ULONG, 1, 0 },	/* SYSCTL_LONG_ONE */
	{ "dirty_background_ratio", VM_INT, 0, 100 },
	{ "dirty_bytes", VM_ULONG, 8192, 0 },		/* dirty_bytes_min: 2 * PAGE_SIZE */
	{ "dirty_expire_centisecs", VM_INT, 0, INT_MAX },
	{ "dirty_ratio", VM_INT, 0, 100 },
	{ "dirty_writeback_centisecs", VM_INT, INT_MIN, INT_MAX },
	{ "dirtytime_expire_seconds", VM_INT, 0, INT_MAX },
	{ "drop_caches", VM_INT, 1, 4 },
	{ "enable_soft_offline", VM_INT, 0, 1 },
	{ "extfrag_threshold", VM_INT, 0, 1000 },
	{ "hugetlb_shm_group", VM_INT, INT_MIN, INT_MAX },
	{ "laptop_mode", VM_JIFFIES, 0, 0 },
	{ "legacy_va_layout", VM_INT, 0, INT_MAX },
	{ "max_map_count", VM_INT, 0, INT_MAX },
	{ "memfd_noexec", VM_INT, 0, 2 },
	{ "memory_failure_early_kill", VM_INT, 0, 1 },
	{ "memory_failure_recovery", VM_INT, 0, 1 },
	{ "min_slab_ratio", VM_INT, 0, 100 },
	{ "min_unmapped_ratio", VM_INT, 0, 100 },
	{ "mmap_min_addr", VM_ULONG, 0, 0 },
	{ "mmap_rnd_bits", VM_INT, 28, 32 },		/* x86-64's ARCH_MMAP_RND_BITS_MIN, _MAX */
	{ "mmap_rnd_compat_bits", VM_INT, 8, 16 },
	{ "numa_stat", VM_INT, 0, 1 },
	{ "numa_zonelist_order", VM_ZONELIST_ORDER, 0, 0 },
	{ "oom_dump_tasks", VM_INT, INT_MIN, INT_MAX },
	{ "oom_kill_allocating_task", VM_INT, INT_MIN, INT_MAX },
	{ "overcommit_kbytes", VM_ULONG, 0, 0 },
	{ "overcommit_memory", VM_INT, 0, 2 },
	{ "overcommit_ratio", VM_INT, INT_MIN, INT_MAX },
	{ "page-cluster", VM_INT, 0, 31 },		/* page_cluster_max */
	{ "page_lock_unfairness", VM_INT, 0, INT_MAX },
	{ "panic_on_oom", VM_INT, 0, 2 },
	{ "stat_interval", VM_JIFFIES, 0, 0 },
	{ "stat_refresh", VM_ANY, 0, 0 },
	{ "swappiness", VM_INT, 0, 200 },
	{ "unprivileged_userfaultfd", VM_INT, 0, 1 },
	{ "vfs_cache_pressure", VM_INT, 0, INT_MAX },
	{ "zone_reclaim_mode", VM_INT, 0, INT_MAX },
};

/*
 * A write of @val to unmodelled vm sysctl @u as its handler takes it: 0
 * or -EINVAL, *@used the bytes taken; nothing stored
 */
static int vm_unmodelled_write(struct hotmem *hm, const struct vm_unmodelled *u, const char *val,
			       size_t len, size_t *used)
{
	unsigned long long ul;
	int v, ret;

	*used = len;
	switch (u->parse) {
	case VM_INT:
		return hmu_sysctl_get_ints(val, len, &v, 1, u->min, u->max, used);
	case VM_ULONG:
		ret = hmu_sysctl_get_ulong(val, len, &ul, used);
		return ret ? ret : ul < (unsigned long long)u->min ? -EINVAL : 0;
	case VM_JIFFIES:	/* do_proc_dointvec_jiffies_conv(): *lvalp > INT_MAX / HZ refused */
		return hmu_sysctl_get_ints(val, len, &v, 1, -(INT_MAX / VM_HZ), INT_MAX / VM_HZ,
					   used);
	case VM_ANY:
		return 0;
	case VM_COMPACT:
		ret = hmu_sysctl_get_ints(val, len, &v, 1, INT_MIN, INT_MAX, used);
		return ret ? ret : v == 1 ? 0 : -EINVAL;
	case VM_ZONELIST_ORDER:	/* 6.12 takes the old "Node" order's n/N too, and ignores it */
		if (*val && strchr("dDnN", *val))
			return 0;
		pr_warn(hm, "Ignoring unsupported numa_zonelist_order value:  %s", val);
		return -EINVAL;
	}
	return 0;
}

/*
 * %pe of an error pointer into @buf: lib/errname.c's name of the errnos a
 * handler here can end with, else the number, as %pe prints an errno it
 * has no name for (reread34 R6: every other one was "-EIO")
 */
static const char *errname(int err, char *buf, size_t len)
{
	static const struct {
		int err;
		const char *name;
	} names[] = {
		{ -EPERM, "-EPERM" },	{ -ENOENT, "-ENOENT" }, { -EINTR, "-EINTR" },
		{ -EIO, "-EIO" },	{ -EAGAIN, "-EAGAIN" }, { -ENOMEM, "-ENOMEM" },
		{ -EACCES, "-EACCES" }, { -EBUSY, "-EBUSY" },	{ -EINVAL, "-EINVAL" },
		{ -ENOSPC, "-ENOSPC" }, { -ERANGE, "-ERANGE" }, { -EOVERFLOW, "-EOVERFLOW" },
		{ -ENOTDIR, "-ENOTDIR" }, { -EISDIR, "-EISDIR" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (names[i].err == err)
			return names[i].name;
	snprintf(buf, len, "%d", err);
	return buf;
}

/*
 * The sysctl path of @param into @name of @len, as 6.12's path walk
 * (file_open_root_mnt() of "sys/" + strreplace(path, '.', '/')) takes it:
 * its separators '/', a run of them one (link_path_walk()), none leading;
 * *@dir when it ends with one (a file then is ENOTDIR).  False when
 * @param is no sysctl word.  reread35 R6: `sysctl.vm..watermark_scale_factor=50`
 * was "not found" here, the kernel sets it.
 */
static bool sysctl_path(const char *param, char *name, size_t len, bool *dir)
{
	size_t n = 0;

	if (strncmp(param, "sysctl", 6) || (param[6] != '.' && param[6] != '/'))
		return false;
	for (const char *c = param + 7; *c && n + 1 < len; c++) {
		char ch = *c == '.' ? '/' : *c;

		if (ch == '/' && (!n || name[n - 1] == '/'))
			continue;
		name[n++] = ch;
	}
	*dir = n && name[n - 1] == '/';
	if (*dir)
		n--;
	name[n] = '\0';
	return true;
}

/*
 * One path rule for every reader of the words (hotmem profile
 * --from-sysfs too, which drops the line's pool words: reread35 R4):
 * what sysctl_path() makes of @param, a vm file's name
 */
bool hotmem_sysctl_vm_name(const char *param, char *name, size_t len)
{
	char path[128];
	bool dir;

	if (!sysctl_path(param, path, sizeof(path), &dir) || dir || strncmp(path, "vm/", 3) ||
	    !path[3] || strchr(path + 3, '/'))
		return false;
	snprintf(name, len, "%s", path + 3);
	return true;
}

/* the handler of vm sysctl @name ("vm/min_free_kbytes"), -1 for none served */
static long vm_sysctl_find(const char *name)
{
	if (strncmp(name, "vm/", 3))
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(vm_sysctl_names); i++)
		if (vm_sysctl_write[i] && !strcmp(name + 3, vm_sysctl_names[i]))
			return (long)i;
	return -1;
}

/* a sysctl word the engine applies: hotmemfs's files' */
bool sysctl_arg_modelled(const char *param)
{
	char name[128];
	bool dir;

	return sysctl_path(param, name, sizeof(name), &dir) && !dir && vm_sysctl_find(name) >= 0;
}

/* @name ("vm/x") one of 6.12's vm sysctls hotmem does not serve: its entry, else NULL */
static const struct vm_unmodelled *vm_sysctl_unmodelled(const char *name)
{
	if (strncmp(name, "vm/", 3))
		return NULL;
	for (size_t j = 0; j < ARRAY_SIZE(vm_unmodelled); j++)
		if (!strcmp(name + 3, vm_unmodelled[j].name))
			return &vm_unmodelled[j];
	return NULL;
}

/*
 * The open's error for @name, 0 when it opens: a directory (/proc/sys,
 * /proc/sys/vm) EISDIR for O_WRONLY, a file asked as a directory ENOTDIR
 * -- of the tables hotmem knows, vm's
 */
static int sysctl_open_error(const char *name, bool dir)
{
	if (!*name || !strcmp(name, "vm"))
		return -EISDIR;
	if (dir && (vm_sysctl_find(name) >= 0 || vm_sysctl_unmodelled(name)))
		return -ENOTDIR;
	return 0;
}

/*
 * 6.12 fs/proc/proc_sysctl.c sysctl_aliases[]: the old boot parameters
 * process_sysctl_arg() sets as the sysctl they became.  The kernel.*
 * ones are another table's (not hotmem's, as sysctl.kernel.* words);
 * numa_zonelist_order=X is vm.numa_zonelist_order's handler's.
 */
static const char *const sysctl_aliases[][2] = {
	{ "hardlockup_all_cpu_backtrace", "kernel.hardlockup_all_cpu_backtrace" },
	{ "hung_task_panic", "kernel.hung_task_panic" },
	{ "numa_zonelist_order", "vm.numa_zonelist_order" },
	{ "softlockup_all_cpu_backtrace", "kernel.softlockup_all_cpu_backtrace" },
};

/* sysctl_find_alias(): the sysctl (no "sysctl." prefix) alias @param stands for, NULL for none */
static const char *sysctl_find_alias(const char *param)
{
	for (size_t i = 0; i < ARRAY_SIZE(sysctl_aliases); i++)
		if (!strcmp(param, sysctl_aliases[i][0]))
			return sysctl_aliases[i][1];
	return NULL;
}

/*
 * 6.12 init/main.c unknown_bootoption() returns at once for such a word:
 * the sysctl's, never init's argument or environment, whether hotmem
 * models that sysctl or not
 */
bool sysctl_is_alias(const char *param)
{
	return sysctl_find_alias(param) != NULL;
}

/*
 * process_sysctl_arg() of one word @param=@val (@val NULL: no '='): the
 * path after "sysctl." or "sysctl/", its separators '.' or '/' either
 * (strreplace(path, '.', '/')), compared as a path is, byte for byte;
 * an alias (sysctl_aliases[]) as the sysctl it became
 */
static void process_sysctl_arg(struct hotmem *hm, const char *param, const char *val)
{
	char alias[64];
	const char *target = sysctl_find_alias(param);

	char name[sizeof(((struct hotmem_config *)0)->cmdline)];
	const struct vm_unmodelled *u;
	char err[16];
	size_t used, len;
	bool dir;
	long i;
	int ret;

	/* an alias goes the sysctl. word's way: its messages name the sysctl */
	if (target)
		snprintf(alias, sizeof(alias), "sysctl.%s", target);
	if (!sysctl_path(target ? alias : param, name, sizeof(name), &dir))
		return;
	/* parse_args(): the handler's -EINVAL, said with its "doing" and the word's own name */
	if (!val || !*val) {
		pr_err(hm, "Setting sysctl args: `%s' invalid for parameter `%s'", val ? val : "",
		       param);
		return;
	}
	param = target ? target : param + 7;
	ret = sysctl_open_error(name, dir);
	if (ret) {
		pr_err(hm, "Error %s opening proc file to set sysctl parameter '%s=%s'",
		       errname(ret, err, sizeof(err)), param, val);
		return;
	}
	i = vm_sysctl_find(name);
	u = i < 0 ? vm_sysctl_unmodelled(name) : NULL;
	if (i < 0 && !u) {
		if (!strncmp(name, "vm/", 3))
			pr_err(hm, "Failed to set sysctl parameter '%s=%s': parameter not found",
			       param, val);
		return;	/* another table's: not hotmem's */
	}
	/* a vm sysctl hotmem does not serve: its handler's answer, nothing stored */
	len = strlen(val);
	ret = i >= 0 ? vm_sysctl_write[i](hm, val, len, &used) :
		       vm_unmodelled_write(hm, u, val, len, &used);
	if (ret == -EINVAL)
		pr_err(hm, "Failed to set sysctl parameter '%s=%s': invalid value", param, val);
	else if (ret)
		pr_err(hm, "Error %s writing to proc file to set sysctl parameter '%s=%s'",
		       errname(ret, err, sizeof(err)), param, val);
	else if (used != len)
		pr_err(hm, "Wrote only %zu bytes of %zu writing to proc file sys/%s to set sysctl parameter '%s=%s",
		       used, len, name, param, val);
}

void do_sysctl_args(struct hotmem *hm)
{
	const char *p = hm->cfg.cmdline;
	char word[sizeof(hm->cfg.cmdline)];
	char *param, *val;

	/*
	 * parse_args()'s own words (next_arg()): a word's param=val split as
	 * the kernel splits it, not joined and split again at its first '='
	 */
	while (hotmem_cmdline_next_arg(&p, word, sizeof(word), &param, &val) > 0)
		process_sysctl_arg(hm, param, val);
}
