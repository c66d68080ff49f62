#!/bin/bash
# Without a state file, an nr_overcommit_hugepages write (sysfs and vm.)
# and a notifier-error-inject error write answer while a guest's offline
# loops on pinned pages (6.12's offline_pages() until a signal): the
# kernel's take no lock the offline holds (hugetlb_overcommit_handler()
# and nr_overcommit_hugepages_store(): hugetlb_lock around one
# assignment; lib/notifier-error-inject.c: a debugfs errno value, no
# lock), and the engine keeps both as atomics.  They waited for
# change_lock, which the offline holds, for as long as it looped
# (abuse24 A3).  With a state file they answer at once too, journaled
# under journal_lock alone (tests/fusefs/310).  Each answer is checked
# to come while the offline still loops, not by a time (one not answered
# within 30 s fails), and the value read back at once.  Without
# machine.c's lock_free_value() checks 5 and 7-11 fail (checked).
. "$(dirname "$0")/lib.sh"
require_env
need_tool python3 python3
INJ=$MNT/sys/kernel/debug/notifier-error-inject/memory/actions/MEM_GOING_ONLINE/error

vmem_offline_loops "(no state file)"
in_background oc w "$HP/nr_overcommit_hugepages" 3
answered_within oc 30
tap_ok $? "nr_overcommit_hugepages 3 answers ($(cat "$TMP/oc.out"))"
looping
tap_ok $? "... while the offline still loops"
is "$(cat "$HP/nr_overcommit_hugepages") $(cat "$MNT/proc/sys/vm/nr_overcommit_hugepages")" "3 3" \
	"... and reads back 3 at once, sysfs and vm."
in_background vmoc w "$MNT/proc/sys/vm/nr_overcommit_hugepages" 5
answered_within vmoc 30 && looping
tap_ok $? "vm.nr_overcommit_hugepages 5 answers while the offline loops"
is "$(cat "$HP/nr_overcommit_hugepages")" 5 "... sysfs reads 5"
in_background inj w "$INJ" -12
answered_within inj 30 && looping
tap_ok $? "MEM_GOING_ONLINE error -12 answers while the offline loops"
is "$(cat "$INJ")" -12 "... and reads back -12"

ctl free-all >/dev/null
wait "$OFF"
tap_ok $? "the pins freed: the guest's offline of memory33 ends well"
is "$(cat "$MNT/sys/devices/system/memory/memory33/state")" offline "memory33 offline"
is "$(cat "$HP/nr_overcommit_hugepages") $(cat "$INJ")" "5 -12" "the values stand after it"
echo online_movable >"$MNT/sys/devices/system/memory/memory33/state" 2>/dev/null
nok_online=$?
is "$nok_online" 1 "the injected MEM_GOING_ONLINE error refuses memory33's online"
echo 0 >"$INJ"
echo online_movable >"$MNT/sys/devices/system/memory/memory33/state"
tap_ok $? "... cleared, memory33 onlines"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
