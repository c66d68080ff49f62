#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/kernel/diffwalk.py's boot check (Walk.boot_check()), no guest
# needed: the booted machines' boot reservation lines as qemu_diffwalk.t's
# 6.12.118 walk logged them on both sides, agreeing, then one crafted
# difference at a time.  It is what says that the walk profile's derived
# kernel_image and its calibrated boot_reserved hold for the guest booted:
# a reserved total that differs fails naming the guest's version (from
# its bzImage's setup header) and the boot_reserved it measures, a
# version the number was not measured on said so; a section size or a
# Freeing line that differs fails; the Memory: line's available count
# (MA) does not; a boot log without the line fails; the 2-node walks'
# profile has no reservations (K0): their lines are not compared.  And
# the calibration said for a version not measured on names it.  Last,
# where the cached guest kernel is 6.12.118, kernel_image_of() derives
# from its vmlinux the section sizes its guest's "Memory:" line says.
set -u
HOTMEM_SRC=${HOTMEM_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$(dirname "$0")/../need.sh"
need_tool python3 python3
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
TMP=$TMP PYTHONPATH=$HOTMEM_SRC/tests/kernel python3 - <<'PY'
import glob
import io
import os
import types

import diffwalk as dw

n = 0


def check(cond, name, got=""):
    global n
    n += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", n, name))
    if not cond:
        for s in str(got).splitlines():
            print("#   " + s)


def bzimage(version):
    """a file with a bzImage's setup header saying @version"""
    head = bytearray(0x1000)
    head[0x202:0x206] = b"HdrS"
    head[0x20e:0x210] = (0x800 - 0x200).to_bytes(2, "little")
    s = (version + " (debian-kernel@lists.debian.org) #1 SMP").encode() + b"\0"
    head[0x800:0x800 + len(s)] = s
    path = os.path.join(os.environ["TMP"], "vmlinuz-" + version)
    with open(path, "wb") as f:
        f.write(head)
    return path


# qemu_diffwalk.t's walk 1 on 6.12.118, its boot (2026-12-03): the guest's
# lines as busybox dmesg prints them, hotmem's as hotmemctl dmesg does
GUEST = ["[    0.000000] RAMDISK: [mem 0x1fd87000-0x1ffdffff]",
         "[    0.000000] Kernel command line: console=ttyS0 nokaslr",
         "[    0.341499] Freeing SMP alternatives memory: 40K",
         "[    0.724962] Memory: 393496K/523768K available (16384K kernel code, 2499K rwdata, "
         "11720K rodata, 4260K init, 4904K bss, 126168K reserved, 0K cma-reserved)",
         "[    1.498412] PCI-DMA: Using software bounce buffering for IO (SWIOTLB)",
         "[    1.498412] software IO TLB: mapped [mem 0x000000001b000000-0x000000001f000000] (64MB)",
         "[    1.770572] Freeing initrd memory: 2404K",
         "[    3.333311] Freeing unused decrypted memory: 2028K",
         "[    3.428062] Freeing unused kernel image (initmem) memory: 4260K",
         "[    3.437947] Freeing unused kernel image (rodata/data gap) memory: 568K"]
HOTMEM = ["<6>[    0.000000] " + ln.split("] ", 1)[1] for ln in GUEST if "command line" not in ln]
HOTMEM[2] = HOTMEM[2].replace("393496K/", "394520K/")  # MA: hotmem's free pages
FACTS = ["probe absent", "zone 0,DMA32 spanned=126944 present=126944 managed=97875",
         "meminfo MemTotal=406860"]


def boot(hm=None, guest=None, config="offline", kernel=None):
    """Walk.boot_check() on these logs: (its TAP line, its "#" lines, the log written)"""
    out, log = io.StringIO(), io.StringIO()
    a = types.SimpleNamespace(seed=1, config=config, number_from=2,
                              kernel=kernel or bzimage("6.12.118+deb12-amd64"))
    w = dw.Walk(a, None, types.SimpleNamespace(log=log), out)
    snap = {"6.12": (FACTS, {}), "hotmem": (FACTS, {})}
    good = w.boot_check(snap, {"6.12": GUEST if guest is None else guest,
                               "hotmem": HOTMEM if hm is None else hm})
    lines = out.getvalue().splitlines()
    return good, lines[0], "\n".join(lines[1:]), log.getvalue()


good, line, diag, log = boot()
check(good and line.startswith("ok 2 - config offline: the booted machines agree") and not diag,
      "the 6.12.118 walk's boot: its reservation lines agree (ok 2, no diag)", line + "\n" + diag)
check(log.count("#   Memory: (MA)K/523768K available") == 2 and
      log.count("#   Freeing ") == 10 and "Kernel command line" not in log,
      "... the lines compared are in the walk's log: Memory: (its available count out) and Freeing "
      "on both sides, no other", log)


def more_reserved(ln):
    return ln.replace("126168K reserved", "126176K reserved")


good, line, diag, _ = boot(hm=[more_reserved(ln) for ln in HOTMEM])
check(not good and line.startswith("not ok 2 - ") and
      "boot_reserved: the guest, 6.12.118+deb12-amd64, reserved 126168K at its \"Memory:\" line, "
      "hotmem 126176K with boot_reserved 4320K (measured on 6.12.117, 6.12.118): this guest "
      "measures 4312K" in diag,
      "hotmem reserving 8 KiB more: not ok, the version and the boot_reserved it measures said",
      line + "\n" + diag)
good, line, diag, _ = boot(hm=[more_reserved(ln) for ln in HOTMEM],
                           kernel=bzimage("6.12.119+deb12-amd64"))
check(not good and "(measured on 6.12.117, 6.12.118; not on 6.12.119): this guest measures 4312K" in diag
      and "with 6.12.119 among its versions" in diag,
      "... a guest of a version it was not measured on: said, with the number to take", diag)
good, line, diag, _ = boot(hm=[ln.replace("11720K rodata", "11716K rodata") for ln in HOTMEM])
check(not good and "boot log hotmem: " in diag and "11716K rodata" in diag,
      "a section's size on the Memory: line that differs: not ok", line + "\n" + diag)
good, line, diag, _ = boot(hm=[ln.replace("(initmem) memory: 4260K", "(initmem) memory: 4264K")
                               for ln in HOTMEM])
check(not good and "(initmem) memory: 4264K" in diag, "a Freeing line that differs: not ok",
      line + "\n" + diag)
good, line, diag, _ = boot(hm=[ln for ln in HOTMEM if "SWIOTLB" not in ln])
check(not good, "a line one side lacks (PCI-DMA): not ok", line + "\n" + diag)
good, line, diag, _ = boot(hm=[ln.replace("394520K/", "1K/") for ln in HOTMEM])
check(good, "the available count alone differing (MA): ok", line + "\n" + diag)
good, line, diag, _ = boot(hm=[ln for ln in HOTMEM if "Memory:" not in ln],
                           guest=[ln for ln in GUEST if "Memory:" not in ln])
check(not good and "no \"Memory:\" line in 6.12's boot log" in diag,
      "no Memory: line on either side: not ok, said (nothing measured)", line + "\n" + diag)
good, line, diag, _ = boot(hm=[], config="2node-online")
check(good and "K0: this profile takes no boot reservations" in line,
      "the 2-node walk (K0): its boot reservation lines not compared, said", line + "\n" + diag)

cal = dw.calibration(bzimage("6.12.119+deb12-amd64"))
check([(k, s >> 10, u) for k, s, _, u in cal] ==
      [("boot_reserved", 4320, "6.12.119+deb12-amd64"), ("brk", 68, "6.12.119+deb12-amd64"),
       ("bss_decrypted_unused", 2028, "6.12.119+deb12-amd64")],
      "the calibration for 6.12.119 names the version it was not measured on", cal)
cal = dw.calibration(bzimage("6.12.118+deb12-amd64"))
check([u for _, _, _, u in cal] == [None, None, None], "... for 6.12.118 none", cal)

# the image itself, where the cached guest kernel is the one the numbers are
# 6.12.118's guest's (its Memory: and Freeing lines above)
k = sorted(glob.glob(os.path.join(dw.HERE, "cache/linux-6.12/boot/vmlinuz-*")))
if not k or dw.bzimage_version(k[-1]) != "6.12.118+deb12-amd64":
    n += 1
    print("ok %d # SKIP no cached 6.12.118+deb12-amd64 guest kernel (%s)" % (n, k[-1] if k else "none"))
else:
    img = {name: (a, b) for name, a, b in dw.kernel_image_of(k[-1])}
    sizes = {name: (b + 1 - a) >> 10 for name, (a, b) in img.items()}
    want = {"code": 16384, "data": 2499, "rodata": 11720, "init": 4260, "bss": 4904, "smp_locks": 40,
            "bss_decrypted_unused": 2028}
    check(sizes == want and img["code"][0] == 0x1000000 and
          (img["data"][0] - img["rodata"][1] - 1) >> 10 == 568,
          "kernel_image_of(%s): the sizes its guest's Memory: line and Freeing lines say "
          "(rodata/data gap 568K), _text at 0x1000000" % os.path.basename(k[-1]), (sizes, img))
print("1..%d" % n)
PY
