#!/bin/bash
# The test libraries clean up in the test's own shell only.  A child bash
# forked for `cmd &` or `( ... ) &` keeps the EXIT trap until it resets
# its signals; SIGTERMed in that window (a writer stopped at once, under
# load) it ran the test's cleanup: $TMP removed and hotmemd or hotmemfs
# stopped under the test (70-signal-coldplug.t failed 4 of its 7 so).
. "$(dirname "$0")/lib.sh"

# probe LIB: a script on LIB SIGTERMs 20 background writers as soon as
# each is forked; "kept" when its $TMP is still there after them
probe() {
	HOTMEM_SRC=$HOTMEM_SRC HOTMEM_BUILD=$HOTMEM_BUILD bash -c '
		. "$1"
		mkfifo "$TMP/fifo"
		for _ in $(seq 20); do
			( while :; do echo x >"$TMP/fifo"; done ) 2>/dev/null &
			p=$!
			kill "$p"
			wait "$p" 2>/dev/null
		done
		[ -d "$TMP" ] && echo kept' _ "$1" 2>/dev/null
}
is "$(probe "$HOTMEM_SRC/tests/daemon/lib.sh")" kept "tests/daemon/lib.sh: a child killed at once runs no cleanup"
is "$(probe "$HOTMEM_SRC/tests/fusefs/lib.sh")" kept "tests/fusefs/lib.sh: the same"
# and both bound their waits (tests/wait_exit.sh): a child that exits gives
# its status, one hung is SIGKILLed after its bound (137), never waited out
bounded() {
	HOTMEM_SRC=$HOTMEM_SRC HOTMEM_BUILD=$HOTMEM_BUILD timeout 20 bash -c '
		. "$1"
		(exit 3) &
		wait_exit $! 5
		echo "exited $?"
		sleep 600 >/dev/null 2>&1 &
		wait_exit $! 1 >/dev/null 2>&1
		echo "hung $?"' _ "$1" 2>/dev/null | tr '\n' ' '
}
for lib in daemon fusefs; do
	is "$(bounded "$HOTMEM_SRC/tests/$lib/lib.sh")" "exited 3 hung 137 " \
		"tests/$lib/lib.sh: wait_exit gives the status, SIGKILLs a hang after its bound"
done
done_testing
