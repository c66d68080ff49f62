#!/bin/bash
# A dry run says each decision once (user42 U12: `hotmemd --dry-run
# --oneshot` on a terminal printed each twice, the "dry run: would write"
# log line on stderr and the "memoryN ACTION ZONE reason" line on stdout).
# --oneshot answers on stdout and logs the decision at debug; a daemon's
# dry run logs it (MESSAGE_ID dry-run decision) and prints nothing.
. "$(dirname "$0")/lib.sh"
need_hotmemd

root=$TMP/root
mk_small_machine "$root"

# both streams into one file, as a terminal shows them
"$HOTMEMD" --config /dev/null --sysroot "$root" --state-dir "$TMP/state" --oneshot --dry-run \
	--netlink=no >"$TMP/both" 2>&1
is "$?" 0 "--dry-run --oneshot exits 0"
is "$(grep -c 'memory8\b' "$TMP/both")" 1 "memory8's decision said once"
check "... as the stdout line" grep -q "^memory8 online_movable Movable auto-movable: " "$TMP/both"
is "$(grep -c 'memory9\b' "$TMP/both")" 1 "memory9's decision said once"
sed 's/^/# /' "$TMP/both"

"$HOTMEMD" --config /dev/null --sysroot "$root" --state-dir "$TMP/state" --oneshot --dry-run \
	--netlink=no --log-level debug >"$TMP/out" 2>"$TMP/err"
check "--log-level debug: the log line too" \
	grep -q "debug: memory8: dry run: would write online_movable (auto-movable: " "$TMP/err"
is "$(grep -c '^memory' "$TMP/out")" 2 "... stdout unchanged: two blocks"

# a daemon: the log line, nothing on stdout
"$HOTMEMD" --config /dev/null --sysroot "$root" --state-dir "$TMP/state" --dry-run \
	--netlink=no >"$TMP/d.out" 2>"$TMP/d.log" &
pid=$!
_pids+=("$pid")
check "daemon dry run ready" wait_for 10 grep -q "ready: sysroot .*, dry run" "$TMP/d.log"
check "... logs memory8's decision" grep -q "info: memory8: dry run: would write online_movable" "$TMP/d.log"
kill "$pid"
wait_exit "$pid" 10
is "$(cat "$TMP/d.out")" "" "... and prints nothing on stdout"
done_testing
