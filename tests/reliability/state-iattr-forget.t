#!/bin/bash
# What a removal forgets of the modes, owners, times and xattrs its nodes
# kept (fusefs/iattr.c), and what the state file's saved copy and an undo
# make of it: a failed save after such a removal is undone, never frozen.
. "$(dirname "$0")/lib.sh"
require_env
require_shim
export HOTMEM_TEST_SYNC_FAIL=$TMP/fail
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
# proc_wait PID: PID's exit status, SIGKILL after 60 s
proc_wait() {
	wait_for eval "! kill -0 $1 2>/dev/null"
	kill -9 "$1" 2>/dev/null
	wait "$1"
}
# undone N: the log says "the device_del was undone" more than N times
undone() { [ "$(grep -c "the device_del was undone" "$TMP/hotmemfs.log")" -gt "$1" ]; }
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
LD_PRELOAD=$SHIM start_state_fs 256M
B=$MNT/sys/bus/memory/devices/memory33
chown -h 7:7 "$B"
tap_ok $? "chown -h 7:7 bus/memory/devices/memory33 (acknowledged)"
ls "$M" >/dev/null # memory/'s names in the kernel's dcache: their invalidation takes its lock
python3 "$HOTMEM_SRC/tests/fusefs/uffd_hold.py" "$M" "$TMP/hold.ready" >"$TMP/hold.out" 2>&1 &
HOLD_JOB=$!
wait_for eval "[ -s $TMP/hold.ready ] || ! kill -0 $HOLD_JOB 2>/dev/null"
if ! [ -s "$TMP/hold.ready" ]; then
	wait "$HOLD_JOB"
	[ $? -eq 77 ] || nok "a reader holds memory/'s lock: $(cat "$TMP/hold.out")"
	for w in "device_del undone" "not frozen" "link keeps its owner" "restart" "... the same"; do
		echo "ok $((T_N += 1)) # SKIP no userfaultfd: the late delivery of a REMOVE ($w) is not checked"
	done
	done_testing
	exit
fi
WAS=$(grep -c "the device_del was undone" "$TMP/hotmemfs.log")
: >"$TMP/fail"
ctl device_del d1 >/dev/null 2>&1 &
DEL=$!
wait_for undone "$WAS"
tap_ok $? "device_del d1 whose save fails is undone, the notifier stalled"
rm "$TMP/fail"
kill -USR1 "$(cat "$TMP/hold.ready")"
proc_wait "$HOLD_JOB"
proc_wait "$DEL"
ctl settle --timeout 60 >/dev/null
owner_kept "$B" " after the REMOVE's delivery"

done_testing
	exit
fi
LD_PRELOAD=$SHIM start_state_fs 128M
B=$MNT/sys/bus/memory/devices/memory32
chown -h 7:7 "$B"
tap_ok $? "chown -h 7:7 bus/memory/devices/memory32 (acknowledged)"
# gdb (non-stop) resumes every thread, the ones its attach stopped too
# (their stops come after its "continue -a"), and leaves the notifier
# stopped at the breakpoint ($TMP/held) until $TMP/go; its commands come
# on a pipe, so that it handles events meanwhile
cat >"$TMP/gdb.cmd" <<G
set non-stop on
set pagination off
set confirm off
attach $FS_PID
break deliver_run
python
import gdb
def on_stop(ev):
    if isinstance(ev, gdb.BreakpointEvent):
        open("$TMP/held", "w").close()
        return
    th = ev.inferior_thread
    def resume():
        if th is not None and th.is_valid() and th.is_stopped():
            th.switch()
            gdb.execute("continue &")
    gdb.post_event(resume)
gdb.events.stop.connect(on_stop)
end
continue -a &
shell touch $TMP/ready
G
gdb_feed() {
	cat "$TMP/gdb.cmd"
	wait_for test -e "$TMP/go"
	printf '%s\n' delete "continue -a &" detach quit
}
gdb_feed | timeout -s KILL 120 gdb -q "$HMFS" >"$TMP/gdb.log" 2>&1 &
GDB=$!
wait_for test -e "$TMP/ready"
: >"$TMP/fail"
ctl device_del d1 >/dev/null 2>&1 &
DEL=$!
wait_for test -e "$TMP/held"
tap_ok $? "gdb holds the notifier at the device_del's first block event"
wait_for undone
tap_ok $? "device_del d1 whose save fails is undone meanwhile"
rm "$TMP/fail"
touch "$TMP/go"
proc_wait "$GDB" >/dev/null
proc_wait "$DEL"
ctl settle --timeout 60 >/dev/null
owner_kept "$B" " after the REMOVE's delivery"

done_testing
