#!/bin/bash
# /proc/sys and its directories have st_nlink 1 on 6.12, whatever they
# hold: proc_sys_make_inode() sets no nlink (new_inode()'s 1 stays), and
# /proc/sys's own proc_dir_entry has nlink 0 (proc_sys_init()), which
# proc_get_inode() does not set.  hotmemfs counted them as kernfs
# directories, 2 and their subdirectories (/proc/sys 4, vm 2).  /proc
# and sysfs directories keep 2 + subdirectories.
. "$(dirname "$0")/lib.sh"
require_env

mount_fs "hotmemfs mounts numa2" --profile numa2 --fresh
P=$MNT/proc/sys
is "$(stat -c %h "$P" "$P/vm" "$P/kernel" "$P/kernel/random" | tr '\n' ' ')" "1 1 1 1 " \
	"proc/sys, vm, kernel, kernel/random: nlink 1"
is "$(stat -c %h "$P/vm/min_free_kbytes" "$P/kernel/random/boot_id" | tr '\n' ' ')" "1 1 " \
	"... their files 1, as before"
is "$(stat -c %h "$MNT/sys/kernel/debug/notifier-error-inject/memory/actions" "$MNT/sys/devices/system/node/node0/hugepages")" \
	"$(printf '4\n3')" "debugfs and sysfs directories: 2 and their subdirectories, as before"
stop_fs
done_testing
