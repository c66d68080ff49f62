# shellcheck shell=bash
# Helpers for the tests/bpf/*.t that trace the engine's USDT probes: TAP
# output, skipping loudly without root, the binaries or uprobes, and
# reading hotmem-trace's summary line.
set -u
SRC=${HOTMEM_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
B=${HOTMEM_BUILD:-$SRC/build}
HT=$B/hotmem-trace
OUT=$B/tests/bpf
n=0
fails=0
# wait_exit PID SECONDS (SIGKILL after SECONDS), file_wait FILE:
# tests/wait_exit.sh
. "$SRC/tests/wait_exit.sh"

skip_all() { echo "1..0 # SKIP $*"; exit 0; }
# ok STATUS NAME: a check, passed when STATUS is 0; ok NAME (tests/need.sh's
# form): a passed check
ok() {
	[ $# -eq 1 ] && set -- 0 "$1"
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fails=$((fails + 1)); fi
}
diag() { sed 's/^/# /'; }
# the script's exit status: 1 when any test failed
done_testing() { exit $((fails > 0)); }
nok() { ok 1 "$1"; }
# need_tool TOOL PACKAGE, have_tool TOOL PACKAGE NAME: what scripts/deps/*.list
# installs is a failure when missing under make check or CI, a loud skip by
# hand (tests/need.sh)
. "$SRC/tests/need.sh"
# their plan printed by the tests, after the tools are asked for: need.sh's
# need_end_fail prints the plan of what it ends
need_plan_first=1
# "hotmem-trace: N events, D dropped, H USDT probe hits" of a run's stderr
hits() { sed -n 's/^hotmem-trace: .*, \([0-9]*\) USDT probe hits.*/\1/p' "$1"; }
events() { sed -n 's/^hotmem-trace: \([0-9]*\) events.*/\1/p' "$1"; }
dropped() { sed -n 's/^hotmem-trace: [0-9]* events, \([0-9]*\) dropped.*/\1/p' "$1"; }

# need_bpf BINARY...: root (or a skip), hotmem-trace and the binaries built
# (need_built: a failure under make check, which builds them)
need_bpf() {
	[ "$(id -u)" = 0 ] || skip_all "needs root to load BPF programs"
	for bin in "$HT" "$@"; do
		need_built "$bin"
	done
	mkdir -p "$OUT"
}

# need_usdt BINARY...: need_bpf's and uprobes, or skip
need_usdt() {
	need_bpf "$@"
	[ -e /sys/bus/event_source/devices/uprobe/type ] ||
		skip_all "kernel has no uprobe PMU (CONFIG_UPROBE_EVENTS)"
}

# usdt_test PLAN: a test tracing usdt_target ($T): need_usdt's checks, a
# temporary directory $D removed at exit, the plan printed
usdt_test() {
	T=$B/tests/bpf/usdt_target
	need_usdt "$T"
	D=$(mktemp -d)
	trap 'rm -rf "$D"' EXIT
	echo "1..$1"
}

# wait_ready ERRFILE: until a hotmem-trace writing its stderr to ERRFILE
# said "ready:" or stopped trying (30 s of tries, not a timed assertion:
# the check after it says what came; ERRFILE not made yet, its writer
# starting, is no grep error)
wait_ready() {
	for _ in $(seq 300); do grep -qs "hotmem-trace: ready:\|nothing could" "$1" && break; sleep 0.1; done
}

# usdt_shim_test PLAN SHIM: usdt_test's, with tests/reliability/SHIM.c
# built into $D/SHIM.so for hotmem-trace before the plan (need.sh's skip)
usdt_shim_test() {
	T=$B/tests/bpf/usdt_target
	need_usdt "$T"
	D=$(mktemp -d)
	trap 'rm -rf "$D"' EXIT
	TMP=$D need_preload_shim "$2" "$HT"
	echo "1..$1"
}

# engine_test PLAN: a test tracing the engine's CLI ($HM, build/hotmem):
# need_usdt's checks, a temporary directory $D removed at exit, the plan
# printed
engine_test() {
	HM=$(cd "$B" && pwd)/hotmem
	need_usdt "$HM"
	D=$(mktemp -d)
	trap 'rm -rf "$D"' EXIT
	echo "1..$1"
}

# trace_run NAME SCRIPT [OPTION...]: hotmem-trace --json of hotmem
# --profile qemu-512m [OPTION...] run SCRIPT (printf's format, into
# $D/NAME.hm): the trace $D/NAME.jsonl, its stderr $D/NAME.err;
# hotmem-trace's status (engine_test's $HM, $D)
trace_run() {
	local name=$1 script=$2
	shift 2
	# shellcheck disable=SC2059
	printf "$script" >"$D/$name.hm"
	"$HT" --no-pin --json -o "$D/$name.jsonl" -- "$HM" --profile qemu-512m "$@" run "$D/$name.hm" \
		>/dev/null 2>"$D/$name.err"
}

# enter_test PLAN NAME: a test running hotmem-trace inside hotmem-enter
# ($ENTER): need_usdt's checks of it and hotmemfs, /dev/fuse, a directory
# $W (/tmp/hotmem-enter-NAME.*, which the machine sees too) removed at
# exit, the plan printed
enter_test() {
	ENTER=$B/hotmem-enter
	need_usdt "$ENTER" "$B/hotmemfs"
	[ -c /dev/fuse ] || skip_all "no /dev/fuse"
	echo "1..$1"
	W=$(mktemp -d "/tmp/hotmem-enter-$2.XXXXXX")
	trap 'rm -rf "$W"' EXIT
}

# in_own_mount_ns "$@": as root, the test run again in a mount namespace
# of its own (before usdt_test), so that what own_mount mounts is never
# the host's
in_own_mount_ns() {
	if [ -z "${HMT_OWN_MOUNT_NS:-}" ] && [ "$(id -u)" = 0 ]; then
		HMT_OWN_MOUNT_NS=1 exec unshare -m --propagation private "$0" "$@"
	fi
}
# own_mount TYPE DIR [OPTIONS]: a TYPE filesystem on DIR (made) in $D, or
# a loud skip; unmounted before $D is removed at exit
own_mount() {
	mkdir -p "$2"
	mount -t "$1" ${3:+-o "$3"} none "$2" || skip_all "cannot mount a $1 filesystem"
	trap 'umount "'"$2"'"; rm -rf "$D"' EXIT
}
# pinned_map_id PIN: the id of the BPF map pinned at PIN (bpftool), or nothing
pinned_map_id() { bpftool map show pinned "$1" 2>/dev/null | sed -n 's/^\([0-9]*\): .*/\1/p'; }
# pin_held_by PID PIN: 0 when the BPF map pinned at PIN is one PID holds a
# descriptor of (its fdinfo's map_id): the pin is that live run's, not one
# put there since
pin_held_by() {
	local id
	id=$(pinned_map_id "$2")
	[ -n "$id" ] && grep -qs "^map_id:[[:space:]]*$id\$" /proc/"$1"/fdinfo/*
}
