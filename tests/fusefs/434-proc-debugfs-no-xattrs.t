#!/bin/bash
# procfs and debugfs have no xattr handlers (6.12 proc_fill_super(),
# debugfs_fill_super() set no sb->s_xattr): their inodes lack IOP_XATTR,
# so setxattr, getxattr and removexattr of any name are EOPNOTSUPP
# (xattr_resolve_name(); security.* too, with no LSM's inode_setsecurity)
# and listxattr lists nothing.  hotmemfs gave them kernfs's handlers: root
# set trusted.x and security.x on /proc/meminfo, /proc/sys/vm files and
# notifier-error-inject's error files and read them back.  A sysfs
# attribute and directory keep kernfs's (kernfs_xattr_handlers).
. "$(dirname "$0")/lib.sh"
require_env

mount_fs "hotmemfs mounts numa2" --profile numa2 --fresh
# xa PATH: setxattr trusted.x and security.x, getxattr trusted.x, listxattr, removexattr
xa() {
	python3 -c '
import errno, os, sys
p = sys.argv[1]
def t(f):
    try:
        r = f()
        return "ok" if r is None else ("ok:" + ",".join(r) if isinstance(r, list) else "ok:" + r.decode())
    except OSError as e:
        return errno.errorcode[e.errno]
print(t(lambda: os.setxattr(p, "trusted.x", b"1")), t(lambda: os.setxattr(p, "security.x", b"2")),
      t(lambda: os.getxattr(p, "trusted.x")), t(lambda: os.listxattr(p)),
      t(lambda: os.removexattr(p, "trusted.x")))' "$1"
}
# (errno 95: EOPNOTSUPP, which Python names ENOTSUP)
NO="ENOTSUP ENOTSUP ENOTSUP ok: ENOTSUP"
for f in proc/meminfo proc/zoneinfo proc/sys/vm/min_free_kbytes proc/sys/vm proc \
	sys/kernel/debug/notifier-error-inject/memory/actions/MEM_GOING_ONLINE/error \
	sys/kernel/debug; do
	is "$(xa "$MNT/$f")" "$NO" "$f: no xattrs (set, get, remove EOPNOTSUPP, an empty list)"
done
for f in sys/devices/system/memory/memory0/state sys/devices/system/memory sys/kernel; do
	is "$(xa "$MNT/$f")" "ok ok ok:1 ok:security.x,trusted.x ok" "$f: kernfs's xattrs, as before"
done
stop_fs
done_testing
