#!/bin/bash
# An add undone because its save failed takes back the max_pfn it raised
# (state-max-pfn-undo.t) -- only when the add is gone (reread32 R1).
# When the take-back is refused too (every offline fails: notifier-error-
# inject MEM_GOING_OFFLINE -> EBUSY, and the add's memory was onlined by
# auto_online_blocks), the DIMM's or the probe's memory stays online and
# hotmemfs freezes; a kernel never has memory past max_pfn (6.12 x86
# update_end_of_memory_vars() only raises it), so /proc/kpageflags and
# kpagecount still cover it.  Before, the undo lowered max_pfn anyway and
# both files ended at boot RAM's end (0x20000) with memory32 online.
set -u
. "$(dirname "$0")/lib.sh"
require_sync_fail
probe_profile
# start_refusing: hotmemfs fresh, adds onlined movable, every offline refused
start_refusing() {
	LD_PRELOAD=$SHIM start_fs_netns "${PROBE_OPTS[@]}" --fresh
	tap_ok $? "hotmemfs mounts qemu-512m with probe and a fresh state file"
	echo online_movable >"$M/auto_online_blocks"
	tap_ok $? "... auto_online_blocks online_movable"
	ctl inject MEM_GOING_OFFLINE -16 >/dev/null
	tap_ok $? "... every offline now fails with EBUSY"
}
# frozen WHAT: hotmemfs said it takes no more changes, the undo of WHAT failing
frozen() {
	grep -q "takes no more changes.*$1 could not be undone" "$TMP/hotmemfs.log"
	tap_ok $? "... its undo is refused too: hotmemfs takes no more changes" ||
		diag "$(tail -3 "$TMP/hotmemfs.log")"
}

start_refusing
: >"$HOTMEM_TEST_SYNC_FAIL"
ctl device_add pc-dimm id=d1 size=128M >/dev/null 2>&1
tap_ok $((! $?)) "device_add pc-dimm d1 (4 GiB, 128M) is refused, its fdatasync() failing"
rm -f "$HOTMEM_TEST_SYNC_FAIL"
frozen "the device_add"
is "$(cat "$M/memory32/state")" online "... d1's memory32 stays online"
ctl --json devices | grep -q '"d1"'
tap_ok $? "... d1 stays"
is "$(kpage_ends 0x108000)" "kpageflags ret=8 ret=0
kpagecount ret=8 ret=0" "... both files still end at d1's end (0x108000), not at boot RAM's (0x20000)"
ctl check >/dev/null
tap_ok $? "... invariants hold"
ctl inject MEM_GOING_OFFLINE 0 >/dev/null 2>&1
kill9_fs

start_refusing
: >"$HOTMEM_TEST_SYNC_FAIL"
# 6 GiB: inside qemu-512m's maxmem, 11.5 GiB (0x2e0000000 is past it: E2BIG)
echo 0x180000000 >"$M/probe" 2>/dev/null
tap_ok $((! $?)) "a probe of 6 GiB is refused, its fdatasync() failing"
rm -f "$HOTMEM_TEST_SYNC_FAIL"
frozen "the probe"
is "$(cat "$M/memory48/state")" online "... the probed memory48 stays online"
is "$(kpage_ends 0x188000)" "kpageflags ret=8 ret=0
kpagecount ret=8 ret=0" "... both files still end at the probe's end (0x188000), not at boot RAM's"
ctl check >/dev/null
tap_ok $? "... invariants hold"
ctl inject MEM_GOING_OFFLINE 0 >/dev/null 2>&1
done_testing
