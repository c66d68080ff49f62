#!/bin/bash
# kill -9, restart: the same machine comes back (devices, block states,
# zones, parameters).  A damaged state file is refused, not replaced.
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory

start_fs --profile numa2 --cmdline "memory_hotplug.online_policy=contig-zones" --fresh
tap_ok $? "hotmemfs mounts numa2"
ctl device_add pc-dimm id=d1 size=1G node=1 >/dev/null &&
	ctl device_add virtio-mem-pci id=vm0 size=1G requested-size=512M >/dev/null
tap_ok $? "a DIMM on node 1 and a virtio-mem device"
first=$(ls -d $M/memory* | sed 's/.*memory//' | sort -n | tail -12 | head -1)
for b in $(ls -d $M/memory* | sed 's/.*memory//' | sort -n | tail -12 | head -5); do
	echo online_movable >"$M/memory$b/state"
done
echo online_kernel >"$M/memory$((first + 6))/state"
echo online >"$M/auto_online_blocks"
echo 200 >"$MNT/sys/module/memory_hotplug/parameters/auto_movable_ratio"
snap() {
	lsmem --sysroot "$MNT" -o RANGE,SIZE,STATE,REMOVABLE,BLOCK,NODE,ZONES
	cat "$M/auto_online_blocks" "$MNT/sys/module/memory_hotplug/parameters/auto_movable_ratio"
	ctl devices
}
before=$(snap)
kill -9 "$FS_PID"
wait_exit "$FS_PID" 30 2>/dev/null
err=$(dead_mount_error)
! kill -0 "$FS_PID" 2>/dev/null && [[ $err == *"not connected"* ]]
tap_ok $? "kill -9 (the mount is left behind, not connected: $err)"
FS_PID=

start_fs --profile numa2 --cmdline "memory_hotplug.online_policy=contig-zones"
tap_ok $? "hotmemfs restarts on the same state file"
grep -q "restored the machine from" "$TMP/hotmemfs.log"
tap_ok $? "it says it restored"
is "$(snap)" "$before" "lsmem, parameters and devices are as before the kill"
ctl check >/dev/null
tap_ok $? "invariants hold after restore"
stop_fs

start_fs
tap_ok $? "restart without --profile takes the machine from the state file"
is "$(snap)" "$before" "... the same machine"
stop_fs

"$HMFS" --control "$CTL" --state "$STATE" --profile default "$MNT" 2>"$TMP/err.txt"
tap_ok $((! $?)) "another --profile on this state file is refused"
grep -q "refusing to restore it onto a different machine" "$TMP/err.txt"
tap_ok $? "... with a clear message"

cp "$STATE" "$TMP/good.json"
sed -i '0,/"online"/s//"offlinX"/' "$STATE"
sum=$(md5sum <"$STATE")
"$HMFS" --control "$CTL" --state "$STATE" "$MNT" 2>"$TMP/err.txt"
tap_ok $((! $?)) "a state file with a flipped value is refused"
grep -q "is damaged (checksum mismatch)" "$TMP/err.txt"
tap_ok $? "... 'damaged (checksum mismatch)': $(head -1 "$TMP/err.txt")"
is "$(md5sum <"$STATE")" "$sum" "... and left as it was"
head -c 100 "$TMP/good.json" >"$STATE"
"$HMFS" --control "$CTL" --state "$STATE" "$MNT" 2>"$TMP/err.txt"
tap_ok $((! $?)) "a truncated state file is refused"
grep -q "is damaged (not valid JSON" "$TMP/err.txt"
tap_ok $? "... 'damaged (not valid JSON)'"
start_fs --fresh
tap_ok $? "--fresh starts anew"
done_testing
