#!/bin/bash
# SIGTERM during a big device_del, under a storm of lookups in memory/ and
# with a write's reply held for the notifier: hotmemfs stops, every held
# reply is sent, nothing stays in D.  The notifier's invalidation of a
# removed block's name (fuse_reverse_inval_entry(), fs/fuse/dir.c) waits
# uninterruptibly for memory/'s inode lock, which a lookup holds while its
# request waits to be read: were the session loop to stop reading
# /dev/fuse while the notifier still calls into the kernel, that lookup is
# never answered and the notifier, hotmemfs's teardown and every held
# writer hang for good (review4; fusefs/events.c, "teardown").  Each
# round is bounded: a hotmemfs that has not exited 60 s after SIGTERM
# counts as hung, is killed, and the mount's connection aborted.
. "$(dirname "$0")/lib.sh"
require_env
require_room huge-64t
M=$MNT/sys/devices/system/memory
ROUNDS=${HOTMEM_TEARDOWN_ROUNDS:-4}
# lib.sh's stop_fs looks for sanitizer reports only in a hotmemfs it stops itself
no_sanitizer_report() {
	! grep -qE '(ERROR|WARNING): (Address|Leak|Thread)Sanitizer|runtime error:' "$TMP/hotmemfs.log"
}

# wait_gone PID SECONDS: 0 once PID has exited, 1 if it is still there
wait_gone() { timeout "$2" tail -s 0.05 --pid="$1" -f /dev/null; }

# a hung hotmemfs: its connection aborted (every request fails), then killed
abort_fs() {
	# fusectl in a mount namespace of its own: the host's mounts stay as they are
	unshare -m --propagation private sh -c 'mount -t fusectl none /sys/fs/fuse/connections &&
		echo 1 >/sys/fs/fuse/connections/$1/abort' abort "$(stat -c %d "$MNT")" 2>/dev/null
	kill -9 "$FS_PID" 2>/dev/null
	wait_gone "$FS_PID" 20
	umount -l "$MNT" 2>/dev/null
	FS_PID=
}

# lookups of names memory/ does not have: each one a FUSE LOOKUP under
# memory/'s inode lock (an ENOENT is not cached), bounded by timeout
storm() {
	rm -f "$TMP/storming"
	timeout 120 python3 - "$M" "$TMP/storming" <<'EOF' &
import os, sys
m = sys.argv[1]
i = 0
while True:
    i += 1
    if i == 1000:
        open(sys.argv[2], "w").close()
    try:
        os.stat("%s/memory9%07d" % (m, i))
    except FileNotFoundError:
        pass
    except OSError:
        break
EOF
}

hung=0
for r in $(seq "$ROUNDS"); do
	: >"$TMP/hotmemfs.log"
	if ! start_fs --profile huge-64t --fresh --threads 2; then
		nok "round $r: hotmemfs mounts"
		break
	fi
	findmnt -t fuse.hotmemfs "$MNT" >/dev/null || { nok "not a hotmemfs mount"; break; }
	# 16384 blocks of 2 GiB (offline: their memmaps cost little): their REMOVEs keep the notifier busy
	ctl device_add pc-dimm id=big addr=0x80000000 size=32T >/dev/null &&
		ctl settle --timeout 60 >/dev/null || { nok "round $r: a DIMM of 16384 blocks"; break; }
	storms=()
	storm
	storms+=($!)
	# the storm under way: its 1000th lookup made
	for _ in $(seq 600); do [ -e "$TMP/storming" ] && break; sleep 0.05; done
	timeout 120 "$HMCTL" -s "$CTL" -t 120 device_del big >/dev/null 2>"$TMP/del.err" &
	del=$!
	# SIGTERM once the removal is under way: memory4000 gone (of 1-16384)
	for _ in $(seq 1200); do [ -e "$M/memory4000" ] || break; sleep 0.05; done
	# and a write whose reply is held for the notifier, behind the REMOVEs:
	# memory0/uevent's synthetic "add"
	(exec 3>"$M/memory0/uevent"; echo add >&3) 2>/dev/null &
	writer=$!
	kill -0 "$del" 2>/dev/null && diag "round $r: SIGTERM while device_del runs"
	kill -TERM "$FS_PID"
	if wait_gone "$FS_PID" 60; then
		wait_exit "$FS_PID" 10
		tap_ok $? "round $r: hotmemfs stops on SIGTERM during device_del, exit 0"
		FS_PID=
		no_sanitizer_report
		tap_ok $? "round $r: ... without sanitizer reports"
		wait_gone "$writer" 20
		tap_ok $? "round $r: the held writer got its reply"
		# under way when the stop began: it ends with its reply, not an EOF
		wait_exit "$del" 20
		tap_ok $? "round $r: device_del's hotmemctl got its reply $(cat "$TMP/del.err")"
	else
		hung=$((hung + 1))
		nok "round $r: hotmemfs stops on SIGTERM during device_del (hung 60 s)"
		for t in /proc/"$FS_PID"/task/*; do echo "$(cat "$t/comm") $(cat "$t/wchan")"; done 2>/dev/null |
			sort | uniq -c | sed 's/^/#   /'
		kill -0 "$writer" 2>/dev/null
		tap_ok $((!$?)) "round $r: the held writer got its reply ($(cat /proc/"$writer"/wchan 2>/dev/null))"
		abort_fs
	fi
	kill "${storms[@]}" "$del" 2>/dev/null
	for p in "${storms[@]}" "$del" "$writer"; do
		wait_gone "$p" 20 || { kill -9 "$p"; diag "pid $p did not end: SIGKILL"; }
	done
	umount -l "$MNT" 2>/dev/null
done
diag "$hung of $ROUNDS rounds hung"
done_testing
