#!/bin/bash
# The log of a boot and of a restore (hotmemfs killed and started again on
# its state file), as 6.12's:
#  - build_all_zonelists() at boot (mm_core_init()) says "Policy zone:"
#    with the highest boot zone (qemu-512m: DMA32, all below 4 GiB);
#  - a virtio-mem device the profile boots with a requested-size says its
#    sizes once ("plugged size: 0x0", "requested size: 0x8000000"), as the
#    driver probing a device that has it: not once for the probe and again
#    for the size set right after it, at boot and at every restore;
#  - policy_zone is only ever raised (check_highest_zone()): ZONE_NORMAL
#    populated and emptied again leaves it Normal, and so does a restore,
#    whose offline blocks never go online to raise it (the state file's
#    params "policy-zone", recorded by the block change that raised it).
. "$(dirname "$0")/lib.sh"
require_env

cat >"$TMP/vmem.profile" <<'EOF2'
profile = qemu-512m
virtio_mem = id=vm0 memaddr=0x100000000 size=1G requested-size=128M node=0
EOF2
OPTS=(--profile "$TMP/vmem.profile" --cmdline "hotmem.kernel_alloc=off memhp_default_state=online")
B32=$MNT/sys/devices/system/memory/memory32/state
pz() { ctl dmesg | sed -n 's/^<6>Policy zone: //p' | tr '\n' ' '; }
# the last word of the state file and its journal on it
saved_pz() {
	cat "$STATE" "$STATE.journal" 2>/dev/null | tr -d '\0' |
		grep -o '"policy-zone": *"[A-Za-z0-9]*"' | tail -1 | sed 's/.*"\([A-Za-z0-9]*\)"$/\1/'
}

start_fs "${OPTS[@]}" --fresh
tap_ok $? "qemu-512m with vm0 (1G, requested-size 128M) mounts"
is "$(pz)" "DMA32 " "boot: build_all_zonelists() says 'Policy zone: DMA32' (no ZONE_NORMAL in boot memory)"
is "$(vmem_sizes)" "plugged 0x0 requested 0x8000000 " "boot: vm0 says its sizes once, with its requested-size"
is "$(cat "$B32")" offline "vm0's memory32 is offline (a profile device's memory boots offline)"
echo online_kernel >"$B32" && echo offline >"$B32"
tap_ok $? "memory32 online to ZONE_NORMAL and offline again"
is "$(pz)" "DMA32 Normal Normal " "ZONE_NORMAL populated, then emptied: 'Policy zone: Normal' both times (never lowered)"
is "$(saved_pz)" Normal "the state file says policy-zone Normal (the online's record)"

kill9_fs
start_fs "${OPTS[@]}"
tap_ok $? "kill -9, restart on the state file"
is "$(cat "$B32")" offline "memory32 is offline, as it was"
is "$(vmem_sizes)" "plugged 0x0 requested 0x8000000 " "restore: vm0 says its sizes once"
echo online_movable >"$B32"
tap_ok $? "memory32 online to ZONE_MOVABLE (build_all_zonelists() again)"
is "$(pz)" "DMA32 Normal " "restore: boot's DMA32, then Normal: policy_zone as it was before the kill"
echo offline >"$B32"

# a device_add's device restored with its blocks: the probe's first run
# reads the device's config, which has them plugged (usereye4 #15: it said
# "plugged size: 0x0" while hotmemctl devices said what was plugged); one
# with nothing plugged says its sizes all the same, once
sizes_of() { ctl dmesg | sed -n "s/^<6>virtio_mem $1: \(plugged\|requested\) size: /\1 /p" | tr '\n' ' '; }
ctl device_add virtio-mem-pci id=vm1 size=512M requested-size=256M >/dev/null &&
	ctl device_add virtio-mem-pci id=vm2 size=256M requested-size=0 >/dev/null && ctl settle --timeout 60 >/dev/null
tap_ok $? "vm1 (requested-size 256M) and vm2 (0) added"
is "$(sizes_of virtio1)|$(sizes_of virtio2)" "plugged 0x0 requested 0x10000000 |plugged 0x0 requested 0x0 " \
	"device_add: each probe says its sizes once, nothing plugged yet"
kill9_fs
start_fs "${OPTS[@]}"
tap_ok $? "kill -9, restart on the state file"
is "$(ctl --json devices | python3 -c 'import json,sys; print([d.get("plugged-size") for d in json.load(sys.stdin) if d.get("id") == "vm1"])')" "[268435456]" \
	"vm1 is back with its 256M plugged"
is "$(sizes_of virtio1)" "plugged 0x10000000 requested 0x10000000 " \
	"restore: vm1's probe says the 256M plugged, once"
is "$(sizes_of virtio2)" "plugged 0x0 requested 0x0 " "restore: vm2's says its sizes once too"
done_testing
