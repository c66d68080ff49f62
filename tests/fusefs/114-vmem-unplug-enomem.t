#!/bin/bash
# A virtio-mem shrink that stops because the guest is full: 6.12's
# alloc_contig_range() returns -ENOMEM (migrate_pages() found no page to
# migrate into) and virtio_mem_fake_offline() gives up ("whoops, out of
# memory"). The engine reported it as pages that would not move, and
# hotmemctl said "the rest is busy" as for pinned or kernel pages
# (usereye3 #31): now the device's busy-errno is ENOMEM and the reply says
# the guest has no memory to give back.
. "$(dirname "$0")/lib.sh"
require_env
need_tool python3 python3
M=$MNT/sys/devices/system/memory
dev() { ctl --json devices | python3 -c "import json,sys; d=[d for d in json.load(sys.stdin) if d['id']=='$1'][0]; print(d.get('$2'))"; }

mount_fs "hotmemfs mounts qemu-512m, hot-added memory offline" \
	--profile qemu-512m --cmdline "memhp_default_state=offline" --fresh
ctl device_add virtio-mem-pci id=vm0 size=1G requested-size=1G >/dev/null && ctl settle >/dev/null &&
	for b in 32 33 34 35 36 37 38 39; do ctl online "$b" online_movable || exit 1; done
tap_ok $? "virtio-mem vm0, 1G plugged, memory32-39 online_movable"
free=$(awk '$1 == "MemFree:" {print $2}' "$MNT/proc/meminfo")
ctl alloc movable $(((free - 4096) / 4)) >/dev/null
tap_ok $? "movable pages allocated up to 4 MiB of MemFree: the guest is full"
ctl set-size vm0 0 >"$TMP/out" 2>&1
ctl settle >/dev/null
grep -qE "^vm0: requested 0, plugged [0-9]+[MG]: the guest has no memory to give back: memory(3[2-9])'s pages have no free memory to migrate into \(-ENOMEM; \`hotmemctl explain \1\`: free memory first\); the guest retries in ([1-9]|[1-4][0-9]|50) s \(\`hotmemctl vmem-retry vm0\`: now\)$" "$TMP/out"
tap_ok $? "set-size vm0 0: $(cat "$TMP/out")"
is "$(dev vm0 busy-errno)" ENOMEM "devices: busy-errno ENOMEM"
blk=$(sed -n 's/.*hotmemctl explain \([0-9]*\)`.*/\1/p' "$TMP/out")
is "$(ctl --json explain "$blk" | python3 -c 'import json,sys; print(json.load(sys.stdin)["verdict"])')" \
	eintr-no-free "... and explain $blk: its movable pages have nowhere to go (eintr-no-free)"
! ctl dmesg | grep -q "request failed: -12"
tap_ok $? "dmesg: no 'request failed' (6.12 retries on its timer, silently)"
ctl check >/dev/null
tap_ok $? "invariants hold"

# pinned pages: still EBUSY, "the rest is busy"
ctl free-all >/dev/null && ctl set-size vm0 1G >/dev/null && ctl settle >/dev/null
for b in 32 33 34 35 36 37 38 39; do [ "$(cat "$M/memory$b/state")" = online ] || ctl online "$b" online_movable; done
ctl alloc pinned 100 >/dev/null
ctl set-size vm0 0 >"$TMP/out2" 2>&1
ctl settle >/dev/null
grep -q ": the rest is busy: memory3[2-9]'s pages could not be taken" "$TMP/out2"
tap_ok $? "pinned pages: $(cat "$TMP/out2")"
is "$(dev vm0 busy-errno)" EBUSY "devices: busy-errno EBUSY"
done_testing
