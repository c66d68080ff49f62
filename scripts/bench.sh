#!/bin/bash
# make bench: run every benchmark program, print its figures, and collect
# them into build/bench.json so that runs can be compared.
#
# A benchmark prints human lines "NAME VALUE UNIT (goal ...)", ending in
# " NOT MET" when the figure has a goal it misses, and, for each, one machine
# line: BENCH {"name":..,"value":..,"unit":..,"goal":..,"met":..} with "met"
# true or false for a figure with a goal and null for one without
# (tests/bench_report.h).  bench.json holds the figures by name and "_run":
# the date, the commit, the CPUs and the 1-minute load average at the run's
# start and end, which move every figure on a shared machine; and what
# moves them on a VM (host_state()): how long it has been up, its cpuidle
# driver (haltpoll with guest_halt_poll_ns 0 halts an idle vCPU at once:
# each FUSE round trip across CPUs pays its wake-up), and, at the start and
# the end, the free memory page reporting has given back to the host (each
# page of it faults in the host when used again) and kdamond's CPU time.
set -uo pipefail
out=${HOTMEM_BUILD:-build}/bench.json
src=$(cd "$(dirname "$0")/.." && pwd)
# the programs' helpers (bench_hotmemfs: tests/enable_uring.sh)
export HOTMEM_SRC=${HOTMEM_SRC:-$src}
tmp=$(mktemp)
errs=$(mktemp -d)
# fuse's enable_uring put back if a holder of the bench's was killed (tests/enable_uring.sh)
trap 'rm -rf "$tmp" "$errs"; bash "$src/tests/enable_uring.sh" restore' EXIT
load1() { local l _; read -r l _ </proc/loadavg && echo "$l"; }
# the file at @2, if there is one, as "@1 VALUE"
host_file() { local v; [ -r "$2" ] && read -r v <"$2" && echo "$1 $v"; }
# "KEY VALUE" lines: what moves the figures on this host, what is there of it
host_state() {
	local up _ comm ticks=0 t kdamond=0 d
	read -r up _ </proc/uptime && echo "uptime_s $up"
	host_file cpuidle_driver /sys/devices/system/cpu/cpuidle/current_driver
	host_file cpuidle_governor /sys/devices/system/cpu/cpuidle/current_governor_ro ||
		host_file cpuidle_governor /sys/devices/system/cpu/cpuidle/current_governor
	host_file haltpoll_guest_halt_poll_ns /sys/module/haltpoll/parameters/guest_halt_poll_ns
	host_file page_reporting_reported_kib /sys/module/page_reporting/parameters/reported_kib
	# DAMON's threads (kdamond.N): utime + stime, the fields after the comm's ")"
	for d in /proc/[0-9]*; do
		read -r comm 2>/dev/null <"$d/comm" && [[ $comm == kdamond* ]] || continue
		t=$(sed 's/.*) //' "$d/stat" 2>/dev/null | awk '{ print $12 + $13 }') || continue
		ticks=$((ticks + ${t:-0}))
		kdamond=1
	done
	[ "$kdamond" = 1 ] && echo "kdamond_cpu_s $(awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" 'BEGIN { print t / hz }')"
	return 0
}
# host_state()'s lines as one: KEY=VALUE ...
host_line() { sed 's/ /=/' <<<"$1" | paste -sd' ' -; }
date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
git=$(git -C "$src" describe --always --dirty 2>/dev/null || echo unknown)
cpus=$(nproc)
load_start=$(load1)
host_start=$(host_state)
echo "== run $date, $git, $cpus CPUs, load average (1 min) $load_start"
echo "== host: $(host_line "$host_start")"
# the stderr of program @1 (its file @2), after its figures: each line whole
show_stderr() {
	[ -s "$2" ] || return 0
	echo "   (stderr of $(basename "$1"):)"
	sed 's/^/   | /' "$2"
}
status=0
i=0
for prog in "$@"; do
	i=$((i + 1))
	echo "== $(basename "$prog")"
	# Its figures live, each line written whole (grep --line-buffered),
	# and its stderr (its helpers' too) in a file of its own, shown after
	# them: on the terminal's one file the figures came through a pipe,
	# grep's output block-buffered into a log, and a stderr line landed
	# inside a figure line (bench41.log: fuse_floor's line); the next
	# program's "==" could come before them too (a process substitution,
	# not waited for).  A plain pipeline: all of it ends before the next.
	"$prog" 2>"$errs/$i" | tee -a "$tmp" | grep --line-buffered -v '^BENCH '
	rc=${PIPESTATUS[0]}
	show_stderr "$prog" "$errs/$i"
	if [ "$rc" != 0 ]; then
		echo "   (failed: $prog)"
		status=1
	fi
done
load_end=$(load1)
host_end=$(host_state)
echo "== end $(date -u +%Y-%m-%dT%H:%M:%SZ), load average (1 min) $load_end (at the start $load_start)"
echo "== host at the end: $(host_line "$host_end")"
python3 - "$tmp" "$out" "$date" "$git" "$cpus" "$load_start" "$load_end" \
	"$src/tests/bench_report.h" "$host_start" "$host_end" <<'PY' || { echo "   (failed: the summary of $out)"; status=1; }
import json, re, sys
path, out, date, git, cpus, load_start, load_end, header, host_start, host_end = sys.argv[1:11]
# how a goal text that names no goal starts: tests/bench_report.h's
# BENCH_NO_GOAL, the one list (the C programs' and bench_burst.sh's too)
m = re.search(r'^#define BENCH_NO_GOAL "([^"]+)"$', open(header).read(), re.M)
if not m:
    sys.exit(f"bench.sh: no BENCH_NO_GOAL line in {header}")
NO_GOAL = tuple(m.group(1).split("|"))
figures = {}
for line in open(path):
    if not line.startswith("BENCH "):
        continue
    try:
        f = json.loads(line[6:])
    except ValueError:
        continue
    if str(f.get("goal", "")).startswith(NO_GOAL):
        f["met"] = None
    figures[f.pop("name")] = f
goals = {n: f for n, f in figures.items() if f.get("met") is not None}
met = sum(1 for f in goals.values() if f["met"] is True)
unmet = sorted(n for n, f in goals.items() if f["met"] is not True)
report = dict(figures)
report["_run"] = {"date": date, "git": git, "nproc": int(cpus),
                  "load1_start": float(load_start), "load1_end": float(load_end)}
def host(text):
    """host_state()'s "KEY VALUE" lines: numbers as numbers"""
    state = {}
    for line in text.splitlines():
        key, _, value = line.partition(" ")
        try:
            state[key] = float(value) if "." in value else int(value)
        except ValueError:
            state[key] = value
    return state
# what cannot move during a run once; what can, at the start and the end
MOVING = ("uptime_s", "page_reporting_reported_kib", "kdamond_cpu_s")
for when, state in (("start", host(host_start)), ("end", host(host_end))):
    for key, value in state.items():
        if key in MOVING:
            report["_run"][f"{key}_{when}"] = value
        elif when == "start":
            report["_run"][key] = value
json.dump(report, open(out, "w"), indent=2, sort_keys=True)
def num(v):
    """a figure as a reader takes it in: 3 decimals at most, no trailing zeros"""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return f"{round(v, 3):g}"
    return str(v)
if unmet:
    print("\nNOT MET:")
    for n in unmet:
        f = figures[n]
        line = f"  {n} {num(f.get('value'))} {f.get('unit')} (goal {f.get('goal')})"
        # a ratio of two sides' medians (bench_report_pair()): the sides and the load
        m = f.get("medians")
        if isinstance(m, list) and len(m) == 2:
            line += (f"; medians {num(m[0])} and {num(m[1])} {f.get('medians_unit', '')}"
                     .rstrip() + f" at load {num(f.get('load1'))}")
        print(line)
    print("where the time goes: README.md#performance-make-bench")
busiest = max(float(load_start), float(load_end))
if busiest > int(cpus):
    print(f"\nThe load average ({load_start} at the start, {load_end} at the end) was above "
          f"the {cpus} CPUs: other jobs moved the timed figures; compare them with README.md's "
          "\"under load\" column, or measure again on a quieter machine.")
print(f"\n{len(figures)} figures: {len(goals)} goals, {met} met, {len(unmet)} not met, "
      f"{len(figures) - len(goals)} informational -> {out}")
PY
exit $status
