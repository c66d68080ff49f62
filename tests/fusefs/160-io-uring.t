#!/bin/bash
# hotmemfs --io-uring: FUSE over io_uring (fusefs/uring.c, kernel 6.14+).
# With fuse.enable_uring N it refuses to start, saying what to do, and
# mounts nothing.  With Y every request but INIT, FORGET and INTERRUPT
# comes through the ring (a queue per possible CPU, readers on each CPU),
# and hotmemfs behaves as on /dev/fuse: the tree reads byte for byte as a
# /dev/fuse mount of the same profile, lsmem the same, state writes with
# their errnos, poll on state, a probe's block there when its write
# returns (the reply held for the notifier's invalidation), device_add and
# device_del, a looping offline that reads do not wait for and that the
# writer's signal ends (FUSE_INTERRUPT stays on /dev/fuse), kill -9 and a
# restart from the state file, SIGTERM.
# fuse's enable_uring is the whole host's: the test holds it Y through
# tests/enable_uring.sh, shared with the runs beside (the last one puts
# the old value back), and sees N only in a mount namespace of its own
# (enable_uring_seen_as): an io_uring run beside it keeps its Y.
. "$(dirname "$0")/lib.sh"
require_env
PARAM=/sys/module/fuse/parameters/enable_uring
[ -w "$PARAM" ] || skip_all "this kernel has no FUSE over io_uring (no writable $PARAM: before 6.14 or without CONFIG_FUSE_IO_URING)"
need_built "$HOTMEM_BUILD/tests/fusefs/readprobe"
need_tool setpriv util-linux
need_tool taskset util-linux
need_tool lsmem util-linux
. "$HOTMEM_SRC/tests/enable_uring.sh"
enable_uring_hold Y || skip_all "$ENABLE_URING_WHY"
M=$MNT/sys/devices/system/memory
W() { python3 "$HOTMEM_SRC/tests/fusefs/sysw.py" w "$@"; }
DEV=$TMP/dev
DEV_PID=
mkdir -p "$DEV"
# the /dev/fuse mount beside ours, then our hold of the parameter
end_test() {
	in_test_shell || return 0
	if [ -n "$DEV_PID" ]; then
		umount "$DEV" 2>/dev/null || umount -l "$DEV" 2>/dev/null
		kill "$DEV_PID" 2>/dev/null
		wait_exit "$DEV_PID" 30 2>/dev/null
	fi
	cleanup
	enable_uring_release
}
trap end_test EXIT

cat >"$TMP/p.profile" <<'EOF'
profile = default
name = uring-test
probe = yes
EOF

# transport, and the ring's count, from status --json's "fuse"
fuse_status() {	# fuse_status KEY
	ctl --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["fuse"].get(sys.argv[1], ""))' "$1"
}
# requests that came through /dev/fuse though they could have come through the ring
off_ring() {
	ctl --json status | python3 -c '
import json, sys
f = json.load(sys.stdin)["fuse"]
stay = sum(f["by-opcode"].get(k, 0) for k in ("INIT", "FORGET", "BATCH_FORGET", "INTERRUPT"))
print(f["requests"] - stay - f["io-uring-requests"])'
}

enable_uring_seen_as N "$HMFS" --io-uring --control "$CTL" --state "$TMP/refused.state" \
	--profile "$TMP/p.profile" "$MNT" 2>"$TMP/refused.log"
is "$?" 78 "with fuse.enable_uring N (seen in a mount namespace of its own), hotmemfs --io-uring is refused (exit 78)"
grep -q "enable_uring.*without --io-uring" "$TMP/refused.log"
tap_ok $? "saying so and what to do: $(head -c 300 "$TMP/refused.log")"
! findmnt "$MNT" >/dev/null && [ ! -e "$TMP/refused.state" ] && [ ! -e "$CTL" ]
tap_ok $? "nothing mounted, no state file, no control socket"

mount_fs "hotmemfs --io-uring mounts with fuse.enable_uring Y" --io-uring --profile "$TMP/p.profile" --fresh
# the possible CPUs as hotmemfs counts them (uring.c possible_cpus()):
# /proc/softirqs's header, which a mount namespace cannot cover as it can
# cpu/possible (nodes.sh fake_cpu_host)
cpus=$(head -1 /proc/softirqs | wc -w)
is "$(fuse_status transport)" "io_uring ($cpus queues of 64)" "status: the transport is io_uring, a queue per possible CPU"
is "$(cat /proc/$FS_PID/comm)" hotmemfs "(its pid is hotmemfs's)"

"$HMFS" --control "$TMP/dev.sock" --state none --profile "$TMP/p.profile" "$DEV" 2>"$TMP/dev.log" &
DEV_PID=$!
for _ in $(seq 1200); do [ -e "$DEV/sys/devices/system/memory/block_size_bytes" ] && break; sleep 0.05; done
findmnt -t fuse.hotmemfs "$DEV" >/dev/null
tap_ok $? "a hotmemfs of the same profile on /dev/fuse beside it"

# every name under sys/ and proc/: type, mode, owner, links, size, inode,
# link target, and the bytes of what reads (or the errno); a boot_id as
# its form (each machine boots its own)
dump() {	# dump ROOT
	python3 - "$1" <<'EOF'
import errno, os, re, stat, sys
root = sys.argv[1]
for top in ("sys", "proc"):
    for d, dirs, files in os.walk(os.path.join(root, top)):
        dirs.sort()
        for name in sorted(dirs + files):
            p = os.path.join(d, name)
            st = os.lstat(p)
            line = "%s %o %d:%d n%d s%d i%d" % (p[len(root):], st.st_mode, st.st_uid, st.st_gid,
                                                 st.st_nlink, st.st_size, st.st_ino)
            if stat.S_ISLNK(st.st_mode):
                line += " -> " + os.readlink(p)
            elif stat.S_ISREG(st.st_mode):
                try:
                    fd = os.open(p, os.O_RDONLY)
                    try:
                        data = os.read(fd, 1 << 20)
                    finally:
                        os.close(fd)
                    # each machine's own boot: the two mounts' differ (c5aed6f5)
                    if p.endswith("/proc/sys/kernel/random/boot_id") and \
                            re.fullmatch(rb"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\n", data):
                        data = b"<a version-4 uuid>\n"
                    line += " = " + repr(data)
                except OSError as e:
                    line += " ! " + errno.errorcode.get(e.errno, str(e.errno))
            print(line)
EOF
}
dump "$MNT" >"$TMP/tree.uring"
dump "$DEV" >"$TMP/tree.dev"
same_output "$(cat "$TMP/tree.uring")" "$(cat "$TMP/tree.dev")" \
	"the whole tree reads byte for byte as on /dev/fuse ($(wc -l <"$TMP/tree.dev") names)"
cols=RANGE,SIZE,STATE,REMOVABLE,BLOCK,NODE,ZONES
same_output "$(lsmem --sysroot "$MNT" -o $cols)" "$(lsmem --sysroot "$DEV" -o $cols)" \
	"lsmem --sysroot lists the same memory"
for f in state valid_zones; do
	same_output "$(in_sysns "$HOTMEM_BUILD/tests/fusefs/readprobe" /sys/devices/system/memory/memory4/$f |
		sed 's/ ino=[0-9]* dev=[0-9a-f]*//')" \
		"$(MNT=$DEV in_sysns "$HOTMEM_BUILD/tests/fusefs/readprobe" /sys/devices/system/memory/memory4/$f |
		sed 's/ ino=[0-9]* dev=[0-9a-f]*//')" \
		"readprobe of memory4/$f (read, stat, lseek, poll, open errnos) as on /dev/fuse"
done
umount "$DEV" && wait_exit "$DEV_PID" 30
rc=$?
tap_ok $rc "the /dev/fuse one stops"
# it outlived its umount by 30 s once (2026-12-01, a loaded CI): what it said, and
# whether anything still held its mount (wait_exit said where its threads were)
[ $rc = 0 ] || { sed 's/^/# dev.log: /' "$TMP/dev.log" | tail -20
	grep -l "$DEV" /proc/[0-9]*/mountinfo 2>/dev/null | sed 's/^/# still mounted in: /' | head -5; }
DEV_PID=

# open+read+close on each CPU: 3 requests each, all through the ring
before=$(fuse_status io-uring-requests)
for c in $(seq 0 $(($(nproc) - 1))); do
	taskset -c "$c" python3 - "$M/memory1/state" <<'EOF'
import os, sys
for _ in range(200):
    fd = os.open(sys.argv[1], os.O_RDONLY)
    os.read(fd, 4096)
    os.close(fd)
EOF
done
after=$(fuse_status io-uring-requests)
tap_ok "$([ "$((after - before))" -ge $((3 * 200 * $(nproc))) ]; echo $?)" \
	"200 reads on each of $(nproc) CPUs came through the ring ($((after - before)) requests)"
is "$(off_ring)" 0 "no request came through /dev/fuse but INIT, FORGET and INTERRUPT"

# state writes and their errnos, on a DIMM's block (it comes offline)
ctl device_add pc-dimm id=s1 size=128M addr=0x100000000 >/dev/null
tap_ok $? "device_add pc-dimm id=s1 (memory32)"
B=32
is "$(cat "$M/memory$B/state")" offline "memory$B comes offline"
is "$(W "$M/memory$B/state" online_movable)" "ret=14" "memory$B/state <- online_movable"
is "$(cat "$M/memory$B/state" "$M/memory$B/valid_zones")" "$(printf 'online\nMovable')" "memory$B reads online, Movable"
is "$(W "$M/memory$B/state" online)" EINVAL "online again: EINVAL (device_online() of an online device)"
is "$(W "$M/memory$B/state" sideways)" EINVAL "a word it does not know: EINVAL"
is "$(W "$M/memory$B/online" 0)" "ret=1" "memory$B/online <- 0"
is "$(cat "$M/memory$B/state" "$M/memory$B/online")" "$(printf 'offline\n0')" "memory$B reads offline, 0"
is "$(W "$M/memory$B/state" offline)" EINVAL "offline again: EINVAL (device_offline() of an offline device)"
is "$(W "$M/memory$B/state" online_movable)" "ret=14" "memory$B/state <- online_movable again"
is "$(setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/python3 "$HOTMEM_SRC/tests/fusefs/sysw.py" w "$M/memory$B/state" offline)" \
	EACCES "a user's write: EACCES"

# poll(POLLPRI) on state wakes when the state changes
python3 - "$M/memory$B/state" >"$TMP/poll.txt" <<'EOF' &
import os, select, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY)
os.read(fd, 64)
p = select.poll()
p.register(fd, select.POLLPRI | select.POLLERR)
t = time.time()
ev = p.poll(30000)
os.lseek(fd, 0, 0)
print(ev and ev[0][1], os.read(fd, 64).decode().strip())
EOF
poller=$!
polling() { grep -qs poll_schedule_timeout "/proc/$poller/stack"; }
for _ in $(seq 600); do polling && break; sleep 0.05; done
(echo offline >"$M/memory$B/state")
wait_exit $poller 60
is "$(cat "$TMP/poll.txt")" "10 offline" "poll(POLLPRI) on state wakes with PRI|ERR when it changes"

# the probe's write returns once the kernel's caches have the new block;
# a device_add's and device_del's reply likewise
out=$(HMCTL=$HMCTL CTL=$CTL timeout 300 python3 - "$M" <<'EOF'
import os, subprocess, sys
m = sys.argv[1]
bs = int(open(m + "/block_size_bytes").read(), 16)
def ctl(*a):
    subprocess.run([os.environ["HMCTL"], "-s", os.environ["CTL"]] + list(a), check=True,
                   stdout=subprocess.DEVNULL)
listing = os.listdir(m)     # memory/ listed and cached before each change
bad = []
for k in range(4):
    addr = 0x200000000 + k * bs
    name = "memory%d" % (addr // bs)
    fd = os.open(m + "/probe", os.O_WRONLY)
    os.write(fd, b"0x%x" % addr)
    os.close(fd)
    if not os.path.exists(m + "/" + name) or name not in os.listdir(m):
        bad.append("probe " + name)
base = 0x300000000
name = "memory%d" % (base // bs)
for i in range(20):
    ctl("device_add", "pc-dimm", "id=u%d" % i, "size=%d" % bs, "addr=0x%x" % base)
    if not os.path.exists(m + "/" + name) or name not in os.listdir(m):
        bad.append("add %d" % i)
    os.stat(m + "/" + name + "/state")
    ctl("device_del", "u%d" % i)
    if os.path.exists(m + "/" + name) or os.path.exists(m + "/" + name + "/state"):
        bad.append("del %d" % i)
print(" ".join(bad) or "none")
EOF
)
is "$out" none "4 probes and 20 device_add/device_del: each block there (and gone) when the write or command returns"
ctl device_add pc-dimm id=d1 size=256M addr=0x180000000 >/dev/null
tap_ok $? "device_add pc-dimm id=d1 size=256M (memory48, memory49)"
lsmem --sysroot "$MNT" -o BLOCK,STATE >"$TMP/lsmem.txt"
tap_ok $? "lsmem --sysroot lists it ($(wc -l <"$TMP/lsmem.txt") lines)"

# a looping offline: reads go on, and the writer's signal ends it (INTERRUPT)
d1=48
echo online_movable >"$M/memory$d1/state"
ctl alloc movable 100000000 >/dev/null
tap_ok $? "every free page allocated (movable): memory$d1's offline has nowhere to migrate"
timeout -s INT 120 sh -c "echo offline > $M/memory$d1/state" &
writer=$!
block_state_wait "$d1" going-offline
is "$(timeout 20 cat "$M/memory$d1/state")" going-offline "memory$d1 reads going-offline during the offline"
kill -ALRM $writer
wait_exit $writer 30
rc=$?
[ $rc = 124 ] && grep -q "memory$d1: offline failed (EINTR)" "$TMP/hotmemfs.log"
tap_ok $? "the writer's signal ends the offline: EINTR (writer rc $rc)"
ctl free-all >/dev/null

# kill -9 after an acknowledged change, and back from the state file
is "$(W "$M/memory$B/state" online_kernel)" "ret=13" "memory$B (offline since the poll) <- online_kernel"
snap() { lsmem --sysroot "$MNT" -o $cols; ctl devices; }
before=$(snap)
kill -9 "$FS_PID"
wait_exit "$FS_PID" 30 2>/dev/null
# the rings go after the process (io_uring's exit work, which cancels
# their commands: they hold /dev/fuse open until then); a request caught
# in between ends ECONNABORTED, the later ones ENOTCONN.  Up to 60 s: under
# a loaded machine's CI the exit work ran past the 10 s this waited before
for _ in $(seq 1200); do
	err=$(stat "$MNT/sys" 2>&1)
	[[ $err == *"not connected"* ]] && break
	[[ $err == *"connection abort"* ]] || break
	sleep 0.05
done
[[ $err == *"not connected"* ]]
tap_ok $? "kill -9 (the mount is left behind, not connected: $err)"
FS_PID=
start_fs --io-uring --profile "$TMP/p.profile"
tap_ok $? "hotmemfs --io-uring restarts on the same state file"
same_output "$(snap)" "$before" "lsmem and devices as before the kill (memory$B online, Normal)"
is "$(fuse_status transport)" "io_uring ($cpus queues of 64)" "over io_uring again"

# SIGTERM: a clean stop
pid=$FS_PID
kill -TERM "$pid"
wait_exit "$pid" 60
is "$?" 0 "SIGTERM: hotmemfs stops, exit 0"
FS_PID=
! findmnt "$MNT" >/dev/null
tap_ok $? "and unmounted"
# (stop_fs's sanitizer check too: FS_PID is gone)
! grep -E "io_uring|^fuse:|Sanitizer|runtime error:" "$TMP/hotmemfs.log" >"$TMP/bad.log"
tap_ok $? "its log has no io_uring error and no sanitizer report"
sed 's/^/#   /' "$TMP/bad.log" | head -20
done_testing
