#!/bin/bash
# A DIMM not in whole memory blocks (usereye10 U4): QEMU 7.2 plugs a 100M
# pc-dimm (device_add answers {}, query-memory-devices lists it, slot 0 at
# 4G) and the 6.12 guest refuses it: add_memory() -> add_memory_resource()'s
# check_hotplug_memory_range() logs "Block size [0x8000000] unaligned
# hotplug range: start 0x100000000, size 0x6400000" and fails -EINVAL,
# then acpi_memhotplug's "add_memory failed" and
# "acpi_memory_enable_device() error"; no memory block of it, the DIMM
# stays (guest-refused, as 149's).  The same for a block-misaligned addr=
# (2 MiB aligned: QEMU takes it).  hotmemfs refused both device_adds with
# an error QEMU never sends before this.
. "$(dirname "$0")/lib.sh"
require_env
need_tool python3 python3
M=$MNT/sys/devices/system/memory
like() {
	printf '%s\n' "$1" | grep -qE "$2"
	tap_ok $? "$3" || diag "got: $1"
}

mount_fs "hotmemfs mounts qemu-512m" --fresh --profile qemu-512m --cmdline memhp_default_state=offline

out=$(ctl raw '{"execute":"device_add","arguments":{"driver":"pc-dimm","size":"100M","id":"bad"}}' 2>&1)
is "$?:$out" '0:{"return":{}}' "QMP device_add pc-dimm size=100M: {\"return\": {}} as QEMU 7.2's"
log=$(ctl dmesg)
like "$log" "Block size \\[0x8000000\\] unaligned hotplug range: start 0x100000000, size 0x6400000" \
	"the guest's log: check_hotplug_memory_range()'s line (6.12)"
like "$log" "acpi PNP0C80:00: add_memory failed" "... acpi_memory_enable_device()'s add_memory failed"
like "$log" "acpi PNP0C80:00: acpi_memory_enable_device\\(\\) error" "... acpi_memory_device_add()'s error line"
[ ! -e "$M/memory32" ]
tap_ok $? "no memory32: the guest added none of it"
is "$(ctl -j query-memory-devices | python3 -c 'import json,sys; d=json.load(sys.stdin)[0]["data"]; print(d["id"], d["slot"], hex(d["addr"]), hex(d["size"]))')" \
	"bad 0 0x100000000 0x6400000" "query-memory-devices lists it in slot 0 at 4G, 100M"
like "$(ctl devices)" "^bad: plugged in slot 0 but refused by the guest \\(EINVAL\\)" \
	"devices: the guest-refused line (EINVAL)"

out=$(ctl device_add pc-dimm size=128M addr=0x108200000 id=odd 2>&1)
like "$out" "^odd: +128M at 0x108200000, plugged in slot 1 but refused by the guest \\(EINVAL\\)" \
	"device_add addr=0x108200000 (2 MiB, not block aligned): plugged, refused by the guest"
like "$(ctl dmesg)" "Block size \\[0x8000000\\] unaligned hotplug range: start 0x108200000, size 0x8000000" \
	"... its check_hotplug_memory_range() line"
out=$(ctl device_add pc-dimm size=128M addr=0x110100000 id=odd2 2>&1)
is "$?:$out" "1:hotmemctl: error: address must be aligned to 0x200000 bytes" \
	"addr not 2 MiB aligned: QEMU's own refusal (memory_device_pre_plug())"

# note29: placed as QEMU places it, at 2M right after odd's end, where the guest refuses it
out=$(ctl device_add pc-dimm size=128M id=next 2>&1)
like "$out" "^next: +128M at 0x110200000, plugged in slot 2 but refused by the guest \\(EINVAL\\)" \
	"a DIMM without addr= after odd: at 0x110200000 (QEMU's 2M), refused by the guest"
out=$(ctl device_add pc-dimm size=128M addr=0x120000000 id=good 2>&1)
like "$out" "^good: +128M at 0x120000000, memory36 \\(offline\\)" "a whole-block DIMM still plugs and adds: $out"
out=$(ctl device_del bad 2>&1)
tap_ok $? "device_del bad: ejected" || diag "$out"

done_testing
