#!/bin/bash
# A memoryN/state write whose offline a stop interrupts is answered
# before the session ends (abuse24 A5): the offline ends with EINTR (the
# block left as it was, as a signal to the writer leaves it), and the
# writer's write(2) returns that EINTR.  The session's end aborted the
# connection with the reply not yet out: the writer got ECONNABORTED
# ("Software caused connection abort"), which says nothing of the block.
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory

start_pinned_dimm
# the writer: bash's echo, one write(2), no retry on EINTR; what it says
( LC_ALL=C exec bash -c 'echo offline >"$1" && echo written' sh "$M/memory33/state" ) \
	>"$TMP/writer.out" 2>&1 &
writer=$!
in_fuse_write "$writer" && block_state_wait 33 going-offline
tap_ok $? "a writer's offline of memory33 loops on its pinned pages"
kill -TERM "$FS_PID"
wait_gone "$FS_PID" 60
tap_ok $? "SIGTERM stops hotmemfs meanwhile"
wait_exit "$FS_PID" 30
is "$?" 0 "... a clean stop (status 0)"
FS_PID=
wait_gone "$writer" 30
tap_ok $? "the writer is answered"
is_like "$(cat "$TMP/writer.out")" "*write error: Interrupted system call" \
	"... with the offline's EINTR, not the connection's end"
grep -q "memory33: offline failed (EINTR)" "$TMP/hotmemfs.log"
tap_ok $? "... which the log says"
umount -l "$MNT" 2>/dev/null
done_testing
