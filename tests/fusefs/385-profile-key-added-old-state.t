#!/bin/bash
# reread29 R11: a state file's "profile-config" is hotmem_config_describe()'s
# lines of the profile file's machine.  A setting it writes for every
# machine that the file has no line of was not a setting when the file was
# saved (pm_advanced_debug before 2026-12-02), though nobody touched the
# profile: no change, the key's value today's machine's -- any such
# setting, a command-line parameter's too (each its own setting), not
# only those of a table (0e5fabe5's profile_keys_added[]).  A saved line
# of it with another value is still a change, refused and named; so is a
# setting described only when set (cpu_nodes, movable_node, devices) that
# the profile sets now: the file has no line of it because it was not set.
# Without state_profile.c's line_predated() check 4 fails (refused); with the
# table, too (crash_hotplug and the cmdline parameter were none of its
# keys, checked); with "absent = no change" for every setting, check 11
# (it mounted, checked).  "Absent = no change" holds for today's line only
# when it is the one the profile file's base built-in (its `profile =`)
# gets: a profile file given `pm_advanced_debug = yes` since the save was
# edited after it, and is refused naming it (reread30 R2; with any value
# taken, check 13 fails: it mounted, checked).
. "$(dirname "$0")/lib.sh"
require_env
need_tool python3 python3
M=$MNT/sys/devices/system/memory
P=$TMP/mine.profile
DROPPED='("pm_advanced_debug ", "crash_hotplug ", "cmdline = \"virtio_mem.bbm_block_size=")'
printf 'profile = numa2\nname = mine\n' >"$P"

mount_fs "hotmemfs mounts a profile file (numa2's) with a state file" --profile "$P" --fresh
echo 1 >"$M/memory9/online"
tap_ok $? "... memory9 onlined"
stop_fs

state_machine_edit "m['profile-config'] = [l for l in m['profile-config'] if not l.startswith($DROPPED)]"
tap_ok $? "the file's profile-config without its pm_advanced_debug, crash_hotplug and virtio_mem.bbm_block_size lines, as one saved before they were settings"
: >"$TMP/hotmemfs.log"
start_fs --profile "$P"
tap_ok $? "... restores"
sed 's/^/# /' "$TMP/hotmemfs.log"
is "$(cat "$M/memory9/online")" 1 "... memory9 online as saved"
stop_fs

is "$(python3 -c 'import json,sys; print([l for l in json.load(open(sys.argv[1]))["machine"]["profile-config"] if l.startswith(eval(sys.argv[2]))])' "$STATE" "$DROPPED")" \
	"['crash_hotplug = no', 'pm_advanced_debug = no', 'cmdline = \"virtio_mem.bbm_block_size=0\"']" \
	"... the restart's save wrote today's lines into the file"
state_machine_edit 'm["profile-config"] = [l.replace("pm_advanced_debug = no", "pm_advanced_debug = yes") for l in m["profile-config"]]'
tap_ok $? "the file's profile-config with 'pm_advanced_debug = yes' (the profile has no)"
sum=$(md5sum <"$STATE")
start_refused "a changed pm_advanced_debug is refused" 78 \
	"the profile file $P changed since this state was saved: pm_advanced_debug \\(saved with 'pm_advanced_debug = yes'; now 'pm_advanced_debug = no'\\)" \
	--control "$CTL" --state "$STATE" --profile "$P" "$MNT"
sed 's/^/# /' "$TMP/out"
is "$(md5sum <"$STATE")" "$sum" "... the state file left as it was"

state_machine_edit 'm["profile-config"] = [l.replace("pm_advanced_debug = yes", "pm_advanced_debug = no") for l in m["profile-config"]]'
printf 'cpu_nodes = 0,1\n' >>"$P"
start_refused "cpu_nodes set now, the file without a line of it (not set then)" 78 \
	"the profile file $P changed since this state was saved: cpu_nodes \\(now 'cpu_nodes = 0-1'\\)" \
	--control "$CTL" --state "$STATE" --profile "$P" "$MNT"
sed 's/^/# /' "$TMP/out"

sed -i '/^cpu_nodes/d' "$P"
printf 'pm_advanced_debug = yes\n' >>"$P"
state_machine_edit "m['profile-config'] = [l for l in m['profile-config'] if not l.startswith('pm_advanced_debug ')]"
start_refused "a file saved before pm_advanced_debug, the profile file given 'pm_advanced_debug = yes' since" 78 \
	"the profile file $P changed since this state was saved: pm_advanced_debug \\(now 'pm_advanced_debug = yes'\\)" \
	--control "$CTL" --state "$STATE" --profile "$P" "$MNT"
sed 's/^/# /' "$TMP/out"
done_testing
