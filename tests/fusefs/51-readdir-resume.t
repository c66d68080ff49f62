#!/bin/bash
# A listing of memory/ is read a page of entries a request (READDIR or
# READDIRPLUS); each request resumes at the offset the last one ended at,
# which names a block by its id.  hotmemfs walked every block from the
# first up to that offset in each request: a listing was quadratic in the
# blocks (review7 D4; 131072 blocks: 630 ms of hotmemfs's CPU a listing).
# Counted, not timed: hotmemfs's calls of the engine's hotmem_block_next()
# (a bpftrace uprobe) while one listing of memory/ with 4096 blocks runs
# must stay within a few per block.
. "$(dirname "$0")/lib.sh"
require_env
command -v bpftrace >/dev/null || skip_all "no bpftrace"
printf 'profile = huge-64t\nname = huge-128m\nblock_size = 128M\nmaxmem = 1T\n' >"$TMP/p.profile"
start_fs -S none --profile "$TMP/p.profile"
tap_ok $? "hotmemfs mounts a machine of 128 MiB blocks"
findmnt -t fuse.hotmemfs "$MNT" >/dev/null || { echo "Bail out! not a hotmemfs mount"; exit 1; }
M=$MNT/sys/devices/system/memory
have=$(ls "$M" | grep -c '^memory')
ctl device_add pc-dimm id=d1 addr=0x80000000 size=$(((4096 - have) * 128))M >/dev/null && ctl settle --timeout 120 >/dev/null
tap_ok $? "a DIMM up to 4096 blocks"
n=$(ls "$M" | grep -c '^memory')
is "$n" 4096 "memory/ lists 4096 blocks"
# the listing cached by the client is dropped: the next device_add changes memory/
ctl device_add pc-dimm id=d2 size=128M >/dev/null && ctl settle --timeout 60 >/dev/null
timeout 120 bpftrace -p "$FS_PID" -e "uprobe:$HMFS:hotmem_block_next { @calls = count(); }" \
	>"$TMP/bt.out" 2>&1 &
BT=$!
for _ in $(seq 600); do grep -q "Attaching" "$TMP/bt.out" 2>/dev/null && break; sleep 0.1; done
sleep 1
if ! grep -q "Attaching" "$TMP/bt.out"; then
	kill "$BT" 2>/dev/null
	diag "$(cat "$TMP/bt.out")"
	skip_rest=1
fi
if [ -z "${skip_rest:-}" ]; then
	n=$(python3 -c 'import os, sys; print(sum(1 for e in os.listdir(sys.argv[1]) if e.startswith("memory")))' "$M")
	is "$n" 4097 "one listing of memory/: 4097 blocks"
	kill -INT "$BT"
	for _ in $(seq 300); do kill -0 "$BT" 2>/dev/null || break; sleep 0.1; done
	wait_exit "$BT" 30
	calls=$(sed -n 's/^@calls: //p' "$TMP/bt.out")
	diag "hotmem_block_next() calls during the listing: ${calls:-none}"
	[ -n "$calls" ] && [ "$calls" -le $((3 * 4097)) ]
	tap_ok $? "hotmemfs walked the blocks about once (<= 3 calls a block), not once a request"
else
	diag "bpftrace cannot attach here: the count skipped"
fi
stop_fs
done_testing
