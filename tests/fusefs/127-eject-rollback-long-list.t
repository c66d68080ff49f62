#!/bin/bash
# A refused eject of a big DIMM whose blocks alternate between Movable and
# Normal: the rollback brings every other block back in another zone, a
# list longer than device_del's message holds.  It ends ",..." after the
# last whole block number, never inside one ("memory32,34,3", review13 N3).
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory

mount_fs "hotmemfs mounts" --fresh
# a 16 GiB DIMM at 4 GiB, memory32-159: memory32 online_kernel with the
# kernel's pages, then Movable and Normal by turns (memory33 Movable, 34
# Normal, ...): the rollback moves memory33,35,...,159 from Movable to Normal
ctl device_add pc-dimm id=d1 size=16G addr=0x100000000 >/dev/null
tap_ok $? "device_add a 16 GiB DIMM"
echo online_kernel >"$M/memory32/state"
ctl alloc unmovable 1000 >/dev/null
for ((b = 33; b < 160; b++)); do
	if ((b % 2)); then echo online_movable; else echo online_kernel; fi >"$M/memory$b/state"
done
is "$(cat "$M/memory33/valid_zones") $(cat "$M/memory34/valid_zones") $(cat "$M/memory159/valid_zones")" \
	"Movable Normal Movable" "memory33 Movable, memory34 Normal, ... memory159 Movable"
out=$(ctl device_del d1 2>&1)
tap_ok $((! $?)) "device_del d1 refused (memory32 holds unmovable pages)"
is "$(cat "$M/memory159/valid_zones")" Normal "... memory159 back online in ZONE_NORMAL"
list=${out#*says why; }
list=${list%% back online (MMOP_ONLINE)*}
grep -Eq '^memory33(,[0-9]+)+,\.\.\.$' <<<"$list"
tap_ok $? "... the moved blocks' list ends ',...' after a whole number: $list"
# every number in it one the rollback moved: none cut short
bad=
for b in $(tr , ' ' <<<"${list#memory}" | sed 's/\.\.\.//'); do
	((b % 2 && b >= 33 && b <= 159)) || bad="$bad $b"
done
is "$bad" "" "... each number in it a moved block's"
grep -q " back online (MMOP_ONLINE): now Normal, were Movable -- the kernel allocates there at once" <<<"$out"
tap_ok $? "... then what it says of the zones"
ctl free-all >/dev/null
ctl check >/dev/null
tap_ok $? "invariants hold"
done_testing
