#!/bin/bash
# A network namespace hotmemfs creates (--netns NAME not existing) is
# owned by a user namespace of its own, so the host's untagged uevents
# stay out of it (usereye7 #12, as hotmem-enter's): the kernel sends an
# uevent of a device without a network namespace (a FUSE mount's bdi, the
# host's memory blocks, named memoryN as the emulated ones) to every
# network namespace owned by the initial user namespace
# (lib/kobject_uevent.c 6.12+).  The host event here is the bdi "add" of a
# second hotmemfs mounted on the host (--netns none, --state none): nothing
# of the host's sysfs is written.  hotmemfs's own uevent, sent after it,
# marks the end: netlink delivers in order.  A namespace the user made
# (`ip netns add`) stays as it is, noted; where no user namespace can be
# made (a chrooted hotmemfs) the namespace is made as before, with a warning.
. "$(dirname "$0")/lib.sh"
require_env
need_tool ip iproute2
need_tool mountpoint util-linux
need_tool unshare util-linux
NS=hotmemfs-ow$$
trap 'in_test_shell && { for n in "$NS" "$NS-user" "$NS-chroot"; do ip netns del "$n" 2>/dev/null; done; cleanup; }' EXIT
L="python3 $HOTMEM_SRC/tests/fusefs/uevent_listen.py"
wait_ready() { for _ in $(seq 1200); do grep -q ready "$1" 2>/dev/null && return 0; sleep 0.05; done; return 1; }

# the user namespace owning network namespace file $1, and ours: "same" or "other"
owner_of() {
	python3 -c '
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
u = fcntl.ioctl(fd, 0xb701)  # NS_GET_USERNS
a, b = os.fstat(u), os.stat("/proc/self/ns/user")
print("same" if (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino) else "other")' "$1"
}

mount_fs "hotmemfs --netns $NS (not existing) mounts" --fresh --netns "$NS"
grep -q "on: private network namespace $NS (created)" "$TMP/hotmemfs.log"
tap_ok $? "... creates it"
is "$(owner_of "/run/netns/$NS")" other "... owned by a user namespace of its own (/run/netns/$NS refers to it)"
is "$(readlink "/proc/$FS_PID/ns/user")" "$(readlink /proc/self/ns/user)" \
	"hotmemfs stays in the initial user namespace"
grep -q "warning\|note:" "$TMP/hotmemfs.log"
tap_ok $((!$?)) "... with no warning nor note" || sed 's/^/# log: /' "$TMP/hotmemfs.log"

ip netns exec "$NS" $L netlink 120 >"$TMP/nl.txt" 2>"$TMP/nl.err" &
nl=$!
wait_ready "$TMP/nl.err"
tap_ok $? "a netlink listener in $NS"
# the host's uevent: a FUSE mount's bdi add, sent before mount(2) returns
HOST=$TMP/host
mkdir -p "$HOST"
"$HMFS" --control "$TMP/host.sock" --state none --netns none "$HOST" 2>"$TMP/host.log" &
host=$!
for _ in $(seq 1200); do mountpoint -q "$HOST" && break; sleep 0.05; done
bdi=$(mountpoint -d "$HOST")
tap_ok $? "a FUSE mount on the host (bdi $bdi)"
umount "$HOST"
wait_exit "$host" 30
# hotmemfs's own uevent, after it
echo change >"$MNT/sys/devices/system/memory/memory1/uevent"
ctl settle --timeout 60
kill -USR1 $nl
wait_exit $nl 30
grep -q "^change /devices/system/memory/memory1 memory sender=0" "$TMP/nl.txt"
tap_ok $? "hotmemfs's own uevent reaches the listener in $NS" || sed 's/^/# nl: /' "$TMP/nl.txt"
grep -q " /devices/virtual/bdi/$bdi " "$TMP/nl.txt"
tap_ok $((!$?)) "the host's bdi $bdi add does not reach it" || sed 's/^/# nl: /' "$TMP/nl.txt"
stop_fs
ip netns del "$NS"

# a namespace the user made stays as it is: its owner said
ip netns add "$NS-user"
tap_ok $? "ip netns add $NS-user"
: >"$TMP/hotmemfs.log"
mount_fs "hotmemfs --netns $NS-user (existing) mounts" --fresh --netns "$NS-user"
grep -q "on: private network namespace $NS-user\$" "$TMP/hotmemfs.log"
tap_ok $? "... uses it"
is "$(owner_of "/run/netns/$NS-user")" same "... still owned by the initial user namespace"
grep -q "note: --netns $NS-user is owned by the initial user namespace: the host's own uevents, its memory blocks' (memoryN, named as the emulated ones) among them, reach its listeners too" "$TMP/hotmemfs.log"
tap_ok $? "... and says the host's uevents reach it" || sed 's/^/# log: /' "$TMP/hotmemfs.log"
stop_fs
ip netns del "$NS-user"

# no user namespace (a chroot: create_user_ns() refuses one): made as
# before, said; in a private mount namespace, so the entry goes with it
root=$TMP/root
mkdir -p "$root"
: >"$TMP/hotmemfs.log"
unshare -m --propagation private sh -c 'mount --rbind / "$0" && exec chroot "$0" "$@"' "$root" \
	"$HMFS" --control "$CTL" --state none --netns "$NS-chroot" "$MNT" 2>>"$TMP/hotmemfs.log" &
FS_PID=$!
log_says "private network namespace $NS-chroot|--netns" 60
grep -q "on: private network namespace $NS-chroot (created)" "$TMP/hotmemfs.log"
tap_ok $? "a chrooted hotmemfs --netns $NS-chroot still creates it" || sed 's/^/# log: /' "$TMP/hotmemfs.log"
grep -q "warning: no user namespace of its own for the network namespace /run/netns/$NS-chroot (unshare(CLONE_NEWUSER): Operation not permitted" "$TMP/hotmemfs.log"
tap_ok $? "... says it has no user namespace for it"
grep -q "warning: the host's own uevents arrive in it too, its memory blocks' (memoryN, named as the emulated ones) among them" "$TMP/hotmemfs.log"
tap_ok $? "... and that the host's uevents arrive in it"
kill "$FS_PID"
wait_exit "$FS_PID" 30 2>/dev/null
FS_PID=
done_testing
