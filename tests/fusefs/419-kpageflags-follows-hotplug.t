#!/bin/bash
# proc/kpageflags follows memory hotplug as 6.12's does: the file ends at
# round_up(max_pfn, PAGES_PER_SECTION), and x86's max_pfn is raised by
# each add (add_pages()'s update_end_of_memory_vars()) and never lowered,
# not by a removal either; a block's pages read KPF_NOPAGE while it is
# offline (pfn_to_online_page()) and its pages once online; a hotmemfs
# killed with SIGKILL and started again from its state file serves its
# restored machine's (docs/hotmemfs.md "kpageflags and kpagecount").
. "$(dirname "$0")/lib.sh"
require_env
need_tool python3 python3
P=$MNT/proc
M=$MNT/sys/devices/system/memory
DIMM=0x100000
# the bytes a read of 16 at the entry before pfn $1 gets: 8 while the file ends at $1
ends_at() { kpage pread "$P/kpageflags" 16 $(($1 * 8 - 8)); }

mount_fs "hotmemfs mounts (qemu-512m)" --fresh --profile qemu-512m \
	--cmdline memhp_default_state=offline
is "$(ends_at 0x20000) $(kpage pread "$P/kpageflags" 8 $((0x20000 * 8)))" "ret=8 ret=0" \
	"the file ends at boot RAM's last section's end (0x1ffe0 rounded up to 0x20000)"
ctl device_add pc-dimm size=128M id=d1 >/dev/null && ctl settle >/dev/null
tap_ok $? "a 128 MiB DIMM at 4 GiB, its block left offline"
is "$(ends_at 0x108000)" "ret=8" "... the add raised max_pfn: the file ends at the DIMM's end"
is "$(kpage_hist $DIMM 0x8000)" "0x100000 0 32768 nopage" "memory32 offline: KPF_NOPAGE"
echo online_movable >"$M/memory32/state" && ctl alloc movable 100 >/dev/null
tap_ok $? "memory32 online_movable, 100 user pages"
want="0x400 0 32668 buddy
0x400205868 1 100 uptodate,lru,active,mmap,anon,swapbacked,ksm,owner_2"
is "$(kpage_hist $DIMM 0x8000)" "$want" "memory32 online: its user pages and free pages"
kill9_fs
mount_fs "kill -9, restart from the state file"
# workload allocations are not saved (hotmemfs says so at the restore): the block's pages are free
is "$(kpage_hist $DIMM 0x8000)" "0x400 0 32768 buddy" "... memory32 online again, its pages the buddy's"
is "$(ends_at 0x108000)" "ret=8" "... the file ends where it did"
echo offline >"$M/memory32/state"
tap_ok $? "memory32 offline (its user pages migrate)"
is "$(kpage_hist $DIMM 0x8000)" "0x100000 0 32768 nopage" "... KPF_NOPAGE again"
ctl device_del d1 >/dev/null && ctl settle >/dev/null
tap_ok $? "d1 removed"
is "$(ends_at 0x108000)" "ret=8" "the file still ends at the removed DIMM's end: max_pfn is never lowered"
is "$(kpage_hist $DIMM 0x8000)" "0x100000 0 32768 nopage" "... no page there"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
