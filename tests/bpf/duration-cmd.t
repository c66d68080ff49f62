#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# --duration SEC with a -- COMMAND that runs on past it (abuse25a B7):
# tracing stopped at SEC, then hotmem-trace waited for the command without
# a word, the command's events after SEC missing from the trace.  Now it
# says the duration is over, the command (pid) still running and not
# traced any more, and waits for it (its status is hotmem-trace's).  The
# command waits for a file made once that line is there: no race with the
# clock.  Needs root (BPF) and uprobes.
. "$(dirname "$0")/lib.sh"
usdt_test 3

"$HT" --emulator "$T" --no-pin -o /dev/null -d 1 -- \
	sh -c 'while [ ! -e "$0/go" ]; do sleep 0.1; done; exit 3' "$D" 2>"$D/err" &
tr=$!
for _ in $(seq 600); do grep -q "over:" "$D/err" && break; sleep 0.1; done
grep -Eq "^hotmem-trace: --duration 1 s over: sh \(pid [0-9]+\) still running, not traced any more; waiting for it to exit \(its exit status is hotmem-trace's\)$" "$D/err"
ok $? "the duration over, the command still running: said, with its pid"
touch "$D/go"
wait_exit $tr 60
rc=$?
ok $([ $rc = 3 ]; echo $?) "... waited for: the command's status, 3 (got $rc)"
grep -q "; sh exited with status 3$" "$D/err"
ok $? "... the summary names it"
diag <"$D/err"
done_testing
