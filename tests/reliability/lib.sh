# shellcheck shell=bash
# Helpers for tests/reliability/*.t: tests/fusefs/lib.sh (TAP, a hotmemfs
# per test in its own temp dir, cleanup on exit), plus hotmemfs started in
# a private network namespace of its own (unshare -n: its uevents go
# there, never to the host's) and status snapshots to compare.
. "$(dirname "$0")/../fusefs/lib.sh"

# start_fs_netns [hotmemfs options...]: like start_fs, in a new netns.
# unshare execs hotmemfs, so $FS_PID is hotmemfs itself.
start_fs_netns() {
	unshare -n "$HMFS" --control "$CTL" --state "$STATE" "$@" "$MNT" 2>>"$TMP/hotmemfs.log" &
	FS_PID=$!
	fs_wait_mounted || fs_mount_failed
}

# The device fields of `hotmemctl status --json` that are the guest
# driver's run time, never saved: what it did last (the pfn and errno
# its last pass stopped at) and when it retries -- a restart or a refused
# plug may change them.  One list for snapshot() and faults.t's
# full_snapshot(): a run-time field added later goes here, once.  Given
# to python as its arguments (python3 -c "..." "${DEV_RUNTIME_FIELDS[@]}").
DEV_RUNTIME_FIELDS=(busy-pfn busy-errno retry-in-ms retry-errno plug-stopped offline-size)

# snapshot: the machine as `hotmemctl status --json` shows it, without
# what a restart legitimately changes (uevent counters, save counters, FUSE
# request counters, the summary text with its free-page figures, free pages, memory group
# numbers, the engine's metadata bytes: section tables sized by history;
# the guest driver's run time: DEV_RUNTIME_FIELDS; the mount's device,
# mount-dev, new at every mount).
snapshot() {
	ctl --json status | python3 -c '
import json, sys
d = json.load(sys.stdin)
m = d["machine"]
for k in ("summary", "free-pages", "metadata-bytes"):
    m.pop(k, None)
for k in ("state-saves", "state-save-errors", "state-journal-records",
          "state-journal-syncs"):
    d.pop(k, None)
for z in d.get("zones", []):
    z.pop("free", None)
d.pop("uevents", None)
d.pop("control", None)
d.pop("fuse", None)
d.pop("state-writes", None)
d.pop("mount-dev", None)
for b in d.get("blocks", []):
    b.pop("group", None)
for v in d.get("devices", []):
    v.pop("memory-group", None)
    for k in sys.argv[1:]:
        v.pop(k, None)
print(json.dumps(d, indent=1, sort_keys=True))' "${DEV_RUNTIME_FIELDS[@]}"
}

# sysfs state of every block: "memoryN state zone" lines
sysfs_blocks() {
	local d
	for d in "$MNT"/sys/devices/system/memory/memory*; do
		echo "${d##*/} $(cat "$d/state") $(cat "$d/valid_zones" 2>/dev/null | head -c 40)"
	done | sort -V
}

# same_text GOT WANT NAME: like is(), but shows a unified diff.  An empty
# side fails: snapshot or sysfs_blocks print nothing when hotmemctl or
# the mount failed, and two failures are not "the same machine".
same_text() {
	if [ -z "$1" ] || [ -z "$2" ]; then
		tap_ok 1 "$3"
		diag "  empty: got ${#1} bytes, want ${#2} bytes (a failed snapshot or read?)"
	elif [ "$1" == "$2" ]; then
		tap_ok 0 "$3"
	else
		tap_ok 1 "$3"
		diff -u <(echo "$2") <(echo "$1") | head -40 | sed 's/^/#   /'
	fi
}

# state_on_small_tmpfs NAME [SIZE]: $STATE on a 256k (SIZE) tmpfs of its own at $SD
# (unmounted at exit), to be filled with fill_sd: ENOSPC on demand.
# Called again (a test's second case), the first tmpfs is unmounted
# first: a second mounted over it was all the exit's unmount took away,
# the first stayed mounted under $TMP for good and cleanup's rm said
# "cannot remove .../statedir: Device or resource busy".
state_on_small_tmpfs() {
	SD=$TMP/statedir
	if ! small_tmpfs_off; then
		nok "$SD: the previous case's tmpfs cannot be unmounted (busy)"
		done_testing
		exit 1
	fi
	mkdir -p "$SD"
	mount -t tmpfs -o size="${2:-256k}",mode=0700 "$1" "$SD" || skip_all "cannot mount a tmpfs"
	trap '_rc=$?; in_test_shell && small_tmpfs_exit "$_rc"' EXIT
	STATE=$SD/hotmemfs.state
}
# small_tmpfs_off: hotmemfs stopped (its state file is on it: stop_fs
# waits for its exit) and $SD's tmpfs unmounted, every one mounted
# there; false if one stays (busy: something of the test still uses it)
small_tmpfs_off() {
	stop_fs
	while mountpoint -q "$SD"; do
		umount "$SD" 2>>"$TMP/umount.log" || return 1
	done
}
# small_tmpfs_exit STATUS, the exit's: $SD unmounted before cleanup
# removes $TMP.  One still busy is detached (never left mounted) and the
# test fails: its cleanup was not complete.
small_tmpfs_exit() {
	local rc=$1
	if ! small_tmpfs_off; then
		echo "# $SD is still busy at exit: detached (umount -l); a process of the test still uses it"
		while mountpoint -q "$SD"; do umount -l "$SD" || break; done
		rc=1
	fi
	cleanup
	exit $rc
}
fill_sd() {
	dd if=/dev/zero of="$SD/fill" bs=4k 2>/dev/null
	dd if=/dev/zero of="$SD/fill2" bs=512 2>/dev/null
}
# restart_start_save_fails: hotmemfs killed -9 and started again (OPTS)
# on a full disk, so that its start save fails (two TAP checks: the
# restart, the failure logged); fill_sd's files are left for the caller
restart_start_save_fails() {
	kill9_fs
	fill_sd
	start_fs_netns "${OPTS[@]}"
	tap_ok $? "restart after kill -9, its start save failing (the disk full)"
	grep -q "saving state to $STATE: No space left on device" "$TMP/hotmemfs.log"
	tap_ok $? "... the failed save is logged"
}

# full_no_undo: a change now can be neither saved nor undone (two TAP
# lines): $SD filled, then memory33's onlines and offlines (records of one
# block, the size of memory32's) until one is refused, as the journal's
# last page may still have room; then every offline fails (hotmemctl's
# inject: no record), so an online's undo is refused
full_no_undo() {
	local n b=$MNT/sys/devices/system/memory/memory33/state
	fill_sd
	for ((n = 0; n < 200; n++)); do
		echo online_movable >"$b" 2>/dev/null || break
		echo offline >"$b" 2>/dev/null || break
	done
	[ "$n" -lt 200 ]
	tap_ok $? "the journal is full (a write refused after $n pairs acknowledged)"
	ctl inject MEM_GOING_OFFLINE -16 >/dev/null
	tap_ok $? "every offline now fails with EBUSY"
}

# ---- the state file's tests (state-*.t) ----
# state_drop_key KEY...: $STATE as a file from before the machine had
# KEYs, each a key of its machine ("iattrs") or below one
# ("params/drivers-autoprobe"); checksum redone
state_drop_key() {
	python3 - "$STATE" "$@" <<'PY'
import json, sys, zlib
p = sys.argv[1]
s = json.load(open(p))
for k in sys.argv[2:]:
    *up, last = k.split("/")
    o = s["machine"]
    for u in up:
        o = o[u]
    o.pop(last, None)
plain = json.dumps(s["machine"], separators=(",", ":")).replace("/", "\\/")
s["crc32"] = zlib.crc32(plain.encode())
json.dump(s, open(p, "w"))
PY
}
M=$MNT/sys/devices/system/memory
# qemu-512m without kernel allocations: every hot-added block can go offline again
STATE_OPTS=(--profile qemu-512m --cmdline hotmem.kernel_alloc=off)
SHIM=$HOTMEM_BUILD/tests/reliability/sync_shim.so
# a sanitized hotmemfs wants its runtime first; the shim has no sanitizer
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0

# start_state_fs SIZE [hotmemfs options...]: STATE_OPTS, a fresh state
# file and a SIZE pc-dimm d1 from memory32 on (two TAP lines)
start_state_fs() {
	local size=$1
	shift
	start_fs_netns "${STATE_OPTS[@]}" "$@" --fresh
	tap_ok $? "hotmemfs mounts qemu-512m with a fresh state file"
	ctl device_add pc-dimm id=d1 size="$size" >/dev/null
	tap_ok $? "a $size DIMM from memory32 on"
}
# refused WHY NAME [hotmemfs options]: hotmemfs exits, saying WHY; known
# as soon as it exits or mounts (not refused: stopped at once), 10 s at most
refused() {
	local why=$1 name=$2 rc
	shift 2
	unshare -n "$HMFS" --control "$CTL" --state "$STATE" "$@" "$MNT" 2>"$TMP/err.txt" &
	FS_PID=$!
	if fs_wait_mounted || kill -0 "$FS_PID" 2>/dev/null; then
		rc="none: it mounted or hung"
		stop_fs
	else
		wait_exit "$FS_PID" 10	# gone already: its status
		rc=$?
		FS_PID=
	fi
	[[ $rc =~ ^[0-9]+$ ]] && [ "$rc" -ne 0 ] && ! mountpoint -q "$MNT"
	tap_ok $? "$name: refused to start (exit $rc)"
	grep -q -- "$why" "$TMP/err.txt"
	tap_ok $? "... saying '$why': $(head -1 "$TMP/err.txt")"
	mountpoint -q "$MNT" && umount -l "$MNT"
}
# held_wait: the shim holds an fdatasync() ($TMP/hold.held, with
# HOTMEM_TEST_SYNC_HOLD=$TMP/hold), 30 s at most; else false
held_wait() { file_wait "$TMP/hold.held"; }
# require_shim: sync_shim.so built (tests/need.sh need_built: a skip by
# hand, a failure under make check, which builds it)
require_shim() { need_built "$SHIM"; }
# require_sync_fail: what a test of saves made to fail needs (require_env,
# require_shim, python3), the shim armed while $TMP/fail exists
# (HOTMEM_TEST_SYNC_FAIL)
require_sync_fail() {
	require_env
	require_shim
	need_tool python3 python3
	export HOTMEM_TEST_SYNC_FAIL=$TMP/fail
}
# struct_size VAR NAME...: VAR set to the sum of the byte sizes of the named structs in
# hotmemfs's debug info (built with -g), for an alloc_shim rule that must
# hit one allocation by its size: a size written by hand goes stale when a
# field is added (state-undo-pre-nodes-enomem.t's 584 did at cb768ccb and
# its checks failed unnoticed as "not ok" -- now the size follows the
# build).  Skips the test when readelf or the debug info lacks one.
struct_size() {
	local var=$1 sum=0 n name

	shift
	need_tool readelf binutils
	for name in "$@"; do
		n=$(readelf --debug-dump=info "$HOTMEM_BUILD/hotmemfs" 2>/dev/null | awk -v want="$name" '
			/^ *<[0-9]+><[0-9a-f]+>:/ { s = ($0 ~ /DW_TAG_structure_type/); name = ""; next }
			s && /DW_AT_name/ { name = $NF }
			s && /DW_AT_byte_size/ && name == want { print $NF; exit }')
		[[ $n =~ ^[0-9]+$ ]] || skip_all "no size of struct $name in $HOTMEM_BUILD/hotmemfs's debug info (readelf)"
		sum=$((sum + n))
	done
	printf -v "$var" %s "$sum"
}
# probe_profile: PROBE_OPTS, hotmemfs's options for qemu-512m with a probe
# file ($TMP/probe.profile) and no kernel allocations
# (tests/reliability/state-max-pfn-undo*.t)
probe_profile() {
	cat >"$TMP/probe.profile" <<'PROF'
profile = qemu-512m
name = qemu-512m-probe
probe = yes
PROF
	PROBE_OPTS=(--profile "$TMP/probe.profile" --cmdline hotmem.kernel_alloc=off)
}
# kpage_ends PFN: where /proc/kpageflags and kpagecount end, a line each:
# "kpageflags ret=8 ret=0" when the entry before PFN reads and PFN's does
# not (x86's max_pfn; tests/reliability/state-max-pfn-undo*.t)
kpage_ends() {
	local f
	for f in kpageflags kpagecount; do
		echo "$f $(kpage pread "$MNT/proc/$f" 8 $(($1 * 8 - 8))) $(kpage pread "$MNT/proc/$f" 8 $(($1 * 8)))"
	done
}
# memmap_view BLOCK...: where each BLOCK's memmaps from system RAM are
# (explain --all), MemFree per node and zoneinfo's free pages: what a
# restart must bring back (tests/reliability/restart-memmap*.t)
memmap_view() {
	local b
	for b in "$@"; do
		[ -e "$M/memory$b" ] || continue
		echo "== memory$b"
		ctl explain "$b" --all | grep 'from system RAM'
	done
	grep -h MemFree "$MNT"/sys/devices/system/node/node*/meminfo
	grep -E '^Node|^ +pages free' "$MNT/proc/zoneinfo"
}
# plugged [ID]: the plugged-size of virtio-mem device ID (vm0), in bytes
plugged() {
	ctl --json status | python3 -c 'import json,sys; print([d["plugged-size"] for d in json.load(sys.stdin)["devices"] if d["id"] == sys.argv[1]][0])' "${1:-vm0}"
}
# refused_save VALUE FILE WHAT SAME: VALUE written to FILE while the state
# file's fdatasync() fails (sync_shim.so, $HOTMEM_TEST_SYNC_FAIL): the
# write is refused (TAP "WHAT is refused, ...") and the machine is as
# before (TAP SAME, a snapshot diff); the next sync works again
refused_save() {
	local expect
	expect=$(snapshot)
	: >"$HOTMEM_TEST_SYNC_FAIL"
	echo "$1" >"$2" 2>/dev/null
	tap_ok $((! $?)) "$3 is refused, its fdatasync() failing"
	same_text "$(snapshot)" "$expect" "$4"
	rm -f "$HOTMEM_TEST_SYNC_FAIL"
}
# kill9_same START [ARGS...]: hotmemfs killed with SIGKILL, START ARGS
# starts it again: it starts, and the machine is the one it was (two TAP lines)
kill9_same() {
	local expect
	expect=$(snapshot)
	kill9_fs
	"$@"
	tap_ok $? "restart after kill -9"
	same_text "$(snapshot)" "$expect" "... the same machine"
}

# status_field KEY: one field of `hotmemctl --json status`
status_field() { ctl --json status | python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
# journal_text: the journal's records, without the zeros they are written over
journal_text() { python3 -c 'import sys; sys.stdout.write(open(sys.argv[1], "rb").read().split(b"\0")[0].decode())' "$STATE.journal"; }
# journal_append PYTHON-LIST: records appended to the journal (checksums
# right), each given the next seq; `devices` is the last "device"
# record's devices (those it changed), or the state file's.  Says the
# line number of the first.
journal_append() {
	python3 - "$STATE" "$1" <<'PY'
import json, sys, zlib
state = json.load(open(sys.argv[1]))
path, seq = sys.argv[1] + ".journal", state.get("seq", 0)
data = open(path, "rb").read()
end = data.find(b"\0") if b"\0" in data else len(data)
lines = data[:end].decode().splitlines()
recs = [json.loads(l.split(" ", 1)[1]) for l in lines]
seq = recs[-1]["seq"] if recs else seq
devices = ([state["machine"]["devices"]] + [r["device"]["devices"] for r in recs if "device" in r])[-1]
out = b""
for rec in eval(sys.argv[2]):
    seq += 1
    t = json.dumps(dict(seq=seq, **rec), separators=(",", ":")).encode()
    out += b"%08x %s\n" % (zlib.crc32(t), t)
with open(path, "r+b") as f:
    f.seek(end)
    f.write(out)
print(len(lines) + 1)
PY
}
# state_seq: the journal's seq the state file holds
state_seq() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("seq", 0))' "$STATE"; }
# flips N [BLOCK] [UNTIL]: BLOCK (32) online_movable/offline, N changes, or fewer
# once the file UNTIL exists; its last state on stdout
flips() {
	python3 - "$M/memory${2:-32}/state" "$1" "${3:-}" <<'PY'
import os, sys
p, n, until = sys.argv[1], int(sys.argv[2]), sys.argv[3]
want = open(p).read().strip()
for i in range(n):
    if until and os.path.exists(until):
        break
    want = "online_movable" if open(p).read().strip() == "offline" else "offline"
    fd = os.open(p, os.O_WRONLY)
    os.write(fd, want.encode())
    os.close(fd)
print(want)
PY
}

# kernel_pages [--memfree] BLOCK...: the kernel's pages, to compare across a
# restart or an undo: each block's explain (less its zone line and vmemmap
# steps) and meminfo's kernel counts (MemFree too with --memfree)
kernel_pages() {
	local b f='Slab|SReclaimable|SUnreclaim|KernelStack|PageTables|Percpu'
	[ "$1" = --memfree ] && { f="MemFree|$f"; shift; }
	for b in "$@"; do
		echo "== memory$b"
		ctl explain "$b" --all | grep -v -e '^zone: ' -e 'vmemmap_populate'
	done
	grep -E "^($f):" "$MNT/proc/meminfo"
}

# qom_set_take_fails: behind vmem_offline_loops (sync_shim.so,
# HOTMEM_TEST_SYNC_FAIL=$TMP/fail), a qom-set of vm0 to 512M answered {}
# while the offline loops (queued, its record durable); then, syncs
# failing ($TMP/fail made and left), the offline ends and the change that
# takes the queue is undone: two TAP lines
# (state-qom-set-taken-sync-fails.t, state-qom-set-queued-undo-retry.t)
qom_set_take_fails() {
	in_background qs qmp_qom_set vm0 536870912
	answered_within qs 30 && [ "$(cat "$TMP/qs.out")" = '{"return":{}}' ] && looping
	tap_ok $? "qom-set vm0 requested-size 512M answers {} while the offline loops (its record durable)"
	: >"$TMP/fail"
	ctl free-all >/dev/null
	wait "$OFF"
	says_within 30 1 sh -c 'grep -c "vm0: the queued requested-size 0x20000000: saving" "$1"' - "$TMP/hotmemfs.log"
	tap_ok $? "the change taking it fails its fdatasync(): undone"
}

# given_up_no_boost: the hugetlb pool takes every free 2 MiB block,
# allocations steal until kswapd gives DMA32's node up
# (boost_until_unreclaimable), are given back, and a setup
# (min_free_kbytes <- itself) zeroes the boost: nothing makes the node
# reclaimable again. One TAP line. Needs V=$MNT/proc/sys/vm.
given_up_no_boost() {
	w "$V/nr_hugepages" 1000 >/dev/null
	boost_until_unreclaimable
	ctl free-all >/dev/null
	w "$V/min_free_kbytes" "$(cat "$V/min_free_kbytes")" >/dev/null
	[ "$(zi DMA32 node_unreclaimable:)" = 1 ] && [ "$(zi DMA32 boost)" = 0 ]
	tap_ok $? "DMA32's node given up on by kswapd, no boost standing"
}

# vm0_to_memory33: the virtio-mem steps the state-undo-pre-nodes tests start
# from: vm0 plugs 64M then 128M into memory32 (online movable; 6.12 sets no
# marks up), then 256M adds memory33, offline. Four TAP lines; needs the
# test's marks().
vm0_to_memory33() {
	local m64
	echo online_movable >"$M/auto_online_blocks"
	ctl device_add virtio-mem-pci id=vm0 size=1G requested-size=64M >/dev/null
	is "$(plugged)" $((64 << 20)) "virtio-mem vm0 plugs 64M: half of memory32, online movable"
	m64=$(marks)
	ctl set-size vm0 128M >/dev/null
	is "$(plugged)" $((128 << 20)) "vm0 requested 128M: the other half plugged into memory32"
	same_text "$(marks | grep -v managed)" "$(echo "$m64" | grep -v managed)" \
		"... zoneinfo's marks, pagesets and thresholds did not move (6.12 sets none up)"
	echo offline >"$M/auto_online_blocks"
	ctl set-size vm0 256M >/dev/null
	is "$(cat "$M/memory33/state")" offline "vm0 requested 256M: memory33 added, offline"
}

# ---- allocation-failure sweeps (state-nomem-*.t, *-enomem.t) ----
# nomem_setup [FILE]: what a sweep under alloc_shim.so needs (require_env,
# python3, the shim built into $TMP), the shim armed by $TMP/FILE
# (malloc: HOTMEM_TEST_ALLOC_FAIL) and MACHINE, qemu-512m without kernel
# allocations (each block added can go offline again)
nomem_setup() {
	require_env
	need_tool python3 python3
	require_preload_shim alloc_shim
	export HOTMEM_TEST_ALLOC_FAIL=$TMP/${1:-malloc}
	MACHINE=(--profile qemu-512m --cmdline hotmem.kernel_alloc=off)
}
# nomem_mount [NAME [hotmemfs options...]]: mount_fs under alloc_shim.so
# (one TAP line, NAME): by default MACHINE with a fresh state file
nomem_mount() {
	local name=${1:-"hotmemfs mounts qemu-512m with a fresh state file (alloc_shim.so)"}

	if (($# > 1)); then
		shift
	else
		set -- "${MACHINE[@]}" --fresh
	fi
	LD_PRELOAD=$TMP/alloc_shim.so mount_fs "$name" "$@"
}
# has_dev ID: `hotmemctl status` lists device ID
has_dev() {
	ctl --json status | python3 -c 'import json,sys; sys.exit(not any(d["id"] == sys.argv[1] for d in json.load(sys.stdin)["devices"]))' "$1"
}
# kill9_remount_same: hotmemfs killed -9 and mounted again from its state
# file (MACHINE, no shim): it mounts, and the machine is the one it was
# (two TAP lines, a sweep's last)
kill9_remount_same() {
	local expect
	expect=$(snapshot)
	kill9_fs
	mount_fs "kill -9, restart from the state file" "${MACHINE[@]}"
	same_text "$(snapshot)" "$expect" "... the same machine"
}
# mf_profile: OPTS, hotmemfs's options for a default machine with probe and
# memory_failure ($TMP/mf.profile); W FILE VALUE writes as sysw.py ("ret=N"
# or the errno's name), hwc: meminfo's HardwareCorrupted in kB
# (state-hwpoison.t, state-nomem-hwpoison-enomem.t)
mf_profile() {
	cat >"$TMP/mf.profile" <<'PROF'
profile = default
name = hwpoison-state
probe = yes
memory_failure = yes
PROF
	OPTS=(--profile "$TMP/mf.profile")
}
W() { python3 "$HOTMEM_SRC/tests/fusefs/sysw.py" w "$@"; }
hwc() { awk '/^HardwareCorrupted:/ {print $2}' "$MNT/proc/meminfo"; }
# after_records LINE PYTHON [ARGS...]: PYTHON run on the journal's records
# after line LINE (a sweep's step: those it appended), given rs (the
# records, parsed), where(v, path) (the paths of v's nulls) and null(v)
# (v has one); ARGS are its sys.argv[1:].  A python that fails prints
# "unreadable" too: a check that prints nothing when right must not pass
# on a journal it could not read
after_records() {
	local line=$1 prog=$2

	shift 2
	journal_text | tail -n +"$((line + 1))" | python3 -c '
import json, sys
def where(v, path=""):
    if v is None:
        return [path]
    if isinstance(v, dict):
        return sum((where(x, path + "/" + k) for k, x in v.items()), [])
    if isinstance(v, list):
        return sum((where(x, path + "/" + str(i)) for i, x in enumerate(v)), [])
    return []
def null(v):
    return bool(where(v))
rs = [json.loads(l.split(" ", 1)[1]) for l in sys.stdin]
'"$prog" "$@" || echo unreadable
}
# malloc_step N SIZE CMD...: CMD run with its Nth SIZE-byte malloc()
# failing (alloc_shim.so, nomem_setup's $TMP/malloc): out is its stdout,
# rc its status, end N if it did not reach an Nth (the sweep's last
# step).  False, " N:dead" added to bad, when hotmemfs died of it.
malloc_step() {
	local n=$1 sz=$2

	shift 2
	echo "malloc $n $sz" >"$TMP/malloc"
	out=$("$@")
	rc=$?
	[ -e "$TMP/malloc" ] && { end=$n; rm -f "$TMP/malloc"; }
	kill -0 "$FS_PID" 2>/dev/null && return 0
	bad+=" $n:dead"
	return 1
}
# devadd_sweep SIZE NULLS: `device_add pc-dimm id=d1 size=128M` with its
# Nth SIZE-byte malloc() failing (alloc_shim.so, nomem_setup's
# $TMP/malloc), N = 1, 2,
# ... until one is past the add's last (400 at most).  A refused add must
# leave no d1 and the journal as it was; a done one is checked by NULLS
# LINE (prints what is null in the records after journal line LINE, or
# nothing) and deleted again.  Sets total, refused and bad (" SIZE/N:why"
# each, empty if none) for the test's checks.
devadd_sweep() {
	local sz=$1 nulls=$2 n=0 lines sum rc s

	total=0 refused=0 bad=
	while [ "$n" -lt 400 ]; do
		n=$((n + 1))
		lines=$(journal_text | wc -l)
		sum=$(journal_text | md5sum)
		echo "malloc $n $sz" >"$TMP/malloc"
		ctl device_add pc-dimm id=d1 size=128M >/dev/null 2>&1
		rc=$?
		if [ -e "$TMP/malloc" ]; then # past the add's last: the shim's file untaken
			rm -f "$TMP/malloc"
			ctl device_del d1 >/dev/null
			break
		fi
		total=$((total + 1))
		if [ "$rc" -ne 0 ]; then
			refused=$((refused + 1))
			! has_dev d1 && [ "$(journal_text | md5sum)" = "$sum" ] || bad+=" $sz/$n:changed"
			continue
		fi
		s=$("$nulls" "$lines")
		[ -z "$s" ] || bad+=" $sz/$n:null($s)"
		ctl device_del d1 >/dev/null || bad+=" $sz/$n:del"
	done
	[ "$n" -lt 400 ] || bad+=" $sz:endless"
}
# policy_sweep SIZE CHECK [STEP]: online_policy written (auto-movable and
# contig-zones in turn, P=its file) with its Nth SIZE-byte malloc()
# failing (alloc_shim.so, nomem_setup's $TMP/malloc), N = 1, 2, ... until one is past
# the write's last (400 at most), STEP run before each (false: the sweep
# stops, " N:toggle").  A refused write must leave the policy and the
# journal as they were; a done one must read back, and CHECK LINE NEW
# prints what is wrong with the records after journal line LINE (nothing
# if right).  hotmemfs must stay alive.  Sets n, total, refused and bad
# (" N:why" each, empty if none) for the test's checks.
policy_sweep() {
	local sz=$1 check=$2 step=${3:-true} lines sum old new rc s

	n=0 total=0 refused=0 bad=
	while [ "$n" -lt 400 ]; do
		n=$((n + 1))
		"$step" || { bad+=" $n:toggle"; break; }
		lines=$(journal_text | wc -l)
		sum=$(journal_text | md5sum)
		old=$(cat "$P")
		new=auto-movable
		[ "$old" = auto-movable ] && new=contig-zones
		echo "malloc $n $sz" >"$TMP/malloc"
		echo "$new" 2>/dev/null >"$P"
		rc=$?
		if [ -e "$TMP/malloc" ]; then # past the write's last: the shim's file untaken
			rm -f "$TMP/malloc"
			break
		fi
		if ! kill -0 "$FS_PID" 2>/dev/null; then
			bad+=" $n:dead"
			break
		fi
		total=$((total + 1))
		if [ "$rc" -ne 0 ]; then
			refused=$((refused + 1))
			[ "$(cat "$P")" = "$old" ] && [ "$(journal_text | md5sum)" = "$sum" ] || bad+=" $n:changed"
			continue
		fi
		[ "$(cat "$P")" = "$new" ] || bad+=" $n:lost"
		s=$("$check" "$lines" "$new")
		[ -z "$s" ] || bad+=" $n:$s"
	done
	[ "$n" -lt 400 ] || bad+=" endless"
}
