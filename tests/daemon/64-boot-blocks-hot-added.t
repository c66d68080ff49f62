#!/bin/bash
# boot_blocks = auto leaves hot-added memory out of boot memory (usereye7
# #13).  The kernel's auto-movable compares Movable with KERNEL_EARLY,
# zone->present_early_pages, which counts early sections only (6.12
# adjust_present_page_count()): a DIMM (its blocks linked to a PNP0C80
# firmware_node) and a virtio-mem device (its region in /proc/iomem) are
# never early, even onlined to Normal before hotmemd first started.  The
# reviewer's case: default profile (1 GiB boot), DIMM A of 4 GiB onlined
# online_kernel and virtio-mem vm0 of 1 GiB onlined online_kernel, then
# hotmemd with a fresh state dir, then DIMM B of 8 GiB: the kernel's own
# auto-movable puts B in Normal (2097152 pages > 301% of the 1 GiB boot
# memory); hotmemd counting A and vm0 as boot memory put it in Movable
# ("... within 301% of kernel early 1310622").
. "$(dirname "$0")/lib.sh"
need_hotmemd
need_hotmemfs_in_netns "$@"
. "$(dirname "$0")/fs_start.sh"
set -u

# blocks NAME: the memoryN ids of machine NAME, sorted
blocks() { ls "$TMP/$1/sys/devices/system/memory" | sed -n 's/^memory\([0-9]*\)$/\1/p' | sort -n; }
ctl() { local n=$1; shift; "$CTL" -s "$TMP/$n.sock" "$@" >/dev/null; }
# online_kernel NAME IDS...: each offline block of IDS onlined to a kernel zone
online_kernel() {
	local n=$1 m i
	shift
	m=$TMP/$n/sys/devices/system/memory
	findmnt -t fuse.hotmemfs "$TMP/$n" >/dev/null || return 1
	for i in "$@"; do
		(echo online_kernel >"$m/memory$i/state") || return 1
	done
}
all_online() { ! block_zones "$@" | grep -q offline; }
new_blocks() { comm -13 <(sort "$1") <(sort "$2") | sort -n; }

# machine NAME kernel|hotmemd: A and vm0 plugged and onlined online_kernel,
# then DIMM B plugged and onlined either by the kernel
# (auto_online_blocks=online) or by the first start of a hotmemd --policy
# auto-movable; B's zones in $TMP/NAME.zones
machine() {
	local n=$1 who=$2
	check "$n: hotmemfs, default profile, online_policy=auto-movable" \
		fs_start "$n" --cmdline memory_hotplug.online_policy=auto-movable -u "$TMP/$n.uev" || return
	blocks "$n" >"$TMP/$n.b0"
	check "$n: DIMM A of 4 GiB" ctl "$n" device_add pc-dimm size=4G id=A
	check "$n: virtio-mem vm0 of 1 GiB" ctl "$n" device_add virtio-mem-pci id=vm0 size=1G requested-size=1G
	blocks "$n" >"$TMP/$n.b1"
	mapfile -t hot < <(new_blocks "$TMP/$n.b0" "$TMP/$n.b1")
	is "${#hot[@]}" 40 "$n: A and vm0 added 40 blocks"
	check "$n: A and vm0 onlined online_kernel" online_kernel "$n" "${hot[@]}"
	[ "$who" = kernel ] && echo online >"$TMP/$n/sys/devices/system/memory/auto_online_blocks"
	check "$n: DIMM B of 8 GiB" ctl "$n" device_add pc-dimm size=8G id=B
	blocks "$n" >"$TMP/$n.b2"
	mapfile -t bb < <(new_blocks "$TMP/$n.b1" "$TMP/$n.b2")
	is "${#bb[@]}" 64 "$n: B added 64 blocks"
	# hotmemd's first start now, B offline: its coldplug decides B whole
	# (a hotmemd already running may decide B's first ADDs before the
	# rest of B is in memory/: not what this test is about)
	[ "$who" = hotmemd ] && check "$n: hotmemd --oneshot, a fresh state dir" \
		"$HOTMEMD" --config /dev/null --sysroot "$TMP/$n" --state-dir "$TMP/state.$n" \
		--netlink=no --policy auto-movable --oneshot --log-level debug 2>"$TMP/$n.hmd"
	check "$n: B online" wait_for 30 all_online "$n" "${bb[@]}"
	block_zones "$n" "${bb[@]}" >"$TMP/$n.zones"
	echo "# $n ($who): B $(awk '{print $2}' "$TMP/$n.zones" | sort | uniq -c | tr -s ' \n' ' ')"
}

machine K kernel
machine H hotmemd
is "$(awk '{print $2}' "$TMP/K.zones" | sort -u)" Normal "the kernel's auto-movable puts B in Normal"
if diff "$TMP/K.zones" "$TMP/H.zones" >"$TMP/diff"; then
	ok "hotmemd puts every block of B in the kernel's zone"
else
	nok "hotmemd puts every block of B in the kernel's zone (< kernel, > hotmemd)"
	sed 's/^/# /' "$TMP/diff" | head -10
	grep "auto-movable\|boot memory" "$TMP/H.hmd" | head -5 | sed 's/^/# /'
fi
# the default profile's present_early_pages (1 GiB less the firmware's
# holes), the figure the kernel's auto-movable compares with
check "its KERNEL_EARLY is the kernel's present_early_pages, 262046" \
	grep -q "memory${bb[0]}: online_kernel (auto-movable: all nodes: movable 0 + 2097152 pages (this block and the rest of its static group) exceeds 301% of kernel early 262046 pages (Movable 0 + 8 GiB, kernel 1023.6 MiB))" "$TMP/H.hmd"
say="boot memory: 8 online blocks taken as boot memory, 40 left out as hot-added (32 of ACPI memory devices, 8 of virtio-mem devices: never early memory); to name them yourself: boot_blocks = LIST in hotmemd.conf"
is "$(grep -cF "$say" "$TMP/H.hmd")" 1 "its first start says what it took as boot memory and what it left out"
is "$(head -1 "$TMP/state.H/boot-blocks")" "$(head -8 "$TMP/H.b0" | tr '\n' ' ' | awk '{print $1 "-" $8}')" \
	"state_dir/boot-blocks lists the 8 boot blocks alone"
done_testing
