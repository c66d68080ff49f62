#!/usr/bin/env python3
"""uevent_listen.py unix PATH | netlink  [SECONDS [COUNT]]

Print each uevent received as "ACTION DEVPATH SUBSYSTEM sender=PID
seqnum=yes|no", one a line, until SECONDS pass without one.  With COUNT:
until SECONDS pass without one before COUNT arrived, and 0.5 s after that
(a later, unexpected one still shows): a test that knows how many to
expect can wait long under load and still be quick when they come.  Prints
"ready" on stderr once listening.  netlink: NETLINK_KOBJECT_UEVENT group 1
in the current network namespace; sender is the netlink port id (0 = the
kernel, as `udevadm monitor --kernel` requires).  SIGUSR1: print what the
socket holds, then exit -- after `hotmemctl settle` (every uevent sent) a
test has them all without waiting out SECONDS.  UEVENT_LISTEN_SEQNUM=1 in
the environment: "seqnum=N", the number itself (or "no").
"""
import os
import select
import signal
import socket
import sys


def parse(data):
    parts = data.split(b"\0")
    kv = dict(p.split(b"=", 1) for p in parts[1:] if b"=" in p)
    return kv


def main():
    mode = sys.argv[1]
    if mode == "unix":
        path = sys.argv[2]
        timeout = float(sys.argv[3]) if len(sys.argv) > 3 else 2
        count = int(sys.argv[4]) if len(sys.argv) > 4 else 0
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        if os.path.exists(path):
            os.unlink(path)
        s.bind(path)
    else:
        timeout = float(sys.argv[2]) if len(sys.argv) > 2 else 2
        count = int(sys.argv[3]) if len(sys.argv) > 3 else 0
        s = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, 15)
        s.bind((0, 1))
    # SIGUSR1 wakes the select below through this pipe (the handler
    # itself does nothing: select is retried, and finds the pipe readable)
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.signal(signal.SIGUSR1, lambda sig, frame: None)
    signal.set_wakeup_fd(wake_w)
    sys.stderr.write("ready\n")
    sys.stderr.flush()
    got = 0
    stopping = False
    while True:
        if not stopping:
            wait = 0.5 if count and got >= count else timeout
            ready = select.select([s, wake_r], [], [], wait)[0]
            if not ready:
                break
            if wake_r in ready:
                stopping = True
                s.setblocking(False)
        try:
            data, addr = s.recvfrom(8192)
        except BlockingIOError:
            break
        kv = parse(data)
        sender = addr[0] if mode != "unix" else "-"
        seq = "yes" if b"SEQNUM" in kv else "no"
        if os.environ.get("UEVENT_LISTEN_SEQNUM") and b"SEQNUM" in kv:
            seq = kv[b"SEQNUM"].decode()
        print("%s %s %s sender=%s seqnum=%s" % (
            kv.get(b"ACTION", b"?").decode(), kv.get(b"DEVPATH", b"?").decode(),
            kv.get(b"SUBSYSTEM", b"?").decode(), sender, seq))
        sys.stdout.flush()
        got += 1


if __name__ == "__main__":
    main()
