#!/bin/bash
# While a DIMM's eject holds dev_lock, QMP's device_del and
# query-memory-devices answer from a snapshot of the devices taken before
# it (dev.c hmfs_dev_del()).  Once the eject is over -- the DIMM unlinked,
# dev_lock let go -- the snapshot no longer stands, even before
# dev_snap_drop() frees it: a device_del of the DIMM just removed was
# answered {} from the stale keys (and a no-op eject queued) where QEMU
# says DeviceNotFound, and query-memory-devices still listed it (finalF
# F3).  The window is a few instructions: gdb (non-stop, the other
# threads running) stops the ejecting thread at the dev_snap_drop() call,
# and the requests are sent then.
. "$(dirname "$0")/lib.sh"
require_env
need_tool gdb gdb

# hmfs_dev_del()'s epilogue, dev_snap_end() (shared with the undo of a
# DIMM's queued add since reread29 R2)
line=$(awk '/^static void dev_snap_end\(/ { f = 1 } f && /dev_snap_drop\(ctx\);/ { print NR; exit }' \
	"$HOTMEM_SRC/fusefs/dev.c")
[ -n "$line" ]
tap_ok $? "hmfs_dev_del()'s dev_snap_drop() call (dev_snap_end()): fusefs/dev.c:$line"
Q="PYTHONPATH=$HOTMEM_SRC/tests/kernel:$HOTMEM_SRC/tests/fusefs timeout 60 python3 $HOTMEM_SRC/tests/fusefs/qmp_checks.py $CTL"
# hotmemfs run by gdb (non-stop: a thread at the breakpoint stops alone),
# whose commands come from a pipe held open until query-memory-devices
# sent at the breakpoint is answered (or 240 s): its event loop handles the hit
# meanwhile, and the new threads of hotmemfs that answer them (a shell
# command waited for there: the connection's thread waited for gdb)
cat >"$TMP/gdb.cmd" <<GDB
set pagination off
set confirm off
set non-stop on
break dev.c:$line
commands 1
  silent
  shell { $Q device_del '{"id": "d1"}' >$TMP/del.txt 2>&1; touch $TMP/del.done; } &
  shell { $Q query-memory-devices >$TMP/query.txt 2>&1; $HMCTL -s $CTL --json status >$TMP/status.json 2>&1; touch $TMP/hit; } &
end
run &
GDB
{
	for _ in $(seq 4800); do
		[ -e "$TMP/hit" ] && break
		sleep 0.05
	done
	printf 'detach\nquit\n'
} | timeout 300 gdb -q -nx -x "$TMP/gdb.cmd" --args "$HMFS" --control "$CTL" --state none \
	--fresh "$MNT" >"$TMP/gdb.log" 2>>"$TMP/hotmemfs.log" &
FS_PID=$!
fs_wait_mounted && findmnt -t fuse.hotmemfs "$MNT" >/dev/null
tap_ok $? "hotmemfs mounts, run by gdb, the breakpoint set"
# $! is timeout's: gdb its child, hotmemfs gdb's
FS_PID=$(pgrep -P "$(pgrep -P "$FS_PID" -x gdb)" -x hotmemfs)
[ -n "$FS_PID" ] || { nok "hotmemfs's pid"; done_testing; exit 1; }
ctl device_add pc-dimm id=d1 size=128M >/dev/null
tap_ok $? "a DIMM d1"
is "$(qmp_reply device_del '{"id": "d1"}')" "return: {}" "device_del d1: {} at once, its eject queued"
for _ in $(seq 6000); do
	[ -e "$TMP/hit" ] && break
	sleep 0.05
done
[ -e "$TMP/hit" ]
tap_ok $? "the ejecting thread stopped between dev_lock's release and dev_snap_drop()"
[ -e "$TMP/hit" ] || sed "s/^/#   gdb: /" "$TMP/gdb.log" | grep -v "New Thread\|exited]" | tail -30
# a device_del that found no DIMM waits for the eject's change to end
# (hmfs_change()), which the detach lets go
for _ in $(seq 1200); do
	[ -e "$TMP/del.done" ] && break
	sleep 0.05
done
is "$(cat "$TMP/del.txt")" "DeviceNotFound: Device 'd1' not found" \
	"then a device_del d1: DeviceNotFound, as after the eject (not {} from the stale snapshot)"
is "$(cat "$TMP/query.txt")" "return: []" "and query-memory-devices: d1 is gone"
is "$(python3 -c 'import json,sys; print([d["id"] for d in json.load(open(sys.argv[1]))["devices"]])' "$TMP/status.json" 2>&1)" "[]" \
	"and status: d1 is gone, not 'ejecting' from the stale snapshot"
is "$(qmp_reply query-memory-devices)" "return: []" "the eject ended: no device"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
