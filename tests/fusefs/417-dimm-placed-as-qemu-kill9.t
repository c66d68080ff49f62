#!/bin/bash
# note29, run b of tests/fixtures/dimm-placement (a real QEMU 7.2 and
# 6.12.117 guest, qemu-512m's -m 512M,slots=4,maxmem=4G): a 128M d1 at
# 4 GiB is added (memory32); a 130M d2 right after it, 0x108000000,
# starts on the memory block but does not end on one, and the guest
# refuses it; the 64M d3 and 258M d4 after its exact end (0x110200000,
# 0x114200000), refused too.  device_del d2, then a 128M d5 goes into
# d2's gap, at 0x108000000, and is added (memory33).  hotmemfs is killed
# (-9) the moment d2's device_add is acknowledged: the state file holds
# d2 at its exact address and size, refused, so the restart shows what the
# capture's guest showed, and d3, d4 and d5 are placed after it as QEMU
# placed them.  Step for step against the capture as 416.  Without the
# fix in fusefs/dev.c place()/dimm_realize() checks 15-40 fail (checked:
# d3 placed after d2's rounded-up 256M, not its exact end).
. "$(dirname "$0")/lib.sh"
require_env
need_tool python3 python3
FIX=$HOTMEM_SRC/tests/fixtures/dimm-placement/qemu-6.12-placement-b.txt
OPTS=(--profile qemu-512m --cmdline memhp_default_state=offline)

mount_fs "hotmemfs mounts qemu-512m, memhp_default_state=offline (the capture's)" --fresh "${OPTS[@]}"
dimm_place_ours log >/dev/null	# the boot's lines are not the steps'
dimm_place_step "$FIX" add:d1:128

out=$(ctl device_add pc-dimm size=130M id=d2 2>&1)
[ $? = 3 ]	# plugged, refused by the guest: not whole blocks (474)
tap_ok $? "add:d2:130: ${out%%;*}" || diag "$out"
kill9_fs
mount_fs "kill -9 once d2's device_add is acknowledged, restart on the state file" "${OPTS[@]}"
is "$(dimm_place_ours qmd)" "$(dimm_fixture qmd "$FIX" add:d2:130)" \
	"add:d2:130: query-memory-devices as QEMU's: d2 at 0x108000000, 130M, restored exactly"
DIMM_PLACE_LOST="0 1"	# d1's and d2's device checks' _OST: a known difference
is "$(dimm_place_ours ospm)" "$(dimm_place_ospm_want "$FIX" add:d2:130)" \
	"... query-acpi-ospm-status's DIMM slots as QEMU's, but the _OSTs a restart loses"
is "$(dimm_place_ours guest)" "$(dimm_fixture guest "$FIX" add:d2:130)" \
	"... memory32 alone, its iomem, PNP0C80:01 present without a physical_node, as the 6.12 guest"
is "$(ctl devices | grep -c '^d2: plugged in slot 1 but refused by the guest (EINVAL)')" 1 \
	"... devices: d2 refused by the guest (EINVAL)"
dimm_place_ours log >/dev/null	# the restart's lines are not the steps'

"$HMCTL" -s "$CTL" -j events >"$TMP/ev.json" 2>"$TMP/ev.err" &
follow_wait 1 "hotmemctl events follows"
steps=(add:d3:64 add:d4:258 del:d2 add:d5:128 del:d5 del:d3)
for step in "${steps[@]}"; do
	dimm_place_step "$FIX" "$step"
done
ev_wait "$TMP/ev.json" '"slot":"2","slot-type":"DIMM","source":3,"status":0' 1
tap_ok $? "d3's eject's last _OST arrived"
for step in "${steps[@]}"; do dimm_fixture events "$FIX" "$step"; done >"$TMP/theirs"
is "$(dimm_fixture events - <"$TMP/ev.json")" "$(cat "$TMP/theirs")" \
	"the QMP events after the restart, in order, as QEMU's"
stop_fs
done_testing
