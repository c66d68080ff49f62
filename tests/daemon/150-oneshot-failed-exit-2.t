#!/bin/bash
# hotmemd(8): --oneshot exits 2 "when a block could not be onlined".  A
# block whose policy cannot apply (online_movable where valid_zones
# offers no Movable: the kernel would refuse it with EINVAL) is counted
# failed in STATUS= and said at warning, yet --oneshot exited 0: its exit
# asked a count of give-ups alone, the second of two "failed" counts
# (reread36 R10).  A run where every block is onlined exits 0.
. "$(dirname "$0")/lib.sh"
need_hotmemd

run() { # run SYSROOT: hotmemd --oneshot's exit status, its log in $TMP/log
	"$HOTMEMD" --config /dev/null --sysroot "$1" --state-dir "$TMP/state-${1##*/}" \
		--policy online_movable --oneshot --netlink=no >/dev/null 2>"$TMP/log"
}

root=$TMP/nomovable
mk_boot_512m "$root"
mk_block "$root" 4 offline Normal
run "$root"
is "$?" 2 "a block its policy cannot online: --oneshot exits 2"
check "... said at warning" grep -q "warning: memory4: left offline" "$TMP/log"
is "$(state "$root" 4)" offline "... and memory4 is left offline"
sed 's/^/# log: /' "$TMP/log"

root=$TMP/ok
mk_boot_512m "$root"
mk_block "$root" 4 offline "Normal Movable"
run "$root"
is "$?" 0 "every block onlined: --oneshot exits 0"
is "$(state "$root" 4)" online_movable "... memory4 online_movable"

done_testing
