#!/bin/bash
# The anonymous devices' count (device[N], QEMU's qdev_set_id()) is a
# lock-free "param" record (f32485e5): a refused anonymous device_add
# keeps its number.  With the record's fdatasync() failing (sync_shim.so)
# the number stays taken -- the count is only raised, an undo never hands
# a number back -- and the message said "the anonymous devices' count
# (device[N]) was undone", which it was not (rerfix30's report).  Checks 3
# fails without the wording (checked); 4-5 guard the count itself.
set -u
. "$(dirname "$0")/lib.sh"
require_sync_fail
LD_PRELOAD=$SHIM start_fs_netns --profile qemu-512m --fresh
tap_ok $? "hotmemfs mounts (qemu-512m, a state file)"
: >"$HOTMEM_TEST_SYNC_FAIL"
qmp_reply device_add '{"driver": "pc-dimm", "size": 268435456, "node": 7}' >"$TMP/add.out"
rm -f "$HOTMEM_TEST_SYNC_FAIL"
grep -q "exceeds the number of numa nodes" "$TMP/add.out"
tap_ok $? "an anonymous pc-dimm with node 7 is refused in QEMU's words" "$(cat "$TMP/add.out")"
grep -q "the anonymous devices' count (device\[N\]) stays taken (a number is never given twice)" \
	"$TMP/hotmemfs.log" && ! grep -q "count (device\[N\]) was undone" "$TMP/hotmemfs.log"
tap_ok $? "... its record's fdatasync failing: the log says the number stays taken" \
	"$(grep "anonymous" "$TMP/hotmemfs.log")"
out=$(ctl device_add pc-dimm size=128M)
is "${out%%:*}" "/machine/peripheral-anon/device[1]" \
	"the next anonymous DIMM is device[1]: the refusal's device[0] stays taken ($out)"
stop_fs
start_fs_netns --profile qemu-512m
tap_ok $? "restarts from the state file"
out=$(ctl device_add pc-dimm size=128M)
is "${out%%:*}" "/machine/peripheral-anon/device[2]" "... and the next one is device[2] ($out)"
stop_fs
done_testing
