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
# Before the SIGKILL it says where each of PID's threads is (comm, state,
# wchan, the kernel stack when readable), so that a hang seen once in a
# loaded run says where it hung (160-io-uring's /dev/fuse hotmemfs outlived
# its umount by 30 s once, 2026-12-01, and nothing said why).
wait_exit_where() {
	local t st
	for t in /proc/"$1"/task/*; do
		[ -d "$t" ] || continue
		st=$(awk '/^State:/ {print $2$3}' "$t/status" 2>/dev/null)
		echo "#   thread ${t##*/} $(cat "$t/comm" 2>/dev/null) $st wchan=$(cat "$t/wchan" 2>/dev/null)"
		sed 's/^/#     /' "$t/stack" 2>/dev/null | head -12
	done
}
wait_exit() {
	local w rc
	(timeout "$2" tail -s 0.05 --pid="$1" -f /dev/null ||
		{ echo "# pid $1 still running after $2 s: SIGKILL; its threads:"
		  wait_exit_where "$1"; kill -9 "$1"; }) &
	w=$!
	wait "$1"
	rc=$?
	wait "$w"
	return $rc
}

# file_wait FILE: 0 once FILE exists (a shim's PATH.held: it holds a
# thread, tests/reliability/shim_hold.h), 1 after 30 s (a bound for a
# failure, not a speed).  Here for tests/fusefs/lib.sh's tests and
# tests/bpf/lib.sh's alike.
file_wait() {
	for _ in $(seq 600); do
		[ -e "$1" ] && return 0
		sleep 0.05
	done
	return 1
}
