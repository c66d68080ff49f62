#!/bin/bash
# kill -9 of hotmem-enter (a CI timeout's end) takes its whole machine
# with it: the PID namespace's init, hotmemfs and the command were
# reparented and lived on, hotmemfs holding its -S state file's lock so
# that the next run was refused (usereye5 #11).  init dies with its parent
# (PR_SET_PDEATHSIG), the namespace with init.
. "$(dirname "$0")/../fusefs/lib.sh"
need_enter

STATE=$TMP/machine.state
"$ENTER" --profile qemu-512m -S "$STATE" -- sh -c "touch '$TMP/up'; exec sleep 300" \
	>"$TMP/out" 2>"$TMP/err" &
outer=$!
disown "$outer" # its SIGKILL is the test's, not news for the shell
timeout 60 sh -c "until [ -e '$TMP/up' ]; do sleep 0.05; done"
is "$?" 0 "hotmem-enter's command started"
init=$(pgrep -P "$outer")
kids=$(pgrep -P "$init" | tr '\n' ' ')
is "$(wc -w <<<"$init $kids")" 3 "an init, hotmemfs and the command ($init $kids)"
kill -9 "$outer"
left=
for p in $init $kids; do
	wait_gone "$p" 60 || left="$left $(ps -o pid=,ppid=,args= -p "$p")"
done
is "$left" "" "kill -9 of hotmem-enter: its init, hotmemfs and the command are gone"
"$ENTER" --profile qemu-512m -S "$STATE" -- true 2>>"$TMP/err"
is "$?" 0 "the state file's lock is free: a new hotmem-enter on it runs"
[ -n "$left" ] && for p in $init $kids; do kill -9 "$p" 2>/dev/null; done # a failed run leaves no orphan
[ "$T_FAIL" -gt 0 ] && sed 's/^/# /' "$TMP/err" | head -20
done_testing
