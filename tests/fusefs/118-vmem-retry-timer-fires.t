#!/bin/bash
# The guest virtio-mem driver's retry timer fires by itself (usereye3
# #33's recipe, waited out): a shrink stopped by pinned pages, the pages
# freed, nothing else done -- within the timer's 50 s the driver retries
# and the device reaches its requested-size, as 6.12's does; the run is
# journaled (kill -9 keeps it).  117 fires it with vmem-retry instead.
# Waits about 50 s, bounded.
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory
dev() { ctl --json devices | python3 -c "import json,sys; d=[d for d in json.load(sys.stdin) if d['id']=='$1'][0]; print(d.get('$2', 'none'))"; }

mount_fs "qemu-512m mounts" --profile qemu-512m --cmdline "hotmem.kernel_alloc=off" --fresh
ctl device_add virtio-mem-pci id=vm0 size=1G requested-size=512M >/dev/null
for b in 32 33 34 35; do echo online_movable >"$M/memory$b/state"; done
ctl alloc pinned 100 >/dev/null
ctl set-size vm0 0 >/dev/null 2>&1
p=$(dev vm0 plugged-size)
[ "$p" -gt 0 ] 2>/dev/null && [ "$(dev vm0 retry-in-ms)" != none ]
tap_ok $? "pinned pages stop the shrink (plugged $p), the retry timer armed"
ctl free-all >/dev/null
# the timer's 50 s, and as long again for a loaded machine
for _ in $(seq 200); do
	[ "$(ctl qom-get vm0 size 2>/dev/null)" = 0 ] && break
	sleep 0.5
done
is "$(ctl qom-get vm0 size)" 0 "the timer fired by itself: vm0's size (plugged) reached requested-size 0"
is "$(dev vm0 retry-in-ms)" none "... and it is armed no more"
kill9_fs
mount_fs "kill -9, restart" --profile qemu-512m --cmdline "hotmem.kernel_alloc=off"
is "$(ctl qom-get vm0 size)" 0 "the timer's run was journaled: still 0 after the restart"
stop_fs
done_testing
