#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# abuse28 T7: the blocks map held 4096 blocks and then stopped keeping
# them without a word ("0 dropped").  Its room is sized before load
# (--max-blocks N, else from the machine), and a block step it has no room
# for is counted: in the summary and in the counters map (blocks_full).
# usdt_target's scenario onlines and offlines 2 blocks (32, 33): with
# room for 1, the second one's steps are the ones counted.  Runs in a
# private mount namespace on a BPF filesystem of its own.  Needs root
# (BPF), uprobes and bpftool.
. "$(dirname "$0")/lib.sh"
in_own_mount_ns "$@"
need_tool bpftool bpftool
usdt_test 7
own_mount bpf "$D/fs"
P=$D/fs/hotmem

# run ARGS...: the scenario traced with ARGS, the maps dumped before its end
run() {
	timeout 120 "$HT" --emulator "$T" --pin "$P" -o "$D/out" "$@" -- sh -c \
		'"$0" scenario >/dev/null && bpftool -j map dump pinned "$1/blocks" >"$2/blocks.json" &&
		 bpftool -j map dump pinned "$1/counters" >"$2/counters.json"' "$T" "$P" "$D" \
		2>"$D/err"
}

run --max-blocks 1
ok $? "--max-blocks 1: traced, exit 0"
diag <"$D/err"
grep -q "^hotmem-trace: [0-9]* events, 0 dropped, [0-9]* USDT probe hits, [1-9][0-9]* block steps not kept in the blocks map (full at 1 blocks: --max-blocks)$" "$D/err"
ok $? "... the summary counts the block steps the map had no room for"
[ "$(grep -o '"block":[0-9]*' "$D/blocks.json" | tr -d ' ' | sort -u)" = '"block":32' ]
ok $? "... the blocks map kept the first block only"
full=$(tr -d ' \n' <"$D/counters.json" | grep -o '"blocks_full":[0-9]*' | awk -F: '{ s += $2 } END { printf "%.0f", s }')
grep -o '[0-9]* block steps not kept' "$D/err" | grep -qx "${full:-x} block steps not kept"
ok $? "... and the counters map's blocks_full add up to it ($full)"
tr -d ' \n' <"$D/counters.json" | grep -q '"fn":"HMT_FN_online_pages",.*"blocks_full":[1-9]'
ok $? "... online_pages among the steps counted"

run
grep -q "^hotmem-trace: [0-9]* events, 0 dropped, [0-9]* USDT probe hits$" "$D/err" &&
	[ "$(grep -o '"block":[0-9]*' "$D/blocks.json" | sort -u | wc -l)" = 2 ]
ok $? "the default room: both blocks kept, nothing counted"
diag <"$D/err"

"$HT" --emulator "$T" --no-pin --max-blocks 0 -d 1 2>"$D/err"
rc=$?
[ $rc = 2 ] && grep -q "^hotmem-trace: --max-blocks 0: not a number of blocks from 1 to 16777216$" "$D/err"
ok $? "--max-blocks 0: a usage error, exit 2 (got $rc)"
done_testing
