#!/bin/bash
# The state file is trusted only when it is ours (#16.8) and whole (#16
# Low): a symlink planted at its temporary file by another user must not
# make root write through it, at start or later; a state file owned by
# another user, a FIFO at its path (it hung the start), trailing garbage
# after its JSON (a NUL byte too) and a block size of 0 are refused with a clear message.
. "$(dirname "$0")/lib.sh"
require_env
need_tool setpriv util-linux
id nobody >/dev/null 2>&1 || skip_all "no user nobody"
D=$TMP/shared
mkdir -p "$D"
chmod 0711 "$TMP" # nobody may pass through to $D
chmod 0777 "$D" # another user may create files here (no sticky bit)
STATE=$D/hotmemfs.state
VICTIM=$TMP/victim
echo precious >"$VICTIM"
chmod 0644 "$VICTIM"
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
# rewrite PYTHON-EXPR: change the state file's machine m, checksum recomputed
rewrite() {
	python3 - "$STATE" "$1" <<'PY'
import json, sys, zlib
path, expr = sys.argv[1], sys.argv[2]
d = json.load(open(path))
m = d["machine"]
exec(expr)
d["crc32"] = zlib.crc32(json.dumps(m, separators=(",", ":")).encode())
open(path, "w").write(json.dumps(d, indent=1))
PY
}

# ---- a symlink planted at the temporary file --------------------------
as_nobody ln -s "$VICTIM" "$STATE.tmp"
tap_ok $? "user nobody plants $STATE.tmp -> $VICTIM"
refused "temporary file .* is not a regular file (a symbolic link)" "a planted temporary file" --fresh
is "$(cat "$VICTIM")" "precious" "... and the file it points to is untouched"
rm -f "$STATE.tmp"

start_fs_netns --fresh
tap_ok $? "hotmemfs starts once the symlink is gone"
ctl device_add pc-dimm id=d1 size=128M >/dev/null
tap_ok $? "a change is saved"
as_nobody ln -s "$VICTIM" "$STATE.tmp"
tap_ok $? "nobody plants the symlink again while hotmemfs runs"
sum=$(md5sum <"$STATE")
ctl save >/dev/null 2>"$TMP/err.txt"
tap_ok $((! $?)) "the next whole-file save (hotmemctl save) is refused"
grep -q "File exists" "$TMP/err.txt"
tap_ok $? "... saying why: $(head -c 150 "$TMP/err.txt")"
is "$(md5sum <"$STATE")" "$sum" "... the state file is as it was"
is "$(cat "$VICTIM")" "precious" "... and the file the symlink points to is untouched"
ctl device_add pc-dimm id=d2 size=128M >/dev/null
tap_ok $? "changes go on into the journal meanwhile"
is "$(cat "$VICTIM")" "precious" "... still without touching the symlink's target"
rm -f "$STATE.tmp"
kill9_fs # the journal keeps d2

# ---- a state file that is not ours, or not a file ----------------------
cp "$STATE" "$TMP/good.state"
journal_text >"$TMP/good.journal" # its records, without the zeros past them
chown nobody "$STATE"
refused "belongs to uid $(id -u nobody), not to us" "a state file owned by nobody"
rm -f "$STATE"
cp "$TMP/good.state" "$STATE"
chmod 0666 "$STATE"
refused "is writable by others" "a state file anybody may write"
rm -f "$STATE"
ln -s "$TMP/good.state" "$STATE"
refused "is not a regular file (a symbolic link)" "a state file that is a symlink"
rm -f "$STATE"
mkfifo "$STATE"
refused "is not a regular file (a FIFO)" "a FIFO at the state path"
rm -f "$STATE"

# ---- damage that still parses -------------------------------------------
rm -f "$STATE"
cp "$TMP/good.state" "$STATE"
echo '{"more": 1}' >>"$STATE"
refused "garbage after the JSON" "a state file with trailing garbage"
# a crash's size-without-data: zeros after the JSON, whatever follows them (abuse24 A1)
cp "$TMP/good.state" "$STATE"
printf '\0garbage' >>"$STATE"
refused "garbage after the JSON at byte $(($(stat -c %s "$TMP/good.state")))" "a state file with a NUL byte after its JSON"
cp "$TMP/good.state" "$STATE"
rewrite 'm["block-size"] = 0'
refused "block size 0x0" "a state file with block-size 0"
cp "$TMP/good.state" "$STATE"
rewrite 'del m["block-size"]'
refused "fields missing" "a state file without block-size"
cp "$TMP/good.state" "$STATE"
cp "$TMP/good.journal" "$STATE.journal"
sed -i '1s/^........ /00000000 /' "$STATE.journal"
echo "00000000 {}" >>"$STATE.journal"
refused "journal $STATE.journal is damaged: record 1 of [0-9]* fails its CRC32 checksum" "a journal with a damaged record"
# a "set" whose value has the wrong type, its checksum right, a good record after it
cp "$TMP/good.journal" "$STATE.journal"
n=$(journal_append '[{"set": {"devices": 5}}, {"set": {"probed": []}}]')
refused "journal $STATE.journal is damaged: record $n of [0-9]* is a change that does not fit the machine before it" "a journal record setting devices to a number"
cp "$TMP/good.journal" "$STATE.journal"
printf '12345678 {"seq":' >>"$STATE.journal"

cp "$TMP/good.state" "$STATE"
start_fs_netns
tap_ok $? "the good file is still restored"
is "$(ctl --json devices | grep -c '"d[12]"')" 2 "... with its devices (d2 from the journal)"
grep -q "record [0-9]* was cut short by a crash (never acknowledged): dropped" "$TMP/hotmemfs.log"
tap_ok $? "... a record cut short by a crash after it is dropped, and said so"
done_testing
