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
# The guests of a file share its time: make check ends the file at
# TEST_TIMEOUT (1200 s), and its guest runs, each bounded alone, could add
# up past that (each run booted twice on a boot panic:
# run_twice_on_boot_panic).  guest_budget ENGINE-S RUNS: the guests end
# by TEST_TIMEOUT less ENGINE-S (what follows them), RUNS runs needed.
guest_budget() { GUEST_END=$((${TEST_TIMEOUT:-1200} - $1)) GUESTS_LEFT=$2; }
# guest_timeout MAX: the --timeout of the next run, one of GUESTS_LEFT:
# at most MAX, and at most half (a panic's second boot) of what is left
# over GUESTS_LEFT.  Each run, second boot included, then takes at most
# left/GUESTS_LEFT, and all of them at most what was left, panics or not.
guest_timeout() {
	local t=$(((GUEST_END - SECONDS) / (2 * (GUESTS_LEFT > 0 ? GUESTS_LEFT : 1))))
	[ "$t" -lt "$1" ] || t=$1
	echo $((t > 0 ? t : 1))
}
# guest_said NAME T: a run's timeout, said when short of MAX
guest_said() { echo "# $1: --timeout $2 s: $((GUEST_END - SECONDS)) s left for $GUESTS_LEFT guest run(s) (tap.sh guest_budget)"; }
# guest_ran: one run fewer needed
guest_ran() { GUESTS_LEFT=$((GUESTS_LEFT - 1)); }
# guest_rerun NAME MIN: one more run needed, if its share is MIN s or more
# (true); else none, said on stderr (false)
guest_rerun() {
	GUESTS_LEFT=$((GUESTS_LEFT + 1))
	[ "$(guest_timeout "$2")" -ge "$2" ] && return 0
	GUESTS_LEFT=$((GUESTS_LEFT - 1))
	echo "# $1: no run again: $((GUEST_END - SECONDS)) s left for the guests, under 2 x $2 s a run (tap.sh guest_budget)" >&2
	return 1
}
# boot_panicked LOG READY: the run whose console is LOG (qmp.py Guest's
# stamped lines) ended with its guest's kernel panicked before the guest
# said READY (its init's first word to the host): under TCG a boot now and
# then dies before its init runs (an int3 Oops in text patching, qmp.py
# boot_panicked()), QEMU's emulation, not the test.  True then.
boot_panicked() { grep -q "Kernel panic" "$1" && ! grep -q "$2" "$1"; }
# rerun_boot_panic NAME LOG READY TRY: the TRY-th run of NAME panicked at
# boot (boot_panicked LOG READY), it was the first, and the file's guests
# have time for one more (guest_rerun NAME 120): true, said as a TAP
# comment.  The caller runs it once more; a second panic is its failure,
# the steps not taken said with boot_panic_said's reason.
rerun_boot_panic() {
	boot_panicked "$2" "$3" && [ "$4" = 1 ] && guest_rerun "$1" 120 || return 1
	echo "# $1: the guest's kernel panicked at boot, before its $3 (TCG; $2): once more"
}
# boot_panic_said LOG READY TRIES: why a run's steps were not taken when
# its guest panicked at boot ("" else), for its not-ok lines
boot_panic_said() {
	boot_panicked "$1" "$2" || return 0
	echo "; the guest's kernel panicked at boot, before its $2, in run $3 of $3"
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
# need_guest_612: QEMU (x86_64) and Debian's 6.12 guest kernel, K612 its
# path (HOTMEM_GUEST_KERNEL_612, else the cache's newest): skip_all without
# (tests/kernel/qemu_diffwalk.t, need_virtio_mem_guest)
need_guest_612() {
	need_tool qemu-system-x86_64 qemu-system-x86
	K612=${HOTMEM_GUEST_KERNEL_612:-$(guest_kernel linux-6.12)}
	[ -r "$K612" ] ||
		skip_all "no 6.12 guest kernel in $HERE/cache/linux-6.12 (scripts/deps.sh check fetches Debian's 6.12 there: apt-get download + dpkg -x)"
}
# need_virtio_mem_guest: need_guest_612, a QEMU with virtio-mem-pci, the
# guest's own virtio_mem.ko.xz (KO) and xz to unpack it, need_guest_tools:
# skip_all without (tests/kernel/qemu_virtio_mem.t, qemu_vmem_walk.t)
need_virtio_mem_guest() {
	need_guest_612
	qemu-system-x86_64 -device help 2>/dev/null | grep -q '"virtio-mem-pci"' ||
		skip_all "this QEMU has no virtio-mem-pci device"
	KO=$(ls "$HERE/cache/linux-6.12/lib/modules"/*/kernel/drivers/virtio/virtio_mem.ko.xz 2>/dev/null | tail -1)
	[ -r "$KO" ] || skip_all "no virtio_mem.ko.xz next to the 6.12 guest kernel ($HERE/cache/linux-6.12/lib/modules)"
	need_tool xz xz-utils	# the guest's module is xz-compressed
	need_guest_tools
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
