#!/bin/bash
# make check's ThreadSanitizer step: where threads meet, under TSan, on a
# plain make check too.  make tsan-build builds only what threads touch
# (the engine's threaded unit tests, hotmemfs and hotmemctl) in
# build/san-thread and make check names it in $HOTMEM_TSAN_BUILD; each
# unit test and stress.t (four workers racing through a real mount) run
# from it, and any ThreadSanitizer report fails the step (a data race is
# a bug: tests/tsan.supp suppresses nothing; explain's racy-by-design
# reads are marked in the engine, docs/engine.md's Locking).
# Under make check SANITIZE=thread the whole suite is this, and it skips.
. "$(dirname "$0")/lib.sh"
B=${HOTMEM_TSAN_BUILD:-}
[ -n "$B" ] || skip_all "no TSan build named (make check builds one: make tsan-build)"
need_built "$B/hotmemfs"
export TSAN_OPTIONS="${TSAN_OPTIONS:-} history_size=7 suppressions=$HOTMEM_SRC/tests/tsan.supp"

# the engine's unit tests that start threads (reliability.mk's TSAN_UNITS,
# the list make tsan-build builds); TSan exits 66 on a report
units=$(sed -n 's/^TSAN_UNITS := //p' "$HOTMEM_SRC/tests/reliability/reliability.mk")
[ -n "$units" ]
tap_ok $? "reliability.mk names the TSan units: $units"
for t in $units; do
	out=$TMP/$t.out
	CMOCKA_MESSAGE_OUTPUT=TAP "$B/tests/engine/$t" >"$out" 2>&1
	rc=$?
	n=$(grep -c "WARNING: ThreadSanitizer" "$out")
	# a unit's own skips (skip_why(): what TSan cannot check) counted in
	# its line and listed below it, not hidden in $out
	skipped=$(grep -c "^ok [0-9]* - .* # SKIP" "$out")
	[ "$rc" -eq 0 ] && [ "$n" -eq 0 ] && ! grep -q "^not ok" "$out"
	tap_ok $? "$t under TSan: exit $rc, $n reports$([ "$skipped" -gt 0 ] && echo ", $skipped check(s) skipped")"
	grep "^ok [0-9]* - .* # SKIP" "$out" | sed 's/^ok [0-9]* - /#   skipped: /'
	[ "$rc" -eq 0 ] && [ "$n" -eq 0 ] ||
		grep -m1 -A30 "WARNING: ThreadSanitizer\|^not ok" "$out" | sed 's/^/#   /'
done

# stress.t with hotmemfs and hotmemctl from the TSan build (it counts
# hotmemfs's reports itself); its TAP is kept here, one line in ours
HOTMEM_STRESS_BUILD=$B bash "$HOTMEM_SRC/tests/reliability/stress.t" >"$TMP/stress.out" 2>&1
rc=$?
! grep -q "^not ok" "$TMP/stress.out" && [ "$rc" -eq 0 ]
tap_ok $? "stress.t under TSan: exit $rc, no failed check"
[ "$rc" -eq 0 ] || grep -A30 "^not ok" "$TMP/stress.out" | sed 's/^/#   /'
# tsan_file FILE WHY: a test file run with hotmemfs from the TSan build;
# TSan's reports go to log files, one per process, which must not exist,
# and its checks must have run (prove passes a skipped file too)
tsan_file() {
	local t=$1 name=${1##*/} rc n ran
	rm -f "$TMP/tsan.$name".*
	HOTMEM_BUILD=$B TSAN_OPTIONS="$TSAN_OPTIONS log_path=$TMP/tsan.$name" \
		prove "$HOTMEM_SRC/tests/$t" >"$TMP/$name.out" 2>&1
	rc=$?
	n=$(cat "$TMP/tsan.$name".* 2>/dev/null | grep -c "WARNING: ThreadSanitizer")
	grep -q 'Files=1, Tests=[1-9]' "$TMP/$name.out" && ! grep -q 'skipped' "$TMP/$name.out"
	ran=$?
	[ "$rc" -eq 0 ] && [ "$n" -eq 0 ] && [ "$ran" -eq 0 ]
	tap_ok $? "$name under TSan ($2): exit $rc, $n reports, its checks run"
	[ "$rc" -eq 0 ] && [ "$n" -eq 0 ] ||
		cat "$TMP/$name.out" "$TMP/tsan.$name".* 2>/dev/null |
		grep -m1 -A30 "WARNING: ThreadSanitizer\|^not ok" | sed 's/^/#   /'
}
# lookups and getattrs racing a control-socket device_add that onlines a
# new node (pgdat->online is read under span_lock: 2026-11-30)
tsan_file fusefs/37-write-invalidates.t "lookups racing a device_add"
# two writers of a parameter whose undo needs the saved machine, and a
# block's one-block records making it stale (state.c saved_pre())
tsan_file reliability/params-writers.t "parameter writers sharing the saved machine"
# a parameter write's @pre dropped after its sync while the next change,
# a looping offline, holds change_lock (state.c hmfs_state_done())
tsan_file reliability/state-pre-behind-offline.t "a change's @pre dropped behind a looping offline"
# three writers of memoryN/uevent and a flipping block while a Unix
# uevent socket listens: the writers take the SEQNUMs, the notifier only
# sends them (events.c enqueue_uevent(); it incremented the counter the
# writers read: reread review R1)
tsan_file reliability/uevent-writers.t "synthetic uevents from three writers, a Unix listener"
done_testing
