#!/bin/bash
# One lowmem_reserve_ratio write, one "param" record of the ratios in
# the journal -- also when its record is made again because
# totalreserve_pages moved between the record's reading and the write's
# setup (state.c hmfs_state_set_param(): reserves_as_recorded() false,
# the line freed unwritten, made again; review43's 58c1c74a).  rfix43 saw
# two alike records after one write "to its own value, with a boost
# standing": those were two operations, a read and a write.  6.12's
# proc_sys_call_handler() runs lowmem_reserve_ratio_sysctl_handler() at
# every read(), which runs setup_per_zone_lowmem_reserve() (the boost
# goes into totalreserve_pages), and hotmemfs records that read's setup
# when it moves something (attrs.c hmfs_show_handler()); the write then
# records its own setup, the same reserves and totals (checks 3 and 7
# here, the read's record and the write's).  Checks 3, 4, 7 and 9 count
# each operation's records.  No fix came of it: with the remake changed to
# append its first line before making it again, check 7 fails ("2" for
# "1"); with hmfs_show_handler()'s stale test dropped, checks 3 and 4 ("2":
# one record for each of cat's two read()s, the data and the end).
. "$(dirname "$0")/lib.sh"
require_env
# qemu-512m as it was before builtin44 (its brk inside boot_reserved's
# 4396K): the layout where the allocations below reach a boost kswapd
# gives up on; with the brk after bss (today's built-in) kswapd never
# gives DMA32 up within their 20 steps (builtin44's report)
printf 'profile = qemu-512m\nbrk = 0\nboot_reserved = 4396K\n' >"$TMP/boost.profile"
need_tool python3 python3
want_wrapping_shim sync_shim
export HOTMEM_TEST_JOURNAL_WRITE_HOLD=$TMP/hold
V=$MNT/proc/sys/vm
OC=$MNT/sys/kernel/mm/hugepages/hugepages-2048kB/nr_overcommit_hugepages
MACHINE=(--profile "$TMP/boost.profile" --cmdline hotmem.kernel_alloc=off)

# ratio_records: the journal's "param" records of the ratios, one line each
ratio_records() {
	journal_text | python3 -c '
import json, sys
for l in sys.stdin.read().splitlines():
    r = json.loads(l.split(" ", 1)[1])
    p = r.get("param")
    if isinstance(p, dict) and "lowmem-reserve-ratio" in p:
        print(r["seq"], p["totalreserve-pages"][0])'
}
# added CMD...: how many such records CMD adds
added() {
	local before
	before=$(ratio_records | wc -l)
	"$@" >/dev/null
	echo $(($(ratio_records | wc -l) - before))
}

LD_PRELOAD="$(preloads "$TMP/sync_shim.so")" mount_fs "hotmemfs mounts qemu-512m (sync_shim.so)" "${MACHINE[@]}" --fresh
given_up_no_boost
is "$(added cat "$V/lowmem_reserve_ratio")" 1 "a read of lowmem_reserve_ratio: its setup moved something, one record"
ratio=$(tr -s '\t ' ' ' <"$V/lowmem_reserve_ratio")
is "$(added cat "$V/lowmem_reserve_ratio")" 0 "... and a read after it, nothing moved, none"
# the write's record made again: totalreserve_pages moves before its setup (as
# tests/reliability/state-review-ratio-total.t)
: >"$TMP/hold"
before=$(ratio_records | wc -l)
in_background oc w "$OC" 3
file_wait "$TMP/hold.held"
in_background ratio w "$V/lowmem_reserve_ratio" "$ratio"
sleep 0.5
for _ in $(seq 1 20); do
	for t in unmovable movable; do
		ctl alloc $t 64 node=0 >/dev/null 2>&1
		[ "$(zi DMA32 boost)" != 0 ] && break 2
	done
done
boost=$(zi DMA32 boost)
[ "$boost" -gt 0 ]
tap_ok $? "meanwhile the boost stands (DMA32 $boost): the ratio write's record, made before, is stale"
rm -f "$TMP/hold"
answered_within oc 30 && answered_within ratio 30 && [ "$(cat "$TMP/ratio.out")" = "ret=${#ratio}" ]
tap_ok $? "the hold let go: both writes answered ($(cat "$TMP/oc.out") $(cat "$TMP/ratio.out"))"
is "$(($(ratio_records | wc -l) - before))" 1 "the ratio write, its record made again: one record"
total=$(ratio_records | tail -n 1 | cut -d' ' -f2)
is "$total" "$(reserve_now)" "... the one made again (totalreserve_pages $total, the boost in it)"
is "$(added w "$V/lowmem_reserve_ratio" "$ratio")" 1 "lowmem_reserve_ratio <- itself, a boost standing: one record"
ctl check >/dev/null
tap_ok $? "invariants hold"
done_testing
