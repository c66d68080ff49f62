#!/bin/bash
# A journal with one damaged record before its last (usereye6 M): the
# start is refused, saying what is wrong with which record of how many,
# that the records after it are intact and how many acknowledged changes
# they are, and the ways out with what each loses: --restore-partial (the
# state file plus the records before the damage, the journal kept as
# PATH.journal.damaged), the journal alone moved away (the state file as
# last compacted), --fresh.  A torn last record (no newline, or failing
# its CRC32) is still dropped with a line (never acknowledged) and the
# rest restored; a whole, checksummed last record that is refused (a seq
# gap) is damage like any other (finalD #1).  A --restore-partial that
# fails is not offered again, unless moving the names it found taken
# mends it (finalD 7).
. "$(dirname "$0")/lib.sh"
require_env
unset INVOCATION_ID # the by-hand advice; the systemd one is asked for below

start_state_fs 1G
ctl save >/dev/null # the DIMM in the state file: the journal empty
tap_ok $? "hotmemctl save: the machine as compacted"
S0=$(snapshot)
# twelve acknowledged changes, one record each: memory32..39, then 32..35 again
for i in $(seq 12); do
	flips 1 $((32 + (i - 1) % 8)) >/dev/null || nok "change $i"
	[ "$i" = 1 ] && S1=$(snapshot)
	[ "$i" = 10 ] && S10=$(snapshot)
	[ "$i" = 11 ] && S11=$(snapshot)
done
S12=$(snapshot)
kill9_fs
is "$(journal_text | wc -l)" 12 "twelve changes, twelve records in the journal"
cp "$STATE" "$TMP/good.state"
cp "$STATE.journal" "$TMP/good.journal"

# put_back: the state file and its journal as the kill left them
put_back() {
	rm -f "$STATE.journal".*
	cp "$TMP/good.state" "$STATE"
	cp "$TMP/good.journal" "$STATE.journal"
}
# flip_bit LINE: one bit of record LINE's JSON flipped (a letter stays a letter)
flip_bit() {
	python3 - "$STATE.journal" "$1" <<'PY'
import sys
path, n = sys.argv[1], int(sys.argv[2])
data = bytearray(open(path, "rb").read())
start = 0
for _ in range(n - 1):
    start = data.index(b"\n", start) + 1
at = data.index(b'"seq"', start) + 2
data[at] ^= 1
open(path, "wb").write(data)
PY
}
# drop_line LINE: record LINE taken out (the zeros after the records kept)
drop_line() {
	python3 - "$STATE.journal" "$1" <<'PY'
import sys
path, n = sys.argv[1], int(sys.argv[2])
data = open(path, "rb").read()
end = data.index(b"\0") if b"\0" in data else len(data)
lines = data[:end].split(b"\n")
del lines[n - 1]
open(path, "wb").write(b"\n".join(lines) + data[end:])
PY
}
# tear_last: the last record cut in its middle, zeros after it (a power loss)
tear_last() {
	python3 - "$STATE.journal" <<'PY'
import sys
path = sys.argv[1]
data = open(path, "rb").read()
end = data.index(b"\0") if b"\0" in data else len(data)
last = data.rindex(b"\n", 0, end - 1) + 1
cut = last + (end - last) // 2
open(path, "wb").write(data[:cut] + b"\0" * (len(data) - cut))
PY
}
# says TEXT NAME: the refusal's output has TEXT (fixed string)
says() {
	local rc
	grep -qF -- "$1" "$TMP/err.txt"
	rc=$?
	tap_ok $rc "$2"
	[ $rc = 0 ] || sed 's/^/#   /' "$TMP/err.txt"
}

# ---- one bit flipped in record 2 of 12 ---------------------------------
put_back
flip_bit 2
sum=$(cat "$STATE" "$STATE.journal" | md5sum)
refused "journal $STATE.journal is damaged: record 2 of 12 fails its CRC32 checksum (" \
	"a journal with one bit flipped in record 2 of 12" "${STATE_OPTS[@]}"
says "; records 3-12 are intact: 10 changes acknowledged after it" \
	"... saying records 3-12 are intact, 10 changes acknowledged after it"
says "the state file $STATE is not damaged: it is the machine as last compacted, the journal holds the 12 changes acknowledged since" \
	"... that the state file is not damaged and the journal holds 12 changes"
says "to keep the 1 change before record 2: start with --restore-partial (loses the 11 acknowledged changes from record 2 on; the journal is kept as $STATE.journal.damaged)" \
	"... offering --restore-partial with what it keeps and loses"
says "to restart from the state file alone: mv $STATE.journal $STATE.journal.bad (loses all 12 acknowledged changes of the journal)" \
	"... offering to move the journal alone away, with what that loses"
says "or start anew with --fresh (which deletes both files)" "... and --fresh"
is "$(cat "$STATE" "$STATE.journal" | md5sum)" "$sum" "... the state file and its journal untouched"

# the same under systemd: no option to leave in HOTMEMFS_OPTS
INVOCATION_ID=journal-damaged-t refused "record 2 of 12 fails its CRC32" \
	"the same under systemd (INVOCATION_ID)" "${STATE_OPTS[@]}"
says "mv $STATE.journal $STATE.journal.bad && systemctl restart hotmemfs (loses all 12" \
	"... the journal's mv with systemctl restart"
says "run hotmemfs once by hand with the service's options and --restore-partial" \
	"... --restore-partial once by hand"
! grep -q "start anew with --fresh" "$TMP/err.txt" &&
	grep -qF "never --restore-partial or --fresh in HOTMEMFS_OPTS" "$TMP/err.txt"
tap_ok $? "... and neither in HOTMEMFS_OPTS"

# ---- the way out that keeps the most: --restore-partial ----------------
cp "$STATE.journal" "$TMP/damaged.journal"
: >"$TMP/hotmemfs.log"
start_fs_netns "${STATE_OPTS[@]}" --restore-partial
tap_ok $? "--restore-partial: hotmemfs starts"
same_text "$(snapshot)" "$S1" "... the machine is the state file plus record 1"
grep -qF -- "--restore-partial: restoring the state file $STATE and the 1 change before record 2; 11 acknowledged changes from record 2 on are lost; the journal as it was is kept as $STATE.journal.damaged" "$TMP/hotmemfs.log"
tap_ok $? "... saying what it kept, how many changes it lost and where the journal is"
grep -qF "record 2 of 12 fails its CRC32 checksum" "$TMP/hotmemfs.log"
tap_ok $? "... and what the damage was"
cmp -s "$STATE.journal.damaged" "$TMP/damaged.journal"
tap_ok $? "... $STATE.journal.damaged is the journal as it was, byte for byte"
kill9_fs
start_fs_netns "${STATE_OPTS[@]}"
tap_ok $? "after kill -9, a start without --restore-partial is not refused"
same_text "$(snapshot)" "$S1" "... the same machine: what --restore-partial kept is the journal now"
stop_fs

# ---- a --restore-partial that fails offers only what can still help ---
# (finalD 7) every PATH.journal.damaged name taken: moving them away mends it
put_back
flip_bit 2
for k in "" $(seq -f .%g 2 99); do : >"$STATE.journal.damaged$k"; done
sum=$(cat "$STATE" "$STATE.journal" | md5sum)
refused "keeping it as $STATE.journal.damaged: that, .2 ... .99 are all taken: move them away" \
	"--restore-partial with .journal.damaged, .2 ... .99 all taken" "${STATE_OPTS[@]}" --restore-partial
says "record 2 of 12 fails its CRC32 checksum (" "... saying what the damage is too"
says "to keep the 1 change before record 2: move $STATE.journal.damaged and .2 ... .99 away, then start with --restore-partial again (loses the 11" \
	"... offering --restore-partial again once those names are moved away"
! grep -qF "start with --restore-partial (loses" "$TMP/err.txt"
tap_ok $? "... not --restore-partial as it was just refused"
says "to restart from the state file alone: mv $STATE.journal $STATE.journal.bad" "... and the journal's mv"
is "$(cat "$STATE" "$STATE.journal" | md5sum)" "$sum" "... the state file and its journal untouched"

# ---- the journal alone moved away --------------------------------------
put_back
flip_bit 2
mv "$STATE.journal" "$STATE.journal.bad"
: >"$TMP/hotmemfs.log"
start_fs_netns "${STATE_OPTS[@]}"
tap_ok $? "the journal alone moved away: hotmemfs starts"
same_text "$(snapshot)" "$S0" "... the machine as last compacted (the state file)"
! grep -q orphaned "$TMP/hotmemfs.log" && [ ! -e "$STATE.journal.orphaned" ]
tap_ok $? "... nothing taken for an orphaned journal"
stop_fs

# ---- what else a record can be -----------------------------------------
put_back
flip_bit 2
flip_bit 5
refused "record 2 of 12 fails its CRC32 checksum (" "records 2 and 5 damaged" "${STATE_OPTS[@]}"
says "; of records 3-12, 9 are intact and 1 damaged too (the first: record 5): 10 changes acknowledged after it" \
	"... saying of records 3-12 9 are intact, record 5 damaged too"
put_back
flip_bit 2
tear_last
refused "record 2 of 12 fails its CRC32 checksum (" "record 2 damaged, the last torn" "${STATE_OPTS[@]}"
says "; of records 3-12, 9 are intact and record 12, the last, was cut short by a crash: 9 changes acknowledged after it" \
	"... the torn last record not counted as acknowledged"
says "to keep the 1 change before record 2: start with --restore-partial (loses the 10 acknowledged changes from record 2 on" \
	"... nor among what --restore-partial loses"
put_back
drop_line 3
refused "record 3 of 11 has seq " "a record missing (record 3 taken out)" "${STATE_OPTS[@]}"
says "where $(($(state_seq) + 3)) was expected (its checksum is right); records 4-11 are intact: 8 changes acknowledged after it" \
	"... the seq found and the one expected"

# ---- a whole last record with a good CRC that is refused: damage -------
# (finalD #1) record 11 taken out: record 12, now the last line, is whole
# and checksummed but has a seq gap.  A crash cannot make that: the start
# is refused, nothing cut from the journal, not "cut short by a crash".
put_back
drop_line 11
sum=$(cat "$STATE" "$STATE.journal" | md5sum)
refused "record 11 of 11 has seq " "the last record whole but a seq gap (record 11 of 12 taken out)" \
	"${STATE_OPTS[@]}"
says "where $(($(state_seq) + 11)) was expected (its checksum is right); it is the last record: 0 changes acknowledged after it" \
	"... saying the seq found and expected, that it is the last"
! grep -q "cut short by a crash" "$TMP/err.txt"
tap_ok $? "... not taken for a record cut short by a crash"
says "to keep the 10 changes before record 11: start with --restore-partial (loses the 1 acknowledged change from record 11 on" \
	"... offering --restore-partial"
is "$(cat "$STATE" "$STATE.journal" | md5sum)" "$sum" "... the state file and its journal untouched"
: >"$TMP/hotmemfs.log"
start_fs_netns "${STATE_OPTS[@]}" --restore-partial
tap_ok $? "... --restore-partial: hotmemfs starts"
same_text "$(snapshot)" "$S10" "... the machine with the 10 records before it"
grep -qF -- "--restore-partial: restoring the state file $STATE and the 10 changes before record 11" "$TMP/hotmemfs.log"
tap_ok $? "... saying what it kept"
stop_fs

# ---- a torn last record still restores, as documented ------------------
put_back
flip_bit 12
: >"$TMP/hotmemfs.log"
start_fs_netns "${STATE_OPTS[@]}"
tap_ok $? "a last record failing its CRC32: hotmemfs starts"
same_text "$(snapshot)" "$S11" "... the machine with the 11 records before it"
grep -qF "$STATE.journal: record 12 was cut short by a crash (never acknowledged): dropped" "$TMP/hotmemfs.log"
tap_ok $? "... record 12 dropped with a line"
kill9_fs

put_back
tear_last
: >"$TMP/hotmemfs.log"
start_fs_netns "${STATE_OPTS[@]}"
tap_ok $? "a torn last record: hotmemfs starts"
same_text "$(snapshot)" "$S11" "... the machine with the 11 records before it"
grep -qF "$STATE.journal: record 12 was cut short by a crash (never acknowledged): dropped" "$TMP/hotmemfs.log"
tap_ok $? "... record 12 dropped with a line"
kill9_fs

# ---- nothing damaged: --restore-partial changes nothing ----------------
put_back
start_fs_netns "${STATE_OPTS[@]}" --restore-partial
tap_ok $? "--restore-partial with a whole journal: hotmemfs starts"
same_text "$(snapshot)" "$S12" "... every acknowledged change back"
[ ! -e "$STATE.journal.damaged" ]
tap_ok $? "... no $STATE.journal.damaged"
stop_fs

# the records kept cannot be written (a full disk): not offered again
state_on_small_tmpfs hotmem-damaged
cp "$TMP/good.state" "$STATE"
cp "$TMP/good.journal" "$STATE.journal"
flip_bit 2
fill_sd
sum=$(cat "$STATE" "$STATE.journal" | md5sum)
refused "keeping its records before record 2: No space left on device; the journal is as it was, nothing lost" \
	"--restore-partial on a full disk" "${STATE_OPTS[@]}" --restore-partial
! grep -q "to keep the 1 change before record 2" "$TMP/err.txt"
tap_ok $? "... --restore-partial not offered again" || sed 's/^/#   /' "$TMP/err.txt"
says "to restart from the state file alone: mv $STATE.journal $STATE.journal.bad" "... the journal's mv is"
says "or start anew with --fresh (which deletes both files)" "... and --fresh"
is "$(cat "$STATE" "$STATE.journal" | md5sum) $(ls "$SD" | grep -c damaged)" "$sum 0" \
	"... the state file and its journal untouched, no second name of it left"
rm -f "$SD/fill" "$SD/fill2"

"$HMFS" --state none --restore-partial "$MNT" 2>"$TMP/err.txt"
is "$?" 2 "--restore-partial with --state none: a usage error"
"$HMFS" --state "$STATE" --fresh --restore-partial "$MNT" 2>"$TMP/err.txt"
is "$?" 2 "--restore-partial with --fresh: a usage error"
says "--restore-partial restores a state file's journal: not with --fresh" "... saying why"
done_testing
