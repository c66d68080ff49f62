#!/bin/bash
# Directory listings as kernfs makes them (fs/kernfs/dir.c, 6.12 and 6.18):
# "." and ".." with the directory's and its parent's inode numbers
# (kernfs_fop_readdir() -> dir_emit_dots()), which readdir(3) shows --
# glibc skips an entry of d_ino 0, and `ls -a` showed neither on hotmemfs
# (READDIRPLUS gave them 0).
. "$(dirname "$0")/lib.sh"
require_env

start_fs --fresh
tap_ok $? "hotmemfs mounts"
findmnt -t fuse.hotmemfs "$MNT" >/dev/null || { nok "not a hotmemfs mount"; done_testing; exit; }

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

done_testing
