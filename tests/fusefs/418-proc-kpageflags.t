#!/bin/bash
# proc/kpageflags and proc/kpagecount are served as 6.12's fs/proc/page.c
# serves them, read as tools/mm/page-types.c reads them (a pread() of 8
# bytes a pfn over a range; tests/fusefs/kpage.py): the machine the
# 6.12.117 guest comparison ran (docs/hotmemfs.md "kpageflags and
# kpagecount"): qemu-512m with memory_hotplug.memmap_on_memory=1, three
# 128 MiB DIMMs, the first onlined Normal, the second Movable with user
# pages, a free huge page and a soft-offlined page, the third offline.
# Each block's flag sets are the kinds the guest showed there.  Before
# this, both files failed every read (EOPNOTSUPP).
. "$(dirname "$0")/lib.sh"
require_env
need_tool python3 python3
P=$MNT/proc
M=$MNT/sys/devices/system/memory

mount_fs "hotmemfs mounts (qemu-512m, memmap_on_memory)" --fresh --profile qemu-512m \
	--cmdline "memhp_default_state=offline memory_hotplug.memmap_on_memory=1"
is "$(stat -c '%a %U %s' "$P/kpageflags" "$P/kpagecount")" "400 root 0
400 root 0" "both 0400 root, st_size 0 (proc_create(S_IRUSR), procfs)"
for i in 1 2 3; do ctl device_add pc-dimm size=128M id=d$i >/dev/null || nok "device_add d$i"; done
ctl settle >/dev/null
echo online_kernel >"$M/memory32/state" && echo online_movable >"$M/memory33/state"
tap_ok $? "memory32 online Normal, memory33 online Movable, memory34 left offline"
ctl alloc movable 4096 >/dev/null && echo 1 >"$P/sys/vm/nr_hugepages"
tap_ok $? "4096 user pages and a huge page (both in Movable: the highest zone first)"
echo $((0x10c000 * 4096)) >"$M/soft_offline_page"
tap_ok $? "pfn 0x10c000 (free, in memory33) soft-offlined"

# boot memory: pfn 0 and the e820 hole below 1 MiB reserved; the end of
# boot RAM (0x1ffe0, QEMU's 128 KiB short) to its section's end reserved
is "$(kpage runs "$P" 0x9f 0x61)" "0x9f+97 0x100000000 0 reserved" \
	"0x9f-0xff (the e820 hole below 1 MiB): KPF_RESERVED"
is "$(kpage runs "$P" 0x1ffe0 32)" "0x1ffe0+32 0x100000000 0 reserved" \
	"0x1ffe0-0x1ffff, past boot RAM in its section: KPF_RESERVED (init_unavailable_range())"
is "$(kpage runs "$P" 0x20000 0xe0000)" "0x20000+917504 0x100000 0 nopage" \
	"0x20000 up to the DIMMs at 4 GiB: KPF_NOPAGE, no page there"

# memory32, Normal: its self-hosted memmap, the kernel's allocations, free pages
is "$(kpage runs "$P" 0x100000 512)" "0x100000+512 0x2000000000 0 owner_private" \
	"memory32's first 512 pfns, its own memmap: KPF_OWNER_PRIVATE (PG_vmemmap_self_hosted)"
kinds=$(kpage hist "$P" 0x100000 0x8000 | awk '{ print $4 }' | sort -u | tr '\n' ' ')
others=$(echo "$kinds" | tr ' ' '\n' | grep -vxE 'owner_private|buddy|slab|slab,compound_head|slab,compound_tail|pgtable|-|compound_head|compound_tail|')
is "$others" "" "memory32's other pages are the buddy's or the kernel's (slab, page tables): $kinds"

# memory33, Movable: page by page what the guest's said of the same kinds
is "$(kpage_hist 0x108000 0x8000)" "0x400 0 27647 buddy
0x28000 0 1 compound_head,huge
0x30000 0 511 compound_tail,huge
0x80000 0 1 hwpoison
0x400205868 1 4096 uptodate,lru,active,mmap,anon,swapbacked,ksm,owner_2
0x2000000000 0 512 owner_private" \
	"memory33: memmap, user pages mapped once, a free huge page, the poisoned page, free pages"
is "$(kpage runs "$P" 0x10bffe 4)" "0x10bffe+2 0x400 0 buddy
0x10c000+1 0x80000 0 hwpoison
0x10c001+1 0x400 0 buddy" "... the poisoned page between free ones, a read from a free block's middle"

# memory34, offline; the file's end: round_up(max_pfn, PAGES_PER_SECTION), max_pfn the last DIMM's end
is "$(kpage_hist 0x110000 0x8000)" "0x100000 0 32768 nopage" "memory34, offline: KPF_NOPAGE (pfn_to_online_page())"
is "$(kpage pread "$P/kpageflags" 16 $((0x118000 * 8 - 8)))" "ret=8" \
	"a read across the end gets the last entry"
is "$(kpage pread "$P/kpagecount" 8 $((0x118000 * 8)))" "ret=0" "... and 0 bytes from the end"
is "$(kpage pread "$P/kpageflags" 7 0) $(kpage pread "$P/kpageflags" 8 3)" \
	"EINVAL EINVAL" "a count or an offset not a multiple of 8: EINVAL (KPMMASK)"
is "$(kpage pread "$P/kpageflags" 0 8)" "ret=0" "a read of 0 bytes: 0"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
