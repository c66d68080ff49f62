#!/bin/bash
# A command line the engine refuses names its words, and hotmemfs said
# them as they were: the line of a state file (anyone's text) at a
# restore, or --cmdline's, an escape sequence in it reached the terminal
# and the log.  Said as a C string writes them (fusefs/shown.h, as
# tests/fusefs/388's words), both where --cmdline is checked before the
# state file is opened and where the file's own line boots (tidy36).
. "$(dirname "$0")/lib.sh"
require_env
BAD="memhp_default_state=it's\x1b[2J"     # what the file holds, in Python
SHOWN="memhp_default_state=it\\'s\\x1b[2J"  # what hotmemfs says of it

# said_escaped: the refusal in $TMP/out says $SHOWN's value, no ESC
said_escaped() {
	sed 's/^/# /' "$TMP/out" | cat -v
	grep -qF -- "hotmemfs: --cmdline: $SHOWN: " "$TMP/out" && ! grep -q $'\x1b' "$TMP/out"
	tap_ok $? "... saying the line's words escaped, no ESC in what it says"
}

start_refused "--cmdline with an escape sequence" 78 "--cmdline: " --control "$CTL" \
	--state "$STATE" --fresh --profile default \
	--cmdline "$(printf "memhp_default_state=it's\x1b[2J")" "$MNT"
said_escaped

mount_fs "hotmemfs mounts default" --profile default --fresh
stop_fs
state_machine_edit "m[\"cmdline\"] = \"$BAD\""
start_refused "the state file's cmdline with an escape sequence" 1 "--cmdline: " \
	--control "$CTL" --state "$STATE" --profile default "$MNT"
said_escaped
done_testing
