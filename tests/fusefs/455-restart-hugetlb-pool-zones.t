#!/bin/bash
# A restart from the state file after kill -9 puts the HugeTLB pool's
# pages back in the zones they were in.  An offline (here virtio-mem's
# unplug of online sub-blocks, alloc_contig_range()) replaces a free huge
# page in its range with a fresh one (6.12 alloc_and_dissolve_hugetlb_
# folio()) from wherever there is room then: DMA32 once Normal is full.
# The file kept the pool's count alone, and the restore grew it on the
# machine of now, Normal first: one huge page fewer in Normal, one more
# in DMA32 than running, and with HVO on the 8 boot memmap pages that
# page's optimisation freed went with it (DMA32 managed 97897 for 97889).
# (restore42; checks 5 and 6 fail without the fix: DMA32 managed 97897 for
# 97889, nr_free_pages_blocks 87552 for 88064)
# HVO had freed the memmap pages of the 6 unplugged sub-blocks' huge
# pages in DMA32 (pfns 11152-11199, block 32's memmap at 10752), and the
# shrink's dissolve restored that vmemmap on 48 new Normal pages (6.12
# alloc_vmemmap_page_list()); the file kept no such remap of a hot-added
# memmap and the restore rebuilt it whole in DMA32 (vmremap43; check 7
# fails without the fix: DMA32 90373 for 90421, Normal 925 for 877).
# Each optimised huge page's head vmemmap page comes back on the page
# 6.12's vmemmap_remap_free() had copied it to (check 9 fails without
# "heads": Normal "5 4 2 3 2 1 2 1 2" free blocks by order for
# "1 0 1 1 2 2 2 1 2").
. "$(dirname "$0")/lib.sh"
require_env

MACHINE=(--profile qemu-512m)
# zone_field FIELD: each zone's FIELD (zoneinfo's first such line in it), "ZONE N ..."
zone_field() { awk -v f="$1" '/^Node/ {z = $4} $1 == f && !(z in seen) {seen[z]; print z, $2}' "$MNT/proc/zoneinfo" | tr '\n' ' '; }
zone_free() { awk '/^Node/ {z = $4} $1 == "pages" && $2 == "free" {print z, $3}' "$MNT/proc/zoneinfo" | tr '\n' ' '; }

mount_fs "hotmemfs mounts qemu-512m" "${MACHINE[@]}" --fresh
hvo_pool_over_shrunk_vm0 "nr_hugepages <- 50 (HVO on): all of them in Normal" \
	"vm0 shrinks to 100M: the pool keeps its 50, some now in DMA32"
managed=$(zone_field managed) blocks=$(zone_field nr_free_pages_blocks) free=$(zone_free)
memmap=$(memmap_counts) buddy=$(cat "$MNT/proc/buddyinfo")
kill9_fs
mount_fs "kill -9, restart from the state file" "${MACHINE[@]}"
is "$(zone_field managed)" "$managed" "each zone's managed pages as running"
is "$(zone_field nr_free_pages_blocks)" "$blocks" "each zone's free pages in whole free pageblocks as running (the pool's pages in their zones)"
is "$(zone_free)" "$free" "each zone's free pages as running"
is "$(memmap_counts)" "$memmap" "nr_memmap_pages and nr_memmap_boot_pages as running"
# the optimised pages' head vmemmap pages where they were ("heads")
is "$(cat "$MNT/proc/buddyinfo")" "$buddy" "/proc/buddyinfo as running"
ctl check >/dev/null
tap_ok $? "invariants hold"
done_testing
