#!/bin/bash
# A background compaction that fails (its PATH.tmp taken: the whole save
# cannot be written) leaves the old state file and the journal adding up,
# and the engine's log of the kernel's allocations goes on from the last
# record: the records after it carry their changes ("ops"), not the whole
# list ("allocs"), which only a failed save that started the log needs
# (state-kmem-failed-save.t; reread19-fusefs F3: the whole list was forced
# after every failed compaction, hundreds of KB a record on a large
# machine, and on a full disk every change refused at once).  A kill -9
# after them restores the same kernel pages.
. "$(dirname "$0")/lib.sh"
require_env
OPTS=(--profile qemu-512m --cmdline hotmem.kernel_alloc=heavy)
allocs() { journal_text | grep -c '"allocs":'; }

start_fs_netns "${OPTS[@]}" --fresh
tap_ok $? "hotmemfs mounts qemu-512m with hotmem.kernel_alloc=heavy and a fresh state file"
ctl device_add pc-dimm size=1G id=dimm1 >/dev/null && echo online >"$M/memory33/state"
tap_ok $? "a 1G DIMM, memory33 online (ZONE_NORMAL: the kernel's allocations land there too)"
is "$(allocs)" 0 "no record carries the whole list (the start save holds it)"
: >"$STATE.tmp"
for ((i = 0; i < 40; i++)); do
	flips 100 >/dev/null
	[ "$(status_field state-save-errors)" -ge 1 ] && break
done
[ "$(status_field state-save-errors)" -ge 1 ]
tap_ok $? "with $STATE.tmp in the way a background compaction fails ($((i * 100 + 100)) changes at most)"
grep -q "compacting $STATE.journal into $STATE: File exists" "$TMP/hotmemfs.log"
tap_ok $? "... and says so"
flips 10 >/dev/null
is "$(allocs)" 0 "the records after it carry the kernel's allocations' changes, not the whole list"
last=$(journal_text | tail -1)
[[ "$last" == *'"kmem":{"rng":'*'"ops":'* ]]
tap_ok $? "... the last one its changes: ${last:0:80}"
before=$(kernel_pages --memfree 0 1 2 3 33)
kill9_fs
rm -f "$STATE.tmp"
start_fs_netns "${OPTS[@]}"
tap_ok $? "restart after kill -9"
same_text "$(kernel_pages --memfree 0 1 2 3 33)" "$before" "... the same kernel pages: old file and journal add up"
done_testing
