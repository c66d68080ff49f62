#!/bin/bash
# hotmemd on hotmemfs, notifier-error-inject's MEM_GOING_ONLINE set to
# -ENOMEM (hotmemctl inject): the online of a plugged DIMM fails with the
# errno alone, as on a real kernel, and hotmemd's give-up names where it
# came from -- the debugfs file that holds that very error, at the path a
# real kernel has it -- and how it ends.  Cleared, the next DIMM onlines
# and nothing is hinted.
. "$(dirname "$0")/lib.sh"
need_hotmemd
need_hotmemfs_in_netns "$@"
fs_paths
err=$mnt/sys/kernel/debug/notifier-error-inject/memory/actions/MEM_GOING_ONLINE/error
mount_hotmemfs "$mnt" "$ctl" "$sock"
hotmemd_on_sock --policy online_movable
inject() { "$CTL" -s "$ctl" inject MEM_GOING_ONLINE "$1" >/dev/null; }
check "hotmemctl inject MEM_GOING_ONLINE -12" inject -12
is "$(cat "$err")" "-12" "... the debugfs file says -12"
check "plug a DIMM" plug 1 1
check "hotmemd gives up its online" wait_for 10 grep -q "memory32: gave up onlining" "$log"
grep "gave up" "$log" | sed 's/^/# /'
check "... naming the file that holds this error, and how it ends" grep -qF \
	"memory32: gave up onlining: online_movable: Cannot allocate memory; $err holds -12, this error: an injected failure (notifier-error-inject), every online fails until 0 is written there; left offline until" "$log"
is "$(cat "$mem/memory32/state")" offline "... memory32 left offline"
echo 0 >"$err"
check "cleared (0 written there): the next DIMM onlines" plug 2 2
check "... memory33 online" wait_for 10 grep -q "memory33: online_movable" "$log"
is "$(grep -c 'gave up' "$log")" 1 "... and no other give-up"
done_testing
