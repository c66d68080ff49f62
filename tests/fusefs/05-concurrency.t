#!/bin/bash
# Four writers race online/offline on the same blocks through hotmemfs
# while readers list and lsmem; then the engine's invariants must hold
# and every block must be in a clean state.
. "$(dirname "$0")/lib.sh"
require_env

# an idle kernel: every raced block, Normal ones too, must offline at the end
start_fs --fresh --cmdline hotmem.kernel_alloc=off
tap_ok $? "hotmemfs mounts"
ctl device_add pc-dimm id=d1 size=2G
tap_ok $? "device_add 2G (16 offline blocks)"
M=$MNT/sys/devices/system/memory

writer() {
	local seed=$1 i b t
	RANDOM=$seed
	for i in $(seq 150); do
		b=$((32 + RANDOM % 16))
		case $((RANDOM % 4)) in
		0) t=online_movable ;; 1) t=online ;; 2) t=online_kernel ;; *) t=offline ;;
		esac
		# EINVAL (same state, zone not allowed) and EBUSY are expected
		echo $t >"$M/memory$b/state" 2>/dev/null
		[ $((i % 7)) -eq 0 ] && echo 0 >"$M/memory$b/online" 2>/dev/null
	done
	return 0
}
reader() {
	local i
	for i in $(seq 40); do
		lsmem --sysroot "$MNT" >/dev/null || return 1
		cat "$M"/memory3*/valid_zones >/dev/null || return 1
	done
}
pids=()
for s in 1 2 3 4; do writer $s & pids+=($!); done
reader & rpid=$!
for p in "${pids[@]}"; do wait_exit "$p" 300; done
wait_exit $rpid 300
tap_ok $? "readers saw a consistent tree throughout"

out=$(ctl check 2>&1)
tap_ok $? "engine invariants hold after the race ($out)"
bad=0
for b in $(seq 32 47); do
	s=$(cat "$M/memory$b/state")
	case $s in online|offline) ;; *) bad=1; diag "memory$b: $s" ;; esac
done
tap_ok $bad "every raced block is online or offline"
is "$(ctl status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["machine"]["blocks"])')" 24 \
	"24 blocks (8 boot + 16 DIMM)"
kill -0 "$FS_PID"
tap_ok $? "hotmemfs still running"
# the saved state matches the machine after all that
python3 - "$STATE" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["format"] == "hotmemfs-state"
PY
tap_ok $? "state file is valid JSON after concurrent saves"
for b in $(seq 32 47); do echo offline >"$M/memory$b/state" 2>/dev/null; done
ctl device_del d1
tap_ok $? "device_del d1 after offlining everything"
ctl check >/dev/null
tap_ok $? "invariants hold after unplug"
done_testing
