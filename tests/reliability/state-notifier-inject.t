#!/bin/bash
# A write to notifier-error-inject's memory/actions/*/error is kept like a
# parameter (a running kernel's debugfs keeps it): after kill -9 the
# errors are back, restored after the blocks (whose onlines and offlines
# they would fail).  A state file from before them: 0 (none injected).
. "$(dirname "$0")/lib.sh"
require_env
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
stop_fs

state_drop_key params/notifier-error-going-online params/notifier-error-going-offline
start_fs_netns "${STATE_OPTS[@]}"
tap_ok $? "a state file without the errors loads"
is "$(errs)" "0 0" "... none injected"
done_testing
