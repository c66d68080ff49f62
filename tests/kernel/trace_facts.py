#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Facts of a hotmem-trace JSON-lines trace, one "key=value" a line, for
the TAP tests to check with grep:

  events=N                      hotplug events (not meminfo)
  add=NR_PAGES/RET              add_memory_resource exit
  online=BLOCK:ZONE:RET ...     online_pages exits, BLOCK relative to the base
  offline=BLOCK:ZONE:RET ...    offline_pages exits
  offline_ok=N                  offline_pages exits with ret 0
  notify=ACTION:RET ...         memory_notify exits (8 GOING_ONLINE, 1 ONLINE,
                                2 GOING_OFFLINE, 4 OFFLINE, 16/32 CANCEL)
  isolated=N                    test_pages_isolated events
  memmap=NR ...                 mhp_init_memmap_on_memory exits: vmemmap pages
  online_offset=PAGES ...       online_pages start - block start
  memtotal_STEP=KB              MemTotal change from "boot"
  memfree_STEP=KB               MemFree change from "boot"
"""
import json
import sys

BLOCK = 32768


def main(path):
    evs, mi = [], {}
    for line in open(path):
        line = line[line.find("{"):] if "{" in line else ""
        try:
            o = json.loads(line)
        except ValueError:
            continue
        if o.get("ev") == "meminfo":
            mi[o["phase"]] = o
        elif "ev" in o:
            evs.append(o)
    ranged = [e["start_pfn"] for e in evs
              if e.get("nr_pages") and e["ev"] != "mm_setup_per_zone_wmarks"]
    base = min(ranged) if ranged else 0
    ex = [e for e in evs if e.get("phase") == "exit"]

    def blk(e):
        return (e["start_pfn"] - base) // BLOCK

    print("events=%d" % len(evs))
    print("add=" + " ".join("%d/%d" % (e["nr_pages"], e["ret"])
                            for e in ex if e["ev"] == "add_memory_resource"))
    for ev in ("online", "offline"):
        print("%s=" % ev + " ".join(
            "%d:%s:%d" % (blk(e), e.get("zone"), e["ret"])
            for e in ex if e["ev"] == ev + "_pages"))
    print("offline_ok=%d" % sum(1 for e in ex
                                if e["ev"] == "offline_pages" and e["ret"] == 0))
    print("notify=" + " ".join("%d:%d" % (e["extra"], e["ret"])
                               for e in ex if e["ev"] == "memory_notify"))
    print("isolated=%d" % sum(1 for e in evs if e["ev"] == "test_pages_isolated"))
    print("memmap=" + " ".join(str(e["nr_pages"]) for e in ex
                               if e["ev"] == "mhp_init_memmap_on_memory"))
    print("online_offset=" + " ".join(
        str((e["start_pfn"] - base) % BLOCK) for e in ex if e["ev"] == "online_pages"))
    boot = mi.get("boot")
    for step, o in mi.items():
        if boot and step != "boot":
            print("memtotal_%s=%d" % (step, o["MemTotal"] - boot["MemTotal"]))
            print("memfree_%s=%d" % (step, o["MemFree"] - boot["MemFree"]))


if __name__ == "__main__":
    main(sys.argv[1])
