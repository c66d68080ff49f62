#!/bin/bash
# device_del of a DIMM with one block whose pages never migrate (pinned),
# as 6.12's acpi_scan_try_to_offline() runs it (drivers/acpi/scan.c):
# the first pass offlines every block it can -- the stuck one is given up
# after its own 10 s (the guest's worker has no signals: hotmemfs's
# deadline, dev.c), the empty blocks after it still go offline -- the
# second pass tries only what is still online and stops at the first
# refusal, the block "Offline failed." names; what was offlined comes back.
# Then two stuck blocks: the second pass stops at the first of them.
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory

start_fs --fresh
tap_ok $? "hotmemfs mounts"
ctl device_add pc-dimm id=d1 size=512M addr=0x100000000 >/dev/null
for b in 32 33 34 35; do echo online_movable >"$M/memory$b/state"; done
is "$(cat $M/memory3[2-5]/valid_zones | sort -u)" "Movable" "the DIMM's memory32-35 online movable"
# memory32 is the first Movable block the allocator fills: 40000 pages fill it and start memory33
ctl alloc movable 40000 >/dev/null && ctl alloc pinned 100 >/dev/null
tap_ok $? "movable pages in memory32-33, 100 pinned ones after them"
pinned=$(ctl --json explain 33 | python3 -c 'import json,sys; print(json.load(sys.stdin).get("blocking_pages", 0))')
is "$pinned" 100 "memory33 holds the 100 pinned pages (explain)"
ctl device_del d1 >/dev/null 2>&1
tap_ok $((! $?)) "device_del d1 is refused"
log=$(ctl dmesg)
printf '%s\n' "$log" | grep -q "^<4>memory memory33: Offline failed.$"
tap_ok $? "dmesg names the block in the way: memory memory33: Offline failed."
n=$(printf '%s\n' "$log" | grep -c "Offline failed")
is "$n" 1 "... once"
for b in 32 34 35; do
	! printf '%s\n' "$log" | grep -q "memory$b: offline failed"
	tap_ok $? "memory$b went offline in the first pass (no failure of its own logged)"
done
n=$(printf '%s\n' "$log" | grep -c "memory33: offline failed (EINTR)")
is "$n" 2 "memory33's offline given up twice, once a pass"
is "$(cat $M/memory3[2-5]/state | sort -u)" "online" "every block online again, nothing removed"
ctl check >/dev/null
tap_ok $? "invariants hold"

# Two stuck blocks, memory33 and memory35 (review13): the first pass gives
# up on both, the second stops at memory33 and never tries memory35 again;
# "Offline failed." names memory33, the first refusal of the second pass
# (with one stuck block the first and the last refusal are the same block)
stop_fs
start_fs --fresh
tap_ok $? "hotmemfs mounts afresh"
ctl device_add pc-dimm id=d1 size=512M addr=0x100000000 >/dev/null
for b in 32 33 34 35; do echo online_movable >"$M/memory$b/state"; done
ctl alloc movable 40000 >/dev/null && ctl alloc pinned 100 >/dev/null &&
	ctl alloc movable 60000 >/dev/null && ctl alloc pinned 100 >/dev/null
tap_ok $? "movable pages in memory32-35, 100 pinned in memory33 and 100 in memory35"
for b in 33 35; do
	pinned=$(ctl --json explain $b | python3 -c 'import json,sys; print(json.load(sys.stdin).get("blocking_pages", 0))')
	is "$pinned" 100 "memory$b holds 100 pinned pages (explain)"
done
ctl device_del d1 >/dev/null 2>&1
tap_ok $((! $?)) "device_del d1 is refused"
log=$(ctl dmesg)
is "$(printf '%s\n' "$log" | grep "Offline failed")" "<4>memory memory33: Offline failed." \
	"dmesg names the second pass's first refusal: memory33, not memory35"
is "$(printf '%s\n' "$log" | grep -o 'memory3[35]: offline failed (EINTR)' | tr '\n' ' ')" \
	"memory33: offline failed (EINTR) memory35: offline failed (EINTR) memory33: offline failed (EINTR) " \
	"memory33 and memory35 given up in the first pass, only memory33 in the second (it stops there)"
is "$(cat $M/memory3[2-5]/state | sort -u)" "online" "every block online again, nothing removed"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
