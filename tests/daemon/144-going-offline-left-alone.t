#!/bin/bash
# A block an admin is offlining reads "going-offline" while its pages
# migrate (6.12 memory_block_change_state(), under the device hotplug
# lock).  hotmemd's start meets it: it is not offline, it is being
# offlined -- left alone.  Taken as offline (reread36 R4), hotmemd wrote
# online_movable: the write waited in lock_device_hotplug_sysfs()'s
# restart loop (no READY=1 while the offline lasted) and onlined the
# block the moment the admin's offline was done.  Here on hotmemfs: a
# DIMM online Movable, the machine's memory filled so the offline loops
# migrating ("until a signal"), hotmemd started, then the memory freed.
. "$(dirname "$0")/lib.sh"
need_hotmemd
need_hotmemfs_in_netns "$@"
fs_paths
mount_hotmemfs "$mnt" "$ctl" "$sock"
c() { "$CTL" -s "$ctl" "$@"; }
check "plug a DIMM of two blocks" plug 1 2
echo online_movable >"$mem/memory32/state"
echo online_movable >"$mem/memory33/state"
# its pages have nowhere to go: the offline migrates until memory is freed
c alloc movable 65530 >/dev/null
c alloc unmovable 1000000 >/dev/null
(
	echo offline >"$mem/memory32/state"
	echo "$?" >"$TMP/off.rc"
) &
offp=$!
going() { [ "$(cat "$mem/memory32/state")" = going-offline ]; }
check "the admin's offline of memory32 runs (going-offline)" wait_for 10 going
hotmemd_on_sock --policy online_movable --log-level debug
check "... hotmemd says it leaves memory32 alone" \
	grep -q "memory32: being offlined by someone else (going-offline): left alone" "$log"
check "... and the offline still runs" going
c free-all >/dev/null
wait "$offp"
is "$(cat "$TMP/off.rc")" 0 "memory freed: the admin's offline succeeds"
check "hotmemd hears its OFFLINE" wait_for 10 grep -q "memory32: uevent offline" "$log"
# the OFFLINE was the last uevent: what hotmemd does with it is done once
# its status (SIGUSR1, the same loop) is said
kill -USR1 "$dpid"
check "... status said" wait_for 10 grep -q "status: .*blocks present" "$log"
is "$(cat "$mem/memory32/state")" offline "memory32, offlined by the admin, stays offline"
check "... hotmemd wrote nothing to it" bash -c "! grep -q 'memory32: online' '$log'"
grep "memory32\|status:" "$log" | sed 's/^/# log: /'
done_testing
