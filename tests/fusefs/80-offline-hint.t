#!/bin/bash
# The line hotmemfs logs when a memoryN/state offline fails (the write
# only says EBUSY or EINTR) and the engine's dmesg line: explain sums up
# what is in the way by owner and --all lists every page (since 4e8bf08
# it no longer lists every page unasked: the lines said it "names every
# page in the way").  The engine's line names both front ends' explain
# (hotmemctl's, a hotmem script's).  A writer whose signal ended its wait
# for another change (machine.c's lock_change_sysfs(): EINTR before its
# offline ran) gets no such line: nothing was in its block's way.  Every
# wait is bounded (wait_gone, block_state_wait, timeout).
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory

# a FUSE writer of offline to memoryN/state, killed -9 once it waits for the reply
killed_writer() {
	python3 "$HOTMEM_SRC/tests/fusefs/sysw.py" w "$M/memory$1/state" offline >/dev/null 2>&1 &
	local w=$!
	disown "$w"
	in_fuse_write "$w" || return 1
	kill -9 "$w"
	# gone once hotmemfs replied: the line (if any) is in the log before
	wait_gone "$w" 20
}

mount_fs "hotmemfs mounts" --profile qemu-512m --cmdline hotmem.kernel_alloc=off
ctl device_add pc-dimm id=d1 size=256M >/dev/null && ctl online 32 online_movable >/dev/null &&
	ctl alloc pinned 3 >/dev/null && ctl online 33 online_movable >/dev/null
tap_ok $? "memory32/33 online_movable, three pinned pages in memory32"

killed_writer 32
tap_ok $? "a FUSE writer of memory32/state offline (pinned pages: it loops), killed -9: gone"
block_state_wait 32 online
grep -F 'memory32: offline failed (EINTR): `hotmemctl explain 32` sums up what is in the way by owner, `--all` lists every page; `hotmemctl dmesg` has the kernel'"'"'s messages' "$TMP/hotmemfs.log" >/dev/null
tap_ok $? "hotmemfs's log: $(grep 'memory32: offline failed' "$TMP/hotmemfs.log")"
ctl dmesg | grep -F 'hotmem: memory32: offline failed (EINTR): its explain sums up what is in the way by owner (`hotmemctl explain 32`, `--all` lists every page; `explain 32` in a hotmem script)' >/dev/null
tap_ok $? "hotmemctl dmesg: the engine's line names hotmemctl's explain and a hotmem script's"

"$HMCTL" -s "$CTL" -t 0 offline 32 >/dev/null 2>"$TMP/first.err" &
first=$!
block_state_wait 32 going-offline
tap_ok $? "offline 32 loops (its client alive, no timeout): it holds the change lock"
killed_writer 33
tap_ok $? "a FUSE writer of memory33/state offline behind it, killed -9: gone (EINTR in its wait)"
is "$(cat "$M/memory33/state")" online "... memory33 left online"
is "$(grep -c 'memory33: offline failed' "$TMP/hotmemfs.log")" 0 \
	"... and no 'offline failed ... explain 33' line: nothing was in memory33's way"
kill "$first" 2>/dev/null
wait_exit "$first" 30 >/dev/null 2>&1
block_state_wait 32 online offline
is "$(cat "$M/memory32/state")" online "the first client gone: memory32 left online"

# the engine's own command line: the same dmesg line
out=$(printf '%s\n' "add 0x100000000 256M" "online 32 online_movable" "alloc pinned 3" \
	"offline 32 timeout=100" "dmesg" |
	timeout 120 "$HOTMEM_BUILD/hotmem" --profile qemu-512m --cmdline hotmem.kernel_alloc=off run - 2>&1)
grep -F 'hotmem: memory32: offline failed (EINTR): its explain sums up what is in the way by owner (`hotmemctl explain 32`, `--all` lists every page; `explain 32` in a hotmem script)' <<<"$out" >/dev/null
tap_ok $? "hotmem run's dmesg: the same line"
! grep -qE '(ERROR|WARNING): (Address|Leak|Thread)Sanitizer|runtime error:' "$TMP/hotmemfs.log"
tap_ok $? "no sanitizer reports"
done_testing
