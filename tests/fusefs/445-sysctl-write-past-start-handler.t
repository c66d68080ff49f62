#!/bin/bash
# A write past the start of vm.min_free_kbytes or vm.watermark_scale_factor
# (pwrite at position 1): 6.12's proc_dointvec_minmax() ignores it
# (kernel/sysctl.c proc_first_pos_non_zero_ignore(), sysctl_writes_strict
# 1) and answers 0, the whole count taken -- but mm/page_alloc.c's
# handlers still run their "if (write)": min_free_kbytes_sysctl_handler()
# makes the value of now (an online's) the user's and sets the marks up,
# so a later offline keeps it ("... is not updated to N because user
# defined value U is preferred"); watermark_scale_factor_sysctl_handler()
# sets the marks up from the managed pages of now (qemu-512m's DMA32 min
# one page up from the boot's, as a write of the same factor, 410/wmark39);
# lowmem_reserve_ratio_sysctl_handler(), which ignores the parser's answer,
# sets the reserves up (DMA's protection from DMA32's managed of now).
# All failed before hotmemfs ran the handler's rest (the offline lowered
# min_free_kbytes; the marks and reserves stayed the boot's).
. "$(dirname "$0")/lib.sh"
require_env

mount_fs "hotmemfs mounts qemu-512m" --profile qemu-512m --cmdline hotmem.kernel_alloc=off --fresh
V=$MNT/proc/sys/vm
M=$MNT/sys/devices/system/memory
not_updated() { ctl dmesg | grep -c "^<4>min_free_kbytes is not updated to [0-9]* because user defined value $1 is preferred$"; }

# watermark_scale_factor: the marks set up again, the factor as it was
min0=$(zi DMA32 min)
is "$(pw "$V/watermark_scale_factor" 1 7)" ret=1 "watermark_scale_factor: pwrite '7' at 1 answered whole"
is "$(cat "$V/watermark_scale_factor")" 10 "... the factor still 10"
is "$(zi DMA32 min)" $((min0 + 1)) "... DMA32 min set up from the managed pages of now ($min0 at boot)"

# lowmem_reserve_ratio: lowmem_reserve_ratio_sysctl_handler() ignores the
# parser's answer and sets the reserves up from the managed pages of now
prot() { awk '/^Node/ {z = $4} z == "DMA" && /protection:/ {sub(/^ *protection: /, ""); print; exit}' "$MNT/proc/zoneinfo"; }
prot0=$(prot)
is "$(pw "$V/lowmem_reserve_ratio" 1 5)" ret=1 "lowmem_reserve_ratio: pwrite '5' at 1 answered whole"
r=$(($(zi DMA32 managed) / 256))
is "$(prot)" "(0, $r, $r, $r, $r)" "... DMA protection: DMA32's managed of now / 256 (boot's: $prot0)"
# after the check above: a read of the file sets the reserves up too (446)
is "$(cat "$V/lowmem_reserve_ratio")" "$(printf '256\t256\t32\t0\t0')" "... the ratios as they were"

# min_free_kbytes: an online's value made the user's
is "$(w "$M/memory2/state" offline)" ret=7 "memory2 offline"
low=$(cat "$V/min_free_kbytes")
is "$(w "$M/memory2/state" online)" ret=6 "memory2 online"
high=$(cat "$V/min_free_kbytes")
tap_ok "$([ "$high" -gt "$low" ]; echo $?)" "... the online raised min_free_kbytes ($low to $high)"
is "$(pw "$V/min_free_kbytes" 1 5)" ret=1 "min_free_kbytes: pwrite '5' at 1 answered whole"
is "$(cat "$V/min_free_kbytes")" "$high" "... nothing parsed: still $high"
is "$(w "$M/memory2/state" offline)" ret=7 "memory2 offline again"
is "$(cat "$V/min_free_kbytes")" "$high" "... min_free_kbytes kept at the user's $high, not lowered"
is "$(not_updated "$high")" 1 "dmesg: ... because user defined value $high is preferred"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
