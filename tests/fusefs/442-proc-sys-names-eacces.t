#!/bin/bash
# Root is refused EACCES, not EPERM, when it changes the names in a
# /proc/sys directory (mkdir, mknod, unlink, rmdir, rename, symlink,
# link), and when it truncates a sysctl its table makes read-only
# (kernel/random/boot_id): 6.12 proc_sys_permission() -- "sysctl entries
# that are not writeable, are _NOT_ writeable, capabilities or not" --
# refuses may_create()/may_delete() and vfs_truncate()'s write permission
# before any op is looked for (this host: root's access(/proc/sys/vm,
# W_OK) is false).  hotmemfs answered kernfs's EPERM of the missing op.
# /proc's own directory and sysfs keep EPERM: root's permission passes.
. "$(dirname "$0")/lib.sh"
require_env

mount_fs "hotmemfs mounts numa2" --profile numa2 --fresh
# ops DIR FILE SUBDIR: each refusal's errno name
ops() {
	python3 - "$@" <<'PY'
import errno, os, sys
d, f, sub = sys.argv[1:]
def t(fn):
    try:
        fn()
        return "ok"
    except OSError as e:
        return errno.errorcode[e.errno]
print(t(lambda: os.mkdir(d + "/x")), t(lambda: os.mknod(d + "/x")),
      t(lambda: os.unlink(f)), t(lambda: os.rmdir(sub)),
      t(lambda: os.rename(f, d + "/x")), t(lambda: os.symlink("y", d + "/x")),
      t(lambda: os.link(f, d + "/x")))
PY
}
is "$(ops "$MNT/proc/sys/vm" "$MNT/proc/sys/vm/min_free_kbytes" "$MNT/proc/sys/kernel/random")" \
	"EACCES EACCES EACCES EACCES EACCES EACCES EACCES" \
	"proc/sys/vm: mkdir, mknod, unlink, rmdir, rename, symlink, link EACCES"
is "$(ops "$MNT/proc/sys" "$MNT/proc/sys/vm/min_free_kbytes" "$MNT/proc/sys/vm")" \
	"EACCES EACCES EACCES EACCES EACCES EACCES EACCES" "... proc/sys itself too"
is "$(ops "$MNT/proc" "$MNT/proc/meminfo" "$MNT/proc/sys")" \
	"EPERM EPERM EPERM EPERM EPERM EPERM EPERM" "proc/: EPERM, as before"
M=$MNT/sys/devices/system/memory
is "$(ops "$M" "$M/block_size_bytes" "$M/memory0")" \
	"EPERM EPERM EPERM EPERM EPERM EPERM EPERM" "sysfs: EPERM, as before"
tr() { python3 -c '
import errno, os, sys
try:
    os.truncate(sys.argv[1], 0); print("ok")
except OSError as e:
    print(errno.errorcode[e.errno])' "$1"; }
is "$(tr "$MNT/proc/sys/kernel/random/boot_id")" EACCES "truncate(2) of boot_id (0444): EACCES"
is "$(tr "$MNT/proc/sys/vm/min_free_kbytes")" ok "... of min_free_kbytes (0644): ok, nothing changed"
ls "$MNT/proc/sys/vm" | grep -qx min_free_kbytes
tap_ok $? "min_free_kbytes still there"
stop_fs
done_testing
