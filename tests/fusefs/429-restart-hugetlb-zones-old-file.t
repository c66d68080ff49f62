#!/bin/bash
# A state file of 2026-12-04, before "pfns" (vmremap43): its "hugetlb"
# entries say how many huge pages each zone held ("zones", restore42)
# and still restore by them.  A virtio-mem shrink's offline replaced
# free huge pages in its range with pages from DMA32, where a growth of
# now puts them in Normal first.  The file is one saved now, its
# "pfns" and "heads" taken out and "zones" put in (counted from the
# pfns), as tests/reliability/state-* edit theirs.  The restored pool's
# pfns, which the restart's save writes, are in those zones -- also
# zones other than a growth's (8 pages moved from Normal to DMA32 in the
# file); the same file without "zones" restores them where the growth
# puts them (check 12: check 10 can fail).  (claim44; a test, no fix.)
. "$(dirname "$0")/lib.sh"
require_env
need_tool python3 python3
V=$MNT/proc/sys/vm
MACHINE=(--profile qemu-512m)
# zones_of: the file's pool pages per zone "DMA DMA32 Normal Movable
# Device" from its "pfns" runs ([first, count], 512 apart; x86_64's
# zones by pfn: DMA below 4096, DMA32 below 4 GiB, Normal above: no
# ZONE_MOVABLE on this machine)
zones_of() {
	python3 - "$STATE" <<'PY'
import json, sys
z = [0] * 5
for e in json.load(open(sys.argv[1]))["machine"]["hugetlb"]:
    for first, count in e.get("pfns", []):
        for k in range(count):
            p = first + 512 * k
            z[0 if p < 4096 else 1 if p < 1 << 20 else 2] += 1
print(" ".join(map(str, z)))
PY
}
# old_file [ZONES]: $STATE the saved file as a build of before wrote it:
# its pool without "pfns" and "heads", with "zones" ZONES if given
old_file() {
	cp "$TMP/saved.state" "$STATE"
	state_machine_edit "
for e in m['hugetlb']:
    e.pop('pfns', None)
    e.pop('heads', None)
    if '${1-}':
        e['zones'] = [int(n) for n in '${1-}'.split()]
"
}
journal_empty() { [ ! -s "$STATE.journal" ] || ! tr -d '\0' <"$STATE.journal" | grep -q .; }

mount_fs "hotmemfs mounts qemu-512m" "${MACHINE[@]}" --fresh
hvo_pool_over_shrunk_vm0 "nr_hugepages <- 50 (HVO on): all of them in Normal" \
	"vm0 shrinks to 100M: the pool keeps its 50, some now in DMA32"
stop_fs
journal_empty
tap_ok $? "stopped: the state file holds every change (no journal to replay over the edit)"
zones=$(zones_of)
[[ $zones =~ ^0\ [1-9][0-9]*\ [1-9] ]]
tap_ok $? "the saved pool has pages in DMA32 and Normal: $zones"
cp "$STATE" "$TMP/saved.state"
old_file "$zones"
mount_fs "a state file with \"zones\" and no \"pfns\" (2026-12-04's) restores" "${MACHINE[@]}"
is "$(cat "$V/nr_hugepages")" 50 "the pool's 50 back"
stop_fs
is "$(zones_of)" "$zones" "the restored pool's pages in the zones the file says"
# zones other than the growth's: 8 more in DMA32, 8 fewer in Normal
set -- $zones
moved="$1 $(($2 + 8)) $(($3 - 8)) $4 $5"
old_file "$moved"
mount_fs "the file saying $moved instead restores" "${MACHINE[@]}"
stop_fs
is "$(zones_of)" "$moved" "... its pool in those zones, not where a growth puts it"
# the same file with neither: the growth's zones
old_file
mount_fs "the same file without \"zones\" restores" "${MACHINE[@]}"
stop_fs
got=$(zones_of)
[ "$got" != "$moved" ]
tap_ok $? "... its pool where a growth puts it: $got, not $moved (check 10 can fail)"
done_testing
