#!/bin/bash
# make run without a terminal (CI, a pipe): the scripted walk-through on a
# running machine -- hotmemfs on the default machine, hotmemd onlining a
# plugged DIMM by policy, hotmem-trace with pinned maps, the commands to
# copy -- exits 0 and leaves nothing behind; make run builds only what it
# runs (#13.1).
set -u
SRC=${HOTMEM_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
B=${HOTMEM_BUILD:-$SRC/build}
n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }
check() { local d=$1; shift; if "$@"; then ok "$d"; else nok "$d"; fi; }
has() { grep -qE -- "$1" "$out"; }
[ "$(id -u)" = 0 ] || { echo "1..0 # SKIP needs root (hotmemfs, hotmemd, BPF)"; exit 0; }
[ -c /dev/fuse ] || { echo "1..0 # SKIP no /dev/fuse"; exit 0; }
# built by make check before the tests: missing there is a failure (tests/need.sh)
. "$(dirname "$0")/../need.sh"
[ -x "$B/hotmemfs" ] && [ -x "$B/hotmemd" ] || need_whole_skip "hotmemfs, hotmemd not built ($B)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=$tmp/out

# builds only what it runs: a dry run into an empty build directory
make -C "$SRC" --no-print-directory -n run-bins BUILD="$tmp/b" >"$tmp/dry" 2>&1
check "make run-bins (what make run builds) is known to make" grep -q "hotmemfs" "$tmp/dry"
check "... and builds no test program" bash -c "! grep -E 'tests/|bench|fuzz' '$tmp/dry'"
check "... nor hotmem-conform" bash -c "! grep -q 'hotmem-conform' '$tmp/dry'"

make -C "$SRC" --no-print-directory run BUILD="$B" </dev/null >"$out" 2>&1
rc=$?
check "make run </dev/null | cat: exits 0" test "$rc" = 0
sed 's/^/# /' "$out" | head -30
check "shows the machine (hotmemctl status)" has "^== hotmemfs: the default machine"
check "shows lsmem" has "^Memory block size: +128M"
check "the DIMM's blocks are online by hotmemd's policy (lsmem 32-38 Movable)" \
	has "0x0000000100000000-0x0000000137ffffff +896M +online +yes +32-38 +0 +Movable"
check "hotmemd's decisions shown" has "memory32: online_movable \(auto-movable"
check "the commands to copy: echo online_movable > .../state" has "^   echo online_movable > /tmp/hotmem-run\.[^/]+/mnt/sys/devices/system/memory/memory39/state$"
check "... watching hotmemd" has "^   tail -f /tmp/hotmem-run\.[^/]+/hotmemd\.log$"
check "... lsmem" has "^   lsmem --sysroot /tmp/hotmem-run\.[^/]+/mnt$"
check "... entering a machine" has "hotmem-enter$|unshare -m sh -c 'mount --bind"
if has "map dump pinned"; then
	check "... bpftool map dump pinned" has "^   [^ ]*bpftool map dump pinned /sys/fs/bpf/hotmem[^ ]*/blocks$"
	check "walk-through: the pinned blocks map dumped" has '"onlined": [0-9]+'
	check "walk-through: the trace as hotmem-trace's table, header and steps" \
		bash -c "grep -qE '^   TIME\(s\) +SRC +EVENT' '$out' && grep -q 'emulator memory_block_online' '$out'"
else
	ok "... bpftool map dump pinned # SKIP hotmem-trace could not run here: $(grep -m1 'not running here' "$out")"
	ok "walk-through: the pinned blocks map dumped # SKIP no trace"
	ok "walk-through: the trace as a table # SKIP no trace"
fi
check "walk-through: memory39 onlined by the echo, Movable" has "^   memory39: online Movable$"
# usereye 20: a plain online put memory39 in Normal amid its Movable DIMM
check "walk-through: the whole DIMM Movable after it (lsmem 32-39 Movable)" \
	has "^   0x0000000100000000-0x000000013fffffff +1G +online +yes +32-39 +0 +Movable$"
check "walk-through: invariants hold" has "^   invariants hold$"

run=$(grep -oE "/tmp/hotmem-run\.[A-Za-z0-9]+" "$out" | head -1)
check "cleaned up: $run removed" test -n "$run" -a ! -e "$run"
check "cleaned up: nothing mounted there" bash -c "! grep -q '${run:-/nonexistent} ' /proc/mounts"
pin=$(grep -oE "pinned /sys/fs/bpf/hotmem[^ ]*/blocks" "$out" | head -1 | sed 's|^pinned ||; s|/blocks$||')
if [ -n "$pin" ]; then
	check "cleaned up: pins under $pin gone" test ! -e "$pin/blocks" -a ! -e "$pin/counters"
else
	ok "cleaned up: pins gone # SKIP no trace"
fi
echo "1..$n"
[ "$fails" = 0 ]
