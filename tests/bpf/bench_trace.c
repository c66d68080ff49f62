// SPDX-License-Identifier: GPL-2.0
/*
 * hotmem-trace benchmarks (root):
 *
 *   trace_ringbuf_events_per_s   USDT events through the ring buffer to the
 *                                JSON writer: usdt_target storm, traced
 *   trace_ringbuf_dropped        share of that storm the ring buffer dropped
 *   trace_usdt_probe_cost_ns     the cost one traced probe adds to the
 *                                traced process (uprobe trap + BPF program)
 *   trace_engine_storm_slowdown  a traced online/offline storm on the engine
 *                                vs untraced, goal <= 5 % slower; needs
 *                                "hotmem storm N" in $HOTMEM_BUILD/hotmem
 *
 * Prints "NAME VALUE UNIT (goal ...)" and BENCH {json} lines.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STORM 200000L

static const char *build_dir(void)
{
	const char *b = getenv("HOTMEM_BUILD");

	return b ? b : "build";
}

static void bench(const char *name, double value, const char *unit,
		  const char *goal, bool met)
{
	printf("%s %.3f %s (goal %s)\n", name, value, unit, goal);
	printf("BENCH {\"name\":\"%s\",\"value\":%.3f,\"unit\":\"%s\",\"goal\":\"%s\","
	       "\"met\":%s}\n", name, value, unit, goal, met ? "true" : "false");
}

/* run @cmd, find "@key %lf" in its output; -1 when absent */
static double run_find(const char *cmd, const char *key, double *second)
{
	char line[1024], fmt[128];
	double v = -1, w = -1;
	FILE *p = popen(cmd, "r");

	if (!p)
		return -1;
	snprintf(fmt, sizeof(fmt), "%s %%lf %%*s in %%lf", key);
	while (fgets(line, sizeof(line), p)) {
		const char *k = strstr(line, key);

		if (k && sscanf(k, fmt, &v, &w) >= 1 && second)
			*second = w;
	}
	pclose(p);
	return v;
}

/* "storm N probes in S s" from usdt_target, traced or not */
static int usdt_storm(bool traced, double *probes, double *secs, double *events)
{
	char cmd[2048];
	const char *b = build_dir();
	char line[1024];
	FILE *p;

	if (traced)
		snprintf(cmd, sizeof(cmd), "%s/hotmem-trace --json --no-pin -o /dev/null -- "
			 "%s/tests/bpf/usdt_target storm %ld 2>&1", b, b, STORM);
	else
		snprintf(cmd, sizeof(cmd), "%s/tests/bpf/usdt_target storm %ld 2>&1", b, STORM);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	*probes = *secs = *events = -1;
	while (fgets(line, sizeof(line), p)) {
		char *e = strstr(line, "hotmem-trace: ");

		if (!strncmp(line, "storm ", 6))
			sscanf(line, "storm %lf probes in %lf", probes, secs);
		else if (e)
			sscanf(e, "hotmem-trace: %lf events", events);
	}
	return pclose(p) == 0 && *probes > 0 && *secs > 0 ? 0 : -1;
}

static void bench_usdt(void)
{
	double n0, s0, e0, n1, s1, e1;

	if (usdt_storm(false, &n0, &s0, &e0) || usdt_storm(true, &n1, &s1, &e1) || e1 < 0) {
		printf("# usdt storm failed: is %s/tests/bpf/usdt_target built?\n", build_dir());
		bench("trace_ringbuf_events_per_s", 0, "events/s", ">= 100000", false);
		return;
	}
	/* the storm outruns the consumer: what it did not take was dropped */
	bench("trace_ringbuf_events_per_s", e1 / s1, "events/s", ">= 100000",
	      e1 / s1 >= 100000);
	bench("trace_ringbuf_dropped", (n1 - e1) / n1 * 100, "%", "informational, storm of "
	      "1.5M+ probes/s", true);
	bench("trace_usdt_probe_cost_ns", (s1 - s0) / n1 * 1e9, "ns", "<= 5000",
	      (s1 - s0) / n1 * 1e9 <= 5000);
}

static void bench_engine(void)
{
	char cmd[2048];
	double t0, t1;

	snprintf(cmd, sizeof(cmd), "%s/hotmem --help 2>&1 | grep -q 'storm'", build_dir());
	if (system(cmd) != 0) {
		printf("# trace_engine_storm_slowdown: SKIP: %s/hotmem has no \"storm N\" mode "
		       "yet (online/offline loop on the engine)\n", build_dir());
		return;
	}
	snprintf(cmd, sizeof(cmd), "%s/hotmem storm 2000 2>&1", build_dir());
	t0 = run_find(cmd, "storm", NULL);
	snprintf(cmd, sizeof(cmd), "%s/hotmem-trace --json --no-pin -o /dev/null -- "
		 "%s/hotmem storm 2000 2>&1", build_dir(), build_dir());
	t1 = run_find(cmd, "storm", NULL);
	if (t0 <= 0 || t1 <= 0) {
		printf("# trace_engine_storm_slowdown: storm output not understood "
		       "(want \"storm SECONDS s\")\n");
		return;
	}
	bench("trace_engine_storm_slowdown", (t1 / t0 - 1) * 100, "%", "<= 5",
	      t1 / t0 - 1 <= 0.05);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (geteuid() != 0) {
		printf("# hotmem-trace benchmarks: SKIP: need root to load BPF programs\n");
		return 0;
	}
	bench_usdt();
	bench_engine();
	return 0;
}
