#!/bin/bash
# `hotmemctl -t 1 hugetlb 4` behind a guest's offline looping on pinned
# pages (6.12's offline_pages() until a signal, change_lock held): the
# command waited for change_lock with nothing to end its wait, so the
# client that gave up (-t) kept its control slot for as long as the
# offline looped, and the pool grew after all once the offline ended
# (abuse24 A3: "hotmemctl hugetlb 1 waits the same way (its -t ran
# out)").  6.12's set_max_huge_pages() takes none of the offline's locks;
# here the change is journaled under change_lock, so it waits, but the
# client's hang-up ends the wait (as `offline`'s, tests/fusefs/77):
# nothing done.  The slot is checked to be given back while the offline
# still loops (clients_settled: a bound for a failure, not a speed).  An
# acknowledged pool count after the offline survives kill -9.  Without
# the task in ctl.c's cmd_hugetlb() checks 6, 10 and 13 fail (checked:
# the pool grew by the given-up 4 after the offline, 6 then).
. "$(dirname "$0")/lib.sh"
require_env
need_tool python3 python3
HP=$MNT/sys/kernel/mm/hugepages/hugepages-2048kB

mount_fs "hotmemfs mounts, a state file" --fresh --cmdline hotmem.kernel_alloc=off
ctl device_add virtio-mem-pci id=vm0 size=1G requested-size=256M >/dev/null
tap_ok $? "a virtio-mem vm0, 256M plugged (memory32-33)"
memory33_offline_loops
base=$(clients)
timeout 60 "$HMCTL" -s "$CTL" -t 1 hugetlb 4 >/dev/null 2>"$TMP/hug.err"
rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ]
tap_ok $? "hotmemctl -t 1 hugetlb 4 gives up behind the looping offline (exit $rc: $(cat "$TMP/hug.err"))"
is "$(clients_settled "$base")" "$base" "... its control slot given back"
looping
tap_ok $? "... while the offline still loops"
is "$(cat "$HP/nr_hugepages")" 0 "... the pool as it was"

ctl free-all >/dev/null
wait "$OFF"
tap_ok $? "the pins freed: the guest's offline of memory33 ends well"
ctl hugetlb 2 >/dev/null
is "$(cat "$HP/nr_hugepages")" 2 "hotmemctl hugetlb 2 after it: the pool holds 2 (not 6: the given-up 4 never added)"
ctl check >/dev/null
tap_ok $? "invariants hold"
kill9_fs
mount_fs "kill -9, restart from the state file"
is "$(cat "$HP/nr_hugepages")" 2 "the acknowledged pool of 2 is back"
stop_fs
done_testing
