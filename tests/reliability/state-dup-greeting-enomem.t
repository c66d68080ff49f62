#!/bin/bash
# A `hotmemctl device_add` over the control socket builds json-c objects
# from its first allocation on: the QMP greeting (qmp.c
# hmfs_qmp_greeting(), hmfs_qmp_version(): N = 1-5), the requests' parse
# (qmpread.c: N = 6 on), qmp_capabilities's reply and the error replies
# (ctl.c hmfs_ctl_error()).  In json-c 0.16 an object or array is a
# 48-byte malloc().  alloc_shim.so fails the add's Nth such malloc, N = 1
# on to the first N the add does not reach (its last malloc, past 110):
# either the add is refused -- the connection closed unanswered, or an
# error -- and nothing changed (hotmemfs alive, no d1, the journal as it
# was), or the add is done and answered (hotmemctl's exit 0, its line).
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
# N = 104-116 (ctlnomem44): the add is done, then its reply was made --
# ctl.c's {"return": ...} and dev_return()'s device -- and at 104-107 an
# add done was answered with a closed connection ("changed" here), or
# hotmemfs aborted on the unmade reply object; at 108 the notifier
# thread's ACPI_DEVICE_OST event (ctlsock.c) asserted in json-c.  Now the
# reply is made before the add (an add it cannot make is refused,
# nothing done), the device's details after it stand in with its id and
# a warning ("d1: added"), and an event that cannot be made is lost to
# its followers (EVENTS_LOST), as one that did not fit their queue.
# Without the reply part, check 2 fails at 104-107 ("changed" or
# "dead"); without the event part, at 108 ("dead").  The render of a
# reply (json-c's printbuf: a calloc(1, 16), state-json-reply-enomem.t)
# is made before the add too; only its growth, a realloc, comes after:
# an add whose reply text cannot grow is done, its reply lost -- the
# state file and journal have it, as a kernel's write that succeeded
# for a caller that died.
. "$(dirname "$0")/lib.sh"
nomem_setup

nomem_mount
# the add's answer (its errors unsaid: a refusal is its status)
add_d1() { ctl device_add pc-dimm id=d1 size=128M 2>/dev/null; }
bad= refused=0 done=0 stood_in=0 end=
for n in $(seq 1 400); do
	sum=$(journal_text | md5sum)
	malloc_step "$n" 48 add_d1 || break
	if [ "$rc" -ne 0 ]; then
		refused=$((refused + 1))
		! has_dev d1 && [ "$(journal_text | md5sum)" = "$sum" ] || bad+=" $n:changed"
	else
		done=$((done + 1))
		case "$out" in
		"d1: 128M at "*) ;;
		"d1: added"*) stood_in=$((stood_in + 1)) ;;
		*) bad+=" $n:unanswered" ;;
		esac
		has_dev d1 || bad+=" $n:lost"
	fi
	ctl device_del d1 >/dev/null 2>&1
	[ -n "$end" ] && break
done
[ -n "$end" ] && [ "$end" -gt 110 ] || bad+=" end:${end:-none}"
is "${bad:- none}" " none" "the add's 48-byte allocations failed in turn (N = 1..${end:-?}, the first N the add did not reach): refused, nothing changed ($refused), or done and answered ($done, $stood_in of them \"added\" without the device's details); hotmemfs alive"
ctl device_add pc-dimm id=d1 size=128M >/dev/null && has_dev d1
tap_ok $? "then a device_add with memory to spare: done"
kill9_remount_same
done_testing
