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

# the records after line $1: "ok" if their last "set" has "params" with
# online-policy $2 and no record has a null; else what is wrong
records_after() {
	journal_text | tail -n +"$(($1 + 1))" | python3 -c '
import json, sys
def null(v):
    if isinstance(v, dict):
        return any(null(x) for x in v.values())
    if isinstance(v, list):
        return any(null(x) for x in v)
    return v is None
rs = [json.loads(l.split(" ", 1)[1]) for l in sys.stdin]
sets = [r["set"] for r in rs if "set" in r]
if any(null(r) for r in rs):
    print("null")
elif not sets or not isinstance(sets[-1].get("params"), dict):
    print("no-params")
elif sets[-1]["params"].get("online-policy") != sys.argv[1]:
    print("policy")
else:
    print("ok")' "$2"
}

nomem_mount
total=0 refused=0 bad= n=0
while [ "$n" -lt 400 ]; do
	n=$((n + 1))
	lines=$(journal_text | wc -l)
	sum=$(journal_text | md5sum)
	old=$(cat "$P")
	new=auto-movable
	[ "$old" = auto-movable ] && new=contig-zones
	echo "malloc $n 7" >"$TMP/malloc"
	echo "$new" 2>/dev/null >"$P"
	rc=$?
	if [ -e "$TMP/malloc" ]; then # past the write's last: the shim's file untaken
		rm -f "$TMP/malloc"
		break
	fi
	if ! kill -0 "$FS_PID" 2>/dev/null; then
		bad+=" $n:dead"
		break
	fi
	total=$((total + 1))
	if [ "$rc" -ne 0 ]; then
		refused=$((refused + 1))
		[ "$(cat "$P")" = "$old" ] && [ "$(journal_text | md5sum)" = "$sum" ] || bad+=" $n:changed"
		continue
	fi
	[ "$(cat "$P")" = "$new" ] || bad+=" $n:lost"
	s=$(records_after "$lines" "$new")
	[ "$s" = ok ] || bad+=" $n:$s"
done
[ "$n" -lt 400 ] || bad+=" endless"
[ "$total" -gt 5 ]
tap_ok $? "the write's 7-byte allocations failed in turn: $total of them, $refused refused it"
is "${bad:- none}" " none" "... each refused it, nothing changed, or it was done and saved whole (\"params\", no null); hotmemfs alive"
kill9_remount_same
done_testing
