#!/bin/bash
# proc/sys/kernel/random/boot_id is the machine's, as a real kernel's is
# its boot's (drivers/char/random.c proc_do_uuid(): a version-4 UUID,
# lowercase, 0444): the same across restarts of hotmemfs on its state file
# (kill -9 or clean), a new one for a new machine (--fresh).  hotmemd keys
# its boot-blocks record on it (finalJ J1: a restart was "another
# machine").  A state file from before "boot-id" gets one at its first
# start and keeps it from then on.
. "$(dirname "$0")/lib.sh"
require_env
BID=$MNT/proc/sys/kernel/random/boot_id
uuid4='^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'
W() { python3 "$HOTMEM_SRC/tests/fusefs/sysw.py" w "$@"; }

start_fs_netns "${STATE_OPTS[@]}" --fresh
tap_ok $? "hotmemfs mounts a fresh machine on a state file"
id=$(cat "$BID")
[[ $id =~ $uuid4 ]]
tap_ok $? "boot_id is a version-4 UUID ($id)"
is "$(stat -c '%A %s' "$BID")" "-r--r--r-- 0" "... 0444, size 0 (a sysctl)"
is "$(wc -c <"$BID")" 37 "... 36 characters and a newline"
is "$(W "$BID" x)" EACCES "... a write is refused EACCES, root's too"
is "$(cat "$BID")" "$id" "... the same at every read"

kill9_fs
start_fs_netns "${STATE_OPTS[@]}"
tap_ok $? "restart after kill -9"
is "$(cat "$BID")" "$id" "... the same boot_id"
stop_fs
start_fs_netns "${STATE_OPTS[@]}"
tap_ok $? "clean restart"
is "$(cat "$BID")" "$id" "... the same boot_id"

# a state file from before "boot-id": a new one, kept from then on
stop_fs
state_drop_key boot-id
start_fs_netns "${STATE_OPTS[@]}"
tap_ok $? "a state file without \"boot-id\" loads"
old=$id
id=$(cat "$BID")
[[ $id =~ $uuid4 && $id != "$old" ]]
tap_ok $? "... boot_id a new UUID"
python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["machine"].get("boot-id") != sys.argv[2])' \
	"$STATE" "$id"
tap_ok $? "... saved in the state file at the start"
kill9_fs
start_fs_netns "${STATE_OPTS[@]}"
tap_ok $? "restart after kill -9"
is "$(cat "$BID")" "$id" "... the boot_id it got is kept"

# another machine at the same path
stop_fs
start_fs_netns "${STATE_OPTS[@]}" --fresh
tap_ok $? "--fresh"
new=$(cat "$BID")
[[ $new =~ $uuid4 && $new != "$id" ]]
tap_ok $? "... a new machine: a new boot_id"
done_testing
