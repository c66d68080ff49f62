# SPDX-License-Identifier: GPL-2.0
"""A QMP client for the QEMU guests the tests and fixture captures boot:
commands in order, events remembered, an error raised as RuntimeError;
and Guest, one such QEMU run with its console read line by line."""
import json
import os
import socket
import subprocess
import tempfile
import time


class Qmp:
    def __init__(self, path, timeout=120, log=None):
        self.s = socket.socket(socket.AF_UNIX)
        self.s.settimeout(timeout)
        self.s.connect(path)
        self.f = self.s.makefile("rw")
        self.f.readline()  # greeting
        self.log = log
        self.events = []
        self.cmd("qmp_capabilities")

    def _reply(self):
        """the next reply, or an event (remembered)"""
        r = json.loads(self.f.readline())
        if "event" in r:
            self.events.append(r["event"])
            return None
        return r

    def cmd(self, name, **args):
        self.f.write(json.dumps({"execute": name, "arguments": args}) + "\n")
        self.f.flush()
        r = None
        while r is None:
            r = self._reply()
        if self.log:
            self.log.write("QMP %s -> %s\n" % (name, json.dumps(r)))
        if "error" in r:
            raise RuntimeError("QMP %s: %s" % (name, r["error"]))
        return r["return"]

    def wait_event(self, name):
        while name not in self.events:
            self._reply()

    def close(self):
        self.f.close()
        self.s.close()


class Guest:
    """QEMU run as @cmd plus a QMP socket in a directory of its own; its
    console, each line stamped with the seconds since the start, goes to
    the file object @log.  lines() yields the console's lines until QEMU
    exits or @timeout seconds pass; leaving the with block kills QEMU
    and removes the socket and its directory."""

    def __init__(self, cmd, log, timeout, prefix="hotmem-qemu-"):
        self.tmp = tempfile.mkdtemp(prefix=prefix)
        self.qmp_path = os.path.join(self.tmp, "qmp.sock")
        self.cmd = cmd + ["-qmp", "unix:%s,server=on,wait=off" % self.qmp_path]
        self.log, self.timeout = log, timeout
        self.p, self._qmp = None, None
        self.t0 = time.monotonic()

    def __enter__(self):
        self.p = subprocess.Popen(self.cmd, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        return self

    def lines(self):
        for raw in self.p.stdout:
            line = raw.decode(errors="replace").rstrip("\r\n")
            self.log.write("[%6.2fs] %s\n" % (self.elapsed(), line))
            self.log.flush()
            yield line
            if self.elapsed() > self.timeout:
                self.log.write("TIMEOUT after %.0f s\n" % self.timeout)
                return

    def elapsed(self):
        return time.monotonic() - self.t0

    def qmp(self, **kw):
        """the QMP connection, made the first time it is asked for"""
        if self._qmp is None:
            self._qmp = Qmp(self.qmp_path, **kw)
        return self._qmp

    def __exit__(self, *exc):
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
