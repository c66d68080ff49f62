#!/bin/bash
# usereye5 #3: hotmemd with --netlink=no on a hotmemfs started without -u
# hears nothing: the blocks a plug adds stay offline.  hotmemd says so, once
# (silence.c), naming its socket and hotmemfs's -u; with -u it says nothing.
. "$(dirname "$0")/lib.sh"
need_hotmemd
need_hotmemfs_in_netns "$@"

. "$(dirname "$0")/fs_start.sh"
# hmd NAME: hotmemd on $TMP/NAME, its socket $TMP/NAME.uev, netlink off, log $TMP/NAME.hmd
hmd() {
	: >"$TMP/$1.hmd"
	"$HOTMEMD" --config /dev/null --sysroot "$TMP/$1" --state-dir "$TMP/state.$1" \
		--uevent-socket "$TMP/$1.uev" --netlink=no 2>"$TMP/$1.hmd" &
	_pids+=("$!")
	wait_for 10 grep -q "ready: sysroot" "$TMP/$1.hmd"
}
plug() { "$CTL" -s "$TMP/$1.sock" device_add pc-dimm size=256M id="$2" >/dev/null; }
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
sleep 2.5 # two of its 1 s checks: a second warning would be there by now
is "$(said A)" 1 "said once"

# B: hotmemfs told to send there (-u): hotmemd onlines, and says nothing
check "hotmemfs B with -u" fs_start B -u "$TMP/B.uev"
check "hotmemd on B" hmd B
check "plug a DIMM into B" plug B d1
check "... onlined" wait_for 15 sh -c "[ \"\$(cat '$TMP/B/sys/devices/system/memory/memory33/state')\" = online ]"
sleep 2.5 # two of its 1 s checks
is "$(said B)" 0 "no warning when the socket hears"

done_testing
