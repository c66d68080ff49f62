#!/bin/bash
# A directory held open across its memory block's removal belongs to the
# block that went (a removed kernfs_node), never to a new block of the
# same number: a lookup under it is ENOENT (kernfs_iop_lookup() finds no
# active child), its listing is "." and ".." (its children were unlinked),
# fstat() of it still answers, with nlink 2 (kernfs_refresh_inode():
# subdirs + 2, power/ gone), and the new memoryN is another inode.
# Before, hotmemfs's inode numbers named a block by its id alone, the FUSE
# client found the old directory's inode for the new block's number, and
# openat(old fd, "state") onlined a DIMM nobody had opened.  Blocks that
# stayed keep their inode numbers.
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory

mount_fs "hotmemfs mounts" --fresh
dimm_at_4g
ino0=$(stat -c %i "$M/memory0" "$M/memory0/state" "$M/memory0/power/control")

out=$(HMCTL=$HMCTL CTL=$CTL PYTHONPATH=$HOTMEM_SRC/tests/fusefs python3 - "$M" "memory$b" <<'EOF'
import os, stat, sys

m, name = sys.argv[1], sys.argv[2]
from hmctl_py import ctl, en

d = os.open(m + "/" + name, os.O_RDONLY | os.O_DIRECTORY)
p = os.open(m + "/" + name + "/power", os.O_RDONLY | os.O_DIRECTORY)
old = os.fstat(d).st_ino
os.stat("state", dir_fd=d)          # the children's entries cached
os.listdir(d)
ctl("device_del", "d1")
print("gone: openat state", en(lambda: os.open("state", os.O_RDWR, dir_fd=d)))
ctl("device_add", "pc-dimm", "id=d2", "size=128M", "addr=0x100000000")
print("back: openat state", en(lambda: os.open("state", os.O_RDWR, dir_fd=d)))
print("back: openat O_CREAT state", en(lambda: os.open("state", os.O_RDWR | os.O_CREAT, dir_fd=d)))
print("back: stat state", en(lambda: os.stat("state", dir_fd=d).st_ino))
print("back: stat power-control", en(lambda: os.stat("power/control", dir_fd=d).st_ino))
print("back: openat power control", en(lambda: os.open("control", os.O_RDWR, dir_fd=p)))
print("back: listdir", en(lambda: sorted(os.listdir(d))))
print("back: ls-power", en(lambda: sorted(os.listdir(p))))
st = os.fstat(d)
print("back: fstat", "dir" if stat.S_ISDIR(st.st_mode) else "not-dir", oct(st.st_mode & 0o7777),
      "nlink", st.st_nlink, "same-ino" if st.st_ino == old else "other-ino")
new = os.stat(m + "/" + name)
print("new: ino", "same" if new.st_ino == old else "other", "nlink", new.st_nlink)
print("new: state", open(m + "/" + name + "/state").read().strip())
EOF
)
diag "$out"
line() { echo "$out" | grep "^$1" | sed "s/^$1 //"; }
is "$(line 'gone: openat state')" ENOENT "openat(old dir, state) after the removal: ENOENT"
is "$(line 'back: openat state')" ENOENT "... and after a new block of that number came: ENOENT, not the new block's state"
is "$(line 'back: openat O_CREAT state')" EACCES "O_CREAT under the old directory: EACCES (no ->create)"
is "$(line 'back: stat state')" ENOENT "fstatat(old dir, state): ENOENT"
is "$(line 'back: stat power-control')" ENOENT "fstatat(old dir, power/control): ENOENT"
is "$(line 'back: openat power control')" ENOENT "openat(old power/, control): ENOENT"
is "$(line 'back: listdir')" "ok []" "the old directory lists nothing but . and .."
is "$(line 'back: ls-power')" "ok []" "the old power/ too"
is "$(line 'back: fstat')" "dir 0o755 nlink 2 same-ino" "fstat of the old directory: still it, nlink 2"
is "$(line 'new: ino')" "other nlink 3" "the new memory$b is another inode"
is "$(line 'new: state')" offline "the new block is offline: nothing reached it"
is "$(stat -c %i "$M/memory0" "$M/memory0/state" "$M/memory0/power/control")" "$ino0" \
	"memory0's inode numbers did not move"
# A block's numbers are never given twice in a mount (fusefs/incarn.c): a
# directory held from each of many incarnations of one block stays the
# removed one's, and the present block has numbers none of them had.
# (The numbers carried the incarnation mod 2^20 before: after 1,048,576
# cycles a held directory reached the new block.  A key now comes from a
# 48-bit per-mount counter; nothing to wrap within reach of a test.)
out=$(HMCTL=$HMCTL CTL=$CTL python3 - "$M" "memory$b" <<'EOF2'
import errno, os, subprocess, sys, time

m, name = sys.argv[1], sys.argv[2]
def ctl(*a):
    subprocess.run([os.environ["HMCTL"], "-s", os.environ["CTL"]] + list(a), check=True,
                   stdout=subprocess.DEVNULL)
def fresh():    # the notifier drops the old dentry after the reply: 5 s at most
    for _ in range(100):
        if os.stat(m + "/" + name).st_ino not in inos:
            break
        time.sleep(0.05)
fds, inos, reached = [], set(), 0
for i in range(40):
    fresh()
    d = os.open(m + "/" + name, os.O_RDONLY | os.O_DIRECTORY)
    fds.append(d)
    inos.add(os.fstat(d).st_ino)
    inos.add(os.stat("state", dir_fd=d).st_ino)
    ctl("device_del", "d%d" % (i + 2))
    ctl("device_add", "pc-dimm", "id=d%d" % (i + 3), "size=128M", "addr=0x100000000")
for d in fds:
    try:
        os.open("state", os.O_RDONLY, dir_fd=d)
        reached += 1
    except OSError as e:
        if e.errno != errno.ENOENT:
            reached += 1
fresh()
print("reached", reached)
print("distinct", len(inos))
new = {os.stat(m + "/" + name).st_ino, os.stat(m + "/" + name + "/state").st_ino}
print("new-seen", len(new & inos))
EOF2
2>&1)
diag "$out"
is "$(line reached)" 0 "40 directories held from 40 incarnations of memory$b: none reaches a later block"
is "$(line distinct)" 80 "... their directories and state files: 80 numbers, none twice"
is "$(line new-seen)" 0 "the present memory$b has numbers none of them had"

echo online >"$M/memory$b/state"
is "$(cat "$M/memory$b/state")" online "the new block onlines through a new path"

# What the kernel removes takes its kernfs_iattrs along, not only a
# block's files: a slot's physical_node link (acpi_unbind_one()) and a
# node's files (try_offline_node() -> unregister_one_node()).  The next
# link, the node registered again, have the kernel's modes and owners.
stop_fs
start_three_nodes
MHPC=$MNT/sys/devices/LNXSYSTM:00/LNXSYBUS:00/PNP0A06:04
N=$MNT/sys/devices/system/node
ctl device_add pc-dimm id=a1 size=128M >/dev/null
tap_ok $? "a DIMM in a slot"
link=$(find "$MHPC"/PNP0C80:0* -maxdepth 1 -name physical_node | head -1)
chown -h 7:7 "$link"
is "$(stat -c %u:%g "$link")" 7:7 "chown -h 7:7 ${link#$MHPC/}"
ctl device_del a1 >/dev/null && ctl device_add pc-dimm id=a2 size=128M >/dev/null &&
	ctl settle --timeout 60
tap_ok $? "the DIMM out, another into the same slot"
is "$(stat -c %u:%g "$link" 2>&1)" 0:0 "the slot's new physical_node link is root's (kernel: a new link)"
ctl device_add pc-dimm id=n2 size=128M node=2 >/dev/null
tap_ok $? "a DIMM on node 2 brings node2"
chmod 600 "$N/node2/meminfo" && chown -h 7:7 "$MNT/sys/bus/node/devices/node2"
tap_ok $? "chmod 600 node2/meminfo, chown -h bus/node/devices/node2"
ctl device_del n2 >/dev/null && ctl settle --timeout 60
tap_ok $? "device_del: node2 goes (try_offline_node())"
# the notifier thread drops node2's dentry after the reply: 5 s at most
for _ in $(seq 100); do [ -e "$N/node2" ] || break; sleep 0.05; done
[ ! -e "$N/node2" ]
tap_ok $? "node2 is gone"
ctl device_add pc-dimm id=n3 size=128M node=2 >/dev/null && ctl settle --timeout 60
tap_ok $? "another DIMM on node 2 brings node2 back"
is "$(stat -c %a "$N/node2/meminfo" 2>&1)" 444 "the new node2/meminfo has the kernel's mode"
is "$(stat -c %u:%g "$MNT/sys/bus/node/devices/node2" 2>&1)" 0:0 "the new bus/node/devices/node2 is root's"

# hotmemctl settle itself: silent on success, udevadm's spellings, a bad timeout refused
is "$(ctl settle 2>&1; echo "rc=$?")" "rc=0" "settle: nothing printed, exit 0"
is "$(ctl settle --timeout=0 2>&1; echo "rc=$?")" "rc=0" "settle --timeout=0 on an idle machine: exit 0"
is "$(ctl settle -t 5 2>&1; echo "rc=$?")" "rc=0" "settle -t 5"
is "$(ctl settle --timeout x 2>&1; echo "rc=$?")" \
	"hotmemctl: settle: bad timeout 'x': --timeout takes seconds, decimal (2.5) or 0x hex, 0..86400 (0: only ask)
rc=2" "settle --timeout x: refused by hotmemctl, a usage error (exit 2)"
is "$(ctl raw '{"execute": "settle", "arguments": {"timeout": "x"}}' 2>&1 >/dev/null; echo "rc=$?")" \
	"hotmemctl: error: Parameter 'timeout' expects seconds (0..86400)
rc=1" "... and by hotmemfs, sent as is: exit 1"
is "$(ctl settle --bogus 2>&1; echo "rc=$?")" \
	"hotmemctl: settle: unexpected argument '--bogus' (settle [--timeout SECONDS])
rc=2" "settle --bogus: refused, a usage error (exit 2)"
done_testing
