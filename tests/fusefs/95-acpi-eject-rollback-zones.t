#!/bin/bash
# A refused DIMM eject's rollback onlines what it offlined with MMOP_ONLINE
# (6.12 acpi_bus_online() -> device_online()): under contig-zones a Movable
# DIMM's blocks come back in ZONE_NORMAL once ZONE_MOVABLE's span has gone
# with them, where the kernel allocates at once.  device_del's refusal says
# which blocks changed zone (usereye3 #23); one whose blocks came back in
# their zones says nothing of it.  memory32 online_kernel holding
# unmovable pages refuses at once (no 10 s offline loop).
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory

mount_fs "hotmemfs mounts" --fresh
# dimm ID: a 1 GiB DIMM at 4 GiB, memory32-39; memory32 online_kernel with
# the kernel's pages in it (ZONE_NORMAL is memory32 alone), the rest ZONE ($1)
dimm() {
	ctl device_add pc-dimm id="$1" size=1G addr=0x100000000 >/dev/null
	echo online_kernel >"$M/memory32/state"
	for b in 33 34 35 36 37 38 39; do echo "$2" >"$M/memory$b/state"; done
	ctl alloc unmovable 1000 >/dev/null
}

dimm d1 online_movable
is "$(cat "$M"/memory3[3-9]/valid_zones | sort -u)" Movable "d1: memory33-39 online movable"
out=$(ctl device_del d1 2>&1)
tap_ok $((! $?)) "device_del d1 refused (memory32 holds unmovable pages)"
is "$(cat "$M"/memory3[3-9]/valid_zones | sort -u)" Normal "... memory33-39 back online, in ZONE_NORMAL"
grep -q "; memory33-39 back online (MMOP_ONLINE): now Normal, were Movable -- the kernel allocates there at once, so the DIMM may stay until reboot; online_policy=auto-movable, or offlining its blocks before device_del, keeps them Movable$" <<<"$out"
tap_ok $? "... and the refusal says so: ${out#*why}"
grep -q "^hotmemctl: error: d1: the guest refused the unplug (ACPI eject: Device or resource busy, _OST status 0x82); nothing removed; \`hotmemctl dmesg\` says why; " <<<"$out"
tap_ok $? "... after what it said before"
ctl free-all >/dev/null
stop_fs

# every block came back in its zone: nothing said of zones
mount_fs "hotmemfs mounts again" --fresh
dimm d2 online_kernel
is "$(cat "$M"/memory3[2-9]/valid_zones | sort -u)" Normal "d2: memory32-39 online in ZONE_NORMAL"
out=$(ctl device_del d2 2>&1)
tap_ok $((! $?)) "device_del d2 refused"
is "$(cat "$M"/memory3[2-9]/state | sort -u) $(cat "$M"/memory3[2-9]/valid_zones | sort -u)" \
	"online Normal" "... every block back online in ZONE_NORMAL"
is "${out#*says why}" "" "... and nothing said of zones"
ctl check >/dev/null
tap_ok $? "invariants hold"
done_testing
