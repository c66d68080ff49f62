#!/bin/bash
# abuse30b V2: a virtio-mem device whose region holds no whole 128M memory
# block (size=100M or 64M, or a badly aligned one) was refused by
# device_add ("probe ... failed: No space left on device (no whole memory
# block in the region)"); QEMU 7.2 realizes it and 6.12's driver probes it
# with virtio_mem_init_hotplug()'s "bad device setup - warn only"
# warnings.  Its plugs stop at virtio_mem_sbm_prepare_next_mb()'s
# -ENOSPC, which virtio_mem_run_wq() takes silently.  Now hotmem does the
# same: the device is listed in query-memory-devices, its requested-size
# set is accepted ({}), its size stays 0 and the driver logs 6.12's lines
# in 6.12's order.  Without the fix in engine/virtio_mem.c checks 2-8 and
# 10-13 and 15 fail (checked: device_add answers the probe's ENOSPC error).
. "$(dirname "$0")/lib.sh"
require_env
start_fs --fresh --state none --cmdline memhp_default_state=online_movable
tap_ok $? "hotmemfs mounts the default machine, no state file"

is "$(qmp_vmem_add vm0 104857600 0)" '{"return":{}}' "QMP device_add virtio-mem-pci vm0 of 100M: {}"
ctl -j query-memory-devices | python3 -c '
import json, sys
d = next(d["data"] for d in json.load(sys.stdin) if d["data"].get("id") == "vm0")
print(d["memaddr"], d["max-size"], d["size"], d["requested-size"])' >"$TMP/qmd"
is "$(cat "$TMP/qmd")" "4294967296 104857600 0 0" \
	"query-memory-devices lists it: memaddr 4G, max-size 100M, size 0, requested-size 0"
grep -q "^100000000-1063fffff : virtio0$" "$MNT/proc/iomem"
tap_ok $? "proc/iomem: its region, virtio0"
ctl dmesg | sed -n 's/^<[0-7]>\(virtio_mem virtio0: \)/\1/p' >"$TMP/dmesg"
cat >"$TMP/want" <<'EOF'
virtio_mem virtio0: start address: 0x100000000
virtio_mem virtio0: region size: 0x6400000
virtio_mem virtio0: device block size: 0x200000
virtio_mem virtio0: nid: 0
virtio_mem virtio0: The alignment of the physical end address can make some memory unusable.
virtio_mem virtio0: memory block size: 0x8000000
virtio_mem virtio0: subblock size: 0x200000
virtio_mem virtio0: plugged size: 0x0
virtio_mem virtio0: requested size: 0x0
EOF
same_output "$(cat "$TMP/dmesg")" "$(cat "$TMP/want")" "the driver's lines, 6.12's, in its order (the warning after the nid)"

is "$(qmp_qom_set vm0 104857600)" '{"return":{}}' "qom-set vm0 requested-size 100M: {}"
is "$(vmem_requested vm0) $(vmem_plugged vm0)" "104857600 0" "... requested-size 100M, size stays 0"
ctl dmesg | grep -c "virtio_mem virtio0: requested size: 0x6400000$" >"$TMP/n"
is "$(cat "$TMP/n")" 1 "... the driver reads the config: 'requested size: 0x6400000'"
[ ! -e "$MNT/sys/devices/system/memory/memory32" ]
tap_ok $? "... nothing added: no memory32"
ctl status | grep -qxF "vm0: the rest does not fit the device's usable region in whole memory blocks"
tap_ok $? "status says why nothing is plugged"

is "$(qmp_qom_set vm0 0)" '{"return":{}}' "qom-set vm0 requested-size 0: {}"
ctl device_add virtio-mem-pci id=vm2 size=64M requested-size=64M memaddr=0x180000000 >"$TMP/add2" 2>&1
tap_ok $? "hotmemctl device_add of a 64M vm2 with 64M requested: $(cat "$TMP/add2")"
is "$(vmem_requested vm2) $(vmem_plugged vm2)" "67108864 0" "... listed, requested-size 64M, size 0"
ctl device_del vm2 >/dev/null 2>&1
tap_ok $((!$?)) "device_del vm2 refused while requested-size is not 0, as QEMU's"
ctl qom-set vm2 requested-size 0 >/dev/null && ctl device_del vm2 >/dev/null &&
	ctl device_del vm0 >/dev/null
tap_ok $? "both removed once asked for nothing"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
