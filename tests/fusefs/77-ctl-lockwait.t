#!/bin/bash
# A change waiting for another to end (change_lock) ends at its own
# signal, as 6.12's lock_device_hotplug_sysfs() lets a second writer's
# signal end its wait (mutex_trylock(), msleep(5), restart_syscall()).
# While `offline 32` loops (pinned pages, its client alive, no timeout):
# a second `offline 33 timeout=500` ends with its EINTR, not when the
# first ends; clients that gave up waiting (-t 1) leave their control
# slots (they kept them: enough retries used all 64, even `status` was
# refused); a FUSE writer of memory33/state killed -9 is gone (it stayed
# in D state).  review10 D2.  Every wait is bounded (timeout, -t,
# wait_gone).
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory

mount_fs "hotmemfs mounts" --profile qemu-512m --cmdline hotmem.kernel_alloc=off
ctl device_add pc-dimm id=d1 size=256M >/dev/null && ctl online 32 online_movable >/dev/null &&
	ctl alloc pinned 3 >/dev/null && ctl online 33 online_movable >/dev/null
tap_ok $? "memory32/33 online_movable, three pinned pages in memory32"

"$HMCTL" -s "$CTL" -t 0 offline 32 >/dev/null 2>"$TMP/first.err" &
first=$!
block_state_wait 32 going-offline
tap_ok $? "offline 32 loops (its client alive, no timeout)"

timeout 60 "$HMCTL" -s "$CTL" -t 30 offline 33 timeout=500 >/dev/null 2>"$TMP/second.err"
is "$?" 1 "offline 33 timeout=500 behind it: refused by its timeout (124, 30 s: waited for the first)"
grep -q "memory33: offline interrupted (the timeout ran out) while waiting for another change to the machine (a looping offline?): nothing done" "$TMP/second.err"
tap_ok $? "... saying so, and that it never ran (not pages in use): $(cat "$TMP/second.err")"
is "$(cat "$M/memory33/state")" online "... memory33 left online"

for _ in 1 2 3 4 5; do timeout 30 "$HMCTL" -s "$CTL" -t 1 online 33 >/dev/null 2>&1; done
is "$(clients_settled 2)" 2 "five clients that gave up (-t 1) hold no control slot (left: the looping one and status)"

python3 "$HOTMEM_SRC/tests/fusefs/sysw.py" w "$M/memory33/state" offline >/dev/null 2>&1 &
writer=$!
disown "$writer"
in_fuse_write "$writer"
tap_ok $? "a FUSE writer of memory33/state offline waits behind the looping offline"
kill -9 "$writer"
wait_gone "$writer" 20
tap_ok $? "... killed -9: gone (FUSE_INTERRUPT ends its wait for change_lock)"
is "$(cat "$M/memory33/state")" online "... memory33 left online"

kill "$first" 2>/dev/null
wait_exit "$first" 30 >/dev/null 2>&1
block_state_wait 32 online offline
is "$(cat "$M/memory32/state")" online "the first client gone: memory32 left online"
timeout 60 "$HMCTL" -s "$CTL" -t 30 offline 33 >/dev/null 2>"$TMP/third.err"
tap_ok $? "change_lock free again: offline 33 $(cat "$TMP/third.err")"
! grep -qE '(ERROR|WARNING): (Address|Leak|Thread)Sanitizer|runtime error:' "$TMP/hotmemfs.log"
tap_ok $? "no sanitizer reports"
done_testing
