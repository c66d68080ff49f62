#!/bin/bash
# A hotmemfs killed (-9) under an idle hotmemd in a mount namespace of its
# own (`ip netns exec` where / is private, as in Docker): the dead mount
# stays (ENOTCONN, no unmount), so the mount table never changes, and
# without a uevent nothing touched the sysroot: hotmemd ran on silently,
# looked alive, and exited only at the first plug after hotmemfs was back,
# leaving that plug's blocks offline (usereye9 F6).  Its FUSE sysroot is
# now asked every few seconds (one STATFS, sysroot.c): alone in its
# namespace it exits 1 with no uevent at all; with another process there
# it says it waits.  30 s is a hang guard, not a speed goal.
. "$(dirname "$0")/lib.sh"
need_hotmemd
need_hotmemfs_in_netns "$@"
. "$(dirname "$0")/mntns.sh"
in_own_mntns "$@"
kill_fs() {
	kill -9 "$fs_pid"
	wait_exit "$fs_pid" 10 >/dev/null 2>&1
	true
}

# 1. alone in its namespace: exits 1 though no uevent ever comes
mount_hotmemfs "$mnt" "$ctl" "$sock" "$TMP/fs/hotmemfs.state"
hotmemd_in_ns unchanged "$TMP/hotmemd1.log"
check "plug a DIMM" plug 1 1
check "... online" wait_for 10 all_online 1
check "hotmemfs killed (-9), nothing plugged after" kill_fs
wait_exit "$dpid" 30 >/dev/null 2>&1
is "$?" 1 "hotmemd exits 1 with no uevent (137: still running after 30 s)"
grep "filesystem is gone" "$log" | sed 's/^/# /'
check "... saying why and what to do" \
	grep -q "sysroot $mnt: its filesystem is gone (ENOTCONN: its FUSE server, hotmemfs, died?), and the mount it sits on is private in hotmemd's own mount namespace.*: exiting; start hotmemd again once hotmemfs is back" "$log"

# 2. another process in its namespace: it says, with no uevent, that it waits
check "hotmemfs mounted again on its state file" hotmemfs_start "$mnt" "$ctl" "$sock" "$TMP/fs/hotmemfs.state"
hotmemd_in_ns unchanged "$TMP/hotmemd2.log" companion
check "hotmemfs killed (-9), nothing plugged after" kill_fs
check "hotmemd says its sysroot is gone and it waits (30 s guard)" \
	wait_for 30 grep -q "sysroot $mnt: its filesystem is gone (ENOTCONN: its FUSE server, hotmemfs, died?): waiting for it to be mounted again" "$log"
check "... hotmemd still running" kill -0 "$dpid"
kill "$dpid"
wait_exit "$dpid" 10 >/dev/null 2>&1
fusermount3 -uz "$mnt"
done_testing
