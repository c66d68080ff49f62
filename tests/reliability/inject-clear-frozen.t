#!/bin/bash
# reread27 R4: `hotmemctl inject ACTION 0` of an armed error is the file's
# change; one whose own save freezes hotmemfs is refused, the error left
# armed, not made "anyway" as a clear whose save merely failed.  The
# clear's record is written whole, then EIO, its cut fails too
# (sync_shim.so: the journal's pwrite() writes then fails, ftruncate()
# and the zeros' pwrite() fail), so the record may be in the journal
# (sv->maybe_kept) and the whole save that would supersede it fails as
# well (fdatasync() EIO): machine.c unsaved() freezes hotmemfs and
# returns the sync's error, not EROFS, which inject_clear() took for a
# save that merely failed: it cleared the error on a hotmemfs that stands
# by a file that has it armed.  Without the fix checks 4-6 fail
# (checked: {"not-saved": ...}, the error cleared).
. "$(dirname "$0")/lib.sh"
require_env
want_wrapping_shim sync_shim
export HOTMEM_TEST_JOURNAL_WRITE_FAIL=$TMP/wfail HOTMEM_TEST_TRUNC_FAIL=$TMP/tfail
export HOTMEM_TEST_DIRSYNC=$TMP/dfail
INJ=$MNT/sys/kernel/debug/notifier-error-inject/memory/actions/MEM_GOING_OFFLINE/error

LD_PRELOAD="$(preloads "$TMP/sync_shim.so")" mount_fs "hotmemfs mounts (a state file, sync_shim.so)" --fresh
ctl inject MEM_GOING_OFFLINE -16 >/dev/null && echo online >"$MNT/sys/devices/system/memory/auto_online_blocks"
tap_ok $? "hotmemctl inject MEM_GOING_OFFLINE -16, then a change whose record saves it"
printf w >"$TMP/wfail"
: >"$TMP/tfail"
printf x >"$TMP/dfail"
ctl inject MEM_GOING_OFFLINE 0 >"$TMP/out" 2>"$TMP/err"
rc=$?
rm -f "$TMP/wfail" "$TMP/tfail" "$TMP/dfail"
grep -q "takes no more changes" "$TMP/hotmemfs.log"
tap_ok $? "the clear's record kept, its cut and the whole save failing: hotmemfs frozen"
tap_ok $((! rc)) "... the clear is refused: $(head -c 200 "$TMP/err")"
grep -q "takes no more changes" "$TMP/err"
tap_ok $? "... saying why"
is "$(cat "$INJ")" -16 "... the error left armed, as the file has it"
stop_fs
done_testing
