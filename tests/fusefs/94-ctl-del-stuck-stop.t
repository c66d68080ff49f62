#!/bin/bash
# A device_del whose reply waits for its REMOVE (the notifier stuck in the
# kernel behind a reader holding memory/'s lock, as in 71-stop-wait.t)
# while hotmemfs stops: the stop gives up on the notifier after
# --stop-wait, removes its control socket and exits without that reply.
# hotmemctl said only "hotmemfs closed the connection without replying:
# stopping or crashed?"; now it says hotmemfs stopped (its socket gone: a
# stop, not a crash), that whether d1 was removed is not known to it, and
# where to look -- and that place says what is true (here: removed, the
# stop saved it).  A hotmemfs killed (-9) leaves its socket: "stopping or
# crashed?", the same unknown said.
. "$(dirname "$0")/lib.sh"
require_env
require_uffd

mount_fs "hotmemfs mounts (--stop-wait 2)" --fresh --stop-wait 2
stuck_device_del
kill -TERM "$FS_PID"
unmounted 60
tap_ok $? "SIGTERM: after --stop-wait the tree is detached, the notifier still in the kernel"
stuck_stop_ends 1 "the notifier was left behind"
wait "$DEL"
is "$?" 1 "device_del's hotmemctl: exit status 1"
is "$(cat "$TMP/del.err")" \
	"hotmemctl: $CTL: hotmemfs stopped before replying (it removed its control socket: a stop, not a crash; one that gives up waiting for its notifier exits without the replies still waiting for it): whether d1 was removed is not known here; once hotmemfs runs again from its state file, \`hotmemctl devices\` shows whether it is there" \
	"... saying hotmemfs stopped, that whether d1 was removed is not known, where to look"
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
