#!/bin/bash
# A stop that gives up on the notifier (stuck in the kernel behind a
# reader holding memory/'s lock, 71-stop-wait.t) and whose final save then
# fails (the state file's filesystem full): its give-up line said "the
# session ends, the machine is saved to FILE" -- before the save, whatever
# became of it -- above "the machine is not saved at exit" (review12 N1).
# It says the save is tried now; the last line says it failed.
. "$(dirname "$0")/lib.sh"
require_env
require_uffd
SD=$TMP/statedir
mkdir -p "$SD"
mount -t tmpfs -o size=512k,mode=0700 hotmem-stop-full "$SD" || skip_all "cannot mount a tmpfs"
trap 'in_test_shell && { stop_fs; umount -l "$SD" 2>/dev/null; cleanup; }' EXIT
STATE=$SD/hotmemfs.state

mount_fs "hotmemfs mounts (its state file on a 512k tmpfs, --stop-wait 2)" --fresh --stop-wait 2
stuck_device_del
dd if=/dev/zero of="$SD/fill" bs=4k 2>/dev/null
dd if=/dev/zero of="$SD/fill2" bs=512 2>/dev/null
df -k "$SD" | awk 'NR == 2 { exit $4 != 0 }'
tap_ok $? "the state file's filesystem full"
kill -TERM "$FS_PID"
unmounted 60
tap_ok $? "SIGTERM: after --stop-wait the tree is detached, the notifier still in the kernel"
log_says "hotmemfs: detaching .* and exiting without the notifier" 10
tap_ok $? "... hotmemfs says it exits without the notifier"
grep -q "hotmemfs: stop: the notifier is still inside the kernel after 2.000 s" "$TMP/hotmemfs.log"
tap_ok $? "... that it gives up on the notifier"
! grep -q "machine is saved to" "$TMP/hotmemfs.log"
tap_ok $? "... never that the machine is saved"
grep -q "stopping without it: the session ends, the final save to $STATE is tried, the tree detached" "$TMP/hotmemfs.log"
tap_ok $? "... but that the final save is tried"
grep -q "hotmemfs: detaching $MNT and exiting without the notifier; the machine not saved at exit\$" "$TMP/hotmemfs.log"
tap_ok $? "... and, last, that it was not saved"
stuck_stop_ends 1 "the notifier was left behind"
done_testing
