#!/bin/bash
# hotmemctl qom-get ID PROPERTY: a device's property as QEMU's qom-get
# gives it (qmp_qom_get()).  It was "The command qom-get has not been
# found".  virtio-mem-pci's size is what is plugged (QEMU's
# virtio_mem_get_size()), not device_add's size= (the region, its memdev's);
# an unknown property is QEMU's "Property 'virtio-mem-pci.foo' not found",
# an unknown device "Device 'x' not found"; one QEMU has and hotmem does not
# model (memdev) says so.
. "$(dirname "$0")/lib.sh"
require_env

start_fs --fresh
tap_ok $? "hotmemfs mounts"
ctl device_add virtio-mem-pci id=vm0 size=4G requested-size=1G block-size=4M node=0 >/dev/null
tap_ok $? "a virtio-mem device of 4 GiB, 1 GiB requested"
addr=$(ctl --json devices | python3 -c 'import json,sys; print([d for d in json.load(sys.stdin) if d["id"] == "vm0"][0]["memaddr"])')
is "$(ctl qom-get vm0 size)" 1073741824 "qom-get vm0 size: the plugged size, as QEMU's"
is "$(ctl qom-get vm0 requested-size)" 1073741824 "qom-get vm0 requested-size"
is "$(ctl qom-get vm0 block-size)" 4194304 "qom-get vm0 block-size"
is "$(ctl qom-get vm0 node)" 0 "qom-get vm0 node"
is "$(ctl qom-get vm0 memaddr)" "$addr" "qom-get vm0 memaddr: where it was placed"
ctl qom-set vm0 requested-size 512M >/dev/null
is "$(ctl qom-get vm0 requested-size),$(ctl qom-get vm0 size)" 536870912,536870912 \
	"after qom-set requested-size 512M: both follow"
is "$(ctl --json qom-get vm0 size)" 536870912 "--json: the bare value, as QMP's return"
is "$(ctl raw '{"execute": "qom-get", "arguments": {"path": "vm0", "property": "node"}}' 2>&1)" '{"return":0}' \
	"the control socket's qom-get, QMP's arguments (raw: the reply whole)"

out=$(ctl qom-get vm0 foo 2>&1)
is "$?:$out" "1:hotmemctl: error: Property 'virtio-mem-pci.foo' not found" "an unknown property: QEMU's error, exit 1"
out=$(ctl qom-get nosuch size 2>&1)
is "$?:$out" "1:hotmemctl: error: Device 'nosuch' not found" "an unknown device: QEMU's error"
out=$(ctl qom-get vm0 memdev 2>&1)
[ $? = 1 ] && [[ $out == *"Property 'virtio-mem-pci.memdev': not modelled by hotmem"* ]]
tap_ok $? "memdev, which hotmem does not model: said so ($out)"
out=$(ctl qom-get vm0 2>&1)
is "$?:$out" "2:hotmemctl: qom-get: which property? (qom-get ID PROPERTY; hotmemctl --help)" \
	"no property: a usage error, nothing sent (was hotmemfs's QMP refusal, exit 1)"

out=$(ctl device_add pc-dimm id=d1 size=256M node=0 2>&1)
tap_ok $? "a DIMM of 256 MiB${out:+ ($out)}"
is "$(ctl qom-get d1 size) $(ctl qom-get d1 slot) $(ctl qom-get d1 node)" "268435456 0 0" "pc-dimm: size, slot, node"
out=$(ctl qom-get d1 requested-size 2>&1)
is "$out" "hotmemctl: error: Property 'pc-dimm.requested-size' not found" "pc-dimm has no requested-size: QEMU's error"
out=$(ctl qom-set d1 requested-size 128M 2>&1)
is "$out" "hotmemctl: error: Property 'pc-dimm.requested-size' not found" "qom-set of it too: the type named, as QEMU (not the id; finalB B4)"
stop_fs
done_testing
