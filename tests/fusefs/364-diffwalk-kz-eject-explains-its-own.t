#!/bin/bash
# tests/kernel/diffwalk.py's KZ eject (a device_del one side ejects and
# the other refuses at a block online in a kernel zone: the guest's slab
# there is its timing) allows the eject's own consequences only, not
# every difference of its step (reread33 R6: once kz_eject() named the
# refusing side, the step was "ok" whatever else differed).  Still
# required: both QMP replies the same; the events the same but the
# refusal's _OST 0x82 and the eject's DEVICE_DELETED and _OST 0; the
# refusing side's hotplug dmesg its refusal's lines alone ("page dumped
# because: unmovable page", one "memory memoryN: Offline failed."); the
# ejecting side's zonelist rebuilds at most; the facts different only
# where the DIMM was: its blocks' lines (those the ejecting side lost),
# the zones they were in, MemTotal, its System RAM range (reread34 R3:
# any block, zone or iomem line passed, a boot block's or another
# zone's too).  A DIMM with a block in another zone than the refused
# one: the refusing side's zonelist rebuilds are its own (6.12's
# acpi_bus_offline() took that block offline and back).  Forced: Walk.verdict() given
# the step as qemu_diffwalk.t's scripted KZ walk recorded it (6.12.117
# refusing, hotmemfs ejecting), then each crafted difference on top --
# no guest needed.
set -u
HOTMEM_SRC=${HOTMEM_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$(dirname "$0")/../need.sh"
need_tool python3 python3
PYTHONPATH=$HOTMEM_SRC/tests/kernel python3 - <<'PY'
import copy
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


# qemu_diffwalk.t's walk 3, step 2 (device_del d1), as the walk had it
# (build/tests/kernel/diffwalk-online-0.tap, 2026-12-03)
def ost(status, device="d1"):
    info = {"slot": "0", "slot-type": "DIMM", "source": 3, "status": status}
    if device:
        info["device"] = device
    return {"event": "ACPI_DEVICE_OST", "data": {"info": info}}


DELETED = {"event": "DEVICE_DELETED", "data": {"device": "d1", "path": "/machine/peripheral/d1"}}
COMMON = ["auto_online_blocks online", "probe absent",
          "block memory0 state=online online=1 valid_zones=DMA32 phys_device=0 removable=0 node=node0",
          "zone 0,DMA spanned=4095 present=3998 managed=+0(since boot)"]
BLOCK = "block memory32 state=online online=1 valid_zones=Normal phys_device=0 removable=1 node=node0"
HELD = [BLOCK, "zone 0,Normal spanned=32768 present=32768 managed=+32768(since boot)",
        "meminfo MemTotal(since boot)=+131072", "iomem 100000000-107ffffff : System RAM"]
GONE = ["zone 0,Normal spanned=0 present=0 managed=+0(since boot)", "meminfo MemTotal(since boot)=+0"]
REFUSAL = ["page dumped because: unmovable page", "page dumped because: unmovable page",
           "memory memory32: Offline failed."]
REBUILD = ["Fallback order for Node 0: 0", "Built 1 zonelists, mobility grouping on.  Total pages: (K0)",
           "Policy zone: Normal"]


def step(refused="6.12"):
    """the KZ step: @refused refused the eject, the other side made it"""
    ejected = "hotmem" if refused == "6.12" else "6.12"
    res = {refused: {"qmp": {"return": "ok"}, "events": [ost(132), ost(130)]},
           ejected: {"qmp": {"return": "ok"}, "events": [ost(132), DELETED, ost(0, None)]}}
    snap = {refused: (COMMON + HELD, {}), ejected: (COMMON + GONE, {})}
    dm = {refused: list(REFUSAL), ejected: list(REBUILD)}
    before = {"6.12": COMMON + HELD, "hotmem": COMMON + HELD}
    return res, snap, dm, before


w = dw.Walk(types.SimpleNamespace(seed=0, config="online"), None, None, None)
ST = ("del", "d1")


def verdict(res, snap, dm, before):
    diffs = w.compare(res, snap, dm)
    good, lines, kz = w.verdict(ST, res, snap, dm, before, diffs)
    return good, lines, kz, "\n".join(lines)


good, lines, kz, out = verdict(*step())
check(good and kz and lines[0].startswith(" (KZ, allowed: 6.12 refused the eject: memory32, online Normal"),
      "the KZ eject as the walk had it: allowed, said", out)
good, lines, kz, out = verdict(*step("hotmem"))
check(good and kz and lines[0].startswith(" (KZ, allowed: hotmem refused the eject: memory32"),
      "... and hotmem refusing, the guest ejecting: allowed alike", out)


def crafted(name, change, expect, refused="6.12"):
    res, snap, dm, before = step(refused)
    change(res, snap, dm)
    good, lines, kz, out = verdict(res, snap, dm, before)
    check(not good and not kz and " (KZ: %s refused the eject" % refused in lines[0] and
          any(ln.startswith("KZ does not explain: " + expect) for ln in lines),
          "KZ and %s: not ok, said" % name, out)


def qmp(res, snap, dm):
    res["hotmem"]["qmp"] = {"error": {"class": "GenericError", "desc": "Device 'd1' not found"}}


crafted("a device_del reply that differs", qmp, "qmp: ")


def refusing_rebuild(res, snap, dm):
    dm["6.12"].insert(0, "Policy zone: Normal")


crafted("a zonelist line on the refusing side", refusing_rebuild, "dmesg 6.12 (refused) but its refusal's")


def refusing_migration(res, snap, dm):
    dm["6.12"].insert(1, "page dumped because: migration failure")


crafted("a migration failure's dump on the refusing side", refusing_migration, "dmesg 6.12 (refused)")


def ejecting_other(res, snap, dm):
    dm["hotmem"].append("memory memory33: Offline failed.")


crafted("another block's failure on the ejecting side", ejecting_other,
        "dmesg hotmem (ejected) but zonelist rebuilds")


def ejecting_guest_other(res, snap, dm):
    dm["6.12"].insert(0, "Offlined Pages 32768")


crafted("an old kernel's offline line on the ejecting guest", ejecting_guest_other,
        "dmesg 6.12 (ejected)", refused="hotmem")


def event_more(res, snap, dm):
    res["hotmem"]["events"].insert(0, ost(0x80))


crafted("an event of another shape", event_more, "events but the eject's")


def event_shape(res, snap, dm):
    res["6.12"]["events"][0] = ost(132, "d2")


crafted("the eject's first _OST naming another device", event_shape, "events but the eject's")


def auto(res, snap, dm):
    lines = snap["hotmem"][0]
    snap["hotmem"] = (["auto_online_blocks offline"] + lines[1:], {})


crafted("an auto_online_blocks that differs", auto, "facts no eject changes")


# reread34 R3: the facts KZ allows are the DIMM's -- its blocks' lines,
# its zone's, MemTotal, its iomem range's -- not every block, zone or
# iomem line
def boot_block(res, snap, dm):
    snap["hotmem"] = ([ln.replace("DMA32 phys_device=0 removable=0", "DMA32 phys_device=0 removable=1")
                       for ln in snap["hotmem"][0]], {})


crafted("a boot block's removable flipped", boot_block, "facts no eject changes")


def other_zone(res, snap, dm):
    snap["hotmem"] = ([ln.replace("zone 0,DMA spanned=4095 present=3998 managed=+0",
                                  "zone 0,DMA spanned=4095 present=3998 managed=-7")
                       for ln in snap["hotmem"][0]], {})


crafted("another zone's managed changed", other_zone, "facts no eject changes")


def boot_iomem(res, snap, dm):
    snap["hotmem"] = (snap["hotmem"][0] + ["iomem 00100000-1ffdffff : System RAM"], {})
    snap["6.12"] = (snap["6.12"][0] + ["iomem 00100000-1ffeffff : System RAM"], {})


crafted("a boot System RAM range that differs", boot_iomem, "facts no eject changes")


# item 2: a DIMM of two blocks, memory33 in Movable (a zone of its own):
# 6.12's acpi_bus_offline() offlines memory33 on its first pass (Movable
# emptied: a zonelist rebuild) and acpi_bus_online() puts it back (one
# more) -- the refusing side's rebuilds are the eject's own
B33 = "block memory33 state=online online=1 valid_zones=Movable phys_device=0 removable=1 node=node0"


def step2(refused="6.12", other_zone="Movable"):
    res, snap, dm, before = step(refused)
    ejected = "hotmem" if refused == "6.12" else "6.12"
    b33 = B33.replace("Movable", other_zone)
    held = [b33, "zone 0,%s spanned=32768 present=32768 managed=+32768(since boot)" % other_zone,
            "iomem 108000000-10fffffff : System RAM"] if other_zone != "Normal" else \
        [b33, "iomem 108000000-10fffffff : System RAM"]
    gone = ["zone 0,%s spanned=0 present=0 managed=+0(since boot)" % other_zone] \
        if other_zone != "Normal" else []
    snap[refused] = (snap[refused][0] + held, {})
    snap[ejected] = (snap[ejected][0] + gone, {})
    before = {k: v + held for k, v in before.items()}
    dm[refused] = REBUILD + REFUSAL[:2] + REFUSAL + REBUILD
    return res, snap, dm, before


good, lines, kz, out = verdict(*step2())
check(good and kz, "a two-block DIMM, its other block in Movable: the refusing side's zonelist "
      "rebuilds, its zone and iomem allowed", out)
res, snap, dm, before = step2(other_zone="Normal")
good, lines, kz, out = verdict(res, snap, dm, before)
check(not good and not kz and any(ln.startswith("KZ does not explain: dmesg 6.12 (refused)") for ln in lines),
      "... both its blocks in Normal: no zone emptied, a rebuild on the refusing side not ok", out)
res, snap, dm, before = step2()
snap["hotmem"] = (snap["hotmem"][0] + ["iomem 110000000-117ffffff : System RAM"], {})
good, lines, kz, out = verdict(res, snap, dm, before)
check(not good and not kz and any(ln.startswith("KZ does not explain: facts no eject changes") and
                                  "110000000-117ffffff" in ln for ln in lines),
      "... and a System RAM range beyond the DIMM's on the ejecting side: not ok", out)
# KZ's own conditions as before: two "Offline failed." or a Movable block is no KZ
res, snap, dm, before = step()
dm["6.12"].append("memory memory33: Offline failed.")
good, lines, kz, out = verdict(res, snap, dm, before)
check(not good and not kz and lines[0] == "", "two blocks failed: no KZ, a plain not ok", out)
res, snap, dm, before = step()
before["6.12"] = [ln.replace("valid_zones=Normal", "valid_zones=Movable") for ln in before["6.12"]]
good, lines, kz, out = verdict(res, snap, dm, before)
check(not good and not kz, "a Movable block refused: no KZ, not ok", out)
print("1..%d" % n)
PY
