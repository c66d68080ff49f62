#!/bin/bash
# A decision reads no valid_zones where it knows what the kernel offers
# (#15 goal 5: one OPEN, READ and RELEASE a block fewer): 6.12's
# valid_zones_show() offers an offline block Movable and
# default_kernel_zone_for_pfn()'s zone, Normal unless ZONE_DMA or
# ZONE_DMA32 meets the block -- which /proc/zoneinfo's spans say.  A block
# they may meet still reads its valid_zones: its kernel zone is DMA32, and
# hotmemd must say so (its log's zone, the journal's HOTMEM_ZONE), not
# Normal.  Here boot block memory5 (in DMA32) is offline at boot and a
# DIMM's memory32 (at 4 GiB) is offline, hotmemd --oneshot onlines both
# with policy online_kernel: each named in the zone it went to.
. "$(dirname "$0")/lib.sh"
need_hotmemd
need_hotmemfs_in_netns "$@"
. "$(dirname "$0")/fs_start.sh"
set -u

printf 'profile = default\nname = low-offline\noffline = 5\n' >"$TMP/profile"
check "hotmemfs boots with memory5 offline" fs_start m -p "$TMP/profile"
findmnt -t fuse.hotmemfs "$TMP/m" >/dev/null || { nok "$TMP/m is a hotmemfs mount"; done_testing; }
mem=$TMP/m/sys/devices/system/memory
plug_dimm() { "$CTL" -s "$TMP/m.sock" device_add pc-dimm size=128M id=d0 >/dev/null; }
check "plug a 128 MiB DIMM (memory32)" plug_dimm
is "$(cat "$mem/memory5/valid_zones")" "DMA32 Movable" "memory5 is offered DMA32 (ZONE_DMA32 spans it)"
is "$(cat "$mem/memory32/valid_zones")" "Normal Movable" "memory32 is offered Normal"
printf 'policy = online_kernel\n' >"$TMP/conf"
check "hotmemd --oneshot onlines them" "$HOTMEMD" --config "$TMP/conf" --sysroot "$TMP/m" \
	--state-dir "$TMP/state" --netlink=no --oneshot --log-level info 2>"$TMP/log"
grep -E "memory(5|32):" "$TMP/log" | sed 's/^/# /'
is "$(block_zones m 5 32 | tr '\n' ' ')" "5 DMA32 32 Normal " "memory5 went to DMA32, memory32 to Normal"
check "hotmemd says memory5 went to DMA32" grep -q "memory5: online_kernel .*zone=DMA32" "$TMP/log"
check "... and memory32 to Normal" grep -q "memory32: online_kernel .*zone=Normal" "$TMP/log"
done_testing
