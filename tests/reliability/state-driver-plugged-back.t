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
require_env
require_shim
export HOTMEM_TEST_SYNC_FAIL=$TMP/fail HOTMEM_TEST_SYNC_HOLD=$TMP/hold
plugged() { ctl --json status | python3 -c 'import json,sys; print([d["plugged-size"] for d in json.load(sys.stdin)["devices"] if d["id"] == "vm0"][0])'; }
# probes: how many times the guest's driver probed a virtio-mem device
probes() { ctl dmesg | grep -c "virtio_mem virtio0: start address"; }

LD_PRELOAD=$SHIM start_fs_netns "${STATE_OPTS[@]}" --fresh
tap_ok $? "hotmemfs mounts qemu-512m with a fresh state file"
ctl device_add virtio-mem-pci id=vm0 size=3G requested-size=1536M >/dev/null
is "$(plugged)" $((1 << 30)) "virtio-mem vm0 requested 1.5G: 1G plugged, the driver waits for an online"
echo online_movable >"$M/memory32/state"
is "$(plugged)" $((1152 << 20)) "memory32 onlined to Movable, and the driver plugs memory40"
echo online_kernel >"$M/memory40/state"
tap_ok $? "memory40 onlined to Normal"
echo online_movable >"$M/auto_online_blocks"
tap_ok $? "auto_online_blocks online_movable: what the driver adds next comes online"
chmod 600 "$M/memory40/state"
tap_ok $? "memory40/state chmod 600"
EXPECT=$(snapshot)
: >"$TMP/hold"
: >"$TMP/fail"
echo online_movable 2>"$TMP/err" >"$M/memory33/state" &
WRITER=$!
held_wait
tap_ok $? "memory33 onlined, its journal fdatasync() held"
is "$(plugged)" $((1536 << 20)) "... and the driver plugged memory41-43, online"
ctl fail-nth-alloc 1 >/dev/null
tap_ok $? "the engine's next allocation will fail"
rm "$TMP/hold"
wait_exit "$WRITER" 60
is "$?" 1 "the fdatasync() fails: memory33's online is refused"
ctl dmesg | grep -q "removing memory block memory4[123] failed: -12; its sub-blocks .* are plugged back"
tap_ok $? "... the exact unplug of what the driver plugged is refused (a removal of memory41-43)"
is "$(probes)" 2 "... so vm0 is taken out and brought back whole"
same_text "$(snapshot)" "$EXPECT" "... the machine as before: vm0 1152M plugged, memory32 Movable and memory40 Normal online, memory33 offline"
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
echo online_movable >"$M/memory33/state"
tap_ok $? "memory33's online is taken now"
done_testing
