#!/bin/bash
# A bus's drivers_autoprobe (drivers/base/bus.c drivers_autoprobe_store(),
# each bus its own) is a parameter of the running kernel: a write is an
# acknowledged change, kept in the state file's params ("drivers-autoprobe",
# by bus) and back after kill -9 or a clean restart; a write whose save
# fails is undone.  A state file from before it: every bus 1, as booted.
. "$(dirname "$0")/lib.sh"
require_sync_fail
start() { LD_PRELOAD=$SHIM start_fs_netns "${STATE_OPTS[@]}" "$@"; }
BUS=$MNT/sys/bus
# every bus's drivers_autoprobe, "bus=value" lines
ap() {
	local f
	for f in "$BUS"/*/drivers_autoprobe; do
		f=${f%/drivers_autoprobe}
		echo "${f##*/}=$(cat "$f/drivers_autoprobe")"
	done
}
# all_ones: "not 1: LIST; memory and node: N" -- no bus whose is not 1,
# and the buses there (none at all, a tree that did not mount, is not
# "every bus 1")
all_ones() { echo "not 1: $(ap | grep -v '=1$' | xargs); memory and node: $(ap | grep -cE '^(memory|node)=')"; }

start --fresh
tap_ok $? "hotmemfs mounts qemu-512m with a fresh state file"
is "$(all_ones)" "not 1: ; memory and node: 2" "every bus's drivers_autoprobe 1 at boot ($(ap | xargs))"
echo 0 >"$BUS/node/drivers_autoprobe" && echo 0 >"$BUS/memory/drivers_autoprobe"
tap_ok $? "bus/node and bus/memory drivers_autoprobe: 0"
want=$(ap)
is "$(echo "$want" | grep -c '=0$')" 2 "... those two 0, the others 1"

kill9_fs
start
tap_ok $? "restart after kill -9"
same_text "$(ap)" "$want" "... both still 0"

expect=$(snapshot)
: >"$HOTMEM_TEST_SYNC_FAIL"
echo 1 >"$BUS/node/drivers_autoprobe" 2>/dev/null
tap_ok $((! $?)) "bus/node's drivers_autoprobe 1 is refused, its fdatasync() failing"
rm -f "$HOTMEM_TEST_SYNC_FAIL"
same_text "$(ap)" "$want" "... undone: still 0"
same_text "$(snapshot)" "$expect" "... the machine as before"
echo 7 >"$BUS/memory/drivers_autoprobe"
tap_ok $? "bus/memory's drivers_autoprobe 7 (anything but '0' is 1) is taken (not frozen)"
want=$(ap)
is "$(echo "$want" | grep -c '=0$')" 1 "... only bus/node's 0 now"

stop_fs
start
tap_ok $? "restart after a clean stop"
same_text "$(ap)" "$want" "... as before the stop"
kill9_fs
start
tap_ok $? "restart after kill -9"
same_text "$(ap)" "$want" "... the same"
stop_fs

state_drop_key params/drivers-autoprobe
start
tap_ok $? "a state file without \"drivers-autoprobe\" loads"
is "$(all_ones)" "not 1: ; memory and node: 2" "... every bus 1, as booted ($(ap | xargs))"
done_testing
