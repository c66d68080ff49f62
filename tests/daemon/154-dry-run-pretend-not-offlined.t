#!/bin/bash
# A dry run's "would write" counts memory16 online in its model (later
# decisions see it) without writing.  The reload that turns the dry run
# into a writer reads memory16 offline: nobody offlined it, it was never
# onlined.  It was marked "offlined by someone else" and recorded in
# state_dir/offlined at once, so every later start left it offline this
# boot (reread38 R1).  Now: no record, and a restart onlines it (a
# reload's rescan onlines nothing; this sysroot's memoryN/state keeps
# what was written, online_movable).
. "$(dirname "$0")/lib.sh"
need_hotmemd

root=$TMP/root conf=$TMP/hotmemd.conf
mk_sysroot "$root"
mk_blocks "$root" 0 15 online Normal
zone_add "$root" 0 Normal 524288
mk_block "$root" 16 offline "Normal Movable"
set_boot_id "$root" 1b2c3d4e-0000-4000-8000-000000000001
printf '[hotmemd]\ndry_run = yes\n' >"$conf"
start() { # start N: hotmemd N on the sysroot, its log $TMP/N.log, its pid $pN
	: >"$TMP/$1.log"
	"$HOTMEMD" --config "$conf" --sysroot "$root" --state-dir "$TMP/state" --netlink=no \
		--log-level debug >/dev/null 2>"$TMP/$1.log" &
	eval "p$1=\$!"
	_pids+=("$!")
}

start 1
check "dry run ready" wait_for 10 grep -q "ready: sysroot .*, dry run" "$TMP/1.log"
check "the dry run would online memory16" grep -q "memory16.*dry run: would write" "$TMP/1.log"
printf '[hotmemd]\ndry_run = no\n' >"$conf"
kill -HUP "$p1"
check "reloaded, writing" wait_for 10 grep -q "configuration reloaded" "$TMP/1.log"
is "$(sed -n 2p "$TMP/state/offlined" 2>/dev/null)" "" \
	"state_dir/offlined names no block (nobody offlined memory16)"
kill "$p1"
wait_exit "$p1" 10
start 2
check "writer restarted, ready" wait_for 10 grep -q "ready: sysroot" "$TMP/2.log"
is "$(grep -c "memory16.*offlined by someone else" "$TMP/2.log")" 0 \
	"the restart does not call memory16 offlined by someone else"
is "$(state "$root" 16)" online_movable "the restart onlines memory16"
grep -h "memory16\|offlined" "$TMP"/[12].log | sed 's/^/# log: /'
kill "$p2"
wait_exit "$p2" 10
done_testing
