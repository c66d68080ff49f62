#!/bin/bash
# A state file is anyone's text: a refusal for a changed profile file
# shows the file's lines that the profile lacks now, and it showed them
# raw -- a quote ended the shown line early, a newline in one (a JSON
# "\n") made a line of the log that looked like hotmemfs's own, and an
# escape sequence reached the terminal, where it could recolour, retitle
# or clear it.  They are shown as a C string writes them (\', \n, \xNN:
# fusefs/shown.h hmfs_shown_escape()), their keys too; the refusal
# stays its own lines.
. "$(dirname "$0")/lib.sh"
require_env
P=$TMP/mine.profile
printf 'profile = default\nname = mine\n' >"$P"
saved_with_dimm d1 "hotmemfs mounts a profile file over default" --profile "$P" --fresh
# a saved line with a quote, a newline posing as a hotmemfs line and an
# SGR sequence; a key with an OSC title sequence ended by BEL
state_machine_edit 'm["profile-config"] += ["probe = it'"'"'s\nhotmemfs: restored\x1b[31m", "\x1b]0;x\x07 = 1"]'
tap_ok $? "the state file given two lines of control characters"
sum=$(md5sum <"$STATE")
profile_changed_refused "restored with the same profile file" --profile "$P"
! grep -q $'[\x1b\x07]' "$TMP/out"
tap_ok $? "... no ESC nor BEL in what it says"
grep -qF "changed since this state was saved: probe, \\x1b]0;x\\x07 (saved with 'probe = it\\'s\\nhotmemfs: restored\\x1b[31m', '\\x1b]0;x\\x07 = 1')" "$TMP/out"
tap_ok $? "... the keys and lines shown escaped, in their quotes"
is "$(grep -A1 'changed since' "$TMP/out" | tail -1)" \
	"hotmemfs: refusing to restore it onto a different machine; put the profile back as it was, or start with --fresh" \
	"... the refusal right after the line saying what changed: none of the saved lines a line of its own"
is "$(md5sum <"$STATE")" "$sum" "... the state file left as it was"
done_testing
