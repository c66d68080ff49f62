#!/bin/bash
# A /proc/sys file copied by splice(2)/sendfile(2) after a write reads the
# whole value, as 6.12's procfs does (copy_splice_read()), never the first
# bytes of it.  The host's FUSE set i_size to a write's end (a write past
# i_size 0: fuse_write_update_attr()) and splices through the page cache
# up to i_size: after `printf 5 > watermark_scale_factor` busybox cat read
# "5" without its newline, and after `printf 1 > nr_hugepages` and a pool
# grown to 16 through sysfs, "1".  Every open of a /proc/sys file puts
# i_size at the value's length (fusefs/splice.c), which stat(2) and
# lseek(SEEK_END) do not see: st_size stays procfs's 0.  The last two
# checks pass without the fix; the value's length put in a sysctl's
# attributes instead (fusefs/tree.c hmfs_stat()), which splices whole
# too, fails them and no other (checked 2026-12-02).
. "$(dirname "$0")/lib.sh"
require_env
V=$MNT/proc/sys/vm
mount_fs "hotmemfs mounts qemu-512m" --fresh --profile qemu-512m
splice_readers

# $1 copied by every reader is $2 ($3: after what)
check() { splice_same "$1" "$(printf '%b' "$2" | od -An -c)" "vm/${1##*/}: '${2/\\n/\\\\n}' ($3)"; }
printf 5 >"$V/watermark_scale_factor"
check "$V/watermark_scale_factor" '5\n' "after printf 5 > it"
printf 1 >"$V/nr_hugepages"
check "$V/nr_hugepages" '1\n' "after printf 1 > it"
printf 1 >"$V/nr_hugepages"
echo 16 >"$MNT/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages"
check "$V/nr_hugepages" '16\n' "after printf 1 > it, then 16 through sysfs"
is "$(stat -c %s "$V/nr_hugepages")" 0 "vm/nr_hugepages: st_size 0 (procfs's)"
is "$(python3 -c 'import os,sys; fd = os.open(sys.argv[1], os.O_RDONLY); print(os.fstat(fd).st_size, os.lseek(fd, 0, os.SEEK_END))' \
	"$V/nr_hugepages")" "0 0" "... fstat and lseek(SEEK_END) of an open one: 0"
done_testing
