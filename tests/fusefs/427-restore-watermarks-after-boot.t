#!/bin/bash
# /proc/zoneinfo's marks and protection over kill -9 once they were set
# up after boot (wmark39, reread40 R1, R2).  The boot's are
# postcore_initcall's, from the managed pages before the initrd and the
# init sections are freed (qemu-512m's DMA32 min 606, DMA protection
# 374); a vm.watermark_scale_factor write of the same 10, an online or
# an offline sets the marks up from the pages of now (607), a
# lowmem_reserve_ratio write of the same ratios, an online or an offline
# the reserves (382).  A restart boots again and sets them up only at
# steps of its own, from the managed pages of its own moment: the state
# file keeps each zone's marks and reserves ("watermarks",
# "lowmem-reserve") and the restore puts them back at its end.  Check
# 6 came back before as the running machine's (wmark39's
# "boot-watermarks"); 10 (the ratio written back: DMA protection 374
# restored for 382), 17 (the offline and online's protection) and 22
# (HVO freed memmap before a factor write: DMA32 low 10394 restored for
# 10549) fail without the kept marks; 4, 8 and 15 look at the journal's
# records.  A file from before the marks were kept still loads as
# documented (guards 24-29): its "boot-watermarks" false sets them up
# from the restart's pages, without it the restart's own.
. "$(dirname "$0")/lib.sh"
require_env
need_tool python3 python3

MACHINE=(--profile qemu-512m --cmdline hotmem.kernel_alloc=off)
M=$MNT/sys/devices/system/memory
V=$MNT/proc/sys/vm
# marks: node 0's DMA and DMA32 min/low/high and protection of zoneinfo
marks() {
	awk '/^Node/ {z = $4} (z == "DMA" || z == "DMA32") && ($1 == "min" || $1 == "low" || $1 == "high") {printf "%s%s", sep, $2; sep = " "}
	     (z == "DMA" || z == "DMA32") && $1 == "protection:" {$1 = ""; printf "%s%s", sep, $0; sep = " "}' \
		"$MNT/proc/zoneinfo"
}
# journal_has PATTERN: a record of the journal matches
journal_has() { tr '\0' '\n' <"$STATE.journal" | grep -v '^$' | grep -q "$1"; }
mount_fs "hotmemfs mounts qemu-512m, an idle kernel" "${MACHINE[@]}" --fresh
boot=$(marks)
is "$(w "$V/watermark_scale_factor" 10)" ret=2 "watermark_scale_factor <- 10, as it was"
written=$(marks)
tap_ok "$([ "$written" != "$boot" ]; echo $?)" "... the marks set up from the pages after boot ($boot -> $written)"
journal_has '"watermarks":\[\['
tap_ok $? "... the journal's record carries them"
kill9_fs
mount_fs "kill -9, restart" "${MACHINE[@]}"
is "$(marks)" "$written" "the restored marks are the written ones"

# the reserves: the ratios written back as they were (reread40 R2)
ratio=$(cat "$V/lowmem_reserve_ratio")
is "$(w "$V/lowmem_reserve_ratio" "$ratio")" ret=${#ratio} "lowmem_reserve_ratio <- '$ratio', as it was"
journal_has '"param":{"lowmem-reserve-ratio":.*"lowmem-reserve":\[\['
tap_ok $? "... its record carries the reserves it set up"
rewritten=$(marks)
kill9_fs
mount_fs "kill -9, restart" "${MACHINE[@]}"
is "$(marks)" "$rewritten" "the restored protection is the ratio write's ($rewritten)"

# the same by an offline and an online, after a fresh boot
stop_fs
mount_fs "hotmemfs mounts qemu-512m afresh" "${MACHINE[@]}" --fresh
is "$(marks)" "$boot" "the boot's marks again"
is "$(w "$M/memory2/state" offline)" ret=7 "memory2 offline"
is "$(w "$M/memory2/state" online)" ret=6 "memory2 online"
cycled=$(marks)
journal_has '"run-param".*"watermarks":\[\['
tap_ok $? "... a one-block record carried them"
kill9_fs
mount_fs "kill -9, restart" "${MACHINE[@]}"
is "$(marks)" "$cycled" "the restored marks and protection are the online's ($cycled)"
ctl check >/dev/null
tap_ok $? "invariants hold"

# HVO frees the pool's memmap (managed pages up) after the boot's setup,
# then a factor write sets the marks up from them; the restore set them
# up before its pool (reread40 R1)
stop_fs
mount_fs "hotmemfs mounts qemu-512m afresh" "${MACHINE[@]}" --fresh
echo 1 >"$V/hugetlb_optimize_vmemmap" && echo 200 >"$V/nr_hugepages" &&
	echo 1000 >"$V/watermark_scale_factor"
tap_ok $? "hugetlb_optimize_vmemmap <- 1, nr_hugepages <- 200, watermark_scale_factor <- 1000"
hvo=$(marks)
kill9_fs
mount_fs "kill -9, restart" "${MACHINE[@]}"
is "$(marks)" "$hvo" "the restored marks are the factor write's after HVO ($hvo)"

# a file from 2026-12-03: "boot-watermarks", no marks kept
stop_fs
mount_fs "hotmemfs mounts qemu-512m afresh" "${MACHINE[@]}" --fresh
echo 10 >"$V/watermark_scale_factor"
stop_fs
state_machine_edit "q = m['params']; del q['watermarks'], q['lowmem-reserve']; q['boot-watermarks'] = False"
tap_ok $? "the state file made one of 2026-12-03's: \"boot-watermarks\" false, no marks"
mount_fs "restart" "${MACHINE[@]}"
is "$(marks)" "$written" "... the marks set up from the restart's pages ($written)"
stop_fs
state_machine_edit "q = m['params']; del q['watermarks'], q['lowmem-reserve']"
tap_ok $? "the state file made one from before: neither"
mount_fs "restart" "${MACHINE[@]}"
is "$(marks)" "$boot" "... the restart's own: the boot's ($boot)"
done_testing
