#!/bin/bash
# A node boundary inside a section (abuse29a N5): QEMU's -numa
# node,memdev= of 192M + 320M ends node 0 at 0xc000000, inside memory1 of
# 128 MiB blocks (one section).  6.12's memmap_init() gives each page its
# memblock range's node and frees it into its own zone: the guest's
# zoneinfo says node 0 DMA32 present 45056, node 1 81888 (QEMU's end
# 0x1ffdffff; here 0x1fffffff: 81920), managed <= present.  The engine
# gave memory1's pages node 0 whole: node 0's DMA32 managed 60416 >
# present, MemTotal 257656 kB for 196 MB, `check` EUCLEAN at boot.  The
# same after a restart, and `hotmem profile --from-sysfs` of it (split in
# 64 MiB parts, node 0 first: the same lines) boots with its invariants.
. "$(dirname "$0")/lib.sh"
require_env
HM=$HOTMEM_BUILD/hotmem
need_built "$HM"

cat >"$TMP/split.profile" <<'P'
profile = default
name = qemu-512m
nodes = 2
cpu_nodes = 0-1
ram = 0x1000-0x9efff node=0
ram = 0x100000-0xbffffff node=0
ram = 0xc000000-0x1fffffff node=1
cmdline = "hotmem.kernel_alloc=off"
P

# zoneinfo's "present"/"managed" of node $1's zone $2
zone_field() {
	awk -v z="Node $1, zone *$2\$" -v f="$3" '
		$0 ~ z { on = 1; next } /^Node / { on = 0 }
		on && $1 == f { print $2; exit }' "$MNT/proc/zoneinfo"
}
node_kb() { awk -v f="$2:" '$3 == f { print $4 }' "$MNT/sys/devices/system/node/node$1/meminfo"; }

# the machine as 6.12 boots it: per node, per zone, memory1 on both nodes
per_node_right() {
	local when=$1 M=$MNT/sys/devices/system/memory
	is "$(zone_field 0 DMA32 present) $(zone_field 1 DMA32 present)" "45056 81920" \
		"$when: DMA32 present per node (6.12: 45056, 81888 to QEMU's end)"
	# managed: present less the boot memmap on each node (6.12: 43919 /
	# 54105, less its own boot allocations too)
	is "$(zone_field 0 DMA32 managed) $(zone_field 1 DMA32 managed)" "44032 80896" \
		"$when: DMA32 managed per node, each within its present"
	is "$(node_kb 0 MemTotal) $(node_kb 1 MemTotal)" "192120 323584" \
		"$when: node0/meminfo and node1/meminfo MemTotal: each node's own pages"
	[ -L "$M/memory1/node0" ] && [ -L "$M/memory1/node1" ] &&
		[ "$(cat "$M/memory1/valid_zones")" = none ]
	tap_ok $? "$when: memory1 linked under both nodes, valid_zones none"
	is "$(ctl check 2>&1)" "invariants hold" "$when: hotmemctl check holds"
}

mount_fs "the 192M + 320M two-node machine mounts" --fresh --profile "$TMP/split.profile"
per_node_right "boot"
is "$(w "$MNT/sys/devices/system/memory/memory1/state" offline)" "EINVAL" \
	"offline memory1 (two nodes, zone none): EINVAL"
is "$(cat "$MNT/sys/devices/system/memory/memory1/state")" online "... memory1 stays online"
stop_fs

mount_fs "hotmemfs starts again from its state" --profile "$TMP/split.profile"
per_node_right "restart"

export_profile a
grep -q "could not infer: memory1 spans 2 nodes .*split in 64 MiB parts, node 0 first" "$TMP/a.notes"
tap_ok $? "from-sysfs: memory1's split in 64 MiB parts, node 0 first"
is "$(grep -E '^ram ' "$TMP/a.profile" | paste -sd ';')" \
	"ram = 0x1000-0x9efff node=0;ram = 0x100000-0xbffffff node=0;ram = 0xc000000-0x1fffffff node=1" \
	"... the machine's own ram lines"
mount_fs "the from-sysfs profile mounts" --fresh --profile "$TMP/a.profile"
per_node_right "from-sysfs"
stop_fs
done_testing
