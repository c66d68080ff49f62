#!/bin/bash
# What lsmem asks hotmemfs, by opcode (status "fuse"), and that what it
# shows stays fresh.  lsmem reads each memoryN/ only up to its nodeY link,
# so that listing is never cached and the kernel invalidates the
# directory's atime after it: without help every later lsmem's opendir()
# fstat() would cost a GETATTR a block.  hotmemfs drops memory/'s cached
# listing once after a memoryN/ is listed (fs.c blocks_atime_note()), so
# the next lsmem's scandir of memory/ refreshes every block's attributes
# in bulk (READDIRPLUS): a handful of requests instead of one a block.
. "$(dirname "$0")/lib.sh"
require_env
need_tool lsmem util-linux
M=$MNT/sys/devices/system/memory

start_fs --profile host-24g --fresh
tap_ok $? "hotmemfs mounts host-24g"
ctl device_add pc-dimm id=d1 size=128M >/dev/null
tap_ok $? "a 128 MiB DIMM"
blocks=$(ls "$M" | grep -c '^memory[0-9]')

# one opcode's requests so far
ops() {
	ctl status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["fuse"]["by-opcode"].get(sys.argv[1], 0))' "$1"
}

lsmem --sysroot "$MNT" >"$TMP/first"
tap_ok $? "lsmem over $blocks blocks"
g0=$(ops GETATTR)
r0=$(ops READDIRPLUS)
lsmem --sysroot "$MNT" >"$TMP/second"
g1=$(ops GETATTR)
r1=$(ops READDIRPLUS)
diag "second lsmem: $((g1 - g0)) GETATTR, $((r1 - r0)) READDIRPLUS for $blocks blocks"
tap_ok "$([ $((g1 - g0)) -lt $((blocks / 8)) ]; echo $?)" \
	"a second lsmem asks no GETATTR a block ($((g1 - g0)) for $blocks blocks)"
tap_ok "$([ $((r1 - r0)) -le $((blocks + blocks / 8)) ]; echo $?)" \
	"one READDIRPLUS a block, and memory/ in bulk ($((r1 - r0)) for $blocks blocks)"
same_output "$(cat "$TMP/second")" "$(cat "$TMP/first")" "the same lsmem both times"

# fresh after a change: the DIMM's block online, then offline again
last=$(ls "$M" | grep '^memory[0-9]' | sed 's/memory//' | sort -n | tail -1)
was=$(cat "$M/memory$last/state")
[ "$was" = offline ] || echo offline >"$M/memory$last/state"
echo online_movable >"$M/memory$last/state"
tap_ok $? "memory$last online_movable"
is "$(lsmem --sysroot "$MNT" -a -o BLOCK,STATE -n -r | awk -v b="$last" '$1 == b { print $2 }')" \
	online "lsmem shows memory$last online"
echo offline >"$M/memory$last/state"
is "$(lsmem --sysroot "$MNT" -a -o BLOCK,STATE -n -r | awk -v b="$last" '$1 == b { print $2 }')" \
	offline "lsmem shows memory$last offline again"
[ "$was" = offline ] || echo "$was" >"$M/memory$last/state"
same_output "$(lsmem --sysroot "$MNT")" "$(cat "$TMP/first")" "lsmem as at first"

stop_fs
done_testing
