#!/bin/bash
# proc/pagetypeinfo is the machine's, in 6.12's format (mm/vmstat.c
# pagetypeinfo_show(), Debian's config: Unmovable Movable Reclaimable
# HighAtomic Isolate): each zone's free blocks per migratetype and order
# add up to its buddyinfo, its pageblocks by migratetype, a looping
# offline's pageblocks under Isolate; vm.min_free_kbytes is the one the
# zoneinfo watermarks come from; kpageflags and kpagecount are served
# (they were not: EOPNOTSUPP).  Inside hotmem-enter they were the host's,
# beside the machine's buddyinfo and zoneinfo (usereye5 #5).
. "$(dirname "$0")/lib.sh"
require_env
need_tool python3 python3
P=$MNT/proc
M=$MNT/sys/devices/system/memory

start_fs --fresh --cmdline memhp_default_state=offline
tap_ok $? "hotmemfs mounts"
is "$(stat -c %a "$P/pagetypeinfo")" 400 "pagetypeinfo: 0400, as proc_create_seq() makes it"
is "$(sed -n 1,4p "$P/pagetypeinfo")" "Page block order: 9
Pages per block:  512

Free pages count per migrate type at order       0      1      2      3      4      5      6      7      8      9     10 " \
	"its header, pageblock_order 9, NR_PAGE_ORDERS 11"
grep -qx 'Number of blocks type     Unmovable      Movable  Reclaimable   HighAtomic      Isolate ' "$P/pagetypeinfo"
tap_ok $? "the block counts' header: 6.12's five migratetypes, Isolate last"

# free_area[order].nr_free (buddyinfo) is the sum of that order's free lists
sums() {
	awk '$1 == "Node" && $5 == "type" { z = $4; sub(/,/, "", z); for (o = 0; o < 11; o++) s[z, o] += $(7 + o); zs[z] = 1 }
		END { for (z in zs) { printf "%s", z; for (o = 0; o < 11; o++) printf " %d", s[z, o]; print "" } }' \
		"$P/pagetypeinfo" | sort
}
buddy() { awk '{ printf "%s", $4; for (o = 5; o <= 15; o++) printf " %d", $o; print "" }' "$P/buddyinfo" | sort; }
is "$(sums)" "$(buddy)" "each zone's free lists add up to its buddyinfo, order by order"

# vm.min_free_kbytes: pages_min's quarter spread over the lowmem zones by managed pages
mfk=$(cat "$P/sys/vm/min_free_kbytes")
mins=$(awk '$1 == "Node" { z = $4 } $1 == "min" && z != "Movable" { s += $2 } END { printf "%.0f\n", s }' "$P/zoneinfo")
nz=$(grep -c '^Node' "$P/buddyinfo")
[ "$mins" -le $((mfk / 4)) ] && [ "$mins" -ge $((mfk / 4 - nz)) ]
tap_ok $? "min_free_kbytes $mfk: the zones' min watermarks sum to its quarter ($mins pages)"
# 0644 as 6.12's (tests/fusefs/410): a write moves the watermarks, and the boot's value back
is "$(python3 "$HOTMEM_SRC/tests/fusefs/sysw.py" w "$P/sys/vm/min_free_kbytes" $((mfk + 1024)))" \
	"ret=${#mfk}" "... writable (0644): $((mfk + 1024)) taken"
mins2=$(awk '$1 == "Node" { z = $4 } $1 == "min" && z != "Movable" { s += $2 } END { printf "%.0f\n", s }' "$P/zoneinfo")
[ "$mins2" -le $(((mfk + 1024) / 4)) ] && [ "$mins2" -ge $(((mfk + 1024) / 4 - nz)) ]
tap_ok $? "... the zones' min watermarks follow at once ($mins2 pages)"
python3 "$HOTMEM_SRC/tests/fusefs/sysw.py" w "$P/sys/vm/min_free_kbytes" "$mfk" >/dev/null
is "$(cat "$P/sys/vm/min_free_kbytes")" "$mfk" "... and the boot's $mfk again"

# served now (tests/fusefs/418, 419 say more): pfn 0 reserved, mapped by nobody
is "$(kpage entry "$P" 0)" "0x100000000 0" \
	"kpageflags, kpagecount: pfn 0's entries, KPF_RESERVED and no mapping"
is "$(kpage pread "$P/kpagecount" 8 4)" EINVAL \
	"... an offset not a multiple of 8 is EINVAL, as fs/proc/page.c's"

blocks() { awk -v z="$1" '$1 == "Node" && $4 == z && NF == 9 { print $5, $6, $7, $8, $9 }' "$P/pagetypeinfo"; }
pinned_dimm
is "$(blocks Movable)" "0 256 0 0 0" "memory32-35 online_movable: 256 Movable pageblocks"
timeout 60 "$HMCTL" -s "$CTL" -t 30 offline 33 >/dev/null 2>&1 &
looping=$!
for _ in $(seq 300); do [ "$(cat "$M/memory33/state")" = going-offline ] && break; sleep 0.1; done
is "$(cat "$M/memory33/state")" going-offline "memory33's offline loops on its pinned pages"
is "$(blocks Movable)" "0 192 0 0 64" "... its 64 pageblocks are Isolate meanwhile"
isofree=$(awk '$4 == "Movable," && $6 == "Isolate" { for (o = 7; o <= 17; o++) s += $o } END { printf "%.0f\n", s }' "$P/pagetypeinfo")
[ "$isofree" -gt 0 ]
tap_ok $? "... and its free pages are on the Isolate free lists ($isofree blocks)"
kill "$looping" 2>/dev/null
wait_exit "$looping" 60
for _ in $(seq 300); do [ "$(cat "$M/memory33/state")" = online ] && break; sleep 0.1; done
is "$(blocks Movable)" "0 256 0 0 0" "the offline given up: Movable again"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
