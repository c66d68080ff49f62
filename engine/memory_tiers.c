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
 * At boot every node with memory joins it and the targets are dumped
 * once (memory_tier_init()), the line a 6.12.117 guest logs late in its
 * boot.  Under mem_hotplug_lock (online_pages(), offline_pages()) or at
 * boot, before anybody else can look.
 */
#include "internal.h"

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
 * The boot's tiers and their one dump (6.12): memory_tier_init() (a
 * subsys_initcall) registers the callback and says nothing;
 * memory_tier_late_init() (a late_initcall) puts every N_MEMORY node
 * without a tier yet in the DRAM tier -- a CPU-less one too: the
 * 6.12.117 guests of abuse29a scenarios J and P, whose boot node 1 has
 * memory and no CPU, log "Demotion targets for Node 1: null" at boot --
 * and establishes the targets.  The boot sequence (mm_init.c) calls it
 * among the initcalls, after the zonelists' lines, as the guests log it.
 */
void memory_tier_init(struct hotmem *hm)
{
	for (int nid = 0; nid < hm->nr_possible_nodes; nid++) {
		struct pglist_data *pgdat = NODE_DATA(hm, nid);

		if (pgdat)
			pgdat->memtier = pgdat->node_present_pages != 0;
	}
	establish_demotion_targets(hm);
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
