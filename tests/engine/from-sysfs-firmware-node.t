#!/bin/bash
# hotmem profile --from-sysfs of a machine with boot RAM above 4 GiB and
# DIMMs (usereye4 #33): a DIMM's blocks are those whose memoryN/
# firmware_node links to its ACPI memory device, PNP0C80:xx
# (acpi_bind_memory_blocks(), drivers/acpi/acpi_memhotplug.c, 6.12); boot
# RAM has no link.  --from-sysfs ignored the links and took the blocks
# from 4 GiB on, up to and with the DIMMs, as one hot-added range: the
# boot RAM above 4 GiB came up offline, the DIMMs merged into one, and a
# big one's profile did not boot.  Now export -> from-sysfs -> mount ->
# export gives the same tree, file for file; a dump without the links
# falls back to the x86 rule and says so.
. "$(dirname "$0")/../fusefs/lib.sh"
require_env
HM=$HOTMEM_BUILD/hotmem
need_built "$HM"

# boot RAM 0-3 GiB and 4-6 GiB, 128 MiB blocks
cat >"$TMP/m.profile" <<'P'
profile = default
block_size = 128M
ram = 0x1000-0x9efff node=0
ram = 0x100000-0xbfffffff node=0
ram = 0x100000000-0x17fffffff node=0
maxmem = 64G
P
mount_fs "a machine with 2 GiB of boot RAM above 4 GiB mounts" -S none --profile "$TMP/m.profile"
ctl device_add pc-dimm id=d1 size=1G >/dev/null && ctl device_add pc-dimm id=d2 size=512M >/dev/null
tap_ok $? "two DIMMs plugged, 1 GiB and 512 MiB, one after the other"
M=$MNT/sys/devices/system/memory
for i in 48 49 50 51; do echo online_movable >"$M/memory$i/state"; done
tap_ok $? "... half of the first online Movable"
is "$(readlink "$M/memory48/firmware_node" | sed 's,.*/,,');$(readlink "$M/memory56/firmware_node" | sed 's,.*/,,');$(readlink "$M/memory47/firmware_node")" \
	"PNP0C80:00;PNP0C80:01;" "their blocks link to their slots, boot RAM's do not"
export_profile a
is "$(grep -E '^(ram|hotplug) ' "$TMP/a.profile" | paste -sd ';')" \
	"ram = 0x1000-0x9efff node=0;ram = 0x100000-0xbfffffff node=0;ram = 0x100000000-0x17fffffff node=0;hotplug = 0x180000000-0x1bfffffff node=0;hotplug = 0x1c0000000-0x1dfffffff node=0" \
	"boot RAM above 4 GiB is ram; each DIMM its own hotplug line"
is "$(grep -E '^(online|offline) ' "$TMP/a.profile" | paste -sd ';')" "online = 48-51 online_movable" \
	"... the DIMM's blocks online as found, boot RAM's not named"
grep -q "could not infer: boot or hot-added: by the memoryN/firmware_node links" "$TMP/a.notes"
tap_ok $? "... the notes say the links told them apart"

profile_same_tree a -S none

# firmware that describes boot memory as a memory device too: its blocks
# are bound (acpi_memory_enable_device(): add_memory()'s -EEXIST) and
# stay boot RAM; a device with memory below 4 GiB is such
cp -a "$TMP/a" "$TMP/e"
for i in 0 1 2 3; do
	ln -s ../../../LNXSYSTM:00/LNXSYBUS:00/PNP0A06:04/PNP0C80:05 "$TMP/e/sys/devices/system/memory/memory$i/firmware_node"
done
"$HM" profile --from-sysfs "$TMP/e" -o "$TMP/e.profile" 2>"$TMP/e.notes"; profile_notes "$TMP/e.profile" "$TMP/e.notes"
is "$(grep -E '^(ram|hotplug|online|offline) ' "$TMP/e.profile")" "$(grep -E '^(ram|hotplug|online|offline) ' "$TMP/a.profile")" \
	"memory0-3 linked to PNP0C80:05: still boot RAM, the same profile"
grep -q "could not infer: PNP0C80:05: an ACPI memory device with memory below 4 GiB (memory0)" "$TMP/e.notes"
tap_ok $? "... said"

# the second DIMM in slot 3: a profile's hotplug lines take the slots in
# order, so it boots in slot 1; said
cp -a "$TMP/a" "$TMP/f"
for i in $(seq 56 59); do
	ln -sfn ../../../LNXSYSTM:00/LNXSYBUS:00/PNP0A06:04/PNP0C80:03 "$TMP/f/sys/devices/system/memory/memory$i/firmware_node"
done
"$HM" profile --from-sysfs "$TMP/f" -o "$TMP/f.profile" 2>"$TMP/f.notes"; profile_notes "$TMP/f.profile" "$TMP/f.notes"
is "$(grep -E '^(ram|hotplug|online|offline) ' "$TMP/f.profile")" "$(grep -E '^(ram|hotplug|online|offline) ' "$TMP/a.profile")" \
	"the second DIMM in PNP0C80:03: the same lines"
grep -q "could not infer: memory56: the DIMM in PNP0C80:03 is the profile's hotplug line 1, in slot 1" "$TMP/f.notes"
tap_ok $? "... its slot said"

# a dump without the links (an older kernel's, or made without them): the
# x86 rule, said
find "$TMP/a/sys/devices/system/memory" -name firmware_node -delete
"$HM" profile --from-sysfs "$TMP/a" -o "$TMP/c.profile" 2>"$TMP/c.notes"; profile_notes "$TMP/c.profile" "$TMP/c.notes"
tap_ok $? "a dump without firmware_node links"
grep -q "could not infer: boot or hot-added: no memoryN/firmware_node link to an ACPI memory device (PNP0C80) in the tree" "$TMP/c.notes"
tap_ok $? "... the notes say the x86 rule was taken, and why"
done_testing
