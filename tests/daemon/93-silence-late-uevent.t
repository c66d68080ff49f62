#!/bin/bash
# finalG 2: hotmemd with --netlink=no on a hotmemfs started without -u
# warns that nothing sends to its socket (silence.c) and promises the
# blocks stay offline "until a uevent comes there".  That warning's count
# of the blocks the model lacks is a listing of memory/, which measured
# memory/'s other links with those blocks in them: the link check agreed
# from then on and the blocks never onlined.  Here a uevent comes (the
# sender starting late, a third DIMM's ADD): all three DIMMs online.
. "$(dirname "$0")/lib.sh"
need_hotmemd
need_hotmemfs_in_netns "$@"
. "$(dirname "$0")/fs_start.sh"
set -u
fs_paths
# no -u: hotmemfs sends nothing to hotmemd's socket
check "hotmemfs without -u" fs_start A
mnt=$TMP/A mem=$TMP/A/sys/devices/system/memory _fs_ctl=$TMP/A.sock
findmnt -t fuse.hotmemfs "$mnt" >/dev/null || { nok "$mnt is a hotmemfs mount"; done_testing; }
hotmemd_on_sock --log-level=debug
# one DIMM of two blocks: one device_add, both there for the warning's count
plug_two() { "$CTL" -s "$_fs_ctl" device_add pc-dimm size=256M id=d1 >/dev/null; }
check "plug a 256 MiB DIMM (memory32-33)" plug_two
check "hotmemd warns nothing sends to its socket" wait_for 15 grep -q "not one uevent on" "$log"
grep "not one uevent on" "$log" | sed 's/^/# /'
check "... counting both blocks" grep -q "2 new block(s) in .* from memory32 on" "$log"
is "$(cat "$mem/memory32/state") $(cat "$mem/memory33/state")" "offline offline" "both offline, as it says"
# the sender starts: a new DIMM and its ADD on the socket, numbered from 1
check "plug a third DIMM (memory34)" plug 3 3
check "its ADD on hotmemd's socket" "$UEVENT_SEND" --unix "$sock" --seq 1 add 34
for b in 32 33 34; do
	check "memory$b online once a uevent came" \
		wait_for 15 sh -c "[ \"\$(cat '$mem/memory$b/state')\" = online ]"
done
grep "memory3[234]: \|settled" "$log" | grep -v "uevent online" | sed 's/^/# /'
done_testing
