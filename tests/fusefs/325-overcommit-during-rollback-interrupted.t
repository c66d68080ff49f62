#!/bin/bash
# A lock-free value's write (tests/fusefs/310) that comes while a failed
# sync's records are being undone: rollback() waits for change_lock,
# which a guest's looping offline holds (tests/fusefs/313 makes the
# window: an nr_overcommit_hugepages record whose fdatasync() fails).  The
# second write waited on journal_cond for that rollback, uninterruptibly
# and its SIGINT ignored, until the offline ended (reread25 R5); now it
# goes the change's way (state.c param_line_locked(): -EAGAIN, as
# hmfs_state_append_qemu()), whose wait for change_lock ends at the
# writer's FUSE_INTERRUPT: EINTR, nothing changed, while the offline
# still loops.  The writer is a libc write() with a SIGINT handler (Python's
# os.write() retries EINTR), signalled once it is seen in its FUSE write.
# The second write goes to vm.nr_overcommit_hugepages, the same value: a
# write to the sysfs file itself would wait in the kernel's FUSE for the
# first writer's inode lock (fuse_file_write_iter()), not in hotmemfs.
# Without the -EAGAIN (the old wait on journal_cond) checks 7, 8, 11 and 13
# fail (checked): both writes end only once the offline is over.
. "$(dirname "$0")/lib.sh"
require_env
need_tool python3 python3
need_tool gdb gdb
want_wrapping_shim sync_shim
export HOTMEM_TEST_SYNC_FAIL=$TMP/fail
INJ=$MNT/sys/kernel/debug/notifier-error-inject/memory/actions/MEM_GOING_ONLINE/error

# interruptible_write NAME FILE VALUE: VALUE written by one libc write()
# in the background (in_background NAME), a SIGINT handler installed:
# "ret=N" or the errno's name; WRITER: its pid
interruptible_write() {
	in_background "$1" python3 -c '
import ctypes, errno, os, signal, sys
signal.signal(signal.SIGINT, lambda *a: None)
libc = ctypes.CDLL(None, use_errno=True)
fd = os.open(sys.argv[1], os.O_WRONLY)
r = libc.write(fd, sys.argv[2].encode(), len(sys.argv[2]))
print("ret=%d" % r if r >= 0 else errno.errorcode[ctypes.get_errno()])' "$2" "$3"
	WRITER=
	for _ in $(seq 400); do
		WRITER=$(pgrep -P "$BG" python3) && break
		sleep 0.05
	done
}

LD_PRELOAD="$(preloads "$TMP/sync_shim.so")" vmem_offline_loops "(a state file, sync_shim.so)" --fresh
: >"$TMP/fail"
in_background oc w "$HP/nr_overcommit_hugepages" 9
fs_thread_in rollback 30
case $? in
2) skip_all "gdb cannot read hotmemfs's threads" ;;
esac
tap_ok $? "nr_overcommit_hugepages 9: its fdatasync() failed, its rollback waits behind the offline"
rm -f "$TMP/fail"
interruptible_write oc2 "$MNT/proc/sys/vm/nr_overcommit_hugepages" 5
in_fuse_write "$WRITER"
tap_ok $? "a vm.nr_overcommit_hugepages write (5) waits in its FUSE write"
kill -INT "$WRITER"
answered_within oc2 20
tap_ok $? "... SIGINT: it ends"
is "$(cat "$TMP/oc2.out")" EINTR "... EINTR"
looping
tap_ok $? "... while the offline still loops"
interruptible_write inj "$INJ" -12
in_fuse_write "$WRITER"
tap_ok $? "a notifier-error-inject write (-12) waits in its FUSE write"
kill -INT "$WRITER"
answered_within inj 20 && looping
tap_ok $? "... SIGINT: it ends while the offline still loops ($(cat "$TMP/inj.out"))"
ctl free-all >/dev/null
wait "$OFF"
answered_within oc 30
tap_ok $? "nr_overcommit_hugepages 9 answered once the offline was over ($(cat "$TMP/oc.out"))"
is "$(cat "$HP/nr_overcommit_hugepages") $(cat "$INJ")" "0 0" "nothing changed: 0 0"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
