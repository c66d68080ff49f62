#!/bin/bash
# A file held open across its memory block's removal belongs to the block
# that went, never to a new block of the same number: kernfs deactivated
# the old node (kernfs_get_active() fails), so reads and writes through the
# old open file are ENODEV for good and poll says POLLERR|POLLPRI, while a
# new open reaches the new block.  Before, an old `state` descriptor wrote
# into the new block (onlined a DIMM nobody had opened).
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory

mount_fs "hotmemfs mounts" --fresh
dimm_at_4g

out=$(CTL=$CTL HMCTL=$HMCTL python3 - "$M/memory$b" <<'EOF'
import errno, os, select, subprocess, sys

d = sys.argv[1]
def ctl(*a):
    subprocess.run([os.environ["HMCTL"], "-s", os.environ["CTL"]] + list(a), check=True)
def en(f):
    try:
        r = f()
        return "ok %r" % (r,)
    except OSError as e:
        return errno.errorcode[e.errno]

fds = {n: os.open(d + "/" + n, os.O_RDWR if n != "phys_index" else os.O_RDONLY)
       for n in ("state", "online", "uevent", "phys_index")}
os.pread(fds["state"], 4096, 0)
ctl("device_del", "d1")
print("gone: write state", en(lambda: os.write(fds["state"], b"online")))
ctl("device_add", "pc-dimm", "id=d2", "size=128M", "addr=0x100000000")
print("back: write state", en(lambda: os.write(fds["state"], b"online_movable")))
print("back: write online", en(lambda: os.write(fds["online"], b"1")))
print("back: write uevent", en(lambda: os.write(fds["uevent"], b"change")))
print("back: read state", en(lambda: os.pread(fds["state"], 4096, 0)))
print("back: read phys_index", en(lambda: os.pread(fds["phys_index"], 4096, 0)))
p = select.poll()
p.register(fds["state"], select.POLLPRI)
print("back: poll state", [ev for _, ev in p.poll(0)])
with open(d + "/state") as f:
    print("new open reads", f.read().strip())
EOF
)
diag "$out"
line() { echo "$out" | grep "^$1" | sed "s/^$1 //"; }
is "$(line 'gone: write state')" ENODEV "a write to the old state after the removal: ENODEV"
is "$(line 'back: write state')" ENODEV "... and after a new block of that number came: ENODEV, not its online"
is "$(line 'back: write online')" ENODEV "the old online: ENODEV"
is "$(line 'back: write uevent')" ENODEV "the old uevent: ENODEV"
is "$(line 'back: read state')" ENODEV "a read of the old state: ENODEV"
is "$(line 'back: read phys_index')" ENODEV "a read of the old phys_index: ENODEV"
is "$(line 'back: poll state')" "[10]" "poll of the old state: POLLERR|POLLPRI (kernfs_fop_poll)"
is "$(line 'new open reads')" offline "the new block is offline: nothing reached it"
is "$(echo online > "$M/memory$b/state" && cat "$M/memory$b/state")" online "a new open onlines the new block"
done_testing
