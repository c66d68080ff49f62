#!/bin/bash
# Every row of tests/fixtures/reference/sysfs-memory-writes.txt, by running the
# very script that captured it against hotmemfs (host-24g = the reference
# machine), then the state-changing writes the reference could not try.
. "$(dirname "$0")/lib.sh"
require_env
need_file "$REF/sysfs-memory-writes.txt"

start_fs --profile host-24g --fresh
tap_ok $? "hotmemfs mounts the host-24g machine"
M=$MNT/sys/devices/system/memory
W() { python3 "$HOTMEM_SRC/tests/fusefs/sysw.py" w "$@"; }

in_sysns python3 "$REF/scripts/write_tests.py" >"$TMP/writes.txt" 2>"$TMP/writes.err"
tap_ok $? "write_tests.py runs in a private namespace over hotmemfs"
sed -i 1d "$TMP/writes.txt"
# the rows and the post-check; the "NOT tested" notes after it are prose
mapfile -t want < <(sed -e 1d -e '/^# post-check/q' "$REF/sysfs-memory-writes.txt")
mapfile -t got <"$TMP/writes.txt"
for i in "${!want[@]}"; do
	case "${want[$i]}" in
	/sys/*) name="row: $(echo "${want[$i]}" | cut -d'|' -f1-2 | tr -s ' ')" ;;
	"") continue ;;
	*) name="line: ${want[$i]:0:60}" ;;
	esac
	is "${got[$i]:-<missing>}" "${want[$i]}" "$name"
done

# Source-derived rows (reference "NOT tested" block): state changes.
# memory190: the top blocks hold the boot memmap (memblock allocates
# top-down), so, as on a real machine, they refuse to go offline.
is "$(W $M/memory190/state 'offline')" "ret=7" "state <- offline on an online block returns count"
is "$(cat $M/memory190/state)" "offline" "... and the block is offline"
is "$(cat $M/memory190/online)" "0" "... online reads 0"
is "$(W $M/memory190/state 'offline\n')" "EINVAL" "state <- offline on an offline block: EINVAL"
is "$(W $M/memory190/online '0')" "ret=1" "online <- 0 on an offline block: count, no-op"
is "$(W $M/memory190/state 'online_movable\n')" "ret=15" "state <- online_movable onlines"
is "$(cat $M/memory190/valid_zones)" "Movable" "... into ZONE_MOVABLE"
is "$(W $M/memory190/state 'online_kernel')" "EINVAL" "online_kernel on an online block: EINVAL"
is "$(cat $M/memory190/valid_zones)" "Movable" "... zone unchanged"
is "$(W $M/memory190/online 'n')" "ret=1" "online <- n offlines"
is "$(cat $M/memory190/state)" "offline" "... state offline"
is "$(W $M/memory190/online 'on')" "ret=2" "online <- on onlines"
is "$(cat $M/memory190/state)" "online" "... state online"
is "$(W $M/memory0/state 'offline')" "EINVAL" "memory0 (valid_zones none, spans zones) cannot go offline"
is "$(W $M/auto_online_blocks 'online_movable\n')" "ret=15" "auto_online_blocks <- online_movable"
is "$(cat $M/auto_online_blocks)" "online_movable" "... reads back"
is "$(W $M/auto_online_blocks 'offline')" "ret=7" "auto_online_blocks <- offline"

P=$MNT/sys/module/memory_hotplug/parameters
is "$(W $P/online_policy 'auto-movable\n')" "ret=13" "online_policy <- auto-movable"
is "$(cat $P/online_policy)" "auto-movable" "... reads back"
is "$(W $P/online_policy 'bogus')" "EINVAL" "online_policy <- bogus: EINVAL"
is "$(W $P/online_policy 'contig-zones')" "ret=12" "online_policy <- contig-zones"
is "$(W $P/auto_movable_ratio 'abc')" "EINVAL" "auto_movable_ratio <- abc: EINVAL"
is "$(W $P/auto_movable_ratio '0x10')" "ret=4" "auto_movable_ratio <- 0x10 (kstrtouint base 0)"
is "$(cat $P/auto_movable_ratio)" "16" "... reads 16"
W $P/auto_movable_ratio '301' >/dev/null
is "$(W $P/auto_movable_numa_aware 'N')" "ret=1" "auto_movable_numa_aware <- N"
is "$(cat $P/auto_movable_numa_aware)" "N" "... reads N"
W $P/auto_movable_numa_aware 'Y' >/dev/null
is "$(python3 $HOTMEM_SRC/tests/fusefs/sysw.py o $P/memmap_on_memory w)" "EACCES" "memmap_on_memory is read-only: EACCES"
is "$(cat $P/memmap_on_memory)" "N" "memmap_on_memory reads N"

E=$MNT/sys/kernel/debug/notifier-error-inject/memory/actions
W $M/memory190/state offline >/dev/null
is "$(W $E/MEM_GOING_ONLINE/error '-12')" "ret=3" "notifier-error-inject MEM_GOING_ONLINE <- -12"
is "$(cat $E/MEM_GOING_ONLINE/error)" "-12" "... reads -12"
is "$(W $M/memory190/state online)" "ENOMEM" "online fails with the injected error"
is "$(cat $M/memory190/state)" "offline" "... and the block stays offline"
W $E/MEM_GOING_ONLINE/error 0 >/dev/null
is "$(W $M/memory190/state online)" "ret=6" "online works again after clearing the injection"

is "$(W $M/memory104/uevent 'change')" "ret=6" "uevent <- change: synthetic uevent, count"
is "$(W $M/memory104/uevent 'bogus')" "EINVAL" "uevent <- bogus: EINVAL"
# and the machine's log says why, as kobject_synth_uevent()'s pr_warn() (usereye7 #11l)
is "$(W $M/memory104/uevent 'add UUID FOO')" "EINVAL" "uevent <- add UUID FOO: EINVAL"
is "$(W $M/uevent 'bogus')" "EINVAL" "memory/uevent <- bogus: EINVAL"
ctl dmesg | grep -F 'synth uevent: ' | tail -n 3 >"$TMP/synth.log"
is "$(cat "$TMP/synth.log")" "<4>synth uevent: /devices/system/memory/memory104: unknown uevent action string
<4>synth uevent: /devices/system/memory/memory104: incorrect uevent action arguments
<4>synth uevent: /devices/system/memory: unknown uevent action string" \
	"the log says each refused uevent write, the kernel's words at KERN_WARNING"
# a device's file adds uevent_store()'s dev_err() after each (6.12
# drivers/base/core.c; 404c9faa), the errno as %d: dev_printk()'s "%s %s: "
# of the bus and the name -- "" and "memory" for the subsystem's root
# device /devices/system/memory, which has no bus (dev_driver_string())
ctl dmesg | grep -E 'synth uevent: |uevent: failed to send synthetic uevent' | tail -n 6 >"$TMP/synth.log"
is "$(cat "$TMP/synth.log")" "<4>synth uevent: /devices/system/memory/memory104: unknown uevent action string
<3>memory memory104: uevent: failed to send synthetic uevent: -22
<4>synth uevent: /devices/system/memory/memory104: incorrect uevent action arguments
<3>memory memory104: uevent: failed to send synthetic uevent: -22
<4>synth uevent: /devices/system/memory: unknown uevent action string
<3> memory: uevent: failed to send synthetic uevent: -22" \
	"... each with uevent_store()'s dev_err line at KERN_ERR, the root device's with no bus"
is "$(W $M/memory104/power/control 'on')" "ret=2" "power/control <- on"
is "$(W $M/memory104/power/control 'x')" "EINVAL" "power/control <- x: EINVAL"
is "$(cat $M/memory104/power/autosuspend_delay_ms 2>&1 | sed 's/.*: //')" "Input/output error" "power/autosuspend_delay_ms read: EIO"
done_testing
