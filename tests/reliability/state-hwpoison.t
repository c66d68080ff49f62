#!/bin/bash
# Pages retired through soft_offline_page and hard_offline_page stay
# retired in a running kernel until it reboots: the writes were
# acknowledged, so they survive kill -9 of hotmemfs (the state file's
# "hwpoison"), HardwareCorrupted and the pages' state as before.  A state
# file from before "hwpoison" still loads: nothing retired.  A retirement
# whose save fails cannot be undone (the kernel has no unpoison but
# hwpoison-inject's debugfs): hotmemfs stops taking changes.
. "$(dirname "$0")/lib.sh"
require_env
mf_profile

start_fs_netns "${OPTS[@]}" --fresh
tap_ok $? "hotmemfs mounts a machine with probe and memory_failure"
echo 0x200000000 >"$M/probe" && echo online_movable >"$M/memory64/state"
tap_ok $? "memory64 probed and online_movable"
is "$(W "$M/soft_offline_page" 0x200005000) $(W "$M/hard_offline_page" 0x200006000)" \
	"ret=11 ret=11" "a page soft-offlined, another hard-offlined"
is "$(hwc)" 8 "HardwareCorrupted: 8 kB"
want=$(sysfs_blocks)

kill9_fs
start_fs_netns "${OPTS[@]}"
tap_ok $? "restart after kill -9"
is "$(hwc)" 8 "... HardwareCorrupted is 8 kB again"
is "$(W "$M/hard_offline_page" 0x200005000) $(W "$M/hard_offline_page" 0x200006000)" "133 133" \
	"... both pages are poisoned: hard_offline_page of either is EHWPOISON (133)"
same_text "$(sysfs_blocks)" "$want" "... the blocks as they were"
is "$(W "$M/memory64/state" offline) $(W "$M/memory64/state" online)" "ret=7 133" \
	"... memory64 goes offline but will not come online again (EHWPOISON)"
ctl check >/dev/null
tap_ok $? "invariants hold"

# a clean restart, then a state file from before "hwpoison": none retired
stop_fs
start_fs_netns "${OPTS[@]}"
tap_ok $? "clean restart"
is "$(hwc) $(cat "$M/memory64/state")" "8 offline" \
	"... HardwareCorrupted is 8 kB, memory64 offline as it was (its pages retired while onlined for a moment)"
stop_fs
python3 - "$STATE" <<'PY'
import json, sys, zlib
p = sys.argv[1]
s = json.load(open(p))
s["machine"].pop("hwpoison", None)
plain = json.dumps(s["machine"], separators=(",", ":")).replace("/", "\\/")
s["crc32"] = zlib.crc32(plain.encode())
json.dump(s, open(p, "w"))
PY
start_fs_netns "${OPTS[@]}"
tap_ok $? "a state file without \"hwpoison\" loads"
is "$(hwc)" 0 "... no page retired: HardwareCorrupted 0 kB"
is "$(W "$M/memory64/state" online_movable)" "ret=14" "... memory64 onlines again"
is "$(W "$M/hard_offline_page" 0x200007000)" "ret=11" "... and a retirement is kept from then on"
kill9_fs
start_fs_netns "${OPTS[@]}"
tap_ok $? "restart after kill -9"
is "$(hwc)" 4 "... HardwareCorrupted is 4 kB"
stop_fs

# memory_failure()'s counters after kill -9 as before: the workload's
# kmalloc page ignored is free at the restart (the workload is not saved),
# and its replay counted it recovered (review8 #5)
start_fs_netns "${OPTS[@]}" --fresh --cmdline hotmem.kernel_alloc=off
tap_ok $? "hotmemfs mounts, no kernel allocations of its own"
F=$MNT/sys/devices/system/node/node0/memory_failure
mf() { for k in total ignored failed recovered; do printf '%s=%s ' $k "$(cat "$F/$k")"; done; }
echo 0x200000000 >"$M/probe" && echo online_kernel >"$M/memory64/state"
tap_ok $? "memory64 probed and online_kernel"
ctl alloc unmovable 1 node=0 >/dev/null
tap_ok $? "a kmalloc page of the workload, memory64's first"
is "$(W "$M/hard_offline_page" 0x200000000) $(W "$M/hard_offline_page" 0x200002000)" \
	"EBUSY ret=11" "hard_offline_page: the kmalloc page ignored, a free one recovered"
before=$(mf)
is "$before" "total=2 ignored=1 failed=0 recovered=1 " "... counted"
kill9_fs
start_fs_netns "${OPTS[@]}" --cmdline hotmem.kernel_alloc=off
tap_ok $? "restart after kill -9"
is "$(mf)" "$before" "... nodeN/memory_failure/ as before"
is "$(hwc)" 8 "... HardwareCorrupted: 8 kB"
stop_fs

# soft_offline_page of a HugeTLB pool page dissolves its huge page: the
# pool one smaller, the page retired, both after kill -9
start_fs_netns "${OPTS[@]}" --fresh --cmdline hotmem.kernel_alloc=off
tap_ok $? "hotmemfs mounts"
H=$MNT/sys/devices/system/node/node0/hugepages/hugepages-2048kB
# huge pages come from ZONE_MOVABLE first: 64 of them fill memory64
echo 0x200000000 >"$M/probe" && echo online_movable >"$M/memory64/state" && echo 64 >"$H/nr_hugepages"
tap_ok $? "memory64 online_movable, 64 huge pages"
is "$(cat "$H/free_hugepages")" 64 "... all free"
is "$(W "$M/soft_offline_page" 0x200405000)" "ret=11" "soft_offline_page of a page of one: retired"
is "$(cat "$H/nr_hugepages") $(hwc)" "63 4" "... its huge page dissolved: 63 left, HardwareCorrupted 4 kB"
kill9_fs
start_fs_netns "${OPTS[@]}" --cmdline hotmem.kernel_alloc=off
tap_ok $? "restart after kill -9"
is "$(cat "$H/nr_hugepages") $(hwc)" "63 4" "... the same"
stop_fs

# a retirement whose save fails cannot be undone: frozen, the file's machine after kill -9
state_on_small_tmpfs hotmem-hwpoison
start_fs_netns "${OPTS[@]}" --fresh
tap_ok $? "hotmemfs mounts, its state file on a small tmpfs"
echo 0x200000000 >"$M/probe" && echo online_movable >"$M/memory64/state"
tap_ok $? "memory64 probed and online_movable"
fill_sd
# the journal's last page may still have room: retirements until one is refused
for ((n = 0; n < 200; n++)); do
	r=$(W "$M/soft_offline_page" "$(printf 0x%x $((0x200005000 + n * 4096)))")
	[ "$r" = ret=11 ] || break
done
is "$r" "ENOSPC" "a soft_offline_page is refused with the save's errno (after $n acknowledged)"
grep -q "takes no more changes: saving the state file .* failed (No space left on device) and the page's retirement (soft/hard_offline_page) could not be undone: the kernel cannot unpoison" "$TMP/hotmemfs.log"
tap_ok $? "... the log says hotmemfs takes no more changes, and why"
is "$(W "$M/hard_offline_page" 0x201000000)" "EROFS" "... a later retirement gets EROFS"
kill9_fs
rm -f "$SD/fill" "$SD/fill2"
start_fs_netns "${OPTS[@]}"
tap_ok $? "restart after kill -9"
is "$(hwc)" $((4 * n)) "... the file's machine: the $n acknowledged pages retired, not the refused one"
done_testing
