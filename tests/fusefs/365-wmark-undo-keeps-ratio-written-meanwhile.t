#!/bin/bash
# A failed vm.min_free_kbytes write is undone from the engine's exact
# snapshot taken before it (state.c wmark_back()), and only the part its
# write sets: the marks, not the reserves (bb15f10d).  vm.lowmem_reserve_ratio
# is written lock-free (6.12's handler takes no lock; reread31 R2), so
# one can land between the min_free_kbytes write's snapshot and its
# record, on a record of its own, acknowledged; the whole snapshot stored
# back took that write back -- the ratios and every zone's protection --
# though its writer was told it was done.  Forced: thread_hold.so holds
# the min_free_kbytes writer by the name it has while it sets the marks
# (machine.c apply_vm_wmark(): "hotmemfs-wmark", after the snapshot),
# the ratios are written meanwhile, then the min_free_kbytes record's
# journal write fails (sync_shim.so) and its write is undone.  Without
# bb15f10d checks 8 and 9 fail (the ratios and protections of before;
# the restart replays the acknowledged ratios).
. "$(dirname "$0")/lib.sh"
require_env
want_wrapping_shim sync_shim
want_wrapping_shim thread_hold
need_tool addr2line binutils
export HOTMEM_TEST_JOURNAL_WRITE_FAIL=$TMP/wfail HOTMEM_TEST_THREAD_HOLD=$TMP/hold \
	HOTMEM_TEST_THREAD_HOLD_NAME=hotmemfs-wmark
V=$MNT/proc/sys/vm
# every zone's watermarks and protections, as /proc/zoneinfo has them
marks() { grep -E '^Node|^        (min|low|high) ' "$MNT/proc/zoneinfo"; }
protection() { grep -E '^Node|^        protection' "$MNT/proc/zoneinfo"; }

LD_PRELOAD="$(preloads "$TMP/sync_shim.so" "$TMP/thread_hold.so")" \
	mount_fs "hotmemfs mounts (a state file, sync_shim.so, thread_hold.so)" --fresh
mf=$(cat "$V/min_free_kbytes") ratio0=$(cat "$V/lowmem_reserve_ratio")
marks0=$(marks) prot0=$(protection)
: >"$TMP/hold"
in_background mf w "$V/min_free_kbytes" $((mf * 2))
file_wait "$TMP/hold.held" && held_in apply_vm_wmark
tap_ok $? "min_free_kbytes <- $((mf * 2)): its writer held setting the marks, after its undo's snapshot"
in_background ratio w "$V/lowmem_reserve_ratio" "100 100 8 0 0"
answered_within ratio 30 && [ "$(cat "$TMP/ratio.out")" = ret=13 ]
tap_ok $? "lowmem_reserve_ratio <- '100 100 8 0 0' meanwhile (lock-free): done, acknowledged ($(cat "$TMP/ratio.out"))"
ratio1=$(cat "$V/lowmem_reserve_ratio") prot1=$(protection)
[ "$ratio1" != "$ratio0" ] && [ "$prot1" != "$prot0" ]
tap_ok $? "... the ratios ($ratio1) and the zones' protections moved"
: >"$TMP/wfail"
rm -f "$TMP/hold"
answered_within mf 30 && [ "$(cat "$TMP/mf.out")" = EIO ]
tap_ok $? "the hold let go, the min_free_kbytes record's journal write fails: EIO ($(cat "$TMP/mf.out"))"
rm -f "$TMP/wfail"
is "$(cat "$V/min_free_kbytes")" "$mf" "... min_free_kbytes $mf again"
is "$(marks)" "$marks0" "... every zone's watermarks as before it"
is "$(cat "$V/lowmem_reserve_ratio")" "$ratio1" "... the ratios the acknowledged write set stay"
is "$(protection)" "$prot1" "... and the zones' protections they gave"
kill9_fs
mount_fs "kill -9, restart from the state file"
is "$(cat "$V/min_free_kbytes") $(cat "$V/lowmem_reserve_ratio")" "$mf $ratio1" \
	"min_free_kbytes and the ratios as acknowledged"
ctl check >/dev/null
tap_ok $? "invariants hold"
done_testing
