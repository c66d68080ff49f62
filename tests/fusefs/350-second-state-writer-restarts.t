#!/bin/bash
# A second writer of a block's state or online, behind a guest's offline
# that loops on pinned pages, is not ended by a signal it handles: 6.12's
# state_store() waits in lock_device_hotplug_sysfs(), which sleeps 5 ms
# and restart_syscall()s (-ERESTARTNOINTR: the handler runs, the write is
# tried again, no error ever reaches user space) until the lock is free,
# and then makes its change.  hotmemfs's ended it with EINTR at the
# FUSE_INTERRUPT, nothing changed (abuse27 F3).  A fatal signal still ends
# it: a SIGTERM it has no handler for (EINTR, nothing changed, the writer
# killed), and a SIGKILL after a handled signal, which reaches hotmemfs
# through no FUSE_INTERRUPT (the kernel sends one a request): hotmemfs
# reads the writer's /proc/TID/status.  The writer's signal handler runs
# once its write returns (the FUSE client waits killable after its
# interrupt).  Every wait is a bound for a failure (wait_gone, says_within).
. "$(dirname "$0")/lib.sh"
require_env
need_tool python3 python3
M=$MNT/sys/devices/system/memory
SYSW=$HOTMEM_SRC/tests/fusefs/sysw.py

restarted() {
	ctl -j status | python3 -c 'import json,sys; print(json.load(sys.stdin)["state-writes"].get("restarted"))'
}
# waiting_writer NAME PID: PID waits in its FUSE write behind the offline (one TAP line)
waiting_writer() {
	in_fuse_write "$2" && looping
	tap_ok $? "$1 waits behind memory33's looping offline"
}

vmem_offline_loops "without a state file"
is "$(restarted)" 0 "status: no write restarted yet"

python3 "$SYSW" wsig "$M/memory32/state" offline >"$TMP/w1.out" 2>&1 &
w1=$!
waiting_writer "a writer of memory32/state offline, with a SIGUSR1 handler," "$w1"
kill -USR1 "$w1"
says_within 20 1 restarted
tap_ok $? "SIGUSR1 (handled): its wait goes on, as restart_syscall()'s (state-writes restarted 1)"
kill -0 "$w1" 2>/dev/null && looping
tap_ok $? "... still waiting while the offline loops, not EINTR: $(cat "$TMP/w1.out")"

python3 "$SYSW" w "$M/memory32/online" 0 >/dev/null 2>&1 &
w2=$!
waiting_writer "a writer of memory32/online 0, no handler for SIGTERM," "$w2"
kill -TERM "$w2"
wait_gone "$w2" 20
tap_ok $? "... SIGTERM, fatal: gone"

python3 "$SYSW" wsig "$M/memory32/online" 0 >/dev/null 2>&1 &
w3=$!
waiting_writer "a writer of memory32/online 0 with a SIGUSR1 handler" "$w3"
kill -USR1 "$w3"
says_within 20 2 restarted
tap_ok $? "... SIGUSR1: its wait goes on (restarted 2)"
kill -9 "$w3"
wait_gone "$w3" 20
tap_ok $? "... then SIGKILL, with no FUSE_INTERRUPT of its own: gone"
looping
tap_ok $? "... while the offline still loops"
is "$(cat "$M/memory32/state")" online "memory32 still online"

ctl free-all >/dev/null
wait "$OFF"
tap_ok $? "the pins freed: the first offline, of memory33, ends well"
wait_gone "$w1" 30
tap_ok $? "the restarted writer is answered"
is "$(cat "$TMP/w1.out")" "ret=7 handled=1" "... its write done, no EINTR, its handler run once"
is "$(cat "$M/memory32/state")" offline "... memory32 offline: its change made"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
