#!/bin/bash
# A tree detached from outside while a file in it is open (umount -l,
# fusermount3 -u -z) keeps hotmemfs's session going, and its mountpoint
# then names what hotmemfs was mounted over.  A SIGTERM after that left
# that filesystem alone only by chance: libfuse's own unmount went by
# path (umount2(MNT_DETACH)) and took it off (as review10 D1's second
# signal did).  Here a tmpfs is under hotmemfs.
. "$(dirname "$0")/lib.sh"
set -u
require_env
trap 'in_test_shell && { umount -l "$MNT" 2>/dev/null; umount -l "$MNT" 2>/dev/null; }; cleanup' EXIT
mount -t tmpfs hotmemfs-test-base "$MNT" && echo marker >"$MNT/marker"
tap_ok $? "a tmpfs at the mountpoint"
mount_fs "hotmemfs mounts over it" --state none

exec 7<"$MNT/sys/devices/system/memory/block_size_bytes"
umount -l "$MNT"
tap_ok $? "umount -l of hotmemfs's tree, a file in it still open"
[ "$(findmnt -rn -o FSTYPE "$MNT")" = tmpfs ] && kill -0 "$FS_PID"
tap_ok $? "... the mountpoint names the tmpfs, hotmemfs runs on"

kill -TERM "$FS_PID"
wait_exit "$FS_PID" 60
is "$?" 0 "SIGTERM: hotmemfs stops (status 0)"
FS_PID=
exec 7<&-
findmnt -rn -t tmpfs "$MNT" >/dev/null && [ "$(cat "$MNT/marker" 2>/dev/null)" = marker ]
tap_ok $? "... and the tmpfs it was mounted over is still mounted"
grep -q "$MNT is no longer hotmemfs's mount (unmounted from outside): not detaching" "$TMP/hotmemfs.log"
tap_ok $? "... saying why it detached nothing"
end_fs_stopped
done_testing
