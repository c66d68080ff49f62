#!/bin/bash
# hotmem profile --from-sysfs reads memoryN, nodeN and virtioN by the
# kernel's names alone: a number, nothing after it.  A dump with a stray
# copy of a block's directory beside the blocks ("memory999.orig", a cp -r
# of a hand-edited dump) took 999 for the highest block and raised maxmem
# to 128 GiB: scan_blocks() read "memory%lu" with nothing after it
# checked, where the node links' scans did.  No mount, no root.
set -u
B=${HOTMEM_BUILD:-build}
HM=$B/hotmem
echo "1..3"
if [ ! -x "$HM" ]; then
	for i in 1 2 3; do echo "ok $i # SKIP $HM not built"; done
	exit 0
fi
TMP=$(mktemp -d /tmp/hotmem-from-sysfs.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
M=$TMP/d/sys/devices/system/memory
mkdir -p "$M"
echo 8000000 >"$M/block_size_bytes"
for i in 0 1 2 3 4 5 6 7; do
	mkdir -p "$M/memory$i/node0"
	echo online >"$M/memory$i/state"
	echo Normal >"$M/memory$i/valid_zones"
done
"$HM" profile --from-sysfs "$TMP/d" -o "$TMP/clean.profile" 2>/dev/null &&
	grep -qx "maxmem = 0x1000000000" "$TMP/clean.profile"
rc=$?
[ $rc -eq 0 ] && echo "ok 1 - eight 128 MiB blocks: maxmem 64 GiB" || echo "not ok 1 - eight 128 MiB blocks: maxmem 64 GiB"

cp -a "$M/memory7" "$M/memory999.orig"
mkdir -p "$M/memory7/node1x"
"$HM" profile --from-sysfs "$TMP/d" -o "$TMP/stray.profile" 2>/dev/null
[ $? -eq 0 ] && echo "ok 2 - a dump with memory999.orig and memory7/node1x beside the blocks" ||
	echo "not ok 2 - a dump with memory999.orig and memory7/node1x beside the blocks"
if diff "$TMP/clean.profile" "$TMP/stray.profile" >"$TMP/diff"; then
	echo "ok 3 - ... the same profile: neither is a block or a node link"
else
	echo "not ok 3 - ... the same profile: neither is a block or a node link"
	sed 's/^/# /' "$TMP/diff"
fi
