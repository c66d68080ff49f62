#!/bin/bash
# The guest virtio-mem driver's retry timer (6.12 virtio_mem_run_wq():
# -EBUSY/-ENOMEM/-ETXTBSY start vm->retry_timer, 50 s doubling up to
# 5 min, a pass that ends well resets it; usereye3 #33): a shrink stopped
# short by pinned pages goes on once they are freed, without another
# set-size.  Tests cannot wait 50 s: `hotmemctl vmem-retry` fires it now.
# A block fully unplugged but not removed keeps it armed (device_del waits
# for its removal); a device restored after kill -9 has its timer armed
# if it had one (the state file's retry-armed).
. "$(dirname "$0")/lib.sh"
require_env
want_off_clock
M=$MNT/sys/devices/system/memory
dev() { ctl --json devices | python3 -c "import json,sys; d=[d for d in json.load(sys.stdin) if d['id']=='$1'][0]; print(d.get('$2', 'none'))"; }
# a shrink of vm0 to 0 that pinned pages in its memory stop (usereye3 #33's recipe)
busy_shrink() {
	ctl device_add virtio-mem-pci id=vm0 size=1G requested-size=512M >/dev/null
	for b in 32 33 34 35; do echo online_movable >"$M/memory$b/state"; done
	ctl alloc pinned 100 >/dev/null
	ctl set-size vm0 0 >/dev/null 2>&1
}

mount_fs "qemu-512m mounts" --profile qemu-512m --cmdline "hotmem.kernel_alloc=off" --fresh
busy_shrink
p=$(dev vm0 plugged-size)
[ "$p" -gt 0 ] 2>/dev/null
tap_ok $? "pinned pages stop the shrink: plugged $p above requested 0"
ms=$(dev vm0 retry-in-ms)
[ "$ms" != none ] && [ "$ms" -gt 0 ] && [ "$ms" -le 50000 ]
tap_ok $? "the driver's retry timer is armed for 50 s (retry-in-ms $ms)"
ctl status | grep -Eq '^vm0: the guest driver retries in ([1-9]|[1-4][0-9]|50) s \(`hotmemctl vmem-retry vm0`: now\)$'
tap_ok $? "status says when the driver retries"
is "$(ctl vmem-retry vm0)" "the retry timer fired" "vmem-retry vm0 fires it"
ms=$(dev vm0 retry-in-ms)
[ "$ms" != none ] && [ "$ms" -gt 50000 ] && [ "$ms" -le 100000 ]
tap_ok $? "still busy: armed again, its period doubled to 100 s (retry-in-ms $ms)"
is "$(dev vm0 plugged-size)" "$p" "... nothing more unplugged while the pages stay pinned"
for want in 200000 300000 300000; do
	ctl vmem-retry >/dev/null
	ms=$(dev vm0 retry-in-ms)
	[ "$ms" != none ] && [ "$ms" -gt $((want == 200000 ? 100000 : 200000)) ] && [ "$ms" -le "$want" ]
	tap_ok $? "fired again (every armed one): $((want / 1000)) s, up to 5 min (retry-in-ms $ms)"
done
ctl free-all >/dev/null
is "$(ctl vmem-retry vm0)" "the retry timer fired" "free-all, then the timer fires"
is "$(dev vm0 plugged-size)" 0 "the device reached its requested-size 0 without another set-size"
is "$(dev vm0 retry-in-ms)" none "... and its timer is no longer armed"
is "$(ctl vmem-retry vm0)" "no retry timer armed" "vmem-retry with none armed says so"
ctl vmem-retry nosuch >/dev/null 2>"$TMP/err"
tap_ok $((! $?)) "vmem-retry of no device is refused: $(cat "$TMP/err")"
ctl check >/dev/null
tap_ok $? "invariants hold"

# the run that ended well reset the period (6.12 virtio_mem_run_wq() case 0):
# busy again, the timer starts at 50 s, not at the 5 min it had doubled to
ctl set-size vm0 512M >/dev/null
for b in 32 33 34 35; do echo online_movable >"$M/memory$b/state"; done
ctl alloc pinned 100 >/dev/null
ctl set-size vm0 0 >/dev/null 2>&1
ms=$(dev vm0 retry-in-ms)
[ "$ms" != none ] && [ "$ms" -gt 0 ] && [ "$ms" -le 50000 ]
tap_ok $? "busy again after a run that ended well: armed for 50 s again (retry-in-ms $ms)"
ctl free-all >/dev/null
ctl set-size vm0 0 >/dev/null

# the timer's run is journaled: its unplug survives kill -9
ctl device_del vm0 >/dev/null
busy_shrink
ctl free-all >/dev/null
ctl vmem-retry >/dev/null
kill9_fs
mount_fs "kill -9 after a timer's run, restart" --profile qemu-512m --cmdline "hotmem.kernel_alloc=off"
is "$(dev vm0 plugged-size)" 0 "the timer's unplug was journaled: plugged 0 after the restart"
is "$(dev vm0 retry-in-ms)" none "... no timer armed for a device at its requested-size"

# a fully unplugged block whose offline fails (an injected MEM_GOING_OFFLINE
# error) ends the run -EBUSY at plugged-size 0: the timer armed (6.12 "Keep
# retrying to offline and remove completely unplugged Linux memory blocks",
# review14 R2).  device_del is refused while the device's memory is added,
# so a device goes only after a run that ended well: no armed timer is left
# for device_del to cancel (review14 R3).
ctl set-size vm0 512M >/dev/null
for b in 32 33 34 35; do echo online_movable >"$M/memory$b/state"; done
ctl inject MEM_GOING_OFFLINE -16 >/dev/null
ctl set-size vm0 0 >/dev/null 2>&1
is "$(dev vm0 plugged-size) $(dev vm0 retry-errno)" "0 EBUSY" \
	"all unplugged, memory32-35 not removable: plugged 0, the run ended EBUSY"
[ "$(dev vm0 retry-in-ms)" != none ]
tap_ok $? "... its retry timer armed (retry-in-ms $(dev vm0 retry-in-ms))"
ctl device_del vm0 >/dev/null 2>&1
tap_ok $((! $?)) "device_del refused while the driver has memory of it added"
ctl inject MEM_GOING_OFFLINE 0 >/dev/null
is "$(ctl vmem-retry vm0)" "the retry timer fired" "the injection off, the timer fires"
[ ! -e "$M/memory32" ] && [ "$(dev vm0 retry-in-ms)" = none ]
tap_ok $? "... its run removed memory32-35 and ended well: no timer armed"
ctl device_del vm0 >/dev/null
tap_ok $? "device_del: the device goes"
is "$(ctl vmem-retry)" "no retry timer armed" "... no timer armed"

# a device restored short of its requested-size is worked on at once: the
# restart probes the driver again, and virtio_mem_probe() queues its work
# (tests/fusefs/328), not its timer
busy_shrink
ctl save >/dev/null
kill9_fs
off_clock hotmemfs-vmem mount_fs "kill -9 with vm0 above its requested-size, its timer armed, restart (its timers' thread off the clock)" \
	--profile qemu-512m --cmdline "hotmem.kernel_alloc=off"
says_within 20 0 dev vm0 plugged-size
tap_ok $? "the probe's work reaches its requested-size: the pinned pages went with the crash"
is "$(dev vm0 retry-in-ms)" none "... and its timer is no longer armed (the run ended well)"

# a device left short by a run that ended 0 (unplug_online=N: online memory
# stays plugged) has no timer in 6.12, nor after kill -9 (review14 R4)
P=$MNT/sys/module/virtio_mem/parameters/unplug_online
ctl set-size vm0 512M >/dev/null
for b in 32 33 34 35; do echo online_movable >"$M/memory$b/state"; done
echo N >"$P"
ctl set-size vm0 0 >/dev/null 2>&1
p=$(dev vm0 plugged-size)
[ "$p" -gt 0 ] 2>/dev/null && [ "$(dev vm0 retry-in-ms)" = none ]
tap_ok $? "unplug_online=N: online memory stays plugged ($p), no timer (the run ended 0)"
kill9_fs
mount_fs "kill -9 with vm0 short and no timer, restart" --profile qemu-512m --cmdline "hotmem.kernel_alloc=off"
is "$(dev vm0 plugged-size) $(dev vm0 retry-in-ms)" "$p none" "... restored as it was: short, its timer not armed"
# a state file from before retry-armed was saved: armed if short, as
# then, until the probe's run (which ends 0 here: no timer after it)
stop_fs
state_devices_edit 'd.pop("retry-armed", None)'
off_clock hotmemfs-vmem mount_fs "a state file without retry-armed (its timers' thread off the clock)" \
	--profile qemu-512m --cmdline "hotmem.kernel_alloc=off"
says_within 20 "$p none" eval 'echo "$(dev vm0 plugged-size) $(dev vm0 retry-in-ms)"'
tap_ok $? "... a file from before retry-armed: the probe's run ends 0, short as before, no timer"
echo Y >"$P"
stop_fs
done_testing
