#!/bin/bash
# qemu-512m is the Debian 6.12 guest of tests/kernel/ (CONFIG_MEMORY_FAILURE=y,
# CONFIG_CRASH_HOTPLUG=y): /sys/devices/system/memory lists what that
# guest's does (tests/fixtures/acpi-memory/qemu-6.12-pc-dimm.txt, after
# its cold-plugged 256M DIMM d0) -- crash_hotplug, soft_offline_page and
# hard_offline_page were missing (usereye5 #6), so hwpoison could not be
# mixed into an offline on the machine named after the guest.
. "$(dirname "$0")/lib.sh"
require_env
FIX=$HOTMEM_SRC/tests/fixtures/acpi-memory/qemu-6.12-pc-dimm.txt
need_file "$FIX"
W() { python3 "$HOTMEM_SRC/tests/fusefs/sysw.py" w "$@"; }
M=$MNT/sys/devices/system/memory

mount_fs "hotmemfs mounts qemu-512m" --profile qemu-512m --fresh --cmdline memhp_default_state=offline
ctl device_add pc-dimm size=256M id=d0 >/dev/null
tap_ok $? "a 256M DIMM d0, as the guest's cold-plugged one"
is "$(ls "$M" | tr '\n' ' ')" \
	"$(awk '/^# ls \/sys\/devices\/system\/memory$/ { getline; print; exit }' "$FIX")" \
	"memory/ lists what the 6.12 guest's lists"
is "$(cat "$M/crash_hotplug")" 0 "crash_hotplug reads 0: no kdump kernel loaded"
echo online_movable >"$M/memory33/state"
page=$(printf '%#x' $((33 * 0x8000000 + 0x10000)))
is "$(W "$M/soft_offline_page" "$page")" "ret=${#page}" "soft_offline_page of a page of memory33 is taken"
grep -q '^HardwareCorrupted:     4 kB$' "$MNT/proc/meminfo"
tap_ok $? "... and meminfo's HardwareCorrupted counts it"
done_testing
