#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Pins in the way (another hotmem-trace, or a killed one's): hotmem-trace
# names every one of them in its hint (not only the first map), refuses,
# and leaves them where they are (#13.5).  Stand-ins for the pins are plain
# files in a directory of ours: the check looks before it pins anything.
set -u
SRC=${HOTMEM_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
B=${HOTMEM_BUILD:-$SRC/build}
T=$B/tests/bpf/usdt_target
HT=$B/hotmem-trace
n=0
fails=0
skip_all() { echo "1..0 # SKIP $*"; exit 0; }
ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fails=$((fails + 1)); fi
}
[ "$(id -u)" = 0 ] || skip_all "needs root to load BPF programs"
[ -x "$HT" ] && [ -x "$T" ] || skip_all "not built: $HT, $T (run make)"
[ -e /sys/bus/event_source/devices/uprobe/type ] || skip_all "kernel has no uprobe PMU (CONFIG_UPROBE_EVENTS)"
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
echo "1..6"

touch "$D/counters" "$D/blocks"
"$HT" -q --emulator "$T" --pin "$D" -d 1 >/dev/null 2>"$D/err"
ok $((! $?)) "refused: both maps' pins are in the way"
grep -q "rm $D/counters $D/blocks" "$D/err"
ok $? "the hint names both pins in one rm command"
sed 's/^/# /' "$D/err"
[ -e "$D/counters" ] && [ -e "$D/blocks" ]
ok $? "... and leaves both where they are"

rm "$D/counters"
"$HT" -q --emulator "$T" --pin "$D" -d 1 >/dev/null 2>"$D/err"
ok $((! $?)) "refused: one pin in the way"
grep -q "rm $D/blocks;" "$D/err" && ! grep -q "$D/counters" "$D/err"
ok $? "the hint names exactly that one"
[ -e "$D/blocks" ] && [ ! -e "$D/counters" ]
ok $? "... nothing pinned, nothing removed"
[ "$fails" = 0 ]
