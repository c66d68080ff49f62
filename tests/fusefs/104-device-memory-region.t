#!/bin/bash
# device_add places memory devices in QEMU's device-memory region
# (hw/i386/pc.c pc_get_device_memory_range(), pc and q35): from
# ROUND_UP(4 GiB + RAM above 4 GiB, 1 GiB), the 32-bit PCI hole below 4 GiB
# taking no device.  hotmemfs's region began at the end of boot RAM: a
# qemu-512m DIMM at 0xc0000000 came online as a ZONE_NORMAL below 4 GiB no
# real guest can have (usereye3 #26).  QEMU refuses it with
# memory_device_get_free_addr()'s "can't add memory device [ADDR:SIZE],
# usable range for memory devices [BASE:SIZE]".  The built-in QEMU
# machines (qemu-512m, default, numa2) say `device_memory = qemu`; a
# profile's `device_memory = after-ram` keeps the region right above boot
# RAM, and a state file's device from before stays where it was.
. "$(dirname "$0")/lib.sh"
require_env

usable() { echo "usable range for memory devices [$1]"; }
refused() {	# refused NAME WANT-IN-MESSAGE device_add ARGS...
	local name=$1 want=$2 err rc
	shift 2
	err=$(ctl "$@" 2>&1)
	rc=$?
	[ $rc -ne 0 ] && [[ $err == *"$want"* ]]
	tap_ok $? "$name -> ${err#hotmemctl: error: }"
}
nblocks() { ls "$MNT/sys/devices/system/memory" | grep -c '^memory'; }

mount_fs "hotmemfs mounts qemu-512m" --profile qemu-512m --fresh -S none --cmdline hotmem.kernel_alloc=off
before=$(nblocks)
refused "qemu-512m: a DIMM at 3 GiB (the PCI hole) is refused" \
	"can't add memory device [0xc0000000:0x10000000], $(usable 0x100000000:0x1e0000000)" \
	device_add pc-dimm id=dlow size=256M addr=0xc0000000
refused "qemu-512m: virtio-mem at 2 GiB is refused" \
	"can't add memory device [0x80000000:0x40000000], $(usable 0x100000000:0x1e0000000)" \
	device_add virtio-mem-pci id=vm9 size=1G memaddr=0x80000000
refused "qemu-512m: virtio-mem at 256 MiB: the region QEMU's message names starts at 4 GiB" \
	"can't add memory device [0x10000000:0x40000000], $(usable 0x100000000:0x1e0000000)" \
	device_add virtio-mem-pci id=vm9 size=1G memaddr=0x10000000
is "$(nblocks)" "$before" "... no block was added"
out=$(ctl device_add pc-dimm id=d0 size=256M addr=0x100000000 2>&1)
tap_ok $? "a DIMM at 4 GiB, the region's start, is taken: $out"
out=$(ctl device_add pc-dimm id=d1 size=256M 2>&1)
[[ $out == *"at 0x110000000"* ]]
tap_ok $? "one without addr goes right after it: $out"
ctl device_del d0 >/dev/null && ctl device_del d1 >/dev/null
tap_ok $? "... both unplugged"
# QEMU's total for devices is maxmem - RAM (memory_device_check_addable(),
# 7.2 .. 10.x): -m 512M,maxmem=4G takes 3.5 GiB, not the 4 GiB its region
# has room for (usereye5 #2: QEMU 7.2 refuses, hotmem took it)
refused "qemu-512m: a 4G virtio-mem is more than QEMU's maxmem - RAM" \
	"not enough space, currently 0x0 in use of total space for memory devices 0xe0000000" \
	device_add virtio-mem-pci id=vm0 size=4G requested-size=300M
out=$(ctl device_add pc-dimm id=dimm1 size=1G 2>&1)
tap_ok $? "a 1G DIMM: $out"
refused "... then a 3G virtio-mem is refused, 1G in use" \
	"not enough space, currently 0x40000000 in use of total space for memory devices 0xe0000000" \
	device_add virtio-mem-pci id=vm0 size=3G requested-size=300M
out=$(ctl device_add virtio-mem-pci id=vm0 size=2560M requested-size=300M 2>&1)
[[ $out == *"at 0x140000000"* ]]
tap_ok $? "... a 2.5G one fills the 3.5 GiB, placed where QEMU puts it: ${out%%$'\n'*}"
is "$(nblocks)" "$((before + 8 + 3))" "... the refused ones added no block"
stop_fs

mount_fs "hotmemfs mounts default" --profile default --fresh -S none --cmdline hotmem.kernel_alloc=off
refused "default (1 GiB of RAM): a DIMM at 1 GiB is refused" \
	"can't add memory device [0x40000000:0x8000000], $(usable 0x100000000:0xf00000000)" \
	device_add pc-dimm size=128M addr=0x40000000
stop_fs

mount_fs "hotmemfs mounts numa2" --profile numa2 --fresh -S none --cmdline hotmem.kernel_alloc=off
refused "numa2 (2 GiB of RAM): a DIMM at 2 GiB is refused" \
	"$(usable 0x100000000:0xf00000000)" device_add pc-dimm size=128M addr=0x80000000 node=1
stop_fs

# a profile that is no QEMU pc/q35: the region right above boot RAM
printf 'profile = qemu-512m\ndevice_memory = after-ram\n' >"$TMP/low.profile"
mount_fs "hotmemfs mounts qemu-512m with device_memory = after-ram" --profile "$TMP/low.profile" --fresh --cmdline hotmem.kernel_alloc=off
out=$(ctl device_add pc-dimm id=dlow size=256M addr=0xc0000000 2>&1)
tap_ok $? "device_memory = after-ram: a DIMM at 3 GiB is taken: $out"
refused "... below boot RAM's end still refused" "$(usable 0x20000000:0x2c0000000)" \
	device_add pc-dimm size=128M addr=0x10000000
stop_fs

# the state file holds dlow at 3 GiB; the profile now says qemu: restored where it was.
# A state file from before device_memory has no "profile-config" either (one that
# has it refuses an edited profile: 120-state-profile-edit.t); dlow is its one device.
state_devices_edit 's["machine"].pop("profile-config", None)'
printf 'profile = qemu-512m\ndevice_memory = qemu\n' >"$TMP/low.profile"
mount_fs "hotmemfs restarts on the state file with device_memory = qemu" --profile "$TMP/low.profile" --cmdline hotmem.kernel_alloc=off
ctl devices >"$TMP/devs" 2>&1; grep -q "^dlow  *pc-dimm  *0 0x00000000c0000000 " "$TMP/devs"
tap_ok $? "the state file's DIMM at 3 GiB is restored where it was"
refused "... a new one there is refused" "$(usable 0x100000000:0x1e0000000)" \
	device_add pc-dimm size=128M addr=0xd0000000
stop_fs

printf 'profile = qemu-512m\ndevice_memory = pc\n' >"$TMP/bad.profile"
mkdir -p "$TMP/mnt-bad"
"$HMFS" --profile "$TMP/bad.profile" -S none "$TMP/mnt-bad" 2>"$TMP/bad.err"
tap_ok "$([ $? -ne 0 ]; echo $?)" "device_memory = pc: refused"
grep -q "line 2: device_memory: expected qemu or after-ram, not 'pc'" "$TMP/bad.err"
tap_ok $? "... saying why: $(head -1 "$TMP/bad.err")"
done_testing
