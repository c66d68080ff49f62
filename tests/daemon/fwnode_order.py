#!/usr/bin/env python3
"""fwnode_order.py MEMDIR FIRST LAST READY: watch a DIMM's blocks FIRST..LAST
appear under MEMDIR (a hotmemfs's /sys/devices/system/memory) and say
whether memoryFIRST/firmware_node came before memoryLAST.

The kernel links a DIMM's blocks to its ACPI device only after all of
them are added (6.12 drivers/acpi/acpi_memhotplug.c
acpi_memory_enable_device(): __add_memory(), which creates every block
and sends its ADD, then acpi_bind_memory_blocks()): a firmware_node seen
while the DIMM's last block is not there yet is out of the kernel's
order.  READY is created once we watch.

Each look reads the last block, the link, then the last block again;
neither goes away meanwhile, so a look tells the order when it sees one
without the other:
  "late"  the last block there, then the link not yet (the kernel's order);
  "early" the link there, then the last block not yet (out of order);
  "both"  both came since the look before: which came first is unknown;
  "none"  nothing within 60 s.
Looks are 0.5 ms apart, not back to back: a busy loop took a CPU from the
hotmemfs it watches (2 vCPUs shared).  inotify cannot wait instead: a FUSE
filesystem's own changes make no inotify events.  Exit 0 but for "none".
"""
import os
import sys
import time

LOOK_GAP_S = 0.0005

mem, first, last, ready = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
link = os.path.join(mem, "memory%d" % first, "firmware_node")
tail = os.path.join(mem, "memory%d" % last)


def look():
    """the order this look tells, None: neither is there yet"""
    tail_before = os.path.lexists(tail)
    linked = os.path.lexists(link)
    if tail_before and not linked:
        return "late"
    if linked and not os.path.lexists(tail):
        return "early"
    if linked or tail_before:
        return "both"
    return None


open(ready, "w").close()
end = time.monotonic() + 60
while time.monotonic() < end:
    order = look()
    if order:
        print(order)
        sys.exit(0)
    time.sleep(LOOK_GAP_S)
print("none")
sys.exit(1)
