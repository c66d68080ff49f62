#!/usr/bin/env python3
"""uevent_watch.py OUT STOPFILE

Listen on NETLINK_KOBJECT_UEVENT (group 1) in the current network
namespace until STOPFILE exists; write each memory-subsystem uevent whose
DEVPATH is /devices/system/memory/memoryN to OUT as "ACTION DEVPATH".
Prints "ready" on stderr once bound.  Other uevents (the host's own
devices) are counted on the last line as "# other N".  What the socket
holds when STOPFILE appears is read too: a test that touches STOPFILE
after `hotmemctl settle` (every uevent sent) has them all, with no sleep.
"""
import os
import socket
import sys

out, stop = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, 15)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
s.bind((0, 1))
s.settimeout(0.2)
sys.stderr.write("ready\n")
sys.stderr.flush()
other = 0
with open(out, "w") as f:
    stopping = False
    while True:
        if not stopping and os.path.exists(stop):
            stopping = True
            s.setblocking(False)  # now only what is queued already
        try:
            data = s.recv(16384)
        except (socket.timeout, BlockingIOError):
            if stopping:
                break
            continue
        except OSError as e:  # ENOBUFS: we lost some; say so
            f.write("# overrun %s\n" % e)
            continue
        kv = dict(p.split(b"=", 1) for p in data.split(b"\0")[1:] if b"=" in p)
        dp = kv.get(b"DEVPATH", b"").decode(errors="replace")
        if kv.get(b"SUBSYSTEM") == b"memory" and dp.startswith("/devices/system/memory/memory"):
            f.write("%s %s\n" % (kv.get(b"ACTION", b"?").decode(errors="replace"), dp))
            f.flush()
        else:
            other += 1
    f.write("# other %d\n" % other)
