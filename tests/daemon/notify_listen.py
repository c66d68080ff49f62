#!/usr/bin/env python3
"""Be systemd's end of sd_notify for a test: bind NOTIFY_SOCKET, run the
command, send it the signals asked for, and print every datagram as
    pid=<sender pid> child=<child pid> t=<ms> l=<ms> <fields joined by |>
t when it was read, l a time it was surely sent after (the socket's
queue was seen empty then; ms since the command started, both).

usage: notify_listen.py SECONDS [WHEN:SIGNAME ...] -- CMD...
WHEN is FIELD#N, once the Nth datagram holding the line FIELD is read
(WATCHDOG=1#10: the daemon's loop has turned ten times), or a time in ms.
SECONDS bounds the whole run: a hang, never a pace (a signal waits for
its datagram however slow the machine is).  When the command has exited,
what it sent is read, then the run ends.
"""
import os, select, signal, socket, subprocess, sys, tempfile, time

args = sys.argv[1:]
sep = args.index("--")
duration = float(args[0])
plan = []  # (field, n) or (None, ms), signal name
for a in args[1:sep]:
    when, sig = a.rsplit(":", 1)
    if "#" in when:
        field, n = when.rsplit("#", 1)
        plan.append(((field, int(n)), sig))
    else:
        plan.append(((None, int(when)), sig))
cmd = args[sep + 1:]

d = tempfile.mkdtemp()
path = os.path.join(d, "notify.sock")
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
env = dict(os.environ, NOTIFY_SOCKET=path)
t0 = time.monotonic()
p = subprocess.Popen(cmd, env=env)
seen = {}  # field -> datagrams holding it


def ms():
    return (time.monotonic() - t0) * 1000


def due(when):
    field, n = when
    return ms() >= n if field is None else seen.get(field, 0) >= n


empty = 0.0
while True:
    exited = p.poll() is not None
    if ms() > duration * 1000:
        break
    for e in [e for e in plan if due(e[0])]:
        plan.remove(e)
        if not exited:
            p.send_signal(getattr(signal, e[1]))
    before = ms()
    try:
        msg, anc, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(12), socket.MSG_DONTWAIT)
    except BlockingIOError:
        empty = before  # nothing queued at some moment after this
        if exited:
            break  # all it sent is read
        timed = [w[1] - ms() for (w, _) in plan if w[0] is None]
        select.select([s], [], [], max(min(timed + [50]) / 1000, 0.001))
        continue
    pid = None
    for lvl, typ, data in anc:
        if lvl == socket.SOL_SOCKET and typ == socket.SCM_CREDENTIALS:
            pid = int.from_bytes(data[0:4], "little")
    fields = msg.decode().split("\n")
    for f in set(fields):
        seen[f] = seen.get(f, 0) + 1
    print(f"pid={pid} child={p.pid} t={ms():.0f} l={empty:.0f} " + "|".join(fields), flush=True)
if p.poll() is None:
    p.terminate()
print(f"exit={p.wait()}", flush=True)
os.unlink(path)
os.rmdir(d)
