// SPDX-License-Identifier: MIT
/*
 * hotmemd policy decisions.  See policy.h; the kernel references are to
 * mm/memory_hotplug.c of Linux 6.12.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "policy.h"
#include "uapi/hmuapi.h"

/* the kernel's online types and zones, by the kernel's names (engine/uapi) */
_Static_assert((int)HMD_POL_OFFLINE == (int)HMU_MMOP_OFFLINE &&
		       (int)HMD_POL_ONLINE_MOVABLE == (int)HMU_MMOP_ONLINE_MOVABLE &&
		       (int)HMD_POL_AUTO_MOVABLE == (int)HMU_NR_MMOP,
	       "a policy is an online type, or auto-movable after them");
_Static_assert((int)HMD_ZONE__MAX == (int)HMU_MAX_NR_ZONES &&
		       (int)HMD_ZONE_MOVABLE == (int)HMU_ZONE_MOVABLE,
	       "zones in include/linux/mmzone.h order");

const char *hmd_policy_name(int policy)
{
	if (policy == HMD_POL_INHERIT)
		return "inherit";
	if (policy == HMD_POL_AUTO_MOVABLE)
		return "auto-movable";
	if (policy < 0 || policy >= HMD_POL__MAX)
		return "?";
	return hmu_online_type_name(policy);
}

int hmd_policy_from_str(const char *s)
{
	for (int i = 0; i < HMU_NR_MMOP; i++)
		if (!strcmp(s, hmu_online_type_names[i]))
			return i;
	/* the kernel spells it "auto-movable"; accept the C spelling too */
	if (!strcmp(s, "auto-movable") || !strcmp(s, "auto_movable"))
		return HMD_POL_AUTO_MOVABLE;
	return -1;
}

const char *hmd_zone_name(int zone)
{
	return hmu_zone_name(zone);
}

int hmd_zone_from_name(const char *s, size_t len)
{
	int zone = hmu_zone_from_name(s, len);

	return zone < 0 ? HMD_ZONE_NONE : zone;
}

const char *hmd_action_state(enum hmd_action act)
{
	switch (act) {
	case HMD_ACT_ONLINE:
		return hmu_online_type_name(HMU_MMOP_ONLINE);
	case HMD_ACT_ONLINE_KERNEL:
		return hmu_online_type_name(HMU_MMOP_ONLINE_KERNEL);
	case HMD_ACT_ONLINE_MOVABLE:
		return hmu_online_type_name(HMU_MMOP_ONLINE_MOVABLE);
	case HMD_ACT_NONE:
		break;
	}
	return "none";
}

bool hmd_zone_is_kernel(int zone)
{
	return zone != HMD_ZONE_MOVABLE && zone != HMD_ZONE_DEVICE;
}

unsigned int hmd_parse_valid_zones(const char *s, int *first)
{
	unsigned int mask = 0;
	size_t len;
	int z;

	*first = HMD_ZONE_NONE;
	for (;;) {
		s += strspn(s, " \t\n");
		len = strcspn(s, " \t\n");
		if (!len)
			break;
		z = hmd_zone_from_name(s, len);
		if (z != HMD_ZONE_NONE) {
			if (!mask)
				*first = z;
			mask |= 1u << z;
		}
		s += len;
	}
	return mask;
}

void hmd_policy_total(const struct hmd_policy_ctx *pc, struct hmd_node_stats *st)
{
	int i;

	st->kernel_early_pages = 0;
	st->movable_pages = 0;
	for (i = 0; i < pc->nr_nodes && i < HMD_MAX_NODES; i++) {
		st->kernel_early_pages += pc->node[i].kernel_early_pages;
		st->movable_pages += pc->node[i].movable_pages;
	}
}

/*
 * The stats auto_movable_can_online_movable() compares: the zones' on one
 * node or (nid == HMD_NUMA_NO_NODE) all, with every other dynamic memory
 * group's effect taken out (auto_movable_stats_account_group(), 6.12):
 * its Movable pages leave MOVABLE, and the kernel early pages its Movable
 * needs beyond its own kernel pages are reserved for it.  The group asked
 * for adds its own kernel pages: "Kernel memory inside dynamic memory group
 * allows for more MOVABLE memory within the same group."  False when the
 * reservations take all of KERNEL_EARLY (the kernel's early "return false").
 */
static bool ratio_stats(const struct hmd_policy_ctx *pc, int nid, const struct hmd_group *group,
			struct hmd_node_stats *st)
{
	unsigned long req_kernel_early = 0, group_movable = 0;
	int i;

	st->kernel_early_pages = 0;
	st->movable_pages = 0;
	if (nid == HMD_NUMA_NO_NODE)
		hmd_policy_total(pc, st);
	else if (nid >= 0 && nid < pc->nr_nodes && nid < HMD_MAX_NODES)
		*st = pc->node[nid];

	for (i = 0; pc->ratio && i < pc->nr_dyn; i++) {
		const struct hmd_group *g = &pc->dyn[i];
		long pages;

		if (g == group || (nid != HMD_NUMA_NO_NODE && g->nid != nid))
			continue;
		pages = (long)(g->present_movable_pages * 100 / pc->ratio);
		pages -= (long)g->present_kernel_pages;
		if (pages > 0)
			req_kernel_early += (unsigned long)pages;
		group_movable += g->present_movable_pages;
	}
	if (st->kernel_early_pages <= req_kernel_early)
		return false;
	st->kernel_early_pages -= req_kernel_early;
	/* the groups' Movable is in the zones' (clamped: a sysroot's numbers may not add up) */
	st->movable_pages = st->movable_pages > group_movable ? st->movable_pages - group_movable : 0;
	if (group && group->is_dynamic)
		st->kernel_early_pages += group->present_kernel_pages;
	return true;
}

/*
 * auto_movable_can_online_movable(): would onlining nr_pages more to
 * ZONE_MOVABLE keep MOVABLE <= ratio% of KERNEL_EARLY, on one node or
 * (nid == HMD_NUMA_NO_NODE) on the whole machine, for a block of @group
 * (NULL: none)?  The stats it compared in @st, for the decision's reason
 * (fr3 5: worked out once); *@reserved_all: false because the other
 * dynamic groups reserve all of KERNEL_EARLY (@st then holds it before
 * the reservations).
 */
static bool can_online_movable(const struct hmd_policy_ctx *pc, int nid,
			       const struct hmd_group *group, unsigned long nr_pages,
			       struct hmd_node_stats *st, bool *reserved_all)
{
	unsigned long long limit;

	*reserved_all = !ratio_stats(pc, nid, group, st);
	if (*reserved_all)
		return false;
	/* 64-bit arithmetic like the kernel's unsigned long on x86_64 */
	limit = (unsigned long long)pc->ratio * st->kernel_early_pages / 100;
	return (unsigned long long)st->movable_pages + nr_pages <= limit;
}

bool hmd_auto_movable_can_online_movable(const struct hmd_policy_ctx *pc, int nid,
					 const struct hmd_group *group, unsigned long nr_pages)
{
	struct hmd_node_stats st;
	bool reserved_all;

	return can_online_movable(pc, nid, group, nr_pages, &st, &reserved_all);
}

/* default_kernel_zone_for_pfn(): the kernel zone valid_zones offers. */
static int kernel_zone_of(const struct hmd_block_req *req)
{
	int z;

	for (z = 0; z < HMD_ZONE__MAX; z++)
		if ((req->valid_zones & (1u << z)) && hmd_zone_is_kernel(z))
			return z;
	return HMD_ZONE_NORMAL;
}

static bool zone_allowed(const struct hmd_block_req *req, int zone)
{
	/* valid_zones unreadable: let the kernel judge */
	return !req->valid_zones || (req->valid_zones & (1u << zone));
}

static void set_kernel(const struct hmd_block_req *req, struct hmd_decision *d)
{
	d->action = HMD_ACT_ONLINE_KERNEL;
	d->zone = kernel_zone_of(req);
}

static void set_movable(struct hmd_decision *d)
{
	d->action = HMD_ACT_ONLINE_MOVABLE;
	d->zone = HMD_ZONE_MOVABLE;
}

/*
 * @pages (4 KiB, as sysfs.c's block sizes) as a person reads a size:
 * "1 GiB", "511.5 MiB", "0" -- the counts alone (130942) said nothing to
 * a reader of the decision line (docs43 F5)
 */
void hmd_fmt_pages(char *buf, size_t n, unsigned long pages)
{
	double mib = (double)pages / 256;
	bool gib = mib >= 1024;
	const char *unit = gib ? "GiB" : "MiB";
	double v = gib ? mib / 1024 : mib;
	/* one decimal, none when it is 0: "511.5 MiB", "1 GiB" */
	bool whole = (unsigned long)(v * 10 + 0.5) % 10 == 0;

	if (!pages)
		snprintf(buf, n, "0");
	else
		snprintf(buf, n, whole ? "%.0f %s" : "%.1f %s", v, unit);
}

/* the reason, from the stats can_online_movable() compared (@st, @reserved_all) */
static void explain_ratio(const struct hmd_policy_ctx *pc, int nid, const struct hmd_group *g,
			  unsigned long nr_pages, const char *rest, const struct hmd_node_stats *st,
			  bool reserved_all, struct hmd_decision *d)
{
	char where[24] = "all nodes";
	/* the numbers said are the kernel's after its dynamic-group adjustments */
	const char *dyn = g && g->is_dynamic ? " (dynamic memory groups counted)" : "";
	char mov[16], add[16], early[16];

	if (nid != HMD_NUMA_NO_NODE && nid >= 0 && nid < HMD_MAX_NODES)
		snprintf(where, sizeof(where), "node%d", nid);
	if (reserved_all) {
		snprintf(d->reason, sizeof(d->reason),
			 "auto-movable: %s: other dynamic groups reserve all %lu kernel early pages",
			 where, st->kernel_early_pages);
		return;
	}
	hmd_fmt_pages(mov, sizeof(mov), st->movable_pages);
	hmd_fmt_pages(add, sizeof(add), nr_pages);
	hmd_fmt_pages(early, sizeof(early), st->kernel_early_pages);
	snprintf(d->reason, sizeof(d->reason),
		 "auto-movable: %s: movable %lu + %lu pages%s %s %u%% of kernel early %lu pages "
		 "(Movable %s + %s, kernel %s)%s", where,
		 st->movable_pages, nr_pages, rest,
		 d->action == HMD_ACT_ONLINE_MOVABLE ? "within" : "exceeds", pc->ratio,
		 st->kernel_early_pages, mov, add, early, dyn);
}

/* auto_movable_zone_for_pfn() for one block of no group, a static or a dynamic group */
static void decide_auto_movable(const struct hmd_policy_ctx *pc, const struct hmd_block_req *req,
				struct hmd_decision *d)
{
	const struct hmd_group *g = req->group;
	unsigned long nr_pages = req->nr_pages;
	struct hmd_node_stats st;
	bool fits, reserved_all;
	/*
	 * what the pages added are when not the block's own: a reader took
	 * "movable 0 + 131072 pages" for one 32768-page block (user42 U4)
	 */
	const char *rest = "";
	int nid;

	if (!pc->ratio) {
		set_kernel(req, d);
		snprintf(d->reason, sizeof(d->reason), "auto-movable: ratio 0");
		return;
	}
	if (g && !g->is_dynamic) {
		/* If anything is !MOVABLE online the rest !MOVABLE. */
		if (g->present_kernel_pages) {
			set_kernel(req, d);
			snprintf(d->reason, sizeof(d->reason),
				 "auto-movable: group already has %lu kernel pages",
				 g->present_kernel_pages);
			return;
		}
		/*
		 * Online MOVABLE if we could currently online all remaining
		 * parts of the group MOVABLE.
		 */
		nr_pages = g->max_pages > g->present_movable_pages ?
				   g->max_pages - g->present_movable_pages :
				   nr_pages;
		if (nr_pages != req->nr_pages)
			rest = " (this block and the rest of its static group)";
	} else if (g && g->unit_pages > req->nr_pages) {
		/* a big block (BBM): its unit's other blocks decide with it */
		if (req->unit_has_kernel) {
			set_kernel(req, d);
			snprintf(d->reason, sizeof(d->reason),
				 "auto-movable: another block of its dynamic group's unit is not Movable");
			return;
		}
		nr_pages = g->unit_pages > req->unit_online_pages ?
				   g->unit_pages - req->unit_online_pages :
				   nr_pages;
		if (nr_pages != req->nr_pages)
			rest = " (this block and the rest of its unit)";
	}
	/* the whole machine, then (numa_aware) the block's node: the reason says the last asked */
	nid = HMD_NUMA_NO_NODE;
	fits = can_online_movable(pc, nid, g, nr_pages, &st, &reserved_all);
	if (fits && pc->numa_aware) {
		nid = req->nid;
		fits = can_online_movable(pc, nid, g, nr_pages, &st, &reserved_all);
	}
	if (fits)
		set_movable(d);
	else
		set_kernel(req, d);
	explain_ratio(pc, nid, g, nr_pages, rest, &st, reserved_all, d);
}

/*
 * The kernel refuses a zone valid_zones does not list (EINVAL); so do we,
 * before writing.  auto-movable falls back to the kernel zone, as the
 * kernel's own zone_for_pfn_range() never returns a zone it cannot use.
 */
static void check_allowed(int policy, const struct hmd_block_req *req, struct hmd_decision *d)
{
	size_t n = strlen(d->reason);

	if (d->action == HMD_ACT_NONE || d->action == HMD_ACT_ONLINE || zone_allowed(req, d->zone))
		return;
	if (policy == HMD_POL_AUTO_MOVABLE && d->action == HMD_ACT_ONLINE_MOVABLE) {
		set_kernel(req, d);
		snprintf(d->reason + n, sizeof(d->reason) - n,
			 "; Movable not in valid_zones, kernel zone instead");
		if (zone_allowed(req, d->zone))
			return;
	}
	snprintf(d->reason + n, sizeof(d->reason) - n, "; %s not in valid_zones",
		 hmd_zone_name(d->zone));
	d->action = HMD_ACT_NONE;
}

void hmd_decide(int policy, const struct hmd_policy_ctx *pc, const struct hmd_block_req *req,
		struct hmd_decision *d)
{
	d->action = HMD_ACT_NONE;
	d->zone = HMD_ZONE_NONE;
	d->reason[0] = '\0';

	switch (policy) {
	case HMD_POL_OFFLINE:
		snprintf(d->reason, sizeof(d->reason), "policy offline: observe only");
		return;
	case HMD_POL_ONLINE:
		d->action = HMD_ACT_ONLINE;
		d->zone = req->default_zone;
		snprintf(d->reason, sizeof(d->reason), "policy online: kernel default zone");
		return;
	case HMD_POL_ONLINE_KERNEL:
		set_kernel(req, d);
		snprintf(d->reason, sizeof(d->reason), "policy online_kernel");
		break;
	case HMD_POL_ONLINE_MOVABLE:
		set_movable(d);
		snprintf(d->reason, sizeof(d->reason), "policy online_movable");
		break;
	case HMD_POL_AUTO_MOVABLE:
		decide_auto_movable(pc, req, d);
		break;
	default:
		snprintf(d->reason, sizeof(d->reason), "unknown policy %d", policy);
		return;
	}
	check_allowed(policy, req, d);
}
