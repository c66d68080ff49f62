#!/bin/bash
# hotmemctl explain N (#6 of the user's-eye review): the pages in the way
# summed up by owner first (a line a kind, the kernel's by allocation
# site), then the first entries, then "... and N more entries (M pages)":
# entries and pages never mixed, the summary's pages are the listed ones
# plus the rest. It said "20122 pages below", listed 64 entries covering
# 104 pages and "... 19978 more" entries. --all lists every entry, a
# request a page of them (bounded memory whatever the block's size);
# --json --all is one object with all of them; from=PFN starts the list
# there.
. "$(dirname "$0")/lib.sh"
private_mount_ns "$@"
require_env
need_tool python3 python3

start_fs --fresh
tap_ok $? "hotmemfs mounts"
ctl device_add pc-dimm size=256M id=d1 >/dev/null && ctl online 32 && ctl alloc unmovable 3000 >/dev/null
tap_ok $? "a pc-dimm's first block onlined to Normal, 3000 unmovable workload pages allocated"

ctl --json explain 32 >"$TMP/one.json" && ctl explain 32 >"$TMP/one.txt"
tap_ok $? "explain 32, text and JSON"
# what the text must say, from the JSON's numbers
python3 - "$TMP/one.json" >"$TMP/want" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
shown = sum(1 << p["order"] for p in d["pages"])
ok = (d["entry_pages"] == sum(o["pages"] for o in d["owners"]) and
      d["entries"] == sum(o["entries"] for o in d["owners"]) and
      shown + d["more_pages"] == d["entry_pages"] and
      len(d["pages"]) + d["more_entries"] == d["entries"] and
      d["truncated"] and len(d["pages"]) == 64)
work = [o for o in d["owners"] if o["kind"] == "workload"][0]
kern = [o for o in d["owners"] if o["kind"] == "kernel"]
print(ok)
print("in use: %d pages in %d entries" % (d["entry_pages"], d["entries"]))
print("  workload  %d pages in %d entries: unmovable workload pages" % (work["pages"], work["entries"]))
print("  kernel    %d pages in %d entries: " % (sum(o["pages"] for o in kern), sum(o["entries"] for o in kern)))
print("  ... and %d more entries (%d pages): `hotmemctl explain 32 --all` lists them" % (d["more_entries"], d["more_pages"]))
print(d["next"])
print(d["entries"], d["entry_pages"])
PY
is "$(sed -n 1p "$TMP/want")" True \
	"JSON: the owners' pages and entries add up to the block's; the 64 listed and the rest ('more_pages', 'more_entries') too"
grep -qF "$(sed -n 2p "$TMP/want")" "$TMP/one.txt"
tap_ok $? "the text's summary: $(sed -n 2p "$TMP/want")"
grep -qF "$(sed -n 3p "$TMP/want")" "$TMP/one.txt"
tap_ok $? "a line for the workload's pages: $(sed -n 3p "$TMP/want")"
grep "^  kernel " "$TMP/one.txt" | grep -qF "$(sed -n 4p "$TMP/want")allocate_slab "
tap_ok $? "a line for the kernel's, by allocation site: $(grep '^  kernel ' "$TMP/one.txt")"
is "$(tail -1 "$TMP/one.txt")" "$(sed -n 5p "$TMP/want")" \
	"the last line: how many more entries and how many pages they are, how to see them"
is "$(grep -c '^  0x' "$TMP/one.txt")" 64 "64 entries listed"
grep -q "names every page\|pages below" "$TMP/one.txt"
tap_ok $((!$?)) "no 'pages below' of a list that shows fewer"

read -r entries pages < <(sed -n 7p "$TMP/want")
ctl explain 32 --all >"$TMP/all.txt" 2>"$TMP/all.err"
tap_ok $? "explain 32 --all"
is "$(cat "$TMP/all.err")" "" "--all: nothing changed while listed, nothing said"
is "$(grep -c '^  0x' "$TMP/all.txt")" "$entries" "--all: every entry listed ($entries), each once"
is "$(grep -c '^  pfn ' "$TMP/all.txt"):$(grep -c 'more entries' "$TMP/all.txt")" "1:0" \
	"--all: the column names once, no 'more' line"
cmp -s <(head -n "$(grep -c -v '^  0x' "$TMP/one.txt" | awk '{print $1 - 1}')" "$TMP/one.txt") \
	<(head -n "$(grep -c -v '^  0x' "$TMP/one.txt" | awk '{print $1 - 1}')" "$TMP/all.txt")
tap_ok $? "--all: the same head and summary"
awk '/^  0x/ { print $1 }' "$TMP/all.txt" | sort -c -u -g 2>/dev/null
tap_ok $? "--all: the entries by pfn, none twice"

ctl --json explain 32 --all >"$TMP/all.json"
tap_ok $? "--json explain 32 --all"
is "$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
pfns = [int(p["pfn"], 16) for p in d["pages"]]
print(len(d["pages"]), sum(1 << p["order"] for p in d["pages"]), d["truncated"], "next" in d,
      pfns == sorted(set(pfns)), d["more_entries"], d["more_pages"])' "$TMP/all.json")" \
	"$entries $pages False False True 0 0" \
	"--json --all: one object, every entry in 'pages' by pfn, pages adding up, nothing more to ask"

next=$(sed -n 6p "$TMP/want")
# a later page of --all ("all" with "from") is the page alone: its walk
# ends after its entries, no head, no totals (usereye7 #15: each page
# walked the whole block again, quadratic in its entries)
ctl raw "{\"execute\": \"explain\", \"arguments\": {\"block\": 32, \"all\": true, \"from\": \"$next\"}}" >"$TMP/page.json"
is "$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
d = d.get("return", d)
print(d["page_only"], "owners" in d, "entries" in d, len(d["pages"]), d["pages"][0]["pfn"] == sys.argv[2],
      d["truncated"], "next" in d, d["pages_digest"].startswith("0x"), d["text"].startswith("  0x"))' "$TMP/page.json" "$next")" \
	"True False False 64 True True True True True" \
	"all with from: the page alone, from that pfn, with its digest and where the next starts"
ctl explain 32 from="$next" >"$TMP/from.txt"
is "$(grep -m1 '^  0x' "$TMP/from.txt" | awk '{print $1}')" "$next" "from=PFN: the list starts at that pfn"
grep -q "^  (64 entries below pfn $next not listed)" "$TMP/from.txt"
tap_ok $? "from=PFN: says how many entries it left out below"
out=$(ctl explain 32 from=abc 2>&1)
is "$?:$out" "2:hotmemctl: explain: bad from 'abc': a pfn, 0 or more (explain BLOCK [--all] [from=PFN]; hotmemctl --help)" \
	"from=abc: refused by hotmemctl, a usage error"
out=$(ctl raw '{"execute": "explain", "arguments": {"block": 32, "from": "abc"}}' 2>&1 >/dev/null)
is "$?:$out" "1:hotmemctl: error: Parameter 'from' expects an integer" "... and by hotmemfs, sent as is (raw)"
out=$(ctl explain 33 2>&1)
is "$out" "memory33: offline, node 0
already offline: nothing to explain" "an offline block: said once (not 'offline: offline:')"
stop_fs
done_testing
