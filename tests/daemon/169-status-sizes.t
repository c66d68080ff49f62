#!/bin/bash
# SIGUSR1's per-node status says its page counts as sizes too, as the
# decision line does (167, docs43 F5): "status: node0: movable 65536
# pages, kernel early 262144 pages, ratio 301%" left a reader to work out
# 256 MiB and 1 GiB.
. "$(dirname "$0")/lib.sh"
need_hotmemd

root=$TMP/root
log=$TMP/log
mk_small_machine "$root"
small_hotmemd "$root" "$log"
kill -USR1 "$pid"
check "SIGUSR1: node0's figures, then as sizes" wait_for 10 grep -qF \
	"status: node0: movable 65536 pages, kernel early 262144 pages, ratio 301% (Movable 256 MiB, kernel 1 GiB)" \
	"$log"
kill -TERM "$pid"
wait_exit "$pid" 10
is "$?" 0 "SIGTERM: exit 0"
grep "status: node" "$log" | sed 's/^/# /'
done_testing
