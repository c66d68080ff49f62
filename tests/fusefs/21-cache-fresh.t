#!/bin/bash
# The kernel's caches of names, attributes, listings and link targets
# (hour-long timeouts, CACHE_DIR, CACHE_SYMLINKS) never outlive a change
# that hotmemfs makes: a memory block removed and added again on another
# node lists and links its new node, a chmod goes with its block, and a
# read after a state change sees the new state, from the same open file
# too, while st_size stays sysfs's 4096.  An open file holds the old
# block's inodes, so the kernel still has them when the block comes back.
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory

mount_fs "hotmemfs mounts numa2" --profile numa2 --fresh
dimm_at_4g node=0

# everything cached: the whole listing (read to its end), the link, the mode
is "$(ls "$M/memory$b" | grep '^node')" node0 "memory$b lists node0"
is "$(readlink "$M/memory$b/node0")" ../../node/node0 "memory$b/node0 links node 0"
chmod 600 "$M/memory$b/state"
is "$(stat -c %a "$M/memory$b/state")" 600 "chmod 600 memory$b/state"
exec 3<"$M/memory$b/state"

ctl device_del d1 >/dev/null
tap_ok $? "the DIMM is removed"
for _ in $(seq 100); do [ -e "$M/memory$b" ] || break; sleep 0.05; done
tap_ok "$([ ! -e "$M/memory$b" ]; echo $?)" "memory$b went"
ctl device_add pc-dimm id=d2 size=128M node=1 addr=0x100000000 >/dev/null
tap_ok $? "a DIMM on node 1 at the same address"
for _ in $(seq 100); do [ -e "$M/memory$b/state" ] && break; sleep 0.05; done

is "$(ls "$M/memory$b" | grep '^node')" node1 "memory$b lists node1, not the cached node0"
is "$(readlink "$M/memory$b/node1")" ../../node/node1 "memory$b/node1 links node 1"
tap_ok "$([ ! -e "$M/memory$b/node0" ]; echo $?)" "memory$b/node0 is gone"
is "$(stat -c %a "$M/memory$b/state")" 644 "the re-added state has the kernel's mode again"
exec 3<&-

# reads after a change (made through another file, so that no write or
# O_TRUNC on this one drops what the kernel holds of it): a new open, and
# the same open file read again at 0
out=$(python3 - "$M/memory$b/state" "$M/memory$b/online" <<'EOF'
import os, sys
p = sys.argv[1]
fd = os.open(p, os.O_RDONLY)
before = os.pread(fd, 4096, 0).decode().strip()
with open(sys.argv[2], "w") as f:
    f.write("1")
same = os.pread(fd, 4096, 0).decode().strip()
with open(p) as f:
    fresh = f.read().strip()
st = os.fstat(fd).st_size
os.close(fd)
print(before, same, fresh, st, os.stat(p).st_size)
EOF
)
is "$out" "offline online online 4096 4096" \
	"state read before, same fd after, new open after a change; st_size 4096 after reads"
is "$(cat "$M/memory$b/state" >/dev/null; stat -c %s "$M/memory$b/state")" 4096 \
	"st_size (statx of the size alone) is 4096 right after a read"

done_testing
