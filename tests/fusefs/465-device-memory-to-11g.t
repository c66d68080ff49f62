#!/bin/bash
# qemu-512m's device memory is QEMU's: -m 512M,slots=4,maxmem=4G places
# memory devices from 4 GiB to 11.5 GiB (hw/i386/pc.c: maxmem - RAM plus
# 1 GiB a slot; the guest's "ACPI: SRAT: Node 0 PXM 0 [mem
# 0x100000000-0x2dfffffff] hotplug"), and its devices together take at
# most 3.5 GiB (memory_device_check_addable()).  The profile's maxmem
# (8 GiB) cut the region and the machine's physical addresses there
# (vmem32 V2): a pc-dimm at 0x2c0000000 or a virtio-mem device at
# 0x280000000, which QEMU 7.2 takes, was refused with a usable range of
# [0x100000000:0x100000000] QEMU never says, and a probe there was E2BIG.
# Every refusal here is QEMU 7.2's text (captured from qemu-system-x86_64
# 7.2 with the same -m; tests/fusefs/466 compares with a running one).
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory
W() { python3 "$HOTMEM_SRC/tests/fusefs/sysw.py" w "$@"; }
USABLE="usable range for memory devices [0x100000000:0x1e0000000]"
refused() {	# refused NAME WANT device_add ARGS...: refused, QEMU's words, no block added
	local name=$1 want=$2 err rc before
	shift 2
	before=$(ls "$M" | grep -c '^memory')
	err=$(ctl "$@" 2>&1)
	rc=$?
	[ $rc -ne 0 ] && [ "${err#hotmemctl: error: }" = "$want" ] &&
		[ "$(ls "$M" | grep -c '^memory')" = "$before" ]
	tap_ok $? "$name -> ${err#hotmemctl: error: }"
}

mount_fs "hotmemfs mounts qemu-512m" --profile qemu-512m --fresh -S none --cmdline hotmem.kernel_alloc=off
refused "a DIMM at 11.5 GiB, the region's end, is refused" \
	"can't add memory device [0x2e0000000:0x8000000], $USABLE" \
	device_add pc-dimm id=dend size=128M addr=0x2e0000000
is "$(qmp_reply device_add '{"driver": "pc-dimm", "id": "dend", "size": 134217728, "addr": 12348030976}')" \
	"GenericError: can't add memory device [0x2e0000000:0x8000000], $USABLE" \
	"... over QMP: QEMU's class and words"
refused "a 1G virtio-mem at 11 GiB, past the end by 512M, is refused" \
	"can't add memory device [0x2c0000000:0x40000000], $USABLE" \
	device_add virtio-mem-pci id=vmx size=1G memaddr=0x2c0000000

out=$(ctl device_add pc-dimm id=d11 size=128M addr=0x2c0000000 2>&1)
tap_ok $? "a DIMM at 11 GiB (0x2c0000000) is taken, as QEMU takes it: ${out%%$'\n'*}"
is "$(cat "$M/memory88/state" 2>&1)" offline "... its block memory88 is there, offline"
echo online >"$M/memory88/state"
tap_ok $? "... and goes online"
grep -q "^2c0000000-2c7ffffff : System RAM$" "$MNT/proc/iomem"
tap_ok $? "... /proc/iomem: 2c0000000-2c7ffffff : System RAM"
out=$(ctl device_add pc-dimm id=dtop size=128M addr=0x2d8000000 2>&1)
tap_ok $? "a DIMM in the region's last 128M (0x2d8000000) is taken: ${out%%$'\n'*}"
is "$(cat "$M/memory91/state" 2>&1)" offline "... its block memory91 is there"
out=$(ctl device_add virtio-mem-pci id=vm0 size=1G requested-size=256M memaddr=0x280000000 2>&1)
tap_ok $? "a 1G virtio-mem at 10 GiB is taken: ${out%%$'\n'*}"
is "$(ctl -j query-memory-devices | python3 -c 'import json,sys
print(" ".join("%s=%#x" % (d["data"]["id"], d["data"].get("addr", d["data"].get("memaddr", 0))) for d in json.load(sys.stdin)))')" \
	"vm0=0x280000000 d11=0x2c0000000 dtop=0x2d8000000" \
	"query-memory-devices: each where it was asked, in address order as QEMU lists them"
is "$(cat "$M/memory80/state" "$M/memory81/state" 2>&1 | tr '\n' ' ')" "offline offline " \
	"... vm0's 256M plugged: memory80 and memory81"

# the total stays QEMU's maxmem - RAM, 3.5 GiB: 1.25 GiB in use
refused "a 2.5G device is more than the 2.25 GiB left of 3.5" \
	"not enough space, currently 0x50000000 in use of total space for memory devices 0xe0000000" \
	device_add virtio-mem-pci id=vm1 size=2560M requested-size=0
out=$(ctl device_add virtio-mem-pci id=vm1 size=2304M requested-size=0 2>&1)
[[ $out == *"at 0x100000000"* ]]
tap_ok $? "a 2.25G one fills the total, placed at the region's start: ${out%%$'\n'*}"
refused "... then 2M more is refused" \
	"not enough space, currently 0xe0000000 in use of total space for memory devices 0xe0000000" \
	device_add virtio-mem-pci id=vm2 size=2M requested-size=0
ctl check >/dev/null
tap_ok $? "hotmemctl check: the invariants hold"
stop_fs

# the machine's physical addresses end where the region does: a probe
# at its last block adds it, one at 11.5 GiB is past the end (E2BIG,
# 6.12 mhp_range_allowed(): hotmem's direct map ends there)
printf 'profile = qemu-512m\nprobe = yes\n' >"$TMP/probe.profile"
mount_fs "hotmemfs mounts qemu-512m with probe = yes" --profile "$TMP/probe.profile" --fresh -S none \
	--cmdline hotmem.kernel_alloc=off
is "$(W "$M/probe" 0x2d8000000)" "ret=11" "probe <- 0x2d8000000, the region's last block, adds it"
is "$(cat "$M/memory91/state" 2>&1)" offline "... memory91"
is "$(W "$M/probe" 0x2e0000000)" "E2BIG" "probe <- 0x2e0000000, 11.5 GiB: E2BIG"
ctl dmesg | grep -q "exceeds maximum addressable range"
tap_ok $? "... dmesg: the range exceeds the maximum addressable range"
stop_fs
done_testing
