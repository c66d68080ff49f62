#!/bin/bash
# Memory added through `probe` comes back after a restart, clean or
# kill -9, in the state and zone it had (#16.4): the state file keeps
# probed memory, not only its blocks' states.
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory
cat >"$TMP/probe.profile" <<'PROF'
profile = default
name = probe-state
probe = yes
PROF
OPTS=(--profile "$TMP/probe.profile")

start_fs_netns "${OPTS[@]}" --fresh
tap_ok $? "hotmemfs mounts a machine with probe"
echo 0x200000000 >"$M/probe" && echo 0x208000000 >"$M/probe" && echo 0x220000000 >"$M/probe"
tap_ok $? "three blocks probed (two adjacent)"
echo online_movable >"$M/memory64/state" && echo online_kernel >"$M/memory68/state"
tap_ok $? "memory64 online_movable, memory68 online_kernel, memory65 offline"
want=$(sysfs_blocks)
EXPECT=$(snapshot)

stop_fs
start_fs_netns "${OPTS[@]}"
tap_ok $? "clean restart"
same_text "$(sysfs_blocks)" "$want" "... the probed blocks are back, states and zones as they were"
same_text "$(snapshot)" "$EXPECT" "... and the machine is the same"

kill9_fs
start_fs_netns "${OPTS[@]}"
tap_ok $? "restart after kill -9"
same_text "$(sysfs_blocks)" "$want" "... the probed blocks are back again"
ctl check >/dev/null
tap_ok $? "invariants hold"
! grep -q "are not present" "$TMP/hotmemfs.log"
tap_ok $? "no block of the state file went missing"
done_testing
