#!/bin/bash
# usereye5 #3: hotmemd with --netlink=no on a hotmemfs started without -u
# hears nothing: the blocks a plug adds stay offline.  hotmemd says so, once
# (silence.c), naming its socket and hotmemfs's -u; with -u it says nothing.
. "$(dirname "$0")/lib.sh"
need_hotmemd
need_tool python3 python3
need_hotmemfs_in_netns "$@"

. "$(dirname "$0")/fs_start.sh"
TURNS=$(dirname "$0")/loop_turns.py
# hmd NAME: hotmemd on $TMP/NAME, its socket $TMP/NAME.uev, netlink off, log
# $TMP/NAME.hmd; its watchdog (WATCHDOG=1 every 100 ms) read into
# $TMP/NAME.turns, how far its event loop has run (loop_turns.py)
hmd() {
	: >"$TMP/$1.hmd"
	python3 "$TURNS" listen "$TMP/$1.notify" "$TMP/$1.turns" &
	_pids+=("$!")
	wait_for 30 test -S "$TMP/$1.notify" || return 1
	NOTIFY_SOCKET=$TMP/$1.notify WATCHDOG_USEC=200000 \
		"$HOTMEMD" --config /dev/null --sysroot "$TMP/$1" --state-dir "$TMP/state.$1" \
		--uevent-socket "$TMP/$1.uev" --netlink=no 2>"$TMP/$1.hmd" &
	_pids+=("$!")
	wait_for 10 grep -q "ready: sysroot" "$TMP/$1.hmd"
}
# plug NAME ID: a DIMM into hotmemfs NAME, its blocks there for a reader
# (settle: the notifier has told the kernel), SINCE the time after it
plug() {
	"$CTL" -s "$TMP/$1.sock" device_add pc-dimm size=256M id="$2" >/dev/null &&
		"$CTL" -s "$TMP/$1.sock" settle --timeout 60 >/dev/null &&
		SINCE=$(python3 "$TURNS" now)
}
# two_checks_after NAME: hotmemd NAME's 1 s silence check, were it still
# on, has run twice since SINCE (the plug) and said what it would: its
# first run after the plug sees the new block, the second would warn
# (silence.c).  Waited for on its event loop, not timed: 60 s bound a hang.
two_checks_after() { python3 "$TURNS" ticks "$TMP/$1.turns" "$SINCE" 1 2 60; }
state_of() { cat "$TMP/$1/sys/devices/system/memory/memory$2/state"; }
said() { grep -c "not one uevent on" "$TMP/$1.hmd"; }

# A: README's two lines as they were -- hotmemfs without -u
check "hotmemfs A without -u" fs_start A
check "hotmemd on A, --netlink=no, its own socket" hmd A
check "plug a DIMM into A" plug A d1
check "hotmemd says nothing sends to its socket" wait_for 15 grep -q "not one uevent on" "$TMP/A.hmd"
grep "not one uevent on" "$TMP/A.hmd" | sed 's/^/# /'
check "... naming the socket and hotmemfs's -u" grep -q -- "-u $TMP/A.uev" "$TMP/A.hmd"
is "$(state_of A 32)" offline "the block is offline, as it says"
check "plug another DIMM into A" plug A d2
check "... hotmemd's loop ran past two of its 1 s checks after it (its watchdog's turns)" two_checks_after A
is "$(said A)" 1 "said once"

# B: hotmemfs told to send there (-u): hotmemd onlines, and says nothing
check "hotmemfs B with -u" fs_start B -u "$TMP/B.uev"
check "hotmemd on B" hmd B
check "plug a DIMM into B" plug B d1
check "... onlined" wait_for 15 sh -c "[ \"\$(cat '$TMP/B/sys/devices/system/memory/memory33/state')\" = online ]"
check "... hotmemd's loop ran past two of its 1 s checks after the plug (its watchdog's turns)" two_checks_after B
is "$(said B)" 0 "no warning when the socket hears"

done_testing
