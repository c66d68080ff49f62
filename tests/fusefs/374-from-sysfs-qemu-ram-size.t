#!/bin/bash
# QEMU's ram_size where RAM ends inside a memory block: a real 6.12.117
# guest run -m 500M,slots=2,maxmem=2G (tests/fixtures/boot-map/
# qemu-6.12-qemu-500m.txt; its SRAT's hotplug range 0x100000000-
# 0x1e0bfffff, QEMU's device memory: maxmem - ram_size + 1 GiB a slot).
# hotmem profile --from-sysfs derives ram_size as QEMU 7.2 lays it out
# (the e820's RAM below 4 GiB, 0x1f3dffff, and SeaBIOS's reserved top of
# it to 0x1f3fffff: 500 MiB) and writes qemu_maxmem = 2G; hotmem's
# engine takes ram_size from the profile's e820 lines the same way, so
# the machine's device-memory region is the guest's, to 0x1e0c00000, and
# its devices' total 2G - 500M.  Before, both counted boot RAM in whole
# blocks (512 MiB): qemu_maxmem 0x80c00000, 12 MiB too high.
. "$(dirname "$0")/lib.sh"
require_env
D=$TMP/dump
capture_dump qemu-6.12-qemu-500m "$D"
mkdir -p "$D/sys/bus/acpi/devices"
for i in 0 1; do ln -s "../../../devices/LNXSYSTM:00/PNP0C80:0$i" "$D/sys/bus/acpi/devices/PNP0C80:0$i"; done
is "$(grep -c 'hotplug$' "$D/dmesg") $(cat "$D"/sys/firmware/memmap/4/start "$D"/sys/firmware/memmap/4/end | tr '\n' ' ')" \
	"1 0x1f3e0000 0x1f3fffff " "the guest's dump: an SRAT hotplug line, SeaBIOS's 128 KiB at RAM's top"

"$HOTMEM_BUILD/hotmem" profile --from-sysfs "$D" -o "$TMP/p.profile" 2>"$TMP/notes"; profile_notes "$TMP/p.profile" "$TMP/notes"
tap_ok $? "hotmem profile --from-sysfs" || diag "$(cat "$TMP/notes")"
is "$(grep -E '^((qemu_)?maxmem|slots) = ' "$TMP/p.profile" | tr '\n' ' ')" \
	"maxmem = 0x1e8000000 qemu_maxmem = 0x80000000 slots = 2 " \
	"qemu_maxmem 2G, as -m 500M,slots=2,maxmem=2G: the region's 3596M less 2 slots plus 500M"
grep -q "qemu_maxmem its size less 1 GiB a slot plus -m's RAM" "$TMP/notes"
tap_ok $? "... said" || diag "$(grep maxmem "$TMP/notes")"

mount_fs "the profile mounts" --profile "$TMP/p.profile" --fresh -S none
err=$(ctl device_add pc-dimm id=d0 size=128M addr=0x1e0c00000 2>&1)
is_like "$err" "*usable range for memory devices \[0x100000000:0xe0c00000\]" \
	"the device-memory region the guest's SRAT range, 0xe0c00000 from 4 GiB (QEMU's [base:size])"
ctl device_add pc-dimm id=d1 size=1G >/dev/null 2>&1
tap_ok $? "a 1G DIMM"
err=$(ctl device_add pc-dimm id=d2 size=640M 2>&1)
is_like "$err" "*in use of total space for memory devices 0x60c00000" \
	"... and 640M more refused: the devices' total is QEMU's 2G - 500M (0x60c00000)"
stop_fs

# without sys/firmware/memmap, and without the BIOS-e820 lines in dmesg
# that give the same table (394), nothing says where -m's RAM ends:
# whole blocks, as the engine counts them for a profile without e820 lines
rm -r "$D/sys/firmware"
sed -i '/BIOS-e820: /d' "$D/dmesg"
"$HOTMEM_BUILD/hotmem" profile --from-sysfs "$D" -o "$TMP/n.profile" 2>"$TMP/n.notes"; profile_notes "$TMP/n.profile" "$TMP/n.notes"
is "$(grep -E '^qemu_maxmem = ' "$TMP/n.profile")" "qemu_maxmem = 0x80c00000" \
	"a dump without firmware/memmap: boot RAM's 4 blocks, said"
grep -q "plus boot RAM's blocks (QEMU's region; no firmware/memmap to say -m's RAM" "$TMP/n.notes"
tap_ok $? "... said" || diag "$(grep maxmem "$TMP/n.notes")"
done_testing
