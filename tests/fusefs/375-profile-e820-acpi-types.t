#!/bin/bash
# A profile's e820 lines take the kernel's ACPI types (6.12
# arch/x86/kernel/e820.c): "ACPI data" (E820_TYPE_ACPI), "ACPI NVS"
# (E820_TYPE_NVS) and "unusable", as e820_print_type() says them in the
# boot log's BIOS-e820 lines, and the machine names them as
# e820_type_to_string() does: /sys/firmware/memmap/N/type and /proc/iomem
# "ACPI Tables", "ACPI Non-volatile Storage", "Unusable memory".  They are
# busy resources (do_mark_busy()): memory added inside one is refused,
# where a Reserved one (not busy above 1 MiB) takes it nested.  hotmemctl
# export -> hotmem profile --from-sysfs carries them: the same e820 lines.
# Before, an e820 line of them was refused, and from-sysfs wrote a dump's
# ACPI Tables reserved.
. "$(dirname "$0")/lib.sh"
require_env
HM=$HOTMEM_BUILD/hotmem
# qemu-512m's table with SeaBIOS's top as a PC firmware gives it: ACPI
# tables and NVS above RAM, an unusable range high
cat >"$TMP/p.profile" <<'PROFILE'
profile = qemu-512m
probe = yes
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
"$HM" --profile "$TMP/p.profile" status >/dev/null 2>"$TMP/err"
tap_ok $? "a profile with ACPI data, ACPI NVS and unusable e820 lines boots" || diag "$(cat "$TMP/err")"

mount_fs "it mounts" --profile "$TMP/p.profile" --fresh -S none --cmdline hotmem.kernel_alloc=off
for n in 4 5 7; do echo "$n: $(cat "$MNT/sys/firmware/memmap/$n/start") $(cat "$MNT/sys/firmware/memmap/$n/type")"; done >"$TMP/fw"
is "$(cat "$TMP/fw")" "4: 0x1ffe0000 ACPI Tables
5: 0x1fff0000 ACPI Non-volatile Storage
7: 0xf0000000 Unusable memory" "/sys/firmware/memmap/N/type: e820_type_to_string()'s names"
is "$(grep -E 'ACPI|Unusable|e8000000' "$MNT/proc/iomem")" "1ffe0000-1ffeffff : ACPI Tables
1fff0000-1fffffff : ACPI Non-volatile Storage
e8000000-efffffff : Reserved
f0000000-f7ffffff : Unusable memory" "/proc/iomem: the same names"
ctl export "$TMP/a" >/dev/null
tap_ok $? "exported"
is "$(w "$MNT/sys/devices/system/memory/probe" 0xf0000000)" EEXIST \
	"probe inside the unusable range: EEXIST, a busy resource (__request_region()'s -EBUSY)"
is "$(w "$MNT/sys/devices/system/memory/probe" 0xe8000000)" "ret=10" \
	"probe inside the reserved range: added, nested under it (not busy above 1 MiB)"
stop_fs

"$HM" profile --from-sysfs "$TMP/a" -o "$TMP/a.profile" 2>"$TMP/a.notes"; profile_notes "$TMP/a.profile" "$TMP/a.notes"
tap_ok $? "hotmem profile --from-sysfs" || diag "$(cat "$TMP/a.notes")"
is "$(grep '^e820 = ' "$TMP/a.profile")" "$(grep '^e820 = ' "$TMP/p.profile")" \
	"... the same e820 lines, ACPI data, ACPI NVS and unusable as given"
! grep -q 'written reserved' "$TMP/a.notes"
tap_ok $? "... none written reserved"
done_testing
