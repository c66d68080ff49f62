#!/bin/bash
# A whole save that fails leaves the kernel's allocations' log going on
# from a list no durable file holds (reread18-fusefs2 F10): the start
# save of a restart failing (ENOSPC: the journal's records still fit,
# written over the zeros it keeps ahead),
# the records after it carried changes relative to the restarted list,
# and a restart replayed them onto the file before's.  Now the next
# record carries the whole list ("allocs"), and a kill -9 after it
# restores the same kernel pages.  The records after the failed save go
# over the zeros the journal kept ahead (the disk full, it cannot grow):
# how many pairs of memory32's records fit there is computed from the
# file (pairs_fit), not a constant -- 5 pairs fitted with 546 bytes to
# spare on 2026-12-01, and a record a dozen bytes longer would have
# failed the check for no fault of the code.
. "$(dirname "$0")/lib.sh"
require_env
OPTS=(--profile qemu-512m)
state_on_small_tmpfs hmkmemsave
# pairs_fit: how many more online_movable/offline pairs of memory32 the
# journal's zeros ahead hold -- the file's size less its records, over
# the longest online and the longest offline record of memory32 that
# carry changes only (no "allocs"), with a few bytes more for their
# numbers' digits growing
pairs_fit() {
	python3 - "$STATE.journal" <<'PY'
import sys
d = open(sys.argv[1], "rb").read()
end = d.find(b"\0") if b"\0" in d else len(d)
recs = [r for r in d[:end].decode().splitlines(keepends=True)
        if '"run":{"first":32,"count":1,' in r and '"allocs":' not in r]
pair = sum(max([len(r) for r in recs if '"state":"%s"' % s in r] or [1 << 20])
           for s in ("online", "offline")) + 8
print((len(d) - end) // pair)
PY
}
pair32() { echo online_movable >"$M/memory32/state" && echo offline >"$M/memory32/state"; }
# room_for_more: the journal's zeros ahead hold a record carrying the
# kernel's allocations whole (the longest such record so far) and two
# pairs after it -- where the 20 pairs end against the journal's growth
# is the records' lengths' doing (a record grew by a parameter since:
# none fitted, 2026-12-02), so the test adds pairs until it is so
room_for_more() {
	python3 - "$STATE.journal" <<'PY'
import sys
d = open(sys.argv[1], "rb").read()
end = d.find(b"\0") if b"\0" in d else len(d)
recs = d[:end].decode().splitlines(keepends=True)
allocs = max([len(r) for r in recs if '"allocs":' in r] or [4096])
pair = sum(max([len(r) for r in recs if '"run":{"first":32,"count":1,' in r and
                '"state":"%s"' % s in r and '"allocs":' not in r] or [1 << 20])
           for s in ("online", "offline")) + 8
sys.exit(0 if len(d) - end >= allocs + 2 * pair + 64 else 1)
PY
}

start_fs_netns "${OPTS[@]}" --fresh
tap_ok $? "hotmemfs mounts qemu-512m (kernel_alloc default) with a fresh state file on a 256k tmpfs"
ctl device_add pc-dimm size=1G id=dimm1 >/dev/null && echo online >"$M/memory33/state"
tap_ok $? "a 1G DIMM, memory33 online (ZONE_NORMAL: the kernel's allocations land there)"
for ((i = 0; i < 20; i++)); do
	echo online_movable >"$M/memory32/state" && echo offline >"$M/memory32/state" || break
done
for ((j = 0; j < 80; j++)); do
	room_for_more && break
	pair32 || break
done
is "$i" 20 "memory32 online_movable and offline 20 times (and $j more, for room ahead)"
n0=$(journal_text | wc -l)
# the restart's whole save finds no room
restart_start_save_fails
pair32
tap_ok $? "memory32 online_movable and offline again (its first record carries the list whole)"
fit=$(pairs_fit)
[ "$fit" -gt 4 ] && fit=4
for ((i = 0; i < fit; i++)); do
	pair32 || break
done
[ "$fit" -ge 1 ] && [ "$i" -eq "$fit" ]
tap_ok $? "... and $i times more, as many as the journal's room ahead holds, at most 4 ($fit)"
first=$(journal_text | tail -n +$((n0 + 1)) | grep -m1 '"kmem"')
[[ "$first" == *'"kmem":{"rng":'*'"allocs":'* ]]
tap_ok $? "the first record after the failed save carries the kernel's allocations whole: ${first:0:100}"
last=$(journal_text | tail -1)
[[ "$last" == *'"ops":'* && "$last" != *'"allocs":'* ]]
tap_ok $? "... and the ones after it their changes"
before=$(kernel_pages 0 1 2 3 33)
kill9_fs
start_fs_netns "${OPTS[@]}"
tap_ok $? "restart after kill -9"
same_text "$(kernel_pages 0 1 2 3 33)" "$before" "... explain and meminfo show the same kernel pages as before the kill"
done_testing
