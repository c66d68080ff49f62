#!/bin/bash
# A write of auto_online_blocks answers while a guest's offline loops on
# pinned pages, with a state file or without: 6.12's
# auto_online_blocks_store() (drivers/base/memory.c) takes no lock --
# mhp_online_type_from_str(), mhp_set_default_online_type(), return.
# hotmemfs made it a change under change_lock, which the offline holds:
# the writer waited for the offline to end, past its own signal (abuse27
# F5).  Now it is journaled as the other lock-free values are
# (tests/fusefs/310), a "param" record of "auto-online" (an online type's
# name) durable before the answer, so an acknowledged value survives
# kill -9 of hotmemfs while the offline still loops; a record of it that
# is no online type's name is damage (the start refused, 78).
# Without machine.c's lock_free_value() taking HMFS_CH_AUTO_ONLINE (state.c
# lock_free_params[]) checks 5, 7, 14-18 fail (checked).
. "$(dirname "$0")/lib.sh"
require_env
need_tool python3 python3
A=$MNT/sys/devices/system/memory/auto_online_blocks
params() { tr '\0' '\n' <"$STATE.journal" | grep -c '"param":{"auto-online":"online_movable"}'; }

vmem_offline_loops "without a state file"
in_background ao w "$A" online_kernel
answered_within ao 30 && looping
tap_ok $? "auto_online_blocks online_kernel answers while the offline loops ($(cat "$TMP/ao.out"))"
is "$(cat "$A")" online_kernel "... and reads back at once"
ctl free-all >/dev/null
wait "$OFF"
stop_fs

vmem_offline_loops "(a state file)" --fresh
in_background ao w "$A" online_movable
answered_within ao 30 && looping
tap_ok $? "with a state file: auto_online_blocks online_movable answers while the offline loops"
is "$(cat "$A")" online_movable "... and reads back at once"
is "$(params)" 1 "... a \"param\" record of auto-online in the journal"
# bad input while the offline loops: 6.12's auto_online_blocks_store()
# answers -EINVAL from mhp_online_type_from_str() at once, the value stays
in_background bad w "$A" movable
answered_within bad 30 && looping
tap_ok $? "a bad word answers while the offline loops"
is "$(cat "$TMP/bad.out")" EINVAL "... with EINVAL, as 6.12"
is "$(cat "$A")" online_movable "... and the value stays"
is "$(tr '\0' '\n' <"$STATE.journal" | grep -c '"auto-online":"movable"')" 0 "... and nothing is journaled"
kill9_fs
wait "$OFF" 2>/dev/null
journal_last_kept '"param":{"auto-online":"online_movable"}' "the auto-online record is the journal's last"
mount_fs "kill -9 while the offline still looped, restart from the state file"
is "$(cat "$A")" online_movable "the acknowledged auto_online_blocks is back"
is "$(cat "$MNT/sys/devices/system/memory/memory33/state")" online \
	"memory33 online: its offline never ended"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
last_record_refused "a whole, checksummed auto-online record of a number" \
	'"auto-online":"online_movable"' '"auto-online":3'
last_record_refused "... of no online type's name" \
	'"auto-online":"online_movable"' '"auto-online":"movable"'
done_testing
