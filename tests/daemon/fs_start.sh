# shellcheck shell=bash
# tests/daemon/fs_start.sh, sourced after lib.sh and need_hotmemfs_in_netns:
# fs_start NAME [HOTMEMFS-ARGS...]: a hotmemfs on $TMP/NAME with a private
# state (-S none), its control socket $TMP/NAME.sock, its log $TMP/NAME.log,
# its pid in fs_pid (ended by lib.sh's cleanup); true once its "mounted on"
# line is there and the tree answers, false (its log shown) if it exits
# first or takes over 30 s.  For a hotmemfs lib.sh's hotmemfs_start cannot
# start: a profile, a command line, no -u, two at once.  One hotmemfs a
# network namespace (finalK K2): while another holds this one's claim
# (its abstract socket in /proc/net/unix), the next gets --netns none and
# sends to its -u sockets only.
fs_start() {
	local n=$1 i nl=()
	shift
	mkdir -p "$TMP/$n"
	: >"$TMP/$n.log" # there before the first grep: the background shell opens it
	grep -q ' @hotmemfs-uevents$' /proc/net/unix && nl=(--netns none)
	"$FS" -S none -s "$TMP/$n.sock" "${nl[@]}" "$@" "$TMP/$n" 2>"$TMP/$n.log" &
	fs_pid=$!
	_pids+=("$fs_pid")
	for ((i = 0; i < 30 * 50; i++)); do
		grep -q ' mounted on ' "$TMP/$n.log" &&
			[ -e "$TMP/$n/sys/devices/system/memory/block_size_bytes" ] && return 0
		kill -0 "$fs_pid" 2>/dev/null || break
		sleep 0.02
	done
	sed 's/^/# /' "$TMP/$n.log"
	return 1
}
# block_zones NAME IDS...: "ID ZONE" of each block of machine NAME
# (valid_zones of an online block is its zone), "ID offline" for an offline one
block_zones() {
	local m=$TMP/$1/sys/devices/system/memory i
	shift
	for i in "$@"; do
		if [ "$(cat "$m/memory$i/state")" = online ]; then
			echo "$i $(cat "$m/memory$i/valid_zones")"
		else
			echo "$i offline"
		fi
	done
}
# fs_start_fuse_log: hotmemfs "m" with -d -- libfuse's log of every
# request, the directory each READDIRPLUS lists (fuse_dir_lists):
# hotmemfs's count, not hotmemd's -- its uevents to $sock; sets mnt, ctl,
# sock, fslog and mem; the test ends there if it does not mount.  python3
# reads the log (fuse_dir_lists)
fs_start_fuse_log() {
	need_tool python3 python3
	mnt=$TMP/m ctl=$TMP/m.sock sock=$TMP/uevent.sock fslog=$TMP/m.log
	mem=$mnt/sys/devices/system/memory
	check "hotmemfs mounts (-d: its FUSE request log)" fs_start m -u "$sock" -d || done_testing
}
