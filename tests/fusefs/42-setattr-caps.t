#!/bin/bash
# setattr_prepare() (fs/attr.c, 6.12) asks capabilities, not uid 0:
# CAP_FOWNER lets any uid chmod and set the times of a file it does not own
# (inode_owner_or_capable()), CAP_CHOWN chown and chgrp it (chown_ok(),
# chgrp_ok()), each through capable_wrt_inode_uidgid() -- in the caller's
# own user namespace, for a file whose owner and group it maps.  The FUSE
# client ran that check already (default_permissions); hotmemfs's own
# against its attributes refused every non-root caller that was not the
# owner (uid only), so `nobody` holding CAP_FOWNER got EPERM for a chmod
# the kernel allowed.  With default_permissions every case here is the
# kernel's own decision on fresh attributes (this passes with hotmemfs's
# check switched off); tests/reliability/state-iattr-stale-caps.t has the
# cases hotmemfs decides: the client's cached owner stale.
. "$(dirname "$0")/lib.sh"
require_env
need_tool setpriv util-linux
setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=+fowner --ambient-caps=+fowner true 2>/dev/null ||
	skip_all "setpriv cannot raise ambient capabilities here"
start_fs --fresh
tap_ok $? "hotmemfs mounts"
M=$MNT/sys/devices/system/memory
chmod 755 "$TMP"
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
with() { local c=$1; shift; nobody --inh-caps=+"$c" --ambient-caps=+"$c" "$@"; }

with fowner chmod 600 "$M/memory1/state"
tap_ok $? "nobody with CAP_FOWNER chmods root's memory1/state 600"
is "$(stat -c '%a %u:%g' "$M/memory1/state")" "600 0:0" "... stat shows it"
with fowner touch -m -d @1600000000 "$M/memory1/state"
tap_ok $? "... and sets its mtime (touch -d: ATTR_MTIME_SET)"
is "$(stat -c %Y "$M/memory1/state")" 1600000000 "... stat shows it"
with fowner chown 65534 "$M/memory1/state" 2>/dev/null
tap_ok $((! $?)) "... but CAP_FOWNER does not chown it (EPERM)"
with chown chown 7:8 "$M/memory1/online"
tap_ok $? "nobody with CAP_CHOWN chowns root's memory1/online 7:8"
is "$(stat -c '%a %u:%g' "$M/memory1/online")" "644 7:8" "... stat shows it"
with chown chgrp 9 "$M/memory1/online"
tap_ok $? "... chgrp 9 too"
is "$(stat -c '%u:%g' "$M/memory1/online")" "7:9" "... stat shows it"
with chown chmod 600 "$M/memory1/phys_index" 2>/dev/null
tap_ok $((! $?)) "... but CAP_CHOWN does not chmod (EPERM)"
nobody chmod 600 "$M/memory1/phys_index" 2>/dev/null
tap_ok $((! $?)) "nobody without either: chmod EPERM"
nobody chown 65534 "$M/memory1/phys_index" 2>/dev/null
tap_ok $((! $?)) "... chown EPERM"
is "$(stat -c '%a %u:%g' "$M/memory1/phys_index")" "444 0:0" "... nothing changed"
# root without them (a container's root, setpriv --bounding-set): the owner of root's files only
nocap() { setpriv --inh-caps=-chown,-fowner --bounding-set=-chown,-fowner "$@"; }
nocap chmod 640 "$M/memory2/state"
tap_ok $? "root without CAP_FOWNER chmods root's own memory2/state (the owner)"
nocap chown 7 "$M/memory2/state" 2>/dev/null
tap_ok $((! $?)) "root without CAP_CHOWN: chown of it EPERM"
nocap chmod 600 "$M/memory1/online" 2>/dev/null
tap_ok $((! $?)) "root without CAP_FOWNER: chmod of 7's memory1/online EPERM"
is "$(stat -c '%a %u:%g' "$M/memory2/state" "$M/memory1/online" | tr '\n' ' ')" "640 0:0 644 7:9 " \
	"... stat shows what was let through only"
# simple_xattr_list() lists trusted.* names for CAP_SYS_ADMIN in the initial
# user namespace, whatever the uid (it asked uid 0)
PY=/usr/bin/python3
[ -x $PY ] || PY=python3
setfattr -n trusted.hm -v 1 "$M/memory3/state" 2>/dev/null ||
	$PY -c "import os; os.setxattr('$M/memory3/state', 'trusted.hm', b'1')"
tap_ok $? "root sets trusted.hm on memory3/state"
# lx CMD...: the names listxattr gives CMD, in [] (a listxattr or a CMD
# that failed prints nothing: no "[]" for "lists none")
lx() { "$@" $PY -c "import os; print('[%s]' % ' '.join(os.listxattr('$M/memory3/state')))"; }
is "$(lx env)" "[trusted.hm]" "root lists it"
is "$(lx with sys_admin)" "[trusted.hm]" "nobody with CAP_SYS_ADMIN lists it"
is "$(lx nobody)" "[]" "nobody without it does not"
is "$(lx setpriv --inh-caps=-sys_admin --bounding-set=-sys_admin)" "[]" "nor root without CAP_SYS_ADMIN"
done_testing
