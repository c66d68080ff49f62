#!/bin/bash
# A first online into ZONE_NORMAL raises policy_zone (check_highest_zone(),
# 6.12: it only ever rises).  When its save fails (the state file's disk
# full) the change is undone -- the block back offline -- but policy_zone
# stays raised, as the kernel's would: the undo must still count as the
# machine put back (params but policy-zone as before), not freeze
# hotmemfs ("takes no more changes ... could not be undone").  The same
# for a device_add whose blocks auto-online into Normal.  (review13 F6)
. "$(dirname "$0")/lib.sh"
set -u
require_env
M=$MNT/sys/devices/system/memory
pz() { ctl dmesg | sed -n 's/^<6>Policy zone: //p' | tail -1; }

# KIND: how the first Normal memory comes, on a full disk
run() {
	local kind=$1
	state_on_small_tmpfs "hotmem-pz-$kind"
	start_fs_netns --profile qemu-512m --cmdline hotmem.kernel_alloc=off --fresh
	tap_ok $? "$kind: qemu-512m (boot memory below 4G: policy zone DMA32), the state on a 256k tmpfs"
	findmnt -t fuse.hotmemfs "$MNT" >/dev/null || { nok "not mounted"; return; }
	ctl device_add pc-dimm id=d1 size=256M >/dev/null && ctl settle >/dev/null
	[ "$kind" = device_add ] && echo online_kernel >"$M/auto_online_blocks"
	is "$(pz)" DMA32 "$kind: policy zone DMA32 before"
	fill_sd
	# use up the journal's room with Movable onlines (they raise nothing) until one is refused
	for _ in $(seq 400); do
		(echo online_movable >"$M/memory33/state") 2>/dev/null || break
		(echo offline >"$M/memory33/state") 2>/dev/null || break
	done
	if [ "$kind" = online_kernel ]; then
		(echo online_kernel >"$M/memory32/state") 2>"$TMP/w.err"
		tap_ok $((! $?)) "online_kernel of memory32 on a full disk: refused ($(cat "$TMP/w.err"))"
		is "$(cat "$M/memory32/state")" offline "... memory32 back offline"
	else
		ctl device_add pc-dimm id=d2 size=128M >"$TMP/w.err" 2>&1
		tap_ok $((! $?)) "device_add auto-onlining into Normal on a full disk: refused ($(cat "$TMP/w.err"))"
		ctl devices 2>/dev/null | grep -qw d2
		tap_ok $((! $?)) "... d2 not there"
	fi
	diag "policy zone after the undo: $(pz) (it only rises)"
	! grep -qE 'takes no more changes|could not be undone' "$TMP/hotmemfs.log"
	tap_ok $? "$kind: the undo counts (no 'could not be undone' in hotmemfs's log)"
	rm -f "$SD/fill" "$SD/fill2"
	if [ "$(cat "$M/memory33/state")" = online ]; then w=offline; else w=online_movable; fi
	(echo "$w" >"$M/memory33/state") 2>"$TMP/w2.err"
	is "$?" 0 "$kind: with room again, the next change ($w of memory33) is taken (hotmemfs not frozen) $(cat "$TMP/w2.err")"
	stop_fs
}
run online_kernel
run device_add
done_testing
