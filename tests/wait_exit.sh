# shellcheck shell=bash
# wait_exit PID SECONDS: PID's exit status once it exits, or SIGKILL after
# SECONDS and 137: a process hung where it should not (in a FIFO's open,
# say) fails its test instead of hanging the suite (a bare wait did, until
# CI's 5400 s ran out).  One definition, sourced by tests/daemon/lib.sh and
# tests/fusefs/lib.sh (so tests/reliability/lib.sh too).
wait_exit() {
	local i
	for ((i = 0; i < $2 * 50; i++)); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.02
	done
	kill -0 "$1" 2>/dev/null && { echo "# pid $1 still running after $2 s: SIGKILL"; kill -9 "$1"; }
	wait "$1"
}
