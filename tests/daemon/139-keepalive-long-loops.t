#!/bin/bash
# systemd's keepalives from inside hotmemd's long loops (abuse25a B9): a
# coldplug, a rescan and a uevent drain run block after block without the
# event loop, whose watchdog timer could not fire: WATCHDOG=1 gaps of 3 s
# in a 4096-block burst (a 1-s WatchdogSec= kills it), and a start's
# coldplug of 131072 blocks passed TimeoutStartSec=60s before READY=1.
# Now the loops send WATCHDOG=1 each half watchdog period once ready,
# and EXTEND_TIMEOUT_USEC= with the coldplug's progress before READY=1
# and during a reload's rescan (TimeoutStartSec= times a reload too).
# WATCHDOG_USEC=2: a ping due each microsecond, so that 300 blocks'
# coldplug and a SIGHUP's rescan of them each must send some -- neither
# can do its 300 blocks' file I/O within 1 us, on any machine (with
# WATCHDOG_USEC=2000 a fast enough machine could: reread25 R3); none came
# from inside either before.  Without hmd_keepalive() in
# hmd_stop_requested() checks 1 and 3 fail (checked).
. "$(dirname "$0")/lib.sh"
need_hotmemd
need_tool python3 python3

root=$TMP/root
mk_boot_512m "$root"
mk_blocks "$root" 8 307 offline "Normal Movable"

# the signals after the loop's own turns (its watchdog's): bounded, never paced
WATCHDOG_USEC=2 python3 "$(dirname "$0")/notify_listen.py" 60 WATCHDOG=1#20:SIGHUP \
	READY=1#2:SIGTERM -- \
	"$HOTMEMD" --config /dev/null --sysroot "$root" --state-dir "$TMP/state" \
	--netlink=no --policy online_movable >"$TMP/out" 2>"$TMP/log"
grep -v 'WATCHDOG=1$' "$TMP/out" | sed 's/^/# /'
check "the start's coldplug extends the start timeout before READY=1" \
	bash -c 'sed "/READY=1/,\$d" "$1" | grep -q "EXTEND_TIMEOUT_USEC=[0-9]*|STATUS=coldplug: "' _ "$TMP/out"
check "... all 300 new blocks onlined by READY=1" grep -q 'READY=1|STATUS=304 blocks online, 300 movable' "$TMP/out"
# between RELOADING=1 and the READY=1 after it: the rescan's own pings
n=$(sed -n '/RELOADING=1/,/READY=1/p' "$TMP/out" | grep -cE '(^|[| ])WATCHDOG=1(\||$)')
check "a SIGHUP's rescan pings the watchdog meanwhile: $n" test "$n" -ge 1
# TimeoutStartSec= bounds a reload too: its rescan extends it, as the start's coldplug
check "... and extends the reload's timeout, its progress in STATUS=" \
	bash -c 'sed -n "/RELOADING=1/,/READY=1/p" "$1" | grep -q "WATCHDOG=1|EXTEND_TIMEOUT_USEC=[0-9]*|STATUS=reloading: "' _ "$TMP/out"
check "clean exit" grep -qx 'exit=0' "$TMP/out"
done_testing
