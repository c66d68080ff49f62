#!/bin/bash
# A change's "set" record (state.c append_set_once()) holds the keys of
# the machine whose text changed, copied from the machine read whole
# (state_machine_but()); json-c copies each key (strdup(): "params" is a
# 7-byte malloc(), as "blocks", "iattrs" and "memmap").  Both adds went
# in unchecked: a key json-c could not copy was left out of the machine
# (its value then null in the record) or out of the record (the write
# acknowledged, and lost at the restart), and its reference leaked.
# alloc_shim.so fails the Nth 7-byte malloc of an online_policy write,
# N = 1, 2, ... until one is past the write's last: the write is refused
# with nothing changed, or done and saved with a record whose "params"
# has the new online-policy and no null; hotmemfs alive; the restart
# gives the machine acknowledged.  Without the fix (nomem44), checks 3
# to 5 fail: N = 4-8 acknowledged with "params": null in the "set"
# (state_machine_but()'s key), N = 9 with no "params" (the record's
# key), and the restart refused the journal.
. "$(dirname "$0")/lib.sh"
nomem_setup
P=$MNT/sys/module/memory_hotplug/parameters/online_policy

# the records after line $1: nothing if their last "set" has "params"
# with online-policy $2 and no record has a null; else what is wrong
records_after() {
	after_records "$1" '
sets = [r["set"] for r in rs if "set" in r]
if any(null(r) for r in rs):
    print("null")
elif not sets or not isinstance(sets[-1].get("params"), dict):
    print("no-params")
elif sets[-1]["params"].get("online-policy") != sys.argv[1]:
    print("policy")
' "$2"
}

nomem_mount
policy_sweep 7 records_after
[ "$total" -gt 5 ]
tap_ok $? "the write's 7-byte allocations failed in turn: $total of them, $refused refused it"
is "${bad:- none}" " none" "... each refused it, nothing changed, or it was done and saved whole (\"params\", no null); hotmemfs alive"
kill9_remount_same
done_testing
