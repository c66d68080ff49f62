#!/bin/bash
# A kill -9 before a queued qom-set's take is journaled: the restart
# restores the queue (its "qemu-requested" record) and the timers' thread
# takes it after the mount, so that right after mount_fs the device is
# plugged as before the take -- the window tests/fusefs/335 waits out
# since df04cc2e (its vmem_plugged_wait after the restart: a kill -9
# between the take's publish of plugged-size and its record left 335
# reading 256M there; a millisecond window 335 cannot force).  Forced
# here: thread_hold.so holds the timers' thread, taking the queue, at
# change_lock behind the guest's looping offline (tests/reliability/
# state-qom-set-made-undo-queue.t's setup), hotmemfs is killed while it
# is held (no take, no record of one), and restarted with the hold still
# there: the timers' thread waits at its first lock.  A "#" line reads
# the plugged size with no wait, as 335 did before df04cc2e: 256M today,
# not the acknowledged 512M -- what 335 read whenever its kill landed in
# the window, held open here; said, not checked (reread34 R5: a restore
# taking the queue before the mount answers would be as right).  Checks
# 12-13, the hold let go and the take waited for: 512M.  (Once the hold
# is gone the take is quick: 13 with no wait passed 3 runs of 3, the
# timing again, so the wait stays.)
. "$(dirname "$0")/lib.sh"
require_env
want_wrapping_shim thread_hold
need_tool addr2line binutils
export HOTMEM_TEST_THREAD_HOLD=$TMP/hold HOTMEM_TEST_THREAD_HOLD_CONTENDED=1
M256=268435456 M512=536870912

LD_PRELOAD="$(preloads "$TMP/thread_hold.so")" vmem_offline_loops "(a state file, thread_hold.so)" --fresh
: >"$TMP/hold"
in_background qs qmp_qom_set vm0 $M512
answered_within qs 30 && [ "$(cat "$TMP/qs.out")" = '{"return":{}}' ] && looping
tap_ok $? "qom-set vm0 requested-size 512M answers {} while the offline loops: queued"
file_wait "$TMP/hold.held" && held_in vmem_resize_queued lock_change_wait
tap_ok $? "... the timers' thread, taking it, is held at change_lock (thread_hold.so)"
tr '\0' '\n' <"$STATE.journal" | grep -q '"qemu-requested":{"id":"vm0","requested-size":536870912}'
tap_ok $? "... its qemu-requested record is in the journal"
ctl free-all >/dev/null
wait "$OFF"
tap_ok $? "the pins freed: the guest's offline of memory33 ends"
is "$(vmem_requested vm0) $(vmem_plugged vm0)" "$M512 $M256" "the take held: 512M requested, 256M plugged"
kill9_fs
# not CONTENDED now: the timers' thread is held at its first lock, before any take
unset HOTMEM_TEST_THREAD_HOLD_CONTENDED
rm -f "$TMP/hold.held" "$TMP/hold.where"
LD_PRELOAD="$(preloads "$TMP/thread_hold.so")" mount_fs "kill -9 with the take held, restart from the state file (the hold still there)"
file_wait "$TMP/hold.held"
tap_ok $? "... the timers' thread is held"
# the window, said and not checked (reread34 R5): 256M plugged is what
# the restore does today (the queue taken after the mount), not the
# only right answer -- a restore that took the queue before the mount
# answered would say 512M here, as acknowledged, and be no less right
diag "right after the restart, no wait: $(vmem_requested vm0) requested, $(vmem_plugged vm0) plugged" \
	"($M256 while the queue restored waits for the held timers' thread)"
rm -f "$TMP/hold"
vmem_plugged_wait vm0 $M512
tap_ok $? "the hold let go: the timers' thread takes the restored queue ($(vmem_plugged vm0) plugged)"
is "$(vmem_requested vm0) $(vmem_plugged vm0)" "$M512 $M512" "vm0 as acknowledged: 512M requested and plugged"
ctl check >/dev/null
tap_ok $? "invariants hold"
done_testing
