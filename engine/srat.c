// SPDX-License-Identifier: GPL-2.0
/*
 * The firmware's proximity domains and the kernel's node ids (x86, 6.12).
 *
 * A profile numbers its nodes as QEMU's -numa node,nodeid= does (and a
 * QMP device_add's node=): ACPI proximity domains, PXMs.  The guest's
 * node ids are not those: x86 Linux hands them out first come first
 * served while it parses the SRAT (drivers/acpi/numa/srat.c
 * acpi_numa_init(): every processor affinity entry before any memory
 * affinity one, acpi_map_pxm_to_node()), and QEMU's build_srat()
 * (hw/i386/acpi-build.c, 7.2 to 9.2) writes an entry per CPU in CPU
 * order, then each node's memory in address order.  So -numa
 * node,nodeid=0,memdev=ram0 -numa node,nodeid=1,cpus=0-1 boots with node
 * 0 = PXM 1 (the CPUs, memoryless) and node 1 = PXM 0 (the memory).
 *
 * The CPUs' order is hotmemfs's placement (nodecpu.c): runs over
 * cpu_nodes in rising order, the lowest CPUs on the lowest; without
 * cpu_nodes over the nodes with boot memory.  A possible PXM with
 * neither CPUs nor boot memory gets the next free id in PXM order: on
 * QEMU it has no SRAT entry and no node unless it is the last one (the
 * hotplug range's, build_srat()), a difference docs/engine.md names.
 * A profile whose nodes already come in that order (every built-in
 * one) maps each PXM to itself.
 */
#include <string.h>

#include "internal.h"

/* @pxm gets the next node id unless it has one: acpi_map_pxm_to_node() */
static void map_pxm(struct hm_pxm_map *m, int pxm, int *next)
{
	if (pxm < 0 || pxm >= HM_MAX_NUMNODES || m->node[pxm] >= 0)
		return;
	m->node[pxm] = *next;
	m->pxm[(*next)++] = pxm;
}

/* the boot range with the lowest start above @after (-1: none) */
static int next_boot_range(const struct hotmem_config *cfg, uint64_t after, bool first)
{
	int best = -1;

	for (int i = 0; i < cfg->nr_boot_ranges; i++) {
		const struct hm_boot_range *r = &cfg->boot[i];

		if ((first || r->start > after) && (best < 0 || r->start < cfg->boot[best].start))
			best = i;
	}
	return best;
}

/* the PXMs with CPUs, as hotmemfs places them (bit N: PXM N) */
static uint64_t cpu_pxms(const struct hotmem_config *cfg)
{
	uint64_t pxms = cfg->cpu_nodes;

	for (int i = 0; !pxms && i < cfg->nr_boot_ranges; i++)
		if (cfg->boot[i].nid >= 0 && cfg->boot[i].nid < HM_MAX_NUMNODES)
			pxms |= 1ULL << cfg->boot[i].nid;
	return pxms;
}

void hotmem_srat_map(const struct hotmem_config *cfg, struct hm_pxm_map *m)
{
	const uint64_t cpus = cpu_pxms(cfg);
	int next = 0;

	for (int i = 0; i < HM_MAX_NUMNODES; i++)
		m->node[i] = m->pxm[i] = -1;
	/* processor affinity entries: CPU order, runs over rising PXMs */
	for (int pxm = 0; pxm < HM_MAX_NUMNODES; pxm++)
		if (cpus >> pxm & 1)
			map_pxm(m, pxm, &next);
	/* memory affinity entries: address order */
	for (int i = next_boot_range(cfg, 0, true); i >= 0;
	     i = next_boot_range(cfg, cfg->boot[i].start, false))
		map_pxm(m, cfg->boot[i].nid, &next);
	/* no SRAT entry: the next free ids, in PXM order */
	for (int pxm = 0; pxm < cfg->nr_possible_nodes && pxm < HM_MAX_NUMNODES; pxm++)
		map_pxm(m, pxm, &next);
}

/*
 * Guest node @nid is online from boot: its PXM has CPUs or boot memory --
 * x86 6.12 numa_register_memblks() sets the nodes with memory online,
 * init_cpu_to_node() a CPU's memoryless one (init_memory_less_node()).
 */
bool srat_node_online_at_boot(const struct hotmem_config *cfg, int nid)
{
	struct hm_pxm_map m;
	int pxm;

	hotmem_srat_map(cfg, &m);
	pxm = hotmem_srat_node_to_pxm(&m, nid);
	if (pxm >= 0 && pxm < HM_MAX_NUMNODES && (cpu_pxms(cfg) >> pxm & 1))
		return true;
	for (int i = 0; i < cfg->nr_boot_ranges; i++)
		if (cfg->boot[i].nid == pxm)
			return true;
	return false;
}

int hotmem_srat_pxm_to_node(const struct hm_pxm_map *m, int pxm)
{
	return pxm >= 0 && pxm < HM_MAX_NUMNODES && m->node[pxm] >= 0 ? m->node[pxm] : pxm;
}

int hotmem_srat_node_to_pxm(const struct hm_pxm_map *m, int nid)
{
	return nid >= 0 && nid < HM_MAX_NUMNODES && m->pxm[nid] >= 0 ? m->pxm[nid] : nid;
}

/* bit PXM of @pxms as bit nid */
static uint64_t nodemask_of_pxms(const struct hm_pxm_map *m, uint64_t pxms)
{
	uint64_t nodes = 0;

	for (int pxm = 0; pxm < HM_MAX_NUMNODES; pxm++)
		if (pxms >> pxm & 1)
			nodes |= 1ULL << hotmem_srat_pxm_to_node(m, pxm);
	return nodes;
}

/*
 * @cfg, a profile's machine in PXMs, in the guest's node ids: its boot
 * RAM, CPUs and found devices on their nodes, the SLIT (acpi_parse_slit()
 * reads it by PXM and stores it by node: numa_set_distance(pxm_to_node(i),
 * pxm_to_node(j), ...)).
 */
void srat_number_nodes(struct hotmem_config *cfg, const struct hm_pxm_map *m)
{
	unsigned char slit[HM_MAX_NUMNODES][HM_MAX_NUMNODES];
	unsigned short cpus[HM_MAX_NUMNODES];

	for (int i = 0; i < cfg->nr_boot_ranges; i++)
		cfg->boot[i].nid = hotmem_srat_pxm_to_node(m, cfg->boot[i].nid);
	for (int i = 0; i < cfg->nr_hotplug; i++)
		cfg->hotplug[i].nid = hotmem_srat_pxm_to_node(m, cfg->hotplug[i].nid);
	for (int i = 0; i < cfg->nr_virtio_mem; i++)
		cfg->virtio_mem[i].nid = hotmem_srat_pxm_to_node(m, cfg->virtio_mem[i].nid);
	cfg->cpu_nodes = nodemask_of_pxms(m, cfg->cpu_nodes);
	memcpy(cpus, cfg->node_online_cpus, sizeof(cpus));
	for (int i = 0; i < HM_MAX_NUMNODES; i++)
		cfg->node_online_cpus[hotmem_srat_pxm_to_node(m, i)] = cpus[i];
	memcpy(slit, cfg->node_distance, sizeof(slit));
	for (int i = 0; i < HM_MAX_NUMNODES; i++)
		for (int j = 0; j < HM_MAX_NUMNODES; j++)
			cfg->node_distance[hotmem_srat_pxm_to_node(m, i)][hotmem_srat_pxm_to_node(m, j)] =
				slit[i][j];
}
