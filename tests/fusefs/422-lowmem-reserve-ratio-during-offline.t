#!/bin/bash
# A vm.lowmem_reserve_ratio write is answered while a guest's offline
# loops on pinned pages, with a state file or without (reread31 R2):
# 6.12's lowmem_reserve_ratio_sysctl_handler() (mm/page_alloc.c) is
# proc_dointvec_minmax(), the ratios below 1 stored as 0 and
# setup_per_zone_lowmem_reserve() -- no lock; only min_free_kbytes and
# watermark_scale_factor reach zone_pcp_update(), which waits for the
# offline (tests/fusefs/410).  hotmemfs made it a change under
# change_lock, which the offline holds: the writer waited for the
# offline.  It is a lock-free parameter now, a "param" record of
# "lowmem-reserve-ratio" durable before the answer.
# And a partial write sets its own ratios alone (reread31 R3): a writer
# read all the ratios before waiting and set them all after, so
# `echo 7` queued behind `echo "100 100"` took the second ratio back to
# 256 (or `echo "100 100"` set after it took the 7 back).
# Without the fix checks 5-13, 19-24, 26 and 28 fail (checked).
# The writers of the one file are not serialised by the kernel's inode
# lock (its header said so until 2026-12-02): FOPEN_PARALLEL_DIRECT_WRITES
# (fusefs/fs.c reply_open_file()) and i_size at the value's length after
# the open (32162b8a) let a write within it take the lock shared, so two
# writers queued behind the offline on 9a015feb^ (R3 unfixed) both read
# the ratios before waiting: "100 100" then 7 left 7 256 32 0 0 (one run
# of two; the other 100 100 32 0 0).  Today nothing waits between a
# writer's parse and its set, so R3 has no window here; the engine's
# overlay is test_hotplug test_watermark_sysctls'.  Check 14 (the
# offline ended as it should) passes whatever; what can take the ratios
# back at an offline's end is its undo: checks 40 and 42, which fail
# with state.c undo_params_with() undoing the lock-free parameters too
# (checked, 256 256 32 0 0 both).
. "$(dirname "$0")/lib.sh"
require_env
need_tool python3 python3
V=$MNT/proc/sys/vm
R=$V/lowmem_reserve_ratio
ratios() { tr '\t' ' ' <"$R"; }
# zoneinfo's first protection line: DMA's, which its ratio divides
dma_protection() { grep -m1 protection "$MNT/proc/zoneinfo" | tr -s ' '; }
params() { tr '\0' '\n' <"$STATE.journal" | grep -c '"param":{"lowmem-reserve-ratio":\[7,100,32,0,0\],"lowmem-reserve":\[\['; }
# while_looping VALUE ANSWER: VALUE written into lowmem_reserve_ratio
# answers ANSWER while the offline loops (two TAP lines); WRITERS: their
# jobs, each waited for once the offline ended
WRITERS=()
while_looping() {
	local name=wr${#WRITERS[@]}
	in_background "$name" w "$R" "$1"
	WRITERS+=("$BG")
	answered_within "$name" 30 && looping
	tap_ok $? "lowmem_reserve_ratio <- '$1' answers while the offline loops"
	is "$(cat "$TMP/$name.out")" "$2" "... $2"
}
# offline_ends: the pins freed, the offline and the writers waited for
offline_ends() {
	ctl free-all >/dev/null
	wait "$OFF" "${WRITERS[@]}" 2>/dev/null
	WRITERS=()
}

vmem_offline_loops "without a state file"
before=$(dma_protection)
while_looping 7 ret=1
is "$(ratios)" "7 256 32 0 0" "... and reads back at once"
tap_ok "$([ "$(dma_protection)" != "$before" ]; echo $?)" \
	"... DMA's protection set again at once: $before -> $(dma_protection)"
while_looping "100 100" ret=7
while_looping 7 ret=1
is "$(ratios)" "7 100 32 0 0" "... the second ratio the first writer's: a partial write sets its own alone"
offline_ends
is "$(ratios)" "7 100 32 0 0" "... and so after the offline ended"
stop_fs

vmem_offline_loops "(a state file)" --fresh
while_looping "100 100" ret=7
while_looping 7 ret=1
is "$(params)" 1 "... a \"param\" record of lowmem-reserve-ratio [7,100,32,0,0] in the journal"
kill9_fs
wait "$OFF" "${WRITERS[@]}" 2>/dev/null
journal_last_kept '"param":{"lowmem-reserve-ratio":\[7,100,32,0,0\],"lowmem-reserve":\[\[' \
	"the lowmem-reserve-ratio record is the journal's last"
mount_fs "kill -9 while the offline still looped, restart from the state file"
is "$(ratios)" "7 100 32 0 0" "the acknowledged ratios are back"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
last_record_refused "a whole, checksummed lowmem-reserve-ratio record of 4 ratios" \
	'"lowmem-reserve-ratio":[7,100,32,0,0]' '"lowmem-reserve-ratio":[7,100,32,0]'

# the offline's end undone, its record's fdatasync() failing
# (sync_shim.so): memory33 online again, the ratios left as the writers
# set them on records of their own while it looped, not as its "params"
# had them before (a change's undo leaves the lock-free parameters:
# state.c undo_params_with(), params_locked())
want_wrapping_shim sync_shim
export HOTMEM_TEST_SYNC_FAIL=$TMP/fail
LD_PRELOAD="$(preloads "$TMP/sync_shim.so")" \
	vmem_offline_loops "(a state file, sync_shim.so)" --fresh
while_looping "100 100" ret=7
while_looping 7 ret=1
: >"$TMP/fail"
offline_ends
rm -f "$TMP/fail"
is "$(grep -c 'journal: Input/output error; undoing the changes not yet saved$' "$TMP/hotmemfs.log")" 1 \
	"the offline ended, its record's fdatasync() failed: undone"
is "$(cat "$MNT/sys/devices/system/memory/memory33/state")" online "... memory33 online again"
is "$(ratios)" "7 100 32 0 0" "... the ratios as the writers left them, not as before the offline"
kill9_fs
mount_fs "kill -9 after the undone offline, restart from the state file"
is "$(ratios)" "7 100 32 0 0" "... the acknowledged ratios are back"
done_testing
