#!/bin/bash
# tests/enable_uring.sh, the one way tests and make bench set fuse's
# host-wide enable_uring: two runs side by side both hold Y (the second
# joins, the value is put back once, by the last), a run wanting another
# value (or a test from before the helper, holding the lock exclusive)
# is refused with its reason after its wait, not set against the other,
# and the value goes back when the holding test is killed with -9 (its
# holder's PR_SET_PDEATHSIG) or the holder itself was (the next first
# holder takes the value to put back from the saved file).  Before it,
# 23-floor-uring.t, 160 and 163 took the lock exclusive for their whole
# run and set N on the host for their refusal checks: an io_uring run
# beside them had its value switched under it.  Here on a stand-in file
# and lock directory (HOTMEM_ENABLE_URING_PARAM, _LOCKDIR): the host's
# parameter is not touched.
. "$(dirname "$0")/lib.sh"
need_tool flock util-linux
need_tool setpriv util-linux
H=$HOTMEM_SRC/tests/enable_uring.sh
export HOTMEM_ENABLE_URING_PARAM=$TMP/enable_uring HOTMEM_ENABLE_URING_LOCKDIR=$TMP/lock
mkdir -p "$TMP/lock"
echo N >"$TMP/enable_uring"
P=$TMP/enable_uring
SAVED=$TMP/lock/hotmem-enable-uring.saved
. "$H"
trap 'in_test_shell && { enable_uring_release; cleanup; }' EXIT

# run NAME CMDS: CMDS in another shell that sourced the helper (another
# run, as prove -j2's other test would be); its output in $TMP/NAME.out,
# its pid in $RUN_PID
run() {
	bash -c ". '$H'; $2" >"$TMP/$1.out" 2>&1 &
	RUN_PID=$!
}
# wait_line FILE TEXT: up to 60 s for a line TEXT in FILE
wait_line() {
	for _ in $(seq 600); do grep -qxF "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
	return 1
}
# wait_value V: up to 60 s for the stand-in to read V (a holder ends by itself)
wait_value() {
	for _ in $(seq 600); do [ "$(cat "$P")" = "$1" ] && return 0; sleep 0.1; done
	return 1
}

enable_uring_hold Y 5
tap_ok $? "a first holder holds Y"
is "$(cat "$P")" Y "... it set Y"
is "$ENABLE_URING_OLD" N "... and knows the value before it: N"
is "$(cat "$SAVED")" "N Y" "the saved file: the value to put back, the value held"

run other 'enable_uring_hold Y 5 && echo "held, old $ENABLE_URING_OLD"; exec sleep 600'
other=$RUN_PID
wait_line "$TMP/other.out" "held, old N"
tap_ok $? "a second run beside it holds Y too (joins): $(head -c 200 "$TMP/other.out")"
enable_uring_release
is "$(cat "$P")" Y "the first ends: Y stays for the second"
kill -TERM "$other"
wait_exit "$other" 30 >/dev/null 2>&1
wait_value N
tap_ok $? "the last ends (its shell's end): N is back"
# the holder writes N, then removes the file: a moment apart
for _ in $(seq 600); do [ -e "$SAVED" ] || break; sleep 0.1; done
tap_ok "$([ ! -e "$SAVED" ]; echo $?)" "... and the saved file is gone"

# two runs each holding and releasing 15 times, side by side: never a
# value put back under the other, the one found at the end
loop='for i in $(seq 15); do enable_uring_hold Y 30 || { echo "refused: $ENABLE_URING_WHY"; exit 1; }
	[ "$(cat "$HOTMEM_ENABLE_URING_PARAM")" = Y ] || echo "not Y while held"; sleep 0.0$RANDOM
	[ "$(cat "$HOTMEM_ENABLE_URING_PARAM")" = Y ] || echo "not Y while held"; enable_uring_release; done; echo done'
run a "$loop"
a=$RUN_PID
run b "$loop"
b=$RUN_PID
wait_exit "$a" 300
ra=$?
wait_exit "$b" 300
is "$ra $? $(cat "$TMP/a.out" "$TMP/b.out" | sort | uniq -c | tr -s ' ')" "0 0  2 done" \
	"two runs side by side, 15 holds each: both held Y throughout"
is "$(cat "$P")" N "... and N is back after both"

enable_uring_hold Y 5
run wantN 'enable_uring_hold N 2 && echo held; echo "$ENABLE_URING_WHY"'
wantN=$RUN_PID
wait_exit "$wantN" 120
is "$?" 0 "a run wanting N beside a holder of Y ends"
is_like "$(cat "$TMP/wantN.out")" "$P is held at Y by another run for over 2 s*" \
	"... refused after its wait, with the reason (for the test's skip)"
is "$(cat "$P")" Y "... and Y was not touched"
enable_uring_release
is "$(cat "$P")" N "N back"

# a test from before this helper: the users lock exclusive for its run
# (the lock on a process that kill ends: flock(1)'s command would keep it)
(
	exec 9>>"$TMP/lock/hotmem-enable-uring.lock"
	flock -x 9 && exec sleep 600
) &
old=$!
for _ in $(seq 100); do flock -n -s "$TMP/lock/hotmem-enable-uring.lock" true || break; sleep 0.05; done
enable_uring_hold Y 2
is "$? $(cat "$P")" "1 N" "while a test from before the helper holds the lock exclusive: refused, N untouched"
is_like "$ENABLE_URING_WHY" "*held by another run for over 2 s*" "... saying so: $ENABLE_URING_WHY"
kill "$old"
wait_exit "$old" 30 >/dev/null 2>&1

# the holding test killed with -9: its holder gets SIGTERM and puts N back
run killed 'enable_uring_hold Y 5 && echo held; exec sleep 600'
killed=$RUN_PID
wait_line "$TMP/killed.out" held
is "$(cat "$P")" Y "a run holds Y"
kill -9 "$killed"
wait_exit "$killed" 30 >/dev/null 2>&1
wait_value N
tap_ok $? "killed with -9, its holder put N back (PR_SET_PDEATHSIG)"

# the holder itself killed with -9 (nothing can run then): Y and the
# saved file stay; the next first holder puts back the saved N, not Y
run holder 'enable_uring_hold Y 5 && echo "held $ENABLE_URING_PID"; exec sleep 600'
runner=$RUN_PID
for _ in $(seq 600); do grep -q '^held ' "$TMP/holder.out" && break; sleep 0.1; done
hp=$(sed -n 's/^held //p' "$TMP/holder.out")
kill -9 "$hp"
kill -9 "$runner"
wait_exit "$runner" 30 >/dev/null 2>&1
is "$(cat "$P") $(cat "$SAVED")" "Y N Y" "its holder killed with -9: Y left, the saved file says N"
enable_uring_hold Y 5
is "$?:$ENABLE_URING_OLD" "0:N" "the next holder takes N from the saved file"
enable_uring_release
is "$(cat "$P")" N "... and puts it back"

# a shell that holds it already (tests/fusefs/lib.sh's, then the test's):
# the same value counts, one release each; another value is refused
enable_uring_hold Y 5 && enable_uring_hold Y 5
is "$? $(cat "$P")" "0 Y" "held twice by one shell (the same value: counted)"
enable_uring_hold N 2
is "$?" 1 "... N asked by the same shell: refused"
is_like "$ENABLE_URING_WHY" "enable_uring_hold N: this shell holds Y*" "... saying so: $ENABLE_URING_WHY"
enable_uring_release
is "$(cat "$P")" Y "one release of two: still held"
enable_uring_release
is "$(cat "$P")" N "the second: N back"

# the holder itself killed with -9 (the OOM killer, or release's own
# bound): nothing gave Y back; `enable_uring.sh restore` (make check's
# and make bench's end) puts N back where nobody holds it any more, and
# leaves a value that is held alone (finalK K3)
enable_uring_hold Y 5
kill -9 "$ENABLE_URING_PID"
wait "$ENABLE_URING_PID" 2>/dev/null
ENABLE_URING_PID='' ENABLE_URING_HELD='' ENABLE_URING_DEPTH=0
is "$(cat "$P") $([ -e "$SAVED" ]; echo $?)" "Y 0" "a holder killed with -9: Y left, the saved file too"
run holdY 'enable_uring_hold Y 5 && echo held && sleep 600'
holdY=$RUN_PID
wait_line "$TMP/holdY.out" held
bash "$H" restore
is "$(cat "$P")" Y "... restore while another run holds Y: Y stays"
kill "$holdY"
wait_exit "$holdY" 30
wait_value N
is "$(cat "$P")" N "... that run's end gives N back"
enable_uring_hold Y 5
kill -9 "$ENABLE_URING_PID"
wait "$ENABLE_URING_PID" 2>/dev/null
ENABLE_URING_PID='' ENABLE_URING_HELD='' ENABLE_URING_DEPTH=0
bash "$H" restore 2>"$TMP/restore.err"
is "$(cat "$P") $([ -e "$SAVED" ]; echo $?)" "N 1" "... restore with nobody holding it: N back, the saved file gone"
is_like "$(cat "$TMP/restore.err")" "*put back to N (its last holder was killed)*" "... saying so"

chmod 0444 "$P"
if [ -w "$P" ]; then
	# root writes a 0444 file: a path that is not there instead
	HOTMEM_ENABLE_URING_PARAM=$TMP/no-such-param enable_uring_hold Y 2
else
	enable_uring_hold Y 2
fi
is "$?" 1 "no writable parameter: refused"
is_like "$ENABLE_URING_WHY" "no writable * (a kernel before 6.14 or without CONFIG_FUSE_IO_URING, or not root)" \
	"... saying why: $ENABLE_URING_WHY"
done_testing
