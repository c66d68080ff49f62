#!/bin/bash
# A write to notifier-error-inject's memory/actions/*/error is kept like a
# parameter (a running kernel's debugfs keeps it): after kill -9 the
# errors are back, restored after the blocks (whose onlines and offlines
# they would fail).  A state file from before them: 0 (none injected).
. "$(dirname "$0")/lib.sh"
require_env
export HOTMEM_TEST_SYNC_FAIL=$TMP/fail
NEI=$MNT/sys/kernel/debug/notifier-error-inject/memory/actions
W() { python3 "$HOTMEM_SRC/tests/fusefs/sysw.py" w "$@"; }
errs() { echo "$(cat "$NEI/MEM_GOING_ONLINE/error") $(cat "$NEI/MEM_GOING_OFFLINE/error")"; }

start_state_fs 256M
echo online_movable >"$M/memory32/state"
tap_ok $? "memory32 online_movable"
echo -12 >"$NEI/MEM_GOING_ONLINE/error" && echo -16 >"$NEI/MEM_GOING_OFFLINE/error"
tap_ok $? "MEM_GOING_ONLINE -12, MEM_GOING_OFFLINE -16 injected"
want=$(sysfs_blocks)

kill9_fs
start_fs_netns "${STATE_OPTS[@]}"
tap_ok $? "restart after kill -9"
is "$(errs)" "-12 -16" "... both errors are back"
same_text "$(sysfs_blocks)" "$want" "... the blocks as they were (restored before the errors)"
is "$(W "$M/memory33/state" online_movable) $(W "$M/memory32/state" offline)" "ENOMEM EBUSY" \
	"... an online fails with ENOMEM, an offline with EBUSY"
echo 0 >"$NEI/MEM_GOING_ONLINE/error"
tap_ok $? "MEM_GOING_ONLINE cleared"
kill9_fs
start_fs_netns "${STATE_OPTS[@]}"
tap_ok $? "restart after kill -9"
is "$(errs)" "0 -16" "... the clear is kept too"
# hotmemctl inject arms without a record, but a clear of an armed error
# is the file's change: a later change's record had saved the error, and
# after kill -9 it came back, failing every offline (abuse26 E4)
ctl inject MEM_GOING_ONLINE -12 >/dev/null && echo online >"$M/auto_online_blocks"
tap_ok $? "hotmemctl inject MEM_GOING_ONLINE -12, then a change whose record saves it"
is "$(ctl inject MEM_GOING_ONLINE 0) $(ctl inject MEM_GOING_OFFLINE 0)" \
	"MEM_GOING_ONLINE: injection cleared: the memory notifier lets onlines through again MEM_GOING_OFFLINE: injection cleared: the memory notifier lets offlines through again" \
	"hotmemctl inject ACTION 0 clears both"
kill9_fs
from=$(($(wc -l <"$TMP/hotmemfs.log") + 1))
start_fs_netns "${STATE_OPTS[@]}"
tap_ok $? "restart after kill -9"
is "$(errs)" "0 0" "... both clears are kept"
! tail -n +"$from" "$TMP/hotmemfs.log" | grep -q "notifier-error-inject restored"
tap_ok $? "... and the restart says no injection restored"
stop_fs
if [ -e "$SHIM" ]; then
	# a clear whose save fails clears anyway, and says the restart arms it again
	LD_PRELOAD=$SHIM start_fs_netns "${STATE_OPTS[@]}"
	ctl inject MEM_GOING_OFFLINE -16 >/dev/null && echo online_movable >"$M/auto_online_blocks"
	: >"$TMP/fail"
	out=$(HOTMEM_TEST_SYNC_FAIL= ctl inject MEM_GOING_OFFLINE 0 2>&1)
	rm -f "$TMP/fail"
	[[ $out == "MEM_GOING_OFFLINE: injection cleared, but not saved ("*"): a restart from the state file arms it again" ]]
	tap_ok $? "a clear whose fdatasync() fails: cleared, not saved, said: $out"
	is "$(errs)" "0 0" "... cleared"
	stop_fs
else
	ok "# SKIP no sync_shim.so (make all builds it)"
	ok "# SKIP no sync_shim.so"
fi

state_drop_key params/notifier-error-going-online params/notifier-error-going-offline
start_fs_netns "${STATE_OPTS[@]}"
tap_ok $? "a state file without the errors loads"
is "$(errs)" "0 0" "... none injected"
done_testing
