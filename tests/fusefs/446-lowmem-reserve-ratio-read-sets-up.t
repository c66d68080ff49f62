#!/bin/bash
# A read of vm.lowmem_reserve_ratio sets the reserves up: 6.12's
# lowmem_reserve_ratio_sysctl_handler() (mm/page_alloc.c) has no
# "if (write)" -- after proc_dointvec_minmax() it stores the ratios below
# 1 as 0 and runs setup_per_zone_lowmem_reserve(), which ends in
# calculate_totalreserve_pages() -- and proc_sys_call_handler()
# (fs/proc/proc_sysctl.c) calls the handler for every read(), at the
# start or past it (where the parser copies nothing: "*ppos && !write").
# qemu-512m's boot set the reserves up before its init memory was freed:
# DMA's protection 374, DMA32's managed pages of then / 256; one `cat`
# makes it DMA32's managed of now / 256 (382) and totalreserve_pages
# from it, and the state file keeps that over kill -9; so after
# virtio-mem sub-blocks plugged into an online block, which move the
# managed pages with no setup.  hotmemfs's read set nothing up before
# (checks 5, 7-9, 11, 15, 20 and 23 failed: 374 stayed, no record).  6,
# 12 and 21 are guards: totalreserve_pages moved with the reserves; a
# read that would move nothing makes no record (8: the cost).
. "$(dirname "$0")/lib.sh"
require_env

ARGS=(--profile qemu-512m --cmdline hotmem.kernel_alloc=off)
V=$MNT/proc/sys/vm
records() { tr '\0' '\n' <"$STATE.journal" | grep -c .; }
prot_of() { echo "(0, $1, $1, $1, $1)"; }
dma32_r() { echo $(($(zi DMA32 managed) / 256)); }
thresholds() {
	local l
	l=$(dirty_limits "$(reserve_now)")
	dirty_agree "$l"
	tap_ok $? "$1 ($l)"
}

mount_fs "hotmemfs mounts qemu-512m" "${ARGS[@]}" --fresh
is "$(zi DMA protection)" "$(prot_of 374)" "boot: DMA protection from the managed pages before init memory was freed"
is "$(cat "$V/lowmem_reserve_ratio")" "$(printf '256\t256\t32\t0\t0')" "cat lowmem_reserve_ratio: the ratios"
is "$(dma32_r)" 382 "DMA32's managed of now / 256: 382"
is "$(zi DMA protection)" "$(prot_of 382)" "... DMA protection set up by the read: 382"
thresholds "... vmstat's dirty thresholds subtract the totalreserve_pages of that setup"
is "$(records)" 1 "... the state file's journal has the setup's record"
cat "$V/lowmem_reserve_ratio" >/dev/null
is "$(records)" 1 "a second cat: nothing moved, no record"
is "$(zi DMA protection)" "$(prot_of 382)" "... DMA protection still 382"
kill9_fs
mount_fs "kill -9, restart from the state file" "${ARGS[@]}"
is "$(zi DMA protection)" "$(prot_of 382)" "after the restart: DMA protection 382, not read again"
thresholds "... the thresholds subtract the setup's totalreserve_pages"
stop_fs

# a read past the start, which copies nothing, runs the handler too
mount_fs "hotmemfs mounts qemu-512m again, fresh" "${ARGS[@]}" --fresh
is "$(python3 -c 'import os, sys; fd = os.open(sys.argv[1], os.O_RDONLY); print(repr(os.pread(fd, 64, 1)))' "$V/lowmem_reserve_ratio")" \
	"b''" "pread at 1: nothing"
is "$(zi DMA protection)" "$(prot_of 382)" "... DMA protection set up: 382"

# virtio-mem sub-blocks plugged into an online block move the managed
# pages with no setup (adjust_managed_page_count()): the next read sets up
M=$MNT/sys/devices/system/memory
# want_prot: DMA's protection as setup_per_zone_lowmem_reserve() makes it
# from zoneinfo's managed pages of now (node 0, DMA's ratio 256)
want_prot() {
	awk '/^Node 0,/ {n++} /^Node 1,/ {exit} n && $1 == "managed" {m[n] = $2}
	     END {printf "(0"; for (j = 2; j <= 5; j++) {s += m[j]; printf ", %d", int(s / 256)} print ")"}' \
		"$MNT/proc/zoneinfo"
}
ctl device_add virtio-mem-pci id=vm0 size=1G requested-size=64M >/dev/null && ctl settle >/dev/null
is "$(w "$M/memory32/state" online)" ret=6 "vm0 plugs 64M into memory32, which goes online (a setup)"
is "$(zi DMA protection)" "$(want_prot)" "... DMA protection from the managed pages of now"
ctl set-size vm0 128M >/dev/null && ctl settle >/dev/null
is "$(vmem_plugged vm0)" 134217728 "vm0 plugs 64M more into the online memory32 (no setup)"
want=$(want_prot) p1=$(zi DMA protection)
tap_ok "$([ "$p1" != "$want" ]; echo $?)" "... DMA protection $p1 stays, the managed pages of now give $want"
cat "$V/lowmem_reserve_ratio" >/dev/null
is "$(zi DMA protection)" "$want" "cat lowmem_reserve_ratio: DMA protection set up, $want"
thresholds "... the thresholds subtract the setup's totalreserve_pages"
kill9_fs
mount_fs "kill -9, restart from the state file" "${ARGS[@]}"
is "$(zi DMA protection)" "$want" "after the restart: DMA protection $want"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
