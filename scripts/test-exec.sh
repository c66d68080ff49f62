#!/bin/bash
# prove --exec wrapper for `make check`: one test file (a cmocka binary or a
# TAP script) under `timeout` -- the test's whole process group, so a hang
# fails this file alone -- with its TAP also kept in $HOTMEM_TEST_LOGS, so
# that scripts/skips.sh can say after the run which checks were skipped and
# why (prove alone prints a skipped check as a bare "ok").
t=$1
if [ -z "${HOTMEM_TEST_LOGS:-}" ]; then
	exec timeout -k 10 "${TEST_TIMEOUT:-1200}" "$@"
fi
log=$HOTMEM_TEST_LOGS/${t//\//%}.tap
err=${log%.tap}.err
# The test's stdout (its TAP) and stderr go to files, .tap and .err
# (scripts/failures.sh prints the end of .err for a failed file), and each
# is shown as it grows by a `tail --pid` that ends when the test does.  Not
# pipes: a helper a test leaves running (tests/enable_uring.sh's hold, a
# `cmd &`) inherits them, and a pipe's reader (tee, prove) then waited for
# the helper's end, unbounded -- 10 min once, for stderr.  What such a
# helper writes after the test ended stays in the files, unshown.  tail
# looks for the test's end every 50 ms: 0.1 s a file more than tee.
: > "$log"
: > "$err"
# an asynchronous command's stdin is /dev/null unless given: the test's own
exec 3<&0
timeout -k 10 "${TEST_TIMEOUT:-1200}" "$@" <&3 >"$log" 2>"$err" 3<&- &
pid=$!
exec 3<&-
tail -s 0.05 -n +1 -f --pid="$pid" "$err" >&2 &
epid=$!
tail -s 0.05 -n +1 -f --pid="$pid" "$log"
wait "$pid"
rc=$?
wait "$epid"
echo "$rc" > "${log%.tap}.rc"
exit "$rc"
