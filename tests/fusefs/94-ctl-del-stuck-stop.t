#!/bin/bash
# A device_del whose reply waits for its REMOVE (the notifier stuck in the
# kernel behind a reader holding memory/'s lock, as in 71-stop-wait.t)
# while hotmemfs stops: the stop gives up on the notifier after
# --stop-wait, removes its control socket and exits 1.  The device_del
# waited on for its uevents (up to 60 s) and the stop exited without its
# reply: hotmemctl said hotmemfs stopped before replying, whether d1 was
# removed unknown.  Now the stop ends that wait when it gives up, and
# lets the reply out before it exits: "done (uevents not delivered:
# hotmemfs is stopping)", exit 0 -- the change is made, and the restart
# shows d1 removed.  A hotmemfs killed (-9) leaves its socket: "stopping
# or crashed?", whether d1 was removed not known.
. "$(dirname "$0")/lib.sh"
require_env
require_uffd

mount_fs "hotmemfs mounts (--stop-wait 2)" --fresh --stop-wait 2
ctl device_add pc-dimm id=d1 size=128M >/dev/null && ctl settle >/dev/null
tap_ok $? "a DIMM"
must_hold_dir "$MNT/sys/devices/system/memory" a
timeout 120 "$HMCTL" -s "$CTL" device_del d1 >"$TMP/del.out" 2>"$TMP/del.err" &
DEL=$!
notifier_stalled
tap_ok $? "device_del: its REMOVE stuck in the notifier"
kill -TERM "$FS_PID"
unmounted 60
tap_ok $? "SIGTERM: after --stop-wait the tree is detached, the notifier still in the kernel"
wait_gone "$DEL" 60
tap_ok $? "device_del's hotmemctl ended"
wait "$DEL"
is "$?" 0 "... exit status 0: d1 removed"
is "$(cat "$TMP/del.out" "$TMP/del.err")" "d1: removed
done (uevents not delivered: hotmemfs is stopping)" \
	"... d1 removed, saying its uevents were not delivered: hotmemfs is stopping"
kill -0 "$FS_PID" 2>/dev/null
tap_ok $? "... before hotmemfs has exited (its notifier still in the kernel)"
grep -q "exiting without its reply" "$TMP/hotmemfs.log"
tap_ok $((!$?)) "... no reply left behind"
stuck_stop_ends 1 "the notifier was left behind"
start_fs
tap_ok $? "hotmemfs restarts from its state file"
ctl devices | grep -q "^d1 "
tap_ok $((!$?)) "... where \`hotmemctl devices\` shows d1 removed (the stop saved it)"

# killed, not stopped: the socket stays
stuck_device_del
kill -9 "$FS_PID"
# its last thread, stuck in the kernel, holds the exit (and the socket's
# close) until the reader lets go (bash's "Killed" notice of it, reaped
# meanwhile, kept off the test's stderr)
holder_release 2>/dev/null
tap_ok $? "the reader let go: $(cat "$TMP/a.out")"
wait_exit "$FS_PID" 60
is "$?" 137 "hotmemfs killed"
FS_PID=
umount -l "$MNT" 2>/dev/null
wait_gone "$DEL" 60
tap_ok $? "device_del's hotmemctl ended"
wait "$DEL"
is "$?" 1 "killed: device_del's hotmemctl: exit status 1"
is "$(cat "$TMP/del.err")" \
	"hotmemctl: $CTL: hotmemfs closed the connection without replying: stopping or crashed?: whether d1 was removed is not known here; once hotmemfs runs again from its state file, \`hotmemctl devices\` shows whether it is there" \
	"... stopping or crashed (its socket left), whether d1 was removed not known"
done_testing
