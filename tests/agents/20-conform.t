#!/bin/bash
# hotmem-conform --reduced: a few cells run for real in entered machines;
# the rule that writes online without looking is reported as racing with
# the kernel's auto-online, the classic rule and hotmemd pass where they
# should, the exit status says a cell failed, the JSON has every cell.
. "$(dirname "$0")/../fusefs/lib.sh"
CONFORM=$HOTMEM_BUILD/hotmem-conform
[ "$(id -u)" -eq 0 ] || skip_all "needs root (hotmem-enter)"
[ -c /dev/fuse ] || skip_all "no /dev/fuse"
[ -x "$CONFORM" ] && [ -x "$HOTMEM_BUILD/hotmem-enter" ] || skip_all "hotmem-conform not built yet"
[ -x /lib/systemd/systemd-udevd ] || skip_all "systemd-udevd missing (udev package)"

"$CONFORM" --reduced --json "$TMP/cells.json" >"$TMP/table" 2>"$TMP/err"
is "$?" 1 "exit status 1: a cell violates its expectation"
sed 's/^/# /' "$TMP/table"
row() { grep -E "^$1 +$2 " "$TMP/table"; }
row blind-rule 'memhp_default_state=online' | grep -q "✗ 8 redundant writes: EINVAL race with the kernel's auto-online"
tap_ok $? "the blind rule under memhp_default_state=online: 8 redundant writes, an EINVAL race"
row blind-rule 'memhp_default_state=offline' | grep -q "8/8 .*✓"
tap_ok $? "the blind rule with the kernel leaving blocks offline: 8/8 online, ✓"
row classic-rule 'memhp_default_state=offline' | grep -q "8/8 .*Normal:8 .*✓"
tap_ok $? "the classic rule: 8/8 online in Normal, ✓"
row 'hotmemd:auto-movable' 'memhp_default_state=offline' | grep -q "8/8 .*Movable:8 .*✓"
tap_ok $? "hotmemd auto-movable: 8/8 online in Movable, ✓"
python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))
assert len(c) == 6, len(c)
b = [x for x in c if x["agent"] == "blind-rule" and x["setting"] == "memhp_default_state=online"][0]
assert not b["ok"] and b["outcome"]["failed_writes"] == 8 and "race" in b["reason"], b
for x in c:
    o = x["outcome"]
    assert o["new"] == 8 and o["online"] == 8 and o["offlinable"] == 8, x
' "$TMP/cells.json"
tap_ok $? "JSON: six cells, outcomes and reasons"

# the hand-written agent with the default receive buffer loses most of a
# 1024-block burst (ENOBUFS), as such agents do on a real kernel
printf 'profile = host-24g\nname = big-640g\nmaxmem = 640G\n' >"$TMP/big"
r=$(HOTMEM_CONFORM_WAIT=60 "$HOTMEM_BUILD/hotmem-enter" --profile "$TMP/big" \
	--cmdline "memhp_default_state=offline hotmem.kernel_alloc=off" \
	-- "$CONFORM" --cell netlink-agent burst1024 2>>"$TMP/err" | tail -1)
diag "netlink-agent burst1024: $r"
python3 -c '
import json, sys
o = json.loads(sys.argv[1])
assert o["new"] == 1024 and 0 < o["online"] < 1024 and o["agent_enobufs"] > 0, o
assert o["online"] == o["offlinable"], o
' "$r"
tap_ok $? "netlink-agent in a 1024-block burst: ENOBUFS, blocks left offline, what it onlined offlines"
[ "$T_FAIL" -gt 0 ] && sed 's/^/# err: /' "$TMP/err" | tail -5
done_testing
