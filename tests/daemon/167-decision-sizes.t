#!/bin/bash
# hotmemd's auto-movable decision says its page counts as sizes too
# (docs43 F5): "movable 0 + 32768 pages within 301% of kernel early
# 262144" left a reader to work out that 32768 pages is 128 MiB and
# 262144 is 1 GiB. The counts stay (the kernel's units, and what
# scripts grep); "(Movable 0 + 128 MiB, kernel 1 GiB)" follows them.
# The coldplug line named "ratio 301": it is auto_movable_ratio, percent.
. "$(dirname "$0")/lib.sh"
need_hotmemd

root=$TMP/root
mk_small_machine "$root"

"$HOTMEMD" --config /dev/null --sysroot "$root" --state-dir "$TMP/state" --oneshot --dry-run \
	--netlink=no >"$TMP/out" 2>"$TMP/err"
is "$?" 0 "--dry-run --oneshot exits 0"
sed 's/^/# /' "$TMP/out" "$TMP/err"
check "memory8: the counts, then what they are in bytes" grep -qF \
	"memory8 online_movable Movable auto-movable: node0: movable 0 + 32768 pages within 301% of kernel early 262144 pages (Movable 0 + 128 MiB, kernel 1 GiB)" \
	"$TMP/out"
check "memory9: what is Movable already, too" grep -qF \
	"movable 32768 + 32768 pages within 301% of kernel early 262144 pages (Movable 128 MiB + 128 MiB, kernel 1 GiB)" \
	"$TMP/out"
check "the coldplug line names auto_movable_ratio, in percent" \
	grep -q "coldplug: 2 offline blocks, .*, auto_movable_ratio 301%, numa-aware$" "$TMP/err"

"$HOTMEMD" --config /dev/null --sysroot "$root" --state-dir "$TMP/state" --oneshot --dry-run \
	--netlink=no --auto-movable-ratio 10 >"$TMP/out10" 2>/dev/null

check "exceeding the ratio: 1 GiB of kernel memory said as such" grep -qF \
	"memory8 online_kernel Normal auto-movable: all nodes: movable 0 + 32768 pages exceeds 10% of kernel early 262144 pages (Movable 0 + 128 MiB, kernel 1 GiB)" \
	"$TMP/out10"
done_testing
