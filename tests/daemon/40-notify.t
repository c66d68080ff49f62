#!/bin/bash
# sd_notify protocol against a test-owned NOTIFY_SOCKET: READY=1 after
# coldplug, STATUS= with counts, WATCHDOG=1, RELOADING=1 on SIGHUP,
# STOPPING=1, all from the daemon's own pid.
. "$(dirname "$0")/lib.sh"
need_hotmemd
command -v python3 >/dev/null || skip_all "python3 missing"

root=$TMP/root
mk_sysroot "$root"
mk_blocks "$root" 0 7 online Normal
zone_add "$root" 0 Normal 262144
mk_blocks "$root" 8 10 offline "Normal Movable"
mk_block "$root" 11 offline "Normal"		# Movable not allowed here

WATCHDOG_USEC=200000 python3 "$(dirname "$0")/notify_listen.py" 3 1200:SIGHUP 2000:SIGTERM -- \
	"$HOTMEMD" --config /dev/null --sysroot "$root" --state-dir "$TMP/state" \
	--netlink=no --policy online_movable >"$TMP/out" 2>"$TMP/log"
sed 's/^/# /' "$TMP/out"
first=$(grep -m1 '^pid=' "$TMP/out")
check "first message: READY=1 with STATUS" grep -q 'READY=1|STATUS=' <<<"$first"
check "STATUS counts after coldplug" \
	grep -q 'READY=1|STATUS=11 blocks online, 3 movable, 1 failed; policy online_movable' <<<"$first"
check "blocks were onlined before READY=1" bash -c '[ "$(cat "$1"/sys/devices/system/memory/memory10/state)" = online_movable ]' _ "$root"
check "every message from the daemon's pid" \
	bash -c '! grep "^pid=" "$1" | grep -vE "^pid=([0-9]+) child=\1 "' _ "$TMP/out"
n=$(grep -c 'WATCHDOG=1' "$TMP/out")
check "WATCHDOG=1 about every 100 ms (WATCHDOG_USEC=200000): $n in 2 s" test "$n" -ge 10 -a "$n" -le 30
check "SIGHUP: RELOADING=1 with MONOTONIC_USEC" grep -q 'RELOADING=1|MONOTONIC_USEC=[0-9]' "$TMP/out"
check "... then READY=1 again" bash -c 'grep -A99 RELOADING=1 "$1" | grep -q "READY=1|STATUS="' _ "$TMP/out"
check "SIGTERM: STOPPING=1" grep -q 'STOPPING=1' "$TMP/out"
check "clean exit" grep -qx 'exit=0' "$TMP/out"
check "a block the policy cannot place is logged with block and reason" \
	grep -q 'memory11: left offline: policy online_movable; Movable not in valid_zones' "$TMP/log"

done_testing
