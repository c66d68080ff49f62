#!/bin/bash
# hotmemctl dmesg of a full log ring answers all of it: the control
# socket's dmesg read the ring into 64 KiB, NUL included, so a ring of
# 64 KiB (the engine's HM_DMESG_SIZE) lost a byte -- its oldest (tidy36).
# A write of an unknown action to a block's uevent file logs a line
# (6.12 kobject_synth_uevent()): 2000 of them, about 70 bytes each, fill
# the ring; the log read is then 65536 bytes, and its newest line is the
# last one's.
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory
mount_fs "hotmemfs mounts default" --profile default --fresh
for i in $(seq 2000); do echo "bogus$i" >"$M/memory0/uevent" 2>/dev/null; done
log_len() { ctl -j dmesg "$@" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["log"].encode()))'; }
is "$(log_len)" 65536 "a full ring: hotmemctl dmesg answers its 64 KiB whole"
ctl dmesg | tail -n 1 | grep -q 'memory0: unknown uevent action string'
tap_ok $? "... its newest line the last write's"
done_testing
