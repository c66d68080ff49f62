#!/bin/bash
# 97's reverse case (finalJ J2): the hotmemfs mount itself shared-tagged
# (mount --make-shared), the mount it sits on private, hotmemd in a mount
# namespace of its own where both keep their propagation.  A new mount and
# an unmount travel by the PARENT's peer group (6.12 fs/pnode.c
# propagate_mnt() on dest_mnt, __propagate_umount() over mnt_parent);
# hotmemfs detaches a dead one's mount before it mounts anew on the same
# path, so the next mount is made on that private parent and never
# reaches hotmemd's namespace, whatever the sysroot's own shared: tag says.
# Alone there, hotmemd says so and exits 1; judged by the mount's own tag
# (before b2dc18f8) it promised to wait and waited for ever.  With another
# process in its namespace it waits, saying only a mount made there is seen.
. "$(dirname "$0")/lib.sh"
need_hotmemd
need_hotmemfs_in_netns "$@"
need_tool findmnt util-linux
. "$(dirname "$0")/mntns.sh"
in_own_mntns "$@"
# the propagation findmnt says of $mnt and of the mount it sits on
propagation() {
	echo "$(findmnt -no PROPAGATION "$mnt") under $(findmnt -no PROPAGATION -T "$(dirname "$mnt")")"
}

# 1. hotmemd alone in its namespace: exits 1
mount_hotmemfs "$mnt" "$ctl" "$sock" "$TMP/fs/hotmemfs.state"
check "the hotmemfs mount made shared" mount --make-shared "$mnt"
is "$(propagation)" "shared under private" "... its parent private"
hotmemd_in_ns unchanged "$TMP/hotmemd1.log"
check "plug a DIMM" plug 1 1
check "... online" wait_for 10 all_online 1
check "hotmemfs killed under 2 DIMMs' ADDs" kill_fs_under_hotmemd 2 3
wait_exit "$dpid" 10 >/dev/null 2>&1
is "$?" 1 "hotmemd exits 1 (137: still waiting after 10 s, judged by the mount's own shared: tag)"
grep "filesystem is gone" "$log" | sed 's/^/# /'
check "... saying the mount it sits on is private in its own namespace, what to do" \
	grep -q "sysroot $mnt: its filesystem is gone (ENOTCONN: its FUSE server, hotmemfs, died?), and the mount it sits on is private in hotmemd's own mount namespace (ip netns exec where / is not a shared mount?): no new mount can reach it here: exiting; start hotmemd again once hotmemfs is back" "$log"
is "$(grep -c 'waiting for it to be mounted again' "$log")" 0 "... and no promise to wait"

# 2. another process in hotmemd's namespace: a mount made there would be
# seen, so it waits, saying for what
check "hotmemfs mounted again on its state file" hotmemfs_start "$mnt" "$ctl" "$sock" "$TMP/fs/hotmemfs.state"
check "the hotmemfs mount made shared" mount --make-shared "$mnt"
is "$(propagation)" "shared under private" "... its parent private"
hotmemd_in_ns unchanged "$TMP/hotmemd2.log" companion
check "... its coldplug onlines the 2 DIMMs left offline" wait_for 20 all_online 3
check "hotmemfs killed under 2 DIMMs' ADDs" kill_fs_under_hotmemd 4 5
check "hotmemd says it waits for a mount in its own namespace, one elsewhere not seen" \
	wait_for 10 grep -q "sysroot $mnt: its filesystem is gone (ENOTCONN: its FUSE server, hotmemfs, died?): waiting for it to be mounted again in hotmemd's mount namespace (a mount made in this namespace is seen; the mount it sits on is private there, so one made in another namespace is not: restart hotmemd then)" "$log"
check "... hotmemd still running" kill -0 "$dpid"
kill "$dpid"
wait_exit "$dpid" 10 >/dev/null 2>&1
fusermount3 -uz "$mnt"
done_testing
