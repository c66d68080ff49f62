#!/bin/bash
# The undo of a failed change leaves the watermarks and the reserves as
# they were (reread31 R1).  6.12 sets them only at an online, an offline
# or a watermark sysctl's write (init_per_zone_wmark_min(),
# setup_per_zone_wmarks(), setup_per_zone_lowmem_reserve()), so a
# managed count moved in between -- virtio-mem sub-blocks plugged into a
# block already online (virtio_mem_fake_online()) -- is not in them.  A
# change whose save then fails is undone, and the undo set the watermark
# sysctls again from "params" unchanged: each setter ran
# __setup_per_zone_wmarks()/setup_per_zone_lowmem_reserve() from the
# managed pages of now, and /proc/zoneinfo's min/low/high/protection
# moved although nothing was changed.  A failed watermark sysctl write is
# undone from the engine's exact snapshot (R9), and an undone offline
# sets the sysctls back before it regrows the pool (R7).
set -u
. "$(dirname "$0")/lib.sh"
require_sync_fail
export HOTMEM_TEST_JOURNAL_WRITE_FAIL=$TMP/wfail
H=$MNT/sys/devices/system/node/node0/hugepages/hugepages-2048kB
# zoneinfo's Movable zone: managed, its watermarks and protections (not its pagesets')
movable() { awk '/^Node/ {z = $4} z == "Movable" && /^        (managed|min|low|high|protection)/' "$MNT/proc/zoneinfo"; }
wmarks() { movable | grep -v managed; }

LD_PRELOAD=$SHIM start_fs_netns "${STATE_OPTS[@]}" --fresh
tap_ok $? "hotmemfs mounts qemu-512m with a fresh state file"
echo online_movable >"$M/auto_online_blocks"
tap_ok $? "auto_online_blocks online_movable"
ctl device_add virtio-mem-pci id=vm0 size=1G requested-size=64M >/dev/null
is "$(plugged)" $((64 << 20)) "virtio-mem vm0 plugs 64M: half of memory32, online"
before=$(movable)
ctl set-size vm0 128M >/dev/null
is "$(plugged)" $((128 << 20)) "vm0 requested 128M: the other half plugged into memory32, online"
tap_ok "$([ "$(movable | grep managed)" != "$(echo "$before" | grep managed)" ]; echo $?)" \
	"... Movable's managed pages moved: $(movable | grep managed | tr -s ' ')"
is "$(wmarks)" "$(echo "$before" | grep -v managed)" "... its watermarks and protections did not (6.12 sets none)"
expect=$(movable)
refused_save 1 "$H/nr_hugepages" "nr_hugepages <- 1" "... the machine as before"
is "$(movable)" "$expect" "... zoneinfo's Movable watermarks and protections as before the failed write"

# the failed write a watermark sysctl's own (reread31 R9): its undo set
# the old value again, which computed every zone's marks or reserves from
# the managed pages of now; it stores back the ones before the write
V=$MNT/proc/sys/vm
marks() { grep -E '^Node|^        (min|low|high|protection)' "$MNT/proc/zoneinfo"; }
expect=$(marks)
refused_save 150 "$V/watermark_scale_factor" "watermark_scale_factor <- 150" "... the machine as before"
is "$(cat "$V/watermark_scale_factor")" 10 "... watermark_scale_factor 10 again"
is "$(marks)" "$expect" "... every zone's watermarks as before the failed write"
refused_save 100 "$V/min_free_kbytes" "min_free_kbytes <- 100" "... the machine as before"
is "$(marks)" "$expect" "... every zone's watermarks as before the failed write"
refused_save "100 100 8 0 0" "$V/lowmem_reserve_ratio" "lowmem_reserve_ratio <- '100 100 8 0 0'" \
	"... the machine as before"
is "$(marks)" "$expect" "... every zone's protections as before the failed write"

# the same writes with the journal's write itself failing (no fdatasync
# reached): vm.lowmem_reserve_ratio's lock-free write set the old ratios
# again, which computed the reserves from the managed pages of now; each
# is stored back from the snapshot (rerfix31a), and the refusal names
# the sysctl written
# refused_write VALUE FILE WHAT NAME: as refused_save, the journal's pwrite() failing
refused_write() {
	local before
	before=$(snapshot)
	: >"$HOTMEM_TEST_JOURNAL_WRITE_FAIL"
	echo "$1" >"$2" 2>/dev/null
	tap_ok $((! $?)) "$3 is refused, its journal write failing"
	rm -f "$HOTMEM_TEST_JOURNAL_WRITE_FAIL"
	same_text "$(snapshot)" "$before" "... the machine as before"
	is "$(marks)" "$expect" "... every zone's watermarks and protections as before the failed write"
	grep -q "the $4 was undone" "$TMP/hotmemfs.log"
	tap_ok $? "... the log names it: the $4 was undone"
}
refused_write "100 100 8 0 0" "$V/lowmem_reserve_ratio" "lowmem_reserve_ratio <- '100 100 8 0 0'" \
	vm.lowmem_reserve_ratio
refused_write 150 "$V/watermark_scale_factor" "watermark_scale_factor <- 150" vm.watermark_scale_factor
refused_write 100 "$V/min_free_kbytes" "min_free_kbytes <- 100" vm.min_free_kbytes

# an undone offline onlines the block again, which computes
# min_free_kbytes over the operator's lower one, and then regrows the
# pool the offline dissolved: under those watermarks it came back short,
# the machine differed from before and hotmemfs froze (reread31 R7)
is "$(w "$V/min_free_kbytes" 128)" ret=3 "min_free_kbytes <- 128"
is "$(w "$V/nr_hugepages" 100000)" ret=6 "nr_hugepages <- 100000"
n=$(cat "$V/nr_hugepages")
refused_save offline "$M/memory2/state" "memory2 offline, dissolving its free huge pages," \
	"... the machine as before"
is "$(cat "$V/nr_hugepages") $(cat "$V/min_free_kbytes")" "$n 128" "... nr_hugepages $n, min_free_kbytes 128"
grep -q "takes no more changes" "$TMP/hotmemfs.log"
tap_ok $((! $?)) "... hotmemfs not frozen"
ctl check >/dev/null
tap_ok $? "invariants hold"
done_testing
