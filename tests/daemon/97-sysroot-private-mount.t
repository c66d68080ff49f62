#!/bin/bash
# hotmemd in a mount namespace of its own, as `ip netns exec` gives it,
# where / is private (Docker, an `unshare -m` shell; usereye8 #1): when
# hotmemfs dies, neither its unmount nor a new hotmemfs mount made outside
# ever reaches hotmemd's namespace, so the mountinfo watch of 85 could
# never fire.  hotmemd, alone in that namespace, says so and exits 1,
# rather than "waiting for it to be mounted again" for ever.  With / shared
# and hotmemd's namespace its slave (what ip netns exec makes of a systemd
# host's /), the new mount does arrive: hotmemd waits and its coldplug
# onlines what was plugged meanwhile.  Propagation is the PARENT's (6.12
# fs/pnode.c propagate_mnt() on dest_mnt, __propagate_umount() over
# mnt_parent): a hotmemfs mount made private under that shared / still
# sees the next mount arrive, so hotmemd waits there too (finalJ J2).
. "$(dirname "$0")/lib.sh"
need_hotmemd
need_hotmemfs_in_netns "$@"
. "$(dirname "$0")/mntns.sh"
in_own_mntns "$@"

# 1. / private (this namespace's, as unshare -m left it)
echo "# / is $(findmnt -no PROPAGATION /)"
mount_hotmemfs "$mnt" "$ctl" "$sock" "$TMP/fs/hotmemfs.state"
hotmemd_in_ns private "$TMP/hotmemd1.log"
check "plug a DIMM" plug 1 1
check "... online" wait_for 10 all_online 1
check "hotmemfs killed under 2 DIMMs' ADDs" kill_fs_under_hotmemd 2 3
wait_exit "$dpid" 10 >/dev/null 2>&1
is "$?" 1 "hotmemd exits 1 (137: still waiting after 10 s)"
grep "filesystem is gone" "$log" | sed 's/^/# /'
check "... saying its mount is private in its own namespace, that no new mount can reach it, what to do" \
	grep -q "sysroot $mnt: its filesystem is gone (ENOTCONN: its FUSE server, hotmemfs, died?), and the mount it sits on is private in hotmemd's own mount namespace (ip netns exec where / is not a shared mount?): no new mount can reach it here: exiting; start hotmemd again once hotmemfs is back (its coldplug onlines what is offline but the blocks someone else offlined this boot), or make / shared (mount --make-rshared /) before starting both" "$log"
is "$(grep -c 'waiting for it to be mounted again' "$log")" 0 "... and no promise to wait"
fusermount3 -uz "$mnt"

# 1b. / private, another process in hotmemd's namespace (a shell there):
# a mount made in it would be seen, so hotmemd waits, and says for what
check "hotmemfs mounted again on its state file" hotmemfs_start "$mnt" "$ctl" "$sock" "$TMP/fs/hotmemfs.state"
hotmemd_in_ns private "$TMP/hotmemd1b.log" companion
check "... its coldplug onlines the 2 DIMMs left offline" wait_for 20 all_online 3
check "hotmemfs killed under 2 DIMMs' ADDs" kill_fs_under_hotmemd 4 5
check "hotmemd says it waits for a mount in its own namespace, one elsewhere not seen" \
	wait_for 10 grep -q "sysroot $mnt: its filesystem is gone (ENOTCONN: its FUSE server, hotmemfs, died?): waiting for it to be mounted again in hotmemd's mount namespace (a mount made in this namespace is seen; the mount it sits on is private there, so one made in another namespace is not: restart hotmemd then), then a coldplug onlines what is offline but the blocks someone else offlined this boot" "$log"
check "... hotmemd still running" kill -0 "$dpid"
kill "$dpid"
wait_exit "$dpid" 10 >/dev/null 2>&1
fusermount3 -uz "$mnt"
# its hotmemfs gone before the next takes the state file (a lock)
wait_exit "$fs_pid" 10 >/dev/null 2>&1

# 2. / shared, hotmemd's namespace its slave: the new mount arrives
mount --make-rshared /
check "hotmemfs mounted again on its state file" hotmemfs_start "$mnt" "$ctl" "$sock" "$TMP/fs/hotmemfs.state"
hotmemd_in_ns slave "$TMP/hotmemd2.log"
check "... its coldplug onlines the 2 DIMMs left offline" wait_for 20 all_online 5
check "hotmemfs killed under 2 DIMMs' ADDs" kill_fs_under_hotmemd 6 7
check "hotmemd says it waits for the mount" \
	wait_for 10 grep -q "sysroot $mnt: its filesystem is gone (ENOTCONN: its FUSE server, hotmemfs, died?): waiting for it to be mounted again, then a coldplug" "$log"
check "hotmemfs mounted again" hotmemfs_start "$mnt" "$ctl" "$sock" "$TMP/fs/hotmemfs.state"
check "hotmemd notices: 'sysroot ... is back: coldplug'" wait_for 20 grep -q "sysroot $mnt is back: coldplug" "$log"
check "... its coldplug onlines the 2 blocks left offline" wait_for 20 all_online 7
check "... hotmemd still running" kill -0 "$dpid"
kill "$dpid"
wait_exit "$dpid" 10 >/dev/null 2>&1
fusermount3 -uz "$mnt"
# its hotmemfs gone before the next takes the state file (a lock)
wait_exit "$fs_pid" 10 >/dev/null 2>&1

# 3. / shared, the hotmemfs mount itself made private (mount
# --make-private), hotmemd alone in its slave namespace: the mount's own
# tag says private, its parent's says master:, and the next mount made on
# that parent does arrive: hotmemd waits, it does not exit
check "hotmemfs mounted again on its state file" hotmemfs_start "$mnt" "$ctl" "$sock" "$TMP/fs/hotmemfs.state"
check "its mount made private (its parent / rshared)" mount --make-private "$mnt"
echo "# $mnt is $(findmnt -no PROPAGATION "$mnt"), / is $(findmnt -no PROPAGATION /)"
hotmemd_in_ns slave "$TMP/hotmemd3.log"
check "... its coldplug onlines the 2 DIMMs left offline" wait_for 20 all_online 7
check "hotmemfs killed under 2 DIMMs' ADDs" kill_fs_under_hotmemd 8 9
check "hotmemd says it waits for the mount" \
	wait_for 10 grep -q "sysroot $mnt: its filesystem is gone (ENOTCONN: its FUSE server, hotmemfs, died?): waiting for it to be mounted again, then a coldplug" "$log"
is "$(grep -c 'exiting' "$log")" 0 "... and does not exit"
check "hotmemfs mounted again" hotmemfs_start "$mnt" "$ctl" "$sock" "$TMP/fs/hotmemfs.state"
check "hotmemd notices: 'sysroot ... is back: coldplug'" wait_for 20 grep -q "sysroot $mnt is back: coldplug" "$log"
check "... its coldplug onlines the 2 blocks left offline" wait_for 20 all_online 9
check "... hotmemd still running" kill -0 "$dpid"
done_testing
