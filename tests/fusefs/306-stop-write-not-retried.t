#!/bin/bash
# A writer that retries a write(2) on EINTR by itself -- Python's
# os.write(), PEP 475 -- whose memoryN/state offline a stop of hotmemfs
# interrupts: the offline's EINTR, with no signal pending in the writer,
# made it write again into the ending session, and that write failed
# ECONNABORTED at the unmount, never run (abuse24 A5, 292).  The writer
# now gets ENOTCONN, the mount going away (fs.c write_errno()), once, and
# does not retry.  Check 7 fails without write_errno() (checked:
# ECONNABORTED after the retry).
. "$(dirname "$0")/lib.sh"
require_env
need_tool python3 python3
M=$MNT/sys/devices/system/memory

start_pinned_dimm
stop_during_offline_write python3 -c '
import errno, os, sys
fd = os.open(sys.argv[1], os.O_WRONLY)
try:
    os.write(fd, b"offline")
    print("written")
except OSError as e:
    print(errno.errorcode[e.errno])' "$M/memory33/state"
is "$(cat "$TMP/writer.out")" ENOTCONN "... with ENOTCONN, not retried into ECONNABORTED"
umount -l "$MNT" 2>/dev/null
done_testing
