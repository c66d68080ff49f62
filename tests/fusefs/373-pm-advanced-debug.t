#!/bin/bash
# abuse29b U1: the Debian 6.12 guest of qemu-512m has CONFIG_PM_ADVANCED_DEBUG=y
# (drivers/base/power/sysfs.c), so every device's power/ has async,
# runtime_active_kids, runtime_enabled and runtime_usage besides the five
# others; the reference 6.18 host (host-24g) has not.  A profile's
# pm_advanced_debug: memory0/power/ and the ACPI slot's power/ as the
# guest dumped them (tests/fixtures/acpi-memory/qemu-6.12-pc-dimm.txt),
# async's writes (async_store(): "enabled"/"disabled", else EINVAL) kept
# per device over kill -9 with the state file, runtime_enabled's
# "disabled & forbidden" while control is "on".  Without the profile key
# (tree.c hmfs_nr_power()) checks 2-4 fail.
. "$(dirname "$0")/lib.sh"
need_acpi_fixture
M=$MNT/sys/devices/system/memory
w() { python3 "$(dirname "$0")/sysw.py" w "$1" "$2"; }

mount_fs "hotmemfs mounts the qemu-512m machine" --profile qemu-512m --fresh \
	--cmdline memhp_default_state=offline
for d in /sys/devices/system/memory/memory0/power /sys/devices/LNXSYSTM:00/power; do
	is "$($DUMP tree "$MNT" "$d")" "$($DUMP fixture "$FIX" boot "$d")" "$d as the 6.12 guest shows it"
done
is "$(ls "$MNT/sys/devices/system/node/node0/power" | tr '\n' ' ')" \
	"async autosuspend_delay_ms control runtime_active_kids runtime_active_time runtime_enabled runtime_status runtime_suspended_time runtime_usage " \
	"node0/power/ has the nine too"

is "$(w "$M/memory1/power/async" 'enabled\n')" ret=8 "echo enabled > memory1/power/async"
is "$(w "$M/memory1/power/async" on)" EINVAL "... 'on' is EINVAL (async_store())"
echo on >"$M/memory2/power/control"
is "$(cat "$M/memory2/power/runtime_enabled") / $(cat "$M/memory1/power/runtime_enabled")" \
	"disabled & forbidden / disabled" "control on: runtime_enabled 'disabled & forbidden', that device's only"
kill9_fs
start_fs --profile qemu-512m --cmdline memhp_default_state=offline
tap_ok $? "restart after kill -9"
is "$(cat "$M/memory1/power/async" "$M/memory0/power/async" "$M/memory2/power/runtime_enabled" | tr '\n' ' ')" \
	"enabled disabled disabled & forbidden " "... memory1's async enabled, memory2's control on, kept"
echo disabled >"$M/memory1/power/async"
is "$(cat "$M/memory1/power/async")" disabled "echo disabled: async disabled again"
stop_fs

mount_fs "hotmemfs mounts the host-24g machine" --profile host-24g --fresh
is "$(ls "$M/memory0/power" | tr '\n' ' ')" \
	"autosuspend_delay_ms control runtime_active_time runtime_status runtime_suspended_time " \
	"host-24g (6.18, no CONFIG_PM_ADVANCED_DEBUG): the five only"
stop_fs
done_testing
