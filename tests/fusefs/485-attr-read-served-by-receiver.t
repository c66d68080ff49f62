#!/bin/bash
# An attribute's open+read+close is served by the thread that received
# its requests (fs.c hmfs_session_loop()), never handed to a worker: a
# hand-off is a second wake-up each request pays, the kind that cost a
# FUSE server the reader's CPU (docs/bench-runs.md, "attr_read_vs_fuse_floor:
# which server keeps the reader's CPU").  status --json's fuse "to-workers"
# counts the hand-offs; a write of a block's state (which may wait for an
# offline) is one, so the count is seen to move.
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory

start_fs --profile host-24g --fresh
tap_ok $? "hotmemfs mounts host-24g"

# status's fuse field @1 (a number), or by-opcode's @2 when @1 is by-opcode
fuse_field() {
	ctl status --json | python3 -c '
import json, sys
f = json.load(sys.stdin)["fuse"]
print(f["by-opcode"].get(sys.argv[2], 0) if sys.argv[1] == "by-opcode" else f[sys.argv[1]])' "$@"
}

w0=$(fuse_field to-workers)
o0=$(fuse_field by-opcode OPEN)
r0=$(fuse_field by-opcode READ)
for i in $(seq 100); do
	read -r s <"$M/memory1/state"
	read -r z <"$M/memory1/valid_zones"
	read -r b <"$M/block_size_bytes"
done
is "$s" online "memory1/state reads online"
o1=$(fuse_field by-opcode OPEN)
r1=$(fuse_field by-opcode READ)
tap_ok "$([ $((o1 - o0)) -ge 300 ] && [ $((r1 - r0)) -ge 300 ]; echo $?)" \
	"300 reads reached hotmemfs ($((o1 - o0)) OPEN, $((r1 - r0)) READ)"
is "$(fuse_field to-workers)" "$w0" "none of their requests went to a worker"

echo online_movable >"$M/memory1/state" 2>/dev/null # online already: EINVAL, served all the same
w1=$(fuse_field to-workers)
tap_ok "$([ "$w1" -gt "$w0" ]; echo $?)" "a write of state goes to a worker ($w0 -> $w1)"

stop_fs
done_testing
