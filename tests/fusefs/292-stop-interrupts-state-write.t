#!/bin/bash
# A memoryN/state write whose offline a stop interrupts is answered
# before the session ends (abuse24 A5): the offline ends with EINTR (the
# block left as it was, as a signal to the writer leaves it; the log says
# EINTR), and the writer's write(2) returns ENOTCONN, the mount going
# away, as every request after it gets from FUSE (fs.c write_errno()):
# not EINTR, which with no signal pending in the writer asks it to write
# again (306).  The session's end aborted the connection with the reply
# not yet out: the writer got ECONNABORTED ("Software caused connection
# abort"), which says nothing of the block.  Check 7 fails without
# write_errno() (checked: Interrupted system call).
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory

start_pinned_dimm
# the writer: bash's echo, one write(2), no retry; what it says
stop_during_offline_write bash -c 'echo offline >"$1" && echo written' sh "$M/memory33/state"
is_like "$(cat "$TMP/writer.out")" "*write error: Transport endpoint is not connected" \
	"... with ENOTCONN, the mount going away, not the connection's end"
grep -q "memory33: offline failed (EINTR)" "$TMP/hotmemfs.log"
tap_ok $? "... the log says the offline's EINTR"
umount -l "$MNT" 2>/dev/null
done_testing
