#!/bin/bash
# Directory listings as kernfs makes them (fs/kernfs/dir.c, 6.12 and 6.18):
# "." and ".." with the directory's and its parent's inode numbers
# (kernfs_fop_readdir() -> dir_emit_dots()), which readdir(3) shows --
# glibc skips an entry of d_ino 0, and `ls -a` showed neither on hotmemfs
# (READDIRPLUS gave them 0); then the entries in kernfs's order,
# kernfs_name_hash() then name (review6 #2, #3), against a Python copy of
# the hash and, where this host has the directory, the host's own sysfs;
# the per-memory-block entries after them by number (docs/hotmemfs.md).
# A boot block spanning nodes 0 and 1 lists node0 first whatever its nid:
# lsmem (memory_block_get_node(): the first nodeK) says node 0, as on a
# kernel (it said 1).
. "$(dirname "$0")/lib.sh"
require_env

mount_fs "hotmemfs mounts" --fresh

# readdir(3)'s "." and "..", each with its d_ino and the st_ino stat finds
dots() {
	python3 - "$1" <<'PY'
import ctypes, os, sys

class Dirent(ctypes.Structure):	# glibc's struct dirent (64-bit d_ino, d_off)
    _fields_ = [("d_ino", ctypes.c_uint64), ("d_off", ctypes.c_int64),
                ("d_reclen", ctypes.c_ushort), ("d_type", ctypes.c_ubyte),
                ("d_name", ctypes.c_char * 256)]
libc = ctypes.CDLL(None, use_errno=True)
libc.opendir.restype = ctypes.c_void_p
libc.readdir.restype = ctypes.POINTER(Dirent)
libc.readdir.argtypes = [ctypes.c_void_p]
libc.closedir.argtypes = [ctypes.c_void_p]
d = sys.argv[1]
dirp = libc.opendir(d.encode())
seen = {}
while True:
    e = libc.readdir(dirp)
    if not e:
        break
    name = e.contents.d_name.decode()
    if name in (".", ".."):
        seen[name] = e.contents.d_ino
libc.closedir(dirp)
for name in (".", ".."):
    want = os.stat(os.path.join(d, name)).st_ino
    print("%s %s" % (name, "missing" if name not in seen else
                     "ok" if seen[name] == want else "d_ino %d, st_ino %d" % (seen[name], want)))
PY
}
for d in sys/devices/system/memory/memory0/power sys/devices/system/memory/memory0 \
	sys/devices/system/node/node0 sys/devices/system/node sys/bus/memory/devices sys proc; do
	is "$(dots "$MNT/$d" | tr '\n' ' ')" ". ok .. ok " \
		"$d: readdir(3) has . and .. with their inode numbers"
done
is "$(ls -a "$MNT/sys/devices/system/memory/memory0/power" | head -2 | tr '\n' ' ')" ". .. " \
	"ls -a lists . and .."
# every directory of a machine with DIMM slots (PNP0C80:xx/) and firmware
# memmap entries: ".." is found by the directory's class (tree.c dotdot_ino())
ctl device_add pc-dimm id=dots size=256M >/dev/null && ctl settle --timeout 60
is "$(python3 - "$MNT/sys" <<'PY'
import ctypes, os, sys

class D(ctypes.Structure):	# glibc's struct dirent
    _fields_ = [("d_ino", ctypes.c_uint64), ("d_off", ctypes.c_int64), ("d_reclen", ctypes.c_ushort),
                ("d_type", ctypes.c_ubyte), ("d_name", ctypes.c_char * 256)]
libc = ctypes.CDLL(None)
libc.opendir.restype = ctypes.c_void_p
libc.readdir.restype = ctypes.POINTER(D)
libc.readdir.argtypes = libc.closedir.argtypes = [ctypes.c_void_p]
n = bad = 0
for root, dirs, files in os.walk(sys.argv[1]):
    seen, dp = {}, libc.opendir(root.encode())
    while True:
        e = libc.readdir(dp)
        if not e:
            break
        if e.contents.d_name in (b".", b".."):
            seen[e.contents.d_name.decode()] = e.contents.d_ino
    libc.closedir(dp)
    n += 1
    bad += sum(seen.get(x) != os.stat(os.path.join(root, x)).st_ino for x in (".", ".."))
print("%s %d" % ("ok" if n > 60 and not bad else "bad of %d:" % n, bad))
PY
)" "ok 0" "every directory under sys/ (DIMM slots, memmap entries too): . and .. are its and its parent's"

# DIR's names as getdents64 gives them, "." and ".." and the per-block ones aside
names() {
	python3 - "$1" <<'PY'
import os, re, sys
# os.listdir keeps getdents64's order
print(" ".join(n for n in os.listdir(sys.argv[1]) if not re.fullmatch(r"memory[0-9]+", n)))
PY
}
# NAMES in kernfs order: fs/kernfs/dir.c kernfs_name_hash() (ns NULL), then strcmp
kernfs_sorted() {
	python3 - "$@" <<'PY'
import sys
M = (1 << 64) - 1
def h(name):
    hv = 0
    for c in name.encode():
        hv = ((hv + (c << 4) + (c >> 4)) * 11) & M
    hv = (((hv * 0x61C8864680B583EB) & M) >> 32) & 0x7fffffff
    if hv < 2:
        hv += 2
    return min(hv, 0x7ffffffe)
print(" ".join(sorted(sys.argv[1:], key=lambda n: (h(n), n))))
PY
}
# the names of NAMES that host directory DIR has too, in NAMES's order or (host) DIR's
common() {	# common DIR NAMES ours|host
	python3 - "$@" <<'PY'
import os, sys
host = os.listdir(sys.argv[1])
ours = sys.argv[2].split()
print(" ".join([n for n in ours if n in host] if sys.argv[3] == "ours" else
               [n for n in host if n in ours]))
PY
}
for d in sys/devices/system/node/node0 sys/devices/system/node sys/devices/system/memory \
	sys/devices/system/memory/memory0 sys/devices/system/memory/memory0/power \
	sys/devices/system/node/node0/hugepages/hugepages-2048kB sys/bus/memory sys/bus/node \
	sys/module/memory_hotplug/parameters sys/firmware/memmap/0; do
	got=$(names "$MNT/$d")
	# shellcheck disable=SC2086
	is "$got" "$(kernfs_sorted $got)" "$d: kernfs order (kernfs_name_hash(), then name)"
	[ -d "/$d" ] && is "$(common "/$d" "$got" ours)" "$(common "/$d" "$got" host)" \
		"... the names this host has too in the host's sysfs order"
done
is "$(ls -f "$MNT/sys/devices/system/memory" | grep '^memory' | head -3 | tr '\n' ' ')" \
	"memory0 memory1 memory2 " "memory/'s blocks after its files, by number"
stop_fs

cat >"$TMP/span.profile" <<'EOF'
profile = default
nodes = 2
ram = 0x1000-0x9efff node=0
ram = 0x100000-0x43ffffff node=0
ram = 0x44000000-0x7fffffff node=1
EOF
start_fs --profile "$TMP/span.profile" --cmdline hotmem.kernel_alloc=off --fresh
tap_ok $? "hotmemfs mounts a machine whose memory8 spans nodes 0 and 1"
is "$(names "$MNT/sys/devices/system/memory/memory8")" \
	"uevent node0 power online phys_device phys_index valid_zones subsystem state node1 removable" \
	"memory8: node0 where kernfs has it, node1 between state and removable"
if have_tool lsmem util-linux "lsmem: block 8 is on node 0"; then
	is "$(in_sysns lsmem -a -o RANGE,NODE 2>&1 | awk '$1 ~ /^0x0000000040000000-/ {print $2}')" 0 \
		"lsmem: block 8 (0x40000000-0x47ffffff) is on node 0, its first nodeK link"
fi

done_testing
