# SPDX-License-Identifier: GPL-2.0
"""A QMP client for the QEMU guests the tests and fixture captures boot:
commands in order, events remembered, an error raised as RuntimeError."""
import json
import socket


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
