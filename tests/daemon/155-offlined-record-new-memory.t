#!/bin/bash
# An admin offlines memory16 and hotmemd records it in state_dir/offlined
# (152's setup).  While hotmemd is down, memory16 is removed and added
# again: a virtio-mem or DIMM swap while systemd restarts a crashed
# hotmemd, maintenance with the service stopped.  What came back under its
# number is new memory, its directory a new one (kernfs never reuses a
# node id within a boot; here the new directory is made before the old
# one goes, so it cannot get the old inode).  The record said "this boot"
# only, not which memory: the start left the new memory16 offline, "offlined
# by someone else" (reread38 R2).  Now the record keeps each block's
# st_dev:st_ino and a start onlines memory16 (line 4: the mount it was read
# through; not compared through another mount, or without line 4: a
# restarted hotmemfs's new mount numbers its own).  A record line 3 that
# is not "ino DEV:INO..." is no record.
. "$(dirname "$0")/lib.sh"
need_hotmemd
need_built "$UEVENT_SEND"

sock_machine 1b2c3d4e-0000-4000-8000-000000000001
sock_start 1 --log-level debug
check "hotmemd 1 ready" wait_for 10 ready 1
admin_offline 16 1
wait_for 10 sh -c '[ "$(sed -n 2p "$1")" = 16 ]' _ "$SOCK_STATE/offlined"
is "$(sed -n 2p "$SOCK_STATE/offlined")" 16 "memory16 recorded"
is "$(sed -n 3p "$SOCK_STATE/offlined")" "ino $(stat -c %d:%i "$mem/memory16")" \
	"with its directory's device and inode number"
rec=$(cat "$SOCK_STATE/offlined")
kill "$pid1"
wait_exit "$pid1" 10

# a restart with memory16 as it was leaves it offline (152's check)
sock_start 2 --log-level debug
check "hotmemd 2 ready" wait_for 10 ready 2
is "$(state "$root" 16)" offline "the same memory16, still recorded, is left offline"
kill "$pid2"
wait_exit "$pid2" 10

# a record whose memory16 was on another device (a hotmemfs restarted: a
# new mount, its inode numbers its own) keeps the mark: nothing compared
printf '%s\n16\nino 1:1\n' "$(sed -n 1p "$SOCK_STATE/offlined")" >"$SOCK_STATE/offlined"
sock_start 5 --log-level debug
check "hotmemd 5 ready" wait_for 10 ready 5
is "$(state "$root" 16)" offline "recorded on another device: memory16 left offline"
kill "$pid5"
wait_exit "$pid5" 10

# the same device, another inode number, but read through another mount
# (line 4), or a record without line 4: not compared (a hotmemfs
# restarted with the old anonymous device number numbers its own,
# reread39 R1; tests/fusefs/436), the mark holds
dev16=$(stat -c %d "$mem/memory16")
key=$(sed -n 1p "$SOCK_STATE/offlined")
printf '%s\n16\nino %s:999999\nmnt 1\n' "$key" "$dev16" >"$SOCK_STATE/offlined"
sock_start 6 --log-level debug
check "hotmemd 6 ready" wait_for 10 ready 6
is "$(state "$root" 16)" offline "recorded through another mount: memory16 left offline"
is "$(sed -n 3p "$SOCK_STATE/offlined")" "ino $(stat -c %d:%i "$mem/memory16")" \
	"... the mark anchored to the directory present"
kill "$pid6"
wait_exit "$pid6" 10
printf '%s\n16\nino %s:999999\n' "$key" "$dev16" >"$SOCK_STATE/offlined"
sock_start 7 --log-level debug
check "hotmemd 7 ready" wait_for 10 ready 7
is "$(state "$root" 16)" offline "a record without line 4 (no mount id): memory16 left offline"
kill "$pid7"
wait_exit "$pid7" 10
printf '%s\n' "$rec" >"$SOCK_STATE/offlined"

# while hotmemd is down: the memory behind memory16 removed, new memory added
mv "$mem/memory16" "$TMP/old-memory16"
rm -f "$root/sys/devices/system/node/node0/memory16"
mk_block "$root" 16 offline "Normal Movable"
rm -rf "$TMP/old-memory16"
sock_start 3 --log-level debug
check "hotmemd 3 ready" wait_for 10 ready 3
is "$(state "$root" 16)" online "new memory under memory16 is onlined"
check "said why" grep -q "memory16: not the memory offlined by someone else this boot" "$TMP/3.log"
is "$(sed -n 2p "$SOCK_STATE/offlined")" "" "and no longer recorded"
kill "$pid3"
wait_exit "$pid3" 10

# a damaged line 3: not a record (said), its marks not taken
echo offline >"$mem/memory16/state"
printf '%s\n16\nino x\n' "$(sed -n 1p "$SOCK_STATE/offlined")" >"$SOCK_STATE/offlined"
sock_start 4 --log-level debug
check "hotmemd 4 ready" wait_for 10 ready 4
check "a damaged line 3 is said" grep -q "line 3 'ino x' is not" "$TMP/4.log"
grep -h "memory16\|offlined" "$TMP"/[1-4].log | sed 's/^/# log: /'
done_testing
