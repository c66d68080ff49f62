#!/bin/bash
# A restart from a good state file out of memory while reading it
# (fusefs/state.c slurp(), parse_one(), machine_crc(), read_state();
# main.c refuse_state()).  alloc_shim.so fails the restart's Nth
# malloc() of $SIZES bytes (9: json-c 0.16's copies of 8-byte keys,
# "pagesets", ...), N = $FIRST..$LAST (1..16; the mount's own from 13):
# hotmemfs starts with the machine, or refuses to start with exit 1 (a
# retry mends it: not 78, which ends systemd's restarts) saying so
# ("Cannot allocate memory", libfuse's "memory allocation failed"),
# never "damaged" nor --fresh nor "move the file away", the file
# untouched.  Then the file's read buffer (its size + 1) not allocated:
# refused so, with the advice to start again.  A restart with memory
# has the machine as it was.  Last, kmem_json()'s keys (below).
# Without the fixes (restart44) check 5 fails: N = 2, 4, ... 12 said
# "damaged (checksum mismatch)", exit 78 (json-c 0.16's tokener leaves
# out a key whose copy fails, unchecked); and checks 7-8: the read
# buffer's failure said nothing ("hotmemfs: " alone), exit 78, and
# "move the file away ... or --fresh".  Odd N crash in json-c 0.16
# itself (its tokener hashes a key whose strdup() failed: NULL), fixed
# in json-c 0.17: check 6 is a TODO there.  About 10 s.
. "$(dirname "$0")/lib.sh"
require_env
require_preload_shim alloc_shim
export HOTMEM_TEST_ALLOC_FAIL=$TMP/malloc
SIZES=${SIZES:-9}
FIRST=${FIRST:-1}
LAST=${LAST:-16}

# restart_failing SPEC: hotmemfs restarted on $STATE with "SPEC"'s
# allocation failing; RC its exit status ("" mounted, then stopped)
restart_failing() {
	echo "$1" >"$TMP/malloc"
	LD_PRELOAD=$TMP/alloc_shim.so unshare -n "$HMFS" --control "$CTL" --state "$STATE" \
		"${STATE_OPTS[@]}" "$MNT" 2>"$TMP/err.txt" &
	FS_PID=$!
	RC=
	if fs_wait_mounted; then
		stop_fs
	else
		wait_exit "$FS_PID" 10
		RC=$?
		FS_PID=
		mountpoint -q "$MNT" && umount -l "$MNT"
	fi
	rm -f "$TMP/malloc"
}
# said_enomem: $TMP/err.txt says out of memory, nothing of damage or --fresh
said_enomem() {
	grep -q "Cannot allocate memory\|memory allocation failed" "$TMP/err.txt" &&
		! grep -q "damaged\|--fresh\|move the file" "$TMP/err.txt"
}

start_state_fs 128M
echo online_movable >"$M/memory32/state"
tap_ok $? "memory32 online_movable"
expect=$(snapshot)
stop_fs
sum=$(md5sum <"$STATE")
bad= crashed= refused=0 started=0
for size in $SIZES; do
	for ((n = FIRST; n <= LAST; n++)); do
		restart_failing "malloc $n $size"
		if [ -z "$RC" ]; then
			started=$((started + 1))
		elif [ "$RC" -gt 128 ]; then
			crashed+=" $size/$n:rc$RC"
		else
			refused=$((refused + 1))
			[ "$RC" -eq 1 ] || bad+=" $size/$n:rc$RC"
			said_enomem || bad+=" $size/$n:($(head -1 "$TMP/err.txt"))"
		fi
		[ "$(md5sum <"$STATE")" = "$sum" ] || { bad+=" $size/$n:file-changed"; sum=$(md5sum <"$STATE"); }
	done
done
[ "$refused" -gt 0 ] && [ "$started" -gt 0 ]
tap_ok $? "sizes $SIZES, N $FIRST..$LAST: $refused refused, $started started, ${crashed:-none} crashed"
is "${bad:- none}" " none" "... each refused said out of memory (exit 1), nothing of damage or --fresh; the file untouched"
todo=
[ -z "$crashed" ] || todo=" # TODO json-c 0.16's tokener: a key's strdup() unchecked ($crashed)"
echo "${crashed:+not }ok $((T_N += 1)) - ... none crashed$todo"

restart_failing "malloc 1 $(($(stat -c %s "$STATE") + 1))"
[ "$RC" = 1 ] && said_enomem && grep -q "state file .*: Cannot allocate memory" "$TMP/err.txt" &&
	grep -q "start again when there is memory" "$TMP/err.txt"
tap_ok $? "the file's read buffer not allocated: refused (exit ${RC:-none: started}), out of memory, start again: $(head -1 "$TMP/err.txt")"
[ "$(md5sum <"$STATE")" = "$sum" ]
tap_ok $? "... the file untouched"
mount_fs "a restart with memory" "${STATE_OPTS[@]}"
same_text "$(snapshot)" "$expect" "... the same machine"
stop_fs

# A fresh start's whole save with its Nth 7-byte malloc failing (json-c's
# copy of the key "allocs", state.c kmem_json()), N = 1, 2, ... until one
# is past the start's last (29 here, 33 by hand: the count moves with
# the paths), on qemu-512m with the kernel's allocations: the file is
# saved with "kmem" whole ("rng", "allocs") or not saved (the start's
# save fails, logged).  Without the fix (restart44) check 12 fails: N =
# 26 (30 by hand) saved a "kmem" without "allocs", whose restore puts
# back no allocation.
K=$TMP/kmem.json
short= n=0
while [ "$n" -lt 100 ]; do
	n=$((n + 1))
	rm -f "$K" "$K.journal"
	echo "malloc $n 7" >"$TMP/malloc"
	LD_PRELOAD=$TMP/alloc_shim.so unshare -n "$HMFS" --control "$CTL" --state "$K" \
		--profile qemu-512m --fresh "$MNT" 2>"$TMP/err.txt" &
	FS_PID=$!
	if ! fs_wait_mounted; then
		short+=" $n:not-mounted"
		stop_fs
		break
	fi
	# the start's save, made or failed (5 s at most), before the stop's own
	for ((i = 0; i < 100; i++)); do
		[ -e "$K" ] || grep -q "saving state" "$TMP/err.txt" && break
		sleep 0.05
	done
	stop_fs
	if [ -e "$K" ]; then
		python3 -c 'import json, sys
k = json.load(open(sys.argv[1]))["machine"]["kmem"]
sys.exit(not ("allocs" in k and "rng" in k))' "$K" || short+=" $n"
	fi
	[ -e "$TMP/malloc" ] && { rm -f "$TMP/malloc"; break; }
done
[ "$n" -gt 20 ] && [ "$n" -lt 100 ]
tap_ok $? "a fresh start's 7-byte allocations failed in turn: $n of them"
is "${short:- none}" " none" "... each saved \"kmem\" whole or did not save"
done_testing
