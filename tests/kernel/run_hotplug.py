#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Boot Debian's kernel under QEMU (TCG only), hot-add a 256 MiB pc-dimm over
QMP when the guest says READY-FOR-HOTPLUG, collect the guest's trace.

usage: run_hotplug.py KERNEL INITRD OUT.jsonl [--append "EXTRA CMDLINE"]
                      [--dimms 256|128,128] [--timeout SEC] [--log FILE]

OUT gets the guest's "HMT " lines (meminfo + hotmem-trace JSON lines);
--log gets the whole console.  Exit 0 when the guest said GUEST-DONE.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qmp import Guest, guest_argparser, guest_console, run_twice_on_boot_panic  # noqa: E402


def hotplug(q, sizes_mib):
    for i, mib in enumerate(sizes_mib, 1):
        q.cmd("object-add", **{"qom-type": "memory-backend-ram", "id": "m%d" % i,
                               "size": mib << 20})
        q.cmd("device_add", driver="pc-dimm", id="d%d" % i, memdev="m%d" % i)


def main():
    ap = guest_argparser(150)
    ap.add_argument("--dimms", default="256",
                    help="comma-separated DIMM sizes in MiB (default 256)")
    a = ap.parse_args()

    cmdline = ("console=ttyS0 memhp_default_state=offline panic=-1 quiet "
               "loglevel=4 " + a.append).strip()
    cmd = ["qemu-system-x86_64", "-accel", "tcg", "-cpu", "max", "-smp", "2",
           "-m", "512M,slots=4,maxmem=4G", "-nographic", "-no-reboot",
           "-kernel", a.kernel, "-initrd", a.initrd, "-append", cmdline]

    def run():
        with open(a.log, "w") as log, open(a.out, "w") as out, \
                Guest(cmd, log, a.timeout, prefix="hmt-qemu-") as g:
            log.write("# %s\n" % " ".join(g.cmd))

            def on_line(line):
                if line.startswith("READY-FOR-HOTPLUG"):
                    hotplug(g.qmp(timeout=30, log=log), [int(x) for x in a.dimms.split(",")])
            return guest_console(g, out, on_line)
    return run_twice_on_boot_panic(run, a.log)


if __name__ == "__main__":
    sys.exit(main())
