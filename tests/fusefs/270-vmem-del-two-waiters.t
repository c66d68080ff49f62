#!/bin/bash
# reread23a R2 (sev 4): two `hotmemctl device_del` (wait) of one virtio-mem
# device behind a guest's looping offline both hold its device_del request
# (dev.c hmfs_dev_del_take_over()); the first one's end put it back to none
# while the second still waited, so a QMP device_del then queued a removal
# again, which the timers' thread could run first: the second waiter
# answered "not found" (reread22 R6 again).  The request now counts its
# waiters and ends with the last.  The order is certain, no hold needed:
# the first waiter (W2 below) is past the early check, waiting for
# change_lock, when a queued qom-set makes the host's requested-size 128M;
# the second (W1) then takes the request and is refused by the early check
# (machine.c hmfs_dev_del_refused(), before change_lock) at once.  No state
# file: with one a qom-set waits for change_lock instead of being queued.
# With hmfs_dev_del_wait_end() ending the request at the first end, check 10
# fails (the request "none" while W2 waits).  The symptom itself (the
# timers' thread's removal first) is the mutex's choice: not tested.
. "$(dirname "$0")/lib.sh"
require_env
mount_fs "hotmemfs mounts, no state file" --fresh --state none
vmem_del_offline_loops
"$HMCTL" -s "$CTL" device_del vm1 >"$TMP/w2.out" 2>&1 &
W2=$!
dev_del_pending_wait vm1 "waited 1"
tap_ok $? "hotmemctl device_del vm1 (wait) holds vm1's request, waiting behind the offline ($(dev_del_pending vm1))"
ctl set-size vm1 128M >/dev/null
tap_ok $? "qom-set vm1 requested-size 128M answers at once, queued behind the offline"
ctl device_del vm1 >"$TMP/w1.out" 2>&1
is $? 1 "a second hotmemctl device_del vm1 (wait) is refused at once: $(cat "$TMP/w1.out")"
grep -q "requested-size" "$TMP/w1.out"
tap_ok $? "... by QEMU's check: the host's requested-size is 128M"
is "$(dev_del_pending vm1)" "waited 1" "vm1's request is still the first waiter's"
ctl free-all >/dev/null
wait "$OFF"
tap_ok $? "the pins freed: the guest's offline of memory33 ends"
wait "$W2"
is $? 1 "the first waiter's removal is refused too: $(tr '\n' ' ' <"$TMP/w2.out")"
is "$(dev_del_pending vm1)" "none" "... then vm1 holds no request"
dev_listed vm1
tap_ok $? "vm1 stays"
kill "$EV"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
