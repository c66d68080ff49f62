#!/bin/bash
# A reply on the control socket (the QMP greeting, a command's reply)
# is rendered by json-c into its object's printbuf: printbuf_new() is a
# calloc(1, 16) (json-c 0.16), and when it fails
# json_object_to_json_string_ext() returns NULL.  ctlsock.c send_json()
# took strlen() of that NULL and hotmemfs died (dup43 named it).  Now
# the reply is not sent and the connection closes, as for an unmade
# reply (dup43's conn_reply()).  alloc_shim.so fails the Nth such calloc
# of a `hotmemctl status`, N = 1..40: hotmemfs stays alive, and the
# command either answers or fails with nothing changed.  Without the
# fix, check 2 fails: hotmemfs is dead at N = 1 (the greeting's).
. "$(dirname "$0")/lib.sh"
nomem_setup calloc

nomem_mount "hotmemfs mounts qemu-512m (alloc_shim.so)" --profile qemu-512m --fresh
sum=$(journal_text | md5sum)
bad= failed=0 answered=0
for n in $(seq 1 40); do
	echo "calloc $n 1 16" >"$TMP/calloc"
	if ctl status >/dev/null 2>&1; then
		answered=$((answered + 1))
	else
		failed=$((failed + 1))
	fi
	rm -f "$TMP/calloc"
	if ! kill -0 "$FS_PID" 2>/dev/null; then
		bad+=" $n:dead"
		break
	fi
done
is "${bad:- none}" " none" "status's printbuf callocs failed in turn (N = 1..40): failed ($failed) or answered ($answered); hotmemfs alive"
ctl status >/dev/null
tap_ok $? "then a status with memory to spare: answered"
same_text "$(journal_text | md5sum)" "$sum" "the journal as it was"
done_testing
