#!/bin/bash
# A DIMM the guest's kernel cannot add: device_add's reply says so and
# why, with the line the guest's kernel logged for it (usereye4 #32), not
# a bare "Cannot allocate memory".  Two reasons: a memmap that does not
# fit in system RAM (warn_alloc()'s "vmemmap alloc failure", which the
# kernel prints once a boot: the reply says why on any try: the memmap
# needs more system RAM than is free), and a
# self-hosted memmap past the host's cap on mappings (the sysctl that
# would let it).  The refused DIMM stays, as QEMU keeps it (149).
. "$(dirname "$0")/lib.sh"
require_env
# like GOT ERE NAME
like() {
	printf '%s\n' "$1" | grep -qE "$2"
	tap_ok $? "$3" || diag "got: $1"
}

printf 'profile = qemu-512m\nmaxmem = 256G\n' >"$TMP/p.profile"
mount_fs "hotmemfs mounts qemu-512m with maxmem 256G" --fresh --profile "$TMP/p.profile"
out=$(ctl device_add pc-dimm size=64G id=huge 2>&1)
tap_ok $? "a 64G DIMM whose 1G memmap does not fit in 512M: plugged (QEMU's device_add succeeds)"
like "$out" "refused by the guest \\(ENOMEM\\): the guest could not add huge's memory: add_memory\\(node 0, 0x100000000, 0x1000000000\\) failed: Cannot allocate memory \\(-ENOMEM\\); its memmap needs 1G of system RAM \\(64 bytes a 4K page\\), [0-9]+K is free: plug less, or memory_hotplug.memmap_on_memory=1 puts it on the DIMM; its log: \"kworker/u[0-9]+:1: vmemmap alloc failure: order:9, " \
	"... why, what helps, and the guest's own line for it"
out=$(ctl device_add pc-dimm size=64G id=huge2 2>&1)
like "$out" "^huge2: +64G at 0x1100000000, plugged in slot 1 but refused by the guest \\(ENOMEM\\): the guest could not add huge2's memory: add_memory\\(node 0, 0x1100000000, 0x1000000000\\) failed: Cannot allocate memory \\(-ENOMEM\\); its memmap needs 1G of system RAM \\(64 bytes a 4K page\\), [0-9]+K is free: plug less, or memory_hotplug.memmap_on_memory=1 puts it on the DIMM; the DIMM stays" \
	"a second try, which the guest does not log (warn_alloc() warns once a boot): still why and what helps"
is "$(ctl devices | grep -c 'refused by the guest')" 2 "both refused DIMMs stay, listed as refused"
stop_fs

mount_fs "hotmemfs mounts it with memmap_on_memory under a cap of 100 host mappings" --fresh \
	--profile "$TMP/p.profile" --cmdline "memory_hotplug.memmap_on_memory=1 hotmem.max_map_count=100"
out=$(ctl device_add pc-dimm size=1G id=small 2>&1)
like "$out" "the guest could not add small's memory: add_memory\\(node 0, 0x100000000, 0x40000000\\) failed: Cannot allocate memory \\(-ENOMEM\\); its log: \"vmemmap: the memmap needs up to 11 more host mappings, .* run sysctl vm.max_map_count=[0-9]+, or use larger memory blocks\"" \
	"a DIMM past the cap: the reply says which sysctl would let it"
stop_fs
done_testing
