# shellcheck shell=bash
# tests/daemon/hot_blocks.sh, sourced after lib.sh and fs_paths: the
# hot-added blocks (memory32 on) of the hotmemfs on $mnt.
# hot_states: their states, one a line
hot_states() {
	local b
	for b in "$mem"/memory*; do
		[ "${b##*memory}" -ge 32 ] && cat "$b/state"
	done 2>/dev/null
}
# all_online N: N of them online, none offline
all_online() { [ "$(hot_states | grep -c online)" = "$1" ] && ! hot_states | grep -q offline; }
