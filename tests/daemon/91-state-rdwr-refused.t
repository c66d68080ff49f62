#!/bin/bash
# A block decided on its ADD is read and written through one O_RDWR open
# of its state (daemon/sysfs.c hmd_state_open()).  Where that open is
# refused -- a state file chmod 0444: root's O_RDWR and O_WRONLY are then
# EACCES on sysfs (kernfs_fop_open(), KERNFS_ROOT_EXTRA_OPEN_PERM_CHECK),
# and on hotmemfs -- the block is read and written as before: its state
# read, the write's own EACCES a give-up, said as at the coldplug.  Back
# to 0644, the next ADD onlines it.
. "$(dirname "$0")/lib.sh"
need_hotmemd
need_hotmemfs_in_netns "$@"
need_built "$UEVENT_SEND"
fs_paths
mount_hotmemfs "$mnt" "$ctl" "$sock"
check "plug a DIMM while no hotmemd runs" plug 1 1
st=$mem/memory32/state
is "$(cat "$st")" offline "memory32 offline"
check "chmod 0444 memory32/state" chmod 0444 "$st"
hotmemd_on_sock --policy online_movable --log-level debug
refused="memory32: gave up onlining: online_movable: Permission denied"
check "the coldplug's write is refused: a give-up" wait_for 10 grep -q "$refused" "$log"
check "an ADD of memory32" "$UEVENT_SEND" --unix "$sock" add 32
check "... its write is refused the same way" wait_for 10 \
	bash -c '[ "$(grep -c "$1" "$2")" -ge 2 ]' _ "$refused" "$log"
grep "memory32" "$log" | sed 's/^/# /'
is "$(grep -c "memory32: cannot read state" "$log")" 0 "... its state was read (O_RDONLY, as before)"
is "$(cat "$st")" offline "memory32 still offline"
check "chmod 0644 memory32/state" chmod 0644 "$st"
check "another ADD of memory32" "$UEVENT_SEND" --unix "$sock" add 32
check "... onlines it" wait_for 10 grep -q "memory32: online_movable" "$log"
is "$(cat "$st")" online "memory32 online"
done_testing
