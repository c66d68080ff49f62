#!/bin/bash
# hotmem profile --from-sysfs of a dump without sys/firmware/memmap takes
# the firmware's e820 table from dmesg's BIOS-e820 lines (tests/fusefs/394)
# and its notes now say so in the log's own terms: an entry of a type
# hotmem does not model is named as its line prints it ("[mem
# 0x...-0x...] persistent (type 12)", 6.12 e820__print_table() and
# e820_print_type()), the types hotmem models by the log's words (usable,
# reserved, ACPI data, ACPI NVS, unusable), and a table whose RAM is not
# the boot RAM found is "dmesg's BIOS-e820 table".  Before (reread36
# R14), the note named a memmap/N no dump has (N the line's place), the
# types by firmware/memmap's names (System RAM, Reserved, ...), and the
# RAM mismatch as firmware/memmap's.
# The dump: the real 6.12.117 qemu-512m guest's capture, firmware/memmap
# taken out.
. "$(dirname "$0")/lib.sh"
require_env
HM=$HOTMEM_BUILD/hotmem
D=$TMP/dump
capture_dump qemu-6.12-qemu-512m "$D"
rm -r "$D/sys/firmware"
sed -i 's/^BIOS-e820: \[mem 0x000000fd00000000-/BIOS-e820: [mem 0x0000000180000000-0x00000001bfffffff] persistent (type 12)\n&/' "$D/dmesg"
is "$(grep -c '^BIOS-e820: ' "$D/dmesg")" 8 "the dump's dmesg: 8 BIOS-e820 lines, one persistent (type 12)"
"$HM" profile --from-sysfs "$D" -o "$TMP/p.profile" 2>"$TMP/p.notes"; profile_notes "$TMP/p.profile" "$TMP/p.notes"
tap_ok $? "hotmem profile --from-sysfs" || diag "$(cat "$TMP/p.notes")"
is "$(grep -c '^e820 = ' "$TMP/p.profile") $(grep "^e820 = 0x180000000" "$TMP/p.profile")" \
	"8 e820 = 0x180000000-0x1bfffffff reserved" "... 8 e820 lines, the persistent one reserved"
grep -qF "could not infer: dmesg's BIOS-e820 table: [mem 0x0000000180000000-0x00000001bfffffff] persistent (type 12): hotmem models usable, reserved, ACPI data, ACPI NVS and unusable entries; written reserved" \
	"$TMP/p.notes"
tap_ok $? "... said: the entry as its line prints it, the types by the log's words" ||
	diag "$(grep -i e820 "$TMP/p.notes")"
! grep -q "memmap/[0-9]" "$TMP/p.notes"
tap_ok $? "... no memmap/N named (the dump has none)"

# boot RAM the table does not hold (256 MiB more, memory4-5, under a Reserved range)
M=$D/sys/devices/system/memory
for i in 4 5; do
	mkdir "$M/memory$i"
	cp "$M/memory3/state" "$M/memory3/valid_zones" "$M/memory$i/"
done
sed -i 's/^20000000-febfffff : PCI Bus 0000:00$/20000000-2fffffff : Reserved\n  20000000-2fffffff : System RAM\n30000000-febfffff : PCI Bus 0000:00/' \
	"$D/proc/iomem"
"$HM" profile --from-sysfs "$D" -o "$TMP/r.profile" 2>"$TMP/r.notes"; profile_notes "$TMP/r.profile" "$TMP/r.notes"
tap_ok $? "boot RAM the table does not hold: hotmem profile --from-sysfs"
grep -q "could not infer: dmesg's BIOS-e820 table: its table as e820 lines is refused (" "$TMP/r.notes" &&
	! grep -q "firmware/memmap: its table" "$TMP/r.notes"
tap_ok $? "... said of dmesg's table, not firmware/memmap" || diag "$(grep -i 'table' "$TMP/r.notes")"
done_testing
