#!/bin/bash
# Firmware that describes boot RAM as ACPI memory devices too: the kernel
# binds them all the same (6.12 drivers/acpi/acpi_memhotplug.c
# acpi_memory_enable_device(): __add_memory() answers -EEXIST for memory
# it has, and acpi_bind_memory_blocks() links it), so memory0 has a
# firmware_node.  boot_blocks = auto took every linked block as hot-added
# (a QEMU DIMM cold-plugged at boot is never early memory) and so found no
# boot memory at all, said at notice: KERNEL_EARLY near 0, and auto-movable
# put a DIMM hot-added later in Normal, where the kernel's own auto-movable
# (present_early_pages counts the boot sections) puts it in Movable
# (finalG 6).  The lowest block is boot RAM: linked, the links say nothing,
# the online blocks are boot memory, and hotmemd says so at warning.
. "$(dirname "$0")/lib.sh"
need_hotmemd
set -u

# 2 GiB of boot memory (memory0-15) in two ACPI memory devices, and a DIMM
# of 4 GiB (memory16-47) hot-added, offline, bound to a third:
# 1048576 pages Movable are within 301% of the 524288 boot pages
root=$TMP/root
mk_sysroot "$root"
mk_blocks "$root" 0 15 online Normal
zone_add "$root" 0 Normal 524288
mk_blocks "$root" 16 47 offline "Movable Normal"
link() { # link FIRST LAST SLOT
	local i
	for ((i = $1; i <= $2; i++)); do
		ln -s "../../../LNXSYSTM:00/LNXSYBUS:00/PNP0A06:04/PNP0C80:0$3" \
			"$root/sys/devices/system/memory/memory$i/firmware_node" || return 1
	done
}
check "memory0-7, memory8-15 and memory16-47 linked to PNP0C80:00, :01, :02" \
	eval 'link 0 7 0 && link 8 15 1 && link 16 47 2'

check "hotmemd --oneshot, a fresh state dir" \
	timeout 60 "$HOTMEMD" --config /dev/null --sysroot "$root" --state-dir "$TMP/state" --oneshot \
	--netlink=no --policy auto-movable --log-level info 2>"$TMP/err"
grep "boot memory" "$TMP/err" | sed 's/^/# /'
is "$(head -1 "$TMP/state/boot-blocks" 2>&1)" 0-15 "boot memory: memory0-15, the online blocks"
check "said at warning, with what to do" \
	grep -q "warning: boot memory: memory0, the lowest block, is linked to an ACPI memory device: this firmware describes boot RAM as PNP0C80 devices too, so a link does not tell hot-added memory; 16 online blocks taken as boot memory (16 of them linked), 0 of virtio-mem devices left out; .*set boot_blocks = LIST" "$TMP/err"
is "$(for i in $(seq 16 47); do state "$root" "$i"; done | sort -u)" online_movable \
	"the DIMM's 32 blocks online_movable, as the kernel's auto-movable"
check "... within 301% of the 524288 boot pages" \
	grep -q "memory16: online_movable (auto-movable: .*within 301% of kernel early 524288 pages (Movable [^)]*, kernel 2 GiB))" "$TMP/err"

# a QEMU machine: memory0 unlinked, the DIMM's linked blocks are hot-added (64-*)
root=$TMP/root2
mk_sysroot "$root"
mk_blocks "$root" 0 15 online Normal
zone_add "$root" 0 Normal 524288
check "memory8-15 linked, memory0-7 not" link 8 15 1
check "hotmemd --oneshot there" \
	timeout 60 "$HOTMEMD" --config /dev/null --sysroot "$root" --state-dir "$TMP/state2" --oneshot \
	--netlink=no --policy auto-movable --log-level info 2>"$TMP/err2"
is "$(head -1 "$TMP/state2/boot-blocks" 2>&1)" 0-7 "boot memory: memory0-7, the linked ones left out"
check "said at notice" grep -q "notice: boot memory: 8 online blocks taken as boot memory, 8 left out as hot-added" "$TMP/err2"
done_testing
