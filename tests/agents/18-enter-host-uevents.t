#!/bin/bash
# The host's own uevents stay out of the entered machine (usereye7 #12):
# the kernel sends an uevent of a device without a network namespace (a
# FUSE mount's bdi, the host's memory blocks) to every network namespace
# owned by the initial user namespace, and the machine's is owned by one
# of its own.  The host event here is the bdi "add" of a FUSE mount made
# on the host (a hotmemfs, --netns none, private state file): nothing of
# the host's sysfs is written.  The machine's own synthetic change, sent
# after it, marks the end: netlink delivers in order, so once the marker
# is in the monitor's output a host event that got in would be before it.
# Where no user namespace can be made (a chrooted hotmem-enter: the kernel
# refuses it one, create_user_ns()) hotmem-enter says so and the host's
# event arrives, as it did before the fix.
. "$(dirname "$0")/../fusefs/lib.sh"
need_enter
need_tool udevadm udev
need_tool unshare util-linux
need_tool mountpoint util-linux

# watch ENTER-PREFIX...: hotmem-enter with `udevadm monitor --kernel`
# inside, the host's FUSE mount made once it listens, then the marker;
# the monitor's lines in $TMP/mon, hotmem-enter's stderr in $TMP/err,
# the host mount's bdi in $bdi
watch() {
	rm -f "$TMP/ready" "$TMP/host-done" "$TMP/mon"
	"$@" --profile qemu-512m -- bash -c '
		udevadm monitor --kernel >'"$TMP/mon"' 2>&1 &
		for i in $(seq 600); do grep -q "^KERNEL - the kernel uevent" '"$TMP/mon"' && break; sleep 0.05; done
		readlink /proc/self/ns/user >'"$TMP/userns"'
		command -v hotmemctl >'"$TMP/ctlpath"'
		touch '"$TMP/ready"'
		for i in $(seq 1200); do [ -e '"$TMP/host-done"' ] && break; sleep 0.05; done
		echo change >/sys/devices/system/memory/memory1/uevent
		for i in $(seq 600); do grep -q "change *.*/devices/system/memory/memory1 (memory)" '"$TMP/mon"' && break; sleep 0.05; done
		kill %1' >"$TMP/out" 2>"$TMP/err" &
	local enter=$!
	timeout 60 sh -c "until [ -e '$TMP/ready' ]; do sleep 0.05; done"
	tap_ok $? "$name: the monitor inside listens"
	start_fs --netns none
	tap_ok $? "$name: a FUSE mount on the host (its bdi's add uevent, untagged)"
	bdi=$(mountpoint -d "$MNT")
	stop_fs
	touch "$TMP/host-done"
	wait_exit "$enter" 120
	is "$?" 0 "$name: hotmem-enter ran the monitor"
	grep -q "change *.*/devices/system/memory/memory1 (memory)" "$TMP/mon"
	tap_ok $? "$name: the machine's own uevent arrives (hotmemfs injects into the namespace)" ||
		sed 's/^/# err: /' "$TMP/err"
	is "$(cat "$TMP/ctlpath")" "$(realpath "$HMCTL")" "$name: hotmemctl from hotmem-enter's directory first in PATH"
}

name="own user namespace"
watch "$ENTER"
is "$(cat "$TMP/userns")" "$(readlink /proc/self/ns/user)" \
	"$name: the command stays in the initial user namespace (its capabilities the host root's)"
grep -q "/devices/virtual/bdi/$bdi " "$TMP/mon"
tap_ok $((!$?)) "$name: the host's bdi $bdi uevent does not reach the machine" ||
	sed 's/^/# mon: /' "$TMP/mon"
grep -q "warning" "$TMP/err"
tap_ok $((!$?)) "$name: no warning" || sed 's/^/# err: /' "$TMP/err"

# the same from a chroot (a bind of / in a mount namespace of its own),
# hotmemfs found beside hotmem-enter there too (/proc/self/exe read in a
# mount namespace of hotmem-enter's own named the path outside the chroot)
name="chrooted, no user namespace"
root=$TMP/root
mkdir -p "$root"
watch unshare -m --propagation private sh -c 'mount --rbind / "$0" && exec chroot "$0" "$@"' "$root" "$ENTER"
grep -q "/devices/virtual/bdi/$bdi " "$TMP/mon"
tap_ok $? "$name: the host's bdi $bdi uevent arrives (the check above can see one)" ||
	sed 's/^/# mon: /' "$TMP/mon"
grep -q "warning: no user namespace of its own for the machine's network namespace (unshare(CLONE_NEWUSER): Operation not permitted" "$TMP/err"
tap_ok $? "$name: hotmem-enter says it has no user namespace for the network namespace" ||
	sed 's/^/# err: /' "$TMP/err"
grep -q "warning: the host's own uevents arrive inside too, its memory blocks' (memoryN, named as the machine's) among them" "$TMP/err"
tap_ok $? "$name: ... and that the host's uevents arrive inside"
done_testing
