#!/bin/bash
# A state file's words that a refused start quotes -- the machine's
# "profile" and "cmdline" (another machine's), "node-ids" (a numbering
# this build does not know), a device's "guest-refused" (no errno) -- are
# anyone's text: they reached the terminal and the log as they were, an
# escape sequence in them too.  Shown as a C string writes them (\', \n,
# \xNN: fusefs/shown.h), as a changed profile file's lines are
# (tests/fusefs/387).
. "$(dirname "$0")/lib.sh"
require_env
BAD="it's\n\x1b[2J"                # what the file holds, in Python
SHOWN="it\\'s\\n\\x1b[2J"          # what hotmemfs says of it

# refused_escaped NAME WANT EDIT: the state file's machine edited (a copy
# of the good one), the start refused saying WANT (fixed), no ESC said
refused_escaped() {
	cp "$TMP/good.state" "$STATE"
	state_machine_edit "$3"
	start_refused "$1" 78 "refusing" --control "$CTL" --state "$STATE" --profile default \
		--cmdline "" "$MNT"
	sed 's/^/# /' "$TMP/out" | cat -v
	grep -qF -- "$2" "$TMP/out" && ! grep -q $'\x1b' "$TMP/out"
	tap_ok $? "... saying it escaped, no ESC in what it says"
}

saved_with_dimm d1 "hotmemfs mounts default" --profile default --fresh
cp "$STATE" "$TMP/good.state"

refused_escaped "the machine's profile another's" \
	"belongs to --profile '$SHOWN' --cmdline ''" "m[\"profile\"] = \"$BAD\""
refused_escaped "the machine's cmdline another's" \
	"belongs to --profile 'default' --cmdline '$SHOWN'" "m[\"cmdline\"] = \"$BAD\""
refused_escaped "node-ids unknown" \
	"\"node-ids\" is '$SHOWN', a numbering" "m[\"node-ids\"] = \"$BAD\""
refused_escaped "a device's guest-refused no errno" \
	"guest-refused: '$SHOWN' is no errno name or number" \
	"m[\"devices\"][0][\"guest-refused\"] = \"$BAD\""

# without --cmdline the file's is the machine's: its words hotmem does
# not model are said at the start, escaped, as the file's (they were
# said as "--cmdline:"'s, an option this start did not use)
cp "$TMP/good.state" "$STATE"
state_machine_edit "m[\"cmdline\"] = \"$BAD\""
: >"$TMP/hotmemfs.log"
start_fs --profile default
tap_ok $? "the file's command line its own: it restores"
stop_fs
grep -F -- "hotmem models none of:" "$TMP/hotmemfs.log" | sed 's/^/# /'
grep -qF -- "hotmemfs: state file $STATE: its command line: hotmem models none of: it\\'s \\x1b[2J (no effect here" "$TMP/hotmemfs.log" &&
	! grep -q $'\x1b' "$TMP/hotmemfs.log"
tap_ok $? "... its words hotmem does not model said escaped, no ESC in the log"
# the line no --cmdline gave is not said as --cmdline's
! grep -qF -- "--cmdline: hotmem models none of" "$TMP/hotmemfs.log"
tap_ok $? "... said as the state file's command line, not as --cmdline's"
done_testing
