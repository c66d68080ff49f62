#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# hotmem-trace under a low descriptor limit (abuse25c D4, abuse25a B10):
# with `ulimit -Sn 64` and --per-probe it attached 19 of 54 USDT probes,
# said "ready" and exited 0, a trace missing online_pages; and it blamed
# the kernel (CONFIG_KPROBES?) for its own EMFILE.  Now it raises its soft
# limit to the hard one, as libbpf's tools do; where even the hard limit
# is too low, the run is refused (exit 1), saying descriptors ran out,
# before "ready:".  Needs root (BPF) and uprobes.
. "$(dirname "$0")/lib.sh"
usdt_test 5

(ulimit -Sn 64 && ulimit -Hn 4096 && exec "$HT" --emulator "$T" --per-probe --no-pin -o /dev/null -d 1) 2>"$D/soft"
rc=$?
diag <"$D/soft"
[ $rc = 0 ] && grep -Eq "emulator: ([0-9]+) of \1 USDT probes attached" "$D/soft" && ! grep -q "NOT attached" "$D/soft"
ok $? "soft limit 64, hard 4096: raised, every probe attached, exit 0 (got $rc)"

(ulimit -n 64 && exec "$HT" --emulator "$T" --per-probe --no-pin -o /dev/null -d 1) 2>"$D/hard"
rc=$?
diag <"$D/hard"
ok $([ $rc = 1 ]; echo $?) "hard limit 64: refused, exit 1 (got $rc)"
grep -q "^hotmem-trace: out of file descriptors (RLIMIT_NOFILE 64, its hard limit): not every probe could be attached" "$D/hard"
ok $? "... saying the descriptors ran out and what to raise"
! grep -q "ready:" "$D/hard"
ok $? "... never ready"
# reread25 R8: the -- COMMAND runs under the caller's limit, not the one
# raised for the probes
out=$( (ulimit -Sn 64 && ulimit -Hn 4096 && exec "$HT" -q --emulator "$T" --no-pin -o /dev/null -- sh -c 'ulimit -Sn') 2>"$D/cmd")
diag <"$D/cmd"
[ "$out" = 64 ]
ok $? "-- COMMAND: its soft limit the caller's, 64 (got ${out:-nothing})"
done_testing
