#!/bin/bash
# reread21b K6: a run of the guest virtio-mem driver's work that plugged
# memory while the readers' copy of the device could not grow (the
# engine's virtio_mem_publish() grew it then: p->behind, the plugged size
# of its last whole copy kept, reread21 H5) read as a run that changed
# nothing: the retry's change (dev.c hmfs_dev_retry()) said -EAGAIN, no
# record was written, and a kill -9 lost the plug.  155dd7f6 had the
# engine publish once more (a config read), which a copy that failed to
# grow twice still lost.  The copy is made for the whole region at
# device_add now (engine virtio_mem_pub_alloc()) and no publish grows it.
# The shim aims at the growth that was: alloc_shim.so (built here,
# tests/reliability/alloc_shim.c) fails the realloc() that grew the copy's
# sub-block states from their first 64 bytes (one memory block of 64
# sub-blocks) to 512 (the eight of a 1G device), twice; json-c's arrays
# grow from 256 bytes, its strings double, so none of theirs is that one.  With the engine's growth at
# publish (and 155dd7f6's second publish) checks 5, 6 and 9 fail (3).
. "$(dirname "$0")/lib.sh"
require_env
require_preload_shim alloc_shim
SHIM=$TMP/alloc_shim.so
export HOTMEM_TEST_ALLOC_FAIL=$TMP/realloc
G=1073741824
size() { ctl qom-get vm0 size 2>&1; }

LD_PRELOAD=$SHIM mount_fs "qemu-512m mounts with a state file (alloc_shim.so)" \
	--profile qemu-512m --cmdline "hotmem.kernel_alloc=off" --fresh
ctl device_add virtio-mem-pci id=vm0 size=1G requested-size=64M >/dev/null
is "$(size)" 67108864 "a virtio-mem vm0 of 1G, 64M plugged (half of memory32)"
ctl vmem-inject vm0 plug BUSY >/dev/null && ctl set-size vm0 1G >/dev/null 2>&1
is "$(size)" 67108864 "set-size 1G, the device answers the plug BUSY: still 64M, the retry timer armed"
echo "realloc 1 512 72 times=2" >"$TMP/realloc"
is "$(ctl vmem-retry vm0)" "the retry timer fired" "vmem-retry vm0: the driver plugs the rest"
is "$(cat "$TMP/realloc" 2>&1)" "realloc 1 512 72 times=2" "... and no publish grew the readers' copy (the shim's realloc() never asked)"
is "$(size)" $G "... the plug is seen: 1G"
ctl check >/dev/null
tap_ok $? "invariants hold"
kill9_fs
mount_fs "kill -9, restart" --profile qemu-512m --cmdline "hotmem.kernel_alloc=off"
is "$(size)" $G "the plug survived kill -9: vm0 1G"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
