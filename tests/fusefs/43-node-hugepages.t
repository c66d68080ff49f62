#!/bin/bash
# nodeN/hugepages/hugepages-2048kB/nr_hugepages writes, as 6.18's
# nr_hugepages_store_common() -> set_max_huge_pages() with the node's mask:
# the node's pool grows on that node alone (__GFP_THISNODE), as far as its
# memory lets it (the write succeeds all the same), or shrinks; the count
# is in the state file ("hugetlb"), so it survives kill -9, and an offline
# that dissolved free huge pages (dissolve_free_hugetlb_folios()) shrank it
# for the restart too.  The writes were EOPNOTSUPP (the pool was in no
# state file).
. "$(dirname "$0")/lib.sh"
require_env

nodes01_profile 3 "$TMP/three.profile"
mount_fs "hotmemfs mounts a machine with memory on nodes 0 and 1" --profile "$TMP/three.profile" --cmdline hotmem.kernel_alloc=off --fresh
N=$MNT/sys/devices/system/node
hp() { cat "$N/node$1/hugepages/hugepages-2048kB/$2"; }
# w FILE VALUE: the write's result, "ok" or the errno's name
w() { python3 "$(dirname "$0")/sysw.py" w "$1" "$2" | sed 's/^ret=.*/ok/'; }
H1=$N/node1/hugepages/hugepages-2048kB/nr_hugepages

is "$(w "$H1" 8)" ok "node1 nr_hugepages <- 8"
is "$(hp 1 nr_hugepages) $(hp 1 free_hugepages) $(hp 0 nr_hugepages)" "8 8 0" \
	"node1 has 8 huge pages, all free; node0 none (the node's mask)"
is "$(awk '$3 == "HugePages_Total:" {print $4}' "$N/node1/meminfo")" 8 "node1/meminfo: HugePages_Total 8"
is "$(awk '$1 == "HugePages_Total:" {print $2}' "$MNT/proc/meminfo")" 8 "/proc/meminfo: HugePages_Total 8"
is "$(w "$H1" 5)" ok "node1 nr_hugepages <- 5"
is "$(hp 1 nr_hugepages)" 5 "... the pool shrinks to 5"
is "$(w "$H1" 100000)" ok "node1 nr_hugepages <- 100000: more than its 1 GiB holds, no error"
all=$(hp 1 nr_hugepages)
tap_ok "$([ "$all" -gt 400 ] && [ "$all" -lt 512 ]; echo $?)" "... as many as node1 had room for ($all)"
is "$(hp 0 nr_hugepages)" 0 "... none from node0"
is "$(w "$H1" 6)" ok "node1 nr_hugepages <- 6"
is "$(w "$H1" -1)" EINVAL "nr_hugepages <- -1: kstrtoul's EINVAL"
is "$(hp 1 nr_hugepages)" 6 "... 6 still"

kill9_fs
start_fs --profile "$TMP/three.profile" --cmdline hotmem.kernel_alloc=off
tap_ok $? "hotmemfs restarts after kill -9"
is "$(hp 1 nr_hugepages) $(hp 0 nr_hugepages)" "6 0" "node1's pool is 6 pages again, node0's none"

# an offline dissolves the free huge pages of its block: a smaller pool
dissolved=
for b in $(ls -d "$N"/node1/memory* | sed 's/.*memory//' | sort -n); do
	before=$(hp 1 nr_hugepages)
	[ "$(w "$MNT/sys/devices/system/memory/memory$b/state" offline)" = ok ] || continue
	if [ "$(hp 1 nr_hugepages)" -lt "$before" ]; then
		dissolved=$b
		break
	fi
	w "$MNT/sys/devices/system/memory/memory$b/state" online >/dev/null
done
after=$(hp 1 nr_hugepages)
tap_ok "$([ -n "$dissolved" ]; echo $?)" "memory$dissolved's offline dissolved huge pages: node1 has $after"
kill9_fs
start_fs --profile "$TMP/three.profile" --cmdline hotmem.kernel_alloc=off
tap_ok $? "hotmemfs restarts after kill -9"
is "$(hp 1 nr_hugepages)" "$after" "node1's pool is as the offline left it ($after), not 6"
is "$(cat "$MNT/sys/devices/system/memory/memory$dissolved/state")" offline "memory$dissolved is offline still"
is "$(w "$H1" 0)" ok "node1 nr_hugepages <- 0"
is "$(hp 1 nr_hugepages) $(awk '$1 == "HugePages_Total:" {print $2}' "$MNT/proc/meminfo")" "0 0" "... no pool left"
done_testing
