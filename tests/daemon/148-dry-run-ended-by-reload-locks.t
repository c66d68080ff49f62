#!/bin/bash
# A hotmemd started as a dry run (dry_run = yes in its file) holds no lock
# of its state dir: a dry run is never refused.  A reload that turns
# dry_run off makes it a writer: it takes the lock then, so a second
# hotmemd on the same state dir is refused, as beside one started writing
# (reread36 R5: it was not, and both decided and wrote every block).  And
# where another hotmemd holds the lock, that reload keeps the dry run:
# it writes "1 partial" to $RUNTIME_DIRECTORY/reloaded, not "1 ok", and
# hotmemd.service's ExecReload= fails (`systemctl reload` says so).
. "$(dirname "$0")/lib.sh"
need_hotmemd
root=$TMP/root
mk_sysroot "$root"
mk_blocks "$root" 0 15 online Normal
zone_add "$root" 0 Normal 524288
mkdir -p "$TMP/state"
start() { # start N CONF: hotmemd N on $TMP/state, its log $TMP/N.log, pid in pN
	: >"$TMP/$1.log"
	mkdir -p "$TMP/run$1"
	RUNTIME_DIRECTORY=$TMP/run$1 "$HOTMEMD" --config "$2" --sysroot "$root" --state-dir "$TMP/state" --netlink=no 2>"$TMP/$1.log" &
	eval "p$1=\$!"
	_pids+=("$!")
}
printf '[hotmemd]\ndry_run = yes\n' >"$TMP/a.conf"
start 1 "$TMP/a.conf"
check "hotmemd 1: a dry run, ready" wait_for 10 grep -q "ready: sysroot .*, dry run" "$TMP/1.log"
printf '[hotmemd]\ndry_run = no\n' >"$TMP/a.conf"
kill -HUP "$p1"
check "... reloaded with dry_run = no" wait_for 10 grep -q "configuration reloaded" "$TMP/1.log"
printf '[hotmemd]\n' >"$TMP/b.conf"
start 2 "$TMP/b.conf"
# refused, it exits; not refused, it runs on (then ended here)
check "hotmemd 2 on the same state dir: refused or ready" \
	wait_for 10 grep -qE "in use by another hotmemd|ready: sysroot" "$TMP/2.log"
check "... refused: the state dir in use by hotmemd 1" \
	grep -q "state dir $TMP/state is in use by another hotmemd (pid $p1 holds its lock): exiting" "$TMP/2.log"
grep -q "ready: sysroot" "$TMP/2.log" && kill "$p2"
wait "$p2"
is "$?" 1 "... exit 1"
kill "$p1"
wait_exit "$p1" 10
# the other way round: a writer holds the lock, a dry run's reload to
# dry_run = no is not applied
start 3 "$TMP/b.conf"
check "hotmemd 3: writing, ready" wait_for 10 grep -q "ready: sysroot" "$TMP/3.log"
printf '[hotmemd]\ndry_run = yes\n' >"$TMP/a.conf"
start 4 "$TMP/a.conf"
check "hotmemd 4: a dry run beside it, ready" wait_for 10 grep -q "ready: sysroot .*, dry run" "$TMP/4.log"
printf '[hotmemd]\ndry_run = no\n' >"$TMP/a.conf"
# the unit's ExecReload=, its --check-config on hotmemd 4's file
cmd=$(exec_reload_cmd)
cmd=${cmd//--config \/dev\/null/--config $TMP\/a.conf}
RUNTIME_DIRECTORY=$TMP/run4 MAINPID=$p4 timeout 20 sh -c "$cmd"
rc=$?
check "hotmemd 4 reloaded" wait_for 10 grep -q "configuration reloaded" "$TMP/4.log"
is "$(cat "$TMP/run4/reloaded")" "1 partial" "... RUNTIME_DIRECTORY/reloaded says 1 partial"
is "$rc" 1 "... and hotmemd.service's ExecReload= fails"
check "... saying dry_run = no is not applied: hotmemd 3 holds the lock" \
	grep -q "state dir $TMP/state is in use by another hotmemd (pid $p3 holds its lock): dry_run = no not applied, still a dry run" "$TMP/4.log"
kill -USR1 "$p4"
check "... its status: still a dry run" wait_for 10 grep -q "status: .*(dry run)" "$TMP/4.log"
# a refused reload (a signal not preceded by the unit's --check-config) says so there too
printf '[hotmemd]\npolicy = bogus\n' >"$TMP/a.conf"
kill -HUP "$p4"
check "a bad file: hotmemd 4's reload refused" wait_for 10 grep -q "reload refused" "$TMP/4.log"
check "... RUNTIME_DIRECTORY/reloaded says 2 refused" \
	wait_for 10 grep -qx "2 refused" "$TMP/run4/reloaded"
for n in 1 2 3 4; do sed "s/^/# $n: /" "$TMP/$n.log" | grep -v ": memory"; done
done_testing
