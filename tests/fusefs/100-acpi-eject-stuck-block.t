#!/bin/bash
# device_del of a DIMM with a block whose pages never migrate (pinned), as
# 6.12's acpi_scan_try_to_offline() runs it (drivers/acpi/scan.c).  The
# guest's eject runs in a kworker no signal reaches, and offline_pages()
# gives up a page that will not migrate only at a signal: the eject keeps
# at the stuck block, not trying the blocks after it (hotmemfs gave each
# block 10 s and went on: review13 F4).  hotmemfs bounds the whole eject
# (40 s, dev.c: device_del must answer): then the offline under way and
# every one after it fail (EINTR), the second pass tries what is still
# online and stops at its first refusal (memory33, not memory35: a
# missing `break` showed as the last), the block "Offline failed." names,
# and what was offlined comes back.
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
ctl device_del d1 >"$TMP/del.out" 2>&1 &
del=$!
# memory32-35's states, each read bounded (one waiting for the offline
# under way fails the check, not hangs the test)
states() {
	local b
	for b in 32 33 34 35; do echo "$(timeout 20 cat "$M/memory$b/state" || echo "?")"; done | tr '\n' ' '
}
block_state_wait 33 going-offline
is "$(states)" "offline going-offline online online " \
	"the eject keeps at memory33: memory32 offline, memory34-35 not tried yet"
# and keeps there until its bound, polled until device_del answers (no
# fixed wait): hotmemfs gave each block 10 s, then offlined memory34 and
# 35 (empty) while the second pass tried memory33 again, 10 s more; the
# kernel gives a block none, so after the bound they only fail (EINTR)
end=$((SECONDS + 60))
while kill -0 $del 2>/dev/null && [ $SECONDS -lt $end ]; do
	states >>"$TMP/seen"
	echo >>"$TMP/seen"
	sleep 0.1
done
gone=$(awk '$3 == "offline" || $4 == "offline"' "$TMP/seen" | sort -u)
grep -qx "offline going-offline online online " "$TMP/seen" && [ -z "$gone" ]
tap_ok $? "... memory34-35 never offline while the eject runs ($(wc -l <"$TMP/seen") polls)" ||
	sort "$TMP/seen" | uniq -c | sed 's/^/# seen: /'
wait_exit $del 60
tap_ok $((! $?)) "device_del d1 is refused once the eject's bound is reached"
log=$(ctl dmesg)
is "$(printf '%s\n' "$log" | grep "Offline failed")" "<4>memory memory33: Offline failed." \
	"dmesg names the block in the way, once: memory memory33: Offline failed."
is "$(printf '%s\n' "$log" | grep -o 'memory3[2-5]: offline failed ([A-Z]*)' | tr '\n' ' ')" \
	"memory33: offline failed (EINTR) memory34: offline failed (EINTR) memory35: offline failed (EINTR) memory33: offline failed (EINTR) " \
	"the first pass gives up memory33, 34, 35 at the bound; the second only memory33, its first refusal"
# usereye10 U7: only the block that looped is sent to explain; those the
# bound ended before they tried a page say so
is "$(printf '%s\n' "$log" | grep -o 'memory3[2-5]: offline failed (EINTR): its explain' | tr '\n' ' ')" \
	"memory33: offline failed (EINTR): its explain " "... only memory33's first-pass line points to explain"
is "$(printf '%s\n' "$log" | grep -o 'memory3[2-5]: offline failed (EINTR): interrupted before it tried a page' | cut -d: -f1 | tr '\n' ' ')" \
	"memory34 memory35 memory33 " "... memory34, 35 and the second pass's memory33: interrupted before they tried a page"
is "$(cat $M/memory3[2-5]/state | sort -u)" "online" "every block online again, nothing removed"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
