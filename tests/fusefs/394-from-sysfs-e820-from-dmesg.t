#!/bin/bash
# hotmem profile --from-sysfs of a dump without sys/firmware/memmap (a
# user's dump of the memory tree, /proc/iomem and `dmesg > DUMP/dmesg`)
# takes the firmware's e820 table from the boot log's BIOS-e820 lines
# (6.12 arch/x86/kernel/e820.c e820__print_table(), the table
# firmware_map_add_early() adds), as it takes it from firmware/memmap.
# Before, such a dump had no e820 lines and QEMU's ram_size was counted
# in whole blocks: a real 6.12.117 guest run -m 500M,slots=2,maxmem=2G
# (tests/fixtures/boot-map/qemu-6.12-qemu-500m.txt, as 374 reads it) got
# qemu_maxmem 0x80c00000, 12 MiB over its 2G.
. "$(dirname "$0")/lib.sh"
require_env
HM=$HOTMEM_BUILD/hotmem
D=$TMP/dump
capture_dump qemu-6.12-qemu-500m "$D"
mkdir -p "$D/sys/bus/acpi/devices"
for i in 0 1; do ln -s "../../../devices/LNXSYSTM:00/PNP0C80:0$i" "$D/sys/bus/acpi/devices/PNP0C80:0$i"; done
"$HM" profile --from-sysfs "$D" -o "$TMP/fw.profile" 2>"$TMP/fw.notes"; profile_notes "$TMP/fw.profile" "$TMP/fw.notes"
tap_ok $? "from-sysfs of the guest's dump, firmware/memmap in it" || diag "$(cat "$TMP/fw.notes")"
grep '^e820 = ' "$TMP/fw.profile" >"$TMP/fw.e820"
is "$(wc -l <"$TMP/fw.e820")" 7 "... its 7 e820 lines"

rm -r "$D/sys/firmware"
is "$(grep -c 'BIOS-e820: ' "$D/dmesg")" 7 "the dump without sys/firmware/memmap; its dmesg has the 7 BIOS-e820 lines"
"$HM" profile --from-sysfs "$D" -o "$TMP/dm.profile" 2>"$TMP/dm.notes"; profile_notes "$TMP/dm.profile" "$TMP/dm.notes"
tap_ok $? "from-sysfs of it" || diag "$(cat "$TMP/dm.notes")"
same_output "$(grep '^e820 = ' "$TMP/dm.profile")" "$(cat "$TMP/fw.e820")" \
	"... the same e820 lines, from the BIOS-e820 lines"
is "$(grep -E '^(qemu_)?maxmem = ' "$TMP/dm.profile" | tr '\n' ' ')" \
	"maxmem = 0x1e8000000 qemu_maxmem = 0x80000000 " \
	"... qemu_maxmem 2G, -m's 500M from the table (not 512M of whole blocks)"
grep -q "firmware/memmap: not in the dump; the firmware's e820 table from dmesg's 7 BIOS-e820 lines" \
	"$TMP/dm.notes"
tap_ok $? "... said" || diag "$(cat "$TMP/dm.notes")"
same_output "$(grep -v '^#' "$TMP/dm.profile")" "$(grep -v '^#' "$TMP/fw.profile")" \
	"... the whole profile the one firmware/memmap gave"

# a second boot's lines after the first (a log of two boots): the first run only
{ cat "$D/dmesg"; echo "BIOS-provided physical RAM map:"
  echo "BIOS-e820: [mem 0x0000000000000000-0x000000003fffffff] usable"; } >"$TMP/two"
mv "$TMP/two" "$D/dmesg"
"$HM" profile --from-sysfs "$D" -o "$TMP/two.profile" 2>/dev/null
same_output "$(grep '^e820 = ' "$TMP/two.profile")" "$(cat "$TMP/fw.e820")" \
	"a log with a second run of BIOS-e820 lines: the first run read"
done_testing
