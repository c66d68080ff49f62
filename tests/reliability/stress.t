#!/bin/bash
# Stress through a real hotmemfs mount: four workers race for
# STRESS_SECONDS (10 here, 60 in `make stress`):
#   two online/offline blocks through sysfs (state and online files),
#   one plugs and unplugs DIMMs and resizes a virtio-mem device
#   (hotmemctl device_add/device_del/set-size),
#   one runs the workload (hotmemctl alloc movable|unmovable, free-all).
# Afterwards the engine's invariants hold, every block is online or
# offline, and the state file is the machine: hotmemfs restarted from it
# shows the same `hotmemctl status --json`.  HOTMEM_STRESS_BUILD points
# at another build (e.g. build/san-thread for ThreadSanitizer).
. "$(dirname "$0")/lib.sh"
require_env
DUR=${STRESS_SECONDS:-10}
B=${HOTMEM_STRESS_BUILD:-$HOTMEM_BUILD}
HMFS=$B/hotmemfs
HMCTL=$B/hotmemctl
need_built "$HMFS"
M=$MNT/sys/devices/system/memory

start_fs_netns --profile qemu-512m --fresh
tap_ok $? "hotmemfs mounts qemu-512m in a private network namespace"
ctl device_add virtio-mem-pci id=vm0 size=1G requested-size=256M >/dev/null
tap_ok $? "a virtio-mem device to resize"

# each worker writes "ok fail" counts to $TMP/<name>.count
sysfs_worker() {	# name seed
	local ok=0 fail=0 b t end=$((SECONDS + DUR))
	RANDOM=$2
	while [ $SECONDS -lt $end ]; do
		b=$((32 + RANDOM % 24))
		case $((RANDOM % 5)) in
		0) t=online_movable ;; 1) t=online ;; 2) t=online_kernel ;; *) t=offline ;;
		esac
		if [ $((RANDOM % 6)) -eq 0 ]; then
			echo $((RANDOM % 2)) 2>/dev/null >"$M/memory$b/online" && ok=$((ok + 1)) || fail=$((fail + 1))
		else
			# ENOENT (no such block), EINVAL (same state), EBUSY: expected
			echo $t 2>/dev/null >"$M/memory$b/state" && ok=$((ok + 1)) || fail=$((fail + 1))
		fi
	done
	echo "$ok $fail" >"$TMP/$1.count"
}
plug_worker() {
	local ok=0 fail=0 n=0 ids=() end=$((SECONDS + DUR))
	RANDOM=3
	while [ $SECONDS -lt $end ]; do
		case $((RANDOM % 4)) in
		0|1)
			if [ ${#ids[@]} -lt 4 ]; then
				n=$((n + 1))
				if ctl device_add pc-dimm id=s$n size=256M >/dev/null 2>&1; then
					ids+=(s$n); ok=$((ok + 1))
				else
					fail=$((fail + 1))
				fi
			fi ;;
		2)
			if [ ${#ids[@]} -gt 0 ]; then
				# refused (EBUSY) while a block holds unmovable pages
				if ctl device_del "${ids[0]}" >/dev/null 2>&1; then
					ids=("${ids[@]:1}"); ok=$((ok + 1))
				else
					fail=$((fail + 1))
				fi
			fi ;;
		3)
			ctl set-size vm0 $(((RANDOM % 5) * 128))M >/dev/null 2>&1 &&
				ok=$((ok + 1)) || fail=$((fail + 1)) ;;
		esac
	done
	echo "$ok $fail" >"$TMP/plug.count"
}
alloc_worker() {
	local ok=0 fail=0 end=$((SECONDS + DUR))
	RANDOM=4
	while [ $SECONDS -lt $end ]; do
		case $((RANDOM % 8)) in
		0) ctl free-all >/dev/null 2>&1 ;;
		1) ctl alloc unmovable $((1 + RANDOM % 64)) >/dev/null 2>&1 ;;
		*) ctl alloc movable $((1 + RANDOM % 4096)) >/dev/null 2>&1 ;;
		esac && ok=$((ok + 1)) || fail=$((fail + 1))
	done
	echo "$ok $fail" >"$TMP/alloc.count"
}
sysfs_worker sysfs1 1 &
p1=$!
sysfs_worker sysfs2 2 &
p2=$!
plug_worker &
p3=$!
alloc_worker &
p4=$!
for p in $p1 $p2 $p3 $p4; do wait_exit $p $((DUR + 120)); done # a hung worker fails
for w in sysfs1 sysfs2 plug alloc; do
	read -r o f <"$TMP/$w.count" 2>/dev/null || { o=0; f=0; }
	[ "$o" -gt 0 ]
	tap_ok $? "$w: $o operations succeeded, $f refused in ${DUR}s"
done

kill -0 "$FS_PID"
tap_ok $? "hotmemfs survived"
out=$(ctl check 2>&1)
tap_ok $? "engine invariants hold after the race ($out)"
bad=0
for d in "$M"/memory*; do
	s=$(cat "$d/state")
	case $s in online|offline) ;; *) bad=1; diag "${d##*/}: $s" ;; esac
done
tap_ok $bad "every block is online or offline"
lsmem --sysroot "$MNT" >/dev/null
tap_ok $? "lsmem reads the tree"

# the state file is the machine: free the workload (not part of the
# state), save, restart from the file, compare.  A restart probes vm0's
# driver again and a probe queues its work (1260e1ba): a device left
# with its retry timer armed (a shrink stopped by busy memory, a plug
# refused for want of memory while the workload held it) or above its
# requested-size with unplug_online on is worked on at once, and its
# plugged-size after the restart is not the one saved (CI of a06a927c:
# 18M before, 16M after, under TSan).  So bring the driver to rest
# first, as 12, 52 and regress.t do: unplug_online off (saved), its
# timer fired now (vmem-retry runs the pass; with unplug_online off it
# unplugs what is offline, keeps what is online and ends without a
# timer), so that the probe's run has nothing to do.
echo N >"$MNT/sys/module/virtio_mem/parameters/unplug_online" &&
	ctl free-all >/dev/null && ctl vmem-retry >/dev/null && ctl save >/dev/null
tap_ok $? "free-all, unplug_online N, the driver's pending retry run now, save"
is "$(ctl --json devices | python3 -c 'import json,sys; print(sum("retry-in-ms" in d for d in json.load(sys.stdin)))')" 0 \
	"... no virtio-mem driver's retry timer armed: nothing left for the restart's probe to do"
before=$(snapshot)
sb=$(sysfs_blocks)
ndev=$(ctl --json devices | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
diag "after the race: $ndev devices, $(grep -c . <<<"$sb") blocks"
stop_fs
start_fs_netns --profile qemu-512m
tap_ok $? "hotmemfs restarts from the state file"
grep -q "restored the machine from" "$TMP/hotmemfs.log"
tap_ok $? "... and says it restored"
after=$(snapshot)
same_text "$after" "$before" "status --json after restart = before"
same_text "$(sysfs_blocks)" "$sb" "every block's state and zones through the mount = before"
ctl check >/dev/null
tap_ok $? "invariants hold after the restore"
stop_fs
# lib.sh's stop_fs fails on sanitizer ERRORs; ThreadSanitizer says WARNING
if nm -D "$HMFS" 2>/dev/null | grep -q __tsan_init || nm "$HMFS" 2>/dev/null | grep -q __tsan_init; then
	n=$(grep -c "WARNING: ThreadSanitizer" "$TMP/hotmemfs.log")
	is "$n" 0 "ThreadSanitizer: no report from hotmemfs"
	[ "$n" -eq 0 ] || grep -m1 -A30 "WARNING: ThreadSanitizer" "$TMP/hotmemfs.log" | sed 's/^/#   /'
fi
done_testing
