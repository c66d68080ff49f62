#!/bin/bash
# After a one-block change ("run" records) the state file's machine kept
# in memory (ctx->saved) is stale in "blocks" and "iattrs", made again
# by the next change that needs it whole (state.c refresh_stale(), from
# hmfs_state_prepare()).  Its object and values went in unchecked: a
# change whose first 48-byte malloc() (json-c 0.16's object) failed
# aborted hotmemfs in json_object_object_add_ex()'s assertion (json43
# saw it with hard_offline_page).  alloc_shim.so fails the Nth 48-byte
# malloc of an online_policy write made after memory32 went online and
# offline again, N = 1, 2, ... until one is past the write's last
# (~122): the write is refused with nothing changed, or done and saved
# with no null in its record; hotmemfs alive.  Without the fix, checks 3
# and 4 fail: hotmemfs aborted at N = 1.
# N = 110-111 (it varies by one between runs): the record's "iattrs"
# (fusefs/iattr.c iattr_json_of(), entry_head()) aborted hotmemfs in
# json_object_array_sort() on its unmade array; without that fix, checks
# 4 and 6 fail there (nomem44).
. "$(dirname "$0")/lib.sh"
nomem_setup
P=$MNT/sys/module/memory_hotplug/parameters/online_policy

# the journal's records after line $1 with a null anywhere: "null(their seqs)"
nulls_after() {
	local s
	s=$(after_records "$1" 'print(" ".join(str(r["seq"]) for r in rs if null(r)))')
	[ -z "$s" ] || echo "null($s)"
}
# a one-block change: saved's "blocks" stale
toggle32() { { echo online_movable >"$M/memory32/state" && echo offline >"$M/memory32/state"; } 2>/dev/null; }

nomem_mount
ctl device_add pc-dimm id=d1 size=128M >/dev/null
tap_ok $? "a 128M DIMM d1: memory32, offline"
policy_sweep 48 nulls_after toggle32
[ "$total" -gt 100 ]
tap_ok $? "the write's 48-byte allocations failed in turn: $total of them, $refused refused it"
is "${bad:- none}" " none" "... each refused it, nothing changed, or it was done and saved with no null; hotmemfs alive"
kill9_remount_same
done_testing
