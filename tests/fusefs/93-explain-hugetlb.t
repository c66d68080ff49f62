#!/bin/bash
# hotmemctl explain of a block holding the HugeTLB pool's huge pages, which
# offline_pages() dissolves (6.12 dissolve_free_hugetlb_folios(): the pool
# shrinks by them): explain said "should go offline: 0 movable pages
# migrate" of a block holding all 64 of the pool's pages, and the offline
# took the pool to 0 unannounced (usereye3 #7); text and --json say it
# now. A block with pinned pages says its movable pages too: "in use:
# 1000 pages" hid the thousands that migrate (usereye3 #4).
. "$(dirname "$0")/lib.sh"
require_env
need_tool python3 python3
M=$MNT/sys/devices/system/memory

mount_fs "hotmemfs mounts qemu-512m, hot-added memory offline" \
	--profile qemu-512m --cmdline "memhp_default_state=offline hotmem.kernel_alloc=off" --fresh
ctl device_add pc-dimm size=512M id=d1 >/dev/null &&
	for b in 32 33 34 35; do echo online_movable >"$M/memory$b/state" || exit 1; done
tap_ok $? "a 512M DIMM, memory32-35 online_movable"
ctl hugetlb 64 >/dev/null
tap_ok $? "hugetlb 64"
blk=
for b in 32 33 34 35; do
	n=$(ctl --json explain $b | python3 -c 'import json,sys; print(json.load(sys.stdin)["hugetlb_free_huge_pages"])')
	[ "$n" -gt 0 ] && { blk=$b; cnt=$n; break; }
done
[ -n "$blk" ]; tap_ok $? "explain --json: memory$blk holds $cnt of the pool's huge pages ('hugetlb_free_huge_pages')"
ctl --json explain "$blk" >"$TMP/ex.json"
is "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["verdict"], d["hugetlb_pages"], d["hugetlb_pool"], d["hugetlb_pool_after_offline"])' "$TMP/ex.json")" \
	"ok $((cnt * 512)) 64 $((64 - cnt))" "... verdict ok, its pages, the pool now and after the offline"
ctl explain "$blk" >"$TMP/ex.txt"
grep -qxF "offline: should go offline: 0 movable pages migrate, the free huge pages are dissolved" "$TMP/ex.txt"
tap_ok $? "text: the verdict names the dissolve: $(grep '^offline:' "$TMP/ex.txt")"
grep -qxF "hugetlb: $cnt free huge pages of 2 MiB ($((cnt * 512)) pages), dissolved on offline: the pool shrinks by them (nr_hugepages 64 -> $((64 - cnt)))" "$TMP/ex.txt"
tap_ok $? "text: $(grep '^hugetlb:' "$TMP/ex.txt")"
echo offline >"$M/memory$blk/state"
tap_ok $? "memory$blk goes offline"
is "$(awk '$1 == "HugePages_Total:" {print $2}' "$MNT/proc/meminfo")" $((64 - cnt)) \
	"... and the pool is what explain said: $((64 - cnt))"

# pinned pages with movable ones beside them: both in the text
other=
for b in 32 33 34 35; do [ "$b" != "$blk" ] && { other=$b; break; }; done
ctl alloc movable 5000 >/dev/null && ctl alloc pinned 100 >/dev/null
tap_ok $? "5000 movable and 100 pinned pages allocated"
for b in 32 33 34 35; do
	[ "$b" = "$blk" ] && continue
	ctl --json explain $b >"$TMP/p.json"
	read -r mov pin < <(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["movable_pages"], d["blocking_pages"])' "$TMP/p.json")
	[ "$pin" -gt 0 ] && [ "$mov" -gt 0 ] && { other=$b; break; }
done
ctl explain "$other" >"$TMP/p.txt"
grep -qxF "in use: $((mov + pin)) pages: $mov movable (migrate), $pin in $pin entries (an entry: one allocation, 2^order pages), by owner:" "$TMP/p.txt"
tap_ok $? "memory$other: $(grep '^in use:' "$TMP/p.txt")"
done_testing
