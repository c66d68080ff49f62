#!/bin/bash
# State files of the qemu-512m machine saved before its boot RAM ended at
# QEMU's 0x1ffdffff (2026-12-02, abuse29b U2; it went to 0x1fffffff).
# Made here as such files are: on a profile file of the old machine.
#
# A built-in profile is its name (docs/hotmemfs.md), so a file of the
# built-in restores onto today's machine: the blocks and devices as
# saved, and a kernel allocation the file has in the 32 pages that are
# a hole now made anew elsewhere, said in the start line.
#
# A profile file is what it said: one starting from qemu-512m saved
# "ram = 0x100000-0x1fffffff" and is refused as a changed profile (the
# file did not change, the built-in did): the refusal says so and which
# lines restore it as saved, and with them it does.  Since 2026-12-03 the
# built-in takes its guest's boot reservations too: the file's ram lines
# drop them (as the file's machine had none), said with the hint; the
# built-in's reservation lines are among the changed (tests/fusefs/453:
# a file saved without ram lines).
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory
P=$TMP/old.profile
OLD_RAM='ram = 0x1000-0x9efff node=0\nram = 0x100000-0x1fffffff node=0\n'
# old_machine NAME: the old qemu-512m's state file (a profile file's),
# a 256M DIMM, memory32 online_movable; the check NAME
old_machine() {
	printf "profile = qemu-512m\nname = mine\n$OLD_RAM" >"$P"
	mount_fs "$1" --profile "$P" --fresh
	ctl device_add pc-dimm id=d1 size=256M >/dev/null &&
		echo online_movable >"$M/memory32/state"
	tap_ok $? "... a 256M DIMM, memory32 online_movable"
	stop_fs
}

old_machine "the old qemu-512m (RAM to 0x1fffffff) with a state file"
# a kernel allocation in the pages that are a hole now, as an old file may have
state_machine_edit 'm["profile"] = "qemu-512m"; m.pop("profile-config", None); m["kmem"]["allocs"][0][0:2] = [0x1ffe0, 0]'
tap_ok $? "the file made a built-in qemu-512m's, as one saved before 2026-12-02, a kernel allocation at pfn 0x1ffe0"
: >"$TMP/hotmemfs.log"
start_fs
tap_ok $? "today's qemu-512m restores it"
sed 's/^/# /' "$TMP/hotmemfs.log"
grep -q "^hotmemfs: restored the machine from $STATE: 1 device, 6 blocks (5 online);.* but 1, whose pages were not free, made anew elsewhere" "$TMP/hotmemfs.log"
tap_ok $? "... whole: the allocation in the hole made anew elsewhere, said"
is "$(cat "$M/memory32/state") $(cat "$M/memory32/valid_zones")" "online Movable" "... memory32 Movable as saved"
is "$(awk '/^Node 0, zone +DMA32/ { z = 1 } z && /^ +spanned/ { print $2; exit }' "$MNT/proc/zoneinfo")" \
	126944 "... on today's machine: DMA32 spans 126944 pages"
ctl check >/dev/null
tap_ok $? "... the engine's invariants hold"
stop_fs

old_machine "the old qemu-512m of a profile file again"
printf 'profile = qemu-512m\nname = mine\n' >"$P"
sum=$(md5sum <"$STATE")
start_refused "the profile file without its ram lines (the built-in's RAM changed)" 78 \
	"the profile file $P changed since this state was saved: ram, kernel_image, initrd, brk, realmode, swiotlb, boot_reserved \\(saved with 'ram = 0x100000-0x1fffffff node=0'; now 'ram = 0x100000-0x1ffdffff node=0', 'kernel_image = code=0x8a00000-" \
	--control "$CTL" --state "$STATE" --profile "$P" "$MNT"
sed 's/^/# /' "$TMP/out"
grep -q "qemu-512m's boot RAM ends at 0x1ffdffff since 2026-12-02" "$TMP/out" &&
	grep -qF "'ram = 0x1000-0x9efff node=0' and 'ram = 0x100000-0x1fffffff node=0' in the profile file restore it as saved (those ram lines drop the boot reservations qemu-512m takes since 2026-12-03 too, as saved) (and the brk qemu-512m reserves since 2026-12-04)" "$TMP/out"
tap_ok $? "... saying the built-in changed and the lines that restore it"
is "$(md5sum <"$STATE")" "$sum" "... the state file left as it was"
printf "$OLD_RAM" >>"$P"
start_fs --profile "$P"
tap_ok $? "those lines added: it restores"
is "$(awk '/^Node 0, zone +DMA32/ { z = 1 } z && /^ +spanned/ { print $2; exit }' "$MNT/proc/zoneinfo") $(cat "$M/memory32/valid_zones")" \
	"126976 Movable" "... the machine as saved (DMA32 126976 pages, memory32 Movable)"
stop_fs

# Saved before 2026-11-30 (8fff2ffc): qemu-512m had no memory_failure nor
# crash_hotplug then, and no pm_advanced_debug line was written (as a
# state file of 8fff2ffc^'s hotmemfs has it, checked).  Only the ram lines
# named, it was refused again on those two.  Each change of the built-in
# its own line (state_profile.c builtin_changes[]).
OLD_RAM="${OLD_RAM}memory_failure = no\ncrash_hotplug = no\n"
old_machine "the qemu-512m of before 2026-11-30 of a profile file"
state_machine_edit 'm["profile-config"] = [l for l in m["profile-config"] if not l.startswith("pm_advanced_debug ")]'
tap_ok $? "... its profile-config without pm_advanced_debug, as that build wrote it"
printf 'profile = qemu-512m\nname = mine\n' >"$P"
start_refused "the profile file without its lines (the built-in's RAM, memory_failure, crash_hotplug changed)" 78 \
	"changed since this state was saved: ram, memory_failure, crash_hotplug, kernel_image, initrd, brk, realmode, swiotlb, boot_reserved \\(" \
	--control "$CTL" --state "$STATE" --profile "$P" "$MNT"
sed 's/^/# /' "$TMP/out"
# a line for each change of the built-in, oldest first
grep -qxF "hotmemfs: qemu-512m's memory_failure and crash_hotplug are yes since 2026-11-30, as its Debian 6.12 kernel's: 'memory_failure = no' and 'crash_hotplug = no' in the profile file restore it as saved" "$TMP/out" &&
	grep -A1 "since 2026-11-30" "$TMP/out" | grep -qF "hotmemfs: qemu-512m's boot RAM ends at 0x1ffdffff since 2026-12-02, where QEMU's e820 for -m 512M ends it (it went to 0x1fffffff): 'ram = 0x1000-0x9efff node=0' and 'ram = 0x100000-0x1fffffff node=0' in the profile file restore it as saved"
tap_ok $? "... saying so and the four lines that restore it, a line for each change"
printf "$OLD_RAM" >>"$P"
start_fs --profile "$P"
tap_ok $? "those lines added: it restores"
is "$(cat "$M/memory32/valid_zones") $(test -e "$M/soft_offline_page" && echo mf)" "Movable " \
	"... the machine as saved (memory32 Movable, no soft_offline_page)"
done_testing
