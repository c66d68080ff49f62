#!/bin/bash
# A state file named in 240 bytes (NAME_MAX 255; its journal's names
# NAME.journal and NAME.journal.tmp fit) in the two starts that keep the
# journal under a name of its own (reread25 R6): NAME.journal.orphaned
# (the state file missing, state-journal-orphaned.t) and
# NAME.journal.damaged (--restore-partial, state-journal-damaged.t) are
# 257 and 256 bytes, and such a start was refused ("keeping it as ...:
# File name too long") exactly where keeping the journal matters.  Such a
# name is shortened as --fresh's asides are (tests/fusefs/305: NAME's
# first bytes, '~', NAME's CRC-32 in 8 hex digits, the suffix), and every
# message and advice names the file so.  Checks 4-7, 12-14 and 16 fail
# without the fix (checked).  A name over 243 bytes is refused at once
# (exit 2), saying the limit and why: NAME.journal.tmp must keep its
# name; such a start was refused with "File name too long" of whichever
# name first passed NAME_MAX.
. "$(dirname "$0")/lib.sh"
require_env
mkdir -p "$TMP/sd"
STATE=$TMP/sd/$(printf 's%.0s' $(seq 240))
# short SUFFIX: the name kept for SUFFIX, as the header says
short() {
	local n=${STATE##*/}
	python3 -c 'import sys, zlib; n, s = sys.argv[1], sys.argv[2]
print(n + s if len(n + s) <= 255 else
      "%s~%08x%s" % (n[:255 - len(s) - 9], zlib.crc32(n.encode()), s))' "$n" "$1"
}
records() { python3 -c 'import sys; sys.stdout.write(open(sys.argv[1], "rb").read().split(b"\0")[0].decode())' "$1"; }

# ---- the state file missing: the journal kept as orphaned -----------------
start_state_fs 256M
flips 1 33 >/dev/null
EXPECT=$(snapshot)
kill9_fs
REC=$(journal_text)
mv "$STATE" "$TMP/bad.state"
ORPH=$TMP/sd/$(short .journal.orphaned)
start_unbindable "a start without the state file, failing before its first save" \
	"${STATE_OPTS[@]}" -S "$STATE" "$MNT"
grep -qF "$ORPH put back as $STATE.journal: the start failed before its first save" "$TMP/out" &&
	[ ! -e "$ORPH" ] && is "$(journal_text)" "$REC" "... the journal put back, said with its kept name"
[ $? = 0 ] || nok "... the journal put back, said with its kept name: $(grep -m1 'journal' "$TMP/out" | tail -c 150)"
start_fs_netns "${STATE_OPTS[@]}"
tap_ok $? "a start without the state file mounts a new machine"
[ -f "$ORPH" ] && is "$(records "$ORPH")" "$REC" "the journal's records kept as ${ORPH##*/}" ||
	nok "the journal's records kept as ${ORPH##*/} (missing): $(grep -m1 'keeping it as' "$TMP/hotmemfs.log" | tail -c 120)"
grep -qF "the journal is kept as $ORPH, not emptied" "$TMP/hotmemfs.log" &&
	grep -qF "mv $ORPH $STATE.journal" "$TMP/hotmemfs.log"
tap_ok $? "... said with that name, and how to put it back"
stop_fs
mv "$TMP/bad.state" "$STATE" && mv "$ORPH" "$STATE.journal"
start_fs_netns "${STATE_OPTS[@]}"
tap_ok $? "the way back the message gives: a start"
same_text "$(snapshot)" "$EXPECT" "... the machine of before the kill, the orphaned records' changes in it"

# ---- a damaged journal: --restore-partial keeps it as damaged --------------
flips 2 33 >/dev/null
kill9_fs
# record 1 of 2: one bit of its JSON flipped, its CRC32 then fails
python3 - "$STATE.journal" <<'PY'
import sys
data = bytearray(open(sys.argv[1], "rb").read())
data[data.index(b'"seq"') + 2] ^= 1
open(sys.argv[1], "wb").write(data)
PY
DAM=$TMP/sd/$(short .journal.damaged)
refused "is damaged: record 1 of 2" "a damaged journal" "${STATE_OPTS[@]}"
grep -qF "the journal is kept as $DAM)" "$TMP/err.txt"
tap_ok $? "... the advice names where --restore-partial keeps it"
start_fs_netns "${STATE_OPTS[@]}" --restore-partial
tap_ok $? "--restore-partial starts"
[ -f "$DAM" ] && grep -qF "the journal as it was is kept as $DAM" "$TMP/hotmemfs.log"
tap_ok $? "... the journal kept as ${DAM##*/}, said so"
stop_fs

# ---- a name with no room for NAME.journal.tmp ------------------------------
STATE=$TMP/sd/$(printf 't%.0s' $(seq 244))
refused "the state file's name is 244 bytes: at most 243" "a 244-byte name" "${STATE_OPTS[@]}"
[ ! -e "$STATE" ] && [ ! -e "$STATE.journal" ] && [ ! -e "$STATE.lock" ]
tap_ok $? "... nothing made"
done_testing
