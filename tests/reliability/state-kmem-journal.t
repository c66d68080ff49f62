#!/bin/bash
# The kernel's own allocations in the state file's journal stay small
# (reread18-fusefs2 F9): each record carries what they did since the
# record before ("kmem"), a site by its number, not its function's name,
# and a tick's allocation (background, no owner) as [pfn, order, site];
# and those bytes count a quarter toward compaction, so that a heavy
# kernel (32 allocations and as many frees an operation) does not write
# the whole machine every few hundred changes.  A long journal of them
# replays after kill -9 to the same kernel pages, and a file whose sites
# are named (written before the numbers) still restores them.
. "$(dirname "$0")/lib.sh"
require_env
OPTS=(--profile qemu-512m --cmdline hotmem.kernel_alloc=heavy)
# the kernel's pages as meminfo counts them and the boot memory's blocks as
# explain shows them: the kernel's own allocations, not the DIMM's memmap
# (vmemmap_populate() at the restore's device_add, from the free lists as
restore_line() { grep "restored the machine from" "$TMP/hotmemfs.log" | tail -1; }
state_seq() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["seq"])' "$STATE"; }
# the journal's records: how many, their bytes, their "kmem" values' bytes
journal_sizes() {
	journal_text | python3 -c '
import json, sys
n = b = k = 0
for line in sys.stdin:
    n += 1
    b += len(line)
    r = json.loads(line[9:])
    if "kmem" in r:
        k += len(json.dumps(r["kmem"], separators=(",", ":")))
print(n, b, k)'
}

start_fs_netns "${OPTS[@]}" --fresh
tap_ok $? "hotmemfs mounts qemu-512m with hotmem.kernel_alloc=heavy and a fresh state file"
ctl device_add pc-dimm size=1G id=dimm1 >/dev/null
tap_ok $? "a 1G DIMM, memory32-39"
seq0=$(state_seq)
ino0=$(stat -c %i "$STATE")
# 300 changes: ~430 KiB of records, more than HMFS_JOURNAL_MAX (256 KiB),
# ~470 bytes of each not "kmem" (the marks, reserves, pagesets and
# totalreserve an online or offline moves: 345 before restart42's
# f8a3ab29, when 400 changes weighed under the limit; they weigh ~290 KiB
# now and compact, as they should)
for ((i = 0; i < 150; i++)); do
	echo online_movable >"$M/memory32/state" && echo offline >"$M/memory32/state" || break
done
is "$i" 150 "memory32 online_movable and offline 150 times"
read -r n bytes kbytes <<<"$(journal_sizes)"
diag "journal: $n records, $bytes bytes, $kbytes of them \"kmem\" (a heavy kernel's ticks)"
! grep -qE 'allocate_slab|pte_alloc_one' <<<"$(journal_text)"
tap_ok $? "the records name the allocations' sites by number, not by function"
rec=$(journal_text | tail -1)
[[ "$rec" =~ \"ops\":\[\[[0-9]+,[0-9],[0-9]\] ]]
tap_ok $? "... a tick's allocation is [pfn, order, site]: ${rec:0:120}"
# on average a record's kmem is under 1000 bytes (2054 with the names)
[ "$n" -ge 300 ] && [ $((kbytes / n)) -lt 1000 ]
tap_ok $? "... $((kbytes / (n ? n : 1))) bytes of \"kmem\" a record, under 1000"
[ "$bytes" -gt $((256 << 10)) ]
tap_ok $? "the journal holds more than 256 KiB of records ($bytes bytes)"
[ "$(stat -c %i "$STATE")" = "$ino0" ] && [ "$(state_seq)" = "$seq0" ]
tap_ok $? "... and was not compacted: the kernel's allocations' bytes count a quarter"

before=$(kernel_pages --memfree 0 1 2 3)
kill9_fs
start_fs_netns "${OPTS[@]}"
tap_ok $? "restart on the state file and its $n records after kill -9"
line=$(restore_line)
[[ "$line" == *"; the kernel's own allocations (slab, page tables, pagesets) are back at their pages" ]]
tap_ok $? "the restore line says the kernel's allocations are back at their pages: ${line#*not saved}"
same_text "$(kernel_pages --memfree 0 1 2 3)" "$before" "... explain and meminfo show the same kernel pages as before the kill"
before=$(kernel_pages --memfree 0 1 2 3)
stop_fs
python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))["machine"]["kmem"]["allocs"]
sys.exit(not a or any(not isinstance(e[2], int) for e in a) or
         not any(len(e) == 3 for e in a))' "$STATE"
tap_ok $? "the state file's list has the sites' numbers, a tick's allocation in three"

# a state file written before the numbers: its sites named
python3 - "$STATE" <<'PY'
import json, sys, zlib
names = ["pte_alloc_one", "allocate_slab", "allocate_slab(SLAB_RECLAIM_ACCOUNT)",
         "alloc_thread_stack_node", "setup_zone_pageset", "kswapd_run", "kcompactd_run"]
p = sys.argv[1]
s = json.load(open(p))
allocs = s["machine"]["kmem"]["allocs"]
for i, e in enumerate(allocs):
    allocs[i] = [e[0], e[1], names[e[2]]] + (e[3:] if len(e) == 5 else [-1, True])
plain = json.dumps(s["machine"], separators=(",", ":")).replace("/", "\\/")
s["crc32"] = zlib.crc32(plain.encode())
json.dump(s, open(p, "w"))
PY
tap_ok $? "the state file rewritten with its sites named, five fields each (as before)"
start_fs_netns "${OPTS[@]}"
tap_ok $? "restart on it"
line=$(restore_line)
[[ "$line" == *"; the kernel's own allocations (slab, page tables, pagesets) are back at their pages" ]]
tap_ok $? "... the kernel's allocations are back at their pages: ${line#*not saved}"
same_text "$(kernel_pages --memfree 0 1 2 3)" "$before" "... the same kernel pages as before the stop"
done_testing
