#!/bin/bash
# A boot-blocks record of 1000 runs -- boot memory every other block, the
# blocks between hot-added and offline at the first start -- is read again
# by a restart.  load_state() read line 1 into 4096 bytes: a list of more
# than some 680 scattered runs was "damaged", and the restart re-anchored
# boot memory from what the machine showed then (every block online by
# then: the hot-added half taken as boot memory too; D1's reader half,
# reread38 R8's limit).  The anchor a process keeps without a record
# (--state-dir "") had the same limit: longer, not kept, and a reload
# anchored anew.
. "$(dirname "$0")/lib.sh"
need_hotmemd
need_tool python3 python3

root=$TMP/root sock=$TMP/uevent.sock
mk_sysroot "$root"
set_boot_id "$root" 1b2c3d4e-0000-4000-8000-000000000157
zone_add "$root" 0 Normal $((1000 * 32768))
check "2000 blocks, every other one offline (hot-added, not onlined yet)" \
	eval 'mk_many "$root" 0 1998 online Normal 2 && mk_many "$root" 1 1999 offline "Normal Movable" 2'
# odd_offline: the odd ones offline again
odd_offline() {
	local i
	for ((i = 1; i < 2000; i += 2)); do
		echo offline >"$root/sys/devices/system/memory/memory$i/state" || return 1
	done
}
export SOCK_STATE=$TMP/state
list=$(seq -s, 0 2 1998)

sock_start 1 --log-level debug
check "hotmemd 1 ready" wait_for 120 ready 1
is "$(sed -n 1p "$SOCK_STATE/boot-blocks")" "$list" "the first start records every other block as boot memory"
check "... a list of 1000 runs, longer than 4096 bytes" \
	test "$(sed -n 1p "$SOCK_STATE/boot-blocks" | wc -c)" -gt 4096
is "$(state "$root" 1999)" online "... and onlines the hot-added blocks"
kill "$pid1"
wait_exit "$pid1" 10

sock_start 2 --log-level debug
check "hotmemd 2 ready" wait_for 120 ready 2
check "the restart reads the record: not taken for damaged" \
	bash -c "! grep -q 'boot-blocks: line ' '$TMP/2.log'"
is "$(sed -n 1p "$SOCK_STATE/boot-blocks")" "$list" "... the record unchanged"
is "$(grep -c "boot memory: " "$TMP/2.log")" 0 "... boot memory not anchored anew"
kill "$pid2"
wait_exit "$pid2" 10

# without a record: the process's own anchor, kept for a reload
check "the odd blocks offline again" odd_offline
log=$TMP/3.log
: >"$log"
"$HOTMEMD" --config /dev/null --sysroot "$root" --state-dir "" --netlink=no \
	--uevent-socket "$sock" --policy online 2>"$log" &
pid3=$!
_pids+=("$pid3")
check "hotmemd 3 (--state-dir \"\") ready" wait_for 120 ready 3
check "... boot memory: the 1000 blocks online at start" \
	grep -q "boot memory: 1000 online blocks taken as boot memory" "$log"
kill -HUP "$pid3"
check "reloaded" wait_for 120 grep -q "configuration reloaded" "$log"
is "$(grep -c "boot memory: " "$log")" 1 "boot memory anchored once: the reload reuses the long anchor"
grep -h "boot memory\|boot-blocks\|reload" "$TMP"/[123].log | cut -c1-300 | sed 's/^/# log: /'
done_testing
