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
UEV=$MNT.uevent
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	umount "$MNT" 2>/dev/null || fusermount3 -u "$MNT" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$MNT" "$MNT".*
}
trap cleanup EXIT

"$B/hotmemfs" --state none --control "$SOCK" -u "$UEV" "$MNT" 2>"$MNT.fs.log" &
fspid=$!
pids+=($fspid)
for _ in $(seq 200); do
	[ -e "$MNT/sys/devices/system/memory/block_size_bytes" ] && break
	sleep 0.05
done
if [ ! -e "$MNT/sys/devices/system/memory/block_size_bytes" ]; then
	cat "$MNT.fs.log" >&2
	engine_demo "hotmemfs did not mount"
	exit 0
fi

echo "== hotmemfs mounted at $MNT: the default machine"
"$B/hotmemctl" -s "$SOCK" status
echo
echo "== lsmem --sysroot $MNT"
lsmem --sysroot "$MNT" -o $cols

# hotmemd, the policy daemon, on the emulation: auto-movable
"$B/hotmemd" --sysroot "$MNT" --uevent-socket "$UEV" --netlink=no \
	--state-dir "$MNT.state" 2>"$MNT.hotmemd.log" &
pids+=($!)
# hotmem-trace on hotmemfs's engine, when BPF is usable here
tracing=no
if [ -x "$B/hotmem-trace" ]; then
	"$B/hotmem-trace" --emulator "$fspid" --json --no-pin -o "$MNT.trace" 2>"$MNT.trace.log" &
	tpid=$!
	for _ in $(seq 100); do
		grep -q "attached\|tracing" "$MNT.trace.log" 2>/dev/null && break
		kill -0 $tpid 2>/dev/null || break
		sleep 0.1
	done
	kill -0 $tpid 2>/dev/null && tracing=yes && pids+=($tpid)
fi
sleep 0.5

echo
echo "== hotmemctl device_add pc-dimm id=dimm1 size=1G   (hotmemd onlines it by policy)"
"$B/hotmemctl" -s "$SOCK" device_add pc-dimm id=dimm1 size=1G
for _ in $(seq 100); do
	! grep -q offline "$MNT"/sys/devices/system/memory/memory3[2-9]/state 2>/dev/null && break
	sleep 0.05
done
lsmem --sysroot "$MNT" -o $cols
echo
echo "== hotmemd said"
sed 's/^/   /' "$MNT.hotmemd.log" | tail -12
echo
echo "== echo offline > .../memory39/state; echo offline again (the kernel says EINVAL)"
echo offline > "$MNT/sys/devices/system/memory/memory39/state"
echo offline > "$MNT/sys/devices/system/memory/memory39/state"
grep -E "MemTotal|MemFree" "$MNT/proc/meminfo"
"$B/hotmemctl" -s "$SOCK" check
if [ "$tracing" = yes ]; then
	echo
	echo "== hotmem-trace --emulator $fspid: the engine's hotplug path, as BPF saw it"
	kill -INT "$tpid" 2>/dev/null
	wait "$tpid" 2>/dev/null
	echo "   $(wc -l <"$MNT.trace") events; the first online of the DIMM:"
	grep -m 14 -E '"ev":"(memory_block_online|online_pages|move_pfn_range_to_zone|memory_notify|mm_setup_per_zone_wmarks)"' \
		"$MNT.trace" | sed 's/^/   /'
else
	echo "(hotmem-trace not run: $(tail -1 "$MNT.trace.log" 2>/dev/null))"
fi
