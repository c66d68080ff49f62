#!/bin/bash
# hotmemctl export DIR where hotmemfs's mount is not what the mountpoint
# shows (abuse24 A2): hotmemctl in another mount namespace than the mount's
# (hotmem-enter's, a service's PrivateMounts=) reaches the control socket
# but sees a plain directory at the mountpoint; it said "exported ... 0
# files", exit 0, and made nothing.  Now: exit 1, saying why and where to
# run it, and DIR left as it was -- also when a memory tree that is not
# hotmemfs's (an older export) sits at the mountpoint.
. "$(dirname "$0")/lib.sh"
require_env
need_tool unshare util-linux
unshare -m true 2>/dev/null || skip_all "cannot unshare a mount namespace"

# elsewhere SETUP DIR: hotmemctl export DIR in a mount namespace of its own
# where the shell command SETUP ($1: the mountpoint) ran first; its stdout
# and stderr, then its exit status on the last line
elsewhere() {
	unshare -m --propagation private sh -c "$1"' && "$2" -s "$3" export "$4" 2>&1; echo "$?"' \
		sh "$MNT" "$HMCTL" "$CTL" "$2"
}

mount_fs "hotmemfs mounts (qemu-512m)" --fresh --profile qemu-512m
ctl export "$TMP/old" >/dev/null
tap_ok $? "export from the mount's own namespace (kept to stand at the mountpoint below)"

out=$(elsewhere 'umount -l "$1"' "$TMP/e1")
is "${out##*$'\n'}" 1 "the mountpoint unmounted where hotmemctl runs: exit 1"
is_like "${out%$'\n'*}" "hotmemctl: export: $MNT is not hotmemfs's mount in this mount namespace (no sys/devices/system/memory there): *run hotmemctl export there (e.g. inside hotmem-enter); nothing exported" \
	"... saying why and where to run it"
[ ! -e "$TMP/e1" ]
tap_ok $? "... DIR not made"

out=$(elsewhere "mount --bind '$TMP/old' \"\$1\"" "$TMP/e2")
is "${out##*$'\n'}" 1 "an old export's memory tree at the mountpoint (not FUSE): exit 1"
is_like "${out%$'\n'*}" "hotmemctl: export: $MNT is not hotmemfs's mount in this mount namespace (its sys/devices/system/memory is not on FUSE): *" \
	"... saying why"
[ ! -e "$TMP/e2" ]
tap_ok $? "... DIR not made"

out=$(elsewhere 'true' "$TMP/e3")
is "${out##*$'\n'}" 0 "the mount seen (a namespace that has it): exported"
[ -f "$TMP/e3/sys/devices/system/memory/block_size_bytes" ]
tap_ok $? "... the memory tree copied"
done_testing
