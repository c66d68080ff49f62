#!/bin/bash
# When a change cannot be saved and cannot be undone either, hotmemfs
# stops taking changes with a clear message (#16.2), rather than go on
# with a machine its state file does not describe.  The undo of an
# online is an offline; notifier-error-inject makes every offline fail
# (MEM_GOING_OFFLINE -> EBUSY), then the disk fills and a block is
# onlined: the save fails, the undo is refused.  Every later change is
# refused (EROFS); after kill -9 the machine of the file comes back.
. "$(dirname "$0")/lib.sh"
require_env
state_on_small_tmpfs hotmem-frozen
M=$MNT/sys/devices/system/memory
INJ=$MNT/sys/kernel/debug/notifier-error-inject/memory/actions/MEM_GOING_OFFLINE/error
OPTS=(--profile qemu-512m --cmdline hotmem.kernel_alloc=off)

start_fs_netns "${OPTS[@]}" --fresh
tap_ok $? "hotmemfs mounts qemu-512m, its state file on a 256k tmpfs"
ctl device_add pc-dimm id=d1 size=256M >/dev/null
tap_ok $? "a DIMM (memory32, memory33 offline)"
full_no_undo
EXPECT=$(snapshot)

echo online_movable >"$M/memory32/state" 2>"$TMP/err"
tap_ok $((! $?)) "onlining memory32 is refused"
grep -q "No space left on device" "$TMP/err"
tap_ok $? "... with the save's errno: $(cat "$TMP/err")"
grep -q "takes no more changes: saving the state file .* failed (No space left on device) and the memoryN/state could not be undone" "$TMP/hotmemfs.log"
tap_ok $? "... the log says hotmemfs takes no more changes, and why"

rm -f "$SD/fill" "$SD/fill2"
# the clear of an armed error is the file's change (a parameter's record):
# refused as every change, not made "anyway" as a clear whose save failed
ctl inject MEM_GOING_OFFLINE 0 >/dev/null 2>"$TMP/err"
tap_ok $((! $?)) "with room again, hotmemctl inject's clear of the armed error is refused"
grep -q "takes no more changes" "$TMP/err"
tap_ok $? "... saying why: $(head -c 160 "$TMP/err")"
is "$(cat "$INJ")" -16 "... the error left armed"
ctl device_add pc-dimm id=d2 size=128M >/dev/null 2>"$TMP/err"
tap_ok $((! $?)) "with room again, a device_add is still refused"
grep -q "takes no more changes" "$TMP/err"
tap_ok $? "... hotmemctl says why: $(head -c 160 "$TMP/err")"
echo offline >"$M/memory32/state" 2>"$TMP/err"
grep -q "Read-only file system" "$TMP/err"
tap_ok $? "... a sysfs write gets EROFS: $(cat "$TMP/err")"
ctl --json devices | grep -q '"d2"'
tap_ok $((! $?)) "... and nothing was added"
# QMP's device_del (no "wait") answers {} once the eject is queued; a
# frozen hotmemfs would refuse that eject before it starts, with no event
# to tell the client: it is refused at once (finalF F1)
ctl raw '{"execute":"device_del","arguments":{"id":"d1"}}' >"$TMP/out" 2>"$TMP/err"
tap_ok $((! $?)) "QMP device_del d1 is refused too, not answered {}"
grep -q '"error".*takes no more changes' "$TMP/out"
tap_ok $? "... the reply says why: $(head -c 160 "$TMP/out")"
ctl --json devices | grep -q '"d1"'
tap_ok $? "... and d1 is still there"

ctl save 2>"$TMP/err"
tap_ok $((! $?)) "hotmemctl save is refused: the file stays the way back"
grep -q "takes no more changes" "$TMP/err"
tap_ok $? "... saying why: $(head -c 120 "$TMP/err")"
# a clean stop, which saves the machine whole when not frozen
stop_fs
grep -q "the machine is not saved at exit: hotmemfs takes no more changes" "$TMP/hotmemfs.log"
tap_ok $? "a clean stop does not write the frozen machine over the file, and says so"
start_fs_netns "${OPTS[@]}"
tap_ok $? "hotmemfs restarts"
# hotmemctl inject makes no record (a fault injection, which a full disk
# must not refuse: full_no_undo), so the file's machine has none; EXPECT,
# taken with it armed, is compared with it armed again (status shows
# injections since f6429cdf)
ctl inject MEM_GOING_OFFLINE -16 >/dev/null
same_text "$(snapshot)" "$EXPECT" "... with the machine of the state file (memory32 offline)"
ctl inject MEM_GOING_OFFLINE 0 >/dev/null
echo online_movable >"$M/memory32/state"
tap_ok $? "... and takes changes again"
done_testing
