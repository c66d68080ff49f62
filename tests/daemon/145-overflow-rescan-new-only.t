#!/bin/bash
# The netlink uevent queue overflows (ENOBUFS) while an admin unplugs
# memory: hotmemd's rescan handles the blocks new to it, as their lost
# ADD would have, and reads the state of those it knows -- it onlines
# none of them (reread36 R2).  It ran a coldplug there, which onlined
# every offline block: the one the admin had just offlined to unplug it
# too.  hotmemd runs without CAP_NET_ADMIN, as hotmemd.service does
# (CapabilityBoundingSet=): its queue is net.core.rmem_max, no more.
# Stopped (SIGSTOP), it reads nothing while a flood of uevents fills the
# queue; then the admin offlines memory16 and a DIMM plugs memory17,
# both uevents dropped with the queue full.
. "$(dirname "$0")/lib.sh"
need_hotmemd
need_built "$UEVENT_SEND"
need_tool setpriv util-linux
[ "$(id -u)" = 0 ] || skip_all "needs root for a private network namespace (unshare -n)"
unshare -n true 2>/dev/null || skip_all "unshare -n not permitted here"

root=$TMP/root
mk_sysroot "$root"
mk_blocks "$root" 0 15 online Normal # 2 GiB boot memory
zone_add "$root" 0 Normal 524288
mk_block "$root" 16 online_movable Movable
zone_add "$root" 0 Movable 32768
log=$TMP/log
: >"$log"
# more uevents than the queue holds: SO_RCVBUF is twice rmem_max, and a
# uevent's buffer takes well over 512 bytes of it
flood=$(($(cat /proc/sys/net/core/rmem_max) * 2 / 512 + 1000))
((flood >= 40000)) || flood=40000

cat >"$TMP/inner.sh" <<INNER
set -u
. "$HOTMEM_SRC/tests/daemon/lib.sh"
root=$root
setpriv --inh-caps=-net_admin --bounding-set=-net_admin "$HOTMEMD" --config /dev/null \
	--sysroot "\$root" --state-dir "$TMP/state" --policy online_movable \
	--log-level debug 2>"$log" &
pid=\$!
wait_for 10 grep -q "ready: sysroot" "$log" || echo "NOT READY"
kill -STOP \$pid
"$UEVENT_SEND" --netlink change 100000-\$((100000 + $flood)) || echo "FLOOD NOT SENT"
# the admin unplugs memory16: offlined, its OFFLINE dropped
echo offline >"\$root/sys/devices/system/memory/memory16/state"
echo "Normal Movable" >"\$root/sys/devices/system/memory/memory16/valid_zones"
"$UEVENT_SEND" --netlink offline 16
# a DIMM plugged meanwhile: memory17, its ADD dropped
mk_block "\$root" 17 offline "Normal Movable"
"$UEVENT_SEND" --netlink add 17
kill -CONT \$pid
wait_for 30 grep -q "memory17: online_movable" "$log" || echo "MEMORY17 NOT DECIDED"
kill -USR1 \$pid
wait_for 10 grep -q "status: .*blocks present" "$log" || echo "NO STATUS"
kill \$pid; wait_exit \$pid 10
INNER
out=$(unshare -n bash "$TMP/inner.sh" 2>&1)
echo "$out" | sed 's/^/# /'
check "hotmemd ready inside the private netns" bash -c '! grep -q "NOT READY" <<<"$1"' _ "$out"
check "the flood sent" bash -c '! grep -q "FLOOD NOT SENT" <<<"$1"' _ "$out"
check "the queue overflowed: the uevents lost said, a relisting due" \
	grep -q "the uevent queue overflowed (ENOBUFS): uevents lost; memory/ relisted when they settle" "$log"
grep -vE "uevent change|debug: (uevents settled|rescan after)" "$log" | sed 's/^/# log: /'
is "$(state "$root" 16)" offline "memory16, offlined by the admin, stays offline"
check "... its lost OFFLINE read as such" \
	grep -q "1 known block(s) went online or offline without a uevent, from memory16 on: read again, none decided" "$log"
is "$(state "$root" 17)" online_movable "memory17, its ADD lost, is handled as a new block"
check "... status counts memory16 offline, memory17 Movable" \
	grep -q "status: 17 blocks online, 1 movable, 0 failed" "$log"
check "... and auto-movable's figures: one block Movable" \
	grep -q "status: node0: movable 32768 pages, kernel early 524288 pages" "$log"
check "no coldplug after start" test "$(grep -c "coldplug:" "$log")" = 1
done_testing
