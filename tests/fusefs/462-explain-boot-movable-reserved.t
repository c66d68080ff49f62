#!/bin/bash
# hotmemctl explain of a boot ZONE_MOVABLE block holding memblock's
# reservations (PG_reserved) says what its offline does: EBUSY at once,
# at the first reserved page, as has_unmovable_pages() refuses it (6.12:
# PageReserved before the ZONE_MOVABLE shortcut).  It said "migrates
# until a signal ends it (EINTR)" (reread33 R1): explain had a test of
# its own that trusted ZONE_MOVABLE.  default with movablecore=50%:
# memory7, the top block, holds the boot memmap (memblock top-down);
# memory6 holds nothing and goes offline, as its explain says.
. "$(dirname "$0")/lib.sh"
require_env

mount_fs "default, movablecore=50%" --profile default --fresh -S none \
	--cmdline "movablecore=50% hotmem.kernel_alloc=off"
M=$MNT/sys/devices/system/memory
is "$(cat "$M/memory7/valid_zones")" "Movable" "memory7 is boot Movable"
ctl explain 7 >"$TMP/explain7" 2>&1
is "$(grep '^offline:' "$TMP/explain7")" \
	'offline: fails at once with EBUSY: start_isolate_page_range() finds an unmovable page, the first at pfn 0x3f000 ("page dumped because: unmovable page"); 4096 pages never migrate, by owner below' \
	"explain 7: EBUSY at once, at the memmap's first page (it said: migrates until a signal, EINTR)"
grep -qE '^  memblock  4096 pages in 4096 entries: memblock: reserved at boot$' "$TMP/explain7"
tap_ok $? "... the 4096 pages by owner: memblock"
is "$(ctl -j explain 7 | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["verdict"], d["zone"], d["blocking_pages"])')" \
	"ebusy Movable 4096" "explain -j 7: verdict ebusy"
is "$(w "$M/memory7/state" offline)" EBUSY "echo offline > memory7/state: EBUSY, as explain said"
is "$(cat "$M/memory7/state")" online "... memory7 stays online"
ctl dmesg >"$TMP/dmesg" 2>&1
grep -q 'pfn:0x3f000$' "$TMP/dmesg" && grep -q 'page dumped because: unmovable page' "$TMP/dmesg"
tap_ok $? "... dmesg dumps pfn 0x3f000, the page explain named"
is "$(ctl -j explain 6 | python3 -c 'import json,sys; print(json.load(sys.stdin)["verdict"])')" \
	ok "explain 6 (boot Movable, nothing reserved): ok"
is "$(w "$M/memory6/state" offline)" ret=7 "... and memory6 goes offline"
done_testing
