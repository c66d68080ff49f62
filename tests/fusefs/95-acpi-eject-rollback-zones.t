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
stop_fs

# Both ways at once, long lists: a 16 GiB DIMM d3 (memory34-161) between
# two Movable DIMMs that stay (memory32-33, memory162: ZONE_MOVABLE spans
# all of d3 whatever goes offline), its memory34 and memory100 Normal and
# holding unmovable pages (they refuse at once; ZONE_NORMAL keeps spanning
# memory34-100), the blocks between alternating Movable and Normal: the
# rollback's MMOP_ONLINE puts memory35,37,...,99 (both zones span them:
# the kernel zone) in ZONE_NORMAL and memory102,104,...,160 (ZONE_MOVABLE
# alone spans them) in ZONE_MOVABLE.  The message names both pairs and how
# to keep the blocks Movable, whatever the lists' length: those are
# shortened (",...") to make room, nothing after them is cut.
mount_fs "hotmemfs mounts a third time" --fresh
ctl device_add pc-dimm id=lo size=256M addr=0x100000000 >/dev/null &&
	ctl device_add pc-dimm id=d3 size=16G addr=0x110000000 >/dev/null &&
	ctl device_add pc-dimm id=hi size=128M addr=0x510000000 >/dev/null
tap_ok $? "device_add a 16 GiB DIMM between two small ones"
for b in 32 33 162; do echo online_movable >"$M/memory$b/state"; done
for b in 34 100; do echo online_kernel >"$M/memory$b/state"; done
ctl alloc unmovable 33000 >/dev/null
tap_ok $? "unmovable pages in memory34 and 100"
for ((b = 35; b < 162; b++)); do
	((b == 100)) && continue
	if ((b % 2)); then echo online_movable; else echo online_kernel; fi >"$M/memory$b/state"
done
is "$(cat "$M/memory35/valid_zones") $(cat "$M/memory36/valid_zones") $(cat "$M/memory102/valid_zones") $(cat "$M/memory103/valid_zones")" \
	"Movable Normal Normal Movable" "memory35 Movable, 36 Normal, ... 102 Normal, 103 Movable"
out=$(ctl device_del d3 2>&1)
tap_ok $((! $?)) "device_del d3 refused"
is "$(cat "$M/memory35/valid_zones") $(cat "$M/memory102/valid_zones")" "Normal Movable" \
	"... memory35 back in ZONE_NORMAL, memory102 in ZONE_MOVABLE"
grep -Eq '^hotmemctl: error: d3: the guest refused the unplug \(ACPI eject: Device or resource busy, _OST status 0x82\); nothing removed; `hotmemctl dmesg` says why; memory102,[0-9,]+(,\.\.\.)? back online \(MMOP_ONLINE\): now Movable, were Normal; memory35,[0-9,]+(,\.\.\.)? back online \(MMOP_ONLINE\): now Normal, were Movable -- the kernel allocates there at once, so the DIMM may stay until reboot; online_policy=auto-movable, or offlining its blocks before device_del, keeps them Movable$' <<<"$out"
tap_ok $? "... the refusal names both pairs of zones and ends with its advice, whole: ${out#*why; }"
# every number listed one the rollback moved that way: none cut short
bad=
for part in "$(sed 's/.*why; memory//; s/ back online.*//' <<<"$out")/even" \
	"$(sed 's/.*were Normal; memory//; s/ back online.*//' <<<"$out")/odd"; do
	for b in $(tr , ' ' <<<"${part%/*}" | sed 's/\.\.\.//'); do
		case ${part#*/} in
		even) ((b % 2 == 0 && b >= 102 && b <= 160)) || bad="$bad $b" ;;
		odd) ((b % 2 && b >= 35 && b <= 99)) || bad="$bad $b" ;;
		esac
	done
done
is "$bad" "" "... each number in the lists a block the rollback moved that way"
ctl free-all >/dev/null
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs

# abuse31 W3: under auto-movable the rollback's MMOP_ONLINE stays in the
# kernel zone (6.12 auto_movable_can_online_movable(): a DIMM with a block
# there keeps the rest there): the advice does not name the policy it
# runs; a block that cannot come back (a poisoned page) is the emulator's
# debug line, 6.12's acpi_bus_online() says nothing
mount_fs "hotmemfs mounts qemu-512m, auto-movable" --fresh --profile qemu-512m \
	--cmdline memory_hotplug.online_policy=auto-movable
dimm d4 online_movable
echo 0x$(printf %x $((0x100000000 + 0x8000000 + 100 * 4096))) >"$M/soft_offline_page"
tap_ok $? "d4: a page of memory33 soft-offlined"
out=$(ctl device_del d4 2>&1)
tap_ok $((! $?)) "device_del d4 refused"
grep -q "; memory34-39 back online (MMOP_ONLINE): now Normal, were Movable -- the kernel allocates there at once, so the DIMM may stay until reboot; auto-movable chose the kernel zone (a DIMM with a block there stays there, else auto_movable_ratio had no room): offlining its blocks before device_del keeps them Movable$" <<<"$out"
tap_ok $? "... memory34-39 back in Normal, the advice for auto-movable: ${out#*why}"
is "$(cat "$M/memory33/state")" offline "... memory33 (its poisoned page) stays offline"
log=$(ctl dmesg)
grep -q "^<7>hotmem: memory33: not online again after the refused eject (Memory page has hardware error); 6.12's acpi_bus_online() ignores it" <<<"$log"
tap_ok $? "... said as the emulator's debug line"
grep -q "could not be onlined again" <<<"$log"
tap_ok $((! $?)) "... no warning 6.12 never prints"
ctl free-all >/dev/null
ctl check >/dev/null
tap_ok $? "invariants hold"
done_testing
