#!/bin/bash
# splice(2)/sendfile(2) of hotmemfs's /proc files against read(2).  procfs
# splices its seq_files through read_iter (6.12+ fs/proc/inode.c
# proc_iter_file_ops: copy_splice_read, and /proc/sys's
# proc_sys_file_operations): busybox cat /proc/meminfo reads it all.  The
# host's FUSE without "fuse: use copy_splice_read() for direct io splice
# reads" splices through the page cache, bounded by i_size, and a procfs
# file's st_size is 0 (kept: the kernel's): every OPEN of one puts i_size
# at its text's length (fusefs/splice.c), so the copy is whole, and stat
# still says 0 after it -- but /proc/iomem, the opener's text (reread32 R3),
# which splices nothing there, the known difference.  /proc/cmdline (st_size its length, 6.18) splices
# whole too, after the machine changed as well.
. "$(dirname "$0")/lib.sh"
require_env
mount_fs "hotmemfs mounts qemu-512m, new memory offline" --fresh --profile qemu-512m \
	--cmdline "memhp_default_state=offline splice=test"
splice_readers
pagecache=false
splice_shares_cache && pagecache=true
diag "this kernel splices FUSE direct-io files through the page cache: $pagecache"

check() {
	local f=$1 r got want
	for r in "${readers[@]}"; do
		got=$($r "$MNT/proc/$f" | od -An -c)
		want=$($SP read "$MNT/proc/$f" | od -An -c)
		if [ "$f" != iomem ] || ! $pagecache; then
			same_output "$got" "$want" "${r##*/} /proc/$f: what read(2) reads ($2)"
		else
			# the opener's text in a page cache shared by all openers: not sized
			# at open (splice.c, reread32 R3), so nothing -- never a part
			[ -z "$got" ] || [ "$got" = "$want" ]
			tap_ok $? "${r##*/} /proc/$f: all of it or nothing (nothing: the known difference) ($2)"
		fi
	done
	[ "$f" = cmdline ] && return
	is "$(stat -c %s "$MNT/proc/$f")" 0 "/proc/$f: st_size 0 after the splices, procfs's ($2)"
}
FILES="meminfo zoneinfo buddyinfo vmstat pagetypeinfo iomem cmdline sys/kernel/random/boot_id sys/vm/min_free_kbytes"
for f in $FILES; do check "$f" "at start"; done
ctl device_add pc-dimm size=256M id=d1 >/dev/null
if echo online_movable >"$MNT/sys/devices/system/memory/memory33/state"; then
	ok "device_add pc-dimm 256M, memory33 online_movable: meminfo, zoneinfo and iomem grow"
else
	nok "device_add pc-dimm 256M, memory33 online_movable: meminfo, zoneinfo and iomem grow"
fi
for f in $FILES; do check "$f" "after the change"; done
done_testing
