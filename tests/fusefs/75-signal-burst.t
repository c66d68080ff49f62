#!/bin/bash
# Stop signals in bursts, at any point of the stop: two or three of
# SIGTERM, SIGINT, SIGHUP a random few milliseconds apart, each round
# after an acknowledged change (a block offline), and half the rounds
# after the session ended by itself (umount) instead.  Whatever the order
# -- the second signal before the stopper took the first, while it waits
# for the notifier, during the final save or teardown -- hotmemfs exits
# (0 for one stop, 1 for a forced one, which says so), its tree is gone,
# nothing is reported by a sanitizer (make SANITIZE=thread: the stopper,
# its threads and main meet here), and the change is in the state file:
# the next hotmemfs has the block offline.
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory
# SIGINT too, though a background job of a non-interactive shell has it
# ignored: an ignored one must stay ignored in the burst (59-ignored-hup.t)
SIGS=(TERM INT HUP)

for round in $(seq 8); do
	: >"$TMP/hotmemfs.log"
	start_fs --stop-wait 30
	up=$?
	blk=memory$((1 + round % 6))
	want=offline
	[ "$(cat "$M/$blk/state")" = offline ] && want=online
	(echo "$want" >"$M/$blk/state") 2>/dev/null
	[ $up -eq 0 ] && [ "$(cat "$M/$blk/state")" = "$want" ]
	tap_ok $? "round $round: hotmemfs up, $blk $want"
	if ((round % 2 == 0)); then
		umount -l "$MNT"
		how="after the session ended by itself"
	else
		how="while it runs"
	fi
	n=$((2 + RANDOM % 2))
	for i in $(seq $n); do
		# the first one not SIGINT: it alone would rightly be ignored
		sig=${SIGS[RANDOM % 3]}
		[ "$i" -eq 1 ] && [ "$sig" = INT ] && sig=TERM
		kill -"$sig" "$FS_PID" 2>/dev/null
		sleep "0.00$((RANDOM % 10))"
	done
	wait_exit "$FS_PID" 60
	r=$?
	ended=1
	[ "$r" -eq 0 ] || { [ "$r" -eq 1 ] && grep -q "second signal" "$TMP/hotmemfs.log"; } && ended=0
	tap_ok $ended "... $n signals $how: hotmemfs ended (status $r)"
	FS_PID=
	unmounted 10
	tap_ok $? "... its tree is gone"
	! grep -qE '(ERROR|WARNING): (Address|Leak|Thread)Sanitizer|runtime error:' "$TMP/hotmemfs.log"
	tap_ok $? "... no sanitizer report"
	[ "$r" -eq 0 ] || [ "$r" -eq 1 ] || { sed 's/^/#   /' "$TMP/hotmemfs.log"; umount -l "$MNT" 2>/dev/null; }
done
start_fs
tap_ok $? "hotmemfs restarts from the state file"
is "$(cat "$M/$blk/state")" "$want" "... $blk $want: the last round's change survived its stop"
done_testing
