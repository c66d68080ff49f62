#!/bin/bash
# hotmemctl dmesg of a full log ring answers all of it: the control
# socket's dmesg read the ring into 64 KiB, NUL included, so a ring of
# 64 KiB (the engine's HM_DMESG_SIZE) lost a byte -- its oldest (tidy36).
# A write of an unknown action to a block's uevent file logs two lines
# (6.12 kobject_synth_uevent()'s warning, then uevent_store()'s error):
# 2000 of them, about 130 bytes each, fill the ring; the log read is then
# its whole lines, 64 KiB less the oldest's part, the newest the last one's.  A device's
# uevent_store() logs the error line, a bus's bus_uevent_store() does not
# (reread38 R4: the error line was missing).
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory
mount_fs "hotmemfs mounts default" --profile default --fresh
for i in $(seq 2000); do echo "bogus$i" >"$M/memory0/uevent" 2>/dev/null; done
# the ring's whole lines (6.12's syslog read gives whole records; the
# oldest, begun before the ring's start, is left out -- 208edadc): the
# longest run of the newest lines under 64 KiB, the lines the two above
# in turn, a first line whole
log_len() { ctl -j dmesg "$@" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["log"].encode()))'; }
want_len=$(python3 -c '
w = len("<4>synth uevent: /devices/system/memory/memory0: unknown uevent action string\n")
e = len("<3>memory memory0: uevent: failed to send synthetic uevent: -22\n")
n, k = 0, 0
while n + (e if k % 2 == 0 else w) < 65536:
    n += e if k % 2 == 0 else w
    k += 1
print(n)')
is "$(log_len)" "$want_len" "a full ring: hotmemctl dmesg answers its whole lines, 64 KiB less the oldest's part"
ctl dmesg | head -n 1 | grep -qE '^<4>synth uevent: /devices/system/memory/memory0: unknown|^<3>memory memory0: uevent: failed'
tap_ok $? "... its first line whole"
# last_lines N: the log's newest N lines
last_lines() { ctl dmesg | tail -n "$1"; }
is "$(last_lines 2)" "<4>synth uevent: /devices/system/memory/memory0: unknown uevent action string
<3>memory memory0: uevent: failed to send synthetic uevent: -22" \
	"... its newest lines the last write's: the warning, then the device's error with its errno"
echo bogus >"$M/uevent" 2>/dev/null
# dev_printk()'s "%s %s: ": a subsystem's root device has no bus or class
is "$(last_lines 1)" "<3> memory: uevent: failed to send synthetic uevent: -22" \
	"memory/uevent <- bogus: the root device's error, its bus name empty"
echo 'add UUID FOO' >"$M/memory0/uevent" 2>/dev/null
is "$(last_lines 2)" "<4>synth uevent: /devices/system/memory/memory0: incorrect uevent action arguments
<3>memory memory0: uevent: failed to send synthetic uevent: -22" \
	"memory0/uevent <- add UUID FOO: the warning and the error"
echo bogus >"$MNT/sys/devices/system/node/node0/uevent" 2>/dev/null
is "$(last_lines 1)" "<3>node node0: uevent: failed to send synthetic uevent: -22" \
	"node0/uevent <- bogus: the node's error"
echo bogus >"$MNT/sys/devices/LNXSYSTM:00/uevent" 2>/dev/null
is "$(last_lines 1)" "<3>acpi LNXSYSTM:00: uevent: failed to send synthetic uevent: -22" \
	"LNXSYSTM:00/uevent <- bogus: the ACPI device's error"
echo bogus >"$MNT/sys/bus/memory/uevent" 2>/dev/null
is "$(last_lines 1)" "<4>synth uevent: /bus/memory: unknown uevent action string" \
	"bus/memory/uevent <- bogus: the warning alone (bus_uevent_store() logs no error)"
done_testing
