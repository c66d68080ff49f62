#!/bin/bash
# A virtio-mem driver's retry keeps, in its @pre, what the device's
# blocks keep (iattr.c iattr_snapshot(), its blocks' chains alone:
# snap_block()).  A block that came back is on the chain of its new
# incarnation key; when that chain is the one its id hashes to, the
# snapshot walked it twice and wrote the block's entries twice, past the
# end of its array (one slot an entry): heap memory overwritten.  Block
# 166's first new key (the mount's first block removal, 2^28) hashes
# to block 166's chain: memory166 unplugged and plugged back, five of its
# files chmodded, then an online that makes the driver's work due.  Its
# pre must hold each entry once, and hotmemfs must live on.
set -u
. "$(dirname "$0")/lib.sh"
require_env
start_fs_netns --profile default --fresh
tap_ok $? "hotmemfs mounts the default profile with a fresh state file"
findmnt -t fuse.hotmemfs "$MNT" >/dev/null || { echo "Bail out! not a hotmemfs mount"; exit 1; }
ctl device_add virtio-mem-pci id=vm0 size=2G requested-size=128M memaddr=0x530000000 >/dev/null
tap_ok $? "virtio-mem vm0 at block 166, 128M plugged: memory166"
ctl set-size vm0 0 >/dev/null
[ ! -e "$M/memory166" ]
tap_ok $? "set-size 0: memory166 unplugged and removed (its id's first new key)"
ctl set-size vm0 1152M >/dev/null
[ -d "$M/memory166" ] && [ -d "$M/memory173" ] && [ ! -e "$M/memory174" ]
tap_ok $? "set-size 1152M: memory166-173 plugged back, offline; the driver waits for an online"
for f in state online phys_index removable uevent; do chmod 600 "$M/memory166/$f" || break; done
tap_ok $? "five files of memory166 chmod 600"
# 6.12's MEM_ONLINE notifier queues the driver's work once half its
# offline_threshold (1G) is online: memory166's online is the fourth
for b in 167 168 169; do echo online_movable >"$M/memory$b/state" || break; done
tap_ok $? "memory167-169 online: 640M still offline, no work queued"
echo online_movable >"$M/memory166/state"
tap_ok $? "memory166 online: the driver's work is due, its @pre taken"
is "$(ctl --json devices | python3 -c 'import json,sys; print([d["plugged-size"] for d in json.load(sys.stdin) if d["id"] == "vm0"][0])')" \
	$((1152 << 20)) "... and the driver plugged the rest"
kill -0 "$FS_PID" 2>/dev/null && ctl check >/dev/null
tap_ok $? "hotmemfs lives on, its invariants hold"
is "$(stat -c %a "$M/memory166/phys_index" 2>&1)" 600 "memory166/phys_index keeps its mode"
kill9_fs
start_fs_netns
tap_ok $? "restart after kill -9"
is "$(stat -c %a "$M"/memory166/{state,online,phys_index,removable,uevent} | sort -u)" 600 \
	"... memory166's five modes come back"
stop_fs
done_testing
