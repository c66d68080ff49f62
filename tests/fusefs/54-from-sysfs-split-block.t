#!/bin/bash
# hotmem profile --from-sysfs of a machine whose boot block spans two
# nodes (256 MiB blocks, node 0 ends 128 MiB into memory16): 6.12 links
# it under both (node_dev_init(): memory16/node0 and node1, node0/ and
# node1/memory16), shows the last node's id and valid_zones "none"
# (memory_block_add_nid()).  --from-sysfs took the first nodeN link it
# read: memory16 booted on one node, and export -> import -> export
# differed.  Now the profile splits the block between both nodes.
. "$(dirname "$0")/lib.sh"
require_env
HM=$HOTMEM_BUILD/hotmem
need_built "$HM"

cat >"$TMP/split.profile" <<'P'
profile = default
block_size = 256M
nodes = 3
ram = 0x1000-0x9efff node=0
ram = 0x100000-0x3fffffff node=0
ram = 0x100000000-0x107ffffff node=0
ram = 0x108000000-0x12fffffff node=1
cmdline = "hotmem.kernel_alloc=off"
P
start_fs --fresh --profile "$TMP/split.profile"
tap_ok $? "a machine whose memory16 is half node 0's, half node 1's mounts"
M=$MNT/sys/devices/system/memory
[ -L "$M/memory16/node0" ] && [ -L "$M/memory16/node1" ] && [ "$(cat "$M/memory16/valid_zones")" = none ]
tap_ok $? "... memory16 linked under both nodes, valid_zones none"
ctl device_add pc-dimm id=d1 size=512M node=2 addr=0x200000000 >/dev/null
tap_ok $? "a DIMM on node 2 at 8 GiB"
export_profile a
is "$(grep -E '^ram ' "$TMP/a.profile" | tail -2 | paste -sd ';')" \
	"ram = 0x100000000-0x107ffffff node=0;ram = 0x108000000-0x12fffffff node=1" \
	"memory16's memory split: node 0's half, then node 1's"
grep -q "could not infer: memory16 spans 2 nodes" "$TMP/a.notes"
tap_ok $? "... and it says where the split is was not in sysfs"
is "$(grep -c '^hotplug ' "$TMP/a.profile")" 1 "the DIMM: one hotplug line"

profile_same_tree a --fresh
is "$(cd "$TMP/a" && find . | sort | md5sum)" "$(cd "$TMP/a.again" && find . | sort | md5sum)" "... the same names"

# a dump with the node side's links alone (memory16 names only node1):
# node0/memory16 says the block is node 0's too
rm "$TMP/a/sys/devices/system/memory/memory16/node0"
"$HM" profile --from-sysfs "$TMP/a" -o "$TMP/c.profile" 2>/dev/null
is "$(grep -E '^ram ' "$TMP/c.profile" | tail -2 | paste -sd ';')" \
	"ram = 0x100000000-0x107ffffff node=0;ram = 0x108000000-0x12fffffff node=1" \
	"node0/memory16 alone tells the block is node 0's too"
done_testing
