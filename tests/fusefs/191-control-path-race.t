#!/bin/bash
# A file that is no socket put at --control after the start's check
# (main.c refuse_foreign_file()) and before hotmemfs binds its socket: it
# stays, and hotmemfs says what is there in the start check's words
# (reread-fusefs #5: bind()'s bare "Address already in use").  The race
# is made with gdb: hotmemfs stopped where it starts its control socket,
# the file made then.  Every file is in $TMP.
. "$(dirname "$0")/lib.sh"
set -u
private_mount_ns "$@"
require_env
need_tool gdb gdb

D=$TMP/d
mkdir -p "$D"
# LeakSanitizer cannot run under ptrace (make check SANITIZE=...): off there
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
# hotmemfs under gdb until its control socket starts; FILE made there; its exit and stderr
timeout 120 gdb -q -batch -ex 'set breakpoint pending on' -ex 'break hmfs_ctl_start' -ex run \
	-ex "shell echo precious >'$D/ctl'" -ex continue \
	--args "$HMFS" -S none --netns none --control "$D/ctl" "$MNT" >"$TMP/gdb.out" 2>"$TMP/err"
grep -q 'Breakpoint 1, hmfs_ctl_start' "$TMP/gdb.out"
tap_ok $? "hotmemfs stopped where it starts its control socket, past the start's check" ||
	sed 's/^/#   /' "$TMP/gdb.out" "$TMP/err"
grep -q "^hotmemfs: control socket $D/ctl is not a socket (a regular file), put there since the start's check: hotmemfs never removes or replaces it$" "$TMP/err"
tap_ok $? "a regular file made then: said, its type named" || sed 's/^/#   /' "$TMP/err"
grep -q "^hotmemfs: refusing to start; choose another --control path$" "$TMP/err"
tap_ok $? "... advises another path"
grep -q '\[Inferior 1 (process [0-9]*) exited with code 0*[1-9][0-9]*\]' "$TMP/gdb.out"
tap_ok $? "... hotmemfs exits non-zero"
is "$(cat "$D/ctl")" precious "... the file and its data are as they were"
findmnt -t fuse.hotmemfs "$MNT" >/dev/null
tap_ok $((!$?)) "... nothing left mounted"
umount -l "$MNT" 2>/dev/null
done_testing
