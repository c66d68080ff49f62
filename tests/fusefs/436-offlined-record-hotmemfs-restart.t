#!/bin/bash
# hotmemd's state_dir/offlined across a restart of hotmemfs with hotmemd
# down -- systemctl restart hotmemfs with hotmemd-emulation.conf (BindsTo=,
# After=: hotmemd stopped first, started after).  memory32 is in its 2nd
# incarnation (device_add, device_del, device_add of d1, routine for
# virtio-mem); the admin offlines it and hotmemd records its directory's
# st_dev:st_ino.  The new mount takes the old anonymous device number
# back (get_anon_bdev(): the lowest free) while hotmemfs numbers
# incarnations per mount: the same memory32 had another st_ino, hotmemd
# took it for new memory and its start onlined it (reread39 R1).  Now the
# record has the mount's unique id (line 4) and inode numbers are compared
# within one mount only: memory32 is left offline, still recorded, and
# the held mark is anchored to the directory present.  So a third start
# over the same mount still tells new memory: d1 removed and added while
# hotmemd is down, memory32 onlined (reread38 R2 kept).  Checks 8, 11 and
# 12 failed with the build before the fix; 16-17 with the mount id alone,
# the held mark not anchored (the old mount's id kept).
. "$(dirname "$0")/lib.sh"
require_env
need_built "$HMD"
HPID=
trap 'in_test_shell && { [ -n "$HPID" ] && kill $HPID 2>/dev/null; cleanup; }' EXIT
M=$MNT/sys/devices/system/memory
wait_state() {
	for _ in $(seq 200); do
		[ "$(cat "$M/memory$1/state" 2>/dev/null)" = "$2" ] && return 0
		sleep 0.05
	done
	return 1
}
# hmd_start N: hotmemd on $MNT, ready for the Nth time in its log
hmd_start() {
	"${HMD_CMD[@]}" --sysroot="$MNT" --netlink=no --uevent-socket="$TMP/ue.sock" \
		--policy=online_movable --log-level debug >>"$TMP/hotmemd.log" 2>&1 &
	HPID=$!
	for _ in $(seq 600); do
		[ "$(grep -c "ready: sysroot" "$TMP/hotmemd.log")" = "$1" ] && return 0
		sleep 0.05
	done
	return 1
}
hmd_stop() {
	kill "$HPID"
	wait_exit "$HPID" 10
	HPID=
}

start_fs --fresh --uevent-socket "$TMP/ue.sock" --cmdline memhp_default_state=offline
tap_ok $? "hotmemfs up"
: >"$TMP/hotmemd.log"
hmd_start 1
tap_ok $? "hotmemd ready"
ctl device_add pc-dimm id=d1 size=1G >/dev/null
wait_state 32 online
tap_ok $? "d1 added, memory32 onlined by hotmemd"
ctl device_del d1 >/dev/null
tap_ok $? "device_del d1"
ctl device_add pc-dimm id=d1 size=1G >/dev/null
wait_state 32 online
tap_ok $? "d1 added again (memory32's 2nd incarnation), onlined"
dev1=$(stat -c %d:%i "$M/memory32")
echo offline >"$M/memory32/state"
tap_ok $? "the admin offlines memory32"
# the record names a block once hotmemd took the offline in: line 4 is
# "mnt" in any record, also one written before (a device_del's, no block
# named), which the wait took for this one under load
for _ in $(seq 200); do
	[ -n "$(sed -n 2p "$HMD_STATE/offlined" 2>/dev/null)" ] && break
	sleep 0.05
done
is "$(sed -n 2,3p "$HMD_STATE/offlined" | tr '\n' ' ')" "32 ino $dev1 " \
	"hotmemd recorded memory32 and its directory"
is_like "$(sed -n 4p "$HMD_STATE/offlined")" 'mnt [1-9]*' "and the mount it read it through"
ctl settle >/dev/null 2>&1

hmd_stop
stop_fs
start_fs --uevent-socket "$TMP/ue.sock"
tap_ok $? "hotmemfs restarted from its state file, hotmemd down meanwhile"
dev2=$(stat -c %d:%i "$M/memory32")
diag "memory32 st_dev:st_ino before the restart $dev1, after $dev2"
hmd_start 2
tap_ok $? "hotmemd started again"
is "$(cat "$M/memory32/state")" offline \
	"memory32, offlined by the admin, left offline after hotmemfs's restart"
is "$(sed -n 2p "$HMD_STATE/offlined")" 32 "and still recorded"
if [ "${dev2%%:*}" = "${dev1%%:*}" ]; then
	ok "the new mount has the old st_dev (anonymous device number reused)"
else
	ok "the new mount has the old st_dev # SKIP another device number this time (${dev1%%:*} then ${dev2%%:*}): the mount id alone was tested"
fi

# the same mount: new memory under memory32 while hotmemd is down is onlined
ctl settle >/dev/null 2>&1
hmd_stop
ctl device_del d1 >/dev/null
ctl device_add pc-dimm id=d1 size=1G >/dev/null
ctl settle >/dev/null 2>&1
is "$(cat "$M/memory32/state")" offline "d1 removed and added again while hotmemd is down"
hmd_start 3
tap_ok $? "hotmemd started a third time"
wait_state 32 online
tap_ok $? "the new memory32 is onlined"
grep -q "memory32: not the memory offlined by someone else this boot" "$TMP/hotmemd.log"
tap_ok $? "said why"
hmd_stop
grep -E "memory32|offlined" "$TMP/hotmemd.log" | tail -n 12 | sed 's/^/# log: /'
done_testing
