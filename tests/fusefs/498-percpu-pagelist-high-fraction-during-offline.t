#!/bin/bash
# A vm.percpu_pagelist_high_fraction write waits for a looping offline,
# as 6.12's percpu_pagelist_high_fraction_sysctl_handler() waits for the
# pcp_batch_high_lock offline_pages() holds (zone_pcp_disable()) from
# its start to its end; a read does not (proc_dointvec_minmax()'s read
# in the handler is under that lock in 6.12 too -- mutex_lock() before
# the parse -- but hotmem's read takes no change_lock: the value as it
# was is what a read after the offline would give as well).  The write
# is answered once the offline ends and sets every populated zone's
# limits from the managed pages of then (memory33 offline): DMA32's and
# Movable's managed / 100 over the CPUs.  A writer killed -9 while it
# waits is gone and changes nothing.  With the write set at once, not
# through hmfs_change() (store_percpu_pagelist_high_fraction() calling
# the engine's setter), checks 5, 8 and 9 fail (pcpfile43).
. "$(dirname "$0")/lib.sh"
require_env
need_tool python3 python3
NCPU=$(getconf _NPROCESSORS_ONLN)
F=$MNT/proc/sys/vm/percpu_pagelist_high_fraction
managed() { awk -v z="$1" '/^Node/ { on = ($2 == "0," && $4 == z) } on && $1 == "managed" { print $2; exit }' "$MNT/proc/zoneinfo"; }
want() {
	local h=$(($(managed "$1") / $3 / NCPU))
	[ "$h" -lt $((4 * $2)) ] && h=$((4 * $2))
	echo "$h $h"
}

vmem_offline_loops "(a guest's offline looping)"
killed_while_looping "percpu_pagelist_high_fraction" "$F" 8
python3 "$HOTMEM_SRC/tests/fusefs/sysw.py" w "$F" 100 >"$TMP/wf.out" 2>&1 &
wf=$!
in_fuse_write "$wf" && looping
tap_ok $? "a percpu_pagelist_high_fraction write waits behind memory33's looping offline"
is "$(cat "$F")" 0 "... a read answers meanwhile, the value as it was (the killed writer's 8 not taken)"
ctl free-all >/dev/null
wait "$OFF" "$wf"
is "$(cat "$TMP/wf.out")" ret=3 "the offline ended: the write is answered"
is "$(cat "$F")" 100 "... percpu_pagelist_high_fraction 100"
for z in DMA32 Movable; do
	set -- $(zone_pcp $z)
	is "$2 $3" "$(want $z "$1" 100)" "$z: high_min = high_max = managed / 100 over $NCPU CPUs (batch $1)"
done
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
