#!/bin/bash
# vm.watermark_boost_factor, as 6.12's boost_watermark() reads it: 0
# disables the watermark boost ("if (!watermark_boost_factor) return
# false;"), any other value caps it at factor/10000 of the high mark
# (tests/engine/test_hugetlb.c checks a cap of 10000).  The boot's
# sysctl.vm.watermark_boost_factor= word sets it (its file: 384), as a 6.12 kernel's
# do_sysctl_args() writes it, its handler proc_dointvec_minmax() from 0
# (-1 is "invalid value", the factor left at 15000).  The machine:
# tests/fusefs/369's, qemu-512m's 6.12.118 guest placement with its
# HugeTLB pool filled and a 512 MiB DIMM plugged, whose memmap's steals
# boost DMA32 until the boosted min refuses the DIMM, as the guest did
# on each boot that left as little free (369; the failed add gives its
# boosts back); with the factor 0 no
# steal boosts, the DIMM is added, no kswapd is woken, and the marks are
# the boot's.  Before the word was stored it was parsed and dropped:
# the boost came all the same.
. "$(dirname "$0")/lib.sh"
require_env
FIX=$HOTMEM_SRC/tests/fixtures/hugetlb-fill/qemu-6.12.118-hugetlb-fill.txt
sed -n 's/^# profile: //p' "$FIX" >"$TMP/p.profile"
zone_line() { awk -v z="$1" -v k="$2" '$1 == "Node" { zone = $4 } zone == z && $1 == k { print $2; exit }' \
	"$MNT/proc/zoneinfo"; }
state() { echo "$(zone_line DMA32 boost) $(zone_line DMA32 min) $(zone_line DMA32 node_unreclaimable:)"; }
blocks() { find "$MNT/sys/devices/system/memory" -maxdepth 1 -name 'memory[0-9]*' | wc -l; }
# fill_and_plug: the pool filled, the DIMM plugged (369's steps)
fill_and_plug() {
	w "$MNT/proc/sys/vm/nr_hugepages" 1000 >/dev/null
	ctl device_add pc-dimm id=d1 size=512M >/dev/null 2>&1
}

mount_fs "hotmemfs boots 369's guest placement, sysctl.vm.watermark_boost_factor=0" \
	--fresh --profile "$TMP/p.profile" --cmdline "memhp_default_state=offline sysctl.vm.watermark_boost_factor=0"
ctl dmesg >"$TMP/dmesg"
! grep -q "sysctl parameter .vm.watermark_boost_factor" "$TMP/dmesg"
tap_ok $? "the word taken: nothing said of it" || diag "$(grep watermark_boost_factor "$TMP/dmesg")"
min=$(zone_line DMA32 min) before=$(blocks)
fill_and_plug
is "$(blocks)" "$((before + 4))" "the pool, then the DIMM added: its 4 blocks"
is "$(state)" "0 $min 0" "... DMA32's boost 0, min $min (the boot's), node_unreclaimable 0"
stop_fs

mount_fs "the same with sysctl.vm.watermark_boost_factor=-1" \
	--fresh --profile "$TMP/p.profile" --cmdline "memhp_default_state=offline sysctl.vm.watermark_boost_factor=-1"
ctl dmesg >"$TMP/dmesg"
grep -qF "Failed to set sysctl parameter 'vm.watermark_boost_factor=-1': invalid value" "$TMP/dmesg"
tap_ok $? "-1 refused as 6.12 refuses it: invalid value"
before=$(blocks)
fill_and_plug
is "$(blocks)" "$before" "the factor left at 15000: the DIMM refused (369's)"
is "$(state)" "0 $min 0" "... its boosts given back: DMA32's boost 0, min $min, node_unreclaimable 0"
ctl check >/dev/null
tap_ok $? "invariants hold"
done_testing
