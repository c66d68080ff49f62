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
#  - every Movable block goes (20 of 20).
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
done_testing
