#!/bin/bash
# A dump taken without CAP_SYS_ADMIN: a user's `cat /proc/iomem` reads
# every range 0 (6.12 kernel/resource.c r_show()), the Kernel lines
# too, so hotmem profile --from-sysfs places no kernel image; realmode and
# boot_reserved are calibrated against the dump's MemTotal, boot_reserved
# standing for the image too: the machine is the dump's, MemTotal and all
# (reread35 R2: none were written, and the profile booted with the
# image's ~43 MiB too many).  dmesg's "RAMDISK: [mem ...]" (reserve_initrd()) and
# "software IO TLB: mapped [mem ...]" (swiotlb_print_info()) need no
# iomem: the initrd and swiotlb are carried, and what is not, said.
# The dump: tests/fusefs/472's (a real 6.12.117 qemu-512m guest's
# capture) with the log's RAMDISK: and software IO TLB: lines, as hotmem
# prints them for that guest (tests/fusefs/471's profile; the capture
# took neither line).  Before, the zeroed Kernel lines gave up on every
# key: no initrd, no swiotlb.
. "$(dirname "$0")/lib.sh"
require_env
HM=$HOTMEM_BUILD/hotmem
capture_dump qemu-6.12-qemu-512m "$TMP/root"
{ echo "RAMDISK: [mem 0x1fecd000-0x1ffdffff]"
  cat "$TMP/root/dmesg"
  echo "software IO TLB: mapped [mem 0x000000001b200000-0x000000001f200000] (64MB)"
  echo "Freeing initrd memory: 1100K"; } >"$TMP/dmesg"
mv "$TMP/dmesg" "$TMP/root/dmesg"
cp -r "$TMP/root" "$TMP/user"
sed -E 's/^( *)[0-9a-f]+-[0-9a-f]+ :/\100000000-00000000 :/' "$TMP/root/proc/iomem" >"$TMP/user/proc/iomem"
is "$(grep -c '^  00000000-00000000 : Kernel ' "$TMP/user/proc/iomem") $(grep -vc '^ *00000000-00000000 : ' "$TMP/user/proc/iomem")" \
	"4 0" "the user's proc/iomem: every range 0, the 4 Kernel lines too"
keys() { grep -E '^(kernel_image|initrd|realmode|swiotlb|boot_reserved) = ' "$1" | sed 's/ =.*//' | tr '\n' ' '; }

"$HM" profile --from-sysfs "$TMP/root" -o "$TMP/root.profile" 2>/dev/null
tap_ok $? "root's dump: hotmem profile --from-sysfs"
is "$(keys "$TMP/root.profile")" "kernel_image initrd swiotlb realmode boot_reserved " \
	"... every key (the control)"

"$HM" profile --from-sysfs "$TMP/user" -o "$TMP/user.profile" 2>"$TMP/user.notes"; profile_notes "$TMP/user.profile" "$TMP/user.notes"
tap_ok $? "the user's dump: hotmem profile --from-sysfs" || diag "$(cat "$TMP/user.notes")"
grep -E '^(kernel_image|initrd|realmode|swiotlb|boot_reserved) = ' "$TMP/user.profile" | sed 's/^/# /'
is "$(sed -n 's/^initrd = //p' "$TMP/user.profile")" "0x1fecd000-0x1ffdffff" "... initrd from dmesg's RAMDISK: line"
is "$(sed -n 's/^swiotlb = //p' "$TMP/user.profile")" "0x4000000" "... swiotlb from dmesg's software IO TLB: line (64MB)"
is "$(keys "$TMP/user.profile")" "initrd swiotlb realmode boot_reserved " \
	"... no kernel_image; realmode and boot_reserved calibrated"
grep -q "could not infer: boot reservations: proc/iomem's Kernel lines read 0 (read without CAP_SYS_ADMIN): no kernel_image (boot_reserved, calibrated against MemTotal, stands for it); initrd and swiotlb from dmesg alone" "$TMP/user.notes"
tap_ok $? "... what is not carried and why, said" || diag "$(grep 'boot reserv' "$TMP/user.notes")"
grep -q "could not infer: boot reservations: initrd, swiotlb from dmesg alone" "$TMP/user.notes"
tap_ok $? "... and what is" || diag "$(grep 'boot reserv' "$TMP/user.notes")"
grep -q "could not infer: boot reservations: boot_reserved holds the kernel image, which the dump does not place" "$TMP/user.notes"
tap_ok $? "... boot_reserved holding the image, said" || diag "$(grep 'boot reserv' "$TMP/user.notes")"
is "$(grep -c '^# .*boot reservations' "$TMP/user.profile")" 4 "... in the profile's comments too"
want=$(sed -n 's/^MemTotal: *//p' "$TMP/user/proc/meminfo")
is "$(echo meminfo | "$HM" --profile "$TMP/user.profile" run - | sed -n 's/^MemTotal: *//p')" "$want" \
	"the profile boots the dump's MemTotal ($want)"

# swiotlb is a size (docs/profile.md): the model places it below what the
# boot took before it, no kernel image here -- its size is the guest's
is "$(echo dmesg | "$HM" --profile "$TMP/user.profile" run - | grep -oE '(RAMDISK|software IO TLB): .*' | sed 's/mapped .* (/mapped (/')" \
	"RAMDISK: [mem 0x1fecd000-0x1ffdffff]
software IO TLB: mapped (64MB)" \
	"the profile boots with the guest's initrd where its log put it and a 64MB swiotlb"
done_testing
