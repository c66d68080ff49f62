#!/bin/bash
# A change whose record is durable is answered, whatever change runs
# next.  A parameter's undo needs the saved machine (state.c
# hmfs_state_prepare(): auto_online_blocks' @pre); 8c836c4e dropped it
# under change_lock after the change's sync, because it was a reference
# to ctx->saved and json-c counts references without atomics.  A later
# change holding change_lock then held the reply: behind the guest's
# offline of memory33, which loops on pinned pages with change_lock
# held, an auto_online_blocks write whose fdatasync() had ended waited
# for as long as the offline looped (uninterruptibly: kill -9 could not
# end it).  The window is held open, no race: the write's fdatasync()
# waits (sync_shim.so) until the offline loops, then is let go.  @pre is
# the change's own copy now, dropped without a lock.  Then the pins go,
# and a restart has both changes.
. "$(dirname "$0")/lib.sh"
require_env
require_shim
need_tool python3 python3
export HOTMEM_TEST_SYNC_HOLD=$TMP/hold
A=$M/auto_online_blocks

LD_PRELOAD=$SHIM start_fs_netns --fresh
tap_ok $? "hotmemfs mounts with a fresh state file"
ctl device_add virtio-mem-pci id=vm0 size=1G requested-size=256M >/dev/null
tap_ok $? "a virtio-mem vm0, 256M plugged (memory32-33)"
memory33_pinned
was=$(cat "$A")
want=online_movable
[ "$was" != "$want" ] || want=offline

: >"$TMP/hold"
in_background aob python3 "$HOTMEM_SRC/tests/fusefs/sysw.py" w "$A" "$want"
held_wait
tap_ok $? "auto_online_blocks $was -> $want applied, its record's fdatasync() held"
(echo offline >"$M/memory33/state") 2>"$TMP/off.err" &
OFF=$!
looping
tap_ok $? "the guest's offline of memory33 loops (going-offline), holding change_lock"
rm -f "$TMP/hold"
# a bound for a failure, not a speed: nothing is left for the write to wait for
answered_within aob 30 && [ "$(cat "$TMP/aob.out")" = "ret=${#want}" ]
tap_ok $? "the write is answered once its record is durable: $(cat "$TMP/aob.out" 2>/dev/null)"
looping
tap_ok $? "... while the offline still loops"
is "$(cat "$A")" "$want" "auto_online_blocks is $want"

ctl free-all >/dev/null
wait "$OFF"
tap_ok $? "the pins freed: the offline of memory33 ends well"
answered_within aob 30
tap_ok $? "the write has its answer by now too"
before=$(snapshot)
stop_fs
start_fs_netns
tap_ok $? "hotmemfs restarts from its state file"
is "$(cat "$A")" "$want" "auto_online_blocks after the restart"
is "$(cat "$M/memory33/state")" offline "memory33 offline after the restart"
same_text "$(snapshot)" "$before" "status --json after the restart = before"
done_testing
