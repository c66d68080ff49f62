#!/bin/bash
# --netns NAME as `ip netns` knows names (#13.5): "none" turns netlink
# uevents off and creates nothing; a namespace hotmemfs creates inside a
# private mount namespace leaves no orphan /run/netns entry when that mount
# namespace goes; an orphan entry found (an empty file, its bind mount gone)
# is made a namespace again, as `ip netns add` would after `ip netns del`.
. "$(dirname "$0")/lib.sh"
require_env
need_tool ip iproute2
unshare -m true 2>/dev/null || skip_all "cannot unshare a mount namespace"
NS=hotmemfs-nn$$
had_none=no
[ -e /run/netns/none ] && had_none=yes
# what a hotmemfs without the fix makes is removed too ("none" only if it was not there)
trap 'in_test_shell && { for n in "$NS-priv" "$NS-orphan"; do ip netns del "$n" 2>/dev/null; rm -f "/run/netns/$n"; done
	[ $had_none = no ] && ip netns del none 2>/dev/null; cleanup; }' EXIT

# --netns none
start_fs --fresh --netns none
tap_ok $? "hotmemfs --netns none mounts"
grep -q "uevents over netlink off: --netns none" "$TMP/hotmemfs.log"
tap_ok $? "... with netlink uevents off, saying --netns none"
if [ $had_none = no ]; then
	[ ! -e /run/netns/none ]
	tap_ok $? "... and no namespace called \"none\" appears in /run/netns"
else
	ok "... and no namespace called \"none\" appears in /run/netns # SKIP /run/netns/none existed before"
fi
stop_fs

# created inside a private mount namespace: gone with it, no orphan
unshare -m --propagation private "$HMFS" --control "$CTL" --state none --netns "$NS-priv" "$MNT" \
	2>>"$TMP/hotmemfs.log" &
FS_PID=$!
# the mount is in that namespace only: wait for the log line instead
for _ in $(seq 200); do grep -q "private network namespace $NS-priv" "$TMP/hotmemfs.log" && break; sleep 0.05; done
grep -q "on: private network namespace $NS-priv (created)" "$TMP/hotmemfs.log"
tap_ok $? "hotmemfs --netns $NS-priv under unshare -m creates it"
kill "$FS_PID"
wait_exit "$FS_PID" 30 2>/dev/null
FS_PID=
[ ! -e "/run/netns/$NS-priv" ]
tap_ok $? "its mount namespace gone, no orphan /run/netns/$NS-priv is left"

# an orphan found is a namespace again
mkdir -p /run/netns
: >"/run/netns/$NS-orphan"
start_fs --fresh --netns "$NS-orphan"
tap_ok $? "hotmemfs --netns $NS-orphan (an orphan entry) mounts"
grep -q "on: private network namespace $NS-orphan (created: the old entry was an orphan" "$TMP/hotmemfs.log"
tap_ok $? "... says it made the orphan a namespace again"
ip netns exec "$NS-orphan" true
tap_ok $? "... and ip netns exec $NS-orphan works"
stop_fs
ip netns exec "$NS-orphan" true
tap_ok $? "created in the host's mount namespace, it stays after hotmemfs, as ip netns add's"

# usereye7 #11a: a refused --netns says what is wrong, not the status
# line's "off: ..." (an empty name was "off: netlink socket: Invalid argument")
netns_refused() { # ARG WANT
	timeout 30 "$HMFS" --control "$CTL" --state none --netns "$1" "$MNT" 2>"$TMP/netns.err"
	is "$?:$(grep -- '--netns' "$TMP/netns.err")" "1:hotmemfs: --netns $1: $2" "--netns '$1' is refused: $2"
}
netns_refused "" "expects a name (/run/netns/NAME), a path or none, not an empty string"
netns_refused "$TMP/no/such" "cannot open network namespace $TMP/no/such: No such file or directory"
netns_refused "$TMP" "$TMP is not a network namespace (a name in /run/netns, or a path such as /proc/PID/ns/net)"
done_testing
