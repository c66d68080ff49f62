#!/bin/bash
# hotmemctl map and status mark a block holding hwpoisoned pages: an
# offline one cannot come online (EHWPOISON, memblk_nr_poison()), and
# both showed it as a plain offline block, so a user saw no reason for
# the refusal.  Now status's runs give such a block a run of its own with
# "hwpoison" (its poisoned pages), the text status says "hwpoison: N
# page(s), no online (EHWPOISON)" on its line, and map draws it 'x'
# (magenta in colour and SVG), with an 'x' row under every cell holding
# poison (online or not) and a legend line naming the blocks.
. "$(dirname "$0")/lib.sh"
require_env
need_tool python3 python3
M=$MNT/sys/devices/system/memory
W() { python3 "$HOTMEM_SRC/tests/fusefs/sysw.py" w "$@"; }

printf 'profile = qemu-512m\nmemory_failure = yes\n' >"$TMP/p.profile"
mount_fs "hotmemfs mounts qemu-512m with memory_failure" --profile "$TMP/p.profile" --fresh \
	--cmdline "memhp_default_state=offline"
ctl device_add pc-dimm size=1G id=d1 >/dev/null &&
	for b in 32 33 34 35; do ctl online "$b" online_movable >/dev/null || exit 1; done
tap_ok $? "a 1G DIMM, memory32-35 online_movable, memory36-39 offline"

# a page of memory34 and one of memory35 poisoned; memory34 goes offline
page() { printf '%#x' $(((0x100000000 + $1 * 0x8000000) / 4096 * 4096 + 16 * 4096)); }
is "$(W "$M/hard_offline_page" "$(page 2)")" "ret=11" "hard_offline_page of a free page of memory34"
is "$(W "$M/memory34/state" offline) $(W "$M/memory34/state" online_movable)" "ret=7 133" \
	"memory34 goes offline, and not online again: EHWPOISON"
# one block: "holds", and the hint names it (usereye6 J)
ctl map >"$TMP/map1.txt"
grep -qxF '  x hwpoison: memory34 (1 page) holds hwpoisoned pages; offline, a block with any cannot come online (EHWPOISON): `hotmemctl explain 34`' "$TMP/map1.txt"
tap_ok $? "legend, one block: memory34 holds them, \`hotmemctl explain 34\`"
is "$(W "$M/hard_offline_page" "$(page 3)")" "ret=11" "hard_offline_page of a free page of memory35"

ctl --json status >"$TMP/status.json"
is "$(python3 -c 'import json,sys
for r in json.load(sys.stdin)["blocks"]:
    if r["first"] >= 32: print(r["first"], r["count"], r["state"], r.get("hwpoison", 0))' <"$TMP/status.json" | tr '\n' ' ')" \
	"32 2 online 0 34 1 offline 1 35 1 online 1 36 4 offline 0 " \
	"status --json: memory34 and memory35 runs of their own, \"hwpoison\": 1 each"
ctl status >"$TMP/status.txt"
grep -qE ' offline +0 +- +34  hwpoison: 1 page, no online \(EHWPOISON\)$' "$TMP/status.txt"
tap_ok $? "status: memory34's line says hwpoison: 1 page, no online (EHWPOISON)"
grep -qE ' online +0 +Movable +35  hwpoison: 1 page$' "$TMP/status.txt" &&
	grep -qE ' offline +0 +- +36-39$' "$TMP/status.txt"
tap_ok $? "... memory35's (online) its count only; the clean offline blocks as before"

ctl map >"$TMP/map.txt"
tap_ok $? "hotmemctl map: exit 0"
sed 's/^/# /' "$TMP/map.txt"
row=$(sed -n 's/^0x000000000  //p' "$TMP/map.txt")
is "${row:32:8}" "MMxMoooo" "map: memory34 drawn x (offline, hwpoisoned), memory35 online Movable"
is "$(sed -n 's/^   hwpoison  //p' "$TMP/map.txt")" "$(printf '%34s' '')xx" \
	"map: an x row under memory34 and memory35, online or not"
grep -qxF "  x offline, hwpoisoned pages       1 block" "$TMP/map.txt"
tap_ok $? "legend: the class and its count"
grep -qxF '  x hwpoison: memory34 (1 page), memory35 (1 page) hold hwpoisoned pages; offline, a block with any cannot come online (EHWPOISON): `hotmemctl explain N`' "$TMP/map.txt"
tap_ok $? "legend: which blocks hold poison, and what it means"
ctl map --color | grep -q $'\033\\[30;48;5;163mx'
tap_ok $? "colour: magenta"
ctl map --svg "$TMP/map.svg"
grep -c '<title>block 34 at 0x110000000: offline, hwpoisoned pages; device d1; 1 hwpoisoned page</title>' "$TMP/map.svg" | grep -qx 1 &&
	grep -q '<title>block 35 at 0x118000000: online Movable; device d1; 1 hwpoisoned page</title>' "$TMP/map.svg" &&
	grep -q 'hwpoison: memory34 (1 page), memory35 (1 page); offline, a block with any cannot come online (EHWPOISON)' "$TMP/map.svg"
tap_ok $? "SVG: the cells' tooltips count the poison, the legend names the blocks"
python3 -c 'import sys, xml.etree.ElementTree as ET; ET.parse(sys.argv[1])' "$TMP/map.svg"
tap_ok $? "SVG: well-formed"
done_testing
