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

done_testing
