#!/bin/bash
# A command line the engine refuses names its words, and hotmemfs said
# them as they were: the line of a state file (anyone's text) at a
# restore, or --cmdline's, an escape sequence in it reached the terminal
# and the log.  Said as a C string writes them (fusefs/shown.h, as
# tests/fusefs/388's words), both where --cmdline is checked before the
# state file is opened and where the file's own line boots (tidy36).
# A word the parser takes but validate() refuses is refused the same
# way (reread39 R2, checks 13-19).
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

# A word the parser takes but the machine refuses (validate():
# hugepages=2:4 where node 2 is possible, not online at boot) is the
# command line's fault all the same: the same words and exit 78, not
# "cannot boot the machine" and exit 1, which hotmemfs.service restarts
# for ever (reread39 R2)
NOTONLINE="hugepages=2:4: node 2 is not online at boot"
start_refused "--cmdline a word validate() refuses" 78 \
	"^hotmemfs: --cmdline: $NOTONLINE" \
	--control "$CTL" --state "$STATE" --fresh --profile numa2 --cmdline "hugepages=2:4" "$MNT"
! grep -qF "cannot boot the machine" "$TMP/out"
tap_ok $? "... not said as a machine that cannot boot"
mount_fs "hotmemfs mounts numa2" --profile numa2 --fresh
stop_fs
state_machine_edit 'm["cmdline"] = "hugepages=2:4"'
start_refused "the state file's cmdline a word validate() refuses" 78 \
	"^hotmemfs: state file $STATE: its command line is refused: $NOTONLINE" \
	--control "$CTL" --state "$STATE" --profile numa2 "$MNT"
grep -qF -- "(mv $STATE $STATE.bad && mv $STATE.journal $STATE.journal.bad) or start with --fresh" "$TMP/out"
tap_ok $? "... saying the way out"
# without --profile the machine is the state file's, not default's: a
# word for its node 1 (numa2's, not default's) is taken there
mount_fs "hotmemfs mounts numa2 with hugepages=1:4" --profile numa2 --fresh --cmdline "hugepages=1:4"
stop_fs
mount_fs "... restored with the same --cmdline, no --profile" --cmdline "hugepages=1:4"
stop_fs
done_testing
