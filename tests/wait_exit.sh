# shellcheck shell=bash
# wait_exit PID SECONDS: PID's exit status once it exits, or SIGKILL after
# SECONDS and 137: a process hung where it should not (in a FIFO's open,
# say) fails its test instead of hanging the suite (a bare wait did, until
# CI's 5400 s ran out).  One definition, sourced by tests/daemon/lib.sh,
# tests/fusefs/lib.sh (so tests/reliability/lib.sh too) and tests/bpf/lib.sh.
# The shell itself waits in the wait builtin, as a bare wait did, while a
# watcher child bounds it: a loop of kill -0 and sleep let bash reap a
# killed PID during the sleep and print its "line N: PID Killed ..." job
# notice on the test's stderr, past the caller's 2>/dev/null.
wait_exit() {
	local w rc
	(timeout "$2" tail -s 0.05 --pid="$1" -f /dev/null ||
		{ echo "# pid $1 still running after $2 s: SIGKILL"; kill -9 "$1"; }) &
	w=$!
	wait "$1"
	rc=$?
	wait "$w"
	return $rc
}
