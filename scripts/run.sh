#!/bin/bash
# make run: a running machine.
#
# Mounts hotmemfs on the embedded default machine, starts hotmemd
# (auto-movable) on it and hotmem-trace on its engine with the maps pinned,
# plugs a 1 GiB DIMM, and prints the commands to copy: online an offline
# block, watch hotmemd's decisions, dump the pinned maps, lsmem, enter the
# machine.  On a terminal it keeps running until Ctrl-C, then cleans up.
# Without one (CI, a pipe) it walks through those commands itself and exits
# 0.  HOTMEM_RUN=walk|wait forces either.  Without root or /dev/fuse it
# shows the same scenario through the engine's own CLI.
set -uo pipefail
B=${1:-build}
B=$(cd "$B" && pwd)
cols=RANGE,SIZE,STATE,REMOVABLE,BLOCK,NODE,ZONES
mode=${HOTMEM_RUN:-}
if [ -z "$mode" ]; then
	if [ -t 0 ] && [ -t 1 ]; then mode=wait; else mode=walk; fi
fi

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

RUN=$(mktemp -d /tmp/hotmem-run.XXXXXX)
MNT=$RUN/mnt
SOCK=$RUN/hotmemfs.sock
UEV=$RUN/uevent.sock
MEM=$MNT/sys/devices/system/memory
mkdir -p "$MNT"
fspid= dpid= tpid= PIN=
cleanup() {
	trap - EXIT INT TERM
	# hotmem-trace first: it detaches and unpins on SIGINT
	[ -n "$tpid" ] && kill -INT "$tpid" 2>/dev/null && wait "$tpid" 2>/dev/null
	[ -n "$dpid" ] && kill "$dpid" 2>/dev/null && wait "$dpid" 2>/dev/null
	if [ -n "$fspid" ]; then
		umount "$MNT" 2>/dev/null || fusermount3 -u "$MNT" 2>/dev/null
		kill "$fspid" 2>/dev/null
		wait "$fspid" 2>/dev/null
	fi
	[ -n "$PIN" ] && rmdir "$PIN" 2>/dev/null
	rm -rf "$RUN"
	[ "$mode" = wait ] && echo "hotmem: stopped; machine, daemon and trace gone, $RUN removed"
}
trap cleanup EXIT
trap 'exit 0' INT TERM

# uevents to hotmemd's socket; no network namespace to leave behind
"$B/hotmemfs" --state none --control "$SOCK" -u "$UEV" --netns none "$MNT" 2>"$RUN/hotmemfs.log" &
fspid=$!
for _ in $(seq 200); do
	[ -e "$MEM/block_size_bytes" ] && break
	kill -0 "$fspid" 2>/dev/null || break
	sleep 0.05
done
if [ ! -e "$MEM/block_size_bytes" ]; then
	cat "$RUN/hotmemfs.log" >&2
	fspid=
	engine_demo "hotmemfs did not mount"
	exit 0
fi

# hotmemd, the policy daemon, on the emulation: auto-movable, its uevents
# from hotmemfs's socket only (as the emulation drop-in runs it)
"$B/hotmemd" --config /dev/null --policy auto-movable --sysroot "$MNT" --uevent-socket "$UEV" \
	--netlink=no --state-dir "$RUN/hotmemd" 2>"$RUN/hotmemd.log" &
dpid=$!

# hotmem-trace on hotmemfs's engine, maps pinned (where BPF is usable)
trace_why="not built"
if [ -x "$B/hotmem-trace" ]; then
	PIN=/sys/fs/bpf/hotmem
	# another hotmem-trace (the service?) has the default: use our own
	[ -e "$PIN/counters" ] || [ -e "$PIN/blocks" ] && PIN=/sys/fs/bpf/hotmem-run-$$
	"$B/hotmem-trace" --emulator "$fspid" --pin "$PIN" -o "$RUN/trace.txt" 2>"$RUN/trace.log" &
	tpid=$!
	for _ in $(seq 300); do
		grep -q "ready: tracing" "$RUN/trace.log" 2>/dev/null && break
		kill -0 "$tpid" 2>/dev/null || break
		sleep 0.1
	done
	if ! grep -q "ready: tracing" "$RUN/trace.log" 2>/dev/null; then
		trace_why=$(grep -v "^hotmem-trace: emulator: NOT attached" "$RUN/trace.log" | tail -1)
		kill -INT "$tpid" 2>/dev/null
		wait "$tpid" 2>/dev/null
		tpid= PIN=
	fi
fi
for _ in $(seq 100); do
	grep -q "ready: sysroot" "$RUN/hotmemd.log" && break
	sleep 0.05
done

echo "== hotmemfs: the default machine, mounted at $MNT"
"$B/hotmemctl" -s "$SOCK" status
echo
echo "== hotmemctl device_add pc-dimm id=dimm1 size=1G   (hotmemd onlines it by policy)"
"$B/hotmemctl" -s "$SOCK" device_add pc-dimm id=dimm1 size=1G
all_online() { ! grep -q offline "$MEM"/memory3[2-9]/state 2>/dev/null; }
# hotmemd onlines block by block; on a busy machine that takes a while,
# and offlining memory39 before hotmemd got to it would leave it to be
# onlined under the walk-through's feet
for _ in $(seq 1200); do all_online && break; sleep 0.05; done
# one block handed back, so that there is an offline block to online
if echo offline >"$MEM/memory39/state"; then
	echo "   (and memory39 offlined again, for you to online)"
else
	echo "   (memory39 could not be offlined: $(cat "$MEM/memory39/state"))"
fi
echo
echo "== lsmem --sysroot $MNT"
lsmem --sysroot "$MNT" -o $cols
echo
echo "== hotmemd's decisions"
grep -E "memory[0-9]+: " "$RUN/hotmemd.log" | sed 's/^/   /'

bt=$(command -v bpftool || echo "bpftool")
ctl="$B/hotmemctl -s $SOCK"
echo
echo "== the machine is running; copy these (as root)"
echo "   # online the offline block (hotmemd leaves a block you offlined alone), Movable"
echo "   # as the rest of its DIMM: a plain 'online' would put it in ZONE_NORMAL (the"
echo "   # kernel's default for a block in no zone's span), where kernel pages"
echo "   # land and keep it from going offline again"
echo "   echo online_movable > $MEM/memory39/state"
echo "   # watch hotmemd's decisions"
echo "   tail -f $RUN/hotmemd.log"
if [ -n "$tpid" ]; then
	echo "   # what BPF counted: per block (state, zone, onlines), per step"
	echo "   $bt map dump pinned $PIN/blocks"
	echo "   $bt map dump pinned $PIN/counters"
	echo "   # the engine's hotplug path, step by step, as hotmem-trace sees it"
	echo "   tail -f $RUN/trace.txt"
else
	echo "   # (hotmem-trace is not running here: $trace_why)"
fi
echo "   # the machine as util-linux sees it; plug more"
echo "   lsmem --sysroot $MNT"
echo "   $ctl device_add pc-dimm id=dimm2 size=512M"
echo "   $ctl status"
echo "   # a shell where this machine is /sys/devices/system/memory (lsmem, chmem as they are)"
echo "   unshare -m sh -c 'mount --bind $MEM /sys/devices/system/memory && exec \${SHELL:-sh}'"
if [ -x "$B/hotmem-enter" ]; then
	echo "   # a machine of your own, entered: /sys, /proc, uevents, udevd as on a host"
	echo "   $B/hotmem-enter"
fi

if [ "$mode" = wait ]; then
	echo
	echo "Ctrl-C stops it and cleans up."
	while kill -0 "$fspid" 2>/dev/null; do sleep 1; done
	echo "hotmem: hotmemfs exited" >&2
	exit 1
fi

# no terminal: the walk-through, the same commands run for you
echo
echo "== (no terminal: walking through them)"
echo "\$ echo online_movable > $MEM/memory39/state"
echo online_movable >"$MEM/memory39/state" &&
	echo "   memory39: $(cat "$MEM/memory39/state") $(cat "$MEM/memory39/valid_zones")"
echo "\$ lsmem --sysroot $MNT"
lsmem --sysroot "$MNT" -o $cols | sed 's/^/   /'
if [ -n "$tpid" ]; then
	if command -v bpftool >/dev/null; then
		echo "\$ bpftool map dump pinned $PIN/blocks   (its first entries)"
		bpftool map dump pinned "$PIN/blocks" 2>&1 | head -24 | sed 's/^/   /'
	else
		echo "(bpftool missing: apt-get install bpftool)"
	fi
	echo "\$ the trace, memory32's first online"
	# hotmem-trace writes what it drained every 50 ms; on a loaded machine
	# its reader may not have run yet: give it a few seconds
	for _ in $(seq 50); do
		grep -q "memory_block_online" "$RUN/trace.txt" 2>/dev/null && break
		sleep 0.1
	done
	# hotmem-trace's table: its header, then the steps
	grep -m 1 "^TIME" "$RUN/trace.txt" | sed 's/^/   /'
	grep -m 12 -E "memory_block_online|online_pages|move_pfn_range_to_zone|memory_notify" \
		"$RUN/trace.txt" | sed 's/^/   /'
fi
echo "\$ $ctl check"
"$B/hotmemctl" -s "$SOCK" check | sed 's/^/   /'
exit 0
