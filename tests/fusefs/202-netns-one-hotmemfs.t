#!/bin/bash
# One hotmemfs a --netns namespace (usereye8 #10): a second hotmemfs given
# the same --netns NAME injected its uevents there too, without a word,
# and a hotmemd in it onlined one machine's memoryN for the other's ADD
# (memoryN names no machine).  The second is refused now, naming the
# first's pid, however often; so is one started inside the namespace
# without --netns (ip netns exec, unshare -n).  Once the first is gone
# (stopped, or killed -9) the name is free again.
. "$(dirname "$0")/lib.sh"
require_env
need_tool ip iproute2
NS=hotmemfs-one$$
trap 'in_test_shell && { ip netns del "$NS" 2>/dev/null; cleanup; }' EXIT
B2=$TMP/two
mkdir -p "$B2"
# second ARGS...: the second hotmemfs on $B2 (-S none), its exit status; bounded
second() {
	timeout 30 "$HMFS" -S none --control "$TMP/two.sock" "$@" "$B2" >"$TMP/two.log" 2>&1
}

mount_fs "the first hotmemfs, --netns $NS, mounts" --fresh --netns "$NS"
second --netns "$NS"
rc=$?
is "$rc" 78 "a second hotmemfs with --netns $NS: refused (exit 78)"
grep -qx "hotmemfs: --netns $NS: its uevents go to the hotmemfs with pid $FS_PID already, whose memoryN a listener cannot tell from ours: choose another --netns" \
	"$TMP/two.log"
tap_ok $? "... naming the first's pid" "$(cat "$TMP/two.log")"
findmnt -t fuse.hotmemfs "$B2" >/dev/null
is "$?" 1 "... and nothing mounted"
# The first accepts and closes each refused one's connection (finalK K1):
# unaccepted, they filled its listen queue (4) and from the 6th refusal
# on the pid went unnamed.
named=0
for _ in 1 2 3 4 5 6 7 8; do
	second --netns "$NS"
	grep -q "its uevents go to the hotmemfs with pid $FS_PID already" "$TMP/two.log" &&
		named=$((named + 1))
done
is "$named" 8 "8 more refusals: each names the first's pid"
# Started inside the namespace, without --netns, a hotmemfs injects there
# too: refused the same way (finalK K2)
ip netns exec "$NS" timeout 30 "$HMFS" -S none --control "$TMP/two.sock" "$B2" >"$TMP/two.log" 2>&1
is "$?" 78 "a hotmemfs started by ip netns exec $NS: refused (exit 78)"
grep -qx "hotmemfs: our network namespace: its uevents go to the hotmemfs with pid $FS_PID already, whose memoryN a listener cannot tell from ours: start this one in another network namespace" \
	"$TMP/two.log"
tap_ok $? "... naming the first's pid" "$(cat "$TMP/two.log")"
kill -0 "$FS_PID" && grep -q "on: private network namespace $NS" "$TMP/hotmemfs.log"
tap_ok $? "the first runs on, its uevents in $NS"
kill -9 "$FS_PID"
wait_exit "$FS_PID" 30
umount -l "$MNT" 2>/dev/null
FS_PID=
second --netns "$NS" --stop-wait 1 &
two=$!
for _ in $(seq 600); do findmnt -t fuse.hotmemfs "$B2" >/dev/null && break; sleep 0.05; done
findmnt -t fuse.hotmemfs "$B2" >/dev/null
tap_ok $? "the first killed -9: a new hotmemfs with --netns $NS mounts" "$(cat "$TMP/two.log")"
kill "$two" 2>/dev/null
wait_exit "$two" 60
umount -l "$B2" 2>/dev/null
done_testing
