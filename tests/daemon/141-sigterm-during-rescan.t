#!/bin/bash
# A SIGTERM during a SIGHUP's rescan stops hotmemd without telling systemd
# it is ready: the rescan ended at the signal and reload() sent READY=1
# with the STATUS of the blocks it had counted so far (4 of 6 online
# here, 0 had it stopped at once), then the loop took the SIGTERM.  Now STOPPING=1 (with a STATUS
# saying so) and never READY=1 after the RELOADING=1, as sd_notify(3) has
# a stopping service say.  Made certain: memory3/state is a FIFO once
# hotmemd is ready, so the rescan's read of it waits in open() while the
# SIGTERM is sent (fifo_feed.py), then reads "online".  Without the fix
# checks 3 and 4 fail (checked: READY=1|STATUS=4 blocks online, ... after
# the RELOADING=1).
. "$(dirname "$0")/lib.sh"
need_hotmemd
need_tool python3 python3

root=$TMP/root
mk_boot_512m "$root"
mk_blocks "$root" 4 5 offline "Normal Movable"

: >"$TMP/out"
python3 "$(dirname "$0")/notify_listen.py" 60 -- \
	"$HOTMEMD" --config /dev/null --sysroot "$root" --state-dir "$TMP/state" \
	--netlink=no --policy online_movable --log-level info >"$TMP/out" 2>"$TMP/log" &
listener=$!
_pids+=("$listener")
check "hotmemd ready" wait_for 30 grep -q 'READY=1' "$TMP/out"
pid=$(sed -n 's/^pid=\([0-9]*\) .*READY=1.*/\1/p' "$TMP/out" | head -1)

st=$root/sys/devices/system/memory/memory3/state
rm "$st" && mkfifo "$st"
python3 "$(dirname "$0")/fifo_feed.py" "$st" $'online\n' kill -TERM "$pid" &
feeder=$!
kill -HUP "$pid"
wait_exit "$feeder" 60 >/dev/null 2>&1
is "$?" 0 "SIGTERM sent while the SIGHUP's rescan waited in memory3/state"
wait_exit "$listener" 60 >/dev/null 2>&1
sed 's/^/# /' "$TMP/out"
after=$(sed -n '/RELOADING=1/,$p' "$TMP/out")
check "... after RELOADING=1: no READY=1" bash -c '! grep -q "READY=1" <<<"$1"' _ "$after"
check "... but STOPPING=1, saying so in STATUS" grep -q 'STOPPING=1|STATUS=stopping: signal 15' <<<"$after"
check "hotmemd exits 0" grep -qx 'exit=0' "$TMP/out"
check "... saying why" grep -q 'signal 15: exiting' "$TMP/log"
done_testing
