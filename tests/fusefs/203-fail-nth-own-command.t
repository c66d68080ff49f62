#!/bin/bash
# `hotmemctl fail-nth-alloc N` counts the allocations of what the user
# runs next, not the living kernel's background work (usereye8 #8): the
# background allocations before each operation (other processes' page
# tables and slab, engine/kmem.c kmem_tick()) took the armed failure
# first, so the device_add meant to fail succeeded, silently.  The
# kernel's per-task fail-nth (/proc/PID/fail-nth) never counts another
# task's allocations either.  On the default machine (hotmem.kernel_alloc
# on), each armed device_add is the one that fails, three times running.
. "$(dirname "$0")/lib.sh"
require_env

mount_fs "hotmemfs mounts (hotmem.kernel_alloc: the default, on)" --fresh
for i in 1 2 3; do
	ctl fail-nth-alloc 1 >/dev/null
	ctl device_add pc-dimm size=128M id=f$i >"$TMP/add$i.out" 2>&1
	grep -q "^f$i: .*refused by the guest (ENOMEM)" "$TMP/add$i.out"
	tap_ok $? "armed 1, device_add f$i: the add is what fails (ENOMEM)" "$(cat "$TMP/add$i.out")"
	ctl device_del f$i >/dev/null
done
is "$(ctl dmesg | grep -c 'FAULT_INJECTION: forcing a failure')" 3 "three failures forced, one each"
ctl device_add pc-dimm size=128M id=g >"$TMP/g.out" 2>&1
grep -q "^g: 128M at .*(offline)" "$TMP/g.out"
tap_ok $? "nothing armed: the next add succeeds" "$(cat "$TMP/g.out")"
done_testing
