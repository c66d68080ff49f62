// SPDX-License-Identifier: GPL-2.0
/*
 * The emulated machine's CPUs and the nodes they sit on, for nodeN/cpuM,
 * cpumap, cpulist and node/has_cpu (drivers/base/node.c, 6.18).
 *
 * The CPUs are the host's.  Inside hotmem-enter /sys/devices/system/cpu
 * is the host's own directory (nodeN/cpuM links point into it) and the
 * programs run on the host's CPUs (sched_getaffinity(), Cpus_allowed), so
 * any other set would contradict what they see: lscpu and numactl read
 * cpuM/ and nodeN/cpumap side by side.
 *
 * The placement is decided once, here, before the machine boots, from
 * the host's CPUs and the profile's boot nodes, and given to the engine
 * (hotmem_config.cpu_nodes): the engine's node has CPUs exactly when a
 * present CPU sits on it, so try_offline_node() (check_cpu_on_node())
 * and nodeN/cpulist, has_cpu never disagree (review6/7 D1: the engine
 * once gave every boot node CPUs, and numa2 on a one-node host kept a
 * node1 without CPUs in the view).  Without the profile's cpu_nodes a
 * CPU sits on a node with memory at boot, the node the host's
 * cpuM/nodeK link names when that is one of them:
 * inside hotmem-enter that link (the host's cpu/ directory, not bound
 * over) leads to the emulated nodeK, which must list cpuM, as irqbalance
 * and a readlink read the CPU's side, lscpu and numactl the node's
 * (review6 #4).  On a one-node host every CPU is on node 0 and the other
 * nodes have none: numa2's node 1 is memory only, as a CXL or QEMU
 * -numa node without cpus= is.  Only the CPUs whose host node the
 * machine lacks are spread over the boot nodes in runs, the lowest CPUs
 * on the lowest node, as firmware (ACPI SRAT, QEMU's -numa cpus=)
 * usually numbers them: their host link then names another node than
 * the emulated nodes' cpulists, but inside hotmem-enter, which gives
 * such a cpuM a copy linked to the machine's node (enter.c).  The
 * profile's cpu_nodes (QEMU's -numa node,cpus=) puts every CPU in runs
 * over those nodes instead, whatever its host node, a node without
 * memory at boot too (a memoryless node, which the engine brings online:
 * mm_init.c's init_cpu_to_node()).  A node
 * whose CPUs are all offline is not in has_cpu (N_CPU: an online CPU),
 * yet keeps them for try_offline_node() (present CPUs).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hmfs.h"

#define HMFS_MAX_CPUS 8192 /* Debian's NR_CPUS */

/* a cpumask file of the host (possible, present, online): its highest CPU, or -errno */
static int read_cpumask(const char *dir, const char *name, unsigned char *mask)
{
	char path[256], buf[4096];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	ret = fgets(buf, sizeof(buf), f) ? hmfs_cpulist_parse(buf, mask, HMFS_MAX_CPUS) : -EIO;
	fclose(f);
	return ret;
}

/*
 * NR_CPUS, which sizes cpumap and cpulist: kernel_max_show() prints
 * NR_CPUS - 1; without it Debian's (HMFS_MAX_CPUS), at least @nr_cpu_ids
 */
static int read_nr_cpus(const char *dir, int nr_cpu_ids)
{
	char path[256];
	int max = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/kernel_max", dir);
	f = fopen(path, "re");
	if (f) {
		if (fscanf(f, "%d", &max) != 1)
			max = -1;
		fclose(f);
	}
	if (max < 0 || max >= HMFS_MAX_CPUS)
		max = HMFS_MAX_CPUS - 1;
	return max + 1 > nr_cpu_ids ? max + 1 : nr_cpu_ids;
}

/* no readable cpu/ directory: the CPUs this process may count */
static int cpus_fallback(unsigned char *present, unsigned char *online)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		n = 1;
	if (n > HMFS_MAX_CPUS)
		n = HMFS_MAX_CPUS;
	memset(present, 0, HMFS_MAX_CPUS / 8);
	for (long i = 0; i < n; i++)
		present[i / 8] |= (unsigned char)(1u << (i % 8));
	memcpy(online, present, HMFS_MAX_CPUS / 8);
	return (int)n;
}

static bool bit(const unsigned char *mask, int i)
{
	return mask[i / 8] & (1u << (i % 8));
}

/* the host's node of @cpu: its cpuM/nodeK link (register_cpu_under_node()), or -1 */
static int host_cpu_node(const char *dir, int cpu)
{
	char path[256];
	struct dirent *e;
	int nid = -1;
	DIR *d;

	snprintf(path, sizeof(path), "%s/cpu%d", dir, cpu);
	d = opendir(path);
	if (!d)
		return -1;
	while (nid < 0 && (e = readdir(d))) {
		char *end;
		long v;

		if (strncmp(e->d_name, "node", 4) || e->d_name[4] < '0' || e->d_name[4] > '9')
			continue;
		v = strtol(e->d_name + 4, &end, 10);
		if (!*end && v < HM_MAX_NUMNODES)
			nid = (int)v;
	}
	closedir(d);
	return nid;
}

/*
 * Said once: @nr CPUs from @cpu sit on host nodes (@nid first) the
 * machine has no boot memory on, and their host links disagree inside hotmem-enter
 */
static void cpus_place_warn(int nr, int cpu, int nid)
{
	fprintf(stderr,
		"hotmemfs: %d of the host's CPUs, cpu%d first, are on host nodes the machine has no "
		"memory on at boot (node%d first): spread over its nodes, their host "
		"cpu/cpuM/nodeK link names another node than the emulated node's cpulist "
		"(hotmem-enter links them to the machine's node)\n",
		nr, cpu, nid);
}

/*
 * Said once: the profile's cpu_nodes @left got no CPU of the host's @nr;
 * one of them without memory at boot is then no node at all (a node
 * with neither is not online: init_cpu_to_node() onlines a CPU's node)
 */
static void cpus_short_warn(uint64_t left, int nr, uint64_t boot)
{
	char list[4 * HM_MAX_NUMNODES], gone[4 * HM_MAX_NUMNODES];

	hotmem_nodelist_format(left, list, sizeof(list));
	hotmem_nodelist_format(left & ~boot, gone, sizeof(gone));
	fprintf(stderr, "hotmemfs: cpu_nodes: the host's %d CPU%s leave%s node%s %s without one%s%s%s\n",
		nr, nr == 1 ? "" : "s", nr == 1 ? "s" : "", strpbrk(list, ",-") ? "s" : "", list,
		*gone ? " (without memory at boot either, node " : "", gone,
		*gone ? " is not online)" : "");
}

/* the nodes with memory at boot, which may have CPUs (bit N: node N) */
static uint64_t boot_nodes(const struct hotmem_config *cfg)
{
	uint64_t nodes = 0;

	for (int i = 0; i < cfg->nr_boot_ranges; i++)
		if (cfg->boot[i].end > cfg->boot[i].start && cfg->boot[i].nid < HM_MAX_NUMNODES)
			nodes |= 1ULL << cfg->boot[i].nid;
	return nodes;
}

/*
 * Each present CPU on its host node when that is a boot node, the others
 * in runs over the boot nodes; with the profile's cpu_nodes every CPU in
 * runs over those, as QEMU's -numa node,cpus= numbers them (hotmem-enter
 * links each to its node).  The nodes that got one are cfg.cpu_nodes.
 */
static void cpus_place(struct hmfs_ctx *ctx, const char *dir, const unsigned char *present)
{
	int nodes[HM_MAX_NUMNODES], k = 0, n = 0, j = 0, lost = 0, lost_cpu = -1, lost_nid = -1;
	/* @stay: a CPU on its host node stays there; @over: the nodes the others go over */
	uint64_t stay = ctx->cfg.cpu_nodes ? 0 : boot_nodes(&ctx->cfg);
	uint64_t over = ctx->cfg.cpu_nodes ? ctx->cfg.cpu_nodes : stay, placed = 0;

	for (int nid = 0; nid < HM_MAX_NUMNODES; nid++)
		if (over >> nid & 1)
			nodes[k++] = nid;
	for (int cpu = 0; cpu < ctx->cpus.nr_cpu_ids; cpu++) {
		int host = bit(present, cpu) ? host_cpu_node(dir, cpu) : -1;

		ctx->cpus.nid[cpu] = host >= 0 && (stay >> host & 1) ? host : -1;
		n += bit(present, cpu) && ctx->cpus.nid[cpu] < 0;
		if (host >= 0 && stay && !(stay >> host & 1) && !lost++) {
			lost_cpu = cpu;
			lost_nid = host;
		}
	}
	if (lost && k)
		cpus_place_warn(lost, lost_cpu, lost_nid);
	for (int cpu = 0; cpu < ctx->cpus.nr_cpu_ids; cpu++) {
		if (bit(present, cpu) && ctx->cpus.nid[cpu] < 0 && k)
			ctx->cpus.nid[cpu] = nodes[(long)j++ * k / n];
		if (ctx->cpus.nid[cpu] >= 0)
			placed |= 1ULL << ctx->cpus.nid[cpu];
	}
	if (ctx->cfg.cpu_nodes && placed != ctx->cfg.cpu_nodes)
		cpus_short_warn(ctx->cfg.cpu_nodes & ~placed, n, boot_nodes(&ctx->cfg));
	ctx->cfg.cpu_nodes = placed;
}

/*
 * The online CPUs, all and on each node (QEMU's PXMs, as cpu_nodes: the
 * engine numbers them), for the engine's pcp high split and vm stats
 * threshold (zone_highsize(), calculate_normal_threshold())
 */
static void cpus_count_online(struct hmfs_ctx *ctx)
{
	ctx->cfg.nr_online_cpus = 0;
	memset(ctx->cfg.node_online_cpus, 0, sizeof(ctx->cfg.node_online_cpus));
	for (int cpu = 0; cpu < ctx->cpus.nr_cpu_ids; cpu++) {
		if (!bit(ctx->cpus.online, cpu))
			continue;
		ctx->cfg.nr_online_cpus++;
		if (ctx->cpus.nid[cpu] >= 0 && ctx->cpus.nid[cpu] < HM_MAX_NUMNODES)
			ctx->cfg.node_online_cpus[ctx->cpus.nid[cpu]]++;
	}
}

/*
 * The CPUs were placed on the profile's nodes, QEMU's (PXMs); the view
 * shows the guest's node ids, as the engine numbers them from the same
 * placement (hotmem_srat_map(): the CPUs' PXMs first, in CPU order)
 */
static void cpus_number_nodes(struct hmfs_ctx *ctx)
{
	struct hm_pxm_map m;

	hotmem_srat_map(&ctx->cfg, &m);
	for (int cpu = 0; cpu < ctx->cpus.nr_cpu_ids; cpu++)
		if (ctx->cpus.nid[cpu] >= 0)
			ctx->cpus.nid[cpu] = hotmem_srat_pxm_to_node(&m, ctx->cpus.nid[cpu]);
}

int hmfs_cpus_init(struct hmfs_ctx *ctx, const char *dir)
{
	unsigned char *possible = calloc(3, HMFS_MAX_CPUS / 8);
	unsigned char *present = possible + HMFS_MAX_CPUS / 8, *online = present + HMFS_MAX_CPUS / 8;
	int hi;

	if (!possible)
		return -ENOMEM;
	hi = read_cpumask(dir, "possible", possible);
	if (hi < 0 || read_cpumask(dir, "present", present) < 0 ||
	    read_cpumask(dir, "online", online) < 0)
		hi = cpus_fallback(present, online) - 1;
	ctx->cpus.nr_cpu_ids = hi + 1;
	ctx->cpus.nr_cpus = read_nr_cpus(dir, hi + 1);
	ctx->cpus.nid = calloc((size_t)hi + 1, sizeof(*ctx->cpus.nid));
	ctx->cpus.online = calloc((size_t)hi / 8 + 1, 1);
	if (!ctx->cpus.nid || !ctx->cpus.online) {
		hmfs_cpus_free(ctx);
		free(possible);
		return -ENOMEM;
	}
	memcpy(ctx->cpus.online, online, (size_t)hi / 8 + 1);
	cpus_place(ctx, dir, present);
	cpus_count_online(ctx);
	cpus_number_nodes(ctx);
	free(possible);
	return 0;
}

void hmfs_cpus_free(struct hmfs_ctx *ctx)
{
	free(ctx->cpus.nid);
	free(ctx->cpus.online);
	ctx->cpus.nid = NULL;
	ctx->cpus.online = NULL;
	ctx->cpus.nr_cpu_ids = 0;
}

bool hmfs_cpu_on_node(struct hmfs_ctx *ctx, unsigned long cpu, int nid)
{
	return cpu < (unsigned long)ctx->cpus.nr_cpu_ids && ctx->cpus.nid[cpu] == nid;
}

int hmfs_node_cpumask(struct hmfs_ctx *ctx, int nid, unsigned char *mask, size_t len)
{
	int nr = 0;

	memset(mask, 0, len);
	for (int cpu = 0; cpu < ctx->cpus.nr_cpu_ids && (size_t)cpu / 8 < len; cpu++) {
		if (ctx->cpus.nid[cpu] != nid || !bit(ctx->cpus.online, cpu))
			continue;
		mask[cpu / 8] |= (unsigned char)(1u << (cpu % 8));
		nr++;
	}
	return nr;
}
