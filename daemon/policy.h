/* SPDX-License-Identifier: MIT */
/*
 * hotmemd policy: which zone a new memory block goes online in.
 *
 * Pure functions, no I/O: the daemon feeds them what it read from sysfs and
 * /proc/zoneinfo, the unit tests feed them numbers.  The auto-movable
 * algorithm follows mm/memory_hotplug.c of Linux 6.12
 * (auto_movable_zone_for_pfn, auto_movable_can_online_movable,
 * auto_movable_stats_account_zone) with the approximations listed in
 * docs/hotmemd.md.
 */
#ifndef HOTMEMD_POLICY_H
#define HOTMEMD_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#define HMD_MAX_NODES 64
#define HMD_NUMA_NO_NODE (-1)

enum hmd_policy {
	HMD_POL_OFFLINE, /* observe only */
	HMD_POL_ONLINE, /* "online": the kernel picks the zone */
	HMD_POL_ONLINE_KERNEL,
	HMD_POL_ONLINE_MOVABLE,
	HMD_POL_AUTO_MOVABLE,
	HMD_POL__MAX,
	HMD_POL_INHERIT = -1, /* per-node: use the global policy */
};

/* include/linux/mmzone.h order on x86_64 */
enum hmd_zone {
	HMD_ZONE_DMA,
	HMD_ZONE_DMA32,
	HMD_ZONE_NORMAL,
	HMD_ZONE_MOVABLE,
	HMD_ZONE_DEVICE,
	HMD_ZONE__MAX,
	HMD_ZONE_NONE = -1, /* unknown, or "none": spans several zones */
};

enum hmd_action {
	HMD_ACT_NONE, /* leave the block alone */
	HMD_ACT_ONLINE,
	HMD_ACT_ONLINE_KERNEL,
	HMD_ACT_ONLINE_MOVABLE,
};

/* What the kernel would keep in zone->present_(early_)pages, per node. */
struct hmd_node_stats {
	unsigned long kernel_early_pages;
	unsigned long movable_pages;
};

struct hmd_policy_ctx {
	unsigned int ratio; /* memory_hotplug.auto_movable_ratio */
	bool numa_aware; /* memory_hotplug.auto_movable_numa_aware */
	int nr_nodes;
	struct hmd_node_stats node[HMD_MAX_NODES];
	/*
	 * The dynamic memory groups (walk_dynamic_memory_groups()): each but
	 * the block's own reserves the kernel early pages its Movable needs.
	 */
	const struct hmd_group *dyn;
	int nr_dyn;
};

/*
 * A memory group (drivers/base/memory.c struct memory_group): static, one
 * DIMM (max_pages its size), or dynamic, one virtio-mem device
 * (unit_pages: a memory block in SBM, a big block in BBM).  Userspace
 * cannot see groups; the daemon finds them (docs/hotmemd.md).
 */
struct hmd_group {
	bool is_dynamic;
	int nid; /* dynamic: the device's node, HMD_NUMA_NO_NODE: not known yet */
	unsigned long max_pages; /* static */
	unsigned long unit_pages; /* dynamic */
	unsigned long present_movable_pages;
	unsigned long present_kernel_pages;
};

struct hmd_block_req {
	int nid;
	unsigned long nr_pages;
	unsigned int valid_zones; /* bitmask of 1 << enum hmd_zone; 0 = unknown */
	int default_zone; /* first zone valid_zones listed */
	const struct hmd_group *group; /* NULL: no group; a dynamic one points into ctx->dyn */
	/* a dynamic group whose unit is more than one block: the unit's other online blocks */
	unsigned long unit_online_pages; /* Movable */
	bool unit_has_kernel;
};

struct hmd_decision {
	enum hmd_action action;
	int zone; /* enum hmd_zone expected, or NONE */
	char reason[320];
};

/* @pages (4 KiB) as a size a person reads: "1 GiB", "511.5 MiB", "0" */
void hmd_fmt_pages(char *buf, size_t n, unsigned long pages);
const char *hmd_policy_name(int policy);
int hmd_policy_from_str(const char *s);
const char *hmd_zone_name(int zone);
int hmd_zone_from_name(const char *s, size_t len);
const char *hmd_action_state(enum hmd_action act); /* "online_movable"... */
bool hmd_zone_is_kernel(int zone);

/* Parse "Normal Movable\n" into a bitmask; *first gets the first zone. */
unsigned int hmd_parse_valid_zones(const char *s, int *first);

/* Sum of all nodes' stats (the kernel's NUMA_NO_NODE walk). */
void hmd_policy_total(const struct hmd_policy_ctx *pc, struct hmd_node_stats *st);

bool hmd_auto_movable_can_online_movable(const struct hmd_policy_ctx *pc, int nid,
					 const struct hmd_group *group, unsigned long nr_pages);

void hmd_decide(int policy, const struct hmd_policy_ctx *pc, const struct hmd_block_req *req,
		struct hmd_decision *d);

#endif
