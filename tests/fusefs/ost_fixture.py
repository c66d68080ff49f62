# SPDX-License-Identifier: GPL-2.0
"""ost_fixture.py EVENTS FIXTURE MODE ID SLOT: the differences, one line
each, between the QMP events a real QEMU sent for its DIMM d1 (FIXTURE,
tests/fixtures/acpi-ost or acpi-refused: its run "== MODE", or every
event line of the file for MODE "-") and the ones hotmemfs sent for DIMM
ID in slot SLOT (EVENTS, `hotmemctl -j events`): the DIMM's ACPI_DEVICE_OSTs,
its DEVICE_DELETED and the OST without a device in its slot after that.
Nothing printed: the same, member for member (timestamps aside)."""
import json
import sys


def ours(evs, dev, slot):
    out, gone = [], False
    for line in open(evs):
        if not line.startswith("{"):
            continue
        e = json.loads(line)
        if "event" not in e:  # a stream's end: {"error": ...} (hotmemctl -j events)
            continue
        d = e["data"]
        if e["event"] == "DEVICE_DELETED" and d.get("device") == dev:
            gone = True
        elif e["event"] != "ACPI_DEVICE_OST" or d["info"]["slot"] != slot:
            continue
        elif d["info"].get("device") != dev and not (gone and "device" not in d["info"]):
            continue
        del e["timestamp"]
        out.append(json.dumps(e, sort_keys=True))
    return out


def real(fix, mode, dev, slot):
    out, m = [], None
    if mode != "-" and mode not in [l[3:].strip() for l in open(fix) if l.startswith("== ")]:
        print("no run %s in %s" % (mode, fix))
    for line in open(fix):
        if line.startswith("== "):
            m = line[3:].strip()
        elif line.startswith("{") and mode in ("-", m):
            e = json.loads(line)
            d = e["data"]
            if "info" in d:
                d["info"]["slot"] = slot
                if "device" in d["info"]:
                    d["info"]["device"] = dev
            else:
                d["device"], d["path"] = dev, "/machine/peripheral/" + dev
            out.append(json.dumps(e, sort_keys=True))
    return out


def main():
    evs, fix, mode, dev, slot = sys.argv[1:6]
    o_all, r_all = ours(evs, dev, slot), real(fix, mode, dev, slot)
    for i in range(max(len(r_all), len(o_all))):
        o = o_all[i] if i < len(o_all) else "(none)"
        r = r_all[i] if i < len(r_all) else "(none)"
        if o != r:
            print("event %d: hotmemfs %s, QEMU %s" % (i + 1, o, r))


if __name__ == "__main__":
    main()
