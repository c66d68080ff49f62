#!/bin/bash
# hotmemfs's own setattr check (fusefs/fs.c setattr_allowed()) where it
# decides: the FUSE client ran setattr_prepare() (default_permissions)
# against its cached owner, which can be stale -- a chown whose save
# failed was undone (owner back to root, the kernel's attributes only
# marked stale: fuse_reverse_inval_inode()), after a stat during the save
# had cached the new owner; setattr_prepare() does not refresh them.  The
# kernel then lets `nobody` through as the owner; hotmemfs must refuse
# what its own attributes say nobody may do, in the initial user
# namespace and in a child one where the real owner is not mapped
# (capable_wrt_inode_uidgid()).  tests/fusefs/42-setattr-caps.t passes
# with the check switched off (review7 #4); this one does not.
. "$(dirname "$0")/lib.sh"
require_sync_fail
need_tool setpriv util-linux
setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=+fowner --ambient-caps=+fowner true 2>/dev/null ||
	skip_all "setpriv cannot raise ambient capabilities here"
export HOTMEM_TEST_SYNC_HOLD=$TMP/hold
# chmod(1) and chown(1) stat the file first (fts), which asks hotmemfs
# again: the calls alone, nothing before them
PY=/usr/bin/python3
[ -x $PY ] || PY=python3
CHMOD=($PY -c 'import os, sys; os.chmod(sys.argv[2], int(sys.argv[1], 8))')
CHOWN=($PY -c 'import os, sys; os.chown(sys.argv[2], *map(int, sys.argv[1].split(":")))')
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
with() { local c=$1; shift; nobody --inh-caps=+"$c" --ambient-caps=+"$c" "$@"; }
# stale_owner FILE: root's FILE chowned to nobody while the save is held,
# a stat caching 65534:65534, the save failing: hotmemfs has 0:0 again, the
# kernel's inode still 65534:65534 (marked stale, not asked again; nothing
# here may stat FILE before the step under test)
stale_owner() {
	: >"$TMP/hold"
	: >"$TMP/fail"
	chown 65534:65534 "$1" 2>/dev/null &
	local writer=$!
	held_wait
	tap_ok $? "chown 65534:65534 $(basename "$(dirname "$1")")/$(basename "$1"), its save held"
	is "$(stat --cached=never -c %u:%g "$1")" 65534:65534 "... a stat meanwhile caches 65534:65534"
	rm "$TMP/hold"
	wait_exit "$writer" 30
	is "$?" 1 "... the save fails: the chown is undone (0:0 in hotmemfs)"
	rm "$TMP/fail"
}

LD_PRELOAD=$SHIM start_fs_netns "${STATE_OPTS[@]}" --fresh
tap_ok $? "hotmemfs mounts qemu-512m with a fresh state file"
chmod 755 "$TMP"

# the initial user namespace: no CAP_FOWNER, not the owner hotmemfs knows
stale_owner "$M/memory1/online"
nobody "${CHMOD[@]}" 666 "$M/memory1/online" 2>/dev/null
tap_ok $((! $?)) "nobody's chmod 666 of it (the kernel's stale owner) is refused by hotmemfs (EPERM)"
is "$(stat -c '%a %u:%g' "$M/memory1/online")" "644 0:0" "... root's memory1/online as it was"
# a chown of a file clears its set-id bits, for which the client asks
# the attributes again (fuse_setattr(), ATTR_KILL_SUID): a directory's not
stale_owner "$M/memory2/power"
nobody "${CHOWN[@]}" 65534:-1 "$M/memory2/power" 2>/dev/null
tap_ok $((! $?)) "nobody's chown of memory2/power/ to itself, no CAP_CHOWN: refused (EPERM)"
is "$(stat -c '%u:%g' "$M/memory2/power")" "0:0" "... root's as it was"
stale_owner "$M/memory2/state"
with fowner "${CHMOD[@]}" 600 "$M/memory2/state"
tap_ok $? "nobody with CAP_FOWNER: the same chmod let through (capable())"
is "$(stat -c '%a %u:%g' "$M/memory2/state")" "600 0:0" "... stat shows it"

# a child user namespace of nobody's (unshare -r: its root is nobody, all
# capabilities there, only 65534 mapped): root's files are not its to change
if nobody unshare -U -r true 2>/dev/null; then
	stale_owner "$M/memory3/power"
	# its root 0 is nobody outside: a chown to itself
	nobody unshare -U -r "${CHOWN[@]}" 0:0 "$M/memory3/power" 2>/dev/null
	tap_ok $((! $?)) "nobody's user namespace root (CAP_CHOWN there) chowns it to itself: refused, its owner 0 not mapped (EPERM)"
	stale_owner "$M/memory3/state"
	nobody unshare -U -r "${CHMOD[@]}" 600 "$M/memory3/state" 2>/dev/null
	tap_ok $((! $?)) "... chmod (CAP_FOWNER there): refused too"
	is "$(stat -c '%a %u:%g' "$M/memory3/power" "$M/memory3/state" | tr '\n' ' ')" "755 0:0 644 0:0 " \
		"... memory3/power/ and state as they were"
	# an owner it maps (its own): let through
	chown 65534:65534 "$M/memory3/phys_device"
	nobody unshare -U -r "${CHMOD[@]}" 400 "$M/memory3/phys_device"
	tap_ok $? "... a file it owns (mapped): its chmod let through"
else
	diag "unprivileged user namespaces refused here: that part skipped"
fi
is "$(grep -c "takes no more changes" "$TMP/hotmemfs.log")" 0 "hotmemfs is not frozen"
stop_fs
done_testing
