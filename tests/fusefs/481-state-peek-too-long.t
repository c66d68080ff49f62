#!/bin/bash
# A state file's profile or command line too long for the machine is
# refused as the file's, whatever the options: hmfs_state_peek_config()
# cut them silently to its buffers (a profile name past PATH_MAX booted
# as another name, a long line was checked by main.c alone and only
# without --cmdline), now it says so and the caller reports it (small40
# item 3).
. "$(dirname "$0")/lib.sh"
require_env

mount_fs "hotmemfs mounts default" --profile default --fresh
stop_fs
cp "$STATE" "$TMP/state.good"

# a profile name of 4096 bytes, one more than the buffer's PATH_MAX - 1
state_machine_edit 'm["profile"] = "/" + "p" * 4095'
start_refused "a 4096-byte profile name in the state file" 78 \
	"^hotmemfs: state file $STATE: its profile is longer than 4095 bytes" \
	--control "$CTL" --state "$STATE" "$MNT"
grep -qF -- "(mv $STATE $STATE.bad && mv $STATE.journal $STATE.journal.bad) or start with --fresh" "$TMP/out"
tap_ok $? "... saying the way out"

# a line of 2048 bytes, one more than x86's COMMAND_LINE_SIZE - 1: the
# file's fault with --cmdline given too (it was "belongs to --cmdline")
cp "$TMP/state.good" "$STATE"
state_machine_edit 'm["cmdline"] = "x" * 2048'
start_refused "a 2048-byte command line in the state file, --cmdline given" 78 \
	"^hotmemfs: state file $STATE: its command line is longer than the 2047 bytes of x86's COMMAND_LINE_SIZE" \
	--control "$CTL" --state "$STATE" --profile default --cmdline "quiet" "$MNT"
! grep -qF "belongs to" "$TMP/out"
tap_ok $? "... not said as another machine's"
start_refused "... and without --cmdline" 78 \
	"^hotmemfs: state file $STATE: its command line is longer than the 2047 bytes of x86's COMMAND_LINE_SIZE" \
	--control "$CTL" --state "$STATE" --profile default "$MNT"

# the file as it was still restores
cp "$TMP/state.good" "$STATE"
mount_fs "the file as saved restores" --profile default
stop_fs
done_testing
