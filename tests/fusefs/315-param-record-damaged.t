#!/bin/bash
# A lock-free value's "param" record (tests/fusefs/310: journaled under
# journal_lock alone) is trusted as every journal record is
# (tests/reliability/state-journal-damaged.t): cut short by a crash as the
# last record (no newline), it was never acknowledged and is dropped with
# a line, the value as before it; whole and checksummed but not one this
# hotmemfs writes (a key of "params" that is no lock-free parameter, a
# value that is no integer), it was acknowledged: the start is refused
# (EX_CONFIG, 78) as for any damaged record, naming it.
# With state.c replay_param() taking any key and value the two refusals
# fail (checks 9 and 10: it mounted); without "param" among the record
# kinds (record_changes()) the good record is refused too (checks 4 and
# 5); both checked.
. "$(dirname "$0")/lib.sh"
require_env
mount_fs "hotmemfs mounts (a state file)" --fresh
echo 2 >"$HP/nr_overcommit_hugepages" && echo 6 >"$HP/nr_overcommit_hugepages"
tap_ok $? "nr_overcommit_hugepages 2, then 6"
kill9_fs
journal_last_kept '"param":{"hugetlb-overcommit":6}' "the record of 6 is the journal's last"

journal_put_back
mount_fs "the journal as the kill left it: hotmemfs starts"
is "$(cat "$HP/nr_overcommit_hugepages")" 6 "nr_overcommit_hugepages 6 (the good record)"
stop_fs

journal_put_back
last_record 'line[:len(line) // 2]'
mount_fs "the param record cut short (no newline): hotmemfs starts"
is "$(cat "$HP/nr_overcommit_hugepages")" 2 "nr_overcommit_hugepages 2: the record was never acknowledged"
grep -q "was cut short by a crash (never acknowledged): dropped" "$TMP/hotmemfs.log"
tap_ok $? "... the log says the record was dropped"
stop_fs

last_record_refused "a whole, checksummed param record of auto-movable-ratio" \
	'"hugetlb-overcommit":6' '"auto-movable-ratio":6'
last_record_refused "... of a string" '"hugetlb-overcommit":6' '"hugetlb-overcommit":"6"'
done_testing
