#!/bin/bash
# SIGUSR1 and SIGUSR2 do not stop hotmemd (usereye7 #11h; their default
# action is to end the process): SIGUSR1 logs its status and the figures
# auto-movable compares, SIGUSR2 is ignored, said once; SIGTERM still ends
# it, exit 0.  hotmemd(8) SIGNALS says so.
. "$(dirname "$0")/lib.sh"
need_hotmemd

root=$TMP/root
log=$TMP/log
mk_small_machine "$root"
small_hotmemd "$root" "$log"

kill -USR1 "$pid"
check "SIGUSR1: the status logged" \
	wait_for 10 grep -qF "status: 10 blocks online, 2 movable, 0 failed; policy auto-movable; 10 blocks present" "$log"
check "... and node0's figures" \
	wait_for 10 grep -qF "status: node0: movable 65536 pages, kernel early 262144 pages, ratio 301%" "$log"
check "... hotmemd still runs" kill -0 "$pid"
kill -USR2 "$pid"
check "SIGUSR2: said ignored" wait_for 10 grep -qF "SIGUSR2 ignored (SIGUSR1 logs the status)" "$log"
check "... hotmemd still runs" kill -0 "$pid"
kill -USR1 "$pid"
check "a second SIGUSR1: logged again" \
	wait_for 10 bash -c "[ \$(grep -c 'status: node0:' '$log') -eq 2 ]"
kill -TERM "$pid"
wait_exit "$pid" 10
is "$?" 0 "SIGTERM: exit 0"
grep "status\|SIGUSR" "$log" | sed 's/^/# /'
done_testing
