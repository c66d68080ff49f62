#!/bin/bash
# A vm.percpu_pagelist_high_fraction write whose record cannot be saved
# (its fdatasync() or its journal write failing) is undone: the value
# and every zone's pagesets' limits (zoneinfo's high_min, high_max) as
# before it, and a restart brings back the acknowledged value, not the
# refused one.  The write is a change under change_lock (6.12's handler
# holds pcp_batch_high_lock), its undo the engine's marks' snapshot, which
# keeps the fraction with the limits it set (pcpfile43).  Without the
# fraction in that snapshot the undone write's 8 stayed (checks 5, 8, 10).
set -u
. "$(dirname "$0")/lib.sh"
require_sync_fail
export HOTMEM_TEST_JOURNAL_WRITE_FAIL=$TMP/wfail
F=$MNT/proc/sys/vm/percpu_pagelist_high_fraction
limits() { grep -E '^Node|^ +(high_min|high_max):' "$MNT/proc/zoneinfo"; }

LD_PRELOAD=$SHIM start_fs_netns "${STATE_OPTS[@]}" --fresh
tap_ok $? "hotmemfs mounts qemu-512m with a fresh state file"
echo 100 >"$F"
tap_ok $? "percpu_pagelist_high_fraction <- 100"
expect=$(limits)
refused_save 8 "$F" "percpu_pagelist_high_fraction <- 8" "... the machine as before"
is "$(cat "$F")" 100 "... 100 again"
same_text "$(limits)" "$expect" "... every zone's pagesets' limits as before the failed write"

: >"$HOTMEM_TEST_JOURNAL_WRITE_FAIL"
echo 8 >"$F" 2>/dev/null
tap_ok $((! $?)) "percpu_pagelist_high_fraction <- 8 is refused, its journal write failing"
rm -f "$HOTMEM_TEST_JOURNAL_WRITE_FAIL"
is "$(cat "$F")" 100 "... 100 again"
same_text "$(limits)" "$expect" "... every zone's pagesets' limits as before"
grep -q "the vm.percpu_pagelist_high_fraction was undone" "$TMP/hotmemfs.log"
tap_ok $? "... the log names it"

kill9_same start_fs_netns "${STATE_OPTS[@]}"
is "$(cat "$F")" 100 "after kill -9 and a restart: the acknowledged 100"
same_text "$(limits)" "$expect" "... and its limits"
stop_fs
done_testing
