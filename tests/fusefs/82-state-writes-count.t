#!/bin/bash
# `hotmemctl status`'s state-writes (hotmem-conform counts an agent's
# failed writes with it) counts a memoryN/state or online write that
# store_block_state() cannot parse as the kernel refuses it, EINVAL
# (state_store()'s mhp_online_type_from_str(), online_store()'s
# kstrtobool()): a write an agent made all the same.  A guard: the parse
# sits inside store_block()'s count_state_write().  Such a value is also
# counted apart ("unparsed"): hotmem-conform counts it a failed write, an
# EINVAL of a block already in that state a redundant one (it took both
# for redundant).
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory

mount_fs "hotmemfs mounts" --cmdline hotmem.kernel_alloc=off --fresh
w() { python3 "$HOTMEM_SRC/tests/fusefs/sysw.py" w "$1" "$2" | sed 's/^ret=.*/ok/'; }
writes() {
	ctl status --json | python3 -c 'import json,sys
w = json.load(sys.stdin)["state-writes"]
print(w["done"], w["refused"].get("EINVAL", 0), w.get("unparsed"))'
}
b=$(ls -d "$M"/memory* | sed 's/.*memory//' | sort -n | tail -1)
is "$(writes)" "0 0 0" "no state writes yet"
is "$(w "$M/memory$b/state" bogus)" EINVAL "memory$b/state <- bogus: EINVAL"
is "$(w "$M/memory$b/online" maybe)" EINVAL "memory$b/online <- maybe: EINVAL"
is "$(w "$M/memory$b/state" online_movable)" EINVAL "memory$b/state <- online_movable of an online block: EINVAL"
is "$(writes)" "0 3 2" "status: the three counted refused EINVAL, the two values it could not parse apart (unparsed)"
is "$(w "$M/memory$b/online" 1)" ok "memory$b/online <- 1 (online already): done"
is "$(writes)" "1 3 2" "status: one done"
ctl status | grep -q "^Writes: *memoryN/state 1 done, refused: EINVAL 3 (2 unparsable values)$"
tap_ok $? "hotmemctl status says so: $(ctl status | grep '^Writes:')"
done_testing
