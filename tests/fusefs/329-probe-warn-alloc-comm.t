#!/bin/bash
# A hot-add's "vmemmap alloc failure" (warn_alloc(), once a boot) names
# current->comm, the task the add runs in: a `probe` write's own writer
# (6.12 probe_store() adds in the syscall), an ACPI hot-add's kacpi_hotplug
# kworker (acpi_hotplug_work_fn(), an unbound workqueue's worker:
# kworker/uP:1, P four times the possible CPUs: 6.9+'s two BH pools and
# two normal ones a CPU come first), not "kworker/u4:1" whoever
# added.  Kernel memory filled first: the memmap's 2M (order 9) cannot be
# had, the add falls back to base pages (6.12 vmemmap_populate_hugepages()).
. "$(dirname "$0")/lib.sh"
require_env
need_tool python3 python3
printf 'profile = qemu-512m\nname = probe-comm\nprobe = yes\n' >"$TMP/p.profile"
mount_fs "hotmemfs mounts qemu-512m with the probe interface" --fresh --profile "$TMP/p.profile"
ctl alloc unmovable 200000 >/dev/null
tap_ok $? "the kernel zones filled with unmovable pages"
python3 -c 'import sys; open(sys.argv[1], "w").write("0x100000000")' \
	"$MNT/sys/devices/system/memory/probe"
tap_ok $? "python3 writes 0x100000000 to probe: memory32 added (its memmap of base pages)"
is "$(ctl dmesg | grep -c '^<4>python3: vmemmap alloc failure: order:9, mode:0x4cc0(GFP_KERNEL|__GFP_RETRY_MAYFAIL)')" 1 \
	"dmesg: the writer's comm says the vmemmap alloc failure"
stop_fs

mount_fs "hotmemfs mounts qemu-512m again" --fresh --profile qemu-512m
ctl alloc unmovable 200000 >/dev/null
ctl device_add pc-dimm id=d1 size=128M >/dev/null
tap_ok $? "a DIMM added with the kernel zones full"
kw="kworker/u$((4 * ($(sed 's/.*[-,]//' /sys/devices/system/cpu/possible) + 1))):1"
is "$(ctl dmesg | grep -c "^<4>$kw: vmemmap alloc failure: order:9")" 1 \
	"dmesg: the ACPI hot-add's says $kw"
stop_fs
done_testing
