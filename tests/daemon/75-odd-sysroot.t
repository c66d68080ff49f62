#!/bin/bash
# hotmemd on a sysroot that is odd but could be real: a memory block whose
# id is beyond what hotmemd models (2^22 blocks, 512 TiB of 128 MiB
# blocks; a 52-bit machine can have more) is logged and left alone, by the
# coldplug as by an ADD, never ignored silently; a block on a node past
# the 64 hotmemd keeps (NODES_SHIFT 10 allows 1024) is counted as node0's,
# and the log says so once.
. "$(dirname "$0")/lib.sh"
need_hotmemd
need_built "$UEVENT_SEND"

root=$TMP/root
log=$TMP/log
mk_sysroot "$root"
mk_blocks "$root" 0 7 online Normal
zone_add "$root" 0 Normal 262144
mk_block "$root" 8 offline "Normal Movable"
mk_block "$root" 4194304 offline "Normal Movable"
mk_block "$root" 4194305 offline "Normal Movable"

"$HOTMEMD" --config /dev/null --sysroot "$root" --state-dir "$TMP/state" --netlink=no \
	--oneshot 2>"$log"
is "$?" 0 "--oneshot on a sysroot with blocks beyond 2^22"
is "$(state "$root" 8)" online_movable "memory8 is onlined"
is "$(state "$root" 4194304)" offline "memory4194304 is left alone"
check "the coldplug says it left 2 blocks alone, naming the first" \
	grep -q "2 block(s) from memory4194304 on are beyond the 4194304 hotmemd handles: left alone" "$log"
grep -v "memory8:" "$log" | sed 's/^/# /'

sock=$TMP/uevent.sock
"$HOTMEMD" --config /dev/null --sysroot "$root" --state-dir "$TMP/state" --netlink=no \
	--uevent-socket "$sock" 2>"$log" &
pid=$!
_pids+=("$pid")
wait_for 5 test -S "$sock"
"$UEVENT_SEND" --unix "$sock" add 4194305
check "an ADD of one says so too" wait_for 5 grep -q "memory4194305: block id out of range" "$log"
kill "$pid"
wait_exit "$pid" 10

root2=$TMP/root2
mk_sysroot "$root2"
mk_blocks "$root2" 0 7 online Normal
zone_add "$root2" 0 Normal 262144
mk_block "$root2" 8 offline "Normal Movable" 70
mk_block "$root2" 9 offline "Normal Movable" 71
"$HOTMEMD" --config /dev/null --sysroot "$root2" --state-dir "$TMP/state2" --netlink=no \
	--oneshot 2>"$log"
is "$?" 0 "--oneshot on a sysroot with blocks on node70 and node71"
is "$(state "$root2" 8)" online_movable "memory8 (node70) is onlined"
is "$(grep -c "past the 64 nodes hotmemd keeps" "$log")" 1 \
	"a block on a node past 64 is said once, not silently counted as node0's"
check "the line names the block and its node" \
	grep -Eq "memory(8 is on node70|9 is on node71), past the 64 nodes hotmemd keeps: counted as node0's" "$log"
grep "past the" "$log" | sed "s/^/# /"
done_testing
