// SPDX-License-Identifier: GPL-2.0
/*
 * hotmem-trace benchmarks (root):
 *
 *   trace_ringbuf_events_per_s   USDT events through the ring buffer to the
 *                                JSON writer: usdt_target storm, traced
 *   trace_ringbuf_dropped        share of that storm the ring buffer dropped
 *   trace_usdt_probe_cost_ns     the cost one traced probe adds to the
 *                                traced process (uprobe trap + BPF program)
 *   host_syscall_ns              one trip into this host's kernel and back
 *                                (getppid): a probe hit makes one where the
 *                                kernel emulates or optimises the probes'
 *                                nop5 (6.17+: a call to a trampoline and
 *                                the uprobe syscall), two on 6.12 (the
 *                                breakpoint's trap, the single step);
 *                                informational
 *   trace_engine_storm_slowdown  a traced online/offline storm on the engine
 *                                (hotmemfs, through its state files) vs
 *                                untraced, goal <= 5 % slower; hotmem-trace
 *                                as by default (hotmem:batch); the storm's
 *                                own wall time, to its last state write: how
 *                                much slower tracing makes the traced work
 *   trace_engine_storm_slowdown_delivered  the same, a traced storm ending
 *                                when its reader has written its last event
 *                                (the reader's drain, up to its 200 ms poll,
 *                                counted): informational
 *   trace_engine_storm_cpu_overhead  the same rounds in CPU time: hotmemfs's
 *                                and the reader's, traced vs untraced
 *   trace_engine_storm_slowdown_per_probe  the same, --per-probe (each
 *                                step's probe: the way before hotmem:batch)
 *   trace_engine_storm_slowdown_niced  the same, hotmem-trace run as
 *                                "nice -n 19 hotmem-trace" (docs/hotmem-trace.md:
 *                                what a user who wants the traced process
 *                                disturbed least does)
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
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../bench_report.h"

#define STORM 200000L
#define STORM_CYCLES 2000
#define ROUNDS 9 /* odd: the median is one round's ratio */
/* through hotmemfs: short storms, many rounds (engine_storms()) */
#define FS_STORM_CYCLES 300
#define FS_ROUNDS 32 /* the four rows of the square (storm_sh) eight times each */

/* how hotmem-trace attaches to the engine */
enum how { UNTRACED, BATCH, PER_PROBE, NICED, NR_HOW };

/* the engine alone has no reader to nice: its storms stop before NICED */
#define NR_HOW_RUN NICED

static const char *const how_arg[NR_HOW] = { "plain", "traced", "traced --per-probe", "niced" };

static const char *build_dir(void)
{
	const char *b = getenv("HOTMEM_BUILD");

	return b ? b : "build";
}

static void bench(const char *name, double value, const char *unit, const char *goal, bool met)
{
	bench_report(name, value, unit, goal, met);
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

/*
 * A benchmark's shell script, written into a directory of its own
 * (mkdtemp): two runs at once (two worktrees' make bench) each run their
 * own, where a fixed /tmp path had one overwrite and remove the other's.
 */
struct script_file {
	char dir[64];
	char path[96];
};

static int script_write(struct script_file *sf, const char *name, const char *text)
{
	FILE *f;

	strcpy(sf->dir, "/tmp/hotmem-bench.XXXXXX");
	sf->path[0] = '\0';
	if (!mkdtemp(sf->dir))
		return -1;
	snprintf(sf->path, sizeof(sf->path), "%s/%s", sf->dir, name);
	f = fopen(sf->path, "w");
	if (!f) {
		rmdir(sf->dir);
		return -1;
	}
	fputs(text, f);
	fclose(f);
	return 0;
}

static void script_remove(const struct script_file *sf)
{
	unlink(sf->path);
	rmdir(sf->dir);
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

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * A syscall's round trip, median of 15 batches of 100000: what any trap
 * into the kernel costs here.  A PVM guest (page tables virtualised in
 * software) enters its kernel through the hypervisor, ~1.8 us against
 * ~0.1 us under hardware virtualisation: the floor under
 * trace_usdt_probe_cost_ns on such a host, once a hit on 6.17+ (the
 * probes' nop5 optimised into a call, engine/events.c), twice on 6.12.
 */
static double syscall_ns(void)
{
	double v[15];

	for (int b = 0; b < 15; b++) {
		struct timespec t0, t1;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (int i = 0; i < 100000; i++)
			syscall(SYS_getppid);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		v[b] = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) /
		       100000;
	}
	qsort(v, 15, sizeof(v[0]), cmp_double);
	return v[7];
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
	bench("host_syscall_ns", syscall_ns(), "ns",
	      "informational: a trip into the kernel; a probe hit makes one (6.17+) or two (6.12)",
	      true);
}

/*
 * The engine storm: one hotmemfs per way of tracing (qemu-512m, a 256 MiB
 * DIMM), all alive at once, each traced by its own hotmem-trace from
 * start to end (uprobes are per process: the untraced one has none),
 * writing its JSON lines to a file; its first block onlined and offlined
 * through the mount's state file, $1 cycles a storm, the ways in turn, $2
 * rounds.  Prints "round R HOW WALL_NS CPU_NS STORM_NS" (CPU: the schedstat
 * of hotmemfs's threads, in ns; STORM: the writes alone) and at the end
 * "reader HOW CPU_NS" (the reader's whole run).  $3...: the four ways, as
 * how_name[].
 *
 * A traced storm's window ends when its reader has written the storm's
 * last event (the file's mtime), not when the writes end: the reader
 * drains its ring buffer every 200 ms, and that drain is what the storm
 * costs a user who waits for its trace.  Between storms an untimed settle
 * until no reader's file grows for 0.45 s (over twice the reader's poll),
 * so that no storm absorbs the drain of the one before it.
 *
 * The order of a round: a row of a Williams square, the rows cycled, so
 * that every way runs at every place and, within a round, after every
 * other way equally often (rotating and reversing the order had the
 * untraced storm after a traced one 30 rounds in 31).
 *
 * Short storms taken in turn, not a fresh hotmemfs and tracer a storm:
 * neighbours in time share the machine's load (the other jobs on the 2
 * CPUs), and a round of 300 cycles is ~0.1 s where setting up one was
 * seconds.  -n none: no netlink uevents, so the four start in any network
 * namespace (a private one holds one hotmemfs, finalK K2: under unshare
 * -n the second was refused; in the host's netlink is off anyway).
 */
static const char storm_sh[] =
	"set -e; B=$HOTMEM_BUILD; n=$1; rounds=$2; shift 2; hows=\"$*\"; dir=$(mktemp -d)\n"
	/* the readers' output in memory: a disk's writeback would be one more load */
	"out=$(mktemp -d -p /dev/shm)\n"
	"[ $# = 4 ] || { echo 'storm: four ways' >&2; exit 1; }\n"
	"cleanup() { set +e; for h in $hows; do eval \"t=\\${tr_$h:-}\";"
	" [ -n \"$t\" ] && kill -TERM $t 2>/dev/null && wait $t 2>/dev/null; done\n"
	"  for h in $hows; do eval \"f=\\${fs_$h:-}\";"
	" fusermount3 -u $dir/$h 2>/dev/null || umount $dir/$h 2>/dev/null;"
	" [ -n \"$f\" ] && kill $f 2>/dev/null && wait $f 2>/dev/null; rmdir $dir/$h; done\n"
	"  rm -f $dir/*.log $dir/*.sock $out/*.out $out/end; rmdir $dir $out; }\n"
	"trap cleanup EXIT\n"
	"i=0; for h in $hows; do mkdir $dir/$h; eval \"how_$i=$h\"; i=$((i + 1))\n"
	"  $B/hotmemfs -p qemu-512m -c memhp_default_state=offline -s $dir/$h.sock -S none -n none $dir/$h"
	" 2>/dev/null & eval \"fs_$h=$!\"; done\n"
	"for h in $hows; do M=$dir/$h/sys/devices/system/memory; eval \"f=\\$fs_$h\"\n"
	"  for i in $(seq 100); do [ -d $M ] && break; sleep 0.1; done\n"
	"  case $h in traced) a=;; per_probe) a=--per-probe;; niced) a=;; *) a=none;; esac\n"
	"  if [ \"$a\" != none ]; then nice=; [ $h = niced ] && nice='nice -n 19'\n"
	"    $nice $B/hotmem-trace $a --emulator $f --no-pin --json -o $out/$h.out 2> $dir/$h.log &"
	" eval \"tr_$h=$!\"\n"
	"    for i in $(seq 100); do grep -q ready: $dir/$h.log && break; sleep 0.1; done; fi\n"
	"  before=$(ls $M | grep '^memory[0-9]' | sort)\n"
	"  $B/hotmemctl -s $dir/$h.sock device_add pc-dimm size=256M id=d1 > /dev/null\n"
	"  for i in $(seq 100); do b=$(ls $M | grep '^memory[0-9]' | sort | grep -vxF \"$before\""
	" | head -1); [ -n \"$b\" ] && break; sleep 0.1; done\n"
	"  eval \"st_$h=$M/$b/state\"; done\n"
	/*
	 * %.0f: mawk prints a sum past 2^31 as 2.2e+09 (and %d caps it), which
	 * the shell's arithmetic refuses: the storm stopped at the round where
	 * a hotmemfs had used 2.1 s of CPU, on a busy machine
	 */
	"cpu() { [ -n \"$1\" ] && cat /proc/$1/task/*/schedstat |"
	" awk '{ c += $1 } END { printf \"%.0f\\n\", c }' || echo 0; }\n"
	"storm() { for i in $(seq $1); do echo online_movable > $2; echo offline > $2; done; }\n"
	/*
	 * until no reader's output grows over twice its 200 ms poll; then
	 * emptied: the reader writes on past the end, a hole tmpfs does not keep
	 */
	"settle() { s=$(stat -c %s $out/*.out); while sleep 0.45; do"
	" z=$(stat -c %s $out/*.out); [ \"$z\" = \"$s\" ] && break; s=$z; done; }\n"
	"for h in $hows; do eval \"storm 20 \\$st_$h\"; done; settle\n"
	"for h in $hows; do eval \"r0_$h=\\$(cpu \\${tr_$h:-})\"; done\n"
	/* a Williams square of the four ways, a row a round */
	"square='0 1 3 2  1 2 0 3  2 3 1 0  3 0 2 1'\n"
	"r=0; while [ $r -lt $rounds ]; do set -- $square; shift $((r % 4 * 4))\n"
	"  for k in $1 $2 $3 $4; do eval \"h=\\$how_$k\"; eval \"f=\\$fs_$h; st=\\$st_$h\"\n"
	"    c0=$(cpu $f); t0=$(date +%s%N); storm $n $st; ts=$(date +%s%N)\n"
	"    touch $out/end; tb=$(date +%s%N); c1=$(cpu $f); settle; t1=$ts\n"
	/*
	 * a file's times are the kernel's coarse clock (a tick, 4 ms here):
	 * how long after the touch the reader last wrote, both read off it,
	 * from a clock read just after the touch (late, if anything)
	 */
	"    if [ -f $out/$h.out ]; then e=$(($(date -r $out/$h.out +%s%N) -"
	" $(date -r $out/end +%s%N)))\n"
	"      if [ $((tb + e)) -gt $t1 ]; then t1=$((tb + e)); fi; fi\n"
	"    for o in $out/*.out; do : > $o; done\n"
	"    echo \"round $r $h $((t1 - t0)) $((c1 - c0)) $((ts - t0))\"; done; r=$((r + 1)); done\n"
	"for h in $hows; do eval \"t=\\${tr_$h:-}; r0=\\$r0_$h\";"
	" [ -n \"$t\" ] && echo \"reader $h $(($(cpu $t) - r0))\"; done; true\n";

/* hows as the storm script names them */
static const char *const how_name[NR_HOW] = { "plain", "traced", "per_probe", "niced" };

static int how_of(const char *name)
{
	for (int h = 0; h < NR_HOW; h++)
		if (!strcmp(name, how_name[h]))
			return h;
	return -1;
}

/*
 * @wall, @cpu, @storm: [round][how], ns; @reader: the readers' CPU over
 * the run.  The number of rounds that ran.
 */
static int engine_storms(double (*wall)[NR_HOW], double (*cpu)[NR_HOW], double (*storm)[NR_HOW],
			 double *reader)
{
	char cmd[4096], line[256], name[32];
	int rounds = 0, r, h;
	double w, c, s;
	struct script_file sf;
	FILE *p;

	if (script_write(&sf, "storm.sh", storm_sh))
		return 0;
	snprintf(cmd, sizeof(cmd),
		 "HOTMEM_BUILD=%s sh %s %d %d plain traced per_probe niced 2>&1",
		 build_dir(), sf.path, FS_STORM_CYCLES, FS_ROUNDS);
	p = popen(cmd, "r");
	for (int i = 0; i < FS_ROUNDS; i++)
		for (h = 0; h < NR_HOW; h++)
			wall[i][h] = cpu[i][h] = storm[i][h] = -1;
	for (h = 0; h < NR_HOW; h++)
		reader[h] = 0;
	while (p && fgets(line, sizeof(line), p)) {
		if (sscanf(line, "round %d %31s %lf %lf %lf", &r, name, &w, &c, &s) == 5 &&
		    (h = how_of(name)) >= 0 && r >= 0 && r < FS_ROUNDS) {
			wall[r][h] = w;
			cpu[r][h] = c;
			storm[r][h] = s;
			rounds = r + 1 > rounds ? r + 1 : rounds;
		} else if (sscanf(line, "reader %31s %lf", name, &c) == 2 && (h = how_of(name)) >= 0) {
			reader[h] = c;
		}
	}
	if (p)
		pclose(p);
	script_remove(&sf);
	return rounds;
}

/*
 * The same storm on the engine alone: "hotmem run SCRIPT" in process (no
 * FUSE, no shell per step), timed inside the traced command; "cpu_s" is
 * the CPU time hotmem took (its shell's children's, where a probe hit's
 * uprobe and BPF program are charged), from bash's "times": getrusage()
 * to the millisecond.  /proc/PID/stat's cutime was in clock ticks (10
 * ms): over a storm's 4003 hits one tick is 2.498 us a hit, and the
 * median difference was 0 or 1 tick, so trace_cost_per_hit_us read
 * 2.498 in every run.
 */
static const char run_sh[] =
	"set -e; B=$HOTMEM_BUILD; n=$1; s=$(mktemp)\n"
	"trap 'rm -f $s $s.times' EXIT\n"
	"{ echo 'add 0x100000000 256M'; i=0; while [ $i -lt $n ]; do\n"
	"  echo 'online 32 online_movable'; echo 'offline 32'; i=$((i + 1)); done; } > $s\n"
	"cmd=\"t0=\\$(date +%s.%N); $B/hotmem --profile qemu-512m --cmdline memhp_default_state=offline"
	" run $s > /dev/null; t1=\\$(date +%s.%N); echo storm \\$(awk \\\"BEGIN { print \\$t1 - \\$t0 }\\\") s;"
	/* times in the shell itself: a subshell's children are its own */
	" times > $s.times; echo cpu_s \\$(awk 'NR == 2 { split(\\$1, u, /[ms]/); split(\\$2, k, /[ms]/);"
	" printf \\\"%.3f\\\", u[1] * 60 + u[2] + k[1] * 60 + k[2] }' $s.times)\"\n"
	"if [ \"$2\" = traced ]; then\n"
	"  $B/hotmem-trace $3 --emulator $B/hotmem --no-pin --json -o /dev/null -- bash -c \"$cmd\"\n"
	"else bash -c \"$cmd\"; fi\n";

/* @hits: the USDT probe hits hotmem-trace counted (traced); @cpu: hotmem's CPU, in seconds */
static double engine_run_storm(int n, enum how how, double *hits, double *cpu)
{
	char cmd[4096];
	double v[3];
	struct script_file sf;

	*hits = *cpu = -1;
	if (script_write(&sf, "run.sh", run_sh))
		return -1;
	snprintf(cmd, sizeof(cmd), "HOTMEM_BUILD=%s sh %s %d %s 2>&1", build_dir(), sf.path, n,
		 how_arg[how]);
	/* "hotmem-trace: N events, D dropped, H USDT probe hits" */
	run_find(cmd, (const char *const[]){ "storm", "dropped,", "cpu_s" }, v, 3);
	script_remove(&sf);
	*hits = v[1];
	*cpu = v[2];
	return v[0];
}

/*
 * The median over the rounds of traced / untraced in the same round:
 * neighbours in time share the machine's load (other builds on the 2
 * CPUs), which the best of each, taken from different rounds, did not.
 */
static double median_ratio(const double (*t)[NR_HOW], int rounds, enum how how)
{
	double r[FS_ROUNDS];
	int n = 0;

	for (int i = 0; i < rounds && i < FS_ROUNDS; i++)
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

static const char *const how_suffix[NR_HOW] = { "", "", "_per_probe", "_niced" };

/*
 * The @k-th run of round @i: every other round in the reverse order, so
 * that whatever favours a place in the round (the page cache one run
 * warmed, a neighbour's job starting or ending) favours each side alike
 * and cancels in the median, where a fixed order had it always on one.
 */
static enum how round_order(int i, int k, int nr)
{
	return i % 2 ? nr - 1 - k : k;
}

static double sum_how(const double (*t)[NR_HOW], int rounds, enum how how)
{
	double sum = 0;

	for (int i = 0; i < rounds; i++)
		sum += t[i][how] > 0 ? t[i][how] : 0;
	return sum;
}

static void bench_engine(void)
{
	char path[4096], name[96];
	double wall[FS_ROUNDS][NR_HOW], cpu[FS_ROUNDS][NR_HOW], storm[FS_ROUNDS][NR_HOW];
	double reader[NR_HOW], ratio, fs0;
	int rounds;

	snprintf(path, sizeof(path), "%s/hotmemfs", build_dir());
	if (access(path, X_OK) || access("/dev/fuse", F_OK)) {
		printf("# trace_engine_storm_slowdown: SKIP: needs %s and /dev/fuse\n", path);
		return;
	}
	/* alternate: the machine's noise is larger than 5 % (median_ratio()) */
	print_load("before the engine storm");
	rounds = engine_storms(wall, cpu, storm, reader);
	print_load("after it");
	if (rounds < 3 || median_ratio(wall, rounds, BATCH) <= 0 ||
	    median_ratio(wall, rounds, PER_PROBE) <= 0 || median_ratio(wall, rounds, NICED) <= 0) {
		printf("# trace_engine_storm_slowdown: the storm did not run (hotmemfs, hotmemctl)\n");
		return;
	}
	fs0 = sum_how(cpu, rounds, UNTRACED);
	printf("# engine storm (hotmemfs), %d rounds of %d online_movable/offline cycles of 128 MiB, "
	       "per cycle: %.1f us untraced, %.1f us traced (hotmem:batch), %.1f us traced "
	       "--per-probe, %.1f us traced by a niced hotmem-trace\n",
	       rounds, FS_STORM_CYCLES, sum_how(wall, rounds, UNTRACED) / rounds / FS_STORM_CYCLES / 1e3,
	       sum_how(wall, rounds, BATCH) / rounds / FS_STORM_CYCLES / 1e3,
	       sum_how(wall, rounds, PER_PROBE) / rounds / FS_STORM_CYCLES / 1e3,
	       sum_how(wall, rounds, NICED) / rounds / FS_STORM_CYCLES / 1e3);
	printf("# CPU per cycle: hotmemfs %.1f us untraced, %.1f us traced, the reader %.1f us\n",
	       fs0 / rounds / FS_STORM_CYCLES / 1e3,
	       sum_how(cpu, rounds, BATCH) / rounds / FS_STORM_CYCLES / 1e3,
	       reader[BATCH] / rounds / FS_STORM_CYCLES / 1e3);
	printf("# traced/untraced per round (the storm's wall time):");
	for (int i = 0; i < rounds; i++)
		printf(" %.3f", storm[i][BATCH] / storm[i][UNTRACED]);
	printf("\n");
	ratio = median_ratio(storm, rounds, BATCH);
	bench("trace_engine_storm_slowdown", (ratio - 1) * 100, "%", "<= 5", ratio - 1 <= 0.05);
	/* with the reader's drain after the writes: up to its 200 ms poll */
	bench("trace_engine_storm_slowdown_delivered", (median_ratio(wall, rounds, BATCH) - 1) * 100,
	      "%", "informational: to the reader's last event, not the storm's last write", true);
	/* CPU, which the other processes' load moves less: hotmemfs's and its reader's */
	bench("trace_engine_storm_cpu_overhead",
	      fs0 > 0 ? ((sum_how(cpu, rounds, BATCH) + reader[BATCH]) / fs0 - 1) * 100 : -1, "%",
	      "informational: CPU of hotmemfs and the reader, traced vs untraced", true);
	snprintf(name, sizeof(name), "trace_engine_storm_slowdown%s", how_suffix[PER_PROBE]);
	bench(name, (median_ratio(storm, rounds, PER_PROBE) - 1) * 100, "%",
	      "informational: each step's probe, as before hotmem:batch", true);
	snprintf(name, sizeof(name), "trace_engine_storm_slowdown%s", how_suffix[NICED]);
	bench(name, (median_ratio(storm, rounds, NICED) - 1) * 100, "%",
	      "informational: nice -n 19 hotmem-trace", true);
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
	return (n % 2 ? d[n / 2] : (d[n / 2 - 1] + d[n / 2]) / 2) / hits * 1e6;
}

static void bench_engine_run(void)
{
	double t[NR_HOW] = { -1, -1, -1, -1 }, hits[NR_HOW] = { -1, -1, -1, -1 }, h1;
	double round[ROUNDS][NR_HOW], cpu[ROUNDS][NR_HOW];
	char name[96];

	print_load("before the engine-alone storm");
	for (int i = 0; i < ROUNDS; i++)
		for (int k = 0; k < NR_HOW_RUN; k++) {
			enum how h = round_order(i, k, NR_HOW_RUN);

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
	for (int h = BATCH; h < NR_HOW_RUN; h++) {
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

int main(int argc, char **argv)
{
	bench_no_args(argc, argv, "bench_trace");
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
