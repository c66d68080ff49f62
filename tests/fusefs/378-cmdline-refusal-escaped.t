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

# said_escaped PREFIX: the refusal in $TMP/out says PREFIX then $SHOWN's
# value, no ESC
said_escaped() {
	sed 's/^/# /' "$TMP/out" | cat -v
	grep -qF -- "$1$SHOWN: " "$TMP/out" && ! grep -q $'\x1b' "$TMP/out"
	tap_ok $? "... saying the line's words escaped, no ESC in what it says"
}

start_refused "--cmdline with an escape sequence" 78 "--cmdline: " --control "$CTL" \
	--state "$STATE" --fresh --profile default \
	--cmdline "$(printf "memhp_default_state=it's\x1b[2J")" "$MNT"
said_escaped "hotmemfs: --cmdline: "

mount_fs "hotmemfs mounts default" --profile default --fresh
stop_fs
# The file's own line refused: the file cannot mend by itself, so not
# exit 1, which hotmemfs.service restarts, but 78, which ends the
# restarts; named as the state file's (no --cmdline was given) with the
# way out (reread38 R3; 1 and "--cmdline: " before)
state_machine_edit "m[\"cmdline\"] = \"$BAD\""
start_refused "the state file's cmdline with an escape sequence" 78 \
	"^hotmemfs: state file $STATE: its command line is refused: " \
	--control "$CTL" --state "$STATE" --profile default "$MNT"
said_escaped "hotmemfs: state file $STATE: its command line is refused: "
! grep -qF -- "--cmdline: " "$TMP/out"
tap_ok $? "... not said as --cmdline's"
grep -qF -- "(mv $STATE $STATE.bad && mv $STATE.journal $STATE.journal.bad) or start with --fresh" "$TMP/out"
tap_ok $? "... saying the way out"
INVOCATION_ID=fix38b start_refused "the same under systemd" 78 "refusing to start" \
	--control "$CTL" --state "$STATE" --profile default "$MNT"
grep -qF -- "mv $STATE $STATE.bad && mv $STATE.journal $STATE.journal.bad && systemctl restart hotmemfs" "$TMP/out"
tap_ok $? "... saying the way out with systemctl restart"
done_testing
