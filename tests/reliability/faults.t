#!/bin/bash
# Fault injection through a real hotmemfs mount: every engine allocation
# on the hot-add path (hotmemctl device_add, memmap-on-memory on and off)
# and on the online path (a write to memoryN/state, online_movable and
# online_kernel) fails in turn (`hotmemctl fail-nth-alloc N`, ENOMEM).
# Each operation that fails must leave the machine exactly as it was
# (`hotmemctl status --json` with free pages and the engine's metadata
# bytes, before = after) with its invariants holding; an operation the
# fault did not stop (N past its last allocation, or a site with a
# fallback) must have fully happened.  N runs until 8 operations in a row
# succeed.  Run by an ASan/LSan build: hotmemfs must then exit without a
# leak report.  make check builds one for it (make faults-san) and names
# it in $HOTMEM_FAULTS_BUILD; make check SANITIZE=address,... runs the
# whole suite so.  Run by hand, the test takes $HOTMEM_BUILD/faults-san or
# $HOTMEM_BUILD/san-address-undefined when it is not older than any source
# it is built from, and skips that check otherwise.
. "$(dirname "$0")/lib.sh"
require_env
B=$HOTMEM_BUILD
LSAN=no
case ${SANITIZE:-} in *address*) LSAN=yes ;; esac
if [ $LSAN = no ] && [ -n "${HOTMEM_FAULTS_BUILD:-}" ]; then
	B=$HOTMEM_FAULTS_BUILD
	LSAN=yes
fi
for asan in "$HOTMEM_BUILD/faults-san" "$HOTMEM_BUILD/san-address-undefined"; do
	[ $LSAN = no ] && [ -x "$asan/hotmemfs" ] && [ -x "$asan/hotmemctl" ] &&
		[ -z "$(find "$HOTMEM_SRC/fusefs" "$HOTMEM_SRC/engine" -name '*.[ch]' -newer "$asan/hotmemfs" | head -1)" ] &&
		B=$asan LSAN=yes
done
HMFS=$B/hotmemfs
HMCTL=$B/hotmemctl
M=$MNT/sys/devices/system/memory
diag "hotmemfs: $HMFS (LeakSanitizer: $LSAN)"

# everything, free pages and engine metadata included (not "control":
# the control socket's clients, where the last hotmemctl can still be
# counted under load)
full_snapshot() {
	ctl --json status | python3 -c '
import json, os, sys
d = json.load(sys.stdin)
for k in ("uevents", "state-saves", "state-save-errors", "state-journal-records",
          "state-journal-syncs", "fuse", "state-writes", "control"):
    d.pop(k, None)
if os.environ.get("IGNORE_REQUESTED"):
    # a refused plug leaves the QEMU requested-size set and the guest driver
    # retrying on its timer (6.12 virtio_mem_run_wq(): -ENOMEM arms it):
    # its run-time fields (lib.sh DEV_RUNTIME_FIELDS) differ
    for v in d.get("devices", []):
        for k in ["requested-size"] + sys.argv[1:]:
            v.pop(k, None)
print(json.dumps(d, indent=1, sort_keys=True))' "${DEV_RUNTIME_FIELDS[@]}"
}

# an idle kernel: a failed step must leave the machine exactly as it was
start_fs_netns --profile qemu-512m --fresh --cmdline hotmem.kernel_alloc=off
tap_ok $? "hotmemfs mounts qemu-512m"
# The DIMMs' sections (from 4 GiB: section 32) are in a root of the
# section table that boot memory did not make (32 sections a root): the
# first add makes it and it stays, whatever fails after (6.12
# sparse_index_init(), never freed), so the engine's metadata grows once.
# One DIMM added and removed first: every fault below starts from there.
ctl device_add pc-dimm id=warm size=256M >/dev/null && ctl device_del warm >/dev/null
tap_ok $? "a DIMM added and removed: its root of the section table made, and kept"

TOTAL=0
SITES=0
# fault_loop NAME DO UNDO DONE: N = 1, 2, ... until 8 DOs in a row succeed.
# DO fails: the machine must be as before.  DO succeeds: DONE must hold,
# and UNDO puts the machine back for the next N.
fault_loop() {
	local name=$1 do=$2 undo=$3 done_=$4
	local injected=0 failed=0 dirty=0 partial=0 run=0 n=0 before after
	while [ $run -lt 8 ] && [ $n -lt 200 ]; do
		n=$((n + 1))
		before=$(full_snapshot)
		ctl fail-nth-alloc $n >/dev/null
		if eval "$do" >/dev/null 2>"$TMP/err"; then
			ctl fail-nth-alloc 0 >/dev/null
			run=$((run + 1))
			eval "$done_" || partial=$((partial + 1))
			eval "$undo" >/dev/null || partial=$((partial + 1))
		else
			ctl fail-nth-alloc 0 >/dev/null
			run=0
			injected=$((injected + 1))
			grep -q "Cannot allocate memory" "$TMP/err" && failed=$((failed + 1))
			after=$(full_snapshot)
			if [ "$after" != "$before" ] || ! ctl check >/dev/null; then
				dirty=$((dirty + 1))
				[ $dirty -eq 1 ] && diff -u <(echo "$before") <(echo "$after") | head -20 | sed "s/^/# N=$n: /"
			fi
		fi
	done
	TOTAL=$((TOTAL + injected))
	SITES=$((SITES + n - 8))
	[ $failed -eq $injected ] && [ $dirty -eq 0 ] && [ $partial -eq 0 ]
	tap_ok $? "$name: $injected of $((n - 8)) allocation sites failed it with ENOMEM, $dirty changed the machine, $partial half-done successes"
	LAST_INJECTED=$injected
}
ndevs() { ctl --json devices | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }
# dimm_f ARGS...: device_add pc-dimm id=f ARGS; a failure in add_memory()
# is the guest's refusal, which QEMU and hotmemfs answer with a DIMM
# plugged without memory (149-dimm-guest-refused.t): then its words go to
# stderr, device_del f ejects it and the step counts as failed -- the
# machine must be as before
dimm_f() {
	local out
	out=$(ctl device_add pc-dimm id=f "$@" 2>&1) || { echo "$out" >&2; return 1; }
	case $out in
	*"refused by the guest"*) echo "$out" >&2; ctl device_del f >/dev/null; return 1 ;;
	esac
}

for mm in on off; do
	fault_loop "device_add pc-dimm memmap-on-memory=$mm" \
		"dimm_f size=256M memmap-on-memory=$mm" "ctl device_del f" \
		'[ "$(ndevs)" = 1 ] && [ -d "$M/memory32" ] && [ -d "$M/memory33" ]'
	[ "$LAST_INJECTED" -gt 0 ]
	tap_ok $? "... the hot-add path has allocation sites to fail ($LAST_INJECTED)"
done

# hot-add with auto-online: add_memory + online_pages in one operation
echo online_movable >"$M/auto_online_blocks"
fault_loop "device_add with auto_online_blocks=online_movable" \
	"dimm_f size=256M memmap-on-memory=off" "ctl device_del f" \
	'[ "$(cat "$M/memory32/state" "$M/memory33/state")" = "$(printf "online\nonline")" ]'
echo offline >"$M/auto_online_blocks"

# virtio-mem: growing requested-size plugs device blocks
ctl device_add virtio-mem-pci id=vm0 size=512M requested-size=0 >/dev/null
tap_ok $? "a virtio-mem device with nothing plugged"
# requested-size is the host's request (QEMU): qom-set succeeds and stays
# set when the guest fails to plug; the driver logs nothing of it (6.12:
# -ENOMEM arms its retry timer, "adding memory failed: -12" only when the
# add itself failed) and retries: the device's retry-errno says ENOMEM.
# What is plugged must not change.  Such a set-size counts as failed
# here; any other end (a device marked broken) counts as a wrong one.
# One memory block (128M): several would stop part way, and what was
# done stays done, as with the real driver.
vmem_plug() {
	ctl set-size vm0 128M >/dev/null || return
	ctl --json devices | grep -q '"plugged-size": *134217728' && return
	ctl --json devices | grep -q '"retry-errno": *"ENOMEM"' && echo "Cannot allocate memory" >&2
	return 1
}
export IGNORE_REQUESTED=1
fault_loop "virtio-mem set-size 0 -> 128M" vmem_plug "ctl set-size vm0 0" \
	'ctl --json devices | grep -q "\"plugged-size\": *134217728"'
unset IGNORE_REQUESTED
ctl set-size vm0 0 >/dev/null
ctl device_del vm0 >/dev/null
tap_ok $? "virtio-mem device removed"

# online: memoryN/state
ctl device_add pc-dimm id=d1 size=256M memmap-on-memory=off >/dev/null
tap_ok $? "a DIMM to online (memory32, memory33)"
for t in online_movable online_kernel online; do
	fault_loop "echo $t > memory32/state" "echo $t >$M/memory32/state" \
		"echo offline >$M/memory32/state" '[ "$(cat "$M/memory32/state")" = online ]'
done
ctl device_del d1 >/dev/null
tap_ok $? "device_del after the faults"
ctl check >/dev/null
tap_ok $? "invariants hold at the end"
diag "$TOTAL faults injected over $SITES allocation sites, each failed its operation cleanly"

# stop_fs fails "hotmemfs exited without sanitizer reports" on any report
# in hotmemfs's log, LeakSanitizer's at exit too (and empties the log);
# a leak check that could not run ("LeakSanitizer has encountered a fatal
# error") stays in the log
fails=$T_FAIL
stop_fs
if [ $LSAN = yes ]; then
	# a build without ASan would pass vacuously
	ldd "$HMFS" | grep -q libasan && [ "$T_FAIL" -eq "$fails" ] &&
		! grep -q LeakSanitizer "$TMP/hotmemfs.log"
	tap_ok $? "hotmemfs ($HMFS, ASan/LSan) exits without a LeakSanitizer report"
else
	ok "# SKIP no ASan/LSan build (make faults-san, or make SANITIZE=address,undefined all)"
fi

# a restart from a state file under the same build, kernel allocations
# on: the restore's kmem_reorder() with no live allocation yet passed
# memcpy() a NULL array (UBSan, fatal here: every restart under
# make check SANITIZE=address,undefined exited 1; abuse26 E3)
start_fs_netns --profile default --fresh
tap_ok $? "hotmemfs ($HMFS) mounts the default profile with a fresh state file"
stop_fs
start_fs_netns --profile default
tap_ok $? "... and restarts from it"
stop_fs
done_testing
