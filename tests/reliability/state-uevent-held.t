#!/bin/bash
# With a state file a change's uevents go out once its journal record is
# durable, and a change the state file refuses sends none: the kernel
# sends KOBJ_ONLINE only after online_pages() returned 0 (6.12
# drivers/base/core.c device_online()), and a refused online sends
# nothing (abuse25c D5).  A netlink listener in hotmemfs's own network
# namespace (unshare -n, never the host's) sees memory32's offline,
# then an online refused by its record's fdatasync() (sync_shim.so: EIO),
# then an online taken: the refused one must leave no online/offline pair
# (undone, its uevents and its undo's are dropped).  Without the fix
# check 6 fails (checked: "add online offline online").
. "$(dirname "$0")/lib.sh"
require_env
require_preload_shim sync_shim
need_tool nsenter util-linux
export HOTMEM_TEST_SYNC_FAIL=$TMP/fail
W="python3 $HOTMEM_SRC/tests/reliability/uevent_watch.py"
S=$MNT/sys/devices/system/memory/memory32/state

LD_PRELOAD=$TMP/sync_shim.so start_fs_netns --fresh
tap_ok $? "hotmemfs mounts in a private network namespace (a state file, sync_shim.so)"
nsenter -t "$FS_PID" -n $W "$TMP/ev" "$TMP/stop" 2>"$TMP/rdy" &
wpid=$!
for _ in $(seq 1200); do grep -q ready "$TMP/rdy" && break; sleep 0.05; done
grep -q ready "$TMP/rdy"
tap_ok $? "a netlink listener in hotmemfs's network namespace"
ctl device_add pc-dimm id=d1 size=128M >/dev/null
tap_ok $? "a DIMM d1: memory32, offline"
: >"$TMP/fail"
out=$(w "$S" online)
rm -f "$TMP/fail"
is "$out" EIO "online refused: its record's fdatasync() failed"
echo online >"$S" && ctl settle >/dev/null
tap_ok $? "online taken, every uevent sent (settle)"
touch "$TMP/stop"
wait_exit "$wpid" 30
is "$(awk '$2 ~ /\/memory32$/ {printf "%s%s", s, $1; s=" "}' "$TMP/ev")" "add online" \
	"memory32's uevents: its add and the online taken, none of the refused one"
grep -q "takes no more changes" "$TMP/hotmemfs.log"
tap_ok $((! $?)) "hotmemfs is not frozen"
stop_fs
done_testing
