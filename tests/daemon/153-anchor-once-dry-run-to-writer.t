#!/bin/bash
# A hotmemd started as a dry run with no boot-blocks record anchors boot
# memory at start (memory0-15) and keeps it in memory (a dry run writes no
# record).  Blocks are hot-added and onlined by someone meanwhile; the
# reload that turns dry_run off (a writer now) takes that anchor and
# writes it as state_dir/boot-blocks, "0-15".  It anchored anew there and
# recorded "0-31": the hot-added memory as boot memory, KERNEL_EARLY grown
# with it for every later decision and restart (reread36 R6, the reload
# 61a43c98 left).
. "$(dirname "$0")/lib.sh"
need_hotmemd
root=$TMP/root log=$TMP/log conf=$TMP/hotmemd.conf
mk_sysroot "$root"
mk_blocks "$root" 0 15 online Normal
zone_add "$root" 0 Normal 524288
printf '[hotmemd]\ndry_run = yes\n' >"$conf"
: >"$log"
"$HOTMEMD" --config "$conf" --sysroot "$root" --state-dir "$TMP/state" --netlink=no 2>"$log" &
dpid=$!
_pids+=("$dpid")
check "hotmemd ready, a dry run" wait_for 10 grep -q "ready: sysroot .*, dry run" "$log"
check "... boot memory: the 16 blocks online at start" \
	grep -q "boot memory: 16 online blocks taken as boot memory" "$log"
check "... no record written" test ! -e "$TMP/state/boot-blocks"
# hot-added and onlined by someone (the dry run writes nothing)
mk_blocks "$root" 16 31 online Normal
printf '[hotmemd]\ndry_run = no\n' >"$conf"
kill -HUP "$dpid"
check "reloaded, writing" wait_for 10 grep -q "configuration reloaded" "$log"
is "$(head -1 "$TMP/state/boot-blocks" 2>/dev/null)" 0-15 "state_dir/boot-blocks records 0-15, the anchor of its start"
is "$(grep -c "boot memory: " "$log")" 1 "... boot memory anchored once"
grep "boot memory\|reload\|rescan" "$log" | sed 's/^/# log: /'
done_testing
