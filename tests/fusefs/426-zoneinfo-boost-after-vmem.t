#!/bin/bash
# /proc/zoneinfo after a virtio-mem plug and unplug: the boost its steals
# raised is taken back by the kswapd run they woke, as 6.12's kswapd runs
# beside the driver's work and has done so by the time anyone reads
# zoneinfo.  hotmem ran kswapd at the end of each operation that
# allocates but virtio-mem's (virtio_mem_unlock() did not call
# kswapd_run_pending()): a plug's memmap stealing from DMA32's movable
# pageblocks left "boost 1024" and the boosted min/low/high until the next
# operation's kmem_tick(), and a restore from the state file (boosts not
# saved) showed 0 -- the running machine and its restored copy disagreed
# (reread39 R4; checks 4 and 6 fail without the fix; 8-9, the unplug's
# and a second plug's, are guards: here they steal nothing).  The pool and the
# marks as tests/fusefs/371 sets them up; the engine's model of kswapd:
# docs/engine.md "Watermark boost".  The restored min/low/high too
# (wmark39): the watermark_scale_factor write set DMA32's up from the
# pages of after boot (607/758/909; the boot's 606/757/908 came before the
# init memory was freed), and the plug's blocks stay offline (no
# online_pages(), nothing set up again), but the restore, which writes a
# factor only when it differs, kept the boot's -- after the unplug as well
# (checks 7 and 10 fail without "boot-watermarks").  And the marks of a
# machine whose managed pages moved after its last setup (reread40 R1):
# virtio-mem's sub-blocks plugged into a block already online
# (adjust_managed_page_count(), no setup), or a shrink that offlines a
# block (a setup) then fake-offlines part of another: a restore replays
# the end state and set the marks up from its own managed pages (DMA32
# min 561 for the running 531).  The state file keeps the marks
# themselves: checks 17 and 22 fail without.
. "$(dirname "$0")/lib.sh"
require_env

MACHINE=(--profile qemu-512m --cmdline hotmem.kernel_alloc=off)
mount_fs "hotmemfs mounts qemu-512m, an idle kernel" "${MACHINE[@]}" --fresh
marks() { echo "$(zi DMA32 boost) $(zi DMA32 min) $(zi DMA32 low) $(zi DMA32 high) $(zi DMA32 node_unreclaimable:)"; }
# boost_unrecl: DMA32's boost and node_unreclaimable (an online or offline
# sets the marks up anew: init_per_zone_wmark_min())
boost_unrecl() { echo "$(zi DMA32 boost) $(zi DMA32 node_unreclaimable:)"; }
# vm0_add SIZE: virtio-mem vm0 of 1G, SIZE requested, its plug settled
vm0_add() {
	ctl device_add virtio-mem-pci id=vm0 size=1G requested-size="$1" >/dev/null && ctl settle >/dev/null
}

echo 1000 >"$MNT/proc/sys/vm/nr_hugepages" && echo 10 >"$MNT/proc/sys/vm/watermark_scale_factor"
read -r b0 min low high u0 <<<"$(marks)"
is "$b0 $u0" "0 0" "after the pool (every free 2 MiB block of DMA32): no boost, kswapd not given up"

vm0_add 0
ctl set-size vm0 128M >/dev/null
is "$(vmem_plugged vm0)" 134217728 "virtio-mem vm0 plugs 128M (its memmap allocated from DMA32)"
is "$(marks)" "0 $min $low $high 0" "the plug's boost taken back by the kswapd run it woke: marks as before"
plugged=$(boost_unrecl)
stop_fs
mount_fs "... restored from the state file" "${MACHINE[@]}"
is "$(boost_unrecl)" "$plugged" "the restored machine's boost and node_unreclaimable are the running one's"
is "$(marks)" "0 $min $low $high 0" "... and its min/low/high ($min $low $high, the factor write's)"

ctl set-size vm0 0 >/dev/null
is "$(vmem_plugged vm0)" 0 "vm0 unplugs to 0"
is "$(boost_unrecl)" "0 0" "after the unplug: no boost, not hopeless"
is "$(marks)" "0 $min $low $high 0" "... min/low/high still the factor write's (no block went online or offline)"
ctl set-size vm0 256M >/dev/null
is "$(boost_unrecl)" "0 0" "plugged again (256M asked): no boost, not hopeless"
ctl check >/dev/null
tap_ok $? "invariants hold"

M=$MNT/sys/devices/system/memory
# zi_all: every zone's min/low/high/managed and protection of zoneinfo, min_free_kbytes
zi_all() {
	awk '/^Node/ {z = $4} ($1 == "min" || $1 == "low" || $1 == "high" || $1 == "managed") {printf "%s%s:%s=%s", sep, z, $1, $2; sep = " "}
	     $1 == "protection:" {$1 = ""; printf "%s%s:prot=%s", sep, z, $0; sep = " "}' "$MNT/proc/zoneinfo"
	echo " mfk=$(cat "$MNT/proc/sys/vm/min_free_kbytes")"
}
# afresh: hotmemfs stopped and mounted anew, its state file not read
afresh() {
	stop_fs
	mount_fs "hotmemfs mounts qemu-512m afresh" "${MACHINE[@]}" --fresh
}
# marks_restored: the marks and protection as running (zi_all), then after
# a kill -9 and a restart from the state file, the check that they are
marks_restored() {
	local run
	run=$(zi_all)
	kill9_fs
	mount_fs "kill -9, restart" "${MACHINE[@]}"
	is "$(zi_all)" "$run" "the restored marks and protection are the running machine's"
}
# plugged into an online block: 64M plugged, memory32 onlined, 64M more into it
afresh
vm0_add 64M
is "$(w "$M/memory32/state" online)" ret=6 "vm0 plugs 64M into memory32, which goes online"
ctl set-size vm0 128M >/dev/null && ctl settle >/dev/null
is "$(vmem_plugged vm0)" 134217728 "vm0 plugs 64M more into the online memory32 (no setup of the marks)"
marks_restored

# auto-online: a shrink offlines memory33, then fake-offlines 28M of memory32
afresh
echo online >"$M/auto_online_blocks"
vm0_add 200M
is "$(vmem_plugged vm0)" 209715200 "auto_online_blocks online: vm0 plugs 200M (memory32, memory33 online)"
ctl set-size vm0 100M >/dev/null && ctl settle >/dev/null
is "$(vmem_plugged vm0)" 104857600 "vm0 shrinks to 100M: memory33 offline and gone, 28M of memory32 unplugged"
marks_restored
ctl check >/dev/null
tap_ok $? "invariants hold"
done_testing
