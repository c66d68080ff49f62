#!/usr/bin/env python3
"""zoneinfo_shape.py REFERENCE EMULATED: hold a /proc/zoneinfo's layout to a real kernel's.

Every zone of EMULATED must have, line for line with the numbers left out,
the layout REFERENCE's zones of its kind have (mm/vmstat.c
zoneinfo_show_print()): a node's first populated zone ("per-node stats",
then the zone's own), another populated zone, an unpopulated one.  The
per-CPU pageset blocks are folded into one (the CPUs differ), and each
populated zone must have one per online CPU (/sys/devices/system/cpu/online,
which hotmemfs shows).  Prints one line per mismatch; exits 1 on any.
"""
import re
import sys


def zones(text):
    """[(header, [lines])] in order"""
    out = []
    for line in text.splitlines():
        if line.startswith("Node "):
            out.append((line, []))
        elif out:
            out[-1][1].append(line)
    return out


def shape(lines):
    """the lines without numbers, the pagesets' CPU blocks folded into one"""
    out, seen_cpu, in_cpu = [], False, False
    for line in lines:
        norm = re.sub(r"[0-9]+", "N", line)
        if norm.startswith("    cpu: "):
            in_cpu = seen_cpu
            seen_cpu = True
        elif not line.startswith("       ") and not line.startswith("  vm stats threshold"):
            in_cpu = False
        if not in_cpu:
            out.append(norm)
    return out


def present(lines):
    for line in lines:
        m = re.match(r"\s+present\s+(\d+)$", line)
        if m:
            return int(m.group(1))
    return 0


def kinds(zs):
    """each zone's kind: first (a node's first populated), populated, empty"""
    first_of, out = {}, []
    for head, lines in zs:
        node = head.split(",")[0]
        if not present(lines):
            out.append("empty")
        elif node not in first_of:
            first_of[node] = head
            out.append("first")
        else:
            out.append("populated")
    return out


def online_cpus():
    n = 0
    with open("/sys/devices/system/cpu/online") as f:
        for part in f.read().strip().split(","):
            a, _, b = part.partition("-")
            n += int(b or a) - int(a) + 1
    return n


def main():
    ref = zones(open(sys.argv[1]).read())
    emu = zones(open(sys.argv[2]).read())
    want = {}
    for (head, lines), kind in zip(ref, kinds(ref)):
        want.setdefault(kind, shape(lines))
    bad = 0
    cpus = online_cpus()
    for (head, lines), kind in zip(emu, kinds(emu)):
        got = shape(lines)
        if got != want[kind]:
            bad += 1
            diff = next((i for i, (a, b) in enumerate(zip(got, want[kind])) if a != b),
                        min(len(got), len(want[kind])))
            print("%s (%s): line %d is %r, the kernel's %r" % (
                head, kind, diff + 1, got[diff] if diff < len(got) else None,
                want[kind][diff] if diff < len(want[kind]) else None))
        blocks = sum(line.startswith("    cpu: ") for line in lines)
        if kind != "empty" and blocks != cpus:
            bad += 1
            print("%s: %d pagesets, %d CPUs online" % (head, blocks, cpus))
    print("%d zones, %d mismatches" % (len(emu), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
