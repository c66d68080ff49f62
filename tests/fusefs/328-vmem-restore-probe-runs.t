#!/bin/bash
# A restart of hotmemfs probes the guest's virtio-mem driver again, and
# 6.12's virtio_mem_probe() ends with queue_work() of its vm->wq: the
# driver's work (virtio_mem_run_wq()) runs at once toward the device's
# requested-size.  A device restored below it -- its plugs refused BUSY
# before the kill -9, the retry timer armed -- waited for that timer's
# 50 s (or hotmemctl vmem-retry).  Now its plugged-size reaches the
# requested-size right after the restart, as a journaled change of its
# own.  The restarted hotmemfs's timers' thread is off the clock
# (thread_clock.so, HOTMEM_TEST_OFF_CLOCK=hotmemfs-vmem): its timer can
# never fire in the test, so the probe's run is the only way to 256M,
# however slow the machine (reread26 R3: it told the two apart by a 20 s
# deadline against the timer's 50 s).  Without 1260e1ba's probe run checks
# 7, 8 and 10 fail (checked: its work queued by the timer alone, which the
# test waited 70 s for in vain).
. "$(dirname "$0")/lib.sh"
require_env
need_tool python3 python3
want_off_clock
OPTS=(--profile qemu-512m --cmdline "hotmem.kernel_alloc=off")
retry_in() { ctl --json devices | python3 -c "import json,sys; d=[d for d in json.load(sys.stdin) if d['id']=='vm0'][0]; print(d.get('retry-in-ms', 'none'))"; }

mount_fs "qemu-512m mounts with a state file" "${OPTS[@]}" --fresh
ctl device_add virtio-mem-pci id=vm0 size=1G requested-size=0 >/dev/null
tap_ok $? "virtio-mem vm0, nothing plugged"
ctl vmem-inject vm0 plug BUSY >/dev/null && ctl set-size vm0 256M >/dev/null
tap_ok $? "its plug answered BUSY, set-size vm0 256M"
is "$(vmem_plugged vm0)" 0 "... plugged-size 0"
[ "$(retry_in)" != none ]
tap_ok $? "... the driver's retry timer armed ($(retry_in) ms)"

kill9_fs
off_clock hotmemfs-vmem mount_fs "kill -9, restart from the state file (its timers' thread off the clock)" \
	"${OPTS[@]}"
says_within 20 268435456 vmem_plugged vm0
tap_ok $? "vm0's plugged-size reaches its requested 256M after the restart: the probe's work, never the timer's"
is "$(retry_in)" none "... and its retry timer is no longer armed"

kill9_fs
mount_fs "kill -9, restart again" "${OPTS[@]}"
is "$(vmem_plugged vm0)" 268435456 "the probe's plugging was journaled: 256M at once"
stop_fs
done_testing
