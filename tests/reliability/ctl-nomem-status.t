#!/bin/bash
# `hotmemctl status` under allocation failure.  Its reply (ctl.c
# status_json(), ctlsock.c hmfs_ctl_clients_json(), fs.c
# hmfs_fuse_requests_json()) has some 40 json-c objects and arrays, a
# 48-byte malloc() each in json-c 0.16, and each went in unchecked:
# json-c asserted on the NULL one it was added to, and hotmemfs aborted
# (ctlnomem44; dup43 and json43 named it, a null "devices" too).  Now
# every add is checked and a status without memory for its whole reply
# is refused with ENOMEM.  And a request the reader had no memory for
# was answered "request too large" (ctlsock.c conn_requests()): said as
# ENOMEM now.  alloc_shim.so fails the status's Nth such malloc, N = 1
# on to the first N it does not reach: hotmemfs stays alive, and the
# status either answers whole or is refused in ENOMEM's words ("Cannot
# allocate memory"; the greeting's, unmade, closes the connection),
# nothing changed.  Without the fix, check 3 fails: "request too large"
# at N = 6, 9, 10, hotmemfs dead at N = 12.
. "$(dirname "$0")/lib.sh"
nomem_setup

nomem_mount "hotmemfs mounts qemu-512m (alloc_shim.so)" --profile qemu-512m --fresh
ctl device_add pc-dimm id=d1 size=128M >/dev/null
tap_ok $? "a DIMM plugged: status has a device to list"
sum=$(journal_text | md5sum)
whole=$(ctl --json status | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
# the status's reply, or what it said when refused
status_said() { ctl --json status 2>&1; }
bad= refused=0 answered=0 end=
for n in $(seq 1 600); do
	malloc_step "$n" 48 status_said || break
	if [ "$rc" -eq 0 ]; then
		answered=$((answered + 1))
		# whole: every top-level member, the device in its list
		keys=$(echo "$out" | python3 -c 'import json,sys; s=json.load(sys.stdin); print(len(s) if s["devices"][0]["id"] == "d1" else "no d1")' 2>&1)
		[ "$keys" = "$whole" ] || bad+=" $n:partial($keys)"
	else
		refused=$((refused + 1))
		case "$out" in
		*"Cannot allocate memory"* | *"closed the connection"*) ;;
		*) bad+=" $n:said(${out:0:60})" ;;
		esac
	fi
	[ -n "$end" ] && break
done
[ -n "$end" ] && [ "$end" -gt 30 ] || bad+=" end:${end:-none}"
is "${bad:- none}" " none" "status's 48-byte allocations failed in turn (N = 1..${end:-?}, the first N it did not reach): answered whole ($answered) or refused ($refused); hotmemfs alive"
ctl status >/dev/null
tap_ok $? "then a status with memory to spare: answered"
same_text "$(journal_text | md5sum)" "$sum" "the journal as it was"
done_testing
