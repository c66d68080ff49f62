#!/bin/bash
# The kernel's own memory-hotplug selftest
# (tools/testing/selftests/memory-hotplug/mem-on-off-test.sh), unmodified,
# taken from Debian's linux-source package, run against hotmemfs: in a
# private mount namespace hotmemfs's memory directory is bound over
# /sys/devices/system/memory and its debugfs over /sys/kernel/debug
# (the real ones are never written), modprobe is bound to /bin/true so the
# host kernel loads nothing.
set -u
B=${HOTMEM_BUILD:-build}
SRC=${HOTMEM_SRC:-.}
plan=9
echo "1..$plan"
skip_all() { for i in $(seq $plan); do echo "ok $i # SKIP $1"; done; exit 0; }
[ "$(id -u)" -eq 0 ] || skip_all "needs root (FUSE, mount namespaces)"
[ -c /dev/fuse ] || skip_all "no /dev/fuse"
# the selftest, from the kernel source Debian ships
. "$(dirname "$0")/selftest.sh"
[ -x "$B/hotmemfs" ] && [ -x "$B/hotmemctl" ] || fail_all "hotmemfs not built"
SCRIPT=$(selftest_script 2>"$B/selftest.why") || fail_all "$(cat "$B/selftest.why")"

TMP=$(mktemp -d /tmp/hotmem-selftest.XXXXXX)
MNT=$TMP/mnt
mkdir -p "$MNT"
"$B/hotmemfs" --state none --control "$TMP/ctl" \
	--cmdline "memory_hotplug.memmap_on_memory=1" "$MNT" 2>"$TMP/fs.log" &
pid=$!
# wait_exit PID SECONDS (SIGKILL after SECONDS): tests/wait_exit.sh
. "$(dirname "$0")/../wait_exit.sh"
# unmounted, hotmemfs exits; one that does not within 30 s is killed and
# its mount detached
cleanup() {
	umount "$MNT" 2>/dev/null || fusermount3 -u "$MNT" 2>/dev/null
	wait_exit $pid 30 >/dev/null 2>&1 || umount -l "$MNT" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
for _ in $(seq 200); do
	[ -e "$MNT/sys/devices/system/memory/block_size_bytes" ] && break
	sleep 0.05
done
n=0
t() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }

[ -e "$MNT/sys/devices/system/memory/block_size_bytes" ]
t $? "hotmemfs mounted"
"$B/hotmemctl" -s "$TMP/ctl" device_add pc-dimm id=d1 size=512M >/dev/null
t $? "a 512M DIMM plugged (4 offline blocks)"

run_selftest() { # [ratio] -> stdout in $TMP/out.$1, stderr in $TMP/err.$1
	unshare -m --propagation private bash -c '
		set -e
		mount --bind "$1/sys/devices/system/memory" /sys/devices/system/memory
		mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug
		mount --bind "$1/sys/kernel/debug" /sys/kernel/debug
		for m in /sbin/modprobe /usr/sbin/modprobe; do
			[ -e "$m" ] && mount --bind /bin/true "$m"
		done
		set +e
		bash "$2" ${3:+-r "$3"}' _ "$MNT" "$SCRIPT" "$1" >"$TMP/out.$1" 2>"$TMP/err.$1"
}

# the kselftest default (ratio 2): the kernel's own verdict must be a pass
run_selftest ""
t $? "mem-on-off-test.sh (kselftest defaults) passes"
grep -q "Test with memory notifier error injection" "$TMP/out." && ! grep -q "skip" "$TMP/err."
t $? "... including the notifier error injection part (nothing skipped)"
[ ! -s "$TMP/err." ]
t $? "... and reports no unexpected result"
sed 's/^/# /' "$TMP/err." | head -20

# everything: memory0 spans DMA and DMA32 (EINVAL), memory7 holds the
# boot memmap (EBUSY) and memory32, the first block onlined into
# ZONE_NORMAL, holds the kernel's own allocations (EBUSY); a real kernel
# cannot offline those either
run_selftest 100
[ $? -eq 1 ]
t $? "mem-on-off-test.sh -r 100 fails, as on a real kernel"
failed=$(grep -B1 -- '^-> Failure' "$TMP/out.100" | sed -n 's/^online->offline memory//p' | tr '\n' ' ')
[ "$failed" = "0 32 7 " ]
t $? "... because exactly memory0, memory7 and the first Normal block memory32 cannot go offline (got: $failed)"
[ "$(grep -c -- '^-> Success' "$TMP/out.100")" -eq 9 ]
t $? "... and the other nine blocks went offline and came back"
"$B/hotmemctl" -s "$TMP/ctl" check >/dev/null
t $? "the engine's invariants hold afterwards"
