#!/bin/bash
# hotmemctl status's block table gives an online block spanning zones the
# kernel's word for it, valid_zones' "none", and now also which zones it
# spans (docs43 F8): qemu-512m's memory0 read "online 0 none 0", which a
# new user took as "in no zone" (hotmemctl map said "several zones").
. "$(dirname "$0")/lib.sh"
require_env

printf 'profile = qemu-512m\n' >"$TMP/p.profile"
mount_fs "hotmemfs mounts qemu-512m" --fresh --profile "$TMP/p.profile" \
	--cmdline memhp_default_state=offline
out=$(ctl status)
sed 's/^/# /' <<<"$out"
is "$(grep '^0x0000000000000000-' <<<"$out" | sed 's/  */ /g')" \
	"0x0000000000000000-0x0000000007ffffff 128M online 0 none 0 spans DMA, DMA32 (valid_zones: none)" \
	"memory0: none, and the zones it spans"
is "$(cat "$MNT/sys/devices/system/memory/memory0/valid_zones")" none "... valid_zones reads none, as the kernel's"
is "$(grep -c 'spans' <<<"$out")" 1 "a block of one zone says nothing more (memory1-3: DMA32)"
ctl device_add pc-dimm id=d1 size=128M >/dev/null
is "$(ctl status | grep '^0x0000000100000000-' | sed 's/  */ /g')" \
	"0x0000000100000000-0x0000000107ffffff 128M offline 0 - 32" "an offline block: '-', no spans"
stop_fs
done_testing
