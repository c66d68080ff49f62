#!/bin/bash
# The kernel's memory-hotplug selftest as a user runs it inside
# hotmem-enter, with nothing bound by hand (hotmem-enter(8) lists it among
# the tools that need no --sysroot): its error-injection half finds a
# debugfs (`mount -t debugfs`) with hotmemfs's notifier-error-inject files,
# and its `modprobe memory-notifier-error-inject` / `modprobe -r` reach the
# stand-in, never the host's kernel.
set -u
B=${HOTMEM_BUILD:-build}
plan=7
echo "1..$plan"
skip_all() { for i in $(seq $plan); do echo "ok $i # SKIP $1"; done; exit 0; }
[ "$(id -u)" -eq 0 ] || skip_all "needs root (namespaces, FUSE)"
[ -c /dev/fuse ] || skip_all "no /dev/fuse"
. "$(dirname "$0")/selftest.sh"
[ -x "$B/hotmem-enter" ] && [ -x "$B/hotmemfs" ] || fail_all "hotmem-enter not built"
SCRIPT=$(selftest_script 2>"$B/selftest.why") || fail_all "$(cat "$B/selftest.why")"
TMP=$(mktemp -d /tmp/hotmem-enter-selftest.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
n=0
t() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }

modprobe=$(realpath /sbin/modprobe 2>/dev/null)
before=$( [ -n "$modprobe" ] && sha256sum "$modprobe")
timeout 600 "$B/hotmem-enter" --cmdline memory_hotplug.memmap_on_memory=1 -- bash -c '
	hotmemctl device_add pc-dimm id=d1 size=512M >/dev/null || exit 99
	mount -t debugfs | head -1 >"$1/debugfs"
	modprobe memory-notifier-error-inject 2>"$1/modprobe.err"; echo $? >"$1/modprobe.rc"
	bash "$2"' _ "$TMP" "$SCRIPT" >"$TMP/out" 2>"$TMP/err"
rc=$?
t $((rc != 0)) "mem-on-off-test.sh passes inside hotmem-enter (rc $rc)"
grep -q "^debugfs on /sys/kernel/debug type debugfs" "$TMP/debugfs"
t $? "mount -t debugfs lists /sys/kernel/debug inside ($(cat "$TMP/debugfs"))"
grep -q "Test with memory notifier error injection" "$TMP/out" && ! grep -q "skip extra tests" "$TMP/out" "$TMP/err"
t $? "the notifier error injection half ran (nothing skipped)"
! grep -v "^hotmemfs: " "$TMP/err" | grep -q .
t $? "... and no unexpected result (the injected failures failed: hotmemfs's notifier-error-inject files)"
[ "$(cat "$TMP/modprobe.rc")" = 0 ]
t $? "modprobe of a module inside exits 0, as for a built-in driver"
grep -q "^hotmem-enter: modprobe memory-notifier-error-inject: not run" "$TMP/modprobe.err"
t $? "... saying it did not run ($(cat "$TMP/modprobe.err"))"
after=$( [ -n "$modprobe" ] && sha256sum "$modprobe")
[ "$before" = "$after" ] && ! findmnt -n "${modprobe:-/sbin/modprobe}" >/dev/null
t $? "the host's modprobe is untouched and nothing is mounted over it outside"
sed 's/^/# /' "$TMP/err" | head -20
