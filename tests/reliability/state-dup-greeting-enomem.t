#!/bin/bash
# A `hotmemctl device_add` over the control socket builds json-c objects
# from its first allocation on: the QMP greeting (qmp.c
# hmfs_qmp_greeting(), hmfs_qmp_version(): N = 1-5), the requests' parse
# (qmpread.c: N = 6 on), qmp_capabilities's reply and the error replies
# (ctl.c hmfs_ctl_error()).  In json-c 0.16 an object or array is a
# 48-byte malloc().  alloc_shim.so fails the add's Nth such malloc,
# N = 1..103: either the connection closes unanswered and nothing ran
# (hotmemfs alive, no d1, the journal as it was), or the add is done.
# These objects went in unchecked: json-c asserted on the NULL one and
# hotmemfs aborted (rfix43 saw it at N = 1). Without the fix, check 2
# fails: hotmemfs is dead at N = 1. With only ce9ed892 (the greeting), it
# is dead at N = 6.
# N = 83-99: the "set" record's devices, profile devices and block runs
# (fusefs/json.c devices_json_locked(), hmfs_dev_json(), add_dev_state(),
# hmfs_dev_profile_json(), add_run()) went in unchecked: json-c asserted
# (json43).  Now a NULL fails the save and the add is undone.  Without
# that fix, check 2 fails: hotmemfs is dead at N = 83.
# N = 100-102 (it varies by one between runs): state.c append_set_once()'s
# "set" object went unchecked; without that check, check 2 fails there.
# Past N = 103 (json43's report): at 104-105 an add is done but answered
# with a closed connection (its reply unmade: "changed" here), and at
# 105-106 hotmemfs aborts in json_object_array_length() on a NULL device
# list (state.c plugged_now() or machine.c devices_back()).
. "$(dirname "$0")/lib.sh"
require_env
need_tool python3 python3
require_preload_shim alloc_shim
export HOTMEM_TEST_ALLOC_FAIL=$TMP/malloc
MACHINE=(--profile qemu-512m --cmdline hotmem.kernel_alloc=off)

has_d1() { ctl --json status | python3 -c 'import json,sys; sys.exit(not any(d["id"] == "d1" for d in json.load(sys.stdin)["devices"]))'; }

LD_PRELOAD=$TMP/alloc_shim.so mount_fs "hotmemfs mounts qemu-512m with a fresh state file (alloc_shim.so)" \
	"${MACHINE[@]}" --fresh
bad= refused=0 done=0
for n in $(seq 1 103); do
	sum=$(journal_text | md5sum)
	echo "malloc $n 48" >"$TMP/malloc"
	ctl device_add pc-dimm id=d1 size=128M >/dev/null 2>&1
	rc=$?
	[ -e "$TMP/malloc" ] && { bad+=" $n:untaken"; rm -f "$TMP/malloc"; }
	if ! kill -0 "$FS_PID" 2>/dev/null; then
		bad+=" $n:dead"
		break
	fi
	if [ "$rc" -ne 0 ]; then
		refused=$((refused + 1))
		! has_d1 && [ "$(journal_text | md5sum)" = "$sum" ] || bad+=" $n:changed"
	else
		done=$((done + 1))
		has_d1 || bad+=" $n:lost"
	fi
	ctl device_del d1 >/dev/null 2>&1
done
is "${bad:- none}" " none" "the add's 48-byte allocations failed in turn (N = 1..103): refused, nothing changed ($refused), or done ($done); hotmemfs alive"
ctl device_add pc-dimm id=d1 size=128M >/dev/null && has_d1
tap_ok $? "then a device_add with memory to spare: done"
expect=$(snapshot)
kill9_fs
mount_fs "kill -9, restart from the state file" "${MACHINE[@]}"
same_text "$(snapshot)" "$expect" "... the same machine"
done_testing
