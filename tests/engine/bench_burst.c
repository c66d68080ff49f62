// SPDX-License-Identifier: GPL-2.0
/*
 * The engine's own share of the 1024-block burst (tests/agents/bench_burst.sh):
 * one 128 GiB DIMM of 128 MiB blocks hot-added to a 640 GiB host-24g machine
 * with memhp_default_state=online and hotmem.kernel_alloc=off, so that
 * add_memory() onlines every block itself.  No FUSE, no uevent reader: the
 * floor under every onlining agent.
 *
 * The reference, measured in this run: writing the same memmap bytes
 * (64 bytes per 4 KiB page) into fresh memfd memory.  A self-hosted memmap
 * (memmap_on_memory) is written so, into its block: near 1 means nothing
 * but the memmap costs.  A memmap from system RAM is shared copy-on-write
 * with a template (engine/physmem.c), so the host backs only the buddy
 * heads' vmemmap pages: well under the memset (host memory per TiB:
 * host_rss_per_tib_online, bench_engine).
 *
 * HOTMEM_BENCH_BURST_ONLY=sysram|mom runs one burst and prints its time
 * (for perf record).
 */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench.h"
#include "hotmem.h"

#define RUNS 3
#define DIMM_SIZE (128ULL << 30)

static struct hotmem *boot(bool mom)
{
	struct hotmem_config cfg;
	struct hotmem *hm;
	char err[256];

	hotmem_config_builtin(&cfg, "host-24g");
	cfg.maxmem = 640ULL << 30;
	if (hotmem_config_parse_cmdline(&cfg, mom ?
			"memhp_default_state=online hotmem.kernel_alloc=off memory_hotplug.memmap_on_memory=1" :
			"memhp_default_state=online hotmem.kernel_alloc=off", err, sizeof(err)) ||
	    hotmem_create(&cfg, &hm, err, sizeof(err))) {
		fprintf(stderr, "bench_burst: %s\n", err);
		exit(1);
	}
	return hm;
}

/* seconds for add_memory() of the DIMM, every block onlined on the way */
static double burst_s(bool mom, double *rss_per_tib, double *boot_s)
{
	double tb = now_us();
	struct hotmem *hm = boot(mom);
	struct hm_meminfo mi;
	uint64_t addr;
	double t0, t;
	size_t rss;
	int group;

	if (hotmem_find_free_range(hm, DIMM_SIZE, 1ULL << 32, &addr)) {
		fprintf(stderr, "bench_burst: no room for a 128 GiB DIMM\n");
		exit(1);
	}
	*boot_s = (now_us() - tb) / 1e6;
	group = hotmem_register_static_memory_group(hm, 0, DIMM_SIZE >> HM_PAGE_SHIFT);
	rss = hotmem_ram_resident_bytes(hm);
	t0 = now_us();
	if (group < 0 || hotmem_add_memory(hm, 0, addr, DIMM_SIZE,
					   mom ? HM_MHP_MEMMAP_ON_MEMORY : 0, group)) {
		fprintf(stderr, "bench_burst: add_memory failed\n");
		exit(1);
	}
	t = (now_us() - t0) / 1e6;
	hotmem_meminfo(hm, &mi);
	if (mi.totalram_pages < DIMM_SIZE >> HM_PAGE_SHIFT) {
		fprintf(stderr, "bench_burst: the DIMM did not come online\n");
		exit(1);
	}
	*rss_per_tib = (double)(hotmem_ram_resident_bytes(hm) - rss) * (double)(1ULL << 40) /
		       (double)DIMM_SIZE / (1 << 30);
	hotmem_destroy(hm);
	return t;
}

/* seconds to write the DIMM's memmap (1/64 of it) into fresh memfd memory */
static double memmap_memset_s(void)
{
	const size_t sz = DIMM_SIZE / 64;
	int fd;
	char *p = bench_memfd_map("bench_burst", sz, &fd);
	double t0, t;

	t0 = now_us();
	memset(p, 0, sz);
	t = (now_us() - t0) / 1e6;
	bench_memfd_unmap(p, sz, fd);
	return t;
}

int main(int argc, char **argv)
{
	const char *only = getenv("HOTMEM_BENCH_BURST_ONLY");
	double sys[RUNS], mom[RUNS], ref[RUNS], rss[RUNS], bt[RUNS], rss_mom, bt_mom, s, m, r;

	bench_no_args(argc, argv, "bench_burst");
	if (only) {
		printf("%.3f s\n", burst_s(!strcmp(only, "mom"), &rss_mom, &bt_mom));
		return 0;
	}
	for (int i = 0; i < RUNS; i++) {
		sys[i] = burst_s(false, &rss[i], &bt[i]);
		mom[i] = burst_s(true, &rss_mom, &bt_mom);
		ref[i] = memmap_memset_s();
	}
	s = median(sys, RUNS);
	m = median(mom, RUNS);
	r = median(ref, RUNS);
	printf("# add+online 128 GiB of 128 MiB blocks: memmap from RAM %.3f s, memmap_on_memory %.3f s; memset of its 2 GiB memmap %.3f s\n",
	       s, m, r);
	figure("engine_online_1024x128m_s", s, "s", "report only: the floor under the agents' burst", true);
	figure("engine_online_1024x128m_vs_memset", s / r, "x", "<= 0.25", s / r <= 0.25);
	figure("engine_online_1024x128m_mom_s", m, "s", "report only", true);
	figure("engine_online_1024x128m_mom_vs_memset", m / r, "x", "<= 1.5", m / r <= 1.5);
	figure("engine_boot_host24g_640g_s", median(bt, RUNS), "s",
	       "report only: hotmem_create() of the machine", true);
	printf("# host memory per TiB online, memmap from RAM: %.2f GiB\n", median(rss, RUNS));
	return 0;
}
