#!/bin/bash
# A block holding HVO-optimised free huge pages whose offline cannot
# restore their vmemmap (6.12 dissolve_free_hugetlb_folio() ->
# hugetlb_vmemmap_restore_folio() -> alloc_vmemmap_page_list(): 7
# GFP_KERNEL pages a 2 MiB page) with kernel memory taken down to the
# watermarks: explain says the offline fails with ENOMEM ("failure to
# dissolve huge pages"), before and after the failure -- it said "should go
# offline" (abuse25b C1) -- and the failure is logged as the page
# allocator's warn_alloc() by the writer ("dd: page allocation failure:
# order:0"; hotmemctl's for hotmemctl), rate-limited by nopage_rs, not the
# hot-add's once-per-boot "vmemmap alloc failure" from a kworker (abuse25b
# C2). The second failure comes after nopage_rs's 10 s window (a sleep: a
# lower bound only, nothing timed is asserted). hotmemctl's refused offline
# says explain's reason, as for EINVAL.
. "$(dirname "$0")/lib.sh"
require_env
need_tool python3 python3
M=$MNT/sys/devices/system/memory
WARN='page allocation failure: order:0, mode:0x4cc0(GFP_KERNEL|__GFP_RETRY_MAYFAIL), nodemask=(null),cpuset=/,mems_allowed=0'

mount_fs "hotmemfs mounts qemu-512m, HVO on, an idle kernel" \
	--profile qemu-512m --cmdline "hotmem.kernel_alloc=off hugetlb_free_vmemmap=on" --fresh
ctl device_add pc-dimm size=128M id=d1 memmap-on-memory=off >/dev/null &&
	echo online_movable >"$M/memory32/state"
tap_ok $? "a 128M DIMM, memory32 online_movable"
# every page GFP_KERNEL can take: an alloc is one operation, stopped by
# the boosts of its fallbacks, which the kswapd run after it takes back
# for the next one -- until one gets nothing
ctl hugetlb 64 >/dev/null && ctl alloc unmovable 200000 >/dev/null
tap_ok $? "hugetlb 64 (63 in memory32), then every page GFP_KERNEL can take"
for _ in $(seq 100); do ctl alloc unmovable 200000 >/dev/null 2>&1 || break; done
explained() { # the verdict, the restore's need, the kernel's free pages, the pool after
	ctl --json explain 32 | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["verdict"], d["hugetlb_vmemmap_restore_pages"], d["kernel_free_pages"], d["hugetlb_pool_after_offline"])'
}
is "$(explained)" "enomem 441 0 64" "explain --json: enomem, 441 pages to restore, none free, the pool stays 64"
ctl explain 32 >"$TMP/ex.txt"
grep -qxF 'offline: fails with ENOMEM ("failure to dissolve huge pages"): the vmemmap restore of its free huge pages needs 441 pages of kernel memory, ~0 free above the watermarks (free memory first)' "$TMP/ex.txt"
tap_ok $? "explain: $(grep '^offline:' "$TMP/ex.txt")"
echo offline | dd of="$M/memory32/state" 2>"$TMP/dd.err"
[ $? -ne 0 ] && grep -q "Cannot allocate memory" "$TMP/dd.err"
tap_ok $? "dd's offline fails with ENOMEM: $(grep -m1 'Cannot' "$TMP/dd.err")"
is "$(cat "$M/memory32/state") $(awk '$1 == "HugePages_Total:" {print $2}' "$MNT/proc/meminfo")" "online 64" \
	"... memory32 online, the pool as it was"
is "$(explained)" "enomem 441 0 64" "explain after the failure: still enomem"
ctl dmesg >"$TMP/d1"
is "$(grep -cxF "<4>dd: $WARN" "$TMP/d1")" 1 "dmesg: the writer's warn_alloc(): dd: page allocation failure: order:0 ..."
grep -q "vmemmap alloc failure" "$TMP/d1"
tap_ok $((!$?)) "... not the hot-add's 'vmemmap alloc failure' from a kworker"
sleep 10.5 # nopage_rs: one line every 10 s
ctl offline 32 >"$TMP/off.out" 2>&1
tap_ok $((!$?)) "hotmemctl offline 32 fails too"
grep -qF 'memory32: offline failed: Cannot allocate memory: it fails with ENOMEM ("failure to dissolve huge pages"): the vmemmap restore of its free huge pages needs 441 pages of kernel memory, ~0 free above the watermarks (free memory first) (`hotmemctl explain 32`)' "$TMP/off.out"
tap_ok $? "... saying why, as explain does: $(head -c 200 "$TMP/off.out")"
ctl dmesg >"$TMP/d2"
is "$(grep -cxF "<4>hotmemctl: $WARN" "$TMP/d2") $(grep -c 'failed due to failure to dissolve huge pages' "$TMP/d2")" "1 2" \
	"... said again, 10 s on, by hotmemctl (the client that asked): not once per boot"
done_testing
