#!/bin/bash
# An undo puts the machine back as saved: the work its onlines made the
# virtio-mem driver's notifier queue (MEM_ONLINE below half the
# offline_threshold: virtio_mem_retry()) is dropped with it
# (hmfs_dev_forget_work()), for the saved machine had none pending.  Left
# set, the next offline of the device's block would run a busy shrink's
# unplug with virtio_mem.unplug_online on, where MEM_OFFLINE queues
# nothing (52-virtio-mem-unplug-online.t has the same after a restart).
. "$(dirname "$0")/lib.sh"
require_sync_fail
P=$MNT/sys/module/virtio_mem/parameters/unplug_online
dev() { ctl --json devices | python3 -c "import json,sys; d=[d for d in json.load(sys.stdin) if d['id']=='$1'][0]; print(d['$2'])"; }

LD_PRELOAD=$SHIM start_fs_netns --profile default --cmdline "hotmem.kernel_alloc=off memhp_default_state=offline" --fresh
tap_ok $? "hotmemfs mounts the default profile"
ctl device_add virtio-mem-pci id=vm1 size=1G requested-size=256M memaddr=0x100000000 >/dev/null
echo online_kernel >"$M/memory32/state" && echo online_kernel >"$M/memory33/state"
tap_ok $? "virtio-mem vm1, 256M: memory32-33 online in Normal"
# boot RAM is all DMA32 here: unmovable pages fill ZONE_NORMAL, vm1's memory
ctl alloc unmovable 40000 >/dev/null
ctl set-size vm1 0 >/dev/null
# The stopped shrink armed the driver's retry timer (50 s: 6.12
# virtio_mem_run_wq()), which on its own retries the shrink once the pages
# are freed and unplugs the offline block: under load (a 68 s run) it
# fired between check 8's two reads, memory33 gone.  Fired now, while the
# pages still hold, it is armed again for 100, 200 and then 300 s.
for _ in 1 2 3; do ctl vmem-retry vm1 >/dev/null; done
p=$(dev vm1 plugged-size)
[ "$p" -gt 0 ] && [ "$(dev vm1 retry-in-ms)" -gt 200000 ]
tap_ok $? "set-size vm1 0 stops at unmovable pages: $((p >> 20))M plugged, the retry timer pushed to 300 s"
ctl free-all >/dev/null
tap_ok $? "the unmovable pages freed: vm1's blocks can go offline"
b=$(ls -d "$M"/memory3[23] | sed 's,.*/memory,,' | tail -1)
: >"$TMP/fail"
echo offline >"$M/memory$b/state" 2>/dev/null
tap_ok $((! $?)) "memory$b's offline is refused, its fdatasync() failing: undone, memory$b online again"
rm "$TMP/fail"
is "$(cat "$M/memory$b/state") $(dev vm1 plugged-size)" "online $p" "... vm1 as before"
echo offline >"$M/memory$b/state"
tap_ok $? "the same offline is taken now"
is "$(cat "$P") $(dev vm1 plugged-size) $(cat "$M/memory$b/state")" "Y $p offline" \
	"... unplug_online Y: nothing unplugged, memory$b left offline (the undo's onlines queued no work that stays)"
ctl check >/dev/null
tap_ok $? "invariants hold"
done_testing
