#!/bin/bash
# The machine's CPUs are the host's, each on its host node (the host's
# cpu/cpuM/nodeK link, register_cpu_under_node()) when the machine has
# that node with CPUs: inside hotmem-enter, where /sys/devices/system/cpu
# stays the host's, cpuM/nodeK then leads to an emulated nodeK that lists
# cpuM (review6 #4).  The CPUs of a host node the machine lacks are spread
# over its CPU nodes, and hotmemfs says so once.  The host here is a fake
# one of two nodes, bound over /sys/devices/system/cpu in a private mount
# namespace: CPUs 0-1 on node 0, 2-3 on node 1, 4-5 on node 3.
. "$(dirname "$0")/lib.sh"
private_mount_ns "$@"
require_env
N=$MNT/sys/devices/system/node

CPU=$TMP/cpu
for c in 0 1 2 3 4 5; do
	mkdir -p "$CPU/cpu$c"
	case $c in 0|1) nid=0 ;; 2|3) nid=1 ;; *) nid=3 ;; esac
	ln -s "../../node/node$nid" "$CPU/cpu$c/node$nid"
done
mkdir -p "$CPU/cpu4/topology" && echo 1 >"$CPU/cpu4/online" && echo 7 >"$CPU/cpu4/topology/core_id"
for f in possible present online; do echo 0-5 >"$CPU/$f"; done
echo 8191 >"$CPU/kernel_max"
mount --bind "$CPU" /sys/devices/system/cpu
tap_ok $? "a fake host's cpu/ (CPUs 0-1 on node 0, 2-3 on node 1, 4-5 on node 3) in a private mount namespace"

nodes01_profile 2 "$TMP/two.profile"
mount_fs "hotmemfs mounts a machine with memory on nodes 0 and 1" --profile "$TMP/two.profile" --cmdline hotmem.kernel_alloc=off --fresh -S none
# CPUs 4-5 (host node 3, not the machine's) in runs over nodes 0 and 1
is "$(cat "$N/node0/cpulist") $(cat "$N/node1/cpulist")" "0-1,4 2-3,5" \
	"node0/cpulist 0-1,4, node1/cpulist 2-3,5: CPUs 0-3 on their host nodes"
is "$(cd "$N/node1" && ls -d cpu[0-9]* | tr '\n' ' ')" "cpu2 cpu3 cpu5 " "node1/cpu2, cpu3 (and cpu5)"
is "$(grep -c '2 of the host.s CPUs, cpu4 first, are on host nodes .* (node3 first)' "$TMP/hotmemfs.log")" 1 \
	"hotmemfs says once that CPUs 4-5's host node 3 is not the machine's"

# inside hotmem-enter, /sys/devices/system/cpu stays the host's but a CPU
# placed off its host node links to the machine's node: cpu4/node0, cpu5/node1
ENTER=$HOTMEM_BUILD/hotmem-enter
if [ -x "$ENTER" ] && [ -c /dev/fuse ]; then
	out=$("$ENTER" --profile "$TMP/two.profile" --cmdline hotmem.kernel_alloc=off -- sh -c '
		c=/sys/devices/system/cpu
		for m in 0 2 4 5; do echo "cpu$m $(cd $c/cpu$m && ls -d node*) $(readlink $c/cpu$m/node*)"; done
		echo "node0 $(cat /sys/devices/system/node/node0/cpulist)"
		echo "online $(cat $c/cpu4/online) core $(cat $c/cpu4/topology/core_id)"
		echo "ls $(ls $c/cpu4 | tr "\n" " ")"
		touch $c/cpu4/new 2>/dev/null; echo "touch $?"' 2>"$TMP/enter.err")
	echo "$out" | sed 's/^/# /'
	line() { echo "$out" | grep "^$1 " | cut -d' ' -f2-; }
	is "$(line cpu4)" "node0 ../../node/node0" "inside hotmem-enter: cpu4 (host node 3) links node0, whose cpulist has it"
	is "$(line cpu5)" "node1 ../../node/node1" "... cpu5 links node1"
	is "$(line cpu0) $(line cpu2)" "node0 ../../node/node0 node1 ../../node/node1" \
		"... cpu0 and cpu2 keep their host links (the machine has their nodes)"
	is "$(line node0)" "0-1,4" "... node0/cpulist 0-1,4"
	is "$(line online)" "1 core 7" "... cpu4's other files and directories are the host's"
	is "$(line ls)" "node0 online topology " "... and no others"
	tap_ok "$([ "$(line touch)" != 0 ]; echo $?)" "... nothing new is made in cpu4"
	is "$(cat "$TMP/enter.err" | grep -c 'link:')" 0 "... no relink failed"
	is "$(ls "$CPU/cpu4" | tr '\n' ' ')" "node3 online topology " "outside, the host's cpu4 is as it was"
else
	T_N=$((T_N + 1))
	echo "ok $T_N # SKIP hotmem-enter not built or no /dev/fuse"
fi

done_testing
