#!/bin/bash
# The log of a boot and of a restore (hotmemfs killed and started again on
# its state file), as 6.12's:
#  - build_all_zonelists() at boot (mm_core_init()) says "Policy zone:"
#    with the highest boot zone (qemu-512m: DMA32, all below 4 GiB);
#  - a virtio-mem device the profile boots with a requested-size says its
#    sizes once ("plugged size: 0x0", "requested size: 0x8000000"), as the
#    driver probing a device that has it: not once for the probe and again
#    for the size set right after it, at boot and at every restore.
. "$(dirname "$0")/lib.sh"
require_env

cat >"$TMP/vmem.profile" <<'EOF'
profile = qemu-512m
virtio_mem = id=vm0 memaddr=0x100000000 size=1G requested-size=128M node=0
EOF
OPTS=(--profile "$TMP/vmem.profile" --cmdline "hotmem.kernel_alloc=off memhp_default_state=online")
pz() { ctl dmesg | sed -n 's/^<6>Policy zone: //p' | tr '\n' ' '; }
sizes() { ctl dmesg | sed -n 's/^<6>virtio_mem virtio0: \(plugged\|requested\) size: /\1 /p' | tr '\n' ' '; }

start_fs "${OPTS[@]}" --fresh
tap_ok $? "qemu-512m with vm0 (1G, requested-size 128M) mounts"
is "$(pz)" "DMA32 " "boot: build_all_zonelists() says 'Policy zone: DMA32' (no ZONE_NORMAL in boot memory)"
is "$(sizes)" "plugged 0x0 requested 0x8000000 " "boot: vm0 says its sizes once, with its requested-size"
kill9_fs
start_fs "${OPTS[@]}"
tap_ok $? "kill -9, restart on the state file"
is "$(sizes)" "plugged 0x0 requested 0x8000000 " "restore: vm0 says its sizes once"
done_testing
