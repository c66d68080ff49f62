#!/bin/bash
# A change is in the kernel's caches when its write returns, as kernfs's
# are (kernfs changes the tree within the store): a control command that
# adds or removes blocks replies only once the notifier has told the
# kernel (the dentries dropped, the listings refreshed).  A write to a
# block's state changes no name: its node's hugepages/ and nlink stay as
# they are (6.18 register_node() -> hugetlb_register_node(), every node).
# Before, the reply came first and the notifier after it: a stat or
# [ -e ] straight after the write could still find the cached entry
# (33-node-dir.t polled for up to 5 s, 34-stale-dir.t failed once under
# load).  No settle in between here.  Then a storm of readers, writers and
# device_add/device_del, each bounded: nothing hangs (the reply is held,
# no FUSE thread waits for the notifier: fusefs/events.c says why).
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory
N=$MNT/sys/devices/system/node

# no memory_failure/ in the nodes (qemu-512m has it): node2's nlink is 4,
# power/ and hugepages/, and memoryN the only memory* entries
cat >"$TMP/three.profile" <<'EOF'
profile = qemu-512m
nodes = 3
memory_failure = no
EOF
# no state file: the reply does not wait for a journal's fdatasync, which
# would give the notifier all the time it needs.  One store worker: were
# it to wait for the notifier, a chmod of memory/ (its SETATTR queued
# behind it, memory/'s lock held) would stop both for good.
mount_fs "hotmemfs mounts a qemu-512m machine with 3 nodes" --profile "$TMP/three.profile" --cmdline "memhp_default_state=offline hotmem.kernel_alloc=off" \
	--fresh --state none --threads 1
ctl device_add pc-dimm id=n2 size=128M node=2 addr=0x100000000 >/dev/null
tap_ok $? "a DIMM on node 2"
blk=$(ls "$N/node2" | sed -n 's/^memory//p' | sort -n | head -1)

# a CPU hog on each CPU: the notifier's wake-up is late as on a loaded
# machine, where 34-stale-dir.t failed (bounded: killed below, 300 s at most)
hogs=()
for _ in $(seq $(($(nproc) * 2))); do timeout 300 sh -c 'while :; do :; done' & hogs+=($!); done
out=$(HMCTL=$HMCTL CTL=$CTL timeout 300 python3 - "$M" "$N" "$blk" <<'EOF'
import os, subprocess, sys

m, n, blk = sys.argv[1], sys.argv[2], sys.argv[3]
state = "%s/memory%s/state" % (m, blk)
hp = n + "/node2/hugepages"
def ctl(*a):
    subprocess.run([os.environ["HMCTL"], "-s", os.environ["CTL"]] + list(a), check=True,
                   stdout=subprocess.DEVNULL)
def write(path, word):
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, word.encode())
    finally:
        os.close(fd)

stale = {"online": 0, "offline": 0, "del": 0, "add": 0}
rounds = 1000
for i in range(rounds):
    os.stat(n + "/node2")                 # its nlink cached
    write(state, "online_movable")
    if not os.path.isdir(hp) or os.stat(n + "/node2").st_nlink != 4:
        stale["online"] += 1
    os.stat(hp)                           # hugepages/'s dentry cached
    write(state, "offline")
    if not os.path.isdir(hp) or os.stat(n + "/node2").st_nlink != 4:
        stale["offline"] += 1
bs = int(open(m + "/block_size_bytes").read(), 16)
base = "memory%d" % (0x110000000 // bs)
name = m + "/" + base
for i in range(100):
    ctl("device_add", "pc-dimm", "id=x%d" % i, "size=128M", "addr=0x110000000")
    if not os.path.exists(name) or base not in os.listdir(m):
        stale["add"] += 1
    os.stat(name + "/power/control")      # the block's entries cached
    ctl("device_del", "x%d" % i)
    if os.path.exists(name) or os.path.exists(name + "/power/control"):
        stale["del"] += 1
for k in ("online", "offline", "add", "del"):
    print(k, stale[k])
EOF
)
kill "${hogs[@]}" 2>/dev/null
diag "$(echo "$out" | tr '\n' ' ')"
line() { echo "$out" | sed -n "s/^$1 //p"; }
is "$(line online)" 0 "1000 onlines: node2/hugepages/ there and node2's nlink 4 as each write returns"
is "$(line offline)" 0 "1000 offlines: hugepages/ still there and nlink 4 as each write returns"
is "$(line add)" 0 "100 device_add: the block there and listed as each returns"
is "$(line del)" 0 "100 device_del: memoryN and its power/control gone as each returns"

# The storm: lsmem, ls and stat readers, state writers, device_add/del,
# chmod of memory/ itself (its SETATTR waits for change_lock on a store
# worker while holding the directory's lock the notifier's
# invalidations need) -- each loop bounded by timeout, all in 60 s.
storm_writer() {
	local i b
	for i in $(seq 300); do
		for b in $(ls "$N/node2" | sed -n 's/^memory//p'); do
			echo online_movable >"$M/memory$b/state" 2>/dev/null
			echo offline >"$M/memory$b/state" 2>/dev/null
		done
	done
}
storm_reader() {
	local i
	for i in $(seq 200); do
		lsmem --sysroot "$MNT" >/dev/null 2>&1
		ls "$M" "$N/node2" >/dev/null 2>&1
		stat "$M"/memory*/state >/dev/null 2>&1
	done
}
storm_ctl() {
	local i
	for i in $(seq 60); do
		"$HMCTL" -s "$CTL" -t 30 device_add pc-dimm id=s$i size=256M node=1 >/dev/null 2>&1
		"$HMCTL" -s "$CTL" -t 30 device_del s$i >/dev/null 2>&1
	done
}
storm_chmod() {
	local i
	for i in $(seq 300); do chmod 755 "$M" "$N/node2" 2>/dev/null; done
}
pids=()
for f in storm_writer storm_writer storm_reader storm_reader storm_ctl storm_chmod; do
	timeout 120 bash -c "$(declare -f $f); M='$M' N='$N' MNT='$MNT' HMCTL='$HMCTL' CTL='$CTL' $f" &
	pids+=($!)
done
rc=0
for p in "${pids[@]}"; do
	wait_exit "$p" 180
	s=$?
	[ $s -eq 124 ] || [ $s -eq 137 ] && rc=1 && diag "a storm job ran out of time (hung?)"
done
tap_ok $rc "the storm ends: no reader, writer, chmod or hotmemctl hung (120 s bound each)"
kill -0 "$FS_PID"
tap_ok $? "hotmemfs still running"
timeout 30 "$HMCTL" -s "$CTL" settle --timeout 20
tap_ok $? "hotmemctl settle after the storm"
out=$(timeout 30 "$HMCTL" -s "$CTL" check 2>&1)
tap_ok $? "engine invariants hold ($out)"
is "$(timeout 10 cat "$M/memory$blk/state" 2>&1)" offline "memory$blk answers"
done_testing
