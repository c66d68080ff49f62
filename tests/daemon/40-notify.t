#!/bin/bash
# sd_notify protocol against a test-owned NOTIFY_SOCKET: READY=1 after
# coldplug, STATUS= with counts, WATCHDOG=1, RELOADING=1 on SIGHUP,
# STOPPING=1, all from the daemon's own pid.
. "$(dirname "$0")/lib.sh"
need_hotmemd
need_tool python3 python3

root=$TMP/root
mk_sysroot "$root"
mk_blocks "$root" 0 7 online Normal
zone_add "$root" 0 Normal 262144
mk_blocks "$root" 8 10 offline "Normal Movable"
mk_block "$root" 11 offline "Normal"		# Movable not allowed here

# the signals after its loop's turns (its watchdog's), not at set times:
# the run is bounded (60 s), never paced
WATCHDOG_USEC=200000 python3 "$(dirname "$0")/notify_listen.py" 60 WATCHDOG=1#10:SIGHUP WATCHDOG=1#20:SIGTERM -- \
	"$HOTMEMD" --config /dev/null --sysroot "$root" --state-dir "$TMP/state" \
	--netlink=no --policy online_movable >"$TMP/out" 2>"$TMP/log"
sed 's/^/# /' "$TMP/out"
# (but a start's keepalives, EXTEND_TIMEOUT_USEC=, if its coldplug took 100 ms: 139)
first=$(grep '^pid=' "$TMP/out" | grep -v 'EXTEND_TIMEOUT_USEC=' | head -1)
check "first message: READY=1 with STATUS" grep -q 'READY=1|STATUS=' <<<"$first"
check "STATUS counts after coldplug" \
	grep -q 'READY=1|STATUS=11 blocks online, 3 movable, 1 failed; policy online_movable' <<<"$first"
check "blocks were onlined before READY=1" bash -c '[ "$(cat "$1"/sys/devices/system/memory/memory10/state)" = online_movable ]' _ "$root"
check "every message from the daemon's pid" \
	bash -c '! grep "^pid=" "$1" | grep -vE "^pid=([0-9]+) child=\1 "' _ "$TMP/out"
n=$(grep -c 'WATCHDOG=1' "$TMP/out")
check "WATCHDOG=1 repeatedly (WATCHDOG_USEC=200000): $n, the 20 the signals waited for" test "$n" -ge 20
# no more often than every 100 ms: each ping's turn began after the one
# before was sent (l), so the 2nd to the last turns lie between the first's
# l and the last's t, at least 100 ms apart (a bound, whatever the load)
span=$(grep 'WATCHDOG=1' "$TMP/out" | sed -n '1s/.* l=\([0-9]*\) .*/\1/p;$s/.* t=\([0-9]*\) .*/\1/p' |
	paste -sd' ' | awk '{ print $2 - $1 + 1 }')
check "... not more often than every 100 ms: $n in ${span:-?} ms" test "$n" -le $((${span:-0} / 100 + 2))
check "SIGHUP: RELOADING=1 with MONOTONIC_USEC" grep -q 'RELOADING=1|MONOTONIC_USEC=[0-9]' "$TMP/out"
check "... then READY=1 again" bash -c 'grep -A99 RELOADING=1 "$1" | grep -q "READY=1|STATUS="' _ "$TMP/out"
check "SIGTERM: STOPPING=1" grep -q 'STOPPING=1' "$TMP/out"
check "clean exit" grep -qx 'exit=0' "$TMP/out"
check "a block the policy cannot place is logged with block and reason" \
	grep -q 'memory11: left offline: policy online_movable; Movable not in valid_zones' "$TMP/log"

done_testing
