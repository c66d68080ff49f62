# tests/kernel/tap.sh — sourced by the tests/kernel/*.t (bash): where
# things are (SRC, B the build, HERE this folder, OUT the artifacts) and
# the TAP helpers they share.
SRC=${HOTMEM_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
B=${HOTMEM_BUILD:-$SRC/build}
HERE=$SRC/tests/kernel
OUT=$B/tests/kernel
n=0
fails=0

skip_all() { echo "1..0 # SKIP $*"; exit 0; }
ok() {	# cond description; or description alone (tests/need.sh's form): passed
	[ $# -eq 1 ] && set -- 0 "$1"
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fails=$((fails + 1)); fi
}
# verdict RC DESCRIPTION [PRINTER ARGS...]: ok by RC, the check's own
# status; PRINTER (why it failed) runs only when RC is not 0, and its own
# status is never the verdict (`check || ! printer; ok $?` passed a failed
# check whenever the printer failed: reread20 G8).  RC again.
verdict() {
	local rc=$1 desc=$2
	shift 2
	[ "$rc" = 0 ] || [ $# = 0 ] || "$@"
	ok "$rc" "$desc"
	return "$rc"
}
skip() { n=$((n + 1)); echo "ok $n # SKIP $*"; }
nok() { ok 1 "$1"; }
done_testing() { exit $((fails > 0)); }
# need_tool TOOL PACKAGE, have_tool TOOL PACKAGE NAME: what scripts/deps/*.list
# installs (QEMU, xz, busybox-static ...) is a failure when missing under
# make check or CI, a loud skip by hand (tests/need.sh).  A guest kernel is
# no package: its download (scripts/deps.sh check) can fail for the network,
# and the test skips loudly then.
. "$SRC/tests/need.sh"
# their plan printed by the tests, after the tools are asked for: need.sh's
# need_end_fail prints the plan of what it ends
need_plan_first=1
skipn() { local k=$1; shift; for _ in $(seq "$k"); do skip "$@"; done; }
diag() { sed 's/^/# /'; }
fact() { grep "^$2=" "$1.facts" | head -1 | cut -d= -f2-; }
is() {	# got expected description
	[ "$1" = "$2" ]; ok $? "$3"
	[ "$1" = "$2" ] || echo "# got '$1', expected '$2'"
}
has() {	# file description pattern...: every fixed string in the file
	local f=$1 d=$2 p miss=
	shift 2
	for p in "$@"; do grep -qF -- "$p" "$f" || miss="$miss '$p'"; done
	[ -z "$miss" ]; ok $? "$d"
	[ -z "$miss" ] || echo "# missing from $f:$miss"
}
guest_kernel() {	# cache-name: the newest vmlinuz unpacked there
	ls "$HERE/cache/$1/boot"/vmlinuz-* 2>/dev/null | sort -V | tail -1
}
# a difference from the kernel the engine is known to have (docs): "not ok
# ... # TODO" while it is there, "ok ... # TODO" (prove: unexpectedly
# succeeded) once the engine is fixed
todo() {	# cond description why
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2 # TODO $3"; else echo "not ok $n - $2 # TODO $3"; fi
}
# what every guest run needs besides QEMU and a kernel: skip_all without it
need_guest_tools() {
	need_tool busybox busybox-static
	need_tool file file
	file -L "$(command -v busybox)" | grep -q statically ||
		skip_all "busybox is not static (apt-get install busybox-static)"
	need_tool cpio cpio
	need_tool python3 python3
	need_built "$B/hotmem-trace-static"
	need_built "$B/hotmem-trace"
}
