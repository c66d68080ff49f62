# shellcheck shell=bash
# tests/daemon/mntns.sh, sourced after lib.sh by the tests of hotmemd on a
# sysroot whose mount namespace is not the test's (97, 110, 120): what
# `ip netns exec` does to a hotmemd started in a container whose / is
# private.

# in_own_mntns ARGS...: the test runs again in a mount namespace of its own
# (private, as unshare makes it), so its mounts and propagation changes
# end with it; then fs_paths and the hot-added blocks' helpers
in_own_mntns() {
	if [ -z "${HOTMEMD_IN_MNTNS:-}" ]; then
		rm -rf "$TMP" # exec runs no EXIT trap; the second run makes its own
		HOTMEMD_IN_MNTNS=1 exec unshare -m "$0" "$@"
	fi
	fs_paths
	mkdir -p "$TMP/fs"
	. "$(dirname "$0")/hot_blocks.sh"
}

# hotmemd_in_ns PROPAGATION LOG [COMPANION]: hotmemd on $mnt in a new mount
# namespace (unshare execs it: the only process there), its mounts
# PROPAGATION of the test's (unchanged: the sysroot a peer of the test's,
# its parent as it is), as ip netns exec does it; with COMPANION a process
# in that namespace with it (ending with it)
hotmemd_in_ns() {
	log=$2
	: >"$log"
	unshare -m --propagation "$1" sh -c '[ -z "$1" ] || tail --pid=$$ -f /dev/null & shift; exec "$@"' \
		sh "${3:-}" "$HOTMEMD" --config /dev/null --sysroot "$mnt" \
		--state-dir "$TMP/state" --uevent-socket "$sock" --netlink=no \
		--policy online_movable 2>"$log" &
	dpid=$!
	_pids+=("$dpid")
	check "hotmemd ready in its own mount namespace ($1)" wait_for 10 grep -q "ready: sysroot" "$log"
}

# kill_fs_under_hotmemd FIRST LAST: hotmemd stopped, DIMMs FIRST..LAST
# plugged (their ADDs wait in its socket), hotmemfs killed, hotmemd
# continued: it wakes to blocks on a dead mount
kill_fs_under_hotmemd() {
	kill -STOP "$dpid"
	plug "$1" "$2" || return 1
	kill -9 "$fs_pid"
	wait_exit "$fs_pid" 10 >/dev/null 2>&1
	kill -CONT "$dpid"
}
