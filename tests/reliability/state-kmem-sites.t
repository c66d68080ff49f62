#!/bin/bash
# The state file's kmem sites are its own numbers, docs/hotmemfs.md's
# table (0 pte_alloc_one ... 6 kcompactd_run, never renumbered), not the
# engine's enum order: a reorder of the engine's sites brought an older
# file's allocations back under another site without a word
# (reread19-fusefs F1).  Each saved allocation's number names the
# function explain names at its pfn, and a hand-written file's numbers
# come back under the table's functions.
. "$(dirname "$0")/lib.sh"
require_env
OPTS=(--profile qemu-512m --cmdline hotmem.kernel_alloc=heavy)
# the docs' table, by number
SITES='["pte_alloc_one", "allocate_slab", "allocate_slab(SLAB_RECLAIM_ACCOUNT)",
	"alloc_thread_stack_node", "setup_zone_pageset", "kswapd_run", "kcompactd_run"]'
# check_sites BLOCK: each of the state file's allocations in BLOCK, its
# number against explain's owner at its pfn; "N matched (sites ...)" or
# the first mismatch
check_sites() {
	ctl -j explain "$1" --all | python3 -c '
import json, sys
sites = json.loads(sys.argv[2])
owner = {int(p["pfn"], 16): p.get("owner") for p in json.load(sys.stdin).get("pages", [])}
allocs = json.load(open(sys.argv[1]))["machine"]["kmem"]["allocs"]
n, seen = 0, set()
for a in allocs:
    if a[0] not in owner:
        continue
    want = sites[a[2]] if isinstance(a[2], int) and a[2] < len(sites) else a[2]
    if owner[a[0]] != want:
        print("pfn %#x: the file says %r (%r), explain %r" % (a[0], a[2], want, owner[a[0]]))
        sys.exit(1)
    n += 1
    seen.add(a[2])
print("%d matched (sites %s)" % (n, sorted(seen)))
sys.exit(0 if n and len(seen) >= 3 else 1)' "$STATE" "$SITES"
}

start_fs_netns "${OPTS[@]}" --fresh
tap_ok $? "hotmemfs mounts qemu-512m with hotmem.kernel_alloc=heavy and a fresh state file"
ctl device_add pc-dimm size=1G id=dimm1 >/dev/null && echo online >"$M/memory33/state" &&
	flips 20 >/dev/null
tap_ok $? "a 1G DIMM, memory33 online (ZONE_NORMAL), memory32 flipped 20 times"
stop_fs
start_fs_netns "${OPTS[@]}"
tap_ok $? "restarted: its start save writes the kernel's allocations whole"
out=$(check_sites 33)
tap_ok $? "memory33: each saved allocation's site number names explain's function: $out"
out=$(check_sites 0)
tap_ok $? "memory0 (boot memory) the same: $out"
# the file's numbers read back through the table: allocate_slab's (1)
# written as 2, they come back as allocate_slab(SLAB_RECLAIM_ACCOUNT)
stop_fs
python3 - "$STATE" >"$TMP/moved" <<'PY'
import json, sys, zlib
p = sys.argv[1]
s = json.load(open(p))
for a in s["machine"]["kmem"]["allocs"]:
    if a[2] == 1:
        a[2] = 2
        print(a[0])
plain = json.dumps(s["machine"], separators=(",", ":")).replace("/", "\\/")
s["crc32"] = zlib.crc32(plain.encode())
json.dump(s, open(p, "w"))
PY
start_fs_netns "${OPTS[@]}"
tap_ok $? "restarted from a file whose allocate_slab entries say 2 ($(wc -l <"$TMP/moved") of them)"
out=$(ctl -j explain 33 --all | python3 -c '
import json, sys
owner = {int(p["pfn"], 16): p.get("owner") for p in json.load(sys.stdin).get("pages", [])}
moved = [int(l) for l in open(sys.argv[1])]
got = [owner[p] for p in moved if p in owner]
bad = [o for o in got if o != "allocate_slab(SLAB_RECLAIM_ACCOUNT)"]
print("%d in memory33, %d not number 2%s" % (len(got), len(bad), ": " + bad[0] if bad else ""))
sys.exit(0 if got and not bad else 1)' "$TMP/moved")
tap_ok $? "... memory33's come back as number 2's function, allocate_slab(SLAB_RECLAIM_ACCOUNT): $out"
done_testing
