#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A run's exit unpinned by path (trace30): whatever was pinned under its
# names in --pin DIR then was removed -- the lock on DIR does not stop a
# pin put there by a run older than the lock or by hand, nor another run
# that makes DIR anew once it was removed (rm -r) and locks the new one.
# Now the exit removes a pin only if it is its own (the map id it pinned,
# looked up in the directory it locked) and leaves any other, saying so;
# the directory it made is removed only while it is still that one.  Runs
# in a private mount namespace on a BPF filesystem of its own, never the
# host's /sys/fs/bpf.  Needs root (BPF), uprobes, bpftool.
. "$(dirname "$0")/lib.sh"
in_own_mount_ns "$@"
need_tool bpftool bpftool
usdt_test 10
own_mount bpf "$D/fs"
P=$D/fs/hotmem

# start NAME: a run pinning in $P, in the background ($run), ready
start() {
	"$HT" --emulator "$T" --pin "$P" -o /dev/null -d 600 2>"$D/$1.err" & run=$!
	wait_ready "$D/$1.err"
}
# stop NAME PID: SIGINT, its exit 0: a TAP line
stop() {
	kill -INT "$2"
	wait_exit "$2" 60
	ok $? "$1 ends at SIGINT, exit 0"
	diag <"$D/$1.err"
}

# a pin replaced under the run: by hand, or a run older than the lock
start A
a=$run
pin_held_by $a "$P/counters"
ok $? "A pinned its maps"
rm "$P/counters"
bpftool map create "$P/counters" type array key 4 value 4 entries 1 name own_only_t
id=$(pinned_map_id "$P/counters")
stop A $a
[ -n "$id" ] && [ "$(pinned_map_id "$P/counters")" = "$id" ]
ok $? "... leaving the counters pin that is not its own (map id $id; was: unlinked)"
grep -qx "hotmem-trace: $P/counters: another map pinned there (id $id), not this run's (id [0-9]*): left" "$D/A.err"
ok $? "... saying so"
[ ! -e "$P/blocks" ]
ok $? "... and removing its own blocks pin"
rm -r "$P"

# DIR removed under a run and made again by another, which pins there
start B
b=$run
rm -r "$P"
start C
c=$run
pin_held_by $c "$P/counters" && pin_held_by $c "$P/blocks"
ok $? "C made $P again and pinned its maps there"
stop B $b
pin_held_by $c "$P/counters" && pin_held_by $c "$P/blocks"
ok $? "... B's end leaves C's pins and directory (was: unpinned, and $P removed)"
stop C $c
[ ! -e "$P" ]
ok $? "... C's end removes them"
done_testing
