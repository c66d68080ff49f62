#!/bin/bash
# A message naming long paths is said whole (daemon40, item 1's "never
# cut mid-sentence" beyond the configuration).  hotmemd's log line was
# 512 bytes: a state_dir/boot-blocks record of another machine is said
# with both machines' lines, each holding its sysroot (any path up to
# 1023 bytes), and with sysroots of 400 bytes the warning lost what
# hotmemd does about it, "re-anchoring boot memory from what this
# machine shows now".  The line holds 4096 bytes now, above every
# message's paths and record lines (those of any length are quoted by
# their start, HMD_QUOTE); one cut anyway ends in "...".  Check 3 failed
# without the fix.
. "$(dirname "$0")/lib.sh"
need_hotmemd
set -u

long=$TMP/$(printf 'd%.0s' $(seq 200))/$(printf 'e%.0s' $(seq 200))
a=$long/a b=$long/b
mk_boot_512m "$a"
check "hotmemd on machine A, its sysroot of ${#a} bytes" oneshot_run "$a" "$TMP/err1"
mk_sysroot "$b"
mk_blocks "$b" 0 7 online Normal
zone_add "$b" 0 Normal 262144
check "hotmemd on machine B, the same state dir" oneshot_run "$b" "$TMP/err2"
grep "another machine" "$TMP/err2" | cut -c1-200 | sed 's/^/# /'
check "... the warning names both machines and says it re-anchors" grep -q \
	"warning: $TMP/state/boot-blocks describes another machine (\"machine .* sysroot $a\"; this one is \"machine .* sysroot $b\"): its boot memory is not this machine's, re-anchoring boot memory from what this machine shows now$" \
	"$TMP/err2"
is "$(head -1 "$TMP/state/boot-blocks" 2>&1)" 0-7 "B's boot memory: memory0-7, re-anchored"
done_testing
