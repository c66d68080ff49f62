#!/bin/bash
# hotmem-enter: a real systemd-udevd with a rule onlines a DIMM inside the
# entered machine; udevadm info/test/trigger --settle accept the devices;
# synthetic uevents (uevent file writes) have the kernel's wire format and
# refusals; nothing of the host's udev, /run or network namespace changes.
. "$(dirname "$0")/../fusefs/lib.sh"
UDEVD=/lib/systemd/systemd-udevd
need_enter
need_tool "$UDEVD" udev
need_tool udevadm udev

rules=$TMP/rules
mkdir -p "$rules"
echo 'SUBSYSTEM=="memory", ACTION=="add", ATTR{state}=="offline", ATTR{state}="online"' >"$rules/80-hotmem-test.rules"

# the host, before: its netns, its udev control socket, its udev database
# for memory devices, hotmem-enter's /run dir and mounts (other helpers'
# tests may come and go in /run meanwhile: only ours is looked at)
host_state() {
	readlink /proc/self/ns/net
	hostname
	stat -c '%i %Y' /run/udev/control 2>/dev/null
	ls /run/udev/data 2>/dev/null | grep -c '^+memory:'
	ls -d /run/hotmem/machine 2>/dev/null
	grep -cE ' (/run/hotmem/machine|/sys/devices/system/memory|/proc/meminfo|/etc/udev/rules.d) ' /proc/self/mounts
}
before=$(host_state)
host_unplug_online=$(cat /sys/module/virtio_mem/parameters/unplug_online 2>/dev/null)

mem=/sys/devices/system/memory
"$ENTER" --rules "$rules" --profile qemu-512m --cmdline hotmem.kernel_alloc=off -- bash -c '
	mem='$mem'
	say() { echo "$1=$2"; }
	'$UDEVD' --daemon 2>/dev/null
	udevadm control --ping; say ping $?
	say hostname "$(hostname)"
	[ -e /run/udev/control ]; say private_control $?
	udevadm monitor --kernel --property --subsystem-match=memory >/tmp/mon.$$ 2>&1 &
	# bound once it names the kernel'"'"'s events (30 s at most)
	for i in $(seq 600); do grep -q "^KERNEL - the kernel uevent" /tmp/mon.$$ && break; sleep 0.05; done
	hotmemctl device_add pc-dimm size=256M id=d1 >/dev/null; say plug $?
	udevadm settle; say settle $?
	say state32 "$(cat $mem/memory32/state)"
	say state33 "$(cat $mem/memory33/state)"
	udevadm info $mem/memory32 >/dev/null 2>&1; say info $?
	udevadm info -q property $mem/memory32 | grep -qx SUBSYSTEM=memory; say info_subsys $?
	udevadm test $mem/memory32 >/dev/null 2>&1; say test $?
	echo offline >$mem/memory33/state; say offline33 $?
	timeout 20 udevadm trigger --subsystem-match=memory --action=add --settle; say trigger $?
	say state33_after "$(cat $mem/memory33/state)"
	echo change >$mem/memory32/uevent; say synth_plain $?
	echo "add 0a1b2c3d-0000-4000-8000-000000000001 A=1 bb=x2" >$mem/memory32/uevent; say synth_args $?
	i=0
	for w in "add\n\n" "add garbage" "add " "add 0a1b2c3d-0000-4000-8000-000000000001 A"; do
		i=$((i + 1)); printf "$w" >$mem/memory32/uevent 2>/dev/null; say "refuse$i" $?
	done
	lsmem | grep -q "Total online memory: *768M"; say lsmem $?
	# the virtio_mem driver parameter is the emulation'"'"'s, not the host'"'"'s
	# (written only when hotmemfs is what is mounted there)
	vp=/sys/module/virtio_mem/parameters
	if [ -d $vp ]; then
		fst=$(findmnt -n -o FSTYPE --mountpoint $vp)
		say vmem_fstype "${fst:-none}"
		case $fst in fuse*) echo N >$vp/unplug_online; say vmem_write $?; say vmem_inside "$(cat $vp/unplug_online)";; esac
	fi
	# the synthetic add printed whole (its SEQNUM after its arguments), 30 s at most
	for i in $(seq 600); do grep -A1 "^SYNTH_ARG_bb=x2" /tmp/mon.$$ | grep -q "^SEQNUM=" && break; sleep 0.05; done
	kill %1
	# the synthetic ones, as udevadm monitor --property shows them
	awk "/^KERNEL.*change|^KERNEL.*add/ {p=1} p && /^\$/ {p=0; print \"--\"} p" /tmp/mon.$$ | grep -v ^KERNEL | sed "s/^SEQNUM=.*/SEQNUM=N/;s/^/mon:/"
	rm -f /tmp/mon.$$
' >"$TMP/out" 2>"$TMP/err"
rc=$?
is "$rc" 0 "hotmem-enter ran the command and returned its status"
val() { sed -n "s/^$1=//p" "$TMP/out" | head -1; }
is "$(val ping)" 0 "a private systemd-udevd answers on /run/udev/control"
is "$(val hostname)" hotmem-qemu-512m "the machine has a host name of its own (a UTS namespace): prompts inside are not the host's"
is "$(val plug)" 0 "hotmemctl with its default socket plugs a DIMM"
is "$(val state32)" online "the udev rule onlined memory32 (uevent over the namespace's netlink)"
is "$(val state33)" online "and memory33"
is "$(val info)" 0 "udevadm info /sys/devices/system/memory/memory32"
is "$(val info_subsys)" 0 "udevadm info shows SUBSYSTEM=memory"
is "$(val test)" 0 "udevadm test /sys/devices/system/memory/memory32"
is "$(val offline33)" 0 "memory33 offlined by hand"
is "$(val trigger)" 0 "udevadm trigger --action=add --settle returns (synthetic uevents carry SYNTH_UUID)"
is "$(val state33_after)" online "the triggered add onlined memory33 again"
is "$(val synth_plain)" 0 "echo change > uevent accepted"
is "$(val synth_args)" 0 "echo 'add UUID A=1 bb=x2' > uevent accepted"
i=0
for w in 'add\n\n' 'add garbage' 'add ' 'add 0a1b2c3d-0000-4000-8000-000000000001 A'; do
	i=$((i + 1))
	is "$(val "refuse$i")" 1 "uevent refuses '$w' (EINVAL, kobject_action_type/args)"
done
is "$(val lsmem)" 0 "lsmem without --sysroot sees 768M online"
want='mon:ACTION=change
mon:DEVPATH=/devices/system/memory/memory32
mon:SUBSYSTEM=memory
mon:SYNTH_UUID=0
mon:SEQNUM=N
mon:ACTION=add
mon:DEVPATH=/devices/system/memory/memory32
mon:SUBSYSTEM=memory
mon:SYNTH_UUID=0a1b2c3d-0000-4000-8000-000000000001
mon:SYNTH_ARG_A=1
mon:SYNTH_ARG_bb=x2
mon:SEQNUM=N'
got=$(grep '^mon:' "$TMP/out" | grep -v '^mon:--' | awk '/ACTION=change/ {p=1} p' | head -12)
is "$got" "$want" "udevadm monitor --property: synthetic uevents in the kernel's fields and order"
if [ "$T_FAIL" -gt 0 ]; then
	sed 's/^/# out: /' "$TMP/out"
	sed 's/^/# err: /' "$TMP/err" | tail -20
fi

if [ -d /sys/module/virtio_mem/parameters ]; then
	case $(val vmem_fstype) in
	fuse*) tap_ok 0 "/sys/module/virtio_mem/parameters inside is hotmemfs's ($(val vmem_fstype))" ;;
	*) tap_ok 1 "/sys/module/virtio_mem/parameters inside is hotmemfs's (found: $(val vmem_fstype))" ;;
	esac
	is "$(val vmem_write)/$(val vmem_inside)" "0/N" "echo N > unplug_online inside changes the emulation's driver"
	is "$(cat /sys/module/virtio_mem/parameters/unplug_online)" "$host_unplug_online" "and not the host's"
else
	for i in 1 2 3; do
		T_N=$((T_N + 1)); echo "ok $T_N # SKIP the host has no virtio_mem module: no parameter directory to bind over"
	done
fi
is "$(host_state)" "$before" "the host's netns, /run, udev control socket and database are untouched"
nudevd=$(pgrep -fc "^$UDEVD --daemon")
is "${nudevd:-0}" 0 "no udevd of ours outlives hotmem-enter"

setpriv --reuid=65534 --regid=65534 --clear-groups "$ENTER" -- true 2>"$TMP/nonroot"
is "$?" 125 "non-root: refused with 125"
grep -q "needs root" "$TMP/nonroot"
tap_ok $? "non-root: the message says it needs root"
done_testing
