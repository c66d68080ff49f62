#!/bin/bash
# testdebt item 4 (f26b55b2 destroyed nodelink_lock alone): hotmemfs's
# teardown destroys every mutex and condition variable its context, its
# stopper and its uevent sink initialised in main()'s frame, in reverse
# order, once no session, thread, engine or state file is left
# (machine.c hmfs_ctx_destroy(), main.c stopper_fini(), uevent.c
# hmfs_uevent_sink_close()).  glibc's destroy frees nothing, so a
# forgotten one shows nowhere else: lock_audit.so
# (tests/reliability/lock_audit.c) lists, at hotmemfs's exit, those of its
# main thread's stack initialised and never destroyed, with where each
# init returns to (addr2line -e hotmemfs OFFSET).  Without the destroys
# check 4 fails (1 of 5: 25 listed; with only the sink's left out, 2).
. "$(dirname "$0")/lib.sh"
require_env
want_wrapping_shim lock_audit
export HOTMEM_TEST_LOCK_AUDIT=$TMP/audit

LD_PRELOAD="$(preloads "$TMP/lock_audit.so")" mount_fs "hotmemfs mounts with a state file (lock_audit.so)" --fresh
ctl device_add virtio-mem-pci id=vm0 size=1G requested-size=128M >/dev/null &&
	echo online_movable >"$MNT/sys/devices/system/memory/memory32/state"
tap_ok $? "a virtio-mem vm0, its memory32 onlined (the change, the driver's work, the journal)"
pid=$FS_PID
stop_fs
wait_gone "$pid" 30
tap_ok $? "hotmemfs stopped and exited"
left=$(grep -v '^end ' "$TMP/audit.$pid" 2>/dev/null)
grep -q '^end [1-9]' "$TMP/audit.$pid" && [ -z "$left" ]
tap_ok $? "every mutex and condition variable of main()'s context and stopper destroyed at exit" ||
	diag "left: $(tr '\n' ' ' <<<"$left")"
grep -q "^end " "$TMP/audit.$pid"
tap_ok $? "... the audit saw hotmemfs's inits ($(tail -1 "$TMP/audit.$pid" 2>/dev/null))"
done_testing
