#!/bin/bash
# hotmemd on the uevent netlink socket (group 1) of a private network
# namespace, as hotmemfs injects them; never the host's namespace.
. "$(dirname "$0")/lib.sh"
need_hotmemd
need_built "$UEVENT_SEND"
[ "$(id -u)" = 0 ] || skip_all "needs root for a private network namespace (unshare -n)"
unshare -n true 2>/dev/null || skip_all "unshare -n not permitted here"

root=$TMP/root
mk_sysroot "$root"
mk_blocks "$root" 0 15 online Normal		# 2 GiB boot memory
zone_add "$root" 0 Normal 524288
: >"$TMP/log"
: >"$TMP/log2"

# Everything below runs in one fresh network namespace.
cat >"$TMP/inner.sh" <<INNER
set -u
. "$HOTMEM_SRC/tests/daemon/lib.sh"
root=$root
"$HOTMEMD" --config /dev/null --sysroot "\$root" --state-dir "$TMP/state" \
	--log-level debug 2>"$TMP/log" &
pid=\$!
wait_for 5 grep -q "ready: sysroot" "$TMP/log" || echo "NOT READY"
mk_blocks "\$root" 16 47 offline "Normal Movable"	# plugged after coldplug
"$UEVENT_SEND" --netlink add 16-47 || echo "SEND FAILED"
all() { local i; for ((i = 16; i <= 47; i++)); do [[ "\$(state "\$root" \$i)" == online_* ]] || return 1; done; }
wait_for 5 all || echo "NOT ALL ONLINE"
# a userspace sender is refused when uevent_source = kernel
kill \$pid; wait_exit \$pid 10
mk_block "\$root" 48 offline "Normal Movable"
"$HOTMEMD" --config /dev/null --sysroot "\$root" --state-dir "$TMP/state" \
	--uevent-source kernel --log-level debug 2>"$TMP/log2" &
pid=\$!
wait_for 5 grep -q "ready: sysroot" "$TMP/log2"
mk_block "\$root" 49 offline "Normal Movable"
"$UEVENT_SEND" --netlink add 49
# read by hotmemd once no uevent socket of this namespace (protocol 15 in
# /proc/net/netlink: \$5 is Rmem) holds a byte; what it does with a
# datagram it does before its loop sees the SIGTERM after
drained() { awk 'NR > 1 && \$2 == 15 && \$5 != 0 { q = 1 } END { exit q }' /proc/net/netlink; }
wait_for 10 drained || echo "NOT DRAINED"
kill \$pid; wait_exit \$pid 10
INNER
out=$(unshare -n bash "$TMP/inner.sh" 2>&1)
echo "$out" | sed 's/^/# /'
check "daemon ready inside the private netns" bash -c '! grep -q "NOT READY" <<<"$1"' _ "$out"
check "netlink send to group 1 works in the private netns" bash -c '! grep -q "SEND FAILED" <<<"$1"' _ "$out"
check "32 ADD uevents over netlink: all online" bash -c '! grep -q "NOT ALL ONLINE" <<<"$1"' _ "$out"
check "hotmemd read the userspace sender's uevent" bash -c '! grep -q "NOT DRAINED" <<<"$1"' _ "$out"
check "uevents were received over netlink" grep -q "memory47: uevent add" "$TMP/log"
is "$(cat "$root"/sys/devices/system/memory/memory{16..47}/state | grep -c online_movable)" 32 \
	"2 GiB boot memory: 32 blocks (4 GiB) Movable"
is "$(state "$root" 48)" online_movable "coldplug of the second run"
is "$(state "$root" 49)" offline "uevent_source = kernel ignores a userspace sender"

done_testing
