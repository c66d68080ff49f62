#!/bin/bash
# /sys/devices/system/node/nodeN as a 6.18 kernel shows it
# (drivers/base/node.c, mm/hugetlb_sysfs.c, mm/compaction.c, mm/vmscan.c):
# the names, modes and sizes of the reference's node0, cpuM links to the
# host's CPUs (the machine's CPUs are the host's, on the nodes that had
# memory at boot; a node hot-added with memory only has none), cpulist,
# cpumap, distance, vmstat in vmstat_text[]'s order with the engine's
# counters, hugepages/hugepages-2048kB/ on every node (6.18 register_node()
# -> hugetlb_register_node(), memory or not), compact
# and reclaim with the kernel's errnos; and numactl --hardware and lscpu
# inside hotmem-enter (skipped, loudly, without numactl).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nodes.sh"
require_env
ENTER=$HOTMEM_BUILD/hotmem-enter

nodes01_profile 3 "$TMP/three.profile"
mount_fs "hotmemfs mounts a machine with memory on nodes 0 and 1 of 3" --profile "$TMP/three.profile" --cmdline hotmem.kernel_alloc=off --fresh
N=$MNT/sys/devices/system/node

# the reference's node0 entries (cpuM links aside: the host's CPUs) against ours
is "$(node_entries "$N/node0")" "$(node_ref_entries)" "node0's entries: the reference's names, modes and sizes"
is "$(readlink "$N/node0/subsystem")" "../../../../bus/node" "subsystem -> ../../../../bus/node"
is "$(stat -c %h "$N/node0")" 4 "node0's nlink: power/ and hugepages/ (as the reference's host)"

# bus/node: the subsystem link's target, the machine's nodes in devices/
B=$MNT/sys/bus/node
is "$(cd "$B" && stat -c '%A %n' *)" "$(printf '%s\n' 'drwxr-xr-x devices' 'drwxr-xr-x drivers' \
	'-rw-r--r-- drivers_autoprobe' '--w------- drivers_probe' '--w------- uevent')" \
	"bus/node: devices/, drivers/, drivers_autoprobe, drivers_probe, uevent (as the host's)"
is "$(cd "$B/devices" && for l in *; do echo "$l $(readlink "$l")"; done)" \
	"$(printf '%s\n' 'node0 ../../../devices/system/node/node0' 'node1 ../../../devices/system/node/node1')" \
	"bus/node/devices: node0 and node1 -> ../../../devices/system/node/nodeN"
is "$(cd "$N/node1" && realpath subsystem)" "$B" "node1/subsystem resolves to bus/node"

# CPUs: the host's present CPUs, each on its host node when the machine has
# it with CPUs (nodes 0 and 1 here), the others in runs over nodes 0 and 1
host_cpus=$(cat /sys/devices/system/cpu/present)
nr_cpu_ids=$(($(sed 's/.*[-,]//' /sys/devices/system/cpu/possible) + 1))
ours=$(cd "$N" && for d in node*/cpu[0-9]*; do echo "${d#*/} $(readlink "$d")"; done | sort -V)
want=$(python3 - "$host_cpus" <<'PY'
import sys
cpus = []
for part in sys.argv[1].strip().split(","):
    a, _, b = part.partition("-")
    cpus += range(int(a), int(b or a) + 1)
for c in cpus:
    print("cpu%d ../../cpu/cpu%d" % (c, c))
PY
)
is "$ours" "$want" "each of the host's present CPUs ($host_cpus) is linked under one node, -> ../../cpu/cpuM"
ls -d "$N"/node0/cpu0 >/dev/null 2>&1
tap_ok $? "cpu0 is on node 0"
union=$(python3 - "$N" <<'PY'
import sys
s = set()
for n in (0, 1):
    for part in open("%s/node%d/cpulist" % (sys.argv[1], n)).read().strip().split(","):
        if part:
            a, _, b = part.partition("-")
            s |= set(range(int(a), int(b or a) + 1))
print(sorted(s))
PY
)
online=$(python3 -c '
import sys
s = set()
for part in open("/sys/devices/system/cpu/online").read().strip().split(","):
    a, _, b = part.partition("-")
    s |= set(range(int(a), int(b or a) + 1))
print(sorted(s))')
is "$union" "$online" "nodes 0 and 1's cpulists hold the host's online CPUs"
# cpumap: nr_cpu_ids bits in 32-bit words, as wide as they need
width=$(( (nr_cpu_ids % 32 ? (nr_cpu_ids % 32 + 3) / 4 : 8) + (nr_cpu_ids - 1) / 32 * 9 ))
is "$(head -c -1 "$N/node0/cpumap" | wc -c)" "$width" "cpumap is $width characters for $nr_cpu_ids possible CPUs"
is "$(python3 -c '
import sys
m = int(open(sys.argv[1]).read().replace(",", ""), 16)
print(",".join(str(b) for b in range(4096) if m >> b & 1))' "$N/node0/cpumap")" \
	"$(tr -d '\n' <"$N/node0/cpulist" | python3 -c '
import sys
out = []
for part in sys.stdin.read().split(","):
    if part:
        a, _, b = part.partition("-")
        out += range(int(a), int(b or a) + 1)
print(",".join(map(str, out)))')" "cpumap and cpulist name the same CPUs"
if [ "$(cat "$N/node1/cpulist")" ]; then cpu_nodes=0-1; else cpu_nodes=0; fi
is "$(cat "$N/has_cpu")" "$cpu_nodes" "has_cpu: the nodes with an online CPU"

is "$(cat "$N/node0/distance")" "10 20" "node0/distance: LOCAL_DISTANCE, REMOTE_DISTANCE to each online node"
is "$(cat "$N/node1/distance")" "20 10" "node1/distance"

# vmstat: vmstat_text[]'s zone, NUMA and node items, as a 6.18.44 guest prints them
want_names="nr_free_pages nr_free_pages_blocks nr_zone_inactive_anon nr_zone_active_anon
nr_zone_inactive_file nr_zone_active_file nr_zone_unevictable nr_zone_write_pending nr_mlock
nr_zspages nr_free_cma numa_hit numa_miss numa_foreign numa_interleave numa_local numa_other
nr_inactive_anon nr_active_anon nr_inactive_file nr_active_file nr_unevictable
nr_slab_reclaimable nr_slab_unreclaimable nr_isolated_anon nr_isolated_file workingset_nodes
workingset_refault_anon workingset_refault_file workingset_activate_anon
workingset_activate_file workingset_restore_anon workingset_restore_file workingset_nodereclaim
nr_anon_pages nr_mapped nr_file_pages nr_dirty nr_writeback nr_shmem nr_shmem_hugepages
nr_shmem_pmdmapped nr_file_hugepages nr_file_pmdmapped nr_anon_transparent_hugepages
nr_vmscan_write nr_vmscan_immediate_reclaim nr_dirtied nr_written nr_throttled_written
nr_kernel_misc_reclaimable nr_foll_pin_acquired nr_foll_pin_released nr_kernel_stack
nr_page_table_pages nr_sec_page_table_pages nr_iommu_pages nr_swapcached pgpromote_success
pgpromote_candidate pgpromote_candidate_nrl pgdemote_kswapd pgdemote_direct pgdemote_khugepaged
pgdemote_proactive nr_hugetlb nr_balloon_pages nr_kernel_file_pages"
is "$(awk '{print $1}' "$N/node1/vmstat" | tr '\n' ' ')" "$(echo $want_names) " \
	"node1/vmstat: 6.18's names in 6.18's order"
ok=0
awk 'NF != 2 || $2 !~ /^[0-9]+$/ {exit 1}' "$N/node1/vmstat" || ok=1
tap_ok $ok "... each 'name value'"
free_zoneinfo=$(awk '/^Node 1,/ {n = 1; next} /^Node / {n = 0} n && /pages free/ {s += $3} END {printf "%.0f\n", s}' \
	"$MNT/proc/zoneinfo")
is "$(awk '$1 == "nr_free_pages" {print $2}' "$N/node1/vmstat")" "$free_zoneinfo" \
	"nr_free_pages: the node's zones' free pages, as zoneinfo shows them"
is "$(($(awk '$1 == "nr_free_pages" {print $2}' "$N/node1/vmstat") * 4))" \
	"$(awk '$3 == "MemFree:" {print $4}' "$N/node1/meminfo")" "... and as node1/meminfo's MemFree"

# the workload's movable pages: active anon in vmstat, meminfo and /proc/meminfo alike
ctl alloc movable 100 node=1 >/dev/null
tap_ok $? "hotmemctl alloc movable 100 node=1"
for k in nr_anon_pages nr_active_anon nr_zone_active_anon; do
	is "$(awk -v k=$k '$1 == k {print $2}' "$N/node1/vmstat")" 100 "node1/vmstat $k: 100"
done
for k in Active Active\(anon\) AnonPages; do
	is "$(awk -v k="$k:" '$3 == k {print $4}' "$N/node1/meminfo")" 400 "node1/meminfo ${k//\\/}: 400 kB"
done
is "$(awk '$1 == "Active(anon):" {print $2}' "$MNT/proc/meminfo")" \
	"$(($(awk '$3 == "Active(anon):" {print $4}' "$N/node0/meminfo") + \
	    $(awk '$3 == "Active(anon):" {print $4}' "$N/node1/meminfo")))" \
	"/proc/meminfo's Active(anon) is the nodes' sum"
ctl free-all >/dev/null
# pinned user pages are anon pages still (get_user_pages() moves nothing
# off the LRU): they were in no anon count at all
ctl alloc pinned 30 node=1 >/dev/null
tap_ok $? "hotmemctl alloc pinned 30 node=1"
is "$(awk '$1 == "nr_anon_pages" || $1 == "nr_active_anon" || $1 == "nr_zone_active_anon" {printf "%s ", $2}' \
	"$N/node1/vmstat")" "30 30 30 " "node1/vmstat: the pinned pages are anon and active"
is "$(awk '$3 == "AnonPages:" || $3 == "Active(anon):" {printf "%s ", $4}' "$N/node1/meminfo")" "120 120 " \
	"node1/meminfo: AnonPages and Active(anon) 120 kB"
is "$(awk '$1 == "AnonPages:" || $1 == "Active(anon):" {printf "%s ", $2}' "$MNT/proc/meminfo")" "120 120 " \
	"/proc/meminfo: AnonPages and Active(anon) 120 kB"
is "$(awk '/^Node 1,/ {n = 1; next} /^Node / {n = 0} n && $1 == "nr_zone_active_anon" {s += $2} END {printf "%.0f\n", s}' \
	"$MNT/proc/zoneinfo")" 30 "proc/zoneinfo: node 1's zones' nr_zone_active_anon 30"
ctl free-all >/dev/null

# hugepages/: the engine's 2 MiB pool only
H=$N/node0/hugepages
is "$(ls "$H")" "hugepages-2048kB" "hugepages/ has hugepages-2048kB/ (no 1 GiB pages in the engine)"
is "$(cd "$H/hugepages-2048kB" && stat -c '%A %s %n' *)" "$(printf '%s\n' \
	'-r--r--r-- 4096 free_hugepages' '-rw-r--r-- 4096 nr_hugepages' '-r--r--r-- 4096 surplus_hugepages')" \
	"hugepages-2048kB/: free_hugepages, nr_hugepages, surplus_hugepages"
is "$(cat "$H"/hugepages-2048kB/*)" "$(printf '0\n0\n0')" "... all 0 on a machine without a pool"
ctl hugetlb 3 node=1 >/dev/null
tap_ok $? "hotmemctl hugetlb 3 node=1"
is "$(cat "$N/node1/hugepages/hugepages-2048kB/nr_hugepages")" 3 "node1's nr_hugepages: 3"
is "$(cat "$N/node1/hugepages/hugepages-2048kB/free_hugepages")" 3 "... free_hugepages: 3"
is "$(cat "$N/node1/hugepages/hugepages-2048kB/nr_hugepages")" \
	"$(awk '/HugePages_Total/ {print $4}' "$N/node1/meminfo")" "nr_hugepages is meminfo's HugePages_Total"
is "$(awk '$1 == "nr_hugetlb" {print $2}' "$N/node1/vmstat")" \
	"$(($(cat "$N/node1/hugepages/hugepages-2048kB/nr_hugepages") * 512))" "vmstat's nr_hugetlb: its base pages"

# writes, as the kernel answers them
w() {	# w FILE VALUE: the write's result, "ok" or the errno's name
	python3 - "$1" "$2" <<'PY'
import errno, os, sys
fd = os.open(sys.argv[1], os.O_WRONLY)
try:
    os.write(fd, sys.argv[2].encode())
    print("ok")
except OSError as e:
    print(errno.errorcode.get(e.errno, e.errno))  # 133: EHWPOISON, unknown to Python
PY
}
is "$(w "$N/node0/compact" 1)" ok "compact: any write compacts the node"
is "$(w "$N/node0/reclaim" 0)" ok "reclaim '0': nothing to reclaim, done"
is "$(w "$N/node0/reclaim" "4095 swappiness=max")" ok "reclaim under a page with swappiness=max: done"
is "$(w "$N/node0/reclaim" 1M)" EAGAIN "reclaim 1M: no page cache, no swap: EAGAIN"
is "$(w "$N/node0/reclaim" "1M swappiness=60")" EAGAIN "reclaim '1M swappiness=60': EAGAIN"
# reclaim_store(): `ret ? -EAGAIN : count`, the parse's EINVAL too (6.18, as the host)
for bad in bad x "1 bogus" "1M swappiness=201" "1M swappiness=-1" "1M swappiness=5x" "1M foo" \
	"swappiness=10"; do
	is "$(w "$N/node0/reclaim" "$bad")" EAGAIN "reclaim '$bad': a parse error, EAGAIN"
done
is "$(python3 -c '
import errno, os, sys
try:
    os.open(sys.argv[1], os.O_RDONLY)
    print("ok")
except OSError as e:
    print(errno.errorcode[e.errno])' "$N/node0/reclaim")" EACCES "reading reclaim (0200, no show): EACCES"
is "$(w "$H/hugepages-2048kB/nr_hugepages" x)" EINVAL "nr_hugepages 'x': kstrtoul's EINVAL"
is "$(w "$H/hugepages-2048kB/nr_hugepages" 0)" ok "nr_hugepages: the node's own count is taken"

# a node hot-added with memory only: no CPUs; hugepages/ from its registration on,
# its memory offline or online (register_node() -> hugetlb_register_node()).
# hotmemfs drops the kernel's cached listings and attributes from its
# notifier thread before the change's reply (37-write-invalidates.t);
# `hotmemctl settle` after it, as a script would after changes it did not
# make itself, returns at once then.
ctl device_add pc-dimm size=256M node=2 id=d2 >/dev/null && ctl settle --timeout 60
tap_ok $? "device_add pc-dimm on node 2"
is "$(cat "$N/online")" "0-2" "node2 is online"
# 2>&1: a file that is not there is not empty
is "$(cat "$N/node2/cpulist" 2>&1)" "" "node2/cpulist: empty"
is "$(tr -d '0,\n' 2>&1 <"$N/node2/cpumap")" "" "node2/cpumap: only zeros ..."
is "$(head -c -1 "$N/node2/cpumap" | wc -c)" "$width" "... $width characters wide"
is "$(ls "$N/node2" | grep -c '^cpu[0-9]')" 0 "node2 has no cpuM links"
is "$(cat "$N/has_cpu")" "$cpu_nodes" "has_cpu does not change"
is "$(cat "$N/node2/distance")" "20 20 10" "node2/distance"
is "$(cat "$N/node0/distance")" "10 20 20" "node0/distance has node2's column"
is "$(ls "$N/node2/hugepages" 2>&1)" "hugepages-2048kB" \
	"node2 has hugepages/ while its memory is offline (no N_MEMORY test in 6.18)"
is "$(stat -c %h "$N/node2")" 4 "node2's nlink: power/ and hugepages/"
is "$(ls "$N/node2" | grep -c '^hugepages$')" 1 "node2's listing has hugepages"
chmod 600 "$N/node2/hugepages/hugepages-2048kB/nr_hugepages"
tap_ok $? "chmod 600 node2/hugepages/hugepages-2048kB/nr_hugepages"
is "$(ls "$B/devices" | tr '\n' ' ')" "node0 node1 node2 " "bus/node/devices lists node2"
blk=$(ls "$N/node2" | sed -n 's/^memory//p' | sort -n | head -1)
echo online_movable >"$MNT/sys/devices/system/memory/memory$blk/state" && ctl settle --timeout 60
tap_ok $? "memory$blk (node 2) onlined"
is "$(ls "$N/node2/hugepages" 2>&1)" "hugepages-2048kB" "node2/hugepages/ with its memory online"
is "$(cat "$N/has_memory")" "0-2" "has_memory: 0-2"
is "$(stat -c %h "$N/node2")" 4 "node2's nlink: power/ and hugepages/"
echo offline >"$MNT/sys/devices/system/memory/memory$blk/state" && ctl settle --timeout 60
tap_ok $? "memory$blk offlined again"
is "$([ -e "$N/node2/hugepages" ] && echo there || echo gone)" there \
	"node2/hugepages/ stays when its last memory goes offline (until unregister_node())"
is "$(stat -c %h "$N/node2")" 4 "... and node2's nlink says so"
is "$(stat -c %a "$N/node2/hugepages/hugepages-2048kB/nr_hugepages")" 600 \
	"nr_hugepages keeps its chmod across the node's memory going and coming"

# CONFIG_MEMORY_FAILURE: every node's memory_failure/ (mm/memory-failure.c, 6.5+)
stop_fs
{ cat "$TMP/three.profile"; echo 'memory_failure = yes'; } >"$TMP/mf.profile"
start_fs --profile "$TMP/mf.profile" --cmdline hotmem.kernel_alloc=off --fresh
tap_ok $? "hotmemfs mounts the machine with memory_failure = yes"
is "$(cd "$N/node1/memory_failure" && stat -c '%A %s %n' *)" "$(printf -- '-r--r--r-- 4096 %s\n' \
	delayed failed ignored recovered total)" "node1/memory_failure/: delayed, failed, ignored, recovered, total"
is "$(cat "$N"/node1/memory_failure/*)" "$(printf '0\n0\n0\n0\n0')" "... all 0"
is "$(stat -c %h "$N/node0")" 5 "node0's nlink: power/, hugepages/, memory_failure/"
is "$(w "$MNT/sys/devices/system/memory/hard_offline_page" 0x60000000)" ok \
	"hard_offline_page of a free page on node 1"
mf() { echo "$(cat "$N/node$1/memory_failure/total") $(cat "$N/node$1/memory_failure/recovered")"; }
is "$(mf 1)" "1 1" "node1/memory_failure: total 1, recovered 1 (a free page: MF_MSG_BUDDY, MF_RECOVERED)"
is "$(mf 0)" "0 0" "node0's stay 0"
is "$(w "$MNT/sys/devices/system/memory/hard_offline_page" 0x60000000)" 133 \
	"the same page again: EHWPOISON"
is "$(w "$MNT/sys/devices/system/memory/soft_offline_page" 0x60001000)" ok "soft_offline_page of another"
is "$(mf 1)" "1 1" "neither counts (MF_MSG_ALREADY_POISONED; soft offline is not memory_failure())"
# a kernel page (node 1's memmap, memblock-reserved at boot; the
# workload's kmalloc page): soft offline cannot handle it (get_any_page():
# EIO); memory_failure() poisons it and ignores it, EBUSY (6.12-6.18
# MF_MSG_GET_HWPOISON, MF_IGNORED) -- it answered EBUSY and did neither
mfi() { echo "$(cat "$N/node$1/memory_failure/total") $(cat "$N/node$1/memory_failure/ignored") $(cat "$N/node$1/memory_failure/recovered")"; }
hwc() { awk '$1 == "HardwareCorrupted:" {print $2}' "$MNT/proc/meminfo"; }
ctl alloc unmovable 1 node=1 >/dev/null
is "$(w "$MNT/sys/devices/system/memory/soft_offline_page" 0x40000000)" EIO \
	"soft_offline_page of the workload's unmovable page on node 1: EIO"
is "$(w "$MNT/sys/devices/system/memory/hard_offline_page" 0x7f000000)" EBUSY \
	"hard_offline_page of node 1's memblock-reserved memmap: EBUSY"
is "$(mfi 1)" "2 1 1" "... counted ignored: total 2, ignored 1, recovered 1"
is "$(hwc)" 12 "... and the page is poison: HardwareCorrupted 12 kB (three pages)"
is "$(w "$MNT/sys/devices/system/memory/hard_offline_page" 0x7f000000)" 133 \
	"the same page again: EHWPOISON, not counted"
is "$(mfi 1)" "2 1 1" "... total 2, ignored 1"
chmod 400 "$N/node1/memory_failure/total"
kill9_fs
start_fs --profile "$TMP/mf.profile" --cmdline hotmem.kernel_alloc=off
tap_ok $? "hotmemfs restarts after kill -9"
is "$(mfi 1)" "2 1 1" "node1/memory_failure/ counts the pages retired before, the ignored one too"
is "$(hwc)" 12 "... all three poison again (the state file has the ignored one)"
is "$(stat -c %a "$N/node1/memory_failure/total")" 400 "... and total keeps its chmod (the state file names it by its path)"

# inside hotmem-enter a CPU's own node link (the host's cpu/cpuM/nodeK, not
# bound over) leads to an emulated node whose cpulist has the CPU, for each
# CPU whose host node the machine has with CPUs (0 or 1): irqbalance and a
# readlink read that side, lscpu and numactl the node's (review6 #4)
if [ ! -x "$ENTER" ]; then
	ok "cpuM/nodeK agrees with nodeK/cpulist # SKIP no $ENTER"
else
	out=$("$ENTER" --profile "$TMP/three.profile" --cmdline hotmem.kernel_alloc=off -- python3 -c '
import glob, os, re
checked = bad = 0
for c in glob.glob("/sys/devices/system/cpu/cpu[0-9]*"):
    links = [n for n in os.listdir(c) if re.fullmatch(r"node[0-9]+", n)]
    if not links or links[0] not in ("node0", "node1"):
        continue
    cpus = set()
    for part in open(os.path.join(c, links[0], "cpulist")).read().strip().split(","):
        if part:
            a, _, b = part.partition("-")
            cpus |= set(range(int(a), int(b or a) + 1))
    checked += 1
    if int(c.rsplit("cpu", 1)[1]) not in cpus:
        bad += 1
        print("%s/%s does not list it" % (os.path.basename(c), links[0]))
print("checked %d" % checked)' 2>/dev/null)
	echo "$out" | sed 's/^/#   /'
	is "$(echo "$out" | grep -c 'does not list')" 0 "each CPU's cpuM/nodeK lists it in nodeK/cpulist"
	is "$(echo "$out" | grep -c '^checked [1-9]')" 1 "... CPUs checked"
fi

# numactl and lscpu inside hotmem-enter
if ! have_tool numactl numactl "numactl --hardware"; then
	:
elif [ ! -x "$ENTER" ]; then
	ok "numactl --hardware # SKIP no $ENTER"
else
	# with a SLIT (QEMU's -numa dist): numactl's matrix is the profile's
	{ cat "$TMP/three.profile"; printf 'distance = %s\n' '0 1 21' '0 2 31' '2 1 41'; } >"$TMP/slit.profile"
	out=$("$ENTER" --profile "$TMP/slit.profile" --cmdline hotmem.kernel_alloc=off -- \
		sh -c 'numactl --hardware; echo "lscpu: $(lscpu | grep -c "^NUMA node[0-9] CPU")"; \
		       echo "bus: $(ls /sys/bus/node/devices | tr "\n" " ")"; \
		       echo "numastat: $(numastat | head -1 | tr -s " ")"; \
		       echo "lscpu-e: $(lscpu -e=CPU,NODE | tail -n +2 | tr -s " " | tr "\n" ";")"; \
		       for n in 0 1; do echo "list$n: $(cat /sys/devices/system/node/node$n/cpulist)"; \
		       echo "total$n: $(awk "/MemTotal/ {print int(\$4 / 1024)}" /sys/devices/system/node/node$n/meminfo)"; done' \
		2>"$TMP/enter.err")
	tap_ok $? "numactl --hardware runs inside hotmem-enter"
	echo "$out" | sed 's/^/#   /'
	grep -v '^hotmemfs:' "$TMP/enter.err" | sed 's/^/# stderr: /'
	is "$(grep -c . <(grep -v '^hotmemfs:' "$TMP/enter.err"))" 0 "... and libnuma warns of nothing"
	is "$(echo "$out" | sed -n 1p)" "available: 2 nodes (0-1)" "available: 2 nodes (0-1)"
	for n in 0 1; do
		list=$(echo "$out" | sed -n "s/^list$n: //p")
		cpus=$(python3 -c '
import sys
out = []
for part in sys.argv[1].split(","):
    if part:
        a, _, b = part.partition("-")
        out += range(int(a), int(b or a) + 1)
print("".join(" %d" % c for c in out))' "$list")
		is "$(echo "$out" | sed -n "s/^node $n cpus://p")" "$cpus" "node $n cpus:$cpus (its cpulist)"
		is "$(echo "$out" | sed -n "s/^node $n size: //p")" \
			"$(echo "$out" | sed -n "s/^total$n: //p") MB" "node $n size: its MemTotal"
	done
	is "$(echo "$out" | sed -n '/^node distances:/,/^  1:/p' | tr -s ' ')" \
		"$(printf 'node distances:\nnode 0 1 \n 0: 10 21 \n 1: 21 10 ')" "node distances: the profile's SLIT"
	is "$(echo "$out" | sed -n 's/^lscpu: //p')" 2 "lscpu lists NUMA node0 and node1 CPUs"
	is "$(echo "$out" | sed -n 's/^bus: //p')" "node0 node1 " "/sys/bus/node is the machine's inside hotmem-enter"
	is "$(echo "$out" | sed -n 's/^numastat: //p')" " node0 node1" "numastat's columns: node0 node1"
	want_e=$(for c in $(cd "$N" && ls -d node[01]/cpu[0-9]* | sed 's|node\([01]\)/cpu\(.*\)|\2:\1|' | sort -n); do
		echo -n " ${c%:*} ${c#*:};"; done)
	is "$(echo "$out" | sed -n 's/^lscpu-e: //p')" "$want_e" "lscpu -e's NODE column: each CPU's node"
fi

done_testing
