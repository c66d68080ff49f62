#!/bin/bash
# util-linux against hotmemfs: lsmem --sysroot output equal to the real
# host's (tests/fixtures/reference/lsmem-host.txt), chmem through a bind mount in
# a private mount namespace, lsmem/chmem after a hot-plug.
. "$(dirname "$0")/lib.sh"
require_env
need_tool lsmem util-linux
need_file "$REF/lsmem-host.txt"

start_fs --profile host-24g --fresh
tap_ok $? "hotmemfs mounts the host-24g machine"
M=$MNT/sys/devices/system/memory

# ref_out 'lsmem -a': the output the reference recorded for that command
ref_out() {
	awk -v cmd="\$ $1" '$0 == cmd { on = 1; next } on && /^\[exit/ { exit } on' "$REF/lsmem-host.txt"
}
for args in "" "-a" "-o RANGE,SIZE,STATE,REMOVABLE,BLOCK,NODE,ZONES" \
	"-J -o RANGE,SIZE,STATE,REMOVABLE,BLOCK,NODE,ZONES" \
	"-P -o RANGE,SIZE,STATE,REMOVABLE,BLOCK,NODE,ZONES" "--summary=only"; do
	# shellcheck disable=SC2086
	got=$(lsmem --sysroot "$MNT" $args 2>&1)
	is "$got" "$(ref_out "lsmem${args:+ $args}")" "lsmem --sysroot ${args:-(default)} == real host"
done
# shellcheck disable=SC2016
got=$(in_sysns lsmem -o RANGE,SIZE,STATE,REMOVABLE,BLOCK,NODE,ZONES)
is "$got" "$(ref_out "lsmem -o RANGE,SIZE,STATE,REMOVABLE,BLOCK,NODE,ZONES")" "lsmem through the bind mount == real host"

# chmem, unmodified, in a private mount namespace
is "$(in_sysns chmem -v -e -b 104 2>&1)" \
	"Memory Block 104 (0x0000000340000000-0x0000000347ffffff) already enabled" "chmem -e on an online block"
in_sysns chmem -v -e -b 24 >/dev/null 2>&1
is "$?" 1 "chmem -e -b 24 (a hole) fails"
is "$(in_sysns chmem -v -e -z Bogus -b 104 2>&1 | head -1)" "chmem: unknown memory zone: Bogus" "chmem rejects a bogus zone"
is "$(in_sysns chmem -v -d -b 150-151 2>&1)" \
	"$(printf 'Memory Block 150 (0x00000004b0000000-0x00000004b7ffffff) disabled\nMemory Block 151 (0x00000004b8000000-0x00000004bfffffff) disabled')" \
	"chmem -d -b 150-151 offlines two blocks"
is "$(cat $M/memory150/state $M/memory151/state | tr '\n' ' ')" "offline offline " "... sysfs agrees"
is "$(lsmem --sysroot "$MNT" -o RANGE,STATE,BLOCK | sed -n 3,5p | tr -s ' ')" \
	"$(printf '0x0000000100000000-0x00000004afffffff online 32-149\n0x00000004b0000000-0x00000004bfffffff offline 150-151\n0x00000004c0000000-0x000000063fffffff online 152-199')" \
	"lsmem shows the offline range"
in_sysns chmem -e -z Movable -b 150 >/dev/null 2>&1
tap_ok $? "chmem -e -z Movable -b 150"
is "$(cat $M/memory150/valid_zones)" "Movable" "... block 150 is in ZONE_MOVABLE"
in_sysns chmem -e -b 151 >/dev/null 2>&1
tap_ok $? "chmem -e -b 151"
is "$(cat $M/memory151/state)" "online" "... block 151 online"

# hot-plug a DIMM: lsmem before and after
before=$(lsmem --sysroot "$MNT" --summary=only)
ctl device_add pc-dimm id=d1 size=2G addr=0x800000000
tap_ok $? "hotmemctl device_add pc-dimm size=2G"
is "$(lsmem --sysroot "$MNT" -o RANGE,SIZE,STATE,BLOCK | grep 256-271 | tr -s ' ')" \
	"0x0000000800000000-0x000000087fffffff 2G offline 256-271" "lsmem shows the new DIMM offline"
in_sysns chmem -e 0x0000000800000000-0x000000087fffffff >/dev/null 2>&1
tap_ok $? "chmem -e RANGE onlines the DIMM"
is "$(lsmem --sysroot "$MNT" -o RANGE,STATE,BLOCK | grep 256-271 | tr -s ' ')" \
	"0x0000000800000000-0x000000087fffffff online 256-271" "... lsmem agrees"
in_sysns chmem -d 0x0000000800000000-0x000000087fffffff >/dev/null 2>&1
ctl device_del d1
tap_ok $? "device_del d1 after chmem -d"
is "$(lsmem --sysroot "$MNT" --summary=only)" "$before" "lsmem summary back to before"
done_testing
