#!/bin/bash
# A state file's device words checked before the device is made
# (reread36 R15): a "driver" hotmem has no model of is refused saying it
# escaped (fusefs/shown.h, as tests/fusefs/388's words), where dev.c's
# refusal quoted it as it was, an escape sequence in it too; an "id"
# holding a control character (a newline, ESC, a C1 control) was restored
# as it was and broke the tables of devices, map and status -- now the
# start is refused (EINVAL's exit 78, saying which id), the file as it was.
. "$(dirname "$0")/lib.sh"
require_env
BAD="it's\n\x1b[2J"                # what the file holds, in Python
SHOWN="it\\'s\\n\\x1b[2J"          # what hotmemfs says of it

# refused_said NAME WANT EDIT: the state file's machine edited (a copy of
# the good one), the start refused saying WANT (fixed), no ESC said, and
# the file left as the edit made it
refused_said() {
	cp "$TMP/good.state" "$STATE"
	state_machine_edit "$3"
	cp "$STATE" "$TMP/edited.state"
	start_refused "$1" 78 "refusing" --control "$CTL" --state "$STATE" --profile default \
		--cmdline "" "$MNT"
	sed 's/^/# /' "$TMP/out" | cat -v
	grep -qF -- "$2" "$TMP/out" && ! grep -q $'\x1b' "$TMP/out"
	tap_ok $? "... saying it escaped, no ESC in what it says"
	cmp -s "$STATE" "$TMP/edited.state"
	tap_ok $? "... the state file as it was"
}

saved_with_dimm d1 "hotmemfs mounts default" --profile default --fresh
cp "$STATE" "$TMP/good.state"

refused_said "a device's driver no model" \
	"device 'd1': \"driver\" '$SHOWN' is not a valid device model name (pc-dimm, virtio-mem-pci)" \
	"m[\"devices\"][0][\"driver\"] = \"$BAD\""
refused_said "a device's id with a newline and ESC" \
	"a device's \"id\" '$SHOWN' holds a control character" \
	"m[\"devices\"][0][\"id\"] = \"$BAD\""
refused_said "a device's id with a C1 control" \
	"a device's \"id\" 'd\\xc2\\x9b1' holds a control character" \
	"m[\"devices\"][0][\"id\"] = \"d\\u009b1\""

# an id with a quote but no control character is restored, said escaped
# nowhere it is not asked for: a table's word it may be
cp "$TMP/good.state" "$STATE"
state_machine_edit "m[\"devices\"][0][\"id\"] = \"d'1\""
start_fs --profile default
tap_ok $? "an id with a quote, no control character: it restores"
ctl status | grep -q "d'1"
tap_ok $? "... the device d'1 there"
done_testing
