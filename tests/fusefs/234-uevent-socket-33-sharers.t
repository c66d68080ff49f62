#!/bin/bash
# reread18-fusefs2 F6: the hotmemfs holding a --uevent-socket path's claim
# kept at most 32 sharers; it closed a 33rd's connection at once, which
# the 33rd took for the holder gone ("no longer sends there"), claimed
# the path again (EADDRINUSE), connected again and was closed again: a
# busy loop, two log lines a turn.  32 sharers are stood in for here by
# 32 connections to the path's claim (the abstract socket
# hotmemfs-uevent-socket:<FNV-1a of the absolute path>, uevent.c
# path_claim_name()), then a real hotmemfs comes as the 33rd.
. "$(dirname "$0")/lib.sh"
require_env
L=$TMP/listener.sock
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).bind(sys.argv[1])' "$L"
mount_fs "hotmemfs mounts, --uevent-socket" --fresh -u "$L"

python3 - "$L" "$TMP/held" <<'PY' &
import os, socket, sys, time
path = os.path.join(os.path.realpath(os.path.dirname(sys.argv[1])), os.path.basename(sys.argv[1]))
h = 1469598103934665603
for c in path.encode():
    h = ((h ^ c) * 1099511628211) & (2**64 - 1)
name = b"\0" + ("hotmemfs-uevent-socket:%016x" % h).encode()
held = []
for _ in range(32):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(name)
    held.append(s)
open(sys.argv[2], "w").write("32\n")
time.sleep(120)
PY
stand=$!
for _ in $(seq 600); do [ -s "$TMP/held" ] && break; sleep 0.05; done
# the holder's log names each sharer it takes: the 32 stand-ins
for _ in $(seq 600); do
	n=$(grep -c "with pid $stand sends its uevents there too" "$TMP/hotmemfs.log")
	[ "$n" = 32 ] && break
	sleep 0.05
done
is "$n" 32 "32 sharers of the claim (stand-ins): the holder took each one"

mkdir -p "$TMP/two"
timeout 60 "$HMFS" -S none --control "$TMP/two.sock" -u "$L" "$TMP/two" >"$TMP/two.log" 2>&1 &
tpid=$!
for _ in $(seq 600); do [ -S "$TMP/two.sock" ] && break; sleep 0.05; done
two=$(pgrep -P "$tpid")
for _ in $(seq 600); do
	grep -q "the hotmemfs with pid $two sends its uevents there too" "$TMP/hotmemfs.log" && break
	sleep 0.05
done
grep -q "the hotmemfs with pid $two sends its uevents there too" "$TMP/hotmemfs.log"
tap_ok $? "a 33rd sharer, a hotmemfs: the holder takes it too and says so"
is "$(grep -c 'no longer sends there' "$TMP/two.log")" 0 \
	"the 33rd never took the holder for gone (it looped, a line a turn)"
is "$(grep -c 'sends its uevents there too' "$TMP/two.log")" 1 "... and warned once"
# reread19 R8: status named one sharer of 33 ("the hotmemfs with pid N")
is "$(ctl status | grep -c "^warning:    the hotmemfs with pid $two and 32 more send their uevents to $L too: its listener gets every machine's uevents, mixed\$")" 1 \
	"the holder's status: the 33rd's pid and 32 more"
kill "$tpid"; wait "$tpid" 2>/dev/null; umount -l "$TMP/two" 2>/dev/null
kill "$stand"; wait "$stand" 2>/dev/null
stop_fs
done_testing
