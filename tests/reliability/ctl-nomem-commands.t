#!/bin/bash
# The control commands under allocation failure.  Their replies were
# json-c objects added unchecked (ctl.c: query-commands' list,
# query-acpi-ospm-status's slots, query-memory-devices' devices,
# qom-list's properties, `devices ID` (its device's NULL list was
# "Device not found"), query-status, query-memory-size-summary, check,
# dmesg, settle, and the replies of the changes: alloc, free-all,
# hugetlb, vmem-inject, vmem-retry, inject, fail-nth-alloc; also
# online/offline, qom-set, save and device_del, which go through the
# state file's save (state.c: part_pre() and a save's own objects still
# abort there, not swept here)): json-c asserted on the NULL object
# and hotmemfs aborted, or a change done was answered {"return": null}
# (ctlnomem44; dup43 named command_info_add() and the ospm array).  Now
# a query without memory for its reply is refused with ENOMEM, and a
# change's reply -- its {} and its numbers, set after (json-c's
# json_object_set_int64() allocates nothing) -- is made before the
# change: no memory, refused with nothing done.  alloc_shim.so fails each
# command's Nth 48-byte malloc (a json-c object or array), N = 1 on to
# the first N it does not reach: hotmemfs stays alive, and the command
# either answers (exit 0) or is refused in ENOMEM's words ("Cannot
# allocate memory"; a greeting unmade closes the connection) with the
# machine as it was.  Without the fix, check 3 fails: hotmemfs dead at
# query-commands.
. "$(dirname "$0")/lib.sh"
require_env
need_tool python3 python3
require_preload_shim alloc_shim
export HOTMEM_TEST_ALLOC_FAIL=$TMP/malloc

LD_PRELOAD=$TMP/alloc_shim.so mount_fs "hotmemfs mounts qemu-512m (alloc_shim.so)" \
	--profile qemu-512m --fresh
ctl device_add pc-dimm id=d1 size=128M >/dev/null &&
	ctl device_add virtio-mem-pci id=vm0 size=1G requested-size=256M >/dev/null
tap_ok $? "a DIMM and a virtio-mem device plugged"

# what a refused change must leave as it was: the pool, the blocks' states, the devices,
# the injections (a query's sweep, with no change to compare, skips it: "-")
machine() {
	[ "$probe" = - ] && return
	{
		ctl --json status | python3 -c 'import json,sys; s=json.load(sys.stdin); print(s["machine"]["hugetlb-pages"], s["blocks"], s["injections"], [d["id"] for d in s["devices"]])'
		md5sum <"$STATE.journal" # its bytes: the same unless a record was written
	} 2>&1
}

bad=
# sweep [-] WHAT CMD...: CMD's 48-byte mallocs failed in turn, to the first N it does not reach
sweep() {
	local probe= what n out rc end= before
	[ "$1" = - ] && { probe=-; shift; }
	what=$1
	shift
	for n in $(seq 1 300); do
		before=$(machine)
		echo "malloc $n 48" >"$TMP/malloc"
		out=$(ctl "$@" 2>&1)
		rc=$?
		[ -e "$TMP/malloc" ] && { end=$n; rm -f "$TMP/malloc"; }
		if ! kill -0 "$FS_PID" 2>/dev/null; then
			bad+=" $what@$n:dead"
			return 1
		fi
		if [ "$rc" -ne 0 ]; then
			case "$out" in
			*"Cannot allocate memory"* | *"closed the connection"*) ;;
			*) bad+=" $what@$n:said(${out:0:80})" ;;
			esac
			[ "$(machine)" = "$before" ] || bad+=" $what@$n:changed"
		fi
		[ -n "$end" ] && break
	done
	[ -n "$end" ] || bad+=" $what:no-end"
	echo "# $what: N = 1..$end"
}

sweep - query-commands raw '{"execute":"query-commands"}' &&
	sweep - ospm query-acpi-ospm-status &&
	sweep - memory-devices query-memory-devices &&
	sweep - qom-list raw '{"execute":"qom-list","arguments":{"path":"/machine/peripheral"}}' &&
	sweep - qom-list-dimm raw '{"execute":"qom-list","arguments":{"path":"d1"}}' &&
	sweep - qom-get qom-get d1 size &&
	sweep - devices-d1 raw '{"execute":"devices","arguments":{"id":"d1"}}' &&
	sweep - query-status raw '{"execute":"query-status"}' &&
	sweep - size-summary raw '{"execute":"query-memory-size-summary"}' &&
	sweep - check check &&
	sweep - dmesg dmesg &&
	sweep - settle settle &&
	sweep hugetlb hugetlb 1 &&
	sweep - alloc alloc movable 1 &&
	sweep - free-all free-all &&
	sweep inject inject MEM_GOING_ONLINE -16 &&
	sweep inject-clear inject MEM_GOING_ONLINE 0 &&
	sweep fail-nth fail-nth-alloc 0 &&
	sweep vmem-inject vmem-inject vm0 plug BUSY count=0 &&
	sweep vmem-retry vmem-retry vm0
is "${bad:- none}" " none" "each command's 48-byte allocations failed in turn: answered, or refused in ENOMEM's words with nothing changed; hotmemfs alive"
ctl check >/dev/null
tap_ok $? "then a check with memory to spare: the invariants hold"
done_testing
