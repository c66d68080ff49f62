#!/bin/bash
# hotmem-conform's matrix process against a fake hotmem-enter (HOTMEM_ENTER):
# what it does with what a cell prints, with signals, with a closed stdout
# and with bad settings, in a second per case (no machine is entered).
. "$(dirname "$0")/../fusefs/lib.sh"
need_conform_fake
# the work directories hotmem-conform left in its $TMPDIR (ours alone:
# another's run beside this test's was counted as ours when it was /tmp)
export TMPDIR=$TMP/work
mkdir "$TMPDIR"
leftovers() {
	find "$TMPDIR" -maxdepth 1 -name 'hotmem-conform.*' -newer "$TMP/stamp" | wc -l
}
touch "$TMP/stamp"
# ... where it makes it: a --rules file's copy is bound from there
printf '%s\n' 'SUBSYSTEM=="memory"' >"$TMP/70-w.rules"
enter=$(fake_enter args "printf '%s\\n' \"\$@\" >'$TMP/args'; echo '{\"new\": 8, \"online\": 8}'")
HOTMEM_ENTER=$enter "$CONFORM" --reduced --rules "$TMP/70-w.rules" --only 'offline' >/dev/null 2>&1
sed -n 2p "$TMP/args" | grep -q "^$TMPDIR/hotmem-conform\.[^/]*/user-[0-9]*-70-w.rules$"
tap_ok $? "the work directory is in \$TMPDIR: $(sed -n 2p "$TMP/args")"

# numa2-ml: numa2 with CPUs on its memoryless node 1 (its second GiB on node 2), a machine of --full
enter=$(fake_enter prof "while [ \$# -gt 0 ]; do [ \"\$1\" = --profile ] && cat \"\$2\" >'$TMP/ml.profile'; shift; done; echo '{\"new\": 8, \"online\": 8}'")
HOTMEM_ENTER=$enter "$CONFORM" --full --builtin --only '^classic-rule memhp_default_state=offline numa2-ml dimm1$' \
	>"$TMP/ml" 2>&1
grep -q "^1 cells in " "$TMP/ml"
tap_ok $? "--full has a machine numa2-ml: one cell ran"
is "$(cat "$TMP/ml.profile" 2>/dev/null | paste -sd';')" \
	"profile = numa2;name = numa2-ml;cpu_nodes = 0-1;ram = 0x1000-0x9efff node=0;ram = 0x100000-0x3fffffff node=0;ram = 0x40000000-0x7fffffff node=2" \
	"... numa2 with CPUs on 0 and on the memoryless node 1, nodes in SRAT order (QEMU's node= the guest's)"

# an outcome line of 16 KiB (zone_runs of a burst onlined with gaps):
# read whole, not cut at 4 KiB into JSON that does not parse
pad=$(head -c 16000 /dev/zero | tr '\0' x)
enter=$(fake_enter long "echo '{\"new\": 8, \"online\": 8, \"pad\": \"$pad\"}'")
HOTMEM_ENTER=$enter "$CONFORM" --reduced --agent true --only '^agent:true memhp_default_state=offline ' \
	--json "$TMP/long.json" >"$TMP/long" 2>"$TMP/err"
sed 's/^/# /' "$TMP/long" | cut -c1-200
! grep -q "did not run" "$TMP/long"
tap_ok $? "a 16 KiB outcome line is a cell that ran"
is "$(jq -r '.[0].outcome.pad | length' "$TMP/long.json")" 16000 "its outcome whole in the JSON"

# a stop signal while a row is written (stdout a full pipe): the matrix
# ends before the next cell starts, and hotmem-conform dies of the signal
# (after removing its work directory), not exit(128 + N): a calling shell
# loop stops on it.  The pipe holds one page (F_SETPIPE_SZ): the legend
# (the agent's 3800-byte command) and the header fit, the first row (an
# agent#1 row, not the command) does not.
enter=$(fake_enter count "echo x >>'$TMP/cells'; echo '{\"new\": 8, \"online\": 8}'")
big=$(head -c 3800 /dev/zero | tr '\0' y)
mkfifo "$TMP/fifo"
exec 3<>"$TMP/fifo"	# a reader, so that opening it to write does not block
python3 -c 'import fcntl, os, sys; fd = os.open(sys.argv[1], os.O_RDWR); fcntl.fcntl(fd, 1031, 4096)' \
	"$TMP/fifo" # F_SETPIPE_SZ
HOTMEM_ENTER=$enter perl -e 'system @ARGV; print STDERR "status ", ($? & 127 ? "signal " . ($? & 127) : "exit " . ($? >> 8)), "\n"' \
	-- "$CONFORM" --reduced --agent ": $big" >"$TMP/fifo" 2>"$TMP/sigerr" &
perl_pid=$!
pid=
for _ in $(seq 300); do
	pid=$(pgrep -P "$perl_pid" -x hotmem-conform)
	# blocked writing the row: wchan pipe_write, or anon_pipe_write (6.18 here)
	# (the exact "pipe_write" never matched here: 30 s a run, then SIGTERM)
	[ -n "$pid" ] && grep -qs pipe_write "/proc/$pid/wchan" && break
	sleep 0.1
done
kill -TERM "$pid"
# without fd 3: a cat holding the FIFO open for writing never saw its EOF
# and ran until its timeout (30 s a run)
timeout 30 cat "$TMP/fifo" >"$TMP/sigout" 3<&- &
cat_pid=$!
exec 3<&-
wait_exit "$perl_pid" 30
wait_exit "$cat_pid" 30
# (before the fix the next cell was forked and killed before its exec: the
# same file; what tells the two apart is the status below)
is "$(wc -l <"$TMP/cells")" 1 "SIGTERM between cells: the next cell does not start"
grep -q "^status signal 15$" "$TMP/sigerr"
tap_ok $? "hotmem-conform is killed by SIGTERM, not exit 143 ($(grep status "$TMP/sigerr"))"
grep -q "^hotmem-conform: stopped by signal 15$" "$TMP/sigerr"
tap_ok $? "it says why"
is "$(leftovers)" 0 "no \$TMPDIR/hotmem-conform.* left"

# stdout a pipe with no reader (| head -1 gone): SIGPIPE is ignored in
# the matrix, the failed write stops it before a cell starts, the work
# directory is removed, and it dies of SIGPIPE as a pipeline expects
touch "$TMP/stamp"
enter=$(fake_enter pipe "echo x >>'$TMP/pipecells'; echo '{\"new\": 8, \"online\": 8}'")
HOTMEM_ENTER=$enter perl -e 'pipe(R, W) or die; close R; open(STDOUT, ">&", \*W) or die; close W;
	system @ARGV; print STDERR "status ", ($? & 127 ? "signal " . ($? & 127) : "exit " . ($? >> 8)), "\n"' \
	-- "$CONFORM" --reduced --agent true --agent false 2>"$TMP/pipeerr"
sed 's/^/# /' "$TMP/pipeerr"
grep -q "^status signal 13$" "$TMP/pipeerr"
tap_ok $? "stdout closed: hotmem-conform dies of SIGPIPE"
is "$(leftovers)" 0 "no \$TMPDIR/hotmem-conform.* left"
[ ! -e "$TMP/pipecells" ]
tap_ok $? "no cell started"
enter=$(fake_enter sigpipe "echo '{\"new\": 8, \"online\": 8}'; kill -PIPE \$\$; echo alive >'$TMP/pipetrap'")
HOTMEM_ENTER=$enter "$CONFORM" --reduced --agent true --only 'memhp_default_state=offline ' >/dev/null 2>&1
[ ! -e "$TMP/pipetrap" ]
tap_ok $? "a cell's programs do not inherit the ignored SIGPIPE"

# the settings the cells read are checked once, before the first cell:
# a bad one is exit status 2 and a message, not a bad row per cell (a
# huge HOTMEM_CONFORM_WAIT overflowed wait_s * 1000); a listener buffer
# over the kernel's cap is capped, as the kernel caps SO_RCVBUF
enter=$(fake_enter env "echo x >>'$TMP/envcells'; echo '{\"new\": 8, \"online\": 8}'")
for bad in HOTMEM_CONFORM_WAIT=99999999999999999999 HOTMEM_CONFORM_WAIT=151 HOTMEM_CONFORM_WAIT=-1 \
	HOTMEM_CONFORM_WAIT=5s HOTMEM_CONFORM_LISTENER_RCVBUF=lots HOTMEM_CONFORM_KERNEL_ALLOC=lots; do
	env HOTMEM_ENTER="$enter" "$bad" "$CONFORM" --reduced --agent true >"$TMP/envout" 2>"$TMP/enverr"
	rc=$?
	[ "$rc" -eq 2 ] && grep -q "^hotmem-conform: ${bad%%=*}=${bad#*=}: " "$TMP/enverr" && [ ! -s "$TMP/envout" ] &&
		[ ! -e "$TMP/envcells" ]
	tap_ok $? "$bad: exit status 2 and a message before any cell (got $rc: $(head -1 "$TMP/enverr"))"
done
HOTMEM_ENTER=$enter HOTMEM_CONFORM_LISTENER_RCVBUF=99999999999999999999 "$CONFORM" --reduced --agent true \
	>"$TMP/envout" 2>"$TMP/enverr"
is "$?" 0 "a listener buffer over the kernel's cap: capped, the cells run"

# --json's file is checked before the first cell, not after the matrix
enter=$(fake_enter json "echo x >>'$TMP/jsoncells'; echo '{\"new\": 8, \"online\": 8}'")
HOTMEM_ENTER=$enter "$CONFORM" --reduced --agent true --json "$TMP/no/such/dir/x.json" >"$TMP/jsonout" 2>"$TMP/jsonerr"
rc=$?
[ "$rc" -eq 2 ] && grep -q "^hotmem-conform: --json $TMP/no/such/dir/x.json: No such file or directory$" "$TMP/jsonerr" &&
	[ ! -e "$TMP/jsoncells" ] && [ ! -s "$TMP/jsonout" ]
tap_ok $? "an unwritable --json: exit status 2 and a message before any cell (got $rc)"

# two --rules files of one base name: each cell gets its own file (the
# second replaced the first: user-BASE held one copy for both rows), the
# rows are told apart by path; the same file twice is refused
mkdir -p "$TMP/r1" "$TMP/r2"
echo '# first' >"$TMP/r1/80-x.rules"
echo '# second' >"$TMP/r2/80-x.rules"
enter=$(fake_enter rules "cat \"\$2\"/80-x.rules >>'$TMP/rulescells'; echo '{\"new\": 8, \"online\": 8}'")
HOTMEM_ENTER=$enter "$CONFORM" --reduced --only 'offline' --rules "$TMP/r1/80-x.rules" --rules "$TMP/r2/80-x.rules" \
	--json "$TMP/rules.json" >"$TMP/rulesout" 2>"$TMP/ruleserr"
is "$(paste -sd, "$TMP/rulescells")" "# first,# second" "two --rules files of one base name: each row runs its own"
is "$(jq -r '.[].agent' "$TMP/rules.json" | paste -sd ,)" "rules:$TMP/r1/80-x.rules,rules:$TMP/r2/80-x.rules" \
	"... the rows named by path, told apart"
HOTMEM_ENTER=$enter "$CONFORM" --reduced --rules "$TMP/r1/80-x.rules" --rules "$TMP/r1/../r1/80-x.rules" \
	>"$TMP/rulesout" 2>"$TMP/ruleserr"
rc=$?
[ "$rc" -eq 2 ] && grep -q "^hotmem-conform: --rules $TMP/r1/80-x.rules: given twice$" "$TMP/ruleserr"
tap_ok $? "the same file twice: exit status 2, said (got $rc: $(head -1 "$TMP/ruleserr"))"

# an agent's command that is not UTF-8 (Latin-1): the --json file is
# still UTF-8, each stray byte U+FFFD (it held the raw bytes, which jq
# read as U+FFFD and a strict reader refuses)
enter=$(fake_enter utf8 "echo '{\"new\": 8, \"online\": 8}'")
HOTMEM_ENTER=$enter "$CONFORM" --reduced --only 'offline' --agent "$(printf 'echo caf\xe9 \xe2\x82\xac \xed\xa0\x80')" \
	--json "$TMP/utf8.json" >/dev/null 2>&1
python3 -c '
import json, sys
c = json.load(open(sys.argv[1], encoding="utf-8", errors="strict"))
assert c[0]["agent"] == "agent:echo caf\ufffd \u20ac \ufffd\ufffd\ufffd", ascii(c[0]["agent"])
' "$TMP/utf8.json" 2>"$TMP/utf8err"
tap_ok $? "a Latin-1 agent: the JSON is valid UTF-8, stray bytes U+FFFD, a well-formed one kept $(tail -1 "$TMP/utf8err")"

# --agent CMD: the table names it agent#N, a legend above the header
# gives the command (a script's newline as \n), every column lines up
# under the header; the JSON keeps the command, the label beside it;
# --only takes either
enter=$(fake_enter label "echo '{\"new\": 8, \"online\": 8, \"failed_writes\": 0, \"redundant_writes\": 0}'")
long='while :; do for f in /sys/devices/system/memory/memory*/state; do grep -q offline $f && echo online_movable >$f; done; sleep 0.1; done'
printf '%s\n' 'SUBSYSTEM=="memory"' >"$TMP/80-hotplug-cpu-and-memory.rules"
HOTMEM_ENTER=$enter "$CONFORM" --reduced --agent "$long" --agent "$(printf 'sleep 1\ntrue')" \
	--rules "$TMP/80-hotplug-cpu-and-memory.rules" \
	--only 'memhp_default_state=offline ' --json "$TMP/label.json" >"$TMP/label" 2>>"$TMP/err"
sed 's/^/# /' "$TMP/label"
{ grep -qxF "agent#1: $long" "$TMP/label" && grep -qxF 'agent#2: sleep 1\ntrue' "$TMP/label" &&
  [ "$(sed -n 3p "$TMP/label" | cut -c1-5)" = agent ]; }
tap_ok $? "the legend above the header: agent#1, agent#2 and their commands, each on one line"
# the setting column starts where the header's does, in each row (the
# agent column as wide as a --rules file's long name too)
col=$(sed -n 3p "$TMP/label" | awk '{ print index($0, "setting") }')
is "$(grep -E '^(agent#[12]|rules:80-hotplug-cpu-and-memory.rules) ' "$TMP/label" |
	awk -v c="$col" 'substr($0, c, 7) == "offline"' | wc -l)" 3 \
	"the rows are agent#1, agent#2 and the rules', their columns under the header's"
jq -e --arg long "$long" '[.[] | [.agent, .label]] == [["agent:" + $long, "agent#1"], ["agent:sleep 1\ntrue", "agent#2"],
	["rules:80-hotplug-cpu-and-memory.rules", "rules:80-hotplug-cpu-and-memory.rules"]]' \
	"$TMP/label.json" >/dev/null
tap_ok $? "the JSON: the whole command as agent, the table's name as label"
HOTMEM_ENTER=$enter "$CONFORM" --reduced --agent "$long" --agent true --only '^agent#2 memhp_default_state=offline ' \
	>"$TMP/label2" 2>>"$TMP/err"
is "$(grep -cE '^agent#[0-9]+ ' "$TMP/label2")" 1 "--only '^agent#2 ...': that agent's cell alone"
grep -qE '^agent#2 +offline ' "$TMP/label2"
tap_ok $? "... the second"

# usereye4 #2: a row's first four columns as printed, the setting
# abbreviated (offline,policy=auto-movable), select that row's cell
HOTMEM_ENTER=$enter "$CONFORM" --full --builtin --only '^classic-rule offline,policy=auto-movable numa2 dimm64$' \
	>"$TMP/short" 2>>"$TMP/err"
is "$?" 0 "--only with the setting as the table prints it: exit status 0"
is "$(grep -cE '^classic-rule +offline,policy=auto-movable +numa2 +dimm64 ' "$TMP/short")" 1 "... it ran that row's cell alone"
grep -q "^1 cells in " "$TMP/short"
tap_ok $? "... one cell in all"

# usereye4 #1 and #12: the Movable:kernel ratio binds what means
# auto-movable (and the built-in agents as their expectations say); for
# yours up to the admin guide's 4:1 it is advice, past it a reason unless
# --intent online_movable says all Movable is meant; --intent says what a
# rule means and the cell is judged against it
# outcome_enter NAME JSON: a hotmem-enter whose cell's outcome is JSON
outcome_enter() {
	printf '#!/bin/sh\ncat <<"E"\n%s\nE\n' "$2" >"$TMP/enter-$1"
	chmod +x "$TMP/enter-$1"
	echo "$TMP/enter-$1"
}
movable() { # PCT
	outcome_enter "mov$1" "{\"new\": 64, \"online\": 64, \"zones\": {\"Movable\": 64}, \"writes\": 64, \"failed_writes\": 0, \"redundant_writes\": 0, \"agent_chose_zones\": true, \"movable_pct_of_kernel\": $1, \"auto_movable_ratio\": 301, \"offlinable\": 64}"
}
normal=$(outcome_enter normal '{"new": 8, "online": 8, "zones": {"Normal": 8}, "writes": 8, "failed_writes": 0, "redundant_writes": 0, "agent_chose_zones": true, "movable_pct_of_kernel": 0, "auto_movable_ratio": 301, "offlinable": 7}')
printf '%s\n' 'SUBSYSTEM=="memory", ACTION=="add", ATTR{state}=="offline", ATTR{state}="online_movable"' >"$TMP/80-memory.rules"
# one_cell NAME ENTER ARGS...: the user's rule alone, one cell; its table $TMP/NAME, JSON $TMP/NAME.json
one_cell() {
	local name=$1 enter=$2
	shift 2
	HOTMEM_ENTER=$enter "$CONFORM" --reduced --rules "$TMP/80-memory.rules" "$@" \
		--only ' memhp_default_state=offline qemu' --json "$TMP/$name.json" >"$TMP/$name" 2>>"$TMP/err"
}
one_cell r400 "$(movable 400)"
is "$?" 0 "all Movable at 4:1 (400%), no --intent: exit status 0"
grep -qE "^rules:80-memory.rules +offline .* ✓ \[advice: Movable is 400% of kernel memory, over auto_movable_ratio 301% \(which binds only online_policy=auto-movable's plain online\): memory-hotplug.rst calls MOVABLE:KERNEL up to 3:1 or even 4:1 usually fine\]$" "$TMP/r400"
tap_ok $? "... ✓ with the ratio as advice and the admin guide's reasoning"
jq -e '.[0] | .ok and (.violation | not) and (.advice | test("400%")) and .intent == null' "$TMP/r400.json" >/dev/null
tap_ok $? "... the JSON: ok, no violation, the advice"
one_cell r533 "$(movable 533)"
is "$?" 1 "all Movable at 533%, past 4:1, no --intent: exit status 1"
grep -qE "^rules:80-memory.rules .* ✗ zone imbalance: Movable is 533% of kernel memory, over the 4:1 memory-hotplug.rst calls usually fine: unmovable allocations may fail with free memory left in ZONE_MOVABLE; online part of it online_kernel or use hotmemd --policy auto-movable \(--intent online_movable if all Movable is meant\) \[VIOLATION: should pass: no --intent says what your rule means \(online_movable, online_kernel, online, auto-movable\), so every cell must pass\]$" "$TMP/r533"
tap_ok $? "... the reason names the risk and what to do, the violation why every cell must pass"
# the cells that made exit status 1 listed above the summary, as --only takes them
is "$(tail -2 "$TMP/r533" | head -1)" "violating: rules:80-memory.rules offline qemu-512m dimm1" \
	"... listed above the summary, as --only takes it (usereye4 #12)"
one_cell i533 "$(movable 533)" --intent online_movable
is "$?" 0 "the same with --intent online_movable: exit status 0"
grep -qE "^rules:80-memory.rules .* ✓ \[advice: zone imbalance: Movable is 533% of kernel memory, over the 4:1 .*hotmemd --policy auto-movable\]$" "$TMP/i533"
tap_ok $? "... ✓, the imbalance advice"
jq -e '.[0] | .ok and .intent == "online_movable" and .expected_why == "--intent online_movable: every block online and Movable"' "$TMP/i533.json" >/dev/null
tap_ok $? "... the JSON has the intent and what it means"
one_cell inormal "$normal" --intent online_movable
is "$?" 1 "--intent online_movable, a Normal block stays: exit status 1"
# usereye6 I: the reason leads with what contradicts the intent (the zones,
# counted), its side effect (a block that cannot be offlined) after it
grep -qE "✗ 8 of 8 onlined blocks Normal: --intent online_movable wants every block Movable; 1 of 8 onlined blocks cannot be offlined again \[VIOLATION: should pass: --intent online_movable: every block online and Movable\]$" "$TMP/inormal"
tap_ok $? "... a violation of that intent: 8 of 8 Normal first, then the side effect"
jq -e '.[0].reason | startswith("8 of 8 onlined blocks Normal: --intent online_movable wants every block Movable; ")' "$TMP/inormal.json" >/dev/null
tap_ok $? "... the JSON's reason the same"
# ... and with no side effect at all (every block could be offlined) still a reason
normal_off=$(outcome_enter normaloff '{"new": 8, "online": 8, "zones": {"Normal": 5, "DMA32": 3}, "writes": 8, "failed_writes": 0, "redundant_writes": 0, "agent_chose_zones": true, "movable_pct_of_kernel": 0, "auto_movable_ratio": 301, "offlinable": 8}')
one_cell inormaloff "$normal_off" --intent online_movable
is "$?" 1 "--intent online_movable, 8 Normal and DMA32 blocks that all go offline: exit status 1"
grep -qE "✗ 8 of 8 onlined blocks not Movable \((Normal:5,DMA32:3|DMA32:3,Normal:5)\): --intent online_movable wants every block Movable \[VIOLATION: " "$TMP/inormaloff"
tap_ok $? "... the zones named, counted"
# the kernel onlined all 8 into Normal itself (memhp_default_state=online)
# before the agent could say a zone: not the agent's doing, not judged --
# ✓, and the verdict says so
kernel_normal=$(outcome_enter knormal '{"new": 8, "online": 8, "zones": {"Normal": 8}, "writes": 0, "failed_writes": 0, "redundant_writes": 0, "agent_chose_zones": false, "movable_pct_of_kernel": 0, "auto_movable_ratio": 301, "offlinable": 7}')
HOTMEM_ENTER=$kernel_normal "$CONFORM" --reduced --rules "$TMP/80-memory.rules" --intent online_movable \
	--only ' memhp_default_state=online qemu' --json "$TMP/knormal.json" >"$TMP/knormal" 2>>"$TMP/err"
is "$?" 0 "--intent online_movable, the kernel onlined 8 into Normal itself: exit status 0"
grep -qE "^rules:80-memory.rules +online .* ✓ \[advice: not judged: the kernel onlined the blocks itself \(memhp_default_state=online\*\) before the agent could choose their zone, 8 of 8 Normal where --intent online_movable wants every block Movable; the cells under memhp_default_state=offline judge it\]$" "$TMP/knormal"
tap_ok $? "... ✓, and the verdict says the intent was not judged there, and why"
jq -e '.[0] | .ok and (.violation | not) and (.advice | startswith("not judged: the kernel onlined"))' "$TMP/knormal.json" >/dev/null
tap_ok $? "... the JSON: ok, the advice"
# the same advice in a second row, but for its figures: its start, "as
# above" (user42 U11: whole in each of 37 rows of 75); the JSON whole
HOTMEM_ENTER=$kernel_normal "$CONFORM" --rules "$TMP/80-memory.rules" --intent online_movable \
	--only ' memhp_default_state=online (qemu-512m|numa2) dimm1$' --json "$TMP/knormal2.json" \
	>"$TMP/knormal2" 2>>"$TMP/err"
is "$(grep -c '^rules:80-memory.rules' "$TMP/knormal2") $(grep -c '\[advice: not judged: the kernel onlined the blocks itself (memhp' "$TMP/knormal2") $(grep -c '\[advice: not judged… as above\]$' "$TMP/knormal2")" \
	"2 1 1" "two rows of that advice: the first whole, the second 'not judged… as above'"
jq -e '[.[] | .advice | startswith("not judged: the kernel onlined the blocks itself (")] == [true, true]' "$TMP/knormal2.json" >/dev/null
tap_ok $? "... the JSON: the advice whole in both"
one_cell kernel "$normal" --intent online_kernel
is "$?" 0 "a rule onlining to Normal with --intent online_kernel: exit status 0"
grep -qE "~ 1 of 8 onlined blocks cannot be offlined again \[expected: --intent online_kernel: kernel memory on purpose, hot-unplug not promised\]$" "$TMP/kernel"
tap_ok $? "... ~, failed as expected, by that intent"
# the mirror image: the rule writes online_movable (80-memory.rules) where
# --intent online_kernel means kernel zones -- judged by the same intents
# table row's zones, not passed in silence
movable8=$(outcome_enter movable8 '{"new": 8, "online": 8, "zones": {"Movable": 8}, "writes": 8, "failed_writes": 0, "redundant_writes": 0, "agent_chose_zones": true, "movable_pct_of_kernel": 100, "auto_movable_ratio": 301, "offlinable": 8}')
one_cell kmovable "$movable8" --intent online_kernel
is "$?" 1 "--intent online_kernel, the rule put all 8 in Movable: exit status 1"
grep -qE "✗ 8 of 8 onlined blocks Movable: --intent online_kernel wants every block in a kernel zone \(Normal, DMA32 or DMA\) \[VIOLATION: unexpected: 8 of 8 onlined blocks Movable: --intent online_kernel wants " "$TMP/kmovable"
tap_ok $? "... a violation of that intent, the zones counted"
# DMA32 is a kernel zone (6.12 default_kernel_zone_for_pfn()): no zone reason
kdma32=$(outcome_enter kdma32 '{"new": 8, "online": 8, "zones": {"Normal": 5, "DMA32": 3}, "writes": 8, "failed_writes": 0, "redundant_writes": 0, "agent_chose_zones": true, "movable_pct_of_kernel": 0, "auto_movable_ratio": 301, "offlinable": 8}')
one_cell kdma32 "$kdma32" --intent online_kernel
is "$?" 0 "--intent online_kernel, 5 Normal and 3 DMA32 blocks: exit status 0"
grep -qE "^rules:80-memory.rules +offline .* ✓$" "$TMP/kdma32"
tap_ok $? "... ✓: every block in a kernel zone"
# a why the table has shown whole is, in later rows, its start (the JSON keeps it whole)
cp "$TMP/80-memory.rules" "$TMP/81-memory.rules"
HOTMEM_ENTER=$normal "$CONFORM" --reduced --rules "$TMP/80-memory.rules" --intent online_kernel \
	--rules "$TMP/81-memory.rules" --intent online_kernel --only ' memhp_default_state=offline qemu' \
	--json "$TMP/twice.json" >"$TMP/twice" 2>>"$TMP/err"
grep -qE "^rules:80-memory.rules .*\[expected: --intent online_kernel: kernel memory on purpose, hot-unplug not promised\]$" "$TMP/twice" &&
	grep -qE "^rules:81-memory.rules .*\[expected: --intent online_kernel… as above\]$" "$TMP/twice"
tap_ok $? "the same why whole in the first row, its start in the next (usereye4 #2)"
is "$(jq -r '.[1].expected_why' "$TMP/twice.json")" "--intent online_kernel: kernel memory on purpose, hot-unplug not promised" \
	"... the JSON has it whole"
one_cell auto400 "$(movable 400)" --intent auto-movable
is "$?" 1 "--intent auto-movable over auto_movable_ratio: exit status 1 (that ratio binds it)"
grep -qE "✗ Movable is 400% of kernel memory, over auto_movable_ratio 301% \[VIOLATION: unexpected: " "$TMP/auto400"
tap_ok $? "... its ratio a violation"
HOTMEM_ENTER=$normal "$CONFORM" --reduced --intent online --rules "$TMP/80-memory.rules" >"$TMP/out" 2>"$TMP/ierr"
is "$?" 2 "--intent before any --rules or --agent: exit status 2"
grep -q "^hotmem-conform: --intent online: after the --rules or --agent whose intent it says" "$TMP/ierr"
tap_ok $? "... said"
HOTMEM_ENTER=$normal "$CONFORM" --reduced --rules "$TMP/80-memory.rules" --intent all >"$TMP/out" 2>"$TMP/ierr"
is "$?" 2 "--intent all: exit status 2"
grep -q "^hotmem-conform: --intent all: one of online_movable, online_kernel, online, auto-movable (hotmemd.s policies)$" "$TMP/ierr"
tap_ok $? "... it names the policies"

[ "$T_FAIL" -gt 0 ] && sed "s/^/# err: /" "$TMP/err" | tail -5 && grep -o "did not run.*" "$TMP/long" | cut -c1-300 | sed "s/^/# /"
done_testing
