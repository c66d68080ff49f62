#!/bin/bash
# virtio-mem in Big Block Mode (usereye8 5h): 6.12's
# virtio_mem_bbm_unplug_request() and virtio_mem_bbm_plug_request() move
# whole big blocks only (nb_bb = diff / bb_size: none when less than one),
# so a shrink or growth short by less than a big block is where the driver
# stops without trying.  hotmemctl called the shrink "the rest is busy" and
# the growth "the guest plugged less"; now it says the guest moves whole big
# blocks and how much is left.  A shortfall of a whole big block keeps its
# own words (a busy block: tests/fusefs/52, 114).
. "$(dirname "$0")/lib.sh"
private_mount_ns "$@"
require_env

mount_fs "hotmemfs mounts, Big Block Mode of 256M big blocks" --fresh \
	--cmdline "virtio_mem.force_bbm=Y virtio_mem.bbm_block_size=268435456 hotmem.kernel_alloc=off"
M=$MNT/sys/devices/system/memory
is "$(ctl device_add virtio-mem-pci id=vm0 size=2G requested-size=300M 2>&1)" \
	"vm0: 2G at 0x100000000, memory32-33 (offline)
vm0: requested 300M, plugged 256M: the guest plugs whole big blocks (256M in Big Block Mode): 44M is less than one" \
	"device_add requested-size=300M: one big block plugged, 44M short said so"
echo online_movable >"$M/memory32/state" && echo online_movable >"$M/memory33/state"
tap_ok $? "memory32-33 online_movable"
is "$(ctl set-size vm0 100M 2>&1)" \
	"vm0: requested 100M, plugged 256M: the guest unplugs whole big blocks (256M in Big Block Mode): 156M is less than one" \
	"set-size 100M: nothing unplugged, not called busy"
is "$(cat "$M/memory32/state" "$M/memory33/state" | xargs)" "online online" "... its blocks untouched"
is "$(ctl --json set-size vm0 100M | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(d["mode"], d["big-block-size"], d["plugged-size"])')" "bbm 268435456 268435456" \
	"... --json: the mode and the big block's size in the return"
is "$(ctl set-size vm0 600M 2>&1)" \
	"vm0: requested 600M, plugged 512M: the guest plugs whole big blocks (256M in Big Block Mode): 88M is less than one" \
	"set-size 600M: a second big block plugged, 88M short"
is "$(ctl set-size vm0 256M 2>&1)" "vm0: requested 256M, plugged 256M" \
	"set-size 256M (whole big blocks): the second one unplugged, nothing short"
done_testing
