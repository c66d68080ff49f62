# shellcheck shell=bash
# Helpers for tests/fusefs/*.t: TAP output, a hotmemfs per test in a
# private temp dir, and a private mount namespace for bind mounts over
# /sys/devices/system/memory (never the real one outside it).
set -u

HOTMEM_BUILD=${HOTMEM_BUILD:-$(cd "$(dirname "$0")/../.." && pwd)/build}
HOTMEM_SRC=${HOTMEM_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
REF=${HOTMEM_REFERENCE:-$HOTMEM_SRC/tests/fixtures/reference}
HMFS=$HOTMEM_BUILD/hotmemfs
HMCTL=$HOTMEM_BUILD/hotmemctl
T_N=0
T_FAIL=0
# wait_exit PID SECONDS (SIGKILL after SECONDS), file_wait FILE:
# tests/wait_exit.sh
. "$(dirname "${BASH_SOURCE[0]}")/../wait_exit.sh"
# need_tool TOOL PACKAGE, need_built FILE: tests/need.sh (a skip only for
# what the deps lists do not install)
. "$(dirname "${BASH_SOURCE[0]}")/../need.sh"
# profile_notes PROFILE NOTES: tests/profile_notes.sh
. "$(dirname "${BASH_SOURCE[0]}")/../profile_notes.sh"

# tap_ok COND-EXIT-STATUS NAME: the check NAME, passed when the status is
# 0; returns that too, so that `tap_ok $? NAME || diag ...` says why
tap_ok() {
	T_N=$((T_N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $T_N - $2"
	else
		echo "not ok $T_N - $2"
		T_FAIL=$((T_FAIL + 1))
		return 1
	fi
}
ok() { tap_ok 0 "$1"; }
nok() { tap_ok 1 "$1"; }
is() {	# is GOT WANT NAME
	if [ "$1" == "$2" ]; then
		tap_ok 0 "$3"
	else
		tap_ok 1 "$3"
		echo "#   got:  $(printf %q "$1")"
		echo "#   want: $(printf %q "$2")"
	fi
}
# same_output GOT WANT NAME: is() for two outputs that one failure would
# leave both empty (two commands' or two readings', a capture's): an empty
# side fails
same_output() {
	if [ -z "$1" ] || [ -z "$2" ]; then
		tap_ok 1 "$3"
		echo "#   empty: got ${#1} bytes, want ${#2} bytes (a failed command or read?)"
	else
		is "$@"
	fi
}
# is_like GOT GLOB NAME: is() for a text known up to a part that varies
# (a bash pattern: GLOB's * stands for it); an empty GOT fails
is_like() {
	# shellcheck disable=SC2053 # $2 unquoted: a pattern
	if [ -n "$1" ] && [[ $1 == $2 ]]; then
		tap_ok 0 "$3"
	else
		tap_ok 1 "$3"
		echo "#   got:  $(printf %q "$1")"
		echo "#   like: $2"
	fi
}
diag() { echo "# $*"; }
done_testing() {
	stop_fs
	host_run_hotmemd_untouched
	echo "1..$T_N"
	[ "$T_FAIL" -eq 0 ]
}
skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

# The suite over FUSE over io_uring (HOTMEM_TEST_IO_URING=1) holds fuse's
# host-wide enable_uring at Y for the test's life, shared with the other
# runs that want it and put back by the last one (tests/enable_uring.sh)
if [ -n "${HOTMEM_TEST_IO_URING:-}" ]; then
	. "$(dirname "${BASH_SOURCE[0]}")/../enable_uring.sh"
	enable_uring_hold Y || skip_all "$ENABLE_URING_WHY"
fi

# require_room PROFILE: skip, saying why, where hotmemfs is built with
# ThreadSanitizer (SANITIZE=thread): its shadow memory leaves no room for
# a huge profile's address space (huge-64t: "cannot reserve 70368744177664
# bytes of address space for physical memory"), which would fail every test
require_room() {
	ldd "$HMFS" 2>/dev/null | grep -q libtsan &&
		skip_all "$1 cannot boot under ThreadSanitizer (SANITIZE=thread): its shadow memory leaves no room for the profile's address space"
	return 0
}

# private_mount_ns "$@": as root, the test again in a mount namespace of
# its own (unshare -m --propagation private, HOTMEM_PRIVATE_NS=1 there),
# where what it binds over the host's /sys (nodes.sh fake_cpu_host) never
# reaches the host; anyone else runs on as it is.  Called right after this
# file is sourced: the first run's $TMP goes before the exec.
private_mount_ns() {
	[ -z "${HOTMEM_PRIVATE_NS:-}" ] && [ "$(id -u)" -eq 0 ] || return 0
	need_tool unshare util-linux
	rm -rf "$TMP"
	HOTMEM_PRIVATE_NS=1 exec unshare -m --propagation private "$0" "$@"
}

# Every script needs the same things: root and /dev/fuse (a skip saying
# which), hotmemfs and hotmemctl built (need_built: a failure under make
# check, which builds them)
require_env() {
	[ "$(id -u)" -eq 0 ] || skip_all "needs root (FUSE allow_other, mount namespaces)"
	[ -c /dev/fuse ] || skip_all "no /dev/fuse"
	need_built "$HMFS"
	need_built "$HMCTL"
}

# need_acpi_fixture: what a test against the 6.12 guest's pc-dimm dump
# needs: require_env's, the dump ($FIX) and python3 for acpi_dump.py
# ($DUMP fixture "$FIX" PHASE PATH, $DUMP tree "$MNT" PATH)
need_acpi_fixture() {
	require_env
	FIX=$HOTMEM_SRC/tests/fixtures/acpi-memory/qemu-6.12-pc-dimm.txt
	need_file "$FIX"
	need_tool python3 python3
	DUMP="python3 $HOTMEM_SRC/tests/fusefs/acpi_dump.py"
}

# need_enter: what a test of hotmem-enter needs: require_env's, and
# hotmem-enter ($ENTER) built
need_enter() {
	ENTER=$HOTMEM_BUILD/hotmem-enter
	require_env
	need_built "$ENTER"
}

# need_conform: what a test of hotmem-conform's cells needs: root and
# /dev/fuse (hotmem-enter's machine), hotmem-conform ($CONFORM) and
# hotmem-enter ($ENTER) built
need_conform() {
	CONFORM=$HOTMEM_BUILD/hotmem-conform
	ENTER=$HOTMEM_BUILD/hotmem-enter
	[ "$(id -u)" -eq 0 ] || skip_all "needs root (hotmem-enter)"
	[ -c /dev/fuse ] || skip_all "no /dev/fuse"
	need_built "$CONFORM"
	need_built "$ENTER"
}

# need_conform_fake: what a test of hotmem-conform against a fake
# hotmem-enter (HOTMEM_ENTER: no machine entered; tests/agents/22, 31)
# needs: hotmem-conform ($CONFORM) built, root (hotmem-conform refuses
# otherwise) and jq
need_conform_fake() {
	CONFORM=$HOTMEM_BUILD/hotmem-conform
	need_built "$CONFORM"
	[ "$(id -u)" -eq 0 ] || skip_all "needs root (hotmem-conform refuses otherwise)"
	need_tool jq jq
}
# fake_enter NAME BODY: a hotmem-enter that runs BODY (sh) instead of a
# cell, for HOTMEM_ENTER (need_conform_fake's tests)
fake_enter() {
	printf "#!/bin/sh\n%s\n" "$2" >"$TMP/enter-$1"
	chmod +x "$TMP/enter-$1"
	echo "$TMP/enter-$1"
}

TMP=$(mktemp -d /tmp/hotmemfs-test.XXXXXX)
MNT=$TMP/mnt
CTL=$TMP/ctl.sock
STATE=$TMP/state.json
FS_PID=
mkdir -p "$MNT"

# HMD_CMD: how a test starts hotmemd ("${HMD_CMD[@]}" --sysroot "$MNT" ...,
# also after `ip netns exec NS`): no config file and a state dir in $TMP.
# hotmemd's default state dir is /run/hotmemd, which the test's mount
# namespace (private_mount_ns or none) shares with the host: a hotmemd
# started without --state-dir wrote the host's boot-blocks there, naming
# "sysroot /tmp/hotmemfs-test.*/mnt" (runleak38)
HMD=$HOTMEM_BUILD/hotmemd
HMD_STATE=$TMP/hotmemd.state
HMD_CMD=("$HMD" --config /dev/null --state-dir "$HMD_STATE")

# host_run_hotmemd_untouched, done_testing's check that no hotmemd of
# this test wrote the host's /run/hotmemd: tests/host_run_hotmemd.sh
tap_skip() { T_N=$((T_N + 1)); echo "ok $T_N # SKIP $*"; }
HOST_RUN_HOTMEMD_HINT="use HMD_CMD"
. "$(dirname "${BASH_SOURCE[0]}")/../host_run_hotmemd.sh"

# fs_wait_mounted: hotmemfs mounted, false once it exited; 60 s bound a
# hang only: under load (2 vCPUs, load 10-14) a restart from a state file
# took more than the 10 s once waited here, and a test went on against a
# mount and control socket not there yet (52-virtio-mem-unplug-online.t:
# "nothing listens on ctl.sock", memory256/state missing)
fs_wait_mounted() {
	for _ in $(seq 1200); do
		[ -e "$MNT/sys/devices/system/memory/block_size_bytes" ] && return 0
		if [ -n "$FS_PID" ] && ! kill -0 "$FS_PID" 2>/dev/null; then
			return 1
		fi
		sleep 0.05
	done
	return 1
}

# fs_mount_failed: why start_fs (start_fs_netns) found no mount, where
# plain prove shows it: a test's "#" lines on stdout show under prove -v
# only, and a restart that failed to mount once under load (12's part 4,
# reread26 R6; 114's first mount) left nothing to read.  On stderr (prove
# prints it; under make check the file's .err, whose end
# scripts/failures.sh prints): the end of hotmemfs's log, then whether
# hotmemfs still runs (last, so that the end of .err holds it); the whole
# log kept past $TMP in build/test-logs ($HOTMEM_TEST_LOGS under make
# check) as the test's path with / as %, .hotmemfs.log (test-exec.sh's
# naming).  Returns 1.
fs_mount_failed() {
	local logs=${HOTMEM_TEST_LOGS:-$HOTMEM_BUILD/test-logs} t=${0#"$HOTMEM_SRC"/} kept alive=exited
	t=${t#./}
	kept=$logs/${t//\//%}.hotmemfs.log
	mkdir -p "$logs" 2>/dev/null && cp "$TMP/hotmemfs.log" "$kept" 2>/dev/null ||
		kept="no copy (cp into $logs failed)"
	[ -n "$FS_PID" ] && kill -0 "$FS_PID" 2>/dev/null && alive="still running"
	{
		tail -n 40 "$TMP/hotmemfs.log" 2>/dev/null | sed 's/^/#   /'
		echo "# hotmemfs did not mount $MNT (pid ${FS_PID:-none}, $alive): its log's end above, all of it in $kept"
	} >&2
	return 1
}

# start_fs [hotmemfs options...]: mount on $MNT; fails the test if it can't.
# HOTMEM_TEST_IO_URING=1: every one with --io-uring (the suite over FUSE
# over io_uring; fuse.enable_uring is held Y for the test through
# tests/enable_uring.sh, shared with other runs and put back at the end)
start_fs() {
	"$HMFS" ${HOTMEM_TEST_IO_URING:+--io-uring} --control "$CTL" --state "$STATE" "$@" "$MNT" \
		2>>"$TMP/hotmemfs.log" &
	FS_PID=$!
	fs_wait_mounted || fs_mount_failed
}

# mount_fs NAME [hotmemfs options...]: start_fs, the check NAME, and the
# end of the test (failed) unless $MNT is then a hotmemfs mount: nothing
# after it writes through a path that is not ours
mount_fs() {
	local name=$1
	shift
	start_fs "$@"
	tap_ok $? "$name"
	findmnt -t fuse.hotmemfs "$MNT" >/dev/null && return 0
	nok "$MNT is not a hotmemfs mount"
	done_testing
	exit 1
}

# mount_numa2_probe NAME [PROFILE-NAME]: mount_fs on the numa2 profile
# (nodes 0-1 with memory, 4 possible) with probe, new memory left offline
# (memhp_default_state=offline), the uevents on the Unix socket $USOCK
# (uevents_start reads them); the check NAME
mount_numa2_probe() {
	USOCK=$TMP/uevent.sock
	printf 'profile = numa2\nname = %s\nprobe = yes\n' "${2:-numa2-probe}" >"$TMP/p.profile"
	mount_fs "$1" --fresh --profile "$TMP/p.profile" --cmdline memhp_default_state=offline \
		--uevent-socket "$USOCK"
}

# uevents_start [SECONDS]: every uevent on $USOCK into $TMP/ue.txt
# ("ACTION DEVPATH SUBSYSTEM ..."), as they come, until uevents_stop (UE:
# the listener's pid); SECONDS (60) bound a hang only
uevents_start() {
	: >"$TMP/ue.txt"
	python3 "$HOTMEM_SRC/tests/fusefs/uevent_listen.py" unix "$USOCK" "${1:-60}" \
		>"$TMP/ue.txt" 2>"$TMP/ue.err" &
	UE=$!
	timeout 60 bash -c 'until grep -q ready "$1" 2>/dev/null; do sleep 0.05; done' - "$TMP/ue.err"
}

# uevents_stop: after a settle (every uevent queued is sent) the listener ends
uevents_stop() {
	ctl settle --timeout 60 >/dev/null
	kill -USR1 "$UE"
	wait_exit "$UE" 60
}

# lsan_unable: LeakSanitizer's fatal errors in hotmemfs's log said so far
# (stop_fs): one under ptrace -- a hotmemfs run under strace (tests/fusefs/
# 47, 120) or gdb -- means its exit checked no leak, which a run under
# make check SANITIZE=address passed silently: each new one is a skipped
# check, listed with its reason at the end of make check (scripts/skips.sh)
_lsan_said=0
lsan_unable() {
	local n why
	n=$(grep -c 'LeakSanitizer has encountered a fatal error' "$TMP/hotmemfs.log" 2>/dev/null)
	[ "${n:-0}" -gt "$_lsan_said" ] || return 0
	_lsan_said=$n
	why=$(grep -m1 -o 'LeakSanitizer does not work under [^)]*)' "$TMP/hotmemfs.log") ||
		why="LeakSanitizer has encountered a fatal error"
	ok "hotmemfs exited without leak reports # SKIP leaks not checked in this run: $why"
}

stop_fs() {
	[ -n "$FS_PID" ] || return 0
	umount "$MNT" 2>>"$TMP/umount.log" || fusermount3 -u "$MNT" 2>>"$TMP/umount.log"
	for _ in $(seq 100); do
		kill -0 "$FS_PID" 2>/dev/null || break
		sleep 0.05
	done
	kill "$FS_PID" 2>/dev/null
	wait_exit "$FS_PID" 30 2>/dev/null
	FS_PID=
	# under make check SANITIZE=...: any report fails the test
	if grep -qE '(ERROR|WARNING): (Address|Leak|Thread)Sanitizer|runtime error:' "$TMP/hotmemfs.log" 2>/dev/null; then
		nok "hotmemfs exited without sanitizer reports"
		grep -m1 -A12 -E '(ERROR|WARNING): [A-Za-z]+Sanitizer|ERROR: |runtime error:' "$TMP/hotmemfs.log" | sed 's/^/#   /'
		: >"$TMP/hotmemfs.log"
		_lsan_said=0
	fi
	lsan_unable
}

# stop_notifier_leaving: 0 once hotmemfs's status says its stop told the
# notifier to leave the kernel (status "stop": the stopper does so while
# the session loop still answers); 1 if not within 60 s
stop_notifier_leaving() {
	for _ in $(seq 1200); do
		"$HMCTL" -s "$CTL" status --json 2>/dev/null | grep -q '"notifier-leaving": *true' &&
			return 0
		sleep 0.05
	done
	return 1
}

# wait_gone PID SECONDS: 0 once PID has exited, 1 if it is still there
wait_gone() { timeout "$2" tail -s 0.05 --pid="$1" -f /dev/null; }

# start_refused NAME WANT-RC WANT-IN-MESSAGE hotmemfs-args...: hotmemfs
# --netns none with the args (MOUNTPOINT among them) exits WANT-RC without
# mounting $MNT, its message (kept in $TMP/out) matching WANT-IN-MESSAGE
# (grep -E).  A start that mounts fails the check and is stopped; one that
# hangs is killed (fs_wait_mounted's 60 s, wait_exit's 30 s): rc 137.
start_refused() {
	local name=$1 want=$2 msg=$3 rc
	shift 3
	"$HMFS" --netns none "$@" >"$TMP/out" 2>&1 &
	FS_PID=$!
	if fs_wait_mounted; then
		stop_fs
		nok "$name: refused (it mounted)"
		return 1
	fi
	wait_exit "$FS_PID" 30
	rc=$?
	FS_PID=
	is "$rc" "$want" "$name: refused, exit $want"
	grep -qE -- "$msg" "$TMP/out"
	tap_ok $? "$name: says why: $(head -c 300 "$TMP/out" | tr '\n' '|')"
}

# last_record PYTHON: the journal's last record rewritten by PYTHON (on
# bytes `line`, "CRC32 JSON" without its newline; `fix(text)` makes a
# whole line, newline ended, with a right CRC32 of its JSON text), the
# zeros after it kept (tests/fusefs/273, 315)
last_record() {
	python3 - "$STATE.journal" "$1" <<'PY'
import json, sys, zlib
path, code = sys.argv[1], sys.argv[2]
data = open(path, "rb").read()
end = data.index(b"\0") if b"\0" in data else len(data)
start = data.rindex(b"\n", 0, end - 1) + 1
line = data[start:end - 1]
def fix(text):
    return b"%08x " % (zlib.crc32(text) & 0xffffffff) + text + b"\n"
new = eval(code)
open(path, "wb").write(data[:start] + new + b"\0" * (len(data) - start - len(new)))
PY
}

# journal_last_kept GREP-RE NAME: after a kill, the journal's last record
# matches GREP-RE (one TAP line, NAME), and the state file and journal are
# kept for journal_put_back to put back as they were (tests/fusefs/273, 315)
journal_last_kept() {
	tr '\0' '\n' <"$STATE.journal" | grep -v '^$' | tail -1 | grep -q "$1"
	tap_ok $? "$2"
	cp "$STATE" "$TMP/good.state" && cp "$STATE.journal" "$TMP/good.journal"
}
journal_put_back() { cp "$TMP/good.state" "$STATE" && cp "$TMP/good.journal" "$STATE.journal"; }
# last_record_refused NAME FROM TO: the kept journal put back, its last
# record rewritten whole and checksummed with the text FROM (no single
# quote) replaced by TO, and the start refused as for damage (EX_CONFIG,
# 78), naming it: two TAP lines (tests/fusefs/273, 315)
last_record_refused() {
	journal_put_back
	last_record "fix(line[9:].replace(b'$2', b'$3'))"
	start_refused "$1" 78 "does not fit the machine before it" --control "$CTL" --state "$STATE" "$MNT"
}
# memmap_counts: the mount's /proc/vmstat nr_memmap_pages and
# nr_memmap_boot_pages, "N M" (HugeTLB's vmemmap optimisation moves them:
# tests/fusefs/409, 412, 413)
memmap_counts() {
	awk '$1 == "nr_memmap_pages" { p = $2 } $1 == "nr_memmap_boot_pages" { b = $2 }
	     END { print p, b }' "$MNT/proc/vmstat"
}
# HP: the 2 MiB hstate's sysfs directory; w PATH VALUE: one write() of
# VALUE into PATH, "ret=N" or its errno's name (sysw.py; tests/fusefs/286,
# 310-314)
HP=$MNT/sys/kernel/mm/hugepages/hugepages-2048kB
w() { python3 "$HOTMEM_SRC/tests/fusefs/sysw.py" w "$1" "$2"; }
# pw FILE OFFSET TEXT: one pwrite(2) of TEXT at OFFSET: "ret=N" or the errno's name
pw() { python3 "$HOTMEM_SRC/tests/fusefs/sysw.py" pw "$1" "$2" "$3"; }
# splice_readers: SP (tests/fusefs/splice_read.py) and readers, the ways a
# copy goes through a file's splice_read -- busybox cat (sendfile) when it
# is there, sendfile(2), splice(2) -- for checks against "$SP read"
# (tests/fusefs/346, 347, 420, 421)
splice_readers() {
	SP="python3 $HOTMEM_SRC/tests/fusefs/splice_read.py"
	readers=("$SP sendfile" "$SP splice")
	if have_tool busybox busybox-static "busybox cat (sendfile) is there"; then
		readers=("busybox cat" "${readers[@]}")
	fi
}
# splice_size_restores: how many splice sizes an OPEN put back (hotmemctl
# status's fuse splice-size-restores; tests/fusefs/346, 347, 450)
splice_size_restores() {
	ctl status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["fuse"]["splice-size-restores"])'
}
# splice_shares_cache: true when this host's FUSE splices a direct-io file
# through the page cache, one page cache all openers share: a sysfs
# attribute's splice is a short page-cache READ there, which the next
# open puts right (splice_size_restores grows; 346); elsewhere every
# splice is a READ of the opener's own (splice_readers first; tests/fusefs/
# 347, 450)
splice_shares_cache() {
	local b=$MNT/sys/devices/system/memory/block_size_bytes r0
	r0=$(splice_size_restores)
	$SP splice "$b" >/dev/null && $SP read "$b" >/dev/null &&
		[ "$(splice_size_restores)" -gt "$r0" ]
}
# splice_same FILE WANT NAME: every reader's copy of FILE (splice_readers)
# is WANT, both as od -An -c shows them (tests/fusefs/420, 421)
splice_same() {
	local r
	for r in "${readers[@]}"; do
		same_output "$($r "$1" | od -An -c)" "$2" "${r##*/} $3"
	done
}
# ulong_sysctl_refusals FILE NAME: proc_doulongvec_minmax()'s EINVAL for
# abc, -1 (no sign), nothing, 4x and 2^66 (strtoul_lenient()'s overflow)
# written to FILE: five TAP lines (tests/fusefs/111, 406)
ulong_sysctl_refusals() {
	local v
	for v in abc -1 '\n' 4x 99999999999999999999; do
		is "$(w "$1" "$v")" EINVAL "$2 <- ${v/\\n/nothing}: EINVAL (proc_doulongvec_minmax())"
	done
}

# state_dir [NAME]: $STATE as $TMP/sd/NAME (st), in a directory of its
# own; asides: how many of --fresh's asides (*fresh-aside*) are there
# (tests/fusefs/282, 302, 304, 305, 307)
state_dir() {
	STATE=$TMP/sd/${1:-st}
	mkdir -p "$TMP/sd"
}
asides() { ls -A "$TMP/sd" | grep -c 'fresh-aside'; }

# need_sync_shim: $SHIM, tests/reliability's sync_shim.so, built (a skip
# or failure as need_built says), preloadable into an ASan hotmemfs
need_sync_shim() {
	SHIM=$HOTMEM_BUILD/tests/reliability/sync_shim.so
	need_built "$SHIM"
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
}

# anon_1_deleted: a machine on $STATE (--fresh), two DIMMs without an id
# (device[0] and device[1], anon-count 2 journaled) and device[1]
# deleted: three TAP lines (tests/fusefs/184, 392)
anon_1_deleted() {
	local a=/machine/peripheral-anon/device
	mount_fs "hotmemfs mounts (a private state file)" --fresh
	ctl device_add pc-dimm size=128M >/dev/null && ctl device_add pc-dimm size=128M >/dev/null
	tap_ok $? "two DIMMs without an id: ${a}[0] and ${a}[1]"
	ctl device_del "${a}[1]" >/dev/null
	tap_ok $? "device_del ${a}[1]"
}

# d1_journaled_killed: a machine on $STATE (--fresh), a DIMM d1 added whose
# record is in the journal only, then kill -9: two TAP lines
d1_journaled_killed() {
	mount_fs "hotmemfs mounts a machine" --fresh
	ctl device_add pc-dimm id=d1 size=128M >/dev/null && grep -q '"d1"' "$STATE.journal"
	tap_ok $? "... a device added, its record in the journal"
	kill9_fs
}

# start_unbindable NAME ARGS...: hotmemfs with ARGS (-S, the mountpoint)
# and a control socket that cannot be bound (its directory a regular
# file): refused at the bind, after the mount and before the first save;
# its output in $TMP/out
start_unbindable() {
	local name=$1 rc
	shift
	: >"$TMP/notdir"
	"$HMFS" --netns none "$@" -s "$TMP/notdir/c.sock" >"$TMP/out" 2>&1
	rc=$?
	mountpoint -q "$MNT" && umount -l "$MNT"
	tap_ok $((rc == 0)) "$name: refused (exit $rc): $(grep -m1 'control socket' "$TMP/out")"
}

# dir_listing DIR: DIR's files, one a line, with their sizes and
# checksums ("none": no DIR) -- a start that fails leaves them as they were
dir_listing() {
	local f
	[ -d "$1" ] || { echo none; return; }
	for f in $(ls -A "$1"); do
		echo "$f $(stat -c %s "$1/$f") $(md5sum <"$1/$f")"
	done
}

# nr_iattr: the running hotmemfs's ($FS_PID) count of kept modes, owners
# and xattrs (ctx->nr_iattr), read with gdb from the notifier thread's
# context; "no-ctx" when gdb cannot attach or find it.  A forgotten entry
# belongs to an inode number nobody can reach, so only this count shows it.
nr_iattr() {
	local ctx
	ctx=$(timeout 60 gdb -batch -p "$FS_PID" -ex 'thread apply all bt' 2>/dev/null |
		sed -n 's/.* notifier_main (arg=\(0x[0-9a-f]*\)).*/\1/p')
	[ -n "$ctx" ] || { echo "no-ctx"; return; }
	timeout 60 gdb -batch -p "$FS_PID" -ex "print ((struct hmfs_ctx *)$ctx)->nr_iattr" 2>/dev/null |
		sed -n 's/^\$1 = //p'
}
# nr_iattr_start: N0, the count before the test's changes; where gdb cannot
# read it, the test is skipped saying why (call it before any check)
nr_iattr_start() {
	N0=$(nr_iattr)
	case $N0 in
	''|no-ctx|*[!0-9]*) stop_fs; skip_all "gdb cannot read hotmemfs's context ($N0): ptrace_scope, or no debug info" ;;
	esac
}

# fs_thread_in FUNCTION SECONDS: 0 once a thread of the running hotmemfs
# ($FS_PID) is inside FUNCTION (gdb's backtraces of its threads): a control
# command under way there (cmd_device_add), whether it waits or runs --
# a positive sign it reached hotmemfs, where a fixed wait guesses; 1 if
# none within SECONDS, 2 where gdb cannot read hotmemfs's threads
# (ptrace_scope, no symbols: say so and skip)
fs_thread_in() {
	local bt end=$((SECONDS + $2))
	while :; do
		bt=$(timeout 60 gdb -batch -p "$FS_PID" -ex 'thread apply all bt' 2>/dev/null)
		[[ $bt == *"Thread "* ]] || return 2
		[[ $bt == *" $1 ("* ]] && return 0
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.05
	done
}

# in_fuse_write PID: 0 once PID waits in its write(2)'s FUSE request for
# hotmemfs's reply (its kernel stack: fuse and vfs_write; not its open's),
# 1 after 20 s; in_fuse_read PID: the same for its read(2) (vfs_read)
in_fuse_write() { in_fuse_call "$1" vfs_write; }
in_fuse_read() { in_fuse_call "$1" vfs_read; }
in_fuse_call() {
	local stack
	for _ in $(seq 400); do
		stack=$(cat "/proc/$1/stack" 2>/dev/null)
		[[ $stack == *fuse* && $stack == *"$2"* ]] && return 0
		sleep 0.05
	done
	return 1
}

# held_stack: the functions the thread thread_hold.so holds is in, the
# innermost first, inlined ones too ($TMP/hold.where, which the shim
# writes before $TMP/hold.held: hotmemfs's frames, addr2line -i; a return
# address less one is inside its call); held_tid: that thread's id.  A
# test checks its hold landed where it means, not at an earlier lock of
# the same thread (tests/fusefs/267, 268; the test needs addr2line).
held_stack() {
	local off
	sed -n 's/.*hotmemfs(+\(0x[0-9a-f]*\)).*/\1/p' "$TMP/hold.where" |
		while read -r off; do printf '%x\n' $((off - 1)); done |
		addr2line -f -i -e "$HMFS" | sed -n 'p;n'
}
held_tid() { sed -n 's/^tid //p' "$TMP/hold.where"; }
# held_in FUNC...: the held thread's stack has every FUNC, else it says
# where it is held (diag) and fails
held_in() {
	local stack f
	stack=$(held_stack)
	for f; do
		grep -qx "$f" <<<"$stack" || { diag "held in: $(tr '\n' ' ' <<<"$stack")"; return 1; }
	done
}

# in_background NAME CMD...: CMD runs in the background, its stdout in
# $TMP/NAME.out, stderr in $TMP/NAME.err, its exit status in $TMP/NAME.rc
# once it ends (BG: its job).  For a request that may wait in the kernel
# uninterruptibly (a FUSE request once sent: neither `timeout` nor a kill
# ends it): answered_within says whether it ended, the test then lets
# go of what held it, and the job returns -- the test fails, not hangs.
in_background() {
	local name=$1
	shift
	rm -f "$TMP/$name.rc"
	( "$@" >"$TMP/$name.out" 2>"$TMP/$name.err"; echo $? >"$TMP/$name.rc" ) &
	BG=$!
}

# answered_within NAME SECONDS [STATUS]: 0 once in_background NAME's
# command ended with STATUS (0), 1 if it ended otherwise or not within
# SECONDS (a bound for a failure, not a speed: its answer needs no wait)
answered_within() {
	for _ in $(seq $(($2 * 20))); do
		[ -s "$TMP/$1.rc" ] && break
		sleep 0.05
	done
	[ "$(cat "$TMP/$1.rc" 2>/dev/null)" = "${3:-0}" ]
}

# clients: the control clients hotmemfs counts (`status --json`, its own
# one among them); clients_settled N: that count once it is N (hotmemfs
# saw clients that gave up go), or what it is after 20 s (a bound for a
# failure, not a speed: tests/fusefs/77, 287)
clients() {
	"$HMCTL" -s "$CTL" -t 10 --json status 2>/dev/null |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["control"]["clients"])'
}
clients_settled() {
	local n
	for _ in $(seq 400); do
		n=$(clients)
		[ "$n" = "$1" ] && break
		sleep 0.05
	done
	echo "$n"
}

# mount_driver_hold: hotmemfs mounted (--fresh --state none) with
# thread_hold.so (the test's want_wrapping_shim thread_hold) holding the
# thread named hotmemfs-driver -- a FUSE worker running the drivers' work
# after an online, machine.c driver_apply(), or a control thread running
# a qom-set's, dev.c vmem_run_qom_set() -- at its first
# pthread_rwlock_wrlock() while $TMP/hold exists, with the options given
# (none: --fresh --state none): one TAP line (tests/fusefs/250, 268, 318,
# 335)
mount_driver_hold() {
	[ $# -gt 0 ] || set -- --fresh --state none
	HOTMEM_TEST_THREAD_HOLD=$TMP/hold HOTMEM_TEST_THREAD_HOLD_NAME=hotmemfs-driver \
		HOTMEM_TEST_THREAD_HOLD_WRLOCK=1 LD_PRELOAD="$(preloads "$TMP/thread_hold.so")" \
		mount_fs "hotmemfs mounts (thread_hold.so)" "$@"
}
# vm0_shrink_busy: a virtio-mem vm0 with 256M plugged (memory32-33, offline),
# memory33 online movable with 100 pinned pages, and its shrink to 0 the
# device answered BUSY: still 256M plugged, above its requested-size:
# three TAP lines (vm0_driver_unplug_held, tests/fusefs/336)
vm0_shrink_busy() {
	ctl device_add virtio-mem-pci id=vm0 size=1G requested-size=256M >/dev/null
	tap_ok $? "a virtio-mem vm0, 256M plugged (memory32-33, offline)"
	echo online_movable >"$MNT/sys/devices/system/memory/memory33/state" &&
		ctl alloc movable 20000 >/dev/null && ctl alloc pinned 100 >/dev/null
	tap_ok $? "memory33 online movable, movable pages and 100 pinned ones in it (memory33 stuck)"
	ctl vmem-inject vm0 unplug BUSY >/dev/null && ctl set-size vm0 0 >/dev/null 2>&1
	is "$(ctl qom-get vm0 size 2>&1)" 268435456 "set-size vm0 0, the device answers the unplug BUSY: still 256M plugged"
}
# vm0_driver_unplug_held: mount_driver_hold, a virtio-mem vm0 with 256M
# plugged (memory32-33) whose shrink to 0 the device answered BUSY,
# memory33 online movable with 100 pinned pages, /proc/iomem then in
# IOMEM_BEFORE, and memory32's online (in_background online), whose
# MEM_ONLINE queues the driver's unplug, its work held at its first write
# lock under device_hotplug_lock until $TMP/hold goes; hotmemfs's options
# mount_driver_hold's: seven TAP lines (tests/fusefs/268, 333-335)
vm0_driver_unplug_held() {
	local m=$MNT/sys/devices/system/memory
	mount_driver_hold "$@"
	vm0_shrink_busy
	IOMEM_BEFORE=$(cat "$MNT/proc/iomem")
	grep -q "virtio0" <<<"$IOMEM_BEFORE"
	tap_ok $? "/proc/iomem before: vm0's region"
	: >"$TMP/hold"
	in_background online sh -c "echo online_movable >'$m/memory32/state'"
	file_wait "$TMP/hold.held"
	tap_ok $? "online_movable memory32: the drivers' work after it is held at its first write lock (thread_hold.so)"
	held_in driver_apply virtio_mem_run_locked
	tap_ok $? "... held in the drivers' work (driver_apply()), under device_hotplug_lock (virtio_mem_run_locked())"
}
# hotmemfs with the sysfs probe interface ($TMP/probe.profile; the rest of
# the arguments mount_fs's, e.g. --state none) and a virtio-mem device $1
# of 512M at 0x100000000 with nothing requested, for a guest to probe
# blocks into its region (tests/fusefs/295, 316, 317): two TAP lines
mount_probe_vmem() {
	local id=$1
	shift
	printf 'profile = default\nname = probe-vmem\nprobe = yes\n' >"$TMP/probe.profile"
	mount_fs "hotmemfs mounts (the probe interface${*:+: $*})" --profile "$TMP/probe.profile" --fresh "$@"
	ctl device_add virtio-mem-pci size=512M id="$id" >/dev/null
	tap_ok $? "a virtio-mem device at 0x100000000, nothing requested: no block of its own"
}

# vmem_offline_loops WHY [HOTMEMFS-OPTIONS...]: hotmemfs mounted with the
# options (none: --fresh --state none, no state file; "hotmemfs mounts
# WHY"), a virtio-mem vm0 of 1G, 256M plugged (memory32-33) and online
# movable, 40000 movable pages and 100 pinned ones after them, and a
# guest's `echo offline > memory33/state` looping on them, no timeout
# (OFF: its job; `ctl free-all` lets it end): four TAP lines.  looping: 0
# while that offline still loops (tests/fusefs/230, 233, 243, 272-274:
# duplicates D1)
vmem_offline_loops() {
	local why=$1
	shift
	[ $# -gt 0 ] || set -- --fresh --state none
	start_fs "$@"
	tap_ok $? "hotmemfs mounts $why"
	ctl device_add virtio-mem-pci id=vm0 size=1G requested-size=256M >/dev/null
	tap_ok $? "a virtio-mem vm0, 256M plugged (memory32-33)"
	memory33_offline_loops
}
# memory33_pinned: vm0's memory32-33 online movable, 40000 movable pages
# and 100 pinned ones after them, so that an offline of memory33 loops (a
# shrink stops short of them): one TAP line
# (tests/reliability/state-pre-behind-offline.t, tests/fusefs/250)
memory33_pinned() {
	local m=$MNT/sys/devices/system/memory
	for b in 32 33; do echo online_movable >"$m/memory$b/state"; done
	ctl alloc movable 40000 >/dev/null && ctl alloc pinned 100 >/dev/null
	tap_ok $? "movable pages in memory32-33, 100 pinned ones after them (memory33 stuck)"
}
# d1_vm0_stuck: a DIMM d1 of 512M (memory32-35) online movable and a
# virtio-mem vm0 with 256M plugged, 40000 movable pages in memory32-33
# and 100 pinned ones after them, so that d1's eject keeps at memory33:
# two TAP lines (tests/fusefs/154, 332)
d1_vm0_stuck() {
	local m=$MNT/sys/devices/system/memory
	ctl device_add pc-dimm id=d1 size=512M addr=0x100000000 >/dev/null &&
		ctl device_add virtio-mem-pci id=vm0 size=1G requested-size=256M >/dev/null
	tap_ok $? "a DIMM d1 (memory32-35) and a virtio-mem vm0 with 256M plugged"
	for b in 32 33 34 35; do echo online_movable >"$m/memory$b/state"; done
	ctl alloc movable 40000 >/dev/null && ctl alloc pinned 100 >/dev/null
	tap_ok $? "movable pages in memory32-33, 100 pinned ones after them (memory33 stuck)"
}
# memory33_offline_loops: memory33_pinned, and the guest's offline of
# memory33 looping on them (OFF): two TAP lines
memory33_offline_loops() {
	local m=$MNT/sys/devices/system/memory
	memory33_pinned
	(echo offline >"$m/memory33/state") 2>"$TMP/off.err" &
	OFF=$!
	block_state_wait 33 going-offline
	tap_ok $? "the guest's offline of memory33 loops (going-offline), no timeout"
}
# want_wrapping_shim NAME: tests/reliability/NAME.c built into
# $TMP/NAME.so for a sanitized hotmemfs too, a shim of calls a sanitizer
# wraps but never replaces (thread_clock, thread_hold: no malloc()),
# preloaded after the sanitizer's runtime (SAN_RUNTIME; preloads): ASan
# starts only so ("ASan runtime does not come first"), and its
# interceptors stay the first a call meets, forwarding to the shim
# (REAL(): dlsym(RTLD_NEXT)), whose own forward reaches libc: the
# sanitizer sees every call as before.  Until flake29 a sanitized
# hotmemfs took no shim: 154 and 332 raced the eject's 40 s bound there
# (reread27 R8), mount_driver_hold's tests skipped
want_wrapping_shim() {
	build_preload_shim "$1"
	SAN_RUNTIME=$(sanitizer_runtime "$HMFS")
}
# preloads SHIM...: LD_PRELOAD's value for hotmemfs with SHIM..., the
# sanitizer's runtime first (want_wrapping_shim)
preloads() { echo "${SAN_RUNTIME:+$SAN_RUNTIME }$*"; }
# want_off_clock: tests/reliability/thread_clock.c built for off_clock
want_off_clock() { want_wrapping_shim thread_clock; }
# off_clock NAME COMMAND...: COMMAND (a start_fs, a mount_fs) with
# hotmemfs's thread NAME off the clock (want_off_clock first; LD_PRELOAD's
# other shims kept): its timers and deadlines end only when the test
# makes them (hotmemfs-vmem: the retry timers, by hotmemctl vmem-retry;
# hotmemfs-eject: a DIMM's 40 s eject bound, by freeing the pages).
# tests/fusefs/52, 117, 140, 154, 328, 332,
# reliability/state-qom-set-queued-undo-retry.t
off_clock() {
	local name=$1
	shift
	HOTMEM_TEST_OFF_CLOCK=$name \
		LD_PRELOAD="$(preloads ${LD_PRELOAD:+"$LD_PRELOAD"} "$TMP/thread_clock.so")" "$@"
}
# require_preload_shim NAME: tests/reliability/NAME.c, an LD_PRELOAD shim
# of hotmemfs's libc calls (alloc_shim: an allocation fails; thread_hold:
# a named thread held at a mutex or rwlock), built into $TMP/NAME.so: a skip for
# a sanitized hotmemfs (the sanitizer's own calls would be bypassed) or,
# by hand, without a compiler; a failure under make check
require_preload_shim() { need_preload_shim "$1" "$HMFS"; }
# qmp_del ID: QEMU's device_del of ID (no "wait"), its reply on stdout;
# dev_listed ID: 0 while query-memory-devices lists ID (tests/fusefs/249, 251, 252)
qmp_del() { "$HMCTL" -s "$CTL" raw "{\"execute\":\"device_del\",\"arguments\":{\"id\":\"$1\"}}"; }
dev_listed() { ctl -j query-memory-devices | grep -q "\"$1\""; }
# qmp_vmem_add ID SIZE REQUESTED: QEMU's device_add of a virtio-mem-pci ID
# (sizes in bytes), its reply on stdout; vmem_plugged ID: its plugged-size
# as query-memory-devices says it ("not listed" without it)
# (tests/fusefs/254, 272, 273)
qmp_vmem_add() {
	"$HMCTL" -s "$CTL" raw "{\"execute\":\"device_add\",\"arguments\":{\"driver\":\"virtio-mem-pci\",\"id\":\"$1\",\"size\":$2,\"requested-size\":$3}}"
}
vmem_plugged() {
	ctl -j query-memory-devices |
		python3 -c 'import json,sys; print(next((d["data"]["size"] for d in json.load(sys.stdin) if d["data"].get("id") == sys.argv[1]), "not listed"))' "$1"
}
# qmp_qom_set ID BYTES: QEMU's qom-set of virtio-mem ID's requested-size,
# its reply on stdout; vmem_requested ID: its requested-size as
# query-memory-devices says it, the host's ("not listed" without it)
# (tests/reliability/state-qom-set-*.t)
qmp_qom_set() {
	"$HMCTL" -s "$CTL" raw "{\"execute\":\"qom-set\",\"arguments\":{\"path\":\"$1\",\"property\":\"requested-size\",\"value\":$2}}"
}
vmem_requested() {
	ctl -j query-memory-devices |
		python3 -c 'import json,sys; print(next((d["data"]["requested-size"] for d in json.load(sys.stdin) if d["data"].get("id") == sys.argv[1]), "not listed"))' "$1"
}
# vm1_add_while_looping: QMP device_add of a virtio-mem-pci vm1 of 1G,
# requested-size 128M, answered {} while the offline of
# memory33_offline_loops still loops: three TAP lines (tests/fusefs/254, 272)
vm1_add_while_looping() {
	in_background add1 qmp_vmem_add vm1 1073741824 134217728
	answered_within add1 30
	tap_ok $? "QMP device_add virtio-mem-pci vm1 answers"
	is "$(cat "$TMP/add1.out")" '{"return":{}}' "... {}"
	looping
	tap_ok $? "... while the offline still loops"
}
# qemu_record_sync_fails KIND ID NAME COMMAND...: hotmemfs mounted with a
# state file whose fdatasync()s fail (sync_shim.so) while $TMP/fail exists,
# memory33_offline_loops, then COMMAND (a QMP command answered behind that
# offline) run as in_background NAME until its KIND record of ID
# ("qemu-device", "qemu-requested") is in the journal, the pins freed and
# the offline's end waited for; $TMP/fail is still there, NAME's answer
# the caller's: five TAP lines (tests/fusefs/276, 353,
# tests/reliability/state-qom-set-queued-sync-fails.t)
qemu_record_sync_fails() {
	local kind=$1 id=$2
	shift 2
	want_wrapping_shim sync_shim
	export HOTMEM_TEST_SYNC_FAIL=$TMP/fail
	LD_PRELOAD="$(preloads "$TMP/sync_shim.so")" vmem_offline_loops "(a state file, sync_shim.so)" --fresh
	: >"$TMP/fail"
	in_background "$@"
	# its record written (its fdatasync() fails next), before the offline ends
	says_within 20 1 sh -c 'tr "\0" "\n" <"$1" | grep -c "\"$2\":{\"id\":\"$3\""' - \
		"$STATE.journal" "$kind" "$id"
	tap_ok $? "$id's $kind record is written while the offline loops"
	ctl free-all >/dev/null
	wait "$OFF"
}
# qmp_dimm_add ID BYTES: QEMU's device_add of a pc-dimm ID, its reply on
# stdout; d2_add_while_looping: QMP device_add of a pc-dimm d2 of 256M
# answered {} while the offline of memory33_offline_loops still loops:
# three TAP lines (tests/fusefs/200, 354-356)
qmp_dimm_add() {
	"$HMCTL" -s "$CTL" raw "{\"execute\":\"device_add\",\"arguments\":{\"driver\":\"pc-dimm\",\"id\":\"$1\",\"size\":$2}}"
}
d2_add_while_looping() {
	in_background add qmp_dimm_add d2 268435456
	answered_within add 30
	tap_ok $? "QMP device_add pc-dimm d2 answers"
	is "$(cat "$TMP/add.out")" '{"return":{}}' "... {}"
	looping
	tap_ok $? "... while the offline still loops"
}
# ---- pc-dimm placement against tests/fixtures/dimm-placement (416, 417) ----
# dimm_fixture ARGS: tests/fusefs/dimm_fixture.py; dimm_place_ours WHAT:
# hotmemfs's side of what dimm_fixture WHAT FIXTURE STEP prints of a
# capture (qmd, ospm, guest, log: the kernel's lines of the refusal, new
# since the last call, or all); dimm_place_step FIXTURE STEP: the capture's step
# (add:ID:MiB, del:ID) done here, four TAP lines compare it.
# DIMM_PLACE_LOST: the DIMM slots whose last _OST a restart lost (the
# state file does not keep it, docs/hotmemctl.md: 0 and 0 until the
# next); each step's slot leaves the list
DIMM_PLACE_LOST=
dimm_place_slot() { dimm_place_ours qmd | awk -v id="$1" '$1 == id { sub("slot=", "", $2); print $2 }'; }
dimm_place_ospm_want() {
	local s lost=()
	for s in $DIMM_PLACE_LOST; do lost+=(-e "s/^slot=$s \([^ ]*\) .*/slot=$s \1 source=0 status=0/"); done
	dimm_fixture ospm "$1" "$2" | if [ ${#lost[@]} -gt 0 ]; then sed "${lost[@]}"; else cat; fi
}
dimm_fixture() { python3 "$HOTMEM_SRC/tests/fusefs/dimm_fixture.py" "$@"; }
dimm_place_ours() {
	local a log
	case $1 in
	qmd) ctl -j query-memory-devices | dimm_fixture qmd - ;;
	ospm) ctl -j raw '{"execute":"query-acpi-ospm-status"}' | dimm_fixture ospm - ;;
	guest)
		echo "blocks $(ls -d "$MNT"/sys/devices/system/memory/memory* | sed 's,.*/memory,,' |
			sort -n | tr '\n' ' ' | sed 's/ $//')"
		grep -E '^ *[0-9a-f]{9,}-.* : System RAM$' "$MNT/proc/iomem" | sed 's/^ */iomem /'
		for a in "$MNT"/sys/bus/acpi/devices/PNP0C80:*; do
			echo "${a##*/} status=$(cat "$a/status") physical_node=$(ls "$a" | grep -c physical_node)"
		done ;;
	log)
		touch "$TMP/dimm-place.log"
		ctl dmesg >"$TMP/dimm-place.log.now"
		dimm_fixture newlog "$TMP/dimm-place.log" <"$TMP/dimm-place.log.now" |
			sed 's/^<[0-7]>//' | dimm_place_refusal
		mv "$TMP/dimm-place.log.now" "$TMP/dimm-place.log" ;;
	esac
}
# the lines of an ACPI DIMM's refused add, of all a guest logs
dimm_place_refusal() { grep 'unaligned hotplug range\|PNP0C80'; }
dimm_place_step() {
	local fix=$1 step=$2 op id mib out rc slot
	IFS=: read -r op id mib <<<"$step"
	if [ "$op" = add ]; then
		out=$(ctl device_add pc-dimm size="${mib}M" id="$id" 2>&1)
		rc=$?
		# plugged, the guest refusing it as not in whole blocks: the capture's too
		[ $rc = 3 ] && grep -q "refused by the guest (EINVAL)" <<<"$out" && rc=0
		slot=$(dimm_place_slot "$id")
	else
		slot=$(dimm_place_slot "$id")
		out=$(ctl device_del "$id" 2>&1)
		rc=$?
	fi
	tap_ok $rc "$step: ${out%%;*}" || diag "$out"
	DIMM_PLACE_LOST=$(tr ' ' '\n' <<<"$DIMM_PLACE_LOST" | grep -vx "$slot" | tr '\n' ' ')
	ctl settle --timeout 60 >/dev/null
	is "$(dimm_place_ours qmd)" "$(dimm_fixture qmd "$fix" "$step")" \
		"$step: query-memory-devices as QEMU's (addresses, slots, sizes)"
	is "$(dimm_place_ours ospm)" "$(dimm_place_ospm_want "$fix" "$step")" \
		"... query-acpi-ospm-status's DIMM slots as QEMU's"
	is "$(dimm_place_ours log)" "$(dimm_fixture dmesg "$fix" "$step" own | dimm_place_refusal)" \
		"... the guest's kernel lines of it as the 6.12 guest's"
	is "$(dimm_place_ours guest)" "$(dimm_fixture guest "$fix" "$step")" \
		"... its memory blocks, iomem and PNP0C80 devices as the 6.12 guest shows them"
}
# timers_hold_contended: thread_hold.so built ($TMP/thread_hold.so, for an
# LD_PRELOAD of the mount) to hold the timers' thread at the first mutex
# another thread holds while $TMP/hold exists (tests/fusefs/336, 354, 391)
timers_hold_contended() {
	want_wrapping_shim thread_hold
	need_tool addr2line binutils
	export HOTMEM_TEST_THREAD_HOLD=$TMP/hold HOTMEM_TEST_THREAD_HOLD_CONTENDED=1
}
# mount_timers_hold NAME: mount_fs with thread_hold.so preloaded
# (timers_hold_contended first), fresh, no state file (tests/fusefs/336, 391)
mount_timers_hold() {
	LD_PRELOAD="$(preloads "$TMP/thread_hold.so")" mount_fs "$1 (thread_hold.so)" --fresh --state none
}
# d2_add_held: d2_add_while_looping with the timers' thread held
# (timers_hold_contended) at change_lock in d2's queued add, so that
# nothing but what the test does next can run that add: four TAP lines
# (tests/fusefs/354, 391)
d2_add_held() {
	touch "$TMP/hold"
	d2_add_while_looping
	file_wait "$TMP/hold.held" && held_in vmem_probe_queued probe_queued_run lock_change_sysfs
	tap_ok $? "... the timers' thread is held at change_lock in d2's queued add (thread_hold.so)"
}
# says_within SECONDS WANT COMMAND...: 0 once COMMAND prints WANT, 1
# after SECONDS x 20 tries 50 ms apart: a count of tries, not the clock --
# SECONDS when COMMAND is quick, longer when each try runs hotmemctl and
# python3 or the machine is loaded (20 took ~60 s).  A bound for a
# failure only, which load should stretch rather than fail a test; every
# user waits so (a journal record, a device's size, a pending device_del),
# and a wait that must end before a timer the test took off the clock
# (off_clock): there no timer fires whatever the machine's speed.
says_within() {
	local n=$(($1 * 20)) want=$2
	shift 2
	for _ in $(seq "$n"); do
		[ "$("$@")" = "$want" ] && return 0
		sleep 0.05
	done
	return 1
}
# vmem_plugged_wait ID BYTES: 0 once vmem_plugged ID says BYTES, 1 after 20 s
vmem_plugged_wait() { says_within 20 "$2" vmem_plugged "$1"; }
# vmem0_below_probed: hotmemfs mounted with the probe interface and no
# state file, a virtio-mem vm0 at 0x100000000 (256M plugged: memory32-33),
# and a block the guest probed by itself at 0x140000000 (memory40), right
# above vm0's region, where QEMU puts the next device: three TAP lines
# (tests/fusefs/257, 275)
vmem0_below_probed() {
	printf 'profile = default\nname = probe-test\nprobe = yes\n' >"$TMP/probe.profile"
	start_fs --profile "$TMP/probe.profile" --fresh --state none
	tap_ok $? "hotmemfs mounts (the probe interface, no state file)"
	ctl device_add virtio-mem-pci id=vm0 size=1G requested-size=256M >/dev/null
	tap_ok $? "a virtio-mem vm0 at 0x100000000, 256M plugged (memory32-33)"
	echo 0x140000000 >"$MNT/sys/devices/system/memory/probe"
	tap_ok $? "the guest probes a block at 0x140000000 (memory40), right above vm0's region"
}
# vmem_del_offline_loops [HOTMEMFS-OPTIONS...]: with options, hotmemfs
# mounted with them first (mount_fs: one TAP line more); then on the
# mounted hotmemfs a virtio-mem vm0 of 1G with 256M plugged and a vm1 with
# nothing (so QEMU's device_del check passes), hotmemctl events followed
# into $TMP/ev.txt (EV), then memory33_offline_loops: four TAP lines
# (tests/fusefs/249, 251, 252, 267)
vmem_del_offline_loops() {
	[ $# -eq 0 ] || mount_fs "hotmemfs mounts ($*)" "$@"
	ctl device_add virtio-mem-pci id=vm0 size=1G requested-size=256M >/dev/null &&
		ctl device_add virtio-mem-pci id=vm1 size=1G requested-size=0 >/dev/null
	tap_ok $? "a virtio-mem vm0, 256M plugged (memory32-33), and a vm1 with nothing plugged"
	"$HMCTL" -s "$CTL" events >"$TMP/ev.txt" 2>&1 &
	EV=$!
	follow_wait 1 "hotmemctl events follows"
	memory33_offline_loops
}
# vmem_del_kill9_restart: the end of vmem_del_offline_loops's test with a
# state file: the events' follower (EV) ended, the invariants checked,
# hotmemfs killed with SIGKILL and mounted again from its state file: two
# TAP lines (tests/fusefs/249, 251: duplicates D16)
vmem_del_kill9_restart() {
	kill "$EV"
	ctl check >/dev/null
	tap_ok $? "invariants hold"
	kill9_fs
	mount_fs "kill -9, restart from the state file"
}
looping() { block_state_wait 33 going-offline && kill -0 "$OFF" 2>/dev/null; }
# killed_while_looping NAME FILE VALUE: a writer of VALUE into FILE (its
# own open) waits in its FUSE write behind memory33's looping offline, is
# killed -9 and is gone while that offline still loops (three TAP lines;
# no time measured: a writer not gone within 20 s fails) (tests/fusefs/285,
# 326)
killed_while_looping() {
	python3 "$HOTMEM_SRC/tests/fusefs/sysw.py" w "$2" "$3" >/dev/null 2>&1 &
	local writer=$!
	disown "$writer"
	in_fuse_write "$writer"
	tap_ok $? "$1: a writer of $3 waits behind the looping offline"
	kill -9 "$writer"
	wait_gone "$writer" 20
	tap_ok $? "... killed -9: gone (FUSE_INTERRUPT ends its wait: EINTR)"
	looping
	tap_ok $? "... while the offline still loops"
}
# dev_del_pending ID: the device_del pending for virtio-mem device ID as
# `status --json` says it ("queued", "waited N": N hotmemctl device_dels
# waiting; "none")
dev_del_pending() {
	ctl -j status | python3 -c 'import json,sys
d=[d for d in json.load(sys.stdin)["devices"] if d["id"] == sys.argv[1]][0]
w=d.get("device-del-waiters")
print(d.get("device-del", "none") + (" %d" % w if w else ""))' "$1"
}
# dev_del_pending_wait ID WANT: 0 once dev_del_pending ID says WANT (a
# hotmemctl device_del has taken the request: dev.c
# hmfs_dev_del_take_over()), 1 after 30 s (a bound for a failure)
dev_del_pending_wait() { says_within 30 "$2" dev_del_pending "$1"; }
# vmem_del_wait_beside_queued: hotmemfs mounted with a state file,
# vmem_del_offline_loops, a QMP device_del vm1 queued behind the offline
# (answered {}), and a `hotmemctl device_del vm1` (wait) started beside it
# (WAITER; its output in $TMP/wait.out), which has taken the request over
# (status --json: dev_del_pending_wait): seven TAP lines (tests/fusefs/252, 253)
vmem_del_wait_beside_queued() {
	start_fs --fresh
	tap_ok $? "hotmemfs mounts (a state file)"
	vmem_del_offline_loops
	in_background del1 qmp_del vm1
	answered_within del1 30 && [ "$(cat "$TMP/del1.out")" = '{"return":{}}' ]
	tap_ok $? "QMP device_del vm1 answers {} behind the looping offline (the removal queued)"
	"$HMCTL" -s "$CTL" device_del vm1 >"$TMP/wait.out" 2>&1 &
	WAITER=$!
	dev_del_pending_wait vm1 "waited 1"
	tap_ok $? "hotmemctl device_del vm1 (wait) takes the queued request over ($(dev_del_pending vm1))"
}
# vm1_deleted_once: DEVICE_DELETED vm1 in $TMP/ev.txt (hotmemctl events),
# once up to a vm2's added and removed after it: two TAP lines
# (tests/fusefs/252, 253, 271)
vm1_deleted_once() {
	ev_wait "$TMP/ev.txt" "DEVICE_DELETED vm1 /machine/peripheral/vm1" 1
	tap_ok $? "DEVICE_DELETED vm1"
	# a later device's DEVICE_DELETED: every event before it has arrived
	ctl device_add virtio-mem-pci id=vm2 size=128M requested-size=0 >/dev/null &&
		ctl device_del vm2 >/dev/null && ev_wait "$TMP/ev.txt" "DEVICE_DELETED vm2 " 1 ||
		diag "no DEVICE_DELETED of a vm2 added and removed after it"
	is "$(grep -c "DEVICE_DELETED vm1 " "$TMP/ev.txt")" 1 "... once (up to a later vm2's DEVICE_DELETED)"
}
# vmem_del_waiter_removes: the pins freed, the offline ends, and the
# waiting device_del (WAITER) removed vm1, once, the queued removal it
# took over silent: seven TAP lines (tests/fusefs/252, 253)
vmem_del_waiter_removes() {
	ctl free-all >/dev/null
	wait "$OFF"
	wait "$WAITER"
	tap_ok $? "hotmemctl device_del vm1 (wait), beside the queued one, ends well ($(tr '\n' ' ' <"$TMP/wait.out"))"
	grep -q "removed" "$TMP/wait.out"
	tap_ok $? "... it says vm1 was removed, not that it was not found"
	vm1_deleted_once
	dev_listed vm1
	tap_ok $((!$?)) "vm1 is no longer listed; vm0 stays: $(dev_listed vm0 && echo yes)"
	grep "the queued device_del" "$TMP/hotmemfs.log" | sed 's/^/# /'
	tap_ok $((!${PIPESTATUS[0]})) "the queued removal, taken over, logs nothing (not that vm1 is gone)"
	kill "$EV"
	ctl check >/dev/null
	tap_ok $? "invariants hold"
}

# block_state_wait N STATE...: 0 once memoryN/state reads one of STATE...
# (an offline looping: going-offline; ended: online offline), 1 after 120 s
# (30 s until 2026-12-02: 154's eject, started in the background, reached
# memory33 only after that in a CI run at load 20; the wait ends as soon as
# the state is there, so only a failing run pays the bound).
# Each read is bounded too (20 s): one that waits for the running offline
# (the bug tests/fusefs/16 looks for) ends, and the test fails, not hangs.
block_state_wait() {
	local n=$1 s want end=$((SECONDS + 120))
	shift
	while :; do
		s=$(timeout 20 cat "$MNT/sys/devices/system/memory/memory$n/state")
		for want; do [ "$s" = "$want" ] && return 0; done
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.05
	done
}

# hold_dir DIR NAME [PREFIX...]: a reader holds DIR's inode lock inside
# getdents64(2), its copy-out faulting on a userfaultfd page
# (uffd_hold.py), for as long as the test likes: the notifier's
# invalidation of a name in DIR (fuse_reverse_inval_entry()) waits for it
# in the kernel.  HOLDER: the reader's pid, HOLDER_JOB: its job; returns
# 77 without userfaultfd, 1 if it failed ($TMP/NAME.out says why).
# PREFIX runs it (and the ls before) as another user: setpriv ...
hold_dir() {
	local dir=$1 name=$2
	shift 2
	rm -f "$TMP/$name.ready"
	# DIR's inode and names in the kernel's caches (hold_first_listing: not)
	[ -n "${HOLD_FIRST:-}" ] || "$@" ls "$dir" >/dev/null
	# the system python: a per-user one (pyenv) may not be another user's to run
	"$@" "$(command -v /usr/bin/python3 || command -v python3)" \
		"$HOTMEM_SRC/tests/fusefs/uffd_hold.py" "$dir" "$TMP/$name.ready" \
		>"$TMP/$name.out" 2>&1 &
	HOLDER_JOB=$!
	for _ in $(seq 600); do
		[ -e "$TMP/$name.ready" ] && break
		kill -0 "$HOLDER_JOB" 2>/dev/null || break
		sleep 0.05
	done
	kill -0 "$HOLDER_JOB" 2>/dev/null || { wait "$HOLDER_JOB"; [ $? -eq 77 ] && return 77; return 1; }
	HOLDER=$(cat "$TMP/$name.ready")
}

# must_hold_dir DIR NAME [PREFIX...]: hold_dir and its TAP line; the test
# skips without userfaultfd, ends if the reader failed
must_hold_dir() {
	hold_dir "$@"
	case $? in
	0) ok "a reader holds $(basename "$1")/'s lock (getdents64 faulting on a userfaultfd page)" ;;
	77) kill9_fs; skip_all "$(cat "$TMP/$2.out")" ;;
	*) nok "a reader holds $(basename "$1")/'s lock: $(cat "$TMP/$2.out")"; kill9_fs; done_testing; exit 1 ;;
	esac
}

# hold_first_listing DIR NAME: hold_dir with no ls before: the reader is
# inside DIR's first listing (a READDIR answered by hotmemfs, its parse
# faulting) -- what a notifier's listing_fence() (events.c) must wait for
hold_first_listing() { HOLD_FIRST=1 hold_dir "$@"; }

# require_uffd: uffd_hold.py can run here (CONFIG_USERFAULTFD: the sysctl
# is there with it; x86_64: its syscall numbers)
require_uffd() {
	[ -e /proc/sys/vm/unprivileged_userfaultfd ] || skip_all "no userfaultfd(2) in this kernel"
	[ "$(uname -m)" = x86_64 ] || skip_all "uffd_hold.py knows x86_64's syscall numbers only"
}

# require_listing_fence: what a test of a listing fence needs -- a reader
# held inside a directory's first listing (hold_first_listing,
# tests/fusefs/uffd_hold.py) while the notifier drops it: require_env's,
# userfaultfd, python3; M is the mount's memory/ (tests/fusefs/214, 216,
# 240, 241)
require_listing_fence() {
	require_env
	require_uffd
	need_tool python3 python3
	M=$MNT/sys/devices/system/memory
}

# holder_release: hold_dir's reader lets go and exits (0)
holder_release() {
	kill -USR1 "$HOLDER"
	wait_gone "$HOLDER_JOB" 60 && wait "$HOLDER_JOB"
}

# notifier_stalled: 0 once an event is queued that the notifier has not
# delivered (settle --timeout 0 fails); 1 if none within 30 s
notifier_stalled() {
	for _ in $(seq 600); do
		"$HMCTL" -s "$CTL" settle --timeout 0 >/dev/null 2>&1 || return 0
		sleep 0.05
	done
	return 1
}

# removal_holds_notifier NAME DIMM-ARGS...: DIMM d0 (pc-dimm id=d0
# size=128M DIMM-ARGS) added, a reader holding node0/ (must_hold_dir DIR
# NAME), and d0's device_del under way (its hotmemctl: DEL, its stderr in
# $TMP/del.err): the REMOVE waits in the notifier for node0/'s lock (d0's
# names are dropped from every node's directory before it is sent), and
# whatever is queued after it waits behind it (three TAP lines)
removal_holds_notifier() {
	local name=$1
	shift
	ctl device_add pc-dimm id=d0 size=128M "$@" >/dev/null && ctl settle >/dev/null
	tap_ok $? "a DIMM d0 to remove"
	must_hold_dir "$MNT/sys/devices/system/node/node0" "$name"
	timeout 120 "$HMCTL" -s "$CTL" device_del d0 >/dev/null 2>"$TMP/del.err" &
	DEL=$!
	removed_stalled d0
	tap_ok $? "device_del d0: its REMOVE waits for node0/"
}

# stuck_device_del [PREFIX...]: device_del d1 (its hotmemctl: DEL) whose
# REMOVE is stuck in the notifier, behind a reader holding memory/'s lock
# (must_hold_dir, run by PREFIX): d1 added first (three TAP lines)
stuck_device_del() {
	ctl device_add pc-dimm id=d1 size=128M >/dev/null && ctl settle >/dev/null
	tap_ok $? "a DIMM"
	must_hold_dir "$MNT/sys/devices/system/memory" a "$@"
	timeout 120 "$HMCTL" -s "$CTL" device_del d1 >/dev/null 2>"$TMP/del.err" &
	DEL=$!
	removed_stalled d1
	tap_ok $? "device_del: its REMOVE stuck in the notifier"
}

# removed_stalled ID: 0 once the device ID is gone from the machine and the
# notifier still holds events -- its REMOVE's, which wait for memory/'s
# lock.  A queue seen while the eject still runs is not enough: the
# offline's events pass a moment later, and a stop signalled then, under
# load, found nothing stuck (a clean stop, exit 0: 73 in CI, 2026-11-30)
removed_stalled() {
	local out
	for _ in $(seq 1200); do
		if out=$("$HMCTL" -s "$CTL" devices 2>/dev/null) &&
			! grep -q "^$1 " <<<"$out"; then
			notifier_stalled
			return
		fi
		sleep 0.05
	done
	return 1
}

# stuck_stop_ends STATUS WHY: after a stop that left the notifier in the
# kernel, the reader lets go; hotmemfs exits with STATUS, device_del's
# hotmemctl ends, no sanitizer report (six TAP lines)
stuck_stop_ends() {
	holder_release
	tap_ok $? "the reader let go: $(cat "$TMP/a.out")"
	wait_gone "$FS_PID" 60
	tap_ok $? "hotmemfs has exited"
	# its status at once if it exited; if not, SIGKILLed after 5 s more (137)
	wait_exit "$FS_PID" 5
	is "$?" "$1" "... with status $1 ($2)"
	FS_PID=
	wait_gone "$DEL" 60
	tap_ok $? "device_del's hotmemctl ended"
	end_fs_stopped
}

# log_says TEXT [SECONDS]: 0 once hotmemfs's log holds TEXT (grep -E), 1
# if not within SECONDS (30)
log_says() {
	for _ in $(seq $((${2:-30} * 20))); do
		grep -qE "$1" "$TMP/hotmemfs.log" && return 0
		sleep 0.05
	done
	return 1
}

# unmounted SECONDS: 0 once $MNT is no hotmemfs mount, 1 if it still is
unmounted() {
	for _ in $(seq $(($1 * 20))); do
		findmnt -t fuse.hotmemfs "$MNT" >/dev/null || return 0
		sleep 0.05
	done
	return 1
}

# dead_mount_error: stat's error on $MNT/sys after a kill -9 of hotmemfs,
# once it is ENOTCONN ("not connected").  Over io_uring a request caught
# while the rings go (io_uring's exit work, a moment after the process)
# ends ECONNABORTED first (docs/hotmemfs.md): waited out, 10 s at most.
dead_mount_error() {
	local err
	for _ in $(seq 200); do
		err=$(stat "$MNT/sys" 2>&1)
		[[ $err == *"connection abort"* ]] || break
		sleep 0.05
	done
	echo "$err"
}

# sigterm_stops_cleanly NAME: a SIGTERM still stops hotmemfs (NAME says
# what came before), with status 0 and its tree unmounted (three TAP lines)
sigterm_stops_cleanly() {
	kill -TERM "$FS_PID"
	wait_gone "$FS_PID" 30
	tap_ok $? "SIGTERM after it still stops hotmemfs$1"
	if kill -0 "$FS_PID" 2>/dev/null; then
		grep -E '^(SigBlk|ShdPnd)' "/proc/$FS_PID/status" | sed 's/^/# /'
		kill -9 "$FS_PID"
	fi
	wait_exit "$FS_PID" 30
	is "$?" 0 "... a clean stop (status 0)"
	FS_PID=
	unmounted 10
	tap_ok $? "... its tree unmounted"
}

# vmem_sizes: virtio0's "plugged size"/"requested size" lines in dmesg, on one line
vmem_sizes() { ctl dmesg | sed -n 's/^<6>virtio_mem virtio0: \(plugged\|requested\) size: /\1 /p' | tr '\n' ' '; }

# end_fs_stopped: the test stopped hotmemfs itself: whatever is left is
# killed (not waited for: it may be stuck), the mount detached, and the
# log must hold no sanitizer report
end_fs_stopped() {
	[ -n "$FS_PID" ] && kill -9 "$FS_PID" 2>/dev/null
	FS_PID=
	umount -l "$MNT" 2>/dev/null
	! grep -qE '(ERROR|WARNING): (Address|Leak|Thread)Sanitizer|runtime error:' "$TMP/hotmemfs.log"
	tap_ok $? "no sanitizer report"
}

kill9_fs() {
	kill -9 "$FS_PID"
	wait_exit "$FS_PID" 30 2>/dev/null
	umount -l "$MNT" 2>/dev/null || fusermount3 -uz "$MNT" 2>/dev/null
	FS_PID=
}

# Only the test's own shell cleans up: a child bash forked for `cmd &` or
# `( ... ) &` keeps the EXIT trap until it resets its signals, and one
# SIGTERMed in that window (bash 5.2: 20-40 % of children killed at once)
# ran it -- unmounted hotmemfs and removed $TMP under the test.  A test's
# own trap that does more first starts with in_test_shell too (a function
# or (( )): a [ first in the trap string returned 127 there).
_lib_pid=$BASHPID
in_test_shell() { ((BASHPID == _lib_pid)); }
cleanup() {
	in_test_shell || return 0
	stop_fs
	if [ "$T_FAIL" -gt 0 ] && [ -s "$TMP/hotmemfs.log" ]; then
		diag "hotmemfs log:"
		tail -n 60 "$TMP/hotmemfs.log" | sed 's/^/#   /'
	fi
	cat "$TMP/umount.log" 2>/dev/null | sed "s/^/# umount: /"
	rm -rf "$TMP"
}
trap cleanup EXIT

ctl() { "$HMCTL" -s "$CTL" "$@"; }
# kpage OP ARGS...: proc/kpageflags and kpagecount read as page-types reads
# them (tests/fusefs/kpage.py: hist, runs, entry, pread); kpage_hist START
# NR: the mount's flag sets over NR pfns from START, "FLAGS COUNT PAGES NAMES"
kpage() { python3 "$HOTMEM_SRC/tests/fusefs/kpage.py" "$@"; }
kpage_hist() { kpage hist "$MNT/proc" "$1" "$2"; }
# refused_stdout_ok OUT ERR ARGS...: OUT is what hotmemctl ARGS may print
# on stdout when refused with the stderr line ERR: nothing, or -- raw's
# reply as received, --json's refusal (usereye7 #3) -- the reply's one
# object, {"error": {"class": ..., "desc": DESC}} ("id" too when the
# request had one), DESC the one ERR says ("hotmemctl: error: DESC")
refused_stdout_ok() {
	local out=$1 err=$2
	shift 2
	[ -z "$out" ] && return 0
	[[ " $* " =~ \ (raw|-j|--json)\  ]] || return 1
	python3 -c '
import json, sys
o = json.loads(sys.argv[1])
e = o["error"]
ok = set(o) <= {"error", "id"} and set(e) == {"class", "desc"} and \
	sys.argv[2].startswith("hotmemctl: error: " + e["desc"])
sys.exit(0 if ok else 1)' "$out" "$err" 2>/dev/null
}
# qmp_reply EXECUTE [ARGUMENTS-JSON]: EXECUTE sent to the control socket as
# a QMP client sends it, a connection of its own (tests/fusefs/
# qmp_checks.py): its reply as "CLASS: DESC" when refused (QEMU's error
# class and words, what a refusal is checked by: a failed exit status
# alone is a connect error or a typo as well), "return: JSON" else
qmp_reply() {
	PYTHONPATH="$HOTMEM_SRC/tests/kernel:$HOTMEM_SRC/tests/fusefs" timeout 600 \
		python3 "$HOTMEM_SRC/tests/fusefs/qmp_checks.py" "$CTL" "$@" 2>&1
}

# conversation_checks OUT RC ERR: the checks a python conversation wrote to
# OUT, a line each ("0 NAME" passed, "1 NAME" failed), as TAP, and one
# more: it ran to its end (exit status RC, its last line "0 all N checks
# ran"; else ERR, its stderr, said)
conversation_checks() {
	local r name
	while read -r r name; do tap_ok "$r" "$name"; done <"$1"
	[ "$2" -eq 0 ] && grep -q '^0 all [0-9]* checks ran$' "$1"
	tap_ok $? "the QMP conversation ran to its end (rc $2)$(head -c 2000 "$3" | tr '\n' ' ')"
}

# qmp_conversation SECONDS: the python script on stdin talks QMP to the
# control socket (its argv[1]; tests/kernel/qmp.py and tests/fusefs/
# qmp_checks.py importable: ok() for each check, all_ran() at its end),
# bounded by SECONDS; its checks as TAP (conversation_checks)
qmp_conversation() {
	need_tool python3 python3
	PYTHONPATH="$HOTMEM_SRC/tests/kernel:$HOTMEM_SRC/tests/fusefs" timeout "$1" \
		python3 - "$CTL" >"$TMP/qmp.out" 2>"$TMP/qmp.err"
	conversation_checks "$TMP/qmp.out" $? "$TMP/qmp.err"
}

# qemu_monitor SOCKET CMD...: a real QEMU program CMD (its command line
# making a QMP monitor on the Unix socket SOCKET) started to compare
# hotmemfs's answers with, killed at the test's end; one TAP line (it
# listens).  Check for CMD first (with need_tool), so that the test
# skips loudly without it.
_qemu_pids=
qemu_monitor() {
	local sock=$1 pid
	shift
	"$@" >>"$TMP/qemu.log" 2>&1 &
	pid=$!
	_qemu_pids="$_qemu_pids $pid"
	trap 'in_test_shell && for p in $_qemu_pids; do kill "$p" 2>/dev/null; done; cleanup' EXIT
	for _ in $(seq 600); do
		[ -S "$sock" ] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	[ -S "$sock" ]
	tap_ok $? "$1 listens on its QMP socket ($("$1" --version | head -1))"
}

# qemu_storage_daemon: qemu-storage-daemon's QMP monitor on $QSD
# (qemu_monitor): the same qobject/json-* and qapi/qmp-dispatch.c code as
# the emulator's
qemu_storage_daemon() {
	need_tool qemu-storage-daemon qemu-system-common
	QSD=$TMP/qsd.sock
	qemu_monitor "$QSD" qemu-storage-daemon \
		--chardev "socket,path=$QSD,server=on,wait=off,id=qmp0" --monitor chardev=qmp0
}

# qemu_system ARGS...: a real qemu-system-x86_64 of a pc machine, stopped
# before its guest runs (-S: its QMP monitor answers, nothing boots), its
# monitor on $QS (qemu_monitor), ARGS its memory and NUMA options, to
# compare with hotmemfs's machine of the same profile
qemu_system() {
	need_tool qemu-system-x86_64 qemu-system-x86
	QS=$TMP/qemu.sock
	qemu_monitor "$QS" qemu-system-x86_64 -M pc -accel tcg -nodefaults -display none -S \
		-qmp "unix:$QS,server=on,wait=off" "$@"
}

# mount_beside_qemu PROFILE QEMU-ARGS...: hotmemfs of PROFILE mounted
# (-S none) and qemu_system QEMU-ARGS, its QEMU counterpart, listening on
# $QS; the test skipped first without qemu-system-x86_64
mount_beside_qemu() {
	local profile=$1
	shift
	need_tool qemu-system-x86_64 qemu-system-x86
	mount_fs "hotmemfs mounts ($profile)" --fresh --state none --profile "$profile"
	qemu_system "$@"
}

# nodes01_profile NR FILE: a profile of NR nodes (default's machine) with
# memory on nodes 0 (its first GiB) and 1 (the second) only, into FILE
nodes01_profile() {
	printf 'profile = default\nnodes = %s\nram = 0x1000-0x9efff node=0\n%s\n%s\n' "$1" \
		'ram = 0x100000-0x3fffffff node=0' 'ram = 0x40000000-0x7fffffff node=1' >"$2"
}

# dimm_at_4g [device_add options...]: pc-dimm d1, 128M at 4 GiB, its
# block's number in $b (one TAP line)
dimm_at_4g() {
	b=$((0x100000000 / 0x$(cat "$MNT/sys/devices/system/memory/block_size_bytes")))
	ctl device_add pc-dimm id=d1 size=128M "$@" addr=0x100000000 >/dev/null
	tap_ok $? "a DIMM${1:+ ($*)} at 4 GiB (memory$b)"
}

# start_three_nodes: qemu-512m with 3 nodes, hot-added memory offline, a
# fresh state file (one TAP line; mount_fs)
start_three_nodes() {
	printf 'profile = qemu-512m\nnodes = 3\n' >"$TMP/three.profile"
	mount_fs "hotmemfs mounts a qemu-512m machine with 3 nodes" \
		--profile "$TMP/three.profile" --cmdline memhp_default_state=offline --fresh
}
# pinned_dimm: pc-dimm d1 (512M at 4 GiB), memory32-35 online movable,
# 40000 movable pages filling memory32 and starting memory33, then 100
# pinned ones in memory33: an offline of memory33 loops until its signal
# (one TAP line; 100-acpi-eject-stuck-block.t and 102 set it up by hand)
pinned_dimm() {
	local m=$MNT/sys/devices/system/memory b
	ctl device_add pc-dimm id=d1 size=512M addr=0x100000000 >/dev/null
	for b in 32 33 34 35; do echo online_movable >"$m/memory$b/state"; done
	ctl alloc movable 40000 >/dev/null && ctl alloc pinned 100 >/dev/null
	tap_ok $? "d1: movable pages in memory32-33, 100 pinned ones after them"
}
# start_pinned_dimm: hotmemfs mounted on a fresh machine, then
# pinned_dimm (two TAP lines; tests/fusefs/144, 292)
start_pinned_dimm() {
	start_fs --fresh
	tap_ok $? "hotmemfs mounts"
	pinned_dimm
}
# stop_during_offline_write WRITER...: the command WRITER (its output in
# $TMP/writer.out) writes "offline" to memory33/state, looping on
# pinned_dimm's pages, and SIGTERM stops hotmemfs meanwhile: four TAP
# lines, up to the writer answered (tests/fusefs/292, 306)
stop_during_offline_write() {
	local writer
	( LC_ALL=C exec "$@" ) >"$TMP/writer.out" 2>&1 &
	writer=$!
	in_fuse_write "$writer" && block_state_wait 33 going-offline
	tap_ok $? "a writer's offline of memory33 loops on its pinned pages"
	kill -TERM "$FS_PID"
	wait_gone "$FS_PID" 60
	tap_ok $? "SIGTERM stops hotmemfs meanwhile"
	wait_exit "$FS_PID" 30
	is "$?" 0 "... a clean stop (status 0)"
	FS_PID=
	wait_gone "$writer" 30
	tap_ok $? "the writer is answered"
}
# node2_with_memory: pc-dimm n1 on node 2, its first block ($blk)
# online_movable, so that node2 has hugepages/ (two TAP lines)
node2_with_memory() {
	local n=$MNT/sys/devices/system/node
	ctl device_add pc-dimm id=n1 size=128M node=2 >/dev/null && ctl settle --timeout 60
	tap_ok $? "a DIMM on node 2 brings node2"
	blk=$(basename "$(ls -d "$n"/node2/memory* | head -1)")
	echo online_movable >"$MNT/sys/devices/system/memory/$blk/state"
	tap_ok $? "$blk online_movable: node2 has memory (hugepages/)"
}
# start_node2_with_memory: what the tests of a node held across its
# removal start from (48, 55, 66, 86): python3 (need_tool), $N and $M,
# start_three_nodes and node2_with_memory (three TAP lines)
start_node2_with_memory() {
	need_tool python3 python3
	N=$MNT/sys/devices/system/node
	M=$MNT/sys/devices/system/memory
	start_three_nodes
	node2_with_memory
}

# state_devices_edit PYTHON: each device `d` of the state file's machine
# changed by the PYTHON statement, its checksum made right
state_devices_edit() {
	state_machine_edit "for d in m['devices']: exec($(python3 -c 'import sys; print(repr(sys.argv[1]))' "$1"))"
}

# profile_changed_refused NAME HOTMEMFS-OPTIONS...: start_refused NAME
# on this test's control socket, state file and mount point, for a profile
# file changed since the state file was saved: exit 78, "changed since
# this state was saved"; the refusal's lines (kept in $TMP/out) as TAP
# comments
profile_changed_refused() {
	local name=$1
	shift
	start_refused "$name" 78 "changed since this state was saved" \
		--control "$CTL" --state "$STATE" "$@" "$MNT"
	sed -n '/changed since/,/refusing to restore/s/^/# /p' "$TMP/out"
}

# profile_over_qemu512m NAME [FILE]: P, the profile file $TMP/FILE.profile
# (FILE: NAME unless given), a machine NAME over the built-in qemu-512m
# and nothing else, and KCMD, its command line (no kernel allocations):
# where the tests of a state file saved before a change of the built-in
# start (tests/fusefs/359, 428, 453, 467), and what a build of before
# wrote for the file alone
profile_over_qemu512m() {
	P=$TMP/${2:-$1}.profile
	KCMD="--cmdline hotmem.kernel_alloc=off"
	printf 'profile = qemu-512m\nname = %s\n' "$1" >"$P"
}

# saved_with_dimm ID NAME HOTMEMFS-OPTIONS...: mount_fs NAME with the
# options, a 128M pc-dimm ID added (the check "a DIMM ID"), stopped: a
# state file with a device a restore must bring back (tests/fusefs/453,
# 467, 359: one saved as a build of before saved it, then edited)
saved_with_dimm() {
	local id=$1 name=$2
	shift 2
	mount_fs "$name" "$@"
	ctl device_add pc-dimm id="$id" size=128M >/dev/null
	tap_ok $? "a DIMM $id"
	stop_fs
}

# capture_dump CAPTURE DIR: tests/fixtures/boot-map/CAPTURE.txt, a real
# guest's capture ($FIX after), made the dump DIR that `hotmem profile
# --from-sysfs` reads (scripts/as-dump.sh; tests/fusefs/372, 374, 472)
capture_dump() {
	FIX=$HOTMEM_SRC/tests/fixtures/boot-map/$1.txt
	need_file "$FIX"
	"$HOTMEM_SRC/tests/fixtures/boot-map/scripts/as-dump.sh" "$FIX" "$2"
}

# state_machine_edit PYTHON: the state file's machine `m` changed by the
# PYTHON statements, its checksum made right (over the text json-c writes:
# UTF-8 as it is, not \uNNNN)
state_machine_edit() {
	python3 - "$STATE" "$1" <<'PY'
import json, sys, zlib
p = sys.argv[1]
s = json.load(open(p))
m = s["machine"]
exec(sys.argv[2])
plain = json.dumps(s["machine"], separators=(",", ":"), ensure_ascii=False).replace("/", "\\/")
s["crc32"] = zlib.crc32(plain.encode())
json.dump(s, open(p, "w"))
PY
}

# hvo_pool_over_shrunk_vm0 POOL-NAME SHRINK-NAME: on the qemu-512m
# mounted, vm0 a 1G virtio-mem device at 300M (onlined), HVO on, 50 huge
# pages (TAP POOL-NAME: all in Normal), vm0 shrunk to 100M (TAP
# SHRINK-NAME: the pool keeps its 50, some now in DMA32): the pool over
# two zones whose restart tests/fusefs/429, 455 and
# tests/reliability/state-rfix44-runs.t check
hvo_pool_over_shrunk_vm0() {
	local v=$MNT/proc/sys/vm
	w "$MNT/sys/devices/system/memory/auto_online_blocks" online >/dev/null
	ctl device_add virtio-mem-pci id=vm0 size=1G requested-size=300M >/dev/null && ctl settle >/dev/null
	w "$v/hugetlb_optimize_vmemmap" 1 >/dev/null
	is "$(w "$v/nr_hugepages" 50)" ret=2 "$1"
	ctl set-size vm0 100M >/dev/null && ctl settle >/dev/null
	is "$(cat "$v/nr_hugepages")" 50 "$2"
}

# sock_listening SOCK: a fake peer started before (tests/fusefs/fake_sock.py:
# it renames its listening SOCK.tmp) made SOCK, listening; the bound is
# against a hang only: a python starting under load took more than the
# 5 s once waited here (tests/fusefs/61)
sock_listening() {
	timeout 60 bash -c 'until [ -S "$1" ]; do sleep 0.05; done' - "$1"
}

# in_sysns CMD...: run CMD with our memory dir bound over the real one, in
# a private mount namespace that dies with CMD.
in_sysns() {
	unshare -m --propagation private bash -c '
		mount --bind "$1/sys/devices/system/memory" /sys/devices/system/memory || exit 99
		shift; exec "$@"' in_sysns "$MNT" "$@"
}

# followers: how many control clients follow `events` (status's "control")
followers() { ctl -j status | python3 -c 'import json,sys; print(json.load(sys.stdin)["control"]["followers"])'; }
# follow_wait N: until N clients follow (bounded; TAP "WHAT": is N)
follow_wait() {
	for _ in $(seq 200); do [ "$(followers)" = "$1" ] && break; sleep 0.05; done
	is "$(followers)" "$1" "$2"
}
# ev_wait FILE STRING N: until FILE has N lines holding STRING (bounded)
ev_wait() {
	for _ in $(seq 400); do
		[ "$(grep -c "$2" "$1")" -ge "$3" ] && return 0
		sleep 0.05
	done
	return 1
}

# ---- hotmem profile --from-sysfs round trips ----
# export_profile NAME: the mounted machine exported to $TMP/NAME (check
# "exported"), hotmemfs stopped, and `hotmem profile --from-sysfs` of the
# export into $TMP/NAME.profile, its notes in $TMP/NAME.notes (check
# "hotmem profile --from-sysfs"); the profile's memory lines shown
export_profile() {
	ctl export "$TMP/$1" >/dev/null
	tap_ok $? "exported"
	stop_fs
	"$HOTMEM_BUILD/hotmem" profile --from-sysfs "$TMP/$1" -o "$TMP/$1.profile" 2>"$TMP/$1.notes"; profile_notes "$TMP/$1.profile" "$TMP/$1.notes"
	tap_ok $? "hotmem profile --from-sysfs"
	grep -E '^(ram|hotplug|online|offline) ' "$TMP/$1.profile" | sed 's/^/# /'
}
# profile_same_tree NAME [hotmemfs options...]: $TMP/NAME.profile mounts
# (check "the profile mounts"), is exported again into $TMP/NAME.again and
# stopped: the same tree as $TMP/NAME, file for file, proc/cmdline too
# (nothing changed at run time: the profile's command line is the one the
# machine booted with, tests/fusefs/414).  An export without a tree fails
# (two empty directories are not the same machine).
profile_same_tree() {
	local name=$1 what="export -> from-sysfs -> mount -> export: the same tree, file for file"
	shift
	mount_fs "the profile mounts" "$@" --profile "$TMP/$name.profile"
	ctl export "$TMP/$name.again" >/dev/null
	tap_ok $? "exported again"
	stop_fs
	if [ ! -s "$TMP/$name/sys/devices/system/memory/block_size_bytes" ]; then
		nok "$what ($TMP/$name has no memory tree)"
		return
	fi
	is "$(diff -r --no-dereference "$TMP/$name" "$TMP/$name.again" 2>&1 | head -20)" "" "$what"
}

# --- /proc/zoneinfo and /proc/vmstat, read as the kernel computes them ---
# zi ZONE FIELD: the first node's ZONE's FIELD ("protection": its whole
# "(a, b, ...)" list)
zi() {
	awk -v z="$1" -v f="$2" '/^Node/ {in_z = ($4 == z)}
		in_z && f == "protection" && /protection:/ {sub(/^ *protection: /, ""); print; exit}
		in_z && $1 == f {print $2; exit}' "$MNT/proc/zoneinfo"
}
# zone_pcp ZONE: node 0's ZONE's distinct "batch high_min high_max
# threshold" over its CPUs' pagesets (one line where every CPU's alike)
zone_pcp() {
	awk -v z="$1" '/^Node/ { on = ($2 == "0," && $4 == z) }
		on && $1 == "batch:" { b = $2 } on && $1 == "high_min:" { l = $2 }
		on && $1 == "high_max:" { h = $2 }
		on && $1 == "vm" && $3 == "threshold:" { print b, l, h, $4 }' "$MNT/proc/zoneinfo" | sort -u
}
# fls N: the kernel's fls(), the highest set bit's number (0 for 0)
fls() { local n=$1 b=0; while [ "$n" -gt 0 ]; do b=$((b + 1)); n=$((n >> 1)); done; echo $b; }
# stat_thresh MANAGED: 6.12 calculate_normal_threshold() of a zone of
# MANAGED pages over the host's online CPUs (hotmemfs's, nodecpu.c)
stat_thresh() {
	local t=$((2 * $(fls "$(getconf _NPROCESSORS_ONLN)") * (1 + $(fls $(($1 >> 15))))))
	echo $((t < 125 ? t : 125))
}
# reserve_now: 6.12 calculate_totalreserve_pages() from zoneinfo as it
# stands: each zone's largest protection plus its high (high_wmark_pages(),
# the boost on it), at most its managed pages
reserve_now() {
	awk '/^Node/ { if (z) r += (m < mx + h ? m : mx + h); z = 1; mx = 0 }
	     $1 == "high" { h = $2 } $1 == "managed" { m = $2 }
	     /protection:/ { gsub(/[(),]/, " "); for (i = 2; i <= NF; i++) if ($i > mx) mx = $i }
	     END { r += (m < mx + h ? m : mx + h); print r }' "$MNT/proc/zoneinfo"
}
# dirty_limits RESERVE: vmstat's nr_dirty_threshold and
# nr_dirty_background_threshold, "want", then 6.12 global_dirty_limits()'s
# of its nr_free_pages (one read) past RESERVE pages
dirty_limits() {
	awk -v r="$1" '$1 == "nr_free_pages" { f = $2 } $1 == "nr_dirty_threshold" { t = $2 }
		$1 == "nr_dirty_background_threshold" { b = $2 }
		END { a = f - (f < r ? f : r) + 1; wt = int(819 * a / 4096); wb = int(409 * a / 4096)
		      if (wb >= wt) wb = int(wt / 2); print t, b, "want", wt, wb }' "$MNT/proc/vmstat"
}
# dirty_agree LINE: dirty_limits()'s two pairs the same
dirty_agree() { set -- $1; [ "$1 $2" = "$4 $5" ]; }
# boost_until_unreclaimable: unmovable allocations of 300 pages on node 0,
# each stealing from a Movable pageblock (a boost), until kswapd gives
# DMA32's node up with a boost standing; at most 20 of them. Status 0 when
# it got there; the caller checks what else it needs.
boost_until_unreclaimable() {
	local i
	for i in $(seq 1 20); do
		[ "$(zi DMA32 node_unreclaimable:)" = 1 ] && [ "$(zi DMA32 boost)" != 0 ] && return 0
		ctl alloc unmovable 300 node=0 >/dev/null 2>&1
	done
	return 1
}
