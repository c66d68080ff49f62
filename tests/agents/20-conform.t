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
[ "$T_FAIL" -gt 0 ] && sed 's/^/# err: /' "$TMP/err" | tail -5
done_testing
