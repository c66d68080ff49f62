#!/bin/bash
# splice(2) and sendfile(2) readers of a sysfs attribute whose text grows
# and shrinks between their reads get what read(2) gets, as kernfs gives
# them (copy_splice_read: through read_iter).  The host's FUSE (6.12 to
# 6.18 fuse_splice_read()) splices a direct-io file through the page
# cache, bounded by i_size, and a short READ shrinks i_size
# (fuse_short_read()), cached for the attributes' hour: busybox cat of
# memory33/valid_zones read "Normal M" after "Movable" (abuse27 F1).
# hotmemfs puts i_size back at the next open (fusefs/splice.c); read(2)
# readers never take that path (splice-size-restores stays 0), and stat
# says 4096 again once the file is opened anew.
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory
mount_fs "hotmemfs mounts qemu-512m, new memory offline" --fresh --profile qemu-512m \
	--cmdline memhp_default_state=offline
ctl device_add pc-dimm size=256M id=d1 >/dev/null
tap_ok $? "device_add pc-dimm 256M: memory32-33"

# read(2) alone: every attribute of the blocks read twice, no restore
for _ in 1 2; do cat "$M"/memory*/valid_zones "$M"/memory*/state >/dev/null; done
is "$(splice_size_restores)" 0 "read(2) readers: no OPEN puts a size back (splice-size-restores 0)"

splice_readers
# valid_zones and state of $1 as $2 copies them, then as read(2) reads
# them -- without fstat(2): coreutils cat's would put the size back
# itself (a GETATTR: the splice dropped the cached atime)
check() {
	local blk=$1 reader=$2 f want got
	for f in valid_zones state; do
		got=$($reader "$M/$blk/$f")
		want=$($SP read "$M/$blk/$f")
		same_output "$got" "$want" "${reader##*/} $blk/$f: what read(2) reads ($3)"
	done
}
n=0
for r in "${readers[@]}"; do
	blk=memory3$((2 + n % 2))
	n=$((n + 1))
	echo online_movable >"$M/$blk/state"
	check "$blk" "$r" "online_movable: Movable"
	echo offline >"$M/$blk/state"
	check "$blk" "$r" "offline: Normal Movable, longer"
	echo online_movable >"$M/$blk/state"
	check "$blk" "$r" "online_movable again: shorter"
	echo offline >"$M/$blk/state"
	check "$blk" "$r" "offline again: longer"
done
r=$(splice_size_restores)
# a FUSE that splices a direct-io file through read_iter (upstream's
# "fuse: use copy_splice_read() for direct io splice reads", 6.19+ and
# its stable backports) sends no short page-cache READ: nothing to put
# back, and the content checks above are the whole test (reread27 R2)
if [ "$r" -eq 0 ] && [ "$T_FAIL" -eq 0 ]; then
	ok "every splice whole with no size put back: this host's FUSE splices direct-io files through read_iter # SKIP no short page-cache READ to repair"
else
	[ "$r" -gt 0 ]
	tap_ok $? "the splices' sizes were put back at their next open (splice-size-restores $r)"
fi
# (no stat check here: coreutils' stat and cat refresh i_size by GETATTR
# whatever splice.c does -- reread27 R3; the second splices of check()
# are what show the size put back)
done_testing
