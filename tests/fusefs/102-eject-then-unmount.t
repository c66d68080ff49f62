#!/bin/bash
# A session that ends by itself (umount) while the guest's ACPI eject of a
# DIMM with a pinned page runs (each block's offline gets 10 s, the eject
# up to 40 s: 100-acpi-eject-stuck-block.t) (review12 D3).  The stop's
# --stop-wait (3 s then) was spent on the eject, and only then did the
# stop ask the notifier to leave: it gave up at once, blamed the
# notifier ("the notifier is still inside the kernel after 3.000 s")
# and exited 1, nothing stuck but the eject.  Now a stop ends the eject
# under way: its offline ends EINTR as a refused eject (its blocks back
# online, nothing removed), and the stop exits 0, the machine saved.
# --stop-wait 10, not 3: ending the eject (its offline's EINTR, memory32
# back online, their record) took 3.8-5.4 s at load ~10 on 2 vCPUs, and a
# CI run under such load failed here at 3 s; the old fault still fails
# (the whole wait spent, exit 1).
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory
MHPC=/sys/devices/LNXSYSTM:00/LNXSYBUS:00/PNP0A06:04
SYSW="python3 $HOTMEM_SRC/tests/fusefs/sysw.py"

# a DIMM with 100 pinned pages in memory33, its eject under way (memory32 offline, memory33 stuck)
eject_stuck() {
	ctl device_add pc-dimm id=d1 size=512M addr=0x100000000 >/dev/null
	for b in 32 33 34 35; do echo online_movable >"$M/memory$b/state"; done
	ctl alloc movable 40000 >/dev/null && ctl alloc pinned 100 >/dev/null
	tap_ok $? "a DIMM online movable, 100 pinned pages in memory33"
	slot=$(readlink "$M/memory32/firmware_node")
	slot=${slot##*/}
	is "$($SYSW w "$MNT$MHPC/$slot/eject" '1\n')" ret=2 "echo 1 > $slot/eject: the eject queued"
	for _ in $(seq 400); do [ "$(cat "$M/memory32/state" 2>/dev/null)" = offline ] && break; sleep 0.05; done
	is "$(cat "$M/memory32/state")" offline "the eject runs: memory32 offline, memory33's offline stuck on its pinned pages"
	! grep -q "ACPI eject of" "$TMP/hotmemfs.log"
	tap_ok $? "... still under way (its end not logged)"
}

mount_fs "hotmemfs mounts (--stop-wait 10)" --fresh --stop-wait 10
eject_stuck
t0=$(date +%s%N)
umount "$MNT"
tap_ok $? "umount: the session ends by itself"
wait_exit "$FS_PID" 60
rc=$?
echo "# the stop took $((($(date +%s%N) - t0) / 1000000)) ms (--stop-wait 10)"
is "$rc" 0 "hotmemfs ends its stop: exit 0 (nothing was stuck but the eject)"
FS_PID=
grep -q "ACPI eject of $slot: d1: the guest refused the unplug" "$TMP/hotmemfs.log"
tap_ok $? "... the eject ended by the stop, as a refused one"
! grep -q "notifier is still inside the kernel\|still waiting after" "$TMP/hotmemfs.log"
tap_ok $? "... without blaming the notifier, or a wait past --stop-wait"
end_fs_stopped
start_fs --stop-wait 10
tap_ok $? "hotmemfs restarts from the state file"
ctl devices | grep -q '^d1 '
tap_ok $? "... d1 is there: the eject ended, nothing removed"
is "$(cat $M/memory3[2-5]/state | sort -u)" online "... its blocks online"
ctl check >/dev/null
tap_ok $? "invariants hold"

# the same eject, SIGTERM instead of the umount
stop_fs
: >"$TMP/hotmemfs.log"
start_fs --fresh --stop-wait 10
tap_ok $? "a fresh hotmemfs"
eject_stuck
t0=$(date +%s%N)
kill -TERM "$FS_PID"
wait_exit "$FS_PID" 60
rc=$?
echo "# the stop took $((($(date +%s%N) - t0) / 1000000)) ms (--stop-wait 10)"
is "$rc" 0 "SIGTERM: hotmemfs ends its stop, exit 0"
FS_PID=
grep -q "ACPI eject of $slot: d1: the guest refused the unplug" "$TMP/hotmemfs.log" &&
	! grep -q "still waiting after" "$TMP/hotmemfs.log"
tap_ok $? "... the eject ended by the stop, refused, no wait past --stop-wait"
end_fs_stopped
done_testing
