#!/bin/bash
# procfs's st_blksize is its superblock's block size, 1024 (6.12
# proc_fill_super(): s_blocksize 1024), for /proc, its files and
# /proc/sys alike -- this host's /proc/meminfo says 1024 too; sysfs's
# (kernfs) and debugfs's are a page, 4096.  hotmemfs said 4096 for all
# (FUSE takes a GETATTR's blksize as it is: fuse_fillattr()).
. "$(dirname "$0")/lib.sh"
require_env

mount_fs "hotmemfs mounts numa2" --profile numa2 --fresh
is "$(cd "$MNT" && stat -c %o proc proc/meminfo proc/kpageflags proc/sys proc/sys/vm/min_free_kbytes \
	proc/sys/kernel/random/boot_id | tr '\n' ' ')" "1024 1024 1024 1024 1024 1024 " \
	"proc/, its files, proc/sys/...: st_blksize 1024"
is "$(cd "$MNT" && stat -c %o sys sys/devices/system/memory/memory0/state sys/kernel/debug \
	sys/kernel/debug/notifier-error-inject/memory/actions/MEM_GOING_ONLINE/error | tr '\n' ' ')" \
	"4096 4096 4096 4096 " "sysfs and debugfs: 4096, as before"
if [ -r /proc/meminfo ]; then
	is "$(stat -c %o /proc/meminfo)" 1024 "... as this host's /proc/meminfo"
fi
stop_fs
done_testing
