#!/bin/bash
# Machine settings: a profile file with probe/memory_failure, the kernel
# command line reaching auto_online_blocks and the parameters, and the
# sysfs probe interface adding memory.
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory
P=$MNT/sys/module/memory_hotplug/parameters
W() { python3 "$HOTMEM_SRC/tests/fusefs/sysw.py" w "$@"; }

cat >"$TMP/probe.profile" <<'PROF'
profile = default
name = probe-test
probe = yes
memory_failure = yes
crash_hotplug = yes
PROF
start_fs --profile "$TMP/probe.profile" --fresh \
	--cmdline "memhp_default_state=online_movable memory_hotplug.online_policy=auto-movable memory_hotplug.auto_movable_ratio=150"
tap_ok $? "hotmemfs mounts a profile file with a command line"
is "$(stat -c %a "$M/probe")" 200 "probe exists, 0200"
is "$(stat -c %a "$M/soft_offline_page") $(stat -c %a "$M/hard_offline_page")" "200 200" \
	"soft/hard_offline_page exist, 0200"
is "$(stat -c %a "$M/crash_hotplug") $(cat "$M/crash_hotplug")" "444 0" \
	"crash_hotplug (CONFIG_CRASH_HOTPLUG) exists, 0444, 0 with no kdump kernel loaded"
is "$(cat "$M/auto_online_blocks")" "online_movable" "memhp_default_state= reaches auto_online_blocks"
is "$(cat "$P/online_policy")" "auto-movable" "memory_hotplug.online_policy= reaches the parameter"
is "$(cat "$P/auto_movable_ratio")" "150" "memory_hotplug.auto_movable_ratio= reaches the parameter"
is "$(cat "$MNT/proc/cmdline")" \
	"memhp_default_state=online_movable memory_hotplug.online_policy=auto-movable memory_hotplug.auto_movable_ratio=150" \
	"proc/cmdline"
is "$(W "$M/probe" '0x200000000')" "ret=11" "probe <- 0x200000000 adds a block"
is "$(cat "$M/memory64/state")" "online" "... memory64 exists and was auto-onlined"
is "$(cat "$M/memory64/valid_zones")" "Movable" "... into ZONE_MOVABLE (memhp_default_state)"
is "$(W "$M/probe" '0x200000000')" "EEXIST" "probe of the same address again: EEXIST"
ctl dmesg | grep -q "^<7>Unable to reserve System RAM region: 0000000200000000->0000000208000000$"
tap_ok $? "... dmesg: register_memory_resource()'s 6.12 words (pr_debug)"
is "$(W "$M/probe" '0x200001000')" "EINVAL" "probe of an unaligned address: EINVAL"
is "$(W "$M/probe" 'junk')" "EINVAL" "probe <- junk: EINVAL"
lsmem --sysroot "$MNT" -o RANGE,STATE,BLOCK | grep -q "0x0000000200000000-0x0000000207ffffff online *64"
tap_ok $? "lsmem shows the probed block"
# memory failure: a free page of memory64 retired by address
is "$(W "$M/soft_offline_page" '0x200005000')" "ret=11" "soft_offline_page <- a free page: retired"
is "$(W "$M/hard_offline_page" '0x200005000')" "133" "hard_offline_page <- the same page: EHWPOISON (133)"
is "$(W "$M/hard_offline_page" '0x200006000')" "ret=11" "hard_offline_page <- another free page"
is "$(W "$M/soft_offline_page" 'junk')" "EINVAL" "soft_offline_page <- junk: EINVAL"
is "$(W "$M/hard_offline_page" '0x7000000000')" "ENXIO" "hard_offline_page <- no memmap there: ENXIO"
is "$(W "$M/memory64/state" 'offline')" "ret=7" "memory64 with retired pages still goes offline"
is "$(W "$M/memory64/state" 'online')" "133" "... but will not come online again: EHWPOISON (133)"
# memory that is not online: ENXIO, and 6.12 memory_failure()'s pr_err (usereye3 #8)
is "$(W "$M/hard_offline_page" '0x200007000')" "ENXIO" "hard_offline_page <- a page of offline memory64: ENXIO"
for pfn in 0x7000000 0x200007; do
	ctl dmesg | grep -q "Memory failure: $pfn: memory outside kernel control"
	tap_ok $? "... dmesg: 'Memory failure: $pfn: memory outside kernel control'"
done
stop_fs

start_fs --fresh
tap_ok $? "the default machine has no probe"
[ ! -e "$M/probe" ] && [ ! -e "$M/soft_offline_page" ]
tap_ok $? "... no probe, soft_offline_page (as the reference host)"
"$HMFS" --state none --control "$CTL" --cmdline "memhp_default_state=bogus" "$TMP/x" 2>"$TMP/err.txt"
tap_ok $((! $?)) "a bad --cmdline value is refused"
grep -q "memhp_default_state" "$TMP/err.txt"
tap_ok $? "... naming the parameter: $(head -1 "$TMP/err.txt")"
done_testing
