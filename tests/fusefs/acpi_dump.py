#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Directories as tests/fixtures/acpi-memory/scripts/guest-init dumps them,
from the fixture or from a sysroot, for a test to compare line by line.

  acpi_dump.py fixture FILE PHASE PATH [--only NAME,...]
      PATH's section of the capture's phase whose title starts with PHASE
  acpi_dump.py tree SYSROOT PATH [--only NAME,...]
      the same dump of SYSROOT/PATH (a hotmemfs mount)

--only keeps those entries (what hotmemfs models of a directory that holds
more on a real guest).  Read errors are shown as the strerror() alone: the
capture's busybox cat prefixes its own words.
"""
import os
import stat
import sys


def escape(data):
    """hexdump -e '/1 "%_c"': printable bytes, \\n, \\0, \\t, else octal"""
    out = []
    for b in data:
        if b == 10:
            out.append("\\n")
        elif b == 0:
            out.append("\\0")
        elif b == 9:
            out.append("\\t")
        elif 32 <= b < 127:
            out.append(chr(b))
        else:
            out.append("%03o" % b)
    return "".join(out)


def entry(path, name):
    p = os.path.join(path, name)
    st = os.lstat(p)
    mode = stat.filemode(st.st_mode)
    if stat.S_ISLNK(st.st_mode):
        return "  %s %s -> %s" % (mode, name, os.readlink(p))
    if stat.S_ISDIR(st.st_mode):
        return "  %s %s/" % (mode, name)
    try:
        with open(p, "rb") as f:
            data = b""
            while True:
                chunk = f.read(65536)
                if not chunk:
                    break
                data += chunk
        return "  %s %s = '%s'" % (mode, name, escape(data))
    except OSError as e:
        return "  %s %s ! %s" % (mode, name, os.strerror(e.errno))


def tree(sysroot, path, only):
    d = sysroot + path
    lines = ["## " + path]
    for name in sorted(os.listdir(d)):
        if only is None or name in only:
            lines.append(entry(d, name))
    return lines


def fixture(fname, phase, path, only):
    lines, on, sect = [], False, False
    with open(fname) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("======== "):
                on = line[9:].startswith(phase)
                sect = False
                continue
            if not on:
                continue
            if line.startswith("## ") or line.startswith("# "):
                if sect:
                    break
                sect = line == "## " + path
                if sect:
                    lines.append(line)
                continue
            if sect:
                name = line.split()[1] if len(line.split()) > 1 else ""
                name = name.rstrip("/")
                if only is not None and name not in only:
                    continue
                if " ! " in line:  # "! cat: can't open 'X': Permission denied"
                    head, err = line.split(" ! ", 1)
                    line = head + " ! " + err.rsplit(": ", 1)[-1]
                lines.append(line)
    return lines


def main(argv):
    only = None
    if "--only" in argv:
        i = argv.index("--only")
        only = set(argv[i + 1].split(","))
        argv = argv[:i] + argv[i + 2:]
    if argv[1] == "fixture":
        out = fixture(argv[2], argv[3], argv[4], only)
    else:
        out = tree(argv[2], argv[3], only)
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
