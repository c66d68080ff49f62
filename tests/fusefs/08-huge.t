#!/bin/bash
# 64 TiB of 2 GiB blocks: 32768 memory blocks list, lsmem and poll.
. "$(dirname "$0")/lib.sh"
require_env
require_room huge-64t
M=$MNT/sys/devices/system/memory

start_fs --profile huge-64t --fresh
tap_ok $? "hotmemfs mounts huge-64t"
t0=$(date +%s.%N)
ctl device_add pc-dimm id=big addr=0x80000000 size=$(((64 << 40) - (2 << 30)))
tap_ok $? "device_add a 64 TiB - 2 GiB DIMM"
diag "device_add took $(echo "$(date +%s.%N) - $t0" | bc 2>/dev/null || echo ?) s"
is "$(ls "$M" | grep -c '^memory')" 32768 "32768 memoryN directories"
is "$(ls "$MNT/sys/bus/memory/devices" | wc -l)" 32768 "32768 bus/memory/devices links"
is "$(cat "$M/memory32767/phys_index")" "00007fff" "memory32767/phys_index"
out=$(timeout 120 lsmem --sysroot "$MNT" -o RANGE,SIZE,STATE,BLOCK)
tap_ok $? "lsmem --sysroot over 32768 blocks"
is "$(echo "$out" | sed -n 3p | tr -s ' ')" \
	"0x0000000080000000-0x00003fffffffffff 64T offline 1-32767" "lsmem: one 64T offline range"
echo online_movable >"$M/memory32767/state"
tap_ok $? "online the last block movable"
is "$(cat "$M/memory32767/valid_zones")" "Movable" "... it is in ZONE_MOVABLE"
echo offline >"$M/memory32767/state"
ctl check >/dev/null
tap_ok $? "invariants hold"
ctl device_del big
tap_ok $? "device_del the 64 TiB DIMM"
is "$(ls "$M" | grep -c '^memory')" 1 "one block left"
stop_fs

# a cap on host mappings below what maxmem's self-hosted memmaps need
# (hotmem.max_map_count= lowers it, as vm.max_map_count would): said once
# at start, and an add past it is refused with what it needs
: >"$TMP/hotmemfs.log"
start_fs --profile huge-64t --fresh --cmdline hotmem.max_map_count=20000
tap_ok $? "hotmemfs mounts huge-64t under a cap of 20000 host mappings"
is "$(grep -c 'plugging all of maxmem needs vm.max_map_count >= ' "$TMP/hotmemfs.log")" 1 \
	"hotmemfs says once what plugging all of maxmem needs"
out=$(ctl device_add pc-dimm id=big addr=0x80000000 size=$(((64 << 40) - (2 << 30))) 2>&1)
echo "$out" | grep -q "refused by the guest (ENOMEM): .*Cannot allocate memory"
tap_ok $? "a 64 TiB DIMM past the cap: the guest refuses it with ENOMEM (QEMU keeps it plugged)"
ctl dmesg | grep -qE "the memmap needs up to 32770 more host mappings, [0-9]+ are left under hotmem.max_map_count=20000 .*run sysctl vm.max_map_count=[0-9]+"
tap_ok $? "... and the log says how many mappings it needs and which sysctl would do"
ctl device_del big >/dev/null
tap_ok $? "device_del of the refused DIMM"
ctl device_add pc-dimm id=small addr=0x80000000 size=1T >/dev/null
tap_ok $? "a 1 TiB DIMM under the cap plugs"
done_testing
