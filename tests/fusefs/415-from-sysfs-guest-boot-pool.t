#!/bin/bash
# Real 6.12.117 guests' dumps (tests/fixtures/boot-pool: QEMU 7.2 under
# TCG, booted with movablecore=256M hugepages=8 on one node and on two;
# one node with a pc-dimm onlined movable, hugetlb_free_vmemmap=on and
# node 0's pool set to 4 at run time), each with its proc/cmdline,
# proc/iomem and HugeTLB pool, as hotmemctl export writes them: `hotmem
# profile --from-sysfs` of each boots the guest's machine -- every
# memoryN's state and valid_zones, each node's HugePages_Total, and
# /proc/zoneinfo's start_pfn, spanned and present per zone as the
# guest's (the 32 pages QEMU's e820 keeps from the last boot block come
# from proc/iomem's System RAM; they were RAM: present 65536 where the
# guest has 65504).  managed and MemTotal are above the guest's, never
# below: the boot's memblock reservations (the kernel image, its page
# tables, SWIOTLB ...) are not taken (docs/engine.md, "Where we differ").
. "$(dirname "$0")/lib.sh"
require_env
HM=$HOTMEM_BUILD/hotmem
FIX=$HOTMEM_SRC/tests/fixtures/boot-pool

# zones FILE: "NODE ZONE start_pfn S spanned S present P" lines of a zoneinfo
zones() {
	awk '$1 == "Node" { z = $2 " " $4 } $1 == "spanned" { sp = $2 } $1 == "present" { pr = $2 }
		$1 == "start_pfn:" { print z, "start_pfn", $2, "spanned", sp, "present", pr }' "$1"
}
# managed FILE: "NODE ZONE MANAGED" lines
managed() { awk '$1 == "Node" { z = $2 " " $4 } $1 == "managed" { print z, $2 }' "$1"; }
# blocks DIR: "memoryN STATE VALID_ZONES" of the dump's blocks, read under DIR
blocks() {
	local b
	for b in "$D"/sys/devices/system/memory/memory[0-9]*; do
		b=${b##*/}
		echo "$b $(cat "$1/sys/devices/system/memory/$b/state") $(cat "$1/sys/devices/system/memory/$b/valid_zones")"
	done
}

guest() {	# guest FIXTURE WANT-CMDLINE: the checks for one capture
	local name=$1 want=$2
	D=$TMP/$name
	python3 "$FIX/scripts/mkdump.py" "$FIX/$name.txt" "$D"
	tap_ok $? "$name: the dump from the capture"
	"$HM" profile --from-sysfs "$D" -o "$TMP/$name.profile" 2>"$TMP/$name.notes"; profile_notes "$TMP/$name.profile" "$TMP/$name.notes"
	tap_ok $? "... hotmem profile --from-sysfs"
	grep -E '^(ram|hotplug|online|offline|cmdline) ' "$TMP/$name.profile" | sed 's/^/# /'
	is "$(sed -n 's/^cmdline = "\(.*\)"$/\1/p' "$TMP/$name.profile")" "$want" "... its command line: $want"
	mount_fs "... the profile mounts" --fresh --profile "$TMP/$name.profile"
	is "$(blocks "$MNT")" "$(blocks "$D")" "... every memoryN's state and valid_zones as the guest's"
	local got="" n
	for n in "$D"/facts/node/node*.meminfo; do
		n=$(basename "$n" .meminfo)
		got="$got $n $(awk '/HugePages_Total/ { print $4 }' "$MNT/sys/devices/system/node/$n/meminfo")"
	done
	is "$got" "$(for n in "$D"/facts/node/node*.meminfo; do printf ' %s %s' "$(basename "$n" .meminfo)" "$(awk '/HugePages_Total/ { print $4 }' "$n")"; done)" \
		"... each node's HugePages_Total as the guest's ($got )"
	is "$(zones "$MNT/proc/zoneinfo")" "$(zones "$D/facts/zoneinfo")" "... zoneinfo's start_pfn, spanned, present per zone as the guest's"
	paste <(managed "$MNT/proc/zoneinfo") <(managed "$D/facts/zoneinfo") |
		awk '$1 != $4 || $2 != $5 || $3 < $6 { bad = 1 } END { exit bad }'
	tap_ok $? "... managed per zone at or above the guest's (its memblock reservations not taken)" ||
		diag "$(paste <(managed "$MNT/proc/zoneinfo") <(managed "$D/facts/zoneinfo"))"
	local mt gt
	mt=$(awk '/^MemTotal/ { print $2 }' "$MNT/proc/meminfo")
	gt=$(awk '/^MemTotal/ { print $2 }' "$D/facts/meminfo")
	[ "$mt" -ge "$gt" ]
	tap_ok $? "... MemTotal $mt kB, at or above the guest's $gt kB"
	is "$(awk '/^HugePages_Total/ { print $2 }' "$MNT/proc/meminfo")" "$(awk '/^HugePages_Total/ { print $2 }' "$D/facts/meminfo")" \
		"... HugePages_Total as the guest's"
	stop_fs
}

# the Debian kernel's auto_online_blocks is online (CONFIG_MHP_DEFAULT_ONLINE_TYPE_ONLINE_AUTO),
# a profile's offline: said first; the guest's own words after it
guest qemu-6.12-movablecore-hugepages "memhp_default_state=online movablecore=256M hugepages=8"
! grep -q "HugeTLB" "$TMP/qemu-6.12-movablecore-hugepages.notes"
tap_ok $? "... nothing said of the pool: booted, it comes back as it was"
# the guest spread its bare count 4 and 4, as the profile's boot does: kept
guest qemu-6.12-numa2-movablecore-hugepages "memhp_default_state=online movablecore=256M hugepages=8"
! grep -q "HugeTLB" "$TMP/qemu-6.12-numa2-movablecore-hugepages.notes"
tap_ok $? "... a bare count on two nodes spread as the profile boots it: kept, nothing said"
guest qemu-6.12-dimm-pool-grown "movablecore=256M hugepages=4 memhp_default_state=offline hugetlb_free_vmemmap=on"
grep -q "could not infer: HugeTLB: the pool (4 pages) is not proc/cmdline's boot pool (hugepages=8): a pool grown, shrunk or moved at run time comes back as a boot pool, hugepages=4" \
	"$TMP/qemu-6.12-dimm-pool-grown.notes"
tap_ok $? "... the pool set at run time comes back as a boot pool, said"
is "$(grep -E '^(hotplug|online) ' "$TMP/qemu-6.12-dimm-pool-grown.profile" | paste -sd';')" \
	"hotplug = 0x100000000-0x10fffffff node=0;online = 32 online_movable" "... its DIMM, memory32 online_movable"
done_testing
