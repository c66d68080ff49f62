#!/bin/bash
# A state file whose name leaves no room for --fresh's asides: a name of
# 240 bytes is valid (NAME_MAX 255), and so are NAME.journal and
# NAME.journal.tmp, but NAME.journal.fresh-aside (260) is not, and the
# start was refused ("File name too long").  An aside name over NAME_MAX
# is instead NAME's first bytes, '~', NAME's CRC-32 (zlib's, 8 hex
# digits), then the suffix, in the same directory (state.c
# aside_sibling()): the same at every start, so that what a killed
# --fresh start left is found again.
# Without the fix check 1 fails: every start was refused, --fresh or not
# (checked: settle_aside()'s look for NAME.journal.fresh-aside, File name
# too long).
. "$(dirname "$0")/lib.sh"
require_env
NAME=$(printf 's%.0s' $(seq 240))
state_dir "$NAME"
# aside SUFFIX: the aside's name for SUFFIX, as the header says (NAME.fresh-aside
# fits: 252 bytes; the journal's is shortened)
aside() {
	python3 -c 'import sys, zlib; n, s = sys.argv[1], sys.argv[2]
print(n + s if len(n + s) <= 255 else
      "%s~%08x%s" % (n[:255 - len(s) - 9], zlib.crc32(n.encode()), s))' "$NAME" "$1"
}

mount_fs "hotmemfs mounts a machine, its state file named in 240 bytes" --fresh
ctl device_add pc-dimm id=d1 size=128M >/dev/null
tap_ok $? "... a device added"
stop_fs

# ---- a --fresh start failing before its first save puts them back --------
start_unbindable "a --fresh start failing before its first save" --fresh -S "$STATE" "$MNT"
grep -qF "the state file $STATE put back as it was" "$TMP/out"
tap_ok $? "... the old state set aside and put back" || sed 's/^/#   /' "$TMP/out"

# ---- what a --fresh start killed before its first save leaves ----------------
mv "$STATE" "$TMP/sd/$(aside .fresh-aside)"
mv "$STATE.journal" "$TMP/sd/$(aside .journal.fresh-aside)"
mount_fs "a start after a --fresh start killed before its first save (asides by hand)"
ctl --json devices | grep -q '"d1"'
tap_ok $? "... the old machine found aside and put back, d1 in it"
is "$(asides)" 0 "... nothing set aside left"
stop_fs

mount_fs "a --fresh start" --fresh
is "$(asides)" 0 "... its old state removed after its first save"
ctl --json devices | grep -q '"d1"'
tap_ok $((!$?)) "... a new machine, no d1"
done_testing
