#!/bin/bash
# A hot-add's "vmemmap alloc failure" (warn_alloc(), once a boot) names
# current->comm, the task the add runs in: a `probe` write's own writer
# (6.12 probe_store() adds in the syscall), an ACPI hot-add's kacpi_hotplug
# kworker (acpi_hotplug_work_fn(), an unbound workqueue's worker:
# kworker/uP:1, P four times the possible CPUs: 6.9+'s two BH pools and
# two normal ones a CPU come first), not "kworker/u4:1" whoever
# added.  Kernel memory filled first: the memmap's 2M (order 9) cannot be
# had, the add falls back to base pages (6.12 vmemmap_populate_hugepages()),
# which cannot be had either; the warning comes once, at the first.
. "$(dirname "$0")/lib.sh"
require_env
need_tool python3 python3
printf 'profile = qemu-512m\nname = probe-comm\nprobe = yes\n' >"$TMP/p.profile"
mount_fs "hotmemfs mounts qemu-512m with the probe interface" --fresh --profile "$TMP/p.profile"
ctl alloc unmovable 200000 >/dev/null
tap_ok $? "the kernel zones filled with unmovable pages"
# one write() whose result is read (sysw.py, python3 too): a python
# open().write() flushed at exit drops a refusal, exit 0 (export35)
# Filled to their watermarks, the kernel zones give the memmap neither its
# 2M nor base pages (GFP_KERNEL's marks both): the write fails ENOMEM --
# the check said "added" of a write that failed
is "$(w "$MNT/sys/devices/system/memory/probe" 0x100000000)" ENOMEM \
	"python3 writes 0x100000000 to probe: ENOMEM, no memory for its memmap, 2M or base pages"
[ ! -e "$MNT/sys/devices/system/memory/memory32" ]
tap_ok $? "... no memory32"
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
