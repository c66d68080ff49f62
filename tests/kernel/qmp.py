# SPDX-License-Identifier: GPL-2.0
"""A QMP client for the QEMU guests the tests and fixture captures boot:
commands in order, events remembered, an error raised as RuntimeError;
Guest, one such QEMU run with its console read line by line; and
capture(), the fixture captures' main."""
import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time


class Lines:
    """The lines of socket @s, as bytes, newline included (b"" at EOF).
    Each recv() takes at most up to the line's newline (MSG_PEEK finds
    it): nothing after it is read ahead, so that a select() on the socket
    sees every line not read yet, and a caller reading the socket itself
    misses none.  A partial line waits here, across commands and across
    a timeout (socket.makefile()'s file is dead after one).  Writes go
    through the socket's sendall(): a text-mode makefile("rw") threw away
    the lines it had read ahead at each write -- the events that came
    along with a reply (usereye5 #17)."""

    def __init__(self, s):
        self.s, self.buf = s, b""

    def readline(self):
        while True:
            d = self.s.recv(65536, socket.MSG_PEEK)
            if not d:
                line, self.buf = self.buf, b""
                return line
            nl = d.find(b"\n")
            self.buf += self.s.recv(len(d) if nl < 0 else nl + 1)
            if self.buf.endswith(b"\n"):
                line, self.buf = self.buf, b""
                return line

    def close(self):
        pass


def negotiate(s):
    """QMP's handshake on the connected socket @s, for a test that then
    speaks raw: the greeting read, qmp_capabilities sent and its reply
    read (Lines: nothing after them is taken).  The greeting."""
    f = Lines(s)

    def line():
        b = f.readline()
        if not b.endswith(b"\n"):
            raise EOFError("the QMP server hung up: %r" % b)
        return json.loads(b)
    greeting = line()
    if "QMP" not in greeting:
        raise RuntimeError("no QMP greeting: %r" % greeting)
    s.sendall(b'{"execute": "qmp_capabilities"}\n')
    r = line()
    if "return" not in r:
        raise RuntimeError("qmp_capabilities: %r" % r)
    return greeting


class Qmp:
    def __init__(self, path, timeout=120, log=None):
        self.s = socket.socket(socket.AF_UNIX)
        self.s.settimeout(timeout)
        self.s.connect(path)
        self.f = Lines(self.s)  # read only; cmd() writes with sendall()
        self.greeting = json.loads(self.f.readline())
        if "QMP" not in self.greeting:
            raise RuntimeError("no QMP greeting: %r" % self.greeting)
        self.log = log
        self.events = []  # their names, in order
        self.seen = []  # the events themselves, until wait_event() takes one
        self.cmd("qmp_capabilities")

    def _reply(self):
        """the next reply, or an event (remembered)"""
        line = self.f.readline()
        if not line:
            raise EOFError("the QMP server hung up")
        r = json.loads(line)
        if "event" in r:
            self.events.append(r["event"])
            self.seen.append(r)
            return None
        return r

    def cmd(self, name, **args):
        self.s.sendall((json.dumps({"execute": name, "arguments": args}) + "\n").encode())
        r = None
        while r is None:
            r = self._reply()
        if self.log:
            self.log.write("QMP %s -> %s\n" % (name, json.dumps(r)))
        if "error" in r:
            raise RuntimeError("QMP %s: %s" % (name, r["error"]))
        return r["return"]

    def wait_event(self, name, **data):
        """The first event @name whose "data" has the members @data
        (device="d1"), come already or to come; it is taken, so that a
        second wait needs a second event."""
        while True:
            for i, e in enumerate(self.seen):
                d = e.get("data", {})
                if e["event"] == name and all(d.get(k) == v for k, v in data.items()):
                    return self.seen.pop(i)
            self._reply()

    def close(self):
        self.f.close()
        self.s.close()


class Guest:
    """QEMU run as @cmd plus a QMP socket in a directory of its own; its
    console, each line stamped with the seconds since the start, goes to
    the file object @log.  lines() yields the console's lines until QEMU
    exits or @timeout seconds pass (then QEMU is killed: a guest that
    prints nothing more is bounded too); leaving the with block kills QEMU
    and removes the socket and its directory."""

    def __init__(self, cmd, log, timeout, prefix="hotmem-qemu-"):
        self.tmp = tempfile.mkdtemp(prefix=prefix)
        self.qmp_path = os.path.join(self.tmp, "qmp.sock")
        self.cmd = cmd + ["-qmp", "unix:%s,server=on,wait=off" % self.qmp_path]
        self.log, self.timeout = log, timeout
        self.p, self._qmp = None, None
        self.t0 = time.monotonic()
        self.expired = False

    def __enter__(self):
        self.p = subprocess.Popen(self.cmd, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        # lines() reads the clock only when a line comes: a guest hung
        # silent (no console line) kept the caller waiting for good, past
        # the bound its test's time was planned on (tests/kernel/qemu_hotplug.t)
        self.killer = threading.Timer(max(self.timeout - self.elapsed(), 0), self._expire)
        self.killer.daemon = True
        self.killer.start()
        return self

    def _expire(self):
        if self.p.poll() is None:
            self.expired = True
            self.p.kill()

    def lines(self):
        for raw in self.p.stdout:
            line = raw.decode(errors="replace").rstrip("\r\n")
            self.log.write("[%6.2fs] %s\n" % (self.elapsed(), line))
            self.log.flush()
            yield line
            if self.elapsed() > self.timeout:
                self.log.write("TIMEOUT after %.0f s\n" % self.timeout)
                return
        if self.expired:
            self.log.write("TIMEOUT after %.0f s (no console line since; killed)\n" % self.timeout)

    def elapsed(self):
        return time.monotonic() - self.t0

    def qmp(self, **kw):
        """the QMP connection, made the first time it is asked for"""
        if self._qmp is None:
            self._qmp = Qmp(self.qmp_path, **kw)
        return self._qmp

    def __exit__(self, *exc):
        self.killer.cancel()
        if self._qmp is not None:
            self._qmp.close()
        if self.p.poll() is None:
            self.p.kill()
        self.p.wait()
        try:
            os.unlink(self.qmp_path)
        except OSError:
            pass
        os.rmdir(self.tmp)
        return False


def guest_console(g, out, on_line):
    """The console of the Guest @g until it ends: the guest's "HMT " lines
    (its records) to the file @out, its "GUEST..." lines to stderr as TAP
    comments, every line to @on_line(line).  True when the guest said
    GUEST-DONE; the run's time on stderr."""
    done = False
    for line in g.lines():
        if line.startswith("HMT "):
            out.write(line[4:] + "\n")
        elif line.startswith("GUEST") and not line.startswith("GUEST-DONE"):
            print("# " + line, file=sys.stderr)
        on_line(line)
        if line.startswith("GUEST-DONE"):
            done = True
    print("# guest run %.1f s, %s" % (g.elapsed(), "done" if done else "NOT done"),
          file=sys.stderr)
    return done


def boot_panicked(log_path):
    """Whether the guest's kernel panicked before the scenario said
    anything (no "GUEST" line in the console @log_path): under TCG a boot
    now and then dies in text patching (an int3 Oops in sched_clock_cpu,
    CI stop of 2026-11-29 22:20), which is QEMU's emulation, not the
    scenario -- worth one run more."""
    try:
        text = open(log_path, errors="replace").read()
    except OSError:
        return False
    return "Kernel panic" in text and "GUEST" not in text


def run_twice_on_boot_panic(run, log_path):
    """@run() (True: the guest said GUEST-DONE) once more when its kernel
    panicked at boot (boot_panicked()); 0 or 1 as the scripts exit."""
    done = run()
    if not done and boot_panicked(log_path):
        print("# the guest's kernel panicked before the scenario began (TCG): once more",
              file=sys.stderr)
        done = run()
    return 0 if done else 1


def guest_argparser(timeout, out=True, append=True):
    """The command line every QEMU guest run here takes, for a script to
    add its own options to: KERNEL INITRD, OUT when @out, --append "EXTRA
    CMDLINE" when @append, --timeout SEC (default @timeout), --log FILE
    (the whole console, stamped)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("kernel")
    ap.add_argument("initrd")
    if out:
        ap.add_argument("out")
    if append:
        ap.add_argument("--append", default="", help="more of the kernel's command line")
    ap.add_argument("--timeout", type=float, default=timeout)
    ap.add_argument("--log", default=os.devnull)
    return ap


def capture(qemu_args, append, prefix, on_line):
    """A fixture capture's main (tests/fixtures/*/scripts/capture.py):
    KERNEL INITRD [--log FILE] [--timeout SEC] from the command line, QEMU
    (TCG: KVM on this nested host refuses the guest's MSRs) with
    @qemu_args, the kernel's command line @append.  Prints QEMU's command
    and version, then the guest's "CAP " lines; every other line goes to
    @on_line(guest, line), true once the guest is done.  The exit status."""
    a = guest_argparser(300, out=False, append=False).parse_args()
    cmd = (["qemu-system-x86_64", "-accel", "tcg", "-cpu", "max", "-smp", "2",
            "-nographic", "-no-reboot", "-nic", "none"] + qemu_args +
           ["-kernel", a.kernel, "-initrd", a.initrd, "-append", append])
    done = False
    with open(a.log, "w") as log, Guest(cmd, log, a.timeout, prefix=prefix) as g:
        print("CAP # qemu: %s" % " ".join(g.cmd[1:]))
        print("CAP # %s" % subprocess.run(["qemu-system-x86_64", "--version"],
              capture_output=True, text=True).stdout.splitlines()[0])
        for line in g.lines():
            if line.startswith("CAP "):
                print(line)
            elif on_line(g, line):
                done = True
    return 0 if done else 1


def print_memory_devices(q):
    """QMP's query-memory-devices as capture header lines"""
    for d in q.cmd("query-memory-devices"):
        print("CAP # qmp query-memory-devices: %s" % json.dumps(d, sort_keys=True))


def device_del_captured(q, dev_id):
    """QMP's device_del of @dev_id, waited for (DEVICE_DELETED: the guest
    ejected it), as a capture header line"""
    q.cmd("device_del", id=dev_id)
    q.wait_event("DEVICE_DELETED", device=dev_id)
    print("CAP # qmp: DEVICE_DELETED %s" % dev_id)
