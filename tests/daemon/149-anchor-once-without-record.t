#!/bin/bash
# With no boot-blocks record (--state-dir "", as a dry run has none
# either), boot memory is anchored once a process: at start.  A reload's
# rescan reuses that anchor as it would a record's; it anchored anew
# (reread36 R6) and took the 16 blocks hot-added and onlined Normal since
# start as boot memory -- KERNEL_EARLY grew with them on a kernel.
. "$(dirname "$0")/lib.sh"
need_hotmemd
root=$TMP/root sock=$TMP/u.sock log=$TMP/log
mk_sysroot "$root"
mk_blocks "$root" 0 15 online Normal
zone_add "$root" 0 Normal 524288
: >"$log"
"$HOTMEMD" --config /dev/null --sysroot "$root" --state-dir "" --netlink=no \
	--uevent-socket "$sock" --policy online_kernel 2>"$log" &
dpid=$!
_pids+=("$dpid")
check "hotmemd ready" wait_for 10 grep -q "ready: sysroot" "$log"
check "... boot memory: the 16 blocks online at start" \
	grep -q "boot memory: 16 online blocks taken as boot memory" "$log"
mk_blocks "$root" 16 31 offline "Normal Movable"
check "16 blocks hot-added" "$UEVENT_SEND" --unix "$sock" add 16-31
check "... onlined Normal" wait_for 10 grep -q "memory31: online_kernel" "$log"
kill -HUP "$dpid"
check "reloaded" wait_for 10 grep -q "configuration reloaded" "$log"
is "$(grep -c "boot memory: " "$log")" 1 "boot memory anchored once: the reload reuses it"
check "... and no hot-added block taken as boot memory" bash -c "! grep -q 'boot memory: 32 online blocks' '$log'"
grep "boot memory\|reload\|rescan" "$log" | sed 's/^/# log: /'
done_testing
