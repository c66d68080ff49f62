#!/bin/bash
# nodeN/cpumap and cpulist are binary attributes in 6.18
# (drivers/base/node.c: BIN_ATTR_RO(cpumap, CPUMAP_FILE_MAX_BYTES),
# BIN_ATTR_RO(cpulist, CPULIST_FILE_MAX_BYTES); cpumap_read() and
# cpulist_read() print the mask and hand out the read's slice of it): no
# page limit, a read at any offset, and st_size the bin_attribute's size,
# sized by NR_CPUS (the host's kernel_max + 1).  They were cut at a page
# and claimed 4096.  Here a host of 8192 possible CPUs whose present and
# online CPUs interleave (each list under a page, as the kernel prints
# them) gives node 0 a cpulist of ~8000 bytes; the host's cpu directory
# is a fake one bound over /sys/devices/system/cpu in a private mount
# namespace.  Then on the real host's CPUs: the sizes stat shows are the
# host kernel's own.
. "$(dirname "$0")/lib.sh"
private_mount_ns "$@"
require_env
need_tool python3 python3
N=$MNT/sys/devices/system/node

# the real host first: stat shows the host kernel's sizes (its NR_CPUS)
start_fs -S none
tap_ok $? "hotmemfs mounts on the host's CPUs"
if [ -e /sys/devices/system/node/node0/cpumap ]; then
	is "$(stat -c %s "$N/node0/cpumap") $(stat -c %s "$N/node0/cpulist")" \
		"$(stat -c %s /sys/devices/system/node/node0/cpumap) $(stat -c %s /sys/devices/system/node/node0/cpulist)" \
		"node0/cpumap and cpulist: st_size as the host kernel's"
else
	ok "# SKIP the host has no /sys/devices/system/node/node0"
fi
stop_fs

# a fake host: 8192 possible CPUs, present and online interleaved
CPU=$TMP/cpu
mkdir -p "$CPU"
python3 - "$CPU" >"$TMP/expect.txt" <<'PY'
import os, sys
d = sys.argv[1]

def text(cpus):
    out, run = [], None
    for c in sorted(cpus):
        if run and c == run[1] + 1:
            run[1] = c
        else:
            run = [c, c]
            out.append(run)
    return ",".join("%d" % a if a == b else "%d-%d" % (a, b) for a, b in out)

# present [7j, 7j+5], online [7j+3, 7j+8]: each under a page, their
# intersection twice as many runs
present, online = set(), set()
j = 0
while True:
    p = present | set(range(7 * j, 7 * j + 6))
    o = online | set(range(7 * j + 3, 7 * j + 9))
    if len(text(p)) > 4000 or len(text(o)) > 4000 or 7 * j + 9 > 8191:
        break
    present, online = p, o
    j += 1
files = {"possible": "0-8191", "present": text(present), "online": text(online),
         "kernel_max": "8191"}
for name, val in files.items():
    with open(os.path.join(d, name), "w") as f:
        f.write(val + "\n")
node = present & online
words = []
for w in range(8192 // 32 - 1, -1, -1):
    words.append("%08x" % sum(1 << (c - 32 * w) for c in node if 32 * w <= c < 32 * w + 32))
print(text(node))
print(",".join(words))
PY
tap_ok $? "a fake cpu directory of 8192 CPUs"
mount --bind "$CPU" /sys/devices/system/cpu
tap_ok $? "... bound over /sys/devices/system/cpu in a private mount namespace"
start_fs -S none
tap_ok $? "hotmemfs mounts on it"
list=$(sed -n 1p "$TMP/expect.txt")
map=$(sed -n 2p "$TMP/expect.txt")
diag "node0/cpulist: ${#list} bytes and a newline, cpumap ${#map}"
is "$(stat -c %s "$N/node0/cpulist")" 28672 "cpulist: st_size CPULIST_FILE_MAX_BYTES, NR_CPUS * 7 / 2"
is "$(stat -c %s "$N/node0/cpumap")" 4096 "cpumap: st_size CPUMAP_FILE_MAX_BYTES, a page (NR_CPUS * 9 / 32 is less)"
got=$(cat "$N/node0/cpulist")
is "${#got}" "${#list}" "cpulist is read whole, past a page"
is "$got" "$list" "... the node's online CPUs as the kernel's %*pbl prints them"
is "$(cat "$N/node0/cpumap")" "$map" "cpumap: 256 32-bit words"
is "$(python3 -c '
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
print(os.pread(fd, 64, 5000).decode(), os.pread(fd, 64, 1 << 20).decode() == "")' "$N/node0/cpulist")" \
	"${list:5000:64} True" "a read at offset 5000 has the text from there, one past the end nothing"
is "$(dd if="$N/node0/cpulist" bs=1000 skip=7 2>/dev/null)" "${list:7000}" \
	"dd in 1000-byte reads from 7000 reads the rest"
done_testing
