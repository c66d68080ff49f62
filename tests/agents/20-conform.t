#!/bin/bash
# hotmem-conform --reduced: a few cells run for real in entered machines;
# the rule that writes online without looking is reported as racing with
# the kernel's auto-online -- as its expectation says, so the built-in
# matrix exits 0 -- and the same race of the user's rule (--rules) or
# agent (--agent) is said inherent, while their other faults (blocks left
# offline, a failed write -- an unparsable value's EINVAL among them, no
# longer taken for the race) make the exit status 1; the JSON has every
# cell, its outcome and expectation.  A burst overflowing a default
# netlink receive buffer is counted as lost uevents, by the kernel's count.
. "$(dirname "$0")/../fusefs/lib.sh"
need_conform
need_tool /lib/systemd/systemd-udevd udev
need_tool jq jq

"$CONFORM" --reduced --json "$TMP/cells.json" >"$TMP/table" 2>"$TMP/err"
is "$?" 0 "the built-in agents meet their expectations: exit status 0"
sed 's/^/# /' "$TMP/table"
row() { grep -E "^$1 +$2 " "$TMP/table"; }
row blind-rule 'online' | grep -q "~ 8 redundant writes: EINVAL race with the kernel's auto-online \[expected: "
tap_ok $? "the blind rule under memhp_default_state=online: 8 redundant writes, an EINVAL race, expected"
row blind-rule 'offline' | grep -qE "8/8 +Normal:8 .* 0 +0 +7 .* ~ 1 of 8 onlined blocks cannot be offlined again \[expected: "
tap_ok $? "the blind rule with the kernel leaving blocks offline: no race, but Normal: 7 of 8 offline again, expected"
row classic-rule 'offline' | grep -qE "8/8 +Normal:8 .* 0 +0 +7 .* ~ 1 of 8 onlined blocks cannot be offlined again \[expected: "
tap_ok $? "the classic rule: 8/8 online in Normal, the zone's first block holds the kernel's pagesets, expected"
# writes: every write the agent made (8, one a block the kernel left
# offline, all taken), then the redundant and the failed of them: once
# the writes column said only the bad ones, 0 for these 8
grep -E '^agent +setting ' "$TMP/table" | grep -qE ' mov%/max +writes +redundant +failed +lost +offl '
tap_ok $? "the header: writes, then its redundant and failed parts"
for a in classic-rule blind-rule hotmemd:auto-movable; do
	row "$a" 'offline' | grep -qE "8/8 +[A-Za-z]+:8 +[0-9]+/301 +8 +0 +0 +0 +[78] "
	tap_ok $? "$a, the kernel leaving blocks offline: writes 8, none redundant or failed"
done
row blind-rule 'online' | grep -qE "8/8 +Normal:8 +0/301 +8 +8 +0 +0 +7 "
tap_ok $? "the blind rule under memhp_default_state=online: writes 8, 8 of them redundant"
row classic-rule '(online) ' | grep -qE "8/8 +Normal:8 +0/301 +([0-8]) +\1 +0 +0 +7 "
tap_ok $? "the classic rule under online: each write it made redundant, none failed"
row classic-rule '(online) ' | grep -qE "8/8 +Normal:8 .* ✓$|redundant writes?:.*\[expected: "
tap_ok $? "the classic rule under memhp_default_state=online: the kernel's Normal is not the rule's fault"
row 'hotmemd:auto-movable' 'offline' | grep -qE "8/8 +Movable:8 +200/301 .* ✓$"
tap_ok $? "hotmemd auto-movable: 8/8 online in Movable, 200% of kernel memory against 301, ✓"
tail -1 "$TMP/table" | grep -qE "^6 cells in [0-9]+ s: [1-3] ✓, [3-5] ~ \(failed as expected\), 0 violating the expectation$"
tap_ok $? "the summary line counts the cells"
python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))
assert len(c) == 6, len(c)
b = [x for x in c if x["agent"] == "blind-rule" and x["setting"] == "memhp_default_state=online"][0]
assert not b["ok"] and not b["violation"] and b["expected"].startswith("fail "), b
assert b["outcome"]["redundant_writes"] == 8 and "race" in b["reason"], b
for x in c:
    o = x["outcome"]
    assert o["new"] == 8 and o["online"] == 8, x
    # Movable offlines whole; Normal keeps the pagesets of the zone in its first block
    assert o["offlinable"] == (8 if o["zones"] == {"Movable": 8} else 7), x
    assert o["zone_runs"] == "32-39:" + list(o["zones"])[0], x
    assert o["uevents_lost"] == 0 and o["listener_lost"] == 0 and o["ms_to_last_online"] >= 0, x
    assert o["uevents_unsent"] == 0, x
    assert o["agent_chose_zones"] == x["setting"].endswith("=offline"), x
    # every write counted; the redundant and the failed are parts of it
    assert o["writes"] >= o["redundant_writes"] + o["failed_writes"], x
    if o["agent_chose_zones"]:
        assert (o["writes"], o["redundant_writes"], o["failed_writes"]) == (8, 0, 0), x
' "$TMP/cells.json"
tap_ok $? "JSON: six cells, outcomes, reasons and expectations"

# the same rule as the user's: held to the classic rule's expectation
# under memhp_default_state=online* (the race is the ADD's, inherent),
# every cell else must pass: onlining into Normal is a violation
printf '%s\n' 'SUBSYSTEM=="memory", ACTION=="add", ATTR{state}="online"' >"$TMP/80-mine.rules"
"$CONFORM" --reduced --rules "$TMP/80-mine.rules" >"$TMP/mine" 2>>"$TMP/err"
is "$?" 1 "a user's rule onlining into Normal: exit status 1"
grep -qE "^rules:80-mine.rules +online .*~ 8 redundant writes.*\[expected: inherent to onlining on the ADD" "$TMP/mine"
tap_ok $? "its race with the auto-online is expected, and said inherent"
grep -qE "^rules:80-mine.rules +offline .*✗ 1 of 8 onlined blocks cannot be offlined again \[VIOLATION: should pass: no --intent says what your rule means" "$TMP/mine"
tap_ok $? "onlining into Normal is a violation"
tail -1 "$TMP/mine" | grep -q "1 ~ (failed as expected), 1 violating the expectation"
tap_ok $? "the summary counts one violation"

# online_rule NAME RULE: the user's rule NAME.rules in the one cell of
# memhp_default_state=online; its table $TMP/NAME, its JSON $TMP/NAME.json
# (what the first cell's outcome is into $TMP/NAME.o), its exit status
online_rule() {
	printf '%s\n' "$2" >"$TMP/$1.rules"
	"$CONFORM" --reduced --rules "$TMP/$1.rules" --only ' memhp_default_state=online ' \
		--json "$TMP/$1.json" >"$TMP/$1" 2>>"$TMP/err"
	local rc=$?
	sed 's/^/# /' "$TMP/$1"
	jq -c '.[0].outcome | [.writes, .redundant_writes, .failed_writes, .online]' "$TMP/$1.json" >"$TMP/$1.o" 2>&1
	return $rc
}

# each write counted once: a rule writing online_movable under
# memhp_default_state=online gets EINVAL for each of the 8 blocks, and
# udevd logs each as "Failed to write ATTR" too (the file reads back
# "online"): 8 redundant writes, not 8 more failed ones (16 for 8 blocks)
online_rule 81-movable 'SUBSYSTEM=="memory", ACTION=="add", ATTR{state}="online_movable"'
is "$?" 0 "a user's rule racing the kernel's auto-online, as the classic rule does: exit status 0"
is "$(cat "$TMP/81-movable.o")" "[8,8,0,8]" "8 writes into blocks the kernel onlined: 8 redundant, none failed besides"
grep -qE "^rules:81-movable.rules +online +qemu-512m +dimm1 +8/8 +Normal:8 +0/301 +8 +8 +0 +0 .*~ 8 redundant writes: EINVAL race with the kernel's auto-online \[" "$TMP/81-movable"
tap_ok $? "the columns say 8 writes, 8 redundant, none failed, the reason 8 redundant writes and nothing failed"
grep -qE "^rules:81-movable.rules .* \[expected: inherent to onlining on the ADD, which the kernel sends before its own auto-online" "$TMP/81-movable"
tap_ok $? "the verdict says the race is inherent"
# what a rule does wrong besides is still a violation: one that offlines
# the blocks the kernel onlined leaves them offline
online_rule 82-off 'SUBSYSTEM=="memory", ACTION=="add", ATTR{state}="offline"'
is "$?" 1 "a user's rule offlining what the kernel onlined: exit status 1"
grep -qE "^rules:82-off.rules +online .*✗ [78] of 8 blocks left offline.*\[VIOLATION: unexpected: [78] of 8 blocks left offline[^]]*\]$" "$TMP/82-off"
tap_ok $? "blocks left offline: a violation under memhp_default_state=online too"
# its offline writes went through (but the one EBUSY of the block with
# the kernel's pagesets, which stays online): none is redundant, once
# counted as 8 redundant beside the failed one, 9 writes for 8 blocks;
# 8 writes all told, one a block
grep -qxE '\[8,0,([01]),\1\]' "$TMP/82-off.o"
tap_ok $? "its writes that went through are not redundant, each refused one failed: $(cat "$TMP/82-off.o")"

# usereye4 #9: a rule udevd will not take (ATRR: it says "Invalid key"
# and drops the line) is said in the row, not only "blocks left offline"
printf '%s\n' 'SUBSYSTEM=="memory", ACTION=="add", ATRR{state}=="offline", ATTR{state}="online_movable"' >"$TMP/83-typo.rules"
HOTMEM_CONFORM_WAIT=6 "$CONFORM" --reduced --rules "$TMP/83-typo.rules" --only ' memhp_default_state=offline ' \
	--json "$TMP/83-typo.json" >"$TMP/83-typo" 2>>"$TMP/err"
is "$?" 1 "a rules file udevd refuses a line of: exit status 1"
sed 's/^/# /' "$TMP/83-typo"
grep -qE "^rules:83-typo.rules +offline .* 0/8 .*✗ udevd refused the rules: /etc/udev/rules.d/83-typo.rules:1 Invalid key 'ATRR'; 8 of 8 blocks left offline \(waited [0-9.]+ s after the plug: HOTMEM_CONFORM_WAIT=6\) \[VIOLATION: " "$TMP/83-typo"
tap_ok $? "its row says what udevd said of the rule (file, line, key), then the blocks left offline"
jq -e '.[0].outcome | .rules_errors == 1 and (.rules_error | test("83-typo.rules:1 Invalid key"))' "$TMP/83-typo.json" >/dev/null
tap_ok $? "the JSON: rules_errors, rules_error"

# a cell that does not run is a row saying so, and the matrix goes on
HOTMEM_ENTER=/bin/false "$CONFORM" --reduced --json "$TMP/none.json" >"$TMP/none" 2>>"$TMP/err"
is "$?" 1 "cells that do not run: exit status 1"
is "$(grep -c '✗ did not run (exit 1): .*\[ERROR: cell did not run\]$' "$TMP/none")" 6 "each is a ✗ row saying it did not run, an error of the run"
is "$(grep -cE ' -/- +- +-/- +- +- +- +- +- +- +✗ did not run' "$TMP/none")" 6 "with no numbers: writes, redundant and failed - too, not 0"
tail -1 "$TMP/none" | grep -q "^6 cells in [0-9]* s: 0 ✓, 0 ~ (failed as expected), 0 violating the expectation, 6 not run (errors)$"
tap_ok $? "and the matrix ends with its summary"
is "$(jq length "$TMP/none.json" 2>/dev/null)" 6 "the JSON has the six cells"

# an event that adds no block (device_add does nothing) is a violation,
# never a 0/0 ✓, whatever the agent is allowed
mkdir -p "$TMP/fake"
printf '#!/bin/sh\n[ "$1" = device_add ] && exit 0\nexec %s "$@"\n' "$HOTMEM_BUILD/hotmemctl" >"$TMP/fake/hotmemctl"
printf '#!/bin/bash\na=(); while [ "$1" != -- ]; do a+=("$1"); shift; done; shift\nexec %s "${a[@]}" -- env PATH=%s:%s:"$PATH" "$@"\n' \
	"$HOTMEM_BUILD/hotmem-enter" "$TMP/fake" "$HOTMEM_BUILD" >"$TMP/enter"
chmod +x "$TMP/fake/hotmemctl" "$TMP/enter"
HOTMEM_CONFORM_WAIT=1 HOTMEM_ENTER=$TMP/enter "$CONFORM" --reduced --only '^classic-rule memhp_default_state=offline ' \
	>"$TMP/nonew" 2>>"$TMP/err"
is "$?" 1 "no new block: exit status 1"
grep -qE "^classic-rule +offline .* 0/0 .*✗ no new blocks appeared \[VIOLATION: unexpected: no new blocks appeared\]" "$TMP/nonew"
tap_ok $? "the row says no new blocks appeared, a violation"
[ "$T_FAIL" -gt 0 ] && sed 's/^/# nonew: /' "$TMP/nonew"

# the hand-written agent with the default receive buffer loses most of a
# 1024-block burst (ENOBUFS), as such agents do on a real kernel: every
# block it left offline is an ADD the kernel dropped for its socket; a
# listener with a small buffer (8 KiB) reports as many ENOBUFS and lost
# ADDs as the kernel's own drop count allows
printf 'profile = host-24g\nname = big-640g\nmaxmem = 640G\n' >"$TMP/big"
r=$(HOTMEM_CONFORM_WAIT=60 HOTMEM_CONFORM_LISTENER_RCVBUF=4096 "$HOTMEM_BUILD/hotmem-enter" \
	--profile "$TMP/big" --cmdline "memhp_default_state=offline hotmem.kernel_alloc=off" \
	-- "$CONFORM" --cell netlink-agent burst1024 2>>"$TMP/err" | tail -1)
diag "netlink-agent burst1024: $r"
python3 -c '
import json, sys
o = json.loads(sys.argv[1])
assert o["new"] == 1024 and 0 < o["online"] < 1024 and o["agent_enobufs"] > 0, o
assert o["uevents_lost"] >= o["new"] - o["online"], o
assert o["online"] == o["offlinable"] and o["ms_to_last_online"] is None, o
' "$r"
tap_ok $? "netlink-agent in a 1024-block burst: ENOBUFS, every block left offline a dropped uevent"
python3 -c '
import json, sys
o = json.loads(sys.argv[1])
assert o["listener_drops"] >= o["listener_lost"] >= 0, o
assert (o["listener_enobufs"] > 0) == (o["listener_drops"] > 0), o
' "$r"
tap_ok $? "the small-buffer listener: ENOBUFS exactly when the kernel dropped, no more lost than dropped"
# an agent that hides its EINVALs (2>/dev/null, no log): hotmemfs counts
# the refused memoryN/state writes (status "state-writes"), so the race
# with the kernel's auto-online is reported all the same
quiet='seen=" "; while :; do for f in /sys/devices/system/memory/memory*/state; do case $seen in *" $f "*) continue ;; esac; seen="$seen$f "; echo online >"$f"; done 2>/dev/null; sleep 0.1; done'
# -- and, as a --rules rule's, that race is inherent, not the agent's fault
# (it was held to "every cell passes" and made the exit status 1)
"$CONFORM" --reduced --agent "$quiet" --only ' memhp_default_state=online ' --json "$TMP/quiet.json" \
	>"$TMP/quiet" 2>>"$TMP/err"
is "$?" 0 "a quiet agent writing over the kernel's auto-online: the race allowed, as a rule's: exit status 0"
sed 's/^/# /' "$TMP/quiet"
jq -e '.[0].outcome | .redundant_writes >= 8 and .failed_writes == 0 and .writes >= .redundant_writes + .failed_writes' "$TMP/quiet.json" >/dev/null
tap_ok $? "its EINVALs are counted from hotmemfs, not from its log: $(jq -c '.[0].outcome.redundant_writes' "$TMP/quiet.json" 2>/dev/null) redundant writes"
grep -qE "^agent#1 +online .*~ [0-9]+ redundant writes?: EINVAL race with the kernel's auto-online \[expected: inherent to acting on a new block before the kernel's own auto-online" "$TMP/quiet"
tap_ok $? "... the verdict says the race is inherent"
# the same agent writing a value the kernel cannot parse: EINVAL from
# hotmemfs too, but a failed write (it was counted redundant, and so
# allowed), a violation; the same as a --rules rule
bogus=${quiet//echo online/echo bogus}
"$CONFORM" --reduced --agent "$bogus" --only ' memhp_default_state=online ' --json "$TMP/bogus.json" \
	>"$TMP/bogus" 2>>"$TMP/err"
is "$?" 1 "an agent writing 'bogus' into each new block: exit status 1"
sed 's/^/# /' "$TMP/bogus"
is "$(jq -c '.[0].outcome | [.writes >= 8, .redundant_writes, .failed_writes == .writes, .unparsed_writes == .writes]' "$TMP/bogus.json" 2>&1)" \
	"[true,0,true,true]" "its writes: all failed (EINVAL, unparsable), none redundant"
grep -qE "^agent#1 +online .*✗ ([0-9]+) failed writes? \(\1 EINVAL: a value the kernel's store cannot parse\) \[VIOLATION: unexpected: " "$TMP/bogus"
tap_ok $? "... the row says so, a violation"
online_rule 83-bogus 'SUBSYSTEM=="memory", ACTION=="add", ATTR{state}="bogus"'
is "$?" 1 "a --rules rule writing 'bogus': exit status 1"
is "$(cat "$TMP/83-bogus.o")" "[8,0,8,8]" "its 8 writes failed, none redundant"
# no agent at all (make bench's floor): the kernel's own auto-online
"$HOTMEM_BUILD/hotmem-enter" --profile qemu-512m --cmdline "memhp_default_state=online" \
	-- "$CONFORM" --cell none dimm1 >"$TMP/none-cell" 2>>"$TMP/err"
is "$?" 0 "--cell none runs"
jq -e '.new == 8 and .online == 8 and .writes == 0 and .failed_writes == 0 and .redundant_writes == 0' \
	"$TMP/none-cell" >/dev/null
tap_ok $? "--cell none: the kernel onlines 8/8 by itself, no writes"
# numa2-ml: CPUs on a memoryless node 1, where the events plug (its
# first memory): hotmemd's auto-movable finds no kernel memory on the node
# for its per-node ratio and onlines Normal, where on numa2's node 0 it
# onlines Movable (cpunodes: the machine had no memoryless node with CPUs)
"$CONFORM" --full --only '^hotmemd:auto-movable memhp_default_state=offline numa2(-ml)? dimm1$' \
	>"$TMP/ml" 2>>"$TMP/err"
sed 's/^/# /' "$TMP/ml"
grep -qE "^hotmemd:auto-movable +offline +numa2 +dimm1 +8/8 +Movable:8 " "$TMP/ml" &&
	grep -qE "^hotmemd:auto-movable +offline +numa2-ml +dimm1 +8/8 +Normal:8 " "$TMP/ml"
tap_ok $? "numa2-ml: the DIMM on the memoryless node 1, Normal by the node's ratio (numa2: Movable)"
[ "$T_FAIL" -gt 0 ] && sed 's/^/# err: /' "$TMP/err" | tail -5
done_testing
