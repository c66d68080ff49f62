#!/bin/bash
# A device_add's records ("set": the machine's keys that changed, and
# its "device" part) hold its devices, their block runs, the pool's
# round robin and the memmaps: built by fusefs/json.c and state.c.
# alloc_shim.so fails the add's Nth malloc() of 56 bytes (json-c 0.16's
# int objects, short strings), N = 1, 2, ... until one is past the
# add's last (~200): each refuses the add (no d1, the journal as it
# was) or lets it succeed with records that have no null anywhere
# (state-rfix-save-enomem.t checks "params" alone).  rfix43 saw nulls
# in "devices", "blocks" and "memmap" at N = 173-188; json43's acc94ff9
# checked the devices' and runs'.  The memmap entries' numbers (state.c
# memmap_entry_add()) went in unchecked: without that fix (nomem44),
# check 3 fails: N = 197-198 acknowledged with "memmap": [[null, pfn]]
# and [[section, null]].
. "$(dirname "$0")/lib.sh"
nomem_setup

# the journal's records after line $1 with a null anywhere: their seqs, where
nulls_after() {
	after_records "$1" '
print(" ".join("%d:%s" % (r["seq"], ",".join(where(r, "")[:3])) for r in rs if where(r, "")))'
}

nomem_mount
devadd_sweep 56 nulls_after
[ "$total" -gt 100 ]
tap_ok $? "the add's 56-byte allocations failed in turn: $total of them, $refused refused it"
is "${bad:- none}" " none" "... each refused it, nothing changed, or it was done and saved with no null in its records"
kill9_remount_same
done_testing
