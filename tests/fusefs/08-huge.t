#!/bin/bash
# 64 TiB of 2 GiB blocks: 32768 memory blocks list, lsmem and poll.
. "$(dirname "$0")/lib.sh"
require_env
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
done_testing
