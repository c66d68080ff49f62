#!/bin/bash
# What a removal forgets of the modes, owners, times and xattrs its nodes
# kept (fusefs/iattr.c), and what the state file's saved copy and an undo
# make of it: a failed save after such a removal is undone, never frozen.
. "$(dirname "$0")/lib.sh"
require_sync_fail
A=$M/auto_online_blocks
frozen() { grep -c "takes no more changes" "$TMP/hotmemfs.log"; }
# wait_for TEST...: TEST true within 60 s (else false: a hang fails, never hangs)
wait_for() {
	for _ in $(seq 600); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}
# undone N: the log says "the device_del was undone" more than N times
undone() { [ "$(grep -c "the device_del was undone" "$TMP/hotmemfs.log")" -gt "$1" ]; }
# hold_memory_dir: a reader holds memory/'s inode lock inside getdents64
# (tests/fusefs/uffd_hold.py): the notifier's invalidation of a name in it
# waits; without userfaultfd the rest is said skipped and the test ends
hold_memory_dir() {
	ls "$M" >/dev/null # memory/'s names in the kernel's dcache: their invalidation takes its lock
	python3 "$HOTMEM_SRC/tests/fusefs/uffd_hold.py" "$M" "$TMP/hold.ready" >"$TMP/hold.out" 2>&1 &
	HOLD_JOB=$!
	wait_for eval "[ -s $TMP/hold.ready ] || ! kill -0 $HOLD_JOB 2>/dev/null"
	[ -s "$TMP/hold.ready" ] && return 0
	wait_exit "$HOLD_JOB" 5
	[ $? -eq 77 ] || nok "a reader holds memory/'s lock: $(cat "$TMP/hold.out")"
	echo "ok $((T_N += 1)) # SKIP no userfaultfd: the late delivery of a REMOVE is not checked"
	done_testing
	exit
}
release_memory_dir() {
	kill -USR1 "$(cat "$TMP/hold.ready")"
	wait_exit "$HOLD_JOB" 60
	rm -f "$TMP/hold.ready"
}
# has_dev ID: the machine has device ID
has_dev() { ctl --json status | python3 -c 'import json,sys; sys.exit(sys.argv[1] not in [d["id"] for d in json.load(sys.stdin)["devices"]])' "$1"; }
# owner_kept LINK WHAT: hotmemfs not frozen, LINK 7:7 live and after kill -9 (four TAP lines)
owner_kept() {
	is "$(frozen)" 0 "... hotmemfs is not frozen"
	is "$(stat -c %u:%g "$1")" 7:7 "... the link keeps its owner$2"
	kill9_fs
	start_fs_netns "${STATE_OPTS[@]}"
	tap_ok $? "restart after kill -9"
	is "$(stat -c %u:%g "$1")" 7:7 "... the same"
	stop_fs
}

# 1. saved's "iattrs" (written whole by a "set") holds memory35/state's
# chmod; the virtio-mem driver removes memory35 (unplug_online N) in a
# "device" record; the next "set" whose save fails compares its @pre,
# saved, with the machine undone: saved must not keep the removed
# block's entry (it did when the notifier had forgotten it before the
# record: hotmemfs froze; review5 #0)
LD_PRELOAD=$SHIM start_fs_netns --profile default \
	--cmdline "hotmem.kernel_alloc=off memhp_default_state=online_movable" --fresh
tap_ok $? "hotmemfs mounts default with a fresh state file"
ctl device_add virtio-mem-pci id=vm0 size=4G requested-size=512M memaddr=0x100000000 >/dev/null &&
	echo N >"$MNT/sys/module/virtio_mem/parameters/unplug_online" &&
	ctl set-size vm0 384M >/dev/null && chmod 600 "$M/memory35/state" && echo online >"$A"
tap_ok $? "vm0 at memory32, memory35/state chmod 600, then a \"set\" (saved's iattrs has it)"
echo offline >"$M/memory35/state"
tap_ok $? "memory35 offline: the driver removes it"
[ ! -e "$M/memory35" ]
tap_ok $? "... memory35 is gone"
: >"$TMP/fail"
echo offline 2>/dev/null >"$A"
tap_ok $((! $?)) "auto_online_blocks offline whose save fails is refused"
rm "$TMP/fail"
is "$(frozen)" 0 "... and undone: hotmemfs is not frozen"
echo offline >"$A"
tap_ok $? "... it takes the change now"
kill9_fs

# 2. a DIMM slot's physical_node link chown -h: acpi_unbind_one() removes
# it with the DIMM's block, the undo of a device_del whose save fails
# brings the block back, and the link must keep its owner (the undo put
# back only the block's own entries and its bus and node links: @pre,
# the whole machine, differed from the one undone -- frozen; review5 #1)
: >"$TMP/hotmemfs.log" # this case's lines alone (frozen, undone)
LD_PRELOAD=$SHIM start_state_fs 128M
L=$MNT/sys/bus/acpi/devices/PNP0C80:00/physical_node
is "$(readlink "$L")" ../../../../system/memory/memory32 "PNP0C80:00/physical_node is d1's memory32"
chown -h 7:7 "$L"
tap_ok $? "chown -h 7:7 PNP0C80:00/physical_node (acknowledged)"
: >"$TMP/fail"
ctl device_del d1 >/dev/null 2>&1
tap_ok $((! $?)) "device_del d1 whose save fails is refused"
rm "$TMP/fail"
owner_kept "$L" ""

# 3. what a removal forgets goes with the removal, not with the
# notifier's delivery of its REMOVE: a reader holds memory/'s inode lock
# inside getdents64 (tests/fusefs/uffd_hold.py), so the notifier stalls
# in the first REMOVE's invalidation of memory32 -- a slow notifier, as
# behind a big DIMM's hundreds of events -- while a device_del whose save
# fails is undone; then the REMOVEs are delivered.  The undo had put
# memory33's bus link chown back, and the late delivery of its REMOVE
# erased it by the block's id: 0:0 live, 7:7 in the file (review5 #2).
# Each wait is bounded only so that a hang fails.
: >"$TMP/hotmemfs.log" # this case's lines alone (frozen, undone)
LD_PRELOAD=$SHIM start_state_fs 256M
B=$MNT/sys/bus/memory/devices/memory33
chown -h 7:7 "$B"
tap_ok $? "chown -h 7:7 bus/memory/devices/memory33 (acknowledged)"
hold_memory_dir
WAS=$(grep -c "the device_del was undone" "$TMP/hotmemfs.log")
: >"$TMP/fail"
ctl device_del d1 >/dev/null 2>&1 &
DEL=$!
wait_for undone "$WAS"
tap_ok $? "device_del d1 whose save fails is undone, the notifier stalled"
rm "$TMP/fail"
release_memory_dir
wait_exit "$DEL" 60
ctl settle --timeout 60 >/dev/null
owner_kept "$B" " after the REMOVE's delivery"

# 4. the same window with no failure at all: d1 removed, d2 added in its
# place (memory32 and 33 again) and the new memory33's bus link chown -h'd
# before d1's REMOVE of memory33 is delivered (the notifier stalled in
# memory32's) -- whose late forget, by the id, took the new link's owner
# (review5 #2)
: >"$TMP/hotmemfs.log" # this case's lines alone (frozen, undone)
LD_PRELOAD=$SHIM start_state_fs 256M
B=$MNT/sys/bus/memory/devices/memory33
hold_memory_dir
ctl device_del d1 >/dev/null 2>&1 &
DEL=$!
wait_for eval "! has_dev d1"
tap_ok $? "device_del d1 done, its REMOVE not delivered (the notifier stalled)"
ctl device_add pc-dimm id=d2 size=256M >/dev/null 2>&1 &
ADD=$!
wait_for has_dev d2
tap_ok $? "device_add d2: memory32 and 33 again"
chown -h 7:7 "$B"
tap_ok $? "chown -h 7:7 bus/memory/devices/memory33, d2's (acknowledged)"
release_memory_dir
wait_exit "$DEL" 60
wait_exit "$ADD" 60
ctl settle --timeout 60 >/dev/null
owner_kept "$B" " after d1's REMOVE's delivery"

done_testing
