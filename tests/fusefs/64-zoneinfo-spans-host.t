#!/bin/bash
# /proc/zoneinfo's spans on host-24g, the reference host (6.18.44,
# fixtures/reference/proc-zoneinfo-host.txt): RAM below and above the
# 32-bit PCI hole on one node.  zone_spanned_pages_in_node() (6.12/6.18
# mm/mm_init.c) clamps the node's span to each zone's bounds, so DMA32
# spans 0x1000-0x100000 with the hole inside: spanned 1044480, present
# 782336.  hotmem ended the zone at the last RAM pfn below 4 GiB (spanned
# 782336) (usereye3 #20).  Every zone's start_pfn, spanned and present as
# the reference's; then a block probed at 3 GiB, inside DMA32's span,
# comes online in DMA32 (zone_intersects()), the span unchanged.
. "$(dirname "$0")/lib.sh"
require_env

printf 'profile = host-24g\nprobe = yes\n' >"$TMP/h.profile"
mount_fs "hotmemfs mounts host-24g (probe = yes)" --profile "$TMP/h.profile" --cmdline hotmem.kernel_alloc=off --fresh -S none
REF=$HOTMEM_SRC/tests/fixtures/reference/proc-zoneinfo-host.txt
M=$MNT/sys/devices/system/memory
# spans FILE: "ZONE start_pfn spanned present" of node 0's zones
spans() {
	awk '/^Node/ { z = $4 } $1 == "spanned" { s[z] = $2 } $1 == "present" { p[z] = $2 }
		$1 == "start_pfn:" { st[z] = $2 }
		END { n = split("DMA DMA32 Normal Movable Device", o, " ")
		      for (i = 1; i <= n; i++) printf "%s %s %s %s\n", o[i], st[o[i]], s[o[i]], p[o[i]] }' "$1"
}
is "$(spans "$MNT/proc/zoneinfo")" "$(spans "$REF")" "proc/zoneinfo: start_pfn, spanned, present of every zone as the reference host's"
is "$(spans "$MNT/proc/zoneinfo" | grep '^DMA32 ')" "DMA32 4096 1044480 782336" "... DMA32 spans the PCI hole up to 4 GiB"

echo 0xc0000000 >"$M/probe"
tap_ok $? "probe 0xc0000000 (a block in the hole)"
is "$(cat "$M/memory24/valid_zones")" "DMA32 Movable" "memory24's default kernel zone is DMA32, whose span it lies in"
echo online >"$M/memory24/state"
tap_ok $? "memory24 online"
is "$(cat "$M/memory24/valid_zones")" "DMA32" "... in DMA32"
is "$(spans "$MNT/proc/zoneinfo" | grep '^DMA32 ')" "DMA32 4096 1044480 815104" "... DMA32's span unchanged, 32768 pages more present"
done_testing
