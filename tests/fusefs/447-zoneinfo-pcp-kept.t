#!/bin/bash
# /proc/zoneinfo's pagesets batch, high_min, high_max and "vm stats
# threshold" are what 6.12 set at its last setup point, not worked out
# from the zone's managed pages at each read.  6.12 keeps them in the
# zone (zone->pageset_*, set by zone_set_pageset_high_and_batch() from
# zone_pcp_update(), which setup_per_zone_wmarks() calls for every zone:
# boot, each online_pages() and offline_pages() through
# init_per_zone_wmark_min(), a min_free_kbytes or watermark_scale_factor
# write) and in the per-CPU zonestats (stat_threshold,
# refresh_zone_stat_thresholds(): init_per_zone_wmark_min() and CPU
# hotplug, not a sysctl write).  Pages that become managed without one
# (virtio-mem's sub-blocks plugged into a block already online:
# adjust_managed_page_count() alone) move none of them; hotmemfs
# computed all four from the managed pages at every read (pcp42 O1;
# check 5 fails without the fix (batch 3 -> 7, high_max 1024 -> 2048 and
# the threshold 4 -> 8 at once on a 2-CPU host), and 8 (the threshold
# with the write's setup)).
. "$(dirname "$0")/lib.sh"
require_env

M=$MNT/sys/devices/system/memory
NCPU=$(getconf _NPROCESSORS_ONLN)
mount_fs "hotmemfs mounts qemu-512m" --profile qemu-512m --cmdline hotmem.kernel_alloc=off --fresh
managed() { awk -v z="$1" '/^Node/ { on = ($2 == "0," && $4 == z) } on && $1 == "managed" { print $2; exit }' "$MNT/proc/zoneinfo"; }

ctl device_add virtio-mem-pci id=vm0 size=1G requested-size=64M >/dev/null && ctl settle >/dev/null
is "$(w "$M/memory32/state" online_movable)" ret=14 "vm0 plugs 64M into memory32, which goes online_movable"
before=$(zone_pcp Movable)
set -- $before
is "$(managed Movable) $1 $4" "16384 3 $(stat_thresh 16384)" \
	"ZONE_MOVABLE: 16384 managed, batch 3, threshold $(stat_thresh 16384) (set up by the online: $before)"
ctl set-size vm0 128M >/dev/null && ctl settle >/dev/null
is "$(managed Movable)" 32768 "vm0 plugs 64M more into the online memory32: 32768 managed, no setup"
is "$(zone_pcp Movable)" "$before" "... batch, high_min, high_max, threshold as the online set them"
is "$(zone_pcp Movable | wc -l)" 1 "... every CPU's alike"

echo 100 >"$MNT/proc/sys/vm/watermark_scale_factor"
set -- $(zone_pcp Movable)
is "$1 $3" "7 $((32768 / 8 / NCPU))" \
	"a watermark_scale_factor write (setup_per_zone_wmarks()): batch and high_max from 32768 now"
is "$4" "$(stat_thresh 16384)" "... but not the threshold: no refresh_zone_stat_thresholds() there"
ctl set-size vm0 256M >/dev/null && ctl settle >/dev/null
echo online_movable >"$M/memory33/state"
now=$(managed Movable)
set -- $(zone_pcp Movable)
is "$4" "$(stat_thresh "$now")" "memory33 online (init_per_zone_wmark_min()): the threshold from the $now managed pages of now"
ctl check >/dev/null
tap_ok $? "invariants hold"

# A restore from the state file shows the running machine's: a booted
# machine's limits are the boot's (set before the init memory is freed:
# qemu-512m's DMA32 high_max 5992), and after a write of the same
# watermark_scale_factor, which the restore does not make again, the
# write's (6117).  The file keeps the limits too since restart42's
# f8a3ab29 (a machine whose managed pages moved since its last setup
# without one: tests/fusefs/454); check 15 failed before 656f5230, when
# the file kept the marks alone.
MACHINE=(--profile qemu-512m --cmdline hotmem.kernel_alloc=off)
# all_pcp: every zone's "ZONE batch high_min high_max threshold"
all_pcp() {
	awk '/^Node/ { z = $2 $4 } $1 == "batch:" { b = $2 } $1 == "high_min:" { l = $2 }
		$1 == "high_max:" { h = $2 } $1 == "vm" && $3 == "threshold:" { print z, b, l, h, $4 }' \
		"$MNT/proc/zoneinfo" | sort -u | tr '\n' ' '
}
stop_fs
mount_fs "qemu-512m mounted afresh" "${MACHINE[@]}" --fresh
run=$(all_pcp)
kill9_fs
mount_fs "kill -9, restart from the state file" "${MACHINE[@]}"
is "$(all_pcp)" "$run" "a booted machine restored: the boot's limits and thresholds"
echo 10 >"$MNT/proc/sys/vm/watermark_scale_factor"
run=$(all_pcp)
kill9_fs
mount_fs "watermark_scale_factor 10 written again; kill -9, restart" "${MACHINE[@]}"
is "$(all_pcp)" "$run" "... restored: the write's limits ($run)"

# HVO: a pool grown with hugetlb_optimize_vmemmap 1 frees the boot
# memmap behind its pages (free_vmemmap_page_list(): free_bootmem_page(),
# adjust_managed_page_count()), no setup either (check 17 fails without
# the fix: DMA32 high_max 6117 -> 6167)
before=$(all_pcp)
dma32=$(managed DMA32)
w "$MNT/proc/sys/vm/hugetlb_optimize_vmemmap" 1 >/dev/null && w "$MNT/proc/sys/vm/nr_hugepages" 100 >/dev/null
tap_ok "$([ "$(managed DMA32)" -gt "$dma32" ]; echo $?)" \
	"HVO on, 100 huge pages: DMA32's freed memmap managed ($dma32 -> $(managed DMA32))"
is "$(all_pcp)" "$before" "... the pagesets' limits and thresholds as before"
done_testing
