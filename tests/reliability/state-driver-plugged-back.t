#!/bin/bash
# The undo of a virtio-mem driver's plugging whose record cannot be made
# durable, when taking back exactly what it plugged is refused
# (plugged_back() in fusefs/machine.c fails): the device is taken out and
# brought back whole with its old plugged blocks (device_back()), and
# its blocks go back to their old states, online ones online again in
# their zones, although the undo turned auto-online off.  The refusal is
# the engine's next allocation failing (`hotmemctl fail-nth-alloc 1`,
# set while the journal's fdatasync() is held, so that it hits the
# undo): offline_and_remove_memory()'s array, in the removal of a memory
# block the driver plugged; the driver plugs back what it had unplugged
# of them, and the device's removal after it finds memory again.
. "$(dirname "$0")/lib.sh"
require_sync_fail
export HOTMEM_TEST_SYNC_HOLD=$TMP/hold
plugged() { ctl --json status | python3 -c 'import json,sys; print([d["plugged-size"] for d in json.load(sys.stdin)["devices"] if d["id"] == "vm0"][0])'; }
# probes: how many times the guest's driver probed a virtio-mem device
probes() { ctl dmesg | grep -c "virtio_mem virtio0: start address"; }

LD_PRELOAD=$SHIM start_fs_netns "${STATE_OPTS[@]}" --fresh
tap_ok $? "hotmemfs mounts qemu-512m with a fresh state file"
ctl device_add virtio-mem-pci id=vm0 size=3G requested-size=1152M >/dev/null
is "$(plugged)" $((1 << 30)) "virtio-mem vm0 requested 1152M: 1G plugged, the driver waits for onlines"
# 6.12's MEM_ONLINE notifier queues the driver's work once half its
# offline_threshold (1G) is online again: at the fourth block
for b in 32 33 34 35; do echo online_movable >"$M/memory$b/state" || break; done
is "$(plugged)" $((1152 << 20)) "memory32-35 onlined to Movable, and the driver plugs memory40"
echo online_kernel >"$M/memory40/state"
tap_ok $? "memory40 onlined to Normal"
ctl set-size vm0 2G >/dev/null
is "$(plugged)" $((1664 << 20)) "requested 2G: the driver plugs memory41-44, up to its offline threshold"
echo online_movable >"$M/auto_online_blocks"
tap_ok $? "auto_online_blocks online_movable: what the driver adds next comes online"
chmod 600 "$M/memory40/state"
tap_ok $? "memory40/state chmod 600"
for b in 36 37 38; do echo online_movable >"$M/memory$b/state" || break; done
is "$(plugged)" $((1664 << 20)) "memory36-38 onlined: 640M still offline, the driver adds nothing"
EXPECT=$(snapshot)
: >"$TMP/hold"
: >"$TMP/fail"
echo online_movable 2>"$TMP/err" >"$M/memory39/state" &
WRITER=$!
held_wait
tap_ok $? "memory39 onlined, its journal fdatasync() held"
is "$(plugged)" $((2 << 30)) "... and the driver plugged memory45-47, online"
ctl fail-nth-alloc 1 >/dev/null
tap_ok $? "the engine's next allocation will fail"
rm "$TMP/hold"
wait_exit "$WRITER" 60
is "$?" 1 "the fdatasync() fails: memory39's online is refused"
ctl dmesg | grep -q "removing memory block memory4[5-7] failed: -12; its sub-blocks .* are plugged back"
tap_ok $? "... the exact unplug of what the driver plugged is refused (a removal of memory45-47)"
is "$(probes)" 2 "... so vm0 is taken out and brought back whole"
same_text "$(snapshot)" "$EXPECT" "... the machine as before: vm0 1664M plugged, memory32-38 Movable and memory40 Normal online, memory39 offline"
grep -q "takes no more changes" "$TMP/hotmemfs.log"
tap_ok $((! $?)) "hotmemfs is not frozen"
is "$(stat -c %a "$M/memory40/state")" 600 "... memory40 back whole keeps its chmod"
rm "$TMP/fail"
ctl check >/dev/null
tap_ok $? "invariants hold"
kill9_fs
start_fs_netns "${STATE_OPTS[@]}"
tap_ok $? "restart after kill -9"
same_text "$(snapshot)" "$EXPECT" "... the same machine"
is "$(stat -c %a "$M/memory40/state")" 600 "... memory40/state 0600"
echo online_movable >"$M/memory39/state"
tap_ok $? "memory39's online is taken now"
done_testing
