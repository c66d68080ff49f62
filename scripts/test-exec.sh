#!/bin/bash
# prove --exec wrapper for `make check`: one test file (a cmocka binary or a
# TAP script) under `timeout` -- the test's whole process group, so a hang
# fails this file alone -- with its TAP also kept in $HOTMEM_TEST_LOGS, so
# that scripts/skips.sh can say after the run which checks were skipped and
# why (prove alone prints a skipped check as a bare "ok").
set -o pipefail
t=$1
if [ -z "${HOTMEM_TEST_LOGS:-}" ]; then
	exec timeout -k 10 "${TEST_TIMEOUT:-1200}" "$@"
fi
log=$HOTMEM_TEST_LOGS/${t//\//%}.tap
# stderr kept beside the TAP (scripts/failures.sh prints its end for a
# failed file) and shown after the test, before prove's line for it; the
# exit status too.  A file, not a pipe through tee: a helper a test leaves
# running (tests/enable_uring.sh's hold) inherits the test's stderr, and a
# pipe's reader then kept prove waiting for the helper's end, 10 min.
err=${log%.tap}.err
timeout -k 10 "${TEST_TIMEOUT:-1200}" "$@" 2> "$err" | tee "$log"
rc=$?
cat "$err" >&2
echo "$rc" > "${log%.tap}.rc"
exit "$rc"
