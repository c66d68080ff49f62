#!/bin/bash
# auto-movable on a virtio-mem device (usereye5 #12): hotmemd puts each block
# in the zone the kernel's own auto-online puts it in.  The kernel keeps a
# device's blocks in one dynamic memory group (6.12 virtio_mem_init_hotplug()
# memory_group_register_dynamic()), whose kernel pages allow more Movable in
# it (auto_movable_can_online_movable()): on qemu-512m a 3 GiB device ends
# 21 blocks Movable, 3 Normal -- hotmemd deciding each block alone put 12 in
# Normal.  The same device on two machines: A onlines by itself
# (memhp_default_state=online, online_policy=auto-movable), B is onlined by
# hotmemd --policy auto-movable; then a second device on each, whose
# decisions see the first's req_kernel_early_pages reserved.
. "$(dirname "$0")/lib.sh"
need_hotmemd
need_hotmemfs_in_netns "$@"

. "$(dirname "$0")/fs_start.sh"
# fs NAME CMDLINE: fs_start of profile qemu-512m, uevents also to $TMP/NAME.uev
fs() { fs_start "$1" --profile qemu-512m --cmdline "$2" -u "$TMP/$1.uev"; }
# zones NAME FIRST LAST: "ID ZONE" of each block, offline ones "ID offline"
zones() {
	local m=$TMP/$1/sys/devices/system/memory i
	for ((i = $2; i <= $3; i++)); do
		if [ "$(cat "$m/memory$i/state")" = online ]; then
			echo "$i $(cat "$m/memory$i/valid_zones")"
		else
			echo "$i offline"
		fi
	done
}
all_online() { ! zones "$@" | grep -q offline; }
# vmem NAME ID SIZE: a virtio-mem device of SIZE, all of it requested
vmem() { "$CTL" -s "$TMP/$1.sock" device_add virtio-mem-pci id="$2" size="$3" requested-size="$3" >/dev/null; }
stop_fs() { # stop_fs PID MNT: ended, its mount gone
	kill "$1" 2>/dev/null
	wait_exit "$1" 10 >/dev/null 2>&1
	fusermount3 -uz "$2" 2>/dev/null
	true
}

# A: the kernel's own auto-movable
check "hotmemfs A, the kernel onlining (auto-movable)" \
	fs A "memhp_default_state=online memory_hotplug.online_policy=auto-movable"
a_pid=$fs_pid
check "A: virtio-mem vm0 of 3 GiB" vmem A vm0 3G
check "A: its 24 blocks online" wait_for 30 all_online A 32 55
check "A: virtio-mem vm1 of 1 GiB" vmem A vm1 1G
check "A: its 8 blocks online" wait_for 30 all_online A 56 63
zones A 32 63 >"$TMP/A.zones"
echo "# the kernel: $(awk '{print $2}' "$TMP/A.zones" | sort | uniq -c | tr '\n' ' ')"
stop_fs "$a_pid" "$TMP/A"

# B: hotmemd; netlink where hotmemfs injects uevents in this netns (no
# Unix-socket queue to overflow while the driver adds blocks), else the socket
check "hotmemfs B, blocks left offline for hotmemd" fs B "memory_hotplug.online_policy=auto-movable"
src=(--uevent-socket "$TMP/B.uev" --netlink=no)
grep -q "uevents over netlink on" "$TMP/B.log" && src=(--uevent-source kernel)
: >"$TMP/hmd.log"
"$HOTMEMD" --config /dev/null --sysroot "$TMP/B" --state-dir "$TMP/state" --policy auto-movable \
	--log-level debug "${src[@]}" 2>"$TMP/hmd.log" &
_pids+=("$!")
check "hotmemd ready on B (${src[*]})" wait_for 10 grep -q "ready: sysroot" "$TMP/hmd.log"
check "B: virtio-mem vm0 of 3 GiB" vmem B vm0 3G
check "B: its 24 blocks online" wait_for 30 all_online B 32 55
check "B: virtio-mem vm1 of 1 GiB" vmem B vm1 1G
check "B: its 8 blocks online" wait_for 30 all_online B 56 63
zones B 32 63 >"$TMP/B.zones"
echo "# hotmemd:    $(awk '{print $2}' "$TMP/B.zones" | sort | uniq -c | tr '\n' ' ')"

is "$(awk '$1 <= 55 {print $2}' "$TMP/B.zones" | sort | uniq -c | tr -s ' ' | tr '\n' ' ')" \
	"$(awk '$1 <= 55 {print $2}' "$TMP/A.zones" | sort | uniq -c | tr -s ' ' | tr '\n' ' ')" \
	"vm0: as many blocks Movable and Normal as the kernel's auto-online"
if diff "$TMP/A.zones" "$TMP/B.zones" >"$TMP/zones.diff"; then
	ok "every block of vm0 and vm1 in the kernel's zone"
else
	nok "every block of vm0 and vm1 in the kernel's zone (< kernel, > hotmemd)"
	sed 's/^/# /' "$TMP/zones.diff"
	grep -h "without an ADD\|memory5[0-9]\|memory6[0-3]" "$TMP/hmd.log" | head -20 | sed 's/^/# /'
fi
check "its decisions say the groups were counted" grep -q "dynamic memory groups counted" "$TMP/hmd.log"
grep -q "gave up" "$TMP/hmd.log" && nok "no give-ups" || ok "no give-ups"

done_testing
