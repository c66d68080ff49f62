#!/bin/bash
# A state file says where kernelcore=/movablecore= started each node's boot
# ZONE_MOVABLE ("zone-movable-pfn").  One saved before they were modelled
# (2026-12-02) has no such key: its machine booted every boot block in a
# kernel zone, and with movablecore= in its command line this build boots
# another machine (memory2-3 Movable), so the start is refused, the file
# left as it was.  Without movablecore= it is the same machine: it
# restores and gets the key.  Without state.c's "zone-movable-pfn" the
# key's checks, the refusal and its --fresh fail (checked: no key written;
# the old file mounts onto the Movable machine).
. "$(dirname "$0")/lib.sh"
require_env
need_tool python3 python3
M=$MNT/sys/devices/system/memory
zmp() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["machine"].get("zone-movable-pfn"))' "$STATE"; }

mount_fs "qemu-512m with movablecore=256M mounts" --profile qemu-512m --fresh --cmdline "movablecore=256M"
stop_fs
is "$(zmp)" "[65536]" "the file says \"zone-movable-pfn\": [65536]"
state_machine_edit 'del m["zone-movable-pfn"]'
tap_ok $? "... dropped, as a file saved before 2026-12-02"
sum=$(md5sum <"$STATE")
start_refused "its file without \"zone-movable-pfn\" is refused" 78 \
	"saved before kernelcore= and movablecore= were modelled \\(2026-12-02\\).*node 0 ZONE_MOVABLE starts at pfn 0x10000" \
	--control "$CTL" --state "$STATE" "$MNT"
grep -q "start with --fresh" "$TMP/out"
tap_ok $? "... saying --fresh is the way"
is "$(md5sum <"$STATE")" "$sum" "... the state file left as it was"

mount_fs "qemu-512m without movablecore= mounts" --profile qemu-512m --fresh
stop_fs
is "$(zmp)" "[0]" "the file says \"zone-movable-pfn\": [0]"
state_machine_edit 'del m["zone-movable-pfn"]'
mount_fs "its file without \"zone-movable-pfn\" restores: the same machine"
is "$(cat "$M/memory2/valid_zones")" DMA32 "... memory2 in DMA32"
stop_fs
is "$(zmp)" "[0]" "... and the restart's save writes the key"
done_testing
