// SPDX-License-Identifier: GPL-2.0
/*
 * The names the kernel shows user space: online types
 * (drivers/base/memory.c), uevent actions (lib/kobject_uevent.c),
 * zones (mm/page_alloc.c) and memory notifier actions
 * (include/linux/memory.h), Linux 6.12.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hmuapi.h"

/* the index of the name in @table that is exactly @len bytes of @s */
static int match_exact(const char *const *table, const char *s, size_t len)
{
	for (int i = 0; table[i]; i++)
		if (strlen(table[i]) == len && !strncmp(table[i], s, len))
			return i;
	return -EINVAL;
}

const char *const hmu_online_type_names[] = {
	[HMU_MMOP_OFFLINE] = "offline",
	[HMU_MMOP_ONLINE] = "online",
	[HMU_MMOP_ONLINE_KERNEL] = "online_kernel",
	[HMU_MMOP_ONLINE_MOVABLE] = "online_movable",
	[HMU_NR_MMOP] = NULL,
};

const char *hmu_online_type_name(int online_type)
{
	if (online_type < 0 || online_type >= HMU_NR_MMOP)
		return "unknown";
	return hmu_online_type_names[online_type];
}

int hmu_online_type_from_str(const char *buf)
{
	return hmu_sysfs_match_string(hmu_online_type_names, buf);
}

const char *const hmu_kobject_actions[] = {
	[HMU_KOBJ_ADD] = "add",		[HMU_KOBJ_REMOVE] = "remove",
	[HMU_KOBJ_CHANGE] = "change",	[HMU_KOBJ_MOVE] = "move",
	[HMU_KOBJ_ONLINE] = "online",	[HMU_KOBJ_OFFLINE] = "offline",
	[HMU_KOBJ_BIND] = "bind",	[HMU_KOBJ_UNBIND] = "unbind",
	[HMU_NR_KOBJ_ACTIONS] = NULL,
};

const char *hmu_kobject_action_name(int action)
{
	if (action < 0 || action >= HMU_NR_KOBJ_ACTIONS)
		return NULL;
	return hmu_kobject_actions[action];
}

int hmu_kobject_action_type(const char *buf, size_t len)
{
	return match_exact(hmu_kobject_actions, buf, len);
}

const char *const hmu_zone_names[] = {
	HMU_ZONE_NAMES, [HMU_MAX_NR_ZONES] = NULL,
};

const char *hmu_zone_name(int zid)
{
	if (zid < 0 || zid >= HMU_MAX_NR_ZONES)
		return "none";
	return hmu_zone_names[zid];
}

int hmu_zone_from_name(const char *s, size_t len)
{
	return match_exact(hmu_zone_names, s, len);
}

/* bit i is mem_action_names[i] (include/linux/memory.h, 6.12) */
static const char *const mem_action_names[] = {
	"MEM_ONLINE",	     "MEM_GOING_OFFLINE",  "MEM_OFFLINE",	 "MEM_GOING_ONLINE",
	"MEM_CANCEL_ONLINE", "MEM_CANCEL_OFFLINE", "MEM_PREPARE_ONLINE", "MEM_FINISH_OFFLINE",
};
#define NR_MEM_ACTIONS (int)(sizeof(mem_action_names) / sizeof(mem_action_names[0]))

const char *hmu_mem_action_name(long long action)
{
	for (int i = 0; i < NR_MEM_ACTIONS; i++)
		if (action == 1LL << i)
			return mem_action_names[i];
	return NULL;
}

int hmu_mem_action_from_name(const char *name)
{
	for (int i = 0; i < NR_MEM_ACTIONS; i++)
		if (!strcmp(name, mem_action_names[i]))
			return 1 << i;
	return 0;
}

void hmu_trace_extra(const char *fn, long long extra, char *buf, size_t len)
{
	const char *action = strcmp(fn, "memory_notify") ? NULL : hmu_mem_action_name(extra);

	if (action)
		snprintf(buf, len, "%s", action);
	else if (!strcmp(fn, "test_pages_isolated")) /* trace_test_pages_isolated()'s fin_pfn */
		snprintf(buf, len, "%#llx", (unsigned long long)extra);
	else
		snprintf(buf, len, "%lld", extra);
}
