#!/bin/bash
# hotmem-conform's edges, untested while it was a shell script: a bad
# command line is exit status 2 with a message (an --only that is no
# regex ran no cell and passed; --rules without a file was bash's unbound
# variable), --cell refuses to run outside hotmem-enter (it would plug and
# offline the host's memory blocks), and an agent that ignores SIGTERM
# and never onlines is stopped (its process group killed) after the
# stall, its cell a row like any other -- the script waited for it until
# the cell's 300 s timeout; ^C stops the cell and the matrix; a ✓ that
# should be ✗ counts once, as a violation; a kill -9 of hotmem-conform
# ends its cell (hotmem-enter, its machine, the agent) with it: they ran
# on, orphaned, until the cell's own deadline (usereye7 #11g).
. "$(dirname "$0")/../fusefs/lib.sh"
CONFORM=$HOTMEM_BUILD/hotmem-conform
need_built "$CONFORM"
skip() { # REASON COUNT
	local i
	for i in $(seq "$2"); do
		T_N=$((T_N + 1))
		echo "ok $T_N # SKIP $1"
	done
}

"$CONFORM" --bogus >"$TMP/out" 2>"$TMP/err"
is "$?" 2 "an unknown option: exit status 2"
grep -q "^hotmem-conform: unknown option --bogus$" "$TMP/err" && grep -q "^Usage: hotmem-conform" "$TMP/err" &&
	[ ! -s "$TMP/out" ]
tap_ok $? "it is named, the usage follows on stderr, nothing on stdout"
for opt in --rules --agent --json --only; do
	"$CONFORM" --reduced "$opt" >/dev/null 2>"$TMP/err"
	rc=$?
	[ "$rc" -eq 2 ] && grep -q "^hotmem-conform: $opt needs an argument$" "$TMP/err"
	tap_ok $? "$opt without its argument: exit status 2 and a message (got $rc)"
done
"$CONFORM" --reduced --only '(' >"$TMP/out" 2>"$TMP/err"
is "$?" 2 "an --only that is no regular expression: exit status 2"
grep -q "^hotmem-conform: --only (: " "$TMP/err" && [ ! -s "$TMP/out" ]
tap_ok $? "it says so before any cell runs"
# usereye3 24: an empty --agent is an agent that does nothing
"$CONFORM" --reduced --agent '' >"$TMP/out" 2>"$TMP/err"
is "$?" 2 "--agent '': exit status 2"
grep -q "^hotmem-conform: --agent '': an empty command" "$TMP/err" && [ ! -s "$TMP/out" ]
tap_ok $? "it says so before any cell runs"
"$CONFORM" --help >"$TMP/out" 2>"$TMP/err"
is "$?" 0 "--help: exit status 0"
grep -q "^Usage: hotmem-conform" "$TMP/out" && [ ! -s "$TMP/err" ]
tap_ok $? "the usage on stdout"

if [ "$(id -u)" -ne 0 ]; then
	skip "not root: the rest needs root (hotmem-enter)" 29
	done_testing
	exit
fi
# usereye3 24: an --only no cell matches ran nothing and passed (a CI typo, green)
"$CONFORM" --reduced --only 'qemu512m dimm1' >"$TMP/out" 2>"$TMP/err"
is "$?" 2 "an --only that matches no cell: exit status 2"
grep -q "^hotmem-conform: --only 'qemu512m dimm1': no cell matches (cells are \"AGENT SETTING MACHINE EVENT\", e.g. \"classic-rule offline qemu-512m dimm1\" or \"classic-rule memhp_default_state=offline qemu-512m dimm1\")$" "$TMP/err" &&
	[ ! -s "$TMP/out" ]
tap_ok $? "it says what a cell's name is, with one, and runs nothing"
"$CONFORM" --reduced --rules "$TMP/no-such.rules" >"$TMP/out" 2>"$TMP/err"
is "$?" 2 "--rules naming no file: exit status 2"
grep -q "^hotmem-conform: --rules $TMP/no-such.rules: No such file or directory$" "$TMP/err"
tap_ok $? "it names the file"
if command -v setpriv >/dev/null; then
	setpriv --reuid 65534 --regid 65534 --clear-groups "$CONFORM" --reduced >/dev/null 2>"$TMP/err"
	rc=$?
	[ "$rc" -eq 2 ] && grep -q "needs root" "$TMP/err"
	tap_ok $? "not root: exit status 2, needs root (got $rc)"
else
	skip "setpriv missing (util-linux)" 1
fi
# on the host, the cell would plug through the host's hotmemctl socket,
# start udevd on the host's rules and offline the host's new blocks
"$CONFORM" --cell none dimm1 >"$TMP/out" 2>"$TMP/err"
is "$?" 2 "--cell outside hotmem-enter: exit status 2"
grep -q "^hotmem-conform: --cell runs only inside hotmem-enter" "$TMP/err" && [ ! -s "$TMP/out" ]
tap_ok $? "it says why and prints no outcome"

# a cell that passes where its expectation says it must fail: one cell,
# one violation (the script counted it as a pass too: "2 cells")
printf '#!/bin/sh\necho "$*" >>%s\necho %s\n' "$TMP/fake-enter.args" \
	"'{\"new\":1024,\"online\":1024,\"zones\":{\"Normal\":1024},\"zone_runs\":\"200-1223:Normal\",\"writes\":1024,\"failed_writes\":0,\"redundant_writes\":0,\"agent_chose_zones\":true,\"movable_pct_of_kernel\":0,\"auto_movable_ratio\":301,\"ms_to_last_online\":700,\"offlinable\":1024,\"uevents_lost\":0,\"agent_enobufs\":0,\"listener_lost\":0,\"listener_enobufs\":0,\"listener_drops\":0,\"uevents_unsent\":0}'" \
	>"$TMP/fake-enter"
chmod +x "$TMP/fake-enter"
HOTMEM_ENTER=$TMP/fake-enter "$CONFORM" --full --only '^netlink-agent memhp_default_state=offline big-640g burst1024$' \
	>"$TMP/pass" 2>"$TMP/err"
is "$?" 1 "a ✓ that should be ✗: exit status 1"
sed 's/^/# /' "$TMP/pass"
grep -qE "^netlink-agent +offline +big-640g +burst1024 +1024/1024 +Normal:1024 +0/301 +1024 +0 +0 +0 +1024 +700 +✓ \[VIOLATION: should fail \(left.offline.\*lost\|cannot.be.offlined\)\]$" "$TMP/pass"
tap_ok $? "its row: ✓ and the violation"
tail -1 "$TMP/pass" | grep -q "^1 cells in [0-9]* s: 0 ✓, 0 ~ (failed as expected), 1 violating the expectation$"
tap_ok $? "the summary counts it once, as violating"
grep -q -- "--profile .*/big-640g --cmdline memhp_default_state=offline -- .*hotmem-conform --cell netlink-agent burst1024$" \
	"$TMP/fake-enter.args"
tap_ok $? "the cell ran as hotmem-enter --profile ... --cmdline ... -- hotmem-conform --cell AGENT EVENT"

[ -c /dev/fuse ] && [ -x "$HOTMEM_BUILD/hotmem-enter" ] || {
	skip "no /dev/fuse or hotmem-enter" 18
	done_testing
	exit
}
# an agent that ignores SIGTERM (so does its sleep: an ignored signal is
# inherited) and never onlines anything
stubborn="trap '' TERM; while :; do sleep 1; done"
HOTMEM_CONFORM_WAIT=8 "$CONFORM" --reduced --agent "$stubborn" --only ' memhp_default_state=offline ' \
	--json "$TMP/stubborn.json" >"$TMP/stubborn" 2>"$TMP/err"
is "$?" 1 "an agent that never onlines: exit status 1"
sed 's/^/# /' "$TMP/stubborn"
grep -qE "^agent#1 .* 0/8 .*✗ 8 of 8 blocks left offline \(waited [0-9.]+ s after the plug: HOTMEM_CONFORM_WAIT=8\) \[VIOLATION: should pass: no --intent says what your rule means[^]]*\]$" "$TMP/stubborn"
tap_ok $? "its row says the blocks were left offline: the cell ended, not timed out"
jq -e '.[0].outcome.new == 8 and .[0].outcome.online == 0 and .[0].outcome.ms_to_last_online == null' \
	"$TMP/stubborn.json" >/dev/null
tap_ok $? "the JSON has its outcome"
# usereye4 #9: an agent that ends at once (a typo: sh -c exits 127) is an
# error of the run, said with its exit status, when, its stderr's last
# line and the file that keeps the whole; nothing is plugged for it
# (kept in $TMPDIR: this test's own)
export TMPDIR=$TMP/tmp
mkdir -p "$TMPDIR"
HOTMEM_CONFORM_WAIT=8 "$CONFORM" --reduced --agent 'echo starting >&2; my-agent-typo --online' \
	--only ' memhp_default_state=offline ' --json "$TMP/typo.json" >"$TMP/typo" 2>>"$TMP/err"
is "$?" 1 "an agent that fails to start: exit status 1"
sed 's/^/# /' "$TMP/typo"
grep -qE "^agent#1 .* -/- .*✗ the agent exited with status 127 within [0-9.]+ s of its start, before the plug; its stderr ends: sh: 1: my-agent-typo: not found \(whole: $TMPDIR/hotmem-conform-logs\.[^/]*/agent#1-offline-qemu-512m-dimm1\.log\) \[ERROR: agent failed to start\]$" "$TMP/typo"
tap_ok $? "its row: exit status 127 before the plug, its stderr's last line, the log kept, an ERROR not a VIOLATION"
tail -1 "$TMP/typo" | grep -qE "^1 cells in [0-9]+ s: 0 ✓, 0 ~ \(failed as expected\), 0 violating the expectation, 1 not run \(errors\); agents' stderr kept in $TMPDIR/hotmem-conform-logs\.[^/]*$"
tap_ok $? "the summary counts it as an error of the run, not a violation, and names where the logs are"
is "$(tail -2 "$TMP/typo" | head -1)" "error: agent#1 offline qemu-512m dimm1" "... the cell listed above the summary as an error"
log=$(jq -r '.[0].outcome.agent_log' "$TMP/typo.json")
grep -qx "starting" "$log" && grep -qx "sh: 1: my-agent-typo: not found" "$log"
tap_ok $? "the kept log has the agent's whole stderr"
jq -e '.[0] | .error == "agent failed to start" and .violation == false and
	.outcome.agent_exit == {"code": 127, "signal": null, "within_ms": .outcome.agent_exit.within_ms, "before_plug": true} and
	.outcome.agent_log_tail == "starting\nsh: 1: my-agent-typo: not found" and (.outcome | has("new") | not)' \
	"$TMP/typo.json" >/dev/null
tap_ok $? "the JSON: error, agent_exit, agent_log_tail, and no counts of a plug that was not made"
# one whose shell exits 0 at once, its daemon in the background (its own
# process group's): no failure to start, the daemon runs and is judged
bg='(while :; do for f in /sys/devices/system/memory/memory*/state; do grep -q offline $f && echo online_movable >$f; done; sleep 0.1; done) &'
HOTMEM_CONFORM_WAIT=8 "$CONFORM" --reduced --agent "$bg" \
	--only ' memhp_default_state=offline ' --json "$TMP/bg.json" >"$TMP/bg" 2>>"$TMP/err"
is "$?" 0 "an agent put in the background by its shell (exit status 0 at once): exit status 0"
sed 's/^/# /' "$TMP/bg"
grep -qE "^agent#1 +offline .* 8/8 +Movable:8 .* ✓$" "$TMP/bg"
tap_ok $? "... its daemon onlined the blocks, Movable: ✓"
jq -e '.[0].outcome.agent_exit | .code == 0 and .before_plug' "$TMP/bg.json" >/dev/null
tap_ok $? "... the JSON says its shell exited 0 before the plug"
# one killed after the plug: its death is the cell's first reason, the
# blocks it left offline the next, judged (a violation) as any
HOTMEM_CONFORM_WAIT=8 "$CONFORM" --reduced --agent 'sleep 1; echo dying >&2; kill -KILL $$' \
	--only ' memhp_default_state=offline ' --json "$TMP/killed.json" >"$TMP/killed" 2>>"$TMP/err"
is "$?" 1 "an agent killed after the plug: exit status 1"
sed 's/^/# /' "$TMP/killed"
grep -qE "^agent#1 .* 0/8 .*✗ the agent was killed by signal 9 \(Killed\) within [0-9.]+ s of its start, after the plug; its stderr ends: dying \(whole: [^)]*\); 8 of 8 blocks left offline \(waited [0-9.]+ s after the plug: HOTMEM_CONFORM_WAIT=8\) \[VIOLATION: should pass: no --intent says what your rule means[^]]*\]$" "$TMP/killed"
tap_ok $? "its row: killed by signal 9 after the plug, then the blocks it left offline, a violation"
# ^C (SIGINT) in a cell: the cell is stopped, its agent with it, and the
# matrix ends with 128+2 and no verdict for the cell cut short
# (a sleep of this run's own length: another run's beside it is not ours)
nap="sleep 7654$$"
"$CONFORM" --reduced --agent "$nap" >"$TMP/int" 2>"$TMP/interr" &
pid=$!
for _ in $(seq 300); do pgrep -f "^$nap\$" >/dev/null && break; sleep 0.1; done
kill -INT "$pid"
wait_exit "$pid" 30
is "$?" 130 "SIGINT: exit status 130"
grep -q "^hotmem-conform: stopped by signal 2$" "$TMP/interr" && [ "$(wc -l <"$TMP/int")" -eq 2 ] &&
	grep -qx "agent#1: $nap" "$TMP/int"
tap_ok $? "it says so; the table has its legend, its header and no row"
! pgrep -f "^$nap\$" >/dev/null
tap_ok $? "nothing of the cell is left running"
# kill -9 in a cell: the cell's hotmem-enter (PR_SET_PDEATHSIG) and with
# it its machine and agent end too.  This agent onlines and offlines a
# new block every 2 s: the cell sees a change before each stall of 5 s
# and waits HOTMEM_CONFORM_WAIT (150 s), past this test's bound of 30 s.
mark=k9mark$$
flip="$mark=1; while :; do for f in /sys/devices/system/memory/memory*/state; do grep -q offline \$f && { echo online >\$f; sleep 2; echo offline >\$f; sleep 2; }; done; sleep 0.2; done"
HOTMEM_CONFORM_WAIT=150 "$CONFORM" --reduced --agent "$flip" --only ' memhp_default_state=offline ' \
	>"$TMP/k9" 2>"$TMP/k9err" &
pid=$!
# processes whose command line holds the mark, but hotmem-conform (its
# --agent argument) and the cell's hotmem-enter (it is given the agent):
# the agent's own shell
agent_runs() { [ -n "$(pgrep -f "$mark" | grep -vxE "$pid|${cell:-$pid}")" ]; }
cell=
for _ in $(seq 300); do agent_runs && break; sleep 0.1; done
sleep 5 # into the settling: the blocks are plugged, the agent flips one
cell=$(pgrep -P "$pid")
[ -n "$cell" ] && agent_runs
tap_ok $? "a cell runs its agent (hotmem-enter pid ${cell:-none})"
kill -KILL "$pid"
wait_exit "$pid" 30
gone=1
for _ in $(seq 300); do
	pgrep -f "$mark" >/dev/null || ps -o pid= -p "$cell" >/dev/null || { gone=0; break; }
	sleep 0.1
done
tap_ok $gone "kill -9 of hotmem-conform: its cell's hotmem-enter and agent end with it"
[ $gone = 0 ] || kill -KILL $cell 2>/dev/null
[ "$T_FAIL" -gt 0 ] && sed 's/^/# err: /' "$TMP/err" | tail -5
done_testing
