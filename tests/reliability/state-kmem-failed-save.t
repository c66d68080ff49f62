#!/bin/bash
# A whole save that fails leaves the kernel's allocations' log going on
# from a list no durable file holds (reread18-fusefs2 F10): the start
# save of a restart failing (ENOSPC: the journal's records still fit,
# written over the zeros it keeps ahead),
# the records after it carried changes relative to the restarted list,
# and a restart replayed them onto the file before's.  Now the next
# record carries the whole list ("allocs"), and a kill -9 after it
# restores the same kernel pages.
. "$(dirname "$0")/lib.sh"
require_env
OPTS=(--profile qemu-512m)
state_on_small_tmpfs hmkmemsave

start_fs_netns "${OPTS[@]}" --fresh
tap_ok $? "hotmemfs mounts qemu-512m (kernel_alloc default) with a fresh state file on a 256k tmpfs"
ctl device_add pc-dimm size=1G id=dimm1 >/dev/null && echo online >"$M/memory33/state"
tap_ok $? "a 1G DIMM, memory33 online (ZONE_NORMAL: the kernel's allocations land there)"
for ((i = 0; i < 20; i++)); do
	echo online_movable >"$M/memory32/state" && echo offline >"$M/memory32/state" || break
done
is "$i" 20 "memory32 online_movable and offline 20 times"
n0=$(journal_text | wc -l)
# the restart's whole save finds no room
restart_start_save_fails
for ((i = 0; i < 5; i++)); do
	echo online_movable >"$M/memory32/state" && echo offline >"$M/memory32/state" || break
done
is "$i" 5 "memory32 online_movable and offline 5 times more"
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
