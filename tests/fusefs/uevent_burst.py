#!/usr/bin/env python3
"""uevent_burst.py MEMDIR N [SECONDS]

Follow NETLINK_KOBJECT_UEVENT group 1 (a private network namespace) until
N memory uevents arrived or SECONDS (30) passed without one; print each as
"ACTION memoryID", one a line.  On each ADD and REMOVE, look at MEMDIR as
an agent would: the block's directory must be listed and its state
readable after an ADD, gone after a REMOVE.  Each such check that fails
prints "stale ACTION memoryID".  A large receive buffer, so that a burst
is not lost here (ENOBUFS prints "lost").  "ready" on stderr once bound.
"""
import os
import socket
import sys


def main():
    memdir, n = sys.argv[1], int(sys.argv[2])
    timeout = float(sys.argv[3]) if len(sys.argv) > 3 else 30
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, 15)
    try:
        s.setsockopt(socket.SOL_SOCKET, 33, 64 << 20)  # SO_RCVBUFFORCE
    except OSError:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 << 20)
    s.bind((0, 1))
    s.settimeout(timeout)
    sys.stderr.write("ready\n")
    sys.stderr.flush()
    seen = 0
    while seen < n:
        try:
            data = s.recv(8192)
        except socket.timeout:
            break
        except OSError:
            print("lost")
            continue
        kv = dict(p.split(b"=", 1) for p in data.split(b"\0")[1:] if b"=" in p)
        if kv.get(b"SUBSYSTEM") != b"memory":
            continue
        action = kv.get(b"ACTION", b"?").decode()
        name = os.path.basename(kv.get(b"DEVPATH", b"?").decode())
        seen += 1
        print(action, name)
        if action == "add":
            ok = name in os.listdir(memdir)
            try:
                with open(os.path.join(memdir, name, "state")) as f:
                    ok = ok and f.read().strip() != ""
            except OSError:
                ok = False
        elif action == "remove":
            ok = name not in os.listdir(memdir) and not os.path.exists(os.path.join(memdir, name))
        else:
            ok = True
        if not ok:
            print("stale", action, name)
        sys.stdout.flush()


if __name__ == "__main__":
    main()
