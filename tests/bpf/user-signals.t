#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# SIGUSR1 and SIGUSR2 do not end hotmem-trace (usereye8 #9): at their
# default action they killed it at once and left its --pin maps pinned in
# bpffs (its next start refused on them).  SIGUSR1 says how many events so
# far, SIGUSR2 is ignored, both said on stderr; a SIGTERM after them stops
# it cleanly, unpinning.  Needs root (BPF), bpffs and uprobes.
. "$(dirname "$0")/lib.sh"
T=$B/tests/bpf/usdt_target
need_usdt "$T"
PIN=/sys/fs/bpf/hotmem-usrsig-$$
D=$(mktemp -d)
trap 'rm -rf "$D"; rm -f "$PIN"/counters "$PIN"/blocks; rmdir "$PIN" 2>/dev/null' EXIT
echo "1..7"

"$HT" --emulator "$T" --pin "$PIN" -o "$D/out" 2>"$D/err" &
tr=$!
for _ in $(seq 300); do grep -q "ready:" "$D/err" && break; sleep 0.1; done
[ -e "$PIN/counters" ] && [ -e "$PIN/blocks" ]
ok $? "hotmem-trace ready, its maps pinned at $PIN"
kill -USR1 $tr
for _ in $(seq 100); do grep -q "SIGUSR1" "$D/err" && break; sleep 0.1; done
grep -qx "hotmem-trace: SIGUSR1: [0-9]* events so far, [0-9]* dropped, tracing on (SIGINT, SIGTERM, SIGHUP stop it)" "$D/err"
ok $? "SIGUSR1: the events so far said"
kill -USR2 $tr
for _ in $(seq 100); do grep -q "SIGUSR2" "$D/err" && break; sleep 0.1; done
grep -qx "hotmem-trace: SIGUSR2 ignored: [0-9]* events so far, [0-9]* dropped, tracing on (SIGINT, SIGTERM, SIGHUP stop it)" "$D/err"
ok $? "SIGUSR2: said ignored"
kill -0 $tr 2>/dev/null && [ -e "$PIN/counters" ]
ok $? "still tracing after both, its maps pinned"
kill -TERM $tr
wait_exit $tr 60
ok $? "SIGTERM then: exit 0"
[ ! -e "$PIN" ]
ok $? "the pin directory removed"
grep -q "stopped by Terminated" "$D/err"
ok $? "its last line: stopped by SIGTERM"
diag <"$D/err"
done_testing
