#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The blocks map of an emulated machine whose memory block is not the
# host's (abuse28 T4): huge-64t's blocks are 2 GiB, and the BPF side cut
# the engine's steps by this host's block_size_bytes (128 MiB here), so
# every online_pages spanned 16 "blocks" and the map stayed empty.  Now
# the engine's block size is its memory_block_online/offline's range.
# The command waits for a file made after the dump: no race with a clock.
# Needs root (BPF), uprobes and bpftool.
. "$(dirname "$0")/lib.sh"
need_tool bpftool bpftool
engine_test 3
PIN=/sys/fs/bpf/hotmem_test_blocksize_$$
trap 'touch "$D/go"; rm -rf "$D"' EXIT

printf 'add 0x80000000 4G\nonline 1 online_movable\nonline 2 online_movable\noffline 2\n' >"$D/s.hm"
"$HT" --emulator "$HM" --pin "$PIN" --json -o "$D/t.jsonl" -- sh -c \
	'"$1" --profile huge-64t run "$2" >/dev/null && touch "$3/ran" &&
	 while [ ! -e "$3/go" ]; do sleep 0.1; done' _ "$HM" "$D/s.hm" "$D" 2>"$D/err" & tr=$!
for _ in $(seq 600); do [ -e "$D/ran" ] || ! kill -0 $tr 2>/dev/null && break; sleep 0.1; done
bpftool map dump pinned "$PIN/blocks" >"$D/dump" 2>&1
touch "$D/go"
wait_exit $tr 60
ok $? "hotmem-trace -- hotmem --profile huge-64t run: exit 0"
tr -d ' \n' <"$D/dump" >"$D/flat"
grep -q '"key":{"src":"HMT_SRC_EMULATOR","pad":0,"block":1},"value":{"start_pfn":524288,[^}]*"onlined":1,"offlined":0,' "$D/flat" &&
	grep -q '"key":{"src":"HMT_SRC_EMULATOR","pad":0,"block":2},"value":{"start_pfn":1048576,[^}]*"onlined":1,"offlined":1,' "$D/flat"
ok $? "blocks: memory1 and memory2 (2 GiB blocks), onlined, memory2 offlined"
[ "$(grep -o '"block":[0-9]*' "$D/flat" | sort -u | tr '\n' ' ')" = '"block":1 "block":2 ' ]
ok $? "... and no other block"
diag <"$D/dump"
diag <"$D/err"
done_testing
