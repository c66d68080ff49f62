#!/bin/bash
# A restore leaves a virtio-mem device whose saved requested-size is the
# profile's as it is: no config change (6.12's virtio_mem_config_changed()
# comes from the host's config interrupt alone), so the driver's next run
# -- a retry, not a config change -- says no "plugged size"/"requested
# size" pair (virtio_mem_run_wq() refreshes the config only with
# config_changed set).  vm0 (2G, requested 2G) boots short of its size:
# its memory boots offline and the driver stops at offline_threshold
# (1 GiB offline, -ENOSPC); onlining half of that retries (the MEM_ONLINE
# notifier's virtio_mem_retry() once offline_size + offline_threshold / 2
# fits the threshold), which plugs to the threshold again: 4 blocks more.
. "$(dirname "$0")/lib.sh"
require_env

cat >"$TMP/vmem.profile" <<'EOF2'
profile = qemu-512m
virtio_mem = id=vm0 memaddr=0x100000000 size=2G requested-size=2G node=0
EOF2
OPTS=(--profile "$TMP/vmem.profile" --cmdline "hotmem.kernel_alloc=off")
M=$MNT/sys/devices/system/memory

mount_fs "qemu-512m with vm0 (2G, requested-size 2G) mounts" "${OPTS[@]}" --fresh
is "$(vmem_sizes)" "plugged 0x0 requested 0x80000000 " "boot: vm0 says its sizes once"

kill9_fs
mount_fs "kill -9, restart on the state file" "${OPTS[@]}"
is "$(vmem_sizes)" "plugged 0x0 requested 0x80000000 " "restore: vm0 says its sizes once, at the probe"
is "$(ctl qom-get vm0 size 2>&1)" 1073741824 "restore: vm0's size (plugged) 1G, as before"
for b in 32 33 34 35; do echo online_movable >"$M/memory$b/state" || break; done
tap_ok $? "memory32-35 (vm0's) online: the driver's retry at the fourth"
is "$(vmem_sizes)" "plugged 0x0 requested 0x80000000 " "the retry says no sizes: the restore changed no config"
is "$(ctl qom-get vm0 size 2>&1)" 1610612736 "the retry plugged to the offline threshold again (1G + 512M)"
done_testing
