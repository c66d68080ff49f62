#!/bin/bash
# A virtio-mem shrink the device refuses (NACK) is said as that: 6.12's
# virtio_mem_send_unplug_request() maps the NACK to -ENOMEM, which the
# driver cannot tell from "no free memory to migrate into", but nothing
# in the guest is busy -- hotmemctl said "the rest is busy", sending the
# user to `explain`, which found nothing (abuse25b C5). The status says
# "unplug-refused": "NACK"; a shrink stopped by busy pages still names
# its block.
. "$(dirname "$0")/lib.sh"
require_env
need_tool python3 python3

mount_fs "hotmemfs mounts qemu-512m, new memory online_movable" \
	--profile qemu-512m --cmdline "hotmem.kernel_alloc=off memhp_default_state=online_movable" --fresh
ctl device_add virtio-mem-pci id=vm0 size=1G requested-size=128M >/dev/null
tap_ok $? "virtio-mem vm0, 128M plugged"
ctl vmem-inject vm0 unplug NACK >/dev/null && ctl set-size vm0 0 >"$TMP/out" 2>&1
tap_ok $? "the device NACKs the next unplug; set-size vm0 0 is accepted"
grep -qF "the device refused the unplug (NACK: -ENOMEM; 6.12 virtio_mem_send_unplug_request()): nothing in the guest is busy" "$TMP/out"
tap_ok $? "set-size says the device refused: $(head -c 300 "$TMP/out")"
grep -q "the rest is busy" "$TMP/out"
tap_ok $((!$?)) "... not 'the rest is busy'"
ctl --json status | python3 -c 'import json,sys; d=[x for x in json.load(sys.stdin)["devices"] if x["id"]=="vm0"][0]; print(d.get("unplug-refused"), "busy-pfn" in d)' >"$TMP/st"
is "$(cat "$TMP/st")" "NACK False" "status --json: unplug-refused NACK, no busy-pfn"
done_testing
