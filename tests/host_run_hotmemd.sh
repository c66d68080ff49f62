# shellcheck shell=bash
# tests/host_run_hotmemd.sh, sourced by tests/fusefs/lib.sh and
# tests/daemon/lib.sh (tests/reliability and tests/systemd use the
# latter): the check their done_testing adds to every test, that no
# hotmemd of the test wrote the host's /run/hotmemd -- hotmemd's default
# state dir, which a test's mount namespace shares with the host: one
# started without --state-dir wrote the host's boot-blocks there, naming
# "sysroot /tmp/hotmemfs-test.*/mnt" (runleak38).  One piece of code for
# both libraries; each gives it tap_ok RC NAME, tap_skip TEXT and $TMP,
# and may say how its tests start hotmemd right (HOST_RUN_HOTMEMD_HINT).
# HOST_RUN_HOTMEMD_QUIET=1 (tests/daemon/lib.sh): a pass prints no line
# -- the daemon tests' plans, and tests/docs/test-helpers.t's matches of
# their output, stay as they were -- a failure or a skip does.

# HOST_RUN_HOTMEMD: the host's state dir (tests/fusefs/361 points it at a
# directory of its own to test the check)
HOST_RUN_HOTMEMD=${HOTMEM_TEST_HOST_RUN_HOTMEMD:-/run/hotmemd}
: "${HOST_RUN_HOTMEMD_HINT:=give it one in \$TMP}"
# whether it was there when the test began: one that appears during the
# test, even empty, is a failure -- a `mkdir -p /run/hotmemd` in a
# private mount namespace makes it on the host, whose /run is shared
# (session 39 found an empty one the file check could not see)
if [ -e "$HOST_RUN_HOTMEMD" ]; then
	HOST_RUN_HOTMEMD_BEFORE=1
else
	HOST_RUN_HOTMEMD_BEFORE=0
fi

# host_run_hotmemd_untouched: it did not appear during the test, and no
# file there names a sysroot in this test's $TMP (a hotmemd's boot-blocks and offlined key lines end "sysroot DIR").
# Not the directory's mtimes: a host running its own hotmemd rewrites
# offlined on every offline and online of its own, which failed every
# test; and a directory it cannot read is a skip saying so, where two
# equal errors passed without looking (reread38 R7).
host_run_hotmemd_untouched() {
	local name="the host's /run/hotmemd untouched" hits err rc

	if [ ! -e "$HOST_RUN_HOTMEMD" ]; then
		_host_run_hotmemd_pass "$name"
		return 0
	fi
	if [ "$HOST_RUN_HOTMEMD_BEFORE" = 0 ]; then
		tap_ok 1 "$name (it appeared during this test: a hotmemd without --state-dir ($HOST_RUN_HOTMEMD_HINT), or a mkdir under the host's shared /run from a private mount namespace)"
		echo "# $(ls -ld --time-style=+%T "$HOST_RUN_HOTMEMD" 2>&1); holding: $(ls -A "$HOST_RUN_HOTMEMD" 2>&1 | tr '\n' ' ')"
		return 1
	fi
	# $TMP is mktemp's: no other test's is longer with it as a prefix
	hits=$(grep -rlF -- "sysroot $TMP" "$HOST_RUN_HOTMEMD" 2>"$TMP/run-hotmemd.err")
	rc=$?
	err=$(head -n 3 "$TMP/run-hotmemd.err" | tr '\n' ' ')
	if [ -n "$hits" ]; then
		tap_ok 1 "$name (a hotmemd without --state-dir: $HOST_RUN_HOTMEMD_HINT)"
		echo "# naming this test's sysroot ($TMP/...): $(echo "$hits" | tr '\n' ' ')"
		return 1
	fi
	if [ "$rc" -gt 1 ]; then
		tap_skip "$name: cannot read $HOST_RUN_HOTMEMD (${err% })"
		return 0
	fi
	_host_run_hotmemd_pass "$name"
}
_host_run_hotmemd_pass() { [ -n "${HOST_RUN_HOTMEMD_QUIET:-}" ] || tap_ok 0 "$1"; }
