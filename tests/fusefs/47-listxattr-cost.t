#!/bin/bash
# listxattr(2) asks the caller's CAP_SYS_ADMIN (simple_xattr_list():
# trusted.* names for it alone) only when the file keeps a trusted.* name:
# hotmemfs asks through /proc (/proc/PID/status, /proc/PID/ns/user), and
# asking on every listxattr (cp -a, rsync -X, tar --xattrs, ls -l call it
# per file) made each 4-5 times slower (review7 #2).  hotmemfs runs under
# strace: its opens of /proc/PID/status are counted, not timed.
. "$(dirname "$0")/lib.sh"
require_env
need_tool strace strace
strace -f -qq -e trace=openat -o /dev/null true 2>/dev/null || skip_all "strace cannot trace here"
TRACE=$TMP/trace
strace -f -qq -e trace=openat -o "$TRACE" "$HMFS" --control "$CTL" --state "$STATE" --fresh "$MNT" \
	2>>"$TMP/hotmemfs.log" &
FS_PID=$!
fs_wait_mounted
tap_ok $? "hotmemfs mounts under strace"
M=$MNT/sys/devices/system/memory
PY=/usr/bin/python3
[ -x $PY ] || PY=python3
# status_opens: hotmemfs's opens of a caller's /proc/PID/status so far
status_opens() { grep -cE 'openat\(.*"/proc/[0-9]+/status"' "$TRACE"; }
lx() { $PY -c "import os, sys; print(' '.join(x for f in sys.argv[1:] for x in os.listxattr(f)))" "$@"; }
$PY -c "import os; os.setxattr('$M/memory2/state', 'security.hm', b'1')"
tap_ok $? "security.hm set on memory2/state"
before=$(status_opens)
is "$(lx "$M/memory1/state" "$M/memory1/online" "$M/memory2/state" "$M"/memory3/*)" "security.hm" \
	"listxattr of files without a trusted.* name (one with security.hm)"
is "$(status_opens)" "$before" "... read no caller's /proc/PID/status"
$PY -c "import os; os.setxattr('$M/memory3/state', 'trusted.hm', b'1')"
tap_ok $? "trusted.hm set on memory3/state"
before=$(status_opens)
is "$(lx "$M/memory3/state")" "trusted.hm" "root lists it"
[ "$(status_opens)" -gt "$before" ]
tap_ok $? "... asked its capability (/proc/PID/status)"
# in [] (a listxattr that failed prints nothing: no "[]" for "lists none")
is "$(setpriv --inh-caps=-sys_admin --bounding-set=-sys_admin $PY -c "import os; print('[%s]' % ' '.join(os.listxattr('$M/memory3/state')))")" "[]" \
	"root without CAP_SYS_ADMIN does not"
stop_fs
done_testing
