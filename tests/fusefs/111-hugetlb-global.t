#!/bin/bash
# The global HugeTLB pool's files, as 6.18 serves them:
# sys/kernel/mm/hugepages/hugepages-2048kB/ (mm/hugetlb_sysfs.c
# hstate_attrs[]: nr_hugepages, nr_hugepages_mempolicy,
# nr_overcommit_hugepages, free_hugepages, resv_hugepages,
# surplus_hugepages) and proc/sys/vm's nr_hugepages,
# nr_hugepages_mempolicy, nr_overcommit_hugepages (mm/hugetlb_sysctl.c).
# A write of nr_hugepages is set_max_huge_pages() with NUMA_NO_NODE: the
# pool interleaved over the nodes with memory, as hotmemctl hugetlb grows
# it; each node's files and /proc/meminfo agree, the state file keeps the
# count over kill -9.  Bad writes: kstrtoul's EINVAL/ERANGE (sysfs),
# proc_doulongvec_minmax()'s EINVAL (sysctl).  Overcommit is not modelled:
# 0, every write EINVAL.  There were no such files.
. "$(dirname "$0")/lib.sh"
require_env

nodes01_profile 2 "$TMP/two.profile"
mount_fs "hotmemfs mounts a machine with memory on nodes 0 and 1" --profile "$TMP/two.profile" --cmdline hotmem.kernel_alloc=off --fresh
G=$MNT/sys/kernel/mm/hugepages/hugepages-2048kB
V=$MNT/proc/sys/vm
N=$MNT/sys/devices/system/node
hp() { cat "$N/node$1/hugepages/hugepages-2048kB/$2"; }
pools() { echo "$(hp 0 nr_hugepages) $(hp 1 nr_hugepages)"; }
total() { awk '$1 == "HugePages_Total:" {print $2}' "$MNT/proc/meminfo"; }
# w FILE VALUE: the write's result, "ret=N" or the errno's name
w() { python3 "$(dirname "$0")/sysw.py" w "$1" "$2"; }

is "$(ls "$MNT/sys/kernel/mm/hugepages")" hugepages-2048kB "kernel/mm/hugepages: the engine's one hstate, 2 MiB"
is "$(cd "$G" && stat -c '%A %s %n' * | tr '\n' ';')" \
	"-r--r--r-- 4096 free_hugepages;-rw-r--r-- 4096 nr_hugepages;-rw-r--r-- 4096 nr_hugepages_mempolicy;-rw-r--r-- 4096 nr_overcommit_hugepages;-r--r--r-- 4096 resv_hugepages;-r--r--r-- 4096 surplus_hugepages;" \
	"hugepages-2048kB/: 6.18's six files, modes and sizes as the kernel's"
is "$(stat -c '%A %s %n' "$V"/nr_* | sed "s|$V/||" | tr '\n' ';')" \
	"-rw-r--r-- 0 nr_hugepages;-rw-r--r-- 0 nr_hugepages_mempolicy;-rw-r--r-- 0 nr_overcommit_hugepages;" \
	"proc/sys/vm: the three sysctls, 0644, size 0 (procfs; min_free_kbytes beside them)"
is "$(stat -c %A "$V")" dr-xr-xr-x "proc/sys/vm is 0555"
is "$(cat "$G"/* | tr '\n' ' ')" "0 0 0 0 0 0 " "an empty pool: every file 0"

is "$(w "$G/nr_hugepages" 8)" ret=1 "kernel/mm/hugepages nr_hugepages <- 8"
is "$(cat "$G/nr_hugepages") $(cat "$G/free_hugepages") $(cat "$G/nr_hugepages_mempolicy")" "8 8 8" \
	"... nr_hugepages 8, free 8, nr_hugepages_mempolicy 8"
is "$(pools)" "4 4" "... interleaved over nodes 0 and 1 (NUMA_NO_NODE, N_MEMORY)"
is "$(total) $(cat "$V/nr_hugepages")" "8 8" "... /proc/meminfo HugePages_Total and vm.nr_hugepages agree"
is "$(w "$V/nr_hugepages" '3\n')" ret=2 "vm.nr_hugepages <- 3"
is "$(pools) $(total) $(cat "$G/nr_hugepages")" "1 2 3 3" "... shrunk by the round robin: 3 left (node0 1, node1 2)"
is "$(w "$V/nr_hugepages_mempolicy" ' 0x6\n')" ret=5 "vm.nr_hugepages_mempolicy <- ' 0x6' (base 0, spaces skipped)"
is "$(cat "$V/nr_hugepages") $(pools)" "6 3 3" "... 6, the default policy's nodes"
is "$(w "$G/nr_hugepages_mempolicy" 4)" ret=1 "kernel/mm/hugepages nr_hugepages_mempolicy <- 4"
is "$(cat "$G/nr_hugepages")" 4 "... 4"

is "$(w "$G/nr_hugepages" abc)" EINVAL "nr_hugepages <- abc: kstrtoul's EINVAL"
is "$(w "$G/nr_hugepages" -1)" EINVAL "nr_hugepages <- -1: EINVAL"
is "$(w "$G/nr_hugepages" 99999999999999999999)" ERANGE "nr_hugepages <- 2^66: kstrtoul's ERANGE"
is "$(w "$G/nr_hugepages" '0x4')" EINVAL "nr_hugepages <- 0x4: base 10 only, EINVAL"
ulong_sysctl_refusals "$V/nr_hugepages" vm.nr_hugepages
# 6.12 hugetlb_overcommit_handler(), nr_overcommit_hugepages_store():
# EINVAL for a gigantic hstate only, the 2 MiB one stores any count
is "$(w "$V/nr_overcommit_hugepages" '0\n')" ret=2 "vm.nr_overcommit_hugepages <- 0 (what sysctl -p writes): stored"
is "$(w "$G/nr_overcommit_hugepages" 7)" ret=1 "nr_overcommit_hugepages <- 7: stored"
is "$(cat "$G/nr_overcommit_hugepages") $(cat "$V/nr_overcommit_hugepages")" "7 7" \
	"... both files read 7 (one h->nr_overcommit_huge_pages)"
is "$(w "$V/nr_overcommit_hugepages" ' 0x10\n')" ret=6 "vm.nr_overcommit_hugepages <- ' 0x10' (base 0, spaces skipped)"
is "$(cat "$G/nr_overcommit_hugepages")" 16 "... 16"
is "$(w "$G/nr_overcommit_hugepages" 18446744073709551615)" ret=20 "nr_overcommit_hugepages <- ULONG_MAX"
is "$(cat "$V/nr_overcommit_hugepages")" 18446744073709551615 "... reads back as written"
is "$(w "$G/nr_overcommit_hugepages" 0x4)" EINVAL "nr_overcommit_hugepages <- 0x4: kstrtoul base 10, EINVAL"
is "$(w "$G/nr_overcommit_hugepages" 99999999999999999999)" ERANGE "nr_overcommit_hugepages <- 2^66: ERANGE"
is "$(w "$V/nr_overcommit_hugepages" -1)" EINVAL "vm.nr_overcommit_hugepages <- -1: EINVAL"
is "$(w "$V/nr_overcommit_hugepages" 3)" ret=1 "vm.nr_overcommit_hugepages <- 3"
is "$(w "$G/free_hugepages" 1)" EACCES "free_hugepages is read-only (EACCES)"
is "$(cat "$G/nr_hugepages") $(cat "$G/nr_overcommit_hugepages") $(cat "$V/nr_overcommit_hugepages") $(cat "$G/surplus_hugepages")" "4 3 3 0" \
	"... the pool 4 still, overcommit 3, no surplus page (nothing faults one in)"

is "$(w "$G/nr_hugepages" 100000)" ret=6 "nr_hugepages <- 100000: more than fits, no error"
all=$(cat "$G/nr_hugepages")
tap_ok "$([ "$all" -gt 800 ] && [ "$all" -lt 1024 ]; echo $?)" "... as many as the 2 GiB had room for ($all)"
tap_ok "$([ "$(hp 0 nr_hugepages)" -gt 300 ] && [ "$(hp 1 nr_hugepages)" -gt 400 ]; echo $?)" "... from both nodes"
is "$(w "$G/nr_hugepages" 5)" ret=1 "nr_hugepages <- 5"
before=$(pools)

kill9_fs
start_fs --profile "$TMP/two.profile" --cmdline hotmem.kernel_alloc=off
tap_ok $? "hotmemfs restarts after kill -9"
is "$(cat "$G/nr_hugepages") $(cat "$V/nr_hugepages") $(pools)" "5 5 $before" \
	"the global pool's 5 pages survive, on the same nodes ($before)"
is "$(cat "$V/nr_overcommit_hugepages")" 3 "... and nr_overcommit_hugepages 3 (a parameter of the state file)"
is "$(w "$V/nr_hugepages" 0)" ret=1 "vm.nr_hugepages <- 0"
is "$(cat "$G/nr_hugepages") $(pools) $(total)" "0 0 0 0" "... no pool left"
done_testing
