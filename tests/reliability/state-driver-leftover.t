#!/bin/bash
# A virtio-mem driver's retry that only removes a memory block left over
# from an earlier run (all of its sub-blocks unplugged, its removal
# refused then: virtio_mem_cleanup_pending_mb(), drivers/virtio/virtio_mem.c
# 6.12), its plugged-size unchanged, is a change of the machine like any
# other driver work: recorded, so that kill -9 and a restart show the
# block gone as the client saw it.  And the leftover itself, there until
# then, comes back as such after kill -9 (hotmem_virtio_mem_restore_leftover():
# nothing plugged brings it back), and so does an undo of its removal.
. "$(dirname "$0")/lib.sh"
require_sync_fail
OPTS=(--profile default --cmdline "hotmem.kernel_alloc=off memhp_default_state=online_movable")
start() { LD_PRELOAD=$SHIM start_fs_netns "${OPTS[@]}" "$@"; }
INJ=$MNT/sys/kernel/debug/notifier-error-inject/memory/actions/MEM_GOING_OFFLINE/error
P=$MNT/sys/module/virtio_mem/parameters/unplug_online
# last_record: the journal's last record's kind, devices and block runs
last_record() {
	journal_text | tail -n 1 | python3 -c '
import json, sys
rec = json.loads(sys.stdin.read().split(" ", 1)[1])
kind = [k for k in rec if k != "seq"][0]
body = rec[kind]
print(kind, " ".join(d["id"] for d in body.get("devices", [])),
      " ".join("%d+%d" % (r["first"], r["count"]) for r in body.get("blocks", [])) if kind != "run" else body["first"])'
}
# block_runs: the machine's blocks from memory32 on, as hotmemctl status has them
block_runs() {
	ctl --json status | python3 -c '
import json, sys
print(" ".join("%d+%d %s" % (r["first"], r["count"], r["state"]) for r in json.load(sys.stdin)["blocks"] if r["first"] >= 32))'
}
plugged() { ctl --json status | python3 -c 'import json,sys; print([d["plugged-size"] for d in json.load(sys.stdin)["devices"] if d["id"] == "vm0"][0])'; }

start --fresh
tap_ok $? "hotmemfs mounts the default profile with a fresh state file"
ctl device_add virtio-mem-pci id=vm0 size=4G requested-size=512M memaddr=0x100000000 >/dev/null
tap_ok $? "virtio-mem vm0 at memory32, 512M plugged: memory32-35 online movable"
echo -16 >"$INJ"
tap_ok $? "MEM_GOING_OFFLINE fails with EBUSY (notifier-error-inject)"
ctl set-size vm0 384M >/dev/null
tap_ok $? "set-size vm0 384M"
is "$(plugged) $(cat "$M/memory35/state")" "$((384 << 20)) online" \
	"... memory35's sub-blocks unplugged (384M plugged), its removal refused: still there"
echo N >"$P"
tap_ok $? "unplug_online N"
ctl set-size vm0 256M >/dev/null
is "$(plugged) $(cat "$M/memory35/state")" "$((384 << 20)) online" \
	"set-size vm0 256M: online memory stays plugged, memory35's removal refused again"
EXPECT=$(snapshot)
kill9_fs
start
tap_ok $? "restart after kill -9"
same_text "$(snapshot)" "$EXPECT" "... the same machine: memory35 online, nothing of it plugged (384M)"
grep -q "are not present" "$TMP/hotmemfs.log"
tap_ok $((! $?)) "... the restore brought every block of the file back"
ctl check >/dev/null
tap_ok $? "invariants hold"
echo 0 >"$INJ"
tap_ok $? "MEM_GOING_OFFLINE injection off"
EXPECT=$(snapshot)
: >"$TMP/fail"
echo offline >"$M/memory35/state" 2>/dev/null
tap_ok $((! $?)) "memory35's offline is refused, its fdatasync() failing"
same_text "$(snapshot)" "$EXPECT" "... undone with the driver's removal of it after: memory35 back online"
grep -q "takes no more changes" "$TMP/hotmemfs.log"
tap_ok $((! $?)) "hotmemfs is not frozen"
rm "$TMP/fail"
ctl check >/dev/null
tap_ok $? "invariants hold"
echo offline >"$M/memory35/state"
tap_ok $? "echo offline > memory35/state: its MEM_OFFLINE queues the driver's work"
# hotmemctl's block runs, not a stat: the kernel's dentry of memory35 may outlive the write
is "$(block_runs)" "32+3 online" "... which removes memory35, left over"
is "$(plugged)" $((384 << 20)) "... plugged-size unchanged (384M): the other blocks are online"
is "$(last_record)" "device vm0 32+3" "... recorded after the offline's run: vm0 and its blocks, memory32-34"
EXPECT=$(snapshot)
kill9_fs
start
tap_ok $? "restart after kill -9"
same_text "$(snapshot)" "$EXPECT" "... the same machine: memory35 gone"
grep -q "are not present" "$TMP/hotmemfs.log"
tap_ok $((! $?)) "... and the restore found every block of the file (memory35's removal was saved)"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
