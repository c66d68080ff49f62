#!/bin/bash
# hotmemd.service's ExecReload= returns once hotmemd has reloaded, not
# right after its `kill -HUP` (reread36 R3): systemd 252 ends the reload
# job when that command exits, and `systemctl reload hotmemd && <hot-add>`
# had the add decided by the old configuration.  hotmemd writes "N ok" to
# $RUNTIME_DIRECTORY/reloaded after each reload; the command waits for it.
# Here the unit's own line, run as systemd runs it ($MAINPID and
# $RUNTIME_DIRECTORY in its environment, a list of two: the first is
# hotmemd's), with the test's hotmemd in place of /usr/local/bin/hotmemd:
# hotmemd stopped (SIGSTOP), the command keeps waiting (polling); let go,
# it returns 0 and the reload is in hotmemd's log.  The line named
# /run/hotmemd/reloaded, whatever RuntimeDirectory= said; it reads
# $RUNTIME_DIRECTORY's first entry now.
. "$(dirname "$0")/lib.sh"
need_hotmemd
need_tool pgrep procps
root=$TMP/root run=$TMP/run
mk_sysroot "$root"
mk_blocks "$root" 0 15 online Normal
zone_add "$root" 0 Normal 524288
mkdir -p "$run" "$TMP/run2"
export RUNTIME_DIRECTORY=$run:$TMP/run2
log=$TMP/log
: >"$log"
"$HOTMEMD" --config /dev/null --sysroot "$root" --state-dir "$TMP/state" \
	--netlink=no 2>"$log" &
dpid=$!
_pids+=("$dpid")
check "hotmemd ready" wait_for 10 grep -q "ready: sysroot" "$log"
cmd=$(exec_reload_cmd)
check "ExecReload= is /bin/sh -c '...'" test -n "$cmd"
check "... naming no directory of its own" bash -c '! grep -q /run/ <<<"$1"' _ "$cmd"
kill -STOP "$dpid"
# bounded: a line polling a file hotmemd never writes fails, not hangs
MAINPID=$dpid timeout 30 sh -c "$cmd" 2>"$TMP/reload.err" &
rpid=$!
polls() { pgrep -P "$(pgrep -P "$rpid" -x sh)" -x sleep >/dev/null; }
check "hotmemd stopped: ExecReload= still waits for its reload (polls)" \
	wait_for 10 polls
kill -CONT "$dpid"
wait "$rpid"
is "$?" 0 "let go: ExecReload= returns 0"
check "... once hotmemd has reloaded" grep -q "configuration reloaded" "$log"
is "$(cat "$run/reloaded")" "1 ok" "... RUNTIME_DIRECTORY/reloaded says 1 ok"
# RUNTIME_DIRECTORY unset (a drop-in clears RuntimeDirectory=): refused at
# once, no signal sent, no file removed; it ran `rm -f /reloaded` and
# polled until the timeout (reread38 R9)
n=$(grep -c "configuration reloaded" "$log")
(unset RUNTIME_DIRECTORY; MAINPID=$dpid timeout 10 sh -c "$cmd") 2>"$TMP/unset.err"
rc=$?
check "RUNTIME_DIRECTORY unset: refused at once (exit $rc, not the timeout's 124)" \
	test "$rc" -ne 0 -a "$rc" -ne 124
check "... saying RuntimeDirectory is needed" grep -q "RuntimeDirectory" "$TMP/unset.err"
sleep 0.5
is "$(grep -c "configuration reloaded" "$log")" "$n" "... and sending no SIGHUP"
grep -v "^hotmemd: info: memory" "$log" | sed 's/^/# log: /'
done_testing
