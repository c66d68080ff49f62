# SPDX-License-Identifier: GPL-2.0
"""Helpers for the tests' Python parts (34-stale-dir.t, 55-stale-node-dir.t).

The caller's environment names hotmemctl ($HMCTL) and the control socket
($CTL); a script imports this with PYTHONPATH=$HOTMEM_SRC/tests/fusefs.
"""
import errno
import os
import subprocess


def ctl(*args):
    """hotmemctl ARGS, then settle: the kernel's caches are told by hotmemfs's
    notifier before the reply (37-write-invalidates.t); settle as a script
    does after others' changes."""
    base = [os.environ["HMCTL"], "-s", os.environ["CTL"]]
    subprocess.run(base + list(args), check=True, stdout=subprocess.DEVNULL)
    subprocess.run(base + ["settle", "--timeout", "60"], check=True)


def en(f):
    """f()'s value as "ok VALUE", or the errno name its OSError had."""
    try:
        return "ok %s" % (f(),)
    except OSError as e:
        return errno.errorcode[e.errno]
