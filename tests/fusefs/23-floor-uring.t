#!/bin/bash
# fuse_floor -u: FUSE over io_uring (fusefs/uring.c, which hotmemfs
# --io-uring uses too) beside libfuse 3.14, which make bench holds against
# /dev/fuse.  The kernel takes it at
# INIT, one queue per possible CPU serves every request (none through
# /dev/fuse), readers on each CPU get the file's content, and the server
# ends cleanly on unmount and on SIGTERM; killed, it leaves no reader
# hanging; with fuse.enable_uring N it refuses to start.
# fuse's enable_uring is the whole host's: the test holds it Y through
# tests/enable_uring.sh, shared with the runs beside (the last one puts
# the old value back), and sees N only in a mount namespace of its own
# (enable_uring_seen_as): an io_uring run beside it keeps its Y.
. "$(dirname "$0")/lib.sh"
FLOOR=$HOTMEM_BUILD/tests/fusefs/fuse_floor
PARAM=/sys/module/fuse/parameters/enable_uring
[ "$(id -u)" -eq 0 ] || skip_all "needs root (FUSE allow_other, fuse.enable_uring)"
[ -c /dev/fuse ] || skip_all "no /dev/fuse"
need_built "$FLOOR"
[ -w "$PARAM" ] || skip_all "this kernel has no FUSE over io_uring (no $PARAM: before 6.14 or without CONFIG_FUSE_IO_URING)"
. "$HOTMEM_SRC/tests/enable_uring.sh"
enable_uring_hold Y || skip_all "$ENABLE_URING_WHY"
# the servers gone before the value may go back
trap 'in_test_shell && { cleanup; enable_uring_release; }' EXIT
FM=$TMP/floor
mkdir -p "$FM"
FLOOR_PID=

floor_start() {	# floor_start LOG: fuse_floor -u on $FM
	"$FLOOR" -u "$FM" 2>"$1" &
	FLOOR_PID=$!
	for _ in $(seq 200); do
		[ -e "$FM/attr" ] && return 0
		kill -0 "$FLOOR_PID" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# open+read+close N times on CPU C; prints how many reads were not "online".
# With MARK, creates that file after the first read: the reader is in its loop.
reads() {	# reads N CPU [MARK]
	taskset -c "$2" python3 - "$FM/attr" "$1" "${3:-}" <<'EOF'
import os, sys
p, n, mark = sys.argv[1], int(sys.argv[2]), sys.argv[3]
bad = 0
for i in range(n):
    fd = os.open(p, os.O_RDONLY)
    if os.read(fd, 4096) != b"online\n":
        bad += 1
    os.close(fd)
    if i == 0 and mark:
        open(mark, "w").close()
print(bad)
EOF
}

floor_start "$TMP/floor1.log"
tap_ok $? "fuse_floor -u mounts with fuse.enable_uring Y"
is "$(cat "$FM/attr")" online "its file reads online"
cpus=$(($(sed 's/.*[-,]//' /sys/devices/system/cpu/possible) + 1))
pids=() outs=()
for c in $(seq 0 $(($(nproc) - 1))); do
	reads 300 "$c" >"$TMP/reads.$c" &
	pids+=($!) outs+=("$TMP/reads.$c")
done
for p in "${pids[@]}"; do wait_exit "$p" 300; done
is "$(cat "${outs[@]}" | sort -u)" 0 "300 reads on each of $(nproc) CPUs at once, all online"
umount "$FM"
tap_ok $? "unmounted"
wait_exit "$FLOOR_PID" 60
is "$?" 0 "fuse_floor ends by itself after the unmount, status 0"
n=$(sed -n 's/^fuse_floor: io_uring (\([0-9]*\) queues of [0-9]*), \([0-9]*\) requests through it$/\1 \2/p' \
	"$TMP/floor1.log")
is "${n% *}" "$cpus" "one queue per possible CPU ($cpus)"
# 3 requests a read (OPEN, READ, RELEASE): every one came through the ring
tap_ok "$([ "${n#* }" -ge $((3 * 300 * $(nproc))) ]; echo $?)" \
	"the reads' requests went through the ring (${n#* })"

floor_start "$TMP/floor2.log"
tap_ok $? "mounts again"
kill -TERM "$FLOOR_PID"
for _ in $(seq 100); do kill -0 "$FLOOR_PID" 2>/dev/null || break; sleep 0.05; done
gone() { ! kill -0 "$1" 2>/dev/null; }
unmounted() { ! mountpoint -q "$FM"; }
gone "$FLOOR_PID"
tap_ok $? "SIGTERM ends it (no hang in the queue threads)"
wait_exit "$FLOOR_PID" 30
unmounted
tap_ok $? "and it unmounted"

floor_start "$TMP/floor3.log"
tap_ok $? "mounts again"
reads 1000000 0 "$TMP/reading" >/dev/null 2>&1 &
reader=$!
# the reader is in its loop of requests (no fixed sleep: a slow runner may
# take longer than any to start python), then the server dies under it
for _ in $(seq 400); do [ -e "$TMP/reading" ] && break; sleep 0.05; done
tap_ok "$([ -e "$TMP/reading" ]; echo $?)" "a reader is reading in a loop"
kill -9 "$FLOOR_PID"
wait_exit "$FLOOR_PID" 30 2>/dev/null
for _ in $(seq 200); do kill -0 "$reader" 2>/dev/null || break; sleep 0.05; done
gone "$reader"
tap_ok $? "killed with -9 under a reader: the reader gets an error, not a hang"
kill -9 "$reader" 2>/dev/null
wait_exit "$reader" 30 2>/dev/null
umount -l "$FM" 2>/dev/null

out=$(enable_uring_seen_as N "$FLOOR" -u "$FM" 2>&1)
is "$?" 1 "with fuse.enable_uring N (seen in a mount namespace of its own), fuse_floor -u exits 1"
tap_ok "$(grep -q 'fuse.enable_uring is N' <<<"$out"; echo $?)" "saying why: $out"
unmounted
tap_ok $? "and mounts nothing"
done_testing
