#!/bin/bash
# reread29 R7: hotmemfs's log line of a virtio-mem device_del refused for
# plugged memory (dev.c vmem_del_say()) is written once an episode, not
# once the device's life: a client retrying device_del adds no line, but
# once requested-size changed (the memory asked away or back: vmem_set()
# clears the device's del_refused_said) the next refusal is a new
# episode and says so, with the sizes it has then.  The engine's "device
# still has system memory added" is cleared the same way
# (engine/virtio_mem.c hotmem_virtio_mem_update_config(),
# tests/engine/test_virtio_mem.c test_remove_refused_said_once_an_episode).
# Without the clearing checks 6-8 fail (checked: one line only).
. "$(dirname "$0")/lib.sh"
require_env
refused() { grep -c "hotmemfs: vm0: device_del refused: plugged-size" "$TMP/hotmemfs.log"; }

mount_fs "hotmemfs mounts, no state file" --fresh --state none
ctl device_add virtio-mem-pci id=vm0 size=1G requested-size=256M >/dev/null
tap_ok $? "a virtio-mem vm0, 256M plugged"
for _ in 1 2; do ctl device_del vm0 >/dev/null 2>&1; done
is "$(refused)" 1 "device_del vm0 refused twice (256M plugged): one line in hotmemfs's log"
ctl set-size vm0 512M >/dev/null
tap_ok $? "set-size vm0 512M: requested-size changed, a new episode"
ctl device_del vm0 >/dev/null 2>&1
tap_ok $((!$?)) "device_del vm0 refused again (512M plugged)"
is "$(refused)" 2 "... and said again, once"
grep -q "hotmemfs: vm0: device_del refused: plugged-size 0x20000000, requested-size 0x20000000:" \
	"$TMP/hotmemfs.log"
tap_ok $? "... with the sizes it has now"
ctl device_del vm0 >/dev/null 2>&1
is "$(refused)" 2 "a retry in the same episode adds no line"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
