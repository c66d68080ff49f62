#!/bin/bash
# A living kernel through hotmemfs --profile qemu-512m, with no explicit
# allocation: what a Debian 6.1 QEMU guest (-m 512M, 128 MiB blocks,
# DIMMs at 4 GiB) does every time (issue #10):
#  - online memory32 (Normal) + online_movable memory33: 33 offlines, 32 is
#    EBUSY every time, and device_del of the DIMM removes nothing;
#  - memmap_on_memory=1, two 128 MiB DIMMs: memory32 EBUSY, the second goes;
#  - four DIMMs, eight Normal blocks: memory32 EBUSY, 33-39 go, Normal's
#    spanned stays 262144 until memory39 goes (then 32768);
#  - memhp_default_state=online_movable, offline both, online both into
#    Normal: the lower one is EBUSY, the upper one goes;
#  - every Movable block goes (20 of 20);
# and why: hotmemfs's log hint, hotmemctl explain and dmesg, the ACPI eject's
# _OST event; a pinned Movable block's offline ends in EINTR at a signal.
. "$(dirname "$0")/../fusefs/lib.sh"
require_env

M=$MNT/sys/devices/system/memory
state() { cat "$M/memory$1/state"; }
# offline N: the write's exit status (the shell reports the errno)
offline() { echo offline 2>"$TMP/err" >"$M/memory$1/state"; }
busy() { ! offline "$1" && grep -q "Device or resource busy" "$TMP/err"; }
spanned() { awk '/^Node 0, zone +Normal/ { on = 1 } on && /spanned/ { print $2; exit }' "$MNT/proc/zoneinfo"; }

start_fs --profile qemu-512m --fresh
tap_ok $? "hotmemfs mounts qemu-512m (a running kernel by default)"
ctl device_add pc-dimm id=d1 size=256M addr=0x100000000 >/dev/null
tap_ok $? "a 256 MiB DIMM at 4 GiB"
echo online >"$M/memory32/state" && echo online_movable >"$M/memory33/state"
tap_ok $? "online memory32, online_movable memory33"
offline 33
tap_ok $? "memory33 (Movable) goes offline"
busy 32
tap_ok $? "memory32 (the first Normal block) is EBUSY"
busy 32
tap_ok $? "memory32 is EBUSY again"
is "$(state 32)" online "memory32 stays online"
ctl device_del d1 >/dev/null 2>&1
tap_ok $((! $?)) "device_del d1 is refused"
is "$(ls -d "$M"/memory3[23] 2>/dev/null | wc -l)" 2 "device_del removed nothing"
stop_fs

start_fs --profile qemu-512m --fresh --cmdline memory_hotplug.memmap_on_memory=1
ctl device_add pc-dimm id=d1 size=128M addr=0x100000000 >/dev/null &&
	ctl device_add pc-dimm id=d2 size=128M addr=0x108000000 >/dev/null
tap_ok $? "memmap_on_memory=1: two 128 MiB DIMMs"
echo online >"$M/memory32/state" && echo online >"$M/memory33/state"
busy 32
tap_ok $? "memmap_on_memory=1: memory32 is EBUSY"
offline 33 && ctl device_del d2 >/dev/null
tap_ok $? "memmap_on_memory=1: the second DIMM offlines and is removed"
[ ! -e "$M/memory33" ]
tap_ok $? "memmap_on_memory=1: memory33 is gone"
stop_fs

start_fs --profile qemu-512m --fresh
for d in 0 1 2 3; do
	ctl device_add pc-dimm id=d$d size=256M addr=$((0x100000000 + d * 0x10000000)) >/dev/null || nok "dimm $d"
done
for b in $(seq 32 39); do echo online >"$M/memory$b/state"; done
busy 32 && busy 32
tap_ok $? "eight Normal blocks: memory32 is EBUSY twice"
ok_all=0 span_ok=0
for b in $(seq 33 38); do
	offline "$b" || ok_all=1
	[ "$(spanned)" = 262144 ] || span_ok=1
done
tap_ok $ok_all "memory33-38 go offline"
tap_ok $span_ok "Normal's spanned stays 262144 while memory33-38 go"
offline 39
tap_ok $? "memory39 goes offline"
is "$(spanned)" 32768 "Normal's spanned drops to 32768 when memory39 goes"
stop_fs

start_fs --profile qemu-512m --fresh --cmdline memhp_default_state=online_movable
ctl device_add pc-dimm id=d1 size=256M addr=0x100000000 >/dev/null
is "$(cat "$M/memory32/valid_zones" "$M/memory33/valid_zones" | tr '\n' ' ')" "Movable Movable " \
	"memhp_default_state=online_movable: both blocks Movable"
offline 32 && offline 33 && echo online >"$M/memory32/state" && echo online >"$M/memory33/state"
tap_ok $? "offline both, online both"
is "$(cat "$M/memory32/valid_zones")" Normal "memory32 now Normal"
busy 32
tap_ok $? "the lower Normal block is EBUSY"
offline 33
tap_ok $? "the upper one goes offline"
moved=0
for i in $(seq 20); do
	echo online_movable >"$M/memory33/state" && offline 33 && moved=$((moved + 1))
done
is "$moved" 20 "a Movable block goes offline 20 times of 20"
stop_fs

# why it failed: the hint in hotmemfs's log, dmesg and explain after the fact
start_fs --profile qemu-512m --fresh
# hotmemctl itself in the background ($! is it, not a subshell running
# ctl), following once hotmemfs counts it: until hotmemfs stops
"$HMCTL" -s "$CTL" -j events >"$TMP/ev.json" 2>"$TMP/ev.err" &
evpid=$!
followers() { ctl -j status | python3 -c 'import json,sys; print(json.load(sys.stdin)["control"]["followers"])'; }
for _ in $(seq 600); do [ "$(followers)" = 1 ] && break; sleep 0.05; done
ctl device_add pc-dimm id=d1 size=256M addr=0x100000000 >/dev/null
echo online >"$M/memory32/state" && echo online_movable >"$M/memory33/state"
busy 32
tap_ok $? "memory32 EBUSY (for the record)"
grep -q "memory32: offline failed (EBUSY): .hotmemctl explain 32." "$TMP/hotmemfs.log"
tap_ok $? "hotmemfs's log line says where to look: hotmemctl explain 32"
out=$(ctl explain 32)
grep -q "^offline: fails at once with EBUSY" <<<"$out" && grep -qE "^  0x100000 +0 .*kernel" <<<"$out"
tap_ok $? "hotmemctl explain 32 names the kernel's page at the block's first pfn"
grep -q "^zone: contig-zones" <<<"$out"
tap_ok $? "... and the zone rule that put it in Normal"
is "$(ctl -j explain 32 | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["verdict"], d["pages"][0]["kind"], d["pages"][0]["pfn"])')" \
	"ebusy kernel 0x100000" "hotmemctl -j explain 32: verdict, owner kind and pfn as JSON"
ctl dmesg | grep -q "^<4>page dumped because: unmovable page"
tap_ok $? "hotmemctl dmesg keeps dump_page's unmovable page after the fact"
ctl dmesg | grep -q "^<7>memory offlining \[mem 0x100000000-0x107ffffff\] failed due to failure to isolate range"
tap_ok $? "hotmemctl dmesg keeps the offline failure's reason"
awk '/^(Slab|SReclaimable|SUnreclaim|KernelStack|PageTables):/ && $2 > 0 { n++ } END { exit n != 5 }' "$MNT/proc/meminfo"
tap_ok $? "meminfo shows the kernel's Slab, SReclaimable, SUnreclaim, KernelStack, PageTables"
grep -q "nr_kernel_stack" "$MNT/proc/zoneinfo"
tap_ok $? "zoneinfo shows the kernel's stacks and page tables per zone"
# device_del: the ACPI eject refused (memory32), memory33 back online, _OST busy
ctl device_del d1 >/dev/null 2>&1
tap_ok $((! $?)) "device_del d1 is refused"
is "$(state 32) $(state 33)" "online online" "both blocks online again after the refused eject"
ctl dmesg | grep -q "^<4>memory memory32: Offline failed.$"
tap_ok $? "dmesg: memory memory32: Offline failed."
ost_busy() {
	grep -q '"ACPI_DEVICE_OST".*"device": *"d1".*"status": *130' "$TMP/ev.json" ||
		python3 -c 'import json,sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e["event"] == "ACPI_DEVICE_OST" and e["data"]["info"]["device"] == "d1" and e["data"]["info"]["status"] == 0x82:
        sys.exit(0)
sys.exit(1)' "$TMP/ev.json" 2>/dev/null
}
# the follower gets it once the notifier sends it: 30 s at most
for _ in $(seq 600); do ost_busy && break; sleep 0.05; done
ost_busy
tap_ok $? "control clients get ACPI_DEVICE_OST for d1 with status 0x82 (device busy)"
stop_fs
wait_exit $evpid 30
is "$? $(cat "$TMP/ev.err")" "1 hotmemctl: hotmemfs is stopping: no more events" \
	"the follower ends with hotmemfs, saying so"

# a pinned page in a Movable block: offline loops until a signal, EINTR,
# and the machine is as it was
start_fs --profile qemu-512m --fresh
ctl device_add pc-dimm id=d1 size=256M addr=0x100000000 >/dev/null
echo online_movable >"$M/memory32/state"
is "$(ctl alloc pinned 5)" "allocated 5 pinned pages (20K)" "5 pinned pages in the Movable block"
is "$(ctl -j explain 32 | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["verdict"], len(d["pages"]), d["pages"][0]["kind"])')" \
	"eintr-loop 5 pinned" "explain: the 5 pinned pages, a loop until a signal"
snap() { ctl -j status | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["blocks"])'; }
before=$(snap)
# offline_under_timeout CMD: CMD (an offline of memory32) under timeout,
# which the test fires itself once the offline loops (SIGALRM is timeout's
# own alarm: it sends CMD its SIGTERM and exits 124); timeout's exit status
going_offline() { [ "$(state 32)" = going-offline ]; }
offline_under_timeout() {
	local t
	timeout 120 "$@" &
	t=$!
	for _ in $(seq 600); do going_offline && break; sleep 0.05; done
	going_offline || diag "memory32 never went going-offline"
	kill -ALRM $t
	wait_exit $t 30
}
offline_under_timeout bash -c "trap 'echo TERM' TERM; echo offline >$M/memory32/state; echo rc=\$?" >"$TMP/int.out" 2>&1
grep -q "write error: Interrupted system call" "$TMP/int.out"
tap_ok $? "a signal (timeout's SIGTERM) ends the offline: the write fails with EINTR"
offline_under_timeout sh -c "echo offline >$M/memory32/state" 2>/dev/null
is "$?" 124 "timeout sh -c 'echo offline > state' returns when its signal comes"
is "$(state 32)" online "memory32 is still online"
is "$(snap)" "$before" "the blocks are as they were"
ctl free-all >/dev/null && offline 32
tap_ok $? "the pins released, memory32 goes offline"
done_testing
