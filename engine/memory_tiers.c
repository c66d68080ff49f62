// SPDX-License-Identifier: GPL-2.0
/*
 * Memory tiers (mm/memory-tiers.c, 6.12) as far as the kernel's log shows
 * them.  Every node with memory is in the default DRAM tier (no HMAT, no
 * dax/kmem memory type: QEMU's guests have none), so no node has a
 * demotion target, and establish_demotion_targets()' dump says
 * "Demotion targets for Node N: null" for each node with memory and a
 * tier whenever a node gains its memory or loses it (abuse29a N3: a
 * 6.12.117 guest logs them after the online's zonelist lines).
 *
 * memory_tier_init() (a subsys_initcall) tiers the boot nodes with memory
 * and CPUs; a CPU-less one waits for memory_tier_late_init(), which 6.12
 * runs from hmat_init() only, so without an HMAT it gets no tier until
 * its memory goes and comes back.  The engine takes that boot set at the
 * first change of a node's memory: no node gained or lost memory before
 * (each would have come here first), so the set is boot's.  Its boot line
 * ("Demotion targets for Node 0: null") is not logged.  Under
 * mem_hotplug_lock (online_pages(), offline_pages()).
 */
#include "internal.h"

/*
 * memory_tier_init()'s tiers, without its dump (see above): the nodes
 * with memory and CPUs as before this first change, @nid's memory
 * being what it was (@had_memory) rather than what the change left
 */
static void memory_tier_init_once(struct hotmem *hm, int changed_nid, bool had_memory)
{
	if (hm->memtier_ready)
		return;
	for (int nid = 0; nid < hm->nr_possible_nodes; nid++) {
		struct pglist_data *pgdat = NODE_DATA(hm, nid);
		bool memory = nid == changed_nid ? had_memory : pgdat && pgdat->node_present_pages;

		if (pgdat)
			pgdat->memtier = memory && pgdat->has_cpu;
	}
	hm->memtier_ready = true;
}

/*
 * establish_demotion_targets() with one tier: each N_MEMORY node's
 * preferred targets empty, dump_demotion_targets() says so for every one
 * with a tier, in node order
 */
static void establish_demotion_targets(struct hotmem *hm)
{
	for (int nid = 0; nid < hm->nr_possible_nodes; nid++) {
		const struct pglist_data *pgdat = NODE_DATA(hm, nid);

		if (pgdat && pgdat->node_present_pages && pgdat->memtier)
			pr_info(hm, "Demotion targets for Node %d: null", nid);
	}
}

/*
 * memtier_hotplug_callback(): at MEM_ONLINE a node that gained memory
 * (status_change_nid) joins the DRAM tier (set_node_memory_tier()), at
 * MEM_OFFLINE one that lost it leaves its tier (clear_node_memory_tier():
 * only when it had one); either way the targets are established again.
 */
void memtier_hotplug_callback(struct hotmem *hm, unsigned long action, int status_change_nid)
{
	struct pglist_data *pgdat;

	if (status_change_nid < 0)
		return;
	/* the node had memory before it lost it, none before it gained some */
	memory_tier_init_once(hm, status_change_nid, action == HM_MEM_OFFLINE);
	pgdat = NODE_DATA(hm, status_change_nid);
	switch (action) {
	case HM_MEM_OFFLINE:
		if (!pgdat->memtier)
			return;
		pgdat->memtier = false;
		break;
	case HM_MEM_ONLINE:
		pgdat->memtier = true;
		break;
	default:
		return;
	}
	establish_demotion_targets(hm);
}
