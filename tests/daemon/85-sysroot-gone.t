#!/bin/bash
# hotmemd on hotmemfs started by hand, no systemd (README's third hotmemd
# line; usereye4 #16): hotmemfs killed with SIGKILL under blocks hotmemd
# has not decided yet.  hotmemd says once that its sysroot's filesystem is
# gone (not one "cannot read state" a block), stays up, and once hotmemfs
# is mounted again on its state file it notices (/proc/self/mountinfo) and
# its coldplug onlines the blocks left offline.
. "$(dirname "$0")/lib.sh"
need_hotmemd
need_hotmemfs_in_netns "$@"
fs_paths
# hotmemfs on a private state file, its uevents to hotmemd's socket
fs_start() { hotmemfs_start "$mnt" "$ctl" "$sock" "$TMP/fs/hotmemfs.state"; }
mkdir -p "$TMP/fs"
mount_hotmemfs "$mnt" "$ctl" "$sock" "$TMP/fs/hotmemfs.state"
hotmemd_on_sock --policy online_movable
. "$(dirname "$0")/hot_blocks.sh"
check "plug a DIMM" plug 1 1
check "... online" wait_for 10 all_online 1

boot_id=$(cat "$mnt/proc/sys/kernel/random/boot_id")
uuid4='^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'
check "hotmemfs serves proc/sys/kernel/random/boot_id, a version-4 UUID" \
	eval '[[ $boot_id =~ $uuid4 ]]'

# hotmemd stopped, 4 DIMMs plugged (their ADDs wait in its socket), then
# hotmemfs killed: hotmemd wakes to 4 blocks on a dead mount
kill -STOP "$dpid"
check "hotmemd stopped (SIGSTOP), 4 DIMMs plugged" plug 2 5
is "$(hot_states | grep -c offline)" 4 "... their 4 blocks offline"
kill -9 "$fs_pid"
wait_exit "$fs_pid" 10 >/dev/null 2>&1
kill -CONT "$dpid"
check "SIGKILL of hotmemfs: hotmemd says its sysroot's filesystem is gone" \
	wait_for 10 grep -q "sysroot $mnt: its filesystem is gone (ENOTCONN" "$log"
grep "filesystem is gone" "$log" | sed 's/^/# /'
is "$(grep -c 'filesystem is gone' "$log")" 1 "... once"
is "$(grep -c -e 'cannot read state' -e 'gave up' "$log")" 0 "... and nothing a block (no 'cannot read state', no give-up)"
check "... hotmemd still running" kill -0 "$dpid"

check "hotmemfs mounted again on its state file" fs_start
# hotmemfs's restore line says what came back (usereye4 #5): 8 boot blocks
# and d1's online, d2-d5's offline, hotmemd not at them yet
check "hotmemfs: 'restored ...: 5 devices, 13 blocks (9 online)', allocations not saved" \
	grep -q "restored the machine from $TMP/fs/hotmemfs.state: 5 devices, 13 blocks (9 online); workload allocations (hotmemctl alloc) are not saved" "$TMP/fs.log"
check "hotmemd notices: 'sysroot ... is back: coldplug'" wait_for 20 grep -q "sysroot $mnt is back: coldplug" "$log"
check "... its coldplug onlines the 4 blocks left offline" wait_for 20 all_online 5
check "... hotmemd still running" kill -0 "$dpid"
# the same machine (finalJ J1): hotmemfs restored its boot_id with the
# state file, so hotmemd keeps its boot-blocks record, no re-anchoring
is "$(cat "$mnt/proc/sys/kernel/random/boot_id")" "$boot_id" \
	"hotmemfs restarted on its state file: the same boot_id"
is "$(grep -c 'describes another machine' "$log")" 0 \
	"... hotmemd keeps its boot-blocks record (no 'describes another machine')"
tail -4 "$log" | sed 's/^/# hotmemd: /'
done_testing
