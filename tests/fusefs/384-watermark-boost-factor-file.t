#!/bin/bash
# proc/sys/vm/watermark_boost_factor, served as 6.12 mm/page_alloc.c's
# page_alloc_sysctl_table serves it (0644, proc_dointvec_minmax() with
# extra1 SYSCTL_ZERO and no max): 15000 at boot, any int from 0 taken,
# EINVAL for a negative one, one past INT_MAX or no number, the value
# left as it was.  The allocator reads it at the next fallback
# (boost_watermark()): written 0 at run time, tests/fusefs/369's machine
# (qemu-512m's 6.12.118 guest placement, its HugeTLB pool filled) adds
# the 512 MiB DIMM its boosts refuse at 15000 (369, 383: the boot word
# sysctl.vm.watermark_boost_factor=, which was the only way to set it).
# An acknowledged write is in the state file's "params"
# (watermark-boost-factor): the value after kill -9 and a restart.
# Before, there was no such file (ENOENT) and inside hotmem-enter the
# host's was bound.
. "$(dirname "$0")/lib.sh"
require_env
FIX=$HOTMEM_SRC/tests/fixtures/hugetlb-fill/qemu-6.12.118-hugetlb-fill.txt
sed -n 's/^# profile: //p' "$FIX" >"$TMP/p.profile"
ARGS=(--profile "$TMP/p.profile" --cmdline memhp_default_state=offline)
V=$MNT/proc/sys/vm
zone_line() { awk -v z="$1" -v k="$2" '$1 == "Node" { zone = $4 } zone == z && $1 == k { print $2; exit }' \
	"$MNT/proc/zoneinfo"; }
blocks() { find "$MNT/sys/devices/system/memory" -maxdepth 1 -name 'memory[0-9]*' | wc -l; }

mount_fs "hotmemfs boots 369's guest placement" "${ARGS[@]}" --fresh
is "$(stat -c '%A %s' "$V/watermark_boost_factor")" "-rw-r--r-- 0" \
	"proc/sys/vm/watermark_boost_factor: 0644, size 0 (procfs)"
is "$(cat "$V/watermark_boost_factor")" 15000 "15000 at boot"
for v in -1 abc 2147483648 -2147483648 5x '\n'; do
	is "$(w "$V/watermark_boost_factor" "$v")" EINVAL "<- '$v': EINVAL"
done
is "$(cat "$V/watermark_boost_factor")" 15000 "... as it was"
is "$(w "$V/watermark_boost_factor" 2147483647)" ret=10 "<- 2147483647 (INT_MAX): taken"
is "$(cat "$V/watermark_boost_factor")" 2147483647 "... reads 2147483647"
is "$(w "$V/watermark_boost_factor" 0)" ret=1 "<- 0: taken"
is "$(cat "$V/watermark_boost_factor")" 0 "... reads 0"

# the factor 0 read by the allocator: no steal boosts, the DIMM is added
min=$(zone_line DMA32 min)
before=$(blocks)
is "$(w "$MNT/proc/sys/vm/nr_hugepages" 1000)" ret=4 "nr_hugepages <- 1000"
ctl device_add pc-dimm id=d1 size=512M >"$TMP/add.out" 2>&1
tap_ok $? "the 512 MiB DIMM added" || diag "$(cat "$TMP/add.out")"
is "$(blocks)" "$((before + 4))" "its 4 blocks there"
is "$(zone_line DMA32 boost) $(zone_line DMA32 min) $(zone_line DMA32 node_unreclaimable:)" "0 $min 0" \
	"DMA32: no boost, min $min, kswapd never woken"

kill9_fs
mount_fs "kill -9, restart" "${ARGS[@]}"
is "$(cat "$V/watermark_boost_factor")" 0 "the acknowledged 0 after the restart"
is "$(w "$V/watermark_boost_factor" 10000)" ret=5 "<- 10000"
kill9_fs
mount_fs "kill -9, restart" "${ARGS[@]}"
is "$(cat "$V/watermark_boost_factor")" 10000 "10000 after the restart"
ctl check >/dev/null
tap_ok $? "invariants hold"
done_testing
