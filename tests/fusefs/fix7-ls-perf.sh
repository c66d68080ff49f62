#!/bin/bash
# fix7 ad-hoc (not committed): first getdents listing of memory/, bus/memory/devices/, node0/ with N blocks (fresh mount each)
set -u
. "$(dirname "$0")/lib.sh"
require_env
HMFS=${HMFS_BIN:-$HMFS}
n=$BLOCKS
printf 'profile = huge-64t\nname = huge-16t-128m\nblock_size = 128M\nmaxmem = 16T\n' >"$TMP/p.profile"
start_fs -S none --profile "$TMP/p.profile" || exit 1
findmnt -t fuse.hotmemfs "$MNT" >/dev/null || { echo "Bail out! not a hotmemfs mount"; exit 1; }
M=$MNT/sys/devices/system/memory
bs=$((0x$(cat $M/block_size_bytes)))
have=$(ls -f $M | grep -c '^memory')
ctl device_add pc-dimm id=d$n addr=0x80000000 size=$(( (n - have) * bs )) >/dev/null && ctl settle --timeout 600 >/dev/null || echo "# device_add failed"
cpu() { awk '{print $14 + $15}' /proc/$FS_PID/stat; }
for d in "$M" "$MNT/sys/bus/memory/devices" "$MNT/sys/devices/system/node/node0"; do
	c0=$(cpu); t0=$(date +%s.%N)
	c=$(python3 -c 'import os,sys; print(len(os.listdir(sys.argv[1])))' "$d")
	t1=$(date +%s.%N); c1=$(cpu)
	echo "# $(basename $HMFS) $n blocks: $(basename $d): $c entries in $(echo "$t1 - $t0" | bc) s, hotmemfs CPU $(( (c1 - c0) * 10 )) ms"
done
stop_fs
