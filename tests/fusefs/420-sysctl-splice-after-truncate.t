#!/bin/bash
# A /proc/sys file copied by splice(2)/sendfile(2) (busybox cat) after an
# O_TRUNC open that wrote nothing -- `: >`, a refused `printf junk >` --
# reads its value, as on 6.12: a truncate changes nothing
# (proc_sys_setattr(): setattr_prepare() and setattr_copy(), which copies
# no size) and a splice goes through proc_sys_read() (copy_splice_read()).
# The host's FUSE splices a direct-io file through the page cache, bounded
# by i_size: a procfs file's st_size 0, the truncate's SETATTR reply
# included, read empty there (hvo31's busybox sh inside hotmem-enter:
# "W <- junk = -> ").  Every open of a /proc/sys file puts i_size at its
# value's length (fusefs/splice.c); stat still says 0.  The sysfs
# attributes (st_size 4096 after the truncate too) read whole the same
# way, before the fix too.
# The st_size checks pass without the fix (procfs's 0 was never moved);
# they guard the way it is made: a fix that put the value's length in a
# sysctl's attributes (fusefs/tree.c hmfs_stat()) splices whole as well,
# and fails checks 9, 17, 25, ..., 73 (checked 2026-12-02, no other).
# They cannot say i_size after the open: a stat is a GETATTR, which sets
# it back to 0 (fusefs/splice.c); the splice checks say it.
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory
V=$MNT/proc/sys/vm
mount_fs "hotmemfs mounts qemu-512m" --fresh --profile qemu-512m
splice_readers

# $1 copied by every reader is what read(2) reads ($2: after what)
check() { splice_same "$1" "$($SP read "$1" | od -An -c)" "${1#"$MNT"/}: what read(2) reads ($2)"; }
for f in min_free_kbytes watermark_scale_factor lowmem_reserve_ratio hugetlb_optimize_vmemmap \
	user_reserve_kbytes admin_reserve_kbytes nr_hugepages nr_hugepages_mempolicy \
	nr_overcommit_hugepages; do
	was=$($SP read "$V/$f")
	: >"$V/$f"
	check "$V/$f" ": > it"
	# EINVAL, but for lowmem_reserve_ratio's handler, which answers
	# success whatever it took (docs/hotmemfs.md): nothing, here
	(printf junk >"$V/$f") 2>/dev/null
	is "$($SP read "$V/$f")" "$was" "printf junk > vm/$f: the value as it was"
	check "$V/$f" "after printf junk > it"
	is "$(stat -c %s "$V/$f")" 0 "vm/$f: st_size still 0 (procfs's)"
done
for f in "$M/memory0/state" "$M/auto_online_blocks" \
	"$MNT/sys/module/memory_hotplug/parameters/online_policy" \
	"$MNT/sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages"; do
	! (echo bogus >"$f") 2>/dev/null
	tap_ok $? "echo bogus > ${f#"$M"/}: refused"
	check "$f" "after the refused write"
	is "$(stat -c %s "$f")" 4096 "${f#"$MNT"/}: st_size still 4096 (sysfs's)"
done
done_testing
