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
 *                                (hotmemfs, through its state files) vs
 *                                untraced, goal <= 5 % slower; hotmem-trace
 *                                as by default (hotmem:batch)
 *   trace_engine_storm_cpu_overhead  the same rounds in CPU time: hotmemfs's
 *                                and the reader's, traced vs untraced
 *   trace_engine_storm_slowdown_per_probe  the same, --per-probe (each
 *                                step's probe: the way before hotmem:batch)
 *   trace_engine_run_storm_slowdown  the same on the engine alone
 *                                ("hotmem run"), where a cycle costs a few
 *                                hundred microseconds: informational
 *   trace_engine_run_storm_slowdown_per_probe  ... --per-probe
 *   trace_probe_hits_per_cycle   USDT probe hits an online/offline cycle
 *                                (hotmem-trace's count over the engine-alone
 *                                storm's cycles); _per_probe: --per-probe
 *   trace_cost_per_hit_us        what one probe hit adds to the engine
 *                                alone, in CPU time (the storm's CPU
 *                                difference over the hits, round by
 *                                round); _per_probe: --per-probe, where a
 *                                hit carries one event, not an operation's
 *
 * Prints "NAME VALUE UNIT (goal ...)" and BENCH {json} lines.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STORM 200000L
#define STORM_CYCLES 2000
#define ROUNDS 9 /* odd: the median is one round's ratio */

/* how hotmem-trace attaches to the engine */
enum how { UNTRACED, BATCH, PER_PROBE, NR_HOW };

static const char *const how_arg[NR_HOW] = { "plain", "traced", "traced --per-probe" };

static const char *build_dir(void)
{
	const char *b = getenv("HOTMEM_BUILD");

	return b ? b : "build";
}

static void bench(const char *name, double value, const char *unit, const char *goal, bool met)
{
	printf("%s %.3f %s (goal %s)\n", name, value, unit, goal);
	printf("BENCH {\"name\":\"%s\",\"value\":%.3f,\"unit\":\"%s\",\"goal\":\"%s\","
	       "\"met\":%s}\n",
	       name, value, unit, goal, met ? "true" : "false");
}

/* the number after @key in @line, if @key is there */
static void find_number(const char *line, const char *key, double *v)
{
	const char *k = key ? strstr(line, key) : NULL;

	if (k)
		sscanf(k + strlen(key), " %lf", v);
}

/* run @cmd, find "@keys[i] NUMBER" in its output into @v[i] (-1 when absent) */
static void run_find(const char *cmd, const char *const *keys, double *v, int n)
{
	char line[1024];
	FILE *p = popen(cmd, "r");

	for (int i = 0; i < n; i++)
		v[i] = -1;
	if (!p)
		return;
	while (fgets(line, sizeof(line), p))
		for (int i = 0; i < n; i++)
			find_number(line, keys[i], &v[i]);
	pclose(p);
}

/* "storm N probes in S s" from usdt_target, traced or not */
static int usdt_storm(bool traced, double *probes, double *secs, double *events)
{
	char cmd[2048];
	const char *b = build_dir();
	char line[1024];
	FILE *p;

	if (traced)
		snprintf(cmd, sizeof(cmd),
			 "%s/hotmem-trace --json --no-pin -o /dev/null -- "
			 "%s/tests/bpf/usdt_target storm %ld 2>&1",
			 b, b, STORM);
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
	bench("trace_ringbuf_events_per_s", e1 / s1, "events/s", ">= 100000", e1 / s1 >= 100000);
	bench("trace_ringbuf_dropped", (n1 - e1) / n1 * 100, "%",
	      "informational, storm of "
	      "1.5M+ probes/s",
	      true);
	bench("trace_usdt_probe_cost_ns", (s1 - s0) / n1 * 1e9, "ns", "<= 5000",
	      (s1 - s0) / n1 * 1e9 <= 5000);
}

/*
 * The engine storm: hotmemfs as the qemu-512m machine, a 256 MiB DIMM,
 * its first block onlined and offlined N times through the mount's
 * state file; prints "storm SECONDS s".  $1: N, $2: "traced" or not.
 */
static const char storm_sh[] =
	"set -e; B=$HOTMEM_BUILD; n=$1\n"
	"mnt=$(mktemp -d); sock=$(mktemp -u); log=$(mktemp)\n"
	"cleanup() { [ -n \"${tr:-}\" ] && kill -TERM $tr 2>/dev/null && wait $tr 2>/dev/null;\n"
	"  fusermount3 -u $mnt 2>/dev/null || umount $mnt 2>/dev/null; kill $fs 2>/dev/null;\n"
	"  wait $fs 2>/dev/null; rmdir $mnt; rm -f $log; }\n"
	"trap cleanup EXIT\n"
	"$B/hotmemfs -p qemu-512m -c memhp_default_state=offline -s $sock -S none $mnt 2>/dev/null & fs=$!\n"
	"M=$mnt/sys/devices/system/memory\n"
	"for i in $(seq 100); do [ -d $M ] && break; sleep 0.1; done\n"
	"if [ \"$2\" = traced ]; then\n"
	"  $B/hotmem-trace $3 --emulator $fs --no-pin --json -o /dev/null 2> $log & tr=$!\n"
	"  for i in $(seq 100); do grep -q ready: $log && break; sleep 0.1; done\n"
	"fi\n"
	"before=$(ls $M | grep '^memory[0-9]' | sort)\n"
	"$B/hotmemctl -s $sock device_add pc-dimm size=256M id=d1 > /dev/null\n"
	"for i in $(seq 100); do b=$(ls $M | grep '^memory[0-9]' | sort | grep -vxF \"$before\" | head -1);"
	" [ -n \"$b\" ] && break; sleep 0.1; done\n"
	"cpu() { [ -n \"$1\" ] && awk '{ print $14 + $15 }' /proc/$1/stat || echo 0; }\n"
	"c0=$(cpu $fs); r0=$(cpu \"${tr:-}\")\n"
	"t0=$(date +%s.%N)\n"
	"for i in $(seq $n); do echo online_movable > $M/$b/state; echo offline > $M/$b/state; done\n"
	"t1=$(date +%s.%N)\n"
	"echo \"cpu $(($(cpu $fs) - c0 + $(cpu \"${tr:-}\") - r0))\"\n"
	"echo \"storm $(awk \"BEGIN { print $t1 - $t0 }\") s\"\n";

/* @cpu: the CPU time hotmemfs and hotmem-trace's reader took in the loop, in ticks */
static double engine_storm(int n, enum how how, double *cpu)
{
	char cmd[4096];
	double v[2];
	FILE *f = fopen("/tmp/hotmem-bench-storm.sh", "w");

	if (!f)
		return -1;
	fputs(storm_sh, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "HOTMEM_BUILD=%s sh /tmp/hotmem-bench-storm.sh %d %s 2>&1",
		 build_dir(), n, how_arg[how]);
	run_find(cmd, (const char *const[]){ "storm", "cpu" }, v, 2);
	unlink("/tmp/hotmem-bench-storm.sh");
	*cpu = v[1];
	return v[0];
}

/*
 * The same storm on the engine alone: "hotmem run SCRIPT" in process (no
 * FUSE, no shell per step), timed inside the traced command; "cputicks"
 * is the CPU time hotmem took (its shell's children's, /proc/PID/stat),
 * where a probe hit's uprobe and BPF program are charged.
 */
static const char run_sh[] =
	"set -e; B=$HOTMEM_BUILD; n=$1; s=$(mktemp)\n"
	"trap 'rm -f $s' EXIT\n"
	"{ echo 'add 0x100000000 256M'; i=0; while [ $i -lt $n ]; do\n"
	"  echo 'online 32 online_movable'; echo 'offline 32'; i=$((i + 1)); done; } > $s\n"
	"cmd=\"t0=\\$(date +%s.%N); $B/hotmem --profile qemu-512m --cmdline memhp_default_state=offline"
	" run $s > /dev/null; t1=\\$(date +%s.%N); echo storm \\$(awk \\\"BEGIN { print \\$t1 - \\$t0 }\\\") s;"
	" echo cputicks \\$(awk '{ print \\$16 + \\$17 }' /proc/\\$\\$/stat)\"\n"
	"if [ \"$2\" = traced ]; then\n"
	"  $B/hotmem-trace $3 --emulator $B/hotmem --no-pin --json -o /dev/null -- sh -c \"$cmd\"\n"
	"else sh -c \"$cmd\"; fi\n";

/* @hits: the USDT probe hits hotmem-trace counted (traced); @cpu: hotmem's CPU, in ticks */
static double engine_run_storm(int n, enum how how, double *hits, double *cpu)
{
	char cmd[4096];
	double v[3];
	FILE *f = fopen("/tmp/hotmem-bench-run.sh", "w");

	*hits = *cpu = -1;
	if (!f)
		return -1;
	fputs(run_sh, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "HOTMEM_BUILD=%s sh /tmp/hotmem-bench-run.sh %d %s 2>&1",
		 build_dir(), n, how_arg[how]);
	/* "hotmem-trace: N events, D dropped, H USDT probe hits" */
	run_find(cmd, (const char *const[]){ "storm", "dropped,", "cputicks" }, v, 3);
	unlink("/tmp/hotmem-bench-run.sh");
	*hits = v[1];
	*cpu = v[2];
	return v[0];
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * The median over the rounds of traced / untraced in the same round:
 * neighbours in time share the machine's load (other builds on the 2
 * CPUs), which the best of each, taken from different rounds, did not.
 */
static double median_ratio(const double (*t)[NR_HOW], int rounds, enum how how)
{
	double r[ROUNDS];
	int n = 0;

	for (int i = 0; i < rounds; i++)
		if (t[i][UNTRACED] > 0 && t[i][how] > 0)
			r[n++] = t[i][how] / t[i][UNTRACED];
	if (!n)
		return -1;
	qsort(r, n, sizeof(r[0]), cmp_double);
	return n % 2 ? r[n / 2] : (r[n / 2 - 1] + r[n / 2]) / 2;
}

/* the machine's load, beside figures it moves: the other builds and tests on the 2 CPUs */
static void print_load(const char *when)
{
	char line[128] = "?";
	FILE *f = fopen("/proc/loadavg", "r");

	if (f) {
		if (!fgets(line, sizeof(line), f))
			strcpy(line, "?");
		fclose(f);
	}
	line[strcspn(line, "\n")] = '\0';
	printf("# load average %s: %s\n", when, line);
}

static double min_pos(double a, double b)
{
	if (a <= 0)
		return b;
	return b > 0 && b < a ? b : a;
}

static const char *const how_suffix[NR_HOW] = { "", "", "_per_probe" };

/*
 * The @k-th run of round @i: every other round in the reverse order, so
 * that whatever favours a place in the round (the page cache one run
 * warmed, a neighbour's job starting or ending) favours each side alike
 * and cancels in the median, where a fixed order had it always on one.
 */
static enum how round_order(int i, int k)
{
	return i % 2 ? NR_HOW - 1 - k : k;
}

static void bench_engine(void)
{
	char path[4096], name[96];
	double t[NR_HOW] = { -1, -1, -1 }, round[ROUNDS][NR_HOW], cpu[ROUNDS][NR_HOW], ratio;

	snprintf(path, sizeof(path), "%s/hotmemfs", build_dir());
	if (access(path, X_OK) || access("/dev/fuse", F_OK)) {
		printf("# trace_engine_storm_slowdown: SKIP: needs %s and /dev/fuse\n", path);
		return;
	}
	/* alternate: the machine's noise is larger than 5 % (median_ratio()) */
	print_load("before the engine storm");
	for (int i = 0; i < ROUNDS; i++)
		for (int k = 0; k < NR_HOW; k++) {
			enum how h = round_order(i, k);

			t[h] = min_pos(t[h],
				       round[i][h] = engine_storm(STORM_CYCLES, h, &cpu[i][h]));
		}
	print_load("after it");
	if (t[UNTRACED] <= 0 || t[BATCH] <= 0 || t[PER_PROBE] <= 0) {
		printf("# trace_engine_storm_slowdown: the storm did not run (hotmemfs, hotmemctl)\n");
		return;
	}
	printf("# engine storm (hotmemfs), %d online_movable/offline cycles of 128 MiB: "
	       "%.3f s untraced, %.3f s traced (hotmem:batch), %.3f s traced --per-probe\n",
	       STORM_CYCLES, t[UNTRACED], t[BATCH], t[PER_PROBE]);
	printf("# traced/untraced per round (wall, cpu):");
	for (int i = 0; i < ROUNDS; i++)
		printf(" %.3f,%.3f", round[i][BATCH] / round[i][UNTRACED],
		       cpu[i][UNTRACED] > 0 ? cpu[i][BATCH] / cpu[i][UNTRACED] : -1);
	printf("\n");
	ratio = median_ratio(round, ROUNDS, BATCH);
	bench("trace_engine_storm_slowdown", (ratio - 1) * 100, "%", "<= 5", ratio - 1 <= 0.05);
	/* the same rounds in CPU time, which the other processes' load moves less */
	bench("trace_engine_storm_cpu_overhead", (median_ratio(cpu, ROUNDS, BATCH) - 1) * 100, "%",
	      "informational: CPU of hotmemfs and the reader, traced vs untraced", true);
	snprintf(name, sizeof(name), "trace_engine_storm_slowdown%s", how_suffix[PER_PROBE]);
	bench(name, (median_ratio(round, ROUNDS, PER_PROBE) - 1) * 100, "%",
	      "informational: each step's probe, as before hotmem:batch", true);
}

/*
 * What a probe hit costs the traced process, in CPU: the median over the
 * rounds of (traced - untraced CPU of the same round) / hits.  CPU time,
 * not the wall clock, which the other jobs' load moved by more than the
 * difference itself (0.9-20.6 us a hit between runs).
 */
static double cost_per_hit_us(const double (*cpu)[NR_HOW], enum how how, double hits)
{
	double d[ROUNDS];
	int n = 0;

	for (int i = 0; i < ROUNDS; i++)
		if (cpu[i][UNTRACED] >= 0 && cpu[i][how] >= 0)
			d[n++] = cpu[i][how] - cpu[i][UNTRACED];
	if (!n || hits <= 0)
		return -1;
	qsort(d, n, sizeof(d[0]), cmp_double);
	return (n % 2 ? d[n / 2] : (d[n / 2 - 1] + d[n / 2]) / 2) / sysconf(_SC_CLK_TCK) / hits *
	       1e6;
}

static void bench_engine_run(void)
{
	double t[NR_HOW] = { -1, -1, -1 }, hits[NR_HOW] = { -1, -1, -1 }, h1;
	double round[ROUNDS][NR_HOW], cpu[ROUNDS][NR_HOW];
	char name[96];

	print_load("before the engine-alone storm");
	for (int i = 0; i < ROUNDS; i++)
		for (int k = 0; k < NR_HOW; k++) {
			enum how h = round_order(i, k);

			round[i][h] = engine_run_storm(STORM_CYCLES, h, &h1, &cpu[i][h]);
			t[h] = min_pos(t[h], round[i][h]);
			hits[h] = h1 > 0 ? h1 : hits[h];
		}
	print_load("after it");
	if (t[UNTRACED] <= 0 || t[BATCH] <= 0 || t[PER_PROBE] <= 0) {
		printf("# trace_engine_run_storm_slowdown: the storm did not run (%s/hotmem run)\n",
		       build_dir());
		return;
	}
	printf("# engine alone (hotmem run), %d online_movable/offline cycles: %.3f s untraced, "
	       "%.3f s traced (hotmem:batch, %.0f probe hits), %.3f s traced --per-probe "
	       "(%.0f probe hits)\n",
	       STORM_CYCLES, t[UNTRACED], t[BATCH], hits[BATCH], t[PER_PROBE], hits[PER_PROBE]);
	for (int h = BATCH; h < NR_HOW; h++) {
		snprintf(name, sizeof(name), "trace_engine_run_storm_slowdown%s", how_suffix[h]);
		bench(name, (median_ratio(round, ROUNDS, h) - 1) * 100, "%",
		      h == BATCH ? "informational (was 83)" : "informational: each step's probe",
		      true);
		if (hits[h] <= 0)
			continue;
		snprintf(name, sizeof(name), "trace_probe_hits_per_cycle%s", how_suffix[h]);
		bench(name, hits[h] / STORM_CYCLES, "hits",
		      h == BATCH ? "informational (was 28)" : "informational: one per step", true);
		snprintf(name, sizeof(name), "trace_cost_per_hit_us%s", how_suffix[h]);
		bench(name, cost_per_hit_us(cpu, h, hits[h]), "us",
		      h == BATCH ? "informational: CPU, uprobe + an operation's events"
				 : "informational: CPU, uprobe + one event",
		      true);
	}
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
	bench_engine_run();
	return 0;
}
