#!/bin/bash
# The boot log begins as x86 6.12's: setup_arch()'s e820__memory_setup()
# prints "BIOS-provided physical RAM map:" and the firmware's table,
# e820__print_table("BIOS-e820"), a line an entry in e820_print_type()'s
# words ("usable", "reserved", "ACPI data", "ACPI NVS", "unusable").
# qemu-512m's lines are a real 6.12.118 guest's byte for byte
# (tests/fixtures/boot-map/qemu-6.12.118-qemu-512m.txt; 6.12.117's are
# the same).  A user's dump of
# the machine without sys/firmware/memmap (`dmesg > DUMP/dmesg`) gives
# from-sysfs the same e820 lines back from them.  Before, the engine
# printed none.  After them trim_bios_range()'s two KERN_DEBUG lines,
# "e820: update [mem 0x00000000-0x00000fff] usable ==> reserved" and
# "e820: remove [mem 0x000a0000-0x000fffff] usable", as the guest's log
# has them (check 4, which fails without them).
. "$(dirname "$0")/lib.sh"
require_env
HM=$HOTMEM_BUILD/hotmem
FIX=$HOTMEM_SRC/tests/fixtures/boot-map/qemu-6.12.118-qemu-512m.txt
need_file "$FIX"

mount_fs "qemu-512m mounts" --profile qemu-512m --fresh -S none
ctl dmesg >"$TMP/log"
is "$(head -1 "$TMP/log")" "<6>BIOS-provided physical RAM map:" "the log's first line: BIOS-provided physical RAM map:"
same_output "$(sed -n 's/^<6>\(BIOS-e820: \)/\1/p' "$TMP/log")" "$(sed -n 's/^  \(BIOS-e820: \)/\1/p' "$FIX")" \
	"... then the BIOS-e820 lines, the 6.12.118 guest's byte for byte"
# trim_bios_range()'s e820__range_update() and e820__range_remove() lines (KERN_DEBUG)
same_output "$(grep -A2 '^<6>BIOS-e820: \[mem 0x000000fd00000000-' "$TMP/log" | tail -2)" \
	"$(sed -n 's/^  \(e820: \(update\|remove\) \)/<7>\1/p' "$FIX")" \
	"... then trim_bios_range()'s e820: update and e820: remove lines, the guest's byte for byte"
stop_fs

# 375's table: the ACPI types by their words, in a user's dump read back
cat >"$TMP/p.profile" <<'PROFILE'
profile = qemu-512m
e820 = 0x0-0x9fbff usable
e820 = 0x9fc00-0x9ffff reserved
e820 = 0xf0000-0xfffff reserved
e820 = 0x100000-0x1ffdffff usable
e820 = 0x1ffe0000-0x1ffeffff ACPI data
e820 = 0x1fff0000-0x1fffffff ACPI NVS
e820 = 0xe8000000-0xefffffff reserved
e820 = 0xf0000000-0xf7ffffff unusable
e820 = 0xfffc0000-0xffffffff reserved
e820 = 0xfd00000000-0xffffffffff reserved
PROFILE
mount_fs "a profile with ACPI data, ACPI NVS and unusable entries mounts" \
	--profile "$TMP/p.profile" --fresh -S none --cmdline hotmem.kernel_alloc=off
is "$(ctl dmesg | sed -n 's/^<6>BIOS-e820: //p' | sed -n '5,6p;8p')" \
	"[mem 0x000000001ffe0000-0x000000001ffeffff] ACPI data
[mem 0x000000001fff0000-0x000000001fffffff] ACPI NVS
[mem 0x00000000f0000000-0x00000000f7ffffff] unusable" "... its BIOS-e820 lines say them in e820_print_type()'s words"
ctl export "$TMP/a" >/dev/null
tap_ok $? "exported"
ctl dmesg | sed 's/^<[0-7]>//' >"$TMP/a/dmesg.user"
stop_fs
rm -r "$TMP/a/sys/firmware" && mv "$TMP/a/dmesg.user" "$TMP/a/dmesg"
"$HM" profile --from-sysfs "$TMP/a" -o "$TMP/a.profile" 2>"$TMP/a.notes"; profile_notes "$TMP/a.profile" "$TMP/a.notes"
tap_ok $? "from-sysfs of the dump without sys/firmware/memmap, with the log as dmesg prints it" ||
	diag "$(cat "$TMP/a.notes")"
same_output "$(grep '^e820 = ' "$TMP/a.profile")" "$(grep '^e820 = ' "$TMP/p.profile")" \
	"... the profile's e820 lines, from the BIOS-e820 lines"
done_testing
