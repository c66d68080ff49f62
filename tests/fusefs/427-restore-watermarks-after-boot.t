#!/bin/bash
# /proc/zoneinfo's marks over kill -9 once they were set up after boot
# (wmark39).  The boot's are postcore_initcall's, from the managed pages
# before the initrd and the init sections are freed (qemu-512m's DMA32
# min 606); a vm.watermark_scale_factor write of the same 10, or an
# online or offline, sets them up from the pages of now (607).  A restart
# boots again (606) and set them up only at an online of its own or a
# factor that differs: a machine whose blocks were all back as booted
# came back with the boot's marks.  The state file's "boot-watermarks"
# says when they are no longer the boot's; the restore then sets them up
# (check 6 fails without it; 13 is a guard: the offline and online moved
# min_free_kbytes, whose restore sets the marks up anyway; 4 and 11 look
# at the journal's records, the factor write's and the online's).
. "$(dirname "$0")/lib.sh"
require_env

MACHINE=(--profile qemu-512m --cmdline hotmem.kernel_alloc=off)
M=$MNT/sys/devices/system/memory
# marks: node 0's DMA and DMA32 min/low/high of zoneinfo
marks() {
	awk '/^Node/ {z = $4} (z == "DMA" || z == "DMA32") && ($1 == "min" || $1 == "low" || $1 == "high") {printf "%s%s", sep, $2; sep = " "}' \
		"$MNT/proc/zoneinfo"
}
mount_fs "hotmemfs mounts qemu-512m, an idle kernel" "${MACHINE[@]}" --fresh
boot=$(marks)
is "$(w "$MNT/proc/sys/vm/watermark_scale_factor" 10)" ret=2 "watermark_scale_factor <- 10, as it was"
written=$(marks)
tap_ok "$([ "$written" != "$boot" ]; echo $?)" "... the marks set up from the pages after boot ($boot -> $written)"
tr '\0' '\n' <"$STATE.journal" | grep -v '^$' | grep -q '"boot-watermarks":false'
tap_ok $? "... the journal says they are not the boot's"
kill9_fs
mount_fs "kill -9, restart" "${MACHINE[@]}"
is "$(marks)" "$written" "the restored marks are the written ones"

# the same by an offline and an online, after a fresh boot
stop_fs
mount_fs "hotmemfs mounts qemu-512m afresh" "${MACHINE[@]}" --fresh
is "$(marks)" "$boot" "the boot's marks again"
is "$(w "$M/memory2/state" offline)" ret=7 "memory2 offline"
is "$(w "$M/memory2/state" online)" ret=6 "memory2 online"
cycled=$(marks)
tr '\0' '\n' <"$STATE.journal" | grep -v '^$' | grep -q '"run-param".*"boot-watermarks":false'
tap_ok $? "... a one-block record carried them"
kill9_fs
mount_fs "kill -9, restart" "${MACHINE[@]}"
is "$(marks)" "$cycled" "the restored marks are the online's ($cycled)"
ctl check >/dev/null
tap_ok $? "invariants hold"
done_testing
