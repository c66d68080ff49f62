#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Boot Debian's kernel under QEMU (TCG only) with a virtio-mem-pci device
(requested-size 0), and resize it over QMP each time the guest's
/init-vmem says "VMEM-RESIZE MIB"; after each step ("VMEM-STEP-DONE MIB")
QEMU's own view of the device (qom-get size: what the driver plugged).

usage: run_virtio_mem.py KERNEL INITRD OUT [--sizes 256,128,0]
                         [--region 1024] [--append "EXTRA"] [--timeout SEC] [--log FILE]

OUT.jsonl gets the guest's "HMT " lines (meminfo + hotmem-trace JSON lines),
OUT.dmesg the driver's dmesg lines ("HMD "), OUT.dmesg-all all dmesg
since the insmod ("HMK "), OUT.steps one line per step:
"BLOCKS ..." as the guest saw its blocks and "PLUGGED MIB SIZE" as QEMU
saw the device.  Exit 0 when the guest said GUEST-DONE.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qmp import run_twice_on_boot_panic, Guest, guest_argparser, guest_console  # noqa: E402

VM = "/machine/peripheral/vm0"


def main():
    ap = guest_argparser(240)
    ap.add_argument("--sizes", default="256,128,0")
    ap.add_argument("--region", type=int, default=1024, help="device region MiB")
    a = ap.parse_args()

    cmdline = ("console=ttyS0 panic=-1 quiet loglevel=4 rdinit=/init hmv.sizes=%s %s"
               % (a.sizes, a.append)).strip()
    cmd = ["qemu-system-x86_64", "-accel", "tcg", "-cpu", "max", "-smp", "2",
           "-m", "512M,maxmem=%dM" % (512 + a.region), "-nographic", "-no-reboot",
           "-nic", "none",
           "-object", "memory-backend-ram,id=vmem0,size=%dM" % a.region,
           "-device", "virtio-mem-pci,id=vm0,memdev=vmem0,node=0,requested-size=0",
           "-kernel", a.kernel, "-initrd", a.initrd, "-append", cmdline]

    def run():
        with open(a.log, "w") as log, open(a.out + ".jsonl", "w") as out, \
                open(a.out + ".dmesg", "w") as dmesg, open(a.out + ".dmesg-all", "w") as kmsg, \
                open(a.out + ".steps", "w") as steps, \
                Guest(cmd, log, a.timeout, prefix="hmv-qemu-") as g:
            log.write("# %s\n" % " ".join(g.cmd))

            def on_line(line):
                if line.startswith("HMD "):
                    dmesg.write(line[4:] + "\n")
                elif line.startswith("HMK "):
                    kmsg.write(line[4:] + "\n")
                elif line.startswith("GUEST: BLOCKS "):
                    steps.write(line[len("GUEST: "):] + "\n")
                elif line.startswith("VMEM-RESIZE "):
                    q = g.qmp(timeout=30, log=log)
                    if not steps.tell():
                        for d in q.cmd("query-memory-devices"):
                            print("# qmp query-memory-devices: %s" % json.dumps(d, sort_keys=True),
                                  file=sys.stderr)
                    q.cmd("qom-set", path=VM, property="requested-size", value=int(line.split()[1]) << 20)
                elif line.startswith("VMEM-STEP-DONE "):
                    size = g.qmp(timeout=30, log=log).cmd("qom-get", path=VM, property="size")
                    steps.write("PLUGGED size%d: %d\n" % (int(line.split()[1]), size))
                    steps.flush()
            return guest_console(g, out, on_line)
    return run_twice_on_boot_panic(run, a.log)


if __name__ == "__main__":
    sys.exit(main())
