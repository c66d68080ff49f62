#!/bin/bash
# hugepages= on the command line (6.12 hugepages_setup() ->
# hugetlb_init()): the machine boots with that many free 2 MiB pages from
# boot memory and says so in its log where 6.12 does, after the
# zonelists ("HugeTLB: registered 2.00 MiB page size, pre-allocated N
# pages"; abuse30a C1, C2: hotmem booted with none and no such line).  A
# restart on the state file boots them again and then restores the pool
# as acknowledged -- neither the boot's 8 back nor 8 more.  A size hotmem
# does not model (hugepagesz=1G), and a layout parameter it does not model
# (mem=), are refused as a misspelt memory_hotplug.* name is.
. "$(dirname "$0")/lib.sh"
require_env

H=$MNT/sys/kernel/mm/hugepages/hugepages-2048kB
N0=$MNT/sys/devices/system/node/node0/hugepages/hugepages-2048kB
pool() { echo "$(cat "$H/nr_hugepages") $(cat "$N0/nr_hugepages") $(awk '/^HugePages_Total/ { print $2 }' "$MNT/proc/meminfo")"; }
start() { start_fs --profile qemu-512m --cmdline "quiet hugepages=8" "$@"; }

mount_fs "hotmemfs mounts qemu-512m with hugepages=8" --fresh --profile qemu-512m \
	--cmdline "quiet hugepages=8"
is "$(pool)" "8 8 8" "nr_hugepages, node0's and HugePages_Total: the 8 pages booted"
# after the zonelists: qemu-512m's "Freeing SMP alternatives" and
# "Memory:" lines come between (2026-12-03, its boot reservations), as in
# 6.12: start_kernel()'s alternatives, page_alloc_init_late()'s Memory:,
# then hugetlb_init(), a subsys_initcall
ctl dmesg | grep -A4 '^<6>Policy zone:' | grep '^<6>HugeTLB:' >"$TMP/report"
is "$(cat "$TMP/report")" "<6>HugeTLB: registered 2.00 MiB page size, pre-allocated 8 pages
<6>HugeTLB: 28 KiB vmemmap can be freed for a 2.00 MiB page" "the boot log reports the hstate after the zonelists"
! grep -q "models none of:.*hugepages" "$TMP/hotmemfs.log"
tap_ok $? "hugepages= is not in the 'models none of' note"

ctl hugetlb -3 >/dev/null
is "$(pool)" "5 5 5" "an acknowledged shrink to 5"
kill9_fs
start || { nok "hotmemfs restarts on its state file"; done_testing; exit 1; }
is "$(pool)" "5 5 5" "after kill -9 and a restart: 5, not the boot's 8"
ctl hugetlb 7 >/dev/null
stop_fs
start || { nok "hotmemfs restarts cleanly"; done_testing; exit 1; }
is "$(pool)" "12 12 12" "after a clean restart: the 12 acknowledged, not 8 more"
stop_fs

for bad in "hugepagesz=1G hugepages=2" "mem=384M" "memory_hotplug.bogus=1"; do
	out=$("$HMFS" --control "$CTL" --state "$STATE" --fresh --profile qemu-512m --cmdline "$bad" "$MNT" 2>&1)
	echo "$? ${out%%:*}" >>"$TMP/refusals"
	key=${bad%% *}
	[[ "$out" == *"${key%%=*}"*"hotmem refuses it"* ]]
	tap_ok $? "--cmdline $bad refused, saying why: ${out:0:160}"
done
is "$(sort -u "$TMP/refusals" | wc -l)" 1 "each refused with the exit status and prefix of a misspelt memory_hotplug name"
done_testing
