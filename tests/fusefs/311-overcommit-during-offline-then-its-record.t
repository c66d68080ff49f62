#!/bin/bash
# An nr_overcommit_hugepages value and an injected error journaled while a
# guest's offline loops (tests/fusefs/310: "param" records under
# journal_lock alone), then the offline's own record as it ends (its block
# offline, appended under change_lock after theirs): a kill -9 after both
# restarts with each as acknowledged -- the offline's record, prepared
# before the values moved, neither takes them back nor is dropped.  Its
# undo's compare leaves out what it did not change (state.c params_same():
# no lock-free parameter), so hotmemfs is not frozen by a value moved
# beside it.  Without machine.c's lock_free_value() path for a state file
# checks 5 and 6 fail (the writes wait for the offline, checked); the
# ordering it shows cannot fail on demand (the race of a "set" read
# before a "param" record and written after it is a window of
# microseconds; state.c side_gen()).
. "$(dirname "$0")/lib.sh"
require_env
need_tool python3 python3
INJ=$MNT/sys/kernel/debug/notifier-error-inject/memory/actions/MEM_GOING_OFFLINE/error

vmem_offline_loops "(a state file)" --fresh
in_background oc w "$HP/nr_overcommit_hugepages" 7
answered_within oc 30 && looping
tap_ok $? "nr_overcommit_hugepages 7 answers while the offline loops"
in_background inj w "$INJ" -5
answered_within inj 30 && looping
tap_ok $? "MEM_GOING_OFFLINE error -5 answers while the offline loops"
ctl free-all >/dev/null
wait "$OFF"
tap_ok $? "the pins freed: the guest's offline of memory33 ends well (MEM_GOING_OFFLINE's error set after it began)"
is "$(cat "$MNT/sys/devices/system/memory/memory33/state")" offline "memory33 offline"
grep -q "takes no more changes" "$TMP/hotmemfs.log"
tap_ok $((! $?)) "hotmemfs is not frozen"
kill9_fs
mount_fs "kill -9 after the offline's record, restart from the state file"
is "$(cat "$HP/nr_overcommit_hugepages") $(cat "$INJ")" "7 -5" "the values journaled during the offline are back"
is "$(cat "$MNT/sys/devices/system/memory/memory33/state")" offline "memory33 offline, as its record says"
echo offline >"$MNT/sys/devices/system/memory/memory32/state" 2>/dev/null
is $? 1 "the injected MEM_GOING_OFFLINE error refuses memory32's offline after the restart"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
