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
# checks 3-6 fail)
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
n=0 refused=0 kept=0 bad=
while [ "$n" -lt 200 ]; do
	n=$((n + 1))
	before=$(view)
	val="256 $((200 + n % 2)) 32 0 0"
	echo "malloc $n 56" >"$TMP/malloc"
	out=$(w "$V/lowmem_reserve_ratio" "$val")
	if [ -e "$TMP/malloc" ]; then # past the write's last: the shim's file untaken
		rm -f "$TMP/malloc"
		break
	fi
	if [ "$out" = ENOMEM ]; then
		[ "$(view)" = "$before" ] || bad+=" $n:changed"
		refused=$((refused + 1))
	elif [ "$out" = ret=${#val} ]; then
		journal_text | tail -n 1 | grep -q null && bad+=" $n:null"
		[ "$(cat "$V/lowmem_reserve_ratio" | tr -s '\t ' ' ')" = "$val" ] || bad+=" $n:value"
		kept=$((kept + 1))
	else
		bad+=" $n:$out"
	fi
done
[ "$n" -gt 30 ] && [ "$n" -lt 200 ]
tap_ok $? "the write's 56-byte allocations failed in turn: $((n - 1)) of them ($refused refused, $kept done without)"
[ "$refused" -ge 32 ]
tap_ok $? "... at least its 32 elements' (5 ratios, 25 reserves, 2 totals) refuse it"
is "${bad:- none}" " none" "... each refused with ENOMEM, nothing changed, or done whole (no null)"
w "$V/lowmem_reserve_ratio" "256 256 32 0 0" >/dev/null
expect=$(snapshot)
kill9_fs
mount_fs "kill -9, restart from the state file" "${MACHINE[@]}"
same_text "$(snapshot)" "$expect" "... the same machine"
done_testing
