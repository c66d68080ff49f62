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
# decisions see the first's req_kernel_early_pages reserved.  Again in Big
# Block Mode (virtio_mem.force_bbm=Y), where the unit is a big block.
. "$(dirname "$0")/lib.sh"
need_hotmemd
need_hotmemfs_in_netns "$@"

. "$(dirname "$0")/fs_start.sh"
# fs NAME CMDLINE: fs_start of profile qemu-512m, uevents also to $TMP/NAME.uev
fs() { fs_start "$1" --profile qemu-512m --cmdline "$2" -u "$TMP/$1.uev"; }
# zones NAME FIRST LAST: "ID ZONE" of each block, offline ones "ID offline"
zones() { block_zones "$1" $(seq "$2" "$3"); }
all_online() { ! zones "$@" | grep -q offline; }
# vmem NAME ID SIZE: a virtio-mem device of SIZE, all of it requested
vmem() { "$CTL" -s "$TMP/$1.sock" device_add virtio-mem-pci id="$2" size="$3" requested-size="$3" >/dev/null; }
stop_fs() { # stop_fs PID MNT: ended, its mount gone
	kill "$1" 2>/dev/null
	wait_exit "$1" 10 >/dev/null 2>&1
	fusermount3 -uz "$2" 2>/dev/null
	true
}

# machine NAME kernel|hotmemd [CMDLINE...]: a hotmemfs that onlines by
# itself (kernel: memhp_default_state=online) or leaves it to a hotmemd
# --policy auto-movable, online_policy=auto-movable either way; virtio-mem
# vm0 of 3 GiB, then vm1 of 512 MiB (qemu-512m takes 3.5 GiB of devices, as
# QEMU's -m 512M,maxmem=4G), each all online; the zones of their
# blocks in $TMP/NAME.zones; then hotmemd and hotmemfs stopped.  hotmemd
# hears netlink where hotmemfs injects uevents in this netns (no Unix-socket
# queue to overflow while the driver adds blocks), else the socket.
machine() {
	local n=$1 who=$2 fspid hpid=
	shift 2
	local cmd="memory_hotplug.online_policy=auto-movable $*"
	[ "$who" = kernel ] && cmd="memhp_default_state=online $cmd"
	check "$n: hotmemfs, $who onlining ($cmd)" fs "$n" "$cmd" || return
	fspid=$fs_pid
	if [ "$who" = hotmemd ]; then
		local src=(--uevent-socket "$TMP/$n.uev" --netlink=no)
		grep -q "uevents over netlink on" "$TMP/$n.log" && src=(--uevent-source kernel)
		: >"$TMP/$n.hmd"
		"$HOTMEMD" --config /dev/null --sysroot "$TMP/$n" --state-dir "$TMP/state.$n" \
			--policy auto-movable --log-level debug "${src[@]}" 2>"$TMP/$n.hmd" &
		hpid=$!
		_pids+=("$hpid")
		check "$n: hotmemd ready (${src[*]})" wait_for 10 grep -q "ready: sysroot" "$TMP/$n.hmd"
	fi
	check "$n: virtio-mem vm0 of 3 GiB" vmem "$n" vm0 3G
	check "$n: its 24 blocks online" wait_for 30 all_online "$n" 32 55
	check "$n: virtio-mem vm1 of 512 MiB" vmem "$n" vm1 512M
	check "$n: its 4 blocks online" wait_for 30 all_online "$n" 56 59
	zones "$n" 32 59 >"$TMP/$n.zones"
	echo "# $n ($who): $(awk '{print $2}' "$TMP/$n.zones" | sort | uniq -c | tr '\n' ' ')"
	if [ -n "$hpid" ]; then
		kill "$hpid" 2>/dev/null
		wait_exit "$hpid" 10 >/dev/null 2>&1
	fi
	stop_fs "$fspid" "$TMP/$n"
}
# same KERNEL HOTMEMD WHAT: every block in the kernel's zone, else the difference shown
same() {
	if diff "$TMP/$1.zones" "$TMP/$2.zones" >"$TMP/$2.diff"; then
		ok "$3: every block of vm0 and vm1 in the kernel's zone"
	else
		nok "$3: every block of vm0 and vm1 in the kernel's zone (< kernel, > hotmemd)"
		sed 's/^/# /' "$TMP/$2.diff"
		grep -h "without an ADD\|memory4[3-9]\|memory5[0-9]" "$TMP/$2.hmd" | head -20 | sed 's/^/# /'
	fi
	check "$3: its decisions say the groups were counted" \
		grep -q "dynamic memory groups counted" "$TMP/$2.hmd"
	grep -q "gave up" "$TMP/$2.hmd" && nok "$3: no give-ups" || ok "$3: no give-ups"
}

# Sub Block Mode (2 MiB device blocks): the group's unit is one memory block
machine A kernel
machine B hotmemd
is "$(awk '$1 <= 55 {print $2}' "$TMP/B.zones" | sort | uniq -c | tr -s ' ' | tr '\n' ' ')" \
	"$(awk '$1 <= 55 {print $2}' "$TMP/A.zones" | sort | uniq -c | tr -s ' ' | tr '\n' ' ')" \
	"vm0: as many blocks Movable and Normal as the kernel's auto-online (21 and 3)"
same A B "SBM"

# Big Block Mode of 512 MiB: a unit of 4 blocks goes Movable only whole,
# and follows a block of it in Normal
bbm="virtio_mem.force_bbm=Y virtio_mem.bbm_block_size=536870912"
machine C kernel "$bbm"
machine D hotmemd "$bbm"
same C D "BBM 512 MiB"

done_testing
