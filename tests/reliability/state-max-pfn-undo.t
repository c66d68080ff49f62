#!/bin/bash
# An add undone because its save failed takes back the max_pfn it raised
# (rerfix31b).  x86's max_pfn, where /proc/kpageflags and kpagecount
# end, is raised by each add and never lowered by the kernel (6.12
# add_pages()'s update_end_of_memory_vars()); an acknowledged add keeps
# it raised past its device's removal (tests/fusefs/419).  An add whose
# state-file save fails is not acknowledged: hotmemfs undoes it, and no
# kernel undoes an add -- the machine is put back as it was before the
# add, the end of those files with it.  Before, the undone DIMM's and
# the undone probe's max_pfn stayed, and the files ended past memory
# that was never added.
set -u
. "$(dirname "$0")/lib.sh"
require_sync_fail
probe_profile
at_boot="kpageflags ret=8 ret=0
kpagecount ret=8 ret=0"

LD_PRELOAD=$SHIM start_fs_netns "${PROBE_OPTS[@]}" --fresh
tap_ok $? "hotmemfs mounts qemu-512m with probe and a fresh state file"
is "$(kpage_ends 0x20000)" "$at_boot" "both files end at boot RAM's end (0x20000)"

expect=$(snapshot)
: >"$HOTMEM_TEST_SYNC_FAIL"
ctl device_add pc-dimm id=d1 size=128M >/dev/null 2>&1
tap_ok $((! $?)) "device_add pc-dimm d1 (4 GiB, 128M) is refused, its fdatasync() failing"
rm -f "$HOTMEM_TEST_SYNC_FAIL"
same_text "$(snapshot)" "$expect" "... the machine as before"
is "$(kpage_ends 0x20000)" "$at_boot" "... both files end at boot RAM's end again, not at d1's (0x108000)"

: >"$HOTMEM_TEST_SYNC_FAIL"
# 6 GiB, inside qemu-512m's 11.5 GiB (8 GiB until 2026-12-03): a probe
# past its end (then 8 GiB, now 11.5 GiB) is refused E2BIG
# before any save (mhp_range_allowed()), so this half could not fail
# (rerfix32a); the refusal must be the save's
echo 0x180000000 >"$M/probe" 2>"$TMP/probe.err"
tap_ok $((! $?)) "a probe of 6 GiB is refused, its fdatasync() failing"
log=$(ctl dmesg) && [ -n "$log" ] && ! grep -q "exceeds maximum addressable range" <<<"$log"
tap_ok $? "... not for its range: no 'exceeds maximum addressable range' line"
rm -f "$HOTMEM_TEST_SYNC_FAIL"
same_text "$(snapshot)" "$expect" "... the machine as before"
is "$(kpage_ends 0x20000)" "$at_boot" "... both files end at boot RAM's end again, not at the probe's (0x188000)"

# an acknowledged add raises it, and that stays as it was
ctl device_add pc-dimm id=d2 size=128M >/dev/null
tap_ok $? "device_add pc-dimm d2 (acknowledged)"
is "$(kpage_ends 0x108000)" "kpageflags ret=8 ret=0
kpagecount ret=8 ret=0" "... both files end at d2's end (0x108000)"
kill9_fs
start_fs_netns "${PROBE_OPTS[@]}"
tap_ok $? "restart after kill -9"
is "$(kpage_ends 0x108000)" "kpageflags ret=8 ret=0
kpagecount ret=8 ret=0" "... both files still end at d2's end"
grep -q "takes no more changes" "$TMP/hotmemfs.log"
tap_ok $((! $?)) "hotmemfs never froze"
ctl check >/dev/null
tap_ok $? "invariants hold"
done_testing
