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
need_tool bpftrace bpftrace
printf 'profile = huge-64t\nname = huge-128m\nblock_size = 128M\nmaxmem = 1T\n' >"$TMP/p.profile"
mount_fs "hotmemfs mounts a machine of 128 MiB blocks" -S none --profile "$TMP/p.profile"
M=$MNT/sys/devices/system/memory
have=$(ls "$M" | grep -c '^memory')
ctl device_add pc-dimm id=d1 addr=0x80000000 size=$(((4096 - have) * 128))M >/dev/null && ctl settle --timeout 120 >/dev/null
tap_ok $? "a DIMM up to 4096 blocks"
n=$(ls "$M" | grep -c '^memory')
is "$n" 4096 "memory/ lists 4096 blocks"
# the listing cached by the client is dropped: the next device_add changes memory/
ctl device_add pc-dimm id=d2 size=128M >/dev/null && ctl settle --timeout 60 >/dev/null
# bpftrace runs the listing itself (-c): it starts it once the uprobe is
# attached and exits, printing the count, when it ends.  It was started
# apart and stopped with SIGINT, 1 s after its "Attaching 1 probe..."
# (printed before it attaches): under load the listing ran before the
# uprobe was there, and the SIGINT came before bpftrace's handler (a
# background job's SIGINT is ignored until then), so it never exited and
# was killed with no count (1 run in 25 beside 3 busy loops).
# ls -f: getdents64 only (no sort, no stat), one entry a line
timeout 300 bpftrace -e "uprobe:$HMFS:hotmem_block_next /pid == $FS_PID/ { @calls = count(); }" \
	-c "$(type -P ls) -f $M" >"$TMP/bt.out" 2>"$TMP/bt.err"
rc=$?
if grep -q "^Attaching" "$TMP/bt.out"; then
	is "$(grep -c '^memory[0-9]' "$TMP/bt.out")" 4097 "one listing of memory/: 4097 blocks"
	calls=$(sed -n 's/^@calls: //p' "$TMP/bt.out")
	diag "hotmem_block_next() calls during the listing: ${calls:-none} (bpftrace exit status $rc)"
	# at least once a block: the uprobe was there for the whole listing
	[ -n "$calls" ] && [ "$calls" -ge 4097 ] && [ "$calls" -le $((3 * 4097)) ]
	tap_ok $? "hotmemfs walked the blocks about once (4097 to 3 * 4097 calls), not once a request"
else
	sed 's/^/# /' "$TMP/bt.out" "$TMP/bt.err"
	diag "bpftrace cannot attach here: the count skipped"
fi
stop_fs
done_testing
