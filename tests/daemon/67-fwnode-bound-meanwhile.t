#!/bin/bash
# A DIMM's blocks bound to their ACPI device between hotmemd's read of a
# block's firmware_node (none yet) and its look at the ACPI memory devices
# (none unbound any more): the link is read again and the block decided
# with its DIMM's group, not alone.  The kernel binds the blocks after
# their ADDs (6.12 acpi_memory_enable_device(): __add_memory(), then
# acpi_bind_memory_blocks()), so the two reads can straddle the binding;
# hotmemd decided such a block alone (Movable where the kernel's
# auto-movable puts the whole DIMM in Normal, tests/daemon/66-*).  Forced
# here: PNP0C80:00/status is a FIFO, and the links are made while hotmemd
# waits in its open, before it reads "15".
. "$(dirname "$0")/lib.sh"
need_hotmemd
need_tool python3 python3
set -u

# 8 GiB of boot memory (64 blocks) and a DIMM of 200 blocks offline
# (64-263): 6553600 pages, past 301% of 2097152, so the kernel's
# auto-movable puts the DIMM in Normal whole; one block alone fits in Movable
root=$TMP/root
mk_sysroot "$root"
mk_blocks "$root" 0 63 online Normal
zone_add "$root" 0 Normal 2097152
mk_blocks "$root" 64 263 offline "Normal Movable"
acpi=$root/sys/bus/acpi/devices/PNP0C80:00
mkdir -p "$acpi"
mkfifo "$acpi/status"
# the binding (acpi_bind_one()): each block's firmware_node, the device's physical_node
bind() {
	local i
	for ((i = 64; i <= 263; i++)); do
		ln -s "../../../../bus/acpi/devices/PNP0C80:00" \
			"$root/sys/devices/system/memory/memory$i/firmware_node" || return 1
	done
	ln -s ../../../../devices/system/memory/memory64 "$acpi/physical_node"
}
export -f bind
export root acpi
python3 "$(dirname "$0")/fifo_feed.py" "$acpi/status" $'15\n' bash -c bind &
feeder=$!
timeout 60 "$HOTMEMD" --config /dev/null --sysroot "$root" --state-dir "$TMP/state" --oneshot \
	--netlink=no --policy auto-movable --log-level debug 2>"$TMP/err"
is "$?" 0 "--oneshot exits 0"
wait_exit "$feeder" 30 >/dev/null 2>&1
is "$?" 0 "the links were made while hotmemd read the ACPI device's status"
check "memory64 decided with its DIMM's group of 200 blocks" \
	grep -q "memory64: online_kernel (auto-movable: all nodes: movable 0 + 6553600 pages (this block and the rest of its static group) exceeds 301% of kernel early 2097152 pages (Movable 0 + 25 GiB, kernel 8 GiB))" "$TMP/err"
is "$(for i in $(seq 64 263); do state "$root" "$i"; done | sort -u)" online_kernel \
	"the DIMM's 200 blocks online_kernel, as the kernel's auto-movable"
grep -m3 "memory64:" "$TMP/err" | sed 's/^/# /'
done_testing
