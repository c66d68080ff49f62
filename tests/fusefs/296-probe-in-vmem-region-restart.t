#!/bin/bash
# abuse24 A8 with a state file: a block probed into a virtio-mem device's
# region, before the driver added one of its own, is acknowledged, so it
# is saved and a restart after kill -9 restores it (with the device).  Its
# first online after the restart -- hotmemd's coldplug would do it at
# once -- must be refused as before the restart (EPERM, "memory block
# onlining denied"), not end hotmemfs: every restart died there, and the
# machine could not be started again.  Without the engine's fix
# (virtio_mem.c virtio_mem_has_state()) checks 3 and 7 fail (ECONNABORTED:
# hotmemfs is gone), and 8 and 9 with the second.
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory
OPTS=(--profile "$TMP/probe.profile")

printf 'profile = default\nname = probe-vmem\nprobe = yes\n' >"$TMP/probe.profile"
mount_fs "hotmemfs mounts (the probe interface, a state file)" --fresh "${OPTS[@]}"
ctl device_add virtio-mem-pci size=512M id=v >/dev/null && echo 0x100000000 >"$M/probe"
tap_ok $? "a virtio-mem device at 0x100000000 with nothing plugged, a block probed inside it"
err=$( { echo online_movable >"$M/memory32/state"; } 2>&1)
is_like "$err" "*Operation not permitted*" "memory32's online is refused: EPERM"

kill9_fs
mount_fs "kill -9, restart on the state file" "${OPTS[@]}"
is "$(cat "$M/memory32/state" 2>&1)" offline "the probe was restored: memory32, offline"
grep -A1 ": virtio0$" "$MNT/proc/iomem" | tail -1 | grep -q "^  100000000-107ffffff : System RAM$"
tap_ok $? "... nested under the restored device's region in /proc/iomem"
err=$( { echo online_movable >"$M/memory32/state"; } 2>&1)
is_like "$err" "*Operation not permitted*" "memory32's first online after the restart is refused: EPERM"
kill -0 "$FS_PID"
tap_ok $? "hotmemfs is still there"
ctl check >/dev/null
tap_ok $? "invariants hold"
done_testing
