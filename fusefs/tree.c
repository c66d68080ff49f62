// SPDX-License-Identifier: GPL-2.0
/*
 * The sysroot tree: names, modes, inode numbers and directory order.
 *
 * Names and modes follow tests/fixtures/reference/sysfs-memory-host.txt;
 * a sysfs directory lists in kernfs's hash order (hmfs_readdir(), "kernfs
 * order" below), whatever order the tables here have.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hmfs.h"

#define DIR_MODE (S_IFDIR | 0755)
#define RW (S_IFREG | 0644)
#define RO (S_IFREG | 0444)
#define WO (S_IFREG | 0200)
#define RW_ROOT (S_IFREG | 0600)
#define LNK (S_IFLNK | 0777)

/*
 * nodeN/ entries (drivers/base/node.c, mm/hugetlb_sysfs.c, 6.18): the
 * low byte of their inode numbers, the node's key above it (HMFS_NODE_INO).
 * nodeN/cpuM and nodeN/memoryM have classes of their own; NSUB_HP_* are
 * hugepages/hugepages-2048kB/ and its files, past the power/ files'
 * SUB_PWR range.
 */
enum {
	NSUB_DIR = 0,
	NSUB_MEMINFO,
	NSUB_NUMASTAT,
	NSUB_UEVENT,
	NSUB_POWER,
	NSUB_COMPACT,
	NSUB_CPULIST,
	NSUB_CPUMAP,
	NSUB_DISTANCE,
	NSUB_HUGEPAGES,
	NSUB_RECLAIM,
	NSUB_SUBSYSTEM,
	NSUB_VMSTAT,
	NSUB_HP_DIR = 32,
	NSUB_HP_FREE,
	NSUB_HP_NR,
	NSUB_HP_SURPLUS,
	NSUB_MF_DIR = 40, /* memory_failure/ and its files */
	NSUB_MF_TOTAL,
	NSUB_MF_IGNORED,
	NSUB_MF_FAILED,
	NSUB_MF_DELAYED,
	NSUB_MF_RECOVERED,
	NSUB_END,
	NSUB_BUSLINK = 0xff, /* bus/node/devices/nodeN */
};

struct sub_ent {
	const char *name;
	mode_t mode;
	enum hmfs_attr attr;
};

static const struct sub_ent block_ents[BSUB_END] = {
	[BSUB_UEVENT] = { "uevent", RW, A_B_UEVENT },
	[BSUB_NODE] = { NULL, LNK, A_NONE }, /* "nodeY" */
	[BSUB_POWER] = { "power", DIR_MODE, A_NONE },
	[BSUB_ONLINE] = { "online", RW, A_B_ONLINE },
	[BSUB_PHYS_DEVICE] = { "phys_device", RO, A_B_PHYS_DEVICE },
	[BSUB_PHYS_INDEX] = { "phys_index", RO, A_B_PHYS_INDEX },
	[BSUB_VALID_ZONES] = { "valid_zones", RO, A_B_VALID_ZONES },
	[BSUB_SUBSYSTEM] = { "subsystem", LNK, A_NONE },
	[BSUB_STATE] = { "state", RW, A_B_STATE },
	[BSUB_REMOVABLE] = { "removable", RO, A_B_REMOVABLE },
	[BSUB_FIRMWARE_NODE] = { "firmware_node", LNK, A_NONE },
};

/* a slot's PNP0C80:xx/ (drivers/acpi/device_sysfs.c acpi_device_setup_files()) */
static const struct sub_ent acpi_ents[ASUB_END] = {
	[ASUB_EJECT] = { "eject", WO, A_ACPI_EJECT }, /* QEMU's MPxx has _EJ0 */
	[ASUB_HID] = { "hid", RO, A_ACPI_HID },
	[ASUB_MODALIAS] = { "modalias", RO, A_ACPI_MODALIAS },
	[ASUB_PATH] = { "path", RO, A_ACPI_PATH },
	[ASUB_POWER] = { "power", DIR_MODE, A_NONE },
	[ASUB_STATUS] = { "status", RO, A_ACPI_STATUS }, /* it has _STA */
	[ASUB_SUBSYSTEM] = { "subsystem", LNK, A_NONE },
	[ASUB_UEVENT] = { "uevent", RW, A_ACPI_SLOT_UEVENT },
	[ASUB_UID] = { "uid", RO, A_ACPI_UID },
};



/* firmware/memmap/N/ entries (drivers/firmware/memmap.c: __ATTR_RO) */
enum { FSUB_DIR = 0, FSUB_END_ = 4 };
static const struct sub_ent fwmap_ents[FSUB_END_] = {
	[1] = { "start", RO, A_FW_START },
	[2] = { "end", RO, A_FW_END },
	[3] = { "type", RO, A_FW_TYPE },
};

static const struct sub_ent node_ents[NSUB_END] = {
	[NSUB_MEMINFO] = { "meminfo", RO, A_N_MEMINFO },
	[NSUB_NUMASTAT] = { "numastat", RO, A_N_NUMASTAT },
	[NSUB_UEVENT] = { "uevent", RW, A_N_UEVENT },
	[NSUB_POWER] = { "power", DIR_MODE, A_NONE },
	[NSUB_COMPACT] = { "compact", WO, A_N_COMPACT }, /* mm/compaction.c */
	[NSUB_CPULIST] = { "cpulist", RO, A_N_CPULIST },
	[NSUB_CPUMAP] = { "cpumap", RO, A_N_CPUMAP },
	[NSUB_DISTANCE] = { "distance", RO, A_N_DISTANCE },
	/* register_node() -> hugetlb_register_node(): every node, memory or not */
	[NSUB_HUGEPAGES] = { "hugepages", DIR_MODE, A_NONE },
	[NSUB_RECLAIM] = { "reclaim", WO, A_N_RECLAIM }, /* mm/vmscan.c, 6.17 */
	[NSUB_SUBSYSTEM] = { "subsystem", LNK, A_NONE },
	[NSUB_VMSTAT] = { "vmstat", RO, A_N_VMSTAT },
	/*
	 * The engine's HugeTLB pool is of 2 MiB pages only: no
	 * hugepages-1048576kB, as on a CPU without pdpe1gb (QEMU's default)
	 */
	[NSUB_HP_DIR] = { "hugepages-2048kB", DIR_MODE, A_NONE },
	[NSUB_HP_FREE] = { "free_hugepages", RO, A_N_HP_FREE },
	[NSUB_HP_NR] = { "nr_hugepages", RW, A_N_HP_NR },
	[NSUB_HP_SURPLUS] = { "surplus_hugepages", RO, A_N_HP_SURPLUS },
	/* mm/memory-failure.c memory_failure_attr_group (6.5+), a group of every node */
	[NSUB_MF_DIR] = { "memory_failure", DIR_MODE, A_NONE },
	[NSUB_MF_TOTAL] = { "total", RO, A_N_MF_TOTAL },
	[NSUB_MF_IGNORED] = { "ignored", RO, A_N_MF_IGNORED },
	[NSUB_MF_FAILED] = { "failed", RO, A_N_MF_FAILED },
	[NSUB_MF_DELAYED] = { "delayed", RO, A_N_MF_DELAYED },
	[NSUB_MF_RECOVERED] = { "recovered", RO, A_N_MF_RECOVERED },
};

/* the directory each of node_ents[] is in (0: nodeN/ itself): its path, and it is there only with it */
static const unsigned char node_parent[NSUB_END] = {
	[NSUB_HP_DIR] = NSUB_HUGEPAGES,	     [NSUB_HP_FREE] = NSUB_HP_DIR,
	[NSUB_HP_NR] = NSUB_HP_DIR,	     [NSUB_HP_SURPLUS] = NSUB_HP_DIR,
	[NSUB_MF_TOTAL] = NSUB_MF_DIR,	     [NSUB_MF_IGNORED] = NSUB_MF_DIR,
	[NSUB_MF_FAILED] = NSUB_MF_DIR,	     [NSUB_MF_DELAYED] = NSUB_MF_DIR,
	[NSUB_MF_RECOVERED] = NSUB_MF_DIR,
};

/* the listings of nodeN/ (cpuM and memoryM links follow), hugepages/ and hugepages-2048kB/ */
static const unsigned char node_dir_subs[] = {
	NSUB_COMPACT, NSUB_CPULIST, NSUB_CPUMAP, NSUB_DISTANCE, NSUB_HUGEPAGES, NSUB_MEMINFO,
	NSUB_NUMASTAT, NSUB_POWER, NSUB_RECLAIM, NSUB_SUBSYSTEM, NSUB_UEVENT, NSUB_VMSTAT,
	NSUB_MF_DIR,
};
static const unsigned char node_hp_subs[] = { NSUB_HP_DIR };
static const unsigned char node_hp_dir_subs[] = { NSUB_HP_FREE, NSUB_HP_NR, NSUB_HP_SURPLUS };
static const unsigned char node_mf_subs[] = {
	NSUB_MF_DELAYED, NSUB_MF_FAILED, NSUB_MF_IGNORED, NSUB_MF_RECOVERED, NSUB_MF_TOTAL,
};

/* drivers/base/power/sysfs.c (6.12): runtime_attrs[], then CONFIG_PM_ADVANCED_DEBUG's */
static const struct sub_ent power_ents[NR_PWR] = {
	{ "runtime_active_time", RO, A_PWR_ACTIVE_TIME },
	{ "runtime_status", RO, A_PWR_STATUS },
	{ "autosuspend_delay_ms", RW, A_PWR_AUTOSUSPEND },
	{ "runtime_suspended_time", RO, A_PWR_SUSPENDED_TIME },
	{ "control", RW, A_PWR_CONTROL },
	/* power_attrs[]'s async (CONFIG_PM_SLEEP too), runtime_attrs[]'s three */
	{ "async", RW, A_PWR_ASYNC },
	{ "runtime_usage", RO, A_PWR_USAGE },
	{ "runtime_active_kids", RO, A_PWR_ACTIVE_KIDS },
	{ "runtime_enabled", RO, A_PWR_ENABLED },
};

unsigned int hmfs_nr_power(const struct hmfs_ctx *ctx)
{
	return ctx->cfg.pm_advanced_debug ? NR_PWR : NR_PWR_BASE;
}

static unsigned int power_k(enum hmfs_attr attr)
{
	unsigned int k = 0;

	while (k < NR_PWR - 1 && power_ents[k].attr != attr)
		k++;
	return k;
}

/*
 * file @attr of the power/ directory that file @n is in: a device's
 * power/ files are numbered in power_ents[]'s order, a static
 * directory's (sn_power()) and a block's, node's or slot's (SUB_PWR + k)
 * alike
 */
void hmfs_power_sibling(const struct hmfs_node *n, enum hmfs_attr attr, struct hmfs_node *sib)
{
	*sib = *n;
	sib->ino = n->ino - power_k(n->attr) + power_k(attr);
	sib->attr = attr;
	sib->mode = power_ents[power_k(attr)].mode;
}

/* block @id's key as its present incarnation has it (incarn.c) */
static uint64_t block_key(struct hmfs_ctx *ctx, unsigned long id)
{
	return hmfs_inc_key(ctx, HMFS_INC_BLOCK, id);
}

uint64_t hmfs_block_dir_ino(struct hmfs_ctx *ctx, unsigned long id)
{
	return HMFS_BLOCK_INO(block_key(ctx, id), BSUB_DIR);
}

/* node @nid's key as its present incarnation has it (incarn.c) */
static uint64_t node_key(struct hmfs_ctx *ctx, unsigned long nid)
{
	return hmfs_inc_key(ctx, HMFS_INC_NODE, nid);
}

uint64_t hmfs_node_dir_ino(struct hmfs_ctx *ctx, unsigned long nid)
{
	return HMFS_NODE_INO(node_key(ctx, nid), NSUB_DIR);
}

void hmfs_node_dir_inos(uint64_t key, uint64_t inos[HMFS_NODE_DIRS])
{
	static const unsigned char dirs[HMFS_NODE_DIRS] = { NSUB_DIR, NSUB_POWER, NSUB_HUGEPAGES,
							    NSUB_HP_DIR, NSUB_MF_DIR };

	for (int i = 0; i < HMFS_NODE_DIRS; i++)
		inos[i] = HMFS_NODE_INO(key, dirs[i]);
}

bool hmfs_went(struct hmfs_ctx *ctx, const struct hmfs_node *n, uint64_t key)
{
	if (HMFS_INO_CLASS(n->ino) == HMFS_C_NODE)
		return node_key(ctx, n->id) != key;
	return hmfs_block_went(ctx, n, key);
}

void hmfs_snode_devpath(struct hmfs_ctx *ctx, int idx, char *buf, size_t len)
{
	char tmp[256] = "";

	buf[0] = '\0';
	/* up to sys/, whose parent is the root */
	for (; idx >= 0 && ctx->snodes[idx].parent > 0; idx = ctx->snodes[idx].parent) {
		snprintf(buf, len, "/%s%s", ctx->snodes[idx].name, tmp);
		snprintf(tmp, sizeof(tmp), "%s", buf);
	}
}

/* ---- the static tree ------------------------------------------------ */

static int sn_add(struct hmfs_ctx *ctx, int parent, const char *name, mode_t mode,
		  enum hmfs_attr attr)
{
	struct hmfs_snode *sn;
	int idx;

	/* the static tree is the code's, the same for every start: past the table is a bug here */
	if (ctx->nr_snodes >= HMFS_MAX_SNODES) {
		fprintf(stderr, "hotmemfs: the static tree has more than HMFS_MAX_SNODES (%d) nodes (at %s): raise it in hmfs.h\n",
			HMFS_MAX_SNODES, name);
		abort();
	}
	sn = &ctx->snodes[ctx->nr_snodes];
	idx = ctx->nr_snodes++;

	*sn = (struct hmfs_snode){
		.name = name,
		.parent = parent,
		.first_child = -1,
		.next_sibling = -1,
		.mode = mode,
		.attr = attr,
	};
	if (parent >= 0) {
		int *link = &ctx->snodes[parent].first_child;

		while (*link >= 0)
			link = &ctx->snodes[*link].next_sibling;
		*link = idx;
	}
	return idx;
}

static void sn_power(struct hmfs_ctx *ctx, int parent)
{
	int p = sn_add(ctx, parent, "power", DIR_MODE, A_NONE);

	for (unsigned int k = 0; k < hmfs_nr_power(ctx); k++)
		sn_add(ctx, p, power_ents[k].name, power_ents[k].mode, power_ents[k].attr);
}

static int sn_link(struct hmfs_ctx *ctx, int parent, const char *name, const char *target)
{
	int idx = sn_add(ctx, parent, name, LNK, A_NONE);

	ctx->snodes[idx].target = target;
	return idx;
}

static int sn_text(struct hmfs_ctx *ctx, int parent, const char *name, mode_t mode,
		   enum hmfs_attr attr, const char *text)
{
	int idx = sn_add(ctx, parent, name, mode, attr);

	ctx->snodes[idx].text = text;
	return idx;
}

/*
 * An ACPI device's directory as a 6.12 guest shows it (tests/fixtures/
 * acpi-memory): hid, modalias, path, power/, subsystem, uevent, in ls order.
 * @subsystem: the link to bus/acpi from where the directory is.
 */
static int sn_acpi_dev(struct hmfs_ctx *ctx, int parent, const char *name, const char *hid,
		       const char *modalias, const char *path, const char *subsystem,
		       const char *uevent)
{
	int d = sn_add(ctx, parent, name, DIR_MODE, A_NONE);

	sn_text(ctx, d, "hid", RO, A_TEXT, hid);
	sn_text(ctx, d, "modalias", RO, A_TEXT, modalias);
	sn_text(ctx, d, "path", RO, A_TEXT, path);
	sn_power(ctx, d);
	sn_link(ctx, d, "subsystem", subsystem);
	sn_text(ctx, d, "uevent", RW, A_ACPI_UEVENT, uevent);
	return d;
}

/*
 * The ACPI devices on the way to the DIMM slots: LNXSYSTM:00 (the
 * namespace root), LNXSYBUS:00 (\_SB_), and QEMU's memory hotplug
 * container PNP0A06:04 (\_SB.MHPC, built only with slots) whose children
 * are the slots; their links in bus/acpi/devices.  Other ACPI devices of
 * a guest (CPUs, PCI, buttons) are not modelled.
 */
/* a bus's directory: devices/ (returned), drivers/, drivers_autoprobe, drivers_probe, uevent */
static int sn_bus(struct hmfs_ctx *ctx, int bus, const char *name)
{
	int b = sn_add(ctx, bus, name, DIR_MODE, A_NONE);
	int devs = sn_add(ctx, b, "devices", DIR_MODE, A_NONE);

	/* as sn_add(): the static tree is the code's, past the table is a bug here */
	if (ctx->nr_buses >= HMFS_MAX_BUSES) {
		fprintf(stderr, "hotmemfs: the static tree has more than HMFS_MAX_BUSES (%d) buses (at %s): raise it in hmfs.h\n",
			HMFS_MAX_BUSES, name);
		abort();
	}
	sn_add(ctx, b, "drivers", DIR_MODE, A_NONE);
	ctx->sn_bus_autoprobe[ctx->nr_buses++] =
		sn_add(ctx, b, "drivers_autoprobe", RW, A_BUS_AUTOPROBE);
	sn_add(ctx, b, "drivers_probe", WO, A_BUS_PROBE);
	sn_add(ctx, b, "uevent", WO, A_BUS_UEVENT);
	return devs;
}

/*
 * The memory hotplug container's physical device, /sys/devices/system/
 * container/PNP0A06:04 (drivers/acpi/container.c): a hot-add ends with
 * its KOBJ_ONLINE (notify_online() after the rescan).  The other
 * containers of a QEMU guest (CPU, PCI hotplug) are not modelled.
 */
static void sn_container(struct hmfs_ctx *ctx, int system, int bus)
{
	int cont = sn_add(ctx, system, "container", DIR_MODE, A_NONE);
	int pc = sn_add(ctx, cont, "PNP0A06:04", DIR_MODE, A_NONE);

	sn_link(ctx, pc, "firmware_node", "../../../" HMFS_ACPI_MHPC);
	sn_add(ctx, pc, "online", RW, A_CONTAINER_ONLINE);
	sn_power(ctx, pc);
	sn_link(ctx, pc, "subsystem", "../../../../bus/container");
	sn_text(ctx, pc, "uevent", RW, A_ACPI_UEVENT, "");
	sn_text(ctx, pc, "waiting_for_supplier", RO, A_TEXT, "0\n");
	sn_power(ctx, cont);
	sn_add(ctx, cont, "uevent", RW, A_UEVENT_NOSUBSYS);
	sn_link(ctx, sn_bus(ctx, bus, "container"), "PNP0A06:04",
		"../../../devices/system/container/PNP0A06:04");
}

static void sn_acpi(struct hmfs_ctx *ctx, int devices, int system, int bus)
{
	int root, sb, mhpc, links;

	root = sn_acpi_dev(ctx, devices, "LNXSYSTM:00", "LNXSYSTM\n", "acpi:LNXSYSTM:\n", "\\\n",
			   "../../bus/acpi", "MODALIAS=acpi:LNXSYSTM:\n");
	sb = sn_acpi_dev(ctx, root, "LNXSYBUS:00", "LNXSYBUS\n", "acpi:LNXSYBUS:\n", "\\_SB_\n",
			 "../../../bus/acpi", "MODALIAS=acpi:LNXSYBUS:\n");
	links = sn_bus(ctx, bus, "acpi");
	sn_link(ctx, links, "LNXSYBUS:00", "../../../devices/LNXSYSTM:00/LNXSYBUS:00");
	sn_link(ctx, links, "LNXSYSTM:00", "../../../devices/LNXSYSTM:00");
	if (!ctx->nr_acpi_slots)
		return; /* QEMU builds no MHPC without slots */
	sn_container(ctx, system, bus);
	mhpc = sn_add(ctx, sb, "PNP0A06:04", DIR_MODE, A_NONE);
	ctx->snodes[mhpc].dyn = DYN_ACPI_SLOTS;
	ctx->sn_acpi_mhpc = mhpc;
	sn_text(ctx, mhpc, "hid", RO, A_TEXT, "PNP0A06\n");
	sn_text(ctx, mhpc, "modalias", RO, A_TEXT, "acpi:PNP0A06:\n");
	sn_text(ctx, mhpc, "path", RO, A_TEXT, "\\_SB_.MHPC\n");
	sn_link(ctx, mhpc, "physical_node", "../../../system/container/PNP0A06:04");
	sn_power(ctx, mhpc);
	sn_text(ctx, mhpc, "status", RO, A_TEXT, "11\n");
	sn_link(ctx, mhpc, "subsystem", "../../../../bus/acpi");
	sn_text(ctx, mhpc, "uevent", RW, A_ACPI_UEVENT, "MODALIAS=acpi:PNP0A06:\n");
	sn_text(ctx, mhpc, "uid", RO, A_TEXT, "DIMM devices\n");
	sn_link(ctx, links, "PNP0A06:04", "../../../devices/" HMFS_ACPI_MHPC);
	ctx->snodes[links].dyn = DYN_ACPI_BUSLINKS;
	ctx->sn_acpi_busdev = links;
}

/* the /proc/sys/vm files hotmemfs serves: hmfs.h's HMFS_VM_SYSCTLS() */
#define VM_SYSCTL(name, id) { name, A_SYSCTL_##id },
static const struct {
	const char *name;
	enum hmfs_attr attr;
} vm_sysctls[] = { HMFS_VM_SYSCTLS(VM_SYSCTL) };
#undef VM_SYSCTL

/*
 * A /proc/sys/vm file of vm_sysctls[]: proc_sys_call_handler()'s
 * handlers under sysctl_writes_strict (1, the default) take a write past
 * the file's start whole and change nothing
 * (proc_first_pos_non_zero_ignore()), and copy nothing to a read there
 */
bool hmfs_attr_is_sysctl(enum hmfs_attr a)
{
	for (size_t i = 0; i < sizeof(vm_sysctls) / sizeof(vm_sysctls[0]); i++)
		if (vm_sysctls[i].attr == a)
			return true;
	return false;
}

bool hmfs_node_in_proc_sys(const struct hmfs_ctx *ctx, const struct hmfs_node *n)
{
	if (ctx->sn_proc_sys <= 0)
		return false;
	for (int s = n->snode; s >= 0; s = ctx->snodes[s].parent)
		if (s == ctx->sn_proc_sys)
			return true;
	return false;
}

/* @n's chain below the root, from the top: @top[0] its first node; -1s past its end */
static void static_top(const struct hmfs_ctx *ctx, const struct hmfs_node *n, int top[3])
{
	top[0] = top[1] = top[2] = -1;
	for (int s = n->snode; s > 0; s = ctx->snodes[s].parent) {
		top[2] = top[1];
		top[1] = top[0];
		top[0] = s;
	}
}

/* @n is procfs's: proc/ or below it (a dynamic node never is) */
bool hmfs_node_in_procfs(const struct hmfs_ctx *ctx, const struct hmfs_node *n)
{
	int top[3];

	if (n->snode < 0)
		return false;
	static_top(ctx, n, top);
	return top[0] >= 0 && !strcmp(ctx->snodes[top[0]].name, "proc");
}

/*
 * procfs and debugfs set no sb->s_xattr (6.12 proc_fill_super(),
 * debugfs_fill_super()), so their inodes lack IOP_XATTR and the VFS
 * answers -EOPNOTSUPP for any name (xattr_resolve_name(); a security.*
 * one too, with no LSM's inode_setsecurity) and lists nothing; kernfs
 * has kernfs_xattr_handlers.  A static node whose chain from the root
 * is proc/..., or sys/kernel/debug/...
 */
bool hmfs_node_no_xattrs(const struct hmfs_ctx *ctx, const struct hmfs_node *n)
{
	const struct hmfs_snode *sn = ctx->snodes;
	int top[3];

	if (n->snode < 0)
		return false; /* a block's, a node's, a firmware entry's, an ACPI slot's: sysfs */
	if (hmfs_node_in_procfs(ctx, n))
		return true;
	static_top(ctx, n, top);
	return top[2] >= 0 && !strcmp(sn[top[0]].name, "sys") && !strcmp(sn[top[1]].name, "kernel") &&
	       !strcmp(sn[top[2]].name, "debug");
}

/*
 * The global HugeTLB pool's files: hugetlb_sysfs_init() (6.18
 * mm/hugetlb_sysfs.c) makes kernel/mm/hugepages/ with a directory per
 * hstate holding hstate_attrs[] -- the engine's one, 2 MiB (no
 * hugepages-1048576kB, as nodeN's); and proc/sys/vm, vm_sysctls[].
 */
static void sn_hugetlb_global(struct hmfs_ctx *ctx, int kern, int procsys)
{
	int mm = sn_add(ctx, kern, "mm", DIR_MODE, A_NONE);
	int hp = sn_add(ctx, sn_add(ctx, mm, "hugepages", DIR_MODE, A_NONE), "hugepages-2048kB",
			DIR_MODE, A_NONE);
	int vm = sn_add(ctx, procsys, "vm", S_IFDIR | 0555, A_NONE);

	sn_add(ctx, hp, "free_hugepages", RO, A_HP_FREE);
	sn_add(ctx, hp, "nr_hugepages", RW, A_HP_NR);
	sn_add(ctx, hp, "nr_hugepages_mempolicy", RW, A_HP_NR_MEMPOLICY);
	sn_add(ctx, hp, "nr_overcommit_hugepages", RW, A_HP_OVERCOMMIT);
	sn_add(ctx, hp, "resv_hugepages", RO, A_HP_RESV);
	sn_add(ctx, hp, "surplus_hugepages", RO, A_HP_SURPLUS);
	for (size_t i = 0; i < sizeof(vm_sysctls) / sizeof(vm_sysctls[0]); i++)
		sn_add(ctx, vm, vm_sysctls[i].name, RW, vm_sysctls[i].attr);
}

static int kf_cache_init(struct hmfs_ctx *ctx);
static void kf_cache_free(struct hmfs_ctx *ctx);

/*
 * debugfs's listing order: dcache_readdir() walks the directory's dentries
 * from the head of d_children, where d_alloc() adds each new one
 * (hlist_add_head(), 6.12; list_add() to d_subdirs before 6.8), so the
 * newest first -- notifier_err_inject_init() makes MEM_GOING_ONLINE's
 * directory before MEM_GOING_OFFLINE's, which lists first.  debugfs's
 * dentries are pinned, never re-made in another order.  @dir's children
 * relinked so, their nodes (and inode numbers) as made.
 */
static void newest_first(struct hmfs_ctx *ctx, int dir)
{
	struct hmfs_snode *sn = ctx->snodes;
	int rev = -1;

	for (int c = sn[dir].first_child, next; c >= 0; c = next) {
		next = sn[c].next_sibling;
		sn[c].next_sibling = rev;
		rev = c;
	}
	sn[dir].first_child = rev;
}

/*
 * procfs's listing order (6.12), which a directory's getdents gives: a
 * proc_dir_entry's children (/proc) sit in an rbtree by proc_match() --
 * the name's length first, then its bytes -- walked by proc_readdir_de();
 * a sysctl directory's (/proc/sys and below) by namecmp() -- the bytes,
 * then the length, strcmp()'s order for names without a NUL -- walked by
 * proc_sys_readdir().  (sysfs's is kernfs's, readdir_kernfs().)
 */
static int proc_match_cmp(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la != lb)
		return la < lb ? -1 : 1;
	return memcmp(a, b, la);
}

/* @dir's children relinked in procfs's order: once, before any request lists them */
static void sort_procfs(struct hmfs_ctx *ctx, int dir, bool sysctl)
{
	struct hmfs_snode *sn = ctx->snodes;
	int sorted = -1;

	for (int c = sn[dir].first_child, next; c >= 0; c = next) {
		int *link = &sorted;

		next = sn[c].next_sibling;
		while (*link >= 0 && (sysctl ? strcmp(sn[*link].name, sn[c].name) :
					       proc_match_cmp(sn[*link].name, sn[c].name)) < 0)
			link = &sn[*link].next_sibling;
		sn[c].next_sibling = *link;
		*link = c;
	}
	sn[dir].first_child = sorted;
	for (int c = sorted; c >= 0; c = sn[c].next_sibling)
		if (S_ISDIR(sn[c].mode))
			sort_procfs(ctx, c, true); /* /proc's directories here: sys alone */
}

int hmfs_tree_init(struct hmfs_ctx *ctx)
{
	const struct hotmem_config *cfg = &ctx->cfg;
	int root, sys, dev, system, mem, node, bus, module, mod, par, proc;
	int kern, dbg, nei, nmem, act, a;

	ctx->snodes = calloc(HMFS_MAX_SNODES, sizeof(*ctx->snodes));
	if (!ctx->snodes)
		return -ENOMEM;
	if (hmfs_acpi_init(ctx))
		goto out_snodes;
	if (kf_cache_init(ctx))
		goto out_acpi;
	ctx->sn_acpi_mhpc = ctx->sn_acpi_busdev = -1;
	ctx->nr_snodes = ctx->nr_buses = 0;

	root = sn_add(ctx, -1, "", DIR_MODE, A_NONE);
	sys = sn_add(ctx, root, "sys", DIR_MODE, A_NONE);
	dev = sn_add(ctx, sys, "devices", DIR_MODE, A_NONE);
	system = sn_add(ctx, dev, "system", DIR_MODE, A_NONE);

	mem = sn_add(ctx, system, "memory", DIR_MODE, A_NONE);
	ctx->snodes[mem].dyn = DYN_BLOCKS;
	ctx->sn_memory = mem;
	sn_add(ctx, mem, "uevent", RW, A_UEVENT_NOSUBSYS);
	sn_add(ctx, mem, "auto_online_blocks", RW, A_AUTO_ONLINE);
	sn_add(ctx, mem, "block_size_bytes", RO, A_BLOCK_SIZE);
	if (cfg->arch_memory_probe)
		sn_add(ctx, mem, "probe", WO, A_PROBE);
	/* drivers/base/memory.c: crash_hotplug_show(), CONFIG_CRASH_HOTPLUG */
	if (cfg->crash_hotplug)
		sn_add(ctx, mem, "crash_hotplug", RO, A_CRASH_HOTPLUG);
	if (cfg->memory_failure) {
		sn_add(ctx, mem, "soft_offline_page", WO, A_SOFT_OFFLINE);
		sn_add(ctx, mem, "hard_offline_page", WO, A_HARD_OFFLINE);
	}
	sn_power(ctx, mem);

	node = sn_add(ctx, system, "node", DIR_MODE, A_NONE);
	ctx->snodes[node].dyn = DYN_NODES;
	ctx->sn_node = node;
	sn_add(ctx, node, "has_cpu", RO, A_NODE_HAS_CPU);
	sn_add(ctx, node, "has_generic_initiator", RO, A_NODE_HAS_GI);
	sn_add(ctx, node, "has_memory", RO, A_NODE_HAS_MEMORY);
	sn_add(ctx, node, "has_normal_memory", RO, A_NODE_HAS_NORMAL);
	sn_add(ctx, node, "online", RO, A_NODE_ONLINE);
	sn_add(ctx, node, "possible", RO, A_NODE_POSSIBLE);
	sn_power(ctx, node);
	sn_add(ctx, node, "uevent", RW, A_UEVENT_NOSUBSYS);

	bus = sn_add(ctx, sys, "bus", DIR_MODE, A_NONE);
	ctx->sn_busdev = sn_bus(ctx, bus, "memory");
	ctx->snodes[ctx->sn_busdev].dyn = DYN_BUSLINKS;
	/* drivers/base/node.c's node_subsys: the nodes' subsystem link's target */
	ctx->sn_busnodedev = sn_bus(ctx, bus, "node");
	ctx->snodes[ctx->sn_busnodedev].dyn = DYN_NODE_BUSLINKS;
	sn_acpi(ctx, dev, system, bus);

	/* drivers/firmware/memmap.c */
	a = sn_add(ctx, sys, "firmware", DIR_MODE, A_NONE);
	a = sn_add(ctx, a, "memmap", DIR_MODE, A_NONE);
	ctx->snodes[a].dyn = DYN_FWMAP;
	ctx->sn_fwmap = a;

	module = sn_add(ctx, sys, "module", DIR_MODE, A_NONE);
	mod = sn_add(ctx, module, "memory_hotplug", DIR_MODE, A_NONE);
	par = sn_add(ctx, mod, "parameters", DIR_MODE, A_NONE);
	sn_add(ctx, par, "auto_movable_numa_aware", RW, A_P_NUMA_AWARE);
	sn_add(ctx, par, "auto_movable_ratio", RW, A_P_RATIO);
	sn_add(ctx, par, "memmap_on_memory", RO, A_P_MEMMAP);
	sn_add(ctx, par, "online_policy", RW, A_P_POLICY);
	/*
	 * drivers/virtio/virtio_mem.c, built in (CONFIG_VIRTIO_MEM=y): a
	 * virtio-mem device can come to any machine (device_add), and its
	 * driver's parameters are there from boot, as a built-in module's:
	 * 6.12's three (bbm_safe_unplug went in 6.5, f504e15b94eb).
	 */
	mod = sn_add(ctx, module, "virtio_mem", DIR_MODE, A_NONE);
	par = sn_add(ctx, mod, "parameters", DIR_MODE, A_NONE);
	sn_add(ctx, par, "bbm_block_size", RO, A_P_VMEM_BBM_BLOCK_SIZE);
	sn_add(ctx, par, "force_bbm", RO, A_P_VMEM_FORCE_BBM);
	sn_add(ctx, par, "unplug_online", RW, A_P_VMEM_UNPLUG_ONLINE);

	/* debugfs: /sys/kernel/debug is 0700 on current kernels */
	kern = sn_add(ctx, sys, "kernel", DIR_MODE, A_NONE);
	dbg = sn_add(ctx, kern, "debug", S_IFDIR | 0700, A_NONE);
	nei = sn_add(ctx, dbg, "notifier-error-inject", DIR_MODE, A_NONE);
	nmem = sn_add(ctx, nei, "memory", DIR_MODE, A_NONE);
	act = sn_add(ctx, nmem, "actions", DIR_MODE, A_NONE);
	a = sn_add(ctx, act, "MEM_GOING_ONLINE", DIR_MODE, A_NONE);
	sn_add(ctx, a, "error", RW_ROOT, A_INJ_GOING_ONLINE);
	a = sn_add(ctx, act, "MEM_GOING_OFFLINE", DIR_MODE, A_NONE);
	sn_add(ctx, a, "error", RW_ROOT, A_INJ_GOING_OFFLINE);
	newest_first(ctx, act);

	proc = sn_add(ctx, root, "proc", S_IFDIR | 0555, A_NONE);
	sn_add(ctx, proc, "meminfo", RO, A_MEMINFO);
	sn_add(ctx, proc, "zoneinfo", RO, A_ZONEINFO); /* 0444, mm/vmstat.c */
	sn_add(ctx, proc, "buddyinfo", RO, A_BUDDYINFO);
	sn_add(ctx, proc, "vmstat", RO, A_VMSTAT); /* 0444, mm/vmstat.c */
	sn_add(ctx, proc, "cmdline", RO, A_CMDLINE);
	sn_add(ctx, proc, "iomem", RO, A_IOMEM);
	sn_add(ctx, proc, "pagetypeinfo", S_IFREG | 0400, A_PAGETYPEINFO); /* 0400 since 5.5 */
	sn_add(ctx, proc, "kpageflags", S_IFREG | 0400, A_KPAGEFLAGS);
	sn_add(ctx, proc, "kpagecount", S_IFREG | 0400, A_KPAGECOUNT);
	a = sn_add(ctx, proc, "sys", S_IFDIR | 0555, A_NONE);
	ctx->sn_proc_sys = a;
	sn_hugetlb_global(ctx, kern, a);
	/*
	 * drivers/char/random.c random_table[]: boot_id 0444; the machine's
	 * identity across hotmemfs restarts on its state file (hotmemd keys
	 * its boot-blocks record on it), where a FUSE mount's st_dev is new
	 */
	a = sn_add(ctx, sn_add(ctx, a, "kernel", S_IFDIR | 0555, A_NONE), "random",
		   S_IFDIR | 0555, A_NONE);
	sn_add(ctx, a, "boot_id", RO, A_BOOT_ID);
	sort_procfs(ctx, proc, false);
	return 0;
out_acpi:
	hmfs_acpi_free(ctx);
out_snodes:
	free(ctx->snodes);
	ctx->snodes = NULL;
	return -ENOMEM;
}

void hmfs_tree_free(struct hmfs_ctx *ctx)
{
	free(ctx->snodes);
	ctx->snodes = NULL;
	hmfs_acpi_free(ctx);
	hmfs_cpus_free(ctx); /* placed before the boot (nodecpu.c), shown by the tree */
	kf_cache_free(ctx);
	hmfs_iattr_free_all(ctx);
}

/* ---- decoding inode numbers ------------------------------------------ */

/* a device directory itself, or one of its power/ attributes */
static bool dir_or_power_node(unsigned sub, unsigned dir_sub, struct hmfs_node *n)
{
	if (sub == dir_sub) {
		n->mode = DIR_MODE;
		n->nlink = 3;
		return true;
	}
	if (sub >= SUB_PWR && sub < SUB_PWR + NR_PWR) {
		n->mode = power_ents[sub - SUB_PWR].mode;
		n->attr = power_ents[sub - SUB_PWR].attr;
		return true;
	}
	return false;
}

/* entry @sub of a device directory's table @ents: its mode and attribute; power/ has no subdirectory */
static int sub_node(const struct sub_ent *ents, unsigned end, unsigned power, unsigned sub,
		    struct hmfs_node *n)
{
	if (sub >= end)
		return -ENOENT;
	n->mode = ents[sub].mode;
	n->attr = ents[sub].attr;
	if (sub == power)
		n->nlink = 2;
	return 0;
}

/* entry @sub of a memoryN/, its mode and attribute: 0, or -ENOENT for no such entry */
static int block_sub_node(unsigned sub, struct hmfs_node *n)
{
	if (dir_or_power_node(sub, BSUB_DIR, n))
		return 0;
	return sub_node(block_ents, BSUB_END, BSUB_POWER, sub, n);
}

/*
 * hotmem_block_info() as the tree shows the block: one whose node links
 * wait for its hot-add's ADDs to be sent (nodelink.c) is linked under no
 * node yet, memoryN/nodeK and nodeK/memoryN not there
 */
static int block_info_shown(struct hmfs_ctx *ctx, unsigned long id, struct hm_block_info *bi)
{
	int ret = hotmem_block_info(ctx->hm, id, bi);

	if (!ret && bi->nodes && hmfs_nodelink_waits(ctx, id))
		bi->nodes = 0;
	return ret;
}

/*
 * nodeK/memoryN of block @id, as the tree shows it (block_info_shown()):
 * the node's own blocks alone ask for a hold -- a nodeK/ listing during a
 * hot-add asked one of every block of the machine (131072)
 */
static bool block_shown_under(struct hmfs_ctx *ctx, unsigned long id, unsigned long nid)
{
	struct hm_block_info bi;

	return nid < HM_MAX_NUMNODES && !hotmem_block_info(ctx->hm, id, &bi) &&
	       (bi.nodes & (1ULL << nid)) && !hmfs_nodelink_waits(ctx, id);
}

/* memoryN/nodeK of its nid: there once it is registered under that node */
static bool block_linked(const struct hm_block_info *bi)
{
	return bi->nid >= 0 && bi->nid < HM_MAX_NUMNODES && (bi->nodes & (1ULL << bi->nid));
}

/*
 * A boot block spanning nodes is linked to each (6.12 drivers/base/node.c
 * do_register_memory_block_under_node()): nodeK, K other than its nid's.
 */
static bool block_other_node(const struct hm_block_info *bi, unsigned long nid)
{
	return nid < HM_MAX_NUMNODES && nid != (unsigned long)bi->nid &&
	       (bi->nodes & (1ULL << nid));
}

static int block_node_get(struct hmfs_ctx *ctx, uint64_t key, unsigned sub,
			  struct hmfs_node *n)
{
	/* a removed block's key, though one of that id may be back: hmfs_node_get_removed() */
	long id = hmfs_inc_id(ctx, HMFS_INC_BLOCK, key);
	struct hm_block_info bi;

	if (id < 0 || block_info_shown(ctx, (unsigned long)id, &bi))
		return -ENOENT;
	n->id = (unsigned long)id;
	if (sub == BSUB_NODE && !block_linked(&bi))
		return -ENOENT;
	if (sub >= BSUB_NODE_MORE) {
		if (!block_other_node(&bi, sub - BSUB_NODE_MORE))
			return -ENOENT;
		n->mode = LNK;
		snprintf(n->target, sizeof(n->target), "../../node/node%u", sub - BSUB_NODE_MORE);
		return 0;
	}
	if (block_sub_node(sub, n))
		return -ENOENT;
	if (sub == BSUB_NODE)
		snprintf(n->target, sizeof(n->target), "../../node/node%d", bi.nid);
	if (sub == BSUB_SUBSYSTEM)
		snprintf(n->target, sizeof(n->target), "../../../../bus/memory");
	if (sub == BSUB_FIRMWARE_NODE) {
		/* acpi_bind_one(): a DIMM's blocks only */
		int slot = hmfs_acpi_block_slot(ctx, n->id, NULL);

		if (slot < 0)
			return -ENOENT;
		snprintf(n->target, sizeof(n->target), "../../../" HMFS_ACPI_MHPC "/PNP0C80:%02x", slot);
	}
	return 0;
}

/* a slot's PNP0C80:xx/ and its files; ASUB_BUSLINK its bus/acpi/devices link */
static int acpi_node_get(struct hmfs_ctx *ctx, unsigned long slot, unsigned sub,
			 struct hmfs_node *n)
{
	if (slot >= (unsigned long)ctx->nr_acpi_slots)
		return -ENOENT;
	n->id = slot;
	if (dir_or_power_node(sub, ASUB_DIR, n))
		return 0;
	if (sub == ASUB_BUSLINK) {
		n->mode = LNK;
		snprintf(n->target, sizeof(n->target), "../../../devices/" HMFS_ACPI_MHPC "/PNP0C80:%02lx",
			 slot);
		return 0;
	}
	if (sub_node(acpi_ents, ASUB_END, ASUB_POWER, sub, n))
		return -ENOENT;
	if (sub == ASUB_SUBSYSTEM)
		snprintf(n->target, sizeof(n->target), "../../../../../bus/acpi");
	return 0;
}

#define ACPI_PHYS_MASK ((1ULL << 40) - 1)

/* the memory block behind PNP0C80:xx/physical_nodeK while the DIMM is there, or -ENOENT */
static int acpi_phys_block(struct hmfs_ctx *ctx, unsigned long slot, uint64_t k,
			   unsigned long *id)
{
	struct hmfs_acpi_slot s;
	struct hm_block_info bi;

	if (!hmfs_acpi_slot_get(ctx, (int)slot, &s) || !s.bound ||
	    k >= s.size / ctx->block_size)
		return -ENOENT;
	*id = (unsigned long)(s.start / ctx->block_size + k);
	return hotmem_block_info(ctx->hm, *id, &bi) ? -ENOENT : 0;
}

static int acpi_phys_node_get(struct hmfs_ctx *ctx, uint64_t v, struct hmfs_node *n)
{
	unsigned long id;

	if (acpi_phys_block(ctx, (unsigned long)(v >> 40), v & ACPI_PHYS_MASK, &id))
		return -ENOENT;
	n->id = v >> 40;
	n->mode = LNK;
	snprintf(n->target, sizeof(n->target), "../../../../system/memory/memory%lu", id);
	return 0;
}

static bool node_exists(struct hmfs_ctx *ctx, unsigned long nid)
{
	struct hm_node_info ni;

	if (nid >= (unsigned long)hotmem_nr_possible_nodes(ctx->hm))
		return false;
	return !hotmem_node_info(ctx->hm, (int)nid, &ni) && ni.online;
}

/*
 * nodeN/'s entry @sub is there: its lookup, listing and nlink ask this
 * alone.  hugepages/ is on every node, memory or not: register_node()
 * calls hugetlb_register_node() (no N_MEMORY test, no memory notifier
 * since 6.2's "mm: hugetlb: simplify per-node sysfs creation and
 * removal"; 6.12 and 6.18 alike); memory_failure/ with the profile's
 * memory_failure (CONFIG_MEMORY_FAILURE).
 */
static bool node_sub_exists(struct hmfs_ctx *ctx, unsigned sub)
{
	if (sub >= NSUB_END || !node_ents[sub].mode)
		return false;
	if (sub == NSUB_MF_DIR && !ctx->cfg.memory_failure)
		return false;
	return !node_parent[sub] || node_sub_exists(ctx, node_parent[sub]);
}

/* nodeN/cpuM: register_cpu_under_node() links the node's present CPUs */
static int node_cpu_get(struct hmfs_ctx *ctx, unsigned long nid, unsigned long cpu,
			struct hmfs_node *n)
{
	if (!hmfs_cpu_on_node(ctx, cpu, (int)nid))
		return -ENOENT;
	n->mode = LNK;
	snprintf(n->target, sizeof(n->target), "../../cpu/cpu%lu", cpu);
	return 0;
}

/* entry @sub of a node's directories (not nodeN/ itself, not power/'s): its mode, or -ENOENT */
static int node_sub_node(unsigned sub, struct hmfs_node *n)
{
	if (sub >= NSUB_END || !node_ents[sub].mode)
		return -ENOENT;
	n->mode = node_ents[sub].mode;
	n->attr = node_ents[sub].attr;
	if (sub == NSUB_POWER || sub == NSUB_HP_DIR || sub == NSUB_MF_DIR)
		n->nlink = 2;
	if (sub == NSUB_HUGEPAGES)
		n->nlink = 2 + (int)sizeof(node_hp_subs);
	return 0;
}

/* the node of key @key while it is there (its incarnation did not go, it is online), or -1 */
static long node_of_key(struct hmfs_ctx *ctx, uint64_t key)
{
	long nid = key < HMFS_NODE_KEY_LIMIT ? hmfs_inc_id(ctx, HMFS_INC_NODE, key) : -1;

	return nid >= 0 && node_exists(ctx, (unsigned long)nid) ? nid : -1;
}

/* @key: the node's incarnation's (incarn.c), which its files share */
static int node_node_get(struct hmfs_ctx *ctx, uint64_t key, unsigned sub, struct hmfs_node *n)
{
	long nid = node_of_key(ctx, key);

	if (nid < 0)
		return -ENOENT;
	n->id = (unsigned long)nid;
	if (sub == NSUB_BUSLINK) {
		n->mode = LNK;
		snprintf(n->target, sizeof(n->target), "../../../devices/system/node/node%lu", n->id);
		return 0;
	}
	if (dir_or_power_node(sub, NSUB_DIR, n)) {
		/* power/ (counted there), hugepages/, memory_failure/ */
		if (sub == NSUB_DIR)
			n->nlink += node_sub_exists(ctx, NSUB_HUGEPAGES) +
				    node_sub_exists(ctx, NSUB_MF_DIR);
		return 0;
	}
	if (!node_sub_exists(ctx, sub) || node_sub_node(sub, n))
		return -ENOENT;
	if (sub == NSUB_SUBSYSTEM)
		snprintf(n->target, sizeof(n->target), "../../../../bus/node");
	return 0;
}

/* nodeN/cpuM, @v its number's value: the node's key, M */
static int node_cpu_node_get(struct hmfs_ctx *ctx, uint64_t v, struct hmfs_node *n)
{
	long nid = node_of_key(ctx, v >> 16);

	if (nid < 0)
		return -ENOENT;
	n->id = (unsigned long)nid;
	return node_cpu_get(ctx, n->id, v & 0xffff, n);
}

/* nodeN/memoryM: under every node its block is registered with (a boot block may span two) */
static int node_link_node_get(struct hmfs_ctx *ctx, uint64_t ino, struct hmfs_node *n)
{
	long id = hmfs_inc_id(ctx, HMFS_INC_BLOCK, HMFS_NODELINK_KEY(ino));
	unsigned long nid = HMFS_NODELINK_NID(ino);

	if (id < 0 || !block_shown_under(ctx, (unsigned long)id, nid))
		return -ENOENT;
	n->id = (unsigned long)id;
	n->mode = LNK;
	snprintf(n->target, sizeof(n->target), "../../memory/memory%lu", n->id);
	return 0;
}

/* the firmware map entry numbered @index, or false */
bool hmfs_fwmap_entry(struct hmfs_ctx *ctx, unsigned long index, struct hm_fwmap_entry *out)
{
	struct hm_fwmap_entry ents[HMFS_FWMAP_MAX];
	size_t n = hmfs_firmware_map(ctx, ents, HMFS_FWMAP_MAX);

	for (size_t i = 0; i < n && i < HMFS_FWMAP_MAX; i++) {
		if (ents[i].index == index) {
			if (out)
				*out = ents[i];
			return true;
		}
	}
	return false;
}

long hmfs_fwmap_find(struct hmfs_ctx *ctx, uint64_t start, uint64_t end, const char *type)
{
	struct hm_fwmap_entry ents[HMFS_FWMAP_MAX];
	size_t n = hmfs_firmware_map(ctx, ents, HMFS_FWMAP_MAX);

	for (size_t i = 0; i < n && i < HMFS_FWMAP_MAX; i++)
		if (ents[i].start == start && ents[i].end == end && !strcmp(ents[i].type, type))
			return (long)ents[i].index;
	return -1;
}

static int fwmap_node_get(struct hmfs_ctx *ctx, unsigned long index, unsigned sub,
			  struct hmfs_node *n)
{
	struct hm_fwmap_entry fe;

	if (!hmfs_fwmap_entry(ctx, index, &fe) || sub >= FSUB_END_)
		return -ENOENT;
	n->id = index;
	n->fw_start = fe.start;
	n->fw_end = fe.end;
	if (sub == FSUB_DIR) {
		n->mode = DIR_MODE;
		n->nlink = 2;
		return 0;
	}
	n->mode = fwmap_ents[sub].mode;
	n->attr = fwmap_ents[sub].attr;
	return 0;
}

static int static_nlink(struct hmfs_ctx *ctx, int idx)
{
	int nl = 2;

	for (int c = ctx->snodes[idx].first_child; c >= 0; c = ctx->snodes[c].next_sibling)
		nl += S_ISDIR(ctx->snodes[c].mode);
	if (ctx->snodes[idx].dyn == DYN_BLOCKS)
		nl += (int)hotmem_nr_blocks(ctx->hm);
	if (ctx->snodes[idx].dyn == DYN_FWMAP)
		nl += (int)hmfs_firmware_map(ctx, NULL, 0);
	if (ctx->snodes[idx].dyn == DYN_ACPI_SLOTS)
		nl += ctx->nr_acpi_slots;
	if (ctx->snodes[idx].dyn == DYN_NODES) {
		for (int nid = 0; nid < hotmem_nr_possible_nodes(ctx->hm); nid++)
			nl += node_exists(ctx, (unsigned long)nid);
	}
	return nl;
}

int hmfs_node_get(struct hmfs_ctx *ctx, uint64_t ino, struct hmfs_node *n)
{
	uint64_t v = HMFS_INO_VAL(ino);
	struct hm_block_info bi;

	memset(n, 0, sizeof(*n));
	n->ino = ino;
	n->snode = -1;
	n->nlink = 1;

	switch (HMFS_INO_CLASS(ino)) {
	case HMFS_C_STATIC: {
		const struct hmfs_snode *sn;

		if (v < 1 || v > (uint64_t)ctx->nr_snodes)
			return -ENOENT;
		sn = &ctx->snodes[v - 1];
		n->snode = (int)(v - 1);
		n->mode = sn->mode;
		n->attr = sn->attr;
		n->dyn = sn->dyn;
		if (sn->target)
			snprintf(n->target, sizeof(n->target), "%s", sn->target);
		/*
		 * /proc/sys and its directories: nlink 1, new_inode()'s -- 6.12
		 * proc_sys_make_inode() sets none, and /proc/sys's own entry
		 * has nlink 0 (proc_sys_init()), which proc_get_inode() skips
		 */
		if (S_ISDIR(sn->mode))
			n->nlink = hmfs_node_in_proc_sys(ctx, n) ? 1 : static_nlink(ctx, n->snode);
		return 0;
	}
	case HMFS_C_BLOCK:
		return block_node_get(ctx, v >> 8, v & 0xff, n);
	case HMFS_C_NODE:
		return node_node_get(ctx, v >> 8, v & 0xff, n);
	case HMFS_C_NODECPU:
		return node_cpu_node_get(ctx, v, n);
	case HMFS_C_NODELINK:
		return node_link_node_get(ctx, ino, n);
	case HMFS_C_FWMAP:
		return fwmap_node_get(ctx, v >> 8, v & 0xff, n);
	case HMFS_C_ACPI:
		return acpi_node_get(ctx, v >> 8, v & 0xff, n);
	case HMFS_C_ACPI_PHYS:
		return acpi_phys_node_get(ctx, v, n);
	case HMFS_C_BUSLINK: {
		/* the block's key: a removed block's link is not its successor's (below) */
		long id = hmfs_inc_id(ctx, HMFS_INC_BLOCK, v);

		if (id < 0 || hotmem_block_info(ctx->hm, (unsigned long)id, &bi))
			return -ENOENT;
		n->id = (unsigned long)id;
		n->mode = LNK;
		snprintf(n->target, sizeof(n->target), "../../../devices/system/memory/memory%lu",
			 n->id);
		return 0;
	}
	}
	return -ENOENT;
}

/*
 * A node of a memory block's earlier incarnation: the kernel still holds
 * it (an open directory), and kernfs still answers a stat of a removed
 * kernfs_node (kernfs_iop_getattr() needs no active reference), with
 * what kernfs_refresh_inode() finds: its mode, and a directory's nlink
 * 2, its subdirectories unlinked with it.  Its kernfs_iattrs stay with
 * it while it is held: hmfs_forget_block_attrs() hands them to iattr.c's
 * orphan list (89c2216).  0, or -ENOENT for any other inode.
 */
/* @key of kind @kind was given, and its incarnation went */
static bool key_went(struct hmfs_ctx *ctx, enum hmfs_inc_kind kind, uint64_t key)
{
	return hmfs_inc_was_given(ctx, kind, key) && hmfs_inc_id(ctx, kind, key) < 0;
}

/* a link of class nodeN/cpuM, bus/memory/devices/memoryM or nodeN/memoryM whose key went */
static bool link_went(struct hmfs_ctx *ctx, uint64_t ino)
{
	uint64_t v = HMFS_INO_VAL(ino);

	switch (HMFS_INO_CLASS(ino)) {
	case HMFS_C_NODECPU:
		return key_went(ctx, HMFS_INC_NODE, v >> 16);
	case HMFS_C_BUSLINK:
		return key_went(ctx, HMFS_INC_BLOCK, v);
	default:
		return key_went(ctx, HMFS_INC_BLOCK, HMFS_NODELINK_KEY(ino));
	}
}

/* a node's file or directory @sub of the incarnation that went: its mode */
static int node_sub_removed(unsigned sub, struct hmfs_node *n)
{
	if (sub == NSUB_BUSLINK) {
		n->mode = LNK;
		return 0;
	}
	return dir_or_power_node(sub, NSUB_DIR, n) ? 0 : node_sub_node(sub, n);
}

int hmfs_node_get_removed(struct hmfs_ctx *ctx, uint64_t ino, struct hmfs_node *n)
{
	uint64_t v = HMFS_INO_VAL(ino);
	int ret = -ENOENT;

	memset(n, 0, sizeof(*n));
	n->ino = ino;
	n->snode = -1;
	n->nlink = 1;
	n->id = HM_NO_BLOCK; /* the key no longer names its block or node */
	switch (HMFS_INO_CLASS(ino)) {
	case HMFS_C_BLOCK:
		if (key_went(ctx, HMFS_INC_BLOCK, v >> 8))
			ret = block_sub_node(v & 0xff, n);
		break;
	case HMFS_C_NODE:
		if (key_went(ctx, HMFS_INC_NODE, v >> 8))
			ret = node_sub_removed(v & 0xff, n);
		break;
	case HMFS_C_NODECPU: /* a link: of its node's key, or its block's */
	case HMFS_C_BUSLINK:
	case HMFS_C_NODELINK:
		if (link_went(ctx, ino)) {
			n->mode = LNK;
			ret = 0;
		}
		break;
	}
	if (ret)
		return -ENOENT;
	if (S_ISDIR(n->mode))
		n->nlink = 2;
	n->removed = true;
	return 0;
}

int hmfs_node_get_held(struct hmfs_ctx *ctx, uint64_t ino, struct hmfs_node *n)
{
	int ret = hmfs_node_get(ctx, ino, n);

	return ret && !hmfs_node_get_removed(ctx, ino, n) ? 0 : ret;
}

/*
 * The largest id an inode number can carry: a block's id sits below its
 * incarnation (HMFS_BLOCK_ID_BITS), a node's is its key until it first
 * goes (HMFS_NODE_ID_MAX).  A larger id names nothing (the kernel:
 * ENOENT); it must not wrap onto a small one.
 */
/* "memory123" -> 123; strict: no sign, no leading zeros, no junk, in range. */
static bool parse_id(const char *name, const char *prefix, unsigned long *id)
{
	size_t pl = strlen(prefix);
	const char *p = name + pl;
	char *end;

	if (strncmp(name, prefix, pl) || !*p || (*p == '0' && p[1]) || *p < '0' || *p > '9')
		return false;
	errno = 0;
	*id = strtoul(p, &end, 10);
	if (*end || errno)
		return false;
	return *id <= (strcmp(prefix, "node") ? HMFS_BLOCK_ID_MAX : HMFS_NODE_ID_MAX);
}

/* inode numbers of a device's files: its directory's class and key, and the sub-entry */
typedef uint64_t (*mk_ino_fn)(unsigned long key, unsigned sub);

static uint64_t mk_block(unsigned long id, unsigned sub)
{
	return HMFS_BLOCK_INO(id, sub);
}

static uint64_t mk_node(unsigned long nid, unsigned sub)
{
	return HMFS_NODE_INO(nid, sub);
}

static uint64_t mk_acpi(unsigned long slot, unsigned sub)
{
	return HMFS_INO(HMFS_C_ACPI, ((uint64_t)slot << 8) | sub);
}

/* a device's power/ file @name */
static int lookup_power(struct hmfs_ctx *ctx, mk_ino_fn mk, unsigned long key, const char *name,
			struct hmfs_node *n)
{
	for (unsigned int k = 0; k < hmfs_nr_power(ctx); k++)
		if (!strcmp(name, power_ents[k].name))
			return hmfs_node_get(ctx, mk(key, SUB_PWR + k), n);
	return -ENOENT;
}

/* "PNP0C80:0a" -> 10: acpi_device_set_name()'s "%s:%02x" of a slot (at most 256) */
static bool parse_slot(const char *name, unsigned long *slot)
{
	static const char hex[] = "0123456789abcdef";
	const char *hi, *lo;

	if (strncmp(name, "PNP0C80:", 8) || !name[8] || !name[9] || name[10])
		return false;
	hi = strchr(hex, name[8]);
	lo = strchr(hex, name[9]);
	if (!hi || !lo)
		return false;
	*slot = (unsigned long)((hi - hex) << 4 | (lo - hex));
	return true;
}

/* @key: the directory's (incarn.c), which its files share */
static int lookup_block_child(struct hmfs_ctx *ctx, unsigned long key, unsigned sub,
			      const char *name, struct hmfs_node *n)
{
	long id = hmfs_inc_id(ctx, HMFS_INC_BLOCK, key);
	struct hm_block_info bi;
	char nodename[32];
	unsigned long nid;

	if (sub == BSUB_POWER)
		return lookup_power(ctx, mk_block, key, name, n);
	if (sub != BSUB_DIR)
		return -ENOTDIR;
	if (id < 0 || block_info_shown(ctx, (unsigned long)id, &bi))
		return -ENOENT;
	snprintf(nodename, sizeof(nodename), "node%d", bi.nid);
	if (block_linked(&bi) && !strcmp(name, nodename))
		return hmfs_node_get(ctx, HMFS_BLOCK_INO(key, BSUB_NODE), n);
	if (parse_id(name, "node", &nid) && block_other_node(&bi, nid))
		return hmfs_node_get(ctx, HMFS_BLOCK_INO(key, BSUB_NODE_MORE + nid), n);
	for (unsigned s = 1; s < BSUB_END; s++)
		if (block_ents[s].name && !strcmp(name, block_ents[s].name))
			return hmfs_node_get(ctx, HMFS_BLOCK_INO(key, s), n);
	return -ENOENT;
}

/* @name among a node directory's entries @subs; @key: the node's (incarn.c), its files' too */
static int lookup_node_subs(struct hmfs_ctx *ctx, unsigned long key, const unsigned char *subs,
			    size_t nr, const char *name, struct hmfs_node *n)
{
	for (size_t i = 0; i < nr; i++)
		if (!strcmp(name, node_ents[subs[i]].name))
			return hmfs_node_get(ctx, HMFS_NODE_INO(key, subs[i]), n);
	return -ENOENT;
}

static int lookup_node_child(struct hmfs_ctx *ctx, unsigned long key, unsigned sub,
			     const char *name, struct hmfs_node *n)
{
	unsigned long id;

	switch (sub) {
	case NSUB_POWER:
		return lookup_power(ctx, mk_node, key, name, n);
	case NSUB_HUGEPAGES:
		return lookup_node_subs(ctx, key, node_hp_subs, sizeof(node_hp_subs), name, n);
	case NSUB_HP_DIR:
		return lookup_node_subs(ctx, key, node_hp_dir_subs, sizeof(node_hp_dir_subs), name,
					n);
	case NSUB_MF_DIR:
		return lookup_node_subs(ctx, key, node_mf_subs, sizeof(node_mf_subs), name, n);
	case NSUB_DIR:
		break;
	default:
		return -ENOTDIR;
	}
	/* a node that went has no links (nor has a node of its id now, under its old directory) */
	if (parse_id(name, "memory", &id)) {
		long nid = node_of_key(ctx, key);

		return nid < 0 ? -ENOENT :
				 hmfs_node_get(ctx, HMFS_NODELINK_INO(block_key(ctx, id), nid), n);
	}
	/* HMFS_NODECPU_INO()'s 16 bits: nr_cpu_ids is at most HMFS_MAX_CPUS (nodecpu.c) */
	if (parse_id(name, "cpu", &id))
		return id < (unsigned long)ctx->cpus.nr_cpu_ids && id <= 0xffff ?
			       hmfs_node_get(ctx, HMFS_NODECPU_INO(key, id), n) :
			       -ENOENT;
	return lookup_node_subs(ctx, key, node_dir_subs, sizeof(node_dir_subs), name, n);
}

static int lookup_static_child(struct hmfs_ctx *ctx, int idx, const char *name, struct hmfs_node *n)
{
	const struct hmfs_snode *sn = &ctx->snodes[idx];
	unsigned long id;

	for (int c = sn->first_child; c >= 0; c = ctx->snodes[c].next_sibling)
		if (!strcmp(ctx->snodes[c].name, name))
			return hmfs_node_get(ctx, HMFS_INO(HMFS_C_STATIC, c + 1), n);
	switch (sn->dyn) {
	case DYN_BLOCKS:
		if (parse_id(name, "memory", &id))
			return hmfs_node_get(ctx, hmfs_block_dir_ino(ctx, id), n);
		break;
	case DYN_NODES:
	case DYN_NODE_BUSLINKS:
		if (parse_id(name, "node", &id))
			return hmfs_node_get(ctx, HMFS_NODE_INO(node_key(ctx, id),
								sn->dyn == DYN_NODES ? NSUB_DIR :
										       NSUB_BUSLINK),
					     n);
		break;
	case DYN_BUSLINKS:
		if (parse_id(name, "memory", &id))
			return hmfs_node_get(ctx, HMFS_BUSLINK_INO(block_key(ctx, id)), n);
		break;
	case DYN_FWMAP:
		if (parse_id(name, "", &id) && id <= UINT32_MAX)
			return hmfs_node_get(ctx, HMFS_INO(HMFS_C_FWMAP, (uint64_t)id << 8), n);
		break;
	case DYN_ACPI_SLOTS:
	case DYN_ACPI_BUSLINKS:
		if (parse_slot(name, &id))
			return hmfs_node_get(ctx, HMFS_INO(HMFS_C_ACPI, id << 8 |
							   (sn->dyn == DYN_ACPI_SLOTS ?
								    ASUB_DIR : ASUB_BUSLINK)),
					     n);
		break;
	case DYN_NONE:
		break;
	}
	return -ENOENT;
}

/* "physical_node" -> 0, "physical_node7" -> 7 (acpi_physnode_link_name()) */
static bool parse_physnode(const char *name, uint64_t *k)
{
	unsigned long id;

	if (!strcmp(name, "physical_node")) {
		*k = 0;
		return true;
	}
	if (!parse_id(name, "physical_node", &id) || !id || id > ACPI_PHYS_MASK)
		return false;
	*k = id;
	return true;
}

static int lookup_acpi_child(struct hmfs_ctx *ctx, unsigned long slot, unsigned sub,
			     const char *name, struct hmfs_node *n)
{
	uint64_t k;

	if (sub == ASUB_POWER)
		return lookup_power(ctx, mk_acpi, slot, name, n);
	if (sub != ASUB_DIR)
		return -ENOTDIR;
	if (parse_physnode(name, &k))
		return hmfs_node_get(ctx, HMFS_INO(HMFS_C_ACPI_PHYS, (uint64_t)slot << 40 | k), n);
	for (unsigned s = 1; s < ASUB_END; s++)
		if (!strcmp(name, acpi_ents[s].name))
			return hmfs_node_get(ctx, HMFS_INO(HMFS_C_ACPI, (uint64_t)slot << 8 | s), n);
	return -ENOENT;
}

int hmfs_lookup_child(struct hmfs_ctx *ctx, uint64_t parent, const char *name, struct hmfs_node *n)
{
	struct hmfs_node p;
	uint64_t v = HMFS_INO_VAL(parent);
	int ret;

	ret = hmfs_node_get(ctx, parent, &p);
	if (ret)
		return ret;
	if (!S_ISDIR(p.mode))
		return -ENOTDIR;
	switch (HMFS_INO_CLASS(parent)) {
	case HMFS_C_STATIC:
		return lookup_static_child(ctx, p.snode, name, n);
	case HMFS_C_BLOCK:
		return lookup_block_child(ctx, v >> 8, v & 0xff, name, n);
	case HMFS_C_NODE:
		return lookup_node_child(ctx, v >> 8, v & 0xff, name, n);
	case HMFS_C_ACPI:
		return lookup_acpi_child(ctx, v >> 8, v & 0xff, name, n);
	case HMFS_C_FWMAP:
		for (unsigned s = 1; s < FSUB_END_; s++)
			if (!strcmp(name, fwmap_ents[s].name))
				return hmfs_node_get(ctx, HMFS_INO(HMFS_C_FWMAP, (v & ~0xffULL) | s), n);
		return -ENOENT;
	}
	return -ENOENT;
}

/* ---- paths: the state file keeps nodes by them (iattr.c) ------------- */

/* static node @idx's path below the root ("" for the root) */
static int snode_path(struct hmfs_ctx *ctx, int idx, char *buf, size_t len)
{
	int chain[32], depth = 0;
	size_t pos = 0;

	for (; idx > 0 && depth < 32; idx = ctx->snodes[idx].parent)
		chain[depth++] = idx;
	buf[0] = '\0';
	while (depth--) {
		int w = snprintf(buf + pos, len - pos, "%s%s", pos ? "/" : "",
				 ctx->snodes[chain[depth]].name);

		if (w < 0 || (size_t)w >= len - pos)
			return -ENAMETOOLONG;
		pos += (size_t)w;
	}
	return 0;
}

/*
 * A dynamic node's place: the static directory @base holds device @dev,
 * and @name is the entry in it (NULL: the device itself).
 */
static int dyn_path(struct hmfs_ctx *ctx, int base, const char *dev, const char *name, char *buf,
		    size_t len)
{
	char dir[PATH_MAX];
	int w;

	if (base < 0 || snode_path(ctx, base, dir, sizeof(dir)))
		return -ENOENT;
	w = snprintf(buf, len, "%s/%s%s%s", dir, dev, name ? "/" : "", name ? name : "");
	return w < 0 || (size_t)w >= len ? -ENAMETOOLONG : 0;
}

/* entry @sub of a device directory with table @ents: power/ files below power/ */
static const char *sub_name(const struct sub_ent *ents, unsigned sub, char *buf, size_t len)
{
	if (!sub)
		return NULL;
	if (sub >= SUB_PWR && sub < SUB_PWR + NR_PWR) {
		snprintf(buf, len, "power/%s", power_ents[sub - SUB_PWR].name);
		return buf;
	}
	return ents[sub].name;
}

/* node_ents[@sub]'s path below nodeN/: its parents' names first (node_parent[]) */
static const char *node_sub_path(unsigned sub, char *buf, size_t len)
{
	char tail[64];

	buf[0] = '\0';
	for (; sub; sub = node_parent[sub]) {
		snprintf(tail, sizeof(tail), "%s%s%s", node_ents[sub].name, buf[0] ? "/" : "", buf);
		snprintf(buf, len, "%s", tail);
	}
	return buf;
}

/* the path of @n, of inode @ino (found live), before the round trip hmfs_node_path() makes */
static int node_path(struct hmfs_ctx *ctx, uint64_t ino, const struct hmfs_node *n, char *buf,
		     size_t len)
{
	uint64_t v = HMFS_INO_VAL(ino);
	unsigned sub = v & 0xff;
	char dev[64], nm[64];
	const char *name;

	switch (HMFS_INO_CLASS(ino)) {
	case HMFS_C_STATIC:
		return snode_path(ctx, n->snode, buf, len);
	case HMFS_C_BLOCK:
		snprintf(dev, sizeof(dev), "memory%lu", n->id);
		/* nodeY: the link's own name, its target's last part */
		name = sub == BSUB_NODE || sub >= BSUB_NODE_MORE ? strrchr(n->target, '/') + 1 :
					  sub_name(block_ents, sub, nm, sizeof(nm));
		return dyn_path(ctx, ctx->sn_memory, dev, name, buf, len);
	case HMFS_C_NODE:
		snprintf(dev, sizeof(dev), "node%lu", n->id);
		if (sub == NSUB_BUSLINK)
			return dyn_path(ctx, ctx->sn_busnodedev, dev, NULL, buf, len);
		name = sub < NSUB_END && node_ents[sub].name ? node_sub_path(sub, nm, sizeof(nm)) :
							      sub_name(node_ents, sub, nm, sizeof(nm));
		return dyn_path(ctx, ctx->sn_node, dev, name, buf, len);
	case HMFS_C_NODECPU:
		snprintf(dev, sizeof(dev), "node%lu", n->id);
		snprintf(nm, sizeof(nm), "cpu%llu", (unsigned long long)(v & 0xffff));
		return dyn_path(ctx, ctx->sn_node, dev, nm, buf, len);
	case HMFS_C_NODELINK:
		snprintf(dev, sizeof(dev), "node%lu", HMFS_NODELINK_NID(ino));
		snprintf(nm, sizeof(nm), "memory%lu", n->id);
		return dyn_path(ctx, ctx->sn_node, dev, nm, buf, len);
	case HMFS_C_BUSLINK:
		snprintf(dev, sizeof(dev), "memory%lu", n->id);
		return dyn_path(ctx, ctx->sn_busdev, dev, NULL, buf, len);
	case HMFS_C_FWMAP:
		snprintf(dev, sizeof(dev), "%lu", n->id);
		return dyn_path(ctx, ctx->sn_fwmap, dev, sub ? fwmap_ents[sub].name : NULL, buf, len);
	case HMFS_C_ACPI:
		snprintf(dev, sizeof(dev), "PNP0C80:%02lx", n->id);
		if (sub == ASUB_BUSLINK)
			return dyn_path(ctx, ctx->sn_acpi_busdev, dev, NULL, buf, len);
		return dyn_path(ctx, ctx->sn_acpi_mhpc, dev, sub_name(acpi_ents, sub, nm, sizeof(nm)),
				buf, len);
	case HMFS_C_ACPI_PHYS:
		snprintf(dev, sizeof(dev), "PNP0C80:%02lx", n->id);
		if (v & ACPI_PHYS_MASK)
			snprintf(nm, sizeof(nm), "physical_node%llu",
				 (unsigned long long)(v & ACPI_PHYS_MASK));
		else
			snprintf(nm, sizeof(nm), "physical_node");
		return dyn_path(ctx, ctx->sn_acpi_mhpc, dev, nm, buf, len);
	}
	return -ENOENT;
}

int hmfs_node_path(struct hmfs_ctx *ctx, uint64_t ino, char *buf, size_t len)
{
	struct hmfs_node n, back;

	if (hmfs_node_get(ctx, ino, &n) || node_path(ctx, ino, &n, buf, len))
		return -ENOENT;
	/* the path must lead back to this very node */
	if (hmfs_path_node(ctx, buf, &back) || back.ino != ino)
		return -ENOENT;
	return 0;
}

int hmfs_path_node(struct hmfs_ctx *ctx, const char *path, struct hmfs_node *n)
{
	uint64_t ino = HMFS_INO(HMFS_C_STATIC, 1);
	char buf[PATH_MAX], *save = NULL;
	int ret;

	if (strlen(path) >= sizeof(buf))
		return -ENOENT;
	snprintf(buf, sizeof(buf), "%s", path);
	ret = hmfs_node_get(ctx, ino, n);
	for (char *tok = strtok_r(buf, "/", &save); !ret && tok; tok = strtok_r(NULL, "/", &save)) {
		ret = hmfs_lookup_child(ctx, ino, tok, n);
		ino = n->ino;
	}
	return ret ? -ENOENT : 0;
}

/* ---- readdir --------------------------------------------------------- */
/*
 * Offsets: 0 ".", 1 "..", then static children, then dynamic children
 * keyed by id so that an offset stays valid while blocks come and go:
 * dynamic entry for id N has offset DYN_OFF + N.
 */
#define DYN_OFF (1L << 20)

struct rd {
	hmfs_dirent_fn fn;
	void *arg;
	/*
	 * kernfs order's first part (readdir_kernfs()): stop before the
	 * per-block entries, without walking the blocks, and say whether the
	 * directory has such entries (@per_block)
	 */
	bool head_only, per_block;
};

/* the per-block entries of a directory come next (at DYN_OFF + id): false to stop before them */
static bool rd_blocks_next(struct rd *rd)
{
	rd->per_block = true;
	return !rd->head_only;
}

/*
 * The first block a listing resumed at @off (>= DYN_OFF) still has to
 * give, into *@id: the offset is the block's id, so a request starts
 * there, not at the first block -- each READDIR(PLUS) request (a page of
 * entries) walked every block before its offset, and a listing of
 * memory/ was quadratic in the machine's blocks (review7 D4).  0, or
 * -ENOENT: none left.  Then hotmem_block_next(ctx->hm, id, false).
 */
static int block_from(struct hmfs_ctx *ctx, long off, unsigned long *id)
{
	unsigned long from = off > DYN_OFF ? (unsigned long)(off - DYN_OFF) : 0;

	*id = from - 1; /* hotmem_block_next() looks from *id + 1; unused when first */
	return hotmem_block_next(ctx->hm, id, from == 0);
}

static long rd_static(struct hmfs_ctx *ctx, int idx, long off, struct rd *rd)
{
	long pos = 2;
	char name[32];
	unsigned long id;

	for (int c = ctx->snodes[idx].first_child; c >= 0; c = ctx->snodes[c].next_sibling, pos++) {
		if (pos < off)
			continue;
		if (!rd->fn(rd->arg, ctx->snodes[c].name, HMFS_INO(HMFS_C_STATIC, c + 1),
			    ctx->snodes[c].mode, pos))
			return pos;
	}
	if (off < DYN_OFF)
		off = DYN_OFF;
	switch (ctx->snodes[idx].dyn) {
	case DYN_BLOCKS:
	case DYN_BUSLINKS:
		if (!rd_blocks_next(rd))
			break;
		for (int r = block_from(ctx, off, &id); !r; r = hotmem_block_next(ctx->hm, &id, false)) {
			bool blk = ctx->snodes[idx].dyn == DYN_BLOCKS;

			snprintf(name, sizeof(name), "memory%lu", id);
			if (!rd->fn(rd->arg, name,
				    blk ? hmfs_block_dir_ino(ctx, id) :
					  HMFS_BUSLINK_INO(block_key(ctx, id)),
				    blk ? DIR_MODE : LNK, DYN_OFF + (long)id))
				return DYN_OFF + (long)id;
		}
		break;
	case DYN_FWMAP: {
		struct hm_fwmap_entry ents[HMFS_FWMAP_MAX];
		size_t nr = hmfs_firmware_map(ctx, ents, HMFS_FWMAP_MAX);

		for (size_t i = 0; i < nr && i < HMFS_FWMAP_MAX; i++) {
			long o = DYN_OFF + (long)ents[i].index;

			if (o < off)
				continue;
			snprintf(name, sizeof(name), "%u", ents[i].index);
			if (!rd->fn(rd->arg, name, HMFS_INO(HMFS_C_FWMAP, (uint64_t)ents[i].index << 8),
				    DIR_MODE, o))
				return o;
		}
		break;
	}
	case DYN_ACPI_SLOTS:
	case DYN_ACPI_BUSLINKS:
		for (long slot = off - DYN_OFF; slot < ctx->nr_acpi_slots; slot++) {
			bool dir = ctx->snodes[idx].dyn == DYN_ACPI_SLOTS;

			snprintf(name, sizeof(name), "PNP0C80:%02lx", slot);
			if (!rd->fn(rd->arg, name,
				    HMFS_INO(HMFS_C_ACPI,
					     (uint64_t)slot << 8 | (dir ? ASUB_DIR : ASUB_BUSLINK)),
				    dir ? DIR_MODE : LNK, DYN_OFF + slot))
				return DYN_OFF + slot;
		}
		break;
	case DYN_NODES:
	case DYN_NODE_BUSLINKS:
		for (int nid = (int)(off - DYN_OFF); nid < hotmem_nr_possible_nodes(ctx->hm);
		     nid++) {
			bool dir = ctx->snodes[idx].dyn == DYN_NODES;

			if (!node_exists(ctx, (unsigned long)nid))
				continue;
			snprintf(name, sizeof(name), "node%d", nid);
			if (!rd->fn(rd->arg, name,
				    HMFS_NODE_INO(node_key(ctx, (unsigned long)nid),
						  dir ? NSUB_DIR : NSUB_BUSLINK),
				    dir ? DIR_MODE : LNK, DYN_OFF + nid))
				return DYN_OFF + nid;
		}
		break;
	case DYN_NONE:
		break;
	}
	return LONG_MAX;
}

static long rd_subs(const struct sub_ent *ents, int nr, mk_ino_fn mk, unsigned long key, long off,
		    struct rd *rd, const char *special)
{
	for (int s = 1; s < nr; s++) {
		const char *name = ents[s].name ? ents[s].name : special;

		/* @special NULL: that entry is not there (a block linked under no node yet) */
		if (s + 1 < off || !name)
			continue;
		if (!rd->fn(rd->arg, name, mk(key, (unsigned)s), ents[s].mode, s + 1))
			return s + 1;
	}
	return LONG_MAX;
}

static uint64_t mk_fwmap(unsigned long index, unsigned sub)
{
	return HMFS_INO(HMFS_C_FWMAP, ((uint64_t)index << 8) | sub);
}

static long rd_power(const struct hmfs_ctx *ctx, mk_ino_fn mk, unsigned long key, long off,
		     struct rd *rd)
{
	for (int k = 0; k < (int)hmfs_nr_power(ctx); k++) {
		if (k + 2 < off)
			continue;
		if (!rd->fn(rd->arg, power_ents[k].name, mk(key, SUB_PWR + k), power_ents[k].mode,
			    k + 2))
			return k + 2;
	}
	return LONG_MAX;
}

/*
 * PNP0C80:xx/ in ls order: eject ... path at offsets 2..5, then
 * physical_nodeK at ACPI_PHYS_OFF + K while the DIMM is there, then
 * power ... uid at ACPI_TAIL_OFF + sub.
 */
#define ACPI_PHYS_OFF 16L
#define ACPI_TAIL_OFF (1L << 44)

static long rd_acpi_dir(struct hmfs_ctx *ctx, unsigned long slot, long off, struct rd *rd)
{
	char name[40];
	unsigned long id;

	for (unsigned s = 1; s <= ASUB_PATH; s++) {
		if ((long)s + 1 < off)
			continue;
		if (!rd->fn(rd->arg, acpi_ents[s].name, mk_acpi(slot, s), acpi_ents[s].mode, s + 1))
			return s + 1;
	}
	for (uint64_t k = off > ACPI_PHYS_OFF ? (uint64_t)(off - ACPI_PHYS_OFF) : 0;
	     off < ACPI_TAIL_OFF && !acpi_phys_block(ctx, slot, k, &id); k++) {
		if (k)
			snprintf(name, sizeof(name), "physical_node%llu", (unsigned long long)k);
		else
			snprintf(name, sizeof(name), "physical_node");
		if (!rd->fn(rd->arg, name, HMFS_INO(HMFS_C_ACPI_PHYS, (uint64_t)slot << 40 | k), LNK,
			    ACPI_PHYS_OFF + (long)k))
			return ACPI_PHYS_OFF + (long)k;
	}
	for (unsigned s = ASUB_POWER; s < ASUB_END; s++) {
		if (ACPI_TAIL_OFF + (long)s < off)
			continue;
		if (!rd->fn(rd->arg, acpi_ents[s].name, mk_acpi(slot, s), acpi_ents[s].mode,
			    ACPI_TAIL_OFF + s))
			return ACPI_TAIL_OFF + s;
	}
	return LONG_MAX;
}

/*
 * a node directory's entries @subs at offsets 2, 3 ..., those
 * node_sub_exists() has.  @key: node @nid's (incarn.c).
 */
static long rd_node_subs(struct hmfs_ctx *ctx, unsigned long nid, uint64_t key,
			 const unsigned char *subs, size_t nr, long off, struct rd *rd)
{
	for (size_t i = 0; i < nr; i++) {
		long pos = (long)i + 2;
		unsigned s = subs[i];

		if (pos < off || !node_sub_exists(ctx, s))
			continue;
		if (!rd->fn(rd->arg, node_ents[s].name, HMFS_NODE_INO(key, s), node_ents[s].mode, pos))
			return pos;
	}
	return LONG_MAX;
}

/* nodeN/cpuM at NODE_CPU_OFF + M, between the files and the memoryM links */
#define NODE_CPU_OFF (1L << 16)

static long rd_node_cpus(struct hmfs_ctx *ctx, unsigned long nid, uint64_t key, long off,
			 struct rd *rd)
{
	char name[32];

	for (long cpu = off > NODE_CPU_OFF ? off - NODE_CPU_OFF : 0; cpu < ctx->cpus.nr_cpu_ids;
	     cpu++) {
		if (!hmfs_cpu_on_node(ctx, (unsigned long)cpu, (int)nid))
			continue;
		snprintf(name, sizeof(name), "cpu%ld", cpu);
		if (!rd->fn(rd->arg, name, HMFS_NODECPU_INO(key, cpu), LNK, NODE_CPU_OFF + cpu))
			return NODE_CPU_OFF + cpu;
	}
	return LONG_MAX;
}

static long rd_node_dir(struct hmfs_ctx *ctx, unsigned long nid, uint64_t key, unsigned sub,
			long off, struct rd *rd)
{
	unsigned long id;
	char name[32];
	long ret;

	switch (sub) {
	case NSUB_POWER:
		return rd_power(ctx, mk_node, key, off, rd);
	case NSUB_HUGEPAGES:
		return rd_node_subs(ctx, nid, key, node_hp_subs, sizeof(node_hp_subs), off, rd);
	case NSUB_HP_DIR:
		return rd_node_subs(ctx, nid, key, node_hp_dir_subs, sizeof(node_hp_dir_subs), off,
				    rd);
	case NSUB_MF_DIR:
		return rd_node_subs(ctx, nid, key, node_mf_subs, sizeof(node_mf_subs), off, rd);
	}
	if (off < NODE_CPU_OFF) {
		ret = rd_node_subs(ctx, nid, key, node_dir_subs, sizeof(node_dir_subs), off, rd);
		if (ret != LONG_MAX)
			return ret;
		off = NODE_CPU_OFF;
	}
	if (off < DYN_OFF) {
		ret = rd_node_cpus(ctx, nid, key, off, rd);
		if (ret != LONG_MAX)
			return ret;
		off = DYN_OFF;
	}
	if (!rd_blocks_next(rd))
		return LONG_MAX;
	for (int r = block_from(ctx, off, &id); !r; r = hotmem_block_next(ctx->hm, &id, false)) {
		if (!block_shown_under(ctx, id, nid))
			continue;
		snprintf(name, sizeof(name), "memory%lu", id);
		if (!rd->fn(rd->arg, name, HMFS_NODELINK_INO(block_key(ctx, id), nid), LNK,
			    DYN_OFF + (long)id))
			return DYN_OFF + (long)id;
	}
	return LONG_MAX;
}

/* a boot block's other nodeK links, after its entries (at BSUB_END + 1 + K) */
static long rd_block_other_nodes(const struct hm_block_info *bi, unsigned long key, long off,
				 struct rd *rd)
{
	char name[32];

	for (unsigned long nid = 0; nid < HM_MAX_NUMNODES; nid++) {
		long at = BSUB_END + 1 + (long)nid;

		if (at < off || !block_other_node(bi, nid))
			continue;
		snprintf(name, sizeof(name), "node%lu", nid);
		if (!rd->fn(rd->arg, name, mk_block(key, BSUB_NODE_MORE + (unsigned)nid), LNK, at))
			return at;
	}
	return LONG_MAX;
}

/*
 * "..": the parent directory's inode number, as kernfs_fop_readdir()'s
 * dir_emit_dots() gives it (parent_ino(): the dentry's d_parent, 6.18).
 * Every directory's parent is fixed by its class -- memoryN/ in memory/,
 * nodeN/ in node/, PNP0C80:xx/ in its container, firmware/memmap/N in
 * memmap/, their subdirectories in the object's directory of the same
 * key, a static one in its table parent -- so a directory held open
 * across its removal still lists its parent, as the kernel's unhashed
 * dentry keeps d_parent (review7 #3), and no listing walks a path for it
 * (it was a path round trip per listing).  The root's is its own.
 */
static uint64_t static_ino(int idx)
{
	return HMFS_INO(HMFS_C_STATIC, (uint64_t)idx + 1);
}

static uint64_t dotdot_ino(struct hmfs_ctx *ctx, uint64_t ino)
{
	uint64_t v = HMFS_INO_VAL(ino), key = v >> 8;
	unsigned int sub = (unsigned int)(v & 0xff);

	switch (HMFS_INO_CLASS(ino)) {
	case HMFS_C_STATIC:
		return v && ctx->snodes[v - 1].parent >= 0 ? static_ino(ctx->snodes[v - 1].parent) :
							     ino;
	case HMFS_C_BLOCK:
		return sub == BSUB_DIR ? static_ino(ctx->sn_memory) : HMFS_BLOCK_INO(key, BSUB_DIR);
	case HMFS_C_NODE:
		if (sub >= NSUB_END) /* a link, no directory */
			return ino;
		return sub == NSUB_DIR ? static_ino(ctx->sn_node) : HMFS_NODE_INO(key, node_parent[sub]);
	case HMFS_C_ACPI:
		return sub == ASUB_DIR ? static_ino(ctx->sn_acpi_mhpc) : mk_acpi(key, ASUB_DIR);
	case HMFS_C_FWMAP:
		return static_ino(ctx->sn_fwmap);
	}
	return ino;
}

/* a directory's entries in its tables' order (hmfs_readdir() sorts a sysfs one), to @rd */
static long readdir_rd(struct hmfs_ctx *ctx, uint64_t ino, long off, struct rd *rd)
{
	hmfs_dirent_fn fn = rd->fn;
	void *arg = rd->arg;
	struct hmfs_node n;
	uint64_t v = HMFS_INO_VAL(ino);
	char nodename[32];
	int ret;

	/* a removed block's or node's directory: its children were unlinked with it, "." and ".." stay */
	ret = hmfs_node_get_held(ctx, ino, &n);
	if (ret)
		return ret;
	if (!S_ISDIR(n.mode))
		return -ENOTDIR;
	/* "." and "..": their inode numbers reach readdir(3), which skips a d_ino 0 */
	if (off < 1) {
		if (!fn(arg, ".", ino, DIR_MODE, 0))
			return 0;
		off = 1;
	}
	if (off < 2) {
		if (!fn(arg, "..", dotdot_ino(ctx, ino), DIR_MODE, 1))
			return 1;
		off = 2;
	}
	switch (HMFS_INO_CLASS(ino)) {
	case HMFS_C_STATIC:
		return rd_static(ctx, n.snode, off, rd);
	case HMFS_C_BLOCK: {
		struct hm_block_info bi;
		long r;

		if (n.removed)
			return LONG_MAX;
		if ((v & 0xff) == BSUB_POWER)
			return rd_power(ctx, mk_block, v >> 8, off, rd);
		if (block_info_shown(ctx, n.id, &bi))
			return -ENOENT;
		snprintf(nodename, sizeof(nodename), "node%d", bi.nid);
		/* firmware_node, the last entry, for a DIMM's blocks only; nodeK once linked */
		r = rd_subs(block_ents,
			    hmfs_acpi_block_slot(ctx, n.id, NULL) >= 0 ? BSUB_END :
									 BSUB_FIRMWARE_NODE,
			    mk_block, v >> 8, off, rd, block_linked(&bi) ? nodename : NULL);
		return r == LONG_MAX ? rd_block_other_nodes(&bi, v >> 8, off, rd) : r;
	}
	case HMFS_C_ACPI:
		if ((v & 0xff) == ASUB_POWER)
			return rd_power(ctx, mk_acpi, v >> 8, off, rd);
		return rd_acpi_dir(ctx, v >> 8, off, rd);
	case HMFS_C_NODE:
		if (n.removed)
			return LONG_MAX;
		return rd_node_dir(ctx, n.id, v >> 8, v & 0xff, off, rd);
	case HMFS_C_FWMAP:
		return rd_subs(fwmap_ents, FSUB_END_, mk_fwmap, v >> 8, off, rd, NULL);
	}
	return -ENOTDIR;
}

static long readdir_table(struct hmfs_ctx *ctx, uint64_t ino, long off, hmfs_dirent_fn fn,
			  void *arg)
{
	struct rd rd = { .fn = fn, .arg = arg };

	return readdir_rd(ctx, ino, off, &rd);
}

/* ---- kernfs order ---------------------------------------------------- */
/*
 * kernfs keeps a directory's children in an rbtree ordered by
 * kernfs_name_hash(), then name (kernfs_name_compare(); sysfs's ns is
 * NULL), and kernfs_fop_readdir() walks it with the hash as the position
 * (fs/kernfs/dir.c, 6.12 and 6.18 alike).  Tools that take the first
 * entry of a kind read that order: lsmem's memory_block_get_node() and
 * hotmemd's hmd_block_read_node() the first nodeK of a block spanning
 * nodes.  Positions here: "." and ".." 0 and 1 << 8, an entry
 * hash << 8 | its rank among equal hashes; then, in id order at
 * KF_TAIL + the table's own offset, the entries there is one of per
 * memory block (memoryN in memory/ and bus/memory/devices/, nodeN's
 * memoryM): thousands, where sorting them on every request would cost
 * the listing quadratic time; tools sort those by number (lsmem, chmem,
 * numactl), and kernfs's order of them says nothing.
 */
#define KF_TAIL (1L << 40)

/* kernfs_name_hash(): partial_name_hash() of each char (signed on x86), end_name_hash() of 64 bits */
static unsigned int kernfs_name_hash(const char *name)
{
	uint64_t hash = 0;

	for (const char *c = name; *c; c++) {
		uint64_t ch = (uint64_t)(long)(signed char)*c;

		hash = (hash + (ch << 4) + (ch >> 4)) * 11;
	}
	hash = ((hash * 0x61C8864680B583EBULL) >> 32) & 0x7fffffffU; /* hash_long(hash, 32) */
	if (hash < 2) /* 0 and 1 are "." and "..", INT_MAX the end */
		hash += 2;
	if (hash >= 0x7fffffffU)
		hash = 0x7fffffffU - 1;
	return (unsigned int)hash;
}

struct kf_ent {
	unsigned int hash;
	long pos; /* hash << 8 | its rank among equal hashes */
	char name[64];
	uint64_t ino;
	mode_t mode;
};

/* a directory's entries up to the per-block ones, in kernfs order */
struct kf_head {
	uint64_t ino;
	unsigned int refs; /* under the cache's lock: its own while it keeps it, and each reader's */
	bool per_block; /* per-block entries follow (at KF_TAIL) */
	bool nomem;
	struct kf_shape { /* a memory block's: its node links, its firmware_node (kf_head_get()) */
		int nid;
		uint64_t nodes;
		bool fwnode;
	} shape;
	struct kf_ent *ents;
	size_t nr, cap;
};

/* one of the per-block entries a listing has last (see above) */
static bool kf_per_block(uint64_t ino)
{
	unsigned c = HMFS_INO_CLASS(ino);

	return c == HMFS_C_NODELINK || c == HMFS_C_BUSLINK ||
	       (c == HMFS_C_BLOCK && (HMFS_INO_VAL(ino) & 0xff) == BSUB_DIR);
}

/* the table's entries up to the per-block ones: "." and ".." as hash 0 and 1 */
static bool kf_collect(void *arg, const char *name, uint64_t ino, mode_t mode, long off)
{
	struct kf_head *h = arg;
	struct kf_ent *e;
	size_t len = strlen(name);

	if (h->nr == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 32;

		e = realloc(h->ents, cap * sizeof(*e));
		if (!e) {
			h->nomem = true;
			return false;
		}
		h->ents = e;
		h->cap = cap;
	}
	e = &h->ents[h->nr++];
	e->hash = off < 2 ? (unsigned int)off : kernfs_name_hash(name);
	if (len >= sizeof(e->name))
		len = sizeof(e->name) - 1;
	memcpy(e->name, name, len);
	e->name[len] = '\0';
	e->ino = ino;
	e->mode = mode;
	return true;
}

static int kf_cmp(const void *a, const void *b)
{
	const struct kf_ent *x = a, *y = b;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void kf_head_free(struct kf_head *h)
{
	if (h) {
		free(h->ents);
		free(h);
	}
}

/* @ino's entries up to the per-block ones, collected and sorted; NULL and *@err */
static struct kf_head *kf_head_build(struct hmfs_ctx *ctx, uint64_t ino, long *err)
{
	struct kf_head *h = calloc(1, sizeof(*h));
	struct rd rd = { .fn = kf_collect, .arg = h, .head_only = true };
	unsigned rank = 0;

	if (!h) {
		*err = -ENOMEM;
		return NULL;
	}
	h->ino = ino;
	*err = readdir_rd(ctx, ino, 0, &rd);
	if (h->nomem)
		*err = -ENOMEM;
	if (*err < 0) {
		kf_head_free(h);
		return NULL;
	}
	h->per_block = rd.per_block;
	qsort(h->ents, h->nr, sizeof(*h->ents), kf_cmp);
	for (size_t i = 0; i < h->nr; i++) {
		rank = i && h->ents[i - 1].hash == h->ents[i].hash ? rank + 1 : 0;
		h->ents[i].pos = (long)h->ents[i].hash << 8 | (rank < 0xff ? rank : 0xff);
	}
	return h;
}

/*
 * The sorted part of the last KF_CACHE_DIRS directories listed: each
 * READDIR(PLUS) request of a listing collected, hashed and sorted the
 * whole of it again (a listing read to its end is two requests at least,
 * a big directory one a page), and hotmemfs keeps no directory handle
 * (no_opendir) to hang it on.  Only directories whose sorted part their
 * inode number fixes are kept (kf_head_fixed()), so nothing has to say
 * when one changed: a memory block's or node's directories carry the
 * incarnation's key (a removed one's number is never given again) and
 * their entries are the incarnation's; a static directory whose own
 * entries never change.  Those whose entries come and go under one
 * number (node/, memmap/, a DIMM slot's physical_nodeK links) are sorted
 * per request, as before.  Readers take a reference under the lock and
 * emit without it.
 */
#define KF_CACHE_DIRS 8

struct hmfs_kfcache {
	pthread_mutex_t lock;
	struct kf_head *dirs[KF_CACHE_DIRS]; /* most recently listed first */
};

/* @ino's sorted part is fixed for the number's life (above) */
static bool kf_head_fixed(struct hmfs_ctx *ctx, uint64_t ino)
{
	uint64_t v = HMFS_INO_VAL(ino);

	switch (HMFS_INO_CLASS(ino)) {
	case HMFS_C_BLOCK:
	case HMFS_C_NODE:
	case HMFS_C_FWMAP:
		return true;
	case HMFS_C_ACPI:
		return (v & 0xff) == ASUB_POWER;
	case HMFS_C_STATIC:
		if (v < 1 || v > (uint64_t)ctx->nr_snodes)
			return false;
		switch (ctx->snodes[v - 1].dyn) {
		case DYN_NONE:
		case DYN_BLOCKS: /* per-block entries: not in the sorted part */
		case DYN_BUSLINKS:
		case DYN_ACPI_SLOTS: /* as many as the machine has slots */
			return true;
		default:
			return false;
		}
	}
	return false;
}

/* drop a reference; the last frees */
static void kf_head_put(struct hmfs_kfcache *c, struct kf_head *h)
{
	bool last;

	if (!h)
		return;
	pthread_mutex_lock(&c->lock);
	last = !--h->refs;
	pthread_mutex_unlock(&c->lock);
	if (last)
		kf_head_free(h);
}

/* @ino's kept sorted part, a reference taken, made the most recent; NULL: not kept */
static struct kf_head *kf_cache_get(struct hmfs_kfcache *c, uint64_t ino)
{
	struct kf_head *h = NULL;

	pthread_mutex_lock(&c->lock);
	for (int i = 0; i < KF_CACHE_DIRS && c->dirs[i]; i++) {
		if (c->dirs[i]->ino != ino)
			continue;
		h = c->dirs[i];
		memmove(&c->dirs[1], &c->dirs[0], (size_t)i * sizeof(*c->dirs));
		c->dirs[0] = h;
		h->refs++;
		break;
	}
	pthread_mutex_unlock(&c->lock);
	return h;
}

/* keep @h (the caller keeps its reference): first, in place of one of its number or the oldest */
static void kf_cache_add(struct hmfs_kfcache *c, struct kf_head *h)
{
	struct kf_head *old;
	int i = 0;

	pthread_mutex_lock(&c->lock);
	while (i < KF_CACHE_DIRS - 1 && c->dirs[i] && c->dirs[i]->ino != h->ino)
		i++;
	old = c->dirs[i];
	memmove(&c->dirs[1], &c->dirs[0], (size_t)i * sizeof(*c->dirs));
	c->dirs[0] = h;
	h->refs++;
	if (old && --old->refs)
		old = NULL;
	pthread_mutex_unlock(&c->lock);
	kf_head_free(old);
}

/*
 * What a memory block's directory lists besides its table: its node
 * links, which come after its hot-add's ADDs (nodelink.c), and a DIMM
 * block's firmware_node, which comes after them too (acpi.c
 * hmfs_acpi_slot_bind()).  The block's key already says it is the same
 * block (a block added again has a new one, incarn.c); this also holds
 * where no key went (an engine without hotmemfs's callbacks, test_tree).
 */
static struct kf_shape kf_shape(struct hmfs_ctx *ctx, const struct hmfs_node *n)
{
	struct kf_shape sh = { -1, 0, false };
	struct hm_block_info bi;

	if (HMFS_INO_CLASS(n->ino) == HMFS_C_BLOCK && !block_info_shown(ctx, n->id, &bi)) {
		sh.nid = bi.nid;
		sh.nodes = bi.nodes;
		/* what readdir_rd() asks for the block's directory */
		sh.fwnode = (HMFS_INO_VAL(n->ino) & 0xff) == BSUB_DIR &&
			    hmfs_acpi_block_slot(ctx, n->id, NULL) >= 0;
	}
	return sh;
}

/* @ino's sorted part, kept or built (and kept when its number fixes it); a reference to put */
static struct kf_head *kf_head_get(struct hmfs_ctx *ctx, uint64_t ino, long *err)
{
	struct hmfs_kfcache *c = ctx->kfcache;
	struct kf_head *h = NULL;
	struct kf_shape sh = { -1, 0, false };
	struct hmfs_node n;
	bool live = !hmfs_node_get(ctx, ino, &n);

	if (live)
		sh = kf_shape(ctx, &n);
	/* a kept one is the live directory's: a removed one lists "." and ".." only */
	if (live && (h = kf_cache_get(c, ino))) {
		if (h->shape.nid == sh.nid && h->shape.nodes == sh.nodes &&
		    h->shape.fwnode == sh.fwnode)
			return h;
		kf_head_put(c, h);
	}
	h = kf_head_build(ctx, ino, err);
	if (!h)
		return NULL;
	h->refs = 1;
	h->shape = sh;
	if (live && kf_head_fixed(ctx, ino))
		kf_cache_add(c, h);
	return h;
}

static int kf_cache_init(struct hmfs_ctx *ctx)
{
	ctx->kfcache = calloc(1, sizeof(*ctx->kfcache));
	if (!ctx->kfcache)
		return -ENOMEM;
	pthread_mutex_init(&ctx->kfcache->lock, NULL);
	return 0;
}

static void kf_cache_free(struct hmfs_ctx *ctx)
{
	if (!ctx->kfcache)
		return;
	for (int i = 0; i < KF_CACHE_DIRS; i++)
		kf_head_free(ctx->kfcache->dirs[i]);
	pthread_mutex_destroy(&ctx->kfcache->lock);
	free(ctx->kfcache);
	ctx->kfcache = NULL;
}

struct kf_tail {
	hmfs_dirent_fn fn;
	void *arg;
};

/* the per-block entries, at KF_TAIL + the table's offset */
static bool kf_tail_fn(void *arg, const char *name, uint64_t ino, mode_t mode, long off)
{
	struct kf_tail *t = arg;

	return !kf_per_block(ino) || t->fn(t->arg, name, ino, mode, KF_TAIL + off);
}

/*
 * a sysfs directory: below sys/, but for debugfs's sys/kernel/debug --
 * by its table parents (it built the directory's path on every request)
 */
static bool kf_dir(struct hmfs_ctx *ctx, uint64_t ino)
{
	const struct hmfs_snode *sn = ctx->snodes;
	uint64_t v = HMFS_INO_VAL(ino);
	int top[3] = { -1, -1, -1 }; /* the chain below the root, from the top: sys, kernel, debug */

	if (HMFS_INO_CLASS(ino) != HMFS_C_STATIC)
		return true;
	if (v < 1 || v > (uint64_t)ctx->nr_snodes)
		return false;
	for (int i = (int)v - 1; i > 0; i = sn[i].parent) {
		top[2] = top[1];
		top[1] = top[0];
		top[0] = i;
	}
	if (top[0] < 0 || strcmp(sn[top[0]].name, "sys"))
		return false;
	return top[2] < 0 || strcmp(sn[top[1]].name, "kernel") || strcmp(sn[top[2]].name, "debug");
}

/* @h's entries from position @off: LONG_MAX when all went, else the position @fn refused */
static long kf_emit(const struct kf_head *h, long off, hmfs_dirent_fn fn, void *arg)
{
	size_t lo = 0, hi = h->nr;

	while (lo < hi) { /* the first at or past @off */
		size_t mid = lo + (hi - lo) / 2;

		if (h->ents[mid].pos < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < h->nr; i++) {
		const struct kf_ent *e = &h->ents[i];

		if (!fn(arg, e->name, e->ino, e->mode, e->pos))
			return e->pos;
	}
	return LONG_MAX;
}

static long readdir_kernfs(struct hmfs_ctx *ctx, uint64_t ino, long off, hmfs_dirent_fn fn,
			   void *arg)
{
	struct kf_tail t = { fn, arg };
	long ret = 0;

	if (off < KF_TAIL) {
		struct kf_head *h = kf_head_get(ctx, ino, &ret);
		bool per_block;

		if (!h)
			return ret;
		ret = kf_emit(h, off, fn, arg);
		per_block = h->per_block;
		kf_head_put(ctx->kfcache, h);
		if (ret != LONG_MAX || !per_block)
			return ret; /* a page is full, or no per-block entries: a device's directory */
	}
	/* the per-block entries are at DYN_OFF + id in every table that has them */
	ret = readdir_table(ctx, ino, off > KF_TAIL ? off - KF_TAIL : DYN_OFF, kf_tail_fn, &t);
	if (ret >= 0 && ret != LONG_MAX)
		ret += KF_TAIL;
	return ret;
}

long hmfs_readdir(struct hmfs_ctx *ctx, uint64_t ino, long off, hmfs_dirent_fn fn, void *arg)
{
	return kf_dir(ctx, ino) ? readdir_kernfs(ctx, ino, off, fn, arg) :
				  readdir_table(ctx, ino, off, fn, arg);
}

static bool same_run(const struct hm_block_info *a, const struct hm_block_info *b,
		     unsigned int flags)
{
	return b->id == a->id + 1 && b->state == a->state && b->zone == a->zone &&
	       (!(flags & HMFS_RUN_BY_NODE) || b->nid == a->nid) &&
	       (!(flags & HMFS_RUN_BY_GROUP) || b->group == a->group) &&
	       (!(flags & HMFS_RUN_HWPOISON_ALONE) || (!a->nr_hwpoison && !b->nr_hwpoison)) &&
	       (!(flags & HMFS_RUN_ONLINE_APART) ||
		(b->online_type == HM_MMOP_ONLINE) == (a->online_type == HM_MMOP_ONLINE));
}

void hmfs_block_runs_in(struct hmfs_ctx *ctx, unsigned int flags, unsigned long from,
			unsigned long end, hmfs_run_fn fn, void *arg)
{
	struct hm_block_info bi, head = { 0 }, prev = { 0 };
	unsigned long id = from ? from - 1 : 0, count = 0;
	bool first;

	for (first = !from; !hotmem_block_next(ctx->hm, &id, first) && id < end; first = false) {
		if (hotmem_block_info(ctx->hm, id, &bi))
			continue;
		if ((flags & HMFS_RUN_GOING_OFFLINE_IS_ONLINE) && bi.state == HM_MEM_GOING_OFFLINE)
			bi.state = HM_MEM_ONLINE;
		if (count && same_run(&prev, &bi, flags)) {
			count++;
		} else {
			if (count)
				fn(arg, &head, count);
			head = bi;
			count = 1;
		}
		prev = bi;
	}
	if (count)
		fn(arg, &head, count);
}

void hmfs_block_runs(struct hmfs_ctx *ctx, unsigned int flags, hmfs_run_fn fn, void *arg)
{
	hmfs_block_runs_in(ctx, flags, 0, ULONG_MAX, fn, arg);
}

void hmfs_stat(struct hmfs_ctx *ctx, const struct hmfs_node *n, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = n->ino;
	st->st_mode = n->mode;
	st->st_nlink = (nlink_t)n->nlink;
	/* the superblock's block size: procfs's 1024 (proc_fill_super()), kernfs's and debugfs's a page */
	st->st_blksize = hmfs_node_in_procfs(ctx, n) ? 1024 : 4096;
	/*
	 * kernfs: attributes claim a page, directories and links 0; procfs
	 * and debugfs files 0, but 6.18's proc/cmdline its length
	 * (proc_cmdline_init(): saved_command_line_len + 1, the newline)
	 */
	if (!S_ISREG(n->mode) || n->attr == A_INJ_GOING_ONLINE || n->attr == A_INJ_GOING_OFFLINE)
		st->st_size = 0;
	else if (n->attr == A_CMDLINE)
		st->st_size = (off_t)strlen(ctx->cfg.cmdline) + 1;
	else
		st->st_size = hmfs_attr_size(ctx, n->attr);
	st->st_atim = st->st_mtim = st->st_ctim = ctx->mount_time;
	hmfs_iattr_stat(ctx, n, st);
}

/*
 * bus_type's drivers_autoprobe (drivers/base/bus.c, 6.12+: struct
 * subsys_private's drivers_autoprobe): each bus its own.  Written under
 * change_lock (hmfs_change()), read by any FUSE thread: atomic.
 */
bool hmfs_bus_autoprobe(struct hmfs_ctx *ctx, int snode)
{
	return !__atomic_load_n(&ctx->snodes[snode].autoprobe_off, __ATOMIC_RELAXED);
}

int hmfs_bus_autoprobe_set(struct hmfs_ctx *ctx, int snode, bool on)
{
	if (snode < 0 || snode >= ctx->nr_snodes || ctx->snodes[snode].attr != A_BUS_AUTOPROBE)
		return -EINVAL;
	__atomic_store_n(&ctx->snodes[snode].autoprobe_off, !on, __ATOMIC_RELAXED);
	return 0;
}
