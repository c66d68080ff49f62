#!/bin/bash
# hotmemfs --state-sync background (#15.1): a change is acknowledged once
# its journal record is written, and a syncer thread makes it durable
# behind the writer.  What an acknowledgement promises then is "survives
# kill -9 of hotmemfs" (the record is in the host kernel), not "survives
# a crash of the host".  A preloaded shim (sync_shim.so) holds the
# journal's fdatasync() (so that an acknowledgement before durability
# shows, which --state-sync always never gives: tests/reliability/
# state-group-commit.t), or fails it: the acknowledged changes cannot be
# undone then, so the machine is written whole into the state file; when
# even that fails, hotmemfs takes no more changes.
. "$(dirname "$0")/lib.sh"
require_env
require_shim

# restart_same WHAT: kill -9, FILE removed (a shim's trigger), restart
# with --state-sync background: the machine of every acknowledged change
restart_same() {
	local expect
	expect=$(snapshot)
	kill9_fs
	rm -f "$2"
	start_fs_netns "${STATE_OPTS[@]}" --state-sync background
	tap_ok $? "restart after kill -9, $1"
	same_text "$(snapshot)" "$expect" "... every acknowledged change is there"
}
# log_wait TEXT: hotmemfs's log has TEXT (the syncer writes it behind the writer), 5 s at most
log_wait() {
	for _ in $(seq 100); do
		grep -q "$1" "$TMP/hotmemfs.log" && return 0
		sleep 0.05
	done
	return 1
}

# 1. acknowledged while the fdatasync is held, and there after kill -9
: >"$TMP/hold"
HOTMEM_TEST_SYNC_HOLD=$TMP/hold LD_PRELOAD=$SHIM start_state_fs 512M --state-sync background
is "$(status_field state-sync)" background "status says state-sync background"
r0=$(status_field state-journal-records)
got=$(timeout 20 python3 - "$M/memory32/state" <<'PY'
import os, sys
fd = os.open(sys.argv[1], os.O_WRONLY)
os.write(fd, b"online_movable")
os.close(fd)
print("acknowledged")
PY
)
is "$got" acknowledged "onlining memory32 is acknowledged while the journal's fdatasync() is held"
[ -e "$TMP/hold.held" ]
tap_ok $? "... the syncer's fdatasync() is held meanwhile"
is "$(status_field state-journal-records)" $((r0 + 1)) "... its record is in the journal"
flips 3 33 >/dev/null
tap_ok $? "three more changes are acknowledged, the sync still held"
restart_same "the held fdatasync never returned" "$TMP/hold"

# 2. a failing fdatasync: the machine goes whole into the state file
kill9_fs
: >"$TMP/fail"
HOTMEM_TEST_SYNC_FAIL=$TMP/fail LD_PRELOAD=$SHIM start_fs_netns "${STATE_OPTS[@]}" \
	--state-sync background
tap_ok $? "restart with the journal's fdatasync() failing (EIO)"
seq0=$(state_seq)
echo offline >"$M/memory32/state"
tap_ok $? "offlining memory32 is acknowledged"
log_wait "holds every change acknowledged"
grep -q "syncing .*journal: Input/output error; writing the state file whole instead" "$TMP/hotmemfs.log"
tap_ok $? "... the failed sync is logged"
grep -q "holds every change acknowledged: nothing lost" "$TMP/hotmemfs.log"
tap_ok $? "... and the state file was written whole instead"
[ "$(state_seq)" -gt "$seq0" ]
tap_ok $? "... it holds the change's record (seq $seq0 -> $(state_seq))"
echo online_movable >"$M/memory32/state"
tap_ok $? "hotmemfs takes the next change"
restart_same "fdatasync() working" "$TMP/fail"
stop_fs

# 3. fdatasync failing and no room for the whole file: no more changes
state_on_small_tmpfs hotmem-bgsync
HOTMEM_TEST_SYNC_FAIL=$TMP/fail LD_PRELOAD=$SHIM start_state_fs 256M --state-sync background
echo online_movable >"$M/memory33/state"
tap_ok $? "its state file on a 256k tmpfs: a change grows the journal by a chunk of zeros"
fill_sd
: >"$TMP/fail"
echo online_movable >"$M/memory32/state"
tap_ok $? "onlining memory32 is acknowledged (the journal has room, the disk not)"
log_wait "takes no more changes"
grep -q "hotmemfs takes no more changes: syncing the state file's journal .* failed (Input/output error), and so did writing the state file whole (No space left on device): the changes acknowledged since its last sync survive a restart of hotmemfs, not a crash of the host" "$TMP/hotmemfs.log"
tap_ok $? "... then hotmemfs takes no more changes, and the log says why"
echo offline >"$M/memory32/state" 2>"$TMP/err"
grep -q "Read-only file system" "$TMP/err"
tap_ok $? "... a sysfs write gets EROFS: $(cat "$TMP/err")"
EXPECT=$(snapshot)
kill9_fs
rm -f "$TMP/fail" "$SD/fill" "$SD/fill2"
start_fs_netns "${STATE_OPTS[@]}" --state-sync background
tap_ok $? "restart after kill -9, with room and fdatasync() working"
same_text "$(snapshot)" "$EXPECT" "... the acknowledged online is there"
echo offline >"$M/memory32/state"
tap_ok $? "... and changes are taken again"

# 4. bad values are refused
"$HMFS" --state-sync sometimes "$MNT" 2>"$TMP/err"
tap_ok $((! $?)) "--state-sync sometimes is refused"
grep -q "always or background" "$TMP/err"
tap_ok $? "... saying what it takes: $(cat "$TMP/err")"
done_testing
