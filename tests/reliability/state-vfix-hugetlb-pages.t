#!/bin/bash
# A state file's "hugetlb" entry whose "pages" is far more than its
# "pfns" runs hold (a hand-edited file): the restore takes the runs'
# pages at their pfns first, as for any file with pfns.  The pfns' array
# was sized from "pages" (8 bytes a page): past what calloc() gives, the
# pfns were dropped and the pool came back where a growth of now put it
# (review43 F4, vfix43: with hugetlb_entry_pfns() sized from "pages"
# again, check 6 fails: 44544 34816, a growth's first two, for 5632 5120).
. "$(dirname "$0")/lib.sh"
require_env
need_tool python3 python3
MACHINE=(--profile qemu-512m --cmdline hotmem.kernel_alloc=off)
H=$MNT/sys/devices/system/node/node0/hugepages/hugepages-2048kB
# the state file's node 0 pfns, one a word, in the pool's order
pool_pfns() {
	python3 -c '
import json, sys
for e in json.load(open(sys.argv[1]))["machine"].get("hugetlb", []):
    if e["node"] == 0:
        print(" ".join(str(f + k * 512) for f, c in e.get("pfns", []) for k in range(c)))' "$STATE"
}
# set_pool PAGES PFN...: node 0's entry made PAGES pages at PFNs ([pfn, 1] runs); checksum redone
set_pool() {
	python3 - "$STATE" "$@" <<'PY'
import json, sys, zlib
p, pages, pfns = sys.argv[1], int(sys.argv[2]), [int(x) for x in sys.argv[3:]]
s = json.load(open(p))
for e in s["machine"]["hugetlb"]:
    if e["node"] == 0:
        e.update(pages=pages, optimized=0, pfns=[[f, 1] for f in pfns])
        e.pop("heads", None)
plain = json.dumps(s["machine"], separators=(",", ":")).replace("/", "\\/")
s["crc32"] = zlib.crc32(plain.encode())
json.dump(s, open(p, "w"))
PY
}

mount_fs "hotmemfs mounts qemu-512m with a fresh state file" "${MACHINE[@]}" --fresh
echo 8 >"$H/nr_hugepages"
is "$(cat "$H/nr_hugepages")" 8 "... node0 nr_hugepages <- 8"
stop_fs
read -r -a grown <<<"$(pool_pfns)"
is "${#grown[@]}" 8 "a clean stop: the file has the pool's 8 pfns"
# the last two, newest first: not where a growth of now begins
set_pool $((1 << 50)) "${grown[7]}" "${grown[6]}"
mount_fs "restart from a file whose node 0 has 2^50 pages and 2 pfns" "${MACHINE[@]}"
n=$(cat "$H/nr_hugepages")
[ "$n" -gt 8 ] && [ "$n" -lt 1000 ]
tap_ok $? "... the pool as large as the node's memory has room for ($n)"
echo $((n - 1)) >"$H/nr_hugepages"
stop_fs
read -r -a back <<<"$(pool_pfns)"
is "${#back[@]} ${back[*]:0:2}" "$((n - 1)) ${grown[7]} ${grown[6]}" "... its first two pages back at those pfns (the file as a shrink by one saved it)"
done_testing
