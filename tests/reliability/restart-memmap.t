#!/bin/bash
# A DIMM's memmap from system RAM (not memmap_on_memory) is where it was
# after a restart on the state file (its "memmap"), after kill -9 and a
# clean stop: the engine's view (`hotmemctl explain N --all`, the
# "memmap ... from system RAM" entries of every block), MemFree per node
# and /proc/zoneinfo's free pages as before.  note20 (emend4 item 5):
# the restore adds every device before it onlines any block, so a DIMM
# added after an earlier DIMM's block went online, whose memmap the
# buddy gave from that block, got one from boot memory instead.  A file
# from before "memmap" restores as before (the buddy's choice).  A
# malformed "memmap" entry is left out and said; json-c asserted on a
# non-array one and hotmemfs aborted at the restore (review44 F2: the
# check after "memmap gains 7" fails without the fix, mount refused).
. "$(dirname "$0")/lib.sh"
require_env
# the default kernel_alloc, as a guest's
OPTS=(--profile qemu-512m)
view() { memmap_view $(seq 0 3) $(seq 32 39); }

start_fs_netns "${OPTS[@]}" --fresh
tap_ok $? "hotmemfs mounts qemu-512m with a fresh state file"
ctl device_add pc-dimm size=256M id=dimm1 >/dev/null && echo online >"$M/memory32/state"
tap_ok $? "a 256M DIMM (memory32-33), memory32 online (ZONE_NORMAL)"
ctl device_add pc-dimm size=256M id=dimm2 >/dev/null
tap_ok $? "a second 256M DIMM (memory34-35), its memmap from the buddy"
grep -q 'from system RAM' <<<"$(ctl explain 32 --all)"
tap_ok $? "... which gave dimm2's memmap from memory32 (explain 32 lists it)"
before=$(view)

kill9_fs
start_fs_netns "${OPTS[@]}"
tap_ok $? "restart on the state file after kill -9"
same_text "$(view)" "$before" "... every memmap at its pages, MemFree per node and zoneinfo's free as before"
is "$(grep -c 'memmap.*not back' "$TMP/hotmemfs.log")" 0 "... the restore says no memmap astray"

stop_fs
start_fs_netns "${OPTS[@]}"
tap_ok $? "restart on the state file after a clean stop"
same_text "$(view)" "$before" "... the same memmaps, MemFree and zoneinfo"

# a malformed entry (a number, not a list) appended, the checksum redone
stop_fs
python3 - "$STATE" <<'PY2'
import json, sys, zlib
p = sys.argv[1]
s = json.load(open(p))
s["machine"]["memmap"].append(7)
plain = json.dumps(s["machine"], separators=(",", ":")).replace("/", "\\/")
s["crc32"] = zlib.crc32(plain.encode())
json.dump(s, open(p, "w"))
PY2
start_fs_netns "${OPTS[@]}"
tap_ok $? "a state file whose \"memmap\" gains 7 (no entry) restores"
same_text "$(view)" "$before" "... the other memmaps at their pages, MemFree and zoneinfo as before"
is "$(grep -c '"memmap" entry malformed: left out' "$TMP/hotmemfs.log")" 1 "... the entry left out, and said"

# a file from before "memmap" (written whole at the clean stop)
stop_fs
state_drop_key memmap
start_fs_netns "${OPTS[@]}"
tap_ok $? "a state file from before \"memmap\" restores"
! grep -q 'from system RAM' <<<"$(ctl explain 32 --all)"
tap_ok $? "... as before: dimm2's memmap where the buddy puts it, not in memory32"
stop_fs
python3 -c 'import json,sys; sys.exit("memmap" not in json.load(open(sys.argv[1]))["machine"])' "$STATE"
tap_ok $? "... and its next save has them"
done_testing
