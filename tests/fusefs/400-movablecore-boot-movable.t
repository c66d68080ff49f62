#!/bin/bash
# movablecore=256M on qemu-512m boots memory2-3 in ZONE_MOVABLE, as a
# real 6.12.117 guest booted with it does (abuse30a C1): zoneinfo's DMA32
# spans 61440 pages, Movable 65504 from pfn 65536, the log says where
# ZONE_MOVABLE starts.  It passed with "(no effect here)" and booted all
# of boot memory in DMA32.  A pc-dimm's memory33 onlined movable joins the
# boot ZONE_MOVABLE (spanned 1048576 from 65536); memory2, boot memory in
# ZONE_MOVABLE, goes offline.  kill -9 and a start from the state file
# alone (its --cmdline kept there) bring back the same machine; a dump
# with its proc/cmdline gives hotmem profile --from-sysfs the movablecore=
# that boots it so again (without, a note that it boots in a kernel zone).
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory

zone_line() {	# zone_line ZONE: "start_pfn S spanned N present P" of node 0's ZONE
	awk -v z="$1" '$1 == "Node" && $2 == "0," { on = ($4 == z) }
		on && $1 == "spanned" { sp = $2 } on && $1 == "present" { pr = $2 }
		on && $1 == "start_pfn:" { print "start_pfn", $2, "spanned", sp, "present", pr; exit }' \
		"$MNT/proc/zoneinfo"
}

mount_fs "hotmemfs mounts qemu-512m with movablecore=256M" --profile qemu-512m --fresh \
	--cmdline "movablecore=256M memhp_default_state=offline hotmem.kernel_alloc=off"
! grep -q "models none of.*movablecore" "$TMP/hotmemfs.log"
tap_ok $? "... movablecore is not among the names hotmem models none of"
is "$(cat "$M/memory1/valid_zones") $(cat "$M/memory2/valid_zones") $(cat "$M/memory3/valid_zones")" \
	"DMA32 Movable Movable" "memory2-3 boot in ZONE_MOVABLE, memory1 in DMA32"
is "$(zone_line DMA32)" "start_pfn 4096 spanned 61440 present 61440" "zoneinfo: DMA32 as the guest's"
is "$(zone_line Movable)" "start_pfn 65536 spanned 65504 present 65504" "zoneinfo: Movable as the guest's"
ctl dmesg | grep -qx "<6>  Node 0: 0x0000000010000000"
tap_ok $? "dmesg: Movable zone start for node 0 at 256 MiB"
ctl dmesg | grep -qx "<6>On node 0, zone Movable: 32 pages in unavailable ranges"
tap_ok $? "dmesg: the 32 pages past e820's end are Movable's, as the guest says"

ctl device_add pc-dimm id=d1 size=256M >/dev/null
tap_ok $? "a 256 MiB pc-dimm goes in"
echo online >"$M/memory32/state" && echo online_movable >"$M/memory33/state"
tap_ok $? "... memory32 online, memory33 online_movable"
is "$(zone_line Movable)" "start_pfn 65536 spanned 1048576 present 98272" \
	"zoneinfo: memory33 joins the boot ZONE_MOVABLE, as the guest's"
is "$(w "$M/memory2/state" 'offline\n')" "ret=8" "offline memory2 (boot memory, Movable) goes"
is "$(ctl check 2>&1)" "invariants hold" "hotmemctl check holds"

kill9_fs
mount_fs "hotmemfs starts again from its state file alone"
is "$(cat "$M/memory2/state") $(cat "$M/memory3/valid_zones") $(cat "$M/memory33/valid_zones")" \
	"offline Movable Movable" "... memory2 offline, memory3 and memory33 Movable"
is "$(zone_line Movable)" "start_pfn 98304 spanned 1015808 present 65504" \
	"... ZONE_MOVABLE as it was: from memory3 on"
grep -q "movablecore=256M" "$MNT/proc/cmdline"
tap_ok $? "... /proc/cmdline still says movablecore=256M"
is "$(ctl check 2>&1)" "invariants hold" "... hotmemctl check holds"

# exported with its proc/cmdline (hotmemctl export writes it since
# 2026-12-02; it was copied in by hand), hotmem profile --from-sysfs puts
# movablecore= on the profile
ctl export "$TMP/a" >/dev/null && cmp -s "$MNT/proc/cmdline" "$TMP/a/proc/cmdline"
tap_ok $? "exported, its proc/cmdline with it"
stop_fs
"$HOTMEM_BUILD/hotmem" profile --from-sysfs "$TMP/a" -o "$TMP/a.profile" 2>"$TMP/a.notes"; profile_notes "$TMP/a.profile" "$TMP/a.notes"
tap_ok $? "hotmem profile --from-sysfs"
grep -qx 'cmdline = "movablecore=256M memhp_default_state=offline hotmem.kernel_alloc=off"' "$TMP/a.profile"
tap_ok $? "from-sysfs: the profile's command line has proc/cmdline's movablecore=256M"
! grep -q "boot memory in ZONE_MOVABLE" "$TMP/a.notes"
tap_ok $? "... and says nothing of boot memory in ZONE_MOVABLE it cannot reproduce"
mount_fs "the from-sysfs profile mounts" --fresh --profile "$TMP/a.profile"
is "$(cat "$M/memory3/valid_zones") $(zone_line DMA32)" "Movable start_pfn 4096 spanned 61440 present 61440" \
	"... memory3 boots Movable again, DMA32 as the guest's"
stop_fs

# the kernel's words of proc/cmdline (reread30 R8): quotes honoured, and
# none after a bare "--" (init's arguments: parse_args() stops there); the
# word carried as proc/cmdline spells it, quotes and all (sysctl32)
echo 'root=/dev/vda "movablecore=256M" -- kernelcore=100M' >"$TMP/a/proc/cmdline"
"$HOTMEM_BUILD/hotmem" profile --from-sysfs "$TMP/a" -o "$TMP/b.profile" 2>"$TMP/b.notes"; profile_notes "$TMP/b.profile" "$TMP/b.notes"
grep -qx 'cmdline = ".*"movablecore=256M""' "$TMP/b.profile" && ! grep -q "kernelcore=" "$TMP/b.profile"
tap_ok $? "from-sysfs: a quoted movablecore= taken, quoted, a kernelcore= after \"--\" (init's) not" \
	"$(grep '^cmdline' "$TMP/b.profile")"
done_testing
