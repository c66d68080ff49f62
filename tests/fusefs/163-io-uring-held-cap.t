#!/bin/bash
# hotmemfs --io-uring: held write replies never take a queue's last entry
# (review finalC F1).  Each CPU's ring queue has 64 entries; a write's
# reply is held until the notifier has told the kernel's caches and sent
# its uevent (events.c), and keeps its entry meanwhile.  The kernel parks
# a request that finds no free entry on its reader's CPU's queue, and only
# a commit of that queue takes it from there (fs/fuse/dev_uring.c, 6.18).
# Before the mend, 64 held writes from CPU 0 took every entry: more
# writers from CPU 0 never reached hotmemfs, and a lookup in memory/ from
# CPU 0 parked there with memory/'s lock held, so the notifier waiting for
# that lock and the held replies waited for each other for good.  Now at
# most 63 are held, a 64th write replies at once (its events a moment
# later, as when a hold cannot be allocated), and everything drains.
# The notifier is stalled for real: a reader holds memory/'s inode lock
# inside getdents64(2), faulting on a userfaultfd page (uffd_hold.py),
# while a device_del's invalidations wait for it.  No timed assertions:
# each wait is bounded only so that a hang fails.
# fuse's enable_uring is the whole host's: held Y through
# tests/enable_uring.sh, shared with the runs beside (the last one puts
# the old value back).
. "$(dirname "$0")/lib.sh"
require_env
require_uffd
PARAM=/sys/module/fuse/parameters/enable_uring
[ -w "$PARAM" ] || skip_all "this kernel has no FUSE over io_uring (no writable $PARAM: before 6.14 or without CONFIG_FUSE_IO_URING)"
need_tool taskset util-linux
taskset -c 0 true 2>/dev/null || skip_all "CPU 0 is not ours to run on (taskset -c 0)"
. "$HOTMEM_SRC/tests/enable_uring.sh"
enable_uring_hold Y || skip_all "$ENABLE_URING_WHY"
M=$MNT/sys/devices/system/memory
NW=70
LOOKUP=
WRITERS=
end_test() {
	in_test_shell || return 0
	# a lookup parked on the queue is killable (still pending): then the
	# notifier gets memory/'s lock and the held replies go
	[ -n "$LOOKUP" ] && kill -9 "$LOOKUP" 2>/dev/null
	[ -n "${HOLDER:-}" ] && kill -USR1 "$HOLDER" 2>/dev/null
	[ -n "$WRITERS" ] && wait_gone "$WRITERS" 60
	cleanup
	enable_uring_release
}
trap end_test EXIT

fuse_status() {	# fuse_status KEY: status --json's fuse.KEY
	ctl --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["fuse"].get(sys.argv[1], 0))' "$1"
}
writes() {	# FUSE_WRITE requests so far
	ctl --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["fuse"]["by-opcode"].get("WRITE", 0))'
}

cat >"$TMP/p.profile" <<'EOF'
profile = host-24g
name = held-cap
EOF
# --stop-wait 600: a stop during the stall waits for the reader, not 30 s
mount_fs "hotmemfs --io-uring mounts" --io-uring --state none --profile "$TMP/p.profile" --stop-wait 600
[[ $(fuse_status transport) == "io_uring ("* ]]
tap_ok $? "over io_uring: $(fuse_status transport)"
ls "$M" | grep -E '^memory[0-9]+$' >"$TMP/boot"
ctl device_add pc-dimm id=d1 size=512M >/dev/null && ctl settle >/dev/null
tap_ok $? "a DIMM"
dimm=$(ls "$M" | grep -E '^memory[0-9]+$' | grep -vxF -f "$TMP/boot" | tr '\n' ' ')
is "$(echo $dimm | wc -w)" 4 "... of 4 blocks: $dimm"
# NW boot blocks: one uevent file each (a FUSE write holds its file's
# inode lock: one file a writer), their names and attributes cached now
# (memory/'s lock is held below)
head -n $NW "$TMP/boot" | sed "s|^|$M/|; s|$|/uevent|" >"$TMP/files"
is "$(wc -l <"$TMP/files")" $NW "$NW blocks' uevent files to write"
xargs stat -c %i <"$TMP/files" >/dev/null

must_hold_dir "$M" a
timeout 300 "$HMCTL" -s "$CTL" device_del d1 >/dev/null 2>"$TMP/del.err" &
DEL=$!
notifier_stalled
tap_ok $? "device_del d1: its REMOVEs stuck in the notifier, behind the reader"

# NW writers, one thread each, all on CPU 0: one queue's requests
before=$(writes)
taskset -c 0 python3 - "$TMP/files" >"$TMP/writers.out" 2>&1 <<'EOF' &
import os, sys, threading
files = open(sys.argv[1]).read().split()
res = [None] * len(files)
def w(i):
    try:
        fd = os.open(files[i], os.O_WRONLY)
        try:
            os.write(fd, b"change")
        finally:
            os.close(fd)
        res[i] = "ok"
    except OSError as e:
        res[i] = e.strerror
t = [threading.Thread(target=w, args=(i,)) for i in range(len(files))]
for x in t:
    x.start()
for x in t:
    x.join()
bad = [r for r in res if r != "ok"]
print("%d ok" % res.count("ok") + ("" if not bad else ", " + ", ".join(sorted(set(bad)))))
EOF
WRITERS=$!
# bounded by the clock, not a count of rounds (each asks status): the
# reader lets go by itself after 120 s
# (the last ones' stores, and so their replies, come a moment after their arrival)
arrived=0 unheld=0
end=$((SECONDS + 40))
while [ $SECONDS -lt $end ]; do
	arrived=$(($(writes) - before))
	unheld=$(fuse_status io-uring-unheld-writes)
	[ "$arrived" -ge $NW ] && [ "$unheld" -ge $((NW - 63)) ] && break
	sleep 0.05
done
is "$arrived" $NW "all $NW writes from CPU 0 reach hotmemfs, the notifier stalled (before: 64, every entry held)"
is "$unheld" $((NW - 63)) \
	"63 replies held, the other $((NW - 63)) sent at once: their queue had no entry to spare"

# a lookup in memory/ from CPU 0: memory/'s lock held (taken beside the
# reader, or after the notifier's invalidation) while its request waits
taskset -c 0 stat "$M/memory-nosuch-$$" >"$TMP/lookup.out" 2>&1 &
LOOKUP=$!
# its request parked, or answered: blocked in FUSE or on memory/'s lock, or done
end=$((SECONDS + 30))
while [ $SECONDS -lt $end ]; do
	grep -qsE 'request_wait_answer|walk_component|lookup_slow' "/proc/$LOOKUP/stack" && break
	kill -0 "$LOOKUP" 2>/dev/null || break
	sleep 0.05
done
holder_release
tap_ok $? "the reader lets go of memory/: $(cat "$TMP/a.out")"
HOLDER=

wait_gone "$WRITERS" 120
tap_ok $? "every writer's write returns (before: the held replies, the notifier and the lookup waited for each other)" ||
	{ kill -9 "$LOOKUP"; wait_gone "$WRITERS" 60; } # the hang undone: the rest can tell
wait_gone "$WRITERS" 1 && wait "$WRITERS"
is "$(cat "$TMP/writers.out")" "$NW ok" "... each a success"
WRITERS=
wait_gone "$LOOKUP" 60
tap_ok $? "the lookup from CPU 0 returns"
wait_gone "$LOOKUP" 1 && wait "$LOOKUP"
grep -q "No such file or directory" "$TMP/lookup.out"
tap_ok $? "... ENOENT: $(cat "$TMP/lookup.out")"
LOOKUP=
wait_gone "$DEL" 60 && wait "$DEL"
tap_ok $? "device_del d1 replied, success $(cat "$TMP/del.err")"
timeout 120 "$HMCTL" -s "$CTL" settle --timeout 60 >/dev/null
tap_ok $? "settle: every event delivered"
for b in $dimm; do [ ! -e "$M/$b" ] || echo "$b"; done >"$TMP/left"
is "$(cat "$TMP/left")" "" "the DIMM's blocks are gone from memory/"

# and the ring serves on: a write from CPU 0 with nothing held
is "$(taskset -c 0 python3 "$HOTMEM_SRC/tests/fusefs/sysw.py" w "$(head -1 "$TMP/files")" change)" "ret=6" \
	"a write from CPU 0 afterwards"
stop_fs
ok "hotmemfs stops"
done_testing
