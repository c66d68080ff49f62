#!/bin/bash
# The hardware: pc-dimm and virtio-mem through hotmemctl, errors that
# change nothing, and uevents over both transports: the kernel's netlink
# in a private network namespace (never the host's) and the Unix socket
# fallback of docs/hotmemd.md.
. "$(dirname "$0")/lib.sh"
require_env
need_tool ip iproute2

NS=hotmemfs-t$$
ip netns add "$NS" || skip_all "cannot create a network namespace"
trap 'in_test_shell && { ip netns del "$NS" 2>/dev/null; ip netns del "$NS-new" 2>/dev/null; cleanup; }' EXIT
L="python3 $HOTMEM_SRC/tests/fusefs/uevent_listen.py"
USOCK=$TMP/uevent.sock

# python starts slowly under load: up to 60 s, a bound against a hang (it was 5 s)
wait_ready() { for _ in $(seq 1200); do grep -q ready "$1" 2>/dev/null && return 0; sleep 0.05; done; return 1; }

# 1. refuses the host's network namespace
start_fs --fresh
tap_ok $? "hotmemfs mounts (default machine)"
grep -q "uevents over netlink off: .*our network namespace" "$TMP/hotmemfs.log"
tap_ok $? "netlink injection refused in the host's network namespace"
stop_fs

# --netns NAME that does not exist yet is created, as `ip netns add` would
start_fs --fresh --netns "$NS-new"
tap_ok $? "hotmemfs --netns $NS-new (not existing)"
grep -q "on: private network namespace $NS-new (created)" "$TMP/hotmemfs.log"
tap_ok $? "... creates it"
ip netns list | grep -q "^$NS-new"
tap_ok $? "... and ip netns lists it"
stop_fs
ip netns del "$NS-new"

# an idle kernel: memory32 (the first Normal block) must offline below
start_fs --fresh --netns "$NS" --uevent-socket "$USOCK" --cmdline hotmem.kernel_alloc=off
tap_ok $? "hotmemfs mounts with --netns $NS --uevent-socket"
grep -q "on: private network namespace $NS" "$TMP/hotmemfs.log"
tap_ok $? "netlink injection on, in $NS"
ctl status --json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["uevents"]["netlink"].startswith("on")'
tap_ok $? "status --json reports netlink on"

# the listeners run until told (SIGUSR1: what their sockets hold, then
# exit); 60 s without a uevent ends them anyway
ip netns exec "$NS" $L netlink 60 >"$TMP/nl.txt" 2>"$TMP/nl.err" &
nl=$!
$L unix "$USOCK" 60 >"$TMP/ux.txt" 2>"$TMP/ux.err" &
ux=$!
wait_ready "$TMP/nl.err"
wait_ready "$TMP/ux.err"

before=$(lsmem --sysroot "$MNT" -o RANGE,SIZE,STATE,BLOCK)
ctl device_add pc-dimm,id=d1,size=512M,node=0
tap_ok $? "device_add pc-dimm,id=d1,size=512M"
after=$(lsmem --sysroot "$MNT" -o RANGE,SIZE,STATE,BLOCK)
is "$(echo "$after" | grep -c 32-35)$(echo "$before" | grep -c 32-35)" 10 "blocks 32-35 are new"
is "$(echo "$after" | grep 32-35 | tr -s ' ')" \
	"0x0000000100000000-0x000000011fffffff 512M offline 32-35" "lsmem shows 4 new offline blocks"
echo online_movable >"$MNT/sys/devices/system/memory/memory32/state"
# every uevent sent (settle), the listeners print what they got and exit
ctl settle --timeout 60
kill -USR1 $nl $ux
wait_exit $nl 30
wait_exit $ux 30
# other network namespaces also get the host's untagged uevents (bdi...)
sed -i '/ memory sender/!d' "$TMP/nl.txt"

want="add /devices/system/memory/memory32 memory
add /devices/system/memory/memory33 memory
add /devices/system/memory/memory34 memory
add /devices/system/memory/memory35 memory
online /devices/system/memory/memory32 memory"
is "$(cut -d' ' -f1-3 "$TMP/nl.txt")" "$want" "netlink in $NS: add x4 then online, in order"
is "$(cut -d' ' -f4- "$TMP/nl.txt" | sort -u)" "sender=0 seqnum=yes" "netlink: sent by the kernel (port 0) with SEQNUM"
# all of them: a DIMM's add ends with its ACPI container's online, as on a guest
# (tests/fixtures/acpi-memory)
is "$(cut -d' ' -f1-3 "$TMP/ux.txt")" "$(echo "$want" | sed '4a online /devices/system/container/PNP0A06:04 container')" \
	"unix fallback: the same uevents, and the container's online after the blocks' add"
is "$(cut -d' ' -f5 "$TMP/ux.txt" | sort -u)" "seqnum=yes" "unix fallback: SEQNUM present"

# udev's own monitor takes them for kernel events
if have_tool udevadm udev "udevadm monitor --kernel in $NS sees 'online memory33' as a KERNEL event"; then
	ip netns exec "$NS" timeout 60 udevadm monitor --kernel --subsystem-match=memory >"$TMP/udev.txt" 2>&1 &
	u=$!
	# its socket is bound once it names the kernel's events (udevadm-monitor.c:
	# setup_monitor() first; stdout line-buffered)
	for _ in $(seq 600); do grep -q "^KERNEL - the kernel uevent" "$TMP/udev.txt" && break; sleep 0.05; done
	echo online >"$MNT/sys/devices/system/memory/memory33/state"
	seen() { grep -q "^KERNEL\[.*online *\/devices\/system\/memory\/memory33 (memory)" "$TMP/udev.txt"; }
	for _ in $(seq 600); do seen && break; sleep 0.05; done
	kill $u
	wait_exit $u 30
	seen
	tap_ok $? "udevadm monitor --kernel in $NS sees 'online memory33' as a KERNEL event"
	echo offline >"$MNT/sys/devices/system/memory/memory33/state"
fi

# nothing reaches the host's namespace
$L netlink 60 >"$TMP/host.txt" 2>"$TMP/host.err" &
h=$!
wait_ready "$TMP/host.err"
echo offline >"$MNT/sys/devices/system/memory/memory32/state"
ctl settle --timeout 60
kill -USR1 $h
wait_exit $h 30
is "$(grep -c memory32 "$TMP/host.txt")" 0 "no fake uevent in the host's network namespace"

# errors say what was wrong and change nothing
snap=$(ctl status --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["blocks"], d["devices"])')
for bad in "device_add pc-dimm size=1G addr=0x100100000" "device_add pc-dimm size=1G id=d1" \
	"device_add pc-dimm size=1G node=7" "device_add pc-dimm size=1G addr=0x1000" \
	"device_add nvdimm size=1G" "device_del nosuch" "set-size nosuch 1G" "device_add pc-dimm" \
	"device_add pc-dimm size=1G id=a/b" "device_add pc-dimm size=1G id=9lives" \
	"device_add virtio-mem-pci size=1G id=/machine/peripheral/vm"; do
	# shellcheck disable=SC2086
	err=$(ctl $bad 2>&1)
	rc=$?
	[ $rc -ne 0 ] && [ -n "$err" ]
	tap_ok $? "refused: $bad -> ${err#hotmemctl: error: }"
done
for bad in '[]' '{"execute":"nosuch"}' '{"arguments":{}}' '{"execute":"device_add","arguments":[]}' \
	'{"execute":"device_add","arguments":{"driver":"pc-dimm","size":-5}}' \
	'{"execute":"device_add","arguments":{"driver":"pc-dimm","size":"1G","id":"a\nb c"}}'; do
	err=$(ctl raw "$bad" 2>&1)
	rc=$?
	[ $rc -ne 0 ] && [ -n "$err" ]
	tap_ok $? "protocol: refused $bad -> ${err#hotmemctl: error: }"
done
# qemu_opts_create(): an id is a letter, then letters, digits, '-', '.', '_'
is "$(ctl device_add pc-dimm size=1G id=d-1.x_/ 2>&1)" \
	"hotmemctl: error: Parameter 'id' expects an identifier" "a device ID as QEMU's id_wellformed() wants, in QEMU's words"
timeout 20 python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
f = s.makefile("rwb")
f.readline()  # the QMP greeting
f.write(b"{bad json}\n"); f.flush(); print(f.readline().decode().strip())' "$CTL" | grep -q '"error"'
tap_ok $? "protocol: malformed JSON gets an error reply"
is "$(ctl status --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["blocks"], d["devices"])')" \
	"$snap" "the machine is unchanged after the refused commands"

# virtio-mem: requested-size moves plugged-size in device blocks
ctl device_add virtio-mem-pci id=vm0 size=2G requested-size=256M
tap_ok $? "device_add virtio-mem-pci size=2G requested-size=256M"
plugged() { ctl devices --json | python3 -c "import json,sys; print([d['plugged-size'] for d in json.load(sys.stdin) if d['id']=='vm0'][0] >> 20)"; }
is "$(plugged)" 256 "plugged-size 256M"
ctl qom-set vm0 requested-size 1G
is "$(plugged)" 1024 "qom-set requested-size 1G -> plugged 1024M"
ctl set-size vm0 384M
is "$(plugged)" 384 "set-size 384M -> plugged 384M"
ctl set-size vm0 101M >/dev/null 2>&1
tap_ok $((! $?)) "set-size 101M (not a multiple of the 2M default block-size) refused"
ctl set-size vm0 0 >/dev/null && ctl device_del vm0 >/dev/null
tap_ok $? "set-size vm0 0, then device_del vm0 (QEMU refuses it while memory is plugged)"

# device_del of an online DIMM offlines it first (guest cooperates); a
# file held open across the removal reads and writes ENODEV, as kernfs
echo online_movable >"$MNT/sys/devices/system/memory/memory33/state"
python3 - "$MNT/sys/devices/system/memory/memory34/state" "$HMCTL" "$CTL" >"$TMP/held.txt" <<'PY'
import errno, os, subprocess, sys
fd = os.open(sys.argv[1], os.O_RDWR)
os.read(fd, 64)
rc = subprocess.run([sys.argv[2], "-s", sys.argv[3], "device_del", "d1"],
                    stdout=subprocess.DEVNULL).returncode
out = ["del=%d" % rc]
for op in ("read", "write"):
    try:
        os.lseek(fd, 0, 0)
        os.read(fd, 64) if op == "read" else os.write(fd, b"online")
        out.append(op + "=ok")
    except OSError as e:
        out.append(op + "=" + errno.errorcode[e.errno])
print(" ".join(out))
PY
is "$(cat "$TMP/held.txt")" "del=0 read=ENODEV write=ENODEV" \
	"device_del d1 with an online block; held-open state file reads/writes ENODEV"
# that write is one refused state write in status, counted once (attrs.c store_block())
is "$(ctl status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["state-writes"]["refused"].get("ENODEV"))')" 1 \
	"the held-open file's ENODEV write is counted once in status state-writes"
[ ! -e "$MNT/sys/devices/system/memory/memory33" ]
tap_ok $? "memory33 is gone from the tree"
is "$(lsmem --sysroot "$MNT" -o RANGE,SIZE,STATE,BLOCK)" "$before" "lsmem back to before"

# the check-invariants command
ctl check >/dev/null
tap_ok $? "hotmemctl check: engine invariants hold"
# hotmemctl itself in the background ($! is it, not a subshell running
# ctl): it follows until hotmemfs stops
"$HMCTL" -s "$CTL" events >"$TMP/ev.txt" 2>"$TMP/ev.err" &
evp=$!
# the device_add once hotmemfs counts the follower, its line waited for:
# a fixed 0.3 s each missed the ADD when hotmemctl started late (bounded)
followers() { ctl -j status | python3 -c 'import json,sys; print(json.load(sys.stdin)["control"]["followers"])'; }
for _ in $(seq 200); do [ "$(followers)" = 1 ] && break; sleep 0.05; done
ctl device_add pc-dimm id=d2 size=128M
for _ in $(seq 200); do grep -q "UEVENT add /devices/system/memory/memory32 (memory)" "$TMP/ev.txt" && break; sleep 0.05; done
grep -q "UEVENT add /devices/system/memory/memory32 (memory)" "$TMP/ev.txt"
tap_ok $? "hotmemctl events follows uevents"
stop_fs
wait_exit $evp 30
is "$? $(cat "$TMP/ev.err")" "1 hotmemctl: hotmemfs is stopping: no more events" \
	"... until hotmemfs stops: it says so and exits 1"
done_testing
