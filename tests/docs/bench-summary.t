#!/bin/bash
# make bench's summary and its programs' command lines, without measuring
# anything: scripts/bench.sh runs two fake benchmark programs (shell
# scripts printing BENCH lines) and is checked for its counts (a figure
# without a goal -- "met": null, or a goal text "informational", "none",
# "report only" -- is not a goal met: usereye6 B), its NOT MET list and
# the pointer after it, the load it prints and the "_run" object of
# bench.json (usereye6 F); tests/bench_report.h's figure lines; and every
# real benchmark program refuses a part it does not have with exit status
# 2 and a usage line, before it measures anything (usereye6 G).
. "$(dirname "$0")/lib.sh"
# absolute: checks 15-16 compile in $tmp, where lib.sh's default "." (no
# HOTMEM_SRC exported, run from the tree as the other docs tests are) is
# not the tree -- they failed there
src=$(cd "$src" && pwd)
bench=$src/scripts/bench.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# fake1: one goal met, one not, one figure without a goal (met null)
cat >"$tmp/fake1" <<'EOF'
#!/bin/sh
echo 'a_ratio 3.600 x (goal <= 3) NOT MET'
echo 'BENCH {"name":"a_ratio","value":3.6,"unit":"x","goal":"<= 3","met":false}'
echo 'b_ms 0.800 ms (goal <= 1)'
echo 'BENCH {"name":"b_ms","value":0.8,"unit":"ms","goal":"<= 1","met":true}'
echo 'BENCH {"name":"c_us","value":5,"unit":"us","goal":"informational","met":null}'
EOF
# fake2: goal texts without a goal that still say "met": true (as every
# program did before), a goal met and one not
cat >"$tmp/fake2" <<'EOF'
#!/bin/sh
echo '# a comment line'
echo 'BENCH {"name":"d_ms","value":1.5,"unit":"ms","goal":"<= 2","met":true}'
echo 'BENCH {"name":"e_x","value":0.25,"unit":"x","goal":"report only: the floor","met":true}'
echo 'BENCH {"name":"f_s","value":2,"unit":"s","goal":"none, fake sysroot","met":true}'
echo 'BENCH {"name":"g_pct","value":12.9,"unit":"%","goal":"<= 5","met":false}'
EOF
chmod +x "$tmp/fake1" "$tmp/fake2"
got=$(HOTMEM_BUILD=$tmp "$bench" "$tmp/fake1" "$tmp/fake2" 2>&1)
rc=$?
json=$tmp/bench.json
[ "$rc" = 0 ] && ok "bench.sh exits 0 when its programs do" || notok "bench.sh exit status $rc" "$got"

want="7 figures: 4 goals, 2 met, 2 not met, 3 informational -> $json"
last=$(tail -n 1 <<<"$got")
[ "$last" = "$want" ] && ok "summary: figures, goals, met, not met, informational" ||
	notok "summary line" "want: $want" "got:  $last"

list=$(sed -n '/^NOT MET:$/,/^$/p' <<<"$got")
want_list=$'NOT MET:\n  a_ratio 3.6 x (goal <= 3)\n  g_pct 12.9 % (goal <= 5)\nwhere the time goes: README.md#performance-make-bench'
[ "$(sed '/^$/d' <<<"$list")" = "$want_list" ] &&
	ok "NOT MET lists the goals not met (not the informational figures), then where the time goes" ||
	notok "NOT MET list" "want:" "$want_list" "got:" "$list"
# the pointer names a heading the README has (GitHub's anchor of it)
grep -q '^## Performance (`make bench`)$' "$src/README.md" &&
	ok "README.md has the heading of #performance-make-bench" ||
	notok "README.md has no heading '## Performance (\`make bench\`)' for the pointer"

! grep -q '^BENCH ' <<<"$got" && grep -q '^a_ratio 3.600 x (goal <= 3) NOT MET$' <<<"$got" &&
	grep -q '^# a comment line$' <<<"$got" &&
	ok "the programs' human lines are shown, their BENCH lines are not" ||
	notok "human lines shown, BENCH lines hidden" "$got"

re_load='load average \(1 min\) [0-9]+\.[0-9]+'
[[ $(head -n 1 <<<"$got") =~ ^==\ run\ .*\ $(nproc)\ CPUs,\ $re_load$ ]] &&
	grep -Eq "^== end .*$re_load \(at the start [0-9]+\.[0-9]+\)$" <<<"$got" &&
	ok "the load and the CPUs are printed at the run's start and end" ||
	notok "load printed at start and end" "$got"

check=$(python3 - "$json" "$(nproc)" <<'PY' 2>&1
import json, re, sys
j = json.load(open(sys.argv[1]))
r = j.get("_run", {})
bad = []
if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", str(r.get("date"))):
    bad.append("date %r" % r.get("date"))
if r.get("nproc") != int(sys.argv[2]):
    bad.append("nproc %r" % r.get("nproc"))
for k in ("load1_start", "load1_end"):
    if not isinstance(r.get(k), (int, float)) or r[k] < 0:
        bad.append("%s %r" % (k, r.get(k)))
if not r.get("git"):
    bad.append("git %r" % r.get("git"))
met = {n: f.get("met") for n, f in j.items() if n != "_run"}
want = {"a_ratio": False, "b_ms": True, "c_us": None, "d_ms": True, "e_x": None,
        "f_s": None, "g_pct": False}
if met != want:
    bad.append("met %r" % met)
print("; ".join(bad) or "fine")
PY
)
[ "$check" = fine ] && ok "bench.json: _run (date, git, nproc, loads); met null for figures without a goal" ||
	notok "bench.json" "$check"

# what moves the figures on a VM, in "_run" (wake30): its uptime at the
# start and the end; the cpuidle driver, governor and haltpoll's
# guest_halt_poll_ns, page reporting's reported_kib (start and end) and
# kdamond's CPU time (start and end) where this host has them, absent
# where it has not
check=$(python3 - "$json" <<'PY' 2>&1
import json, os, sys
r = json.load(open(sys.argv[1])).get("_run", {})
bad = []
s, e = r.get("uptime_s_start"), r.get("uptime_s_end")
if not all(isinstance(v, (int, float)) for v in (s, e)) or not 0 < s <= e:
    bad.append("uptime_s_start %r, uptime_s_end %r" % (s, e))
def read(path):
    try:
        return open(path).read().strip()
    except OSError:
        return None
cpuidle = "/sys/devices/system/cpu/cpuidle/"
files = {"cpuidle_driver": cpuidle + "current_driver",
         "haltpoll_guest_halt_poll_ns": "/sys/module/haltpoll/parameters/guest_halt_poll_ns",
         "page_reporting_reported_kib_start": "/sys/module/page_reporting/parameters/reported_kib"}
for key, path in files.items():
    want = read(path)
    got = r.get(key)
    if (want is None) != (got is None) or (want is not None and str(got) != want and
                                           not key.endswith("_start")):
        bad.append("%s %r, %s says %r" % (key, got, path, want))
if ("page_reporting_reported_kib_start" in r) != ("page_reporting_reported_kib_end" in r):
    bad.append("reported_kib at one end only")
kdamond = any((read("/proc/%s/comm" % p) or "").startswith("kdamond")
              for p in os.listdir("/proc") if p.isdigit())
for k in ("kdamond_cpu_s_start", "kdamond_cpu_s_end"):
    if kdamond and not isinstance(r.get(k), (int, float)):
        bad.append("%s %r with a kdamond running" % (k, r.get(k)))
print("; ".join(bad) or "fine")
PY
)
[ "$check" = fine ] &&
	ok "bench.json: _run has the uptime, cpuidle, page reporting and kdamond's CPU this host has" ||
	notok "bench.json _run host state" "$check"
grep -q '^== host: uptime_s=[0-9.]*' <<<"$got" && grep -q '^== host at the end: uptime_s=' <<<"$got" &&
	ok "the host's state is printed at the run's start and end" ||
	notok "== host lines" "$got"

# a failing program: said, and the exit status says it
printf '#!/bin/sh\nexit 3\n' >"$tmp/fails"
chmod +x "$tmp/fails"
got=$(HOTMEM_BUILD=$tmp "$bench" "$tmp/fake1" "$tmp/fails" 2>&1)
rc=$?
[ "$rc" = 1 ] && grep -q "(failed: $tmp/fails)" <<<"$got" &&
	grep -q '^3 figures: 2 goals, 1 met, 1 not met, 1 informational' <<<"$got" &&
	ok "a failed program: named, exit status 1, the others' figures still counted" ||
	notok "failed program (exit $rc)" "$got"

# a summary that fails: said, and the exit status says it (finalE F13:
# bench.sh exited 0 without a bench.json); here bench.json's directory
# does not exist
got=$(HOTMEM_BUILD=$tmp/no-such-dir "$bench" "$tmp/fake1" 2>&1)
rc=$?
[ "$rc" = 1 ] && grep -q "^   (failed: the summary of $tmp/no-such-dir/bench.json)$" <<<"$got" &&
	! grep -q '^[0-9]* figures: ' <<<"$got" &&
	ok "a failed summary (bench.json unwritable): named, exit status 1" ||
	notok "failed summary (exit $rc)" "$got"

# the goal texts that name no goal are tests/bench_report.h's
# BENCH_NO_GOAL, the one list bench.sh reads: a copy of bench.sh beside a
# header whose list is "informational|not-a-goal" counts "not-a-goal:
# x" apart and "none, y" as a goal (not met); a header without the line
# fails
mkdir -p "$tmp/tree/scripts" "$tmp/tree/tests"
cp "$bench" "$tmp/tree/scripts/"
sed 's/^#define BENCH_NO_GOAL ".*"$/#define BENCH_NO_GOAL "informational|not-a-goal"/' \
	"$src/tests/bench_report.h" >"$tmp/tree/tests/bench_report.h"
cat >"$tmp/fake3" <<'EOF'
#!/bin/sh
echo 'BENCH {"name":"h_x","value":1,"unit":"x","goal":"not-a-goal: x","met":true}'
echo 'BENCH {"name":"i_x","value":1,"unit":"x","goal":"none, y","met":false}'
echo 'BENCH {"name":"j_x","value":1,"unit":"x","goal":"informational","met":null}'
EOF
chmod +x "$tmp/fake3"
got=$(HOTMEM_BUILD=$tmp "$tmp/tree/scripts/bench.sh" "$tmp/fake3" 2>&1)
rc=$?
[ "$rc" = 0 ] && grep -q '^3 figures: 1 goals, 0 met, 1 not met, 2 informational' <<<"$got" &&
	grep -q '^  i_x 1 x (goal none, y)$' <<<"$got" &&
	ok "bench.sh takes the goal texts without a goal from bench_report.h's BENCH_NO_GOAL" ||
	notok "bench.sh's list is BENCH_NO_GOAL (exit $rc)" "$got"
grep -v '^#define BENCH_NO_GOAL ' "$src/tests/bench_report.h" >"$tmp/tree/tests/bench_report.h"
got=$(HOTMEM_BUILD=$tmp "$tmp/tree/scripts/bench.sh" "$tmp/fake3" 2>&1)
rc=$?
[ "$rc" = 1 ] && grep -q "^bench.sh: no BENCH_NO_GOAL line in $tmp/tree/tests/bench_report.h$" <<<"$got" &&
	grep -q '^   (failed: the summary of ' <<<"$got" &&
	ok "a bench_report.h without BENCH_NO_GOAL: the summary fails, exit status 1" ||
	notok "no BENCH_NO_GOAL (exit $rc)" "$got"

# the NOT MET list as a reader takes it in: values to 3 decimals, and a
# ratio of two sides' medians (bench_report_pair()) with both medians and
# the load it was measured at
cat >"$tmp/fake4" <<'EOF'
#!/bin/sh
echo 'BENCH {"name":"p_x","value":1.633987,"unit":"x","goal":"<= 1.5","met":false,"judged":"median","batches":15,"medians":[314.2,192.3],"medians_unit":"us","spread":[0.2,0.1],"best_ratio":1.2,"load1":6.21}'
echo 'BENCH {"name":"q_ms","value":3.308223,"unit":"ms","goal":"<= 2","met":false}'
EOF
chmod +x "$tmp/fake4"
got=$(HOTMEM_BUILD=$tmp "$bench" "$tmp/fake4" 2>&1)
grep -qxF '  p_x 1.634 x (goal <= 1.5); medians 314.2 and 192.3 us at load 6.21' <<<"$got" &&
	grep -qxF '  q_ms 3.308 ms (goal <= 2)' <<<"$got" &&
	ok "NOT MET: values to 3 decimals, a ratio of medians with both medians and its load" ||
	notok "NOT MET lines of a ratio of medians" "$got"

# tests/bench_report.h: the figure lines of the C programs
if command -v "${CC:-cc}" >/dev/null; then
	cat >"$tmp/report.c" <<EOF
#include "$src/tests/bench_report.h"
int main(void)
{
	bench_report("g_met", 1, "x", "<= 2", true);
	bench_report("g_unmet", 3, "x", "<= 2", false);
	bench_report("i_info", 3, "us", "informational: why", false);
	bench_report("i_none", 3, "ms", "none, fake sysroot", true);
	bench_report("i_only", 3, "s", "report only", true);
	return 0;
}
EOF
	if "${CC:-cc}" -Wall -Werror -o "$tmp/report" "$tmp/report.c" 2>"$tmp/cc.err"; then
		got=$("$tmp/report")
		want='g_met 1.000 x (goal <= 2)
BENCH {"name":"g_met","value":1.000000,"unit":"x","goal":"<= 2","met":true}
g_unmet 3.000 x (goal <= 2) NOT MET
BENCH {"name":"g_unmet","value":3.000000,"unit":"x","goal":"<= 2","met":false}
i_info 3.000 us (goal informational: why)
BENCH {"name":"i_info","value":3.000000,"unit":"us","goal":"informational: why","met":null}
i_none 3.000 ms (goal none, fake sysroot)
BENCH {"name":"i_none","value":3.000000,"unit":"ms","goal":"none, fake sysroot","met":null}
i_only 3.000 s (goal report only)
BENCH {"name":"i_only","value":3.000000,"unit":"s","goal":"report only","met":null}'
		[ "$got" = "$want" ] &&
			ok "bench_report.h: NOT MET on a goal not met, met null and no mark without a goal" ||
			notok "bench_report.h lines" "want:" "$want" "got:" "$got"
	else
		notok "bench_report.h compiles" "$(cat "$tmp/cc.err")"
	fi
	# a ratio of two interleaved sides is judged by their medians, not by
	# the best of each (reviews/ochange.md: one disturbed batch of 15
	# flipped huge128m_state_change_vs_17_blocks to 1.63x): side A's
	# batches 10 10 10 10 40, side B's 5 10 10 10 10 -- the bests' ratio is
	# 2, the medians' 1; both medians, the spread, the bests' ratio and the
	# load go beside it, in bench.json too
	cat >"$tmp/pair.c" <<EOF
#include "$src/tests/bench_report.h"
int main(void)
{
	double a[] = { 40, 10, 10, 10, 10 }, b[] = { 10, 10, 5, 10, 10 };
	struct bench_pair p;

	bench_pair_of(&p, a, b, 5);
	bench_report_pair("p_ratio", &p, "us", "<= 1.5", bench_pair_ratio(&p) <= 1.5);
	return 0;
}
EOF
	if "${CC:-cc}" -Wall -Werror -o "$tmp/pair" "$tmp/pair.c" 2>"$tmp/cc.err"; then
		got=$("$tmp/pair" | head -n 2)
		re='^p_ratio 1\.000 x \(goal <= 1\.5\)
#   medians of 5 batches each, in turn: 10\.00 us against 10\.00 us \(quartiles 0% and 0% of them apart\); best against best 2\.000x; load average [0-9]+\.[0-9]+ on [0-9]+ CPUs'
		[[ $got =~ $re ]] &&
			ok "bench_report_pair: the medians' ratio judged (met), both medians, spread, bests' ratio, load" ||
			notok "bench_report_pair lines" "got:" "$got"
		HOTMEM_BUILD=$tmp "$bench" "$tmp/pair" >/dev/null 2>&1
		check=$(python3 - "$tmp/bench.json" <<'PY' 2>&1
import json, sys
f = json.load(open(sys.argv[1]))["p_ratio"]
want = {"value": 1.0, "met": True, "judged": "median", "batches": 5, "medians": [10.0, 10.0],
        "medians_unit": "us", "spread": [0.0, 0.0], "best_ratio": 2.0}
bad = ["%s %r, not %r" % (k, f.get(k), v) for k, v in want.items() if f.get(k) != v]
if not isinstance(f.get("load1"), (int, float)):
    bad.append("load1 %r" % f.get("load1"))
print("; ".join(bad) or "fine")
PY
)
		[ "$check" = fine ] &&
			ok "bench.json keeps a pair's medians, spread, bests' ratio and load beside its value" ||
			notok "bench.json of a pair" "$check"
	else
		notok "bench_report_pair compiles" "$(cat "$tmp/cc.err")"
	fi
else
	skip_check "bench_report.h lines" "no C compiler"
fi

# every benchmark program, each tests/*/bench_*.c (so that a new one is
# not left out): a part it does not have is refused (exit 2, a usage line)
# before anything is measured; bounded in case one runs.  One not built:
# skip_check, a failure under make check (which builds them first), a
# loud skip by hand
progs=$(cd "$src" && ls tests/*/bench_*.c | sed 's/\.c$//')
[ "$(wc -w <<<"$progs")" -ge 5 ] && ok "the benchmark programs' sources: $(echo $progs)" ||
	notok "at least 5 tests/*/bench_*.c" "found: $progs"
for p in $progs; do
	if [ ! -x "$B/$p" ]; then
		skip_check "${p##*/} refuses a bad part" "$B/$p not built"
		continue
	fi
	got=$(HOTMEM_BUILD=$B timeout -k 5 60 "$B/$p" no_such_part 2>&1 >/dev/null)
	rc=$?
	[ "$rc" = 2 ] && grep -q "^${p##*/}: no part 'no_such_part'$" <<<"$got" &&
		grep -q "^usage: ${p##*/} " <<<"$got" &&
		ok "${p##*/} no_such_part: refused, usage, exit status 2" ||
		notok "${p##*/} no_such_part: exit status $rc" "$got"
done
got=$(timeout -k 5 60 "$src/tests/agents/bench_burst.sh" no_such_part 2>&1 >/dev/null)
rc=$?
[ "$rc" = 2 ] && grep -q "^bench_burst.sh: no part 'no_such_part'$" <<<"$got" &&
	grep -q "^usage: bench_burst.sh " <<<"$got" &&
	ok "bench_burst.sh no_such_part: refused, usage, exit status 2" ||
	notok "bench_burst.sh no_such_part: exit status $rc" "$got"

echo "1..$n"
