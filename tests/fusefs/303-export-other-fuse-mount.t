#!/bin/bash
# hotmemctl export DIR where another FUSE filesystem is mounted at the
# mountpoint hotmemfs reports (a second hotmemfs over it, in the mount
# namespace hotmemctl runs in): its memory tree is on FUSE, so 290's check
# (f412fda2: a tree there, on FUSE) let it pass and the export copied the
# other machine's sysfs as this one's, exit 0.  Now the tree must be on the
# st_dev hotmemfs reports for its own mount (status "mount-dev"): exit 1,
# both devices named, DIR not made; from the mount itself it exports.
. "$(dirname "$0")/lib.sh"
require_env
need_tool unshare util-linux
unshare -m true 2>/dev/null || skip_all "cannot unshare a mount namespace"

mount_fs "hotmemfs mounts (qemu-512m)" --fresh --profile qemu-512m
dev=$(ctl status --json | python3 -c 'import json,sys; print(json.load(sys.stdin).get("mount-dev",""))')
is "$dev" "$(stat -c '%Hd:%Ld' "$MNT")" "status says the mount's st_dev (mount-dev)"

# a second hotmemfs (default profile: another machine) mounted at $MNT in a
# mount namespace of its own, the first's mount detached there (hotmemfs
# refuses to mount over a running one's), where hotmemctl asks the first
# to export; the second stopped there; hotmemctl's output, then its exit
# status (60 s bound a hang of the second's start only)
out=$(unshare -m --propagation private bash -c '
	umount -l "$2" || exit
	"$1" --netns none -S none -s "$5/ctl2.sock" "$2" 2>"$5/second.log" &
	second=$!
	for _ in $(seq 1200); do
		[ -e "$2/sys/devices/system/memory/block_size_bytes" ] && break
		kill -0 $second || break
		sleep 0.05
	done
	"$3" -s "$4" export "$5/e1" 2>&1; rc=$?
	umount "$2" || umount -l "$2"
	timeout 60 tail -s 0.05 --pid=$second -f /dev/null || kill -9 $second
	echo "$rc"' sh "$HMFS" "$MNT" "$HMCTL" "$CTL" "$TMP")
is "${out##*$'\n'}" 1 "another FUSE mount (a second hotmemfs) over the mountpoint: exit 1"
[ "${out##*$'\n'}" = 1 ] || sed "s/^/#   second: /" "$TMP/second.log"
is_like "${out%$'\n'*}" "hotmemctl: export: $MNT is not hotmemfs's mount in this mount namespace (its sys/devices/system/memory is on another FUSE mount, device 0:*, not this hotmemfs's $dev): *nothing exported" \
	"... saying why, both devices named"
[ ! -e "$TMP/e1" ]
tap_ok $? "... DIR not made"

ctl export "$TMP/e2" >/dev/null
tap_ok $? "from the mount's own namespace: exported"
[ -f "$TMP/e2/sys/devices/system/memory/block_size_bytes" ]
tap_ok $? "... the memory tree copied"
done_testing
