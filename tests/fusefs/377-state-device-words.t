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

# state_machine_edit_raw PYTHON: state_machine_edit()'s, the file
# written as bytes: a string's lone surrogate \udcNN is the raw byte NN
# (surrogateescape), not valid UTF-8, as an edit by hand may leave it
state_machine_edit_raw() {
	python3 - "$STATE" "$1" <<'PY'
import json, sys, zlib
p = sys.argv[1]
s = json.load(open(p))
m = s["machine"]
exec(sys.argv[2])
plain = json.dumps(s["machine"], separators=(",", ":"), ensure_ascii=False).replace("/", "\\/")
s["crc32"] = zlib.crc32(plain.encode("utf-8", "surrogateescape"))
open(p, "wb").write(json.dumps(s, ensure_ascii=False).encode("utf-8", "surrogateescape"))
PY
}

# refused_said NAME WANT EDIT [EDITOR]: the state file's machine edited (a
# copy of the good one; by EDITOR, state_machine_edit unless given), the
# start refused saying WANT (fixed), no ESC said, and the file left as
# the edit made it
refused_said() {
	cp "$TMP/good.state" "$STATE"
	"${4:-state_machine_edit}" "$3"
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
# a raw 0x9b, CSI on an 8-bit terminal, not in its UTF-8 form: no
# character, restored and printed raw in the tables (reread38 R6)
refused_said "a device's id with a raw C1 byte, no UTF-8 character" \
	"a device's \"id\" 'd\x9b1' holds a control character or a byte of no UTF-8 character" \
	"m[\"devices\"][0][\"id\"] = \"d\\udc9b1\"" state_machine_edit_raw
LC_ALL=C grep -q $'"d\x9b1"' "$STATE"
tap_ok $? "... the file holds the raw byte"

# an id with a quote but no control character is restored, said escaped
# nowhere it is not asked for: a table's word it may be
cp "$TMP/good.state" "$STATE"
state_machine_edit "m[\"devices\"][0][\"id\"] = \"d'1\""
start_fs --profile default
tap_ok $? "an id with a quote, no control character: it restores"
ctl status | grep -q "d'1"
tap_ok $? "... the device d'1 there"
done_testing
