#!/bin/bash
# A lock-free value's "param" record (tests/fusefs/310) appended while a
# whole save of the state file (`hotmemctl save`: change_lock held, the
# machine read, the file written) is held in its fsync() (sync_shim.so):
# the write answers meanwhile (journal_lock alone), its record lands after
# the save's machine and seq, and the journal the save leaves carries it
# once (rotate_journal()): neither lost (the file without the value, the
# journal without its record) nor doubled.  A kill -9 then restarts with
# the value; a later save holds it in the file.  Without machine.c's
# lock_free_value() path for a state file checks 4 and 7 fail (the write
# waits for the save's change_lock, and is a "set", checked); the read of the machine racing
# the record itself (state.c take_snapshot()'s side_gen() loop) cannot
# fail on demand.
. "$(dirname "$0")/lib.sh"
require_env
need_tool python3 python3
want_wrapping_shim sync_shim
export HOTMEM_TEST_FSYNC_HOLD=$TMP/hold
records() { tr '\0' '\n' <"$STATE.journal" | grep -c "\"param\":{\"hugetlb-overcommit\":$1}"; }
file_value() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["machine"]["params"]["hugetlb-overcommit"])' "$STATE"; }

LD_PRELOAD="$(preloads "$TMP/sync_shim.so")" mount_fs "hotmemfs mounts (a state file, sync_shim.so)" --fresh
echo 2 >"$HP/nr_overcommit_hugepages"
tap_ok $? "nr_overcommit_hugepages 2"
: >"$TMP/hold"
in_background save ctl save
file_wait "$TMP/hold.held"
tap_ok $? "hotmemctl save is held in the state file's fsync()"
in_background oc w "$HP/nr_overcommit_hugepages" 6
answered_within oc 30 && [ -e "$TMP/hold.held" ]
tap_ok $? "nr_overcommit_hugepages 6 answers while the save is held"
rm -f "$TMP/hold"
answered_within save 30
tap_ok $? "the save ends"
is "$(file_value)" 2 "the saved file has the machine it read: 2"
is "$(records 6)" 1 "the journal it left carries the record of 6 once"
kill9_fs
mount_fs "kill -9, restart from the state file"
is "$(cat "$HP/nr_overcommit_hugepages")" 6 "the value is back: 6"
ctl save >/dev/null
tap_ok $? "hotmemctl save"
is "$(file_value) $(records 6)" "6 0" "the file holds it, the journal no more"
stop_fs
done_testing
