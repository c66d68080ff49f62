#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A seeded random walk over virtio-mem, the real driver and hotmem's side
by side, step for step: Debian's 6.12 kernel under QEMU (TCG only, its
virtio_mem.ko; -m 512M,slots=4,maxmem=4G, the machine profile qemu-512m
stands for) and hotmemfs (profile qemu-512m), both booted with the
same command line, both asked the same over QMP (the guest's QEMU and
hotmemfs's control socket speak it alike) and by the same "agent"
(vmem_walk_agent.sh: memoryN/state, auto_online_blocks, nr_hugepages;
in the guest over its second serial port, on the engine on the mount).

After each step, once the guest's driver has settled, both sides'
QMP reply and events, the devices (query-memory-devices), the agent's
snapshot (the device's blocks, zoneinfo, MemTotal, HugeTLB, /proc/iomem's
virtio lines) and the driver's new dmesg lines are compared.

Run it where it may mount (tests/kernel/qemu_vmem_walk.t, or under
/work/team/tools/safeprobe by hand):

usage: run_vmem_walk.py KERNEL INITRD --build DIR --seed N [--steps 12]
                        [--timeout SEC] [--log FILE] [--out FILE.json]

Prints each step, its differences ("DIFF step N key: ..."), and a last
line "vmem-walk seed N: S steps, D differences"; exit 0 when the walk
ran to its end (differences or not), 1 when it did not, 2 when it could
not begin: the guest never said VW-READY (its kernel panicked at boot, a
TCG boot's now and then: the caller's tap.sh rerun_boot_panic runs it
again) or hotmemfs did not mount, said in a "# the walk could not run"
line.  A step whose guest driver did not settle in --settle seconds is
said so ("UNSETTLED"; with --tap a TODO check naming the device still at
work, not "ok"), and the last line counts them ("..., U compared before
the guest settled").
"""
import argparse
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from qmp import Guest, Qmp, boot_panicked  # noqa: E402

MiB = 1 << 20
GiB = 1 << 30


class Broken(Exception):
    """a side could not begin the walk (not a difference)"""


# ---- the walk ------------------------------------------------------------------

def boot_cmdline(rng):
    """the kernel command line both sides boot with"""
    opts = ["memhp_default_state=" + rng.choice(["online_movable", "online", "offline",
                                                   "online_kernel"])]
    if rng.random() < 0.3:
        opts.append("memory_hotplug.online_policy=auto-movable")
    if rng.random() < 0.3:
        opts.append("memory_hotplug.memmap_on_memory=1")
    return " ".join(opts)


class Walk:
    """the steps of seed @seed; each step a dict: kind "qmp" (cmd, args)
    or "agent" (line).  What it picks next depends on what the guest
    showed (its devices' blocks, its last answer), so the steps are made
    one by one.  Up to two devices, vm0 and vm1."""

    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.cmdline = boot_cmdline(self.rng)
        self.devs = {}  # id: {"size":, "block":} of each device plugged
        self.ndev = 0
        self.hugepages = 0
        self.pending = None  # ("add", id) or ("del", id, dev): undone if refused
        self.del_weight = 0.5

    def next(self, blocks, last):
        """the next step; @blocks the guest's device blocks now, @last
        the guest's answer to the step before"""
        r = self.rng
        if self.pending and last and last[0].startswith("error"):
            if self.pending[0] == "add":
                del self.devs[self.pending[1]]  # refused: none there
            else:
                self.devs[self.pending[1]] = self.pending[2]  # refused: there still
        self.pending = None
        if not self.devs:
            return self.device_add()
        k = r.choices(["resize", "state", "auto", "huge", "del", "add"],
                      [5, 4, 1, 1.5, self.del_weight, 0.7 if len(self.devs) < 2 else 0])[0]
        if k == "state" and blocks:
            return {"kind": "agent", "line": "vw_state %d %s" % (
                r.choice(blocks), r.choice(["online", "online_movable", "online_kernel", "offline"]))}
        if k == "auto":
            return {"kind": "agent", "line": "vw_auto %s" % r.choice(
                ["online", "online_movable", "offline", "online_kernel"])}
        if k == "huge":
            self.hugepages = r.choice([0, 32, 64, 128, 192]) if self.hugepages else r.choice([32, 64, 128, 192])
            return {"kind": "agent", "line": "vw_huge %d" % self.hugepages}
        if k == "del":
            dev_id = r.choice(sorted(self.devs))
            self.pending = ("del", dev_id, self.devs.pop(dev_id))
            return {"kind": "qmp", "cmd": "device_del", "args": {"id": dev_id}}
        if k == "add":
            return self.device_add()
        return self.resize()

    def device_add(self):
        r = self.rng
        dev_id = "vm0" if "vm0" not in self.devs else "vm1"
        size = r.choice([512 * MiB, GiB])
        block = r.choice([None, None, 4 * MiB, 16 * MiB, 128 * MiB, 256 * MiB])
        args = {"driver": "virtio-mem-pci", "id": dev_id, "node": 0 if r.random() < 0.9 else 1}
        if block:
            args["block-size"] = block
        if r.random() < 0.3:
            args["memaddr"] = r.choice([0x140000000, 0x180000000, 0x140100000, 0x1c0000000])
        # now and then one the device refuses: not a multiple of its block
        req = r.choice([0, 0, 1, 2]) * max(block or 0, 128 * MiB)
        if r.random() < 0.1:
            req += 2 * MiB
        if req:
            args["requested-size"] = req
        self.ndev += 1
        self.devs[dev_id] = {"size": size, "block": block or 2 * MiB}
        self.pending = ("add", dev_id)
        return {"kind": "qmp", "cmd": "device_add", "args": args, "size": size,
                "memdev": "mem%d" % self.ndev}

    def resize(self):
        r = self.rng
        dev_id = r.choice(sorted(self.devs))
        d = self.devs[dev_id]
        how = r.choices(["aligned", "zero", "unaligned", "beyond"], [6, 2, 1, 1])[0]
        if how == "aligned":
            n = r.randrange(0, d["size"] // d["block"] + 1)
            req = n * d["block"]
        elif how == "zero":
            req = 0
        elif how == "unaligned":
            req = r.randrange(1, d["size"] // MiB) * MiB + r.choice([0, 4096])
            if req % d["block"] == 0:
                req += MiB
        else:
            req = d["size"] + d["block"]
        return {"kind": "qmp", "cmd": "qom-set",
                "args": {"path": "/machine/peripheral/" + dev_id, "property": "requested-size", "value": req}}


# ---- the two sides ----------------------------------------------------------------

def norm_reply(r):
    if "error" in r:
        return "error %s: %s" % (r["error"].get("class"), r["error"].get("desc"))
    return "return %s" % json.dumps(r.get("return"), sort_keys=True)


class RawQmp(Qmp):
    """Qmp whose cmd() gives the reply object whole (an error too)"""

    def call(self, name, **args):
        self.s.sendall((json.dumps({"execute": name, "arguments": args}) + "\n").encode())
        r = None
        while r is None:
            r = self._reply()
        return r

    def drain(self):
        """the events come since the last call"""
        self.s.setblocking(False)
        try:
            while True:
                try:
                    self._reply()
                except (BlockingIOError, socket.timeout):
                    break
        finally:
            self.s.setblocking(True)
        ev, self.seen = self.seen, []
        return ev


def norm_events(evs):
    """names and data (no timestamps); of MEMORY_DEVICE_SIZE_CHANGE (QEMU
    rate-limits it to one a second a device) the last one only"""
    out, last = [], None
    for e in evs:
        if e["event"] == "MEMORY_DEVICE_SIZE_CHANGE":
            last = e
            continue
        out.append("%s %s" % (e["event"], json.dumps(e.get("data", {}), sort_keys=True)))
    if last:
        out.append("MEMORY_DEVICE_SIZE_CHANGE (last) %s" % json.dumps(last.get("data", {}), sort_keys=True))
    return out


def devices(q):
    """query-memory-devices, memdev left out (hotmem has none: docs/hotmemctl.md)"""
    r = q.call("query-memory-devices")
    out = []
    for d in r.get("return", []):
        data = dict(d.get("data", {}))
        data.pop("memdev", None)
        out.append("%s %s" % (d.get("type"), json.dumps(data, sort_keys=True)))
    return out


class GuestSide:
    def __init__(self, a, cmdline, log, tmp):
        self.agent_path = os.path.join(tmp, "agent.sock")
        cmd = ["qemu-system-x86_64", "-accel", "tcg", "-cpu", "max", "-smp", "2",
               "-m", "512M,slots=4,maxmem=4G", "-nographic", "-no-reboot", "-nic", "none",
               "-serial", "mon:stdio", "-serial", "unix:%s,server=on,wait=off" % self.agent_path,
               "-kernel", a.kernel, "-initrd", a.initrd,
               "-append", "console=ttyS0 panic=-1 quiet loglevel=4 rdinit=/init " + cmdline]
        self.g = Guest(cmd, log, a.timeout, prefix="hmvw-qemu-")
        self.log = log
        self.boot = None

    def __enter__(self):
        self.g.__enter__()
        lines = self.g.lines()
        for line in lines:
            if line.startswith("GUEST"):
                print("# " + line)
            if line.startswith("VW-READY"):
                break
        else:
            self.g.__exit__(None, None, None)  # QEMU gone or killed: its files
            raise Broken("the guest ended before its agent was ready (%s)" %
                         ("kernel panic" if boot_panicked(self.log.name) else "no VW-READY"))
        # the console read on to its end (into the log): a guest whose
        # console pipe is full stops
        self.drainer = threading.Thread(target=lambda: [None for _ in lines], daemon=True)
        self.drainer.start()
        self.q = RawQmp(self.g.qmp_path, timeout=60)
        self.a = socket.socket(socket.AF_UNIX)
        self.a.settimeout(120)
        self.a.connect(self.agent_path)
        self.abuf = b""
        return self

    def __exit__(self, *exc):
        try:
            self.a.sendall(b"quit\n")
        except OSError:
            pass
        self.a.close()
        self.q.close()
        return self.g.__exit__(*exc)

    def agent(self, line):
        self.a.sendall(line.encode() + b"\n")
        while b"VW-END\n" not in self.abuf.replace(b"\r", b""):
            d = self.a.recv(65536)
            if not d:
                raise EOFError("the guest's agent hung up")
            self.abuf += d
        text = self.abuf.replace(b"\r", b"").decode(errors="replace")
        out, _, rest = text.partition("VW-END\n")
        self.abuf = rest.encode()
        return out.splitlines()

    def qmp_step(self, st):
        if st["cmd"] == "device_add":
            r = self.q.call("object-add", **{"qom-type": "memory-backend-ram", "id": st["memdev"],
                                             "size": st["size"]})
            if "error" in r:
                return r
            args = dict(st["args"], memdev=st["memdev"])
            return self.q.call("device_add", **args)
        return self.q.call(st["cmd"], **st["args"])

    def dmesg(self):
        return self.agent("vw_dmesg")

    def settle(self, bound):
        """until the device and the blocks stay as they are for 3 s (the
        driver's work done or waiting on its retry timer), at most @bound s"""
        t0, last, same = time.monotonic(), None, 0
        while time.monotonic() - t0 < bound:
            now = (devices(self.q), self.agent("vw_snap"))
            same = same + 1 if now == last else 0
            last = now
            if same >= 3:
                return True
            time.sleep(1)
        return False


class EngineSide:
    def __init__(self, a, cmdline, tmp):
        self.b = a.build
        self.mnt = os.path.join(tmp, "mnt")
        os.mkdir(self.mnt)
        self.sock = os.path.join(tmp, "hotmemfs.sock")
        self.vwdir = os.path.join(tmp, "engine-vw")
        os.mkdir(self.vwdir)
        self.err = open(os.path.join(tmp, "hotmemfs.err"), "w")
        self.p = subprocess.Popen([os.path.join(self.b, "hotmemfs"), "-p", "qemu-512m", "-c", cmdline,
                                   "-s", self.sock, "-S", "none", "-f", self.mnt],
                                  stdout=self.err, stderr=self.err)
        for _ in range(200):
            if os.path.exists(os.path.join(self.mnt, "sys/devices/system/memory")) and \
                    os.path.exists(self.sock):
                break
            time.sleep(0.1)
        else:
            self.p.kill()
            self.p.wait()
            subprocess.run(["fusermount3", "-u", self.mnt], stderr=subprocess.DEVNULL)
            raise Broken("hotmemfs did not come up (%s)" % self.err.name)
        self.q = RawQmp(self.sock, timeout=120)
        self.ndmesg = 0
        self.boot = None
        self.agent("vw_boot")

    def close(self):
        self.q.close()
        subprocess.run(["fusermount3", "-u", self.mnt], stderr=subprocess.DEVNULL)
        self.p.terminate()
        try:
            self.p.wait(10)
        except subprocess.TimeoutExpired:
            self.p.kill()

    def agent(self, line):
        r = subprocess.run(["sh", "-c", ". \"$1\"; " + line, "vw", os.path.join(HERE, "vmem_walk_agent.sh")],
                           env=dict(os.environ, R=self.mnt, VW_DIR=self.vwdir),
                           capture_output=True, text=True, timeout=180)
        return (r.stdout + r.stderr).splitlines()

    def ctl(self, *args):
        r = subprocess.run([os.path.join(self.b, "hotmemctl"), "-s", self.sock] + list(args),
                           capture_output=True, text=True, timeout=180)
        return r.stdout

    def qmp_step(self, st):
        if st["cmd"] == "device_add":
            return self.q.call("device_add", **dict(st["args"], size=st["size"]))
        return self.q.call(st["cmd"], **st["args"])

    def dmesg(self):
        lines = self.ctl("dmesg").splitlines()
        new, self.ndmesg = lines[self.ndmesg:], len(lines)
        return [re.sub(r"^<\d>(\[[ 0-9.]*\] )?", "", s) for s in new if "virtio_mem" in s]

    def settle(self, bound):
        """hotmemfs's work is done when its reply came; its events a
        second later at most (QEMU's MEMORY_DEVICE_SIZE_CHANGE rate limit,
        which hotmemfs keeps)"""
        self.ctl("settle")
        time.sleep(1.5)
        return True


# ---- the comparison ------------------------------------------------------------------

def norm_snap(lines, base):
    """vw_snap's lines, MemTotal and each zone's managed pages as changes
    from the side's boot (@base: its raw boot lines; what the two boot
    with differs: hotmem has no kernel image, initramfs, ... in its
    managed pages); the device's PCI BAR (virtio-pci-modern, QEMU's PCI
    hole) left out: hotmem has no PCI bus"""
    def raw(ls):
        v = {}
        for s in ls:
            f = s.split()
            if f[0] == "zone":
                v[f[1]] = int(f[7])
            elif f[0] == "MemTotal:":
                v["MemTotal"] = int(f[1])
        return v
    b = raw(base)
    out = []
    for s in lines:
        f = s.split()
        if "virtio-pci-modern" in s:
            continue
        if f[0] == "zone":
            s = "zone %s spanned %s present %s managed %+d" % (f[1], f[3], f[5], int(f[7]) - b.get(f[1], 0))
        elif f[0] == "MemTotal:":
            s = "MemTotal %+d kB" % (int(f[1]) - b.get("MemTotal", 0))
        out.append(s)
    return out


def snapshot(side):
    snap = side.agent("vw_snap")
    if side.boot is None:
        side.boot = snap
    return {
        "devices": devices(side.q),
        "snap": norm_snap(snap, side.boot),
        "dmesg": side.dmesg(),
        "events": norm_events(side.q.drain()),
    }


def unsettled(res, bound):
    """why the guest's side of a step is no settled state (None: it is):
    its driver still at work after @bound s -- each virtio-mem device
    whose plugged size is not its requested-size named, else its blocks
    still changing"""
    if res["guest"].get("settled") is not False:
        return None
    busy = []
    for d in res["guest"].get("devices") or []:
        kind, _, data = d.partition(" ")
        data = json.loads(data) if data.startswith("{") else {}
        if kind == "virtio-mem" and data.get("size") != data.get("requested-size"):
            busy.append("%s plugged %#x of requested-size %#x" % (
                data.get("id"), data.get("size", 0), data.get("requested-size", 0)))
    return "the guest's virtio_mem driver did not settle in %g s (%s): compared before it did" % (
        bound, "; ".join(busy) if busy else "its memory blocks still changing")


def report(i, desc, res, tap, bound=40):
    """the step and its differences, printed as they come (@tap: as a TAP
    check, the differences its diagnostics); their number.  A step whose
    guest never settled (@bound s) is no agreement, even where the two
    sides' snapshots are the same: a TODO check saying so, not "ok"
    (reread32b R4: it said ok), and noted when it also differs."""
    n = 0
    out = []
    why = unsettled(res, bound)
    if why:
        out.append("step %s: %s" % (i, why))
    for k in ("out", "events", "devices", "snap", "dmesg"):
        g, e = res["guest"].get(k), res["engine"].get(k)
        if g == e:
            continue
        n += 1
        out.append("DIFF step %s %s:" % (i, k))
        out.append("  guest:  %s" % json.dumps(g))
        out.append("  engine: %s" % json.dumps(e))
    if tap and why and not n:
        print("not ok %d - step %s: %s: guest and engine agree # TODO %s" % (tap, i, desc, why))
        out = ["# " + s for s in out]
    elif tap:
        print("%s %d - step %s: %s: guest and engine agree" % ("not ok" if n else "ok", tap, i, desc))
        out = ["# " + s for s in out]
    else:
        print("STEP %s: %s%s" % (i, desc, " (UNSETTLED)" if why else ""))
    for s in out:
        print(s)
    sys.stdout.flush()
    return n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kernel")
    ap.add_argument("initrd")
    ap.add_argument("--build", required=True)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--steps", type=int, default=12)
    ap.add_argument("--settle", type=float, default=40, help="longest wait for the guest's driver a step")
    ap.add_argument("--timeout", type=float, default=900)
    ap.add_argument("--log", default=os.devnull)
    ap.add_argument("--out", default=None, help="every step, both sides, as JSON")
    ap.add_argument("--cmdline", default=None, help="the command line both boot with (default: the seed's)")
    ap.add_argument("--no-del", action="store_true",
                    help="no device_del (QEMU before 8.2 refuses it for virtio-mem: review vmem32 V1)")
    ap.add_argument("--script", default=None, metavar="FILE.json",
                    help="the steps from FILE (a JSON list of the walk's step objects), not drawn")
    ap.add_argument("--tap", type=int, default=0, metavar="N",
                    help="each step a TAP check, the boot's numbered N, step i N+i (the plan the caller's)")
    a = ap.parse_args()

    w = Walk(a.seed)
    if a.cmdline is not None:
        w.cmdline = a.cmdline
    if a.no_del:
        w.del_weight = 0
    if a.script:
        # steps given, not drawn: a difference a walk found, replayed alone
        script = json.load(open(a.script))
        a.steps = len(script)
        w.next = lambda blocks, last: script.pop(0)
    print("# vmem-walk seed %d: cmdline %s" % (a.seed, w.cmdline))
    tmp = tempfile.mkdtemp(prefix="hmvw-")
    record, ndiff, nsteps, nunsettled = [], 0, 0, 0
    eng = None
    try:
        with open(a.log, "w") as log, GuestSide(a, w.cmdline, log, tmp) as gs:
            eng = EngineSide(a, w.cmdline, tmp)
            boot = {"guest": snapshot(gs), "engine": snapshot(eng)}
            ndiff += report("boot", "boot", boot, a.tap)
            record.append({"step": 0, "do": "boot", "guest": boot["guest"], "engine": boot["engine"]})
            blocks, last = [], None
            for i in range(1, a.steps + 1):
                st = w.next(blocks, last)
                res = {}
                for name, side in (("guest", gs), ("engine", eng)):
                    if st["kind"] == "qmp":
                        out = [norm_reply(side.qmp_step(st))]
                    else:
                        out = side.agent(st["line"])
                    settled = side.settle(a.settle)
                    res[name] = dict(snapshot(side), out=out, settled=settled)
                blocks = [int(s.split()[1][6:]) for s in res["guest"]["snap"] if s.startswith("block ")]
                last = res["guest"]["out"]
                desc = st["line"] if st["kind"] == "agent" else "%s %s" % (st["cmd"], json.dumps(st["args"]))
                ndiff += report(i, desc, res, a.tap and a.tap + i, a.settle)
                nunsettled += unsettled(res, a.settle) is not None
                record.append({"step": i, "do": desc, "guest": res["guest"], "engine": res["engine"]})
                nsteps = i
    except Broken as e:
        print("# the walk could not run: %s" % e, flush=True)
        return 2
    finally:
        if eng:
            eng.close()
        if a.out:
            with open(a.out, "w") as f:
                json.dump({"seed": a.seed, "cmdline": w.cmdline, "steps": record}, f, indent=1)
        shutil.rmtree(tmp, ignore_errors=True)
    print("%svmem-walk seed %d: %d steps, %d differences%s" % (
        "# " if a.tap else "", a.seed, nsteps, ndiff,
        ", %d compared before the guest settled" % nunsettled if nunsettled else ""))
    return 0 if nsteps == a.steps else 1


if __name__ == "__main__":
    sys.exit(main())
