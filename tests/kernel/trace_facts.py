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
                                2 GOING_OFFLINE, 4 OFFLINE, 16/32 CANCEL,
                                64 PREPARE_ONLINE, 128 FINISH_OFFLINE: the
                                schema's bits on 6.1 and 6.12 alike)
  isolated=N                    test_pages_isolated events
  isolated_ok=N                 of them with ret 0 (isolated)
  memmap=NR ...                 mhp_init_memmap_on_memory exits: vmemmap pages
  online_offset=PAGES ...       online_pages start - block start
  sections=BLOCK:NR:RET ...      sparse_add_section exits (6.12: one per section)
  vmemmap=BLOCK:NR:ALTMAP ...   vmemmap_populate exits, ALTMAP 1: memmap_on_memory
  vmemmap_hugepages=N           vmemmap_populate_hugepages exits (6.12, x86 PMD path)
  arch_add=NR ...               arch_add_memory exits: pages per call
  altmaps_blocks=NR/RET ...     create_altmaps_and_memory_blocks exits (6.12)
  block_devices=NR:VMEMMAP ...  create_memory_block_devices exits
  supports=RET ...              mhp_supports_memmap_on_memory exits
  removed=BLOCK:NR:RET ...      try_remove_memory exits
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
    print("isolated_ok=%d" % sum(1 for e in evs
                                 if e["ev"] == "test_pages_isolated" and e.get("ret") == 0))
    def exits(name):
        return [e for e in ex if e["ev"] == name]

    print("sections=" + " ".join("%d:%d:%d" % (blk(e), e["nr_pages"], e["ret"])
                                 for e in exits("sparse_add_section")))
    print("vmemmap=" + " ".join("%d:%d:%d" % (blk(e), e["nr_pages"], e["extra"])
                                for e in exits("vmemmap_populate")))
    print("vmemmap_hugepages=%d" % len(exits("vmemmap_populate_hugepages")))
    print("arch_add=" + " ".join(str(e["nr_pages"]) for e in exits("arch_add_memory")))
    print("altmaps_blocks=" + " ".join("%d/%d" % (e["nr_pages"], e["ret"])
                                       for e in exits("create_altmaps_and_memory_blocks")))
    print("block_devices=" + " ".join("%d:%d" % (e["nr_pages"], e["extra"])
                                      for e in exits("create_memory_block_devices")))
    print("supports=" + " ".join(str(e["ret"]) for e in exits("mhp_supports_memmap_on_memory")))
    print("removed=" + " ".join("%d:%d:%d" % (blk(e), e["nr_pages"], e["ret"])
                                for e in exits("try_remove_memory")))
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
