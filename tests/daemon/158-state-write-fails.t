#!/bin/bash
# A state-dir record that cannot be written whole leaves nothing behind:
# boot-blocks' writer left its boot-blocks.tmp, cut where the write
# failed, where state_dir/offlined's unlinked it (one writer for both
# now, daemon/statefile.c).  The write fails here by RLIMIT_FSIZE (EFBIG
# past 1 KiB, SIGXFSZ ignored): no root, no full file system needed.
# Each failure is said, the record in place is the last one written
# whole; the next start, not limited, writes boot-blocks.
. "$(dirname "$0")/lib.sh"
need_hotmemd
need_built "$UEVENT_SEND"
need_tool python3 python3

root=$TMP/root sock=$TMP/uevent.sock state=$TMP/state
mk_sysroot "$root"
set_boot_id "$root" 1b2c3d4e-0000-4000-8000-000000000158
zone_add "$root" 0 Normal $((500 * 32768))
# blocks 0-999, the odd ones hot-added offline: boot-blocks' list "0,2,...,998", 2 KiB
odd_hot_added() {
	mk_many "$root" 0 999 online Normal && mk_many "$root" 1 999 offline "Normal Movable" 2
}
check "1000 blocks, every other one offline" odd_hot_added
log=$TMP/1.log
: >"$log"
# its log through a pipe: RLIMIT_FSIZE limits writes to files, the log's too
(
	trap '' XFSZ
	ulimit -f 1
	exec "$HOTMEMD" --config /dev/null --sysroot "$root" --state-dir "$state" --netlink=no \
		--uevent-socket "$sock" --policy online --log-level debug
) 2> >(cat >"$log") &
pid1=$!
_pids+=("$pid1")
check "hotmemd 1 (files up to 1 KiB) ready" wait_for 60 ready 1
check "boot-blocks not written: said" \
	grep -q "cannot remember boot memory in $state/boot-blocks: File too large" "$log"
is "$(ls -A "$state")" "" "... and nothing left in the state dir, no boot-blocks.tmp"
# someone offlines the 200 blocks 1, 3, ... 399: a record of 3 KiB or more
for ((i = 1; i < 400; i += 2)); do echo offline >"$root/sys/devices/system/memory/memory$i/state"; done
"$UEVENT_SEND" --unix "$sock" offline $(seq 1 2 399)
check "offlined not written: said" wait_for 20 grep -q \
	"cannot record the blocks offlined by someone else in $state/offlined: File too large (a restart onlines them)" "$log"
tmps() { ls -A "$state" | grep -c '\.tmp$'; }
is "$(tmps)" 0 "... no offlined.tmp left (a first, short record may be there)"
kill "$pid1"
wait_exit "$pid1" 10

SOCK_STATE=$state sock_start 2 --log-level debug
check "hotmemd 2, not limited, ready" wait_for 60 ready 2
is "$(sed -n 1p "$state/boot-blocks" | cut -d, -f1-3)" "0,2,4" "... writes boot-blocks"
is "$(tmps)" 0 "... no .tmp in the state dir"
check "... the offlined record there, if any, is whole: not refused" \
	bash -c "! grep -q 'is not a record of offlined blocks' '$TMP/2.log'"
grep -h "cannot\|boot memory" "$log" "$TMP/2.log" | cut -c1-300 | sed 's/^/# log: /'
done_testing
