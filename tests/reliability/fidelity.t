#!/bin/bash
# Kernel fidelity nits found while breaking hotmemfs (#16, Low): each
# answer below is what a 6.12 kernel's sysfs, debugfs or procfs gives.
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory
NEI=$MNT/sys/kernel/debug/notifier-error-inject/memory/actions
W() { python3 "$HOTMEM_SRC/tests/fusefs/sysw.py" w "$@"; }
# PY CODE ARGS...: one Python snippet printing errno names
PY() { python3 -c "
import errno, os, socket, sys
def en(e): return errno.errorcode.get(e.errno, str(e.errno))
$1" "${@:2}"; }
hwc() { awk '/^HardwareCorrupted:/ { print $2 }' "$MNT/proc/meminfo"; }

cat >"$TMP/fail.profile" <<'PROF'
profile = qemu-512m
name = fidelity
probe = yes
memory_failure = yes
PROF
start_fs_netns --profile "$TMP/fail.profile" --fresh --cmdline hotmem.kernel_alloc=off
tap_ok $? "hotmemfs mounts qemu-512m with probe and memory_failure"

# vfs_mknod(): kernfs directories have no ->mknod
is "$(PY 'try: os.mkfifo(sys.argv[1]); print("ok")
except OSError as e: print(en(e))' "$M/fifo")" EPERM "mkfifo in memory/: EPERM"
is "$(PY 's = socket.socket(socket.AF_UNIX)
try: s.bind(sys.argv[1]); print("ok")
except OSError as e: print(en(e))' "$M/sock")" EPERM "bind(AF_UNIX) in memory/: EPERM"
is "$(python3 "$HOTMEM_SRC/tests/fusefs/sysw.py" o "$M/newfile" creat)" EACCES \
	"open(O_CREAT) of a new name stays EACCES (no ->create)"

# kernfs_fop_mmap(): no KERNFS_HAS_MMAP (MAP_PRIVATE cannot be refused on FUSE)
is "$(PY 'import mmap
fd = os.open(sys.argv[1], os.O_RDONLY)
try: mmap.mmap(fd, 4096, mmap.MAP_SHARED, mmap.PROT_READ); print("ok")
except OSError as e: print(en(e))' "$M/block_size_bytes")" ENODEV "mmap(MAP_SHARED) of an attribute: ENODEV"

# power/control: control_store() -> pm_runtime_forbid()/allow()
C=$M/memory0/power/control
is "$(cat "$C")" auto "memory0/power/control starts auto"
echo on >"$C"
is "$(cat "$C")" on "... reads on after on"
echo auto >"$C"
is "$(cat "$C")" auto "... auto again after auto"
is "$(W "$C" bogus)" EINVAL "... bogus: EINVAL"
echo on >"$MNT/sys/devices/system/node/node0/power/control"
is "$(cat "$MNT/sys/devices/system/node/node0/power/control") $(cat "$C")" "on auto" \
	"node0's control is its own"
ctl device_add pc-dimm id=d1 size=128M >/dev/null
b=$(ctl --json devices | python3 -c "import json,sys; print([d['addr'] for d in json.load(sys.stdin) if d['id']=='d1'][0] >> 27)")
echo on >"$M/memory$b/power/control"
ctl device_del d1 >/dev/null && ctl device_add pc-dimm id=d1 size=128M >/dev/null
is "$(cat "$M/memory$b/power/control")" auto "a removed and re-added memory$b reads auto again"

# notifier-error-inject: debugfs_errno_set() and simple_attr_write()
E=$NEI/MEM_GOING_ONLINE/error
echo 4294967284 >"$E"
is "$(cat "$E")" -12 "error <- 4294967284: clamp_t(int) gives -12"
echo 5 >"$E"
is "$(cat "$E")" 0 "error <- 5: clamped to 0"
echo -5000 >"$E"
is "$(cat "$E")" -4095 "error <- -5000: clamped to -MAX_ERRNO"
is "$(PY 'fd = os.open(sys.argv[1], os.O_WRONLY); print(os.write(fd, b"0" * 5000))' "$E")" 5000 \
	"a 5000-byte write to error is claimed whole (simple_attr_write)"
is "$(cat "$E")" 0 "... and set what its first 23 bytes say"

# HardwareCorrupted: num_poisoned_pages in kB
grep -q "^HardwareCorrupted:     0 kB$" "$MNT/proc/meminfo"
tap_ok $? "meminfo: 'HardwareCorrupted:     0 kB' (its own %5lu width)"
echo online_movable >"$M/memory$b/state"
base=$(printf '0x%x' $(((b << 27) + 0x5000)))
is "$(W "$M/hard_offline_page" "$base")" "ret=${#base}" "hard_offline_page <- a free page of memory$b"
is "$(W "$M/soft_offline_page" "$(printf '0x%x' $(((b << 27) + 0x9000)))")" "ret=${#base}" \
	"soft_offline_page <- another"
is "$(hwc)" 8 "HardwareCorrupted counts both pages: 8 kB"

# extended attributes: kernfs_xattr_handlers (trusted., security., user.)
S=$M/memory0/state
is "$(PY '
p = sys.argv[1]
def t(f, *a):
    try: r = f(p, *a); return "ok" if r is None else repr(r)
    except OSError as e: return en(e)
print(t(os.listxattr),
      t(os.setxattr, "trusted.a", b"1"),
      t(os.getxattr, "trusted.a"),
      t(os.setxattr, "trusted.a", b"2", os.XATTR_CREATE),
      t(os.setxattr, "trusted.b", b"", os.XATTR_REPLACE),
      t(os.setxattr, "security.x", b"lab"),
      t(os.listxattr),
      t(os.setxattr, "user.a", b"1"),
      t(os.getxattr, "user.a"),
      t(os.getxattr, "foo.bar"),
      t(os.removexattr, "trusted.a"),
      t(os.removexattr, "trusted.a"),
      t(os.listxattr))' "$S")" \
	"[] ok b'1' EEXIST ENODATA ok ['security.x', 'trusted.a'] ENOTSUP ENODATA ENOTSUP ok ENODATA ['security.x']" \
	"xattrs as kernfs keeps them: trusted./security. stored, user. refused, others EOPNOTSUPP"
is "$(PY 'print(os.listxattr(sys.argv[1]))' "$M/memory1/state")" "[]" "... per node"
chmod 755 "$TMP"
is "$(setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/python3 -c 'import os,sys; print(os.listxattr(sys.argv[1]))' "$S" 2>&1)" \
	"['security.x']" "an unprivileged listxattr does not see trusted. names"

# device_add/device_del: a non-string id or driver is QEMU's type error
ctl raw '{"execute":"device_add","arguments":{"driver":"pc-dimm","id":5,"size":134217728}}' >/dev/null 2>"$TMP/err"
tap_ok $((! $?)) "device_add with id 5 (a number) is refused"
grep -q "Invalid parameter type for 'id', expected: string" "$TMP/err"
tap_ok $? "... with QEMU's message: $(cat "$TMP/err")"
ctl --json devices | grep -q '"id": *"d1"' && ! ctl --json devices | grep -q '"id": *"dimm'
tap_ok $? "... and nothing was plugged under a made-up id"
ctl raw '{"execute":"device_del","arguments":{"id":["d1"]}}' >/dev/null 2>&1
tap_ok $((! $?)) "device_del with a list for id is refused"
ctl raw '{"execute":"block-set-state","arguments":{"block":0,"state":5}}' >/dev/null 2>"$TMP/err"
grep -q "Invalid parameter type for 'state', expected: string" "$TMP/err"
tap_ok $? "block-set-state with a number for state: QEMU's type error ($(cat "$TMP/err"))"
done_testing
