#!/bin/bash
# notifier-error-inject's error files are debugfs simple_attrs, not kernfs
# files: 6.12's debugfs proxy (__full_proxy_fops_init()) has no ->poll
# when the attribute's fops have none (DEFINE_SIMPLE_ATTRIBUTE_SIGNED's
# have none), so vfs_poll() answers DEFAULT_POLLMASK -- POLLIN, never
# kernfs_generic_poll()'s POLLERR|POLLPRI before the first read.
# hotmemfs answered them as a sysfs attribute (0xb).  A sysfs attribute
# and /proc/meminfo beside them, as before.
. "$(dirname "$0")/lib.sh"
require_env

mount_fs "hotmemfs mounts numa2" --profile numa2 --fresh
E=$MNT/sys/kernel/debug/notifier-error-inject/memory/actions
# revents FILE...: poll(POLLIN|POLLPRI) at once, before a read, and again after one
revents() {
	python3 -c '
import os, select, sys
out = []
for f in sys.argv[1:]:
    fd = os.open(f, os.O_RDONLY)
    p = select.poll()
    p.register(fd, select.POLLIN | select.POLLPRI)
    before = p.poll(0)[0][1]
    os.read(fd, 4096)
    out.append("%s/%s" % (hex(before), hex(p.poll(0)[0][1])))
    os.close(fd)
print(*out)' "$@"
}
is "$(revents "$E/MEM_GOING_ONLINE/error" "$E/MEM_GOING_OFFLINE/error")" "0x1/0x1 0x1/0x1" \
	"debugfs error files: POLLIN before and after a read (DEFAULT_POLLMASK)"
is "$(revents "$MNT/sys/devices/system/memory/memory0/state" "$MNT/proc/meminfo")" "0xb/0x1 0x1/0x1" \
	"... a sysfs attribute still POLLERR|POLLPRI before its first read, /proc/meminfo POLLIN"
stop_fs
done_testing
