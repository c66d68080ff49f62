#!/bin/bash
# A change whose record cannot be made durable (the journal's fdatasync
# fails) is undone; when the undo is refused too (every offline fails:
# MEM_GOING_OFFLINE -> EBUSY by notifier-error-inject, and the undo of an
# online is an offline), hotmemfs takes no more changes, and the state
# file, its journal cut back to the last durable record, stays the way
# back: neither the rollback nor a clean stop writes the machine over it.
# After the restart the online that was never acknowledged is not there.
. "$(dirname "$0")/lib.sh"
require_env
require_shim
INJ=$MNT/sys/kernel/debug/notifier-error-inject/memory/actions/MEM_GOING_OFFLINE/error

start_state_fs 256M
EXPECT=$(snapshot)
kill9_fs
: >"$TMP/fail"
HOTMEM_TEST_SYNC_FAIL=$TMP/fail LD_PRELOAD=$SHIM start_fs_netns "${STATE_OPTS[@]}"
tap_ok $? "restart with the journal's fdatasync() failing (EIO)"
ctl inject MEM_GOING_OFFLINE -16 >/dev/null
tap_ok $? "every offline now fails with EBUSY"
echo online_movable >"$M/memory32/state" 2>"$TMP/err"
tap_ok $((! $?)) "onlining memory32 is refused (its record cannot be made durable)"
grep -q "takes no more changes" "$TMP/hotmemfs.log"
tap_ok $? "... its undo (an offline) is refused too: hotmemfs takes no more changes"
is "$(cat "$M/memory32/state")" online "... memory32 stays online, the machine differs from the file"
rm -f "$TMP/fail"
ctl inject MEM_GOING_OFFLINE 0 >/dev/null 2>&1
stop_fs
grep -q "the machine is not saved at exit" "$TMP/hotmemfs.log"
tap_ok $? "a clean stop leaves the file as it was, and says so"
start_fs_netns "${STATE_OPTS[@]}"
tap_ok $? "hotmemfs restarts"
same_text "$(snapshot)" "$EXPECT" "... with the file's machine: memory32 offline, the refused online not there"
echo online_movable >"$M/memory32/state"
tap_ok $? "... and takes changes again"
done_testing
