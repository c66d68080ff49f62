#!/bin/bash
# reread29 R11: a state file of a profile *file* saved before a key of
# hotmem_config_describe() came (pm_advanced_debug, 2026-12-02) has no
# line of it in "profile-config", though nobody touched the profile:
# it restores (the key's value is today's machine's), while a saved line
# of that key with another value is still a change, refused and named.
# Without state.c's profile_keys_added[] check 3 fails (refused).
. "$(dirname "$0")/lib.sh"
require_env
need_tool python3 python3
M=$MNT/sys/devices/system/memory
P=$TMP/mine.profile
printf 'profile = numa2\nname = mine\n' >"$P"

mount_fs "hotmemfs mounts a profile file (numa2's) with a state file" --profile "$P" --fresh
echo 1 >"$M/memory9/online"
tap_ok $? "... memory9 onlined"
stop_fs

state_machine_edit 'm["profile-config"] = [l for l in m["profile-config"] if not l.startswith("pm_advanced_debug ")]'
tap_ok $? "the file's profile-config without its pm_advanced_debug line, as one saved before 2026-12-02"
: >"$TMP/hotmemfs.log"
start_fs --profile "$P"
tap_ok $? "... restores"
sed 's/^/# /' "$TMP/hotmemfs.log"
is "$(cat "$M/memory9/online")" 1 "... memory9 online as saved"
stop_fs

is "$(python3 -c 'import json,sys; print([l for l in json.load(open(sys.argv[1]))["machine"]["profile-config"] if l.startswith("pm_advanced_debug ")])' "$STATE")" \
	"['pm_advanced_debug = no']" "... the restart's save wrote today's line into the file"
state_machine_edit 'm["profile-config"] = [l.replace("pm_advanced_debug = no", "pm_advanced_debug = yes") for l in m["profile-config"]]'
tap_ok $? "the file's profile-config with 'pm_advanced_debug = yes' (the profile has no)"
sum=$(md5sum <"$STATE")
start_refused "a changed pm_advanced_debug is refused" 78 \
	"the profile file $P changed since this state was saved: pm_advanced_debug \\(saved with 'pm_advanced_debug = yes'; now 'pm_advanced_debug = no'\\)" \
	--control "$CTL" --state "$STATE" --profile "$P" "$MNT"
sed 's/^/# /' "$TMP/out"
is "$(md5sum <"$STATE")" "$sum" "... the state file left as it was"
done_testing
