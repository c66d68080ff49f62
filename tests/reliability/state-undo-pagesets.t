#!/bin/bash
# An undone change leaves every zone's pagesets as they were -- batch,
# high_min, high_max, the stats threshold and pcp->high (zoneinfo's
# "high:") -- and the undo's compare (state.c params_same()) now takes
# the limits and thresholds in: one left wrong freezes hotmemfs rather
# than go unseen (zones44; params43 left "pagesets" out of it).  Two
# undos: a vm.percpu_pagelist_high_fraction write (its limits, and the
# pcp->high a write of 0 kept above high_min, which the refused 8 would
# have clamped up) and a min_free_kbytes write (a setup: limits and
# pcp->high settled anew).  Shown by hand: with hotmem_wmark_restore()
# not putting high_min back, checks 4, 5, 8 and 9 fail -- 5 and 9
# (frozen) only with the compare: without it hotmemfs said "undone" --
# and with it not putting pcp->high back, checks 4 and 8.
set -u
. "$(dirname "$0")/lib.sh"
require_sync_fail
export HOTMEM_TEST_JOURNAL_WRITE_FAIL=$TMP/wfail
V=$MNT/proc/sys/vm
F=$V/percpu_pagelist_high_fraction
pagesets() { grep -E '^Node|^ +(high|batch|high_min|high_max):|vm stats threshold' "$MNT/proc/zoneinfo"; }
# not_frozen WHAT: the log says no freeze, and a change is still taken
not_frozen() {
	! grep -q "takes no more changes" "$TMP/hotmemfs.log" && echo "$(cat "$F")" >"$F"
	tap_ok $? "$1: hotmemfs not frozen, a write taken after it"
}

LD_PRELOAD=$SHIM start_fs_netns "${STATE_OPTS[@]}" --fresh
tap_ok $? "hotmemfs mounts qemu-512m with a fresh state file"
echo 100 >"$F" && echo 0 >"$F"
tap_ok $? "percpu_pagelist_high_fraction <- 100, <- 0: pcp->high kept above high_min"
expect=$(pagesets)

: >"$HOTMEM_TEST_JOURNAL_WRITE_FAIL"
echo 8 >"$F" 2>/dev/null
tap_ok $((! $?)) "percpu_pagelist_high_fraction <- 8 is refused, its journal write failing"
rm -f "$HOTMEM_TEST_JOURNAL_WRITE_FAIL"
same_text "$(pagesets)" "$expect" "... every zone's pagesets as before, pcp->high too"
not_frozen "... undone"

min=$(cat "$V/min_free_kbytes")
: >"$HOTMEM_TEST_JOURNAL_WRITE_FAIL"
echo $((min + 1024)) >"$V/min_free_kbytes" 2>/dev/null
tap_ok $((! $?)) "min_free_kbytes <- $((min + 1024)) is refused, its journal write failing"
rm -f "$HOTMEM_TEST_JOURNAL_WRITE_FAIL"
is "$(cat "$V/min_free_kbytes")" "$min" "... $min again"
same_text "$(pagesets)" "$expect" "... every zone's pagesets as before, pcp->high too"
not_frozen "... undone"
stop_fs
done_testing
