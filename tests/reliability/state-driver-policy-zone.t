#!/bin/bash
# The virtio-mem driver's plugging after an online (its retry while the
# device is short of requested-size) is a "device" record of its devices
# and their blocks alone (append_device(), state-driver-record.t) -- but
# when the blocks it plugs auto-online into ZONE_NORMAL for the first
# time, policy_zone rises (check_highest_zone(), 6.12: it only rises),
# and the change is a "set" with "params" instead.  Else the state file
# kept policy-zone DMA32: those blocks offline again and hotmemfs killed,
# the restart said "Policy zone: DMA32" where the machine had said
# Normal, as the kernel still would (review13: no test reached
# append_device()'s "params").
. "$(dirname "$0")/lib.sh"
set -u
require_env
pz() { ctl dmesg | sed -n 's/^<6>Policy zone: //p' | tail -1; }
# the last policy-zone the state file and its journal say
saved_pz() {
	cat "$STATE" "$STATE.journal" 2>/dev/null | tr -d '\0' |
		grep -o '"policy-zone": *"[A-Za-z0-9]*"' | tail -1 | sed 's/.*"\([A-Za-z0-9]*\)"$/\1/'
}
# record_kind N: the Nth last journal record's kind ("set", "device", "run")
record_kind() {
	journal_text | tail -n "$1" | head -n 1 | python3 -c '
import json, sys
rec = json.loads(sys.stdin.read().split(" ", 1)[1])
print([k for k in rec if k != "seq"][0])'
}
OPTS=(--profile qemu-512m --cmdline hotmem.kernel_alloc=off)

start_fs_netns "${OPTS[@]}" --fresh
tap_ok $? "qemu-512m mounts with a fresh state file (boot memory below 4G)"
findmnt -t fuse.hotmemfs "$MNT" >/dev/null || { nok "not mounted"; done_testing; exit 1; }
is "$(pz)" DMA32 "policy zone DMA32 at boot"
ctl device_add virtio-mem-pci id=vm0 size=2G requested-size=1152M >/dev/null
tap_ok $? "virtio-mem vm0 at 4G, requested 1G + one block"
is "$(plugged)" $((1 << 30)) "... 1G plugged offline (memory32-39), the driver waits for onlines"
for b in 33 34 35; do echo online_movable >"$M/memory$b/state" || break; done
is "$(plugged)" $((1 << 30)) "memory33-35 online_movable: 640M offline, the driver adds nothing"
echo online_kernel >"$M/auto_online_blocks"
tap_ok $? "auto_online_blocks online_kernel"
# 6.12's MEM_ONLINE notifier: the fourth brings offline_size to half the threshold
echo online_movable >"$M/memory32/state"
tap_ok $? "memory32 online_movable (ZONE_MOVABLE raises nothing)"
is "$(plugged)" $((1152 << 20)) "... the driver's retry plugs one block more (memory40)"
is "$(cat "$M/memory40/state") $(cat "$M/memory40/valid_zones")" "online Normal" \
	"... auto-onlined into ZONE_NORMAL"
is "$(pz)" Normal "policy zone Normal: the retry's online raised it"
is "$(record_kind 1)" set "the retry's record is a set (params with it), not a device record"
is "$(saved_pz)" Normal "... the state file says policy-zone Normal"
for b in 40 32 33 34 35; do echo offline >"$M/memory$b/state" || break; done
tap_ok $? "memory40 and memory32-35 offline again (one-block records: policy_zone stays Normal)"
is "$(pz)" Normal "... policy zone still Normal (never lowered)"

kill9_fs
start_fs_netns "${OPTS[@]}"
tap_ok $? "kill -9, restart on the state file"
is "$(cat "$M/memory40/state")" offline "memory40 offline, as it was"
echo online_movable >"$M/memory32/state"
tap_ok $? "memory32 online_movable (build_all_zonelists() again)"
is "$(pz)" Normal "policy zone Normal, as before the kill"
echo offline >"$M/memory32/state"
done_testing
