#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# reread27 R9 (a): a pin no process in /proc holds was taken for a killed
# run's and replaced -- but a start in a child PID namespace (a container
# sharing the host's /sys/fs/bpf, `unshare -p -f --mount-proc`) sees no
# process of the host's: a live run's pins were judged stale, unlinked,
# and replaced.  A run holds flock() on its --pin DIR for its whole run:
# the start in the child namespace finds it locked, refuses, and leaves
# the pins.  Runs in a private mount namespace on a BPF filesystem of its
# own, never the host's /sys/fs/bpf.  Needs root (BPF), uprobes, bpftool.
. "$(dirname "$0")/lib.sh"
in_own_mount_ns "$@"
need_tool bpftool bpftool
need_tool unshare util-linux
usdt_test 6
own_mount bpf "$D/fs"
P=$D/fs/hotmem

"$HT" --emulator "$T" --pin "$P" -o /dev/null -d 600 2>"$D/live.err" & live=$!
wait_ready "$D/live.err"
pin_held_by $live "$P/counters" && pin_held_by $live "$P/blocks"
ok $? "a live run in this PID namespace pinned its maps"

unshare -p -f --mount-proc "$HT" --emulator "$T" --pin "$P" -o /dev/null -d 1 2>"$D/child.err"
rc=$?
diag <"$D/child.err"
ok $([ $rc = 1 ]; echo $?) "a start in a child PID namespace, where the live run is not in /proc: refused, exit 1 (got $rc)"
grep -qx "hotmem-trace: --pin $P: in use by a hotmem-trace this /proc does not show (another PID namespace, hidepid=), which holds its lock: stop it first, or use another --pin DIR" "$D/child.err"
ok $? "... saying a hotmem-trace its /proc does not show holds the directory's lock"
pin_held_by $live "$P/counters" && pin_held_by $live "$P/blocks"
ok $? "... and leaving the live run's pins (was: replaced as stale)"

kill -INT $live
wait_exit $live 60
ok $? "the live run ends at SIGINT, exit 0"
[ ! -e "$P/counters" ] && [ ! -e "$P/blocks" ] && [ ! -e "$P" ]
ok $? "... unpinning its maps, removing the directory it made"
done_testing
