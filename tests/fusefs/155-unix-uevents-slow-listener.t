#!/bin/bash
# The Unix uevent socket (-u, hotmemd's --uevent-socket) delivers every
# uevent of a big plug to a listener that reads, however late it starts
# reading.  A datagram socket's queue holds net.unix.max_dgram_qlen (10)
# datagrams; hotmemfs waited 200 ms for room and dropped the rest, so a
# listener busy for longer (hotmemd's own state write waits for the
# plug's hotplug lock) lost 5 ADDs of every big virtio-mem grow, and
# status blamed it (usereye5 #12 side note).  A netlink listener's buffer
# holds them, and the kernel never waits: what a full queue does not take
# now waits in hotmemfs, in order, and goes as the listener reads.  The
# listener here reads nothing until the whole 2 GiB plug is done (it waits
# for the test's go file), then all of it.
. "$(dirname "$0")/lib.sh"
require_env

US=$TMP/ue.sock
mount_fs "hotmemfs mounts with a Unix uevent socket" --fresh --profile qemu-512m --netns none -u "$US"
# the listener: bound at once, reads only once $TMP/go exists, until 16 memory ADDs or 60 s
timeout 90 python3 -c '
import os, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
end = time.time() + 60
while not os.path.exists(sys.argv[2]) and time.time() < end:
    time.sleep(0.05)
s.settimeout(5)
adds, seqs = [], []
try:
    while len(adds) < 16 and time.time() < end:
        f = s.recv(8192).split(b"\0")
        kv = dict(x.split(b"=", 1) for x in f[1:] if b"=" in x)
        seqs.append(int(kv.get(b"SEQNUM", b"0")))
        if kv.get(b"ACTION") == b"add" and kv.get(b"SUBSYSTEM") == b"memory":
            adds.append(kv[b"DEVPATH"].decode().rsplit("/", 1)[1])
        time.sleep(0.01)
except socket.timeout:
    pass
print(" ".join(adds))
print("in-order" if seqs == sorted(seqs) else "out-of-order %s" % seqs)
' "$US" "$TMP/go" >"$TMP/listen.out" &
lp=$!
for _ in $(seq 100); do [ -S "$US" ] && break; sleep 0.05; done
[ -S "$US" ]
tap_ok $? "a listener bound, not reading yet"
out=$(ctl device_add pc-dimm id=d1 size=2G 2>&1) && ctl settle >/dev/null
tap_ok $? "a 2 GiB DIMM (16 blocks) plugged while the listener does not read: $out"
touch "$TMP/go"
wait_exit "$lp" 90
tap_ok $? "the listener ended"
is "$(head -1 "$TMP/listen.out")" "$(for b in $(seq 32 47); do printf 'memory%s ' $b; done | sed 's/ $//')" \
	"it got the ADD of every block, memory32-47"
is "$(sed -n 2p "$TMP/listen.out")" "in-order" "... in SEQNUM order"
is "$(ctl --json status | python3 -c 'import json,sys; u=json.load(sys.stdin)["uevents"]; print(u["unix-dropped"], u["unix-overflowed"])')" \
	"0 0" "status: none dropped, none overflowed"
stop_fs
done_testing
