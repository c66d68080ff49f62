#!/bin/bash
# SIGUSR1 and SIGUSR2 do not end hotmemfs (usereye8 #9): at their default
# action they killed it at once, without a word, its FUSE mount left dead
# (ENOTCONN until somebody detached it), where hotmemd takes them
# (SIGUSR1 logs its status, SIGUSR2 is ignored) and `systemctl kill -s
# USR1` reaches both daemons alike.  Now SIGUSR1 logs where hotmemfs runs
# (its mount, its control socket), SIGUSR2 is ignored, said so; the
# machine answers on, and a SIGTERM after them stops it in order.
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory

mount_fs "hotmemfs mounts" --fresh
kill -USR1 "$FS_PID"
for _ in $(seq 200); do grep -q "SIGUSR1" "$TMP/hotmemfs.log" && break; sleep 0.05; done
grep -qx "hotmemfs: SIGUSR1 from pid $$: running, pid $FS_PID, mounted on $MNT, control socket $CTL (\`hotmemctl -s $CTL status\` shows the machine)" \
	"$TMP/hotmemfs.log"
tap_ok $? "SIGUSR1: logs its pid, mount and control socket" "$(grep SIGUSR "$TMP/hotmemfs.log")"
kill -USR2 "$FS_PID"
for _ in $(seq 200); do grep -q "SIGUSR2" "$TMP/hotmemfs.log" && break; sleep 0.05; done
grep -q "^hotmemfs: SIGUSR2 from pid $$ ignored" "$TMP/hotmemfs.log"
tap_ok $? "SIGUSR2: said ignored"
kill -0 "$FS_PID" 2>/dev/null
tap_ok $? "hotmemfs still runs after both"
is "$(cat "$M/block_size_bytes" 2>&1)" 8000000 "its mount answers (block_size_bytes)"
is "$(ctl --json status >/dev/null 2>&1; echo $?)" 0 "its control socket answers"
kill -TERM "$FS_PID"
wait_exit "$FS_PID" 60
is "$?" 0 "SIGTERM then: an orderly stop, exit 0"
findmnt -t fuse.hotmemfs "$MNT" >/dev/null
is "$?" 1 "its mount gone with it"
# (a hotmemfs killed by either, without the fix, leaves its mount: stop_fs detaches it)
done_testing
