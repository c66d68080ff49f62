#!/bin/bash
# hotmem profile --from-sysfs counts System RAM wherever proc/iomem nests
# it, as 6.12's walk_system_ram_range() does (find_next_iomem_res() walks
# the whole resource tree): memory added inside a reserved e820 range
# nests under it ("20000000-2fffffff : Reserved" /
# "  20000000-2fffffff : System RAM", __request_region_locked() descending
# into a resource not busy; hotmem's engine so since a08568da).  Before,
# only top-level System RAM cut the boot RAM lines, and such memory, taken
# as boot memory, was dropped from them: the profile booted without it.
# The dump: the real 6.12.117 qemu-512m guest's capture with 256 MiB more
# (memory4-5, online) nested under a Reserved range, no firmware_node
# links (every block below 4 GiB taken as boot memory).
. "$(dirname "$0")/lib.sh"
require_env
HM=$HOTMEM_BUILD/hotmem
D=$TMP/dump
capture_dump qemu-6.12-qemu-512m "$D"
"$HM" profile --from-sysfs "$D" -o "$TMP/plain.profile" 2>/dev/null
tap_ok $? "the guest's dump: hotmem profile --from-sysfs (the control)"

M=$D/sys/devices/system/memory
for i in 4 5; do
	mkdir "$M/memory$i"
	cp "$M/memory3/state" "$M/memory3/valid_zones" "$M/memory$i/"
done
sed -i 's/^20000000-febfffff : PCI Bus 0000:00$/20000000-2fffffff : Reserved\n  20000000-2fffffff : System RAM\n30000000-febfffff : PCI Bus 0000:00/' \
	"$D/proc/iomem"
is "$(grep -A1 '^20000000-2fffffff : Reserved$' "$D/proc/iomem" | tail -1)" "  20000000-2fffffff : System RAM" \
	"the dump: memory4-5's System RAM nested under a Reserved range"
"$HM" profile --from-sysfs "$D" -o "$TMP/nested.profile" 2>"$TMP/nested.notes"; profile_notes "$TMP/nested.profile" "$TMP/nested.notes"
tap_ok $? "hotmem profile --from-sysfs of it" || diag "$(cat "$TMP/nested.notes")"
is "$(grep '^ram = ' "$TMP/nested.profile")" "ram = 0x1000-0x9efff node=0
ram = 0x100000-0x1ffdffff node=0
ram = 0x20000000-0x2fffffff node=0" "... the nested System RAM is boot RAM's third line"
memtotal() { echo meminfo | "$HM" --profile "$1" run - | sed -n 's/^MemTotal: *\([0-9]*\) kB$/\1/p'; }
plain=$(memtotal "$TMP/plain.profile")
nested=$(memtotal "$TMP/nested.profile")
[ -n "$plain" ] && [ -n "$nested" ] && [ $((nested - plain)) -gt 250000 ]
tap_ok $? "... the profile boots with it: MemTotal $plain kB -> $nested kB (256 MiB more)"
done_testing
