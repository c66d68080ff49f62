#!/bin/bash
# With a state file, an nr_overcommit_hugepages write (sysfs and vm.) and
# a notifier-error-inject error write answer while a guest's offline
# loops on pinned pages, as without one (tests/fusefs/286): the kernel's
# writers take none of the locks the offline holds (6.12
# hugetlb_overcommit_handler(), nr_overcommit_hugepages_store():
# hugetlb_lock around one assignment; lib/notifier-error-inject.c: a
# debugfs errno value, no lock).  They waited for change_lock, under which
# their record was journaled (9846c2ec); now each is journaled under
# journal_lock alone, a "param" record durable before the answer (state.c
# hmfs_state_set_param()), so that an acknowledged value survives kill -9
# of hotmemfs while the offline still loops: the restart shows it.
# Without machine.c's lock_free_value() path for a state file (the
# writes the change's way) checks 5-11, 13 and 18 fail (checked).
. "$(dirname "$0")/lib.sh"
require_env
need_tool python3 python3
INJ=$MNT/sys/kernel/debug/notifier-error-inject/memory/actions
# the "param" records (a "run-param" has a "param" of its own: not one)
params() { tr '\0' '\n' <"$STATE.journal" | grep -c '^[0-9a-f]* {"seq":[0-9]*,"param":{'; }
values() {
	echo "$(cat "$HP/nr_overcommit_hugepages") $(cat "$MNT/proc/sys/vm/nr_overcommit_hugepages")" \
		"$(cat "$INJ/MEM_GOING_ONLINE/error") $(cat "$INJ/MEM_GOING_OFFLINE/error")"
}

vmem_offline_loops "(a state file)" --fresh
in_background oc w "$HP/nr_overcommit_hugepages" 3
answered_within oc 30 && looping
tap_ok $? "nr_overcommit_hugepages 3 answers while the offline loops ($(cat "$TMP/oc.out"))"
is "$(cat "$HP/nr_overcommit_hugepages")" 3 "... and reads back 3 at once"
in_background vmoc w "$MNT/proc/sys/vm/nr_overcommit_hugepages" 5
answered_within vmoc 30 && looping
tap_ok $? "vm.nr_overcommit_hugepages 5 answers while the offline loops"
in_background inj w "$INJ/MEM_GOING_ONLINE/error" -12
answered_within inj 30 && looping
tap_ok $? "MEM_GOING_ONLINE error -12 answers while the offline loops"
in_background injoff w "$INJ/MEM_GOING_OFFLINE/error" -16
answered_within injoff 30 && looping
tap_ok $? "MEM_GOING_OFFLINE error -16 answers while the offline loops"
is "$(values)" "5 5 -12 -16" "each reads back at once"
is "$(params)" 4 "four \"param\" records in the journal"

kill9_fs
wait "$OFF" 2>/dev/null
mount_fs "kill -9 while the offline still looped, restart from the state file"
is "$(values)" "5 5 -12 -16" "the acknowledged values are back"
is "$(cat "$MNT/sys/devices/system/memory/memory33/state")" online \
	"memory33 online: its offline never ended"
ctl check >/dev/null
tap_ok $? "invariants hold"
echo 0 >"$INJ/MEM_GOING_OFFLINE/error" && echo 0 >"$INJ/MEM_GOING_ONLINE/error"
tap_ok $? "the injected errors cleared"
stop_fs
mount_fs "a clean stop, restart"
is "$(values)" "5 5 0 0" "the values as last set"
stop_fs
done_testing
