#!/bin/bash
# make run: the main job on the embedded default machine.
#
# Mounts hotmemfs (the default machine's sysfs on FUSE), shows lsmem,
# plugs a 1 GiB DIMM through hotmemctl, onlines a block through sysfs like
# a person would, and shows lsmem and the machine again.  Without root or
# /dev/fuse it shows the same scenario through the engine's own CLI.
set -uo pipefail
B=${1:-build}
cols=RANGE,SIZE,STATE,REMOVABLE,BLOCK,NODE,ZONES

engine_demo() {
	echo "== hotmem: the embedded default machine (engine only: $1)"
	"$B/hotmem" status
	echo
	echo "== plug a 512 MiB DIMM at 4 GiB (memmap on memory), online it, offline one block"
	"$B/hotmem" --events --cmdline "memory_hotplug.memmap_on_memory=1" run - <<'S'
add 0x100000000 512M memmap_on_memory
online 32 online_movable
online 33 online_movable
online 34
alloc movable 20000
offline 33
blocks
meminfo
check
S
}

if [ "$(id -u)" -ne 0 ] || [ ! -c /dev/fuse ] || [ ! -x "$B/hotmemfs" ]; then
	engine_demo "hotmemfs needs root and /dev/fuse"
	exit 0
fi

MNT=$(mktemp -d /tmp/hotmem-run.XXXXXX)
SOCK=$MNT.sock
"$B/hotmemfs" --state none --control "$SOCK" "$MNT" 2>"$MNT.log" &
pid=$!
cleanup() {
	umount "$MNT" 2>/dev/null || fusermount3 -u "$MNT" 2>/dev/null
	wait $pid 2>/dev/null
	rm -rf "$MNT" "$MNT.log" "$SOCK"
}
trap cleanup EXIT
for _ in $(seq 200); do
	[ -e "$MNT/sys/devices/system/memory/block_size_bytes" ] && break
	sleep 0.05
done
if [ ! -e "$MNT/sys/devices/system/memory/block_size_bytes" ]; then
	cat "$MNT.log" >&2
	engine_demo "hotmemfs did not mount"
	exit 0
fi

echo "== hotmemfs mounted at $MNT: the default machine"
"$B/hotmemctl" -s "$SOCK" status
echo
echo "== lsmem --sysroot $MNT"
lsmem --sysroot "$MNT" -o $cols
echo
echo "== hotmemctl device_add pc-dimm id=dimm1 size=1G"
"$B/hotmemctl" -s "$SOCK" device_add pc-dimm id=dimm1 size=1G
lsmem --sysroot "$MNT" -o $cols
echo
echo "== echo online_movable > $MNT/sys/devices/system/memory/memory32/state"
echo online_movable > "$MNT/sys/devices/system/memory/memory32/state"
echo "== echo online > .../memory33/state"
echo online > "$MNT/sys/devices/system/memory/memory33/state"
lsmem --sysroot "$MNT" -o $cols
echo
echo "== echo online > .../memory33/state (again: the kernel says EINVAL)"
echo online > "$MNT/sys/devices/system/memory/memory33/state"
echo
grep -E "MemTotal|MemFree" "$MNT/proc/meminfo"
"$B/hotmemctl" -s "$SOCK" status
