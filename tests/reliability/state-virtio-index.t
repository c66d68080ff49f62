#!/bin/bash
# A restart keeps each virtio-mem device's index (virtioN in /proc/iomem
# and the log), as the kernel's virtio_index_ida keeps it while the
# device lives: abuse25b C3.  Three devices virtio0-2, the middle one
# removed: the restore probed the saved ones anew, each with the lowest
# free index, and vc came back as virtio1.  A state file from before the
# index was saved restores as before (the lowest free).
. "$(dirname "$0")/lib.sh"
require_env
iomem_virtio() { grep virtio "$MNT/proc/iomem"; }

start_state_fs 128M
for id in va vb vc; do
	ctl device_add virtio-mem-pci id=$id size=256M requested-size=128M >/dev/null || break
done
tap_ok $? "three virtio-mem devices va, vb, vc"
ctl set-size vb 0 >/dev/null && vmem_plugged_wait vb 0 && ctl device_del vb >/dev/null
tap_ok $? "vb unplugged and removed"
before=$(iomem_virtio)
[[ "$before" == *": virtio2"* && "$before" != *": virtio1"* ]]
tap_ok $? "/proc/iomem: va virtio0, vc virtio2"

kill9_fs
start_fs_netns "${STATE_OPTS[@]}"
tap_ok $? "restart on the state file after kill -9"
same_text "$(iomem_virtio)" "$before" "... /proc/iomem names the devices as before"
ctl dmesg | grep -q "virtio_mem virtio2: start address"
tap_ok $? "... the log's probe of vc says virtio2"

# a file from before "virtio-index" (written whole at the clean stop)
stop_fs
state_machine_edit 'for d in m["devices"]: d.pop("virtio-index", None)'
start_fs_netns "${STATE_OPTS[@]}"
tap_ok $? "a state file from before \"virtio-index\" restores"
[[ "$(iomem_virtio)" == *": virtio1"* && "$(iomem_virtio)" != *": virtio2"* ]]
tap_ok $? "... its devices numbered as a reboot numbers them (virtio0, virtio1)"
stop_fs
python3 -c 'import json,sys; sys.exit(not all("virtio-index" in d for d in json.load(open(sys.argv[1]))["machine"]["devices"] if d["driver"] == "virtio-mem-pci"))' "$STATE"
tap_ok $? "... and its next save has them"
done_testing
