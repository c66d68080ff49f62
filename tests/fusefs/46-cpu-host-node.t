#!/bin/bash
# The machine's CPUs are the host's, each on its host node (the host's
# cpu/cpuM/nodeK link, register_cpu_under_node()) when the machine has
# that node with CPUs: inside hotmem-enter, where /sys/devices/system/cpu
# stays the host's, cpuM/nodeK then leads to an emulated nodeK that lists
# cpuM (review6 #4).  The CPUs of a host node the machine lacks are spread
# over its CPU nodes, and hotmemfs says so once.  The host here is a fake
# one of two nodes, bound over /sys/devices/system/cpu in a private mount
# namespace: CPUs 0-1 on node 0, 2-3 on node 1, 4-5 on node 3.
if [ -z "${HOTMEM_PRIVATE_NS:-}" ] && [ "$(id -u)" -eq 0 ]; then
	command -v unshare >/dev/null || { echo "1..0 # SKIP no unshare"; exit 0; }
	HOTMEM_PRIVATE_NS=1 exec unshare -m --propagation private "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
require_env
N=$MNT/sys/devices/system/node

CPU=$TMP/cpu
for c in 0 1 2 3 4 5; do
	mkdir -p "$CPU/cpu$c"
	case $c in 0|1) nid=0 ;; 2|3) nid=1 ;; *) nid=3 ;; esac
	ln -s "../../node/node$nid" "$CPU/cpu$c/node$nid"
done
for f in possible present online; do echo 0-5 >"$CPU/$f"; done
echo 8191 >"$CPU/kernel_max"
mount --bind "$CPU" /sys/devices/system/cpu
tap_ok $? "a fake host's cpu/ (CPUs 0-1 on node 0, 2-3 on node 1, 4-5 on node 3) in a private mount namespace"

cat >"$TMP/two.profile" <<'EOF'
profile = default
nodes = 2
ram = 0x1000-0x9efff node=0
ram = 0x100000-0x3fffffff node=0
ram = 0x40000000-0x7fffffff node=1
EOF
start_fs --profile "$TMP/two.profile" --cmdline hotmem.kernel_alloc=off --fresh -S none
tap_ok $? "hotmemfs mounts a machine with memory on nodes 0 and 1"
findmnt -t fuse.hotmemfs "$MNT" >/dev/null || { nok "not a hotmemfs mount"; done_testing; exit; }
# CPUs 4-5 (host node 3, not the machine's) in runs over nodes 0 and 1
is "$(cat "$N/node0/cpulist") $(cat "$N/node1/cpulist")" "0-1,4 2-3,5" \
	"node0/cpulist 0-1,4, node1/cpulist 2-3,5: CPUs 0-3 on their host nodes"
is "$(cd "$N/node1" && ls -d cpu[0-9]* | tr '\n' ' ')" "cpu2 cpu3 cpu5 " "node1/cpu2, cpu3 (and cpu5)"
is "$(grep -c '2 of the host.s CPUs, cpu4 first, are on host nodes .* (node3 first)' "$TMP/hotmemfs.log")" 1 \
	"hotmemfs says once that CPUs 4-5's host node 3 is not the machine's"

done_testing
