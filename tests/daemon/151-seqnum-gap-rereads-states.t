#!/bin/bash
# A Unix-socket sender's uevent lost (a SEQNUM gap: a sender that drops at
# EAGAIN) may be any action: here the admin's OFFLINE of memory16.  The
# settle after the gap reads the known blocks' state again, as after a
# netlink ENOBUFS, and counts memory16 offline -- deciding none of them:
# memory16 stays offline.  It only relisted memory/ for new blocks, and
# hotmemd counted memory16 online (STATUS=, auto-movable's sums) until a
# restart.
. "$(dirname "$0")/lib.sh"
need_hotmemd
need_built "$UEVENT_SEND"

root=$TMP/root sock=$TMP/uevent.sock
mk_sysroot "$root"
mk_blocks "$root" 0 15 online Normal
zone_add "$root" 0 Normal 524288
mk_blocks "$root" 16 17 online Movable
zone_add "$root" 0 Movable 65536
mem=$root/sys/devices/system/memory
send() { "$UEVENT_SEND" --unix "$sock" --seq "$1" "$2" "$3"; }
status() { # status N: the Nth SIGUSR1 status said (what came before it is done)
	kill -USR1 "$pid1"
	wait_for 10 sh -c '[ "$(grep -c "status: .*blocks present" "$1")" -ge "$2" ]' _ "$TMP/1.log" "$1"
}

sock_start 1 --log-level debug
check "hotmemd ready" wait_for 10 ready 1
send 1 change 17
check "status said" status 1
check "... 18 blocks online" grep -q "status: 18 blocks online" "$TMP/1.log"
# the admin offlines memory16; its OFFLINE (2) is lost, the next uevent is 3
echo offline >"$mem/memory16/state"
echo "Normal Movable" >"$mem/memory16/valid_zones"
send 3 change 17
check "the gap is the settle's reason to look" \
	wait_for 10 grep -q "uevents settled: SEQNUM 3 after 1 on $sock: rescanning memory/" "$TMP/1.log"
check "... memory16's lost OFFLINE read as such" \
	grep -q "1 known block(s) went online or offline without a uevent, from memory16 on: read again, none decided" "$TMP/1.log"
check "status said again" status 2
is "$(grep "status: .*blocks present" "$TMP/1.log" | tail -1 | sed 's/;.*//')" \
	"hotmemd: notice: status: 17 blocks online, 1 movable, 0 failed" "... counting memory16 offline"
is "$(state "$root" 16)" offline "memory16 stays offline"
grep -E "memory16|settled|known block|status: [0-9]" "$TMP/1.log" | sed 's/^/# log: /'
done_testing
