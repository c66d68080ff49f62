#!/bin/bash
# hotmemctl map on a known machine (#13.3): the default profile (1 GiB of
# RAM at 0, 128 MiB blocks), a 1 GiB pc-dimm at 4 GiB with one block
# online_movable, a 1 GiB virtio-mem device at 5 GiB with 256 MiB plugged.
# The terminal map and the SVG are checked cell by cell against the
# machine's own block list (`status --json`); the SVG renders to PNG.
. "$(dirname "$0")/lib.sh"
require_env

start_fs --fresh
tap_ok $? "hotmemfs mounts"
ctl device_add pc-dimm size=1G id=d1 && ctl online 35 online_movable &&
	ctl device_add virtio-mem-pci size=1G requested-size=256M id=v1 node=1
tap_ok $? "a pc-dimm (block 35 online_movable) and a virtio-mem device"

ctl --json status > "$TMP/status.json"
# what each block is, from the machine's own runs, one letter a block as the map draws it
want=$(python3 - "$TMP/status.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
bs = s["machine"]["block-size"]
cls, dev = {}, {}
for i, d in enumerate(s["devices"]):
    for b in range(d["addr"] // bs, (d["addr"] + d["size"] + bs - 1) // bs):
        cls[b], dev[b] = "-", "ab"[i]
zones = {"DMA": "D", "DMA32": "d", "Normal": "N", "Movable": "M", "Device": "V"}
for r in s["blocks"]:
    for b in range(r["first"], r["first"] + r["count"]):
        cls[b] = zones.get(r["zone"], "*") if r["state"] == "online" else "o"
n = max(cls) + 1
print("".join(cls.get(b, ".") for b in range(n)))
print("".join(dev.get(b, " ") for b in range(n)).rstrip())
PY
)
row=$(echo "$want" | sed -n 1p)
devrow=$(echo "$want" | sed -n 2p)
is "$row" "*ddddddd........................oooMoooooo------" "the machine: block 0 spans DMA/DMA32, 7 DMA32, a hole to 4 GiB, the DIMM, virtio-mem"

ctl map > "$TMP/map.txt"
tap_ok $? "hotmemctl map: exit 0"
sed 's/^/# /' "$TMP/map.txt"
grep -qxF "0x000000000  $row" "$TMP/map.txt"
tap_ok $? "map: one cell per block, each as the machine says"
grep -qxF "    devices  $devrow" "$TMP/map.txt"
tap_ok $? "map: the devices' blocks marked under them"
grep -qxF "      nodes  00000000                        0000000011" "$TMP/map.txt"
tap_ok $? "map: two nodes, so each block's node under it (the virtio-mem device's on node 1)"
legend=$(sed -n 's/^  \(.\) .* \([0-9]*\) blocks\?$/\1 \2/p' "$TMP/map.txt" | sort | tr '\n' ' ')
counts=$(echo "$row" | fold -w1 | sort | uniq -c | awk '{ printf "%s %s ", $2, $1 }')
is "$legend" "$counts" "legend: blocks per zone and state match the machine ($counts)"
grep -q "^  a device d1: pc-dimm, 1G at 0x100000000, node 0$" "$TMP/map.txt" &&
	grep -q "^  b device v1: virtio-mem-pci, 1G at 0x140000000, node 1, 256M plugged$" "$TMP/map.txt"
tap_ok $? "legend: the devices, with what is plugged"
! grep -q $'\033' "$TMP/map.txt" && ctl map --color | grep -q $'\033\\[30;48;5;214mM'
tap_ok $? "colour only when asked (or on a terminal): Movable on orange"

ctl map --svg "$TMP/map.svg"
tap_ok $? "hotmemctl map --svg FILE: exit 0"
svg=$(python3 - "$TMP/map.svg" <<'PY'
import collections, sys, xml.etree.ElementTree as ET
ns = "{http://www.w3.org/2000/svg}"
root = ET.parse(sys.argv[1]).getroot()
letters = {"online DMA": "D", "online DMA32": "d", "online Normal": "N", "online Movable": "M",
           "online Device": "V", "online, several zones": "*", "offline": "o",
           "device range, not plugged": "-", "hole (no memory)": "."}
cells = []
for r in root.iter(ns + "rect"):
    t = r.find(ns + "title")
    if t is None or not t.text.startswith("block "):
        continue
    what = t.text.split(": ", 1)[1].split("; ")[0]
    cells.append((int(t.text.split()[1]), letters[what], r.get("fill")))
cells.sort()
print("".join(c for _, c, _ in cells))
fills = collections.defaultdict(set)
for _, c, f in cells:
    fills[c].add(f)
print(all(len(v) == 1 for v in fills.values()) and len({next(iter(v)) for v in fills.values()}) == len(fills))
PY
)
is "$(echo "$svg" | sed -n 1p)" "$row" "SVG: one cell per block, in order, each as the machine says"
is "$(echo "$svg" | sed -n 2p)" "True" "SVG: one colour per zone and state, a different one each"
grep -q "device v1: virtio-mem-pci, 1G at 0x140000000, node 1, 256M plugged" "$TMP/map.svg"
tap_ok $? "SVG: the legend names the devices"
if have_tool rsvg-convert librsvg2-bin "SVG renders to PNG (rsvg-convert)"; then
	rsvg-convert -o "$TMP/map.png" "$TMP/map.svg" && file "$TMP/map.png" | grep -q "PNG image data"
	tap_ok $? "SVG renders to PNG (rsvg-convert)"
fi
ctl map --nope 2> "$TMP/err"; rc=$?
[ $rc != 0 ] && grep -q "map: unknown argument '--nope'" "$TMP/err"
tap_ok $? "map: an unknown argument is refused"
ctl map --svg 2> "$TMP/err"; rc=$?
[ $rc != 0 ] && grep -q "map: --svg needs a FILE" "$TMP/err"
tap_ok $? "map: --svg without a FILE is refused"
done_testing
