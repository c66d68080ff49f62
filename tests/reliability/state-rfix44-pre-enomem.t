#!/bin/bash
# The block runs of a change's @pre (state.c pre_value()) when json-c has
# no memory.  A one-block change's (an online) put its run in an array it
# did not check: with that array's 48-byte malloc() failed, json-c
# asserted on the NULL array and hotmemfs aborted (review44 F8).
# alloc_shim.so fails the online's Nth malloc() of 48 bytes (json-c 0.16's
# arrays and objects), N = 1, 2, ... until one is past the online's
# last: hotmemfs lives through each, the online refused or done.
# part_pre()'s own object, unchecked too, aborted it the same way first.
# Without the fix check 4 fails: gone at N = 3 (part_pre()); with
# part_pre() fixed alone, at N = 6 (the one-block run's array).
. "$(dirname "$0")/lib.sh"
require_env
require_preload_shim alloc_shim
export HOTMEM_TEST_ALLOC_FAIL=$TMP/malloc

LD_PRELOAD=$TMP/alloc_shim.so start_state_fs 128M
n=0 total=0 bad=
while [ "$n" -lt 400 ]; do
	n=$((n + 1))
	echo "malloc $n 48" >"$TMP/malloc"
	echo online >"$M/memory32/state" 2>/dev/null
	if ! kill -0 "$FS_PID" 2>/dev/null; then
		bad+=" $n:died"
		break
	fi
	if [ -e "$TMP/malloc" ]; then # past the online's last: the shim's file untaken
		rm -f "$TMP/malloc"
		break
	fi
	total=$((total + 1))
	[ "$(cat "$M/memory32/state")" = offline ] || echo offline >"$M/memory32/state" ||
		bad+=" $n:offline"
done
[ "$total" -gt 10 ] && [ "$n" -lt 400 ]
tap_ok $? "the online's 48-byte allocations failed in turn: $total of them"
is "${bad:- none}" " none" "... hotmemfs lived through each"
ctl check >/dev/null
tap_ok $? "... invariants hold"
done_testing
