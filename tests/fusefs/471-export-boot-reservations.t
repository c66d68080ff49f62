#!/bin/bash
# hotmemctl export -> hotmem profile --from-sysfs -> mount -> export of a
# machine booted with the boot reservations (kernel_image, initrd,
# realmode, swiotlb, boot_reserved: tests/fusefs/452's profile, a 6.12.117
# qemu-512m guest's numbers): the export carries them as a real dump
# does -- proc/iomem's Kernel lines, and DIR/dmesg with the log's
# RAMDISK:, software IO TLB:, Memory: and Freeing lines, and the SRAT's
# hotplug range -- and from-sysfs
# reads them back, init and .smp_locks placed below bss as vmlinux.lds.S
# puts them, realmode and boot_reserved calibrated against the Memory:
# line's reserved by booting the profile.  The second machine is the
# first: the same tree file for file (proc/iomem's Kernel lines, dmesg),
# the same Memory: line and MemTotal.  Before, the export had no log and
# from-sysfs read no Kernel line: the second machine booted without any.
. "$(dirname "$0")/lib.sh"
require_env
HM=$HOTMEM_BUILD/hotmem
# the guest's boot reservations, tests/fusefs/452's and 471's one file
need_file "$HOTMEM_SRC/tests/fixtures/boot-map/qemu-512m-boot-reservations.profile"
cp "$HOTMEM_SRC/tests/fixtures/boot-map/qemu-512m-boot-reservations.profile" "$TMP/g.profile"
memory_line() { grep -o 'Memory: .*' "$1"; }

mount_fs "qemu-512m with the guest's boot reservations" --profile "$TMP/g.profile" --fresh \
	-S none --cmdline hotmem.kernel_alloc=off
total=$(grep '^MemTotal:' "$MNT/proc/meminfo")
ctl dmesg >"$TMP/dmesg1"
grep -q 'RAMDISK: \[mem 0x1fecd000-0x1ffdffff\]' "$TMP/dmesg1"
tap_ok $? "the boot log says the initrd as 6.12's reserve_initrd(): RAMDISK: [mem 0x1fecd000-0x1ffdffff]"
ctl export "$TMP/a" >/dev/null
tap_ok $? "exported"
stop_fs
is "$(grep -c 'Kernel ' "$TMP/a/proc/iomem")" 4 "... its proc/iomem with the Kernel code, rodata, data and bss lines"
is "$(sed 's/^<[0-9]>//; s/:.*/:/' "$TMP/a/dmesg")" "RAMDISK:
ACPI:
Freeing SMP alternatives memory:
Memory:
software IO TLB:
Freeing initrd memory:
Freeing unused decrypted memory:
Freeing unused kernel image (initmem) memory:
Freeing unused kernel image (rodata/data gap) memory:" "... and dmesg: the log's boot reservation lines alone"

"$HM" profile --from-sysfs "$TMP/a" -o "$TMP/a.profile" 2>"$TMP/a.notes"; profile_notes "$TMP/a.profile" "$TMP/a.notes"
tap_ok $? "hotmem profile --from-sysfs"
for k in kernel_image initrd realmode swiotlb boot_reserved; do
	want=$(sed -n "s/^$k = //p" "$TMP/g.profile")
	got=$(sed -n "s/^$k = //p" "$TMP/a.profile")
	case $k in
	swiotlb) [ "$got" = 0x4000000 ] && got=64M ;;
	# the export says no brk (a memblock=debug boot's line alone does):
	# boot_reserved takes its 68K, the same reserved total (builtin44)
	boot_reserved) want=$(( ${want%K} + 68 ))K ;;
	esac
	is "$got" "$want" "... $k as the machine booted with it"
done
# the SRAT's hotplug range, QEMU's device memory (vmem33: from-sysfs wrote
# maxmem = 64G and no qemu_maxmem)
is "$(grep -E '^(qemu_)?maxmem = ' "$TMP/a.profile" | tr '\n' ' ')" "maxmem = 0x2e0000000 qemu_maxmem = 0x100000000 " \
	"... maxmem and qemu_maxmem qemu-512m's, from the log's SRAT hotplug range and the 4 slots"
awk '/^ram = / { r = NR } /^(kernel_image|initrd|swiotlb|realmode|boot_reserved) = / && !k { k = NR }
	END { exit !(r && k > r) }' "$TMP/a.profile"
tap_ok $? "... written after the ram lines"
grep -q "could not infer: boot reservations: realmode and boot_reserved are in no line: boot_reserved = 4396K is what the dump's \"Memory:\" line's reserved (124872K) leaves over" "$TMP/a.notes"
tap_ok $? "... boot_reserved's calibration said" || diag "$(grep 'boot reserv' "$TMP/a.notes")"

mount_fs "the profile mounts" --profile "$TMP/a.profile" --fresh -S none
is "$(grep '^MemTotal:' "$MNT/proc/meminfo")" "$total" "... MemTotal the first machine's ($total)"
ctl dmesg >"$TMP/dmesg2"
is "$(memory_line "$TMP/dmesg2")" "$(memory_line "$TMP/dmesg1")" "... its Memory: line the first machine's"
ctl export "$TMP/a2" >/dev/null
tap_ok $? "exported again"
stop_fs
is "$(grep 'Kernel ' "$TMP/a2/proc/iomem")" "$(grep 'Kernel ' "$TMP/a/proc/iomem")" \
	"... proc/iomem's Kernel lines the first machine's"
is "$(diff -r --no-dereference "$TMP/a" "$TMP/a2" 2>&1 | head -20)" "" \
	"export -> from-sysfs -> mount -> export: the same tree, file for file, proc/iomem and dmesg too"

# a real machine's dump has its whole log, with timestamps (dmesg), or
# none: the lines are found among others; without the log the image's
# init size is not known -- no kernel_image, said
cp -r "$TMP/a" "$TMP/r"
{ echo "[    0.000000] Linux version 6.12.117+deb12-amd64"
  sed 's/^<[0-9]>/[    0.012345] /' "$TMP/a/dmesg"
  echo "[    1.000000] Run /init as init process"; } >"$TMP/r/dmesg"
"$HM" profile --from-sysfs "$TMP/r" -o "$TMP/r.profile" 2>/dev/null
is "$(grep -E '^(kernel_image|initrd|realmode|swiotlb|boot_reserved) = ' "$TMP/r.profile")" \
	"$(grep -E '^(kernel_image|initrd|realmode|swiotlb|boot_reserved) = ' "$TMP/a.profile")" \
	"a dump's whole dmesg, timestamped: the same keys"
rm "$TMP/r/dmesg"
"$HM" profile --from-sysfs "$TMP/r" -o "$TMP/n.profile" 2>"$TMP/n.notes"; profile_notes "$TMP/n.profile" "$TMP/n.notes"
is "$(grep -cE '^(kernel_image|initrd|realmode|swiotlb|boot_reserved) = ' "$TMP/n.profile")" 0 \
	"a dump without dmesg: none of the keys"
grep -q "could not infer: boot reservations: proc/iomem shows the kernel image, but its init section's size is not in the dump" "$TMP/n.notes"
tap_ok $? "... said" || diag "$(grep 'boot reserv' "$TMP/n.notes")"
done_testing
