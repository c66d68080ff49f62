#!/usr/bin/env python3
"""fwnode_order.py MEMDIR FIRST LAST READY: watch a DIMM's blocks FIRST..LAST
appear under MEMDIR (a hotmemfs's /sys/devices/system/memory) and say
whether memoryFIRST/firmware_node was ever there before memoryLAST.

The kernel links a DIMM's blocks to its ACPI device only after all of
them are added (6.12 drivers/acpi/acpi_memhotplug.c
acpi_memory_enable_device(): __add_memory(), which creates every block
and sends its ADD, then acpi_bind_memory_blocks()): a firmware_node seen
while the DIMM's last block is not there yet is out of the kernel's
order.  READY is created once we watch.  Prints "early" (the link before
the last block), "late" (the last block first) or "none" (nothing within
60 s); exit 0 either way but "none".
"""
import os
import sys
import time

mem, first, last, ready = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
link = os.path.join(mem, "memory%d" % first, "firmware_node")
tail = os.path.join(mem, "memory%d" % last)
open(ready, "w").close()
end = time.monotonic() + 60
while time.monotonic() < end:
    if os.path.lexists(tail):
        print("late")
        sys.exit(0)
    if os.path.lexists(link):
        print("early" if not os.path.lexists(tail) else "late")
        sys.exit(0)
print("none")
sys.exit(1)
