#!/bin/bash
# /sys/module/virtio_mem/parameters/unplug_online (drivers/virtio/virtio_mem.c,
# module_param(unplug_online, bool, 0644), 6.12): reads Y or N, takes
# kstrtobool's words (param_set_bool()), EINVAL for anything else, saved
# in the state file like memory_hotplug's parameters.  With it off, a
# requested-size shrink unplugs offline memory only and leaves online
# blocks plugged; the offline of one of the device's blocks then queues
# the driver's work (virtio_mem_memory_notifier_cb(): MEM_OFFLINE ->
# virtio_mem_retry()), which unplugs that block: it goes ("offline" then
# "remove" uevents, as the guest sends them), plugged-size drops, and
# that is saved (kill -9 and a restart bring it back).  With it on (the
# default) a shrink unplugs online memory as before, and an offline
# afterwards unplugs nothing.  Sub Block Mode and Big Block Mode.
. "$(dirname "$0")/lib.sh"
require_env
want_off_clock
M=$MNT/sys/devices/system/memory
P=$MNT/sys/module/virtio_mem/parameters/unplug_online
W() { python3 "$HOTMEM_SRC/tests/fusefs/sysw.py" w "$@"; }
dev() { ctl --json devices | python3 -c "import json,sys; d=[d for d in json.load(sys.stdin) if d['id']=='$1'][0]; print(d.get('$2', 'none'))"; }
CMDLINE="hotmem.kernel_alloc=off memhp_default_state=online_movable"
USOCK=$TMP/uevent.sock
# listen_start COUNT: the uevents until COUNT came (20 s at most between
# two: hotmemfs's sender is behind a loaded CPU at times), then 0.5 s more
# the uevents of what came before are delivered first (hotmemctl settle):
# under load the notifier still had a device_add's ADDs queued, which the
# new listener then counted as its own
listen_start() {
	ctl settle >/dev/null
	python3 "$HOTMEM_SRC/tests/fusefs/uevent_listen.py" unix "$USOCK" 20 "$1" >"$TMP/ue.txt" 2>"$TMP/ue.err" &
	UE=$!
	for _ in $(seq 400); do grep -q ready "$TMP/ue.err" 2>/dev/null && break; sleep 0.05; done
	grep -q ready "$TMP/ue.err" 2>/dev/null || diag "uevent listener not ready after 20 s"
}
# what the listener got; when nothing (seen once in CI under load), what
# it said and hotmemfs's count of uevents sent and dropped
listen_got() {
	wait_exit "$UE" 60
	[ -s "$TMP/ue.txt" ] || { diag < "$TMP/ue.err"; ctl status | grep '^uevents:' | diag; }
	cut -d' ' -f1-3 "$TMP/ue.txt"
}
# offline ID: from a subshell, which the listener's exit does not signal:
# a SIGCHLD to the writer during offline_pages() ends it with EINTR, as the
# kernel's "signal backoff" does for any signal (seen in CI under load)
offline() { (echo offline >"$M/memory$1/state"); }
snap() {
	lsmem --sysroot "$MNT" -o RANGE,SIZE,STATE,BLOCK,ZONES
	ctl devices
	grep -v "^0" "$MNT/proc/iomem"
	cat "$P"
}

# 1. the parameter file
start_fs --profile default --cmdline "$CMDLINE" --fresh --uevent-socket "$USOCK"
tap_ok $? "hotmemfs mounts the default machine"
is "$(cat "$P") $(stat -c '%a %U' "$P")" "Y 644 root" "unplug_online reads Y (the default), mode 0644 as module_param(..., 0644)"
is "$(W "$P" 'N\n') $(cat "$P")" "ret=2 N" "N\\n is taken: N"
is "$(W "$P" '1') $(cat "$P")" "ret=1 Y" "1: Y"
is "$(W "$P" 'off') $(cat "$P")" "ret=3 N" "off: N (kstrtobool)"
is "$(W "$P" 'on\n') $(cat "$P")" "ret=3 Y" "on: Y"
is "$(W "$P" 'false') $(cat "$P")" "ret=5 N" "false: N (its first letter)"
is "$(W "$P" 'maybe') $(W "$P" 'o') $(W "$P" ' y') $(W "$P" '\n') $(cat "$P")" "EINVAL EINVAL EINVAL EINVAL N" \
	"maybe, o, ' y', a newline: EINVAL (kstrtobool), the value kept"
is "$(W "$P" '') $(cat "$P")" "ret=0 N" "an empty write changes nothing (kernfs)"
stop_fs
start_fs --profile default --cmdline "$CMDLINE" --uevent-socket "$USOCK"
tap_ok $? "restart on the same state file"
is "$(cat "$P")" N "... unplug_online is still N"
echo Y >"$P" && kill9_fs
start_fs --profile default --cmdline "$CMDLINE" --uevent-socket "$USOCK"
is "$(cat "$P")" Y "Y written, kill -9, restart: Y"
echo N >"$P"
stop_fs
start_fs --profile default --cmdline "$CMDLINE virtio_mem.unplug_online=0" --fresh --uevent-socket "$USOCK"
is "$(cat "$P")" N "virtio_mem.unplug_online=0 on the command line: N from boot"

# 2. off: a shrink leaves online memory plugged; an offline lets the driver unplug it
ctl device_add virtio-mem-pci id=vm0 size=4G requested-size=1G memaddr=0x100000000 >/dev/null
is "$(dev vm0 plugged-size) $(cat "$M"/memory3{2..9}/state | sort -u)" "$((1 << 30)) online" \
	"vm0: 1G plugged, memory32-39 online"
out=$(ctl set-size vm0 640M)
tap_ok $? "set-size vm0 640M"
is "$out" "vm0: requested 640M, plugged 1G: the rest is online, and virtio_mem.unplug_online=0 unplugs offline memory only (offline its blocks)" \
	"... the reply says why it stopped short (it said 'the rest is busy')"
is "$(dev vm0 plugged-size) $(ls -d "$M"/memory3[2-9] | wc -l)" "$((1 << 30)) 8" \
	"... nothing unplugged: every block of vm0 is online"
! ctl dmesg | grep -q "virtio_mem virtio0: online memory is not unplugged"
tap_ok $? "... and the log says nothing of it, as 6.12's (hotmem logged 'online memory is not unplugged')"
listen_start 2
offline 35
tap_ok $? "echo offline > memory35/state"
is "$(listen_got)" "offline /devices/system/memory/memory35 memory
remove /devices/system/memory/memory35 memory" "uevents: memory35 offline, then its removal by the driver"
[ ! -e "$M/memory35" ]
tap_ok $? "memory35 is gone"
is "$(dev vm0 plugged-size)" $((896 << 20)) "plugged-size 896M: the driver unplugged it"
grep -q "^  100000000-117ffffff : System RAM (virtio_mem)$" "$MNT/proc/iomem" &&
	grep -q "^  120000000-13fffffff : System RAM (virtio_mem)$" "$MNT/proc/iomem"
tap_ok $? "proc/iomem: the hole where memory35 was"
echo 0 >"$M/memory33/online" && echo offline >"$M/memory38/state"
tap_ok $? "memory33 (online 0) and memory38 offlined"
is "$(dev vm0 plugged-size) $(ls -d "$M"/memory3[2-9] | wc -l)" "$((640 << 20)) 5" \
	"both unplugged: 640M, requested-size reached"
echo offline >"$M/memory39/state"
is "$(dev vm0 plugged-size) $(cat "$M/memory39/state")" "$((640 << 20)) offline" \
	"an offline at requested-size unplugs nothing: memory39 stays, offline"
ctl check >/dev/null
tap_ok $? "invariants hold"
before=$(snap)
kill9_fs
start_fs --profile default --cmdline "$CMDLINE virtio_mem.unplug_online=0" --uevent-socket "$USOCK"
tap_ok $? "kill -9, restart on the same state file"
is "$(snap)" "$before" "lsmem, devices, proc/iomem and the parameter as before the kill"
ctl check >/dev/null
tap_ok $? "invariants hold after the restore"
stop_fs

# 3. Big Block Mode (256M device blocks, two memory blocks each): a big
#    block goes once both its memory blocks are offline
#    (virtio_mem_bbm_unplug_request(): offline big blocks only)
start_fs --profile default --cmdline "$CMDLINE virtio_mem.unplug_online=0" --fresh --uevent-socket "$USOCK"
ctl device_add virtio-mem-pci id=vm0 size=4G requested-size=1G block-size=256M memaddr=0x100000000 >/dev/null
ctl set-size vm0 512M >/dev/null
is "$(dev vm0 mode) $(dev vm0 plugged-size)" "bbm $((1 << 30))" "BBM vm0 shrunk to 512M: 1G stays plugged, all online"
echo offline >"$M/memory34/state"
is "$(dev vm0 plugged-size) $(cat "$M/memory35/state")" "$((1 << 30)) online" \
	"memory34 offline: its big block's memory35 is online, nothing unplugged"
listen_start 3
offline 35
is "$(listen_got)" "offline /devices/system/memory/memory35 memory
remove /devices/system/memory/memory34 memory
remove /devices/system/memory/memory35 memory" "memory35 offline: the big block memory34-35 is removed"
is "$(dev vm0 plugged-size)" $((768 << 20)) "... and unplugged: 768M"
before=$(snap)
kill9_fs
start_fs --profile default --cmdline "$CMDLINE virtio_mem.unplug_online=0" --uevent-socket "$USOCK"
is "$(snap)" "$before" "kill -9, restart: the same machine"
stop_fs

# 4. on (the default): as before, a shrink unplugs online memory; an offline unplugs nothing more
start_fs --profile default --cmdline "$CMDLINE" --fresh --uevent-socket "$USOCK"
ctl device_add virtio-mem-pci id=vm0 size=4G requested-size=1G memaddr=0x100000000 >/dev/null
ctl set-size vm0 640M >/dev/null
is "$(dev vm0 plugged-size) $(ls -d "$M"/memory3[2-9] | wc -l)" "$((640 << 20)) 5" \
	"unplug_online Y: set-size 640M unplugs online blocks, 5 stay"
echo offline >"$M/memory34/state"
is "$(dev vm0 plugged-size) $(cat "$M/memory34/state")" "$((640 << 20)) offline" \
	"... and an offline of one of them unplugs nothing"
stop_fs

# 5. the work a device's notifier queued runs after a change of its own
#    block only: after a restart (whose onlines queue work too) a busy
#    shrink's device left above requested-size is not unplugged by
#    another block's online
C="hotmem.kernel_alloc=off memhp_default_state=offline"
# vm1 shrunk to 0 stops at unmovable pages (p: what stays plugged); then
# kill -9 and a restart, which takes the unmovable pages away.  The
# restart's probe runs vm1's driver at once (tests/fusefs/328): with
# unplug_online N (saved) that run unplugs none of its online memory and
# ends 0, its retry timer no longer armed; then unplug_online Y again
busy_shrink_restart() {
	local P=$MNT/sys/module/virtio_mem/parameters/unplug_online
	start_fs --profile default --cmdline "$C" --fresh --uevent-socket "$USOCK"
	ctl device_add virtio-mem-pci id=vm1 size=1G requested-size=256M memaddr=0x100000000 >/dev/null
	echo online_kernel >"$M/memory32/state" && echo online_kernel >"$M/memory33/state"
	# boot RAM is all DMA32 here: unmovable pages fill ZONE_NORMAL, vm1's memory
	ctl alloc unmovable 40000 >/dev/null
	ctl set-size vm1 0 >/dev/null
	p=$(dev vm1 plugged-size)
	echo N >"$P"
	kill9_fs
	off_clock hotmemfs-vmem start_fs --profile default --cmdline "$C" --uevent-socket "$USOCK" &&
		says_within 20 none dev vm1 retry-in-ms && echo Y >"$P"
}
busy_shrink_restart
tap_ok $? "hotmemfs restarts from its state file after kill -9"
[ "$p" -gt 0 ]
tap_ok $? "vm1 shrunk to 0 stops at unmovable pages: $((p >> 20))M plugged"
ctl device_add pc-dimm id=d0 size=128M addr=0x800000000 >/dev/null
echo online_movable >"$M/memory256/state"
tap_ok $? "kill -9, restart (the unmovable pages gone), a DIMM's memory256 onlined"
is "$(dev vm1 plugged-size)" "$p" "... vm1 is not unplugged: the online was not of its block"
stop_fs

# 6. nor by the offline of its own block: with unplug_online Y MEM_OFFLINE
#    queues nothing, and the work the restart's onlines queued is dropped
#    with the restore (the saved machine had none pending)
busy_shrink_restart
tap_ok $? "hotmemfs restarts from its state file after kill -9 (again)"
b=$(ls -d "$M"/memory3[2-9] | sed 's,.*/memory,,' | tail -1)
echo offline >"$M/memory$b/state"
tap_ok $? "kill -9, restart, offline memory$b (vm1's)"
is "$(cat "$MNT/sys/module/virtio_mem/parameters/unplug_online") $(dev vm1 plugged-size) $(cat "$M/memory$b/state")" \
	"Y $p offline" "... unplug_online Y: nothing unplugged, memory$b left offline"
done_testing
