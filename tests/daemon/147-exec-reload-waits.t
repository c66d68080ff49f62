#!/bin/bash
# hotmemd.service's ExecReload= returns once hotmemd has reloaded, not
# right after its `kill -HUP` (reread36 R3): systemd 252 ends the reload
# job when that command exits, and `systemctl reload hotmemd && <hot-add>`
# had the add decided by the old configuration.  hotmemd writes "N ok" to
# $RUNTIME_DIRECTORY/reloaded after each reload; the command waits for it.
# Here the unit's own line, run as systemd runs it ($MAINPID in its
# environment), with the test's hotmemd and directory in place of
# /usr/local/bin/hotmemd and /run/hotmemd: hotmemd stopped (SIGSTOP), the
# command keeps waiting (polling); let go, it returns 0 and the reload is
# in hotmemd's log.
. "$(dirname "$0")/lib.sh"
need_hotmemd
need_tool pgrep procps
root=$TMP/root run=$TMP/run
mk_sysroot "$root"
mk_blocks "$root" 0 15 online Normal
zone_add "$root" 0 Normal 524288
mkdir -p "$run"
log=$TMP/log
: >"$log"
RUNTIME_DIRECTORY=$run "$HOTMEMD" --config /dev/null --sysroot "$root" --state-dir "$TMP/state" \
	--netlink=no 2>"$log" &
dpid=$!
_pids+=("$dpid")
check "hotmemd ready" wait_for 10 grep -q "ready: sysroot" "$log"
line=$(sed -n 's/^ExecReload=//p' "$HOTMEM_SRC/unit-files/hotmemd.service")
line=${line//\/usr\/local\/bin\/hotmemd/$HOTMEMD --config \/dev\/null}
line=${line//\/run\/hotmemd/$run}
# sh -c '...': the words after sh -c, unquoted as systemd splits them
cmd=$(sed -n "s/^\/bin\/sh -c '\(.*\)'$/\1/p" <<<"$line")
check "ExecReload= is /bin/sh -c '...'" test -n "$cmd"
kill -STOP "$dpid"
MAINPID=$dpid sh -c "$cmd" 2>"$TMP/reload.err" &
rpid=$!
polls() { pgrep -P "$rpid" -x sleep >/dev/null; }
check "hotmemd stopped: ExecReload= still waits for its reload (polls)" \
	wait_for 10 polls
kill -CONT "$dpid"
wait "$rpid"
is "$?" 0 "let go: ExecReload= returns 0"
check "... once hotmemd has reloaded" grep -q "configuration reloaded" "$log"
is "$(cat "$run/reloaded")" "1 ok" "... RUNTIME_DIRECTORY/reloaded says 1 ok"
grep -v "^hotmemd: info: memory" "$log" | sed 's/^/# log: /'
done_testing
