#!/bin/bash
# A profile's e820 lines are the firmware's e820 table (reread32b R6):
# `e820 = START-END usable|reserved`, a BIOS-e820 line's range and type,
# inclusive end.  The machine shows it as /sys/firmware/memmap and the boot
# part of /proc/iomem, as a built-in's (qemu-512m's QEMU table, 201e96eb);
# a table whose RAM is not the ram lines' (in whole pages, page 0 and the
# BIOS area out, as 6.12 x86 makes memblock of it) is refused, naming the
# line.  hotmemctl export writes sys/firmware/memmap, and hotmem profile
# --from-sysfs writes e820 lines of its boot entries -- a hot-added DIMM's
# entry (firmware_map_add_hotplug()) is not one -- so a machine with a
# table comes back with it.  Before, no key said a table: a profile of ram
# lines had a map made of its ranges, and from-sysfs lost qemu-512m's.
. "$(dirname "$0")/lib.sh"
require_env
HM=$HOTMEM_BUILD/hotmem
FIX=$HOTMEM_SRC/tests/fixtures/boot-map/qemu-6.12-qemu-512m.txt
need_file "$FIX"

# the fixture's section $1, its lines up to the next "## "
section() { awk -v s="## $1" '$0 == s { on = 1; next } /^## / { on = 0 } on' "$FIX"; }
fwmap() {	# fwmap DIR: DIR/sys/firmware/memmap as the fixture lists it
	local e
	for e in $(ls "$1/sys/firmware/memmap" | sort -n); do
		echo "  $e: $(cat "$1/sys/firmware/memmap/$e/start") $(cat "$1/sys/firmware/memmap/$e/end")" \
			"$(cat "$1/sys/firmware/memmap/$e/type")"
	done
}

# the guest's table, written as e820 lines over a profile of ram lines
cat >"$TMP/q.profile" <<'EOF'
profile = default
ram = 0x1000-0x9efff
ram = 0x100000-0x1ffdffff
e820 = 0x0-0x9fbff usable
e820 = 0x9fc00-0x9ffff reserved
e820 = 0xf0000-0xfffff reserved
e820 = 0x100000-0x1ffdffff usable
e820 = 0x1ffe0000-0x1fffffff reserved
e820 = 0xfffc0000-0xffffffff reserved
e820 = 0xfd00000000-0xffffffffff reserved
EOF
mount_fs "a profile of ram lines and the guest's e820 lines mounts" --fresh --profile "$TMP/q.profile" \
	--cmdline hotmem.kernel_alloc=off
is "$(fwmap "$MNT")" "$(section /sys/firmware/memmap)" "/sys/firmware/memmap: the guest's e820 table"
is "$(cat "$MNT/proc/iomem")" "$(section /proc/iomem | grep -E '^[0-9a-f]+-[0-9a-f]+ : (System RAM|Reserved)$')" \
	"/proc/iomem: the guest's System RAM and Reserved lines"
stop_fs

# a table that contradicts the ram lines: refused, the line named, EINVAL
refused() {	# refused NAME MESSAGE-REGEX: the profile $TMP/bad.profile does not boot, said so
	local out rc
	out=$("$HM" --profile "$TMP/bad.profile" status 2>&1)
	rc=$?
	[ $rc -ne 0 ] && grep -qE "$2" <<<"$out"
	tap_ok $? "$1" || diag "exit $rc: $out"
}
sed 's/^ram = 0x100000-0x1ffdffff/ram = 0x100000-0x1fffffff/' "$TMP/q.profile" >"$TMP/bad.profile"
refused "a ram line over the table's reserved 0x1ffe0000-0x1fffffff: refused, naming it" \
	"line 3: ram 0x100000-0x1fffffff: 0x1ffe0000-0x1fffffff is not usable RAM of the e820 table"
sed 's/^ram = 0x100000-0x1ffdffff/ram = 0x100000-0x1fefffff/' "$TMP/q.profile" >"$TMP/bad.profile"
refused "a usable entry with RAM in no ram line: refused, naming the e820 line" \
	"line 7: e820 0x100000-0x1ffdffff usable: 0x1ff00000-0x1ffdffff is RAM in no ram range"
printf 'profile = qemu-512m\ne820 = 0x0-0x9fbff usable\ne820 = 0x100000-0x1fffffff usable\n' >"$TMP/bad.profile"
refused "e820 lines over a built-in's ram that contradict it: refused" \
	"line 3: e820 0x100000-0x1fffffff usable: 0x1ffe0000-0x1fffffff is RAM in no ram range"
printf 'profile = qemu-512m\ne820 = 0x100000-0x1ffdffff usable\ne820 = 0x0-0x9fbff usable\n' >"$TMP/bad.profile"
refused "entries out of address order: refused" "line 3: e820 0-0x9fbff: below or over the entry before it"
printf 'profile = qemu-512m\ne820 = 0x0-0x9fbff ACPI\n' >"$TMP/bad.profile"
refused "a type hotmem does not model: refused" \
	"line 2: e820: type 'ACPI': hotmem models usable, reserved, ACPI data, ACPI NVS and unusable entries \\(the kernel's BIOS-e820 words\\)"

# qemu-512m with a DIMM: export -> from-sysfs -> mount -> export, the firmware map whole
mount_fs "qemu-512m mounts" --fresh --profile qemu-512m --cmdline hotmem.kernel_alloc=off
ctl device_add pc-dimm,id=d1,size=256M >/dev/null
tap_ok $? "device_add pc-dimm,id=d1,size=256M: its System RAM is firmware/memmap/7"
ctl export "$TMP/a" >/dev/null
tap_ok $? "exported"
stop_fs
is "$(fwmap "$TMP/a" | tail -1)" "  7: 0x100000000 0x10fffffff System RAM" "... with sys/firmware/memmap, the DIMM's memmap/7 too"
"$HM" profile --from-sysfs "$TMP/a" -o "$TMP/a.profile" 2>"$TMP/a.notes"; profile_notes "$TMP/a.profile" "$TMP/a.notes"
tap_ok $? "hotmem profile --from-sysfs"
is "$(grep '^e820 = ' "$TMP/a.profile")" "$(section /sys/firmware/memmap |
	awk '{ printf "e820 = %s-%s %s\n", $2, $3, $4 == "System" ? "usable" : "reserved" }')" \
	"... e820 lines: the firmware's 7 entries, not the DIMM's (hot-added memory's System RAM)"
grep -q "could not infer: firmware/memmap: which entries are the firmware's e820 table is not in sysfs: 7 taken as its (the e820 lines); System RAM over hot-added memory taken as its hot-add's, not the firmware's: memmap/7" "$TMP/a.notes"
tap_ok $? "... said, memmap/7 named" || diag "$(grep firmware "$TMP/a.notes")"
grep -qx "hotplug = 0x100000000-0x10fffffff node=0" "$TMP/a.profile"
tap_ok $? "... the DIMM a hotplug line"
mount_fs "that profile mounts" --fresh --profile "$TMP/a.profile"
ctl export "$TMP/a2" >/dev/null
tap_ok $? "exported again"
stop_fs
is "$(diff -r --no-dereference "$TMP/a/sys/firmware/memmap" "$TMP/a2/sys/firmware/memmap" 2>&1;
	diff "$TMP/a/proc/iomem" "$TMP/a2/proc/iomem" 2>&1)" "" \
	"... sys/firmware/memmap and proc/iomem as the first machine's, the DIMM's memmap/7 too"

# a dump without proc/iomem: the firmware table's RAM cuts boot RAM as proc/iomem's would
cp -r "$TMP/a" "$TMP/n"
rm "$TMP/n/proc/iomem"
"$HM" profile --from-sysfs "$TMP/n" -o "$TMP/n.profile" 2>"$TMP/n.notes"; profile_notes "$TMP/n.profile" "$TMP/n.notes"
is "$(grep -E '^(ram|e820) = ' "$TMP/n.profile")" "$(grep -E '^(ram|e820) = ' "$TMP/a.profile")" \
	"without proc/iomem: the same ram and e820 lines, boot RAM cut to firmware/memmap's System RAM"
grep -q "holes inside a block: not in sysfs; boot RAM cut to firmware/memmap's (no proc/iomem) System RAM" "$TMP/n.notes"
tap_ok $? "... said" || diag "$(grep holes "$TMP/n.notes")"

# a table that contradicts the boot RAM found (boot RAM removed, a hand edit): no e820 lines, said
cp -r "$TMP/a" "$TMP/c"
echo 0x1fffffff >"$TMP/c/sys/firmware/memmap/3/end"
rm -r "$TMP/c/sys/firmware/memmap/4"
"$HM" profile --from-sysfs "$TMP/c" -o "$TMP/c.profile" 2>"$TMP/c.notes"; profile_notes "$TMP/c.profile" "$TMP/c.notes"
! grep -q '^e820 = ' "$TMP/c.profile" &&
	grep -q "could not infer: firmware/memmap: its table as e820 lines is refused (e820 0x100000-0x1fffffff usable: 0x1ffe0000-0x1fffffff is RAM in no ram range" "$TMP/c.notes" &&
	"$HM" --profile "$TMP/c.profile" status >/dev/null
tap_ok $? "a firmware/memmap that contradicts the boot RAM: no e820 lines, said, the profile boots" ||
	diag "$(grep firmware "$TMP/c.notes")"

# a table refused for another reason than its RAM -- an entry out of
# address order (a hand dump) -- is said with that reason: it was said
# as "its table's RAM is not the boot RAM found" whatever the engine's
cp -r "$TMP/a" "$TMP/m"
e=$TMP/m/sys/firmware/memmap/$(ls "$TMP/m/sys/firmware/memmap" | wc -l)
mkdir "$e" && echo 0xfe000000 >"$e/start" && echo 0xfe000fff >"$e/end" && echo Reserved >"$e/type"
"$HM" profile --from-sysfs "$TMP/m" -o "$TMP/m.profile" 2>"$TMP/m.notes"; profile_notes "$TMP/m.profile" "$TMP/m.notes"
! grep -q '^e820 = ' "$TMP/m.profile" &&
	grep -q "could not infer: firmware/memmap: its table as e820 lines is refused (e820 0xfe000000-0xfe000fff: below or over the entry before it (0xfd00000000-0xffffffffff): the table is in address order, as the kernel's): no e820 lines" "$TMP/m.notes" &&
	! grep -q "RAM is not the boot RAM" "$TMP/m.notes"
tap_ok $? "a firmware/memmap out of address order: no e820 lines, said with the engine's reason" ||
	diag "$(grep firmware "$TMP/m.notes")"

# a type hotmem does not model: written reserved, said (ACPI Tables and
# ACPI Non-volatile Storage are modelled: tests/fusefs/375)
cp -r "$TMP/a" "$TMP/t"
echo "Persistent Memory" >"$TMP/t/sys/firmware/memmap/4/type"
"$HM" profile --from-sysfs "$TMP/t" -o "$TMP/t.profile" 2>"$TMP/t.notes"; profile_notes "$TMP/t.profile" "$TMP/t.notes"
grep -qx "e820 = 0x1ffe0000-0x1fffffff reserved" "$TMP/t.profile" &&
	grep -q "could not infer: firmware/memmap: memmap/4 (Persistent Memory): hotmem models System RAM, Reserved, ACPI Tables, ACPI Non-volatile Storage and Unusable memory entries; written reserved" "$TMP/t.notes"
tap_ok $? "a Persistent Memory entry: written reserved, said" || diag "$(grep firmware "$TMP/t.notes")"

# a state file saved from a profile file over qemu-512m before the key (its
# profile-config without e820 lines, though the machine had the table):
# restores, the table being the built-in's; a saved table that is not is a change
need_tool python3 python3
printf 'profile = qemu-512m\nname = mine\n' >"$TMP/mine.profile"
mount_fs "a profile file over qemu-512m mounts with a state file" --fresh --profile "$TMP/mine.profile"
stop_fs
state_machine_edit "m['profile-config'] = [l for l in m['profile-config'] if not l.startswith('e820 ')]"
tap_ok $? "its profile-config without its e820 lines, as one saved before the key"
start_fs --profile "$TMP/mine.profile"
tap_ok $? "... restores" || sed 's/^/# /' "$TMP/hotmemfs.log"
stop_fs
state_machine_edit "m['profile-config'] = [l.replace('0xfffc0000-', '0xfffe0000-') for l in m['profile-config']]"
start_refused "a saved e820 line the profile does not give: refused as changed" 78 \
	"the profile file $TMP/mine.profile changed since this state was saved: e820" \
	--control "$CTL" --state "$STATE" --profile "$TMP/mine.profile" "$MNT"

# a machine without a table of its own (default: made of its ram ranges): no e820 lines
mount_fs "default mounts" --fresh --profile default --cmdline hotmem.kernel_alloc=off
ctl export "$TMP/d" >/dev/null
tap_ok $? "exported"
stop_fs
"$HM" profile --from-sysfs "$TMP/d" -o "$TMP/d.profile" 2>/dev/null
[ -d "$TMP/d/sys/firmware/memmap" ] && ! grep -q '^e820 = ' "$TMP/d.profile"
tap_ok $? "... from-sysfs writes no e820 lines: the table is the one its ram lines make"
done_testing
