#!/bin/bash
# hotmemctl export of a machine that has run a while (reread35 R1): the
# boot's lines (RAMDISK:, the SRAT's hotplug range, Memory:, software IO
# TLB:, Freeing ...) were read from the log ring, which loses them after
# a few hundred onlines -- the export then wrote no DIR/dmesg, said
# nothing, and the round trip gave another machine (MemTotal 515576 kB
# for 406860, maxmem 64 GiB).  The export writes the boot's log as the
# boot left it (hotmemctl dmesg boot=yes), as a distribution keeps it
# (journalctl -k -b).  And a DIR/dmesg there already is refused, named,
# before anything is written (reread35 R5: the tree was written, the
# memory directory named, the old dmesg left for from-sysfs).
. "$(dirname "$0")/lib.sh"
require_env
HM=$HOTMEM_BUILD/hotmem

mount_fs "qemu-512m, its boot reservations" --profile qemu-512m --fresh -S none \
	--cmdline hotmem.kernel_alloc=off
total=$(grep '^MemTotal:' "$MNT/proc/meminfo")
ctl dmesg >"$TMP/boot"
ctl device_add pc-dimm id=d1 size=128M >/dev/null
tap_ok $? "a 128 MiB DIMM (memory32)"
st=$MNT/sys/devices/system/memory/memory32/state
for i in $(seq 400); do
	echo online_movable >"$st" && echo offline >"$st" || break
done
is "$i" 400 "400 onlines and offlines of memory32"
ctl dmesg >"$TMP/now"
! grep -q 'Memory: ' "$TMP/now"
tap_ok $? "... the log ring has lost the boot's Memory: line"
ctl dmesg boot=yes >"$TMP/kept"
is "$(cat "$TMP/kept")" "$(cat "$TMP/boot")" "hotmemctl dmesg boot=yes: the log as the boot left it"
ctl dmesg boot=maybe >"$TMP/bad.out" 2>"$TMP/bad.err"
is "$?:$(cat "$TMP/bad.err")" "2:hotmemctl: dmesg: bad boot 'maybe': on or off (yes, no, 1, 0, true, false) (dmesg [boot=yes]; hotmemctl --help)" \
	"... boot=maybe refused"

mkdir "$TMP/x"
echo "a user's dmesg" >"$TMP/x/dmesg"
ctl export "$TMP/x" >/dev/null 2>"$TMP/x.err"
is "$?:$(cat "$TMP/x.err")" "1:hotmemctl: export: $TMP/x/dmesg exists already" \
	"export into a directory with a dmesg: refused, the dmesg named"
is "$(ls "$TMP/x")" dmesg "... nothing written"
is "$(cat "$TMP/x/dmesg")" "a user's dmesg" "... the dmesg left as it was"

ctl export "$TMP/a" >/dev/null
tap_ok $? "exported"
stop_fs
grep -q 'Memory: .*K/.*K available' "$TMP/a/dmesg" &&
	grep -q 'ACPI: SRAT: Node 0 PXM 0 \[mem 0x100000000-0x2dfffffff\] hotplug' "$TMP/a/dmesg"
tap_ok $? "... DIR/dmesg has the boot's Memory: and SRAT hotplug lines" || diag "$(cat "$TMP/a/dmesg")"
"$HM" profile --from-sysfs "$TMP/a" -o "$TMP/a.profile" 2>/dev/null
tap_ok $? "hotmem profile --from-sysfs"
is "$(grep -E '^(qemu_)?maxmem = ' "$TMP/a.profile" | tr '\n' ' ')" "maxmem = 0x2e0000000 qemu_maxmem = 0x100000000 " \
	"... maxmem and qemu_maxmem qemu-512m's"
is "$(grep -cE '^(kernel_image|initrd|swiotlb|boot_reserved) = ' "$TMP/a.profile")" 4 \
	"... the boot reservation keys"
mount_fs "the profile mounts" --profile "$TMP/a.profile" --fresh -S none \
	--cmdline hotmem.kernel_alloc=off
is "$(grep '^MemTotal:' "$MNT/proc/meminfo")" "$total" "... MemTotal the first machine's ($total)"
stop_fs
done_testing
