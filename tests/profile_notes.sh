# shellcheck shell=bash
# Helpers for the tests of `hotmem profile --from-sysfs`.

# from_sysfs_dump DIR: a sysfs dump under DIR of eight online 128 MiB
# blocks on node 0, auto_online_blocks offline
from_sysfs_dump() {
	local m=$1/sys/devices/system/memory i
	mkdir -p "$m"
	echo 8000000 >"$m/block_size_bytes"
	echo offline >"$m/auto_online_blocks"
	for i in 0 1 2 3 4 5 6 7; do
		mkdir -p "$m/memory$i/node0"
		echo online >"$m/memory$i/state"
		echo Normal >"$m/memory$i/valid_zones"
	done
}

# profile_notes PROFILE NOTES, right after `hotmem profile --from-sysfs ...
# -o PROFILE 2>NOTES`: the profile's "# could not infer:" lines appended
# to NOTES.  They were said on stderr too until small43 (user42 U1); stderr
# now sums them up in one line.  $? stays the command's, for a check of it
# after this.
profile_notes() {
	local rc=$?

	grep '^# could not infer: ' "$1" >>"$2" 2>/dev/null
	return "$rc"
}
