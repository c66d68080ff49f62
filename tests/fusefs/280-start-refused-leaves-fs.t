#!/bin/bash
# A start that fails before its first save leaves the file system as it
# was (note23, left item).  hotmemfs made the state file's directory
# (mkdir -p, said), PATH.lock and PATH.journal in it (hmfs_state_open())
# and the control socket's directory before its machine booted or its
# state file was restored, and left them all when it refused: a unit
# restarting on a bad profile made the tree each try.  Now main.c takes
# away what the start made (start_unmake_files() while it holds the lock,
# then start_unmake_dirs()), and what was there before stays byte for
# byte.  Without it checks 3-4, 8-9 and 13-14 fail.
. "$(dirname "$0")/lib.sh"
require_env

# ---- a machine that cannot boot, its state file in a new directory ------
printf 'profile = default\nhotplug = 0x100000000-0x107ffffff\nonline = 32 online_movable\nonline = 32\n' \
	>"$TMP/twice.conf"
start_refused "a profile whose machine cannot boot, -S in a directory not there" 1 \
	"cannot boot the machine: online memory32 online: Invalid argument" \
	-S "$TMP/sd/a/st" -s "$TMP/ctl.sock" --profile "$TMP/twice.conf" "$MNT"
[ ! -e "$TMP/sd" ]
tap_ok $? "... the directories it made for the state file, its lock and journal are gone" ||
	diag "left: $(find "$TMP/sd" | tr '\n' ' ')"
grep -qF "removed the state file's directory $TMP/sd again: the start failed" "$TMP/out"
tap_ok $? "... and it says so"

# ---- a refused restore: the state file's checksum wrong ------------------
# a machine saved by a clean stop, then its checksum spoilt (a copy kept):
# refused as it is read, before the machine boots
mount_fs "hotmemfs mounts with a state file" --fresh -S "$TMP/sd2/st"
stop_fs
cp "$TMP/sd2/st" "$TMP/good.st"
sed -i 's/"crc32":[0-9]*/"crc32":1/' "$TMP/sd2/st"
rm -f "$TMP/sd2/st.lock" "$TMP/sd2/st.journal"
before=$(dir_listing "$TMP/sd2")
start_refused "a state file whose checksum is wrong, alone in its directory" 78 \
	"state file $TMP/sd2/st is damaged \(checksum mismatch\)" -S "$TMP/sd2/st" -s "$TMP/ctl.sock" "$MNT"
after=$(dir_listing "$TMP/sd2")
[ "$after" = "$before" ]
tap_ok $? "... the state file as it was, no lock or journal left" ||
	diag "before: $(tr '\n' '|' <<<"$before") after: $(tr '\n' '|' <<<"$after")"
grep -qF "(mv $TMP/sd2/st $TMP/sd2/st.bad) or start with --fresh (which deletes it)" "$TMP/out"
tap_ok $? "... its way out moves the state file alone: the journal it made is gone"

# ---- a refused restore after the boot: a damaged journal record ----------
# the state file good again, its journal's first record of two fails its
# checksum: refused as the journal is replayed, after the machine booted
# and the control socket's directory was made; the lock of the run
# before, the state file and the journal stay (the lock names its last
# holder: its content changes)
cp "$TMP/good.st" "$TMP/sd2/st"
echo 1 >"$TMP/sd2/st.lock"
printf '00000000 {"seq":1,"run":{"first":0,"count":1,"state":"offline"}}\n%s\n' \
	'00000000 {"seq":2,"run":{"first":0,"count":1,"state":"offline"}}' >"$TMP/sd2/st.journal"
before=$(dir_listing "$TMP/sd2")
start_refused "a journal record damaged, the control socket in a directory not there" 78 \
	"journal $TMP/sd2/st.journal is damaged: record 1 of 2 fails its CRC32 checksum" \
	-S "$TMP/sd2/st" -s "$TMP/cd/c.sock" "$MNT"
after=$(dir_listing "$TMP/sd2")
[ "$(grep -v '^st.lock ' <<<"$after")" = "$(grep -v '^st.lock ' <<<"$before")" ] &&
	[ -f "$TMP/sd2/st.lock" ]
tap_ok $? "... the state file and journal as they were, the lock there" ||
	diag "before: $(tr '\n' '|' <<<"$before") after: $(tr '\n' '|' <<<"$after")"
[ ! -e "$TMP/cd" ]
tap_ok $? "... the control socket's directory it made is gone"
grep -qF "removed the control socket's directory $TMP/cd again: the start failed" "$TMP/out"
tap_ok $? "... and it says so"
done_testing
