#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The blocks map of a block whose first traced step is a failed offline
# (abuse28 T10): memory32 onlined (online_kernel) before the tracer
# starts, then `echo offline` refused with EBUSY.  The block is online, in
# Normal on node 0, as sysfs and the failing event say; the map read
# "online": 0, nid -1, zone "".  Inside hotmem-enter: the machine's
# hotmemfs, its own bpffs.  Needs root (BPF), uprobes, /dev/fuse, bpftool.
. "$(dirname "$0")/lib.sh"
ENTER=$B/hotmem-enter
need_usdt "$ENTER" "$B/hotmemfs"
need_tool bpftool bpftool
[ -c /dev/fuse ] || skip_all "no /dev/fuse"
echo "1..3"
W=$(mktemp -d /tmp/hotmem-blocks-failed.XXXXXX)
trap 'rm -rf "$W"' EXIT

timeout 300 "$ENTER" --profile qemu-512m -- bash -c '
	M=/sys/devices/system/memory
	hotmemctl device_add pc-dimm size=256M id=d1 >/dev/null
	echo online_kernel >$M/memory32/state
	"$2" -p /sys/fs/bpf/t10 --json -o "$1/t.jsonl" -d 120 2>"$1/t.err" &
	t=$!
	for _ in $(seq 600); do grep -q "ready: tracing" "$1/t.err" && break; sleep 0.05; done
	echo offline 2>"$1/offline.err" >$M/memory32/state
	echo $? >"$1/offline.rc"
	cat $M/memory32/state $M/memory32/valid_zones >"$1/sysfs"
	bpftool map dump pinned /sys/fs/bpf/t10/blocks >"$1/dump" 2>&1
	kill -INT $t; wait $t' _ "$W" "$HT" >"$W/out" 2>&1
[ "$(cat "$W/offline.rc" 2>/dev/null)" != 0 ] && grep -q "Device or resource busy" "$W/offline.err" &&
	[ "$(head -1 "$W/sysfs")" = online ]
ok $? "memory32 (online_kernel) refuses its offline, EBUSY, and stays online: $(tr '\n' ' ' <"$W/sysfs" 2>/dev/null)"
tr -d ' \n' <"$W/dump" >"$W/flat"
grep -q '"key":{"src":"HMT_SRC_EMULATOR","pad":0,"block":32},"value":{[^}]*"failed":1,' "$W/flat"
ok $? "blocks: memory32's failed offline counted"
grep -q '"block":32},"value":{[^}]*"online":1,"nid":0,"zid":"HMU_ZONE_NORMAL","zone":"Normal"' "$W/flat"
ok $? "... and it reads online, node 0, Normal (as sysfs and its event say)"
diag <"$W/dump"
diag <"$W/out"
done_testing
