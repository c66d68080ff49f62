#!/bin/bash
# proc/kpageflags follows memory hotplug as 6.12's does: the file ends at
# round_up(max_pfn, PAGES_PER_SECTION), and x86's max_pfn is raised by
# each add (add_pages()'s update_end_of_memory_vars()) and never lowered,
# not by a removal either; a block's pages read KPF_NOPAGE while it is
# offline (pfn_to_online_page()) and its pages once online; a hotmemfs
# killed with SIGKILL and started again from its state file serves its
# restored machine's, and ends where it did, past a removed DIMM or a
# virtio-mem device's unplugged blocks too (the state file's max-pfn;
# docs/hotmemfs.md "kpageflags and kpagecount").
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
# no d1 to add again: the state file's max-pfn keeps the end (reread31 R4)
kill9_fs
mount_fs "kill -9 after the removal, restart from the state file"
is "$(ends_at 0x108000)" "ret=8" "... the file still ends at the removed DIMM's end"
is "$(kpage_hist $DIMM 0x8000)" "0x100000 0 32768 nopage" "... no page there"
stop_fs
# a virtio-mem device's blocks raise it as they are plugged, the
# driver's own plug after an online in its "device" record; a shrink to
# nothing leaves it, and so does the restart after it
mount_fs "hotmemfs mounts again, fresh (qemu-512m)" --fresh --profile qemu-512m \
	--cmdline memhp_default_state=offline
ctl device_add virtio-mem-pci id=vm0 size=2G requested-size=1536M >/dev/null && ctl settle >/dev/null
tap_ok $? "a virtio-mem device at 4 GiB, 1.5 GiB requested: 1 GiB plugged, offline, the driver waits"
is "$(ends_at 0x140000)" "ret=8" "... the file ends at its plugged end"
for b in 33 34 35 32; do echo online_movable >"$M/memory$b/state" || break; done && ctl settle >/dev/null
tap_ok $? "memory32-35 online (half the driver's offline_threshold, 6.12): the driver plugs on"
is "$(ends_at 0x160000)" "ret=8" "... to the requested 1.5 GiB, memory43's end: the file ends there"
records=$(tr '\0' '\n' <"$STATE.journal" | grep -c '"device":{.*"max-pfn":1441792')
is "$records" 1 "... journaled in the driver's \"device\" record"
# the record's max-pfn is what a restore raises to: made larger by hand
kill9_fs
journal_last_kept '"device":{.*"max-pfn":1441792' "kill -9: the driver's record is the journal's last"
last_record 'fix(line.split(b" ", 1)[1].replace(b"\"max-pfn\":1441792", b"\"max-pfn\":1572864"))'
mount_fs "restart, the record's max-pfn made 0x180000 (by hand)"
is "$(ends_at 0x180000)" "ret=8" "... the file ends there: the record's max-pfn is replayed"
kill9_fs
journal_put_back
mount_fs "kill -9, the state file and journal put back as they were, restart"
is "$(ends_at 0x160000)" "ret=8" "... the file ends at the plugged end"
ctl set-size vm0 0 >/dev/null && ctl settle >/dev/null && [ -z "$(ls -d "$M"/memory{32..43} 2>/dev/null)" ]
tap_ok $? "vm0 shrunk to nothing: memory32-43 removed"
is "$(ends_at 0x160000)" "ret=8" "... the file still ends at the unplugged end"
kill9_fs
mount_fs "kill -9 after the shrink, restart from the state file"
is "$(ends_at 0x160000)" "ret=8" "... the file still ends at the unplugged end"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
