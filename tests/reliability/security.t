#!/bin/bash
# Security: uevents never reach the host's network namespace, the control
# socket lets no one but root in, and the units stay hardened.
# (Non-root writes through the mount get EACCES: tests/fusefs/07-nonroot.t,
# not repeated here.)
#
# A listener on NETLINK_KOBJECT_UEVENT in the initial network namespace
# watches while hotmemfs, in a private one, runs a plug storm; a second
# listener inside that namespace must see the storm's uevents (so the
# first one could have), the host's must see none of the emulated
# memory blocks.  Then hotmemfs is pointed at the host's namespace
# explicitly (--netns /proc/PID/ns/net) and must refuse.
. "$(dirname "$0")/lib.sh"
require_env
need_tool setpriv util-linux
# the host's namespace is ours: where this test runs (when pid 1's is
# visible, it must be the same; in a container it may not be)
host_ns=$(readlink /proc/1/ns/net 2>/dev/null)
[ -z "$host_ns" ] || [ "$host_ns" = "$(readlink /proc/self/ns/net)" ] ||
	skip_all "this test does not run in the initial network namespace"
W="python3 $HOTMEM_SRC/tests/reliability/uevent_watch.py"
M=$MNT/sys/devices/system/memory
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }

# python starts slowly under load: up to 60 s, a bound against a hang (it was 5 s)
wait_ready() { for _ in $(seq 1200); do grep -q ready "$1" 2>/dev/null && return 0; sleep 0.05; done; return 1; }

start_fs_netns --profile qemu-512m --fresh
tap_ok $? "hotmemfs mounts in a private network namespace"
grep -q "uevents over netlink on: private network namespace" "$TMP/hotmemfs.log"
tap_ok $? "netlink injection is on (into its own namespace)"

$W "$TMP/host.ev" "$TMP/stop" 2>"$TMP/host.rdy" &
hpid=$!
nsenter -t "$FS_PID" -n $W "$TMP/priv.ev" "$TMP/stop" 2>"$TMP/priv.rdy" &
ppid=$!
wait_ready "$TMP/host.rdy" && wait_ready "$TMP/priv.rdy"
tap_ok $? "listeners ready in the host's and in hotmemfs's namespace"

# the storm: plug, online, offline, unplug, twice over four DIMMs
for round in 1 2; do
	for i in 1 2 3 4; do ctl device_add pc-dimm id=s$round$i size=256M >/dev/null; done
	for d in "$M"/memory3?; do echo online_movable >"$d/state" 2>/dev/null; done
	for d in "$M"/memory3?; do echo offline >"$d/state" 2>/dev/null; done
	for i in 1 2 3 4; do ctl device_del s$round$i >/dev/null; done
done
# every uevent sent (settle), the listeners read what their sockets hold
# when they see the stop file (uevent_watch.py)
ctl settle --timeout 60
tap_ok $? "the storm's uevents are all sent (hotmemctl settle)"
touch "$TMP/stop"
wait_exit $hpid 30
wait_exit $ppid 30
npriv=$(grep -c '^[a-z]' "$TMP/priv.ev")
nhost=$(grep -c '^[a-z]' "$TMP/host.ev")
[ "$npriv" -ge 32 ]
tap_ok $? "hotmemfs's namespace saw the storm: $npriv memory uevents ($(cut -d' ' -f1 "$TMP/priv.ev" | grep -v '#' | sort | uniq -c | tr -s ' ' | tr '\n' ',' ))"
is "$nhost" 0 "the host's namespace saw no memory uevent ($(tail -1 "$TMP/host.ev" | tr -d '#') unrelated)"
[ "$nhost" -eq 0 ] || sed 's/^/#   host got: /' "$TMP/host.ev" | head

# the control socket: 0600 root, and even opened up, it checks the peer
is "$(stat -c '%a %U' "$CTL")" "600 root" "control socket is 0600 root"
chmod 755 "$TMP"
chmod 666 "$CTL"
nobody "$HMCTL" -s "$CTL" device_add pc-dimm id=evil size=256M >/dev/null 2>&1
tap_ok $((! $?)) "nobody cannot plug even through a 0666 socket (SO_PEERCRED)"
nobody "$HMCTL" -s "$CTL" fail-nth-alloc 1 >/dev/null 2>&1
tap_ok $((! $?)) "... nor inject faults"
is "$(ctl --json devices | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" 0 \
	"no device was added by nobody"
chmod 600 "$CTL"
stop_fs

# pointed at the host's namespace (ours) on purpose: refused
rm -f "$TMP/stop"
$W "$TMP/host2.ev" "$TMP/stop" 2>"$TMP/host2.rdy" &
hpid=$!
wait_ready "$TMP/host2.rdy"
start_fs --profile qemu-512m --fresh --netns /proc/$$/ns/net
tap_ok $? "hotmemfs --netns /proc/$$/ns/net (the host's) mounts"
grep -q "uevents over netlink off: " "$TMP/hotmemfs.log"
tap_ok $? "... with netlink injection off: $(grep -o 'uevents over netlink off: .*' "$TMP/hotmemfs.log" | head -1)"
# online_movable: a Normal block would keep the kernel's allocations (EBUSY)
ctl device_add pc-dimm id=h1 size=256M >/dev/null && echo online_movable >"$M/memory32/state" &&
	echo offline >"$M/memory32/state" && ctl device_del h1 >/dev/null
tap_ok $? "a plug cycle runs"
ctl settle --timeout 60
tap_ok $? "... its uevents all handled (hotmemctl settle)"
touch "$TMP/stop"
wait_exit $hpid 30
is "$(grep -c '^[a-z]' "$TMP/host2.ev")" 0 "the host's namespace saw no memory uevent"
stop_fs

# unit hardening (systemd-analyze security; the bound is hotmemd's issue's)
if command -v systemd-analyze >/dev/null; then
	for u in hotmemd hotmemfs; do
		cp "$HOTMEM_SRC/unit-files/$u.service" "$TMP/$u.service"
		systemd-analyze security --offline=true --root=/ "$TMP/$u.service" >"$TMP/$u.sec" 2>&1 ||
			systemd-analyze security --offline=true "$TMP/$u.service" >"$TMP/$u.sec" 2>&1
	done
	hd=$(grep -o 'exposure level.*: [0-9.]*' "$TMP/hotmemd.sec" | grep -o '[0-9.]*$')
	hf=$(grep -o 'exposure level.*: [0-9.]*' "$TMP/hotmemfs.sec" | grep -o '[0-9.]*$')
	if [ -n "$hd" ]; then
		awk -v x="$hd" 'BEGIN { exit !(x <= 2.5) }'
		tap_ok $? "hotmemd.service exposure $hd <= 2.5"
		# no mount namespace for it (#16.12; tests/systemd/10-nspawn.t boots it)
		awk -v x="${hf:-99}" 'BEGIN { exit !(x <= 4) }'
		tap_ok $? "hotmemfs.service exposure ${hf:-?} <= 4"
	else
		ok "# SKIP systemd-analyze security --offline not supported: $(tail -1 "$TMP/hotmemd.sec")"
	fi
else
	need_tool systemd-analyze systemd # a skip by hand, a failure under make check
fi
done_testing
