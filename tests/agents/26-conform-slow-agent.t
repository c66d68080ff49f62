#!/bin/bash
# hotmem-conform's wait for the new blocks (abuse25a B4): its 5-s stall
# ("none came online for 5 s") was counted from the plug, so an agent
# that starts after it -- a poll loop, a batch, a unit started later --
# was "8 of 8 blocks left offline", a VIOLATION, after 5 s, whatever
# HOTMEM_CONFORM_WAIT said.  Now the stall clock starts at the first
# block online: an agent that comes 7 s after the plug passes.  The
# verdict says how long the cell waited and why it stopped: the whole
# HOTMEM_CONFORM_WAIT for an agent that never onlines, 5 s without
# progress for one that stops half way.
. "$(dirname "$0")/../fusefs/lib.sh"
need_conform
need_tool jq jq
only=' memhp_default_state=offline qemu-512m dimm1$'

# cell NAME WAIT AGENT: its row in $TMP/NAME, JSON in $TMP/NAME.json, exit status
cell() {
	HOTMEM_CONFORM_WAIT=$2 "$CONFORM" --reduced --agent "$3" --intent online_movable \
		--only "$only" --json "$TMP/$1.json" >"$TMP/$1" 2>>"$TMP/err"
	local rc=$?
	sed 's/^/# /' "$TMP/$1"
	return $rc
}
# every offline block online_movable, once
online_all='for s in /sys/devices/system/memory/memory*/state; do [ "$(cat $s)" = offline ] && echo online_movable >$s; done'

# 7 s after the plug (once a new block is there, offline), then every block at once
plugged='until cat /sys/devices/system/memory/memory*/state | grep -q offline; do sleep 0.1; done'
cell slow 30 "$plugged; sleep 7; $online_all; sleep 600"
is "$?" 0 "an agent that onlines every block 7 s after the plug: exit status 0 (1: called a violator after 5 s)"
grep -qE "^agent#1 +offline +qemu-512m +dimm1 +8/8 +Movable:8 .* ✓$" "$TMP/slow"
tap_ok $? "... its row: 8/8 Movable, ✓"
jq -e '.[0].outcome | .ms_to_last_online >= 7000 and (has("waited_ms") | not)' "$TMP/slow.json" >/dev/null
tap_ok $? "... ms_to_last_online past 7 s, no waited_ms: all online"

# never: the whole HOTMEM_CONFORM_WAIT, said
cell never 8 "sleep 600"
is "$?" 1 "an agent that never onlines: exit status 1"
grep -qE "^agent#1 .* 0/8 .*✗ 8 of 8 blocks left offline \(waited [0-9]+\.[0-9] s after the plug: HOTMEM_CONFORM_WAIT=8\) \[VIOLATION: " "$TMP/never"
tap_ok $? "... its row says the cell waited HOTMEM_CONFORM_WAIT=8 for them"
jq -e '.[0].outcome | .wait_ended == "timed_out" and .wait_s == 8 and .waited_ms >= 8000' "$TMP/never.json" >/dev/null
tap_ok $? "... the JSON: wait_ended timed_out, wait_s 8, waited_ms 8000 or more"

# half, then nothing more: the stall ends the wait, said
half='n=0; for s in /sys/devices/system/memory/memory*/state; do [ "$(cat $s)" = offline ] && [ $n -lt 4 ] && echo online_movable >$s && n=$((n + 1)); done; sleep 600'
cell half 60 "sleep 1; $half"
is "$?" 1 "an agent that onlines 4 of 8 blocks: exit status 1"
grep -qE "^agent#1 .* 4/8 .*✗ 4 of 8 blocks left offline \(none more came online for 5 s: waited [0-9]+\.[0-9] s after the plug\) \[VIOLATION: " "$TMP/half"
tap_ok $? "... its row says none more came online for 5 s, and how long it waited"
jq -e '.[0].outcome | .wait_ended == "stalled" and .wait_s == 60' "$TMP/half.json" >/dev/null
tap_ok $? "... the JSON: wait_ended stalled, wait_s 60 (not waited out)"
[ "$T_FAIL" -gt 0 ] && sed 's/^/# err: /' "$TMP/err" | tail -5
done_testing
