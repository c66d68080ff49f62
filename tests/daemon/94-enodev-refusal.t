#!/bin/bash
# finalG 1: a memory notifier may refuse an online with -ENODEV
# (notifier-error-inject's MEM_GOING_ONLINE -19, hotmemctl inject) while
# the block is there.  hotmemd took every ENODEV from a state write as the
# block gone: forgotten, said at notice, found again as "new" later, STATUS
# counting one block too few.  Now gone only if a new open of
# memoryN/state fails too: the refusal is a give-up at error level, naming
# the errno and the injection, the block stays in the model.  And a block
# really removed gives hotmemfs's ENODEV through a file opened before,
# and its state no longer opens (what hotmemd's check asks), though its
# dentry may be cached.
. "$(dirname "$0")/lib.sh"
need_hotmemd
need_tool python3 python3
need_hotmemfs_in_netns "$@"
set -u
fs_paths
err=$mnt/sys/kernel/debug/notifier-error-inject/memory/actions/MEM_GOING_ONLINE/error
mount_hotmemfs "$mnt" "$ctl" "$sock"
findmnt -t fuse.hotmemfs "$mnt" >/dev/null || { nok "$mnt is a hotmemfs mount"; done_testing; }
hotmemd_on_sock --log-level=debug --policy online_movable
inject() { "$CTL" -s "$ctl" inject MEM_GOING_ONLINE "$1" >/dev/null; }
check "hotmemctl inject MEM_GOING_ONLINE -19" inject -19
check "plug a DIMM (memory32)" plug 1 1
check "hotmemd gives up its online" wait_for 10 grep -q "memory32: gave up onlining" "$log"
grep "memory32: " "$log" | grep -v "uevent" | sed 's/^/# /'
check "... at error level, naming the errno and the injection" grep -qF \
	"error: memory32: gave up onlining: online_movable: No such device; $err holds -19, this error: an injected failure" "$log"
is "$(grep -c "memory32: went away" "$log")" 0 "... not said as a block gone"
is "$(cat "$mem/memory32/state")" offline "memory32 left offline"
check "cleared" inject 0
check "plug another DIMM (memory33)" plug 2 2
check "... memory33 online" wait_for 10 grep -q "memory33: online_movable" "$log"
kill -USR1 "$dpid"
check "STATUS counts memory32: present and failed" wait_for 10 grep -qF \
	"status: 9 blocks online, 1 movable, 1 failed; policy online_movable; 10 blocks present" "$log"
grep "status: [0-9]" "$log" | sed 's/^/# /'
is "$(grep -c "new block(s) without an ADD" "$log")" 0 "no block taken as new without its ADD"

# a block really removed: its state written through a file opened before
# ENODEV, and a new open of it fails (the dentry may still be cached)
removed() {
	python3 - "$mem/memory32/state" "$CTL" "$ctl" <<'PY'
import errno, os, subprocess, sys
st, ctl, sock = sys.argv[1:4]
os.stat(st)  # its dentry and attributes cached
fd = os.open(st, os.O_WRONLY)
subprocess.run([ctl, "-s", sock, "device_del", "d1"], check=True, stdout=subprocess.DEVNULL)
subprocess.run([ctl, "-s", sock, "settle", "--timeout", "60"], check=True, stdout=subprocess.DEVNULL)
try:
    os.write(fd, b"online_movable\n")
    sys.exit("write succeeded")
except OSError as e:
    if e.errno != errno.ENODEV:
        sys.exit("write: %s" % e)
try:
    os.close(os.open(st, os.O_RDONLY | os.O_NONBLOCK))
    sys.exit("new open succeeded")
except OSError as e:
    if e.errno not in (errno.ENOENT, errno.ENODEV):
        sys.exit("open: %s" % e)
PY
}
check "a removed block: ENODEV through a file opened before, and a new open fails" removed
done_testing
