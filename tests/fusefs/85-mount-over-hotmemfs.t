#!/bin/bash
# hotmemfs refuses a mountpoint that is a running hotmemfs's mount -- it
# mounted a second machine over the first without a word, and made its
# state file -- and its startup line always names the state file: the
# default one is the system's (usereye #14).  A dead hotmemfs's mount is
# still detached and mounted over (06-restore.t).
. "$(dirname "$0")/lib.sh"
set -u
require_env
start_fs
tap_ok $? "hotmemfs mounts"
grep -q "control $CTL, state $STATE: new\$" "$TMP/hotmemfs.log"
tap_ok $? "its startup line names the state file, new"

"$HMFS" --control "$TMP/ctl2.sock" --state "$TMP/state2.json" "$MNT" 2>"$TMP/second.err" &
SECOND=$!
wait_exit "$SECOND" 30
is "$?" 1 "a second hotmemfs on the same mountpoint exits 1"
diag "$(cat "$TMP/second.err")"
grep -q "hotmemfs: $MNT is the mount of a running hotmemfs" "$TMP/second.err"
tap_ok $? "... saying why"
[ ! -e "$TMP/state2.json" ] && [ ! -e "$TMP/ctl2.sock" ]
tap_ok $? "... before making its state file or control socket"
is "$(findmnt -rn -o FSTYPE "$MNT" | wc -l)" 1 "... one hotmemfs mount on it, the first"
ctl status >/dev/null && cat "$MNT/sys/devices/system/memory/block_size_bytes" >/dev/null
tap_ok $? "... which still answers"

stop_fs
start_fs
tap_ok $? "hotmemfs mounts again"
grep -q "control $CTL, state $STATE: restored\$" "$TMP/hotmemfs.log"
tap_ok $? "its startup line names the state file, restored"
stop_fs
start_fs --state none
tap_ok $? "hotmemfs mounts with --state none"
grep -q "control $CTL, state none\$" "$TMP/hotmemfs.log"
tap_ok $? "its startup line says state none"
done_testing
