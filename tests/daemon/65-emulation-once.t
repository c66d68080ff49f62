#!/bin/bash
# hotmemd as the shipped emulation drop-in starts it (unit-files/
# hotmemd-emulation.conf's ExecStart=, paths moved under TMP), next to
# hotmemfs as hotmemfs.service starts it (-u /run/hotmemd/uevent.sock, in
# the private network namespace hotmemd joins): every uevent reaches
# hotmemd once, not once per transport, and a decision is logged once
# (#13.5).
. "$(dirname "$0")/lib.sh"
need_hotmemd
need_built "$UEVENT_SEND"
# the private network namespace both units share (JoinsNamespaceOf=)
need_hotmemfs_in_netns "$@"
mnt=$TMP/mnt
sock=$TMP/uevent.sock
grep -q -- '--uevent-socket /run/hotmemd/uevent.sock' "$HOTMEM_SRC/unit-files/hotmemfs.service" ||
	echo "# hotmemfs.service no longer passes --uevent-socket /run/hotmemd/uevent.sock"
mount_hotmemfs "$mnt" "$TMP/ctl.sock" "$sock"
grep -q "uevents over netlink on" "$TMP/fs.log" ||
	echo "# hotmemfs cannot inject over netlink here: $(grep -m1 netlink "$TMP/fs.log")"

# the drop-in's command line, word for word, its paths moved under TMP
args=$(sed -n 's|^ExecStart=/usr/local/bin/hotmemd||p' "$HOTMEM_SRC/unit-files/hotmemd-emulation.conf")
args=${args//\/run\/hotmemfs/$mnt}
args=${args//\/run\/hotmemd\/uevent.sock/$sock}
echo "# hotmemd$args"
: >"$TMP/log" # there before the first grep: the background shell opens it
# shellcheck disable=SC2086  # the unit's words
"$HOTMEMD" --config /dev/null --state-dir "$TMP/state" --log-level debug $args 2>"$TMP/log" &
_pids+=($!)
check "hotmemd starts as the drop-in says" wait_for 10 grep -q "ready: sysroot" "$TMP/log"
check "plug a DIMM of 256 MiB" "$CTL" -s "$TMP/ctl.sock" device_add pc-dimm size=256M id=d1
online() { [ "$(cat "$mnt/sys/devices/system/memory/memory$1/state")" = online ]; }
check "memory32 and memory33 online" wait_for 10 bash -c "$(declare -f online); online 32 && online 33"
# a second copy would come right behind the first: every uevent sent
# (settle), hotmemd's netlink socket empty (protocol 15 in /proc/net/netlink
# of this namespace, $5 its Rmem), then a marker on its Unix socket handled
# (one thread: what it read before, from either socket, is in the log)
"$CTL" -s "$TMP/ctl.sock" settle --timeout 60
drained() { awk 'NR > 1 && $2 == 15 && $5 != 0 { q = 1 } END { exit q }' /proc/net/netlink; }
wait_for 10 drained
"$UEVENT_SEND" --unix "$sock" add 999
check "hotmemd handled every uevent sent (a marker after them handled)" \
	wait_for 10 grep -q "memory999: went away before its state was read" "$TMP/log"
for b in 32 33; do
	is "$(grep -c "memory$b: uevent add" "$TMP/log")" 1 "memory$b: its add uevent arrives once"
	is "$(grep -c "memory$b: online_movable\|memory$b: online_kernel\|memory$b: online " "$TMP/log")" 1 \
		"memory$b: one decision logged"
	is "$(grep -c "memory$b: already online" "$TMP/log")" 0 "memory$b: no second look at it"
done
grep "memory3[23]:" "$TMP/log" | sed 's/^/# /'
done_testing
