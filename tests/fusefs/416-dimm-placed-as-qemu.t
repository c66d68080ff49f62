#!/bin/bash
# note29: a pc-dimm device_add without addr= is placed as QEMU 7.2 and 9.2
# place it -- memory_device_get_free_addr() at memory_device_pre_plug()'s
# alignment, a memory-backend-ram's QEMU_VMALLOC_ALIGN (2 MiB) -- not at
# the memory block: right after the exact end of the DIMM before it.  Run
# a of tests/fixtures/dimm-placement, a real QEMU 7.2 and 6.12.117 guest
# on qemu-512m's -m 512M,slots=4,maxmem=4G: 130M, 128M, 258M, 64M DIMMs go
# to 0x100000000, 0x108200000, 0x110200000, 0x120400000 and the guest
# refuses every one (6.12 check_hotplug_memory_range(): "Block size
# [0x8000000] unaligned hotplug range", -EINVAL; acpi_memhotplug's "add_memory
# failed"): no memory block, no iomem, each PNP0C80 present (_STA 15)
# without a physical_node; the device check's _OST says success.  A
# device_del of d1 ejects it; a 128M d5 then goes into d1's 130M gap at
# 4 GiB and is added (memory32, offline).  Step for step the same
# query-memory-devices, query-acpi-ospm-status (DIMM slots), kernel lines,
# blocks, iomem and PNP0C80 devices as the capture, and the same QMP
# events; kill -9 after the four refusals restores each DIMM where it
# was, still refused, the guest not asked again.  A 6.12 guest also tries
# the refused DIMMs again at each later device check (the capture's
# repeated lines), which hotmem does not model (docs/hotmemctl.md): each
# step's lines are compared for its own DIMM.  Without the fix in
# fusefs/dev.c place()/dimm_realize() checks 9-45 fail (checked: d2 at
# 0x108000000, on the memory block, and added).
. "$(dirname "$0")/lib.sh"
require_env
need_tool python3 python3
FIX=$HOTMEM_SRC/tests/fixtures/dimm-placement/qemu-6.12-placement-a.txt
OPTS=(--profile qemu-512m --cmdline memhp_default_state=offline)

mount_fs "hotmemfs mounts qemu-512m, memhp_default_state=offline (the capture's)" --fresh "${OPTS[@]}"
"$HMCTL" -s "$CTL" -j events >"$TMP/ev.json" 2>"$TMP/ev.err" &
follow_wait 1 "hotmemctl events follows"
dimm_place_ours log >/dev/null	# the boot's lines are not the steps'
for step in add:d1:130 add:d2:128 add:d3:258 add:d4:64; do
	dimm_place_step "$FIX" "$step"
done

before=$(dimm_place_ours qmd)
kill9_fs
mount_fs "kill -9, restart on the state file" "${OPTS[@]}"
same_output "$(dimm_place_ours qmd)" "$before" "every DIMM restored where it was, not placed anew"
is "$(dimm_place_ours guest)" "$(dimm_fixture guest "$FIX" add:d4:64)" \
	"... still refused: no memory block, no iomem, each PNP0C80 present without a physical_node"
is "$(ctl devices | grep -c 'refused by the guest (EINVAL)')" 4 "... devices: the four refusals"
is "$(ctl dmesg | grep -c 'unaligned hotplug range')" 0 "... the guest not asked again (no new refusal logged)"
dimm_place_ours log >/dev/null	# the restart's lines are not the steps'
DIMM_PLACE_LOST="0 1 2 3"	# their device checks' _OST: a known difference

"$HMCTL" -s "$CTL" -j events >"$TMP/ev2.json" 2>"$TMP/ev.err" &
follow_wait 1 "hotmemctl events follows again"
for step in del:d1 add:d5:128 del:d2 del:d5; do
	dimm_place_step "$FIX" "$step"
done
ev_wait "$TMP/ev2.json" '"slot":"0","slot-type":"DIMM","source":3,"status":0' 2
tap_ok $? "d5's eject's last _OST arrived"
cat "$TMP/ev.json" "$TMP/ev2.json" | dimm_fixture events - >"$TMP/ours"
is "$(cat "$TMP/ours")" "$(dimm_fixture events "$FIX" all)" \
	"the QMP events, in order, as QEMU's: the device checks' success, each eject's 0x84, DEVICE_DELETED, success"
stop_fs
done_testing
