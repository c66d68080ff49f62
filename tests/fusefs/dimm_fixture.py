# SPDX-License-Identifier: GPL-2.0
"""dimm_fixture.py WHAT SOURCE [STEP]: what QEMU and the guest said in
one step of tests/fixtures/dimm-placement (SOURCE a capture, STEP its
"======== STEP" line, e.g. add:d2:128), or what hotmemfs said (SOURCE
"-": its QMP reply on stdin), in one form both compare in:

  qmd    query-memory-devices: a line a DIMM, "ID slot=N addr=0x... size=0x..."
         (memdev aside: hotmem has no memory backends)
  ospm   query-acpi-ospm-status: a line a DIMM slot, "slot=N device=ID
         source=N status=N" (the CPU slots aside: hotmem models no CPU hotplug)
  dmesg  the guest's kernel lines of the step (the capture's only); "own"
         after STEP: only those of the step's DIMM (its PNP0C80:NN, its
         range's start), not the retries of the DIMMs refused before
  guest  what the guest shows at the step's end: "blocks N...", a line a
         PNP0C80 device "PNP0C80:NN status=S physical_node=P", its
         /proc/iomem lines above 4 GiB that are System RAM (the capture's only)
  newlog the lines of a log (stdin) after those of the same log read
         before (the file SOURCE): found by its last lines, as the log is a
         ring whose oldest lines go
  events the QMP events, one JSON line each, timestamps aside: the
         capture's of STEP ("all": of every step), or hotmemfs's
         ACPI_DEVICE_OST and DEVICE_DELETED in a `hotmemctl -j events` stream"""
import json
import sys


def step_lines(path, step):
    lines, inside = [], False
    for line in open(path):
        line = line.rstrip("\n")
        if line.startswith("======== "):
            inside = line[9:] == step
        elif inside:
            lines.append(line)
    if not lines:
        sys.exit("no step %s in %s" % (step, path))
    return lines


def reply_after(lines, header):
    for i, line in enumerate(lines):
        if line == "== " + header:
            return json.loads(lines[i + 1])
    sys.exit("no %s in the step" % header)


def qmd(devs):
    for d in devs:
        d = d["data"]
        print("%s slot=%d addr=%#x size=%#x node=%d" % (d["id"], d["slot"], d["addr"], d["size"],
                                                        d["node"]))


def ospm(slots):
    for s in slots:
        if s["slot-type"] == "DIMM":
            print("slot=%s device=%s source=%d status=%d" % (s["slot"], s.get("device", "-"),
                                                              s["source"], s["status"]))


def own_words(lines, step):
    """what names the DIMM an add:ID step added, in the guest's lines"""
    op, dev = step.split(":")[:2]
    if op != "add":
        return []
    for d in reply_after(lines, "query-memory-devices"):
        if d["data"]["id"] == dev:
            return ["PNP0C80:%02x:" % d["data"]["slot"], "start %#x," % d["data"]["addr"]]
    sys.exit("no %s in the step's query-memory-devices" % dev)


def guest(lines):
    snap = [line for line in lines if line.startswith("guest: ")]
    for line in snap:
        if line.startswith("guest: memory blocks: "):
            print("blocks " + line.split(": ", 2)[2].strip())
        elif line.startswith("guest: PNP0C80:"):
            f = line.split()
            print("%s status=%s physical_node=%s" % (f[1], f[3], f[f.index("physical_node") + 1]))
        elif line.startswith("guest: iomem: ") and line.endswith(": System RAM"):
            print("iomem " + line[len("guest: iomem: "):].strip())


def newlog(before, now):
    tail = before[-5:]
    for i in range(len(now) - len(tail), -1, -1):
        if now[i:i + len(tail)] == tail:
            print("\n".join(now[i + len(tail):]))
            return
    print("\n".join(now))  # all of it went round: every line is new


def main():
    what, src = sys.argv[1], sys.argv[2]
    if what == "newlog":
        newlog(open(src).read().splitlines(), sys.stdin.read().splitlines())
        return
    if src == "-" and what == "events":
        for line in sys.stdin:
            e = json.loads(line) if line.startswith("{") else {}
            if e.get("event") in ("ACPI_DEVICE_OST", "DEVICE_DELETED"):
                del e["timestamp"]
                print(json.dumps(e, sort_keys=True))
        return
    if src == "-":
        r = json.load(sys.stdin)
        r = r["return"] if isinstance(r, dict) and "return" in r else r
        {"qmd": qmd, "ospm": ospm}[what](r)
        return
    if what == "events" and sys.argv[3] == "all":
        for line in open(src):
            if line.startswith("{"):
                print(line.rstrip("\n"))
        return
    lines = step_lines(src, sys.argv[3])
    if what == "qmd":
        qmd(reply_after(lines, "query-memory-devices"))
    elif what == "ospm":
        ospm(reply_after(lines, "query-acpi-ospm-status"))
    elif what == "dmesg":
        own = own_words(lines, sys.argv[3]) if sys.argv[4:] == ["own"] else None
        for line in lines:
            if line.startswith("guest: dmesg: ") and (own is None or any(w in line for w in own)):
                print(line[len("guest: dmesg: "):])
    elif what == "guest":
        guest(lines)
    elif what == "events":
        for line in lines:
            if line.startswith("{"):
                print(line)
    else:
        sys.exit("unknown: %s" % what)


if __name__ == "__main__":
    main()
