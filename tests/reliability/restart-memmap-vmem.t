#!/bin/bash
# A virtio-mem block's memmap from system RAM is where it was after a
# restart before the next whole save: the virtio-mem driver's plugging
# after an online is a "device" record of its own, which carries the
# memmaps of its ranges' sections ("memmap", as a DIMM's add has them in
# its "set"; restart-memmap.t).  Without them (reread21 H9) the restore
# added the block's memory before any block was online, its memmap came
# from boot memory and stayed there: `hotmemctl explain`'s "memmap ...
# from system RAM" entries, MemFree per node and /proc/zoneinfo's free
# pages differed.  A record from before "memmap" restores as before;
# one naming a section outside its ranges is damage.
. "$(dirname "$0")/lib.sh"
require_env
# the default kernel_alloc, as a guest's
OPTS=(--profile qemu-512m)
# vm0's first block
vm_first() { ctl --json status | python3 -c 'import json,sys; s=json.load(sys.stdin); print([d["memaddr"] for d in s["devices"] if d["id"] == "vm0"][0] // (128 << 20))'; }
view() { memmap_view 0 1 2 3 32 33 $(seq "$V" $((V + 15))); }
# the journal's last record's kind and its "memmap"'s length ("device 1")
last_record() {
	journal_text | tail -n 1 | python3 -c '
import json, sys
rec = json.loads(sys.stdin.read().split(" ", 1)[1])
kind = [k for k in rec if k not in ("seq", "kmem")][0]
print(kind, len(rec[kind].get("memmap", [])) if kind == "device" else "-")'
}
# the journal's "device" records without "memmap" (a journal from before it), checksums redone
drop_record_memmap() {
	python3 - "$STATE.journal" <<'PY'
import json, sys, zlib
p = sys.argv[1]
data = open(p, "rb").read()
end = data.find(b"\0") if b"\0" in data else len(data)
out = b""
for line in data[:end].decode().splitlines():
    rec = json.loads(line.split(" ", 1)[1])
    if "device" in rec:
        rec["device"].pop("memmap", None)
    t = json.dumps(rec, separators=(",", ":")).encode()
    out += b"%08x %s\n" % (zlib.crc32(t), t)
open(p, "wb").write(out)
PY
}

start_fs_netns "${OPTS[@]}" --fresh
tap_ok $? "hotmemfs mounts qemu-512m with a fresh state file"
ctl device_add pc-dimm size=256M id=dimm1 >/dev/null && echo online >"$M/memory32/state"
tap_ok $? "a 256M DIMM (memory32-33), memory32 online (ZONE_NORMAL)"
ctl device_add virtio-mem-pci id=vm0 size=2G requested-size=1152M >/dev/null
tap_ok $? "virtio-mem vm0, 2G region, requested 1152M"
V=$(vm_first)
is "$(plugged)" $((1 << 30)) "... 1G plugged (memory$V on), the driver waits for onlines"
# 6.12's MEM_ONLINE notifier queues the driver's work once half its
# offline_threshold is online (virtio_mem_could_add_memory(vm, 512M))
for b in $(seq "$V" $((V + 3))); do echo online_movable >"$M/memory$b/state" || break; done
tap_ok $? "memory$V-$((V + 3)) (vm0) online_movable"
is "$(plugged)" $((1152 << 20)) "... and the driver plugs one block more"
is "$(last_record)" "device 9" "... its record, a \"device\" one, carries the memmaps of vm0's 9 blocks"
grep -q 'from system RAM' <<<"$(ctl explain 32 --all)"
tap_ok $? "... which the buddy gave from memory32 (explain 32 lists memmaps)"
before=$(view)
cp "$STATE" "$TMP/state"
cp "$STATE.journal" "$TMP/journal"

kill9_fs
start_fs_netns "${OPTS[@]}"
tap_ok $? "restart on the state file and its journal after kill -9"
same_text "$(view)" "$before" "... every memmap at its pages, MemFree per node and zoneinfo's free as before"
is "$(grep -c 'memmap.*not back' "$TMP/hotmemfs.log")" 0 "... the restore says no memmap astray"

# a journal from before the record's "memmap": as before, the buddy's choice
stop_fs
cp "$TMP/state" "$STATE"
cp "$TMP/journal" "$STATE.journal"
drop_record_memmap
start_fs_netns "${OPTS[@]}"
tap_ok $? "a journal whose \"device\" record has no \"memmap\" (from before it) restores"
[ "$(view)" != "$before" ]
tap_ok $? "... as before: the driver's block's memmap where the buddy puts it"
ctl check >/dev/null
tap_ok $? "... invariants hold"

# a "device" record's "memmap" naming a section outside its ranges: damage
stop_fs
cp "$TMP/state" "$STATE"
cp "$TMP/journal" "$STATE.journal"
n=$(journal_append '[{"device": {"ranges": [['"$V"', 16]], "devices": [], "blocks": [], "memmap": [[0, 1]]}},
 {"set": {"probed": []}}]')
refused "journal $STATE.journal is damaged: record $n of [0-9]* is a change that does not fit the machine before it" "a \"device\" record's memmap outside its ranges" "${OPTS[@]}"
done_testing
