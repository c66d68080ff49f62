#!/bin/bash
# hotmemd's coldplug keeps each offline block's state file open from its
# read to its decision's write (coldplug.c cold_keep()) past 512 blocks
# too: 1024 blocks plugged while no hotmemd runs, coldplugged under the
# soft descriptor limit systemd gives a service (1024; the hard one
# higher), which hotmemd raises for them (nofile_raise()).  Counts of
# FUSE requests, not times: a block kept asks OPEN and RELEASE once,
# one not kept twice -- 6.5 requests a block when only 512 were kept
# (COLD_KEEP_MAX 512, before perf42), 5.5 now (tests/daemon/90 for 256).
. "$(dirname "$0")/lib.sh"
need_hotmemd
need_hotmemfs_in_netns "$@"
. "$(dirname "$0")/fs_start.sh"
. "$(dirname "$0")/fuse_counts.sh"

# a machine with room for a 128 GiB DIMM of 128 MiB blocks
printf 'profile = huge-64t\nname = huge-16t-128m\nblock_size = 128M\nmaxmem = 16T\n' \
	>"$TMP/16t.profile"
mnt=$TMP/m ctl=$TMP/m.sock mem=$TMP/m/sys/devices/system/memory
check "hotmemfs mounts a 16 TiB machine of 128 MiB blocks" fs_start m -p "$TMP/16t.profile" ||
	done_testing
offline_blocks() { grep -lx offline "$mem"/memory*/state 2>/dev/null | wc -l; }
dimm() { "$CTL" -s "$ctl" device_add pc-dimm "$@" >/dev/null; }
check "plug a 128 GiB DIMM (1024 blocks)" dimm addr=0x80000000 size=128G id=big
is "$(offline_blocks)" 1024 "its 1024 blocks are offline"
fuse_ops "$ctl" >"$TMP/c0"
hard=$(ulimit -Hn)
check "hotmemd --oneshot coldplugs them at soft limit 1024 (hard $hard)" \
	bash -c 'ulimit -Sn 1024 && exec "$@"' - "$HOTMEMD" --config /dev/null \
	--sysroot "$mnt" --state-dir "$TMP/state" --netlink=no --oneshot --log-level warning
fuse_ops "$ctl" >"$TMP/c1"
is "$(offline_blocks)" 0 "none offline after it"
fuse_delta "$TMP/c0" "$TMP/c1" 1024 >"$TMP/cold"
sed 's/^/# /' "$TMP/cold"
got=$(awk '$1 == "total" { print $2 }' "$TMP/cold")
if [ "$hard" != unlimited ] && [ "$hard" -lt 4096 ]; then
	tap_skip "the hard descriptor limit $hard leaves no room for 1024 kept files"
elif python3 -c 'import sys; sys.exit(float(sys.argv[1]) > 5.6)' "$got"; then
	ok "each block's state file kept from its read to its write: $got FUSE requests a block"
else
	nok "$got FUSE requests a block, more than 5.6: blocks past some count opened twice"
fi
done_testing
