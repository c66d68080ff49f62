#!/usr/bin/env python3
"""Be systemd's end of sd_notify for a test: bind NOTIFY_SOCKET, run the
command, send it the signals asked for, and print every datagram as
    pid=<sender pid> child=<child pid> t=<ms> <fields joined by |>

usage: notify_listen.py SECONDS [AT_MS:SIGNAME ...] -- CMD...
"""
import os, signal, socket, subprocess, sys, tempfile, time

args = sys.argv[1:]
sep = args.index("--")
duration = float(args[0])
plan = sorted((int(a.split(":")[0]), a.split(":")[1]) for a in args[1:sep])
cmd = args[sep + 1:]

d = tempfile.mkdtemp()
path = os.path.join(d, "notify.sock")
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
env = dict(os.environ, NOTIFY_SOCKET=path)
t0 = time.monotonic()
p = subprocess.Popen(cmd, env=env)
while True:
    now = (time.monotonic() - t0) * 1000
    if now > duration * 1000 or p.poll() is not None and not plan:
        break
    while plan and plan[0][0] <= now:
        p.send_signal(getattr(signal, plan.pop(0)[1]))
    timeout = (plan[0][0] - now) / 1000 if plan else 0.05
    s.settimeout(max(timeout, 0.001))
    try:
        msg, anc, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(12))
    except socket.timeout:
        continue
    pid = None
    for lvl, typ, data in anc:
        if lvl == socket.SOL_SOCKET and typ == socket.SCM_CREDENTIALS:
            pid = int.from_bytes(data[0:4], "little")
    t = (time.monotonic() - t0) * 1000
    print(f"pid={pid} child={p.pid} t={t:.0f} " + msg.decode().replace("\n", "|"), flush=True)
if p.poll() is None:
    p.terminate()
print(f"exit={p.wait()}", flush=True)
os.unlink(path)
os.rmdir(d)
