#!/bin/bash
# A device_add's "set" record holds the whole machine, its "params"
# rendered from C values (state.c params_render(): ~20 scalars, the
# buses' drivers_autoprobe, the zones' arrays).  alloc_shim.so (built
# here) fails the device_add's Nth malloc() of 56 bytes (json-c 0.16's
# int objects, short strings), N = 1, 2, ... until one is past the add's
# last (~200).  Each failure either refuses the add (no d1, the journal
# as it was) or lets it succeed with a record whose "params" has no
# null.  Its values went in unchecked: a failed one was written as null,
# a key the restore then took as damaged and derived again, or whose
# record it refused.  (review43 F9's kind, in the rest of "params"
# (rfix43): with object_add_new() reverted to the unchecked add, check 3
# fails: from N = 92 on, "params/auto-movable-ratio", ...,
# "params/watermarks" written as null, 2 adds refused for 83.)  Only "params" is
# checked: the record's "devices", "blocks", "hugetlb-next-nid" and
# "memmap" have nulls of their own at N = 173-188 (named in rfix43's
# report), and a 48-byte sweep aborts hotmemfs at its first (a
# json_object_new_object() outside "params" unchecked).
. "$(dirname "$0")/lib.sh"
nomem_setup

# the journal's records after line $1 with a null in a "set" record's "params": their seqs, where
nulls_after() {
	after_records "$1" '
sets = [r for r in rs if "params" in r.get("set", {})]
print(" ".join("%d:%s" % (r["seq"], ",".join(where(r["set"]["params"], "params")[:3]))
               for r in sets if where(r["set"]["params"], "params")))'
}

nomem_mount
devadd_sweep 56 nulls_after
[ "$total" -gt 100 ]
tap_ok $? "the add's 56-byte allocations failed in turn: $total of them, $refused refused it"
is "${bad:- none}" " none" "... each refused it, nothing changed, or it was done and saved with whole \"params\" (no null)"
kill9_remount_same
done_testing
