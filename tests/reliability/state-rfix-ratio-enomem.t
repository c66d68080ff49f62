#!/bin/bash
# A lowmem_reserve_ratio write's "param" record is built of json-c values
# (state.c ratio_json(), reserves_for_json(): zone_wmarks_json(),
# totalreserve_json()); each element is a json_object_new_*(), a 56-byte
# malloc() in json-c 0.16.  alloc_shim.so (built here) fails the write's
# Nth such malloc, N = 1, 2, ... until one is past the write's last:
# every failure either refuses the write with ENOMEM, the ratios, the
# zones' protection and the journal as they were, or (an allocation the
# write can do without) lets it succeed with a record whose every element
# is there.  The elements went in unchecked: a failed one was written as
# null.  A null reserve or total made reserves_as_recorded() make the
# record again, but a null ratio (N = 1-5) was acknowledged, and the
# restart after kill -9 refused the journal: "record 2 of 62 is a change
# that does not fit the machine before it" (review43 F9: without the fix
# checks 3, 4, 7 and 8 fail).  So were the record's
# keys: a key's copy not made, the record went without it, acknowledged
# (rfix43: without that fix checks 5-8 fail, the records without
# "lowmem-reserve" and without "lowmem-reserve-ratio", and the restart
# refuses the journal)
. "$(dirname "$0")/lib.sh"
require_env
need_tool python3 python3
require_preload_shim alloc_shim
export HOTMEM_TEST_ALLOC_FAIL=$TMP/malloc
V=$MNT/proc/sys/vm
MACHINE=(--profile qemu-512m --cmdline hotmem.kernel_alloc=off)

# the machine a ratio write may change: the ratios, the protection, the journal
view() { cat "$V/lowmem_reserve_ratio"; zi DMA32 protection; journal_text | md5sum; }

LD_PRELOAD=$TMP/alloc_shim.so mount_fs "hotmemfs mounts qemu-512m with a fresh state file (alloc_shim.so)" \
	"${MACHINE[@]}" --fresh
# sweep SIZE: the write's SIZE-byte mallocs failed in turn, N = 1, 2, ...
# (refused, kept, bad, last: the counts, the faults, the last N)
refused=0 kept=0 bad=
sweep() {
	local n=0 before val out
	while [ "$n" -lt 200 ]; do
		n=$((n + 1))
		before=$(view)
		val="256 $((200 + n % 2)) 32 0 0"
		echo "malloc $n $1" >"$TMP/malloc"
		out=$(w "$V/lowmem_reserve_ratio" "$val")
		if [ -e "$TMP/malloc" ]; then # past the write's last: the shim's file untaken
			rm -f "$TMP/malloc"
			break
		fi
		if [ "$out" = ENOMEM ]; then
			[ "$(view)" = "$before" ] || bad+=" $1/$n:changed"
			refused=$((refused + 1))
		elif [ "$out" = ret=${#val} ]; then
			journal_text | tail -n 1 | grep -q null && bad+=" $1/$n:null"
			journal_text | tail -n 1 | python3 -c '
import json, sys
r = json.loads(sys.stdin.read().split(" ", 1)[1])["param"]
sys.exit(sorted(r) != ["lowmem-reserve", "lowmem-reserve-ratio", "totalreserve-pages"])' ||
				bad+=" $1/$n:keys"
			[ "$(tr -s '\t ' ' ' <"$V/lowmem_reserve_ratio")" = "$val" ] || bad+=" $1/$n:value"
			kept=$((kept + 1))
		else
			bad+=" $1/$n:$out"
		fi
	done
	last=$((n - 1))
}
sweep 56
[ "$last" -gt 30 ] && [ "$last" -lt 199 ]
tap_ok $? "the write's 56-byte allocations failed in turn: $last of them ($refused refused, $kept done without)"
[ "$refused" -ge 32 ]
tap_ok $? "... at least its 32 elements' (5 ratios, 25 reserves, 2 totals) refuse it"
is "${bad:- none}" " none" "... each refused with ENOMEM, nothing changed, or done whole (no null)"
# the record's keys' copies (json-c strdup()s each key it adds):
# "lowmem-reserve" 15 bytes, "totalreserve-pages" 19, "lowmem-reserve-ratio" 21
refused=0 kept=0
for sz in 15 19 21; do
	sweep $sz
done
[ "$refused" -ge 3 ]
tap_ok $? "the write's 15-, 19- and 21-byte allocations failed in turn: $refused refused, $kept done without"
is "${bad:- none}" " none" "... each refused with ENOMEM, nothing changed, or done with its three keys"
w "$V/lowmem_reserve_ratio" "256 256 32 0 0" >/dev/null
expect=$(snapshot)
kill9_fs
mount_fs "kill -9, restart from the state file" "${MACHINE[@]}"
same_text "$(snapshot)" "$expect" "... the same machine"
done_testing
