#!/bin/bash
# A refused eject's rollback onlines a block with the online type a refused
# state write left in it (usereye10 U9): 6.12's state_store() sets
# mem->online_type before device_online(), which returns 1 for an online
# block (EINVAL) and leaves online_movable there; memory_subsys_online()
# defaults only MMOP_OFFLINE to MMOP_ONLINE.  So memory33 (Normal, then a
# refused `echo online_movable`) comes back Movable: the refusal says so,
# naming online_movable and the write that left it, not "(MMOP_ONLINE)",
# which cannot give Movable there.  The blocks with no such write still
# come back with MMOP_ONLINE, said as before.
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory

mount_fs "hotmemfs mounts" --fresh
ctl device_add pc-dimm id=d1 size=1G addr=0x100000000 >/dev/null
echo online_kernel >"$M/memory32/state"
ctl alloc unmovable 1000 >/dev/null
echo online >"$M/memory33/state"
for b in 34 35 36 37 38 39; do echo online_movable >"$M/memory$b/state"; done
is "$(cat "$M"/memory3[23]/valid_zones | sort -u) $(cat "$M"/memory3[4-9]/valid_zones | sort -u)" \
	"Normal Movable" "d1: memory32-33 Normal, memory34-39 Movable"
echo online_movable >"$M/memory33/state" 2>/dev/null
tap_ok $((! $?)) "echo online_movable > memory33/state: refused (already online)"
out=$(ctl device_del d1 2>&1)
tap_ok $((! $?)) "device_del d1 refused (memory32 holds unmovable pages)"
is "$(cat "$M"/memory33/valid_zones)" Movable "... memory33 back online in ZONE_MOVABLE (the stale online_movable)"
grep -qF '; memory33 back online as online_movable, left by a refused `echo online_movable > state` (6.12 state_store()): now Movable, were Normal' <<<"$out"
tap_ok $? "... the refusal names online_movable and the write that left it" || diag "$out"
grep -q "memory33[^;]*(MMOP_ONLINE)" <<<"$out"
tap_ok $((! $?)) "... and does not say MMOP_ONLINE for memory33"
grep -qF "; memory34-39 back online (MMOP_ONLINE): now Normal, were Movable" <<<"$out"
tap_ok $? "... the others' MMOP_ONLINE line as before"
ctl check >/dev/null
tap_ok $? "invariants hold"
ctl free-all >/dev/null
stop_fs
done_testing
