# shellcheck shell=bash
# tests/daemon/lib.sh: TAP helpers and a fake sysroot of plain files for
# hotmemd tests.  Source it; it sets HOTMEMD, TMP (removed at exit).
set -u
: "${HOTMEM_SRC:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${HOTMEM_BUILD:=$HOTMEM_SRC/build}"
HOTMEMD=$HOTMEM_BUILD/hotmemd
UEVENT_SEND=$HOTMEM_BUILD/tests/daemon/uevent_send
TMP=$(mktemp -d /tmp/hotmemd-test.XXXXXX)
_pids=()
_fs_mnt=
# wait_exit PID SECONDS (SIGKILL after SECONDS): tests/wait_exit.sh
. "$(dirname "${BASH_SOURCE[0]}")/../wait_exit.sh"
# need_tool TOOL PACKAGE, need_built FILE: tests/need.sh (a skip only for
# what the deps lists do not install)
. "$(dirname "${BASH_SOURCE[0]}")/../need.sh"
# each process asked to end and waited for (10 s, then SIGKILL), then a
# hotmemfs mount of mount_hotmemfs detached, then TMP removed
cleanup() {
	local p
	for p in "${_pids[@]}"; do kill "$p" 2>/dev/null && wait_exit "$p" 10 >/dev/null 2>&1; done
	[ -z "$_fs_mnt" ] || fusermount3 -uz "$_fs_mnt" 2>/dev/null
	[ -n "${KEEP_TMP:-}" ] && { echo "# kept $TMP"; return; }
	rm -rf "$TMP"
}
# Only the test's own shell cleans up: a child bash forked for `cmd &` or
# `( ... ) &` keeps this trap until it resets its signals, and one SIGTERMed
# in that window (bash 5.2: 20-40 % of children killed at once, 90 % of
# 70-signal-coldplug.t's feeders) ran it -- killed hotmemd and removed $TMP
# under the test.  (( )), not [: a [ first in the trap string, run there
# from the signal handler, returned 127 and the guard let cleanup through.
_lib_pid=$BASHPID
trap '((BASHPID == _lib_pid)) && cleanup' EXIT
# ASan: leak reports of libsystemd's mempool are not ours to fix here
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}

_n=0
_fail=0
ok() { _n=$((_n + 1)); echo "ok $_n - $*"; }
nok() { _n=$((_n + 1)); _fail=$((_fail + 1)); echo "not ok $_n - $*"; }
check() { # check DESC CMD...
	local d=$1; shift
	if "$@"; then ok "$d"; else nok "$d"; fi
}
is() { # is GOT WANT DESC
	if [ "$1" = "$2" ]; then ok "$3"; else nok "$3"; echo "#   got '$1', want '$2'"; fi
}
# tap_ok STATUS DESC: check's verdict from a status already had; its status back
tap_ok() { if [ "$1" -eq 0 ]; then ok "$2"; else nok "$2"; return 1; fi; }
tap_skip() { _n=$((_n + 1)); echo "ok $_n # SKIP $*"; }
skip_all() { echo "1..0 # SKIP $*"; exit 0; }
# host_run_hotmemd_untouched: no hotmemd of this test wrote the host's
# /run/hotmemd (tests/host_run_hotmemd.sh, tests/fusefs/lib.sh's too); a
# line only when it fails or cannot look
HOST_RUN_HOTMEMD_QUIET=1
. "$(dirname "${BASH_SOURCE[0]}")/../host_run_hotmemd.sh"
done_testing() {
	host_run_hotmemd_untouched
	echo "1..$_n"
	[ "$_fail" -eq 0 ]
	exit $?
}
need_hotmemd() { need_built "$HOTMEMD"; }
# need_hotmemfs_in_netns "$@": hotmemfs and hotmemctl (FS, CTL), FUSE and
# root, then the script again in a private network namespace, where
# hotmemfs's netlink uevents never reach the host
need_hotmemfs_in_netns() {
	FS=$HOTMEM_BUILD/hotmemfs
	CTL=$HOTMEM_BUILD/hotmemctl
	need_built "$FS"
	need_built "$CTL"
	[ -e /dev/fuse ] || skip_all "no /dev/fuse"
	need_tool fusermount3 fuse3
	[ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null || skip_all "needs root and unshare -n"
	if [ -z "${HOTMEMD_IN_NETNS:-}" ]; then
		rm -rf "$TMP" # exec runs no EXIT trap; the second run makes its own
		HOTMEMD_IN_NETNS=1 exec unshare -n "$0" "$@"
	fi
}

# the places of a test's hotmemfs and hotmemd under $TMP: mnt its mount,
# ctl its control socket, sock hotmemd's uevent socket, mem the mount's
# memory directory (set once need_hotmemfs_in_netns has run the test in
# its namespace: TMP is that run's)
fs_paths() {
	mnt=$TMP/mnt ctl=$TMP/ctl.sock sock=$TMP/uevent.sock
	mem=$mnt/sys/devices/system/memory
}
# hotmemd_on_sock ARGS...: hotmemd on $mnt, its uevents from $sock alone
# (--netlink=no), ARGS its policy; its log $log ($TMP/hotmemd.log), $dpid,
# in _pids; the check that it says "ready"
hotmemd_on_sock() {
	log=$TMP/hotmemd.log
	: >"$log" # there before the first grep: the background shell opens it
	"$HOTMEMD" --config /dev/null --sysroot "$mnt" --state-dir "$TMP/state" \
		--uevent-socket "$sock" --netlink=no "$@" 2>"$log" &
	dpid=$!
	_pids+=("$dpid")
	check "hotmemd ready on the hotmemfs mount" wait_for 10 grep -q "ready: sysroot" "$log"
}
# hotmemfs_start MNT CTL-SOCKET UEVENT-SOCKET [STATE]: hotmemfs on MNT
# (after need_hotmemfs_in_netns), STATE its state file (none without),
# its uevents also to UEVENT-SOCKET, its log appended to $TMP/fs.log,
# $fs_pid its pid; true once this start's own "mounted on" line is there
# (a killed one's dead mount still stats its cached attributes) and the
# tree answers, false if it exits first or takes over 30 s.  cleanup ends
# it with the rest of _pids and detaches the mount.
_fs_starts=0
hotmemfs_start() {
	local i
	_fs_mnt=$1 _fs_ctl=$2
	mkdir -p "$1"
	: >>"$TMP/fs.log" # there before the grep: the background shell opens it
	"$FS" -s "$2" -S "${4:-none}" -u "$3" "$1" 2>>"$TMP/fs.log" &
	fs_pid=$!
	_pids+=("$fs_pid")
	_fs_starts=$((_fs_starts + 1))
	for ((i = 0; i < 30 * 50; i++)); do
		[ "$(grep -c ' mounted on ' "$TMP/fs.log")" -ge "$_fs_starts" ] &&
			[ -e "$1/sys/devices/system/memory/block_size_bytes" ] && return 0
		kill -0 "$fs_pid" 2>/dev/null || return 1
		sleep 0.02
	done
	return 1
}
# mount_hotmemfs MNT CTL-SOCKET UEVENT-SOCKET [STATE]: hotmemfs_start, or
# the test ends: a skip only when FUSE itself is refused to us (no
# permission on /dev/fuse or for mount(2)); our own hotmemfs failing to
# mount is a failure, with its log
mount_hotmemfs() {
	hotmemfs_start "$@" && return 0
	sed 's/^/# /' "$TMP/fs.log"
	if grep -qE '(/dev/fuse|mount failed|fusermount3?).*(Permission denied|Operation not permitted)' "$TMP/fs.log"; then
		skip_all "FUSE refused to us: $(grep -m1 -E 'Permission denied|Operation not permitted' "$TMP/fs.log")"
	fi
	nok "hotmemfs mounts on $1 (its log above)"
	done_testing
}
# plug FIRST LAST: DIMMs dFIRST..dLAST of 128 MiB through the control
# socket of the last hotmemfs_start
plug() {
	local i
	for ((i = $1; i <= $2; i++)); do
		"$CTL" -s "$_fs_ctl" device_add pc-dimm size=128M id="d$i" >/dev/null || return 1
	done
}

# mk_sysroot DIR: an empty machine, 128 MiB blocks
mk_sysroot() {
	local r=$1
	mkdir -p "$r/sys/devices/system/memory" "$r/proc" \
		"$r/sys/module/memory_hotplug/parameters"
	echo 8000000 >"$r/sys/devices/system/memory/block_size_bytes"
	echo offline >"$r/sys/devices/system/memory/auto_online_blocks"
	echo 301 >"$r/sys/module/memory_hotplug/parameters/auto_movable_ratio"
	echo Y >"$r/sys/module/memory_hotplug/parameters/auto_movable_numa_aware"
	echo contig-zones >"$r/sys/module/memory_hotplug/parameters/online_policy"
	: >"$r/proc/zoneinfo"
}
# mk_small_machine ROOT: a sysroot whose node 0 has 1 GiB of boot memory
# online (blocks 0-7, Normal; Movable empty) and two offline blocks (8, 9)
# that may go Normal or Movable -- the machine of the tests of one
# decision or one status line
mk_small_machine() {
	mk_sysroot "$1"
	mk_blocks "$1" 0 7 online Normal
	zone_add "$1" 0 Normal 262144
	zone_add "$1" 0 Movable 0
	mk_blocks "$1" 8 9 offline "Normal Movable"
}

# small_hotmemd ROOT LOG: hotmemd on ROOT (mk_small_machine's), in the
# background with its log at info level in LOG (emptied first); its pid in
# $pid. One check: it said it is ready.
small_hotmemd() {
	: >"$2"
	"$HOTMEMD" --config /dev/null --sysroot "$1" --state-dir "$TMP/state" \
		--netlink=no --uevent-socket "$TMP/uevent.sock" --log-level info 2>>"$2" &
	pid=$!
	_pids+=("$pid")
	check "hotmemd ready" wait_for 10 grep -q "ready: sysroot" "$2"
}

# mk_boot_512m DIR: a machine of 512 MiB boot memory, memory0-3 online in
# Normal (its zoneinfo says so), nothing else
mk_boot_512m() {
	mk_sysroot "$1"
	mk_blocks "$1" 0 3 online Normal
	zone_add "$1" 0 Normal 131072
}

# set_boot_id DIR ID: the machine's boot_id (proc/sys/kernel/random), what
# state_dir/offlined's record is of; another one is a reboot
set_boot_id() {
	mkdir -p "$1/proc/sys/kernel/random"
	echo "$2" >"$1/proc/sys/kernel/random/boot_id"
}

# sock_machine [BOOT_ID]: the machine of the tests of hotmemd on a uevent
# socket (sock_start; tests/daemon/151, 152, 155, 162): root ($TMP/root),
# sock ($TMP/uevent.sock) and mem, root's memory directory; memory0-15
# online in Normal (2 GiB of boot memory), memory16-17 online in Movable,
# zoneinfo to match.  With BOOT_ID: its boot_id, and SOCK_STATE exported
# ($TMP/state): the state dir each sock_start shares, as restarts do
sock_machine() {
	root=$TMP/root sock=$TMP/uevent.sock
	mem=$root/sys/devices/system/memory
	mk_sysroot "$root"
	mk_blocks "$root" 0 15 online Normal
	zone_add "$root" 0 Normal 524288
	mk_blocks "$root" 16 17 online Movable
	zone_add "$root" 0 Movable 65536
	[ $# -eq 0 ] && return
	set_boot_id "$root" "$1"
	export SOCK_STATE=$TMP/state
}

# admin_offline ID [SEQ]: sock_machine's memoryID offline as an admin's
# write of its state leaves it (valid_zones "Normal Movable"); with SEQ,
# its OFFLINE sent on $sock numbered SEQ (without: the uevent lost)
admin_offline() {
	echo offline >"$mem/memory$1/state"
	echo "Normal Movable" >"$mem/memory$1/valid_zones"
	[ $# -lt 2 ] || "$UEVENT_SEND" --unix "$sock" --seq "$2" offline "$1"
}

# oneshot_run SYSROOT ERRFILE: hotmemd --oneshot on SYSROOT (auto-movable,
# --netlink=no, at info), state dir $TMP/state, its log ERRFILE; its exit
# status (timeout's 124 after 60 s)
oneshot_run() {
	timeout 60 "$HOTMEMD" --config /dev/null --sysroot "$1" --state-dir "$TMP/state" --oneshot \
		--netlink=no --policy auto-movable --log-level info 2>"$2"
}

# mk_block DIR ID STATE ZONES [NODE]: memoryID as lsmem and hotmemd read it
mk_block() {
	local r=$1 id=$2 state=$3 zones=$4 node=${5:-0}
	local b=$r/sys/devices/system/memory/memory$id
	mkdir -p "$b" "$r/sys/devices/system/node/node$node"
	echo "$state" >"$b/state"
	echo "$zones" >"$b/valid_zones"
	printf '%08x\n' "$id" >"$b/phys_index"
	[ "$state" = online ] && echo 1 >"$b/online" || echo 0 >"$b/online"
	echo 1 >"$b/removable"
	echo 0 >"$b/phys_device"
	ln -sfn "../../node/node$node" "$b/node$node"
	ln -sfn "../../memory/memory$id" "$r/sys/devices/system/node/node$node/memory$id"
}

# mk_blocks DIR FIRST LAST STATE ZONES [NODE]
mk_blocks() {
	local i
	for ((i = $2; i <= $3; i++)); do mk_block "$1" "$i" "$4" "$5" "${6:-0}"; done
}

# mk_many DIR FIRST LAST STATE ZONES [STEP]: mk_blocks of thousands (node 0)
# in one python3 run, not 3 forks a block: blocks FIRST, FIRST+STEP, ...
# up to LAST (STEP 1 unless given), made or made anew; needs python3
mk_many() {
	python3 - "$@" <<'PY'
import os, sys
root, first, last, state, zones = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
step = int(sys.argv[6]) if len(sys.argv) > 6 else 1
sysd = root + "/sys/devices/system"
os.makedirs(sysd + "/node/node0", exist_ok=True)
def put(path, text):
    with open(path, "w") as f:
        f.write(text + "\n")
def link(target, path):
    if os.path.lexists(path):
        os.unlink(path)
    os.symlink(target, path)
for i in range(first, last + 1, step):
    b = "%s/memory/memory%d" % (sysd, i)
    os.makedirs(b, exist_ok=True)
    put(b + "/state", state)
    put(b + "/valid_zones", zones)
    put(b + "/phys_index", "%08x" % i)
    put(b + "/online", "1" if state == "online" else "0")
    put(b + "/removable", "1")
    put(b + "/phys_device", "0")
    link("../../node/node0", b + "/node0")
    link("../../memory/memory%d" % i, "%s/node/node0/memory%d" % (sysd, i))
PY
}

# zone_add DIR NODE ZONE PRESENT: append a zone to proc/zoneinfo
zone_add() {
	printf 'Node %d, zone %8s\n  pages free     1000\n        min      10\n        spanned  %d\n        present  %d\n        managed  %d\n' \
		"$2" "$3" "$4" "$4" "$4" >>"$1/proc/zoneinfo"
}

# state DIR ID: what hotmemd wrote (or what was there)
state() { cat "$1/sys/devices/system/memory/memory$2/state"; }

# sock_start N [ARGS...]: hotmemd N on the uevent socket $sock (sysroot
# $root, --netlink=no, --policy online), state dir $SOCK_STATE (unset:
# $TMP/stN), its log
# $TMP/N.log, its pid in pidN; SOCK_ENV: VAR=VALUE words added to its
# environment; SOCK_AT=FIFO: it execs once it has read a line from FIFO
# (at_once(), tests/daemon/140)
sock_start() {
	local n=$1 at=()
	shift
	: >"$TMP/$n.log"
	[ -z "${SOCK_AT:-}" ] || at=(sh -c 'read -r _ <"$0" && exec "$@"' "$SOCK_AT")
	# shellcheck disable=SC2086 # SOCK_ENV: words
	env ${SOCK_ENV:-} "${at[@]}" "$HOTMEMD" --config /dev/null --sysroot "$root" --state-dir "${SOCK_STATE:-$TMP/st$n}" \
		--netlink=no --uevent-socket "$sock" --policy online "$@" 2>"$TMP/$n.log" &
	eval "pid$n=$!"
	_pids+=("$!")
}
# ready N: sock_start N's hotmemd said it is ready (its coldplug done)
ready() { grep -q "ready: sysroot" "$TMP/$1.log"; }
# at_once N M: sock_start N and M, both let go at the same instant: each
# waits in a read of one FIFO (its wchan a pipe read) until one write
# brings both their lines
at_once() {
	local gate=$TMP/at_once fd
	[ -p "$gate" ] || mkfifo "$gate"
	exec {fd}<>"$gate"
	SOCK_AT=$gate sock_start "$1"
	SOCK_AT=$gate sock_start "$2"
	wait_for 30 fifo_readers "$(eval echo "\$pid$1")" "$(eval echo "\$pid$2")"
	printf '\n\n' >&"$fd"
	exec {fd}>&-
}
# fifo_readers PID...: each PID waits in a pipe's read
fifo_readers() {
	local p
	for p; do grep -q pipe_read "/proc/$p/wchan" 2>/dev/null || return 1; done
}
# sock_add ID: a new offline block ID in $root and its ADD sent on $sock:
# 0 once it is online, 1 after 10 s
sock_add() {
	mk_block "$root" "$1" offline "Normal Movable"
	"$UEVENT_SEND" --unix "$sock" add "$1" &&
		wait_for 10 sh -c "[ \"\$(cat '$root/sys/devices/system/memory/memory$1/state')\" = online ]"
}

# fifo_sender NAME: a Unix-socket sender of its own to $sock, one process
# (one pid) alive until the test ends: each line "SEQ ACTION ID..."
# written to the FIFO $TMP/NAME.fifo sent as a uevent ACTION of each
# memoryID, numbered SEQ, SEQ+1, ...; "sent SEQ" in $TMP/NAME.out once
# they are.  Two of them are two senders (tests/daemon/151, 161);
# hotmemd follows each sender's SEQNUMs apart (daemon/missed.c)
fifo_sender() {
	mkfifo "$TMP/$1.fifo" && : >"$TMP/$1.out" || return 1
	python3 - "$sock" "$TMP/$1.fifo" "$TMP/$1.out" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
out = open(sys.argv[3], "a", buffering=1)
for line in open(sys.argv[2]):
    w = line.split()
    seq = int(w[0])
    for blk in w[2:]:
        dev = "/devices/system/memory/memory" + blk
        s.sendto(("%s@%s\0ACTION=%s\0DEVPATH=%s\0SUBSYSTEM=memory\0SEQNUM=%d\0"
                  % (w[1], dev, w[1], dev, seq)).encode(), sys.argv[1])
        seq += 1
    out.write("sent %s\n" % w[0])
PY
	_pids+=("$!")
}
# seq_sender_start: one fifo_sender until the test ends, so that a gap
# between two uevent_send runs (each a sender whose first datagram has no
# previous) is no gap.  seq_send SEQ ACTION ID...: its datagrams numbered
# SEQ, SEQ+1, ...; returns once they are sent
seq_sender_start() {
	fifo_sender seq_sender && exec {_seq_fd}>"$TMP/seq_sender.fifo"
}
seq_send() {
	echo "$*" >&"$_seq_fd" && wait_for 10 grep -qx "sent $1" "$TMP/seq_sender.out"
}

# exec_reload_cmd: the shell command of unit-files/hotmemd.service's
# ExecReload= (/bin/sh -c '...'), as systemd hands it to sh ($$ and %%
# unescaped), the test's hotmemd (--config /dev/null) in place of
# /usr/local/bin/hotmemd; run it with RUNTIME_DIRECTORY and MAINPID set,
# as systemd does; empty if the line is not /bin/sh -c '...'
exec_reload_cmd() {
	local line
	line=$(sed -n 's/^ExecReload=//p' "$HOTMEM_SRC/unit-files/hotmemd.service")
	line=${line//\/usr\/local\/bin\/hotmemd/$HOTMEMD --config \/dev\/null}
	line=${line//\$\$/\$}
	line=${line//%%/%}
	sed -n "s/^\/bin\/sh -c '\(.*\)'$/\1/p" <<<"$line"
}
# wait_for SECONDS CMD...: poll until CMD succeeds
wait_for() {
	local t=$1 i; shift
	for ((i = 0; i < t * 50; i++)); do "$@" && return 0; sleep 0.02; done
	return 1
}

# The directories hotmemd lists, from a hotmemfs started with -d:
# libfuse's log of every request ("unique: U, opcode: READDIRPLUS (44),
# nodeid: I, ...", I the directory's inode number, which stat says) --
# hotmemfs's count, not hotmemd's (tests/daemon/90, 92: a bound from
# hotmemd's own count of its reads grew with any read it added, reread21
# H7).  fuse_log_mark LOG: a window's edge in LOG (its lines so far).
fuse_log_mark() { wc -l <"$1"; }
# fuse_dir_lists LOG FROM TO MEM: the READDIRPLUS of LOG's lines FROM+1 to
# TO by directory, "NAME N" lines: "memory/" (MEM), "memoryK" (MEM's
# memoryK/), "other" (any other directory); and "all N"
fuse_dir_lists() {
	sed -n "$(($2 + 1)),$3p" "$1" |
		sed -n 's/.*opcode: READDIRPLUS ([0-9]*), nodeid: \([0-9]*\),.*/\1/p' >"$TMP/lists.ids"
	stat -c '%i %n' "$4" "$4"/memory[0-9]* >"$TMP/lists.inos" || return 1
	python3 - "$TMP/lists.ids" "$TMP/lists.inos" "$4" <<'PY'
import collections, os, sys
names = {}
for l in open(sys.argv[2]):
    ino, path = l.split(None, 1)
    path = path.rstrip("\n")
    names[ino] = "memory/" if path == sys.argv[3] else os.path.basename(path)
n = collections.Counter(names.get(i.strip(), "other") for i in open(sys.argv[1]))
for k in sorted(n):
    print(k, n[k])
print("all", sum(n.values()))
PY
}
# fuse_lists_within LISTS WAITED WALKS TOTAL: fuse_dir_lists's LISTS as an
# ADD's link waits cost (the FUSE request log of 2026-12-01, 46b92477; with
# hotmemfs's link event delayed 100 ms, every ADD waiting: 3 each): a
# block's memoryK/ listed once (its ADD's listing stops at its node link),
# three times if hotmemd said it waited for its node link (WAITED: their
# ids; the listing without the link read to its end, its empty READDIRPLUS
# too, and listed again at the settle once the link is there: a settle
# before it is answered by the kernel's listing cache); memory/ never;
# other directories -- the ACPI devices -- twice a walk at most (WALKS:
# hotmemd's "ACPI memory devices looked at"; a listing to its end) and
# once for the first block met without a firmware_node
# (hmd_acpi_memory_devices(), not said).  TOTAL: the READDIRPLUS that
# hotmemfs's status counted over the same window, which the log must hold
# all of (a log that says nothing passes nothing).  Each excess said.
fuse_lists_within() {
	python3 - "$@" <<'PY'
import sys
lists = {k: int(v) for k, v in (l.split() for l in open(sys.argv[1]))}
waited = {"memory" + l.strip() for l in open(sys.argv[2]) if l.strip()}
walks, total = int(sys.argv[3]), int(sys.argv[4])
bad = []
if lists.get("all", 0) != total:
    bad.append("the FUSE log holds %d READDIRPLUS, hotmemfs counted %d" % (lists.get("all", 0), total))
if lists.get("memory/", 0):
    bad.append("memory/ listed %d times" % lists["memory/"])
for k, v in sorted(lists.items()):
    if k.startswith("memory") and k != "memory/" and v > (3 if k in waited else 1):
        bad.append("%s/ listed %d times%s" % (k, v, ", it waited for its node link" if k in waited else ""))
if lists.get("other", 0) > 2 * walks + 1:
    bad.append("other directories listed %d times, %d walks of the ACPI devices" % (lists["other"], walks))
for b in bad:
    print("#   " + b)
sys.exit(1 if bad else 0)
PY
}
