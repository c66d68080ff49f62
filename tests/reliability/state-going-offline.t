#!/bin/bash
# A block in the middle of an offline is saved as the client last saw
# it, online (#16.5).  The offline of a Movable block with pinned pages
# loops; meanwhile another client asks for a save; then the offline is
# interrupted (a signal: EINTR, the block stays online), nothing changes after,
# and hotmemfs is killed with -9: the block must come back online.
. "$(dirname "$0")/lib.sh"
require_env

start_state_fs 128M
echo online_movable >"$M/memory32/state"
tap_ok $? "memory32 online_movable"
ctl alloc pinned 3 >/dev/null
tap_ok $? "three pinned pages (in ZONE_MOVABLE: the offline keeps retrying)"

python3 - "$M/memory32/state" >"$TMP/offline.txt" 2>&1 <<'PY' &
import os, signal, sys
# a background job of a script ignores SIGINT: USR1 it is
def stop(sig, frame):
    raise KeyboardInterrupt
signal.signal(signal.SIGUSR1, stop)
try:
    fd = os.open(sys.argv[1], os.O_WRONLY)
    os.write(fd, b"offline")
    print("written")
except (InterruptedError, KeyboardInterrupt):
    # the signal interrupts the FUSE request, the write ends in EINTR,
    # and the handler's exception stops Python retrying it
    print("EINTR")
except OSError as e:
    print(os.strerror(e.errno))
PY
writer=$!
block_state_wait 32 going-offline
is "$(cat "$M/memory32/state")" "going-offline" "memory32 is going offline"
# the save's connection thread, one hotmemfs did not have before it,
# waits for change_lock, which the offline holds: a thread blocked in
# futex(FUTEX_WAIT_PRIVATE) (0x80: a mutex; a condition variable waits
# with FUTEX_WAIT_BITSET, 0x189), 30 s at most
tasks0=$(ls "/proc/$FS_PID/task")
save_waits() {
	local t op
	for t in $(ls "/proc/$FS_PID/task"); do
		grep -qx "$t" <<<"$tasks0" && continue
		read -r _ _ op _ <"/proc/$FS_PID/task/$t/syscall" 2>/dev/null || continue
		[ "$op" = 0x80 ] && grep -q futex "/proc/$FS_PID/task/$t/stack" && return 0
	done
	return 1
}
ctl save >/dev/null 2>&1 &
saver=$!
for _ in $(seq 600); do save_waits && break; sleep 0.05; done
save_waits
tap_ok $? "the save asked for meanwhile waits for the offline"
kill -USR1 "$writer"
wait_exit "$writer" 30
is "$(cat "$TMP/offline.txt")" "EINTR" "the interrupted offline says EINTR"
is "$(cat "$M/memory32/state")" "online" "... and memory32 is online"
wait_exit "$saver" 30
tap_ok $? "the save asked for meanwhile is done"
saved=$(python3 -c '
import json, sys
for r in json.load(open(sys.argv[1]))["machine"]["blocks"]:
    if r["first"] <= 32 < r["first"] + r["count"]:
        print(r["state"], r["zone"])' "$STATE")
is "$saved" "online Movable" "the state file says memory32 is online in Movable"

kill9_fs
start_fs_netns "${STATE_OPTS[@]}"
tap_ok $? "hotmemfs restarts after kill -9"
is "$(cat "$M/memory32/state") $(cat "$M/memory32/valid_zones")" "online Movable" \
	"memory32 is back online in ZONE_MOVABLE"
done_testing
